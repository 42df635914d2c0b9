/*
 * expr.c — expression trees: constructors, binder, evaluator, formatter (see expr.h).
 *
 * Binder rules (ksqlDB's ExpressionTypeManager, CoercionUtil and ComparisonUtil):
 *   - Arithmetic: INTEGER op INTEGER is INTEGER, with BIGINT it is BIGINT, with DOUBLE DOUBLE;
 *     with a DECIMAL the integers become DECIMAL(10, 0) / DECIMAL(19, 0) and the result is
 *       + -  DECIMAL(max(p1-s1, p2-s2) + max(s1, s2) + 1, max(s1, s2))
 *       *    DECIMAL(p1 + p2 + 1, s1 + s2)
 *       /    DECIMAL(p1 - s1 + s2 + max(6, s1 + p2 + 1), max(6, s1 + p2 + 1))
 *       %    DECIMAL(min(p1-s1, p2-s2) + max(s1, s2), max(s1, s2))
 *     STRING + STRING concatenates.
 *   - Comparisons: numbers with numbers (widened), STRING with STRING, STRING with
 *     DATE/TIME/TIMESTAMP (the string is cast), DATE with TIMESTAMP, BOOLEAN, BYTES; ARRAY, MAP
 *     and STRUCT only for (in)equality and DISTINCT.
 *   - Lists (IN, ARRAY[...], MAP(...), CASE results): one common type; STRING literals convert
 *     to the list's number/boolean/temporal type when they parse ("invalid input syntax for
 *     type INTEGER: ..." when not), other literals convert to STRING in a STRING list, and
 *     constructors inside the list convert element by element.
 * Implicit conversions become CAST nodes flagged `implicit_cast_node` (not printed by the
 * formatter), or new literals when a literal converts.
 *
 * Evaluator: a tree walk. Values of containers and strings built during evaluation go to
 * ctx->arena; nothing else allocates.
 */
#include "sql/expr.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/time.h"

/* ---- constructors ------------------------------------------------------------------------ */

static sl_expr_t *node(sl_arena_t *a, sl_expr_kind_t kind, uint32_t nargs)
{
    sl_expr_t *e = sl_arena_zalloc(a, sizeof(*e));
    e->kind = kind;
    e->nargs = nargs;
    if (nargs) e->args = sl_arena_zalloc(a, sizeof(sl_expr_t *) * nargs);
    return e;
}

sl_expr_t *sl_expr_literal(sl_arena_t *a, const sl_value_t *v, const sl_type_t *t)
{
    sl_expr_t *e = node(a, SL_EXPR_LITERAL, 0);
    sl_value_copy(a, v, &e->u.lit.v);
    e->u.lit.t = t;
    return e;
}

sl_expr_t *sl_expr_null(sl_arena_t *a)
{
    sl_value_t v = sl_v_null();
    return sl_expr_literal(a, &v, SL_T_NULL);
}

sl_expr_t *sl_expr_bool(sl_arena_t *a, bool b)
{
    sl_value_t v = sl_v_bool(b);
    return sl_expr_literal(a, &v, SL_T_BOOLEAN);
}

sl_expr_t *sl_expr_int(sl_arena_t *a, int32_t i)
{
    sl_value_t v = sl_v_int(i);
    return sl_expr_literal(a, &v, SL_T_INTEGER);
}

sl_expr_t *sl_expr_bigint(sl_arena_t *a, int64_t i)
{
    sl_value_t v = sl_v_bigint(i);
    return sl_expr_literal(a, &v, SL_T_BIGINT);
}

sl_expr_t *sl_expr_double(sl_arena_t *a, double d)
{
    sl_value_t v = sl_v_double(d);
    return sl_expr_literal(a, &v, SL_T_DOUBLE);
}

sl_expr_t *sl_expr_string(sl_arena_t *a, const char *s, size_t n)
{
    sl_value_t v = sl_v_str(s, n);
    return sl_expr_literal(a, &v, SL_T_STRING);
}

/* Types a numeric literal (see sl_expr_number). Shared with the list coercion, which parses
 * STRING literals the same way. */
static int number_literal(sl_arena_t *a, const char *s, size_t n, sl_value_t *v,
                          const sl_type_t **t, char *err, size_t errlen)
{
    bool has_point = memchr(s, '.', n) != NULL;
    bool has_exp = memchr(s, 'e', n) != NULL || memchr(s, 'E', n) != NULL;
    if (n == 0) return SL_INVAL;
    if (has_exp) {
        double d;
        if (sl_value_parse_double(s, n, &d) != SL_OK || isnan(d)) return SL_INVAL;
        if (isinf(d)) {
            snprintf(err, errlen, "Number overflows DOUBLE: %.*s", (int)n, s);
            return SL_RANGE;
        }
        *v = sl_v_double(d);
        *t = SL_T_DOUBLE;
        return SL_OK;
    }
    if (has_point) {
        sl_i128 u;
        int sc, rc, digits, prec;
        const char *p = s;
        /* the written digits give the precision (leading zeros of the integer part excluded) */
        rc = sl_dec_parse(s, n, &u, &sc);
        if (rc == SL_INVAL) return rc;
        if (rc != SL_OK) {
            snprintf(err, errlen, "Invalid numeric literal: %.*s (more than %d digits)", (int)n, s,
                     SL_DECIMAL_MAX_DIGITS);
            return SL_RANGE;
        }
        if (*p == '+' || *p == '-') p++;
        digits = sl_dec_digits(u);
        prec = digits > sc ? digits : sc;
        if (prec == 0) prec = 1;
        (void)p;
        *v = sl_v_dec(u, sc);
        return sl_type_decimal(a, prec, sc, t) == SL_OK ? SL_OK : SL_INVAL;
    }
    {
        int64_t i;
        int rc = sl_value_parse_i64(s, n, &i);
        if (rc == SL_RANGE) {
            snprintf(err, errlen, "Invalid numeric literal: %.*s", (int)n, s);
            return SL_RANGE;
        }
        if (rc != SL_OK) return rc;
        if (i >= INT32_MIN && i <= INT32_MAX) {
            *v = sl_v_int((int32_t)i);
            *t = SL_T_INTEGER;
        } else {
            *v = sl_v_bigint(i);
            *t = SL_T_BIGINT;
        }
        return SL_OK;
    }
}

int sl_expr_number(sl_arena_t *a, const char *text, size_t n, sl_expr_t **out, char *err,
                   size_t errlen)
{
    sl_value_t v;
    const sl_type_t *t;
    int rc;
    if (err && errlen) err[0] = '\0';
    rc = number_literal(a, text, n, &v, &t, err, errlen);
    if (rc != SL_OK) {
        if (err && errlen && !err[0])
            snprintf(err, errlen, "Invalid numeric literal: %.*s", (int)n, text);
        return rc;
    }
    *out = sl_expr_literal(a, &v, t);
    (*out)->u.lit.text = sl_arena_strndup(a, text, n);
    return SL_OK;
}

sl_expr_t *sl_expr_time_unit(sl_arena_t *a, const char *name)
{
    sl_expr_t *e = sl_expr_string(a, name, strlen(name));
    e->u.lit.time_unit = true;
    return e;
}

sl_expr_t *sl_expr_column(sl_arena_t *a, const char *source, const char *name)
{
    sl_expr_t *e = node(a, SL_EXPR_COLUMN, 0);
    e->u.col.source = source ? sl_arena_strdup(a, source) : NULL;
    e->u.col.name = sl_arena_strdup(a, name);
    e->u.col.index = -1;
    return e;
}

static sl_expr_t *node2(sl_arena_t *a, sl_expr_kind_t k, sl_expr_t *l, sl_expr_t *r)
{
    sl_expr_t *e = node(a, k, 2);
    e->args[0] = l;
    e->args[1] = r;
    return e;
}

static sl_expr_t *node1(sl_arena_t *a, sl_expr_kind_t k, sl_expr_t *x)
{
    sl_expr_t *e = node(a, k, 1);
    e->args[0] = x;
    return e;
}

sl_expr_t *sl_expr_arith(sl_arena_t *a, sl_arith_op_t op, sl_expr_t *l, sl_expr_t *r)
{
    sl_expr_t *e = node2(a, SL_EXPR_ARITH, l, r);
    e->op = (uint8_t)op;
    return e;
}

sl_expr_t *sl_expr_neg(sl_arena_t *a, sl_expr_t *x)
{
    return node1(a, SL_EXPR_NEG, x);
}

sl_expr_t *sl_expr_cmp(sl_arena_t *a, sl_cmp_op_t op, sl_expr_t *l, sl_expr_t *r)
{
    sl_expr_t *e = node2(a, SL_EXPR_CMP, l, r);
    e->op = (uint8_t)op;
    return e;
}

sl_expr_t *sl_expr_and(sl_arena_t *a, sl_expr_t *l, sl_expr_t *r)
{
    return node2(a, SL_EXPR_AND, l, r);
}

sl_expr_t *sl_expr_or(sl_arena_t *a, sl_expr_t *l, sl_expr_t *r)
{
    return node2(a, SL_EXPR_OR, l, r);
}

sl_expr_t *sl_expr_not(sl_arena_t *a, sl_expr_t *x)
{
    return node1(a, SL_EXPR_NOT, x);
}

sl_expr_t *sl_expr_is_null(sl_arena_t *a, sl_expr_t *x, bool negated)
{
    sl_expr_t *e = node1(a, SL_EXPR_IS_NULL, x);
    e->negated = negated;
    return e;
}

sl_expr_t *sl_expr_distinct(sl_arena_t *a, sl_expr_t *l, sl_expr_t *r, bool negated)
{
    sl_expr_t *e = node2(a, SL_EXPR_DISTINCT, l, r);
    e->negated = negated;
    return e;
}

sl_expr_t *sl_expr_like(sl_arena_t *a, sl_expr_t *x, sl_expr_t *pattern, int escape, bool negated)
{
    sl_expr_t *e = node2(a, SL_EXPR_LIKE, x, pattern);
    e->u.like.escape = escape;
    e->negated = negated;
    return e;
}

sl_expr_t *sl_expr_between(sl_arena_t *a, sl_expr_t *x, sl_expr_t *lo, sl_expr_t *hi, bool negated)
{
    sl_expr_t *e = node(a, SL_EXPR_BETWEEN, 3);
    e->args[0] = x;
    e->args[1] = lo;
    e->args[2] = hi;
    e->negated = negated;
    return e;
}

sl_expr_t *sl_expr_in(sl_arena_t *a, sl_expr_t *x, sl_expr_t *const *list, uint32_t n, bool negated)
{
    sl_expr_t *e = node(a, SL_EXPR_IN, n + 1);
    e->args[0] = x;
    for (uint32_t i = 0; i < n; i++)
        e->args[i + 1] = list[i];
    e->negated = negated;
    return e;
}

