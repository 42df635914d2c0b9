/*
 * types.c — ksqlDB SQL types: singletons, constructors, equality, text form, parser, widening.
 *
 * The parser is a small recursive descent over the type grammar of ksqlDB's SqlBase.g4
 * (`type` rule) plus the column-list rule, so that schemas written as text (test cases,
 * registry-derived schemas, the command topic) come back as the same types the grammar builds.
 */
#include "sql/types.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"

static const sl_type_t prims[] = {
    [SL_TYPE_NULL] = {.kind = SL_TYPE_NULL},
    [SL_TYPE_BOOLEAN] = {.kind = SL_TYPE_BOOLEAN},
    [SL_TYPE_INTEGER] = {.kind = SL_TYPE_INTEGER},
    [SL_TYPE_BIGINT] = {.kind = SL_TYPE_BIGINT},
    [SL_TYPE_DECIMAL] = {.kind = SL_TYPE_NULL}, /* not a singleton: see sl_type_decimal */
    [SL_TYPE_DOUBLE] = {.kind = SL_TYPE_DOUBLE},
    [SL_TYPE_STRING] = {.kind = SL_TYPE_STRING},
    [SL_TYPE_BYTES] = {.kind = SL_TYPE_BYTES},
    [SL_TYPE_DATE] = {.kind = SL_TYPE_DATE},
    [SL_TYPE_TIME] = {.kind = SL_TYPE_TIME},
    [SL_TYPE_TIMESTAMP] = {.kind = SL_TYPE_TIMESTAMP},
};

/* integer kinds seen as decimals, for mixed arithmetic and widening */
static const sl_type_t dec_of_int = {.kind = SL_TYPE_DECIMAL, .precision = 10, .scale = 0};
static const sl_type_t dec_of_bigint = {.kind = SL_TYPE_DECIMAL, .precision = 19, .scale = 0};

const sl_type_t *sl_type_prim(sl_type_kind_t kind)
{
    if (kind > SL_TYPE_TIMESTAMP || kind == SL_TYPE_DECIMAL) return NULL;
    return &prims[kind];
}

int sl_type_decimal(sl_arena_t *a, int precision, int scale, const sl_type_t **out)
{
    sl_type_t *t;
    if (precision < 1 || precision > SL_DECIMAL_MAX_TYPE_PRECISION || scale < 0 ||
        scale > precision)
        return SL_INVAL;
    t = sl_arena_zalloc(a, sizeof(*t));
    t->kind = SL_TYPE_DECIMAL;
    t->precision = (uint16_t)precision;
    t->scale = (uint16_t)scale;
    *out = t;
    return SL_OK;
}

const sl_type_t *sl_type_as_decimal(const sl_type_t *t)
{
    switch (t->kind) {
    case SL_TYPE_INTEGER:
        return &dec_of_int;
    case SL_TYPE_BIGINT:
        return &dec_of_bigint;
    case SL_TYPE_DECIMAL:
        return t;
    default:
        return NULL;
    }
}

const sl_type_t *sl_type_array(sl_arena_t *a, const sl_type_t *elem)
{
    sl_type_t *t = sl_arena_zalloc(a, sizeof(*t));
    t->kind = SL_TYPE_ARRAY;
    t->elem = elem;
    return t;
}

const sl_type_t *sl_type_map(sl_arena_t *a, const sl_type_t *key, const sl_type_t *value)
{
    sl_type_t *t = sl_arena_zalloc(a, sizeof(*t));
    t->kind = SL_TYPE_MAP;
    t->key = key;
    t->elem = value;
    return t;
}

const sl_type_t *sl_type_struct(sl_arena_t *a, const sl_field_t *fields, uint32_t n)
{
    sl_type_t *t = sl_arena_zalloc(a, sizeof(*t));
    sl_field_t *f = sl_arena_alloc(a, sizeof(*f) * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        f[i].name = sl_arena_strdup(a, fields[i].name);
        f[i].type = fields[i].type;
    }
    t->kind = SL_TYPE_STRUCT;
    t->fields = f;
    t->nfields = n;
    return t;
}

