// The design notes for this module are atop mpi_agreement.hpp.
#include "driver/mpi_agreement.hpp"

namespace wf::detail {

bool OutcomeAgreement::report(BatchOutcome&& r) {
  ++reports_;
  bool leader = ranks_ == 1 || r.rank == 0;
  int precedence = r.ok ? 0 : r.aborted ? 1 : 2;
  bool better = !have_ || (leader && precedence_ == 0 && precedence == 0) || precedence > precedence_ ||
                (precedence == precedence_ && precedence > 0 && r.rank < outcome_.rank);
  if ((leader || !r.ok) && better) {
    outcome_ = std::move(r);
    precedence_ = precedence;
    have_ = true;
  }
  return reports_ >= ranks_;
}

}  // namespace wf::detail
