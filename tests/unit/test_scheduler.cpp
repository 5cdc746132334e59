// The scheduler's contract, with an executor that records what it is given and completes
// batches when the test says so: held dataflow tasks go out the moment their inputs are
// ready, failures propagate to dependents with the input named, batches map to futures.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "driver/scheduler.hpp"
#include "value_codec.hpp"

using namespace wf::detail;

namespace {

class RecordingExecutor : public Executor {
 public:
  void dispatch(Batch&& b) override {
    std::lock_guard<std::mutex> lock(mutex);
    batches.push_back(std::move(b));
  }
  void shutdown() override {}
  // Nothing this executor was given has started: cancel() takes it out and reports it.
  bool cancel(uint64_t id) override {
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = std::find_if(batches.begin(), batches.end(), [&](const Batch& b) { return b.id == id; });
      if (it == batches.end()) return false;
      batches.erase(it);
    }
    BatchOutcome o;
    o.id = id;
    o.ok = false;
    o.failed_item = 0;
    o.error.message = "cancelled";
    on_complete(std::move(o));
    return true;
  }
  CompletionFn on_complete;
  std::mutex mutex;
  std::vector<Batch> batches;
};

wf::Manifest test_manifest() {
  wf::Manifest m;
  m.compiler = wf::kCompilerVersion;
  wf::ManifestFunction inc;
  inc.name = "inc";
  inc.kind = "fn";
  inc.params = {{"x", "i"}};
  inc.result = "i";
  wf::ManifestFunction add = inc;
  add.name = "add";
  add.params = {{"a", "i"}, {"b", "i"}};
  m.functions = {inc, add};
  return m;
}

std::string int_bytes(int64_t v) { return encode_value("i", (Slot)v); }

// [[a, b, ...]]: the items of a batch of one call with int arguments.
std::string call_items(std::vector<int64_t> args) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(1);
  pk.pack_array((uint32_t)args.size());
  for (int64_t a : args) pk.pack_int64(a);
  return std::string(buf.data(), buf.size());
}

std::string results_of(std::vector<int64_t> values) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array((uint32_t)values.size());
  for (int64_t v : values) pk.pack_int64(v);
  return std::string(buf.data(), buf.size());
}

// The functions of one made-up program (id 0).
struct OneManifest : FunctionTable {
  explicit OneManifest(const wf::Manifest& m) : manifest(m) {}
  const wf::ManifestFunction& function(FunctionId f) const override { return manifest.functions.at((size_t)f.fn); }
  const wf::Manifest& manifest;
};

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest()
      : manifest(test_manifest()),
        functions(manifest),
        scheduler(functions, PoolOptions{}, [this](const PoolOptions&, CompletionFn done) {
          complete = done;
          auto e = std::make_unique<RecordingExecutor>();
          e->on_complete = std::move(done);
          executor = e.get();
          return e;
        }) {}

  size_t dispatched() {
    if (!executor) return 0;
    std::lock_guard<std::mutex> lock(executor->mutex);
    return executor->batches.size();
  }
  Batch batch(size_t i) {
    std::lock_guard<std::mutex> lock(executor->mutex);
    return executor->batches.at(i);
  }
  void succeed(const Batch& b, std::vector<int64_t> values) {
    BatchOutcome o;
    o.id = b.id;
    o.results = results_of(values);
    complete(std::move(o));
  }
  void fail(const Batch& b, const std::string& message) {
    BatchOutcome o;
    o.id = b.id;
    o.ok = false;
    o.failed_item = 0;
    o.error.message = message;
    o.error.task = "in task inc(1) on worker 0";
    complete(std::move(o));
  }
  int64_t value_of(FutureState* f) {
    Context ctx(&manifest);
    Slot v = 0;
    EXPECT_TRUE(decode_value(ctx, "i", f->value, v));
    return (int64_t)v;
  }

  wf::Manifest manifest;
  OneManifest functions;
  RecordingExecutor* executor = nullptr;
  CompletionFn complete;
  Scheduler scheduler;
};

}  // namespace

