// The design notes for this module are atop compiler.hpp.
#include "compiler.hpp"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>

#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "ast/ast.hpp"
#include "codegen/codegen.hpp"
#include "sema/identity.hpp"
#include "diagnostics/diagnostics.hpp"
#include "parse/parser.hpp"
#include "sema/checker.hpp"

namespace wf {

namespace {

// Loads and checks; returns false if the program cannot be compiled.
CompileStatus front_end(const std::string& path, ProgramAst& program, std::ostream& diag_out, bool require_main) {
  Diagnostics diags(&program.files);
  if (!load_program(path, program, diags)) {
    diag_out << "error: cannot read `" << path << "`\n";
    return CompileStatus::CannotRead;
  }
  // Checked even after syntax errors: the parser leaves Error nodes where it had to guess,
  // the checker accepts those silently and reports the rest of the file's mistakes.
  check_program(program, diags);
  if (!diags.has_errors() && require_main) find_main(program, diags);
  diags.render(diag_out);
  return diags.has_errors() ? CompileStatus::CompileErrors : CompileStatus::Ok;
}

// Each function's compiled identity into the manifest (the result cache's keys use it).
void stamp_identities(const ProgramAst& program, Manifest& manifest) {
  std::vector<std::string> identities = function_identities(program);
  for (size_t i = 0; i < identities.size() && i < manifest.functions.size(); ++i)
    manifest.functions[i].identity = std::move(identities[i]);
}

std::string hash_sources(const ProgramAst& program, int opt_level, const std::string& salt) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&](const std::string& s) {
    for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  mix(kCompilerVersion);
  mix(std::to_string(opt_level));
  mix(salt);
  for (const SourceFile& f : program.files) {
    mix(f.path);
    mix(f.text);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
  return buf;
}

// The parser, the checker, code generation and the AST's destructor all recurse over the
// program's nesting, so a deeply nested source (100 000 chained operators) would overflow an
// ordinary 8 MB stack. The compiler therefore runs on a thread with a large stack; the
// memory is reserved, and only what the nesting really uses is ever touched.
template <typename F>
void on_big_stack(F&& body) {
  constexpr size_t kStack = size_t(1) << 30;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_t thread;
  bool started = pthread_attr_setstacksize(&attr, kStack) == 0 &&
                 pthread_create(
                     &thread, &attr,
                     [](void* p) -> void* {
                       (*static_cast<F*>(p))();
                       return nullptr;
                     },
                     &body) == 0;
  pthread_attr_destroy(&attr);
  if (started) pthread_join(thread, nullptr);
  else body();  // no thread to be had: compile here
}

CompileResult compile_here(const std::string& path, const CompileOptions& options, std::ostream& diag_out,
                           const std::string& cache_dir);

}  // namespace

CompileStatus check_file(const std::string& path, std::ostream& diag_out, bool require_main) {
  CompileStatus status;
  on_big_stack([&] {
    ProgramAst program;
    status = front_end(path, program, diag_out, require_main);
  });
  return status;
}

CompileResult compile_file(const std::string& path, const CompileOptions& options, std::ostream& diag_out,
                           const std::string& cache_dir) {
  CompileResult result;
  on_big_stack([&] { result = compile_here(path, options, diag_out, cache_dir); });
  return result;
}

namespace {

CompileResult compile_here(const std::string& path, const CompileOptions& options, std::ostream& diag_out,
                           const std::string& cache_dir) {
  CompileResult result;
  ProgramAst program;
  result.status = front_end(path, program, diag_out, options.require_main);
  if (result.status != CompileStatus::Ok) return result;
  result.source_hash = hash_sources(program, options.opt_level, options.cache_salt);

  std::string cache_path;
  if (!cache_dir.empty() && options.emit_llvm_path.empty()) {
    cache_path = cache_dir + "/" + result.source_hash + ".wfo";
    std::string bytes, error;
    if (read_file_bytes(cache_path, bytes) && decode_wfo(bytes, result.object, error)) {
      stamp_identities(program, result.object.manifest);  // an object cached by an older wfc has none
      return result;
    }
  }

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module = generate_ir(program, context, result.object.manifest);
  stamp_identities(program, result.object.manifest);
  std::string error;
  if (!emit_object(*module, options.opt_level, result.object.object, error)) {
    diag_out << "error: " << error << "\n";
    result.status = CompileStatus::InternalError;
    return result;
  }
  if (!options.emit_llvm_path.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream out(options.emit_llvm_path, ec);
    if (!ec) module->print(out, nullptr);
    out.close();
    if (ec || out.has_error()) {
      diag_out << "error: cannot write `" << options.emit_llvm_path << "`: " << (ec ? ec : out.error()).message() << "\n";
      out.clear_error();
      result.status = CompileStatus::CannotWrite;
      return result;
    }
  }
  if (!cache_path.empty()) {
    // Write to a temporary name and rename, so concurrent runs never see half a file.
    std::error_code ec;
    std::filesystem::create_directories(cache_dir, ec);
    std::string tmp = cache_path + ".tmp" + std::to_string(::getpid());
    if (write_file_bytes(tmp, encode_wfo(result.object))) std::filesystem::rename(tmp, cache_path, ec);
  }
  return result;
}

}  // namespace
}  // namespace wf
