#!/usr/bin/env bash
# Installs wf into a temporary prefix, builds examples/host against the *installed* package
# (find_package(wf)), runs it, and checks what it prints.
set -euo pipefail
build_dir=$1
source_dir=$(cd "$2" && pwd)
build_dir=$(cd "$build_dir" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" > /dev/null
cmake -S "$source_dir/examples/host" -B "$work/host" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
cmake --build "$work/host" > /dev/null
cd "$work"
out=$(env -u WF_WORKER "$work/host/wf_host" "$source_dir/examples/host/kernels.wf")
echo "$out"
expect() {
  grep -qF -- "$1" <<< "$out" || { echo "FAIL: output lacks: $1"; exit 1; }
}
expect "hits 156769"
expect "squares 1 4 9"
expect "squares 16 25 36"
expect "task error: negative input -4.0"
expect "  at checked_sqrt ("
expect "  in task checked_sqrt(-4.0) on worker"
expect "type error: argument 1 of \`square\`: expected a float (\`f\`), got \`s\`"
expect "shifted 2 4"
expect "be=2 not=1 or=1 to=2 "
expect "type error: argument 1 of \`shift\`: \`Point\` has no field \`z\` (\`<Point|x:f|y:f>\`), got \`<Point|x:f|z:f>\`"
expect "unknown function: cube"
echo "PASS installed package"
