// The diagnostics renderer (compiler/diagnostics): clang-style `file:line:col: error: msg`,
// then the source line and a caret under the column (LANGUAGE.md §9), notes and fix-its,
// source order, and which errors are merged.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "diagnostics/diagnostics.hpp"

namespace {

wf::SourceFile file(const std::string& path, std::vector<std::string> lines) {
  wf::SourceFile f;
  f.path = path;
  for (const std::string& l : lines) f.text += l + "\n";
  f.lines = std::move(lines);
  return f;
}

std::string render(const wf::Diagnostics& d) {
  std::ostringstream out;
  d.render(out);
  return out.str();
}

TEST(Diagnostics, CaretUnderTheColumn) {
  std::vector<wf::SourceFile> files{file("app.wf", {"fn f(x: int) -> int {", "    return x + \"s\";", "}"})};
  wf::Diagnostics d(&files);
  d.error({0, 2, 14}, "cannot apply `+` to `int` and `str`");
  EXPECT_TRUE(d.has_errors());
  EXPECT_EQ(render(d),
            "app.wf:2:14: error: cannot apply `+` to `int` and `str`\n"
            "    return x + \"s\";\n"
            "             ^\n");
}

TEST(Diagnostics, CaretInFirstColumnAndOnePastTheEnd) {
  std::vector<wf::SourceFile> files{file("a.wf", {"x = 1", "let y = 2"})};
  wf::Diagnostics d(&files);
  d.error({0, 1, 1}, "first column");
  d.error({0, 2, 10}, "expected `;`");  // just after the last character
  EXPECT_EQ(render(d),
            "a.wf:1:1: error: first column\n"
            "x = 1\n"
            "^\n"
            "a.wf:2:10: error: expected `;`\n"
            "let y = 2\n"
            "         ^\n");
}

TEST(Diagnostics, TabsInTheSourceLineAreKeptInThePadding) {
  // The caret lines up in a terminal whatever the tab width, because every tab before the
  // column is repeated and every other character becomes one space.
  std::vector<wf::SourceFile> files{file("tabs.wf", {"\tlet\tx = y;"})};
  wf::Diagnostics d(&files);
  d.error({0, 1, 10}, "unknown name `y`");
  EXPECT_EQ(render(d),
            "tabs.wf:1:10: error: unknown name `y`\n"
            "\tlet\tx = y;\n"
            "\t   \t    ^\n");
}

TEST(Diagnostics, OneErrorPerPositionButEveryPositionOfALine) {
  std::vector<wf::SourceFile> files{file("m.wf", {"let a = b + c;", "let c = d;"})};
  wf::Diagnostics d(&files);
  d.error({0, 1, 9}, "unknown name `b`");
  d.error({0, 1, 9}, "a second opinion on the same `b`");
  d.error({0, 1, 13}, "unknown name `c`");
  d.error({0, 2, 9}, "unknown name `d`");
  std::vector<wf::Diagnostic> got = d.errors();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].message, "unknown name `b`");
  EXPECT_EQ(got[1].message, "unknown name `c`");
  EXPECT_EQ(got[2].message, "unknown name `d`");
}

TEST(Diagnostics, ASyntaxErrorSilencesLaterErrorsOnItsLine) {
  std::vector<wf::SourceFile> files{file("s.wf", {"let a = (b;", "let c = d;"})};
  wf::Diagnostics d(&files);
  d.syntax_error({0, 1, 11}, "expected `)`", ")");
  d.error({0, 1, 10}, "unknown name `b`");  // the checker, later, on a line the parser guessed at
  d.error({0, 2, 9}, "unknown name `d`");
  std::vector<wf::Diagnostic> got = d.errors();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].message, "expected `)`");
  EXPECT_EQ(got[1].message, "unknown name `d`");
}

TEST(Diagnostics, FixItIsPrintedUnderTheCaret) {
  std::vector<wf::SourceFile> files{file("f.wf", {"    return x", "}"})};
  wf::Diagnostics d(&files);
  d.syntax_error({0, 1, 13}, "expected `;` after the return value", ";");
  EXPECT_EQ(render(d),
            "f.wf:1:13: error: expected `;` after the return value\n"
            "    return x\n"
            "            ^\n"
            "            ;\n");
}

