// The design notes for this module are atop cell_compiler.hpp.
#include "session/cell_compiler.hpp"

#include <llvm/IR/Function.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "ast/ast.hpp"
#include "codegen/codegen.hpp"
#include "diagnostics/diagnostics.hpp"
#include "parse/parser.hpp"
#include "sema/checker.hpp"
#include "sema/identity.hpp"

namespace wf {

// One source the session's declarations come from: a cell, or a file a cell imported.
struct CellCompiler::View {
  std::string path;  // `cell[N]`, or the imported file's path
  std::string text;  // as written (diagnostics quote its lines)
  std::string view;  // what is parsed again: statements, imports and superseded declarations blanked
  std::vector<CellPiece> declarations;  // those still in `view`, by name
};

struct CompiledCell::Pending {
  std::vector<CellCompiler::View> views;        // the cell's, then the files it imported
  std::map<std::string, int> compiled;          // name + identity -> index, of what it defines
  std::set<std::string> superseded;             // earlier declarations it replaces
  std::vector<CellVariable> variables;          // the slots of `binds`, in order
  std::vector<SessionName> names;               // its declarations, for completion
};

namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// `text` with the code points of `ranges` replaced by spaces (newlines kept), so every
// remaining character keeps its line and column.
std::string blanked(const std::string& text, const std::vector<std::pair<size_t, size_t>>& ranges) {
  if (ranges.empty()) return text;
  std::string out;
  out.reserve(text.size());
  size_t point = 0;
  for (size_t i = 0; i < text.size(); ++point) {
    unsigned char c = (unsigned char)text[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : 4;
    len = std::min(len, text.size() - i);
    bool blank = false;
    for (auto [start, stop] : ranges) blank |= point >= start && point < stop;
    if (blank && c != '\n') out += ' ';
    else out.append(text, i, len);
    i += len;
  }
  return out;
}

// The identifiers of `text` (a cell's statements): which earlier variables the cell may use.
// Words in strings and comments count too, which only passes a variable it does not need.
std::set<std::string> words(const std::string& text) {
  static const std::regex ident("[A-Za-z_][A-Za-z0-9_]*");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), ident); it != std::sregex_iterator(); ++it)
    out.insert(it->str());
  return out;
}

// The `//` lines right above line `line` (1-based) of `text`, without the slashes.
std::string doc_comment(const std::vector<std::string>& lines, int line) {
  std::vector<std::string> doc;
  for (int l = line - 2; l >= 0 && l < (int)lines.size(); --l) {
    const std::string& s = lines[(size_t)l];
    size_t first = s.find_first_not_of(" \t");
    if (first == std::string::npos || s.compare(first, 2, "//") != 0) break;
    std::string body = s.substr(first + 2);
    if (!body.empty() && body[0] == ' ') body.erase(0, 1);
    doc.insert(doc.begin(), body);
  }
  std::string out;
  for (const std::string& d : doc) out += d + "\n";
  return out;
}

std::string signature_of(const FnDecl& f) {
  std::string s;
  switch (f.kind) {
    case FnKind::Serial: s = "fn "; break;
    case FnKind::Mpi: s = f.ranks > 0 ? "mpi(ranks=" + std::to_string(f.ranks) + ") fn " : "mpi fn "; break;
    case FnKind::Flow: s = "flow "; break;
    case FnKind::Extern: s = "extern fn "; break;
  }
  s += f.name + "(";
  for (size_t i = 0; i < f.params.size(); ++i)
    s += (i ? ", " : "") + f.params[i].name + ": " + (f.params[i].type ? f.params[i].type->name() : "?");
  s += ")";
  if (f.result && !f.result->is(TypeKind::Void)) s += " -> " + f.result->name();
  if (f.kind == FnKind::Extern) s += " from \"" + f.extern_lib + "\"";
  return s;
}

// Reads the files of `imports` and, transitively, the files they import (relative to the
// importing file), as new views whose declarations replace the session's of the same names
// (they go into `superseded`), as a cell's own do. A file the session has (in `earlier`) with
// the same text is not read again, but the files it imports are looked at; one whose text
// changed since is read again: its new version replaces the old. `seen`: the files this cell
// has looked at already.
void import_files(const std::vector<std::pair<std::string, SourceLoc>>& imports, const std::string& base,
                  const std::vector<CellCompiler::View>& earlier, std::set<std::string>& seen,
                  std::set<std::string>& superseded, ProgramAst& program, Diagnostics& diags,
                  std::vector<CellCompiler::View>& views);

}  // namespace

