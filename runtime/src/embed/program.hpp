// A Program's state: its JIT-loaded object and the scheduler that runs its tasks.
//
// Why shaped so: this is the one place where a program meets a scheduler. Everything else in
// the embedding (calls.cpp, runtime.cpp) reaches the scheduler through
// ProgramState::scheduler() and a pool through PoolState, never through a member of its own,
// so that moving to one scheduler owned by wf::Runtime and shared by all programs changes
// this file and make_program, not every call site. The manifest's kind strings ("fn", "mpi",
// "flow", "extern") are read here once, by function_kind; the rest of the API uses the enum.
#pragma once

#include <memory>
#include <string>

#include "driver/scheduler.hpp"
#include "jit/loader.hpp"
#include "wf/wf.hpp"

namespace wf::detail {

struct ProgramState {
  std::unique_ptr<LoadedProgram> program;
  std::unique_ptr<Scheduler> scheduler_;  // destroyed first: its pools use `program`

  ~ProgramState();
  const Manifest& manifest() const { return program->manifest(); }
  Scheduler& scheduler() { return *scheduler_; }
};

// One pool of one program (the program's default pool or one made by Runtime::pool).
struct PoolState {
  std::shared_ptr<ProgramState> program;
  Pool* pool = nullptr;
};

// Links `object` and gives it a scheduler whose default pool has `default_pool`'s options.
// Throws LoadError (naming `origin`, the file it came from) if the object cannot be linked.
std::shared_ptr<ProgramState> make_program(const WfObject& object, const PoolOptions& default_pool,
                                           const std::string& origin);

std::shared_ptr<PoolState> default_pool_of(const std::shared_ptr<ProgramState>& program);
std::shared_ptr<PoolState> new_pool_of(const std::shared_ptr<ProgramState>& program, PoolOptions options);

// The manifest's kind of a function, as the API's enum.
FunctionKind function_kind(const ManifestFunction& f);

// Function `index` of `program`, if it can run as a task on `pool`: a fn or mpi fn of the
// pool's program. Throws TypeError otherwise.
const ManifestFunction& task_function(const PoolState& pool, const std::shared_ptr<ProgramState>& program, int index);

}  // namespace wf::detail