sl_expr_t *sl_expr_case(sl_arena_t *a, sl_expr_t *operand, sl_expr_t *const *whens,
                        sl_expr_t *const *thens, uint32_t n, sl_expr_t *else_)
{
    uint32_t k = 0;
    sl_expr_t *e = node(a, SL_EXPR_CASE, (operand ? 1 : 0) + 2 * n + (else_ ? 1 : 0));
    if (operand) e->args[k++] = operand;
    for (uint32_t i = 0; i < n; i++) {
        e->args[k++] = whens[i];
        e->args[k++] = thens[i];
    }
    if (else_) e->args[k++] = else_;
    e->u.kase.simple = operand != NULL;
    e->u.kase.has_else = else_ != NULL;
    return e;
}

sl_expr_t *sl_expr_cast(sl_arena_t *a, sl_expr_t *x, const sl_type_t *to)
{
    sl_expr_t *e = node1(a, SL_EXPR_CAST, x);
    e->u.cast.to = to;
    return e;
}

sl_expr_t *sl_expr_field(sl_arena_t *a, sl_expr_t *x, const char *name)
{
    sl_expr_t *e = node1(a, SL_EXPR_FIELD, x);
    e->u.field.name = sl_arena_strdup(a, name);
    e->u.field.index = -1;
    return e;
}

sl_expr_t *sl_expr_subscript(sl_arena_t *a, sl_expr_t *x, sl_expr_t *index)
{
    return node2(a, SL_EXPR_SUBSCRIPT, x, index);
}

sl_expr_t *sl_expr_array(sl_arena_t *a, sl_expr_t *const *items, uint32_t n)
{
    sl_expr_t *e = node(a, SL_EXPR_ARRAY, n);
    for (uint32_t i = 0; i < n; i++)
        e->args[i] = items[i];
    return e;
}

sl_expr_t *sl_expr_map(sl_arena_t *a, sl_expr_t *const *keys, sl_expr_t *const *values, uint32_t n)
{
    sl_expr_t *e = node(a, SL_EXPR_MAP, 2 * n);
    for (uint32_t i = 0; i < n; i++) {
        e->args[2 * i] = keys[i];
        e->args[2 * i + 1] = values[i];
    }
    return e;
}

sl_expr_t *sl_expr_struct(sl_arena_t *a, const char *const *names, sl_expr_t *const *values,
                          uint32_t n)
{
    sl_expr_t *e = node(a, SL_EXPR_STRUCT, n);
    e->u.st.names = sl_arena_alloc(a, sizeof(char *) * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        e->args[i] = values[i];
        e->u.st.names[i] = sl_arena_strdup(a, names[i]);
    }
    return e;
}

sl_expr_t *sl_expr_call(sl_arena_t *a, const char *name, sl_expr_t *const *args, uint32_t n)
{
    sl_expr_t *e = node(a, SL_EXPR_CALL, n);
    for (uint32_t i = 0; i < n; i++)
        e->args[i] = args[i];
    e->u.call.name = sl_arena_strdup(a, name);
    return e;
}

sl_expr_t *sl_expr_lambda(sl_arena_t *a, const char *const *params, uint32_t n, sl_expr_t *body)
{
    sl_expr_t *e = node1(a, SL_EXPR_LAMBDA, body);
    e->u.lambda.params = sl_arena_alloc(a, sizeof(char *) * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++)
        e->u.lambda.params[i] = sl_arena_strdup(a, params[i]);
    e->u.lambda.nparams = n;
    e->u.lambda.slot = -1;
    return e;
}

void sl_expr_set_pos(sl_expr_t *e, int32_t line, int32_t col)
{
    e->line = line;
    e->col = col;
}

/* ---- formatting -------------------------------------------------------------------------- */

static void puts_(sl_buf_t *b, const char *s)
{
    sl_buf_put(b, s, strlen(s));
}

/* ksqlDB prints identifiers bare when they read back the same unquoted, else in backticks. */
static void fmt_ident(const char *name, sl_buf_t *out)
{
    bool plain = name[0] && (isupper((unsigned char)name[0]) || name[0] == '_');
    for (const char *p = name; *p && plain; p++) {
        if (!(isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_')) plain = false;
    }
    if (plain)
        puts_(out, name);
    else
        sl_ident_format(name, out);
}

static void fmt_string_lit(const char *s, size_t n, sl_buf_t *out)
{
    sl_buf_put(out, "'", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'') sl_buf_put(out, "'", 1);
        sl_buf_put(out, &s[i], 1);
    }
    sl_buf_put(out, "'", 1);
}

static const char *cmp_sym[] = {"=", "<>", "<", "<=", ">", ">="};
static const char *cmp_name[] = {"EQUAL",        "NOT_EQUAL",
                                 "LESS_THAN",    "LESS_THAN_OR_EQUAL",
                                 "GREATER_THAN", "GREATER_THAN_OR_EQUAL"};
static const char *arith_sym[] = {"+", "-", "*", "/", "%"};

static void fmt_literal(const sl_expr_t *e, sl_buf_t *out)
{
    const sl_value_t *v = &e->u.lit.v;
    if (e->u.lit.time_unit) {
        sl_buf_put(out, v->u.str, v->len);
        return;
    }
    if (e->u.lit.text) {
        puts_(out, e->u.lit.text);
        return;
    }
    switch (v->kind) {
    case SL_TYPE_NULL:
        puts_(out, "null");
        return;
    case SL_TYPE_STRING:
        fmt_string_lit(v->u.str, v->len, out);
        return;
    case SL_TYPE_DATE:
    case SL_TYPE_TIME:
    case SL_TYPE_TIMESTAMP:
    case SL_TYPE_BYTES: {
        sl_buf_t t;
        sl_buf_init(&t);
        sl_value_to_text(v, e->u.lit.t, &t);
        fmt_string_lit((const char *)t.data, t.len, out);
        sl_buf_free(&t);
        return;
    }
    default:
        sl_value_to_text(v, e->u.lit.t, out);
    }
}

void sl_expr_format(const sl_expr_t *e, sl_buf_t *out)
{
    switch (e->kind) {
    case SL_EXPR_LITERAL:
        fmt_literal(e, out);
        return;
    case SL_EXPR_COLUMN:
        if (e->u.col.source) {
            fmt_ident(e->u.col.source, out);
            puts_(out, ".");
        }
        fmt_ident(e->u.col.name, out);
        return;
    case SL_EXPR_LAMBDA_VAR:
        fmt_ident(e->u.lvar.name, out);
        return;
    case SL_EXPR_ARITH:
    case SL_EXPR_CONCAT:
        puts_(out, "(");
        sl_expr_format(e->args[0], out);
        puts_(out, " ");
        puts_(out, e->kind == SL_EXPR_CONCAT ? "+" : arith_sym[e->op]);
        puts_(out, " ");
        sl_expr_format(e->args[1], out);
        puts_(out, ")");
        return;
    case SL_EXPR_NEG:
        puts_(out, "-");
        sl_expr_format(e->args[0], out);
        return;
    case SL_EXPR_CMP:
        puts_(out, "(");
        sl_expr_format(e->args[0], out);
        puts_(out, " ");
        puts_(out, cmp_sym[e->op]);
        puts_(out, " ");
        sl_expr_format(e->args[1], out);
        puts_(out, ")");
        return;
    case SL_EXPR_AND:
    case SL_EXPR_OR:
        puts_(out, "(");
        sl_expr_format(e->args[0], out);
        puts_(out, e->kind == SL_EXPR_AND ? " AND " : " OR ");
        sl_expr_format(e->args[1], out);
        puts_(out, ")");
        return;
    case SL_EXPR_NOT:
        puts_(out, "(NOT ");
        sl_expr_format(e->args[0], out);
        puts_(out, ")");
        return;
    case SL_EXPR_IS_NULL:
        puts_(out, "(");
        sl_expr_format(e->args[0], out);
        puts_(out, e->negated ? " IS NOT NULL)" : " IS NULL)");
        return;
    case SL_EXPR_DISTINCT:
        puts_(out, "(");
        sl_expr_format(e->args[0], out);
        puts_(out, e->negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        sl_expr_format(e->args[1], out);
        puts_(out, ")");
        return;
    case SL_EXPR_LIKE:
        puts_(out, "(");
        sl_expr_format(e->args[0], out);
        puts_(out, e->negated ? " NOT LIKE " : " LIKE ");
        sl_expr_format(e->args[1], out);
        if (e->u.like.escape >= 0) {
            char c = (char)e->u.like.escape;
            puts_(out, " ESCAPE ");
            fmt_string_lit(&c, 1, out);
        }
        puts_(out, ")");
        return;
    case SL_EXPR_BETWEEN:
        puts_(out, "(");
        sl_expr_format(e->args[0], out);
        puts_(out, e->negated ? " NOT BETWEEN " : " BETWEEN ");
        sl_expr_format(e->args[1], out);
        puts_(out, " AND ");
        sl_expr_format(e->args[2], out);
        puts_(out, ")");
        return;
    case SL_EXPR_IN:
        puts_(out, "(");
        sl_expr_format(e->args[0], out);
        puts_(out, e->negated ? " NOT IN (" : " IN (");
        for (uint32_t i = 1; i < e->nargs; i++) {
            if (i > 1) puts_(out, ", ");
            sl_expr_format(e->args[i], out);
        }
        puts_(out, "))");
        return;
    case SL_EXPR_CASE: {
        uint32_t i = 0, end = e->nargs - (e->u.kase.has_else ? 1 : 0);
        puts_(out, "(CASE");
        if (e->u.kase.simple) {
            puts_(out, " ");
            sl_expr_format(e->args[0], out);
            i = 1;
        }
        for (; i < end; i += 2) {
            puts_(out, " WHEN ");
            sl_expr_format(e->args[i], out);
            puts_(out, " THEN ");
            sl_expr_format(e->args[i + 1], out);
        }
        if (e->u.kase.has_else) {
            puts_(out, " ELSE ");
            sl_expr_format(e->args[e->nargs - 1], out);
        }
        puts_(out, " END)");
        return;
    }
    case SL_EXPR_CAST:
        if (e->implicit_cast_node) {
            sl_expr_format(e->args[0], out);
            return;
        }
        puts_(out, "CAST(");
        sl_expr_format(e->args[0], out);
        puts_(out, " AS ");
        sl_type_format(e->u.cast.to, out);
        puts_(out, ")");
        return;
    case SL_EXPR_FIELD:
        sl_expr_format(e->args[0], out);
        puts_(out, "->");
        fmt_ident(e->u.field.name, out);
        return;
    case SL_EXPR_SUBSCRIPT:
        sl_expr_format(e->args[0], out);
        puts_(out, "[");
        sl_expr_format(e->args[1], out);
        puts_(out, "]");
        return;
    case SL_EXPR_ARRAY:
        puts_(out, "ARRAY[");
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (i) puts_(out, ", ");
            sl_expr_format(e->args[i], out);
        }
        puts_(out, "]");
        return;
    case SL_EXPR_MAP:
        puts_(out, "MAP(");
        for (uint32_t i = 0; i + 1 < e->nargs; i += 2) {
            if (i) puts_(out, ", ");
            sl_expr_format(e->args[i], out);
            puts_(out, ":=");
            sl_expr_format(e->args[i + 1], out);
        }
        puts_(out, ")");
        return;
    case SL_EXPR_STRUCT:
        puts_(out, "STRUCT(");
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (i) puts_(out, ", ");
            fmt_ident(e->u.st.names[i], out);
            puts_(out, ":=");
            sl_expr_format(e->args[i], out);
        }
        puts_(out, ")");
        return;
    case SL_EXPR_CALL: {
        for (const char *p = e->u.call.name; *p; p++) {
            char c = (char)toupper((unsigned char)*p);
            sl_buf_put(out, &c, 1);
        }
        puts_(out, "(");
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (i) puts_(out, ", ");
            sl_expr_format(e->args[i], out);
        }
        puts_(out, ")");
        return;
    }
    case SL_EXPR_LAMBDA:
        if (e->u.lambda.nparams == 1) {
            fmt_ident(e->u.lambda.params[0], out);
        } else {
            puts_(out, "(");
            for (uint32_t i = 0; i < e->u.lambda.nparams; i++) {
                if (i) puts_(out, ", ");
                fmt_ident(e->u.lambda.params[i], out);
            }
            puts_(out, ")");
        }
        puts_(out, " => ");
        sl_expr_format(e->args[0], out);
        return;
    }
}

