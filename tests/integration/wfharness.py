"""Shared helpers for the integration tests: real `wfc run` processes, real workers.

Each test script builds a Harness from its command line (`--wfc PATH`), writes its .wf
programs into a private temporary directory, starts runs with WF_LOG=debug and checks what
a user would check: exit status, output, and (by pid, through /proc) which processes exist.
Nothing here is mocked. Standard library only, but for msgpack (Debian's python3-msgpack),
which only the tests that forge protocol messages need: they call need_msgpack() first, so
the other tests run without it.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

try:
    import msgpack
except ImportError:
    msgpack = None

WORKER_UP = re.compile(r"pool (\d+): worker (\d+) up \(pid (\d+) on (\S+), world (\d+) rank (\d+)\)")
WORLD_LAUNCHED = re.compile(r"pool (\d+): launched world (\d+) \((\w+), (\d+) ranks?, workers (\d+)\.\.(\d+), pid (\d+)\)")
SKIP = 77  # ctest SKIP_RETURN_CODE


class TestFailure(Exception):
    pass


# ---- processes, by pid ---------------------------------------------------------------------

def proc_stat(pid):
    """(state, ppid, starttime) of a pid from /proc/<pid>/stat, or None if there is no such process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    rest = data[data.rindex(")") + 2:].split()
    return rest[0], int(rest[1]), int(rest[19])


class Proc:
    """A process seen alive once: its pid plus its start time, so a reused pid is not mistaken for it."""

    def __init__(self, pid, what):
        self.pid = pid
        self.what = what
        st = proc_stat(pid)
        self.start = st[2] if st else None

    def alive(self):
        """Running or sleeping (a zombie, or a pid now used by another process, counts as gone)."""
        st = proc_stat(self.pid)
        if st is None or self.start is None:
            return False
        state, _, start = st
        return start == self.start and state not in ("Z", "X", "x")

    def __repr__(self):
        return "%s (pid %d)" % (self.what, self.pid)


