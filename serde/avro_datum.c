/*
 * avro_datum.c — Avro data: the binary encoding checked (sl_avro_datum_check), encoded from
 * JSON (sl_avro_encode), plus the data facts of schema nodes (logical types, zero-size types)
 * and the public view into a parsed schema. Decoding to JSON and reader/writer resolution are
 * in avro_resolve.c; both files share the reader and error machinery of avro_datum_int.h.
 *
 * The binary encoding (specification, "Binary Encoding"), one datum:
 *
 *   null      nothing
 *   boolean   1 byte: 0 or 1
 *   int/long  zig-zag varint, at most 5/10 bytes     0 -> 00, -1 -> 01, 1 -> 02, -64 -> 7f,
 *                                                     64 -> 80 01
 *   float     4 bytes IEEE 754, little-endian;  double: 8 bytes
 *   bytes     long length, then the bytes;  string: the same, UTF-8
 *   fixed     exactly `size` bytes
 *   enum      int: index into the symbols
 *   union     int: branch index, then the branch's value
 *   record    the fields' values in schema order, nothing else
 *   array     blocks: long count, then count items; count < 0: |count| items preceded by a
 *             long byte size of the block; a count of 0 ends the array
 *   map       the same, each item a string key then a value
 *
 *   e.g. {"a": 27, "b": "foo"} of record {a: long, b: string} is 36 06 66 6f 6f
 *
 * Invariants of the checker (the broker runs it on its loop thread for every record of a topic
 * in "full" validation mode): it allocates nothing, recursion is bounded by
 * SL_AVRO_DATUM_MAX_DEPTH, and work is linear in the input: an array or map block announcing
 * more items than bytes remain is refused before any item is read, except for items whose
 * type encodes to zero bytes, which are not visited at all (their count is only added up and
 * capped by SL_AVRO_DATUM_MAX_EMPTY_ITEMS).
 * Error paths are built only on failure: each frame returning an error appends its segment to
 * a trail (innermost first), so the success path pays nothing for them.
 *
 * Encoding from JSON mirrors avro_resolve.c's decoding in either shape (serde.h); field
 * defaults are encoded from their JSON with the rules of schema defaults ("default" shape:
 * bytes as ISO-8859-1 strings, a union's value for its first branch — or, as Java's parser
 * accepts, for any branch).
 */
#include "serde/avro_datum_int.h"

#include "common/err.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The public type enum mirrors the internal kinds one to one. */
_Static_assert((int)SL_AVRO_TYPE_NULL == (int)SL_AVRO_NULL, "type enum");
_Static_assert((int)SL_AVRO_TYPE_BOOLEAN == (int)SL_AVRO_BOOLEAN, "type enum");
_Static_assert((int)SL_AVRO_TYPE_INT == (int)SL_AVRO_INT, "type enum");
_Static_assert((int)SL_AVRO_TYPE_LONG == (int)SL_AVRO_LONG, "type enum");
_Static_assert((int)SL_AVRO_TYPE_FLOAT == (int)SL_AVRO_FLOAT, "type enum");
_Static_assert((int)SL_AVRO_TYPE_DOUBLE == (int)SL_AVRO_DOUBLE, "type enum");
_Static_assert((int)SL_AVRO_TYPE_BYTES == (int)SL_AVRO_BYTES, "type enum");
_Static_assert((int)SL_AVRO_TYPE_STRING == (int)SL_AVRO_STRING, "type enum");
_Static_assert((int)SL_AVRO_TYPE_RECORD == (int)SL_AVRO_RECORD, "type enum");
_Static_assert((int)SL_AVRO_TYPE_ENUM == (int)SL_AVRO_ENUM, "type enum");
_Static_assert((int)SL_AVRO_TYPE_ARRAY == (int)SL_AVRO_ARRAY, "type enum");
_Static_assert((int)SL_AVRO_TYPE_MAP == (int)SL_AVRO_MAP, "type enum");
_Static_assert((int)SL_AVRO_TYPE_UNION == (int)SL_AVRO_UNION, "type enum");
_Static_assert((int)SL_AVRO_TYPE_FIXED == (int)SL_AVRO_FIXED, "type enum");

const char *const sl_avro_dt_kind_names[] = {
    [SL_AVRO_NULL] = "null",   [SL_AVRO_BOOLEAN] = "boolean", [SL_AVRO_INT] = "int",
    [SL_AVRO_LONG] = "long",   [SL_AVRO_FLOAT] = "float",     [SL_AVRO_DOUBLE] = "double",
    [SL_AVRO_BYTES] = "bytes", [SL_AVRO_STRING] = "string",   [SL_AVRO_RECORD] = "record",
    [SL_AVRO_ENUM] = "enum",   [SL_AVRO_ARRAY] = "array",     [SL_AVRO_MAP] = "map",
    [SL_AVRO_UNION] = "union", [SL_AVRO_FIXED] = "fixed",
};

/* ---- data facts of schema nodes ---- */

static const struct {
    const char *name;     /* "logicalType" value */
    sl_avro_logical_t lt; /* what it means */
    sl_avro_kind_t kind;  /* the type it may annotate (decimal: see logical_ok) */
} logical_table[] = {
    {"decimal", SL_AVRO_LOGICAL_DECIMAL, SL_AVRO_BYTES},
    {"uuid", SL_AVRO_LOGICAL_UUID, SL_AVRO_STRING},
    {"date", SL_AVRO_LOGICAL_DATE, SL_AVRO_INT},
    {"time-millis", SL_AVRO_LOGICAL_TIME_MILLIS, SL_AVRO_INT},
    {"time-micros", SL_AVRO_LOGICAL_TIME_MICROS, SL_AVRO_LONG},
    {"timestamp-millis", SL_AVRO_LOGICAL_TIMESTAMP_MILLIS, SL_AVRO_LONG},
    {"timestamp-micros", SL_AVRO_LOGICAL_TIMESTAMP_MICROS, SL_AVRO_LONG},
    {"timestamp-nanos", SL_AVRO_LOGICAL_TIMESTAMP_NANOS, SL_AVRO_LONG},
    {"local-timestamp-millis", SL_AVRO_LOGICAL_LOCAL_TIMESTAMP_MILLIS, SL_AVRO_LONG},
    {"local-timestamp-micros", SL_AVRO_LOGICAL_LOCAL_TIMESTAMP_MICROS, SL_AVRO_LONG},
    {"local-timestamp-nanos", SL_AVRO_LOGICAL_LOCAL_TIMESTAMP_NANOS, SL_AVRO_LONG},
    {"duration", SL_AVRO_LOGICAL_DURATION, SL_AVRO_FIXED},
};

/* Largest decimal precision a fixed of `size` bytes holds: floor(log10(2^(8*size-1) - 1)),
 * computed the way Java's LogicalTypes.Decimal does (floor(log10(2) * (8*size-1)) in doubles)
 * so both accept the same schemas; the conversion truncates, which is floor here, and keeps
 * libm out of serde/. */
