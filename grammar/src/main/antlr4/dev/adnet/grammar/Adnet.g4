/*
 * The adnet language.
 *
 * Every construct of the language parses here, including those whose semantics later stages reject as
 * "not supported yet", so that adding a construct's semantics never reshapes the grammar.
 *
 * Design notes:
 * - Values are tensors (per-sample shapes, implicit batch) or stages (functions of one tensor). `->` applies a
 *   stage to a tensor, or composes two stages. Layers and blocks called with configuration arguments are stages;
 *   a stage called with tensors, `dense(128)(h)` or `relu(x)`, is a tensor.
 * - Adaptive constructs are stages too: `gate`, `residual`, `repeat`, `exit`, `share`, `branch`, `fixedpoint`, `ode`.
 * - `{ ... }` is a body: optional state names before `=>`, bindings, and bare stages or a final tensor.
 * - Newlines are not significant; `;` may separate statements.
 * - Every alternative is labelled, so the AST builder has one short visit method per form.
 */
grammar Adnet;

// ---------------------------------------------------------------------------------------------- structure

compilationUnit
    : importDecl* declaration* EOF
    ;

importDecl
    : IMPORT path=STRING SEMI?                                                   # importAll
    | IMPORT names+=identifier (COMMA names+=identifier)* FROM path=STRING SEMI?  # importNames
    ;

declaration
    : blockDecl                                                                  # blockDeclaration
    | networkDecl                                                                # networkDeclaration
    ;

blockDecl
    : BLOCK name=identifier LPAREN (params+=param (COMMA params+=param)* COMMA?)? RPAREN body
    ;

param
    : name=identifier COLON type=typeRef (ASSIGN defaultValue=expression)?
    ;

typeRef
    : identifier                                                                 # namedType
    | LBRACK identifier RBRACK                                                   # listType
    ;

networkDecl
    : NETWORK name=identifier LBRACE networkMember* RBRACE
    ;

networkMember
    : INPUT name=identifier COLON shape SEMI?                                    # inputDecl
    | OUTPUT name=identifier COLON shape SEMI?                                   # outputDecl
    | TASK name=identifier COLON kind=expression SEMI?                           # taskDecl
    | STATE name=identifier (COLON shape)? (ASSIGN init=expression)? SEMI?       # stateDecl
    | blockDecl                                                                  # localBlockDecl
    | trainSection                                                               # trainDecl
    | name=identifier ASSIGN value=expression SEMI?                              # assignment
    | expression SEMI?                                                           # strayExpression
    ;

shape
    : LBRACK (dims+=expression (COMMA dims+=expression)*)? RBRACK
    ;

trainSection
    : TRAIN LBRACE trainSetting* RBRACE
    ;

trainSetting
    : key=identifier value=expression SEMI?
    ;

// ---------------------------------------------------------------------------------------------- bodies

/** A body: `{ conv(c, 3) -> relu }`, `{ x => h = x -> conv(c, 3); h + x }`, `{ residual A(16); residual A(32) }`. */
body
    : LBRACE (stateNames+=identifier (COMMA stateNames+=identifier)* FAT_ARROW)? statement* RBRACE
    ;

statement
    : name=identifier ASSIGN value=expression SEMI?                              # bindStatement
    | expression SEMI?                                                           # exprStatement
    ;

// ---------------------------------------------------------------------------------------------- expressions

/* Precedence, tightest first: application f(..), unary minus and the prefix constructs, `->`, `* /`, `+ -`,
   comparisons. So `x -> f + y` is `(x -> f) + y`, and `gate residual B(16) -> relu` is `(gate residual B(16)) -> relu`. */
expression
    : primary                                                                    # primaryExpr
    | callee=expression LPAREN arguments? RPAREN                                 # applyExpr
    | MINUS operand=expression                                                   # negateExpr
    | RESIDUAL (LPAREN arguments? RPAREN)? operand=expression                    # residualExpr
    | GATE (LPAREN arguments? RPAREN)? operand=expression                        # gateExpr
    | left=expression ARROW right=expression                                     # pipeExpr
    | left=expression op=(STAR | SLASH) right=expression                         # mulExpr
    | left=expression op=(PLUS | MINUS) right=expression                         # addExpr
    | left=expression op=(LT | GT | LE | GE) right=expression                    # compareExpr
    ;

