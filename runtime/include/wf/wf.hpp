// wf.hpp: the only include a C++ host needs to run wf workflows (RUNTIME.md "Embedding").
//
//   wf::Runtime rt({.workers = 4});
//   wf::Program prog = rt.compile_file("examples/pi.wf");       // or rt.load("pi.wfo")
//   wf::Future f = rt.submit(prog["count_hits"], int64_t{1'000'000}, int64_t{42});
//   int64_t hits = f.get<int64_t>();
//   std::vector<double> ys = rt.map<double>(prog["square"], std::vector<double>{1, 2, 3});
//   wf::MapFuture m = rt.map_async(prog["square"], xs);          // returns at once
//   std::vector<double> zs = m.get<double>();                    // waits
//
// Arguments and results are plain C++ values: int64_t (wf `int`), double (`float`), bool,
// std::string (`str`), std::vector<T> (`[T]`), std::tuple<...> (tuples), std::map<K, V> or
// std::unordered_map<K, V> (`{K: V}`), and structs adapted with WF_RECORD (records); or the
// dynamic wf::Record, wf::Dict and wf::Value:
//
//   struct Point { double x, y; };
//   WF_RECORD(Point, x, y);                                      // at global scope
//   Point q = rt.submit(prog["shift"], Point{1, 2}).get<Point>();
//   wf::Record r = rt.submit(prog["shift"], wf::Record("Point", {{"x", 1.0}, {"y", 2.0}})).get<wf::Record>();
//
// Every call is checked against the function's types in the program's manifest (a record's
// fields by name), and a mismatch throws wf::TypeError before anything runs. A task that fails throws wf::TaskError from get(),
// with the remote message, frames and the "in task ... on worker n" line. Every exception
// of the API derives from wf::Error.
//
// This header depends on the standard library only; the runtime behind it lives in libwf.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace wf {

// ---- errors -------------------------------------------------------------------------------------
//
// Everything the API throws is a wf::Error (a std::runtime_error), so one handler can catch
// all of wf; each kind below says what went wrong:
//
//   wf::Error
//   ├── CompileError     compile_file: the .wf source has mistakes
//   ├── LoadError        load: the .wfo cannot be read, decoded or linked
//   ├── UnknownFunction  Program::operator[]: no function of that name
//   ├── TypeError        a call, get<T> or map<R> whose C++ types do not match the manifest
//   ├── TaskError        a task failed, its worker died, or its pool could not start
//   └── ProtocolError    a result that cannot be decoded (a libwf / wf-worker mismatch)

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The .wf source has mistakes; what() is the rendered diagnostics (file:line:col, caret).
class CompileError : public Error {
 public:
  using Error::Error;
};

// Runtime::load could not read, decode or link the object file.
class LoadError : public Error {
 public:
  LoadError(std::string path, const std::string& message) : Error(message), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Program::operator[] with a name the program does not define.
class UnknownFunction : public Error {
 public:
  explicit UnknownFunction(std::string name)
      : Error("the program has no function `" + name + "`"), name_(std::move(name)) {}
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// A call whose C++ types do not match the function's manifest (or that cannot run as a task).
class TypeError : public Error {
 public:
  using Error::Error;
};

// A task failed (or its worker died). what() is the message alone.
class TaskError : public Error {
 public:
  TaskError(std::string message, std::vector<std::string> frames, std::string task)
      : Error(message), frames_(std::move(frames)), task_(std::move(task)) {}
  // "at f (file:line:col)", innermost first.
  const std::vector<std::string>& frames() const { return frames_; }
  // "in task f(3) on worker 1" (and "rank r" for MPI tasks).
  const std::string& task() const { return task_; }
  // The whole report as wfc prints it.
  std::string report() const;

