#!/usr/bin/python3
"""M2's reference line: the relax loop of bench/wf/m2_relax.wf in Python/numpy, one process.

    /usr/bin/python3 bench/m2_numpy.py --n 100000 --steps 4000

Each step makes a new array, as the wf loop does (`var nu = u; ...; u = nu;`):
    nu = u.copy(); nu[1:-1] = 0.5 * (u[:-2] + u[2:]); u = nu
The process resets its peak RSS (/proc/self/clear_refs) first, then prints
`RESULT M2 n=.. steps=.. time_s=.. peak_mb=.. base_mb=.. data_mb=.. checksum=..` like the wf
program. For n <= 2000 the answer is checked point by point against a plain Python loop with the same
arithmetic; for every n the boundaries and the range [0, 1] are checked, and bench/run.py
compares the checksum with wf's. Without numpy it prints `SKIP ...` and exits with status 3.
"""
import argparse
import sys
import time


def status_kb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--steps", type=int, default=4000)
    a = ap.parse_args()
    try:
        import numpy as np
    except ImportError as e:
        print("SKIP numpy not installed (Debian package python3-numpy): %s" % e, flush=True)
        sys.exit(3)
    n, steps = a.n, a.steps
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    base = status_kb("VmRSS:")
    t0 = time.perf_counter()
    u = np.zeros(n)
    u[n - 1] = 1.0
    for _ in range(steps):
        nu = u.copy()
        nu[1:-1] = 0.5 * (u[:-2] + u[2:])
        u = nu
    dt = time.perf_counter() - t0
    peak = status_kb("VmHWM:")
    if n <= 2000:  # a plain Python loop with the same arithmetic, every point
        ref = [0.0] * n
        ref[n - 1] = 1.0
        for _ in range(steps):
            nr = list(ref)
            for i in range(1, n - 1):
                nr[i] = 0.5 * (ref[i - 1] + ref[i + 1])
            ref = nr
        bad = sum(1 for i in range(n) if ref[i] != u[i])
        if bad:
            print("FAIL M2 numpy relax: %d of %d points differ from the Python loop" % (bad, n), flush=True)
            sys.exit(1)
    if not (0.0 <= float(u.min()) and float(u.max()) <= 1.0 and u[n - 1] == 1.0 and u[0] == 0.0):
        print("FAIL M2 numpy relax: values outside [0, 1] or boundaries moved", flush=True)
        sys.exit(1)
    print("RESULT M2 n=%d steps=%d time_s=%.6f peak_mb=%.3f base_mb=%.3f data_mb=%.6f checksum=%.17g"
          % (n, steps, dt, peak / 1024.0, base / 1024.0, 8.0 * n / 1048576.0, float(np.sum(u))), flush=True)


if __name__ == "__main__":
    main()
