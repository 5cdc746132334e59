#!/usr/bin/python3
"""Garbage on the driver's sockets is logged and dropped (RUNTIME.md "Messages and security").

While a run is in progress (tasks sleeping ~2 s; local and mpirun launchers), a foreign
ZeroMQ DEALER connects to the pool's task socket (ipc://<run dir>/pool0-tasks; TMPDIR points
at a fresh directory so the run dir is found there) and to its heartbeat socket, and sends:
random bytes, empty and huge frames, msgpack that is not a map, maps with a wrong protocol
version or kind, messages of kinds a worker never sends, a Done for an unknown task id, an
Output that must not be printed, a Hello of a worker that does not exist, Bundles (of such
messages, of junk, nested), msgpack bombs (deep nesting, huge declared lengths) and
multi-frame junk; and a raw unix socket writes bytes that are not ZMTP at all. Expected: the
run's output is exactly right, the exit status is 0, no worker died, and the drops are
logged on stderr.

The messages are built with python3-msgpack through wfharness.pack/message (the wire format
is described there), so the well-formed ones are exactly what the driver's decoder accepts
and only the fault each one carries is wrong; the bombs and truncations are raw bytes.

Needs python3-zmq and python3-msgpack (Debian packages; scripts/setup.sh installs them);
exit 77 if either is missing.
"""
import glob
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wfharness import KIND, SKIP, Harness, check, launcher_args, message, need_msgpack, pack, slow_tasks  # noqa: E402

try:
    import zmq
except ImportError:
    print("SKIP: python3-zmq is not installed (apt-get install python3-zmq)")
    sys.exit(SKIP)
need_msgpack()

h = Harness(__doc__)

WF, EXPECTED_SORTED = slow_tasks(4)


