"""The wf kernel against jupyter_kernel_test, the Jupyter project's own conformance suite for
kernels: every message is validated against the protocol's schemas (msgspec v5), and each
sample below is a request whose answer the suite checks. Run by CTest (`jupyter_kernel`):

    /usr/bin/python3 tests/jupyter/test_kernel.py --wfc build/wfc

The kernelspec is installed into a temporary prefix by `wfc kernel install --prefix TMP
--workers 2 --launcher local` (kernel_env.py); the kernel is the one Jupyter starts from it.
Tests of the suite that do not apply to wf are skipped by leaving their field empty; why is
written beside each. The tests after the suite's cover what it does not: the kernelspec's
files, kernel_info's language fields, a compile error's one message, code-point cursors,
interrupts of a map and of a cell's own loop, the `%graph` and `%stats` magics.
"""
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

import jupyter_kernel_test

from kernel_env import KernelWorld, parse_wfc

WFC = parse_wfc(sys.argv)
WORLD = KernelWorld(WFC, "--workers", "2", "--launcher", "local")

# The first cell of a session compiles through LLVM and starts the pool.
FIRST_CELL_TIMEOUT = 60


class WfKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "wf"
    language_name = "wf"
    file_extension = ".wf"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A function for the completion and display samples, defined the way a user would.
        reply = cls.kc.execute_interactive("fn square_it(x: int) -> int { return x * x; }",
                                           timeout=FIRST_CELL_TIMEOUT, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok", reply["content"]

    # ---- the suite's samples ----------------------------------------------------------------

    code_hello_world = 'print("hello, world")'
    code_stderr = 'eprint("oops")'

    completion_samples = [
        {"text": "pri", "matches": {"print"}},
        {"text": "let n = squ", "matches": {"square_it"}},  # a name from an earlier cell
        {"text": "ep", "matches": {"eprint"}},
    ]

    complete_code_samples = ['print("x");', "fn f() { }", "6 * 7", "let s = \"{\";"]
    incomplete_code_samples = ["fn f() {", "print(1,", "let xs = [1, 2,", "/* a comment\n that goes on"]
    # A string literal cannot span lines (docs/language.md §2), so no further line completes it.
    invalid_code_samples = ["}", "print(1))", 'let s = "abc']

    code_inspect_sample = "print"

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "square_it(12)", "result": "144"},  # the earlier cell's function
    ]

    # A map shows its progress as a display (text/plain and text/html).
    code_display_data = [{"code": "let squares = map(square_it, range(0, 1000));", "mime": "text/html"}]

    # A task's error: exactly one iopub `error` message (the suite counts them).
    code_generate_error = 'fail("boom")'

    # The kernel's history (tools/wfc/kernel/cell_history.hpp) answers all three kinds; the
    # pattern is a glob over a whole cell, `*` matching the multiplication sign here too.
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 * 7"

    # Not applicable: wf has no pager output (`payload` with source "page") ...
    code_page_something = ""
    # ... and no way for a cell to clear its own output (`clear_output`).
    code_clear_output = ""

    # ---- beyond the suite ---------------------------------------------------------------------

    def run_cell(self, code, timeout=30):
        """Execute `code`; its reply and its iopub messages (without status and execute_input)."""
        self.flush_channels()
        outputs = []

        def keep(msg):
            if msg["msg_type"] not in ("status", "execute_input"):
                outputs.append(msg)

        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=keep)
        return reply, outputs

    def test_kernelspec_files(self):
        spec = WORLD.spec
        self.assertEqual(spec["argv"], [WFC, "kernel", "-f", "{connection_file}"])
        self.assertEqual(spec["language"], "wf")
        self.assertEqual(spec["display_name"], "wf")
        self.assertEqual(spec["interrupt_mode"], "signal")
        self.assertEqual(spec["env"], {"WF_WORKERS": "2", "WF_LAUNCHER": "local"})
        self.assertIn(WORLD.spec_dir, WORLD.install_output)
        for size in (32, 64):
            with open(os.path.join(WORLD.spec_dir, "logo-%dx%d.png" % (size, size)), "rb") as f:
                png = f.read()
            self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
            at, idat, chunks = 8, b"", []
            while at < len(png):
                (n,) = struct.unpack(">I", png[at:at + 4])
                kind, data = png[at + 4:at + 8], png[at + 8:at + 8 + n]
                (crc,) = struct.unpack(">I", png[at + 8 + n:at + 12 + n])
                self.assertEqual(zlib.crc32(kind + data), crc, "bad CRC in the %s chunk" % kind)
                chunks.append(kind)
                if kind == b"IHDR":
                    width, height, depth, color = struct.unpack(">IIBB", data[:10])
                    self.assertEqual((width, height, depth, color), (size, size, 8, 6))
                if kind == b"IDAT":
                    idat += data
                at += 12 + n
            self.assertEqual((chunks[0], chunks[-1]), (b"IHDR", b"IEND"))
            pixels = zlib.decompress(idat)
            self.assertEqual(len(pixels), size * (1 + 4 * size))
            self.assertGreater(len(set(pixels[1:1 + 4 * size * size:4])), 1, "the logo is blank")

    def test_kernel_info_language(self):
        self.flush_channels()
        self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=jupyter_kernel_test.TIMEOUT)
        info = reply["content"]
        self.assertEqual(info["implementation"], "wf")
        self.assertEqual(info["language_info"]["mimetype"], "text/x-wf")
        self.assertEqual(info["language_info"]["codemirror_mode"], "rust")
        self.assertEqual(info["language_info"]["pygments_lexer"], "rust")
        self.assertTrue(info["banner"].startswith("wfc "), info["banner"])

    def test_compile_error_is_one_error_message(self):
        reply, outputs = self.run_cell('let x: int = "a";')
        content = reply["content"]
        self.assertEqual(content["status"], "error")
        self.assertEqual(content["ename"], "CompileError")
        self.assertEqual([m["msg_type"] for m in outputs], ["error"], outputs)
        traceback = outputs[0]["content"]["traceback"]
        self.assertEqual(traceback, content["traceback"])
        self.assertRegex(traceback[0], r"^cell\[\d+\]:1:\d+: error: ")
        self.assertIn("^", "\n".join(traceback), "no caret under the error")
        self.assertEqual(content["evalue"], outputs[0]["content"]["evalue"])

    def test_runtime_error_reply_matches_its_message(self):
        reply, outputs = self.run_cell('fail("deliberate");')
        content = reply["content"]
        self.assertEqual(content["status"], "error")
        self.assertEqual([m["msg_type"] for m in outputs], ["error"], outputs)
        self.assertIn("deliberate", content["evalue"])
        for key in ("ename", "evalue", "traceback"):
            self.assertEqual(content[key], outputs[0]["content"][key])

    def test_no_value_after_semicolon(self):
        reply, outputs = self.run_cell("6 * 7;")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(outputs, [])

    def test_silent_cells_show_nothing_and_keep_their_bindings(self):
        # `silent` does not advance the execution count; each such cell is still a cell of its own.
        for code in ("let quiet = 7;", 'print("unseen");', "fn quietly() -> int { return 8; }"):
            self.flush_channels()
            outputs = []
            reply = self.kc.execute_interactive(code, silent=True, timeout=30, output_hook=lambda m: outputs.append(m)
                                                if m["msg_type"] not in ("status", "execute_input") else None)
            self.assertEqual(reply["content"]["status"], "ok", (code, reply["content"]))
            self.assertEqual(outputs, [], code)
        reply, outputs = self.run_cell("quiet + quietly()")
        self.assertEqual([m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"],
                         ["15"])

    def test_completion_cursor_counts_code_points(self):
        # "é" is 2 bytes and "→" 3 in UTF-8, one code point each in Jupyter's count.
        code = 'print("é→"); pri'
        self.kc.complete(code, len(code))
        reply = self.get_non_kernel_info_reply(timeout=jupyter_kernel_test.TIMEOUT)
        content = reply["content"]
        self.assertIn("print", content["matches"])
        self.assertEqual((content["cursor_start"], content["cursor_end"]), (len(code) - 3, len(code)))

    def test_is_complete_indent(self):
        self.kc.is_complete("fn f() {")
        reply = self.get_non_kernel_info_reply(timeout=jupyter_kernel_test.TIMEOUT)
        self.assertEqual(reply["content"]["status"], "incomplete")
        self.assertTrue(reply["content"]["indent"].strip() == "" and reply["content"]["indent"],
                        "expected an indent of spaces, got %r" % reply["content"]["indent"])

    def test_interrupt_when_idle_changes_nothing(self):
        self.km.interrupt_kernel()
        time.sleep(0.5)
        reply, outputs = self.run_cell("square_it(5)")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        self.assertEqual([m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"],
                         ["25"])

    def test_interrupt_then_run_again(self):
        self.flush_channels()
        self.kc.execute("fn nap(x: int) -> int { sleep(0.05); return x; }\n"
                        "let naps = map(nap, range(0, 100000));")
        time.sleep(2)  # the map is running
        started = time.monotonic()
        self.km.interrupt_kernel()
        reply = self.get_non_kernel_info_reply(timeout=30)
        self.assertEqual(reply["content"]["status"], "error", reply["content"])
        self.assertLess(time.monotonic() - started, 10, "the interrupt took too long")
        reply, outputs = self.run_cell("6 * 7")
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual([m["content"]["data"]["text/plain"] for m in results], ["42"])

    def test_graph_and_stats_magics_show_as_displays(self):
        reply, outputs = self.run_cell("%graph\n%stats\nmap(square_it, [1, 2, 3])")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        shown = [m["content"]["data"] for m in outputs if m["msg_type"] == "display_data"]
        svgs = [d["image/svg+xml"] for d in shown if "image/svg+xml" in d]
        self.assertEqual(len(svgs), 1, shown)
        self.assertIn("<svg", svgs[0])
        self.assertIn("square_it", svgs[0])
        tables = [d["text/plain"] for d in shown if d.get("text/plain", "").startswith("wf stats:")]
        self.assertEqual(len(tables), 1, shown)
        self.assertIn("square_it", tables[0])
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results, ["[1, 4, 9]"])

    def test_interrupt_stops_a_loop_of_the_cell_itself(self):
        # No task to cancel: the loop runs in the kernel process, and a `try` cannot hold it.
        self.flush_channels()
        self.kc.execute("var spins = 0;\nwhile true {\n    try {\n        spins += 1;\n"
                        "    } catch e {\n        print(e);\n    }\n}")
        time.sleep(1)
        started = time.monotonic()
        self.km.interrupt_kernel()
        reply = self.get_non_kernel_info_reply(timeout=30)
        self.assertEqual(reply["content"]["status"], "error", reply["content"])
        self.assertEqual(reply["content"]["ename"], "Interrupted", reply["content"])
        self.assertLess(time.monotonic() - started, 10, "the interrupt took too long")
        reply, outputs = self.run_cell("6 * 7")
        self.assertEqual(reply["content"]["status"], "ok")


class KernelspecInstall(unittest.TestCase):
    """Where `wfc kernel install` puts the kernelspec, and what it writes there."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="wf-kernelspec-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("JUPYTER_DATA_DIR", "XDG_DATA_HOME", "VIRTUAL_ENV", "CONDA_PREFIX",
                                 "WF_WORKERS", "WF_LAUNCHER")}
        self.env["HOME"] = os.path.join(self.tmp, "home")

    def wfc(self, *args, **env):
        r = subprocess.run([WFC, "kernel"] + list(args), env=dict(self.env, **env), capture_output=True, text=True)
        return r

    def spec_at(self, kernels_dir, name="wf"):
        with open(os.path.join(kernels_dir, name, "kernel.json")) as f:
            return json.load(f)

    def test_user_is_the_default(self):
        r = self.wfc("install")
        self.assertEqual(r.returncode, 0, r.stderr)
        home_kernels = os.path.join(self.tmp, "home", ".local", "share", "jupyter", "kernels")
        self.assertEqual(self.spec_at(home_kernels)["language"], "wf")
        self.assertNotIn("env", self.spec_at(home_kernels))  # nothing set, nothing written
        data = os.path.join(self.tmp, "data")
        self.assertEqual(self.wfc("install", "--user", JUPYTER_DATA_DIR=data).returncode, 0)
        self.spec_at(os.path.join(data, "kernels"))
        xdg = os.path.join(self.tmp, "xdg")
        self.assertEqual(self.wfc("install", XDG_DATA_HOME=xdg).returncode, 0)
        self.spec_at(os.path.join(xdg, "jupyter", "kernels"))

    def test_sys_prefix(self):
        venv = os.path.join(self.tmp, "venv")
        self.assertEqual(self.wfc("install", "--sys-prefix", VIRTUAL_ENV=venv).returncode, 0)
        self.spec_at(os.path.join(venv, "share", "jupyter", "kernels"))
        # Without a virtualenv: the prefix of the Python named by `jupyter`'s first line.
        bin_dir = os.path.join(self.tmp, "bin")
        os.makedirs(bin_dir)
        prefix = os.path.join(self.tmp, "py-prefix")
        with open(os.path.join(bin_dir, "python3"), "w") as f:
            f.write("#!/bin/sh\necho %s\n" % prefix)
        with open(os.path.join(bin_dir, "jupyter"), "w") as f:
            f.write("#!%s\n" % os.path.join(bin_dir, "python3"))
        for exe in ("python3", "jupyter"):
            os.chmod(os.path.join(bin_dir, exe), stat.S_IRWXU)
        r = self.wfc("install", "--sys-prefix", PATH=bin_dir + ":" + os.environ["PATH"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.spec_at(os.path.join(prefix, "share", "jupyter", "kernels"))

    def test_name_settings_and_jupyter_client_finds_it(self):
        r = self.wfc("install", "--prefix", self.tmp, "--name", "wf-mpi", "--display-name", "wf (mpirun)",
                     WF_WORKERS="3", WF_LAUNCHER="mpirun")
        self.assertEqual(r.returncode, 0, r.stderr)
        spec = KernelSpecManager(kernel_dirs=[os.path.join(self.tmp, "share", "jupyter", "kernels")]) \
            .get_kernel_spec("wf-mpi")
        self.assertEqual(spec.display_name, "wf (mpirun)")
        self.assertEqual(spec.interrupt_mode, "signal")
        self.assertEqual(spec.env, {"WF_WORKERS": "3", "WF_LAUNCHER": "mpirun"})
        self.assertEqual(spec.argv[:2], [WFC, "kernel"])

    def test_bad_settings_are_usage_errors(self):
        for args, env in ((["--name", "no spaces"], {}), ([], {"WF_LAUNCHER": "carrier-pigeon"}),
                          ([], {"WF_WORKERS": "many"}), (["--workers", "0"], {}), (["--launcher", "x"], {})):
            with self.subTest(args=args, env=env):
                r = self.wfc("install", "--prefix", self.tmp, *args, **env)
                self.assertEqual(r.returncode, 2, r)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "share")), "a failed install wrote files")
        self.assertEqual(self.wfc("install", "--user", "--prefix", self.tmp).returncode, 2)
        self.assertEqual(self.wfc().returncode, 2)  # neither -f nor a subcommand

    def test_uninstall(self):
        kernels = os.path.join(self.tmp, "share", "jupyter", "kernels")
        self.assertEqual(self.wfc("install", "--prefix", self.tmp).returncode, 0)
        r = self.wfc("uninstall", "--prefix", self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(kernels, "wf")))
        self.assertEqual(self.wfc("uninstall", "--prefix", self.tmp).returncode, 1)
        # Another language's kernel of that name stays.
        os.makedirs(os.path.join(kernels, "python3"))
        with open(os.path.join(kernels, "python3", "kernel.json"), "w") as f:
            json.dump({"argv": ["python3"], "language": "python", "display_name": "Python 3"}, f)
        self.assertEqual(self.wfc("uninstall", "--prefix", self.tmp, "--name", "python3").returncode, 1)
        self.assertTrue(os.path.exists(os.path.join(kernels, "python3", "kernel.json")))

    def test_bad_setting_in_kernel_json_answers_every_cell(self):
        # The kernel starts anyway and says what is wrong, instead of dying before it can.
        r = self.wfc("install", "--prefix", WORLD.root, "--name", "wf-bad")
        self.assertEqual(r.returncode, 0, r.stderr)
        path = os.path.join(WORLD.root, "share", "jupyter", "kernels", "wf-bad", "kernel.json")
        with open(path) as f:
            spec = json.load(f)
        spec["env"] = {"WF_LAUNCHER": "carrier-pigeon"}
        with open(path, "w") as f:
            json.dump(spec, f)
        km, kc = start_new_kernel(kernel_name="wf-bad")
        try:
            for code in ("6 * 7", 'print("x")'):
                reply = kc.execute_interactive(code, timeout=30, output_hook=lambda msg: None)["content"]
                self.assertEqual(reply["status"], "error")
                self.assertEqual(reply["ename"], "KernelError")
                self.assertIn("WF_LAUNCHER=carrier-pigeon", reply["evalue"])
        finally:
            kc.stop_channels()
            km.shutdown_kernel()


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        WORLD.remove()