const char *sl_expr_str(sl_arena_t *a, const sl_expr_t *e)
{
    sl_buf_t b;
    const char *s;
    sl_buf_init(&b);
    sl_expr_format(e, &b);
    s = sl_arena_strndup(a, b.data ? (const char *)b.data : "", b.len);
    sl_buf_free(&b);
    return s;
}

bool sl_expr_is_constant(const sl_expr_t *e)
{
    if (e->kind == SL_EXPR_COLUMN || e->kind == SL_EXPR_LAMBDA_VAR) return false;
    if (e->kind == SL_EXPR_CALL && e->u.call.ov && (e->u.call.ov->def->flags & SL_FN_VOLATILE))
        return false;
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (!sl_expr_is_constant(e->args[i])) return false;
    }
    return true;
}

/* ---- binder ------------------------------------------------------------------------------ */

struct sl_lscope_s {
    sl_lscope_t *up;               /* enclosing scope */
    const char **names;            /* parameter names */
    const sl_type_t *const *types; /* parameter types */
    uint32_t n;                    /* number of parameters */
    int32_t slot;                  /* slot of the first parameter */
};

void sl_binder_init(sl_binder_t *b, sl_arena_t *a, const sl_column_t *cols,
                    const char *const *sources, uint32_t ncols)
{
    memset(b, 0, sizeof(*b));
    b->arena = a;
    b->cols = cols;
    b->sources = sources;
    b->ncols = ncols;
    b->clause = "SELECT";
}

static int bfail(sl_binder_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bfail(sl_binder_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->err, sizeof(b->err), fmt, ap);
    va_end(ap);
    return SL_INVAL;
}

static const char *estr(sl_binder_t *b, const sl_expr_t *e)
{
    return sl_expr_str(b->arena, e);
}

static const char *tstr(sl_binder_t *b, const sl_type_t *t)
{
    if (t->kind == SL_TYPE_NULL) return "null";
    return sl_type_str(b->arena, t);
}

static bool is_null_type(const sl_type_t *t)
{
    return t->kind == SL_TYPE_NULL;
}

static bool is_string_lit(const sl_expr_t *e)
{
    return e->kind == SL_EXPR_LITERAL && e->u.lit.t->kind == SL_TYPE_STRING &&
           e->u.lit.v.kind == SL_TYPE_STRING;
}

/* Wraps e in a CAST to t unless it already has type t. Literals are converted right away. */
static int implicit_cast(sl_binder_t *b, sl_expr_t **pe, const sl_type_t *t)
{
    sl_expr_t *e = *pe, *c;
    if (sl_type_equal(e->type, t)) return SL_OK;
    if (e->kind == SL_EXPR_LITERAL) {
        sl_value_t v;
        char err[256];
        if (sl_value_cast(b->arena, &e->u.lit.v, e->u.lit.t, t, &v, err, sizeof(err)) != SL_OK)
            return bfail(b, "%s", err);
        c = sl_expr_literal(b->arena, &v, t);
        c->type = t;
        c->u.lit.text = e->u.lit.v.kind == SL_TYPE_NULL ? NULL : e->u.lit.text;
        if (t->kind == SL_TYPE_DECIMAL || t->kind == SL_TYPE_DOUBLE || t->kind == SL_TYPE_STRING)
            c->u.lit.text = NULL; /* print the converted value */
        c->line = e->line;
        c->col = e->col;
        *pe = c;
        return SL_OK;
    }
    c = sl_expr_cast(b->arena, e, t);
    c->type = t;
    c->implicit_cast_node = true; /* binder-made: the formatter prints the operand only */
    c->line = e->line;
    c->col = e->col;
    *pe = c;
    return SL_OK;
}

static int bind_rec(sl_binder_t *b, sl_expr_t **pe);

static int bind_column(sl_binder_t *b, sl_expr_t **pe)
{
    sl_expr_t *e = *pe;
    int found = -1, nfound = 0;
    /* lambda parameters shadow columns */
    if (!e->u.col.source) {
        for (sl_lscope_t *s = b->scope; s; s = s->up) {
            for (uint32_t i = 0; i < s->n; i++) {
                if (strcmp(s->names[i], e->u.col.name) == 0) {
                    e->kind = SL_EXPR_LAMBDA_VAR;
                    e->u.lvar.name = e->u.col.name;
                    e->u.lvar.slot = s->slot + (int32_t)i;
                    e->type = s->types[i];
                    return SL_OK;
                }
            }
        }
    }
    for (uint32_t i = 0; i < b->ncols; i++) {
        if (strcmp(b->cols[i].name, e->u.col.name) != 0) continue;
        if (e->u.col.source &&
            (!b->sources || !b->sources[i] || strcmp(b->sources[i], e->u.col.source) != 0))
            continue;
        if (found < 0) found = (int)i;
        nfound++;
    }
    if (nfound == 0) {
        if (e->u.col.source)
            return bfail(b, "%s column '%s.%s' cannot be resolved.", b->clause, e->u.col.source,
                         e->u.col.name);
        return bfail(b, "%s column '%s' cannot be resolved.", b->clause, e->u.col.name);
    }
    if (nfound > 1) {
        sl_buf_t m;
        int k = 0;
        sl_buf_init(&m);
        for (uint32_t i = 0; i < b->ncols; i++) {
            if (strcmp(b->cols[i].name, e->u.col.name) != 0) continue;
            if (k++) puts_(&m, k == nfound ? " or " : ", ");
            if (b->sources && b->sources[i]) {
                puts_(&m, b->sources[i]);
                puts_(&m, ".");
            }
            puts_(&m, b->cols[i].name);
        }
        bfail(b, "Column '%s' is ambiguous. Could be %.*s.", e->u.col.name, (int)m.len,
              (const char *)m.data);
        sl_buf_free(&m);
        return SL_INVAL;
    }
    e->u.col.index = found;
    e->type = b->cols[found].type;
    return SL_OK;
}

/* Result type of DECIMAL arithmetic (header comment). */
static int decimal_arith_type(sl_binder_t *b, sl_arith_op_t op, const sl_type_t *l,
                              const sl_type_t *r, const sl_type_t **out)
{
    int p1 = l->precision, s1 = l->scale, p2 = r->precision, s2 = r->scale, p, s;
    switch (op) {
    case SL_OP_ADD:
    case SL_OP_SUB:
        s = s1 > s2 ? s1 : s2;
        p = (p1 - s1 > p2 - s2 ? p1 - s1 : p2 - s2) + s + 1;
        break;
    case SL_OP_MUL:
        p = p1 + p2 + 1;
        s = s1 + s2;
        break;
    case SL_OP_DIV:
        s = 6 > s1 + p2 + 1 ? 6 : s1 + p2 + 1;
        p = p1 - s1 + s2 + s;
        break;
    default:
        s = s1 > s2 ? s1 : s2;
        p = (p1 - s1 < p2 - s2 ? p1 - s1 : p2 - s2) + s;
        break;
    }
    if (p < 1) p = 1;
    if (sl_type_decimal(b->arena, p, s, out) != SL_OK)
        return bfail(b, "DECIMAL arithmetic result DECIMAL(%d, %d) is out of range", p, s);
    return SL_OK;
}

static int null_type_error(sl_binder_t *b)
{
    return bfail(b, "Can't infer a type of null. Please explicitly cast it to a required type, "
                    "e.g. CAST(null AS VARCHAR).");
}

static int bind_arith(sl_binder_t *b, sl_expr_t *e)
{
    const sl_type_t *l = e->args[0]->type, *r = e->args[1]->type, *t;
    if (is_null_type(l) && is_null_type(r)) return null_type_error(b);
    if (is_null_type(l)) l = r;
    if (is_null_type(r)) r = l;
    if (l->kind == SL_TYPE_STRING && r->kind == SL_TYPE_STRING && e->op == SL_OP_ADD) {
        e->kind = SL_EXPR_CONCAT;
        e->type = SL_T_STRING;
        if (implicit_cast(b, &e->args[0], SL_T_STRING) != SL_OK ||
            implicit_cast(b, &e->args[1], SL_T_STRING) != SL_OK)
            return SL_INVAL;
        return SL_OK;
    }
    if (!sl_type_is_numeric(l) || !sl_type_is_numeric(r))
        return bfail(b, "Error processing expression: %s. Unsupported arithmetic types. %s %s",
                     estr(b, e), sl_type_kind_name(l->kind), sl_type_kind_name(r->kind));
    if (l->kind == SL_TYPE_DOUBLE || r->kind == SL_TYPE_DOUBLE) {
        t = SL_T_DOUBLE;
        e->type = t;
        if (implicit_cast(b, &e->args[0], t) != SL_OK || implicit_cast(b, &e->args[1], t) != SL_OK)
            return SL_INVAL;
        return SL_OK;
    }
    if (l->kind == SL_TYPE_DECIMAL || r->kind == SL_TYPE_DECIMAL) {
        const sl_type_t *dl = sl_type_as_decimal(l), *dr = sl_type_as_decimal(r);
        int rc = decimal_arith_type(b, (sl_arith_op_t)e->op, dl, dr, &t);
        if (rc != SL_OK) return rc;
        e->type = t;
        if (implicit_cast(b, &e->args[0], dl) != SL_OK ||
            implicit_cast(b, &e->args[1], dr) != SL_OK)
            return SL_INVAL;
        return SL_OK;
    }
    t = (l->kind == SL_TYPE_BIGINT || r->kind == SL_TYPE_BIGINT) ? SL_T_BIGINT : SL_T_INTEGER;
    e->type = t;
    if (implicit_cast(b, &e->args[0], t) != SL_OK || implicit_cast(b, &e->args[1], t) != SL_OK)
        return SL_INVAL;
    return SL_OK;
}

