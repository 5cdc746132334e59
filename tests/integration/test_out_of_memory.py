#!/usr/bin/python3
"""Running out of memory is an error with frames, not an abort (LANGUAGE.md §9, §11).

Under an address-space limit (RLIMIT_AS, 3 GiB, inherited by wfc and its workers) a value that
grows past it makes malloc fail. Expected, in a task: the task fails with
"out of memory: could not allocate N bytes" and the frames of the code that grew it, the flow
reads that error from the future, and the same worker then runs the next task (its memory was
given back when the failed task ended). In a flow: wfc exits with status 1 and prints the
same error with the flow's frames (before, a task said only "worker 0 died: signal 6" and a
flow ended with status 134 and no message at all).
"""
import os
import resource
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import Harness, check, launcher_args  # noqa: E402

h = Harness(__doc__)
LIMIT = 3 << 30
resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

GROW = """
fn grow(n: int) -> int {
    var xs: [int] = [];
    for i in 0..n {
        push(xs, i);
    }
    return len(xs);
}
"""

TASK_WF = GROW + """
fn small(x: int) -> int { return x + 1; }

flow main() {
    let f = submit(grow, 1000000000);
    print("ERR " + error(f));
    print("NEXT " + str(result(submit(small, 41))));
}
"""

FLOW_WF = GROW + """
flow main() {
    print("start");
    print(grow(1000000000));
    print("not reached");
}
"""


def case_task():
    wf = h.write("task/app.wf", TASK_WF)
    run = h.start("task", wf, launcher_args("local", 1))
    rc = run.wait(120)
    check(rc == 0, "exit status %s, expected 0 (the flow reads the error with error())" % rc, run)
    out = run.stdout()
    check("ERR out of memory: could not allocate" in out, "the task's error is not 'out of memory'", run)
    check("died" not in out + run.stderr().split("error:")[-1], "the worker died instead of failing the task", run)
    check("NEXT 42" in out, "the worker did not run the next task after the failed one", run)
    check(len(run.workers()) == 1, "a worker was replaced: %s" % run.workers(), run)


def case_flow():
    wf = h.write("flow/app.wf", FLOW_WF)
    run = h.start("flow", wf, launcher_args("local", 1))
    rc = run.wait(120)
    check(rc == 1, "exit status %s, expected 1 (a runtime error)" % rc, run)
    err = run.stderr()
    check("error: out of memory: could not allocate" in err, "no 'out of memory' error on stderr", run)
    check("at main (" in err, "the error has no frame of the flow", run)
    check("start" in run.stdout() and "not reached" not in run.stdout(), "the flow did not stop at the error", run)


h.case("out_of_memory[task]", case_task)
h.case("out_of_memory[flow]", case_flow)
h.finish()
