// The design notes for this module are atop run_kernel.hpp.
#include "kernel/run_kernel.hpp"

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>

#include <xeus/xeus_context.hpp>
#include <xeus/xkernel.hpp>
#include <xeus/xkernel_configuration.hpp>
#include <xeus/xserver_zmq.hpp>

#include "kernel/cell_history.hpp"
#include "kernel/kernel_signals.hpp"
#include "kernel/wf_interpreter.hpp"
#include "launch/launcher.hpp"

namespace wf::kernel {

notebook::SessionOptions options_from_environment(std::string& error) {
  notebook::SessionOptions options;
  if (const char* w = std::getenv("WF_WORKERS"); w && *w) {
    char* end = nullptr;
    long n = std::strtol(w, &end, 10);
    if (*end != '\0' || n < 1 || n > (1 << 20)) error = std::string("WF_WORKERS=") + w + " is not a number of workers";
    else options.workers = static_cast<int>(n);
  }
  if (const char* l = std::getenv("WF_LAUNCHER"); l && *l) {
    detail::LauncherKind kind;
    if (detail::parse_launcher(l, kind)) {
      options.launcher = l;
    } else {
      std::string names;
      for (const std::string& n : detail::launcher_names()) names += (names.empty() ? "" : ", ") + n;
      error = std::string("WF_LAUNCHER=") + l + " is not a launcher; use one of " + names;
    }
  }
  return options;
}

int run_kernel(const std::string& connection_file) {
  if (::access(connection_file.c_str(), R_OK) != 0) {
    std::cerr << "wfc: cannot read the connection file `" << connection_file << "`\n";
    return 1;
  }
  block_kernel_signals();  // before xeus, ZeroMQ or the session start a thread
  std::string error;
  notebook::SessionOptions options = options_from_environment(error);
  if (!error.empty()) std::cerr << "wfc: kernel: " << error << "\n";
  try {
    xeus::xconfiguration config = xeus::load_configuration(connection_file);
    auto interpreter = std::make_unique<WfInterpreter>(options, error);
    auto history = std::make_unique<CellHistory>();
    interpreter->keep_outputs_in(history.get());
    WfInterpreter* cells = interpreter.get();
    xeus::xkernel kernel(config, xeus::get_user_name(), xeus::make_context<zmq::context_t>(), std::move(interpreter),
                         xeus::make_xserver_zmq, std::move(history));
    start_signal_thread([cells] { cells->interrupt(); });
    kernel.start();  // exits the process when Jupyter shuts the kernel down
  } catch (const std::exception& e) {
    std::cerr << "wfc: kernel: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace wf::kernel