bool sl_type_equal(const sl_type_t *a, const sl_type_t *b)
{
    if (a == b) return true;
    if (!a || !b || a->kind != b->kind) return false;
    switch (a->kind) {
    case SL_TYPE_DECIMAL:
        return a->precision == b->precision && a->scale == b->scale;
    case SL_TYPE_ARRAY:
        return sl_type_equal(a->elem, b->elem);
    case SL_TYPE_MAP:
        return sl_type_equal(a->key, b->key) && sl_type_equal(a->elem, b->elem);
    case SL_TYPE_STRUCT:
        if (a->nfields != b->nfields) return false;
        for (uint32_t i = 0; i < a->nfields; i++) {
            if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
                !sl_type_equal(a->fields[i].type, b->fields[i].type))
                return false;
        }
        return true;
    default:
        return true;
    }
}

int sl_type_field_index(const sl_type_t *st, const char *name)
{
    for (uint32_t i = 0; i < st->nfields; i++) {
        if (strcmp(st->fields[i].name, name) == 0) return (int)i;
    }
    return -1;
}

const char *sl_type_kind_name(sl_type_kind_t kind)
{
    static const char *const names[SL_TYPE_KIND_COUNT] = {
        [SL_TYPE_NULL] = "null",
        [SL_TYPE_BOOLEAN] = "BOOLEAN",
        [SL_TYPE_INTEGER] = "INTEGER",
        [SL_TYPE_BIGINT] = "BIGINT",
        [SL_TYPE_DECIMAL] = "DECIMAL",
        [SL_TYPE_DOUBLE] = "DOUBLE",
        [SL_TYPE_STRING] = "STRING",
        [SL_TYPE_BYTES] = "BYTES",
        [SL_TYPE_DATE] = "DATE",
        [SL_TYPE_TIME] = "TIME",
        [SL_TYPE_TIMESTAMP] = "TIMESTAMP",
        [SL_TYPE_ARRAY] = "ARRAY",
        [SL_TYPE_MAP] = "MAP",
        [SL_TYPE_STRUCT] = "STRUCT",
    };
    if ((unsigned)kind >= SL_TYPE_KIND_COUNT) return "?";
    return names[kind];
}

/* ---- text form --------------------------------------------------------------------------- */

static void buf_puts(sl_buf_t *b, const char *s)
{
    sl_buf_put(b, s, strlen(s));
}

void sl_ident_format(const char *name, sl_buf_t *out)
{
    sl_buf_put(out, "`", 1);
    for (const char *p = name; *p; p++) {
        if (*p == '`') sl_buf_put(out, "`", 1);
        sl_buf_put(out, p, 1);
    }
    sl_buf_put(out, "`", 1);
}

void sl_type_format(const sl_type_t *t, sl_buf_t *out)
{
    char tmp[48];
    switch (t->kind) {
    case SL_TYPE_DECIMAL:
        snprintf(tmp, sizeof(tmp), "DECIMAL(%u, %u)", t->precision, t->scale);
        buf_puts(out, tmp);
        return;
    case SL_TYPE_ARRAY:
        buf_puts(out, "ARRAY<");
        sl_type_format(t->elem, out);
        buf_puts(out, ">");
        return;
    case SL_TYPE_MAP:
        buf_puts(out, "MAP<");
        sl_type_format(t->key, out);
        buf_puts(out, ", ");
        sl_type_format(t->elem, out);
        buf_puts(out, ">");
        return;
    case SL_TYPE_STRUCT:
        if (t->nfields == 0) {
            buf_puts(out, "STRUCT< >");
            return;
        }
        buf_puts(out, "STRUCT<");
        for (uint32_t i = 0; i < t->nfields; i++) {
            if (i) buf_puts(out, ", ");
            sl_ident_format(t->fields[i].name, out);
            buf_puts(out, " ");
            sl_type_format(t->fields[i].type, out);
        }
        buf_puts(out, ">");
        return;
    default:
        buf_puts(out, sl_type_kind_name(t->kind));
    }
}

const char *sl_type_str(sl_arena_t *a, const sl_type_t *t)
{
    sl_buf_t b;
    const char *s;
    sl_buf_init(&b);
    sl_type_format(t, &b);
    s = sl_arena_strndup(a, (const char *)b.data, b.len);
    sl_buf_free(&b);
    return s;
}

