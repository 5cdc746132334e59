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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool only_valid_utf8 = std::getenv("WF_FUZZ_VALID_UTF8") != nullptr;
  std::string text(reinterpret_cast<const char*>(data), size);
  if (only_valid_utf8 && wf::first_invalid_utf8(text) != std::string::npos) return -1;  // -1: not added to the corpus

  wf::ProgramAst program;
  wf::add_source_file(program, "fuzz.wf", std::move(text));

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
