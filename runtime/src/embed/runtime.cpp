// The embedding API of runtime/include/wf/wf.hpp, on top of the same compiler, JIT loader,
// scheduler and executors that `wfc run` uses. A Program owns its loaded object and its
// scheduler (with the program's pools); futures and pools keep their program alive.
#include <sstream>

#include "compiler.hpp"
#include "driver/run_main.hpp"
#include "jit/loader.hpp"
#include "value_codec.hpp"
#include "wf/wf.hpp"

namespace wf {

namespace detail {

struct ProgramState {
  std::unique_ptr<LoadedProgram> program;
  std::unique_ptr<Scheduler> scheduler;  // destroyed first: its pools use `program`
  ~ProgramState() {
    if (scheduler) scheduler->shutdown();
  }
};

struct PoolState {
  std::shared_ptr<ProgramState> program;
  Pool* pool = nullptr;
};

namespace {

PoolOptions pool_options(const Options& o, const Options& defaults) {
  PoolOptions p;
  p.workers = o.workers > 0 ? o.workers : defaults.workers > 0 ? defaults.workers : (int)std::max(1u, std::thread::hardware_concurrency());
  const std::string& launcher = !o.launcher.empty() ? o.launcher : defaults.launcher;
  if (!launcher.empty() && !parse_launcher(launcher, p.launcher))
    throw TypeError("`" + launcher + "` is not a launcher (mpirun, local, slurm or inprocess)");
  p.oversubscribe = o.oversubscribe || defaults.oversubscribe;
  p.cwd = !o.cwd.empty() ? o.cwd : defaults.cwd;
  p.hostfile = !o.hostfile.empty() ? o.hostfile : defaults.hostfile;
  return p;
}

// Converts `v` to the wf type `desc` (allowing int -> float) or explains why not.
bool conform(Value& v, const char* desc, std::string& why) {
  auto mismatch = [&](const char* wanted) {
    why = std::string("expected ") + wanted;
    return false;
  };
  switch (*desc) {
    case 'i': return v.kind == Value::Int || mismatch("an int");
    case 'f':
      if (v.kind == Value::Int) {
        v = Value{Value::Float, (double)std::get<int64_t>(v.scalar), {}};
        return true;
      }
      return v.kind == Value::Float || mismatch("a float");
    case 'b': return v.kind == Value::Bool || mismatch("a bool");
    case 's': return v.kind == Value::Str || mismatch("a str");
    case '[':
      if (v.kind != Value::Array) return mismatch("an array");
      for (Value& x : v.items)
        if (!conform(x, desc + 1, why)) return false;
      return true;
    case '(': {
      if (v.kind != Value::Tuple) return mismatch("a tuple");
      size_t i = 0;
      for (const char* f = desc + 1; *f != ')'; f = desc_skip(f), ++i)
        if (i >= v.items.size() || !conform(v.items[i], f, why)) return why.empty() ? mismatch("a longer tuple") : false;
      return i == v.items.size() || mismatch("a shorter tuple");
    }
    default: return mismatch("a value wf can pass");
  }
}

void pack(msgpack::packer<msgpack::sbuffer>& pk, const Value& v) {
  switch (v.kind) {
    case Value::Int: pk.pack_int64(std::get<int64_t>(v.scalar)); break;
    case Value::Float: pk.pack_double(std::get<double>(v.scalar)); break;
    case Value::Bool: std::get<bool>(v.scalar) ? pk.pack_true() : pk.pack_false(); break;
    case Value::Str: pk.pack(std::get<std::string>(v.scalar)); break;
    case Value::Array:
    case Value::Tuple:
      pk.pack_array((uint32_t)v.items.size());
      for (const Value& x : v.items) pack(pk, x);
      break;
  }
}

bool unpack(const msgpack::object& o, const char* desc, Value& out) {
  switch (*desc) {
    case 'i':
      if (o.type == msgpack::type::POSITIVE_INTEGER) out = {Value::Int, (int64_t)o.via.u64, {}};
      else if (o.type == msgpack::type::NEGATIVE_INTEGER) out = {Value::Int, o.via.i64, {}};
      else return false;
      return true;
    case 'f':
      if (o.type == msgpack::type::FLOAT64 || o.type == msgpack::type::FLOAT32) out = {Value::Float, o.via.f64, {}};
      else if (o.type == msgpack::type::POSITIVE_INTEGER) out = {Value::Float, (double)o.via.u64, {}};
      else if (o.type == msgpack::type::NEGATIVE_INTEGER) out = {Value::Float, (double)o.via.i64, {}};
      else return false;
      return true;
    case 'b':
      if (o.type != msgpack::type::BOOLEAN) return false;
      out = {Value::Bool, o.via.boolean, {}};
      return true;
    case 's':
      if (o.type != msgpack::type::STR) return false;
      out = {Value::Str, std::string(o.via.str.ptr, o.via.str.size), {}};
      return true;
    case '[':
    case '(': {
      if (o.type != msgpack::type::ARRAY) return false;
      out = {*desc == '[' ? Value::Array : Value::Tuple, int64_t{0}, {}};
      const char* field = desc + 1;
      for (uint32_t i = 0; i < o.via.array.size; ++i) {
        Value x;
        if (*field == ')' || !unpack(o.via.array.ptr[i], field, x)) return false;
        out.items.push_back(std::move(x));
        if (*desc == '(') field = desc_skip(field);
      }
      return true;
    }
    default: return false;
  }
}

std::shared_ptr<ProgramState> make_program(const WfObject& object, const Options& options) {
  auto state = std::make_shared<ProgramState>();
  std::string error;
  state->program = LoadedProgram::load(object, error);
  if (!state->program) throw std::runtime_error("cannot load the compiled program: " + error);
  state->scheduler = std::make_unique<Scheduler>(state->program->manifest(), pool_options({}, options),
                                                 executor_factory(*state->program));
  return state;
}

const ManifestFunction& manifest_function(const ProgramState& p, int index) {
  return p.program->manifest().functions[(size_t)index];
}

void check_task_function(const Function& f, const ManifestFunction& mf) {
  if (mf.kind != "fn" && mf.kind != "mpi")
    throw TypeError("`" + f.name() + "` is " + (mf.kind == "flow" ? "a flow" : "an extern fn") +
                    "; only `fn` and `mpi fn` run as tasks");
}

}  // namespace
}  // namespace detail


std::string TaskError::report() const {
  detail::RuntimeError e{what(), frames_, task_, {}};
  return e.render();
}

Function Program::operator[](const std::string& name) const {
  int index = state_->program->manifest().find(name);
  if (index < 0) throw TypeError("the program has no function `" + name + "`");
  const ManifestFunction& mf = detail::manifest_function(*state_, index);
  Function f;
  f.program_ = state_;
  f.index_ = index;
  f.name_ = mf.name;
  f.result_ = mf.result;
  for (auto& p : mf.params) f.params_.push_back(p.type);
  return f;
}

std::vector<std::string> Program::function_names() const {
  std::vector<std::string> names;
  for (auto& f : state_->program->manifest().functions) names.push_back(f.name);
  return names;
}

void Future::wait() const { program_->scheduler->wait(state_); }

bool Future::done() const { return detail::Scheduler::is_done(state_); }

std::string Future::error() const {
  wait();
  return state_->state.load() == detail::FutureState::Failed ? state_->error->message : "";
}

Value Future::wait_value(const std::string& desc) const {
  wait();
  if (state_->state.load() == detail::FutureState::Failed)
    throw TaskError(state_->error->message, state_->error->frames, state_->error->task);
  if (desc != state_->result_type)
    throw TypeError(std::string("the task returns `") + state_->result_type + "`, not `" + desc + "`");
  Value v;
  try {
    msgpack::object_handle oh = msgpack::unpack(state_->value.data(), state_->value.size());
    if (detail::unpack(oh.get(), state_->result_type, v)) return v;
  } catch (const std::exception&) {
  }
  throw std::runtime_error("malformed task result");
}

Future Pool::submit_values(const Function& f, std::vector<detail::Typed> args) const {
  if (f.program_ != state_->program) throw TypeError("`" + f.name() + "` belongs to another program than this pool");
  const ManifestFunction& mf = detail::manifest_function(*state_->program, f.index_);
  detail::check_task_function(f, mf);
  if (args.size() != mf.params.size())
    throw TypeError("`" + f.name() + "` takes " + std::to_string(mf.params.size()) + " arguments, " +
                    std::to_string(args.size()) + " given");
  std::vector<std::string> encoded;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string why;
    if (!detail::conform(args[i].value, mf.params[i].type.c_str(), why))
      throw TypeError("argument " + std::to_string(i + 1) + " of `" + f.name() + "`: " + why + " (`" +
                      mf.params[i].type + "`), got `" + args[i].desc + "`");
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> pk(buf);
    detail::pack(pk, args[i].value);
    encoded.emplace_back(buf.data(), buf.size());
  }
  Future fut;
  fut.program_ = state_->program;
  fut.state_ = state_->program->scheduler->submit(state_->pool, f.index_, std::move(encoded),
                                                   std::vector<detail::FutureState*>(args.size(), nullptr));
  return fut;
}

