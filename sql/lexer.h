/*
 * lexer.h — sql/'s parser internals shared by the tokenizer (lexer.c), the driver and tree
 * builders (parser.c), the grammar (parse.y) and the tree printers (ast.c). Not for use
 * outside the parser: the public interface is sql/parser.h and sql/ast.h.
 *
 * Token codes (SL_TK_*) come from the lemon-generated parse.h. The tokenizer follows ksqlDB's
 * lexer (SqlBase.g4): keywords are case-insensitive, identifiers [A-Za-z_][A-Za-z0-9_@]*,
 * "digit identifiers" 1abc, numbers INTEGER_VALUE / DECIMAL_VALUE (1.5, .5, 5.) /
 * FLOATING_POINT_VALUE (1e5, 1.5E-3), strings '...' with '', "quoted" and `back-quoted`
 * identifiers with doubled quotes, ${variables}, comments -- and block comments, whitespace
 * [ \t\r\n]. Anything else is an UNRECOGNIZED token, which no grammar rule accepts, so it
 * shows up as a syntax error at its position.
 */
#ifndef SL_SQL_LEXER_H
#define SL_SQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sql/ast.h"
#include "sql/parser.h"

/* ---- arena: every node of a script, freed at once ---- */

typedef struct sl_ast_arena_s sl_ast_arena_t;

sl_ast_arena_t *sl_ast_arena_new(void);
void sl_ast_arena_destroy(sl_ast_arena_t *a);
/* Zeroed, 16-aligned memory; aborts when out of memory (like sl_buf_t writers). */
void *sl_ast_arena_alloc(sl_ast_arena_t *a, size_t n);
char *sl_ast_arena_strndup(sl_ast_arena_t *a, const char *p, size_t n);

/* A growable array of pointers in the arena (lists while the grammar builds them). */
typedef struct sl_pvec_s {
    void **v;     /* items */
    uint32_t n;   /* items in use */
    uint32_t cap; /* items allocated */
} sl_pvec_t;

sl_pvec_t *sl_pvec_new(sl_ast_arena_t *a);
sl_pvec_t *sl_pvec_push(sl_ast_arena_t *a, sl_pvec_t *vec, void *item);

/* ---- tokens ---- */

/* One token; the grammar's %token_type, passed by value. */
typedef struct sl_sql_tok_s {
    int type;      /* SL_TK_* */
    uint32_t off;  /* byte offset in the script */
    uint32_t len;  /* bytes */
    uint32_t line; /* 1-based */
    uint32_t col;  /* 1-based, characters */
} sl_sql_tok_t;

/* Tokenizes src[0..len) (whitespace and comments dropped) into a malloc'd array ended by one
 * token of type 0 (end of input) at the end position. Returns SL_OK or SL_NOMEM. */
int sl_sql_lex(const char *src, size_t len, sl_sql_tok_t **toks_out, size_t *n_out);

/* Keyword lookup: the SL_TK_* code of word (any case), or 0 if it is not a keyword. */
int sl_sql_keyword_code(const char *word, size_t len);
/* How a token type appears in "Expecting {...}" lists: 'SELECT', ';', IDENTIFIER, STRING ... */
const char *sl_sql_token_display(int type);

/* ---- parse context: the grammar's %extra_argument ---- */

typedef struct sl_sql_pctx_s {
    const char *src;          /* the script text (the copy in the script) */
    size_t src_len;           /* bytes */
    sl_ast_arena_t *arena;    /* where nodes go */
    sl_pvec_t *stmts;         /* statements parsed so far */
    sl_ast_expr_t *expr;      /* sl_sql_parse_expr: the expression */
    int flags;                /* SL_SQL_PARSE_* */
    sl_sql_error_t *err;      /* where to report (never NULL inside the parser) */
    bool failed;              /* an error has been reported: stop feeding tokens */
    const sl_sql_tok_t *toks; /* all tokens (for error spans) */
    size_t n_toks;            /* tokens in toks, the end token included */
    size_t cur;               /* index of the token being fed */
    void *lemon;              /* the lemon parser (for the expected-token set) */
    int *saved;               /* the parser's state stack before the token being fed */
    int n_saved;              /* entries in saved (0: not saved) */
    int cap_saved;            /* room in saved */
} sl_sql_pctx_t;

/* The lemon parser (parse.c, generated with %name sl_sql_lemon). */
void *sl_sql_lemonAlloc(void *(*malloc_fn)(size_t));
void sl_sql_lemonFree(void *p, void (*free_fn)(void *));
void sl_sql_lemon(void *p, int major, sl_sql_tok_t minor, sl_sql_pctx_t *px);
/* The parser's state stack: sl_sql_lemon_save copies it into states (room for cap) and
 * returns its depth, or -1 if it does not fit; sl_sql_lemon_depth says how much room. */
int sl_sql_lemon_depth(void *p);
int sl_sql_lemon_save(void *p, int *states, int cap);
/* For a saved stack: fills set[i] = 1 for every terminal the parser could take next (after
 * the reductions it causes; non-reserved keywords count only where they are keywords).
 * Returns the number of terminals. */
int sl_sql_lemon_expected(const int *states, int n_states, unsigned char *set, int set_size);
/* True if the parser in its current state can take the n terminals types[] in turn (after
 * the reductions they cause; 0, end of input, only last). The driver uses it to read a non-reserved
 * keyword as a keyword only where it fits and as an identifier everywhere else. (lemon's %fallback
 * would not do: it tries the fallback before a state's default reduction, reading FROM s EMIT as an
 * alias.) */
int sl_sql_lemon_accepts(void *p, const int *types, int n);
/* True for ksqlDB's non-reserved keywords (token codes), which may also be identifiers. */
int sl_sql_keyword_nonreserved(int type);

