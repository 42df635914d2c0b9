/*
 * test_recbatch.c — RecordBatch v2 and codecs: writer → validate → iterate round trips for every
 * codec, CRC and shape errors, truncation and corruption (never a crash), decompression-bomb
 * limits, the snappy xerial framing, multi-member gzip, zstd frames without a content size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "common/crc32c.h"
#include "common/err.h"
#include "common/recbatch.h"

#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

static const int all_codecs[] = {SL_CODEC_NONE, SL_CODEC_GZIP, SL_CODEC_SNAPPY, SL_CODEC_LZ4,
                                 SL_CODEC_ZSTD};

/* Deterministic PRNG (xorshift64*). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Raw headers {"h1": "v1"}, {"h2": null}. */
static void make_headers(sl_buf_t *h)
{
    sl_buf_put_varint(h, 2);
    sl_buf_put(h, "h1", 2);
    sl_buf_put_varint(h, 2);
    sl_buf_put(h, "v1", 2);
    sl_buf_put_varint(h, 2);
    sl_buf_put(h, "h2", 2);
    sl_buf_put_varint(h, -1);
}

/* A batch of n records: record i has key "key-<i>" (null for i % 5 == 4), value of i+1 copies
 * of 'a'+i%26 (null for i % 7 == 6), timestamp 1000+i, headers on even records. */
static void build_batch(sl_buf_t *out, int codec, int64_t base, int n)
{
    sl_rb_writer_t w;
    sl_buf_t hdrs;
    sl_buf_init(&hdrs);
    make_headers(&hdrs);
    sl_rb_writer_init(&w, out, codec, 0);
    for (int i = 0; i < n; i++) {
        char key[32], val[256];
        int kl = snprintf(key, sizeof key, "key-%d", i);
        int vl = (i % 250) + 1;
        memset(val, 'a' + i % 26, (size_t)vl);
        sl_rb_writer_add(&w, base + i, 1000 + i, i % 5 == 4 ? NULL : key, kl,
                         i % 7 == 6 ? NULL : val, vl, i % 2 == 0 ? hdrs.data : NULL,
                         i % 2 == 0 ? hdrs.len : 0, i % 2 == 0 ? 2 : 0);
    }
    assert_int_equal(sl_rb_writer_finish(&w), SL_OK);
    sl_rb_writer_free(&w);
    sl_buf_free(&hdrs);
}

static void check_records(const uint8_t *batch, size_t size, int64_t base, int n)
{
    sl_buf_t scratch;
    sl_buf_init(&scratch);
    sl_rb_iter_t it;
    assert_int_equal(sl_rb_iter_init(&it, batch, size, &scratch, 1 << 24), SL_OK);
    assert_int_equal(it.hdr.count, n);
    assert_int_equal(it.hdr.base_offset, base);
    assert_int_equal(it.hdr.last_offset_delta, n - 1);
    assert_int_equal(it.hdr.max_timestamp, 1000 + n - 1);
    for (int i = 0; i < n; i++) {
        sl_rb_rec_t r;
        assert_int_equal(sl_rb_iter_next(&it, &r), SL_OK);
        assert_int_equal(r.offset, base + i);
        assert_int_equal(r.timestamp, 1000 + i);
        char key[32];
        int kl = snprintf(key, sizeof key, "key-%d", i);
        if (i % 5 == 4) {
            assert_null(r.key);
            assert_int_equal(r.key_len, -1);
        } else {
            assert_int_equal(r.key_len, kl);
            assert_memory_equal(r.key, key, (size_t)kl);
        }
        if (i % 7 == 6) {
            assert_null(r.value);
            assert_int_equal(r.value_len, -1);
        } else {
            assert_int_equal(r.value_len, (i % 250) + 1);
            for (int k = 0; k < r.value_len; k++)
                assert_int_equal(r.value[k], 'a' + i % 26);
        }
        if (i % 2 == 0) {
            assert_int_equal(r.header_count, 2);
            sl_rd_t hr;
            sl_rb_header_t h;
            sl_rd_init(&hr, r.headers, r.headers_len);
            assert_int_equal(sl_rb_header_next(&hr, &h), SL_OK);
            assert_int_equal(h.key_len, 2);
            assert_memory_equal(h.key, "h1", 2);
            assert_int_equal(h.value_len, 2);
            assert_memory_equal(h.value, "v1", 2);
            assert_int_equal(sl_rb_header_next(&hr, &h), SL_OK);
            assert_memory_equal(h.key, "h2", 2);
            assert_int_equal(h.value_len, -1);
            assert_null(h.value);
            assert_int_equal(sl_rb_header_next(&hr, &h), SL_EOF);
        } else {
            assert_int_equal(r.header_count, 0);
            assert_int_equal(r.headers_len, 0);
        }
    }
    sl_rb_rec_t r;
    assert_int_equal(sl_rb_iter_next(&it, &r), SL_EOF);
    sl_buf_free(&scratch);
}

