// The embedding's engine and its programs: one wf::Runtime is one Engine, with one scheduler
// and one set of pools for every program it compiles or loads (driver/program_set.hpp), so
// two programs of one host share one fleet of workers; each worker is sent a program's
// object the first time it runs a task of it.
//
// Why shaped so: this is the one place where a program meets the scheduler. Everything else
// in the embedding (calls.cpp, runtime.cpp) reaches the scheduler through
// ProgramState::scheduler() and a pool through PoolState. Programs, pools and futures hold
// the engine (shared_ptr), so a Runtime may be destroyed before the values it handed out:
// the workers end with the last of them. The manifest's kind strings ("fn", "mpi", "flow",
// "extern") are read here once, by function_kind; the rest of the API uses the enum.
#pragma once

#include <memory>
#include <string>

#include "driver/program_set.hpp"
#include "driver/scheduler.hpp"
#include "jit/loader.hpp"
#include "wf/wf.hpp"

namespace wf::detail {

struct Engine {
  explicit Engine(const PoolOptions& default_pool);
  ~Engine();
  ProgramSet programs;
  std::unique_ptr<Scheduler> scheduler;  // destroyed first: its pools run `programs`
};

struct ProgramState {
  std::shared_ptr<Engine> engine;
  int32_t id = 0;                          // in engine->programs
  const LoadedProgram* program = nullptr;  // owned by engine->programs

  const Manifest& manifest() const { return program->manifest(); }
  Scheduler& scheduler() { return *engine->scheduler; }
};

// One pool of a Runtime (its default pool or one made by Runtime::pool): it runs tasks of any
// of the runtime's programs.
struct PoolState {
  std::shared_ptr<Engine> engine;
  Pool* pool = nullptr;
};

// Links `object` into `engine`. Throws LoadError (naming `origin`, the file it came from) if
// the object cannot be linked.
std::shared_ptr<ProgramState> make_program(const std::shared_ptr<Engine>& engine, const WfObject& object,
                                           const std::string& origin);

std::shared_ptr<PoolState> default_pool_of(const std::shared_ptr<Engine>& engine);
std::shared_ptr<PoolState> new_pool_of(const std::shared_ptr<Engine>& engine, PoolOptions options);

// The manifest's kind of a function, as the API's enum.
FunctionKind function_kind(const ManifestFunction& f);

// Function `index` of `program`, if it can run as a task on `pool`: a fn or mpi fn of a
// program of the pool's runtime. Throws TypeError otherwise.
const ManifestFunction& task_function(const PoolState& pool, const std::shared_ptr<ProgramState>& program, int index);

}  // namespace wf::detail
