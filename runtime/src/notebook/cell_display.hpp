// How a cell shows its value besides text/plain (which is what `print` writes): an HTML
// table for an array of records or tuples (a row per element, a column per field) and for
// a dictionary (a row per entry), as a notebook user expects of tabular data; "" otherwise.
// Long tables show their first rows and say how many more there are.
#pragma once

#include <cstdint>
#include <string>

namespace wf::notebook {

std::string html_of(const char* desc, uint64_t value);
// `text` with `&`, `<`, `>` and `"` written as HTML entities.
std::string html_escaped(const std::string& text);

}  // namespace wf::notebook
