// Places (see places.hpp).
#include "ast/places.hpp"

namespace wf {

const LocalInfo* var_root(const Expr& e, const FnDecl& fn, PlaceChain chain) {
  const Expr* r = &e;
  auto walks = [&](const Expr* x) {
    if (x->kind == ExprKind::Index) return true;
    if (x->kind != ExprKind::Field) return false;
    if (chain == PlaceChain::IndexesAndFields) return true;
    const Expr* base = x->args[0].get();
    return base->type && base->type->is(TypeKind::Record);
  };
  while (walks(r)) r = r->args[0].get();
  if (r->kind != ExprKind::Name || r->resolved.kind != Resolved::Local) return nullptr;
  const LocalInfo& local = fn.locals[r->resolved.local];
  return local.mutable_ ? &local : nullptr;
}

}  // namespace wf
