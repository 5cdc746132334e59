// Signals in the kernel process. Jupyter interrupts a kernel whose spec says
// `"interrupt_mode": "signal"` with SIGINT to the kernel's process group (the workers are in
// groups of their own, launch/launcher.cpp, and ignore SIGINT anyway), and ends one that does
// not stop when asked with SIGTERM.
//
// A handler cannot run on just any thread here: xeus waits in zmq_poll on the main thread and
// cppzmq turns the EINTR a handler causes into an exception that ends the kernel. So, as in
// `wfc run` (driver/run_main.cpp), the signals are blocked before any thread exists — every
// thread started later (xeus's publisher and heartbeat, ZeroMQ's, the session's) inherits the
// mask — and one thread takes them with sigwait. It may then do what a handler may not: lock
// a mutex, call into the session.
//
//   SIGINT    `on_interrupt` (WfInterpreter::interrupt: cancel the running cell), every time
//   SIGTERM   end every worker process this kernel started, then exit 143
#pragma once

#include <functional>

namespace wf::kernel {

// Blocks SIGINT and SIGTERM in the calling thread; call it before any thread is started.
void block_kernel_signals();
// Starts the thread that takes them.
void start_signal_thread(std::function<void()> on_interrupt);

}  // namespace wf::kernel
