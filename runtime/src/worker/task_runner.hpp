// Runs a batch of calls of one compiled function: the unit of work a worker receives.
// A batch is `submit`'s single call or a chunk of a `map`; its items are encoded argument
// lists, its results encoded values (stdlib/value_codec.hpp). Shared by every executor, so
// a task behaves the same in the driver and on a worker.
#pragma once

#include <cstdint>
#include <string>

#include "context.hpp"
#include "jit/loader.hpp"

namespace wf::detail {

struct BatchOutcome {
  uint64_t id = 0;
  bool ok = true;
  std::string results;   // msgpack array: one encoded value per item (when ok)
  RuntimeError error;    // when !ok: the failing item's error, `task` line filled in
  int32_t failed_item = -1;
  int32_t worker = 0;
  int32_t rank = -1;     // MPI tasks: the reporting rank within the task
  bool aborted = false;  // MPI tasks: this rank stopped because another rank failed
};

// `items` is a msgpack array of argument arrays. `ctx` is reused across batches; its arena
// is reset after each item.
BatchOutcome run_batch(const LoadedProgram& program, Context& ctx, int fn, const std::string& items, int worker,
                       int rank = -1);

// "f(3, [1, 2])", arguments shortened, for "in task ..." lines.
std::string describe_call(const Manifest& manifest, int fn, const msgpack::object& args);

}  // namespace wf::detail
