// Where `print` and `eprint` go. In the driver they write whole lines to the process's
// stdout/stderr under one lock, so lines from concurrent tasks never interleave; on a worker
// the runtime installs a sink that forwards each line to the driver (RUNTIME.md).
#pragma once

#include <string_view>

namespace wf::detail {

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  // `stream` is 1 (stdout) or 2 (stderr); `text` is one or more whole lines.
  virtual void write(int stream, std::string_view text) = 0;
};

// Writes to the process's own stdout/stderr, whole lines at a time.
void write_process_output(int stream, std::string_view text);
void flush_process_output();  // also ends an open status line
// From now on write_process_output hands everything to `sink` (null: the process's own
// stdout/stderr again). The notebook session sends the output of its cells' tasks there.
void redirect_process_output(OutputSink* sink);

// A status line on stderr (a map's progress bar), redrawn in place with '\r'. Until it is
// ended, any other output first moves to a new line, so no text is glued onto the bar and
// the terminal's cursor is never left at the end of it (an error, Ctrl-C, the run's end).
void write_status_line(std::string_view text);
void end_status_line();

}  // namespace wf::detail
