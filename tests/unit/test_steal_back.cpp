// Placement's steal-back (driver/placement.hpp) against a simulated pool: ranks that run the
// batches they are sent in order, each taking its made-up duration of simulated time, and
// that answer a withdrawal after a message delay only if they have not started the batch.
// Makespans are compared with the list-scheduling bound max(sum / W, max).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "driver/placement.hpp"

using namespace wf::detail;

namespace {

constexpr double kMessageDelay = 100e-6;  // one way, driver <-> worker

class SimulatedPool {
 public:
  SimulatedPool(int ranks, Placement& p) : p_(p) {
    for (int w = 0; w < ranks; ++w) {
      p_.rank_ready(w, 0);
      ranks_[w];
    }
  }

  // Queues batch `id` of `ranks` ranks that runs `seconds`.
  void submit(uint64_t id, double seconds, int ranks = 1) {
    Batch b;
    b.id = id;
    b.ranks = ranks;
    duration_[id] = seconds;
    p_.enqueue(std::move(b));
  }

  // Runs until every batch finished; returns the makespan.
  double run() {
    double start = now_;
    for (int guard = 0; guard < 10000000; ++guard) {
      Placement::Round round = p_.place(now_);
      for (auto& d : round.sends)
        for (int w : d.workers) arrive(w, d.batch.id);
      for (auto& w : round.withdrawals) {
        ++withdrawals_asked;
        pending_withdrawals_.push_back({now_ + kMessageDelay, w.worker, w.id});
      }
      if (!step()) break;
    }
    return now_ - start;
  }

  std::map<uint64_t, int> runs;  // batch -> how many times it ran
  std::map<uint64_t, std::set<int>> ran_on;
  int withdrawals_asked = 0, withdrawals_granted = 0;

 private:
  struct Rank {
    std::deque<uint64_t> fifo;  // front runs once `started`
    bool started = false;
    double ends = 0;
  };
  struct PendingWithdrawal {
    double at;
    int worker;
    uint64_t id;
  };

  void arrive(int w, uint64_t id) {
    // An MPI batch starts when every one of its ranks is free; this simulation only mixes
    // serial and MPI batches on ranks that are idle (Placement guarantees it), so it starts
    // each rank's part on its own.
    ranks_[w].fifo.push_back(id);
    start_next(w);
  }

  void start_next(int w) {
    Rank& r = ranks_[w];
    if (r.started || r.fifo.empty()) return;
    r.started = true;
    r.ends = now_ + kMessageDelay + duration_[r.fifo.front()];
  }

  // Advances to the next event: a rank finishing, or a withdrawal reaching its worker.
  bool step() {
    double next = INFINITY;
    for (auto& [w, r] : ranks_)
      if (r.started) next = std::min(next, r.ends);
    for (auto& pw : pending_withdrawals_) next = std::min(next, pw.at);
    if (next == INFINITY) return false;
    now_ = next;
    for (auto it = pending_withdrawals_.begin(); it != pending_withdrawals_.end();) {
      if (it->at > now_) {
        ++it;
        continue;
      }
      Rank& r = ranks_[it->worker];
      auto pos = std::find(r.fifo.begin(), r.fifo.end(), it->id);
      bool not_started = pos != r.fifo.end() && !(pos == r.fifo.begin() && r.started);
      if (not_started) {
        r.fifo.erase(pos);
        ++withdrawals_granted;
        EXPECT_TRUE(p_.withdrawn(it->worker, it->id));
        Batch b;
        b.id = it->id;
        std::vector<Batch> again;
        again.push_back(b);
        p_.requeue_front(std::move(again));
      }
      it = pending_withdrawals_.erase(it);
    }
    for (auto& [w, r] : ranks_) {
      if (!r.started || r.ends > now_) continue;
      uint64_t id = r.fifo.front();
      r.fifo.pop_front();
      r.started = false;
      ++runs[id];
      ran_on[id].insert(w);
      EXPECT_TRUE(p_.finished(w, id, now_ + kMessageDelay));
      start_next(w);
    }
    return true;
  }

  Placement& p_;
  std::map<int, Rank> ranks_;
  std::map<uint64_t, double> duration_;
  std::vector<PendingWithdrawal> pending_withdrawals_;
  double now_ = 0;
};

double bound(const std::vector<double>& d, int workers) {
  double sum = std::accumulate(d.begin(), d.end(), 0.0);
  return std::max(sum / workers, *std::max_element(d.begin(), d.end()));
}

// A pipeline as deep as the one learned from many tiny tasks.
Placement warmed_up() {
  Placement p;
  for (int i = 0; i < 2000; ++i) p.learn_run_time(0, 0, 5);
  return p;
}

}  // namespace

