// The design notes for this module are atop diagnostics.hpp.
#include "diagnostics/diagnostics.hpp"

#include <algorithm>
#include <sstream>
#include <tuple>

namespace wf {

namespace {

// A source line as it can be shown on a terminal: control characters and bytes of a broken
// UTF-8 sequence become `\xNN`; `widths[i]` is how many columns byte i takes (for the caret).
std::string printable(const std::string& line, std::vector<int>& widths) {
  std::string out;
  widths.assign(line.size(), 1);
  static const char* hex = "0123456789abcdef";
  for (size_t i = 0; i < line.size();) {
    unsigned char c = (unsigned char)line[i];
    size_t len = c < 0x80 ? 1 : (c >= 0xc2 && c <= 0xdf) ? 2 : (c >> 4) == 0xe ? 3 : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
    bool whole = len > 0 && i + len <= line.size();
    for (size_t k = 1; whole && k < len; ++k) whole = ((unsigned char)line[i + k] >> 6) == 0x2;
    bool control = (c < 0x20 && c != '\t') || c == 0x7f;
    if (!whole || control) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      widths[i] = 4;
      ++i;
      continue;
    }
    out.append(line, i, len);
    for (size_t k = 1; k < len; ++k) widths[i + k] = 0;  // one column per character
    i += len;
  }
  return out;
}

}  // namespace

bool Diagnostics::keep(SourceLoc loc) {
  if (loc.file < 0) return true;  // no place in a file: nothing to merge it with
  if (syntax_lines_.count({loc.file, loc.line})) return false;
  return positions_.insert({loc.file, loc.line, loc.col}).second;
}

void Diagnostics::error(SourceLoc loc, std::string message, std::vector<DiagnosticNote> notes) {
  if (!keep(loc)) return;
  errors_.push_back({loc, std::move(message), std::move(notes), ""});
}

void Diagnostics::syntax_error(SourceLoc loc, std::string message, std::string fixit) {
  if (!keep(loc)) return;
  if (loc.file >= 0) syntax_lines_.insert({loc.file, loc.line});
  errors_.push_back({loc, std::move(message), {}, std::move(fixit)});
}

std::vector<Diagnostic> Diagnostics::errors() const {
  std::vector<Diagnostic> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.loc.file, a.loc.line, a.loc.col) < std::tie(b.loc.file, b.loc.line, b.loc.col);
  });
  return sorted;
}

void Diagnostics::render_location(std::ostream& out, SourceLoc loc, const char* severity, const std::string& message,
                                  const std::string& fixit) const {
  const SourceFile* file = (loc.file >= 0 && loc.file < (int)files_->size()) ? &(*files_)[loc.file] : nullptr;
  if (file) out << file->path << ":" << loc.line << ":" << loc.col << ": ";
  out << severity << ": " << message << "\n";
  if (!file || loc.line < 1 || loc.line > (int)file->lines.size()) return;
  const std::string& line = file->lines[loc.line - 1];
  std::vector<int> widths;
  out << printable(line, widths) << "\n";
  // Columns count characters (the lexer reads code points), so the caret walks characters.
  std::string pad;
  int column = 1;
  for (size_t i = 0; i < line.size(); ++i) {
    if (widths[i] != 0 && column++ >= loc.col) break;  // widths[i] == 0: inside a character
    pad += line[i] == '\t' ? "\t" : std::string(widths[i], ' ');
  }
  out << pad << "^\n";
  if (!fixit.empty()) out << pad << fixit << "\n";
}

std::string Diagnostics::render_one(const Diagnostic& d) const {
  std::ostringstream out;
  render_location(out, d.loc, "error", d.message, d.fixit);
  for (const DiagnosticNote& n : d.notes) render_location(out, n.loc, "note", n.message, "");
  return out.str();
}

void Diagnostics::render(std::ostream& out) const {
  for (const Diagnostic& d : errors()) out << render_one(d);
}

}  // namespace wf
