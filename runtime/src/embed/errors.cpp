// The API's exceptions (see errors.hpp).
#include "embed/errors.hpp"

namespace wf {

std::string TaskError::report() const {
  detail::RuntimeError e{what(), frames_, task_, {}};
  return e.render();
}

namespace detail {

void throw_task_error(const RuntimeError& error) { throw TaskError(error.message, error.frames, error.task); }

}  // namespace detail
}  // namespace wf
