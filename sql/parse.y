/*
** parse.y — lemon grammar of the ksqlDB SQL dialect (sql/). lemon turns it into parse.c and
** parse.h in the build tree; those are generated — do not edit.
**
** The language is ksqlDB's (its SqlBase.g4, the statements a ksqlDB server accepts), written
** for an LALR(1) parser:
** - Keywords ksqlDB lets you use as identifiers (its nonReserved rule) are read as IDENT where
**   the parser cannot take the keyword itself (the driver decides, token by token, from the
**   parser's state). Where a keyword has a meaning in the current state (EMIT after FROM s,
**   SESSION after WINDOW ...), the keyword wins.
** - Expressions keep ksqlDB's layers: expr (OR, AND, NOT) over pred (one comparison, BETWEEN,
**   IN, LIKE, IS ...; not associative) over vexpr (|| + - * / % unary AT TIME ZONE) over
**   primary. GROUP BY / PARTITION BY / VALUES take vexprs, so "GROUP BY a AND b" is a syntax
**   error, as in ksqlDB.
** - "-5" is one literal (ksqlDB's number rule: -9223372036854775808 is a valid BIGINT); the
**   builder folds a minus into an unparenthesised, unsigned numeric literal.
** - The driver (parser.c) rewrites two tokens the grammar cannot tell by one token of
**   lookahead: the '(' opening a lambda's parameter list "(x, y) =>" becomes LAMBDA_LP, and in
**   test scripts the ASSERT of ASSERT VALUES/NULL VALUES/STREAM/TABLE becomes TEST_ASSERT. A
**   START_EXPR token in front selects the expression-only entry (sl_sql_parse_expr).
** - Actions only call builders (sl_pb_* in parser.c) or fill fields of arena nodes.
** - No error recovery: the first syntax error ends the parse (%syntax_error records what the
**   parser state could have accepted; parser.c formats the message).
*/

%name sl_sql_lemon
%token_prefix SL_TK_
%token_type {sl_sql_tok_t}
%extra_argument {sl_sql_pctx_t *px}
%start_symbol input
%stack_size 1000

%include {
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "sql/lexer.h"

/* The first syntax error ends the parse: no recovery, so no error symbol. */
#define YYNOERRORRECOVERY 1
/* lemon's generated code asserts on its own invariants; keep them in debug builds only. */

/* CREATE ... tail: columns and/or WITH, or AS SELECT. */
typedef struct pb_ctail_s {
    sl_pvec_t *cols;       /* column definitions, NULL if none */
    sl_pvec_t *props;      /* WITH properties, NULL if none */
    sl_ast_query_t *query; /* AS query, NULL if none */
    sl_sql_tok_t as_tok;   /* the AS token when query != NULL */
} pb_ctail_t;

/* A SET/UNSET operand: 'string' or ${var}. */
typedef struct pb_setval_s {
    const char *s; /* value (string unescaped, or variable name) */
    bool var;      /* ${var} */
} pb_setval_t;

enum { PB_OUTER = 0x100 };

static sl_ast_query_t *pb_query(sl_sql_pctx_t *px, sl_sql_tok_t sel)
{
    sl_ast_query_t *q = sl_ast_arena_alloc(px->arena, sizeof *q);
    q->pos = sl_pb_tpos(sel);
    return q;
}

static pb_ctail_t *pb_ctail(sl_sql_pctx_t *px)
{
    return sl_ast_arena_alloc(px->arena, sizeof(pb_ctail_t));
}

static sl_ast_duration_t *pb_dur_box(sl_sql_pctx_t *px, sl_ast_duration_t d)
{
    sl_ast_duration_t *p = sl_ast_arena_alloc(px->arena, sizeof *p);
    *p = d;
    return p;
}

static sl_ast_column_t *pb_column(sl_sql_pctx_t *px, sl_ast_ident_t name, sl_ast_type_t *type,
                                  sl_ast_constraint_t c, const char *header, sl_ast_pos_t end)
{
    sl_ast_column_t *col = sl_ast_arena_alloc(px->arena, sizeof *col);
    col->name = name;
    col->type = type;
    col->constraint = c;
    col->header_key = header;
    col->pos = sl_pb_span(name.pos, end);
    return col;
}

static void pb_create(sl_sql_pctx_t *px, sl_ast_stmt_t **out, sl_sql_tok_t first, int orr,
                      bool source, sl_ast_source_type_t type, int ifne, sl_ast_ident_t name,
                      pb_ctail_t *t)
{
    sl_ast_stmt_t *s;
    sl_pb_check_source_name(px, &name);
    if (t->query) {
        /* ksqlDB's grammar has no CREATE SOURCE ... AS SELECT: a syntax error at AS. The
         * tree is still built, as the parse stops at the next token anyway. */
        if (source) sl_pb_syntax_error(px, t->as_tok);
        s = sl_pb_stmt(px, SL_AST_STMT_CREATE_AS, first);
        s->u.create_as.type = type;
        s->u.create_as.or_replace = orr;
        s->u.create_as.if_not_exists = ifne;
        s->u.create_as.name = name;
        s->u.create_as.props = SL_PB_ITEMS(sl_ast_prop_t, t->props);
        s->u.create_as.n_props = SL_PB_COUNT(t->props);
        s->u.create_as.query = t->query;
    } else {
        s = sl_pb_stmt(px, SL_AST_STMT_CREATE_SOURCE, first);
        s->u.create_source.type = type;
        s->u.create_source.or_replace = orr;
        s->u.create_source.if_not_exists = ifne;
        s->u.create_source.source = source;
        s->u.create_source.name = name;
        s->u.create_source.columns = SL_PB_ITEMS(sl_ast_column_t, t->cols);
        s->u.create_source.n_columns = SL_PB_COUNT(t->cols);
        s->u.create_source.props = SL_PB_ITEMS(sl_ast_prop_t, t->props);
        s->u.create_source.n_props = SL_PB_COUNT(t->props);
        sl_pb_check_columns(px, type, t->cols);
    }
    *out = s;
}

static sl_ast_stmt_t *pb_list(sl_sql_pctx_t *px, sl_sql_tok_t first, sl_ast_list_what_t what,
                              int ext)
{
    sl_ast_stmt_t *s = sl_pb_stmt(px, SL_AST_STMT_LIST, first);
    s->u.list.what = what;
    s->u.list.extended = ext;
    return s;
}

/* OR REPLACE where ksqlDB's grammar has none: the syntax error ksqlDB reports at the token
 * after CREATE OR REPLACE. */
static void pb_no_replace(sl_sql_pctx_t *px, int orr, sl_sql_tok_t next)
{
    if (orr) sl_pb_syntax_error(px, next);
}
}

%syntax_error {
    sl_pb_syntax_error(px, TOKEN);
}

%stack_overflow {
    sl_pb_too_deep(px);
}

/* Token order sets the order of "Expecting {...}" lists, which follows ksqlDB's vocabulary:
 * punctuation first, then 'STRING', keywords, operators, literals and identifiers. */
%token SEMI COMMA LP RP DOT LBRACKET RBRACKET KW_STRING
    EMIT CHANGES FINAL SELECT FROM AS ALL DISTINCT WHERE WITHIN WINDOW GROUP BY HAVING LIMIT AT
    OR AND IN NOT EXISTS BETWEEN LIKE ESCAPE IS NULL TRUE FALSE INTEGER DATE TIME TIMESTAMP
    INTERVAL YEAR MONTH DAY HOUR MINUTE SECOND MILLISECOND YEARS MONTHS DAYS HOURS MINUTES SECONDS
    MILLISECONDS ZONE TUMBLING HOPPING SIZE ADVANCE RETENTION GRACE PERIOD CASE WHEN THEN ELSE
    END JOIN FULL OUTER INNER LEFT RIGHT ON PARTITION STRUCT WITH VALUES CREATE TABLE TOPIC
    STREAM STREAMS INSERT DELETE INTO DESCRIBE EXTENDED PRINT EXPLAIN ANALYZE TYPE TYPES CAST
    SHOW LIST TABLES TOPICS QUERY QUERIES TERMINATE LOAD COLUMNS COLUMN PARTITIONS FUNCTIONS
    FUNCTION DROP TO RENAME ARRAY MAP SET DEFINE UNDEFINE RESET SESSION SAMPLE EXPORT CATALOG
    PROPERTIES BEGINNING UNSET RUN SCRIPT DECIMAL KEY CONNECTOR CONNECTORS SINK SOURCE NAMESPACE
    MATERIALIZED VIEW PRIMARY REPLACE ASSERT ADD ALTER VARIABLES PLUGINS HEADERS HEADER SYSTEM
    TIMEOUT SCHEMA SUBJECT KW_ID IF
    EQ NE LT LE GT GE PLUS MINUS STAR SLASH PERCENT CONCAT ASSIGN ARROW LAMBDA_ARROW
    SCONST ICONST DCONST FCONST IDENT DIGIT_IDENT QIDENT BQIDENT VARIABLE
    LAMBDA_LP TEST_ASSERT START_EXPR UNRECOGNIZED.

