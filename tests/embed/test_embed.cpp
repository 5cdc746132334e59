// The embedding API (wf/wf.hpp) end to end: values that travel host -> worker -> host come
// back bit for bit, every error of the API has its own type under wf::Error, and map_async
// returns futures before the work is done. Real workers (the `local` launcher, 2 ranks)
// unless a test says otherwise; only the public header is used, as a host would.
#include <gtest/gtest.h>
#include <wf/wf.hpp>

#include "shared_runtime.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <string>
#include <tuple>
#include <unistd.h>
#include <vector>

namespace {

using wf_test::kDir;
using wf_test::runtime;

const wf::Program& program() {
  static wf::Program prog = runtime().compile_file(kDir + "/roundtrip.wf");
  return prog;
}

uint64_t bits(double x) { return std::bit_cast<uint64_t>(x); }

// Same bits, or both NaN (a NaN's payload may change on the way; its NaN-ness may not).
::testing::AssertionResult same_float(double sent, double got) {
  if (std::isnan(sent) && std::isnan(got)) return ::testing::AssertionSuccess();
  if (bits(sent) == bits(got)) return ::testing::AssertionSuccess();
  char msg[160];
  std::snprintf(msg, sizeof msg, "sent %.17g (0x%016llx), got %.17g (0x%016llx)", sent,
                (unsigned long long)bits(sent), got, (unsigned long long)bits(got));
  return ::testing::AssertionFailure() << msg;
}

const std::vector<double> kSpecial = {
    -0.0, 0.0, 1e300, -1e300, -1e-300, 1e-300,
    std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
    std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
    std::numeric_limits<double>::denorm_min(), -std::numeric_limits<double>::denorm_min(),
    std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
    1.0, -1.0, 9007199254740993.0, 0.1, -2.5e-310};

// ---- values, bit for bit -----------------------------------------------------------------------

TEST(RoundTrip, SpecialFloatsOneTaskEach) {
  wf::Function f = program()["same_float"];
  std::vector<wf::Future> futures;
  for (double x : kSpecial) futures.push_back(runtime().submit(f, x));
  for (size_t i = 0; i < kSpecial.size(); ++i) EXPECT_TRUE(same_float(kSpecial[i], futures[i].get<double>())) << "item " << i;
}

TEST(RoundTrip, SpecialFloatsThroughMapBatches) {
  for (int chunk : {1, 4, 64}) {
    std::vector<double> got = runtime().map<double>(program()["same_float"], kSpecial, chunk);
    ASSERT_EQ(got.size(), kSpecial.size());
    for (size_t i = 0; i < kSpecial.size(); ++i) EXPECT_TRUE(same_float(kSpecial[i], got[i])) << "chunk " << chunk << " item " << i;
  }
}

TEST(RoundTrip, SpecialFloatsInAnArray) {
  auto got = runtime().submit(program()["same_floats"], kSpecial).get<std::vector<double>>();
  ASSERT_EQ(got.size(), kSpecial.size());
  for (size_t i = 0; i < kSpecial.size(); ++i) EXPECT_TRUE(same_float(kSpecial[i], got[i])) << "item " << i;
}

TEST(RoundTrip, WorkerComputesNegativeZero) {
  // The worker's -x of +0.0 is -0.0, and the host must see the sign.
  EXPECT_TRUE(same_float(-0.0, runtime().submit(program()["negate"], 0.0).get<double>()));
  EXPECT_TRUE(same_float(0.0, runtime().submit(program()["negate"], -0.0).get<double>()));
}

TEST(RoundTrip, IntExtremes) {
  const std::vector<int64_t> ints = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 0, -1, 1,
                                     (int64_t)1 << 53, -((int64_t)1 << 32), 127, -32, -33, 128, 255, 65535, 65536};
  wf::Function f = program()["same_int"];
  for (int64_t x : ints) EXPECT_EQ(runtime().submit(f, x).get<int64_t>(), x);
  EXPECT_EQ(runtime().map<int64_t>(f, ints, 3), ints);
}

TEST(RoundTrip, MillionFloats) {
  // Every bit pattern class: normals, subnormals, zeros, infinities and NaNs (splitmix64 bits).
  std::vector<double> xs(1'000'000);
  uint64_t s = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < xs.size(); ++i) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    if (i % 7 == 3) z &= 0x800fffffffffffffull;  // subnormal or zero
    xs[i] = std::bit_cast<double>(z);
  }
  xs[10] = -0.0;
  xs[11] = std::numeric_limits<double>::infinity();
  std::vector<double> got = runtime().submit(program()["same_floats"], xs).get<std::vector<double>>();
  ASSERT_EQ(got.size(), xs.size());
  size_t bad = 0;
  for (size_t i = 0; i < xs.size(); ++i)
    if (!same_float(xs[i], got[i]) && bad++ < 5) ADD_FAILURE() << "item " << i << ": " << same_float(xs[i], got[i]).message();
  EXPECT_EQ(bad, 0u);
}

