// `wfc kernel -f CONNECTION_FILE`: the process Jupyter starts (kernel.json's argv). It reads
// the pool settings from the environment (kernel.json's `env`, or the server's):
//   WF_WORKERS    the default pool's size (default: the number of cores)
//   WF_LAUNCHER   how workers start (mpirun, local, slurm, flux, inprocess)
// then serves the connection file's five ZeroMQ ports with xeus (xserver_zmq: shell and
// control on the main thread, iopub and heartbeat on threads of their own) until Jupyter
// asks it to shut down. The cell code runs on the main thread, interrupts come as signals
// (kernel_signals.hpp).
#pragma once

#include <string>

#include "notebook/notebook_session.hpp"

namespace wf::kernel {

// The session's settings from WF_WORKERS and WF_LAUNCHER; `error` says what is wrong with them.
notebook::SessionOptions options_from_environment(std::string& error);
// Runs the kernel; returns only when it could not start (the exit status).
int run_kernel(const std::string& connection_file);

}  // namespace wf::kernel
