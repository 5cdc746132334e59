"""examples/notebook.ipynb run headless, as `jupyter nbconvert --execute` would, then the
parts a headless run cannot do — an interrupt in the middle of a cell, a restart — driven
through jupyter_client. Run by CTest (`jupyter_notebook`):

    /usr/bin/python3 tests/jupyter/test_notebook.py --wfc build/wfc

The kernelspec is installed into a temporary prefix with `--workers 2 --launcher mpirun` (the
notebook has an `mpi(ranks=2)` cell). Cells are found by a piece of their source, so a
reordered notebook still tests the same things; a missing one fails.

What is checked, cell by cell: stream text, execute_result data, error ename/evalue, one
progress display per map; that the worker pids the notebook shows are this kernel's wf-worker
processes and end with the kernel; that an interrupt ends the running cell within seconds
with one error, leaves the same warm pool (same processes, same pids reported) and binds
nothing; and that a restart ends every worker and starts a session that knows nothing of the
old one.
"""
import os
import re
import signal
import sys
import time
import unittest
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient

from kernel_env import KernelWorld, parse_wfc, worker_pids

WFC = parse_wfc(sys.argv)
WORLD = KernelWorld(WFC, "--workers", "2", "--launcher", "mpirun")
NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "notebook.ipynb"
CELL_TIMEOUT = 120  # the first cell compiles through LLVM and starts mpirun


def source_of(nb, piece):
    found = [c for c in nb.cells if c.cell_type == "code" and piece in c.source]
    if len(found) != 1:
        raise AssertionError("%d code cells of the notebook contain %r" % (len(found), piece))
    return found[0]


def stream(cell, name):
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == name)


def of_type(cell, kind):
    return [o for o in cell.outputs if o.output_type == kind]


def value(cell):
    results = of_type(cell, "execute_result")
    assert len(results) == 1, "expected one execute_result, got %s" % cell.outputs
    return results[0].data


def pids_in(text):
    assert re.fullmatch(r"\[\d+(, \d+)*\]", text), "not a list of pids: %r" % text
    return [int(p) for p in re.findall(r"\d+", text)]


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