 private:
  std::vector<std::string> frames_;
  std::string task_;
};

// A task's result did not have the shape of its declared type: never expected, it means
// libwf and the wf-worker it started disagree (different versions).
class ProtocolError : public Error {
 public:
  using Error::Error;
};

// ---- values -------------------------------------------------------------------------------------
//
// A wf value is passed and received as a plain C++ value whose type stands for the wf type
// (detail::ValueTraits below):
//
//   int `int64_t`, float `double`, bool `bool`, str `std::string`, [T] `std::vector<T>`,
//   tuples `std::tuple<...>`, {K: V} `std::map<K, V>` or `std::unordered_map<K, V>`,
//   a record: a C++ struct adapted with WF_RECORD, or a wf::Record;
//   a dictionary of any type: a wf::Dict; a value of any type: a wf::Value.
//
// wf::Value, wf::Record and wf::Dict are the dynamic forms, for types a host knows only at
// run time: they are checked against the manifest when they are passed, like any value.

struct Value;
class Record;
class Dict;
template <typename T>
struct RecordAdapter;  // see "user structs as records" below

namespace detail {
template <typename T, typename Enable = void>
struct ValueTraits;

// C++ argument types that stand for a wf type: integers other than int64_t, C strings.
template <typename T>
using Canonical = std::conditional_t<
    std::is_same_v<std::decay_t<T>, bool>, bool,
    std::conditional_t<std::is_integral_v<std::decay_t<T>>, int64_t,
                       std::conditional_t<std::is_floating_point_v<std::decay_t<T>>, double,
                                          std::conditional_t<std::is_convertible_v<T, std::string> &&
                                                                 !std::is_same_v<std::decay_t<T>, std::string>,
                                                             std::string, std::decay_t<T>>>>>;

// Does the C++ type T stand for a wf type?
template <typename T, typename = void>
struct IsValueType : std::false_type {};
template <typename T>
struct IsValueType<T, std::void_t<decltype(ValueTraits<Canonical<T>>::desc())>> : std::true_type {};

// Is T a struct adapted as a record (WF_RECORD)?
template <typename T, typename = void>
struct HasAdapter : std::false_type {};
template <typename T>
struct HasAdapter<T, std::void_t<decltype(RecordAdapter<T>::name)>> : std::true_type {};
}  // namespace detail

// A wf value of any type, as a tree. Made implicitly from any C++ value that stands for a wf
// type (`wf::Value v = 1.5;`, `= "text"`, `= std::vector<int64_t>{1, 2}`, `= rec`); read back
// with as<T>(), which throws wf::TypeError if the value is not a T. The members are the tree:
//   Int, Float, Bool, Str   `scalar`
//   Array                   `items`: the elements
//   Tuple                   `items`: the fields
//   Record                  `scalar`: the record's type name; `items`: the fields, `names`: their names
//   Dict                    `items`: key, value, key, value, ... in insertion order
// == compares as wf does: records field by field (by name), dictionaries in any order.
struct Value {
  enum class Kind { Int, Float, Bool, Str, Array, Tuple, Record, Dict };
  Kind kind = Kind::Int;
  std::variant<int64_t, double, bool, std::string> scalar;
  std::vector<Value> items;
  std::vector<std::string> names;

  Value() = default;  // the int 0
  explicit Value(Kind k, std::variant<int64_t, double, bool, std::string> s = int64_t{0}, std::vector<Value> xs = {},
                 std::vector<std::string> ns = {})
      : kind(k), scalar(std::move(s)), items(std::move(xs)), names(std::move(ns)) {}
  template <typename T, typename = std::enable_if_t<!std::is_same_v<std::decay_t<T>, Value> &&
                                                    detail::IsValueType<T>::value>>
  Value(T&& x)  // NOLINT(google-explicit-constructor): wf::Value v = 1.5;
      : Value(detail::ValueTraits<detail::Canonical<T>>::to(detail::Canonical<T>(std::forward<T>(x)))) {}

  // This value as a T (an int is also a double, as in wf); TypeError if it is not one.
  template <typename T>
  T as() const {
    return detail::ValueTraits<T>::from(*this);
  }
};

bool operator==(const Value& a, const Value& b);
inline bool operator!=(const Value& a, const Value& b) { return !(a == b); }
// As wf prints it: `Point(x=1.0, y=2.0)`, `{"a": [1, 2]}`; a str alone is printed bare.
std::string to_string(const Value& v);
std::ostream& operator<<(std::ostream& os, const Value& v);

// A record of a type named at run time: its type name and its fields by name. To be passed,
// it must name every field of the wf struct once (in any order), with values of the fields'
// types; a received record has its fields in declaration order.
//
//   wf::Record p("Point", {{"x", 1.0}, {"y", 2.0}});
//   p["x"] = 3.0;                       // replaces it; a new name would be added at the end
//   double y = p.get<double>("y");      // TypeError if there is no field `y` or it is not a float
class Record {
 public:
  using Field = std::pair<std::string, Value>;

  Record() = default;
  explicit Record(std::string type, std::vector<Field> fields = {})
      : type_(std::move(type)), fields_(std::move(fields)) {}
  // The record of an adapted struct (WF_RECORD).
  template <typename T, typename = std::enable_if_t<detail::HasAdapter<T>::value>>
  explicit Record(const T& x) : Record(Value(x).as<Record>()) {}

  const std::string& type() const { return type_; }
  const std::vector<Field>& fields() const { return fields_; }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }
  size_t size() const { return fields_.size(); }
  bool has(const std::string& name) const { return find(name) != nullptr; }

  // The field `name`; operator[] adds it (as the int 0) if there is none, like std::map.
  Value& operator[](const std::string& name) {
    if (Value* v = find(name)) return *v;
    fields_.emplace_back(name, Value());
    return fields_.back().second;
  }
  // TypeError if there is no field `name`.
  const Value& at(const std::string& name) const {
    if (const Value* v = find(name)) return *v;
    throw TypeError("`" + type_ + "` has no field `" + name + "`");
  }
  // The field as a T; TypeError naming the field if there is none or it is not a T.
  template <typename T>
  T get(const std::string& name) const {
    const Value& v = at(name);
    try {
      return v.as<T>();
    } catch (const TypeError& e) {
      throw TypeError("field `" + name + "` of `" + type_ + "`: " + e.what());
    }
  }
  // The record as an adapted struct (WF_RECORD); TypeError if the fields do not fit it.
  template <typename T>
  T as() const;  // defined below, with the traits

