// Records and dictionaries through the embedding API (wf/wf.hpp): adapted C++ structs,
// wf::Record, wf::Dict, std::map and std::unordered_map go host -> worker -> host and come
// back equal (what the worker saw is checked too, as wf prints it), and every mismatch with
// the manifest (a field's name or type, a dictionary's key type, a result asked for as the
// wrong record) is a wf::TypeError that names it. Functions are in records.wf.
#include <gtest/gtest.h>
#include <wf/wf.hpp>

#include "shared_runtime.hpp"

#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

struct Point {
  double x = 0, y = 0;
  bool operator==(const Point& o) const { return x == o.x && y == o.y; }
};
WF_RECORD(Point, x, y);

struct Sample {
  std::string name;
  Point at;
  std::vector<int64_t> counts;
  std::map<std::string, int64_t> tags;
  bool operator==(const Sample& o) const {
    return name == o.name && at == o.at && counts == o.counts && tags == o.tags;
  }
};
WF_RECORD(Sample, name, at, counts, tags);

namespace geo {
// The wf struct `Flipped` declares y, x; this struct has x, y, and an `int`.
struct Flip {
  int64_t x = 0;
  int y = 0;
};
// A struct that has a field the wf struct `Point` lacks.
struct Point3 {
  double x = 0, y = 0, z = 0;
};
}  // namespace geo
WF_RECORD_NAMED(geo::Flip, "Flipped", x, y);
WF_RECORD_NAMED(geo::Point3, "Point", x, y, z);

namespace {

using wf_test::kDir;
using wf_test::runtime;

const wf::Program& program() {
  static wf::Program prog = runtime().compile_file(kDir + "/records.wf");
  return prog;
}

wf::Function fn(const char* name) { return program()[name]; }

// The message of the TypeError `call` throws ("" if none).
template <typename F>
std::string type_error(F&& call) {
  try {
    call();
  } catch (const wf::TypeError& e) {
    return e.what();
  }
  return "";
}

// ---- adapted structs ----------------------------------------------------------------------------

TEST(Records, AdaptedStructRoundTrip) {
  Point q = runtime().submit(fn("shift"), Point{1, 2}).get<Point>();
  EXPECT_EQ(q, (Point{2, 4}));
  EXPECT_EQ(fn("shift").params(), std::vector<std::string>{"<Point|x:f|y:f>"});
  EXPECT_EQ(wf::detail::ValueTraits<Point>::desc(), "<Point|x:f|y:f>");
  // map over structs, and structs as map results.
  std::vector<Point> ps = {{3, 4}, {1, 2}, {-0.5, 0}};
  EXPECT_EQ(runtime().map<double>(fn("norm2"), ps, 2), (std::vector<double>{25, 5, 0.25}));
  EXPECT_EQ(runtime().map<Point>(fn("shift"), ps), (std::vector<Point>{{4, 6}, {2, 4}, {0.5, 2}}));
}

TEST(Records, FieldsMatchByNameNotOrder) {
  // wf declares `Flipped { y: int, x: int }`; the C++ struct has x then y (an int).
  geo::Flip f = runtime().submit(fn("flip"), geo::Flip{1, 2}).get<geo::Flip>();
  EXPECT_EQ(f.x, 2);
  EXPECT_EQ(f.y, 1);
  wf::Record r = runtime().submit(fn("flip"), geo::Flip{5, 6}).get<wf::Record>();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.fields()[0].first, "y");  // received: in declaration order
  EXPECT_EQ(r.get<int64_t>("y"), 5);
  EXPECT_EQ(r.get<int64_t>("x"), 6);
}