/* ksqlDB's nonReserved keywords are names wherever they are not keywords: the driver feeds
 * them as IDENT when the parser cannot take them as themselves (see parser.c; no %fallback:
 * lemon would try the fallback before a state's default reduction). */

%left OR.
%left AND.
%right NOT.
%left CONCAT.
%left PLUS MINUS.
%left STAR SLASH PERCENT.
%right UMINUS.
%left AT.

/* ------------------------------------------------------------------------------------------ */
/* Scripts                                                                                    */

input ::= cmdlist.
input ::= cmdlist stmt(S). { sl_pb_stmt_done(px, S, (sl_sql_tok_t){0, 0, 0, 0, 0}, false); }
input ::= START_EXPR expr(E). { px->expr = E; }

cmdlist ::= .
cmdlist ::= cmdlist stmt(S) SEMI(T). { sl_pb_stmt_done(px, S, T, true); }

%type stmt {sl_ast_stmt_t *}

/* ------------------------------------------------------------------------------------------ */
/* Names                                                                                      */

/* Any identifier, ${variables} included (source, column, type and property names). */
%type ident {sl_ast_ident_t}
ident(A) ::= nident(B). { A = B; }
ident(A) ::= VARIABLE(T). { A = sl_pb_ident(px, T); }

/* An identifier that is not a variable (inside expressions ${x} is a value). */
%type nident {sl_ast_ident_t}
nident(A) ::= IDENT(T). { A = sl_pb_ident(px, T); }
nident(A) ::= DIGIT_IDENT(T). { A = sl_pb_ident(px, T); }
nident(A) ::= QIDENT(T). { A = sl_pb_ident(px, T); }
nident(A) ::= BQIDENT(T). { A = sl_pb_ident(px, T); }

%type sname {sl_ast_ident_t}
sname(A) ::= ident(B). { A = B; sl_pb_check_source_name(px, &A); }

%type identlist {sl_pvec_t *}
identlist(A) ::= ident(B). { A = sl_pvec_push(px->arena, NULL, sl_pb_ident_box(px, B)); }
identlist(A) ::= identlist(L) COMMA ident(B). {
    A = sl_pvec_push(px->arena, L, sl_pb_ident_box(px, B));
}

/* ------------------------------------------------------------------------------------------ */
/* Statements                                                                                 */

stmt(A) ::= query(Q). {
    A = sl_pb_stmt(px, SL_AST_STMT_QUERY, (sl_sql_tok_t){0, Q->pos.off, 0, Q->pos.line,
                                                          Q->pos.col});
    A->u.query = Q;
}

/* SHOW | LIST */
%type showkw {sl_sql_tok_t}
showkw(A) ::= SHOW(T). { A = T; }
showkw(A) ::= LIST(T). { A = T; }

%type ext {int}
ext(A) ::= . { A = 0; }
ext(A) ::= EXTENDED. { A = 1; }

stmt(A) ::= showkw(T) PROPERTIES. { A = pb_list(px, T, SL_AST_LIST_PROPERTIES, 0); }
stmt(A) ::= showkw(T) TOPICS ext(E). { A = pb_list(px, T, SL_AST_LIST_TOPICS, E); }
stmt(A) ::= showkw(T) ALL TOPICS ext(E). {
    A = pb_list(px, T, SL_AST_LIST_TOPICS, E);
    A->u.list.all = true;
}
stmt(A) ::= showkw(T) STREAMS ext(E). { A = pb_list(px, T, SL_AST_LIST_STREAMS, E); }
stmt(A) ::= showkw(T) TABLES ext(E). { A = pb_list(px, T, SL_AST_LIST_TABLES, E); }
stmt(A) ::= showkw(T) FUNCTIONS. { A = pb_list(px, T, SL_AST_LIST_FUNCTIONS, 0); }
stmt(A) ::= showkw(T) CONNECTORS. { A = pb_list(px, T, SL_AST_LIST_CONNECTORS, 0); }
stmt(A) ::= showkw(T) SOURCE CONNECTORS. {
    A = pb_list(px, T, SL_AST_LIST_CONNECTORS, 0);
    A->u.list.scope = 1;
}
stmt(A) ::= showkw(T) SINK CONNECTORS. {
    A = pb_list(px, T, SL_AST_LIST_CONNECTORS, 0);
    A->u.list.scope = 2;
}
stmt(A) ::= showkw(T) CONNECTOR PLUGINS. { A = pb_list(px, T, SL_AST_LIST_CONNECTOR_PLUGINS, 0); }
stmt(A) ::= showkw(T) TYPES. { A = pb_list(px, T, SL_AST_LIST_TYPES, 0); }
stmt(A) ::= showkw(T) VARIABLES. { A = pb_list(px, T, SL_AST_LIST_VARIABLES, 0); }
stmt(A) ::= showkw(T) QUERIES ext(E). { A = pb_list(px, T, SL_AST_LIST_QUERIES, E); }

/* DESCRIBE */
stmt(A) ::= DESCRIBE(T) sname(N) ext(E). {
    A = sl_pb_stmt(px, SL_AST_STMT_DESCRIBE, T);
    A->u.describe.name = N;
    A->u.describe.extended = E;
}
stmt(A) ::= DESCRIBE(T) STREAMS ext(E). {
    A = sl_pb_stmt(px, SL_AST_STMT_DESCRIBE_SOURCES, T);
    A->u.describe_sources.what = SL_AST_LIST_STREAMS;
    A->u.describe_sources.extended = E;
}
stmt(A) ::= DESCRIBE(T) TABLES ext(E). {
    A = sl_pb_stmt(px, SL_AST_STMT_DESCRIBE_SOURCES, T);
    A->u.describe_sources.what = SL_AST_LIST_TABLES;
    A->u.describe_sources.extended = E;
}
stmt(A) ::= DESCRIBE(T) FUNCTION ident(N). {
    A = sl_pb_stmt(px, SL_AST_STMT_DESCRIBE_FUNCTION, T);
    A->u.describe_named = N;
}
stmt(A) ::= DESCRIBE(T) CONNECTOR ident(N). {
    A = sl_pb_stmt(px, SL_AST_STMT_DESCRIBE_CONNECTOR, T);
    A->u.describe_named = N;
}

/* PRINT topic [FROM BEGINNING] [INTERVAL|SAMPLE n] [LIMIT n] */
stmt(A) ::= PRINT(T) ident(N) frombeg(F) pinterval(I) limit(L). {
    A = sl_pb_stmt(px, SL_AST_STMT_PRINT, T);
    A->u.print.topic = N.quote == SL_AST_QUOTE_NONE ? sl_ast_arena_strndup(px->arena,
                                                          px->src + N.pos.off, N.pos.len)
                                                    : N.name;
    A->u.print.from_beginning = F;
    A->u.print.interval = I;
    A->u.print.limit = L;
}
stmt(A) ::= PRINT(T) SCONST(N) frombeg(F) pinterval(I) limit(L). {
    A = sl_pb_stmt(px, SL_AST_STMT_PRINT, T);
    A->u.print.topic = sl_pb_string(px, N, NULL);
    A->u.print.quoted = true;
    A->u.print.from_beginning = F;
    A->u.print.interval = I;
    A->u.print.limit = L;
}
%type frombeg {int}
frombeg(A) ::= . { A = 0; }
frombeg(A) ::= FROM BEGINNING. { A = 1; }
%type pinterval {sl_ast_expr_t *}
pinterval(A) ::= . { A = NULL; }
pinterval(A) ::= INTERVAL snum(N). { A = N; }
pinterval(A) ::= SAMPLE snum(N). { A = N; }

/* TERMINATE */
stmt(A) ::= TERMINATE(T) ident(N). {
    A = sl_pb_stmt(px, SL_AST_STMT_TERMINATE, T);
    A->u.terminate.query_id = N;
}
stmt(A) ::= TERMINATE(T) ALL. {
    A = sl_pb_stmt(px, SL_AST_STMT_TERMINATE, T);
    A->u.terminate.all = true;
}

