// AST -> LLVM IR. See codegen.hpp for the shape of the generated code.
//
// Value representation: `int` i64, `float` double, `bool` i1, everything else a pointer
// (i8*) to a heap block laid out as in stdlib/values.hpp. Where values cross into the stdlib,
// a task, an array element or a tuple field, they travel as one 64-bit slot.
//
// Arrays have value semantics (LANGUAGE.md §3). Only `var` variables can be mutated, so the
// generated code copies an aggregate when it flows *out of* or *into* a `var`: reading a
// var-rooted aggregate anywhere it could be retained yields a deep copy (`gen_value`), while
// read-only uses (indexing, `len`, `print`, a call's argument) borrow it (`gen`).
//
// Memory (stdlib/ownership.hpp): a `var` owns its value as a tree in the owned heap, made
// by `own` when stored and freed by `disown` when replaced or when its scope ends (block
// end, break, continue, return); a dead `var` stored into another moves instead. A function
// or loop that allocates marks an arena region, released at each iteration's end and at the
// return, after the result has been evacuated (`wf_own`) and is settled back (`wf_settle`).
#include "codegen/codegen.hpp"

#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <functional>
#include <map>

#include "abi/abi_constants.h"
#include "ast/places.hpp"
#include "sema/builtins.hpp"

namespace wf {

namespace {

using llvm::BasicBlock;
using llvm::Function;
using llvm::Value;

class CodeGen {
 public:
  CodeGen(const ProgramAst& program, llvm::LLVMContext& context, Manifest& manifest, const CellLinkage* cell)
      : program_(program), c_(context), b_(context), manifest_(manifest), cell_(cell) {
    module_ = std::make_unique<llvm::Module>("wf", context);
    i64_ = b_.getInt64Ty();
    i32_ = b_.getInt32Ty();
    i8p_ = b_.getInt8PtrTy();
    f64_ = b_.getDoubleTy();
    i1_ = b_.getInt1Ty();
  }

  std::unique_ptr<llvm::Module> run() {
    declare_abi();
    setjmp_ = Function::Create(llvm::FunctionType::get(i32_, {i8p_}, false), Function::ExternalLinkage, "_setjmp", module_.get());
    setjmp_->addFnAttr(llvm::Attribute::ReturnsTwice);
    for (auto& f : program_.functions) program_has_try_ |= f->has_try;
    if (!cell_)
      for (auto& f : program_.files) manifest_.files.push_back(f.path);
    for (auto& f : program_.functions) declare_function(*f);
    for (auto& f : program_.functions)
      if (f->kind != FnKind::Extern && defined_here(*f)) {
        define_function(*f);
        define_entry(*f);
      }
    return std::move(module_);
  }

 private:
  // ---- ABI -----------------------------------------------------------------------------

  llvm::Type* abi_type(char c) {
    switch (c) {
      case 'i': return i64_;
      case 'f': return f64_;
      case 'p': return i8p_;
      default: return b_.getVoidTy();
    }
  }

  void declare_abi() {
    struct Entry {
      const char* name;
      char result;
      const char* params;
    };
    static const Entry kAbi[] = {
#define WF_ABI(name, r, p) {#name, #r[0], #p},
#include "abi/abi.def"
#undef WF_ABI
    };
    for (const Entry& e : kAbi) {
      std::vector<llvm::Type*> params;
      for (const char* p = e.params; *p; ++p) params.push_back(abi_type(*p));
      auto* type = llvm::FunctionType::get(abi_type(e.result), params, false);
      Function* fn = Function::Create(type, Function::ExternalLinkage, e.name, module_.get());
      if (std::string(e.name).rfind("wf_fail", 0) == 0) fn->setDoesNotReturn();
      abi_[e.name] = fn;
    }
  }

  Value* call(const char* name, std::vector<Value*> args) {
    Function* fn = abi_.at(name);
    return b_.CreateCall(fn, args);
  }

  // A call that does not return: ends the block.
  void call_noreturn(const char* name, std::vector<Value*> args) {
    b_.CreateCall(abi_.at(name), args);
    b_.CreateUnreachable();
  }

  // ---- types and slots -----------------------------------------------------------------

  llvm::Type* ltype(TypeRef t) {
    switch (t->kind) {
      case TypeKind::Int: return i64_;
      case TypeKind::Float: return f64_;
      case TypeKind::Bool: return i1_;
      case TypeKind::Void: return b_.getVoidTy();
      default: return i8p_;
    }
  }

  Value* to_slot(Value* v, TypeRef t) {
    switch (t->kind) {
      case TypeKind::Int: return v;
      case TypeKind::Float: return b_.CreateBitCast(v, i64_);
      case TypeKind::Bool: return b_.CreateZExt(v, i64_);
      case TypeKind::Void: return b_.getInt64(0);
      default: return b_.CreatePtrToInt(v, i64_);
    }
  }

  Value* from_slot(Value* v, TypeRef t) {
    switch (t->kind) {
      case TypeKind::Int: return v;
      case TypeKind::Float: return b_.CreateBitCast(v, f64_);
      case TypeKind::Bool: return b_.CreateICmpNE(v, b_.getInt64(0));
      case TypeKind::Void: return nullptr;
      default: return b_.CreateIntToPtr(v, i8p_);
    }
  }

  Value* str_const(const std::string& s) {
    auto it = strings_.find(s);
    if (it != strings_.end()) return it->second;
    // { i64 len, [n+1 x i8] } -- the layout of WfStr
    auto* data = llvm::ConstantDataArray::getString(c_, s, true);
    auto* type = llvm::StructType::get(c_, {i64_, data->getType()});
    auto* init = llvm::ConstantStruct::get(type, {b_.getInt64(s.size()), data});
    auto* g = new llvm::GlobalVariable(*module_, type, true, llvm::GlobalValue::PrivateLinkage, init, ".str");
    g->setAlignment(llvm::Align(8));
    Value* p = llvm::ConstantExpr::getBitCast(g, i8p_);
    strings_[s] = p;
    return p;
  }

  // A NUL-terminated C string constant (for descriptors and names).
  Value* cstr(const std::string& s) {
    auto it = cstrings_.find(s);
    if (it != cstrings_.end()) return it->second;
    Value* p = b_.CreateGlobalStringPtr(s, ".desc", 0, module_.get());
    cstrings_[s] = p;
    return p;
  }

  Value* desc(TypeRef t) { return cstr(t->desc); }

  // ---- locations ------------------------------------------------------------------------

  Value* loc(SourceLoc l) {
    auto key = std::make_tuple(fn_index_, l.file, l.line, l.col);
    auto it = locs_.find(key);
    int id;
    if (it != locs_.end()) {
      id = it->second;
    } else {
      id = (int)manifest_.locs.size();
      manifest_.locs.push_back({fn_index_, l.file, l.line, l.col});
      locs_[key] = id;
    }
    return b_.getInt64(id);
  }

  // ---- functions ------------------------------------------------------------------------

  // A notebook cell defines only the functions no earlier cell did (CellLinkage).
  bool defined_here(const FnDecl& f) const { return !cell_ || cell_->defined_here[(size_t)f.index]; }
  // The function's index in the manifest: what tasks and runtime frames name it by.
  int manifest_index(const FnDecl& f) const { return cell_ ? cell_->index[(size_t)f.index] : f.index; }
  std::string symbol(const FnDecl& f) const { return cell_ ? cell_->symbol[(size_t)f.index] : f.name; }

  void add_to_manifest(const FnDecl& f, ManifestFunction mf) {
    if (!defined_here(f)) return;  // the session's table has it
    if (f.name == "main" && f.kind == FnKind::Flow && !cell_) manifest_.main = (int)manifest_.functions.size();
    manifest_.functions.push_back(std::move(mf));
  }

  void declare_function(const FnDecl& f) {
    ManifestFunction mf;
    mf.name = f.name;
    mf.kind = f.kind == FnKind::Serial ? "fn" : f.kind == FnKind::Mpi ? "mpi" : f.kind == FnKind::Flow ? "flow" : "extern";
    mf.ranks = f.ranks;
    mf.threads = f.threads;
    for (auto& p : f.params) mf.params.push_back({p.name, p.type->desc});
    mf.result = f.result->desc;
    mf.file = f.loc.file;
    mf.line = f.loc.line;
    mf.col = f.loc.col;
    if (f.kind == FnKind::Extern) {
      add_to_manifest(f, std::move(mf));
      fns_.push_back(nullptr);
      auto* g = new llvm::GlobalVariable(*module_, i8p_, false, llvm::GlobalValue::InternalLinkage,
                                         llvm::ConstantPointerNull::get(i8p_), "__wf_ext_" + f.name);
      externs_[&f] = g;
      return;
    }
    mf.entry = "__wf_entry_" + symbol(f);
    add_to_manifest(f, std::move(mf));
    std::vector<llvm::Type*> params{i8p_};
    for (auto& p : f.params) params.push_back(ltype(p.type));
    auto* type = llvm::FunctionType::get(ltype(f.result), params, false);
    Function* fn = Function::Create(type, cell_ ? Function::ExternalLinkage : Function::InternalLinkage,
                                    "wf." + symbol(f), module_.get());
    fns_.push_back(fn);
  }

