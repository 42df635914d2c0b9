/*
 * test_sql_types.c — unit tests for the SQL type system (sql/types.c), SQL values
 * (sql/value.c) and the arena (common/arena.c): ksqlDB's type text and parser, widening,
 * decimals, Java-compatible number and date text, CAST rules, comparison, hashing and the
 * JSON form. Expected strings are ksqlDB's (from its error messages, DESCRIBE output and the
 * query-validation cases) or Java's (Double.toString, BigDecimal), written out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/err.h"
#include "sql/types.h"
#include "sql/value.h"

static sl_arena_t A;

static int setup(void **state)
{
    sl_arena_init(&A, 0);
    return 0;
}

static int teardown(void **state)
{
    sl_arena_free(&A);
    return 0;
}

static const sl_type_t *T(const char *text)
{
    const sl_type_t *t = NULL;
    char err[256];
    int rc = sl_type_parse(&A, text, strlen(text), NULL, NULL, &t, err, sizeof(err));
    if (rc != SL_OK) fail_msg("parse of %s failed: %s", text, err);
    return t;
}

static void assert_type_text(const sl_type_t *t, const char *want)
{
    assert_string_equal(sl_type_str(&A, t), want);
}

/* ---- types ------------------------------------------------------------------------------- */

static void test_type_format(void **state)
{
    sl_field_t f[2] = {{"A", SL_T_INTEGER}, {"b", SL_T_STRING}};
    const sl_type_t *d;
    assert_int_equal(sl_type_decimal(&A, 4, 2, &d), SL_OK);
    assert_type_text(SL_T_INTEGER, "INTEGER");
    assert_type_text(SL_T_TIMESTAMP, "TIMESTAMP");
    assert_type_text(d, "DECIMAL(4, 2)");
    assert_type_text(sl_type_array(&A, SL_T_STRING), "ARRAY<STRING>");
    assert_type_text(sl_type_map(&A, SL_T_STRING, SL_T_INTEGER), "MAP<STRING, INTEGER>");
    assert_type_text(sl_type_struct(&A, f, 2), "STRUCT<`A` INTEGER, `b` STRING>");
    assert_type_text(sl_type_struct(&A, f, 0), "STRUCT< >");
    assert_type_text(T("struct<`we``ird` int>"), "STRUCT<`we``ird` INTEGER>");
    assert_string_equal(sl_type_kind_name(SL_TYPE_DECIMAL), "DECIMAL");
    assert_int_equal(sl_type_decimal(&A, 0, 0, &d), SL_INVAL);
    assert_int_equal(sl_type_decimal(&A, 4, 5, &d), SL_INVAL);
}

static void test_type_parse(void **state)
{
    const sl_type_t *t;
    char err[256];
    assert_type_text(T("INT"), "INTEGER");
    assert_type_text(T("varchar"), "STRING");
    assert_type_text(T("DECIMAL(6,4)"), "DECIMAL(6, 4)");
    assert_type_text(T("DECIMAL (7, 6)"), "DECIMAL(7, 6)");
    assert_type_text(T("ARRAY<MAP<STRING, ARRAY<INT>>>"), "ARRAY<MAP<STRING, ARRAY<INTEGER>>>");
    assert_type_text(T("STRUCT<Person STRUCT<Name STRING>>"),
                     "STRUCT<`PERSON` STRUCT<`NAME` STRING>>");
    assert_type_text(T("STRUCT<F0 INT, `f1` INT>"), "STRUCT<`F0` INTEGER, `f1` INTEGER>");
    assert_type_text(T("STRUCT< >"), "STRUCT< >");
    assert_type_text(T("MAP<INT, DOUBLE>"), "MAP<INTEGER, DOUBLE>");
    assert_int_equal(sl_type_parse(&A, "NULL", 4, NULL, NULL, &t, err, sizeof(err)), SL_INVAL);
    assert_non_null(strstr(err, "unknown type NULL"));
    assert_int_equal(sl_type_parse(&A, "DECIMAL(2,3)", 12, NULL, NULL, &t, err, sizeof(err)),
                     SL_INVAL);
    assert_int_equal(sl_type_parse(&A, "ARRAY<INT", 9, NULL, NULL, &t, err, sizeof(err)), SL_INVAL);
    assert_int_equal(
        sl_type_parse(&A, "STRUCT<A INT, A INT>", 20, NULL, NULL, &t, err, sizeof(err)), SL_INVAL);
    assert_int_equal(sl_type_parse(&A, "INT junk", 8, NULL, NULL, &t, err, sizeof(err)), SL_INVAL);
    {
        /* nesting is bounded instead of exhausting the stack */
        char deep[2048] = "";
        for (int i = 0; i < 200; i++)
            strcat(deep, "ARRAY<");
        strcat(deep, "INT");
        for (int i = 0; i < 200; i++)
            strcat(deep, ">");
        assert_int_equal(sl_type_parse(&A, deep, strlen(deep), NULL, NULL, &t, err, sizeof(err)),
                         SL_INVAL);
    }
}

