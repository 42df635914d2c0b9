/*
 * parser.h — parsing ksqlDB SQL scripts into syntax trees (sql/ast.h).
 *
 * A script is any number of statements, each ended by ';' (the last one may omit it). The
 * parser returns every statement with its source span and text, so the REST door can echo
 * each statement's text as ksqlDB does.
 *
 * Errors come back in the shape ksqlDB gives them (its REST door answers them as
 * statement_error 40001, adding "\nStatement: <text>"):
 *   line 1:33: Syntax Error
 *   Expecting {'STRING', INTEGER_VALUE}
 * The position is that of the first token that cannot continue a valid statement. The
 * expected sets come from the parser's tables: sl_sql_error_t.expecting holds every token
 * that could have stood there; the message lists the tokens that can follow the constructs
 * the offending token completed ("Expecting {',', ')'}" after a whole column definition), and
 * only when the full set is short — otherwise the message is "line L:C: Syntax Error\n", as
 * ksqlDB's is when it cannot say. Keywords usable as names count as IDENTIFIER there.
 * Besides syntax errors the parser reports, in the words of ksqlDB's AST builder: numeric
 * literals out of range, KEY columns in tables and PRIMARY KEY columns in streams, and source
 * names with characters Kafka Streams refuses (only when the whole script is free of syntax
 * errors, as ksqlDB parses every statement before it builds any).
 *
 * Invariants: no global state, no recursion on the input's nesting beyond SL_SQL_MAX_DEPTH,
 * any bytes are accepted as input (NUL included) and either parse or produce an error.
 * @locality any thread
 */
#ifndef SL_SQL_PARSER_H
#define SL_SQL_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "sql/ast.h"

/* Highest expression or type tree accepted (a chain a + b + c ... counts one level per
 * operator); higher input is refused with SL_TOOBIG, as is nesting that fills the parser's
 * stack (about 1000 open parentheses or NOTs). */
#define SL_SQL_MAX_DEPTH 500

/* sl_sql_parse_ex flags. SHELL: accept RUN SCRIPT (the shell expands it; servers refuse it).
 * TEST: accept the test-only ASSERT VALUES / NULL VALUES / STREAM / TABLE statements. */
#define SL_SQL_PARSE_SHELL 1
#define SL_SQL_PARSE_TEST  2

typedef enum sl_sql_error_kind_e {
    SL_SQL_ERR_NONE = 0,
    SL_SQL_ERR_SYNTAX,  /* the grammar does not allow this token here */
    SL_SQL_ERR_INVALID, /* well-formed but refused while building the tree (literal range ...) */
    SL_SQL_ERR_LIMIT,   /* input too large or too deeply nested */
} sl_sql_error_kind_t;

/* What went wrong, filled by sl_sql_parse on failure. All strings NUL-terminated. */
typedef struct sl_sql_error_s {
    sl_sql_error_kind_t kind;
    uint32_t line;        /* 1-based line of the offending token (0: no position) */
    uint32_t col;         /* 1-based column, in characters */
    uint32_t off;         /* byte offset of the offending token */
    uint32_t stmt_off;    /* span of the statement the error is in: from its first token ... */
    uint32_t stmt_len;    /* ... to its ';' (or the end of the script) */
    char token[64];       /* the offending token as written (truncated), or "<EOF>" */
    char expecting[1024]; /* syntax errors: every token that could have come, e.g.
                             "{'STRING', INTEGER_VALUE}"; else "" */
    char msg[1280];       /* ksqlDB-shaped message, see above */
    char near[160];       /* the same error in ksqlDB's other wording:
                             "Syntax error at or near 'NULL' at line 2:47" */
} sl_sql_error_t;

/*
 * Parses text[0..len) (UTF-8; need not be NUL-terminated) as a script of statements.
 * Returns SL_OK and *out (free with sl_ast_script_free; an empty script has no statements), or
 *   SL_INVAL   a syntax error or an invalid construct, described in *err,
 *   SL_TOOBIG  text longer than 1 GiB or nested deeper than SL_SQL_MAX_DEPTH,
 * leaving *out NULL. err may be NULL.
 * Equivalent to sl_sql_parse_ex(text, len, 0, out, err): RUN SCRIPT is refused with ksqlDB's
 * "line 1:1: Syntax Error\nUnknown statement 'RUN'".
 */
int sl_sql_parse(const char *text, size_t len, sl_ast_script_t **out, sl_sql_error_t *err);
int sl_sql_parse_ex(const char *text, size_t len, int flags, sl_ast_script_t **out,
                    sl_sql_error_t *err);

/*
 * Parses text[0..len) as one expression (ksqlDB's singleExpression: what the shell and the
 * REST door use for things like property values). The expression lives in *out_script's
 * arena; *out_script has no statements. Same errors as sl_sql_parse.
 */
int sl_sql_parse_expr(const char *text, size_t len, sl_ast_script_t **out_script,
                      sl_ast_expr_t **out_expr, sl_sql_error_t *err);

/* True if word (any case) is a keyword ksqlDB reserves, i.e. one that cannot be an unquoted
 * identifier (SELECT, FROM, ...). Used to decide when names need back-quotes. */
int sl_sql_is_reserved(const char *word, size_t len);

/* True if word (any case) is any keyword of the dialect (for the shell's completion). */
int sl_sql_is_keyword(const char *word, size_t len);

/* The i-th keyword of the dialect in upper case, or NULL past the last one. */
const char *sl_sql_keyword(size_t i);

#endif
