// A notebook session: what the Jupyter kernel (`wfc kernel`) runs cells on, with no Jupyter
// in it (tools/wfc/kernel/ speaks the protocol). It owns one driver: a ProgramSet, a
// Scheduler and its pools, which stay up from cell to cell, so a later cell's first task
// starts no process.
//
// A cell is compiled on its own (compiler/session/cell_compiler.hpp): its declarations join
// the session's, a function redefined replaces the old one for the cells that follow, and its
// top-level statements become the body of an implicit flow that runs here, in the driver. The
// cell's object is added to the ProgramSet like any program, so workers load it beside the
// earlier cells' objects (one JIT per process for the whole session, jit/loader.hpp) with
// their first task of it.
//
// Top-level `let`/`var` values stay visible to later cells: the cell's flow hands them to
// the session when it ends (`wf_cell_keep`), which keeps them encoded, and the next cell that
// uses them receives them as arguments. A cell that fails keeps nothing it bound.
//
// Output: `execute` calls `CellEvents` from the thread that called it, never from another
// one: task output, the flow's own prints and map progress are queued by the runtime's threads
// and delivered while the cell runs (the Jupyter side may only touch its sockets from the
// thread that runs the cell).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace wf::notebook {

struct SessionOptions {
  int workers = 0;          // the default pool's size (0: the number of cores; WF_WORKERS)
  std::string launcher;     // "" (the default launcher), "local", "mpirun", ... (WF_LAUNCHER)
  int opt_level = 2;
};

// What a running cell produces, delivered on the thread that called `execute`.
class CellEvents {
 public:
  virtual ~CellEvents() = default;
  // `stream` is "stdout" or "stderr"; `text` is one or more whole lines.
  virtual void output(const std::string& stream, const std::string& text) = 0;
  // A map's progress: `id` names one map of the cell; called with done < total while it runs
  // and once with `finished` when it ends (then `summary` is a one-line summary of it).
  virtual void progress(const std::string& id, size_t done, size_t total, bool finished,
                        const std::string& summary) = 0;
};

struct CellResult {
  enum Status { Ok, CompileError, RuntimeError, Interrupted } status = Ok;
  // Ok with a value to show (the cell ended in an expression without `;`).
  bool has_value = false;
  std::string text;  // text/plain: as `print` writes it
  std::string html;  // text/html, or "" (tables of arrays of records/tuples, of dictionaries)
  // CompileError: `traceback` holds the diagnostics' lines as wfc prints them (file `cell[N]`,
  // line, column, caret), `evalue` the first.
  // RuntimeError / Interrupted: ename, evalue and the traceback lines (frames, worker).
  std::string ename, evalue;
  std::vector<std::string> traceback;
  // Pictures the cell asked for with a magic line (cell_magics.hpp), of the tasks that ended
  // while it ran: `%stats` the table of `wfc run --stats`; `%graph` the task graph as SVG, or,
  // if Graphviz cannot draw it, as DOT in `graph_dot` (with a note on the cell's stderr).
  std::string stats, graph_svg, graph_dot;
  // Where the time went: parsing and checking, code generation (only the cell's own code),
  // and running the cell's flow.
  double front_end_ms = 0, codegen_ms = 0, run_ms = 0;
};

// One completion or inspection answer.
struct Completion {
  std::vector<std::string> matches;
  size_t start = 0, end = 0;  // the byte range of `code` the matches replace
};

class Session {
 public:
  explicit Session(SessionOptions options);
  ~Session();  // ends every worker
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Compiles and runs one cell; `number` names it in diagnostics and frames (`cell[number]`)
  // and must differ from every earlier cell's (it names the cell's symbols too).
  CellResult execute(int number, const std::string& code, CellEvents& events);
  // Safe to call from any thread or a signal handler: the running cell's pending tasks are
  // cancelled and it ends with Interrupted; the pools and the session stay.
  void interrupt();

  // Names in scope (functions, structs, constants, cell variables) and built-ins that start
  // with the identifier before `cursor` (a byte offset into `code`).
  Completion complete(const std::string& code, size_t cursor) const;
  // A function's signature and doc comment (the `//` lines right above it), a built-in's
  // signature and summary, or a variable's type, for the name at or before `cursor`; "" if none.
  std::string inspect(const std::string& code, size_t cursor) const;
  // "complete", "incomplete" (open braces, brackets or parentheses, an open block comment) or
  // "invalid" (an unterminated string: strings do not span lines; a closing bracket too many);
  // `indent` is the indentation a console should put on the next line.
  std::string is_complete(const std::string& code, std::string& indent) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace wf::notebook