static long fixed_max_precision(int32_t size)
{
    if (size <= 0) return 0;
    const double log10_2 = 0.30102999566398119521; /* Math.log10(2) */
    return (long)(log10_2 * (double)(8 * (int64_t)size - 1));
}

static sl_avro_logical_t logical_of(const sl_avro_node_t *n)
{
    if (!n->logical_type) return SL_AVRO_LOGICAL_NONE;
    for (size_t i = 0; i < sizeof logical_table / sizeof *logical_table; i++) {
        if (strcmp(n->logical_type, logical_table[i].name) != 0) continue;
        sl_avro_logical_t lt = logical_table[i].lt;
        if (lt == SL_AVRO_LOGICAL_DECIMAL) {
            if (n->kind != SL_AVRO_BYTES && n->kind != SL_AVRO_FIXED) return SL_AVRO_LOGICAL_NONE;
            if (n->precision <= 0 || n->scale < 0 || n->scale > n->precision)
                return SL_AVRO_LOGICAL_NONE;
            if (n->kind == SL_AVRO_FIXED && n->precision > fixed_max_precision(n->size))
                return SL_AVRO_LOGICAL_NONE;
            return lt;
        }
        if (n->kind != logical_table[i].kind) return SL_AVRO_LOGICAL_NONE;
        if (lt == SL_AVRO_LOGICAL_DURATION && n->size != 12) return SL_AVRO_LOGICAL_NONE;
        return lt;
    }
    return SL_AVRO_LOGICAL_NONE;
}

void sl_avro_data_prepare(sl_avro_schema_t *schema)
{
    for (size_t i = 0; i < schema->n_nodes; i++) {
        sl_avro_node_t *n = schema->nodes[i];
        n->logical = (int)logical_of(n);
        n->zero_size = n->kind == SL_AVRO_NULL || (n->kind == SL_AVRO_FIXED && n->size == 0);
    }
    /* Records: the least fixpoint of "all fields are zero-size", so a record that contains
     * itself (no finite datum exists) is not zero-size and gets visited, and refused, item by
     * item. */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < schema->n_nodes; i++) {
            sl_avro_node_t *n = schema->nodes[i];
            if (n->kind != SL_AVRO_RECORD || n->zero_size) continue;
            size_t f = 0;
            while (f < n->n_fields && n->fields[f].type->zero_size)
                f++;
            if (f == n->n_fields) {
                n->zero_size = 1;
                changed = 1;
            }
        }
    }
}

/* ---- public view of schema nodes ---- */

const sl_avro_node_t *sl_avro_schema_root(const sl_avro_schema_t *schema)
{
    return schema->root;
}

sl_avro_type_t sl_avro_node_type(const sl_avro_node_t *node)
{
    return (sl_avro_type_t)node->kind;
}

const char *sl_avro_node_name(const sl_avro_node_t *node)
{
    return node->fullname;
}

sl_avro_logical_t sl_avro_node_logical(const sl_avro_node_t *node, int *precision, int *scale)
{
    int dec = node->logical == SL_AVRO_LOGICAL_DECIMAL;
    if (precision) *precision = dec ? node->precision : 0;
    if (scale) *scale = dec ? node->scale : 0;
    return (sl_avro_logical_t)node->logical;
}

size_t sl_avro_node_count(const sl_avro_node_t *node)
{
    switch (node->kind) {
    case SL_AVRO_RECORD:
        return node->n_fields;
    case SL_AVRO_ENUM:
        return node->n_symbols;
    case SL_AVRO_UNION:
        return node->n_branches;
    case SL_AVRO_ARRAY:
    case SL_AVRO_MAP:
        return 1;
    default:
        return 0;
    }
}

const sl_avro_node_t *sl_avro_node_child(const sl_avro_node_t *node, size_t i,
                                         const char **name_out)
{
    if (name_out) *name_out = NULL;
    switch (node->kind) {
    case SL_AVRO_RECORD:
        if (i >= node->n_fields) return NULL;
        if (name_out) *name_out = node->fields[i].name;
        return node->fields[i].type;
    case SL_AVRO_UNION:
        return i < node->n_branches ? node->branches[i] : NULL;
    case SL_AVRO_ARRAY:
    case SL_AVRO_MAP:
        return i == 0 ? node->items : NULL;
    default:
        return NULL;
    }
}

const char *sl_avro_node_symbol(const sl_avro_node_t *node, size_t i)
{
    return node->kind == SL_AVRO_ENUM && i < node->n_symbols ? node->symbols[i] : NULL;
}

int32_t sl_avro_node_size(const sl_avro_node_t *node)
{
    return node->kind == SL_AVRO_FIXED ? node->size : -1;
}

/* ---- errors and paths ---- */

int sl_avro_dt_fail(sl_avro_dctx_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->n_trail = 0;
    return SL_INVAL;
}

int sl_avro_dt_trail(sl_avro_dctx_t *c, int rc, sl_avro_seg_kind_t kind, size_t idx)
{
    if (rc == SL_INVAL && c->n_trail < SL_AVRO_TRAIL_MAX) {
        c->trail[c->n_trail].kind = (uint8_t)kind;
        c->trail[c->n_trail].idx = idx > UINT32_MAX ? UINT32_MAX : (uint32_t)idx;
        c->n_trail++;
    }
    return rc;
}

/* Writes segment s (with a leading '.' unless first) into buf; returns its length. */
static size_t seg_format(const sl_avro_seg_t *s, int first, char *buf, size_t size)
{
    const char *dot = first ? "" : ".";
    int k;
    switch ((sl_avro_seg_kind_t)s->kind) {
    case SL_AVRO_SEG_FIELD:
        k = snprintf(buf, size, "%sfields[%u]", dot, (unsigned)s->idx);
        break;
    case SL_AVRO_SEG_ITEM:
        k = snprintf(buf, size, "%sitems[%u]", dot, (unsigned)s->idx);
        break;
    case SL_AVRO_SEG_VALUE:
        k = snprintf(buf, size, "%svalues[%u]", dot, (unsigned)s->idx);
        break;
    default:
        k = snprintf(buf, size, "%skey", dot);
        break;
    }
    return k < 0 ? 0 : (size_t)k;
}

void sl_avro_dt_report(const sl_avro_dctx_t *c, int rc, char *err, size_t err_size)
{
    if (!err || err_size == 0) return;
    if (rc == SL_NOMEM) {
        snprintf(err, err_size, "out of memory");
        return;
    }
    /* The path gets what the message leaves (at most PATH_BUDGET); when it does not fit, its
     * innermost segments are kept behind "...": they say where the problem is. */
    enum { PATH_BUDGET = 160 };
    size_t msg_len = strlen(c->msg);
    size_t budget = err_size > msg_len + 6 ? err_size - msg_len - 6 : 0;
    if (budget > PATH_BUDGET) budget = PATH_BUDGET;
    char seg[48];
    size_t take = 0, len = 0;
    while (take < c->n_trail) {
        size_t k = seg_format(&c->trail[take], 0, seg, sizeof seg);
        if (len + k > budget) break;
        len += k;
        take++;
    }
    int cut = take < c->n_trail || c->n_trail == SL_AVRO_TRAIL_MAX;
    size_t off = 0;
    err[0] = '\0';
    if (cut && take > 0) off += (size_t)snprintf(err, err_size, "...");
    for (size_t i = take; i-- > 0 && off + 1 < err_size;) {
        /* The outermost segment kept drops its dot after "..." too. */
        seg_format(&c->trail[i], i + 1 == take, seg, sizeof seg);
        int k = snprintf(err + off, err_size - off, "%s", seg);
        if (k < 0) break;
        off += (size_t)k;
        if (off >= err_size) off = err_size - 1;
    }
    if (off + 1 < err_size)
        snprintf(err + off, err_size - off, "%s%s", off > 0 ? ": " : "", c->msg);
    /* Messages quote pieces of untrusted input (symbols, keys): printable ASCII only. */
    for (char *p = err; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) *p = '?';
}

