#!/usr/bin/python3
"""threads= with a real OpenMP runtime, and cancel() of many queued tasks (LANGUAGE.md §17, §18).

openmp: a C library built here with `gcc -fopenmp -shared` and bound by `extern fn` reports
omp_get_max_threads(). A task with threads=4 sees 4; the next task without threads= sees the
worker's own default again. On a 4-worker pool, two threads=2 tasks run at the same time and a
third waits until one of them ends (each holds 2 of the 4 slots).

cancel: on a 1-worker pool, one task holds the worker until the flow opens a gate (a file) and
1000 more are submitted behind it (some already sent ahead to the worker's pipeline). All 1000
are cancelled before the gate opens: every cancel() returns true, every future fails with
"cancelled", and none of them ran (each would have appended to a file). The gate, not a sleep,
keeps the worker busy: 1000 cancel() round trips can take over a second on a loaded machine.
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import Harness, check, launcher_args  # noqa: E402

h = Harness(__doc__)

OMP_C = r"""
#include <omp.h>
#include <stdint.h>
int64_t omp_threads(void) { return omp_get_max_threads(); }
"""

OMP_WF = """
extern fn omp_threads() -> int from "LIB";

fn probe() -> int {
    return omp_threads();
}

fn hold(tag: int) -> (float, float) {
    let start = time();
    sleep(0.6);
    return (start, time());
}

flow main() {
    let plain = submit(probe).result();
    print("WITH", submit(probe, threads=4).result());
    print("AFTER", submit(probe).result() == plain);
    let fs = [submit(hold, i, threads=2) for i in 0..3];
    let spans = wait(fs);
    for (a, b) in spans {
        print("SPAN", a, b);
    }
}
"""

CANCEL_WF = """
fn hold_until(gate: str) -> float {
    while not exists(gate) {
        sleep(0.01);
    }
    return 1.0;
}

fn mark(i: int) -> int {
    append_file("ran.txt", str(i) + "\\n");
    return i;
}

flow main() {
    let p = pool(workers=1);
    let slow = p.submit(hold_until, "go");
    let queued = [p.submit(mark, i) for i in 0..1000];
    var cancelled = 0;
    for f in queued {
        if f.cancel() {
            cancelled += 1;
        }
    }
    var said = 0;
    for f in queued {
        if f.error() == "cancelled" {
            said += 1;
        }
    }
    write_file("go", "");
    print("CANCELLED", cancelled, said, slow.result());
}
"""


def case_openmp():
    check(shutil.which("gcc") is not None, "gcc is not installed")
    lib = h.path("omp/libprobe.so")
    src = h.write("omp/probe.c", OMP_C)
    build = subprocess.run(["gcc", "-fopenmp", "-shared", "-fPIC", "-o", lib, src], capture_output=True, text=True)
    check(build.returncode == 0, "gcc -fopenmp failed: " + build.stderr)
    wf = h.write("omp/app.wf", OMP_WF.replace("LIB", lib))
    run = h.start("openmp", wf, launcher_args("local", 4))
    rc = run.wait(90)
    check(rc == 0, "exit status %s" % rc, run)
    out = run.stdout()
    check("WITH 4" in out, "a threads=4 task did not see omp_get_max_threads() == 4", run)
    check("AFTER true" in out, "the next task did not see the worker's own OpenMP default", run)
    spans = [tuple(map(float, l.split()[1:])) for l in out.splitlines() if l.startswith("SPAN ")]
    check(len(spans) == 3, "expected 3 spans: %s" % spans, run)
    spans.sort()
    (a0, b0), (a1, b1), (a2, b2) = spans
    check(a1 < b0, "the first two threads=2 tasks did not overlap: %s" % spans, run)
    check(a2 >= min(b0, b1) - 0.05, "the third threads=2 task started before a slot pair was free: %s" % spans, run)


def case_cancel():
    wf = h.write("cancel/app.wf", CANCEL_WF)
    workdir = h.fresh_dir("cancel/run")
    run = h.start("cancel", wf, launcher_args("local", 1), cwd=workdir)
    rc = run.wait(90)
    check(rc == 0, "exit status %s" % rc, run)
    check("CANCELLED 1000 1000 1.0" in run.stdout(), "not every queued task was cancelled", run)
    ran = os.path.join(workdir, "ran.txt")
    n = len(open(ran).read().split()) if os.path.exists(ran) else 0
    check(n == 0, "%d cancelled tasks ran anyway" % n, run)


h.case("task_control[openmp]", case_openmp)
h.case("task_control[cancel]", case_cancel)
h.finish()
