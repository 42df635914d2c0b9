/*
 * buf.h — growable byte buffers (writers) and bounds-checked readers over untrusted bytes.
 *
 * Integers are big-endian unless named otherwise, as on the Kafka wire. Varints are the
 * protocol-buffers encoding Kafka uses: unsigned LEB128 ("uvarint") and zig-zag signed
 * ("varint"/"varlong").
 *
 * Readers never read past `end`: every sl_rd_* returns SL_OK or SL_TRUNC/SL_CORRUPT and leaves
 * the output untouched on failure, so callers can chain them and jump to one error exit.
 * Writers abort() on allocation failure: a broker that cannot allocate a few bytes of response
 * cannot do anything useful, and an unchecked NULL would be worse.
 */
#ifndef SL_BUF_H
#define SL_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl_buf_s {
    uint8_t *data; /* owned; NULL while cap == 0 */
    size_t len;    /* bytes in use */
    size_t cap;    /* bytes allocated */
} sl_buf_t;

void sl_buf_init(sl_buf_t *b);
void sl_buf_free(sl_buf_t *b);
void sl_buf_reset(sl_buf_t *b); /* len = 0, keeps memory */
void sl_buf_reserve(sl_buf_t *b, size_t extra);
/* Appends n uninitialised bytes and returns where they start. */
uint8_t *sl_buf_extend(sl_buf_t *b, size_t n);
void sl_buf_put(sl_buf_t *b, const void *p, size_t n);
void sl_buf_put_i8(sl_buf_t *b, int8_t v);
void sl_buf_put_i16(sl_buf_t *b, int16_t v);
void sl_buf_put_i32(sl_buf_t *b, int32_t v);
void sl_buf_put_i64(sl_buf_t *b, int64_t v);
void sl_buf_put_uvarint(sl_buf_t *b, uint64_t v);
void sl_buf_put_varint(sl_buf_t *b, int64_t v); /* zig-zag */
/* Overwrite a previously written big-endian field at byte offset `at`. */
void sl_buf_patch_i32(sl_buf_t *b, size_t at, int32_t v);
void sl_buf_patch_u32(sl_buf_t *b, size_t at, uint32_t v);

/* Big-endian loads/stores on raw memory (no bounds checks: callers checked). */
static inline uint16_t sl_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t sl_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t sl_be64(const uint8_t *p)
{
    return ((uint64_t)sl_be32(p) << 32) | sl_be32(p + 4);
}
static inline void sl_wbe16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void sl_wbe32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void sl_wbe64(uint8_t *p, uint64_t v)
{
    sl_wbe32(p, (uint32_t)(v >> 32));
    sl_wbe32(p + 4, (uint32_t)v);
}

/* Size in bytes of the encodings, for precomputing lengths. */
size_t sl_uvarint_size(uint64_t v);
size_t sl_varint_size(int64_t v);

typedef struct sl_rd_s {
    const uint8_t *p;   /* next byte to read (borrowed) */
    const uint8_t *end; /* one past the last readable byte */
} sl_rd_t;

static inline void sl_rd_init(sl_rd_t *r, const void *p, size_t n)
{
    r->p = (const uint8_t *)p;
    r->end = r->p + n;
}
static inline size_t sl_rd_left(const sl_rd_t *r)
{
    return (size_t)(r->end - r->p);
}
int sl_rd_i8(sl_rd_t *r, int8_t *v);
int sl_rd_i16(sl_rd_t *r, int16_t *v);
int sl_rd_i32(sl_rd_t *r, int32_t *v);
int sl_rd_u32(sl_rd_t *r, uint32_t *v);
int sl_rd_i64(sl_rd_t *r, int64_t *v);
int sl_rd_uvarint(sl_rd_t *r, uint64_t *v); /* SL_CORRUPT if longer than 10 bytes */
int sl_rd_varint(sl_rd_t *r, int64_t *v);   /* zig-zag, 64-bit */
int sl_rd_varint32(sl_rd_t *r, int32_t *v); /* zig-zag, SL_CORRUPT if outside int32 */
/* Borrow n bytes: *out points into the reader's memory. */
int sl_rd_bytes(sl_rd_t *r, size_t n, const uint8_t **out);
int sl_rd_skip(sl_rd_t *r, size_t n);

#endif
