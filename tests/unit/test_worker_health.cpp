// Worker health (driver/worker_health.hpp), driven by a made-up operating system: processes
// that end when the test says so, death notes it writes, and times it chooses.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <map>
#include <set>

#include "driver/worker_health.hpp"

using namespace wf::detail;

namespace {

class FakeProbe : public ProcessProbe {
 public:
  std::map<pid_t, int> ended;   // child pid -> waitpid status, once it has ended
  std::set<pid_t> gone;         // non-child pids that no longer exist
  std::map<int, DeathNote> notes;

  bool reaped(pid_t pid, int& status) override {
    auto it = ended.find(pid);
    if (it == ended.end()) return false;
    status = it->second;
    ended.erase(it);  // waitpid reports a child once
    return true;
  }
  bool vanished(pid_t pid) override { return gone.count(pid) > 0; }
  DeathNote death_note(int worker) override { return notes.count(worker) ? notes[worker] : DeathNote{}; }
};

// waitpid statuses as the kernel encodes them.
int killed_by(int sig) { return sig; }
int exited_with(int code) { return code << 8; }

WorldState world(int id, pid_t pid, int size, int worker_base, double started = 0) {
  WorldState w;
  w.id = id;
  w.pid = pid;
  w.size = size;
  w.worker_base = worker_base;
  w.started = started;
  return w;
}

RankState rank(int worker, int world, pid_t pid, bool local_child, double now = 0, bool same_host = true) {
  RankState r;
  r.worker = worker;
  r.world = world;
  r.world_rank = worker;
  r.pid = pid;
  r.local_child = local_child;
  r.same_host = same_host;
  r.routing_id = "w" + std::to_string(worker);
  r.last_heard = now;
  return r;
}

}  // namespace

TEST(WorkerHealthTest, HelloMustFitALaunchedWorldsSlot) {
  FakeProbe os;
  WorkerHealth h(os, LauncherKind::Mpirun);
  h.world_launched(world(0, 100, 2, 0));
  EXPECT_TRUE(h.hello(rank(0, 0, 200, false)));
  EXPECT_FALSE(h.hello(rank(0, 0, 200, false))) << "a second hello for the same worker";
  EXPECT_FALSE(h.hello(rank(2, 0, 202, false))) << "worker 2 is outside world 0 (workers 0..1)";
  EXPECT_FALSE(h.hello(rank(1, 7, 201, false))) << "no world 7 was launched";
  RankState wrong_id = rank(1, 0, 201, false);
  wrong_id.routing_id = "w5";
  EXPECT_FALSE(h.hello(wrong_id)) << "the routing id must name the worker";
  EXPECT_NE(h.rank_by_routing("w0"), nullptr);
  EXPECT_EQ(h.rank_by_routing("w1"), nullptr);
}

TEST(WorkerHealthTest, ALocalChildIsDyingAtOnceAndDeadAfterTheGracePeriodWithItsSignal) {
  FakeProbe os;
  WorkerHealth h(os, LauncherKind::Local);
  h.world_launched(world(0, 100, 1, 0));
  h.world_launched(world(1, 101, 1, 1));
  ASSERT_TRUE(h.hello(rank(0, 0, 100, true)));
  ASSERT_TRUE(h.hello(rank(1, 1, 101, true)));
  os.ended[100] = killed_by(SIGKILL);
  os.notes[0] = {SIGKILL, 42};

  WorkerHealth::Check first = h.check(1.0);
  EXPECT_EQ(first.dying, std::vector<int>{0});
  EXPECT_TRUE(first.dead.empty()) << "its last messages may still come: not dead yet";
  EXPECT_NE(h.rank_by_routing("w0"), nullptr) << "a dying rank's messages are still read";
  EXPECT_TRUE(h.dying(0));

  WorkerHealth::Check later = h.check(1.0 + WorkerHealth::kDeathGrace);
  ASSERT_EQ(later.dead.size(), 1u);
  EXPECT_EQ(later.dead[0].worker, 0);
  EXPECT_EQ(later.dead[0].why, "signal 9 (Killed)");
  EXPECT_EQ(later.dead[0].note.task, 42u) << "the death note says which task was running";
  EXPECT_EQ(h.rank_by_routing("w0"), nullptr);
  EXPECT_TRUE(later.launch_failure.empty()) << "a worker that said hello and died is not a launch failure";

  EXPECT_TRUE(h.check(5.0).dead.empty()) << "a death is reported once";
}

