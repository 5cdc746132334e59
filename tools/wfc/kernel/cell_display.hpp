// What a running cell shows in the notebook, as Jupyter iopub messages: the session's
// CellEvents turned into `stream`, `display_data` and `update_display_data`.
//
// Task output and the flow's prints are streams, one message per delivery (the session hands
// over whole lines). A map's progress is one display per map, created the first time the map
// reports and updated in place after that (`transient.display_id`), so a 1000-item map leaves
// one line in the notebook, not a thousand: `map 412/1000` as text/plain, a <progress> bar as
// text/html, and the session's one-line summary once the map has finished.
//
// Updates are rate-limited here (at most one per display every 100 ms, and always the last
// one): a map of tiny tasks reports far faster than a browser redraws, and every update is a
// message the frontend must parse. What was held back is sent when the map finishes or the
// cell ends (`finish`).
//
// Display ids must be unique in the whole notebook, across kernel restarts (a frontend updates
// every output that carries the id), so they are made of this kernel's pid, a start time, the
// cell's number and the session's id of the map.
//
// Everything is called on the thread that runs the cell, the only one that may publish.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include <xeus/xinterpreter.hpp>

#include "notebook/notebook_session.hpp"

namespace wf::kernel {

class CellDisplay : public notebook::CellEvents {
 public:
  // `silent`: Jupyter's `silent` execute option; nothing is published.
  CellDisplay(xeus::xinterpreter& publisher, const std::string& kernel_tag, int cell, bool silent);

  void output(const std::string& stream, const std::string& text) override;
  void progress(const std::string& id, size_t done, size_t total, bool finished,
                const std::string& summary) override;
  // Sends the progress updates held back by the rate limit.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  struct Shown {
    std::string display_id;
    Clock::time_point sent;
    bool pending = false;  // the last state was not sent yet
    size_t done = 0, total = 0;
    bool finished = false;
    std::string summary;
  };
  void send(Shown& shown, bool first);

  xeus::xinterpreter& publisher_;
  std::string tag_;  // the display-id prefix of this cell
  bool silent_;
  std::map<std::string, Shown> shown_;
};

// The display bundle of one map's progress (text/plain and text/html).
nl::json progress_bundle(size_t done, size_t total, bool finished, const std::string& summary);

}  // namespace wf::kernel