/* SET / UNSET / ALTER SYSTEM / DEFINE / UNDEFINE */
%type setval {pb_setval_t}
setval(A) ::= SCONST(T). { A.s = sl_pb_string(px, T, NULL); A.var = false; }
setval(A) ::= VARIABLE(T). { A.s = sl_pb_ident(px, T).name; A.var = true; }

stmt(A) ::= SET(T) setval(K) EQ setval(V). {
    A = sl_pb_stmt(px, SL_AST_STMT_SET, T);
    A->u.set.name = K.s;
    A->u.set.name_is_var = K.var;
    A->u.set.value = V.s;
    A->u.set.value_is_var = V.var;
}
stmt(A) ::= ALTER(T) SYSTEM SCONST(K) EQ SCONST(V). {
    A = sl_pb_stmt(px, SL_AST_STMT_ALTER_SYSTEM, T);
    A->u.set.name = sl_pb_string(px, K, NULL);
    A->u.set.value = sl_pb_string(px, V, NULL);
}
stmt(A) ::= UNSET(T) setval(K). {
    A = sl_pb_stmt(px, SL_AST_STMT_UNSET, T);
    A->u.set.name = K.s;
    A->u.set.name_is_var = K.var;
}
stmt(A) ::= DEFINE(T) IDENT(N) EQ SCONST(V). {
    A = sl_pb_stmt(px, SL_AST_STMT_DEFINE, T);
    A->u.set.name = sl_ast_arena_strndup(px->arena, px->src + N.off, N.len);
    A->u.set.value = sl_pb_string(px, V, NULL);
}
stmt(A) ::= UNDEFINE(T) IDENT(N). {
    A = sl_pb_stmt(px, SL_AST_STMT_UNDEFINE, T);
    A->u.set.name = sl_ast_arena_strndup(px->arena, px->src + N.off, N.len);
}

/* RUN SCRIPT (the shell's; the driver refuses it for servers) */
stmt(A) ::= RUN(T) SCRIPT SCONST(F). {
    A = sl_pb_stmt(px, SL_AST_STMT_RUN_SCRIPT, T);
    A->u.run_script = sl_pb_string(px, F, NULL);
}

/* CREATE [OR REPLACE] [SOURCE] STREAM|TABLE ... */
%type orr {int}
orr(A) ::= . { A = 0; }
orr(A) ::= OR REPLACE. { A = 1; }
%type ifne {int}
ifne(A) ::= . { A = 0; }
ifne(A) ::= IF NOT EXISTS. { A = 1; }
%type ife {int}
ife(A) ::= . { A = 0; }
ife(A) ::= IF EXISTS. { A = 1; }

stmt(A) ::= CREATE(C) orr(R) STREAM ifne(I) ident(N) ctail(T). {
    pb_create(px, &A, C, R, false, SL_AST_STREAM, I, N, T);
}
stmt(A) ::= CREATE(C) orr(R) TABLE ifne(I) ident(N) ctail(T). {
    pb_create(px, &A, C, R, false, SL_AST_TABLE, I, N, T);
}
stmt(A) ::= CREATE(C) orr(R) SOURCE STREAM ifne(I) ident(N) ctail(T). {
    pb_create(px, &A, C, R, true, SL_AST_STREAM, I, N, T);
}
stmt(A) ::= CREATE(C) orr(R) SOURCE TABLE ifne(I) ident(N) ctail(T). {
    pb_create(px, &A, C, R, true, SL_AST_TABLE, I, N, T);
}

%type ctail {pb_ctail_t *}
ctail(A) ::= . { A = pb_ctail(px); }
ctail(A) ::= telems(E). { A = pb_ctail(px); A->cols = E; }
ctail(A) ::= telems(E) WITH props(P). { A = pb_ctail(px); A->cols = E; A->props = P; }
ctail(A) ::= WITH props(P). { A = pb_ctail(px); A->props = P; }
ctail(A) ::= WITH props(P) AS(T) query(Q). {
    A = pb_ctail(px);
    A->props = P;
    A->query = Q;
    A->as_tok = T;
}
ctail(A) ::= AS(T) query(Q). { A = pb_ctail(px); A->query = Q; A->as_tok = T; }

%type telems {sl_pvec_t *}
telems(A) ::= LP coldefs(L) RP. { A = L; }
%type coldefs {sl_pvec_t *}
coldefs(A) ::= coldef(C). { A = sl_pvec_push(px->arena, NULL, C); }
coldefs(A) ::= coldefs(L) COMMA coldef(C). { A = sl_pvec_push(px->arena, L, C); }

%type coldef {sl_ast_column_t *}
coldef(A) ::= ident(N) type(T). { A = pb_column(px, N, T, SL_AST_COL_VALUE, NULL, T->pos); }
coldef(A) ::= ident(N) type(T) KEY(K). {
    A = pb_column(px, N, T, SL_AST_COL_KEY, NULL, sl_pb_tpos(K));
}
coldef(A) ::= ident(N) type(T) PRIMARY KEY(K). {
    A = pb_column(px, N, T, SL_AST_COL_PRIMARY_KEY, NULL, sl_pb_tpos(K));
}
coldef(A) ::= ident(N) type(T) HEADERS(K). {
    A = pb_column(px, N, T, SL_AST_COL_HEADERS, NULL, sl_pb_tpos(K));
}
coldef(A) ::= ident(N) type(T) HEADER LP SCONST(S) RP(K). {
    A = pb_column(px, N, T, SL_AST_COL_HEADER, sl_pb_string(px, S, NULL), sl_pb_tpos(K));
}

%type props {sl_pvec_t *}
props(A) ::= LP proplist(L) RP. { A = L; }
%type proplist {sl_pvec_t *}
proplist(A) ::= prop(P). { A = sl_pvec_push(px->arena, NULL, P); }
proplist(A) ::= proplist(L) COMMA prop(P). { A = sl_pvec_push(px->arena, L, P); }
%type prop {sl_ast_prop_t *}
prop(A) ::= ident(N) EQ plit(V). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->name = N.name;
    A->value = V;
    A->pos = sl_pb_span(N.pos, V->pos);
}
prop(A) ::= SCONST(N) EQ plit(V). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->name = sl_pb_string(px, N, NULL);
    A->name_is_string = true;
    A->value = V;
    A->pos = sl_pb_span(sl_pb_tpos(N), V->pos);
}
%type withopt {sl_pvec_t *}
withopt(A) ::= . { A = NULL; }
withopt(A) ::= WITH props(P). { A = P; }

/* Literals of WITH properties, LIMIT, window sizes: a sign is part of the number. */
%type plit {sl_ast_expr_t *}
plit(A) ::= NULL|TRUE|FALSE|SCONST(T). { A = sl_pb_literal(px, T); }
plit(A) ::= VARIABLE(T). { A = sl_pb_variable(px, T); }
plit(A) ::= snum(N). { A = N; }
%type snum {sl_ast_expr_t *}
snum(A) ::= ICONST|DCONST|FCONST(T). { A = sl_pb_number(px, T); }
snum(A) ::= MINUS(M) ICONST|DCONST|FCONST(T). { A = sl_pb_negate(px, M, sl_pb_number(px, T)); }

/* CREATE TYPE / DROP TYPE */
stmt(A) ::= CREATE(C) orr(R) TYPE(Y) ifne(I) ident(N) AS type(T). {
    pb_no_replace(px, R, Y);
    A = sl_pb_stmt(px, SL_AST_STMT_CREATE_TYPE, C);
    A->u.create_type.if_not_exists = I;
    A->u.create_type.name = N;
    A->u.create_type.type = T;
}
stmt(A) ::= DROP(D) TYPE ife(I) ident(N). {
    A = sl_pb_stmt(px, SL_AST_STMT_DROP_TYPE, D);
    A->u.drop_named.if_exists = I;
    A->u.drop_named.name = N;
}

/* Connectors (parsed so that the planner can say "not supported") */
stmt(A) ::= CREATE(C) orr(R) SOURCE(Y) CONNECTOR ifne(I) ident(N) WITH props(P). {
    pb_no_replace(px, R, Y);
    A = sl_pb_stmt(px, SL_AST_STMT_CREATE_CONNECTOR, C);
    A->u.create_connector.source = true;
    A->u.create_connector.if_not_exists = I;
    A->u.create_connector.name = N;
    A->u.create_connector.props = SL_PB_ITEMS(sl_ast_prop_t, P);
    A->u.create_connector.n_props = SL_PB_COUNT(P);
}
stmt(A) ::= CREATE(C) orr(R) SINK(Y) CONNECTOR ifne(I) ident(N) WITH props(P). {
    pb_no_replace(px, R, Y);
    A = sl_pb_stmt(px, SL_AST_STMT_CREATE_CONNECTOR, C);
    A->u.create_connector.if_not_exists = I;
    A->u.create_connector.name = N;
    A->u.create_connector.props = SL_PB_ITEMS(sl_ast_prop_t, P);
    A->u.create_connector.n_props = SL_PB_COUNT(P);
}
stmt(A) ::= DROP(D) CONNECTOR ife(I) ident(N). {
    A = sl_pb_stmt(px, SL_AST_STMT_DROP_CONNECTOR, D);
    A->u.drop_named.if_exists = I;
    A->u.drop_named.name = N;
}

