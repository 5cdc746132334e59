// The design notes for this module are atop cell_text.hpp.
#include "notebook/cell_text.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "sema/builtins.hpp"

namespace wf::notebook {

namespace {

bool ident_char(char c) { return std::isalnum((unsigned char)c) || c == '_'; }

const char* const kKeywords[] = {"fn",    "mpi",   "flow",   "struct", "const", "import", "extern", "from",
                                 "let",   "var",   "if",     "else",   "while", "for",    "in",     "step",
                                 "break", "continue", "return", "try",  "catch", "true",   "false",  "and",
                                 "or",    "not",   "pool"};

// One line per built-in a user reaches for most (LANGUAGE.md §5, §7, v2); the rest show
// the signature their table gives.
const std::map<std::string, std::string>& help_table() {
  static const std::map<std::string, std::string> table = {
      {"print", "print(values...)\nWrites the values, separated by spaces, and a newline to standard output."},
      {"eprint", "eprint(values...)\nAs print, to standard error."},
      {"str", "str(value) -> str\nThe value as print writes it."},
      {"len", "len(xs) -> int\nThe number of elements of an array, characters of a string or entries of a dictionary."},
      {"push", "push(xs, x)\nAppends x to the `var` array xs."},
      {"range", "range(a: int, b: int) -> [int]\nThe integers a, a+1, ..., b-1."},
      {"sum", "sum(xs) -> int | float\nThe sum of an array of numbers."},
      {"sort", "sort(xs) -> [T]\nA sorted copy of the array."},
      {"zip", "zip(xs, ys) -> [(T, U)]\nPairs of elements, as long as the shorter array."},
      {"submit", "submit(f, args...) -> future[T]  (flows only)\nRuns f(args...) as a task on the default pool (or "
                 "`p.submit`); options ranks=, threads=."},
      {"map", "map(f, xs) -> [T]  (flows only)\nRuns f on every element of xs on the pool, in order; options chunk=, "
              "ordered=, ranks=, threads=."},
      {"starmap", "starmap(f, xs) -> [T]  (flows only)\nAs map, each element a tuple of f's arguments."},
      {"wait", "wait(futures) -> [T]  (flows only)\nThe results of an array of futures, in order."},
      {"result", "f.result() -> T  (flows only)\nWaits for the future f and returns its value, or raises its error."},
      {"pool", "pool(workers=, cwd=, oversubscribe=, cache=, cache_errors=) -> pool  (flows only)\nA pool of workers "
               "of its own, ended when no variable refers to it."},
      {"fail", "fail(message: str)\nEnds the task or flow with an error."},
      {"error", "f.error() -> str  (flows only)\nThe message of the future's error, \"\" if it succeeded."},
      {"sqrt", "sqrt(x: float) -> float\nThe square root."},
      {"abs", "abs(x) -> int | float\nThe absolute value."},
      {"min", "min(a, b) -> int | float\nThe smaller number."},
      {"max", "max(a, b) -> int | float\nThe larger number."},
      {"sleep", "sleep(seconds: float)\nPauses the task or flow."},
      {"now", "now() -> float\nSeconds on a monotonic clock."},
      {"workers", "workers() -> int  (flows only)\nThe default pool's size."},
      {"split", "split(s: str, sep: str) -> [str]\nThe pieces of s between occurrences of sep."},
      {"join", "join(parts: [str], sep: str) -> str\nThe parts with sep between them."},
      {"keys", "keys(d) -> [K]\nA dictionary's keys, in insertion order."},
      {"values", "values(d) -> [V]\nA dictionary's values, in insertion order."},
      {"items", "items(d) -> [(K, V)]\nA dictionary's entries, in insertion order."},
      {"get", "get(d, key, default) -> V\nThe value for key, or default."},
      {"contains", "contains(xs, x) -> bool\nWhether an array, string or dictionary holds x."},
      {"rank", "mpi_rank() -> int  (mpi fn only)\nThis rank's number in the task's communicator."},
  };
  return table;
}

}  // namespace

std::string word_at(const std::string& code, size_t cursor) {
  cursor = std::min(cursor, code.size());
  size_t start = cursor, end = cursor;
  while (start > 0 && ident_char(code[start - 1])) --start;
  while (end < code.size() && ident_char(code[end])) ++end;
  return code.substr(start, end - start);
}

Completion complete_names(const std::string& code, size_t cursor, const std::vector<std::string>& names) {
  cursor = std::min(cursor, code.size());
  size_t start = cursor;
  while (start > 0 && ident_char(code[start - 1])) --start;
  std::string prefix = code.substr(start, cursor - start);
  std::set<std::string> all(names.begin(), names.end());
  for (int b = 0; b < (int)Builtin::Count; ++b) all.insert(builtin_name((Builtin)b));
  for (const char* k : kKeywords) all.insert(k);
  Completion c;
  c.start = start;
  c.end = cursor;
  for (const std::string& n : all)
    if (n.compare(0, prefix.size(), prefix) == 0 && !prefix.empty()) c.matches.push_back(n);
  return c;
}

std::string builtin_help(const std::string& name) {
  if (auto it = help_table().find(name); it != help_table().end()) return it->second + "\n(built-in)";
  Builtin b = find_builtin(name);
  if (b == Builtin::Count) return "";
  std::string s = name + "(";
  std::string result;
  if (const BuiltinSignature* sig = builtin_signature(b)) {
    for (size_t i = 0; i < sig->params.size(); ++i) s += (i ? ", " : "") + sig->params[i]->name();
    if (sig->result && !sig->result->is(TypeKind::Void)) result = " -> " + sig->result->name();
  } else {
    s += "...";
  }
  return s + ")" + result + "\n(built-in)";
}

std::string completeness(const std::string& code, std::string& indent) {
  int depth = 0;
  bool in_string = false, in_line_comment = false, in_block_comment = false;
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i], next = i + 1 < code.size() ? code[i + 1] : '\0';
    if (in_line_comment) {
      if (c == '\n') in_line_comment = false;
      continue;
    }
    if (in_block_comment) {
      if (c == '*' && next == '/') in_block_comment = false, ++i;
      continue;
    }
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      else if (c == '\n') return "invalid";  // strings do not span lines
      continue;
    }
    if (c == '/' && next == '/') in_line_comment = true;
    else if (c == '/' && next == '*') in_block_comment = true;
    else if (c == '"') in_string = true;
    else if (c == '{' || c == '(' || c == '[') ++depth;
    else if (c == '}' || c == ')' || c == ']') {
      if (--depth < 0) return "invalid";
    }
  }
  if (in_string) return "invalid";
  if (depth > 0 || in_block_comment) {
    indent = std::string(4 * (size_t)depth, ' ');
    return "incomplete";
  }
  indent.clear();
  return "complete";
}

}  // namespace wf::notebook
