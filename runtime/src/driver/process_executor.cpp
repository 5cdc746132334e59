// A pool of worker processes, linked to the driver by ZeroMQ (RUNTIME.md).
//
// One I/O thread owns the pool's two ROUTER sockets (tasks, heartbeats) and every decision
// about the pool's ranks: it starts worlds through the launcher, ships the object to each
// worker that says hello, places batches on ranks, forwards task output, reports outcomes to
// the scheduler, watches for dead workers and replaces them. Other threads only hand it
// batches (a queue plus an eventfd that wakes its poll), so no socket is ever shared.
//
// Placement (which rank runs what) is decided by driver/placement.hpp, the outcome of an
// MPI batch is agreed from its ranks' reports by driver/mpi_agreement.hpp, and which ranks
// are alive by driver/worker_health.hpp; this file feeds them events and carries out their
// decisions.
//
// Failure: a worker that dies fails the batch it was running ("worker 3 died: signal 9
// (Killed)"); batches queued behind it are placed again; ranks of an MPI task that lost a
// rank are ended too; the pool launches replacements.
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include "driver/executor.hpp"
#include "driver/mpi_agreement.hpp"
#include "driver/placement.hpp"
#include "driver/program_set.hpp"
#include "driver/run_trace.hpp"
#include "driver/worker_health.hpp"
#include "launch/launcher.hpp"
#include "log.hpp"
#include "machine.hpp"
#include "spin.hpp"
#include "output.hpp"
#include "protocol/batch.hpp"
#include "protocol/messages.hpp"
#include "protocol/socket.hpp"
#include "jit/loader.hpp"

namespace wf::detail {

namespace {

constexpr double kHeartbeatEvery = 0.5;

struct Flight {
  Batch batch;
  std::vector<int> workers;   // ranks it runs on, task rank order
  std::vector<uint64_t> seqs; // its Task message's number on each of them
  OutcomeAgreement outcome;   // from the ranks' reports
};

// A cancel() from the flow thread, answered by the I/O thread once it knows.
struct CancelRequest {
  uint64_t id;
  std::shared_ptr<std::promise<bool>> answer;
};

class ProcessExecutor : public Executor {
 public:
  ProcessExecutor(const ProgramSet& programs, const PoolOptions& options, CompletionFn on_complete)
      : programs_(programs),
        options_(options),
        on_complete_(std::move(on_complete)),
        launcher_(resolve_launcher(options.launcher)),
        health_(system_probe(), launcher_) {
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    static std::atomic<int> pool_counter{0};
    pool_id_ = pool_counter++;
    width_ = options_.workers > 0 ? options_.workers : 1;
    if (const char* p = std::getenv("WF_PREFETCH")) placement_ = Placement((size_t)std::max(1, std::atoi(p)));
    thread_ = std::thread([this] { run(); });
  }

  ~ProcessExecutor() override { shutdown(); }

  void dispatch(Batch&& batch) override {
    {
      std::lock_guard<std::mutex> lock(inbox_mutex_);
      inbox_.push_back(std::move(batch));
    }
    wake();
  }

