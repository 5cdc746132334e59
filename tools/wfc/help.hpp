// The words of `wfc help`, `wfc help COMMAND` and `man wfc`, kept in one place so that the
// three never disagree: the man page is generated at build time by `wfc help --roff`
// (CMakeLists.txt) from the same pages the terminal help prints.
#pragma once

#include <string>

namespace wf::cli {

// The overview: what wfc is, every command's synopsis, environment, exit status.
std::string overview_text();
// One command's page ("check", "build", "run", "help"), or "" if there is no such command.
std::string command_text(const std::string& command);
// The whole manual as a roff man page (section 1).
std::string man_page_roff();

}  // namespace wf::cli