/* ---- primitive readers ---- */

int sl_avro_dt_int(sl_avro_dctx_t *c, int32_t *v, const char *what)
{
    const uint8_t *p = c->p;
    uint32_t x = 0;
    for (int i = 0; i < 5; i++) {
        if (p >= c->end) return sl_avro_dt_fail(c, "data ends inside %s", what);
        uint32_t b = *p++;
        if (i == 4 && b > 0x0f)
            return sl_avro_dt_fail(c,
                                   b & 0x80 ? "%s: int varint longer than 5 bytes"
                                            : "%s: int varint overflows 32 bits",
                                   what);
        x |= (b & 0x7f) << (7 * i);
        if (!(b & 0x80)) break;
    }
    c->p = p;
    *v = (int32_t)((x >> 1) ^ (0u - (x & 1)));
    return SL_OK;
}

int sl_avro_dt_long(sl_avro_dctx_t *c, int64_t *v, const char *what)
{
    const uint8_t *p = c->p;
    uint64_t x = 0;
    for (int i = 0; i < 10; i++) {
        if (p >= c->end) return sl_avro_dt_fail(c, "data ends inside %s", what);
        uint64_t b = *p++;
        if (i == 9 && b > 0x01)
            return sl_avro_dt_fail(c,
                                   b & 0x80 ? "%s: long varint longer than 10 bytes"
                                            : "%s: long varint overflows 64 bits",
                                   what);
        x |= (b & 0x7f) << (7 * i);
        if (!(b & 0x80)) break;
    }
    c->p = p;
    *v = (int64_t)(x >> 1) ^ -(int64_t)(x & 1);
    return SL_OK;
}

int sl_avro_dt_len(sl_avro_dctx_t *c, size_t *n, const char *what)
{
    int64_t v;
    int rc = sl_avro_dt_long(c, &v, what);
    if (rc) return rc;
    if (v < 0) return sl_avro_dt_fail(c, "negative %s length %lld", what, (long long)v);
    size_t left = (size_t)(c->end - c->p);
    if ((uint64_t)v > left)
        return sl_avro_dt_fail(c, "%s of %lld bytes but only %zu bytes left", what, (long long)v,
                               left);
    *n = (size_t)v;
    return SL_OK;
}

int sl_avro_dt_block(sl_avro_dctx_t *c, const sl_avro_node_t *item, int is_map, int64_t *count,
                     int64_t *size)
{
    const char *what = is_map ? "map block count" : "array block count";
    int rc = sl_avro_dt_long(c, count, what);
    if (rc) return rc;
    *size = -1;
    if (*count < 0) {
        if (*count == INT64_MIN) return sl_avro_dt_fail(c, "%s out of range", what);
        *count = -*count;
        rc = sl_avro_dt_long(c, size, is_map ? "map block size" : "array block size");
        if (rc) return rc;
        if (*size < 0 || (uint64_t)*size > (uint64_t)(c->end - c->p))
            return sl_avro_dt_fail(c, "%s block size %lld but %zu bytes left",
                                   is_map ? "map" : "array", (long long)*size,
                                   (size_t)(c->end - c->p));
    }
    if (*count == 0) return SL_OK;
    if (!is_map && item->zero_size) {
        /* Nothing to read per item: only the number matters, and it is capped. */
        if ((uint64_t)*count > SL_AVRO_DATUM_MAX_EMPTY_ITEMS - c->empty_items)
            return sl_avro_dt_fail(c, "more than %u array items of a zero-size type in one datum",
                                   SL_AVRO_DATUM_MAX_EMPTY_ITEMS);
        c->empty_items += (uint32_t)*count;
        return SL_OK;
    }
    /* Every item (or map entry: its key) takes at least one byte. */
    if ((uint64_t)*count > (uint64_t)(c->end - c->p))
        return sl_avro_dt_fail(c, "block of %lld %s but only %zu bytes left", (long long)*count,
                               is_map ? "entries" : "items", (size_t)(c->end - c->p));
    return SL_OK;
}

int sl_avro_dt_block_end(sl_avro_dctx_t *c, const uint8_t *start, int64_t size, int is_map)
{
    if (size < 0 || (uint64_t)(c->p - start) == (uint64_t)size) return SL_OK;
    return sl_avro_dt_fail(c, "%s block size %lld does not match its items (%zu bytes)",
                           is_map ? "map" : "array", (long long)size, (size_t)(c->p - start));
}

/* ---- UTF-8 ---- */

size_t sl_avro_utf8_bad(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII runs, 8 bytes at a time. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        uint8_t b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint8_t lo = 0x80, hi = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) {
            need = 1;
        } else if (b >= 0xe0 && b <= 0xef) {
            need = 2;
            if (b == 0xe0) lo = 0xa0; /* no overlong forms */
            if (b == 0xed) hi = 0x9f; /* no surrogates */
        } else if (b >= 0xf0 && b <= 0xf4) {
            need = 3;
            if (b == 0xf0) lo = 0x90;
            if (b == 0xf4) hi = 0x8f; /* at most U+10FFFF */
        } else {
            return i;
        }
        if (n - i <= need) return i;
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xc0) != 0x80) return i;
        i += need + 1;
    }
    return n;
}

int sl_avro_dt_string(sl_avro_dctx_t *c, const uint8_t **s, size_t *n, const char *what)
{
    int rc = sl_avro_dt_len(c, n, what);
    if (rc) return rc;
    size_t bad = sl_avro_utf8_bad(c->p, *n);
    if (bad != *n) return sl_avro_dt_fail(c, "%s is not valid UTF-8 (at byte %zu)", what, bad);
    *s = c->p;
    c->p += *n;
    return SL_OK;
}

/* ---- the checker ---- */

static int check(sl_avro_dctx_t *c, const sl_avro_node_t *n);

