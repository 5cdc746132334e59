// The design notes for this module are atop task_runner.hpp.
#include "task/task_runner.hpp"

#include "value_codec.hpp"

namespace wf::detail {

namespace {

BatchOutcome malformed(uint64_t id, int worker, const std::string& why) {
  BatchOutcome out;
  out.id = id;
  out.ok = false;
  out.worker = worker;
  out.failed_item = 0;
  out.error.message = "malformed task: " + why;
  return out;
}

}  // namespace

std::string describe_call(const Manifest& manifest, int fn, const msgpack::object& args) {
  const ManifestFunction& f = manifest.functions[(size_t)fn];
  std::string out = f.name + "(";
  Context scratch(&manifest, 1);
  for (uint32_t i = 0; args.type == msgpack::type::ARRAY && i < args.via.array.size && i < f.params.size(); ++i) {
    if (i) out += ", ";
    Slot v;
    std::string text;
    if (unpack_value(scratch, f.params[i].type.c_str(), args.via.array.ptr[i], v))
      format_value_brief(text, f.params[i].type.c_str(), v, 40);
    else text = "?";
    out += text;
  }
  return out + ")";
}

BatchOutcome run_batch(const LoadedProgram& program, Context& ctx, int fn, const std::string& items, int worker,
                       int rank) {
  const Manifest& manifest = program.manifest();
  if (fn < 0 || fn >= (int)manifest.functions.size() || !program.entry(fn)) return malformed(0, worker, "no such function");
  const ManifestFunction& f = manifest.functions[(size_t)fn];
  EntryFn entry = program.entry(fn);

  thread_local msgpack::zone zone;
  msgpack::object batch;
  if (!read_batch(zone, items, batch)) return malformed(0, worker, "items are not a batch");

  BatchOutcome out;
  out.worker = worker;
  ResultsWriter results(batch.via.array.size);
  std::vector<Slot> args(f.params.size() + 1);
  for (uint32_t item = 0; item < batch.via.array.size; ++item) {
    const msgpack::object& call = batch.via.array.ptr[item];
    bool decoded = call.type == msgpack::type::ARRAY && call.via.array.size == f.params.size();
    for (size_t i = 0; decoded && i < f.params.size(); ++i)
      decoded = unpack_value(ctx, f.params[i].type.c_str(), call.via.array.ptr[i], args[i]);
    if (!decoded) return malformed(0, worker, "arguments do not match " + f.name);
    Slot result = 0;
    bool ok = run_guarded(ctx, [&] { result = entry(&ctx, args.data()); });
    if (!ok) {
      out.ok = false;
      out.failed_item = (int32_t)item;
      out.error = std::move(ctx.error);
      ctx.error = RuntimeError{};
      out.error.task = "in task " + describe_call(manifest, fn, call) + " on worker " + std::to_string(worker) +
                       (rank >= 0 ? " rank " + std::to_string(rank) : "");
      ctx.reset_memory();
      return out;
    }
    pack_value(results.buffer(), f.result.c_str(), result);
    ctx.reset_memory();
  }
  out.results = results.finish();
  return out;
}

}  // namespace wf::detail
