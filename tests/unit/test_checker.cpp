// The front end as `wfc check` runs it (parse + check, LANGUAGE.md §9): each test writes a
// small .wf file, runs wf::check_file and compares the rendered diagnostics — position,
// message, source line and caret — with what a user must see.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compiler.hpp"

namespace fs = std::filesystem;

namespace {

class CheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "wf-checker-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Writes `name` (relative to the test's directory) and returns its path.
  std::string write(const std::string& name, const std::string& text) {
    fs::path p = fs::path(dir_) / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  // Checks `text` as main.wf; returns everything written to the diagnostics stream.
  std::string check(const std::string& text, wf::CompileStatus expect_status = wf::CompileStatus::CompileErrors,
                    bool require_main = false) {
    path_ = write("main.wf", text);
    std::ostringstream out;
    wf::CompileStatus status = wf::check_file(path_, out, require_main);
    EXPECT_EQ(static_cast<int>(status), static_cast<int>(expect_status)) << out.str();
    return out.str();
  }

  // Only the `file:line:col: error: message` lines of a rendering, with main.wf's path
  // shortened to "main.wf" so expectations stay readable.
  std::vector<std::string> headlines(const std::string& rendered) const {
    std::vector<std::string> out;
    std::istringstream in(rendered);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find(": error: ") == std::string::npos && line.rfind("error: ", 0) != 0) continue;
      if (line.rfind(path_, 0) == 0) line = "main.wf" + line.substr(path_.size());
      out.push_back(line);
    }
    return out;
  }

  std::vector<std::string> errors(const std::string& text) { return headlines(check(text)); }

  void expect_clean(const std::string& text) {
    std::string out = check(text, wf::CompileStatus::Ok);
    EXPECT_EQ(out, "");
  }

  std::string dir_;
  std::string path_;
};

using Lines = std::vector<std::string>;

// ---- rendering through the whole front end ------------------------------------------------

TEST_F(CheckerTest, RendersEveryErrorWithSourceLineAndCaret) {
  std::string out = check(
      "fn f(x: int) -> int {\n"
      "    return x + \"s\";\n"
      "}\n"
      "\n"
      "flow main() {\n"
      "    let y = 1;\n"
      "    y = 2;\n"
      "}\n");
  EXPECT_EQ(out,
            path_ + ":2:14: error: cannot apply `+` to `int` and `str`\n"
            "    return x + \"s\";\n"
            "             ^\n" +
            path_ + ":7:5: error: cannot assign to `y`: it is declared with `let`; use `var`\n"
            "    y = 2;\n"
            "    ^\n");
}

TEST_F(CheckerTest, ReportsErrorsInSourceOrderAcrossFunctions) {
  EXPECT_EQ(errors("fn g() -> int {\n"
                   "    return undefined_name;\n"
                   "}\n"
                   "fn h(a: int) -> str {\n"
                   "    return a;\n"
                   "}\n"
                   "flow main() {\n"
                   "    if 1 {\n"
                   "    }\n"
                   "    let z: [int] = [1, 2.5];\n"
                   "}\n"),
            (Lines{
                "main.wf:2:12: error: unknown name `undefined_name`",
                "main.wf:5:12: error: expected `str`, found `int`",
                "main.wf:8:8: error: condition must be `bool`, found `int`",
                "main.wf:10:24: error: array elements must all be `int`, found `float`",
            }));
}

TEST_F(CheckerTest, CleanProgramHasNoOutput) {
  expect_clean(
      "fn square(x: float) -> float {\n"
      "    return x * x;\n"
      "}\n"
      "flow main() {\n"
      "    let ys = map(square, [1.0, 2.0, 3.0]);\n"
      "    print(ys);\n"
      "}\n");
}

