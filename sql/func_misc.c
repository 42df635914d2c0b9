/*
 * func_misc.c — ksqlDB's NULL-handling functions (COALESCE, IFNULL, NULLIF), AS_VALUE, and the
 * URL functions.
 *
 * URLs are split the way java.net.URI does (RFC 3986): scheme ":" ["//" [userinfo "@"] host
 * [":" port]] path ["?" query] ["#" fragment]. Like URI's getPath/getQuery/getFragment, path,
 * query and fragment come back percent-decoded; URL_EXTRACT_PARAMETER works on the raw query
 * (ksqlDB's UrlExtractParameter does), so its values stay encoded. Text that is not a valid
 * URI (spaces, control characters, a bad port) gives NULL.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "sql/expr.h"
#include "sql/func.h"

/* ---- NULL handling ----------------------------------------------------------------------- */

static int fn_coalesce(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                       sl_value_t *out)
{
    *out = sl_v_null();
    for (uint32_t i = 0; i < call->nargs; i++) {
        if (!sl_v_is_null(&args[i])) {
            *out = args[i];
            break;
        }
    }
    return SL_OK;
}

static int fn_nullif(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                     sl_value_t *out)
{
    if (!sl_v_is_null(&args[0]) && !sl_v_is_null(&args[1]) &&
        sl_value_eq(&args[0], &args[1], call->argt[0]))
        *out = sl_v_null();
    else
        *out = args[0];
    return SL_OK;
}

static int fn_identity(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                       sl_value_t *out)
{
    *out = args[0];
    return SL_OK;
}

/* ---- URLs -------------------------------------------------------------------------------- */

/* The parts of a URL, pointing into the text (NULL when absent), with their lengths. */
typedef struct url_s {
    const char *scheme; /* "http" */
    const char *host;   /* "confluent.io" */
    const char *port;   /* "8080" */
    const char *path;   /* "/nested/path" (never NULL after parsing) */
    const char *query;  /* "q=2", without the '?' */
    const char *frag;   /* "frag", without the '#' */
    size_t scheme_n;    /* lengths of the parts above */
    size_t host_n;
    size_t port_n;
    size_t path_n;
    size_t query_n;
    size_t frag_n;
} url_t;

