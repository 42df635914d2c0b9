/*
 * jsonschema_validate.c — validation of a JSON document (jansson) against a parsed JSON
 * Schema, by the validation rules of the schema's draft (4, 6, 7, 2019-09, 2020-12).
 *
 * How the node model of jsonschema.c maps onto the keywords: a typed family node asserts its
 * type and applies its keywords; an untyped one (keywords without "type") applies only to
 * instances of its family; a "type" array is an anyOf of typed nodes; the keywords of one
 * schema object are the parts of a synthetic allOf. Draft differences live in the nodes
 * (node->draft, flags the parser set):
 *   integer          draft 4: no fraction part in the number (jansson: an integer token);
 *                    draft 6+: any number with a zero fraction (1.0 is an integer)
 *   exclusive*       draft 4: booleans beside minimum/maximum; draft 6+: numbers
 *   const, contains, propertyNames: draft 6+; if/then/else: draft 7+
 *   dependentRequired, dependentSchemas, minContains, maxContains, unevaluated*,
 *   "$ref" beside other keywords: 2019-09+; contains annotates items for
 *   unevaluatedItems in 2020-12 only; prefixItems/items: 2020-12, items/additionalItems before
 *   ("dependencies" is honoured in every draft).
 *
 * Exactness: numbers compare exactly between jansson's integers and doubles; multipleOf
 * works on the shortest decimal that reads back as the same double (what the document
 * wrote), with 128-bit integer arithmetic, so 0.0075 is a multiple of 0.0001 and 1e308 of
 * 0.5; equality (enum, const, uniqueItems) is JSON equality, where 1 == 1.0; lengths count
 * code points.
 *
 * unevaluatedProperties/unevaluatedItems: every check takes an optional evaluation set for
 * its instance (one flag per property, in jansson's iteration order, or per item) and marks
 * what it evaluated; combinators pass it through and keep only what passing branches marked
 * (so anyOf then evaluates every branch). A node standing for a schema object with
 * unevaluated* checks them after all its keywords, with what they marked.
 *
 * Messages: the first failure, as "<JSON pointer of the instance>: <what>", "(root)" for the
 * document itself. Branches of anyOf/oneOf/not/if/contains are tried quietly (no text, only
 * how deep the failure was); when an anyOf/oneOf fails as a whole the branch that got deepest
 * is run again loudly for its message.
 *
 * Bounds (hostile schema + hostile record on the broker's loop thread): a work budget (steps
 * charged per node application, element comparison and regular-expression step), a limit on
 * recursion frames, and detection of a $ref that comes back to itself on the same instance;
 * each ends the validation with SL_TOOBIG. The regular expressions are linear-time
 * (jsonschema_regex.c).
 *
 * Invariants: the schema is only read; all state is in one heap context per call.
 * @locality any thread.
 */
#include "serde/jsonschema_int.h"

#include "common/err.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deepest recursion of the validator (schema and instance nesting together). */
#define MAX_FRAMES 2048
/* Invalid (not an error): what vnode returns for a failed check. */
#define V_FAIL 1

/* Which items/properties of one instance were evaluated (unevaluated*). */
typedef struct js_eval_s {
    unsigned char *bits; /* owned; bits[i]: item i / property i (iteration order) */
    size_t n;            /* entries */
} js_eval_t;

typedef struct js_vctx_s {
    /* scalars first: validate() zeroes up to path */
    long budget;       /* steps left */
    unsigned flags;    /* SL_JSONSCHEMA_* options */
    int ints_as_reals; /* the document's integers were read as reals */
    int quiet;         /* > 0: trying branches, failures carry no text */
    int fail_depth;    /* instance depth of the latest failure */
    int fail_weak;     /* the latest failure was a type mismatch (a branch meant for another
                          type: a poor "closest" branch) */
    int frames;        /* recursion depth */
    int has_msg;       /* msg holds the first failure */
    size_t path_len;   /* strlen(path) */
    int depth;         /* segments in path */
    size_t n_ref;      /* entries in ref_node/ref_inst */
    char path[JS_PATH_MAX + 1];            /* JSON pointer of the current instance */
    char msg[1024];                        /* the failure reported */
    char tmp[1024];                        /* scratch for wrapping msg */
    const js_node_t *ref_node[MAX_FRAMES]; /* REF nodes being applied ... */
    const json_t *ref_inst[MAX_FRAMES];    /* ... and the instance each applies to */
} js_vctx_t;

static int vnode(js_vctx_t *c, const js_node_t *n, const json_t *inst, js_eval_t *ev);

/* ---- messages ------------------------------------------------------------------------- */

/* snprintf that may truncate (messages are cut to fit on purpose). */
static void bprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

static void sanitise(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) *s = '?';
}

/* Records a failure at the current instance (weak: a type mismatch); returns V_FAIL. */
static int vfail_w(js_vctx_t *c, int weak, const char *fmt, ...)
{
    c->fail_depth = c->depth;
    c->fail_weak = weak;
    if (c->quiet || c->has_msg) return V_FAIL;
    char what[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    bprintf(c->msg, sizeof c->msg, "%s: %s", c->path_len ? c->path : "(root)", what);
    sanitise(c->msg);
    c->has_msg = 1;
    return V_FAIL;
}

#define vfail(c, ...) vfail_w((c), 0, __VA_ARGS__)

/* Replaces msg by "<path>: <prefix> (<msg>)". */
static void wrap_msg(js_vctx_t *c, const char *prefix)
{
    if (c->quiet || !c->has_msg) return;
    bprintf(c->tmp, sizeof c->tmp, "%s: %s (%s)", c->path_len ? c->path : "(root)", prefix, c->msg);
    memcpy(c->msg, c->tmp, sizeof c->msg);
    sanitise(c->msg);
}

typedef struct js_pathmark_s {
    size_t len; /* path_len before */
    int depth;  /* depth before */
} js_pathmark_t;

/* Appends "/seg" with JSON pointer escaping (~0 ~1). */
static js_pathmark_t push_key(js_vctx_t *c, const char *key, size_t len)
{
    js_pathmark_t m = {c->path_len, c->depth};
    size_t o = c->path_len;
    if (o < JS_PATH_MAX) c->path[o++] = '/';
    for (size_t i = 0; i < len && o < JS_PATH_MAX; i++) {
        char ch = key[i];
        if (ch == '~' || ch == '/') {
            if (o + 2 > JS_PATH_MAX) break;
            c->path[o++] = '~';
            c->path[o++] = ch == '~' ? '0' : '1';
        } else {
            c->path[o++] = ch ? ch : '?';
        }
    }
    c->path[o] = '\0';
    c->path_len = o;
    c->depth++;
    return m;
}

static js_pathmark_t push_index(js_vctx_t *c, size_t i)
{
    char b[24];
    int n = snprintf(b, sizeof b, "%zu", i);
    return push_key(c, b, (size_t)n);
}

static void pop_path(js_vctx_t *c, js_pathmark_t m)
{
    c->path_len = m.len;
    c->depth = m.depth;
    c->path[m.len] = '\0';
}

/* Shortest "%.Ng" that reads back as d. */
static void fmt_double(double d, char *buf, size_t size)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, size, "%.*g", p, d);
        if (strtod(buf, NULL) == d) return;
    }
}

