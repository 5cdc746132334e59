// The design notes for this module are atop scheduler.hpp.
#include "driver/scheduler.hpp"

#include "driver/run_trace.hpp"

#include <chrono>
#include <cstdlib>
#include <thread>

#include "protocol/batch.hpp"
#include "spin.hpp"

namespace wf::detail {

Scheduler::Scheduler(const FunctionTable& functions, PoolOptions default_pool, ExecutorFactory factory)
    : functions_(functions), factory_(std::move(factory)) {
  pools_.push_back(std::make_unique<Pool>());
  pools_.back()->options = std::move(default_pool);
}

Scheduler::~Scheduler() { shutdown(); }

// A task whose input failed fails too, and says which input : the input's
// error with "argument N of `f` failed: " in front, frames kept.
std::unique_ptr<RuntimeError> Scheduler::input_failed(const RuntimeError& input, size_t index, FunctionId fn) const {
  auto error = std::make_unique<RuntimeError>(input);
  error->message = "argument " + std::to_string(index + 1) + " of `" + functions_.function(fn).name +
                   "` failed: " + error->message;
  return error;
}

Pool* Scheduler::make_pool(PoolOptions options) {
  std::lock_guard<std::mutex> lock(mutex_);
  pools_.push_back(std::make_unique<Pool>());
  pools_.back()->options = std::move(options);
  return pools_.back().get();
}

FutureState* Scheduler::new_future() { return &futures_.emplace_back(); }

Executor& Scheduler::executor(Pool* pool) {
  // Only the flow thread dispatches to a pool that has not started yet, so the lazy start
  // does not race; executors themselves are thread-safe.
  if (!pool->executor) pool->executor = factory_(pool->options, [this](BatchOutcome&& o) { complete(std::move(o)); });
  return *pool->executor;
}

void Scheduler::hold(Pool* pool) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++pool->holders;
  pool->held_once = true;
}

void Scheduler::release(Pool* pool) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (pool->holders > 0) --pool->holders;
  end_if_unused(pool);
}

void Scheduler::end_if_unused(Pool* pool) {
  if (stopped_ || !pool->held_once || pool->holders > 0 || pool->tasks > 0 || !pool->executor) return;
  reapers_.emplace_back([executor = std::move(pool->executor)] { executor->shutdown(); });
}

Batch Scheduler::make_batch(Pool* pool, FunctionId fn, std::string items, FutureState* future, Resources resources) {
  Batch b;
  b.id = next_id_++;
  b.program = fn.program;
  b.fn = fn.fn;
  b.ranks = resources.ranks > 0 ? resources.ranks : std::max(1, functions_.function(fn).ranks);
  b.threads = std::max(1, resources.threads > 0 ? resources.threads : functions_.function(fn).threads);
  b.items = std::move(items);
  future->task = b.id;
  in_flight_[b.id] = InFlight{future, pool};
  in_flight_count_.store(in_flight_.size(), std::memory_order_relaxed);
  ++pool->tasks;
  return b;
}

void Scheduler::send(std::vector<std::pair<Pool*, Batch>>& ready) {
  for (auto& [pool, batch] : ready) executor(pool).dispatch(std::move(batch));
  ready.clear();
}

FutureState* Scheduler::submit(Pool* pool, FunctionId fn, std::vector<std::string> args, std::vector<FutureState*> inputs,
                               Resources resources) {
  std::vector<std::pair<Pool*, Batch>> ready;
  FutureState* future;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    future = new_future();
    future->result_type = functions_.function(fn).result.c_str();
    future->function = functions_.function(fn).name.c_str();
    if (stopped_) {
      future->error = std::make_unique<RuntimeError>(RuntimeError{"the runtime is shutting down", {}, "", {}});
      future->state.store(FutureState::Failed, std::memory_order_release);
      return future;
    }
    size_t waiting = 0;
    std::unique_ptr<RuntimeError> failed_input;
    std::vector<uint64_t> done_inputs;  // tasks whose results it takes at once (--trace draws them)
    for (size_t i = 0; i < inputs.size(); ++i) {
      FutureState* in = inputs[i];
      if (!in) continue;
      uint8_t s = in->state.load(std::memory_order_acquire);
      if (s == FutureState::Done) {
        args[i] = in->value;
        inputs[i] = nullptr;
        if (in->task && RunTrace::active()) done_inputs.push_back(in->task);
      } else if (s == FutureState::Failed && !failed_input) {
        failed_input = input_failed(*in->error, i, fn);
      } else if (s == FutureState::Pending) {
        ++waiting;
      }
    }
    if (failed_input) {
      finish(future, "", std::move(failed_input), ready);
    } else if (waiting == 0) {
      ready.emplace_back(pool, make_batch(pool, fn, single_call(args), future, resources));
      if (RunTrace* trace = RunTrace::active())
        for (uint64_t input : done_inputs) trace->edge(input, ready.back().second.id);
    } else {
      uint64_t id = next_id_++;
      for (FutureState* in : inputs)
        if (in) in->dependents.push_back(id);
      held_[id] = Held{pool, fn, std::move(args), std::move(inputs), waiting, future, resources, std::move(done_inputs)};
      ++pool->tasks;
    }
  }
  send(ready);
  return future;
}

