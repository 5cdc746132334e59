// Runtime logging to stderr: `log_debug` only when WF_LOG=debug (launches, placement,
// failures); `log_always` for problems the user must see (dropped messages, broken pools).
#pragma once

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace wf::detail {

inline bool debug_logging() {
  static const bool on = [] {
    const char* v = std::getenv("WF_LOG");
    return v && std::strcmp(v, "debug") == 0;
  }();
  return on;
}

__attribute__((format(printf, 1, 2))) inline void log_always(const char* fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "%s\n", buf);
}

#define log_debug(...)                                             \
  do {                                                             \
    if (::wf::detail::debug_logging()) ::wf::detail::log_always("[wf] " __VA_ARGS__); \
  } while (0)

}  // namespace wf::detail
