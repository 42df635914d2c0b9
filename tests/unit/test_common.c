/* test_common.c — unit tests for common/: buffers, readers, varints, CRC-32C, properties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/crc32c.h"
#include "common/err.h"
#include "common/props.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_buf_big_endian(void **state)
{
    (void)state;
    sl_buf_t b;
    sl_buf_init(&b);
    sl_buf_put_i8(&b, -2);
    sl_buf_put_i16(&b, 0x1234);
    sl_buf_put_i32(&b, -5);
    sl_buf_put_i64(&b, 0x0102030405060708LL);
    assert_int_equal(b.len, 15);
    assert_int_equal(b.data[0], 0xfe);
    assert_int_equal(b.data[1], 0x12);
    assert_int_equal(b.data[2], 0x34);
    assert_memory_equal(b.data + 3, "\xff\xff\xff\xfb", 4);
    assert_memory_equal(b.data + 7, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    sl_rd_t r;
    sl_rd_init(&r, b.data, b.len);
    int8_t a;
    int16_t s;
    int32_t i;
    int64_t l;
    assert_int_equal(sl_rd_i8(&r, &a), SL_OK);
    assert_int_equal(sl_rd_i16(&r, &s), SL_OK);
    assert_int_equal(sl_rd_i32(&r, &i), SL_OK);
    assert_int_equal(sl_rd_i64(&r, &l), SL_OK);
    assert_int_equal(a, -2);
    assert_int_equal(s, 0x1234);
    assert_int_equal(i, -5);
    assert_true(l == 0x0102030405060708LL);
    assert_int_equal(sl_rd_i8(&r, &a), SL_TRUNC);
    sl_buf_patch_i32(&b, 3, 77);
    assert_int_equal(sl_be32(b.data + 3), 77);
    sl_buf_free(&b);
}

static void test_reader_never_overruns(void **state)
{
    (void)state;
    const uint8_t three[3] = {1, 2, 3};
    sl_rd_t r;
    sl_rd_init(&r, three, sizeof three);
    int32_t i = 99;
    assert_int_equal(sl_rd_i32(&r, &i), SL_TRUNC);
    assert_int_equal(i, 99); /* untouched on failure */
    assert_int_equal(sl_rd_left(&r), 3);
    const uint8_t *p;
    assert_int_equal(sl_rd_bytes(&r, 4, &p), SL_TRUNC);
    assert_int_equal(sl_rd_bytes(&r, 3, &p), SL_OK);
    assert_ptr_equal(p, three);
    assert_int_equal(sl_rd_skip(&r, 1), SL_TRUNC);
}

