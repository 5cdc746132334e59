// Constants of the C ABI (abi.def) that code generation and the host must agree on.
// Kept apart from abi.h so that the compiler can see them without the host's declarations.
#pragma once

#include <cstdint>

namespace wf {

// An optional int argument the program left out (`pool()` without `workers=`, `map` without
// `chunk=`), so that every value the program can pass, 0 and negatives included, can be
// checked and reported.
inline constexpr int64_t kAbiOptionAbsent = INT64_MIN;

}  // namespace wf
