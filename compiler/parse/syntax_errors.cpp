// The design notes for this module are atop syntax_errors.hpp.
#include "parse/syntax_errors.hpp"

#include <cctype>

#include "WfLexer.h"
#include "WfParser.h"

namespace wf {

namespace {

using P = WfParser;

std::string tick(const std::string& s) { return "`" + s + "`"; }

// 'fn' -> fn; "" for tokens without a fixed spelling (IDENT, INT, ...).
std::string literal(const antlr4::dfa::Vocabulary& vocabulary, size_t type) {
  std::string lit = vocabulary.getLiteralName(type);
  if (lit.size() >= 2 && lit.front() == '\'' && lit.back() == '\'') return lit.substr(1, lit.size() - 2);
  return "";
}

// The token type spelt `text` ("';'" in ANTLR's vocabulary), so that no T__N number is
// hard-wired here.
size_t type_of(antlr4::Parser* parser, const std::string& text) {
  const antlr4::dfa::Vocabulary& v = parser->getVocabulary();
  for (size_t t = 1; t <= v.getMaxTokenType(); ++t)
    if (literal(v, t) == text) return t;
  return antlr4::Token::INVALID_TYPE;
}

bool is_word(const std::string& s) { return !s.empty() && std::isalpha((unsigned char)s[0]); }

std::string found(antlr4::Parser* parser, antlr4::Token* t) {
  if (!t || t->getType() == antlr4::Token::EOF) return "the end of the file";
  switch (t->getType()) {
    case P::IDENT: return tick(t->getText());
    case P::INT: case P::FLOAT: return "the number " + tick(t->getText());
    case P::STRING: return "a string";
    default: break;
  }
  std::string lit = literal(parser->getVocabulary(), t->getType());
  if (is_word(lit)) return "keyword " + tick(lit);
  return tick(t->getText());
}

// What a rule expects when ANTLR's token set would be too long to list.
std::string construct_of(antlr4::ParserRuleContext* ctx) {
  for (; ctx; ctx = dynamic_cast<antlr4::ParserRuleContext*>(ctx->parent)) {
    switch (ctx->getRuleIndex()) {
      case P::RuleExpr: case P::RulePrimary: case P::RulePostfix: case P::RuleArgs: case P::RuleArg:
        return "an expression";
      case P::RuleType: return "a type";
      case P::RuleBlock: return "a statement or `}`";
      case P::RuleStmt: case P::RuleIfTail: return "a statement";
      case P::RuleParams: case P::RuleParam: return "a parameter";
      case P::RulePattern: return "a name";
      case P::RuleField: case P::RuleStructDecl: return "a field (`name: type`)";
      case P::RuleProgram: case P::RuleTopDecl:
        return "a declaration (`fn`, `mpi fn`, `flow`, `struct`, `const`, `extern fn` or `import`)";
      default: break;
    }
  }
  return "something else";
}

std::string expected(antlr4::Parser* parser, const antlr4::misc::IntervalSet& set) {
  bool ident = set.contains((size_t)P::IDENT), number = set.contains((size_t)P::INT),
       string = set.contains((size_t)P::STRING);
  if (ident && number && string) {
    // an expression may start here; a statement or declaration context says more
    std::string c = construct_of(parser->getContext());
    return c == "something else" ? "an expression" : c;
  }
  // Only a type starts with a name, `(`, `[` or `{` and nothing else.
  bool brace = set.contains(type_of(parser, "{"));
  if (set.size() == 3u + brace && ident && set.contains(type_of(parser, "(")) && set.contains(type_of(parser, "[")))
    return "a type";
  // A `for` or comprehension pattern: a name, or `(a, b)`.
  if (set.size() == 2 && ident && set.contains(type_of(parser, "(")) && construct_of(parser->getContext()) == "a name")
    return "a name";
  std::vector<std::string> words;
  for (size_t type : set.toList()) {
    if (type == antlr4::Token::EOF) words.push_back("the end of the file");
    else if (type == P::IDENT) words.push_back("a name");
    else if (type == P::INT) words.push_back("a number");
    else if (type == P::STRING) words.push_back("a string");
    else if (type == P::FLOAT) words.push_back("a number");
    else if (!literal(parser->getVocabulary(), type).empty()) words.push_back(tick(literal(parser->getVocabulary(), type)));
  }
  if (words.empty() || words.size() > 4) return construct_of(parser->getContext());
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  return out;
}

// Where a missing `;` belongs, in words: "after the return value".
std::string semicolon_place_here(antlr4::ParserRuleContext* ctx);

// The statement or declaration being read (the parser may be deep in its expression).
std::string semicolon_place(antlr4::ParserRuleContext* ctx) {
  for (; ctx; ctx = dynamic_cast<antlr4::ParserRuleContext*>(ctx->parent)) {
    std::string place = semicolon_place_here(ctx);
    if (!place.empty()) return place;
  }
  return "";
}

std::string semicolon_place_here(antlr4::ParserRuleContext* ctx) {
  if (auto* r = dynamic_cast<P::ReturnStmtContext*>(ctx)) return r->expr() ? " after the return value" : " after `return`";
  if (dynamic_cast<P::LetStmtContext*>(ctx) || dynamic_cast<P::LetTupleStmtContext*>(ctx))
    return " at the end of the `let` statement";
  if (dynamic_cast<P::VarStmtContext*>(ctx)) return " at the end of the `var` statement";
  if (auto* e = dynamic_cast<P::ExprStmtContext*>(ctx)) return e->assignOp() ? " after the assignment" : " after the expression";
  if (dynamic_cast<P::BreakStmtContext*>(ctx)) return " after `break`";
  if (dynamic_cast<P::ContinueStmtContext*>(ctx)) return " after `continue`";
  if (dynamic_cast<P::ImportDeclContext*>(ctx)) return " after the import";
  if (dynamic_cast<P::ConstDeclContext*>(ctx)) return " at the end of the `const` declaration";
  if (dynamic_cast<P::ExternDeclContext*>(ctx)) return " at the end of the `extern fn` declaration";
  return "";
}

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

}  // namespace

SourceLoc SyntaxErrorStrategy::at(antlr4::Token* t) const {
  return {file_, (int)t->getLine(), (int)t->getCharPositionInLine() + 1};
}

SourceLoc SyntaxErrorStrategy::after(antlr4::Token* t) const {
  return {file_, (int)t->getLine(), (int)(t->getCharPositionInLine() + code_points(t->getText())) + 1};
}

void SyntaxErrorStrategy::report(antlr4::Token* where, SourceLoc loc, std::string message, std::string fixit) {
  ++count_;
  if (quiet_at_eof_ && where && where->getType() == antlr4::Token::EOF) return;
  diags_.syntax_error(loc, std::move(message), std::move(fixit));
}

// Expecting exactly one fixed token (`;`, `)`, ...): said at the end of the previous token.
static bool single_punctuation(antlr4::Parser* parser, const antlr4::misc::IntervalSet& set, std::string& text) {
  if (set.size() != 1) return false;
  text = literal(parser->getVocabulary(), set.getMinElement());
  return !text.empty() && !is_word(text);
}

void SyntaxErrorStrategy::reportMissingToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  antlr4::misc::IntervalSet want = getExpectedTokens(parser);
  antlr4::Token* prev = parser->getTokenStream()->LT(-1);
  std::string token;
  if (prev && single_punctuation(parser, want, token)) {
    std::string place = token == ";" ? semicolon_place(parser->getContext()) : "";
    if (place.empty() && parser->getCurrentToken()->getType() == antlr4::Token::EOF) place = " before the end of the file";
    report(parser->getCurrentToken(), after(prev), "expected " + tick(token) + place, token);
    return;
  }
  antlr4::Token* cur = parser->getCurrentToken();
  report(cur, at(cur), "expected " + expected(parser, want) + ", found " + found(parser, cur));
}

