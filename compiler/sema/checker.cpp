// The design notes for this module are atop checker.hpp.
#include "sema/checker.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "ast/places.hpp"
#include "format/format_spec.hpp"
#include "sema/builtins.hpp"
#include "sema/suggest.hpp"

namespace wf {

namespace {

std::string q(const std::string& s) { return "`" + s + "`"; }
std::string given_phrase(size_t n) { return std::to_string(n) + (n == 1 ? " was given" : " were given"); }
std::string q(TypeRef t) { return "`" + t->name() + "`"; }
// "an `int`", "a `float`"
std::string a_or_an(TypeRef t) { return std::string(t->name()[0] == 'i' ? "an " : "a ") + q(t); }

bool contains_flow_type(TypeRef t) {
  if (t->is(TypeKind::Future) || t->is(TypeKind::Pool)) return true;
  for (TypeRef e : t->elems)
    if (contains_flow_type(e)) return true;
  return false;
}

class Checker {
 public:
  Checker(ProgramAst& program, Diagnostics& diags) : program_(program), diags_(diags) {}

  void run() {
    declare_globals();
    for (auto& d : program_.structs) resolve_struct(*d);
    for (auto& f : program_.functions) resolve_signature(*f);
    for (auto& c : program_.consts) check_const(*c);
    for (auto& f : program_.functions)
      if (f->kind != FnKind::Extern) check_body(*f);
  }

 private:
  // ---- globals -------------------------------------------------------------------------

  void declare_globals() {
    // In source order, so that the first definition stands and the later one is the error.
    std::vector<Global> all;
    for (auto& f : program_.functions) {
      f->index = (int)(&f - &program_.functions[0]);
      all.push_back({f.get(), nullptr});
    }
    for (auto& c : program_.consts) all.push_back({nullptr, c.get()});
    for (auto& d : program_.structs) all.push_back({nullptr, nullptr, d.get()});
    std::stable_sort(all.begin(), all.end(), [](const Global& a, const Global& b) {
      SourceLoc x = a.loc(), y = b.loc();
      return std::tie(x.file, x.line, x.col) < std::tie(y.file, y.line, y.col);
    });
    for (const Global& g : all) {
      const std::string& name = g.name();
      auto [it, fresh] = globals_.emplace(name, g);
      if (!fresh) defined_twice(g.loc(), name, it->second.loc());
    }
  }

  // 9223372036854775808 is only an `int` as the operand of `-` (the parser marks it).
  void check_int_literal(const Expr& e) {
    if (e.bool_val) diags_.error(e.loc, "integer literal `9223372036854775808` does not fit in `int` (write it as `-9223372036854775808`)");
  }

  void defined_twice(SourceLoc loc, const std::string& name, SourceLoc first, const std::string& what = "") {
    diags_.error(loc, what + q(name) + " is defined twice", {{first, "previous definition is here"}});
  }

  // ---- names for "did you mean" ----------------------------------------------------------

  std::vector<std::string> value_names() const {
    std::vector<std::string> names;
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
      for (auto& [name, slot] : it->names) names.push_back(name);
    for (auto& [name, g] : globals_)
      if (g.konst) names.push_back(name);
    return names;
  }

  std::vector<std::string> function_names() const {
    std::vector<std::string> names;
    for (auto& [name, g] : globals_)
      if (g.fn) names.push_back(name);
    for (int b = 0; b < (int)Builtin::Count; ++b) names.push_back(builtin_name((Builtin)b));
    return names;
  }

  TypeRef resolve_type(const TypeExpr* t) {
    if (!t) return types::void_();
    switch (t->kind) {
      case TypeExpr::Named:
        if (t->name == "int") return types::int_();
        if (t->name == "float") return types::float_();
        if (t->name == "bool") return types::bool_();
        if (t->name == "str") return types::str();
        if (t->name == "pool") return types::pool();
        if (t->name.empty()) return types::error();  // a syntax error, reported already
        if (auto it = globals_.find(t->name); it != globals_.end() && it->second.record) {
          StructDecl& d = *it->second.record;
          if (structs_resolving_.count(&d)) {
            diags_.error(t->loc, "struct " + q(d.name) + " cannot contain itself, also not through an array or a dictionary "
                                 "(wf values are trees without references; use an index into an array of them)");
            return types::error();
          }
          return resolve_struct(d);
        }
        diags_.error(t->loc, "unknown type " + q(t->name) + did_you_mean(t->name, type_names()));
        return types::error();
      case TypeExpr::Array: return types::array(resolve_type(t->elems[0].get()));
      case TypeExpr::Tuple: {
        std::vector<TypeRef> fields;
        for (auto& e : t->elems) fields.push_back(resolve_type(e.get()));
        return types::tuple(fields);
      }
      case TypeExpr::Dict: {
        TypeRef k = resolve_type(t->elems[0].get());
        TypeRef v = resolve_type(t->elems[1].get());
        if (!key_type_ok(k)) {
          diags_.error(t->elems[0]->loc, "dictionary keys must be `int`, `str`, `bool` or tuples of them, not " + q(k));
          return types::error();
        }
        if (k->is(TypeKind::Error) || v->is(TypeKind::Error)) return types::error();
        return types::dict(k, v);
      }
      case TypeExpr::Generic:
        if (t->name == "future") return types::future(resolve_type(t->elems[0].get()));
        if (t->name.empty()) return types::error();
        diags_.error(t->loc, "unknown type " + q(t->name) + did_you_mean(t->name, {"future"}));
        return types::error();
    }
    return types::error();
  }

  static bool key_type_ok(TypeRef k) {
    if (k->is(TypeKind::Int) || k->is(TypeKind::Str) || k->is(TypeKind::Bool) || k->is(TypeKind::Error)) return true;
    if (!k->is(TypeKind::Tuple)) return false;
    for (TypeRef e : k->elems)
      if (!key_type_ok(e) || e->is(TypeKind::Tuple)) return false;
    return true;
  }

  std::vector<std::string> type_names() const {
    std::vector<std::string> names = {"int", "float", "bool", "str", "pool", "future"};
    for (auto& [name, g] : globals_)
      if (g.record) names.push_back(name);
    return names;
  }

  // The record type of a struct, resolving its fields' types first (once).
  TypeRef resolve_struct(StructDecl& d) {
    if (d.type) return d.type;
    structs_resolving_.insert(&d);
    std::vector<std::string> names;
    std::vector<TypeRef> fields;
    std::map<std::string, SourceLoc> seen;
    bool failed = false;
    for (FieldDecl& f : d.fields) {
      TypeRef t = resolve_type(f.type_expr.get());
      if (auto it = seen.find(f.name); it != seen.end()) {
        defined_twice(f.loc, f.name, it->second, "field ");
        continue;
      }
      seen.emplace(f.name, f.loc);
      if (contains_flow_type(t)) {
        diags_.error(f.type_expr->loc, "a record cannot hold " + q(t) + " (futures and pools live only in flows)");
        t = types::error();
      }
      failed |= t->is(TypeKind::Error);
      names.push_back(f.name);
      fields.push_back(t);
    }
    structs_resolving_.erase(&d);
    if (d.type) return d.type;  // resolved through a cycle that was reported
    d.type = failed ? types::error() : types::record(d.name, names, fields);
    return d.type;
  }

  void resolve_signature(FnDecl& f) {
    std::map<std::string, SourceLoc> seen;
    for (Param& p : f.params) {
      if (!p.type_expr) continue;  // a notebook cell's parameter: its type is given
      p.type = resolve_type(p.type_expr.get());
      if (auto it = seen.find(p.name); it != seen.end()) defined_twice(p.loc, p.name, it->second, "parameter ");
      seen.emplace(p.name, p.loc);
      if (f.kind != FnKind::Flow && contains_flow_type(p.type))
        diags_.error(p.type_expr->loc, q(p.type) + " can only be used in a flow");
      if (f.kind == FnKind::Extern && !extern_type_ok(p.type, true))
        diags_.error(p.type_expr->loc, q(p.type) + " cannot be passed to a C function");
    }
    f.result = resolve_type(f.result_expr.get());
    if (f.kind != FnKind::Flow && contains_flow_type(f.result))
      diags_.error(f.result_expr->loc, q(f.result) + " can only be used in a flow");
    if (f.kind == FnKind::Extern && !f.result->is(TypeKind::Void) && !extern_type_ok(f.result, false))
      diags_.error(f.result_expr->loc, q(f.result) + " cannot be returned by a C function");
    if (f.kind == FnKind::Mpi) {
      f.ranks = 0;  // without `ranks=`: given at each submission (LANGUAGE.md §18)
      auto positive = [&](const ExprPtr& e, const char* what, int& out) {
        Value v;
        if (fold_const_expr(*e, v) && v.type->is(TypeKind::Int) && v.i > 0 && v.i <= 1 << 20) out = (int)v.i;
        else diags_.error(e->loc, std::string("`") + what + "` must be a positive integer constant");
      };
      if (f.ranks_expr) positive(f.ranks_expr, "ranks", f.ranks);
      if (f.threads_expr) positive(f.threads_expr, "threads", f.threads);
    }
  }

  static bool extern_type_ok(TypeRef t, bool param) {
    switch (t->kind) {
      case TypeKind::Int: case TypeKind::Float: case TypeKind::Bool: case TypeKind::Error: return true;
      case TypeKind::Str: return param;
      case TypeKind::Array: return param && (t->elem()->is(TypeKind::Int) || t->elem()->is(TypeKind::Float));
      default: return false;
    }
  }

  // ---- constants -----------------------------------------------------------------------

  struct Value {
    TypeRef type = nullptr;
    int64_t i = 0;
    double f = 0;
    bool b = false;
    std::string s;
  };

  void check_const(ConstDecl& c) {
    if (consts_done_.count(&c)) return;
    folding_.insert(&c);
    fold_const(c);
    folding_.erase(&c);
    consts_done_.insert(&c);
  }

