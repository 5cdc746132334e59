// The grammar of .wf (LANGUAGE.md). The C++ parser is generated from this file at build
// time into the build tree; compiler/parse/ast_builder.cpp turns the parse tree into the AST.
// Operator precedence is encoded by rule nesting, loosest first, as in LANGUAGE.md §6.
grammar Wf;

program      : (importDecl | topDecl)* EOF ;
importDecl   : 'import' STRING ';' ;
topDecl      : constDecl | fnDecl | externDecl | flowDecl ;

constDecl    : 'const' IDENT ':' type '=' expr ';' ;
fnDecl       : mpiPrefix? 'fn' IDENT '(' params? ')' ('->' type)? block ;
mpiPrefix    : 'mpi' '(' IDENT '=' expr ')' ;
externDecl   : 'extern' 'fn' IDENT '(' params? ')' ('->' type)? 'from' STRING ';' ;
flowDecl     : 'flow' IDENT '(' params? ')' ('->' type)? block ;
params       : param (',' param)* ;
param        : IDENT ':' type ;

type         : IDENT                                   # namedType
             | '[' type ']'                            # arrayType
             | '(' type (',' type)+ ')'                # tupleType
             | IDENT '[' type ']'                      # genericType
             ;

block        : '{' stmt* '}' ;

stmt         : 'let' IDENT (':' type)? '=' expr ';'                 # letStmt
             | 'let' '(' IDENT (',' IDENT)+ ')' '=' expr ';'        # letTupleStmt
             | 'var' IDENT (':' type)? '=' expr ';'                 # varStmt
             | expr assignOp expr ';'                               # assignStmt
             | 'if' expr block ('else' (ifTail | block))?           # ifStmt
             | 'while' expr block                                   # whileStmt
             | 'for' IDENT 'in' expr '..' expr ('step' expr)? block # forRangeStmt
             | 'for' IDENT 'in' expr block                          # forEachStmt
             | 'break' ';'                                          # breakStmt
             | 'continue' ';'                                       # continueStmt
             | 'return' expr? ';'                                   # returnStmt
             | expr ';'                                             # exprStmt
             | block                                                # blockStmt
             ;
ifTail       : 'if' expr block ('else' (ifTail | block))? ;
assignOp     : '=' | '+=' | '-=' | '*=' | '/=' | '%=' ;

expr         : orExpr ;
orExpr       : andExpr ('or' andExpr)* ;
andExpr      : notExpr ('and' notExpr)* ;
notExpr      : 'not' notExpr | cmpExpr ;
cmpExpr      : bitOrExpr (op=('==' | '!=' | '<' | '<=' | '>' | '>=') bitOrExpr)? ;
bitOrExpr    : bitXorExpr ('|' bitXorExpr)* ;
bitXorExpr   : bitAndExpr ('^' bitAndExpr)* ;
bitAndExpr   : shiftExpr ('&' shiftExpr)* ;
shiftExpr    : addExpr (shiftOp addExpr)* ;
shiftOp      : '<<' | '>>>' | '>>' ;
addExpr      : mulExpr (op+=('+' | '-') mulExpr)* ;
mulExpr      : unaryExpr (op+=('*' | '/' | '%') unaryExpr)* ;
unaryExpr    : op=('-' | '~') unaryExpr | postfixExpr ;
postfixExpr  : primary postfix* ;
postfix      : '(' args? ')'                           # callPostfix
             | '[' expr ']'                            # indexPostfix
             | '.' INT                                 # fieldPostfix
             | '.' FLOAT                               # fieldPairPostfix
             | '.' IDENT '(' args? ')'                 # methodPostfix
             ;
args         : arg (',' arg)* ;
arg          : (IDENT '=')? expr ;

primary      : INT                                     # intLit
             | FLOAT                                   # floatLit
             | STRING                                  # strLit
             | ('true' | 'false')                      # boolLit
             | IDENT                                   # nameExpr
             | '(' expr ')'                            # parenExpr
             | '(' expr (',' expr)+ ')'                # tupleLit
             | '[' expr ';' expr ']'                   # repeatLit
             | '[' (expr (',' expr)*)? ']'             # arrayLit
             ;

INT          : [0-9] [0-9_]* | '0x' [0-9a-fA-F_]+ ;
FLOAT        : [0-9] [0-9_]* '.' [0-9]+ ([eE] [+-]? [0-9]+)?
             | [0-9] [0-9_]* [eE] [+-]? [0-9]+ ;
STRING       : '"' (~["\\\r\n] | '\\' .)* '"' ;
IDENT        : [A-Za-z_] [A-Za-z0-9_]* ;
LINE_COMMENT : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT: '/*' .*? '*/' -> skip ;
WS           : [ \t\r\n]+ -> skip ;
