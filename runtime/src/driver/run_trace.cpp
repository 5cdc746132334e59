// The design notes for this module are atop run_trace.hpp.
#include "driver/run_trace.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>

#include "format/json_string.hpp"
#include "machine.hpp"
#include "protocol/batch.hpp"
#include "task/task_runner.hpp"

extern char** environ;

namespace wf::detail {

namespace {

std::atomic<RunTrace*> g_trace{nullptr};  // never freed once installed (see run_trace.hpp)

using format::json_string;

double quantile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = std::min(sorted.size() - 1, (size_t)(p * (double)sorted.size()));
  return sorted[i];
}

}  // namespace

RunTrace* RunTrace::active() {
  RunTrace* t = g_trace.load(std::memory_order_acquire);
  return t && t->recording_.load(std::memory_order_relaxed) ? t : nullptr;
}

RunTrace* RunTrace::installed() { return g_trace.load(std::memory_order_acquire); }

RunTrace& RunTrace::for_notebook() {
  static std::mutex installing;
  std::lock_guard<std::mutex> lock(installing);
  if (RunTrace* t = installed()) return *t;
  auto* t = new RunTrace("", false, now_seconds());
  t->recording_.store(false);
  g_trace.store(t, std::memory_order_release);
  return *t;
}

void RunTrace::begin_cell() {
  std::lock_guard<std::mutex> lock(mutex_);
  slices_.clear();
  instants_.clear();
  edges_.clear();
  groups_.clear();
  recording_.store(true);
}

void RunTrace::end_cell() { recording_.store(false); }

std::string RunTrace::call_of(const Slice& s) {
  if (!s.manifest || s.call_args.empty()) return "";
  msgpack::zone zone;
  msgpack::object items;
  if (!read_batch(zone, s.call_args, items) || items.via.array.size != 1) return "";
  return describe_call(*s.manifest, s.fn, items.via.array.ptr[0]);
}

void RunTrace::start(const std::string& trace_path, bool stats, const std::string& graph_path) {
  auto* t = new RunTrace(trace_path, stats, now_seconds());
  t->graph_path_ = graph_path;
  g_trace.store(t, std::memory_order_release);
}

void RunTrace::map_group(uint64_t first_task, uint64_t last_task) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (last_task > first_task) groups_.emplace_back(first_task, last_task);
}

std::string RunTrace::graph_dot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  // A task's node: its map's, if it is a batch of one; else its own.
  auto node_of = [&](uint64_t task) {
    for (auto& [first, last] : groups_)
      if (task >= first && task <= last) return "m" + std::to_string(first);
    return "t" + std::to_string(task);
  };
  struct Node {
    std::string function, call;
    size_t tasks = 0, items = 0, failed = 0;
  };
  std::map<std::string, Node> nodes;
  for (const Slice& s : slices_) {
    if (s.rank != 0) continue;
    Node& n = nodes[node_of(s.task)];
    n.function = s.function;
    if (n.tasks == 0) n.call = call_of(s);
    n.tasks += 1;
    n.items += s.items;
    n.failed += !s.ok;
  }
  std::ostringstream out;
  out << "digraph wf {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#e8f0fe\", fontname=\"Helvetica\"];\n";
  auto label_text = [](const std::string& s) {
    std::string o;
    for (char c : s) o += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
    return o;
  };
  for (auto& [id, n] : nodes) {
    std::string label = n.tasks > 1 || n.items > 1 ? n.function + " ×" + std::to_string(n.items)
                                                     : (n.call.empty() ? n.function : n.call);
    out << "  " << id << " [label=\"" << label_text(label) << "\"";
    if (n.failed) out << ", fillcolor=\"#fde2e1\", color=\"#c5221f\"";
    out << "];\n";
  }
  std::set<std::pair<std::string, std::string>> drawn;
  for (auto& [from, to] : edges_) {
    std::string a = node_of(from), b = node_of(to);
    if (nodes.count(a) && nodes.count(b) && drawn.emplace(a, b).second) out << "  " << a << " -> " << b << ";\n";
  }
  out << "}\n";
  return out.str();
}

void RunTrace::task(Slice s) {
  std::lock_guard<std::mutex> lock(mutex_);
  slices_.push_back(std::move(s));
}

void RunTrace::instant(Instant i) {
  std::lock_guard<std::mutex> lock(mutex_);
  instants_.push_back(std::move(i));
}

void RunTrace::pool_workers(int pool, int workers) {
  std::lock_guard<std::mutex> lock(mutex_);
  int& n = pool_workers_[pool];
  n = std::max(n, workers);
}

void RunTrace::edge(uint64_t from_task, uint64_t to_task) {
  std::lock_guard<std::mutex> lock(mutex_);
  edges_.emplace_back(from_task, to_task);
}

