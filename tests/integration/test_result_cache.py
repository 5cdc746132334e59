#!/usr/bin/python3
"""The result cache (docs/cache.md) with real runs: resume after SIGKILL, invalidation by
function, concurrent runs on one directory, corrupt entries, cached errors, `wfc cache`.

Tasks append their item to a counter file (ran.txt) in the run's directory, so the tests count
what really ran, not what the driver says.

resume: a 10 000-task map with --cache, its driver SIGKILLed midway. The second run does not
run any task whose result the cache held after the first (every item whose entry was stored
is absent from the second run's ran.txt), runs the others, and prints what an uncached run
prints. A task that was running, or whose result was on its way, when the driver died has no
entry and runs again: that is the only repetition allowed, and it is bounded by the tasks
the pool can hold at once.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import Harness, check, launcher_args  # noqa: E402

h = Harness(__doc__)

RESUME_WF = """
fn work(i: int) -> int {
    append_file("ran.txt", str(i) + "\\n");
    sleep(0.0004);
    return i * i;
}

flow main() {
    let r = map(work, range(0, 10000));
    var total = 0;
    for x in r {
        total += x;
    }
    print("TOTAL", total, len(r), r[9999]);
}
"""

TWO_WF = """
fn f(i: int) -> int {
    append_file("ran_f.txt", str(i) + "\\n");
    return i + 1;
}

fn g(i: int) -> int {
    append_file("ran_g.txt", str(i) + "\\n");
    return i * BODY;
}

flow main() {
    print(sum(map(f, range(0, 50))), sum(map(g, range(0, 50))));
}
"""

ERRORS_WF = """
extern fn abort() from "libc.so.6";

fn crash(i: int) -> int {
    append_file("crashed.txt", str(i) + "\\n");
    abort();
    return i;
}

fn check(i: int) -> int {
    append_file("ran.txt", str(i) + "\\n");
    if i == 3 {
        fail("three is bad");
    }
    return i;
}

