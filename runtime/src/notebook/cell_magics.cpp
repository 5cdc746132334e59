// The design notes for this module are atop cell_magics.hpp.
#include "notebook/cell_magics.hpp"

#include <algorithm>

namespace wf::notebook {

bool take_magics(std::string& code, const std::string& cell_name, CellMagics& magics, std::string& error) {
  size_t at = 0;
  for (int line = 1; at < code.size(); ++line) {
    size_t end = code.find('\n', at);
    if (end == std::string::npos) end = code.size();
    size_t first = code.find_first_not_of(" \t\r", at);
    if (first == std::string::npos || first >= end) {  // a blank line
      at = end + 1;
      continue;
    }
    if (code[first] != '%') return true;  // the cell's code begins
    size_t stop = code.find_first_of(" \t\r", first);
    std::string name = code.substr(first, std::min(stop, end) - first);
    std::string where = cell_name + ":" + std::to_string(line) + ":" + std::to_string(first - at + 1) + ": error: ";
    if (name == "%graph") magics.graph = true;
    else if (name == "%stats") magics.stats = true;
    else {
      error = where + "unknown cell magic `" + name + "` (there are `%graph` and `%stats`)";
      return false;
    }
    if (code.find_first_not_of(" \t\r", first + name.size()) < end) {
      error = where + "`" + name + "` takes nothing after it";
      return false;
    }
    code.replace(at, end - at, std::string(end - at, ' '));
    at = end + 1;
  }
  return true;
}

}  // namespace wf::notebook