def garbage_messages():
    rnd = random.Random(1234)
    msgs = []
    # random bytes of many sizes, and an empty frame
    for n in (1, 2, 7, 64, 1000, 65536, 1 << 20):
        msgs.append(bytes(rnd.getrandbits(8) for _ in range(min(n, 4096))) * max(1, n // 4096))
    msgs.append(b"")
    # msgpack, but not a map / not a valid message
    msgs += [pack(1), pack("hello"), pack([1, 2, 3]), pack(None), pack({}), pack({1: 2}), pack({"v": 1}), pack({"k": 6})]
    # wrong protocol versions
    done = {"k": KIND["done"], "id": 1, "worker": 0, "rank": -1, "ok": True, "bytes": pack([5])}
    for v in (0, 2, -1, 2 ** 40, "1", 1.0, None):
        msgs.append(pack(dict({"v": v}, **done)))
    # wrong kinds: out of range (Withdrawn is the last kind), and kinds a worker never sends to the driver
    for k in (0, max(KIND.values()) + 1, 255, -3, "Done"):
        msgs.append(pack({"v": 1, "k": k}))
    msgs.append(message("object", bytes=b"\x7fELF" + bytes(100)))
    msgs.append(message("task", id=1, fn=0, bytes=pack([[1]]), ranks=[]))
    msgs.append(message("heartbeat", worker=0))
    msgs.append(message("shutdown"))
    msgs.append(message("withdraw", id=1, seq=0))
    msgs.append(message("withdrawn", id=1, worker=0))  # belongs on the heartbeat socket, from a worker
    # well-formed messages from a peer that is not a worker of the pool
    for tid in (0, 1, 2, 3, 4, 5, 999999, 2 ** 63):
        msgs.append(message("done", id=tid, worker=0, rank=-1, ok=True, bytes=pack([123456])))
        msgs.append(message("done", id=tid, worker=1, rank=0, ok=False, failed_item=0,
                            message="INJECTED ERROR", frames=["x"], task="t"))
    output = message("output", id=1, stream=1, bytes=b"INJECTED OUTPUT\n")
    msgs.append(output)
    msgs.append(message("ready", worker=0, ok=False, message="INJECTED READY"))
    msgs.append(message("hello", worker=77, pid=1, host="nowhere", world=0, world_rank=0, world_size=1))  # unknown
    msgs.append(message("hello", worker=0, pid=1, host="nowhere", world=0, world_rank=0, world_size=1))   # worker 0 again
    msgs.append(message("hello", worker=5, pid=1, host="x", world=99, world_rank=0, world_size=1))        # unknown world
    # bundles (several messages in one): of forged messages, empty, of junk, nested
    msgs.append(message("bundle", bytes=output + message("done", id=1, worker=0, rank=-1, ok=True, bytes=pack([7]))))
    msgs.append(message("bundle", bytes=b""))
    msgs.append(message("bundle", bytes=b"\xc1junk"))
    msgs.append(message("bundle", bytes=message("bundle", bytes=output)))
    # wrong field types
    for field, val in (("id", -1), ("id", "1"), ("ok", 1), ("ranks", ["a"]), ("frames", [1]),
                       ("worker", 2 ** 40), ("bytes", 5), ("message", 5)):
        msgs.append(message("done", **{"id": 1, "ok": False, field: val}))
    # bombs: deep nesting, huge declared lengths, truncations
    msgs.append(b"\x91" * 200000 + b"\x00")
    msgs.append(b"\x81\xa1v" + b"\x91" * 200000 + b"\x01")
    msgs.append(b"\xdd\xff\xff\xff\xff")              # array of 4 G elements, no elements
    msgs.append(b"\xdf\xff\xff\xff\xff")              # map of 4 G pairs
    msgs.append(b"\xdb\xff\xff\xff\xff" + b"abc")     # str of 4 GB
    msgs.append(b"\xc6\xff\xff\xff\xff" + b"abc")     # bin of 4 GB
    msgs.append(b"\x82\xa1v\x01\xa1k\xdd\xff\xff\xff\xff")
    msgs.append(message("done", id=1)[:-3])
    msgs.append(message("done", id=1) + b"trailing")
    return msgs


def attack(run_dir, log):
    ctx = zmq.Context()
    try:
        for name in ("pool0-tasks", "pool0-beats"):
            ep = "ipc://" + os.path.join(run_dir, name)
            s = ctx.socket(zmq.DEALER)
            s.setsockopt(zmq.LINGER, 3000)
            s.connect(ep)
            n = 0
            for m in garbage_messages():
                s.send(m)
                n += 1
            # multi-frame junk (a worker's DEALER sends one frame per message)
            s.send_multipart([b"junk", b"more junk"])
            s.send_multipart([b"", b"", b""])
            s.send_multipart([message("done", id=1, ok=True), b"tail"])
            s.send_multipart([b"w0", message("done", id=1, worker=0, rank=-1, ok=True, bytes=pack([1]))])
            n += 4
            s.close()
            log.append("%d messages to %s" % (n, name))
            # a few short-lived peers, each with one message
            for i in range(20):
                t = ctx.socket(zmq.DEALER)
                t.setsockopt(zmq.LINGER, 1000)
                t.connect(ep)
                t.send(message("done", id=i, ok=True, bytes=b"") if i % 2 else os.urandom(50))
                t.close()
    finally:
        ctx.destroy()  # closes a socket left open by an exception (term() alone would hang)
    # not ZMTP at all: raw bytes on the unix socket
    for name in ("pool0-tasks", "pool0-beats"):
        for payload in (os.urandom(4096), b"\xff" + b"\x00" * 8 + b"\x7f" + os.urandom(200), b"GET / HTTP/1.0\r\n\r\n"):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                c.connect(os.path.join(run_dir, name))
                c.sendall(payload)
                time.sleep(0.05)
            except OSError as e:
                log.append("raw %s: %s" % (name, e))
            finally:
                c.close()


def case(launcher):
    name = "garbage-" + launcher
    d = h.fresh_dir(name)
    tmp = h.fresh_dir(name + "-tmp")
    started = os.path.join(d, "started")
    wf = h.write(name + "/app.wf", WF.replace("STARTED", started))
    run = h.start(name, wf, launcher_args(launcher, 2), env=h.env(TMPDIR=tmp), cwd=d)
    sock = run.wait_for(lambda: ([p for p in glob.glob(os.path.join(tmp, "wf-*", "pool0-tasks"))] or [None])[0],
                        30, "the run directory with pool0-tasks in TMPDIR")
    run_dir = os.path.dirname(sock)
    check(os.stat(run_dir).st_mode & 0o777 == 0o700, "run directory %s is not mode 0700" % run_dir, run)
    run.wait_for(lambda: os.path.exists(started), 30, "the first task running")
    log = []
    attack(run_dir, log)
    check(run.p.poll() is None, "wfc ended during the garbage (status %s)" % run.p.poll(), run)
    workers_before = dict(run.workers())
    rc = run.wait(30)
    check(rc is not None, "wfc did not end within 30 s after the garbage (hang)", run)
    out = run.stdout().splitlines()
    err = run.stderr()
    check(rc == 0, "exit status %s, expected 0" % rc, run)
    check(sorted(out) == EXPECTED_SORTED, "wrong output: %s\nexpected (any order of lines): %s"
          % (out, EXPECTED_SORTED), run)
    check(out[0] == "begin" and out[-1] == "end" and out.index("[0, 10, 20, 30]") > 4,
          "output lines out of order: %s" % out, run)
    check("INJECTED" not in run.stdout() + err, "injected output or error text reached the user", run)
    check(" died" not in err, "a worker died: %s" % [l for l in err.splitlines() if " died" in l], run)
    check(run.workers() == workers_before and len(workers_before) == 2,
          "the pool's workers changed: %s -> %s" % (workers_before, run.workers()), run)
    check("dropped a malformed message" in err, "the malformed messages were not logged on stderr", run)
    check("dropped an unexpected message" in err or "ignored a hello" in err,
          "messages of unexpected kinds were not logged on stderr", run)


for launcher in ("local", "mpirun"):
    h.case("garbage[%s]" % launcher, lambda: case(launcher), needs_mpi=launcher == "mpirun")
h.finish()
