// The design notes for this module are atop shm_residue.hpp.
#include "launch/shm_residue.hpp"

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "log.hpp"

namespace wf::detail {

namespace {

std::mutex g_mutex;
std::set<std::string> g_noted;  // files of our ranks that may still exist

bool is_shm_file(const std::string& path) {
  size_t slash = path.rfind('/');
  return path.compare(slash == std::string::npos ? 0 : slash + 1, 14, "vader_segment.") == 0;
}

// Every `vader_segment.*` file mapped by any process of this host (that we may read).
std::set<std::string> mapped_anywhere() {
  std::set<std::string> out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  pid_t self = ::getpid();
  while (dirent* e = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (!end || *end || pid <= 0 || pid == self) continue;
    for (std::string& f : mapped_shm_files((pid_t)pid)) out.insert(std::move(f));
  }
  ::closedir(proc);
  return out;
}

void remove_at_exit() { remove_unused_shm_files(0.5); }

}  // namespace

std::vector<std::string> mapped_shm_files(pid_t pid) {
  std::vector<std::string> out;
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(maps, line)) {
    size_t p = line.find('/');
    if (p == std::string::npos) continue;
    std::string path = line.substr(p);
    const char kDeleted[] = " (deleted)";
    if (path.size() > sizeof kDeleted - 1 && path.compare(path.size() - (sizeof kDeleted - 1), std::string::npos, kDeleted) == 0)
      continue;  // removed already
    if (is_shm_file(path) && (out.empty() || out.back() != path)) out.push_back(path);
  }
  return out;
}

void note_shm_files(pid_t pid) {
  std::vector<std::string> files = mapped_shm_files(pid);
  if (files.empty()) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  static const bool registered = (std::atexit(remove_at_exit), true);
  (void)registered;
  g_noted.insert(files.begin(), files.end());
}

int remove_unused_shm_files(double seconds) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int removed = 0;
  while (true) {
    for (auto it = g_noted.begin(); it != g_noted.end();)
      it = ::access(it->c_str(), F_OK) == 0 ? std::next(it) : g_noted.erase(it);
    if (g_noted.empty()) break;
    std::set<std::string> in_use = mapped_anywhere();
    for (auto it = g_noted.begin(); it != g_noted.end();) {
      if (in_use.count(*it)) {
        ++it;
        continue;
      }
      if (::unlink(it->c_str()) == 0) {
        log_debug("removed %s (its rank is gone)", it->c_str());
        ++removed;
      }
      it = g_noted.erase(it);
    }
    if (g_noted.empty() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return removed;
}

}  // namespace wf::detail