  void fold_const(ConstDecl& c) {
    c.type = resolve_type(c.type_expr.get());
    if (!(c.type->is(TypeKind::Int) || c.type->is(TypeKind::Float) || c.type->is(TypeKind::Bool) ||
          c.type->is(TypeKind::Str) || c.type->is(TypeKind::Error)))
      diags_.error(c.type_expr->loc, "a constant must be `int`, `float`, `bool` or `str`, not " + q(c.type));
    Value v;
    if (!fold_const_expr(*c.value, v)) return;
    if (c.type->is(TypeKind::Float) && v.type->is(TypeKind::Int)) {
      v.type = types::float_();
      v.f = (double)v.i;
    }
    if (v.type != c.type && !c.type->is(TypeKind::Error)) {
      diags_.error(c.value->loc, "expected " + q(c.type) + ", found " + q(v.type));
      return;
    }
    c.int_val = v.i;
    c.float_val = v.f;
    c.bool_val = v.b;
    c.str_val = v.s;
  }

  // Evaluates a constant expression: literals, other constants, and operators on them.
  bool fold_const_expr(const Expr& e, Value& out) {
    switch (e.kind) {
      case ExprKind::IntLit: check_int_literal(e); out = {types::int_(), e.int_val, 0, false, ""}; return true;
      case ExprKind::FloatLit: out = {types::float_(), 0, e.float_val, false, ""}; return true;
      case ExprKind::BoolLit: out = {types::bool_(), 0, 0, e.bool_val, ""}; return true;
      case ExprKind::StrLit: out = {types::str(), 0, 0, false, e.str_val}; return true;
      case ExprKind::Name: {
        auto it = globals_.find(e.str_val);
        if (it == globals_.end() || !it->second.konst) break;
        ConstDecl* c = it->second.konst;
        if (folding_.count(c)) {
          diags_.error(e.loc, "constant " + q(c->name) + " depends on itself");
          return false;
        }
        check_const(*c);
        if (!c->type || c->type->is(TypeKind::Error)) return false;
        out = {c->type, c->int_val, c->float_val, c->bool_val, c->str_val};
        return true;
      }
      case ExprKind::Unary: {
        Value a;
        if (!fold_const_expr(*e.args[0], a)) return false;
        if (e.op == Op::Neg && a.type->is(TypeKind::Int)) { out = a; out.i = (int64_t)(0ull - (uint64_t)a.i); return true; }
        if (e.op == Op::Neg && a.type->is(TypeKind::Float)) { out = a; out.f = -a.f; return true; }
        if (e.op == Op::BitNot && a.type->is(TypeKind::Int)) { out = a; out.i = ~a.i; return true; }
        break;
      }
      case ExprKind::Not: {
        Value a;
        if (!fold_const_expr(*e.args[0], a)) return false;
        if (a.type->is(TypeKind::Bool)) { out = a; out.b = !a.b; return true; }
        break;
      }
      case ExprKind::Binary: case ExprKind::And: case ExprKind::Or: {
        Value a, b;
        if (!fold_const_expr(*e.args[0], a) || !fold_const_expr(*e.args[1], b)) return false;
        if (fold_binary(e.op, a, b, out, e.loc)) return true;
        break;
      }
      default: break;
    }
    if (e.kind == ExprKind::Name && !globals_.count(e.str_val) && find_builtin(e.str_val) == Builtin::Count) {
      std::vector<std::string> consts;
      for (auto& [name, g] : globals_)
        if (g.konst) consts.push_back(name);
      diags_.error(e.loc, "unknown name " + q(e.str_val) + did_you_mean(e.str_val, consts));
      return false;
    }
    diags_.error(e.loc, "expected a constant expression");
    return false;
  }

  template <typename T>
  static bool fold_compare(Op op, const T& x, const T& y, bool& out) {
    if (op == Op::Eq) out = x == y;
    else if (op == Op::Ne) out = x != y;
    else if (op == Op::Lt) out = x < y;
    else if (op == Op::Le) out = x <= y;
    else if (op == Op::Gt) out = x > y;
    else if (op == Op::Ge) out = x >= y;
    else return false;
    return true;
  }

  bool fold_binary(Op op, Value a, Value b, Value& out, SourceLoc loc) {
    auto U = [](int64_t v) { return (uint64_t)v; };
    if (a.type->is(TypeKind::Int) && b.type->is(TypeKind::Int)) {
      int64_t x = a.i, y = b.i;
      out.type = types::int_();
      if (op == Op::Add) out.i = (int64_t)(U(x) + U(y));
      else if (op == Op::Sub) out.i = (int64_t)(U(x) - U(y));
      else if (op == Op::Mul) out.i = (int64_t)(U(x) * U(y));
      else if (op == Op::Div || op == Op::Mod) {
        if (y == 0) { diags_.error(loc, "division by zero in a constant"); return false; }
        bool div = op == Op::Div;
        if (y == -1) out.i = div ? (int64_t)(0 - U(x)) : 0;
        else out.i = div ? x / y : x % y;
      }
      else if (op == Op::BitAnd) out.i = x & y;
      else if (op == Op::BitOr) out.i = x | y;
      else if (op == Op::BitXor) out.i = x ^ y;
      else if (op == Op::Shl) out.i = (int64_t)(U(x) << (y & 63));
      else if (op == Op::Shr) out.i = x >> (y & 63);
      else if (op == Op::UShr) out.i = (int64_t)(U(x) >> (y & 63));
      else {
        out.type = types::bool_();
        return fold_compare(op, x, y, out.b);
      }
      return true;
    }
    if (a.type->is_numeric() && b.type->is_numeric()) {
      double x = a.type->is(TypeKind::Int) ? (double)a.i : a.f;
      double y = b.type->is(TypeKind::Int) ? (double)b.i : b.f;
      out.type = types::float_();
      if (op == Op::Add) out.f = x + y; else if (op == Op::Sub) out.f = x - y;
      else if (op == Op::Mul) out.f = x * y; else if (op == Op::Div) out.f = x / y;
      else if (op == Op::Mod) out.f = std::fmod(x, y);
      else {
        out.type = types::bool_();
        return fold_compare(op, x, y, out.b);
      }
      return true;
    }
    if (a.type->is(TypeKind::Str) && b.type->is(TypeKind::Str)) {
      if (op == Op::Add) { out = a; out.s = a.s + b.s; return true; }
      out.type = types::bool_();
      return fold_compare(op, a.s, b.s, out.b);
    }
    if (a.type->is(TypeKind::Bool) && b.type->is(TypeKind::Bool)) {
      out.type = types::bool_();
      if (op == Op::And) out.b = a.b && b.b; else if (op == Op::Or) out.b = a.b || b.b;
      else if (op == Op::Eq) out.b = a.b == b.b; else if (op == Op::Ne) out.b = a.b != b.b;
      else return false;
      return true;
    }
    return false;
  }

  // ---- function bodies -----------------------------------------------------------------

  struct Scope {
    std::unordered_map<std::string, int> names;
    std::unordered_map<std::string, SourceLoc> where;  // of each name's declaration
  };

  void check_body(FnDecl& f) {
    fn_ = &f;
    scopes_.clear();
    loop_depth_ = 0;
    scopes_.emplace_back();
    for (Param& p : f.params) {
      f.locals.push_back({p.name, p.type, p.mutable_});
      scopes_.back().names[p.name] = (int)f.locals.size() - 1;
      scopes_.back().where[p.name] = p.loc;
    }
    if (f.cell) scopes_.emplace_back();  // a cell may bind an earlier cell's names again
    check_block(f.body, false);
    if (!f.result->is(TypeKind::Void) && !block_returns(f.body))
      diags_.error(f.loc, q(f.name) + " can end without returning a value of type " + q(f.result));
    fn_ = nullptr;
  }

  static bool block_returns(const Block& b) {
    for (auto& s : b)
      if (stmt_returns(*s)) return true;
    return false;
  }
  static bool stmt_returns(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::Return: return true;
      case StmtKind::If: return !s.else_body.empty() && block_returns(s.body) && block_returns(s.else_body);
      case StmtKind::BlockStmt: return block_returns(s.body);
      case StmtKind::Try: return block_returns(s.body) && block_returns(s.else_body);
      case StmtKind::While:
        return s.value->kind == ExprKind::BoolLit && s.value->bool_val && !has_break(s.body);
      default: return false;
    }
  }
  static bool has_break(const Block& b) {
    for (auto& s : b) {
      if (s->kind == StmtKind::Break) return true;
      if ((s->kind == StmtKind::If || s->kind == StmtKind::BlockStmt || s->kind == StmtKind::Try) &&
          (has_break(s->body) || has_break(s->else_body)))
        return true;
    }
    return false;
  }

  // `_` binds nothing (it may appear several times); its slot is -1.
  int declare_local(const std::string& name, SourceLoc loc, TypeRef type, bool mutable_, bool loop_var = false) {
    if (name == "_") return -1;
    Scope& scope = scopes_.back();
    if (scope.names.count(name) && !name.empty()) defined_twice(loc, name, scope.where[name]);
    fn_->locals.push_back({name, type, mutable_, loop_var});
    int slot = (int)fn_->locals.size() - 1;
    scope.names[name] = slot;
    scope.where[name] = loc;
    return slot;
  }

  int lookup_local(const std::string& name) {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto f = it->names.find(name);
      if (f != it->names.end()) return f->second;
    }
    return -1;
  }

  void check_block(Block& b, bool new_scope = true) {
    if (new_scope) scopes_.emplace_back();
    for (auto& s : b) check_stmt(*s);
    if (new_scope) scopes_.pop_back();
  }

  void check_condition(ExprPtr& e) {
    TypeRef t = check_expr(e);
    if (!t->is(TypeKind::Bool) && !t->is(TypeKind::Error))
      diags_.error(e->loc, "condition must be `bool`, found " + q(t));
  }