static bool url_char_ok(unsigned char c)
{
    /* characters java.net.URI rejects outright */
    return c > ' ' && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^' && c != '`' &&
           c != '{' && c != '|' && c != '}' && c != 0x7f;
}

static bool url_parse(const char *s, size_t n, url_t *u)
{
    const char *p = s, *end = s + n, *q;
    memset(u, 0, sizeof(*u));
    for (size_t i = 0; i < n; i++) {
        if (!url_char_ok((unsigned char)s[i]) && (unsigned char)s[i] < 0x80) return false;
        if (s[i] == '%' && (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
                            !isxdigit((unsigned char)s[i + 2])))
            return false;
    }
    /* scheme */
    for (q = p; q < end && (isalnum((unsigned char)*q) || *q == '+' || *q == '-' || *q == '.'); q++)
        ;
    if (q < end && *q == ':' && q > p && isalpha((unsigned char)*p)) {
        u->scheme = p;
        u->scheme_n = (size_t)(q - p);
        p = q + 1;
    }
    /* fragment and query split off first */
    q = memchr(p, '#', (size_t)(end - p));
    if (q) {
        u->frag = q + 1;
        u->frag_n = (size_t)(end - q - 1);
        end = q;
    }
    q = memchr(p, '?', (size_t)(end - p));
    if (q) {
        u->query = q + 1;
        u->query_n = (size_t)(end - q - 1);
        end = q;
    }
    if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
        const char *a = p + 2, *ae = a, *at, *colon;
        while (ae < end && *ae != '/')
            ae++;
        at = NULL;
        for (const char *c = a; c < ae; c++) {
            if (*c == '@') at = c;
        }
        if (at) a = at + 1;
        colon = NULL;
        for (const char *c = a; c < ae; c++) {
            if (*c == ':') colon = c;
            if (*c == ']') colon = NULL; /* IPv6 literal */
        }
        u->host = a;
        u->host_n = (size_t)((colon ? colon : ae) - a);
        if (colon) {
            u->port = colon + 1;
            u->port_n = (size_t)(ae - colon - 1);
            for (size_t i = 0; i < u->port_n; i++) {
                if (!isdigit((unsigned char)u->port[i])) return false;
            }
        }
        p = ae;
    }
    u->path = p;
    u->path_n = (size_t)(end - p);
    return true;
}

static int hexval(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* Percent-decodes; plus_space: '+' is a space (form encoding). */
static int pct_decode(sl_eval_t *ctx, const char *s, size_t n, bool plus_space, sl_value_t *out)
{
    char *o = sl_arena_alloc(ctx->arena, n ? n : 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n)
                return sl_eval_fail(ctx, SL_INVAL, "URLDecoder: Incomplete trailing escape (%%)");
            if (!isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2]))
                return sl_eval_fail(ctx, SL_INVAL,
                                    "URLDecoder: Illegal hex characters in escape (%%) pattern");
            o[k++] = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
            i += 2;
        } else if (plus_space && s[i] == '+') {
            o[k++] = ' ';
        } else {
            o[k++] = s[i];
        }
    }
    *out = sl_v_str(o, k);
    return SL_OK;
}

static int fn_url_encode_param(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                               sl_value_t *out)
{
    static const char hex[] = "0123456789ABCDEF";
    const sl_value_t *in = &args[0];
    char *o = sl_arena_alloc(ctx->arena, (size_t)in->len * 3 + 1);
    size_t k = 0;
    for (size_t i = 0; i < in->len; i++) {
        unsigned char c = (unsigned char)in->u.str[i];
        if (isalnum(c) || c == '.' || c == '-' || c == '*' || c == '_') {
            o[k++] = (char)c;
        } else if (c == ' ') {
            o[k++] = '+';
        } else {
            o[k++] = '%';
            o[k++] = hex[c >> 4];
            o[k++] = hex[c & 15];
        }
    }
    *out = sl_v_str(o, k);
    return SL_OK;
}

static int fn_url_decode_param(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                               sl_value_t *out)
{
    return pct_decode(ctx, args[0].u.str, args[0].len, true, out);
}

typedef enum { U_FRAGMENT, U_HOST, U_PATH, U_PORT, U_PROTOCOL, U_QUERY } upart_t;

static int url_part(sl_eval_t *ctx, const sl_value_t *in, upart_t part, sl_value_t *out)
{
    url_t u;
    *out = sl_v_null();
    if (!url_parse(in->u.str, in->len, &u)) return SL_OK;
    switch (part) {
    case U_FRAGMENT:
        return u.frag ? pct_decode(ctx, u.frag, u.frag_n, false, out) : SL_OK;
    case U_HOST:
        if (u.host && u.host_n) *out = sl_v_str(u.host, u.host_n);
        return SL_OK;
    case U_PATH:
        return pct_decode(ctx, u.path, u.path_n, false, out);
    case U_PORT: {
        int32_t port;
        if (u.port && u.port_n && sl_value_parse_i32(u.port, u.port_n, &port) == SL_OK)
            *out = sl_v_int(port);
        return SL_OK;
    }
    case U_PROTOCOL:
        if (u.scheme) *out = sl_v_str(u.scheme, u.scheme_n);
        return SL_OK;
    case U_QUERY:
        return u.query ? pct_decode(ctx, u.query, u.query_n, false, out) : SL_OK;
    }
    return SL_OK;
}

#define URLFN(fname, part)                                                                         \
    static int fname(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,               \
                     sl_value_t *out)                                                              \
    {                                                                                              \
        return url_part(ctx, &args[0], part, out);                                                 \
    }

URLFN(fn_url_fragment, U_FRAGMENT)
URLFN(fn_url_host, U_HOST)
URLFN(fn_url_path, U_PATH)
URLFN(fn_url_port, U_PORT)
URLFN(fn_url_protocol, U_PROTOCOL)
URLFN(fn_url_query, U_QUERY)

/* URL_EXTRACT_PARAMETER(url, name): the raw value of the first `name=value` pair of the query
 * ("" for a bare `name`), NULL when absent. */
static int fn_url_parameter(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                            sl_value_t *out)
{
    url_t u;
    const char *p, *end;
    const sl_value_t *name = &args[1];
    *out = sl_v_null();
    if (!url_parse(args[0].u.str, args[0].len, &u) || !u.query) return SL_OK;
    p = u.query;
    end = u.query + u.query_n;
    while (p <= end) {
        const char *amp = memchr(p, '&', (size_t)(end - p)), *e = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(e - p));
        const char *ke = eq ? eq : e;
        if ((size_t)(ke - p) == name->len && memcmp(p, name->u.str, name->len) == 0) {
            *out = eq ? sl_v_str(eq + 1, (size_t)(e - eq - 1)) : sl_v_str("", 0);
            return SL_OK;
        }
        if (!amp) break;
        p = amp + 1;
    }
    return SL_OK;
}

/* ---- the table --------------------------------------------------------------------------- */

#define U "URL"
#define N SL_FN_NULLS

const sl_fdef_t sl_func_misc_defs[] = {
    {"COALESCE", "T first, T... others", "T", fn_coalesce, NULL, NULL, 0, "NULLS",
     "The first non-NULL argument."},
    {"IFNULL", "T expression, T altValue", "T", fn_coalesce, NULL, NULL, 0, "NULLS",
     "The expression, or altValue when the expression is NULL."},
    {"NULLIF", "T expression1, T expression2", "T", fn_nullif, NULL, NULL, 0, "NULLS",
     "NULL when both arguments are equal, else the first."},
    {"AS_VALUE", "T source", "T", fn_identity, NULL, NULL, 0, "OTHER",
     "Copies a (key) column into the value."},
    {"URL_ENCODE_PARAM", "STRING input", "STRING", fn_url_encode_param, NULL, NULL, N, U,
     "Encodes text for a URL query parameter (application/x-www-form-urlencoded)."},
    {"URL_DECODE_PARAM", "STRING input", "STRING", fn_url_decode_param, NULL, NULL, N, U,
     "Decodes a URL query parameter."},
    {"URL_EXTRACT_FRAGMENT", "STRING input", "STRING", fn_url_fragment, NULL, NULL, N, U,
     "The fragment of a URL."},
    {"URL_EXTRACT_HOST", "STRING input", "STRING", fn_url_host, NULL, NULL, N, U,
     "The host of a URL."},
    {"URL_EXTRACT_PARAMETER", "STRING input, STRING paramToFind", "STRING", fn_url_parameter, NULL,
     NULL, N, U, "The (encoded) value of a query parameter of a URL."},
    {"URL_EXTRACT_PATH", "STRING input", "STRING", fn_url_path, NULL, NULL, N, U,
     "The path of a URL."},
    {"URL_EXTRACT_PORT", "STRING input", "INTEGER", fn_url_port, NULL, NULL, N, U,
     "The port of a URL, NULL when it has none."},
    {"URL_EXTRACT_PROTOCOL", "STRING input", "STRING", fn_url_protocol, NULL, NULL, N, U,
     "The protocol (scheme) of a URL."},
    {"URL_EXTRACT_QUERY", "STRING input", "STRING", fn_url_query, NULL, NULL, N, U,
     "The query of a URL."},
    {.name = NULL},
};
