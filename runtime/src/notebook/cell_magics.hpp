// Cell magics: lines at the top of a notebook cell that start with `%` ask for pictures of the
// cell's run instead of being wf. `%graph` shows the graph of the tasks the cell ran (the
// drawing of `wfc run --graph`, as SVG), `%stats` their table (`wfc run --stats`). No wf
// statement starts with `%`, so a magic line is never code; it is blanked, its newline kept,
// so that diagnostics still name the cell's own lines.
#pragma once

#include <string>

namespace wf::notebook {

struct CellMagics {
  bool graph = false, stats = false;
  bool any() const { return graph || stats; }
};

// Takes the magic lines off the top of `code` (blank lines may come between them). An
// unknown magic: false, with a diagnostic (`cell_name:LINE:1: error: ...`) in `error`.
bool take_magics(std::string& code, const std::string& cell_name, CellMagics& magics, std::string& error);

}  // namespace wf::notebook
