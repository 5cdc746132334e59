// Programs and their functions (see program.hpp for why the state is shaped so).
#include "embed/program.hpp"

#include "driver/run_main.hpp"

namespace wf {

namespace detail {

Engine::Engine(const PoolOptions& default_pool)
    : scheduler(std::make_unique<Scheduler>(programs, default_pool, executor_factory(programs))) {}

Engine::~Engine() { scheduler->shutdown(); }

std::shared_ptr<ProgramState> make_program(const std::shared_ptr<Engine>& engine, const WfObject& object,
                                           const std::string& origin) {
  std::string error;
  std::unique_ptr<LoadedProgram> loaded = LoadedProgram::load(object, error);
  if (!loaded) throw LoadError(origin, origin + ": cannot load the compiled program: " + error);
  auto state = std::make_shared<ProgramState>();
  state->engine = engine;
  state->id = engine->programs.add(std::move(loaded));
  state->program = &engine->programs.program(state->id);
  return state;
}

std::shared_ptr<PoolState> default_pool_of(const std::shared_ptr<Engine>& engine) {
  auto p = std::make_shared<PoolState>();
  p->engine = engine;
  p->pool = engine->scheduler->default_pool();
  return p;
}

std::shared_ptr<PoolState> new_pool_of(const std::shared_ptr<Engine>& engine, PoolOptions options) {
  auto p = std::make_shared<PoolState>();
  p->engine = engine;
  p->pool = engine->scheduler->make_pool(std::move(options));
  return p;
}

FunctionKind function_kind(const ManifestFunction& f) {
  if (f.kind == "mpi") return FunctionKind::Mpi;
  if (f.kind == "flow") return FunctionKind::Flow;
  if (f.kind == "extern") return FunctionKind::Extern;
  return FunctionKind::Fn;
}

const ManifestFunction& task_function(const PoolState& pool, const std::shared_ptr<ProgramState>& program, int index) {
  if (!program || index < 0) throw TypeError("an empty wf::Function");
  const ManifestFunction& f = program->manifest().functions[(size_t)index];
  if (program->engine != pool.engine) throw TypeError("`" + f.name + "` belongs to another wf::Runtime than this pool");
  switch (function_kind(f)) {
    case FunctionKind::Fn:
    case FunctionKind::Mpi: return f;
    case FunctionKind::Flow: throw TypeError("`" + f.name + "` is a flow; only `fn` and `mpi fn` run as tasks");
    case FunctionKind::Extern: throw TypeError("`" + f.name + "` is an extern fn; only `fn` and `mpi fn` run as tasks");
  }
  return f;
}

}  // namespace detail

Function Program::operator[](const std::string& name) const {
  const Manifest& manifest = state_->manifest();
  int index = manifest.find(name);
  if (index < 0) throw UnknownFunction(name);
  const ManifestFunction& mf = manifest.functions[(size_t)index];
  Function f;
  f.program_ = state_;
  f.index_ = index;
  f.kind_ = detail::function_kind(mf);
  f.ranks_ = mf.ranks;
  f.name_ = mf.name;
  f.result_ = mf.result;
  for (auto& p : mf.params) f.params_.push_back(p.type);
  return f;
}

std::vector<std::string> Program::function_names() const {
  std::vector<std::string> names;
  for (auto& f : state_->manifest().functions) names.push_back(f.name);
  return names;
}

}  // namespace wf
