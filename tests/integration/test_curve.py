#!/usr/bin/python3
"""Across machines the driver's sockets refuse peers without the run's CURVE key
(RUNTIME.md "Messages and security").

A run with `--hostfile` (a file with `localhost slots=4`, so the mpirun launcher and TCP with
CURVE) and 2 workers executes 8 tasks that sleep 2 s each (about 10 s in all). While they run, the test finds the driver's two TCP
ports (the listening sockets of the wfc process, through /proc/<pid>/fd and /proc/net/tcp*;
which one is the task socket it learns from WF_ENDPOINT in a worker's environment) and, on
both ports, connects
  (1) a plain ZeroMQ DEALER (no CURVE; routing id of worker 0), and
  (2) a DEALER that is a CURVE client with its own key pair but a wrong server key,
  (2b) a CURVE client that knows the server's public key but not the run's client key pair,
each sending well-formed-looking protocol messages (Hello, Ready, Output with text that must
never be printed, Done for the running task ids, Heartbeat). Expected:
  - neither peer completes a ZMTP handshake (socket monitor: no HANDSHAKE_SUCCEEDED, and the
    connection is refused: a HANDSHAKE_FAILED_* or DISCONNECTED event), and neither gets a
    single message back;
  - nothing they sent was read: stdout is exactly right, the exit status is 0, no worker died
    or changed, nothing injected reaches stdout or stderr, and the driver logged no dropped or
    ignored message at all (a message dropped after reading would be logged);
  - no process command line holds the CURVE key: neither wfc's, mpirun's nor a wf-worker's
    (nor any other process's on this machine) contains the WF_CURVE_SERVER value, a
    `WF_CURVE_SERVER=` assignment, or any other 40-character Z85 string (a CURVE key); the
    key reaches the workers through their environment (checked), and no WF_* variable there
    other than WF_CURVE_SERVER holds a key (the server's secret key stays in the driver).

The forged messages are built with python3-msgpack through wfharness.message (the wire
format is described there), so they decode as a worker's would: were one read, the driver
would log it as ignored or dropped (at least the Hello), which the checks below would see.

Run: /usr/bin/python3 tests/integration/test_curve.py --wfc build/wfc
Needs mpirun (Open MPI), python3-zmq with CURVE and python3-msgpack (Debian packages);
exit 77 if missing.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import SKIP, Harness, check, descendants, message, need_msgpack, pack, slow_tasks, unpack  # noqa: E402

try:
    import zmq
    from zmq.utils.monitor import recv_monitor_message
except ImportError:
    print("SKIP: python3-zmq is not installed (apt-get install python3-zmq)")
    sys.exit(SKIP)
if not zmq.has("curve"):
    print("SKIP: this libzmq has no CURVE support")
    sys.exit(SKIP)
need_msgpack()

h = Harness(__doc__)

WF, EXPECTED_SORTED = slow_tasks(6)

Z85_KEY = re.compile(r"(?<![0-9A-Za-z.\-:+=^!/*?&<>()\[\]{}@%$#])[0-9A-Za-z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}"
                     r"(?![0-9A-Za-z.\-:+=^!/*?&<>()\[\]{}@%$#])")


def key_like(arg):
    """True if a piece of `arg` (split at '=', ',' and blanks) is 40 Z85 characters, as a CURVE
    key is, and not the name of an existing file (a path can be made of Z85 characters too)."""
    for piece in re.split(r"[=,\s]", arg):
        if len(piece) == 40 and Z85_KEY.fullmatch(piece) and not os.path.exists(piece):
            return True
    return False


# ---- what the strangers send -------------------------------------------------------------

def forged_messages():
    """Messages shaped like a worker's (protocol version 1), as a stranger would forge them."""
    msgs = [message("hello", worker=0, pid=os.getpid(), host="vm", world=0, world_rank=0, world_size=2),
            message("ready", worker=0, ok=True),
            message("output", id=1, stream=1, bytes=b"INJECTED OUTPUT\n"),
            message("heartbeat", worker=0)]
    for tid in range(0, 12):
        msgs.append(message("done", id=tid, worker=0, rank=-1, ok=True, bytes=pack([123456])))
        msgs.append(message("done", id=tid, worker=1, rank=-1, ok=False, failed_item=0,
                            message="INJECTED ERROR", frames=["x"], task="slow"))
    return msgs


# ---- the driver's TCP ports and the processes of the run ----------------------------------

