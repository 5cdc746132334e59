// MPI tasks on a warm world (LANGUAGE.md §4, RUNTIME.md): an `mpi(ranks=N)` task runs on N
// ranks of the world, on a communicator made from exactly those ranks (MPI_Comm_create_group,
// cached per rank set), never a spawned process.
//
// Failure protocol: a rank whose code fails tells the others (an ABORT message on a control
// communicator), and every blocking built-in polls for that message while it waits, so no
// rank stays stuck in a collective or a receive. Every rank reports its own outcome to the
// driver, which agrees for them: the task's error is the first rank's own failure (not an
// ABORT it received), with its frames. After a failure the driver bumps the rank set's
// generation, and the next task on those ranks builds a fresh communicator pair: one that may
// hold abandoned operations is never used again. With small arguments, the success path adds
// no MPI call to the user's own.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jit/loader.hpp"
#include "task/task_runner.hpp"

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
                                   const std::vector<int32_t>&, int, int);
  MpiWorld() = default;
  int rank_ = 0, size_ = 1;
  bool finalized_ = false;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs `fn` as this rank's part of task `id` on world ranks `ranks` (rank 0 first), with the
// communicators of `generation` for that rank set. Each rank's outcome is its own: rank 0's
// carries the result; a failing rank's its error (`aborted` if it only stopped because
// another rank failed). `worker` names this process.
BatchOutcome run_mpi_task(MpiWorld& world, const LoadedProgram& program, Context& ctx, int fn, uint64_t id,
                          const std::string& items, const std::vector<int32_t>& ranks, int generation, int worker);

}  // namespace wf::detail
