#include "worker/worker.hpp"

#include <fcntl.h>
#include <time.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <zmq.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "jit/loader.hpp"
#include "launch/launcher.hpp"
#include "output.hpp"
#include "protocol/messages.hpp"
#include "protocol/socket.hpp"
#include "worker/mpi_task.hpp"
#include "worker/task_runner.hpp"

namespace wf::detail {

namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
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
  }
  uint64_t task_ = 0;

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

// Beats every 0.5 s; ends the process if the driver is silent for `timeout` seconds.
void heartbeat_loop(WorkerEnv e, std::string routing_id, int worker) {
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
    zmq_pollitem_t item{hb.handle(), 0, ZMQ_POLLIN, 0};
    zmq_poll(&item, 1, 100);
    std::string payload;
    bool malformed;
    while (hb.try_recv(payload, nullptr, &malformed) || malformed) {
      Message m;
      if (!malformed && decode(payload.data(), payload.size(), m)) {
        if (m.kind == MsgKind::Heartbeat) last_heard = now_seconds();
        if (m.kind == MsgKind::Shutdown) _exit(0);
      }
    }
    if (now_seconds() - last_heard > timeout) {
      std::fprintf(stderr, "wf-worker %d: the driver is gone; exiting\n", worker);
      _exit(4);
    }
  }
}

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
  if (!e.cwd.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(e.cwd, ec);
    if (::chdir(e.cwd.c_str()) != 0) {
      std::fprintf(stderr, "wf-worker %d: cannot enter %s: %s\n", worker, e.cwd.c_str(), std::strerror(errno));
      return 2;
    }
  }

  std::string routing_id = "w" + std::to_string(worker);
  std::thread(heartbeat_loop, e, routing_id, worker).detach();

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
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  hello.host = host;
  hello.world = e.world;
  hello.world_rank = world_rank;
  hello.world_size = world_size;
  tasks.send(encode(hello));

  std::unique_ptr<LoadedProgram> program;
  std::unique_ptr<Context> ctx;
  ForwardOutput output(tasks);
  double last_activity = 0;
  const double spin_seconds = std::getenv("WF_SPIN_US") ? std::atof(std::getenv("WF_SPIN_US")) * 1e-6 : 50e-6;
  while (true) {
    zmq_pollitem_t item{tasks.handle(), 0, ZMQ_POLLIN, 0};
    // After a task, look again without sleeping for a moment: the next one often follows.
    int timeout = now_seconds() - last_activity < spin_seconds ? 0 : 1000;
    if (zmq_poll(&item, 1, timeout) > 0) last_activity = now_seconds();
    else if (timeout == 0) std::this_thread::yield();
    std::string payload;
    bool malformed;
    while (tasks.try_recv(payload, nullptr, &malformed) || malformed) {
      Message m;
      if (malformed || !decode(payload.data(), payload.size(), m)) {
        std::fprintf(stderr, "wf-worker %d: dropped a malformed message\n", worker);
        continue;
      }
      switch (m.kind) {
        case MsgKind::Object: {
          WfObject object;
          Message ready;
          ready.kind = MsgKind::Ready;
          ready.worker = worker;
          if (!decode_wfo(m.bytes, object, error) || !(program = LoadedProgram::load(object, error))) {
            ready.ok = false;
            ready.error.message = error;
          } else {
            ctx = std::make_unique<Context>(&program->manifest());
            ctx->output = &output;
          }
          tasks.send(encode(ready));
          break;
        }
        case MsgKind::Task: {
          Message done;
          done.kind = MsgKind::Done;
          done.id = m.id;
          done.worker = worker;
          if (!program) {
            done.ok = false;
            done.failed_item = 0;
            done.error.message = "worker " + std::to_string(worker) + " has no program loaded";
            tasks.send(encode(done));
            break;
          }
          output.task_ = m.id;
          double started = now_seconds();
          g_running_task = m.id;
          BatchOutcome out;
          if (m.ranks.size() > 1 || (mpi && !m.ranks.empty())) {
            if (!mpi) {
              out.ok = false;
              out.error.message = "MPI tasks need the mpirun or slurm launcher";
            } else {
              out = run_mpi_task(*mpi, *program, *ctx, m.fn, m.id, m.bytes, m.ranks, worker);
            }
            done.rank = out.rank;
          } else {
            out = run_batch(*program, *ctx, m.fn, m.bytes, worker);
          }
          g_running_task = 0;
          done.busy_us = (uint32_t)std::min(4e9, (now_seconds() - started) * 1e6);
          done.ok = out.ok;
          done.bytes = std::move(out.results);
          done.error = std::move(out.error);
          done.failed_item = out.failed_item;
          tasks.send(encode(done));
          break;
        }
        case MsgKind::Shutdown:
          // _exit: the heartbeat thread still holds a socket, and terminating the ZeroMQ
          // context would wait for it forever.
          flush_process_output();
          if (mpi) mpi->finalize();
          _exit(0);
        default:
          std::fprintf(stderr, "wf-worker %d: dropped an unexpected message (kind %d)\n", worker, (int)m.kind);
      }
    }
  }
}

}  // namespace wf::detail