TEST_F(CheckerTest, UnreadableFileIsNotACompileError) {
  std::ostringstream out;
  std::string missing = (fs::path(dir_) / "nope.wf").string();
  EXPECT_EQ(static_cast<int>(wf::check_file(missing, out)), static_cast<int>(wf::CompileStatus::CannotRead));
  EXPECT_NE(out.str().find("nope.wf"), std::string::npos) << out.str();
}

TEST_F(CheckerTest, CaretLinesUpAfterNonAsciiText) {
  // `é` is two bytes but one character: the caret must still sit under the `+`.
  std::string out = check("fn f() -> str {\n"
                          "    return \"\xc3\xa9\" + 1;\n"
                          "}\n");
  EXPECT_EQ(out, path_ + ":2:16: error: cannot apply `+` to `str` and `int`\n"
                 "    return \"\xc3\xa9\" + 1;\n"
                 "               ^\n");
}

// ---- no cascades ------------------------------------------------------------------------------

TEST_F(CheckerTest, IndependentErrorsOnOneLineAreAllReported) {
  EXPECT_EQ(errors("fn g() -> int {\n"
                   "    return nope + nope;\n"
                   "}\n"),
            (Lines{"main.wf:2:12: error: unknown name `nope`", "main.wf:2:19: error: unknown name `nope`"}));
}

TEST_F(CheckerTest, UnknownNameOnTwoLinesIsTwoErrors) {
  EXPECT_EQ(errors("fn g() -> int {\n"
                   "    let a = nope;\n"
                   "    return nope;\n"
                   "}\n"),
            (Lines{"main.wf:2:13: error: unknown name `nope`", "main.wf:3:12: error: unknown name `nope`"}));
}

TEST_F(CheckerTest, ErrorTypedValueDoesNotCascadeIntoLaterUses) {
  // `a` gets the error type; using it on later lines must not add errors.
  EXPECT_EQ(errors("fn g() -> int {\n"
                   "    let a = nope * 2;\n"
                   "    let b = a + 1;\n"
                   "    let c: str = a;\n"
                   "    if a {\n"
                   "    }\n"
                   "    return a;\n"
                   "}\n"),
            (Lines{"main.wf:2:13: error: unknown name `nope`"}));
}

TEST_F(CheckerTest, UnknownFunctionDoesNotCascade) {
  EXPECT_EQ(errors("fn g() -> int {\n"
                   "    let a = frobnicate(1, 2);\n"
                   "    return a + 1;\n"
                   "}\n"),
            (Lines{"main.wf:2:13: error: unknown function `frobnicate`"}));
}

// ---- imports -------------------------------------------------------------------------------

TEST_F(CheckerTest, ImportCycleIsReported) {
  write("lib/b.wf",
        "import \"../main.wf\";\n"
        "fn b() -> int {\n"
        "    return 2;\n"
        "}\n");
  std::string out = check(
      "import \"lib/b.wf\";\n"
      "flow main() {\n"
      "    print(b());\n"
      "}\n");
  // The imported file's path is joined to its importer's path (LANGUAGE.md §9).
  std::string b_path = (fs::path(dir_) / "lib/b.wf").string();
  EXPECT_EQ(out, b_path + ":1:8: error: import cycle: `../main.wf` imports this file again\n"
                 "import \"../main.wf\";\n"
                 "       ^\n");
}

TEST_F(CheckerTest, ImportedDeclarationsAreVisibleAndDiamondImportsLoadOnce) {
  write("lib/a.wf", "import \"c.wf\";\nfn a() -> int {\n    return c() + 1;\n}\n");
  write("lib/b.wf", "import \"c.wf\";\nfn b() -> int {\n    return c() + 2;\n}\n");
  write("lib/c.wf", "fn c() -> int {\n    return 40;\n}\n");
  expect_clean(
      "import \"lib/a.wf\";\n"
      "import \"lib/b.wf\";\n"
      "flow main() {\n"
      "    print(a() + b());\n"
      "}\n");
}

