// Where a pool's batches run: the placement policy of the process executor, without sockets,
// processes or a clock of its own (times are passed in), so that a test can drive it with
// made-up events and simulated time.
//
// Events in: a rank became ready, a rank is lost (dying or dead), a rank finished a batch, a
// batch's run time was measured, a withdrawn batch came back, batches were queued. Decisions
// out: `place(now)` returns the batches to send now and the ranks of each, the batches to
// take back from a rank's pipeline, and whether a world of N ranks is wanted because no live
// world is big enough for a waiting MPI batch. The executor does the I/O.
//
// Policy: a serial batch goes to the ready rank with the fewest batches outstanding, so that a
// round trip is hidden behind the running task. How many a rank may hold is bounded by
// expected work, not by a count: each function's run time is learned (a moving average of
// its batches' busy times), and a rank takes another batch while the ones waiting behind its
// running batch, this one included, are expected to take at most ~2 ms (`kPrefetchBudgetUs`),
// and always takes a second one; at most 1024. A function not measured yet counts as the
// whole budget. So after 10^4 tiny tasks, a long function's batches are still placed two per
// rank rather than hundreds deep, and a map of tiny tasks still gets its deep pipeline.
// An MPI batch of N ranks needs N idle ranks of one world. Batches are considered in
// submission order, skipping those that do not fit yet; the oldest waiting MPI batch reserves
// the idle ranks of its best world as they become idle, so small tasks cannot starve it.
//
// threads=T: a batch holds T-1 idle ranks per rank of its own while it runs (`lent`), so its
// threads get those workers' cores; it waits (reserving idle ranks, like an MPI batch) until
// that many are idle at once.
//
// Steal-back: the pipelining win for tiny tasks commits work to a rank before anyone knows how
// long it runs, so one long batch can hold short ones hostage behind it. When a rank is idle
// and nothing waits in the queue, it takes back the newest not-yet-started serial batch of
// the rank with the most batches held, if that rank's current batch has run for at least
// `kStealAfter` (short tasks drain on their own; stealing them would only add messages).
// The batch is withdrawn, not copied: it is placed again only once its worker confirms that
// it will never start it (`withdrawn`); if the worker started it first, its result comes
// as usual (`finished`). So a batch runs once, never twice and never zero times. One
// withdrawal per idle rank is in flight at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "driver/executor.hpp"

namespace wf::detail {

class Placement {
 public:
  struct Decision {
    Batch batch;
    std::vector<int> workers;  // task rank order
  };
  struct Withdrawal {
    int worker;   // the rank holding the batch
    uint64_t id;  // the batch to take back
  };
  struct Round {
    std::vector<Decision> sends;
    std::vector<Withdrawal> withdrawals;
    int world_wanted = 0;  // N > 0: an MPI batch of N ranks waits and no live world has N
  };
  static constexpr double kStealAfter = 0.002;  // seconds a rank's current batch has run

  // `prefetch` > 0 fixes the depth (WF_PREFETCH); 0 learns it from run times.
  explicit Placement(size_t prefetch = 0);

  void rank_ready(int worker, int world);
  // The rank takes no new work (it is dying: its last reports may still come in).
  void rank_unavailable(int worker);
  // The rank is gone. Its outstanding batch ids, oldest first, are returned and forgotten;
  // the executor settles or requeues them.
  std::deque<uint64_t> rank_lost(int worker);
  // `worker` reported batch `id` (an MPI batch: once per rank) at time `now`; false if it did
  // not hold it.
  bool finished(int worker, uint64_t id, double now);
  // `worker` confirmed it will never start batch `id`: true if the batch is to be placed
  // again (requeue_front it), false if no withdrawal of it was pending there.
  bool withdrawn(int worker, uint64_t id);
  // A serial batch of function `fn` of `program` ran `busy_us` microseconds on its worker.
  void learn_run_time(int32_t program, int fn, uint32_t busy_us);

  void enqueue(Batch batch);
  // cancel(): a batch still in the queue, taken out (false if it is not there).
  bool remove_queued(uint64_t id, Batch& out);
  // cancel(): `worker` confirmed it will never start batch `id`; it is forgotten.
  void cancelled(int worker, uint64_t id);
  void requeue_front(std::vector<Batch> batches);  // batches that had not started
  std::deque<Batch> take_queue();                 // every waiting batch (to fail them)

  // What to do now (`now`: seconds on the executor's clock).
  Round place(double now);

  static constexpr double kPrefetchBudgetUs = 2000;
  static constexpr size_t kMaxDepth = 1024;
  // How many batches of that function a rank holds at most, when they are all it holds.
  size_t prefetch(int32_t program = 0, int fn = 0) const;
  size_t queued() const { return queue_.size(); }
  size_t outstanding(int worker) const;
  bool holds(int worker, uint64_t id) const;  // `id` was placed on `worker` and not finished
  bool busy(int worker) const { return outstanding(worker) > 0; }
  // Ranks that hold at least one batch.
  size_t busy_ranks() const;
  size_t ranks() const { return ranks_.size(); }

 private:
  struct Held {
    uint64_t id;
    bool serial;
    double expected_us;  // its function's estimate when it was placed
  };
  struct Rank {
    int world = -1;
    std::deque<Held> outstanding;      // the first one running
    double held_us = 0;                // the sum of their expected_us
    double running_since = 0;          // when the first one started (as far as we know)
    uint64_t reserved_for = 0;         // an MPI batch waiting for this rank
    uint64_t stealing = 0;             // a batch being withdrawn for this idle rank
    uint64_t lent_to = 0;              // a threads= batch this idle rank is held for
    bool available = true;             // false once dying
  };

  bool place_serial(Batch& b, std::vector<Decision>& out, double now);
  bool place_parallel(Batch& b, std::vector<Decision>& out, int& world_wanted, double now);
  bool place_wide(Batch& b, std::vector<Decision>& out, int& world_wanted, double now);
  static bool idle_for(const Rank& r, uint64_t id);
  bool room_for(const Rank& r, double expected) const;
  void release_lent();
  // A batch placed by ranks (MPI) or with threads=: considered even when serial ones wait.
  static bool wide(const Batch& b) { return b.ranks > 1 || b.threads > 1; }
  struct Lent {
    std::vector<int> runners;  // the ranks it runs on
    std::vector<int> lent;     // the idle ranks held for its threads
  };
  std::map<uint64_t, Lent> lent_;
  void assign(Batch& b, std::vector<int> workers, std::vector<Decision>& out, double now);
  void steal(std::vector<Withdrawal>& out, double now);
  using Withdrawing = std::map<uint64_t, std::pair<int, int>>;  // batch -> (its rank, the idle rank)
  static std::deque<Held>::const_iterator find(const std::deque<Held>& o, uint64_t id);
  // Forgets withdrawal `w`; its idle rank may take back another batch.
  Withdrawing::iterator end_withdrawal(Withdrawing::iterator w);

  std::map<int, Rank> ranks_;  // ready, live ranks by worker number
  std::deque<Batch> queue_;
  size_t mpi_queued_ = 0;  // batches in queue_ that are `wide`
  Withdrawing withdrawing_;
  // The learned run time of a function, or the whole budget for one not measured yet.
  double expected_us(int32_t program, int fn) const;
  // Takes outstanding entry `pos` off rank `r`.
  static void drop(Rank& r, std::deque<Held>::const_iterator pos);

  size_t prefetch_ = 2;
  bool fixed_prefetch_ = false;
  std::map<std::pair<int32_t, int>, double> estimate_us_;  // (program, fn) -> moving average
};

}  // namespace wf::detail