static bool is_temporal(const sl_type_t *t)
{
    return t->kind == SL_TYPE_DATE || t->kind == SL_TYPE_TIME || t->kind == SL_TYPE_TIMESTAMP;
}

/* The type both operands of a comparison are brought to, or NULL if they do not compare.
 * eq_only: the operator is (in)equality or DISTINCT, which containers allow. */
static const sl_type_t *comparable(sl_binder_t *b, const sl_type_t *l, const sl_type_t *r,
                                   bool eq_only)
{
    if (is_null_type(l)) return r;
    if (is_null_type(r)) return l;
    if (sl_type_is_numeric(l) && sl_type_is_numeric(r)) return sl_type_widen(b->arena, l, r);
    if (l->kind == SL_TYPE_STRING && is_temporal(r)) return r;
    if (r->kind == SL_TYPE_STRING && is_temporal(l)) return l;
    if ((l->kind == SL_TYPE_DATE && r->kind == SL_TYPE_TIMESTAMP) ||
        (l->kind == SL_TYPE_TIMESTAMP && r->kind == SL_TYPE_DATE))
        return SL_T_TIMESTAMP;
    if (l->kind != r->kind) return NULL;
    if (sl_type_is_container(l)) {
        if (!eq_only) return NULL;
        return sl_type_widen(b->arena, l, r);
    }
    return l;
}

/* ksqlDB compares ROWTIME, WINDOWSTART and WINDOWEND with timestamp text by turning the text
 * into milliseconds ("magic timestamp conversion"): ROWTIME > '2018-01-01T00:00:00'. */
static bool is_magic_ts_col(const sl_expr_t *e)
{
    return e->kind == SL_EXPR_COLUMN && e->type && e->type->kind == SL_TYPE_BIGINT &&
           (strcmp(e->u.col.name, "ROWTIME") == 0 || strcmp(e->u.col.name, "WINDOWSTART") == 0 ||
            strcmp(e->u.col.name, "WINDOWEND") == 0);
}

static int magic_ts(sl_binder_t *b, sl_expr_t *const *ops, uint32_t n)
{
    bool magic = false;
    for (uint32_t i = 0; i < n; i++)
        magic = magic || is_magic_ts_col(ops[i]);
    if (!magic) return SL_OK;
    for (uint32_t i = 0; i < n; i++) {
        sl_expr_t *x = ops[i];
        int64_t ms;
        if (!is_string_lit(x)) continue;
        if (sl_value_parse_ts(x->u.lit.v.u.str, x->u.lit.v.len, &ms) != SL_OK)
            return bfail(b,
                         "Failed to parse timestamp '%.*s': expected ISO-8601 text like "
                         "2020-02-10T08:31:44.001+0000",
                         (int)x->u.lit.v.len, x->u.lit.v.u.str);
        x->u.lit.v = sl_v_bigint(ms);
        x->u.lit.t = SL_T_BIGINT;
        x->type = SL_T_BIGINT;
    }
    return SL_OK;
}

static int bind_cmp(sl_binder_t *b, sl_expr_t *e, bool distinct)
{
    const sl_type_t *l, *r, *t;
    bool eq_only = distinct || e->op == SL_CMP_EQ || e->op == SL_CMP_NE;
    if (magic_ts(b, e->args, 2) != SL_OK) return SL_INVAL;
    l = e->args[0]->type;
    r = e->args[1]->type;
    if (is_null_type(l) && is_null_type(r)) {
        if (distinct)
            return bfail(b, "Comparison with NULL not supported: NULL IS %sDISTINCT FROM NULL",
                         e->negated ? "NOT " : "");
        return bfail(b, "Comparison with NULL not supported: NULL %s NULL", cmp_sym[e->op]);
    }
    t = comparable(b, l, r, eq_only);
    if (!t) {
        const char *opname =
            distinct ? (e->negated ? "IS_NOT_DISTINCT_FROM" : "IS_DISTINCT_FROM") : cmp_name[e->op];
        return bfail(b, "Cannot compare %s (%s) to %s (%s) with %s.", estr(b, e->args[0]),
                     tstr(b, l), estr(b, e->args[1]), tstr(b, r), opname);
    }
    e->type = SL_T_BOOLEAN;
    if (implicit_cast(b, &e->args[0], t) != SL_OK || implicit_cast(b, &e->args[1], t) != SL_OK)
        return SL_INVAL;
    return SL_OK;
}

static int bind_bool_operand(sl_binder_t *b, sl_expr_t *e, sl_expr_t **arg, const char *op)
{
    const sl_type_t *t = (*arg)->type;
    if (is_null_type(t)) return implicit_cast(b, arg, SL_T_BOOLEAN);
    if (t->kind != SL_TYPE_BOOLEAN)
        return bfail(b, "%s expects BOOLEAN operands but %s is %s", op, estr(b, *arg), tstr(b, t));
    (void)e;
    return SL_OK;
}

/* ---- list coercion (ksqlDB's CoercionUtil) ----------------------------------------------- */

static int op_not_exist(sl_binder_t *b, const sl_type_t *target, const sl_expr_t *e)
{
    return bfail(b,
                 "operator does not exist: %s = %s (%s)\nHint: You might need to add explicit "
                 "type casts.",
                 tstr(b, target), tstr(b, e->type), estr(b, e));
}

/* SL_RANGE marks "a literal does not parse": constructors pass it up unchanged, while a type
 * mismatch inside a constructor (SL_INVAL) is reported for the whole constructor. */
static int bad_literal(sl_binder_t *b, const sl_type_t *target, const sl_expr_t *e)
{
    bfail(b, "invalid input syntax for type %s: \"%.*s\".", sl_type_kind_name(target->kind),
          (int)e->u.lit.v.len, e->u.lit.v.u.str);
    return SL_RANGE;
}

/* Folds expression e into the running common type *target (NULL: none yet). */
static int common_type(sl_binder_t *b, const sl_expr_t *e, const sl_type_t **target)
{
    const sl_type_t *st = e->type, *t = *target;
    /* NULL literals (also ones an inner coercion already typed) adapt to anything */
    if (is_null_type(st) || (e->kind == SL_EXPR_LITERAL && sl_v_is_null(&e->u.lit.v))) return SL_OK;
    if (!t) {
        *target = st;
        return SL_OK;
    }
    switch (t->kind) {
    case SL_TYPE_ARRAY:
        if (e->kind == SL_EXPR_ARRAY) {
            const sl_type_t *el = t->elem;
            for (uint32_t i = 0; i < e->nargs; i++) {
                int rc = common_type(b, e->args[i], &el);
                if (rc == SL_RANGE) return rc;
                if (rc != SL_OK) return op_not_exist(b, t, e);
            }
            *target = sl_type_equal(el, t->elem) ? t : sl_type_array(b->arena, el);
            return SL_OK;
        }
        break;
    case SL_TYPE_MAP:
        if (e->kind == SL_EXPR_MAP) {
            const sl_type_t *k = t->key, *v = t->elem;
            for (uint32_t i = 0; i + 1 < e->nargs; i += 2) {
                int rc = common_type(b, e->args[i], &k);
                if (rc == SL_OK) rc = common_type(b, e->args[i + 1], &v);
                if (rc == SL_RANGE) return rc;
                if (rc != SL_OK) return op_not_exist(b, t, e);
            }
            *target = sl_type_map(b->arena, k, v);
            return SL_OK;
        }
        break;
    case SL_TYPE_STRUCT:
        if (st->kind == SL_TYPE_STRUCT) {
            /* the union of the fields: a struct lacking some gets NULLs (ksqlDB widens
             * STRUCT(A:=5) to STRUCT<A, B> that way) */
            bool ctor = e->kind == SL_EXPR_STRUCT;
            uint32_t ns = ctor ? e->nargs : st->nfields;
            sl_field_t f[256];
            uint32_t n = t->nfields;
            if (n + ns > 256) return bfail(b, "too many STRUCT fields");
            memcpy(f, t->fields, sizeof(*f) * n);
            for (uint32_t i = 0; i < ns; i++) {
                const char *fname = ctor ? e->u.st.names[i] : st->fields[i].name;
                const sl_type_t *ftype = ctor ? e->args[i]->type : st->fields[i].type;
                int j = sl_type_field_index(t, fname);
                if (j >= 0) {
                    int rc;
                    if (ctor) {
                        rc = common_type(b, e->args[i], &f[j].type);
                    } else {
                        const sl_type_t *w = sl_type_widen(b->arena, f[j].type, ftype);
                        rc = w ? SL_OK : SL_INVAL;
                        if (w) f[j].type = w;
                    }
                    if (rc == SL_RANGE) return rc;
                    if (rc != SL_OK) return op_not_exist(b, t, e);
                } else {
                    f[n].name = fname;
                    f[n].type = ftype;
                    if (is_null_type(f[n].type)) return null_type_error(b);
                    n++;
                }
            }
            *target = sl_type_struct(b->arena, f, n);
            return SL_OK;
        }
        break;
    default:
        if (is_string_lit(e) && t->kind != SL_TYPE_STRING) {
            const sl_value_t *v = &e->u.lit.v;
            if (sl_type_is_numeric(t)) {
                sl_value_t nv;
                const sl_type_t *nt, *w;
                char err[128];
                const char *p = v->u.str;
                size_t n = v->len;
                while (n && isspace((unsigned char)*p)) {
                    p++;
                    n--;
                }
                while (n && isspace((unsigned char)p[n - 1]))
                    n--;
                if (number_literal(b->arena, p, n, &nv, &nt, err, sizeof(err)) != SL_OK)
                    return bad_literal(b, t, e);
                w = sl_type_widen(b->arena, t, nt);
                if (!w) return bad_literal(b, t, e);
                *target = w;
                return SL_OK;
            }
            if (t->kind == SL_TYPE_BOOLEAN || is_temporal(t)) {
                sl_value_t out;
                char err[128];
                if (sl_value_cast(b->arena, v, SL_T_STRING, t, &out, err, sizeof(err)) != SL_OK)
                    return bad_literal(b, t, e);
                return SL_OK;
            }
            return op_not_exist(b, t, e);
        }
        if (t->kind == SL_TYPE_STRING && e->kind == SL_EXPR_LITERAL && !sl_type_is_container(st))
            return SL_OK; /* other literals print into a STRING list */
        if (sl_type_is_numeric(t) && sl_type_is_numeric(st)) {
            *target = sl_type_widen(b->arena, t, st);
            return SL_OK;
        }
        if (st->kind == t->kind && !sl_type_is_container(st)) return SL_OK;
        return op_not_exist(b, t, e);
    }
    {
        const sl_type_t *w = st->kind == t->kind ? sl_type_widen(b->arena, t, st) : NULL;
        if (!w) return op_not_exist(b, t, e);
        *target = w;
        return SL_OK;
    }
}