/* ---- errors raised by the grammar's actions and %syntax_error ---- */

/* The syntax error at token t (expected set from the parser state). */
void sl_pb_syntax_error(sl_sql_pctx_t *px, sl_sql_tok_t t);
/* The parser's stack is full: the statement nests too deeply. Ends the parse. */
void sl_pb_too_deep(sl_sql_pctx_t *px);
/* An error found while building the tree: message is ksqlDB's wording, used as is. */
void sl_pb_invalid(sl_sql_pctx_t *px, sl_ast_pos_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- tree builders used by the grammar's actions ---- */

sl_ast_pos_t sl_pb_tpos(sl_sql_tok_t t);
/* The span from the start of a to the end of b. */
sl_ast_pos_t sl_pb_span(sl_ast_pos_t a, sl_ast_pos_t b);
sl_ast_pos_t sl_pb_span_tok(sl_ast_pos_t a, sl_sql_tok_t b);

sl_ast_ident_t sl_pb_ident(sl_sql_pctx_t *px, sl_sql_tok_t t);
/* A STRING token's value ('' collapsed); *len_out gets its length. */
const char *sl_pb_string(sl_sql_pctx_t *px, sl_sql_tok_t t, uint32_t *len_out);
/* Checks a source name against ksqlDB's [a-zA-Z0-9_-]* rule. */
void sl_pb_check_source_name(sl_sql_pctx_t *px, const sl_ast_ident_t *name);

sl_ast_expr_t *sl_pb_expr(sl_sql_pctx_t *px, sl_ast_expr_kind_t kind, sl_ast_pos_t pos);
sl_ast_expr_t *sl_pb_number(sl_sql_pctx_t *px, sl_sql_tok_t t);
sl_ast_expr_t *sl_pb_negate(sl_sql_pctx_t *px, sl_sql_tok_t minus, sl_ast_expr_t *arg);
sl_ast_expr_t *sl_pb_literal(sl_sql_pctx_t *px, sl_sql_tok_t t); /* NULL TRUE FALSE STRING */
sl_ast_expr_t *sl_pb_typed_literal(sl_sql_pctx_t *px, sl_ast_ident_t type, sl_sql_tok_t str);
sl_ast_expr_t *sl_pb_variable(sl_sql_pctx_t *px, sl_sql_tok_t t);
sl_ast_expr_t *sl_pb_unary(sl_sql_pctx_t *px, sl_sql_tok_t op_tok, sl_ast_op_t op,
                           sl_ast_expr_t *arg);
sl_ast_expr_t *sl_pb_binary(sl_sql_pctx_t *px, sl_ast_op_t op, sl_ast_expr_t *l, sl_ast_expr_t *r);
sl_ast_expr_t *sl_pb_column(sl_sql_pctx_t *px, const sl_ast_ident_t *source,
                            const sl_ast_ident_t *name);
sl_ast_expr_t *sl_pb_call(sl_sql_pctx_t *px, sl_ast_ident_t name, sl_pvec_t *args, bool star,
                          sl_sql_tok_t rparen);
sl_ast_expr_t *sl_pb_lambda(sl_sql_pctx_t *px, sl_ast_pos_t start, sl_pvec_t *params,
                            sl_ast_expr_t *body);
sl_ast_expr_t *sl_pb_unit(sl_sql_pctx_t *px, sl_sql_tok_t t);
/* Parenthesised: marks e and widens nothing (positions stay those of the inner expression). */
sl_ast_expr_t *sl_pb_parens(sl_ast_expr_t *e);
/* Computes e's height from its (finished) children; refuses trees over SL_SQL_MAX_DEPTH.
 * Every action that builds a composite expression by hand ends with it. */
void sl_pb_seal(sl_sql_pctx_t *px, sl_ast_expr_t *e);
void sl_pb_seal_type(sl_sql_pctx_t *px, sl_ast_type_t *t);

sl_ast_ident_t *sl_pb_ident_box(sl_sql_pctx_t *px, sl_ast_ident_t id);
int sl_pb_unit_of(int tk);
sl_ast_duration_t sl_pb_duration(sl_sql_pctx_t *px, sl_ast_expr_t *number, sl_sql_tok_t unit);
sl_ast_type_t *sl_pb_type(sl_sql_pctx_t *px, sl_ast_type_kind_t kind, sl_ast_pos_t pos);
int64_t sl_pb_int(sl_sql_pctx_t *px, sl_ast_expr_t *number);

sl_ast_stmt_t *sl_pb_stmt(sl_sql_pctx_t *px, sl_ast_stmt_kind_t kind, sl_sql_tok_t first);
/* Ends s (an EXPLAINed statement) at the last token taken. */
void sl_pb_stmt_end(sl_sql_pctx_t *px, sl_ast_stmt_t *s);
/* Records a finished statement; semi is its ';' (type 0 when the script ended instead). */
void sl_pb_stmt_done(sl_sql_pctx_t *px, sl_ast_stmt_t *s, sl_sql_tok_t semi, bool terminated);
/* CREATE STREAM/TABLE column checks (KEY vs PRIMARY KEY). */
void sl_pb_check_columns(sl_sql_pctx_t *px, sl_ast_source_type_t type, sl_pvec_t *cols);
/* The ident-typed array of a pvec of boxed identifiers. */
sl_ast_ident_t *sl_pb_idents(sl_sql_pctx_t *px, sl_pvec_t *v, uint32_t *n_out);

/* The items of a pvec as a typed array (or NULL when empty). */
#define SL_PB_ITEMS(type, vec) ((vec) ? (type **)(vec)->v : (type **)NULL)
#define SL_PB_COUNT(vec)       ((vec) ? (vec)->n : 0u)

#endif
