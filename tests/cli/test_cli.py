#!/usr/bin/python3
"""The `wfc` command line as a user meets it: commands, help and man page, check/build of the
wrong kind of file, write errors, launcher and hostfile mistakes, mpirun's slot failure,
what the inprocess launcher refuses, bad `pool(workers=)` and `map(chunk=)` values, long
arguments in task error lines, the progress bar on a terminal, and Ctrl-C under it.

Every case runs the real wfc (its path as the first argument, `--wfc PATH`, or $WFC) in its
own directory under one temporary directory, with WF_CACHE_DIR and TMPDIR inside it, and
checks exit status and output. The progress cases give wfc a pseudo-terminal as standard
error (the bar is drawn only there). Standard library only; `unittest` skips the cases that
need mpirun when it is not installed, or the slot case on a machine with 3 or more cores.
(Ctrl-C without a progress bar is tests/integration/test_sigint.py.)
"""
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

WFC = None
ROOT = None  # the temporary directory every case works in


def setUpModule():
    global ROOT
    ROOT = tempfile.mkdtemp(prefix="wf-cli-")
    os.makedirs(os.path.join(ROOT, "cache"))


def tearDownModule():
    shutil.rmtree(ROOT, ignore_errors=True)


# A serial map of 3 items: prints [1, 4, 9].
SQUARES = """\
fn sq(x: int) -> int { return x * x; }
flow main() { print(map(sq, [1, 2, 3])); }
"""

BAR = re.compile(r"\r\[[# ]{30}\] \d+/\d+ ")


class Result:
    def __init__(self, rc, out, err, seconds):
        self.rc = rc
        self.out_bytes = out
        self.err_bytes = err
        self.out = out.decode("utf-8", "replace")
        self.err = err.decode("utf-8", "replace")
        self.seconds = seconds

    def __str__(self):
        return "exit status %s after %.1f s\n--- stdout\n%s--- stderr\n%s---" % (self.rc, self.seconds, self.out, self.err)


class WfcCase(unittest.TestCase):
    """A case with its own directory; runs wfc there, each run in its own process group (which
    is killed, while wfc still leads it, when the run overstays its timeout)."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix=self._testMethodName[:40] + "-", dir=ROOT)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return name

    def env(self, **extra):
        e = dict(os.environ)
        for k in ("WF_LAUNCHER", "WF_LOG", "WF_WORKER"):
            e.pop(k, None)
        tmp = os.path.join(self.dir, "tmp")
        os.makedirs(tmp, exist_ok=True)
        e.update(WF_CACHE_DIR=os.path.join(ROOT, "cache"), TMPDIR=tmp,
                 OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        e.update(extra)
        return e

    def start(self, args, env=None, **popen):
        p = subprocess.Popen([WFC] + args, cwd=self.dir, env=env or self.env(), stdin=subprocess.DEVNULL,
                             start_new_session=True, **popen)
        return p

    def wfc(self, *args, env=None, timeout=120):
        t0 = time.monotonic()
        p = self.start(list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            self.fail("wfc %s: still running after %d s\n%s" % (" ".join(args), timeout,
                                                               Result(None, out, err, timeout)))
        return Result(p.returncode, out, err, time.monotonic() - t0)

    def expect(self, r, rc):
        self.assertEqual(r.rc, rc, "expected exit status %d\n%s" % (rc, r))


# ---- commands, help, man page -----------------------------------------------------------------

def synopsis_of_overview(text):
    """The lines under COMMANDS in `wfc help`, up to the blank line."""
    lines = text.splitlines()
    at = lines.index("COMMANDS")
    out = []
    for l in lines[at + 1:]:
        if not l.strip():
            break
        out.append(l.strip())
    return out


def roff_unescape(line):
    return line.replace("\\-", "-").replace("\\e", "\\").replace("\\&", "")


def synopsis_of_man(roff):
    """The lines of the man page's SYNOPSIS (between .nf and .fi), unescaped."""
    lines = roff.splitlines()
    at = lines.index(".SH SYNOPSIS")
    out = []
    for l in lines[at + 1:]:
        if l == ".nf":
            continue
        if l == ".fi" or l.startswith(".SH"):
            break
        out.append(roff_unescape(l).strip())
    return out


