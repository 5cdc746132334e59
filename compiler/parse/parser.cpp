// Turns ANTLR's parse tree into the AST (grammar/Wf.g4). One builder function per grammar
// rule; the rule each one handles is quoted above it. After a syntax error the tree has
// holes (missing children, tokens ANTLR conjured up such as `<missing IDENT>`); the builder
// fills them with Error expressions and empty names, so that the checker can still report
// the semantic errors of everything the parser did understand.
#include "parse/parser.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "WfLexer.h"
#include "WfParser.h"
#include "antlr4-runtime.h"
#include "object/wfo.hpp"
#include "parse/syntax_errors.hpp"

namespace wf {

namespace {

using P = WfParser;

class Builder {
 public:
  Builder(int file, ProgramAst& program, Diagnostics& diags) : file_(file), program_(program), diags_(diags) {}

  SourceLoc loc(antlr4::Token* t) const { return {file_, (int)t->getLine(), (int)t->getCharPositionInLine() + 1}; }
  SourceLoc loc(antlr4::ParserRuleContext* c) const { return loc(c->getStart()); }
  SourceLoc loc(antlr4::tree::TerminalNode* n) const { return loc(n->getSymbol()); }

  // The text of a name token, or "" where the parser had to make one up.
  static std::string name_of(antlr4::tree::TerminalNode* n) {
    if (!n || dynamic_cast<antlr4::tree::ErrorNode*>(n)) return "";
    return n->getText();
  }
  static bool broken(antlr4::ParserRuleContext* c) { return !c || c->exception != nullptr; }

  // program : (importDecl | topDecl)* EOF
  void build(P::ProgramContext* ctx, std::vector<std::pair<std::string, SourceLoc>>* imports) {
    for (auto* imp : ctx->importDecl()) {
      if (!imp->STRING() || broken(imp) || dynamic_cast<antlr4::tree::ErrorNode*>(imp->STRING())) continue;
      std::string text = unescape(imp->STRING()->getSymbol());
      if (imports) imports->push_back({text, loc(imp->STRING()->getSymbol())});
    }
    for (auto* top : ctx->topDecl()) build_top(top);
  }

  // cell : (importDecl | topDecl | stmt)* expr? EOF
  void build_cell(P::CellContext* ctx, CellParse& cell, std::vector<std::pair<std::string, SourceLoc>>* imports) {
    for (antlr4::tree::ParseTree* child : ctx->children) {
      auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(child);
      if (!rule || !rule->getStart() || !rule->getStop()) continue;
      CellPiece piece;
      piece.start = rule->getStart()->getStartIndex();
      piece.stop = rule->getStop()->getStopIndex() + 1;
      if (piece.stop < piece.start) continue;  // a rule that matched nothing (after an error)
      if (auto* imp = dynamic_cast<P::ImportDeclContext*>(rule)) {
        piece.kind = CellPiece::Import;
        if (imp->STRING() && !broken(imp) && !dynamic_cast<antlr4::tree::ErrorNode*>(imp->STRING()) && imports)
          imports->push_back({unescape(imp->STRING()->getSymbol()), loc(imp->STRING()->getSymbol())});
      } else if (auto* top = dynamic_cast<P::TopDeclContext*>(rule)) {
        piece.kind = CellPiece::Declaration;
        size_t before = program_.functions.size() + program_.consts.size() + program_.structs.size();
        build_top(top);
        if (program_.functions.size() + program_.consts.size() + program_.structs.size() == before) continue;
        piece.name = name_of(top->constDecl()    ? top->constDecl()->IDENT()
                             : top->structDecl() ? top->structDecl()->IDENT()
                             : top->fnDecl()     ? top->fnDecl()->IDENT()
                             : top->externDecl() ? top->externDecl()->IDENT()
                                                 : top->flowDecl()->IDENT());
      } else if (auto* st = dynamic_cast<P::StmtContext*>(rule)) {
        piece.kind = CellPiece::Statement;
        cell.statements.push_back(stmt(st));
      } else if (auto* e = dynamic_cast<P::ExprContext*>(rule)) {
        piece.kind = CellPiece::Statement;
        cell.display = expr(e);
      } else {
        continue;
      }
      cell.pieces.push_back(std::move(piece));
    }
  }

 private:
  void build_top(P::TopDeclContext* top) {
    if (top->constDecl()) build_const(top->constDecl());
    if (top->structDecl()) build_struct(top->structDecl());
    if (top->fnDecl()) build_fn(top->fnDecl());
    if (top->externDecl()) build_extern(top->externDecl());
    if (top->flowDecl()) build_flow(top->flowDecl());
  }

