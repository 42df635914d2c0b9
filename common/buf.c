/* buf.c — growable buffers and bounds-checked readers; see buf.h for the contract. */
#include "common/buf.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

void sl_buf_init(sl_buf_t *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void sl_buf_free(sl_buf_t *b)
{
    free(b->data);
    sl_buf_init(b);
}

void sl_buf_reset(sl_buf_t *b)
{
    b->len = 0;
}

void sl_buf_reserve(sl_buf_t *b, size_t extra)
{
    if (b->cap - b->len >= extra) return;
    size_t want = b->len + extra;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < want)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p) abort();
    b->data = p;
    b->cap = cap;
}

uint8_t *sl_buf_extend(sl_buf_t *b, size_t n)
{
    sl_buf_reserve(b, n);
    uint8_t *p = b->data + b->len;
    b->len += n;
    return p;
}

void sl_buf_put(sl_buf_t *b, const void *p, size_t n)
{
    if (n) memcpy(sl_buf_extend(b, n), p, n);
}

void sl_buf_put_i8(sl_buf_t *b, int8_t v)
{
    *sl_buf_extend(b, 1) = (uint8_t)v;
}
void sl_buf_put_i16(sl_buf_t *b, int16_t v)
{
    sl_wbe16(sl_buf_extend(b, 2), (uint16_t)v);
}
void sl_buf_put_i32(sl_buf_t *b, int32_t v)
{
    sl_wbe32(sl_buf_extend(b, 4), (uint32_t)v);
}
void sl_buf_put_i64(sl_buf_t *b, int64_t v)
{
    sl_wbe64(sl_buf_extend(b, 8), (uint64_t)v);
}

void sl_buf_put_uvarint(sl_buf_t *b, uint64_t v)
{
    sl_buf_reserve(b, 10);
    uint8_t *p = b->data + b->len;
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    b->len += n;
}

void sl_buf_put_varint(sl_buf_t *b, int64_t v)
{
    sl_buf_put_uvarint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void sl_buf_patch_i32(sl_buf_t *b, size_t at, int32_t v)
{
    sl_wbe32(b->data + at, (uint32_t)v);
}
void sl_buf_patch_u32(sl_buf_t *b, size_t at, uint32_t v)
{
    sl_wbe32(b->data + at, v);
}

size_t sl_uvarint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

size_t sl_varint_size(int64_t v)
{
    return sl_uvarint_size(((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

int sl_rd_i8(sl_rd_t *r, int8_t *v)
{
    if (r->end - r->p < 1) return SL_TRUNC;
    *v = (int8_t)*r->p++;
    return SL_OK;
}
int sl_rd_i16(sl_rd_t *r, int16_t *v)
{
    if (r->end - r->p < 2) return SL_TRUNC;
    *v = (int16_t)sl_be16(r->p);
    r->p += 2;
    return SL_OK;
}
int sl_rd_i32(sl_rd_t *r, int32_t *v)
{
    if (r->end - r->p < 4) return SL_TRUNC;
    *v = (int32_t)sl_be32(r->p);
    r->p += 4;
    return SL_OK;
}
int sl_rd_u32(sl_rd_t *r, uint32_t *v)
{
    if (r->end - r->p < 4) return SL_TRUNC;
    *v = sl_be32(r->p);
    r->p += 4;
    return SL_OK;
}
int sl_rd_i64(sl_rd_t *r, int64_t *v)
{
    if (r->end - r->p < 8) return SL_TRUNC;
    *v = (int64_t)sl_be64(r->p);
    r->p += 8;
    return SL_OK;
}

int sl_rd_uvarint(sl_rd_t *r, uint64_t *v)
{
    uint64_t x = 0;
    const uint8_t *p = r->p;
    for (int shift = 0; shift < 70; shift += 7) {
        if (p >= r->end) return SL_TRUNC;
        uint8_t c = *p++;
        if (shift == 63 && c > 1) return SL_CORRUPT;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            r->p = p;
            *v = x;
            return SL_OK;
        }
    }
    return SL_CORRUPT;
}

int sl_rd_varint(sl_rd_t *r, int64_t *v)
{
    uint64_t u;
    int rc = sl_rd_uvarint(r, &u);
    if (rc) return rc;
    *v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return SL_OK;
}

int sl_rd_varint32(sl_rd_t *r, int32_t *v)
{
    sl_rd_t save = *r;
    int64_t x;
    int rc = sl_rd_varint(r, &x);
    if (rc) return rc;
    if (x < INT32_MIN || x > INT32_MAX) {
        *r = save;
        return SL_CORRUPT;
    }
    *v = (int32_t)x;
    return SL_OK;
}

int sl_rd_bytes(sl_rd_t *r, size_t n, const uint8_t **out)
{
    if ((size_t)(r->end - r->p) < n) return SL_TRUNC;
    *out = r->p;
    r->p += n;
    return SL_OK;
}

int sl_rd_skip(sl_rd_t *r, size_t n)
{
    if ((size_t)(r->end - r->p) < n) return SL_TRUNC;
    r->p += n;
    return SL_OK;
}
