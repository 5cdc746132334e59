// RunTrace (runtime/src/driver/run_trace.hpp) on made-up slices: the JSON has one complete
// event per slice on its pool's and worker's track, names its tracks, keeps times relative to
// the start; the stats count an MPI task once and a chunk by its items.
#include <gtest/gtest.h>

#include <string>

#include "driver/run_trace.hpp"

using wf::detail::RunTrace;

namespace {

RunTrace::Slice slice(const std::string& fn, int worker, double start, double dur, size_t items = 1, int ranks = 1,
                      int rank = 0, bool ok = true) {
  return RunTrace::Slice{0, worker, "hostA", fn, "", nullptr, -1, 7, start, dur, items, 16, ok, ranks, rank};
}

// Runs of spaces as one, so that a check does not depend on column widths.
std::string squashed(const std::string& text) {
  std::string out;
  for (char c : text)
    if (!(c == ' ' && !out.empty() && out.back() == ' ')) out += c;
  return out;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST(RunTrace, OneCompleteEventPerSliceOnItsTrack) {
  RunTrace t("", false, 100.0);
  t.task(slice("f", 0, 100.5, 0.25));
  t.task(slice("g", 1, 101.0, 0.001, 1, 2, 0));
  t.task(slice("g", 2, 101.0, 0.001, 1, 2, 1));
  t.instant({0, -1, "pool start", "world 0", 100.1});
  std::string json = t.trace_json();
  EXPECT_EQ(count(json, "\"ph\": \"X\""), 3u);
  EXPECT_NE(json.find("\"ts\": 500000, \"dur\": 250000"), std::string::npos) << json;  // relative, in µs
  EXPECT_EQ(count(json, "\"name\": \"thread_name\""), 3u);
  EXPECT_NE(json.find("pool 0 on hostA"), std::string::npos);
  EXPECT_EQ(count(json, "\"cat\": \"mpi\""), 2u);
  EXPECT_NE(json.find("\"name\": \"pool start\""), std::string::npos);
}

TEST(RunTrace, StatsCountItemsAndMpiTasksOnce) {
  RunTrace t("", true, 0.0);
  t.pool_workers(0, 2);
  t.task(slice("chunked", 0, 0.0, 1.0, 4));
  t.task(slice("mpi", 0, 1.0, 0.5, 1, 2, 0));
  t.task(slice("mpi", 1, 1.0, 0.5, 1, 2, 1));
  t.task(slice("bad", 1, 2.0, 0.1, 1, 1, 0, false));
  std::string text = squashed(t.stats_text(4.0));
  EXPECT_NE(text.find("wall time 4.000 s"), std::string::npos) << text;
  EXPECT_NE(text.find(" chunked 4 1.000 250.000 250.000 250.000 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find(" mpi 1 0.500 500.000"), std::string::npos) << text;
  EXPECT_NE(text.find(" bad 1 0.100 100.000 100.000 100.000 1\n"), std::string::npos) << text;
  // busy: 1.0 + 0.5 + 0.5 + 0.1 of 2 workers x 4 s
  EXPECT_NE(text.find("pool 0: 2 workers, busy 26.2 %"), std::string::npos) << text;
}