CellCompiler::CellCompiler(std::string session, int opt_level) : session_(std::move(session)), opt_level_(opt_level) {
  manifest_.compiler = kCompilerVersion;
  manifest_.session = session_;
}

CellCompiler::~CellCompiler() = default;

int CellCompiler::variable(const std::string& name) const {
  auto it = visible_.find(name);
  return it == visible_.end() ? -1 : it->second;
}

std::vector<SessionName> CellCompiler::names() const {
  std::vector<SessionName> out;
  for (auto& [name, n] : declared_) out.push_back(n);
  for (auto& [name, slot] : visible_)
    out.push_back({SessionName::Variable, name, name + ": " + slots_[(size_t)slot].type->name(), ""});
  return out;
}

bool CellCompiler::compile(int number, const std::string& code, CompiledCell& cell, std::ostream& diagnostics) {
  auto started = std::chrono::steady_clock::now();
  cell = CompiledCell{};
  cell.number = number;
  cell.pending = std::make_shared<CompiledCell::Pending>();
  CompiledCell::Pending& pending = *cell.pending;

  ProgramAst program;
  Diagnostics diags(&program.files);
  for (const View& v : views_) add_source_file(program, v.path, v.text);
  std::string path = "cell[" + std::to_string(number) + "]";
  int file = add_source_file(program, path, code);
  CellParse parsed;
  std::vector<std::pair<std::string, SourceLoc>> imports;
  parse_cell(file, program, diags, parsed, &imports);

  // The cell's own view: its declarations only.
  View own{path, code, "", {}};
  std::vector<std::pair<size_t, size_t>> not_declarations;
  std::string statements_text;
  for (const CellPiece& p : parsed.pieces) {
    if (p.kind == CellPiece::Declaration) {
      own.declarations.push_back(p);
      if (p.name.empty()) continue;
      pending.superseded.insert(p.name);
    } else {
      not_declarations.push_back({p.start, p.stop});
    }
  }
  own.view = blanked(code, not_declarations);
  // The statements' words: the earlier variables the cell may use (code points and bytes
  // differ only beyond ASCII, where no identifier is).
  statements_text = blanked(code, [&] {
    std::vector<std::pair<size_t, size_t>> declarations;
    for (const CellPiece& p : own.declarations) declarations.push_back({p.start, p.stop});
    return declarations;
  }());
  pending.views.push_back(std::move(own));

  std::set<std::string> seen;
  import_files(imports, std::filesystem::current_path().string(), views_, seen, pending.superseded, program, diags,
               pending.views);

  // The earlier declarations, without those this cell replaces.
  for (size_t i = 0; i < views_.size(); ++i) {
    std::vector<std::pair<size_t, size_t>> replaced;
    for (const CellPiece& p : views_[i].declarations)
      if (pending.superseded.count(p.name)) replaced.push_back({p.start, p.stop});
    parse_source_view((int)i, blanked(views_[i].view, replaced), program, diags, nullptr);
  }
  for (auto it = pending.superseded.begin(); it != pending.superseded.end();)
    it = declared_.count(*it) ? std::next(it) : pending.superseded.erase(it);

  // The implicit flow: the earlier variables it mentions come in as parameters.
  auto flow = std::make_unique<FnDecl>();
  FnDecl& f = *flow;
  f.kind = FnKind::Flow;
  f.name = path;
  f.loc = {file, 1, 1};
  f.cell = true;
  for (const std::string& w : words(statements_text)) {
    int slot = variable(w);
    if (slot < 0) continue;
    Param p;
    p.name = w;
    p.loc = {file, 1, 1};
    p.type = slots_[(size_t)slot].type;
    p.mutable_ = slots_[(size_t)slot].mutable_;
    f.params.push_back(std::move(p));
    cell.inputs.push_back(slot);
  }
  f.body = std::move(parsed.statements);
  if (parsed.display) {
    auto s = std::make_unique<Stmt>();
    s->kind = StmtKind::ExprStmt;
    s->loc = parsed.display->loc;
    s->value = std::move(parsed.display);
    f.body.push_back(std::move(s));
    f.cell_display = true;
  }
  program.functions.push_back(std::move(flow));

  check_program(program, diags);
  if (diags.has_errors()) {
    diags.render(diagnostics);
    return false;
  }

  // What the cell binds: every top-level `let`/`var`, and the earlier `var`s it was passed
  // (it may have changed them), each into a slot of its own.
  auto bind = [&](int local) {
    const LocalInfo& l = f.locals[(size_t)local];
    int slot = (int)slots_.size();
    slots_.push_back({l.name, l.type, l.mutable_});
    pending.variables.push_back(slots_.back());
    cell.binds.push_back(slot);
    f.cell_keeps.push_back({local, slot});
  };
  for (size_t i = 0; i < f.params.size(); ++i)
    if (f.params[i].mutable_) bind((int)i);
  for (const StmtPtr& s : f.body)
    if (s->kind == StmtKind::Let || s->kind == StmtKind::Var || s->kind == StmtKind::LetTuple)
      for (int local : s->locals)
        if (local >= 0) bind(local);
  if (f.cell_display && !f.body.back()->value->type->is(TypeKind::Void)) cell.shown = f.body.back()->value->type;

  // Linkage: what an earlier cell compiled is only declared.
  std::vector<std::string> identities = function_identities(program);
  CellLinkage link;
  int next = (int)manifest_.functions.size();
  for (size_t i = 0; i < program.functions.size(); ++i) {
    const FnDecl& fn = *program.functions[i];
    std::string key = fn.name + "#" + identities[i];
    auto known_fn = fn.cell ? compiled_.end() : compiled_.find(key);
    if (known_fn != compiled_.end()) {
      link.index.push_back(known_fn->second);
      const std::string& entry = manifest_.functions[(size_t)known_fn->second].entry;
      link.symbol.push_back(entry.empty() ? fn.name : entry.substr(std::string("__wf_entry_").size()));
      link.defined_here.push_back(false);
      continue;
    }
    link.index.push_back(next);
    link.symbol.push_back(fn.cell ? "cell." + std::to_string(number) + "." + session_
                                  : fn.name + "." + identities[i].substr(0, 16));
    link.defined_here.push_back(true);
    cell.defines.push_back(next);
    if (fn.cell) cell.flow = next;
    else pending.compiled[key] = next;
    ++next;
  }
  for (auto& fn : program.functions)
    if (!fn->cell && (size_t)fn->loc.file >= views_.size())
      pending.names.push_back({SessionName::Function, fn->name, signature_of(*fn),
                               doc_comment(program.files[(size_t)fn->loc.file].lines, fn->loc.line)});
  for (auto& d : program.structs)
    if ((size_t)d->loc.file >= views_.size()) {
      std::string s = "struct " + d->name + " { ";
      for (size_t i = 0; i < d->fields.size(); ++i)
        s += (i ? ", " : "") + d->fields[i].name + ": " +
             (d->type && i < d->type->elems.size() ? d->type->elems[i]->name() : "?");
      pending.names.push_back({SessionName::Struct, d->name, s + " }",
                               doc_comment(program.files[(size_t)d->loc.file].lines, d->loc.line)});
    }
  for (auto& c : program.consts)
    if ((size_t)c->loc.file >= views_.size())
      pending.names.push_back({SessionName::Const, c->name, "const " + c->name + ": " + c->type->name(),
                               doc_comment(program.files[(size_t)c->loc.file].lines, c->loc.line)});
  for (const std::string& name : pending.superseded)
    cell.notes.push_back("note: `" + name + "` is redefined; the cells that follow use the new definition");
  cell.front_end_ms = ms_since(started);

  auto generating = std::chrono::steady_clock::now();
  Manifest& manifest = cell.object.manifest;
  manifest = manifest_;
  manifest.files.clear();
  for (const SourceFile& sf : program.files) manifest.files.push_back(sf.path);
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module = generate_ir(program, context, manifest, &link);
  for (size_t i = 0; i < program.functions.size(); ++i)
    if (link.defined_here[i]) manifest.functions[(size_t)link.index[i]].identity = identities[i];
  // A cell's top-level statements are glue, run once: they are compiled without optimisation,
  // which takes the back end from ~7 ms to ~1.5 ms for a typical cell (bench/k2_notebook.py).
  // The functions a cell defines keep the session's level; its flow is then `optnone`.
  bool defines_functions = false;
  for (size_t i = 0; i < program.functions.size(); ++i)
    defines_functions |= link.defined_here[i] && !program.functions[i]->cell;
  int level = defines_functions ? opt_level_ : 0;
  if (defines_functions && cell.flow >= 0) {
    const std::string& symbol = link.symbol[(size_t)std::distance(
        link.index.begin(), std::find(link.index.begin(), link.index.end(), cell.flow))];
    for (const std::string& name : {"wf." + symbol, "__wf_entry_" + symbol})
      if (llvm::Function* fn = module->getFunction(name)) {
        fn->addFnAttr(llvm::Attribute::NoInline);
        fn->addFnAttr(llvm::Attribute::OptimizeNone);
      }
  }
  std::string error;
  if (!emit_object(*module, level, cell.object.object, error)) {
    diagnostics << "error: " << error << "\n";
    return false;
  }
  cell.codegen_ms = ms_since(generating);
  return true;
}

