// Where a pool's tasks run. The scheduler decides *what* is ready and *which pool* it goes
// to; an Executor owns the pool's workers and runs what it is given, reporting each batch's
// outcome through the callback. Implementations: worker processes over ZeroMQ
// (process_executor) and, for hosts that want no processes, threads in the driver
// (inprocess_executor). Swapping them changes nothing a flow can observe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "launch/launcher.hpp"
#include "task/task_runner.hpp"

namespace wf::detail {

class ProgramSet;

struct PoolOptions {
  int workers = 0;          // ranks; 0 = number of cores
  std::string cwd;          // "" = the driver's
  bool oversubscribe = false;
  LauncherKind launcher = LauncherKind::Default;
  std::string hostfile;
  std::string cache;          // result cache directory (driver/caching_executor.hpp); "" = none
  bool cache_errors = false;  // failed tasks are cached too
};

struct Batch {
  uint64_t id = 0;
  int32_t program = 0;      // driver/program_set.hpp
  int fn = 0;
  int ranks = 1;            // ranks the batch runs on (mpi fn: its `ranks`, or `ranks=` at submission)
  int threads = 1;          // worker slots each rank holds (`threads=`, LANGUAGE.md §18)
  std::string items;        // msgpack array of argument arrays
};

// What a submission asks for beyond the function's declaration (0: the declaration's).
struct Resources {
  int ranks = 0;
  int threads = 0;
};

// Called once per finished batch. An outcome with id 0 completes nothing: it says that a burst
// of completions has ended (executors send it after each round of reports), so that a
// listener that gathers work per completion can do it once per burst (the result cache writes
// a burst's entries with one write before it passes their outcomes on).
using CompletionFn = std::function<void(BatchOutcome&&)>;
constexpr uint64_t kEndOfBurst = 0;

class Executor {
 public:
  virtual ~Executor() = default;
  // Queues a batch; never blocks on its execution. Thread-safe.
  virtual void dispatch(Batch&& batch) = 0;
  // Ends every worker; outstanding batches complete with an error.
  virtual void shutdown() = 0;
  // Withdraws batch `id` if it has not started (LANGUAGE.md §17): then it completes at once
  // with the error "cancelled" and this returns true. A batch that runs or ran is left alone
  // (false). Blocks until the executor knows which.
  virtual bool cancel(uint64_t id) = 0;
};

// Makes a pool's executor when the pool is first used (driver/run_main.cpp's is the usual one).
using ExecutorFactory = std::function<std::unique_ptr<Executor>(const PoolOptions&, CompletionFn)>;

// Executors run tasks of every program of `programs`, also of programs added after they
// started.
std::unique_ptr<Executor> make_process_executor(const ProgramSet& programs, const PoolOptions& options,
                                                CompletionFn on_complete);
std::unique_ptr<Executor> make_inprocess_executor(const ProgramSet& programs, const PoolOptions& options,
                                                  CompletionFn on_complete);

}  // namespace wf::detail
