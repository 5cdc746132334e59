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
// The same for a view of that file: its text with some parts blanked out (spaces in place of
// every character but newlines), so lines and columns are the file's own.
void parse_source_view(int file_index, const std::string& view, ProgramAst& program, Diagnostics& diags,
                       std::vector<std::pair<std::string, SourceLoc>>* imports);

// One top-level element of a notebook cell, as a range of code points of its text.
struct CellPiece {
  enum Kind { Declaration, Statement, Import } kind = Statement;
  std::string name;  // Declaration: the name it defines
  size_t start = 0, stop = 0;
};

// What a notebook cell holds besides its declarations, which go into `program` as a file's do.
struct CellParse {
  Block statements;          // its top-level statements, in order
  ExprPtr display;           // a last expression without `;` (its value is shown), or null
  std::vector<CellPiece> pieces;  // every top-level element, in order
};

// Parses program.files[file_index] as a notebook cell (grammar rule `cell`).
void parse_cell(int file_index, ProgramAst& program, Diagnostics& diags, CellParse& cell,
                std::vector<std::pair<std::string, SourceLoc>>* imports);

}  // namespace wf