def commands_of(synopsis):
    return sorted(l.split()[1] for l in synopsis if l.startswith("wfc ") and not l.split()[1].startswith("-"))


class Commands(WfcCase):
    def test_unknown_command(self):
        r = self.wfc("frobnicate")
        self.expect(r, 2)
        self.assertIn("frobnicate", r.err, r)
        for c in ("check", "build", "run", "cache", "kernel", "help"):
            self.assertRegex(r.err, r"\b%s\b" % c, "the commands are not listed\n%s" % r)

    def test_help_is_the_overview(self):
        r = self.wfc("help")
        self.expect(r, 0)
        for text in ("COMMANDS", "wfc run", "wfc check", "wfc build", "EXIT STATUS"):
            self.assertIn(text, r.out, r)
        # Not the page of the `help` command itself (CLI11's help of the selected subcommand).
        self.assertNotIn("usage: wfc help", r.out, r)
        self.assertNotIn("show help for wfc or one command", r.out, r)

    def test_help_run(self):
        r = self.wfc("help", "run")
        self.expect(r, 0)
        self.assertIn("--launcher", r.out, r)
        self.assertIn("--oversubscribe", r.out, r)

    def test_help_cache_and_cache_usage(self):
        r = self.wfc("help", "cache")
        self.expect(r, 0)
        for text in ("ls DIR", "show DIR", "clear DIR", "--json"):
            self.assertIn(text, r.out, r)
        self.assertIn("--cache DIR", self.wfc("help", "run").out)
        r = self.wfc("cache", "ls", self.path("no-such-cache"))
        self.expect(r, 1)
        self.assertIn("holds no wf result cache", r.err, r)
        self.expect(self.wfc("cache"), 2)  # a subcommand is required

    def test_help_unknown_topic(self):
        r = self.wfc("help", "nope")
        self.expect(r, 2)
        self.assertIn("nope", r.err, r)

    def test_man_page_matches_help(self):
        r = self.wfc("help", "--man-page", "wfc.1")
        self.expect(r, 0)
        with open(self.path("wfc.1")) as f:
            roff = f.read()
        self.assertTrue(roff.startswith(".TH WFC 1"), "the man page starts %r" % roff[:40])
        overview = self.wfc("help")
        self.expect(overview, 0)
        from_help = synopsis_of_overview(overview.out)
        from_man = synopsis_of_man(roff)
        self.assertEqual(from_man, from_help, "the man page's SYNOPSIS differs from `wfc help`'s COMMANDS")
        self.assertEqual(commands_of(from_help), ["build", "cache", "check", "help", "kernel", "run"], from_help)
        for line in from_help:
            words = line.split()
            if words[1].startswith("-"):
                continue
            self.assertIn(".SS %s\n" % words[1], roff, "no section for `%s` in the man page" % words[1])
            page = self.wfc("help", words[1])
            self.expect(page, 0)
            self.assertTrue(page.out.startswith("usage: " + line + "\n"),
                            "`wfc help %s` does not start with the synopsis %r\n%s" % (words[1], line, page))


# ---- check, build, run of the wrong kind of file; write errors ----------------------------------

class Files(WfcCase):
    def build_object(self):
        self.write("x.wf", SQUARES)
        r = self.wfc("build", "x.wf", "-o", "x.wfo")
        self.expect(r, 0)
        return "x.wfo"

    def test_check_of_an_object(self):
        obj = self.build_object()
        r = self.wfc("check", obj)
        self.expect(r, 2)
        self.assertIn("compiled object", r.err, r)
        self.assertFalse(any(b >= 0x80 or b == 0 for b in r.err_bytes), "binary bytes on stderr: %r" % r.err_bytes[:300])
        self.assertLess(len(r.err.splitlines()), 5, r)

    def test_build_to_a_missing_directory(self):
        self.write("x.wf", SQUARES)
        r = self.wfc("build", "x.wf", "-o", "/nonexistent/x.wfo")
        self.expect(r, 1)
        self.assertIn("/nonexistent/x.wfo", r.err, r)
        self.assertIn("No such file or directory", r.err, r)

    def test_emit_llvm_to_a_missing_directory(self):
        self.write("x.wf", SQUARES)
        r = self.wfc("build", "x.wf", "-o", "ok.wfo", "--emit-llvm", "/nonexistent/x.ll")
        self.expect(r, 1)
        self.assertRegex(r.err, r"cannot write `?/nonexistent/x\.ll`?: No such file or directory", r)

    def test_run_object_with_O_warns(self):
        obj = self.build_object()
        r = self.wfc("run", obj, "-O0", "--launcher", "local", "--workers", "2")
        self.expect(r, 0)
        self.assertEqual(r.out, "[1, 4, 9]\n", r)
        warning = [l for l in r.err.splitlines() if "ignored" in l]
        self.assertTrue(warning and "-O0" in warning[0], "no warning that -O0 is ignored\n%s" % r)


