/*
 * parser.c — the parser driver (sl_sql_parse*), the tree builders the grammar's actions call
 * (sl_pb_*), the checks ksqlDB's AST builder makes, and the error messages.
 *
 * Flow of one parse:
 *   1. copy the text into the script's arena (statement texts and names point into it);
 *   2. tokenize all of it (lexer.c) into one array, so the driver can look ahead;
 *   3. rewrite the two tokens one token of lookahead cannot tell: '(' of "(x, y) =>" becomes
 *      LAMBDA_LP; in test scripts the ASSERT of the test-only statements becomes TEST_ASSERT;
 *   4. feed the tokens to the lemon parser; actions build nodes in the arena;
 *   5. each finished statement is walked once: lambda parameters used in a lambda body become
 *      LAMBDA_VAR nodes, and numeric literals are range-checked (after a minus has been folded
 *      in, so -9223372036854775808 is a valid BIGINT).
 * Errors: the first syntax error ends the parse. Errors of well-formed statements (literal
 * ranges, KEY in a table ...) are remembered and reported after the whole script has been
 * read without a syntax error — ksqlDB also parses every statement before it builds any.
 *
 * Bounds: expression and type trees are at most SL_SQL_MAX_DEPTH high (checked as they are
 * built, from the children's heights), and lemon's stack is fixed, so no recursion over the
 * tree — here, in the printers or in later passes — can run away on hostile input.
 */
#include "sql/parser.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "parse.h"
#include "sql/lexer.h"

/* Longest script accepted: positions are 32-bit. */
#define MAX_SCRIPT (1u << 30)
/* "Expecting {...}" is printed when the expected set has at most this many members. */
#define MAX_EXPECTING_SHOWN 8

/* Extra parse-context state this file keeps beside sl_sql_pctx_t. */
typedef struct pstate_s {
    sl_sql_pctx_t px;   /* the grammar's context (first: the grammar sees only this) */
    sl_sql_error_t inv; /* first error of a well-formed statement, reported at the end */
    bool has_inv;       /* inv is set */
} pstate_t;

/* ------------------------------------------------------------------------------------------ */
/* Messages                                                                                   */

/* Copies src[0..n) into dst (cap bytes, NUL-terminated), shown as a person should see it:
 * valid UTF-8 kept, control characters and invalid bytes replaced by '?', and "..." when cut. */
static void copy_display(char *dst, size_t cap, const char *src, size_t n)
{
    size_t o = 0, i = 0;
    if (cap == 0) return;
    while (i < n) {
        unsigned char c = (unsigned char)src[i];
        size_t clen = 1;
        if (c >= 0x80) {
            clen = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
            if (clen == 0 || i + clen > n) {
                clen = 0;
            } else {
                for (size_t k = 1; k < clen; k++)
                    if (((unsigned char)src[i + k] & 0xC0) != 0x80) clen = 0;
            }
        }
        if (o + (clen ? clen : 1) + 4 > cap) {
            if (o + 4 <= cap) memcpy(dst + o, "...", 3), o += 3;
            break;
        }
        if (clen == 0 || (clen == 1 && (c < 0x20 || c == 0x7F))) {
            dst[o++] = '?';
            i += clen ? clen : 1;
        } else {
            memcpy(dst + o, src + i, clen);
            o += clen;
            i += clen;
        }
    }
    dst[o] = '\0';
}

/* The statement around token index at: from after the previous ';' to the next ';'. */
static void stmt_span(const sl_sql_pctx_t *px, size_t at, sl_sql_error_t *err)
{
    size_t b = at, e = at;
    if (px->n_toks == 0) return;
    if (b >= px->n_toks) b = e = px->n_toks - 1;
    while (b > 0 && px->toks[b - 1].type != SL_TK_SEMI && px->toks[b - 1].type != 0)
        b--;
    if (px->toks[b].type == SL_TK_START_EXPR && b + 1 < px->n_toks) b++;
    while (px->toks[e].type != SL_TK_SEMI && px->toks[e].type != 0)
        e++;
    uint32_t end = px->toks[e].type == 0 ? px->toks[e].off : px->toks[e].off + px->toks[e].len;
    if (px->toks[e].type == 0 && e > b) end = px->toks[e - 1].off + px->toks[e - 1].len;
    err->stmt_off = px->toks[b].off;
    err->stmt_len = end > px->toks[b].off ? end - px->toks[b].off : 0;
}

static void set_token_text(const sl_sql_pctx_t *px, const sl_sql_tok_t *t, sl_sql_error_t *err)
{
    if (t->type == 0)
        snprintf(err->token, sizeof err->token, "<EOF>");
    else
        copy_display(err->token, sizeof err->token, px->src + t->off, t->len);
}

/* The display names of the terminals a parser with these states could take next, each once,
 * in token order. */
static int expected_set(const int *states, int n_states, const char **shown)
{
    unsigned char set[SL_TK_UNRECOGNIZED + 1];
    memset(set, 0, sizeof set);
    int n_terms = sl_sql_lemon_expected(states, n_states, set, (int)sizeof set);
    int n_shown = 0;
    for (int i = 1; i < n_terms && i <= SL_TK_UNRECOGNIZED; i++) {
        if (!set[i] || i == SL_TK_START_EXPR || i == SL_TK_TEST_ASSERT) continue;
        const char *d = sl_sql_token_display(i);
        bool dup = false;
        for (int k = 0; k < n_shown; k++)
            if (strcmp(shown[k], d) == 0) dup = true;
        if (!dup) shown[n_shown++] = d;
    }
    return n_shown;
}

/* "{a, b, c}" */
static void format_set(char *dst, size_t cap, const char *const *v, int n)
{
    size_t o = 0;
    dst[0] = '\0';
    if (n == 0) return;
    o += (size_t)snprintf(dst, cap, "{");
    for (int k = 0; k < n && o < cap; k++)
        o += (size_t)snprintf(dst + o, cap - o, "%s%s", k ? ", " : "", v[k]);
    if (o < cap) snprintf(dst + o, cap - o, "}");
}

