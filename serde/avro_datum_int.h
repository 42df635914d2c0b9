/*
 * avro_datum_int.h — what avro_datum.c (checking, encoding) and avro_resolve.c (decoding,
 * schema resolution) share: the bounded reader over a datum, error messages with a path
 * built on the way out, and the JSON helpers of both directions. Private to serde/.
 *
 * Error convention: a function that finds a problem calls sl_avro_dt_fail (which writes the
 * message and clears the trail) and returns SL_INVAL; every enclosing frame that knows where
 * it is adds one segment with sl_avro_dt_trail on the way out; sl_avro_dt_report turns the
 * trail (innermost first) into "fields[2].items[5]: <message>".
 */
#ifndef SL_SERDE_AVRO_DATUM_INT_H
#define SL_SERDE_AVRO_DATUM_INT_H

#include "serde/serde_int.h"

#include "common/buf.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Path segments kept for a message (deeper paths lose their outermost segments). */
#define SL_AVRO_TRAIL_MAX (SL_AVRO_DATUM_MAX_DEPTH + 8)

typedef enum sl_avro_seg_kind_e {
    SL_AVRO_SEG_FIELD, /* fields[i] */
    SL_AVRO_SEG_ITEM,  /* items[k] */
    SL_AVRO_SEG_VALUE, /* values[k] */
    SL_AVRO_SEG_KEY    /* key (of the enclosing map entry) */
} sl_avro_seg_kind_t;

typedef struct sl_avro_seg_s {
    uint8_t kind; /* sl_avro_seg_kind_t */
    uint32_t idx; /* field index, item or entry number */
} sl_avro_seg_t;

/* Names of the kinds ("int", "record" ...), indexed by sl_avro_kind_t. */
extern const char *const sl_avro_dt_kind_names[];

/* State of one check/decode/encode call. Lives on the caller's stack. */
typedef struct sl_avro_dctx_s {
    const uint8_t *p;                       /* next byte to read (decoding, checking) */
    const uint8_t *end;                     /* one past the datum's last byte */
    int depth;                              /* nesting of values so far */
    uint32_t empty_items;                   /* zero-size array items met so far */
    char msg[200];                          /* the innermost error message */
    sl_avro_seg_t trail[SL_AVRO_TRAIL_MAX]; /* where the error is, innermost first */
    size_t n_trail;                         /* entries used in trail */
} sl_avro_dctx_t;

/* Writes the message, clears the trail; returns SL_INVAL. */
int sl_avro_dt_fail(sl_avro_dctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a path segment when rc is SL_INVAL; returns rc. */
int sl_avro_dt_trail(sl_avro_dctx_t *c, int rc, sl_avro_seg_kind_t kind, size_t idx);
/* "path: message" into err (printable ASCII, NUL-terminated); "out of memory" for SL_NOMEM. */
void sl_avro_dt_report(const sl_avro_dctx_t *c, int rc, char *err, size_t err_size);

/* Readers: SL_OK or SL_INVAL with a message naming `what` ("an int", "string" ...). */
int sl_avro_dt_int(sl_avro_dctx_t *c, int32_t *v, const char *what);
int sl_avro_dt_long(sl_avro_dctx_t *c, int64_t *v, const char *what);
/* A byte length that fits in what is left. */
int sl_avro_dt_len(sl_avro_dctx_t *c, size_t *n, const char *what);
/* A length-prefixed UTF-8 string (validated), borrowed from the input. */
int sl_avro_dt_string(sl_avro_dctx_t *c, const uint8_t **s, size_t *n, const char *what);
/*
 * An array or map block header: *count (0 = end), *size (-1 when not given). Refuses counts
 * that cannot fit in the bytes left, and counts zero-size array items against the datum's cap.
 */
int sl_avro_dt_block(sl_avro_dctx_t *c, const sl_avro_node_t *item, int is_map, int64_t *count,
                     int64_t *size);
/* After a block's items: the block's announced byte size (if any) must match. */
int sl_avro_dt_block_end(sl_avro_dctx_t *c, const uint8_t *start, int64_t size, int is_map);

/* Reads past one value of n, checking it as sl_avro_datum_check does. */
int sl_avro_dt_skip(sl_avro_dctx_t *c, const sl_avro_node_t *n);

/* Offset of the first byte of s[0..n) that is not valid UTF-8, n when all are. */
size_t sl_avro_utf8_bad(const uint8_t *s, size_t n);

/* Little-endian IEEE 754 values. */
static inline float sl_avro_dt_float_at(const uint8_t *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    __builtin_memcpy(&f, &u, 4);
    return f;
}
static inline double sl_avro_dt_double_at(const uint8_t *p)
{
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = u << 8 | p[i];
    double d;
    __builtin_memcpy(&d, &u, 8);
    return d;
}

/* ---- JSON helpers (avro_datum.c) ---- */

/* Shapes: the public SL_AVRO_JSON_SPEC / SL_AVRO_JSON_PLAIN, plus the shape of schema
 * defaults (bytes as ISO-8859-1, unions unwrapped, the first fitting branch). */
#define SL_AVRO_SHAPE_DEFAULT 2u

/* A double as JSON: a real, or "NaN" / "Infinity" / "-Infinity". NULL on allocation failure. */
json_t *sl_avro_json_double(double v);
/* Bytes as JSON in `shape` for node n (bytes or fixed; decimal when PLAIN and n is one). */
int sl_avro_json_bytes(sl_avro_dctx_t *c, const sl_avro_node_t *n, unsigned shape, const uint8_t *p,
                       size_t len, json_t **out);

/*
 * Encodes `value` as a datum of n in `shape`, appending to out (left as it was on failure is
 * the caller's business: callers truncate out->len). Uses c for errors and depth only.
 */
int sl_avro_encode_value(sl_avro_dctx_t *c, const sl_avro_node_t *n, const json_t *value,
                         unsigned shape, sl_buf_t *out);

#endif