# ---- launchers and hostfiles -----------------------------------------------------------------

LAUNCHERS = ("mpirun", "local", "slurm", "inprocess", "flux")


class Launchers(WfcCase):
    def test_bogus_WF_LAUNCHER(self):
        self.write("x.wf", SQUARES)
        r = self.wfc("run", "x.wf", env=self.env(WF_LAUNCHER="bogus"), timeout=30)
        self.expect(r, 2)
        self.assertLess(r.seconds, 5, r)
        self.assertIn("bogus", r.err, r)
        for l in LAUNCHERS:
            self.assertIn(l, r.err, "launcher %s not named\n%s" % (l, r))
        self.assertEqual(r.out, "", "the flow ran\n%s" % r)

    def test_unknown_launcher_option(self):
        self.write("x.wf", SQUARES)
        r = self.wfc("run", "x.wf", "--launcher", "foo", timeout=30)
        self.expect(r, 2)
        self.assertIn("foo", r.err, r)

    def test_missing_hostfile(self):
        self.write("x.wf", SQUARES)
        r = self.wfc("run", "x.wf", "--hostfile", "/nonexistent/hosts", timeout=30)
        self.expect(r, 2)
        self.assertLess(r.seconds, 5, r)
        self.assertIn("cannot read the hostfile", r.err, r)
        self.assertIn("/nonexistent/hosts", r.err, r)
        self.assertNotIn("internal error", r.err, r)
        self.assertNotIn("ORTE", r.err, r)

    @unittest.skipIf((os.cpu_count() or 1) >= 3, "needs fewer than 3 cores for mpirun to run out of slots")
    @unittest.skipIf(shutil.which("mpirun") is None, "mpirun is not installed")
    def test_more_workers_than_slots(self):
        self.write("x.wf", SQUARES)
        r = self.wfc("run", "x.wf", "--workers", "3", timeout=60)  # default launcher: mpirun
        self.expect(r, 1)
        self.assertIn("--oversubscribe", r.err, r)
        self.assertNotIn("There are not enough slots", r.err, r)
        self.assertLess(len(r.err.splitlines()), 6, r)
        self.assertEqual(r.err.count("workers failed to start"), 1, r)


# ---- the inprocess launcher refuses what threads cannot do -------------------------------------

class InProcess(WfcCase):
    def test_mpi_task(self):
        self.write("m.wf", """\
mpi(ranks=4) fn ranks(x: int) -> int { return size(); }
flow main() { print(submit(ranks, 1).result()); }
""")
        r = self.wfc("run", "m.wf", "--launcher", "inprocess")
        self.expect(r, 1)
        self.assertIn("inprocess", r.err, r)
        self.assertIn("4 MPI ranks", r.err, r)
        self.assertEqual(r.out, "", "a result was printed\n%s" % r)

    def test_cwd_pool(self):
        self.write("c.wf", """\
fn sq(x: int) -> int { return x * x; }
flow main() {
    let p = pool(cwd="sub");
    print(map(p, sq, [1, 2, 3]));
}
""")
        r = self.wfc("run", "c.wf", "--launcher", "inprocess")
        self.expect(r, 1)
        self.assertIn("cwd", r.err, r)
        self.assertIn("inprocess", r.err, r)
        self.assertEqual(r.out, "", "a result was printed\n%s" % r)
        made = [os.path.join(d, "sub") for d, dirs, _ in os.walk(self.dir) if "sub" in dirs]
        self.assertEqual(made, [], "a `sub` directory was created")