/* Converts a bound expression to type t (after common_type agreed on t). */
static int coerce_to(sl_binder_t *b, sl_expr_t **pe, const sl_type_t *t)
{
    sl_expr_t *e = *pe;
    if (sl_type_equal(e->type, t)) return SL_OK;
    if (e->kind == SL_EXPR_ARRAY && t->kind == SL_TYPE_ARRAY) {
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (coerce_to(b, &e->args[i], t->elem) != SL_OK) return SL_INVAL;
        }
        e->type = t;
        return SL_OK;
    }
    if (e->kind == SL_EXPR_MAP && t->kind == SL_TYPE_MAP) {
        for (uint32_t i = 0; i + 1 < e->nargs; i += 2) {
            if (coerce_to(b, &e->args[i], t->key) != SL_OK ||
                coerce_to(b, &e->args[i + 1], t->elem) != SL_OK)
                return SL_INVAL;
        }
        e->type = t;
        return SL_OK;
    }
    if (e->kind == SL_EXPR_STRUCT && t->kind == SL_TYPE_STRUCT) {
        /* rebuild in the target's field order; absent fields are typed NULLs */
        sl_expr_t **args = sl_arena_zalloc(b->arena, sizeof(sl_expr_t *) * (t->nfields + 1));
        const char **names = sl_arena_alloc(b->arena, sizeof(char *) * (t->nfields + 1));
        for (uint32_t i = 0; i < t->nfields; i++) {
            sl_expr_t *v = NULL;
            names[i] = t->fields[i].name;
            for (uint32_t j = 0; j < e->nargs; j++) {
                if (strcmp(e->u.st.names[j], t->fields[i].name) == 0) v = e->args[j];
            }
            if (!v) {
                v = sl_expr_null(b->arena);
                v->type = SL_T_NULL;
            }
            if (coerce_to(b, &v, t->fields[i].type) != SL_OK) return SL_INVAL;
            args[i] = v;
        }
        e->args = args;
        e->nargs = t->nfields;
        e->u.st.names = names;
        e->type = t;
        return SL_OK;
    }
    if (e->kind == SL_EXPR_LITERAL && t->kind == SL_TYPE_STRING &&
        e->u.lit.t->kind != SL_TYPE_NULL) {
        /* 10.30 in a STRING list is the text as written */
        const char *txt = e->u.lit.text;
        sl_expr_t *s;
        if (txt) {
            s = sl_expr_string(b->arena, txt, strlen(txt));
        } else {
            sl_value_t v = sl_value_to_string(b->arena, &e->u.lit.v, e->u.lit.t);
            s = sl_expr_literal(b->arena, &v, SL_T_STRING);
        }
        s->type = SL_T_STRING;
        *pe = s;
        return SL_OK;
    }
    if (is_string_lit(e) && t->kind != SL_TYPE_STRING) {
        sl_value_t v;
        sl_expr_t *c;
        char err[256];
        if (sl_value_cast(b->arena, &e->u.lit.v, SL_T_STRING, t, &v, err, sizeof(err)) != SL_OK)
            return bad_literal(b, t, e);
        c = sl_expr_literal(b->arena, &v, t);
        c->type = t;
        *pe = c;
        return SL_OK;
    }
    if (!is_null_type(e->type) && !sl_value_cast_allowed(e->type, t)) return op_not_exist(b, t, e);
    return implicit_cast(b, pe, t);
}

/* Coerces args[0..n) to one type; *out is it (SL_T_NULL when all are NULL). */
static int coerce_list(sl_binder_t *b, sl_expr_t **args, uint32_t n, const sl_type_t **out)
{
    const sl_type_t *t = NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (common_type(b, args[i], &t) != SL_OK) return SL_INVAL;
    }
    if (!t) {
        *out = SL_T_NULL;
        return SL_OK;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (coerce_to(b, &args[i], t) != SL_OK) return SL_INVAL;
    }
    *out = t;
    return SL_OK;
}

/* ---- binding of the node kinds ----------------------------------------------------------- */

static int bind_case(sl_binder_t *b, sl_expr_t *e)
{
    uint32_t first = e->u.kase.simple ? 1 : 0;
    uint32_t end = e->nargs - (e->u.kase.has_else ? 1 : 0);
    sl_expr_t *results[512];
    uint32_t nr = 0;
    const sl_type_t *t;
    if (e->nargs > 1000) return bfail(b, "CASE with too many branches (at most 500)");
    if (e->u.kase.simple) {
        /* operand and WHEN values compare like IN: one common type */
        sl_expr_t *vals[512];
        uint32_t nv = 0;
        vals[nv++] = e->args[0];
        for (uint32_t i = first; i < end && nv < 512; i += 2)
            vals[nv++] = e->args[i];
        if (coerce_list(b, vals, nv, &t) != SL_OK) return SL_INVAL;
        nv = 0;
        e->args[0] = vals[nv++];
        for (uint32_t i = first; i < end && nv < 512; i += 2)
            e->args[i] = vals[nv++];
    } else {
        for (uint32_t i = first; i < end; i += 2) {
            const sl_type_t *wt = e->args[i]->type;
            if (is_null_type(wt)) {
                if (implicit_cast(b, &e->args[i], SL_T_BOOLEAN) != SL_OK) return SL_INVAL;
            } else if (wt->kind != SL_TYPE_BOOLEAN) {
                return bfail(b, "WHEN operand type should be BOOLEAN but is %s: %s", tstr(b, wt),
                             estr(b, e->args[i]));
            }
        }
    }
    for (uint32_t i = first + 1; i < end && nr < 511; i += 2)
        results[nr++] = e->args[i];
    if (e->u.kase.has_else) results[nr++] = e->args[e->nargs - 1];
    if (coerce_list(b, results, nr, &t) != SL_OK) return SL_INVAL;
    nr = 0;
    for (uint32_t i = first + 1; i < end; i += 2)
        e->args[i] = results[nr++];
    if (e->u.kase.has_else) e->args[e->nargs - 1] = results[nr++];
    e->type = t;
    return SL_OK;
}

typedef struct lambda_ctx_s {
    sl_binder_t *b;  /* binder */
    sl_expr_t *call; /* the call whose lambdas are bound */
} lambda_ctx_t;

static int bind_lambda_cb(void *ud, uint32_t argi, const sl_type_t *const *ptypes, uint32_t np,
                          const sl_type_t **body_type)
{
    lambda_ctx_t *lc = ud;
    sl_binder_t *b = lc->b;
    sl_expr_t *l = lc->call->args[argi];
    sl_lscope_t scope;
    int rc;
    if (b->nslots + (int32_t)np > SL_EXPR_MAX_LAMBDA_VARS)
        return bfail(b, "lambdas nested too deeply (at most %d parameters in scope)",
                     SL_EXPR_MAX_LAMBDA_VARS);
    scope.up = b->scope;
    scope.names = l->u.lambda.params;
    scope.types = ptypes;
    scope.n = np;
    scope.slot = b->nslots;
    l->u.lambda.slot = b->nslots;
    b->nslots += (int32_t)np;
    b->scope = &scope;
    rc = bind_rec(b, &l->args[0]);
    b->scope = scope.up;
    b->nslots -= (int32_t)np;
    if (rc != SL_OK) return rc;
    if (is_null_type(l->args[0]->type)) return null_type_error(b);
    l->type = l->args[0]->type;
    *body_type = l->args[0]->type;
    return SL_OK;
}

static bool is_time_unit_name(const char *n)
{
    static const char *const units[] = {"NANOSECOND", "MICROSECOND", "MILLISECOND", "SECOND",
                                        "MINUTE",     "HOUR",        "DAY"};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        size_t l = strlen(units[i]);
        if (strncmp(n, units[i], l) == 0 && (n[l] == '\0' || (n[l] == 'S' && n[l + 1] == '\0')))
            return true;
    }
    return false;
}

/* A bare name that is a time unit and not a column or lambda parameter. */
static bool unit_ref(sl_binder_t *b, const sl_expr_t *e)
{
    if (e->kind != SL_EXPR_COLUMN || e->u.col.source || !is_time_unit_name(e->u.col.name))
        return false;
    for (sl_lscope_t *s = b->scope; s; s = s->up) {
        for (uint32_t i = 0; i < s->n; i++) {
            if (strcmp(s->names[i], e->u.col.name) == 0) return false;
        }
    }
    for (uint32_t i = 0; i < b->ncols; i++) {
        if (strcmp(b->cols[i].name, e->u.col.name) == 0) return false;
    }
    return true;
}

static int bind_call(sl_binder_t *b, sl_expr_t *e)
{
    const sl_func_t *f = sl_func_lookup(e->u.call.name);
    sl_farg_t fa[64];
    const sl_type_t *ptypes[64], *ret;
    const sl_overload_t *ov;
    lambda_ctx_t lc = {b, e};
    sl_fcall_t *call;
    int rc;
    if (!f) return bfail(b, "Can't find any functions with the name '%s'", e->u.call.name);
    if (e->nargs > 64) return bfail(b, "Function '%s' called with too many arguments", f->name);
    for (uint32_t i = 0; i < e->nargs; i++) {
        sl_expr_t *a = e->args[i];
        memset(&fa[i], 0, sizeof(fa[i]));
        if (a->kind == SL_EXPR_LAMBDA) {
            fa[i].lambda_params = a->u.lambda.nparams;
            continue;
        }
        if (unit_ref(b, a)) e->args[i] = sl_expr_time_unit(b->arena, a->u.col.name);
        if ((rc = bind_rec(b, &e->args[i])) != SL_OK) return rc;
        fa[i].type = e->args[i]->type;
        fa[i].time_unit = e->args[i]->kind == SL_EXPR_LITERAL && e->args[i]->u.lit.time_unit;
        fa[i].string_literal = is_string_lit(e->args[i]) && !fa[i].time_unit;
    }
    rc = sl_func_resolve(b->arena, f, fa, e->nargs, bind_lambda_cb, &lc, &ov, ptypes, &ret, b->err,
                         sizeof(b->err));
    if (rc != SL_OK) return rc;
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (!ptypes[i]) continue;
        if (!sl_type_equal(e->args[i]->type, ptypes[i])) {
            if (!is_null_type(e->args[i]->type) &&
                !sl_value_cast_allowed(e->args[i]->type, ptypes[i]))
                return bfail(b, "Function '%s' cannot convert argument %u from %s to %s", f->name,
                             i + 1, tstr(b, e->args[i]->type), tstr(b, ptypes[i]));
            if ((rc = implicit_cast(b, &e->args[i], ptypes[i])) != SL_OK) return rc;
        }
    }
    call = sl_arena_zalloc(b->arena, sizeof(*call));
    call->ret = ret;
    call->nargs = e->nargs;
    call->argt = sl_arena_alloc(b->arena, sizeof(sl_type_t *) * (e->nargs ? e->nargs : 1));
    memcpy((void *)call->argt, ptypes, sizeof(sl_type_t *) * e->nargs);
    call->argx = e->args;
    e->u.call.fn = f;
    e->u.call.ov = ov;
    e->u.call.call = call;
    e->type = ret;
    if (ov->def->prep) {
        char err[512];
        err[0] = '\0';
        if ((rc = ov->def->prep(b->arena, call, err, sizeof(err))) != SL_OK)
            return bfail(b, "%s", err[0] ? err : "function preparation failed");
    }
    return SL_OK;
}