  void check_stmt(Stmt& s) {
    switch (s.kind) {
      case StmtKind::Let:
      case StmtKind::Var: {
        TypeRef declared = s.annotation ? resolve_type(s.annotation.get()) : nullptr;
        TypeRef t = check_expr(s.value, declared);
        if (declared) {
          coerce(s.value, declared);
          t = declared;
        } else if (t->is(TypeKind::EmptyArray) || t->is(TypeKind::Void) || t->is(TypeKind::EmptyDict)) {
          diags_.error(s.value->loc, t->is(TypeKind::Void)         ? "this expression has no value"
                                     : t->is(TypeKind::EmptyDict) ? "cannot infer the types of `{}`; annotate it: `var d: {str: int} = {};`"
                                                                  : "cannot infer the element type of `[]`; annotate it: `var xs: [int] = [];`");
          t = types::error();
        }
        check_flow_type(t, s.value->loc);
        s.declared = t;
        s.locals.push_back(declare_local(s.names[0], s.name_locs[0], t, s.kind == StmtKind::Var));
        break;
      }
      case StmtKind::LetTuple: {
        TypeRef t = check_expr(s.value);
        bool ok = t->is(TypeKind::Tuple) && t->elems.size() == s.names.size();
        if (!ok && !t->is(TypeKind::Error))
          diags_.error(s.value->loc, "cannot destructure " + q(t) + " into " + std::to_string(s.names.size()) + " names");
        for (size_t i = 0; i < s.names.size(); ++i)
          s.locals.push_back(declare_local(s.names[i], s.name_locs[i], ok ? t->elems[i] : types::error(), false));
        break;
      }
      case StmtKind::Assign: check_assign(s); break;
      case StmtKind::If:
        check_condition(s.value);
        check_block(s.body);
        check_block(s.else_body);
        break;
      case StmtKind::While:
        check_condition(s.value);
        ++loop_depth_;
        check_block(s.body);
        --loop_depth_;
        break;
      case StmtKind::ForRange: {
        for (ExprPtr* e : {&s.value, &s.range_end, &s.step}) {
          if (!*e) continue;
          TypeRef t = check_expr(*e);
          if (!t->is(TypeKind::Int) && !t->is(TypeKind::Error))
            diags_.error((*e)->loc, std::string(e == &s.step ? "the step of a range" : "a range bound") + " must be `int`, found " + q(t));
        }
        scopes_.emplace_back();
        if (s.names.size() > 1) diags_.error(s.name_locs[0], "a range gives one `int` per step; it cannot be destructured");
        s.locals.push_back(declare_local(s.names[0], s.name_locs[0], types::int_(), false, true));
        ++loop_depth_;
        check_block(s.body, false);
        --loop_depth_;
        scopes_.pop_back();
        break;
      }
      case StmtKind::ForEach: {
        TypeRef elem = iterated_element(s.value);
        scopes_.emplace_back();
        bind_pattern(s.names, s.name_locs, elem, s.locals);
        ++loop_depth_;
        check_block(s.body, false);
        --loop_depth_;
        scopes_.pop_back();
        break;
      }
      case StmtKind::Break:
      case StmtKind::Continue:
        if (loop_depth_ == 0)
          diags_.error(s.loc, std::string(s.kind == StmtKind::Break ? "`break`" : "`continue`") + " outside a loop");
        break;
      case StmtKind::Return:
        if (s.value) {
          TypeRef t = check_expr(s.value, fn_->result);
          if (fn_->result->is(TypeKind::Void)) {
            if (!t->is(TypeKind::Error)) diags_.error(s.value->loc, q(fn_->name) + " returns nothing, but a value is returned");
          } else {
            coerce(s.value, fn_->result);
          }
        } else if (!fn_->result->is(TypeKind::Void)) {
          diags_.error(s.loc, q(fn_->name) + " must return " + a_or_an(fn_->result));
        }
        break;
      case StmtKind::ExprStmt: check_expr(s.value); break;
      case StmtKind::BlockStmt: check_block(s.body); break;
      case StmtKind::Try: {
        fn_->has_try = true;
        check_block(s.body);
        if (fn_->kind == FnKind::Mpi)
          if (const Expr* mpi = find_mpi_call(s.body))
            diags_.error(mpi->loc, "an `mpi fn` cannot use `try` around MPI built-ins (" + q(mpi->str_val) +
                                       " here): a rank that fails inside a collective fails the task");
        scopes_.emplace_back();
        s.locals.push_back(declare_local(s.names[0], s.name_locs[0], types::str(), false));
        check_block(s.else_body, false);
        scopes_.pop_back();
        break;
      }
    }
  }

  // What `for x in e` binds: an array's elements, a dictionary's keys.
  TypeRef iterated_element(ExprPtr& e) {
    TypeRef t = check_expr(e);
    if (t->is(TypeKind::Array)) return t->elem();
    if (t->is(TypeKind::Dict)) return t->elems[0];
    if (!t->is(TypeKind::Error)) diags_.error(e->loc, "cannot iterate over " + q(t) + "; expected an array or a dictionary");
    return types::error();
  }

  // Binds a `for` or comprehension pattern (a name, or names destructuring a tuple) as loop
  // variables of the current scope.
  void bind_pattern(const std::vector<std::string>& names, const std::vector<SourceLoc>& locs, TypeRef elem,
                    std::vector<int>& slots) {
    if (names.size() == 1) {
      slots.push_back(declare_local(names[0], locs[0], elem, false, true));
      return;
    }
    bool ok = elem->is(TypeKind::Tuple) && elem->elems.size() == names.size();
    if (!ok && !elem->is(TypeKind::Error))
      diags_.error(locs[0], "cannot destructure " + q(elem) + " into " + std::to_string(names.size()) + " names");
    for (size_t i = 0; i < names.size(); ++i)
      slots.push_back(declare_local(names[i], locs[i], ok ? elem->elems[i] : types::error(), false, true));
  }

  // The first call of an MPI built-in in a block (already checked), or null.
  static const Expr* find_mpi_call(const Block& b) {
    for (auto& s : b) {
      for (const Expr* x : {s->value.get(), s->target.get(), s->range_end.get(), s->step.get()})
        if (const Expr* m = find_mpi_call(x)) return m;
      if (const Expr* m = find_mpi_call(s->body)) return m;
      if (const Expr* m = find_mpi_call(s->else_body)) return m;
    }
    return nullptr;
  }
  static const Expr* find_mpi_call(const Expr* e) {
    if (!e) return nullptr;
    if ((e->kind == ExprKind::Call || e->kind == ExprKind::Method) && e->resolved.kind == Resolved::Builtin &&
        builtin_scope((Builtin)e->resolved.builtin) == BuiltinScope::MpiOnly)
      return e;
    for (auto& a : e->args)
      if (const Expr* m = find_mpi_call(a.get())) return m;
    return nullptr;
  }

  void check_flow_type(TypeRef t, SourceLoc loc) {
    if (fn_->kind != FnKind::Flow && contains_flow_type(t)) diags_.error(loc, q(t) + " can only be used in a flow");
  }

  // The variable at the root of an assignment target, after checking the index chain.
  void check_assign(Stmt& s) {
    Expr* root = s.target.get();
    while (root->kind == ExprKind::Index || root->kind == ExprKind::Field) root = root->args[0].get();
    TypeRef target_type;
    if (root->kind != ExprKind::Name) {
      diags_.error(s.target->loc, "cannot assign to this expression");
      check_expr(s.value);
      return;
    }
    target_type = check_expr(s.target);
    for (Expr* x = s.target.get(); x != root; x = x->args[0].get())
      if (x->kind == ExprKind::Field && x->args[0]->type && x->args[0]->type->is(TypeKind::Tuple)) {
        diags_.error(x->loc, "cannot assign to a field of a tuple: tuples are immutable (a `struct` has writable fields)");
        check_expr(s.value);
        return;
      }
    if (root->resolved.kind == Resolved::Local) {
      const LocalInfo& local = fn_->locals[root->resolved.local];
      if (!local.mutable_) {
        bool is_param = root->resolved.local < (int)fn_->params.size() && !fn_->cell;
        diags_.error(root->loc, "cannot assign to " + q(local.name) + ": it is " +
                                    (is_param          ? std::string("a parameter")
                                     : local.loop_var ? std::string("a loop variable")
                                                       : std::string("declared with `let`; use `var`")));
      }
    } else if (root->resolved.kind != Resolved::None) {
      diags_.error(root->loc, "cannot assign to " + q(root->str_val) + ": it is not a variable");
    }
    TypeRef value_type = check_expr(s.value, target_type);
    if (target_type->is(TypeKind::Error) || value_type->is(TypeKind::Error)) return;
    if (s.op == Op::None) {
      coerce(s.value, target_type);
      return;
    }
    TypeRef result = binary_result(s.op, target_type, value_type, s.loc);
    if (result->is(TypeKind::Error)) return;
    if (result->is(TypeKind::Float) && value_type->is(TypeKind::Int)) wrap_int_to_float(s.value);
    if (result != target_type) diags_.error(s.loc, "`" + std::string(op_text(s.op)) + "=` would store " + a_or_an(result) + " in " + a_or_an(target_type));
  }

  // ---- expressions ---------------------------------------------------------------------

  void wrap_int_to_float(ExprPtr& e) {
    auto w = std::make_unique<Expr>();
    w->kind = ExprKind::IntToFloat;
    w->loc = e->loc;
    w->type = types::float_();
    w->args.push_back(std::move(e));
    e = std::move(w);
  }

  // Can a value of type `from` be used where `to` is expected (with at most an int->float
  // conversion, also inside literals)?
  bool coercible(const Expr& e, TypeRef from, TypeRef to) {
    if (from == to || from->is(TypeKind::Error) || to->is(TypeKind::Error)) return true;
    if (from->is(TypeKind::Int) && to->is(TypeKind::Float)) return true;
    if (from->is(TypeKind::EmptyArray) && to->is(TypeKind::Array)) return true;
    if (from->is(TypeKind::EmptyDict) && to->is(TypeKind::Dict)) return true;
    if (e.kind == ExprKind::DictLit && to->is(TypeKind::Dict)) {
      for (size_t i = 0; i < e.args.size(); ++i)
        if (!coercible(*e.args[i], e.args[i]->type, to->elems[i % 2])) return false;
      return true;
    }
    if (e.kind == ExprKind::ArrayLit && to->is(TypeKind::Array)) {
      for (auto& x : e.args)
        if (!coercible(*x, x->type, to->elem())) return false;
      return true;
    }
    if (e.kind == ExprKind::RepeatLit && to->is(TypeKind::Array)) return coercible(*e.args[0], e.args[0]->type, to->elem());
    if (e.kind == ExprKind::TupleLit && to->is(TypeKind::Tuple) && to->elems.size() == e.args.size()) {
      for (size_t i = 0; i < e.args.size(); ++i)
        if (!coercible(*e.args[i], e.args[i]->type, to->elems[i])) return false;
      return true;
    }
    return false;
  }

