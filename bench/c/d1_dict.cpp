// D1 (issue 12) in C++ (g++ -O2): the loops of bench/wf/d1_dict.wf with
// std::unordered_map<int64_t, int64_t> and std::unordered_map<std::string, int64_t>, on the same
// key sequences (see that file): int keys (i * 2654435761) % 2^32, string keys "k" + str(i),
// values i; lookups of every key once, in the order of the same LCG-driven Fisher-Yates
// shuffle, from a prebuilt array. No reserve(): the maps grow as wf's and Python's dictionaries
// do; std::hash is the library's (the identity for integers). Each phase is timed on its own
// with CLOCK_MONOTONIC; the string keys' build (std::to_string, pushed into a vector) is timed
// apart and is not part of insert or lookup. Checks: size() == n, each sum == n(n-1)/2.
// With rounds > 1 it repeats all of it and reports each phase's fastest round.
// usage: d1_dict [n=1000000] [rounds=1]
// prints: RESULT D1 n=.. rounds=.. int_insert_s=.. int_lookup_s=.. str_build_s=.. str_insert_s=..
//         str_lookup_s=.. int_sum=.. str_sum=.. order_check=..
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <unordered_map>
#include <vector>

static double now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct Times {
  double int_insert, int_lookup, str_build, str_insert, str_lookup;
  int64_t int_sum, str_sum, order_check;
};

// The lookup order: a Fisher-Yates shuffle of 0..n-1 by the LCG of W3 (BENCHMARKS.md).
static std::vector<int64_t> shuffled(int64_t n) {
  std::vector<int64_t> p(n);
  for (int64_t i = 0; i < n; ++i) p[i] = i;
  uint64_t x = 12345;
  for (int64_t i = n - 1; i > 0; --i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    int64_t j = (int64_t)((x >> 33) % (uint64_t)(i + 1));
    std::swap(p[i], p[j]);
  }
  return p;
}

static Times measure(int64_t n) {
  const int64_t want = n * (n - 1) / 2;
  const std::vector<int64_t> p = shuffled(n);
  Times t{};
  for (int64_t i = 0; i < n; ++i) t.order_check += i * p[i];

  // ---- int keys
  std::vector<int64_t> ik, lk;
  for (int64_t i = 0; i < n; ++i) ik.push_back((i * 2654435761LL) % 4294967296LL);
  for (int64_t i = 0; i < n; ++i) lk.push_back(ik[p[i]]);
  {
    std::unordered_map<int64_t, int64_t> d;
    double t0 = now();
    for (int64_t i = 0; i < n; ++i) d[ik[i]] = i;
    double t1 = now();
    int64_t si = 0;
    for (int64_t i = 0; i < n; ++i) si += d.find(lk[i])->second;
    double t2 = now();
    if ((int64_t)d.size() != n || si != want) {
      printf("FAIL D1 int keys: size %zu, sum %" PRId64 ", expected %" PRId64 "\n", d.size(), si, want);
      exit(1);
    }
    t.int_insert = t1 - t0;
    t.int_lookup = t2 - t1;
    t.int_sum = si;
  }

  // ---- string keys
  double t3 = now();
  std::vector<std::string> sk;
  for (int64_t i = 0; i < n; ++i) sk.push_back("k" + std::to_string(i));
  double t4 = now();
  std::vector<std::string> sl;
  for (int64_t i = 0; i < n; ++i) sl.push_back(sk[p[i]]);
  {
    std::unordered_map<std::string, int64_t> ds;
    double t5 = now();
    for (int64_t i = 0; i < n; ++i) ds[sk[i]] = i;
    double t6 = now();
    int64_t ss = 0;
    for (int64_t i = 0; i < n; ++i) ss += ds.find(sl[i])->second;
    double t7 = now();
    if ((int64_t)ds.size() != n || ss != want) {
      printf("FAIL D1 str keys: size %zu, sum %" PRId64 ", expected %" PRId64 "\n", ds.size(), ss, want);
      exit(1);
    }
    t.str_build = t4 - t3;
    t.str_insert = t6 - t5;
    t.str_lookup = t7 - t6;
    t.str_sum = ss;
  }
  return t;
}

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? atoll(argv[1]) : 1000000;
  const int rounds = argc > 2 ? atoi(argv[2]) : 1;
  Times best = measure(n);
  for (int r = 1; r < rounds; ++r) {
    Times t = measure(n);
    best.int_insert = std::min(best.int_insert, t.int_insert);
    best.int_lookup = std::min(best.int_lookup, t.int_lookup);
    best.str_build = std::min(best.str_build, t.str_build);
    best.str_insert = std::min(best.str_insert, t.str_insert);
    best.str_lookup = std::min(best.str_lookup, t.str_lookup);
  }
  printf("RESULT D1 n=%" PRId64 " rounds=%d int_insert_s=%.9f int_lookup_s=%.9f str_build_s=%.9f "
         "str_insert_s=%.9f str_lookup_s=%.9f int_sum=%" PRId64 " str_sum=%" PRId64 " order_check=%" PRId64 "\n",
         n, rounds, best.int_insert, best.int_lookup, best.str_build, best.str_insert, best.str_lookup, best.int_sum,
         best.str_sum, best.order_check);
  return 0;
}
