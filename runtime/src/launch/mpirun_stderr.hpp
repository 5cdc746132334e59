// Reading mpirun's standard error on its way to the user's terminal.
//
// Open MPI prints its help messages as blocks between lines of dashes, 20-30 lines each, in
// ORTE's words ("slots", "an internal error has occurred ... report to the developers"). The
// reader holds a block until it closes, and replaces the blocks wf can explain with nothing:
// their one-line explanation (`diagnosis()`) becomes part of wf's own error ("workers failed
// to start: ..."), which already names the fix. Everything else passes through unchanged,
// except one known harmless line (PMIx's BAD-PARAM notice on every rank death under
// --enable-recovery). Pure text in, text out, so it is unit-tested without mpirun.
#pragma once

#include <string>
#include <vector>

namespace wf::detail {

class MpirunStderr {
 public:
  // One line as read (with or without its '\n'). Returns what to print now (possibly empty).
  std::string feed(const std::string& line);
  // At end of stream: whatever is still held (an unclosed block).
  std::string finish();
  // The explanation of the launch failure mpirun reported, or "".
  const std::string& diagnosis() const { return diagnosis_; }

 private:
  std::string close_block();

  bool in_block_ = false;
  std::vector<std::string> block_;
  std::string diagnosis_;
};

}  // namespace wf::detail