  void apply_coercion(ExprPtr& e, TypeRef to) {
    if (e->type == to || e->type->is(TypeKind::Error) || to->is(TypeKind::Error)) return;
    if (e->type->is(TypeKind::Int) && to->is(TypeKind::Float)) return wrap_int_to_float(e);
    if (e->kind == ExprKind::ArrayLit)
      for (auto& x : e->args) apply_coercion(x, to->elem());
    if (e->kind == ExprKind::RepeatLit) apply_coercion(e->args[0], to->elem());
    if (e->kind == ExprKind::DictLit)
      for (size_t i = 0; i < e->args.size(); ++i) apply_coercion(e->args[i], to->elems[i % 2]);
    if (e->kind == ExprKind::TupleLit)
      for (size_t i = 0; i < e->args.size(); ++i) apply_coercion(e->args[i], to->elems[i]);
    e->type = to;
  }

  // Converts `e` to `to` or reports a mismatch. Returns false on mismatch.
  bool coerce(ExprPtr& e, TypeRef to, const std::string& what = "") {
    if (!coercible(*e, e->type, to)) {
      diags_.error(e->loc, (what.empty() ? "" : what + ": ") + "expected " + q(to) + ", found " + q(e->type));
      return false;
    }
    apply_coercion(e, to);
    return true;
  }

  TypeRef set(Expr& e, TypeRef t) { return e.type = t; }

  TypeRef check_expr(ExprPtr& e, TypeRef expected = nullptr) {
    Expr& x = *e;
    switch (x.kind) {
      case ExprKind::IntLit:
        check_int_literal(x);
        return set(x, types::int_());
      case ExprKind::FloatLit: return set(x, types::float_());
      case ExprKind::BoolLit: return set(x, types::bool_());
      case ExprKind::StrLit: return set(x, types::str());
      case ExprKind::IntToFloat: return x.type;
      case ExprKind::Error: return set(x, types::error());
      case ExprKind::Name: return check_name(x);
      case ExprKind::ArrayLit: return check_array_lit(x, expected);
      case ExprKind::RepeatLit: {
        TypeRef elem_expected = expected && expected->is(TypeKind::Array) ? expected->elem() : nullptr;
        TypeRef elem = check_expr(x.args[0], elem_expected);
        TypeRef n = check_expr(x.args[1]);
        if (!n->is(TypeKind::Int) && !n->is(TypeKind::Error)) diags_.error(x.args[1]->loc, "the count of `[x; n]` must be `int`, found " + q(n));
        if (elem->is(TypeKind::Error)) return set(x, types::error());
        if (elem->is(TypeKind::EmptyArray) || elem->is(TypeKind::Void)) {
          diags_.error(x.args[0]->loc, "cannot infer the element type");
          return set(x, types::error());
        }
        return set(x, types::array(elem));
      }
      case ExprKind::TupleLit: {
        std::vector<TypeRef> fields;
        bool failed = false;
        for (size_t i = 0; i < x.args.size(); ++i) {
          TypeRef fe = expected && expected->is(TypeKind::Tuple) && expected->elems.size() == x.args.size() ? expected->elems[i] : nullptr;
          TypeRef t = check_expr(x.args[i], fe);
          if (t->is(TypeKind::Void) || t->is(TypeKind::EmptyArray)) {
            diags_.error(x.args[i]->loc, t->is(TypeKind::Void) ? "this expression has no value" : "cannot infer the element type of `[]`");
            t = types::error();
          }
          failed |= t->is(TypeKind::Error);
          fields.push_back(t);
        }
        return set(x, failed ? types::error() : types::tuple(fields));
      }
      case ExprKind::Unary: {
        TypeRef t = check_expr(x.args[0]);
        if (t->is(TypeKind::Error)) return set(x, t);
        if (x.op == Op::Neg && t->is_numeric()) return set(x, t);
        if (x.op == Op::BitNot && t->is(TypeKind::Int)) return set(x, t);
        diags_.error(x.loc, "cannot apply " + q(op_text(x.op)) + " to " + q(t));
        return set(x, types::error());
      }
      case ExprKind::Not: {
        TypeRef t = check_expr(x.args[0]);
        if (!t->is(TypeKind::Bool) && !t->is(TypeKind::Error)) diags_.error(x.loc, "cannot apply `not` to " + q(t));
        return set(x, types::bool_());
      }
      case ExprKind::And:
      case ExprKind::Or: {
        for (auto& a : x.args) {
          TypeRef t = check_expr(a);
          if (!t->is(TypeKind::Bool) && !t->is(TypeKind::Error))
            diags_.error(a->loc, q(op_text(x.op)) + " needs `bool` operands, found " + q(t));
        }
        return set(x, types::bool_());
      }
      case ExprKind::Binary: {
        TypeRef a = check_expr(x.args[0]);
        TypeRef b = check_expr(x.args[1]);
        TypeRef r = binary_result(x.op, a, b, x.loc);
        if (a->is(TypeKind::Int) && b->is(TypeKind::Float)) wrap_int_to_float(x.args[0]);
        if (a->is(TypeKind::Float) && b->is(TypeKind::Int)) wrap_int_to_float(x.args[1]);
        return set(x, r);
      }
      case ExprKind::Index: {
        TypeRef a = check_expr(x.args[0]);
        if (a->is(TypeKind::Dict)) {
          TypeRef k = check_expr(x.args[1], a->elems[0]);
          if (!k->is(TypeKind::Error) && !coercible(*x.args[1], k, a->elems[0])) {
            diags_.error(x.args[1]->loc, "the keys of " + q(a) + " are " + q(a->elems[0]) + ", found " + q(k));
            return set(x, types::error());
          }
          apply_coercion(x.args[1], a->elems[0]);
          return set(x, a->elems[1]);
        }
        TypeRef i = check_expr(x.args[1]);
        if (!i->is(TypeKind::Int) && !i->is(TypeKind::Error)) diags_.error(x.args[1]->loc, "an index must be `int`, found " + q(i));
        if (a->is(TypeKind::Array)) return set(x, a->elem());
        if (!a->is(TypeKind::Error)) diags_.error(x.loc, "cannot index into " + q(a));
        return set(x, types::error());
      }
      case ExprKind::Field: {
        TypeRef t = check_expr(x.args[0]);
        if (t->is(TypeKind::Error)) return set(x, t);
        if (x.field < 0) return check_named_field(x, t);
        if (!t->is(TypeKind::Tuple)) {
          diags_.error(x.loc, q(t) + " has no field " + q(std::to_string(x.field)));
          return set(x, types::error());
        }
        if (x.field >= (int)t->elems.size()) {
          diags_.error(x.loc, "tuple " + q(t) + " has no field " + q(std::to_string(x.field)));
          return set(x, types::error());
        }
        return set(x, t->elems[x.field]);
      }
      case ExprKind::Call:
      case ExprKind::Method: return check_call(x, expected);
      case ExprKind::DictLit: return check_dict_lit(x, expected);
      case ExprKind::Comprehension: return check_comprehension(x, expected);
      case ExprKind::FString: return check_fstring(x);
    }
    return set(x, types::error());
  }

  // `r.name`: a record's field.
  TypeRef check_named_field(Expr& x, TypeRef t) {
    if (t->is(TypeKind::Record)) {
      x.field = t->field_index(x.str_val);
      if (x.field >= 0) return set(x, t->elems[(size_t)x.field]);
      diags_.error(x.loc, q(t) + " has no field " + q(x.str_val) + did_you_mean(x.str_val, t->fields));
      return set(x, types::error());
    }
    bool callable = find_builtin(x.str_val) != Builtin::Count || (globals_.count(x.str_val) && globals_[x.str_val].fn);
    diags_.error(x.loc, q(t) + " has no field " + q(x.str_val) +
                            (callable ? "; to call " + q(x.str_val) + ", write " + q("." + x.str_val + "()") : ""));
    return set(x, types::error());
  }

  // `{k: v, ...}`: keys and values each of one type (ints become floats beside floats, as in
  // array literals); `{}` takes its types from the context.
  TypeRef check_dict_lit(Expr& x, TypeRef expected) {
    TypeRef want = expected && expected->is(TypeKind::Dict) ? expected : nullptr;
    if (x.args.empty()) return set(x, want ? want : types::empty_dict());
    TypeRef kv[2] = {want ? want->elems[0] : nullptr, want ? want->elems[1] : nullptr};
    bool failed = false, any_float[2] = {false, false}, all_numeric[2] = {true, true};
    TypeRef first[2] = {nullptr, nullptr};
    for (size_t i = 0; i < x.args.size(); ++i) {
      TypeRef t = check_expr(x.args[i], kv[i % 2]);
      if (t->is(TypeKind::Void)) {
        diags_.error(x.args[i]->loc, "this expression has no value");
        t = types::error();
      }
      if (t->is(TypeKind::Error)) {
        failed = true;
        continue;
      }
      any_float[i % 2] |= t->is(TypeKind::Float);
      all_numeric[i % 2] &= t->is_numeric();
      bool empty = first[i % 2] && (first[i % 2]->is(TypeKind::EmptyArray) || first[i % 2]->is(TypeKind::EmptyDict));
      if (!first[i % 2] || empty) first[i % 2] = t;  // `[]`/`{}` take their type from a sibling
    }
    if (failed) return set(x, types::error());
    for (int j = 0; j < 2; ++j) {
      if (!kv[j]) kv[j] = all_numeric[j] && any_float[j] ? types::float_() : first[j];
      if (kv[j]->is(TypeKind::EmptyArray) || kv[j]->is(TypeKind::EmptyDict)) {
        diags_.error(x.loc, "cannot infer the type of " + q(kv[j]) + " in this dictionary; annotate it: `let d: {str: [int]} = ...`");
        return set(x, types::error());
      }
    }
    if (!key_type_ok(kv[0])) {
      diags_.error(x.args[0]->loc, "dictionary keys must be `int`, `str`, `bool` or tuples of them, not " + q(kv[0]));
      return set(x, types::error());
    }
    for (size_t i = 0; i < x.args.size(); ++i)
      if (!coercible(*x.args[i], x.args[i]->type, kv[i % 2])) {
        diags_.error(x.args[i]->loc, std::string("dictionary ") + (i % 2 ? "values" : "keys") + " must all be " + q(kv[i % 2]) +
                                         ", found " + q(x.args[i]->type));
        return set(x, types::error());
      }
    for (size_t i = 0; i < x.args.size(); ++i) apply_coercion(x.args[i], kv[i % 2]);
    return set(x, types::dict(kv[0], kv[1]));
  }