std::string RunTrace::trace_json() const {
  std::lock_guard<std::mutex> lock(mutex_);
  // One trace "process" per (pool, host), one "thread" per worker rank.
  std::map<std::pair<int, std::string>, int> pids;
  std::map<std::pair<int, int>, int> worker_pid;  // (pool, worker) -> pid
  for (const Slice& s : slices_) {
    auto key = std::make_pair(s.pool, s.host);
    int pid = pids.emplace(key, (int)pids.size() + 1).first->second;
    worker_pid[{s.pool, s.worker}] = pid;
  }
  std::ostringstream out;
  out << "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [";
  bool first = true;
  auto next = [&]() -> std::ostream& {
    out << (first ? "\n" : ",\n");
    first = false;
    return out;
  };
  auto us = [&](double t) { return (long long)((t - t0_) * 1e6); };
  for (auto& [key, pid] : pids) {
    next() << "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": " << pid << ", \"args\": {\"name\": ";
    json_string(out, "pool " + std::to_string(key.first) + " on " + key.second);
    out << "}}";
    next() << "{\"name\": \"process_sort_index\", \"ph\": \"M\", \"pid\": " << pid << ", \"args\": {\"sort_index\": " << pid << "}}";
  }
  for (auto& [pw, pid] : worker_pid) {
    next() << "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": " << pid << ", \"tid\": " << pw.second
           << ", \"args\": {\"name\": \"worker " << pw.second << "\"}}";
  }
  for (const Slice& s : slices_) {
    next() << "{\"name\": ";
    json_string(out, s.function);
    out << ", \"cat\": \"" << (s.ranks > 1 ? "mpi" : "task") << "\", \"ph\": \"X\", \"ts\": " << us(s.start)
        << ", \"dur\": " << std::max(1LL, (long long)(s.duration * 1e6)) << ", \"pid\": " << worker_pid[{s.pool, s.worker}]
        << ", \"tid\": " << s.worker;
    if (s.ranks > 1) out << ", \"cname\": \"rail_animation\"";
    out << ", \"args\": {\"task\": " << s.task << ", \"items\": " << s.items << ", \"result_bytes\": " << s.result_bytes
        << ", \"ok\": " << (s.ok ? "true" : "false") << ", \"ranks\": " << s.ranks;
    std::string call = call_of(s);
    if (!call.empty()) {
      out << ", \"call\": ";
      json_string(out, call);
    }
    out << "}}";
  }
  // Dependencies as flow events: from the end of the input's slice (rank 0 of an MPI task) to
  // the start of the slice of the task that took its result.
  std::map<uint64_t, const Slice*> first_slice;
  for (const Slice& s : slices_)
    if (s.rank == 0) first_slice.emplace(s.task, &s);
  uint64_t flow_id = 0;
  for (auto& [from, to] : edges_) {
    auto a = first_slice.find(from), b = first_slice.find(to);
    if (a == first_slice.end() || b == first_slice.end()) continue;
    ++flow_id;
    const Slice& x = *a->second;
    const Slice& y = *b->second;
    next() << "{\"name\": \"result of\", \"cat\": \"dependency\", \"ph\": \"s\", \"id\": " << flow_id
           << ", \"ts\": " << us(x.start + x.duration) - 1 << ", \"pid\": " << worker_pid[{x.pool, x.worker}]
           << ", \"tid\": " << x.worker << "}";
    next() << "{\"name\": \"result of\", \"cat\": \"dependency\", \"ph\": \"f\", \"bp\": \"e\", \"id\": " << flow_id
           << ", \"ts\": " << us(y.start) << ", \"pid\": " << worker_pid[{y.pool, y.worker}] << ", \"tid\": " << y.worker
           << ", \"args\": {\"from\": " << from << ", \"to\": " << to << "}}";
  }
  for (const Instant& i : instants_) {
    auto it = worker_pid.find({i.pool, i.worker});
    int pid = it != worker_pid.end() ? it->second : 0;
    next() << "{\"name\": ";
    json_string(out, i.name);
    out << ", \"cat\": \"driver\", \"ph\": \"i\", \"s\": \"" << (i.worker >= 0 ? "t" : "g") << "\", \"ts\": " << us(i.time)
        << ", \"pid\": " << pid;
    if (i.worker >= 0) out << ", \"tid\": " << i.worker;
    out << ", \"args\": {\"pool\": " << i.pool << ", \"detail\": ";
    json_string(out, i.detail);
    out << "}}";
  }
  out << "\n]}\n";
  return out.str();
}