TEST(Records, NestedRecordsInDictionariesInArraysAcrossATask) {
  std::vector<std::map<std::string, Sample>> sent = {
      {{"a", {"first", {1.5, -0.0}, {1, 2, 3}, {{"k", 1}, {"j", -2}}}},
       {"b", {"", {0, 1e300}, {}, {}}}},
      {},
      {{"\xc3\xa9", {"q\"uote\n", {-1, 2}, {INT64_MIN}, {{"", 0}}}}}};
  auto got = runtime().submit(fn("same_samples"), sent).get<std::vector<std::map<std::string, Sample>>>();
  EXPECT_EQ(got, sent);
  // What the worker had: wf's own printing of the value (std::map sends its keys sorted).
  std::string shown = runtime().submit(fn("show_samples"), sent).get<std::string>();
  EXPECT_EQ(shown.rfind("[{\"a\": Sample(name=\"first\", at=Point(x=1.5, y=-0.0), counts=[1, 2, 3], tags={\"j\": -2, "
                        "\"k\": 1}), \"b\": Sample(name=\"\", at=Point(x=0.0, y=1e+300), counts=[], tags={})}, {}, {",
                        0),
            0u)
      << shown;
  EXPECT_EQ(shown, wf::to_string(wf::Value(sent)));
  // The same value, read dynamically, prints the same as the worker printed it.
  auto dynamic = runtime().submit(fn("same_samples"), sent).get<std::vector<wf::Dict>>();
  ASSERT_EQ(dynamic.size(), 3u);
  EXPECT_EQ(wf::to_string(wf::Value(dynamic)), shown);
  wf::Record first = dynamic[0].get<wf::Record>("a");
  EXPECT_EQ(first.type(), "Sample");
  EXPECT_EQ(first.get<Point>("at"), (Point{1.5, -0.0}));
  EXPECT_EQ(first.get<wf::Dict>("tags").get<int64_t>("j"), -2);
  // A record computed by the worker: the nested field, the array and the dictionary changed.
  Sample grown = runtime().submit(fn("grow"), sent[0].at("a")).get<Sample>();
  EXPECT_EQ(grown.at, (Point{2.0, -0.0}));
  EXPECT_EQ(grown.counts, (std::vector<int64_t>{1, 2, 3, 3}));
  EXPECT_EQ(grown.tags, (std::map<std::string, int64_t>{{"k", 1}, {"j", -2}, {"first", 7}}));
}

TEST(Records, DynamicRecord) {
  // Fields by name in any order; an int where a float is wanted is converted, as in wf.
  wf::Record p("Point", {{"y", 2.0}, {"x", 1}});
  wf::Record r = runtime().submit(fn("shift"), p).get<wf::Record>();
  EXPECT_EQ(r.type(), "Point");
  EXPECT_EQ(r.get<double>("x"), 2.0);
  EXPECT_EQ(r.get<double>("y"), 4.0);
  EXPECT_EQ(wf::to_string(r), "Point(x=2.0, y=4.0)");
  EXPECT_EQ(r.as<Point>(), (Point{2, 4}));
  EXPECT_EQ(r, wf::Record("Point", {{"y", 4.0}, {"x", 2.0}}));  // == by name
  EXPECT_NE(r, wf::Record("Point", {{"x", 2.0}, {"y", 4.5}}));
  EXPECT_EQ(wf::Record(Point{2, 4}), r);
  std::ostringstream os;
  os << wf::Record("Sample", {{"name", "n"}, {"counts", std::vector<int64_t>{}}});
  EXPECT_EQ(os.str(), "Sample(name=\"n\", counts=[])");
  // A record read as a wf::Value, and a Value passed where a Point is wanted.
  wf::Value v = runtime().submit(fn("shift"), Point{0, 0}).get<wf::Value>();
  EXPECT_EQ(v.kind, wf::Value::Kind::Record);
  EXPECT_EQ(runtime().submit(fn("norm2"), v).get<double>(), 5.0);
  // Reading fields.
  EXPECT_EQ(type_error([&] { r.get<int64_t>("x"); }), "field `x` of `Point`: expected an int, got a float");
  EXPECT_EQ(type_error([&] { r.at("z"); }), "`Point` has no field `z`");
  EXPECT_FALSE(r.has("z"));
  wf::Record q = r;
  q["x"] = "text";
  EXPECT_EQ(type_error([&] { q.as<Point>(); }), "field `x` of `Point`: expected a float, got a str");
  EXPECT_EQ(type_error([&] { wf::Record("Pt", {{"x", 1.0}, {"y", 1.0}}).as<Point>(); }), "expected a `Point`, got a `Pt`");
  EXPECT_EQ(type_error([&] { wf::Record("Point", {{"x", 1.0}}).as<Point>(); }), "`Point` has 1 fields, its C++ struct 2");
}

