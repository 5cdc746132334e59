// rand, rand_int, rand_normal (LANGUAGE.md §19): counter-based random numbers. Each number is
// a pure function of (key, i), so every worker, rank and rerun computes the same one, and a
// map over i needs no shared generator state.
#include <cmath>
#include <cstdint>

#include "abi.h"
#include "execution/context.hpp"

namespace {
uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

extern "C" {

double wf_rand(int64_t key, int64_t i) {
  uint64_t bits = splitmix64(splitmix64((uint64_t)key) ^ (uint64_t)i) >> 11;
  return (double)bits * 0x1.0p-53;
}

int64_t wf_rand_int(wf_ctx* ctx, int64_t loc, int64_t key, int64_t i, int64_t lo, int64_t hi) {
  if (hi <= lo)
    wf::detail::raise(*ctx, loc, "rand_int: the range [" + std::to_string(lo) + ", " + std::to_string(hi) + ") is empty");
  return lo + (int64_t)(wf_rand(key, i) * (double)(hi - lo));
}

double wf_rand_normal(int64_t key, int64_t i) {
  double u1 = wf_rand(key, 2 * i), u2 = wf_rand(key, 2 * i + 1);
  return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * 3.141592653589793 * u2);
}

}  // extern "C"
