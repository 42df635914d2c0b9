/*
 * compress.c — the four compression codecs of Kafka record batches, framed as Kafka frames them.
 *
 *   gzip    RFC 1952 members (zlib with the gzip wrapper); several members back to back are
 *           accepted on decompression, as Java's GZIPInputStream does.
 *   snappy  compress: one raw snappy block (what librdkafka sends).
 *           decompress: raw snappy, or the xerial framing the Java client writes:
 *             +----------------+---------+--------+--------------+-----------+---
 *             | 82 'SNAPPY' 00 | version | compat | blockLen i32 | raw block | ...
 *             +----------------+---------+--------+--------------+-----------+---
 *   lz4     LZ4 frame format (lz4frame.h), independent 64 KiB blocks on compression, since the
 *           Java client's KafkaLZ4BlockInputStream only reads independent blocks.
 *   zstd    zstd frames, decompressed by streaming because producers may omit the content size.
 *
 * Invariant: decompression appends at most max_out bytes to `out` and returns SL_TOOBIG
 * otherwise: the output grows in steps, and a length the input claims (snappy) is checked
 * against max_out before anything is allocated, so a small "bomb" cannot exhaust memory. On any
 * failure `out` is restored to its original length. Contexts are created per call: simple, and
 * cheap next to the work of a whole batch.
 * @locality any thread
 */
#include "common/err.h"
#include "common/recbatch.h"

#include <limits.h>
#include <stdint.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* Make room for more output: returns the usable room, limited so that at most max_out + 1
 * bytes get produced in total (the extra byte is how overflow is detected). */
static size_t out_room(sl_buf_t *out, size_t start, size_t max_out, size_t hint)
{
    size_t produced = out->len - start;
    size_t limit = max_out - produced; /* produced <= max_out here */
    if (limit < SIZE_MAX) limit++;
    if (out->cap - out->len == 0) {
        size_t want = hint < 4096 ? 4096 : hint > (1u << 20) ? (1u << 20) : hint;
        if (produced > want) want = produced; /* double as we go */
        if (want > limit) want = limit;
        sl_buf_reserve(out, want);
    }
    size_t room = out->cap - out->len;
    return room < limit ? room : limit;
}

static int gzip_decompress(const uint8_t *in, size_t in_len, sl_buf_t *out, size_t max_out)
{
    size_t start = out->len;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 32) != Z_OK) return SL_NOMEM;
    int rc = SL_CORRUPT;
    size_t in_pos = 0;
    for (;;) {
        size_t chunk = in_len - in_pos < UINT_MAX ? in_len - in_pos : UINT_MAX;
        zs.next_in = (Bytef *)(uintptr_t)(in + in_pos);
        zs.avail_in = (uInt)chunk;
        size_t room = out_room(out, start, max_out, in_len * 4);
        if (room > UINT_MAX) room = UINT_MAX;
        zs.next_out = out->data + out->len;
        zs.avail_out = (uInt)room;
        int zr = inflate(&zs, Z_NO_FLUSH);
        size_t wrote = room - zs.avail_out;
        in_pos += chunk - zs.avail_in;
        out->len += wrote;
        if (out->len - start > max_out) {
            rc = SL_TOOBIG;
            break;
        }
        if (zr == Z_STREAM_END) {
            if (in_pos == in_len) {
                rc = SL_OK;
                break;
            }
            if (inflateReset(&zs) != Z_OK) break; /* another gzip member follows */
            continue;
        }
        if (zr == Z_BUF_ERROR && wrote == 0 && in_pos == in_len) {
            rc = SL_TRUNC;
            break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) break;
    }
    inflateEnd(&zs);
    if (rc != SL_OK) out->len = start;
    return rc;
}

static int gzip_compress(const uint8_t *in, size_t in_len, sl_buf_t *out)
{
    if (in_len > UINT_MAX / 2) return SL_TOOBIG;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return SL_NOMEM;
    size_t bound = deflateBound(&zs, (uLong)in_len) + 32;
    sl_buf_reserve(out, bound);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)in_len;
    zs.next_out = out->data + out->len;
    zs.avail_out = (uInt)bound;
    int zr = deflate(&zs, Z_FINISH);
    size_t wrote = bound - zs.avail_out;
    deflateEnd(&zs);
    if (zr != Z_STREAM_END) return SL_IO;
    out->len += wrote;
    return SL_OK;
}

/* One raw snappy block. */
static int snappy_raw(const uint8_t *in, size_t in_len, sl_buf_t *out, size_t start, size_t max_out)
{
    size_t n;
    if (snappy_uncompressed_length((const char *)in, in_len, &n) != SNAPPY_OK) return SL_CORRUPT;
    if (n > max_out - (out->len - start)) return SL_TOOBIG;
    sl_buf_reserve(out, n ? n : 1);
    size_t got = n;
    if (snappy_uncompress((const char *)in, in_len, (char *)out->data + out->len, &got) !=
            SNAPPY_OK ||
        got != n)
        return SL_CORRUPT;
    out->len += n;
    return SL_OK;
}

