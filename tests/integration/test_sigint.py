#!/usr/bin/python3
"""Ctrl-C on `wfc run` (RUNTIME.md "Failures", LANGUAGE.md §10).

For the local and the mpirun launcher: a run whose tasks sleep 30 s; once both workers are
seen running a task, SIGINT goes to wfc. Expected: exit status 130 within a few seconds, and
no process of the run left behind: every worker pid of the debug log, every launcher (mpirun)
pid and every other descendant of wfc seen before the signal must be gone (a zombie counts as
gone). wfc says so on stderr ("wfc: interrupted; ending the workers"). The run's private
socket directory (under TMPDIR) must be removed too.
"""
import os
import signal
import sys

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
    print("started");
    print(map(nap, [1, 2, 3, 4]));
    print("not reached");
}
"""


def start_sleeping_run(name, launcher):
    d = h.fresh_dir(name)
    tmp = h.fresh_dir(name + "-tmp")
    mark = os.path.join(d, "pids")
    wf = h.write(name + "/app.wf", WF.replace("MARK", mark))
    run = h.start(name, wf, launcher_args(launcher, 2), env=h.env(TMPDIR=tmp), cwd=d)
    # Both workers up and each running a task (its pid written by the task itself).
    run.wait_for(lambda: len(run.workers()) >= 2, 30, "two workers up")
    pids = [pid for pid, _, _ in run.workers().values()]
    run.wait_for(lambda: all(p in pids_in(mark) for p in pids), 30, "both workers running a task")
    procs = run.snapshot()
    check(len(procs) >= 3, "expected wfc plus at least two workers, saw %s" % procs, run)
    if launcher == "mpirun":
        check(any("launcher (mpirun)" in p.what for p in procs), "no mpirun pid in the debug log", run)
    return run, procs, tmp


def case(launcher):
    name = "sigint-" + launcher
    run, procs, tmp = start_sleeping_run(name, launcher)
    os.kill(run.pid, signal.SIGINT)
    rc = run.wait(10)
    check(rc is not None, "wfc still running 10 s after SIGINT", run)
    check(rc == 130, "exit status %s after SIGINT, expected 130" % rc, run)
    check("wfc: interrupted" in run.stderr(), "no `wfc: interrupted` on stderr after SIGINT", run)
    check("not reached" not in run.stdout(), "the flow went on after SIGINT", run)
    # SIGKILLed processes may take a moment to be torn down by the kernel.
    left = wait_gone([p for p in procs if p.pid != run.pid], 2)
    check(not left, "processes of the run left behind after SIGINT: %s" % left, run)
    left_dirs = os.listdir(tmp)
    check(not [n for n in left_dirs if n.startswith("wf-")], "the run's directory is left in TMPDIR: %s" % left_dirs, run)
    if left_dirs:  # e.g. Open MPI's session directory: mpirun was killed, not asked to end
        print("  note: left in TMPDIR after SIGINT: %s" % left_dirs)


for launcher in ("local", "mpirun"):
    h.case("sigint[%s]" % launcher, lambda: case(launcher), needs_mpi=launcher == "mpirun")
h.finish()