 private:
  const Value* find(const std::string& name) const {
    for (const Field& f : fields_)
      if (f.first == name) return &f.second;
    return nullptr;
  }
  Value* find(const std::string& name) { return const_cast<Value*>(static_cast<const Record*>(this)->find(name)); }
  std::string type_;
  std::vector<Field> fields_;
};

// Same type name and the same fields (by name, in any order) with equal values.
bool operator==(const Record& a, const Record& b);
inline bool operator!=(const Record& a, const Record& b) { return !(a == b); }
std::string to_string(const Record& r);
std::ostream& operator<<(std::ostream& os, const Record& r);

// A dictionary whose types are known at run time: entries in insertion order, as in wf.
// Lookups compare keys one by one (fine for the small dictionaries a host builds by hand; a
// large one travels as well, and faster, as a std::map or std::unordered_map).
//
//   wf::Dict d{{"a", 1}, {"b", 2}};
//   d["c"] = 3;                                    // inserted at the end; an existing key keeps its place
//   auto m = d.as<std::map<std::string, int64_t>>();  // TypeError if a key or value does not fit
class Dict {
 public:
  using Entry = std::pair<Value, Value>;

  Dict() = default;
  // A key given twice keeps its first place and its last value, as in a wf literal.
  Dict(std::initializer_list<Entry> entries) {
    for (const Entry& e : entries) (*this)[e.first] = e.second;
  }
  // The entries of a std::map or std::unordered_map, in its iteration order.
  template <typename M, typename = typename M::mapped_type,
            typename = decltype(detail::ValueTraits<M>::desc())>
  explicit Dict(const M& m) : Dict(Value(m).as<Dict>()) {}

  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  const Value* find(const Value& key) const {
    for (const Entry& e : entries_)
      if (e.first == key) return &e.second;
    return nullptr;
  }
  Value* find(const Value& key) { return const_cast<Value*>(static_cast<const Dict*>(this)->find(key)); }
  bool contains(const Value& key) const { return find(key) != nullptr; }
  // The value of `key`, inserted (as the int 0) at the end if absent.
  Value& operator[](const Value& key) {
    if (Value* v = find(key)) return *v;
    entries_.emplace_back(key, Value());
    return entries_.back().second;
  }
  // wf::Error naming the key if it is absent.
  const Value& at(const Value& key) const {
    if (const Value* v = find(key)) return *v;
    throw Error("key " + to_string(key) + " is not in the dictionary");
  }
  template <typename T>
  T get(const Value& key) const {
    return at(key).as<T>();
  }
  // True if the key was there.
  bool erase(const Value& key) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      if (it->first == key) {
        entries_.erase(it);
        return true;
      }
    return false;
  }
  // The dictionary as a std::map or std::unordered_map; TypeError if a key or value does not fit.
  template <typename M>
  M as() const;  // defined below, with the traits

 private:
  std::vector<Entry> entries_;
};

// The same keys with equal values, in any order (as wf's ==).
bool operator==(const Dict& a, const Dict& b);
inline bool operator!=(const Dict& a, const Dict& b) { return !(a == b); }
std::string to_string(const Dict& d);
std::ostream& operator<<(std::ostream& os, const Dict& d);

// ---- user structs as records --------------------------------------------------------------------
//
// A C++ struct stands for a wf record once it is adapted, at global scope, right after it is
// defined (before any call uses it):
//
//   struct Point { double x, y; };
//   WF_RECORD(Point, x, y);                      // the wf struct `Point`, fields `x` and `y`
//   WF_RECORD_NAMED(geo::Point, "Point", x, y);  // a C++ name other than the wf struct's
//
// Fields are matched by name (in any order); the struct may not have fields the wf struct
// lacks, nor lack any. Members have any value type; other integer and floating types than
// int64_t and double (an `int`, a `float`) are converted with static_cast. The struct must
// be default-constructible. Up to 32 fields; for more, specialise RecordAdapter by hand:
//
//   template <> struct wf::RecordAdapter<Point> {
//     static constexpr const char* name = "Point";
//     static constexpr auto fields = std::make_tuple(wf::field("x", &Point::x), wf::field("y", &Point::y));
//   };

template <typename T, typename M>
struct FieldOf {
  using member_type = M;
  const char* name;
  M T::*member;
};
template <typename T, typename M>
constexpr FieldOf<T, M> field(const char* name, M T::*member) {
  return {name, member};
}

#define WF_RECORD(Type, ...) WF_RECORD_NAMED(Type, #Type, __VA_ARGS__)
#define WF_RECORD_NAMED(Type, Name, ...)                                                          \
  template <>                                                                                     \
  struct wf::RecordAdapter<Type> {                                                                \
    using type = Type;                                                                            \
    static constexpr const char* name = Name;                                                     \
    static constexpr auto fields = std::make_tuple(WF_DETAIL_FOR_EACH(WF_DETAIL_FIELD, __VA_ARGS__)); \
  }
