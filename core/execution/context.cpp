// Context and the error path of compiled code (see context.hpp).
#include "execution/context.hpp"

#include <cstdio>
#include <cstdlib>

#include "object/wfo.hpp"

namespace wf::detail {

Context::Context(const Manifest* m, int64_t max_depth) : manifest(m) {
  site_storage.resize((size_t)max_depth);
  sites = site_storage.data();
  cleanup_storage.resize((size_t)max_depth + 1);
  cleanups = cleanup_storage.data();
  capacity = max_depth;
}

void Context::reset_memory() {
  arena.reset();
  regions.clear();
  owned.free_all();
  tries.clear();
  orphans.clear();
}

namespace {
std::vector<std::string> current_frames(const Context& ctx, int64_t loc) {
  std::vector<std::string> frames;
  if (!ctx.manifest) return frames;
  if (loc >= 0) frames.push_back(ctx.manifest->frame((int)loc));
  for (int64_t i = ctx.depth - 1; i >= 0; --i) frames.push_back(ctx.manifest->frame(ctx.sites[i]));
  return frames;
}

// When the jump goes to a compiled `try`: the owned trees of the frames deeper than the try's
// (they end here) are kept for wf_try_catch to free.
void collect_orphans(Context& ctx) {
  if (ctx.tries.empty() || ctx.on_error != ctx.tries.back().handler) return;
  for (int64_t d = ctx.tries.back().depth + 1; d <= ctx.depth && d < (int64_t)ctx.cleanup_storage.size(); ++d) {
    const int64_t* record = ctx.cleanups[d];
    if (!record) continue;
    for (int64_t i = 0; i < record[0]; ++i) {
      auto* slot = reinterpret_cast<uint64_t*>(record[1 + 2 * i]);
      if (*slot) ctx.orphans.push_back({*slot, reinterpret_cast<const char*>(record[2 + 2 * i])});
      *slot = 0;
    }
  }
}

[[noreturn]] void unwind(Context& ctx) {
  collect_orphans(ctx);
  ctx.depth = 0;
  if (!ctx.on_error) {
    std::fputs(ctx.error.render().c_str(), stderr);
    std::abort();
  }
  std::longjmp(*ctx.on_error, 1);
}
}  // namespace

void out_of_memory(Context* ctx, size_t bytes) {
  char message[96];
  std::snprintf(message, sizeof message, "out of memory: could not allocate %zu bytes (%.1f MiB)",
                bytes, (double)bytes / (1024.0 * 1024.0));
  raise(*ctx, -1, message);
}

void raise(Context& ctx, int64_t loc, std::string message) {
  ctx.error = RuntimeError{};
  ctx.error.message = std::move(message);
  std::string().swap(message);  // the longjmp below never runs this parameter's destructor
  ctx.error.frames = current_frames(ctx, loc);
  unwind(ctx);
}

namespace {
// exit() and an interrupt: every open `try` is dropped, so the jump goes to the host frame.
// The owned trees of the frames it skips are not collected: they stay in ctx.owned, freed
// with the context (or the process ends).
void leave_every_try(Context& ctx) {
  if (!ctx.tries.empty()) ctx.on_error = ctx.tries.front().outer;
  ctx.tries.clear();
  ctx.orphans.clear();
  ctx.depth = 0;
}
}  // namespace

void exit_program(Context& ctx, int64_t code) {
  ctx.exit_code = (int)(code & 0xff);
  ctx.error = RuntimeError{};
  leave_every_try(ctx);
  if (!ctx.on_error) std::exit(ctx.exit_code);
  std::longjmp(*ctx.on_error, 1);
}

void interrupt_flow(Context& ctx, int64_t loc) {
  ctx.error = RuntimeError{};
  ctx.error.message = "interrupted";
  ctx.error.frames = current_frames(ctx, loc);
  leave_every_try(ctx);
  if (!ctx.on_error) {
    std::fputs(ctx.error.render().c_str(), stderr);
    std::abort();
  }
  std::longjmp(*ctx.on_error, 1);
}

void raise_task_error(Context& ctx, int64_t loc, const RuntimeError& task_error) {
  if (interrupt_requested(ctx)) interrupt_flow(ctx, loc);
  ctx.error = task_error;
  ctx.error.flow_frames = current_frames(ctx, loc);
  unwind(ctx);
}

bool run_guarded_impl(Context& ctx, void (*fn)(void*), void* arg) {
  std::jmp_buf here;
  std::jmp_buf* outer = ctx.on_error;
  int64_t depth = ctx.depth;
  ctx.on_error = &here;
  if (setjmp(here) != 0) {
    ctx.on_error = outer;
    ctx.depth = depth;
    return false;
  }
  fn(arg);
  ctx.on_error = outer;
  return true;
}

}  // namespace wf::detail
