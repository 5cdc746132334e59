#!/usr/bin/python3
"""D1 (issue 12) in Python: the loops of bench/wf/d1_dict.wf with dict, on the same key
sequences (see that file): int keys (i * 2654435761) % 2**32, string keys "k" + str(i),
values i; lookups of every key once, in the order of the same LCG-driven Fisher-Yates
shuffle, from a prebuilt list. Plain loops in the idiomatic form
(`for i, k in enumerate(keys): d[k] = i`, `for k in lookups: s += d[k]`), each phase timed on
its own with time.perf_counter(); the string keys' build (`"k" + str(i)` appended to a list) is
timed apart and is not part of insert or lookup. Checks: len(d) == n, each sum == n(n-1)/2,
else `FAIL` and status 1. With rounds > 1 it repeats all of it and reports each phase's
fastest round.

    /usr/bin/python3 bench/d1_dict.py [n=1000000] [rounds=1]

prints: RESULT D1 n=.. rounds=.. int_insert_s=.. int_lookup_s=.. str_build_s=.. str_insert_s=..
        str_lookup_s=.. int_sum=.. str_sum=.. order_check=..
"""
import sys
import time

MASK = (1 << 64) - 1


def fail(msg):
    print("FAIL " + msg, flush=True)
    sys.exit(1)


def shuffled(n):
    """The lookup order: a Fisher-Yates shuffle of 0..n-1 by the LCG of W3 (BENCHMARKS.md)."""
    p = list(range(n))
    x = 12345
    for i in range(n - 1, 0, -1):
        x = (x * 6364136223846793005 + 1442695040888963407) & MASK
        j = (x >> 33) % (i + 1)
        p[i], p[j] = p[j], p[i]
    return p


def measure(n):
    want = n * (n - 1) // 2
    clock = time.perf_counter
    p = shuffled(n)
    order = sum(i * v for i, v in enumerate(p))

    # ---- int keys
    ik = [(i * 2654435761) % 4294967296 for i in range(n)]
    lk = [ik[j] for j in p]
    d = {}
    t0 = clock()
    for i, k in enumerate(ik):
        d[k] = i
    t1 = clock()
    si = 0
    for k in lk:
        si += d[k]
    t2 = clock()
    if len(d) != n or si != want:
        fail("D1 int keys: len %d, sum %d, expected %d" % (len(d), si, want))
    del d

    # ---- string keys
    t3 = clock()
    sk = []
    for i in range(n):
        sk.append("k" + str(i))
    t4 = clock()
    sl = [sk[j] for j in p]
    ds = {}
    t5 = clock()
    for i, k in enumerate(sk):
        ds[k] = i
    t6 = clock()
    ss = 0
    for k in sl:
        ss += ds[k]
    t7 = clock()
    if len(ds) != n or ss != want:
        fail("D1 str keys: len %d, sum %d, expected %d" % (len(ds), ss, want))
    return [t1 - t0, t2 - t1, t4 - t3, t6 - t5, t7 - t6, si, ss, order]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    best = measure(n)
    for _ in range(1, rounds):
        t = measure(n)
        best[:5] = [min(a, b) for a, b in zip(best[:5], t[:5])]
    print("RESULT D1 n=%d rounds=%d int_insert_s=%.9f int_lookup_s=%.9f str_build_s=%.9f str_insert_s=%.9f "
          "str_lookup_s=%.9f int_sum=%d str_sum=%d order_check=%d" % tuple([n, rounds] + best), flush=True)


if __name__ == "__main__":
    main()