#define WF_DETAIL_FIELD(m) ::wf::field(#m, &type::m)
#define WF_DETAIL_CAT(a, b) WF_DETAIL_CAT_(a, b)
#define WF_DETAIL_CAT_(a, b) a##b
#define WF_DETAIL_FOR_EACH(f, ...) WF_DETAIL_CAT(WF_DETAIL_FE_, WF_DETAIL_NARGS(__VA_ARGS__))(f, __VA_ARGS__)
#define WF_DETAIL_NARGS(...)                                                                                     \
  WF_DETAIL_NARGS_(__VA_ARGS__, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, \
                   12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define WF_DETAIL_NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, \
                         _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, N, ...)              \
  N
#define WF_DETAIL_FE_1(f, a) f(a)
#define WF_DETAIL_FE_2(f, a, ...) f(a), WF_DETAIL_FE_1(f, __VA_ARGS__)
#define WF_DETAIL_FE_3(f, a, ...) f(a), WF_DETAIL_FE_2(f, __VA_ARGS__)
#define WF_DETAIL_FE_4(f, a, ...) f(a), WF_DETAIL_FE_3(f, __VA_ARGS__)
#define WF_DETAIL_FE_5(f, a, ...) f(a), WF_DETAIL_FE_4(f, __VA_ARGS__)
#define WF_DETAIL_FE_6(f, a, ...) f(a), WF_DETAIL_FE_5(f, __VA_ARGS__)
#define WF_DETAIL_FE_7(f, a, ...) f(a), WF_DETAIL_FE_6(f, __VA_ARGS__)
#define WF_DETAIL_FE_8(f, a, ...) f(a), WF_DETAIL_FE_7(f, __VA_ARGS__)
#define WF_DETAIL_FE_9(f, a, ...) f(a), WF_DETAIL_FE_8(f, __VA_ARGS__)
#define WF_DETAIL_FE_10(f, a, ...) f(a), WF_DETAIL_FE_9(f, __VA_ARGS__)
#define WF_DETAIL_FE_11(f, a, ...) f(a), WF_DETAIL_FE_10(f, __VA_ARGS__)
#define WF_DETAIL_FE_12(f, a, ...) f(a), WF_DETAIL_FE_11(f, __VA_ARGS__)
#define WF_DETAIL_FE_13(f, a, ...) f(a), WF_DETAIL_FE_12(f, __VA_ARGS__)
#define WF_DETAIL_FE_14(f, a, ...) f(a), WF_DETAIL_FE_13(f, __VA_ARGS__)
#define WF_DETAIL_FE_15(f, a, ...) f(a), WF_DETAIL_FE_14(f, __VA_ARGS__)
#define WF_DETAIL_FE_16(f, a, ...) f(a), WF_DETAIL_FE_15(f, __VA_ARGS__)
#define WF_DETAIL_FE_17(f, a, ...) f(a), WF_DETAIL_FE_16(f, __VA_ARGS__)
#define WF_DETAIL_FE_18(f, a, ...) f(a), WF_DETAIL_FE_17(f, __VA_ARGS__)
#define WF_DETAIL_FE_19(f, a, ...) f(a), WF_DETAIL_FE_18(f, __VA_ARGS__)
#define WF_DETAIL_FE_20(f, a, ...) f(a), WF_DETAIL_FE_19(f, __VA_ARGS__)
#define WF_DETAIL_FE_21(f, a, ...) f(a), WF_DETAIL_FE_20(f, __VA_ARGS__)
#define WF_DETAIL_FE_22(f, a, ...) f(a), WF_DETAIL_FE_21(f, __VA_ARGS__)
#define WF_DETAIL_FE_23(f, a, ...) f(a), WF_DETAIL_FE_22(f, __VA_ARGS__)
#define WF_DETAIL_FE_24(f, a, ...) f(a), WF_DETAIL_FE_23(f, __VA_ARGS__)
#define WF_DETAIL_FE_25(f, a, ...) f(a), WF_DETAIL_FE_24(f, __VA_ARGS__)
#define WF_DETAIL_FE_26(f, a, ...) f(a), WF_DETAIL_FE_25(f, __VA_ARGS__)
#define WF_DETAIL_FE_27(f, a, ...) f(a), WF_DETAIL_FE_26(f, __VA_ARGS__)
#define WF_DETAIL_FE_28(f, a, ...) f(a), WF_DETAIL_FE_27(f, __VA_ARGS__)
#define WF_DETAIL_FE_29(f, a, ...) f(a), WF_DETAIL_FE_28(f, __VA_ARGS__)
#define WF_DETAIL_FE_30(f, a, ...) f(a), WF_DETAIL_FE_29(f, __VA_ARGS__)
#define WF_DETAIL_FE_31(f, a, ...) f(a), WF_DETAIL_FE_30(f, __VA_ARGS__)
#define WF_DETAIL_FE_32(f, a, ...) f(a), WF_DETAIL_FE_31(f, __VA_ARGS__)

