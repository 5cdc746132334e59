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

bool read_batch(msgpack::zone& zone, std::string_view bytes, msgpack::object& out) {
  return unpack_into(zone, bytes.data(), bytes.size(), out) && out.type == msgpack::type::ARRAY;
}

}  // namespace wf::detail
