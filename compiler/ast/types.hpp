// Types of the wf language (LANGUAGE.md §3).
//
// Types are interned: each distinct type exists once, so two types are equal exactly when
// their pointers are. Every type also has a compact descriptor string ("i", "[f]", "(is)",
// "Fi"), which is how compiled code, the manifest and the runtime talk about types without
// sharing C++ objects: the stdlib prints, copies and serializes values by walking it.
#pragma once

#include <string>
#include <vector>

namespace wf {

enum class TypeKind { Error, Void, Int, Float, Bool, Str, Array, Tuple, Future, Pool, EmptyArray, Record, Dict, EmptyDict };

struct Type {
  TypeKind kind;
  std::vector<const Type*> elems;  // Array/Future: one element type; Tuple, Record: the fields; Dict: key, value
  std::string desc;                // descriptor, see types.cpp
  std::string record;              // Record: the struct's name
  std::vector<std::string> fields; // Record: the field names

  bool is(TypeKind k) const { return kind == k; }
  bool is_numeric() const { return kind == TypeKind::Int || kind == TypeKind::Float; }
  // Held behind a pointer in a value slot (copy and print walk into it).
  bool is_aggregate() const {
    return kind == TypeKind::Array || kind == TypeKind::Tuple || kind == TypeKind::Record || kind == TypeKind::Dict;
  }
  int field_index(const std::string& name) const;  // Record: -1 if there is no such field
  const Type* elem() const { return elems.empty() ? nullptr : elems[0]; }
  std::string name() const;  // as the user writes it: `[int]`, `future[float]`
};

using TypeRef = const Type*;

namespace types {
TypeRef error();
TypeRef void_();
TypeRef int_();
TypeRef float_();
TypeRef bool_();
TypeRef str();
TypeRef pool();
TypeRef empty_array();  // the type of `[]` before context gives it an element type
TypeRef array(TypeRef elem);
TypeRef tuple(const std::vector<TypeRef>& fields);
TypeRef future(TypeRef value);
TypeRef record(const std::string& name, const std::vector<std::string>& fields, const std::vector<TypeRef>& types);
TypeRef dict(TypeRef key, TypeRef value);
TypeRef empty_dict();   // the type of `{}` before context gives it key and value types
// Parses a descriptor back into a type; nullptr if malformed.
TypeRef from_desc(const std::string& desc);
// Parses the one type that starts at desc[pos], advancing pos past it; nullptr if malformed.
TypeRef from_desc_at(const std::string& desc, size_t& pos);
}  // namespace types

}  // namespace wf