static int check_block_items(sl_avro_dctx_t *c, const sl_avro_node_t *n)
{
    int is_map = n->kind == SL_AVRO_MAP;
    size_t index = 0;
    for (;;) {
        int64_t count, size;
        int rc = sl_avro_dt_block(c, n->items, is_map, &count, &size);
        if (rc) return rc;
        if (count == 0) return SL_OK;
        const uint8_t *start = c->p;
        if (!is_map && n->items->zero_size) {
            index += (size_t)count;
        } else {
            for (int64_t k = 0; k < count; k++, index++) {
                if (is_map) {
                    const uint8_t *key;
                    size_t kl;
                    rc = sl_avro_dt_string(c, &key, &kl, "map key");
                    if (rc) {
                        sl_avro_dt_trail(c, rc, SL_AVRO_SEG_KEY, 0);
                        return sl_avro_dt_trail(c, rc, SL_AVRO_SEG_VALUE, index);
                    }
                }
                rc = check(c, n->items);
                if (rc)
                    return sl_avro_dt_trail(c, rc, is_map ? SL_AVRO_SEG_VALUE : SL_AVRO_SEG_ITEM,
                                            index);
            }
        }
        if ((rc = sl_avro_dt_block_end(c, start, size, is_map)) != SL_OK) return rc;
    }
}

static int check(sl_avro_dctx_t *c, const sl_avro_node_t *n)
{
    int rc = SL_OK;
    switch (n->kind) {
    case SL_AVRO_NULL:
        return SL_OK;
    case SL_AVRO_BOOLEAN:
        if (c->p >= c->end) return sl_avro_dt_fail(c, "data ends inside a boolean");
        if (*c->p > 1) return sl_avro_dt_fail(c, "boolean byte %u is neither 0 nor 1", *c->p);
        c->p++;
        return SL_OK;
    case SL_AVRO_INT: {
        int32_t v;
        return sl_avro_dt_int(c, &v, "an int");
    }
    case SL_AVRO_LONG: {
        int64_t v;
        return sl_avro_dt_long(c, &v, "a long");
    }
    case SL_AVRO_FLOAT:
    case SL_AVRO_DOUBLE: {
        size_t w = n->kind == SL_AVRO_FLOAT ? 4 : 8;
        if ((size_t)(c->end - c->p) < w)
            return sl_avro_dt_fail(c, "data ends inside a %s", sl_avro_dt_kind_names[n->kind]);
        c->p += w;
        return SL_OK;
    }
    case SL_AVRO_BYTES: {
        size_t len;
        if ((rc = sl_avro_dt_len(c, &len, "bytes")) != SL_OK) return rc;
        c->p += len;
        return SL_OK;
    }
    case SL_AVRO_STRING: {
        const uint8_t *s;
        size_t len;
        return sl_avro_dt_string(c, &s, &len, "string");
    }
    case SL_AVRO_FIXED:
        if ((uint64_t)(c->end - c->p) < (uint64_t)n->size)
            return sl_avro_dt_fail(c, "data ends inside fixed '%s' (%d bytes)", n->fullname,
                                   (int)n->size);
        c->p += n->size;
        return SL_OK;
    case SL_AVRO_ENUM: {
        int32_t idx;
        if ((rc = sl_avro_dt_int(c, &idx, "an enum index")) != SL_OK) return rc;
        if (idx < 0 || (size_t)idx >= n->n_symbols)
            return sl_avro_dt_fail(c, "enum index %d out of range (%zu symbols)", (int)idx,
                                   n->n_symbols);
        return SL_OK;
    }
    default:
        break;
    }
    /* Values that contain values: one level deeper. */
    if (c->depth >= SL_AVRO_DATUM_MAX_DEPTH)
        return sl_avro_dt_fail(c, "values nested deeper than %d levels", SL_AVRO_DATUM_MAX_DEPTH);
    c->depth++;
    switch (n->kind) {
    case SL_AVRO_UNION: {
        int32_t idx;
        if ((rc = sl_avro_dt_int(c, &idx, "a union branch index")) != SL_OK) break;
        if (idx < 0 || (size_t)idx >= n->n_branches) {
            rc = sl_avro_dt_fail(c, "union branch %d out of range (%zu branches)", (int)idx,
                                 n->n_branches);
            break;
        }
        rc = check(c, n->branches[idx]);
        break;
    }
    case SL_AVRO_RECORD:
        for (size_t i = 0; i < n->n_fields; i++) {
            if ((rc = check(c, n->fields[i].type)) != SL_OK) {
                sl_avro_dt_trail(c, rc, SL_AVRO_SEG_FIELD, i);
                break;
            }
        }
        break;
    case SL_AVRO_ARRAY:
    case SL_AVRO_MAP:
        rc = check_block_items(c, n);
        break;
    default:
        break;
    }
    c->depth--;
    return rc;
}

int sl_avro_dt_skip(sl_avro_dctx_t *c, const sl_avro_node_t *n)
{
    return check(c, n);
}

int sl_avro_datum_check(const sl_avro_schema_t *schema, const uint8_t *buf, size_t len, char *err,
                        size_t err_size)
{
    sl_avro_dctx_t c;
    c.p = buf ? buf : (const uint8_t *)"";
    c.end = c.p + (buf ? len : 0);
    c.depth = 0;
    c.empty_items = 0;
    c.n_trail = 0;
    c.msg[0] = '\0';
    int rc = check(&c, schema->root);
    if (rc == SL_OK && c.p != c.end) {
        rc = sl_avro_dt_fail(&c, "%zu trailing bytes after the datum", (size_t)(c.end - c.p));
    }
    if (rc != SL_OK) {
        sl_avro_dt_report(&c, rc, err, err_size);
    } else if (err && err_size) {
        err[0] = '\0';
    }
    return rc;
}

/* ---- JSON helpers ---- */

/* Largest decimal rendered or parsed, in bytes of its two's-complement form / in digits: the
 * conversions are quadratic, and no real decimal comes near (38 digits is a lot). */
#define DECIMAL_MAX_BYTES  512
#define DECIMAL_MAX_DIGITS 1300

json_t *sl_avro_json_double(double v)
{
    if (isnan(v)) return json_string("NaN");
    if (isinf(v)) return json_string(v > 0 ? "Infinity" : "-Infinity");
    return json_real(v);
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static json_t *json_base64(const uint8_t *p, size_t n)
{
    size_t olen = (n + 2) / 3 * 4;
    char *o = malloc(olen + 1);
    if (!o) return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        o[j++] = b64_alphabet[(v >> 18) & 63];
        o[j++] = b64_alphabet[(v >> 12) & 63];
        o[j++] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
        o[j++] = i + 2 < n ? b64_alphabet[v & 63] : '=';
    }
    json_t *r = json_stringn_nocheck(o, j);
    free(o);
    return r;
}

static int b64_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
}

/*
 * Decoded length of base64 text s[0..n) (padding optional), or -1 when it is not base64.
 * When out is not NULL, writes the bytes there.
 */
static long b64_decode(const char *s, size_t n, uint8_t *out)
{
    while (n > 0 && s[n - 1] == '=' && n % 4 != 1)
        n--;
    if (n % 4 == 1) return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value((unsigned char)s[i]);
        if (v < 0) return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (out) out[o] = (uint8_t)(acc >> bits);
            o++;
        }
    }
    /* Leftover bits must be zero (canonical base64), else two texts mean the same bytes. */
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return -1;
    return (long)o;
}

