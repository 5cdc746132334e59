// String built-ins (LANGUAGE.md §7 "Strings"). Strings are byte strings: lengths and
// positions count bytes.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string>

#include "abi.h"
#include "values.hpp"

using namespace wf::detail;

extern "C" {

wf_str* wf_substr(wf_ctx* ctx, wf_str* s, int64_t start, int64_t len) {
  start = std::clamp<int64_t>(start, 0, s->len);
  len = std::clamp<int64_t>(len, 0, s->len - start);
  return make_str(*ctx, s->view().substr((size_t)start, (size_t)len));
}

int64_t wf_find(wf_str* s, wf_str* sub) {
  size_t p = s->view().find(sub->view());
  return p == std::string_view::npos ? -1 : (int64_t)p;
}

wf_array* wf_split(wf_ctx* ctx, wf_str* s, wf_str* sep) {
  WfArray* r = make_array(*ctx, 0);
  std::string_view text = s->view(), d = sep->view();
  if (d.empty()) {  // split into single bytes
    for (char c : text) array_push(*ctx, r, ptr_slot(make_str(*ctx, std::string_view(&c, 1))));
    return r;
  }
  size_t pos = 0;
  while (true) {
    size_t next = text.find(d, pos);
    if (next == std::string_view::npos) break;
    array_push(*ctx, r, ptr_slot(make_str(*ctx, text.substr(pos, next - pos))));
    pos = next + d.size();
  }
  array_push(*ctx, r, ptr_slot(make_str(*ctx, text.substr(pos))));
  return r;
}

wf_str* wf_join(wf_ctx* ctx, wf_array* parts, wf_str* sep) {
  std::string out;
  for (int64_t i = 0; i < parts->len; ++i) {
    if (i) out += sep->view();
    out += slot_ptr<WfStr>(parts->data[i])->view();
  }
  return make_str(*ctx, out);
}

// LANGUAGE.md §19: surrounding whitespace is fine; an int may be written as a literal is
// (`0x1F`, `1_000`, with a sign). Everything else, or a value out of range, is an error. No C++
// string with a destructor is alive in these frames when `raise` longjmps out of them.
namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
std::string_view trimmed(const wf_str* s) {
  std::string_view v = s->view();
  while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
  return v;
}
// Digits with single `_` between them (as in literals), into `out` without the separators.
bool literal_digits(std::string_view v, bool hex, std::string& out) {
  bool last_digit = false;
  for (char c : v) {
    if (c == '_') {
      if (!last_digit) return false;
      last_digit = false;
      continue;
    }
    if (!(hex ? std::isxdigit((unsigned char)c) : std::isdigit((unsigned char)c))) return false;
    out += c;
    last_digit = true;
  }
  return last_digit;
}
bool parse_int_text(std::string_view v, int64_t& out) {
  bool negative = false;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) negative = v[0] == '-', v.remove_prefix(1);
  bool hex = v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
  if (hex) v.remove_prefix(2);
  std::string digits = negative ? "-" : "";
  if (!literal_digits(v, hex, digits)) return false;
  errno = 0;
  char* end = nullptr;
  long long r = std::strtoll(digits.c_str(), &end, hex ? 16 : 10);
  if (errno == ERANGE || *end) return false;
  out = r;
  return true;
}
}  // namespace

int64_t wf_parse_int(wf_ctx* ctx, int64_t loc, wf_str* s) {
  int64_t v = 0;
  if (!parse_int_text(trimmed(s), v) || std::memchr(s->data, 0, (size_t)s->len))
    raise(*ctx, loc, "cannot parse \"" + std::string(s->view()) + "\" as int");
  return v;
}

double wf_parse_float(wf_ctx* ctx, int64_t loc, wf_str* s) {
  std::string_view v = trimmed(s);
  double r = 0;
  bool ok = false;
  {
    std::string text(v);
    char* end = nullptr;
    if (!text.empty() && !std::memchr(s->data, 0, (size_t)s->len)) {
      r = std::strtod(text.c_str(), &end);
      ok = *end == 0;
    }
  }
  if (!ok) raise(*ctx, loc, "cannot parse \"" + std::string(s->view()) + "\" as float");
  return r;
}

wf_str* wf_trim(wf_ctx* ctx, wf_str* s) {
  std::string_view v = s->view();
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!v.empty() && space(v.front())) v.remove_prefix(1);
  while (!v.empty() && space(v.back())) v.remove_suffix(1);
  return make_str(*ctx, v);
}

}  // extern "C"
