// Placement (driver/placement.hpp) and the MPI outcome agreement (driver/mpi_agreement.hpp),
// driven by made-up events: no sockets, no processes, no clock.
#include <gtest/gtest.h>

#include <set>

#include "driver/mpi_agreement.hpp"
#include "driver/placement.hpp"

using namespace wf::detail;

namespace {

Batch batch(uint64_t id, int ranks = 1) {
  Batch b;
  b.id = id;
  b.ranks = ranks;
  return b;
}

std::vector<Placement::Decision> place(Placement& p, double now = 0) { return p.place(now).sends; }

}  // namespace

TEST(PlacementTest, SerialBatchesGoToTheLeastLoadedRankUpToThePrefetchDepth) {
  Placement p(2);
  p.rank_ready(0, 0);
  p.rank_ready(1, 0);
  for (uint64_t id = 1; id <= 5; ++id) p.enqueue(batch(id));
  auto d = place(p);
  ASSERT_EQ(d.size(), 4u);  // 2 ranks x prefetch 2; the fifth waits
  EXPECT_EQ(p.outstanding(0), 2u);
  EXPECT_EQ(p.outstanding(1), 2u);
  EXPECT_EQ(p.queued(), 1u);
  EXPECT_NE(d[0].workers[0], d[1].workers[0]);  // spread before stacking
  p.finished(d[1].workers[0], d[1].batch.id, 0);
  auto next = place(p);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].batch.id, 5u);
  EXPECT_EQ(next[0].workers[0], d[1].workers[0]);
}

TEST(PlacementTest, PrefetchDepthFollowsRunTimes) {
  Placement p;
  EXPECT_EQ(p.prefetch(), 2u);
  for (int i = 0; i < 50; ++i) p.learn_run_time(0, 0, 10);  // 10 us tasks: a deep pipeline
  EXPECT_GT(p.prefetch(), 100u);
  for (int i = 0; i < 200; ++i) p.learn_run_time(0, 0, 100000);  // 100 ms tasks: one waiting
  EXPECT_EQ(p.prefetch(), 2u);
  Placement fixed(3);
  fixed.learn_run_time(0, 0, 1);
  EXPECT_EQ(fixed.prefetch(), 3u);
}

// Each function has its own estimate: after many tiny tasks of one function, a long
// function's batches are placed two per rank, and the tiny ones still go deep.
TEST(PlacementTest, EachFunctionHasItsOwnRunTimeEstimate) {
  Placement p;
  for (int i = 0; i < 2000; ++i) p.learn_run_time(0, 1, 5);  // fn 1: 5 us
  EXPECT_GT(p.prefetch(0, 1), 300u);
  EXPECT_EQ(p.prefetch(0, 2), 2u) << "a function not measured yet counts as the whole budget";
  EXPECT_EQ(p.prefetch(1, 1), 2u) << "the same index in another program is another function";
  p.rank_ready(0, 0);
  p.rank_ready(1, 0);
  auto of = [](uint64_t id, int fn) {
    Batch b = batch(id);
    b.fn = fn;
    return b;
  };
  for (uint64_t id = 1; id <= 20; ++id) p.enqueue(of(id, 2));  // long (unknown) tasks
  EXPECT_EQ(place(p).size(), 4u);
  EXPECT_EQ(p.outstanding(0), 2u);
  EXPECT_EQ(p.outstanding(1), 2u);
  // Tiny batches behind them wait their turn (the queue keeps submission order) ...
  Placement q;
  for (int i = 0; i < 2000; ++i) q.learn_run_time(0, 1, 5);
  q.rank_ready(0, 0);
  for (uint64_t id = 1; id <= 500; ++id) q.enqueue(of(id, 1));
  EXPECT_EQ(place(q).size(), 401u) << "2 ms of 5 us tasks waiting behind the running one";
  // ... and a measured long function fills the budget with one waiting batch.
  Placement r;
  for (int i = 0; i < 10; ++i) r.learn_run_time(0, 3, 1500);
  r.rank_ready(0, 0);
  for (uint64_t id = 1; id <= 5; ++id) r.enqueue(of(id, 3));
  EXPECT_EQ(place(r).size(), 2u);
  // A mixed pipeline: the budget counts what is waiting, whatever function it is.
  Placement m;
  for (int i = 0; i < 10; ++i) {
    m.learn_run_time(0, 1, 5);
    m.learn_run_time(0, 3, 1500);
  }
  m.rank_ready(0, 0);
  m.enqueue(of(1, 3));  // runs
  m.enqueue(of(2, 3));  // waits: 1500 of 2000 us
  for (uint64_t id = 3; id <= 300; ++id) m.enqueue(of(id, 1));
  EXPECT_EQ(place(m).size(), 2u + 100u) << "500 us of budget left: 100 tiny batches";
}