// ---- dictionaries -------------------------------------------------------------------------------

TEST(Dicts, StdMapAndUnorderedMapRoundTrip) {
  std::map<std::string, int64_t> m = {{"b", 2}, {"a", 1}, {"", INT64_MIN}, {std::string("n\0l", 3), -1}};
  EXPECT_EQ(runtime().submit(fn("same_counts"), m).get<decltype(m)>(), m);
  std::unordered_map<std::string, int64_t> u;
  for (int i = 0; i < 2000; ++i) u["k" + std::to_string(i)] = i * i;
  EXPECT_EQ(runtime().submit(fn("same_counts"), u).get<decltype(u)>(), u);
  EXPECT_TRUE(runtime().submit(fn("same_counts"), std::map<std::string, int64_t>{}).get<decltype(m)>().empty());
  // Other map types for the same wf type, and keys of another type than the values.
  std::unordered_map<int64_t, std::string> names = {{1, "one"}, {-2, "minus two"}};
  auto inverted = runtime().submit(fn("invert"), names).get<std::map<std::string, int64_t>>();
  EXPECT_EQ(inverted, (std::map<std::string, int64_t>{{"one", 1}, {"minus two", -2}}));
  // Tuple keys, record values.
  std::map<std::tuple<int64_t, std::string>, std::vector<Point>> pairs = {{{1, "a"}, {{1, 2}}}, {{1, ""}, {}}, {{-7, "z"}, {{0, 0}, {3, 4}}}};
  EXPECT_EQ(runtime().submit(fn("same_pair_keys"), pairs).get<decltype(pairs)>(), pairs);
}

TEST(Dicts, DynamicDictKeepsInsertionOrder) {
  wf::Dict d{{"b", 2}, {"a", 1}};
  d["c"] = 3;
  d["b"] = 20;  // keeps its place
  EXPECT_EQ(runtime().submit(fn("key_order"), d).get<std::vector<std::string>>(), (std::vector<std::string>{"b", "a", "c"}));
  wf::Dict back = runtime().submit(fn("same_counts"), d).get<wf::Dict>();
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back.entries()[0].first, wf::Value("b"));
  EXPECT_EQ(back.get<int64_t>("b"), 20);
  EXPECT_EQ(wf::to_string(back), "{\"b\": 20, \"a\": 1, \"c\": 3}");
  EXPECT_EQ(back, (wf::Dict{{"c", 3}, {"a", 1}, {"b", 20}}));  // == in any order
  EXPECT_NE(back, (wf::Dict{{"c", 3}, {"a", 1}, {"b", 2}}));
  using Counts = std::map<std::string, int64_t>;
  EXPECT_EQ(back.as<Counts>(), (Counts{{"a", 1}, {"b", 20}, {"c", 3}}));
  EXPECT_EQ(wf::Dict(Counts{{"x", 1}}), (wf::Dict{{"x", 1}}));
  EXPECT_TRUE(back.erase("a"));
  EXPECT_FALSE(back.contains("a"));
  EXPECT_THROW(back.at("a"), wf::Error);
  EXPECT_EQ(type_error([&] { back.get<std::string>("b"); }), "expected a str, got an int");
}

// ---- checked against the manifest ---------------------------------------------------------------