# ---- pool(workers=) and map(chunk=) values -----------------------------------------------------

class OptionValues(WfcCase):
    def run_flow(self, body, call):
        """Runs a flow whose line 3 is `body`; returns the run and the `at main (...)` frame of `call`."""
        text = "fn sq(x: int) -> int { return x * x; }\nflow main() {\n%s\n}\n" % body
        self.write("o.wf", text)
        r = self.wfc("run", "o.wf", "--launcher", "local", "--workers", "2")
        return r, "  at main (o.wf:3:%d)" % (body.index(call) + 1)

    def check_refused(self, body, call, named):
        r, frame = self.run_flow(body, call)
        self.expect(r, 1)
        lines = r.err.splitlines()
        errors = [l for l in lines if l.startswith("error:")]
        self.assertTrue(errors and named in errors[0], "no error line naming `%s`\n%s" % (named, r))
        self.assertIn(frame, lines, r)
        self.assertEqual(r.out, "", r)

    def test_pool_workers_below_one(self):
        for v in ("0", "-3"):
            with self.subTest(workers=v):
                self.check_refused("    let p = pool(workers=%s);\n    print(map(p, sq, [1, 2, 3]));" % v,
                                   "pool(", "workers=" + v)

    def test_map_chunk_below_one(self):
        for v in ("0", "-5"):
            with self.subTest(chunk=v):
                self.check_refused("    print(map(sq, [1, 2, 3], chunk=%s));" % v, "map(", "chunk=" + v)

    def test_smallest_good_values(self):
        for body in ("    let p = pool(workers=1);\n    print(map(p, sq, [1, 2, 3]));",
                     "    print(map(sq, [1, 2, 3], chunk=1));"):
            with self.subTest(body=body.strip()):
                r, _ = self.run_flow(body, "map(")
                self.expect(r, 0)
                self.assertEqual(r.out, "[1, 4, 9]\n", r)


# ---- the task line of an error ----------------------------------------------------------------

class TaskLine(WfcCase):
    def test_long_array_argument(self):
        self.write("t.wf", """\
fn bad(xs: [float]) -> float { fail("no"); return 0.0; }
flow main() { print(submit(bad, [1.5; 1000]).result()); }
""")
        r = self.wfc("run", "t.wf", "--launcher", "local", "--workers", "1")
        self.expect(r, 1)
        task = [l for l in r.err.splitlines() if l.lstrip().startswith("in task")]
        self.assertEqual(len(task), 1, r)
        self.assertIn("(1000 items)", task[0], r)
        self.assertIn("... ]", task[0], r)
        self.assertLess(len(task[0]), 200, r)


# ---- the progress bar on a terminal -----------------------------------------------------------