static json_t *json_latin1(const uint8_t *p, size_t n)
{
    char *o = malloc(2 * n + 1);
    if (!o) return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x80) {
            o[j++] = (char)p[i];
        } else {
            o[j++] = (char)(0xc0 | p[i] >> 6);
            o[j++] = (char)(0x80 | (p[i] & 0x3f));
        }
    }
    json_t *r = json_stringn_nocheck(o, j);
    free(o);
    return r;
}

/* The exact decimal text of the unscaled two's-complement big-endian integer p[0..n). */
static int decimal_text(sl_avro_dctx_t *c, const uint8_t *p, size_t n, int32_t scale, json_t **out)
{
    if (n > DECIMAL_MAX_BYTES)
        return sl_avro_dt_fail(c, "decimal of %zu bytes is too long to show (at most %d)", n,
                               DECIMAL_MAX_BYTES);
    if (scale > DECIMAL_MAX_DIGITS)
        return sl_avro_dt_fail(c, "decimal scale %d is too large to show", (int)scale);
    int neg = n > 0 && (p[0] & 0x80);
    /* The magnitude, big-endian: the bytes, or for a negative number ~x + 1 (no carry leaves
     * the top byte: that would need x == 0, which is not negative). */
    uint8_t mag[DECIMAL_MAX_BYTES];
    for (size_t i = 0; i < n; i++)
        mag[i] = neg ? (uint8_t)~p[i] : p[i];
    for (size_t i = n; neg && i-- > 0;)
        if (++mag[i] != 0) break;
    /* As little-endian 32-bit words. */
    uint32_t words[DECIMAL_MAX_BYTES / 4 + 1];
    size_t nw = (n + 3) / 4;
    memset(words, 0, sizeof words);
    for (size_t i = 0; i < n; i++)
        words[i / 4] |= (uint32_t)mag[n - 1 - i] << (8 * (i % 4));
    /* Base 10^9 limbs, least significant first. */
    uint32_t limbs[DECIMAL_MAX_BYTES * 8 / 29 + 2];
    size_t nl = 0;
    while (nw > 0 && words[nw - 1] == 0)
        nw--;
    while (nw > 0) {
        uint64_t rem = 0;
        for (size_t i = nw; i-- > 0;) {
            uint64_t cur = rem << 32 | words[i];
            words[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        limbs[nl++] = (uint32_t)rem;
        while (nw > 0 && words[nw - 1] == 0)
            nw--;
    }
    char digits[DECIMAL_MAX_BYTES * 3 + 16];
    size_t nd = 0;
    if (nl == 0) {
        digits[nd++] = '0';
    } else {
        nd = (size_t)snprintf(digits, sizeof digits, "%u", limbs[nl - 1]);
        for (size_t i = nl - 1; i-- > 0;)
            nd += (size_t)snprintf(digits + nd, sizeof digits - nd, "%09u", limbs[i]);
    }
    /* sign, integer part (at least "0"), point, scale digits */
    size_t cap = nd + (size_t)scale + 4;
    char *t = malloc(cap);
    if (!t) return SL_NOMEM;
    size_t j = 0;
    if (neg && !(nd == 1 && digits[0] == '0')) t[j++] = '-';
    size_t sc = (size_t)scale;
    if (nd > sc) {
        memcpy(t + j, digits, nd - sc);
        j += nd - sc;
    } else {
        t[j++] = '0';
    }
    if (sc > 0) {
        t[j++] = '.';
        for (size_t i = nd; i < sc; i++)
            t[j++] = '0';
        size_t from = nd > sc ? nd - sc : 0;
        memcpy(t + j, digits + from, nd - from);
        j += nd - from;
    }
    *out = json_stringn_nocheck(t, j);
    free(t);
    return *out ? SL_OK : SL_NOMEM;
}

int sl_avro_json_bytes(sl_avro_dctx_t *c, const sl_avro_node_t *n, unsigned shape, const uint8_t *p,
                       size_t len, json_t **out)
{
    if (shape == SL_AVRO_JSON_PLAIN) {
        if (n->logical == SL_AVRO_LOGICAL_DECIMAL) return decimal_text(c, p, len, n->scale, out);
        *out = json_base64(p, len);
    } else {
        *out = json_latin1(p, len);
    }
    return *out ? SL_OK : SL_NOMEM;
}

/* ---- decimal input ---- */

/*
 * Parses decimal text for decimal node n into its two's-complement big-endian bytes: bytes
 * get the minimal form (as Java's BigInteger.toByteArray), fixed the fixed size. When out is
 * NULL only checks. Refuses what Java's DecimalConversion refuses: digits beyond the scale
 * that are not zeros (that would need rounding), more digits than the precision.
 */
static int decimal_parse(sl_avro_dctx_t *c, const sl_avro_node_t *n, const char *s, size_t len,
                         sl_buf_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    size_t int_from = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t int_len = i - int_from, frac_from = i, frac_len = 0;
    if (i < len && s[i] == '.') {
        frac_from = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        frac_len = i - frac_from;
    }
    if (i != len || int_len + frac_len == 0)
        return sl_avro_dt_fail(c, "not a decimal number (expected digits, optionally with '.')");
    size_t scale = (size_t)n->scale;
    for (size_t k = scale; k < frac_len; k++)
        if (s[frac_from + k] != '0')
            return sl_avro_dt_fail(c, "decimal has more than %d fractional digits (the scale)",
                                   (int)n->scale);
    if (int_len + scale > DECIMAL_MAX_DIGITS)
        return sl_avro_dt_fail(c, "decimal longer than %d digits", DECIMAL_MAX_DIGITS);
    /* The unscaled digits, leading zeros dropped. */
    char digits[DECIMAL_MAX_DIGITS + 1];
    size_t nd = 0;
    for (size_t k = 0; k < int_len; k++)
        if (nd > 0 || s[int_from + k] != '0') digits[nd++] = s[int_from + k];
    for (size_t k = 0; k < scale; k++) {
        char ch = k < frac_len ? s[frac_from + k] : '0';
        if (nd > 0 || ch != '0') digits[nd++] = ch;
    }
    size_t precision = nd ? nd : 1;
    if (precision > (size_t)n->precision)
        return sl_avro_dt_fail(c, "decimal has %zu digits, more than its precision %d", precision,
                               (int)n->precision);
    if (!out) return SL_OK;
    /* Magnitude as little-endian 32-bit words, 9 digits at a time. */
    uint32_t words[DECIMAL_MAX_DIGITS / 9 + 2];
    size_t nw = 0;
    for (size_t k = 0; k < nd;) {
        size_t take = (k == 0 && nd % 9) ? nd % 9 : 9;
        uint32_t chunk = 0, mul = 1;
        for (size_t t = 0; t < take; t++, k++) {
            chunk = chunk * 10 + (uint32_t)(digits[k] - '0');
            mul *= 10;
        }
        uint64_t carry = chunk;
        for (size_t w = 0; w < nw; w++) {
            uint64_t cur = (uint64_t)words[w] * mul + carry;
            words[w] = (uint32_t)cur;
            carry = cur >> 32;
        }
        if (carry) words[nw++] = (uint32_t)carry;
    }
    /* Big-endian bytes with one spare byte in front for the sign. */
    size_t nb = nw * 4 + 1;
    uint8_t bytes[(DECIMAL_MAX_DIGITS / 9 + 2) * 4 + 1];
    memset(bytes, 0, nb);
    for (size_t k = 0; k < nw * 4; k++)
        bytes[nb - 1 - k] = (uint8_t)(words[k / 4] >> (8 * (k % 4)));
    if (neg) {
        int carry = 1;
        for (size_t k = nb; k-- > 0;) {
            unsigned v = (uint8_t)~bytes[k] + (unsigned)carry;
            bytes[k] = (uint8_t)v;
            carry = v > 0xff;
        }
    }
    /* Minimal two's complement: drop a leading byte that only repeats the next one's sign. */
    size_t from = 0;
    while (nb - from > 1 && ((bytes[from] == 0x00 && !(bytes[from + 1] & 0x80)) ||
                             (bytes[from] == 0xff && (bytes[from + 1] & 0x80))))
        from++;
    size_t mlen = nb - from;
    if (n->kind == SL_AVRO_BYTES) {
        sl_buf_put_varint(out, (int64_t)mlen);
        sl_buf_put(out, bytes + from, mlen);
        return SL_OK;
    }
    if (mlen > (size_t)n->size)
        return sl_avro_dt_fail(c, "decimal does not fit in fixed '%s' of %d bytes", n->fullname,
                               (int)n->size);
    uint8_t fill = (bytes[from] & 0x80) ? 0xff : 0x00;
    uint8_t *dst = sl_buf_extend(out, (size_t)n->size);
    memset(dst, fill, (size_t)n->size - mlen);
    memcpy(dst + (size_t)n->size - mlen, bytes + from, mlen);
    return SL_OK;
}

/* A JSON value as decimal text for decimal_parse: a string as is, an integer, or a real
 * rounded to the scale. */
static int decimal_from_json(sl_avro_dctx_t *c, const sl_avro_node_t *n, const json_t *v,
                             sl_buf_t *out)
{
    char tmp[512];
    if (json_is_string(v))
        return decimal_parse(c, n, json_string_value(v), json_string_length(v), out);
    if (json_is_integer(v)) {
        int k = snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
        return decimal_parse(c, n, tmp, (size_t)k, out);
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || d >= 1e300 || d <= -1e300 || n->scale > 300)
            return sl_avro_dt_fail(c, "number %g cannot be a decimal of scale %d", d,
                                   (int)n->scale);
        int k = snprintf(tmp, sizeof tmp, "%.*f", (int)n->scale, d);
        if (k < 0 || (size_t)k >= sizeof tmp)
            return sl_avro_dt_fail(c, "number %g is too long for a decimal", d);
        return decimal_parse(c, n, tmp, (size_t)k, out);
    }
    return sl_avro_dt_fail(c, "expected a decimal (string or number), got %s",
                           json_is_null(v) ? "null" : "another JSON type");
}

/* ---- the encoder ---- */

static const char *json_what(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* The name of a union branch in the specification's JSON encoding. */
static const char *branch_name(const sl_avro_node_t *b)
{
    return b->fullname ? b->fullname : sl_avro_dt_kind_names[b->kind];
}

/* Whether the key at object iterator it is name (keys may contain NUL: compare lengths). */
static int key_is(void *it, const char *name)
{
    size_t kl = json_object_iter_key_len(it);
    return strlen(name) == kl && memcmp(json_object_iter_key(it), name, kl) == 0;
}

static int mismatch(sl_avro_dctx_t *c, const sl_avro_node_t *n, const json_t *v)
{
    if (n->fullname)
        return sl_avro_dt_fail(c, "expected %s '%s', got %s", sl_avro_dt_kind_names[n->kind],
                               n->fullname, json_what(v));
    return sl_avro_dt_fail(c, "expected %s, got %s", sl_avro_dt_kind_names[n->kind], json_what(v));
}

static int nonfinite(const json_t *v, double *d)
{
    if (!json_is_string(v)) return 0;
    const char *s = json_string_value(v);
    if (strcmp(s, "NaN") == 0)
        *d = NAN;
    else if (strcmp(s, "Infinity") == 0)
        *d = INFINITY;
    else if (strcmp(s, "-Infinity") == 0)
        *d = -INFINITY;
    else
        return 0;
    return 1;
}

static int enum_index(const sl_avro_node_t *n, const json_t *v)
{
    if (!json_is_string(v)) return -1;
    const char *s = json_string_value(v);
    for (size_t i = 0; i < n->n_symbols; i++)
        if (strcmp(n->symbols[i], s) == 0) return (int)i;
    return -1;
}

/* Bytes from a JSON string of code points U+0000..U+00FF (the specification's JSON form). */
static int latin1_bytes(sl_avro_dctx_t *c, const json_t *v, sl_buf_t *tmp)
{
    const uint8_t *s = (const uint8_t *)json_string_value(v);
    size_t n = json_string_length(v);
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x80) {
            sl_buf_put_i8(tmp, (int8_t)s[i]);
        } else if ((s[i] == 0xc2 || s[i] == 0xc3) && i + 1 < n) {
            sl_buf_put_i8(tmp, (int8_t)(((s[i] & 0x03) << 6) | (s[i + 1] & 0x3f)));
            i++;
        } else {
            return sl_avro_dt_fail(c, "character beyond U+00FF in a bytes value (bytes are "
                                      "written one character per byte)");
        }
    }
    return SL_OK;
}

