/*
 * recbatch.c — Kafka RecordBatch v2: header parse, CRC check, full validation, record and header
 * iteration, and a batch writer. The byte layout is drawn in recbatch.h.
 *
 * Invariants kept here:
 *  - Every read of untrusted bytes goes through sl_rd_* (bounds-checked); malformed input yields
 *    SL_TRUNC / SL_CORRUPT / SL_CRC / SL_TOOBIG / SL_UNSUPP, never a crash or an over-read.
 *  - Decompression never produces more than the caller's max_uncompressed (see compress.c).
 *  - The writer emits batches the validator accepts when offsets are consecutive; with gaps (as
 *    compaction produces) lastOffsetDelta is the delta of the last record, like Kafka's cleaner.
 *
 * Record layout (inside a batch, after optional decompression):
 *
 *   +---------+------+--------+--------+------+-----+------+-----+------+-------------+
 *   | length  | attr | tsDelta| offDelta|keyLen| key |valLen| val |hdrCnt| headers ... |
 *   | varint  | i8   | varlong| varint | varint|     |varint|     |varint|             |
 *   +---------+------+--------+--------+------+-----+------+-----+------+-------------+
 *   header: hKeyLen varint (>= 0) | hKey | hValLen varint (-1 = null) | hVal
 */
#include "common/recbatch.h"
#include "common/crc32c.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

static const char *const codec_names[] = {"none", "gzip", "snappy", "lz4", "zstd"};

const char *sl_codec_name(int codec)
{
    if (codec < 0 || codec > SL_CODEC_ZSTD) return "unknown";
    return codec_names[codec];
}

int sl_codec_parse(const char *name)
{
    if (!name) return -1;
    for (int i = 0; i <= SL_CODEC_ZSTD; i++)
        if (strcmp(name, codec_names[i]) == 0) return i;
    /* Kafka's topic-level compression.type spells "none" this way. */
    if (strcmp(name, "uncompressed") == 0) return SL_CODEC_NONE;
    return -1;
}

int sl_rb_hdr_parse(const uint8_t *p, size_t avail, sl_rb_hdr_t *out)
{
    if (avail < SL_RB_HEADER_SIZE) return SL_TRUNC;
    sl_rb_hdr_t h;
    h.base_offset = (int64_t)sl_be64(p + SL_RB_OFF_BASE_OFFSET);
    h.batch_length = (int32_t)sl_be32(p + SL_RB_OFF_LENGTH);
    h.leader_epoch = (int32_t)sl_be32(p + SL_RB_OFF_LEADER_EPOCH);
    h.magic = (int8_t)p[SL_RB_OFF_MAGIC];
    h.crc = sl_be32(p + SL_RB_OFF_CRC);
    h.attributes = (int16_t)sl_be16(p + SL_RB_OFF_ATTRIBUTES);
    h.last_offset_delta = (int32_t)sl_be32(p + SL_RB_OFF_LAST_OFFSET_DELTA);
    h.base_timestamp = (int64_t)sl_be64(p + SL_RB_OFF_BASE_TIMESTAMP);
    h.max_timestamp = (int64_t)sl_be64(p + SL_RB_OFF_MAX_TIMESTAMP);
    h.producer_id = (int64_t)sl_be64(p + SL_RB_OFF_PRODUCER_ID);
    h.producer_epoch = (int16_t)sl_be16(p + SL_RB_OFF_PRODUCER_EPOCH);
    h.base_sequence = (int32_t)sl_be32(p + SL_RB_OFF_BASE_SEQUENCE);
    h.count = (int32_t)sl_be32(p + SL_RB_OFF_COUNT);
    /* Shape errors first: a garbage header must read as corrupt, not as "wait for more". */
    if (h.magic != 2) return SL_CORRUPT;
    if (h.batch_length < SL_RB_HEADER_SIZE - 12) return SL_CORRUPT;
    if (h.count < 0 || h.last_offset_delta < 0) return SL_CORRUPT;
    if (avail < sl_rb_size(&h)) return SL_TRUNC;
    *out = h;
    return SL_OK;
}

