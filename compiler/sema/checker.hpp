// Name resolution and type checking (LANGUAGE.md §3-§7, errors of §9).
//
// The checker annotates the AST in place: every expression gets its type, every name what it
// refers to, implicit int->float conversions become explicit IntToFloat nodes, constants are
// folded. It reports every error it finds and keeps going; an expression whose type could not
// be determined gets the Error type, which every rule accepts silently, so one mistake yields
// one diagnostic rather than a cascade.
#pragma once

#include "ast/ast.hpp"
#include "diagnostics/diagnostics.hpp"

namespace wf {

void check_program(ProgramAst& program, Diagnostics& diags);

// The entry flow, or nullptr (with a diagnostic) when `flow main` is missing or malformed.
const FnDecl* find_main(const ProgramAst& program, Diagnostics& diags);

}  // namespace wf
