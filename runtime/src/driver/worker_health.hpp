// Which of a pool's workers are alive: the worlds it launched and the ranks that said hello,
// watched through a ProcessProbe (waitpid, the pid vanishing, the worker's death note) and
// heartbeats, so that the rules can be driven by a test with made-up processes and times.
//
// Events in: a world was launched, a rank said hello, a rank was heard from, a rank was ended
// by the driver. `check(now)` returns the decisions: ranks that stop taking work now (they
// are dying: their last messages may still be on the way), ranks dead for good after a grace
// period (with how they died, for the error of the batch they were running), and a launch
// failure if a world ended or timed out before all its ranks said hello. The executor does
// the rest (placement, requeueing, replacements).
//
// How a death is known: a local child by waitpid on the worker itself; an mpirun/srun world's
// rank on this host by its pid vanishing, with the signal from the death note the worker left
// (no note: SIGKILL, since only SIGKILL or the OOM killer stops a worker without one); a rank
// on another host by 5 s without a heartbeat; every rank of a world whose launcher ended.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "launch/launcher.hpp"

namespace wf::detail {

// What a dying worker wrote: its signal and the task it was running (0 if none).
struct DeathNote {
  int signal = 0;
  uint64_t task = 0;
};

// The operating system, as far as worker health needs it (a test replaces it).
class ProcessProbe {
 public:
  virtual ~ProcessProbe() = default;
  // True once `pid` (our child) has ended; `status` as waitpid gives it.
  virtual bool reaped(pid_t pid, int& status) = 0;
  // True if `pid` (not our child, this host) no longer exists.
  virtual bool vanished(pid_t pid) = 0;
  virtual DeathNote death_note(int worker) = 0;
};

// waitpid, kill(pid, 0) and the death notes in the run directory.
ProcessProbe& system_probe();

std::string signal_text(int sig);  // "signal 9 (Killed)"

struct WorldState {
  int id = -1;
  pid_t pid = 0;  // what was launched (worker, mpirun, srun)
  std::shared_ptr<LaunchReport> report;  // what the launcher said
  int size = 0;
  int hellos = 0;
  int worker_base = 0;
  bool exited = false;
  double started = 0;
};

struct RankState {
  int worker = -1;
  int world = -1;
  int world_rank = 0;
  pid_t pid = 0;
  bool local_child = false;  // the world's process is the worker itself: waitpid tells how it died
  bool same_host = true;
  bool dead = false;
  std::string routing_id;
  double last_heard = 0;
};

class WorkerHealth {
 public:
  static constexpr double kWorkerSilence = 5.0;  // seconds without a heartbeat: the rank is lost
  static constexpr double kStartTimeout = 60.0;  // seconds for a world to say hello
  static constexpr double kDeathGrace = 0.1;     // seconds to read a dying rank's last messages

  struct Death {
    int worker = -1;
    std::string why;  // "signal 9 (Killed)", "its launcher ended (exit status 1)", ...
    DeathNote note;
  };
  struct Check {
    std::vector<int> dying;    // take no new work from now on
    std::vector<Death> dead;   // settle their batches; each was alive until now
    std::string launch_failure;  // the pool cannot start workers ("" if it can)
  };

  WorkerHealth(ProcessProbe& probe, LauncherKind launcher) : probe_(probe), launcher_(launcher) {}

  void world_launched(const WorldState& w) { worlds_[w.id] = w; }
  // Records a hello; false (and nothing recorded) if it does not fit a launched world's slot.
  bool hello(const RankState& r);
  void heard(int worker, double now);
  Check check(double now);
  // The driver ended this rank itself (a partner of a dead rank's MPI task): dead now.
  void ended_by_driver(int worker);

  // The live rank with this routing id, or null.
  RankState* rank_by_routing(const std::string& routing_id);
  RankState& rank(int worker) { return ranks_.at(worker); }
  const std::map<int, RankState>& ranks() const { return ranks_; }
  std::map<int, WorldState>& worlds() { return worlds_; }
  bool dying(int worker) const { return dying_.count(worker) > 0; }

 private:
  void mark_dead(RankState& r);

  ProcessProbe& probe_;
  LauncherKind launcher_;
  std::map<int, WorldState> worlds_;
  std::map<int, RankState> ranks_;
  std::unordered_map<std::string, int> by_routing_;
  struct Dying {
    double noticed = 0;
    std::string why;
  };
  std::map<int, Dying> dying_;
  bool launch_failed_ = false;
};

}  // namespace wf::detail
