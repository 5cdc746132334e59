#!/usr/bin/python3
"""Run the wf benchmarks (shared/spec/BENCHMARKS.md) for wf and every installed peer.

    /usr/bin/python3 bench/run.py                # full run: Release build, all workloads, 3 reps
    /usr/bin/python3 bench/run.py --quick        # 1 repetition, smaller sizes
    /usr/bin/python3 bench/run.py --only W1,W3   # a subset (W1 W2 W3 W4 W5 W6 W7 C1 M1 G1 M2 D1; T1 comes with W1 and W4)

Steps: (a) builds wf in Release into build-release/ (cmake -G Ninja, ninja -j2), (b) builds the
C baselines of bench/c/ into build-release/bench-c/, (c) runs each workload for wf (with each
launcher under test) and for each peer, >= 3 repetitions, every run under a timeout, every
result checked for correctness by the program that produced it, (d) writes
bench/results/latest.md and bench/results/latest.csv. See bench/README.md.
"""
import argparse
import csv
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PY = "/usr/bin/python3"  # the Debian Python, which has the peers' packages
ALL = ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "C1", "M1", "G1", "M2", "D1"]

SYSTEM_NAMES = {
    "ppe": "ProcessPoolExecutor",
    "mpi4py": "mpi4py.futures (mpirun -n W+1)",
    "mpi4py-spawn": "mpi4py.futures (spawn)",
    "dask": "dask.distributed LocalCluster",
    "executorlib": "executorlib",
}
NUMPY = "Python/numpy (one process)"  # M2's reference line for the relax loop (bench/m2_numpy.py)
PEERS = set(SYSTEM_NAMES.values()) | {NUMPY}
# metrics whose peer numbers are not comparable with wf's (the Python peers run fewer samples)
NO_RATIO = {("W3", "wall time, 1 worker"), ("W3", "wall time, 2 workers")}

# --------------------------------------------------------------------------------------------
# process running


class Run:
    def __init__(self, rc, out, err, wall, timed_out):
        self.rc, self.out, self.err, self.wall, self.timed_out = rc, out, err, wall, timed_out

    def results(self, tag):
        """Parse `RESULT <tag> k=v ...` lines into a list of dicts of floats."""
        rows = []
        for line in self.out.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "RESULT" and parts[1] == tag:
                d = {}
                for kv in parts[2:]:
                    if "=" in kv:
                        k, v = kv.split("=", 1)
                        try:
                            d[k] = float(v)
                        except ValueError:
                            d[k] = v  # a word, such as W7's case=a mode=map
                rows.append(d)
        return rows

    def problem(self):
        """None when the run succeeded, else a one-line description."""
        if self.timed_out:
            return "timeout after %.0f s" % self.wall
        for line in self.out.splitlines():
            if line.startswith("SKIP "):
                return "skipped: " + line[5:].strip()
            if line.startswith("FAIL "):
                return "wrong result: " + line[5:].strip()
        if self.rc != 0:
            lines = [l.strip() for l in self.err.splitlines() if l.strip()]
            # prefer the error line of wfc (`error: ...`) or a Python exception
            pick = [l for l in lines if l.startswith("error:") or re.match(r"^\w*(Error|Exception)\b", l)]
            detail = (pick[0] if pick else (lines[-1] if lines else "no output"))[:240]
            return "exit status %s: %s" % (self.rc, detail)
        return None


class Runner:
    def __init__(self, nice, env, log):
        self.nice = nice
        self.env = env
        self.log = log

    def run(self, cmd, timeout, env=None, cwd=None):
        full = (["nice", "-n", str(self.nice)] if self.nice else []) + [str(c) for c in cmd]
        e = dict(self.env)
        if env:
            e.update(env)
        self.log.write("$ " + " ".join(full) + "\n")
        self.log.flush()
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, cwd=cwd,
                             start_new_session=True, text=True, errors="replace")
        timed_out = False
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self._kill(p)
            out, err = p.communicate()
        wall = time.perf_counter() - t0
        self.log.write(out[-4000:] + ("\n[stderr]\n" + err[-4000:] if err.strip() else "")
                       + "\n[rc=%s wall=%.3fs%s]\n" % (p.returncode, wall, " TIMEOUT" if timed_out else ""))
        self.log.flush()
        return Run(p.returncode, out, err, wall, timed_out)

    @staticmethod
    def _kill(p):
        # the child leads its own session: end its whole process group (mpirun and its ranks)
        for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                return
            try:
                p.wait(timeout=grace)
                return
            except subprocess.TimeoutExpired:
                pass


# --------------------------------------------------------------------------------------------
# results


class Results:
    def __init__(self):
        self.rows = {}     # (workload, metric, system) -> dict
        self.order = []
        self.problems = {}  # (workload, system) -> [descriptions]
        self.notes = []
        self.goals = {}     # (workload, metric) -> (text, median -> bool): targets a workload computes

    def add(self, workload, metric, system, value, unit, better, note=""):
        key = (workload, metric, system)
        if key not in self.rows:
            self.rows[key] = {"workload": workload, "metric": metric, "system": system, "unit": unit,
                              "better": better, "values": [], "note": note}
            self.order.append(key)
        self.rows[key]["values"].append(value)

    def problem(self, workload, system, what):
        self.problems.setdefault((workload, system), []).append(what)

    def median(self, workload, metric, system):
        r = self.rows.get((workload, metric, system))
        return statistics.median(r["values"]) if r and r["values"] else None

    def systems(self, workload, metric):
        return [k[2] for k in self.order if k[0] == workload and k[1] == metric]


# --------------------------------------------------------------------------------------------
# the benchmark session