void sl_schema_format(const sl_column_t *cols, uint32_t ncols, sl_buf_t *out)
{
    for (uint32_t i = 0; i < ncols; i++) {
        if (i) buf_puts(out, ", ");
        sl_ident_format(cols[i].name, out);
        buf_puts(out, " ");
        sl_type_format(cols[i].type, out);
        switch (cols[i].role) {
        case SL_COL_KEY:
            buf_puts(out, " KEY");
            break;
        case SL_COL_PRIMARY_KEY:
            buf_puts(out, " PRIMARY KEY");
            break;
        case SL_COL_HEADERS:
            buf_puts(out, " HEADERS");
            break;
        case SL_COL_HEADER:
            buf_puts(out, " HEADER('");
            buf_puts(out, cols[i].header_key ? cols[i].header_key : "");
            buf_puts(out, "')");
            break;
        default:
            break;
        }
    }
}

/* ---- parser ------------------------------------------------------------------------------ */

typedef struct tparser_s {
    sl_arena_t *a;               /* where types and names go */
    const char *p;               /* next character */
    const char *end;             /* one past the last character */
    const char *start;           /* beginning of the text, for positions in messages */
    sl_type_resolver_fn resolve; /* custom type lookup, may be NULL */
    void *ud;                    /* resolve's argument */
    char *err;                   /* message buffer */
    size_t errlen;               /* its size */
    int depth;                   /* nesting, bounded against stack exhaustion */
} tparser_t;

#define SL_TYPE_MAX_DEPTH 64

