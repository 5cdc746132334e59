// The per-thread execution context of compiled wf code.
//
// Every compiled function receives a Context* as its hidden first argument. Its first three
// fields are read and written by compiled code directly (codegen.cpp: call_user) to keep a
// stack of call sites, so that a runtime error can list its frames without unwinding:
// `raise` turns the stack into "at f (file:line:col)" lines and longjmps back to the host
// frame that started the task or flow (no C++ exception ever crosses JIT-compiled frames).
//
// `try`/`catch` (LANGUAGE.md §16) is the same jump, to a jmp_buf in the compiled function's
// own frame instead of the host's: compiled code calls wf_try_enter, then _setjmp, and on the
// second return wf_try_catch, which restores the depth, the arena regions and the arena as
// they were at the `try`. The owned `var` trees of the frames the jump skips are found through
// `cleanups` (each compiled function of a program that uses `try` registers a record of its
// owned slots at its depth) and collected by `raise` before it jumps, while those frames'
// memory is still intact; wf_try_catch frees them.
//
// Memory (LANGUAGE.md §11; the whole scheme is in stdlib/ownership.hpp): immutable values and
// temporaries live in the context's arena (execution/memory.hpp), with nested regions (a loop
// iteration, a function call) that compiled code marks and releases; the values of `var`s
// live in the context's owned heap, one tree per variable. A task's arena and owned heap are
// emptied after each item, also after an error.
#pragma once

#include <atomic>
#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "execution/memory.hpp"
#include "execution/runtime_error.hpp"

namespace wf {
struct Manifest;
}

namespace wf::detail {

class TaskHost;       // flows: submit/map/... (runtime/src/driver)
class Communicator;   // mpi fn: the task's ranks (runtime/src/worker)
class OutputSink;     // where print() of a task goes (the driver's stdout, or the wire)

struct Context {
  // --- read and written by compiled code; keep first and in this order ---
  int64_t depth = 0;
  int64_t capacity = 0;
  int32_t* sites = nullptr;
  // cleanups[d]: the owned-slot record of the function running at depth d ({n, slot*, desc,
  // slot*, desc, ...}, or null); written only by programs that use `try`.
  const int64_t** cleanups = nullptr;
  // --- host side ---
  Arena arena{this};
  std::vector<Arena::Mark> regions;  // open regions of compiled code, innermost last
  OwnedHeap owned{this};
  std::vector<int32_t> site_storage;
  std::vector<const int64_t*> cleanup_storage;
  std::jmp_buf* on_error = nullptr;
  // The open `try`s of compiled code, innermost last.
  struct TryFrame {
    std::jmp_buf* handler;  // in the compiled frame
    std::jmp_buf* outer;    // on_error before the try
    int64_t depth;
    size_t regions;
    Arena::Mark mark;
  };
  std::vector<TryFrame> tries;
  // Owned trees of the frames a caught error jumped past, freed by wf_try_catch.
  std::vector<std::pair<uint64_t, const char*>> orphans;
  int exit_code = -1;  // set by exit(code) (LANGUAGE.md §19): the host ends the program with it
  RuntimeError error;
  const Manifest* manifest = nullptr;
  TaskHost* host = nullptr;
  Communicator* comm = nullptr;
  OutputSink* output = nullptr;
  // A notebook cell's flow: set when the user interrupts the cell. Compiled loops of the
  // cell's statements, `sleep` and task errors then end the flow (`interrupt_flow`); null
  // everywhere else (workers, `wfc run`), where nothing polls.
  const std::atomic<bool>* interrupt = nullptr;

  explicit Context(const Manifest* m, int64_t max_depth = 10000);
  // After a task item (or a failed one): every value the item made is gone.
  void reset_memory();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
};

// Ends the running task or flow with an error at location `loc` (a manifest location id).
[[noreturn]] void raise(Context& ctx, int64_t loc, std::string message);

// exit(code) in the driver: jumps to the host frame past every `try` (exit is not an error).
[[noreturn]] void exit_program(Context& ctx, int64_t code);

// Raises a task's error in the flow that waited for it at `loc` (in an interrupted cell:
// interrupt_flow instead).
[[noreturn]] void raise_task_error(Context& ctx, int64_t loc, const RuntimeError& task_error);

// Has the user interrupted the notebook cell this context runs?
inline bool interrupt_requested(const Context& ctx) {
  return ctx.interrupt && ctx.interrupt->load(std::memory_order_relaxed);
}

// Ends an interrupted cell's flow with the error "interrupted" at `loc`. An interrupt is not a
// runtime error of the program: like exit(), it jumps past every `try`, so that a cell whose
// loop catches its tasks' errors still stops.
[[noreturn]] void interrupt_flow(Context& ctx, int64_t loc);

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