/* INSERT INTO */
stmt(A) ::= INSERT(T) INTO sname(N) withopt(W) query(Q). {
    A = sl_pb_stmt(px, SL_AST_STMT_INSERT_INTO, T);
    A->u.insert_into.target = N;
    A->u.insert_into.props = SL_PB_ITEMS(sl_ast_prop_t, W);
    A->u.insert_into.n_props = SL_PB_COUNT(W);
    A->u.insert_into.query = Q;
}
stmt(A) ::= INSERT(T) INTO sname(N) colsopt(C) VALUES values(V). {
    A = sl_pb_stmt(px, SL_AST_STMT_INSERT_VALUES, T);
    A->u.insert_values.target = N;
    A->u.insert_values.columns = sl_pb_idents(px, C, &A->u.insert_values.n_columns);
    A->u.insert_values.values = SL_PB_ITEMS(sl_ast_expr_t, V);
    A->u.insert_values.n_values = SL_PB_COUNT(V);
}
%type colsopt {sl_pvec_t *}
colsopt(A) ::= . { A = NULL; }
colsopt(A) ::= LP identlist(L) RP. { A = L; }
%type values {sl_pvec_t *}
values(A) ::= LP RP. { A = NULL; }
values(A) ::= LP vexprlist(L) RP. { A = L; }

/* DROP STREAM|TABLE */
%type deltopic {int}
deltopic(A) ::= . { A = 0; }
deltopic(A) ::= DELETE TOPIC. { A = 1; }
stmt(A) ::= DROP(D) STREAM ife(I) sname(N) deltopic(X). {
    A = sl_pb_stmt(px, SL_AST_STMT_DROP_SOURCE, D);
    A->u.drop_source.type = SL_AST_STREAM;
    A->u.drop_source.if_exists = I;
    A->u.drop_source.name = N;
    A->u.drop_source.delete_topic = X;
}
stmt(A) ::= DROP(D) TABLE ife(I) sname(N) deltopic(X). {
    A = sl_pb_stmt(px, SL_AST_STMT_DROP_SOURCE, D);
    A->u.drop_source.type = SL_AST_TABLE;
    A->u.drop_source.if_exists = I;
    A->u.drop_source.name = N;
    A->u.drop_source.delete_topic = X;
}

/* EXPLAIN */
stmt(A) ::= EXPLAIN(T) stmt(S). {
    A = sl_pb_stmt(px, SL_AST_STMT_EXPLAIN, T);
    sl_pb_stmt_end(px, S);
    A->u.explain.stmt = S;
}
stmt(A) ::= EXPLAIN(T) ident(N). {
    A = sl_pb_stmt(px, SL_AST_STMT_EXPLAIN, T);
    A->u.explain.query_id = N;
}

/* ALTER STREAM|TABLE name ADD [COLUMN] name type, ... */
stmt(A) ::= ALTER(T) STREAM sname(N) alteropts(L). {
    A = sl_pb_stmt(px, SL_AST_STMT_ALTER_SOURCE, T);
    A->u.alter_source.type = SL_AST_STREAM;
    A->u.alter_source.name = N;
    A->u.alter_source.columns = SL_PB_ITEMS(sl_ast_column_t, L);
    A->u.alter_source.n_columns = SL_PB_COUNT(L);
}
stmt(A) ::= ALTER(T) TABLE sname(N) alteropts(L). {
    A = sl_pb_stmt(px, SL_AST_STMT_ALTER_SOURCE, T);
    A->u.alter_source.type = SL_AST_TABLE;
    A->u.alter_source.name = N;
    A->u.alter_source.columns = SL_PB_ITEMS(sl_ast_column_t, L);
    A->u.alter_source.n_columns = SL_PB_COUNT(L);
}
%type alteropts {sl_pvec_t *}
alteropts(A) ::= alteropt(C). { A = sl_pvec_push(px->arena, NULL, C); }
alteropts(A) ::= alteropts(L) COMMA alteropt(C). { A = sl_pvec_push(px->arena, L, C); }
%type alteropt {sl_ast_column_t *}
alteropt(A) ::= ADD ident(N) type(T). { A = pb_column(px, N, T, SL_AST_COL_VALUE, NULL, T->pos); }
alteropt(A) ::= ADD COLUMN ident(N) type(T). {
    A = pb_column(px, N, T, SL_AST_COL_VALUE, NULL, T->pos);
}

/* ASSERT [NOT EXISTS] TOPIC | SCHEMA */
%type notexists {int}
notexists(A) ::= . { A = 0; }
notexists(A) ::= NOT EXISTS. { A = 1; }
%type rname {const char *}
rname(A) ::= ident(N). { A = N.name; }
rname(A) ::= SCONST(S). { A = sl_pb_string(px, S, NULL); }
%type timeout {sl_ast_duration_t *}
timeout(A) ::= . { A = NULL; }
timeout(A) ::= TIMEOUT duration(D). { A = pb_dur_box(px, D); }

stmt(A) ::= ASSERT(T) notexists(X) TOPIC rname(N) withopt(W) timeout(O). {
    A = sl_pb_stmt(px, SL_AST_STMT_ASSERT_TOPIC, T);
    A->u.assert_.not_exists = X;
    A->u.assert_.name = N;
    A->u.assert_.props = SL_PB_ITEMS(sl_ast_prop_t, W);
    A->u.assert_.n_props = SL_PB_COUNT(W);
    if (O) {
        A->u.assert_.has_timeout = true;
        A->u.assert_.timeout = *O;
    }
}
stmt(A) ::= ASSERT(T) notexists(X) SCHEMA subject(N) schemaid(I) timeout(O). {
    A = sl_pb_stmt(px, SL_AST_STMT_ASSERT_SCHEMA, T);
    A->u.assert_.not_exists = X;
    A->u.assert_.name = N;
    A->u.assert_.id = I;
    if (O) {
        A->u.assert_.has_timeout = true;
        A->u.assert_.timeout = *O;
    }
}
%type subject {const char *}
subject(A) ::= . { A = NULL; }
subject(A) ::= SUBJECT rname(N). { A = N; }
%type schemaid {sl_ast_expr_t *}
schemaid(A) ::= . { A = NULL; }
schemaid(A) ::= KW_ID plit(V). { A = V; }

/* Test scripts only (the driver turns ASSERT into TEST_ASSERT with SL_SQL_PARSE_TEST). */
stmt(A) ::= TEST_ASSERT(T) VALUES sname(N) colsopt(C) VALUES values(V). {
    A = sl_pb_stmt(px, SL_AST_STMT_ASSERT_VALUES, T);
    A->u.insert_values.target = N;
    A->u.insert_values.columns = sl_pb_idents(px, C, &A->u.insert_values.n_columns);
    A->u.insert_values.values = SL_PB_ITEMS(sl_ast_expr_t, V);
    A->u.insert_values.n_values = SL_PB_COUNT(V);
}
stmt(A) ::= TEST_ASSERT(T) NULL VALUES sname(N) colsopt(C) KEY values(V). {
    A = sl_pb_stmt(px, SL_AST_STMT_ASSERT_TOMBSTONE, T);
    A->u.insert_values.target = N;
    A->u.insert_values.columns = sl_pb_idents(px, C, &A->u.insert_values.n_columns);
    A->u.insert_values.values = SL_PB_ITEMS(sl_ast_expr_t, V);
    A->u.insert_values.n_values = SL_PB_COUNT(V);
}
stmt(A) ::= TEST_ASSERT(T) STREAM sname(N) telemsopt(E) withopt(W). {
    A = sl_pb_stmt(px, SL_AST_STMT_ASSERT_SOURCE, T);
    A->u.create_source.type = SL_AST_STREAM;
    A->u.create_source.name = N;
    A->u.create_source.columns = SL_PB_ITEMS(sl_ast_column_t, E);
    A->u.create_source.n_columns = SL_PB_COUNT(E);
    A->u.create_source.props = SL_PB_ITEMS(sl_ast_prop_t, W);
    A->u.create_source.n_props = SL_PB_COUNT(W);
    sl_pb_check_columns(px, SL_AST_STREAM, E);
}
stmt(A) ::= TEST_ASSERT(T) TABLE sname(N) telemsopt(E) withopt(W). {
    A = sl_pb_stmt(px, SL_AST_STMT_ASSERT_SOURCE, T);
    A->u.create_source.type = SL_AST_TABLE;
    A->u.create_source.name = N;
    A->u.create_source.columns = SL_PB_ITEMS(sl_ast_column_t, E);
    A->u.create_source.n_columns = SL_PB_COUNT(E);
    A->u.create_source.props = SL_PB_ITEMS(sl_ast_prop_t, W);
    A->u.create_source.n_props = SL_PB_COUNT(W);
    sl_pb_check_columns(px, SL_AST_TABLE, E);
}
%type telemsopt {sl_pvec_t *}
telemsopt(A) ::= . { A = NULL; }
telemsopt(A) ::= telems(E). { A = E; }