  // `[e for pattern in xs if c]` and `[e for i in a..b step k if c]`
  TypeRef check_comprehension(Expr& x, TypeRef expected) {
    scopes_.emplace_back();
    TypeRef elem;
    if (x.args[2]) {
      for (ExprPtr* b : {&x.args[1], &x.args[2], &x.args[3]}) {
        if (!*b) continue;
        TypeRef t = check_expr(*b);
        if (!t->is(TypeKind::Int) && !t->is(TypeKind::Error))
          diags_.error((*b)->loc, std::string(b == &x.args[3] ? "the step of a range" : "a range bound") + " must be `int`, found " + q(t));
      }
      if (x.names.size() > 1) diags_.error(x.name_locs[0], "a range gives one `int` per step; it cannot be destructured");
      elem = types::int_();
    } else {
      elem = iterated_element(x.args[1]);
    }
    if (x.names.size() == 1 || x.args[2]) x.locals.push_back(declare_local(x.names[0], x.name_locs[0], elem, false, true));
    else bind_pattern(x.names, x.name_locs, elem, x.locals);
    if (x.args[4]) check_condition(x.args[4]);
    TypeRef want = expected && expected->is(TypeKind::Array) ? expected->elem() : nullptr;
    TypeRef t = check_expr(x.args[0], want);
    scopes_.pop_back();
    if (t->is(TypeKind::Void) || t->is(TypeKind::EmptyArray) || t->is(TypeKind::EmptyDict)) {
      diags_.error(x.args[0]->loc, t->is(TypeKind::Void) ? "this expression has no value" : "cannot infer the type of " + q(t));
      return set(x, types::error());
    }
    if (t->is(TypeKind::Error)) return set(x, t);
    if (want && coercible(*x.args[0], t, want)) {
      apply_coercion(x.args[0], want);
      t = want;
    }
    return set(x, types::array(t));
  }

  // f"...{value:spec}...": each spec is checked here against its value's type.
  TypeRef check_fstring(Expr& x) {
    for (size_t i = 0; i < x.args.size(); ++i) {
      TypeRef t = check_expr(x.args[i]);
      if (t->is(TypeKind::Void)) {
        diags_.error(x.args[i]->loc, "this expression has no value to format");
        continue;
      }
      if (t->is(TypeKind::EmptyArray)) apply_coercion(x.args[i], types::array(types::int_()));
      if (t->is(TypeKind::EmptyDict)) {
        diags_.error(x.args[i]->loc, "cannot infer the types of `{}`");
        continue;
      }
      if (t->is(TypeKind::Error) || x.specs[i].empty()) continue;
      std::string error;
      size_t at = 0;
      SourceLoc l = x.spec_locs[i];
      format::ValueKind kind = t->is(TypeKind::Int)     ? format::ValueKind::Int
                               : t->is(TypeKind::Float) ? format::ValueKind::Float
                               : t->is(TypeKind::Str)   ? format::ValueKind::Str
                                                        : format::ValueKind::Other;
      if (!format::check_spec(x.specs[i], kind, error, at, a_or_an(t))) {
        l.col += (int)at;
        diags_.error(l, error);
      }
    }
    return set(x, types::str());
  }

  TypeRef check_name(Expr& x) {
    int local = lookup_local(x.str_val);
    if (local >= 0) {
      x.resolved.kind = Resolved::Local;
      x.resolved.local = local;
      return set(x, fn_->locals[local].type);
    }
    auto it = globals_.find(x.str_val);
    if (it != globals_.end() && it->second.konst) {
      x.resolved.kind = Resolved::Const;
      x.resolved.konst = it->second.konst;
      return set(x, it->second.konst->type ? it->second.konst->type : types::error());
    }
    if (it != globals_.end() && it->second.record) {
      diags_.error(x.loc, q(x.str_val) + " is a struct; build a value with " + q(x.str_val + "(...)"));
      return set(x, types::error());
    }
    if (it != globals_.end() || find_builtin(x.str_val) != Builtin::Count) {
      diags_.error(x.loc, q(x.str_val) + " is a function; call it or pass it to `submit`/`map`");
      return set(x, types::error());
    }
    diags_.error(x.loc, "unknown name " + q(x.str_val) + did_you_mean(x.str_val, value_names()));
    return set(x, types::error());
  }

  TypeRef check_array_lit(Expr& x, TypeRef expected) {
    if (x.args.empty()) {
      if (expected && expected->is(TypeKind::Array)) return set(x, expected);
      return set(x, types::empty_array());
    }
    TypeRef elem_expected = expected && expected->is(TypeKind::Array) ? expected->elem() : nullptr;
    std::string context = std::exchange(items_context_, "");  // for this literal, not nested ones
    TypeRef elem = nullptr;
    bool any_float = false, all_numeric = true, failed = false;
    for (auto& a : x.args) {  // every element, so that independent errors are all reported
      TypeRef t = check_expr(a, elem_expected);
      if (t->is(TypeKind::Error)) {
        failed = true;
        continue;
      }
      if (t->is(TypeKind::Void)) {
        diags_.error(a->loc, "this expression has no value");
        failed = true;
        continue;
      }
      any_float |= t->is(TypeKind::Float);
      all_numeric &= t->is_numeric();
      if (!elem || elem->is(TypeKind::EmptyArray) || elem->is(TypeKind::EmptyDict)) elem = t;
    }
    if (failed) return set(x, types::error());
    if (elem_expected) elem = elem_expected;
    else if (all_numeric && any_float) elem = types::float_();
    if (elem->is(TypeKind::EmptyArray) || elem->is(TypeKind::EmptyDict)) {
      diags_.error(x.loc, "cannot infer the element type of " + q(elem));
      return set(x, types::error());
    }
    for (auto& a : x.args)
      if (!coercible(*a, a->type, elem)) {
        diags_.error(a->loc, context.empty() ? "array elements must all be " + q(elem) + ", found " + q(a->type)
                                             : context + ": expected " + q(elem) + ", found " + q(a->type));
        return set(x, types::error());
      }
    for (auto& a : x.args) apply_coercion(a, elem);
    return set(x, types::array(elem));
  }

  TypeRef binary_result(Op op, TypeRef a, TypeRef b, SourceLoc loc) {
    if (a->is(TypeKind::Error) || b->is(TypeKind::Error)) return types::error();
    bool numeric = a->is_numeric() && b->is_numeric();
    TypeRef num = (a->is(TypeKind::Float) || b->is(TypeKind::Float)) ? types::float_() : types::int_();
    if (op == Op::Add && a->is(TypeKind::Str) && b->is(TypeKind::Str)) return types::str();
    if ((op == Op::Add || op == Op::Sub || op == Op::Mul || op == Op::Div || op == Op::Mod) && numeric) return num;
    if ((op == Op::BitAnd || op == Op::BitOr || op == Op::BitXor || op == Op::Shl || op == Op::Shr || op == Op::UShr) && a->is(TypeKind::Int) &&
        b->is(TypeKind::Int))
      return types::int_();
    if (op == Op::Eq || op == Op::Ne) {
      if (numeric || (a == b && !contains_flow_type(a))) return types::bool_();
    }
    if (op == Op::Lt || op == Op::Le || op == Op::Gt || op == Op::Ge) {
      if (numeric || (a == b && a->is(TypeKind::Str))) return types::bool_();
    }
    diags_.error(loc, "cannot apply " + q(op_text(op)) + " to " + q(a) + " and " + q(b));
    return types::error();
  }

  // ---- calls ---------------------------------------------------------------------------

  TypeRef check_call(Expr& x, TypeRef expected) {
    if (x.kind == ExprKind::Call && (!x.callee || x.callee->kind != ExprKind::Name)) {
      diags_.error(x.loc, "only functions can be called");
      for (auto& a : x.args) check_expr(a);
      return set(x, types::error());
    }
    const std::string& name = x.str_val;
    // A local variable shadows functions only for non-call uses; calls look up functions.
    auto it = globals_.find(name);
    if (it != globals_.end() && it->second.fn) return check_user_call(x, *it->second.fn);
    if (it != globals_.end() && it->second.record && x.kind == ExprKind::Call) return check_construct(x, *it->second.record);
    if (it != globals_.end() && it->second.konst) {
      diags_.error(x.loc, q(name) + " is a constant, not a function");
      return set(x, types::error());
    }
    Builtin b = find_builtin(name);
    if (b == Builtin::Count && lookup_local(name) >= 0) {
      diags_.error(x.loc, q(name) + " is a variable, not a function");
      for (auto& a : x.args) check_expr(a);
      return set(x, types::error());
    }
    if (b == Builtin::Count) {
      diags_.error(x.loc, "unknown function " + q(name) + did_you_mean(name, function_names()));
      for (auto& a : x.args)
        if (a->kind != ExprKind::Name) check_expr(a);
      return set(x, types::error());
    }
    x.resolved.kind = Resolved::Builtin;
    x.resolved.builtin = (int)b;
    BuiltinScope scope = builtin_scope(b);
    if (scope == BuiltinScope::FlowOnly && fn_->kind != FnKind::Flow) {
      diags_.error(x.loc, q(name) + " can only be used in a flow");
      return set(x, types::error());
    }
    if (scope == BuiltinScope::MpiOnly && fn_->kind != FnKind::Mpi) {
      diags_.error(x.loc, q(name) + " can only be used in an `mpi fn`");
      return set(x, types::error());
    }
    if (b != Builtin::Map && b != Builtin::Starmap && b != Builtin::Pool && b != Builtin::Submit && b != Builtin::Result &&
        b != Builtin::Wait) {
      for (size_t i = 0; i < x.arg_names.size(); ++i)
        if (!x.arg_names[i].empty()) {
          diags_.error(x.args[i]->loc, q(name) + " takes no argument named " + q(x.arg_names[i]));
          return set(x, types::error());
        }
    }
    TypeRef result = check_builtin(x, b, expected);
    // Arguments the rules above did not reach (they stop at the first bad one) are checked
    // on their own, so that their independent errors are reported too.
    for (auto& a : x.args) {
      bool names_function = a->kind == ExprKind::Name && lookup_local(a->str_val) < 0 &&
                            ((globals_.count(a->str_val) && globals_[a->str_val].fn) || find_builtin(a->str_val) != Builtin::Count);
      if (!a->type && !names_function) check_expr(a);
    }
    return set(x, result);
  }