TEST(RecordErrors, ArgumentsNameTheFieldAndTheTypes) {
  auto submit_point = [](wf::Record p) { return [p] { runtime().submit(fn("shift"), p); }; };
  EXPECT_EQ(type_error(submit_point(wf::Record("Point", {{"x", 1.0}, {"z", 2.0}}))),
            "argument 1 of `shift`: `Point` has no field `z` (`<Point|x:f|y:f>`), got `<Point|x:f|z:f>`");
  EXPECT_EQ(type_error(submit_point(wf::Record("Point", {{"x", 1.0}}))),
            "argument 1 of `shift`: missing field `y` of `Point` (`<Point|x:f|y:f>`), got `<Point|x:f>`");
  EXPECT_EQ(type_error(submit_point(wf::Record("Point", {{"x", 1.0}, {"y", "two"}}))),
            "argument 1 of `shift`: field `y` of `Point`: expected a float (`<Point|x:f|y:f>`), got `<Point|x:f|y:s>`");
  EXPECT_EQ(type_error(submit_point(wf::Record("Pt", {{"x", 1.0}, {"y", 2.0}}))),
            "argument 1 of `shift`: expected a `Point` (`<Point|x:f|y:f>`), got `<Pt|x:f|y:f>`");
  wf::Record twice("Point", {{"x", 1.0}, {"y", 2.0}, {"x", 3.0}});
  EXPECT_EQ(type_error(submit_point(twice)).rfind("argument 1 of `shift`: field `x` of `Point` given twice", 0), 0u);
  // An adapted struct with a field the wf struct lacks.
  EXPECT_EQ(type_error([] { runtime().submit(fn("shift"), geo::Point3{1, 2, 3}); }),
            "argument 1 of `shift`: `Point` has no field `z` (`<Point|x:f|y:f>`), got `<Point|x:f|y:f|z:f>`");
  // Not a record at all.
  EXPECT_EQ(type_error([] { runtime().submit(fn("shift"), 1.0); }),
            "argument 1 of `shift`: expected a `Point` (`<Point|x:f|y:f>`), got `f`");
  // Deep inside: an array of dictionaries of records, one field of one record wrong.
  std::vector<std::map<std::string, wf::Record>> deep = {
      {{"a", wf::Record(Sample{"s", {1, 2}, {}, {}})}},
      {{"b", wf::Record("Sample", {{"name", "t"}, {"at", wf::Record("Point", {{"x", 1.0}, {"y", true}})},
                                   {"counts", std::vector<int64_t>{}}, {"tags", wf::Dict{}}})}}};
  std::string e = type_error([&] { runtime().submit(fn("same_samples"), deep); });
  EXPECT_EQ(e.rfind("argument 1 of `same_samples`: field `at` of `Sample`: field `y` of `Point`: expected a float (", 0), 0u) << e;
  // items of a map are checked the same way, before anything runs.
  std::vector<wf::Record> items = {wf::Record(Point{1, 2}), wf::Record("Point", {{"x", 1.0}})};
  EXPECT_EQ(type_error([&] { runtime().map_async(fn("norm2"), items); }),
            "items of map over `norm2`: missing field `y` of `Point` (`<Point|x:f|y:f>`), got `<Point|x:f>`");
}

TEST(RecordErrors, DictionaryKeysAndValues) {
  EXPECT_EQ(type_error([] { runtime().submit(fn("same_counts"), std::map<int64_t, int64_t>{{1, 1}}); }),
            "argument 1 of `same_counts`: dictionary key: expected a str (`{si}`), got `{ii}`");
  EXPECT_EQ(type_error([] { runtime().submit(fn("same_counts"), std::map<std::string, double>{{"a", 1.5}}); }),
            "argument 1 of `same_counts`: expected an int (`{si}`), got `{sf}`");
  EXPECT_EQ(type_error([] { runtime().submit(fn("same_counts"), wf::Dict{{"a", 1}, {2, 2}}); }),
            "argument 1 of `same_counts`: dictionary key: expected a str (`{si}`), got `{*i}`");
  EXPECT_EQ(type_error([] { runtime().submit(fn("same_counts"), std::vector<int64_t>{1}); }),
            "argument 1 of `same_counts`: expected a dictionary (`{si}`), got `[i]`");
  EXPECT_EQ(type_error([] { runtime().submit(fn("same_pair_keys"), std::map<std::tuple<int64_t>, std::vector<Point>>{}); }),
            "");  // an empty dictionary has no key to be wrong: it is sent as it is
  EXPECT_EQ(type_error([] {
              runtime().submit(fn("same_pair_keys"), std::map<std::tuple<int64_t>, std::vector<Point>>{{{1}, {}}});
            }),
            "argument 1 of `same_pair_keys`: dictionary key: expected a longer tuple (`{(is)[<Point|x:f|y:f>]}`), got "
            "`{(i)[<Point|x:f|y:f>]}`");
}

