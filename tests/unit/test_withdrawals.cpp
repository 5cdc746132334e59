// The worker's side of steal-back (worker/withdrawals.hpp): the main thread reaching tasks in
// order while another thread withdraws some of them, racing. Every task must end exactly one
// way: started (the withdrawal failed) or skipped (the withdrawal succeeded).
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "worker/withdrawals.hpp"

using namespace wf::detail;

TEST(WithdrawalsTest, AWithdrawnTaskIsSkippedAndAStartedOneCannotBeWithdrawn) {
  Withdrawals w;
  EXPECT_TRUE(w.withdraw(2));   // not reached yet
  EXPECT_FALSE(w.skip(0));      // runs
  EXPECT_FALSE(w.withdraw(0));  // already started
  EXPECT_FALSE(w.skip(1));
  EXPECT_TRUE(w.skip(2));       // withdrawn: skipped
  EXPECT_FALSE(w.withdraw(2)) << "reached (skipped): a second withdrawal is refused";
  EXPECT_FALSE(w.skip(3));
}

TEST(WithdrawalsTest, RacingWithdrawalsAndStartsSettleEveryTaskExactlyOnce) {
  constexpr uint64_t kTasks = 200000;
  for (int round = 0; round < 5; ++round) {
    Withdrawals w;
    std::vector<uint8_t> started(kTasks), withdrawn(kTasks);
    std::atomic<uint64_t> progress{0}, attempts{0};
    std::thread thief([&] {
      std::mt19937_64 rng(round);
      while (progress.load(std::memory_order_relaxed) < kTasks) {
        // Aim just ahead of the main thread, where the race is.
        uint64_t at = progress.load(std::memory_order_relaxed) + rng() % 4;
        if (at < kTasks && w.withdraw(at)) withdrawn[at] = 1;
        attempts.fetch_add(1, std::memory_order_relaxed);
      }
    });
    for (uint64_t seq = 0; seq < kTasks; ++seq) {
      // Now and then let the thief catch up, so that the race happens on a loaded machine too.
      if (seq % 1024 == 0)
        for (uint64_t seen = attempts.load(); attempts.load() == seen;) std::this_thread::yield();
      if (!w.skip(seq)) started[seq] = 1;
      progress.store(seq + 1, std::memory_order_relaxed);
    }
    thief.join();
    uint64_t stolen = 0;
    for (uint64_t seq = 0; seq < kTasks; ++seq) {
      ASSERT_NE(started[seq], withdrawn[seq]) << "task " << seq << (started[seq] ? " ran and was withdrawn" : " neither ran nor was withdrawn");
      stolen += withdrawn[seq];
    }
    EXPECT_GT(stolen, 0u) << "the race was never exercised";
  }
}