  // constDecl : 'const' IDENT ':' type '=' expr ';'
  void build_const(P::ConstDeclContext* c) {
    auto d = std::make_unique<ConstDecl>();
    d->name = name_of(c->IDENT());
    if (d->name.empty()) return;
    d->loc = loc(c->IDENT()->getSymbol());
    d->type_expr = type(c->type());
    d->value = expr(c->expr());
    d->tokens = tokens_of(c);
    program_.consts.push_back(std::move(d));
  }

  // structDecl : 'struct' IDENT '{' (field (',' field)* ','?)? '}' ;  field : IDENT ':' type
  void build_struct(P::StructDeclContext* c) {
    auto d = std::make_unique<StructDecl>();
    d->name = name_of(c->IDENT());
    if (d->name.empty()) return;
    d->loc = loc(c->IDENT()->getSymbol());
    for (auto* f : c->field()) {
      FieldDecl field;
      field.name = name_of(f->IDENT());
      if (field.name.empty()) continue;
      field.loc = loc(f->IDENT()->getSymbol());
      field.type_expr = type(f->type());
      d->fields.push_back(std::move(field));
    }
    d->tokens = tokens_of(c);
    program_.structs.push_back(std::move(d));
  }

  // fnDecl : mpiPrefix? 'fn' IDENT '(' params? ')' ('->' type)? block
  void build_fn(P::FnDeclContext* c) {
    auto f = std::make_unique<FnDecl>();
    f->kind = c->mpiPrefix() ? FnKind::Mpi : FnKind::Serial;
    if (auto* m = c->mpiPrefix()) {
      for (size_t i = 0; i < m->IDENT().size() && i < m->expr().size(); ++i) {
        std::string key = name_of(m->IDENT(i));
        ExprPtr& slot = key == "ranks" ? f->ranks_expr : f->threads_expr;
        if (key != "ranks" && key != "threads") {
          if (!key.empty()) diags_.error(loc(m->IDENT(i)->getSymbol()), "expected `ranks=` or `threads=` in `mpi(...)`");
          continue;
        }
        if (slot) diags_.error(loc(m->IDENT(i)->getSymbol()), "`" + key + "=` is given twice");
        slot = expr(m->expr(i));
      }
    }
    if (!fill_signature(*f, c->IDENT(), c->params(), c->type())) return;
    f->body = block(c->block());
    f->tokens = tokens_of(c);
    program_.functions.push_back(std::move(f));
  }

  // externDecl : 'extern' 'fn' IDENT '(' params? ')' ('->' type)? 'from' STRING ';'
  void build_extern(P::ExternDeclContext* c) {
    auto f = std::make_unique<FnDecl>();
    f->kind = FnKind::Extern;
    if (!fill_signature(*f, c->IDENT(), c->params(), c->type())) return;
    if (c->STRING() && !dynamic_cast<antlr4::tree::ErrorNode*>(c->STRING())) f->extern_lib = unescape(c->STRING()->getSymbol());
    f->tokens = tokens_of(c);
    program_.functions.push_back(std::move(f));
  }

  // flowDecl : 'flow' IDENT '(' params? ')' ('->' type)? block
  void build_flow(P::FlowDeclContext* c) {
    auto f = std::make_unique<FnDecl>();
    f->kind = FnKind::Flow;
    if (!fill_signature(*f, c->IDENT(), c->params(), c->type())) return;
    f->body = block(c->block());
    f->tokens = tokens_of(c);
    program_.functions.push_back(std::move(f));
  }

  // The leaves of a declaration's parse tree (hidden-channel tokens, comments and layout, are
  // not in the tree).
  static DeclTokens tokens_of(antlr4::tree::ParseTree* decl) {
    DeclTokens out;
    std::vector<antlr4::tree::ParseTree*> stack{decl};
    while (!stack.empty()) {
      antlr4::tree::ParseTree* t = stack.back();
      stack.pop_back();
      if (auto* leaf = dynamic_cast<antlr4::tree::TerminalNode*>(t)) {
        out.text += leaf->getText();
        out.text += '\x1f';
        if (leaf->getSymbol()->getType() == P::IDENT) out.names.push_back(leaf->getText());
        continue;
      }
      for (auto it = t->children.rbegin(); it != t->children.rend(); ++it) stack.push_back(*it);
    }
    return out;
  }

  // False when the declaration has no name to declare (a syntax error took it).
  bool fill_signature(FnDecl& f, antlr4::tree::TerminalNode* name, P::ParamsContext* params, P::TypeContext* result) {
    f.name = name_of(name);
    if (f.name.empty()) return false;
    f.loc = loc(name->getSymbol());
    if (params) {
      // param : IDENT ':' type
      for (auto* p : params->param()) {
        Param param;
        param.name = name_of(p->IDENT());
        if (param.name.empty()) continue;
        param.loc = loc(p->IDENT()->getSymbol());
        param.type_expr = type(p->type());
        f.params.push_back(std::move(param));
      }
    }
    if (result) f.result_expr = type(result);
    return true;
  }