void sl_pb_syntax_error(sl_sql_pctx_t *px, sl_sql_tok_t t)
{
    if (px->failed) return;
    px->failed = true;
    sl_sql_error_t *err = px->err;
    err->kind = SL_SQL_ERR_SYNTAX;
    err->line = t.line;
    err->col = t.col;
    err->off = t.off;
    set_token_text(px, &t, err);
    stmt_span(px, px->cur, err);

    /* Which tokens could have come here. `full`: every terminal the parser could take in
     * front of the offending token (from the stack saved before it was fed). `now`: the ones
     * it can take after the reductions the offending token made it do, i.e. after it closed
     * the constructs that could end there — what ANTLR, and so ksqlDB, list ("Expecting
     * {',', ')'}" after a complete column definition). The message lists `now` only when
     * `full` is short: after FROM s ORDER, `now` would be {';'} although WHERE, GROUP BY ...
     * could come too, and ksqlDB then prints no list either. */
    const char *full[SL_TK_UNRECOGNIZED + 1], *now[SL_TK_UNRECOGNIZED + 1];
    int n_full = px->n_saved > 0 ? expected_set(px->saved, px->n_saved, full) : 0;
    int n_now = 0;
    if (px->lemon) {
        int depth = sl_sql_lemon_depth(px->lemon);
        int *st = malloc(sizeof *st * (size_t)depth);
        if (st && sl_sql_lemon_save(px->lemon, st, depth) == depth)
            n_now = expected_set(st, depth, now);
        free(st);
    }
    if (px->n_saved <= 0) {
        memcpy(full, now, sizeof full);
        n_full = n_now;
    }
    format_set(err->expecting, sizeof err->expecting, full, n_full);
    if (n_now > 0 && n_full <= MAX_EXPECTING_SHOWN) {
        char list[sizeof err->expecting];
        format_set(list, sizeof list, now, n_now);
        snprintf(err->msg, sizeof err->msg, "line %u:%u: Syntax Error\nExpecting %s", t.line, t.col,
                 list);
    } else {
        snprintf(err->msg, sizeof err->msg, "line %u:%u: Syntax Error\n", t.line, t.col);
    }
    snprintf(err->near, sizeof err->near, "Syntax error at or near '%s' at line %u:%u", err->token,
             t.line, t.col);
}

/* A syntax error with a message of its own (not from the parser tables). */
static void custom_syntax_error(sl_sql_pctx_t *px, const sl_sql_tok_t *t, const char *what)
{
    if (px->failed) return;
    px->failed = true;
    sl_sql_error_t *err = px->err;
    err->kind = SL_SQL_ERR_SYNTAX;
    err->line = t->line;
    err->col = t->col;
    err->off = t->off;
    set_token_text(px, t, err);
    stmt_span(px, px->cur, err);
    snprintf(err->msg, sizeof err->msg, "line %u:%u: Syntax Error\n%s", t->line, t->col, what);
    snprintf(err->near, sizeof err->near, "Syntax error at or near '%s' at line %u:%u", err->token,
             t->line, t->col);
}

void sl_pb_invalid(sl_sql_pctx_t *px, sl_ast_pos_t pos, const char *fmt, ...)
{
    pstate_t *ps = (pstate_t *)px;
    if (ps->has_inv || px->failed) return;
    ps->has_inv = true;
    sl_sql_error_t *err = &ps->inv;
    memset(err, 0, sizeof *err);
    if (pos.line == 0 && px->cur < px->n_toks) pos = sl_pb_tpos(px->toks[px->cur]);
    err->kind = SL_SQL_ERR_INVALID;
    err->line = pos.line;
    err->col = pos.col;
    err->off = pos.off;
    copy_display(err->token, sizeof err->token, px->src + pos.off, pos.len < 60 ? pos.len : 60);
    /* the statement around pos (the parser may already be reading the next one) */
    size_t lo = 0, hi = px->n_toks;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (px->toks[mid].off <= pos.off)
            lo = mid;
        else
            hi = mid;
    }
    stmt_span(px, lo, err);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    snprintf(err->near, sizeof err->near, "%.*s", (int)(sizeof err->near - 1), err->msg);
}

/* Too deep or too big: ends the parse at once. */
static void limit_error(sl_sql_pctx_t *px, sl_ast_pos_t pos, const char *what)
{
    if (px->failed) return;
    px->failed = true;
    sl_sql_error_t *err = px->err;
    err->kind = SL_SQL_ERR_LIMIT;
    err->line = pos.line;
    err->col = pos.col;
    err->off = pos.off;
    copy_display(err->token, sizeof err->token, px->src + pos.off, pos.len < 60 ? pos.len : 60);
    stmt_span(px, px->cur, err);
    snprintf(err->msg, sizeof err->msg, "line %u:%u: %s", pos.line, pos.col, what);
    snprintf(err->near, sizeof err->near, "%s at line %u:%u", what, pos.line, pos.col);
}

void sl_pb_too_deep(sl_sql_pctx_t *px)
{
    sl_ast_pos_t pos = {0, 0, 1, 1};
    if (px->cur < px->n_toks) pos = sl_pb_tpos(px->toks[px->cur]);
    limit_error(px, pos, "statement nested too deeply");
}

/* ------------------------------------------------------------------------------------------ */
/* Positions, names, strings                                                                  */

sl_ast_pos_t sl_pb_tpos(sl_sql_tok_t t)
{
    return (sl_ast_pos_t){t.off, t.len, t.line, t.col};
}

sl_ast_pos_t sl_pb_span(sl_ast_pos_t a, sl_ast_pos_t b)
{
    uint64_t end = (uint64_t)b.off + b.len;
    if (end > a.off + (uint64_t)a.len) a.len = (uint32_t)(end - a.off);
    return a;
}

sl_ast_pos_t sl_pb_span_tok(sl_ast_pos_t a, sl_sql_tok_t b)
{
    return sl_pb_span(a, sl_pb_tpos(b));
}