  void define_function(const FnDecl& f) {
    fn_ = &f;
    fn_index_ = manifest_index(f);
    Function* fn = fns_[f.index];
    BasicBlock* entry = BasicBlock::Create(c_, "entry", fn);
    b_.SetInsertPoint(entry);
    ctx_ = fn->getArg(0);
    locals_.clear();
    for (auto& local : f.locals) locals_.push_back(b_.CreateAlloca(ltype(local.type), nullptr, local.name));
    for (size_t i = 0; i < f.params.size(); ++i) b_.CreateStore(fn->getArg(i + 1), locals_[i]);
    // An owned `var` holds null until its statement runs, so that leaving its scope early
    // frees nothing that is not there.
    for (size_t i = f.params.size(); i < f.locals.size(); ++i)
      if (is_owned_var((int)i) || is_pool_local((int)i)) b_.CreateStore(llvm::ConstantPointerNull::get(i8p_), locals_[i]);
    if (program_has_try_) register_cleanups(f);
    tries_.clear();
    // A function with `try` keeps its variables in memory (no optimisation of it): after the
    // jump back into it, the catch block must see what the try block last stored.
    if (f.has_try) {
      fn->addFnAttr(llvm::Attribute::OptimizeNone);
      fn->addFnAttr(llvm::Attribute::NoInline);
    }
    region_ = nullptr;
    if (owns(f.result) || block_allocates(f.body)) region_ = call("wf_region_mark", {ctx_});
    scopes_.clear();
    if (f.cell) gen_cell_body(f);
    else gen_block(f.body);
    if (!b_.GetInsertBlock()->getTerminator()) {
      if (f.result->is(TypeKind::Void)) {
        if (region_) call("wf_region_pop", {ctx_, region_});
        b_.CreateRetVoid();
      } else {
        b_.CreateUnreachable();
      }
    }
    fn_ = nullptr;
  }

  // A notebook cell's flow (FnDecl::cell): as gen_block, in two scopes. The outer one owns
  // copies of the earlier cells' `var`s it was passed (they may be written in place; the
  // session keeps the originals); the inner one is the cell's own. At the end, before either
  // scope lets go of anything, the cell's variables and its shown value go to the session.
  void gen_cell_body(const FnDecl& f) {
    scopes_.push_back({});
    for (size_t i = 0; i < f.params.size(); ++i)
      if (is_owned_var((int)i)) {
        TypeRef t = f.locals[i].type;
        b_.CreateStore(own(b_.CreateLoad(ltype(t), locals_[i]), t), locals_[i]);
        scopes_.back().push_back((int)i);
      }
    scopes_.push_back({});
    const Block* outer_block = block_;
    block_ = &f.body;
    for (size_t i = 0; i < f.body.size(); ++i) {
      ensure_open_block();
      stmt_index_ = i;
      const Stmt& s = *f.body[i];
      if (f.cell_display && i + 1 == f.body.size() && s.kind == StmtKind::ExprStmt) {
        if (s.value->type->is(TypeKind::Void)) {
          gen(*s.value);
        } else {
          Value* shown = gen_value(*s.value);
          if (!b_.GetInsertBlock()->getTerminator()) keep(-1, shown, s.value->type);
        }
      } else {
        gen_stmt(s);
      }
    }
    block_ = outer_block;
    if (!b_.GetInsertBlock()->getTerminator()) {
      for (auto [local, variable] : f.cell_keeps) {
        TypeRef t = f.locals[(size_t)local].type;
        keep(variable, b_.CreateLoad(ltype(t), locals_[(size_t)local]), t);
      }
      disown_scopes(0);
    }
    scopes_.clear();
  }

  void keep(int variable, Value* v, TypeRef t) {
    call("wf_cell_keep", {ctx_, b_.getInt64(variable), desc(t), to_slot(v, t)});
  }

  // i64 __wf_entry_<name>(i8* ctx, i64* args): the runtime's way in.
  void define_entry(const FnDecl& f) {
    auto* type = llvm::FunctionType::get(i64_, {i8p_, i64_->getPointerTo()}, false);
    Function* fn = Function::Create(type, Function::ExternalLinkage, "__wf_entry_" + symbol(f), module_.get());
    b_.SetInsertPoint(BasicBlock::Create(c_, "entry", fn));
    std::vector<Value*> args{fn->getArg(0)};
    for (size_t i = 0; i < f.params.size(); ++i) {
      Value* slot = b_.CreateLoad(i64_, b_.CreateGEP(i64_, fn->getArg(1), b_.getInt64(i)));
      args.push_back(from_slot(slot, f.params[i].type));
    }
    Value* r = b_.CreateCall(fns_[f.index], args);
    b_.CreateRet(f.result->is(TypeKind::Void) ? b_.getInt64(0) : to_slot(r, f.result));
  }

  // ---- statements -----------------------------------------------------------------------

  // After a terminator, code that follows is unreachable; give it a block of its own.
  void ensure_open_block() {
    if (b_.GetInsertBlock()->getTerminator())
      b_.SetInsertPoint(BasicBlock::Create(c_, "dead", b_.GetInsertBlock()->getParent()));
  }

  BasicBlock* new_block(const char* name) { return BasicBlock::Create(c_, name, b_.GetInsertBlock()->getParent()); }

  void branch_to(BasicBlock* bb) {
    if (!b_.GetInsertBlock()->getTerminator()) b_.CreateBr(bb);
  }

  void gen_block(const Block& block) {
    scopes_.push_back({});
    const Block* outer_block = block_;
    size_t outer_index = stmt_index_;
    block_ = &block;
    for (size_t i = 0; i < block.size(); ++i) {
      ensure_open_block();
      stmt_index_ = i;
      gen_stmt(*block[i]);
    }
    block_ = outer_block;
    stmt_index_ = outer_index;
    if (!b_.GetInsertBlock()->getTerminator()) disown_scopes(scopes_.size() - 1);
    scopes_.pop_back();
  }

  // ---- memory: owned vars, scopes, regions ------------------------------------------------

  static bool owns(TypeRef t) {
    return t->is(TypeKind::Str) || t->is_aggregate();
  }
  bool is_owned_var(int local) const {
    const LocalInfo& l = fn_->locals[(size_t)local];
    return l.mutable_ && owns(l.type);
  }
  Value* own(Value* v, TypeRef t) { return from_slot(call("wf_own", {ctx_, desc(t), to_slot(v, t)}), t); }
  void disown(Value* v, TypeRef t) { call("wf_disown", {ctx_, desc(t), to_slot(v, t)}); }

  // A `let`/`var` of a flow that holds a pool (not a parameter: the caller holds that one).
  // The pool's workers end once no such variable in scope refers to it (LANGUAGE.md §11).
  bool is_pool_local(int local) const {
    return (size_t)local >= fn_->params.size() && fn_->locals[(size_t)local].type->is(TypeKind::Pool);
  }

  // Frees the trees of the owned vars of scopes_[from..] and lets go of their pools (their
  // slots become null).
  void disown_scopes(size_t from) {
    for (size_t d = from; d < scopes_.size(); ++d)
      for (int local : scopes_[d]) {
        TypeRef t = fn_->locals[(size_t)local].type;
        Value* v = b_.CreateLoad(i8p_, locals_[(size_t)local]);
        if (t->is(TypeKind::Pool)) call("wf_pool_release", {ctx_, v});
        else disown(v, t);
        b_.CreateStore(llvm::ConstantPointerNull::get(i8p_), locals_[(size_t)local]);
      }
  }

  // After a `let`/`var` statement stored `local`: its scope now owns its tree or holds its pool.
  void declare_owned(int local) {
    if (local < 0) return;
    if (is_pool_local(local)) call("wf_pool_hold", {ctx_, b_.CreateLoad(i8p_, locals_[(size_t)local])});
    if (is_owned_var(local) || is_pool_local(local)) scopes_.back().push_back(local);
  }

  // Does evaluating this allocate in the arena? (Then its loop or function needs a region.)
  // A var-rooted aggregate allocates only where it is `retained` (gen_value copies it: a
  // let/assignment/return value, a literal's element, the array of a `for`, a pushed value);
  // as the base of an index chain, an assignment's target or a borrowed call argument
  // (`len(a)`, `a[i] = a[i] + 1.0`) it is read in place, and a loop over it needs no region.
  bool expr_allocates(const Expr& e, bool retained = true) const {
    bool place = e.kind == ExprKind::Name || e.kind == ExprKind::Index || e.kind == ExprKind::Field;
    if (place && is_var_rooted(e)) {
      if (retained && e.type && owns(e.type)) return true;
      for (size_t i = 1; i < e.args.size(); ++i)
        if (e.args[i] && expr_allocates(*e.args[i], false)) return true;
      return !e.args.empty() && e.args[0] && expr_allocates(*e.args[0], false);
    }
    if (e.type && owns(e.type) && e.kind != ExprKind::StrLit && !place) return true;
    if (e.callee && expr_allocates(*e.callee, false)) return true;
    bool elements_retained = e.kind == ExprKind::ArrayLit || e.kind == ExprKind::TupleLit ||
                             e.kind == ExprKind::RepeatLit;
    bool pushes = (e.kind == ExprKind::Call || e.kind == ExprKind::Method) && e.resolved.kind == Resolved::Builtin &&
                  (Builtin)e.resolved.builtin == Builtin::Push;
    for (size_t i = 0; i < e.args.size(); ++i)
      if (e.args[i] && expr_allocates(*e.args[i], elements_retained || (pushes && i == 1))) return true;
    return false;
  }
  bool block_allocates(const Block& b) const {
    for (auto& s : b) {
      bool value_retained = s->kind != StmtKind::If && s->kind != StmtKind::While && s->kind != StmtKind::ExprStmt;
      if (s->value && expr_allocates(*s->value, value_retained)) return true;
      for (const Expr* x : {s->target.get(), s->range_end.get(), s->step.get()})
        if (x && expr_allocates(*x, false)) return true;
      if (block_allocates(s->body) || block_allocates(s->else_body)) return true;
    }
    return false;
  }

