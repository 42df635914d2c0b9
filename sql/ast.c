/*
 * ast.c — the syntax tree's memory (one arena per script), names of kinds and operators, and
 * the two printers: sl_ast_dump (a stable S-expression for tests and EXPLAIN) and
 * sl_ast_format (ksqlDB-style SQL that parses back to an equivalent tree).
 *
 * Arena layout: a singly linked list of chunks, newest first; allocations are bumped from the
 * newest chunk and zeroed. Chunks double from 4 KiB up to 256 KiB; an allocation larger than
 * a chunk gets a chunk of its own.
 *
 *   arena -> [hdr|used.....|free] -> [hdr|used..........] -> ... -> NULL
 *
 * Printing recursion is bounded: parsed trees are at most SL_SQL_MAX_DEPTH high.
 */
#include "sql/ast.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/lexer.h"
#include "sql/parser.h"

/* ------------------------------------------------------------------------------------------ */
/* Arena                                                                                      */

typedef struct chunk_s {
    struct chunk_s *next; /* older chunk */
    size_t size;          /* payload bytes */
    size_t used;          /* payload bytes handed out */
    _Alignas(16) unsigned char data[];
} chunk_t;

struct sl_ast_arena_s {
    chunk_t *head;    /* newest chunk (allocations come from it) */
    size_t next_size; /* payload size of the next regular chunk */
};

sl_ast_arena_t *sl_ast_arena_new(void)
{
    sl_ast_arena_t *a = calloc(1, sizeof *a);
    if (!a) abort();
    a->next_size = 4096;
    return a;
}

