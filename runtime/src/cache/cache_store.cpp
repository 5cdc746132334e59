// The design notes for this module are atop cache_store.hpp.
#include "cache/cache_store.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>

#include "machine.hpp"
#include "object/wfo.hpp"

namespace wf::detail {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[4] = {'W', 'F', 'C', 'E'};
constexpr size_t kHeader = 16;
constexpr uint32_t kMaxEntry = 1u << 30;
constexpr int kMetaFormat = 1;

void put_le(char* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = (char)(v >> (8 * i));
}
uint64_t get_le(const char* in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= (uint64_t)(unsigned char)in[i] << (8 * i);
  return v;
}


// A payload's fields as views into `data` (bins are referenced, not copied).
struct PayloadView {
  int32_t ranks = 1, threads = 1;
  std::string_view args, value;  // value: result (ok) or the encoded [message, frames...]
  bool ok = true;
};

bool reference_bins(msgpack::type::object_type type, std::size_t, void*) { return type == msgpack::type::BIN; }

bool read_payload(const char* data, size_t size, PayloadView& v) {
  try {
    msgpack::object_handle oh = msgpack::unpack(data, size, reference_bins);
    const msgpack::object& o = oh.get();
    if (o.type != msgpack::type::ARRAY || o.via.array.size != 5) return false;
    const msgpack::object* f = o.via.array.ptr;
    if (f[2].type != msgpack::type::BIN || f[3].type != msgpack::type::BOOLEAN) return false;
    v.ranks = f[0].as<int32_t>();
    v.threads = f[1].as<int32_t>();
    v.args = std::string_view(f[2].via.bin.ptr, f[2].via.bin.size);
    v.ok = f[3].via.boolean;
    if (f[4].type != msgpack::type::BIN) return false;
    v.value = std::string_view(f[4].via.bin.ptr, f[4].via.bin.size);
    if (!v.ok) {
      msgpack::object_handle lines = msgpack::unpack(v.value.data(), v.value.size());
      if (lines.get().as<std::vector<std::string>>().empty()) return false;
    }
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string error_bytes(const RuntimeError& error) {
  std::vector<std::string> lines{error.message};
  lines.insert(lines.end(), error.frames.begin(), error.frames.end());
  msgpack::sbuffer buf;
  msgpack::pack(buf, lines);
  return std::string(buf.data(), buf.size());
}

RuntimeError error_of(std::string_view bytes) {
  RuntimeError e;
  try {
    msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
    std::vector<std::string> lines = oh.get().as<std::vector<std::string>>();
    if (!lines.empty()) e.message = lines[0];
    if (lines.size() > 1) e.frames.assign(lines.begin() + 1, lines.end());
  } catch (const std::exception&) {
    e.message = "(an unreadable cached error)";
  }
  return e;
}

CacheEntry entry_of(const PayloadView& v) {
  CacheEntry e;
  e.ranks = v.ranks, e.threads = v.threads, e.ok = v.ok;
  e.args.assign(v.args);
  if (v.ok) e.value.assign(v.value);
  else e.error = error_of(v.value);
  return e;
}

// msgpack by hand for the hot path: a non-negative int, a bin header.
void put_uint(std::string& out, uint32_t v) {
  if (v < 128) {
    out += (char)v;
    return;
  }
  out += (char)0xce;
  for (int i = 3; i >= 0; --i) out += (char)(v >> (8 * i));
}
void put_bin_header(std::string& out, size_t n) {
  if (n < 256) {
    out += (char)0xc4;
    out += (char)n;
  } else if (n < 65536) {
    out += (char)0xc5;
    out += (char)(n >> 8);
    out += (char)n;
  } else {
    out += (char)0xc6;
    for (int i = 3; i >= 0; --i) out += (char)(n >> (8 * i));
  }
}

// Appends one entry to `out`; the offsets of its args and value within `out` are returned.
void encode_into(std::string& out, int32_t ranks, int32_t threads, std::string_view args, bool ok,
                 std::string_view value, uint64_t& args_at, uint64_t& value_at) {
  size_t start = out.size();
  out.append(kHeader, '\0');
  out += (char)0x95;
  put_uint(out, (uint32_t)std::max(ranks, 0));
  put_uint(out, (uint32_t)std::max(threads, 0));
  put_bin_header(out, args.size());
  args_at = out.size();
  out.append(args);
  out += ok ? (char)0xc3 : (char)0xc2;
  put_bin_header(out, value.size());
  value_at = out.size();
  out.append(value);
  size_t payload = out.size() - start - kHeader;
  std::memcpy(&out[start], kMagic, 4);
  put_le(&out[start + 4], payload, 4);
  put_le(&out[start + 8], XXH3_64bits(out.data() + start + kHeader, payload), 8);
}

std::string meta_bytes(const CacheFunction& fn) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(5);
  pk.pack("format"), pk.pack(kMetaFormat);
  pk.pack("function"), pk.pack(fn.name);
  pk.pack("identity"), pk.pack(fn.identity);
  pk.pack("params"), pk.pack(fn.params);
  pk.pack("result"), pk.pack(fn.result);
  return std::string(buf.data(), buf.size());
}

bool read_meta(const std::string& dir, CacheFunction& fn, std::string& problem) {
  std::string bytes;
  if (!read_file_bytes(dir + "/meta", bytes)) {
    problem = "no readable meta file";
    return false;
  }
  try {
    msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
    std::map<std::string, msgpack::object> m = oh.get().as<std::map<std::string, msgpack::object>>();
    if (!m.count("format") || m["format"].as<int>() != kMetaFormat) {
      problem = "meta of another format";
      return false;
    }
    fn.name = m.at("function").as<std::string>();
    fn.identity = m.at("identity").as<std::string>();
    fn.params = m.at("params").as<std::vector<std::pair<std::string, std::string>>>();
    fn.result = m.at("result").as<std::string>();
  } catch (const std::exception&) {
    problem = "corrupt meta file";
    return false;
  }
  fn.directory = dir;
  return true;
}

// Writes `bytes` to `path` atomically (a temporary file renamed over it).
bool write_atomically(const std::string& path, const std::string& bytes) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  if (!write_file_bytes(tmp, bytes)) return false;
  std::error_code ec;
  fs::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

std::string encode_entry(const CacheEntry& e) {
  std::string out;
  uint64_t a, v;
  encode_into(out, e.ranks, e.threads, e.args, e.ok, e.ok ? std::string_view(e.value) : std::string_view(error_bytes(e.error)), a, v);
  return out;
}

namespace {

// The entry at `at` if it checks out (header, length, checksum, payload).
bool entry_at(std::string_view bytes, size_t at, PayloadView& e, size_t& size) {
  if (bytes.size() - at < kHeader) return false;
  const char* p = bytes.data() + at;
  uint64_t length = get_le(p + 4, 4);
  if (std::memcmp(p, kMagic, 4) != 0 || length > kMaxEntry || kHeader + length > bytes.size() - at) return false;
  if (get_le(p + 8, 8) != XXH3_64bits(p + kHeader, length) || !read_payload(p + kHeader, length, e)) return false;
  size = kHeader + length;
  return true;
}

// Calls `take(path, bytes)` with each log of a function directory, oldest name first.
template <typename Take>
void for_each_log(const std::string& dir, void (*warn)(const std::string&), Take take) {
  std::vector<fs::path> logs;
  std::error_code ec;
  for (auto& f : fs::directory_iterator(dir, ec))
    if (f.path().extension() == ".log") logs.push_back(f.path());
  std::sort(logs.begin(), logs.end());
  for (auto& log : logs) {
    std::string bytes;
    if (!read_file_bytes(log.string(), bytes)) {
      if (warn) warn("cannot read " + log.string());
      continue;
    }
    take(log.string(), bytes);
  }
}

// Calls `take` with each entry of `bytes` that checks out; each problem is a message.
template <typename Take>
void scan_log(std::string_view bytes, std::vector<std::string>& problems, Take take) {
  size_t at = 0;
  while (at < bytes.size()) {
    PayloadView e;
    size_t size;
    if (entry_at(bytes, at, e, size)) {
      take(e);
      at += size;
      continue;
    }
    // Resynchronise on the next entry that checks out. Without one, an entry whose header
    // promises more bytes than there are is the torn end of a log whose writer was killed
    // (or is still writing); anything else is damage.
    size_t next = at + 1;
    for (; next < bytes.size(); ++next)
      if (bytes[next] == kMagic[0] && entry_at(bytes, next, e, size)) break;
    size_t left = bytes.size() - at;
    bool torn = next >= bytes.size() &&
                (left < kHeader || (std::memcmp(bytes.data() + at, kMagic, 4) == 0 &&
                                    kHeader + get_le(bytes.data() + at + 4, 4) > left));
    problems.push_back((torn ? "an incomplete entry at byte " : "a corrupt entry at byte ") + std::to_string(at) +
                       (torn ? " (the run writing it was killed, or is still writing)" : ""));
    at = next;
  }
}

}  // namespace

std::vector<CacheEntry> decode_log(std::string_view bytes, std::vector<std::string>& problems) {
  std::vector<CacheEntry> out;
  scan_log(bytes, problems, [&](const PayloadView& v) { out.push_back(entry_of(v)); });
  return out;
}

std::string cache_root(const std::string& dir) { return dir + "/wf-cache-v1"; }

std::vector<CacheEntry> read_entries(const CacheFunction& fn, void (*warn)(const std::string&), uint64_t* bytes_out) {
  std::vector<CacheEntry> out;
  for_each_log(fn.directory, warn, [&](const std::string& log, std::string& bytes) {
    if (bytes_out) *bytes_out += bytes.size();
    std::vector<std::string> problems;
    for (CacheEntry& e : decode_log(bytes, problems)) out.push_back(std::move(e));
    if (warn)
      for (auto& p : problems) warn(log + ": ignored " + p);
  });
  return out;
}

std::vector<CacheFunction> list_cache(const std::string& dir, void (*warn)(const std::string&)) {
  std::vector<CacheFunction> out;
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (auto& d : fs::directory_iterator(cache_root(dir), ec))
    if (d.is_directory()) dirs.push_back(d.path());
  std::sort(dirs.begin(), dirs.end());
  for (auto& d : dirs) {
    CacheFunction fn;
    std::string problem;
    if (read_meta(d.string(), fn, problem)) out.push_back(std::move(fn));
    else if (warn) warn(d.string() + ": ignored (" + problem + ")");
  }
  return out;
}

// ---- FunctionCache ------------------------------------------------------------------------------

std::unique_ptr<FunctionCache> FunctionCache::open(const std::string& root, const CacheFunction& fn,
                                                   void (*warn)(const std::string&)) {
  std::unique_ptr<FunctionCache> c(new FunctionCache());
  c->fn_ = fn;
  c->warn_ = warn;
  c->fn_.directory = root + "/" + fn.name + "-" + fn.identity;
  std::error_code ec;
  fs::create_directories(c->fn_.directory, ec);
  if (ec) {
    if (warn) warn("cannot create " + c->fn_.directory + ": " + ec.message());
    return nullptr;
  }
  CacheFunction existing;
  std::string problem;
  if (!read_meta(c->fn_.directory, existing, problem) || existing.identity != fn.identity) {
    if (!write_atomically(c->fn_.directory + "/meta", meta_bytes(c->fn_))) {
      if (warn) warn("cannot write " + c->fn_.directory + "/meta");
      return nullptr;
    }
  }
  for_each_log(c->fn_.directory, warn, [&](const std::string& log, std::string& bytes) {
    c->chunks_.push_back(std::move(bytes));
    uint32_t chunk = (uint32_t)c->chunks_.size() - 1;
    std::string_view all(c->chunks_.back());
    std::vector<std::string> problems;
    scan_log(all, problems, [&](const PayloadView& v) {
      Slot slot;
      slot.ranks = v.ranks, slot.threads = v.threads, slot.ok = v.ok, slot.chunk = chunk;
      slot.args_at = (uint64_t)(v.args.data() - all.data()), slot.args_len = (uint32_t)v.args.size();
      slot.value_at = (uint64_t)(v.value.data() - all.data()), slot.value_len = (uint32_t)v.value.size();
      c->index_locked(slot);
    });
    if (warn)
      for (auto& p : problems) warn(log + ": ignored " + p);
  });
  return c;
}

FunctionCache::~FunctionCache() {
  flush();
  if (log_fd_ >= 0) {
    ::fdatasync(log_fd_);
    ::close(log_fd_);
  }
}

Hash128 FunctionCache::key(int32_t ranks, int32_t threads, std::string_view args) {
  XXH128_hash_t h = XXH3_128bits_withSeed(args.data(), args.size(), (uint64_t)(uint32_t)ranks << 32 | (uint32_t)threads);
  return {h.high64, h.low64};
}

void FunctionCache::index_locked(const Slot& s) {
  index_.insert(key(s.ranks, s.threads, bytes_at(s.chunk, s.args_at, s.args_len)), s);  // the first one written wins
}

bool FunctionCache::find(int32_t ranks, int32_t threads, std::string_view args, CacheEntry& out) {
  Hash128 k = key(ranks, threads, args);
  std::lock_guard<std::mutex> lock(index_mutex_);
  const Slot* found = index_.find(k);
  if (!found) return false;
  const Slot& s = *found;
  if (s.ranks != ranks || s.threads != threads || bytes_at(s.chunk, s.args_at, s.args_len) != args)
    return false;  // a collision
  out.ok = s.ok;
  std::string_view value = bytes_at(s.chunk, s.value_at, s.value_len);
  if (s.ok) out.value.assign(value);
  else out.error = error_of(value);
  return true;
}

void FunctionCache::append_encoded(int32_t ranks, int32_t threads, std::string_view args, bool ok, std::string_view value) {
  std::lock_guard<std::mutex> lock(pending_mutex_);
  Slot s;
  s.ranks = ranks, s.threads = threads, s.ok = ok;
  s.args_len = (uint32_t)args.size(), s.value_len = (uint32_t)value.size();
  encode_into(pending_, ranks, threads, args, ok, value, s.args_at, s.value_at);
  pending_slots_.push_back(s);
}

void FunctionCache::append(int32_t ranks, int32_t threads, std::string_view args, std::string_view value) {
  append_encoded(ranks, threads, args, true, value);
}

void FunctionCache::append_error(int32_t ranks, int32_t threads, std::string_view args, const RuntimeError& error) {
  append_encoded(ranks, threads, args, false, error_bytes(error));
}

bool FunctionCache::flush() {
  std::lock_guard<std::mutex> lock(pending_mutex_);
  if (pending_slots_.empty()) return true;
  if (log_fd_ < 0) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
    std::string path = fn_.directory + "/" + host_name() + "-" + std::to_string(::getpid()) + "-" +
                       std::to_string(ns.count()) + ".log";
    log_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd_ < 0) {
      if (warn_) warn_("cannot create " + path + ": " + std::strerror(errno));
      pending_.clear(), pending_slots_.clear();
      return false;
    }
  }
  bool written = true;
  for (size_t done = 0; done < pending_.size();) {
    ssize_t n = ::write(log_fd_, pending_.data() + done, pending_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (warn_) warn_("cannot append to the cache of " + fn_.name + ": " + std::strerror(errno));
      written = false;
      break;
    }
    done += (size_t)n;
  }
  if (written) {
    uint32_t chunk;
    {
      std::lock_guard<std::mutex> index_lock(index_mutex_);
      chunks_.push_back(std::move(pending_));
      chunk = (uint32_t)chunks_.size() - 1;
    }
    // A few entries per lock, so that a lookup of the flow thread never waits for a whole burst.
    for (size_t i = 0; i < pending_slots_.size();) {
      std::lock_guard<std::mutex> index_lock(index_mutex_);
      for (size_t end = std::min(pending_slots_.size(), i + 32); i < end; ++i) {
        pending_slots_[i].chunk = chunk;
        index_locked(pending_slots_[i]);
      }
    }
  }
  pending_ = std::string();
  pending_slots_.clear();
  return written;
}

size_t FunctionCache::size() {
  std::lock_guard<std::mutex> lock(index_mutex_);
  return index_.size();
}

}  // namespace wf::detail
