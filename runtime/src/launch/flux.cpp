// The design notes for this module are atop flux.hpp.
#include "launch/flux.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "log.hpp"

extern char** environ;

namespace wf::detail {

namespace {


constexpr const char* kCancelMessage = "ended by wfc";

struct FluxWorld {
  std::string jobid;  // "" until flux run has said it
  bool ended = false;
};

std::mutex g_mutex;
std::condition_variable g_jobid_cv;
std::map<pid_t, FluxWorld> g_worlds;

// Runs `flux cancel` on `ids` and waits for it, at most `seconds`.
void run_flux_cancel(const std::vector<std::string>& ids, double seconds) {
  if (ids.empty()) return;
  std::vector<std::string> args = {"flux", "cancel", std::string("--message=") + kCancelMessage};
  args.insert(args.end(), ids.begin(), ids.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return;
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, 1);  // "cancelled 1 job" is not the user's business
    ::execvp("flux", argv.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      log_always("wf: `flux cancel` did not answer within %.0f s", seconds);
      return;
    }
    ::usleep(5000);
  }
  log_debug("flux cancel %s: %s", ids.size() == 1 ? ids[0].c_str() : "(jobs)",
            WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "done" : "failed");
}

}  // namespace

bool in_flux_instance() { return !env("FLUX_URI").empty(); }

bool flux_command(const LaunchSpec& spec, std::vector<std::string>& args, std::string& error) {
  if (!in_flux_instance()) {
    error = "`--launcher flux` runs inside a Flux instance, and FLUX_URI is not set: run wfc in one "
            "(`flux alloc -N 2 wfc run app.wf`, `flux batch`, or `flux start wfc run app.wf`), or choose "
            "another launcher";
    return false;
  }
  if (!on_path("flux")) {
    error = "FLUX_URI is set but `flux` is not on the PATH; the flux launcher starts workers with `flux run`";
    return false;
  }
  if (spec.oversubscribe) log_debug("flux: --oversubscribe has no Flux equivalent; the job asks for one core per worker");
  args = {"flux", "run", "-v", "-n", std::to_string(spec.ranks), "-c", "1", "-o", "exit-timeout=none",
          "-o", "cpu-affinity=off", "--job-name=wf-worker"};
  return true;
}

std::string FluxStderr::feed(const std::string& line) {
  std::string text = line;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (jobid_.empty() && text.rfind("jobid: ", 0) == 0) {
    jobid_ = text.substr(7);
    return "";
  }
  // A request larger than the instance: the scheduler raises an exception at allocation,
  // "0.027s: job.exception ƒNhgVFm type=alloc severity=0 unsatisfiable request: need 9
  // slot(s) of 1 core(s), only 4 such slot(s) available (total cores: 4)".
  size_t at = text.find("unsatisfiable request");
  if (diagnosis_.empty() && at != std::string::npos && text.find("job.exception") != std::string::npos) {
    size_t colon = text.find(": ", at);
    std::string why = colon == std::string::npos ? text.substr(at) : text.substr(colon + 2);
    diagnosis_ = "Flux cannot run the pool's job (one core per worker): " + why +
                 "; use fewer `--workers`, or a larger allocation (`flux alloc -N ...`)";
    return "";
  }
  // `flux job attach` reports the exception of a job wf cancelled itself: not news.
  if (text.find("job.exception") != std::string::npos && text.find(kCancelMessage) != std::string::npos) return "";
  return line;
}

void flux_world_launched(pid_t launcher) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_worlds[launcher] = {};
}

void flux_world_jobid(pid_t launcher, const std::string& jobid) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_worlds.find(launcher);
  if (it == g_worlds.end()) return;
  it->second.jobid = jobid;
  g_jobid_cv.notify_all();
  log_debug("flux: world of launcher pid %d is job %s", (int)launcher, jobid.c_str());
}

void flux_world_ended(pid_t launcher) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_worlds.find(launcher);
  if (it != g_worlds.end()) it->second.ended = true;
}

void end_flux_world(pid_t launcher) {
  std::string id;
  {
    std::unique_lock<std::mutex> lock(g_mutex);
    auto it = g_worlds.find(launcher);
    if (it == g_worlds.end() || it->second.ended) return;
    g_jobid_cv.wait_for(lock, std::chrono::seconds(2), [&] { return !it->second.jobid.empty(); });
    id = it->second.jobid;
    it->second.ended = true;
  }
  if (id.empty()) return;  // `flux run` never got as far as submitting: nothing to cancel
  run_flux_cancel({id}, 5.0);
}

void cancel_flux_jobs() {
  std::vector<std::string> ids;
  {
    std::unique_lock<std::mutex> lock(g_mutex);
    // A world launched a moment ago may not have printed its id yet.
    g_jobid_cv.wait_for(lock, std::chrono::seconds(2), [] {
      for (auto& [pid, w] : g_worlds)
        if (!w.ended && w.jobid.empty()) return false;
      return true;
    });
    for (auto& [pid, w] : g_worlds)
      if (!w.ended && !w.jobid.empty()) {
        ids.push_back(w.jobid);
        w.ended = true;
      }
  }
  run_flux_cancel(ids, 5.0);
}

}  // namespace wf::detail