/* Text between the quotes of a quoted token, with doubled quotes collapsed. */
static char *unquote(sl_sql_pctx_t *px, const char *p, size_t n, char q, uint32_t *len_out)
{
    char *out = sl_ast_arena_alloc(px->arena, n + 1);
    size_t o = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        out[o++] = p[i];
        if (p[i] == q && i + 2 < n && p[i + 1] == q) i++;
    }
    out[o] = '\0';
    if (len_out) *len_out = (uint32_t)o;
    return out;
}

sl_ast_ident_t sl_pb_ident(sl_sql_pctx_t *px, sl_sql_tok_t t)
{
    sl_ast_ident_t id = {.pos = sl_pb_tpos(t)};
    const char *p = px->src + t.off;
    switch (t.type) {
    case SL_TK_QIDENT:
        id.quote = SL_AST_QUOTE_DOUBLE;
        id.name = unquote(px, p, t.len, '"', NULL);
        break;
    case SL_TK_BQIDENT:
        id.quote = SL_AST_QUOTE_BACK;
        id.name = unquote(px, p, t.len, '`', NULL);
        break;
    case SL_TK_VARIABLE:
        id.quote = SL_AST_QUOTE_VARIABLE;
        id.name = sl_ast_arena_strndup(px->arena, p + 2, t.len - 3);
        break;
    default: {
        /* IDENT, DIGIT_IDENT, or a keyword read as a name: upper-cased like ksqlDB */
        char *s = sl_ast_arena_strndup(px->arena, p, t.len);
        for (char *c = s; *c; c++)
            if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 'a' + 'A');
        id.name = s;
        break;
    }
    }
    return id;
}

sl_ast_ident_t *sl_pb_ident_box(sl_sql_pctx_t *px, sl_ast_ident_t id)
{
    sl_ast_ident_t *p = sl_ast_arena_alloc(px->arena, sizeof *p);
    *p = id;
    return p;
}

sl_ast_ident_t *sl_pb_idents(sl_sql_pctx_t *px, sl_pvec_t *v, uint32_t *n_out)
{
    *n_out = SL_PB_COUNT(v);
    if (!v || v->n == 0) return NULL;
    sl_ast_ident_t *a = sl_ast_arena_alloc(px->arena, sizeof *a * v->n);
    for (uint32_t i = 0; i < v->n; i++)
        a[i] = *(sl_ast_ident_t *)v->v[i];
    return a;
}

const char *sl_pb_string(sl_sql_pctx_t *px, sl_sql_tok_t t, uint32_t *len_out)
{
    return unquote(px, px->src + t.off, t.len, '\'', len_out);
}

void sl_pb_check_source_name(sl_sql_pctx_t *px, const sl_ast_ident_t *name)
{
    if (!name->name || name->quote == SL_AST_QUOTE_VARIABLE) return;
    for (const char *c = name->name; *c; c++) {
        char ch = *c;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '_' || ch == '-')
            continue;
        sl_pb_invalid(px, name->pos,
                      "Illegal argument at Line: %u, Col: %u. Source names may only contain "
                      "alphanumeric values, '_' or '-'. Got: '%s'",
                      name->pos.line, name->pos.col, name->name);
        return;
    }
}

/* Back-quotes for a name in a message: `a``b` for a`b. */
static void quote_name(char *dst, size_t cap, const char *name)
{
    size_t o = 0;
    if (cap < 3) return;
    dst[o++] = '`';
    for (const char *c = name; *c && o + 3 < cap; c++) {
        dst[o++] = *c;
        if (*c == '`') dst[o++] = '`';
    }
    dst[o++] = '`';
    dst[o] = '\0';
}

