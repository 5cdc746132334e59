// The result cache's in-memory index (cache_store.hpp): 128-bit keys to values, open
// addressing with linear probing in one array, grown at half full. Keys are hashes already,
// so their low bits pick the cell; a lookup touches one cache line in the common case and an
// insert allocates nothing but the occasional doubling (std::unordered_map costs a node, an
// allocation and a pointer chase per entry, which was a tenth of a cached run's time).
// Not thread-safe (its owner locks); no removal (the cache only grows within a run).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hash/hash128.hpp"

namespace wf::detail {

template <typename Value>
class FlatIndex {
 public:
  // The value of `key`, or null.
  const Value* find(const Hash128& key) const {
    if (cells_.empty()) return nullptr;
    for (size_t i = key.low & mask_;; i = (i + 1) & mask_) {
      const Cell& c = cells_[i];
      if (!c.used) return nullptr;
      if (c.key == key) return &c.value;
    }
  }

  // Adds `key` unless it is there (the first value stays); true if added.
  bool insert(const Hash128& key, const Value& value) {
    if ((size_ + 1) * 2 > cells_.size()) grow();
    for (size_t i = key.low & mask_;; i = (i + 1) & mask_) {
      Cell& c = cells_[i];
      if (!c.used) {
        c = Cell{key, value, true};
        ++size_;
        return true;
      }
      if (c.key == key) return false;
    }
  }

  size_t size() const { return size_; }

 private:
  struct Cell {
    Hash128 key;
    Value value;
    bool used = false;
  };

  void grow() {
    std::vector<Cell> old;
    old.swap(cells_);
    cells_.assign(old.empty() ? 64 : old.size() * 2, Cell{});
    mask_ = cells_.size() - 1;
    size_ = 0;
    for (const Cell& c : old)
      if (c.used) insert(c.key, c.value);
  }

  std::vector<Cell> cells_;
  size_t mask_ = 0, size_ = 0;
};

}  // namespace wf::detail