static int bind_node(sl_binder_t *b, sl_expr_t **pe);

static int bind_rec(sl_binder_t *b, sl_expr_t **pe)
{
    int rc;
    if (b->depth >= SL_EXPR_MAX_DEPTH)
        return bfail(b, "Expression nested too deeply (more than %d levels)", SL_EXPR_MAX_DEPTH);
    b->depth++;
    rc = bind_node(b, pe);
    b->depth--;
    return rc;
}

static int bind_node(sl_binder_t *b, sl_expr_t **pe)
{
    sl_expr_t *e = *pe;
    int rc;
    if (e->type && e->kind != SL_EXPR_COLUMN)
        return SL_OK; /* bound already (a node the binder made) */
    switch (e->kind) {
    case SL_EXPR_LITERAL:
        e->type = e->u.lit.t;
        return SL_OK;
    case SL_EXPR_COLUMN:
        return bind_column(b, pe);
    case SL_EXPR_LAMBDA_VAR:
        return SL_OK;
    case SL_EXPR_CALL:
        return bind_call(b, e);
    case SL_EXPR_LAMBDA:
        return bfail(b, "A lambda (%s) may only appear as a function argument", estr(b, e));
    default:
        break;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        if ((rc = bind_rec(b, &e->args[i])) != SL_OK) return rc;
    }
    switch (e->kind) {
    case SL_EXPR_ARITH:
        return bind_arith(b, e);
    case SL_EXPR_NEG: {
        const sl_type_t *t = e->args[0]->type;
        if (is_null_type(t)) return null_type_error(b);
        if (!sl_type_is_numeric(t))
            return bfail(b, "Error processing expression: %s. Unsupported arithmetic types. %s",
                         estr(b, e), sl_type_kind_name(t->kind));
        e->type = t;
        return SL_OK;
    }
    case SL_EXPR_CMP:
        return bind_cmp(b, e, false);
    case SL_EXPR_DISTINCT:
        return bind_cmp(b, e, true);
    case SL_EXPR_AND:
    case SL_EXPR_OR:
        e->type = SL_T_BOOLEAN;
        if ((rc = bind_bool_operand(b, e, &e->args[0], e->kind == SL_EXPR_AND ? "AND" : "OR")) !=
                SL_OK ||
            (rc = bind_bool_operand(b, e, &e->args[1], e->kind == SL_EXPR_AND ? "AND" : "OR")) !=
                SL_OK)
            return rc;
        return SL_OK;
    case SL_EXPR_NOT:
        e->type = SL_T_BOOLEAN;
        return bind_bool_operand(b, e, &e->args[0], "NOT");
    case SL_EXPR_IS_NULL:
        e->type = SL_T_BOOLEAN;
        return SL_OK;
    case SL_EXPR_LIKE:
        for (int i = 0; i < 2; i++) {
            const sl_type_t *t = e->args[i]->type;
            if (is_null_type(t)) {
                if ((rc = implicit_cast(b, &e->args[i], SL_T_STRING)) != SL_OK) return rc;
            } else if (t->kind != SL_TYPE_STRING) {
                return bfail(b, "LIKE can only be used with STRING operands, but %s is %s",
                             estr(b, e->args[i]), tstr(b, t));
            }
        }
        e->type = SL_T_BOOLEAN;
        return SL_OK;
    case SL_EXPR_BETWEEN: {
        const sl_type_t *t;
        if ((rc = magic_ts(b, e->args, 3)) != SL_OK) return rc;
        t = comparable(b, e->args[0]->type, e->args[1]->type, false);
        if (t) t = comparable(b, t, e->args[2]->type, false);
        if (t && is_null_type(t))
            return bfail(b, "Comparison with NULL not supported: %s", estr(b, e));
        if (!t)
            return bfail(b, "Cannot compare %s (%s) to %s (%s) with BETWEEN.", estr(b, e->args[0]),
                         tstr(b, e->args[0]->type), estr(b, e->args[1]), tstr(b, e->args[1]->type));
        for (int i = 0; i < 3; i++) {
            if ((rc = implicit_cast(b, &e->args[i], t)) != SL_OK) return rc;
        }
        e->type = SL_T_BOOLEAN;
        return SL_OK;
    }
    case SL_EXPR_IN: {
        const sl_type_t *t;
        if ((rc = coerce_list(b, e->args, e->nargs, &t)) != SL_OK) return rc;
        e->type = SL_T_BOOLEAN;
        return SL_OK;
    }
    case SL_EXPR_CASE:
        return bind_case(b, e);
    case SL_EXPR_CAST: {
        const sl_type_t *from = e->args[0]->type, *to = e->u.cast.to;
        if (!sl_value_cast_allowed(from, to))
            return bfail(b, "Cast of %s to %s is not supported", tstr(b, from), tstr(b, to));
        if (is_null_type(from)) e->args[0]->type = to; /* CAST(NULL AS T) is a typed NULL */
        e->type = to;
        return SL_OK;
    }
    case SL_EXPR_FIELD: {
        const sl_type_t *t = e->args[0]->type;
        int idx;
        if (t->kind != SL_TYPE_STRUCT)
            return bfail(b, "Expected STRUCT type for dereference %s but got %s", estr(b, e),
                         tstr(b, t));
        idx = sl_type_field_index(t, e->u.field.name);
        if (idx < 0)
            return bfail(b, "Could not find field '%s' in '%s'.", e->u.field.name,
                         estr(b, e->args[0]));
        e->u.field.index = idx;
        e->type = t->fields[idx].type;
        return SL_OK;
    }
    case SL_EXPR_SUBSCRIPT: {
        const sl_type_t *t = e->args[0]->type, *it = e->args[1]->type;
        if (t->kind == SL_TYPE_ARRAY) {
            if (is_null_type(it)) it = SL_T_INTEGER;
            if (it->kind != SL_TYPE_INTEGER && it->kind != SL_TYPE_BIGINT)
                return bfail(b, "Array index must be an INTEGER or BIGINT, but %s is %s",
                             estr(b, e->args[1]), tstr(b, e->args[1]->type));
            if ((rc = implicit_cast(b, &e->args[1], it)) != SL_OK) return rc;
            e->type = t->elem;
            return SL_OK;
        }
        if (t->kind == SL_TYPE_MAP) {
            sl_expr_t *pair[2] = {NULL, e->args[1]};
            const sl_type_t *kt;
            sl_expr_t probe;
            memset(&probe, 0, sizeof(probe));
            probe.kind = SL_EXPR_COLUMN; /* stands for "a value of the key type" */
            probe.type = t->key;
            pair[0] = &probe;
            if ((rc = coerce_list(b, pair, 2, &kt)) != SL_OK) return rc;
            e->args[1] = pair[1];
            if (!sl_type_equal(kt, t->key) && (rc = implicit_cast(b, &e->args[1], t->key)) != SL_OK)
                return rc;
            e->type = t->elem;
            return SL_OK;
        }
        return bfail(b, "Subscript expression %s requires an ARRAY or MAP, but %s is %s",
                     estr(b, e), estr(b, e->args[0]), tstr(b, t));
    }
    case SL_EXPR_ARRAY: {
        const sl_type_t *t;
        if (e->nargs == 0)
            return bfail(b, "Array constructor cannot be empty. Please supply at least one "
                            "element (see https://github.com/confluentinc/ksql/issues/4239).");
        if ((rc = coerce_list(b, e->args, e->nargs, &t)) != SL_OK) return rc;
        if (is_null_type(t))
            return bfail(b, "Cannot construct an array with all NULL elements (see "
                            "https://github.com/confluentinc/ksql/issues/4239). As a "
                            "workaround, you may cast a NULL value to the desired type.");
        e->type = sl_type_array(b->arena, t);
        return SL_OK;
    }
    case SL_EXPR_MAP: {
        sl_expr_t *keys[256], *vals[256];
        uint32_t n = e->nargs / 2;
        const sl_type_t *kt, *vt;
        if (n == 0)
            return bfail(b, "Map constructor cannot be empty. Please supply at least one key "
                            "value pair (see https://github.com/confluentinc/ksql/issues/4239).");
        if (n > 256) return bfail(b, "Map constructor with too many entries");
        for (uint32_t i = 0; i < n; i++) {
            keys[i] = e->args[2 * i];
            vals[i] = e->args[2 * i + 1];
        }
        if ((rc = coerce_list(b, keys, n, &kt)) != SL_OK ||
            (rc = coerce_list(b, vals, n, &vt)) != SL_OK)
            return rc;
        if (is_null_type(kt))
            return bfail(b, "Cannot construct a map with all NULL keys (see "
                            "https://github.com/confluentinc/ksql/issues/4239). As a "
                            "workaround, you may cast a NULL key to the desired type.");
        if (is_null_type(vt))
            return bfail(b, "Cannot construct a map with all NULL values (see "
                            "https://github.com/confluentinc/ksql/issues/4239). As a "
                            "workaround, you may cast a NULL value to the desired type.");
        for (uint32_t i = 0; i < n; i++) {
            e->args[2 * i] = keys[i];
            e->args[2 * i + 1] = vals[i];
        }
        e->type = sl_type_map(b->arena, kt, vt);
        return SL_OK;
    }
    case SL_EXPR_STRUCT: {
        sl_field_t f[256];
        if (e->nargs > 256) return bfail(b, "STRUCT constructor with too many fields");
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (is_null_type(e->args[i]->type)) return null_type_error(b);
            for (uint32_t j = 0; j < i; j++) {
                if (strcmp(e->u.st.names[i], e->u.st.names[j]) == 0)
                    return bfail(b, "Duplicate field names found in STRUCT: '%s'",
                                 e->u.st.names[i]);
            }
            f[i].name = e->u.st.names[i];
            f[i].type = e->args[i]->type;
        }
        e->type = sl_type_struct(b->arena, f, e->nargs);
        return SL_OK;
    }
    default:
        return bfail(b, "unexpected expression node %d", (int)e->kind);
    }
}

int sl_expr_bind_any(sl_binder_t *b, sl_expr_t *e, sl_expr_t **out)
{
    int rc;
    b->err[0] = '\0';
    *out = e;
    rc = bind_rec(b, out);
    return rc;
}