void sl_pb_check_columns(sl_sql_pctx_t *px, sl_ast_source_type_t type, sl_pvec_t *cols)
{
    for (uint32_t i = 0; cols && i < cols->n; i++) {
        const sl_ast_column_t *c = cols->v[i];
        char q[200];
        quote_name(q, sizeof q, c->name.name);
        if (type == SL_AST_TABLE && c->constraint == SL_AST_COL_KEY) {
            sl_pb_invalid(px, c->pos,
                          "Line: %u, Col: %u: Column %s is a 'KEY' column: please use 'PRIMARY "
                          "KEY' for tables.",
                          c->pos.line, c->pos.col, q);
            return;
        }
        if (type == SL_AST_STREAM && c->constraint == SL_AST_COL_PRIMARY_KEY) {
            sl_pb_invalid(px, c->pos,
                          "Line: %u, Col: %u: Column %s is a 'PRIMARY KEY' column: please use "
                          "'KEY' for streams.",
                          c->pos.line, c->pos.col, q);
            return;
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Expressions                                                                                */

static uint32_t h_of(const sl_ast_expr_t *e)
{
    return e ? e->height : 0;
}

/* Height of e from its children (all built before e); refuses too-high trees. */
static void seal(sl_sql_pctx_t *px, sl_ast_expr_t *e)
{
    uint32_t h = 0, k;
#define MAXH(x)                                                                                    \
    do {                                                                                           \
        uint32_t hx_ = h_of(x);                                                                    \
        if (hx_ > h) h = hx_;                                                                      \
    } while (0)
    switch (e->kind) {
    case SL_AST_EXPR_DEREF:
        MAXH(e->u.deref.base);
        break;
    case SL_AST_EXPR_SUBSCRIPT:
        MAXH(e->u.subscript.base);
        MAXH(e->u.subscript.index);
        break;
    case SL_AST_EXPR_CALL:
        for (k = 0; k < e->u.call.n_args; k++)
            MAXH(e->u.call.args[k]);
        break;
    case SL_AST_EXPR_LAMBDA:
        MAXH(e->u.lambda.body);
        break;
    case SL_AST_EXPR_UNARY:
        MAXH(e->u.unary.arg);
        break;
    case SL_AST_EXPR_BINARY:
        MAXH(e->u.binary.left);
        MAXH(e->u.binary.right);
        break;
    case SL_AST_EXPR_IS_NULL:
        MAXH(e->u.is_null.arg);
        break;
    case SL_AST_EXPR_BETWEEN:
        MAXH(e->u.between.value);
        MAXH(e->u.between.low);
        MAXH(e->u.between.high);
        break;
    case SL_AST_EXPR_IN:
        MAXH(e->u.in.value);
        for (k = 0; k < e->u.in.n_list; k++)
            MAXH(e->u.in.list[k]);
        break;
    case SL_AST_EXPR_LIKE:
        MAXH(e->u.like.value);
        MAXH(e->u.like.pattern);
        break;
    case SL_AST_EXPR_CASE:
        MAXH(e->u.case_.operand);
        for (k = 0; k < e->u.case_.n_whens; k++) {
            MAXH(e->u.case_.whens[k]->cond);
            MAXH(e->u.case_.whens[k]->result);
        }
        MAXH(e->u.case_.else_);
        break;
    case SL_AST_EXPR_CAST:
        MAXH(e->u.cast.arg);
        if (e->u.cast.type && e->u.cast.type->height > h) h = e->u.cast.type->height;
        break;
    case SL_AST_EXPR_ARRAY:
        for (k = 0; k < e->u.array.n_items; k++)
            MAXH(e->u.array.items[k]);
        break;
    case SL_AST_EXPR_MAP:
        for (k = 0; k < e->u.map.n_entries; k++) {
            MAXH(e->u.map.keys[k]);
            MAXH(e->u.map.values[k]);
        }
        break;
    case SL_AST_EXPR_STRUCT:
        for (k = 0; k < e->u.struct_.n_fields; k++)
            MAXH(e->u.struct_.values[k]);
        break;
    case SL_AST_EXPR_AT_TIME_ZONE:
        MAXH(e->u.at_zone.arg);
        break;
    default:
        break;
    }
#undef MAXH
    e->height = h + 1;
    if (e->height > SL_SQL_MAX_DEPTH) {
        char what[96];
        snprintf(what, sizeof what, "expression nested deeper than %d levels", SL_SQL_MAX_DEPTH);
        limit_error(px, e->pos, what);
    }
}

sl_ast_expr_t *sl_pb_expr(sl_sql_pctx_t *px, sl_ast_expr_kind_t kind, sl_ast_pos_t pos)
{
    sl_ast_expr_t *e = sl_ast_arena_alloc(px->arena, sizeof *e);
    e->kind = kind;
    e->pos = pos;
    e->height = 1;
    return e;
}

void sl_pb_seal(sl_sql_pctx_t *px, sl_ast_expr_t *e)
{
    seal(px, e);
}

/* Parses an optional '-' and decimal digits into *v; false when it does not fit 64 bits. */
static bool parse_int64(const char *s, int64_t *v)
{
    bool neg = *s == '-';
    if (neg) s++;
    uint64_t m = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (m > (UINT64_MAX - d) / 10) return false;
        m = m * 10 + d;
    }
    if (neg) {
        if (m > (uint64_t)INT64_MAX + 1) return false;
        *v = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
    } else {
        if (m > (uint64_t)INT64_MAX) return false;
        *v = (int64_t)m;
    }
    return true;
}

/* Sets kind and value of an integer literal from its text; out of range stays BIGINT 0 and is
 * reported when the statement is walked. */
static void int_value(sl_ast_expr_t *e)
{
    int64_t v = 0;
    if (parse_int64(e->u.lit.str, &v) && v >= INT32_MIN && v <= INT32_MAX) {
        e->u.lit.kind = SL_AST_LIT_INT;
    } else {
        e->u.lit.kind = SL_AST_LIT_BIGINT;
    }
    e->u.lit.i = v;
}

sl_ast_expr_t *sl_pb_number(sl_sql_pctx_t *px, sl_sql_tok_t t)
{
    sl_ast_expr_t *e = sl_pb_expr(px, SL_AST_EXPR_LITERAL, sl_pb_tpos(t));
    e->u.lit.str = sl_ast_arena_strndup(px->arena, px->src + t.off, t.len);
    e->u.lit.len = t.len;
    switch (t.type) {
    case SL_TK_ICONST:
        int_value(e);
        break;
    case SL_TK_DCONST:
        e->u.lit.kind = SL_AST_LIT_DECIMAL;
        break;
    default:
        e->u.lit.kind = SL_AST_LIT_DOUBLE;
        e->u.lit.d = strtod(e->u.lit.str, NULL);
        break;
    }
    return e;
}

sl_ast_expr_t *sl_pb_negate(sl_sql_pctx_t *px, sl_sql_tok_t minus, sl_ast_expr_t *arg)
{
    /* ksqlDB's number rule reads "-5" as one literal: fold the sign into an unsigned,
     * unparenthesised numeric literal. */
    if (arg->kind == SL_AST_EXPR_LITERAL && !arg->parens && arg->u.lit.str &&
        arg->u.lit.str[0] != '-' &&
        (arg->u.lit.kind == SL_AST_LIT_INT || arg->u.lit.kind == SL_AST_LIT_BIGINT ||
         arg->u.lit.kind == SL_AST_LIT_DECIMAL || arg->u.lit.kind == SL_AST_LIT_DOUBLE)) {
        char *s = sl_ast_arena_alloc(px->arena, arg->u.lit.len + 2);
        s[0] = '-';
        memcpy(s + 1, arg->u.lit.str, arg->u.lit.len + 1);
        arg->u.lit.str = s;
        arg->u.lit.len++;
        if (arg->u.lit.kind == SL_AST_LIT_DOUBLE)
            arg->u.lit.d = -arg->u.lit.d;
        else if (arg->u.lit.kind != SL_AST_LIT_DECIMAL)
            int_value(arg);
        arg->pos = sl_pb_span(sl_pb_tpos(minus), arg->pos);
        return arg;
    }
    return sl_pb_unary(px, minus, SL_AST_OP_NEG, arg);
}

sl_ast_expr_t *sl_pb_literal(sl_sql_pctx_t *px, sl_sql_tok_t t)
{
    sl_ast_expr_t *e = sl_pb_expr(px, SL_AST_EXPR_LITERAL, sl_pb_tpos(t));
    switch (t.type) {
    case SL_TK_NULL:
        e->u.lit.kind = SL_AST_LIT_NULL;
        break;
    case SL_TK_TRUE:
        e->u.lit.kind = SL_AST_LIT_BOOL;
        e->u.lit.b = true;
        break;
    case SL_TK_FALSE:
        e->u.lit.kind = SL_AST_LIT_BOOL;
        break;
    default:
        e->u.lit.kind = SL_AST_LIT_STRING;
        e->u.lit.str = sl_pb_string(px, t, &e->u.lit.len);
        break;
    }
    return e;
}

sl_ast_expr_t *sl_pb_typed_literal(sl_sql_pctx_t *px, sl_ast_ident_t type, sl_sql_tok_t str)
{
    sl_ast_expr_t *e = sl_pb_expr(px, SL_AST_EXPR_LITERAL, sl_pb_span_tok(type.pos, str));
    e->u.lit.kind = SL_AST_LIT_TYPED;
    e->u.lit.type_name = type;
    e->u.lit.str = sl_pb_string(px, str, &e->u.lit.len);
    return e;
}

sl_ast_expr_t *sl_pb_variable(sl_sql_pctx_t *px, sl_sql_tok_t t)
{
    sl_ast_expr_t *e = sl_pb_expr(px, SL_AST_EXPR_VARIABLE, sl_pb_tpos(t));
    e->u.var = sl_pb_ident(px, t);
    return e;
}

sl_ast_expr_t *sl_pb_unary(sl_sql_pctx_t *px, sl_sql_tok_t op_tok, sl_ast_op_t op,
                           sl_ast_expr_t *arg)
{
    sl_ast_expr_t *e = sl_pb_expr(px, SL_AST_EXPR_UNARY, sl_pb_span(sl_pb_tpos(op_tok), arg->pos));
    e->u.unary.op = op;
    e->u.unary.arg = arg;
    seal(px, e);
    return e;
}

sl_ast_expr_t *sl_pb_binary(sl_sql_pctx_t *px, sl_ast_op_t op, sl_ast_expr_t *l, sl_ast_expr_t *r)
{
    sl_ast_expr_t *e = sl_pb_expr(px, SL_AST_EXPR_BINARY, sl_pb_span(l->pos, r->pos));
    e->u.binary.op = op;
    e->u.binary.left = l;
    e->u.binary.right = r;
    seal(px, e);
    return e;
}

sl_ast_expr_t *sl_pb_column(sl_sql_pctx_t *px, const sl_ast_ident_t *source,
                            const sl_ast_ident_t *name)
{
    sl_ast_pos_t pos = source ? sl_pb_span(source->pos, name->pos) : name->pos;
    sl_ast_expr_t *e = sl_pb_expr(px, SL_AST_EXPR_COLUMN, pos);
    if (source) e->u.col.source = *source;
    e->u.col.name = *name;
    return e;
}

sl_ast_expr_t *sl_pb_call(sl_sql_pctx_t *px, sl_ast_ident_t name, sl_pvec_t *args, bool star,
                          sl_sql_tok_t rparen)
{
    sl_ast_expr_t *e = sl_pb_expr(px, SL_AST_EXPR_CALL, sl_pb_span_tok(name.pos, rparen));
    e->u.call.name = name;
    e->u.call.args = SL_PB_ITEMS(sl_ast_expr_t, args);
    e->u.call.n_args = SL_PB_COUNT(args);
    e->u.call.star = star;
    seal(px, e);
    return e;
}

sl_ast_expr_t *sl_pb_lambda(sl_sql_pctx_t *px, sl_ast_pos_t start, sl_pvec_t *params,
                            sl_ast_expr_t *body)
{
    sl_ast_expr_t *e = sl_pb_expr(px, SL_AST_EXPR_LAMBDA, sl_pb_span(start, body->pos));
    e->u.lambda.params = sl_pb_idents(px, params, &e->u.lambda.n_params);
    e->u.lambda.body = body;
    seal(px, e);
    return e;
}

int sl_pb_unit_of(int tk)
{
    switch (tk) {
    case SL_TK_MILLISECOND:
    case SL_TK_MILLISECONDS:
        return SL_AST_UNIT_MILLISECONDS;
    case SL_TK_SECOND:
    case SL_TK_SECONDS:
        return SL_AST_UNIT_SECONDS;
    case SL_TK_MINUTE:
    case SL_TK_MINUTES:
        return SL_AST_UNIT_MINUTES;
    case SL_TK_HOUR:
    case SL_TK_HOURS:
        return SL_AST_UNIT_HOURS;
    default:
        return SL_AST_UNIT_DAYS;
    }
}

sl_ast_expr_t *sl_pb_unit(sl_sql_pctx_t *px, sl_sql_tok_t t)
{
    sl_ast_expr_t *e = sl_pb_expr(px, SL_AST_EXPR_INTERVAL_UNIT, sl_pb_tpos(t));
    e->u.unit = (sl_ast_unit_t)sl_pb_unit_of(t.type);
    return e;
}

sl_ast_expr_t *sl_pb_parens(sl_ast_expr_t *e)
{
    e->parens = true;
    return e;
}

/* An integer from a number literal (window sizes, DECIMAL parameters). ksqlDB reads them with
 * Long.parseLong / Integer.parseInt, which refuse anything but an integer. */
int64_t sl_pb_int(sl_sql_pctx_t *px, sl_ast_expr_t *number)
{
    int64_t v = 0;
    if (number->u.lit.kind != SL_AST_LIT_INT && number->u.lit.kind != SL_AST_LIT_BIGINT) {
        sl_pb_invalid(px, number->pos, "line %u:%u: Invalid integer: %s", number->pos.line,
                      number->pos.col, number->u.lit.str);
        return 0;
    }
    if (!parse_int64(number->u.lit.str, &v))
        sl_pb_invalid(px, number->pos, "line %u:%u: Invalid numeric literal: %s", number->pos.line,
                      number->pos.col, number->u.lit.str);
    return v;
}

sl_ast_duration_t sl_pb_duration(sl_sql_pctx_t *px, sl_ast_expr_t *number, sl_sql_tok_t unit)
{
    sl_ast_duration_t d;
    d.size = sl_pb_int(px, number);
    d.unit = (sl_ast_unit_t)sl_pb_unit_of(unit.type);
    d.pos = sl_pb_span_tok(number->pos, unit);
    return d;
}

sl_ast_type_t *sl_pb_type(sl_sql_pctx_t *px, sl_ast_type_kind_t kind, sl_ast_pos_t pos)
{
    sl_ast_type_t *t = sl_ast_arena_alloc(px->arena, sizeof *t);
    t->kind = kind;
    t->pos = pos;
    t->height = 1;
    return t;
}

void sl_pb_seal_type(sl_sql_pctx_t *px, sl_ast_type_t *t)
{
    uint32_t h = 0;
    if (t->key && t->key->height > h) h = t->key->height;
    if (t->elem && t->elem->height > h) h = t->elem->height;
    for (uint32_t i = 0; i < t->n_fields; i++)
        if (t->fields[i]->type->height > h) h = t->fields[i]->type->height;
    t->height = h + 1;
    if (t->height > SL_SQL_MAX_DEPTH) {
        char what[96];
        snprintf(what, sizeof what, "type nested deeper than %d levels", SL_SQL_MAX_DEPTH);
        limit_error(px, t->pos, what);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Statements                                                                                 */

sl_ast_stmt_t *sl_pb_stmt(sl_sql_pctx_t *px, sl_ast_stmt_kind_t kind, sl_sql_tok_t first)
{
    sl_ast_stmt_t *s = sl_ast_arena_alloc(px->arena, sizeof *s);
    s->kind = kind;
    s->pos = (sl_ast_pos_t){first.off, 0, first.line, first.col};
    return s;
}

/* Ends s at the last token the parser has taken (the one before the lookahead). */
void sl_pb_stmt_end(sl_sql_pctx_t *px, sl_ast_stmt_t *s)
{
    if (px->cur == 0 || px->cur > px->n_toks) return;
    const sl_sql_tok_t *last = &px->toks[px->cur - 1];
    if (last->off + last->len > s->pos.off) s->pos.len = last->off + last->len - s->pos.off;
    s->text = sl_ast_arena_strndup(px->arena, px->src + s->pos.off, s->pos.len);
}

static void walk_stmt(sl_sql_pctx_t *px, sl_ast_stmt_t *s);

void sl_pb_stmt_done(sl_sql_pctx_t *px, sl_ast_stmt_t *s, sl_sql_tok_t semi, bool terminated)
{
    if (!s || px->failed) return;
    if (terminated) {
        s->pos = sl_pb_span_tok(s->pos, semi);
        s->text = sl_ast_arena_strndup(px->arena, px->src + s->pos.off, s->pos.len);
    } else {
        sl_pb_stmt_end(px, s);
    }
    s->terminated = terminated;
    walk_stmt(px, s);
    px->stmts = sl_pvec_push(px->arena, px->stmts, s);
}

/* ------------------------------------------------------------------------------------------ */
/* The walk over a finished statement                                                         */

/* Lambda parameters in scope: a linked list on the C stack. */
typedef struct scope_s {
    const sl_ast_expr_t *lambda; /* the LAMBDA whose params are in scope */
    const struct scope_s *up;    /* enclosing lambda */
} scope_t;

static bool in_scope(const scope_t *sc, const char *name)
{
    for (; sc; sc = sc->up)
        for (uint32_t i = 0; i < sc->lambda->u.lambda.n_params; i++)
            if (strcmp(sc->lambda->u.lambda.params[i].name, name) == 0) return true;
    return false;
}

static void check_literal(sl_sql_pctx_t *px, const sl_ast_expr_t *e)
{
    int64_t v;
    switch (e->u.lit.kind) {
    case SL_AST_LIT_INT:
    case SL_AST_LIT_BIGINT:
        /* ksqlDB's AST builder reports its own positions one column to the right (a 1-based
         * column made 1-based again); the messages keep that, err->col does not. */
        if (!parse_int64(e->u.lit.str, &v))
            sl_pb_invalid(px, e->pos,
                          "Failed to prepare statement: line %u:%u: Invalid numeric literal: %s",
                          e->pos.line, e->pos.col + 1, e->u.lit.str);
        break;
    case SL_AST_LIT_DOUBLE:
        if (isinf(e->u.lit.d))
            sl_pb_invalid(px, e->pos,
                          "Failed to prepare statement: line %u:%u: Number overflows DOUBLE: %s",
                          e->pos.line, e->pos.col + 1, e->u.lit.str);
        break;
    default:
        break;
    }
}

static void walk_expr(sl_sql_pctx_t *px, sl_ast_expr_t *e, const scope_t *sc)
{
    uint32_t k;
    if (!e) return;
    switch (e->kind) {
    case SL_AST_EXPR_LITERAL:
        check_literal(px, e);
        break;
    case SL_AST_EXPR_COLUMN:
        if (!e->u.col.source.name && sc && in_scope(sc, e->u.col.name.name))
            e->kind = SL_AST_EXPR_LAMBDA_VAR;
        break;
    case SL_AST_EXPR_DEREF:
        walk_expr(px, e->u.deref.base, sc);
        break;
    case SL_AST_EXPR_SUBSCRIPT:
        walk_expr(px, e->u.subscript.base, sc);
        walk_expr(px, e->u.subscript.index, sc);
        break;
    case SL_AST_EXPR_CALL:
        for (k = 0; k < e->u.call.n_args; k++)
            walk_expr(px, e->u.call.args[k], sc);
        break;
    case SL_AST_EXPR_LAMBDA: {
        scope_t inner = {e, sc};
        walk_expr(px, e->u.lambda.body, &inner);
        break;
    }
    case SL_AST_EXPR_UNARY:
        walk_expr(px, e->u.unary.arg, sc);
        break;
    case SL_AST_EXPR_BINARY:
        walk_expr(px, e->u.binary.left, sc);
        walk_expr(px, e->u.binary.right, sc);
        break;
    case SL_AST_EXPR_IS_NULL:
        walk_expr(px, e->u.is_null.arg, sc);
        break;
    case SL_AST_EXPR_BETWEEN:
        walk_expr(px, e->u.between.value, sc);
        walk_expr(px, e->u.between.low, sc);
        walk_expr(px, e->u.between.high, sc);
        break;
    case SL_AST_EXPR_IN:
        walk_expr(px, e->u.in.value, sc);
        for (k = 0; k < e->u.in.n_list; k++)
            walk_expr(px, e->u.in.list[k], sc);
        break;
    case SL_AST_EXPR_LIKE:
        walk_expr(px, e->u.like.value, sc);
        walk_expr(px, e->u.like.pattern, sc);
        break;
    case SL_AST_EXPR_CASE:
        walk_expr(px, e->u.case_.operand, sc);
        for (k = 0; k < e->u.case_.n_whens; k++) {
            walk_expr(px, e->u.case_.whens[k]->cond, sc);
            walk_expr(px, e->u.case_.whens[k]->result, sc);
        }
        walk_expr(px, e->u.case_.else_, sc);
        break;
    case SL_AST_EXPR_CAST:
        walk_expr(px, e->u.cast.arg, sc);
        break;
    case SL_AST_EXPR_ARRAY:
        for (k = 0; k < e->u.array.n_items; k++)
            walk_expr(px, e->u.array.items[k], sc);
        break;
    case SL_AST_EXPR_MAP:
        for (k = 0; k < e->u.map.n_entries; k++) {
            walk_expr(px, e->u.map.keys[k], sc);
            walk_expr(px, e->u.map.values[k], sc);
        }
        break;
    case SL_AST_EXPR_STRUCT:
        for (k = 0; k < e->u.struct_.n_fields; k++)
            walk_expr(px, e->u.struct_.values[k], sc);
        break;
    case SL_AST_EXPR_AT_TIME_ZONE:
        walk_expr(px, e->u.at_zone.arg, sc);
        break;
    default:
        break;
    }
}

static void walk_props(sl_sql_pctx_t *px, sl_ast_prop_t **p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        walk_expr(px, p[i]->value, NULL);
}

static void walk_query(sl_sql_pctx_t *px, sl_ast_query_t *q)
{
    uint32_t i;
    for (i = 0; i < q->n_items; i++)
        walk_expr(px, q->items[i]->expr, NULL);
    for (i = 0; i < q->n_joins; i++)
        walk_expr(px, q->joins[i]->on, NULL);
    walk_expr(px, q->where, NULL);
    for (i = 0; i < q->n_group_by; i++)
        walk_expr(px, q->group_by[i], NULL);
    for (i = 0; i < q->n_partition_by; i++)
        walk_expr(px, q->partition_by[i], NULL);
    walk_expr(px, q->having, NULL);
    walk_expr(px, q->limit, NULL);
}

static void walk_stmt(sl_sql_pctx_t *px, sl_ast_stmt_t *s)
{
    uint32_t i;
    switch (s->kind) {
    case SL_AST_STMT_QUERY:
        walk_query(px, s->u.query);
        break;
    case SL_AST_STMT_CREATE_SOURCE:
    case SL_AST_STMT_ASSERT_SOURCE:
        walk_props(px, s->u.create_source.props, s->u.create_source.n_props);
        break;
    case SL_AST_STMT_CREATE_AS:
        walk_props(px, s->u.create_as.props, s->u.create_as.n_props);
        walk_query(px, s->u.create_as.query);
        break;
    case SL_AST_STMT_INSERT_INTO:
        walk_props(px, s->u.insert_into.props, s->u.insert_into.n_props);
        walk_query(px, s->u.insert_into.query);
        break;
    case SL_AST_STMT_INSERT_VALUES:
    case SL_AST_STMT_ASSERT_VALUES:
    case SL_AST_STMT_ASSERT_TOMBSTONE:
        for (i = 0; i < s->u.insert_values.n_values; i++)
            walk_expr(px, s->u.insert_values.values[i], NULL);
        break;
    case SL_AST_STMT_EXPLAIN:
        if (s->u.explain.stmt) walk_stmt(px, s->u.explain.stmt);
        break;
    case SL_AST_STMT_PRINT:
        walk_expr(px, s->u.print.interval, NULL);
        walk_expr(px, s->u.print.limit, NULL);
        break;
    case SL_AST_STMT_CREATE_CONNECTOR:
        walk_props(px, s->u.create_connector.props, s->u.create_connector.n_props);
        break;
    case SL_AST_STMT_ASSERT_TOPIC:
        walk_props(px, s->u.assert_.props, s->u.assert_.n_props);
        break;
    case SL_AST_STMT_ASSERT_SCHEMA:
        walk_expr(px, s->u.assert_.id, NULL);
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The driver                                                                                 */

/* A token that can be a lambda parameter name. */
static bool param_like(int type)
{
    return type == SL_TK_IDENT || type == SL_TK_DIGIT_IDENT || type == SL_TK_QIDENT ||
           type == SL_TK_BQIDENT || type == SL_TK_VARIABLE || sl_sql_keyword_nonreserved(type) != 0;
}

/* Rewrites '(' x, y ')' '=>' into LAMBDA_LP, and in test scripts the ASSERT that starts a
 * test-only statement into TEST_ASSERT. */
static void rewrite_tokens(sl_sql_tok_t *t, size_t n, int flags)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].type == SL_TK_LP) {
            size_t j = i + 1;
            while (j < n && param_like(t[j].type)) {
                if (j + 1 < n && t[j + 1].type == SL_TK_COMMA)
                    j += 2;
                else {
                    j++;
                    break;
                }
            }
            if (j > i + 1 && j + 1 < n && t[j].type == SL_TK_RP &&
                t[j + 1].type == SL_TK_LAMBDA_ARROW && param_like(t[j - 1].type))
                t[i].type = SL_TK_LAMBDA_LP;
        } else if (t[i].type == SL_TK_ASSERT && (flags & SL_SQL_PARSE_TEST) &&
                   (i == 0 || t[i - 1].type == SL_TK_SEMI) && i + 1 < n &&
                   (t[i + 1].type == SL_TK_VALUES || t[i + 1].type == SL_TK_NULL ||
                    t[i + 1].type == SL_TK_STREAM || t[i + 1].type == SL_TK_TABLE)) {
            t[i].type = SL_TK_TEST_ASSERT;
        }
    }
}

/* Is `first`, followed by token i+1, something the parser can take? The next token may itself
 * be a non-reserved keyword that will be read either way. */
static bool fits(sl_sql_pctx_t *px, int first, size_t i)
{
    int seq[2] = {first, 0};
    int n = 1;
    if (i + 1 < px->n_toks) {
        seq[1] = px->toks[i + 1].type;
        n = 2;
    }
    if (sl_sql_lemon_accepts(px->lemon, seq, n)) return true;
    if (n == 2 && sl_sql_keyword_nonreserved(seq[1])) {
        seq[1] = SL_TK_IDENT;
        return sl_sql_lemon_accepts(px->lemon, seq, n);
    }
    return false;
}

/* ksqlDB's non-reserved keywords are names wherever they cannot be keywords. With two tokens
 * of lookahead: FROM s EMIT CHANGES (a clause) but FILTER(map, ...) (a column), SESSION (...)
 * after WINDOW but SESSION as a column. */
static int keyword_or_name(sl_sql_pctx_t *px, size_t i)
{
    int kw = px->toks[i].type;
    if (fits(px, kw, i)) return kw;
    if (fits(px, SL_TK_IDENT, i)) return SL_TK_IDENT;
    int one = kw;
    if (sl_sql_lemon_accepts(px->lemon, &one, 1)) return kw;
    one = SL_TK_IDENT;
    if (sl_sql_lemon_accepts(px->lemon, &one, 1)) return SL_TK_IDENT;
    return kw;
}

static int parse_common(const char *text, size_t len, int flags, bool expr_only,
                        sl_ast_script_t **out, sl_ast_expr_t **out_expr, sl_sql_error_t *err)
{
    sl_sql_error_t dummy;
    if (!err) err = &dummy;
    memset(err, 0, sizeof *err);
    *out = NULL;
    if (out_expr) *out_expr = NULL;
    if (len >= MAX_SCRIPT) {
        err->kind = SL_SQL_ERR_LIMIT;
        snprintf(err->msg, sizeof err->msg, "statement text too long (%zu bytes)", len);
        snprintf(err->near, sizeof err->near, "%.*s", (int)sizeof err->near - 1, err->msg);
        return SL_TOOBIG;
    }

    sl_ast_script_t *script = calloc(1, sizeof *script);
    if (!script) abort();
    sl_ast_arena_t *arena = sl_ast_arena_new();
    script->arena_ = arena;
    char *src = sl_ast_arena_alloc(arena, len + 1);
    if (len) memcpy(src, text, len);
    src[len] = '\0';
    script->src = src;
    script->src_len = len;

    sl_sql_tok_t *toks = NULL;
    size_t n = 0;
    if (sl_sql_lex(src, len, &toks, &n) != SL_OK) abort(); /* out of memory */
    rewrite_tokens(toks, n, flags);

    pstate_t ps;
    memset(&ps, 0, sizeof ps);
    sl_sql_pctx_t *px = &ps.px;
    px->src = src;
    px->src_len = len;
    px->arena = arena;
    px->flags = flags;
    px->err = err;
    px->toks = toks;
    px->n_toks = n;
    px->lemon = sl_sql_lemonAlloc(malloc);
    if (!px->lemon) abort();

    if (expr_only) {
        sl_sql_tok_t start = {SL_TK_START_EXPR, 0, 0, 1, 1};
        sl_sql_lemon(px->lemon, SL_TK_START_EXPR, start, px);
    }
    for (size_t i = 0; i < n && !px->failed; i++) {
        px->cur = i;
        if (toks[i].type == SL_TK_RUN && !(flags & SL_SQL_PARSE_SHELL) && !expr_only &&
            (i == 0 || toks[i - 1].type == SL_TK_SEMI)) {
            /* The shell expands RUN SCRIPT; a server refuses it as ksqlDB's does. */
            custom_syntax_error(px, &toks[i], "Unknown statement 'RUN'");
            break;
        }
        int major = toks[i].type;
        if (sl_sql_keyword_nonreserved(major)) major = keyword_or_name(px, i);
        /* keep the stack as it is before this token, for the expected set of an error */
        int depth = sl_sql_lemon_depth(px->lemon);
        if (depth > px->cap_saved) {
            int cap = depth * 2;
            int *nv = realloc(px->saved, sizeof *nv * (size_t)cap);
            if (!nv) abort();
            px->saved = nv;
            px->cap_saved = cap;
        }
        px->n_saved = sl_sql_lemon_save(px->lemon, px->saved, px->cap_saved);
        sl_sql_lemon(px->lemon, major, toks[i], px);
    }
    sl_sql_lemonFree(px->lemon, free);
    px->lemon = NULL;
    free(px->saved);

    if (!px->failed && expr_only && px->expr) walk_expr(px, px->expr, NULL);

    int rc = SL_OK;
    if (px->failed) {
        rc = err->kind == SL_SQL_ERR_LIMIT ? SL_TOOBIG : SL_INVAL;
    } else if (ps.has_inv) {
        *err = ps.inv;
        rc = SL_INVAL;
    }
    free(toks);
    if (rc != SL_OK) {
        sl_ast_script_free(script);
        return rc;
    }
    script->stmts = SL_PB_ITEMS(sl_ast_stmt_t, px->stmts);
    script->n_stmts = SL_PB_COUNT(px->stmts);
    *out = script;
    if (out_expr) *out_expr = px->expr;
    return SL_OK;
}

int sl_sql_parse_ex(const char *text, size_t len, int flags, sl_ast_script_t **out,
                    sl_sql_error_t *err)
{
    return parse_common(text, len, flags, false, out, NULL, err);
}

int sl_sql_parse(const char *text, size_t len, sl_ast_script_t **out, sl_sql_error_t *err)
{
    return parse_common(text, len, 0, false, out, NULL, err);
}

int sl_sql_parse_expr(const char *text, size_t len, sl_ast_script_t **out_script,
                      sl_ast_expr_t **out_expr, sl_sql_error_t *err)
{
    return parse_common(text, len, 0, true, out_script, out_expr, err);
}
