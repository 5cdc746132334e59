// Starting worker ranks (RUNTIME.md "Pools, launchers, tasks").
//
// A launch starts one *world*: ranks that can share MPI communicators. `local` starts one
// plain process per rank (each its own world of one; no MPI); `mpirun` starts W ranks with
// one Open MPI launch; `slurm` uses `srun` inside an allocation. The runtime never starts
// remote processes itself: multi-node goes through mpirun's hostfile or Slurm.
//
// Workers get their instructions through the environment (WorkerEnv): endpoints, CURVE key,
// working directory. Secrets never appear on a command line. Every launched process gets a
// process group of its own, so a terminal's Ctrl-C reaches only the driver, which then ends
// every group it started (kill_all_launched).
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wf::detail {

// How a pool's workers start. `InProcess` starts none: the driver runs the tasks itself
// (driver/inprocess_executor). `Default` is "not chosen": flux inside a Flux instance, else
// mpirun if installed, else local.
enum class LauncherKind { Default, Mpirun, Local, Slurm, InProcess, Flux };

const char* launcher_name(LauncherKind kind);  // "mpirun", "local", ...; "default"
// The launcher named `name` ("mpirun", "local", "slurm", "inprocess", "flux"); false for another.
bool parse_launcher(std::string_view name, LauncherKind& out);
// The names parse_launcher accepts, in the order the help lists them.
const std::vector<std::string>& launcher_names();
// `kind`, or for Default the launcher to use: flux when FLUX_URI is set (inside a Flux
// instance), else mpirun if Open MPI is installed, else local.
LauncherKind resolve_launcher(LauncherKind kind);
// True inside a batch allocation (Slurm, PBS/Torque, LSF, Grid Engine, Flux), where mpirun may
// place ranks on other nodes and the batch system binds them.
bool in_allocation();
// True if `program` is an executable in a directory of $PATH.
bool on_path(const std::string& program);
// The environment variable `name`, or "" when it is not set.
std::string env(const char* name);

struct WorkerEnv {
  std::string task_endpoint;       // WF_ENDPOINT
  std::string heartbeat_endpoint;  // WF_HB_ENDPOINT
  std::string curve_server;        // WF_CURVE_SERVER: the driver's public key (tcp only)
  std::string curve_public;        // WF_CURVE_PUBLIC / WF_CURVE_SECRET: the run's client key pair
  std::string curve_secret;
  std::string cwd;                 // WF_CWD: created if missing
  std::string death_dir;           // WF_DEATH_DIR: where a dying worker leaves its signal
  int world = 0;                   // WF_WORLD
  int worker_base = 0;             // WF_WORKER_BASE: worker number of world rank 0
  bool use_mpi = false;            // WF_USE_MPI
  bool parent_death_signal = false;  // WF_PDEATHSIG: die with the parent (local launcher)
  bool pin_cpu = false;            // WF_PIN_CPU: run on one CPU of the allowed set, by worker number
  double driver_timeout = 3.0;     // WF_DRIVER_TIMEOUT: seconds of driver silence to exit

  static WorkerEnv from_environment();
  std::vector<std::pair<std::string, std::string>> variables() const;
};

struct LaunchSpec {
  LauncherKind launcher = LauncherKind::Local;  // Local, Mpirun, Slurm or Flux
  int ranks = 1;
  bool oversubscribe = false;
  std::string hostfile;
  std::string worker_path;
  WorkerEnv env;
  // The CPUs the launched process may run on; empty: those of the launching thread (which may
  // itself be pinned to one: process_executor's I/O thread).
  std::vector<int> cpus;
};

// What the launcher said about a launch that failed (mpirun: its stderr, read by
// MpirunStderr), filled in by the thread that forwards the launcher's standard error.
struct LaunchReport {
  std::mutex mutex;
  std::condition_variable closed_cv;
  bool closed = false;    // the launcher's stderr reached end of file
  std::string diagnosis;  // one line, or ""
  // The diagnosis, after waiting up to `seconds` for the stream to close (the launcher has
  // exited, but its last lines may still be in the pipe).
  std::string wait_for_diagnosis(double seconds);
};

struct Launched {
  pid_t pid = 0;   // the process we started (the worker itself, mpirun or srun)
  std::shared_ptr<LaunchReport> report = std::make_shared<LaunchReport>();
};

// Starts one world. Returns false with `error` set if the process could not be started.
bool launch(const LaunchSpec& spec, Launched& out, std::string& error);

// The wf-worker executable: $WF_WORKER, beside this program, or the installed one.
std::string find_worker_executable();

// Ends every process (and process group) this process launched or learned of (SIGKILL):
// launchers, and the worker ranks they started, which mpirun puts in groups of their own.
// Async-signal-safe.
void kill_all_launched();
// The polite version for Ctrl-C: SIGTERM, up to 0.5 s for launchers to clean up, then SIGKILL.
void end_all_launched();
// A process of the run: a launcher, or a worker rank on this host (at its hello). A rank's
// MPI shared-memory files are noted then (launch/shm_residue.hpp), and removed when it is
// forgotten (it died or was ended) or at exit, so a killed rank leaves nothing in /dev/shm.
void remember_launched(pid_t pid);
void forget_launched(pid_t pid);
// Ends one launched world that did not end by itself: cancels its Flux job (flux launcher),
// then SIGKILLs its process group.
void end_launched_world(pid_t pid);

// A fresh private directory (mode 0700) for this process's sockets and death notes; removed
// at exit.
const std::string& run_directory();
void remove_run_directory();

}  // namespace wf::detail