  // `local` is an owned var declared in the current block and not used after statement
  // stmt_index_ of it: its tree may be moved rather than copied.
  bool dead_after_this_statement(int local) const {
    if (!block_ || !is_owned_var(local) || scopes_.empty()) return false;
    const std::vector<int>& here = scopes_.back();
    if (std::find(here.begin(), here.end(), local) == here.end()) return false;
    for (size_t i = stmt_index_ + 1; i < block_->size(); ++i)
      if (stmt_uses((*block_)[i].get(), local)) return false;
    return true;
  }
  static bool expr_uses(const Expr* e, int local) {
    if (!e) return false;
    if (e->kind == ExprKind::Name && e->resolved.kind == Resolved::Local && e->resolved.local == local) return true;
    if (expr_uses(e->callee.get(), local)) return true;
    for (auto& a : e->args)
      if (expr_uses(a.get(), local)) return true;
    return false;
  }
  static bool stmt_uses(const Stmt* s, int local) {
    for (const Expr* x : {s->value.get(), s->target.get(), s->range_end.get(), s->step.get()})
      if (expr_uses(x, local)) return true;
    for (auto& t : s->body)
      if (stmt_uses(t.get(), local)) return true;
    for (auto& t : s->else_body)
      if (stmt_uses(t.get(), local)) return true;
    return false;
  }

  // The owned tree for a value about to be stored in a var: moved from a dying var, or a copy.
  Value* gen_owned(const Expr& e) {
    if (!owns(e.type)) return gen(e);
    if (e.kind == ExprKind::Name && e.resolved.kind == Resolved::Local && dead_after_this_statement(e.resolved.local)) {
      llvm::AllocaInst* from = locals_[(size_t)e.resolved.local];
      Value* v = b_.CreateLoad(i8p_, from);
      b_.CreateStore(llvm::ConstantPointerNull::get(i8p_), from);
      return v;
    }
    return own(gen(e), e.type);
  }

  // `s = s + a + b` with `s` a var string: the operands after the leading `s`, or empty.
  static std::vector<const Expr*> append_chain(const Expr& value, int local) {
    std::vector<const Expr*> tail;
    const Expr* e = &value;
    while (e->kind == ExprKind::Binary && e->op == Op::Add && e->type->is(TypeKind::Str)) {
      tail.insert(tail.begin(), e->args[1].get());
      e = e->args[0].get();
    }
    bool leads = e->kind == ExprKind::Name && e->resolved.kind == Resolved::Local && e->resolved.local == local;
    return leads ? tail : std::vector<const Expr*>{};
  }

  // Appends each operand to the owned string in `slot`, in place when it has room.
  void gen_append(Value* slot, const std::vector<const Expr*>& operands) {
    for (const Expr* x : operands) {
      Value* tail = gen(*x);  // may read the string itself (`s += s`): loaded after each step
      Value* cur = b_.CreateLoad(i8p_, slot);
      b_.CreateStore(call("wf_str_append", {ctx_, cur, tail}), slot);
    }
  }

  // Leaves the function: frees every owned var, releases the region, returns `e`'s value.
  // The value is computed inside the open `try`s (their catch sees its errors), then they are left.
  void gen_return(const Expr* e) {
    TypeRef t = fn_->result;
    if (!e) {
      leave_tries(0);
      disown_scopes(0);
      if (region_) call("wf_region_pop", {ctx_, region_});
      b_.CreateRetVoid();
      return;
    }
    if (!owns(t)) {
      Value* v = gen(*e);
      leave_tries(0);
      disown_scopes(0);
      if (region_) call("wf_region_pop", {ctx_, region_});
      b_.CreateRet(v);
      return;
    }
    // Evacuate the result into the owned heap (or take a var's tree), let everything else
    // go, and settle it in the caller's region.
    Value* tree;
    if (e->kind == ExprKind::Name && e->resolved.kind == Resolved::Local && is_owned_var(e->resolved.local)) {
      llvm::AllocaInst* from = locals_[(size_t)e->resolved.local];
      tree = b_.CreateLoad(i8p_, from);
      b_.CreateStore(llvm::ConstantPointerNull::get(i8p_), from);
    } else {
      tree = own(gen(*e), t);
    }
    leave_tries(0);
    disown_scopes(0);
    call("wf_region_pop", {ctx_, region_});
    b_.CreateRet(from_slot(call("wf_settle", {ctx_, desc(t), to_slot(tree, t)}), t));
  }

  // ---- try/catch (stdlib/try_catch.cpp, execution/context.hpp) -----------------------------

  void leave_tries(size_t down_to) {
    for (size_t i = tries_.size(); i > down_to; --i) call("wf_try_leave", {ctx_, tries_[i - 1]});
  }

  // Owned vars declared anywhere in `b` (their trees die if the block is cut short by an error).
  void owned_vars_in(const Block& b, std::vector<int>& out) const {
    for (auto& s : b) {
      for (int local : s->locals)
        if (local >= 0 && is_owned_var(local)) out.push_back(local);
      owned_vars_in(s->body, out);
      owned_vars_in(s->else_body, out);
    }
  }

  void gen_try(const Stmt& s) {
    auto* buf = entry_alloca(llvm::ArrayType::get(i64_, 25), "try.buf");  // a jmp_buf (200 bytes)
    buf->setAlignment(llvm::Align(16));
    Value* handler = b_.CreateBitCast(buf, i8p_);
    Value* token = call("wf_try_enter", {ctx_, handler});
    llvm::CallInst* jumped = b_.CreateCall(setjmp_, {handler});
    jumped->addFnAttr(llvm::Attribute::ReturnsTwice);
    BasicBlock* body_bb = new_block("try.body");
    BasicBlock* catch_bb = new_block("try.catch");
    BasicBlock* end_bb = new_block("try.end");
    b_.CreateCondBr(b_.CreateICmpEQ(jumped, b_.getInt32(0)), body_bb, catch_bb);
    b_.SetInsertPoint(body_bb);
    tries_.push_back(token);
    gen_block(s.body);
    tries_.pop_back();
    if (!b_.GetInsertBlock()->getTerminator()) {
      call("wf_try_leave", {ctx_, token});
      b_.CreateBr(end_bb);
    }
    b_.SetInsertPoint(catch_bb);
    Value* message = call("wf_try_catch", {ctx_, token});
    // The try block's own vars that were live at the error (the others hold null).
    std::vector<int> cut;
    owned_vars_in(s.body, cut);
    for (int local : cut) {
      disown(b_.CreateLoad(i8p_, locals_[(size_t)local]), fn_->locals[(size_t)local].type);
      b_.CreateStore(llvm::ConstantPointerNull::get(i8p_), locals_[(size_t)local]);
    }
    if (s.locals[0] >= 0) b_.CreateStore(message, locals_[(size_t)s.locals[0]]);
    gen_block(s.else_body);
    branch_to(end_bb);
    b_.SetInsertPoint(end_bb);
  }

  // With `try` in the program, every function records where its owned vars are, at its depth,
  // so that an error caught further up frees their trees (execution/context.hpp).
  void register_cleanups(const FnDecl& f) {
    std::vector<int> owned;
    for (size_t i = f.params.size(); i < f.locals.size(); ++i)
      if (is_owned_var((int)i)) owned.push_back((int)i);
    Value* record = llvm::ConstantPointerNull::get(i8p_);
    if (!owned.empty()) {
      auto* rec = b_.CreateAlloca(llvm::ArrayType::get(i64_, 1 + 2 * owned.size()), nullptr, "cleanups");
      auto at = [&](size_t i) { return b_.CreateConstGEP2_64(rec->getAllocatedType(), rec, 0, i); };
      b_.CreateStore(b_.getInt64((int64_t)owned.size()), at(0));
      for (size_t k = 0; k < owned.size(); ++k) {
        b_.CreateStore(b_.CreatePtrToInt(locals_[(size_t)owned[k]], i64_), at(1 + 2 * k));
        b_.CreateStore(b_.CreatePtrToInt(desc(f.locals[(size_t)owned[k]].type), i64_), at(2 + 2 * k));
      }
      record = b_.CreateBitCast(rec, i8p_);
    }
    Value* fields = b_.CreateBitCast(ctx_, i64_->getPointerTo());
    Value* depth = b_.CreateLoad(i64_, fields);
    Value* table = b_.CreateIntToPtr(b_.CreateLoad(i64_, b_.CreateGEP(i64_, fields, b_.getInt64(3))), i8p_->getPointerTo());
    b_.CreateStore(record, b_.CreateGEP(i8p_, table, depth));
  }

  void gen_stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::Let:
        b_.CreateStore(gen_value(*s.value), locals_[s.locals[0]]);
        declare_owned(s.locals[0]);
        break;
      case StmtKind::Var:
        b_.CreateStore(gen_owned(*s.value), locals_[s.locals[0]]);
        declare_owned(s.locals[0]);
        break;
      case StmtKind::LetTuple: {
        Value* t = gen_value(*s.value);
        for (size_t i = 0; i < s.locals.size(); ++i) {
          if (s.locals[i] < 0) continue;  // `_`
          b_.CreateStore(tuple_field(t, s.value->type, i), locals_[s.locals[i]]);
          declare_owned(s.locals[i]);
        }
        break;
      }
      case StmtKind::Assign: gen_assign(s); break;
      case StmtKind::If: {
        Value* cond = gen(*s.value);
        BasicBlock* then_bb = new_block("then");
        BasicBlock* else_bb = new_block("else");
        BasicBlock* end_bb = new_block("endif");
        b_.CreateCondBr(cond, then_bb, else_bb);
        b_.SetInsertPoint(then_bb);
        gen_block(s.body);
        branch_to(end_bb);
        b_.SetInsertPoint(else_bb);
        gen_block(s.else_body);
        branch_to(end_bb);
        b_.SetInsertPoint(end_bb);
        break;
      }
      case StmtKind::While: {
        Value* region = loop_region(s);
        BasicBlock* cond_bb = new_block("while.cond");
        BasicBlock* body_bb = new_block("while.body");
        BasicBlock* next_bb = new_block("while.next");
        BasicBlock* end_bb = new_block("while.end");
        b_.CreateBr(cond_bb);
        b_.SetInsertPoint(cond_bb);
        b_.CreateCondBr(gen(*s.value), body_bb, end_bb);
        b_.SetInsertPoint(body_bb);
        loops_.push_back({end_bb, next_bb, scopes_.size(), tries_.size()});
        gen_block(s.body);
        loops_.pop_back();
        branch_to(next_bb);
        b_.SetInsertPoint(next_bb);
        if (region) call("wf_region_reset", {ctx_, region});
        poll_interrupt(s.loc);
        b_.CreateBr(cond_bb);
        b_.SetInsertPoint(end_bb);
        if (region) call("wf_region_pop", {ctx_, region});
        break;
      }
      case StmtKind::ForRange: gen_for_range(s); break;
      case StmtKind::ForEach: gen_for_each(s); break;
      case StmtKind::Break:
        leave_tries(loops_.back().tries);
        disown_scopes(loops_.back().scope_depth);
        b_.CreateBr(loops_.back().break_to);
        break;
      case StmtKind::Continue:
        leave_tries(loops_.back().tries);
        disown_scopes(loops_.back().scope_depth);
        b_.CreateBr(loops_.back().continue_to);
        break;
      case StmtKind::Try: gen_try(s); break;
      case StmtKind::Return: gen_return(s.value.get()); break;
      case StmtKind::ExprStmt: gen(*s.value); break;
      case StmtKind::BlockStmt: gen_block(s.body); break;
    }
  }