TEST(PlacementTest, AnMpiBatchNeedsIdleRanksOfOneWorld) {
  Placement p(4);
  p.rank_ready(0, 0);
  p.rank_ready(1, 0);
  p.rank_ready(2, 1);  // a replacement in a world of its own
  p.enqueue(batch(1, 2));
  auto d = place(p);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].workers, (std::vector<int>{0, 1}));
  p.enqueue(batch(2, 3));
  Placement::Round round = p.place(0);
  EXPECT_TRUE(round.sends.empty());
  EXPECT_EQ(round.world_wanted, 3);  // no world has 3 live ranks: the executor may start one
}

TEST(PlacementTest, AWaitingMpiBatchIsNotStarvedBySerialWork) {
  Placement p(2);
  p.rank_ready(0, 0);
  p.rank_ready(1, 0);
  p.enqueue(batch(1));      // occupies rank 0
  p.enqueue(batch(2, 2));   // needs both ranks
  auto first = place(p);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].batch.id, 1u);
  // Serial work keeps coming, but the idle rank is held for the MPI batch.
  for (uint64_t id = 3; id <= 6; ++id) p.enqueue(batch(id));
  auto second = place(p);
  for (auto& d : second) EXPECT_NE(d.workers[0], 1) << "batch " << d.batch.id << " took the reserved rank";
  // Rank 0 drains: its queued serial batches finish, then the MPI batch gets both ranks.
  p.finished(0, 1, 0);
  for (auto& d : second) p.finished(d.workers[0], d.batch.id, 0);
  bool mpi_placed = false;
  for (int round = 0; round < 10 && !mpi_placed; ++round) {
    for (auto& d : place(p)) {
      if (d.batch.id == 2) {
        mpi_placed = true;
        EXPECT_EQ(d.workers.size(), 2u);
      } else {
        p.finished(d.workers[0], d.batch.id, 0);
      }
    }
  }
  EXPECT_TRUE(mpi_placed);
}

TEST(PlacementTest, AnMpiBatchPlacedOnOtherRanksLeavesNoReservationBehind) {
  // integration_mpi_side_by_side once ran 4 mpi(ranks=2) tasks on 4 ranks two by two but
  // never used rank 3 again: reserved for a batch that then started on ranks 0 and 1.
  Placement p(4);
  p.enqueue(batch(1, 2));
  p.enqueue(batch(2, 2));
  p.enqueue(batch(3, 2));
  p.rank_ready(0, 0);
  p.rank_ready(1, 0);
  auto first = place(p);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].workers, (std::vector<int>{0, 1}));
  p.rank_ready(3, 0);
  EXPECT_TRUE(place(p).empty());  // batch 2 reserves rank 3 and waits for a second rank
  p.finished(0, 1, 0);
  p.finished(1, 1, 0);
  auto second = place(p);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].batch.id, 2u);
  EXPECT_EQ(second[0].workers[0], 3) << "the rank reserved for batch 2 is one of its ranks";
  p.rank_ready(2, 0);
  auto third = place(p);
  ASSERT_EQ(third.size(), 1u) << "batch 3 gets the two ranks batch 2 left";
  EXPECT_EQ(third[0].batch.id, 3u);
}

TEST(PlacementTest, ADyingRankGetsNoNewWorkAndGivesBackWhatItHeld) {
  Placement p(2);
  p.rank_ready(0, 0);
  p.rank_ready(1, 0);
  p.enqueue(batch(1));
  p.enqueue(batch(2));
  auto d = place(p);
  ASSERT_EQ(d.size(), 2u);
  int dying = d[0].workers[0];
  p.rank_unavailable(dying);
  p.enqueue(batch(3));
  auto more = place(p);
  ASSERT_EQ(more.size(), 1u);
  EXPECT_NE(more[0].workers[0], dying);
  EXPECT_TRUE(p.holds(dying, d[0].batch.id));  // its last report may still arrive
  std::deque<uint64_t> held = p.rank_lost(dying);
  EXPECT_EQ(held, (std::deque<uint64_t>{d[0].batch.id}));
  EXPECT_FALSE(p.holds(dying, d[0].batch.id));
  std::vector<Batch> again;
  again.push_back(batch(d[0].batch.id));
  p.requeue_front(std::move(again));
  EXPECT_EQ(p.take_queue().front().id, d[0].batch.id);
}

TEST(OutcomeAgreementTest, RankZerosResultWhenEveryRankSucceeds) {
  OutcomeAgreement a(3);
  BatchOutcome r1;
  r1.rank = 1;
  r1.results = "one";
  EXPECT_FALSE(a.report(std::move(r1)));
  BatchOutcome r0;
  r0.rank = 0;
  r0.results = "zero";
  EXPECT_FALSE(a.report(std::move(r0)));
  BatchOutcome r2;
  r2.rank = 2;
  r2.results = "two";
  EXPECT_TRUE(a.report(std::move(r2)));
  BatchOutcome out = a.take();
  EXPECT_TRUE(out.ok);
  EXPECT_EQ(out.results, "zero");
}