class Bench:
    def __init__(self, a):
        self.a = a
        self.quick = a.quick
        self.reps = a.reps or (1 if a.quick else 3)
        self.hf_runs = a.reps or (3 if a.quick else 10)
        self.R = Results()
        os.makedirs(a.out_dir, exist_ok=True)
        os.makedirs(os.path.join(a.out_dir, "raw"), exist_ok=True)
        self.log = open(os.path.join(a.out_dir, "raw", "latest.log"), "w")
        self.tmp = tempfile.mkdtemp(prefix="wf-bench-")
        self.cache = os.path.join(self.tmp, "wf-cache")
        env = dict(os.environ)
        env.update({
            "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
            "OMPI_MCA_pml": "ob1",          # the same MCA settings for every MPI program
            "WF_CACHE_DIR": self.cache,
            "PYTHONPATH": BENCH,
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        for k in ("OMPI_MCA_rmaps_base_oversubscribe",):
            env.pop(k, None)
        self.env = env
        self.X = Runner(a.nice, env, self.log)
        self.build_dir = a.build_dir
        self.cbin = os.path.join(self.build_dir, "bench-c")
        self.wfc = a.wfc or os.path.join(self.build_dir, "wfc")
        self.launchers = [l.strip() for l in a.launchers.split(",") if l.strip()]
        self.hyperfine = shutil.which("hyperfine")
        self.peers_ok = {}
        self.default_launcher = ""
        self.sizes = {}

    def say(self, msg):
        print(msg, flush=True)
        self.log.write("## " + msg + "\n")
        self.log.flush()

    # ---- building ----------------------------------------------------------------------------
    def build_wf(self):
        if self.a.wfc:
            self.R.notes.append("wfc given with --wfc %s (no build)" % self.a.wfc)
            return os.access(self.wfc, os.X_OK)
        if self.a.no_build:
            self.R.notes.append("--no-build: using the existing %s" % self.wfc)
            return os.access(self.wfc, os.X_OK)
        self.say("building wf (Release) in %s" % self.build_dir)
        r = self.X.run(["cmake", "-S", ROOT, "-B", self.build_dir, "-G", "Ninja",
                        "-DCMAKE_BUILD_TYPE=Release", "-DWF_BUILD_TESTS=OFF"], timeout=600)
        if r.rc == 0:
            r = self.X.run(["ninja", "-C", self.build_dir, "-j2"], timeout=3600)  # wfc + wf-worker
        if r.rc != 0 or r.timed_out:
            tail = (r.out + r.err).strip().splitlines()[-15:]
            self.say("wf build FAILED:\n" + "\n".join(tail))
            if os.access(self.wfc, os.X_OK):
                self.R.notes.append("the Release build failed; an older %s was used" % self.wfc)
                return True
            return False
        return True

    def build_c(self):
        os.makedirs(self.cbin, exist_ok=True)
        src = os.path.join(BENCH, "c")
        jobs = [
            ("w3_kernel", ["gcc", "-O2", "-o", "{out}", os.path.join(src, "w3_kernel.c")]),
            ("zmq_pingpong", ["gcc", "-O2", "-o", "{out}", os.path.join(src, "zmq_pingpong.c"), "-lzmq"]),
            ("mpi_hello", ["mpicc", "-O2", "-o", "{out}", os.path.join(src, "mpi_hello.c")]),
            ("d1_dict", ["g++", "-O2", "-o", "{out}", os.path.join(src, "d1_dict.cpp")]),
        ]
        for name, cmd in jobs:
            out = os.path.join(self.cbin, name)
            r = self.X.run([c.replace("{out}", out) for c in cmd], timeout=120)
            if r.rc != 0:
                self.R.notes.append("building bench/c/%s.c failed: %s" % (name, r.problem()))

    def cprog(self, name):
        p = os.path.join(self.cbin, name)
        return p if os.access(p, os.X_OK) else None

    # ---- helpers -----------------------------------------------------------------------------
    def wf_label(self, launcher):
        if launcher == "default" and self.default_launcher:
            return "wf (default launcher: %s)" % self.default_launcher
        return "wf (%s launcher)" % launcher

    def detect_default_launcher(self):
        """Which launcher `wfc run` picks without --launcher, from its WF_LOG=debug lines."""
        r = self.X.run([self.wfc, "run", os.path.join(BENCH, "wf", "hello.wf"), "--workers", "2"], timeout=60,
                       env={"WF_LOG": "debug"})
        m = re.search(r"launched world \d+ \((\w+)", r.err)
        self.default_launcher = m.group(1) if m else ""
        if r.rc != 0:
            self.R.notes.append("a first `wfc run hello.wf` failed: %s" % r.problem())

    def size(self, workload, text):
        self.sizes[workload] = text

    def wf_cmd(self, prog, launcher, workers=2, extra=(), args=()):
        cmd = [self.wfc, "run", os.path.join(BENCH, "wf", prog), "--workers", str(workers)]
        if launcher != "default":
            cmd += ["--launcher", launcher]
        cmd += list(extra)
        if args:
            cmd += ["--"] + [str(x) for x in args]
        return cmd

    def check_workers(self, workload, system, rows, expect):
        """wf programs report how many distinct worker processes ran their warm-up tasks."""
        for d in rows:
            if "workers_seen" in d and d["workers_seen"] < expect:
                note = ("%s %s: only %d of %d worker processes ran a warm-up task (in-process runtime, or "
                        "workers that never came up)" % (workload, system, d["workers_seen"], expect))
                if note not in self.R.notes:
                    self.R.notes.append(note)

    def repeat(self, workload, system, cmd, timeout, tag, handle, env=None, reps=None, expect_workers=2,
               explain=None):
        """Run `cmd` reps times; handle(dict_list, run) records values. Stops at the first failure.
        explain(run, problem) may rewrite a failure's description."""
        ok = 0
        for i in range(reps or self.reps):
            r = self.X.run(cmd, timeout=timeout, env=env)
            prob = r.problem()
            if prob and explain:
                prob = explain(r, prob)
            rows = r.results(tag)
            if prob is None and not rows:
                prob = "no RESULT %s line in the output" % tag
            if prob:
                self.R.problem(workload, system, prob)
                self.say("  %-34s %s" % (system, prob))
                break
            self.check_workers(workload, system, rows, expect_workers)
            handle(rows, r)
            ok += 1
        return ok

    def peer_cmd(self, system, workload, workers=2, args=()):
        script = os.path.join(BENCH, "peers.py")
        base = ["--system", system, "--workload", workload, "--workers", str(workers)] + [str(x) for x in args]
        if system == "mpi4py":
            return ["mpirun", "--oversubscribe", "-n", str(workers + 1), PY, "-m", "mpi4py.futures",
                    script] + base
        return [PY, script] + base

    def peer_env(self, system):
        if system == "mpi4py-spawn":
            return {"OMPI_MCA_rmaps_base_oversubscribe": "1"}
        return None

    def peer_systems(self, workload):
        systems = ["ppe", "mpi4py", "dask", "executorlib"]
        if workload in ("W1", "W5"):
            systems.insert(2, "mpi4py-spawn")
        return systems

    def peer_available(self, system):
        if system in self.peers_ok:
            return self.peers_ok[system]
        mod = {"ppe": "concurrent.futures", "mpi4py": "mpi4py.futures", "mpi4py-spawn": "mpi4py.futures",
               "dask": "dask.distributed", "executorlib": "executorlib"}[system]
        r = self.X.run([PY, "-c", "import " + mod], timeout=60)
        ok = r.rc == 0
        if not ok:
            line = (r.err.strip().splitlines() or ["import failed"])[-1]
            self.R.problem("all", SYSTEM_NAMES[system], "not installed (%s)" % line)
        self.peers_ok[system] = ok
        return ok

    def hyperfine_time(self, workload, metric, system, cmd, env=None, prepare=None, check_out=None,
                       timeout=300, unit="ms"):
        """Whole-process wall time: one checked run first, then hyperfine (or a timed loop)."""
        r = self.X.run(cmd, timeout=timeout / 2, env=env)
        prob = r.problem()
        if prob is None and check_out and check_out not in r.out:
            prob = "output lacks %r" % check_out
        if prob:
            self.R.problem(workload, system, prob)
            self.say("  %-34s %s" % (system, prob))
            return
        times = []
        if self.hyperfine:
            js = os.path.join(self.tmp, "hf.json")
            hf = ["hyperfine", "-N", "--style", "none", "--runs", str(self.hf_runs), "--export-json", js]
            if prepare:
                hf += ["--prepare", prepare]
            else:
                hf += ["--warmup", "1"]
            q = self.X.run(hf + [" ".join(str(c) for c in cmd)], timeout=timeout, env=env)
            if q.rc == 0 and not q.timed_out:
                with open(js) as f:
                    times = json.load(f)["results"][0]["times"]
            else:
                self.R.problem(workload, system, "hyperfine: " + (q.problem() or "failed"))
                return
        else:
            for i in range(self.hf_runs):
                if prepare:
                    subprocess.run(prepare.split(), env=self.env)
                q = self.X.run(cmd, timeout=timeout / self.hf_runs, env=env)
                if q.problem():
                    self.R.problem(workload, system, q.problem())
                    return
                times.append(q.wall)
        scale = 1e3 if unit == "ms" else 1.0
        for t in times:
            self.R.add(workload, metric, system, t * scale, unit, "lower")
        self.say("  %-34s %s median %.1f %s" % (system, metric, statistics.median(times) * scale, unit))

    # ---- workloads ---------------------------------------------------------------------------
    def w1(self):
        n, warm = (300, 30) if self.quick else (2000, 100)
        self.size("W1", "%d round trips after %d warm-up, 2 workers (dask: %s)" % (
            n, warm, "50 after 5" if self.quick else "200 after 10"))
        zmq = self.cprog("zmq_pingpong")
        if zmq:
            self.repeat("W1", "ZeroMQ ping-pong (C)", [zmq, n, warm], 60, "ZMQ", self._lat("W1", "ZeroMQ ping-pong (C)"))
        for l in self.launchers:
            self.repeat("W1", self.wf_label(l), self.wf_cmd("w1_latency.wf", l, args=(n, warm, 2)), 120, "W1",
                        self._lat("W1", self.wf_label(l)))
        for s in self.peer_systems("W1"):
            if not self.peer_available(s):
                continue
            pn, pw = (n, warm) if s != "dask" else ((50, 5) if self.quick else (200, 10))
            self.repeat("W1", SYSTEM_NAMES[s], self.peer_cmd(s, "W1", args=("--n", pn, "--warmup", pw)),
                        180, "W1", self._lat("W1", SYSTEM_NAMES[s]), env=self.peer_env(s))

    def _lat(self, workload, system):
        def h(rows, r):
            d = rows[0]
            self.R.add(workload, "p50 latency", system, d["p50_us"], "µs", "lower")
            self.R.add(workload, "p99 latency", system, d["p99_us"], "µs", "lower")
            if workload in ("W1", "W4") and d["p50_us"] > 0:  # T1: the tail of each run
                self.R.add("T1", "%s p99 ÷ p50" % workload, system, d["p99_us"] / d["p50_us"], "×", "lower")
            self.say("  %-34s p50 %.1f µs  p99 %.1f µs" % (system, d["p50_us"], d["p99_us"]))
        return h

    def _w2_handle(self, system):
        def h(rows, r):
            d = rows[0]
            for key, metric, unit in (("map_tps", "map (unchunked)", "tasks/s"),
                                      ("chunked_ips", "map (chunked)", "items/s"),
                                      ("submit_tps", "submit-all + wait", "tasks/s")):
                if key in d:
                    self.R.add("W2", metric, system, d[key], unit, "higher")
            self.say("  %-34s %s" % (system, "  ".join("%s %.0f" % (k, v) for k, v in d.items()
                                                         if k.endswith("ps"))))
        return h

    def w2(self):
        n, chunk = (5000, 625) if self.quick else (20000, 2500)
        self.size("W2", "%d tasks, chunk=%d, 2 workers (dask: %d tasks)" % (n, chunk, 500 if self.quick else 2000))
        for l in self.launchers:
            self.repeat("W2", self.wf_label(l), self.wf_cmd("w2_throughput.wf", l, args=(n, chunk, 2)), 180, "W2",
                        self._w2_handle(self.wf_label(l)))
        for s in self.peer_systems("W2"):
            if not self.peer_available(s):
                continue
            pn = n if s != "dask" else (500 if self.quick else 2000)
            self.repeat("W2", SYSTEM_NAMES[s], self.peer_cmd(s, "W2", args=("--n", pn, "--chunk", chunk)),
                        300, "W2", self._w2_handle(SYSTEM_NAMES[s]))

    def w3(self):
        kernel = self.cprog("w3_kernel")
        expect_2m = 1570006
        psamples = 50000 if self.quick else 200000
        pexpect = None
        self.size("W3", "8 tasks × 2 000 000 samples on 1 and 2 workers (Python peers: 8 × %d samples; "
                        "kernel time scaled to 2M)" % psamples)
        if kernel:
            def hc(rows, r):
                d = rows[0]
                if int(d["count"]) != expect_2m:
                    self.R.problem("W3", "C (gcc -O2)", "wrong count %d" % d["count"])
                    return
                self.R.add("W3", "kernel time per 2M samples", "C (gcc -O2)", d["ms_per_2M"], "ms", "lower")
                self.say("  %-34s kernel %.2f ms / 2M" % ("C (gcc -O2)", d["ms_per_2M"]))
            self.repeat("W3", "C (gcc -O2)", [kernel, 2000000, 20], 60, "W3C", hc)
            r = self.X.run([kernel, psamples, 1], timeout=60)
            rows = r.results("W3C")
            if rows:
                pexpect = int(rows[0]["count"])
        for l in self.launchers:
            label = self.wf_label(l)
            self._w3_pair(label, lambda w, l=l: self.wf_cmd("w3_montecarlo.wf", l, workers=w, args=(8, 2000000, 1570006, w)), 8, True)
        if pexpect is None:
            self.R.notes.append("W3 peers not run: the C kernel (reference count) did not build or run")
            return
        for s in ["ppe", "mpi4py", "dask", "executorlib"]:
            if not self.peer_available(s):
                continue
            self._w3_pair(SYSTEM_NAMES[s],
                          lambda w, s=s: self.peer_cmd(s, "W3", workers=w, args=(
                              "--n", 8, "--samples", psamples, "--expect", pexpect)), 8, False)

    def _w3_pair(self, system, cmd_for, tasks, is_wf):
        for i in range(self.reps):
            walls = {}
            for w in (1, 2):
                r = self.X.run(cmd_for(w), timeout=300)
                prob = r.problem() or (None if r.results("W3") else "no RESULT W3 line")
                if prob:
                    self.R.problem("W3", system, "%d worker(s): %s" % (w, prob))
                    self.say("  %-34s %d worker(s): %s" % (system, w, prob))
                    return
                d = r.results("W3")[0]
                self.check_workers("W3", system, [d], w)
                walls[w] = d["wall_s"]
                self.R.add("W3", "wall time, %d worker%s" % (w, "s" if w > 1 else ""), system,
                           d["wall_s"] * 1e3, "ms", "lower")
                if w == 1:
                    kms = d["kernel_ms"] if is_wf else d["kernel_ms_per_2M"]
                    self.R.add("W3", "kernel time per 2M samples", system, kms, "ms", "lower",
                               note="" if is_wf else "Python, %d samples, scaled" % d["samples"])
            sp = walls[1] / walls[2]
            self.R.add("W3", "speedup (2 workers)", system, sp, "×", "higher")
            self.say("  %-34s wall 1w %.1f ms  2w %.1f ms  speedup %.2f"
                     % (system, walls[1] * 1e3, walls[2] * 1e3, sp))

    def w4(self):
        n, warm = (50, 5) if self.quick else (200, 10)
        launchers = [l for l in self.launchers if l != "local"] or ["default"]
        self.size("W4", "%d sequential 2-rank tasks after %d warm-up, 1000 ints per rank, 2 workers" % (n, warm))
        for l in launchers:
            label = self.wf_label(l)
            self.repeat("W4", label, self.wf_cmd("w4_mpi_latency.wf", l, args=(n, warm, 1000, 2)), 180, "W4",
                        self._lat("W4", label))
        self.R.notes.append("W4: no peer runs an MPI task on a warm pool with Debian packages only; "
                            "the target compares with the documented best peer (executorlib, 260 µs)")

    def w5(self):
        mh = self.cprog("mpi_hello")
        self.size("W5", "whole process, %d hyperfine runs after 1 warm-up (compile cache warm unless said)"
                  % self.hf_runs)
        if mh:
            self.hyperfine_time("W5", "wall time (cold process)", "C MPI hello (mpirun -n 2)",
                                ["mpirun", "-n", "2", mh], check_out="hello")
        for l in self.launchers:
            label = self.wf_label(l)
            cmd = self.wf_cmd("hello.wf", l)
            self.hyperfine_time("W5", "wall time (cold process)", label, cmd, check_out="hello 42")
            # the first run of a file: empty compile cache, so it includes compiling hello.wf
            nocache = os.path.join(self.tmp, "empty-cache")
            self.hyperfine_time("W5", "wall time, empty compile cache", label, cmd,
                                env={"WF_CACHE_DIR": nocache}, prepare="rm -rf " + nocache,
                                check_out="hello 42")
        for s in self.peer_systems("W5"):
            if not self.peer_available(s):
                continue
            self.hyperfine_time("W5", "wall time (cold process)", SYSTEM_NAMES[s], self.peer_cmd(s, "W5"),
                                env=self.peer_env(s), check_out="hello 42", timeout=600)

    def w6(self):
        n = 2000 if self.quick else 20000
        self.size("W6", "%d tasks × sleep(0.01) on 64 workers (--oversubscribe), submit-all then wait" % n)
        for l in self.launchers:
            label = self.wf_label(l)

            def h(rows, r, label=label):
                d = rows[0]
                self.R.add("W6", "efficiency (64 workers, 10 ms tasks)", label, d["efficiency"], "", "higher")
                self.R.add("W6", "wall time", label, d["wall_s"], "s", "lower")
                if "warmup_s" in d:
                    self.R.add("W6", "warm-up until all 64 workers ran a task", label, d["warmup_s"], "s", "lower")
                if d.get("workers_seen", 64) < 64:
                    self.R.notes.append("W6 %s: only %d distinct worker processes ran warm-up tasks"
                                        % (label, d["workers_seen"]))
                self.say("  %-34s efficiency %.3f (wall %.2f s, ideal %.2f s)"
                         % (label, d["efficiency"], d["wall_s"], d["ideal_s"]))
            self.repeat("W6", label, self.wf_cmd("w6_fanout.wf", l, workers=64, extra=["--oversubscribe"],
                                                 args=(n, 64, 0.01)), 180 if self.quick else 300, "W6", h,
                        expect_workers=64)

    def w7(self):
        """Load balance of uneven sleeping tasks: (a) 1 × 800 ms + 7 × 100 ms after 2000 tiny
        tasks on 2 workers, (b) 4000 log-uniform 0.1-20 ms tasks on 8 workers; map and submit."""
        self.size("W7", "(a) 2000 tiny tasks, then 1 × 800 ms + 7 × 100 ms on 2 workers; (b) 4000 tasks "
                        "log-uniform in 0.1-20 ms (fixed LCG) on 8 workers (--oversubscribe); map and submit-all")
        cases = [("a", 2), ("b", 8)]

        def handle(system):
            def h(rows, r):
                d = rows[0]
                metric = "(%s) %s: makespan ÷ bound" % (d["case"], d["mode"])
                self.R.add("W7", metric, system, d["ratio"], "×", "lower")
                self.say("  %-34s %s %.3f (makespan %.3f s, bound %.3f s)"
                         % (system, metric, d["ratio"], d["makespan_s"], d["bound_s"]))
            return h
        for case, workers in cases:
            for mode in ("map", "submit"):
                for l in self.launchers:
                    label = self.wf_label(l)
                    extra = ["--oversubscribe"] if workers > 2 else []
                    self.repeat("W7", label, self.wf_cmd("w7_balance.wf", l, workers=workers, extra=extra,
                                                         args=(case, mode, workers)),
                                180, "W7", handle(label), expect_workers=workers)
                for s in ["ppe", "mpi4py", "dask"]:
                    if not self.peer_available(s):
                        continue
                    self.repeat("W7", SYSTEM_NAMES[s], self.peer_cmd(s, "W7", workers=workers,
                                                                     args=("--case", case, "--mode", mode)),
                                300, "W7", handle(SYSTEM_NAMES[s]), env=self.peer_env(s), expect_workers=workers)

    def m1(self):
        total, wave, inflight = (100000, 10000, 100000) if self.quick else (1000000, 10000, 1000000)
        self.size("M1", "%d futures in flight (RSS growth); then %d tasks in waves of %d, 2 workers"
                  % (inflight, total, wave))
        for l in self.m_launchers():
            label = self.wf_label(l)

            def h(rows, r, label=label):
                per = {}
                for d in rows:
                    if "bytes_per_future" in d:
                        self.R.add("M1", "driver memory per future in flight (%d)" % d["inflight"], label,
                                   d["bytes_per_future"], "B", "lower")
                    if "n" in d and "us_per_task" in d:
                        per[int(d["n"])] = d["us_per_task"]
                        self.R.add("M1", "time per task at %s tasks" % fmt_n(d["n"]), label, d["us_per_task"],
                                   "µs", "lower")
                    if "peak_rss_mb" in d:
                        self.R.add("M1", "driver peak RSS", label, d["peak_rss_mb"], "MiB", "lower")
                if len(per) >= 2:
                    lo, hi = min(per), max(per)
                    self.R.add("M1", "time per task %s ÷ %s" % (fmt_n(hi), fmt_n(lo)), label, per[hi] / per[lo],
                               "×", "lower")
                self.say("  %-34s %s" % (label, "  ".join("%s: %.2f µs" % (fmt_n(k), v) for k, v in sorted(per.items()))))
            self.repeat("M1", label, self.wf_cmd("m1_many.wf", l, args=(total, wave, inflight, 2)),
                        120 if self.quick else 900, "M1", h)

    def m_launchers(self):
        return ["local"] if "local" in self.launchers else self.launchers[:1]

    def g1(self):
        budget, maxn = (0.1, 20000) if self.quick else (0.5, 100000)
        self.size("G1", "busy-loop tasks 1000..1 µs, map over ~%.1f s of ideal time per size (≤ %d tasks), "
                        "2 workers" % (budget, maxn))
        for l in self.m_launchers():
            label = self.wf_label(l)

            def h(rows, r, label=label):
                for d in rows:
                    if "metg_us" in d:
                        self.R.add("G1", "METG(50%)", label, d["metg_us"], "µs", "lower")
                        if d.get("above_range"):
                            self.R.notes.append("G1 %s: efficiency was below 50%% already at 1000 µs tasks: "
                                                "METG is above the range tried (reported as 1000)" % label)
                        if d.get("below_range"):
                            self.R.notes.append("G1 %s: efficiency stayed ≥ 50%% down to 1 µs tasks: METG is "
                                                "at most that (reported as 1 µs)" % label)
                        self.say("  %-34s METG(50%%) %.2f µs" % (label, d["metg_us"]))
                    elif "nominal_us" in d:
                        self.R.add("G1", "efficiency at %g µs tasks" % d["nominal_us"], label, d["efficiency"], "",
                                   "higher")
            self.repeat("G1", label, self.wf_cmd("g1_granularity.wf", l, args=(2, budget, maxn)), 300, "G1", h)

    def c1(self):
        src = os.path.join(self.tmp, "c1_generated.wf")
        self.size("C1", "generated 1000-line file (bench/gen_c1.py), %d hyperfine runs" % self.hf_runs)
        r = self.X.run([PY, os.path.join(BENCH, "gen_c1.py"), src, "--lines", "1000"], timeout=60)
        if r.rc != 0:
            self.R.problem("C1", "wf", "generator failed: %s" % r.problem())
            return
        self.hyperfine_time("C1", "wfc check (1000 lines)", "wfc", [self.wfc, "check", src])
        self.hyperfine_time("C1", "wfc build -O2 (1000 lines)", "wfc",
                            [self.wfc, "build", "-O2", src, "-o", os.path.join(self.tmp, "c1.wfo")])

    def m2(self):
        """Memory and time of values that are replaced, grown or made per iteration (issue 10).

        Every case is its own `wfc run` (local launcher, 1 worker) under an address-space cap
        (prlimit --as), so a version that never frees fails with "out of memory" instead of
        swapping. The program resets its process's peak RSS and reports the time and the peak
        RSS of the measured code only. Goals: time(10n) ÷ time(n) ≤ 12, and peak RSS growth
        ≤ 3 copies of the data + 30 MiB."""
        steps = 1000 if self.quick else 4000
        cap = self.a.m2_mem_gb
        timeout = 90 if self.quick else 240
        prlimit = shutil.which("prlimit")
        self.size("M2", "relax loop %d steps at n = 10^3, 10^4, 10^5 in a task; string (`s += \"x\"`) and "
                        "array (`push`) builds of 10^5 and 10^6 in a task and in the flow; 10^5 and 10^6 "
                        "temporaries in a flow loop; local launcher, 1 worker; address space capped at %g GiB "
                        "per process%s, %d s timeout" % (steps, cap, "" if prlimit else " (prlimit missing: NOT capped)",
                                                       timeout))
        label = self.wf_label("local")
        cases = []  # (family, n, program, args, live data in MiB when the program does not say)
        for n in (1000, 10000, 100000):
            cases.append(("relax loop (task)", n, "m2_relax.wf", (n, steps, "task")))
        for what, desc in (("str", "string build `s += \"x\"`"), ("arr", "array build `push`")):
            for place in ("task", "flow"):
                for n in (100000, 1000000):
                    cases.append(("%s (%s)" % (desc, place), n, "m2_build.wf", (what, place, n)))
        for n in (100000, 1000000):
            cases.append(("temporaries `\"line \" + str(i)` (flow)", n, "m2_temps.wf", (n,)))

        def explain(r, prob):
            if r.timed_out:
                return "timeout (> %d s)" % timeout
            err = r.err.lower()
            if (r.rc in (134, -6, 137, -9) or "signal 6" in err or "bad_alloc" in err or "out of memory" in err
                    or "cannot allocate" in err):
                return "out of memory (address space capped at %g GiB): %s" % (cap, prob)
            return prob

        checksums = {}
        times = {}  # (family, n) -> [seconds]
        for family, n, prog, args in cases:
            metric = "%s, n=%s" % (family, fmt_n(n))
            cmd = self.wf_cmd(prog, "local", workers=1, args=args)
            if prlimit:
                cmd = [prlimit, "--as=%d" % int(cap * (1 << 30)), "--"] + cmd

            def h(rows, r, family=family, n=n, metric=metric):
                d = rows[0]
                data = d.get("data_mb", 0.0)
                growth = d["peak_mb"] - d["base_mb"]
                self.R.add("M2", metric + ": time", label, d["time_s"], "s", "lower")
                self.R.add("M2", metric + ": peak RSS growth", label, growth, "MiB", "lower")
                self.R.add("M2", metric + ": peak RSS of the process", label, d["peak_mb"], "MiB", "lower")
                limit = 3 * data + 30
                self.R.goals[("M2", metric + ": peak RSS growth")] = (
                    "≤ 3 × %.3g MiB data + 30 = %.1f MiB" % (data, limit), lambda m, limit=limit: m <= limit)
                times.setdefault((family, n), []).append(d["time_s"])
                if "checksum" in d:
                    checksums[n] = d["checksum"]
                self.say("  %-34s %s: %.3f s, peak RSS +%.1f MiB (process %.1f MiB)"
                         % (label, metric, d["time_s"], growth, d["peak_mb"]))
            self.repeat("M2", "%s [%s]" % (label, metric), cmd, timeout, "M2", h, expect_workers=1,
                        explain=explain)
        for family in dict.fromkeys(c[0] for c in cases):
            ns = sorted(n for f, n in times if f == family)
            for lo, hi in zip(ns, ns[1:]):
                if hi != 10 * lo:
                    continue
                metric = "%s: time n=%s ÷ n=%s" % (family, fmt_n(hi), fmt_n(lo))
                self.R.add("M2", metric, label, statistics.median(times[(family, hi)])
                           / statistics.median(times[(family, lo)]), "×", "lower")
                self.R.goals[("M2", metric)] = ("≤ 12× (10× n)", lambda m: m <= 12)
        # the reference line: the same loop in numpy (not a task; a lower bound for the loop itself)
        for n in (1000, 10000, 100000):
            metric = "relax loop (task), n=%s" % fmt_n(n)

            def hn(rows, r, n=n, metric=metric):
                d = rows[0]
                self.R.add("M2", metric + ": time", NUMPY, d["time_s"], "s", "lower")
                self.R.add("M2", metric + ": peak RSS growth", NUMPY, d["peak_mb"] - d["base_mb"], "MiB", "lower")
                wf = checksums.get(n)
                if wf is not None and abs(wf - d["checksum"]) > 1e-12 * max(1.0, abs(wf)):
                    self.R.problem("M2", NUMPY, "n=%d: checksum %.17g, wf's %.17g" % (n, d["checksum"], wf))
                self.say("  %-34s %s: %.3f s" % (NUMPY, metric, d["time_s"]))
            self.repeat("M2", NUMPY, [PY, os.path.join(BENCH, "m2_numpy.py"), "--n", n, "--steps", steps],
                        timeout, "M2", hn, expect_workers=0)

    D1_PHASES = (("int_insert_s", "int keys: insert"), ("int_lookup_s", "int keys: lookup"),
                 (None, "int keys: insert + lookup"),
                 ("str_insert_s", "str keys: insert"), ("str_lookup_s", "str keys: lookup"),
                 (None, "str keys: insert + lookup"),
                 ("str_build_s", "str keys: building the n keys (not in insert or lookup)"))

    def d1(self):
        """Dictionaries (issue 12): insert n keys, then look each one up and sum the values, for
        int keys and short string keys, in a wf task, in C++ (std::unordered_map, g++ -O2) and in
        Python (dict). Each program times its own phases, so process start-up and compiling are
        not measured; the repetitions are interleaved (wf, C++, Python, wf, ...) and the ratios
        are paired per repetition. Goals: wf ≤ 2× C++ and Python ≥ 10× wf, on insert + lookup
        of each key kind."""
        n = 100000 if self.quick else 1000000
        reps = self.a.reps or (1 if self.quick else 5)
        self.size("D1", "n = %s int keys (i * 2654435761) %% 2^32 and n string keys \"k\" + str(i), values i; "
                        "insert into an empty dictionary, then look every key up once in a shuffled order "
                        "(LCG-driven Fisher-Yates) and sum; %d interleaved repetitions, one process each; wf: "
                        "one task, local launcher, 1 worker" % (fmt_n(n), reps))
        wf = self.wf_label("local")
        cxx, py = "C++ std::unordered_map (g++ -O2)", "Python dict (%s)" % PY
        progs = [(wf, self.wf_cmd("d1_dict.wf", "local", workers=1, args=(n,)))]
        exe = self.cprog("d1_dict")
        if exe:
            progs.append((cxx, [exe, n]))
        else:
            self.R.problem("D1", cxx, "bench/c/d1_dict.cpp did not build")
        progs.append((py, [PY, os.path.join(BENCH, "d1_dict.py"), n]))
        failed = set()
        checks = {}
        for i in range(reps):
            got = {}
            for system, cmd in progs:
                if system in failed:
                    continue

                def h(rows, r, system=system):
                    got[system] = rows[0]
                if not self.repeat("D1", system, cmd, 300, "D1", h, reps=1, expect_workers=1):
                    failed.add(system)
            for system, d in got.items():
                key = (int(d["int_sum"]), int(d["str_sum"]), int(d["order_check"]))
                checks.setdefault(key, []).append(system)
                for field, metric in self.D1_PHASES:
                    v = d[field] if field else (d[metric[:3] + "_insert_s"] + d[metric[:3] + "_lookup_s"])
                    self.R.add("D1", metric, system, v * 1e3, "ms", "lower")
                self.say("  %-34s int: insert %.1f lookup %.1f ms;  str: insert %.1f lookup %.1f ms "
                         "(building the keys %.1f ms)" % (system, d["int_insert_s"] * 1e3, d["int_lookup_s"] * 1e3,
                                                          d["str_insert_s"] * 1e3, d["str_lookup_s"] * 1e3,
                                                          d["str_build_s"] * 1e3))
            if wf not in got:
                continue
            w = got[wf]
            for field, metric in self.D1_PHASES[:6]:
                def t(d, field=field, metric=metric):
                    kind = metric[:3]
                    return d[field] if field else d[kind + "_insert_s"] + d[kind + "_lookup_s"]
                if cxx in got:
                    self.R.add("D1", metric + ": wf ÷ C++", wf, t(w) / t(got[cxx]), "×", "lower")
                if py in got:
                    self.R.add("D1", metric + ": Python ÷ wf", wf, t(got[py]) / t(w), "×", "higher")
        if len(checks) > 1:
            self.R.problem("D1", "all", "the programs disagree on (int sum, str sum, order check): %s"
                           % "; ".join("%s: %s" % (k, ", ".join(sorted(set(v)))) for k, v in checks.items()))
        for kind in ("int", "str"):
            self.R.goals[("D1", "%s keys: insert + lookup: wf ÷ C++" % kind)] = ("≤ 2× C++", lambda m: m <= 2)
            self.R.goals[("D1", "%s keys: insert + lookup: Python ÷ wf" % kind)] = ("≥ 10× (wf faster than Python)",
                                                                                  lambda m: m >= 10)
        self.d1_systems = [s for s, _ in progs]

    # ---- main --------------------------------------------------------------------------------
    def run(self, only):
        started = datetime.datetime.now(datetime.timezone.utc)
        self.load_start = loadavg()
        if not self.build_wf():
            self.say("no usable wfc: stopping")
            return 1
        self.build_c()
        if "default" in self.launchers:
            self.detect_default_launcher()
        for w in only:
            self.say("%s" % w)
            t0 = time.perf_counter()
            try:
                getattr(self, w.lower())()
            except Exception as e:  # one workload's crash must not lose the others' results
                self.R.problem(w, "bench/run.py", "%s: %s" % (type(e).__name__, e))
                self.say("  run.py error in %s: %r" % (w, e))
            self.say("  (%.1f s)" % (time.perf_counter() - t0))
        write_reports(self, only, started)
        if "D1" in only:
            write_d1_report(self, started)
        shutil.rmtree(self.tmp, ignore_errors=True)
        return 0


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return []


def fmt_n(n):
    n = int(n)
    e = len(str(n)) - 1
    return "10^%d" % e if n == 10 ** e else str(n)


# --------------------------------------------------------------------------------------------
# targets (BENCHMARKS.md) and reports


def best_peer(R, workload, metric):
    """(system, median) of the best Python peer for this metric, or None."""
    best = None
    for s in R.systems(workload, metric):
        if s not in PEERS:
            continue
        m = R.median(workload, metric, s)
        row = R.rows[(workload, metric, s)]
        if m is None:
            continue
        if best is None or (m < best[1] if row["better"] == "lower" else m > best[1]):
            best = (s, m)
    return best


def target(R, row):
    """(text, met) for a wf row: met is True/False, or None when not decidable."""
    w, metric, s = row["workload"], row["metric"], row["system"]
    med = statistics.median(row["values"])
    if not s.startswith("wf"):
        return "", None

    def peers_above(metric_name):
        ps = [R.median(w, metric_name, p) for p in R.systems(w, metric_name) if p in PEERS]
        return [p for p in ps if p is not None]

    if w == "W1" and metric == "p50 latency":
        zmq = R.median("W1", "p50 latency", "ZeroMQ ping-pong (C)")
        ps = peers_above(metric)
        if zmq is None:
            return "≤ 1.2× ZeroMQ p50 and < every peer (no ZeroMQ floor measured)", None
        ok = med <= 1.2 * zmq and all(med < p for p in ps)
        return "≤ 1.2× ZeroMQ p50 = %.1f µs, < every peer" % (1.2 * zmq), ok
    if w == "W2" and metric in ("map (unchunked)", "submit-all + wait"):
        return "≥ 150 000 tasks/s", med >= 150000
    if w == "W2" and metric == "map (chunked)":
        return "≥ 10 000 000 items/s", med >= 1e7
    if w == "W3" and metric == "speedup (2 workers)":
        return "≥ 1.9", med >= 1.9
    if w == "W3" and metric == "kernel time per 2M samples":
        c = R.median("W3", metric, "C (gcc -O2)")
        if c is None:
            return "≤ 1.10× C", None
        return "≤ 1.10× C = %.2f ms" % (1.1 * c), med <= 1.1 * c
    if w == "W4" and metric == "p50 latency":
        own = R.median("W1", "p50 latency", s)
        if own is None:
            own = min([R.median("W1", "p50 latency", x) for x in R.systems("W1", "p50 latency")
                       if x.startswith("wf")] or [None], key=lambda v: v or 1e30)
        limit = 260.0 if own is None else min(260.0, 1.3 * own)
        text = "≤ 1.3× wf W1 p50%s and < 260 µs (best documented peer)" % (
            "" if own is None else " = %.1f µs" % (1.3 * own))
        return text, med <= limit
    if w == "W5" and metric == "wall time (cold process)":
        if "local" in s:
            return "≤ 50 ms", med <= 50
        c = R.median("W5", metric, "C MPI hello (mpirun -n 2)")
        if c is None:
            return "≤ 1.5× C MPI hello", None
        return "≤ 1.5× C MPI hello = %.0f ms" % (1.5 * c), med <= 1.5 * c
    if w == "C1" and metric.startswith("wfc check"):
        return "≤ 20 ms", med <= 20
    if w == "C1" and metric.startswith("wfc build"):
        return "≤ 300 ms", med <= 300
    if w == "M1" and metric.startswith("driver memory per future"):
        return "≤ 300 B", med <= 300
    if w == "M1" and metric.startswith("time per task") and "÷" in metric:
        return "constant: ≤ 1.5× (no O(N²))", med <= 1.5
    if w == "W6" and metric.startswith("efficiency"):
        return "≥ 0.90", med >= 0.90
    if w == "G1" and metric == "METG(50%)":
        return "≤ 20 µs", med <= 20
    if w == "W7" and "makespan" in metric:
        return "≤ 1.05", med <= 1.05
    if w == "T1" and metric.startswith("W1"):
        return "≤ 2.5", med <= 2.5
    if w == "T1" and metric.startswith("W4"):
        return "≤ 3", med <= 3
    if (w, metric) in R.goals:
        text, ok = R.goals[(w, metric)]
        return text, ok(med)
    return "", None


def fmt(v):
    if v is None:
        return ""
    a = abs(v)
    if a >= 1e6:
        return "%.3g M" % (v / 1e6)
    if a >= 1000:
        return "{:,.0f}".format(v).replace(",", " ")
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    return "%.3g" % v


def cmd_out(cmd, env=None):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=env)
        return (r.stdout or r.stderr).strip()
    except Exception as e:
        return "unavailable (%s)" % e


def machine_info(b):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    info = [("CPU", cpu), ("cores (nproc)", cmd_out(["nproc"])), ("memory", mem),
            ("uname", cmd_out(["uname", "-a"])),
            ("load average (1, 5, 15 min) at the start", " ".join("%.2f" % x for x in b.load_start)),
            ("load average at the end", " ".join("%.2f" % x for x in loadavg()))]
    pyv = cmd_out([PY, "-c", "import sys; print(sys.version.split()[0])"])
    pkgs = []
    for mod, dist in (("mpi4py", "mpi4py"), ("dask", "dask"), ("distributed", "distributed"), ("zmq", "pyzmq"),
                      ("cloudpickle", "cloudpickle"), ("executorlib", "executorlib")):
        v = cmd_out([PY, "-c", "import importlib.metadata as m\ntry: print(m.version(%r))\nexcept Exception:"
                               " print('not installed')" % dist])
        pkgs.append("%s %s" % (mod, v))
    versions = [
        ("wfc", cmd_out([b.wfc, "--version"]) + " (%s)" % b.wfc),
        ("gcc", cmd_out(["gcc", "--version"]).splitlines()[0] if shutil.which("gcc") else "missing"),
        ("Open MPI", (cmd_out(["mpirun", "--version"]).splitlines() or [""])[0]),
        ("libzmq", cmd_out(["pkg-config", "--modversion", "libzmq"])),
        ("LLVM", cmd_out(["llvm-config-14", "--version"]) if shutil.which("llvm-config-14") else "?"),
        ("Python", "%s (%s)" % (pyv, PY)),
        ("Python packages", ", ".join(pkgs)),
        ("hyperfine", cmd_out(["hyperfine", "--version"]) if b.hyperfine else "not installed (timed loop used)"),
    ]
    return info, versions


def write_reports(b, only, started):
    R = b.R
    out_md = os.path.join(b.a.out_dir, "latest.md")
    out_csv = os.path.join(b.a.out_dir, "latest.csv")
    info, versions = machine_info(b)
    table = []
    for key in R.order:
        row = R.rows[key]
        vals = row["values"]
        mn, md, mx = min(vals), statistics.median(vals), max(vals)
        ratio = ""
        if row["system"].startswith("wf") and (row["workload"], row["metric"]) not in NO_RATIO:
            bp = best_peer(R, row["workload"], row["metric"])
            if bp and bp[1]:
                r = md / bp[1]
                better = (r < 1) if row["better"] == "lower" else (r > 1)
                ratio = "%.3g× %s (%s)" % (r, "better" if better else "worse", short(bp[0]))
        tgt, met = target(R, row)
        table.append({**row, "min": mn, "median": md, "max": mx, "n": len(vals), "ratio": ratio, "target": tgt,
                      "met": "" if met is None else ("met" if met else "NOT met")})

    with open(out_csv, "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["workload", "metric", "system", "unit", "better", "n", "min", "median", "max", "values",
                     "ratio_to_best_peer", "target", "met", "note"])
        for t in table:
            wr.writerow([t["workload"], t["metric"], t["system"], t["unit"], t["better"], t["n"],
                         "%.6g" % t["min"], "%.6g" % t["median"], "%.6g" % t["max"],
                         " ".join("%.6g" % v for v in t["values"]), t["ratio"], t["target"], t["met"], t["note"]])
        for (w, s), probs in sorted(R.problems.items()):
            wr.writerow([w, "", s, "", "", 0, "", "", "", "", "", "", "failed/skipped", "; ".join(dict.fromkeys(probs))])

    L = []
    L.append("# wf benchmarks — latest run\n")
    L.append("- date: %s (started %s)" % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                                          started.strftime("%H:%M UTC")))
    L.append("- command: `%s`" % " ".join(["bench/run.py"] + sys.argv[1:]))
    L.append("- mode: %s; %d repetition(s) per process-level measurement, %d hyperfine runs for W5/C1; "
             "workloads: %s; wf launchers: %s" % ("quick (smaller sizes)" if b.quick else "full", b.reps, b.hf_runs,
                                                   ", ".join(only), ", ".join(b.launchers)))
    L.append("- MPI runs use `OMPI_MCA_pml=ob1` (wf's default launcher, `mpirun -n 2 mpi_hello`, mpi4py)")
    L.append("- ratio = wf median ÷ best Python peer median; target and met/not met from "
             "shared/spec/BENCHMARKS.md, judged on the median\n")
    ncpu = os.cpu_count() or 2
    if b.load_start and b.load_start[0] > 0.5 * ncpu:
        L.append("> **Warning: the machine was busy** (1-minute load average %.2f on %d cores at the start): "
                 "other processes compete with the benchmarks; timings and efficiencies are pessimistic.\n"
                 % (b.load_start[0], ncpu))
    L.append("## Machine\n")
    for k, v in info:
        L.append("- %s: %s" % (k, v))
    L.append("\n## Versions\n")
    for k, v in versions:
        L.append("- %s: %s" % (k, v))
    L.append("\n## Results\n")
    L.append("| workload | metric | system | min | median | max | unit | ratio to best peer | target | met |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for t in table:
        sysname = t["system"] + (" *(%s)*" % t["note"] if t["note"] else "")
        L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            t["workload"], t["metric"], sysname, fmt(t["min"]), fmt(t["median"]), fmt(t["max"]), t["unit"],
            t["ratio"], t["target"], t["met"]))
    if b.sizes:
        L.append("\n## Sizes\n")
        for w in only:
            if w in b.sizes:
                L.append("- %s: %s" % (w, b.sizes[w]))
    L.append("\n## Failed, timed out or skipped\n")
    if R.problems:
        L.append("| workload | system | what happened |")
        L.append("|---|---|---|")
        for (w, s), probs in sorted(R.problems.items()):
            uniq = list(dict.fromkeys(probs))
            L.append("| %s | %s | %s |" % (w, s, "; ".join(p.replace("|", "\\|") for p in uniq)))
    else:
        L.append("none")
    if R.notes:
        L.append("\n## Notes\n")
        for n in R.notes:
            L.append("- " + n)
    L.append("")
    with open(out_md, "w") as f:
        f.write("\n".join(L))
    print("\n".join(L))
    print("wrote %s and %s (log: %s)" % (out_md, out_csv, os.path.join(b.a.out_dir, "raw", "latest.log")))