void SyntaxErrorStrategy::reportInputMismatch(antlr4::Parser* parser, const antlr4::InputMismatchException& e) {
  antlr4::misc::IntervalSet want = e.getExpectedTokens();
  antlr4::Token* cur = e.getOffendingToken();
  antlr4::Token* prev = parser->getTokenStream()->LT(-1);
  std::string token;
  // A statement that ends without its `;` where the next line (or the block's `}`) begins:
  // the `;` belongs after the last token of the statement.
  bool ends_early = prev && prev != cur && want.contains(type_of(parser, ";")) &&
                    (prev->getLine() != cur->getLine() || cur->getType() == type_of(parser, "}") ||
                     cur->getType() == antlr4::Token::EOF);
  if (ends_early) {
    report(cur, after(prev), "expected `;`" + semicolon_place(parser->getContext()), ";");
    return;
  }
  if (prev && prev != cur && single_punctuation(parser, want, token) && (token == ";" || prev->getLine() != cur->getLine())) {
    std::string place = token == ";" ? semicolon_place(parser->getContext()) : "";
    report(cur, after(prev), "expected " + tick(token) + place + ", found " + found(parser, cur), token);
    return;
  }
  report(cur, at(cur), "expected " + expected(parser, want) + ", found " + found(parser, cur));
}

