// wf::Value <-> Slot (see value_bridge.hpp for why the embedding converts instead of encoding),
// the manifest check of the C++ side's types, and the header's ==, to_string and << of values.
#include "embed/value_bridge.hpp"

#include <algorithm>
#include <ostream>
#include <string_view>

#include "dicts.hpp"

namespace wf::detail {

namespace {

using Kind = Value::Kind;

struct ScratchState {
  Context ctx{nullptr, 1};  // runs no compiled code: no call-site stack needed
  int depth = 0;
};

ScratchState& scratch_state() {
  thread_local ScratchState state;
  return state;
}

size_t tuple_fields(const char* d) {
  size_t n = 0;
  for (const char* f = d + 1; *f != ')'; f = desc_skip(f)) ++n;
  return n;
}

// A record descriptor `<Name|a:A|b:B>`, taken apart.
struct FieldDesc {
  std::string_view name;
  const char* type;
};

std::string_view record_name(const char* d) {
  const char* p = d + 1;
  while (*p != '|' && *p != '>') ++p;
  return {d + 1, (size_t)(p - d - 1)};
}

std::vector<FieldDesc> record_fields(const char* d) {
  std::vector<FieldDesc> out;
  const char* p = d + 1 + record_name(d).size();
  while (*p == '|') {
    const char* name = ++p;
    while (*p != ':') ++p;
    out.push_back({{name, (size_t)(p - name)}, p + 1});
    p = desc_skip(p + 1);
  }
  return out;
}

bool is_any_record(const char* d) { return d[0] == '<' && d[1] == '*' && d[2] == '>'; }

template <typename S>
const S* scalar_of(const Value& v) {
  return std::get_if<S>(&v.scalar);
}

// The index in `v.names` of the field `name`, or -1.
long find_field(const Value& v, std::string_view name) {
  for (size_t i = 0; i < v.names.size(); ++i)
    if (v.names[i] == name) return (long)i;
  return -1;
}

bool record_to_slot(Context& ctx, const char* desc, const Value& v, Slot& out, std::string& why) {
  std::string type(record_name(desc));
  const std::string* got = scalar_of<std::string>(v);
  if (v.kind != Kind::Record || !got || v.names.size() != v.items.size()) {
    why = "expected a `" + type + "`";
    return false;
  }
  if (*got != type) {
    why = "expected a `" + type + "`";  // the message goes on with the value's type, and its name
    return false;
  }
  std::vector<FieldDesc> fields = record_fields(desc);
  for (size_t i = 0; i < v.names.size(); ++i) {
    bool known = std::any_of(fields.begin(), fields.end(), [&](const FieldDesc& f) { return f.name == v.names[i]; });
    if (!known) {
      why = "`" + type + "` has no field `" + v.names[i] + "`";
      return false;
    }
    if (find_field(v, v.names[i]) != (long)i) {
      why = "field `" + v.names[i] + "` of `" + type + "` given twice";
      return false;
    }
  }
  auto* slots = static_cast<Slot*>(ctx.arena.allocate(8 * std::max<size_t>(fields.size(), 1)));
  for (size_t i = 0; i < fields.size(); ++i) {
    long j = find_field(v, fields[i].name);
    if (j < 0) {
      why = "missing field `" + std::string(fields[i].name) + "` of `" + type + "`";
      return false;
    }
    if (!to_slot(ctx, fields[i].type, v.items[(size_t)j], slots[i], why)) {
      why = "field `" + std::string(fields[i].name) + "` of `" + type + "`: " + why;
      return false;
    }
  }
  out = ptr_slot(slots);
  return true;
}

bool dict_to_slot(Context& ctx, const char* desc, const Value& v, Slot& out, std::string& why) {
  if (v.kind != Kind::Dict || v.items.size() % 2 != 0) {
    why = "expected a dictionary";
    return false;
  }
  const char* kd = dict_key_desc(desc);
  const char* vd = dict_value_desc(desc);
  WfDict* m = dict_new(ctx, false, (int64_t)(v.items.size() / 2));
  for (size_t i = 0; i < v.items.size(); i += 2) {
    Slot k = 0, x = 0;
    if (!to_slot(ctx, kd, v.items[i], k, why)) {
      why = "dictionary key: " + why;
      return false;
    }
    if (!to_slot(ctx, vd, v.items[i + 1], x, why)) return false;
    bool inserted;
    dict_upsert(ctx, desc, m, k, false, inserted)->value = x;  // a key given twice: the last value
  }
  out = ptr_slot(m);
  return true;
}

std::string own_desc(const Value& v);

// The type the items v.items[first], v.items[first + step], ... have in common, or `*` (none,
// or not all the same).
std::string common_desc(const Value& v, size_t first, size_t step) {
  std::string common;
  for (size_t i = first; i < v.items.size(); i += step) {
    std::string d = own_desc(v.items[i]);
    if (i == first) common = std::move(d);
    else if (d != common) return "*";
  }
  return common.empty() ? "*" : common;
}

// The value's own type, as a descriptor with `*` where it cannot tell (an empty array, or
// elements of several types).
std::string own_desc(const Value& v) {
  switch (v.kind) {
    case Kind::Int: return "i";
    case Kind::Float: return "f";
    case Kind::Bool: return "b";
    case Kind::Str: return "s";
    case Kind::Array: return "[" + common_desc(v, 0, 1) + "]";
    case Kind::Tuple: {
      std::string d = "(";
      for (const Value& x : v.items) d += own_desc(x);
      return d + ")";
    }
    case Kind::Record: {
      const std::string* name = scalar_of<std::string>(v);
      std::string d = "<" + (name ? *name : std::string("?"));
      for (size_t i = 0; i < v.items.size(); ++i)
        d += "|" + (i < v.names.size() ? v.names[i] : std::string("?")) + ":" + own_desc(v.items[i]);
      return d + ">";
    }
    case Kind::Dict: return "{" + common_desc(v, 0, 2) + common_desc(v, 1, 2) + "}";
  }
  return "?";
}

std::string describe_at(const char* p, const Value& v);

// What the items v.items[first], v.items[first + step], ... of pattern `p` have in common:
// `p` itself if there are none, `*` if they differ.
std::string common_at(const char* p, const Value& v, size_t first, size_t step) {
  if (first >= v.items.size()) return std::string(p, desc_skip(p));
  std::string common = describe_at(p, v.items[first]);
  for (size_t i = first + step; i < v.items.size(); i += step)
    if (describe_at(p, v.items[i]) != common) return "*";
  return common;
}

std::string describe_at(const char* p, const Value& v) {
  const char* end = desc_skip(p);
  if (std::find(p, end, '*') == end) return std::string(p, end);
  if (*p == '*' || is_any_record(p)) return own_desc(v);
  switch (*p) {
    case '[': return "[" + common_at(p + 1, v, 0, 1) + "]";
    case '(': {
      std::string d = "(";
      size_t i = 0;
      for (const char* f = p + 1; *f != ')'; f = desc_skip(f), ++i)
        d += i < v.items.size() ? describe_at(f, v.items[i]) : std::string(f, desc_skip(f));
      return d + ")";
    }
    case '<': {
      // An adapted struct's tree has its fields in the adapter's order, as the pattern.
      std::string d = "<";
      d += record_name(p);
      size_t i = 0;
      for (const FieldDesc& f : record_fields(p)) {
        d += '|';
        d += f.name;
        d += ':';
        d += i < v.items.size() ? describe_at(f.type, v.items[i]) : std::string(f.type, desc_skip(f.type));
        ++i;
      }
      return d + ">";
    }
    case '{': return "{" + common_at(dict_key_desc(p), v, 0, 2) + common_at(dict_value_desc(p), v, 1, 2) + "}";
    default: return std::string(p, end);
  }
}

}  // namespace

Scratch::Scratch() : ctx_(scratch_state().ctx) { ++scratch_state().depth; }

Scratch::~Scratch() {
  if (--scratch_state().depth == 0) ctx_.reset_memory();
}

bool to_slot(Context& ctx, const char* desc, const Value& v, Slot& out, std::string& why) {
  auto mismatch = [&](const char* wanted) {
    why = std::string("expected ") + wanted;
    return false;
  };
  switch (*desc) {
    case 'i': {
      const int64_t* i = scalar_of<int64_t>(v);
      if (v.kind != Kind::Int || !i) return mismatch("an int");
      out = (Slot)*i;
      return true;
    }
    case 'f': {
      const int64_t* i = scalar_of<int64_t>(v);
      const double* f = scalar_of<double>(v);
      if (v.kind == Kind::Int && i) out = as_slot((double)*i);
      else if (v.kind == Kind::Float && f) out = as_slot(*f);
      else return mismatch("a float");
      return true;
    }
    case 'b': {
      const bool* b = scalar_of<bool>(v);
      if (v.kind != Kind::Bool || !b) return mismatch("a bool");
      out = *b ? 1 : 0;
      return true;
    }
    case 's': {
      const std::string* s = scalar_of<std::string>(v);
      if (v.kind != Kind::Str || !s) return mismatch("a str");
      out = ptr_slot(make_str(ctx, *s));
      return true;
    }
    case '[': {
      if (v.kind != Kind::Array) return mismatch("an array");
      WfArray* a = make_array(ctx, (int64_t)v.items.size());
      for (size_t i = 0; i < v.items.size(); ++i)
        if (!to_slot(ctx, desc + 1, v.items[i], a->data[i], why)) return false;
      out = ptr_slot(a);
      return true;
    }
    case '(': {
      if (v.kind != Kind::Tuple) return mismatch("a tuple");
      size_t n = tuple_fields(desc);
      if (v.items.size() < n) return mismatch("a longer tuple");
      if (v.items.size() > n) return mismatch("a shorter tuple");
      auto* t = static_cast<Slot*>(ctx.arena.allocate(8 * n));
      size_t i = 0;
      for (const char* f = desc + 1; *f != ')'; f = desc_skip(f), ++i)
        if (!to_slot(ctx, f, v.items[i], t[i], why)) return false;
      out = ptr_slot(t);
      return true;
    }
    case '<': return record_to_slot(ctx, desc, v, out, why);
    case '{': return dict_to_slot(ctx, desc, v, out, why);
    default: return mismatch("a value wf can pass");
  }
}

Value from_slot(const char* desc, Slot s) {
  switch (*desc) {
    case 'i': return Value(Kind::Int, (int64_t)s);
    case 'f': return Value(Kind::Float, as_float(s));
    case 'b': return Value(Kind::Bool, std::variant<int64_t, double, bool, std::string>(std::in_place_type<bool>, s != 0));
    case 's': return Value(Kind::Str, std::string(slot_ptr<WfStr>(s)->view()));
    case '[': {
      auto* a = slot_ptr<WfArray>(s);
      Value v(Kind::Array);
      v.items.reserve((size_t)a->len);
      for (int64_t i = 0; i < a->len; ++i) v.items.push_back(from_slot(desc + 1, a->data[i]));
      return v;
    }
    case '(': {
      auto* t = slot_ptr<Slot>(s);
      Value v(Kind::Tuple);
      size_t i = 0;
      for (const char* f = desc + 1; *f != ')'; f = desc_skip(f)) v.items.push_back(from_slot(f, t[i++]));
      return v;
    }
    case '<': {
      auto* t = slot_ptr<Slot>(s);
      Value v(Kind::Record, std::string(record_name(desc)));
      size_t i = 0;
      for (const FieldDesc& f : record_fields(desc)) {
        v.names.emplace_back(f.name);
        v.items.push_back(from_slot(f.type, t[i++]));
      }
      return v;
    }
    case '{': {
      auto* m = slot_ptr<WfDict>(s);
      const char* kd = dict_key_desc(desc);
      const char* vd = dict_value_desc(desc);
      Value v(Kind::Dict);
      v.items.reserve(2 * (size_t)m->len);
      for (int64_t i = 0; i < m->used; ++i) {
        const DictEntry& e = m->entries[i];
        if (!entry_live(e)) continue;
        v.items.push_back(from_slot(kd, e.key));
        v.items.push_back(from_slot(vd, e.value));
      }
      return v;
    }
    default: return {};  // "v": no value
  }
}

bool desc_matches(const char* want, const char* have) {
  switch (*want) {
    case '*': return true;
    case '[': return *have == '[' && desc_matches(want + 1, have + 1);
    case '(': {
      if (*have != '(') return false;
      const char* w = want + 1;
      const char* h = have + 1;
      for (; *w != ')' && *h != ')'; w = desc_skip(w), h = desc_skip(h))
        if (!desc_matches(w, h)) return false;
      return *w == ')' && *h == ')';
    }
    case '{':
      return *have == '{' && desc_matches(dict_key_desc(want), dict_key_desc(have)) &&
             desc_matches(dict_value_desc(want), dict_value_desc(have));
    case '<': {
      if (*have != '<') return false;
      if (is_any_record(want)) return true;
      if (record_name(want) != record_name(have)) return false;
      std::vector<FieldDesc> w = record_fields(want), h = record_fields(have);
      if (w.size() != h.size()) return false;
      for (const FieldDesc& f : w) {
        auto g = std::find_if(h.begin(), h.end(), [&](const FieldDesc& x) { return x.name == f.name; });
        if (g == h.end() || !desc_matches(f.type, g->type)) return false;
      }
      return true;
    }
    default: return *want == *have;
  }
}

std::string describe(const std::string& pattern, const Value& v) { return describe_at(pattern.c_str(), v); }

namespace {

// Printed as wf prints (stdlib format_value for the leaves, so floats and quoting agree).
void print(std::string& out, Context& ctx, const Value& v, bool top) {
  auto list = [&](char open, char close) {
    out += open;
    for (size_t i = 0; i < v.items.size(); ++i) {
      if (i) out += ", ";
      print(out, ctx, v.items[i], false);
    }
    out += close;
  };
  switch (v.kind) {
    case Kind::Int:
      if (auto* i = scalar_of<int64_t>(v)) format_value(out, "i", (Slot)*i, top);
      return;
    case Kind::Float:
      if (auto* f = scalar_of<double>(v)) format_value(out, "f", as_slot(*f), top);
      return;
    case Kind::Bool:
      if (auto* b = scalar_of<bool>(v)) format_value(out, "b", *b ? 1 : 0, top);
      return;
    case Kind::Str:
      if (auto* s = scalar_of<std::string>(v)) format_value(out, "s", ptr_slot(make_str(ctx, *s)), top);
      return;
    case Kind::Array: list('[', ']'); return;
    case Kind::Tuple: list('(', ')'); return;
    case Kind::Record: {
      if (auto* name = scalar_of<std::string>(v)) out += *name;
      out += '(';
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ", ";
        if (i < v.names.size()) out += v.names[i];
        out += '=';
        print(out, ctx, v.items[i], false);
      }
      out += ')';
      return;
    }
    case Kind::Dict:
      out += '{';
      for (size_t i = 0; i + 1 < v.items.size(); i += 2) {
        if (i) out += ", ";
        print(out, ctx, v.items[i], false);
        out += ": ";
        print(out, ctx, v.items[i + 1], false);
      }
      out += '}';
      return;
  }
}

// Equal under wf's ==: records by field name, dictionaries in any order.
bool equal(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::Int:
    case Kind::Float:
    case Kind::Bool:
    case Kind::Str: return a.scalar == b.scalar;
    case Kind::Array:
    case Kind::Tuple:
      return a.items.size() == b.items.size() && std::equal(a.items.begin(), a.items.end(), b.items.begin(), equal);
    case Kind::Record:
      if (a.scalar != b.scalar || a.items.size() != b.items.size() || a.names.size() != a.items.size() ||
          b.names.size() != b.items.size())
        return false;
      for (size_t i = 0; i < a.items.size(); ++i) {
        long j = find_field(b, a.names[i]);
        if (j < 0 || !equal(a.items[i], b.items[(size_t)j])) return false;
      }
      return true;
    case Kind::Dict: {
      if (a.items.size() != b.items.size()) return false;
      // Fast path: the same order (a round trip keeps it); else every key looked up.
      if (std::equal(a.items.begin(), a.items.end(), b.items.begin(), equal)) return true;
      for (size_t i = 0; i + 1 < a.items.size(); i += 2) {
        bool found = false;
        for (size_t j = 0; j + 1 < b.items.size() && !found; j += 2)
          if (equal(a.items[i], b.items[j])) {
            if (!equal(a.items[i + 1], b.items[j + 1])) return false;
            found = true;
          }
        if (!found) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace
}  // namespace wf::detail

namespace wf {

bool operator==(const Value& a, const Value& b) { return detail::equal(a, b); }
bool operator==(const Record& a, const Record& b) {
  return detail::equal(detail::ValueTraits<Record>::to(a), detail::ValueTraits<Record>::to(b));
}
bool operator==(const Dict& a, const Dict& b) {
  return detail::equal(detail::ValueTraits<Dict>::to(a), detail::ValueTraits<Dict>::to(b));
}

std::string to_string(const Value& v) {
  detail::Scratch scratch;
  std::string out;
  detail::print(out, scratch.ctx(), v, true);
  return out;
}
std::string to_string(const Record& r) { return to_string(detail::ValueTraits<Record>::to(r)); }
std::string to_string(const Dict& d) { return to_string(detail::ValueTraits<Dict>::to(d)); }

std::ostream& operator<<(std::ostream& os, const Value& v) { return os << to_string(v); }
std::ostream& operator<<(std::ostream& os, const Record& r) { return os << to_string(r); }
std::ostream& operator<<(std::ostream& os, const Dict& d) { return os << to_string(d); }

}  // namespace wf