TEST_F(CheckerTest, ErrorInImportedFileNamesThatFile) {
  write("lib/bad.wf", "fn bad() -> int {\n    return \"x\";\n}\n");
  std::string out = check("import \"lib/bad.wf\";\nflow main() {\n    print(bad());\n}\n");
  std::string bad_path = (fs::path(dir_) / "lib/bad.wf").string();
  EXPECT_EQ(out, bad_path + ":2:12: error: expected `int`, found `str`\n"
                 "    return \"x\";\n"
                 "           ^\n");
}

TEST_F(CheckerTest, RelativePathsArePrintedAsGiven) {
  // LANGUAGE.md §9: as given on the command line; an imported file joined to its importer's path.
  write("lib/bad.wf", "fn bad() -> int {\n    return \"x\";\n}\n");
  write("main.wf", "import \"lib/bad.wf\";\nflow main() {\n    let s: str = 1;\n}\n");
  fs::path old = fs::current_path();
  fs::current_path(dir_);
  std::ostringstream out;
  wf::CompileStatus status = wf::check_file("./main.wf", out);
  fs::current_path(old);
  EXPECT_EQ(static_cast<int>(status), static_cast<int>(wf::CompileStatus::CompileErrors));
  // both errors, in either order
  std::string in_lib = "./lib/bad.wf:2:12: error: expected `int`, found `str`\n"
                       "    return \"x\";\n"
                       "           ^\n";
  std::string in_main = "./main.wf:3:18: error: expected `str`, found `int`\n"
                        "    let s: str = 1;\n"
                        "                 ^\n";
  EXPECT_TRUE(out.str() == in_lib + in_main || out.str() == in_main + in_lib) << out.str();
}

TEST_F(CheckerTest, MissingImportIsReportedAtTheImport) {
  EXPECT_EQ(errors("import \"missing.wf\";\nflow main() {\n}\n"),
            (Lines{"main.wf:1:8: error: cannot read imported file `" + (fs::path(dir_) / "missing.wf").string() + "`"}));
}

// ---- returns, loops, assignment ---------------------------------------------------------------

TEST_F(CheckerTest, MissingReturnOnSomePath) {
  EXPECT_EQ(errors("fn sign(x: int) -> int {\n"
                   "    if x > 0 {\n"
                   "        return 1;\n"
                   "    } else if x < 0 {\n"
                   "        return -1;\n"
                   "    }\n"
                   "}\n"
                   "fn loop_with_break() -> int {\n"
                   "    while true {\n"
                   "        break;\n"
                   "    }\n"
                   "}\n"),
            (Lines{"main.wf:1:4: error: `sign` can end without returning a value of type `int`",
                   "main.wf:8:4: error: `loop_with_break` can end without returning a value of type `int`"}));
}

TEST_F(CheckerTest, EveryPathReturning) {
  expect_clean(
      "fn sign(x: int) -> int {\n"
      "    if x > 0 {\n"
      "        return 1;\n"
      "    } else if x < 0 {\n"
      "        return -1;\n"
      "    } else {\n"
      "        return 0;\n"
      "    }\n"
      "}\n"
      "fn forever() -> int {\n"
      "    while true {\n"
      "        for i in 0..3 {\n"
      "            break;\n"          // leaves the inner loop only
      "        }\n"
      "    }\n"
      "}\n"
      "fn block() -> int {\n"
      "    {\n"
      "        return 1;\n"
      "    }\n"
      "}\n");
}

TEST_F(CheckerTest, ReturnValueMismatches) {
  EXPECT_EQ(errors("fn nothing() {\n"
                   "    return 1;\n"
                   "}\n"
                   "fn something() -> int {\n"
                   "    return;\n"
                   "}\n"),
            (Lines{"main.wf:2:12: error: `nothing` returns nothing, but a value is returned",
                   "main.wf:5:5: error: `something` must return a `int`"}));
}

