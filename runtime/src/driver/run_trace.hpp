// What a run did, for `wfc run --trace FILE`, `--graph FILE` and `--stats` (issue 17): a task
// slice per batch and rank, instants for pool and worker events, which task took whose result,
// and at the end a Chrome trace-event JSON file (opens in Perfetto and chrome://tracing), the
// task graph (DOT, or SVG through Graphviz's `dot`) and a summary table on standard error.
//
// One process-wide recorder, off unless run_main starts it: the executors' I/O threads report
// into it under its mutex, so a run without --trace/--stats pays one null check per report.
// A notebook session installs one that records only while a cell asks for its pictures
// (`%graph`, `%stats`: begin_cell/end_cell); once installed, a recorder is never freed, since
// any I/O thread may hold it.
// Times are seconds on the driver's monotonic clock; a worker on another host reports its own
// clock, and the executor converts it with the offset measured at the worker's hello.
#pragma once

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace wf {
struct Manifest;
}

namespace wf::detail {

class RunTrace {
 public:
  struct Slice {
    int pool, worker;
    std::string host, function;
    // A single call's encoded arguments (for "f(3, [1, 2])", made when the trace is written,
    // not while the run goes), with the manifest and function that describe them; else empty.
    std::string call_args;
    const Manifest* manifest = nullptr;
    int fn = -1;
    uint64_t task;
    double start, duration;  // seconds, driver clock
    size_t items, result_bytes;
    bool ok;
    int ranks;  // > 1: one slice of an MPI task on each of its ranks
    int rank;   // this slice's rank within the task (0 for a serial batch)
  };
  struct Instant {
    int pool, worker;  // worker -1: the pool as a whole
    std::string name, detail;
    double time;
  };

  RunTrace(std::string path, bool stats, double t0) : path_(std::move(path)), stats_(stats), t0_(t0) {}

  // The recorder of this run while it records, or null (neither --trace nor --stats given, or
  // a notebook cell that asked for nothing).
  static RunTrace* active();
  // The recorder, recording or not: pools report their size to it.
  static RunTrace* installed();
  // Starts recording (`trace_path`, `graph_path` "" = no such file; `stats` = print the summary).
  static void start(const std::string& trace_path, bool stats, const std::string& graph_path = "");

  // A notebook's recorder, installed (not recording) on first use.
  static RunTrace& for_notebook();
  // Forgets what was recorded and records until end_cell().
  void begin_cell();
  void end_cell();

  // Graphviz's `dot -Tsvg` of `dot_text`; false with the reason in `why`.
  static bool draw_svg(const std::string& dot_text, std::string& svg, std::string& why);

  void task(Slice s);
  void instant(Instant i);
  void pool_workers(int pool, int workers);  // a pool's size, for busy/idle shares
  void edge(uint64_t from_task, uint64_t to_task);  // `to` took `from`'s result as an argument
  void map_group(uint64_t first_task, uint64_t last_task);  // the batches of one map (--graph folds them)

  // Writes the trace file and prints the summary; false (said on `err`) if the file cannot be
  // written. `wall`: the run's wall time in seconds.
  bool finish(double wall, std::ostream& err);

  // The pieces, for tests.
  std::string trace_json() const;
  std::string stats_text(double wall) const;
  std::string graph_dot() const;  // tasks as nodes (a map as one), waits as edges

 private:
  bool write_graph(std::ostream& err) const;
  static std::string call_of(const Slice& s);  // "f(3, [1, 2])", or "" 

 public:

 private:
  mutable std::mutex mutex_;
  std::atomic<bool> recording_{true};
  std::string path_;
  bool stats_;
  double t0_;
  std::vector<Slice> slices_;
  std::vector<Instant> instants_;
  std::map<int, int> pool_workers_;
  std::vector<std::pair<uint64_t, uint64_t>> edges_;
  std::vector<std::pair<uint64_t, uint64_t>> groups_;  // [first, last] batch ids of a map
  std::string graph_path_;
};

}  // namespace wf::detail