  // type : IDENT | '[' type ']' | '(' type (',' type)+ ')' | IDENT '[' type ']'
  TypeExprPtr type(P::TypeContext* c) {
    auto t = std::make_unique<TypeExpr>();
    t->kind = TypeExpr::Named;  // with an empty name: a type the parser could not read
    if (!c) return t;
    t->loc = loc(c);
    if (broken(c)) return t;
    if (auto* n = dynamic_cast<P::NamedTypeContext*>(c)) {
      t->kind = TypeExpr::Named;
      t->name = name_of(n->IDENT());
    } else if (auto* a = dynamic_cast<P::ArrayTypeContext*>(c)) {
      t->kind = TypeExpr::Array;
      t->elems.push_back(type(a->type()));
    } else if (auto* tu = dynamic_cast<P::TupleTypeContext*>(c)) {
      t->kind = TypeExpr::Tuple;
      for (auto* e : tu->type()) t->elems.push_back(type(e));
    } else if (auto* g = dynamic_cast<P::GenericTypeContext*>(c)) {
      t->kind = TypeExpr::Generic;
      t->name = name_of(g->IDENT());
      t->elems.push_back(type(g->type()));
    } else if (auto* d = dynamic_cast<P::DictTypeContext*>(c)) {
      t->kind = TypeExpr::Dict;
      for (auto* e : d->type()) t->elems.push_back(type(e));
      if (t->elems.size() != 2) t->kind = TypeExpr::Named;  // broken: read as an unknown type
    }
    return t;
  }

  // block : '{' stmt* '}'
  Block block(P::BlockContext* c) {
    Block b;
    if (!c) return b;
    for (auto* s : c->stmt())
      if (StmtPtr built = stmt(s)) b.push_back(std::move(built));
    return b;
  }

  StmtPtr make(StmtKind kind, antlr4::ParserRuleContext* c) {
    auto s = std::make_unique<Stmt>();
    s->kind = kind;
    s->loc = loc(c);
    return s;
  }

  StmtPtr stmt(P::StmtContext* c) {
    // 'let' IDENT (':' type)? '=' expr ';'   |   'var' IDENT (':' type)? '=' expr ';'
    if (auto* l = dynamic_cast<P::LetStmtContext*>(c)) return binding(StmtKind::Let, c, l->IDENT(), l->type(), l->expr());
    if (auto* v = dynamic_cast<P::VarStmtContext*>(c)) return binding(StmtKind::Var, c, v->IDENT(), v->type(), v->expr());
    // 'let' '(' IDENT (',' IDENT)+ ')' '=' expr ';'
    if (auto* lt = dynamic_cast<P::LetTupleStmtContext*>(c)) {
      auto s = make(StmtKind::LetTuple, c);
      for (auto* id : lt->IDENT()) {
        s->names.push_back(name_of(id));
        s->name_locs.push_back(loc(id->getSymbol()));
      }
      s->value = expr(lt->expr());
      return s;
    }
    // 'if' expr block ('else' (ifTail | block))?
    if (auto* i = dynamic_cast<P::IfStmtContext*>(c)) return if_chain(c, i->expr(), i->block(0), i->ifTail());
    // 'while' expr block
    if (auto* w = dynamic_cast<P::WhileStmtContext*>(c)) {
      auto s = make(StmtKind::While, c);
      s->value = expr(w->expr());
      s->body = block(w->block());
      return s;
    }
    // 'for' pattern 'in' expr ('..' expr ('step' expr)?)? block
    if (auto* f = dynamic_cast<P::ForStmtContext*>(c)) {
      bool range = f->expr().size() > 1;
      auto s = make(range ? StmtKind::ForRange : StmtKind::ForEach, c);
      pattern(f->pattern(), s->names, s->name_locs, s->loc);
      s->value = expr(f->expr(0));
      if (range) s->range_end = expr(f->expr(1));
      if (f->expr().size() > 2) s->step = expr(f->expr(2));
      s->body = block(f->block());
      return s;
    }
    // 'try' block 'catch' IDENT block
    if (auto* t = dynamic_cast<P::TryStmtContext*>(c)) {
      auto s = make(StmtKind::Try, c);
      s->body = block(t->block(0));
      s->names.push_back(name_of(t->IDENT()));
      s->name_locs.push_back(t->IDENT() ? loc(t->IDENT()->getSymbol()) : s->loc);
      if (t->block().size() > 1) s->else_body = block(t->block(1));
      return s;
    }
    if (dynamic_cast<P::BreakStmtContext*>(c)) return make(StmtKind::Break, c);
    if (dynamic_cast<P::ContinueStmtContext*>(c)) return make(StmtKind::Continue, c);
    // 'return' expr? ';'
    if (auto* r = dynamic_cast<P::ReturnStmtContext*>(c)) {
      auto s = make(StmtKind::Return, c);
      if (r->expr()) s->value = expr(r->expr());
      return s;
    }
    // expr (assignOp expr)? ';'
    if (auto* e = dynamic_cast<P::ExprStmtContext*>(c)) {
      if (e->assignOp()) {
        auto s = make(StmtKind::Assign, c);
        s->target = expr(e->expr(0));
        s->op = op_from_text(e->assignOp()->getText());
        s->value = expr(e->expr().size() > 1 ? e->expr(1) : nullptr);
        s->loc = loc(e->assignOp());
        return s;
      }
      auto s = make(StmtKind::ExprStmt, c);
      s->value = expr(e->expr(0));
      return s;
    }
    auto* b = dynamic_cast<P::BlockStmtContext*>(c);
    if (!b) return nullptr;  // a statement the parser could not make out: reported already
    auto s = make(StmtKind::BlockStmt, c);
    s->body = block(b->block());
    return s;
  }

