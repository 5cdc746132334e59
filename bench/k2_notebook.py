#!/usr/bin/python3
"""K2 (issue 15): the Jupyter kernel, through the real protocol (jupyter_client and the
kernelspec `wfc kernel install` writes), wf only (ipykernel + executorlib would need the
Python stack this repository does not install).

  1. cell submission to first task result on a warm pool: a 10-line cell that submits one
     task and prints its result; the time from sending execute_request to the stream
     message with that result (goal <= 5 ms, median); beside it, a one-line cell that only
     prints, the floor that compiling, loading and the protocol's hops set;
  2. a cell's incremental compile (front end + code generation, from the execute reply's
     reply's `wf` field) against `wfc build` of a whole program with the same functions: what a
     notebook user waits for per cell, and what a batch user waits for per change.

    /usr/bin/python3 bench/k2_notebook.py [--wfc build/wfc] [--reps 30] [--out bench/results/notebook.md]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import jupyter_client

HERE = os.path.dirname(os.path.abspath(__file__))

DEFINITIONS = """
// helpers, as a notebook's first cell has them
struct Sample { x: float, y: float }
const SCALE: float = 2.5;
fn weight(s: Sample) -> float { return SCALE * s.x * s.x + s.y; }
fn total(n: int) -> float {
    var acc = 0.0;
    for i in 0..n { acc += weight(Sample(float(i), 1.0)); }
    return acc;
}
"""

# Ten lines: what a user re-runs while developing.
CELL = """let n = 10;
let probe = Sample(1.0, 2.0);
let w = weight(probe);
let base = w * 2.0;
let check = base > 0.0;
let label = f"n={n}";
let fut = submit(total, n);
let value = fut.result();
print("result", value);
let done = check and value > 0.0;"""


def execute(kc, code, timeout=60):
    """Sends one cell; returns (seconds to the first stdout stream, reply content)."""
    t0 = time.perf_counter()
    msg_id = kc.execute(code, store_history=True)
    first = None
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout" and first is None:
            first = time.perf_counter() - t0
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=timeout)
    return first, reply


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wfc", default=os.path.join(HERE, "..", "build", "wfc"))
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "notebook.md"))
    args = ap.parse_args()
    wfc = os.path.abspath(args.wfc)

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([wfc, "kernel", "install", "--prefix", tmp], check=True, capture_output=True)
        os.environ["JUPYTER_PATH"] = os.path.join(tmp, "share", "jupyter")
        os.environ.setdefault("WF_WORKERS", "2")
        km = jupyter_client.KernelManager(kernel_name="wf")
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        try:
            _, reply = execute(kc, DEFINITIONS)
            assert reply["content"]["status"] == "ok", reply["content"]
            cold, reply = execute(kc, CELL)  # starts the pool
            assert reply["content"]["status"] == "ok", reply["content"]
            warm, compile_ms, codegen_ms = [], [], []
            for _ in range(args.reps):
                t, reply = execute(kc, CELL)
                assert reply["content"]["status"] == "ok", reply["content"]
                warm.append(t)
                meta = reply["content"].get("wf", {})
                if meta:
                    compile_ms.append(meta["front_end_ms"] + meta["codegen_ms"])
                    codegen_ms.append(meta["codegen_ms"])
            # The floor: a one-line cell with no task (compile, load, the protocol's own hops).
            bare = []
            for _ in range(args.reps):
                t, reply = execute(kc, 'print("x")')
                assert reply["content"]["status"] == "ok", reply["content"]
                bare.append(t)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=False)

        program = os.path.join(tmp, "whole.wf")
        with open(program, "w") as f:
            f.write(DEFINITIONS + "\nflow main() {\n" + "\n".join("    " + l for l in CELL.splitlines()) + "\n}\n")
        builds = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([wfc, "build", program, "-o", os.path.join(tmp, "whole.wfo")], check=True,
                           capture_output=True)
            builds.append(time.perf_counter() - t0)

    def ms(xs):
        return "%.2f / %.2f / %.2f" % (1e3 * min(xs), 1e3 * statistics.median(xs), 1e3 * max(xs))

    lines = [
        "# K2: the Jupyter kernel (issue 15)",
        "",
        "`/usr/bin/python3 bench/k2_notebook.py --reps %d`, 2 local workers, one sitting. min / median / max." % args.reps,
        "",
        "| measure | time (ms) |",
        "|---|---|",
        "| execute_request to the first task result, warm pool, 10-line cell | %s |" % ms(warm),
        "| the same cell's first run (starts the pool) | %.1f |" % (1e3 * cold),
        "| execute_request to the output of `print(\"x\")` (no task) | %s |" % ms(bare),
    ]
    if compile_ms:
        lines.append("| that cell's incremental compile (front end + codegen) | %.2f / %.2f / %.2f |" %
                     (min(compile_ms), statistics.median(compile_ms), max(compile_ms)))
        lines.append("| of which code generation | %.2f / %.2f / %.2f |" %
                     (min(codegen_ms), statistics.median(codegen_ms), max(codegen_ms)))
    lines.append("| `wfc build` of the whole program (process included) | %s |" % ms(builds))
    lines.append("")
    text = "\n".join(lines)
    print(text)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
