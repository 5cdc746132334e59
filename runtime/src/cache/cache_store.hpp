// The result cache on disk (docs/cache.md): what a task returned, stored per function so that a
// re-run, or a run resumed after its driver was killed, does not compute it again.
//
//   DIR/wf-cache-v1/                      the format's version is the directory's name
//     <function>-<identity>/              one directory per compiled identity of a function
//       meta                              msgpack map: format, function, identity, params, result
//       <host>-<pid>-<nanoseconds>.log    entries appended by one process, never rewritten
//
// An entry is a 16-byte header ("WFCE", payload length u32 LE, XXH3-64 of the payload u64 LE)
// and a msgpack payload [ranks, threads, arguments (bin), ok, result (bin) or error]. Each
// process appends to a log of its own (created O_EXCL), one write() per round of entries, so
// concurrent runs on one directory never write the same file, and a SIGKILL leaves whole
// entries behind (a torn last one at worst, which its length or checksum gives away). A
// reader takes every log of the directory; an entry that fails the checks is reported and
// skipped, never used. A hit compares the stored arguments byte for byte, so a hash collision
// is a miss, never a wrong value. Logs are fdatasync'ed when the run closes them: durable
// against a killed process at once, against power loss from then on.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "execution/runtime_error.hpp"
#include "cache/flat_index.hpp"
#include "hash/hash128.hpp"

namespace wf::detail {

struct CacheEntry {
  int32_t ranks = 1, threads = 1;
  std::string args;   // the call's encoded argument array
  bool ok = true;
  std::string value;  // encoded result (ok)
  RuntimeError error; // (!ok) message and frames
};

// What a function directory's meta says.
struct CacheFunction {
  std::string name, identity, result;
  std::vector<std::pair<std::string, std::string>> params;  // name, type descriptor
  std::string directory;
};

// Reading and writing one function's entries. Thread-safe: the flow thread looks up while
// the pool's I/O thread appends.
//
// Entries live as their encoded bytes in chunks (a log as read, or one flush of this process's
// entries), and the index points into them: an entry costs no allocation of its own, a flush
// adds its bytes without copying, and a lookup copies only the result it returns.
class FunctionCache {
 public:
  // Opens (creating if needed) the directory of `fn` under `root` (DIR/wf-cache-v1) and reads
  // every entry there. Problems (corrupt entries, unreadable files) go to `warn`.
  static std::unique_ptr<FunctionCache> open(const std::string& root, const CacheFunction& fn,
                                             void (*warn)(const std::string&));
  ~FunctionCache();

  // The stored outcome of these arguments and resources into `out` (value, or ok=false and
  // the error); false if there is none.
  bool find(int32_t ranks, int32_t threads, std::string_view args, CacheEntry& out);
  // Gathers an entry: `value` is an encoded result (ok) ...
  void append(int32_t ranks, int32_t threads, std::string_view args, std::string_view value);
  // ... or a failure.
  void append_error(int32_t ranks, int32_t threads, std::string_view args, const RuntimeError& error);
  // Writes everything gathered with one write() and makes it findable (an entry is found
  // only once it is on disk). False (said through `warn`) if the log cannot be written.
  bool flush();
  size_t size();

 private:
  struct Slot {
    uint64_t args_at = 0, value_at = 0;  // offsets into chunk `chunk` (pending_ before flush)
    uint32_t args_len = 0, value_len = 0, chunk = 0;
    int32_t ranks = 1, threads = 1;
    bool ok = true;                      // else value is the encoded [message, frames...]
  };
  FunctionCache() = default;
  static Hash128 key(int32_t ranks, int32_t threads, std::string_view args);
  void index_locked(const Slot& s);
  std::string_view bytes_at(uint32_t chunk, uint64_t at, uint32_t len) const {
    return std::string_view(chunks_[chunk].data() + at, len);
  }
  void append_encoded(int32_t ranks, int32_t threads, std::string_view args, bool ok, std::string_view value);

  CacheFunction fn_;
  void (*warn_)(const std::string&) = nullptr;
  std::mutex index_mutex_;  // chunks_, index_
  std::deque<std::string> chunks_;  // a deque: adding one moves none of the others
  FlatIndex<Slot> index_;
  std::mutex pending_mutex_;  // pending_, pending_slots_, log_fd_
  std::string pending_;
  std::vector<Slot> pending_slots_;
  int log_fd_ = -1;
};

// Reading a cache directory as a whole (`wfc cache ls/show/clear`).
std::string cache_root(const std::string& dir);  // DIR/wf-cache-v1
// Every function directory under `dir`, with its entries when `entries` is given (the same
// checks as a run's). Problems go to `warn`.
std::vector<CacheFunction> list_cache(const std::string& dir, void (*warn)(const std::string&));
// The valid entries of one function directory, in the order they were written.
std::vector<CacheEntry> read_entries(const CacheFunction& fn, void (*warn)(const std::string&), uint64_t* bytes = nullptr);

// Encoding of one entry (header + payload), and decoding of a log's bytes; exposed for tests.
std::string encode_entry(const CacheEntry& e);
// Entries of `bytes` (a log file's contents); each problem is a message in `problems`.
std::vector<CacheEntry> decode_log(std::string_view bytes, std::vector<std::string>& problems);

}  // namespace wf::detail