std::vector<FutureState*> Scheduler::submit_batches(Pool* pool, FunctionId fn, std::vector<std::string> batches,
                                                    Resources resources) {
  std::vector<FutureState*> futures;
  futures.reserve(batches.size());
  std::vector<std::pair<Pool*, Batch>> ready;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::string& items : batches) {
      FutureState* f = new_future();
      f->batch = true;
      f->result_type = functions_.function(fn).result.c_str();
      f->function = functions_.function(fn).name.c_str();
      futures.push_back(f);
      if (stopped_) fail(f, RuntimeError{"the runtime is shutting down", {}, "", {}}, ready);
      else {
        ready.emplace_back(pool, make_batch(pool, fn, std::move(items), f, resources));
      }
    }
  }
  if (RunTrace* trace = RunTrace::active(); trace && !ready.empty())
    trace->map_group(ready.front().second.id, ready.back().second.id);
  send(ready);
  return futures;
}

void Scheduler::complete(BatchOutcome&& outcome) {
  std::vector<std::pair<Pool*, Batch>> ready;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = in_flight_.find(outcome.id);
    if (it == in_flight_.end()) return;  // a late or duplicate report: already settled
    FutureState* f = it->second.future;
    Pool* pool = it->second.pool;
    in_flight_.erase(it);
    in_flight_count_.store(in_flight_.size(), std::memory_order_relaxed);
    if (is_done(f)) {
      // Settled already (an interrupt failed it): the outcome is not wanted.
    } else if (!outcome.ok) {
      f->failed_item = outcome.failed_item;
      fail(f, std::move(outcome.error), ready);
    } else if (f->batch) {
      finish(f, std::move(outcome.results), nullptr, ready);
    } else {
      std::string value;
      if (single_result(outcome.results, value))
        finish(f, std::move(value), nullptr, ready);
      else
        fail(f, RuntimeError{"malformed result from worker " + std::to_string(outcome.worker), {}, "", {}}, ready);
    }
    --pool->tasks;
    end_if_unused(pool);
    wake = std::exchange(wake_, false);
  }
  if (wake) done_cv_.notify_all();
  send(ready);
}

void Scheduler::fail(FutureState* f, RuntimeError error, std::vector<std::pair<Pool*, Batch>>& ready) {
  finish(f, "", std::make_unique<RuntimeError>(std::move(error)), ready);
}

void Scheduler::finish(FutureState* f, std::string value, std::unique_ptr<RuntimeError> error,
                       std::vector<std::pair<Pool*, Batch>>& ready) {
  if (!awaited_.empty() && awaited_.count(f)) wake_ = true;
  if (error) {
    f->error = std::move(error);
    f->state.store(FutureState::Failed, std::memory_order_release);
  } else {
    f->value = std::move(value);
    f->state.store(FutureState::Done, std::memory_order_release);
  }
  release_dependents(f, ready);
}

void Scheduler::release_dependents(FutureState* f, std::vector<std::pair<Pool*, Batch>>& ready) {
  std::vector<uint64_t> dependents = std::move(f->dependents);
  for (uint64_t id : dependents) {
    auto it = held_.find(id);
    if (it == held_.end()) continue;
    Held& h = it->second;
    if (f->state.load() == FutureState::Failed) {
      size_t index = 0;
      while (index < h.inputs.size() && h.inputs[index] != f) ++index;
      std::unique_ptr<RuntimeError> error = input_failed(*f->error, index, h.fn);
      FutureState* dependent = h.future;
      --h.pool->tasks;
      end_if_unused(h.pool);
      held_.erase(it);
      finish(dependent, "", std::move(error), ready);
      continue;
    }
    for (size_t i = 0; i < h.inputs.size(); ++i)
      if (h.inputs[i] == f) {
        h.args[i] = f->value;
        h.inputs[i] = nullptr;
        --h.waiting;
        if (f->task && RunTrace::active()) h.waited_for.push_back(f->task);
      }
    if (h.waiting == 0) {
      std::string items = single_call(h.args);
      Pool* pool = h.pool;
      FunctionId fn = h.fn;
      FutureState* future = h.future;
      Resources resources = h.resources;
      std::vector<uint64_t> waited_for = std::move(h.waited_for);
      held_.erase(it);
      --pool->tasks;  // counted again as in flight by make_batch
      ready.emplace_back(pool, make_batch(pool, fn, std::move(items), future, resources));
      if (RunTrace* trace = RunTrace::active())
        for (uint64_t input : waited_for) trace->edge(input, ready.back().second.id);
    }
  }
}

