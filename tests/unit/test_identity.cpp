// Function identities (compiler/sema/identity.hpp), the result cache's notion of "the same
// function": they ignore comments and layout, change with the function's own tokens and with
// everything it reaches (callees, constants, structs), and not with unrelated declarations.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "compiler.hpp"

namespace {

// name -> identity of every function of `source`.
std::map<std::string, std::string> identities(const std::string& source) {
  std::string path = std::filesystem::temp_directory_path() / ("wf-identity-" + std::to_string(::getpid()) + ".wf");
  std::ofstream(path) << source;
  std::ostringstream diags;
  wf::CompileOptions options;
  options.opt_level = 0;
  wf::CompileResult r = wf::compile_file(path, options, diags);
  std::filesystem::remove(path);
  EXPECT_EQ(r.status, wf::CompileStatus::Ok) << diags.str();
  std::map<std::string, std::string> out;
  for (auto& f : r.object.manifest.functions) {
    EXPECT_EQ(f.identity.size(), 32u) << f.name;
    out[f.name] = f.identity;
  }
  return out;
}

const char* kBase = R"(
const SCALE: int = 3;
struct P { x: int, y: int }
fn leaf(a: int) -> int { return a * SCALE; }
fn mid(a: int) -> int { return leaf(a) + 1; }
fn top(a: int) -> int { return mid(a) * 2; }
fn other(a: int) -> int { return a - 1; }
fn shape(p: P) -> int { return p.x + p.y; }
flow main() { print(top(1), other(2)); }
)";

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST(Identity, CommentsAndLayoutDoNotCount) {
  auto a = identities(kBase);
  auto b = identities(replaced(replaced(kBase, "fn mid(a: int) -> int { return leaf(a) + 1; }",
                                        "// mid adds one\nfn mid(a: int) -> int {\n    return leaf(a)   + 1;  // here\n}"),
                               "const SCALE", "\n\nconst SCALE"));
  EXPECT_EQ(a, b);
}

TEST(Identity, AnEditReachesEveryCallerAndNothingElse) {
  auto a = identities(kBase);
  auto b = identities(replaced(kBase, "return a * SCALE;", "return a * SCALE + 0;"));
  EXPECT_NE(a["leaf"], b["leaf"]);
  EXPECT_NE(a["mid"], b["mid"]);
  EXPECT_NE(a["top"], b["top"]);
  EXPECT_EQ(a["other"], b["other"]);
  EXPECT_EQ(a["shape"], b["shape"]);
}

TEST(Identity, ConstantsAndStructsAreReached) {
  auto a = identities(kBase);
  auto c = identities(replaced(kBase, "const SCALE: int = 3;", "const SCALE: int = 4;"));
  EXPECT_NE(a["leaf"], c["leaf"]);
  EXPECT_NE(a["top"], c["top"]);
  EXPECT_EQ(a["other"], c["other"]);
  auto s = identities(replaced(kBase, "struct P { x: int, y: int }", "struct P { y: int, x: int }"));
  EXPECT_NE(a["shape"], s["shape"]);
  EXPECT_EQ(a["top"], s["top"]);
}

TEST(Identity, EditingTheFlowChangesNoTask) {
  auto a = identities(kBase);
  auto b = identities(replaced(kBase, "print(top(1), other(2));", "print(top(5));"));
  EXPECT_NE(a["main"], b["main"]);
  for (const char* f : {"leaf", "mid", "top", "other", "shape"}) EXPECT_EQ(a[f], b[f]) << f;
}

TEST(Identity, EqualBodiesOfDifferentNamesDiffer) {
  auto a = identities(R"(
fn f(a: int) -> int { return a; }
fn g(a: int) -> int { return a; }
flow main() { print(f(1), g(1)); }
)");
  EXPECT_NE(a["f"], a["g"]);
}
