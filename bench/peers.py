#!/usr/bin/python3
"""The peer systems' side of the wf benchmarks (BENCHMARKS.md), Debian packages only.

One process runs one workload on one peer system and prints machine-readable lines
`RESULT <W> key=value ...` in the same format as the wf programs under bench/wf/.
Correctness is checked (sums, counts); a wrong answer exits with status 1.
A peer that is not installed prints `SKIP <reason>` and exits with status 3.

    /usr/bin/python3 bench/peers.py --system ppe --workload W1
    mpirun -n 3 /usr/bin/python3 -m mpi4py.futures bench/peers.py --system mpi4py --workload W1
    /usr/bin/python3 bench/peers.py --system mpi4py-spawn --workload W5   # MPI_Comm_spawn
    /usr/bin/python3 bench/peers.py --system dask --workload W2

Systems: ppe (concurrent.futures.ProcessPoolExecutor), mpi4py (mpi4py.futures.MPIPoolExecutor
on the ranks of `mpirun -n workers+1 python3 -m mpi4py.futures`), mpi4py-spawn (the same,
workers started by MPI_Comm_spawn from a singleton), dask (dask.distributed LocalCluster,
processes, 1 thread each), executorlib (only when importable; not a Debian package).

Workloads: W1 (round-trip latency), W2 (throughput: map, chunked map, submit-all),
W3 (8 tasks of the LCG kernel; run it with --workers 1 and 2 for the speedup), W5 (cold start:
submit one task; the caller times the whole process).

The task functions live at module level here and are sent by reference (`peers.inc`): the
main program imports this file as the module `peers`, and the workers import it through
PYTHONPATH, which main() sets to this directory.
"""
import argparse
import math
import os
import sys
import time

MASK = (1 << 64) - 1
A = 6364136223846793005
C = 1442695040888963407
LIMIT = 1 << 62


# ---- task functions (sent by reference) ---------------------------------------------------
def ident(x):
    return x


def inc(x):
    return x + 1


def count_inside(seed, n):
    s = seed
    inside = 0
    for _ in range(n):
        s = (s * A + C) & MASK
        x = s >> 33
        s = (s * A + C) & MASK
        y = s >> 33
        if x * x + y * y < LIMIT:
            inside += 1
    return inside


def hello(x):
    return x + 1


def nap(ms):
    time.sleep(ms / 1000.0)
    return ms


def w7_durations(n):
    """The durations of W7 (b) in ms, exactly as bench/wf/w7_balance.wf draws them: a 64-bit
    LCG (MMIX constants, seed 7), u = top 53 bits / 2^53, d = 0.1 * 200^u."""
    x, out = 7, []
    for _ in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        u = (x >> 11) / 9007199254740992.0
        out.append(0.1 * math.exp(u * math.log(200.0)))
    return out


def task_pid(sec):
    time.sleep(sec)
    return os.getpid()


# ---- executors ------------------------------------------------------------------------------
class Skip(Exception):
    pass