/* Encodes bytes or fixed (fixed: exactly n->size bytes, no length). */
static int enc_bytes(sl_avro_dctx_t *c, const sl_avro_node_t *n, const json_t *v, unsigned shape,
                     sl_buf_t *out)
{
    if (shape == SL_AVRO_JSON_PLAIN && n->logical == SL_AVRO_LOGICAL_DECIMAL)
        return decimal_from_json(c, n, v, out);
    if (!json_is_string(v)) return mismatch(c, n, v);
    sl_buf_t tmp;
    sl_buf_init(&tmp);
    int rc = SL_OK;
    if (shape == SL_AVRO_JSON_PLAIN) {
        long k = b64_decode(json_string_value(v), json_string_length(v), NULL);
        if (k < 0) {
            rc = sl_avro_dt_fail(c, "%s value is not base64", sl_avro_dt_kind_names[n->kind]);
        } else {
            sl_buf_reserve(&tmp, (size_t)k + 1);
            b64_decode(json_string_value(v), json_string_length(v), tmp.data);
            tmp.len = (size_t)k;
        }
    } else {
        rc = latin1_bytes(c, v, &tmp);
    }
    if (rc == SL_OK) {
        if (n->kind == SL_AVRO_FIXED) {
            if (tmp.len != (size_t)n->size)
                rc = sl_avro_dt_fail(c, "fixed '%s' needs %d bytes, got %zu", n->fullname,
                                     (int)n->size, tmp.len);
        } else {
            sl_buf_put_varint(out, (int64_t)tmp.len);
        }
    }
    if (rc == SL_OK) sl_buf_put(out, tmp.data, tmp.len);
    sl_buf_free(&tmp);
    return rc;
}