TEST_F(CheckerTest, BreakAndContinueOutsideLoop) {
  EXPECT_EQ(errors("fn f(x: int) {\n"
                   "    if x > 0 {\n"
                   "        break;\n"
                   "    }\n"
                   "    continue;\n"
                   "    while x > 0 {\n"
                   "        if x == 2 {\n"
                   "            continue;\n"
                   "        }\n"
                   "        break;\n"
                   "    }\n"
                   "    for i in 0..x {\n"
                   "        break;\n"
                   "    }\n"
                   "    break;\n"
                   "}\n"),
            (Lines{"main.wf:3:9: error: `break` outside a loop", "main.wf:5:5: error: `continue` outside a loop",
                   "main.wf:15:5: error: `break` outside a loop"}));
}

TEST_F(CheckerTest, AssignmentToLetParameterAndConstant) {
  EXPECT_EQ(errors("const N: int = 3;\n"
                   "fn f(x: int, xs: [int]) -> int {\n"
                   "    x = 1;\n"
                   "    x += 1;\n"
                   "    xs[0] = 2;\n"
                   "    let ys = [1, 2];\n"
                   "    ys[1] = 5;\n"
                   "    let t = 4;\n"
                   "    t -= 1;\n"
                   "    N = 4;\n"
                   "    var ok = [[1], [2]];\n"
                   "    ok[1][0] += 1;\n"
                   "    return x;\n"
                   "}\n"),
            (Lines{
                "main.wf:3:5: error: cannot assign to `x`: it is a parameter",
                "main.wf:4:5: error: cannot assign to `x`: it is a parameter",
                "main.wf:5:5: error: cannot assign to `xs`: it is a parameter",
                "main.wf:7:5: error: cannot assign to `ys`: it is declared with `let`; use `var`",
                "main.wf:9:5: error: cannot assign to `t`: it is declared with `let`; use `var`",
                "main.wf:10:5: error: cannot assign to `N`: it is not a variable",
            }));
}

TEST_F(CheckerTest, LoopVariablesAreNotAssignable) {
  Lines got = errors("fn f(xs: [int]) {\n"
                     "    for i in 0..3 {\n"
                     "        i = 2;\n"
                     "    }\n"
                     "    for x in xs {\n"
                     "        x += 1;\n"
                     "    }\n"
                     "}\n");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "main.wf:3:9: error: cannot assign to `i`: it is a loop variable");
  EXPECT_EQ(got[1], "main.wf:6:9: error: cannot assign to `x`: it is a loop variable");
}

TEST_F(CheckerTest, PushNeedsAVarArray) {
  EXPECT_EQ(errors("fn f() {\n"
                   "    let xs = [1];\n"
                   "    push(xs, 2);\n"
                   "    var ys = [1];\n"
                   "    push(ys, 2);\n"
                   "}\n"),
            (Lines{"main.wf:3:10: error: `push` needs a `var` array"}));
}

// ---- MPI and flow-only built-ins ----------------------------------------------------------

TEST_F(CheckerTest, MpiBuiltinsOnlyInMpiFn) {
  EXPECT_EQ(errors("fn serial() -> int {\n"
                   "    return rank();\n"
                   "}\n"
                   "mpi(ranks=2) fn parallel() -> int {\n"
                   "    barrier();\n"
                   "    return allreduce_sum(rank()) + size();\n"
                   "}\n"
                   "flow main() {\n"
                   "    let n = size();\n"
                   "    print(allreduce_sum(1));\n"
                   "}\n"),
            (Lines{"main.wf:2:12: error: `rank` can only be used in an `mpi fn`",
                   "main.wf:9:13: error: `size` can only be used in an `mpi fn`",
                   "main.wf:10:11: error: `allreduce_sum` can only be used in an `mpi fn`"}));
}