/* A short rendering of a value for messages. */
static const char *show(const json_t *v, char *buf, size_t size)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        fmt_double(json_real_value(v), buf, size);
        break;
    case JSON_STRING: {
        size_t len = json_string_length(v);
        int cut = len > 40;
        snprintf(buf, size, "\"%.*s\"%s", (int)(cut ? 40 : len), json_string_value(v),
                 cut ? "..." : "");
        break;
    }
    case JSON_TRUE:
        snprintf(buf, size, "true");
        break;
    case JSON_FALSE:
        snprintf(buf, size, "false");
        break;
    case JSON_NULL:
        snprintf(buf, size, "null");
        break;
    case JSON_OBJECT:
        snprintf(buf, size, "an object");
        break;
    default:
        snprintf(buf, size, "an array");
        break;
    }
    return buf;
}

/* ---- numbers and equality ------------------------------------------------------------- */

static int is_integral(const js_vctx_t *c, const js_node_t *n, const json_t *v)
{
    if (json_is_integer(v)) return 1;
    if (!json_is_real(v)) return 0;
    /* Draft 4 defines integer by the absence of a fraction part in the text, which jansson
     * keeps as the integer/real distinction; unless integers too large for it were read as
     * reals, where only the value is left to go by. */
    if (n->draft == DRAFT4 && !c->ints_as_reals) return 0;
    double d = json_real_value(v);
    if (d >= 9007199254740992.0 || d <= -9007199254740992.0) return 1; /* no fraction bits */
    return d == (double)(long long)d;
}

/* <0, 0, >0 as a < b, exactly between integers and doubles. */
static int num_cmp(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return (x > y) - (x < y);
    }
    if (json_is_real(a) && json_is_real(b)) {
        double x = json_real_value(a), y = json_real_value(b);
        return (x > y) - (x < y);
    }
    int swap = json_is_real(a);
    json_int_t i = json_integer_value(swap ? b : a);
    double d = json_real_value(swap ? a : b);
    int r; /* sign of i - d */
    if (d >= 9223372036854775808.0)
        r = -1;
    else if (d < -9223372036854775808.0)
        r = 1;
    else {
        long long t = (long long)d; /* truncates toward zero, exact in this range */
        if (i != t)
            r = i < t ? -1 : 1;
        else {
            double frac = d - (double)t; /* exact: |d| < 2^63 and t is its integer part */
            r = frac > 0 ? -1 : frac < 0 ? 1 : 0;
        }
    }
    return swap ? -r : r;
}

/* |v| as m * 10^e with m an integer: the shortest decimal that reads back as the double. */
typedef struct js_dec_s {
    unsigned __int128 m; /* digits */
    int e;               /* power of ten */
} js_dec_t;

static void to_dec(const json_t *v, js_dec_t *out)
{
    out->e = 0;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        out->m = i < 0 ? (unsigned __int128)(-(i + 1)) + 1 : (unsigned __int128)i;
    } else {
        double d = json_real_value(v);
        char buf[64];
        int p;
        for (p = 1; p <= 17; p++) {
            snprintf(buf, sizeof buf, "%.*e", p - 1, d);
            if (strtod(buf, NULL) == d) break;
        }
        unsigned __int128 m = 0;
        const char *s = buf;
        while (*s && *s != 'e') {
            if (*s >= '0' && *s <= '9') m = m * 10 + (unsigned)(*s - '0');
            s++;
        }
        out->m = m;
        out->e = (*s == 'e' ? atoi(s + 1) : 0) - (p > 17 ? 16 : p - 1);
    }
    while (out->m != 0 && out->m % 10 == 0) {
        out->m /= 10;
        out->e++;
    }
}

/* Is v an integer multiple of step (> 0)? Exact on the decimals as written. */
static int is_multiple_of(const json_t *v, const json_t *step)
{
    js_dec_t a, b;
    to_dec(v, &a);
    to_dec(step, &b);
    if (a.m == 0) return 1;
    if (b.m == 0) return 0;
    if (a.e >= b.e) {
        /* a.m * 10^k mod b.m; b.m < 10^19, so every product fits in 128 bits */
        unsigned __int128 r = a.m % b.m, base = 10 % b.m, pw = 1 % b.m;
        long k = (long)a.e - b.e;
        while (k > 0) {
            if (k & 1) pw = pw * base % b.m;
            base = base * base % b.m;
            k >>= 1;
        }
        return r * pw % b.m == 0;
    }
    unsigned __int128 q = b.m;
    for (int k = b.e - a.e; k > 0; k--) {
        q *= 10;
        if (q > a.m) return 0;
    }
    return a.m % q == 0;
}