def descendants(root):
    """Every process below `root` right now (pid -> comm)."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = proc_stat(int(name))
        if st:
            children.setdefault(st[1], []).append(int(name))
    out, todo = {}, [root]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            if c not in out:
                try:
                    with open("/proc/%d/comm" % c) as f:
                        out[c] = f.read().strip()
                except OSError:
                    out[c] = "?"
                todo.append(c)
    return out


def wait_gone(procs, timeout):
    """Polls until none of `procs` is alive or `timeout` passes; returns those still alive."""
    deadline = time.monotonic() + timeout
    while True:
        left = [p for p in procs if p.alive()]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.02)


def mapped_shm_files(pid):
    """The Open MPI shared-memory files (`vader_segment.*`) process `pid` has mapped now."""
    out = set()
    try:
        with open("/proc/%d/maps" % pid) as f:
            for line in f:
                i = line.find("/")
                if i >= 0 and os.path.basename(line[i:].rstrip("\n")).startswith("vader_segment."):
                    out.add(line[i:].rstrip("\n"))
    except OSError:
        pass
    return out


def have_mpirun():
    return shutil.which("mpirun") is not None


# ---- one `wfc run` -------------------------------------------------------------------------

class Run:
    def __init__(self, harness, wf, args, env, cwd, name):
        self.h = harness
        self.name = name
        self.out_path = os.path.join(harness.dir, name + ".stdout")
        self.err_path = os.path.join(harness.dir, name + ".stderr")
        self.cmd = [harness.wfc, "run", wf] + list(args)
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(self.cmd, stdout=self._out, stderr=self._err, stdin=subprocess.DEVNULL,
                                  env=env, cwd=cwd)
        self.pid = self.p.pid
        self.proc = Proc(self.pid, "wfc")
        self.rc = None
        self.seen = {}  # pid -> Proc: every process of the run ever observed
        self.seen[self.pid] = self.proc
        self.shm = set()  # Open MPI shared-memory files its workers were seen to map
        harness.runs.append(self)

    # output so far
    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def workers(self):
        """worker number -> (pid, world, world rank), from the `worker N up` debug lines (latest wins)."""
        out = {}
        for m in WORKER_UP.finditer(self.stderr()):
            out[int(m.group(2))] = (int(m.group(3)), int(m.group(5)), int(m.group(6)))
        return out

    def worlds(self):
        """world number -> (launcher pid, launcher name, ranks)."""
        out = {}
        for m in WORLD_LAUNCHED.finditer(self.stderr()):
            out[int(m.group(2))] = (int(m.group(7)), m.group(3), int(m.group(4)))
        return out

    def snapshot(self):
        """Records every process of the run alive now (workers from the log, launchers, descendants)."""
        for w, (pid, _, _) in self.workers().items():
            if pid not in self.seen:
                self.seen[pid] = Proc(pid, "worker %d" % w)
            self.shm |= mapped_shm_files(pid)
        for wd, (pid, launcher, _) in self.worlds().items():
            if pid not in self.seen:
                self.seen[pid] = Proc(pid, "world %d launcher (%s)" % (wd, launcher))
        if self.p.poll() is None:
            for pid, comm in descendants(self.pid).items():
                if pid not in self.seen:
                    self.seen[pid] = Proc(pid, "descendant %s" % comm)
        return list(self.seen.values())

    def shm_residue(self, timeout=3):
        """Open MPI shared-memory files of this run still on the machine after `timeout` s: those its
        workers mapped, and any other file of the same Open MPI jobs (the name up to the rank)."""
        jobs = {os.path.join(os.path.dirname(f), os.path.basename(f).rsplit(".", 1)[0] + ".") for f in self.shm}
        deadline = time.monotonic() + timeout
        while True:
            left = {f for f in self.shm if os.path.exists(f)}
            for prefix in jobs:
                d = os.path.dirname(prefix)
                try:
                    left |= {os.path.join(d, n) for n in os.listdir(d) if os.path.join(d, n).startswith(prefix)}
                except OSError:
                    pass
            if not left or time.monotonic() >= deadline:
                return sorted(left)
            time.sleep(0.05)

    def wait_for(self, pred, timeout, what):
        """Polls `pred()` (also snapshotting processes) until true; fails the test on timeout or early exit."""
        deadline = time.monotonic() + timeout
        while True:
            self.snapshot()
            v = pred()
            if v:
                return v
            if self.p.poll() is not None:
                raise TestFailure("%s: wfc exited (status %s) before %s\n%s" %
                                  (self.name, self.p.returncode, what, self.tail()))
            if time.monotonic() >= deadline:
                raise TestFailure("%s: timed out after %.0f s waiting for %s\n%s\n%s" %
                                  (self.name, timeout, what, self.tail(), self.process_tree()))
            time.sleep(0.01)

    def process_tree(self):
        """The processes below wfc now, with state and kernel wait channel (for failure reports)."""
        lines = ["  processes below wfc (pid %d):" % self.pid]
        for pid, comm in sorted(descendants(self.pid).items()):
            st = proc_stat(pid)
            try:
                with open("/proc/%d/wchan" % pid) as f:
                    wchan = f.read().strip()
            except OSError:
                wchan = "?"
            lines.append("    %d %s ppid %s state %s wchan %s" % (pid, comm, st[1] if st else "?", st[0] if st else "?", wchan))
        return "\n".join(lines)

    def wait(self, timeout):
        """Exit status, or None if wfc is still running after `timeout` s (then it is killed)."""
        try:
            self.rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.rc = None
        self._out.close()
        self._err.close()
        return self.rc

    def tail(self, n=25):
        err = self.stderr().splitlines()
        out = self.stdout().splitlines()
        return ("  command: %s\n  stdout (last %d lines):\n%s\n  stderr (last %d lines):\n%s" %
                (" ".join(self.cmd), n, "\n".join("    | " + l for l in out[-n:]),
                 n, "\n".join("    | " + l for l in err[-n:])))

    def cleanup(self):
        """Ends whatever of this run is still alive (only processes this run started, by pid)."""
        if self.p.poll() is None:
            self.snapshot()
        for pr in self.seen.values():
            if pr.alive():
                try:
                    os.kill(pr.pid, signal.SIGKILL)
                except OSError:
                    pass
        if self.p.poll() is None:
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if not self._out.closed:
            self._out.close()
            self._err.close()


# ---- the harness ---------------------------------------------------------------------------

class Harness:
    def __init__(self, description):
        ap = argparse.ArgumentParser(description=description)
        ap.add_argument("--wfc", default=os.environ.get("WFC", "wfc"), help="the wfc binary under test")
        ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
        ap.add_argument("--only", action="append", default=[], help="run only cases whose name contains this")
        self.opts = ap.parse_args()
        self.wfc = os.path.abspath(self.opts.wfc) if os.sep in self.opts.wfc else shutil.which(self.opts.wfc)
        if not self.wfc or not os.access(self.wfc, os.X_OK):
            print("error: wfc not found: %s" % self.opts.wfc, file=sys.stderr)
            sys.exit(2)
        self.dir = tempfile.mkdtemp(prefix="wf-itest-")
        self.runs = []
        self.results = []  # (case name, "PASS"/"FAIL"/"SKIP", detail)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        return p

    def fresh_dir(self, name):
        p = self.path(name)
        os.makedirs(p, exist_ok=True)
        return p

    def env(self, **extra):
        e = dict(os.environ)
        e["WF_LOG"] = "debug"
        e["WF_CACHE_DIR"] = self.path("cache")
        for k in ("WF_LAUNCHER", "WF_WORKER"):
            e.pop(k, None)
        e.update({k: str(v) for k, v in extra.items()})
        return e

    def start(self, name, wf, args, env=None, cwd=None):
        return Run(self, wf, args, env or self.env(), cwd or self.dir, name)

    def case(self, name, fn, needs_mpi=False):
        if self.opts.only and not any(o in name for o in self.opts.only):
            return
        if needs_mpi and not have_mpirun():
            self.results.append((name, "SKIP", "mpirun is not installed"))
            print("SKIP %s (mpirun is not installed)" % name, flush=True)
            return
        t0 = time.monotonic()
        n_runs = len(self.runs)
        try:
            fn()
            status, detail = "PASS", ""
        except TestFailure as e:
            status, detail = "FAIL", str(e)
        except Exception:
            status, detail = "FAIL", traceback.format_exc()
        finally:
            for r in self.runs[n_runs:]:
                r.cleanup()
        self.results.append((name, status, detail))
        print("%s %s (%.1f s)" % (status, name, time.monotonic() - t0), flush=True)
        if detail:
            print("  " + detail.replace("\n", "\n  "), flush=True)

    def finish(self):
        failed = [r for r in self.results if r[1] == "FAIL"]
        ran = [r for r in self.results if r[1] != "SKIP"]
        print("%d passed, %d failed, %d skipped" % (len(ran) - len(failed), len(failed), len(self.results) - len(ran)))
        if failed or self.opts.keep:
            print("files kept in %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if failed:
            sys.exit(1)
        if not ran and self.results:
            sys.exit(SKIP)
        sys.exit(0)


def check(cond, message, run=None):
    if not cond:
        raise TestFailure(message + ("\n" + run.tail() if run is not None else ""))


def launcher_args(launcher, workers, oversubscribe=False):
    a = ["--workers", str(workers), "--launcher", launcher]
    if oversubscribe:
        a.append("--oversubscribe")
    return a


# ---- protocol messages, for tests that forge them ------------------------------------------
# The driver and its workers exchange one msgpack map per ZeroMQ frame
# (runtime/src/protocol/messages.cpp): keys are msgpack str (a non-str key makes the whole
# message malformed), "v" is the protocol version and "k" the kind; text fields (host,
# message, frames, task) are str, payloads ("bytes": an object, a task's items, a result,
# output) are bin, and a payload of values is itself msgpack as stdlib/value_codec.cpp writes
# it (strings as str). With use_bin_type=True, Python str packs as str and bytes as bin, which
# is exactly that; the decoder accepts either for text, so only the keys really depend on it.

PROTOCOL_VERSION = 1
KIND = {"hello": 1, "object": 2, "ready": 3, "task": 4, "output": 5, "done": 6, "heartbeat": 7,
        "shutdown": 8, "bundle": 9, "withdraw": 10, "withdrawn": 11}  # MsgKind in runtime/src/protocol/messages.hpp


def need_msgpack():
    """Exits with SKIP if python3-msgpack is missing (as the tests do for python3-zmq)."""
    if msgpack is None:
        print("SKIP: python3-msgpack is not installed (apt-get install python3-msgpack)")
        sys.exit(SKIP)


def pack(value):
    """Any value as msgpack, str as str and bytes as bin (also for malformed messages)."""
    return msgpack.packb(value, use_bin_type=True)


def unpack(data, default=None):
    """A msgpack frame back into Python (str as str, bin as bytes, any map keys), or `default`
    if it is not one whole msgpack value."""
    try:
        return msgpack.unpackb(data, raw=False, strict_map_key=False)
    except (ValueError, msgpack.UnpackException):
        return default


def message(kind, **fields):
    """A message as a worker (or the driver) would send it: {"v": 1, "k": KIND[kind], **fields}."""
    return pack(dict({"v": PROTOCOL_VERSION, "k": KIND[kind]}, **fields))


def pids_in(path):
    """The pids written one per line by `shell("echo $PPID >> file")` in tasks (the worker's pid)."""
    try:
        with open(path) as f:
            return [int(l) for l in f.read().split() if l.strip().isdigit()]
    except FileNotFoundError:
        return []


def slow_tasks(n):
    """A flow whose tasks each sleep 2 s (the first writes STARTED when it begins), for tests
    that do something to a run in progress; returns (program, its expected output lines sorted)."""
    program = """
fn slow(x: int) -> int {
    if x == 0 {
        write_file("STARTED", "yes");
    }
    sleep(2.0);
    print("task", x);
    return x * 10;
}

flow main() {
    print("begin");
    let ys = map(slow, range(0, %d));
    print(ys);
    print(map(slow, [7]), submit(slow, 8).result());
    print("end");
}
""" % n
    expected = ["begin"] + ["task %d" % i for i in range(n)]
    expected += ["[" + ", ".join(str(10 * i) for i in range(n)) + "]", "task 7", "task 8", "[70] 80", "end"]
    return program, sorted(expected)


def worker_kill_program(mark):
    """400 short tasks for a test that kills a worker mid-run (tests/integration/test_worker_kill.py,
    tests/flux): every fifth task appends its worker's pid to the file `mark` (so the test knows
    which pids run tasks), the flow prints "ERR i message" per failed task and "failed N wrong M",
    then submits rounds of `whoami` until two different workers answered (the survivor and the
    replacement), at most 100 rounds."""
    return """fn work(x: int) -> int {
    if x % 5 == 0 {
        let r = shell("echo $PPID >> """ + mark + """");
    }
    sleep(0.005);
    return x * 2;
}

// Returns the pid of the worker that ran it.
fn whoami(x: int) -> int {
    let r = shell("echo $PPID");
    sleep(0.02);
    return parse_int(trim(r.1));
}

flow main() {
    var fs: [future[int]] = [];
    for i in 0..400 {
        push(fs, submit(work, i));
    }
    var failed = 0;
    var wrong = 0;
    for i in 0..len(fs) {
        let e = fs[i].error();
        if e != "" {
            failed += 1;
            print("ERR", i, e);
        } else if fs[i].result() != i * 2 {
            wrong += 1;
        }
    }
    print("failed", failed, "wrong", wrong);

    // Tasks submitted after the death: rounds of 8 until two different workers answered
    // (the survivor and the replacement), at most 100 rounds.
    var pids: [int] = [];
    var rounds = 0;
    while len(pids) < 2 and rounds < 100 {
        let got = map(whoami, range(0, 8));
        for p in got {
            if not contains(pids, p) {
                push(pids, p);
            }
        }
        rounds += 1;
    }
    print("after", map(work, range(1, 21)));
    for p in pids {
        print("PID", p);
    }
}
"""
