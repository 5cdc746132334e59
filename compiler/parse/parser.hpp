// Source loading and parsing: .wf text -> ANTLR parse tree -> AST.
//
// `load_program` reads the main file and, transitively, every `import` (paths relative to
// the importing file, joined so diagnostics show them as the user would), detects import
// cycles, and appends every declaration to one ProgramAst. Syntax errors from ANTLR are routed
// into the same Diagnostics as type errors (ANTLR's console listeners are removed).
#pragma once

#include <string>

#include "ast/ast.hpp"
#include "diagnostics/diagnostics.hpp"

namespace wf {

// Parses `path` and its imports into `program`. Reports problems to `diags`; returns false
// when the main file could not be read at all.
bool load_program(const std::string& path, ProgramAst& program, Diagnostics& diags);

// Parses one file's text (already registered as program.files[file_index]).
void parse_source(int file_index, ProgramAst& program, Diagnostics& diags, std::vector<std::pair<std::string, SourceLoc>>* imports);

}  // namespace wf
