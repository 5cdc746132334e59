// A runtime error of wf code (LANGUAGE.md §9): the message, the frames of the code that
// raised it and, for a task, the task and the flow frames that waited for it. Shared by the
// code that raises (execution/context), the wire (protocol/) and every host that prints one.
#pragma once

#include <string>
#include <vector>

namespace wf::detail {

struct RuntimeError {
  std::string message;
  std::vector<std::string> frames;  // "at f (file:line:col)", innermost first
  std::string task;                 // "in task f(3) on worker 1", empty for the flow itself
  std::vector<std::string> flow_frames;  // for a task error raised in a flow: the flow's frames
  std::string render() const;       // "error: ...\n  at ...\n" as LANGUAGE.md §9 prints it
};

}  // namespace wf::detail