static void test_roundtrip_all_codecs(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof all_codecs / sizeof *all_codecs; c++) {
        int counts[] = {1, 3, 200};
        for (size_t k = 0; k < 3; k++) {
            sl_buf_t b, scratch;
            sl_buf_init(&b);
            sl_buf_init(&scratch);
            sl_buf_put(&b, "prefix", 6); /* the writer appends after existing bytes */
            build_batch(&b, all_codecs[c], 42, counts[k]);
            const uint8_t *batch = b.data + 6;
            size_t size = b.len - 6;
            sl_rb_hdr_t h;
            assert_int_equal(sl_rb_hdr_parse(batch, size, &h), SL_OK);
            assert_int_equal(sl_rb_size(&h), size);
            assert_int_equal(h.attributes & SL_RB_ATTR_CODEC_MASK, all_codecs[c]);
            assert_int_equal(h.producer_id, -1);
            assert_int_equal(sl_rb_crc_check(batch, size), SL_OK);
            const char *why = "unset";
            assert_int_equal(sl_rb_validate(batch, size, &scratch, 1 << 24, &why), SL_OK);
            check_records(batch, size, 42, counts[k]);
            sl_buf_free(&b);
            sl_buf_free(&scratch);
        }
    }
}

static void test_crc_mismatch(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof all_codecs / sizeof *all_codecs; c++) {
        sl_buf_t b, scratch;
        sl_buf_init(&b);
        sl_buf_init(&scratch);
        build_batch(&b, all_codecs[c], 0, 10);
        /* baseOffset and leader epoch are outside the CRC: rewriting them is fine. */
        sl_wbe64(b.data, 12345);
        sl_wbe32(b.data + SL_RB_OFF_LEADER_EPOCH, 7);
        const char *why;
        assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 24, &why), SL_OK);
        for (size_t pos = SL_RB_OFF_ATTRIBUTES; pos < b.len; pos += 7) {
            b.data[pos] ^= 0x10;
            assert_int_equal(sl_rb_crc_check(b.data, b.len), SL_CRC);
            assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 24, &why), SL_CRC);
            assert_non_null(why);
            b.data[pos] ^= 0x10;
        }
        sl_buf_free(&b);
        sl_buf_free(&scratch);
    }
}

/* Recompute the CRC after tampering, to reach the record checks. */
static void fix_crc(uint8_t *b, size_t len)
{
    sl_wbe32(b + SL_RB_OFF_CRC, sl_crc32c(0, b + SL_RB_OFF_ATTRIBUTES, len - SL_RB_OFF_ATTRIBUTES));
}

