// The abstract syntax tree of a wf program.
//
// Nodes are plain tagged structs (a kind plus the fields that kind uses), not a class
// hierarchy: the tree is built once by the parser, annotated in place by the checker
// (`type`, `resolved`, `convert_to_float`, ...) and read once by code generation. Every node
// keeps its source location, because every diagnostic and runtime frame points at one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ast/operators.hpp"
#include "ast/types.hpp"

namespace wf {

struct SourceLoc {
  int file = -1;  // index into ProgramAst::files
  int line = 0;   // 1-based
  int col = 0;    // 1-based
};

struct TypeExpr;
using TypeExprPtr = std::unique_ptr<TypeExpr>;
struct TypeExpr {
  enum Kind { Named, Array, Tuple, Generic, Dict } kind;  // Dict: elems {key, value}
  std::string name;  // Named, Generic
  std::vector<TypeExprPtr> elems;
  SourceLoc loc;
};

struct FnDecl;
struct ConstDecl;

// A top-level declaration as tokens: its text with comments and layout dropped (tokens joined
// by a separator no token contains), and the identifiers in it. The result cache's function
// identity is made of these (sema/identity.hpp).
struct DeclTokens {
  std::string text;
  std::vector<std::string> names;
};
struct StructDecl;
struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  IntLit, FloatLit, StrLit, BoolLit, Name, ArrayLit, RepeatLit, TupleLit,
  Unary, Binary, And, Or, Not, Call, Method, Index, Field,
  DictLit,        // args: key0, value0, key1, value1, ...
  Comprehension,  // args: element, iterable (or range start), range end, step, condition (absent: null)
  FString,        // args: the `{...}` expressions; pieces: the literal text around them; specs
  Error,       // where the parser found a syntax error (the checker types it Error, silently)
  // introduced by the checker:
  IntToFloat,  // implicit int -> float conversion of `args[0]`
};

// What a Name expression or a call's callee refers to, filled in by the checker.
struct Resolved {
  enum Kind { None, Local, Const, Function, Builtin, Struct } kind = None;
  int local = -1;                  // Local: slot index in the enclosing function
  const ConstDecl* konst = nullptr;
  const FnDecl* fn = nullptr;
  int builtin = -1;                // Builtin: index into the builtin table
  const StructDecl* record = nullptr;  // Struct: a call that constructs this record
};

struct Expr {
  ExprKind kind;
  SourceLoc loc;
  int64_t int_val = 0;
  double float_val = 0;
  bool bool_val = false;
  std::string str_val;             // StrLit text (unescaped); Name / Call / Method / record field name
  Op op = Op::None;                // Unary, Binary, And, Or, Not
  std::vector<ExprPtr> args;       // operands, elements, call arguments (a method's receiver first)
  std::vector<std::string> arg_names;  // per call argument: "" or the keyword (`chunk=`)
  int field = 0;                   // Field index (a record field by name: str_val, index set by the checker)
  ExprPtr callee;                  // Call: the called expression (a Name for every valid call)
  std::vector<std::string> names;  // Comprehension: the pattern's names (`_` discards)
  std::vector<SourceLoc> name_locs;
  std::vector<std::string> pieces; // FString: literal text before each expression, and after the last
  std::vector<std::string> specs;  // FString: per expression, the format spec after `:` ("" if none)
  std::vector<SourceLoc> spec_locs;

  // checker annotations
  TypeRef type = nullptr;
  Resolved resolved;
  std::vector<bool> future_args;   // submit/map: argument i is a future awaited by the task
  std::vector<int> locals;         // Comprehension: slots bound by the pattern (-1 for `_`)
  std::vector<int> order;          // record construction by name: field i's argument index
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

// Try: body is the try block, else_body the catch block, names[0] the caught message's name.
enum class StmtKind { Let, LetTuple, Var, Assign, If, While, ForRange, ForEach, Break, Continue, Return, ExprStmt, BlockStmt, Try };

struct Stmt {
  StmtKind kind;
  SourceLoc loc;
  std::vector<std::string> names;  // Let/Var: one; LetTuple: several; For: the loop variable(s), `_` discards
  std::vector<SourceLoc> name_locs;
  TypeExprPtr annotation;          // Let/Var
  Op op = Op::None;                // Assign: the operator of `+=`, `-=`, ...; None for `=`
  ExprPtr target, value;           // Assign target / initializer / return value / condition / iterable
  ExprPtr range_end, step;         // ForRange
  Block body, else_body;           // If/While/For/Block; If: else_body holds an else-if as one If stmt

  // checker annotations
  std::vector<int> locals;         // slots bound by Let/Var/LetTuple/For (-1 for `_`)
  TypeRef declared = nullptr;      // Let/Var: the variable's type
};

struct Param {
  std::string name;
  TypeExprPtr type_expr;  // null for a notebook cell's parameter, whose `type` is given
  SourceLoc loc;
  TypeRef type = nullptr;
  bool mutable_ = false;  // a notebook cell's parameter that was a `var` (compiler/session/)
};

enum class FnKind { Serial, Mpi, Flow, Extern };

struct LocalInfo {
  std::string name;
  TypeRef type;
  bool mutable_;          // `var`
  bool loop_var = false;  // bound by `for`
};

struct FnDecl {
  FnKind kind = FnKind::Serial;
  std::string name;
  SourceLoc loc;
  std::vector<Param> params;
  TypeExprPtr result_expr;
  ExprPtr ranks_expr;              // mpi(ranks=...); absent: ranks given at submission
  ExprPtr threads_expr;            // mpi(..., threads=...)
  std::string extern_lib;          // extern ... from "lib"
  DeclTokens tokens;
  Block body;

  // checker annotations
  TypeRef result = nullptr;
  int ranks = 1;                   // 0: an `mpi fn` that takes `ranks=` at submission
  int threads = 0;                 // declared threads= (0: none)
  std::vector<LocalInfo> locals;   // params first, then every let/var/for binding
  int index = -1;                  // position in ProgramAst::functions
  bool has_try = false;            // its body has a `try` (code generation keeps its locals in memory)

  // A notebook cell's implicit flow (compiler/session/): its parameters are the earlier cells'
  // variables, and its statements run in a scope of their own below them, so they may bind
  // those names again. At the end of the body, code generation hands `cell_keeps` (local slot,
  // cell variable) to the session (`wf_cell_keep`); with `cell_display` the body's last
  // statement is an expression statement whose value is handed over as variable -1.
  bool cell = false;
  bool cell_display = false;
  std::vector<std::pair<int, int>> cell_keeps;
};

struct ConstDecl {
  std::string name;
  SourceLoc loc;
  TypeExprPtr type_expr;
  ExprPtr value;
  DeclTokens tokens;
  TypeRef type = nullptr;
  // folded value, set by the checker
  int64_t int_val = 0;
  double float_val = 0;
  bool bool_val = false;
  std::string str_val;
};

struct FieldDecl {
  std::string name;
  SourceLoc loc;
  TypeExprPtr type_expr;
};

struct StructDecl {
  std::string name;
  SourceLoc loc;
  std::vector<FieldDecl> fields;
  DeclTokens tokens;
  TypeRef type = nullptr;  // set by the checker: a Record type
};

struct SourceFile {
  std::string path;     // as given on the command line or joined to the importer's path
  std::string text;
  std::vector<std::string> lines;
};

struct ProgramAst {
  std::vector<SourceFile> files;
  std::vector<std::unique_ptr<FnDecl>> functions;
  std::vector<std::unique_ptr<ConstDecl>> consts;
  std::vector<std::unique_ptr<StructDecl>> structs;
};

}  // namespace wf
