// The design notes for this module are atop code_points.hpp.
#include "kernel/code_points.hpp"

namespace wf::kernel {

namespace {

// A UTF-8 continuation byte: 10xxxxxx.
bool continues(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

size_t byte_offset(std::string_view text, size_t code_points) {
  size_t at = 0;
  for (size_t n = 0; n < code_points && at < text.size(); ++n) {
    ++at;
    while (at < text.size() && continues(text[at])) ++at;
  }
  return at;
}

size_t code_point_offset(std::string_view text, size_t bytes) {
  size_t n = 0;
  for (size_t i = 0; i < bytes && i < text.size(); ++i)
    if (!continues(text[i])) ++n;
  return n;
}

}  // namespace wf::kernel
