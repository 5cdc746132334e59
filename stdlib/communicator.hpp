// The ranks of one MPI task, as the MPI built-ins of LANGUAGE.md §7 see them. The runtime
// implements it over a real MPI communicator on workers (runtime/src/worker); without one
// (a task run in the driver) the built-ins behave as a task of one rank.
//
// Methods throw std::runtime_error on failure; the built-ins turn that into a task error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wf::detail {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() = 0;
  virtual int size() = 0;
  virtual void barrier() = 0;
  // In place, element-wise; op 0 sum, 1 min, 2 max.
  virtual void allreduce_int(int64_t* data, int count, int op) = 0;
  virtual void allreduce_float(double* data, int count, int op) = 0;
  // Values travel encoded (value_codec.hpp).
  virtual std::string bcast(const std::string& bytes, int root) = 0;
  // On `root` (or everywhere with `all`) every rank's bytes, in rank order; else empty.
  virtual std::vector<std::string> gather(const std::string& bytes, int root, bool all) = 0;
  virtual void send(const std::string& bytes, int dest, int tag) = 0;
  virtual std::string recv(int src, int tag) = 0;
};

}  // namespace wf::detail