int sl_rb_crc_check(const uint8_t *batch, size_t size)
{
    if (size < SL_RB_HEADER_SIZE) return SL_CRC;
    uint32_t want = sl_be32(batch + SL_RB_OFF_CRC);
    uint32_t got = sl_crc32c(0, batch + SL_RB_OFF_ATTRIBUTES, size - SL_RB_OFF_ATTRIBUTES);
    return got == want ? SL_OK : SL_CRC;
}

/* ---- records ------------------------------------------------------------------------- */

/* Parse one record at rd (which covers the rest of the batch's records). */
static int rec_parse(sl_rd_t *rd, const sl_rb_hdr_t *h, sl_rb_rec_t *out, int32_t *odelta,
                     const char **why)
{
    int32_t len;
    if (sl_rd_varint32(rd, &len) != SL_OK) {
        *why = "length is not a valid varint";
        return SL_CORRUPT;
    }
    if (len < 0 || (size_t)len > sl_rd_left(rd)) {
        *why = "length exceeds the batch";
        return SL_CORRUPT;
    }
    sl_rd_t r;
    sl_rd_init(&r, rd->p, (size_t)len);
    int8_t attr;
    int64_t tsd;
    int32_t od, klen, vlen, hc;
    const uint8_t *key = NULL, *val = NULL, *hstart;
    if (sl_rd_i8(&r, &attr) || sl_rd_varint(&r, &tsd) || sl_rd_varint32(&r, &od)) {
        *why = "fields exceed the record length";
        return SL_CORRUPT;
    }
    if (od < 0) {
        *why = "negative offset delta";
        return SL_CORRUPT;
    }
    if (sl_rd_varint32(&r, &klen) || klen < -1) {
        *why = "key length is invalid";
        return SL_CORRUPT;
    }
    if (klen >= 0 && sl_rd_bytes(&r, (size_t)klen, &key)) {
        *why = "key length exceeds record";
        return SL_CORRUPT;
    }
    if (sl_rd_varint32(&r, &vlen) || vlen < -1) {
        *why = "value length is invalid";
        return SL_CORRUPT;
    }
    if (vlen >= 0 && sl_rd_bytes(&r, (size_t)vlen, &val)) {
        *why = "value length exceeds record";
        return SL_CORRUPT;
    }
    if (sl_rd_varint32(&r, &hc) || hc < 0) {
        *why = "header count is invalid";
        return SL_CORRUPT;
    }
    hstart = r.p;
    for (int32_t i = 0; i < hc; i++) {
        sl_rb_header_t hdr;
        if (sl_rb_header_next(&r, &hdr) != SL_OK) {
            *why = "a header is malformed";
            return SL_CORRUPT;
        }
    }
    if (sl_rd_left(&r) != 0) {
        *why = "bytes after its last header";
        return SL_CORRUPT;
    }
    out->offset = (int64_t)((uint64_t)h->base_offset + (uint64_t)od);
    if (h->attributes & SL_RB_ATTR_LOG_APPEND_TIME)
        out->timestamp = h->max_timestamp;
    else
        out->timestamp = (int64_t)((uint64_t)h->base_timestamp + (uint64_t)tsd);
    out->attributes = attr;
    out->key = key;
    out->key_len = klen;
    out->value = val;
    out->value_len = vlen;
    out->header_count = hc;
    out->headers = hstart;
    out->headers_len = (size_t)(r.p - hstart);
    *odelta = od;
    rd->p += len;
    return SL_OK;
}

int sl_rb_iter_init(sl_rb_iter_t *it, const uint8_t *batch, size_t size, sl_buf_t *scratch,
                    size_t max_uncompressed)
{
    int rc = sl_rb_hdr_parse(batch, size, &it->hdr);
    if (rc != SL_OK) return rc;
    const uint8_t *recs = batch + SL_RB_HEADER_SIZE;
    size_t rlen = sl_rb_size(&it->hdr) - SL_RB_HEADER_SIZE;
    int codec = it->hdr.attributes & SL_RB_ATTR_CODEC_MASK;
    it->index = 0;
    if (codec == SL_CODEC_NONE) {
        sl_rd_init(&it->rd, recs, rlen);
        return SL_OK;
    }
    if (codec > SL_CODEC_ZSTD) return SL_UNSUPP;
    sl_buf_reset(scratch);
    rc = sl_decompress(codec, recs, rlen, scratch, max_uncompressed);
    if (rc != SL_OK) return rc;
    sl_rd_init(&it->rd, scratch->data, scratch->len);
    return SL_OK;
}

