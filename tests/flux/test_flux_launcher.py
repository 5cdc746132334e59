#!/usr/bin/python3
"""The `flux` launcher against a real flux-core: a private Flux instance on this machine.

    tests/flux/test_flux_launcher.py --wfc build/wfc [--keep] [--only CASE]

Outside an instance the script finds `flux` (on the PATH, else /opt/flux-core/bin, where
scripts/setup-flux.sh installs it) and reruns itself inside `flux start --test-size=2` (two
brokers on this host: 2 nodes x the host's cores), as tests/slurm starts its private cluster.
Without flux it reports itself skipped (exit 77) with the reason. Inside, every case runs the
built wfc with `--launcher flux` (or none: FLUX_URI set makes flux the default) and checks what
a user would see, plus Flux's own view of the jobs (`flux jobs -a`):

  outside          - `--launcher flux` without a Flux instance: a plain error, exit 1
  conformance      - tests/conformance (serial programs and mpi_basic.wf) through flux
  mpi              - mpi(ranks=2) tasks on one Flux job: both ranks see the same FLUX_JOB_ID,
                     the job id the driver logged for the world; default launcher is flux
  worker_kill      - SIGKILL of one worker mid-run: exactly one future fails with "worker 1
                     died: signal 9 (Killed)", every other has its value, a replacement (a
                     new Flux job) runs later tasks, and no job is left running at the end
  sigint           - Ctrl-C during a map: exit 130, every job of the run inactive, no process
                     of the run left
  driver_kill      - SIGKILL of wfc itself: no job of the run is still running 5 s later
"""
import os
import shutil
import signal
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "integration"))
from wfharness import SKIP, Harness, Proc, check, pids_in, wait_gone, worker_kill_program  # noqa: E402


def find_flux():
    flux = shutil.which("flux")
    if flux:
        return flux
    for prefix in ("/opt/flux-core",):
        p = os.path.join(prefix, "bin", "flux")
        if os.access(p, os.X_OK):
            return p
    return None


# ---- outside the instance: start one and rerun inside ------------------------------------------

if not os.environ.get("FLUX_URI"):
    flux = find_flux()
    if not flux:
        print("SKIP flux_launcher: flux-core is not installed (no `flux` on the PATH or in /opt/flux-core/bin; "
              "CI's scripts/setup-flux.sh builds it from the flux-core source tarball)")
        sys.exit(SKIP)
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(flux) + ":" + env.get("PATH", "")
    cmd = [flux, "start", "--test-size=2", sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    print("flux_launcher: %s" % " ".join(cmd), flush=True)
    try:
        rc = subprocess.call(cmd, env=env, timeout=280)
    except subprocess.TimeoutExpired:
        print("FAIL flux_launcher: the Flux instance did not end within 280 s")
        sys.exit(1)
    # flux start exits with the status of its initial program.
    sys.exit(rc)


# ---- inside: the cases ---------------------------------------------------------------------------

h = Harness(__doc__)
flux = shutil.which("flux")


def flux_jobs():
    """jobid -> state ("RUN", "INACTIVE", ...) of every job of the instance, from `flux jobs -a`."""
    out = subprocess.run([flux, "jobs", "-a", "-n", "-o", "{id.f58} {state}"], capture_output=True, text=True,
                         timeout=30).stdout
    return dict(line.split()[:2] for line in out.splitlines() if line.strip())


def jobs_of(run):
    """The Flux job ids the driver logged for its worlds (`flux: world of launcher pid N is job X`)."""
    ids = []
    for line in run.stderr().splitlines():
        if "flux: world of launcher pid" in line:
            ids.append(line.split()[-1])
    return ids


def wait_inactive(ids, timeout):
    """Polls `flux jobs -a` until every job of `ids` is inactive; returns those that are not."""
    deadline = time.monotonic() + timeout
    while True:
        states = flux_jobs()
        left = {i: states.get(i, "unknown") for i in ids if states.get(i) != "INACTIVE"}
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)