std::vector<Value> Pool::map_values(const Function& f, const std::string& item_desc, const Value& items,
                                    const std::string& result_desc, int chunk) const {
  if (f.program_ != state_->program) throw TypeError("`" + f.name() + "` belongs to another program than this pool");
  const ManifestFunction& mf = detail::manifest_function(*state_->program, f.index_);
  detail::check_task_function(f, mf);
  if (mf.params.size() != 1) throw TypeError("map needs a function of one argument; `" + f.name() + "` takes " + std::to_string(mf.params.size()));
  if (result_desc != mf.result) throw TypeError("`" + f.name() + "` returns `" + mf.result + "`, not `" + result_desc + "`");
  std::vector<std::string> batches;
  size_t per_batch = mf.ranks > 1 ? 1 : (size_t)std::max(chunk, 1);
  for (size_t begin = 0; begin < items.items.size(); begin += per_batch) {
    size_t end = std::min(items.items.size(), begin + per_batch);
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> pk(buf);
    pk.pack_array((uint32_t)(end - begin));
    for (size_t i = begin; i < end; ++i) {
      Value x = items.items[i];
      std::string why;
      if (!detail::conform(x, mf.params[0].type.c_str(), why))
        throw TypeError("items of map over `" + f.name() + "`: " + why + " (`" + mf.params[0].type + "`), got `" +
                        item_desc + "`");
      pk.pack_array(1);
      detail::pack(pk, x);
    }
    batches.emplace_back(buf.data(), buf.size());
  }
  detail::Scheduler& s = *state_->program->scheduler;
  std::vector<detail::FutureState*> futures = s.submit_batches(state_->pool, f.index_, std::move(batches));
  std::vector<Value> out;
  for (detail::FutureState* st : futures) {
    s.wait(st);
    if (st->state.load() == detail::FutureState::Failed)
      throw TaskError(st->error->message, st->error->frames, st->error->task);
    Value results;
    bool ok = false;
    try {
      msgpack::object_handle oh = msgpack::unpack(st->value.data(), st->value.size());
      ok = detail::unpack(oh.get(), ("[" + mf.result + "]").c_str(), results);
    } catch (const std::exception&) {
    }
    if (!ok) throw std::runtime_error("malformed task results");
    for (Value& v : results.items) out.push_back(std::move(v));
  }
  return out;
}