/* ------------------------------------------------------------------------------------------ */
/* Queries                                                                                    */

%type query {sl_ast_query_t *}
query(A) ::= SELECT(S) selitems(I) FROM relation(R) window(W) where(WH) groupby(G)
             partitionby(P) having(H) emit(E) limit(L). {
    A = pb_query(px, S);
    A->items = SL_PB_ITEMS(sl_ast_select_item_t, I);
    A->n_items = SL_PB_COUNT(I);
    A->from = R->v[0];
    A->joins = (sl_ast_join_t **)R->v + 1;
    A->n_joins = R->n - 1;
    if (A->n_joins == 0) A->joins = NULL;
    A->window = W;
    A->where = WH;
    if (G) {
        A->has_group_by = true;
        A->group_by = SL_PB_ITEMS(sl_ast_expr_t, G);
        A->n_group_by = G->n;
    }
    if (P) {
        A->has_partition_by = true;
        A->partition_by = SL_PB_ITEMS(sl_ast_expr_t, P);
        A->n_partition_by = P->n;
    }
    A->having = H;
    A->emit = E;
    A->limit = L;
}

%type selitems {sl_pvec_t *}
selitems(A) ::= selitem(I). { A = sl_pvec_push(px->arena, NULL, I); }
selitems(A) ::= selitems(L) COMMA selitem(I). { A = sl_pvec_push(px->arena, L, I); }

%type selitem {sl_ast_select_item_t *}
selitem(A) ::= expr(E). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->kind = SL_AST_SELECT_EXPR;
    A->expr = E;
    A->pos = E->pos;
}
selitem(A) ::= expr(E) ident(N). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->kind = SL_AST_SELECT_EXPR;
    A->expr = E;
    A->alias = N;
    A->pos = sl_pb_span(E->pos, N.pos);
}
selitem(A) ::= expr(E) AS ident(N). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->kind = SL_AST_SELECT_EXPR;
    A->expr = E;
    A->alias = N;
    A->pos = sl_pb_span(E->pos, N.pos);
}
selitem(A) ::= primary(E) ARROW STAR(T). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->kind = SL_AST_SELECT_STRUCT_ALL;
    A->expr = E;
    A->pos = sl_pb_span_tok(E->pos, T);
}
selitem(A) ::= nident(N) DOT STAR(T). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->kind = SL_AST_SELECT_SOURCE_ALL;
    A->source = N;
    A->pos = sl_pb_span_tok(N.pos, T);
}
selitem(A) ::= STAR(T). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->kind = SL_AST_SELECT_ALL;
    A->pos = sl_pb_tpos(T);
}

/* FROM source [alias] (join)* — as a list: [source_ref, join, join ...] */
%type relation {sl_pvec_t *}
relation(A) ::= srcref(S). { A = sl_pvec_push(px->arena, NULL, S); }
relation(A) ::= relation(L) join(J). { A = sl_pvec_push(px->arena, L, J); }

%type srcref {sl_ast_source_ref_t *}
srcref(A) ::= sname(N). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->name = N;
    A->pos = N.pos;
}
srcref(A) ::= sname(N) sname(B). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->name = N;
    A->alias = B;
    A->pos = sl_pb_span(N.pos, B.pos);
}
srcref(A) ::= sname(N) AS sname(B). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->name = N;
    A->alias = B;
    A->pos = sl_pb_span(N.pos, B.pos);
}

%type join {sl_ast_join_t *}
join(A) ::= jtype(T) JOIN(J) srcref(R) within(W) ON expr(E). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->type = (sl_ast_join_type_t)(T & 0xff);
    A->outer_kw = (T & PB_OUTER) != 0;
    A->right = R;
    A->within = W;
    A->on = E;
    A->pos = sl_pb_span(sl_pb_tpos(J), E->pos);
}
%type jtype {int}
jtype(A) ::= . { A = SL_AST_JOIN_INNER; }
jtype(A) ::= INNER. { A = SL_AST_JOIN_INNER; }
jtype(A) ::= LEFT. { A = SL_AST_JOIN_LEFT; }
jtype(A) ::= LEFT OUTER. { A = SL_AST_JOIN_LEFT | PB_OUTER; }
jtype(A) ::= RIGHT. { A = SL_AST_JOIN_RIGHT; }
jtype(A) ::= RIGHT OUTER. { A = SL_AST_JOIN_RIGHT | PB_OUTER; }
jtype(A) ::= FULL. { A = SL_AST_JOIN_FULL; }
jtype(A) ::= FULL OUTER. { A = SL_AST_JOIN_FULL | PB_OUTER; }

%type within {sl_ast_within_t *}
within(A) ::= . { A = NULL; }
within(A) ::= WITHIN(T) duration(D) grace(G). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->before = A->after = D;
    if (G) {
        A->has_grace = true;
        A->grace = *G;
    }
    A->pos = sl_pb_span(sl_pb_tpos(T), G ? G->pos : D.pos);
}
within(A) ::= WITHIN(T) LP duration(B) COMMA duration(F) RP(R) grace(G). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->before = B;
    A->after = F;
    A->two_sided = true;
    if (G) {
        A->has_grace = true;
        A->grace = *G;
    }
    A->pos = sl_pb_span(sl_pb_tpos(T), G ? G->pos : sl_pb_tpos(R));
}
%type grace {sl_ast_duration_t *}
grace(A) ::= . { A = NULL; }
grace(A) ::= GRACE PERIOD duration(D). { A = pb_dur_box(px, D); }

%type duration {sl_ast_duration_t}
duration(A) ::= snum(N) DAY|HOUR|MINUTE|SECOND|MILLISECOND|DAYS|HOURS|MINUTES|SECONDS|MILLISECONDS(U). {
    A = sl_pb_duration(px, N, U);
}

%type window {sl_ast_window_t *}
window(A) ::= . { A = NULL; }
window(A) ::= WINDOW(T) wname(N) wspec(S). {
    A = S;
    A->name = N;
    A->pos = sl_pb_span(sl_pb_tpos(T), S->pos);
}
%type wname {sl_ast_ident_t}
wname(A) ::= . { memset(&A, 0, sizeof A); }
wname(A) ::= IDENT(T). { A = sl_pb_ident(px, T); }

%type wspec {sl_ast_window_t *}
wspec(A) ::= TUMBLING(T) LP SIZE duration(D) wtail(W). {
    A = W;
    A->kind = SL_AST_WINDOW_TUMBLING;
    A->size = D;
    A->pos = sl_pb_span(sl_pb_tpos(T), W->pos);
}
wspec(A) ::= HOPPING(T) LP SIZE duration(D) COMMA ADVANCE BY duration(V) wtail(W). {
    A = W;
    A->kind = SL_AST_WINDOW_HOPPING;
    A->size = D;
    A->advance = V;
    A->pos = sl_pb_span(sl_pb_tpos(T), W->pos);
}
wspec(A) ::= SESSION(T) LP duration(D) wtail(W). {
    A = W;
    A->kind = SL_AST_WINDOW_SESSION;
    A->size = D;
    A->pos = sl_pb_span(sl_pb_tpos(T), W->pos);
}
/* The end of a window spec: [, RETENTION d] [, GRACE PERIOD d] ) — pos is the ')'. */
%type wtail {sl_ast_window_t *}
wtail(A) ::= RP(R). { A = sl_ast_arena_alloc(px->arena, sizeof *A); A->pos = sl_pb_tpos(R); }
wtail(A) ::= COMMA RETENTION duration(D) RP(R). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->has_retention = true;
    A->retention = D;
    A->pos = sl_pb_tpos(R);
}
wtail(A) ::= COMMA RETENTION duration(D) COMMA GRACE PERIOD duration(G) RP(R). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->has_retention = true;
    A->retention = D;
    A->has_grace = true;
    A->grace = G;
    A->pos = sl_pb_tpos(R);
}
wtail(A) ::= COMMA GRACE PERIOD duration(G) RP(R). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->has_grace = true;
    A->grace = G;
    A->pos = sl_pb_tpos(R);
}

