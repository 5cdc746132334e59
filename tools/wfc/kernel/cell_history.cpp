// The design notes for this module are atop cell_history.hpp.
#include "kernel/cell_history.hpp"

#include <set>

namespace wf::kernel {

bool glob_matches(const std::string& pattern, const std::string& text) {
  // Iterative matching with one backtrack point, the last `*` seen.
  size_t p = 0, t = 0, star = std::string::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++, resume = t;
    } else if (star != std::string::npos) {
      p = star + 1, t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

void CellHistory::note_output(int line, const std::string& text) { outputs_[line] = text; }

void CellHistory::store_inputs_impl(int session, int line_num, const std::string& input, const std::string& output) {
  int line = line_ > 0 ? line_ : static_cast<int>(entries_.size()) + 1;
  if (!entries_.empty() && entries_.back().line == line) entries_.back().input = input;  // one entry a cell
  else entries_.push_back({line, input});
}

nl::json CellHistory::entry_json(const Entry& e, bool output) const {
  if (!output) return nl::json::array({kSession, e.line, e.input});
  auto it = outputs_.find(e.line);
  nl::json shown = it == outputs_.end() ? nl::json() : nl::json(it->second);
  return nl::json::array({kSession, e.line, nl::json::array({e.input, shown})});
}

nl::json CellHistory::reply(nl::json history) { return nl::json{{"status", "ok"}, {"history", std::move(history)}}; }

nl::json CellHistory::get_tail_impl(int n, bool raw, bool output) const {
  nl::json history = nl::json::array();
  size_t count = n > 0 ? std::min(entries_.size(), static_cast<size_t>(n)) : entries_.size();
  for (size_t i = entries_.size() - count; i < entries_.size(); ++i) history.push_back(entry_json(entries_[i], output));
  return reply(std::move(history));
}

nl::json CellHistory::get_range_impl(int session, int start, int stop, bool raw, bool output) const {
  nl::json history = nl::json::array();
  if (session == kSession || session <= 0) {  // 0 and negative: counted from the current one
    for (const Entry& e : entries_)
      if (e.line >= start && (stop <= 0 || e.line < stop)) history.push_back(entry_json(e, output));
  }
  return reply(std::move(history));
}

nl::json CellHistory::search_impl(const std::string& pattern, bool raw, bool output, int n, bool unique) const {
  // Newest first, so that `n` and `unique` keep the most recent; then back to oldest first.
  std::vector<const Entry*> found;
  std::set<std::string> seen;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (n > 0 && static_cast<int>(found.size()) >= n) break;
    if (!glob_matches(pattern, it->input)) continue;
    if (unique && !seen.insert(it->input).second) continue;
    found.push_back(&*it);
  }
  nl::json history = nl::json::array();
  for (auto it = found.rbegin(); it != found.rend(); ++it) history.push_back(entry_json(**it, output));
  return reply(std::move(history));
}

}  // namespace wf::kernel
