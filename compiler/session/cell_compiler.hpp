// Incremental compilation of notebook cells (the Jupyter kernel, runtime/src/notebook/).
//
// A session is a growing program. Each cell is checked together with every declaration the
// session holds, but only what is new goes through LLVM: functions are named by their
// compiled identity (sema/identity.hpp, a hash of their tokens and of all they reach), so a
// function an earlier cell compiled is only declared, and its code is found in that cell's
// object at link time (all cells of a session share one JIT, jit/loader.hpp). Redefining `f`
// changes the identity of `f` and of every function that reaches it, so those are compiled
// again in the new cell and call the new `f`; the old code stays for the futures of earlier
// cells.
//
// The front end needs the earlier declarations as ASTs, which it checks and annotates in
// place; rather than keeping (and re-checking) old ASTs, it parses the earlier cells again,
// as views of their text with statements and superseded declarations blanked out (spaces,
// newlines kept), so every line and column is the cell's own. Parsing and checking a few
// hundred lines takes about a millisecond; code generation is what costs, and only the cell's
// own code gets it. A cell's statements are glue that runs once, so its flow is compiled
// without optimisation (`optnone`; the whole object at -O0 when the cell defines no `fn`):
// LLVM's -O2 pipeline and instruction selection took 5 of a 10-line cell's 7 ms.
//
// A cell's statements become the body of an implicit flow `cell[N]`. Its parameters are the
// earlier cells' variables the cell mentions; its top-level `let`/`var`s and the value it
// shows (a last expression without `;`) are handed to the session at its end
// (codegen/: FnDecl::cell_keeps). Each binding gets a new variable slot, so a cell that fails
// leaves the earlier values untouched.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "ast/types.hpp"
#include "object/wfo.hpp"

namespace wf {

// A top-level `let`/`var` of a cell, in its slot (slots are never reused).
struct CellVariable {
  std::string name;
  TypeRef type = nullptr;
  bool mutable_ = false;  // a `var`
};

struct CompiledCell {
  int number = 0;
  WfObject object;       // the session's tables so far and this cell's code (Manifest::session)
  int flow = -1;         // the cell's implicit flow, by index in object.manifest.functions
  std::vector<int> defines;  // the functions whose code is in this cell's object (the flow too)
  std::vector<int> inputs;   // the variable slots the flow takes, in parameter order
  std::vector<int> binds;    // the slots its `wf_cell_keep`s fill (the variables it binds)
  TypeRef shown = nullptr;   // the type of the value it shows, or null
  std::vector<std::string> notes;  // for the cell's stderr ("`f` is redefined ...")
  double front_end_ms = 0, codegen_ms = 0;

  // What the cell declares, for commit(): private to the compiler.
  struct Pending;
  std::shared_ptr<Pending> pending;
};

// Completion and inspection see the session's names through this.
struct SessionName {
  enum Kind { Function, Struct, Const, Variable } kind;
  std::string name;
  std::string signature;  // `fn f(x: int) -> int`, `struct P { x: float }`, `x: [int]`
  std::string doc;        // the `//` comment lines right above the declaration
};

class CellCompiler {
 public:
  CellCompiler(std::string session, int opt_level);
  ~CellCompiler();

  // Compiles cell `number`. On a mistake: false, with the diagnostics (file `cell[number]`)
  // written to `diagnostics`; the session is unchanged either way until commit().
  bool compile(int number, const std::string& code, CompiledCell& cell, std::ostream& diagnostics);
  // The cell's object is loaded: its declarations are the session's from now on.
  void commit_declarations(const CompiledCell& cell);
  // The cell ran to its end: its variables are the session's from now on.
  void commit_variables(const CompiledCell& cell);

  const std::vector<CellVariable>& slots() const { return slots_; }
  // The name's visible slot, or -1.
  int variable(const std::string& name) const;
  std::vector<SessionName> names() const;

  struct View;  // one source of the session's declarations (cell_compiler.cpp)

 private:
  std::string session_;
  int opt_level_;
  std::vector<View> views_;                    // every cell and imported file, in order
  Manifest manifest_;                          // the session's tables so far
  std::map<std::string, int> compiled_;        // name + identity -> index in manifest_.functions
  std::vector<CellVariable> slots_;
  std::map<std::string, int> visible_;         // a variable's name -> its current slot
  std::map<std::string, SessionName> declared_;  // what the session's declarations are
};

}  // namespace wf