  // The loop skeletons of `for` statements and comprehensions: `body(i, next, end)` emits one
  // iteration for counter value i (`next` continues, `end` breaks). A non-null `region` is
  // reset after each iteration and popped after the loop.
  using LoopBody = std::function<void(Value* i, BasicBlock* next_bb, BasicBlock* end_bb)>;

  // i = start, start+step, ... while i < end (or i > end for a negative step).
  void gen_range_loop(SourceLoc at, const Expr& start_e, const Expr& end_e, const Expr* step_e, bool with_region,
                      const LoopBody& body) {
    Value* start = gen(start_e);
    Value* end = gen(end_e);
    Value* step = step_e ? gen(*step_e) : b_.getInt64(1);
    if (step_e) {
      BasicBlock* ok = new_block("for.step.ok");
      BasicBlock* bad = new_block("for.step.zero");
      b_.CreateCondBr(b_.CreateICmpEQ(step, b_.getInt64(0)), bad, ok);
      b_.SetInsertPoint(bad);
      call_noreturn("wf_fail_msg", {ctx_, loc(step_e->loc), str_const("range step is zero")});
      b_.SetInsertPoint(ok);
    }
    gen_loop(at, start, step, [&](Value* i) {
      Value* up = b_.CreateICmpSLT(i, end);
      return step_e ? b_.CreateSelect(b_.CreateICmpSGT(step, b_.getInt64(0)), up, b_.CreateICmpSGT(i, end)) : up;
    }, with_region, body);
  }

  // i = 0 .. len(arr)-1
  void gen_array_loop(SourceLoc at, Value* arr, bool with_region, const LoopBody& body) {
    Value* len = array_len(arr);
    gen_loop(at, b_.getInt64(0), b_.getInt64(1), [&](Value* i) { return b_.CreateICmpSLT(i, len); }, with_region, body);
  }

