// LLVM IR generation for a checked ProgramAst, and its translation to an ELF object.
//
// Every wf function becomes a native function `T wf.<name>(i8* ctx, params...)`; every
// `fn`, `mpi fn` and `flow` also gets an exported task entry `i64 __wf_entry_<name>(i8* ctx,
// i64* args)` that the runtime calls with argument slots. Compiled code reaches the stdlib
// and the runtime only through the C ABI of core/abi/abi.def. Code generation also fills the
// manifest: the function table and the location table that runtime error frames refer to.
#pragma once

#include <memory>
#include <string>

#include "ast/ast.hpp"
#include "object/wfo.hpp"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace wf {

struct CodegenOptions {
  int opt_level = 2;  // 0..3
};

// Builds the module for `program` and fills `manifest` (functions, locations, files).
std::unique_ptr<llvm::Module> generate_ir(const ProgramAst& program, llvm::LLVMContext& context, Manifest& manifest);

// Optimizes `module` at `opt_level` and emits an ELF relocatable object for a generic x86-64
// CPU (objects travel between machines). Returns false with `error` set on failure.
bool emit_object(llvm::Module& module, int opt_level, std::string& object, std::string& error);

}  // namespace wf
