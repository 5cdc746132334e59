// The design notes for this module are atop caching_executor.hpp.
#include "driver/caching_executor.hpp"

#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>

#include "cache/cache_store.hpp"
#include "driver/program_set.hpp"
#include "jit/loader.hpp"
#include "log.hpp"
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
  std::vector<std::string> found;      // per call: the cached result, or empty
  std::vector<size_t> sent;            // which calls went to the pool, in order
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

  // The pool's outcome of a batch that went through dispatch(): stored, then completed with
  // the cached calls put back in.
  void finished(BatchOutcome&& outcome) {
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
    std::vector<std::string_view> calls, results;
    split_batch(s.items, calls);
    if (outcome.ok && split_batch(outcome.results, results) && results.size() == s.sent.size()) {
      std::vector<CacheEntry> entries(results.size());
      for (size_t i = 0; i < results.size(); ++i) {
        entries[i].ranks = s.ranks, entries[i].threads = s.threads;
        entries[i].args.assign(calls[s.sent[i]]);
        entries[i].value.assign(results[i]);
      }
      s.cache->store(std::move(entries));
      if (s.sent.size() < calls.size()) {
        std::vector<std::string_view> all(calls.size());
        for (size_t i = 0; i < calls.size(); ++i) all[i] = s.found[i];
        for (size_t i = 0; i < results.size(); ++i) all[s.sent[i]] = results[i];
        outcome.results = join_batch(all);
      }
    } else if (!outcome.ok) {
      if (outcome.failed_item >= 0 && (size_t)outcome.failed_item < s.sent.size()) {
        size_t call = s.sent[(size_t)outcome.failed_item];
        if (options.cache_errors && calls.size() == 1) {
          CacheEntry e;
          e.ranks = s.ranks, e.threads = s.threads, e.ok = false;
          e.args.assign(calls[call]);
          e.error.message = outcome.error.message;
          e.error.frames = outcome.error.frames;
          s.cache->store({std::move(e)});
        }
        outcome.failed_item = (int32_t)call;
      }
    }
    on_complete(std::move(outcome));
  }
};

class CachingExecutor : public Executor {
 public:
  CachingExecutor(std::shared_ptr<CacheState> state, std::unique_ptr<Executor> inner)
      : state_(std::move(state)), inner_(std::move(inner)) {}

  void dispatch(Batch&& batch) override {
    const ManifestFunction& f = state_->programs.function({batch.program, batch.fn});
    FunctionCache* cache = CacheRegistry::instance().get(state_->options.cache, f);
    std::vector<std::string_view> calls;
    if (!cache || !split_batch(batch.items, calls)) return inner_->dispatch(std::move(batch));
    Sent s{cache, batch.ranks, batch.threads, {}, std::vector<std::string>(calls.size()), {}};
    for (size_t i = 0; i < calls.size(); ++i) {
      const CacheEntry* e = cache->find(batch.ranks, batch.threads, calls[i]);
      if (e && !e->ok && state_->options.cache_errors && calls.size() == 1) {  // a failure, known
        BatchOutcome out;
        out.id = batch.id;
        out.ok = false;
        out.failed_item = 0;
        out.worker = -1;
        out.error.message = e->error.message;
        out.error.frames = e->error.frames;
        return deliver(std::move(out));
      }
      if (e && e->ok) s.found[i] = e->value;
      else s.sent.push_back(i);  // not known, or a stored failure this pool does not take
    }
    if (s.sent.empty()) {
      BatchOutcome out;
      out.id = batch.id;
      out.worker = -1;
      out.results = join_batch(std::vector<std::string_view>(s.found.begin(), s.found.end()));
      return deliver(std::move(out));
    }
    if (s.sent.size() < calls.size()) {
      std::vector<std::string_view> rest;
      for (size_t i : s.sent) rest.push_back(calls[i]);
      s.items = batch.items;
      batch.items = join_batch(rest);
    } else {
      s.items = batch.items;
    }
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->sent.emplace(batch.id, std::move(s));
    }
    inner_->dispatch(std::move(batch));
  }

  void shutdown() override { inner_->shutdown(); }
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

  std::shared_ptr<CacheState> state_;
  std::unique_ptr<Executor> inner_;
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
