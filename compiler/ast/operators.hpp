// The operators of wf (LANGUAGE.md §6), as one enum shared by the parser, the checker (typing
// and constant folding) and code generation, so that none of them compares operator text.
// The text is kept only for diagnostics (`op_text`).
#pragma once

#include <string_view>

namespace wf {

enum class Op {
  None,  // not an operator (a plain `=` assignment)
  Add, Sub, Mul, Div, Mod,
  BitAnd, BitOr, BitXor, Shl, Shr, UShr,
  Eq, Ne, Lt, Le, Gt, Ge,
  Neg, BitNot, Not, And, Or,
};

// "+" -> Op::Add, "+=" -> Op::Add (the operator of a compound assignment), "=" -> Op::None.
Op op_from_text(std::string_view text);
const char* op_text(Op op);  // "+", "==", "not", ...
bool is_comparison(Op op);   // == != < <= > >=
bool is_arithmetic(Op op);   // + - * / %
bool is_bitwise(Op op);      // & | ^ << >> >>>

}  // namespace wf
