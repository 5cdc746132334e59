// The rules of worker_health.hpp, and the real ProcessProbe.
#include "driver/worker_health.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace wf::detail {

namespace {

class SystemProbe : public ProcessProbe {
 public:
  bool reaped(pid_t pid, int& status) override { return ::waitpid(pid, &status, WNOHANG) == pid; }
  bool vanished(pid_t pid) override { return ::kill(pid, 0) != 0 && errno == ESRCH; }
  DeathNote death_note(int worker) override {
    DeathNote note;
    std::ifstream in(run_directory() + "/" + std::to_string(worker));
    in >> note.signal >> note.task;
    return note;
  }
};

std::string how_it_ended(int status) {
  return WIFSIGNALED(status) ? signal_text(WTERMSIG(status)) : "exit status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

ProcessProbe& system_probe() {
  static SystemProbe probe;
  return probe;
}

std::string signal_text(int sig) {
  const char* name = ::strsignal(sig);
  return "signal " + std::to_string(sig) + " (" + (name ? name : "unknown") + ")";
}

bool WorkerHealth::hello(const RankState& r) {
  auto w = worlds_.find(r.world);
  if (w == worlds_.end() || r.routing_id != "w" + std::to_string(r.worker) || r.worker < w->second.worker_base ||
      r.worker >= w->second.worker_base + w->second.size || ranks_.count(r.worker))
    return false;
  w->second.hellos++;
  ranks_[r.worker] = r;
  by_routing_[r.routing_id] = r.worker;
  return true;
}

void WorkerHealth::heard(int worker, double now) {
  auto it = ranks_.find(worker);
  if (it != ranks_.end()) it->second.last_heard = now;
}

RankState* WorkerHealth::rank_by_routing(const std::string& routing_id) {
  auto it = by_routing_.find(routing_id);
  if (it == by_routing_.end()) return nullptr;
  RankState& r = ranks_[it->second];
  return r.dead ? nullptr : &r;
}

void WorkerHealth::mark_dead(RankState& r) {
  r.dead = true;
  by_routing_.erase(r.routing_id);
  if (!r.local_child && r.pid > 0) forget_launched(r.pid);
}

void WorkerHealth::ended_by_driver(int worker) {
  auto it = ranks_.find(worker);
  if (it == ranks_.end() || it->second.dead) return;
  mark_dead(it->second);
  dying_.erase(worker);
}

WorkerHealth::Check WorkerHealth::check(double now) {
  Check out;
  std::vector<std::pair<int, std::string>> deaths;
  for (auto& [id, w] : worlds_) {
    if (w.exited) continue;
    int status = 0;
    if (!probe_.reaped(w.pid, status)) continue;
    forget_launched(w.pid);
    w.exited = true;
    std::string how = how_it_ended(status);
    for (auto& [wid, r] : ranks_)
      if (r.world == id && !r.dead) deaths.push_back({wid, r.local_child ? how : "its launcher ended (" + how + ")"});
    if (w.hellos < w.size && !launch_failed_ && (launcher_ != LauncherKind::Local || w.hellos == 0)) {
      // The world ended before all its ranks said hello: a launch failure.
      std::string diagnosis = w.report ? w.report->wait_for_diagnosis(0.5) : "";
      out.launch_failure = diagnosis.empty()
                               ? "workers failed to start (" + std::string(launcher_name(launcher_)) + " ended with " + how + ")"
                               : "workers failed to start: " + diagnosis;
      launch_failed_ = true;
    }
  }
  for (auto& [wid, r] : ranks_) {
    if (r.dead || r.local_child || dying_.count(wid)) continue;
    if (r.same_host && r.pid > 0 && probe_.vanished(r.pid)) {
      DeathNote note = probe_.death_note(wid);
      // Vanished without a word: only SIGKILL (or the OOM killer) does that.
      deaths.push_back({wid, signal_text(note.signal > 0 ? note.signal : SIGKILL)});
    } else if (now - r.last_heard > kWorkerSilence) {
      deaths.push_back({wid, "no heartbeat for " + std::to_string((int)kWorkerSilence) + " s"});
    }
  }
  for (auto& [id, w] : worlds_)
    if (!w.exited && w.hellos < w.size && now - w.started > kStartTimeout && !launch_failed_) {
      out.launch_failure = "workers did not start within " + std::to_string((int)kStartTimeout) + " s";
      launch_failed_ = true;
    }
  // A rank's last messages (the result of the task before the fatal one) may still be on
  // their way: it is dead only after a grace period in which they are read.
  for (auto& [wid, why] : deaths)
    if (!dying_.count(wid)) {
      dying_[wid] = {now, why};
      out.dying.push_back(wid);
    }
  for (auto it = dying_.begin(); it != dying_.end();) {
    if (now - it->second.noticed < kDeathGrace) {
      ++it;
      continue;
    }
    RankState& r = ranks_[it->first];
    if (!r.dead) {
      mark_dead(r);
      out.dead.push_back({it->first, it->second.why, probe_.death_note(it->first)});
    }
    it = dying_.erase(it);
  }
  return out;
}

}  // namespace wf::detail
