#!/usr/bin/env bash
# For a person to look at, not a test (issue 17): runs an example workflow with --graph and
# --trace, renders the SVG graph to a PNG with headless Chromium, and says where the files are.
#
#   bash scripts/look-at-a-run.sh [EXAMPLE.wf] [OUT_DIR]       (default: examples/dataflow.wf, /tmp/wf-look)
#
# Open OUT_DIR/dag.png (or dag.svg) to see the task graph, and load OUT_DIR/trace.json into
# https://ui.perfetto.dev or chrome://tracing for the timeline. Needs Debian's chromium
# (installed here if missing) and graphviz (scripts/setup.sh installs it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
example="${1:-$here/examples/dataflow.wf}"
out="${2:-/tmp/wf-look}"
wfc="${WFC:-$here/build/wfc}"
mkdir -p "$out"
if ! command -v chromium >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends chromium
fi
"$wfc" run "$example" --workers 2 --launcher local --graph "$out/dag.svg" --trace "$out/trace.json" --stats
# The SVG's own size, so the screenshot holds the whole picture.
size="$(sed -n 's/.*<svg width="\([0-9]*\)pt" height="\([0-9]*\)pt".*/\1,\2/p' "$out/dag.svg" | head -n 1)"
w="${size%,*}"; h="${size#*,}"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size="$(( ${w:-800} * 4 / 3 + 20 )),$(( ${h:-600} * 4 / 3 + 20 ))" \
  --screenshot="$out/dag.png" "file://$out/dag.svg" 2>/dev/null
echo "graph: $out/dag.svg and $out/dag.png; timeline: $out/trace.json (ui.perfetto.dev)"
