/* props.c — a java.util.Properties-style reader, enough for Kafka's server.properties files. */
#include "common/props.h"
#include "common/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sl_props_init(sl_props_t *p)
{
    p->v = NULL;
    p->n = p->cap = 0;
}

void sl_props_free(sl_props_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].key);
        free(p->v[i].value);
    }
    free(p->v);
    sl_props_init(p);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

void sl_props_set(sl_props_t *p, const char *key, const char *value)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->v[i].key, key) == 0) {
            free(p->v[i].value);
            p->v[i].value = xstrdup(value);
            return;
        }
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = realloc(p->v, p->cap * sizeof *p->v);
        if (!p->v) abort();
    }
    p->v[p->n].key = xstrdup(key);
    p->v[p->n].value = xstrdup(value);
    p->n++;
}

int sl_props_unset(sl_props_t *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->v[i].key, key) == 0) {
            free(p->v[i].key);
            free(p->v[i].value);
            memmove(&p->v[i], &p->v[i + 1], (p->n - i - 1) * sizeof *p->v);
            p->n--;
            return SL_OK;
        }
    }
    return SL_NOENT;
}

const char *sl_props_get(const sl_props_t *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].key, key) == 0) return p->v[i].value;
    return NULL;
}

/* Appends one logical character of a key or value, decoding backslash escapes. */
static const char *unescape(const char *s, const char *end, char *out, size_t *olen)
{
    if (*s != '\\' || s + 1 >= end) {
        out[(*olen)++] = *s;
        return s + 1;
    }
    s++;
    switch (*s) {
    case 't':
        out[(*olen)++] = '\t';
        break;
    case 'n':
        out[(*olen)++] = '\n';
        break;
    case 'r':
        out[(*olen)++] = '\r';
        break;
    case 'f':
        out[(*olen)++] = '\f';
        break;
    default:
        out[(*olen)++] = *s;
        break;
    }
    return s + 1;
}

int sl_props_parse(sl_props_t *p, const char *text, size_t len, int *errline)
{
    const char *s = text, *end = text + len;
    int line = 0;
    char *logical = malloc(len + 1);
    if (!logical) abort();
    while (s < end) {
        /* Gather one logical line, joining backslash continuations. */
        size_t ll = 0;
        line++;
        int cont;
        do {
            cont = 0;
            const char *e = memchr(s, '\n', (size_t)(end - s));
            if (!e) e = end;
            const char *le = e;
            if (le > s && le[-1] == '\r') le--;
            size_t bs = 0;
            for (const char *q = le; q > s && q[-1] == '\\'; q--)
                bs++;
            if (bs % 2 == 1) {
                cont = 1;
                le--;
            }
            memcpy(logical + ll, s, (size_t)(le - s));
            ll += (size_t)(le - s);
            s = e < end ? e + 1 : end;
            if (cont) {
                line++;
                while (s < end && (*s == ' ' || *s == '\t' || *s == '\f'))
                    s++;
            }
        } while (cont && s < end);
        logical[ll] = 0;
        const char *q = logical, *qe = logical + ll;
        while (q < qe && isspace((unsigned char)*q))
            q++;
        if (q == qe || *q == '#' || *q == '!') continue;
        char *key = malloc(ll + 1), *val = malloc(ll + 1);
        if (!key || !val) abort();
        size_t kl = 0, vl = 0;
        while (q < qe && *q != '=' && *q != ':' && !isspace((unsigned char)*q))
            q = unescape(q, qe, key, &kl);
        key[kl] = 0;
        while (q < qe && isspace((unsigned char)*q))
            q++;
        if (q < qe && (*q == '=' || *q == ':')) q++;
        while (q < qe && isspace((unsigned char)*q))
            q++;
        while (q < qe)
            q = unescape(q, qe, val, &vl);
        while (vl > 0 && isspace((unsigned char)val[vl - 1]))
            vl--;
        val[vl] = 0;
        if (kl == 0) {
            free(key);
            free(val);
            free(logical);
            if (errline) *errline = line;
            return SL_INVAL;
        }
        sl_props_set(p, key, val);
        free(key);
        free(val);
    }
    free(logical);
    return SL_OK;
}

int sl_props_load(sl_props_t *p, const char *path, int *errline)
{
    FILE *f = fopen(path, "rb");
    if (!f) return SL_IO;
    char *data = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n > cap) {
            cap = (len + n) * 2;
            data = realloc(data, cap);
            if (!data) abort();
        }
        memcpy(data + len, chunk, n);
        len += n;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(data);
        return SL_IO;
    }
    int rc = sl_props_parse(p, data ? data : "", len, errline);
    free(data);
    return rc;
}

int sl_parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s) return SL_INVAL;
    char *e;
    errno = 0;
    long long v = strtoll(s, &e, 10);
    if (errno || *e) return SL_INVAL;
    *out = v;
    return SL_OK;
}

int sl_parse_bool(const char *s, int *out)
{
    if (!s) return SL_INVAL;
    if (strcasecmp(s, "true") == 0)
        *out = 1;
    else if (strcasecmp(s, "false") == 0)
        *out = 0;
    else
        return SL_INVAL;
    return SL_OK;
}
