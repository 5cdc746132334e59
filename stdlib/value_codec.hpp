// msgpack encoding of wf values, driven by type descriptors: how task arguments, results
// and MPI messages travel. int -> msgpack int, float -> float64, bool -> bool,
// str -> str (bytes), array -> array, tuple -> array. Decoding checks every object against
// the descriptor, so a malformed message is an error, never a crash.
#pragma once

#define MSGPACK_NO_BOOST 1
#include <msgpack.hpp>

#include <string>

#include "values.hpp"

namespace wf::detail {

void pack_value(msgpack::packer<msgpack::sbuffer>& pk, const char* desc, Slot v);
std::string encode_value(const char* desc, Slot v);

// Builds the value in ctx's arena. Returns false if `o` does not have the shape of `desc`.
bool unpack_value(Context& ctx, const char* desc, const msgpack::object& o, Slot& out);
bool decode_value(Context& ctx, const char* desc, const std::string& bytes, Slot& out);

}  // namespace wf::detail
