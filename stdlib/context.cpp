// Context, arena and the error path of compiled code (see context.hpp).
#include "context.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "abi.h"
#include "object/wfo.hpp"
#include "values.hpp"

namespace wf::detail {

namespace {
constexpr size_t kBlock = 256 * 1024;
constexpr size_t kLarge = 32 * 1024;
}  // namespace

Arena::~Arena() {
  for (char* b : blocks_) std::free(b);
  for (void* p : large_) std::free(p);
}

void* Arena::allocate(size_t bytes) {
  bytes = (bytes + 7) & ~size_t(7);
  if (bytes == 0) bytes = 8;
  in_use_ += bytes;
  if (bytes >= kLarge) {
    void* p = std::calloc(1, bytes);
    if (!p) std::abort();
    large_.push_back(p);
    return p;
  }
  if (!cursor_ || cursor_ + bytes > limit_) {
    char* block = static_cast<char*>(std::malloc(kBlock));
    if (!block) std::abort();
    blocks_.push_back(block);
    cursor_ = block;
    limit_ = block + kBlock;
  }
  void* p = cursor_;
  cursor_ += bytes;
  std::memset(p, 0, bytes);
  return p;
}

void Arena::reset() {
  // Keep the first block for the next task; give the rest back.
  for (size_t i = 1; i < blocks_.size(); ++i) std::free(blocks_[i]);
  if (blocks_.size() > 1) blocks_.resize(1);
  for (void* p : large_) std::free(p);
  large_.clear();
  cursor_ = blocks_.empty() ? nullptr : blocks_[0];
  limit_ = blocks_.empty() ? nullptr : blocks_[0] + kBlock;
  in_use_ = 0;
}

Context::Context(const Manifest* m, int64_t max_depth) : manifest(m) {
  site_storage.resize((size_t)max_depth);
  sites = site_storage.data();
  capacity = max_depth;
}

std::string RuntimeError::render() const {
  std::string out = "error: " + message + "\n";
  for (const std::string& f : frames) out += "  " + f + "\n";
  if (!task.empty()) out += "  " + task + "\n";
  for (const std::string& f : flow_frames) out += "  " + f + "\n";
  return out;
}

namespace {
std::vector<std::string> current_frames(const Context& ctx, int64_t loc) {
  std::vector<std::string> frames;
  if (!ctx.manifest) return frames;
  if (loc >= 0) frames.push_back(ctx.manifest->frame((int)loc));
  for (int64_t i = ctx.depth - 1; i >= 0; --i) frames.push_back(ctx.manifest->frame(ctx.sites[i]));
  return frames;
}

[[noreturn]] void unwind(Context& ctx) {
  ctx.depth = 0;
  if (!ctx.on_error) {
    std::fputs(ctx.error.render().c_str(), stderr);
    std::abort();
  }
  std::longjmp(*ctx.on_error, 1);
}
}  // namespace

void raise(Context& ctx, int64_t loc, std::string message) {
  ctx.error = RuntimeError{};
  ctx.error.message = std::move(message);
  ctx.error.frames = current_frames(ctx, loc);
  unwind(ctx);
}

void raise_task_error(Context& ctx, int64_t loc, const RuntimeError& task_error) {
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

using namespace wf::detail;

extern "C" {

void wf_fail_msg(wf_ctx* ctx, int64_t loc, wf_str* msg) { raise(*ctx, loc, std::string(msg->view())); }

void wf_fail_div(wf_ctx* ctx, int64_t loc) { raise(*ctx, loc, "division by zero"); }

void wf_fail_index(wf_ctx* ctx, int64_t loc, int64_t index, int64_t len) {
  raise(*ctx, loc, "index " + std::to_string(index) + " out of range for length " + std::to_string(len));
}

void wf_fail_stack(wf_ctx* ctx, int64_t loc) {
  raise(*ctx, loc, "stack overflow: calls nested more than " + std::to_string(ctx->capacity) + " deep");
}

int64_t wf_float_to_int(wf_ctx* ctx, int64_t loc, double x) {
  if (std::isnan(x)) raise(*ctx, loc, "cannot convert nan to int");
  double t = std::trunc(x);
  if (!(t >= -9223372036854775808.0 && t < 9223372036854775808.0))
    raise(*ctx, loc, "cannot convert " + format_float(x) + " to int: out of range");
  return (int64_t)t;
}

void* wf_alloc(wf_ctx* ctx, int64_t bytes) { return ctx->arena.allocate((size_t)bytes); }

}  // extern "C"