class HeadlessRun(unittest.TestCase):
    """The whole notebook through nbclient; then each cell's outputs."""

    @classmethod
    def setUpClass(cls):
        cls.nb = nbformat.read(NOTEBOOK, as_version=4)
        cls.live_workers = None
        cls.shown_pids = None

        def after_cell(cell, cell_index, execute_reply):
            if "pool-pids" in cell.metadata.get("tags", []) and cell.outputs:
                # While the kernel runs: its wf-worker processes, and the pids the cell showed.
                cls.live_workers = worker_pids(under=client.km.provisioner.pid)
                cls.shown_pids = pids_in(value(cell)["text/plain"])

        # allow_errors: every cell runs and each test below judges its own; the `raises-exception`
        # tags (what `jupyter nbconvert --execute` goes by) are checked by test_only_tagged_cells_fail.
        client = NotebookClient(cls.nb, kernel_name="wf", timeout=CELL_TIMEOUT, allow_errors=True,
                                on_cell_executed=after_cell, resources={"metadata": {"path": WORLD.root}})
        client.execute()

    def cell(self, piece):
        return source_of(self.nb, piece)

    def assertNoErrors(self, cell):
        self.assertEqual(of_type(cell, "error"), [], cell.source)

    def test_only_tagged_cells_fail(self):
        for c in self.nb.cells:
            if c.cell_type != "code":
                continue
            with self.subTest(cell=c.source.splitlines()[0]):
                tagged = "raises-exception" in c.metadata.get("tags", [])
                errors = of_type(c, "error")
                self.assertEqual(bool(errors), tagged, errors or "no error")

    def test_declarations(self):
        c = self.cell("fn norm2(p: Point)")
        self.assertNoErrors(c)
        self.assertEqual(of_type(c, "execute_result"), [])

    def test_map_with_progress_and_value(self):
        c = self.cell("let squares = map(square, range(0, N));")
        self.assertNoErrors(c)
        self.assertEqual(value(c)["text/plain"], str(sum(i * i for i in range(1000))))
        displays = of_type(c, "display_data")
        self.assertEqual(len(displays), 1, "one display per map, updated in place: %s" % displays)
        self.assertIn("<progress", displays[0].data["text/html"])
        self.assertTrue(displays[0].data["text/plain"].strip())
        # The last update is the finished map's, not a count on the way.
        self.assertNotRegex(displays[0].data["text/plain"], r"^map (\d|[1-9]\d|[1-9]\d\d)/1000$")

    def test_earlier_lets_and_records(self):
        c = self.cell("let points = ")
        self.assertNoErrors(c)
        self.assertEqual(stream(c, "stdout"), "[1.0, 2.0, 5.0, 10.0] 1000\n")

    def test_mpi_beside_serial(self):
        c = self.cell("mpi(ranks=2) fn ranks_total")
        self.assertNoErrors(c)
        self.assertEqual(stream(c, "stdout"), "21 144\n")

    def test_compile_error(self):
        c = self.cell('let wrong: int = "a";')
        self.assertEqual([o.output_type for o in c.outputs], ["error"], c.outputs)
        e = c.outputs[0]
        self.assertEqual(e.ename, "CompileError")
        self.assertRegex(e.traceback[0], r"^cell\[%d\]:1:\d+: error: " % c.execution_count)
        self.assertTrue(any(line.strip().startswith("^") for line in e.traceback), e.traceback)

    def test_caught_task_error(self):
        c = self.cell("try {")
        self.assertNoErrors(c)
        self.assertEqual(stream(c, "stdout"), "caught: bad input 3\n")

    def test_uncaught_task_error_keeps_no_binding(self):
        c = self.cell("let before_failure = 1;")
        errors = of_type(c, "error")
        self.assertEqual(len(errors), 1, c.outputs)
        self.assertIn("bad input 3", errors[0].evalue)
        self.assertNotEqual(errors[0].ename, "CompileError")
        later = self.cell("// So `before_failure` does not exist here.")
        errors = of_type(later, "error")
        self.assertEqual([e.ename for e in errors], ["CompileError"], later.outputs)
        self.assertIn("before_failure", "\n".join(errors[0].traceback))

    def test_value_only_without_semicolon(self):
        bound = self.cell("let answer = 6 * 7;")
        self.assertEqual(bound.outputs, [])
        shown = [c for c in self.nb.cells if c.cell_type == "code" and c.source.strip() == "answer"]
        self.assertEqual(len(shown), 1)
        self.assertEqual(value(shown[0])["text/plain"], "42")

    def test_redefinition(self):
        first = self.cell('return "hello";')
        self.assertEqual(value(first)["text/plain"], "hello!")
        again = self.cell('return "bonjour";')
        self.assertNoErrors(again)
        self.assertIn("greeting", stream(again, "stderr"))
        after = self.cell("[shout(), submit(shout).result()]")
        self.assertEqual(value(after)["text/plain"], '["bonjour!", "bonjour!"]')

    def test_table(self):
        data = value(self.cell("[Point(x=1.0, y=2.0), Point(x=3.0, y=4.0)]"))
        self.assertEqual(data["text/plain"], "[Point(x=1.0, y=2.0), Point(x=3.0, y=4.0)]")
        self.assertIn("<table", data.get("text/html", ""))

    def test_worker_pids_are_the_kernels_workers_and_end_with_it(self):
        self.assertIsNotNone(self.shown_pids, "the pool-pids cell showed nothing")
        self.assertTrue(1 <= len(self.shown_pids) <= 2, self.shown_pids)
        self.assertLessEqual(set(self.shown_pids), self.live_workers)
        # nbclient has shut the kernel down: its workers are gone.
        self.assertTrue(wait_until(lambda: not (self.live_workers & worker_pids()), 15),
                        "workers outlived the kernel: %s" % (self.live_workers & worker_pids()))

    def test_skipped_cell_did_not_run(self):
        self.assertEqual(self.cell("let naps = map(nap").outputs, [])