class Peer:
    """A uniform face on each system: submit -> future with .result(); map(f, xs, chunk)."""

    chunked = True

    def __init__(self, system, workers):
        self.system = system
        self.workers = workers
        self.client = None
        self.cluster = None
        if system == "ppe":
            from concurrent.futures import ProcessPoolExecutor
            self.ex = ProcessPoolExecutor(max_workers=workers)
        elif system in ("mpi4py", "mpi4py-spawn"):
            try:
                from mpi4py.futures import MPIPoolExecutor
            except ImportError as e:
                raise Skip("mpi4py not installed: %s" % e)
            if system == "mpi4py":
                # under `python3 -m mpi4py.futures`, the pool is the other ranks of the world
                self.ex = MPIPoolExecutor()
            else:
                self.ex = MPIPoolExecutor(max_workers=workers)
        elif system == "dask":
            try:
                from dask.distributed import Client, LocalCluster
            except ImportError as e:
                raise Skip("dask.distributed not installed: %s" % e)
            self.chunked = False
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)
            self.client.wait_for_workers(workers)
        elif system == "executorlib":
            try:
                import executorlib
            except ImportError as e:
                raise Skip("executorlib not installed (not a Debian package): %s" % e)
            ex_cls = getattr(executorlib, "SingleNodeExecutor", None) or getattr(executorlib, "Executor")
            self.chunked = False
            self.ex = ex_cls(max_workers=workers)
        else:
            raise SystemExit("unknown system " + system)

    def submit(self, f, *args):
        if self.client is not None:
            return self.client.submit(f, *args, pure=False)
        return self.ex.submit(f, *args)

    def map(self, f, xs, chunk=None):
        if self.client is not None:
            if chunk:
                raise Skip("no chunked map in dask.distributed")
            return self.client.gather(self.client.map(f, xs, pure=False))
        if chunk:
            if not self.chunked:
                raise Skip("no chunked map")
            return list(self.ex.map(f, xs, chunksize=chunk))
        return list(self.ex.map(f, xs))

    def wait_all(self, futs):
        if self.client is not None:
            return self.client.gather(futs)
        return [f.result() for f in futs]

    def close(self):
        if self.client is not None:
            self.client.close()
            self.cluster.close()
        else:
            self.ex.shutdown(wait=True)


def warm_workers(peer, T, workers):
    """Wait until `workers` distinct worker processes have each run a task (rounds of 20 ms
    tasks), as the wf programs do: pools that start workers lazily are measured warm."""
    t0 = time.perf_counter()
    pids, stale = set(), 0
    while len(pids) < workers and stale < 5 and time.perf_counter() - t0 < 60:
        before = len(pids)
        pids.update(peer.wait_all([peer.submit(T.task_pid, 0.02) for _ in range(workers)]))
        stale = stale + 1 if len(pids) == before else 0
    return len(pids)


def quantile(sorted_xs, p):
    i = min(len(sorted_xs) - 1, int(p * len(sorted_xs)))
    return sorted_xs[i]


def fail(msg):
    print("FAIL " + msg, flush=True)
    sys.exit(1)


# ---- workloads --------------------------------------------------------------------------------
def w1(peer, T, n, warm):
    for i in range(warm):
        if peer.submit(T.ident, i).result() != i:
            fail("W1 warm-up: wrong result")
    lat = [0.0] * n
    total = 0
    for i in range(n):
        t0 = time.perf_counter()
        total += peer.submit(T.ident, i).result()
        lat[i] = time.perf_counter() - t0
    if total != n * (n - 1) // 2:
        fail("W1: sum %d" % total)
    s = sorted(lat)
    print("RESULT W1 p50_us=%.3f p99_us=%.3f mean_us=%.3f n=%d"
          % (quantile(s, 0.5) * 1e6, quantile(s, 0.99) * 1e6, sum(lat) / n * 1e6, n), flush=True)


def w2(peer, T, n, chunk):
    xs = list(range(n))
    want = n * (n + 1) // 2
    if sum(peer.map(T.inc, list(range(200)))) != 200 * 201 // 2:
        fail("W2 warm-up")
    out = []
    t0 = time.perf_counter()
    got = sum(peer.map(T.inc, xs))
    dt = time.perf_counter() - t0
    if got != want:
        fail("W2 map: sum %d" % got)
    out.append("map_tps=%.1f" % (n / dt))
    try:
        t0 = time.perf_counter()
        got = sum(peer.map(T.inc, xs, chunk=chunk))
        dt = time.perf_counter() - t0
        if got != want:
            fail("W2 chunked map: sum %d" % got)
        out.append("chunked_ips=%.1f" % (n / dt))
    except Skip as e:
        print("NOTE W2 chunked: %s" % e, flush=True)
    t0 = time.perf_counter()
    futs = [peer.submit(T.inc, x) for x in xs]
    got = sum(peer.wait_all(futs))
    dt = time.perf_counter() - t0
    if got != want:
        fail("W2 submit-all: sum %d" % got)
    out.append("submit_tps=%.1f" % (n / dt))
    print("RESULT W2 " + " ".join(out) + " n=%d chunk=%d" % (n, chunk), flush=True)