TEST_F(CheckerTest, FlowBuiltinsNotInFn) {
  EXPECT_EQ(errors("fn f(x: int) -> int {\n"
                   "    return x;\n"
                   "}\n"
                   "fn no_tasks() -> int {\n"
                   "    let fut = submit(f, 1);\n"
                   "    return 0;\n"
                   "}\n"
                   "fn no_map() -> [int] {\n"
                   "    return map(f, [1, 2]);\n"
                   "}\n"
                   "mpi(ranks=2) fn no_pool() {\n"
                   "    let p = pool(workers=2);\n"
                   "}\n"),
            (Lines{"main.wf:5:15: error: `submit` can only be used in a flow",
                   "main.wf:9:12: error: `map` can only be used in a flow",
                   "main.wf:12:13: error: `pool` can only be used in a flow"}));
}

TEST_F(CheckerTest, PlainCallOfMpiFnOnlyFromFlow) {
  EXPECT_EQ(errors("mpi(ranks=2) fn total(n: int) -> int {\n"
                   "    return allreduce_sum(n);\n"
                   "}\n"
                   "fn serial() -> int {\n"
                   "    return total(3);\n"
                   "}\n"
                   "flow helper() -> int {\n"
                   "    return 1;\n"
                   "}\n"
                   "fn calls_flow() -> int {\n"
                   "    return helper();\n"
                   "}\n"
                   "flow main() {\n"
                   "    print(total(3), helper());\n"
                   "}\n"),
            (Lines{"main.wf:5:12: error: cannot call `mpi fn` `total` from a `fn`; submit it from a flow",
                   "main.wf:11:12: error: a flow such as `helper` can only be called from a flow"}));
}

TEST_F(CheckerTest, RanksMustBePositiveConstant) {
  EXPECT_EQ(errors("const R: int = 2;\n"
                   "mpi(ranks=R * 2) fn ok() {\n"
                   "}\n"
                   "mpi(ranks=0) fn zero() {\n"
                   "}\n"
                   "mpi(ranks=1.5) fn fractional() {\n"
                   "}\n"),
            (Lines{"main.wf:4:11: error: `ranks` must be a positive integer constant",
                   "main.wf:6:11: error: `ranks` must be a positive integer constant"}));
}

// ---- calls ---------------------------------------------------------------------------------

TEST_F(CheckerTest, WrongArgumentCounts) {
  EXPECT_EQ(errors("fn one(x: int) -> int {\n"
                   "    return x;\n"
                   "}\n"
                   "fn two(a: int, b: int) -> int {\n"
                   "    return a + b;\n"
                   "}\n"
                   "flow main() {\n"
                   "    print(one(1, 2));\n"
                   "    print(two(1));\n"
                   "    print(sqrt(1.0, 2.0));\n"
                   "    print(len());\n"
                   "    let xs = [1, 2];\n"
                   "    print(xs.len(1));\n"
                   "    print(one());\n"
                   "}\n"),
            (Lines{
                "main.wf:8:11: error: `one` takes 1 argument, but 2 were given",
                "main.wf:9:11: error: `two` takes 2 arguments, but 1 was given",
                "main.wf:10:11: error: `sqrt` takes 1 argument, but 2 were given",
                "main.wf:11:11: error: `len` takes 1 argument, but 0 were given",
                "main.wf:13:14: error: `len` takes 1 argument, but 2 were given",
                "main.wf:14:11: error: `one` takes 1 argument, but 0 were given",
            }));
}

TEST_F(CheckerTest, WrongArgumentTypes) {
  EXPECT_EQ(errors("fn one(x: int) -> int {\n"
                   "    return x;\n"
                   "}\n"
                   "flow main() {\n"
                   "    print(one(\"a\"));\n"
                   "    print(one(1.5));\n"
                   "    print(len(3));\n"
                   "    let names = [\"a\"];\n"
                   "    print(map(one, names));\n"
                   "    print(submit(one, true).result());\n"
                   "}\n"),
            (Lines{
                "main.wf:5:15: error: argument 1 (`x`) of `one`: expected `int`, found `str`",
                "main.wf:6:15: error: argument 1 (`x`) of `one`: expected `int`, found `float`",
                "main.wf:7:15: error: `len` needs an array or a `str`, found `int`",
                "main.wf:9:20: error: `map` passes each item to parameter `x: int` of `one`: expected `[int]`, found `[str]`",
                "main.wf:10:23: error: argument 1 (`x`) of `one`: expected `int`, found `bool`",
            }));
}

