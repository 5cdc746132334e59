// The design notes for this module are atop caching_executor.hpp.
#include "driver/caching_executor.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>

#include "cache/cache_store.hpp"
#include "driver/program_set.hpp"
#include "driver/run_trace.hpp"
#include "jit/loader.hpp"
#include "log.hpp"
#include "machine.hpp"
#include "protocol/batch.hpp"

namespace wf::detail {

namespace {

void warn(const std::string& text) { log_always("wf: cache: %s", text.c_str()); }

// Every function cache of the process, by directory and identity: pools sharing a directory
// share its caches (one log per function and process).
class CacheRegistry {
 public:
  static CacheRegistry& instance() {
    static CacheRegistry r;
    return r;
  }
  // Null when the function cannot be cached (no identity: built by an older wfc) or its
  // directory cannot be used; said once.
  FunctionCache* get(const std::string& dir, const ManifestFunction& f) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto key = std::make_pair(dir, f.name + "-" + f.identity);
    auto it = caches_.find(key);
    if (it != caches_.end()) return it->second.get();
    std::unique_ptr<FunctionCache> c;
    if (f.identity.empty()) {
      warn("`" + f.name + "` has no compiled identity (an object from an older wfc); its tasks are not cached");
    } else {
      CacheFunction meta;
      meta.name = f.name;
      meta.identity = f.identity;
      meta.result = f.result;
      for (auto& p : f.params) meta.params.emplace_back(p.name, p.type);
      c = FunctionCache::open(cache_root(dir), meta, warn);
    }
    return (caches_[key] = std::move(c)).get();
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<FunctionCache>> caches_;
};

// What a batch sent on to the pool needs when it comes back.
struct Sent {
  FunctionCache* cache;
  int32_t ranks, threads;
  std::string items;                   // the original batch's calls
  std::vector<std::string> found;      // per call: the cached result, or empty (none found: empty)
  std::vector<uint32_t> sent;          // which calls went to the pool, in order (all: empty)
  size_t ran(size_t calls) const { return sent.empty() ? calls : sent.size(); }
  size_t call(size_t i) const { return sent.empty() ? i : sent[i]; }  // the i-th call that ran
};

// Shared by the executor and the inner executor's completion callback (which may outlive a
// dispatch that is still returning).
struct CacheState {
  const ProgramSet& programs;
  PoolOptions options;
  CompletionFn on_complete;
  std::mutex mutex;
  std::unordered_map<uint64_t, Sent> sent;

  CacheState(const ProgramSet& p, PoolOptions o, CompletionFn done)
      : programs(p), options(std::move(o)), on_complete(std::move(done)) {}

  // Outcomes whose entries wait for the end of their burst to be written (then they are
  // passed on), and the caches those entries go to.
  std::vector<BatchOutcome> ready;
  std::vector<FunctionCache*> dirty;

  // From the pool: a batch's outcome, or the end of a burst (kEndOfBurst).
  void finished(BatchOutcome&& outcome) {
    if (outcome.id == kEndOfBurst) return flush();
    Sent s;
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = sent.find(outcome.id);
      if (it == sent.end()) {
        on_complete(std::move(outcome));
        return;
      }
      s = std::move(it->second);
      sent.erase(it);
    }
    if (!merge(s, outcome)) return on_complete(std::move(outcome));
    std::lock_guard<std::mutex> lock(mutex);
    if (std::find(dirty.begin(), dirty.end(), s.cache) == dirty.end()) dirty.push_back(s.cache);
    ready.push_back(std::move(outcome));
  }

  // Writes what the burst stored, then passes its outcomes on.
  void flush() {
    std::vector<BatchOutcome> out;
    std::vector<FunctionCache*> caches;
    {
      std::lock_guard<std::mutex> lock(mutex);
      out.swap(ready);
      caches.swap(dirty);
    }
    for (FunctionCache* c : caches) c->flush();
    for (BatchOutcome& o : out) on_complete(std::move(o));
  }

  // Puts the cached calls back into a batch's outcome (in call order) and gathers entries for
  // the calls that ran; false if there is nothing to store.
  bool merge(const Sent& s, BatchOutcome& outcome) {
    std::vector<std::string_view> calls, results;
    split_batch(s.items, calls);
    if (outcome.ok && split_batch(outcome.results, results) && results.size() == s.ran(calls.size())) {
      for (size_t i = 0; i < results.size(); ++i) s.cache->append(s.ranks, s.threads, calls[s.call(i)], results[i]);
      if (!s.sent.empty()) {
        std::vector<std::string_view> all(calls.size());
        for (size_t i = 0; i < calls.size(); ++i) all[i] = s.found[i];
        for (size_t i = 0; i < results.size(); ++i) all[s.call(i)] = results[i];
        outcome.results = join_batch(all);
      }
      return !results.empty();
    }
    if (!outcome.ok && outcome.failed_item >= 0 && (size_t)outcome.failed_item < s.ran(calls.size())) {
      size_t call = s.call((size_t)outcome.failed_item);
      outcome.failed_item = (int32_t)call;
      // Only what the task's own code raised (it has frames): a dead worker, a cancel or a
      // refused batch says nothing about the function and its arguments.
      if (options.cache_errors && calls.size() == 1 && !outcome.error.frames.empty()) {
        s.cache->append_error(s.ranks, s.threads, calls[call], outcome.error);
        return true;
      }
    }
    return false;
  }
};

class CachingExecutor : public Executor {
 public:
  CachingExecutor(std::shared_ptr<CacheState> state, std::unique_ptr<Executor> inner)
      : state_(std::move(state)), inner_(std::move(inner)) {}