def write_d1_report(b, started):
    """<out-dir>/dicts.md: D1's table, wf beside C++ and Python, with the paired ratios."""
    R = b.R
    path = os.path.join(b.a.out_dir, "dicts.md")
    systems = getattr(b, "d1_systems", [])
    wf = next((s for s in systems if s.startswith("wf")), None)
    cxx = next((s for s in systems if s.startswith("C++")), None)
    py = next((s for s in systems if s.startswith("Python")), None)

    def cell(metric, system):
        r = R.rows.get(("D1", metric, system)) if system else None
        if not r or not r["values"]:
            return "—"
        v = r["values"]
        return "%s (min %s)" % (fmt(statistics.median(v)), fmt(min(v)))

    def ratio(metric):
        r = R.rows.get(("D1", metric, wf)) if wf else None
        if not r or not r["values"]:
            return "—", ""
        v = r["values"]
        text = "%.2f× (%.2f–%.2f)" % (statistics.median(v), min(v), max(v))
        met = ""
        if ("D1", metric) in R.goals:
            goal, ok = R.goals[("D1", metric)]
            met = "%s: %s" % (goal, "met" if ok(statistics.median(v)) else "NOT met")
        return text, met

    head = cmd_out(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    try:  # not cmd_out: it strips the first line's leading status column
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "compiler", "stdlib", "runtime",
                                "core", "CMakeLists.txt"], capture_output=True, text=True, timeout=30).stdout
    except Exception:
        dirty = ""
    info, versions = machine_info(b)
    caches = []
    for line in cmd_out(["lscpu"]).splitlines():
        if re.match(r"^L[123]\w* cache:", line):
            caches.append(" ".join(line.split()))
    L = ["# D1 — dictionaries: wf, C++ std::unordered_map, Python dict (issue 12)\n"]
    L.append("- date: %s (started %s)" % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                                          started.strftime("%H:%M UTC")))
    L.append("- command: `%s`" % " ".join(["bench/run.py"] + sys.argv[1:]))
    if b.a.wfc:
        L.append("- wfc: `%s` (given with --wfc; the commit below is this work tree's, which need not be the "
                 "binary's)" % b.wfc)
    L.append("- work tree: `%s` at commit `%s`%s" % (ROOT, head, "" if not dirty.strip() else
                                                     ", with uncommitted changes to: "
                                                     + ", ".join("`%s`" % l[3:] for l in dirty.splitlines())))
    L.append("- sizes: %s" % b.sizes.get("D1", ""))
    L.append("- each program times its own phases (wf: `now()` inside the task; C++: CLOCK_MONOTONIC; "
             "Python: time.perf_counter), so process start-up, compiling and building the key arrays are "
             "not in the times; the string keys' build is reported on its own row")
    L.append("- times in ms, median (min) of the repetitions; ratios paired per repetition, median (min–max); "
             "goals judged on the median\n")
    L.append("## Machine\n")
    for k, v in info:
        L.append("- %s: %s" % (k, v))
    if caches:
        L.append("- caches (lscpu): %s" % "; ".join(caches))
    for k, v in versions:
        if k in ("wfc", "gcc", "LLVM", "Python"):
            L.append("- %s: %s" % (k, v))
    L.append("- g++: %s" % (cmd_out(["g++", "--version"]).splitlines() or ["?"])[0])
    L.append("\n## Results\n")
    L.append("| phase | wf | C++ | Python | wf ÷ C++ | Python ÷ wf | goal |")
    L.append("|---|---|---|---|---|---|---|")
    for _, metric in Bench.D1_PHASES:
        rc, mc = ratio(metric + ": wf ÷ C++")
        rp, mp = ratio(metric + ": Python ÷ wf")
        if metric.startswith("str keys: building"):
            wr, cr = R.median("D1", metric, wf), R.median("D1", metric, cxx)
            pr = R.median("D1", metric, py)
            rc = "%.2f× (of medians)" % (wr / cr) if wr and cr else "—"
            rp = "%.2f× (of medians)" % (pr / wr) if wr and pr else "—"
        L.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            metric, cell(metric, wf), cell(metric, cxx), cell(metric, py), rc, rp,
            "; ".join(x for x in (mc, mp) if x)))
    probs = {k: v for k, v in R.problems.items() if k[0] in ("D1", "all")}
    L.append("\n## Failed, timed out or skipped\n")
    if probs:
        for (w, sname), ps in sorted(probs.items()):
            L.append("- %s %s: %s" % (w, sname, "; ".join(dict.fromkeys(ps))))
    else:
        L.append("none")
    L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))
    print("\n".join(L))
    print("wrote %s" % path)


