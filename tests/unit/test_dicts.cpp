// The dictionary runtime (stdlib/dicts.hpp, LANGUAGE.md §13) and the descriptor walkers on
// records (§12) and dictionaries: printing, equality, ownership and the msgpack codec. The
// dictionaries are driven through the same C ABI compiled code calls.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "abi.h"
#include "dicts.hpp"
#include "ownership.hpp"
#include "value_codec.hpp"
#include "values.hpp"

namespace {

using namespace wf::detail;

constexpr const char* kPoint = "<Point|x:f|y:f>";
constexpr const char* kSample = "<Sample|name:s|at:<Point|x:f|y:f>|counts:[i]>";

class Dicts : public ::testing::Test {
 protected:
  Context ctx{nullptr};

  Slot str(const std::string& s) { return ptr_slot(make_str(ctx, s)); }
  Slot arr(std::initializer_list<Slot> items) {
    WfArray* a = make_array(ctx, 0);
    for (Slot s : items) array_push(ctx, a, s);
    return ptr_slot(a);
  }
  Slot tup(std::initializer_list<Slot> fields) {  // tuples and records alike
    auto* t = static_cast<Slot*>(ctx.arena.allocate(8 * fields.size()));
    size_t i = 0;
    for (Slot f : fields) t[i++] = f;
    return ptr_slot(t);
  }
  Slot point(double x, double y) { return tup({as_slot(x), as_slot(y)}); }
  Slot sample(const std::string& name, double x, double y, std::initializer_list<Slot> counts) {
    return tup({str(name), point(x, y), arr(counts)});
  }
  // A literal: an arena dictionary built with put_new.
  WfDict* lit(const char* desc, std::initializer_list<std::pair<Slot, Slot>> kvs) {
    WfDict* d = wf_dict_new(&ctx, desc, (int64_t)kvs.size());
    for (auto& kv : kvs) wf_dict_put_new(&ctx, desc, d, kv.first, kv.second);
    return d;
  }
  // `var d: {K: V} = {}`
  WfDict* owned_empty(const char* desc) {
    return slot_ptr<WfDict>(wf_own(&ctx, desc, ptr_slot(wf_dict_new(&ctx, desc, 0))));
  }
  std::string fmt(const char* desc, Slot v) {
    std::string out;
    format_value(out, desc, v, true);
    return out;
  }
  std::string fmt(const char* desc, WfDict* d) { return fmt(desc, ptr_slot(d)); }
  std::string text(Slot s) { return std::string(slot_ptr<WfStr>(s)->view()); }
};

std::string dict_desc_str(const std::string& k, const std::string& v) { return "{" + k + v + "}"; }

// ---- the map itself ---------------------------------------------------------------------------

TEST_F(Dicts, InsertReplaceRemoveReinsertKeepInsertionOrder) {
  const char* D = "{si}";
  WfDict* d = owned_empty(D);
  EXPECT_EQ(d->len, 0);
  EXPECT_EQ(fmt(D, d), "{}");
  wf_dict_set(&ctx, D, d, str("b"), 3);
  wf_dict_set(&ctx, D, d, str("a"), 2);
  wf_dict_set(&ctx, D, d, str("c"), 1);
  EXPECT_EQ(fmt(D, d), R"({"b": 3, "a": 2, "c": 1})");
  wf_dict_set(&ctx, D, d, str("b"), 30);  // a replaced value keeps its key's position
  EXPECT_EQ(fmt(D, d), R"({"b": 30, "a": 2, "c": 1})");
  EXPECT_EQ(*reinterpret_cast<int64_t*>(d), 3);  // len(d): the first 8 bytes
  EXPECT_EQ(wf_dict_get(&ctx, -1, D, d, str("a")), 2u);
  wf_dict_remove(&ctx, D, d, str("b"));
  wf_dict_remove(&ctx, D, d, str("nope"));  // absent: no error
  EXPECT_EQ(d->len, 2);
  EXPECT_FALSE(wf_dict_contains(D, d, str("b")));
  EXPECT_TRUE(wf_dict_contains(D, d, str("c")));
  EXPECT_EQ(fmt(D, d), R"({"a": 2, "c": 1})");
  wf_dict_set(&ctx, D, d, str("b"), 4);  // removed and inserted again: now last
  EXPECT_EQ(fmt(D, d), R"({"a": 2, "c": 1, "b": 4})");
  EXPECT_EQ(fmt("[s]", ptr_slot(wf_dict_keys(&ctx, D, d))), R"(["a", "c", "b"])");
  EXPECT_EQ(fmt("[i]", ptr_slot(wf_dict_values(&ctx, D, d))), "[2, 1, 4]");
  EXPECT_EQ(fmt("[(si)]", ptr_slot(wf_dict_items(&ctx, D, d))), R"([("a", 2), ("c", 1), ("b", 4)])");
  wf_disown(&ctx, D, ptr_slot(d));
}

TEST_F(Dicts, LiteralRepeatedKeyReplacesValueKeepsPosition) {
  const char* D = "{ib}";
  WfDict* d = lit(D, {{1, 1}, {2, 0}, {1, 0}});
  EXPECT_EQ(fmt(D, d), "{1: false, 2: false}");
  EXPECT_EQ(d->len, 2);
}

TEST_F(Dicts, TombstonesAreCompactedAndTheTableShrinks) {
  const char* D = "{ii}";
  WfDict* d = owned_empty(D);
  for (int64_t i = 0; i < 1000; ++i) wf_dict_set(&ctx, D, d, (Slot)i, (Slot)(i * i));
  for (int64_t i = 0; i < 1000; i += 2) wf_dict_remove(&ctx, D, d, (Slot)i);
  EXPECT_EQ(d->len, 500);
  for (int64_t i = 0; i < 1000; ++i) {
    ASSERT_EQ(wf_dict_contains(D, d, (Slot)i), i % 2) << i;
    if (i % 2) {
      ASSERT_EQ(wf_dict_get(&ctx, -1, D, d, (Slot)i), (Slot)(i * i));
    }
  }
  // Drained to a few keys, then churned: the tombstones are compacted away, the table sized
  // for the live entries, and the order is still insertion order.
  for (int64_t i = 1; i < 990; i += 2) wf_dict_remove(&ctx, D, d, (Slot)i);
  EXPECT_EQ(fmt(D, d), "{991: 982081, 993: 986049, 995: 990025, 997: 994009, 999: 998001}");
  for (int64_t i = 2000; i < 102000; ++i) {
    wf_dict_set(&ctx, D, d, (Slot)i, (Slot)i);
    wf_dict_remove(&ctx, D, d, (Slot)i);
  }
  EXPECT_EQ(d->len, 5);
  EXPECT_LE(d->cap, 64);
  wf_dict_set(&ctx, D, d, (Slot)-7, 7);
  EXPECT_EQ(fmt(D, d), "{991: 982081, 993: 986049, 995: 990025, 997: 994009, 999: 998001, -7: 7}");
  wf_disown(&ctx, D, ptr_slot(d));
}

TEST_F(Dicts, ArenaLiteralsGrowPastTheirHint) {
  const char* D = "{is}";
  WfDict* d = wf_dict_new(&ctx, D, 1);
  for (int64_t i = 0; i < 300; ++i) wf_dict_put_new(&ctx, D, d, (Slot)(i * 7919), str(std::to_string(i)));
  ASSERT_EQ(d->len, 300);
  for (int64_t i = 0; i < 300; ++i) ASSERT_EQ(text(wf_dict_get(&ctx, -1, D, d, (Slot)(i * 7919))), std::to_string(i));
  WfArray* keys = wf_dict_keys(&ctx, D, d);
  for (int64_t i = 0; i < 300; ++i) ASSERT_EQ((int64_t)keys->data[i], i * 7919);
}

uint64_t splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// `var d: {int: int} = {}; d[k] = i` for 10^6 keys, then `d[k]` for each, against the same
// with std::unordered_map; each side's best of three runs.
TEST_F(Dicts, MillionIntKeysWithinTwiceUnorderedMap) {
  const char* D = "{ii}";
  constexpr int64_t n = 1000000;
  std::vector<int64_t> random((size_t)n), sequential((size_t)n);
  uint64_t state = 42;
  for (auto& k : random) k = (int64_t)splitmix(state);
  random[0] = 0;
  random[1] = -1;
  random[2] = INT64_MIN;
  for (int64_t i = 0; i < n; ++i) sequential[(size_t)i] = i;

  auto seconds = [](auto body) {
    auto t0 = std::chrono::steady_clock::now();
    body();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  size_t baseline = ctx.owned.blocks();
  for (const auto* keys : {&random, &sequential}) {
    double ours = 1e9, theirs = 1e9;
    for (int round = 0; round < 3; ++round) {
      int64_t sum_ours = 0, sum_theirs = 0;
      ours = std::min(ours, seconds([&] {
        WfDict* d = owned_empty(D);
        for (int64_t i = 0; i < n; ++i) wf_dict_set(&ctx, D, d, (Slot)(*keys)[(size_t)i], (Slot)i);
        for (int64_t i = 0; i < n; ++i) sum_ours += (int64_t)wf_dict_get(&ctx, -1, D, d, (Slot)(*keys)[(size_t)i]);
        EXPECT_EQ(d->len, n);
        wf_disown(&ctx, D, ptr_slot(d));
      }));
      theirs = std::min(theirs, seconds([&] {
        std::unordered_map<int64_t, int64_t> m;
        for (int64_t i = 0; i < n; ++i) m[(*keys)[(size_t)i]] = i;
        for (int64_t i = 0; i < n; ++i) sum_theirs += m.find((*keys)[(size_t)i])->second;
        EXPECT_EQ((int64_t)m.size(), n);
      }));
      ASSERT_EQ(sum_ours, sum_theirs);
      ASSERT_EQ(sum_ours, n * (n - 1) / 2);
    }
    const char* which = keys == &random ? "random" : "0..n-1";
    std::printf("10^6 %s int keys, inserts + lookups: wf dict %.3f s, std::unordered_map %.3f s\n", which, ours, theirs);
    EXPECT_LT(ours, 2 * theirs) << which;
  }
  EXPECT_EQ(ctx.owned.blocks(), baseline);
}

TEST_F(Dicts, HundredThousandStringKeys) {
  const char* D = "{ss}";
  size_t baseline = ctx.owned.blocks();
  WfDict* d = owned_empty(D);
  constexpr int n = 100000;
  Arena::Mark mark = ctx.arena.mark();
  for (int i = 0; i < n; ++i) {
    wf_dict_set(&ctx, D, d, str("key-" + std::to_string(i)), str(std::to_string(i)));
    if (i % 1000 == 0) ctx.arena.release(mark);  // the arguments were temporaries: owned copies stay
  }
  ctx.arena.release(mark);
  EXPECT_EQ(d->len, n);
  // a header, a table, and one block per key and per value
  EXPECT_EQ(ctx.owned.blocks(), baseline + 2 + 2 * n);
  for (int i = 0; i < n; ++i) ASSERT_EQ(text(wf_dict_get(&ctx, -1, D, d, str("key-" + std::to_string(i)))), std::to_string(i));
  EXPECT_FALSE(wf_dict_contains(D, d, str("key-")));
  EXPECT_FALSE(wf_dict_contains(D, d, str("key-100000")));
  EXPECT_FALSE(wf_dict_contains(D, d, str("")));
  // Strings that differ only in their length or their last bytes are different keys.
  const char* E = "{si}";
  WfDict* e = owned_empty(E);
  std::string s;
  for (int i = 0; i < 40; ++i, s += '\0') wf_dict_set(&ctx, E, e, str(s), (Slot)i);
  EXPECT_EQ(e->len, 40);
  for (int i = 0; i < 40; ++i) ASSERT_EQ(wf_dict_get(&ctx, -1, E, e, str(std::string((size_t)i, '\0'))), (Slot)i);
  wf_disown(&ctx, E, ptr_slot(e));
  wf_disown(&ctx, D, ptr_slot(d));
  EXPECT_EQ(ctx.owned.blocks(), baseline);
}

TEST_F(Dicts, TupleKeys) {
  const char* D = "{(ii)s}";
  WfDict* d = owned_empty(D);
  wf_dict_set(&ctx, D, d, tup({1, 2}), str("x"));
  wf_dict_set(&ctx, D, d, tup({2, 1}), str("y"));
  wf_dict_set(&ctx, D, d, tup({1, 2}), str("z"));
  EXPECT_EQ(fmt(D, d), R"({(1, 2): "z", (2, 1): "y"})");
  EXPECT_EQ(text(wf_dict_get(&ctx, -1, D, d, tup({2, 1}))), "y");
  EXPECT_FALSE(wf_dict_contains(D, d, tup({2, 2})));

  const char* E = "{(sbi)i}";
  WfDict* e = owned_empty(E);
  for (int i = 0; i < 1000; ++i) wf_dict_set(&ctx, E, e, tup({str(std::to_string(i % 10)), (Slot)(i % 2), (Slot)(i / 10)}), (Slot)i);
  EXPECT_EQ(e->len, 1000);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(wf_dict_get(&ctx, -1, E, e, tup({str(std::to_string(i % 10)), (Slot)(i % 2), (Slot)(i / 10)})), (Slot)i);
  WfArray* items = wf_dict_items(&ctx, E, e);
  std::string first;
  format_value(first, "((sbi)i)", items->data[0], true);
  EXPECT_EQ(first, R"x((("0", false, 0), 0))x");
  wf_disown(&ctx, E, ptr_slot(e));
  wf_disown(&ctx, D, ptr_slot(d));
}

TEST_F(Dicts, MissingKeyIsARuntimeErrorNamingTheKey) {
  // The keys are made outside the guarded calls: an error longjmps past destructors.
  WfDict* s = lit("{si}", {{str("a"), 1}});
  Slot nope = str("nope"), a = str("a"), huge = str(std::string(1000, 'k')), pair = tup({1, str("a\n")});
  bool ok = run_guarded(ctx, [&] { wf_dict_get(&ctx, -1, "{si}", s, nope); });
  EXPECT_FALSE(ok);
  EXPECT_EQ(ctx.error.message, R"(key "nope" not found)");

  WfDict* i = lit("{ii}", {{1, 1}});
  ok = run_guarded(ctx, [&] { wf_dict_get(&ctx, -1, "{ii}", i, 5); });
  EXPECT_FALSE(ok);
  EXPECT_EQ(ctx.error.message, "key 5 not found");

  WfDict* t = owned_empty("{(is)i}");
  ok = run_guarded(ctx, [&] { wf_dict_slot(&ctx, -1, "{(is)i}", t, pair); });
  EXPECT_FALSE(ok);
  EXPECT_EQ(ctx.error.message, R"(key (1, "a\n") not found)");

  ok = run_guarded(ctx, [&] { wf_dict_get(&ctx, -1, "{si}", s, huge); });
  EXPECT_FALSE(ok);
  EXPECT_LT(ctx.error.message.size(), 200u);  // a huge key is shortened
  EXPECT_EQ(ctx.error.message.substr(0, 8), "key \"kkk");

  EXPECT_TRUE(run_guarded(ctx, [&] { wf_dict_get(&ctx, -1, "{si}", s, a); }));
  wf_disown(&ctx, "{(is)i}", ptr_slot(t));
}

TEST_F(Dicts, GetOrCopiesTheValueOrReturnsTheDefault) {
  const char* D = "{s[i]}";
  WfDict* d = owned_empty(D);
  wf_dict_set(&ctx, D, d, str("a"), arr({1, 2}));
  Slot dflt = arr({});
  Slot got = wf_dict_get_or(&ctx, D, d, str("a"), dflt);
  EXPECT_NE(got, wf_dict_get(&ctx, -1, D, d, str("a")));  // an arena copy, not the owned array
  EXPECT_EQ(fmt("[i]", got), "[1, 2]");
  EXPECT_EQ(wf_dict_get_or(&ctx, D, d, str("b"), dflt), dflt);
  EXPECT_EQ(wf_dict_get_or(&ctx, "{ii}", lit("{ii}", {{1, 2}}), 1, 9), 2u);
  EXPECT_EQ(wf_dict_get_or(&ctx, "{ii}", lit("{ii}", {{1, 2}}), 3, 9), 9u);
  wf_disown(&ctx, D, ptr_slot(d));
}

TEST_F(Dicts, KeysValuesItemsOutliveChangesToTheDict) {
  const char* D = "{ss}";
  WfDict* d = owned_empty(D);
  wf_dict_set(&ctx, D, d, str("alpha"), str("one"));
  wf_dict_set(&ctx, D, d, str("beta"), str("two"));
  WfArray* keys = wf_dict_keys(&ctx, D, d);
  WfArray* values = wf_dict_values(&ctx, D, d);
  WfArray* items = wf_dict_items(&ctx, D, d);
  wf_dict_remove(&ctx, D, d, str("alpha"));
  wf_dict_set(&ctx, D, d, str("beta"), str("changed"));
  for (int i = 0; i < 100; ++i) wf_dict_set(&ctx, D, d, str(std::to_string(i)), str("x"));
  EXPECT_EQ(fmt("[s]", ptr_slot(keys)), R"(["alpha", "beta"])");
  EXPECT_EQ(fmt("[s]", ptr_slot(values)), R"(["one", "two"])");
  EXPECT_EQ(fmt("[(ss)]", ptr_slot(items)), R"([("alpha", "one"), ("beta", "two")])");
  wf_disown(&ctx, D, ptr_slot(d));
}

// ---- ownership ---------------------------------------------------------------------------------

TEST_F(Dicts, OwnDisownSettleLeaveNoOwnedBlocks) {
  std::string D = dict_desc_str("s", kSample);
  const char* d = D.c_str();
  size_t baseline = ctx.owned.blocks();
  WfDict* literal = lit(d, {{str("p"), sample("a", 3, 4, {1, 2})}, {str("q"), sample("b", 0, 1, {})}});
  std::string printed = fmt(d, literal);

  // var v = literal; v["r"] = ...; v["p"] = ...; remove(v, "q"); v["p"].counts[0] = 9
  auto* v = slot_ptr<WfDict>(wf_own(&ctx, d, ptr_slot(literal)));
  EXPECT_GT(ctx.owned.blocks(), baseline);
  wf_dict_set(&ctx, d, v, str("r"), sample("c", 1, 1, {5}));
  wf_dict_set(&ctx, d, v, str("p"), sample("a2", 3, 4, {1, 2, 3}));
  wf_dict_remove(&ctx, d, v, str("q"));
  Slot* p = wf_dict_slot(&ctx, -1, d, v, str("p"));
  slot_ptr<WfArray>(slot_ptr<Slot>(*p)[2])->data[0] = 9;
  EXPECT_EQ(fmt(d, ptr_slot(literal)), printed);  // value semantics: the literal is unchanged
  // d[k] = d[k]: the value is owned again before the old one is freed
  wf_dict_set(&ctx, d, v, str("r"), wf_dict_get(&ctx, -1, d, v, str("r")));
  std::string expected =
      R"({"p": Sample(name="a2", at=Point(x=3.0, y=4.0), counts=[9, 2, 3]), )"
      R"("r": Sample(name="c", at=Point(x=1.0, y=1.0), counts=[5])})";
  EXPECT_EQ(fmt(d, v), expected);

  // let w = v: an arena copy that stays when v changes
  Slot w = wf_copy(&ctx, d, ptr_slot(v));
  wf_dict_remove(&ctx, d, v, str("p"));
  EXPECT_EQ(fmt(d, w), expected);

  // return v: settled into the arena, the owned tree freed
  wf_dict_set(&ctx, d, v, str("p"), sample("a3", 0, 0, {}));
  Slot settled = wf_settle(&ctx, d, ptr_slot(v));
  EXPECT_EQ(ctx.owned.blocks(), baseline);
  EXPECT_EQ(fmt(d, settled),
            R"({"r": Sample(name="c", at=Point(x=1.0, y=1.0), counts=[5]), )"
            R"("p": Sample(name="a3", at=Point(x=0.0, y=0.0), counts=[])})");

  // A record holding dictionaries and tuples, owned and freed.
  const char* R = "<Run|tags:{si}|nested:{i{s[s]}}|pair:(s<Point|x:f|y:f>)>";
  WfDict* inner = lit("{s[s]}", {{str("k"), arr({str("x"), str("y")})}});
  Slot run = tup({ptr_slot(lit("{si}", {{str("t"), 1}})), ptr_slot(lit("{i{s[s]}}", {{7, ptr_slot(inner)}})),
                  tup({str("s"), point(1, 2)})});
  Slot owned_run = wf_own(&ctx, R, run);
  EXPECT_TRUE(wf_equal(R, owned_run, run));
  // r.nested[7]["k"] = ["z"]
  auto* nested = slot_ptr<WfDict>(slot_ptr<Slot>(owned_run)[1]);
  auto* inner_owned = slot_ptr<WfDict>(*wf_dict_slot(&ctx, -1, "{i{s[s]}}", nested, 7));
  wf_dict_set(&ctx, "{s[s]}", inner_owned, str("k"), arr({str("z")}));
  EXPECT_FALSE(wf_equal(R, owned_run, run));
  EXPECT_EQ(fmt(R, owned_run), R"(Run(tags={"t": 1}, nested={7: {"k": ["z"]}}, pair=("s", Point(x=1.0, y=2.0))))");
  wf_disown(&ctx, R, owned_run);
  EXPECT_EQ(ctx.owned.blocks(), baseline);

  // An empty `var d = {}` costs one block, and grows from nothing.
  WfDict* e = owned_empty("{ss}");
  EXPECT_EQ(ctx.owned.blocks(), baseline + 1);
  wf_dict_set(&ctx, "{ss}", e, str("a"), str("b"));
  wf_disown(&ctx, "{ss}", ptr_slot(e));
  EXPECT_EQ(ctx.owned.blocks(), baseline);
}

// ---- printing and equality --------------------------------------------------------------------

TEST_F(Dicts, PrintsRecordsInDictsInArrays) {
  EXPECT_EQ(fmt(kPoint, point(3, 4)), "Point(x=3.0, y=4.0)");
  EXPECT_EQ(fmt(kSample, sample("a", 3, 4, {1, 2})), R"(Sample(name="a", at=Point(x=3.0, y=4.0), counts=[1, 2]))");
  std::string D = "[";
  D += dict_desc_str("s", kSample) + "]";
  Slot xs = arr({ptr_slot(lit(D.c_str() + 1, {{str("k\t"), sample("b", -0.0, 1e16, {})}})),
                 ptr_slot(lit(D.c_str() + 1, {}))});
  EXPECT_EQ(fmt(D.c_str(), xs), R"([{"k\t": Sample(name="b", at=Point(x=-0.0, y=1e+16), counts=[])}, {}])");
  EXPECT_EQ(text(ptr_slot(wf_to_str(&ctx, "{bf}", ptr_slot(lit("{bf}", {{1, as_slot(0.5)}}))))), "{true: 0.5}");
  EXPECT_EQ(fmt("<Empty>", tup({})), "Empty()");
  EXPECT_EQ(fmt("(<P|x:i>{i(ii)})", tup({tup({1}), ptr_slot(lit("{i(ii)}", {{1, tup({2, 3})}}))})),
            "(P(x=1), {1: (2, 3)})");

  WfDict* big = wf_dict_new(&ctx, "{ii}", 0);
  for (int64_t i = 0; i < 1000; ++i) wf_dict_put_new(&ctx, "{ii}", big, (Slot)i, (Slot)i);
  std::string brief;
  format_value_brief(brief, "{ii}", ptr_slot(big), 40);
  EXPECT_EQ(brief.substr(0, 14), "{0: 0, 1: 1, 2");
  EXPECT_EQ(brief.substr(brief.size() - 20), ", ... } (1000 items)");
}

TEST_F(Dicts, EqualityIsOrderInsensitiveAndFieldByField) {
  const char* D = "{s(if)}";
  WfDict* a = lit(D, {{str("x"), tup({1, as_slot(1.5)})}, {str("y"), tup({2, as_slot(2.5)})}});
  WfDict* b = lit(D, {{str("y"), tup({2, as_slot(2.5)})}, {str("x"), tup({1, as_slot(1.5)})}});
  WfDict* c = lit(D, {{str("y"), tup({2, as_slot(2.5)})}, {str("x"), tup({1, as_slot(1.0)})}});
  WfDict* e = lit(D, {{str("y"), tup({2, as_slot(2.5)})}, {str("z"), tup({1, as_slot(1.5)})}});
  WfDict* f = lit(D, {{str("x"), tup({1, as_slot(1.5)})}});
  EXPECT_TRUE(wf_equal(D, ptr_slot(a), ptr_slot(b)));
  EXPECT_FALSE(wf_equal(D, ptr_slot(a), ptr_slot(c)));
  EXPECT_FALSE(wf_equal(D, ptr_slot(a), ptr_slot(e)));
  EXPECT_FALSE(wf_equal(D, ptr_slot(a), ptr_slot(f)));
  EXPECT_FALSE(wf_equal(D, ptr_slot(f), ptr_slot(a)));
  EXPECT_TRUE(wf_equal("{ii}", ptr_slot(lit("{ii}", {})), ptr_slot(lit("{ii}", {}))));
  // An owned dict with tombstones equals an arena one with the same entries.
  WfDict* o = owned_empty(D);
  wf_dict_set(&ctx, D, o, str("gone"), tup({0, 0}));
  wf_dict_set(&ctx, D, o, str("x"), tup({1, as_slot(1.5)}));
  wf_dict_set(&ctx, D, o, str("y"), tup({2, as_slot(2.5)}));
  wf_dict_remove(&ctx, D, o, str("gone"));
  EXPECT_TRUE(wf_equal(D, ptr_slot(o), ptr_slot(a)));
  wf_disown(&ctx, D, ptr_slot(o));

  EXPECT_TRUE(wf_equal(kSample, sample("a", 1, 2, {3}), sample("a", 1, 2, {3})));
  EXPECT_FALSE(wf_equal(kSample, sample("a", 1, 2, {3}), sample("a", 1, 2.5, {3})));
  EXPECT_FALSE(wf_equal(kSample, sample("a", 1, 2, {3}), sample("b", 1, 2, {3})));
  EXPECT_FALSE(wf_equal(kSample, sample("a", 1, 2, {3}), sample("a", 1, 2, {3, 4})));
  // contains(xs, v) on records
  wf_array* xs = slot_ptr<WfArray>(arr({sample("a", 1, 2, {}), sample("b", 1, 2, {7})}));
  EXPECT_TRUE(wf_contains(kSample, xs, sample("b", 1, 2, {7})));
  EXPECT_FALSE(wf_contains(kSample, xs, sample("b", 1, 2, {})));
}

// ---- the wire ----------------------------------------------------------------------------------

TEST_F(Dicts, CodecRoundTripsNestedRecordsAndDicts) {
  std::string D = "{(si)" + dict_desc_str("s", kSample) + "}";
  const char* d = D.c_str();
  WfDict* inner = lit(d + 5, {{str("z"), sample("a", 3, 4, {1, 2})}, {str("a"), sample("", -0.0, 1e300, {})}});
  WfDict* outer = lit(d, {{tup({str("k"), 2}), ptr_slot(inner)}, {tup({str("k"), 1}), ptr_slot(lit(d + 5, {}))}});
  std::string bytes = encode_value(d, ptr_slot(outer));
  Slot back = 0;
  ASSERT_TRUE(decode_value(ctx, d, bytes, back));
  EXPECT_TRUE(wf_equal(d, back, ptr_slot(outer)));
  EXPECT_EQ(fmt(d, back), fmt(d, outer));  // insertion order survives
  EXPECT_EQ(encode_value(d, back), bytes);

  // An owned dictionary with tombstones sends only its live entries.
  WfDict* o = owned_empty("{ii}");
  for (int64_t i = 0; i < 10; ++i) wf_dict_set(&ctx, "{ii}", o, (Slot)i, (Slot)(i + 100));
  for (int64_t i = 0; i < 10; i += 3) wf_dict_remove(&ctx, "{ii}", o, (Slot)i);
  ASSERT_TRUE(decode_value(ctx, "{ii}", encode_value("{ii}", ptr_slot(o)), back));
  EXPECT_EQ(fmt("{ii}", back), "{1: 101, 2: 102, 4: 104, 5: 105, 7: 107, 8: 108}");
  wf_disown(&ctx, "{ii}", ptr_slot(o));

  // A record is the array of its fields.
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(2);
  pk.pack_double(1.5);
  pk.pack_double(2.5);
  ASSERT_TRUE(decode_value(ctx, kPoint, std::string(buf.data(), buf.size()), back));
  EXPECT_EQ(fmt(kPoint, back), "Point(x=1.5, y=2.5)");
}

TEST_F(Dicts, CodecRejectsMalformedMessages) {
  auto pack = [](auto body) {
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> pk(buf);
    body(pk);
    return std::string(buf.data(), buf.size());
  };
  Slot out = 0;
  // a record with a field too many, too few, of the wrong type, or sent as a map
  EXPECT_FALSE(decode_value(ctx, kPoint, pack([](auto& pk) { pk.pack_array(3), pk.pack_double(1), pk.pack_double(2), pk.pack_double(3); }), out));
  EXPECT_FALSE(decode_value(ctx, kPoint, pack([](auto& pk) { pk.pack_array(1), pk.pack_double(1); }), out));
  EXPECT_FALSE(decode_value(ctx, kPoint, pack([](auto& pk) { pk.pack_array(2), pk.pack_double(1), pk.pack("y"); }), out));
  EXPECT_FALSE(decode_value(ctx, kPoint, pack([](auto& pk) { pk.pack_map(0); }), out));
  // a dictionary sent as an array, with a key or a value of the wrong type, or cut short
  EXPECT_FALSE(decode_value(ctx, "{si}", pack([](auto& pk) { pk.pack_array(2), pk.pack("a"), pk.pack(1); }), out));
  EXPECT_FALSE(decode_value(ctx, "{si}", pack([](auto& pk) { pk.pack_map(1), pk.pack(1), pk.pack(1); }), out));
  EXPECT_FALSE(decode_value(ctx, "{si}", pack([](auto& pk) { pk.pack_map(1), pk.pack("a"), pk.pack("b"); }), out));
  EXPECT_FALSE(decode_value(ctx, "{(ii)i}", pack([](auto& pk) { pk.pack_map(1), pk.pack_array(3), pk.pack(1), pk.pack(2), pk.pack(3), pk.pack(1); }), out));
  EXPECT_FALSE(decode_value(ctx, "{si}", pack([](auto& pk) { pk.pack_nil(); }), out));
  std::string whole = pack([](auto& pk) { pk.pack_map(2), pk.pack("a"), pk.pack(1), pk.pack("b"), pk.pack(2); });
  for (size_t cut = 0; cut < whole.size(); ++cut) EXPECT_FALSE(decode_value(ctx, "{si}", whole.substr(0, cut), out)) << cut;
  std::string nested = encode_value(kSample, sample("a", 1, 2, {3}));
  for (size_t cut = 0; cut < nested.size(); ++cut) EXPECT_FALSE(decode_value(ctx, kSample, nested.substr(0, cut), out)) << cut;
  // A key sent twice: the last value wins (at the first one's place).
  ASSERT_TRUE(decode_value(ctx, "{si}", pack([](auto& pk) {
    pk.pack_map(3), pk.pack("a"), pk.pack(1), pk.pack("b"), pk.pack(2), pk.pack("a"), pk.pack(3);
  }), out));
  EXPECT_EQ(fmt("{si}", out), R"({"a": 3, "b": 2})");
  EXPECT_EQ(slot_ptr<WfDict>(out)->len, 2);
}

}  // namespace
