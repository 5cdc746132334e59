// An executor whose workers are threads of the driver process. It runs tasks exactly as a
// worker process would (same run_batch), but shares the driver's address space, working
// directory and fate: a `cwd=` pool or a crashing task needs worker processes.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "driver/executor.hpp"

namespace wf::detail {

namespace {

class InProcessExecutor : public Executor {
 public:
  InProcessExecutor(const LoadedProgram& program, const PoolOptions& options, CompletionFn on_complete)
      : program_(program), on_complete_(std::move(on_complete)) {
    int n = options.workers > 0 ? options.workers : 1;
    for (int i = 0; i < n; ++i) threads_.emplace_back([this, i] { work(i); });
  }
  ~InProcessExecutor() override { shutdown(); }

  void dispatch(Batch&& batch) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(batch));
    }
    cv_.notify_one();
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
    Context ctx(&program_.manifest());
    while (true) {
      Batch batch;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
      }
      BatchOutcome out = run_batch(program_, ctx, batch.fn, batch.items, worker);
      out.id = batch.id;
      on_complete_(std::move(out));
    }
  }

  const LoadedProgram& program_;
  CompletionFn on_complete_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

std::unique_ptr<Executor> make_inprocess_executor(const LoadedProgram& program, const PoolOptions& options,
                                                  CompletionFn on_complete) {
  return std::make_unique<InProcessExecutor>(program, options, std::move(on_complete));
}

}  // namespace wf::detail
