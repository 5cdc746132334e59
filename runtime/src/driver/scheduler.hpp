// The driver's view of all work: futures, tasks waiting for inputs (dataflow), pools.
//
// Flows call in from the flow thread (submit, map, wait); executors report outcomes from
// their own threads. All state sits behind one mutex; waiting flows sleep on a condition
// variable and are woken by the completions they wait for, never by polling. A task whose
// inputs are futures is held here and dispatched the moment its last input completes; it
// never goes back through the flow.
//
// A pool's life (LANGUAGE.md §11): the flow's variables hold it (`hold`/`release`, emitted at
// binding and at scope end); once none does and none of its tasks is held or in flight, its
// workers are ended by a reaper thread (an executor is never shut down from its own
// completion thread, nor under the mutex). A pool that was never bound to a variable (in an
// array, `pool().map(...)`) lives until the flow ends; one used again after it ended, through
// a copy in an array, starts again on first use, like a new pool.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "driver/executor.hpp"
#include "driver/program_set.hpp"

namespace wf::detail {

// The outcome of one task, or of one batch of a map (then `value` is the encoded array of
// the batch's results and `failed_item` says which item failed).
struct FutureState {
  enum : uint8_t { Pending, Done, Failed };
  std::atomic<uint8_t> state{Pending};
  bool batch = false;
  int32_t failed_item = -1;
  const char* result_type = "v";       // descriptor of one result (from the manifest)
  const char* function = "";           // the task's function name (from the manifest), for messages
  std::string value;                    // encoded result (batch: array of results), when Done
  std::unique_ptr<RuntimeError> error;  // when Failed
  std::vector<uint64_t> dependents;     // held tasks waiting for this future (under the mutex)
  uint64_t task = 0;                    // the batch that computes it, once there is one
};

struct Pool {
  PoolOptions options;
  std::unique_ptr<Executor> executor;  // started on first use
  int holders = 0;        // the flow's variables that refer to it (under the mutex)
  bool held_once = false; // a variable has held it: it may end when the last one lets go
  size_t tasks = 0;       // its tasks held for inputs or in flight (under the mutex)
};

class Scheduler {
 public:
  Scheduler(const FunctionTable& functions, PoolOptions default_pool, ExecutorFactory factory);
  ~Scheduler();

  Pool* default_pool() { return pools_.front().get(); }
  Pool* make_pool(PoolOptions options);
  // A variable of the flow starts or stops referring to `pool` (never the default pool).
  void hold(Pool* pool);
  void release(Pool* pool);

  // One call of `fn`. `args[i]` is the encoded argument, or empty when `inputs[i]` (a future)
  // provides it.
  FutureState* submit(Pool* pool, FunctionId fn, std::vector<std::string> args, std::vector<FutureState*> inputs,
                      Resources resources = {});
  // Batches of calls of `fn`: each `batches[i]` is an encoded array of argument arrays. One
  // future per batch, in order.
  std::vector<FutureState*> submit_batches(Pool* pool, FunctionId fn, std::vector<std::string> batches,
                                           Resources resources = {});
  // `cancel()` of LANGUAGE.md §17: true if the task had not started and never will (its future
  // fails with "cancelled", and so do its dependents); false if it runs, ran or is done.
  bool cancel(FutureState* f);

  // A notebook cell's interrupt: every task not finished fails with "interrupted" at once
  // (waiting flows wake); those not started are withdrawn, those running finish unseen. The
  // pools stay up.
  void interrupt();

  // Waits for `f`. With `spin`, first watches it briefly without sleeping (for a lone task
  // whose result is microseconds away; not while many tasks keep every core busy).
  void wait(FutureState* f, bool spin = true);
  // As wait, for at most `seconds`: false if `f` is still pending then.
  bool wait_for(FutureState* f, double seconds);
  // Blocks until one of `fs` is done (value or error); the lowest index of a done one.
  size_t wait_any(const std::vector<FutureState*>& fs);
  // Waits for every task submitted so far: a future dropped unread still runs its task
  // (LANGUAGE.md §17), as Python's executors do at shutdown(wait=True). Flow thread only.
  void drain();
  void shutdown();  // ends every pool's workers; pending futures fail

  // Called by `map` for progress reporting: how many futures are complete so far.
  static bool is_done(const FutureState* f) { return f->state.load(std::memory_order_acquire) != FutureState::Pending; }

 private:
  struct Held {  // a task waiting for future inputs
    Pool* pool;
    FunctionId fn;
    std::vector<std::string> args;
    std::vector<FutureState*> inputs;
    size_t waiting;
    FutureState* future;
    Resources resources;
    std::vector<uint64_t> waited_for;  // batches of its inputs (--trace draws them)
  };

  FutureState* new_future();
  // Under the mutex: prepares a batch for `pool`; the caller dispatches it after unlocking.
  Batch make_batch(Pool* pool, FunctionId fn, std::string items, FutureState* future, Resources resources);
  void complete(BatchOutcome&& outcome);
  std::unique_ptr<RuntimeError> input_failed(const RuntimeError& input, size_t index, FunctionId fn) const;
  void fail(FutureState* f, RuntimeError error, std::vector<std::pair<Pool*, Batch>>& ready);
  void finish(FutureState* f, std::string value, std::unique_ptr<RuntimeError> error,
              std::vector<std::pair<Pool*, Batch>>& ready);
  void release_dependents(FutureState* f, std::vector<std::pair<Pool*, Batch>>& ready);
  void send(std::vector<std::pair<Pool*, Batch>>& ready);
  Executor& executor(Pool* pool);
  // Under the mutex: hands the executor of an unreferenced, idle pool to a reaper thread.
  void end_if_unused(Pool* pool);

  const FunctionTable& functions_;
  ExecutorFactory factory_;
  std::mutex mutex_;
  std::condition_variable done_cv_;
  std::deque<FutureState> futures_;
  std::vector<std::unique_ptr<Pool>> pools_;
  std::unordered_map<uint64_t, Held> held_;
  struct InFlight {
    FutureState* future;
    Pool* pool;
  };
  std::unordered_map<uint64_t, InFlight> in_flight_;  // batch id -> its future and pool
  std::atomic<size_t> in_flight_count_{0};             // in_flight_.size(), read without the mutex
  static size_t cores() {
    static const size_t n = std::max(1u, std::thread::hardware_concurrency());
    return n;
  }
  std::unordered_multiset<const FutureState*> awaited_;  // futures someone sleeps on
  bool wake_ = false;  // a future in `awaited_` finished: notify after unlocking
  uint64_t next_id_ = 1;
  bool stopped_ = false;
  std::vector<std::thread> reapers_;  // each shuts down one ended pool's executor
};

}  // namespace wf::detail
