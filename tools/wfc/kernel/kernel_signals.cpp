// The design notes for this module are atop kernel_signals.hpp.
#include "kernel/kernel_signals.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "launch/launcher.hpp"

namespace wf::kernel {

namespace {

sigset_t kernel_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void block_kernel_signals() {
  sigset_t set = kernel_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void start_signal_thread(std::function<void()> on_interrupt) {
  std::thread([on_interrupt = std::move(on_interrupt)] {
    sigset_t set = kernel_signals();
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (sig == SIGINT) {
        on_interrupt();
        continue;
      }
      detail::end_all_launched();
      detail::remove_run_directory();
      _exit(143);
    }
  }).detach();
}

}  // namespace wf::kernel
