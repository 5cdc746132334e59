// Rendering of runtime errors (see runtime_error.hpp).
#include "execution/runtime_error.hpp"

namespace wf::detail {

std::string RuntimeError::render() const {
  std::string out = "error: " + message + "\n";
  for (const std::string& f : frames) out += "  " + f + "\n";
  if (!task.empty()) out += "  " + task + "\n";
  for (const std::string& f : flow_frames) out += "  " + f + "\n";
  return out;
}

}  // namespace wf::detail