%type where {sl_ast_expr_t *}
where(A) ::= . { A = NULL; }
where(A) ::= WHERE expr(E). { A = E; }

%type groupby {sl_pvec_t *}
groupby(A) ::= . { A = NULL; }
groupby(A) ::= GROUP BY bylist(L). { A = L; }
%type partitionby {sl_pvec_t *}
partitionby(A) ::= . { A = NULL; }
partitionby(A) ::= PARTITION BY bylist(L). { A = L; }
/* a, b | (a, b) | () — never NULL: an empty vector for () */
%type bylist {sl_pvec_t *}
bylist(A) ::= vexprlist(L). { A = L; }
bylist(A) ::= LP RP. { A = sl_pvec_new(px->arena); }
bylist(A) ::= LP vexpr(E) COMMA vexprlist(L) RP. {
    A = sl_pvec_push(px->arena, NULL, E);
    for (uint32_t i = 0; i < L->n; i++) A = sl_pvec_push(px->arena, A, L->v[i]);
}

%type having {sl_ast_expr_t *}
having(A) ::= . { A = NULL; }
having(A) ::= HAVING expr(E). { A = E; }

%type emit {sl_ast_emit_t}
emit(A) ::= . { A = SL_AST_EMIT_NONE; }
emit(A) ::= EMIT CHANGES. { A = SL_AST_EMIT_CHANGES; }
emit(A) ::= EMIT FINAL. { A = SL_AST_EMIT_FINAL; }

%type limit {sl_ast_expr_t *}
limit(A) ::= . { A = NULL; }
limit(A) ::= LIMIT snum(N). { A = N; }

/* ------------------------------------------------------------------------------------------ */
/* Expressions                                                                                */

%type expr {sl_ast_expr_t *}
expr(A) ::= expr(L) OR expr(R). { A = sl_pb_binary(px, SL_AST_OP_OR, L, R); }
expr(A) ::= expr(L) AND expr(R). { A = sl_pb_binary(px, SL_AST_OP_AND, L, R); }
expr(A) ::= NOT(T) expr(B). { A = sl_pb_unary(px, T, SL_AST_OP_NOT, B); }
expr(A) ::= pred(B). { A = B; }

%type exprlist {sl_pvec_t *}
exprlist(A) ::= expr(E). { A = sl_pvec_push(px->arena, NULL, E); }
exprlist(A) ::= exprlist(L) COMMA expr(E). { A = sl_pvec_push(px->arena, L, E); }

%type vexprlist {sl_pvec_t *}
vexprlist(A) ::= vexpr(E). { A = sl_pvec_push(px->arena, NULL, E); }
vexprlist(A) ::= vexprlist(L) COMMA vexpr(E). { A = sl_pvec_push(px->arena, L, E); }

/* One predicate over value expressions. */
%type pred {sl_ast_expr_t *}
pred(A) ::= vexpr(B). { A = B; }
pred(A) ::= vexpr(L) EQ|NE|LT|LE|GT|GE(O) vexpr(R). {
    static const sl_ast_op_t ops[] = {SL_AST_OP_EQ, SL_AST_OP_NE, SL_AST_OP_LT,
                                      SL_AST_OP_LE, SL_AST_OP_GT, SL_AST_OP_GE};
    A = sl_pb_binary(px, ops[O.type - SL_TK_EQ], L, R);
}
pred(A) ::= vexpr(V) BETWEEN vexpr(L) AND vexpr(H). {
    A = sl_pb_expr(px, SL_AST_EXPR_BETWEEN, sl_pb_span(V->pos, H->pos));
    A->u.between.value = V;
    A->u.between.low = L;
    A->u.between.high = H;
    sl_pb_seal(px, A);
}
pred(A) ::= vexpr(V) NOT BETWEEN vexpr(L) AND vexpr(H). {
    A = sl_pb_expr(px, SL_AST_EXPR_BETWEEN, sl_pb_span(V->pos, H->pos));
    A->u.between.value = V;
    A->u.between.low = L;
    A->u.between.high = H;
    A->u.between.negated = true;
    sl_pb_seal(px, A);
}
pred(A) ::= vexpr(V) IN LP exprlist(L) RP(R). {
    A = sl_pb_expr(px, SL_AST_EXPR_IN, sl_pb_span_tok(V->pos, R));
    A->u.in.value = V;
    A->u.in.list = SL_PB_ITEMS(sl_ast_expr_t, L);
    A->u.in.n_list = L->n;
    sl_pb_seal(px, A);
}
pred(A) ::= vexpr(V) NOT IN LP exprlist(L) RP(R). {
    A = sl_pb_expr(px, SL_AST_EXPR_IN, sl_pb_span_tok(V->pos, R));
    A->u.in.value = V;
    A->u.in.list = SL_PB_ITEMS(sl_ast_expr_t, L);
    A->u.in.n_list = L->n;
    A->u.in.negated = true;
    sl_pb_seal(px, A);
}
pred(A) ::= vexpr(V) LIKE vexpr(P) escape(E). {
    A = sl_pb_expr(px, SL_AST_EXPR_LIKE, sl_pb_span(V->pos, P->pos));
    A->u.like.value = V;
    A->u.like.pattern = P;
    A->u.like.escape = E;
    sl_pb_seal(px, A);
}
pred(A) ::= vexpr(V) NOT LIKE vexpr(P) escape(E). {
    A = sl_pb_expr(px, SL_AST_EXPR_LIKE, sl_pb_span(V->pos, P->pos));
    A->u.like.value = V;
    A->u.like.pattern = P;
    A->u.like.escape = E;
    A->u.like.negated = true;
    sl_pb_seal(px, A);
}
pred(A) ::= vexpr(V) IS NULL(T). {
    A = sl_pb_expr(px, SL_AST_EXPR_IS_NULL, sl_pb_span_tok(V->pos, T));
    A->u.is_null.arg = V;
    sl_pb_seal(px, A);
}
pred(A) ::= vexpr(V) IS NOT NULL(T). {
    A = sl_pb_expr(px, SL_AST_EXPR_IS_NULL, sl_pb_span_tok(V->pos, T));
    A->u.is_null.arg = V;
    A->u.is_null.negated = true;
    sl_pb_seal(px, A);
}
pred(A) ::= vexpr(L) IS DISTINCT FROM vexpr(R). {
    A = sl_pb_binary(px, SL_AST_OP_IS_DISTINCT, L, R);
}
pred(A) ::= vexpr(L) IS NOT DISTINCT FROM vexpr(R). {
    A = sl_pb_binary(px, SL_AST_OP_IS_DISTINCT, L, R);
    A->u.binary.negated = true;
}
%type escape {const char *}
escape(A) ::= . { A = NULL; }
escape(A) ::= ESCAPE SCONST(S). { A = sl_pb_string(px, S, NULL); }

/* Value expressions: || + - * / % unary, AT TIME ZONE. */
%type vexpr {sl_ast_expr_t *}
vexpr(A) ::= primary(P). { A = P; }
vexpr(A) ::= vexpr(V) AT TIME ZONE SCONST(Z). {
    A = sl_pb_expr(px, SL_AST_EXPR_AT_TIME_ZONE, sl_pb_span_tok(V->pos, Z));
    A->u.at_zone.arg = V;
    A->u.at_zone.zone = sl_pb_string(px, Z, NULL);
    sl_pb_seal(px, A);
}
vexpr(A) ::= MINUS(T) vexpr(B). [UMINUS] { A = sl_pb_negate(px, T, B); }
vexpr(A) ::= PLUS(T) vexpr(B). [UMINUS] { A = sl_pb_unary(px, T, SL_AST_OP_PLUS, B); }
vexpr(A) ::= vexpr(L) STAR vexpr(R). { A = sl_pb_binary(px, SL_AST_OP_MUL, L, R); }
vexpr(A) ::= vexpr(L) SLASH vexpr(R). { A = sl_pb_binary(px, SL_AST_OP_DIV, L, R); }
vexpr(A) ::= vexpr(L) PERCENT vexpr(R). { A = sl_pb_binary(px, SL_AST_OP_MOD, L, R); }
vexpr(A) ::= vexpr(L) PLUS vexpr(R). { A = sl_pb_binary(px, SL_AST_OP_ADD, L, R); }
vexpr(A) ::= vexpr(L) MINUS vexpr(R). { A = sl_pb_binary(px, SL_AST_OP_SUB, L, R); }
vexpr(A) ::= vexpr(L) CONCAT vexpr(R). { A = sl_pb_binary(px, SL_AST_OP_CONCAT, L, R); }

