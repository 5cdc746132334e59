// The design notes for this module are atop loader.hpp.
#include "jit/loader.hpp"

#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/Mangling.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>

#include <setjmp.h>

#include <cstring>
#include <map>
#include <mutex>

#include "abi.h"

namespace wf::detail {

namespace {

struct AbiSymbol {
  const char* name;
  void* address;
};

// Every symbol compiled code may reference: the ABI, plus the C library functions LLVM
// itself may emit calls to (memcpy for large copies, libm for some intrinsics).
const AbiSymbol kSymbols[] = {
#define WF_ABI(name, r, p) {#name, reinterpret_cast<void*>(&name)},
#include "abi/abi.def"
#undef WF_ABI
    {"memcpy", reinterpret_cast<void*>(&::memcpy)},
    {"memmove", reinterpret_cast<void*>(&::memmove)},
    {"memset", reinterpret_cast<void*>(&::memset)},
};

void init_llvm_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

// A JIT whose main library defines the ABI (and _setjmp), ready for objects.
llvm::Expected<std::shared_ptr<llvm::orc::LLJIT>> new_jit() {
  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit) return jit.takeError();
  std::shared_ptr<llvm::orc::LLJIT> j = std::move(*jit);
  llvm::orc::SymbolMap symbols;
  llvm::orc::MangleAndInterner mangle(j->getExecutionSession(), j->getDataLayout());
  for (const AbiSymbol& s : kSymbols)
    symbols[mangle(s.name)] = llvm::JITEvaluatedSymbol(llvm::pointerToJITTargetAddress(s.address),
                                                       llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  // A `try` block calls _setjmp itself (it must run in the compiled frame it returns to).
  symbols[mangle("_setjmp")] = llvm::JITEvaluatedSymbol(llvm::pointerToJITTargetAddress(reinterpret_cast<void*>(&_setjmp)),
                                                        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  if (auto e = j->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(symbols)))) return std::move(e);
  return j;
}

// The JIT of a session's cells in this process (sessions live as long as the process).
llvm::Expected<std::shared_ptr<llvm::orc::LLJIT>> session_jit(const std::string& session) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<llvm::orc::LLJIT>> sessions;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = sessions[session];
  if (!slot) {
    auto jit = new_jit();
    if (!jit) return jit.takeError();
    slot = std::move(*jit);
  }
  return slot;
}

}  // namespace

LoadedProgram::~LoadedProgram() = default;

std::unique_ptr<LoadedProgram> LoadedProgram::load(const WfObject& object, std::string& error) {
  init_llvm_once();
  std::unique_ptr<LoadedProgram> program(new LoadedProgram());
  program->object_ = object;
  auto fail = [&](llvm::Error e) {
    error = llvm::toString(std::move(e));
    return nullptr;
  };
  const std::string& session = program->object_.manifest.session;
  auto jit = session.empty() ? new_jit() : session_jit(session);
  if (!jit) return fail(jit.takeError());
  program->jit_ = std::move(*jit);
  llvm::orc::LLJIT& j = *program->jit_;

  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(program->object_.object, "wf-object");
  if (auto e = j.addObjectFile(std::move(buffer))) return fail(std::move(e));

  for (const ManifestFunction& f : program->object_.manifest.functions) {
    if (f.entry.empty()) {
      program->entries_.push_back(nullptr);
      continue;
    }
    auto sym = j.lookup(f.entry);
    if (!sym) return fail(sym.takeError());
    program->entries_.push_back(reinterpret_cast<EntryFn>(sym->getAddress()));
  }
  return program;
}

}  // namespace wf::detail