static void test_header_errors(void **state)
{
    (void)state;
    sl_buf_t b, scratch;
    sl_buf_init(&b);
    sl_buf_init(&scratch);
    build_batch(&b, SL_CODEC_NONE, 0, 5);
    sl_rb_hdr_t h;
    const char *why;
    /* magic */
    b.data[SL_RB_OFF_MAGIC] = 1;
    assert_int_equal(sl_rb_hdr_parse(b.data, b.len, &h), SL_CORRUPT);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_CORRUPT);
    b.data[SL_RB_OFF_MAGIC] = 2;
    /* batch length too small */
    uint32_t blen = sl_be32(b.data + 8);
    sl_wbe32(b.data + 8, 48);
    assert_int_equal(sl_rb_hdr_parse(b.data, b.len, &h), SL_CORRUPT);
    sl_wbe32(b.data + 8, 0xffffffffu);
    assert_int_equal(sl_rb_hdr_parse(b.data, b.len, &h), SL_CORRUPT);
    /* batch length larger than available */
    sl_wbe32(b.data + 8, blen + 1);
    assert_int_equal(sl_rb_hdr_parse(b.data, b.len, &h), SL_TRUNC);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_TRUNC);
    sl_wbe32(b.data + 8, blen);
    /* negative count / lastOffsetDelta */
    sl_wbe32(b.data + SL_RB_OFF_COUNT, 0xffffffffu);
    assert_int_equal(sl_rb_hdr_parse(b.data, b.len, &h), SL_CORRUPT);
    sl_wbe32(b.data + SL_RB_OFF_COUNT, 5);
    sl_wbe32(b.data + SL_RB_OFF_LAST_OFFSET_DELTA, 0xffffffffu);
    assert_int_equal(sl_rb_hdr_parse(b.data, b.len, &h), SL_CORRUPT);
    sl_wbe32(b.data + SL_RB_OFF_LAST_OFFSET_DELTA, 4);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_OK);
    /* count says more records than present */
    sl_wbe32(b.data + SL_RB_OFF_COUNT, 6);
    sl_wbe32(b.data + SL_RB_OFF_LAST_OFFSET_DELTA, 5);
    fix_crc(b.data, b.len);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_CORRUPT);
    assert_non_null(strstr(why, "record 5"));
    /* count says fewer: bytes follow the last record */
    sl_wbe32(b.data + SL_RB_OFF_COUNT, 4);
    sl_wbe32(b.data + SL_RB_OFF_LAST_OFFSET_DELTA, 3);
    fix_crc(b.data, b.len);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_CORRUPT);
    /* lastOffsetDelta inconsistent with count */
    sl_wbe32(b.data + SL_RB_OFF_COUNT, 5);
    sl_wbe32(b.data + SL_RB_OFF_LAST_OFFSET_DELTA, 9);
    fix_crc(b.data, b.len);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_CORRUPT);
    sl_wbe32(b.data + SL_RB_OFF_LAST_OFFSET_DELTA, 4);
    /* unknown codec */
    b.data[SL_RB_OFF_ATTRIBUTES + 1] = 5;
    fix_crc(b.data, b.len);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_UNSUPP);
    assert_non_null(strstr(why, "codec"));
    b.data[SL_RB_OFF_ATTRIBUTES + 1] = 0;
    fix_crc(b.data, b.len);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_OK);
    /* trailing byte after the batch */
    sl_buf_put_i8(&b, 0);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_CORRUPT);
    sl_buf_free(&b);
    sl_buf_free(&scratch);
}

static void test_record_errors(void **state)
{
    (void)state;
    /* A hand-made uncompressed batch with one record whose key length lies. */
    sl_buf_t b, scratch;
    sl_buf_init(&b);
    sl_buf_init(&scratch);
    build_batch(&b, SL_CODEC_NONE, 0, 1);
    /* record: len, attr, tsDelta(0), offDelta(0), keyLen(5 "key-0") */
    size_t kl_at = SL_RB_HEADER_SIZE + 1 + 1 + 1 + 1;
    assert_int_equal(b.data[kl_at], 10); /* zig-zag 5 */
    const char *why;
    b.data[kl_at] = 100; /* 50 > the record */
    fix_crc(b.data, b.len);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_CORRUPT);
    assert_non_null(strstr(why, "record 0: key length"));
    b.data[kl_at] = 3; /* -2 */
    fix_crc(b.data, b.len);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_CORRUPT);
    b.data[kl_at] = 10;
    /* offset delta out of sequence */
    b.data[SL_RB_HEADER_SIZE + 3] = 2; /* offDelta 1 */
    fix_crc(b.data, b.len);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_CORRUPT);
    assert_non_null(strstr(why, "offset delta"));
    b.data[SL_RB_HEADER_SIZE + 3] = 0;
    /* record length larger than the batch */
    b.data[SL_RB_HEADER_SIZE] = 0x7e;
    fix_crc(b.data, b.len);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_CORRUPT);
    sl_buf_free(&b);
    sl_buf_free(&scratch);
}