TEST(Diagnostics, NotesFollowTheirErrorWithTheirOwnCaret) {
  std::vector<wf::SourceFile> files{file("n.wf", {"fn f() {}", "fn f() {}"})};
  wf::Diagnostics d(&files);
  d.error({0, 2, 4}, "`f` is defined twice", {{{0, 1, 4}, "previous definition is here"}});
  EXPECT_EQ(render(d),
            "n.wf:2:4: error: `f` is defined twice\n"
            "fn f() {}\n"
            "   ^\n"
            "n.wf:1:4: note: previous definition is here\n"
            "fn f() {}\n"
            "   ^\n");
}

TEST(Diagnostics, BinaryBytesInTheSourceLineAreEscaped) {
  // A broken UTF-8 byte and a control character are shown as \xNN, and the caret still
  // points at the character after them.
  std::vector<wf::SourceFile> files{file("b.wf", {std::string("a\xff\x01z")})};
  wf::Diagnostics d(&files);
  d.error({0, 1, 4}, "here");
  EXPECT_EQ(render(d), "b.wf:1:4: error: here\na\\xff\\x01z\n         ^\n");
}

TEST(Diagnostics, SameLineNumberInAnotherFileIsAnotherError) {
  std::vector<wf::SourceFile> files{file("main.wf", {"x"}), file("lib/geo.wf", {"y"})};
  wf::Diagnostics d(&files);
  d.error({0, 1, 1}, "in main");
  d.error({1, 1, 1}, "in lib");
  EXPECT_EQ(render(d),
            "main.wf:1:1: error: in main\n"
            "x\n"
            "^\n"
            "lib/geo.wf:1:1: error: in lib\n"
            "y\n"
            "^\n");
}

TEST(Diagnostics, RendersInSourceOrderWhateverTheReportOrder) {
  // The parser reports while it reads and the checker afterwards; the user reads top down.
  std::vector<wf::SourceFile> files{file("o.wf", {"a", "b"}), file("lib.wf", {"c"})};
  wf::Diagnostics d(&files);
  d.error({1, 1, 1}, "in the imported file");
  d.error({0, 2, 1}, "second line");
  d.error({0, 1, 1}, "first line");
  std::string out = render(d);
  EXPECT_LT(out.find("o.wf:1:1: error: first line"), out.find("o.wf:2:1: error: second line"));
  EXPECT_LT(out.find("o.wf:2:1: error: second line"), out.find("lib.wf:1:1: error: in the imported file"));
}

TEST(Diagnostics, FilePathPrintedAsGiven) {
  for (std::string path : {"./x.wf", "../up/x.wf", "dir//x.wf", "/abs/dir/../x.wf", "with space/x.wf"}) {
    std::vector<wf::SourceFile> files{file(path, {"oops"})};
    wf::Diagnostics d(&files);
    d.error({0, 1, 2}, "msg");
    EXPECT_EQ(render(d), path + ":1:2: error: msg\noops\n ^\n");
  }
}

TEST(Diagnostics, ErrorWithoutFileHasNoLocationAndIsNeverMerged) {
  std::vector<wf::SourceFile> files{file("f.wf", {"x"})};
  wf::Diagnostics d(&files);
  d.error({}, "first general error");
  d.error({}, "second general error");
  EXPECT_EQ(d.errors().size(), 2u);
  EXPECT_EQ(render(d), "error: first general error\nerror: second general error\n");
}

TEST(Diagnostics, LineOutsideTheFileGivesOnlyTheHeadline) {
  std::vector<wf::SourceFile> files{file("s.wf", {"only line"})};
  wf::Diagnostics d(&files);
  d.error({0, 5, 1}, "far away");
  EXPECT_EQ(render(d), "s.wf:5:1: error: far away\n");
}

TEST(Diagnostics, RenderOneMatchesRender) {
  std::vector<wf::SourceFile> files{file("r.wf", {"abc"})};
  wf::Diagnostics d(&files);
  EXPECT_FALSE(d.has_errors());
  EXPECT_EQ(render(d), "");
  d.error({0, 1, 3}, "here");
  EXPECT_EQ(d.render_one(d.errors()[0]), render(d));
  EXPECT_EQ(d.render_one(d.errors()[0]), "r.wf:1:3: error: here\nabc\n  ^\n");
}

}  // namespace