static int snappy_decompress(const uint8_t *in, size_t in_len, sl_buf_t *out, size_t max_out)
{
    static const uint8_t xerial[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    size_t start = out->len;
    int rc;
    if (in_len >= 16 && memcmp(in, xerial, 8) == 0) {
        sl_rd_t rd;
        sl_rd_init(&rd, in + 16, in_len - 16); /* skip magic, version, compat */
        rc = SL_OK;
        while (rc == SL_OK && sl_rd_left(&rd) > 0) {
            int32_t blen;
            const uint8_t *blk;
            if (sl_rd_i32(&rd, &blen) || blen < 0 || sl_rd_bytes(&rd, (size_t)blen, &blk)) {
                rc = SL_CORRUPT;
                break;
            }
            rc = snappy_raw(blk, (size_t)blen, out, start, max_out);
        }
    } else {
        rc = snappy_raw(in, in_len, out, start, max_out);
    }
    if (rc != SL_OK) out->len = start;
    return rc;
}

static int snappy_compress_raw(const uint8_t *in, size_t in_len, sl_buf_t *out)
{
    size_t cap = snappy_max_compressed_length(in_len);
    sl_buf_reserve(out, cap);
    size_t n = cap;
    if (snappy_compress((const char *)in, in_len, (char *)out->data + out->len, &n) != SNAPPY_OK)
        return SL_IO;
    out->len += n;
    return SL_OK;
}

static int lz4_decompress(const uint8_t *in, size_t in_len, sl_buf_t *out, size_t max_out)
{
    size_t start = out->len;
    LZ4F_dctx *d;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION))) return SL_NOMEM;
    int rc = SL_CORRUPT;
    size_t pos = 0, hint = 1;
    for (;;) {
        size_t room = out_room(out, start, max_out, in_len * 4);
        size_t dst = room, src = in_len - pos;
        hint = LZ4F_decompress(d, out->data + out->len, &dst, in + pos, &src, NULL);
        if (LZ4F_isError(hint)) break;
        pos += src;
        out->len += dst;
        if (out->len - start > max_out) {
            rc = SL_TOOBIG;
            break;
        }
        if (pos == in_len && hint == 0) {
            rc = SL_OK;
            break;
        }
        if (pos == in_len && dst < room) {
            rc = SL_TRUNC; /* input ended inside a frame */
            break;
        }
        if (src == 0 && dst == 0 && pos < in_len) break; /* no progress */
    }
    LZ4F_freeDecompressionContext(d);
    if (rc != SL_OK) out->len = start;
    return rc;
}

static int lz4_compress(const uint8_t *in, size_t in_len, sl_buf_t *out)
{
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof prefs);
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    size_t cap = LZ4F_compressFrameBound(in_len, &prefs);
    sl_buf_reserve(out, cap);
    size_t n = LZ4F_compressFrame(out->data + out->len, cap, in, in_len, &prefs);
    if (LZ4F_isError(n)) return SL_IO;
    out->len += n;
    return SL_OK;
}

static int zstd_decompress(const uint8_t *in, size_t in_len, sl_buf_t *out, size_t max_out)
{
    size_t start = out->len;
    ZSTD_DCtx *d = ZSTD_createDCtx();
    if (!d) return SL_NOMEM;
    int rc = SL_CORRUPT;
    ZSTD_inBuffer ib = {in, in_len, 0};
    for (;;) {
        size_t room = out_room(out, start, max_out, in_len * 4);
        ZSTD_outBuffer ob = {out->data + out->len, room, 0};
        size_t zr = ZSTD_decompressStream(d, &ob, &ib);
        if (ZSTD_isError(zr)) break;
        out->len += ob.pos;
        if (out->len - start > max_out) {
            rc = SL_TOOBIG;
            break;
        }
        if (ib.pos == ib.size) {
            if (zr == 0) {
                rc = SL_OK;
                break;
            }
            if (ob.pos < ob.size) {
                rc = SL_TRUNC; /* the last frame is incomplete */
                break;
            }
        }
    }
    ZSTD_freeDCtx(d);
    if (rc != SL_OK) out->len = start;
    return rc;
}

static int zstd_compress(const uint8_t *in, size_t in_len, sl_buf_t *out)
{
    size_t cap = ZSTD_compressBound(in_len);
    sl_buf_reserve(out, cap);
    size_t n = ZSTD_compress(out->data + out->len, cap, in, in_len, 3);
    if (ZSTD_isError(n)) return SL_IO;
    out->len += n;
    return SL_OK;
}

int sl_decompress(int codec, const uint8_t *in, size_t in_len, sl_buf_t *out, size_t max_out)
{
    switch (codec) {
    case SL_CODEC_NONE:
        if (in_len > max_out) return SL_TOOBIG;
        sl_buf_put(out, in, in_len);
        return SL_OK;
    case SL_CODEC_GZIP:
        return gzip_decompress(in, in_len, out, max_out);
    case SL_CODEC_SNAPPY:
        return snappy_decompress(in, in_len, out, max_out);
    case SL_CODEC_LZ4:
        return lz4_decompress(in, in_len, out, max_out);
    case SL_CODEC_ZSTD:
        return zstd_decompress(in, in_len, out, max_out);
    default:
        return SL_UNSUPP;
    }
}

int sl_compress(int codec, const uint8_t *in, size_t in_len, sl_buf_t *out)
{
    switch (codec) {
    case SL_CODEC_NONE:
        sl_buf_put(out, in, in_len);
        return SL_OK;
    case SL_CODEC_GZIP:
        return gzip_compress(in, in_len, out);
    case SL_CODEC_SNAPPY:
        return snappy_compress_raw(in, in_len, out);
    case SL_CODEC_LZ4:
        return lz4_compress(in, in_len, out);
    case SL_CODEC_ZSTD:
        return zstd_compress(in, in_len, out);
    default:
        return SL_UNSUPP;
    }
}