// ---- C++ types <-> wf::Value ----------------------------------------------------------------------
//
// ValueTraits<T>: desc(), the wf type T stands for as a descriptor ("i", "[f]", "{si}",
// "<Point|x:f|y:f>"), where `*` is any type, `<*>` any record and `{**}` any dictionary (the
// dynamic forms); to(x), the tree of x; from(v), the T of a tree, or TypeError if v is not one.
// The manifest check lives in libwf: a result's declared type must match desc() (a record by
// its name and field names, in any order), and an argument's tree is checked against the
// parameter's type while it is converted.

namespace detail {

inline const char* kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::Int: return "an int";
    case Value::Kind::Float: return "a float";
    case Value::Kind::Bool: return "a bool";
    case Value::Kind::Str: return "a str";
    case Value::Kind::Array: return "an array";
    case Value::Kind::Tuple: return "a tuple";
    case Value::Kind::Record: return "a record";
    case Value::Kind::Dict: return "a dictionary";
  }
  return "a value";
}

// Throws TypeError unless `v` is a `k` (whose scalar, if it has one, is an S).
template <typename S = void>
void expect_kind(const Value& v, Value::Kind k) {
  bool scalar_ok = true;
  if constexpr (!std::is_void_v<S>) scalar_ok = std::holds_alternative<S>(v.scalar);
  if (v.kind != k || !scalar_ok) throw TypeError(std::string("expected ") + kind_name(k) + ", got " + kind_name(v.kind));
}

template <>
struct ValueTraits<int64_t> {
  static std::string desc() { return "i"; }
  static Value to(int64_t x) { return Value(Value::Kind::Int, x); }
  static int64_t from(const Value& v) {
    expect_kind<int64_t>(v, Value::Kind::Int);
    return std::get<int64_t>(v.scalar);
  }
};
template <>
struct ValueTraits<double> {
  static std::string desc() { return "f"; }
  static Value to(double x) { return Value(Value::Kind::Float, x); }
  static double from(const Value& v) {
    if (v.kind == Value::Kind::Int && std::holds_alternative<int64_t>(v.scalar))
      return (double)std::get<int64_t>(v.scalar);  // an int is a float, as in wf
    expect_kind<double>(v, Value::Kind::Float);
    return std::get<double>(v.scalar);
  }
};
template <>
struct ValueTraits<bool> {
  static std::string desc() { return "b"; }
  static Value to(bool x) { return Value(Value::Kind::Bool, std::variant<int64_t, double, bool, std::string>(std::in_place_type<bool>, x)); }
  static bool from(const Value& v) {
    expect_kind<bool>(v, Value::Kind::Bool);
    return std::get<bool>(v.scalar);
  }
};
template <>
struct ValueTraits<std::string> {
  static std::string desc() { return "s"; }
  static Value to(const std::string& x) { return Value(Value::Kind::Str, x); }
  static std::string from(const Value& v) {
    expect_kind<std::string>(v, Value::Kind::Str);
    return std::get<std::string>(v.scalar);
  }
};
template <typename T>
struct ValueTraits<std::vector<T>> {
  static std::string desc() { return "[" + ValueTraits<T>::desc() + "]"; }
  static Value to(const std::vector<T>& xs) {
    Value v(Value::Kind::Array);
    v.items.reserve(xs.size());
    for (const T& x : xs) v.items.push_back(ValueTraits<T>::to(x));
    return v;
  }
  static std::vector<T> from(const Value& v) {
    expect_kind(v, Value::Kind::Array);
    std::vector<T> out;
    out.reserve(v.items.size());
    for (const Value& x : v.items) out.push_back(ValueTraits<T>::from(x));
    return out;
  }
};
template <typename... Ts>
struct ValueTraits<std::tuple<Ts...>> {
  static std::string desc() { return "(" + (std::string() + ... + ValueTraits<Ts>::desc()) + ")"; }
  static Value to(const std::tuple<Ts...>& t) {
    Value v(Value::Kind::Tuple);
    std::apply([&](const auto&... x) { (v.items.push_back(ValueTraits<std::decay_t<decltype(x)>>::to(x)), ...); }, t);
    return v;
  }
  static std::tuple<Ts...> from(const Value& v) {
    expect_kind(v, Value::Kind::Tuple);
    if (v.items.size() != sizeof...(Ts))
      throw TypeError("expected a tuple of " + std::to_string(sizeof...(Ts)) + ", got one of " +
                      std::to_string(v.items.size()));
    return from_items(v, std::index_sequence_for<Ts...>{});
  }
  template <size_t... I>
  static std::tuple<Ts...> from_items(const Value& v, std::index_sequence<I...>) {
    return std::tuple<Ts...>(ValueTraits<Ts>::from(v.items[I])...);
  }
};