  // `P(x=1, y=2)` or `P(1, 2)`: every field once, all by name or all by position.
  TypeRef check_construct(Expr& x, const StructDecl& d) {
    x.resolved.kind = Resolved::Struct;
    x.resolved.record = &d;
    TypeRef t = d.type;
    auto give_up = [&]() {
      for (auto& a : x.args)
        if (!a->type) check_expr(a);
      return set(x, types::error());
    };
    if (!t || t->is(TypeKind::Error)) return give_up();
    size_t n = t->elems.size(), named = 0;
    for (auto& name : x.arg_names) named += !name.empty();
    x.order.assign(n, -1);
    bool ok = true;
    if (named == 0) {
      if (x.args.size() != n) {
        std::string fields;
        for (size_t i = 0; i < n; ++i) fields += (i ? ", " : "") + q(t->fields[i]);
        diags_.error(x.loc, q(d.name) + " has " + std::to_string(n) + " field" + (n == 1 ? "" : "s") + " (" + fields + "), but " +
                                given_phrase(x.args.size()) + "; give all of them in order, or by name");
        return give_up();
      }
      for (size_t i = 0; i < n; ++i) x.order[i] = (int)i;
    } else if (named != x.args.size()) {
      diags_.error(x.loc, "give the fields of " + q(d.name) + " all by name or all by position");
      return give_up();
    } else {
      for (size_t i = 0; i < x.args.size(); ++i) {
        int f = t->field_index(x.arg_names[i]);
        if (f < 0) {
          diags_.error(x.args[i]->loc, q(d.name) + " has no field " + q(x.arg_names[i]) + did_you_mean(x.arg_names[i], t->fields));
          ok = false;
        } else if (x.order[(size_t)f] >= 0) {
          diags_.error(x.args[i]->loc, "field " + q(x.arg_names[i]) + " of " + q(d.name) + " is given twice");
          ok = false;
        } else {
          x.order[(size_t)f] = (int)i;
        }
      }
      std::vector<std::string> missing;
      for (size_t f = 0; f < n; ++f)
        if (x.order[f] < 0) missing.push_back(q(t->fields[f]));
      if (!missing.empty() && ok) {
        std::string list;
        for (size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + missing[i];
        diags_.error(x.loc, "missing field" + std::string(missing.size() > 1 ? "s " : " ") + list + " in " + q(d.name));
        ok = false;
      }
      if (!ok) return give_up();
    }
    for (size_t f = 0; f < n; ++f) {
      ExprPtr& a = x.args[(size_t)x.order[f]];
      check_expr(a, t->elems[f]);
      ok &= coerce(a, t->elems[f], "field " + q(t->fields[f]) + " of " + q(d.name));
    }
    return set(x, ok ? t : types::error());
  }

  TypeRef check_user_call(Expr& x, const FnDecl& f) {
    x.resolved.kind = Resolved::Function;
    x.resolved.fn = &f;
    for (size_t i = 0; i < x.arg_names.size(); ++i)
      if (!x.arg_names[i].empty()) {
        diags_.error(x.args[i]->loc, "arguments of " + q(f.name) + " cannot be named");
        return set(x, types::error());
      }
    if (f.kind == FnKind::Flow && fn_->kind != FnKind::Flow) {
      diags_.error(x.loc, "a flow such as " + q(f.name) + " can only be called from a flow");
      return set(x, types::error());
    }
    if (f.kind == FnKind::Mpi && fn_->kind == FnKind::Flow && f.ranks == 0) {
      diags_.error(x.loc, q(f.name) + " takes its rank count at submission: `submit(" + f.name + ", ..., ranks=N)`");
      return set(x, types::error());
    }
    if (f.kind == FnKind::Mpi && fn_->kind != FnKind::Flow) {
      diags_.error(x.loc, "cannot call `mpi fn` " + q(f.name) + " from " + (fn_->kind == FnKind::Mpi ? "an `mpi fn`" : "a `fn`") +
                              "; submit it from a flow");
      return set(x, types::error());
    }
    check_args(x, 0, f, false);
    return set(x, f.result ? f.result : types::error());
  }

  // Checks x.args[first..] against f's parameters. With `allow_futures`, an argument of type
  // future[T] is accepted for a parameter of type T (dataflow).
  bool check_args(Expr& x, size_t first, const FnDecl& f, bool allow_futures, size_t end = SIZE_MAX) {
    end = std::min(end, x.args.size());
    size_t given = end - first;
    if (given != f.params.size()) {
      diags_.error(x.loc, q(f.name) + " takes " + std::to_string(f.params.size()) + " argument" +
                              (f.params.size() == 1 ? "" : "s") + ", but " + given_phrase(given));
      for (size_t i = first; i < end; ++i) check_expr(x.args[i]);
      return false;
    }
    x.future_args.assign(x.args.size(), false);
    bool ok = true;
    for (size_t i = 0; i < f.params.size(); ++i) {
      ExprPtr& a = x.args[first + i];
      TypeRef want = f.params[i].type;
      TypeRef t = check_expr(a, want);
      if (allow_futures && t->is(TypeKind::Future) && (t->elem() == want || t->elem()->is(TypeKind::Error))) {
        x.future_args[first + i] = true;
        continue;
      }
      ok &= coerce(a, want, "argument " + std::to_string(i + 1) + " (" + q(f.params[i].name) + ") of " + q(f.name));
    }
    return ok;
  }

  // The function named by a `submit`/`map` argument.
  const FnDecl* task_function(Expr& arg, const std::string& what) {
    if (arg.kind == ExprKind::Name) {
      auto it = globals_.find(arg.str_val);
      if (it != globals_.end() && it->second.fn) {
        const FnDecl* f = it->second.fn;
        if (f->kind == FnKind::Serial || f->kind == FnKind::Mpi) {
          arg.resolved.kind = Resolved::Function;
          arg.resolved.fn = f;
          arg.type = types::void_();
          return f;
        }
        diags_.error(arg.loc, q(what) + " runs a `fn` or `mpi fn` as a task; " + q(f->name) + " is " +
                                  (f->kind == FnKind::Flow ? "a flow" : "an `extern fn`"));
        return nullptr;
      }
    }
    if (arg.kind == ExprKind::Name && lookup_local(arg.str_val) < 0 && find_builtin(arg.str_val) == Builtin::Count &&
        globals_.find(arg.str_val) == globals_.end())
      diags_.error(arg.loc, "unknown function " + q(arg.str_val) + did_you_mean(arg.str_val, function_names()));
    else
      diags_.error(arg.loc, q(what) + " needs the name of a `fn` here");
    return nullptr;
  }

  // A leading pool argument of `submit`/`map`/`starmap` (method syntax `p.map(f, xs)`).
  // Returns how many leading arguments are the pool (0 or 1), or -1 after an error. A name
  // that is not a local variable is the function itself (`submit(f, ...)`).
  size_t pool_prefix(Expr& x) {
    if (x.args.empty()) return 0;
    if (x.args[0]->kind == ExprKind::Name && lookup_local(x.args[0]->str_val) < 0) return 0;
    TypeRef t = check_expr(x.args[0]);
    if (t->is(TypeKind::Pool)) return 1;
    if (!t->is(TypeKind::Error)) diags_.error(x.args[0]->loc, "expected a pool or a function, found " + q(t));
    return (size_t)-1;
  }

  bool want_args(Expr& x, size_t n, const char* name) {
    if (x.args.size() == n) return true;
    diags_.error(x.loc, q(name) + " takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s") + ", but " +
                            given_phrase(x.args.size()));
    for (auto& a : x.args)
      if (!a->type) check_expr(a);
    return false;
  }

  bool want_type(ExprPtr& a, TypeRef t, const char* name) {
    TypeRef got = a->type ? a->type : check_expr(a, t);
    if (got->is(TypeKind::Error)) return false;
    return coerce(a, t, std::string("argument of ") + q(name));
  }

