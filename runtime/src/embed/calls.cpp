// Calls: Pool::submit and Pool::map_async, and the futures they return.
//
// Why shaped so: a call is checked and encoded in one pass (value_bridge's to_slot, then
// stdlib/value_codec's pack_value), and the batch around the calls is written and read only
// through protocol/batch (the scheduler wraps a single call with single_call; a map writes
// its chunks with BatchWriter and reads their results with read_batch), so the embedding
// holds no knowledge of either format. Every type error is thrown before the first task is
// submitted. A result type is accepted by value_bridge's desc_matches, not compared as a
// string: the C++ side may ask for any record (wf::Record) or name a record's fields in
// another order (an adapted struct). Futures keep their program alive and reach its
// scheduler only through ProgramState::scheduler().
#include <algorithm>

#include "embed/errors.hpp"
#include "embed/program.hpp"
#include "embed/value_bridge.hpp"
#include "protocol/batch.hpp"
#include "value_codec.hpp"

namespace wf {

namespace detail {

struct MapState {
  std::shared_ptr<ProgramState> program;
  std::vector<FutureState*> batches;  // one per message, in input order
  size_t size = 0;                     // elements
  std::string function, result_type;
};

namespace {

void check_result_type(const std::string& function, const std::string& declared, const std::string& wanted) {
  if (!desc_matches(wanted.c_str(), declared.c_str()))
    throw TypeError("`" + function + "` returns `" + declared + "`, not `" + wanted + "`");
}

bool failed(const FutureState* f) { return f->state.load(std::memory_order_acquire) == FutureState::Failed; }

}  // namespace
}  // namespace detail

// ---- one task -----------------------------------------------------------------------------------

namespace detail {
namespace {
// TaskOptions against the function's declaration (LANGUAGE.md §18), as the compiler checks a flow's.
Resources checked_resources(const ManifestFunction& mf, const TaskOptions& o) {
  if (o.ranks < 0 || o.threads < 0) throw TypeError("`" + mf.name + "`: ranks and threads cannot be negative");
  if (o.ranks > 0 && mf.kind != "mpi")
    throw TypeError("`ranks` applies to an `mpi fn`; `" + mf.name + "` is a serial `fn` (use `threads` for cores)");
  if (o.ranks == 0 && mf.kind == "mpi" && mf.ranks == 0)
    throw TypeError("`" + mf.name + "` takes its rank count at submission: TaskOptions{.ranks = N}");
  return Resources{o.ranks, o.threads};
}
}  // namespace
}  // namespace detail

Future Pool::submit_values(const Function& f, std::vector<detail::Typed> args, const TaskOptions& options) const {
  const ManifestFunction& mf = detail::task_function(*state_, f.program_, f.index_);
  detail::Resources resources = detail::checked_resources(mf, options);
  if (args.size() != mf.params.size())
    throw TypeError("`" + mf.name + "` takes " + std::to_string(mf.params.size()) + " arguments, " +
                    std::to_string(args.size()) + " given");
  std::vector<std::string> encoded;
  encoded.reserve(args.size());
  {
    detail::Scratch scratch;
    for (size_t i = 0; i < args.size(); ++i) {
      const char* param = mf.params[i].type.c_str();
      detail::Slot slot = 0;
      std::string why;
      if (!detail::to_slot(scratch.ctx(), param, args[i].value, slot, why))
        throw TypeError("argument " + std::to_string(i + 1) + " of `" + mf.name + "`: " + why + " (`" + param +
                        "`), got `" + detail::describe(args[i].desc, args[i].value) + "`");
      encoded.push_back(detail::encode_value(param, slot));
    }
  }
  Future fut;
  fut.program_ = f.program_;
  fut.state_ = f.program_->scheduler().submit(state_->pool, {f.program_->id, f.index_}, std::move(encoded),
                                                    std::vector<detail::FutureState*>(args.size(), nullptr), resources);
  return fut;
}

bool Future::wait_for(double seconds) const { return program_->scheduler().wait_for(state_, seconds); }

bool Future::cancel() const { return program_->scheduler().cancel(state_); }

size_t wait_any(const std::vector<Future>& futures) {
  if (futures.empty()) throw Error("wf::wait_any of no futures would wait forever");
  std::vector<detail::FutureState*> states;
  for (const Future& f : futures) states.push_back(f.state_);
  return futures.front().program_->scheduler().wait_any(states);
}

void Future::wait() const { program_->scheduler().wait(state_); }

bool Future::done() const { return detail::Scheduler::is_done(state_); }

std::string Future::error() const {
  wait();
  return detail::failed(state_) ? state_->error->message : "";
}

Value Future::wait_value(const std::string& desc) const {
  if (!detail::desc_matches(desc.c_str(), state_->result_type))
    throw TypeError(std::string("the task returns `") + state_->result_type + "`, not `" + desc + "`");
  wait();
  if (detail::failed(state_)) detail::throw_task_error(*state_->error);
  detail::Scratch scratch;
  detail::Slot slot = 0;
  if (!detail::decode_value(scratch.ctx(), state_->result_type, state_->value, slot))
    throw ProtocolError(std::string("a task returned a malformed `") + state_->result_type + "`");
  return detail::from_slot(state_->result_type, slot);
}

// ---- map ----------------------------------------------------------------------------------------

MapFuture Pool::map_values(const Function& f, const std::string& item_desc, const Value& items,
                           const std::string* result_desc, const TaskOptions& options) const {
  const ManifestFunction& mf = detail::task_function(*state_, f.program_, f.index_);
  detail::Resources resources = detail::checked_resources(mf, options);
  int chunk = options.chunk;
  if (mf.params.size() != 1)
    throw TypeError("map needs a function of one argument; `" + mf.name + "` takes " + std::to_string(mf.params.size()));
  if (result_desc) detail::check_result_type(mf.name, mf.result, *result_desc);
  const char* param = mf.params[0].type.c_str();
  size_t per_batch = mf.kind == "mpi" ? 1 : (size_t)std::max(chunk, 1);
  std::vector<std::string> batches;
  batches.reserve((items.items.size() + per_batch - 1) / per_batch);
  for (size_t begin = 0; begin < items.items.size(); begin += per_batch) {
    size_t end = std::min(items.items.size(), begin + per_batch);
    detail::BatchWriter batch(end - begin, 16 * (end - begin) + 8);
    detail::Scratch scratch;  // one batch's Slot trees at a time
    for (size_t i = begin; i < end; ++i) {
      detail::Slot slot = 0;
      std::string why;
      if (!detail::to_slot(scratch.ctx(), param, items.items[i], slot, why))
        throw TypeError("items of map over `" + mf.name + "`: " + why + " (`" + param + "`), got `" +
                        detail::describe(item_desc, items.items[i]) + "`");
      batch.begin_call(1);
      detail::pack_value(batch.buffer(), param, slot);
    }
    batches.push_back(batch.finish());
  }
  auto state = std::make_shared<detail::MapState>();
  state->program = f.program_;
  state->size = items.items.size();
  state->function = mf.name;
  state->result_type = mf.result;
  state->batches = f.program_->scheduler().submit_batches(state_->pool, {f.program_->id, f.index_}, std::move(batches), resources);
  MapFuture out;
  out.state_ = std::move(state);
  return out;
}

void MapFuture::wait() const {
  detail::Scheduler& s = state_->program->scheduler();
  for (detail::FutureState* b : state_->batches) s.wait(b, /*spin=*/false);
}

bool MapFuture::done() const {
  return std::all_of(state_->batches.begin(), state_->batches.end(), detail::Scheduler::is_done);
}

std::string MapFuture::error() const {
  wait();
  for (detail::FutureState* b : state_->batches)
    if (detail::failed(b)) return b->error->message;
  return "";
}

size_t MapFuture::size() const { return state_->size; }

std::vector<Value> MapFuture::wait_values(const std::string& desc) const {
  detail::check_result_type(state_->function, state_->result_type, desc);
  detail::Scheduler& s = state_->program->scheduler();
  const char* result = state_->result_type.c_str();
  std::vector<Value> out;
  out.reserve(state_->size);
  for (detail::FutureState* b : state_->batches) {
    s.wait(b, /*spin=*/false);
    if (detail::failed(b)) detail::throw_task_error(*b->error);
    thread_local msgpack::zone zone;
    msgpack::object results;
    bool ok = detail::read_batch(zone, b->value, results) && out.size() + results.via.array.size <= state_->size;
    detail::Scratch scratch;
    for (uint32_t i = 0; ok && i < results.via.array.size; ++i) {
      detail::Slot slot = 0;
      ok = detail::unpack_value(scratch.ctx(), result, results.via.array.ptr[i], slot);
      if (ok) out.push_back(detail::from_slot(result, slot));
    }
    if (!ok) throw ProtocolError("a task of `" + state_->function + "` returned malformed results");
  }
  if (out.size() != state_->size) throw ProtocolError("a map over `" + state_->function + "` returned too few results");
  return out;
}

}  // namespace wf
