// wf::Runtime: compiles or loads programs into its engine (program.hpp: one scheduler and one
// set of pools for all of them) and hands out pools.
//
// Why shaped so: the Runtime holds its options and the engine; programs, pools and futures
// hold the engine too, so none of them dangles. Options are translated to the driver's PoolOptions
// here, and the API's Launcher enum to the launcher module's LauncherKind by one switch, so
// no launcher is ever named by a string in the embedding.
#include <algorithm>
#include <sstream>
#include <thread>

#include "compiler.hpp"
#include "embed/program.hpp"
#include "launch/launcher.hpp"

namespace wf {

namespace detail {
namespace {

LauncherKind launcher_kind(Launcher l) {
  switch (l) {
    case Launcher::Default: return LauncherKind::Default;
    case Launcher::Mpirun: return LauncherKind::Mpirun;
    case Launcher::Local: return LauncherKind::Local;
    case Launcher::Slurm: return LauncherKind::Slurm;
    case Launcher::InProcess: return LauncherKind::InProcess;
    case Launcher::Flux: return LauncherKind::Flux;
  }
  throw TypeError("wf::Options::launcher is not a wf::Launcher (" + std::to_string((int)l) + ")");
}

// `o`, with what it leaves unset taken from `defaults`.
PoolOptions pool_options(const Options& o, const Options& defaults) {
  PoolOptions p;
  int workers = o.workers > 0 ? o.workers : defaults.workers;
  p.workers = workers > 0 ? workers : (int)std::max(1u, std::thread::hardware_concurrency());
  p.launcher = launcher_kind(o.launcher != Launcher::Default ? o.launcher : defaults.launcher);
  p.oversubscribe = o.oversubscribe || defaults.oversubscribe;
  p.cwd = !o.cwd.empty() ? o.cwd : defaults.cwd;
  p.hostfile = !o.hostfile.empty() ? o.hostfile : defaults.hostfile;
  p.cache = !o.cache.empty() ? o.cache : defaults.cache;
  p.cache_errors = o.cache_errors || defaults.cache_errors;
  return p;
}

}  // namespace
}  // namespace detail

Runtime::Runtime(Options options)
    : options_(std::move(options)), engine_(std::make_shared<detail::Engine>(detail::pool_options({}, options_))) {}

Runtime::~Runtime() = default;

Program Runtime::compile_file(const std::string& path, int opt_level) {
  std::ostringstream diags;
  CompileOptions options;
  options.opt_level = opt_level;
  CompileResult r = wf::compile_file(path, options, diags);
  if (r.status != CompileStatus::Ok) throw CompileError(diags.str());
  Program p;
  p.state_ = detail::make_program(engine_, r.object, path);
  return p;
}

Program Runtime::load(const std::string& wfo_path) {
  std::string bytes, error;
  WfObject object;
  if (!read_file_bytes(wfo_path, bytes)) throw LoadError(wfo_path, "cannot read `" + wfo_path + "`");
  if (!decode_wfo(bytes, object, error)) throw LoadError(wfo_path, wfo_path + ": " + error);
  Program p;
  p.state_ = detail::make_program(engine_, object, wfo_path);
  return p;
}

Pool Runtime::pool(Options options) {
  Pool p;
  p.state_ = detail::new_pool_of(engine_, detail::pool_options(options, options_));
  return p;
}

Pool Runtime::pool(const Program&, Options options) { return pool(std::move(options)); }

Pool Runtime::default_pool() {
  Pool p;
  p.state_ = detail::default_pool_of(engine_);
  return p;
}

Pool Runtime::default_pool(const Function& f) {
  if (!f.program_) throw TypeError("an empty wf::Function");
  if (f.program_->engine != engine_) throw TypeError("`" + f.name() + "` belongs to another wf::Runtime");
  return default_pool();
}

}  // namespace wf