def w3(peer, T, tasks, samples, expect):
    best = 1e30
    for _ in range(2):
        t0 = time.perf_counter()
        c = T.count_inside(1, samples)
        best = min(best, time.perf_counter() - t0)
        if c != expect:
            fail("W3 kernel: count %d, expected %d" % (c, expect))
    if peer.submit(T.count_inside, 1, 1000).result() <= 0:
        fail("W3 warm-up")
    t0 = time.perf_counter()
    futs = [peer.submit(T.count_inside, 1, samples) for _ in range(tasks)]
    counts = peer.wait_all(futs)
    wall = time.perf_counter() - t0
    for c in counts:
        if c != expect:
            fail("W3 task: count %d, expected %d" % (c, expect))
    print("RESULT W3 wall_s=%.6f kernel_ms=%.3f kernel_ms_per_2M=%.3f tasks=%d samples=%d"
          % (wall, best * 1e3, best * 1e3 * 2e6 / samples, tasks, samples), flush=True)


def w7(peer, T, case, mode, workers):
    if case == "a":
        peer.map(T.nap, [0.0] * 2000)
        d = [800.0] + [100.0] * 7
    else:
        d = w7_durations(4000)
    t0 = time.perf_counter()
    if mode == "map":
        total = sum(peer.map(T.nap, d))
    else:
        total = sum(peer.wait_all([peer.submit(T.nap, x) for x in d]))
    makespan = time.perf_counter() - t0
    if abs(total - sum(d)) > 1e-6 * sum(d):
        fail("W7: results sum to %r, expected %r" % (total, sum(d)))
    bound = max(sum(d) / 1000.0 / workers, max(d) / 1000.0)
    print("RESULT W7 case=%s mode=%s makespan_s=%.6f bound_s=%.6f ratio=%.6f n=%d workers=%d"
          % (case, mode, makespan, bound, makespan / bound, len(d), workers), flush=True)


def w5(peer, T):
    r = peer.submit(T.hello, 41).result()
    if r != 42:
        fail("W5: result %r" % r)
    print("hello", r, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--system", required=True,
                    choices=["ppe", "mpi4py", "mpi4py-spawn", "dask", "executorlib"])
    ap.add_argument("--workload", required=True, choices=["W1", "W2", "W3", "W5", "W7"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--n", type=int, default=None, help="W1 round trips / W2 tasks / W3 tasks")
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--chunk", type=int, default=2500)
    ap.add_argument("--samples", type=int, default=200000, help="W3 samples per task")
    ap.add_argument("--expect", type=int, default=None, help="W3 count for --samples, seed 1")
    ap.add_argument("--case", choices=["a", "b"], default="a", help="W7 case")
    ap.add_argument("--mode", choices=["map", "submit"], default="map", help="W7: map or submit-all")
    a = ap.parse_args()

    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    os.environ["PYTHONPATH"] = here + (":" + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    import peers as T  # the task functions by reference, as `peers.<name>`

    try:
        peer = Peer(a.system, a.workers)
    except Skip as e:
        print("SKIP " + str(e), flush=True)
        sys.exit(3)
    try:
        if a.workload != "W5":
            seen = warm_workers(peer, T, a.workers)
            if seen < a.workers:
                print("NOTE only %d of %d workers ran a warm-up task" % (seen, a.workers), flush=True)
        if a.workload == "W1":
            w1(peer, T, a.n or 2000, a.warmup)
        elif a.workload == "W2":
            w2(peer, T, a.n or 20000, a.chunk)
        elif a.workload == "W3":
            expect = a.expect
            if expect is None:
                if a.samples != 2000000:
                    fail("W3: --expect is needed for --samples other than 2000000")
                expect = 1570006
            w3(peer, T, a.n or 8, a.samples, expect)
        elif a.workload == "W5":
            w5(peer, T)
        elif a.workload == "W7":
            w7(peer, T, a.case, a.mode, a.workers)
    finally:
        peer.close()


if __name__ == "__main__":
    main()