void Scheduler::wait(FutureState* f, bool spin) {
  if (is_done(f)) return;
  // A short task's result usually arrives within tens of microseconds: watch for it briefly
  // (yielding the core) before paying for a sleep and a wake-up. Not while there are at least
  // as many batches in flight as cores: then every core has a task to run, the result is not
  // microseconds away, and the watching would take time from the tasks (W3 on 2 cores).
  if (spin && spin_seconds() > 0 && in_flight_count_.load(std::memory_order_relaxed) < cores()) {
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(spin_seconds());
    while (std::chrono::steady_clock::now() < until) {
      if (is_done(f)) return;
      std::this_thread::yield();
    }
  }
  std::unique_lock<std::mutex> lock(mutex_);
  auto mark = awaited_.insert(f);
  done_cv_.wait(lock, [&] { return is_done(f); });
  awaited_.erase(mark);
}

bool Scheduler::wait_for(FutureState* f, double seconds) {
  if (is_done(f)) return true;
  std::unique_lock<std::mutex> lock(mutex_);
  auto mark = awaited_.insert(f);
  bool done = done_cv_.wait_for(lock, std::chrono::duration<double>(std::max(0.0, seconds)), [&] { return is_done(f); });
  awaited_.erase(mark);
  return done;
}

size_t Scheduler::wait_any(const std::vector<FutureState*>& fs) {
  auto first_done = [&]() {
    for (size_t i = 0; i < fs.size(); ++i)
      if (is_done(fs[i])) return i;
    return fs.size();
  };
  size_t i = first_done();
  if (i < fs.size() || fs.empty()) return i;
  std::unique_lock<std::mutex> lock(mutex_);
  std::vector<std::unordered_multiset<const FutureState*>::iterator> marks;
  for (FutureState* f : fs) marks.push_back(awaited_.insert(f));
  done_cv_.wait(lock, [&] { return (i = first_done()) < fs.size(); });
  for (auto& m : marks) awaited_.erase(m);
  return i;
}

bool Scheduler::cancel(FutureState* f) {
  std::vector<std::pair<Pool*, Batch>> ready;
  Executor* runner = nullptr;
  uint64_t batch = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (is_done(f) || f->batch) return false;
    for (auto it = held_.begin(); it != held_.end(); ++it) {
      if (it->second.future != f) continue;
      // Still waiting for its inputs: it never reached a pool.
      Pool* pool = it->second.pool;
      held_.erase(it);
      --pool->tasks;
      fail(f, RuntimeError{"cancelled", {}, "", {}}, ready);  // its dependents fail too
      end_if_unused(pool);
      break;
    }
    if (!is_done(f)) {
      for (auto& [id, flight] : in_flight_)
        if (flight.future == f) batch = id, runner = flight.pool->executor.get();
      if (!runner) return false;
    }
  }
  if (!runner) {  // cancelled here
    done_cv_.notify_all();
    send(ready);
    return true;
  }
  // The executor completes the batch with "cancelled" (through complete()) before it says yes.
  return runner->cancel(batch);
}

void Scheduler::interrupt() {
  std::vector<std::pair<Pool*, Batch>> ready;
  std::vector<std::pair<Executor*, uint64_t>> running;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<FutureState*> held;
    for (auto& [id, h] : held_) {
      held.push_back(h.future);
      --h.pool->tasks;
    }
    std::vector<Pool*> pools;
    for (auto& [id, h] : held_) pools.push_back(h.pool);
    held_.clear();
    for (auto& [id, flight] : in_flight_) {
      running.emplace_back(flight.pool->executor.get(), id);
      if (!is_done(flight.future)) fail(flight.future, RuntimeError{"interrupted", {}, "", {}}, ready);
    }
    for (FutureState* f : held)
      if (!is_done(f)) fail(f, RuntimeError{"interrupted", {}, "", {}}, ready);
    for (Pool* p : pools) end_if_unused(p);
    wake_ = false;
  }
  done_cv_.notify_all();
  // Not started: withdrawn (completing with "cancelled", which complete() drops).
  for (auto& [executor, id] : running)
    if (executor) executor->cancel(id);
}

void Scheduler::drain() {
  // Only the flow thread adds futures, and it is here: the deque does not change under us.
  for (FutureState& f : futures_) wait(&f, /*spin=*/false);
}

void Scheduler::shutdown() {
  std::vector<Pool*> started;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& p : pools_)
      if (p->executor) started.push_back(p.get());
  }
  for (std::thread& t : reapers_) t.join();
  reapers_.clear();
  for (Pool* p : started) p->executor->shutdown();
  std::vector<std::pair<Pool*, Batch>> ignored;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<FutureState*> pending;
    for (auto& [id, f] : in_flight_) pending.push_back(f.future);
    for (auto& [id, h] : held_) pending.push_back(h.future);
    in_flight_.clear();
    in_flight_count_.store(0, std::memory_order_relaxed);
    held_.clear();
    for (FutureState* f : pending)
      if (f->state.load() == FutureState::Pending)
        finish(f, "", std::make_unique<RuntimeError>(RuntimeError{"cancelled: the runtime shut down", {}, "", {}}), ignored);
  }
  done_cv_.notify_all();
}

}  // namespace wf::detail
