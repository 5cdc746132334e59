// Loads a worker-loadable object into this process with LLVM's ORC JIT (LLJIT), from bytes
// in memory: no file, no compiler run. The stdlib and runtime symbols of core/abi/abi.def are
// defined as absolute symbols at their addresses in this process, so the object needs
// nothing else to link. The driver and every worker load objects the same way.
//
// Each program gets a JIT of its own, except the cells of a notebook session
// (Manifest::session): those share one JIT per session and process, so that a cell's code
// links against the functions earlier cells defined; they must be loaded in order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "object/wfo.hpp"

namespace llvm::orc {
class LLJIT;
}

namespace wf::detail {

struct Context;
using EntryFn = uint64_t (*)(Context* ctx, const uint64_t* args);

class LoadedProgram {
 public:
  // Returns nullptr with `error` set if the object cannot be linked.
  static std::unique_ptr<LoadedProgram> load(const WfObject& object, std::string& error);
  ~LoadedProgram();

  const Manifest& manifest() const { return object_.manifest; }
  const WfObject& object() const { return object_; }
  // The task entry of function `index`, or nullptr for an extern fn.
  EntryFn entry(int index) const { return entries_[(size_t)index]; }

 private:
  LoadedProgram() = default;
  WfObject object_;
  std::shared_ptr<llvm::orc::LLJIT> jit_;  // shared by the cells of one session
  std::vector<EntryFn> entries_;
};

}  // namespace wf::detail
