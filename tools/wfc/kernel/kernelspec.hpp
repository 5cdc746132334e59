// `wfc kernel install` and `wfc kernel uninstall`: the kernelspec directory through which
// Jupyter finds this kernel, laid out as jupyter-client's `jupyter kernelspec install` would:
//
//   WHERE/share/jupyter/kernels/NAME/kernel.json       argv, display_name, language, ...
//   WHERE/share/jupyter/kernels/NAME/logo-32x32.png    (logo_png.hpp)
//   WHERE/share/jupyter/kernels/NAME/logo-64x64.png
//
// with the data directories of jupyter_core's paths.py:
//   --user (the default)  $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter, else
//                         ~/.local/share/jupyter
//   --prefix P            P/share/jupyter
//   --sys-prefix          the `sys.prefix` of the Python that runs Jupyter, share/jupyter:
//                         $VIRTUAL_ENV or $CONDA_PREFIX when one is active, else the prefix of
//                         the interpreter named on the first line of `jupyter` found on PATH
//                         (Debian's /usr/bin/jupyter: /usr), else /usr
// The default is --user because it needs no privileges; a system-wide install is
// `--prefix /usr/local`.
//
// kernel.json's argv is the absolute path of the running wfc, so the kernel is the wfc that
// installed it, wherever PATH points later. The pool settings travel in its `env`: WF_WORKERS
// and WF_LAUNCHER from `--workers`/`--launcher`, or from the environment of the install when
// they are set there; the kernel reads them at start (run_kernel.hpp). Without them the kernel
// uses wfc's defaults (a worker per core, mpirun when Open MPI is installed).
#pragma once

#include <ostream>
#include <string>

namespace wf::kernel {

struct KernelspecOptions {
  enum Where { User, Prefix, SysPrefix } where = User;
  std::string prefix;         // for Prefix
  std::string name = "wf";    // the directory name, and what `kernel_name=` selects
  std::string display_name;   // default "wf"
  int workers = 0;            // 0: WF_WORKERS of the environment, if set
  std::string launcher;       // "": WF_LAUNCHER of the environment, if set
};

// The kernels/ directory `options` select.
std::string kernels_directory(const KernelspecOptions& options);
// Write the kernelspec; messages on `out`, errors on `err`. Returns the exit status (0, 1 for
// a file system error, 2 for a bad name or setting).
int install_kernelspec(const KernelspecOptions& options, std::ostream& out, std::ostream& err);
// Remove it. 1 when there is none.
int uninstall_kernelspec(const KernelspecOptions& options, std::ostream& out, std::ostream& err);

}  // namespace wf::kernel
