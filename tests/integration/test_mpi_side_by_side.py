#!/usr/bin/python3
"""MPI tasks side by side on disjoint ranks (RUNTIME.md "Pools, launchers, tasks"; mpirun only).

A pool of 4 ranks (--workers 4 --oversubscribe) gets 4 tasks of an `mpi(ranks=2)` fn at once.
Each rank of a task notes its MPI world rank (OMPI_COMM_WORLD_RANK, set by mpirun for that
process) and now() before and after sleep(1.0); rank 0 gathers them and returns them. now()
is the host's monotonic clock, so intervals from different processes compare. Checks:
  - every task ran on 2 distinct world ranks of the pool (0..3);
  - any two tasks whose intervals overlap ran on disjoint rank sets (no rank double-booked);
  - at least two tasks really ran at the same time (the part where all their ranks were inside
    the task overlaps) — on disjoint ranks, by the previous check.
"""
import ast
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import Harness, check  # noqa: E402

h = Harness(__doc__)

WF = """
mpi(ranks=2) fn probe(i: int) -> (int, [int], [float], [float]) {
    let me = parse_int(getenv("OMPI_COMM_WORLD_RANK"));
    let t0 = now();
    sleep(1.0);
    let t1 = now();
    let ranks = gather(me, 0);
    let starts = gather(t0, 0);
    let ends = gather(t1, 0);
    return (i, ranks, starts, ends);
}

flow main() {
    let fs = [submit(probe, 0), submit(probe, 1), submit(probe, 2), submit(probe, 3)];
    for f in fs {
        print(f.result());
    }
}
"""


def case():
    name = "side-by-side"
    d = h.fresh_dir(name)
    wf = h.write(name + "/app.wf", WF)
    run = h.start(name, wf, ["--workers", "4", "--oversubscribe", "--launcher", "mpirun"], cwd=d)
    rc = run.wait(40)
    check(rc is not None, "wfc did not end within 40 s", run)
    check(rc == 0, "exit status %s, expected 0" % rc, run)
    lines = run.stdout().splitlines()
    check(len(lines) == 4, "expected 4 result lines, got %d" % len(lines), run)
    tasks = []
    for n, line in enumerate(lines):
        try:
            i, ranks, starts, ends = ast.literal_eval(line)
        except (ValueError, SyntaxError):
            raise AssertionError("cannot read result line %r" % line)
        check(i == n, "results out of order: line %d is task %d" % (n, i), run)
        check(len(ranks) == 2 and len(set(ranks)) == 2 and all(0 <= r < 4 for r in ranks),
              "task %d ran on world ranks %s: expected 2 distinct ranks of 0..3" % (i, ranks), run)
        check(len(starts) == 2 and len(ends) == 2 and all(s < e for s, e in zip(starts, ends)),
              "task %d: bad times %s %s" % (i, starts, ends), run)
        # union: from the first rank in to the last rank out; core: while every rank was inside
        tasks.append({"i": i, "ranks": set(ranks), "union": (min(starts), max(ends)),
                      "core": (max(starts), min(ends))})

    def overlap(a, b):
        return a[0] < b[1] and b[0] < a[1]

    concurrent = []
    for a in range(4):
        for b in range(a + 1, 4):
            ta, tb = tasks[a], tasks[b]
            if overlap(ta["union"], tb["union"]):
                check(not (ta["ranks"] & tb["ranks"]),
                      "tasks %d and %d overlapped in time on shared world ranks %s (%s vs %s)"
                      % (a, b, ta["ranks"] & tb["ranks"], ta, tb), run)
            if overlap(ta["core"], tb["core"]):
                concurrent.append((a, b))
    check(concurrent, "no two tasks ran at the same time: %s" % tasks, run)
    print("  concurrent pairs (disjoint ranks): %s" %
          ", ".join("%d%s+%d%s" % (a, sorted(tasks[a]["ranks"]), b, sorted(tasks[b]["ranks"])) for a, b in concurrent))


h.case("mpi_side_by_side[mpirun]", case, needs_mpi=True)
h.finish()
