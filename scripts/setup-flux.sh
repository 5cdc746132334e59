#!/usr/bin/env bash
# Builds flux-core from ../shared/thirdparty/flux-core-*.tar.gz into a prefix, for the
# `flux` launcher's test (tests/flux). Optional: .ci/run calls it, `scripts/setup.sh --flux`
# does too; nothing else in wf needs it.
#
#   scripts/setup-flux.sh [--prefix DIR] [--tarball FILE]     (default prefix /opt/flux-core)
#
# flux-core is not packaged by Debian 12, so it is built from the source tarball that sits
# beside the repository (configure already generated; ../shared/thirdparty/README.md).
# Idempotent: nothing is done when `flux` is on the PATH or the prefix already holds a
# working bin/flux. Without the tarball it says so and exits 0 (the flux test then reports
# itself skipped). The Debian build dependencies are installed first when missing.
#
# PYTHON=/usr/bin/python3 matters: without it configure may pick a pyenv python that lacks
# `ply` and fails (../shared/TOOLCHAIN.md, Flux).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix=/opt/flux-core
tarball=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --tarball) tarball="$2"; shift 2 ;;
    *) echo "usage: $0 [--prefix DIR] [--tarball FILE]" >&2; exit 2 ;;
  esac
done

say() { echo "setup-flux: $*"; }

if command -v flux >/dev/null 2>&1; then
  say "flux is on the PATH ($(command -v flux)); nothing to build"
  exit 0
fi
if [ -x "$prefix/bin/flux" ] && "$prefix/bin/flux" version >/dev/null 2>&1; then
  say "flux-core already installed in $prefix"
  exit 0
fi

if [ -z "$tarball" ]; then
  for t in "$here"/../../shared/thirdparty/flux-core-*.tar.gz "$here"/../shared/thirdparty/flux-core-*.tar.gz; do
    [ -f "$t" ] && tarball="$t" && break
  done
fi
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
  say "no flux-core tarball (looked for ../shared/thirdparty/flux-core-*.tar.gz); flux not built"
  exit 0
fi

deps=(autoconf automake libtool make pkg-config libzmq3-dev uuid-dev libjansson-dev liblz4-dev
  libarchive-dev libhwloc-dev libsqlite3-dev lua5.1 liblua5.1-dev lua-posix python3-dev
  python3-cffi python3-ply python3-setuptools python3-yaml jq libsodium-dev)
bash "$here/setup.sh" "${deps[@]}"

work="$(mktemp -d "${TMPDIR:-/tmp}/wf-flux-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
say "building $(basename "$tarball") into $prefix (about 2 minutes on 2 cores)"
tar -xzf "$tarball" -C "$work"
src="$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'flux-core-*' | head -n 1)"
[ -n "$src" ] || { say "the tarball holds no flux-core-* directory"; exit 1; }
log="$work/build.log"
(
  cd "$src"
  PYTHON=/usr/bin/python3 ./configure --prefix="$prefix" --disable-docs
  make -j"$(nproc)"
  make install
) >"$log" 2>&1 || { tail -n 40 "$log"; say "build failed"; exit 1; }
"$prefix/bin/flux" version >/dev/null || { say "$prefix/bin/flux does not run"; exit 1; }
say "installed: $("$prefix/bin/flux" version | head -n 1)"
