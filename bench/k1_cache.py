#!/usr/bin/python3
"""K1 (issue 16): the result cache's benchmarks, wf only (no peer has a comparable cache
in this repository's set; executorlib's cache_directory needs its Python stack).

  1. a 10 000-task map of 1 ms tasks (busy, not sleeping) run with a fresh --cache, then
     again fully from the cache: the speed-up (goal >= 10x);
  2. lookups per second: a 200 000-task map of zero-length tasks, fully cached, unchunked
     (one batch per task: what a map pays per cached item) and chunk=1000 (the lookups
     alone, almost) (goal >= 200 k/s);
  3. W2 (bench/wf/w2_throughput.wf, distinct=1: no phase finds another's results) with
     --cache on an empty directory against without (goal <= 1.5x the uncached time), runs
     alternating, fresh directory each time.

    /usr/bin/python3 bench/k1_cache.py [--wfc build/wfc] [--reps 5] [--out bench/results/cache.md]
"""
import argparse
import os
import shutil
import statistics
import tempfile
import time

from wf_result import result_of

HERE = os.path.dirname(os.path.abspath(__file__))


def run(wfc, prog, args, cache=None, workers=2):
    cmd = [wfc, "run", os.path.join(HERE, "wf", prog), "--workers", str(workers), "--launcher", "local"]
    if cache:
        cmd += ["--cache", cache]
    cmd += ["--"] + [str(a) for a in args]
    return result_of(cmd, timeout=600)


def med(xs):
    return statistics.median(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wfc", default=os.path.join(HERE, "..", "build", "wfc"))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "cache.md"))
    o = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="wf-k1-")
    rows = []
    try:
        # 1. run vs cached
        runs, cached = [], []
        for i in range(o.reps):
            c = os.path.join(tmp, "k1-%d" % i)
            runs.append(run(o.wfc, "k1_cache.wf", (10000, 1.0, 0), c)["map_s"])
            cached.append(run(o.wfc, "k1_cache.wf", (10000, 1.0, 0), c)["map_s"])
            shutil.rmtree(c)
        rows.append(("10 000 × 1 ms map, run (fresh --cache)", "%.3f s" % med(runs), "min %.3f max %.3f" % (min(runs), max(runs))))
        rows.append(("10 000 × 1 ms map, all from the cache", "%.2f ms" % (med(cached) * 1e3),
                     "min %.2f max %.2f ms" % (min(cached) * 1e3, max(cached) * 1e3)))
        rows.append(("speed-up from the cache (goal ≥ 10×)", "%.0f×" % (med(runs) / med(cached)), ""))
        # 2. lookups per second
        c = os.path.join(tmp, "lookups")
        n = 200000
        run(o.wfc, "k1_cache.wf", (n, 0.0, 0), c)
        un = [n / run(o.wfc, "k1_cache.wf", (n, 0.0, 0), c)["map_s"] for _ in range(o.reps)]
        run(o.wfc, "k1_cache.wf", (n, 0.0, 1000), c)
        ch = [n / run(o.wfc, "k1_cache.wf", (n, 0.0, 1000), c)["map_s"] for _ in range(o.reps)]
        rows.append(("cached map of 200 000, unchunked (goal ≥ 200 k/s)", "%.0f k/s" % (med(un) / 1e3),
                     "min %.0f max %.0f" % (min(un) / 1e3, max(un) / 1e3)))
        rows.append(("cached map of 200 000, chunk=1000", "%.0f k/s" % (med(ch) / 1e3),
                     "min %.0f max %.0f" % (min(ch) / 1e3, max(ch) / 1e3)))
        # 3. W2 overhead of --cache on an empty directory
        plain, withc = {"map_tps": [], "chunked_ips": [], "submit_tps": []}, {"map_tps": [], "chunked_ips": [], "submit_tps": []}
        for i in range(o.reps):
            a = run(o.wfc, "w2_throughput.wf", (20000, 2500, 2, 1))
            c = os.path.join(tmp, "w2-%d" % i)
            b = run(o.wfc, "w2_throughput.wf", (20000, 2500, 2, 1), c)
            shutil.rmtree(c)
            for k in plain:
                plain[k].append(a[k])
                withc[k].append(b[k])
        for k, what in (("map_tps", "W2 map (unchunked)"), ("chunked_ips", "W2 map (chunked)"), ("submit_tps", "W2 submit-all")):
            rows.append(("%s: time with --cache ÷ without (goal ≤ 1.5×)" % what, "%.2f×" % (med(plain[k]) / med(withc[k])),
                         "%.0f vs %.0f /s (medians)" % (med(withc[k]), med(plain[k]))))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with open(o.out, "w") as f:
        f.write("# Result cache (issue 16): K1\n\nMeasured %s on the 2-core machine, `bench/k1_cache.py --reps %d`, "
                "local launcher, 2 workers, medians.\n\n| measure | value | spread |\n|---|---|---|\n"
                % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), o.reps))
        for r in rows:
            f.write("| %s | %s | %s |\n" % r)
    for r in rows:
        print("%-60s %12s  %s" % r)


if __name__ == "__main__":
    main()