/* JSON equality (numbers by value: 1 == 1.0). */
static int jeq(js_vctx_t *c, const json_t *a, const json_t *b)
{
    c->budget--;
    if (json_is_number(a) && json_is_number(b)) return num_cmp(a, b) == 0;
    if (json_typeof(a) != json_typeof(b)) return 0;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_ARRAY: {
        size_t n = json_array_size(a);
        if (n != json_array_size(b)) return 0;
        for (size_t i = 0; i < n; i++)
            if (!jeq(c, json_array_get(a, i), json_array_get(b, i))) return 0;
        return 1;
    }
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b)) return 0;
        const char *k;
        size_t kl;
        json_t *v;
        json_object_keylen_foreach((json_t *)a, k, kl, v)
        {
            json_t *w = json_object_getn(b, k, kl);
            if (!w || !jeq(c, v, w)) return 0;
        }
        return 1;
    }
    default:
        return 1; /* true, false, null */
    }
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

/* A hash consistent with jeq (equal values hash equal). */
static uint64_t jhash(js_vctx_t *c, const json_t *v)
{
    c->budget--;
    switch (json_typeof(v)) {
    case JSON_INTEGER:
    case JSON_REAL: {
        double d = json_number_value(v);
        if (d == 0) d = 0; /* -0.0 */
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return mix(bits ^ 1);
    }
    case JSON_STRING:
        return mix(hash_bytes(json_string_value(v), json_string_length(v)) ^ 2);
    case JSON_ARRAY: {
        uint64_t h = 3;
        for (size_t i = 0; i < json_array_size(v); i++)
            h = mix(h * 31 + jhash(c, json_array_get(v, i)));
        return h;
    }
    case JSON_OBJECT: {
        uint64_t h = 4;
        const char *k;
        size_t kl;
        json_t *x;
        json_object_keylen_foreach((json_t *)v, k, kl, x)
        {
            h += mix(hash_bytes(k, kl) ^ jhash(c, x)); /* order-independent */
        }
        return mix(h);
    }
    case JSON_TRUE:
        return 5;
    case JSON_FALSE:
        return 6;
    default:
        return 7;
    }
}

typedef struct js_hidx_s {
    uint64_t h; /* hash of the item */
    size_t i;   /* its index */
} js_hidx_t;

static int hidx_cmp(const void *a, const void *b)
{
    const js_hidx_t *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* uniqueItems: hashes sorted, equal hashes compared. */
static int check_unique(js_vctx_t *c, const json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n < 2) return SL_OK;
    js_hidx_t *v = malloc(n * sizeof *v);
    if (!v) return SL_NOMEM;
    for (size_t i = 0; i < n; i++) {
        v[i].h = jhash(c, json_array_get(arr, i));
        v[i].i = i;
    }
    c->budget -= (long)n;
    qsort(v, n, sizeof *v, hidx_cmp);
    int rc = SL_OK;
    for (size_t s = 0; s < n && rc == SL_OK; s++) {
        for (size_t t = s + 1; t < n && v[t].h == v[s].h; t++) {
            if (c->budget < 0) {
                rc = SL_TOOBIG;
                break;
            }
            if (jeq(c, json_array_get(arr, v[s].i), json_array_get(arr, v[t].i))) {
                size_t a = v[s].i < v[t].i ? v[s].i : v[t].i, b = v[s].i ^ v[t].i ^ a;
                rc = vfail(c, "items %zu and %zu are equal (uniqueItems)", a, b);
                break;
            }
        }
    }
    free(v);
    if (rc == SL_OK && c->budget < 0) rc = SL_TOOBIG;
    return rc;
}

/* ---- formats (asserted only with SL_JSONSCHEMA_ASSERT_FORMAT) -------------------------- */

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static int num2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* RFC 3339 full-date. */
static int is_date(const char *s, size_t n)
{
    if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) || !digits(s + 5, 2) ||
        !digits(s + 8, 2))
        return 0;
    int y = num2(s) * 100 + num2(s + 2), m = num2(s + 5), d = num2(s + 8);
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* RFC 3339 full-time: HH:MM:SS[.frac](Z|+HH:MM|-HH:MM); second 60 only at 23:59 UTC. */
static int is_time(const char *s, size_t n)
{
    if (n < 9 || s[2] != ':' || s[5] != ':' || !digits(s, 2) || !digits(s + 3, 2) ||
        !digits(s + 6, 2))
        return 0;
    int h = num2(s), mi = num2(s + 3), se = num2(s + 6);
    size_t i = 8;
    if (i < n && s[i] == '.') {
        size_t st = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == st) return 0;
    }
    int off = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
               digits(s + i + 1, 2) && digits(s + i + 4, 2)) {
        int oh = num2(s + i + 1), om = num2(s + i + 4);
        if (oh > 23 || om > 59) return 0;
        off = (oh * 60 + om) * (s[i] == '+' ? 1 : -1);
        i += 6;
    } else {
        return 0;
    }
    if (i != n || h > 23 || mi > 59 || se > 60) return 0;
    if (se == 60) {
        int utc = ((h * 60 + mi - off) % 1440 + 1440) % 1440;
        if (utc != 23 * 60 + 59) return 0;
    }
    return 1;
}

static int is_date_time(const char *s, size_t n)
{
    return n > 11 && (s[10] == 'T' || s[10] == 't') && is_date(s, 10) && is_time(s + 11, n - 11);
}

static int is_uuid(const char *s, size_t n)
{
    if (n != 36) return 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return 0;
        } else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                     (s[i] >= 'A' && s[i] <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

/* Dotted quad, no leading zeros. */
static int is_ipv4(const char *s, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= n || s[i] != '.') return 0;
            i++;
        }
        size_t st = i;
        int v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - st < 3)
            v = v * 10 + (s[i++] - '0');
        if (i == st || v > 255 || (i - st > 1 && s[st] == '0')) return 0;
    }
    return i == n;
}

static int is_ipv6(const char *s, size_t n)
{
    char buf[64];
    unsigned char out[16];
    if (n == 0 || n >= sizeof buf || memchr(s, '\0', n)) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return inet_pton(AF_INET6, buf, out) == 1;
}

static int is_hostname(const char *s, size_t n)
{
    if (n == 0 || n > 253) return 0;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '.') {
            if (label == 0 || s[i - 1] == '-') return 0;
            label = 0;
            continue;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-'))
            return 0;
        if (ch == '-' && label == 0) return 0;
        if (++label > 63) return 0;
    }
    return label > 0 && s[n - 1] != '-';
}