TEST(WorkerHealthTest, AnMpirunRankThatVanishesIsKilledBySigkillUnlessItsNoteSaysOtherwise) {
  FakeProbe os;
  WorkerHealth h(os, LauncherKind::Mpirun);
  h.world_launched(world(0, 100, 3, 0));
  for (int w = 0; w < 3; ++w) ASSERT_TRUE(h.hello(rank(w, 0, 200 + w, false)));
  os.gone = {200, 201};
  os.notes[1] = {SIGSEGV, 0};
  h.check(0.0);
  WorkerHealth::Check c = h.check(0.0 + WorkerHealth::kDeathGrace);
  ASSERT_EQ(c.dead.size(), 2u);
  EXPECT_EQ(c.dead[0].worker, 0);
  EXPECT_EQ(c.dead[0].why, "signal 9 (Killed)") << "no death note: only SIGKILL ends a worker without one";
  EXPECT_EQ(c.dead[1].worker, 1);
  EXPECT_EQ(c.dead[1].why, "signal 11 (Segmentation fault)");
  EXPECT_NE(h.rank_by_routing("w2"), nullptr) << "the third rank is alive";
}

TEST(WorkerHealthTest, ARankOnAnotherHostIsLostAfterFiveSecondsOfSilence) {
  FakeProbe os;
  WorkerHealth h(os, LauncherKind::Mpirun);
  h.world_launched(world(0, 100, 1, 0));
  ASSERT_TRUE(h.hello(rank(0, 0, 300, false, /*now=*/0.0, /*same_host=*/false)));
  os.gone = {300};  // a pid on another host means nothing here
  EXPECT_TRUE(h.check(4.0).dying.empty());
  h.heard(0, 4.5);
  EXPECT_TRUE(h.check(9.0).dying.empty()) << "heard from at 4.5 s";
  EXPECT_EQ(h.check(9.6).dying, std::vector<int>{0});
  WorkerHealth::Check c = h.check(10.0);
  ASSERT_EQ(c.dead.size(), 1u);
  EXPECT_EQ(c.dead[0].why, "no heartbeat for 5 s");
}

TEST(WorkerHealthTest, EveryRankOfAWorldWhoseLauncherEndedIsDead) {
  FakeProbe os;
  WorkerHealth h(os, LauncherKind::Mpirun);
  h.world_launched(world(0, 100, 2, 0));
  ASSERT_TRUE(h.hello(rank(0, 0, 200, false)));
  ASSERT_TRUE(h.hello(rank(1, 0, 201, false)));
  os.ended[100] = exited_with(1);
  EXPECT_EQ(h.check(0.0).dying, (std::vector<int>{0, 1}));
  WorkerHealth::Check c = h.check(1.0);
  ASSERT_EQ(c.dead.size(), 2u);
  EXPECT_EQ(c.dead[0].why, "its launcher ended (exit status 1)");
  EXPECT_TRUE(c.launch_failure.empty()) << "both ranks had said hello";
}

TEST(WorkerHealthTest, AWorldThatEndsBeforeItsHellosIsALaunchFailureReportedOnce) {
  FakeProbe os;
  WorkerHealth h(os, LauncherKind::Mpirun);
  h.world_launched(world(0, 100, 2, 0));
  ASSERT_TRUE(h.hello(rank(0, 0, 200, false)));
  os.ended[100] = exited_with(213);
  WorkerHealth::Check c = h.check(0.0);
  EXPECT_EQ(c.launch_failure, "workers failed to start (mpirun ended with exit status 213)");
  h.world_launched(world(1, 101, 2, 2));
  os.ended[101] = exited_with(1);
  EXPECT_TRUE(h.check(0.5).launch_failure.empty()) << "the pool is already broken: said once";
}

TEST(WorkerHealthTest, AWorldThatNeverSaysHelloTimesOut) {
  FakeProbe os;
  WorkerHealth h(os, LauncherKind::Slurm);
  h.world_launched(world(0, 100, 4, 0, /*started=*/10.0));
  EXPECT_TRUE(h.check(10.0 + WorkerHealth::kStartTimeout - 1).launch_failure.empty());
  EXPECT_EQ(h.check(10.0 + WorkerHealth::kStartTimeout + 1).launch_failure, "workers did not start within 60 s");
}

TEST(WorkerHealthTest, ARankEndedByTheDriverIsDeadAndNotReportedAgain) {
  FakeProbe os;
  WorkerHealth h(os, LauncherKind::Mpirun);
  h.world_launched(world(0, 100, 2, 0));
  ASSERT_TRUE(h.hello(rank(0, 0, 200, false)));
  ASSERT_TRUE(h.hello(rank(1, 0, 201, false)));
  os.gone = {200, 201};
  EXPECT_EQ(h.check(0.0).dying, (std::vector<int>{0, 1}));
  h.ended_by_driver(1);  // the driver settled it as worker 0's MPI partner
  WorkerHealth::Check c = h.check(1.0);
  ASSERT_EQ(c.dead.size(), 1u);
  EXPECT_EQ(c.dead[0].worker, 0);
  EXPECT_TRUE(h.rank(1).dead);
}
