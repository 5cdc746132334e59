// The design notes for this module are atop run_main.hpp.
#include "driver/run_main.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "driver/caching_executor.hpp"
#include "driver/flow_host.hpp"
#include "driver/run_trace.hpp"
#include "jit/loader.hpp"
#include "launch/launcher.hpp"
#include "machine.hpp"
#include "output.hpp"
#include "values.hpp"

namespace wf::detail {

ExecutorFactory executor_factory(const ProgramSet& programs) {
  return with_result_cache(programs, [&programs](const PoolOptions& options, CompletionFn done) {
    if (options.launcher == LauncherKind::InProcess) return make_inprocess_executor(programs, options, std::move(done));
    return make_process_executor(programs, options, std::move(done));
  });
}

namespace {

// Ctrl-C (and SIGTERM): end every worker this run started, then exit 130 (143). The signals
// are blocked before any thread exists and taken by one thread with sigwait, so the flow
// thread can be anywhere, even deep in compiled code.
void handle_interrupts() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    sigwait(&set, &sig);
    flush_process_output();  // ends a progress bar's line first
    write_process_output(2, sig == SIGINT ? "wfc: interrupted; ending the workers\n" : "wfc: terminated; ending the workers\n");
    end_all_launched();
    remove_run_directory();
    flush_process_output();
    _exit(sig == SIGINT ? 130 : 143);
  }).detach();
}

}  // namespace

int run_main(const WfObject& object, const std::vector<std::string>& args, const RunOptions& options) {
  handle_interrupts();
  double started = now_seconds();
  if (!options.trace.empty() || options.stats || !options.graph.empty())
    RunTrace::start(options.trace, options.stats, options.graph);
  std::string error;
  std::unique_ptr<LoadedProgram> loaded = LoadedProgram::load(object, error);
  if (!loaded) {
    std::cerr << "error: cannot load the compiled program: " << error << "\n";
    return 1;
  }
  if (loaded->manifest().main < 0) {
    std::cerr << "error: the program has no `flow main`\n";
    return 1;
  }
  ProgramSet programs;
  int32_t id = programs.add(std::move(loaded));
  const LoadedProgram* program = &programs.program(id);
  const Manifest& manifest = program->manifest();
  Scheduler scheduler(programs, options.pool, executor_factory(programs));
  TaskHost host;
  host.scheduler = &scheduler;
  host.manifest = &manifest;
  host.program = id;
  host.pool_defaults = options.pool;
  host.progress = options.progress;

  Context ctx(&manifest);
  ctx.host = &host;
  WfArray* argv = make_array(ctx, (int64_t)args.size());
  for (size_t i = 0; i < args.size(); ++i) argv->data[i] = ptr_slot(make_str(ctx, args[i]));
  Slot slots[1] = {ptr_slot(argv)};
  EntryFn main_entry = program->entry(manifest.main);
  bool ok = run_guarded(ctx, [&] { main_entry(&ctx, slots); });
  if (ok) scheduler.drain();  // tasks whose futures were never read still run to the end
  scheduler.shutdown();
  flush_process_output();
  if (RunTrace* trace = RunTrace::active()) {
    std::ostringstream err;
    bool written = trace->finish(now_seconds() - started, err);
    write_process_output(2, err.str());
    flush_process_output();
    if (!written && ok) return 1;
  }
  if (!ok && ctx.exit_code >= 0) return ctx.exit_code;  // exit(code): not an error
  if (!ok) {
    write_process_output(2, ctx.error.render());
    return 1;
  }
  return 0;
}

}  // namespace wf::detail
