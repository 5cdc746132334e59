// libFuzzer target for the front end: arbitrary bytes as the text of one .wf file, through
// the same steps as `wfc check` (compiler.cpp: front_end) — parse, check, find `flow main`,
// render every diagnostic. Any crash, sanitizer report or hang is a bug: malformed input must
// only ever produce diagnostics. Imports are collected but not followed (no file system).
//
//   tests/fuzz/run.sh [SECONDS]      or      build-fuzz/fuzz_frontend tests/fuzz/corpus
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

#include "ast/ast.hpp"
#include "diagnostics/diagnostics.hpp"
#include "parse/parser.hpp"
#include "sema/checker.hpp"

namespace {

// A stream that discards everything but still makes the renderer do all its work.
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c == traits_type::eof() ? 0 : c; }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// As the loader splits a file (parser.cpp: split_lines): on '\n', dropping a trailing '\r'.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string cur;
  for (char ch : text) {
    if (ch == '\n') {
      if (!cur.empty() && cur.back() == '\r') cur.pop_back();
      lines.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  lines.push_back(cur);
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wf::Program program;
  wf::SourceFile file;
  file.path = "fuzz.wf";
  file.text.assign(reinterpret_cast<const char*>(data), size);
  file.lines = split_lines(file.text);
  program.files.push_back(std::move(file));

  wf::Diagnostics diags(&program.files);
  std::vector<std::pair<std::string, wf::SourceLoc>> imports;
  wf::parse_source(0, program, diags, &imports);
  if (!diags.has_errors()) wf::check_program(program, diags);
  if (!diags.has_errors()) wf::find_main(program, diags);

  static NullBuffer null_buffer;
  std::ostream null_stream(&null_buffer);
  diags.render(null_stream);
  return 0;
}