class Progress(WfcCase):
    def run_on_pty(self, wf, args, during=None, timeout=60):
        """Runs `wfc run wf --progress args` with a pseudo-terminal as stderr (stdout to a file).
        `during(p, data)` is called while it runs. Returns (exit status, pty text with the
        terminal's \\r\\n turned back into \\n, stdout)."""
        master, slave = pty.openpty()
        out_path = self.path("stdout")
        with open(out_path, "wb") as out:
            p = self.start(["run", wf, "--progress", "--launcher", "local", "--workers", "2"] + args,
                           stdout=out, stderr=slave)
        os.close(slave)
        data = b""
        deadline = time.monotonic() + timeout
        exited_at = None
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:  # EIO: every writer has closed the terminal
                        break
                    if not chunk:
                        break
                    data += chunk
                if p.poll() is not None:
                    exited_at = exited_at or time.monotonic()
                    if not ready and time.monotonic() - exited_at > 1:
                        break
                elif during:
                    during(p, data)
        finally:
            os.close(master)
        try:  # the terminal can close a moment before wfc can be reaped
            p.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            self.fail("wfc still running after %d s\n%r" % (timeout, data[-2000:]))
        with open(out_path) as f:
            stdout = f.read()
        return p.returncode, data.decode("utf-8", "replace").replace("\r\n", "\n"), stdout

    def starts_a_line(self, text, what):
        """`what` appears after a bar and at the beginning of a line."""
        at = text.find(what)
        self.assertGreaterEqual(at, 0, "%r not on the terminal: %r" % (what, text[-1500:]))
        self.assertTrue(BAR.search(text[:at]), "no progress bar before %r: %r" % (what, text[-1500:]))
        self.assertEqual(text[at - 1], "\n", "%r glued onto the bar: %r" % (what, text[max(0, at - 200):at + 100]))

    def test_bar_line_is_ended(self):
        self.write("p.wf", """\
fn nap(x: int) -> int { sleep(0.01); return x; }
flow main() {
    print(len(map(nap, range(0, 50))));
    print("after");
}
""")
        rc, tty, out = self.run_on_pty("p.wf", [])
        self.assertEqual(rc, 0, tty)
        self.assertEqual(out, "50\nafter\n")
        self.assertRegex(tty, r"\r\[#{30}\] 50/50 ", "no full bar: %r" % tty[-1500:])
        last = tty.rfind("\r[")
        self.assertIn("\n", tty[last:], "the last bar's line is not ended: %r" % tty[last:])
        self.assertTrue(tty.endswith("\n"), "the terminal is left after %r" % tty[-200:])

    def test_error_starts_its_own_line(self):
        self.write("f.wf", """\
fn nap(x: int) -> int {
    sleep(0.01);
    if x == 29 { fail("item 29 failed"); }
    return x;
}
flow main() {
    print(len(map(nap, range(0, 50))));
}
""")
        rc, tty, out = self.run_on_pty("f.wf", [])
        self.assertEqual(rc, 1, tty)
        self.starts_a_line(tty, "error: item 29 failed")
        self.assertEqual(out, "")

    def test_task_eprint_starts_its_own_line(self):
        self.write("e.wf", """\
fn nap(x: int) -> int {
    sleep(0.01);
    if x == 20 { eprint("note from task", x); }
    return x;
}
flow main() {
    print(len(map(nap, range(0, 50))));
    eprint("after");
}
""")
        rc, tty, out = self.run_on_pty("e.wf", [])
        self.assertEqual(rc, 0, tty)
        self.starts_a_line(tty, "note from task 20\n")
        self.starts_a_line(tty, "after\n")
        self.assertEqual(out, "50\n")

    def test_ctrl_c_ends_the_bar_line(self):
        marks = self.path("marks")
        os.makedirs(marks)
        self.write("s.wf", """\
fn nap(x: int) -> int {
    if x >= 2 {
        write_file("%s/started-" + str(x), "yes");
        sleep(30.0);
    }
    return x;
}
flow main() {
    print(len(map(nap, range(0, 6))));
    print("not reached");
}
""" % marks)
        sent = []

        def interrupt_when_sleeping(p, data):
            if not sent and os.listdir(marks) and BAR.search(data.decode("utf-8", "replace")):
                os.kill(p.pid, signal.SIGINT)
                sent.append(time.monotonic())

        rc, tty, out = self.run_on_pty("s.wf", [], during=interrupt_when_sleeping, timeout=40)
        self.assertTrue(sent, "the tasks never slept under a bar: %r" % tty)
        self.assertEqual(rc, 130, tty)
        self.assertLess(time.monotonic() - sent[0], 12)
        self.starts_a_line(tty, "wfc: interrupted")
        self.assertNotIn("not reached", out)


def main():
    global WFC
    args = sys.argv[1:]
    if args[:1] == ["--wfc"] and len(args) >= 2:
        WFC, args = args[1], args[2:]
    elif args and not args[0].startswith("-"):
        WFC, args = args[0], args[1:]
    else:
        WFC = os.environ.get("WFC")
    if not WFC or not os.access(WFC, os.X_OK):
        print("usage: test_cli.py [--wfc] PATH/TO/wfc [unittest options] (or set WFC); not found: %s" % WFC,
              file=sys.stderr)
        sys.exit(2)
    WFC = os.path.abspath(WFC)
    unittest.main(argv=[sys.argv[0]] + args, verbosity=2)


if __name__ == "__main__":
    main()
