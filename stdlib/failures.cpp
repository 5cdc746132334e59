// The failures compiled code raises by itself (division by zero, an index out of range, a
// stack overflow, `fail(msg)`, a float that does not fit an int) and the arena allocation it
// calls: the C ABI side of execution/context's `raise`.
#include <cmath>
#include <string>

#include "abi.h"
#include "execution/context.hpp"
#include "values.hpp"

using namespace wf::detail;

extern "C" {

void wf_fail_msg(wf_ctx* ctx, int64_t loc, wf_str* msg) { raise(*ctx, loc, std::string(msg->view())); }

void wf_poll_interrupt(wf_ctx* ctx, int64_t loc) {
  if (interrupt_requested(*ctx)) interrupt_flow(*ctx, loc);
}

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
