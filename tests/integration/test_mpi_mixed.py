#!/usr/bin/python3
"""Serial and MPI tasks in one pool at the same time (LANGUAGE.md §5; mpirun only).

One flow submits, interleaved, 40 tasks of a serial fn and 8 tasks of an `mpi(ranks=2)` fn
(3 ranks, oversubscribed, so both kinds compete for ranks), then waits for all of them; then a
map of each kind and a map of the MPI fn through a pool of its own. Every result must be right,
the exit status 0, and no worker may die. Each task also notes which worker process ran it;
the test checks that the serial tasks and the MPI tasks were not confined to separate workers.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import Harness, check  # noqa: E402

h = Harness(__doc__)

WF = """
fn square(x: int) -> int {
    let r = shell("echo s $PPID >> MARK");
    sleep(0.01);
    return x * x;
}

mpi(ranks=2) fn rank_sum(n: int) -> int {
    let r = shell("echo m $PPID >> MARK");
    var local = 0;
    for i in rank()..n step size() {
        local += i;
    }
    sleep(0.05);
    return allreduce_sum(local);
}

flow main() {
    var serial: [future[int]] = [];
    var parallel: [future[int]] = [];
    for i in 0..40 {
        push(serial, submit(square, i));
        if i % 5 == 0 {
            push(parallel, submit(rank_sum, 10 * i + 3));
        }
    }
    print(wait(serial));
    print(wait(parallel));
    print(map(square, [3, 4]), map(rank_sum, [4, 5, 6]));
    let p = pool(workers=2);
    print(p.map(rank_sum, [100, 7]));
}
"""


def case():
    name = "mixed"
    d = h.fresh_dir(name)
    mark = os.path.join(d, "who")
    wf = h.write(name + "/app.wf", WF.replace("MARK", mark))
    run = h.start(name, wf, ["--workers", "3", "--oversubscribe", "--launcher", "mpirun"], cwd=d)
    rc = run.wait(40)
    check(rc is not None, "wfc did not end within 40 s", run)
    tri = lambda n: n * (n - 1) // 2  # noqa: E731
    expected = [
        str([i * i for i in range(40)]),
        str([tri(10 * i + 3) for i in range(0, 40, 5)]),
        "[9, 16] %s" % [tri(4), tri(5), tri(6)],
        str([tri(100), tri(7)]),
    ]
    out = run.stdout().splitlines()
    check(rc == 0, "exit status %s, expected 0" % rc, run)
    check(out == expected, "wrong output:\n  got      %s\n  expected %s" % (out, expected), run)
    check(" died" not in run.stderr(), "a worker died", run)
    with open(mark) as f:
        who = [l.split() for l in f.read().splitlines()]
    s_pids = {int(p) for k, p in who if k == "s"}
    m_pids = {int(p) for k, p in who if k == "m"}
    check(len([1 for k, _ in who if k == "s"]) == 42, "expected 42 serial task runs, saw %d" %
          len([1 for k, _ in who if k == "s"]), run)
    check(len([1 for k, _ in who if k == "m"]) == 2 * (8 + 3 + 2), "expected 26 MPI rank runs", run)
    check(s_pids & m_pids, "no worker ran both serial and MPI tasks (serial %s, MPI %s)" % (s_pids, m_pids), run)


h.case("mpi_mixed[mpirun]", case, needs_mpi=True)
h.finish()
