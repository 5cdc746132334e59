// The API's exceptions made from the runtime's own error records.
//
// Why shaped so: a failed task reaches the host as a RuntimeError (core/execution) in its
// future; this is the one place that turns it into a wf::TaskError, so submit, map and
// map_async report failures identically (and as wfc prints them, through render()).
#pragma once

#include "execution/runtime_error.hpp"
#include "wf/wf.hpp"

namespace wf::detail {

[[noreturn]] void throw_task_error(const RuntimeError& error);

}  // namespace wf::detail
