// Optimization and object emission: the back half of `wfc build`.
//
// Objects are compiled for a generic x86-64 CPU and position-independent, because they are
// shipped to workers on other machines and JIT-linked at whatever address the loader picks.
// Floating-point contraction is off (AllowFPOpFusion = Strict): LANGUAGE.md promises the same
// float results everywhere, which a fused multiply-add would break.
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>

#include <mutex>

#include "codegen/codegen.hpp"

namespace wf {

namespace {

void init_llvm_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

llvm::CodeGenOpt::Level codegen_level(int opt) {
  switch (opt) {
    case 0: return llvm::CodeGenOpt::None;
    case 1: return llvm::CodeGenOpt::Less;
    case 3: return llvm::CodeGenOpt::Aggressive;
    default: return llvm::CodeGenOpt::Default;
  }
}

void optimize(llvm::Module& module, llvm::TargetMachine* tm, int opt) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // The new pass manager skips `optnone` functions (those with `try`, codegen.cpp) only when
  // this instrumentation is registered.
  llvm::PassInstrumentationCallbacks callbacks;
  llvm::OptNoneInstrumentation optnone(/*DebugLogging=*/false);
  optnone.registerCallbacks(callbacks);
  llvm::PassBuilder pb(tm, llvm::PipelineTuningOptions(), llvm::None, &callbacks);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = opt <= 0 ? llvm::OptimizationLevel::O0
                                  : opt == 1 ? llvm::OptimizationLevel::O1
                                  : opt == 2 ? llvm::OptimizationLevel::O2
                                             : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm =
      opt <= 0 ? pb.buildO0DefaultPipeline(level) : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

}  // namespace

bool emit_object(llvm::Module& module, int opt_level, std::string& object, std::string& error) {
  init_llvm_once();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) return false;
  llvm::TargetOptions options;
  options.AllowFPOpFusion = llvm::FPOpFusion::Strict;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, "x86-64", "", options, llvm::Reloc::PIC_, llvm::None, codegen_level(opt_level)));
  module.setTargetTriple(triple);
  module.setDataLayout(tm->createDataLayout());

  std::string verify;
  llvm::raw_string_ostream verify_out(verify);
  if (llvm::verifyModule(module, &verify_out)) {
    error = "internal compiler error: invalid IR: " + verify_out.str();
    return false;
  }
  optimize(module, tm.get(), opt_level);

  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream out(buffer);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, out, nullptr, llvm::CGFT_ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  pm.run(module);
  object.assign(buffer.begin(), buffer.end());
  return true;
}

}  // namespace wf