/* RFC 5321 mailbox: dot-atom or quoted local part, hostname or address-literal domain. */
static int is_email(const char *s, size_t n)
{
    const char *at = NULL;
    for (size_t i = n; i > 0; i--)
        if (s[i - 1] == '@') {
            at = s + i - 1;
            break;
        }
    if (!at) return 0;
    size_t ln = (size_t)(at - s), dn = n - ln - 1;
    if (ln == 0 || ln > 64 || dn == 0) return 0;
    if (s[0] == '"') {
        if (ln < 2 || s[ln - 1] != '"') return 0;
        for (size_t i = 1; i + 1 < ln; i++) {
            unsigned char ch = (unsigned char)s[i];
            if (ch == '\\') {
                if (++i + 1 >= ln) return 0;
            } else if (ch < 0x20 || ch == '"' || ch > 0x7e) {
                return 0;
            }
        }
    } else {
        static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
        for (size_t i = 0; i < ln; i++) {
            char ch = s[i];
            if (ch == '.') {
                if (i == 0 || i + 1 == ln || s[i + 1] == '.') return 0;
            } else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                         (ch >= '0' && ch <= '9') || (ch && strchr(atext, ch)))) {
                return 0;
            }
        }
    }
    const char *d = at + 1;
    if (d[0] == '[') {
        if (d[dn - 1] != ']' || dn < 3) return 0;
        if (dn > 7 && memcmp(d + 1, "IPv6:", 5) == 0) return is_ipv6(d + 6, dn - 7);
        return is_ipv4(d + 1, dn - 2);
    }
    return is_hostname(d, dn);
}

/* 1 valid or not asserted, 0 invalid. */
static int check_format(const char *fmt, const char *s, size_t n)
{
    if (strcmp(fmt, "date-time") == 0) return is_date_time(s, n);
    if (strcmp(fmt, "date") == 0) return is_date(s, n);
    if (strcmp(fmt, "time") == 0) return is_time(s, n);
    if (strcmp(fmt, "email") == 0) return is_email(s, n);
    if (strcmp(fmt, "uuid") == 0) return is_uuid(s, n);
    if (strcmp(fmt, "ipv4") == 0) return is_ipv4(s, n);
    if (strcmp(fmt, "ipv6") == 0) return is_ipv6(s, n);
    return 1;
}

/* ---- evaluation sets ------------------------------------------------------------------ */

static int ev_init(js_eval_t *ev, size_t n)
{
    ev->n = n;
    ev->bits = calloc(n ? n : 1, 1);
    return ev->bits ? SL_OK : SL_NOMEM;
}

static void ev_merge(js_eval_t *dst, const js_eval_t *src)
{
    if (!dst || !src->bits) return;
    for (size_t i = 0; i < dst->n && i < src->n; i++)
        dst->bits[i] |= src->bits[i];
}

static void ev_mark(js_eval_t *ev, size_t i)
{
    if (ev && i < ev->n) ev->bits[i] = 1;
}

/* ---- families ------------------------------------------------------------------------- */

static const char *type_name(const js_node_t *n)
{
    switch (n->kind) {
    case JS_STRING:
        return "string";
    case JS_NUMBER:
        return n->integer ? "integer" : "number";
    case JS_OBJECT:
        return "object";
    case JS_ARRAY:
        return "array";
    case JS_BOOLEAN:
        return "boolean";
    default:
        return "null";
    }
}

/* Is inst of the type a typed node (or family) names? */
static int type_matches(const js_vctx_t *c, const js_node_t *n, const json_t *inst)
{
    switch (n->kind) {
    case JS_STRING:
        return json_is_string(inst);
    case JS_NUMBER:
        return n->integer ? is_integral(c, n, inst) : json_is_number(inst);
    case JS_OBJECT:
        return json_is_object(inst);
    case JS_ARRAY:
        return json_is_array(inst);
    case JS_BOOLEAN:
        return json_is_boolean(inst);
    case JS_NULL:
        return json_is_null(inst);
    default:
        return 1;
    }
}

static int v_string(js_vctx_t *c, const js_node_t *n, const json_t *inst)
{
    const char *s = json_string_value(inst);
    size_t len = json_string_length(inst);
    char b[96];
    if (n->min_length.has || n->max_length.has) {
        size_t cps = 0;
        for (size_t i = 0; i < len; i++)
            cps += ((unsigned char)s[i] & 0xC0) != 0x80;
        c->budget -= (long)(len / 64);
        if (n->max_length.has && cps > (uint64_t)n->max_length.val)
            return vfail(c, "%s has %zu characters, more than maxLength %lld",
                         show(inst, b, sizeof b), cps, (long long)n->max_length.val);
        if (n->min_length.has && cps < (uint64_t)n->min_length.val)
            return vfail(c, "%s has %zu characters, fewer than minLength %lld",
                         show(inst, b, sizeof b), cps, (long long)n->min_length.val);
    }
    if (n->pattern) {
        if (!SL_ALWAYS(n->pattern_re)) return SL_UNSUPP; /* parse recorded unsupp */
        int m = sl_js_regex_search(n->pattern_re, s, len, &c->budget);
        if (m < 0) return m;
        if (!m)
            return vfail(c, "%s does not match pattern '%s'", show(inst, b, sizeof b), n->pattern);
    }
    if (n->format && (c->flags & SL_JSONSCHEMA_ASSERT_FORMAT) && !check_format(n->format, s, len))
        return vfail(c, "%s is not a valid %s (format)", show(inst, b, sizeof b), n->format);
    return SL_OK;
}

