// Array built-ins (LANGUAGE.md §7 "Arrays"). Results are fresh arrays in the caller's arena.
#include <algorithm>
#include <cmath>

#include "abi.h"
#include "ownership.hpp"
#include "values.hpp"

using namespace wf::detail;

extern "C" {

wf_array* wf_array_new(wf_ctx* ctx, int64_t len) { return make_array(*ctx, len); }

wf_array* wf_array_repeat(wf_ctx* ctx, int64_t loc, const char* desc, uint64_t v, int64_t n) {
  if (n < 0) raise(*ctx, loc, "cannot make an array of " + std::to_string(n) + " elements");
  WfArray* a = make_array(*ctx, n);
  bool deep = *desc == '[' || *desc == '(' || *desc == '<' || *desc == '{';
  for (int64_t i = 0; i < n; ++i) a->data[i] = deep ? copy_value(*ctx, desc, v) : v;
  return a;
}

void wf_array_push(wf_ctx* ctx, wf_array* a, uint64_t v) { owned_array_push(*ctx, a, v); }

wf_array* wf_range(wf_ctx* ctx, int64_t a, int64_t b) {
  int64_t n = b > a ? b - a : 0;
  WfArray* r = make_array(*ctx, n);
  for (int64_t i = 0; i < n; ++i) r->data[i] = (Slot)(a + i);
  return r;
}

wf_array* wf_zip(wf_ctx* ctx, wf_array* a, wf_array* b) {
  int64_t n = std::min(a->len, b->len);
  WfArray* r = make_array(*ctx, n);
  for (int64_t i = 0; i < n; ++i) {
    auto* t = static_cast<Slot*>(ctx->arena.allocate(16));
    t[0] = a->data[i];
    t[1] = b->data[i];
    r->data[i] = ptr_slot(t);
  }
  return r;
}

int64_t wf_sum_int(wf_array* a) {
  uint64_t s = 0;
  for (int64_t i = 0; i < a->len; ++i) s += a->data[i];
  return (int64_t)s;
}

double wf_sum_float(wf_array* a) {
  double s = 0;
  for (int64_t i = 0; i < a->len; ++i) s += as_float(a->data[i]);
  return s;
}

wf_array* wf_concat(wf_ctx* ctx, wf_array* a, wf_array* b) {
  WfArray* r = make_array(*ctx, a->len + b->len);
  std::copy(a->data, a->data + a->len, r->data);
  std::copy(b->data, b->data + b->len, r->data + a->len);
  return r;
}

// Python's slice bounds: clamped to [0, len], negative counts from the end.
static void clamp_bounds(int64_t len, int64_t& start, int64_t& end) {
  if (start < 0) start += len;
  if (end < 0) end += len;
  start = std::clamp<int64_t>(start, 0, len);
  end = std::clamp<int64_t>(end, start, len);
}

wf_array* wf_slice(wf_ctx* ctx, wf_array* a, int64_t start, int64_t end) {
  clamp_bounds(a->len, start, end);
  WfArray* r = make_array(*ctx, end - start);
  std::copy(a->data + start, a->data + end, r->data);
  return r;
}

wf_str* wf_str_slice(wf_ctx* ctx, wf_str* s, int64_t start, int64_t end) {
  clamp_bounds(s->len, start, end);
  return make_str(*ctx, s->view().substr((size_t)start, (size_t)(end - start)));
}

wf_array* wf_sort(wf_ctx* ctx, const char* elem, wf_array* a) {
  WfArray* r = make_array(*ctx, a->len);
  std::copy(a->data, a->data + a->len, r->data);
  Slot* b = r->data;
  Slot* e = r->data + r->len;
  switch (*elem) {
    case 'i': std::stable_sort(b, e, [](Slot x, Slot y) { return (int64_t)x < (int64_t)y; }); break;
    case 'f':
      // NaN sorts last, so the order is total.
      std::stable_sort(b, e, [](Slot x, Slot y) {
        double p = as_float(x), q = as_float(y);
        if (std::isnan(p)) return false;
        return std::isnan(q) || p < q;
      });
      break;
    case 's':
      std::stable_sort(b, e, [](Slot x, Slot y) { return slot_ptr<WfStr>(x)->view() < slot_ptr<WfStr>(y)->view(); });
      break;
  }
  return r;
}

int64_t wf_contains(const char* elem, wf_array* a, uint64_t v) {
  for (int64_t i = 0; i < a->len; ++i)
    if (equal_values(elem, a->data[i], v)) return 1;
  return 0;
}

}  // extern "C"
