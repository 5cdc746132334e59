// The one outcome of an MPI batch, agreed from the reports of its ranks.
//
// Every rank of an MPI task reports. The batch's outcome is rank 0's result if every rank
// succeeded, else the error of the lowest rank that failed by itself: a rank that stopped
// because another rank failed (an ABORT it received) reports only a consequence. A serial
// batch has one rank, whose report is the outcome. Kept apart from the executor's I/O so
// that the rule is tested on its own.
#pragma once

#include <cstddef>

#include "task/task_runner.hpp"

namespace wf::detail {

class OutcomeAgreement {
 public:
  explicit OutcomeAgreement(size_t ranks = 1) : ranks_(ranks) {}
  // One rank's report (`rank` is its task rank; -1 or 0 for a serial batch). True once
  // every rank has reported.
  bool report(BatchOutcome&& r);
  BatchOutcome take() { return std::move(outcome_); }

 private:
  size_t ranks_;
  size_t reports_ = 0;
  BatchOutcome outcome_;
  int precedence_ = 0;  // of outcome_: 0 success, 1 aborted by another rank, 2 own failure
  bool have_ = false;
};

}  // namespace wf::detail