static void test_truncated_inputs(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof all_codecs / sizeof *all_codecs; c++) {
        sl_buf_t b, scratch;
        sl_buf_init(&b);
        sl_buf_init(&scratch);
        build_batch(&b, all_codecs[c], 0, 20);
        for (size_t len = 0; len < b.len; len++) {
            /* Exact-size copy so ASan catches any over-read. */
            uint8_t *cp = malloc(len ? len : 1);
            memcpy(cp, b.data, len);
            sl_rb_hdr_t h;
            const char *why;
            int rc = sl_rb_hdr_parse(cp, len, &h);
            assert_int_equal(rc, SL_TRUNC);
            rc = sl_rb_validate(cp, len, &scratch, 1 << 20, &why);
            assert_int_equal(rc, SL_TRUNC);
            /* Same bytes, batchLength patched to claim exactly what is there. */
            if (len >= SL_RB_HEADER_SIZE) {
                sl_wbe32(cp + 8, (uint32_t)(len - 12));
                fix_crc(cp, len);
                rc = sl_rb_validate(cp, len, &scratch, 1 << 20, &why);
                assert_true(rc == SL_CORRUPT || rc == SL_TOOBIG);
                sl_rb_iter_t it;
                if (sl_rb_iter_init(&it, cp, len, &scratch, 1 << 20) == SL_OK) {
                    sl_rb_rec_t r;
                    int n = 0;
                    while (sl_rb_iter_next(&it, &r) == SL_OK)
                        n++;
                    assert_true(n < 20);
                }
            }
            free(cp);
        }
        sl_buf_free(&b);
        sl_buf_free(&scratch);
    }
}

static void test_random_corruption(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof all_codecs / sizeof *all_codecs; c++) {
        sl_buf_t b, scratch;
        sl_buf_init(&b);
        sl_buf_init(&scratch);
        build_batch(&b, all_codecs[c], 0, 30);
        uint8_t *cp = malloc(b.len);
        int ok = 0, bad = 0;
        for (int iter = 0; iter < 400; iter++) {
            memcpy(cp, b.data, b.len);
            int flips = 1 + (int)(rnd() % 4);
            for (int f = 0; f < flips; f++) {
                size_t pos = SL_RB_OFF_ATTRIBUTES + 2 + rnd() % (b.len - SL_RB_OFF_ATTRIBUTES - 2);
                cp[pos] = (uint8_t)rnd();
            }
            fix_crc(cp, b.len);
            const char *why = NULL;
            int rc = sl_rb_validate(cp, b.len, &scratch, 1 << 20, &why);
            assert_true(rc == SL_OK || rc == SL_CORRUPT || rc == SL_TOOBIG || rc == SL_TRUNC);
            if (rc == SL_OK) {
                ok++;
            } else {
                bad++;
                assert_non_null(why);
            }
            /* Iterating never crashes, whatever validate said. */
            sl_rb_iter_t it;
            if (sl_rb_iter_init(&it, cp, b.len, &scratch, 1 << 20) == SL_OK) {
                sl_rb_rec_t r;
                while (sl_rb_iter_next(&it, &r) == SL_OK) {
                    sl_rd_t hr;
                    sl_rb_header_t h;
                    sl_rd_init(&hr, r.headers, r.headers_len);
                    while (sl_rb_header_next(&hr, &h) == SL_OK) {
                    }
                }
            }
        }
        assert_true(bad > 0);
        free(cp);
        sl_buf_free(&b);
        sl_buf_free(&scratch);
    }
}

