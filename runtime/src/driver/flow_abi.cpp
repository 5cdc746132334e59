// The flow built-ins of LANGUAGE.md §5 behind the C ABI: compiled flows call these, they
// encode arguments, hand tasks to the Scheduler and decode results into the flow's arena.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "abi.h"
#include "driver/flow_host.hpp"
#include "output.hpp"
#include "protocol/batch.hpp"
#include "value_codec.hpp"

using namespace wf::detail;

namespace {

TaskHost& host(wf_ctx* ctx) { return *ctx->host; }

// ranks= and threads= of a submission (LANGUAGE.md §18), checked at run time.
// kAbiOptionAbsent: not given (the declaration's value).
Resources checked_resources(wf_ctx* ctx, int64_t loc, int64_t ranks, int64_t threads) {
  Resources r;
  if (ranks != wf::kAbiOptionAbsent) {
    if (ranks < 1 || ranks > (1 << 20))
      raise(*ctx, loc, "`ranks=" + std::to_string(ranks) + "`: a task runs on 1 to 1048576 ranks");
    r.ranks = (int)ranks;
  }
  if (threads != wf::kAbiOptionAbsent) {
    if (threads < 1 || threads > 4096)
      raise(*ctx, loc, "`threads=" + std::to_string(threads) + "`: a task takes 1 to 4096 threads");
    r.threads = (int)threads;
  }
  return r;
}

std::string timed_out(double timeout, const FutureState* f) {
  return "timed out after " + format_float(timeout) + " s waiting for " + f->function;
}

Pool* pool_of(wf_ctx* ctx, void* pool) {
  return pool ? static_cast<Pool*>(pool) : host(ctx).scheduler->default_pool();
}

// Waits for `f`; raises its error in the flow, or returns its value.
Slot settle(wf_ctx* ctx, FutureState* f, int64_t loc) {
  host(ctx).scheduler->wait(f);
  if (f->state.load(std::memory_order_acquire) == FutureState::Failed) raise_task_error(*ctx, loc, *f->error);
  Slot v = 0;
  if (!decode_value(*ctx, f->result_type, f->value, v))
    raise(*ctx, loc, std::string("a task returned a malformed `") + f->result_type + "`");
  return v;
}

// One map's progress: a bar on stderr (done/total, rate, ETA), or reports to the host's
// MapProgress (a notebook's live display). The end is reported however the map ends.
class Progress {
 public:
  Progress(const TaskHost& host, const std::string& function, size_t total)
      : sink_(host.map_progress), enabled_((host.progress || sink_) && total > 0), total_(total), start_(wf_now()) {
    if (sink_ && enabled_) id_ = sink_->begin(function, total);
  }
  ~Progress() {
    if (sink_ && enabled_) sink_->end(id_, done_, total_, wf_now() - start_, done_ != total_);
  }
  void update(size_t done) {
    if (!enabled_) return;
    done_ = done;
    double now = wf_now();
    if (done != total_ && now - last_ < 0.1) return;
    last_ = now;
    if (sink_) {
      if (done != total_) sink_->update(id_, done, total_);
      return;
    }
    double rate = done / std::max(now - start_, 1e-9);
    double eta = rate > 0 ? (double)(total_ - done) / rate : 0;
    int width = 30, filled = (int)(width * done / total_);
    char bar[160];
    std::snprintf(bar, sizeof bar, "[%.*s%*s] %zu/%zu  %.0f/s  ETA %.1fs ", filled, "##############################",
                  width - filled, "", done, total_, rate, eta);
    write_status_line(bar);
    if (done == total_) end_status_line();
  }

 private:
  MapProgress* sink_;
  bool enabled_;
  size_t total_, done_ = 0;
  double start_, last_ = 0;
  int id_ = 0;
};

}  // namespace

