// The design notes for this module are atop notebook_session.hpp.
#include "notebook/notebook_session.hpp"

#include <pthread.h>
#include <semaphore.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "driver/flow_host.hpp"
#include "driver/run_main.hpp"
#include "jit/loader.hpp"
#include "launch/launcher.hpp"
#include "driver/run_trace.hpp"
#include "notebook/cell_display.hpp"
#include "notebook/cell_magics.hpp"
#include "notebook/cell_text.hpp"
#include "output.hpp"
#include "session/cell_compiler.hpp"
#include "value_codec.hpp"
#include "values.hpp"

namespace wf::notebook {

using namespace wf::detail;

namespace {

// What the runtime's threads hand to the thread that runs `execute`.
struct Event {
  enum Kind { Output, Progress } kind = Output;
  std::string stream, text;
  std::string id;
  size_t done = 0, total = 0;
  bool finished = false;
};

// Everything any thread produces goes through one queue; `execute` delivers it.
class EventQueue : public OutputSink, public MapProgress {
 public:
  void write(int stream, std::string_view text) override {
    Event e;
    e.stream = stream == 2 ? "stderr" : "stdout";
    e.text = std::string(text);
    push(std::move(e));
  }
  int begin(const std::string& function, size_t total) override {
    int id = next_map_.fetch_add(1);
    std::lock_guard<std::mutex> lock(mutex_);
    maps_[id] = function;
    Event e;
    e.kind = Event::Progress;
    e.id = display_id(id);
    e.total = total;
    e.text = "map(" + function + ") 0/" + std::to_string(total);
    events_.push_back(std::move(e));
    cv_.notify_all();
    return id;
  }
  void update(int id, size_t done, size_t total) override {
    Event e;
    e.kind = Event::Progress;
    e.id = display_id(id);
    e.done = done;
    e.total = total;
    e.text = "map(" + function_of(id) + ") " + std::to_string(done) + "/" + std::to_string(total);
    push(std::move(e));
  }
  void end(int id, size_t done, size_t total, double seconds, bool failed) override {
    Event e;
    e.kind = Event::Progress;
    e.id = display_id(id);
    e.done = done;
    e.total = total;
    e.finished = true;
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.3f s, %.0f items/s", seconds, seconds > 0 ? done / seconds : 0.0);
    e.text = "map(" + function_of(id) + "): " + std::to_string(done) + "/" + std::to_string(total) + " items" +
             (failed ? " (stopped by an error)" : "") + " in " + rate;
    push(std::move(e));
  }

  // Waits up to `timeout` for events; returns those there are.
  std::deque<Event> take(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return !events_.empty() || woken_; });
    woken_ = false;
    return std::exchange(events_, {});
  }
  void wake() {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
    cv_.notify_all();
  }

 private:
  std::string display_id(int id) const { return "wf-map-" + std::to_string(getpid()) + "-" + std::to_string(id); }
  std::string function_of(int id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return maps_[id];
  }
  void push(Event e) {
    std::lock_guard<std::mutex> lock(mutex_);
    events_.push_back(std::move(e));
    cv_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Event> events_;
  bool woken_ = false;
  std::atomic<int> next_map_{1};
  std::map<int, std::string> maps_;
};

// A cell variable's value between cells: encoded (a future or a pool as its address).
struct StoredValue {
  std::string desc;
  std::string bytes;
  Pool* pool = nullptr;  // held for as long as the variable is the pool
};

// Runs `body` on a thread with a large stack (deeply nested cells compile recursively, as
// compiler.cpp explains) and returns at once; `join` waits for it.
class BigStackThread {
 public:
  explicit BigStackThread(std::function<void()> body) : body_(std::move(body)) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, size_t(1) << 30);
    started_ = pthread_create(&thread_, &attr, [](void* p) -> void* {
                 static_cast<BigStackThread*>(p)->body_();
                 return nullptr;
               }, this) == 0;
    pthread_attr_destroy(&attr);
    if (!started_) body_();
  }
  ~BigStackThread() { join(); }
  void join() {
    if (started_) pthread_join(thread_, nullptr);
    started_ = false;
  }

 private:
  std::function<void()> body_;
  pthread_t thread_{};
  bool started_ = false;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Unique among the processes of one machine and the sessions of one process: it names the
// JIT the cells share in every process that loads them.
std::string unique_session_name() {
  static std::atomic<int> sessions{0};
  return "wf" + std::to_string(getpid()) + "s" + std::to_string(sessions.fetch_add(1));
}

}  // namespace

struct Session::State : public CellValues {
  SessionOptions options;
  CellCompiler compiler;
  ProgramSet programs;
  EventQueue events;
  PoolOptions pool;
  std::unique_ptr<Scheduler> scheduler;
  TaskHost host;
  std::vector<int32_t> defined_in;  // by function index: the program with its code (TaskHost)
  std::map<int, StoredValue> values;  // by slot
  // The running cell's hand-overs (applied only if it ends well).
  std::map<int, StoredValue> kept;
  bool has_shown = false;
  std::string shown_text, shown_html;

