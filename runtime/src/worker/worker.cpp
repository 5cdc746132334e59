// The design notes for this module are atop worker.hpp.
#include "worker/worker.hpp"

#include <fcntl.h>
#include <time.h>
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "jit/loader.hpp"
#include "launch/launcher.hpp"
#include "machine.hpp"
#include "output.hpp"
#include "protocol/messages.hpp"
#include "protocol/socket.hpp"
#include "spin.hpp"
#include "task/task_runner.hpp"
#include "worker/held_results.hpp"
#include "worker/mpi_task.hpp"
#include "worker/task_threads.hpp"
#include "worker/withdrawals.hpp"

// GCC defines __SANITIZE_ADDRESS__ under -fsanitize=address; clang has __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define WF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WF_ASAN 1
#endif
#endif
#ifdef WF_ASAN
#include <sanitizer/lsan_interface.h>
#endif

namespace wf::detail {

namespace {

// The worker ends with _exit (the heartbeat thread still holds a socket, and terminating the
// ZeroMQ context would wait for it), which skips LeakSanitizer's check at exit: a sanitizer
// build (-DWF_SANITIZE=address) runs the check here instead, so what a worker leaked over the
// whole run is reported on its standard error, and the worker exits 1 as LSan's own check
// would. It runs before MPI_Finalize: Open MPI unloads its components there, after which
// the leaks of its start-up could no longer be named (and so not be suppressed).
[[noreturn]] void exit_worker(int code, MpiWorld* mpi = nullptr) {
#ifdef WF_ASAN
  if (__lsan_do_recoverable_leak_check() && code == 0) code = 1;
#endif
  if (mpi) mpi->finalize();
  _exit(code);
}

// --- the last word of a dying worker -----------------------------------------------------
// A fatal signal writes "<signal> <running task id>" to <death dir>/<worker> (async-signal-
// safe calls only), waits a moment so that ZeroMQ's I/O thread can still send results that
// were queued before the crash, then lets the default action kill the process. The driver
// reads the note to name the signal and to know which task was running.
char g_death_note[4096];
volatile uint64_t g_running_task = 0;

int format_number(char* out, uint64_t v) {
  char digits[24];
  int d = 0, n = 0;
  do {
    digits[d++] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (d > 0) out[n++] = digits[--d];
  return n;
}

void on_fatal_signal(int sig) {
  int fd = ::open(g_death_note, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    char buf[64];
    int n = format_number(buf, (uint64_t)sig);
    buf[n++] = ' ';
    n += format_number(buf + n, g_running_task);
    buf[n++] = '\n';
    ssize_t ignored = ::write(fd, buf, (size_t)n);
    (void)ignored;
    ::close(fd);
  }
  struct timespec pause = {0, 100 * 1000 * 1000};
  ::nanosleep(&pause, nullptr);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_death_notes(const std::string& dir, int worker) {
  if (dir.empty()) return;
  std::snprintf(g_death_note, sizeof g_death_note, "%s/%d", dir.c_str(), worker);
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTERM, SIGQUIT}) ::signal(sig, on_fatal_signal);
}

// Runs this process on the (worker mod n)-th CPU of the n it may use (local launcher; see
// process_executor's grow()). Keeps the process's own set if it cannot.
void pin_to_cpu(int worker) {
  std::vector<int> allowed = allowed_cpus();
  if (allowed.empty()) return;
  int index = worker % (int)allowed.size();
  if (run_on_cpu(allowed[(size_t)index])) remember_pinning(std::move(allowed), index);
}

// Sends what tasks print to the driver, as Output messages on the task socket.
class ForwardOutput : public OutputSink {
 public:
  ForwardOutput(Socket& socket) : socket_(socket) {}
  void write(int stream, std::string_view text) override {
    Message m;
    m.kind = MsgKind::Output;
    m.id = task_;
    m.stream = stream;
    m.bytes.assign(text);
    socket_.send(encode(m));
    wrote_ = true;
  }
  uint64_t task_ = 0;
  bool wrote_ = false;  // since the main thread last cleared it