TEST(RecordErrors, ResultTypes) {
  wf::Future f = runtime().submit(fn("grow"), Sample{"s", {1, 2}, {}, {}});
  EXPECT_EQ(type_error([&] { f.get<Point>(); }),
            "the task returns `<Sample|name:s|at:<Point|x:f|y:f>|counts:[i]|tags:{si}>`, not `<Point|x:f|y:f>`");
  EXPECT_EQ(type_error([&] { f.get<wf::Dict>(); }).rfind("the task returns `<Sample|", 0), 0u);
  EXPECT_EQ(f.get<wf::Record>().type(), "Sample");  // any record
  EXPECT_EQ(f.get<wf::Value>().kind, wf::Value::Kind::Record);
  EXPECT_EQ(f.get<Sample>().counts, (std::vector<int64_t>{0}));
  wf::Future g = runtime().submit(fn("same_counts"), std::map<std::string, int64_t>{{"a", 1}});
  EXPECT_EQ(type_error([&] { g.get<std::map<std::string, double>>(); }), "the task returns `{si}`, not `{sf}`");
  EXPECT_EQ(type_error([&] { g.get<std::map<int64_t, int64_t>>(); }), "the task returns `{si}`, not `{ii}`");
  EXPECT_EQ(type_error([&] { g.get<wf::Record>(); }), "the task returns `{si}`, not `<*>`");
  EXPECT_EQ(g.get<wf::Dict>().size(), 1u);
  EXPECT_EQ((g.get<std::map<std::string, wf::Value>>().at("a")), wf::Value(1));
  // map<R> is checked before anything runs; a struct adapted under the wrong shape is refused.
  EXPECT_THROW(runtime().map<Point>(fn("norm2"), std::vector<Point>{{1, 1}}), wf::TypeError);
  EXPECT_THROW(runtime().submit(fn("shift"), Point{1, 1}).get<geo::Point3>(), wf::TypeError);
  EXPECT_THROW(runtime().submit(fn("flip"), geo::Flip{1, 1}).get<Point>(), wf::TypeError);
}

TEST(Values, EqualityAndPrinting) {
  EXPECT_EQ(wf::Value(1), wf::Value(int64_t{1}));
  EXPECT_NE(wf::Value(1), wf::Value(1.0));  // an int is not a float, as in wf
  EXPECT_EQ(wf::to_string(wf::Value("bare")), "bare");
  EXPECT_EQ(wf::to_string(wf::Value(std::vector<std::string>{"in", "\"q\""})), "[\"in\", \"\\\"q\\\"\"]");
  EXPECT_EQ(wf::to_string(wf::Value(std::tuple<double, bool>{0.1, true})), "(0.1, true)");
  EXPECT_EQ(wf::to_string(wf::Dict{}), "{}");
  EXPECT_EQ(wf::Value(std::vector<int64_t>{1, 2}).as<std::vector<double>>(), (std::vector<double>{1, 2}));
  EXPECT_EQ(type_error([] { wf::Value(std::vector<int64_t>{1}).as<std::tuple<int64_t>>(); }), "expected a tuple, got an array");
}

}  // namespace
