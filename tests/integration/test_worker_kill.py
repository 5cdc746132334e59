#!/usr/bin/python3
"""A worker killed with SIGKILL mid-run fails only the batch it was running (RUNTIME.md "Failures").

Cases, for the local and the mpirun launcher:
  map   - a 1000-task map on 2 workers; kill -9 one worker (its pid from the WF_LOG=debug
          `worker N up` line, once it is seen running tasks); the run must end with status 1
          and stderr must say "worker N died: signal 9 (Killed)" for that N.
  submit - a submit loop read with error(): exactly one future fails (with that message), every
          other one has its value, and tasks submitted afterwards complete on the replacement
          worker (a new `worker 2 up` pid that actually runs tasks).
Both also check that no Open MPI shared-memory file of the run (`vader_segment.*`, as the
workers mapped them) is left in /dev/shm afterwards: the killed rank's must be removed too.
"""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import Harness, Proc, check, launcher_args, pids_in, wait_gone, worker_kill_program  # noqa: E402

h = Harness(__doc__)

MAP_WF = """
fn work(x: int) -> int {
    if x % 5 == 0 {
        let r = shell("echo $PPID >> MARK");    // the worker's pid: it is running tasks
    }
    sleep(0.002);
    return x * 2;
}

flow main() {
    let ys = map(work, range(0, 1000));
    print("sum", sum(ys));
}
"""


def kill_one_worker(run, mark, victim_worker):
    """Waits until `victim_worker` is up and running tasks, then SIGKILLs it; returns its Proc."""
    pid = run.wait_for(lambda: run.workers().get(victim_worker, (None,))[0], 30, "worker %d up" % victim_worker)
    run.wait_for(lambda: pid in pids_in(mark), 30, "worker %d (pid %d) running tasks" % (victim_worker, pid))
    victim = Proc(pid, "worker %d" % victim_worker)
    check(victim.alive(), "worker %d (pid %d) is not alive before the kill" % (victim_worker, pid), run)
    os.kill(pid, signal.SIGKILL)
    check(not wait_gone([victim], 5), "worker pid %d still alive 5 s after SIGKILL" % pid, run)
    return victim


def case_map(launcher):
    d = h.fresh_dir("map-" + launcher)
    mark = os.path.join(d, "pids")
    wf = h.write("map-%s/app.wf" % launcher, MAP_WF.replace("MARK", mark))
    run = h.start("map-" + launcher, wf, launcher_args(launcher, 2), cwd=d)
    victim_worker = 1
    kill_one_worker(run, mark, victim_worker)
    rc = run.wait(30)
    check(rc is not None, "wfc did not end within 30 s of the kill (hang)", run)
    err = run.stderr()
    want = "worker %d died: signal 9 (Killed)" % victim_worker
    check(rc == 1, "exit status %s, expected 1" % rc, run)
    check(want in err, "stderr does not contain %r" % want, run)
    check("sum" not in run.stdout(), "the map returned although one of its tasks was lost", run)
    other = 1 - victim_worker
    check("worker %d died" % other not in err.split("error:")[-1],
          "the error names worker %d, which was not killed" % other, run)
    left = wait_gone(run.snapshot(), 3)
    check(not left, "processes of the run still alive after it ended: %s" % left, run)

    if launcher == "mpirun":
        check(run.shm, "no Open MPI shared-memory file seen in the workers' maps: the residue check sees nothing", run)
    left = run.shm_residue()
    check(not left, "Open MPI shared-memory files of the run left on the machine: %s" % left, run)


def case_submit(launcher):
    d = h.fresh_dir("submit-" + launcher)
    mark = os.path.join(d, "pids")
    wf = h.write("submit-%s/app.wf" % launcher, worker_kill_program(mark))
    run = h.start("submit-" + launcher, wf, launcher_args(launcher, 2), cwd=d)
    victim_worker = 1
    victim = kill_one_worker(run, mark, victim_worker)
    rc = run.wait(30)
    check(rc is not None, "wfc did not end within 30 s of the kill (hang)", run)
    check(rc == 0, "exit status %s, expected 0 (the flow reads errors with error())" % rc, run)
    out = run.stdout().splitlines()
    errs = [l for l in out if l.startswith("ERR ")]
    want = "worker %d died: signal 9 (Killed)" % victim_worker
    check(len(errs) == 1, "expected exactly one failed future, got %d: %s" % (len(errs), errs), run)
    check(want in errs[0], "the failed future's error %r does not contain %r" % (errs[0], want), run)
    check("failed 1 wrong 0" in out, "expected 'failed 1 wrong 0' (all other futures have their values)", run)
    check("after [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40]" in out,
          "tasks submitted after the death did not complete correctly", run)
    workers = run.workers()
    check(2 in workers, "no replacement worker (worker 2 up) in the debug log", run)
    new_pid = workers[2][0]
    check(new_pid != victim.pid, "the replacement has the dead worker's pid", run)
    after_pids = {int(l.split()[1]) for l in out if l.startswith("PID ")}
    check(victim.pid not in after_pids, "the killed worker's pid %d ran tasks after its death" % victim.pid, run)
    check(new_pid in after_pids, "the replacement worker (pid %d) ran none of the later tasks (pids seen: %s)"
          % (new_pid, sorted(after_pids)), run)
    left = wait_gone(run.snapshot(), 3)
    check(not left, "processes of the run still alive after it ended: %s" % left, run)

    if launcher == "mpirun":
        check(run.shm, "no Open MPI shared-memory file seen in the workers' maps: the residue check sees nothing", run)
    left = run.shm_residue()
    check(not left, "Open MPI shared-memory files of the run left on the machine: %s" % left, run)


for launcher in ("local", "mpirun"):
    h.case("worker_kill_map[%s]" % launcher, lambda: case_map(launcher), needs_mpi=launcher == "mpirun")
    h.case("worker_kill_submit[%s]" % launcher, lambda: case_submit(launcher), needs_mpi=launcher == "mpirun")
h.finish()