// The dynamic forms.
template <>
struct ValueTraits<Value> {
  static std::string desc() { return "*"; }
  static Value to(const Value& v) { return v; }
  static Value from(const Value& v) { return v; }
};
template <>
struct ValueTraits<Record> {
  static std::string desc() { return "<*>"; }
  static Value to(const Record& r) {
    Value v(Value::Kind::Record, r.type());
    v.items.reserve(r.size());
    v.names.reserve(r.size());
    for (const auto& [name, x] : r) {
      v.names.push_back(name);
      v.items.push_back(x);
    }
    return v;
  }
  static Record from(const Value& v) {
    expect_kind<std::string>(v, Value::Kind::Record);
    if (v.names.size() != v.items.size()) throw TypeError("a record whose names and fields differ in number");
    std::vector<Record::Field> fields;
    fields.reserve(v.items.size());
    for (size_t i = 0; i < v.items.size(); ++i) fields.emplace_back(v.names[i], v.items[i]);
    return Record(std::get<std::string>(v.scalar), std::move(fields));
  }
};
template <>
struct ValueTraits<Dict> {
  static std::string desc() { return "{**}"; }
  static Value to(const Dict& d) {
    Value v(Value::Kind::Dict);
    v.items.reserve(2 * d.size());
    for (const auto& [k, x] : d) {
      v.items.push_back(k);
      v.items.push_back(x);
    }
    return v;
  }
  static Dict from(const Value& v) {
    expect_kind(v, Value::Kind::Dict);
    Dict d;
    for (size_t i = 0; i + 1 < v.items.size(); i += 2) d[v.items[i]] = v.items[i + 1];
    return d;
  }
};

// std::map and std::unordered_map: a wf dictionary. Sent in the map's iteration order; a
// received dictionary's keys go in in wf's insertion order.
template <typename M>
struct MapTraits {
  using K = typename M::key_type;
  using V = typename M::mapped_type;
  static std::string desc() { return "{" + ValueTraits<K>::desc() + ValueTraits<V>::desc() + "}"; }
  static Value to(const M& m) {
    Value v(Value::Kind::Dict);
    v.items.reserve(2 * m.size());
    for (const auto& [k, x] : m) {
      v.items.push_back(ValueTraits<K>::to(k));
      v.items.push_back(ValueTraits<V>::to(x));
    }
    return v;
  }
  static M from(const Value& v) {
    expect_kind(v, Value::Kind::Dict);
    M m;
    for (size_t i = 0; i + 1 < v.items.size(); i += 2)
      m.insert_or_assign(ValueTraits<K>::from(v.items[i]), ValueTraits<V>::from(v.items[i + 1]));
    return m;
  }
};
template <typename K, typename V, typename C, typename A>
struct ValueTraits<std::map<K, V, C, A>> : MapTraits<std::map<K, V, C, A>> {};
template <typename K, typename V, typename H, typename E, typename A>
struct ValueTraits<std::unordered_map<K, V, H, E, A>> : MapTraits<std::unordered_map<K, V, H, E, A>> {};

// An adapted struct: a record, field by field through RecordAdapter<T>::fields.
template <typename T>
struct ValueTraits<T, std::enable_if_t<HasAdapter<T>::value>> {
  using Adapter = RecordAdapter<T>;
  template <typename F>
  using Member = Canonical<typename std::decay_t<F>::member_type>;

  static std::string desc() {
    std::string d = std::string("<") + Adapter::name;
    std::apply([&](const auto&... f) { ((d += std::string("|") + f.name + ":" + ValueTraits<Member<decltype(f)>>::desc()), ...); },
               Adapter::fields);
    return d + ">";
  }
  static Value to(const T& x) {
    Value v(Value::Kind::Record, std::string(Adapter::name));
    std::apply(
        [&](const auto&... f) {
          ((v.names.push_back(f.name),
            v.items.push_back(ValueTraits<Member<decltype(f)>>::to(Member<decltype(f)>(x.*(f.member))))),
           ...);
        },
        Adapter::fields);
    return v;
  }
  static T from(const Value& v) {
    expect_kind<std::string>(v, Value::Kind::Record);
    const std::string& type = std::get<std::string>(v.scalar);
    if (type != Adapter::name) throw TypeError(std::string("expected a `") + Adapter::name + "`, got a `" + type + "`");
    if (v.items.size() != std::tuple_size_v<std::decay_t<decltype(Adapter::fields)>>)
      throw TypeError(std::string("`") + Adapter::name + "` has " + std::to_string(v.items.size()) + " fields, its C++ struct " +
                      std::to_string(std::tuple_size_v<std::decay_t<decltype(Adapter::fields)>>));
    T out{};
    std::apply([&](const auto&... f) { (read_field(v, f, out), ...); }, Adapter::fields);
    return out;
  }
  template <typename F>
  static void read_field(const Value& v, const F& f, T& out) {
    for (size_t i = 0; i < v.items.size() && i < v.names.size(); ++i) {
      if (v.names[i] != f.name) continue;
      try {
        out.*(f.member) = static_cast<typename F::member_type>(ValueTraits<Member<F>>::from(v.items[i]));
      } catch (const TypeError& e) {
        throw TypeError(std::string("field `") + f.name + "` of `" + Adapter::name + "`: " + e.what());
      }
      return;
    }
    throw TypeError(std::string("`") + Adapter::name + "` has no field `" + f.name + "`");
  }
};

}  // namespace detail

