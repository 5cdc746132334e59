// An executor whose workers are threads of the driver process. It runs tasks exactly as a
// worker process would (same run_batch), but shares the driver's address space, working
// directory and fate: a `cwd=` pool or a crashing task needs worker processes. It has no MPI:
// a task of an `mpi(ranks=N)` function with N > 1, and every task of a `cwd=` pool, fail with
// a message that names the launcher to use instead of running somewhere else than asked.
#include <condition_variable>
#include <deque>
#include <algorithm>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "driver/executor.hpp"
#include "driver/program_set.hpp"

namespace wf::detail {

namespace {

class InProcessExecutor : public Executor {
 public:
  InProcessExecutor(const ProgramSet& programs, const PoolOptions& options, CompletionFn on_complete)
      : programs_(programs), on_complete_(std::move(on_complete)) {
    if (!options.cwd.empty())
      refusal_ = "`pool(cwd=\"" + options.cwd +
                 "\")` needs worker processes; the inprocess launcher runs tasks in the driver's directory: "
                 "use `--launcher local` or `mpirun`";
    int n = options.workers > 0 ? options.workers : 1;
    for (int i = 0; i < n; ++i) threads_.emplace_back([this, i] { work(i); });
  }
  ~InProcessExecutor() override { shutdown(); }

  void dispatch(Batch&& batch) override {
    std::string why = refusal_;
    if (why.empty() && batch.ranks > 1)
      why = "`" + programs_.function({batch.program, batch.fn}).name + "` needs " + std::to_string(batch.ranks) +
            " MPI ranks; the inprocess launcher runs every task on one thread: use `--launcher mpirun`";
    if (!why.empty()) {
      BatchOutcome out;
      out.id = batch.id;
      out.ok = false;
      out.failed_item = 0;
      out.error.message = why;
      on_complete_(std::move(out));
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(batch));
    }
    cv_.notify_one();
  }

  bool cancel(uint64_t id) override {
    Batch taken;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = std::find_if(queue_.begin(), queue_.end(), [&](const Batch& b) { return b.id == id; });
      if (it == queue_.end()) return false;  // running or done
      taken = std::move(*it);
      queue_.erase(it);
    }
    BatchOutcome out;
    out.id = taken.id;
    out.ok = false;
    out.failed_item = 0;
    out.error.message = "cancelled";
    on_complete_(std::move(out));
    return true;
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void work(int worker) {
    std::map<int32_t, std::unique_ptr<Context>> contexts;  // one per program: its manifest names frames
    while (true) {
      Batch batch;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
      }
      const LoadedProgram& program = programs_.program(batch.program);
      std::unique_ptr<Context>& ctx = contexts[batch.program];
      if (!ctx) ctx = std::make_unique<Context>(&program.manifest());
      BatchOutcome out = run_batch(program, *ctx, batch.fn, batch.items, worker);
      out.id = batch.id;
      on_complete_(std::move(out));
      on_complete_(BatchOutcome{});  // kEndOfBurst: each batch is a burst of its own here
    }
  }

  const ProgramSet& programs_;
  CompletionFn on_complete_;
  std::string refusal_;  // why every batch fails, when the pool asks for what threads cannot do
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

std::unique_ptr<Executor> make_inprocess_executor(const ProgramSet& programs, const PoolOptions& options,
                                                  CompletionFn on_complete) {
  return std::make_unique<InProcessExecutor>(programs, options, std::move(on_complete));
}

}  // namespace wf::detail
