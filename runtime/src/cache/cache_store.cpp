// The design notes for this module are atop cache_store.hpp.
#include "cache/cache_store.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>

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

void pack_bin(msgpack::packer<msgpack::sbuffer>& pk, const std::string& s) {
  pk.pack_bin((uint32_t)s.size());
  pk.pack_bin_body(s.data(), (uint32_t)s.size());
}

bool read_payload(const char* data, size_t size, CacheEntry& e) {
  try {
    msgpack::object_handle oh = msgpack::unpack(data, size);
    const msgpack::object& o = oh.get();
    if (o.type != msgpack::type::ARRAY || o.via.array.size != 5) return false;
    const msgpack::object* f = o.via.array.ptr;
    if (f[2].type != msgpack::type::BIN || f[3].type != msgpack::type::BOOLEAN) return false;
    e.ranks = f[0].as<int32_t>();
    e.threads = f[1].as<int32_t>();
    e.args.assign(f[2].via.bin.ptr, f[2].via.bin.size);
    e.ok = f[3].via.boolean;
    if (e.ok) {
      if (f[4].type != msgpack::type::BIN) return false;
      e.value.assign(f[4].via.bin.ptr, f[4].via.bin.size);
    } else {
      std::vector<std::string> lines = f[4].as<std::vector<std::string>>();
      if (lines.empty()) return false;
      e.error.message = lines[0];
      e.error.frames.assign(lines.begin() + 1, lines.end());
    }
    return true;
  } catch (const std::exception&) {
    return false;
  }
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
  msgpack::sbuffer buf;
  buf.write(std::string(kHeader, '\0').data(), kHeader);
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(5);
  pk.pack(e.ranks);
  pk.pack(e.threads);
  pack_bin(pk, e.args);
  pk.pack(e.ok);
  if (e.ok) {
    pack_bin(pk, e.value);
  } else {
    std::vector<std::string> lines{e.error.message};
    lines.insert(lines.end(), e.error.frames.begin(), e.error.frames.end());
    pk.pack(lines);
  }
  std::string out(buf.data(), buf.size());
  size_t payload = out.size() - kHeader;
  std::memcpy(&out[0], kMagic, 4);
  put_le(&out[4], payload, 4);
  put_le(&out[8], XXH3_64bits(out.data() + kHeader, payload), 8);
  return out;
}

namespace {

// The entry at `at` if it checks out (header, length, checksum, payload).
bool entry_at(std::string_view bytes, size_t at, CacheEntry& e, size_t& size) {
  if (bytes.size() - at < kHeader) return false;
  const char* p = bytes.data() + at;
  uint64_t length = get_le(p + 4, 4);
  if (std::memcmp(p, kMagic, 4) != 0 || length > kMaxEntry || kHeader + length > bytes.size() - at) return false;
  if (get_le(p + 8, 8) != XXH3_64bits(p + kHeader, length) || !read_payload(p + kHeader, length, e)) return false;
  size = kHeader + length;
  return true;
}

}  // namespace

std::vector<CacheEntry> decode_log(std::string_view bytes, std::vector<std::string>& problems) {
  std::vector<CacheEntry> out;
  size_t at = 0;
  while (at < bytes.size()) {
    CacheEntry e;
    size_t size;
    if (entry_at(bytes, at, e, size)) {
      out.push_back(std::move(e));
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
  return out;
}

std::string cache_root(const std::string& dir) { return dir + "/wf-cache-v1"; }

std::vector<CacheEntry> read_entries(const CacheFunction& fn, void (*warn)(const std::string&), uint64_t* bytes_out) {
  std::vector<CacheEntry> out;
  std::vector<fs::path> logs;
  std::error_code ec;
  for (auto& f : fs::directory_iterator(fn.directory, ec))
    if (f.path().extension() == ".log") logs.push_back(f.path());
  std::sort(logs.begin(), logs.end());
  for (auto& log : logs) {
    std::string bytes;
    if (!read_file_bytes(log.string(), bytes)) {
      if (warn) warn("cannot read " + log.string());
      continue;
    }
    if (bytes_out) *bytes_out += bytes.size();
    std::vector<std::string> problems;
    for (CacheEntry& e : decode_log(bytes, problems)) out.push_back(std::move(e));
    if (warn)
      for (auto& p : problems) warn(log.string() + ": ignored " + p);
  }
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
  for (CacheEntry& e : read_entries(c->fn_, warn)) c->index(std::move(e));
  return c;
}

FunctionCache::~FunctionCache() {
  if (log_fd_ >= 0) {
    ::fdatasync(log_fd_);
    ::close(log_fd_);
  }
}

Hash128 FunctionCache::key(int32_t ranks, int32_t threads, std::string_view args) {
  Hasher h;
  h.add((int64_t)ranks).add((int64_t)threads).add(args);
  return h.digest();
}

void FunctionCache::index(CacheEntry&& e) {
  Hash128 k = key(e.ranks, e.threads, e.args);
  entries_.try_emplace(k, std::make_unique<CacheEntry>(std::move(e)));  // the first one written wins
}

const CacheEntry* FunctionCache::find(int32_t ranks, int32_t threads, std::string_view args) {
  Hash128 k = key(ranks, threads, args);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(k);
  if (it == entries_.end()) return nullptr;
  const CacheEntry& e = *it->second;
  if (e.ranks != ranks || e.threads != threads || e.args != args) return nullptr;  // a collision
  return &e;
}

bool FunctionCache::store(std::vector<CacheEntry> entries) {
  std::string bytes;
  for (const CacheEntry& e : entries) bytes += encode_entry(e);
  std::lock_guard<std::mutex> lock(mutex_);
  if (log_fd_ < 0) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
    std::string path = fn_.directory + "/" + host_name() + "-" + std::to_string(::getpid()) + "-" +
                       std::to_string(ns.count()) + ".log";
    log_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd_ < 0) {
      if (warn_) warn_("cannot create " + path + ": " + std::strerror(errno));
      return false;
    }
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(log_fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (warn_) warn_("cannot append to the cache of " + fn_.name + ": " + std::strerror(errno));
      return false;
    }
    done += (size_t)n;
  }
  for (CacheEntry& e : entries) index(std::move(e));
  return true;
}

size_t FunctionCache::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace wf::detail
