// The design notes for this module are atop launcher.hpp.
#include "launch/launcher.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <chrono>
#include <thread>
#include <utility>

#include "launch/flux.hpp"
#include "launch/mpirun_stderr.hpp"
#include "launch/shm_residue.hpp"

extern char** environ;

namespace wf::detail {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

namespace {

}  // namespace

bool on_path(const std::string& program) {
  std::string path = env("PATH");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

namespace {

// Process groups launched, for kill_all_launched (fixed array: usable from a signal handler).
constexpr int kMaxLaunched = 4096;
std::atomic<pid_t> g_launched[kMaxLaunched];

}  // namespace

void remember_launched(pid_t pid) {
  note_shm_files(pid);  // a rank at its hello: its MPI shared-memory files (a launcher: none)
  for (auto& slot : g_launched) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pid)) return;
  }
}

WorkerEnv WorkerEnv::from_environment() {
  WorkerEnv e;
  e.task_endpoint = env("WF_ENDPOINT");
  e.heartbeat_endpoint = env("WF_HB_ENDPOINT");
  e.curve_server = env("WF_CURVE_SERVER");
  e.curve_public = env("WF_CURVE_PUBLIC");
  e.curve_secret = env("WF_CURVE_SECRET");
  e.cwd = env("WF_CWD");
  e.death_dir = env("WF_DEATH_DIR");
  e.world = std::atoi(env("WF_WORLD").c_str());
  e.worker_base = std::atoi(env("WF_WORKER_BASE").c_str());
  e.use_mpi = env("WF_USE_MPI") == "1";
  e.parent_death_signal = env("WF_PDEATHSIG") == "1";
  e.pin_cpu = env("WF_PIN_CPU") == "1";
  if (!env("WF_DRIVER_TIMEOUT").empty()) e.driver_timeout = std::atof(env("WF_DRIVER_TIMEOUT").c_str());
  return e;
}

std::vector<std::pair<std::string, std::string>> WorkerEnv::variables() const {
  return {{"WF_ENDPOINT", task_endpoint},
          {"WF_HB_ENDPOINT", heartbeat_endpoint},
          {"WF_CURVE_SERVER", curve_server},
          {"WF_CURVE_PUBLIC", curve_public},
          {"WF_CURVE_SECRET", curve_secret},
          {"WF_CWD", cwd},
          {"WF_DEATH_DIR", death_dir},
          {"WF_WORLD", std::to_string(world)},
          {"WF_WORKER_BASE", std::to_string(worker_base)},
          {"WF_USE_MPI", use_mpi ? "1" : "0"},
          {"WF_PDEATHSIG", parent_death_signal ? "1" : "0"},
          {"WF_PIN_CPU", pin_cpu ? "1" : "0"},
          {"WF_DRIVER_TIMEOUT", std::to_string(driver_timeout)}};
}

namespace {
struct NamedLauncher {
  LauncherKind kind;
  const char* name;
};
constexpr NamedLauncher kLaunchers[] = {{LauncherKind::Mpirun, "mpirun"},
                                        {LauncherKind::Local, "local"},
                                        {LauncherKind::Slurm, "slurm"},
                                        {LauncherKind::InProcess, "inprocess"},
                                        {LauncherKind::Flux, "flux"}};
}  // namespace

const char* launcher_name(LauncherKind kind) {
  for (const NamedLauncher& l : kLaunchers)
    if (l.kind == kind) return l.name;
  return "default";
}

bool parse_launcher(std::string_view name, LauncherKind& out) {
  for (const NamedLauncher& l : kLaunchers)
    if (name == l.name) {
      out = l.kind;
      return true;
    }
  return false;
}

const std::vector<std::string>& launcher_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const NamedLauncher& l : kLaunchers) v.push_back(l.name);
    return v;
  }();
  return names;
}

LauncherKind resolve_launcher(LauncherKind kind) {
  if (kind != LauncherKind::Default) return kind;
  static const LauncherKind chosen = in_flux_instance() ? LauncherKind::Flux
                                     : on_path("mpirun")  ? LauncherKind::Mpirun
                                                          : LauncherKind::Local;
  return chosen;
}

bool in_allocation() {
  for (const char* name : {"SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID", "PE_HOSTFILE", "FLUX_URI"})
    if (!env(name).empty()) return true;
  return false;
}

