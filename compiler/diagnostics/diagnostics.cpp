// The design notes for this module are atop diagnostics.hpp.
#include "diagnostics/diagnostics.hpp"

#include <sstream>

namespace wf {

void Diagnostics::error(SourceLoc loc, std::string message) {
  if (loc.file >= 0 && !lines_with_error_.insert({loc.file, loc.line}).second) return;
  errors_.push_back({loc, std::move(message)});
}

std::string Diagnostics::render_one(const Diagnostic& d) const {
  std::ostringstream out;
  const SourceFile* file = (d.loc.file >= 0 && d.loc.file < (int)files_->size()) ? &(*files_)[d.loc.file] : nullptr;
  if (file) {
    out << file->path << ":" << d.loc.line << ":" << d.loc.col << ": ";
  }
  out << "error: " << d.message << "\n";
  if (file && d.loc.line >= 1 && d.loc.line <= (int)file->lines.size()) {
    const std::string& line = file->lines[d.loc.line - 1];
    out << line << "\n";
    std::string pad;
    for (int i = 0; i + 1 < d.loc.col && i < (int)line.size(); ++i) pad += line[i] == '\t' ? '\t' : ' ';
    out << pad << "^\n";
  }
  return out.str();
}

void Diagnostics::render(std::ostream& out) const {
  for (const Diagnostic& d : errors_) out << render_one(d);
}

}  // namespace wf
