#include "driver/scheduler.hpp"

#include "value_codec.hpp"

namespace wf::detail {

namespace {

// "[" + items + "]" as msgpack, items already encoded.
std::string pack_array_of(const std::vector<std::string>& encoded, size_t begin, size_t end) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array((uint32_t)(end - begin));
  for (size_t i = begin; i < end; ++i) buf.write(encoded[i].data(), encoded[i].size());
  return std::string(buf.data(), buf.size());
}

// Splits an encoded msgpack array into its encoded elements.
bool split_array(const std::string& bytes, std::vector<std::string>& out) {
  try {
    size_t offset = 0;
    const char* p = bytes.data();
    if (bytes.empty()) return false;
    uint8_t head = (uint8_t)p[0];
    size_t n;
    if ((head & 0xf0) == 0x90) {
      n = head & 0x0f;
      offset = 1;
    } else if (head == 0xdc && bytes.size() >= 3) {
      n = ((size_t)(uint8_t)p[1] << 8) | (uint8_t)p[2];
      offset = 3;
    } else if (head == 0xdd && bytes.size() >= 5) {
      n = ((size_t)(uint8_t)p[1] << 24) | ((size_t)(uint8_t)p[2] << 16) | ((size_t)(uint8_t)p[3] << 8) | (uint8_t)p[4];
      offset = 5;
    } else {
      return false;
    }
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      size_t start = offset;
      msgpack::unpack(p, bytes.size(), offset);
      out.emplace_back(p + start, offset - start);
    }
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

Scheduler::Scheduler(const Manifest& manifest, PoolOptions default_pool, ExecutorFactory factory)
    : manifest_(manifest), factory_(std::move(factory)) {
  pools_.push_back(std::make_unique<Pool>());
  pools_.back()->options = std::move(default_pool);
}

Scheduler::~Scheduler() { shutdown(); }

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

Batch Scheduler::make_batch(int fn, std::string items, std::vector<FutureState*> futures) {
  Batch b;
  b.id = next_id_++;
  b.fn = fn;
  b.ranks = manifest_.functions[(size_t)fn].ranks;
  b.items = std::move(items);
  in_flight_[b.id] = InFlight{std::move(futures)};
  return b;
}

void Scheduler::send(std::vector<std::pair<Pool*, Batch>>& ready) {
  for (auto& [pool, batch] : ready) executor(pool).dispatch(std::move(batch));
  ready.clear();
}

FutureState* Scheduler::submit(Pool* pool, int fn, std::vector<std::string> args, std::vector<FutureState*> inputs) {
  std::vector<std::pair<Pool*, Batch>> ready;
  FutureState* future;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    future = new_future();
    future->result_type = manifest_.functions[(size_t)fn].result.c_str();
    if (stopped_) {
      future->error = std::make_unique<RuntimeError>(RuntimeError{"the runtime is shutting down", {}, "", {}});
      future->state.store(FutureState::Failed, std::memory_order_release);
      return future;
    }
    size_t waiting = 0;
    std::unique_ptr<RuntimeError> failed_input;
    for (size_t i = 0; i < inputs.size(); ++i) {
      FutureState* in = inputs[i];
      if (!in) continue;
      uint8_t s = in->state.load(std::memory_order_acquire);
      if (s == FutureState::Done) {
        args[i] = in->value;
        inputs[i] = nullptr;
      } else if (s == FutureState::Failed && !failed_input) {
        failed_input = std::make_unique<RuntimeError>(*in->error);
        failed_input->message = "argument " + std::to_string(i + 1) + " of `" + manifest_.functions[(size_t)fn].name +
                                "` failed: " + failed_input->message;
      } else if (s == FutureState::Pending) {
        ++waiting;
      }
    }
    if (failed_input) {
      finish(future, "", std::move(failed_input), ready);
    } else if (waiting == 0) {
      std::vector<std::string> one{pack_array_of(args, 0, args.size())};
      ready.emplace_back(pool, make_batch(fn, pack_array_of(one, 0, 1), {future}));
    } else {
      uint64_t id = next_id_++;
      for (FutureState* in : inputs)
        if (in) in->dependents.push_back(id);
      held_[id] = Held{pool, fn, std::move(args), std::move(inputs), waiting, future};
    }
  }
  send(ready);
  return future;
}

std::vector<FutureState*> Scheduler::submit_many(Pool* pool, int fn, std::vector<std::string> items, int chunk) {
  if (chunk < 1) chunk = 1;
  std::vector<FutureState*> futures;
  futures.reserve(items.size());
  std::vector<std::pair<Pool*, Batch>> ready;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t begin = 0; begin < items.size(); begin += (size_t)chunk) {
      size_t end = std::min(items.size(), begin + (size_t)chunk);
      std::vector<FutureState*> batch_futures;
      for (size_t i = begin; i < end; ++i) {
        batch_futures.push_back(new_future());
        batch_futures.back()->result_type = manifest_.functions[(size_t)fn].result.c_str();
      }
      futures.insert(futures.end(), batch_futures.begin(), batch_futures.end());
      if (stopped_) {
        for (FutureState* f : batch_futures) finish(f, "", std::make_unique<RuntimeError>(RuntimeError{"the runtime is shutting down", {}, "", {}}), ready);
        continue;
      }
      ready.emplace_back(pool, make_batch(fn, pack_array_of(items, begin, end), std::move(batch_futures)));
    }
  }
  send(ready);
  return futures;
}