int sl_rb_iter_next(sl_rb_iter_t *it, sl_rb_rec_t *out)
{
    if (it->index >= it->hdr.count) return SL_EOF;
    const char *why;
    int32_t od;
    int rc = rec_parse(&it->rd, &it->hdr, out, &od, &why);
    if (rc != SL_OK) return rc;
    it->index++;
    return SL_OK;
}

int sl_rb_header_next(sl_rd_t *rd, sl_rb_header_t *out)
{
    if (sl_rd_left(rd) == 0) return SL_EOF;
    sl_rd_t r = *rd;
    int32_t klen, vlen;
    const uint8_t *k, *v = NULL;
    if (sl_rd_varint32(&r, &klen) || klen < 0 || sl_rd_bytes(&r, (size_t)klen, &k))
        return SL_CORRUPT;
    if (sl_rd_varint32(&r, &vlen) || vlen < -1) return SL_CORRUPT;
    if (vlen >= 0 && sl_rd_bytes(&r, (size_t)vlen, &v)) return SL_CORRUPT;
    out->key = k;
    out->key_len = klen;
    out->value = v;
    out->value_len = vlen;
    *rd = r;
    return SL_OK;
}

/* The reason buffer is per thread so that a message can name the record, yet stay valid after
 * the call like a static string. */
static __thread char why_buf[160];

static const char *why_rec(int32_t idx, const char *what)
{
    snprintf(why_buf, sizeof why_buf, "record %d: %s", idx, what);
    return why_buf;
}

int sl_rb_validate(const uint8_t *batch, size_t size, sl_buf_t *scratch, size_t max_uncompressed,
                   const char **why)
{
    sl_rb_hdr_t h;
    const char *dummy;
    if (!why) why = &dummy;
    *why = NULL;
    int rc = sl_rb_hdr_parse(batch, size, &h);
    if (rc == SL_TRUNC) {
        *why = "batch is truncated";
        return SL_TRUNC;
    }
    if (rc != SL_OK) {
        *why = "batch header is malformed";
        return rc;
    }
    if (sl_rb_size(&h) != size) {
        *why = "bytes follow the batch";
        return SL_CORRUPT;
    }
    if (sl_rb_crc_check(batch, size) != SL_OK) {
        *why = "CRC-32C mismatch";
        return SL_CRC;
    }
    int codec = h.attributes & SL_RB_ATTR_CODEC_MASK;
    if (codec > SL_CODEC_ZSTD) {
        snprintf(why_buf, sizeof why_buf, "unknown compression codec %d", codec);
        *why = why_buf;
        return SL_UNSUPP;
    }
    if (h.count == 0) {
        *why = "batch holds no record";
        return SL_CORRUPT;
    }
    if (h.last_offset_delta != h.count - 1) {
        *why = "lastOffsetDelta does not match the record count";
        return SL_CORRUPT;
    }
    sl_rb_iter_t it;
    rc = sl_rb_iter_init(&it, batch, size, scratch, max_uncompressed);
    if (rc == SL_TOOBIG) {
        *why = "records decompress to more than the allowed size";
        return SL_TOOBIG;
    }
    if (rc != SL_OK) {
        *why = "compressed records cannot be decompressed";
        return SL_CORRUPT;
    }
    for (int32_t i = 0; i < h.count; i++) {
        sl_rb_rec_t r;
        int32_t od;
        const char *w = NULL;
        if (sl_rd_left(&it.rd) == 0) {
            *why = why_rec(i, "batch ends before the record count is reached");
            return SL_CORRUPT;
        }
        if (rec_parse(&it.rd, &h, &r, &od, &w) != SL_OK) {
            *why = why_rec(i, w);
            return SL_CORRUPT;
        }
        if (od != i) {
            *why = why_rec(i, "offset delta out of sequence");
            return SL_CORRUPT;
        }
    }
    if (sl_rd_left(&it.rd) != 0) {
        *why = "bytes follow the last record";
        return SL_CORRUPT;
    }
    return SL_OK;
}

/* ---- writer -------------------------------------------------------------------------- */

