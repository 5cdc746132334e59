// The grammar of .wf (LANGUAGE.md). The C++ parser is generated from this file at build
// time into the build tree; compiler/parse/ast_builder.cpp turns the parse tree into the AST.
// Operator precedence is encoded by rule nesting, loosest first, as in LANGUAGE.md §6.
// Alternatives that would only differ after an arbitrary expression (`x = e;` vs `e;`,
// `for i in a..b` vs `for x in xs`, `(e)` vs tuples, `[x; n]` vs `[a, b]`) are written as one
// alternative with an optional tail: ANTLR then decides with one token of lookahead instead of
// simulating the whole expression, which made parsing several times faster.
grammar Wf;

@parser::members {
  // `{` starts a dictionary type only where a type follows it (`{str: int}`, `{(int, int): str}`):
  // after `fn f() -> {` the result type is missing and the `{` opens the body.
  bool dict_type_ahead() {
    antlr4::Token* second = _input->LT(2);
    if (second->getType() == IDENT) {
      std::string third = _input->LT(3)->getText();
      return third == ":" || third == "[";
    }
    std::string t = second->getText();
    return t == "(" || t == "[" || t == "{";
  }
}

program      : (importDecl | topDecl)* EOF ;
importDecl   : 'import' STRING ';' ;
// A notebook cell (compiler/session/): declarations and statements in any order, and a last
// expression without `;` whose value the cell shows. A leading `{` is a block, as in `stmt`.
cell         : (importDecl | topDecl | stmt)* expr? EOF ;
topDecl      : constDecl | structDecl | fnDecl | externDecl | flowDecl ;

structDecl   : 'struct' IDENT '{' (field (',' field)* ','?)? '}' ;
field        : IDENT ':' type ;

constDecl    : 'const' IDENT ':' type '=' expr ';' ;
fnDecl       : mpiPrefix? 'fn' IDENT '(' params? ')' ('->' type)? block ;
// `mpi fn` (ranks at submission), `mpi(ranks=4) fn`, `mpi(ranks=4, threads=2) fn`
mpiPrefix    : 'mpi' ('(' IDENT '=' expr (',' IDENT '=' expr)* ')')? ;
externDecl   : 'extern' 'fn' IDENT '(' params? ')' ('->' type)? 'from' STRING ';' ;
flowDecl     : 'flow' IDENT '(' params? ')' ('->' type)? block ;
params       : param (',' param)* ;
param        : IDENT ':' type ;

type         : IDENT                                   # namedType
             | '[' type ']'                            # arrayType
             | '(' type (',' type)+ ')'                # tupleType
             | IDENT '[' type ']'                      # genericType
             | {dict_type_ahead()}? '{' type ':' type '}'  # dictType
             ;

block        : '{' stmt* '}' ;

// A statement that begins with `{` is a block, never a dictionary literal (LANGUAGE.md v2):
// blockStmt comes first, so that SLL prediction settles the ambiguity in its favour.
stmt         : block                                                # blockStmt
             | 'let' IDENT (':' type)? '=' expr ';'                 # letStmt
             | 'let' '(' IDENT (',' IDENT)+ ')' '=' expr ';'        # letTupleStmt
             | 'var' IDENT (':' type)? '=' expr ';'                 # varStmt
             | 'if' expr block ('else' (ifTail | block))?           # ifStmt
             | 'while' expr block                                   # whileStmt
             | 'for' pattern 'in' expr ('..' expr ('step' expr)?)? block  # forStmt
             | 'try' block 'catch' IDENT block                      # tryStmt
             | 'break' ';'                                          # breakStmt
             | 'continue' ';'                                       # continueStmt
             | 'return' expr? ';'                                   # returnStmt
             | expr (assignOp expr)? ';'                            # exprStmt
             ;
// What a `for` or a comprehension binds: a name, or a tuple of names (`_` discards).
pattern      : IDENT | '(' IDENT (',' IDENT)+ ')' ;
ifTail       : 'if' expr block ('else' (ifTail | block))? ;
assignOp     : '=' | '+=' | '-=' | '*=' | '/=' | '%=' ;

// One left-recursive rule: ANTLR turns it into precedence climbing, so a primary costs one
// rule invocation instead of one per precedence level. Alternatives are listed tightest first
// (LANGUAGE.md §6 lists them loosest first); comparisons do not chain (ast_builder reports it).
expr         : primary postfix*                                  # postfixExpr
             | op=('-' | '~') expr                               # unaryExpr
             | expr op=('*' | '/' | '%') expr                    # mulExpr
             | expr op=('+' | '-') expr                          # addExpr
             | expr shiftOp expr                                 # shiftExpr
             | expr op='&' expr                                  # bitAndExpr
             | expr op='^' expr                                  # bitXorExpr
             | expr op='|' expr                                  # bitOrExpr
             | expr op=('==' | '!=' | '<' | '<=' | '>' | '>=') expr  # cmpExpr
             | op='not' expr                                     # notExpr
             | expr op='and' expr                                # andExpr
             | expr op='or' expr                                 # orExpr
             ;
shiftOp      : '<<' | '>>>' | '>>' ;
postfix      : '(' args? ')'                           # callPostfix
             | '[' expr ']'                            # indexPostfix
             | '.' INT                                 # fieldPostfix
             | '.' FLOAT                               # fieldPairPostfix
             | '.' IDENT ('(' args? ')')?              # methodPostfix
             ;
args         : arg (',' arg)* ','? ;   // a trailing comma, for one argument or field per line
arg          : (IDENT '=')? expr ;

primary      : INT                                     # intLit
             | FLOAT                                   # floatLit
             | STRING                                  # strLit
             | FSTRING                                 # fstringLit
             | ('true' | 'false')                      # boolLit
             | IDENT                                   # nameExpr
             | '(' expr (',' expr)* ')'                # parenExpr
             | '[' (expr (';' expr | (',' expr)* ','? | compFor))? ']'  # arrayLit
             | '{' (expr ':' expr (',' expr ':' expr)* ','?)? '}'    # dictLit
             ;
compFor      : 'for' pattern 'in' expr ('..' expr ('step' expr)?)? ('if' expr)? ;

// The expression inside an f-string's braces, parsed on its own (compiler/parse/fstrings.cpp).
exprOnly     : expr EOF ;

INT          : [0-9] [0-9_]* | '0x' [0-9a-fA-F_]+ ;
FLOAT        : [0-9] [0-9_]* '.' [0-9]+ ([eE] [+-]? [0-9]+)?
             | [0-9] [0-9_]* [eE] [+-]? [0-9]+ ;
STRING       : '"' (~["\\\r\n] | '\\' .)* '"' ;
FSTRING      : 'f"' (~["\\\r\n] | '\\' .)* '"' ;
// A string or block comment that never ends: a token of its own, so that the parser reports
// it as what it is (compiler/parse/syntax_errors.cpp) instead of as the characters after it.
// Each matches less than its terminated twin can, so it wins only when the end is missing.
UNTERMINATED_STRING  : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;
IDENT        : [A-Za-z_] [A-Za-z0-9_]* ;
LINE_COMMENT : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT: '/*' .*? '*/' -> skip ;
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* -> channel(HIDDEN) ;
WS           : [ \t\r\n]+ -> skip ;
