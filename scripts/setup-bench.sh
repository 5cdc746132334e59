#!/usr/bin/env bash
# Installs what the benchmarks (bench/) need besides the build: the peer systems of
# BENCHMARKS.md, hyperfine, GNU time, and the C libraries of bench/c (through setup.sh, so
# the same idempotent install logic serves both).
set -euo pipefail
exec bash "$(dirname "$0")/setup.sh" \
  python3-mpi4py python3-distributed python3-zmq python3-cloudpickle \
  hyperfine time gcc libzmq3-dev libopenmpi-dev openmpi-bin
