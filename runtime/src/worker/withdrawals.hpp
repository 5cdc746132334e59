// The driver's steal-back on the worker's side (driver/placement.hpp): which of the tasks sent
// to this worker it asked not to start, decided so that a task runs exactly once.
//
// Two threads meet here. The heartbeat thread reads Withdraw messages, also while the main
// thread is deep in a long task, and must answer at once; the main thread takes tasks in the
// order the driver sent them (`seq`, numbered per worker). A withdrawal succeeds only for a
// task the main thread has not reached yet; the main thread then skips it. One mutex makes
// "reached" and "withdrawn" exclusive: a task is either started (withdraw fails, its result
// will come) or withdrawn (starting reports it, and it is skipped), never both, never neither.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_set>

namespace wf::detail {

class Withdrawals {
 public:
  // Heartbeat thread: true if task `seq` has not been reached and now never will be.
  bool withdraw(uint64_t seq) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (seq < reached_) return false;
    withdrawn_.insert(seq);
    return true;
  }

  // Main thread, before task `seq` (tasks come in increasing `seq`): true if it was withdrawn
  // and must be skipped.
  bool skip(uint64_t seq) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (seq >= reached_) reached_ = seq + 1;
    return withdrawn_.erase(seq) > 0;
  }

 private:
  std::mutex mutex_;
  uint64_t reached_ = 0;                  // every task below this was started or skipped
  std::unordered_set<uint64_t> withdrawn_;  // at or above reached_
};

}  // namespace wf::detail
