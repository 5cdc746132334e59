// The machine this process runs on, as driver and worker both ask about it: a monotonic clock
// for timeouts and heartbeats, and the host name that tells a same-host rank (whose pid can be
// watched) from a remote one.
#pragma once

#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace wf::detail {

inline double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// The CPUs the calling thread may run on, in increasing order (empty if unknown).
inline std::vector<int> allowed_cpus() {
  cpu_set_t allowed;
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
  return cpus;
}

// Runs the calling thread (and the threads it starts from now on) on `cpu` only.
inline bool run_on_cpu(int cpu) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  return sched_setaffinity(0, sizeof one, &one) == 0;
}

inline std::string host_name() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace wf::detail
