// MPI tasks on a warm world (LANGUAGE.md §4, RUNTIME.md): an `mpi(ranks=N)` task runs on N
// ranks of the world, on a communicator made from exactly those ranks (MPI_Comm_create_group,
// cached per rank set), never a spawned process.
//
// Failure protocol: a rank whose code fails tells the others (an ABORT message on a control
// communicator), every blocking built-in polls for that message while it waits, so no rank
// stays stuck in a collective or a receive; then all ranks agree on the outcome with one
// allreduce on the control communicator, and the failing rank's error (with its frames)
// travels to rank 0, which reports for the task. A communicator that saw a failure is dropped.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jit/loader.hpp"
#include "worker/task_runner.hpp"

namespace wf::detail {

class MpiWorld {
 public:
  static std::unique_ptr<MpiWorld> init(int* argc, char*** argv);
  ~MpiWorld();
  int rank() const { return rank_; }
  int size() const { return size_; }
  void finalize();

 private:
  friend BatchOutcome run_mpi_task(MpiWorld&, const LoadedProgram&, Context&, int, uint64_t, const std::string&,
                                   const std::vector<int32_t>&, int);
  MpiWorld() = default;
  int rank_ = 0, size_ = 1;
  bool finalized_ = false;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs one item of `fn` as this rank's part of task `id` on world ranks `ranks` (rank 0
// first). Rank 0's outcome carries the task's result or its first failing rank's error;
// the other ranks' outcomes only say they are done. `worker` names this process.
BatchOutcome run_mpi_task(MpiWorld& world, const LoadedProgram& program, Context& ctx, int fn, uint64_t id,
                          const std::string& items, const std::vector<int32_t>& ranks, int worker);

}  // namespace wf::detail
