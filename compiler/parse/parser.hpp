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

// Registers a source file (its text split into lines for diagnostics); returns its index.
int add_source_file(ProgramAst& program, const std::string& path, std::string text);

// The offset of the first byte that is not strict UTF-8 (RFC 3629), or std::string::npos.
size_t first_invalid_utf8(const std::string& text);

// Parses one file's text (already registered as program.files[file_index]).
void parse_source(int file_index, ProgramAst& program, Diagnostics& diags, std::vector<std::pair<std::string, SourceLoc>>* imports);

}  // namespace wf