  std::atomic<bool> running{false};
  std::atomic<bool> interrupted{false};
  sem_t interrupt_sem;
  std::atomic<bool> closing{false};
  std::thread interrupter;

  explicit State(SessionOptions o)
      : options(std::move(o)), compiler(unique_session_name(), options.opt_level) {
    pool.workers = options.workers > 0 ? options.workers : (int)std::max(1u, std::thread::hardware_concurrency());
    if (!options.launcher.empty()) parse_launcher(options.launcher, pool.launcher);
    scheduler = std::make_unique<Scheduler>(programs, pool, executor_factory(programs));
    host.scheduler = scheduler.get();
    host.pool_defaults = pool;
    host.map_progress = &events;
    host.cell = this;
    host.defined_in = &defined_in;
    redirect_process_output(&events);
    RunTrace::for_notebook();  // before any pool starts, so that every pool reports its size
    sem_init(&interrupt_sem, 0, 0);
    interrupter = std::thread([this] {
      while (true) {
        while (sem_wait(&interrupt_sem) != 0) {
        }
        if (closing.load()) return;
        if (running.load()) {
          interrupted.store(true);
          scheduler->interrupt();
        }
      }
    });
  }

  ~State() override {
    closing.store(true);
    sem_post(&interrupt_sem);
    interrupter.join();
    for (auto& [slot, v] : values)
      if (v.pool) scheduler->release(v.pool);
    scheduler->shutdown();
    redirect_process_output(nullptr);
    sem_destroy(&interrupt_sem);
  }

  void keep(int variable, const char* desc, uint64_t value) override {
    if (variable < 0) {
      has_shown = true;
      shown_text.clear();
      format_value(shown_text, desc, value, true);
      shown_html = html_of(desc, value);
      return;
    }
    StoredValue v;
    v.desc = desc;
    v.bytes = encode_value(desc, value);
    if (v.desc == "P" && value) {
      v.pool = reinterpret_cast<Pool*>(value);
      scheduler->hold(v.pool);
    }
    kept[variable] = std::move(v);
  }

  void deliver(CellEvents& out, std::deque<Event>&& batch) {
    for (Event& e : batch) {
      if (e.kind == Event::Output) out.output(e.stream, e.text);
      else out.progress(e.id, e.done, e.total, e.finished, e.text);
    }
  }

  // The pictures the cell's magics asked for, from what `trace` recorded while it ran.
  void draw(const RunTrace& trace, const CellMagics& magics, CellResult& result) {
    if (magics.stats) result.stats = trace.stats_text(result.run_ms / 1e3);
    if (!magics.graph) return;
    std::string dot = trace.graph_dot(), why;
    if (!RunTrace::draw_svg(dot, result.graph_svg, why)) {
      result.graph_dot = dot;
      events.write(2, "note: cannot draw the task graph: " + why + "; it is shown as DOT\n");
    }
  }

  // Runs the compiled cell's flow on this thread; fills `result` if it fails.
  void run(const CompiledCell& cell, const LoadedProgram& program, int32_t id, CellResult& result) {
    const Manifest& manifest = program.manifest();
    Context ctx(&manifest);
    TaskHost cell_host = host;
    cell_host.manifest = &manifest;
    cell_host.program = id;
    ctx.host = &cell_host;
    ctx.output = &events;
    ctx.interrupt = &interrupted;
    std::vector<Slot> args(cell.inputs.size() + 1, 0);
    for (size_t i = 0; i < cell.inputs.size(); ++i) {
      const StoredValue& v = values.at(cell.inputs[i]);
      if (!decode_value(ctx, v.desc.c_str(), v.bytes, args[i])) {
        result.status = CellResult::RuntimeError;
        result.ename = "RuntimeError";
        result.evalue = "the value of `" + compiler.slots()[(size_t)cell.inputs[i]].name + "` could not be restored";
        result.traceback = {result.evalue};
        return;
      }
    }
    EntryFn entry = program.entry(cell.flow);
    Slot* slots = args.data();
    bool ok = run_guarded(ctx, [&] { entry(&ctx, slots); });
    if (ok) return;
    if (ctx.exit_code >= 0) {
      result.status = CellResult::RuntimeError;
      result.ename = "Exit";
      result.evalue = "exit(" + std::to_string(ctx.exit_code) + ")";
      result.traceback = {result.evalue};
      return;
    }
    bool interrupt = interrupted.load() && ctx.error.message == "interrupted";
    result.status = interrupt ? CellResult::Interrupted : CellResult::RuntimeError;
    result.ename = interrupt ? "Interrupted" : ctx.error.task.empty() ? "RuntimeError" : "TaskError";
    result.evalue = ctx.error.message;
    result.traceback = lines_of(ctx.error.render());
  }
};

