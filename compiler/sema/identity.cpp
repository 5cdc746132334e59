// The design notes for this module are atop identity.hpp.
#include "sema/identity.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "hash/hash128.hpp"
#include "object/wfo.hpp"

namespace wf {

namespace {

// Top-level declarations by name. Kinds are kept apart in the key's text ("f:", "c:", "s:")
// because a struct and a function may share a name.
using Declarations = std::multimap<std::string, std::pair<std::string, const DeclTokens*>>;

Declarations declarations_of(const ProgramAst& program) {
  Declarations out;
  for (auto& f : program.functions) out.emplace(f->name, std::make_pair("f:" + f->name, &f->tokens));
  for (auto& c : program.consts) out.emplace(c->name, std::make_pair("c:" + c->name, &c->tokens));
  for (auto& s : program.structs) out.emplace(s->name, std::make_pair("s:" + s->name, &s->tokens));
  return out;
}

std::string identity_of(const FnDecl& fn, const Declarations& decls) {
  // Every declaration reachable from `fn` by name, keyed (and so hashed) in a fixed order.
  std::map<std::string, const DeclTokens*> reached{{"f:" + fn.name, &fn.tokens}};
  std::vector<const DeclTokens*> todo{&fn.tokens};
  while (!todo.empty()) {
    const DeclTokens* d = todo.back();
    todo.pop_back();
    for (const std::string& name : d->names) {
      auto [lo, hi] = decls.equal_range(name);
      for (auto it = lo; it != hi; ++it)
        if (reached.emplace(it->second.first, it->second.second).second) todo.push_back(it->second.second);
    }
  }
  Hasher h;
  h.add(kCompilerVersion);
  for (auto& [key, tokens] : reached) h.add(key).add(tokens->text);
  return h.digest().hex();
}

}  // namespace

std::vector<std::string> function_identities(const ProgramAst& program) {
  Declarations decls = declarations_of(program);
  std::vector<std::string> out;
  out.reserve(program.functions.size());
  for (auto& f : program.functions) out.push_back(identity_of(*f, decls));
  return out;
}

}  // namespace wf