flow main() {
    let p = pool(workers=2, cache="CACHE", cache_errors=ERRORS);
    let fs = [p.submit(check, i) for i in 0..5];
    let dead = p.submit(crash, 9);
    print("crash failed", dead.error() != "");
    for f in fs {
        try {
            print(f.result());
        } catch e {
            print("caught", e);
        }
    }
}
"""


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l for l in f.read().split("\n") if l]


def wfc(*args):
    return subprocess.run([h.wfc] + list(args), capture_output=True, text=True, timeout=60)


def cached_items(cache, fn):
    """The argument of every entry of `fn` the cache holds, by `wfc cache show --json`."""
    r = wfc("cache", "show", cache, fn, "--json")
    check(r.returncode == 0, "wfc cache show failed: " + r.stderr)
    return [e["i"] for e in json.loads(r.stdout)]


def case_resume():
    wf = h.write("resume/app.wf", RESUME_WF)
    ref_dir = h.fresh_dir("resume/reference")
    ref = h.start("resume-reference", wf, launcher_args("local", 2), cwd=ref_dir)
    check(ref.wait(120) == 0, "the uncached run failed", ref)
    want = ref.stdout()
    check("TOTAL 333283335000 10000 99980001" in want, "the uncached run printed %r" % want, ref)

    work = h.fresh_dir("resume/run")
    cache = h.path("resume/cache")
    first = h.start("resume-first", wf, launcher_args("local", 2) + ["--cache", cache], cwd=work)
    ran = os.path.join(work, "ran.txt")
    first.wait_for(lambda: len(lines(ran)) >= 3000, 60, "3000 tasks to run")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(30)
    time.sleep(0.5)  # the workers notice the driver is gone and exit
    ran_first = lines(ran)
    stored = set(cached_items(cache, "work"))
    check(len(stored) >= 2000, "only %d of the %d tasks that ran were stored" % (len(stored), len(ran_first)))
    check(len(stored) < 10000, "the first run was not interrupted")
    check(stored <= set(int(x) for x in ran_first), "the cache holds items that never ran")

    os.rename(ran, os.path.join(work, "ran-first.txt"))
    second = h.start("resume-second", wf, launcher_args("local", 2) + ["--cache", cache], cwd=work)
    check(second.wait(120) == 0, "the resumed run failed", second)
    check(second.stdout() == want, "the resumed run printed %r, not %r" % (second.stdout(), want), second)
    ran_second = [int(x) for x in lines(ran)]
    again = stored & set(ran_second)
    check(not again, "%d cached tasks ran again, e.g. %s" % (len(again), sorted(again)[:5]), second)
    check(len(ran_second) == len(set(ran_second)), "a task ran twice in the resumed run", second)
    check(set(ran_second) | stored == set(range(10000)), "some items ran in neither run", second)
    in_flight = set(int(x) for x in ran_first) - stored
    print("  first run: %d ran, %d stored; resumed run: %d ran (%d had run but had no entry)"
          % (len(ran_first), len(stored), len(ran_second), len(in_flight)))

    third = h.start("resume-third", wf, launcher_args("local", 2) + ["--cache", cache], cwd=work)
    os.rename(ran, os.path.join(work, "ran-second.txt"))
    check(third.wait(120) == 0, "the fully cached run failed", third)
    check(third.stdout() == want, "the fully cached run printed %r" % third.stdout(), third)
    check(not lines(ran), "%d tasks ran in a fully cached run" % len(lines(ran)), third)


def case_invalidation():
    work = h.fresh_dir("edit/run")
    cache = h.path("edit/cache")
    wf = h.write("edit/app.wf", TWO_WF.replace("BODY", "2"))
    r1 = h.start("edit-1", wf, launcher_args("local", 2) + ["--cache", cache], cwd=work)
    check(r1.wait(60) == 0 and "1275 2450" in r1.stdout(), "first run", r1)
    for n in ("ran_f.txt", "ran_g.txt"):
        os.rename(os.path.join(work, n), os.path.join(work, n + ".1"))
    # A comment and new layout in f's neighbourhood, a new body for g.
    h.write("edit/app.wf", "// edited\n" + TWO_WF.replace("BODY", "3").replace("return i + 1;", "return   i + 1;  // same"))
    r2 = h.start("edit-2", wf, launcher_args("local", 2) + ["--cache", cache], cwd=work)
    check(r2.wait(60) == 0 and "1275 3675" in r2.stdout(), "second run printed %r" % r2.stdout(), r2)
    f_again, g_again = lines(os.path.join(work, "ran_f.txt")), lines(os.path.join(work, "ran_g.txt"))
    check(not f_again, "%d tasks of the unchanged f ran again" % len(f_again), r2)
    check(len(g_again) == 50, "%d of 50 tasks of the edited g ran" % len(g_again), r2)
    ls = wfc("cache", "ls", cache)
    check(ls.returncode == 0 and ls.stdout.count("\ng ") == 2 and ls.stdout.count("\nf ") == 1,
          "wfc cache ls shows %r" % ls.stdout)
    clear = wfc("cache", "clear", cache, "g")
    check(clear.returncode == 0, "wfc cache clear failed: " + clear.stderr)
    ls = wfc("cache", "ls", cache)
    check("\ng " not in ls.stdout and "\nf " in ls.stdout, "after clear g: %r" % ls.stdout)


def case_concurrent():
    wf = h.write("concurrent/app.wf", RESUME_WF.replace("10000", "3000").replace("9999", "2999"))
    cache = h.path("concurrent/cache")
    runs = []
    for k in range(2):
        work = h.fresh_dir("concurrent/run%d" % k)
        runs.append((h.start("concurrent-%d" % k, wf, launcher_args("local", 1) + ["--cache", cache], cwd=work), work))
    outs = []
    for run, _ in runs:
        check(run.wait(120) == 0, "a concurrent run failed", run)
        outs.append(run.stdout())
    check(outs[0] == outs[1] and "TOTAL 8995500500 3000 8994001" in outs[0], "outputs %r" % outs)
    for run, _ in runs:
        check("cache:" not in run.stderr(), "a concurrent run warned about the cache", run)
    work = h.fresh_dir("concurrent/after")
    after = h.start("concurrent-after", wf, launcher_args("local", 1) + ["--cache", cache], cwd=work)
    check(after.wait(60) == 0 and after.stdout() == outs[0], "the run after both", after)
    check(not lines(os.path.join(work, "ran.txt")), "tasks ran after two complete runs filled the cache", after)
    check("cache:" not in after.stderr(), "the run after both warned about the cache", after)


def case_corrupt():
    wf = h.write("corrupt/app.wf", RESUME_WF.replace("10000", "200").replace("9999", "199"))
    cache = h.path("corrupt/cache")
    work = h.fresh_dir("corrupt/run")
    r1 = h.start("corrupt-1", wf, launcher_args("local", 2) + ["--cache", cache], cwd=work)
    check(r1.wait(60) == 0, "first run", r1)
    want = r1.stdout()
    fdir = [d for d in os.listdir(os.path.join(cache, "wf-cache-v1")) if d.startswith("work-")][0]
    logs = [os.path.join(cache, "wf-cache-v1", fdir, n) for n in os.listdir(os.path.join(cache, "wf-cache-v1", fdir))
            if n.endswith(".log")]
    check(len(logs) == 1, "expected one log: %s" % logs)
    data = bytearray(open(logs[0], "rb").read())
    data[len(data) // 2] ^= 0x10             # a flipped bit in an entry in the middle
    del data[len(data) - 3:]                 # and the last entry torn
    open(logs[0], "wb").write(bytes(data))
    os.rename(os.path.join(work, "ran.txt"), os.path.join(work, "ran-1.txt"))
    r2 = h.start("corrupt-2", wf, launcher_args("local", 2) + ["--cache", cache], cwd=work)
    check(r2.wait(60) == 0, "the run over a corrupt cache failed", r2)
    check(r2.stdout() == want, "the run over a corrupt cache printed %r" % r2.stdout(), r2)
    err = r2.stderr()
    check("ignored a corrupt entry" in err and "ignored an incomplete entry" in err,
          "no warning for the corrupt and the torn entry", r2)
    again = lines(os.path.join(work, "ran.txt"))
    check(1 <= len(again) <= 5, "%d tasks ran again (expected the 2-3 whose entries were damaged)" % len(again), r2)
    show = wfc("cache", "show", cache, "work")
    check(show.returncode == 0 and "ignored" in show.stderr, "wfc cache show did not report the damage: %r" % show.stderr)


def case_errors():
    for errors, expect_reruns in (("true", 0), ("false", 1)):
        cache = h.path("errors-%s/cache" % errors)
        wf = h.write("errors-%s/app.wf" % errors, ERRORS_WF.replace("CACHE", cache).replace("ERRORS", errors))
        work = h.fresh_dir("errors-%s/run" % errors)
        r1 = h.start("errors-%s-1" % errors, wf, ["--launcher", "local"], cwd=work)
        check(r1.wait(60) == 0 and "caught three is bad" in r1.stdout(), "first run", r1)
        os.rename(os.path.join(work, "ran.txt"), os.path.join(work, "ran-1.txt"))
        r2 = h.start("errors-%s-2" % errors, wf, ["--launcher", "local"], cwd=work)
        check(r2.wait(60) == 0 and r2.stdout() == r1.stdout(), "second run printed %r" % r2.stdout(), r2)
        again = lines(os.path.join(work, "ran.txt"))
        check(again == ["3"] * expect_reruns, "cache_errors=%s: these ran again: %s" % (errors, again), r2)
        crashed = lines(os.path.join(work, "crashed.txt"))
        check(crashed == ["9", "9"], "cache_errors=%s: a worker's death was cached (crash ran %s)" % (errors, crashed), r2)


h.case("result_cache[resume]", case_resume)
h.case("result_cache[invalidation]", case_invalidation)
h.case("result_cache[concurrent]", case_concurrent)
h.case("result_cache[corrupt]", case_corrupt)
h.case("result_cache[errors]", case_errors)
h.finish()