void SyntaxErrorStrategy::reportNoViableAlternative(antlr4::Parser* parser, const antlr4::NoViableAltException& e) {
  antlr4::Token* cur = e.getOffendingToken();
  std::string what = construct_of(parser->getContext());
  if (what == "something else") what = expected(parser, e.getExpectedTokens());
  // `let step = 5;`: the statement cannot be predicted, but what went wrong is the name.
  antlr4::Token* prev = parser->getTokenStream()->LT(-1);
  std::string before = prev && prev != cur ? literal(parser->getVocabulary(), prev->getType()) : "";
  if (cur != e.getStartToken()) {
    for (antlr4::Token* t = e.getStartToken(); t && t != cur;) {
      before = literal(parser->getVocabulary(), t->getType());
      size_t next = t->getTokenIndex() + 1;
      t = next < parser->getTokenStream()->size() ? parser->getTokenStream()->get(next) : nullptr;
    }
  }
  if (before == "let" || before == "var" || before == "fn" || before == "flow" || before == "const" || before == "for")
    what = "a name";
  report(cur, at(cur), "expected " + what + ", found " + found(parser, cur));
}

void SyntaxErrorStrategy::reportFailedPredicate(antlr4::Parser* parser, const antlr4::FailedPredicateException& e) {
  report(e.getOffendingToken(), at(e.getOffendingToken()), "this cannot appear here");
  (void)parser;
}

void SyntaxErrorStrategy::reportUnwantedToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  antlr4::Token* cur = parser->getCurrentToken();
  antlr4::misc::IntervalSet want = getExpectedTokens(parser);
  std::string token, hint;
  if (cur->getType() == antlr4::Token::EOF) {
    report(cur, at(cur), "expected " + expected(parser, want) + ", found the end of the file");
    return;
  }
  if (single_punctuation(parser, want, token))
    hint = "; expected " + tick(token) + (token == ";" ? semicolon_place(parser->getContext()) : "");
  std::string what = found(parser, cur);
  if (what.rfind("the ", 0) == 0) what = what.substr(4);  // "unexpected number `2`"
  report(cur, at(cur), "unexpected " + what + hint);
}

namespace {

bool starts_statement(const std::string& word) {
  for (const char* k : {"let", "var", "if", "while", "for", "return", "break", "continue"})
    if (word == k) return true;
  return false;
}

bool starts_declaration(const std::string& word) {
  for (const char* k : {"fn", "mpi", "flow", "const", "extern", "import"})
    if (word == k) return true;
  return false;
}

}  // namespace

void SyntaxErrorStrategy::skip_statement(antlr4::Parser* parser) {
  const antlr4::dfa::Vocabulary& v = parser->getVocabulary();
  size_t start = parser->getCurrentToken()->getTokenIndex();
  // Stopping where we started twice would loop: the second time, skip at least one token.
  bool may_stop_at_start = start != last_skip_start_;
  last_skip_start_ = start;
  int depth = 0;
  while (true) {
    antlr4::Token* t = parser->getCurrentToken();
    std::string word = literal(v, t->getType());
    if (t->getType() == antlr4::Token::EOF) break;
    if (depth == 0 && word == "}") break;
    // A statement keyword that begins a line begins the next statement (the broken one
    // most likely lacks its `;`).
    antlr4::Token* before = parser->getTokenStream()->LT(-1);
    bool line_start = !before || before->getLine() < t->getLine();
    if (depth == 0 && line_start && starts_statement(word) && (may_stop_at_start || t->getTokenIndex() != start)) break;
    if (word == "{") ++depth;
    if (word == "}") --depth;
    parser->consume();
    if (depth == 0 && word == ";") break;
  }
  endErrorCondition(parser);  // back in step: the next mistake is reported again
}

