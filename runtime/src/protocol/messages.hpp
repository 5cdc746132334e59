// The messages between the driver and its workers (RUNTIME.md "Messages and security").
//
// Every message is one msgpack map with a protocol version "v" and an explicit kind "k";
// the other keys depend on the kind, and unknown keys are ignored so fields can be added.
// `decode` validates everything it reads: a malformed or foreign frame yields false and is
// dropped by the caller, never a crash and never code run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "execution/context.hpp"

namespace wf::detail {

constexpr int kProtocolVersion = 1;

enum class MsgKind : uint8_t {
  Hello = 1,    // worker -> driver: I am up (worker, pid, host, world, world_rank, world_size)
  Object,       // driver -> worker: a compiled object's bytes, as program `program`
  Ready,        // worker -> driver: program `program` loaded (or !ok with error.message)
  Task,         // driver -> worker: run batch `id` of `fn` of `program` (items; MPI: ranks)
  Output,       // worker -> driver: whole lines printed by task `id` (stream 1/2)
  Done,         // worker -> driver: batch `id` finished (results or error); MPI: per rank
  Heartbeat,    // both ways, on the heartbeat sockets
  Shutdown,     // driver -> worker: exit now
  Bundle,       // either way: several whole messages in `bytes`, one after the other
  Withdraw,     // driver -> worker, heartbeat socket: do not start task `id` (`seq`)
  Withdrawn,    // worker -> driver, heartbeat socket: task `id` will never start here
  WithdrawRefused,  // worker -> driver, heartbeat socket: task `id` has started; its result will come
};

struct Message {
  MsgKind kind = MsgKind::Heartbeat;
  uint64_t id = 0;
  int32_t program = 0;           // Object/Ready/Task: which program (driver/program_set.hpp)
  int32_t fn = -1;
  std::string bytes;             // Object: object; Task: items; Done: results; Output: text
  int32_t stream = 1;
  bool ok = true;
  RuntimeError error;            // Done/Ready when !ok
  int32_t failed_item = -1;
  std::vector<int32_t> ranks;    // Task: world ranks of an MPI task, leader first
  int32_t generation = 0;        // Task: which communicator of that rank set to use (MPI)
  uint64_t seq = 0;              // Task/Withdraw: the task's number among those sent to this worker
  int32_t threads = 1;           // Task: OMP_NUM_THREADS for the task (LANGUAGE.md §18)
  bool aborted = false;          // Done: this rank stopped because another rank failed
  int32_t worker = -1;           // Hello/Done/Heartbeat: the sender's worker number
  int32_t rank = -1;             // Done: the sender's rank within the task (MPI)
  uint32_t busy_us = 0;          // Done: how long the batch ran on the worker
  uint64_t clock_us = 0;         // Hello: the sender's monotonic clock; Done: when the batch started
  int32_t pid = 0;
  int32_t world = 0, world_rank = 0, world_size = 1;
  std::string host;
};

std::string encode(const Message& m);
bool decode(const void* data, size_t size, Message& out);

// One frame for many messages: fine-grained tasks cost one ZeroMQ message (and one wake-up)
// per bundle instead of per task. A bundle of one is sent as the message itself.
std::string encode_bundle(const std::vector<std::string>& encoded);
// Decodes every message of a bundle into `out`; false if any part is malformed.
bool decode_bundle(const std::string& bytes, std::vector<Message>& out);

}  // namespace wf::detail
