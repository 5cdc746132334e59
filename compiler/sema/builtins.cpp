// The design notes for this module are atop builtins.hpp.
#include "sema/builtins.hpp"

#include <unordered_map>

namespace wf {

namespace {
struct Info {
  const char* name;
  BuiltinScope scope;
};
const Info kInfo[] = {
#define WF_BUILTIN(id, name, where) {name, BuiltinScope::where},
#include "sema/builtins.def"
#undef WF_BUILTIN
};
}  // namespace

Builtin find_builtin(const std::string& name) {
  static const std::unordered_map<std::string, Builtin> by_name = [] {
    std::unordered_map<std::string, Builtin> m;
    for (int i = 0; i < (int)Builtin::Count; ++i) m[kInfo[i].name] = (Builtin)i;
    return m;
  }();
  auto it = by_name.find(name);
  return it == by_name.end() ? Builtin::Count : it->second;
}

const char* builtin_name(Builtin b) { return kInfo[(int)b].name; }
BuiltinScope builtin_scope(Builtin b) { return kInfo[(int)b].scope; }

}  // namespace wf
