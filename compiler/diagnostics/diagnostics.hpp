// Compile errors, collected and rendered clang-style (LANGUAGE.md §9):
//
//   app.wf:4:16: error: cannot apply `+` to `int` and `str`
//       return x + "s";
//                  ^
//
// Phases report into one Diagnostics and keep going; the tool prints them all at the end.
// At most one error is kept per source line, which suppresses most cascades.
#pragma once

#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ast/ast.hpp"

namespace wf {

struct Diagnostic {
  SourceLoc loc;
  std::string message;
};

class Diagnostics {
 public:
  explicit Diagnostics(const std::vector<SourceFile>* files) : files_(files) {}

  void error(SourceLoc loc, std::string message);
  bool has_errors() const { return !errors_.empty(); }
  const std::vector<Diagnostic>& errors() const { return errors_; }

  // Renders every error in the order reported.
  void render(std::ostream& out) const;
  std::string render_one(const Diagnostic& d) const;

 private:
  const std::vector<SourceFile>* files_;
  std::vector<Diagnostic> errors_;
  std::set<std::pair<int, int>> lines_with_error_;
};

}  // namespace wf