/* Whether object v fits record r: every key a field, every field without default present. */
static int record_fits(const sl_avro_node_t *r, const json_t *v)
{
    size_t present = 0;
    for (size_t i = 0; i < r->n_fields; i++) {
        if (json_object_get(v, r->fields[i].name))
            present++;
        else if (!r->fields[i].default_value)
            return 0;
    }
    return present == json_object_size(v);
}

/* Whether a PLAIN value can be of branch b, judged without encoding it. */
static int plain_accepts(sl_avro_dctx_t *c, const sl_avro_node_t *b, const json_t *v)
{
    double d;
    switch (b->kind) {
    case SL_AVRO_NULL:
        return json_is_null(v);
    case SL_AVRO_BOOLEAN:
        return json_is_boolean(v);
    case SL_AVRO_INT:
        return json_is_integer(v) && json_integer_value(v) >= INT32_MIN &&
               json_integer_value(v) <= INT32_MAX;
    case SL_AVRO_LONG:
        return json_is_integer(v);
    case SL_AVRO_FLOAT:
    case SL_AVRO_DOUBLE:
        return json_is_number(v) || nonfinite(v, &d);
    case SL_AVRO_STRING:
        return json_is_string(v);
    case SL_AVRO_ENUM:
        return enum_index(b, v) >= 0;
    case SL_AVRO_BYTES:
    case SL_AVRO_FIXED: {
        if (b->logical == SL_AVRO_LOGICAL_DECIMAL) {
            /* (A failed probe leaves a message behind; no error is in progress here.) */
            if (!json_is_string(v) && !json_is_number(v)) return 0;
            return decimal_from_json(c, b, v, NULL) == SL_OK;
        }
        if (!json_is_string(v)) return 0;
        long k = b64_decode(json_string_value(v), json_string_length(v), NULL);
        return k >= 0 && (b->kind == SL_AVRO_BYTES || k == (long)b->size);
    }
    case SL_AVRO_ARRAY:
        return json_is_array(v);
    case SL_AVRO_MAP:
        return json_is_object(v);
    case SL_AVRO_RECORD:
        return json_is_object(v) && record_fits(b, v);
    default:
        return 0;
    }
}

/* The union branch for a PLAIN value (see serde.h), or -1; *inner is the value to encode. */
static int plain_branch(sl_avro_dctx_t *c, const sl_avro_node_t *u, const json_t *v,
                        const json_t **inner)
{
    *inner = v;
    if (json_is_object(v)) {
        for (size_t i = 0; i < u->n_branches; i++)
            if (u->branches[i]->kind == SL_AVRO_RECORD && plain_accepts(c, u->branches[i], v))
                return (int)i;
        for (size_t i = 0; i < u->n_branches; i++)
            if (u->branches[i]->kind == SL_AVRO_MAP) return (int)i;
        /* The specification's {"<branch name>": value}, accepted here too. */
        if (json_object_size(v) == 1) {
            void *it = json_object_iter((json_t *)v);
            for (size_t i = 0; i < u->n_branches; i++) {
                if (key_is(it, branch_name(u->branches[i]))) {
                    *inner = json_object_iter_value(it);
                    return (int)i;
                }
            }
        }
        return -1;
    }
    for (size_t i = 0; i < u->n_branches; i++)
        if (plain_accepts(c, u->branches[i], v)) return (int)i;
    return -1;
}

static int enc(sl_avro_dctx_t *c, const sl_avro_node_t *n, const json_t *v, unsigned shape,
               sl_buf_t *out);

static int enc_union(sl_avro_dctx_t *c, const sl_avro_node_t *n, const json_t *v, unsigned shape,
                     sl_buf_t *out)
{
    const json_t *inner = v;
    int idx = -1;
    if (shape == SL_AVRO_SHAPE_DEFAULT) {
        /* The first branch per the specification; any branch, as Java's parser accepts. */
        size_t mark = out->len;
        for (size_t i = 0; i < n->n_branches; i++) {
            sl_buf_put_varint(out, (int64_t)i);
            int rc = enc(c, n->branches[i], v, shape, out);
            if (rc != SL_INVAL) return rc;
            out->len = mark;
        }
        return sl_avro_dt_fail(c, "default value (%s) fits no branch of the union", json_what(v));
    }
    if (shape == SL_AVRO_JSON_PLAIN) {
        idx = plain_branch(c, n, v, &inner);
    } else if (json_is_null(v)) {
        for (size_t i = 0; i < n->n_branches && idx < 0; i++)
            if (n->branches[i]->kind == SL_AVRO_NULL) idx = (int)i;
    } else if (json_is_object(v) && json_object_size(v) == 1) {
        void *it = json_object_iter((json_t *)v);
        const char *key = json_object_iter_key(it);
        for (size_t i = 0; i < n->n_branches && idx < 0; i++)
            if (n->branches[i]->kind != SL_AVRO_NULL && key_is(it, branch_name(n->branches[i])))
                idx = (int)i;
        if (idx < 0) return sl_avro_dt_fail(c, "union has no branch named '%.64s'", key);
        inner = json_object_iter_value(it);
    } else {
        return sl_avro_dt_fail(c, "expected a union value (null or {\"<type>\": value}), got %s",
                               json_what(v));
    }
    if (idx < 0) {
        char names[120];
        size_t off = 0;
        names[0] = '\0';
        for (size_t i = 0; i < n->n_branches && off + 1 < sizeof names; i++) {
            int k = snprintf(names + off, sizeof names - off, "%s%s", i ? ", " : "",
                             branch_name(n->branches[i]));
            if (k < 0) break;
            off += (size_t)k;
        }
        return sl_avro_dt_fail(c, "value (%s) fits no branch of the union [%s]", json_what(v),
                               names);
    }
    sl_buf_put_varint(out, idx);
    return enc(c, n->branches[idx], inner, shape, out);
}

static int enc_record(sl_avro_dctx_t *c, const sl_avro_node_t *n, const json_t *v, unsigned shape,
                      sl_buf_t *out)
{
    if (!json_is_object(v)) return mismatch(c, n, v);
    size_t present = 0;
    for (size_t i = 0; i < n->n_fields; i++) {
        const sl_avro_field_t *f = &n->fields[i];
        const json_t *fv = json_object_get(v, f->name);
        unsigned fshape = shape;
        int rc;
        if (fv) {
            present++;
        } else if (f->default_value) {
            fv = f->default_value;
            fshape = SL_AVRO_SHAPE_DEFAULT;
        } else {
            rc = sl_avro_dt_fail(c, "missing field '%s' (it has no default)", f->name);
            return sl_avro_dt_trail(c, rc, SL_AVRO_SEG_FIELD, i);
        }
        if ((rc = enc(c, f->type, fv, fshape, out)) != SL_OK)
            return sl_avro_dt_trail(c, rc, SL_AVRO_SEG_FIELD, i);
    }
    if (present != json_object_size(v)) {
        /* Keys compared with their length: a key may contain NUL ("a\u0000b" is not "a"). */
        for (void *it = json_object_iter((json_t *)v); it;
             it = json_object_iter_next((json_t *)v, it)) {
            const char *key = json_object_iter_key(it);
            size_t kl = json_object_iter_key_len(it), i = 0;
            while (i < n->n_fields &&
                   (strlen(n->fields[i].name) != kl || memcmp(n->fields[i].name, key, kl) != 0))
                i++;
            if (i == n->n_fields)
                return sl_avro_dt_fail(c, "record '%s' has no field '%.64s'", n->fullname, key);
        }
        return sl_avro_dt_fail(c, "record '%s': unexpected keys", n->fullname);
    }
    return SL_OK;
}