%type primary {sl_ast_expr_t *}
primary(A) ::= NULL|TRUE|FALSE|SCONST(T). { A = sl_pb_literal(px, T); }
primary(A) ::= ICONST|DCONST|FCONST(T). { A = sl_pb_number(px, T); }
primary(A) ::= VARIABLE(T). { A = sl_pb_variable(px, T); }
primary(A) ::= nident(N) SCONST(S). { A = sl_pb_typed_literal(px, N, S); }
primary(A) ::= nident(N). { A = sl_pb_column(px, NULL, &N); }
primary(A) ::= nident(S) DOT nident(N). { A = sl_pb_column(px, &S, &N); }
primary(A) ::= primary(B) ARROW nident(N). {
    A = sl_pb_expr(px, SL_AST_EXPR_DEREF, sl_pb_span(B->pos, N.pos));
    A->u.deref.base = B;
    A->u.deref.field = N;
    sl_pb_seal(px, A);
}
primary(A) ::= primary(B) LBRACKET vexpr(I) RBRACKET(R). {
    A = sl_pb_expr(px, SL_AST_EXPR_SUBSCRIPT, sl_pb_span_tok(B->pos, R));
    A->u.subscript.base = B;
    A->u.subscript.index = I;
    sl_pb_seal(px, A);
}
primary(A) ::= LP expr(E) RP. { A = sl_pb_parens(E); }
primary(A) ::= nident(N) LP STAR RP(R). { A = sl_pb_call(px, N, NULL, true, R); }
primary(A) ::= nident(N) LP RP(R). { A = sl_pb_call(px, N, NULL, false, R); }
primary(A) ::= nident(N) LP fnargs(L) RP(R). { A = sl_pb_call(px, N, L, false, R); }
primary(A) ::= CAST(T) LP expr(E) AS type(Y) RP(R). {
    A = sl_pb_expr(px, SL_AST_EXPR_CAST, sl_pb_span_tok(sl_pb_tpos(T), R));
    A->u.cast.arg = E;
    A->u.cast.type = Y;
    sl_pb_seal(px, A);
}
primary(A) ::= CASE(T) vexpr(O) whens(W) else(E) END(X). {
    A = sl_pb_expr(px, SL_AST_EXPR_CASE, sl_pb_span_tok(sl_pb_tpos(T), X));
    A->u.case_.operand = O;
    A->u.case_.whens = SL_PB_ITEMS(sl_ast_when_t, W);
    A->u.case_.n_whens = W->n;
    A->u.case_.else_ = E;
    sl_pb_seal(px, A);
}
primary(A) ::= CASE(T) whens(W) else(E) END(X). {
    A = sl_pb_expr(px, SL_AST_EXPR_CASE, sl_pb_span_tok(sl_pb_tpos(T), X));
    A->u.case_.whens = SL_PB_ITEMS(sl_ast_when_t, W);
    A->u.case_.n_whens = W->n;
    A->u.case_.else_ = E;
    sl_pb_seal(px, A);
}
primary(A) ::= ARRAY(T) LBRACKET RBRACKET(R). {
    A = sl_pb_expr(px, SL_AST_EXPR_ARRAY, sl_pb_span_tok(sl_pb_tpos(T), R));
    sl_pb_seal(px, A);
}
primary(A) ::= ARRAY(T) LBRACKET exprlist(L) RBRACKET(R). {
    A = sl_pb_expr(px, SL_AST_EXPR_ARRAY, sl_pb_span_tok(sl_pb_tpos(T), R));
    A->u.array.items = SL_PB_ITEMS(sl_ast_expr_t, L);
    A->u.array.n_items = L->n;
    sl_pb_seal(px, A);
}
primary(A) ::= MAP(T) LP RP(R). {
    A = sl_pb_expr(px, SL_AST_EXPR_MAP, sl_pb_span_tok(sl_pb_tpos(T), R));
    sl_pb_seal(px, A);
}
primary(A) ::= MAP(T) LP mapentries(L) RP(R). {
    A = sl_pb_expr(px, SL_AST_EXPR_MAP, sl_pb_span_tok(sl_pb_tpos(T), R));
    A->u.map.n_entries = L->n / 2;
    A->u.map.keys = sl_ast_arena_alloc(px->arena, sizeof(sl_ast_expr_t *) * (L->n / 2));
    A->u.map.values = sl_ast_arena_alloc(px->arena, sizeof(sl_ast_expr_t *) * (L->n / 2));
    for (uint32_t i = 0; i < L->n / 2; i++) {
        A->u.map.keys[i] = L->v[2 * i];
        A->u.map.values[i] = L->v[2 * i + 1];
    }
    sl_pb_seal(px, A);
}
primary(A) ::= STRUCT(T) LP RP(R). {
    A = sl_pb_expr(px, SL_AST_EXPR_STRUCT, sl_pb_span_tok(sl_pb_tpos(T), R));
    sl_pb_seal(px, A);
}
primary(A) ::= STRUCT(T) LP structentries(L) RP(R). {
    A = sl_pb_expr(px, SL_AST_EXPR_STRUCT, sl_pb_span_tok(sl_pb_tpos(T), R));
    A->u.struct_.n_fields = L->n / 2;
    A->u.struct_.names = sl_ast_arena_alloc(px->arena, sizeof(sl_ast_ident_t) * (L->n / 2));
    A->u.struct_.values = sl_ast_arena_alloc(px->arena, sizeof(sl_ast_expr_t *) * (L->n / 2));
    for (uint32_t i = 0; i < L->n / 2; i++) {
        A->u.struct_.names[i] = *(sl_ast_ident_t *)L->v[2 * i];
        A->u.struct_.values[i] = L->v[2 * i + 1];
    }
    sl_pb_seal(px, A);
}

/* key, value, key, value ... */
%type mapentries {sl_pvec_t *}
mapentries(A) ::= expr(K) ASSIGN expr(V). {
    A = sl_pvec_push(px->arena, sl_pvec_push(px->arena, NULL, K), V);
}
mapentries(A) ::= mapentries(L) COMMA expr(K) ASSIGN expr(V). {
    A = sl_pvec_push(px->arena, sl_pvec_push(px->arena, L, K), V);
}
/* boxed name, value, boxed name, value ... */
%type structentries {sl_pvec_t *}
structentries(A) ::= ident(N) ASSIGN expr(V). {
    A = sl_pvec_push(px->arena, sl_pvec_push(px->arena, NULL, sl_pb_ident_box(px, N)), V);
}
structentries(A) ::= structentries(L) COMMA ident(N) ASSIGN expr(V). {
    A = sl_pvec_push(px->arena, sl_pvec_push(px->arena, L, sl_pb_ident_box(px, N)), V);
}

%type whens {sl_pvec_t *}
whens(A) ::= when(W). { A = sl_pvec_push(px->arena, NULL, W); }
whens(A) ::= whens(L) when(W). { A = sl_pvec_push(px->arena, L, W); }
%type when {sl_ast_when_t *}
when(A) ::= WHEN(T) expr(C) THEN expr(R). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->cond = C;
    A->result = R;
    A->pos = sl_pb_span(sl_pb_tpos(T), R->pos);
}
%type else {sl_ast_expr_t *}
else(A) ::= . { A = NULL; }
else(A) ::= ELSE expr(E). { A = E; }

/* Function arguments: expressions, lambdas, and time units (DATEADD(DAYS, ...)). */
%type fnargs {sl_pvec_t *}
fnargs(A) ::= fnarg(E). { A = sl_pvec_push(px->arena, NULL, E); }
fnargs(A) ::= fnargs(L) COMMA fnarg(E). { A = sl_pvec_push(px->arena, L, E); }
%type fnarg {sl_ast_expr_t *}
fnarg(A) ::= expr(E). { A = E; }
fnarg(A) ::= MILLISECOND|DAYS|HOURS|MINUTES|SECONDS|MILLISECONDS(U). { A = sl_pb_unit(px, U); }
fnarg(A) ::= nident(N) LAMBDA_ARROW expr(B). {
    sl_pvec_t *p = sl_pvec_push(px->arena, NULL, sl_pb_ident_box(px, N));
    A = sl_pb_lambda(px, N.pos, p, B);
}
fnarg(A) ::= LAMBDA_LP(T) lparams(P) RP LAMBDA_ARROW expr(B). {
    A = sl_pb_lambda(px, sl_pb_tpos(T), P, B);
}
%type lparams {sl_pvec_t *}
lparams(A) ::= ident(N). { A = sl_pvec_push(px->arena, NULL, sl_pb_ident_box(px, N)); }
lparams(A) ::= lparams(L) COMMA ident(N). { A = sl_pvec_push(px->arena, L, sl_pb_ident_box(px, N)); }

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                      */

