"""The scratch Jupyter world the kernel tests run in (tests/jupyter/).

`wfc kernel install --prefix TMP` writes the kernelspec into TMP/share/jupyter/kernels/wf, and
JUPYTER_PATH points there, so jupyter_client finds this build's kernel and no other one; the
connection files, the Jupyter data directory and the compile cache live in TMP too, so a test
leaves nothing in the home directory.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import jupyter_client  # noqa: F401
    import jupyter_kernel_test  # noqa: F401
    import nbclient  # noqa: F401
    import nbformat  # noqa: F401
except ImportError as e:
    print("skipped: %s (the Debian packages python3-jupyter-client, python3-jupyter-kernel-test, "
          "python3-nbclient; run the tests with /usr/bin/python3)" % e, file=sys.stderr)
    sys.exit(77)


def parse_wfc(argv):
    """`--wfc PATH` from argv (removed from it); the rest is for unittest."""
    if "--wfc" not in argv:
        raise SystemExit("usage: %s --wfc PATH/TO/wfc [unittest options]" % argv[0])
    at = argv.index("--wfc")
    wfc = os.path.abspath(argv[at + 1])
    del argv[at:at + 2]
    return wfc


class KernelWorld:
    def __init__(self, wfc, *install_args):
        self.wfc = wfc
        self.root = tempfile.mkdtemp(prefix="wf-jupyter-")
        for name, sub in (("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTER_DATA_DIR", "data"),
                          ("JUPYTER_CONFIG_DIR", "config"), ("WF_CACHE_DIR", "wf-cache")):
            os.environ[name] = os.path.join(self.root, sub)
        os.environ["JUPYTER_PATH"] = os.path.join(self.root, "share", "jupyter")
        os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        # The launcher and pool size travel in kernel.json, not in the server's environment.
        os.environ.pop("WF_LAUNCHER", None)
        os.environ.pop("WF_WORKERS", None)
        r = subprocess.run([wfc, "kernel", "install", "--prefix", self.root] + list(install_args),
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("wfc kernel install failed (%d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
        self.install_output = r.stdout
        self.spec_dir = os.path.join(self.root, "share", "jupyter", "kernels", "wf")
        with open(os.path.join(self.spec_dir, "kernel.json")) as f:
            self.spec = json.load(f)

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)


def processes():
    """{pid: (ppid, argv0 basename)} of the live processes (zombies left out)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv0 = f.read().split(b"\0")[0]
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            table[int(entry)] = (int(fields[1]), os.path.basename(argv0).decode(errors="replace"))
    return table


def worker_pids(under=None):
    """The pids of the live wf-worker processes; with `under`, only descendants of that pid."""
    table = processes()

    def descends(pid):
        seen = set()
        while pid in table and pid not in seen:
            seen.add(pid)
            pid = table[pid][0]
            if pid == under:
                return True
        return False

    return {pid for pid, (_, name) in table.items() if name == "wf-worker" and (under is None or descends(pid))}