 private:
  Socket& socket_;
};


// A DEALER named `routing_id`, encrypted when the driver is a CURVE server.
bool connect_to_driver(Socket& s, const std::string& endpoint, const std::string& routing_id, const WorkerEnv& e,
                       std::string* error) {
  s.set_routing_id(routing_id);
  if (!e.curve_server.empty()) s.make_curve_client(e.curve_server, e.curve_public, e.curve_secret);
  return s.connect(endpoint, error);
}

// Beats every 0.5 s; ends the process if the driver is silent for `timeout` seconds. Answers
// the driver's Withdraw messages at once, also while the main thread runs a long task, and
// sends results the main thread held back when they have waited long enough (HeldResults).
void heartbeat_loop(WorkerEnv e, std::string routing_id, int worker, Withdrawals* withdrawals, HeldResults* held) {
  double timeout = e.driver_timeout;
  Socket hb(ZMQ_DEALER);
  if (!connect_to_driver(hb, e.heartbeat_endpoint, routing_id, e, nullptr)) _exit(3);
  Message beat;
  beat.kind = MsgKind::Heartbeat;
  beat.worker = worker;
  std::string bytes = encode(beat);
  double last_heard = now_seconds(), last_sent = 0;
  while (true) {
    double now = now_seconds();
    if (now - last_sent >= 0.5) {
      hb.send(bytes, true);
      last_sent = now;
    }
    int wait_ms;
    std::vector<std::string> due = held->take_if_due(now, 100, wait_ms);
    if (!due.empty()) hb.send(encode_bundle(due), true);
    zmq_pollitem_t items[] = {{hb.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, held->wake_fd(), ZMQ_POLLIN, 0}};
    zmq_poll(items, held->wake_fd() >= 0 ? 2 : 1, wait_ms);
    if (items[1].revents & ZMQ_POLLIN) held->drain();
    std::string payload;
    bool malformed;
    while (hb.try_recv(payload, nullptr, &malformed) || malformed) {
      Message m;
      if (!malformed && decode(payload.data(), payload.size(), m)) {
        if (m.kind == MsgKind::Heartbeat) last_heard = now_seconds();
        if (m.kind == MsgKind::Shutdown) exit_worker(0);
        if (m.kind == MsgKind::Withdraw) {
          Message back;
          back.kind = withdrawals->withdraw(m.seq) ? MsgKind::Withdrawn : MsgKind::WithdrawRefused;
          back.id = m.id;
          back.worker = worker;
          hb.send(encode(back), true);
        }
      }
    }
    if (now_seconds() - last_heard > timeout) {
      std::fprintf(stderr, "wf-worker %d: the driver is gone; exiting\n", worker);
      _exit(4);
    }
  }
}

// The main thread's loop: receive (bundles of) messages, run tasks, answer. Results of
// short tasks are held back briefly while more tasks are waiting, and go out together as one
// bundle (one ZeroMQ message, one wake-up of the driver) instead of one message each.
// A held result must not wait for a long task: before a task of a function not run here yet,
// or last seen running long, the main thread sends what is held; before one expected to be
// short it leaves the held results to the heartbeat thread's deadline (HeldResults), which
// sends them if the task turns out long after all.
class TaskLoop {
 public:
  TaskLoop(Socket& tasks, int worker, MpiWorld* mpi, Withdrawals& withdrawals, HeldResults& held)
      : tasks_(tasks), worker_(worker), mpi_(mpi), withdrawals_(withdrawals), held_(held), output_(tasks) {}