std::string find_worker_executable() {
  std::string explicit_path = env("WF_WORKER");
  if (!explicit_path.empty()) return explicit_path;
  // Beside this program (wfc in the build tree), or, for a host linked to the installed
  // libwf, in ../bin relative to the library.
  std::vector<std::filesystem::path> candidates;
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = 0;
    candidates.push_back(std::filesystem::path(self).parent_path() / "wf-worker");
  }
  Dl_info info;
  if (::dladdr(reinterpret_cast<void*>(&find_worker_executable), &info) && info.dli_fname) {
    std::filesystem::path lib = std::filesystem::absolute(info.dli_fname).parent_path();
    candidates.push_back(lib / "wf-worker");
    candidates.push_back(lib.parent_path() / "bin" / "wf-worker");
  }
  for (auto& c : candidates)
    if (::access(c.c_str(), X_OK) == 0) return c.string();
#ifdef WF_INSTALLED_WORKER
  return WF_INSTALLED_WORKER;
#else
  return "wf-worker";
#endif
}

bool launch(const LaunchSpec& spec, Launched& out, std::string& error) {
  // mpirun would report an unlaunchable program only by never starting it: check first.
  if (::access(spec.worker_path.c_str(), X_OK) != 0) {
    error = "the worker program `" + spec.worker_path + "` cannot be run: " + std::strerror(errno);
    return false;
  }
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> vars = spec.env.variables();
  auto set_default = [&](const char* name, const char* value) {
    if (env(name).empty()) vars.push_back({name, value});
  };
  if (spec.launcher == LauncherKind::Mpirun) {
    if (!on_path("mpirun")) {
      error = "`mpirun` is not installed; use `--launcher local`";
      return false;
    }
    // What Open MPI needs here, unless the user chose otherwise (../shared/TOOLCHAIN.md):
    // running as root, the fast ob1 startup, no CMA single-copy (refused in containers).
    set_default("OMPI_ALLOW_RUN_AS_ROOT", "1");
    set_default("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    set_default("OMPI_MCA_pml", "ob1");
    set_default("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
    args = {"mpirun", "-n", std::to_string(spec.ranks), "--enable-recovery", "--bind-to", "none"};
    if (spec.oversubscribe) args.push_back("--oversubscribe");
    if (!spec.hostfile.empty()) {
      if (::access(spec.hostfile.c_str(), R_OK) != 0) {
        error = "cannot read the hostfile `" + spec.hostfile + "`: " + std::strerror(errno);
        return false;
      }
      args.push_back("--hostfile");
      args.push_back(spec.hostfile);
    }
    for (auto& [name, value] : vars) {
      if (name.rfind("WF_", 0) != 0) continue;
      args.push_back("-x");
      args.push_back(name);  // the value travels in the environment, never on the command line
    }
  } else if (spec.launcher == LauncherKind::Slurm) {
    if (!on_path("srun")) {
      error = "`srun` is not installed; the slurm launcher runs inside a Slurm allocation";
      return false;
    }
    // --overlap: later steps (a second pool, replacement workers) must not wait for the CPUs
    // the first step holds. Debian's Open MPI needs PMIx to initialize under srun.
    args = {"srun", "-n", std::to_string(spec.ranks), "--kill-on-bad-exit=0", "--export=ALL", "--overlap"};
    // A world of plain workers (one step per rank, WF_USE_MPI=0) needs no MPI wiring at all.
    if (!spec.env.use_mpi) args.push_back("--mpi=none");
    else if (env("SLURM_MPI_TYPE").empty()) args.push_back("--mpi=pmix");
    if (spec.oversubscribe) args.push_back("--overcommit");
  } else if (spec.launcher == LauncherKind::Flux) {
    if (!flux_command(spec, args, error)) return false;
    // Open MPI initializes through Flux's PMI; the same fast start-up as under mpirun.
    set_default("OMPI_MCA_pml", "ob1");
    set_default("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
  }
  args.push_back(spec.worker_path);

  std::vector<std::string> environment;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (auto& [n, v] : vars) overridden |= n == name;
    if (!overridden) environment.push_back(entry);
  }
  for (auto& [n, v] : vars) environment.push_back(n + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  const char* program = args[0].c_str();
  bool search = spec.launcher != LauncherKind::Local;

  // mpirun's standard error passes through MpirunStderr, which drops a harmless line and
  // turns the launch failures wf can explain into a diagnosis for wf's own error message;
  // `flux run`'s through FluxStderr, which also takes the job's id from it.
  bool flux = spec.launcher == LauncherKind::Flux;
  int err_pipe[2] = {-1, -1};
  if ((spec.launcher == LauncherKind::Mpirun || flux) && ::pipe2(err_pipe, O_CLOEXEC) != 0)
    err_pipe[0] = err_pipe[1] = -1;

  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    if (err_pipe[0] >= 0) ::close(err_pipe[0]), ::close(err_pipe[1]);
    return false;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    // srun and `flux run` die with the driver; the workers then notice the silence
    // (heartbeat) and exit. mpirun outlives it by those 3 s instead: Open MPI _exits every
    // rank the moment mpirun dies, which leaves their shared-memory files in /dev/shm (no one
    // is left to remove them), whereas ranks that exit on their own let mpirun end the job
    // and remove them (launch/shm_residue.hpp).
    if (spec.launcher != LauncherKind::Mpirun) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(127);
    if (err_pipe[1] >= 0) ::dup2(err_pipe[1], 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!spec.cpus.empty()) {
      cpu_set_t allowed;
      CPU_ZERO(&allowed);
      for (int cpu : spec.cpus) CPU_SET(cpu, &allowed);
      ::sched_setaffinity(0, sizeof allowed, &allowed);
    }
    if (search) ::execvpe(program, argv.data(), envp.data());
    else ::execve(program, argv.data(), envp.data());
    _exit(127);
  }
  ::setpgid(pid, pid);
  remember_launched(pid);
  if (flux) flux_world_launched(pid);
  if (err_pipe[0] >= 0) {
    ::close(err_pipe[1]);
    std::thread([fd = err_pipe[0], report = out.report, flux, pid] {
      FILE* in = ::fdopen(fd, "r");
      char line[4096];
      MpirunStderr mpirun_reader;
      FluxStderr flux_reader;
      bool jobid_told = false;
      while (in && std::fgets(line, sizeof line, in)) {
        std::string shown = flux ? flux_reader.feed(line) : mpirun_reader.feed(line);
        if (!shown.empty()) std::fputs(shown.c_str(), stderr);
        if (flux && !flux_reader.jobid().empty() && !std::exchange(jobid_told, true))
          flux_world_jobid(pid, flux_reader.jobid());
        const std::string& diagnosis = flux ? flux_reader.diagnosis() : mpirun_reader.diagnosis();
        if (!diagnosis.empty()) {
          std::lock_guard<std::mutex> lock(report->mutex);
          report->diagnosis = diagnosis;
        }
      }
      if (!flux) std::fputs(mpirun_reader.finish().c_str(), stderr);
      if (in) std::fclose(in);
      std::lock_guard<std::mutex> lock(report->mutex);
      report->closed = true;
      report->closed_cv.notify_all();
    }).detach();
  }
  out.pid = pid;
  return true;
}

std::string LaunchReport::wait_for_diagnosis(double seconds) {
  std::unique_lock<std::mutex> lock(mutex);
  closed_cv.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return closed; });
  return diagnosis;
}