void Scheduler::complete(BatchOutcome&& outcome) {
  std::vector<std::pair<Pool*, Batch>> ready;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = in_flight_.find(outcome.id);
    if (it == in_flight_.end()) return;  // a late or duplicate report: already settled
    std::vector<FutureState*> futures = std::move(it->second.futures);
    in_flight_.erase(it);
    std::vector<std::string> values;
    if (outcome.ok && (!split_array(outcome.results, values) || values.size() != futures.size())) {
      outcome.ok = false;
      outcome.failed_item = 0;
      outcome.error = RuntimeError{"malformed result from worker " + std::to_string(outcome.worker), {}, "", {}};
    }
    for (size_t i = 0; i < futures.size(); ++i) {
      if (outcome.ok) {
        finish(futures[i], std::move(values[i]), nullptr, ready);
      } else if ((int)i == outcome.failed_item || outcome.failed_item < 0) {
        finish(futures[i], "", std::make_unique<RuntimeError>(outcome.error), ready);
      } else if ((int)i < outcome.failed_item) {
        // Items before the failing one ran, but their results were not sent; they are
        // reported as not run (a map raises the first failing item's error anyway).
        finish(futures[i], "", std::make_unique<RuntimeError>(RuntimeError{"not completed: another item of its batch failed", {}, outcome.error.task, {}}), ready);
      } else {
        finish(futures[i], "", std::make_unique<RuntimeError>(RuntimeError{"not run: an earlier item of its batch failed", {}, outcome.error.task, {}}), ready);
      }
    }
  }
  done_cv_.notify_all();
  send(ready);
}

void Scheduler::finish(FutureState* f, std::string value, std::unique_ptr<RuntimeError> error,
                       std::vector<std::pair<Pool*, Batch>>& ready) {
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
      auto error = std::make_unique<RuntimeError>(*f->error);
      error->message = "argument " + std::to_string(index + 1) + " of `" + manifest_.functions[(size_t)h.fn].name +
                       "` failed: " + error->message;
      FutureState* dependent = h.future;
      held_.erase(it);
      finish(dependent, "", std::move(error), ready);
      continue;
    }
    for (size_t i = 0; i < h.inputs.size(); ++i)
      if (h.inputs[i] == f) {
        h.args[i] = f->value;
        h.inputs[i] = nullptr;
        --h.waiting;
      }
    if (h.waiting == 0) {
      std::vector<std::string> one{pack_array_of(h.args, 0, h.args.size())};
      Pool* pool = h.pool;
      int fn = h.fn;
      FutureState* future = h.future;
      held_.erase(it);
      ready.emplace_back(pool, make_batch(fn, pack_array_of(one, 0, 1), {future}));
    }
  }
}

void Scheduler::wait(FutureState* f) {
  if (is_done(f)) return;
  std::unique_lock<std::mutex> lock(mutex_);
  done_cv_.wait(lock, [&] { return is_done(f); });
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
  for (Pool* p : started) p->executor->shutdown();
  std::vector<std::pair<Pool*, Batch>> ignored;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<FutureState*> pending;
    for (auto& [id, flight] : in_flight_) pending.insert(pending.end(), flight.futures.begin(), flight.futures.end());
    for (auto& [id, h] : held_) pending.push_back(h.future);
    in_flight_.clear();
    held_.clear();
    for (FutureState* f : pending)
      if (f->state.load() == FutureState::Pending)
        finish(f, "", std::make_unique<RuntimeError>(RuntimeError{"cancelled: the runtime shut down", {}, "", {}}), ignored);
  }
  done_cv_.notify_all();
}

}  // namespace wf::detail