  [[noreturn]] void run() {
    double last_activity = 0;
    while (true) {
      flush_results();
      zmq_pollitem_t item{tasks_.handle(), 0, ZMQ_POLLIN, 0};
      // After a task, look again without sleeping for a moment: the next one often follows.
      int timeout = now_seconds() - last_activity < spin_seconds() ? 0 : 1000;
      if (zmq_poll(&item, 1, timeout) > 0) last_activity = now_seconds();
      else if (timeout == 0) std::this_thread::yield();
      receive();
      while (!inbox_.empty()) {
        Message m = std::move(inbox_.front());
        inbox_.pop_front();
        handle(std::move(m));
        if (inbox_.empty()) receive();  // whatever arrived meanwhile counts as waiting work
      }
    }
  }

 private:
  void receive() {
    std::string payload;
    bool malformed;
    while (tasks_.try_recv(payload, nullptr, &malformed) || malformed) {
      Message m;
      if (malformed || !decode(payload.data(), payload.size(), m)) {
        std::fprintf(stderr, "wf-worker %d: dropped a malformed message\n", worker_);
        continue;
      }
      if (m.kind != MsgKind::Bundle) {
        inbox_.push_back(std::move(m));
        continue;
      }
      std::vector<Message> parts;
      if (!decode_bundle(m.bytes, parts)) {
        std::fprintf(stderr, "wf-worker %d: dropped a malformed bundle\n", worker_);
        continue;
      }
      for (Message& part : parts) inbox_.push_back(std::move(part));
    }
  }

  void handle(Message&& m) {
    switch (m.kind) {
      case MsgKind::Object: load(m); break;
      case MsgKind::Task: run_task(m); break;
      case MsgKind::Shutdown:
        // _exit: the heartbeat thread still holds a socket, and terminating the ZeroMQ
        // context would wait for it forever.
        flush_results();
        flush_process_output();
        exit_worker(0, mpi_);
      default:
        std::fprintf(stderr, "wf-worker %d: dropped an unexpected message (kind %d)\n", worker_, (int)m.kind);
    }
  }

  // A program the driver sent, by its id; each has a Context of its own (its manifest names
  // the frames of its errors).
  struct Program {
    std::unique_ptr<LoadedProgram> loaded;
    std::unique_ptr<Context> ctx;
  };

  void load(const Message& m) {
    WfObject object;
    std::string error;
    Message ready;
    ready.kind = MsgKind::Ready;
    ready.worker = worker_;
    ready.program = m.program;
    Program p;
    if (!decode_wfo(m.bytes, object, error) || !(p.loaded = LoadedProgram::load(object, error))) {
      ready.ok = false;
      ready.error.message = error;
    } else {
      p.ctx = std::make_unique<Context>(&p.loaded->manifest());
      p.ctx->output = &output_;
      programs_[m.program] = std::move(p);
    }
    tasks_.send(encode(ready));
  }

  void run_task(const Message& m) {
    if (withdrawals_.skip(m.seq)) return;  // the driver took it back: the heartbeat thread said so
    double& last_run = last_run_time(m);
    if (!(last_run < kShortTask) || !held_.arm()) flush_results();
    output_.wrote_ = false;
    Message done;
    done.kind = MsgKind::Done;
    done.id = m.id;
    done.worker = worker_;
    BatchOutcome out;
    double started = now_seconds();
    TaskThreads threads(m.threads);
    auto program = programs_.find(m.program);
    if (program == programs_.end()) {
      out.ok = false;
      out.failed_item = 0;
      out.error.message = "worker " + std::to_string(worker_) + " has no program " + std::to_string(m.program) + " loaded";
    } else if (m.ranks.size() > 1 || (mpi_ && !m.ranks.empty())) {
      output_.task_ = m.id;
      g_running_task = m.id;
      if (!mpi_) {
        out.ok = false;
        out.error.message = "MPI tasks need the mpirun or slurm launcher";
      } else {
        out = run_mpi_task(*mpi_, *program->second.loaded, *program->second.ctx, m.fn, m.id, m.bytes, m.ranks,
                           m.generation, worker_);
      }
      done.rank = out.rank;
    } else {
      output_.task_ = m.id;
      g_running_task = m.id;
      out = run_batch(*program->second.loaded, *program->second.ctx, m.fn, m.bytes, worker_);
    }
    g_running_task = 0;
    double busy = now_seconds() - started;
    last_run = busy;
    done.busy_us = (uint32_t)std::min(4e9, busy * 1e6);
    done.clock_us = (uint64_t)(started * 1e6);
    done.ok = out.ok;
    done.bytes = std::move(out.results);
    done.error = std::move(out.error);
    done.failed_item = out.failed_item;
    done.aborted = out.aborted;
    bool may_wait = held_.hold(encode(done), output_.wrote_, now_seconds(), 256, 500e-6);
    // Hold the result back only while short tasks keep coming, and never for long.
    if (!(may_wait && !inbox_.empty() && busy < kShortTask)) flush_results();
  }

