#!/usr/bin/python3
"""The driver dies: workers notice and exit (RUNTIME.md "Failures": within 5 seconds).

For the local and the mpirun launcher: a run whose tasks sleep 30 s; once both workers are
seen running a task, wfc gets SIGKILL (so it can clean nothing up). Within 5 s every worker
pid of the debug log, the mpirun pid and every other process that was below wfc must be gone
(a zombie counts as gone), and no Open MPI shared-memory file of the run (`vader_segment.*`)
may be left in /dev/shm.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import Harness, check, launcher_args, pids_in, wait_gone  # noqa: E402

h = Harness(__doc__)

WF = """
fn nap(x: int) -> int {
    let r = shell("echo $PPID >> MARK");     // the worker's pid: this task is running
    sleep(30.0);
    return x;
}

flow main() {
    print(map(nap, [1, 2, 3, 4]));
}
"""


def case(launcher):
    name = "driver-kill-" + launcher
    d = h.fresh_dir(name)
    tmp = h.fresh_dir(name + "-tmp")  # the killed driver cannot remove its run directory
    mark = os.path.join(d, "pids")
    wf = h.write(name + "/app.wf", WF.replace("MARK", mark))
    run = h.start(name, wf, launcher_args(launcher, 2), env=h.env(TMPDIR=tmp), cwd=d)
    run.wait_for(lambda: len(run.workers()) >= 2, 30, "two workers up")
    pids = [pid for pid, _, _ in run.workers().values()]
    run.wait_for(lambda: all(p in pids_in(mark) for p in pids), 30, "both workers running a task")
    procs = [p for p in run.snapshot() if p.pid != run.pid]
    check(len(procs) >= 2, "expected at least two worker processes, saw %s" % procs, run)
    os.kill(run.pid, signal.SIGKILL)
    t_kill = time.monotonic()
    rc = run.wait(5)
    check(rc == -signal.SIGKILL, "wfc did not die of SIGKILL (status %s)" % rc, run)
    left = wait_gone(procs, 5.0 - (time.monotonic() - t_kill))
    check(not left, "still alive 5 s after the driver was killed: %s" % left, run)
    if launcher == "mpirun":
        check(run.shm, "no Open MPI shared-memory file seen in the workers' maps: the residue check sees nothing", run)
    left = run.shm_residue()
    check(not left, "Open MPI shared-memory files of the run left on the machine: %s" % left, run)


for launcher in ("local", "mpirun"):
    h.case("driver_kill[%s]" % launcher, lambda: case(launcher), needs_mpi=launcher == "mpirun")
h.finish()
