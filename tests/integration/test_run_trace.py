#!/usr/bin/python3
"""`wfc run --trace FILE --stats` (issue 17) on a real pool: a map, a task that waits for
another one, an mpi(ranks=2) task and a failing task.

The trace must be valid JSON in Chrome's trace-event format: every batch is one complete
("X") slice per rank it ran on (the MPI task: one on each of two workers, with one task id),
slices on one worker's track do not overlap, the failing task's slice says ok=false, arrows
(flow events "s"/"f") go from the slow task to the MPI task that waited for it and to a task
that took its result when it was already done, and the driver's instants name the pool's
start. The --stats table on standard error must agree with
the trace: per function, the tasks counted and the failures.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import Harness, check, launcher_args  # noqa: E402

h = Harness(__doc__)

APP = """
mpi(ranks=2) fn total(n: int) -> int {
    return allreduce_sum(n + rank());
}

fn square(x: int) -> int {
    return x * x;
}

fn slow_square(x: int) -> int {
    sleep(0.2);  // so that `total` is submitted before it is done, and waits for it
    return x * x;
}

fn bad(x: int) -> int {
    if x == 3 {
        fail("three is bad");
    }
    return x;
}

flow main() {
    let xs = map(square, range(0, 20));
    let a = submit(slow_square, 5);
    let b = submit(total, a);
    print(sum(xs), a.result(), b.result());
    let d = submit(square, a);  // a is done by now: d takes its value at once
    print(d.result());
    let c = submit(bad, 3);
    try {
        print(c.result());
    } catch e {
        print("caught", e);
    }
}
"""


def case_trace():
    wf = h.write("trace/app.wf", APP)
    out = h.path("trace/run.json")
    run = h.start("trace", wf, launcher_args("mpirun", 2, oversubscribe=True) + ["--trace", out, "--stats"])
    check(run.wait(120) == 0, "the traced run failed", run)
    check("2470 25 51\n625\n" in run.stdout() and "caught three is bad" in run.stdout(), "output %r" % run.stdout(), run)
    with open(out) as f:
        trace = json.load(f)
    events = trace["traceEvents"]
    slices = [e for e in events if e.get("ph") == "X"]
    by_fn = {}
    for s in slices:
        for k in ("name", "ts", "dur", "pid", "tid", "args"):
            check(k in s, "a slice without %r: %s" % (k, s))
        by_fn.setdefault(s["name"], []).append(s)
    check(sum(s["args"]["items"] for s in by_fn.get("square", [])) == 21,
          "square: %d items in the trace, 21 ran" % sum(s["args"]["items"] for s in by_fn.get("square", [])))
    total = by_fn.get("total", [])
    check(len(total) == 2, "the mpi(ranks=2) task has %d slices, not one per rank" % len(total))
    check(total[0]["args"]["task"] == total[1]["args"]["task"] and total[0]["tid"] != total[1]["tid"],
          "the MPI task's slices are not one task on two workers: %s" % total)
    bad = by_fn.get("bad", [])
    check(len(bad) == 1 and bad[0]["args"]["ok"] is False, "the failing task's slice: %s" % bad)
    check(any(s["args"].get("call") == "slow_square(5)" for s in by_fn.get("slow_square", [])),
          "no slice names the call slow_square(5)")
    # The arrows: from slow_square's task to the MPI task that waited for its result, and to
    # the square task that took it when it was already there.
    starts = {e["id"]: e for e in events if e.get("ph") == "s"}
    ends = [e for e in events if e.get("ph") == "f"]
    slow = by_fn["slow_square"][0]["args"]["task"]
    d_task = [s["args"]["task"] for s in by_fn["square"] if s["args"].get("call") == "square(25)"]
    check(len(d_task) == 1, "no slice of square(25)")
    arrows = sorted((e["args"]["from"], e["args"]["to"]) for e in ends)
    check(arrows == sorted([(slow, total[0]["args"]["task"]), (slow, d_task[0])]), "arrows %s" % arrows)
    for e in ends:
        check(e["id"] in starts and e["ts"] >= starts[e["id"]]["ts"], "an arrow goes back in time: %s" % e)
    tracks = {}
    for s in slices:
        tracks.setdefault((s["pid"], s["tid"]), []).append(s)
    for key, track in tracks.items():
        track.sort(key=lambda s: s["ts"])
        for prev, nxt in zip(track, track[1:]):
            check(nxt["ts"] >= prev["ts"] + prev["dur"] - 50, "slices overlap on track %s: %s, %s" % (key, prev, nxt))
    names = {e["name"] for e in events if e.get("ph") == "i"}
    check("pool start" in names, "no pool start instant: %s" % names)
    check(any(e.get("name") == "thread_name" for e in events), "no track names")

    stats = run.stderr()
    rows = {}
    for line in stats.splitlines():
        m = re.match(r"\s+(\w+)\s+(\d+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+(\d+)$", line)
        if m:
            rows[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    check(rows.get("square") == (21, 0), "stats for square: %s" % (rows.get("square"),), run)
    check(rows.get("slow_square") == (1, 0), "stats for slow_square: %s" % (rows.get("slow_square"),), run)
    check(rows.get("total") == (1, 0), "stats for total (one MPI task): %s" % (rows.get("total"),), run)
    check(rows.get("bad") == (1, 1), "stats for bad: %s" % (rows.get("bad"),), run)
    check(re.search(r"pool 0: 2 workers, busy [\d.]+ %", stats), "no pool line in the stats", run)


def case_graph():
    """--graph: the same DAG as DOT and as SVG (Graphviz): one node per task, the map folded
    into one node with its count, the failing task marked, one edge for the wait."""
    wf = h.write("graph/app.wf", APP)
    dot = h.path("graph/dag.dot")
    svg = h.path("graph/dag.svg")
    for path in (dot, svg):
        run = h.start("graph-" + os.path.basename(path), wf, launcher_args("mpirun", 2, oversubscribe=True) + ["--graph", path])
        check(run.wait(120) == 0, "the run with --graph %s failed" % path, run)
    text = open(dot).read()
    nodes = re.findall(r"^  (\w+) \[label=\"([^\"]*)\"", text, re.M)
    edges = re.findall(r"^  (\w+) -> (\w+);", text, re.M)
    labels = sorted(l for _, l in nodes)
    check(labels == sorted(["square ×20", "slow_square(5)", "total(25)", "square(25)", "bad(3)"]), "graph nodes: %s" % labels)
    by_label = {l: n for n, l in nodes}
    want = sorted([(by_label["slow_square(5)"], by_label["total(25)"]), (by_label["slow_square(5)"], by_label["square(25)"])])
    check(sorted(edges) == want, "graph edges: %s" % edges)
    check(re.search(r'label="bad\(3\)", fillcolor="#fde2e1"', text), "the failed task is not marked")
    import xml.etree.ElementTree as ET
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    check(root.tag == ns + "svg", "not an SVG document: %s" % root.tag)
    groups = [g for g in root.iter(ns + "g") if g.get("class") == "node"]
    check(len(groups) == 5, "the SVG has %d nodes, not 5" % len(groups))


def case_unwritable():
    wf = h.write("unwritable/app.wf", "fn one() -> int { return 1; }\nflow main() { print(submit(one).result()); }\n")
    run = h.start("unwritable", wf, launcher_args("local", 1) + ["--trace", "/nonexistent-dir/x.json"])
    check(run.wait(60) == 1, "a trace that cannot be written is not an error", run)
    check("cannot write the trace" in run.stderr(), "no message about the trace file", run)


h.case("run_trace[trace+stats]", case_trace, needs_mpi=True)
h.case("run_trace[graph]", case_graph, needs_mpi=True)
h.case("run_trace[unwritable]", case_unwritable)
h.finish()