%type type {sl_ast_type_t *}
type(A) ::= type(E) ARRAY(T). {
    A = sl_pb_type(px, SL_AST_TYPE_ARRAY, sl_pb_span_tok(E->pos, T));
    A->elem = E;
    sl_pb_seal_type(px, A);
}
type(A) ::= ARRAY(T) LT type(E) GT(G). {
    A = sl_pb_type(px, SL_AST_TYPE_ARRAY, sl_pb_span_tok(sl_pb_tpos(T), G));
    A->elem = E;
    sl_pb_seal_type(px, A);
}
type(A) ::= MAP(T) LT type(K) COMMA type(V) GT(G). {
    A = sl_pb_type(px, SL_AST_TYPE_MAP, sl_pb_span_tok(sl_pb_tpos(T), G));
    A->key = K;
    A->elem = V;
    sl_pb_seal_type(px, A);
}
type(A) ::= STRUCT(T) LT GT(G). {
    A = sl_pb_type(px, SL_AST_TYPE_STRUCT, sl_pb_span_tok(sl_pb_tpos(T), G));
    sl_pb_seal_type(px, A);
}
type(A) ::= STRUCT(T) LT fields(L) GT(G). {
    A = sl_pb_type(px, SL_AST_TYPE_STRUCT, sl_pb_span_tok(sl_pb_tpos(T), G));
    A->fields = SL_PB_ITEMS(sl_ast_field_t, L);
    A->n_fields = L->n;
    sl_pb_seal_type(px, A);
}
type(A) ::= DECIMAL(T) LP snum(P) COMMA snum(S) RP(R). {
    A = sl_pb_type(px, SL_AST_TYPE_DECIMAL, sl_pb_span_tok(sl_pb_tpos(T), R));
    A->precision = sl_pb_int(px, P);
    A->scale = sl_pb_int(px, S);
    sl_pb_seal_type(px, A);
}
type(A) ::= ident(N). {
    A = sl_pb_type(px, SL_AST_TYPE_NAMED, N.pos);
    A->name = N;
    sl_pb_seal_type(px, A);
}
type(A) ::= ident(N) LP tparams(L) RP(R). {
    A = sl_pb_type(px, SL_AST_TYPE_NAMED, sl_pb_span_tok(N.pos, R));
    A->name = N;
    A->params = (const char **)L->v;
    A->n_params = L->n;
    sl_pb_seal_type(px, A);
}
%type tparams {sl_pvec_t *}
tparams(A) ::= tparam(P). { A = sl_pvec_push(px->arena, NULL, (void *)P); }
tparams(A) ::= tparams(L) COMMA tparam(P). { A = sl_pvec_push(px->arena, L, (void *)P); }
%type tparam {const char *}
tparam(A) ::= ICONST|KW_STRING(T). {
    A = sl_ast_arena_strndup(px->arena, px->src + T.off, T.len);
    if (T.type == SL_TK_KW_STRING) A = "STRING";
}

%type fields {sl_pvec_t *}
fields(A) ::= field(F). { A = sl_pvec_push(px->arena, NULL, F); }
fields(A) ::= fields(L) COMMA field(F). { A = sl_pvec_push(px->arena, L, F); }
%type field {sl_ast_field_t *}
field(A) ::= ident(N) type(T). {
    A = sl_ast_arena_alloc(px->arena, sizeof *A);
    A->name = N;
    A->type = T;
}

%code {
/* Finds the action for terminal la in state stateno (yy_find_shift_action without its
 * asserts: any state number and terminal are fine here). */
static YYACTIONTYPE pb_action(YYCODETYPE la, YYACTIONTYPE stateno)
{
    if (stateno > YY_MAX_SHIFT) return stateno;
    int i = yy_shift_ofst[stateno] + la;
    if (i < 0 || i >= (int)YY_NLOOKAHEAD || yy_lookahead[i] != la) return yy_default[stateno];
    return yy_action[i];
}

/* Would a parser with the state stack st[0..top] take la[0], then la[1] ... (n terminals),
 * with the reductions they cause? Works on st in place (cap entries; callers pass a copy).
 * End of input (0) counts as taken when it leads to accepting. */
static int pb_accepts_seq(YYACTIONTYPE *st, int top, int cap, const int *la, int n)
{
    for (int k = 0; k < n; k++) {
        YYACTIONTYPE act = st[top];
        int ok = 0;
        for (int guard = 0; guard < 100000 && !ok; guard++) {
            act = pb_action((YYCODETYPE)la[k], act);
            if (act >= YY_MIN_REDUCE &&
                act - YY_MIN_REDUCE < (int)(sizeof yyRuleInfoLhs / sizeof yyRuleInfoLhs[0])) {
                int rule = act - YY_MIN_REDUCE;
                top += yyRuleInfoNRhs[rule];
                if (top < 0) return 0;
                YYACTIONTYPE g = yy_find_reduce_action(st[top], yyRuleInfoLhs[rule]);
                if (++top >= cap) return 0;
                st[top] = g;
                act = g;
            } else if (act <= YY_MAX_SHIFTREDUCE) {
                if (++top >= cap) return 0;
                st[top] = act > YY_MAX_SHIFT
                              ? (YYACTIONTYPE)(act + YY_MIN_REDUCE - YY_MIN_SHIFTREDUCE)
                              : act;
                ok = 1;
            } else if (act == YY_ACCEPT_ACTION) {
                return k == n - 1;
            } else {
                return 0;
            }
        }
        if (!ok) return 0;
    }
    return 1;
}

/* Copies the state numbers of p's stack into st (room for cap); returns the top index, or -1
 * when they do not fit with `spare` entries to grow. */
static int pb_copy_states(const yyParser *p, YYACTIONTYPE *st, int cap, int spare)
{
    int top = (int)(p->yytos - p->yystack);
    if (top + 1 + spare > cap) return -1;
    for (int i = 0; i <= top; i++) st[i] = p->yystack[i].stateno;
    return top;
}

int sl_sql_lemon_depth(void *p)
{
    const yyParser *pp = p;
    return (int)(pp->yytos - pp->yystack) + 1;
}

int sl_sql_lemon_save(void *p, int *states, int cap)
{
    const yyParser *pp = p;
    int n = (int)(pp->yytos - pp->yystack) + 1;
    if (n > cap) return -1;
    for (int i = 0; i < n; i++) states[i] = pp->yystack[i].stateno;
    return n;
}

int sl_sql_lemon_expected(const int *states, int n_states, unsigned char *set, int set_size)
{
    int cap = n_states + 64;
    YYACTIONTYPE *st = malloc(sizeof *st * (size_t)cap * 2);
    if (!st || n_states <= 0) {
        free(st);
        return 0;
    }
    YYACTIONTYPE *work = st + cap;
    for (int i = 0; i < n_states; i++) st[i] = (YYACTIONTYPE)states[i];
    int n = YYNTOKEN < set_size ? YYNTOKEN : set_size;
    for (int t = 1; t < n; t++) {
        memcpy(work, st, sizeof *st * (size_t)n_states);
        set[t] = (unsigned char)pb_accepts_seq(work, n_states - 1, cap, &t, 1);
    }
    free(st);
    return n;
}

int sl_sql_lemon_accepts(void *p, const int *types, int n)
{
    const yyParser *pp = p;
    YYACTIONTYPE small[256], *st = small;
    int cap = (int)(pp->yytos - pp->yystack) + 64 + n;
    for (int k = 0; k < n; k++)
        if (types[k] < 0 || types[k] >= YYNTOKEN || (types[k] == 0 && k != n - 1)) return 0;
    if (cap > 256) {
        st = malloc(sizeof *st * (size_t)cap);
        if (!st) return 0;
    } else {
        cap = 256;
    }
    int top = pb_copy_states(pp, st, cap, 0);
    int ok = top >= 0 && pb_accepts_seq(st, top, cap, types, n);
    if (st != small) free(st);
    return ok;
}
}
