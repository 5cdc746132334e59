// The program registry (see program_set.hpp).
#include "driver/program_set.hpp"

namespace wf::detail {

int32_t ProgramSet::add(std::unique_ptr<LoadedProgram> program) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.emplace_back().program = std::move(program);
  return (int32_t)entries_.size() - 1;
}

const LoadedProgram& ProgramSet::program(int32_t id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return *entries_.at((size_t)id).program;
}

const std::string& ProgramSet::object_bytes(int32_t id) const {
  const Entry* e;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    e = &entries_.at((size_t)id);
  }
  std::call_once(e->encoded_once, [e] { e->encoded = encode_wfo(e->program->object()); });
  return e->encoded;
}

int32_t ProgramSet::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return (int32_t)entries_.size();
}

}  // namespace wf::detail
