// The diagnostics renderer (compiler/diagnostics): clang-style `file:line:col: error: msg`,
// then the source line and a caret under the column (LANGUAGE.md §9).
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

TEST(Diagnostics, OneErrorPerLineKeepsTheFirst) {
  std::vector<wf::SourceFile> files{file("m.wf", {"let a = b + b;", "let c = d;"})};
  wf::Diagnostics d(&files);
  d.error({0, 1, 9}, "unknown name `b`");
  d.error({0, 1, 13}, "unknown name `b`");
  d.error({0, 1, 1}, "something else on the same line");
  d.error({0, 2, 9}, "unknown name `d`");
  ASSERT_EQ(d.errors().size(), 2u);
  EXPECT_EQ(d.errors()[0].message, "unknown name `b`");
  EXPECT_EQ(d.errors()[0].loc.col, 9);
  EXPECT_EQ(d.errors()[1].message, "unknown name `d`");
  EXPECT_EQ(render(d),
            "m.wf:1:9: error: unknown name `b`\n"
            "let a = b + b;\n"
            "        ^\n"
            "m.wf:2:9: error: unknown name `d`\n"
            "let c = d;\n"
            "        ^\n");
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

TEST(Diagnostics, RendersInReportOrderNotSourceOrder) {
  std::vector<wf::SourceFile> files{file("o.wf", {"a", "b"})};
  wf::Diagnostics d(&files);
  d.error({0, 2, 1}, "second line first");
  d.error({0, 1, 1}, "first line second");
  ASSERT_EQ(d.errors().size(), 2u);
  std::string out = render(d);
  EXPECT_LT(out.find("o.wf:2:1: error: second line first"), out.find("o.wf:1:1: error: first line second"));
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
