// The compiler pipeline, top to bottom: load and parse (parse/), check (sema/), generate
// and emit (codegen/). `wfc`, the embedding API and the tests all enter here.
#pragma once

#include <ostream>
#include <string>

#include "object/wfo.hpp"

namespace wf {

struct CompileOptions {
  int opt_level = 2;
  bool require_main = false;     // `wfc run`: a `flow main` must exist
  std::string emit_llvm_path;    // if set, the optimized IR is written there
  std::string cache_salt;        // mixed into the cache key (wfc: its own binary's identity)
};

enum class CompileStatus { Ok, CompileErrors, CannotRead, CannotWrite, InternalError };

struct CompileResult {
  CompileStatus status = CompileStatus::Ok;
  WfObject object;
  std::string source_hash;  // over every source file and the compiler version (cache key)
};

// Parses and checks `path`; writes diagnostics to `diag_out`.
CompileStatus check_file(const std::string& path, std::ostream& diag_out, bool require_main = false);

// The whole pipeline; on success `result.object` holds code and manifest. With `cache_dir`
// non-empty, a previous object for the same sources is reused instead of generating code.
CompileResult compile_file(const std::string& path, const CompileOptions& options, std::ostream& diag_out,
                           const std::string& cache_dir = "");

}  // namespace wf