static int enc_array(sl_avro_dctx_t *c, const sl_avro_node_t *n, const json_t *v, unsigned shape,
                     sl_buf_t *out)
{
    if (!json_is_array(v)) return mismatch(c, n, v);
    size_t count = json_array_size(v);
    if (count > 0) {
        sl_buf_put_varint(out, (int64_t)count);
        for (size_t i = 0; i < count; i++) {
            int rc = enc(c, n->items, json_array_get(v, i), shape, out);
            if (rc) return sl_avro_dt_trail(c, rc, SL_AVRO_SEG_ITEM, i);
        }
    }
    sl_buf_put_varint(out, 0);
    return SL_OK;
}

static int enc_map(sl_avro_dctx_t *c, const sl_avro_node_t *n, const json_t *v, unsigned shape,
                   sl_buf_t *out)
{
    if (!json_is_object(v)) return mismatch(c, n, v);
    size_t count = json_object_size(v);
    if (count > 0) {
        sl_buf_put_varint(out, (int64_t)count);
        size_t i = 0;
        for (void *it = json_object_iter((json_t *)v); it;
             it = json_object_iter_next((json_t *)v, it), i++) {
            size_t kl = json_object_iter_key_len(it);
            sl_buf_put_varint(out, (int64_t)kl);
            sl_buf_put(out, json_object_iter_key(it), kl);
            int rc = enc(c, n->items, json_object_iter_value(it), shape, out);
            if (rc) return sl_avro_dt_trail(c, rc, SL_AVRO_SEG_VALUE, i);
        }
    }
    sl_buf_put_varint(out, 0);
    return SL_OK;
}

static int enc(sl_avro_dctx_t *c, const sl_avro_node_t *n, const json_t *v, unsigned shape,
               sl_buf_t *out)
{
    double d;
    switch (n->kind) {
    case SL_AVRO_NULL:
        return json_is_null(v) ? SL_OK : mismatch(c, n, v);
    case SL_AVRO_BOOLEAN:
        if (!json_is_boolean(v)) return mismatch(c, n, v);
        sl_buf_put_i8(out, json_is_true(v) ? 1 : 0);
        return SL_OK;
    case SL_AVRO_INT:
        if (!json_is_integer(v)) return mismatch(c, n, v);
        if (json_integer_value(v) < INT32_MIN || json_integer_value(v) > INT32_MAX)
            return sl_avro_dt_fail(c, "%lld does not fit in an int",
                                   (long long)json_integer_value(v));
        sl_buf_put_varint(out, json_integer_value(v));
        return SL_OK;
    case SL_AVRO_LONG:
        if (!json_is_integer(v)) return mismatch(c, n, v);
        sl_buf_put_varint(out, json_integer_value(v));
        return SL_OK;
    case SL_AVRO_FLOAT:
    case SL_AVRO_DOUBLE: {
        if (json_is_number(v))
            d = json_number_value(v);
        else if (!nonfinite(v, &d))
            return mismatch(c, n, v);
        uint8_t *p;
        if (n->kind == SL_AVRO_FLOAT) {
            float f = (float)d;
            uint32_t u;
            memcpy(&u, &f, 4);
            p = sl_buf_extend(out, 4);
            for (int i = 0; i < 4; i++)
                p[i] = (uint8_t)(u >> (8 * i));
        } else {
            uint64_t u;
            memcpy(&u, &d, 8);
            p = sl_buf_extend(out, 8);
            for (int i = 0; i < 8; i++)
                p[i] = (uint8_t)(u >> (8 * i));
        }
        return SL_OK;
    }
    case SL_AVRO_STRING:
        if (!json_is_string(v)) return mismatch(c, n, v);
        sl_buf_put_varint(out, (int64_t)json_string_length(v));
        sl_buf_put(out, json_string_value(v), json_string_length(v));
        return SL_OK;
    case SL_AVRO_BYTES:
    case SL_AVRO_FIXED:
        return enc_bytes(c, n, v, shape, out);
    case SL_AVRO_ENUM: {
        if (!json_is_string(v)) return mismatch(c, n, v);
        int idx = enum_index(n, v);
        if (idx < 0)
            return sl_avro_dt_fail(c, "'%.64s' is not a symbol of enum '%s'", json_string_value(v),
                                   n->fullname);
        sl_buf_put_varint(out, idx);
        return SL_OK;
    }
    default:
        break;
    }
    if (c->depth >= SL_AVRO_DATUM_MAX_DEPTH)
        return sl_avro_dt_fail(c, "values nested deeper than %d levels", SL_AVRO_DATUM_MAX_DEPTH);
    c->depth++;
    int rc;
    switch (n->kind) {
    case SL_AVRO_UNION:
        rc = enc_union(c, n, v, shape, out);
        break;
    case SL_AVRO_RECORD:
        rc = enc_record(c, n, v, shape, out);
        break;
    case SL_AVRO_ARRAY:
        rc = enc_array(c, n, v, shape, out);
        break;
    default:
        rc = enc_map(c, n, v, shape, out);
        break;
    }
    c->depth--;
    return rc;
}

int sl_avro_encode_value(sl_avro_dctx_t *c, const sl_avro_node_t *n, const json_t *value,
                         unsigned shape, sl_buf_t *out)
{
    return enc(c, n, value, shape, out);
}

int sl_avro_encode(const sl_avro_schema_t *schema, const json_t *value, unsigned flags,
                   sl_buf_t *out, char *err, size_t err_size)
{
    sl_avro_dctx_t c;
    c.p = c.end = NULL;
    c.depth = 0;
    c.empty_items = 0;
    c.n_trail = 0;
    c.msg[0] = '\0';
    size_t mark = out->len;
    int rc;
    if (flags & ~SL_AVRO_JSON_PLAIN)
        rc = sl_avro_dt_fail(&c, "unknown flags 0x%x", flags);
    else if (!value)
        rc = sl_avro_dt_fail(&c, "no value");
    else
        rc = enc(&c, schema->root, value, flags & SL_AVRO_JSON_PLAIN, out);
    if (rc != SL_OK) {
        out->len = mark;
        sl_avro_dt_report(&c, rc, err, err_size);
    } else if (err && err_size) {
        err[0] = '\0';
    }
    return rc;
}