extern "C" {

void* wf_submit(wf_ctx* ctx, void* pool, int64_t fn, uint64_t* args, int64_t nargs, int64_t future_mask, int64_t loc,
                int64_t ranks, int64_t threads) {
  const wf::ManifestFunction& f = ctx->manifest->functions[(size_t)fn];
  Resources resources = checked_resources(ctx, loc, ranks, threads);
  std::vector<std::string> encoded((size_t)nargs);
  std::vector<FutureState*> inputs((size_t)nargs, nullptr);
  for (int64_t i = 0; i < nargs; ++i) {
    if (future_mask & (1ll << i)) inputs[(size_t)i] = slot_ptr<FutureState>(args[i]);
    else encoded[(size_t)i] = encode_value(f.params[(size_t)i].type.c_str(), args[i]);
  }
  return host(ctx).scheduler->submit(pool_of(ctx, pool), host(ctx).task_function((int32_t)fn), std::move(encoded),
                                     std::move(inputs), resources);
}

uint64_t wf_result_within(wf_ctx* ctx, void* future, int64_t loc, double timeout) {
  auto* f = static_cast<FutureState*>(future);
  if (!host(ctx).scheduler->wait_for(f, timeout)) raise(*ctx, loc, timed_out(timeout, f));
  return settle(ctx, f, loc);
}

int64_t wf_cancel(wf_ctx* ctx, void* future) { return host(ctx).scheduler->cancel(static_cast<FutureState*>(future)); }

int64_t wf_wait_any(wf_ctx* ctx, wf_array* futures, int64_t loc) {
  if (futures->len == 0) raise(*ctx, loc, "`wait_any` of no futures would wait forever");
  std::vector<FutureState*> fs;
  for (int64_t i = 0; i < futures->len; ++i) fs.push_back(slot_ptr<FutureState>(futures->data[i]));
  return (int64_t)host(ctx).scheduler->wait_any(fs);
}

wf_array* wf_wait_within(wf_ctx* ctx, wf_array* futures, int64_t loc, double timeout) {
  double deadline = wf_now() + timeout;
  for (int64_t i = 0; i < futures->len; ++i) {
    auto* f = slot_ptr<FutureState>(futures->data[i]);
    if (!host(ctx).scheduler->wait_for(f, deadline - wf_now())) raise(*ctx, loc, timed_out(timeout, f));
  }
  return wf_wait(ctx, futures, loc);
}

uint64_t wf_result(wf_ctx* ctx, void* future, int64_t loc) { return settle(ctx, static_cast<FutureState*>(future), loc); }

int64_t wf_done(wf_ctx*, void* future) { return Scheduler::is_done(static_cast<FutureState*>(future)); }

// The default pool's size (LANGUAGE.md §19): `--workers`, or the number of cores.
int64_t wf_workers(wf_ctx* ctx) {
  int w = host(ctx).pool_defaults.workers;
  return w > 0 ? w : (int64_t)std::max(1u, std::thread::hardware_concurrency());
}

wf_str* wf_error(wf_ctx* ctx, void* future) {
  auto* f = static_cast<FutureState*>(future);
  host(ctx).scheduler->wait(f);
  if (f->state.load(std::memory_order_acquire) == FutureState::Failed) return make_str(*ctx, f->error->message);
  return make_str(*ctx, "");
}

}  // extern "C"

