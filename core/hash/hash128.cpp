// The design notes for this module are atop hash128.hpp.
#include "hash/hash128.hpp"

#include <xxhash.h>

#include <cstdio>

namespace wf {

std::string Hash128::hex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", (unsigned long long)high, (unsigned long long)low);
  return buf;
}

Hasher::Hasher() : state_(XXH3_createState()) { XXH3_128bits_reset((XXH3_state_t*)state_); }
Hasher::~Hasher() { XXH3_freeState((XXH3_state_t*)state_); }

Hasher& Hasher::add(std::string_view piece) {
  uint64_t n = piece.size();
  XXH3_128bits_update((XXH3_state_t*)state_, &n, sizeof n);
  XXH3_128bits_update((XXH3_state_t*)state_, piece.data(), piece.size());
  return *this;
}

Hasher& Hasher::add(int64_t value) {
  XXH3_128bits_update((XXH3_state_t*)state_, &value, sizeof value);
  return *this;
}

Hash128 Hasher::digest() const {
  XXH128_hash_t h = XXH3_128bits_digest((XXH3_state_t*)state_);
  return {h.high64, h.low64};
}

Hash128 hash128(std::string_view bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return {h.high64, h.low64};
}

}  // namespace wf
