// What a flow's Context points at (Context::host): the scheduler its tasks go to, the flow's
// program among the scheduler's programs, and the options new pools start from. A notebook
// session also hears of the cell's variables and of each map's progress through it.
#pragma once

#include <string>
#include <vector>

#include "driver/scheduler.hpp"

namespace wf::detail {

// Where a notebook cell's flow hands its variables and its shown value (`wf_cell_keep`).
class CellValues {
 public:
  virtual ~CellValues() = default;
  // `variable` -1 is the value the cell shows; `desc` is its type's descriptor.
  virtual void keep(int variable, const char* desc, uint64_t value) = 0;
};

// Who hears of each map's progress instead of a bar on stderr (the notebook's live display).
class MapProgress {
 public:
  virtual ~MapProgress() = default;
  virtual int begin(const std::string& function, size_t total) = 0;  // returns the map's id
  virtual void update(int id, size_t done, size_t total) = 0;
  virtual void end(int id, size_t done, size_t total, double seconds, bool failed) = 0;
};

class TaskHost {
 public:
  Scheduler* scheduler = nullptr;
  const Manifest* manifest = nullptr;
  int32_t program = 0;  // the flow's program in the scheduler's ProgramSet
  // A notebook session: the program whose object defines each function, by index. A task of
  // an earlier cell's function goes to that cell's program, which the workers already hold,
  // so that a cell's object is shipped to workers only when they run its own functions.
  const std::vector<int32_t>* defined_in = nullptr;
  PoolOptions pool_defaults;
  bool progress = false;  // draw a progress bar for each map (stderr is a terminal)
  MapProgress* map_progress = nullptr;  // or tell it each map's progress
  CellValues* cell = nullptr;           // a notebook cell's flow: where its variables go

  FunctionId task_function(int32_t fn) const {
    if (defined_in && (size_t)fn < defined_in->size() && (*defined_in)[(size_t)fn] >= 0) return {(*defined_in)[(size_t)fn], fn};
    return {program, fn};
  }
};

}  // namespace wf::detail
