#!/usr/bin/env bash
# Installs the Debian packages the benchmarks (bench/) need: the peer systems of
# BENCHMARKS.md, hyperfine, GNU time, and the C libraries of bench/c.
# Idempotent: packages already present are skipped, `apt-get update` runs at most once.
set -euo pipefail

packages=(
  python3 python3-mpi4py python3-distributed python3-zmq python3-cloudpickle
  hyperfine time gcc
  libzmq3-dev libopenmpi-dev openmpi-bin
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-bench: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup-bench: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
