/*
 * fuzz_sql_parse.c — SQL text from REST clients and the shell: arbitrary bytes through
 * sl_sql_parse (server dialect), sl_sql_parse_ex (shell + test dialect) and sl_sql_parse_expr.
 * Checks, beyond "no crash, no leak, no UB, no runaway recursion":
 *   - a rejection leaves NUL-terminated strings, a position inside the text and a statement
 *     span inside the text, and never a script;
 *   - every parsed statement's text is exactly its span of the input;
 *   - every statement printed as SQL (sl_ast_format) parses back to the same tree (equal
 *     dumps) — unless the printed form hits a nesting limit, since printing adds parentheses.
 * Any violation abort()s. Corpus: tests/fuzz/corpus/sql_parse/ (hand-written statements).
 */
#include "common/buf.h"
#include "common/err.h"
#include "sql/parser.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap)
{
    if (strnlen(s, cap) == cap) abort();
}

static void check_error(const sl_sql_error_t *err, size_t size)
{
    check_str(err->msg, sizeof err->msg);
    check_str(err->near, sizeof err->near);
    check_str(err->token, sizeof err->token);
    check_str(err->expecting, sizeof err->expecting);
    if (err->msg[0] == '\0') abort();
    if (err->kind == SL_SQL_ERR_NONE) abort();
    if (err->off > size || (uint64_t)err->stmt_off + err->stmt_len > size) abort();
}

static void round_trip(const sl_ast_stmt_t *st)
{
    sl_buf_t sql, d1, d2;
    sl_buf_init(&sql);
    sl_buf_init(&d1);
    sl_buf_init(&d2);
    sl_ast_format(st, &sql);
    sl_ast_dump(st, 0, &d1);
    sl_ast_dump(st, SL_AST_DUMP_POS, &d2); /* exercised, not compared */
    sl_buf_reset(&d2);
    sl_ast_script_t *again = NULL;
    sl_sql_error_t err;
    int flags = SL_SQL_PARSE_SHELL | SL_SQL_PARSE_TEST;
    int rc = sl_sql_parse_ex((const char *)sql.data, sql.len, flags, &again, &err);
    if (rc == SL_OK) {
        if (again->n_stmts != 1) abort();
        sl_ast_dump(again->stmts[0], 0, &d2);
        if (d1.len != d2.len || memcmp(d1.data, d2.data, d1.len) != 0) abort();
    } else if (rc != SL_TOOBIG) {
        abort();
    }
    sl_ast_script_free(again);
    sl_buf_free(&sql);
    sl_buf_free(&d1);
    sl_buf_free(&d2);
}

static void run(const uint8_t *data, size_t size, int flags)
{
    sl_ast_script_t *s = (sl_ast_script_t *)&s;
    sl_sql_error_t err;
    int rc = sl_sql_parse_ex((const char *)data, size, flags, &s, &err);
    if (rc != SL_OK) {
        if (s) abort();
        if (rc != SL_INVAL && rc != SL_TOOBIG) abort();
        check_error(&err, size);
        return;
    }
    if (s->src_len != size || memcmp(s->src, data, size) != 0) abort();
    for (uint32_t i = 0; i < s->n_stmts; i++) {
        const sl_ast_stmt_t *st = s->stmts[i];
        if ((uint64_t)st->pos.off + st->pos.len > size) abort();
        if (strlen(st->text) != st->pos.len && memchr(data + st->pos.off, 0, st->pos.len) == NULL)
            abort();
        if (memcmp(st->text, data + st->pos.off, strnlen(st->text, st->pos.len)) != 0) abort();
        round_trip(st);
    }
    sl_ast_script_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, 0);
    run(data, size, SL_SQL_PARSE_SHELL | SL_SQL_PARSE_TEST);

    sl_ast_script_t *s = NULL;
    sl_ast_expr_t *e = NULL;
    sl_sql_error_t err;
    int rc = sl_sql_parse_expr((const char *)data, size, &s, &e, &err);
    if (rc == SL_OK) {
        if (!e || s->n_stmts != 0) abort();
        sl_buf_t b;
        sl_buf_init(&b);
        sl_ast_format_expr(e, &b);
        sl_ast_dump_expr(e, SL_AST_DUMP_POS, &b);
        sl_buf_free(&b);
        sl_ast_script_free(s);
    } else {
        if (s || e) abort();
        check_error(&err, size);
    }
    return 0;
}
