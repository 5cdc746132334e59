// What a flow's Context points at (Context::host): the scheduler its tasks go to, the flow's
// program among the scheduler's programs, and the options new pools start from.
#pragma once

#include "driver/scheduler.hpp"

namespace wf::detail {

class TaskHost {
 public:
  Scheduler* scheduler = nullptr;
  const Manifest* manifest = nullptr;
  int32_t program = 0;  // the flow's program in the scheduler's ProgramSet
  PoolOptions pool_defaults;
  bool progress = false;  // draw a progress bar for each map (stderr is a terminal)
};

}  // namespace wf::detail
