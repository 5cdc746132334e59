// msgpack encoding of wf values, driven by type descriptors: how task arguments, results
// and MPI messages travel. int -> msgpack int, float -> float64, bool -> bool,
// str -> str (bytes), array -> array, tuple -> array, record -> array of its fields,
// dictionary -> map in insertion order; a future or a pool -> its address (only the notebook
// session, in one process, encodes those). Decoding checks every object against
// the descriptor, so a malformed message is an error, never a crash.
#pragma once

#define MSGPACK_NO_BOOST 1
#include <msgpack.hpp>

#include <string>

#include "values.hpp"

namespace wf::detail {

// Floats are always written as float64 (msgpack-c's pack_double would turn integral
// doubles into integers and lose -0.0).
void pack_value(msgpack::sbuffer& buf, const char* desc, Slot v);
std::string encode_value(const char* desc, Slot v);

// Builds the value in ctx's arena. Returns false if `o` does not have the shape of `desc`.
bool unpack_value(Context& ctx, const char* desc, const msgpack::object& o, Slot& out);
bool decode_value(Context& ctx, const char* desc, const std::string& bytes, Slot& out);

// Unpacks `size` bytes into `out` using `zone`, which is cleared first and keeps its memory
// for the next call (a fresh object_handle would malloc a new zone every time). `out` lives
// until the zone's next use. Returns false on malformed input.
bool unpack_into(msgpack::zone& zone, const char* data, size_t size, msgpack::object& out);

}  // namespace wf::detail