static void test_decompression_bomb(void **state)
{
    (void)state;
    size_t big = 8u << 20;
    uint8_t *zeros = calloc(1, big);
    for (size_t c = 1; c < sizeof all_codecs / sizeof *all_codecs; c++) {
        int codec = all_codecs[c];
        sl_buf_t comp, out;
        sl_buf_init(&comp);
        sl_buf_init(&out);
        assert_int_equal(sl_compress(codec, zeros, big, &comp), SL_OK);
        assert_true(comp.len < big / 10);
        sl_buf_put(&out, "xy", 2);
        assert_int_equal(sl_decompress(codec, comp.data, comp.len, &out, 1 << 20), SL_TOOBIG);
        assert_int_equal(out.len, 2); /* restored */
        assert_true(out.cap <= (2u << 20) + 4096 || codec == SL_CODEC_SNAPPY);
        assert_int_equal(sl_decompress(codec, comp.data, comp.len, &out, big - 1), SL_TOOBIG);
        assert_int_equal(sl_decompress(codec, comp.data, comp.len, &out, big), SL_OK);
        assert_int_equal(out.len, big + 2);
        assert_memory_equal(out.data + 2, zeros, big);
        sl_buf_free(&comp);
        sl_buf_free(&out);
    }
    /* Snappy claims its length up front: the claim alone must be refused, not allocated. */
    sl_buf_t out;
    sl_buf_init(&out);
    uint8_t liar[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
    int rc = sl_decompress(SL_CODEC_SNAPPY, liar, sizeof liar, &out, 1 << 20);
    assert_true(rc == SL_TOOBIG || rc == SL_CORRUPT);
    assert_true(out.cap < (1u << 20));
    sl_buf_free(&out);

    /* Through validate: a zstd batch of 4 MiB of records with a 1 MiB limit. */
    sl_buf_t b, scratch;
    sl_buf_init(&b);
    sl_buf_init(&scratch);
    sl_rb_writer_t w;
    sl_rb_writer_init(&w, &b, SL_CODEC_ZSTD, 0);
    for (int i = 0; i < 4; i++)
        sl_rb_writer_add(&w, i, 0, NULL, -1, zeros, 1 << 20, NULL, 0, 0);
    assert_int_equal(sl_rb_writer_finish(&w), SL_OK);
    sl_rb_writer_free(&w);
    const char *why;
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_TOOBIG);
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 8 << 20, &why), SL_OK);
    sl_buf_free(&b);
    sl_buf_free(&scratch);
    free(zeros);
}

static void test_decompress_garbage(void **state)
{
    (void)state;
    uint8_t junk[512];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)rnd();
    for (size_t c = 1; c < sizeof all_codecs / sizeof *all_codecs; c++) {
        for (size_t len = 0; len <= sizeof junk; len += 37) {
            sl_buf_t out;
            sl_buf_init(&out);
            int rc = sl_decompress(all_codecs[c], junk, len, &out, 1 << 20);
            assert_true(rc == SL_CORRUPT || rc == SL_TRUNC || rc == SL_TOOBIG || rc == SL_OK);
            if (rc != SL_OK) assert_int_equal(out.len, 0);
            sl_buf_free(&out);
        }
        /* Truncations of a valid stream. */
        sl_buf_t comp;
        sl_buf_init(&comp);
        assert_int_equal(sl_compress(all_codecs[c], junk, sizeof junk, &comp), SL_OK);
        for (size_t len = 0; len < comp.len; len++) {
            uint8_t *cp = malloc(len ? len : 1);
            memcpy(cp, comp.data, len);
            sl_buf_t out;
            sl_buf_init(&out);
            int rc = sl_decompress(all_codecs[c], cp, len, &out, 1 << 20);
            assert_int_not_equal(rc, SL_OK);
            sl_buf_free(&out);
            free(cp);
        }
        sl_buf_free(&comp);
    }
    sl_buf_t out;
    sl_buf_init(&out);
    assert_int_equal(sl_decompress(9, junk, 10, &out, 100), SL_UNSUPP);
    assert_int_equal(sl_compress(9, junk, 10, &out), SL_UNSUPP);
    sl_buf_free(&out);
}

