#!/usr/bin/env bash
# Configures build-fuzz with clang, builds the front-end fuzzer (tests/fuzz/fuzz_frontend.cpp)
# and runs it for N seconds (default 600) on a working copy of the seed corpus.
#
#   tests/fuzz/run.sh [SECONDS [LIBFUZZER-FLAGS...]]
#
# Environment: WF_FUZZ_VALID_UTF8=1 skips inputs that are not UTF-8 (fuzz_frontend.cpp),
# WF_FUZZ_BUILD (default <repo>/build-fuzz), JOBS (ninja -j, default 1),
# CC/CXX (default clang-14/clang++-14; only used on the first configure).
# Crashing inputs are written to $WF_FUZZ_BUILD/fuzz-artifacts/; the exit status is the
# fuzzer's (0 when nothing was found).
set -euo pipefail

seconds=${1:-600}
shift || true
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${WF_FUZZ_BUILD:-$root/build-fuzz}

CC=${CC:-clang-14} CXX=${CXX:-clang++-14} \
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWF_BUILD_FUZZER=ON -DWF_BUILD_TESTS=ON >/dev/null
nice -n 10 ninja -C "$build" -j"${JOBS:-1}" fuzz_frontend

corpus=$build/fuzz-corpus
artifacts=$build/fuzz-artifacts
mkdir -p "$corpus" "$artifacts"
cp -n "$root"/tests/fuzz/corpus/* "$corpus"/ 2>/dev/null || true
log=$build/fuzz-last.log

status=0
nice -n 10 "$build/fuzz_frontend" \
  -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=4096 -timeout=10 \
  -dict="$root/tests/fuzz/wf.dict" -artifact_prefix="$artifacts/" "$@" \
  "$corpus" 2>&1 | tee "$log" || status=$?

echo "----"
echo "executions: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo unknown)"
ls "$artifacts" | sed 's/^/artifact: /' || true
exit "$status"
