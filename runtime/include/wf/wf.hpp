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
// std::string (`str`), std::vector<T> (`[T]`) and std::tuple<...> (tuples). Every call is
// checked against the function's types in the program's manifest, and a mismatch throws
// wf::TypeError before anything runs. A task that fails throws wf::TaskError from get(),
// with the remote message, frames and the "in task ... on worker n" line. Every exception
// of the API derives from wf::Error.
//
// This header depends on the standard library only; the runtime behind it lives in libwf.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
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

// A wf value built from, or read into, C++ values. `items` holds array elements or tuple fields.
struct Value {
  enum Kind { Int, Float, Bool, Str, Array, Tuple } kind = Int;
  std::variant<int64_t, double, bool, std::string> scalar;
  std::vector<Value> items;
};

namespace detail {
template <typename T>
struct ValueTraits;

template <>
struct ValueTraits<int64_t> {
  static std::string desc() { return "i"; }
  static Value to(int64_t v) { return {Value::Int, v, {}}; }
  static int64_t from(const Value& v) { return std::get<int64_t>(v.scalar); }
};
template <>
struct ValueTraits<double> {
  static std::string desc() { return "f"; }
  static Value to(double v) { return {Value::Float, v, {}}; }
  static double from(const Value& v) { return std::get<double>(v.scalar); }
};
template <>
struct ValueTraits<bool> {
  static std::string desc() { return "b"; }
  static Value to(bool v) { return {Value::Bool, v, {}}; }
  static bool from(const Value& v) { return std::get<bool>(v.scalar); }
};
template <>
struct ValueTraits<std::string> {
  static std::string desc() { return "s"; }
  static Value to(const std::string& v) { return {Value::Str, v, {}}; }
  static std::string from(const Value& v) { return std::get<std::string>(v.scalar); }
};
template <typename T>
struct ValueTraits<std::vector<T>> {
  static std::string desc() { return "[" + ValueTraits<T>::desc() + "]"; }
  static Value to(const std::vector<T>& xs) {
    Value v{Value::Array, int64_t{0}, {}};
    v.items.reserve(xs.size());
    for (const T& x : xs) v.items.push_back(ValueTraits<T>::to(x));
    return v;
  }
  static std::vector<T> from(const Value& v) {
    std::vector<T> out;
    out.reserve(v.items.size());
    for (const Value& x : v.items) out.push_back(ValueTraits<T>::from(x));
    return out;
  }
};
template <typename... Ts>
struct ValueTraits<std::tuple<Ts...>> {
  static std::string desc() { return "(" + (ValueTraits<Ts>::desc() + ...) + ")"; }
  static Value to(const std::tuple<Ts...>& t) {
    Value v{Value::Tuple, int64_t{0}, {}};
    std::apply([&](const auto&... x) { (v.items.push_back(ValueTraits<std::decay_t<decltype(x)>>::to(x)), ...); }, t);
    return v;
  }
  static std::tuple<Ts...> from(const Value& v) {
    return from_items(v, std::index_sequence_for<Ts...>{});
  }
  template <size_t... I>
  static std::tuple<Ts...> from_items(const Value& v, std::index_sequence<I...>) {
    return std::tuple<Ts...>(ValueTraits<Ts>::from(v.items[I])...);
  }
};

// C++ argument types that stand for a wf type: integers other than int64_t, C strings.
template <typename T>
using Canonical = std::conditional_t<
    std::is_same_v<std::decay_t<T>, bool>, bool,
    std::conditional_t<std::is_integral_v<std::decay_t<T>>, int64_t,
                       std::conditional_t<std::is_floating_point_v<std::decay_t<T>>, double,
                                          std::conditional_t<std::is_convertible_v<T, std::string> &&
                                                                 !std::is_same_v<std::decay_t<T>, std::string>,
                                                             std::string, std::decay_t<T>>>>>;

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
  Default,    // Mpirun if Open MPI is installed, else Local
  Mpirun,     // one mpirun launch of all ranks: serial and mpi(ranks=N) tasks
  Local,      // plain processes: serial and mpi(ranks=1) tasks only
  Slurm,      // srun inside a Slurm allocation
  InProcess,  // threads of the host itself (no processes; a crashing task ends the host)
};

struct Options {
  int workers = 0;                      // ranks of the default pool; 0 = number of cores
  Launcher launcher = Launcher::Default;
  bool oversubscribe = false;
  std::string cwd = {};                 // tasks' working directory ("" = the host's)
  std::string hostfile = {};            // Open MPI hostfile (multi-node, TCP + CURVE)
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
  // Parameter and result types as wf descriptors ("i", "[f]", "(is)"; "v" for no result).
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
  bool done() const;
  // Waits; "" if the task succeeded, else its error message.
  std::string error() const;

 private:
  friend class Pool;
  Value wait_value(const std::string& desc) const;
  std::shared_ptr<detail::ProgramState> program_;
  detail::FutureState* state_ = nullptr;
};

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
    return submit_values(f, {detail::typed(std::forward<Args>(args))...});
  }
  // f(x) for every element as tasks, returning at once (like std::async): one message per
  // `chunk` elements. Type errors in the call are thrown here, before anything runs.
  template <typename T>
  MapFuture map_async(const Function& f, const std::vector<T>& xs, int chunk = 1) const {
    return map_values(f, detail::ValueTraits<T>::desc(), detail::ValueTraits<std::vector<T>>::to(xs), nullptr, chunk);
  }
  // The blocking form: map_async(f, xs, chunk).get<R>(), with R checked before anything runs.
  template <typename R, typename T>
  std::vector<R> map(const Function& f, const std::vector<T>& xs, int chunk = 1) const {
    const std::string result_desc = detail::ValueTraits<R>::desc();
    return map_values(f, detail::ValueTraits<T>::desc(), detail::ValueTraits<std::vector<T>>::to(xs), &result_desc,
                      chunk)
        .template get<R>();
  }

 private:
  friend class Runtime;
  Future submit_values(const Function& f, std::vector<detail::Typed> args) const;
  MapFuture map_values(const Function& f, const std::string& item_desc, const Value& items,
                       const std::string* result_desc, int chunk) const;
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
