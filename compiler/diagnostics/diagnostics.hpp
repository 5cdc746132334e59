// Compile errors, collected and rendered clang-style (LANGUAGE.md §9):
//
//   app.wf:4:16: error: cannot apply `+` to `int` and `str`
//       return x + "s";
//                  ^
//   app.wf:2:4: note: previous definition is here
//
// Phases report into one Diagnostics and keep going; the tool prints them all at the end,
// sorted by file, line and column (the parser reports while it reads, the checker later, but
// the user reads top to bottom). An error may carry notes (each with its own location and
// caret) and a fix-it: text to insert at its column, printed under the caret.
//
// Cascades are held back in two ways: the checker gives an expression it could not type the
// Error type, which every rule accepts silently; and once a line has a syntax error, later
// errors on that line are dropped, because they are about code the parser had to guess at.
// Independent errors elsewhere on a line are all kept (`a(n) + b(n)` with both unknown).
#pragma once

#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ast/ast.hpp"

namespace wf {

struct DiagnosticNote {
  SourceLoc loc;
  std::string message;
};

struct Diagnostic {
  SourceLoc loc;
  std::string message;
  std::vector<DiagnosticNote> notes;
  std::string fixit;  // text to insert at `loc`, or ""
};

class Diagnostics {
 public:
  explicit Diagnostics(const std::vector<SourceFile>* files) : files_(files) {}

  void error(SourceLoc loc, std::string message, std::vector<DiagnosticNote> notes = {});
  // A syntax error: later errors on its line are not reported.
  void syntax_error(SourceLoc loc, std::string message, std::string fixit = "");
  bool has_errors() const { return !errors_.empty(); }
  // Every error kept, in source order.
  std::vector<Diagnostic> errors() const;

  // Renders every error in source order.
  void render(std::ostream& out) const;
  std::string render_one(const Diagnostic& d) const;

 private:
  bool keep(SourceLoc loc);
  void render_location(std::ostream& out, SourceLoc loc, const char* severity, const std::string& message,
                       const std::string& fixit) const;

  const std::vector<SourceFile>* files_;
  std::vector<Diagnostic> errors_;
  std::set<std::tuple<int, int, int>> positions_;  // (file, line, col) already reported
  std::set<std::pair<int, int>> syntax_lines_;       // (file, line) with a syntax error
};

}  // namespace wf
