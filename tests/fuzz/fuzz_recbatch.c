/*
 * fuzz_recbatch.c — record batches from the network: header parse, full validation, record and
 * header iteration over arbitrary bytes. Decompression is bounded (1 MiB) so a bomb in the input
 * is a clean SL_TOOBIG, never an out-of-memory. Also feeds the raw input to every decompressor.
 * Corpus: tests/fuzz/corpus/recbatch/ (batches of each codec made by sl_rb_writer, truncations).
 */
#include "common/err.h"
#include "common/recbatch.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_UNCOMPRESSED (1u << 20)

static void iterate(const uint8_t *p, size_t n, sl_buf_t *scratch)
{
    sl_rb_iter_t it;
    if (sl_rb_iter_init(&it, p, n, scratch, FUZZ_MAX_UNCOMPRESSED) != SL_OK) return;
    sl_rb_rec_t r;
    volatile size_t sink = 0;
    while (sl_rb_iter_next(&it, &r) == SL_OK) {
        if (r.key) sink += r.key[0] + (size_t)r.key_len;
        if (r.value && r.value_len > 0) sink += r.value[r.value_len - 1];
        sl_rd_t hr;
        sl_rb_header_t h;
        sl_rd_init(&hr, r.headers, r.headers_len);
        while (sl_rb_header_next(&hr, &h) == SL_OK)
            sink += (size_t)h.key_len;
    }
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_buf_t scratch;
    sl_buf_init(&scratch);
    /* The input as a sequence of batches, the way a produce request carries them. */
    size_t off = 0;
    while (off < size) {
        sl_rb_hdr_t h;
        if (sl_rb_hdr_parse(data + off, size - off, &h) != SL_OK) break;
        size_t bs = sl_rb_size(&h);
        const char *why = NULL;
        (void)sl_rb_crc_check(data + off, bs);
        (void)sl_rb_validate(data + off, bs, &scratch, FUZZ_MAX_UNCOMPRESSED, &why);
        iterate(data + off, bs, &scratch);
        off += bs;
    }
    /* Whole input, even when the header is off. */
    const char *why = NULL;
    (void)sl_rb_validate(data, size, &scratch, FUZZ_MAX_UNCOMPRESSED, &why);
    /* The decompressors on their own. */
    if (size > 0) {
        int codec = data[0] % 5;
        sl_buf_reset(&scratch);
        (void)sl_decompress(codec, data + 1, size - 1, &scratch, FUZZ_MAX_UNCOMPRESSED);
    }
    sl_buf_free(&scratch);
    return 0;
}