def short(s):
    return {"ProcessPoolExecutor": "PPE", "mpi4py.futures (mpirun -n W+1)": "mpi4py",
            "mpi4py.futures (spawn)": "mpi4py spawn", "dask.distributed LocalCluster": "dask"}.get(s, s)


def main():
    ap = argparse.ArgumentParser(description="Run the wf benchmarks against the peers; write bench/results/.")
    ap.add_argument("--quick", action="store_true", help="1 repetition and smaller sizes")
    ap.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W3 (default: all)")
    ap.add_argument("--reps", type=int, default=0, help="repetitions (default 3, or 1 with --quick)")
    ap.add_argument("--launchers", default="local,default",
                    help="wf launchers under test; 'default' passes no --launcher (default: local,default)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-release"))
    ap.add_argument("--no-build", action="store_true", help="use the existing build-release/wfc")
    ap.add_argument("--wfc", default="", help="use this wfc binary, do not build")
    ap.add_argument("--nice", type=int, default=0, help="run everything under nice -n N")
    ap.add_argument("--setup", action="store_true", help="first run scripts/setup-bench.sh (apt packages)")
    ap.add_argument("--out-dir", default=os.path.join(BENCH, "results"))
    ap.add_argument("--m2-mem-gb", type=float, default=8.0,
                    help="M2: address-space cap per process, GiB (prlimit --as; default 8)")
    a = ap.parse_args()
    only = [w.strip().upper() for w in a.only.split(",") if w.strip()] or ALL
    bad = [w for w in only if w not in ALL]
    if bad:
        ap.error("unknown workload(s) %s; choose from %s" % (",".join(bad), ",".join(ALL)))
    only = [w for w in ALL if w in only]
    if a.setup:
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "setup-bench.sh")], check=True)
    if a.wfc:
        a.wfc = os.path.abspath(a.wfc)
    sys.exit(Bench(a).run(only))


if __name__ == "__main__":
    main()