template <typename T>
T Record::as() const {
  return detail::ValueTraits<T>::from(detail::ValueTraits<Record>::to(*this));
}
template <typename M>
M Dict::as() const {
  return detail::ValueTraits<M>::from(detail::ValueTraits<Dict>::to(*this));
}

namespace detail {

struct Typed {
  std::string desc;
  Value value;
};
template <typename T>
Typed typed(T&& x) {
  using C = Canonical<T>;
  return {ValueTraits<C>::desc(), ValueTraits<C>::to(C(std::forward<T>(x)))};
}

struct Engine;
struct ProgramState;
struct FutureState;
struct PoolState;
struct MapState;
}  // namespace detail

// ---- programs, futures, pools -------------------------------------------------------------------

// How a pool's workers start (docs/cli.md "Launchers").
enum class Launcher {
  Default,    // Flux inside a Flux instance (FLUX_URI set), else Mpirun if Open MPI is installed, else Local
  Mpirun,     // one mpirun launch of all ranks: serial and mpi(ranks=N) tasks
  Local,      // plain processes: serial and mpi(ranks=1) tasks only
  Slurm,      // srun inside a Slurm allocation
  InProcess,  // threads of the host itself (no processes; a crashing task ends the host)
  Flux,       // one Flux job per pool, inside a Flux instance
};

struct Options {
  int workers = 0;                      // ranks of the default pool; 0 = number of cores
  Launcher launcher = Launcher::Default;
  bool oversubscribe = false;
  std::string cwd = {};                 // tasks' working directory ("" = the host's)
  std::string hostfile = {};            // Open MPI hostfile (multi-node, TCP + CURVE)
  std::string cache = {};               // result cache directory (docs/cache.md); "" = none
  bool cache_errors = false;            // with `cache`: failed tasks are cached too
};

// What a function of the program is. Only Fn and Mpi run as tasks.
enum class FunctionKind {
  Fn,      // fn: a serial task
  Mpi,     // mpi(ranks=N) fn: a task on N ranks
  Flow,    // flow: runs in a driver, not callable from C++ (the host plays the flow)
  Extern,  // extern fn: a C function for wf code to call
};

class Function {
 public:
  const std::string& name() const { return name_; }
  FunctionKind kind() const { return kind_; }
  // Ranks a call occupies: N for mpi(ranks=N), else 1.
  int ranks() const { return ranks_; }
  // Parameter and result types as wf descriptors ("i", "[f]", "(is)", "{si}",
  // "<Point|x:f|y:f>"; "v" for no result).
  const std::vector<std::string>& params() const { return params_; }
  const std::string& result() const { return result_; }

 private:
  friend class Program;
  friend class Runtime;
  friend class Pool;
  std::shared_ptr<detail::ProgramState> program_;
  int index_ = -1;
  FunctionKind kind_ = FunctionKind::Fn;
  int ranks_ = 1;
  std::string name_, result_;
  std::vector<std::string> params_;
};

class Program {
 public:
  // The function called `name`; throws UnknownFunction if there is none.
  Function operator[](const std::string& name) const;
  std::vector<std::string> function_names() const;

 private:
  friend class Runtime;
  std::shared_ptr<detail::ProgramState> state_;
};

// What one submission asks for beyond the function's declaration (LANGUAGE.md §18): 0 keeps
// the declaration's. `ranks` is for an `mpi fn` (one declared without `ranks=` needs it);
// `threads` holds that many worker slots per rank and sets OMP_NUM_THREADS for the task;
// `chunk` (maps) sends that many elements per message.
struct TaskOptions {
  int ranks = 0;
  int threads = 0;
  int chunk = 1;
};

// The result of one task, like std::future but copyable and type-checked at get().
class Future {
 public:
  // Waits; returns the value or throws TaskError. T must match the function's result type
  // (else TypeError).
  template <typename T>
  T get() const {
    Value v = wait_value(detail::ValueTraits<T>::desc());
    return detail::ValueTraits<T>::from(v);
  }
  void wait() const;
  // Waits at most `seconds`; true if the task is done (value or error) by then.
  bool wait_for(double seconds) const;
  bool done() const;
  // Waits; "" if the task succeeded, else its error message.
  std::string error() const;
  // Withdraws the task if it has not started (LANGUAGE.md §17): true, and get() throws a
  // TaskError "cancelled"; false for a task that runs, ran, or was cancelled already.
  bool cancel() const;

 private:
  friend class Pool;
  friend size_t wait_any(const std::vector<Future>& futures);
  Value wait_value(const std::string& desc) const;
  std::shared_ptr<detail::ProgramState> program_;
  detail::FutureState* state_ = nullptr;
};

