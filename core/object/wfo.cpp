// The design notes for this module are atop wfo.hpp.
#include "object/wfo.hpp"

#include <cstring>
#include <fstream>
#include <sstream>

namespace wf {

namespace {
const char kMagic[8] = {'W', 'F', 'O', 1, 0, 0, 0, 0};
}

std::string Manifest::frame(int loc) const {
  if (loc < 0 || loc >= (int)locs.size()) return "at <unknown>";
  const ManifestLoc& l = locs[loc];
  std::string fn = l.function >= 0 && l.function < (int)functions.size() ? functions[l.function].name : "<unknown>";
  std::string file = l.file >= 0 && l.file < (int)files.size() ? files[l.file] : "<unknown>";
  return "at " + fn + " (" + file + ":" + std::to_string(l.line) + ":" + std::to_string(l.col) + ")";
}

std::string encode_wfo(const WfObject& o) {
  msgpack::sbuffer buf;
  buf.write(kMagic, sizeof kMagic);
  msgpack::pack(buf, o);
  return std::string(buf.data(), buf.size());
}

bool decode_wfo(const std::string& bytes, WfObject& out, std::string& error) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    error = "not a wf object (bad magic)";
    return false;
  }
  try {
    msgpack::object_handle oh = msgpack::unpack(bytes.data() + sizeof kMagic, bytes.size() - sizeof kMagic);
    oh.get().convert(out);
  } catch (const std::exception& e) {
    error = std::string("corrupt wf object: ") + e.what();
    return false;
  }
  if (out.manifest.compiler != kCompilerVersion) {
    error = "object was built by " + out.manifest.compiler + ", this is " + kCompilerVersion;
    return false;
  }
  return true;
}

bool write_file_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return false;
  out.write(bytes.data(), (std::streamsize)bytes.size());
  return (bool)out;
}

bool read_file_bytes(const std::string& path, std::string& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  bytes = ss.str();
  return true;
}

}  // namespace wf
