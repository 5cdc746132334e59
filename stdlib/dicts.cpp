// The dictionary runtime (LANGUAGE.md §13). The layout, and why it is shaped so, is atop
// dicts.hpp. Every operation dispatches once on the key's descriptor letter and then runs a
// probe loop specialised for int/bool, str or any other key, so the common cases cost a
// hash, an index probe and one entry read, with no allocation but the table's doubling.
#include "dicts.hpp"

#include <cstring>
#include <string>

#include "abi.h"
#include "ownership.hpp"

namespace wf::detail {

namespace {

constexpr uint64_t kHashBits = ~(uint64_t{1} << 63);  // a real hash never equals kTombstone
constexpr uint64_t kP0 = 0xa0761d6478bd642fULL;
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbULL;
constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ULL;

// The 128-bit product folded to 64 bits: one multiply mixes every bit of both operands.
inline uint64_t fold_mul(uint64_t a, uint64_t b) {
  __uint128_t r = (__uint128_t)a * b;
  return (uint64_t)r ^ (uint64_t)(r >> 64);
}

// murmur3's 64-bit finalizer (for combining the fields of a tuple key).
inline uint64_t mix_int(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

inline uint64_t read64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// 16 bytes per multiply (the idea of wyhash), the length folded in last.
uint64_t hash_bytes(const char* p, size_t n) {
  uint64_t h = kP2;
  size_t left = n;
  for (; left > 16; p += 16, left -= 16) h = fold_mul(read64(p) ^ kP0, read64(p + 8) ^ h ^ kP1);
  uint64_t a = 0, b = 0;
  if (left > 8) {
    a = read64(p);
    std::memcpy(&b, p + 8, left - 8);
  } else {
    std::memcpy(&a, p, left);
  }
  h = fold_mul(a ^ kP0, b ^ h ^ kP1);
  return fold_mul(h ^ n, kP2);
}

inline bool str_equal(const WfStr* a, const WfStr* b) {
  return a->len == b->len && std::memcmp(a->data, b->data, (size_t)a->len) == 0;
}

// The smallest index size (a power of two, at least 8) whose 2/3 holds `n` entries.
uint64_t index_size_for(int64_t n) {
  uint64_t size = 8;
  while ((int64_t)(size / 3 * 2) < n) size <<= 1;
  return size;
}

void* allocate(Context& ctx, bool owned, size_t bytes) {
  return owned ? ctx.owned.allocate(bytes) : ctx.arena.allocate(bytes);
}

// The tag kept beside an entry's position in the index: the top half of a multiplicative
// hash, so that even the identity hash of small ints gives distinct tags.
inline uint64_t tag_of(uint64_t h) { return (h * kP0) >> 32; }
inline uint64_t index_slot(uint64_t h, int64_t pos) { return tag_of(h) << 32 | (uint64_t)(pos + 1); }

// The probe sequence (CPython's, with its `perturb` mixed first): the home slot is the low
// bits of the hash, so consecutive ints fill consecutive slots; after a collision every bit
// of the hash joins in, so keys that share their low bits (multiples of 1024, of 2^32) part
// at once, and once perturb is spent i -> 5i + 1 visits every slot. The index always has
// empty slots.
inline uint64_t next_slot(uint64_t i, uint64_t& perturb, uint64_t mask) {
  perturb >>= 5;
  return (i * 5 + perturb + 1) & mask;
}

inline uint64_t free_slot(const uint64_t* index, uint64_t mask, uint64_t h) {
  uint64_t perturb = mix_int(h);
  uint64_t i = h & mask;
  while (index[i]) i = next_slot(i, perturb, mask);
  return i;
}

// A new table with room for `room` entries, holding the live entries compacted in order.
void rebuild(Context& ctx, WfDict* d, bool owned, int64_t room) {
  uint64_t size = index_size_for(room);
  if (size > (uint64_t{1} << 32)) out_of_memory(&ctx, size * 8);  // positions are 32-bit
  auto cap = (int64_t)(size / 3 * 2);
  auto* block = static_cast<char*>(allocate(ctx, owned, sizeof(DictEntry) * (size_t)cap + 8 * size));
  auto* entries = reinterpret_cast<DictEntry*>(block);
  auto* index = reinterpret_cast<uint64_t*>(block + sizeof(DictEntry) * (size_t)cap);
  int64_t n = 0;
  for (int64_t i = 0; i < d->used; ++i) {
    if (!entry_live(d->entries[i])) continue;
    entries[n] = d->entries[i];
    index[free_slot(index, size - 1, entries[n].hash)] = index_slot(entries[n].hash, n);
    ++n;
  }
  if (owned) ctx.owned.free(d->entries);
  d->entries = entries;
  d->index = index;
  d->cap = cap;
  d->mask = size - 1;
  d->used = n;
}

struct Found {
  DictEntry* entry;  // nullptr: absent
  uint64_t slot;     // the index slot where the probe stopped
};

template <typename Eq>
inline Found probe(const WfDict* d, uint64_t h, Eq eq) {
  if (!d->cap) return {nullptr, 0};
  uint64_t tag = tag_of(h), perturb = mix_int(h);
  for (uint64_t i = h & d->mask;; i = next_slot(i, perturb, d->mask)) {
    uint64_t s = d->index[i];
    if (!s) return {nullptr, i};
    if ((s >> 32) == tag) {
      DictEntry* e = &d->entries[(uint32_t)s - 1];
      if (e->hash == h && eq(e->key)) return {e, i};
    }
  }
}

Found find(const char* kd, const WfDict* d, Slot k, uint64_t h) {
  switch (*kd) {
    case 'i':
    case 'b': return probe(d, h, [k](Slot x) { return x == k; });
    case 's': {
      const WfStr* s = slot_ptr<WfStr>(k);
      return probe(d, h, [s](Slot x) { return str_equal(slot_ptr<WfStr>(x), s); });
    }
    default: return probe(d, h, [kd, k](Slot x) { return equal_values(kd, x, k); });
  }
}

DictEntry* lookup(const char* desc, const WfDict* d, Slot k) {
  const char* kd = dict_key_desc(desc);
  return d->len ? find(kd, d, k, hash_key(kd, k)).entry : nullptr;
}

[[noreturn]] void raise_missing(Context& ctx, int64_t loc, const char* desc, Slot k) {
  std::string message = "key ";
  format_value_brief(message, dict_key_desc(desc), k, 80);
  message += " not found";
  raise(ctx, loc, std::move(message));
}

// An arena array of the entries, each made by `make` (which copies what it keeps).
template <typename Make>
WfArray* collect(Context& ctx, const WfDict* d, Make make) {
  WfArray* a = make_array(ctx, d->len);
  int64_t n = 0;
  for (int64_t i = 0; i < d->used; ++i)
    if (entry_live(d->entries[i])) a->data[n++] = make(d->entries[i]);
  return a;
}

}  // namespace

uint64_t hash_key(const char* kd, Slot k) {
  switch (*kd) {
    case 's': {
      const WfStr* s = slot_ptr<WfStr>(k);
      return hash_bytes(s->data, (size_t)s->len) & kHashBits;
    }
    case '(':
    case '<': {
      auto* t = slot_ptr<Slot>(k);
      uint64_t h = kP0;
      size_t i = 0;
      for (const char* f = first_field(kd); f; f = next_field(f), ++i) h = mix_int(h * kP1 + hash_key(f, t[i]));
      return h & kHashBits;
    }
    case 'f': return mix_int(as_float(k) == 0 ? 0 : k) & kHashBits;  // -0.0 == 0.0
    default: return k & kHashBits;  // ints and bools: their value, as in CPython
  }
}

WfDict* dict_new(Context& ctx, bool owned, int64_t capacity) {
  auto* d = static_cast<WfDict*>(allocate(ctx, owned, sizeof(WfDict)));
  if (capacity > 0) rebuild(ctx, d, owned, capacity);
  return d;
}

WfDict* dict_copy(Context& ctx, const char* desc, const WfDict* src, bool owned) {
  const char* kd = dict_key_desc(desc);
  const char* vd = dict_value_desc(desc);
  bool key_tree = is_tree(kd), value_tree = is_tree(vd);
  WfDict* d = dict_new(ctx, owned, src->len);
  for (int64_t i = 0; i < src->used; ++i) {
    const DictEntry& e = src->entries[i];
    if (!entry_live(e)) continue;
    DictEntry& o = d->entries[d->used];
    o.hash = e.hash;
    o.key = !key_tree ? e.key : owned ? own_value(ctx, kd, e.key) : copy_value(ctx, kd, e.key);
    o.value = !value_tree ? e.value : owned ? own_value(ctx, vd, e.value) : copy_value(ctx, vd, e.value);
    d->index[free_slot(d->index, d->mask, e.hash)] = index_slot(e.hash, d->used);
    d->len = ++d->used;
  }
  return d;
}

void dict_free(Context& ctx, const char* desc, WfDict* d) {
  const char* kd = dict_key_desc(desc);
  const char* vd = dict_value_desc(desc);
  bool key_tree = is_tree(kd), value_tree = is_tree(vd);
  if (key_tree || value_tree) {
    for (int64_t i = 0; i < d->used; ++i) {
      const DictEntry& e = d->entries[i];
      if (!entry_live(e)) continue;
      if (key_tree) disown_value(ctx, kd, e.key);
      if (value_tree) disown_value(ctx, vd, e.value);
    }
  }
  ctx.owned.free(d->entries);
  ctx.owned.free(d);
}

Slot* dict_find(const char* desc, const WfDict* d, Slot k) {
  DictEntry* e = lookup(desc, d, k);
  return e ? &e->value : nullptr;
}

DictEntry* dict_upsert(Context& ctx, const char* desc, WfDict* d, Slot k, bool owned, bool& inserted) {
  uint64_t h = hash_key(dict_key_desc(desc), k);
  Found f = find(dict_key_desc(desc), d, k, h);
  inserted = !f.entry;
  if (f.entry) return f.entry;
  if (d->used == d->cap) {
    // Full (of live entries or tombstones): compact into room for twice the live ones.
    rebuild(ctx, d, owned, d->len < 2 ? 4 : 2 * d->len);
    f.slot = free_slot(d->index, d->mask, h);
  }
  DictEntry* e = &d->entries[d->used];
  e->hash = h;
  e->key = k;
  e->value = 0;
  d->index[f.slot] = index_slot(h, d->used);
  ++d->used;
  ++d->len;
  return e;
}

bool dict_equal(const char* desc, const WfDict* a, const WfDict* b) {
  if (a->len != b->len) return false;
  const char* kd = dict_key_desc(desc);
  const char* vd = dict_value_desc(desc);
  for (int64_t i = 0; i < a->used; ++i) {
    const DictEntry& e = a->entries[i];
    if (!entry_live(e)) continue;
    DictEntry* o = find(kd, b, e.key, e.hash).entry;
    if (!o || !equal_values(vd, e.value, o->value)) return false;
  }
  return true;
}

}  // namespace wf::detail

using namespace wf::detail;

extern "C" {

wf_dict* wf_dict_new(wf_ctx* ctx, const char* /*desc*/, int64_t capacity_hint) {
  return dict_new(*ctx, false, capacity_hint);
}

void wf_dict_put_new(wf_ctx* ctx, const char* desc, wf_dict* d, uint64_t k, uint64_t v) {
  bool inserted;
  dict_upsert(*ctx, desc, d, k, false, inserted)->value = v;
}

void wf_dict_set(wf_ctx* ctx, const char* desc, wf_dict* d, uint64_t k, uint64_t v) {
  const char* kd = dict_key_desc(desc);
  const char* vd = dict_value_desc(desc);
  // Owned first: `v` may be (part of) the value it replaces, as in `d[k] = d[k].inner`.
  Slot value = is_tree(vd) ? own_value(*ctx, vd, v) : v;
  bool inserted;
  DictEntry* e = dict_upsert(*ctx, desc, d, k, true, inserted);
  if (inserted) {
    if (is_tree(kd)) e->key = own_value(*ctx, kd, k);
  } else if (is_tree(vd)) {
    disown_value(*ctx, vd, e->value);
  }
  e->value = value;
}

uint64_t wf_dict_get(wf_ctx* ctx, int64_t loc, const char* desc, wf_dict* d, uint64_t k) {
  DictEntry* e = lookup(desc, d, k);
  if (!e) raise_missing(*ctx, loc, desc, k);
  return e->value;
}

uint64_t wf_dict_get_or(wf_ctx* ctx, const char* desc, wf_dict* d, uint64_t k, uint64_t dflt) {
  DictEntry* e = lookup(desc, d, k);
  return e ? copy_value(*ctx, dict_value_desc(desc), e->value) : dflt;
}

uint64_t* wf_dict_slot(wf_ctx* ctx, int64_t loc, const char* desc, wf_dict* d, uint64_t k) {
  DictEntry* e = lookup(desc, d, k);
  if (!e) raise_missing(*ctx, loc, desc, k);
  return &e->value;
}

int64_t wf_dict_contains(const char* desc, wf_dict* d, uint64_t k) { return lookup(desc, d, k) != nullptr; }

void wf_dict_remove(wf_ctx* ctx, const char* desc, wf_dict* d, uint64_t k) {
  DictEntry* e = lookup(desc, d, k);
  if (!e) return;
  const char* kd = dict_key_desc(desc);
  const char* vd = dict_value_desc(desc);
  if (is_tree(kd)) disown_value(*ctx, kd, e->key);
  if (is_tree(vd)) disown_value(*ctx, vd, e->value);
  *e = DictEntry{kTombstone, 0, 0};
  --d->len;
}

wf_array* wf_dict_keys(wf_ctx* ctx, const char* desc, wf_dict* d) {
  const char* kd = dict_key_desc(desc);
  return collect(*ctx, d, [&](const DictEntry& e) { return copy_value(*ctx, kd, e.key); });
}

wf_array* wf_dict_values(wf_ctx* ctx, const char* desc, wf_dict* d) {
  const char* vd = dict_value_desc(desc);
  return collect(*ctx, d, [&](const DictEntry& e) { return copy_value(*ctx, vd, e.value); });
}

wf_array* wf_dict_items(wf_ctx* ctx, const char* desc, wf_dict* d) {
  const char* kd = dict_key_desc(desc);
  const char* vd = dict_value_desc(desc);
  return collect(*ctx, d, [&](const DictEntry& e) {
    auto* t = static_cast<Slot*>(ctx->arena.allocate(16));
    t[0] = copy_value(*ctx, kd, e.key);
    t[1] = copy_value(*ctx, vd, e.value);
    return ptr_slot(t);
  });
}

}  // extern "C"
