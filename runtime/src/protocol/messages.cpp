// The design notes for this module are atop messages.hpp.
#include "protocol/messages.hpp"

#include "value_codec.hpp"

#define MSGPACK_NO_BOOST 1
#include <msgpack.hpp>

#include <cstring>

namespace wf::detail {

namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

void key(Packer& pk, const char* k) {
  size_t n = std::strlen(k);
  pk.pack_str((uint32_t)n);
  pk.pack_str_body(k, (uint32_t)n);
}
void str(Packer& pk, const std::string& s) {
  pk.pack_str((uint32_t)s.size());
  pk.pack_str_body(s.data(), (uint32_t)s.size());
}
void bin(Packer& pk, const std::string& s) {
  pk.pack_bin((uint32_t)s.size());
  pk.pack_bin_body(s.data(), (uint32_t)s.size());
}
void strings(Packer& pk, const std::vector<std::string>& v) {
  pk.pack_array((uint32_t)v.size());
  for (auto& s : v) str(pk, s);
}

bool get_int(const msgpack::object& o, int64_t& out) {
  if (o.type == msgpack::type::POSITIVE_INTEGER) {
    if (o.via.u64 > (uint64_t)INT64_MAX) return false;
    out = (int64_t)o.via.u64;
    return true;
  }
  if (o.type == msgpack::type::NEGATIVE_INTEGER) {
    out = o.via.i64;
    return true;
  }
  return false;
}
bool get_i32(const msgpack::object& o, int32_t& out) {
  int64_t v;
  if (!get_int(o, v) || v < INT32_MIN || v > INT32_MAX) return false;
  out = (int32_t)v;
  return true;
}
bool get_bool(const msgpack::object& o, bool& out) {
  if (o.type != msgpack::type::BOOLEAN) return false;
  out = o.via.boolean;
  return true;
}
bool get_bytes(const msgpack::object& o, std::string& out) {
  if (o.type == msgpack::type::STR) out.assign(o.via.str.ptr, o.via.str.size);
  else if (o.type == msgpack::type::BIN) out.assign(o.via.bin.ptr, o.via.bin.size);
  else return false;
  return true;
}
bool get_strings(const msgpack::object& o, std::vector<std::string>& out) {
  if (o.type != msgpack::type::ARRAY) return false;
  out.clear();
  for (uint32_t i = 0; i < o.via.array.size; ++i) {
    std::string s;
    if (!get_bytes(o.via.array.ptr[i], s)) return false;
    out.push_back(std::move(s));
  }
  return true;
}

}  // namespace

