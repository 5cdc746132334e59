// How wf values are laid out in memory, and the generic operations the stdlib performs on
// any value by walking its type descriptor (compiler/ast/types.hpp): format, copy, compare.
//
// A value is one 64-bit slot: int, the bits of a float, bool 0/1, or a pointer to
//   str   : WfStr   { len, bytes..., '\0' }     (immutable)
//   [T]   : WfArray { len, cap, data -> slots } (mutable through `var` only)
//   (T..) : slots[n]                            (immutable)
//   <Name|f:T|g:U..> : a record, slots[n] like a tuple, one per field in declaration order
//           (written in place, by compiled code, only inside a `var`'s tree)
//   {KV}  : WfDict (dicts.hpp)                   (mutable through `var` only)
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "execution/context.hpp"

namespace wf::detail {

using Slot = uint64_t;

struct WfStr {
  int64_t len;
  char data[1];
  std::string_view view() const { return {data, (size_t)len}; }
};

struct WfArray {
  int64_t len;
  int64_t cap;
  Slot* data;
};

inline Slot as_slot(double f) {
  Slot s;
  std::memcpy(&s, &f, 8);
  return s;
}
inline double as_float(Slot s) {
  double f;
  std::memcpy(&f, &s, 8);
  return f;
}
template <typename T>
Slot ptr_slot(T* p) {
  return (Slot)(uintptr_t)p;
}
template <typename T>
T* slot_ptr(Slot s) {
  return (T*)(uintptr_t)s;
}

WfStr* make_str(Context& ctx, std::string_view s);
WfArray* make_array(Context& ctx, int64_t len);
void array_push(Context& ctx, WfArray* a, Slot v);

// Descriptor walking: the end of the type that starts at `d`.
const char* desc_skip(const char* d);
// Whether a value of this type is a pointer to memory it owns (strings and aggregates).
inline bool is_tree(const char* d) { return *d == 's' || *d == '[' || *d == '(' || *d == '<' || *d == '{'; }
// The field types of a tuple `(AB..)` or a record `<Name|a:A|b:B..>`, in slot order:
//   for (const char* f = first_field(d); f; f = next_field(f)) ...
const char* first_field(const char* d);
const char* next_field(const char* f);  // `f`: a field's type; the next field's, or nullptr

// Python-style shortest round-trip repr of a double (LANGUAGE.md §8).
std::string format_float(double x);
// Appends the printed form of a value; `top` strings print bare, nested ones quoted.
void format_value(std::string& out, const char* desc, Slot v, bool top);
// The printed form cut to about `budget` characters, for error lines: a long array shows its
// first items and its length (`[1.5, 1.5, ... ] (1000 items)`), a long string its start.
void format_value_brief(std::string& out, const char* desc, Slot v, size_t budget);
Slot copy_value(Context& ctx, const char* desc, Slot v);
bool equal_values(const char* desc, Slot a, Slot b);

}  // namespace wf::detail