TEST_F(CheckerTest, NamesDefinedTwiceAndUnknownTypes) {
  EXPECT_EQ(errors("fn f() {\n"
                   "}\n"
                   "fn f() {\n"
                   "}\n"
                   "fn g(a: int, a: int) {\n"
                   "}\n"
                   "fn h(x: integer) {\n"
                   "    let y = 1;\n"
                   "    let y = 2;\n"
                   "    {\n"
                   "        let y = 3;\n"   // shadowing in an inner block is fine
                   "    }\n"
                   "}\n"),
            (Lines{
                "main.wf:3:4: error: `f` is defined twice",
                "main.wf:5:14: error: parameter `a` is defined twice",
                "main.wf:7:9: error: unknown type `integer`; did you mean `int`?",
                "main.wf:9:9: error: `y` is defined twice",
            }));
}

// ---- tuples and arrays ----------------------------------------------------------------------

TEST_F(CheckerTest, TupleFieldOutOfRange) {
  EXPECT_EQ(errors("fn f() {\n"
                   "    let t = (1, \"a\");\n"
                   "    print(t.0, t.1);\n"
                   "    print(t.2);\n"
                   "    let n = 5;\n"
                   "    print(n.0);\n"
                   "    let u = ((1, 2), 3);\n"
                   "    print(u.0.1, u.1);\n"
                   "    print(u.0.5);\n"
                   "    print(u.7.0);\n"
                   "}\n"),
            (Lines{
                "main.wf:4:13: error: tuple `(int, str)` has no field `2`",
                "main.wf:6:13: error: `int` has no field `0`",
                // `u.0.5` lexes `0.5` as one token; the error points at the `5`
                "main.wf:9:15: error: tuple `(int, int)` has no field `5`",
                "main.wf:10:13: error: tuple `((int, int), int)` has no field `7`",
            }));
}

TEST_F(CheckerTest, DestructuringNeedsMatchingTuple) {
  EXPECT_EQ(errors("fn f() {\n"
                   "    let (a, b) = (1, 2);\n"
                   "    let (c, d, e) = (1, 2);\n"
                   "    let (g, h) = 5;\n"
                   "}\n"),
            (Lines{"main.wf:3:21: error: cannot destructure `(int, int)` into 3 names",
                   "main.wf:4:18: error: cannot destructure `int` into 2 names"}));
}

TEST_F(CheckerTest, EmptyArrayNeedsAKnownElementType) {
  EXPECT_EQ(errors("fn f() {\n"
                   "    let xs = [];\n"
                   "    var ys: [int] = [];\n"
                   "    print([], len([]));\n"
                   "    var zs = [[], []];\n"
                   "    let ws = [[], [1]];\n"
                   "    push(ys, len(ws));\n"
                   "}\n"),
            (Lines{
                "main.wf:2:14: error: cannot infer the element type of `[]`; annotate it: `var xs: [int] = [];`",
                "main.wf:5:14: error: cannot infer the element type of `[]`",
            }));
}

// ---- implicit int -> float (LANGUAGE.md §3) ---------------------------------------------------

TEST_F(CheckerTest, IntToFloatWhereTheSpecAllowsIt) {
  expect_clean(
      "fn half(x: float) -> float {\n"
      "    return x / 2;\n"                 // binary operator with one float operand
      "}\n"
      "fn one() -> float {\n"
      "    return 1;\n"                     // return
      "}\n"
      "flow main() {\n"
      "    let a: float = 1;\n"             // initialisation
      "    var b = 2.5;\n"
      "    b = 3;\n"                        // assignment
      "    b += 1;\n"                       // compound assignment into a float
      "    print(half(3), one(), a, b);\n"  // parameter
      "    print(1 < 2.5, 2.5 == 2, 1 + 0.5, 3 * 1.5);\n"  // comparison / arithmetic
      "    print(sqrt(2), pow(2, 10));\n"   // built-in float parameters
      "}\n");
}