  // pattern : IDENT | '(' IDENT (',' IDENT)+ ')'
  void pattern(P::PatternContext* p, std::vector<std::string>& names, std::vector<SourceLoc>& locs, SourceLoc at) {
    if (!p || p->IDENT().empty()) {
      names.push_back("");
      locs.push_back(at);
      return;
    }
    for (auto* id : p->IDENT()) {
      names.push_back(name_of(id));
      locs.push_back(loc(id->getSymbol()));
    }
  }

  StmtPtr binding(StmtKind kind, antlr4::ParserRuleContext* c, antlr4::tree::TerminalNode* name, P::TypeContext* t,
                  P::ExprContext* e) {
    auto s = make(kind, c);
    s->names.push_back(name_of(name));
    s->name_locs.push_back(name ? loc(name->getSymbol()) : s->loc);
    if (t) s->annotation = type(t);
    s->value = expr(e);
    return s;
  }

  // ifTail : 'if' expr block ('else' (ifTail | block))?
  StmtPtr if_chain(antlr4::ParserRuleContext* c, P::ExprContext* cond, P::BlockContext* then, P::IfTailContext* tail) {
    auto s = make(StmtKind::If, c);
    s->value = expr(cond);
    s->body = block(then);
    if (tail) {
      s->else_body.push_back(if_chain(tail, tail->expr(), tail->block(0), tail->ifTail()));
    } else {
      // the else block, if any, is the second block child
      std::vector<P::BlockContext*> blocks;
      for (auto* child : c->children)
        if (auto* b = dynamic_cast<P::BlockContext*>(child)) blocks.push_back(b);
      if (blocks.size() > 1) s->else_body = block(blocks[1]);
    }
    return s;
  }

  ExprPtr make_expr(ExprKind kind, SourceLoc l) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->loc = l;
    return e;
  }

  ExprPtr binary(ExprKind kind, const std::string& op, ExprPtr lhs, ExprPtr rhs, SourceLoc l) {
    auto e = make_expr(kind, l);
    e->op = op_from_text(op);
    e->args.push_back(std::move(lhs));
    e->args.push_back(std::move(rhs));
    return e;
  }

 public:
  // expr : one left-recursive rule, an alternative per precedence level (grammar/Wf.g4)
  ExprPtr expr(P::ExprContext* c) {
    if (broken(c)) return make_expr(ExprKind::Error, c ? loc(c) : SourceLoc{file_, 0, 0});
    if (auto* p = dynamic_cast<P::PostfixExprContext*>(c)) return postfix(p);
    // op=('-' | '~') expr  |  'not' expr
    if (auto* u = dynamic_cast<P::UnaryExprContext*>(c)) return prefix(ExprKind::Unary, u->op, u->expr());
    if (auto* n = dynamic_cast<P::NotExprContext*>(c)) return prefix(ExprKind::Not, n->op, n->expr());
    // expr shiftOp expr
    if (auto* sh = dynamic_cast<P::ShiftExprContext*>(c))
      return binary(ExprKind::Binary, sh->shiftOp()->getText(), expr(sh->expr(0)), expr(sh->expr(1)), loc(sh->shiftOp()));
    // expr op=(==|!=|<|<=|>|>=) expr : comparisons do not chain
    if (auto* cmp = dynamic_cast<P::CmpExprContext*>(c)) {
      if (dynamic_cast<P::CmpExprContext*>(cmp->expr(0)) || dynamic_cast<P::CmpExprContext*>(cmp->expr(1)))
        diags_.error(loc(cmp->op), "comparisons cannot be chained; use `and`");
      return binary(ExprKind::Binary, cmp->op->getText(), expr(cmp->expr(0)), expr(cmp->expr(1)), loc(cmp->op));
    }
    // expr op expr, for the remaining binary levels
    antlr4::Token* op = nullptr;
    std::vector<P::ExprContext*> operands;
    ExprKind kind = ExprKind::Binary;
    if (auto* m = dynamic_cast<P::MulExprContext*>(c)) op = m->op, operands = m->expr();
    else if (auto* a = dynamic_cast<P::AddExprContext*>(c)) op = a->op, operands = a->expr();
    else if (auto* x = dynamic_cast<P::BitAndExprContext*>(c)) op = x->op, operands = x->expr();
    else if (auto* x = dynamic_cast<P::BitXorExprContext*>(c)) op = x->op, operands = x->expr();
    else if (auto* x = dynamic_cast<P::BitOrExprContext*>(c)) op = x->op, operands = x->expr();
    else if (auto* x = dynamic_cast<P::AndExprContext*>(c)) op = x->op, operands = x->expr(), kind = ExprKind::And;
    else if (auto* x = dynamic_cast<P::OrExprContext*>(c)) op = x->op, operands = x->expr(), kind = ExprKind::Or;
    if (!op || operands.size() < 2) return make_expr(ExprKind::Error, loc(c));
    return binary(kind, op->getText(), expr(operands[0]), expr(operands[1]), loc(op));
  }