void end_all_launched() {
  // Flux jobs are cancelled through Flux (their `flux run` processes would only forward a
  // signal), then SIGTERM: mpirun then ends its ranks and removes its session files.
  cancel_flux_jobs();
  bool any = false;
  for (auto& slot : g_launched) {
    pid_t pid = slot.load();
    if (pid > 0) any |= ::kill(-pid, SIGTERM) == 0;
  }
  for (int i = 0; any && i < 50; ++i) {  // up to 0.5 s
    any = false;
    for (auto& slot : g_launched) {
      pid_t pid = slot.load();
      if (pid > 0 && ::kill(pid, 0) == 0) {
        int status;
        any = ::waitpid(pid, &status, WNOHANG) == 0;
        if (any) break;
      }
    }
    if (any) ::usleep(10000);
  }
  kill_all_launched();
  remove_unused_shm_files(0.5);  // of the ranks just killed, once the kernel has ended them
}

void end_launched_world(pid_t pid) {
  end_flux_world(pid);
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
}

void kill_all_launched() {
  for (auto& slot : g_launched) {
    pid_t pid = slot.load();
    if (pid > 0) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
    }
  }
}

void forget_launched(pid_t pid) {
  flux_world_ended(pid);
  for (auto& slot : g_launched) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) break;
  }
  remove_unused_shm_files();  // a rank gone: its files, unless a live rank still maps them
}

const std::string& run_directory() {
  static const std::string dir = [] {
    std::string base = env("TMPDIR").empty() ? "/tmp" : env("TMPDIR");
    std::string tmpl = base + "/wf-XXXXXX";
    if (!::mkdtemp(tmpl.data())) return std::string();
    ::chmod(tmpl.c_str(), 0700);
    return tmpl;
  }();
  // Registered after `dir` is complete, so it runs before `dir` is destroyed.
  static const bool cleanup_registered = (std::atexit(remove_run_directory), true);
  (void)cleanup_registered;
  return dir;
}

void remove_run_directory() {
  const std::string& dir = run_directory();
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace wf::detail