static const sl_type_t *resolve_custom(void *ud, const char *name)
{
    return strcmp(name, "ADDRESS") == 0 ? (const sl_type_t *)ud : NULL;
}

static void test_type_custom_and_schema(void **state)
{
    const sl_type_t *addr = T("STRUCT<STREET STRING>"), *t;
    sl_column_t *cols;
    uint32_t n;
    char err[256];
    sl_buf_t b;
    const char *text = "ID INT KEY, `c1` STRING, S STRUCT<F1 INT>, H BYTES HEADER('k'), "
                       "HS ARRAY<STRUCT<KEY STRING, VALUE BYTES>> HEADERS";
    assert_int_equal(
        sl_type_parse(&A, "address", 7, resolve_custom, (void *)addr, &t, err, sizeof(err)), SL_OK);
    assert_true(sl_type_equal(t, addr));
    assert_int_equal(
        sl_schema_parse(&A, text, strlen(text), NULL, NULL, &cols, &n, err, sizeof(err)), SL_OK);
    assert_int_equal(n, 5);
    assert_string_equal(cols[0].name, "ID");
    assert_int_equal(cols[0].role, SL_COL_KEY);
    assert_string_equal(cols[1].name, "c1");
    assert_int_equal(cols[3].role, SL_COL_HEADER);
    assert_string_equal(cols[3].header_key, "k");
    assert_int_equal(cols[4].role, SL_COL_HEADERS);
    sl_buf_init(&b);
    sl_schema_format(cols, 3, &b);
    assert_int_equal(b.len, strlen("`ID` INTEGER KEY, `c1` STRING, `S` STRUCT<`F1` INTEGER>"));
    assert_memory_equal(b.data, "`ID` INTEGER KEY, `c1` STRING, `S` STRUCT<`F1` INTEGER>", b.len);
    sl_buf_free(&b);
    assert_int_equal(sl_schema_parse(&A, "K INT PRIMARY KEY, V DECIMAL(2, 1)", 34, NULL, NULL,
                                     &cols, &n, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(cols[0].role, SL_COL_PRIMARY_KEY);
    assert_int_equal(
        sl_schema_parse(&A, "A INT, A INT", 12, NULL, NULL, &cols, &n, err, sizeof(err)), SL_INVAL);
    assert_int_equal(
        sl_schema_parse(&A, "A INT B INT", 11, NULL, NULL, &cols, &n, err, sizeof(err)), SL_INVAL);
}

static void test_type_widen(void **state)
{
    const sl_type_t *d42 = T("DECIMAL(4,2)"), *w;
    assert_true(sl_type_can_widen(SL_T_INTEGER, SL_T_BIGINT));
    assert_true(sl_type_can_widen(SL_T_BIGINT, SL_T_DOUBLE));
    assert_true(sl_type_can_widen(SL_T_INTEGER, d42));
    assert_true(sl_type_can_widen(d42, SL_T_DOUBLE));
    assert_false(sl_type_can_widen(SL_T_DOUBLE, d42));
    assert_false(sl_type_can_widen(SL_T_BIGINT, SL_T_INTEGER));
    assert_false(sl_type_can_widen(SL_T_STRING, SL_T_INTEGER));
    assert_true(sl_type_can_widen(d42, T("DECIMAL(5,3)")));
    assert_false(sl_type_can_widen(d42, T("DECIMAL(4,3)")));
    assert_true(sl_type_can_widen(T("ARRAY<INT>"), T("ARRAY<BIGINT>")));
    assert_true(sl_type_can_widen(T("STRUCT<F0 INT>"), T("STRUCT<F0 BIGINT>")));
    /* ksqlDB's "operator does not exist: DECIMAL(12, 2) = STRING" case: DECIMAL(4,2) meets 10 */
    assert_type_text(sl_type_widen(&A, d42, SL_T_INTEGER), "DECIMAL(12, 2)");
    assert_type_text(sl_type_widen(&A, SL_T_BIGINT, d42), "DECIMAL(21, 2)");
    assert_type_text(sl_type_widen(&A, T("DECIMAL(9,2)"), T("DECIMAL(7,6)")), "DECIMAL(13, 6)");
    assert_type_text(sl_type_widen(&A, SL_T_INTEGER, SL_T_BIGINT), "BIGINT");
    assert_type_text(sl_type_widen(&A, d42, SL_T_DOUBLE), "DOUBLE");
    assert_type_text(sl_type_widen(&A, T("MAP<STRING, INT>"), T("MAP<STRING, BIGINT>")),
                     "MAP<STRING, BIGINT>");
    assert_null(sl_type_widen(&A, SL_T_STRING, SL_T_INTEGER));
    assert_null(sl_type_widen(&A, T("STRUCT<A INT>"), T("STRUCT<B INT>")));
    w = sl_type_as_decimal(SL_T_BIGINT);
    assert_type_text(w, "DECIMAL(19, 0)");
    assert_true(sl_type_equal(T("STRUCT<A INT, B STRING>"), T("STRUCT<A INTEGER, B VARCHAR>")));
    assert_false(sl_type_equal(T("STRUCT<A INT>"), T("STRUCT<`a` INT>")));
}

/* ---- decimals and numbers ---------------------------------------------------------------- */

static const char *dec_str(sl_i128 v, int scale)
{
    static char buf[64];
    sl_dec_to_str(v, scale, buf);
    return buf;
}

static void test_decimal(void **state)
{
    sl_i128 v, r;
    int sc;
    char err[256];
    assert_int_equal(sl_dec_parse("-12.340", 7, &v, &sc), SL_OK);
    assert_int_equal(sc, 3);
    assert_string_equal(dec_str(v, sc), "-12.340");
    assert_int_equal(sl_dec_parse("1E+3", 4, &v, &sc), SL_OK);
    assert_string_equal(dec_str(v, sc), "1000");
    assert_int_equal(sl_dec_parse("1.5e-2", 6, &v, &sc), SL_OK);
    assert_string_equal(dec_str(v, sc), "0.015");
    assert_int_equal(sl_dec_parse(".5", 2, &v, &sc), SL_OK);
    assert_string_equal(dec_str(v, sc), "0.5");
    assert_int_equal(sl_dec_parse("abc", 3, &v, &sc), SL_INVAL);
    assert_int_equal(sl_dec_parse("1.2.3", 5, &v, &sc), SL_INVAL);
    assert_int_equal(sl_dec_parse("123456789012345678901234567890123456789", 39, &v, &sc),
                     SL_RANGE);
    /* the 38-digit maximum fits */
    assert_int_equal(sl_dec_parse("99999999999999999999999999999999999999", 38, &v, &sc), SL_OK);
    assert_true(v == sl_dec_pow10(38) - 1);
    assert_int_equal(sl_dec_digits(v), 38);
    /* HALF_UP rescaling, away from zero on ties */
    assert_int_equal(sl_dec_rescale(125, 2, 1, &r), SL_OK);
    assert_string_equal(dec_str(r, 1), "1.3");
    assert_int_equal(sl_dec_rescale(-125, 2, 1, &r), SL_OK);
    assert_string_equal(dec_str(r, 1), "-1.3");
    assert_int_equal(sl_dec_rescale(124, 2, 1, &r), SL_OK);
    assert_string_equal(dec_str(r, 1), "1.2");
    assert_int_equal(sl_dec_rescale(v, 0, 1, &r), SL_RANGE);
    assert_int_equal(sl_dec_check(12345, 4, 2, err, sizeof(err)), SL_RANGE);
    assert_string_equal(err, "Numeric field overflow: A field with precision 4 and scale 2 must "
                             "round to an absolute value less than 10^2. Got 123.45");
    assert_int_equal(sl_dec_check(9999, 4, 2, err, sizeof(err)), SL_OK);
    assert_true(sl_dec_cmp(10, 1, 100, 2) == 0);
    assert_true(sl_dec_cmp(11, 1, 100, 2) > 0);
    assert_true(sl_dec_cmp(-5, 0, 1, 30) < 0);
    assert_true(sl_dec_to_double(12345, 3) == 12.345);
    /* BigDecimal.valueOf(double).setScale(scale, HALF_UP) */
    assert_int_equal(sl_dec_from_double(0.99, 1, &r), SL_OK);
    assert_string_equal(dec_str(r, 1), "1.0");
    assert_int_equal(sl_dec_from_double(0.1, 1, &r), SL_OK);
    assert_string_equal(dec_str(r, 1), "0.1");
    assert_int_equal(sl_dec_from_double(NAN, 1, &r), SL_INVAL);
    assert_string_equal(dec_str(5, 3), "0.005");
    assert_string_equal(dec_str(-5, 3), "-0.005");
}

static void test_java_numbers(void **state)
{
    static const struct {
        double d;
        const char *s;
    } cases[] = {
        {1.0, "1.0"},
        {10.3, "10.3"},
        {0.1, "0.1"},
        {100.0, "100.0"},
        {1234567.0, "1234567.0"},
        {12345678.0, "1.2345678E7"},
        {0.001, "0.001"},
        {0.0001, "1.0E-4"},
        {-1.5, "-1.5"},
        {1e21, "1.0E21"},
        {123.456, "123.456"},
        {0.06666666666666667, "0.06666666666666667"},
        {-0.0, "-0.0"},
        {2147483648.0, "2.147483648E9"},
    };
    char buf[40];
    int32_t i32;
    int64_t i64;
    double d;
    bool b;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sl_value_double_str(cases[i].d, buf);
        assert_string_equal(buf, cases[i].s);
    }
    sl_value_double_str(NAN, buf);
    assert_string_equal(buf, "NaN");
    sl_value_double_str(-INFINITY, buf);
    assert_string_equal(buf, "-Infinity");
    assert_int_equal(sl_value_parse_i32("-2147483648", 11, &i32), SL_OK);
    assert_int_equal(i32, INT32_MIN);
    assert_int_equal(sl_value_parse_i32("2147483648", 10, &i32), SL_RANGE);
    assert_int_equal(sl_value_parse_i32("12a", 3, &i32), SL_INVAL);
    assert_int_equal(sl_value_parse_i32("", 0, &i32), SL_INVAL);
    assert_int_equal(sl_value_parse_i64("9223372036854775807", 19, &i64), SL_OK);
    assert_int_equal(sl_value_parse_i64("9223372036854775808", 19, &i64), SL_RANGE);
    assert_int_equal(sl_value_parse_double(" 1.5d ", 6, &d), SL_OK);
    assert_true(d == 1.5);
    assert_int_equal(sl_value_parse_double("-Infinity", 9, &d), SL_OK);
    assert_true(isinf(d) && d < 0);
    assert_int_equal(sl_value_parse_double("inf", 3, &d), SL_INVAL);
    assert_int_equal(sl_value_parse_double("0x10", 4, &d), SL_INVAL);
    assert_int_equal(sl_value_parse_bool("TrUe", 4, &b), SL_OK);
    assert_true(b);
    assert_int_equal(sl_value_parse_bool("tr", 2, &b), SL_OK);
    assert_true(b);
    assert_int_equal(sl_value_parse_bool("Y", 1, &b), SL_OK);
    assert_true(b);
    assert_int_equal(sl_value_parse_bool("n", 1, &b), SL_OK);
    assert_false(b);
    assert_int_equal(sl_value_parse_bool("Not a boolean", 13, &b), SL_INVAL);
    assert_int_equal(sl_value_parse_bool("", 0, &b), SL_INVAL);
}

static void test_dates_and_times(void **state)
{
    char buf[48];
    int64_t ms;
    int32_t days, t;
    int64_t y;
    unsigned m, d;
    sl_value_date_str(10, buf);
    assert_string_equal(buf, "1970-01-11");
    sl_value_date_str(-1, buf);
    assert_string_equal(buf, "1969-12-31");
    sl_value_date_str(1000, buf);
    assert_string_equal(buf, "1972-09-27");
    sl_value_time_str(5000, buf);
    assert_string_equal(buf, "00:00:05");
    sl_value_time_str(60220000, buf);
    assert_string_equal(buf, "16:43:40");
    sl_value_time_str(10, buf);
    assert_string_equal(buf, "00:00:00.01");
    sl_value_ts_str(10, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.010");
    sl_value_ts_str(-1, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999");
    assert_int_equal(sl_value_parse_ts("2022-04-28T21:44:47.943", 23, &ms), SL_OK);
    assert_true(ms == 1651182287943LL);
    assert_int_equal(sl_value_parse_ts("2022-04-28T21:44:47.943Z", 24, &ms), SL_OK);
    assert_true(ms == 1651182287943LL);
    assert_int_equal(sl_value_parse_ts("2019-01-01T00:00:00+0445", 24, &ms), SL_OK);
    assert_true(ms == 1546300800000LL - (4 * 3600 + 45 * 60) * 1000LL);
    assert_int_equal(sl_value_parse_ts("2018", 4, &ms), SL_OK);
    assert_true(ms == 1514764800000LL);
    assert_int_equal(sl_value_parse_ts("2018-13", 7, &ms), SL_INVAL);
    assert_int_equal(sl_value_parse_ts("foo", 3, &ms), SL_INVAL);
    assert_int_equal(sl_value_parse_date("1970-01", 7, &days), SL_OK);
    assert_int_equal(days, 0);
    assert_int_equal(sl_value_parse_date("1969-12-31", 10, &days), SL_OK);
    assert_int_equal(days, -1);
    assert_int_equal(sl_value_parse_date("2021-02-29", 10, &days), SL_INVAL);
    assert_int_equal(sl_value_parse_time("00:01", 5, &t), SL_OK);
    assert_int_equal(t, 60000);
    assert_int_equal(sl_value_parse_time("00:00:00.010", 12, &t), SL_OK);
    assert_int_equal(t, 10);
    assert_int_equal(sl_value_parse_time("24:00", 5, &t), SL_INVAL);
    sl_value_civil_from_days(-719468, &y, &m, &d);
    assert_true(y == 0 && m == 3 && d == 1);
    assert_true(sl_value_days_from_civil(2000, 2, 29) == 11016);
    assert_true(sl_value_floor_div(-1, 86400000) == -1);
    assert_true(sl_value_floor_mod(-1, 86400000) == 86399999);
}

static void test_base64(void **state)
{
    sl_buf_t b;
    uint8_t *p;
    size_t n;
    sl_buf_init(&b);
    sl_value_base64_encode((const uint8_t *)"yes", 3, &b);
    sl_value_base64_encode((const uint8_t *)"no", 2, &b);
    sl_value_base64_encode((const uint8_t *)"!", 1, &b);
    assert_int_equal(b.len, 12);
    assert_memory_equal(b.data, "eWVzbm8=IQ==", 12);
    sl_buf_free(&b);
    assert_int_equal(sl_value_base64_decode(&A, "YmF5ZXNhbm8=", 12, &p, &n), SL_OK);
    assert_int_equal(n, 8);
    assert_memory_equal(p, "bayesano", 8);
    assert_int_equal(sl_value_base64_decode(&A, "IQ", 2, &p, &n), SL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sl_value_base64_decode(&A, "I*==", 4, &p, &n), SL_INVAL);
    assert_int_equal(sl_value_base64_decode(&A, "", 0, &p, &n), SL_OK);
    assert_int_equal(n, 0);
}

/* ---- casts and text ---------------------------------------------------------------------- */

static const char *text_of(const sl_value_t *v, const sl_type_t *t)
{
    static char buf[512];
    sl_buf_t b;
    sl_buf_init(&b);
    sl_value_to_text(v, t, &b);
    snprintf(buf, sizeof(buf), "%.*s", (int)b.len, b.data ? (const char *)b.data : "");
    sl_buf_free(&b);
    return buf;
}

static sl_value_t cast_ok(sl_value_t in, const sl_type_t *from, const char *to)
{
    sl_value_t out;
    char err[256];
    int rc = sl_value_cast(&A, &in, from, T(to), &out, err, sizeof(err));
    if (rc != SL_OK) fail_msg("cast to %s failed: %s", to, err);
    return out;
}

static void test_cast(void **state)
{
    sl_value_t v, out;
    char err[256];
    /* narrowing wraps, DOUBLE truncates and saturates, like Java */
    v = cast_ok(sl_v_bigint(2147483648LL), SL_T_BIGINT, "INT");
    assert_int_equal(v.u.i32, INT32_MIN);
    v = cast_ok(sl_v_double(1.2), SL_T_DOUBLE, "INT");
    assert_int_equal(v.u.i32, 1);
    v = cast_ok(sl_v_double(-1.9), SL_T_DOUBLE, "BIGINT");
    assert_true(v.u.i64 == -1);
    v = cast_ok(sl_v_double(1e30), SL_T_DOUBLE, "INT");
    assert_int_equal(v.u.i32, INT32_MAX);
    v = cast_ok(sl_v_double(NAN), SL_T_DOUBLE, "BIGINT");
    assert_true(v.u.i64 == 0);
    v = cast_ok(sl_v_dec(-1099, 2), T("DECIMAL(4,2)"), "INT");
    assert_int_equal(v.u.i32, -10);
    /* strings */
    v = cast_ok(sl_v_str(" 42 ", 4), SL_T_STRING, "INT");
    assert_int_equal(v.u.i32, 42);
    v = cast_ok(sl_v_str("0.99", 4), SL_T_STRING, "DECIMAL(2,1)");
    assert_string_equal(text_of(&v, T("DECIMAL(2,1)")), "1.0");
    v = cast_ok(sl_v_str("1970-01", 7), SL_T_STRING, "DATE");
    assert_int_equal(v.u.i32, 0);
    v = cast_ok(sl_v_str("00:00:01", 8), SL_T_STRING, "TIME");
    assert_int_equal(v.u.i32, 1000);
    v = cast_ok(sl_v_str("tRuE", 4), SL_T_STRING, "BOOLEAN");
    assert_true(v.u.b);
    assert_int_equal(sl_value_cast(&A,
                                   &(sl_value_t){.kind = SL_TYPE_STRING, .len = 3, .u.str = "abc"},
                                   SL_T_STRING, SL_T_INTEGER, &out, err, sizeof(err)),
                     SL_INVAL);
    assert_string_equal(err, "invalid input syntax for type INTEGER: \"abc\"");
    /* decimals: HALF_UP and overflow */
    v = cast_ok(sl_v_dec(1012, 2), T("DECIMAL(4,2)"), "DECIMAL(5,3)");
    assert_string_equal(text_of(&v, T("DECIMAL(5,3)")), "10.120");
    assert_int_equal(sl_value_cast(&A, &(sl_value_t){.kind = SL_TYPE_INTEGER, .u.i32 = 1000},
                                   SL_T_INTEGER, T("DECIMAL(4,2)"), &out, err, sizeof(err)),
                     SL_RANGE);
    assert_non_null(strstr(err, "Numeric field overflow"));
    /* temporal */
    v = cast_ok(sl_v_ts(-2000), SL_T_TIMESTAMP, "DATE");
    assert_int_equal(v.u.i32, -1);
    v = cast_ok(sl_v_ts(86400100), SL_T_TIMESTAMP, "TIME");
    assert_int_equal(v.u.i32, 100);
    v = cast_ok(sl_v_date(1), SL_T_DATE, "TIMESTAMP");
    assert_true(v.u.i64 == 86400000);
    /* anything to STRING */
    v = cast_ok(sl_v_date(10), SL_T_DATE, "STRING");
    assert_int_equal(v.len, 10);
    assert_memory_equal(v.u.str, "1970-01-11", 10);
    v = cast_ok(sl_v_double(10.3), SL_T_DOUBLE, "STRING");
    assert_memory_equal(v.u.str, "10.3", 4);
    /* NULL casts to NULL */
    v = cast_ok(sl_v_null(), SL_T_STRING, "INT");
    assert_true(sl_v_is_null(&v));
    /* the CastEvaluator matrix */
    assert_false(sl_value_cast_allowed(SL_T_STRING, T("ARRAY<INT>")));
    assert_false(sl_value_cast_allowed(SL_T_BOOLEAN, SL_T_INTEGER));
    assert_false(sl_value_cast_allowed(SL_T_TIME, SL_T_TIMESTAMP));
    assert_true(sl_value_cast_allowed(T("ARRAY<BIGINT>"), T("ARRAY<STRING>")));
    assert_true(sl_value_cast_allowed(T("STRUCT<F0 BIGINT, F1 STRING>"),
                                      T("STRUCT<F0 STRING, F3 STRING>")));
    assert_int_equal(
        sl_value_cast(&A, &(sl_value_t){.kind = SL_TYPE_STRING, .len = 1, .u.str = "x"},
                      SL_T_STRING, T("STRUCT<F0 STRING, F1 INT>"), &out, err, sizeof(err)),
        SL_INVAL);
    assert_string_equal(err,
                        "Cast of STRING to STRUCT<`F0` STRING, `F1` INTEGER> is not supported");
}

static void test_cast_containers_and_text(void **state)
{
    sl_value_t items[3] = {sl_v_bigint(1), sl_v_bigint(3), sl_v_bigint(2147483648LL)};
    sl_value_t arr = sl_v_array(items, 3), out;
    sl_value_t kv[4] = {sl_v_str("this", 4), sl_v_int(1), sl_v_str("that", 4), sl_v_null()};
    sl_value_t fields[2] = {sl_v_bigint(1), sl_v_str("3", 1)};
    sl_value_t st = sl_v_struct(fields, 2);
    out = cast_ok(arr, T("ARRAY<BIGINT>"), "ARRAY<INT>");
    assert_string_equal(text_of(&out, T("ARRAY<INT>")), "[1, 3, -2147483648]");
    out = cast_ok(arr, T("ARRAY<BIGINT>"), "ARRAY<STRING>");
    assert_string_equal(text_of(&out, T("ARRAY<STRING>")), "[1, 3, 2147483648]");
    assert_string_equal(
        text_of(&(sl_value_t){.kind = SL_TYPE_MAP, .len = 2, .u.kv = kv}, T("MAP<STRING, INT>")),
        "{this=1, that=null}");
    /* by field name; absent fields NULL */
    out = cast_ok(st, T("STRUCT<F0 BIGINT, F1 STRING>"), "STRUCT<F0 STRING, F3 STRING>");
    assert_int_equal(out.len, 2);
    assert_memory_equal(out.u.items[0].u.str, "1", 1);
    assert_true(sl_v_is_null(&out.u.items[1]));
    /* Kafka Connect's Struct.toString leaves NULL fields out */
    fields[1] = sl_v_null();
    assert_string_equal(text_of(&st, T("STRUCT<F0 BIGINT, `f1` STRING>")), "Struct{F0=1}");
    fields[1] = sl_v_str("x", 1);
    assert_string_equal(text_of(&st, T("STRUCT<F0 BIGINT, `f1` STRING>")), "Struct{F0=1,f1=x}");
    assert_string_equal(
        text_of(&(sl_value_t){.kind = SL_TYPE_BYTES, .len = 1, .u.bin = (const uint8_t *)"!"},
                SL_T_BYTES),
        "IQ==");
    assert_string_equal(text_of(&(sl_value_t){.kind = SL_TYPE_NULL}, SL_T_INTEGER), "null");
}

/* ---- comparison and hashing -------------------------------------------------------------- */

static void test_compare_and_hash(void **state)
{
    sl_value_t a = sl_v_dec(120, 2), b = sl_v_dec(12, 1), c = sl_v_int(1);
    sl_value_t s1 = sl_v_str("Food", 4), s2 = sl_v_str("fo", 2);
    sl_value_t kv1[4] = {sl_v_str("a", 1), sl_v_int(1), sl_v_str("b", 1), sl_v_int(2)};
    sl_value_t kv2[4] = {sl_v_str("b", 1), sl_v_int(2), sl_v_str("a", 1), sl_v_int(1)};
    sl_value_t m1 = sl_v_map(kv1, 2), m2 = sl_v_map(kv2, 2);
    const sl_type_t *mt = T("MAP<STRING, INT>");
    assert_true(sl_value_eq(&a, &b, T("DECIMAL(3,2)")));
    assert_true(sl_value_hash(&a, T("DECIMAL(3,2)")) == sl_value_hash(&b, T("DECIMAL(3,2)")));
    assert_true(sl_value_cmp(&a, &c, T("DECIMAL(3,2)")) > 0);
    assert_true(sl_value_cmp(&s1, &s2, SL_T_STRING) < 0); /* 'F' < 'f' */
    assert_true(sl_value_eq(&m1, &m2, mt));
    assert_true(sl_value_hash(&m1, mt) == sl_value_hash(&m2, mt));
    assert_true(sl_value_eq(&(sl_value_t){.kind = SL_TYPE_NULL},
                            &(sl_value_t){.kind = SL_TYPE_NULL}, SL_T_STRING));
    assert_false(sl_value_eq(&c, &(sl_value_t){.kind = SL_TYPE_NULL}, SL_T_INTEGER));
    /* NULLs sort first in sl_value_cmp; NaN above everything (Double.compare) */
    assert_true(sl_value_cmp(&(sl_value_t){.kind = SL_TYPE_NULL}, &c, SL_T_INTEGER) < 0);
    assert_true(sl_value_cmp(&(sl_value_t){.kind = SL_TYPE_DOUBLE, .u.f64 = NAN},
                             &(sl_value_t){.kind = SL_TYPE_DOUBLE, .u.f64 = 1e300},
                             SL_T_DOUBLE) > 0);
}

/* ---- JSON -------------------------------------------------------------------------------- */

static const char *json_of(const sl_value_t *v, const sl_type_t *t)
{
    static char buf[1024];
    sl_buf_t b;
    sl_buf_init(&b);
    sl_value_write_json(v, t, &b);
    snprintf(buf, sizeof(buf), "%.*s", (int)b.len, (const char *)b.data);
    sl_buf_free(&b);
    return buf;
}

static sl_value_t from_json(const char *text, const sl_type_t *t, int want_rc)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    sl_value_t v = sl_v_null();
    char err[256];
    int rc;
    assert_non_null(j);
    rc = sl_value_from_json(&A, j, t, &v, err, sizeof(err));
    json_decref(j);
    if (rc != want_rc) fail_msg("from_json(%s) returned %d: %s", text, rc, err);
    return v;
}

static void test_json(void **state)
{
    const sl_type_t *st = T("STRUCT<ID INT, `f1` STRING, DEC DECIMAL(6,4), B BYTES, "
                            "T TIMESTAMP, M MAP<STRING, INT>, A ARRAY<DOUBLE>>");
    sl_value_t v;
    json_t *j;
    /* case-insensitive field matching, coercions, decimals keep their scale */
    v = from_json("{\"id\": \"12\", \"f1\": 1.5, \"DEC\": 10, \"B\": \"IQ==\", \"T\": 10, "
                  "\"M\": {\"a\": 1.0}, \"A\": [1, null, 2.5]}",
                  st, SL_OK);
    assert_string_equal(json_of(&v, st),
                        "{\"ID\":12,\"f1\":\"1.5\",\"DEC\":10.0000,\"B\":\"IQ==\",\"T\":10,"
                        "\"M\":{\"a\":1},\"A\":[1.0,null,2.5]}");
    /* STRING takes any JSON, containers as compact JSON text */
    v = from_json("{\"a\": [1, 2.50]}", SL_T_STRING, SL_OK);
    assert_int_equal(v.len, strlen("{\"a\":[1,2.5]}"));
    assert_memory_equal(v.u.str, "{\"a\":[1,2.5]}", v.len);
    /* INTEGER wraps like JsonNode.intValue, fractions truncate */
    v = from_json("2147483648", SL_T_INTEGER, SL_OK);
    assert_int_equal(v.u.i32, INT32_MIN);
    v = from_json("1.9", SL_T_INTEGER, SL_OK);
    assert_int_equal(v.u.i32, 1);
    from_json("\"x\"", SL_T_INTEGER, SL_INVAL);
    from_json("[1]", T("STRUCT<A INT>"), SL_INVAL);
    from_json("\"!!\"", SL_T_BYTES, SL_INVAL);
    from_json("123.45", T("DECIMAL(3,1)"), SL_RANGE);
    v = from_json("0.01", T("DECIMAL(2,1)"), SL_OK);
    assert_string_equal(json_of(&v, T("DECIMAL(2,1)")), "0.0");
    /* doubles in Java form, non-finite ones as strings (Jackson quotes them) */
    assert_string_equal(json_of(&(sl_value_t){.kind = SL_TYPE_DOUBLE, .u.f64 = 1e10}, SL_T_DOUBLE),
                        "1.0E10");
    assert_string_equal(json_of(&(sl_value_t){.kind = SL_TYPE_DOUBLE, .u.f64 = NAN}, SL_T_DOUBLE),
                        "\"NaN\"");
    assert_string_equal(
        json_of(&(sl_value_t){.kind = SL_TYPE_STRING, .len = 4, .u.str = "a\"\n\x01"}, SL_T_STRING),
        "\"a\\\"\\n\\u0001\"");
    /* jansson form */
    v = from_json("{\"ID\": 1, \"f1\": \"x\", \"M\": {\"k\": 2}}", st, SL_OK);
    j = sl_value_to_json(&v, st);
    assert_int_equal(json_integer_value(json_object_get(j, "ID")), 1);
    assert_string_equal(json_string_value(json_object_get(j, "f1")), "x");
    assert_true(json_is_null(json_object_get(j, "DEC")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "M"), "k")), 2);
    json_decref(j);
}