 private:
  ExprPtr prefix(ExprKind kind, antlr4::Token* op, P::ExprContext* operand) {
    auto e = make_expr(kind, loc(op));
    e->op = op->getText() == "-" ? Op::Neg : op_from_text(op->getText());
    e->args.push_back(expr(operand));
    if (e->op == Op::Neg && e->args[0]->kind == ExprKind::IntLit) e->args[0]->bool_val = false;
    return e;
  }

  // expr : primary postfix*
  ExprPtr postfix(P::PostfixExprContext* c) {
    ExprPtr e = primary(c->primary());
    for (auto* p : c->postfix()) {
      // '(' args? ')'
      if (auto* call = dynamic_cast<P::CallPostfixContext*>(p)) {
        auto n = make_expr(ExprKind::Call, e->loc);
        if (e->kind == ExprKind::Name) n->str_val = e->str_val;
        n->callee = std::move(e);
        arguments(*n, call->args());
        e = std::move(n);
      } else if (auto* idx = dynamic_cast<P::IndexPostfixContext*>(p)) {
        // '[' expr ']'
        auto n = make_expr(ExprKind::Index, loc(idx));
        n->args.push_back(std::move(e));
        n->args.push_back(expr(idx->expr()));
        e = std::move(n);
      } else if (auto* f = dynamic_cast<P::FieldPostfixContext*>(p)) {
        // '.' INT
        e = field(std::move(e), f->INT()->getText(), loc(f->INT()->getSymbol()));
      } else if (auto* fp = dynamic_cast<P::FieldPairPostfixContext*>(p)) {
        // '.' FLOAT : `t.0.1` lexes its fields as one float token
        std::string text = fp->FLOAT()->getText();
        size_t dot = text.find('.');
        SourceLoc l = loc(fp->FLOAT()->getSymbol());
        if (dot == std::string::npos || text.find_first_of("eE") != std::string::npos) {
          diags_.error(l, "expected a tuple field number");
          continue;
        }
        e = field(std::move(e), text.substr(0, dot), l);
        e = field(std::move(e), text.substr(dot + 1), {l.file, l.line, l.col + (int)dot + 1});
      } else if (auto* m = dynamic_cast<P::MethodPostfixContext*>(p)) {
        // '.' IDENT ('(' args? ')')? : x.f(a) is f(x, a); without parentheses a record field
        if (name_of(m->IDENT()).empty()) return make_expr(ExprKind::Error, e->loc);
        bool call = false;
        for (auto* child : m->children)
          if (auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(child)) call |= t->getText() == "(";
        if (!call) {
          auto n = make_expr(ExprKind::Field, loc(m->IDENT()->getSymbol()));
          n->str_val = m->IDENT()->getText();
          n->field = -1;
          n->args.push_back(std::move(e));
          e = std::move(n);
          continue;
        }
        auto n = make_expr(ExprKind::Method, loc(m->IDENT()->getSymbol()));
        n->str_val = m->IDENT()->getText();
        n->args.push_back(std::move(e));
        n->arg_names.push_back("");
        arguments(*n, m->args());
        e = std::move(n);
      }
    }
    return e;
  }

  ExprPtr field(ExprPtr tuple, const std::string& digits, SourceLoc l) {
    auto n = make_expr(ExprKind::Field, l);
    n->field = digits.size() > 6 ? 1 << 30 : std::stoi(digits);
    n->args.push_back(std::move(tuple));
    return n;
  }

