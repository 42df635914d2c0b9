/*
 * proto.c — Kafka wire primitives: typed, bounds-checked readers and the matching writers.
 *
 * Encodings (Kafka protocol guide, "Protocol Primitive Types"):
 *   STRING          i16 length, bytes          COMPACT_STRING   uvarint(len+1), bytes
 *   NULLABLE_STRING i16 length (-1 = null)     COMPACT_NULLABLE uvarint(len+1), 0 = null
 *   BYTES/RECORDS   i32 length (-1 = null)     COMPACT_BYTES    uvarint(len+1), 0 = null
 *   ARRAY           i32 count (-1 = null)      COMPACT_ARRAY    uvarint(count+1), 0 = null
 *   TAGGED_FIELDS   uvarint count, then {uvarint tag, uvarint size, bytes} per field
 */
#include "broker/proto.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

int sl_kr_i8(sl_kr_t *r, int8_t *v)
{
    return sl_rd_i8(&r->rd, v);
}
int sl_kr_i16(sl_kr_t *r, int16_t *v)
{
    return sl_rd_i16(&r->rd, v);
}
int sl_kr_i32(sl_kr_t *r, int32_t *v)
{
    return sl_rd_i32(&r->rd, v);
}
int sl_kr_i64(sl_kr_t *r, int64_t *v)
{
    return sl_rd_i64(&r->rd, v);
}

int sl_kr_bool(sl_kr_t *r, int *v)
{
    int8_t b;
    int rc = sl_rd_i8(&r->rd, &b);
    if (rc) return rc;
    *v = b != 0;
    return SL_OK;
}

int sl_kr_uuid(sl_kr_t *r, uint8_t uuid[16])
{
    const uint8_t *p;
    int rc = sl_rd_bytes(&r->rd, 16, &p);
    if (rc) return rc;
    memcpy(uuid, p, 16);
    return SL_OK;
}

/* Length of a string/bytes/array field: -1 for null, else the byte or element count. */
static int read_len(sl_kr_t *r, int wide, int32_t *len)
{
    if (r->flex) {
        uint64_t u;
        int rc = sl_rd_uvarint(&r->rd, &u);
        if (rc) return rc;
        if (u > (uint64_t)INT32_MAX) return SL_CORRUPT;
        *len = (int32_t)u - 1;
        return SL_OK;
    }
    if (wide) return sl_rd_i32(&r->rd, len);
    int16_t s;
    int rc = sl_rd_i16(&r->rd, &s);
    if (rc) return rc;
    *len = s;
    return SL_OK;
}

int sl_kr_nstr(sl_kr_t *r, sl_kstr_t *s)
{
    sl_rd_t save = r->rd;
    int32_t len;
    int rc = read_len(r, 0, &len);
    if (rc) return rc;
    if (len < -1) goto bad;
    if (len == -1) {
        s->p = NULL;
        s->len = -1;
        return SL_OK;
    }
    const uint8_t *p;
    if ((rc = sl_rd_bytes(&r->rd, (size_t)len, &p)) != SL_OK) {
        r->rd = save;
        return rc;
    }
    s->p = (const char *)p;
    s->len = len;
    return SL_OK;
bad:
    r->rd = save;
    return SL_CORRUPT;
}

int sl_kr_str(sl_kr_t *r, sl_kstr_t *s)
{
    sl_rd_t save = r->rd;
    int rc = sl_kr_nstr(r, s);
    if (rc) return rc;
    if (s->len < 0) {
        r->rd = save;
        return SL_PROTO;
    }
    return SL_OK;
}

int sl_kr_nbytes(sl_kr_t *r, const uint8_t **p, int32_t *len)
{
    sl_rd_t save = r->rd;
    int32_t n;
    int rc = read_len(r, 1, &n);
    if (rc) return rc;
    if (n < -1) {
        r->rd = save;
        return SL_CORRUPT;
    }
    if (n == -1) {
        *p = NULL;
        *len = -1;
        return SL_OK;
    }
    if ((rc = sl_rd_bytes(&r->rd, (size_t)n, p)) != SL_OK) {
        r->rd = save;
        return rc;
    }
    *len = n;
    return SL_OK;
}

