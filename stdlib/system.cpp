// Files, processes, time, environment, math and `extern fn` binding (LANGUAGE.md §7).
// Paths are relative to the process's working directory, which is the task's pool `cwd`.
#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "abi.h"
#include "output.hpp"
#include "values.hpp"

using namespace wf::detail;

namespace {
std::string errno_text() { return std::strerror(errno); }

// `raise` longjmps: the streams are closed in inner scopes before it is called.
void write_text(wf_ctx* ctx, int64_t loc, wf_str* path, wf_str* text, std::ios::openmode mode) {
  bool ok;
  {
    std::ofstream out(path->data, std::ios::binary | mode);
    if (out) out.write(text->data, (std::streamsize)text->len);
    ok = (bool)out;
  }
  if (!ok) raise(*ctx, loc, "cannot write \"" + std::string(path->view()) + "\": " + errno_text());
}
}  // namespace

extern "C" {

wf_str* wf_read_file(wf_ctx* ctx, int64_t loc, wf_str* path) {
  wf_str* result = nullptr;
  {
    std::ifstream in(path->data, std::ios::binary);
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      result = make_str(*ctx, ss.str());
    }
  }
  if (!result) raise(*ctx, loc, "cannot read \"" + std::string(path->view()) + "\": " + errno_text());
  return result;
}

void wf_write_file(wf_ctx* ctx, int64_t loc, wf_str* path, wf_str* text) {
  write_text(ctx, loc, path, text, std::ios::trunc);
}

void wf_append_file(wf_ctx* ctx, int64_t loc, wf_str* path, wf_str* text) {
  write_text(ctx, loc, path, text, std::ios::app);
}

int64_t wf_exists(wf_str* path) { return ::access(path->data, F_OK) == 0; }

wf_str* wf_getcwd(wf_ctx* ctx) {
  char buf[4096];
  if (!::getcwd(buf, sizeof buf)) buf[0] = 0;
  return make_str(*ctx, buf);
}

void* wf_shell(wf_ctx* ctx, int64_t loc, wf_str* cmd) {
  flush_process_output();
  FILE* p = ::popen(cmd->data, "r");
  if (!p) raise(*ctx, loc, "cannot run /bin/sh: " + errno_text());
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  int64_t code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  auto* t = static_cast<Slot*>(ctx->arena.allocate(16));
  t[0] = (Slot)code;
  t[1] = ptr_slot(make_str(*ctx, out));
  return t;
}

double wf_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void wf_sleep(double seconds) {
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

// In a notebook cell's flow (ctx->interrupt set) the sleep is cut into 10 ms naps, so that an
// interrupt ends it within one; elsewhere it is one sleep.
void wf_sleep_for(wf_ctx* ctx, int64_t loc, double seconds) {
  if (!ctx->interrupt) return wf_sleep(seconds);
  using clock = std::chrono::steady_clock;
  auto until = clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
  while (true) {
    if (interrupt_requested(*ctx)) interrupt_flow(*ctx, loc);
    auto now = clock::now();
    if (now >= until) return;
    std::this_thread::sleep_for(std::min<clock::duration>(until - now, std::chrono::milliseconds(10)));
  }
}

wf_str* wf_getenv(wf_ctx* ctx, wf_str* name) {
  const char* v = std::getenv(name->data);
  return make_str(*ctx, v ? v : "");
}

wf_str* wf_getenv_or(wf_ctx* ctx, wf_str* name, wf_str* fallback) {
  const char* v = std::getenv(name->data);
  return v ? make_str(*ctx, v) : fallback;
}

double wf_time() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// mkdir -p: every missing parent too; an existing directory is fine.
void wf_mkdir(wf_ctx* ctx, int64_t loc, wf_str* path) {
  std::string p(path->view());
  for (size_t i = 1; i <= p.size(); ++i) {
    if (i < p.size() && p[i] != '/') continue;
    std::string part = p.substr(0, i);
    if (::mkdir(part.c_str(), 0777) != 0 && errno != EEXIST) {
      std::string why = errno_text();
      raise(*ctx, loc, "cannot create directory " + part + ": " + why);
    }
  }
  struct stat st;
  if (::stat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) raise(*ctx, loc, "cannot create directory " + p + ": a file of that name exists");
}

void wf_remove_file(wf_ctx* ctx, int64_t loc, wf_str* path) {
  if (::unlink(path->data) != 0) raise(*ctx, loc, "cannot remove " + std::string(path->view()) + ": " + errno_text());
}

// The names in a directory (not `.` and `..`), sorted bytewise.
wf_array* wf_list_dir(wf_ctx* ctx, int64_t loc, wf_str* path) {
  std::vector<std::string> names;
  bool opened;
  {
    DIR* dir = ::opendir(path->data);
    opened = dir != nullptr;
    if (dir) {
      while (dirent* e = ::readdir(dir)) {
        std::string name = e->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      ::closedir(dir);
    }
  }
  if (!opened) raise(*ctx, loc, "cannot list directory " + std::string(path->view()) + ": " + errno_text());
  std::sort(names.begin(), names.end());
  WfArray* out = make_array(*ctx, (int64_t)names.size());
  for (size_t i = 0; i < names.size(); ++i) out->data[i] = ptr_slot(make_str(*ctx, names[i]));
  return out;
}

// In the driver (a flow, or a fn a flow calls directly) the program ends with `code`; a task
// cannot end the program, so there it is an error.
void wf_exit(wf_ctx* ctx, int64_t loc, int64_t code) {
  if (!ctx->host) raise(*ctx, loc, "exit() can only end the program from the driver (a flow, or a fn a flow calls); a task returns or fails instead");
  exit_program(*ctx, code);
}

double wf_math_exp(double x) { return std::exp(x); }
double wf_math_log(double x) { return std::log(x); }
double wf_math_log2(double x) { return std::log2(x); }
double wf_math_log10(double x) { return std::log10(x); }
double wf_math_sin(double x) { return std::sin(x); }
double wf_math_cos(double x) { return std::cos(x); }
double wf_math_tan(double x) { return std::tan(x); }
double wf_math_floor(double x) { return std::floor(x); }
double wf_math_ceil(double x) { return std::ceil(x); }
double wf_math_atan2(double y, double x) { return std::atan2(y, x); }
double wf_math_pow(double x, double y) { return std::pow(x, y); }
double wf_math_fmod(double x, double y) { return std::fmod(x, y); }

// Binds an `extern fn` on first call: dlopen the library (kept open), dlsym the symbol.
void* wf_extern_lookup(wf_ctx* ctx, int64_t loc, const char* lib, const char* symbol) {
  static std::mutex mutex;
  static std::map<std::string, void*> libraries;
  std::string error;
  void* fn = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex);
    void*& handle = libraries[lib];
    if (!handle) handle = ::dlopen(lib, RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
      const char* why = ::dlerror();
      error = std::string("cannot load library \"") + lib + "\"" + (why ? std::string(": ") + why : "");
    } else {
      fn = ::dlsym(handle, symbol);
      if (!fn) error = std::string("symbol `") + symbol + "` not found in \"" + lib + "\"";
    }
  }
  if (!fn) raise(*ctx, loc, std::move(error));  // moved: nothing left to free
  return fn;
}

}  // extern "C"
