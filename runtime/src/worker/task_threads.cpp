// The design notes for this module are atop task_threads.hpp.
#include "worker/task_threads.hpp"

#include <dlfcn.h>

#include <cstdlib>

namespace wf::detail {

namespace {
std::vector<int> g_allowed;  // empty: the worker is not pinned
int g_index = 0;

using SetThreads = void (*)(int);
using GetThreads = int (*)();
}  // namespace

void remember_pinning(std::vector<int> allowed, int index) {
  g_allowed = std::move(allowed);
  g_index = index;
}

TaskThreads::TaskThreads(int threads) {
  if (threads <= 1) return;
  active_ = true;
  if (const char* v = std::getenv("OMP_NUM_THREADS")) had_env_ = true, old_env_ = v;
  ::setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);
  auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  auto get = reinterpret_cast<GetThreads>(::dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
  if (set && get) {
    old_omp_ = get();
    set(threads);
  }
  if (!g_allowed.empty() && sched_getaffinity(0, sizeof old_cpus_, &old_cpus_) == 0) {
    int n = (int)g_allowed.size();
    cpu_set_t wide;
    CPU_ZERO(&wide);
    for (int k = 0; k < threads && k < n; ++k) CPU_SET(g_allowed[(size_t)((g_index + k) % n)], &wide);
    widened_ = sched_setaffinity(0, sizeof wide, &wide) == 0;
  }
}

TaskThreads::~TaskThreads() {
  if (!active_) return;
  if (had_env_) ::setenv("OMP_NUM_THREADS", old_env_.c_str(), 1);
  else ::unsetenv("OMP_NUM_THREADS");
  if (widened_) sched_setaffinity(0, sizeof old_cpus_, &old_cpus_);
  auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (!set) return;
  int restore = old_omp_;
  if (restore <= 0) {
    // The OpenMP runtime was loaded during this task and read our OMP_NUM_THREADS: give it
    // the default it would have taken from the worker's own environment (the variable, or
    // the CPUs this process may use, as libgomp does).
    cpu_set_t cpus;
    restore = had_env_ ? std::atoi(old_env_.c_str()) : 0;
    if (restore <= 0 && sched_getaffinity(0, sizeof cpus, &cpus) == 0) restore = CPU_COUNT(&cpus);
  }
  if (restore > 0) set(restore);
}

}  // namespace wf::detail