int sl_kr_array(sl_kr_t *r, int32_t *n)
{
    sl_rd_t save = r->rd;
    int32_t c;
    int rc = read_len(r, 1, &c);
    if (rc) return rc;
    /* Every element takes at least one byte, so a count above the bytes left is a lie. */
    if (c < -1 || (c > 0 && (size_t)c > sl_rd_left(&r->rd))) {
        r->rd = save;
        return SL_CORRUPT;
    }
    *n = c;
    return SL_OK;
}

int sl_kr_tags(sl_kr_t *r)
{
    if (!r->flex) return SL_OK;
    uint64_t count, tag, size;
    int rc = sl_rd_uvarint(&r->rd, &count);
    if (rc) return rc;
    for (uint64_t i = 0; i < count; i++) {
        if ((rc = sl_rd_uvarint(&r->rd, &tag)) != SL_OK) return rc;
        if ((rc = sl_rd_uvarint(&r->rd, &size)) != SL_OK) return rc;
        if (size > sl_rd_left(&r->rd)) return SL_TRUNC;
        r->rd.p += size;
    }
    return SL_OK;
}

char *sl_kstr_dup(sl_kstr_t s)
{
    if (s.len < 0) return NULL;
    char *d = malloc((size_t)s.len + 1);
    if (!d) abort();
    memcpy(d, s.p, (size_t)s.len);
    d[s.len] = 0;
    return d;
}

int sl_kstr_eq(sl_kstr_t s, const char *c)
{
    size_t n = strlen(c);
    return s.len >= 0 && (size_t)s.len == n && memcmp(s.p, c, n) == 0;
}

void sl_kw_i8(sl_kw_t *w, int8_t v)
{
    sl_buf_put_i8(w->b, v);
}
void sl_kw_i16(sl_kw_t *w, int16_t v)
{
    sl_buf_put_i16(w->b, v);
}
void sl_kw_i32(sl_kw_t *w, int32_t v)
{
    sl_buf_put_i32(w->b, v);
}
void sl_kw_i64(sl_kw_t *w, int64_t v)
{
    sl_buf_put_i64(w->b, v);
}
void sl_kw_bool(sl_kw_t *w, int v)
{
    sl_buf_put_i8(w->b, v ? 1 : 0);
}
void sl_kw_uuid(sl_kw_t *w, const uint8_t uuid[16])
{
    sl_buf_put(w->b, uuid, 16);
}

static void write_len(sl_kw_t *w, int wide, int32_t len)
{
    if (w->flex)
        sl_buf_put_uvarint(w->b, (uint64_t)((int64_t)len + 1));
    else if (wide)
        sl_buf_put_i32(w->b, len);
    else
        sl_buf_put_i16(w->b, (int16_t)len);
}

void sl_kw_str(sl_kw_t *w, const char *p, int32_t len)
{
    if (!p) len = -1;
    write_len(w, 0, len);
    if (len > 0) sl_buf_put(w->b, p, (size_t)len);
}

void sl_kw_cstr(sl_kw_t *w, const char *s)
{
    sl_kw_str(w, s, s ? (int32_t)strlen(s) : -1);
}

void sl_kw_kstr(sl_kw_t *w, sl_kstr_t s)
{
    sl_kw_str(w, s.p, s.len);
}

void sl_kw_bytes(sl_kw_t *w, const void *p, int32_t len)
{
    if (!p && len > 0) len = -1;
    write_len(w, 1, len);
    if (len > 0) sl_buf_put(w->b, p, (size_t)len);
}

void sl_kw_array(sl_kw_t *w, int32_t n)
{
    write_len(w, 1, n);
}

void sl_kw_bytes_len(sl_kw_t *w, int32_t len)
{
    write_len(w, 1, len);
}

void sl_kw_tags(sl_kw_t *w)
{
    if (w->flex) sl_buf_put_uvarint(w->b, 0);
}
