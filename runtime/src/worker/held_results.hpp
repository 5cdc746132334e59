// Results of short tasks that the worker's main thread holds back to send several as one
// bundle (worker.cpp's TaskLoop), with a deadline the heartbeat thread keeps.
//
// Why two threads: while the main thread runs a task, nothing else happens on it, and the
// task socket is its own; a result it held back for company would wait for that task, however
// long it runs. So when the main thread starts a task with results still held, it arms a
// deadline (`arm`) and wakes the heartbeat thread, which sends them on the heartbeat socket
// if they are still held then (`take_if_due`). Whoever takes them first sends them; one mutex
// makes the taking exclusive, so a result leaves exactly once.
//
// A result of a task that printed leaves only by the task socket, after its Output messages
// (they share that socket, so the driver sees the output before the result); the main thread
// sends such results before it starts the next task instead of arming.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <vector>

namespace wf::detail {

class HeldResults {
 public:
  static constexpr double kMaxWait = 0.001;  // seconds a held result may wait for company

  HeldResults() {
    if (::pipe2(wake_, O_NONBLOCK | O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
  }
  HeldResults(const HeldResults&) = delete;
  HeldResults& operator=(const HeldResults&) = delete;

  // Main thread: one finished batch's encoded Done, finished at `now`; `printed` if the
  // batch wrote output. True while what is held may wait for company: fewer than
  // `max_count` results, the oldest younger than `max_age` seconds.
  bool hold(std::string done, bool printed, double now, size_t max_count, double max_age) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (held_.empty()) oldest_ = now;
    held_.push_back(std::move(done));
    printed_ = printed_ || printed;
    return held_.size() < max_count && now - oldest_ < max_age;
  }

  // Main thread, before it starts a task: false if what is held must be sent now (something
  // printed, or the heartbeat thread cannot be woken); else the heartbeat thread sends it if
  // it is still held at the deadline.
  bool arm() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (held_.empty()) return true;
    if (printed_ || wake_[1] < 0) return false;
    if (!armed_) {
      armed_ = true;
      char byte = 1;
      if (::write(wake_[1], &byte, 1) != 1) return armed_ = false;
    }
    return true;
  }

  // Main thread: everything held, to send now.
  std::vector<std::string> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return take_locked();
  }

  // Heartbeat thread: the held results if their deadline has passed at `now` (then they are
  // the caller's to send), else nothing. `wait_ms` is set to how long to sleep before asking
  // again: until the deadline when armed, else `idle_ms`.
  std::vector<std::string> take_if_due(double now, int idle_ms, int& wait_ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    wait_ms = idle_ms;
    if (!armed_ || held_.empty()) return {};
    double due = oldest_ + kMaxWait;
    if (now >= due) return take_locked();
    wait_ms = 1 + (int)((due - now) * 1e3);
    return {};
  }

  // The heartbeat thread polls this descriptor; readable after `arm` (drain it with `drain`).
  int wake_fd() const { return wake_[0]; }
  void drain() {
    char bytes[64];
    while (wake_[0] >= 0 && ::read(wake_[0], bytes, sizeof bytes) > 0) {
    }
  }

 private:
  std::vector<std::string> take_locked() {
    std::vector<std::string> out;
    out.swap(held_);
    armed_ = printed_ = false;
    return out;
  }

  std::mutex mutex_;
  std::vector<std::string> held_;
  double oldest_ = 0;
  bool printed_ = false, armed_ = false;
  int wake_[2];
};

}  // namespace wf::detail
