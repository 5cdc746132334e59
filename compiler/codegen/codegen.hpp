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
#include <vector>

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

// How a notebook cell's module links with its session's earlier cells (compiler/session/).
// Per function of the program, by FnDecl::index: its index in the session's function table,
// the stem of its symbols (unique in the session: `wf.<stem>`, `__wf_entry_<stem>`, exported
// so later cells can call them), and whether this cell defines it or only declares it (an
// earlier cell's object defines it).
struct CellLinkage {
  std::vector<int> index;
  std::vector<std::string> symbol;
  std::vector<bool> defined_here;
};

// Builds the module for `program` and fills `manifest` (functions, locations, files). With
// `cell`, `manifest` holds the session's tables so far and receives this cell's functions
// (at their `cell->index`) and locations after them; its files are left as they are.
std::unique_ptr<llvm::Module> generate_ir(const ProgramAst& program, llvm::LLVMContext& context, Manifest& manifest,
                                          const CellLinkage* cell = nullptr);

// Optimizes `module` at `opt_level` and emits an ELF relocatable object for a generic x86-64
// CPU (objects travel between machines). Returns false with `error` set on failure.
bool emit_object(llvm::Module& module, int opt_level, std::string& object, std::string& error);

}  // namespace wf
