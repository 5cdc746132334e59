// The machine this process runs on, as driver and worker both ask about it: a monotonic clock
// for timeouts and heartbeats, and the host name that tells a same-host rank (whose pid can be
// watched) from a remote one.
#pragma once

#include <unistd.h>

#include <chrono>
#include <string>

namespace wf::detail {

inline double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

inline std::string host_name() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace wf::detail
