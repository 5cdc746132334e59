// Context, arena and the error path of compiled code (see context.hpp).
#include "context.hpp"

#include <cmath>
#include <cstdio>
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
    if (!p) out_of_memory(owner_, bytes);
    large_.push_back(p);
    return p;
  }
  if (!cursor_ || cursor_ + bytes > limit_) {
    if (used_ == blocks_.size()) {
      char* block = static_cast<char*>(std::malloc(kBlock));
      if (!block) out_of_memory(owner_, kBlock);
      blocks_.push_back(block);
    }
    cursor_ = blocks_[used_++];
    limit_ = cursor_ + kBlock;
  }
  void* p = cursor_;
  cursor_ += bytes;
  std::memset(p, 0, bytes);
  return p;
}

Arena::Mark Arena::mark() const {
  return {used_, used_ ? (size_t)(cursor_ - blocks_[used_ - 1]) : 0, large_.size(), in_use_};
}

void Arena::release(const Mark& m) {
  for (size_t i = m.large; i < large_.size(); ++i) std::free(large_[i]);
  if (large_.size() > m.large) large_.resize(m.large);
  // Blocks after the mark's become spare; beyond one spare they go back to malloc.
  for (size_t i = m.block + 1; i < blocks_.size(); ++i) std::free(blocks_[i]);
  if (blocks_.size() > m.block + 1) blocks_.resize(m.block + 1);
  used_ = m.block;
  cursor_ = used_ ? blocks_[used_ - 1] + m.offset : nullptr;
  limit_ = used_ ? blocks_[used_ - 1] + kBlock : nullptr;
  in_use_ = m.in_use;
}

void Arena::reset() { release(Mark{}); }

void* OwnedHeap::allocate(size_t bytes) {
  auto* h = static_cast<Header*>(std::calloc(1, sizeof(Header) + bytes));
  if (!h) out_of_memory(owner_, bytes);
  h->size = bytes;
  h->prev = nullptr;
  h->next = head_;
  if (head_) head_->prev = h;
  head_ = h;
  ++count_;
  return h + 1;
}

void* OwnedHeap::reallocate(void* p, size_t bytes) {
  if (!p) return allocate(bytes);
  Header* old = static_cast<Header*>(p) - 1;
  size_t old_size = old->size;
  Header* prev = old->prev;
  Header* next = old->next;
  auto* h = static_cast<Header*>(std::realloc(old, sizeof(Header) + bytes));
  if (!h) out_of_memory(owner_, bytes);
  if (bytes > old_size) std::memset(reinterpret_cast<char*>(h + 1) + old_size, 0, bytes - old_size);
  h->size = bytes;
  if (prev) prev->next = h;
  else head_ = h;
  if (next) next->prev = h;
  return h + 1;
}

void OwnedHeap::free(void* p) {
  if (!p) return;
  Header* h = static_cast<Header*>(p) - 1;
  if (h->prev) h->prev->next = h->next;
  else head_ = h->next;
  if (h->next) h->next->prev = h->prev;
  --count_;
  std::free(h);
}

size_t OwnedHeap::capacity(const void* p) { return (static_cast<const Header*>(p) - 1)->size; }

void OwnedHeap::free_all() {
  while (head_) {
    Header* next = head_->next;
    std::free(head_);
    head_ = next;
  }
  count_ = 0;
}

Context::Context(const Manifest* m, int64_t max_depth) : manifest(m) {
  site_storage.resize((size_t)max_depth);
  sites = site_storage.data();
  capacity = max_depth;
}

void Context::reset_memory() {
  arena.reset();
  regions.clear();
  owned.free_all();
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

void out_of_memory(Context* ctx, size_t bytes) {
  char message[96];
  std::snprintf(message, sizeof message, "out of memory: could not allocate %zu bytes (%.1f MiB)",
                bytes, (double)bytes / (1024.0 * 1024.0));
  raise(*ctx, -1, message);
}

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