Runtime::Runtime(Options options) : options_(std::move(options)) {}

Runtime::~Runtime() = default;

Program Runtime::compile_file(const std::string& path, int opt_level) {
  std::ostringstream diags;
  CompileOptions options;
  options.opt_level = opt_level;
  CompileResult r = wf::compile_file(path, options, diags);
  if (r.status != CompileStatus::Ok) throw CompileError(diags.str());
  Program p;
  p.state_ = detail::make_program(r.object, options_);
  return p;
}

Program Runtime::load(const std::string& wfo_path) {
  std::string bytes, error;
  WfObject object;
  if (!read_file_bytes(wfo_path, bytes)) throw std::runtime_error("cannot read `" + wfo_path + "`");
  if (!decode_wfo(bytes, object, error)) throw std::runtime_error(wfo_path + ": " + error);
  Program p;
  p.state_ = detail::make_program(object, options_);
  return p;
}

Pool Runtime::pool(const Program& program, Options options) {
  Pool p;
  p.state_ = std::make_shared<detail::PoolState>();
  p.state_->program = program.state_;
  p.state_->pool = program.state_->scheduler->make_pool(detail::pool_options(options, options_));
  return p;
}

Pool Runtime::default_pool(const Function& f) {
  if (!f.program_) throw TypeError("an empty wf::Function");
  Pool p;
  p.state_ = std::make_shared<detail::PoolState>();
  p.state_->program = f.program_;
  p.state_->pool = f.program_->scheduler->default_pool();
  return p;
}

}  // namespace wf
