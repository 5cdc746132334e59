// What a notebook front end asks about a cell's text before running it: completion of the
// name before the cursor, the name under it (inspection), built-ins' help, and whether the
// cell is finished (a console sends it on Enter only then). Text only: no compiler run.
#pragma once

#include <string>
#include <vector>

#include "notebook/notebook_session.hpp"

namespace wf::notebook {

// Names from `names` and the built-ins and keywords that start with the identifier ending
// at byte `cursor` of `code`.
Completion complete_names(const std::string& code, size_t cursor, const std::vector<std::string>& names);
// The identifier at or just before byte `cursor`, or "".
std::string word_at(const std::string& code, size_t cursor);
// A built-in's signature and one line on what it does, or "" if `name` is none.
std::string builtin_help(const std::string& name);
// "complete", "incomplete" or "invalid" (see Session::is_complete).
std::string completeness(const std::string& code, std::string& indent);

}  // namespace wf::notebook
