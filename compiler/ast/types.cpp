// Interning and descriptors of wf types.
//
// Descriptor grammar: i f b s v P (int float bool str void pool), `[T]` array,
// `(T1T2...)` tuple, `FT` future, `{KV}` dictionary, `<Name|field:T|field:T>` record (names
// and fields are identifiers, which contain none of `<|:>`), `D` the empty dictionary `{}`.
// It is prefix-decodable, so it needs no separators.
#include "ast/types.hpp"

#include <cctype>
#include <map>
#include <memory>
#include <mutex>

namespace wf {

namespace {
struct Interner {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<Type>> by_desc;

  TypeRef get(TypeKind kind, std::vector<TypeRef> elems, std::string desc, std::string record = {},
              std::vector<std::string> fields = {}) {
    std::lock_guard<std::mutex> lock(mutex);
    auto& slot = by_desc[desc];
    if (!slot) slot.reset(new Type{kind, std::move(elems), desc, std::move(record), std::move(fields)});
    return slot.get();
  }
};

Interner& interner() {
  static Interner instance;
  return instance;
}

TypeRef parse_desc(const std::string& d, size_t& pos) {
  if (pos >= d.size()) return nullptr;
  char c = d[pos++];
  switch (c) {
    case 'i': return types::int_();
    case 'f': return types::float_();
    case 'b': return types::bool_();
    case 's': return types::str();
    case 'v': return types::void_();
    case 'P': return types::pool();
    case '?': return types::error();
    case 'E': return types::empty_array();
    case 'D': return types::empty_dict();
    case '{': {
      TypeRef k = parse_desc(d, pos);
      TypeRef v = k ? parse_desc(d, pos) : nullptr;
      if (!v || pos >= d.size() || d[pos] != '}') return nullptr;
      ++pos;
      return types::dict(k, v);
    }
    case '<': {
      auto ident = [&]() {
        size_t start = pos;
        while (pos < d.size() && (std::isalnum((unsigned char)d[pos]) || d[pos] == '_')) ++pos;
        return d.substr(start, pos - start);
      };
      std::string name = ident();
      std::vector<std::string> names;
      std::vector<TypeRef> fields;
      while (pos < d.size() && d[pos] == '|') {
        ++pos;
        names.push_back(ident());
        if (names.back().empty() || pos >= d.size() || d[pos] != ':') return nullptr;
        ++pos;
        TypeRef t = parse_desc(d, pos);
        if (!t) return nullptr;
        fields.push_back(t);
      }
      if (name.empty() || pos >= d.size() || d[pos] != '>') return nullptr;
      ++pos;
      return types::record(name, names, fields);
    }
    case 'F': {
      TypeRef t = parse_desc(d, pos);
      return t ? types::future(t) : nullptr;
    }
    case '[': {
      TypeRef t = parse_desc(d, pos);
      if (!t || pos >= d.size() || d[pos] != ']') return nullptr;
      ++pos;
      return types::array(t);
    }
    case '(': {
      std::vector<TypeRef> fields;
      while (pos < d.size() && d[pos] != ')') {
        TypeRef t = parse_desc(d, pos);
        if (!t) return nullptr;
        fields.push_back(t);
      }
      if (pos >= d.size() || fields.size() < 2) return nullptr;
      ++pos;
      return types::tuple(fields);
    }
    default: return nullptr;
  }
}
}  // namespace

namespace types {
TypeRef error() { return interner().get(TypeKind::Error, {}, "?"); }
TypeRef void_() { return interner().get(TypeKind::Void, {}, "v"); }
TypeRef int_() { return interner().get(TypeKind::Int, {}, "i"); }
TypeRef float_() { return interner().get(TypeKind::Float, {}, "f"); }
TypeRef bool_() { return interner().get(TypeKind::Bool, {}, "b"); }
TypeRef str() { return interner().get(TypeKind::Str, {}, "s"); }
TypeRef pool() { return interner().get(TypeKind::Pool, {}, "P"); }
TypeRef empty_array() { return interner().get(TypeKind::EmptyArray, {}, "E"); }
TypeRef array(TypeRef elem) { return interner().get(TypeKind::Array, {elem}, "[" + elem->desc + "]"); }
TypeRef future(TypeRef value) { return interner().get(TypeKind::Future, {value}, "F" + value->desc); }
TypeRef empty_dict() { return interner().get(TypeKind::EmptyDict, {}, "D"); }
TypeRef dict(TypeRef key, TypeRef value) {
  return interner().get(TypeKind::Dict, {key, value}, "{" + key->desc + value->desc + "}");
}
TypeRef record(const std::string& name, const std::vector<std::string>& fields, const std::vector<TypeRef>& types) {
  std::string d = "<" + name;
  for (size_t i = 0; i < fields.size(); ++i) d += "|" + fields[i] + ":" + types[i]->desc;
  return interner().get(TypeKind::Record, types, d + ">", name, fields);
}
TypeRef tuple(const std::vector<TypeRef>& fields) {
  std::string d = "(";
  for (TypeRef f : fields) d += f->desc;
  return interner().get(TypeKind::Tuple, fields, d + ")");
}
TypeRef from_desc_at(const std::string& desc, size_t& pos) { return parse_desc(desc, pos); }
TypeRef from_desc(const std::string& desc) {
  size_t pos = 0;
  TypeRef t = parse_desc(desc, pos);
  return pos == desc.size() ? t : nullptr;
}
}  // namespace types

std::string Type::name() const {
  switch (kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Void: return "nothing";
    case TypeKind::Int: return "int";
    case TypeKind::Float: return "float";
    case TypeKind::Bool: return "bool";
    case TypeKind::Str: return "str";
    case TypeKind::Pool: return "pool";
    case TypeKind::EmptyArray: return "[]";
    case TypeKind::EmptyDict: return "{}";
    case TypeKind::Record: return record;
    case TypeKind::Dict: return "{" + elems[0]->name() + ": " + elems[1]->name() + "}";
    case TypeKind::Array: return "[" + elem()->name() + "]";
    case TypeKind::Future: return "future[" + elem()->name() + "]";
    case TypeKind::Tuple: {
      std::string s = "(";
      for (size_t i = 0; i < elems.size(); ++i) s += (i ? ", " : "") + elems[i]->name();
      return s + ")";
    }
  }
  return "?";
}

int Type::field_index(const std::string& name) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i] == name) return (int)i;
  return -1;
}

}  // namespace wf
