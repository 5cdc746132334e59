// String built-ins (LANGUAGE.md §7 "Strings"). Strings are byte strings: lengths and
// positions count bytes.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

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

// A wf string is NUL-terminated (values.hpp), so strtoll/strtod read it in place; a NUL
// inside it stops them early and fails the check that they read all of it. No C++ string
// lives in these frames when `raise` longjmps out of them.
int64_t wf_parse_int(wf_ctx* ctx, int64_t loc, wf_str* s) {
  errno = 0;
  char* end = nullptr;
  long long v = s->len == 0 ? 0 : std::strtoll(s->data, &end, 10);
  if (s->len == 0 || end != s->data + s->len || errno == ERANGE || std::isspace((unsigned char)s->data[0]))
    raise(*ctx, loc, "cannot parse \"" + std::string(s->view()) + "\" as int");
  return v;
}

double wf_parse_float(wf_ctx* ctx, int64_t loc, wf_str* s) {
  char* end = nullptr;
  double v = s->len == 0 ? 0 : std::strtod(s->data, &end);
  if (s->len == 0 || end != s->data + s->len || std::isspace((unsigned char)s->data[0]))
    raise(*ctx, loc, "cannot parse \"" + std::string(s->view()) + "\" as float");
  return v;
}

wf_str* wf_trim(wf_ctx* ctx, wf_str* s) {
  std::string_view v = s->view();
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!v.empty() && space(v.front())) v.remove_prefix(1);
  while (!v.empty() && space(v.back())) v.remove_suffix(1);
  return make_str(*ctx, v);
}

}  // extern "C"
