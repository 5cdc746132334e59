// `try`/`catch` (LANGUAGE.md §16), the C ABI half; the design is atop execution/context.hpp.
//
// Compiled code brackets a try block with these calls around its own _setjmp:
//   token = wf_try_enter(ctx, &buf); if (_setjmp(buf) == 0) { body; wf_try_leave(ctx, token); }
//   else { e = wf_try_catch(ctx, token); catch body }
// A `return`, `break` or `continue` out of the body leaves through wf_try_leave as well.
#include <string>

#include "abi.h"
#include "execution/context.hpp"
#include "ownership.hpp"
#include "values.hpp"

using namespace wf::detail;

extern "C" {

int64_t wf_try_enter(wf_ctx* ctx, void* handler) {
  auto* buf = static_cast<std::jmp_buf*>(handler);
  ctx->tries.push_back({buf, ctx->on_error, ctx->depth, ctx->regions.size(), ctx->arena.mark()});
  ctx->on_error = buf;
  return (int64_t)ctx->tries.size() - 1;
}

void wf_try_leave(wf_ctx* ctx, int64_t token) {
  ctx->on_error = ctx->tries[(size_t)token].outer;
  ctx->tries.resize((size_t)token);
}

// After the jump: the state of the `try` comes back, the skipped frames' trees are freed, and
// the error's message (its first line) is the caught value.
wf_str* wf_try_catch(wf_ctx* ctx, int64_t token) {
  Context::TryFrame frame = ctx->tries[(size_t)token];
  ctx->tries.resize((size_t)token);
  ctx->on_error = frame.outer;
  ctx->depth = frame.depth;
  ctx->regions.resize(frame.regions);
  ctx->arena.release(frame.mark);
  for (auto& [tree, desc] : ctx->orphans) disown_value(*ctx, desc, tree);
  ctx->orphans.clear();
  std::string message = ctx->error.message.substr(0, ctx->error.message.find('\n'));
  ctx->error = RuntimeError{};
  return make_str(*ctx, message);
}

}  // extern "C"