static int tp_fail(tparser_t *tp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int tp_fail(tparser_t *tp, const char *fmt, ...)
{
    if (tp->err && tp->errlen) {
        va_list ap;
        int n = snprintf(tp->err, tp->errlen, "at column %d: ", (int)(tp->p - tp->start) + 1);
        if (n < 0 || (size_t)n >= tp->errlen) n = 0;
        va_start(ap, fmt);
        vsnprintf(tp->err + n, tp->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return SL_INVAL;
}

static void tp_ws(tparser_t *tp)
{
    while (tp->p < tp->end && isspace((unsigned char)*tp->p))
        tp->p++;
}

static bool tp_eat(tparser_t *tp, char c)
{
    tp_ws(tp);
    if (tp->p < tp->end && *tp->p == c) {
        tp->p++;
        return true;
    }
    return false;
}

/* Reads an identifier: `quoted` or "quoted" (verbatim, doubled quote escapes) or bare
 * (letters, digits, _, @, $; upper-cased). *name is NUL-terminated in the arena. */
static int tp_ident(tparser_t *tp, const char **name, bool *quoted)
{
    tp_ws(tp);
    if (tp->p >= tp->end) return tp_fail(tp, "expected an identifier but the text ends");
    if (*tp->p == '`' || *tp->p == '"') {
        char q = *tp->p++;
        sl_buf_t b;
        sl_buf_init(&b);
        for (;;) {
            if (tp->p >= tp->end) {
                sl_buf_free(&b);
                return tp_fail(tp, "unterminated quoted identifier");
            }
            if (*tp->p == q) {
                if (tp->p + 1 < tp->end && tp->p[1] == q) {
                    sl_buf_put(&b, &q, 1);
                    tp->p += 2;
                    continue;
                }
                tp->p++;
                break;
            }
            sl_buf_put(&b, tp->p, 1);
            tp->p++;
        }
        *name = sl_arena_strndup(tp->a, b.data ? (const char *)b.data : "", b.len);
        sl_buf_free(&b);
        if (quoted) *quoted = true;
        return SL_OK;
    }
    {
        const char *s = tp->p;
        char *n;
        while (tp->p < tp->end &&
               (isalnum((unsigned char)*tp->p) || *tp->p == '_' || *tp->p == '@' || *tp->p == '$'))
            tp->p++;
        if (tp->p == s) return tp_fail(tp, "expected an identifier at '%c'", *s);
        n = sl_arena_strndup(tp->a, s, (size_t)(tp->p - s));
        for (char *c = n; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        *name = n;
        if (quoted) *quoted = false;
        return SL_OK;
    }
}

static int tp_int(tparser_t *tp, int *v)
{
    long n = 0;
    const char *s;
    tp_ws(tp);
    s = tp->p;
    while (tp->p < tp->end && isdigit((unsigned char)*tp->p)) {
        n = n * 10 + (*tp->p - '0');
        if (n > 100000) return tp_fail(tp, "number too large");
        tp->p++;
    }
    if (tp->p == s) return tp_fail(tp, "expected a number");
    *v = (int)n;
    return SL_OK;
}

static int tp_type(tparser_t *tp, const sl_type_t **out);

static int tp_struct(tparser_t *tp, const sl_type_t **out)
{
    sl_field_t fields[256];
    uint32_t n = 0;
    int rc;
    if (!tp_eat(tp, '<')) return tp_fail(tp, "expected '<' after STRUCT");
    if (tp_eat(tp, '>')) {
        *out = sl_type_struct(tp->a, fields, 0);
        return SL_OK;
    }
    for (;;) {
        if (n == sizeof(fields) / sizeof(fields[0])) return tp_fail(tp, "too many STRUCT fields");
        if ((rc = tp_ident(tp, &fields[n].name, NULL)) != SL_OK) return rc;
        if ((rc = tp_type(tp, &fields[n].type)) != SL_OK) return rc;
        for (uint32_t i = 0; i < n; i++) {
            if (strcmp(fields[i].name, fields[n].name) == 0)
                return tp_fail(tp, "duplicate field name %s in STRUCT", fields[n].name);
        }
        n++;
        if (tp_eat(tp, ',')) continue;
        if (tp_eat(tp, '>')) break;
        return tp_fail(tp, "expected ',' or '>' in STRUCT");
    }
    *out = sl_type_struct(tp->a, fields, n);
    return SL_OK;
}

static int tp_type(tparser_t *tp, const sl_type_t **out)
{
    const char *name;
    bool quoted = false;
    int rc;
    if (++tp->depth > SL_TYPE_MAX_DEPTH) return tp_fail(tp, "type nested too deeply");
    if ((rc = tp_ident(tp, &name, &quoted)) != SL_OK) return rc;
    if (!quoted) {
        static const struct {
            const char *name;
            sl_type_kind_t kind;
        } simple[] = {
            {"BOOLEAN", SL_TYPE_BOOLEAN},     {"INT", SL_TYPE_INTEGER},
            {"INTEGER", SL_TYPE_INTEGER},     {"BIGINT", SL_TYPE_BIGINT},
            {"DOUBLE", SL_TYPE_DOUBLE},       {"STRING", SL_TYPE_STRING},
            {"VARCHAR", SL_TYPE_STRING},      {"BYTES", SL_TYPE_BYTES},
            {"DATE", SL_TYPE_DATE},           {"TIME", SL_TYPE_TIME},
            {"TIMESTAMP", SL_TYPE_TIMESTAMP},
        };
        for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
            if (strcmp(name, simple[i].name) == 0) {
                *out = sl_type_prim(simple[i].kind);
                tp->depth--;
                return SL_OK;
            }
        }
        if (strcmp(name, "DECIMAL") == 0) {
            int p, s;
            if (!tp_eat(tp, '(')) return tp_fail(tp, "expected '(' after DECIMAL");
            if ((rc = tp_int(tp, &p)) != SL_OK) return rc;
            if (!tp_eat(tp, ',')) return tp_fail(tp, "expected ',' in DECIMAL(precision, scale)");
            if ((rc = tp_int(tp, &s)) != SL_OK) return rc;
            if (!tp_eat(tp, ')')) return tp_fail(tp, "expected ')' after DECIMAL scale");
            if (sl_type_decimal(tp->a, p, s, out) != SL_OK)
                return tp_fail(tp,
                               "DECIMAL(%d, %d): precision must be 1..%d and scale 0..precision", p,
                               s, SL_DECIMAL_MAX_TYPE_PRECISION);
            tp->depth--;
            return SL_OK;
        }
        if (strcmp(name, "ARRAY") == 0) {
            const sl_type_t *e;
            if (!tp_eat(tp, '<')) return tp_fail(tp, "expected '<' after ARRAY");
            if ((rc = tp_type(tp, &e)) != SL_OK) return rc;
            if (!tp_eat(tp, '>')) return tp_fail(tp, "expected '>' after ARRAY element type");
            *out = sl_type_array(tp->a, e);
            tp->depth--;
            return SL_OK;
        }
        if (strcmp(name, "MAP") == 0) {
            const sl_type_t *k, *v;
            if (!tp_eat(tp, '<')) return tp_fail(tp, "expected '<' after MAP");
            if ((rc = tp_type(tp, &k)) != SL_OK) return rc;
            if (!tp_eat(tp, ',')) return tp_fail(tp, "expected ',' after MAP key type");
            if ((rc = tp_type(tp, &v)) != SL_OK) return rc;
            if (!tp_eat(tp, '>')) return tp_fail(tp, "expected '>' after MAP value type");
            *out = sl_type_map(tp->a, k, v);
            tp->depth--;
            return SL_OK;
        }
        if (strcmp(name, "STRUCT") == 0) {
            rc = tp_struct(tp, out);
            tp->depth--;
            return rc;
        }
    }
    if (tp->resolve) {
        const sl_type_t *t = tp->resolve(tp->ud, name);
        if (t) {
            *out = t;
            tp->depth--;
            return SL_OK;
        }
    }
    return tp_fail(tp, "unknown type %s", name);
}

static void tp_init(tparser_t *tp, sl_arena_t *a, const char *text, size_t len,
                    sl_type_resolver_fn resolve, void *ud, char *err, size_t errlen)
{
    memset(tp, 0, sizeof(*tp));
    tp->a = a;
    tp->p = tp->start = text;
    tp->end = text + len;
    tp->resolve = resolve;
    tp->ud = ud;
    tp->err = err;
    tp->errlen = errlen;
    if (err && errlen) err[0] = '\0';
}

int sl_type_parse(sl_arena_t *a, const char *text, size_t len, sl_type_resolver_fn resolve,
                  void *ud, const sl_type_t **out, char *err, size_t errlen)
{
    tparser_t tp;
    int rc;
    tp_init(&tp, a, text, len, resolve, ud, err, errlen);
    if ((rc = tp_type(&tp, out)) != SL_OK) return rc;
    tp_ws(&tp);
    if (tp.p != tp.end) return tp_fail(&tp, "unexpected text after the type");
    return SL_OK;
}

/* Case-insensitive keyword at the current position, followed by a non-identifier char. */
static bool tp_keyword(tparser_t *tp, const char *kw)
{
    size_t n = strlen(kw);
    tp_ws(tp);
    if ((size_t)(tp->end - tp->p) < n || strncasecmp(tp->p, kw, n) != 0) return false;
    if (tp->p + n < tp->end && (isalnum((unsigned char)tp->p[n]) || tp->p[n] == '_')) return false;
    tp->p += n;
    return true;
}

int sl_schema_parse(sl_arena_t *a, const char *text, size_t len, sl_type_resolver_fn resolve,
                    void *ud, sl_column_t **cols, uint32_t *ncols, char *err, size_t errlen)
{
    tparser_t tp;
    uint32_t n = 0, cap = 8;
    sl_column_t *c = sl_arena_alloc(a, sizeof(*c) * cap);
    int rc;
    tp_init(&tp, a, text, len, resolve, ud, err, errlen);
    tp_ws(&tp);
    while (tp.p < tp.end) {
        sl_column_t col;
        memset(&col, 0, sizeof(col));
        if ((rc = tp_ident(&tp, &col.name, NULL)) != SL_OK) return rc;
        tp.depth = 0;
        if ((rc = tp_type(&tp, &col.type)) != SL_OK) return rc;
        if (tp_keyword(&tp, "KEY")) {
            col.role = SL_COL_KEY;
        } else if (tp_keyword(&tp, "PRIMARY")) {
            if (!tp_keyword(&tp, "KEY")) return tp_fail(&tp, "expected KEY after PRIMARY");
            col.role = SL_COL_PRIMARY_KEY;
        } else if (tp_keyword(&tp, "HEADERS")) {
            col.role = SL_COL_HEADERS;
        } else if (tp_keyword(&tp, "HEADER")) {
            const char *s;
            col.role = SL_COL_HEADER;
            if (!tp_eat(&tp, '(') || !tp_eat(&tp, '\''))
                return tp_fail(&tp, "expected ('key') after HEADER");
            s = tp.p;
            while (tp.p < tp.end && *tp.p != '\'')
                tp.p++;
            col.header_key = sl_arena_strndup(a, s, (size_t)(tp.p - s));
            if (!tp_eat(&tp, '\'') || !tp_eat(&tp, ')'))
                return tp_fail(&tp, "expected ') after HEADER('key'");
        }
        for (uint32_t i = 0; i < n; i++) {
            if (strcmp(c[i].name, col.name) == 0)
                return tp_fail(&tp, "duplicate column name %s", col.name);
        }
        if (n == cap) {
            sl_column_t *nc = sl_arena_alloc(a, sizeof(*c) * cap * 2);
            memcpy(nc, c, sizeof(*c) * n);
            c = nc;
            cap *= 2;
        }
        c[n++] = col;
        if (tp_eat(&tp, ',')) continue;
        tp_ws(&tp);
        if (tp.p != tp.end) return tp_fail(&tp, "expected ',' between columns");
    }
    *cols = c;
    *ncols = n;
    return SL_OK;
}

/* ---- widening ---------------------------------------------------------------------------- */

static int num_rank(sl_type_kind_t k)
{
    switch (k) {
    case SL_TYPE_INTEGER:
        return 1;
    case SL_TYPE_BIGINT:
        return 2;
    case SL_TYPE_DECIMAL:
        return 3;
    case SL_TYPE_DOUBLE:
        return 4;
    default:
        return 0;
    }
}

bool sl_type_can_widen(const sl_type_t *from, const sl_type_t *to)
{
    if (from->kind == SL_TYPE_NULL) return true;
    if (num_rank(from->kind) && num_rank(to->kind)) {
        if (to->kind == SL_TYPE_DECIMAL) {
            const sl_type_t *fd = sl_type_as_decimal(from);
            if (!fd) return false; /* DOUBLE does not widen to DECIMAL */
            if (from->kind != SL_TYPE_DECIMAL)
                return true; /* ksqlDB lets integers reach any DECIMAL parameter */
            return fd->scale <= to->scale && fd->precision - fd->scale <= to->precision - to->scale;
        }
        return num_rank(from->kind) <= num_rank(to->kind);
    }
    if (from->kind != to->kind) return false;
    switch (from->kind) {
    case SL_TYPE_ARRAY:
        return sl_type_can_widen(from->elem, to->elem);
    case SL_TYPE_MAP:
        return sl_type_can_widen(from->key, to->key) && sl_type_can_widen(from->elem, to->elem);
    case SL_TYPE_STRUCT:
        if (from->nfields != to->nfields) return false;
        for (uint32_t i = 0; i < from->nfields; i++) {
            int j = sl_type_field_index(to, from->fields[i].name);
            if (j < 0 || !sl_type_can_widen(from->fields[i].type, to->fields[j].type)) return false;
        }
        return true;
    default:
        return true;
    }
}

const sl_type_t *sl_type_widen(sl_arena_t *a, const sl_type_t *x, const sl_type_t *y)
{
    if (x->kind == SL_TYPE_NULL) return y;
    if (y->kind == SL_TYPE_NULL) return x;
    if (num_rank(x->kind) && num_rank(y->kind)) {
        if (x->kind == SL_TYPE_DOUBLE || y->kind == SL_TYPE_DOUBLE) return SL_T_DOUBLE;
        if (x->kind == SL_TYPE_DECIMAL || y->kind == SL_TYPE_DECIMAL) {
            const sl_type_t *dx = sl_type_as_decimal(x), *dy = sl_type_as_decimal(y), *out;
            int scale = dx->scale > dy->scale ? dx->scale : dy->scale;
            int ix = dx->precision - dx->scale, iy = dy->precision - dy->scale;
            int idig = ix > iy ? ix : iy;
            if (sl_type_equal(dx, dy)) return dx;
            if (sl_type_decimal(a, idig + scale, scale, &out) != SL_OK) return NULL;
            return out;
        }
        return num_rank(x->kind) >= num_rank(y->kind) ? x : y;
    }
    if (x->kind != y->kind) return NULL;
    switch (x->kind) {
    case SL_TYPE_ARRAY: {
        const sl_type_t *e = sl_type_widen(a, x->elem, y->elem);
        if (!e) return NULL;
        return sl_type_equal(e, x->elem) ? x : sl_type_array(a, e);
    }
    case SL_TYPE_MAP: {
        const sl_type_t *k = sl_type_widen(a, x->key, y->key);
        const sl_type_t *v = sl_type_widen(a, x->elem, y->elem);
        if (!k || !v) return NULL;
        return sl_type_equal(k, x->key) && sl_type_equal(v, x->elem) ? x : sl_type_map(a, k, v);
    }
    case SL_TYPE_STRUCT: {
        sl_field_t f[256];
        if (x->nfields != y->nfields || x->nfields > 256) return NULL;
        for (uint32_t i = 0; i < x->nfields; i++) {
            int j = sl_type_field_index(y, x->fields[i].name);
            if (j < 0) return NULL;
            f[i].name = x->fields[i].name;
            f[i].type = sl_type_widen(a, x->fields[i].type, y->fields[j].type);
            if (!f[i].type) return NULL;
        }
        return sl_type_struct(a, f, x->nfields);
    }
    default:
        return x;
    }
}
