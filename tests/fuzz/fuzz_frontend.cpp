// libFuzzer target for the front end: arbitrary bytes as the text of one .wf file, through
// the same steps as `wfc check` (compiler.cpp: front_end) — parse, check, find `flow main`,
// render every diagnostic. Any crash, sanitizer report or hang is a bug: malformed input must
// only ever produce diagnostics. Imports are collected but not followed (no file system).
//
// WF_FUZZ_VALID_UTF8=1 in the environment skips inputs that are not strict UTF-8 (RFC 3629).
// ANTLRInputStream throws std::range_error on bytes it cannot decode, so parse_source must
// reject those first; while some slip through, the switch lets a long run look for other bugs.
// Without it the harness does what `wfc check` does (except the big stack: check_file runs the
// front end on a 1 GiB stack, this harness on the fuzzer's own).
//
//   tests/fuzz/run.sh [SECONDS]      or      build-fuzz/fuzz_frontend tests/fuzz/corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
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

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool only_valid_utf8 = std::getenv("WF_FUZZ_VALID_UTF8") != nullptr;
  if (only_valid_utf8 && !valid_utf8(data, size)) return -1;  // -1: not added to the corpus

  wf::ProgramAst program;
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
