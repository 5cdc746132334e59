// Runs a program's `flow main` in this process (the driver) with its pools: what
// `wfc run` does once it has an object. Returns the exit status of LANGUAGE.md §10.
#pragma once

#include <string>
#include <vector>

#include "driver/scheduler.hpp"
#include "object/wfo.hpp"

namespace wf::detail {

struct RunOptions {
  PoolOptions pool;       // the default pool, and the base of every `pool(...)`
  bool progress = false;
  std::string trace;   // --trace FILE: a Chrome trace-event JSON of the run ("" = none)
  bool stats = false;  // --stats: a summary per function and pool on standard error
  std::string graph;   // --graph FILE: the task graph, DOT (.dot) or SVG
};

// Executors for pools of `programs`: in-process for the inprocess launcher, else processes.
ExecutorFactory executor_factory(const ProgramSet& programs);

int run_main(const WfObject& object, const std::vector<std::string>& args, const RunOptions& options);

}  // namespace wf::detail