std::string RunTrace::stats_text(double wall) const {
  std::lock_guard<std::mutex> lock(mutex_);
  struct Fn {
    size_t count = 0, failures = 0;
    double total = 0;
    std::vector<double> times;
  };
  std::map<std::string, Fn> fns;
  std::map<int, double> pool_busy;
  std::map<int, std::pair<double, double>> pool_span;  // first start, last end
  for (const Slice& s : slices_) {
    Fn& f = fns[s.function];
    if (s.ranks <= 1 || s.rank == 0) {  // an MPI task counts once
      f.count += s.items;
      f.failures += !s.ok;
      f.total += s.duration;
      double per_item = s.items > 0 ? s.duration / (double)s.items : s.duration;
      f.times.push_back(per_item);
    }
    pool_busy[s.pool] += s.duration;
    auto [it, fresh] = pool_span.try_emplace(s.pool, s.start, s.start + s.duration);
    if (!fresh) {
      it->second.first = std::min(it->second.first, s.start);
      it->second.second = std::max(it->second.second, s.start + s.duration);
    }
  }
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "wf stats: wall time %.3f s\n", wall);
  out << line;
  std::snprintf(line, sizeof line, "  %-22s %9s %11s %10s %10s %10s %9s\n", "function", "tasks", "total s", "mean ms",
                "p50 ms", "p99 ms", "failures");
  out << line;
  for (auto& [name, f] : fns) {
    std::sort(f.times.begin(), f.times.end());
    double mean = f.count ? f.total / (double)f.count : 0;
    std::snprintf(line, sizeof line, "  %-22s %9zu %11.3f %10.3f %10.3f %10.3f %9zu\n", name.c_str(), f.count, f.total,
                  mean * 1e3, quantile(f.times, 0.5) * 1e3, quantile(f.times, 0.99) * 1e3, f.failures);
    out << line;
  }
  for (auto& [pool, workers] : pool_workers_) {
    double span = wall;
    double busy = pool_busy.count(pool) ? pool_busy[pool] : 0;
    double share = workers > 0 && span > 0 ? std::min(1.0, busy / (workers * span)) : 0;
    std::snprintf(line, sizeof line, "  pool %d: %d worker%s, busy %.1f %%, idle %.1f %% (of the run's wall time)\n", pool,
                  workers, workers == 1 ? "" : "s", share * 100, (1 - share) * 100);
    out << line;
  }
  return out.str();
}

bool RunTrace::draw_svg(const std::string& dot_text, std::string& svg, std::string& why) {
  std::error_code ec;
  std::string pattern = (std::filesystem::temp_directory_path(ec) / "wf-graph-XXXXXX").string();
  if (ec || !::mkdtemp(pattern.data())) {
    why = "cannot make a temporary directory";
    return false;
  }
  std::string dir = pattern, dot_path = dir + "/graph.dot", svg_path = dir + "/graph.svg";
  bool ok = false;
  {
    std::ofstream f(dot_path);
    f << dot_text;
    ok = (bool)f.flush();
  }
  if (!ok) why = "cannot write " + dot_path;
  if (ok) {
    std::vector<std::string> args = {"dot", "-Tsvg", "-o", svg_path, dot_path};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    int status = 0;
    bool ran = ::posix_spawnp(&pid, "dot", nullptr, nullptr, argv.data(), environ) == 0 && ::waitpid(pid, &status, 0) == pid;
    ok = ran && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) why = std::string("Graphviz's `dot` ") + (ran ? "failed" : "is not installed (Debian package graphviz)");
  }
  if (ok) {
    std::ifstream in(svg_path);
    std::ostringstream text;
    text << in.rdbuf();
    svg = text.str();
  }
  std::remove(dot_path.c_str());
  std::remove(svg_path.c_str());
  ::rmdir(dir.c_str());
  return ok;
}

// DOT as is for a `.dot` path; anything else is rendered to SVG by Graphviz's `dot`.
bool RunTrace::write_graph(std::ostream& err) const {
  bool svg = !(graph_path_.size() >= 4 && graph_path_.compare(graph_path_.size() - 4, 4, ".dot") == 0);
  std::string text = graph_dot(), why;
  if (svg && !draw_svg(text, text, why)) {
    err << "wfc: cannot draw `" << graph_path_ << "`: " << why << "; a path ending in .dot gets the graph as DOT\n";
    return false;
  }
  std::ofstream f(graph_path_);
  f << text;
  if (!f.flush()) {
    err << "wfc: cannot write the graph `" << graph_path_ << "`\n";
    return false;
  }
  return true;
}

bool RunTrace::finish(double wall, std::ostream& err) {
  bool ok = true;
  if (!path_.empty()) {
    std::ofstream f(path_);
    f << trace_json();
    if (!f.flush()) {
      err << "wfc: cannot write the trace `" << path_ << "`\n";
      ok = false;
    }
  }
  if (!graph_path_.empty() && !write_graph(err)) ok = false;
  if (stats_) err << stats_text(wall);
  return ok;
}

}  // namespace wf::detail