  // args : arg (',' arg)* ;  arg : (IDENT '=')? expr
  void arguments(Expr& call, P::ArgsContext* args) {
    if (!args) return;
    for (auto* a : args->arg()) {
      call.arg_names.push_back(a->IDENT() ? a->IDENT()->getText() : "");
      call.args.push_back(expr(a->expr()));
    }
  }

  ExprPtr primary(P::PrimaryContext* c) {
    if (broken(c)) return make_expr(ExprKind::Error, c ? loc(c) : SourceLoc{file_, 0, 0});
    SourceLoc l = loc(c);
    if (auto* i = dynamic_cast<P::IntLitContext*>(c)) {
      auto e = make_expr(ExprKind::IntLit, l);
      e->int_val = parse_int(i->getText(), l);
      e->bool_val = e->int_val == INT64_MIN;  // fits only under a minus: prefix() clears this
      return e;
    }
    if (auto* f = dynamic_cast<P::FloatLitContext*>(c)) {
      auto e = make_expr(ExprKind::FloatLit, l);
      std::string text;
      for (char ch : f->getText())
        if (ch != '_') text += ch;
      e->float_val = std::strtod(text.c_str(), nullptr);
      return e;
    }
    if (auto* s = dynamic_cast<P::StrLitContext*>(c)) {
      auto e = make_expr(ExprKind::StrLit, l);
      e->str_val = unescape(s->STRING()->getSymbol());
      return e;
    }
    if (auto* f = dynamic_cast<P::FstringLitContext*>(c)) return fstring(f->FSTRING()->getSymbol());
    if (auto* b = dynamic_cast<P::BoolLitContext*>(c)) {
      auto e = make_expr(ExprKind::BoolLit, l);
      e->bool_val = b->getText() == "true";
      return e;
    }
    if (auto* n = dynamic_cast<P::NameExprContext*>(c)) {
      auto e = make_expr(ExprKind::Name, l);
      e->str_val = name_of(n->IDENT());
      if (e->str_val.empty()) e->kind = ExprKind::Error;
      return e;
    }
    // '(' expr (',' expr)* ')' : a parenthesized expression, or a tuple
    if (auto* p = dynamic_cast<P::ParenExprContext*>(c)) {
      if (p->expr().size() == 1) return expr(p->expr(0));
      auto e = make_expr(ExprKind::TupleLit, l);
      for (auto* x : p->expr()) e->args.push_back(expr(x));
      return e;
    }
    // '{' (expr ':' expr (',' expr ':' expr)* ','?)? '}' : a dictionary
    if (auto* d = dynamic_cast<P::DictLitContext*>(c)) {
      auto e = make_expr(ExprKind::DictLit, l);
      for (auto* x : d->expr()) e->args.push_back(expr(x));
      return e;
    }
    // '[' (expr (';' expr | (',' expr)* | compFor))? ']' : `[x; n]`, a comprehension, or a
    // list of elements
    auto* a = dynamic_cast<P::ArrayLitContext*>(c);
    if (!a) return make_expr(ExprKind::Error, l);
    if (auto* comp = a->compFor()) return comprehension(l, a->expr(0), comp);
    bool repeat = false;
    if (a)
      for (auto* child : a->children)
        if (auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(child)) repeat |= t->getText() == ";";
    auto e = make_expr(repeat ? ExprKind::RepeatLit : ExprKind::ArrayLit, l);
    if (a)
      for (auto* x : a->expr()) e->args.push_back(expr(x));
    return e;
  }

  // compFor : 'for' pattern 'in' expr ('..' expr ('step' expr)?)? ('if' expr)?
  ExprPtr comprehension(SourceLoc l, P::ExprContext* element, P::CompForContext* c) {
    auto e = make_expr(ExprKind::Comprehension, l);
    pattern(c->pattern(), e->names, e->name_locs, l);
    e->args.push_back(expr(element));
    bool has_if = false;
    size_t range_parts = 0;
    for (auto* child : c->children)
      if (auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(child)) has_if |= t->getText() == "if";
    std::vector<P::ExprContext*> xs = c->expr();
    range_parts = xs.size() - (has_if ? 1 : 0);
    e->args.push_back(range_parts > 0 ? expr(xs[0]) : make_expr(ExprKind::Error, l));
    e->args.push_back(range_parts > 1 ? expr(xs[1]) : nullptr);
    e->args.push_back(range_parts > 2 ? expr(xs[2]) : nullptr);
    e->args.push_back(has_if ? expr(xs.back()) : nullptr);
    return e;
  }

