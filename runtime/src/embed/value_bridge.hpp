// wf::Value (the header's C++-side tree) <-> the compiled representation (stdlib/values.hpp:
// one Slot per value, strings, arrays, tuples, records and dictionaries in a Context's arena).
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
//
// Records and dictionaries of the C++ side are dynamic (wf::Record, wf::Dict, or a struct
// adapted by name), so their check is by name, not by position: a record's fields are looked
// up by name in the tree while the Slots are laid out in the declaration order the
// descriptor gives, and a result type is accepted by desc_matches (names, not string
// equality) rather than compared as a string. The wildcard descriptors (`*`, `<*>`, `{**}`)
// are the C++ side's only addition to the descriptor language, and never reach the wire.
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
// float, as in wf). False, with `why` ("expected a float", "missing field `y` of `Point`"), if
// `v` does not have that type. A record is matched to its struct by name and field names, in
// any order, and built in declaration order.
bool to_slot(Context& ctx, const char* desc, const Value& v, Slot& out, std::string& why);

// The C++-side tree of the value `s` of wf type `desc`.
Value from_slot(const char* desc, Slot s);

// Does the C++ side's type `want` (ValueTraits::desc(): `*` any type, `<*>` any record, `{**}`
// any dictionary, a record matched by name and field names in any order) take values of the
// declared wf type `have`? How a result type is checked.
bool desc_matches(const char* want, const char* have);

// The type of an argument for an error message: `pattern` (its C++ type's desc()) where that
// is exact, and the value's own type where the pattern has wildcards (`<*>` is shown as
// `<Point|x:f|y:s>`).
std::string describe(const std::string& pattern, const Value& v);

}  // namespace wf::detail