std::string encode(const Message& m) {
  msgpack::sbuffer buf(64 + m.bytes.size());
  Packer pk(buf);
  uint32_t n = 2;
  switch (m.kind) {
    case MsgKind::Hello: n += 7; break;
    case MsgKind::Object: n += 2; break;
    case MsgKind::Ready: n += m.ok ? 3 : 4; break;
    case MsgKind::Task: n += 8; break;
    case MsgKind::Output: n += 3; break;
    case MsgKind::Done: n += m.ok ? 7 : 11; break;
    case MsgKind::Heartbeat: n += 1; break;
    case MsgKind::Shutdown: break;
    case MsgKind::Bundle: n += 1; break;
    case MsgKind::Withdraw: n += 2; break;
    case MsgKind::Withdrawn: n += 2; break;
    case MsgKind::WithdrawRefused: n += 2; break;
  }
  pk.pack_map(n);
  key(pk, "v");
  pk.pack_int32(kProtocolVersion);
  key(pk, "k");
  pk.pack_uint8((uint8_t)m.kind);
  switch (m.kind) {
    case MsgKind::Hello:
      key(pk, "worker"); pk.pack_int32(m.worker);
      key(pk, "pid"); pk.pack_int32(m.pid);
      key(pk, "host"); str(pk, m.host);
      key(pk, "world"); pk.pack_int32(m.world);
      key(pk, "world_rank"); pk.pack_int32(m.world_rank);
      key(pk, "world_size"); pk.pack_int32(m.world_size);
      key(pk, "t0"); pk.pack_uint64(m.clock_us);
      break;
    case MsgKind::Object:
      key(pk, "prog"); pk.pack_int32(m.program);
      key(pk, "bytes"); bin(pk, m.bytes);
      break;
    case MsgKind::Ready:
      key(pk, "prog"); pk.pack_int32(m.program);
      key(pk, "worker"); pk.pack_int32(m.worker);
      key(pk, "ok"); m.ok ? pk.pack_true() : pk.pack_false();
      if (!m.ok) { key(pk, "message"); str(pk, m.error.message); }
      break;
    case MsgKind::Task:
      key(pk, "id"); pk.pack_uint64(m.id);
      key(pk, "prog"); pk.pack_int32(m.program);
      key(pk, "fn"); pk.pack_int32(m.fn);
      key(pk, "bytes"); bin(pk, m.bytes);
      key(pk, "ranks");
      pk.pack_array((uint32_t)m.ranks.size());
      for (int32_t r : m.ranks) pk.pack_int32(r);
      key(pk, "gen"); pk.pack_int32(m.generation);
      key(pk, "seq"); pk.pack_uint64(m.seq);
      key(pk, "threads"); pk.pack_int32(m.threads);
      break;
    case MsgKind::Output:
      key(pk, "id"); pk.pack_uint64(m.id);
      key(pk, "stream"); pk.pack_int32(m.stream);
      key(pk, "bytes"); bin(pk, m.bytes);
      break;
    case MsgKind::Done:
      key(pk, "id"); pk.pack_uint64(m.id);
      key(pk, "worker"); pk.pack_int32(m.worker);
      key(pk, "rank"); pk.pack_int32(m.rank);
      key(pk, "us"); pk.pack_uint32(m.busy_us);
      key(pk, "t0"); pk.pack_uint64(m.clock_us);
      key(pk, "ok"); m.ok ? pk.pack_true() : pk.pack_false();
      if (m.ok) {
        key(pk, "bytes"); bin(pk, m.bytes);
      } else {
        key(pk, "failed_item"); pk.pack_int32(m.failed_item);
        key(pk, "message"); str(pk, m.error.message);
        key(pk, "frames"); strings(pk, m.error.frames);
      }
      if (!m.ok) {
        key(pk, "task"); str(pk, m.error.task);
        key(pk, "aborted"); m.aborted ? pk.pack_true() : pk.pack_false();
      }
      break;
    case MsgKind::Heartbeat: key(pk, "worker"); pk.pack_int32(m.worker); break;
    case MsgKind::Shutdown: break;
    case MsgKind::Bundle: key(pk, "bytes"); bin(pk, m.bytes); break;
    case MsgKind::Withdraw:
      key(pk, "id"); pk.pack_uint64(m.id);
      key(pk, "seq"); pk.pack_uint64(m.seq);
      break;
    case MsgKind::Withdrawn:
    case MsgKind::WithdrawRefused:
      key(pk, "id"); pk.pack_uint64(m.id);
      key(pk, "worker"); pk.pack_int32(m.worker);
      break;
  }
  return std::string(buf.data(), buf.size());
}

