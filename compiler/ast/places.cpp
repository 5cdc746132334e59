// Places (see places.hpp).
#include "ast/places.hpp"

namespace wf {

const LocalInfo* var_root(const Expr& e, const FnDecl& fn, PlaceChain chain) {
  const Expr* r = &e;
  while (r->kind == ExprKind::Index || (chain == PlaceChain::IndexesAndFields && r->kind == ExprKind::Field))
    r = r->args[0].get();
  if (r->kind != ExprKind::Name || r->resolved.kind != Resolved::Local) return nullptr;
  const LocalInfo& local = fn.locals[r->resolved.local];
  return local.mutable_ ? &local : nullptr;
}

}  // namespace wf
