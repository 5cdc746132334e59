#!/usr/bin/env python3
"""Run .wf test programs against a wfc binary; expectations are comments inside each program.

    tests/run_wf_tests.py --wfc build/wfc [--timeout S] [--keep] [--sanitizer] FILE-or-DIR ...
    tests/run_wf_tests.py --self-test

The directives are described in tests/conformance/README.md.

Why it is shaped so: a test is a `.wf` program that says in its own comments what a user would
check (what is printed, the exit status, which line an error is reported at and what it
says), the pattern of Crafting Interpreters, Wren, Zig and Carbon. The runner therefore knows
nothing about the language: it reads directives, runs `wfc` once per file in a fresh empty
directory (stdin from /dev/null, so a test that reads input cannot hang), and compares text.
It is split into three steps that do not know of each other -- `parse_directives` (source
text -> `Expectations`), `run_wfc` (one process, its output captured in files so that a
worker left behind cannot hold a pipe open) and `judge` (expectations + outcome -> the list
of problems) -- so that `--self-test` can check the judging on canned compiler output without
a compiler. Python 3 standard library only, so that Debian's /usr/bin/python3 runs it with
nothing installed. A directive the runner does not understand is a failure of that test,
never silently ignored: a mistyped expectation must not make a test pass.
"""
import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# What AddressSanitizer, LeakSanitizer and UBSan write when they find something (`--sanitizer`).
SANITIZER_REPORT = re.compile(r"^(==\d+==ERROR: (Address|Leak)Sanitizer|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer|.*: runtime error: )",
                              re.M)

# `FILE:LINE:COL: error: MESSAGE` / `... note: MESSAGE`, as the diagnostics renderer writes them.
DIAGNOSTIC = re.compile(r"([^\s:]+\.wf):(\d+):(\d+): (error|note):")

# Whole-line directives: `// NAME: VALUE` alone on its line (the value keeps its spaces).
LINE_DIRECTIVE = re.compile(r"\s*// (expect|expect-stderr|expect-exit|args|main-args|mode):(?: (.*))?$")
# What looks like a whole-line directive but is none of the known ones (a typo, say).
LOOKS_LIKE_DIRECTIVE = re.compile(r"\s*// (expect[\w-]*|mode|[\w-]*args)\s*:")
IN_ORDER = re.compile(r"\s*// expect-errors-in-order\s*$")

# Trailing markers: `// error-here`, `// error: TEXT`, `// note: TEXT`, one or several at the
# end of a line. A marker starts at `//`; its TEXT runs up to the next marker or the line's end.
MARKER = re.compile(r"// (?:error-here(?=\s*(?://|$))|(error|note):)")


@dataclass
class Expectations:
    stdout: list = field(default_factory=list)      # `// expect:` lines, in order
    stderr: list = field(default_factory=list)      # `// expect-stderr:` substrings
    exit: int = 0
    exit_given: bool = False
    args: list = field(default_factory=list)        # before the file
    main_args: list = None                          # after `--`; None: no `--`
    mode: str = "run"
    errors: dict = field(default_factory=dict)      # line -> [TEXT, ...] from `// error:`
    here: set = field(default_factory=set)          # lines with `// error-here` or `// error:`
    notes: dict = field(default_factory=dict)       # line -> [TEXT, ...] from `// note:`
    in_order: bool = False
    malformed: list = field(default_factory=list)   # problems with the directives themselves


def trailing_markers(line):
    """[(kind, text)] for the markers at the end of `line`: kind is here, error or note."""
    found = list(MARKER.finditer(line))
    out = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(line)
        if m.group(1) is None:
            out.append(("here", ""))
        else:
            out.append((m.group(1), line[m.end():end].strip()))
    return out


def parse_directives(text):
    d = Expectations()
    for no, line in enumerate(text.splitlines(), 1):
        m = LINE_DIRECTIVE.match(line)
        if m:
            key, val = m.group(1), m.group(2) or ""
            try:
                if key == "expect":
                    d.stdout.append(val)
                elif key == "expect-stderr":
                    d.stderr.append(val)
                elif key == "expect-exit":
                    d.exit, d.exit_given = int(val), True
                elif key == "args":
                    d.args = shlex.split(val)
                elif key == "main-args":
                    d.main_args = shlex.split(val)
                elif val.strip() in ("run", "check"):
                    d.mode = val.strip()
                else:
                    d.malformed.append(f"line {no}: mode must be `run` or `check`, not {val.strip()!r}")
            except ValueError as e:
                d.malformed.append(f"line {no}: bad `{key}` directive: {e}")
            continue
        if IN_ORDER.match(line):
            d.in_order = True
            continue
        markers = trailing_markers(line)
        if not markers and LOOKS_LIKE_DIRECTIVE.match(line):
            d.malformed.append(f"line {no}: unknown directive {line.strip()!r}")
        for kind, val in markers:
            if kind != "here" and not val:
                d.malformed.append(f"line {no}: `// {kind}:` needs the text to look for")
            elif kind == "here":
                d.here.add(no)
            elif kind == "error":
                d.errors.setdefault(no, []).append(val)
                d.here.add(no)
            else:
                d.notes.setdefault(no, []).append(val)
    if d.here and not d.exit_given:
        d.exit = 1
    return d