void sl_ast_arena_destroy(sl_ast_arena_t *a)
{
    if (!a) return;
    chunk_t *c = a->head;
    while (c) {
        chunk_t *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void *sl_ast_arena_alloc(sl_ast_arena_t *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    chunk_t *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = a->next_size;
        if (a->next_size < (256u << 10)) a->next_size *= 2;
        if (n > size) size = n;
        chunk_t *nc = malloc(sizeof *nc + size);
        if (!nc) abort();
        nc->size = size;
        nc->used = 0;
        if (c && n > a->next_size && c->size - c->used >= 64) {
            /* a big one-off: keep filling the current chunk afterwards */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *sl_ast_arena_strndup(sl_ast_arena_t *a, const char *p, size_t n)
{
    char *s = sl_ast_arena_alloc(a, n + 1);
    if (n) memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

sl_pvec_t *sl_pvec_new(sl_ast_arena_t *a)
{
    return sl_ast_arena_alloc(a, sizeof(sl_pvec_t));
}

sl_pvec_t *sl_pvec_push(sl_ast_arena_t *a, sl_pvec_t *vec, void *item)
{
    if (!vec) vec = sl_pvec_new(a);
    if (vec->n == vec->cap) {
        uint32_t cap = vec->cap ? vec->cap * 2 : 4;
        void **v = sl_ast_arena_alloc(a, sizeof(void *) * cap);
        if (vec->n) memcpy(v, vec->v, sizeof(void *) * vec->n);
        vec->v = v;
        vec->cap = cap;
    }
    vec->v[vec->n++] = item;
    return vec;
}

void sl_ast_script_free(sl_ast_script_t *script)
{
    if (!script) return;
    sl_ast_arena_destroy(script->arena_);
    free(script);
}

/* ------------------------------------------------------------------------------------------ */
/* Names                                                                                      */

const char *sl_ast_stmt_kind_name(sl_ast_stmt_kind_t kind)
{
    static const char *const names[] = {
#define SL_AST_STMT_NAME_(name, str) str,
        SL_AST_STMT_KINDS(SL_AST_STMT_NAME_)
#undef SL_AST_STMT_NAME_
    };
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

const char *sl_ast_expr_kind_name(sl_ast_expr_kind_t kind)
{
    static const char *const names[] = {
#define SL_AST_EXPR_NAME_(name, str) str,
        SL_AST_EXPR_KINDS(SL_AST_EXPR_NAME_)
#undef SL_AST_EXPR_NAME_
    };
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

const char *sl_ast_unit_name(sl_ast_unit_t unit)
{
    switch (unit) {
    case SL_AST_UNIT_MILLISECONDS:
        return "MILLISECONDS";
    case SL_AST_UNIT_SECONDS:
        return "SECONDS";
    case SL_AST_UNIT_MINUTES:
        return "MINUTES";
    case SL_AST_UNIT_HOURS:
        return "HOURS";
    case SL_AST_UNIT_DAYS:
        return "DAYS";
    }
    return "?";
}

const char *sl_ast_op_str(sl_ast_op_t op)
{
    switch (op) {
    case SL_AST_OP_NONE:
        return "?";
    case SL_AST_OP_NEG:
        return "-";
    case SL_AST_OP_PLUS:
        return "+";
    case SL_AST_OP_NOT:
        return "NOT";
    case SL_AST_OP_ADD:
        return "+";
    case SL_AST_OP_SUB:
        return "-";
    case SL_AST_OP_MUL:
        return "*";
    case SL_AST_OP_DIV:
        return "/";
    case SL_AST_OP_MOD:
        return "%";
    case SL_AST_OP_CONCAT:
        return "||";
    case SL_AST_OP_AND:
        return "AND";
    case SL_AST_OP_OR:
        return "OR";
    case SL_AST_OP_EQ:
        return "=";
    case SL_AST_OP_NE:
        return "<>";
    case SL_AST_OP_LT:
        return "<";
    case SL_AST_OP_LE:
        return "<=";
    case SL_AST_OP_GT:
        return ">";
    case SL_AST_OP_GE:
        return ">=";
    case SL_AST_OP_IS_DISTINCT:
        return "IS DISTINCT FROM";
    }
    return "?";
}

int64_t sl_ast_duration_ms(const sl_ast_duration_t *d)
{
    static const int64_t mult[] = {1, 1000, 60000, 3600000, 86400000};
    int64_t m = (unsigned)d->unit < 5 ? mult[d->unit] : 1;
    if (d->size > INT64_MAX / m) return INT64_MAX;
    if (d->size < INT64_MIN / m) return INT64_MIN;
    return d->size * m;
}

const sl_ast_prop_t *sl_ast_prop_find(sl_ast_prop_t *const *props, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (props[i]->name && strcasecmp(props[i]->name, name) == 0) return props[i];
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Output helpers                                                                             */

static void put(sl_buf_t *b, const char *s)
{
    sl_buf_put(b, s, strlen(s));
}

static void putf(sl_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(sl_buf_t *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        sl_buf_put(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) abort();
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sl_buf_put(b, big, (size_t)n);
    free(big);
}

/* 'text' with '' for quotes; in dumps NUL shows as \0 so the output stays one C string. */
static void put_sql_string(sl_buf_t *b, const char *s, size_t n, bool dump)
{
    sl_buf_put(b, "'", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            sl_buf_put(b, "''", 2);
        else if (s[i] == '\0' && dump)
            sl_buf_put(b, "\\0", 2);
        else
            sl_buf_put(b, s + i, 1);
    }
    sl_buf_put(b, "'", 1);
}

/* The shortest scientific form that reads back to d, as ksqlDB prints doubles: 1.5E3. */
static void put_double(sl_buf_t *b, double d)
{
    char tmp[64];
    if (isnan(d)) {
        put(b, "NaN");
        return;
    }
    if (isinf(d)) {
        put(b, d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    for (int p = 0; p < 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p, d);
        if (strtod(tmp, NULL) == d) break;
    }
    /* "1.50000e+03" -> mantissa without trailing zeros, "E", exponent without '+'/zeros */
    char *e = strchr(tmp, 'e');
    if (!e) {
        put(b, tmp);
        return;
    }
    *e = '\0';
    char *m = tmp;
    if (strchr(m, '.')) {
        size_t l = strlen(m);
        while (l > 0 && m[l - 1] == '0')
            m[--l] = '\0';
        if (l > 0 && m[l - 1] == '.') m[--l] = '\0';
    }
    long ex = strtol(e + 1, NULL, 10);
    putf(b, "%sE%ld", m, ex);
}

/* ------------------------------------------------------------------------------------------ */
/* Names in SQL                                                                               */

static bool plain_name(const char *name)
{
    if (!name || !*name) return false;
    if (!((*name >= 'A' && *name <= 'Z') || *name == '_')) return false;
    for (const char *c = name + 1; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '@'))
            return false;
    return true;
}

static void put_backquoted(sl_buf_t *b, const char *name)
{
    sl_buf_put(b, "`", 1);
    for (const char *c = name; *c; c++) {
        sl_buf_put(b, c, 1);
        if (*c == '`') sl_buf_put(b, "`", 1);
    }
    sl_buf_put(b, "`", 1);
}

/* A name: back-quoted unless it reads back the same unquoted. strict: quote every keyword
 * (for places where a keyword has a meaning of its own, such as DESCRIBE TABLES). ARRAY, MAP
 * and STRUCT start expressions, so they are always quoted. */
static void put_name(sl_buf_t *b, const char *name, bool strict)
{
    size_t n = name ? strlen(name) : 0;
    bool quote = !plain_name(name) || sl_sql_is_reserved(name, n) ||
                 (strict && sl_sql_is_keyword(name, n)) || strcmp(name, "ARRAY") == 0 ||
                 strcmp(name, "MAP") == 0 || strcmp(name, "STRUCT") == 0;
    if (quote)
        put_backquoted(b, name ? name : "");
    else
        put(b, name);
}

void sl_ast_format_name(const char *name, sl_buf_t *out)
{
    put_name(out, name, false);
}

/* An identifier as written: variables as ${name}. */
static void put_ident(sl_buf_t *b, const sl_ast_ident_t *id, bool strict)
{
    if (id->quote == SL_AST_QUOTE_VARIABLE)
        putf(b, "${%s}", id->name);
    else
        put_name(b, id->name, strict);
}

/* ------------------------------------------------------------------------------------------ */
/* Dump                                                                                       */

static void dump_pos(sl_buf_t *b, sl_ast_pos_t pos, int flags)
{
    if (flags & SL_AST_DUMP_POS) putf(b, "@%u:%u", pos.line, pos.col);
}

/* The resolved name (how it was quoted is not part of the meaning): back-quoted only when it
 * is not a plain upper-case name; variables as ${name}. */
static void dump_ident(sl_buf_t *b, const sl_ast_ident_t *id)
{
    if (id->quote == SL_AST_QUOTE_VARIABLE)
        putf(b, "${%s}", id->name);
    else if (plain_name(id->name))
        put(b, id->name);
    else
        put_backquoted(b, id->name);
}

void sl_ast_dump_type(const sl_ast_type_t *t, sl_buf_t *b)
{
    uint32_t i;
    switch (t->kind) {
    case SL_AST_TYPE_NAMED:
        dump_ident(b, &t->name);
        if (t->n_params) {
            put(b, "(");
            for (i = 0; i < t->n_params; i++)
                putf(b, "%s%s", i ? "," : "", t->params[i]);
            put(b, ")");
        }
        break;
    case SL_AST_TYPE_DECIMAL:
        putf(b, "DECIMAL(%" PRId64 ",%" PRId64 ")", t->precision, t->scale);
        break;
    case SL_AST_TYPE_ARRAY:
        put(b, "ARRAY<");
        sl_ast_dump_type(t->elem, b);
        put(b, ">");
        break;
    case SL_AST_TYPE_MAP:
        put(b, "MAP<");
        sl_ast_dump_type(t->key, b);
        put(b, ",");
        sl_ast_dump_type(t->elem, b);
        put(b, ">");
        break;
    case SL_AST_TYPE_STRUCT:
        put(b, "STRUCT<");
        for (i = 0; i < t->n_fields; i++) {
            if (i) put(b, ",");
            dump_ident(b, &t->fields[i]->name);
            put(b, " ");
            sl_ast_dump_type(t->fields[i]->type, b);
        }
        put(b, ">");
        break;
    }
}

static void dump_list(sl_buf_t *b, sl_ast_expr_t *const *v, uint32_t n, int flags)
{
    for (uint32_t i = 0; i < n; i++) {
        put(b, " ");
        sl_ast_dump_expr(v[i], flags, b);
    }
}

void sl_ast_dump_expr(const sl_ast_expr_t *e, int flags, sl_buf_t *b)
{
    uint32_t i;
    if (!e) {
        put(b, "nil");
        return;
    }
    switch (e->kind) {
    case SL_AST_EXPR_LITERAL:
        switch (e->u.lit.kind) {
        case SL_AST_LIT_NULL:
            put(b, "null");
            break;
        case SL_AST_LIT_BOOL:
            put(b, e->u.lit.b ? "true" : "false");
            break;
        case SL_AST_LIT_INT:
            putf(b, "%" PRId64, e->u.lit.i);
            break;
        case SL_AST_LIT_BIGINT:
            putf(b, "%" PRId64 "L", e->u.lit.i);
            break;
        case SL_AST_LIT_DECIMAL:
            putf(b, "(decimal %s)", e->u.lit.str);
            break;
        case SL_AST_LIT_DOUBLE:
            put(b, "(double ");
            put_double(b, e->u.lit.d);
            put(b, ")");
            break;
        case SL_AST_LIT_STRING:
            put_sql_string(b, e->u.lit.str, e->u.lit.len, true);
            break;
        case SL_AST_LIT_TYPED:
            put(b, "(typed ");
            dump_ident(b, &e->u.lit.type_name);
            put(b, " ");
            put_sql_string(b, e->u.lit.str, e->u.lit.len, true);
            put(b, ")");
            break;
        }
        break;
    case SL_AST_EXPR_VARIABLE:
        putf(b, "${%s}", e->u.var.name);
        break;
    case SL_AST_EXPR_COLUMN:
    case SL_AST_EXPR_LAMBDA_VAR:
        put(b, e->kind == SL_AST_EXPR_COLUMN ? "(col " : "(lvar ");
        if (e->u.col.source.name) {
            dump_ident(b, &e->u.col.source);
            put(b, ".");
        }
        dump_ident(b, &e->u.col.name);
        put(b, ")");
        break;
    case SL_AST_EXPR_DEREF:
        put(b, "(deref ");
        sl_ast_dump_expr(e->u.deref.base, flags, b);
        put(b, " ");
        dump_ident(b, &e->u.deref.field);
        put(b, ")");
        break;
    case SL_AST_EXPR_SUBSCRIPT:
        put(b, "(subscript ");
        sl_ast_dump_expr(e->u.subscript.base, flags, b);
        put(b, " ");
        sl_ast_dump_expr(e->u.subscript.index, flags, b);
        put(b, ")");
        break;
    case SL_AST_EXPR_CALL:
        put(b, "(call ");
        dump_ident(b, &e->u.call.name);
        if (e->u.call.star) put(b, " *");
        dump_list(b, e->u.call.args, e->u.call.n_args, flags);
        put(b, ")");
        break;
    case SL_AST_EXPR_LAMBDA:
        put(b, "(lambda (");
        for (i = 0; i < e->u.lambda.n_params; i++) {
            if (i) put(b, " ");
            dump_ident(b, &e->u.lambda.params[i]);
        }
        put(b, ") ");
        sl_ast_dump_expr(e->u.lambda.body, flags, b);
        put(b, ")");
        break;
    case SL_AST_EXPR_UNARY:
        putf(b, "(%s ", sl_ast_op_str(e->u.unary.op));
        sl_ast_dump_expr(e->u.unary.arg, flags, b);
        put(b, ")");
        break;
    case SL_AST_EXPR_BINARY:
        if (e->u.binary.op == SL_AST_OP_IS_DISTINCT && e->u.binary.negated)
            put(b, "(IS NOT DISTINCT FROM ");
        else
            putf(b, "(%s ", sl_ast_op_str(e->u.binary.op));
        sl_ast_dump_expr(e->u.binary.left, flags, b);
        put(b, " ");
        sl_ast_dump_expr(e->u.binary.right, flags, b);
        put(b, ")");
        break;
    case SL_AST_EXPR_IS_NULL:
        put(b, e->u.is_null.negated ? "(IS NOT NULL " : "(IS NULL ");
        sl_ast_dump_expr(e->u.is_null.arg, flags, b);
        put(b, ")");
        break;
    case SL_AST_EXPR_BETWEEN:
        put(b, e->u.between.negated ? "(NOT BETWEEN " : "(BETWEEN ");
        sl_ast_dump_expr(e->u.between.value, flags, b);
        put(b, " ");
        sl_ast_dump_expr(e->u.between.low, flags, b);
        put(b, " ");
        sl_ast_dump_expr(e->u.between.high, flags, b);
        put(b, ")");
        break;
    case SL_AST_EXPR_IN:
        put(b, e->u.in.negated ? "(NOT IN " : "(IN ");
        sl_ast_dump_expr(e->u.in.value, flags, b);
        put(b, " (");
        for (i = 0; i < e->u.in.n_list; i++) {
            if (i) put(b, " ");
            sl_ast_dump_expr(e->u.in.list[i], flags, b);
        }
        put(b, "))");
        break;
    case SL_AST_EXPR_LIKE:
        put(b, e->u.like.negated ? "(NOT LIKE " : "(LIKE ");
        sl_ast_dump_expr(e->u.like.value, flags, b);
        put(b, " ");
        sl_ast_dump_expr(e->u.like.pattern, flags, b);
        if (e->u.like.escape) {
            put(b, " ESCAPE ");
            put_sql_string(b, e->u.like.escape, strlen(e->u.like.escape), true);
        }
        put(b, ")");
        break;
    case SL_AST_EXPR_CASE:
        put(b, "(case");
        if (e->u.case_.operand) {
            put(b, " ");
            sl_ast_dump_expr(e->u.case_.operand, flags, b);
        }
        for (i = 0; i < e->u.case_.n_whens; i++) {
            put(b, " (when ");
            sl_ast_dump_expr(e->u.case_.whens[i]->cond, flags, b);
            put(b, " ");
            sl_ast_dump_expr(e->u.case_.whens[i]->result, flags, b);
            put(b, ")");
        }
        if (e->u.case_.else_) {
            put(b, " (else ");
            sl_ast_dump_expr(e->u.case_.else_, flags, b);
            put(b, ")");
        }
        put(b, ")");
        break;
    case SL_AST_EXPR_CAST:
        put(b, "(cast ");
        sl_ast_dump_expr(e->u.cast.arg, flags, b);
        put(b, " ");
        sl_ast_dump_type(e->u.cast.type, b);
        put(b, ")");
        break;
    case SL_AST_EXPR_ARRAY:
        put(b, "(array");
        dump_list(b, e->u.array.items, e->u.array.n_items, flags);
        put(b, ")");
        break;
    case SL_AST_EXPR_MAP:
        put(b, "(map");
        for (i = 0; i < e->u.map.n_entries; i++) {
            put(b, " (");
            sl_ast_dump_expr(e->u.map.keys[i], flags, b);
            put(b, " ");
            sl_ast_dump_expr(e->u.map.values[i], flags, b);
            put(b, ")");
        }
        put(b, ")");
        break;
    case SL_AST_EXPR_STRUCT:
        put(b, "(struct");
        for (i = 0; i < e->u.struct_.n_fields; i++) {
            put(b, " (");
            dump_ident(b, &e->u.struct_.names[i]);
            put(b, " ");
            sl_ast_dump_expr(e->u.struct_.values[i], flags, b);
            put(b, ")");
        }
        put(b, ")");
        break;
    case SL_AST_EXPR_INTERVAL_UNIT:
        putf(b, "(unit %s)", sl_ast_unit_name(e->u.unit));
        break;
    case SL_AST_EXPR_AT_TIME_ZONE:
        put(b, "(at_zone ");
        sl_ast_dump_expr(e->u.at_zone.arg, flags, b);
        put(b, " ");
        put_sql_string(b, e->u.at_zone.zone, strlen(e->u.at_zone.zone), true);
        put(b, ")");
        break;
    default:
        put(b, "(?)");
        break;
    }
    dump_pos(b, e->pos, flags);
}

static void dump_dur(sl_buf_t *b, const char *tag, const sl_ast_duration_t *d)
{
    putf(b, " (%s %" PRId64 " %s)", tag, d->size, sl_ast_unit_name(d->unit));
}

static void dump_props(sl_buf_t *b, sl_ast_prop_t *const *p, uint32_t n, int flags)
{
    if (!n) return;
    put(b, " (with");
    for (uint32_t i = 0; i < n; i++) {
        /* the name as ksqlDB keys it; whether it was written as a string is not meaning */
        put(b, " (");
        if (plain_name(p[i]->name))
            put(b, p[i]->name);
        else
            put_backquoted(b, p[i]->name);
        put(b, " ");
        sl_ast_dump_expr(p[i]->value, flags, b);
        put(b, ")");
    }
    put(b, ")");
}

static void dump_columns(sl_buf_t *b, sl_ast_column_t *const *c, uint32_t n)
{
    static const char *const cons[] = {"", " KEY", " PRIMARY KEY", " HEADERS", " HEADER"};
    if (!n) return;
    put(b, " (columns");
    for (uint32_t i = 0; i < n; i++) {
        put(b, " (");
        dump_ident(b, &c[i]->name);
        put(b, " ");
        sl_ast_dump_type(c[i]->type, b);
        put(b, cons[c[i]->constraint]);
        if (c[i]->header_key) {
            put(b, " ");
            put_sql_string(b, c[i]->header_key, strlen(c[i]->header_key), true);
        }
        put(b, ")");
    }
    put(b, ")");
}

static void dump_srcref(sl_buf_t *b, const sl_ast_source_ref_t *r)
{
    dump_ident(b, &r->name);
    if (r->alias.name) {
        put(b, " AS ");
        dump_ident(b, &r->alias);
    }
}

static void dump_query(sl_buf_t *b, const sl_ast_query_t *q, int flags)
{
    static const char *const joins[] = {"", "INNER", "LEFT", "RIGHT", "FULL"};
    static const char *const wins[] = {"", "TUMBLING", "HOPPING", "SESSION"};
    uint32_t i;
    put(b, "(query (items");
    for (i = 0; i < q->n_items; i++) {
        const sl_ast_select_item_t *it = q->items[i];
        put(b, " ");
        switch (it->kind) {
        case SL_AST_SELECT_ALL:
            put(b, "*");
            break;
        case SL_AST_SELECT_SOURCE_ALL:
            dump_ident(b, &it->source);
            put(b, ".*");
            break;
        case SL_AST_SELECT_STRUCT_ALL:
            put(b, "(struct_all ");
            sl_ast_dump_expr(it->expr, flags, b);
            put(b, ")");
            break;
        case SL_AST_SELECT_EXPR:
            if (it->alias.name) {
                put(b, "(as ");
                sl_ast_dump_expr(it->expr, flags, b);
                put(b, " ");
                dump_ident(b, &it->alias);
                put(b, ")");
            } else {
                sl_ast_dump_expr(it->expr, flags, b);
            }
            break;
        }
    }
    put(b, ") (from ");
    dump_srcref(b, q->from);
    put(b, ")");
    for (i = 0; i < q->n_joins; i++) {
        const sl_ast_join_t *j = q->joins[i];
        putf(b, " (join %s ", joins[j->type]);
        dump_srcref(b, j->right);
        if (j->within) {
            put(b, " (within");
            dump_dur(b, "before", &j->within->before);
            dump_dur(b, "after", &j->within->after);
            if (j->within->has_grace) dump_dur(b, "grace", &j->within->grace);
            put(b, ")");
        }
        put(b, " ");
        sl_ast_dump_expr(j->on, flags, b);
        put(b, ")");
    }
    if (q->window) {
        const sl_ast_window_t *w = q->window;
        putf(b, " (window %s", wins[w->kind]);
        if (w->name.name) putf(b, " %s", w->name.name);
        dump_dur(b, "size", &w->size);
        if (w->kind == SL_AST_WINDOW_HOPPING) dump_dur(b, "advance", &w->advance);
        if (w->has_retention) dump_dur(b, "retention", &w->retention);
        if (w->has_grace) dump_dur(b, "grace", &w->grace);
        put(b, ")");
    }
    if (q->where) {
        put(b, " (where ");
        sl_ast_dump_expr(q->where, flags, b);
        put(b, ")");
    }
    if (q->has_group_by) {
        put(b, " (group_by");
        dump_list(b, q->group_by, q->n_group_by, flags);
        put(b, ")");
    }
    if (q->has_partition_by) {
        put(b, " (partition_by");
        dump_list(b, q->partition_by, q->n_partition_by, flags);
        put(b, ")");
    }
    if (q->having) {
        put(b, " (having ");
        sl_ast_dump_expr(q->having, flags, b);
        put(b, ")");
    }
    if (q->emit == SL_AST_EMIT_CHANGES) put(b, " (emit CHANGES)");
    if (q->emit == SL_AST_EMIT_FINAL) put(b, " (emit FINAL)");
    if (q->limit) {
        put(b, " (limit ");
        sl_ast_dump_expr(q->limit, flags, b);
        put(b, ")");
    }
    put(b, ")");
}

static const char *src_type(sl_ast_source_type_t t)
{
    return t == SL_AST_TABLE ? "TABLE" : "STREAM";
}

static const char *list_what(sl_ast_list_what_t w)
{
    switch (w) {
    case SL_AST_LIST_STREAMS:
        return "STREAMS";
    case SL_AST_LIST_TABLES:
        return "TABLES";
    case SL_AST_LIST_TOPICS:
        return "TOPICS";
    case SL_AST_LIST_QUERIES:
        return "QUERIES";
    case SL_AST_LIST_PROPERTIES:
        return "PROPERTIES";
    case SL_AST_LIST_FUNCTIONS:
        return "FUNCTIONS";
    case SL_AST_LIST_TYPES:
        return "TYPES";
    case SL_AST_LIST_VARIABLES:
        return "VARIABLES";
    case SL_AST_LIST_CONNECTORS:
        return "CONNECTORS";
    case SL_AST_LIST_CONNECTOR_PLUGINS:
        return "CONNECTOR PLUGINS";
    }
    return "?";
}

static void dump_str_or_nil(sl_buf_t *b, const char *s)
{
    put(b, " ");
    if (s)
        put_sql_string(b, s, strlen(s), true);
    else
        put(b, "nil");
}

void sl_ast_dump(const sl_ast_stmt_t *s, int flags, sl_buf_t *b)
{
    uint32_t i;
    putf(b, "(%s", sl_ast_stmt_kind_name(s->kind));
    switch (s->kind) {
    case SL_AST_STMT_QUERY:
        put(b, " ");
        dump_query(b, s->u.query, flags);
        break;
    case SL_AST_STMT_CREATE_SOURCE:
    case SL_AST_STMT_ASSERT_SOURCE: {
        const sl_ast_create_source_t *c = &s->u.create_source;
        putf(b, " %s%s%s%s ", c->or_replace ? "OR_REPLACE " : "", c->source ? "SOURCE " : "",
             src_type(c->type), c->if_not_exists ? " IF_NOT_EXISTS" : "");
        dump_ident(b, &c->name);
        dump_columns(b, c->columns, c->n_columns);
        dump_props(b, c->props, c->n_props, flags);
        break;
    }
    case SL_AST_STMT_CREATE_AS: {
        const sl_ast_create_as_t *c = &s->u.create_as;
        putf(b, " %s%s%s ", c->or_replace ? "OR_REPLACE " : "", src_type(c->type),
             c->if_not_exists ? " IF_NOT_EXISTS" : "");
        dump_ident(b, &c->name);
        dump_props(b, c->props, c->n_props, flags);
        put(b, " ");
        dump_query(b, c->query, flags);
        break;
    }
    case SL_AST_STMT_INSERT_INTO:
        put(b, " ");
        dump_ident(b, &s->u.insert_into.target);
        dump_props(b, s->u.insert_into.props, s->u.insert_into.n_props, flags);
        put(b, " ");
        dump_query(b, s->u.insert_into.query, flags);
        break;
    case SL_AST_STMT_INSERT_VALUES:
    case SL_AST_STMT_ASSERT_VALUES:
    case SL_AST_STMT_ASSERT_TOMBSTONE: {
        const sl_ast_insert_values_t *v = &s->u.insert_values;
        put(b, " ");
        dump_ident(b, &v->target);
        put(b, " (columns");
        for (i = 0; i < v->n_columns; i++) {
            put(b, " ");
            dump_ident(b, &v->columns[i]);
        }
        put(b, ") (values");
        dump_list(b, v->values, v->n_values, flags);
        put(b, ")");
        break;
    }
    case SL_AST_STMT_DROP_SOURCE:
        putf(b, " %s%s ", src_type(s->u.drop_source.type),
             s->u.drop_source.if_exists ? " IF_EXISTS" : "");
        dump_ident(b, &s->u.drop_source.name);
        if (s->u.drop_source.delete_topic) put(b, " DELETE_TOPIC");
        break;
    case SL_AST_STMT_CREATE_TYPE:
        put(b, s->u.create_type.if_not_exists ? " IF_NOT_EXISTS " : " ");
        dump_ident(b, &s->u.create_type.name);
        put(b, " ");
        sl_ast_dump_type(s->u.create_type.type, b);
        break;
    case SL_AST_STMT_DROP_TYPE:
    case SL_AST_STMT_DROP_CONNECTOR:
        put(b, s->u.drop_named.if_exists ? " IF_EXISTS " : " ");
        dump_ident(b, &s->u.drop_named.name);
        break;
    case SL_AST_STMT_TERMINATE:
        put(b, " ");
        if (s->u.terminate.all)
            put(b, "ALL");
        else
            dump_ident(b, &s->u.terminate.query_id);
        break;
    case SL_AST_STMT_LIST:
        putf(b, " %s%s%s", s->u.list.all ? "ALL " : "",
             s->u.list.scope == 1   ? "SOURCE "
             : s->u.list.scope == 2 ? "SINK "
                                    : "",
             list_what(s->u.list.what));
        if (s->u.list.extended) put(b, " EXTENDED");
        break;
    case SL_AST_STMT_DESCRIBE:
        put(b, " ");
        dump_ident(b, &s->u.describe.name);
        if (s->u.describe.extended) put(b, " EXTENDED");
        break;
    case SL_AST_STMT_DESCRIBE_SOURCES:
        putf(b, " %s%s", list_what(s->u.describe_sources.what),
             s->u.describe_sources.extended ? " EXTENDED" : "");
        break;
    case SL_AST_STMT_DESCRIBE_FUNCTION:
    case SL_AST_STMT_DESCRIBE_CONNECTOR:
        put(b, " ");
        dump_ident(b, &s->u.describe_named);
        break;
    case SL_AST_STMT_EXPLAIN:
        put(b, " ");
        if (s->u.explain.stmt)
            sl_ast_dump(s->u.explain.stmt, flags, b);
        else
            dump_ident(b, &s->u.explain.query_id);
        break;
    case SL_AST_STMT_PRINT:
        dump_str_or_nil(b, s->u.print.topic);
        if (s->u.print.from_beginning) put(b, " FROM_BEGINNING");
        if (s->u.print.interval) {
            put(b, " (interval ");
            sl_ast_dump_expr(s->u.print.interval, flags, b);
            put(b, ")");
        }
        if (s->u.print.limit) {
            put(b, " (limit ");
            sl_ast_dump_expr(s->u.print.limit, flags, b);
            put(b, ")");
        }
        break;
    case SL_AST_STMT_SET:
    case SL_AST_STMT_ALTER_SYSTEM:
    case SL_AST_STMT_DEFINE:
        dump_str_or_nil(b, s->u.set.name);
        dump_str_or_nil(b, s->u.set.value);
        break;
    case SL_AST_STMT_UNSET:
    case SL_AST_STMT_UNDEFINE:
        dump_str_or_nil(b, s->u.set.name);
        break;
    case SL_AST_STMT_RUN_SCRIPT:
        dump_str_or_nil(b, s->u.run_script);
        break;
    case SL_AST_STMT_CREATE_CONNECTOR:
        putf(b, " %s%s ", s->u.create_connector.source ? "SOURCE" : "SINK",
             s->u.create_connector.if_not_exists ? " IF_NOT_EXISTS" : "");
        dump_ident(b, &s->u.create_connector.name);
        dump_props(b, s->u.create_connector.props, s->u.create_connector.n_props, flags);
        break;
    case SL_AST_STMT_ALTER_SOURCE:
        putf(b, " %s ", src_type(s->u.alter_source.type));
        dump_ident(b, &s->u.alter_source.name);
        dump_columns(b, s->u.alter_source.columns, s->u.alter_source.n_columns);
        break;
    case SL_AST_STMT_ASSERT_TOPIC:
    case SL_AST_STMT_ASSERT_SCHEMA:
        if (s->u.assert_.not_exists) put(b, " NOT_EXISTS");
        dump_str_or_nil(b, s->u.assert_.name);
        if (s->u.assert_.id) {
            put(b, " (id ");
            sl_ast_dump_expr(s->u.assert_.id, flags, b);
            put(b, ")");
        }
        dump_props(b, s->u.assert_.props, s->u.assert_.n_props, flags);
        if (s->u.assert_.has_timeout) dump_dur(b, "timeout", &s->u.assert_.timeout);
        break;
    default:
        break;
    }
    put(b, ")");
    dump_pos(b, s->pos, flags);
}

/* ------------------------------------------------------------------------------------------ */
/* SQL                                                                                        */

void sl_ast_format_type(const sl_ast_type_t *t, sl_buf_t *b)
{
    uint32_t i;
    switch (t->kind) {
    case SL_AST_TYPE_NAMED:
        if (t->name.quote == SL_AST_QUOTE_VARIABLE || plain_name(t->name.name))
            put_ident(b, &t->name, false);
        else
            put_backquoted(b, t->name.name);
        if (t->n_params) {
            put(b, "(");
            for (i = 0; i < t->n_params; i++)
                putf(b, "%s%s", i ? ", " : "", t->params[i]);
            put(b, ")");
        }
        break;
    case SL_AST_TYPE_DECIMAL:
        putf(b, "DECIMAL(%" PRId64 ", %" PRId64 ")", t->precision, t->scale);
        break;
    case SL_AST_TYPE_ARRAY:
        put(b, "ARRAY<");
        sl_ast_format_type(t->elem, b);
        put(b, ">");
        break;
    case SL_AST_TYPE_MAP:
        put(b, "MAP<");
        sl_ast_format_type(t->key, b);
        put(b, ", ");
        sl_ast_format_type(t->elem, b);
        put(b, ">");
        break;
    case SL_AST_TYPE_STRUCT:
        put(b, "STRUCT<");
        for (i = 0; i < t->n_fields; i++) {
            if (i) put(b, ", ");
            put_ident(b, &t->fields[i]->name, false);
            put(b, " ");
            sl_ast_format_type(t->fields[i]->type, b);
        }
        put(b, ">");
        break;
    }
}

static void fmt_list(sl_buf_t *b, sl_ast_expr_t *const *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (i) put(b, ", ");
        sl_ast_format_expr(v[i], b);
    }
}

/* A literal as SQL: numbers as written (so they read back to the same kind). */
static void fmt_literal(sl_buf_t *b, const sl_ast_expr_t *e)
{
    switch (e->u.lit.kind) {
    case SL_AST_LIT_NULL:
        put(b, "null");
        break;
    case SL_AST_LIT_BOOL:
        put(b, e->u.lit.b ? "true" : "false");
        break;
    case SL_AST_LIT_INT:
    case SL_AST_LIT_BIGINT:
    case SL_AST_LIT_DECIMAL:
        if (e->u.lit.str)
            put(b, e->u.lit.str);
        else
            putf(b, "%" PRId64, e->u.lit.i);
        break;
    case SL_AST_LIT_DOUBLE:
        put_double(b, e->u.lit.d);
        break;
    case SL_AST_LIT_STRING:
        put_sql_string(b, e->u.lit.str, e->u.lit.len, false);
        break;
    case SL_AST_LIT_TYPED:
        put_ident(b, &e->u.lit.type_name, false);
        put(b, " ");
        put_sql_string(b, e->u.lit.str, e->u.lit.len, false);
        break;
    }
}

/* True if e prints as a primary that [..] and -> can follow without parentheses. */
static bool prints_as_primary(const sl_ast_expr_t *e)
{
    switch (e->kind) {
    case SL_AST_EXPR_LITERAL:
        return !(e->u.lit.str && e->u.lit.str[0] == '-') && e->u.lit.kind != SL_AST_LIT_DOUBLE;
    case SL_AST_EXPR_VARIABLE:
    case SL_AST_EXPR_COLUMN:
    case SL_AST_EXPR_LAMBDA_VAR:
    case SL_AST_EXPR_DEREF:
    case SL_AST_EXPR_SUBSCRIPT:
    case SL_AST_EXPR_CALL:
    case SL_AST_EXPR_CAST:
    case SL_AST_EXPR_ARRAY:
    case SL_AST_EXPR_MAP:
    case SL_AST_EXPR_STRUCT:
        return true;
    default:
        return false;
    }
}

static void fmt_base(sl_buf_t *b, const sl_ast_expr_t *e)
{
    bool p = !prints_as_primary(e);
    if (p) put(b, "(");
    sl_ast_format_expr(e, b);
    if (p) put(b, ")");
}

void sl_ast_format_expr(const sl_ast_expr_t *e, sl_buf_t *b)
{
    uint32_t i;
    switch (e->kind) {
    case SL_AST_EXPR_LITERAL:
        fmt_literal(b, e);
        break;
    case SL_AST_EXPR_VARIABLE:
        putf(b, "${%s}", e->u.var.name);
        break;
    case SL_AST_EXPR_COLUMN:
    case SL_AST_EXPR_LAMBDA_VAR:
        if (e->u.col.source.name) {
            put_ident(b, &e->u.col.source, false);
            put(b, ".");
        }
        put_ident(b, &e->u.col.name, false);
        break;
    case SL_AST_EXPR_DEREF:
        fmt_base(b, e->u.deref.base);
        put(b, "->");
        put_ident(b, &e->u.deref.field, false);
        break;
    case SL_AST_EXPR_SUBSCRIPT:
        fmt_base(b, e->u.subscript.base);
        put(b, "[");
        sl_ast_format_expr(e->u.subscript.index, b);
        put(b, "]");
        break;
    case SL_AST_EXPR_CALL:
        put_ident(b, &e->u.call.name, false);
        put(b, "(");
        if (e->u.call.star) put(b, "*");
        fmt_list(b, e->u.call.args, e->u.call.n_args);
        put(b, ")");
        break;
    case SL_AST_EXPR_LAMBDA:
        put(b, "(");
        for (i = 0; i < e->u.lambda.n_params; i++) {
            if (i) put(b, ", ");
            put_ident(b, &e->u.lambda.params[i], false);
        }
        put(b, ") => ");
        sl_ast_format_expr(e->u.lambda.body, b);
        break;
    case SL_AST_EXPR_UNARY: {
        const sl_ast_expr_t *a = e->u.unary.arg;
        if (e->u.unary.op == SL_AST_OP_NOT) {
            put(b, "(NOT ");
            sl_ast_format_expr(a, b);
            put(b, ")");
            break;
        }
        put(b, e->u.unary.op == SL_AST_OP_NEG ? "-" : "+");
        if (a->kind == SL_AST_EXPR_LITERAL && a->u.lit.str && a->u.lit.str[0] != '-' &&
            a->u.lit.kind != SL_AST_LIT_STRING && a->u.lit.kind != SL_AST_LIT_TYPED) {
            /* -(5): written in parentheses, or it would read back as the literal -5 */
            put(b, "(");
            sl_ast_format_expr(a, b);
            put(b, ")");
            break;
        }
        sl_buf_t tmp;
        sl_buf_init(&tmp);
        sl_ast_format_expr(a, &tmp);
        /* "- -5", not "--5", which would be a comment */
        if (tmp.len && (tmp.data[0] == '-' || tmp.data[0] == '+')) put(b, " ");
        sl_buf_put(b, tmp.data, tmp.len);
        sl_buf_free(&tmp);
        break;
    }
    case SL_AST_EXPR_BINARY:
        put(b, "(");
        sl_ast_format_expr(e->u.binary.left, b);
        if (e->u.binary.op == SL_AST_OP_IS_DISTINCT && e->u.binary.negated)
            put(b, " IS NOT DISTINCT FROM ");
        else
            putf(b, " %s ", sl_ast_op_str(e->u.binary.op));
        sl_ast_format_expr(e->u.binary.right, b);
        put(b, ")");
        break;
    case SL_AST_EXPR_IS_NULL:
        put(b, "(");
        sl_ast_format_expr(e->u.is_null.arg, b);
        put(b, e->u.is_null.negated ? " IS NOT NULL)" : " IS NULL)");
        break;
    case SL_AST_EXPR_BETWEEN:
        put(b, "(");
        sl_ast_format_expr(e->u.between.value, b);
        put(b, e->u.between.negated ? " NOT BETWEEN " : " BETWEEN ");
        sl_ast_format_expr(e->u.between.low, b);
        put(b, " AND ");
        sl_ast_format_expr(e->u.between.high, b);
        put(b, ")");
        break;
    case SL_AST_EXPR_IN:
        put(b, "(");
        sl_ast_format_expr(e->u.in.value, b);
        put(b, e->u.in.negated ? " NOT IN (" : " IN (");
        fmt_list(b, e->u.in.list, e->u.in.n_list);
        put(b, "))");
        break;
    case SL_AST_EXPR_LIKE:
        put(b, "(");
        sl_ast_format_expr(e->u.like.value, b);
        put(b, e->u.like.negated ? " NOT LIKE " : " LIKE ");
        sl_ast_format_expr(e->u.like.pattern, b);
        if (e->u.like.escape) {
            put(b, " ESCAPE ");
            put_sql_string(b, e->u.like.escape, strlen(e->u.like.escape), false);
        }
        put(b, ")");
        break;
    case SL_AST_EXPR_CASE:
        put(b, "(CASE");
        if (e->u.case_.operand) {
            put(b, " ");
            sl_ast_format_expr(e->u.case_.operand, b);
        }
        for (i = 0; i < e->u.case_.n_whens; i++) {
            put(b, " WHEN ");
            sl_ast_format_expr(e->u.case_.whens[i]->cond, b);
            put(b, " THEN ");
            sl_ast_format_expr(e->u.case_.whens[i]->result, b);
        }
        if (e->u.case_.else_) {
            put(b, " ELSE ");
            sl_ast_format_expr(e->u.case_.else_, b);
        }
        put(b, " END)");
        break;
    case SL_AST_EXPR_CAST:
        put(b, "CAST(");
        sl_ast_format_expr(e->u.cast.arg, b);
        put(b, " AS ");
        sl_ast_format_type(e->u.cast.type, b);
        put(b, ")");
        break;
    case SL_AST_EXPR_ARRAY:
        put(b, "ARRAY[");
        fmt_list(b, e->u.array.items, e->u.array.n_items);
        put(b, "]");
        break;
    case SL_AST_EXPR_MAP:
        put(b, "MAP(");
        for (i = 0; i < e->u.map.n_entries; i++) {
            if (i) put(b, ", ");
            sl_ast_format_expr(e->u.map.keys[i], b);
            put(b, ":=");
            sl_ast_format_expr(e->u.map.values[i], b);
        }
        put(b, ")");
        break;
    case SL_AST_EXPR_STRUCT:
        put(b, "STRUCT(");
        for (i = 0; i < e->u.struct_.n_fields; i++) {
            if (i) put(b, ", ");
            put_ident(b, &e->u.struct_.names[i], false);
            put(b, ":=");
            sl_ast_format_expr(e->u.struct_.values[i], b);
        }
        put(b, ")");
        break;
    case SL_AST_EXPR_INTERVAL_UNIT:
        put(b, sl_ast_unit_name(e->u.unit));
        break;
    case SL_AST_EXPR_AT_TIME_ZONE:
        put(b, "(");
        sl_ast_format_expr(e->u.at_zone.arg, b);
        put(b, " AT TIME ZONE ");
        put_sql_string(b, e->u.at_zone.zone, strlen(e->u.at_zone.zone), false);
        put(b, ")");
        break;
    default:
        break;
    }
}

static void fmt_dur(sl_buf_t *b, const sl_ast_duration_t *d)
{
    putf(b, "%" PRId64 " %s", d->size, sl_ast_unit_name(d->unit));
}

static void fmt_props(sl_buf_t *b, sl_ast_prop_t *const *p, uint32_t n)
{
    if (!n) return;
    put(b, " WITH (");
    for (uint32_t i = 0; i < n; i++) {
        if (i) put(b, ", ");
        if (p[i]->name_is_string || !plain_name(p[i]->name) ||
            sl_sql_is_reserved(p[i]->name, strlen(p[i]->name)))
            put_sql_string(b, p[i]->name, strlen(p[i]->name), false);
        else
            put(b, p[i]->name);
        put(b, "=");
        sl_ast_format_expr(p[i]->value, b);
    }
    put(b, ")");
}

static void fmt_columns(sl_buf_t *b, sl_ast_column_t *const *c, uint32_t n)
{
    if (!n) return;
    put(b, " (");
    for (uint32_t i = 0; i < n; i++) {
        if (i) put(b, ", ");
        put_ident(b, &c[i]->name, false);
        put(b, " ");
        sl_ast_format_type(c[i]->type, b);
        switch (c[i]->constraint) {
        case SL_AST_COL_KEY:
            put(b, " KEY");
            break;
        case SL_AST_COL_PRIMARY_KEY:
            put(b, " PRIMARY KEY");
            break;
        case SL_AST_COL_HEADERS:
            put(b, " HEADERS");
            break;
        case SL_AST_COL_HEADER:
            put(b, " HEADER(");
            put_sql_string(b, c[i]->header_key, strlen(c[i]->header_key), false);
            put(b, ")");
            break;
        default:
            break;
        }
    }
    put(b, ")");
}

static void fmt_srcref(sl_buf_t *b, const sl_ast_source_ref_t *r)
{
    put_ident(b, &r->name, true);
    if (r->alias.name) {
        put(b, " ");
        put_ident(b, &r->alias, true);
    }
}

static void fmt_window(sl_buf_t *b, const sl_ast_window_t *w)
{
    put(b, "\nWINDOW ");
    if (w->name.name) putf(b, "%s ", w->name.name);
    switch (w->kind) {
    case SL_AST_WINDOW_TUMBLING:
        put(b, "TUMBLING ( SIZE ");
        fmt_dur(b, &w->size);
        break;
    case SL_AST_WINDOW_HOPPING:
        put(b, "HOPPING ( SIZE ");
        fmt_dur(b, &w->size);
        put(b, ", ADVANCE BY ");
        fmt_dur(b, &w->advance);
        break;
    case SL_AST_WINDOW_SESSION:
        put(b, "SESSION ( ");
        fmt_dur(b, &w->size);
        break;
    }
    if (w->has_retention) {
        put(b, ", RETENTION ");
        fmt_dur(b, &w->retention);
    }
    if (w->has_grace) {
        put(b, ", GRACE PERIOD ");
        fmt_dur(b, &w->grace);
    }
    put(b, " )");
}

static void fmt_query(sl_buf_t *b, const sl_ast_query_t *q)
{
    static const char *const joins[] = {"", "INNER", "LEFT", "RIGHT", "FULL"};
    uint32_t i;
    put(b, "SELECT");
    for (i = 0; i < q->n_items; i++) {
        const sl_ast_select_item_t *it = q->items[i];
        put(b, q->n_items > 1 ? (i ? ",\n  " : "\n  ") : " ");
        switch (it->kind) {
        case SL_AST_SELECT_ALL:
            put(b, "*");
            break;
        case SL_AST_SELECT_SOURCE_ALL:
            put_ident(b, &it->source, false);
            put(b, ".*");
            break;
        case SL_AST_SELECT_STRUCT_ALL:
            fmt_base(b, it->expr);
            put(b, "->*");
            break;
        case SL_AST_SELECT_EXPR:
            sl_ast_format_expr(it->expr, b);
            if (it->alias.name) {
                put(b, " ");
                put_ident(b, &it->alias, true);
            }
            break;
        }
    }
    put(b, "\nFROM ");
    fmt_srcref(b, q->from);
    for (i = 0; i < q->n_joins; i++) {
        const sl_ast_join_t *j = q->joins[i];
        putf(b, "\n%s%s JOIN ", joins[j->type], j->outer_kw ? " OUTER" : "");
        fmt_srcref(b, j->right);
        if (j->within) {
            put(b, " WITHIN ");
            if (j->within->two_sided) {
                put(b, "(");
                fmt_dur(b, &j->within->before);
                put(b, ", ");
                fmt_dur(b, &j->within->after);
                put(b, ")");
            } else {
                fmt_dur(b, &j->within->before);
            }
            if (j->within->has_grace) {
                put(b, " GRACE PERIOD ");
                fmt_dur(b, &j->within->grace);
            }
        }
        put(b, " ON ");
        sl_ast_format_expr(j->on, b);
    }
    if (q->window) fmt_window(b, q->window);
    if (q->where) {
        put(b, "\nWHERE ");
        sl_ast_format_expr(q->where, b);
    }
    if (q->has_group_by) {
        put(b, "\nGROUP BY ");
        if (q->n_group_by == 0) put(b, "()");
        fmt_list(b, q->group_by, q->n_group_by);
    }
    if (q->has_partition_by) {
        put(b, "\nPARTITION BY ");
        if (q->n_partition_by == 0) put(b, "()");
        fmt_list(b, q->partition_by, q->n_partition_by);
    }
    if (q->having) {
        put(b, "\nHAVING ");
        sl_ast_format_expr(q->having, b);
    }
    if (q->emit == SL_AST_EMIT_CHANGES) put(b, "\nEMIT CHANGES");
    if (q->emit == SL_AST_EMIT_FINAL) put(b, "\nEMIT FINAL");
    if (q->limit) {
        put(b, "\nLIMIT ");
        sl_ast_format_expr(q->limit, b);
    }
}

static void fmt_setval(sl_buf_t *b, const char *s, bool var)
{
    if (var)
        putf(b, "${%s}", s);
    else
        put_sql_string(b, s, strlen(s), false);
}

static void fmt_stmt(sl_buf_t *b, const sl_ast_stmt_t *s)
{
    uint32_t i;
    switch (s->kind) {
    case SL_AST_STMT_QUERY:
        fmt_query(b, s->u.query);
        break;
    case SL_AST_STMT_CREATE_SOURCE:
    case SL_AST_STMT_ASSERT_SOURCE: {
        const sl_ast_create_source_t *c = &s->u.create_source;
        if (s->kind == SL_AST_STMT_ASSERT_SOURCE)
            putf(b, "ASSERT %s ", src_type(c->type));
        else
            putf(b, "CREATE %s%s%s %s", c->or_replace ? "OR REPLACE " : "",
                 c->source ? "SOURCE " : "", src_type(c->type),
                 c->if_not_exists ? "IF NOT EXISTS " : "");
        put_ident(b, &c->name, true);
        fmt_columns(b, c->columns, c->n_columns);
        fmt_props(b, c->props, c->n_props);
        break;
    }
    case SL_AST_STMT_CREATE_AS: {
        const sl_ast_create_as_t *c = &s->u.create_as;
        putf(b, "CREATE %s%s %s", c->or_replace ? "OR REPLACE " : "", src_type(c->type),
             c->if_not_exists ? "IF NOT EXISTS " : "");
        put_ident(b, &c->name, true);
        fmt_props(b, c->props, c->n_props);
        put(b, " AS ");
        fmt_query(b, c->query);
        break;
    }
    case SL_AST_STMT_INSERT_INTO:
        put(b, "INSERT INTO ");
        put_ident(b, &s->u.insert_into.target, true);
        fmt_props(b, s->u.insert_into.props, s->u.insert_into.n_props);
        put(b, " ");
        fmt_query(b, s->u.insert_into.query);
        break;
    case SL_AST_STMT_INSERT_VALUES:
    case SL_AST_STMT_ASSERT_VALUES:
    case SL_AST_STMT_ASSERT_TOMBSTONE: {
        const sl_ast_insert_values_t *v = &s->u.insert_values;
        put(b, s->kind == SL_AST_STMT_INSERT_VALUES   ? "INSERT INTO "
               : s->kind == SL_AST_STMT_ASSERT_VALUES ? "ASSERT VALUES "
                                                      : "ASSERT NULL VALUES ");
        put_ident(b, &v->target, true);
        if (v->n_columns) {
            put(b, " (");
            for (i = 0; i < v->n_columns; i++) {
                if (i) put(b, ", ");
                put_ident(b, &v->columns[i], false);
            }
            put(b, ")");
        }
        put(b, s->kind == SL_AST_STMT_ASSERT_TOMBSTONE ? " KEY (" : " VALUES (");
        fmt_list(b, v->values, v->n_values);
        put(b, ")");
        break;
    }
    case SL_AST_STMT_DROP_SOURCE:
        putf(b, "DROP %s %s", src_type(s->u.drop_source.type),
             s->u.drop_source.if_exists ? "IF EXISTS " : "");
        put_ident(b, &s->u.drop_source.name, true);
        if (s->u.drop_source.delete_topic) put(b, " DELETE TOPIC");
        break;
    case SL_AST_STMT_CREATE_TYPE:
        put(b, s->u.create_type.if_not_exists ? "CREATE TYPE IF NOT EXISTS " : "CREATE TYPE ");
        put_ident(b, &s->u.create_type.name, true);
        put(b, " AS ");
        sl_ast_format_type(s->u.create_type.type, b);
        break;
    case SL_AST_STMT_DROP_TYPE:
    case SL_AST_STMT_DROP_CONNECTOR:
        putf(b, "DROP %s %s", s->kind == SL_AST_STMT_DROP_TYPE ? "TYPE" : "CONNECTOR",
             s->u.drop_named.if_exists ? "IF EXISTS " : "");
        put_ident(b, &s->u.drop_named.name, true);
        break;
    case SL_AST_STMT_TERMINATE:
        put(b, "TERMINATE ");
        if (s->u.terminate.all)
            put(b, "ALL");
        else
            put_ident(b, &s->u.terminate.query_id, true);
        break;
    case SL_AST_STMT_LIST:
        putf(b, "SHOW %s%s%s%s", s->u.list.all ? "ALL " : "",
             s->u.list.scope == 1   ? "SOURCE "
             : s->u.list.scope == 2 ? "SINK "
                                    : "",
             list_what(s->u.list.what), s->u.list.extended ? " EXTENDED" : "");
        break;
    case SL_AST_STMT_DESCRIBE:
        put(b, "DESCRIBE ");
        put_ident(b, &s->u.describe.name, true);
        if (s->u.describe.extended) put(b, " EXTENDED");
        break;
    case SL_AST_STMT_DESCRIBE_SOURCES:
        putf(b, "DESCRIBE %s%s", list_what(s->u.describe_sources.what),
             s->u.describe_sources.extended ? " EXTENDED" : "");
        break;
    case SL_AST_STMT_DESCRIBE_FUNCTION:
        put(b, "DESCRIBE FUNCTION ");
        put_ident(b, &s->u.describe_named, true);
        break;
    case SL_AST_STMT_DESCRIBE_CONNECTOR:
        put(b, "DESCRIBE CONNECTOR ");
        put_ident(b, &s->u.describe_named, true);
        break;
    case SL_AST_STMT_EXPLAIN:
        put(b, "EXPLAIN ");
        if (s->u.explain.stmt)
            fmt_stmt(b, s->u.explain.stmt);
        else
            put_ident(b, &s->u.explain.query_id, true);
        break;
    case SL_AST_STMT_PRINT:
        put(b, "PRINT ");
        put_sql_string(b, s->u.print.topic, strlen(s->u.print.topic), false);
        if (s->u.print.from_beginning) put(b, " FROM BEGINNING");
        if (s->u.print.interval) {
            put(b, " INTERVAL ");
            sl_ast_format_expr(s->u.print.interval, b);
        }
        if (s->u.print.limit) {
            put(b, " LIMIT ");
            sl_ast_format_expr(s->u.print.limit, b);
        }
        break;
    case SL_AST_STMT_SET:
        put(b, "SET ");
        fmt_setval(b, s->u.set.name, s->u.set.name_is_var);
        put(b, "=");
        fmt_setval(b, s->u.set.value, s->u.set.value_is_var);
        break;
    case SL_AST_STMT_ALTER_SYSTEM:
        put(b, "ALTER SYSTEM ");
        fmt_setval(b, s->u.set.name, false);
        put(b, "=");
        fmt_setval(b, s->u.set.value, false);
        break;
    case SL_AST_STMT_UNSET:
        put(b, "UNSET ");
        fmt_setval(b, s->u.set.name, s->u.set.name_is_var);
        break;
    case SL_AST_STMT_DEFINE:
        putf(b, "DEFINE %s = ", s->u.set.name);
        fmt_setval(b, s->u.set.value, false);
        break;
    case SL_AST_STMT_UNDEFINE:
        putf(b, "UNDEFINE %s", s->u.set.name);
        break;
    case SL_AST_STMT_RUN_SCRIPT:
        put(b, "RUN SCRIPT ");
        fmt_setval(b, s->u.run_script, false);
        break;
    case SL_AST_STMT_CREATE_CONNECTOR:
        putf(b, "CREATE %s CONNECTOR %s", s->u.create_connector.source ? "SOURCE" : "SINK",
             s->u.create_connector.if_not_exists ? "IF NOT EXISTS " : "");
        put_ident(b, &s->u.create_connector.name, true);
        fmt_props(b, s->u.create_connector.props, s->u.create_connector.n_props);
        break;
    case SL_AST_STMT_ALTER_SOURCE:
        putf(b, "ALTER %s ", src_type(s->u.alter_source.type));
        put_ident(b, &s->u.alter_source.name, true);
        for (i = 0; i < s->u.alter_source.n_columns; i++) {
            put(b, i ? ", ADD COLUMN " : " ADD COLUMN ");
            put_ident(b, &s->u.alter_source.columns[i]->name, false);
            put(b, " ");
            sl_ast_format_type(s->u.alter_source.columns[i]->type, b);
        }
        break;
    case SL_AST_STMT_ASSERT_TOPIC:
    case SL_AST_STMT_ASSERT_SCHEMA:
        put(b, s->u.assert_.not_exists ? "ASSERT NOT EXISTS " : "ASSERT ");
        if (s->kind == SL_AST_STMT_ASSERT_TOPIC) {
            put(b, "TOPIC ");
            fmt_setval(b, s->u.assert_.name, false);
            fmt_props(b, s->u.assert_.props, s->u.assert_.n_props);
        } else {
            put(b, "SCHEMA");
            if (s->u.assert_.name) {
                put(b, " SUBJECT ");
                fmt_setval(b, s->u.assert_.name, false);
            }
            if (s->u.assert_.id) {
                put(b, " ID ");
                sl_ast_format_expr(s->u.assert_.id, b);
            }
        }
        if (s->u.assert_.has_timeout) {
            put(b, " TIMEOUT ");
            fmt_dur(b, &s->u.assert_.timeout);
        }
        break;
    default:
        break;
    }
}

void sl_ast_format(const sl_ast_stmt_t *s, sl_buf_t *b)
{
    fmt_stmt(b, s);
    put(b, ";");
}
