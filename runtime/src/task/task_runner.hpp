// Runs a batch of calls of one compiled function: the unit of work a worker receives.
// A batch is `submit`'s single call or a chunk of a `map`; its format is protocol/batch.hpp's,
// its values stdlib/value_codec.hpp's. Shared by every executor, so
// a task behaves the same in the driver and on a worker.
#pragma once

#include <cstdint>
#include <string>

#include "execution/context.hpp"
#include "jit/loader.hpp"
#include "protocol/batch.hpp"

namespace wf::detail {

// `items` are a batch's items (protocol/batch.hpp). `ctx` is reused across batches; its arena
// is reset after each item.
BatchOutcome run_batch(const LoadedProgram& program, Context& ctx, int fn, const std::string& items, int worker,
                       int rank = -1);

// "f(3, [1, 2])", arguments shortened, for "in task ..." lines.
std::string describe_call(const Manifest& manifest, int fn, const msgpack::object& args);

}  // namespace wf::detail
