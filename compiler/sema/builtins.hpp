// The built-in functions of LANGUAGE.md §5 and §7, as the checker and code generation see
// them. Their typing rules live in sema/checker.cpp (most are generic: `len` takes any array
// or a str); their code lives in codegen/ and, behind a C ABI, in stdlib/.
#pragma once

#include <string>

namespace wf {

enum class Builtin {
#define WF_BUILTIN(id, name, where) id,
#include "sema/builtins.def"
#undef WF_BUILTIN
  Count
};

// Where a builtin may be called.
enum class BuiltinScope { Anywhere, FlowOnly, MpiOnly };

// nullptr-safe lookup by source name; returns Builtin::Count when `name` is not a builtin.
Builtin find_builtin(const std::string& name);
const char* builtin_name(Builtin b);
BuiltinScope builtin_scope(Builtin b);

}  // namespace wf