TEST_F(SchedulerTest, CancelOfAHeldTaskFailsItAndItsDependentsWithoutDispatching) {
  FutureState* a = scheduler.submit(scheduler.default_pool(), {0, 0}, {int_bytes(1)}, {nullptr});
  FutureState* b = scheduler.submit(scheduler.default_pool(), {0, 0}, {""}, {a});
  FutureState* c = scheduler.submit(scheduler.default_pool(), {0, 1}, {"", int_bytes(2)}, {b, nullptr});
  ASSERT_EQ(dispatched(), 1u);  // only `a`: b waits for a, c for b
  EXPECT_TRUE(scheduler.cancel(b));
  ASSERT_EQ(b->state.load(), FutureState::Failed);
  EXPECT_EQ(b->error->message, "cancelled");
  ASSERT_EQ(c->state.load(), FutureState::Failed);
  EXPECT_NE(c->error->message.find("cancelled"), std::string::npos) << c->error->message;
  EXPECT_NE(c->error->message.find("argument 1"), std::string::npos) << c->error->message;
  EXPECT_FALSE(scheduler.cancel(b));  // already cancelled
  succeed(batch(0), {2});
  EXPECT_EQ(value_of(a), 2);
  EXPECT_FALSE(scheduler.cancel(a));  // done
  EXPECT_EQ(dispatched(), 1u);
}

TEST_F(SchedulerTest, CancelOfADispatchedTaskAsksItsExecutor) {
  FutureState* a = scheduler.submit(scheduler.default_pool(), {0, 0}, {int_bytes(1)}, {nullptr});
  FutureState* b = scheduler.submit(scheduler.default_pool(), {0, 0}, {""}, {a});
  ASSERT_EQ(dispatched(), 1u);
  EXPECT_TRUE(scheduler.cancel(a));  // the recording executor has not started it
  EXPECT_EQ(a->error->message, "cancelled");
  ASSERT_EQ(b->state.load(), FutureState::Failed);  // its dependent, never dispatched
  EXPECT_EQ(dispatched(), 0u);
}

TEST_F(SchedulerTest, ReadyTaskIsDispatchedAtOnceAsABatchOfOne) {
  FutureState* f = scheduler.submit(scheduler.default_pool(), {0, 0}, {int_bytes(41)}, {nullptr});
  ASSERT_EQ(dispatched(), 1u);
  Batch b = batch(0);
  EXPECT_EQ(b.fn, 0);
  EXPECT_EQ(b.items, call_items({41}));
  EXPECT_FALSE(Scheduler::is_done(f));
  succeed(b, {42});
  ASSERT_TRUE(Scheduler::is_done(f));
  EXPECT_EQ(f->state.load(), FutureState::Done);
  EXPECT_EQ(value_of(f), 42);
}

TEST_F(SchedulerTest, DependentTaskWaitsForItsInputThenGetsItsValue) {
  FutureState* a = scheduler.submit(scheduler.default_pool(), {0, 0}, {int_bytes(1)}, {nullptr});
  FutureState* b = scheduler.submit(scheduler.default_pool(), {0, 1}, {"", int_bytes(10)}, {a, nullptr});
  EXPECT_EQ(dispatched(), 1u) << "the dependent is held until its input completes";
  succeed(batch(0), {2});
  ASSERT_EQ(dispatched(), 2u);
  EXPECT_EQ(batch(1).fn, 1);
  EXPECT_EQ(batch(1).items, call_items({2, 10}));
  EXPECT_FALSE(Scheduler::is_done(b));
  succeed(batch(1), {12});
  EXPECT_EQ(value_of(b), 12);
}

TEST_F(SchedulerTest, InputAlreadyDoneIsSplicedWithoutHolding) {
  FutureState* a = scheduler.submit(scheduler.default_pool(), {0, 0}, {int_bytes(1)}, {nullptr});
  succeed(batch(0), {7});
  scheduler.submit(scheduler.default_pool(), {0, 0}, {""}, {a});
  ASSERT_EQ(dispatched(), 2u);
  EXPECT_EQ(batch(1).items, call_items({7}));
}

