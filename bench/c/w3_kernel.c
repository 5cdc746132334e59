/* W3 kernel in C (gcc -O2): the 64-bit LCG Monte-Carlo count of BENCHMARKS.md.
 * usage: w3_kernel [samples=2000000] [reps=20] [seed=1]
 * prints: RESULT W3C count=<inside> ms=<best time for `samples`> ms_per_2M=<normalised> */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

__attribute__((noinline)) static int64_t count_inside(uint64_t seed, int64_t n) {
  uint64_t s = seed;
  int64_t inside = 0;
  for (int64_t i = 0; i < n; i++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t x = s >> 33;
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t y = s >> 33;
    if (x * x + y * y < (1ULL << 62)) inside++;
  }
  return inside;
}

int main(int argc, char** argv) {
  int64_t n = argc > 1 ? atoll(argv[1]) : 2000000;
  int reps = argc > 2 ? atoi(argv[2]) : 20;
  uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
  int64_t count = -1;
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    int64_t c = count_inside(seed, n);
    double dt = now() - t0;
    if (r > 0 && c != count) {
      fprintf(stderr, "w3_kernel: inconsistent count\n");
      return 1;
    }
    count = c;
    if (dt < best) best = dt;
  }
  printf("RESULT W3C count=%" PRId64 " ms=%.4f ms_per_2M=%.4f\n", count, best * 1e3,
         best * 1e3 * 2e6 / (double)n);
  return 0;
}