TEST(StealBackTest, OneLongAndSevenShortTasksAfterTinyOnesFinishNearTheBound) {
  // W7 (a) of BENCHMARKS.md: without steal-back the long task's rank holds 3 short ones.
  Placement p = warmed_up();
  ASSERT_GE(p.prefetch(), 8u);
  SimulatedPool pool(2, p);
  std::vector<double> d = {0.8, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
  for (size_t i = 0; i < d.size(); ++i) pool.submit(i + 1, d[i]);
  double makespan = pool.run();
  EXPECT_LE(makespan, 1.05 * bound(d, 2)) << "makespan " << makespan;
  EXPECT_GE(pool.withdrawals_granted, 3);
  for (auto& [id, n] : pool.runs) EXPECT_EQ(n, 1) << "batch " << id;
  EXPECT_EQ(pool.runs.size(), d.size());
}

TEST(StealBackTest, LogUniformDurationsOnEightRanksFinishNearTheBound) {
  // W7 (b): 4000 tasks, log-uniform in 0.1-20 ms.
  Placement p = warmed_up();
  SimulatedPool pool(8, p);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(std::log(0.1e-3), std::log(20e-3));
  std::vector<double> d;
  for (uint64_t i = 1; i <= 4000; ++i) {
    d.push_back(std::exp(u(rng)));
    pool.submit(i, d.back());
  }
  double makespan = pool.run();
  EXPECT_LE(makespan, 1.05 * bound(d, 8)) << "makespan " << makespan << ", bound " << bound(d, 8);
  for (auto& [id, n] : pool.runs) ASSERT_EQ(n, 1) << "batch " << id;
  EXPECT_EQ(pool.runs.size(), d.size());
}

TEST(StealBackTest, TinyTasksAreNeverTakenBack) {
  Placement p = warmed_up();
  SimulatedPool pool(2, p);
  for (uint64_t i = 1; i <= 5000; ++i) pool.submit(i, 5e-6);
  pool.run();
  EXPECT_EQ(pool.withdrawals_asked, 0) << "a pipeline of 5 us tasks drains by itself";
  EXPECT_EQ(pool.runs.size(), 5000u);
}

TEST(StealBackTest, AnIdleRankTakesTheNewestOfThreeQueuedBatches) {
  // All four on rank 0 (rank 1 is not ready yet when they are placed).
  Placement q(4);
  Batch b;
  q.rank_ready(0, 0);
  for (uint64_t id = 1; id <= 4; ++id) {
    b.id = id;
    q.enqueue(b);
  }
  ASSERT_EQ(q.place(0).sends.size(), 4u);
  q.rank_ready(1, 0);
  EXPECT_TRUE(q.place(0.001).withdrawals.empty()) << "batch 1 has run only 1 ms: too early";
  Placement::Round round = q.place(0.003);
  ASSERT_EQ(round.withdrawals.size(), 1u);
  EXPECT_EQ(round.withdrawals[0].worker, 0);
  EXPECT_EQ(round.withdrawals[0].id, 4u) << "the newest queued batch";
  EXPECT_TRUE(q.place(0.004).withdrawals.empty()) << "one withdrawal per idle rank at a time";
  ASSERT_TRUE(q.withdrawn(0, 4));
  EXPECT_FALSE(q.holds(0, 4));
  b.id = 4;
  std::vector<Batch> again{b};
  q.requeue_front(std::move(again));
  Placement::Round next = q.place(0.005);
  ASSERT_EQ(next.sends.size(), 1u);
  EXPECT_EQ(next.sends[0].batch.id, 4u);
  EXPECT_EQ(next.sends[0].workers, std::vector<int>{1});
}

TEST(StealBackTest, ABatchTheWorkerStartedFirstIsNotPlacedAgain) {
  Placement q(4);
  q.rank_ready(0, 0);
  Batch b;
  for (uint64_t id = 1; id <= 2; ++id) {
    b.id = id;
    q.enqueue(b);
  }
  q.place(0);
  q.rank_ready(1, 0);
  Placement::Round round = q.place(0.01);
  ASSERT_EQ(round.withdrawals.size(), 1u);
  ASSERT_EQ(round.withdrawals[0].id, 2u);
  // The worker finished batch 1 and started batch 2 before the withdrawal reached it: it
  // never says "withdrawn"; batch 2's result comes instead.
  EXPECT_TRUE(q.finished(0, 1, 0.011));
  EXPECT_TRUE(q.finished(0, 2, 0.02));
  EXPECT_FALSE(q.withdrawn(0, 2)) << "a late confirmation must not place it again";
  EXPECT_EQ(q.queued(), 0u);
  EXPECT_EQ(q.outstanding(0), 0u);
}

TEST(StealBackTest, MpiBatchesAreNeverTakenBackAndStillGetTheirRanks) {
  Placement p = warmed_up();
  SimulatedPool pool(2, p);
  std::vector<double> d;
  uint64_t id = 1;
  for (int i = 0; i < 40; ++i) {
    pool.submit(id++, i % 10 == 0 ? 0.05 : 0.004);
    if (i % 8 == 0) pool.submit(id++, 0.01, 2);  // an mpi(ranks=2) task among them
  }
  pool.run();
  for (auto& [bid, n] : pool.runs) EXPECT_EQ(n, pool.ran_on[bid].size() == 2 ? 2 : 1) << "batch " << bid;
  EXPECT_EQ(pool.runs.size(), (size_t)id - 1) << "every batch ran, MPI ones included";
}

TEST(StealBackTest, ALostRankEndsItsWithdrawals) {
  Placement q(4);
  q.rank_ready(0, 0);
  Batch b;
  for (uint64_t id = 1; id <= 3; ++id) {
    b.id = id;
    q.enqueue(b);
  }
  q.place(0);
  q.rank_ready(1, 0);
  ASSERT_EQ(q.place(0.01).withdrawals.size(), 1u);
  EXPECT_EQ(q.rank_lost(0), (std::deque<uint64_t>{1, 2, 3}));
  EXPECT_FALSE(q.withdrawn(0, 3)) << "the executor settles a lost rank's batches itself";
}
