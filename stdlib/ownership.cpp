// The design notes for this module are atop ownership.hpp.
#include "ownership.hpp"

#include <cstring>

#include "abi.h"
#include "dicts.hpp"

namespace wf::detail {

namespace {

size_t tuple_size(const char* d) {  // tuples and records
  size_t n = 0;
  for (const char* f = first_field(d); f; f = next_field(f)) ++n;
  return n;
}

WfStr* owned_str(Context& ctx, const char* bytes, size_t len, size_t room) {
  auto* s = static_cast<WfStr*>(ctx.owned.allocate(sizeof(int64_t) + room + 1));
  s->len = (int64_t)len;
  if (len) std::memcpy(s->data, bytes, len);
  s->data[len] = 0;
  return s;
}

}  // namespace

Slot own_value(Context& ctx, const char* d, Slot v) {
  switch (*d) {
    case 's': {
      auto* s = slot_ptr<WfStr>(v);
      return ptr_slot(owned_str(ctx, s->data, (size_t)s->len, (size_t)s->len));
    }
    case '[': {
      auto* a = slot_ptr<WfArray>(v);
      auto* r = static_cast<WfArray*>(ctx.owned.allocate(sizeof(WfArray)));
      r->len = a->len;
      r->cap = a->len < 4 ? 4 : a->len;
      r->data = static_cast<Slot*>(ctx.owned.allocate(sizeof(Slot) * (size_t)r->cap));
      if (is_tree(d + 1)) {
        for (int64_t i = 0; i < a->len; ++i) r->data[i] = own_value(ctx, d + 1, a->data[i]);
      } else if (a->len) {
        std::memcpy(r->data, a->data, sizeof(Slot) * (size_t)a->len);
      }
      return ptr_slot(r);
    }
    case '(':
    case '<': {
      auto* t = slot_ptr<Slot>(v);
      auto* r = static_cast<Slot*>(ctx.owned.allocate(8 * tuple_size(d)));
      size_t i = 0;
      for (const char* f = first_field(d); f; f = next_field(f), ++i) r[i] = is_tree(f) ? own_value(ctx, f, t[i]) : t[i];
      return ptr_slot(r);
    }
    case '{': return ptr_slot(dict_copy(ctx, d, slot_ptr<WfDict>(v), true));
    default: return v;
  }
}

void disown_value(Context& ctx, const char* d, Slot v) {
  if (!v) return;
  switch (*d) {
    case 's': ctx.owned.free(slot_ptr<void>(v)); return;
    case '[': {
      auto* a = slot_ptr<WfArray>(v);
      if (is_tree(d + 1))
        for (int64_t i = 0; i < a->len; ++i) disown_value(ctx, d + 1, a->data[i]);
      ctx.owned.free(a->data);
      ctx.owned.free(a);
      return;
    }
    case '(':
    case '<': {
      auto* t = slot_ptr<Slot>(v);
      size_t i = 0;
      for (const char* f = first_field(d); f; f = next_field(f), ++i)
        if (is_tree(f)) disown_value(ctx, f, t[i]);
      ctx.owned.free(t);
      return;
    }
    case '{': dict_free(ctx, d, slot_ptr<WfDict>(v)); return;
    default: return;
  }
}

Slot settle_value(Context& ctx, const char* d, Slot owned) {
  if (!is_tree(d)) return owned;
  Slot v = copy_value(ctx, d, owned);  // a deep copy, strings included
  disown_value(ctx, d, owned);
  return v;
}

WfStr* owned_str_append(Context& ctx, WfStr* s, const WfStr* tail) {
  size_t len = (size_t)s->len, add = (size_t)tail->len;
  size_t room = OwnedHeap::capacity(s) - sizeof(int64_t) - 1;
  if (len + add > room) {
    bool self = tail == s;
    size_t grown = room * 2 > len + add ? room * 2 : len + add;
    s = static_cast<WfStr*>(ctx.owned.reallocate(s, sizeof(int64_t) + grown + 1));
    if (self) tail = s;
  }
  std::memmove(s->data + len, tail->data, add);
  s->len = (int64_t)(len + add);
  s->data[len + add] = 0;
  return s;
}

void owned_array_push(Context& ctx, WfArray* a, Slot v) {
  if (a->len == a->cap) {
    a->cap = a->cap < 4 ? 4 : a->cap * 2;
    a->data = static_cast<Slot*>(ctx.owned.reallocate(a->data, sizeof(Slot) * (size_t)a->cap));
  }
  a->data[a->len++] = v;
}

}  // namespace wf::detail

using namespace wf::detail;

extern "C" {

int64_t wf_region_mark(wf_ctx* ctx) {
  ctx->regions.push_back(ctx->arena.mark());
  return (int64_t)ctx->regions.size() - 1;
}

void wf_region_reset(wf_ctx* ctx, int64_t region) {
  ctx->arena.release(ctx->regions[(size_t)region]);
  ctx->regions.resize((size_t)region + 1);
}

void wf_region_pop(wf_ctx* ctx, int64_t region) {
  ctx->arena.release(ctx->regions[(size_t)region]);
  ctx->regions.resize((size_t)region);
}

uint64_t wf_own(wf_ctx* ctx, const char* desc, uint64_t v) { return own_value(*ctx, desc, v); }

void wf_disown(wf_ctx* ctx, const char* desc, uint64_t v) { disown_value(*ctx, desc, v); }

uint64_t wf_settle(wf_ctx* ctx, const char* desc, uint64_t v) { return settle_value(*ctx, desc, v); }

wf_str* wf_str_append(wf_ctx* ctx, wf_str* s, wf_str* tail) { return owned_str_append(*ctx, s, tail); }

}  // extern "C"
