// The built-in functions of LANGUAGE.md §5, §7 and v2, as the checker and code generation see
// them, all listed in sema/builtins.def. A built-in with one signature is described there
// completely (its types and its ABI function), so adding one touches that table and the
// stdlib only; the generic and overloaded ones (`len` of any array, `min` of ints or floats)
// have their typing rules in sema/checker.cpp and their code in codegen/.
#pragma once

#include <string>
#include <vector>

#include "ast/types.hpp"

namespace wf {

enum class Builtin {
#define WF_BUILTIN(id, name, where, signature, symbol) id,
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

// A built-in with one signature: called as symbol([ctx,] [loc,] args...).
struct BuiltinSignature {
  bool takes_context = false;
  bool takes_location = false;
  std::vector<TypeRef> params;
  TypeRef result = nullptr;
  const char* symbol = nullptr;
};
// nullptr for the built-ins typed by a rule of their own.
const BuiltinSignature* builtin_signature(Builtin b);

}  // namespace wf
