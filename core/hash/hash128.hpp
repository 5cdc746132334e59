// A 128-bit content hash (xxHash's XXH3-128, Debian's libxxhash): the result cache's keys and
// the compiler's function identities. Not cryptographic: a cache entry also stores the bytes
// it was keyed by and a hit compares them, so a collision can cost a miss, never a wrong value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wf {

struct Hash128 {
  uint64_t high = 0, low = 0;
  bool operator==(const Hash128& o) const { return high == o.high && low == o.low; }
  std::string hex() const;  // 32 lowercase hex digits
};

// Feeds pieces one by one; each piece is length-prefixed, so ("ab","c") and ("a","bc") differ.
class Hasher {
 public:
  Hasher();
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  Hasher& add(std::string_view piece);
  Hasher& add(int64_t value);
  Hash128 digest() const;

 private:
  void* state_;  // XXH3_state_t
};

Hash128 hash128(std::string_view bytes);

}  // namespace wf