static void test_json_map_order(void **state)
{
    /* ksqlDB collects JSON maps into new HashMap<>(size): iteration by bucket */
    const sl_type_t *mt = T("MAP<STRING, DOUBLE>");
    sl_value_t v =
        from_json("{\"yes, thanks\": 3.5, \"nope\": 7.3, \"sure, yeah\": 2.1}", mt, SL_OK);
    assert_int_equal(v.len, 3);
    assert_memory_equal(v.u.kv[0].u.str, "yes, thanks", 11);
    assert_memory_equal(v.u.kv[2].u.str, "sure, yeah", 10);
    assert_memory_equal(v.u.kv[4].u.str, "nope", 4);
}

/* ---- arena ------------------------------------------------------------------------------- */

static int deferred;

static void on_reset(void *arg)
{
    deferred += *(int *)arg;
}

static void test_arena(void **state)
{
    sl_arena_t a;
    size_t steady;
    static int one = 1;
    sl_arena_init(&a, 1024);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) {
            char *p = sl_arena_alloc(&a, 24);
            memset(p, 0xab, 24);
            assert_true(((uintptr_t)p & 15) == 0);
        }
        /* a large request gets its own chunk */
        memset(sl_arena_alloc(&a, 5000), 1, 5000);
        if (round == 0)
            steady = a.total;
        else
            assert_int_equal(a.total, steady); /* no new memory once warmed up */
        sl_arena_defer(&a, on_reset, &one);
        sl_arena_reset(&a);
    }
    assert_int_equal(deferred, 3);
    assert_string_equal(sl_arena_printf(&a, "%s-%d", "x", 42), "x-42");
    assert_string_equal(sl_arena_strndup(&a, "abcdef", 3), "abc");
    {
        /* printf longer than its stack buffer */
        char big[600];
        memset(big, 'q', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(strlen(sl_arena_printf(&a, "%s%s", big, big)), 2 * (sizeof(big) - 1));
    }
    sl_arena_defer(&a, on_reset, &one);
    sl_arena_free(&a);
    assert_int_equal(deferred, 4);
    assert_int_equal(a.total, 0);
    /* huge chunks are returned at reset */
    sl_arena_alloc(&a, 2 * 1024 * 1024);
    sl_arena_reset(&a);
    assert_true(a.total < 1024 * 1024);
    sl_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_type_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_custom_and_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_widen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decimal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_java_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dates_and_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cast, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cast_containers_and_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compare_and_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_map_order, setup, teardown),
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
