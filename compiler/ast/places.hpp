// Places: expressions that name a part of a variable (`grid[i][j]`, `pair.0[k]`). The checker
// asks whether a place may be written (`push`, assignment targets: through indexes and record
// fields, not tuple fields), and code generation whether a value read from a place belongs to a
// `var` (then it is copied before being kept: through indexes and any fields); both walk the
// same chain here.
#pragma once

#include "ast/ast.hpp"

namespace wf {

enum class PlaceChain { Writable, IndexesAndFields };

// The `var` that `e` is a place of, walking `chain`; null if `e` does not start from a `var`
// of `fn` (a `let`, a parameter, a call, a literal).
const LocalInfo* var_root(const Expr& e, const FnDecl& fn, PlaceChain chain);

}  // namespace wf