  TypeRef check_builtin(Expr& x, Builtin b, TypeRef expected) {
    const char* name = builtin_name(b);
    auto E = types::error;
    auto arg_type = [&](size_t i, TypeRef hint = nullptr) { return x.args[i]->type ? x.args[i]->type : check_expr(x.args[i], hint); };
    auto bad = [&](size_t i, const std::string& what) {
      TypeRef t = x.args[i]->type;
      if (t && !t->is(TypeKind::Error)) diags_.error(x.args[i]->loc, q(name) + " needs " + what + ", found " + q(t));
      return E();
    };
    auto float_fn = [&](size_t n) {
      if (!want_args(x, n, name)) return E();
      for (size_t i = 0; i < n; ++i)
        if (!want_type(x.args[i], types::float_(), name)) return E();
      return types::float_();
    };
    if (const BuiltinSignature* sig = builtin_signature(b)) {
      if (!want_args(x, sig->params.size(), name)) return E();
      for (size_t i = 0; i < sig->params.size(); ++i)
        if (!want_type(x.args[i], sig->params[i], name)) return E();
      return sig->result;
    }
    switch (b) {
      case Builtin::Print:
      case Builtin::Eprint:
        for (auto& a : x.args) {
          TypeRef t = check_expr(a);
          if (t->is(TypeKind::Void)) diags_.error(a->loc, "this expression has no value to print");
          if (t->is(TypeKind::EmptyArray)) apply_coercion(a, types::array(types::int_()));
        }
        return types::void_();
      case Builtin::Str: {
        if (!want_args(x, 1, name)) return E();
        TypeRef t = arg_type(0);
        if (t->is(TypeKind::Void)) diags_.error(x.args[0]->loc, "this expression has no value");
        if (t->is(TypeKind::EmptyArray)) apply_coercion(x.args[0], types::array(types::int_()));
        return types::str();
      }
      case Builtin::ToFloat:
        if (!want_args(x, 1, name)) return E();
        if (arg_type(0)->is_numeric()) return types::float_();
        return bad(0, "an `int` or `float`");
      case Builtin::ToInt:
        if (!want_args(x, 1, name)) return E();
        if (arg_type(0)->is_numeric()) return types::int_();
        return bad(0, "an `int` or `float`");
      case Builtin::Sqrt: return float_fn(1);
      case Builtin::Pi: case Builtin::Inf: case Builtin::Nan: return float_fn(0);
      case Builtin::IsNan:
        if (float_fn(1)->is(TypeKind::Error)) return E();
        return types::bool_();
      case Builtin::Abs: {
        if (!want_args(x, 1, name)) return E();
        TypeRef t = arg_type(0);
        return t->is_numeric() ? t : bad(0, "an `int` or `float`");
      }
      case Builtin::Min: case Builtin::Max: {
        if (!want_args(x, 2, name)) return E();
        TypeRef a = arg_type(0), c = arg_type(1);
        if (!a->is_numeric()) return bad(0, "an `int` or `float`");
        if (!c->is_numeric()) return bad(1, "an `int` or `float`");
        if (a == c) return a;
        if (a->is(TypeKind::Int)) wrap_int_to_float(x.args[0]);
        if (c->is(TypeKind::Int)) wrap_int_to_float(x.args[1]);
        return types::float_();
      }
      case Builtin::Len: {
        if (!want_args(x, 1, name)) return E();
        TypeRef t = arg_type(0);
        if (t->is(TypeKind::Array) || t->is(TypeKind::Str) || t->is(TypeKind::EmptyArray) || t->is(TypeKind::Dict)) {
          if (t->is(TypeKind::EmptyArray)) apply_coercion(x.args[0], types::array(types::int_()));
          return types::int_();
        }
        return bad(0, "an array, a dictionary or a `str`");
      }
      case Builtin::Push: {
        if (!want_args(x, 2, name)) return E();
        TypeRef t = arg_type(0);
        if (!t->is(TypeKind::Array)) return bad(0, "a `var` array");
        if (!var_root(*x.args[0], *fn_, PlaceChain::Writable))
          diags_.error(x.args[0]->loc, "`push` needs a `var` array");
        arg_type(1, t->elem());
        coerce(x.args[1], t->elem(), "pushed value");
        return types::void_();
      }
      case Builtin::Zip: {
        if (!want_args(x, 2, name)) return E();
        TypeRef a = arg_type(0), c = arg_type(1);
        if (!a->is(TypeKind::Array)) return bad(0, "an array");
        if (!c->is(TypeKind::Array)) return bad(1, "an array");
        return types::array(types::tuple({a->elem(), c->elem()}));
      }
      case Builtin::Sum: {
        if (!want_args(x, 1, name)) return E();
        TypeRef t = arg_type(0);
        if (t->is(TypeKind::Array) && t->elem()->is_numeric()) return t->elem();
        return bad(0, "`[int]` or `[float]`");
      }
      case Builtin::Concat: {
        if (!want_args(x, 2, name)) return E();
        TypeRef a = arg_type(0, expected), c = arg_type(1, a->is(TypeKind::Array) ? a : expected);
        if (a->is(TypeKind::EmptyArray) && c->is(TypeKind::Array)) { apply_coercion(x.args[0], c); a = c; }
        if (!a->is(TypeKind::Array)) return bad(0, "an array");
        if (!coerce(x.args[1], a, "argument of `concat`")) return E();
        return a;
      }
      case Builtin::Slice: {
        if (!want_args(x, 3, name)) return E();
        TypeRef a = arg_type(0);
        if (!a->is(TypeKind::Array) && !a->is(TypeKind::Str)) return bad(0, "an array or a `str`");
        if (!want_type(x.args[1], types::int_(), name) || !want_type(x.args[2], types::int_(), name)) return E();
        return a;
      }
      case Builtin::Sort: {
        if (!want_args(x, 1, name)) return E();
        TypeRef a = arg_type(0);
        if (a->is(TypeKind::Array) && (a->elem()->is_numeric() || a->elem()->is(TypeKind::Str))) return a;
        return bad(0, "`[int]`, `[float]` or `[str]`");
      }
      case Builtin::Contains: {
        if (!want_args(x, 2, name)) return E();
        TypeRef a = arg_type(0);
        if (a->is(TypeKind::Dict)) return dict_key_arg(x, a, 1) ? types::bool_() : E();
        if (!a->is(TypeKind::Array)) return bad(0, "an array or a dictionary");
        arg_type(1, a->elem());
        if (!coerce(x.args[1], a->elem(), "argument of `contains`")) return E();
        return types::bool_();
      }
      case Builtin::Get: {
        if (!want_args(x, 3, name)) return E();
        TypeRef d = arg_type(0);
        if (!d->is(TypeKind::Dict)) return bad(0, "a dictionary");
        if (!dict_key_arg(x, d, 1)) return E();
        arg_type(2, d->elems[1]);
        if (!coerce(x.args[2], d->elems[1], "the default of `get`")) return E();
        return d->elems[1];
      }
      case Builtin::Remove: {
        if (!want_args(x, 2, name)) return E();
        TypeRef d = arg_type(0);
        if (!d->is(TypeKind::Dict)) return bad(0, "a `var` dictionary");
        if (!var_root(*x.args[0], *fn_, PlaceChain::Writable)) diags_.error(x.args[0]->loc, "`remove` needs a `var` dictionary");
        return dict_key_arg(x, d, 1) ? types::void_() : E();
      }
      case Builtin::Keys: case Builtin::Values: case Builtin::Items: {
        if (!want_args(x, 1, name)) return E();
        TypeRef d = arg_type(0);
        if (!d->is(TypeKind::Dict)) return bad(0, "a dictionary");
        if (b == Builtin::Keys) return types::array(d->elems[0]);
        if (b == Builtin::Values) return types::array(d->elems[1]);
        return types::array(types::tuple({d->elems[0], d->elems[1]}));
      }
      case Builtin::Round: {
        if (x.args.size() != 1 && x.args.size() != 2) return want_args(x, 1, name), E();
        if (!want_type(x.args[0], types::float_(), name)) return E();
        if (x.args.size() == 2 && !want_type(x.args[1], types::int_(), name)) return E();
        return types::float_();
      }
      case Builtin::Getenv:  // getenv(name) or getenv(name, default)
        if (x.args.size() != 2 && !want_args(x, 1, name)) return E();
        for (auto& a : x.args)
          if (!want_type(a, types::str(), name)) return E();
        return types::str();
      case Builtin::Fail:
        if (!want_args(x, 1, name) || !want_type(x.args[0], types::str(), name)) return E();
        return types::void_();
      case Builtin::Submit: return check_submit(x);
      case Builtin::Map: case Builtin::Starmap: return check_map(x, b);
      case Builtin::Wait: {
        if (!timeout_option(x, name)) return E();
        TypeRef t = arg_type(0);
        if (t->is(TypeKind::Array) && t->elem()->is(TypeKind::Future) && !t->elem()->elem()->is(TypeKind::Void))
          return types::array(t->elem()->elem());
        return bad(0, "an array of futures with values");
      }
      case Builtin::Result: {  // result(f) or result(f, timeout=seconds)
        if (!timeout_option(x, name)) return E();
        TypeRef t = arg_type(0);
        if (!t->is(TypeKind::Future)) return bad(0, "a future");
        return t->elem();
      }
      case Builtin::Cancel: {
        if (!want_args(x, 1, name)) return E();
        if (!arg_type(0)->is(TypeKind::Future)) return bad(0, "a future");
        return types::bool_();
      }
      case Builtin::WaitAny: {
        if (!want_args(x, 1, name)) return E();
        TypeRef t = arg_type(0);
        if (t->is(TypeKind::Array) && t->elem()->is(TypeKind::Future)) return types::int_();
        return bad(0, "an array of futures");
      }
      case Builtin::Done: case Builtin::Error: {
        if (!want_args(x, 1, name)) return E();
        TypeRef t = arg_type(0);
        if (!t->is(TypeKind::Future)) return bad(0, "a future");
        return b == Builtin::Done ? types::bool_() : types::str();
      }
      case Builtin::Pool: return check_pool(x);
      case Builtin::Rank: case Builtin::Size:
        if (!want_args(x, 0, name)) return E();
        return types::int_();
      case Builtin::Barrier:
        if (!want_args(x, 0, name)) return E();
        return types::void_();
      case Builtin::AllreduceSum: case Builtin::AllreduceMin: case Builtin::AllreduceMax: {
        if (!want_args(x, 1, name)) return E();
        TypeRef t = arg_type(0);
        if (t->is_numeric() || (t->is(TypeKind::Array) && t->elem()->is_numeric())) return t;
        return bad(0, "an `int`, a `float` or an array of them");
      }
      case Builtin::Bcast: {
        if (!want_args(x, 2, name)) return E();
        TypeRef t = arg_type(0);
        if (!want_type(x.args[1], types::int_(), name)) return E();
        if (t->is(TypeKind::Void) || t->is(TypeKind::EmptyArray)) return bad(0, "a value");
        return t;
      }
      case Builtin::Gather: case Builtin::Allgather: {
        size_t n = b == Builtin::Gather ? 2 : 1;
        if (!want_args(x, n, name)) return E();
        TypeRef t = arg_type(0);
        if (n == 2 && !want_type(x.args[1], types::int_(), name)) return E();
        if (t->is(TypeKind::Void) || t->is(TypeKind::EmptyArray) || t->is(TypeKind::Error)) return bad(0, "a value");
        return types::array(t);
      }
      case Builtin::Send: {
        if (!want_args(x, 3, name)) return E();
        TypeRef t = arg_type(0);
        if (!want_type(x.args[1], types::int_(), name) || !want_type(x.args[2], types::int_(), name)) return E();
        if (t->is_numeric() || (t->is(TypeKind::Array) && t->elem()->is_numeric())) return types::void_();
        return bad(0, "an `int`, a `float` or an array of them");
      }
      case Builtin::RecvInt: case Builtin::RecvFloat: case Builtin::RecvFloats: case Builtin::RecvInts:
        if (!want_args(x, 2, name) || !want_type(x.args[0], types::int_(), name) || !want_type(x.args[1], types::int_(), name)) return E();
        if (b == Builtin::RecvInt) return types::int_();
        if (b == Builtin::RecvFloat) return types::float_();
        return types::array(b == Builtin::RecvInts ? types::int_() : types::float_());
      default: break;  // the built-ins of one signature, handled above
    }
    return E();
  }