int sl_expr_bind(sl_binder_t *b, sl_expr_t *e, sl_expr_t **out)
{
    int rc = sl_expr_bind_any(b, e, out);
    if (rc != SL_OK) return rc;
    if (is_null_type((*out)->type)) return null_type_error(b);
    return SL_OK;
}

/* ---- evaluation -------------------------------------------------------------------------- */

void sl_eval_init(sl_eval_t *ctx, sl_arena_t *arena)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->arena = arena;
    ctx->rng[0] = 0x9e3779b97f4a7c15ULL ^ (uint64_t)sl_wallclock_ms();
    ctx->rng[1] = 0xbf58476d1ce4e5b9ULL ^ (uint64_t)(uintptr_t)ctx;
}

int sl_eval_fail(sl_eval_t *ctx, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
    va_end(ap);
    return rc;
}

int64_t sl_eval_now_ms(sl_eval_t *ctx)
{
    return ctx->now_ms ? ctx->now_ms : sl_wallclock_ms();
}

static int eval_arith_int(sl_eval_t *ctx, const sl_expr_t *e, int64_t x, int64_t y, bool big,
                          sl_value_t *out)
{
    int64_t r;
    switch (e->op) {
    case SL_OP_ADD:
        r = (int64_t)((uint64_t)x + (uint64_t)y);
        break;
    case SL_OP_SUB:
        r = (int64_t)((uint64_t)x - (uint64_t)y);
        break;
    case SL_OP_MUL:
        r = (int64_t)((uint64_t)x * (uint64_t)y);
        break;
    case SL_OP_DIV:
        if (y == 0) return sl_eval_fail(ctx, SL_INVAL, "/ by zero");
        if (y == -1)
            r = (int64_t)(0 - (uint64_t)x); /* MIN / -1 wraps, as in Java */
        else
            r = x / y;
        break;
    default:
        if (y == 0) return sl_eval_fail(ctx, SL_INVAL, "/ by zero");
        r = y == -1 ? 0 : x % y;
        break;
    }
    if (big)
        *out = sl_v_bigint(r);
    else
        *out = sl_v_int((int32_t)(uint32_t)(uint64_t)r);
    return SL_OK;
}

static int dec_overflow(sl_eval_t *ctx, const sl_expr_t *e)
{
    return sl_eval_fail(ctx, SL_RANGE, "DECIMAL result of %s exceeds %d digits",
                        e->kind == SL_EXPR_ARITH ? arith_sym[e->op] : "expression",
                        SL_DECIMAL_MAX_DIGITS);
}

static int eval_arith_dec(sl_eval_t *ctx, const sl_expr_t *e, const sl_value_t *x,
                          const sl_value_t *y, sl_value_t *out)
{
    const sl_type_t *t = e->type;
    int s = t->scale;
    sl_i128 a, b, r;
    switch (e->op) {
    case SL_OP_ADD:
    case SL_OP_SUB:
        if (sl_dec_rescale(x->u.dec, x->scale, s, &a) != SL_OK ||
            sl_dec_rescale(y->u.dec, y->scale, s, &b) != SL_OK)
            return dec_overflow(ctx, e);
        if (e->op == SL_OP_ADD ? __builtin_add_overflow(a, b, &r)
                               : __builtin_sub_overflow(a, b, &r))
            return dec_overflow(ctx, e);
        break;
    case SL_OP_MUL: {
        sl_i128 p;
        if (__builtin_mul_overflow(x->u.dec, y->u.dec, &p)) return dec_overflow(ctx, e);
        if (sl_dec_rescale(p, x->scale + y->scale, s, &r) != SL_OK) return dec_overflow(ctx, e);
        break;
    }
    case SL_OP_DIV: {
        /* r = round_half_up(x / y, s): long division on magnitudes, one digit at a time */
        unsigned __int128 n, d, q, rem;
        bool neg;
        int k;
        if (y->u.dec == 0) return sl_eval_fail(ctx, SL_INVAL, "Division by zero");
        neg = (x->u.dec < 0) != (y->u.dec < 0);
        n = x->u.dec < 0 ? (unsigned __int128)(-x->u.dec) : (unsigned __int128)x->u.dec;
        d = y->u.dec < 0 ? (unsigned __int128)(-y->u.dec) : (unsigned __int128)y->u.dec;
        /* x/y = (n / 10^sx) / (d / 10^sy) = n * 10^(sy - sx) / d; want s fraction digits */
        k = s + y->scale - x->scale; /* extra decimal digits to produce */
        if (k < 0) {
            /* fewer digits than the operands carry: scale the divisor instead */
            sl_i128 dd;
            if (sl_dec_rescale((sl_i128)d, 0, -k, &dd) != SL_OK) return dec_overflow(ctx, e);
            d = (unsigned __int128)dd;
            k = 0;
        }
        q = n / d;
        rem = n % d;
        for (int i = 0; i < k; i++) {
            unsigned __int128 digit;
            if (rem > ~(unsigned __int128)0 / 10 || q >= (unsigned __int128)sl_dec_pow10(37))
                return dec_overflow(ctx, e);
            rem *= 10;
            digit = rem / d;
            rem %= d;
            q = q * 10 + digit;
        }
        if (rem >= d - rem) /* rem * 2 >= d without overflow */
            q++;
        r = neg ? -(sl_i128)q : (sl_i128)q;
        break;
    }
    default: {
        int ms = x->scale > y->scale ? x->scale : y->scale;
        if (y->u.dec == 0) return sl_eval_fail(ctx, SL_INVAL, "Division by zero");
        if (sl_dec_rescale(x->u.dec, x->scale, ms, &a) != SL_OK ||
            sl_dec_rescale(y->u.dec, y->scale, ms, &b) != SL_OK)
            return dec_overflow(ctx, e);
        r = a % b;
        if (sl_dec_rescale(r, ms, s, &r) != SL_OK) return dec_overflow(ctx, e);
        break;
    }
    }
    if (r >= sl_dec_pow10(SL_DECIMAL_MAX_DIGITS) || r <= -sl_dec_pow10(SL_DECIMAL_MAX_DIGITS))
        return dec_overflow(ctx, e);
    if (t->precision <= SL_DECIMAL_MAX_DIGITS) {
        char err[256];
        if (sl_dec_check(r, t->precision, s, err, sizeof(err)) != SL_OK)
            return sl_eval_fail(ctx, SL_RANGE, "%s", err);
    }
    *out = sl_v_dec(r, s);
    return SL_OK;
}

/* Matches UTF-8 text against a LIKE pattern (% any run, _ one character, esc quotes the next
 * pattern character). Iterative with backtracking to the last %. */
static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
}

static bool like_match(const char *s, size_t sn, const char *p, size_t pn, int esc)
{
    size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn) {
            unsigned char c = (unsigned char)p[pi];
            if (esc >= 0 && c == (unsigned char)esc && pi + 1 < pn) {
                size_t l = utf8_len((unsigned char)p[pi + 1]);
                if (pi + 1 + l <= pn && si + l <= sn && memcmp(p + pi + 1, s + si, l) == 0) {
                    pi += 1 + l;
                    si += l;
                    continue;
                }
            } else if (c == '%') {
                star_p = ++pi;
                star_s = si;
                continue;
            } else if (c == '_') {
                pi++;
                si += utf8_len((unsigned char)s[si]);
                continue;
            } else {
                size_t l = utf8_len(c);
                if (pi + l <= pn && si + l <= sn && memcmp(p + pi, s + si, l) == 0) {
                    pi += l;
                    si += l;
                    continue;
                }
            }
        }
        if (star_p == (size_t)-1) return false;
        pi = star_p;
        star_s += utf8_len((unsigned char)s[star_s]);
        si = star_s;
    }
    while (pi < pn && p[pi] == '%')
        pi++;
    return pi == pn;
}

static int eval_args(const sl_expr_t *e, sl_eval_t *ctx, sl_value_t *vals)
{
    for (uint32_t i = 0; i < e->nargs; i++) {
        int rc;
        if (e->args[i]->kind == SL_EXPR_LAMBDA) {
            vals[i] = sl_v_null();
            continue;
        }
        if ((rc = sl_expr_eval(e->args[i], ctx, &vals[i])) != SL_OK) return rc;
    }
    return SL_OK;
}

int sl_eval_lambda(sl_eval_t *ctx, const sl_expr_t *lambda, const sl_value_t *params, uint32_t n,
                   sl_value_t *out)
{
    int32_t slot = lambda->u.lambda.slot;
    if (lambda->kind != SL_EXPR_LAMBDA || slot < 0 || n != lambda->u.lambda.nparams ||
        slot + (int32_t)n > SL_EXPR_MAX_LAMBDA_VARS)
        return sl_eval_fail(ctx, SL_INVAL, "bad lambda call");
    for (uint32_t i = 0; i < n; i++)
        ctx->lvars[slot + (int32_t)i] = params[i];
    return sl_expr_eval(lambda->args[0], ctx, out);
}