namespace {

// Why `map` failed: a task's error, or a message of its own.
struct MapFailure {
  const RuntimeError* task_error = nullptr;  // owned by its future
  std::string message;
};

// The C++ side of `map`, with every object that has a destructor. It returns on failure
// instead of raising: raising longjmps past destructors, so wf_map raises only once this
// frame is gone (a sanitizer build would report each skipped buffer as a leak).
WfArray* run_map(wf_ctx* ctx, void* pool, int64_t fn, wf_array* items, int64_t chunk, int64_t star, Resources resources,
                 bool ordered, MapFailure& failure) {
  const wf::ManifestFunction& f = ctx->manifest->functions[(size_t)fn];
  std::string tuple_desc = "(";
  for (auto& p : f.params) tuple_desc += p.type;
  tuple_desc += ")";
  const char* param = f.params[0].type.c_str();
  if (chunk != wf::kAbiOptionAbsent && chunk < 1) {
    failure.message = "`chunk=" + std::to_string(chunk) + "`: a map sends at least 1 item per message";
    return nullptr;
  }
  // Encode the calls straight into their batches: [[args...], ...] per `chunk` items.
  size_t per_batch = chunk == wf::kAbiOptionAbsent ? 1 : (size_t)chunk;
  std::vector<std::string> batches;
  batches.reserve(((size_t)items->len + per_batch - 1) / per_batch);
  for (size_t begin = 0; begin < (size_t)items->len; begin += per_batch) {
    size_t end = std::min((size_t)items->len, begin + per_batch);
    BatchWriter batch(end - begin, 16 * (end - begin) + 8);
    for (size_t i = begin; i < end; ++i) {
      if (star) {
        pack_value(batch.buffer(), tuple_desc.c_str(), items->data[i]);  // a tuple encodes as its fields: the argument list
      } else {
        batch.begin_call(1);
        pack_value(batch.buffer(), param, items->data[i]);
      }
    }
    batches.push_back(batch.finish());
  }
  std::vector<FutureState*> futures =
      host(ctx).scheduler->submit_batches(pool_of(ctx, pool), host(ctx).task_function((int32_t)fn), std::move(batches), resources);
  Progress progress(host(ctx), f.name, (size_t)items->len);
  WfArray* out = make_array(*ctx, items->len);
  int64_t filled = 0;
  // ordered=false: batches are read in the order they finish (LANGUAGE.md §17).
  std::vector<size_t> order;
  if (!ordered) {
    std::vector<FutureState*> pending = futures;
    std::vector<size_t> index(futures.size());
    for (size_t i = 0; i < index.size(); ++i) index[i] = i;
    while (!pending.empty()) {
      host(ctx).scheduler->wait_any(pending);  // then take every batch done by now, in order
      size_t kept = 0;
      for (size_t i = 0; i < pending.size(); ++i) {
        if (Scheduler::is_done(pending[i])) {
          order.push_back(index[i]);
        } else {
          pending[kept] = pending[i];
          index[kept++] = index[i];
        }
      }
      pending.resize(kept);
      index.resize(kept);
    }
  }
  for (size_t step = 0; step < futures.size(); ++step) {
    size_t b = ordered ? step : order[step];
    FutureState* batch = futures[b];
    // Sleep until a batch some way ahead is done, not the very next one: results arrive
    // roughly in order, and waking the flow for each would take the cores from the workers.
    if (!Scheduler::is_done(batch)) {
      size_t ahead = std::min(futures.size() - 1, b + std::max<size_t>(1, std::min<size_t>(64, futures.size() / 16)));
      host(ctx).scheduler->wait(futures[ahead], /*spin=*/false);
      host(ctx).scheduler->wait(batch, /*spin=*/false);
    }
    if (batch->state.load(std::memory_order_acquire) == FutureState::Failed) {
      failure.task_error = batch->error.get();
      return nullptr;
    }
    thread_local msgpack::zone zone;
    msgpack::object results;
    bool ok = read_batch(zone, batch->value, results) && filled + results.via.array.size <= out->len;
    for (uint32_t i = 0; ok && i < results.via.array.size; ++i)
      ok = unpack_value(*ctx, f.result.c_str(), results.via.array.ptr[i], out->data[filled++]);
    if (!ok) {
      failure.message = "a task of `" + f.name + "` returned malformed results";
      return nullptr;
    }
    batch->value = std::string();  // decoded: the bytes are no longer needed
    progress.update((size_t)filled);
  }
  return out;
}

}  // namespace

extern "C" {

wf_array* wf_map(wf_ctx* ctx, void* pool, int64_t fn, wf_array* items, int64_t chunk, int64_t star, int64_t loc,
                 int64_t ranks, int64_t threads, int64_t ordered) {
  Resources resources = checked_resources(ctx, loc, ranks, threads);  // may raise: before any C++ object
  MapFailure failure;
  WfArray* out = run_map(ctx, pool, fn, items, chunk, star, resources, ordered != 0, failure);
  if (failure.task_error) raise_task_error(*ctx, loc, *failure.task_error);
  if (!failure.message.empty()) raise(*ctx, loc, std::move(failure.message));
  return out;
}

wf_array* wf_wait(wf_ctx* ctx, wf_array* futures, int64_t loc) {
  WfArray* out = make_array(*ctx, futures->len);
  for (int64_t i = 0; i < futures->len; ++i) out->data[i] = settle(ctx, slot_ptr<FutureState>(futures->data[i]), loc);
  return out;
}

void* wf_pool(wf_ctx* ctx, int64_t workers, wf_str* cwd, int64_t oversubscribe, wf_str* cache, int64_t cache_errors,
              int64_t loc) {
  PoolOptions options = host(ctx).pool_defaults;
  if (workers != wf::kAbiOptionAbsent) {
    if (workers < 1 || workers > (1 << 20))
      raise(*ctx, loc, "`pool(workers=" + std::to_string(workers) + ")`: a pool has 1 to 1048576 workers");
    options.workers = (int)workers;
  }
  if (cwd) options.cwd = std::string(cwd->view());
  if (oversubscribe >= 0) options.oversubscribe = oversubscribe != 0;
  if (cache) options.cache = std::string(cache->view());
  if (cache_errors >= 0) options.cache_errors = cache_errors != 0;
  return host(ctx).scheduler->make_pool(std::move(options));
}

void wf_pool_hold(wf_ctx* ctx, void* pool) {
  if (pool) host(ctx).scheduler->hold(static_cast<Pool*>(pool));
}

void wf_pool_release(wf_ctx* ctx, void* pool) {
  if (pool) host(ctx).scheduler->release(static_cast<Pool*>(pool));
}

void wf_cell_keep(wf_ctx* ctx, int64_t variable, const char* desc, uint64_t value) {
  if (CellValues* cell = host(ctx).cell) cell->keep((int)variable, desc, value);
}

}  // extern "C"