void SyntaxErrorStrategy::skip_to_declaration(antlr4::Parser* parser) {
  const antlr4::dfa::Vocabulary& v = parser->getVocabulary();
  int depth = 0;
  while (true) {
    antlr4::Token* t = parser->getCurrentToken();
    std::string word = literal(v, t->getType());
    if (t->getType() == antlr4::Token::EOF) break;
    if (depth == 0 && starts_declaration(word)) break;
    if (word == "{") ++depth;
    if (word == "}" && depth > 0) --depth;
    parser->consume();
  }
  endErrorCondition(parser);
}

void SyntaxErrorStrategy::recover(antlr4::Parser* parser, std::exception_ptr e) {
  // Inside an expression or a type, ANTLR's resynchronisation on the follow set does well
  // (`if (1 > 2 {` resumes at the `{`); a statement that failed as a whole is skipped.
  auto* ctx = parser->getContext();
  if (ctx->getRuleIndex() == P::RuleStmt) {
    skip_statement(parser);
    return;
  }
  if (ctx->getRuleIndex() == P::RuleProgram) {
    skip_to_declaration(parser);
    return;
  }
  DefaultErrorStrategy::recover(parser, e);
}

void SyntaxErrorStrategy::sync(antlr4::Parser* parser) {
  auto* ctx = parser->getContext();
  bool top = dynamic_cast<P::ProgramContext*>(ctx) != nullptr;
  bool block = dynamic_cast<P::BlockContext*>(ctx) != nullptr;
  if (!top && !block) return DefaultErrorStrategy::sync(parser);
  if (inErrorRecoveryMode(parser)) return;
  antlr4::Token* cur = parser->getCurrentToken();
  antlr4::misc::IntervalSet want = parser->getExpectedTokens();
  if (want.contains(cur->getType()) || cur->getType() == antlr4::Token::EOF) return;
  // Where a declaration or a statement must begin, something else is: report it once and
  // skip to the next place that can begin one, staying in the loop of the enclosing rule.
  report(cur, at(cur), "expected " + construct_of(ctx) + ", found " + found(parser, cur));
  if (top) skip_to_declaration(parser);
  else skip_statement(parser);
}

antlr4::Token* SyntaxErrorStrategy::singleTokenDeletion(antlr4::Parser* parser) {
  if (literal(parser->getVocabulary(), parser->getCurrentToken()->getType()) == ";") return nullptr;
  return DefaultErrorStrategy::singleTokenDeletion(parser);
}

void LexerErrorListener::syntaxError(antlr4::Recognizer*, antlr4::Token*, size_t line, size_t col, const std::string& msg,
                                     std::exception_ptr) {
  // ANTLR says "token recognition error at: 'X'", X being what it read from the start of the
  // failed token: `!a` for `!a` (it tried `!=`). Its first character is the one no token can
  // start with; show only that one (a whole UTF-8 sequence).
  std::string text = msg;
  size_t open = msg.find("'");
  if (open != std::string::npos && msg.size() > open + 1) text = msg.substr(open + 1, msg.size() - open - 2);
  size_t first = text.empty() ? 0 : 1;
  while (first < text.size() && ((unsigned char)text[first] & 0xC0) == 0x80) ++first;
  text.resize(first);
  std::string shown;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      shown += std::string("\\x") + hex[c >> 4] + hex[c & 15];
    } else {
      shown += (char)c;
    }
  }
  std::string message = "unexpected character " + (shown == "`" ? std::string("'`'") : tick(shown));
  if (shown == "!") message += "; wf writes negation as `not` (`!=` is \"not equal\")";
  diags_.syntax_error({file_, (int)line, (int)col + 1}, message);
}

bool report_unterminated(antlr4::CommonTokenStream& tokens, int file, Diagnostics& diags) {
  bool comment_to_eof = false;
  tokens.fill();
  for (antlr4::Token* t : tokens.getTokens()) {
    SourceLoc loc{file, (int)t->getLine(), (int)t->getCharPositionInLine() + 1};
    if (t->getType() == WfLexer::UNTERMINATED_STRING) {
      diags.syntax_error(loc, "unterminated string: a string must end with `\"` on the line where it starts");
      if (auto* w = dynamic_cast<antlr4::WritableToken*>(t)) {
        w->setText(t->getText() + "\"");
        w->setType(WfLexer::STRING);
      }
    } else if (t->getType() == WfLexer::UNTERMINATED_COMMENT) {
      diags.syntax_error(loc, "unterminated comment: `/*` needs a closing `*/`");
      comment_to_eof = true;
    }
  }
  return comment_to_eof;
}

}  // namespace wf
