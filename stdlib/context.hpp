// The per-thread execution context of compiled wf code.
//
// Every compiled function receives a Context* as its hidden first argument. Its first three
// fields are read and written by compiled code directly (codegen.cpp: call_user) to keep a
// stack of call sites, so that a runtime error can list its frames without unwinding:
// `raise` turns the stack into "at f (file:line:col)" lines and longjmps back to the host
// frame that started the task or flow (no C++ exception ever crosses JIT-compiled frames).
//
// Memory (LANGUAGE.md §11; the whole scheme is in ownership.hpp): immutable values and
// temporaries live in the context's arena, a bump allocator with nested regions (a loop
// iteration, a function call) that compiled code marks and releases; the values of `var`s
// live in the context's owned heap, one tree per variable. A task's arena and owned heap are
// emptied after each item, also after an error.
#pragma once

#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wf {
struct Manifest;
}

namespace wf::detail {

struct Context;

// Ends the running task or flow with "out of memory" when malloc refuses `bytes`: an error
// with frames, like any other, instead of an abort that only says "signal 6".
[[noreturn]] void out_of_memory(Context* ctx, size_t bytes);

class Arena {
 public:
  // Where the arena stood: everything allocated after it is given back by `release`.
  struct Mark {
    size_t block = 0;   // blocks_ in use (the current one is block - 1)
    size_t offset = 0;  // bytes used in the current block
    size_t large = 0;   // large_ entries
    size_t in_use = 0;
  };

  explicit Arena(Context* owner) : owner_(owner) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();
  void* allocate(size_t bytes);  // 8-byte aligned, zeroed
  void reset();
  size_t bytes_in_use() const { return in_use_; }
  Mark mark() const;
  void release(const Mark& m);  // keeps one spare block, so a loop does not malloc per turn

 private:
  Context* owner_;
  std::vector<char*> blocks_;  // [0, used_) in use, the rest spare
  size_t used_ = 0;
  std::vector<void*> large_;
  char* cursor_ = nullptr;
  char* limit_ = nullptr;
  size_t in_use_ = 0;
};

// The values of `var`s: blocks from malloc, linked into their context's list so that an
// error (which longjmps past the code that would free them) loses none of them.
class OwnedHeap {
 public:
  explicit OwnedHeap(Context* owner) : owner_(owner) {}
  OwnedHeap(const OwnedHeap&) = delete;
  OwnedHeap& operator=(const OwnedHeap&) = delete;
  ~OwnedHeap() { free_all(); }
  void* allocate(size_t bytes);                 // zeroed
  void* reallocate(void* p, size_t bytes);      // keeps the contents; new bytes zeroed
  void free(void* p);                           // null is fine
  static size_t capacity(const void* p);        // usable bytes of a block
  void free_all();
  size_t blocks() const { return count_; }

 private:
  struct Header {
    Header* prev;
    Header* next;
    size_t size;
  };
  Context* owner_;
  Header* head_ = nullptr;
  size_t count_ = 0;
};

struct RuntimeError {
  std::string message;
  std::vector<std::string> frames;  // "at f (file:line:col)", innermost first
  std::string task;                 // "in task f(3) on worker 1", empty for the flow itself
  std::vector<std::string> flow_frames;  // for a task error raised in a flow: the flow's frames
  std::string render() const;       // "error: ...\n  at ...\n" as LANGUAGE.md §9 prints it
};

class TaskHost;       // flows: submit/map/... (runtime/src/driver)
class Communicator;   // mpi fn: the task's ranks (runtime/src/worker)
class OutputSink;     // where print() of a task goes (the driver's stdout, or the wire)

struct Context {
  // --- read and written by compiled code; keep first and in this order ---
  int64_t depth = 0;
  int64_t capacity = 0;
  int32_t* sites = nullptr;
  // --- host side ---
  Arena arena{this};
  std::vector<Arena::Mark> regions;  // open regions of compiled code, innermost last
  OwnedHeap owned{this};
  std::vector<int32_t> site_storage;
  std::jmp_buf* on_error = nullptr;
  RuntimeError error;
  const Manifest* manifest = nullptr;
  TaskHost* host = nullptr;
  Communicator* comm = nullptr;
  OutputSink* output = nullptr;

  explicit Context(const Manifest* m, int64_t max_depth = 10000);
  // After a task item (or a failed one): every value the item made is gone.
  void reset_memory();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
};

// Ends the running task or flow with an error at location `loc` (a manifest location id).
[[noreturn]] void raise(Context& ctx, int64_t loc, std::string message);

// Raises a task's error in the flow that waited for it at `loc`.
[[noreturn]] void raise_task_error(Context& ctx, int64_t loc, const RuntimeError& task_error);

// Runs `body` so that `raise` returns here: true if it finished, false if it raised (the
// error is in ctx.error). `body` must not hold C++ objects with destructors across JIT calls.
template <typename F>
bool run_guarded(Context& ctx, F&& body);

bool run_guarded_impl(Context& ctx, void (*fn)(void*), void* arg);

template <typename F>
bool run_guarded(Context& ctx, F&& body) {
  return run_guarded_impl(ctx, [](void* p) { (*static_cast<F*>(p))(); }, &body);
}

}  // namespace wf::detail
