// The batch: what one Task message asks a worker to run and what its Done message brings back
// (RUNTIME.md "Messages"). Every producer and reader of batches goes through this module:
// `submit` (a batch of one call), `map` (a chunk of calls), the embedding API, the task
// runner on the worker, and the scheduler that unwraps a single result.
//
//   items   = [call, ...]     call = [arg, ...]     (each arg encoded by stdlib/value_codec)
//   results = [result, ...]   one per call, in order
//
// A batch of one call is the common case and costs no re-encoding: its items are the array
// header, the call header and the argument bytes as they were encoded; its single result is
// read in place from the results (no decode and re-encode of the value).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

#include "execution/runtime_error.hpp"

namespace wf::detail {

// Arguments up to this size travel to every rank of an MPI task in its Task message, so the
// ranks start without waiting for each other; larger ones go to rank 0, which broadcasts them.
constexpr size_t kInlineArguments = 512;

// What came back for one batch, from a worker (or the in-process executor).
struct BatchOutcome {
  uint64_t id = 0;
  bool ok = true;
  std::string results;   // the batch's results (when ok)
  RuntimeError error;    // when !ok: the failing item's error, `task` line filled in
  int32_t failed_item = -1;
  int32_t worker = 0;
  int32_t rank = -1;     // MPI tasks: the reporting rank within the task
  bool aborted = false;  // MPI tasks: this rank stopped because another rank failed
};

// Writes the items of a batch: `calls` calls, each opened by `begin_call` and followed by its
// arguments written into `buffer()` (stdlib/value_codec's pack_value), or given as one
// encoded tuple by `tuple_call` (a tuple encodes as its fields: exactly an argument list).
class BatchWriter {
 public:
  explicit BatchWriter(size_t calls, size_t reserve = 0);
  void begin_call(size_t args);
  msgpack::sbuffer& buffer() { return buf_; }
  std::string finish() const { return std::string(buf_.data(), buf_.size()); }

 private:
  msgpack::sbuffer buf_;
  msgpack::packer<msgpack::sbuffer> pk_;
};

// The items of a batch of one call from its already encoded arguments.
std::string single_call(const std::vector<std::string>& encoded_args);

// The results of a batch, written one value at a time by the task runner.
class ResultsWriter {
 public:
  explicit ResultsWriter(size_t results);
  msgpack::sbuffer& buffer() { return buf_; }
  std::string finish() const { return std::string(buf_.data(), buf_.size()); }

 private:
  msgpack::sbuffer buf_;
};

// The one encoded value of a batch of one result, or false if `results` is not that.
bool single_result(std::string_view results, std::string& value);

// The encoded elements of a batch's items or results (calls, or results), as views into
// `bytes`, without decoding them; false if `bytes` is not one msgpack array. A batch of one
// is taken as its header and the rest (that rest is not checked to be one whole value).
bool split_batch(std::string_view bytes, std::vector<std::string_view>& out);
// An array of already encoded elements: the inverse of split_batch.
std::string join_batch(const std::vector<std::string_view>& elements);

// Decodes a batch's items or results into `out` (an array), using `zone` (cleared first and
// reused). False if the bytes are not a msgpack array.
bool read_batch(msgpack::zone& zone, std::string_view bytes, msgpack::object& out);

}  // namespace wf::detail
