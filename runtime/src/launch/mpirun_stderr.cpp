// The design notes for this module are atop mpirun_stderr.hpp.
#include "launch/mpirun_stderr.hpp"

#include <cstdlib>

namespace wf::detail {

namespace {

bool is_rule(const std::string& line) {
  size_t n = line.find_last_not_of("\r\n") + 1;
  if (n < 20) return false;
  for (size_t i = 0; i < n; ++i)
    if (line[i] != '-') return false;
  return true;
}

bool contains(const std::vector<std::string>& lines, const char* text) {
  for (const std::string& l : lines)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

// "... to satisfy the 3\n" -> 3, or 0.
int requested_slots(const std::vector<std::string>& lines) {
  for (const std::string& l : lines) {
    size_t at = l.find("to satisfy the ");
    if (at != std::string::npos) return std::atoi(l.c_str() + at + 15);
  }
  return 0;
}

// The line after "unable to open the hostfile:", trimmed.
std::string hostfile_named(const std::vector<std::string>& lines) {
  for (size_t i = 0; i + 1 < lines.size(); ++i)
    if (lines[i].find("unable to open the hostfile") != std::string::npos) {
      std::string h = lines[i + 1];
      size_t b = h.find_first_not_of(" \t"), e = h.find_last_not_of(" \t\r\n");
      return b == std::string::npos ? "" : h.substr(b, e - b + 1);
    }
  return "";
}

}  // namespace

std::string MpirunStderr::feed(const std::string& line) {
  if (line.find("PMIX ERROR: BAD-PARAM") != std::string::npos) return "";
  if (is_rule(line)) {
    if (!in_block_) {
      in_block_ = true;
      block_ = {line};
      return "";
    }
    block_.push_back(line);
    in_block_ = false;
    return close_block();
  }
  if (in_block_) {
    block_.push_back(line);
    return "";
  }
  return line;
}

std::string MpirunStderr::finish() {
  std::string held;
  for (const std::string& l : block_) held += l;
  block_.clear();
  in_block_ = false;
  return held;
}

std::string MpirunStderr::close_block() {
  std::string explained;
  if (contains(block_, "There are not enough slots available")) {
    int n = requested_slots(block_);
    explained = "Open MPI found fewer slots (cores) than the " + (n > 0 ? std::to_string(n) + " " : std::string()) +
                "ranks asked for; add `--oversubscribe` (or `pool(oversubscribe=true)`), use fewer `--workers`, "
                "or give a `--hostfile` with more slots";
  } else if (contains(block_, "unable to open the hostfile")) {
    explained = "Open MPI cannot open the hostfile `" + hostfile_named(block_) + "`";
  } else if (contains(block_, "An internal error has occurred in ORTE") && !diagnosis_.empty()) {
    explained = diagnosis_;  // ORTE's follow-up to a failure already explained
  }
  if (explained.empty()) return finish();
  if (diagnosis_.empty()) diagnosis_ = explained;
  block_.clear();
  return "";
}

}  // namespace wf::detail
