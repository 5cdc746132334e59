// How long a thread that just handled a message keeps looking for the next one without
// sleeping (WF_SPIN_US, default 200 µs). Sleeping and being woken costs tens of microseconds
// per hop on a busy 2-core machine; a short watch saves that for the round trips of
// sequential tasks (W1 p50 ~90 -> ~55 µs here), while threads of a saturated pool never spin.
#pragma once

#include <cstdlib>

namespace wf::detail {

inline double spin_seconds() {
  static const double seconds = [] {
    const char* v = std::getenv("WF_SPIN_US");
    return (v ? std::atof(v) : 200.0) * 1e-6;
  }();
  return seconds;
}

}  // namespace wf::detail