static int v_number(js_vctx_t *c, const js_node_t *n, const json_t *inst)
{
    char a[64], b[64];
    if (n->minimum.has) {
        int r = num_cmp(inst, n->minimum.num);
        if (r < 0 || (r == 0 && n->xmin_flag))
            return vfail(c, "%s is %s minimum %s", show(inst, a, sizeof a),
                         r < 0 ? "below" : "not above exclusive",
                         show(n->minimum.num, b, sizeof b));
    }
    if (n->maximum.has) {
        int r = num_cmp(inst, n->maximum.num);
        if (r > 0 || (r == 0 && n->xmax_flag))
            return vfail(c, "%s is %s maximum %s", show(inst, a, sizeof a),
                         r > 0 ? "above" : "not below exclusive",
                         show(n->maximum.num, b, sizeof b));
    }
    if (n->xminimum.has && num_cmp(inst, n->xminimum.num) <= 0)
        return vfail(c, "%s is not above exclusiveMinimum %s", show(inst, a, sizeof a),
                     show(n->xminimum.num, b, sizeof b));
    if (n->xmaximum.has && num_cmp(inst, n->xmaximum.num) >= 0)
        return vfail(c, "%s is not below exclusiveMaximum %s", show(inst, a, sizeof a),
                     show(n->xmaximum.num, b, sizeof b));
    if (n->multiple_of.has && !is_multiple_of(inst, n->multiple_of.num))
        return vfail(c, "%s is not a multiple of %s", show(inst, a, sizeof a),
                     show(n->multiple_of.num, b, sizeof b));
    return SL_OK;
}