static void test_snappy_xerial(void **state)
{
    (void)state;
    const char *parts[] = {"hello, xerial snappy framing; ", "second block of the stream"};
    sl_buf_t framed, out;
    sl_buf_init(&framed);
    sl_buf_init(&out);
    static const uint8_t magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    sl_buf_put(&framed, magic, 8);
    sl_buf_put_i32(&framed, 1); /* version */
    sl_buf_put_i32(&framed, 1); /* compatible version */
    for (int i = 0; i < 2; i++) {
        size_t n = snappy_max_compressed_length(strlen(parts[i]));
        char *tmp = malloc(n);
        assert_int_equal(snappy_compress(parts[i], strlen(parts[i]), tmp, &n), SNAPPY_OK);
        sl_buf_put_i32(&framed, (int32_t)n);
        sl_buf_put(&framed, tmp, n);
        free(tmp);
    }
    assert_int_equal(sl_decompress(SL_CODEC_SNAPPY, framed.data, framed.len, &out, 1 << 20), SL_OK);
    char want[128];
    snprintf(want, sizeof want, "%s%s", parts[0], parts[1]);
    assert_int_equal(out.len, strlen(want));
    assert_memory_equal(out.data, want, out.len);
    /* Limit applies across blocks. */
    sl_buf_reset(&out);
    assert_int_equal(sl_decompress(SL_CODEC_SNAPPY, framed.data, framed.len, &out, 40), SL_TOOBIG);
    assert_int_equal(out.len, 0);
    /* A block length past the end is corrupt. */
    framed.data[16] = 0x7f;
    assert_int_equal(sl_decompress(SL_CODEC_SNAPPY, framed.data, framed.len, &out, 1 << 20),
                     SL_CORRUPT);
    sl_buf_free(&framed);
    sl_buf_free(&out);
}

static void test_gzip_multi_member(void **state)
{
    (void)state;
    sl_buf_t comp, out;
    sl_buf_init(&comp);
    sl_buf_init(&out);
    assert_int_equal(sl_compress(SL_CODEC_GZIP, (const uint8_t *)"abc", 3, &comp), SL_OK);
    assert_int_equal(comp.data[0], 0x1f); /* gzip magic, not a bare zlib stream */
    assert_int_equal(comp.data[1], 0x8b);
    assert_int_equal(sl_compress(SL_CODEC_GZIP, (const uint8_t *)"def", 3, &comp), SL_OK);
    assert_int_equal(sl_decompress(SL_CODEC_GZIP, comp.data, comp.len, &out, 100), SL_OK);
    assert_int_equal(out.len, 6);
    assert_memory_equal(out.data, "abcdef", 6);
    sl_buf_free(&comp);
    sl_buf_free(&out);
}

static void test_zstd_without_content_size(void **state)
{
    (void)state;
    /* Streaming compression leaves the frame content size out. */
    const size_t n = 300000;
    uint8_t *src = malloc(n);
    for (size_t i = 0; i < n; i++)
        src[i] = (uint8_t)(i % 251);
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    size_t cap = ZSTD_compressBound(n);
    uint8_t *dst = malloc(cap);
    ZSTD_inBuffer ib = {src, n, 0};
    ZSTD_outBuffer ob = {dst, cap, 0};
    size_t rem = ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_continue);
    assert_false(ZSTD_isError(rem));
    ZSTD_inBuffer empty = {NULL, 0, 0};
    do {
        rem = ZSTD_compressStream2(cc, &ob, &empty, ZSTD_e_end);
        assert_false(ZSTD_isError(rem));
    } while (rem != 0);
    ZSTD_freeCCtx(cc);
    assert_int_equal(ZSTD_getFrameContentSize(dst, ob.pos), ZSTD_CONTENTSIZE_UNKNOWN);
    sl_buf_t out;
    sl_buf_init(&out);
    assert_int_equal(sl_decompress(SL_CODEC_ZSTD, dst, ob.pos, &out, n), SL_OK);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, src, n);
    sl_buf_reset(&out);
    assert_int_equal(sl_decompress(SL_CODEC_ZSTD, dst, ob.pos, &out, n - 1), SL_TOOBIG);
    sl_buf_free(&out);
    free(src);
    free(dst);
}

