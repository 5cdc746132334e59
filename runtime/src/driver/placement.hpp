// Where a pool's batches run: the placement policy of the process executor, without sockets,
// processes or clocks, so that it can be driven by a test with made-up events.
//
// Events in: a rank became ready, a rank is lost (dying or dead), a rank finished a batch, a
// batch's run time was measured, batches were queued. Decisions out: `place()` returns the
// batches to send now and the ranks of each, and whether a world of N ranks is wanted
// because no live world is big enough for a waiting MPI batch. The executor does the I/O.
//
// Policy: a serial batch goes to the ready rank with the fewest batches outstanding, at most
// `prefetch` each, so that a round trip is hidden behind the running task; the prefetch
// depth is learned from run times (enough batches to cover ~2 ms, at least 2, at most 1024).
// An MPI batch of N ranks needs N idle ranks of one world. Batches are considered in
// submission order, skipping those that do not fit yet; the oldest waiting MPI batch reserves
// the idle ranks of its best world as they become idle, so small tasks cannot starve it.
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

  // `prefetch` > 0 fixes the depth (WF_PREFETCH); 0 learns it from run times.
  explicit Placement(size_t prefetch = 0);

  void rank_ready(int worker, int world);
  // The rank takes no new work (it is dying: its last reports may still come in).
  void rank_unavailable(int worker);
  // The rank is gone. Its outstanding batch ids, oldest first, are returned and forgotten;
  // the executor settles or requeues them.
  std::deque<uint64_t> rank_lost(int worker);
  // `worker` reported batch `id` (an MPI batch: once per rank); false if it did not hold it.
  bool finished(int worker, uint64_t id);
  // A serial batch ran `busy_us` microseconds on its worker.
  void learn_run_time(uint32_t busy_us);

  void enqueue(Batch batch);
  void requeue_front(std::vector<Batch> batches);  // batches that had not started
  std::deque<Batch> take_queue();                 // every waiting batch (to fail them)

  // The batches that go out now. `world_wanted` is set to N > 0 when an MPI batch of N
  // ranks waits and no live world has N ranks (the executor may launch one), else 0.
  std::vector<Decision> place(int& world_wanted);

  size_t prefetch() const { return prefetch_; }
  size_t queued() const { return queue_.size(); }
  size_t outstanding(int worker) const;
  bool holds(int worker, uint64_t id) const;  // `id` was placed on `worker` and not finished
  bool busy(int worker) const { return outstanding(worker) > 0; }
  // Ranks that hold at least one batch.
  size_t busy_ranks() const;
  size_t ranks() const { return ranks_.size(); }

 private:
  struct Rank {
    int world = -1;
    std::deque<uint64_t> outstanding;  // batch ids, the first one running
    uint64_t reserved_for = 0;         // an MPI batch waiting for this rank
    bool available = true;             // false once dying
  };

  bool place_serial(Batch& b, std::vector<Decision>& out);
  bool place_parallel(Batch& b, std::vector<Decision>& out, int& world_wanted);
  void assign(Batch& b, std::vector<int> workers, std::vector<Decision>& out);

  std::map<int, Rank> ranks_;  // ready, live ranks by worker number
  std::deque<Batch> queue_;
  size_t mpi_queued_ = 0;  // batches in queue_ with more than one rank
  size_t prefetch_ = 2;
  bool fixed_prefetch_ = false;
  double average_us_ = 0;
};

}  // namespace wf::detail