class InterruptAndRestart(unittest.TestCase):
    """A kernel through jupyter_client: a long map interrupted, a restart, SIGTERM."""

    def setUp(self):
        self.nb = nbformat.read(NOTEBOOK, as_version=4)
        self.km = KernelManager(kernel_name="wf")
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def tearDown(self):
        kernel = self.km.provisioner.pid if self.km.has_kernel else None
        workers = worker_pids(under=kernel) if kernel else set()
        self.kc.stop_channels()
        self.km.shutdown_kernel()
        self.assertTrue(wait_until(lambda: not (workers & worker_pids()), 15), "workers outlived the kernel")

    def run_cell(self, code, timeout=CELL_TIMEOUT):
        outputs = []
        reply = self.kc.execute_interactive(code, timeout=timeout,
                                            output_hook=lambda m: outputs.append(m)
                                            if m["msg_type"] not in ("status", "execute_input") else None)
        return reply["content"], outputs

    def shown(self, code):
        content, outputs = self.run_cell(code)
        self.assertEqual(content["status"], "ok", content)
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1, outputs)
        return results[0]

    def test_interrupt_keeps_the_warm_pool_and_restart_ends_it(self):
        content, _ = self.run_cell(source_of(self.nb, "fn worker_pid(i: int)").source)
        self.assertEqual(content["status"], "ok", content)
        before = set(pids_in(self.shown("pool_pids()")))
        workers = worker_pids(under=self.km.provisioner.pid)
        self.assertLessEqual(before, workers)

        # The long map: interrupted once its progress display shows it runs.
        msg_id = self.kc.execute(source_of(self.nb, "let naps = map(nap").source)
        deadline = time.monotonic() + 60
        running = False
        while not running and time.monotonic() < deadline:
            msg = self.kc.get_iopub_msg(timeout=60)
            running = msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "display_data"
        self.assertTrue(running, "the long map never showed its progress")
        time.sleep(1)
        asked = time.monotonic()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=30)
        took = time.monotonic() - asked
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error", reply["content"])
        self.assertIn("interrupt", reply["content"]["ename"].lower(), reply["content"])
        self.assertLess(took, 10, "the interrupt took %.1f s" % took)
        errors = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=10)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "error":
                errors.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        self.assertEqual(len(errors), 1, "one error message for the interrupted cell")

        # The same warm pool: the same processes, and the tasks run on them.
        self.assertEqual(worker_pids(under=self.km.provisioner.pid), workers)
        self.assertLessEqual(set(pids_in(self.shown("pool_pids()"))), workers)
        content, _ = self.run_cell("len(naps)")  # the interrupted cell bound nothing
        self.assertEqual(content.get("ename"), "CompileError", content)

        # A restart ends every worker and starts an empty session.
        self.km.restart_kernel(now=False)
        self.assertTrue(wait_until(lambda: not (workers & worker_pids()), 15),
                        "workers outlived the restart: %s" % (workers & worker_pids()))
        self.kc.wait_for_ready(timeout=60)
        content, _ = self.run_cell("pool_pids()")
        self.assertEqual(content.get("ename"), "CompileError", content)
        self.assertEqual(self.shown("6 * 7"), "42")

    def test_sigterm_ends_the_workers(self):
        # What jupyter_client sends a kernel that does not stop when asked to.
        self.assertEqual(self.shown("fn twice(x: int) -> int { return 2 * x; }\nmap(twice, [1, 2, 3])"), "[2, 4, 6]")
        kernel = self.km.provisioner.process
        workers = worker_pids(under=kernel.pid)
        self.assertTrue(workers)
        os.kill(kernel.pid, signal.SIGTERM)
        self.assertEqual(kernel.wait(timeout=10), 143)
        self.assertTrue(wait_until(lambda: not (workers & worker_pids()), 10),
                        "workers outlived SIGTERM: %s" % (workers & worker_pids()))


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        WORLD.remove()
