// The front end as `wfc check` runs it (parse + check, LANGUAGE.md §9), through its API: each
// test writes a small .wf file, runs wf::check_file and compares the rendered diagnostics —
// position, message, source line and caret — with what a user must see. What a .wf file can
// say about itself (which line has an error and what its message says) is tested by the .wf
// files of tests/diagnostics/ instead; what is left here is what such a file cannot express:
// whole renderings with their carets, files that cannot be read, paths as given, raw bytes,
// nesting deep enough to crash, and wf::check_file's `require_main`.
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

// ---- imports -------------------------------------------------------------------------------

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

// ---- source bytes, deep nesting, `flow main` ------------------------------------------------

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
