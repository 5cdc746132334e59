// Dictionaries `{K: V}` (LANGUAGE.md §13): an insertion-ordered hash map, shaped like
// CPython's compact dict.
//
// - `entries` holds {hash, key, value} in insertion order, so iteration, printing and the
//   wire (a msgpack map) follow insertion order for free, and a rebuild never rehashes a key:
//   the hash is cached in its entry.
// - `index` is an open-addressing table (power-of-two size, load <= 2/3 counting every entry
//   written) of entry positions, probed as CPython does: an int hashes to itself, so keys
//   0..n-1 take consecutive slots and touch memory in order, and a collision brings in the
//   hash's high bits. Each index slot also keeps a 32-bit tag of the hash, so a probe only
//   reads an entry (a likely cache miss) when the tags match.
// - Removing a key turns its entry into a tombstone (hash kTombstone, never equal to a real
//   hash, which has its top bit clear); the index keeps pointing at it until the next
//   rebuild, which happens when the entries array is full and compacts the live entries
//   into a table sized for twice their number (so it also shrinks a drained dictionary).
// - Both arrays are one block, `entries` first; a dictionary with no table yet has cap 0.
//
// The header never moves (compiled code keeps a pointer to it in a variable's slot and reads
// `len(d)` from its first 8 bytes); its table does. Like an array, a dictionary lives either
// in the arena (a literal, a result, a temporary) or, as part of a `var`'s tree, in the owned
// heap (ownership.hpp), where its keys and values are owned trees too.
#pragma once

#include <cstdint>

#include "values.hpp"

namespace wf::detail {

struct DictEntry {
  uint64_t hash;  // kTombstone once removed
  Slot key;
  Slot value;
};

struct WfDict {
  int64_t len;     // live entries; compiled code reads len(d) here: keep first
  int64_t used;    // entries[0, used) written, live or tombstones
  int64_t cap;     // entries capacity (0: no table yet)
  uint64_t mask;   // index size - 1
  DictEntry* entries;
  uint64_t* index;  // tag << 32 | (entry position + 1); 0 is an empty slot
};

constexpr uint64_t kTombstone = ~uint64_t{0};

inline bool entry_live(const DictEntry& e) { return e.hash != kTombstone; }

// The key and value descriptors of a dictionary descriptor `{KV}`.
inline const char* dict_key_desc(const char* d) { return d + 1; }
inline const char* dict_value_desc(const char* d) { return desc_skip(d + 1); }

// The hash a key of descriptor `kd` is stored under (top bit clear).
uint64_t hash_key(const char* kd, Slot k);

// A new empty dictionary with room for `capacity` entries, in the arena or the owned heap.
WfDict* dict_new(Context& ctx, bool owned, int64_t capacity);
// A deep copy (keys and values too) into the arena (copy_value) or the owned heap (own_value).
WfDict* dict_copy(Context& ctx, const char* desc, const WfDict* d, bool owned);
// Frees an owned dictionary with the keys and values it owns.
void dict_free(Context& ctx, const char* desc, WfDict* d);
// The value slot of key `k`, or nullptr.
Slot* dict_find(const char* desc, const WfDict* d, Slot k);
// The entry of key `k`; if absent it is appended (key `k` as given, value 0), the table
// growing in the arena or the owned heap, and `inserted` is set. Valid until the next insert.
DictEntry* dict_upsert(Context& ctx, const char* desc, WfDict* d, Slot k, bool owned, bool& inserted);
// Same keys, equal values, in any order (Python's ==).
bool dict_equal(const char* desc, const WfDict* a, const WfDict* b);

}  // namespace wf::detail
