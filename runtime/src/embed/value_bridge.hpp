// wf::Value (the header's C++-side tree) <-> the compiled representation (stdlib/values.hpp:
// one Slot per value, strings, arrays and tuples in a Context's arena).
//
// Why shaped so: stdlib/value_codec is the one module that knows how a value is laid out on
// the wire, and workers encode and decode with it. The embedding does not write msgpack of
// its own: it builds the same Slot tree compiled code would hold and hands it to
// pack_value, and decodes with unpack_value into a Context and walks the tree back. The cost
// is one extra copy of each argument and result (an arena of the host thread, emptied after
// every message); the gain is that a float is written as float64 bit for bit (-0.0, NaN,
// 1e300 stay what they are) exactly as a flow writes it, and a change of the wire layout can
// never make the two disagree. The descriptor check (the type errors of a call) is the same
// walk as the conversion, so a value is never checked by one walker and built by another.
#pragma once

#include <string>

#include "values.hpp"
#include "wf/wf.hpp"

namespace wf::detail {

// The host thread's scratch Context: Slot trees built while a Scratch is alive are released
// when the outermost one ends. Not shared between threads (each thread has its own).
class Scratch {
 public:
  Scratch();
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  Context& ctx() { return ctx_; }

 private:
  Context& ctx_;
};

// Builds `v` as the wf type `desc` in ctx's arena (an int where a float is wanted becomes a
// float, as in wf). False, with `why` ("expected a float"), if `v` does not have that type.
bool to_slot(Context& ctx, const char* desc, const Value& v, Slot& out, std::string& why);

// The C++-side tree of the value `s` of wf type `desc`.
Value from_slot(const char* desc, Slot s);

}  // namespace wf::detail