primary
    : INT                                                                        # intLiteral
    | FLOAT                                                                      # floatLiteral
    | STRING                                                                     # stringLiteral
    | (TRUE | FALSE)                                                             # boolLiteral
    | identifier                                                                 # nameRef
    | LBRACK (items+=expression (COMMA items+=expression)* COMMA?)? RBRACK        # listLiteral
    | LPAREN expression RPAREN                                                   # parenExpr
    | body                                                                       # bodyExpr
    | REPEAT UPTO? count=expression (SHARED (LPAREN sharing=arguments? RPAREN)?)? repeatPolicy? body  # repeatExpr
    | FIXEDPOINT (LPAREN arguments? RPAREN)? (SOLVER solver=callSpec)? body      # fixedPointExpr
    | ODE (LPAREN arguments? RPAREN)? body                                       # odeExpr
    | EXIT name=identifier? (LPAREN arguments? RPAREN)? (WHEN condition=expression)? body  # exitExpr
    | SHARE policy=callSpec body                                                 # shareExpr
    | BRANCH policy=callSpec body                                                # branchExpr
    ;

/** How a `repeat upto N` decides to go on: a gate after each pass, or an ACT halting unit. */
repeatPolicy
    : GATE (LPAREN arguments? RPAREN)?                                           # gatedRepeat
    | HALT callSpec                                                              # haltingRepeat
    ;

callSpec
    : name=identifier (LPAREN arguments? RPAREN)?
    ;

arguments
    : args+=argument (COMMA args+=argument)* COMMA?
    ;

argument
    : name=identifier ASSIGN value=expression                                    # namedArgument
    | value=expression                                                           # positionalArgument
    ;

/* Soft keywords: words that mean something only in one position are still usable as names. */
identifier
    : IDENT
    | UPTO | SHARED | HALT | SOLVER | WHEN | FROM | TASK | STATE
    ;

// ---------------------------------------------------------------------------------------------- lexer

IMPORT     : 'import';
FROM       : 'from';
NETWORK    : 'network';
BLOCK      : 'block';
INPUT      : 'input';
OUTPUT     : 'output';
TASK       : 'task';
STATE      : 'state';
TRAIN      : 'train';
RESIDUAL   : 'residual';
GATE       : 'gate';
REPEAT     : 'repeat';
UPTO       : 'upto';
SHARED     : 'shared';
HALT       : 'halt';
FIXEDPOINT : 'fixedpoint';
ODE        : 'ode';
SOLVER     : 'solver';
EXIT       : 'exit';
WHEN       : 'when';
SHARE      : 'share';
BRANCH     : 'branch';
TRUE       : 'true';
FALSE      : 'false';

ARROW     : '->';
FAT_ARROW : '=>';
LE        : '<=';
GE        : '>=';
LT        : '<';
GT        : '>';
ASSIGN    : '=';
PLUS      : '+';
MINUS     : '-';
STAR      : '*';
SLASH     : '/';
LPAREN    : '(';
RPAREN    : ')';
LBRACE    : '{';
RBRACE    : '}';
LBRACK    : '[';
RBRACK    : ']';
COMMA     : ',';
COLON     : ':';
SEMI      : ';';

FLOAT
    : DIGITS '.' DIGITS EXPONENT?
    | DIGITS EXPONENT
    ;
INT : DIGITS;
fragment DIGITS   : [0-9] ('_'? [0-9])*;
fragment EXPONENT : [eE] [+-]? [0-9]+;

/* Letters of any script may form names; the code generator mangles what Java cannot take. */
IDENT : [\p{L}_] [\p{L}\p{N}_]*;

/* An unterminated string or block comment still forms a token, so the checker can name where it began. */
STRING : '"' (~["\\\r\n] | '\\' .)* '"'?;

LINE_COMMENT  : '//' ~[\r\n]*            -> channel(HIDDEN);
BLOCK_COMMENT : '/*' .*? ('*/' | EOF)    -> channel(HIDDEN);
WS            : [ \t\r\n\f\u00A0\uFEFF]+ -> channel(HIDDEN);

/* Anything else becomes a token of its own, so the parser reports it with its position. */
ERROR_CHAR : .;