void sl_rb_writer_init(sl_rb_writer_t *w, sl_buf_t *out, int codec, int16_t extra_attrs)
{
    w->out = out;
    w->start = out->len;
    sl_buf_init(&w->recs);
    w->codec = codec;
    w->base_offset = 0;
    w->base_timestamp = 0;
    w->max_timestamp = -1;
    w->last_offset = -1;
    w->count = 0;
    w->extra_attrs = (int16_t)(extra_attrs & ~SL_RB_ATTR_CODEC_MASK);
}

void sl_rb_writer_add(sl_rb_writer_t *w, int64_t offset, int64_t timestamp, const void *key,
                      int32_t key_len, const void *value, int32_t value_len,
                      const uint8_t *raw_headers, size_t raw_headers_len, int32_t header_count)
{
    if (w->count == 0) {
        w->base_offset = offset;
        w->base_timestamp = timestamp;
        w->max_timestamp = timestamp;
    }
    if (!key) key_len = -1;
    if (!value) value_len = -1;
    int64_t tsd = (int64_t)((uint64_t)timestamp - (uint64_t)w->base_timestamp);
    int64_t od = offset - w->base_offset;
    size_t body = 1 + sl_varint_size(tsd) + sl_varint_size(od) + sl_varint_size(key_len) +
                  (key_len > 0 ? (size_t)key_len : 0) + sl_varint_size(value_len) +
                  (value_len > 0 ? (size_t)value_len : 0) + sl_varint_size(header_count) +
                  raw_headers_len;
    sl_buf_t *b = &w->recs;
    sl_buf_put_varint(b, (int64_t)body);
    sl_buf_put_i8(b, 0);
    sl_buf_put_varint(b, tsd);
    sl_buf_put_varint(b, od);
    sl_buf_put_varint(b, key_len);
    if (key_len > 0) sl_buf_put(b, key, (size_t)key_len);
    sl_buf_put_varint(b, value_len);
    if (value_len > 0) sl_buf_put(b, value, (size_t)value_len);
    sl_buf_put_varint(b, header_count);
    if (raw_headers_len) sl_buf_put(b, raw_headers, raw_headers_len);
    if (timestamp > w->max_timestamp) w->max_timestamp = timestamp;
    w->last_offset = offset;
    w->count++;
}

int sl_rb_writer_finish(sl_rb_writer_t *w)
{
    if (w->count == 0) return SL_INVAL;
    sl_buf_t *o = w->out;
    size_t start = o->len;
    w->start = start;
    sl_buf_put_i64(o, w->base_offset);
    sl_buf_put_i32(o, 0);  /* batchLength, patched below */
    sl_buf_put_i32(o, -1); /* partitionLeaderEpoch: the broker assigns it */
    sl_buf_put_i8(o, 2);
    sl_buf_put_i32(o, 0); /* crc, patched below */
    sl_buf_put_i16(o, (int16_t)(w->extra_attrs | (w->codec & SL_RB_ATTR_CODEC_MASK)));
    sl_buf_put_i32(o, (int32_t)(w->last_offset - w->base_offset));
    sl_buf_put_i64(o, w->base_timestamp);
    sl_buf_put_i64(o, w->max_timestamp);
    sl_buf_put_i64(o, -1); /* producerId */
    sl_buf_put_i16(o, -1); /* producerEpoch */
    sl_buf_put_i32(o, -1); /* baseSequence */
    sl_buf_put_i32(o, w->count);
    if (w->codec == SL_CODEC_NONE) {
        sl_buf_put(o, w->recs.data, w->recs.len);
    } else {
        int rc = sl_compress(w->codec, w->recs.data, w->recs.len, o);
        if (rc != SL_OK) {
            o->len = start;
            return rc;
        }
    }
    sl_buf_patch_i32(o, start + SL_RB_OFF_LENGTH, (int32_t)(o->len - start - 12));
    sl_buf_patch_u32(o, start + SL_RB_OFF_CRC,
                     sl_crc32c(0, o->data + start + SL_RB_OFF_ATTRIBUTES,
                               o->len - start - SL_RB_OFF_ATTRIBUTES));
    return SL_OK;
}

void sl_rb_writer_free(sl_rb_writer_t *w)
{
    sl_buf_free(&w->recs);
}