  static constexpr double kShortTask = 50e-6;  // seconds; a result may wait this long for company
  // The last run time of a task's function (a batch's whole run); NaN before its first run.
  double& last_run_time(const Message& m) {
    uint64_t key = (uint64_t)(uint32_t)m.program << 32 | (uint32_t)m.fn;
    return last_run_.try_emplace(key, std::numeric_limits<double>::quiet_NaN()).first->second;
  }

  void flush_results() {
    std::vector<std::string> results = held_.take();
    if (!results.empty()) tasks_.send(encode_bundle(results));
  }

  Socket& tasks_;
  int worker_;
  MpiWorld* mpi_;
  Withdrawals& withdrawals_;
  HeldResults& held_;
  ForwardOutput output_;
  std::unordered_map<int32_t, Program> programs_;
  std::deque<Message> inbox_;
  std::unordered_map<uint64_t, double> last_run_;  // (program, fn) -> seconds
};

}  // namespace

int worker_main(int argc, char** argv) {
  WorkerEnv e = WorkerEnv::from_environment();
  if (e.task_endpoint.empty()) {
    std::fprintf(stderr, "wf-worker: start me through `wfc run` (WF_ENDPOINT is not set)\n");
    return 2;
  }
  if (e.parent_death_signal) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::signal(SIGINT, SIG_IGN);  // Ctrl-C is the driver's to handle
  ::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<MpiWorld> mpi;
  int world_rank = 0, world_size = 1;
  if (e.use_mpi) {
    mpi = MpiWorld::init(&argc, &argv);
    world_rank = mpi->rank();
    world_size = mpi->size();
  }
  int worker = e.worker_base + world_rank;
  install_death_notes(e.death_dir, worker);
  if (e.pin_cpu) pin_to_cpu(worker);
  if (!e.cwd.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(e.cwd, ec);
    if (::chdir(e.cwd.c_str()) != 0) {
      std::fprintf(stderr, "wf-worker %d: cannot enter %s: %s\n", worker, e.cwd.c_str(), std::strerror(errno));
      return 2;
    }
  }

  std::string routing_id = "w" + std::to_string(worker);
  // Shared with the detached heartbeat thread: never destroyed first.
  static Withdrawals withdrawals;
  static HeldResults held;
  std::thread(heartbeat_loop, e, routing_id, worker, &withdrawals, &held).detach();

  Socket tasks(ZMQ_DEALER);
  std::string error;
  if (!connect_to_driver(tasks, e.task_endpoint, routing_id, e, &error)) {
    std::fprintf(stderr, "wf-worker %d: cannot connect to %s: %s\n", worker, e.task_endpoint.c_str(), error.c_str());
    return 2;
  }
  Message hello;
  hello.kind = MsgKind::Hello;
  hello.worker = worker;
  hello.pid = (int32_t)::getpid();
  hello.host = host_name();
  hello.world = e.world;
  hello.world_rank = world_rank;
  hello.world_size = world_size;
  hello.clock_us = (uint64_t)(now_seconds() * 1e6);
  tasks.send(encode(hello));

  TaskLoop loop(tasks, worker, mpi.get(), withdrawals, held);
  loop.run();
}

}  // namespace wf::detail