def listening_tcp_ports(pid):
    """Ports of the TCP sockets in LISTEN state that process `pid` holds."""
    inodes = set()
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    except OSError:
        return set()
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 9 and cols[3] == "0A" and cols[9] in inodes:
                ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    if not ports:  # fall back on ss (iproute2)
        try:
            import subprocess
            out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, timeout=10).stdout
            for line in out.splitlines():
                if "pid=%d," % pid in line:
                    ports.add(int(line.split()[3].rsplit(":", 1)[1]))
        except (OSError, ValueError, IndexError):
            pass
    return ports


def environ_of(pid):
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            data = f.read()
    except OSError:
        return {}
    out = {}
    for item in data.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            out[k.decode("utf-8", "replace")] = v.decode("utf-8", "replace")
    return out


def cmdline_of(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return None


def run_processes(run):
    """pid -> comm of wfc and everything below it (mpirun, wf-worker, ...) now."""
    procs = {run.pid: "wfc"}
    procs.update(descendants(run.pid))
    return procs


def check_command_lines(run, key, seen):
    """No command line holds the key (or any CURVE-key-like string, or WF_CURVE_SERVER=...)."""
    procs = run_processes(run)
    for pid, comm in procs.items():
        args = cmdline_of(pid)
        if args is None:
            continue
        seen.setdefault(comm, 0)
        seen[comm] += 1
        line = " ".join(args)
        check(key not in line, "the CURVE server key is on the command line of %s (pid %d): %s" % (comm, pid, line), run)
        check("WF_CURVE_SERVER=" not in line,
              "a WF_CURVE_SERVER assignment is on the command line of %s (pid %d): %s" % (comm, pid, line), run)
        keyish = [a for a in args if key_like(a)]
        check(not keyish, "a CURVE-key-like argument on the command line of %s (pid %d): %s" % (comm, pid, keyish), run)
    # And on no other process of this machine either (the key is random: any hit is a leak).
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        args = cmdline_of(int(name))
        if args and key in " ".join(args):
            check(False, "the CURVE server key is on the command line of pid %s: %s" % (name, " ".join(args)), run)
    return procs


# ---- the two strangers -------------------------------------------------------------------

EVENT_NAMES = {getattr(zmq, n): n for n in dir(zmq) if n.startswith("EVENT_") and n not in ("EVENT_ALL", "EVENT_ALL_V1", "EVENT_ALL_V2")}


def stranger(ctx, endpoint, curve_server_key=None, routing_id=None, seconds=1.0):
    """Connects a DEALER, sends the forged messages, listens for `seconds`; returns
    (messages received, monitor event names, number of messages sent)."""
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RECONNECT_IVL, 100)
    s.setsockopt(zmq.SNDHWM, 100000)
    if routing_id is not None:
        s.setsockopt(zmq.ROUTING_ID, routing_id)
    if curve_server_key is not None:
        pub, sec = zmq.curve_keypair()
        s.setsockopt(zmq.CURVE_PUBLICKEY, pub)
        s.setsockopt(zmq.CURVE_SECRETKEY, sec)
        s.setsockopt(zmq.CURVE_SERVERKEY, curve_server_key)
    mon = s.get_monitor_socket()
    s.connect(endpoint)
    sent = 0
    for m in forged_messages():
        try:
            s.send(m, zmq.NOBLOCK)
            sent += 1
        except zmq.Again:
            break
    got, events = [], []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if s.poll(50, zmq.POLLIN):
            got.append(s.recv_multipart())
        while mon.poll(0):
            ev = recv_monitor_message(mon)
            events.append(EVENT_NAMES.get(ev["event"], str(ev["event"])))
    s.disable_monitor()
    mon.close(0)
    s.close(0)
    return got, events, sent


def refused(events):
    return (any(e.startswith("EVENT_HANDSHAKE_FAILED") for e in events) or "EVENT_DISCONNECTED" in events) \
        and "EVENT_HANDSHAKE_SUCCEEDED" not in events