TEST_F(CheckerTest, NoOtherImplicitConversions) {
  EXPECT_EQ(errors("fn to_int(x: float) -> int {\n"
                   "    return x;\n"
                   "}\n"
                   "fn flags() {\n"
                   "    let i: int = 2.5;\n"
                   "    var n = 1;\n"
                   "    n = 2.5;\n"
                   "    n += 0.5;\n"
                   "    let fs: [float] = range(0, 3);\n"
                   "    let s: str = 1;\n"
                   "    let b: bool = 1;\n"
                   "    if 1 {\n"
                   "    }\n"
                   "    while 0.0 {\n"
                   "    }\n"
                   "    let c = 1 and true;\n"
                   "}\n"),
            (Lines{
                "main.wf:2:12: error: expected `int`, found `float`",
                "main.wf:5:18: error: expected `int`, found `float`",
                "main.wf:7:9: error: expected `int`, found `float`",
                "main.wf:8:7: error: `+=` would store a `float` in a `int`",
                "main.wf:9:23: error: expected `[float]`, found `[int]`",
                "main.wf:10:18: error: expected `str`, found `int`",
                "main.wf:11:19: error: expected `bool`, found `int`",
                "main.wf:12:8: error: condition must be `bool`, found `int`",
                "main.wf:14:11: error: condition must be `bool`, found `float`",
                "main.wf:16:13: error: `and` needs `bool` operands, found `int`",
            }));
}

TEST_F(CheckerTest, OperatorTypeErrors) {
  EXPECT_EQ(errors("fn f() {\n"
                   "    let a = \"x\" - \"y\";\n"
                   "    let b = 1.5 & 1;\n"
                   "    let c = -\"s\";\n"
                   "    let d = not 3;\n"
                   "    let e = [1] < [2];\n"
                   "}\n"),
            (Lines{
                "main.wf:2:17: error: cannot apply `-` to `str` and `str`",
                "main.wf:3:17: error: cannot apply `&` to `float` and `int`",
                "main.wf:4:13: error: cannot apply `-` to `str`",
                "main.wf:5:13: error: cannot apply `not` to `int`",
                "main.wf:6:17: error: cannot apply `<` to `[int]` and `[int]`",
            }));
}

// ---- syntax errors and `flow main` -----------------------------------------------------------

TEST_F(CheckerTest, SyntaxErrorPointsAtTheOffendingToken) {
  Lines got = errors("fn f() -> int {\n"
                     "    return 1 +;\n"
                     "}\n");
  EXPECT_EQ(got, (Lines{"main.wf:2:15: error: expected an expression, found `;`"}));
}

TEST_F(CheckerTest, UnexpectedEndOfFile) {
  EXPECT_EQ(errors("fn f() {\n    print(1);\n"), (Lines{"main.wf:3:1: error: expected a statement or `}`, found the end of the file"}));
}

TEST_F(CheckerTest, LexicalErrorsInLiterals) {
  EXPECT_EQ(errors("fn f() {\n"
                   "    let big = 9223372036854775809;\n"
                   "    let s = \"a\\qb\";\n"
                   "    let min = -9223372036854775808;\n"
                   "}\n"),
            (Lines{"main.wf:2:15: error: integer literal `9223372036854775809` does not fit in `int`",
                   "main.wf:3:15: error: unknown escape `\\q` in string"}));
}