  // FSTRING : 'f"' ... '"'. Literal text (escapes as in strings, `{{` and `}}` for braces)
  // around `{expr}` and `{expr:spec}`. Each expression is parsed on its own, from a copy of
  // the source padded so that its tokens keep their line and column in the file.
  ExprPtr fstring(antlr4::Token* tok) {
    SourceLoc at = loc(tok);
    auto e = make_expr(ExprKind::FString, at);
    std::string raw = tok->getText();  // f"..."
    std::string piece;
    auto col_of = [&](size_t i) { return SourceLoc{at.file, at.line, at.col + (int)i}; };
    for (size_t i = 2; i + 1 < raw.size(); ++i) {
      char ch = raw[i];
      if (ch == '\\') {
        SourceLoc at_escape = col_of(i);
        piece += unescape_char(raw[++i], at_escape);
        continue;
      }
      if (ch == '}') {
        if (i + 2 < raw.size() && raw[i + 1] == '}') {
          piece += '}';
          ++i;
        } else {
          diags_.error(col_of(i), "single `}` in f-string; write `}}` for a brace");
        }
        continue;
      }
      if (ch != '{') {
        piece += ch;
        continue;
      }
      if (raw[i + 1] == '{') {
        piece += '{';
        ++i;
        continue;
      }
      size_t start = i + 1, end = start;
      while (end + 1 < raw.size() && raw[end] != '}' && raw[end] != ':' && raw[end] != '{' && raw[end] != '"') ++end;
      size_t close = end;
      while (close + 1 < raw.size() && raw[close] != '}' && raw[close] != '{') ++close;
      if (close + 1 >= raw.size() || raw[close] != '}') {
        diags_.error(col_of(i), "`{` in f-string is not closed by `}`");
        break;
      }
      e->pieces.push_back(piece);
      piece.clear();
      e->args.push_back(sub_expression(raw.substr(start, end - start), col_of(start)));
      e->specs.push_back(raw[end] == ':' ? raw.substr(end + 1, close - end - 1) : "");
      e->spec_locs.push_back(col_of(raw[end] == ':' ? end + 1 : end));
      i = close;
    }
    e->pieces.push_back(piece);
    return e;
  }

  ExprPtr sub_expression(const std::string& text, SourceLoc at) {
    if (text.find_first_not_of(" \t") == std::string::npos) {
      diags_.error(at, "empty expression in f-string");
      return make_expr(ExprKind::Error, at);
    }
    std::string padded = std::string((size_t)at.line - 1, '\n') + std::string((size_t)at.col - 1, ' ') + text;
    antlr4::ANTLRInputStream input(padded);
    WfLexer lexer(&input);
    LexerErrorListener lexer_errors(file_, diags_);
    lexer.removeErrorListeners();
    lexer.addErrorListener(&lexer_errors);
    antlr4::CommonTokenStream tokens(&lexer);
    WfParser parser(&tokens);
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    parser.removeErrorListeners();
    parser.setErrorHandler(std::make_shared<SyntaxErrorStrategy>(file_, diags_));
    P::ExprOnlyContext* tree = parser.exprOnly();
    return expr(tree->expr());
  }

  char unescape_char(char esc, SourceLoc at) {
    switch (esc) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '\\': return '\\';
      case '"': return '"';
      case '0': return '\0';
      default: diags_.error(at, std::string("unknown escape `\\") + esc + "` in string"); return esc;
    }
  }

  int64_t parse_int(const std::string& raw, SourceLoc l) {
    std::string digits;
    for (char ch : raw)
      if (ch != '_') digits += ch;
    bool hex = digits.size() > 2 && digits[1] == 'x';
    errno = 0;
    unsigned long long v = std::strtoull(hex ? digits.c_str() + 2 : digits.c_str(), nullptr, hex ? 16 : 10);
    // 9223372036854775808 is allowed so that `-9223372036854775808` can be written.
    if (errno == ERANGE || v > 9223372036854775808ull) diags_.error(l, "integer literal `" + raw + "` does not fit in `int`");
    return (int64_t)v;
  }

  std::string unescape(antlr4::Token* tok) {
    std::string raw = tok->getText();
    std::string out;
    for (size_t i = 1; i + 1 < raw.size(); ++i) {
      char ch = raw[i];
      if (ch != '\\') {
        out += ch;
        continue;
      }
      SourceLoc at = loc(tok);
      at.col += (int)i;
      out += unescape_char(raw[++i], at);
    }
    return out;
  }

  int file_;
  ProgramAst& program_;
  Diagnostics& diags_;
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string cur;
  for (char ch : text) {
    if (ch == '\n') {
      if (!cur.empty() && cur.back() == '\r') cur.pop_back();
      lines.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  lines.push_back(cur);
  return lines;
}

}  // namespace

int add_source_file(ProgramAst& program, const std::string& path, std::string text) {
  SourceFile f;
  f.path = path;
  f.lines = split_lines(text);
  f.text = std::move(text);
  program.files.push_back(std::move(f));
  return (int)program.files.size() - 1;
}

namespace {

struct Loader {
  ProgramAst& program;
  Diagnostics& diags;
  std::set<std::string> done;       // canonical paths already loaded
  std::vector<std::string> active;  // canonical paths on the import stack