// Blocks until one of `futures` is done; the lowest index of a done one. Throws wf::Error for
// an empty vector (it would wait forever).
size_t wait_any(const std::vector<Future>& futures);

// The results of one map_async, in input order: every element's task is already submitted
// (one message per `chunk` elements); get<R>() waits for all of them.
class MapFuture {
 public:
  // Waits; the results in input order, or throws the TaskError of the first failing element
  // (in input order). R must match the function's result type (else TypeError).
  template <typename R>
  std::vector<R> get() const {
    std::vector<Value> items = wait_values(detail::ValueTraits<R>::desc());
    std::vector<R> out;
    out.reserve(items.size());
    for (const Value& v : items) out.push_back(detail::ValueTraits<R>::from(v));
    return out;
  }
  void wait() const;
  // Every element finished (value or error)? Never blocks.
  bool done() const;
  // Waits; "" if every element succeeded, else the first failing element's message.
  std::string error() const;
  // Number of elements mapped over.
  size_t size() const;

 private:
  friend class Pool;
  std::vector<Value> wait_values(const std::string& desc) const;
  std::shared_ptr<detail::MapState> state_;
};

// A pool of its own (workers, cwd, oversubscribe), for functions of one program.
class Pool {
 public:
  template <typename... Args>
  Future submit(const Function& f, Args&&... args) const {
    return submit_values(f, {detail::typed(std::forward<Args>(args))...}, TaskOptions{});
  }
  // With ranks/threads: `pool.submit({.ranks = 4}, solve, n)`.
  template <typename... Args>
  Future submit(const TaskOptions& options, const Function& f, Args&&... args) const {
    return submit_values(f, {detail::typed(std::forward<Args>(args))...}, options);
  }
  // f(x) for every element as tasks, returning at once (like std::async): one message per
  // `chunk` elements. Type errors in the call are thrown here, before anything runs.
  template <typename T>
  MapFuture map_async(const Function& f, const std::vector<T>& xs, int chunk = 1) const {
    return map_async(f, xs, TaskOptions{0, 0, chunk});
  }
  template <typename T>
  MapFuture map_async(const Function& f, const std::vector<T>& xs, const TaskOptions& options) const {
    return map_values(f, detail::ValueTraits<T>::desc(), detail::ValueTraits<std::vector<T>>::to(xs), nullptr, options);
  }
  // The blocking form: map_async(f, xs, chunk).get<R>(), with R checked before anything runs.
  template <typename R, typename T>
  std::vector<R> map(const Function& f, const std::vector<T>& xs, int chunk = 1) const {
    return map<R>(f, xs, TaskOptions{0, 0, chunk});
  }
  template <typename R, typename T>
  std::vector<R> map(const Function& f, const std::vector<T>& xs, const TaskOptions& options) const {
    const std::string result_desc = detail::ValueTraits<R>::desc();
    return map_values(f, detail::ValueTraits<T>::desc(), detail::ValueTraits<std::vector<T>>::to(xs), &result_desc,
                      options)
        .template get<R>();
  }

 private:
  friend class Runtime;
  Future submit_values(const Function& f, std::vector<detail::Typed> args, const TaskOptions& options) const;
  MapFuture map_values(const Function& f, const std::string& item_desc, const Value& items,
                       const std::string* result_desc, const TaskOptions& options) const;
  std::shared_ptr<detail::PoolState> state_;
};

// The engine: compiles or loads programs and runs their functions as tasks.
class Runtime {
 public:
  explicit Runtime(Options options = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  Program compile_file(const std::string& path, int opt_level = 2);  // throws CompileError
  Program load(const std::string& wfo_path);                         // throws LoadError

  // Tasks on the default pool of the function's program.
  template <typename... Args>
  Future submit(const Function& f, Args&&... args) {
    return default_pool(f).submit(f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  Future submit(const TaskOptions& options, const Function& f, Args&&... args) {
    return default_pool(f).submit(options, f, std::forward<Args>(args)...);
  }
  template <typename R, typename T>
  std::vector<R> map(const Function& f, const std::vector<T>& xs, const TaskOptions& options) {
    return default_pool(f).map<R>(f, xs, options);
  }
  template <typename T>
  MapFuture map_async(const Function& f, const std::vector<T>& xs, int chunk = 1) {
    return default_pool(f).map_async(f, xs, chunk);
  }
  template <typename R, typename T>
  std::vector<R> map(const Function& f, const std::vector<T>& xs, int chunk = 1) {
    return default_pool(f).map<R>(f, xs, chunk);
  }
  // A new pool; unset options come from the Runtime's. It runs the functions of every program
  // of this Runtime, as does the default pool.
  Pool pool(Options options);
  Pool pool(const Program& program, Options options);  // the same; `program` is not needed
  // The pool that Runtime::submit and map use: started on first use, shared by all programs.
  Pool default_pool();

  const Options& options() const { return options_; }

 private:
  Pool default_pool(const Function& f);
  Options options_;
  std::shared_ptr<detail::Engine> engine_;
};

}  // namespace wf