TEST_F(CheckerTest, InvalidUtf8IsAnErrorNotACrash) {
  // LANGUAGE.md §2: source is UTF-8. Bytes that are not UTF-8 (here in a comment on line 2)
  // must give a compile error at that line; they must not abort the compiler.
  const char* bad[] = {
      "\xe9",              // Latin-1 e-acute
      "\x80",              // a lone continuation byte
      "\xc0\xaf",          // overlong 2-byte form
      "\xe0\x80\x80",      // overlong 3-byte form
      "\xf0\x80\x80\x80",  // overlong 4-byte form
      "\xf4\x90\x80\x80",  // U+110000, above the last code point
      "\xf6\x99\x91\x86",  // lead byte F6 never occurs in UTF-8 (found by the fuzzer)
      "\xe6\x97",          // truncated sequence
  };
  // Each case runs in a child process (a death test): an escaping exception aborts, and that
  // must fail only this case.
  for (const char* bytes : bad) {
    SCOPED_TRACE(::testing::PrintToString(std::string(bytes)));
    std::string path = write("main.wf", std::string("flow main() {\n    // x ") + bytes + "\n    print(1);\n}\n");
    EXPECT_EXIT(
        {
          std::ostringstream out;
          wf::CompileStatus st = wf::check_file(path, out);
          std::string want = path + ":2:";
          bool ok = st == wf::CompileStatus::CompileErrors && out.str().rfind(want, 0) == 0 &&
                    out.str().find(": error: ", want.size()) != std::string::npos &&
                    out.str().find(": error: ", out.str().find(": error: ") + 1) == std::string::npos;
          std::fprintf(stderr, "%s", out.str().c_str());
          std::exit(ok ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), "");
  }
}

TEST_F(CheckerTest, ValidUtf8IsAccepted) {
  expect_clean("flow main() {\n    // caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80\n    print(\"\xc3\xa9\");\n}\n");
}

// Deeply nested or very long expressions must give a result or a diagnostic, not overflow the
// stack. Each check runs in a child process (a death test), so a crash fails only that case.
class DeepNestingTest : public CheckerTest {
 protected:
  void expect_no_crash(const std::string& text) {
    std::string path = write("deep.wf", text);
    EXPECT_EXIT(
        {
          std::ostringstream out;
          wf::CompileStatus st = wf::check_file(path, out);
          std::exit(st == wf::CompileStatus::Ok || st == wf::CompileStatus::CompileErrors ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), "");
  }
};

TEST_F(DeepNestingTest, LongBinaryChain) {
  std::string e = "1";
  for (int i = 0; i < 100000; ++i) e += " + 1";
  expect_no_crash("flow main() {\n    print(" + e + ");\n}\n");
}

TEST_F(DeepNestingTest, LongUnaryChain) {
  expect_no_crash("flow main() {\n    print(" + std::string(100000, '-') + "1);\n}\n");
}

TEST_F(DeepNestingTest, NestedParentheses) {
  int depth = 4096;
  expect_no_crash("flow main() {\n    print(" + std::string(depth, '(') + "1" + std::string(depth, ')') + ");\n}\n");
}

TEST_F(DeepNestingTest, NestedBlocks) {
  int depth = 20000;
  expect_no_crash("flow main() {\n" + std::string(depth, '{') + "print(1);" + std::string(depth, '}') + "\n}\n");
}

TEST_F(CheckerTest, RequireMain) {
  EXPECT_EQ(headlines(check("fn f() {\n}\n", wf::CompileStatus::CompileErrors, true)),
            (Lines{"main.wf:1:1: error: no `flow main` to run"}));
  EXPECT_EQ(headlines(check("fn main() {\n}\n", wf::CompileStatus::CompileErrors, true)),
            (Lines{"main.wf:1:4: error: `main` must be a `flow`"}));
  EXPECT_EQ(headlines(check("flow main(n: int) {\n}\n", wf::CompileStatus::CompileErrors, true)),
            (Lines{"main.wf:1:6: error: `flow main` takes no parameters or one `[str]`"}));
  EXPECT_EQ(check("flow main(args: [str]) {\n}\n", wf::CompileStatus::Ok, true), "");
}

}  // namespace