Session::Session(SessionOptions options) : state_(std::make_unique<State>(std::move(options))) {}

Session::~Session() = default;

void Session::interrupt() {
  sem_post(&state_->interrupt_sem);  // async-signal-safe; the interrupter thread does the rest
}

CellResult Session::execute(int number, const std::string& code, CellEvents& out) {
  State& s = *state_;
  CellResult result;
  s.deliver(out, s.events.take(std::chrono::milliseconds(0)));  // what earlier cells' tasks printed since
  s.kept.clear();
  s.has_shown = false;
  s.interrupted.store(false);
  s.running.store(true);
  std::atomic<bool> finished{false};
  BigStackThread cell([&] {
    CompiledCell compiled;
    std::ostringstream diagnostics;
    std::string source = code, magic_error;
    CellMagics magics;
    if (!take_magics(source, "cell[" + std::to_string(number) + "]", magics, magic_error)) {
      result.status = CellResult::CompileError;
      result.ename = "CompileError";
      result.evalue = magic_error;
      result.traceback = {magic_error};
    } else if (!s.compiler.compile(number, source, compiled, diagnostics)) {
      result.status = CellResult::CompileError;
      result.ename = "CompileError";
      result.traceback = lines_of(diagnostics.str());
      result.evalue = result.traceback.empty() ? "the cell does not compile" : result.traceback.front();
    } else {
      std::string error;
      std::unique_ptr<LoadedProgram> loaded = LoadedProgram::load(compiled.object, error);
      if (!loaded) {
        result.status = CellResult::CompileError;
        result.ename = "LinkError";
        result.evalue = "cannot load the cell: " + error;
        result.traceback = {result.evalue};
      } else {
        s.compiler.commit_declarations(compiled);
        for (const std::string& note : compiled.notes) s.events.write(2, note + "\n");
        int32_t id = s.programs.add(std::move(loaded));
        for (int fn : compiled.defines) {
          if ((size_t)fn >= s.defined_in.size()) s.defined_in.resize((size_t)fn + 1, -1);
          s.defined_in[(size_t)fn] = id;
        }
        result.front_end_ms = compiled.front_end_ms;
        result.codegen_ms = compiled.codegen_ms;
        RunTrace* trace = magics.any() ? &RunTrace::for_notebook() : nullptr;
        if (trace) trace->begin_cell();
        auto started = std::chrono::steady_clock::now();
        s.run(compiled, s.programs.program(id), id, result);
        result.run_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        if (trace) {
          trace->end_cell();
          s.draw(*trace, magics, result);
        }
        if (result.status == CellResult::Ok) {
          for (auto& [slot, v] : s.kept) s.values[slot] = std::move(v);
          s.kept.clear();
          // A cell that ended early (`return;`) handed over nothing: it binds nothing.
          compiled.binds.erase(std::remove_if(compiled.binds.begin(), compiled.binds.end(),
                                              [&](int slot) { return !s.values.count(slot); }),
                               compiled.binds.end());
          std::vector<int> superseded;
          for (int slot : compiled.binds) {
            int old = s.compiler.variable(s.compiler.slots()[(size_t)slot].name);
            if (old >= 0 && old != slot) superseded.push_back(old);
          }
          s.compiler.commit_variables(compiled);
          for (int old : superseded) {
            auto it = s.values.find(old);
            if (it == s.values.end()) continue;
            if (it->second.pool) s.scheduler->release(it->second.pool);
            s.values.erase(it);
          }
          if (s.has_shown) {
            result.has_value = true;
            result.text = s.shown_text;
            result.html = s.shown_html;
          }
        }
      }
    }
    for (auto& [slot, v] : s.kept)
      if (v.pool) s.scheduler->release(v.pool);
    s.kept.clear();
    flush_process_output();
    finished.store(true);
    s.events.wake();
  });
  while (!finished.load()) s.deliver(out, s.events.take(std::chrono::milliseconds(50)));
  cell.join();
  s.running.store(false);
  s.deliver(out, s.events.take(std::chrono::milliseconds(0)));
  return result;
}

Completion Session::complete(const std::string& code, size_t cursor) const {
  std::vector<std::string> names;
  for (const SessionName& n : state_->compiler.names()) names.push_back(n.name);
  return complete_names(code, cursor, names);
}

std::string Session::inspect(const std::string& code, size_t cursor) const {
  std::string word = word_at(code, cursor);
  if (word.empty()) return "";
  for (const SessionName& n : state_->compiler.names())
    if (n.name == word) return n.signature + (n.doc.empty() ? "" : "\n\n" + n.doc);
  return builtin_help(word);
}

std::string Session::is_complete(const std::string& code, std::string& indent) const {
  return completeness(code, indent);
}

}  // namespace wf::notebook
