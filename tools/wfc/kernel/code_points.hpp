// Cursor positions between Jupyter and the session. Jupyter counts a cursor in Unicode code
// points (protocol 5.2: the index a Python `str` would use), the session in bytes of the
// UTF-8 text it compiles. These two functions convert one into the other, so that `é` or
// `→` before the cursor does not shift a completion's range.
//
// Invalid UTF-8 is counted one code point per byte that is not a continuation byte (the
// frontends never send it; the conversion must only stay inside the text).
#pragma once

#include <cstddef>
#include <string_view>

namespace wf::kernel {

// The byte offset of the `code_points`-th code point of `text` (text.size() past its end).
size_t byte_offset(std::string_view text, size_t code_points);
// The number of code points that start before byte `bytes` of `text`.
size_t code_point_offset(std::string_view text, size_t bytes);

}  // namespace wf::kernel
