// The Jupyter side of a notebook session: a xeus interpreter whose requests map one to one
// onto wf::notebook::Session (runtime/src/notebook/notebook_session.hpp), which knows nothing
// of Jupyter. This file decides only what each answer looks like on the wire:
//
//   execute    the cell, named by Jupyter's execution count (`cell[N]` is `In [N]`); its
//              output as streams and progress displays (cell_display.hpp); a value as
//              `execute_result` (text/plain, and text/html when the session has a table);
//              any failure as exactly one iopub `error` message and an error reply with the
//              same ename, evalue and traceback. For a compile error the traceback is the
//              diagnostics, one line each (`cell[N]:LINE:COL: error: ...`, the source line,
//              the caret), so the frontend shows them as wfc prints them, once. A `silent`
//              request shows nothing, and since it does not advance the execution count
//              (the session must never see a number twice) its cell is numbered from
//              1000000 up.
//   complete / inspect   the session's answers, with cursors converted between Jupyter's
//              code points and the session's bytes (code_points.hpp).
//   is_complete          for consoles: "complete", "incomplete" with an indent, "invalid".
//   shutdown   ends the session, and with it every worker, before xeus exits the process
//              (xeus calls std::exit, which would not run this object's destructor).
//
// Interrupts arrive as SIGINT (the kernelspec's interrupt_mode is "signal": xeus runs the
// cell on the thread that also reads the control channel, so an interrupt *message* would
// wait for the cell to end). kernel_signals.hpp takes the signal on a thread of its own and
// calls `interrupt()`, which cancels the running cell and nothing else; the warm pools stay.
//
// If the session cannot be created (a bad WF_LAUNCHER or WF_WORKERS, no wf-worker), the kernel
// still starts and every cell answers with that error: in a notebook that is more useful than
// a kernel that dies before it can say why (its standard error goes to the server's log).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include <xeus/xinterpreter.hpp>

#include "kernel/cell_history.hpp"
#include "notebook/notebook_session.hpp"

namespace wf::kernel {

class WfInterpreter : public xeus::xinterpreter {
 public:
  // `startup_error`: why no session may be created ("" if one may).
  WfInterpreter(notebook::SessionOptions options, std::string startup_error);
  ~WfInterpreter() override;

  // Cancels the running cell, if one runs. Called from the signal thread.
  void interrupt();
  // The history to tell the values cells show (for history requests with `output`).
  void keep_outputs_in(CellHistory* history) { history_ = history; }

 private:
  void configure_impl() override;
  nl::json execute_request_impl(int execution_counter, const std::string& code, bool silent, bool store_history,
                                nl::json user_expressions, bool allow_stdin) override;
  nl::json complete_request_impl(const std::string& code, int cursor_pos) override;
  nl::json inspect_request_impl(const std::string& code, int cursor_pos, int detail_level) override;
  nl::json is_complete_request_impl(const std::string& code) override;
  nl::json kernel_info_request_impl() override;
  void shutdown_request_impl() override;

  // The displays of the cell's `%stats` and `%graph` (notebook/cell_magics.hpp).
  void show_pictures(int number, const notebook::CellResult& r);
  // Publishes the one `error` message of a failed cell and returns the error reply.
  nl::json failed(const std::string& ename, const std::string& evalue, const std::vector<std::string>& traceback,
                  bool silent);

  notebook::SessionOptions options_;
  std::string tag_;  // unique to this kernel process: the prefix of its display ids
  std::mutex session_mutex_;  // between shutdown (main thread) and interrupt (signal thread)
  std::unique_ptr<notebook::Session> session_;
  std::string session_error_;  // why there is no session
  std::atomic<bool> running_{false};
  static constexpr int kFirstSilentCell = 1'000'000;  // the numbers of `silent` requests' cells
  int silent_cells_ = 0;
  CellHistory* history_ = nullptr;  // owned by the xkernel
};

}  // namespace wf::kernel
