// The design notes for this module are atop value_codec.hpp.
#include "value_codec.hpp"

#include "dicts.hpp"

namespace wf::detail {

void pack_value(msgpack::sbuffer& buf, const char* d, Slot v) {
  msgpack::packer<msgpack::sbuffer> pk(buf);
  switch (*d) {
    case 'i': pk.pack_int64((int64_t)v); return;
    case 'f': {
      char bytes[9];
      bytes[0] = (char)0xcb;
      for (int i = 0; i < 8; ++i) bytes[1 + i] = (char)(v >> (56 - 8 * i));
      buf.write(bytes, 9);
      return;
    }
    case 'b': v ? pk.pack_true() : pk.pack_false(); return;
    case 's': {
      auto* s = slot_ptr<WfStr>(v);
      pk.pack_str((uint32_t)s->len);
      pk.pack_str_body(s->data, (uint32_t)s->len);
      return;
    }
    case '[': {
      auto* a = slot_ptr<WfArray>(v);
      pk.pack_array((uint32_t)a->len);
      for (int64_t i = 0; i < a->len; ++i) pack_value(buf, d + 1, a->data[i]);
      return;
    }
    case '(':
    case '<': {
      auto* t = slot_ptr<Slot>(v);
      uint32_t n = 0;
      for (const char* f = first_field(d); f; f = next_field(f)) ++n;
      pk.pack_array(n);
      uint32_t i = 0;
      for (const char* f = first_field(d); f; f = next_field(f)) pack_value(buf, f, t[i++]);
      return;
    }
    case '{': {
      auto* m = slot_ptr<WfDict>(v);
      const char* kd = dict_key_desc(d);
      const char* vd = dict_value_desc(d);
      pk.pack_map((uint32_t)m->len);
      for (int64_t i = 0; i < m->used; ++i) {
        const DictEntry& e = m->entries[i];
        if (!entry_live(e)) continue;
        pack_value(buf, kd, e.key);
        pack_value(buf, vd, e.value);
      }
      return;
    }
    case 'F':
    case 'P':  // a future or a pool: its address, meaningful in this process only (the
               // notebook session keeps cell variables this way; tasks never take either)
      pk.pack_uint64(v);
      return;
    default: pk.pack_nil(); return;
  }
}

std::string encode_value(const char* desc, Slot v) {
  msgpack::sbuffer buf;
  pack_value(buf, desc, v);
  return std::string(buf.data(), buf.size());
}

bool unpack_value(Context& ctx, const char* d, const msgpack::object& o, Slot& out) {
  switch (*d) {
    case 'i':
      if (o.type == msgpack::type::POSITIVE_INTEGER) out = o.via.u64;
      else if (o.type == msgpack::type::NEGATIVE_INTEGER) out = (Slot)o.via.i64;
      else return false;
      return true;
    case 'f':
      // msgpack-c packs integral doubles as integers (exactly), so accept those too.
      if (o.type == msgpack::type::FLOAT64 || o.type == msgpack::type::FLOAT32) out = as_slot(o.via.f64);
      else if (o.type == msgpack::type::POSITIVE_INTEGER) out = as_slot((double)o.via.u64);
      else if (o.type == msgpack::type::NEGATIVE_INTEGER) out = as_slot((double)o.via.i64);
      else return false;
      return true;
    case 'b':
      if (o.type != msgpack::type::BOOLEAN) return false;
      out = o.via.boolean ? 1 : 0;
      return true;
    case 's':
      if (o.type != msgpack::type::STR && o.type != msgpack::type::BIN) return false;
      out = ptr_slot(make_str(ctx, std::string_view(o.via.str.ptr, o.via.str.size)));
      return true;
    case 'v':
      out = 0;
      return true;
    case 'F':
    case 'P':
      if (o.type != msgpack::type::POSITIVE_INTEGER) return false;
      out = o.via.u64;
      return true;
    case '[': {
      if (o.type != msgpack::type::ARRAY) return false;
      WfArray* a = make_array(ctx, o.via.array.size);
      for (uint32_t i = 0; i < o.via.array.size; ++i)
        if (!unpack_value(ctx, d + 1, o.via.array.ptr[i], a->data[i])) return false;
      out = ptr_slot(a);
      return true;
    }
    case '(':
    case '<': {
      if (o.type != msgpack::type::ARRAY) return false;
      uint32_t n = 0;
      for (const char* f = first_field(d); f; f = next_field(f)) ++n;
      if (o.via.array.size != n) return false;
      auto* t = static_cast<Slot*>(ctx.arena.allocate(8 * n));
      uint32_t i = 0;
      for (const char* f = first_field(d); f; f = next_field(f), ++i)
        if (!unpack_value(ctx, f, o.via.array.ptr[i], t[i])) return false;
      out = ptr_slot(t);
      return true;
    }
    case '{': {
      // A key sent twice: the last value wins, at the first one's position (as a literal).
      if (o.type != msgpack::type::MAP) return false;
      const char* kd = dict_key_desc(d);
      const char* vd = dict_value_desc(d);
      WfDict* m = dict_new(ctx, false, o.via.map.size);
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        Slot k, v;
        if (!unpack_value(ctx, kd, o.via.map.ptr[i].key, k) || !unpack_value(ctx, vd, o.via.map.ptr[i].val, v))
          return false;
        bool inserted;
        dict_upsert(ctx, d, m, k, false, inserted)->value = v;
      }
      out = ptr_slot(m);
      return true;
    }
    default: return false;
  }
}

bool unpack_into(msgpack::zone& zone, const char* data, size_t size, msgpack::object& out) {
  zone.clear();
  try {
    size_t offset = 0;
    out = msgpack::unpack(zone, data, size, offset);
    return offset == size;
  } catch (const std::exception&) {
    return false;
  }
}

bool decode_value(Context& ctx, const char* desc, const std::string& bytes, Slot& out) {
  thread_local msgpack::zone zone;
  msgpack::object o;
  return unpack_into(zone, bytes.data(), bytes.size(), o) && unpack_value(ctx, desc, o, out);
}

}  // namespace wf::detail
