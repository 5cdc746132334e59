// The inputs (and shown values) of the session's cells, for Jupyter's history requests: a
// console's up-arrow, a frontend's history search. xeus 2.4 has an in-memory history manager,
// but it numbers every cell 1 and answers `output=True` with a flat list, not the protocol's
// (input, output) pair, so `range` and output requests come back wrong; this one follows the
// protocol (messaging.html#history) the way IPython's kernel answers it:
//
//   tail N            the last N cells, oldest first
//   range S, A..B     cells A to B-1 of session S (only the current session exists)
//   search PATTERN    cells whose whole input matches the glob PATTERN (`*`, `?`), the last
//                     N of them (all when N is not positive), each input once if `unique`
//
// Every entry is (session, line, input), or (session, line, (input, output)) with `output`,
// where output is the text/plain of the value the cell showed, or null. Line is the cell's
// execution count, which WfInterpreter tells (xeus 2.4 passes 1 for every cell). The history
// lives as long as the kernel process: a kernel restart in Jupyter starts a new session anyway.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <xeus/xhistory_manager.hpp>

namespace wf::kernel {

class CellHistory : public xeus::xhistory_manager {
 public:
  // The cell about to run: the line its input is stored under.
  void note_cell(int line) { line_ = line; }
  // The value cell `line` showed (WfInterpreter calls it before xeus stores the input).
  void note_output(int line, const std::string& text);

 private:
  struct Entry {
    int line;
    std::string input;
  };

  void configure_impl() override {}
  void store_inputs_impl(int session, int line_num, const std::string& input, const std::string& output) override;
  nl::json get_tail_impl(int n, bool raw, bool output) const override;
  nl::json get_range_impl(int session, int start, int stop, bool raw, bool output) const override;
  nl::json search_impl(const std::string& pattern, bool raw, bool output, int n, bool unique) const override;

  nl::json entry_json(const Entry& e, bool output) const;
  static nl::json reply(nl::json history);

  static constexpr int kSession = 1;
  std::vector<Entry> entries_;
  std::map<int, std::string> outputs_;
  int line_ = 0;
};

// Whether all of `text` matches the glob `pattern` (`*` any run of characters, `?` one).
bool glob_matches(const std::string& pattern, const std::string& text);

}  // namespace wf::kernel