TEST_F(SchedulerTest, FailedInputFailsTheDependentAndNamesTheArgument) {
  FutureState* a = scheduler.submit(scheduler.default_pool(), {0, 0}, {int_bytes(1)}, {nullptr});
  FutureState* b = scheduler.submit(scheduler.default_pool(), {0, 1}, {int_bytes(5), ""}, {nullptr, a});
  FutureState* c = scheduler.submit(scheduler.default_pool(), {0, 0}, {""}, {b});
  fail(batch(0), "boom");
  EXPECT_EQ(dispatched(), 1u) << "nothing that depends on a failure runs";
  ASSERT_EQ(b->state.load(), FutureState::Failed);
  EXPECT_EQ(b->error->message, "argument 2 of `add` failed: boom");
  EXPECT_EQ(b->error->task, "in task inc(1) on worker 0");
  ASSERT_EQ(c->state.load(), FutureState::Failed);
  EXPECT_EQ(c->error->message, "argument 1 of `inc` failed: argument 2 of `add` failed: boom");
}

TEST_F(SchedulerTest, BatchesGetOneFutureEachWithTheWholeResultArray) {
  std::vector<std::string> batches = {"b0", "b1", "b2"};
  std::vector<FutureState*> fs = scheduler.submit_batches(scheduler.default_pool(), {0, 0}, batches);
  ASSERT_EQ(fs.size(), 3u);
  ASSERT_EQ(dispatched(), 3u);
  EXPECT_EQ(batch(2).items, "b2");
  succeed(batch(1), {3, 4});
  EXPECT_TRUE(Scheduler::is_done(fs[1]));
  EXPECT_FALSE(Scheduler::is_done(fs[0]));
  EXPECT_EQ(fs[1]->value, results_of({3, 4}));
}

TEST_F(SchedulerTest, MalformedSingleResultFailsTheFuture) {
  FutureState* f = scheduler.submit(scheduler.default_pool(), {0, 0}, {int_bytes(1)}, {nullptr});
  BatchOutcome o;
  o.id = batch(0).id;
  o.results = "\xc1";  // never used in msgpack
  complete(std::move(o));
  ASSERT_EQ(f->state.load(), FutureState::Failed);
  EXPECT_NE(f->error->message.find("malformed"), std::string::npos);
}

TEST_F(SchedulerTest, LateOrDuplicateOutcomesAreIgnored) {
  FutureState* f = scheduler.submit(scheduler.default_pool(), {0, 0}, {int_bytes(1)}, {nullptr});
  Batch b = batch(0);
  succeed(b, {2});
  fail(b, "too late");
  BatchOutcome unknown;
  unknown.id = 987654;
  complete(std::move(unknown));
  EXPECT_EQ(f->state.load(), FutureState::Done);
  EXPECT_EQ(value_of(f), 2);
}

TEST_F(SchedulerTest, WaitWakesWhenAnotherThreadCompletes) {
  FutureState* f = scheduler.submit(scheduler.default_pool(), {0, 0}, {int_bytes(1)}, {nullptr});
  Batch b = batch(0);
  std::thread worker([&] { succeed(b, {2}); });
  scheduler.wait(f);
  worker.join();
  EXPECT_EQ(value_of(f), 2);
}

TEST_F(SchedulerTest, ShutdownFailsEverythingPending) {
  FutureState* running = scheduler.submit(scheduler.default_pool(), {0, 0}, {int_bytes(1)}, {nullptr});
  FutureState* held = scheduler.submit(scheduler.default_pool(), {0, 0}, {""}, {running});
  scheduler.shutdown();
  EXPECT_EQ(running->state.load(), FutureState::Failed);
  EXPECT_EQ(held->state.load(), FutureState::Failed);
  FutureState* after = scheduler.submit(scheduler.default_pool(), {0, 0}, {int_bytes(1)}, {nullptr});
  EXPECT_EQ(after->state.load(), FutureState::Failed);
}
