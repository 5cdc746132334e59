// `threads=T` (LANGUAGE.md §18) on the worker's side, for one task: while it runs, code it
// calls sees OMP_NUM_THREADS=T and, when an OpenMP runtime is loaded in the process (an
// `extern fn` library linked against libgomp), omp_get_max_threads() == T; a worker pinned to
// one CPU (local launcher) runs the task on T CPUs starting at its own. Afterwards the
// worker's own environment, OpenMP setting and CPU come back, so the next task sees its own.
//
// The driver's placement holds T-1 other ranks of the pool idle for each rank of such a task
// (driver/placement.hpp), so a pool of 8 runs two threads=4 tasks at once. The CPUs a task
// widens to are the next ones in the worker's allowed set, not those of the ranks lent to it:
// they may overlap a neighbour's, while the pool as a whole runs no more threads than CPUs.
#pragma once

#include <sched.h>

#include <string>
#include <vector>

namespace wf::detail {

// Called once at start-up by a worker that pinned itself to CPU `allowed[index]` (`allowed`:
// the CPUs it may use, in increasing order; machine.hpp's allowed_cpus).
void remember_pinning(std::vector<int> allowed, int index);

class TaskThreads {
 public:
  explicit TaskThreads(int threads);
  ~TaskThreads();
  TaskThreads(const TaskThreads&) = delete;
  TaskThreads& operator=(const TaskThreads&) = delete;

 private:
  bool active_ = false;
  bool had_env_ = false;
  std::string old_env_;
  int old_omp_ = -1;
  bool widened_ = false;
  cpu_set_t old_cpus_;
};

}  // namespace wf::detail