  // The skeleton of both: a hidden counter (so that the body cannot change the iteration by
  // shadowing) from `start` while `continues(i)`, advanced by `step`; it stops, rather than
  // wraps around, when the next value would overflow `int`. `at`: the loop's place, for
  // poll_interrupt.
  void gen_loop(SourceLoc at, Value* start, Value* step, const std::function<Value*(Value*)>& continues, bool with_region,
                const LoopBody& body) {
    Value* region = with_region ? call("wf_region_mark", {ctx_}) : nullptr;
    llvm::AllocaInst* counter = entry_alloca(i64_, "loop.i");
    b_.CreateStore(start, counter);
    BasicBlock* cond_bb = new_block("loop.cond");
    BasicBlock* body_bb = new_block("loop.body");
    BasicBlock* next_bb = new_block("loop.next");
    BasicBlock* end_bb = new_block("loop.end");
    b_.CreateBr(cond_bb);
    b_.SetInsertPoint(cond_bb);
    Value* i = b_.CreateLoad(i64_, counter);
    b_.CreateCondBr(continues(i), body_bb, end_bb);
    b_.SetInsertPoint(body_bb);
    body(i, next_bb, end_bb);
    branch_to(next_bb);
    b_.SetInsertPoint(next_bb);
    if (region) call("wf_region_reset", {ctx_, region});
    poll_interrupt(at);
    Value* sum = b_.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_with_overflow, b_.CreateLoad(i64_, counter), step);
    b_.CreateStore(b_.CreateExtractValue(sum, 0), counter);
    b_.CreateCondBr(b_.CreateExtractValue(sum, 1), end_bb, cond_bb);
    b_.SetInsertPoint(end_bb);
    if (region) call("wf_region_pop", {ctx_, region});
  }

  // The array a `for x in e` walks: e itself, or a dictionary's keys.
  Value* iterated_array(const Expr& e) {
    if (e.type->is(TypeKind::Dict)) return call("wf_dict_keys", {ctx_, desc(e.type), gen(e)});
    return gen_value(e);
  }
  TypeRef iterated_element(const Expr& e) { return e.type->is(TypeKind::Dict) ? e.type->elems[0] : e.type->elem(); }

  // Stores element `i` of `arr` in the pattern's slots (one name, or a tuple's fields; -1 is `_`).
  void bind_element(const std::vector<int>& slots, Value* arr, Value* i, TypeRef elem) {
    Value* v = from_slot(b_.CreateLoad(i64_, element_ptr(arr, i)), elem);
    if (slots.size() == 1) {
      if (slots[0] >= 0) b_.CreateStore(v, locals_[(size_t)slots[0]]);
      return;
    }
    for (size_t k = 0; k < slots.size(); ++k)
      if (slots[k] >= 0) b_.CreateStore(tuple_field(v, elem, k), locals_[(size_t)slots[k]]);
  }

  void gen_for_range(const Stmt& s) {
    gen_range_loop(s.loc, *s.value, *s.range_end, s.step.get(), loop_allocates(s),
                   [&](Value* i, BasicBlock* next, BasicBlock* end) {
      if (s.locals[0] >= 0) b_.CreateStore(i, locals_[(size_t)s.locals[0]]);
      loop_body(s, next, end);
    });
  }

  void gen_for_each(const Stmt& s) {
    Value* arr = iterated_array(*s.value);
    TypeRef elem = iterated_element(*s.value);
    gen_array_loop(s.loc, arr, loop_allocates(s), [&](Value* i, BasicBlock* next, BasicBlock* end) {
      bind_element(s.locals, arr, i, elem);
      loop_body(s, next, end);
    });
  }

  void loop_body(const Stmt& s, BasicBlock* next, BasicBlock* end) {
    loops_.push_back({end, next, scopes_.size(), tries_.size()});
    gen_block(s.body);
    loops_.pop_back();
  }

  // At the end of each iteration of a loop among a notebook cell's statements: a user's
  // interrupt ends the cell there (the cell runs in the kernel process, where nothing else
  // could stop it). Functions are not polled: their code is the workers' too, and is hot.
  void poll_interrupt(SourceLoc at) {
    if (fn_ && fn_->cell) call("wf_poll_interrupt", {ctx_, loc(at)});
  }

  // A loop whose body (or `while` condition) allocates gets a region of its own, marked
  // before the loop.
  bool loop_allocates(const Stmt& s) const {
    return block_allocates(s.body) || (s.kind == StmtKind::While && expr_allocates(*s.value));
  }
  Value* loop_region(const Stmt& s) { return loop_allocates(s) ? call("wf_region_mark", {ctx_}) : nullptr; }

  // `[e for p in xs if c]`: built as an owned array (so that each iteration's temporaries can
  // go with the loop's region), settled into the arena at the end.
  Value* gen_comprehension(const Expr& e) {
    TypeRef elem = e.type->elem();
    Value* out = own(new_array({}), e.type);
    bool allocates = expr_allocates(*e.args[0]) || (e.args[4] && expr_allocates(*e.args[4], false));
    auto iteration = [&](BasicBlock* next) {
      if (e.args[4]) {
        BasicBlock* keep = new_block("comp.keep");
        b_.CreateCondBr(gen(*e.args[4]), keep, next);
        b_.SetInsertPoint(keep);
      }
      call("wf_array_push", {ctx_, out, to_slot(gen_owned(*e.args[0]), elem)});
    };
    if (e.args[2]) {
      gen_range_loop(e.loc, *e.args[1], *e.args[2], e.args[3].get(), allocates,
                     [&](Value* i, BasicBlock* next, BasicBlock*) {
        if (e.locals[0] >= 0) b_.CreateStore(i, locals_[(size_t)e.locals[0]]);
        iteration(next);
      });
    } else {
      Value* arr = iterated_array(*e.args[1]);
      TypeRef item = iterated_element(*e.args[1]);
      gen_array_loop(e.loc, arr, allocates, [&](Value* i, BasicBlock* next, BasicBlock*) {
        bind_element(e.locals, arr, i, item);
        iteration(next);
      });
    }
    return from_slot(call("wf_settle", {ctx_, desc(e.type), to_slot(out, e.type)}), e.type);
  }

  // f"..": the pieces and each formatted value, concatenated.
  Value* gen_fstring(const Expr& e) {
    Value* out = str_const(e.pieces[0]);
    for (size_t i = 0; i < e.args.size(); ++i) {
      const Expr& a = *e.args[i];
      Value* part;
      if (!e.specs[i].empty()) part = call("wf_format", {ctx_, cstr(e.specs[i]), desc(a.type), slot_of(a)});
      else if (a.type->is(TypeKind::Str)) part = gen(a);
      else part = call("wf_to_str", {ctx_, desc(a.type), slot_of(a)});
      out = call("wf_str_concat", {ctx_, out, part});
      if (!e.pieces[i + 1].empty()) out = call("wf_str_concat", {ctx_, out, str_const(e.pieces[i + 1])});
    }
    return out;
  }

  Value* gen_dict_lit(const Expr& e) {
    Value* d = call("wf_dict_new", {ctx_, desc(e.type), b_.getInt64((int64_t)e.args.size() / 2)});
    for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
      Value* k = to_slot(gen_value(*e.args[i]), e.args[i]->type);
      Value* v = to_slot(gen_value(*e.args[i + 1]), e.args[i + 1]->type);
      call("wf_dict_put_new", {ctx_, desc(e.type), d, k, v});
    }
    return d;
  }

  // `P(...)`: fields evaluated in the order written, stored in declaration order.
  Value* gen_construct(const Expr& e) {
    std::vector<Value*> given;
    for (auto& a : e.args) given.push_back(to_slot(gen_value(*a), a->type));
    std::vector<Value*> slots;
    for (int index : e.order) slots.push_back(given[(size_t)index]);
    return new_tuple(slots);
  }

  llvm::AllocaInst* entry_alloca(llvm::Type* t, const char* name) {
    BasicBlock& entry = b_.GetInsertBlock()->getParent()->getEntryBlock();
    llvm::IRBuilder<> tmp(&entry, entry.begin());
    return tmp.CreateAlloca(t, nullptr, name);
  }

  void gen_assign(const Stmt& s) {
    const Expr& target = *s.target;
    TypeRef t = target.type;
    Op op = s.op;
    bool append = t->is(TypeKind::Str) && op == Op::Add;  // `s += x` on an owned string
    if (target.kind == ExprKind::Name) {
      llvm::AllocaInst* slot = locals_[target.resolved.local];
      if (append) return gen_append(slot, {s.value.get()});
      if (op != Op::None) {
        b_.CreateStore(gen_binary(op, b_.CreateLoad(ltype(t), slot), gen(*s.value), t, s.value->type, s.loc), slot);
        return;
      }
      if (t->is(TypeKind::Pool)) {  // hold the new pool before letting go of the old one
        Value* v = gen(*s.value);
        call("wf_pool_hold", {ctx_, v});
        Value* old = b_.CreateLoad(i8p_, slot);
        b_.CreateStore(v, slot);
        call("wf_pool_release", {ctx_, old});
        return;
      }
      if (!owns(t)) {
        b_.CreateStore(gen(*s.value), slot);
        return;
      }
      std::vector<const Expr*> tail = t->is(TypeKind::Str) ? append_chain(*s.value, target.resolved.local)
                                                           : std::vector<const Expr*>{};
      // In place only when no later operand reads the string (`s = s + a`, not `s = s + s`).
      bool reads_itself = false;
      for (const Expr* x : tail) reads_itself |= expr_uses(x, target.resolved.local);
      if (!tail.empty() && !reads_itself) return gen_append(slot, tail);
      // The new tree first (it may read the old one: `u = f(u)`), then the old one goes.
      Value* v = gen_owned(*s.value);
      Value* old = b_.CreateLoad(i8p_, slot);
      b_.CreateStore(v, slot);
      disown(old, t);
      return;
    }
    // xs[i] (op)= v, r.f (op)= v, d[k] (op)= v : mutate the var's own tree in place
    Value* p = nullptr;
    TypeRef base = target.args[0]->type;
    if (target.kind == ExprKind::Field) {
      p = b_.CreateGEP(i64_, b_.CreateBitCast(gen(*target.args[0]), i64_->getPointerTo()), b_.getInt64(target.field));
    } else if (base->is(TypeKind::Dict)) {
      Value* d = gen(*target.args[0]);
      Value* key = slot_of(*target.args[1]);
      if (op == Op::None) {  // the dictionary stores its own copies of the key and the value
        call("wf_dict_set", {ctx_, desc(base), d, key, slot_of(*s.value)});
        return;
      }
      p = b_.CreateBitCast(call("wf_dict_slot", {ctx_, loc(target.loc), desc(base), d, key}), i64_->getPointerTo());
    } else {
      Value* arr = gen(*target.args[0]);
      Value* idx = gen(*target.args[1]);
      p = checked_element_ptr(arr, idx, target.loc);
    }
    if (append) {
      Value* tail = gen(*s.value);
      b_.CreateStore(b_.CreatePtrToInt(call("wf_str_append", {ctx_, b_.CreateIntToPtr(b_.CreateLoad(i64_, p), i8p_), tail}), i64_), p);
      return;
    }
    if (op != Op::None) {
      Value* old = from_slot(b_.CreateLoad(i64_, p), t);
      b_.CreateStore(to_slot(gen_binary(op, old, gen(*s.value), t, s.value->type, s.loc), t), p);
      return;
    }
    Value* v = gen_owned(*s.value);
    if (owns(t)) {
      Value* old = b_.CreateLoad(i64_, p);
      b_.CreateStore(to_slot(v, t), p);
      disown(from_slot(old, t), t);
      return;
    }
    b_.CreateStore(to_slot(v, t), p);
  }

  // ---- aggregates -----------------------------------------------------------------------

  // WfArray = { i64 len, i64 cap, i64* data }
  Value* array_field(Value* arr, int field) {
    Value* p = b_.CreateGEP(i64_, b_.CreateBitCast(arr, i64_->getPointerTo()), b_.getInt64(field));
    return b_.CreateLoad(i64_, p);
  }
  Value* array_len(Value* arr) { return array_field(arr, 0); }
  Value* element_ptr(Value* arr, Value* idx) {
    Value* data = b_.CreateIntToPtr(array_field(arr, 2), i64_->getPointerTo());
    return b_.CreateGEP(i64_, data, idx);
  }
  Value* checked_element_ptr(Value* arr, Value* idx, SourceLoc l) {
    Value* len = array_len(arr);
    BasicBlock* ok = new_block("idx.ok");
    BasicBlock* bad = new_block("idx.bad");
    b_.CreateCondBr(b_.CreateICmpULT(idx, len), ok, bad, llvm::MDBuilder(c_).createBranchWeights(1 << 20, 1));
    b_.SetInsertPoint(bad);
    call_noreturn("wf_fail_index", {ctx_, loc(l), idx, len});
    b_.SetInsertPoint(ok);
    return element_ptr(arr, idx);
  }
  Value* tuple_field(Value* tuple, TypeRef t, size_t i) {
    Value* p = b_.CreateGEP(i64_, b_.CreateBitCast(tuple, i64_->getPointerTo()), b_.getInt64(i));
    return from_slot(b_.CreateLoad(i64_, p), t->elems[i]);
  }

  Value* new_array(const std::vector<Value*>& slots) {
    Value* arr = call("wf_array_new", {ctx_, b_.getInt64(slots.size())});
    if (!slots.empty()) {
      Value* data = b_.CreateIntToPtr(array_field(arr, 2), i64_->getPointerTo());
      for (size_t i = 0; i < slots.size(); ++i) b_.CreateStore(slots[i], b_.CreateGEP(i64_, data, b_.getInt64(i)));
    }
    return arr;
  }

  Value* new_tuple(const std::vector<Value*>& slots) {
    Value* t = call("wf_alloc", {ctx_, b_.getInt64(8 * slots.size())});
    Value* p = b_.CreateBitCast(t, i64_->getPointerTo());
    for (size_t i = 0; i < slots.size(); ++i) b_.CreateStore(slots[i], b_.CreateGEP(i64_, p, b_.getInt64(i)));
    return t;
  }

  // ---- value semantics ------------------------------------------------------------------

  bool is_var_rooted(const Expr& e) const { return var_root(e, *fn_, PlaceChain::IndexesAndFields) != nullptr; }

  Value* copy(Value* v, TypeRef t) { return from_slot(call("wf_copy", {ctx_, desc(t), to_slot(v, t)}), t); }

  // The value of `e`, safe to retain: a var-rooted aggregate is copied.
  Value* gen_value(const Expr& e) {
    Value* v = gen(e);
    if (e.type->is_aggregate() && is_var_rooted(e)) return copy(v, e.type);
    return v;
  }


  // ---- expressions ----------------------------------------------------------------------

  Value* gen(const Expr& e) {
    switch (e.kind) {
      case ExprKind::IntLit: return b_.getInt64(e.int_val);
      case ExprKind::FloatLit: return llvm::ConstantFP::get(f64_, e.float_val);
      case ExprKind::BoolLit: return b_.getInt1(e.bool_val);
      case ExprKind::StrLit: return str_const(e.str_val);
      case ExprKind::IntToFloat: return b_.CreateSIToFP(gen(*e.args[0]), f64_);
      case ExprKind::Name: {
        if (e.resolved.kind == Resolved::Const) {
          const ConstDecl& k = *e.resolved.konst;
          switch (k.type->kind) {
            case TypeKind::Int: return b_.getInt64(k.int_val);
            case TypeKind::Float: return llvm::ConstantFP::get(f64_, k.float_val);
            case TypeKind::Bool: return b_.getInt1(k.bool_val);
            default: return str_const(k.str_val);
          }
        }
        return b_.CreateLoad(ltype(e.type), locals_[e.resolved.local]);
      }
      case ExprKind::ArrayLit: {
        std::vector<Value*> slots;
        for (auto& a : e.args) slots.push_back(to_slot(gen_value(*a), a->type));
        return new_array(slots);
      }
      case ExprKind::RepeatLit: {
        TypeRef elem = e.args[0]->type;
        Value* v = gen_value(*e.args[0]);
        Value* n = gen(*e.args[1]);
        return call("wf_array_repeat", {ctx_, loc(e.loc), desc(elem), to_slot(v, elem), n});
      }
      case ExprKind::TupleLit: {
        std::vector<Value*> slots;
        for (auto& a : e.args) slots.push_back(to_slot(gen_value(*a), a->type));
        return new_tuple(slots);
      }
      case ExprKind::Unary: {
        Value* v = gen(*e.args[0]);
        if (e.op == Op::BitNot) return b_.CreateNot(v);
        if (e.type->is(TypeKind::Float)) return b_.CreateFNeg(v);
        return b_.CreateSub(b_.getInt64(0), v);
      }
      case ExprKind::Not: return b_.CreateNot(gen(*e.args[0]));
      case ExprKind::And:
      case ExprKind::Or: {
        bool is_and = e.kind == ExprKind::And;
        Value* lhs = gen(*e.args[0]);
        BasicBlock* from = b_.GetInsertBlock();
        BasicBlock* rhs_bb = new_block(is_and ? "and.rhs" : "or.rhs");
        BasicBlock* end_bb = new_block(is_and ? "and.end" : "or.end");
        if (is_and) b_.CreateCondBr(lhs, rhs_bb, end_bb);
        else b_.CreateCondBr(lhs, end_bb, rhs_bb);
        b_.SetInsertPoint(rhs_bb);
        Value* rhs = gen(*e.args[1]);
        BasicBlock* rhs_end = b_.GetInsertBlock();
        b_.CreateBr(end_bb);
        b_.SetInsertPoint(end_bb);
        llvm::PHINode* phi = b_.CreatePHI(i1_, 2);
        phi->addIncoming(b_.getInt1(!is_and), from);
        phi->addIncoming(rhs, rhs_end);
        return phi;
      }
      case ExprKind::Binary:
        return gen_binary(e.op, gen(*e.args[0]), gen(*e.args[1]), e.args[0]->type, e.args[1]->type, e.loc);
      case ExprKind::Index: {
        if (e.args[0]->type->is(TypeKind::Dict)) {
          Value* d = gen(*e.args[0]);
          Value* key = slot_of(*e.args[1]);
          return from_slot(call("wf_dict_get", {ctx_, loc(e.loc), desc(e.args[0]->type), d, key}), e.type);
        }
        Value* arr = gen(*e.args[0]);
        Value* idx = gen(*e.args[1]);
        return from_slot(b_.CreateLoad(i64_, checked_element_ptr(arr, idx, e.loc)), e.type);
      }
      case ExprKind::DictLit: return gen_dict_lit(e);
      case ExprKind::Comprehension: return gen_comprehension(e);
      case ExprKind::FString: return gen_fstring(e);
      case ExprKind::Error: break;  // never reaches code generation: the checker reported it
      case ExprKind::Field: return tuple_field(gen(*e.args[0]), e.args[0]->type, e.field);
      case ExprKind::Call:
      case ExprKind::Method: return gen_call(e);
    }
    return nullptr;
  }

  // The comparison operators: NaN compares false except with `!=` (ordered predicates, and
  // UNE); ints, bools and string comparison results as signed integers.
  struct Comparison {
    Op op;
    llvm::CmpInst::Predicate on_floats, on_ints;
  };
  static const Comparison* comparison(Op op) {
    static const Comparison table[] = {{Op::Eq, llvm::CmpInst::FCMP_OEQ, llvm::CmpInst::ICMP_EQ},
                                       {Op::Ne, llvm::CmpInst::FCMP_UNE, llvm::CmpInst::ICMP_NE},
                                       {Op::Lt, llvm::CmpInst::FCMP_OLT, llvm::CmpInst::ICMP_SLT},
                                       {Op::Le, llvm::CmpInst::FCMP_OLE, llvm::CmpInst::ICMP_SLE},
                                       {Op::Gt, llvm::CmpInst::FCMP_OGT, llvm::CmpInst::ICMP_SGT},
                                       {Op::Ge, llvm::CmpInst::FCMP_OGE, llvm::CmpInst::ICMP_SGE}};
    for (const Comparison& c : table)
      if (op == c.op) return &c;
    return nullptr;
  }

  Value* gen_binary(Op op, Value* a, Value* c, TypeRef ta, TypeRef tc, SourceLoc l) {
    if (ta->is(TypeKind::Float) || tc->is(TypeKind::Float)) {
      if (op == Op::Add) return b_.CreateFAdd(a, c);
      if (op == Op::Sub) return b_.CreateFSub(a, c);
      if (op == Op::Mul) return b_.CreateFMul(a, c);
      if (op == Op::Div) return b_.CreateFDiv(a, c);
      if (op == Op::Mod) return call("wf_math_fmod", {a, c});
      if (const Comparison* cmp = comparison(op)) return b_.CreateFCmp(cmp->on_floats, a, c);
    }
    if (ta->is(TypeKind::Int)) {
      if (op == Op::Add) return b_.CreateAdd(a, c);
      if (op == Op::Sub) return b_.CreateSub(a, c);
      if (op == Op::Mul) return b_.CreateMul(a, c);
      if (op == Op::Div || op == Op::Mod) return gen_divide(op == Op::Div, a, c, l);
      if (op == Op::BitAnd) return b_.CreateAnd(a, c);
      if (op == Op::BitOr) return b_.CreateOr(a, c);
      if (op == Op::BitXor) return b_.CreateXor(a, c);
      Value* amount = b_.CreateAnd(c, b_.getInt64(63));
      if (op == Op::Shl) return b_.CreateShl(a, amount);
      if (op == Op::Shr) return b_.CreateAShr(a, amount);
      if (op == Op::UShr) return b_.CreateLShr(a, amount);
    }
    if (ta->is(TypeKind::Int) || ta->is(TypeKind::Bool)) {
      if (const Comparison* cmp = comparison(op)) return b_.CreateICmp(cmp->on_ints, a, c);
    }
    if (ta->is(TypeKind::Str)) {
      if (op == Op::Add) return call("wf_str_concat", {ctx_, a, c});
      // Strings compare by wf_str_compare's sign (bytewise, like memcmp).
      if (const Comparison* cmp = comparison(op))
        return b_.CreateICmp(cmp->on_ints, call("wf_str_compare", {a, c}), b_.getInt64(0));
    }
    // == and != on arrays and tuples: structural
    Value* eq = b_.CreateICmpNE(call("wf_equal", {desc(ta), to_slot(a, ta), to_slot(c, tc)}), b_.getInt64(0));
    return op == Op::Eq ? eq : b_.CreateNot(eq);
  }

  // Integer / and % truncate toward zero; by zero is an error; INT_MIN / -1 wraps.
  Value* gen_divide(bool quotient, Value* a, Value* c, SourceLoc l) {
    BasicBlock* ok = new_block("div.ok");
    BasicBlock* bad = new_block("div.zero");
    b_.CreateCondBr(b_.CreateICmpEQ(c, b_.getInt64(0)), bad, ok, llvm::MDBuilder(c_).createBranchWeights(1, 1 << 20));
    b_.SetInsertPoint(bad);
    call_noreturn("wf_fail_div", {ctx_, loc(l)});
    b_.SetInsertPoint(ok);
    Value* minus_one = b_.CreateICmpEQ(c, b_.getInt64(-1));
    Value* safe = b_.CreateSelect(minus_one, b_.getInt64(1), c);
    if (quotient) return b_.CreateSelect(minus_one, b_.CreateSub(b_.getInt64(0), a), b_.CreateSDiv(a, safe));
    return b_.CreateSelect(minus_one, b_.getInt64(0), b_.CreateSRem(a, safe));
  }

  // ---- calls ----------------------------------------------------------------------------

  // Calls a wf function, recording the call site on the frame stack for error traces:
  //   ctx->sites[ctx->depth++] = site; call; ctx->depth--
  Value* call_user(const FnDecl& f, std::vector<Value*> args, SourceLoc l) {
    Value* depth_ptr = b_.CreateBitCast(ctx_, i64_->getPointerTo());
    Value* depth = b_.CreateLoad(i64_, depth_ptr);
    Value* cap = b_.CreateLoad(i64_, b_.CreateGEP(i64_, depth_ptr, b_.getInt64(1)));
    Value* site = loc(l);
    BasicBlock* ok = new_block("call.ok");
    BasicBlock* deep = new_block("call.deep");
    b_.CreateCondBr(b_.CreateICmpSLT(depth, cap), ok, deep, llvm::MDBuilder(c_).createBranchWeights(1 << 20, 1));
    b_.SetInsertPoint(deep);
    call_noreturn("wf_fail_stack", {ctx_, site});
    b_.SetInsertPoint(ok);
    Value* sites = b_.CreateIntToPtr(b_.CreateLoad(i64_, b_.CreateGEP(i64_, depth_ptr, b_.getInt64(2))), i32_->getPointerTo());
    b_.CreateStore(b_.CreateTrunc(site, i32_), b_.CreateGEP(i32_, sites, depth));
    b_.CreateStore(b_.CreateAdd(depth, b_.getInt64(1)), depth_ptr);
    args.insert(args.begin(), ctx_);
    Value* r = b_.CreateCall(fns_[f.index], args);
    b_.CreateStore(depth, depth_ptr);
    return r;
  }

  Value* gen_call(const Expr& e) {
    if (e.resolved.kind == Resolved::Struct) return gen_construct(e);
    if (e.resolved.kind == Resolved::Function) {
      const FnDecl& f = *e.resolved.fn;
      if (f.kind == FnKind::Extern) return gen_extern_call(f, e);
      if (f.kind == FnKind::Mpi) {
        // a plain call of an mpi fn from a flow: submit(f, ...).result()
        Value* fut = gen_submit(e, 0, nullptr, f);
        Value* r = call("wf_result", {ctx_, fut, loc(e.loc)});
        return from_slot(r, f.result);
      }
      // Arguments are borrowed: parameters are immutable, and the callee's result leaves it
      // as a copy (gen_return), so nothing it returns can alias the caller's vars.
      std::vector<Value*> args;
      for (auto& a : e.args) args.push_back(gen(*a));
      Value* r = call_user(f, args, e.loc);
      return f.result->is(TypeKind::Void) ? nullptr : r;
    }
    return gen_builtin(e, (Builtin)e.resolved.builtin);
  }

  Value* gen_extern_call(const FnDecl& f, const Expr& e) {
    std::vector<llvm::Type*> params;
    std::vector<Value*> args;
    for (size_t i = 0; i < f.params.size(); ++i) {
      TypeRef t = f.params[i].type;
      Value* v = gen(*e.args[i]);
      if (t->is(TypeKind::Str)) {
        v = b_.CreateGEP(b_.getInt8Ty(), v, b_.getInt64(8));  // WfStr data
      } else if (t->is(TypeKind::Array)) {
        v = b_.CreateIntToPtr(array_field(v, 2), i8p_);
      }
      params.push_back(t->is(TypeKind::Bool) ? i1_ : ltype(t)->isPointerTy() ? i8p_ : ltype(t));
      args.push_back(v);
    }
    auto* ftype = llvm::FunctionType::get(ltype(f.result), params, false);
    llvm::GlobalVariable* cache = externs_.at(&f);
    Value* p = b_.CreateLoad(i8p_, cache);
    BasicBlock* have = new_block("ext.have");
    BasicBlock* lookup = new_block("ext.lookup");
    BasicBlock* from = b_.GetInsertBlock();
    b_.CreateCondBr(b_.CreateIsNull(p), lookup, have, llvm::MDBuilder(c_).createBranchWeights(1, 1 << 20));
    b_.SetInsertPoint(lookup);
    Value* found = call("wf_extern_lookup", {ctx_, loc(e.loc), cstr(f.extern_lib), cstr(f.name)});
    b_.CreateStore(found, cache);
    b_.CreateBr(have);
    b_.SetInsertPoint(have);
    llvm::PHINode* fp = b_.CreatePHI(i8p_, 2);
    fp->addIncoming(p, from);
    fp->addIncoming(found, lookup);
    llvm::CallInst* r = b_.CreateCall(ftype, b_.CreateBitCast(fp, ftype->getPointerTo()), args);
    for (size_t i = 0; i < f.params.size(); ++i)
      if (f.params[i].type->is(TypeKind::Bool)) r->addParamAttr(i, llvm::Attribute::ZExt);
    if (f.result->is(TypeKind::Bool)) r->addRetAttr(llvm::Attribute::ZExt);
    return f.result->is(TypeKind::Void) ? nullptr : r;
  }

  // A named option of a call (`ranks=`, `timeout=`, ...), or null.
  static const Expr* option(const Expr& e, const char* name) {
    for (size_t i = 0; i < e.args.size(); ++i)
      if (e.arg_names[i] == name) return e.args[i].get();
    return nullptr;
  }
  static size_t positional_count(const Expr& e) {
    size_t n = 0;
    while (n < e.args.size() && e.arg_names[n].empty()) ++n;
    return n;
  }
  // ranks= and threads= of a submission (kAbiOptionAbsent: the declaration's).
  std::pair<Value*, Value*> resources(const Expr& e) {
    const Expr* ranks = option(e, "ranks");
    const Expr* threads = option(e, "threads");
    Value* absent = b_.getInt64(kAbiOptionAbsent);
    return {ranks ? gen(*ranks) : absent, threads ? gen(*threads) : absent};
  }

  // submit([pool,] f, args...) with args starting at e.args[first]; `pool` may be null.
  Value* gen_submit(const Expr& e, size_t first, Value* pool, const FnDecl& f) {
    size_t n = positional_count(e) - first;
    llvm::AllocaInst* slots = entry_alloca(llvm::ArrayType::get(i64_, std::max<size_t>(n, 1)), "task.args");
    uint64_t mask = 0;
    for (size_t i = 0; i < n; ++i) {
      const Expr& a = *e.args[first + i];
      bool is_future = !e.future_args.empty() && e.future_args[first + i];
      if (is_future) mask |= 1ull << i;
      Value* slot = to_slot(gen(a), a.type);
      b_.CreateStore(slot, b_.CreateConstGEP2_64(slots->getAllocatedType(), slots, 0, i));
    }
    Value* args_ptr = b_.CreateBitCast(slots, i8p_);
    auto [ranks, threads] = resources(e);
    return call("wf_submit", {ctx_, pool ? pool : llvm::ConstantPointerNull::get(i8p_), b_.getInt64(manifest_index(f)), args_ptr,
                              b_.getInt64(n), b_.getInt64((int64_t)mask), loc(e.loc), ranks, threads});
  }

  // The pool of `p.submit(...)`/`p.map(...)` (args[0] is a pool), or null and 0.
  std::pair<Value*, size_t> pool_arg(const Expr& e) {
    if (!e.args.empty() && e.args[0]->type && e.args[0]->type->is(TypeKind::Pool)) return {gen(*e.args[0]), 1};
    return {llvm::ConstantPointerNull::get(i8p_), 0};
  }

  Value* slot_of(const Expr& a) { return to_slot(gen(a), a.type); }

  Value* gen_builtin(const Expr& e, Builtin b) {
    auto arg = [&](size_t i) { return gen(*e.args[i]); };
    auto value_arg = [&](size_t i) { return gen_value(*e.args[i]); };
    Value* l = nullptr;
    if (const BuiltinSignature* sig = builtin_signature(b)) return gen_signature_call(e, *sig);
    switch (b) {
      case Builtin::Print:
      case Builtin::Eprint: {
        size_t n = e.args.size();
        llvm::AllocaInst* descs = entry_alloca(llvm::ArrayType::get(i8p_, std::max<size_t>(n, 1)), "print.descs");
        llvm::AllocaInst* slots = entry_alloca(llvm::ArrayType::get(i64_, std::max<size_t>(n, 1)), "print.slots");
        for (size_t i = 0; i < n; ++i) {
          b_.CreateStore(desc(e.args[i]->type), b_.CreateConstGEP2_64(descs->getAllocatedType(), descs, 0, i));
          b_.CreateStore(slot_of(*e.args[i]), b_.CreateConstGEP2_64(slots->getAllocatedType(), slots, 0, i));
        }
        call("wf_print", {ctx_, b_.getInt64(b == Builtin::Eprint ? 2 : 1), b_.getInt64(n), b_.CreateBitCast(descs, i8p_),
                          b_.CreateBitCast(slots, i8p_)});
        return nullptr;
      }
      case Builtin::Str: return call("wf_to_str", {ctx_, desc(e.args[0]->type), slot_of(*e.args[0])});
      case Builtin::ToFloat: {
        Value* v = arg(0);
        return e.args[0]->type->is(TypeKind::Int) ? b_.CreateSIToFP(v, f64_) : v;
      }
      case Builtin::ToInt: {
        Value* v = arg(0);
        if (e.args[0]->type->is(TypeKind::Int)) return v;
        return call("wf_float_to_int", {ctx_, loc(e.loc), v});
      }
      case Builtin::Sqrt: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, arg(0));
      case Builtin::Pi: return llvm::ConstantFP::get(f64_, 3.141592653589793);
      case Builtin::Inf: return llvm::ConstantFP::getInfinity(f64_);
      case Builtin::Nan: return llvm::ConstantFP::getNaN(f64_);
      case Builtin::IsNan: {
        Value* v = arg(0);
        return b_.CreateFCmpUNO(v, v);
      }
      case Builtin::Abs: {
        Value* v = arg(0);
        if (e.type->is(TypeKind::Float)) return b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, v);
        return b_.CreateSelect(b_.CreateICmpSLT(v, b_.getInt64(0)), b_.CreateSub(b_.getInt64(0), v), v);
      }
      case Builtin::Min:
      case Builtin::Max: {
        Value* a = arg(0);
        Value* c = arg(1);
        bool is_min = b == Builtin::Min;
        Value* less = e.type->is(TypeKind::Float) ? b_.CreateFCmpOLT(a, c) : b_.CreateICmpSLT(a, c);
        return is_min ? b_.CreateSelect(less, a, c) : b_.CreateSelect(less, c, a);
      }
      case Builtin::Len: {
        Value* v = arg(0);
        if (e.args[0]->type->is(TypeKind::Str)) return b_.CreateLoad(i64_, b_.CreateBitCast(v, i64_->getPointerTo()));
        return array_len(v);
      }
      case Builtin::Push: {
        Value* arr = arg(0);
        call("wf_array_push", {ctx_, arr, to_slot(gen_owned(*e.args[1]), e.args[1]->type)});
        return nullptr;
      }
      case Builtin::Zip: return call("wf_zip", {ctx_, value_arg(0), value_arg(1)});
      case Builtin::Sum:
        return e.type->is(TypeKind::Int) ? call("wf_sum_int", {arg(0)}) : call("wf_sum_float", {arg(0)});
      case Builtin::Concat: return call("wf_concat", {ctx_, value_arg(0), value_arg(1)});
      case Builtin::Slice:
        if (e.type->is(TypeKind::Str)) return call("wf_str_slice", {ctx_, arg(0), arg(1), arg(2)});
        return call("wf_slice", {ctx_, value_arg(0), arg(1), arg(2)});
      case Builtin::Sort: return call("wf_sort", {ctx_, desc(e.type->elem()), value_arg(0)});
      case Builtin::Contains: {
        if (e.args[0]->type->is(TypeKind::Dict)) {
          Value* d = arg(0);
          Value* r = call("wf_dict_contains", {desc(e.args[0]->type), d, slot_of(*e.args[1])});
          return b_.CreateICmpNE(r, b_.getInt64(0));
        }
        TypeRef elem = e.args[0]->type->elem();
        Value* r = call("wf_contains", {desc(elem), arg(0), slot_of(*e.args[1])});
        return b_.CreateICmpNE(r, b_.getInt64(0));
      }
      case Builtin::Get: {
        Value* d = arg(0);
        Value* key = slot_of(*e.args[1]);
        Value* dflt = to_slot(gen_value(*e.args[2]), e.args[2]->type);
        return from_slot(call("wf_dict_get_or", {ctx_, desc(e.args[0]->type), d, key, dflt}), e.type);
      }
      case Builtin::Remove: {
        Value* d = arg(0);
        call("wf_dict_remove", {ctx_, desc(e.args[0]->type), d, slot_of(*e.args[1])});
        return nullptr;
      }
      case Builtin::Keys: return call("wf_dict_keys", {ctx_, desc(e.args[0]->type), arg(0)});
      case Builtin::Values: return call("wf_dict_values", {ctx_, desc(e.args[0]->type), arg(0)});
      case Builtin::Items: return call("wf_dict_items", {ctx_, desc(e.args[0]->type), arg(0)});
      case Builtin::Round:
        if (e.args.size() == 2) return call("wf_round_digits", {arg(0), arg(1)});
        return call("wf_round", {arg(0)});
      case Builtin::Fail: {
        Value* msg = arg(0);
        call_noreturn("wf_fail_msg", {ctx_, loc(e.loc), msg});
        ensure_open_block();
        return nullptr;
      }
      case Builtin::Getenv:
        if (e.args.size() == 2) {
          Value* name = arg(0);
          return call("wf_getenv_or", {ctx_, name, arg(1)});
        }
        return call("wf_getenv", {ctx_, arg(0)});
      case Builtin::Submit: {
        auto [pool, first] = pool_arg(e);
        return gen_submit(e, first + 1, pool, *e.args[first]->resolved.fn);
      }
      case Builtin::Map:
      case Builtin::Starmap: {
        auto [pool, first] = pool_arg(e);
        const FnDecl& f = *e.args[first]->resolved.fn;
        Value* xs = gen(*e.args[first + 1]);
        const Expr* chunk_e = option(e, "chunk");
        const Expr* ordered_e = option(e, "ordered");
        Value* chunk = chunk_e ? gen(*chunk_e) : b_.getInt64(kAbiOptionAbsent);
        Value* ordered = ordered_e ? b_.CreateZExt(gen(*ordered_e), i64_) : b_.getInt64(1);
        auto [ranks, threads] = resources(e);
        return call("wf_map", {ctx_, pool, b_.getInt64(manifest_index(f)), xs, chunk, b_.getInt64(b == Builtin::Starmap),
                               loc(e.loc), ranks, threads, ordered});
      }
      case Builtin::Wait:
        if (const Expr* timeout = option(e, "timeout")) {
          Value* futs = arg(0);
          return call("wf_wait_within", {ctx_, futs, loc(e.loc), gen(*timeout)});
        }
        l = loc(e.loc);
        return call("wf_wait", {ctx_, arg(0), l});
      case Builtin::Result: {
        Value* fut = arg(0);
        if (const Expr* timeout = option(e, "timeout"))
          return from_slot(call("wf_result_within", {ctx_, fut, loc(e.loc), gen(*timeout)}), e.type);
        Value* r = call("wf_result", {ctx_, fut, loc(e.loc)});
        return from_slot(r, e.type);
      }
      case Builtin::Cancel: return b_.CreateICmpNE(call("wf_cancel", {ctx_, arg(0)}), b_.getInt64(0));
      case Builtin::WaitAny: l = loc(e.loc); return call("wf_wait_any", {ctx_, arg(0), l});
      case Builtin::Done: return b_.CreateICmpNE(call("wf_done", {ctx_, arg(0)}), b_.getInt64(0));
      case Builtin::Error: return call("wf_error", {ctx_, arg(0)});
      case Builtin::Pool: {
        Value* workers = b_.getInt64(kAbiOptionAbsent);
        Value* cwd = llvm::ConstantPointerNull::get(i8p_);
        Value* oversubscribe = b_.getInt64(-1);
        Value* cache = llvm::ConstantPointerNull::get(i8p_);
        Value* cache_errors = b_.getInt64(-1);
        for (size_t i = 0; i < e.args.size(); ++i) {
          Value* v = arg(i);
          if (e.arg_names[i] == "workers") workers = v;
          if (e.arg_names[i] == "cwd") cwd = v;
          if (e.arg_names[i] == "oversubscribe") oversubscribe = b_.CreateZExt(v, i64_);
          if (e.arg_names[i] == "cache") cache = v;
          if (e.arg_names[i] == "cache_errors") cache_errors = b_.CreateZExt(v, i64_);
        }
        return call("wf_pool", {ctx_, workers, cwd, oversubscribe, cache, cache_errors, loc(e.loc)});
      }
      case Builtin::Rank: return call("wf_mpi_rank", {ctx_});
      case Builtin::Size: return call("wf_mpi_size", {ctx_});
      case Builtin::Barrier: call("wf_mpi_barrier", {ctx_, loc(e.loc)}); return nullptr;
      case Builtin::AllreduceSum:
      case Builtin::AllreduceMin:
      case Builtin::AllreduceMax: {
        int op = b == Builtin::AllreduceSum ? 0 : b == Builtin::AllreduceMin ? 1 : 2;
        Value* v = slot_of(*e.args[0]);
        Value* r = call("wf_mpi_allreduce", {ctx_, loc(e.loc), desc(e.args[0]->type), v, b_.getInt64(op)});
        return from_slot(r, e.type);
      }
      case Builtin::Bcast: {
        Value* v = slot_of(*e.args[0]);
        Value* root = arg(1);
        return from_slot(call("wf_mpi_bcast", {ctx_, loc(e.loc), desc(e.args[0]->type), v, root}), e.type);
      }
      case Builtin::Gather:
      case Builtin::Allgather: {
        Value* v = slot_of(*e.args[0]);
        Value* root = b == Builtin::Gather ? arg(1) : b_.getInt64(0);
        return call("wf_mpi_gather", {ctx_, loc(e.loc), desc(e.args[0]->type), v, root, b_.getInt64(b == Builtin::Allgather)});
      }
      case Builtin::Send: {
        Value* v = slot_of(*e.args[0]);
        Value* dest = arg(1);
        Value* tag = arg(2);
        call("wf_mpi_send", {ctx_, loc(e.loc), desc(e.args[0]->type), v, dest, tag});
        return nullptr;
      }
      case Builtin::RecvInt:
      case Builtin::RecvFloat:
      case Builtin::RecvFloats:
      case Builtin::RecvInts: {
        Value* src = arg(0);
        Value* tag = arg(1);
        return from_slot(call("wf_mpi_recv", {ctx_, loc(e.loc), desc(e.type), src, tag}), e.type);
      }
      default: break;  // the built-ins of one signature, handled above
    }
    return nullptr;
  }

  // A built-in of one signature (sema/builtins.def): symbol([ctx,] [loc,] args...).
  Value* gen_signature_call(const Expr& e, const BuiltinSignature& sig) {
    std::vector<Value*> args;
    if (sig.takes_context) args.push_back(ctx_);
    if (sig.takes_location) args.push_back(loc(e.loc));
    for (size_t i = 0; i < e.args.size(); ++i) {
      Value* v = gen(*e.args[i]);
      args.push_back(sig.params[i]->is(TypeKind::Bool) ? b_.CreateZExt(v, i64_) : v);
    }
    Value* r = call(sig.symbol, args);
    if (sig.result->is(TypeKind::Void)) return nullptr;
    if (sig.result->is(TypeKind::Bool)) return b_.CreateICmpNE(r, b_.getInt64(0));
    return r;
  }

  const ProgramAst& program_;
  llvm::LLVMContext& c_;
  llvm::IRBuilder<> b_;
  Manifest& manifest_;
  const CellLinkage* cell_;
  std::unique_ptr<llvm::Module> module_;
  llvm::Type *i64_, *i32_, *f64_, *i1_;
  llvm::PointerType* i8p_;
  std::map<std::string, Function*> abi_;
  Function* setjmp_ = nullptr;
  std::vector<Function*> fns_;
  std::map<const FnDecl*, llvm::GlobalVariable*> externs_;
  std::map<std::string, Value*> strings_, cstrings_;
  std::map<std::tuple<int, int, int, int>, int> locs_;
  const FnDecl* fn_ = nullptr;
  int fn_index_ = -1;
  Value* ctx_ = nullptr;
  std::vector<llvm::AllocaInst*> locals_;
  struct Loop {
    BasicBlock* break_to;
    BasicBlock* continue_to;
    size_t scope_depth;  // scopes_ entries outside the loop (not freed by break/continue)
    size_t tries;        // tries_ entries outside the loop (left by break/continue)
  };
  std::vector<Value*> tries_;  // the tokens of the open `try` blocks of this function
  bool program_has_try_ = false;
  std::vector<Loop> loops_;
  std::vector<std::vector<int>> scopes_;  // owned vars declared in each open block
  const Block* block_ = nullptr;          // the block being generated, and the statement
  size_t stmt_index_ = 0;
  Value* region_ = nullptr;               // the function's arena region, or null
};

}  // namespace

std::unique_ptr<llvm::Module> generate_ir(const ProgramAst& program, llvm::LLVMContext& context, Manifest& manifest,
                                          const CellLinkage* cell) {
  manifest.compiler = kCompilerVersion;
  return CodeGen(program, context, manifest, cell).run();
}

}  // namespace wf
