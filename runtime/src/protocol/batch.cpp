// The batch format (see batch.hpp).
#include "protocol/batch.hpp"

#include "value_codec.hpp"

namespace wf::detail {

BatchWriter::BatchWriter(size_t calls, size_t reserve) : buf_(reserve ? reserve : 64), pk_(buf_) {
  pk_.pack_array((uint32_t)calls);
}

void BatchWriter::begin_call(size_t args) { pk_.pack_array((uint32_t)args); }

std::string single_call(const std::vector<std::string>& encoded_args) {
  size_t bytes = 16;
  for (const std::string& a : encoded_args) bytes += a.size();
  BatchWriter w(1, bytes);
  w.begin_call(encoded_args.size());
  for (const std::string& a : encoded_args) w.buffer().write(a.data(), a.size());
  return w.finish();
}

ResultsWriter::ResultsWriter(size_t results) {
  msgpack::packer<msgpack::sbuffer>(buf_).pack_array((uint32_t)results);
}

// ResultsWriter writes an array of one as msgpack's fixarray byte 0x91, always: what follows
// it is the value's own encoding.
bool single_result(std::string_view results, std::string& value) {
  if (results.size() < 2 || (uint8_t)results[0] != 0x91) return false;
  value.assign(results.substr(1));
  return true;
}

bool split_batch(std::string_view bytes, std::vector<std::string_view>& out) {
  out.clear();
  if (bytes.empty()) return false;
  uint8_t head = (uint8_t)bytes[0];
  size_t count = 0, at = 0;
  if (head == 0x91) {  // a batch of one, the common case: its element is the rest
    out.push_back(bytes.substr(1));
    return bytes.size() > 1;
  }
  if ((head & 0xf0) == 0x90) {
    count = head & 0x0f, at = 1;
  } else if (head == 0xdc && bytes.size() >= 3) {
    count = (size_t)(uint8_t)bytes[1] << 8 | (uint8_t)bytes[2], at = 3;
  } else if (head == 0xdd && bytes.size() >= 5) {
    for (int i = 1; i <= 4; ++i) count = count << 8 | (uint8_t)bytes[i];
    at = 5;
  } else {
    return false;
  }
  if (count > bytes.size()) return false;  // each element takes at least a byte
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    size_t start = at;
    msgpack::null_visitor skip;
    try {
      if (!msgpack::parse(bytes.data(), bytes.size(), at, skip)) return false;
    } catch (const std::exception&) {
      return false;
    }
    out.push_back(bytes.substr(start, at - start));
  }
  return at == bytes.size();
}

std::string join_batch(const std::vector<std::string_view>& elements) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array((uint32_t)elements.size());
  for (std::string_view e : elements) buf.write(e.data(), e.size());
  return std::string(buf.data(), buf.size());
}

bool read_batch(msgpack::zone& zone, std::string_view bytes, msgpack::object& out) {
  return unpack_into(zone, bytes.data(), bytes.size(), out) && out.type == msgpack::type::ARRAY;
}

}  // namespace wf::detail