  // `f(x)` or `f(x, timeout=seconds)` (result, wait): the one positional argument and an
  // optional `timeout=` float.
  bool timeout_option(Expr& x, const char* name) {
    size_t positional = 0;
    for (size_t i = 0; i < x.args.size(); ++i) {
      if (x.arg_names[i].empty()) {
        ++positional;
        continue;
      }
      if (x.arg_names[i] != "timeout" || i != 1) {
        diags_.error(x.args[i]->loc, q(name) + " takes no argument named " + q(x.arg_names[i]) + "; only `timeout=`");
        return false;
      }
      if (!want_type(x.args[i], types::float_(), name)) return false;
    }
    if (positional != 1 || x.args.empty() || !x.arg_names[0].empty()) {
      diags_.error(x.loc, q(name) + " takes 1 argument, but " + given_phrase(positional) + " (a timeout is named: `timeout=`)");
      return false;
    }
    return true;
  }

  // The trailing named options of submit/map/starmap (`ranks=`, `threads=`, and for maps
  // `chunk=`, `ordered=`): checked; returns the index of the first one (x.args.size() if none),
  // or SIZE_MAX after an error.
  size_t task_options(Expr& x, const char* name, bool is_map) {
    size_t first_named = x.args.size();
    for (size_t i = 0; i < x.args.size(); ++i) {
      const std::string& key = x.arg_names[i];
      if (key.empty()) {
        if (first_named < i) {
          diags_.error(x.args[i]->loc, "positional arguments of " + q(name) + " come before `" + x.arg_names[first_named] + "=`");
          return SIZE_MAX;
        }
        continue;
      }
      first_named = std::min(first_named, i);
      TypeRef want = key == "ranks" || key == "threads" || (is_map && key == "chunk") ? types::int_()
                     : is_map && key == "ordered"                                  ? types::bool_()
                                                                                    : nullptr;
      if (!want) {
        diags_.error(x.args[i]->loc, q(name) + " takes no argument named " + q(key) +
                                         (is_map ? "; its options are `chunk=`, `ordered=`, `ranks=`, `threads=`"
                                                 : "; its options are `ranks=` and `threads=`"));
        return SIZE_MAX;
      }
      for (size_t j = 0; j < i; ++j)
        if (x.arg_names[j] == key) {
          diags_.error(x.args[i]->loc, "`" + key + "=` is given twice");
          return SIZE_MAX;
        }
      if (!want_type(x.args[i], want, name)) return SIZE_MAX;
    }
    return first_named;
  }

  // ranks=/threads= against the task function (LANGUAGE.md §18).
  void check_resources(Expr& x, const FnDecl& f, const char* name) {
    bool ranks = std::count(x.arg_names.begin(), x.arg_names.end(), "ranks") > 0;
    if (ranks && f.kind != FnKind::Mpi)
      diags_.error(x.loc, "`ranks=` applies to an `mpi fn`; " + q(f.name) + " is a serial `fn` (use `threads=` for cores)");
    if (!ranks && f.kind == FnKind::Mpi && f.ranks == 0)
      diags_.error(x.loc, q(f.name) + " takes its rank count at submission: `" + name + "(" + f.name + ", ..., ranks=N)`");
  }

  // Argument i of a dictionary built-in is a key of `d`.
  bool dict_key_arg(Expr& x, TypeRef d, size_t i) {
    TypeRef k = x.args[i]->type ? x.args[i]->type : check_expr(x.args[i], d->elems[0]);
    if (k->is(TypeKind::Error)) return false;
    if (!coercible(*x.args[i], k, d->elems[0])) {
      diags_.error(x.args[i]->loc, "the keys of " + q(d) + " are " + q(d->elems[0]) + ", found " + q(k));
      return false;
    }
    apply_coercion(x.args[i], d->elems[0]);
    return true;
  }

  TypeRef check_submit(Expr& x) {
    size_t first = pool_prefix(x);
    if (first == (size_t)-1) return types::error();
    if (x.args.size() <= first) {
      diags_.error(x.loc, "`submit` needs a function to run");
      return types::error();
    }
    size_t options = task_options(x, "submit", false);
    if (options == SIZE_MAX) return types::error();
    const FnDecl* f = task_function(*x.args[first], "submit");
    if (!f) {
      for (size_t i = first + 1; i < options; ++i) check_expr(x.args[i]);
      return types::error();
    }
    check_resources(x, *f, "submit");
    // A wrong argument is reported; the future's type is still known from `f`, so that later
    // uses of it are checked too.
    check_args(x, first + 1, *f, true, options);
    return types::future(f->result);
  }

  TypeRef check_map(Expr& x, Builtin b) {
    const char* name = builtin_name(b);
    size_t first = pool_prefix(x);
    if (first == (size_t)-1) return types::error();
    size_t positional = task_options(x, name, true);
    if (positional == SIZE_MAX) return types::error();
    if (positional != first + 2) {
      diags_.error(x.loc, q(name) + " takes a function and an array");
      return types::error();
    }
    const FnDecl* f = task_function(*x.args[first], name);
    if (!f) {
      check_expr(x.args[first + 1]);
      return types::error();
    }
    if (f->result->is(TypeKind::Void)) {
      diags_.error(x.args[first]->loc, q(name) + " needs a function that returns a value; " + q(f->name) + " returns nothing");
      return types::error();
    }
    check_resources(x, *f, name);
    TypeRef item;
    if (b == Builtin::Map) {
      if (f->params.size() != 1) {
        diags_.error(x.args[first]->loc, "`map` needs a function of one argument; " + q(f->name) + " takes " +
                                             std::to_string(f->params.size()) + "; use `starmap`");
        return types::error();
      }
      item = f->params[0].type;
    } else {
      std::vector<TypeRef> fields;
      for (auto& p : f->params) fields.push_back(p.type);
      if (fields.size() < 2) {
        diags_.error(x.args[first]->loc, "`starmap` needs a function of two or more arguments; use `map`");
        return types::error();
      }
      item = types::tuple(fields);
    }
    // Item errors name the parameter the items go to; the result type is known from `f`
    // either way.
    std::string to = b == Builtin::Map ? "parameter " + q(f->params[0].name + ": " + f->params[0].type->name()) + " of " + q(f->name)
                                       : "the parameters of " + q(f->name);
    ExprPtr& xs = x.args[first + 1];
    items_context_ = q(name) + " passes each item to " + to;
    TypeRef t = check_expr(xs, types::array(item));
    items_context_.clear();
    if (!t->is(TypeKind::Error)) coerce(xs, types::array(item), q(name) + " passes each item to " + to);
    return types::array(f->result);
  }

  TypeRef check_pool(Expr& x) {
    for (size_t i = 0; i < x.args.size(); ++i) {
      const std::string& key = x.arg_names[i];
      TypeRef want = key == "workers"                                ? types::int_()
                     : key == "cwd" || key == "cache"                  ? types::str()
                     : key == "oversubscribe" || key == "cache_errors" ? types::bool_()
                                                                       : nullptr;
      if (!want) {
        diags_.error(x.args[i]->loc, key.empty() ? "`pool` takes only named arguments: `workers=`, `cwd=`, `oversubscribe=`, "
                                                   "`cache=`, `cache_errors=`"
                                                 : "`pool` has no option " + q(key));
        return types::error();
      }
      check_expr(x.args[i], want);
      if (!coerce(x.args[i], want, "`" + key + "=`")) return types::error();
    }
    return types::pool();
  }

  struct Global {
    FnDecl* fn;
    ConstDecl* konst;
    StructDecl* record = nullptr;
    SourceLoc loc() const { return fn ? fn->loc : konst ? konst->loc : record->loc; }
    const std::string& name() const { return fn ? fn->name : konst ? konst->name : record->name; }
  };

  ProgramAst& program_;
  Diagnostics& diags_;
  std::unordered_map<std::string, Global> globals_;
  std::set<ConstDecl*> folding_;      // constants being folded (a cycle if met again)
  std::set<ConstDecl*> consts_done_;
  std::set<const StructDecl*> structs_resolving_;  // a struct met again while resolving its fields contains itself
  FnDecl* fn_ = nullptr;
  std::vector<Scope> scopes_;
  std::string items_context_;  // set while checking a map's array literal: how to word its element errors
  int loop_depth_ = 0;
};

}  // namespace

void check_program(ProgramAst& program, Diagnostics& diags) { Checker(program, diags).run(); }

const FnDecl* find_main(const ProgramAst& program, Diagnostics& diags) {
  for (auto& f : program.functions) {
    if (f->name != "main") continue;
    if (f->kind != FnKind::Flow) {
      diags.error(f->loc, "`main` must be a `flow`");
      return nullptr;
    }
    bool ok = f->params.empty() || (f->params.size() == 1 && f->params[0].type == types::array(types::str()));
    if (!ok) {
      diags.error(f->loc, "`flow main` takes no parameters or one `[str]`");
      return nullptr;
    }
    return f.get();
  }
  diags.error({0, 1, 1}, "no `flow main` to run");
  return nullptr;
}

}  // namespace wf