static void test_writer_gaps_and_log_append_time(void **state)
{
    (void)state;
    sl_buf_t b, scratch;
    sl_buf_init(&b);
    sl_buf_init(&scratch);
    sl_rb_writer_t w;
    sl_rb_writer_init(&w, &b, SL_CODEC_LZ4, SL_RB_ATTR_LOG_APPEND_TIME);
    assert_int_equal(sl_rb_writer_finish(&w), SL_INVAL); /* no record */
    sl_rb_writer_add(&w, 10, 500, "a", 1, "1", 1, NULL, 0, 0);
    sl_rb_writer_add(&w, 15, 400, "b", 1, NULL, -1, NULL, 0, 0);
    sl_rb_writer_add(&w, 20, 900, "c", 1, "3", 1, NULL, 0, 0);
    assert_int_equal(sl_rb_writer_finish(&w), SL_OK);
    sl_rb_writer_free(&w);
    sl_rb_hdr_t h;
    assert_int_equal(sl_rb_hdr_parse(b.data, b.len, &h), SL_OK);
    assert_int_equal(h.base_offset, 10);
    assert_int_equal(h.last_offset_delta, 10);
    assert_int_equal(h.count, 3);
    assert_int_equal(h.max_timestamp, 900);
    assert_int_equal(h.base_timestamp, 500);
    assert_int_equal(h.attributes, SL_RB_ATTR_LOG_APPEND_TIME | SL_CODEC_LZ4);
    assert_int_equal(sl_rb_crc_check(b.data, b.len), SL_OK);
    /* Produce-time validation insists on consecutive offsets. */
    const char *why;
    assert_int_equal(sl_rb_validate(b.data, b.len, &scratch, 1 << 20, &why), SL_CORRUPT);
    sl_rb_iter_t it;
    sl_rb_rec_t r;
    int64_t want[] = {10, 15, 20};
    assert_int_equal(sl_rb_iter_init(&it, b.data, b.len, &scratch, 1 << 20), SL_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sl_rb_iter_next(&it, &r), SL_OK);
        assert_int_equal(r.offset, want[i]);
        assert_int_equal(r.timestamp, 900); /* LogAppendTime: the batch's max timestamp */
    }
    assert_int_equal(sl_rb_iter_next(&it, &r), SL_EOF);
    sl_buf_free(&b);
    sl_buf_free(&scratch);
}

static void test_codec_names(void **state)
{
    (void)state;
    for (int c = 0; c <= SL_CODEC_ZSTD; c++)
        assert_int_equal(sl_codec_parse(sl_codec_name(c)), c);
    assert_string_equal(sl_codec_name(SL_CODEC_SNAPPY), "snappy");
    assert_string_equal(sl_codec_name(7), "unknown");
    assert_string_equal(sl_codec_name(-1), "unknown");
    assert_int_equal(sl_codec_parse("uncompressed"), SL_CODEC_NONE);
    assert_int_equal(sl_codec_parse("brotli"), -1);
    assert_int_equal(sl_codec_parse(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_all_codecs),
        cmocka_unit_test(test_crc_mismatch),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_record_errors),
        cmocka_unit_test(test_truncated_inputs),
        cmocka_unit_test(test_random_corruption),
        cmocka_unit_test(test_decompression_bomb),
        cmocka_unit_test(test_decompress_garbage),
        cmocka_unit_test(test_snappy_xerial),
        cmocka_unit_test(test_gzip_multi_member),
        cmocka_unit_test(test_zstd_without_content_size),
        cmocka_unit_test(test_writer_gaps_and_log_append_time),
        cmocka_unit_test(test_codec_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
