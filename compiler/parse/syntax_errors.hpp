// Syntax errors in plain words.
//
// ANTLR's own messages name grammar symbols ("mismatched input ';' expecting {'(', '[', '-',
// ...}", "token recognition error at: '\"abc'"). This error strategy keeps ANTLR's recovery
// (single-token insertion and deletion, then resynchronisation) but words every report for a
// user: what construct was expected ("an expression", "a name", "`;` after the return
// value"), what was found ("keyword `step`", "the end of the file"), and, for a missing
// token, where it belongs: at the end of the previous token, with a fix-it, as clang does.
//
// Lexical problems are words of their own: an unterminated string or comment is reported
// once at its start, and the token is repaired (a closing quote added) so the parser goes on
// as if the user had finished it; a stray character is "unexpected character `@`".
#pragma once

#include <memory>

#include "antlr4-runtime.h"
#include "diagnostics/diagnostics.hpp"

namespace wf {

class SyntaxErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  SyntaxErrorStrategy(int file, Diagnostics& diags) : file_(file), diags_(diags) {}
  int count() const { return count_; }
  // After an unterminated comment (which runs to the end of the file), what is missing at
  // the end of the file is a consequence, not another mistake.
  void quiet_at_end_of_file() { quiet_at_eof_ = true; }

 protected:
  void reportNoViableAlternative(antlr4::Parser* parser, const antlr4::NoViableAltException& e) override;
  void reportInputMismatch(antlr4::Parser* parser, const antlr4::InputMismatchException& e) override;
  void reportFailedPredicate(antlr4::Parser* parser, const antlr4::FailedPredicateException& e) override;
  void reportUnwantedToken(antlr4::Parser* parser) override;
  void reportMissingToken(antlr4::Parser* parser) override;
  // Recovery in wf's own units: a broken statement is skipped to its `;` (or to the next
  // line that starts a statement, or to the block's `}`), a stray token between
  // declarations to the next declaration, so the rest of the block or file is read as
  // written. ANTLR's own recovery resynchronises on any token of the enclosing rules'
  // follow sets, which after `let extern = 2;` or a statement outside a function throws
  // away the rest of the function or of the file.
  void recover(antlr4::Parser* parser, std::exception_ptr e) override;
  void sync(antlr4::Parser* parser) override;
  // A `;` is never taken for a stray token: `let y = ;` is a missing value, not a
  // statement that goes on to the next line.
  antlr4::Token* singleTokenDeletion(antlr4::Parser* parser) override;

 private:
  void report(antlr4::Token* where, SourceLoc loc, std::string message, std::string fixit = "");
  SourceLoc at(antlr4::Token* t) const;
  void skip_statement(antlr4::Parser* parser);
  void skip_to_declaration(antlr4::Parser* parser);
  SourceLoc after(antlr4::Token* t) const;  // just past the end of `t`

  int file_;
  Diagnostics& diags_;
  int count_ = 0;
  bool quiet_at_eof_ = false;
  size_t last_skip_start_ = SIZE_MAX;  // token index where the last statement skip began
};

// Reports the lexer's errors (stray characters) in plain words.
class LexerErrorListener : public antlr4::BaseErrorListener {
 public:
  LexerErrorListener(int file, Diagnostics& diags) : file_(file), diags_(diags) {}
  void syntaxError(antlr4::Recognizer*, antlr4::Token*, size_t line, size_t col, const std::string& msg,
                   std::exception_ptr) override;

 private:
  int file_;
  Diagnostics& diags_;
};

// After lexing: reports unterminated strings and comments and repairs the strings. Returns
// true if a comment ran to the end of the file.
bool report_unterminated(antlr4::CommonTokenStream& tokens, int file, Diagnostics& diags);

}  // namespace wf