MPI_WF = """
fn square(x: int) -> int {
    return x * x;
}

mpi(ranks=2) fn job_of_rank() -> int {
    print("RANK", rank(), "JOB", getenv("FLUX_JOB_ID"), "TASK", getenv("FLUX_TASK_RANK"));
    return allreduce_sum(rank() + 1);
}

mpi(ranks=2) fn rank_sum(n: int) -> int {
    var local = 0;
    for i in rank()..n step size() {
        local += i;
    }
    return allreduce_sum(local);
}

flow main() {
    print(map(square, range(0, 6)));
    print(job_of_rank());
    print(map(rank_sum, [10, 20, 100]));
}
"""

SLOW_MAP_WF = """
fn slow(x: int) -> int {
    if x == 0 {
        write_file("STARTED", "yes");
    }
    sleep(1.0);
    return x;
}

flow main() {
    print(sum(map(slow, range(0, 200))));
}
"""


def case_outside():
    wf = h.write("outside/app.wf", "fn f(x: int) -> int {\n    return x;\n}\n\nflow main() {\n    print(submit(f, 1).result());\n}\n")
    env = h.env()
    for k in [k for k in env if k.startswith("FLUX_")]:
        del env[k]
    run = h.start("outside", wf, ["--launcher", "flux", "--workers", "1"], env=env)
    rc = run.wait(30)
    check(rc == 1, "exit status %s, expected 1" % rc, run)
    check("runs inside a Flux instance, and FLUX_URI is not set" in run.stderr(),
          "no plain error saying a Flux instance is needed", run)


def case_conformance():
    runner = os.path.join(here, "..", "run_wf_tests.py")
    conf = os.path.join(here, "..", "conformance")
    env = h.env(WF_LAUNCHER="flux")
    del env["WF_LOG"]  # the runner compares standard error too
    before = len(flux_jobs())
    p = subprocess.run([sys.executable, runner, "--wfc", h.wfc, conf], env=env, capture_output=True, text=True,
                       timeout=200)
    tail = "\n".join(p.stdout.splitlines()[-30:] + p.stderr.splitlines()[-10:])
    check(p.returncode == 0, "tests/conformance under --launcher flux: exit status %d\n%s" % (p.returncode, tail))
    jobs = len(flux_jobs()) - before
    check(jobs >= 10, "the conformance programs ran only %d Flux jobs: they did not run through flux" % jobs)
    left = {i: st for i, st in flux_jobs().items() if st != "INACTIVE"}
    check(not left, "Flux jobs still active after the conformance programs: %s" % left)
    print("  %s, in %d Flux jobs" % ((p.stdout.strip().splitlines() or ["(no output)"])[-1].strip(), jobs), flush=True)


def case_mpi():
    d = h.fresh_dir("mpi")
    wf = h.write("mpi/app.wf", MPI_WF)
    run = h.start("mpi", wf, ["--workers", "2"], cwd=d)  # no --launcher: FLUX_URI makes it flux
    rc = run.wait(90)
    check(rc == 0, "exit status %s, expected 0" % rc, run)
    out = run.stdout().splitlines()
    check(out[0] == "[0, 1, 4, 9, 16, 25]", "wrong serial map result", run)
    check("3" in out and "[45, 190, 4950]" in out, "wrong mpi(ranks=2) results", run)
    check("(flux, 2 ranks" in run.stderr(), "the default launcher under FLUX_URI was not flux", run)
    ranks = [l.split() for l in out if l.startswith("RANK ")]
    check(len(ranks) == 2, "expected a line from each of the 2 ranks, got %s" % ranks, run)
    jobs = {r[3] for r in ranks}
    check(len(jobs) == 1, "the ranks of one MPI task ran in different Flux jobs: %s" % jobs, run)
    check(sorted(r[5] for r in ranks) == ["0", "1"], "the ranks are not Flux tasks 0 and 1: %s" % ranks, run)
    logged = jobs_of(run)
    check(list(jobs)[0] in logged, "the ranks' job %s is not the job the driver launched (%s)" % (jobs, logged), run)
    left = wait_inactive(logged, 10)
    check(not left, "jobs not inactive after the run: %s" % left, run)


