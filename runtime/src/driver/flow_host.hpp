// What a flow's Context points at (Context::host): the scheduler its tasks go to, and the
// options new pools start from.
#pragma once

#include "driver/scheduler.hpp"

namespace wf::detail {

class TaskHost {
 public:
  Scheduler* scheduler = nullptr;
  const Manifest* manifest = nullptr;
  PoolOptions pool_defaults;
  bool progress = false;  // draw a progress bar for each map (stderr is a terminal)
};

}  // namespace wf::detail