TEST(OutcomeAgreementTest, TheLowestRankThatFailedByItselfWins) {
  OutcomeAgreement a(4);
  auto report = [&](int rank, bool ok, bool aborted, const char* message) {
    BatchOutcome r;
    r.rank = rank;
    r.ok = ok;
    r.aborted = aborted;
    r.error.message = message;
    return a.report(std::move(r));
  };
  EXPECT_FALSE(report(0, false, true, "aborted by rank 3"));
  EXPECT_FALSE(report(3, false, false, "rank 3 failed"));
  EXPECT_FALSE(report(2, false, false, "rank 2 failed"));
  EXPECT_TRUE(report(1, true, false, ""));
  BatchOutcome out = a.take();
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.error.message, "rank 2 failed");
}

// threads=T (LANGUAGE.md §18): a batch holds T-1 more idle ranks while it runs, waits until
// that many are idle at once, and gives them back when it ends.
TEST(PlacementTest, AThreadedBatchHoldsIdleRanksForItsThreadsUntilItEnds) {
  Placement p(2);
  for (int w = 0; w < 4; ++w) p.rank_ready(w, w);  // local workers: one world each
  Batch wide = batch(1);
  wide.threads = 3;
  p.enqueue(wide);
  auto d = place(p);
  ASSERT_EQ(d.size(), 1u);
  ASSERT_EQ(d[0].workers.size(), 1u);  // it runs on one rank ...
  EXPECT_EQ(p.busy_ranks(), 3u);       // ... and holds two more
  for (uint64_t id = 2; id <= 3; ++id) p.enqueue(batch(id));
  auto serial = place(p);
  // Never on a lent rank: on the free one, or queued behind the threaded batch on its runner.
  ASSERT_EQ(serial.size(), 2u);
  std::set<int> allowed = {d[0].workers[0]};
  for (int w = 0; w < 4; ++w)
    if (w != d[0].workers[0] && !p.busy(w)) allowed.insert(w);
  for (auto& s : serial) {
    EXPECT_TRUE(allowed.count(s.workers[0]) || s.workers[0] == serial[0].workers[0]) << s.workers[0];
    p.finished(s.workers[0], s.batch.id, 0);
  }
  EXPECT_EQ(p.busy_ranks(), 3u);  // the threaded batch and its two lent ranks
  p.finished(d[0].workers[0], 1, 0);
  place(p);
  EXPECT_EQ(p.busy_ranks(), 0u);  // the lent ranks are free again
}

TEST(PlacementTest, AThreadedBatchWaitsForEnoughIdleRanksAndReservesThem) {
  Placement p(1);
  for (int w = 0; w < 2; ++w) p.rank_ready(w, w);
  p.enqueue(batch(1));
  ASSERT_EQ(place(p).size(), 1u);  // rank busy with a serial batch
  Batch wide = batch(2);
  wide.threads = 2;
  p.enqueue(wide);
  p.enqueue(batch(3));
  auto d = place(p);
  EXPECT_TRUE(d.empty()) << "the idle rank is held for the threaded batch, not given to batch 3";
  p.finished(0, 1, 0);
  p.finished(1, 1, 0);
  d = place(p);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].batch.id, 2u);
  EXPECT_EQ(p.busy_ranks(), 2u);
}

TEST(PlacementTest, LosingALentRankDoesNotFailTheThreadedBatch) {
  Placement p(1);
  for (int w = 0; w < 2; ++w) p.rank_ready(w, w);
  Batch wide = batch(1);
  wide.threads = 2;
  p.enqueue(wide);
  auto d = place(p);
  ASSERT_EQ(d.size(), 1u);
  int runner = d[0].workers[0], lent = 1 - runner;
  EXPECT_TRUE(p.rank_lost(lent).empty());  // nothing of its own to settle
  EXPECT_TRUE(p.holds(runner, 1));
  EXPECT_TRUE(p.finished(runner, 1, 0));
}

// cancel(): a queued batch comes out of the queue; a placed one is forgotten once its worker
// confirms it never started it.
TEST(PlacementTest, CancelledBatchesLeaveTheQueueOrTheirRank) {
  Placement p(2);
  p.rank_ready(0, 0);
  p.enqueue(batch(1));
  p.enqueue(batch(2));
  p.enqueue(batch(3));
  auto d = place(p);
  ASSERT_EQ(d.size(), 2u);
  Batch out;
  EXPECT_TRUE(p.remove_queued(3, out));
  EXPECT_EQ(out.id, 3u);
  EXPECT_FALSE(p.remove_queued(3, out));
  EXPECT_EQ(p.queued(), 0u);
  p.cancelled(0, 2);
  EXPECT_FALSE(p.holds(0, 2));
  EXPECT_TRUE(p.holds(0, 1));
}