def case_worker_kill():
    d = h.fresh_dir("kill")
    mark = os.path.join(d, "pids")
    wf = h.write("kill/app.wf", worker_kill_program(mark))
    run = h.start("kill", wf, ["--launcher", "flux", "--workers", "2"], cwd=d)
    pid = run.wait_for(lambda: run.workers().get(1, (None,))[0], 60, "worker 1 up")
    run.wait_for(lambda: pid in pids_in(mark), 30, "worker 1 (pid %d) running tasks" % pid)
    victim = Proc(pid, "worker 1")
    os.kill(pid, signal.SIGKILL)
    check(not wait_gone([victim], 5), "worker pid %d still alive 5 s after SIGKILL" % pid, run)
    rc = run.wait(90)
    check(rc is not None, "wfc did not end within 90 s of the kill (hang)", run)
    check(rc == 0, "exit status %s, expected 0" % rc, run)
    out = run.stdout().splitlines()
    errs = [l for l in out if l.startswith("ERR ")]
    check(len(errs) == 1, "expected exactly one failed future, got %d: %s" % (len(errs), errs), run)
    check("worker 1 died: signal 9 (Killed)" in errs[0], "the failed future says %r" % errs[0], run)
    check("failed 1 wrong 0" in out, "expected 'failed 1 wrong 0'", run)
    check("after [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40]" in out,
          "tasks submitted after the death did not complete correctly", run)
    workers = run.workers()
    check(2 in workers, "no replacement worker (worker 2 up) in the debug log", run)
    after = {int(l.split()[1]) for l in out if l.startswith("PID ")}
    check(workers[2][0] in after, "the replacement (pid %d) ran none of the later tasks (%s)" % (workers[2][0], after), run)
    check(victim.pid not in after, "the killed worker ran tasks after its death", run)
    logged = jobs_of(run)
    check(len(logged) == 2, "expected 2 Flux jobs (the pool, the replacement), the log shows %s" % logged, run)
    left = wait_inactive(logged, 10)
    check(not left, "jobs not inactive after the run: %s" % left, run)
    left = wait_gone(run.snapshot(), 5)
    check(not left, "processes of the run still alive after it ended: %s" % left, run)


def start_slow_map(name):
    """A run of SLOW_MAP_WF on a 2-worker flux pool, once its first task runs and its job id is known."""
    d = h.fresh_dir(name)
    wf = h.write(name + "/app.wf", SLOW_MAP_WF)
    run = h.start(name, wf, ["--launcher", "flux", "--workers", "2"], cwd=d)
    run.wait_for(lambda: os.path.exists(os.path.join(d, "STARTED")), 60, "the map's first task running")
    run.wait_for(lambda: len(jobs_of(run)) >= 1, 10, "the job id in the debug log")
    return run


def case_sigint():
    run = start_slow_map("sigint")
    procs = run.snapshot()
    check(len(run.workers()) == 2, "expected 2 workers up", run)
    os.kill(run.pid, signal.SIGINT)
    rc = run.wait(15)
    check(rc == 130, "exit status %s after Ctrl-C, expected 130" % rc, run)
    check("wfc: interrupted; ending the workers" in run.stderr(), "no interruption message", run)
    left = wait_inactive(jobs_of(run), 5)
    check(not left, "Flux jobs still active after Ctrl-C: %s" % left, run)
    left = wait_gone(procs, 5)
    check(not left, "processes of the run still alive after Ctrl-C: %s" % left, run)


def case_driver_kill():
    run = start_slow_map("driver-kill")
    procs = [p for p in run.snapshot() if p.pid != run.pid]
    os.kill(run.pid, signal.SIGKILL)
    run.wait(10)
    left = wait_inactive(jobs_of(run), 5)
    check(not left, "Flux jobs still active 5 s after the driver was killed: %s" % left, run)
    left = wait_gone(procs, 1)
    check(not left, "processes of the run still alive after the driver was killed: %s" % left, run)


print("flux_launcher: inside %s (%s)" % (os.environ.get("FLUX_URI"),
                                         subprocess.run([flux, "resource", "list", "-n", "-o", "{nnodes} nodes {ncores} cores"],
                                                        capture_output=True, text=True).stdout.split("\n")[0].strip()),
      flush=True)
h.case("outside", case_outside)
h.case("conformance", case_conformance)
h.case("mpi", case_mpi)
h.case("worker_kill", case_worker_kill)
h.case("sigint", case_sigint)
h.case("driver_kill", case_driver_kill)
h.finish()
