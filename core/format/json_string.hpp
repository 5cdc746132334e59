// A string as a JSON string literal: quotes, backslashes and control characters escaped, other
// bytes (UTF-8 included) as they are. Shared by the writers of JSON (`wfc cache show --json`,
// `wfc run --trace`), which need nothing more of JSON than this.
#pragma once

#include <cstdio>
#include <ostream>
#include <string_view>

namespace wf::format {

inline void json_string(std::ostream& out, std::string_view s) {
  out << '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out << '\\' << c;
    else if (c == '\n') out << "\\n";
    else if (c == '\t') out << "\\t";
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out << buf;
    } else out << c;
  }
  out << '"';
}

}  // namespace wf::format
