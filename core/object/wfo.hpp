// The worker-loadable object (RUNTIME.md "The worker-loadable object"): native code plus a
// manifest, in one file (`.wfo`) or one byte string (what the driver ships to workers).
//
// Layout: the 8 bytes "WFO\x01\0\0\0\0", then one msgpack map {manifest, object}. The
// manifest is a msgpack map too, so fields can be added without breaking old readers.
// Types are descriptor strings (compiler/ast/types.hpp); locations index `files`.
#pragma once

#define MSGPACK_NO_BOOST 1
#include <msgpack.hpp>

#include <string>
#include <vector>

namespace wf {

constexpr const char* kCompilerVersion = "wfc 0.2.0";

struct ManifestParam {
  std::string name;
  std::string type;  // descriptor
  MSGPACK_DEFINE_MAP(name, type)
};

struct ManifestFunction {
  std::string name;
  std::string kind;  // "fn", "mpi", "flow", "extern"
  int ranks = 1;       // mpi: 0 = given at each submission
  int threads = 0;     // declared threads= (0: none)
  std::vector<ManifestParam> params;
  std::string result;  // descriptor, "v" for none
  int file = 0, line = 0, col = 0;
  std::string entry;   // symbol of the task entry (empty for extern)
  std::string identity;  // its code and all it reaches, hashed (compiler/sema/identity.hpp)
  MSGPACK_DEFINE_MAP(name, kind, ranks, threads, params, result, file, line, col, entry, identity)
};

// A place in the source that a runtime error frame can point at.
struct ManifestLoc {
  int function = -1;  // index into functions: the function the place is in
  int file = 0, line = 0, col = 0;
  MSGPACK_DEFINE_MAP(function, file, line, col)
};

struct Manifest {
  std::string compiler;
  std::vector<std::string> files;
  std::vector<ManifestFunction> functions;
  std::vector<ManifestLoc> locs;
  int main = -1;  // index of `flow main`, -1 if none
  // Non-empty for a notebook cell's object: the objects of one session link against each
  // other (a cell calls functions an earlier cell defined), so a process loads them all into
  // one JIT, in order. `functions`, `locs` and `files` are then the session's tables up to and
  // including this cell (append-only: an index means the same thing in every later cell).
  std::string session;
  MSGPACK_DEFINE_MAP(compiler, files, functions, locs, main, session)

  int find(const std::string& name) const {
    for (size_t i = 0; i < functions.size(); ++i)
      if (functions[i].name == name) return (int)i;
    return -1;
  }
  // "at f (file:line:col)" for a location id.
  std::string frame(int loc) const;
};

struct WfObject {
  Manifest manifest;
  std::string object;  // ELF relocatable object bytes
  MSGPACK_DEFINE_MAP(manifest, object)
};

std::string encode_wfo(const WfObject& o);
// Returns false (and sets `error`) if `bytes` is not a wf object.
bool decode_wfo(const std::string& bytes, WfObject& out, std::string& error);

bool write_file_bytes(const std::string& path, const std::string& bytes);
bool read_file_bytes(const std::string& path, std::string& bytes);

}  // namespace wf