def diagnostics(stderr, path):
    """[(kind, line, col, message)] reported in `path` (by resolved path, else by name)."""
    out = []
    for text in stderr.splitlines():
        found = list(DIAGNOSTIC.finditer(text))
        for i, m in enumerate(found):
            file = m.group(1)
            same = Path(file).resolve() == path.resolve() if os.path.isabs(file) else Path(file).name == path.name
            if same:
                end = found[i + 1].start() if i + 1 < len(found) else len(text)
                out.append((m.group(4), int(m.group(2)), int(m.group(3)), text[m.end():end].strip()))
    return out


def judge(d, path, returncode, stdout, stderr, sanitizer=False):
    """The problems with one run (empty: the test passed). With `sanitizer`, a sanitizer's
    report on stderr (from wfc or from a worker) is a problem too."""
    problems = list(d.malformed)
    if sanitizer:
        report = SANITIZER_REPORT.search(stderr)
        if report:
            problems.append("sanitizer report: " + stderr[report.start():].splitlines()[0])
    if returncode != d.exit:
        problems.append(f"exit status {returncode}, expected {d.exit}")
    if d.mode != "check":
        got = stdout.splitlines()
        if got != d.stdout:
            problems.append("stdout differs:\n  expected: " + repr(d.stdout) + "\n  got:      " + repr(got))
    for want in d.stderr:
        if want not in stderr:
            problems.append(f"stderr lacks {want!r}")

    reported = diagnostics(stderr, path)
    by_line = {"error": {}, "note": {}}
    for kind, line, _col, msg in reported:
        by_line[kind].setdefault(line, []).append(msg)

    missing = sorted(n for n in d.here if n not in by_line["error"])
    if missing:
        problems.append(f"no error reported at line(s) {missing}")
    for expected, kind in ((d.errors, "error"), (d.notes, "note")):
        for n, texts in sorted(expected.items()):
            got = by_line[kind].get(n, [])
            if not got:
                if kind == "note":
                    problems.append(f"no note reported at line {n}")
                continue  # a missing error is reported above
            for t in texts:
                if not any(t in msg for msg in got):
                    problems.append(f"line {n}: no {kind} containing {t!r}; reported: {got!r}")
            if len(got) < len(texts):
                problems.append(f"line {n}: {len(texts)} {kind}s expected, {len(got)} reported")
    if d.mode == "check":
        extra = sorted(n for n in by_line["error"] if n not in d.here)
        if extra:
            problems.append(f"errors reported at unmarked line(s) {extra}")
    if d.in_order:
        at = [(line, col) for kind, line, col, _ in reported if kind == "error"]
        for a, b in zip(at, at[1:]):
            if b < a:
                problems.append(f"errors out of order: {a[0]}:{a[1]} is reported before {b[0]}:{b[1]}")
                break
    return problems


def run_wfc(cmd, timeout, keep):
    """Runs `cmd` in a fresh empty directory: (returncode, stdout, stderr, kept dir), or raises
    TimeoutError. Output goes to unnamed files, not pipes, so that a process left behind cannot
    hold the test open. The process leads a session of its own; once it has exited (and before
    it is reaped, so that its id cannot be reused) whatever is left of that session is ended."""
    work = tempfile.mkdtemp(prefix="wftest-")
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            p = subprocess.Popen(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                 start_new_session=True)
            deadline = time.monotonic() + timeout
            nap, timed_out = 0.001, False
            while os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
                if time.monotonic() > deadline:
                    timed_out = True
                    break
                time.sleep(nap)
                nap = min(nap * 2, 0.05)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            rc = p.wait()
            if timed_out:
                raise TimeoutError(f"no answer in {timeout:g} s: {shlex.join(cmd)}")
            out.seek(0)
            err.seek(0)
            return (rc, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                    work if keep else None)
    finally:
        if not keep:
            subprocess.run(["rm", "-rf", work])


