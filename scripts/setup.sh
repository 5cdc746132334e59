#!/usr/bin/env bash
# Installs every Debian 12 package wf needs to build and test, plus any packages named as
# arguments (scripts/setup-bench.sh passes the benchmarks' peers).
# `--flux` also builds flux-core from ../shared/thirdparty into /opt/flux-core when flux is
# not installed (scripts/setup-flux.sh; for the `flux` launcher's test).
# Idempotent: packages already present are skipped, `apt-get update` runs at most once.
set -euo pipefail

if [ "${1:-}" = "--flux" ]; then
  shift
  bash "$(dirname "${BASH_SOURCE[0]}")/setup.sh" "$@"
  exec bash "$(dirname "${BASH_SOURCE[0]}")/setup-flux.sh"
fi

packages=(
  cmake g++ ninja-build ccache pkg-config python3 python3-zmq python3-msgpack
  antlr4 libantlr4-runtime-dev
  llvm-14-dev clang-14 libclang-rt-14-dev
  libopenmpi-dev openmpi-bin
  libzmq3-dev cppzmq-dev libmsgpack-cxx-dev
  googletest libgtest-dev libcli11-dev libfmt-dev libxxhash-dev graphviz
  xeus-dev nlohmann-json3-dev jupyter-client jupyter-console python3-jupyter-kernel-test
  python3-nbclient python3-nbformat
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