bool decode(const void* data, size_t size, Message& out) {
  thread_local msgpack::zone zone;
  msgpack::object o;
  if (!unpack_into(zone, static_cast<const char*>(data), size, o)) return false;
  if (o.type != msgpack::type::MAP) return false;
  Message m;
  bool have_version = false, have_kind = false;
  for (uint32_t i = 0; i < o.via.map.size; ++i) {
    const msgpack::object& k = o.via.map.ptr[i].key;
    const msgpack::object& v = o.via.map.ptr[i].val;
    if (k.type != msgpack::type::STR) return false;
    std::string_view name(k.via.str.ptr, k.via.str.size);
    int64_t n;
    bool ok = true;
    if (name == "v") {
      ok = get_int(v, n) && n == kProtocolVersion;
      have_version = ok;
    } else if (name == "k") {
      ok = get_int(v, n) && n >= (int)MsgKind::Hello && n <= (int)MsgKind::WithdrawRefused;
      if (ok) m.kind = (MsgKind)n;
      have_kind = ok;
    } else if (name == "id") {
      ok = v.type == msgpack::type::POSITIVE_INTEGER;
      if (ok) m.id = v.via.u64;
    } else if (name == "seq") {
      ok = v.type == msgpack::type::POSITIVE_INTEGER;
      if (ok) m.seq = v.via.u64;
    } else if (name == "fn") ok = get_i32(v, m.fn);
    else if (name == "prog") ok = get_i32(v, m.program) && m.program >= 0;
    else if (name == "bytes") ok = get_bytes(v, m.bytes);
    else if (name == "stream") ok = get_i32(v, m.stream);
    else if (name == "ok") ok = get_bool(v, m.ok);
    else if (name == "message") ok = get_bytes(v, m.error.message);
    else if (name == "frames") ok = get_strings(v, m.error.frames);
    else if (name == "task") ok = get_bytes(v, m.error.task);
    else if (name == "failed_item") ok = get_i32(v, m.failed_item);
    else if (name == "ranks") {
      ok = v.type == msgpack::type::ARRAY;
      for (uint32_t j = 0; ok && j < v.via.array.size; ++j) {
        int32_t r = 0;
        ok = get_i32(v.via.array.ptr[j], r);
        if (ok) m.ranks.push_back(r);
      }
    } else if (name == "worker") ok = get_i32(v, m.worker);
    else if (name == "rank") ok = get_i32(v, m.rank);
    else if (name == "gen") ok = get_i32(v, m.generation);
    else if (name == "threads") ok = get_i32(v, m.threads) && m.threads >= 1;
    else if (name == "aborted") ok = get_bool(v, m.aborted);
    else if (name == "us") {
      ok = v.type == msgpack::type::POSITIVE_INTEGER && v.via.u64 <= UINT32_MAX;
      if (ok) m.busy_us = (uint32_t)v.via.u64;
    }
    else if (name == "t0") {
      ok = v.type == msgpack::type::POSITIVE_INTEGER;
      if (ok) m.clock_us = v.via.u64;
    }
    else if (name == "pid") ok = get_i32(v, m.pid);
    else if (name == "host") ok = get_bytes(v, m.host);
    else if (name == "world") ok = get_i32(v, m.world);
    else if (name == "world_rank") ok = get_i32(v, m.world_rank);
    else if (name == "world_size") ok = get_i32(v, m.world_size);
    if (!ok) return false;
  }
  if (!have_version || !have_kind) return false;
  out = std::move(m);
  return true;
}

}  // namespace wf::detail

namespace wf::detail {

std::string encode_bundle(const std::vector<std::string>& encoded) {
  if (encoded.size() == 1) return encoded[0];
  Message m;
  m.kind = MsgKind::Bundle;
  size_t total = 0;
  for (const std::string& e : encoded) total += e.size();
  m.bytes.reserve(total);
  for (const std::string& e : encoded) m.bytes += e;
  return encode(m);
}

bool decode_bundle(const std::string& bytes, std::vector<Message>& out) {
  thread_local msgpack::zone zone;
  size_t offset = 0;
  while (offset < bytes.size()) {
    size_t start = offset;
    try {
      zone.clear();
      msgpack::unpack(zone, bytes.data(), bytes.size(), offset);
    } catch (const std::exception&) {
      return false;
    }
    Message m;
    if (!decode(bytes.data() + start, offset - start, m) || m.kind == MsgKind::Bundle) return false;
    out.push_back(std::move(m));
  }
  return true;
}

}  // namespace wf::detail
