#!/usr/bin/python3
"""An error on one rank of an MPI task while another rank waits for it (LANGUAGE.md §9; mpirun only).

`mpi(ranks=2)` fns where rank 1 calls fail("boom") while rank 0 is blocked, once in
allreduce_sum and once in recv_int (waiting for a message rank 1 never sends). Checks:
  - error() of each such future contains "boom" (the failing rank's own message, not the
    "stopped because rank 1 failed" of the waiting rank);
  - afterwards the same pool runs MPI tasks (and a serial map) successfully: no hang, and no
    worker process died or was replaced (same worker pids throughout);
  - result() of a failing task ends the run: status 1, stderr has "error: boom" and names
    "rank 1" in its task line.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import Harness, check  # noqa: E402

h = Harness(__doc__)

WF = """
mpi(ranks=2) fn boom_allreduce(x: int) -> int {
    if rank() == 1 {
        sleep(0.3);                  // rank 0 is in allreduce_sum by then
        fail("boom");
    }
    return allreduce_sum(x);
}

mpi(ranks=2) fn boom_recv(x: int) -> int {
    if rank() == 1 {
        sleep(0.3);                  // rank 0 is in recv_int by then
        fail("boom");
    }
    return recv_int(1, 5);
}

mpi(ranks=2) fn fine(n: int) -> int {
    return allreduce_sum(n + rank());
}

fn twice(x: int) -> int {
    return 2 * x;
}

flow main() {
    let e1 = submit(boom_allreduce, 1).error();
    print("E1", e1);
    print("F1", fine(10));
    let e2 = submit(boom_recv, 1).error();
    print("E2", e2);
    print("F2", fine(20), map(fine, [1, 2, 3]), map(twice, [1, 2, 3]));
    print(boom_allreduce(2));
    print("not reached");
}
"""


def case():
    name = "rank-error"
    d = h.fresh_dir(name)
    wf = h.write(name + "/app.wf", WF)
    run = h.start(name, wf, ["--workers", "2", "--launcher", "mpirun"], cwd=d)
    rc = run.wait(40)
    check(rc is not None, "wfc did not end within 40 s (hang)", run)
    out = run.stdout().splitlines()
    err = run.stderr()
    e1 = [l for l in out if l.startswith("E1 ")]
    e2 = [l for l in out if l.startswith("E2 ")]
    check(e1 and "boom" in e1[0], "error() of the allreduce task lacks 'boom': %s" % e1, run)
    check(e2 and "boom" in e2[0], "error() of the recv_int task lacks 'boom': %s" % e2, run)
    for e in e1 + e2:
        check("stopped because rank" not in e, "the waiting rank's abort was reported instead of the cause: %r" % e, run)
    check("F1 21" in out, "the MPI task after the first failure did not give 21", run)
    check("F2 41 [3, 5, 7] [2, 4, 6]" in out, "the tasks after the second failure did not complete correctly", run)
    check("not reached" not in out, "result() of a failing task did not raise", run)
    check(rc == 1, "exit status %s, expected 1" % rc, run)
    check("error: boom" in err, "stderr lacks 'error: boom'", run)
    task_lines = [l for l in err.splitlines() if l.strip().startswith("in task boom_allreduce")]
    check(task_lines and "rank 1" in task_lines[0], "the task line does not name rank 1: %s" % task_lines, run)
    check(" died" not in err, "a worker died", run)
    ups = [l for l in err.splitlines() if " up (pid " in l]
    check(len(ups) == 2, "workers were replaced (expected exactly 2 'worker N up' lines): %s" % ups, run)


h.case("mpi_rank_error[mpirun]", case, needs_mpi=True)
h.finish()
