#!/usr/bin/python3
"""One rank of an MPI task dies (abort(), SIGABRT): only that task fails (RUNTIME.md "Failures"; mpirun only).

An `mpi(ranks=2)` task whose rank 1 calls abort() (extern, libc) while rank 0 waits in
allreduce_sum. Each rank writes "<rank> <pid>" first, so the test knows which worker process
was rank 1 (worker number from the `worker N up` debug line with that pid). Checks:
  - error() of that future mentions the signal: "worker N died: signal 6 (Aborted)" with the N
    of rank 1's process, and that process is gone;
  - tasks submitted afterwards, serial (map) and MPI (map), all succeed; exit status 0;
  - no Open MPI shared-memory file of the run (`vader_segment.*`) is left in /dev/shm after it:
    not the aborted rank's, not its partner's (SIGKILLed by the driver).
Cases:
  immediate[w4] / immediate[w2] - the flow submits the later tasks right after error() returns
          (what a user writes), on a pool of 4 (oversubscribed) or 2 ranks;
  settled[w4] / settled[w2] - the flow waits (for a file the test creates) until the driver has logged the
          death of both ranks of the failed task and their pids are gone, then submits: this
          separates "the pool recovers" from "the pool places tasks on ranks it is killing".
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import Harness, Proc, check, wait_gone  # noqa: E402

h = Harness(__doc__)

WF = """
extern fn abort() from "libc.so.6";

mpi(ranks=2) fn die(x: int) -> int {
    let r = shell("echo " + str(rank()) + " $PPID >> MARK");
    if rank() == 1 {
        sleep(0.3);                 // rank 0 is in allreduce_sum by then
        abort();
    }
    return allreduce_sum(x);
}

fn square(x: int) -> int {
    return x * x;
}

mpi(ranks=2) fn fine(n: int) -> int {
    return allreduce_sum(n + rank());
}

flow main() {
    print("E", submit(die, 1).error());
    while not exists("GO") {
        sleep(0.02);
    }
    eprint("step: serial map");
    print(map(square, range(0, 10)));
    eprint("step: mpi map");
    print(map(fine, [1, 2, 3]));
    eprint("step: submit");
    print(submit(square, 12).result(), fine(100));
    eprint("step: done");
}
"""

EXPECTED_TAIL = ["[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", "[3, 5, 7]", "144 201"]


def case(workers, settled):
    name = "rank-kill-w%d-%s" % (workers, "settled" if settled else "immediate")
    d = h.fresh_dir(name)
    mark = os.path.join(d, "ranks")
    go = os.path.join(d, "go")
    if not settled:
        open(go, "w").close()
    wf = h.write(name + "/app.wf", WF.replace("MARK", mark).replace("GO", go))
    args = ["--workers", str(workers), "--launcher", "mpirun"] + (["--oversubscribe"] if workers > 2 else [])
    run = h.start(name, wf, args, cwd=d)

    def ranks_seen():
        try:
            with open(mark) as f:
                rows = [l.split() for l in f.read().splitlines()]
        except FileNotFoundError:
            return None
        got = {int(r): int(p) for r, p in rows if r in ("0", "1")}
        return got if len(got) == 2 else None

    ranks = run.wait_for(ranks_seen, 30, "both ranks of the task started")
    by_pid = {pid: w for w, (pid, _, _) in run.workers().items()}
    check(ranks[1] in by_pid and ranks[0] in by_pid, "rank pids %s not among the workers %s" % (ranks, by_pid), run)
    rank1_worker, rank0_worker = by_pid[ranks[1]], by_pid[ranks[0]]
    task_procs = [Proc(ranks[1], "rank 1 (worker %d)" % rank1_worker), Proc(ranks[0], "rank 0 (worker %d)" % rank0_worker)]
    if settled:
        run.wait_for(lambda: all("worker %d died" % w in run.stderr() for w in (rank0_worker, rank1_worker)), 30,
                     "the driver logging the death of workers %d and %d" % (rank1_worker, rank0_worker))
        check(not wait_gone(task_procs, 5), "processes of the failed task still alive: %s" % task_procs, run)
        open(go, "w").close()
    rc = run.wait(15)  # a passing run takes ~3 s
    check(rc is not None, "wfc did not end within 15 s (hang)", run)
    out = run.stdout().splitlines()
    err = run.stderr()
    want = "worker %d died: signal 6 (Aborted)" % rank1_worker
    check(out and out[0].startswith("E "), "no error() line: %s" % out, run)
    check("signal" in out[0], "the failed task's error does not mention a signal: %r" % out[0], run)
    check(want in out[0], "the failed task's error %r does not contain %r" % (out[0], want), run)
    check(not task_procs[0].alive(), "rank 1's process (pid %d) is still alive" % ranks[1], run)
    check(rc == 0, "exit status %s, expected 0 (later tasks must succeed)" % rc, run)
    check(out[1:] == EXPECTED_TAIL, "later tasks: got %s, expected %s" % (out[1:], EXPECTED_TAIL), run)
    check(run.shm, "no Open MPI shared-memory file seen in the workers' maps: the residue check sees nothing", run)
    left = run.shm_residue()
    check(not left, "Open MPI shared-memory files of the run left on the machine: %s" % left, run)


h.case("mpi_rank_kill_immediate[mpirun,w4]", lambda: case(4, False), needs_mpi=True)
h.case("mpi_rank_kill_immediate[mpirun,w2]", lambda: case(2, False), needs_mpi=True)
h.case("mpi_rank_kill_settled[mpirun,w4]", lambda: case(4, True), needs_mpi=True)
h.case("mpi_rank_kill_settled[mpirun,w2]", lambda: case(2, True), needs_mpi=True)
h.finish()
