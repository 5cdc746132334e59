// The programs whose tasks a driver runs. `wfc run` has one; an embedding wf::Runtime adds one
// per program it compiles or loads, and every pool of that runtime runs tasks of any of them:
// workers are started once and each is sent a program's object the first time it is given a
// task of that program (driver/process_executor). A function is named by its program's id and
// its index in that program's manifest (FunctionId), on the wire too.
//
// Append-only: an id, once given, names the same program until the set is destroyed, and the
// set keeps every program loaded (futures and pools may refer to any of them). Thread-safe:
// the host's threads add programs while executors' I/O threads read them.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "jit/loader.hpp"

namespace wf::detail {

struct FunctionId {
  int32_t program = 0;
  int32_t fn = 0;
};

// The programs' functions, as the scheduler needs them (names, result types, ranks); a test
// can give the scheduler a table without loading any program.
class FunctionTable {
 public:
  virtual ~FunctionTable() = default;
  virtual const ManifestFunction& function(FunctionId f) const = 0;
};

class ProgramSet : public FunctionTable {
 public:
  // Takes `program` in; returns its id (0 for the first).
  int32_t add(std::unique_ptr<LoadedProgram> program);
  const LoadedProgram& program(int32_t id) const;
  const ManifestFunction& function(FunctionId f) const override {
    return program(f.program).manifest().functions[(size_t)f.fn];
  }
  // The program's object as workers receive it (encoded once, on first use).
  const std::string& object_bytes(int32_t id) const;
  int32_t size() const;

 private:
  struct Entry {
    std::unique_ptr<LoadedProgram> program;
    mutable std::once_flag encoded_once;
    mutable std::string encoded;
  };
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;  // a deque: adding never moves the entries others read
};

}  // namespace wf::detail