void CellCompiler::commit_declarations(const CompiledCell& cell) {
  const CompiledCell::Pending& pending = *cell.pending;
  manifest_ = cell.object.manifest;
  for (auto& [key, index] : pending.compiled) compiled_[key] = index;
  for (View& v : views_) {
    std::vector<std::pair<size_t, size_t>> replaced;
    std::vector<CellPiece> kept;
    for (const CellPiece& p : v.declarations) {
      if (pending.superseded.count(p.name)) replaced.push_back({p.start, p.stop});
      else kept.push_back(p);
    }
    v.view = blanked(v.view, replaced);
    v.declarations = std::move(kept);
  }
  for (const View& v : pending.views) views_.push_back(v);
  for (const SessionName& n : pending.names) declared_[n.name] = n;
}

void CellCompiler::commit_variables(const CompiledCell& cell) {
  for (size_t i = 0; i < cell.binds.size(); ++i) visible_[slots_[(size_t)cell.binds[i]].name] = cell.binds[i];
}

namespace {

// The top-level pieces of a file's `text` (its declarations with their ranges, its imports with
// their places in file `file`), from a parse of its own: the session's program already has
// the file, or gets it from parse_source.
CellParse pieces_of(const std::string& path, const std::string& text, int file,
                    std::vector<std::pair<std::string, SourceLoc>>* imports) {
  ProgramAst scratch;
  Diagnostics quiet(&scratch.files);
  int index = add_source_file(scratch, path, text);
  CellParse parsed;
  parse_cell(index, scratch, quiet, parsed, imports);
  if (imports)
    for (auto& [rel, at] : *imports) at.file = file;
  return parsed;
}

// The newest view of `path` in `views`, or null.
const CellCompiler::View* newest_view(const std::vector<CellCompiler::View>& views, const std::string& path) {
  for (auto v = views.rbegin(); v != views.rend(); ++v)
    if (v->path == path) return &*v;
  return nullptr;
}

void import_files(const std::vector<std::pair<std::string, SourceLoc>>& imports, const std::string& base,
                  const std::vector<CellCompiler::View>& earlier, std::set<std::string>& seen,
                  std::set<std::string>& superseded, ProgramAst& program, Diagnostics& diags,
                  std::vector<CellCompiler::View>& views) {
  for (auto& [rel, at] : imports) {
    std::filesystem::path p = rel.size() && rel[0] == '/' ? std::filesystem::path(rel) : std::filesystem::path(base) / rel;
    std::error_code ec;
    std::string path = std::filesystem::weakly_canonical(p, ec).string();
    if (ec) path = p.string();
    if (!seen.insert(path).second) continue;
    std::string text;
    if (!read_file_bytes(path, text)) {
      diags.error(at, "cannot read imported file `" + p.string() + "`");
      continue;
    }
    std::string dir = std::filesystem::path(path).parent_path().string();
    std::vector<std::pair<std::string, SourceLoc>> nested;
    const CellCompiler::View* had = newest_view(earlier, path);
    if (had && had->text == text) {
      pieces_of(path, text, (int)(had - earlier.data()), &nested);  // view i is file i
      import_files(nested, dir, earlier, seen, superseded, program, diags, views);
      continue;
    }
    int file = add_source_file(program, path, text);
    parse_source(file, program, diags, &nested);
    CellCompiler::View v{path, text, text, {}};
    for (CellPiece& piece : pieces_of(path, text, file, nullptr).pieces)
      if (piece.kind == CellPiece::Declaration && !piece.name.empty()) {
        superseded.insert(piece.name);
        v.declarations.push_back(std::move(piece));
      }
    views.push_back(std::move(v));
    import_files(nested, dir, earlier, seen, superseded, program, diags, views);
  }
}

}  // namespace
}  // namespace wf