static const js_named_t *find_prop(const js_node_t *n, const char *key, size_t klen)
{
    if (n->n_props == 0 || strlen(key) != klen) return NULL;
    size_t lo = 0, hi = n->n_props;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = strcmp(key, n->props_sorted[mid]->name);
        if (r == 0) return n->props_sorted[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Applies node to a child instance at path segment key (or index). */
static int v_child_key(js_vctx_t *c, const js_node_t *n, const json_t *v, const char *key,
                       size_t klen)
{
    js_pathmark_t m = push_key(c, key, klen);
    int r = vnode(c, n, v, NULL);
    pop_path(c, m);
    return r;
}

static int v_child_index(js_vctx_t *c, const js_node_t *n, const json_t *v, size_t i)
{
    js_pathmark_t m = push_index(c, i);
    int r = vnode(c, n, v, NULL);
    pop_path(c, m);
    return r;
}

static int v_object(js_vctx_t *c, const js_node_t *n, const json_t *inst, js_eval_t *ev)
{
    json_t *o = (json_t *)inst; /* jansson's getters are not const-correct */
    size_t size = json_object_size(o);
    if (n->max_props.has && size > (uint64_t)n->max_props.val)
        return vfail(c, "object has %zu properties, more than maxProperties %lld", size,
                     (long long)n->max_props.val);
    if (n->min_props.has && size < (uint64_t)n->min_props.val)
        return vfail(c, "object has %zu properties, fewer than minProperties %lld", size,
                     (long long)n->min_props.val);
    for (size_t i = 0; i < json_array_size(n->required); i++) {
        const char *name = json_string_value(json_array_get(n->required, i));
        if (!json_object_get(o, name))
            return vfail(c, "required property '%.100s' is missing", name);
    }
    for (size_t i = 0; i < n->n_pdeps; i++) {
        const js_pdep_t *d = &n->pdeps[i];
        if (d->inactive || !json_object_get(o, d->name)) continue;
        for (size_t k = 0; k < json_array_size(d->list); k++) {
            const char *need = json_string_value(json_array_get(d->list, k));
            if (!json_object_get(o, need))
                return vfail(c, "property '%.100s' requires property '%.100s' (dependencies)",
                             d->name, need);
        }
    }
    int r;
    const char *key;
    size_t klen;
    json_t *val;
    size_t idx = 0;
    int names = n->property_names && n->draft >= DRAFT6;
    json_object_keylen_foreach(o, key, klen, val)
    {
        int matched = 0;
        const js_named_t *pr = find_prop(n, key, klen);
        if (pr) {
            matched = 1;
            if ((r = v_child_key(c, pr->node, val, key, klen)) != SL_OK) return r;
        }
        for (size_t i = 0; i < n->n_pattern_props; i++) {
            const js_named_t *pp = &n->pattern_props[i];
            if (!SL_ALWAYS(pp->re)) return SL_UNSUPP;
            int m = sl_js_regex_search(pp->re, key, klen, &c->budget);
            if (m < 0) return m;
            if (!m) continue;
            matched = 1;
            if ((r = v_child_key(c, pp->node, val, key, klen)) != SL_OK) return r;
        }
        if (!matched && n->additional_kw) {
            matched = 1;
            if (n->additional) {
                if ((r = v_child_key(c, n->additional, val, key, klen)) != SL_OK) return r;
            } else if (!n->permits_additional) {
                js_pathmark_t m = push_key(c, key, klen);
                r = vfail(c, "property is not allowed (additionalProperties is false)");
                pop_path(c, m);
                return r;
            }
        }
        if (matched) ev_mark(ev, idx);
        if (names) {
            json_t *kv = json_stringn_nocheck(key, klen);
            if (!kv) return SL_NOMEM;
            c->quiet++;
            r = vnode(c, n->property_names, kv, NULL);
            c->quiet--;
            if (r == V_FAIL && !c->quiet) {
                r = vnode(c, n->property_names, kv, NULL); /* again, for the message */
                char b[96];
                char pre[160];
                snprintf(pre, sizeof pre, "property name %s is not valid under propertyNames",
                         show(kv, b, sizeof b));
                wrap_msg(c, pre);
            }
            json_decref(kv);
            if (r != SL_OK) return r;
        }
        idx++;
    }
    for (size_t i = 0; i < n->n_sdeps; i++) {
        const js_named_t *d = &n->sdeps[i];
        if (d->inactive || !json_object_get(o, d->name)) continue;
        if ((r = vnode(c, d->node, inst, ev)) != SL_OK) return r;
    }
    return SL_OK;
}

static int v_array(js_vctx_t *c, const js_node_t *n, const json_t *inst, js_eval_t *ev)
{
    json_t *a = (json_t *)inst;
    size_t size = json_array_size(a);
    int r;
    if (n->max_items.has && size > (uint64_t)n->max_items.val)
        return vfail(c, "array has %zu items, more than maxItems %lld", size,
                     (long long)n->max_items.val);
    if (n->min_items.has && size < (uint64_t)n->min_items.val)
        return vfail(c, "array has %zu items, fewer than minItems %lld", size,
                     (long long)n->min_items.val);
    if (n->tuple) {
        size_t k = size < n->n_items ? size : n->n_items;
        for (size_t i = 0; i < k; i++) {
            if ((r = v_child_index(c, n->item_list[i], json_array_get(a, i), i)) != SL_OK) return r;
            ev_mark(ev, i);
        }
        if (n->additional_items_kw) {
            for (size_t i = k; i < size; i++) {
                if (n->additional_items) {
                    r = v_child_index(c, n->additional_items, json_array_get(a, i), i);
                } else if (!n->permits_additional_items) {
                    js_pathmark_t m = push_index(c, i);
                    r = vfail(c, "item is not allowed (%s is false)",
                              n->draft >= DRAFT2020 ? "items after prefixItems"
                                                    : "additionalItems");
                    pop_path(c, m);
                } else {
                    r = SL_OK;
                }
                if (r != SL_OK) return r;
                ev_mark(ev, i);
            }
        }
    } else if (n->all_items) {
        for (size_t i = 0; i < size; i++) {
            if ((r = v_child_index(c, n->all_items, json_array_get(a, i), i)) != SL_OK) return r;
            ev_mark(ev, i);
        }
    }
    if (n->contains && n->draft >= DRAFT6) {
        int modern = n->draft >= DRAFT2019;
        int64_t minc = modern && n->min_contains.has ? n->min_contains.val : 1;
        int64_t maxc = modern && n->max_contains.has ? n->max_contains.val : -1;
        int annotate = ev && n->draft >= DRAFT2020;
        int64_t count = 0;
        c->quiet++;
        for (size_t i = 0; i < size; i++) {
            r = v_child_index(c, n->contains, json_array_get(a, i), i);
            if (r < 0) {
                c->quiet--;
                return r;
            }
            if (r != SL_OK) continue;
            count++;
            if (annotate) ev_mark(ev, i);
            if (!annotate && maxc < 0 && count >= minc) break;
        }
        c->quiet--;
        if (count < minc)
            return minc == 1 ? vfail(c, "no item matches contains")
                             : vfail(c, "%lld items match contains, fewer than minContains %lld",
                                     (long long)count, (long long)minc);
        if (maxc >= 0 && count > maxc)
            return vfail(c, "%lld items match contains, more than maxContains %lld",
                         (long long)count, (long long)maxc);
    }
    if (n->unique_items) return check_unique(c, a);
    return SL_OK;
}

/* ---- combinators ---------------------------------------------------------------------- */

/* anyOf / oneOf / a "type" list. */
static int v_some(js_vctx_t *c, const js_node_t *n, const json_t *inst, js_eval_t *ev)
{
    size_t matches = 0, first = 0, second = 0, best = 0;
    int best_depth = -1, best_score = -1, best_weak = 1;
    int r = SL_OK;
    c->quiet++;
    for (size_t i = 0; i < n->n_subs; i++) {
        js_eval_t sub = {0};
        if (ev && (r = ev_init(&sub, ev->n)) != SL_OK) break;
        r = vnode(c, n->subs[i], inst, ev ? &sub : NULL);
        if (r == SL_OK) {
            ev_merge(ev, &sub);
            if (matches == 0)
                first = i;
            else if (matches == 1)
                second = i;
            matches++;
        } else if (r == V_FAIL && c->fail_depth * 2 + !c->fail_weak > best_score) {
            /* closest: failed deepest, and over a value of the type it expects */
            best_score = c->fail_depth * 2 + !c->fail_weak;
            best_depth = c->fail_depth;
            best_weak = c->fail_weak;
            best = i;
        }
        free(sub.bits);
        if (r < 0) break;
        r = SL_OK;
        /* anyOf is decided by one match, unless evaluation sets need every branch */
        if (matches && n->crit == CRIT_ANY && !ev) break;
        if (matches > 1 && n->crit == CRIT_ONE) break;
    }
    c->quiet--;
    if (r < 0) return r;
    if (n->crit == CRIT_ONE && matches > 1)
        return vfail(c, "matches oneOf branches %zu and %zu; exactly one must match", first,
                     second);
    if (matches) return SL_OK;
    if (c->quiet) {
        /* keep the depth the closest branch reached, for an enclosing choice */
        c->fail_depth = best_depth > c->depth ? best_depth : c->depth;
        c->fail_weak = best_weak;
        return V_FAIL;
    }
    if (n->type_list) {
        /* Report the branch of the instance's type, or the type mismatch. */
        size_t k, typed = 0;
        for (k = 0; k < n->n_subs; k++)
            if (type_matches(c, n->subs[k], inst)) {
                typed = k + 1;
                break;
            }
        if (typed) {
            r = vnode(c, n->subs[typed - 1], inst, NULL);
            return r == SL_OK ? vfail(c, "does not match its type") : r;
        }
        char names[200] = "", b[96];
        size_t used = 0;
        for (k = 0; k < n->n_subs && used < sizeof names; k++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", k ? " or " : "",
                                     type_name(n->subs[k]));
        return vfail_w(c, 1, "%s is not of type %s", show(inst, b, sizeof b), names);
    }
    r = vnode(c, n->subs[best], inst, NULL);
    if (r != V_FAIL) return r == SL_OK ? vfail(c, "no branch matches") : r;
    char pre[80];
    snprintf(pre, sizeof pre, "matches no %s branch; closest is %zu",
             n->crit == CRIT_ANY ? "anyOf" : "oneOf", best);
    wrap_msg(c, pre);
    return V_FAIL;
}

static int v_combined(js_vctx_t *c, const js_node_t *n, const json_t *inst, js_eval_t *ev)
{
    if (n->crit != CRIT_ALL) return v_some(c, n, inst, ev);
    for (size_t i = 0; i < n->n_subs; i++) {
        int r = vnode(c, n->subs[i], inst, ev);
        if (r != SL_OK) return r;
    }
    return SL_OK;
}

static int v_cond(js_vctx_t *c, const js_node_t *n, const json_t *inst, js_eval_t *ev)
{
    js_eval_t sub = {0};
    int r;
    if (ev && (r = ev_init(&sub, ev->n)) != SL_OK) return r;
    c->quiet++;
    r = vnode(c, n->if_, inst, ev ? &sub : NULL);
    c->quiet--;
    if (r == SL_OK) ev_merge(ev, &sub);
    free(sub.bits);
    if (r < 0) return r;
    const js_node_t *branch = r == SL_OK ? n->then_ : n->else_;
    if (!branch) return SL_OK;
    r = vnode(c, branch, inst, ev);
    if (r == V_FAIL)
        wrap_msg(c, branch == n->then_ ? "\"then\" fails after \"if\" matched"
                                       : "\"else\" fails after \"if\" did not match");
    return r;
}

static int v_ref(js_vctx_t *c, const js_node_t *n, const json_t *inst, js_eval_t *ev)
{
    for (size_t i = c->n_ref; i > 0 && c->ref_inst[i - 1] == inst; i--)
        if (c->ref_node[i - 1] == n) {
            if (!c->has_msg) {
                snprintf(c->msg, sizeof c->msg,
                         "%s: the schema's $ref '%s' comes back to itself without consuming "
                         "the document",
                         c->path_len ? c->path : "(root)",
                         json_string_value(json_object_get(n->src, "$ref")));
                sanitise(c->msg);
                c->has_msg = 1;
            }
            return SL_TOOBIG;
        }
    if (c->n_ref == MAX_FRAMES) return SL_TOOBIG;
    c->ref_node[c->n_ref] = n;
    c->ref_inst[c->n_ref++] = inst;
    int r = vnode(c, n->inner, inst, ev);
    if (r == SL_OK && n->siblings) r = vnode(c, n->siblings, inst, ev);
    c->n_ref--;
    return r;
}

/* unevaluatedProperties/unevaluatedItems of a schema object, after all its keywords. */
static int v_uneval(js_vctx_t *c, const js_node_t *n, const json_t *inst, js_eval_t *ev)
{
    int r;
    if (json_is_object(inst) && n->obj_uneval_props) {
        const js_node_t *u = n->obj_uneval_props;
        int never = sl_js_deref(u)->kind == JS_FALSE;
        const char *key;
        size_t klen;
        json_t *val;
        size_t idx = 0;
        json_object_keylen_foreach((json_t *)inst, key, klen, val)
        {
            if (!ev->bits[idx]) {
                if (never) {
                    js_pathmark_t m = push_key(c, key, klen);
                    r = vfail(c, "property is not allowed (unevaluatedProperties is false)");
                    pop_path(c, m);
                    return r;
                }
                if ((r = v_child_key(c, u, val, key, klen)) != SL_OK) return r;
                ev->bits[idx] = 1;
            }
            idx++;
        }
    }
    if (json_is_array(inst) && n->obj_uneval_items) {
        const js_node_t *u = n->obj_uneval_items;
        int never = sl_js_deref(u)->kind == JS_FALSE;
        for (size_t i = 0; i < json_array_size(inst); i++) {
            if (ev->bits[i]) continue;
            if (never) {
                js_pathmark_t m = push_index(c, i);
                r = vfail(c, "item is not allowed (unevaluatedItems is false)");
                pop_path(c, m);
                return r;
            }
            if ((r = v_child_index(c, u, json_array_get(inst, i), i)) != SL_OK) return r;
            ev->bits[i] = 1;
        }
    }
    return SL_OK;
}

static int v_kind(js_vctx_t *c, const js_node_t *n, const json_t *inst, js_eval_t *ev)
{
    char b[96];
    switch (n->kind) {
    case JS_EMPTY:
    case JS_TRUE:
        return SL_OK;
    case JS_FALSE:
        return vfail(c, "%s is not allowed (the schema is false)", show(inst, b, sizeof b));
    case JS_BOOLEAN:
    case JS_NULL:
        if (type_matches(c, n, inst)) return SL_OK;
        return vfail_w(c, 1, "%s is not of type %s", show(inst, b, sizeof b), type_name(n));
    case JS_STRING:
    case JS_NUMBER:
    case JS_OBJECT:
    case JS_ARRAY: {
        int family = n->kind == JS_STRING   ? json_is_string(inst)
                     : n->kind == JS_NUMBER ? json_is_number(inst)
                     : n->kind == JS_OBJECT ? json_is_object(inst)
                                            : json_is_array(inst);
        if (n->typed && !type_matches(c, n, inst))
            return vfail_w(c, 1, "%s is not of type %s", show(inst, b, sizeof b), type_name(n));
        if (!family) return SL_OK; /* keywords of another type's family do not apply */
        switch (n->kind) {
        case JS_STRING:
            return v_string(c, n, inst);
        case JS_NUMBER:
            return v_number(c, n, inst);
        case JS_OBJECT:
            return v_object(c, n, inst, ev);
        default:
            return v_array(c, n, inst, ev);
        }
    }
    case JS_ENUM:
        for (size_t i = 0; i < json_array_size(n->values); i++)
            if (jeq(c, inst, json_array_get(n->values, i))) return SL_OK;
        return vfail(c, "%s is not one of the enum values", show(inst, b, sizeof b));
    case JS_CONST:
        if (jeq(c, inst, n->values)) return SL_OK;
        return vfail(c, "%s is not the const value", show(inst, b, sizeof b));
    case JS_COMBINED:
        return v_combined(c, n, inst, ev);
    case JS_NOT: {
        c->quiet++;
        int r = vnode(c, n->inner, inst, NULL);
        c->quiet--;
        if (r < 0) return r;
        return r == SL_OK
                   ? vfail(c, "%s must not match the \"not\" schema", show(inst, b, sizeof b))
                   : SL_OK;
    }
    case JS_REF:
        return v_ref(c, n, inst, ev);
    case JS_COND:
        return n->if_ ? v_cond(c, n, inst, ev) : SL_OK;
    }
    return SL_OK;
}

/* Applies node n to inst: SL_OK valid, V_FAIL invalid, < 0 an error that ends validation.
 * ev (may be NULL) collects what n evaluated of inst (for an enclosing unevaluated*). */
static int vnode(js_vctx_t *c, const js_node_t *n, const json_t *inst, js_eval_t *ev)
{
    if (--c->budget < 0) return SL_TOOBIG;
    if (c->frames >= MAX_FRAMES) return SL_TOOBIG;
    c->frames++;
    int own = (n->obj_uneval_props && json_is_object(inst)) ||
              (n->obj_uneval_items && json_is_array(inst));
    js_eval_t local = {0};
    int r = SL_OK;
    if (own)
        r = ev_init(&local, json_is_object(inst) ? json_object_size(inst) : json_array_size(inst));
    if (r == SL_OK) r = v_kind(c, n, inst, own ? &local : ev);
    if (r == SL_OK && own) {
        r = v_uneval(c, n, inst, &local);
        if (r == SL_OK) ev_merge(ev, &local);
    }
    free(local.bits);
    c->frames--;
    return r;
}

/* ---- entry points --------------------------------------------------------------------- */

/* The work allowance for doc (see SL_JSONSCHEMA_WORK_*); -1 when doc nests deeper than
 * SL_JSONSCHEMA_MAX_DOC_DEPTH. */
static long allowance(const json_t *v, int depth)
{
    if (depth > SL_JSONSCHEMA_MAX_DOC_DEPTH) return -1;
    long n = SL_JSONSCHEMA_WORK_PER_VALUE;
    if (json_is_string(v)) {
        n += SL_JSONSCHEMA_WORK_PER_BYTE * (long)json_string_length(v);
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            long k = allowance(json_array_get(v, i), depth + 1);
            if (k < 0) return -1;
            n += k;
        }
    } else if (json_is_object(v)) {
        const char *key;
        size_t klen;
        json_t *x;
        json_object_keylen_foreach((json_t *)v, key, klen, x)
        {
            long k = allowance(x, depth + 1);
            if (k < 0) return -1;
            n += k + SL_JSONSCHEMA_WORK_PER_BYTE * (long)klen;
        }
    }
    return n;
}

static int copy_err(char *err, size_t err_size, const char *msg)
{
    if (err && err_size) {
        snprintf(err, err_size, "%s", msg);
        sanitise(err);
    }
    return 0;
}

static int validate(const sl_jsonschema_t *s, const json_t *doc, unsigned flags, int ints_as_reals,
                    char *err, size_t err_size)
{
    if (err && err_size) err[0] = '\0';
    if (s->unsupp) {
        copy_err(err, err_size, s->unsupp);
        return SL_UNSUPP;
    }
    long work = allowance(doc, 1);
    if (work < 0) {
        char m[96];
        snprintf(m, sizeof m, "document nested deeper than %d", SL_JSONSCHEMA_MAX_DOC_DEPTH);
        copy_err(err, err_size, m);
        return SL_TOOBIG;
    }
    /* Only the scalar head is zeroed: the buffers and stacks after it are written before
     * they are read, and zeroing 40 KB per record would cost more than validating it. */
    js_vctx_t *c = malloc(sizeof *c);
    if (!c) return SL_NOMEM;
    memset(c, 0, offsetof(js_vctx_t, path));
    c->path[0] = '\0';
    c->flags = flags;
    c->ints_as_reals = ints_as_reals;
    c->budget = SL_JSONSCHEMA_WORK_BASE + work;
    int r = vnode(c, s->top, doc, NULL);
    int rc;
    if (r == SL_OK) {
        rc = SL_OK;
    } else if (r == V_FAIL) {
        rc = SL_INVAL;
        copy_err(err, err_size, c->has_msg ? c->msg : "not valid");
    } else {
        rc = r;
        if (r == SL_TOOBIG && !c->has_msg)
            copy_err(err, err_size,
                     c->budget < 0 ? "validation needs more work than allowed"
                                   : "validation nests deeper than allowed");
        else if (r == SL_TOOBIG)
            copy_err(err, err_size, c->msg);
        else
            copy_err(err, err_size, sl_err_msg(r));
    }
    free(c);
    return rc;
}

int sl_jsonschema_validate_ex(const sl_jsonschema_t *schema, const json_t *doc, unsigned flags,
                              char *err, size_t err_size)
{
    return validate(schema, doc, flags, 0, err, err_size);
}

int sl_jsonschema_validate(const sl_jsonschema_t *schema, const json_t *doc, char *err,
                           size_t err_size)
{
    return validate(schema, doc, 0, 0, err, err_size);
}

/* Nesting depth of JSON text, without parsing it (jansson recurses per level). */
static int text_too_deep(const char *s, size_t len)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = 0;
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '[' || ch == '{') {
            if (++depth > SL_JSONSCHEMA_MAX_DOC_DEPTH) return 1;
        } else if (ch == ']' || ch == '}') {
            depth--;
        }
    }
    return 0;
}