  bool cancel(uint64_t id) override {
    auto answer = std::make_shared<std::promise<bool>>();
    std::future<bool> result = answer->get_future();
    {
      std::lock_guard<std::mutex> lock(inbox_mutex_);
      if (stopping_) return false;
      cancels_.push_back({id, answer});
    }
    wake();
    return result.get();
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(inbox_mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake();
    if (thread_.joinable()) thread_.join();
    ::close(wake_fd_);
  }

 private:
  void wake() {
    uint64_t one = 1;
    ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
    (void)ignored;
  }

  // ---- the I/O thread ----------------------------------------------------------------------

  // Workers on this machine each get a CPU of their own (round robin): idle workers that
  // spin for the next task otherwise crowd onto one core, and the first tasks of a burst
  // share it for milliseconds until the kernel migrates one (W3 2-worker speedup
  // 1.35-1.8 -> ~2.0). That is the local launcher, and mpirun outside an allocation with
  // no hostfile (all ranks here; mpirun itself binds nothing, `--bind-to none`). Where
  // ranks spread over nodes, the batch system's binding is left alone. WF_PIN=0 in the
  // driver's environment turns it off.
  bool workers_pinned_here() const {
    const char* pin = std::getenv("WF_PIN");
    bool mpirun_here = launcher_ == LauncherKind::Mpirun && options_.hostfile.empty() && !in_allocation();
    return (launcher_ == LauncherKind::Local || mpirun_here) && !(pin && std::string(pin) == "0");
  }

  // With pinned workers beside it, this thread and ZeroMQ's I/O thread run on one CPU, the
  // last one allowed (the workers take the first ones): every message passes between the
  // two, and on one core it never waits for the other's to be free. Split over the 2 cores
  // of the benchmark machine, behind two busy ranks, they made W4 (a 2-rank task) 90-100 µs
  // instead of 63-68 µs, and two concurrent tasks 130 µs instead of 75 µs.
  // The workers it launches get back the whole set.
  void share_a_cpu_with_zmq() {
    std::vector<int> cpus = allowed_cpus();
    if (cpus.size() < 2 || !run_on_cpu(cpus.back())) return;
    worker_cpus_ = cpus;
    zmq_io_thread_on_cpu(cpus.back());
  }

  void run() {
    if (pinned_here_) share_a_cpu_with_zmq();
    tasks_ = std::make_unique<Socket>(ZMQ_ROUTER);
    heartbeats_ = std::make_unique<Socket>(ZMQ_ROUTER);
    int handover = 1;  // a replacement worker may reuse nothing, but be safe with ids
    zmq_setsockopt(tasks_->handle(), ZMQ_ROUTER_HANDOVER, &handover, sizeof handover);
    zmq_setsockopt(heartbeats_->handle(), ZMQ_ROUTER_HANDOVER, &handover, sizeof handover);
    if (!bind_sockets()) {
      broken_ = "cannot open the pool's sockets: " + bind_error_;
    } else {
      grow(width_);
    }
    double last_beat = 0, last_check = 0, last_activity = 0;
    while (true) {
      size_t completed_before = completed_;
      zmq_pollitem_t items[3] = {{tasks_->handle(), 0, ZMQ_POLLIN, 0},
                                 {heartbeats_->handle(), 0, ZMQ_POLLIN, 0},
                                 {nullptr, wake_fd_, ZMQ_POLLIN, 0}};
      // Right after activity, look again without sleeping for a short while: the next
      // message of a tight submit/result loop is usually microseconds away.
      // Only while the pool has idle ranks: when every core is busy with tasks, spinning
      // would take time from them.
      bool idle_ranks = flights_.size() < health_.ranks().size();
      int timeout = idle_ranks && now_seconds() - last_activity < spin_seconds() ? 0 : 50;
      if (zmq_poll(items, 3, timeout) > 0) last_activity = now_seconds();
      else if (timeout == 0) std::this_thread::yield();
      if (items[2].revents) {
        uint64_t count;
        while (::read(wake_fd_, &count, sizeof count) > 0) {
        }
      }
      bool stop = take_inbox();
      if (stop) break;
      read_tasks_socket();
      read_heartbeats();
      double now = now_seconds();
      if (now - last_beat >= kHeartbeatEvery) {
        beat();
        last_beat = now;
      }
      if (now - last_check >= 0.05) {
        check_health(now);
        last_check = now;
      }
      place();
      if (completed_ != completed_before) on_complete_(BatchOutcome{});  // kEndOfBurst
    }
    end_workers();
  }

  bool bind_sockets() {
    if (!options_.hostfile.empty()) {
      // Other hosts connect over TCP, encrypted and authenticated with the run's CURVE key.
      curve_ = CurveKeys::generate();
      admit_curve_client(curve_.client_public);
      tasks_->make_curve_server(curve_);
      heartbeats_->make_curve_server(curve_);
      if (!tasks_->bind("tcp://*:0", &bind_error_) || !heartbeats_->bind("tcp://*:0", &bind_error_)) return false;
      auto port = [](const std::string& ep) { return ep.substr(ep.rfind(':') + 1); };
      task_endpoint_ = "tcp://" + host_name() + ":" + port(tasks_->last_endpoint());
      heartbeat_endpoint_ = "tcp://" + host_name() + ":" + port(heartbeats_->last_endpoint());
      return true;
    }
    const std::string& dir = run_directory();
    if (dir.empty()) {
      bind_error_ = "cannot create a private directory for sockets";
      return false;
    }
    task_endpoint_ = "ipc://" + dir + "/pool" + std::to_string(pool_id_) + "-tasks";
    heartbeat_endpoint_ = "ipc://" + dir + "/pool" + std::to_string(pool_id_) + "-beats";
    return tasks_->bind(task_endpoint_, &bind_error_) && heartbeats_->bind(heartbeat_endpoint_, &bind_error_);
  }

  // Launches worlds until the pool has `count` more ranks.
  // Under Slurm, one dead rank ends its whole step (the PMIx plugin cancels it; no option
  // turns that off), so a pool whose programs have no `mpi fn` of more than one rank starts
  // one step per rank: a dead worker then fails only its own task, as under the other
  // launchers. Programs with such functions need multi-rank worlds and get one step for the
  // pool (docs/cli.md, "Slurm").
  bool needs_mpi_worlds() const {
    for (int32_t p = 0; p < programs_.size(); ++p)
      for (const ManifestFunction& f : programs_.program(p).manifest().functions)
        if (f.kind == "mpi" && f.ranks != 1) return true;
    return false;
  }

  void grow(int count) {
    if (count <= 0 || !broken_.empty()) return;
    std::string worker_path = find_worker_executable();
    // Slurm without multi-rank MPI functions: plain workers, one step each (needs_mpi_worlds).
    bool mpi = launcher_ != LauncherKind::Local && !(launcher_ == LauncherKind::Slurm && !needs_mpi_worlds());
    int per_world = mpi ? count : 1;
    for (int launched = 0; launched < count; launched += per_world) {
      WorldState w;
      w.id = next_world_++;
      w.size = per_world;
      w.worker_base = next_worker_;
      w.started = now_seconds();
      next_worker_ += per_world;
      LaunchSpec spec;
      spec.launcher = launcher_;
      spec.ranks = per_world;
      spec.oversubscribe = options_.oversubscribe;
      spec.hostfile = options_.hostfile;
      spec.worker_path = worker_path;
      spec.env.task_endpoint = task_endpoint_;
      spec.env.heartbeat_endpoint = heartbeat_endpoint_;
      spec.env.curve_server = curve_.server_public;
      spec.env.curve_public = curve_.client_public;
      spec.env.curve_secret = curve_.client_secret;
      spec.env.cwd = options_.cwd;
      spec.env.death_dir = run_directory();
      spec.env.world = w.id;
      spec.env.worker_base = w.worker_base;
      spec.env.use_mpi = mpi;
      spec.env.parent_death_signal = launcher_ == LauncherKind::Local;
      spec.env.pin_cpu = pinned_here_;
      spec.cpus = worker_cpus_;
      Launched launched_world;
      std::string error;
      if (!launch(spec, launched_world, error)) {
        broken_ = "cannot start workers: " + error;
        log_debug("pool %d: %s", pool_id_, broken_.c_str());
        return;
      }
      w.pid = launched_world.pid;
      w.report = launched_world.report;
      log_debug("pool %d: launched world %d (%s, %d rank%s, workers %d..%d, pid %d)", pool_id_, w.id, launcher_name(launcher_),
                w.size, w.size == 1 ? "" : "s", w.worker_base, w.worker_base + w.size - 1, (int)w.pid);
      health_.world_launched(w);
      if (RunTrace* trace = RunTrace::installed()) trace->pool_workers(pool_id_, width_);
      if (RunTrace::active()) {
        trace_instant(-1, w.id == 0 ? "pool start" : "world launched",
                      "world " + std::to_string(w.id) + ", workers " + std::to_string(w.worker_base) + ".." +
                          std::to_string(w.worker_base + w.size - 1) + " (" + launcher_name(launcher_) + ")");
      }
    }
  }

  bool take_inbox() {
    std::deque<Batch> incoming;
    std::vector<CancelRequest> cancels;
    bool stop;
    {
      std::lock_guard<std::mutex> lock(inbox_mutex_);
      incoming.swap(inbox_);
      cancels.swap(cancels_);
      stop = stopping_;
    }
    for (Batch& b : incoming) {
      std::string why = unplaceable(b);
      if (!why.empty()) {
        fail_batch(b, why, "");
        continue;
      }
      placement_.enqueue(std::move(b));
    }
    for (CancelRequest& c : cancels) start_cancel(c);
    // A batch being cancelled that ended another way (it ran, its worker died): not cancelled.
    for (auto it = pending_cancels_.begin(); it != pending_cancels_.end();) {
      if (flights_.count(it->first) && !stop) {
        ++it;
        continue;
      }
      it->second->set_value(false);
      it = pending_cancels_.erase(it);
    }
    return stop;
  }

  // cancel(): a queued batch is taken out at once; a serial batch in a worker's pipeline is
  // asked back like a steal-back (the worker answers Withdrawn or WithdrawRefused); an MPI
  // batch already sent to its ranks, or one that is done, is not cancelled.
  void start_cancel(CancelRequest& c) {
    Batch queued;
    if (placement_.remove_queued(c.id, queued)) {
      trace_instant(-1, "cancel", "task " + std::to_string(c.id) + " (queued)");
      fail_batch(queued, "cancelled", "");
      c.answer->set_value(true);
      return;
    }
    auto it = flights_.find(c.id);
    if (it == flights_.end() || it->second.workers.size() != 1) {
      c.answer->set_value(false);
      return;
    }
    withdraw({it->second.workers[0], c.id});
    pending_cancels_[c.id] = c.answer;
  }

  std::string unplaceable(const Batch& b) {
    if (!broken_.empty()) return broken_;
    int slots = b.ranks * std::max(1, b.threads);
    if (slots <= 1) return "";
    const std::string& name = programs_.function({b.program, b.fn}).name;
    if (b.ranks > 1 && launcher_ == LauncherKind::Local)
      return "`" + name + "` needs " + std::to_string(b.ranks) +
             " MPI ranks; the local launcher runs no MPI: use `--launcher mpirun`";
    if (slots > width_) {
      std::string need = b.threads > 1 ? std::to_string(slots) + " worker slots (" + std::to_string(b.ranks) + " rank" +
                                             (b.ranks > 1 ? "s" : "") + " x threads=" + std::to_string(b.threads) + ")"
                                       : std::to_string(b.ranks) + " ranks";
      if (!options_.oversubscribe)
        return "`" + name + "` needs " + need + " but the pool has " + std::to_string(width_) +
               "; give the pool more workers or let it oversubscribe";
      // An oversubscribing pool grows a world big enough, once.
      width_ += slots;
      grow(slots);
    }
    return "";
  }

  // ---- messages ------------------------------------------------------------------------------

  void read_tasks_socket() {
    std::string payload, from;
    bool malformed;
    while (tasks_->try_recv(payload, &from, &malformed) || malformed) {
      Message m;
      if (malformed || !decode(payload.data(), payload.size(), m)) {
        log_always("wf: dropped a malformed message on the task socket");
        continue;
      }
      if (m.kind != MsgKind::Bundle) {
        on_worker_message(from, std::move(m));
        continue;
      }
      std::vector<Message> parts;
      if (!health_.rank_by_routing(from) || !decode_bundle(m.bytes, parts)) {
        log_always("wf: dropped a malformed bundle on the task socket");
        continue;
      }
      for (Message& part : parts) on_worker_message(from, std::move(part));
    }
  }

  void on_worker_message(const std::string& from, Message&& m) {
    switch (m.kind) {
      case MsgKind::Hello: on_hello(from, m); break;
      case MsgKind::Ready: on_ready(from, m); break;
      case MsgKind::Output: {
        if (health_.rank_by_routing(from)) write_process_output(m.stream == 2 ? 2 : 1, m.bytes);
        break;
      }
      case MsgKind::Done: on_done(from, std::move(m)); break;
      default: log_always("wf: dropped an unexpected message (kind %d) from a worker", (int)m.kind);
    }
  }

  void read_heartbeats() {
    std::string payload, from;
    bool malformed;
    while (heartbeats_->try_recv(payload, &from, &malformed) || malformed) {
      Message m;
      if (malformed || !decode(payload.data(), payload.size(), m)) continue;
      RankState* r = health_.rank_by_routing(from);
      if (!r) continue;
      r->last_heard = now_seconds();
      // Results the worker held back past their deadline (a bundle of one is the message itself).
      if (m.kind == MsgKind::Done) {
        on_done(from, std::move(m));
        continue;
      }
      if (m.kind == MsgKind::Bundle) {
        int worker = r->worker;
        std::vector<Message> parts;
        if (!decode_bundle(m.bytes, parts)) log_always("wf: dropped a malformed bundle from worker %d", worker);
        for (Message& part : parts)
          if (part.kind == MsgKind::Done) on_done(from, std::move(part));
        continue;
      }
      if (m.kind == MsgKind::Withdrawn) on_withdrawn(r->worker, m.id);
      if (m.kind == MsgKind::WithdrawRefused) {
        auto c = pending_cancels_.find(m.id);
        if (c != pending_cancels_.end()) {
          c->second->set_value(false);
          pending_cancels_.erase(c);
        }
      }
    }
  }

  // A batch taken back (Placement's steal-back) that its worker confirms it will never start:
  // placed again, at the front of the queue.
  void on_withdrawn(int worker, uint64_t id) {
    auto it = flights_.find(id);
    auto c = pending_cancels_.find(id);
    if (it != flights_.end() && c != pending_cancels_.end()) {
      placement_.cancelled(worker, id);
      Batch b = std::move(it->second.batch);
      flights_.erase(it);
      trace_instant(worker, "cancel", "task " + std::to_string(id) + " (taken back from the worker)");
      fail_batch(b, "cancelled", "");
      c->second->set_value(true);
      pending_cancels_.erase(c);
      return;
    }
    if (it == flights_.end() || !placement_.withdrawn(worker, id)) return;
    log_debug("pool %d: task %llu taken back from worker %d", pool_id_, (unsigned long long)id, worker);
    std::vector<Batch> again;
    again.push_back(std::move(it->second.batch));
    flights_.erase(it);
    placement_.requeue_front(std::move(again));
  }

  void on_hello(const std::string& from, const Message& m) {
    RankState r;
    r.worker = m.worker;
    r.world = m.world;
    r.world_rank = m.world_rank;
    r.pid = m.pid;
    r.same_host = m.host == host_name();
    r.local_child = launcher_ == LauncherKind::Local;
    r.routing_id = from;
    r.last_heard = now_seconds();
    if (!health_.hello(r)) {
      log_always("wf: ignored a hello from an unknown worker");
      return;
    }
    if (r.same_host && !r.local_child && r.pid > 0) remember_launched(r.pid);
    // For --trace: a worker's clock, converted to ours (same host: the same monotonic clock;
    // another host: the offset at its hello, the one-way delay not taken off).
    hosts_[m.worker] = {m.host, r.same_host || m.clock_us == 0 ? 0.0 : now_seconds() - (double)m.clock_us * 1e-6};
    // Every program known now; a program added later follows with the rank's first task of it.
    std::vector<std::string> objects;
    for (int32_t p = 0; p < programs_.size(); ++p) ship(r.worker, p, objects);
    tasks_->send_to(from, encode_bundle(objects));
    log_debug("pool %d: worker %d up (pid %d on %s, world %d rank %d)", pool_id_, m.worker, m.pid, m.host.c_str(),
              m.world, m.world_rank);
  }

  void on_ready(const std::string& from, const Message& m) {
    RankState* r = health_.rank_by_routing(from);
    if (!r) return;
    if (!m.ok) {
      broken_ = "worker " + std::to_string(r->worker) + " cannot load the program: " + m.error.message;
      log_always("wf: %s", broken_.c_str());
      fail_queue(broken_);
      return;
    }
    // Ready for the first object it was sent; the objects shipped later need no answer (the
    // worker loads each before it reads the tasks behind it).
    if (!std::exchange(links_[r->worker].ready, true)) placement_.rank_ready(r->worker, r->world);
  }

  // Adds program `program`'s object to `messages` for `worker` unless it was sent before. A
  // notebook cell links against the earlier cells of its session: those go first, in order.
  void ship(int worker, int32_t program, std::vector<std::string>& messages) {
    std::vector<bool>& sent = links_[worker].programs;
    if ((size_t)program < sent.size() && sent[(size_t)program]) return;
    if (const std::string& session = programs_.program(program).manifest().session; !session.empty())
      for (int32_t earlier = 0; earlier < program; ++earlier)
        if (programs_.program(earlier).manifest().session == session) ship(worker, earlier, messages);
    if ((size_t)program >= sent.size()) sent.resize((size_t)program + 1);
    sent[(size_t)program] = true;
    Message object;
    object.kind = MsgKind::Object;
    object.program = program;
    object.bytes = programs_.object_bytes(program);
    messages.push_back(encode(object));
  }

  void on_done(const std::string& from, Message&& m) {
    RankState* r = health_.rank_by_routing(from);
    if (!r) return;
    auto it = flights_.find(m.id);
    if (it == flights_.end() || !placement_.finished(r->worker, m.id, now_seconds())) {
      log_always("wf: dropped a result for a task worker %d was not running", r->worker);
      return;
    }
    Flight& f = it->second;
    if (RunTrace* trace = RunTrace::active()) trace_task(*trace, r->worker, f, m);
    if (f.workers.size() == 1) placement_.learn_run_time(f.batch.program, f.batch.fn, m.busy_us);
    BatchOutcome report;
    report.id = m.id;
    report.ok = m.ok;
    report.results = std::move(m.bytes);
    report.error = std::move(m.error);
    report.failed_item = m.failed_item;
    report.worker = m.worker;
    report.rank = m.rank;
    report.aborted = m.aborted;
    if (!f.outcome.report(std::move(report))) return;
    BatchOutcome outcome = f.outcome.take();
    if (f.workers.size() > 1 && !outcome.ok) generation_[rank_set(f.workers)]++;
    flights_.erase(it);
    ++completed_;
    on_complete_(std::move(outcome));
  }

  // One slice of --trace: a batch on one of its ranks, on the driver's clock.
  void trace_task(RunTrace& trace, int worker, const Flight& f, const Message& m) {
    RunTrace::Slice s;
    s.pool = pool_id_;
    s.worker = worker;
    auto h = hosts_.find(worker);
    s.host = h != hosts_.end() ? h->second.first : host_name();
    double offset = h != hosts_.end() ? h->second.second : 0.0;
    const Manifest& manifest = programs_.program(f.batch.program).manifest();
    s.function = manifest.functions[(size_t)f.batch.fn].name;
    s.task = f.batch.id;
    s.duration = (double)m.busy_us * 1e-6;
    s.start = m.clock_us ? (double)m.clock_us * 1e-6 + offset : now_seconds() - s.duration;
    std::vector<std::string_view> calls;
    s.items = split_batch(f.batch.items, calls) ? calls.size() : 1;
    if (calls.size() == 1 && f.batch.items.size() <= 512) {  // described when the trace is written
      s.call_args = f.batch.items;
      s.manifest = &manifest;
      s.fn = f.batch.fn;
    }
    s.result_bytes = m.bytes.size();
    s.ok = m.ok;
    s.ranks = (int)f.workers.size();
    s.rank = m.rank < 0 ? 0 : m.rank;
    trace.task(std::move(s));
  }

  void trace_instant(int worker, const std::string& name, const std::string& detail) {
    if (RunTrace* trace = RunTrace::active()) trace->instant({pool_id_, worker, name, detail, now_seconds()});
  }

  // The world ranks of an MPI task's workers, in task-rank order: the key of its communicator.
  std::vector<int32_t> rank_set(const std::vector<int>& workers) {
    std::vector<int32_t> set;
    for (int w : workers) set.push_back(health_.rank(w).world_rank);
    return set;
  }

  // ---- placement -----------------------------------------------------------------------------

  void send_task(Batch&& b, const std::vector<int>& workers) {
    Flight f;
    f.outcome = OutcomeAgreement(workers.size());
    f.workers = workers;
    Message m;
    m.kind = MsgKind::Task;
    m.id = b.id;
    m.program = b.program;
    m.fn = b.fn;
    m.threads = b.threads;
    if (b.ranks > 1) {
      m.ranks = rank_set(workers);
      m.generation = generation_[m.ranks];
    }
    for (size_t i = 0; i < workers.size(); ++i) {
      // Small arguments go to every rank; larger ones to rank 0, which broadcasts them.
      m.bytes = i == 0 || b.items.size() <= kInlineArguments ? b.items : std::string();
      ship(workers[i], b.program, outbox_[workers[i]]);
      m.seq = f.seqs.emplace_back(links_[workers[i]].next_seq++);
      outbox_[workers[i]].push_back(encode(m));
    }
    if (debug_logging()) {
      std::string on;
      for (int w : workers) on += (on.empty() ? "" : ",") + std::to_string(w);
      log_debug("pool %d: task %llu (%s) on worker%s %s", pool_id_, (unsigned long long)b.id,
                programs_.function({b.program, b.fn}).name.c_str(), workers.size() > 1 ? "s" : "", on.c_str());
    }
    uint64_t id = b.id;
    f.batch = std::move(b);
    flights_[id] = std::move(f);
  }

  void place() {
    Placement::Round round = placement_.place(now_seconds());
    int world_wanted = round.world_wanted;
    for (Placement::Decision& d : round.sends) send_task(std::move(d.batch), d.workers);
    for (const Placement::Withdrawal& w : round.withdrawals) withdraw(w);
    if (world_wanted > 0 && launcher_ != LauncherKind::Local) {
      // Placement knows only ready ranks; ranks that said hello and are still loading the
      // program count too, and so does a world still starting.
      size_t largest = 0;
      std::map<int, size_t> live;
      for (auto& [id, r] : health_.ranks())
        if (!r.dead && !health_.dying(id)) largest = std::max(largest, ++live[r.world]);
      bool coming = false;
      for (auto& [id, w] : health_.worlds()) coming |= !w.exited && w.hellos < w.size && w.size >= world_wanted;
      if ((int)largest < world_wanted && !coming) {
        log_debug("pool %d: no world has %d live ranks; starting one", pool_id_, world_wanted);
        grow(world_wanted);
      }
    }
    // What was placed goes out as one message per worker.
    for (auto& [worker, messages] : outbox_) {
      if (messages.empty()) continue;
      tasks_->send_to(health_.rank(worker).routing_id, encode_bundle(messages));
      messages.clear();
    }
  }

  // Asks the worker holding a batch not to start it (on the heartbeat socket, which its
  // heartbeat thread reads even while the worker runs a long task).
  void withdraw(const Placement::Withdrawal& w) {
    auto it = flights_.find(w.id);
    if (it == flights_.end()) return;
    Message m;
    m.kind = MsgKind::Withdraw;
    m.id = w.id;
    m.seq = it->second.seqs.at(0);
    heartbeats_->send_to(health_.rank(w.worker).routing_id, encode(m));
    log_debug("pool %d: taking task %llu back from worker %d", pool_id_, (unsigned long long)w.id, w.worker);
  }

  // ---- failures ------------------------------------------------------------------------------

  void fail_batch(const Batch& b, const std::string& message, const std::string& task_line) {
    BatchOutcome out;
    out.id = b.id;
    out.ok = false;
    out.failed_item = 0;
    out.error.message = message;
    out.error.task = task_line;
    ++completed_;
    on_complete_(std::move(out));
  }

  void fail_queue(const std::string& message) {
    for (Batch& b : placement_.take_queue()) fail_batch(b, message, "");
  }

  std::string task_line(const Batch& b, int worker) {
    const Manifest& manifest = programs_.program(b.program).manifest();
    std::string call = manifest.functions[(size_t)b.fn].name + "(...)";
    try {
      msgpack::object_handle oh = msgpack::unpack(b.items.data(), b.items.size());
      const msgpack::object& items = oh.get();
      if (items.type == msgpack::type::ARRAY && items.via.array.size > 0)
        call = describe_call(manifest, b.fn, items.via.array.ptr[0]);
    } catch (const std::exception&) {
    }
    return "in task " + call + " on worker " + std::to_string(worker);
  }

  void check_health(double now) {
    WorkerHealth::Check c = health_.check(now);
    if (!c.launch_failure.empty() && broken_.empty()) {
      broken_ = c.launch_failure;
      log_debug("pool %d: %s", pool_id_, broken_.c_str());
      fail_queue(broken_);
    }
    for (int worker : c.dying) placement_.rank_unavailable(worker);
    int lost = 0;
    for (WorkerHealth::Death& d : c.dead) lost += settle_death(d.worker, d.why, d.note);
    if (lost > 0 && !stopping_now()) grow(lost);
  }

  bool stopping_now() {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    return stopping_;
  }

  // Settles the batches of a worker that has died: the one it was running fails, those behind
  // it run elsewhere; the other ranks of its MPI task are ended too. Returns the ranks lost.
  int settle_death(int worker, const std::string& why, const DeathNote& note) {
    std::string message = "worker " + std::to_string(worker) + " died: " + why;
    log_debug("pool %d: %s", pool_id_, message.c_str());
    trace_instant(worker, "worker died", why);
    std::deque<uint64_t> outstanding = placement_.rank_lost(worker);
    // The batch that was running: as the worker's death note says, else the oldest one.
    // Batches before it whose results were lost with the worker run again elsewhere.
    uint64_t running = outstanding.empty() ? 0 : outstanding.front();
    if (note.task && std::find(outstanding.begin(), outstanding.end(), note.task) != outstanding.end()) running = note.task;
    std::vector<Batch> requeue;
    std::vector<int> partners;  // ranks of an MPI task that lost this one
    for (size_t i = 0; i < outstanding.size(); ++i) {
      auto it = flights_.find(outstanding[i]);
      if (it == flights_.end()) continue;
      Flight f = std::move(it->second);
      flights_.erase(it);
      for (int other : f.workers) {
        if (other == worker) continue;
        const RankState& o = health_.rank(other);
        placement_.finished(other, f.batch.id, now_seconds());
        // The other ranks of an MPI task may wait forever for the dead one: end them too,
        // and count them lost now, so nothing new is placed on them meanwhile.
        if (f.workers.size() > 1 && !o.dead && o.pid > 0 && o.same_host) {
          ::kill(o.pid, SIGKILL);
          health_.ended_by_driver(other);
          partners.push_back(other);
        }
      }
      if (f.batch.id == running) fail_batch(f.batch, message, task_line(f.batch, worker));
      else requeue.push_back(std::move(f.batch));  // it had not started: run it elsewhere
    }
    placement_.requeue_front(std::move(requeue));
    int lost = 1;
    for (int p : partners)
      lost += settle_death(p, "ended by the driver after worker " + std::to_string(worker) + " of its MPI task died", {});
    return lost;
  }

  // Sends a message of `kind` (no other fields) to every live rank on `socket`.
  void tell_all(Socket& socket, MsgKind kind) {
    Message m;
    m.kind = kind;
    std::string bytes = encode(m);
    for (auto& [id, r] : health_.ranks())
      if (!r.dead) socket.send_to(r.routing_id, bytes);
  }

  void beat() { tell_all(*heartbeats_, MsgKind::Heartbeat); }

  void end_workers() {
    tell_all(*tasks_, MsgKind::Shutdown);
    // Worlds with ranks that never said hello cannot be told: end them now. Give the others
    // a moment to exit on their own (MPI_Finalize), then end what is left.
    for (auto& [id, w] : health_.worlds())
      if (!w.exited && (w.hellos < w.size || (launcher_ == LauncherKind::Flux && lost_a_rank(id)))) end_launched_world(w.pid);
    double deadline = now_seconds() + 2.0;
    while (now_seconds() < deadline) {
      bool alive = false;
      for (auto& [id, w] : health_.worlds()) {
        if (w.exited) continue;
        int status;
        if (::waitpid(w.pid, &status, WNOHANG) == w.pid) {
          w.exited = true;
          forget_launched(w.pid);
        } else {
          alive = true;
        }
      }
      if (!alive) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (auto& [id, w] : health_.worlds()) {
      if (w.exited) continue;
      end_launched_world(w.pid);
      int status;
      ::waitpid(w.pid, &status, 0);
      forget_launched(w.pid);
    }
    for (auto& [id, f] : flights_) fail_batch(f.batch, "cancelled: the pool shut down", "");
    flights_.clear();
    fail_queue("cancelled: the pool shut down");
    tasks_.reset();
    heartbeats_.reset();
  }

  // Under Flux the ranks of a world that lost one would wait in MPI_Finalize for it forever
  // (the job's PMI barrier counts every task): such a job is cancelled at once.
  bool lost_a_rank(int world) {
    for (auto& [id, r] : health_.ranks())
      if (r.world == world && r.dead) return true;
    return false;
  }

  const ProgramSet& programs_;
  PoolOptions options_;
  CompletionFn on_complete_;
  size_t completed_ = 0;  // batches reported to on_complete_ (a change ends a burst)
  LauncherKind launcher_;
  bool pinned_here_ = workers_pinned_here();  // after launcher_ and options_
  WorkerHealth health_;
  int width_ = 1;
  int pool_id_ = 0;
  std::unordered_map<int, std::pair<std::string, double>> hosts_;  // worker -> host, clock offset (s)
  Placement placement_;

  int wake_fd_ = -1;
  std::mutex inbox_mutex_;
  std::deque<Batch> inbox_;
  std::vector<CancelRequest> cancels_;
  bool stopping_ = false;
  std::thread thread_;

  // owned by the I/O thread
  std::unique_ptr<Socket> tasks_, heartbeats_;
  std::vector<int> worker_cpus_;  // the CPUs the workers may use (empty: this thread's)
  CurveKeys curve_;
  std::string task_endpoint_, heartbeat_endpoint_, bind_error_, broken_;
  std::map<int, std::vector<std::string>> outbox_;  // encoded Task messages per worker, this round
  std::map<std::vector<int32_t>, int> generation_;  // per MPI rank set: bumped after a failed task
  std::unordered_map<uint64_t, Flight> flights_;
  std::map<uint64_t, std::shared_ptr<std::promise<bool>>> pending_cancels_;  // Withdraw sent for cancel()
  struct Link {  // what was sent to one worker
    std::vector<bool> programs;  // objects, by program id
    bool ready = false;          // it answered the first one
    uint64_t next_seq = 0;       // the number its next Task message gets
  };
  std::map<int, Link> links_;
  int next_world_ = 0, next_worker_ = 0;
};

}  // namespace

std::unique_ptr<Executor> make_process_executor(const ProgramSet& programs, const PoolOptions& options,
                                                CompletionFn on_complete) {
  return std::make_unique<ProcessExecutor>(programs, options, std::move(on_complete));
}

}  // namespace wf::detail
