// The design notes for this module are atop wf_interpreter.hpp.
#include "kernel/wf_interpreter.hpp"

#include <unistd.h>

#include <chrono>
#include <exception>

#include <xeus/xhelper.hpp>

#include "kernel/cell_display.hpp"
#include "kernel/code_points.hpp"
#include "object/wfo.hpp"

namespace wf::kernel {

namespace {

using notebook::CellResult;

// "wfc 0.2.0" -> "0.2.0"
std::string version_number() {
  std::string v = kCompilerVersion;
  size_t space = v.rfind(' ');
  return space == std::string::npos ? v : v.substr(space + 1);
}

}  // namespace

WfInterpreter::WfInterpreter(notebook::SessionOptions options, std::string startup_error)
    : options_(std::move(options)), session_error_(std::move(startup_error)) {
  auto started = std::chrono::system_clock::now().time_since_epoch();
  tag_ = "wf-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(started).count());
}

WfInterpreter::~WfInterpreter() = default;

void WfInterpreter::configure_impl() {
  if (!session_error_.empty()) return;
  try {
    auto session = std::make_unique<notebook::Session>(options_);
    std::lock_guard<std::mutex> lock(session_mutex_);
    session_ = std::move(session);
  } catch (const std::exception& e) {
    session_error_ = std::string("the wf session could not start: ") + e.what();
  }
}

void WfInterpreter::interrupt() {
  std::lock_guard<std::mutex> lock(session_mutex_);
  if (session_ && running_) session_->interrupt();
}

nl::json WfInterpreter::failed(const std::string& ename, const std::string& evalue,
                               const std::vector<std::string>& traceback, bool silent) {
  if (!silent) publish_execution_error(ename, evalue, traceback);
  // Not xeus::create_error_reply: xeus 2.4 swaps its ename and evalue.
  return nl::json{{"status", "error"}, {"ename", ename}, {"evalue", evalue}, {"traceback", traceback}};
}

// What the cell's magics asked for (`%stats`, `%graph`), one display each, before the reply:
// also for a cell that failed, whose failed tasks show in red.
void WfInterpreter::show_pictures(int number, const CellResult& r) {
  std::string cell = "cell[" + std::to_string(number) + "]";
  if (!r.stats.empty()) display_data({{"text/plain", r.stats}}, nl::json::object(), nl::json::object());
  if (!r.graph_svg.empty())
    display_data({{"image/svg+xml", r.graph_svg}, {"text/plain", "<the task graph of " + cell + ">"}},
                 nl::json::object(), nl::json::object());
  else if (!r.graph_dot.empty())
    display_data({{"text/plain", r.graph_dot}}, nl::json::object(), nl::json::object());
}

nl::json WfInterpreter::execute_request_impl(int execution_counter, const std::string& code, bool silent,
                                             bool store_history, nl::json user_expressions, bool allow_stdin) {
  if (history_ && store_history) history_->note_cell(execution_counter);
  if (!session_) return failed("KernelError", session_error_, {session_error_}, silent);

  // The session names a cell by its number, once: a silent request does not advance Jupyter's
  // execution count, so it takes a number of its own, out of the count's way.
  int number = silent ? kFirstSilentCell + silent_cells_++ : execution_counter;
  CellDisplay display(*this, tag_, number, silent);
  CellResult r;
  running_ = true;
  try {
    r = session_->execute(number, code, display);
  } catch (const std::exception& e) {
    running_ = false;
    display.finish();
    std::string what = std::string("internal error: ") + e.what();
    return failed("KernelError", what, {what}, silent);
  }
  running_ = false;
  display.finish();
  if (!silent) show_pictures(number, r);

  switch (r.status) {
    case CellResult::Ok: {
      if (r.has_value && !silent) {
        nl::json data = {{"text/plain", r.text}};
        if (!r.html.empty()) data["text/html"] = r.html;
        if (history_ && store_history) history_->note_output(execution_counter, r.text);
        publish_execution_result(execution_counter, std::move(data), nl::json::object());
      }
      // Where the cell's time went (bench/k2_notebook.py reads it; clients ignore extra keys).
      nl::json reply = xeus::create_successful_reply();
      reply["wf"] = {{"front_end_ms", r.front_end_ms}, {"codegen_ms", r.codegen_ms}, {"run_ms", r.run_ms}};
      return reply;
    }
    case CellResult::CompileError: {
      // The traceback is the diagnostics, a line each; evalue their first line.
      std::string evalue = !r.evalue.empty() ? r.evalue : r.traceback.empty() ? "" : r.traceback.front();
      return failed(r.ename.empty() ? "CompileError" : r.ename, evalue, r.traceback, silent);
    }
    case CellResult::RuntimeError:
      return failed(r.ename.empty() ? "RuntimeError" : r.ename, r.evalue, r.traceback, silent);
    case CellResult::Interrupted:
      return failed(r.ename.empty() ? "Interrupted" : r.ename, r.evalue.empty() ? "interrupted" : r.evalue,
                    r.traceback, silent);
  }
  return xeus::create_successful_reply();
}

nl::json WfInterpreter::complete_request_impl(const std::string& code, int cursor_pos) {
  size_t cursor = byte_offset(code, cursor_pos < 0 ? 0 : static_cast<size_t>(cursor_pos));
  notebook::Completion c;
  c.start = c.end = cursor;
  if (session_) {
    try {
      c = session_->complete(code, cursor);
    } catch (const std::exception&) {
      c = {};
      c.start = c.end = cursor;
    }
  }
  return xeus::create_complete_reply(c.matches, static_cast<int>(code_point_offset(code, c.start)),
                                     static_cast<int>(code_point_offset(code, c.end)));
}

nl::json WfInterpreter::inspect_request_impl(const std::string& code, int cursor_pos, int detail_level) {
  std::string text;
  if (session_) {
    try {
      text = session_->inspect(code, byte_offset(code, cursor_pos < 0 ? 0 : static_cast<size_t>(cursor_pos)));
    } catch (const std::exception&) {
      text.clear();
    }
  }
  if (text.empty()) return xeus::create_inspect_reply(false);
  return xeus::create_inspect_reply(true, nl::json{{"text/plain", text}});
}

nl::json WfInterpreter::is_complete_request_impl(const std::string& code) {
  if (!session_) return xeus::create_is_complete_reply("unknown");
  std::string indent;
  std::string status;
  try {
    status = session_->is_complete(code, indent);
  } catch (const std::exception&) {
    status = "unknown";
  }
  if (status != "incomplete") indent.clear();
  return xeus::create_is_complete_reply(status, indent);
}

nl::json WfInterpreter::kernel_info_request_impl() {
  std::string banner = std::string(kCompilerVersion) +
                       " - a Jupyter kernel for wf workflows: declarations accumulate across cells, "
                       "tasks run on warm worker pools";
  return xeus::create_info_reply(XEUS_KERNEL_PROTOCOL_VERSION, "wf", version_number(), "wf", version_number(),
                                 "text/x-wf", ".wf", "rust", "rust", "", banner, false);
}

void WfInterpreter::shutdown_request_impl() {
  std::unique_ptr<notebook::Session> ending;
  {
    std::lock_guard<std::mutex> lock(session_mutex_);
    ending = std::move(session_);
    session_error_ = "the session has ended (the kernel is shutting down)";
  }
  ending.reset();  // ends every worker (outside the lock: an interrupt must not wait on it)
}

}  // namespace wf::kernel