def run_one(wfc, path, timeout, keep, sanitizer=False):
    """(problems, kept dir or None) for one test file."""
    try:
        d = parse_directives(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        return [f"cannot read the test: {e}"], None
    cmd = [wfc, "check" if d.mode == "check" else "run", *d.args, str(path.resolve())]
    if d.main_args is not None:
        cmd += ["--", *d.main_args]
    try:
        rc, out, err, kept = run_wfc(cmd, timeout, keep)
    except (TimeoutError, OSError) as e:
        return [str(e)], None
    problems = judge(d, path, rc, out, err, sanitizer)
    if problems:
        lines = err.splitlines()
        shown = 80 if sanitizer else 30
        problems.append("stderr was:\n    " + "\n    ".join(lines[:shown]) if lines else "stderr was empty")
    return problems, kept


def collect(paths):
    """[(shown name, file)]: files as given; folders recursively, without `lib/` subfolders
    (files that tests import). A path that does not exist is kept, so that it fails."""
    tests = []
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            for f in sorted(p.rglob("*.wf")):
                rel = f.relative_to(p)
                if "lib" not in rel.parts[:-1]:
                    tests.append((str(rel), f))
        else:
            tests.append((p.name, p))
    return tests


# ---- --self-test: the judging on canned output, no compiler needed --------------------------

def self_test():
    src = "\n".join([
        "// mode: check",                                            # 1
        "// expect-errors-in-order",                                 # 2
        "fn f() -> int {",                                           # 3
        "    return x   // error: unknown name `x` // error: expected `;`",  # 4
        "}",                                                         # 5
        "fn g() {}  // note: declared here",                         # 6
        "let y = 1; // error-here // error: cannot",                 # 7
    ])
    f = Path("/nonexistent/t.wf")
    good = "\n".join([
        f"{f}:4:12: error: unknown name `x`",
        "    return x   // error: unknown name `x`",
        f"{f}:4:13: error: expected `;` after the return value",
        f"{f}:6:4: note: declared here",
        f"{f}:7:1: error: cannot assign",
        "lib/other.wf:1:1: error: in another file",
    ])
    cases = [
        ("all expectations met", good, 1, True),
        ("wrong exit status", good, 0, False),
        ("one of two errors on a line missing", good.replace(f"{f}:4:13: error: expected `;` after the return value\n", ""), 1, False),
        ("error text differs", good.replace("unknown name `x`", "no such name"), 1, False),
        ("note missing", good.replace(": note: declared here", ": note: something else"), 1, False),
        ("note reported as an error", good.replace(":6:4: note:", ":6:4: error:"), 1, False),
        ("error at an unmarked line", good + f"\n{f}:5:1: error: stray", 1, False),
        ("errors out of order", good.replace(f"{f}:4:12:", f"{f}:4:99:"), 1, False),
        ("error-here line without an error", good.replace(f"{f}:7:1: error: cannot assign", ""), 1, False),
        ("two directives, one error", good.replace("`x`\n    return x   // error: unknown name `x`\n"
                                                   f"{f}:4:13: error:", "`x`"), 1, False),
    ]
    d = parse_directives(src)
    assert d.errors == {4: ["unknown name `x`", "expected `;`"], 7: ["cannot"]}, d.errors
    assert d.here == {4, 7} and d.notes == {6: ["declared here"]} and d.in_order and d.exit == 1, d
    run = parse_directives("flow main() {}\n// expect: a b \n// expect-exit: 3\n// expect-stdout: x\n")
    assert run.stdout == ["a b "] and run.exit == 3 and len(run.malformed) == 1, run
    assert parse_directives("// error-here marks lines\nx // error-here\n").here == {2}
    run.malformed = []
    assert judge(run, f, 3, "a b \n", "") == [] and judge(run, f, 3, "a b\n", "") != [], run
    leak = "==123==ERROR: LeakSanitizer: detected memory leaks\n\nDirect leak of 8 byte(s)\n"
    assert judge(run, f, 3, "a b \n", leak) == [] and judge(run, f, 3, "a b \n", leak, sanitizer=True) != []
    assert judge(run, f, 3, "a b \n", "x.cpp:3:4: runtime error: signed overflow", sanitizer=True) != []
    assert judge(run, f, 3, "a b \n", "error: AddressSanitizer mentioned in a message", sanitizer=True) == []
    failed = 0
    for name, stderr, rc, should_pass in cases:
        problems = judge(d, f, rc, "", stderr)
        ok = (not problems) == should_pass
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} self-test: {name}" + ("" if ok else f": {problems}"))
    print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="directives: tests/conformance/README.md")
    ap.add_argument("--wfc", help="path to the wfc binary")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per test (default 60)")
    ap.add_argument("--keep", action="store_true", help="keep each test's working directory")
    ap.add_argument("--sanitizer", action="store_true",
                    help="fail a test whose stderr holds a sanitizer report (for a -DWF_SANITIZE build)")
    ap.add_argument("--self-test", action="store_true", help="check the runner's judging, without wfc")
    ap.add_argument("paths", nargs="*", help="test files or folders (folders recurse, skipping lib/)")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    if not a.wfc:
        ap.error("--wfc is required")
    wfc = str(Path(a.wfc).resolve())
    passed = failed = 0
    for name, f in collect(a.paths):
        if not f.is_file():
            problems, kept = [f"no such test file: {f}"], None
        else:
            problems, kept = run_one(wfc, f, a.timeout, a.keep, a.sanitizer)
        where = f" (kept {kept})" if kept else ""
        if problems:
            failed += 1
            print(f"FAIL {name}{where}: " + "\n  ".join(problems), flush=True)
        else:
            passed += 1
            print(f"PASS {name}{where}", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