int sl_expr_eval(const sl_expr_t *e, sl_eval_t *ctx, sl_value_t *out)
{
    sl_value_t a, b;
    int rc;
    switch (e->kind) {
    case SL_EXPR_LITERAL:
        *out = e->u.lit.v;
        return SL_OK;
    case SL_EXPR_COLUMN:
        *out = ctx->row[e->u.col.index];
        return SL_OK;
    case SL_EXPR_LAMBDA_VAR:
        *out = ctx->lvars[e->u.lvar.slot];
        return SL_OK;
    case SL_EXPR_ARITH:
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK ||
            (rc = sl_expr_eval(e->args[1], ctx, &b)) != SL_OK)
            return rc;
        if (sl_v_is_null(&a) || sl_v_is_null(&b)) {
            /* ksqlDB null-checks columns but unboxes lambda parameters: NULL + 1 inside a
             * lambda throws, which makes the enclosing TRANSFORM/FILTER/REDUCE NULL */
            if ((sl_v_is_null(&a) && e->args[0]->kind == SL_EXPR_LAMBDA_VAR) ||
                (sl_v_is_null(&b) && e->args[1]->kind == SL_EXPR_LAMBDA_VAR))
                return sl_eval_fail(ctx, SL_INVAL, "arithmetic on a NULL lambda parameter in %s",
                                    e->args[sl_v_is_null(&a) ? 0 : 1]->u.lvar.name);
            *out = sl_v_null();
            return SL_OK;
        }
        switch (e->type->kind) {
        case SL_TYPE_INTEGER:
            return eval_arith_int(ctx, e, a.u.i32, b.u.i32, false, out);
        case SL_TYPE_BIGINT:
            return eval_arith_int(ctx, e, a.u.i64, b.u.i64, true, out);
        case SL_TYPE_DOUBLE: {
            double x = a.u.f64, y = b.u.f64, r;
            switch (e->op) {
            case SL_OP_ADD:
                r = x + y;
                break;
            case SL_OP_SUB:
                r = x - y;
                break;
            case SL_OP_MUL:
                r = x * y;
                break;
            case SL_OP_DIV:
                r = x / y;
                break;
            default:
                r = fmod(x, y);
                break;
            }
            *out = sl_v_double(r);
            return SL_OK;
        }
        case SL_TYPE_DECIMAL:
            return eval_arith_dec(ctx, e, &a, &b, out);
        default:
            return sl_eval_fail(ctx, SL_INVAL, "bad arithmetic type");
        }
    case SL_EXPR_CONCAT: {
        char *p;
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK ||
            (rc = sl_expr_eval(e->args[1], ctx, &b)) != SL_OK)
            return rc;
        if (sl_v_is_null(&a) || sl_v_is_null(&b)) {
            *out = sl_v_null();
            return SL_OK;
        }
        p = sl_arena_alloc(ctx->arena, (size_t)a.len + b.len + 1);
        memcpy(p, a.u.str, a.len);
        memcpy(p + a.len, b.u.str, b.len);
        *out = sl_v_str(p, (size_t)a.len + b.len);
        return SL_OK;
    }
    case SL_EXPR_NEG:
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK) return rc;
        switch (a.kind) {
        case SL_TYPE_INTEGER:
            *out = sl_v_int((int32_t)(0u - (uint32_t)a.u.i32));
            break;
        case SL_TYPE_BIGINT:
            *out = sl_v_bigint((int64_t)(0 - (uint64_t)a.u.i64));
            break;
        case SL_TYPE_DOUBLE:
            *out = sl_v_double(-a.u.f64);
            break;
        case SL_TYPE_DECIMAL:
            *out = sl_v_dec(-a.u.dec, a.scale);
            break;
        default:
            *out = a; /* NULL */
            break;
        }
        return SL_OK;
    case SL_EXPR_CMP: {
        int c;
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK ||
            (rc = sl_expr_eval(e->args[1], ctx, &b)) != SL_OK)
            return rc;
        if (sl_v_is_null(&a) || sl_v_is_null(&b)) {
            *out = sl_v_bool(false);
            return SL_OK;
        }
        if (e->op == SL_CMP_EQ || e->op == SL_CMP_NE) {
            bool eq = sl_value_eq(&a, &b, e->args[0]->type);
            *out = sl_v_bool(e->op == SL_CMP_EQ ? eq : !eq);
            return SL_OK;
        }
        c = sl_value_cmp(&a, &b, e->args[0]->type);
        switch (e->op) {
        case SL_CMP_LT:
            *out = sl_v_bool(c < 0);
            break;
        case SL_CMP_LE:
            *out = sl_v_bool(c <= 0);
            break;
        case SL_CMP_GT:
            *out = sl_v_bool(c > 0);
            break;
        default:
            *out = sl_v_bool(c >= 0);
            break;
        }
        return SL_OK;
    }
    case SL_EXPR_DISTINCT: {
        bool eq;
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK ||
            (rc = sl_expr_eval(e->args[1], ctx, &b)) != SL_OK)
            return rc;
        eq = sl_value_eq(&a, &b, e->args[0]->type);
        *out = sl_v_bool(e->negated ? eq : !eq);
        return SL_OK;
    }
    case SL_EXPR_AND:
    case SL_EXPR_OR: {
        bool is_and = e->kind == SL_EXPR_AND;
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK) return rc;
        /* short-circuit: FALSE AND x, TRUE OR x */
        if (!sl_v_is_null(&a) && a.u.b != is_and) {
            *out = a;
            return SL_OK;
        }
        if ((rc = sl_expr_eval(e->args[1], ctx, &b)) != SL_OK) return rc;
        if (!sl_v_is_null(&b) && b.u.b != is_and) {
            *out = b;
            return SL_OK;
        }
        if (sl_v_is_null(&a) || sl_v_is_null(&b))
            *out = sl_v_null();
        else
            *out = sl_v_bool(is_and);
        return SL_OK;
    }
    case SL_EXPR_NOT:
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK) return rc;
        *out = sl_v_is_null(&a) ? a : sl_v_bool(!a.u.b);
        return SL_OK;
    case SL_EXPR_IS_NULL:
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK) return rc;
        *out = sl_v_bool(sl_v_is_null(&a) != e->negated);
        return SL_OK;
    case SL_EXPR_LIKE: {
        bool m;
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK ||
            (rc = sl_expr_eval(e->args[1], ctx, &b)) != SL_OK)
            return rc;
        m = !sl_v_is_null(&a) && !sl_v_is_null(&b) &&
            like_match(a.u.str, a.len, b.u.str, b.len, e->u.like.escape);
        *out = sl_v_bool(e->negated ? !m : m);
        return SL_OK;
    }
    case SL_EXPR_BETWEEN: {
        sl_value_t c;
        bool m;
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK ||
            (rc = sl_expr_eval(e->args[1], ctx, &b)) != SL_OK ||
            (rc = sl_expr_eval(e->args[2], ctx, &c)) != SL_OK)
            return rc;
        m = !sl_v_is_null(&a) && !sl_v_is_null(&b) && !sl_v_is_null(&c) &&
            sl_value_cmp(&a, &b, e->args[0]->type) >= 0 &&
            sl_value_cmp(&a, &c, e->args[0]->type) <= 0;
        *out = sl_v_bool(e->negated ? !m : m);
        return SL_OK;
    }
    case SL_EXPR_IN: {
        bool m = false;
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK) return rc;
        if (!sl_v_is_null(&a)) {
            for (uint32_t i = 1; i < e->nargs && !m; i++) {
                if ((rc = sl_expr_eval(e->args[i], ctx, &b)) != SL_OK) return rc;
                if (!sl_v_is_null(&b) && sl_value_eq(&a, &b, e->args[0]->type)) m = true;
            }
        }
        *out = sl_v_bool(e->negated ? !m : m);
        return SL_OK;
    }
    case SL_EXPR_CASE: {
        uint32_t i = 0, end = e->nargs - (e->u.kase.has_else ? 1 : 0);
        if (e->u.kase.simple) {
            if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK) return rc;
            i = 1;
        }
        for (; i < end; i += 2) {
            if ((rc = sl_expr_eval(e->args[i], ctx, &b)) != SL_OK) return rc;
            if (e->u.kase.simple ? (!sl_v_is_null(&a) && !sl_v_is_null(&b) &&
                                    sl_value_eq(&a, &b, e->args[0]->type))
                                 : (!sl_v_is_null(&b) && b.u.b))
                return sl_expr_eval(e->args[i + 1], ctx, out);
        }
        if (e->u.kase.has_else) return sl_expr_eval(e->args[e->nargs - 1], ctx, out);
        *out = sl_v_null();
        return SL_OK;
    }
    case SL_EXPR_CAST:
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK) return rc;
        rc = sl_value_cast(ctx->arena, &a, e->args[0]->type, e->u.cast.to, out, ctx->err,
                           sizeof(ctx->err));
        return rc;
    case SL_EXPR_FIELD:
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK) return rc;
        if (sl_v_is_null(&a) || (uint32_t)e->u.field.index >= a.len)
            *out = sl_v_null();
        else
            *out = a.u.items[e->u.field.index];
        return SL_OK;
    case SL_EXPR_SUBSCRIPT:
        if ((rc = sl_expr_eval(e->args[0], ctx, &a)) != SL_OK ||
            (rc = sl_expr_eval(e->args[1], ctx, &b)) != SL_OK)
            return rc;
        *out = sl_v_null();
        if (sl_v_is_null(&a) || sl_v_is_null(&b)) return SL_OK;
        if (a.kind == SL_TYPE_ARRAY) {
            int64_t i = b.kind == SL_TYPE_INTEGER ? b.u.i32 : b.u.i64;
            if (i > 0 && i <= (int64_t)a.len)
                *out = a.u.items[i - 1];
            else if (i < 0 && -i <= (int64_t)a.len)
                *out = a.u.items[(int64_t)a.len + i];
            return SL_OK;
        }
        for (uint32_t i = 0; i < a.len; i++) {
            if (sl_value_eq(&a.u.kv[2 * i], &b, e->args[0]->type->key)) {
                *out = a.u.kv[2 * i + 1];
                break;
            }
        }
        return SL_OK;
    case SL_EXPR_ARRAY:
    case SL_EXPR_STRUCT: {
        sl_value_t *items =
            sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * (e->nargs ? e->nargs : 1));
        if ((rc = eval_args(e, ctx, items)) != SL_OK) return rc;
        *out =
            e->kind == SL_EXPR_ARRAY ? sl_v_array(items, e->nargs) : sl_v_struct(items, e->nargs);
        return SL_OK;
    }
    case SL_EXPR_MAP: {
        sl_value_t *kv = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * (e->nargs ? e->nargs : 1));
        uint32_t n = 0;
        for (uint32_t i = 0; i + 1 < e->nargs; i += 2) {
            sl_value_t k, v;
            uint32_t j;
            if ((rc = sl_expr_eval(e->args[i], ctx, &k)) != SL_OK ||
                (rc = sl_expr_eval(e->args[i + 1], ctx, &v)) != SL_OK)
                return rc;
            for (j = 0; j < n; j++) {
                if (sl_value_eq(&kv[2 * j], &k, e->type->key)) break;
            }
            kv[2 * j] = k;
            kv[2 * j + 1] = v;
            if (j == n) n++;
        }
        *out = sl_v_map(kv, n);
        return SL_OK;
    }
    case SL_EXPR_CALL: {
        const sl_fcall_t *call = e->u.call.call;
        sl_value_t stackv[8],
            *vals =
                e->nargs <= 8 ? stackv : sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * e->nargs);
        if ((rc = eval_args(e, ctx, vals)) != SL_OK) return rc;
        if (e->u.call.ov->def->flags & SL_FN_NULLS) {
            for (uint32_t i = 0; i < e->nargs; i++) {
                if (sl_v_is_null(&vals[i]) && e->args[i]->kind != SL_EXPR_LAMBDA) {
                    *out = sl_v_null();
                    return SL_OK;
                }
            }
        }
        rc = e->u.call.ov->def->fn(ctx, call, vals, out);
        if (rc != SL_OK) {
            /* like a UDF throwing in ksqlDB: this call is NULL, the expression goes on */
            if (!ctx->err[0])
                snprintf(ctx->err, sizeof(ctx->err), "%s failed: %s", e->u.call.fn->name,
                         sl_err_msg(rc));
            ctx->call_errors++;
            *out = sl_v_null();
        }
        return SL_OK;
    }
    case SL_EXPR_LAMBDA:
        return sl_eval_fail(ctx, SL_INVAL, "a lambda is not a value");
    }
    return sl_eval_fail(ctx, SL_INVAL, "unknown expression node");
}

int sl_expr_eval_pred(const sl_expr_t *e, sl_eval_t *ctx, bool *out)
{
    sl_value_t v;
    int rc = sl_expr_eval(e, ctx, &v);
    if (rc != SL_OK) return rc;
    *out = v.kind == SL_TYPE_BOOLEAN && v.u.b;
    return SL_OK;
}