int sl_jsonschema_validate_text_ex(const sl_jsonschema_t *schema, const char *json, size_t len,
                                   unsigned flags, char *err, size_t err_size)
{
    if (err && err_size) err[0] = '\0';
    if (schema->unsupp) {
        copy_err(err, err_size, schema->unsupp);
        return SL_UNSUPP;
    }
    if (text_too_deep(json, len)) {
        char m[96];
        snprintf(m, sizeof m, "document nested deeper than %d", SL_JSONSCHEMA_MAX_DOC_DEPTH);
        copy_err(err, err_size, m);
        return SL_TOOBIG;
    }
    size_t dflags = JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL;
    json_error_t je;
    int as_reals = 0;
    json_t *doc = json_loadb(json, len, dflags, &je);
    if (!doc && strstr(je.text, "too big integer")) {
        /* Integers beyond 64 bits: valid JSON; read every integer as a double instead. */
        as_reals = 1;
        doc = json_loadb(json, len, dflags | JSON_DECODE_INT_AS_REAL, &je);
    }
    if (!doc) {
        char m[300];
        snprintf(m, sizeof m, "not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
        copy_err(err, err_size, m);
        return SL_INVAL;
    }
    int rc = validate(schema, doc, flags, as_reals, err, err_size);
    json_decref(doc);
    return rc;
}

int sl_jsonschema_validate_text(const sl_jsonschema_t *schema, const char *json, size_t len,
                                char *err, size_t err_size)
{
    return sl_jsonschema_validate_text_ex(schema, json, len, 0, err, err_size);
}

int sl_jsonschema_can_validate(const sl_jsonschema_t *schema, char *err, size_t err_size)
{
    if (err && err_size) err[0] = '\0';
    if (!schema->unsupp) return SL_OK;
    copy_err(err, err_size, schema->unsupp);
    return SL_UNSUPP;
}
