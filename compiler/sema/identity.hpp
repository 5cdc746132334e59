// A function's compiled identity, the result cache's notion of "the same function"
// (RUNTIME.md "Result cache"): a hash of its own declaration and of every declaration it
// reaches by name — the functions it calls, transitively, and the constants and structs it
// uses — as tokens, so comments and layout do not count, plus the compiler's version.
// Editing an unrelated function leaves it unchanged; editing anything it reaches changes it.
//
// Reaching is by name, over the identifiers of the declaration's tokens: a local variable
// that happens to share a function's name pulls that function in too. That can only make an
// identity change more often than needed, never less. Not covered: the contents of an
// `extern fn`'s library and files a task reads (docs/cache.md says so).
#pragma once

#include <string>
#include <vector>

#include "ast/ast.hpp"

namespace wf {

// One identity (32 hex digits) per function of `program`, by position in program.functions.
std::vector<std::string> function_identities(const ProgramAst& program);

}  // namespace wf