static void test_varints(void **state)
{
    (void)state;
    /* Kafka/protobuf zig-zag: 0->0, -1->1, 1->2, -2->3, ... */
    static const struct {
        int64_t v;
        const char *enc;
        size_t len;
    } cases[] = {
        {0, "\x00", 1},
        {-1, "\x01", 1},
        {1, "\x02", 1},
        {-64, "\x7f", 1},
        {64, "\x80\x01", 2},
        {300, "\xd8\x04", 2},
        {INT64_MAX, "\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10},
        {INT64_MIN, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sl_buf_t b;
        sl_buf_init(&b);
        sl_buf_put_varint(&b, cases[k].v);
        assert_int_equal(b.len, cases[k].len);
        assert_memory_equal(b.data, cases[k].enc, cases[k].len);
        assert_int_equal(sl_varint_size(cases[k].v), cases[k].len);
        sl_rd_t r;
        sl_rd_init(&r, b.data, b.len);
        int64_t x;
        assert_int_equal(sl_rd_varint(&r, &x), SL_OK);
        assert_true(x == cases[k].v);
        assert_int_equal(sl_rd_left(&r), 0);
        sl_buf_free(&b);
    }
    /* Unterminated and overlong encodings are refused, not overrun. */
    sl_rd_t r;
    uint64_t u;
    sl_rd_init(&r, "\x80\x80", 2);
    assert_int_equal(sl_rd_uvarint(&r, &u), SL_TRUNC);
    sl_rd_init(&r, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
    assert_int_equal(sl_rd_uvarint(&r, &u), SL_CORRUPT);
    int32_t i32;
    sl_rd_init(&r, "\xfe\xff\xff\xff\x1f", 5); /* 2^32-1 zig-zagged: beyond int32 */
    assert_int_equal(sl_rd_varint32(&r, &i32), SL_CORRUPT);
}

static void test_crc32c_vectors(void **state)
{
    (void)state;
    /* RFC 3720 appendix B.4 and the classic check value. */
    assert_int_equal(sl_crc32c(0, "123456789", 9), 0xE3069283);
    uint8_t zeros[32] = {0}, ones[32], inc[32];
    memset(ones, 0xff, sizeof ones);
    for (int i = 0; i < 32; i++)
        inc[i] = (uint8_t)i;
    assert_int_equal(sl_crc32c(0, zeros, 32), 0x8A9136AA);
    assert_int_equal(sl_crc32c(0, ones, 32), 0x62A8AB43);
    assert_int_equal(sl_crc32c(0, inc, 32), 0x46DD794E);
    /* Incremental equals one-shot; hardware equals software at every length/alignment. */
    uint8_t big[1000];
    for (int i = 0; i < 1000; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(sl_crc32c(sl_crc32c(0, big, 333), big + 333, 667), sl_crc32c(0, big, 1000));
    for (size_t off = 0; off < 9; off++)
        for (size_t len = 0; len < 40; len++)
            assert_int_equal(sl_crc32c(0, big + off, len), sl_crc32c_sw(0, big + off, len));
}

static void test_props_parse(void **state)
{
    (void)state;
    const char *text = "# comment\n"
                       "! also comment\n"
                       "log.dirs=/tmp/a\n"
                       "  num.partitions : 3\n"
                       "listeners PLAINTEXT://:9092\n"
                       "long.value=one \\\n"
                       "    two\n"
                       "escaped\\=key=v\\tx\n"
                       "empty=\n"
                       "log.dirs=/tmp/b\n";
    sl_props_t p;
    sl_props_init(&p);
    int line = 0;
    assert_int_equal(sl_props_parse(&p, text, strlen(text), &line), SL_OK);
    assert_string_equal(sl_props_get(&p, "log.dirs"), "/tmp/b");
    assert_string_equal(sl_props_get(&p, "num.partitions"), "3");
    assert_string_equal(sl_props_get(&p, "listeners"), "PLAINTEXT://:9092");
    assert_string_equal(sl_props_get(&p, "long.value"), "one two");
    assert_string_equal(sl_props_get(&p, "escaped=key"), "v\tx");
    assert_string_equal(sl_props_get(&p, "empty"), "");
    assert_null(sl_props_get(&p, "missing"));
    assert_int_equal(sl_props_unset(&p, "empty"), SL_OK);
    assert_int_equal(sl_props_unset(&p, "empty"), SL_NOENT);
    sl_props_free(&p);

    sl_props_init(&p);
    assert_int_equal(sl_props_parse(&p, "a=1\n=novalue\n", 13, &line), SL_INVAL);
    assert_int_equal(line, 2);
    sl_props_free(&p);

    sl_props_init(&p);
    assert_int_equal(sl_props_load(&p, "/nonexistent/sluice.properties", &line), SL_IO);
    sl_props_free(&p);
}

static void test_parse_numbers(void **state)
{
    (void)state;
    int64_t v;
    int b;
    assert_int_equal(sl_parse_i64("42", &v), SL_OK);
    assert_true(v == 42);
    assert_int_equal(sl_parse_i64("-9223372036854775808", &v), SL_OK);
    assert_int_equal(sl_parse_i64("9223372036854775808", &v), SL_INVAL);
    assert_int_equal(sl_parse_i64("12abc", &v), SL_INVAL);
    assert_int_equal(sl_parse_i64("", &v), SL_INVAL);
    assert_int_equal(sl_parse_bool("TRUE", &b), SL_OK);
    assert_int_equal(b, 1);
    assert_int_equal(sl_parse_bool("no", &b), SL_INVAL);
}

static void test_err_names(void **state)
{
    (void)state;
    assert_string_equal(sl_err_name(SL_CRC), "SL_CRC");
    assert_string_equal(sl_err_msg(SL_UNSUPP), "not supported yet");
    assert_string_equal(sl_err_name(-999), "SL_UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_big_endian), cmocka_unit_test(test_reader_never_overruns),
        cmocka_unit_test(test_varints),        cmocka_unit_test(test_crc32c_vectors),
        cmocka_unit_test(test_props_parse),    cmocka_unit_test(test_parse_numbers),
        cmocka_unit_test(test_err_names),
    };
    return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