  static std::string canonical(const std::string& path) {
    std::error_code ec;
    auto p = std::filesystem::weakly_canonical(path, ec);
    return ec ? path : p.string();
  }

  void load(int file) {
    std::string key = canonical(program.files[file].path);
    done.insert(key);
    active.push_back(key);
    std::vector<std::pair<std::string, SourceLoc>> imports;
    parse_source(file, program, diags, &imports);
    for (auto& [rel, at] : imports) {
      std::filesystem::path base = std::filesystem::path(program.files[file].path).parent_path();
      std::string path = rel.size() && rel[0] == '/' ? rel : (base / rel).string();
      std::string target = canonical(path);
      if (std::find(active.begin(), active.end(), target) != active.end()) {
        diags.error(at, "import cycle: `" + rel + "` imports this file again");
        continue;
      }
      if (done.count(target)) continue;
      std::string text;
      if (!read_file_bytes(path, text)) {
        diags.error(at, "cannot read imported file `" + path + "`");
        continue;
      }
      load(add_source_file(program, path, std::move(text)));
    }
    active.pop_back();
  }
};

}  // namespace

size_t first_invalid_utf8(const std::string& text) {
  size_t i = 0, n = text.size();
  while (i < n) {
    unsigned char c = (unsigned char)text[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > n) return i;
    for (size_t k = 1; k < len; ++k)
      if (((unsigned char)text[i + k] >> 6) != 0x2) return i;
    unsigned char c1 = len > 1 ? (unsigned char)text[i + 1] : 0;
    if (len == 2 && c < 0xc2) return i;                       // overlong
    if (len == 3 && c == 0xe0 && c1 < 0xa0) return i;         // overlong
    if (len == 3 && c == 0xed && c1 >= 0xa0) return i;        // UTF-16 surrogate
    if (len == 4 && (c > 0xf4 || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90))) return i;  // overlong / > U+10FFFF
    i += len;
  }
  return std::string::npos;
}

namespace {

// Lexes and parses `text` (the text of program.files[file_index], or a view of it with the same
// lines and columns) with the start rule `start`, then builds the AST from the tree.
template <typename Start, typename Build>
void parse_text(int file_index, const std::string& text, Diagnostics& diags, Start start, Build build) {
  if (size_t bad = first_invalid_utf8(text); bad != std::string::npos) {
    int line = 1 + (int)std::count(text.begin(), text.begin() + (long)bad, '\n');
    size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    int col = (int)(bad - (line_start == std::string::npos || bad == 0 ? 0 : line_start + 1)) + 1;
    diags.error({file_index, line, col}, "the source is not valid UTF-8");
    return;
  }
  antlr4::ANTLRInputStream input(text);
  WfLexer lexer(&input);
  LexerErrorListener lexer_errors(file_index, diags);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&lexer_errors);
  antlr4::CommonTokenStream tokens(&lexer);
  bool comment_to_eof = report_unterminated(tokens, file_index, diags);
  WfParser parser(&tokens);
  // SLL prediction: the grammar needs no full-context lookahead, and SLL skips the costly
  // full-context closures of ANTLR's default LL mode.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.removeErrorListeners();  // every report goes through the strategy, in plain words
  auto strategy = std::make_shared<SyntaxErrorStrategy>(file_index, diags);
  if (comment_to_eof) strategy->quiet_at_end_of_file();
  parser.setErrorHandler(strategy);
  build(start(parser));
}

}  // namespace

void parse_source(int file_index, ProgramAst& program, Diagnostics& diags,
                  std::vector<std::pair<std::string, SourceLoc>>* imports) {
  parse_source_view(file_index, program.files[(size_t)file_index].text, program, diags, imports);
}

void parse_source_view(int file_index, const std::string& view, ProgramAst& program, Diagnostics& diags,
                       std::vector<std::pair<std::string, SourceLoc>>* imports) {
  parse_text(
      file_index, view, diags, [](WfParser& p) { return p.program(); },
      [&](WfParser::ProgramContext* tree) { Builder(file_index, program, diags).build(tree, imports); });
}

void parse_cell(int file_index, ProgramAst& program, Diagnostics& diags, CellParse& cell,
                std::vector<std::pair<std::string, SourceLoc>>* imports) {
  parse_text(
      file_index, program.files[(size_t)file_index].text, diags, [](WfParser& p) { return p.cell(); },
      [&](WfParser::CellContext* tree) { Builder(file_index, program, diags).build_cell(tree, cell, imports); });
}

bool load_program(const std::string& path, ProgramAst& program, Diagnostics& diags) {
  std::string text;
  if (!read_file_bytes(path, text)) return false;
  Loader loader{program, diags, {}, {}};
  loader.load(add_source_file(program, path, std::move(text)));
  return true;
}

}  // namespace wf
