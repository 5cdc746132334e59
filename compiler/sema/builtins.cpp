// The design notes for this module are atop builtins.hpp.
#include "sema/builtins.hpp"

#include <cstdlib>
#include <cstdio>
#include <unordered_map>

namespace wf {

namespace {
struct Info {
  const char* name;
  BuiltinScope scope;
  const char* signature;
  const char* symbol;
};
const Info kInfo[] = {
#define WF_BUILTIN(id, name, where, signature, symbol) {name, BuiltinScope::where, signature, symbol},
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

namespace {
// "cl(s)i" -> takes ctx and loc, (str) -> int. A malformed table line is a bug of this
// program, found by the first compile that uses the built-in.
BuiltinSignature parse_signature(const Info& info) {
  BuiltinSignature sig;
  sig.symbol = info.symbol;
  std::string text = info.signature;
  size_t pos = 0;
  if (pos < text.size() && text[pos] == 'c') sig.takes_context = true, ++pos;
  if (pos < text.size() && text[pos] == 'l') sig.takes_location = true, ++pos;
  bool ok = pos < text.size() && text[pos++] == '(';
  while (ok && pos < text.size() && text[pos] != ')') {
    TypeRef t = types::from_desc_at(text, pos);
    ok = t != nullptr;
    if (ok) sig.params.push_back(t);
  }
  ok = ok && pos < text.size() && text[pos++] == ')';
  sig.result = ok ? types::from_desc_at(text, pos) : nullptr;
  if (!sig.result || pos != text.size()) {
    std::fprintf(stderr, "wfc: internal error: bad signature \"%s\" of built-in `%s`\n", info.signature, info.name);
    std::abort();
  }
  return sig;
}
}  // namespace

const BuiltinSignature* builtin_signature(Builtin b) {
  static const std::vector<BuiltinSignature> table = [] {
    std::vector<BuiltinSignature> t;
    for (const Info& info : kInfo) t.push_back(info.signature[0] ? parse_signature(info) : BuiltinSignature{});
    return t;
  }();
  const BuiltinSignature& sig = table[(size_t)b];
  return sig.symbol && sig.symbol[0] ? &sig : nullptr;
}

}  // namespace wf