TEST(RoundTrip, NestedTuplesAndArraysOfStrings) {
  using Pair = std::tuple<int64_t, std::string>;
  using Nested = std::tuple<std::tuple<std::string, std::vector<std::string>>, std::vector<std::vector<Pair>>, bool>;
  Nested sent{{std::string("head\0with nul", 13), {"", "a", "\xc3\xa9t\xc3\xa9", std::string(100000, 'x')}},
              {{}, {{std::numeric_limits<int64_t>::min(), "min"}, {0, ""}}, {{42, "\"quoted\"\n"}}},
              true};
  Nested got = runtime().submit(program()["same_nested"], sent).get<Nested>();
  EXPECT_EQ(got, sent);
  EXPECT_EQ(std::get<0>(std::get<0>(got)).size(), 13u);
}

TEST(RoundTrip, InProcessLauncherToo) {
  wf::Runtime rt({.workers = 1, .launcher = wf::Launcher::InProcess});
  wf::Program prog = rt.compile_file(kDir + "/roundtrip.wf");
  for (double x : kSpecial) EXPECT_TRUE(same_float(x, rt.submit(prog["same_float"], x).get<double>()));
}

// ---- errors ------------------------------------------------------------------------------------

std::string temp_file(const std::string& contents) {
  char path[] = "/tmp/wf-embed-test-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

TEST(Errors, CompileError) {
  try {
    runtime().compile_file(kDir + "/bad.wf");
    FAIL() << "no exception";
  } catch (const wf::CompileError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.wf:3:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(runtime().compile_file(kDir + "/bad.wf"), wf::Error);
}

TEST(Errors, LoadErrorMissingFile) {
  try {
    runtime().load("/nonexistent/dir/program.wfo");
    FAIL() << "no exception";
  } catch (const wf::LoadError& e) {
    EXPECT_EQ(e.path(), "/nonexistent/dir/program.wfo");
    EXPECT_NE(std::string(e.what()).find("cannot read"), std::string::npos) << e.what();
  }
}

TEST(Errors, LoadErrorCorruptFile) {
  std::string path = temp_file("this is not a wf object\x01\x02\x03");
  EXPECT_THROW(runtime().load(path), wf::LoadError);
  std::string empty = temp_file("");
  EXPECT_THROW(runtime().load(empty), wf::LoadError);
  try {
    runtime().load(path);
  } catch (const wf::Error& e) {  // catchable as the base class too
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
  std::remove(empty.c_str());
}

TEST(Errors, UnknownFunction) {
  try {
    program()["no_such_function"];
    FAIL() << "no exception";
  } catch (const wf::UnknownFunction& e) {
    EXPECT_EQ(e.name(), "no_such_function");
    EXPECT_STREQ(e.what(), "the program has no function `no_such_function`");
  }
  EXPECT_THROW(program()["Same_float"], wf::Error);
}

TEST(Errors, UnknownFunctionIsNotATypeError) {
  try {
    program()["missing"];
  } catch (const wf::TypeError&) {
    FAIL() << "UnknownFunction caught as TypeError";
  } catch (const wf::UnknownFunction&) {
  }
}

TEST(Errors, TypeErrors) {
  const wf::Program& p = program();
  try {
    runtime().submit(p["same_float"], std::string("three"));
    FAIL() << "no exception";
  } catch (const wf::TypeError& e) {
    EXPECT_STREQ(e.what(), "argument 1 of `same_float`: expected a float (`f`), got `s`");
  }
  EXPECT_THROW(runtime().submit(p["same_float"], 1.0, 2.0), wf::TypeError);
  EXPECT_THROW(runtime().submit(p["same_float"], 1.0).get<int64_t>(), wf::TypeError);
  EXPECT_THROW(runtime().submit(p["main"]), wf::TypeError);
  EXPECT_THROW(runtime().submit(p["cbrt"], 8.0), wf::TypeError);
  EXPECT_THROW(runtime().map<int64_t>(p["same_float"], std::vector<double>{1.0}), wf::TypeError);
  EXPECT_THROW(runtime().map_async(p["same_float"], std::vector<std::string>{"x"}), wf::TypeError);
  using Wrong = std::tuple<std::tuple<std::string, std::vector<std::string>>, std::vector<std::vector<std::tuple<int64_t>>>, bool>;
  // Checked against the values: a field of the wrong type inside a nested array is found.
  Wrong wrong{{"a", {"b"}}, {{}, {std::tuple<int64_t>{1}}}, false};
  try {
    runtime().submit(p["same_nested"], wrong);
    FAIL() << "no exception";
  } catch (const wf::TypeError& e) {
    EXPECT_STREQ(e.what(), "argument 1 of `same_nested`: expected a longer tuple (`((s[s])[[(is)]]b)`), got `((s[s])[[(i)]]b)`");
  }
  // An int where a float is wanted is converted, as in wf.
  EXPECT_EQ(runtime().submit(p["same_float"], 3).get<double>(), 3.0);
}

TEST(Errors, TaskError) {
  try {
    runtime().submit(program()["checked_sqrt"], -4.0).get<double>();
    FAIL() << "no exception";
  } catch (const wf::TaskError& e) {
    EXPECT_STREQ(e.what(), "negative input -4.0");
    ASSERT_FALSE(e.frames().empty());
    EXPECT_EQ(e.frames()[0].rfind("at checked_sqrt (", 0), 0u) << e.frames()[0];
    EXPECT_EQ(e.task().rfind("in task checked_sqrt(-4.0) on worker", 0), 0u) << e.task();
    EXPECT_EQ(e.report().rfind("error: negative input -4.0\n", 0), 0u) << e.report();
  }
  EXPECT_THROW(runtime().submit(program()["checked_sqrt"], -1.0).get<double>(), wf::Error);
  EXPECT_EQ(runtime().submit(program()["checked_sqrt"], -1.0).error(), "negative input -1.0");
}

TEST(Errors, EverythingIsAStdRuntimeError) {
  EXPECT_THROW(program()["missing"], std::runtime_error);
  EXPECT_THROW(runtime().load("/nonexistent.wfo"), std::runtime_error);
  EXPECT_THROW(runtime().submit(program()["same_int"], 1.5), std::runtime_error);
}

// ---- functions ---------------------------------------------------------------------------------

TEST(Functions, Kinds) {
  EXPECT_EQ(program()["same_float"].kind(), wf::FunctionKind::Fn);
  EXPECT_EQ(program()["main"].kind(), wf::FunctionKind::Flow);
  EXPECT_EQ(program()["cbrt"].kind(), wf::FunctionKind::Extern);
  EXPECT_EQ(program()["same_float"].ranks(), 1);
  EXPECT_EQ(program()["same_nested"].params(), std::vector<std::string>{"((s[s])[[(is)]]b)"});
}

// ---- map_async ---------------------------------------------------------------------------------

TEST(MapAsync, ReturnsBeforeTheWorkIsDone) {
  // 4 tasks of 0.3 s on 2 workers: at least 0.6 s of work.
  wf::Function f = program()["slow_square"];
  runtime().submit(f, 0.0).wait();  // the pool is up, so the timing below is the tasks'
  auto start = std::chrono::steady_clock::now();
  wf::MapFuture m = runtime().map_async(f, std::vector<double>{1, 2, 3, 4});
  double returned = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(m.done());
  EXPECT_LT(returned, 0.25);
  EXPECT_EQ(m.size(), 4u);
  EXPECT_EQ(m.get<double>(), (std::vector<double>{1, 4, 9, 16}));
  EXPECT_TRUE(m.done());
  EXPECT_EQ(m.error(), "");
  EXPECT_GE(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0.55);
}

TEST(MapAsync, ManyElementsInOrderAcrossChunks) {
  std::vector<double> xs(1000);
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = (double)i - 500.5;
  std::vector<wf::MapFuture> ms;
  for (int chunk : {1, 7, 1000, 5000}) ms.push_back(runtime().map_async(program()["negate"], xs, chunk));
  for (auto& m : ms) {
    std::vector<double> got = m.get<double>();
    ASSERT_EQ(got.size(), xs.size());
    for (size_t i = 0; i < xs.size(); ++i) ASSERT_EQ(got[i], -xs[i]) << i;
  }
}

TEST(MapAsync, FirstFailingElementInOrder) {
  wf::MapFuture m = runtime().map_async(program()["checked_sqrt"], std::vector<double>{1, -1, 4, -9}, 1);
  try {
    m.get<double>();
    FAIL() << "no exception";
  } catch (const wf::TaskError& e) {
    EXPECT_STREQ(e.what(), "negative input -1.0");
  }
  EXPECT_EQ(m.error(), "negative input -1.0");
  EXPECT_TRUE(m.done());
  // A failure leaves the pool working.
  EXPECT_EQ(runtime().map<double>(program()["checked_sqrt"], std::vector<double>{4, 9}), (std::vector<double>{2, 3}));
}

TEST(MapAsync, ResultTypeCheckedAtGet) {
  wf::MapFuture m = runtime().map_async(program()["negate"], std::vector<double>{1});
  EXPECT_THROW(m.get<int64_t>(), wf::TypeError);
  EXPECT_EQ(m.get<double>(), std::vector<double>{-1});
}

TEST(MapAsync, Empty) {
  wf::MapFuture m = runtime().map_async(program()["negate"], std::vector<double>{});
  EXPECT_TRUE(m.done());
  EXPECT_TRUE(m.get<double>().empty());
}

TEST(MapAsync, OwnPool) {
  wf::Pool pool = runtime().pool(program(), {.workers = 1});
  wf::MapFuture m = pool.map_async(program()["negate"], std::vector<double>{1, -0.0}, 2);
  std::vector<double> got = m.get<double>();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(same_float(-1.0, got[0]));
  EXPECT_TRUE(same_float(0.0, got[1]));
}

}  // namespace

// ---- one runtime, several programs: one fleet of workers ----------------------------------------

TEST(SharedRuntime, TwoProgramsRunOnTheSameWorkers) {
  wf::Runtime rt({.workers = 2, .launcher = wf::Launcher::Local});
  wf::Program a = rt.compile_file(kDir + "/twin_a.wf");
  wf::Program b = rt.compile_file(kDir + "/twin_b.wf");
  // Same name, same index in each manifest, other code: each task must run its own program's.
  std::vector<int64_t> xs = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(rt.map<int64_t>(a["work"], xs), (std::vector<int64_t>{2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(rt.map<int64_t>(b["work"], xs), (std::vector<int64_t>{10, 20, 30, 40, 50, 60, 70, 80}));
  // Each program's map spreads over the pool's workers; the pids seen must be the same two.
  std::vector<int64_t> pa = rt.map<int64_t>(a["worker_pid"], xs);
  std::vector<int64_t> pb = rt.map<int64_t>(b["worker_pid"], xs);
  std::set<int64_t> seen_a(pa.begin(), pa.end()), seen_b(pb.begin(), pb.end());
  std::set<int64_t> all = seen_a;
  all.insert(seen_b.begin(), seen_b.end());
  EXPECT_LE(all.size(), 2u) << "more worker processes than the pool's 2: the programs did not share them";
  std::vector<int64_t> both;
  std::set_intersection(seen_a.begin(), seen_a.end(), seen_b.begin(), seen_b.end(), std::back_inserter(both));
  EXPECT_FALSE(both.empty()) << "no worker ran tasks of both programs";
  for (int64_t pid : all) EXPECT_NE(pid, (int64_t)::getpid()) << "a task ran in the host, not a worker";
}

TEST(SharedRuntime, APoolOfTheRuntimeRunsEveryProgramAndAProgramAddedAfterItStarted) {
  wf::Runtime rt({.workers = 1, .launcher = wf::Launcher::Local});
  wf::Pool pool = rt.pool({.workers = 1});
  wf::Program a = rt.compile_file(kDir + "/twin_a.wf");
  int64_t first = pool.submit(a["worker_pid"], int64_t{0}).get<int64_t>();
  EXPECT_EQ(pool.submit(a["work"], int64_t{41}).get<int64_t>(), 42);
  // A program compiled after the pool's worker started: the worker is sent it with its first task.
  wf::Program b = rt.compile_file(kDir + "/twin_b.wf");
  EXPECT_EQ(pool.submit(b["work"], int64_t{41}).get<int64_t>(), 410);
  EXPECT_EQ(pool.submit(b["worker_pid"], int64_t{0}).get<int64_t>(), first) << "a new worker was started for b";
  EXPECT_EQ(pool.submit(a["work"], int64_t{1}).get<int64_t>(), 2) << "a's code after b was loaded";
}

TEST(SharedRuntime, AFunctionOfAnotherRuntimeIsATypeError) {
  wf::Runtime one({.workers = 1, .launcher = wf::Launcher::InProcess});
  wf::Runtime two({.workers = 1, .launcher = wf::Launcher::InProcess});
  wf::Program a = one.compile_file(kDir + "/twin_a.wf");
  wf::Pool pool = two.pool({});
  EXPECT_THROW(pool.submit(a["work"], int64_t{1}), wf::TypeError);
  EXPECT_THROW(two.submit(a["work"], int64_t{1}), wf::TypeError);
}