  void dispatch(Batch&& batch) override {
    FunctionCache* cache = cache_of(batch);
    std::vector<std::string_view> calls;
    if (!cache || !split_batch(batch.items, calls)) return inner_->dispatch(std::move(batch));
    Sent s{cache, batch.ranks, batch.threads, {}, {}, {}};
    std::vector<uint32_t> missing;
    CacheEntry e;
    for (size_t i = 0; i < calls.size(); ++i) {
      if (!cache->find(batch.ranks, batch.threads, calls[i], e) || (!e.ok && !state_->options.cache_errors)) {
        missing.push_back((uint32_t)i);  // not known, or a stored failure this pool does not take
        continue;
      }
      if (!e.ok && calls.size() == 1) {  // a failure, known
        BatchOutcome out;
        out.id = batch.id;
        out.ok = false;
        out.failed_item = 0;
        out.worker = -1;
        out.error = std::move(e.error);
        return deliver(std::move(out));
      }
      if (!e.ok) {
        missing.push_back((uint32_t)i);  // a chunk runs again as a whole where a call failed
        continue;
      }
      if (s.found.empty()) s.found.resize(calls.size());
      s.found[i] = std::move(e.value);
    }
    if (missing.empty()) {
      BatchOutcome out;
      out.id = batch.id;
      out.worker = -1;
      out.results = join_batch(std::vector<std::string_view>(s.found.begin(), s.found.end()));
      if (RunTrace* trace = RunTrace::active())
        trace->instant({-1, -1, "cache hit", state_->programs.function({batch.program, batch.fn}).name +
                                                 " (" + std::to_string(calls.size()) + " call" + (calls.size() == 1 ? ")" : "s)"),
                        now_seconds()});
      return deliver(std::move(out));
    }
    s.items = batch.items;
    if (missing.size() < calls.size()) {
      std::vector<std::string_view> rest;
      for (uint32_t i : missing) rest.push_back(calls[i]);
      batch.items = join_batch(rest);
      s.sent = std::move(missing);
      s.found.resize(calls.size());
    }
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->sent.emplace(batch.id, std::move(s));
    }
    inner_->dispatch(std::move(batch));
  }

  void shutdown() override {
    inner_->shutdown();
    state_->flush();  // outcomes of a last burst whose end never came
  }
  bool cancel(uint64_t id) override { return inner_->cancel(id); }

 private:
  // Completes from the cache; see the header on why completions queue on this thread.
  void deliver(BatchOutcome&& out) {
    thread_local bool delivering = false;
    thread_local std::deque<std::pair<CacheState*, BatchOutcome>> queued;
    queued.emplace_back(state_.get(), std::move(out));
    if (delivering) return;
    delivering = true;
    while (!queued.empty()) {
      auto [state, next] = std::move(queued.front());
      queued.pop_front();
      state->on_complete(std::move(next));
    }
    delivering = false;
  }

  // The function's cache, looked up in the registry once per function.
  FunctionCache* cache_of(const Batch& b) {
    uint64_t key = (uint64_t)(uint32_t)b.program << 32 | (uint32_t)b.fn;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = caches_.find(key);
    if (it != caches_.end()) return it->second;
    const ManifestFunction& f = state_->programs.function({b.program, b.fn});
    return caches_[key] = CacheRegistry::instance().get(state_->options.cache, f);
  }

  std::shared_ptr<CacheState> state_;
  std::unique_ptr<Executor> inner_;
  std::mutex mutex_;
  std::unordered_map<uint64_t, FunctionCache*> caches_;
};

}  // namespace

ExecutorFactory with_result_cache(const ProgramSet& programs, ExecutorFactory factory) {
  return [&programs, factory = std::move(factory)](const PoolOptions& options, CompletionFn done) {
    if (options.cache.empty()) return factory(options, std::move(done));
    auto state = std::make_shared<CacheState>(programs, options, std::move(done));
    std::unique_ptr<Executor> inner = factory(options, [state](BatchOutcome&& o) { state->finished(std::move(o)); });
    return std::unique_ptr<Executor>(new CachingExecutor(state, std::move(inner)));
  };
}

}  // namespace wf::detail
