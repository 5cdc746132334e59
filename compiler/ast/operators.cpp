// Operators (see operators.hpp).
#include "ast/operators.hpp"

namespace wf {

namespace {
struct Spelling {
  Op op;
  const char* text;
};
constexpr Spelling kSpellings[] = {
    {Op::Add, "+"},     {Op::Sub, "-"},     {Op::Mul, "*"},     {Op::Div, "/"},    {Op::Mod, "%"},
    {Op::BitAnd, "&"},  {Op::BitOr, "|"},   {Op::BitXor, "^"},  {Op::Shl, "<<"},   {Op::Shr, ">>"},
    {Op::UShr, ">>>"},  {Op::Eq, "=="},     {Op::Ne, "!="},     {Op::Lt, "<"},     {Op::Le, "<="},
    {Op::Gt, ">"},      {Op::Ge, ">="},     {Op::BitNot, "~"},  {Op::Not, "not"},  {Op::And, "and"},
    {Op::Or, "or"},
};
}  // namespace

Op op_from_text(std::string_view text) {
  if (text.size() >= 2 && text.back() == '=' && text != "==" && text != "!=" && text != "<=" && text != ">=")
    text.remove_suffix(1);  // `+=` is `+`
  for (const Spelling& s : kSpellings)
    if (text == s.text) return s.op;
  return Op::None;
}

const char* op_text(Op op) {
  if (op == Op::Neg) return "-";
  for (const Spelling& s : kSpellings)
    if (s.op == op) return s.text;
  return "=";
}

bool is_comparison(Op op) { return op >= Op::Eq && op <= Op::Ge; }
bool is_arithmetic(Op op) { return op >= Op::Add && op <= Op::Mod; }
bool is_bitwise(Op op) { return op >= Op::BitAnd && op <= Op::UShr; }

}  // namespace wf
