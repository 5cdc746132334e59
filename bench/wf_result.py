"""Runs one wf benchmark program and reads its `RESULT NAME key=value ...` line (the format
of every program in bench/wf/), for the small stand-alone bench scripts (k1_cache.py,
trace_overhead.py); bench/run.py has its own runner with timeouts per workload and reports."""
import re
import subprocess


def result_of(cmd, timeout=900):
    """The numbers of the last RESULT line `cmd` prints, as {key: float}; exits on a failure."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
    lines = [l for l in p.stdout.splitlines() if l.startswith("RESULT ")]
    if not lines:
        raise SystemExit("no RESULT line from: %s\n%s" % (" ".join(cmd), p.stdout[-2000:]))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([-0-9.e+]+)", lines[-1])}
