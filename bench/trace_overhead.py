#!/usr/bin/python3
"""Issue 17: what `wfc run --trace` costs, wf only. W2 (bench/wf/w2_throughput.wf,
distinct=1) and W6 (bench/wf/w6_fanout.wf: 20 000 × 10 ms on 64 workers) with and without
--trace, runs alternating (plain, traced, plain, ...) so that drift of the machine hits both
alike; medians and each side's spread, and the time ratio traced ÷ plain.

    /usr/bin/python3 bench/trace_overhead.py [--wfc build/wfc] [--reps 9] [--w6-reps 3] [--out bench/results/trace.md]
"""
import argparse
import os
import statistics
import tempfile
import time

from wf_result import result_of

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wfc", default=os.path.join(HERE, "..", "build", "wfc"))
    ap.add_argument("--reps", type=int, default=9)
    ap.add_argument("--w6-reps", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "trace.md"))
    o = ap.parse_args()
    trace = os.path.join(tempfile.mkdtemp(prefix="wf-trace-"), "run.json")
    w2 = [o.wfc, "run", os.path.join(HERE, "wf", "w2_throughput.wf"), "--workers", "2", "--launcher", "local",
          "--", "20000", "2500", "2", "1"]
    w6 = [o.wfc, "run", os.path.join(HERE, "wf", "w6_fanout.wf"), "--workers", "64", "--oversubscribe",
          "--launcher", "local", "--", "20000", "64", "0.01"]
    rows = []

    def compare(name, cmd, reps, metrics):
        got = {False: [], True: []}
        for _ in range(reps):
            for traced in (False, True):
                got[traced].append(result_of(cmd[:3] + (["--trace", trace] if traced else []) + cmd[3:]))
        size = os.path.getsize(trace)
        for key, what, higher_is_faster in metrics:
            p = [r[key] for r in got[False]]
            t = [r[key] for r in got[True]]
            ratio = statistics.median(p) / statistics.median(t) if higher_is_faster else statistics.median(t) / statistics.median(p)
            rows.append((name + " " + what, "%.4g" % statistics.median(p), "%.4g–%.4g" % (min(p), max(p)),
                         "%.4g" % statistics.median(t), "%.4g–%.4g" % (min(t), max(t)), "%.3f×" % ratio))
        rows.append((name + " trace file", "", "", "%.1f MB" % (size / 1e6), "", ""))

    compare("W2", w2, o.reps, [("map_tps", "map tasks/s", True), ("chunked_ips", "chunked items/s", True),
                               ("submit_tps", "submit-all tasks/s", True)])
    compare("W6", w6, o.w6_reps, [("efficiency", "efficiency", True), ("wall_s", "wall s", False)])
    with open(o.out, "w") as f:
        f.write("# What `--trace` costs (issue 17)\n\nMeasured %s on the 2-core machine, `bench/trace_overhead.py "
                "--reps %d --w6-reps %d`, local launcher, runs alternating plain/traced; time ratio = traced ÷ plain "
                "(> 1: slower with the trace).\n\n| measure | plain median | plain range | traced median | traced range | "
                "time ratio |\n|---|---|---|---|---|---|\n" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), o.reps, o.w6_reps))
        for r in rows:
            f.write("| %s | %s | %s | %s | %s | %s |\n" % r)
    for r in rows:
        print("%-32s %12s %22s %12s %22s %8s" % r)


if __name__ == "__main__":
    main()