def case():
    name = "curve"
    d = h.fresh_dir(name)
    started = os.path.join(d, "started")
    hostfile = h.write(name + "/hosts", "localhost slots=4\n")
    wf = h.write(name + "/app.wf", WF.replace("STARTED", started))
    run = h.start(name, wf, ["--hostfile", hostfile, "--workers", "2"], cwd=d)

    workers = run.wait_for(lambda: len(run.workers()) == 2 and run.workers(), 60, "2 workers up")
    run.wait_for(lambda: os.path.exists(started), 30, "the first task running")
    env = {}
    for w, (pid, _, _) in sorted(workers.items()):
        env = environ_of(pid)
        if env:
            break
    check(env, "cannot read the environment of any worker (%s)" % workers, run)
    task_ep, hb_ep, key = env.get("WF_ENDPOINT", ""), env.get("WF_HB_ENDPOINT", ""), env.get("WF_CURVE_SERVER", "")
    check(task_ep.startswith("tcp://") and hb_ep.startswith("tcp://"),
          "with --hostfile the workers' endpoints must be tcp://, got %r and %r" % (task_ep, hb_ep), run)
    check(len(key) == 40 and Z85_KEY.fullmatch(key), "WF_CURVE_SERVER in a worker's environment is not a Z85 key: %r" % key, run)
    # The run's client key pair travels in the environment too (the driver admits only it);
    # the server's secret key never leaves the driver.
    allowed = {"WF_CURVE_SERVER", "WF_CURVE_PUBLIC", "WF_CURVE_SECRET"}
    other_keys = {k: v for k, v in env.items() if k.startswith("WF_") and k not in allowed and Z85_KEY.search(v)}
    check(not other_keys, "other WF_* variables of a worker hold key-like values (a secret key?): %s" % other_keys, run)
    task_port = int(task_ep.rsplit(":", 1)[1])
    hb_port = int(hb_ep.rsplit(":", 1)[1])
    ports = listening_tcp_ports(run.pid)
    check({task_port, hb_port} <= ports,
          "the driver (wfc pid %d) does not listen on the workers' ports %d and %d (it listens on %s)"
          % (run.pid, task_port, hb_port, sorted(ports)), run)

    seen = {}
    procs = check_command_lines(run, key, seen)
    check("mpirun" in procs.values() and list(procs.values()).count("wf-worker") >= 2,
          "expected mpirun and 2 wf-worker below wfc, saw %s" % sorted(procs.values()), run)

    workers_before = dict(run.workers())
    wrong_key = zmq.curve_keypair()[0]
    ctx = zmq.Context()
    results = []
    try:
        for port, what in ((task_port, "task"), (hb_port, "heartbeat")):
            ep = "tcp://127.0.0.1:%d" % port
            results.append(("plain DEALER", what) + stranger(ctx, ep, routing_id=b"w0"))
            results.append(("CURVE DEALER with a wrong server key", what) + stranger(ctx, ep, curve_server_key=wrong_key))
            # Knowing the server's public key is not enough: the client key must be the run's.
            results.append(("CURVE DEALER with the server key but its own client key", what)
                           + stranger(ctx, ep, curve_server_key=key.encode()))
    finally:
        ctx.destroy(linger=0)  # closes a socket left open by an exception (term() alone would hang)
    check(run.p.poll() is None, "wfc ended during the attempts (status %s); the tasks should still be running"
          % run.p.poll(), run)
    for who, what, got, events, sent in results:
        check(sent > 0, "%s on the %s port sent nothing" % (who, what), run)
        check(not got, "%s on the %s port got %d message(s) back: %r"
              % (who, what, len(got), [[unpack(f, f) for f in frames] for frames in got[:3]]), run)
        check("EVENT_CONNECTED" in events, "%s never reached the %s port (events %s)" % (who, what, events), run)
        check(refused(events), "%s on the %s port was not refused at the handshake (events %s)" % (who, what, events), run)
    check_command_lines(run, key, seen)  # again, later in the run

    rc = run.wait(60)
    check(rc is not None, "wfc did not end within 60 s after the attempts (hang)", run)
    out = run.stdout().splitlines()
    err = run.stderr()
    check(rc == 0, "exit status %s, expected 0" % rc, run)
    check(sorted(out) == EXPECTED_SORTED, "wrong output: %s\nexpected (any order of lines): %s" % (out, EXPECTED_SORTED), run)
    check(out[0] == "begin" and out[-1] == "end" and out.index("[0, 10, 20, 30, 40, 50]") > 6,
          "output lines out of order: %s" % out, run)
    check("INJECTED" not in run.stdout() + err, "injected output or error text reached the user", run)
    check(" died" not in err, "a worker died: %s" % [l for l in err.splitlines() if " died" in l], run)
    check(run.workers() == workers_before and len(workers_before) == 2,
          "the pool's workers changed: %s -> %s" % (workers_before, run.workers()), run)
    read = [l for l in err.splitlines() if re.search(r"dropped|ignored|malformed|unexpected", l)]
    check(not read, "the driver read (and dropped) messages from a refused peer: %s" % read[:5], run)
    print("  refused: " + "; ".join("%s on %s port: %s" % (who, what, ",".join(sorted(set(e[6:] for e in events))))
                                    for who, what, _, events, _ in results), flush=True)
    print("  command lines checked: %s" % ", ".join("%s x%d" % kv for kv in sorted(seen.items())), flush=True)


h.case("curve_refusal[hostfile]", case, needs_mpi=True)
h.finish()
