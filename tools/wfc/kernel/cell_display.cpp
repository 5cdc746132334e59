// The design notes for this module are atop cell_display.hpp.
#include "kernel/cell_display.hpp"

#include "notebook/cell_display.hpp"

namespace wf::kernel {

namespace {

constexpr auto kMinUpdateInterval = std::chrono::milliseconds(100);

}  // namespace

nl::json progress_bundle(size_t done, size_t total, bool finished, const std::string& summary) {
  std::string text = finished && !summary.empty()
                         ? summary
                         : "map " + std::to_string(done) + "/" + std::to_string(total);
  size_t max = total > 0 ? total : 1;
  std::string bar = "<progress value=\"" + std::to_string(total > 0 ? done : (finished ? 1 : 0)) + "\" max=\"" +
                    std::to_string(max) + "\" style=\"width: 20em; vertical-align: middle\"></progress> ";
  return nl::json{{"text/plain", text},
                  {"text/html", "<div>" + bar + "<code>" + notebook::html_escaped(text) + "</code></div>"}};
}

CellDisplay::CellDisplay(xeus::xinterpreter& publisher, const std::string& kernel_tag, int cell, bool silent)
    : publisher_(publisher), tag_(kernel_tag + "-cell" + std::to_string(cell) + "-"), silent_(silent) {}

void CellDisplay::output(const std::string& stream, const std::string& text) {
  if (silent_ || text.empty()) return;
  publisher_.publish_stream(stream == "stderr" ? "stderr" : "stdout", text);
}

void CellDisplay::progress(const std::string& id, size_t done, size_t total, bool finished,
                           const std::string& summary) {
  if (silent_) return;
  auto [it, first] = shown_.try_emplace(id);
  Shown& shown = it->second;
  if (shown.finished) return;  // a late report after the summary changes nothing
  shown.done = done, shown.total = total, shown.finished = finished, shown.summary = summary;
  if (first) {
    shown.display_id = tag_ + id;
    send(shown, true);
  } else if (finished || Clock::now() - shown.sent >= kMinUpdateInterval) {
    send(shown, false);
  } else {
    shown.pending = true;
  }
}

void CellDisplay::finish() {
  for (auto& [id, shown] : shown_)
    if (shown.pending) send(shown, false);
}

void CellDisplay::send(Shown& shown, bool first) {
  nl::json data = progress_bundle(shown.done, shown.total, shown.finished, shown.summary);
  nl::json transient = {{"display_id", shown.display_id}};
  if (first) publisher_.display_data(std::move(data), nl::json::object(), std::move(transient));
  else publisher_.update_display_data(std::move(data), nl::json::object(), std::move(transient));
  shown.sent = Clock::now();
  shown.pending = false;
}

}  // namespace wf::kernel
