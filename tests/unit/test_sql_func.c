/*
 * test_sql_func.c — unit tests for ksqlDB's scalar functions (sql/func_*.c) and the function
 * registry: each call is bound and evaluated through the expression API and compared, as
 * "<result type> <result as JSON>", with what ksqlDB returns (values from its query-validation
 * cases and from the Java library behaviour the functions inherit). Also checks the java.time
 * pattern subset and the tz database reader directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "common/err.h"
#include "sql/expr.h"

static sl_arena_t P;
static sl_arena_t R;
static sl_column_t *COLS;
static uint32_t NCOLS;
static sl_value_t ROW[32];
static char OUT[8192];

static const char *SCHEMA =
    "I INT, D DOUBLE, DEC DECIMAL(2,1), S STRING, NS STRING, NI INT, BY BYTES, ARR ARRAY<INT>, "
    "SARR ARRAY<STRING>, NARR ARRAY<INT>, M MAP<STRING, INT>, DT DATE, TS TIMESTAMP, TM TIME, "
    "J STRING";
static const char *ROWJSON =
    "{\"I\": -7, \"D\": -1.5, \"DEC\": -3.5, \"S\": \"Hello World\", \"BY\": \"eWVz\", "
    "\"ARR\": [3, null, 1, 2, 1], \"SARR\": [\"foo\", \"bar\", \"foo\"], "
    "\"M\": {\"a\": 1, \"b\": 2}, \"DT\": 17662, \"TS\": 1526075913000, \"TM\": 60220000, "
    "\"J\": \"{\\\"name\\\": \\\"cdc\\\", \\\"v\\\": [1, 2.50, {\\\"x\\\": true}], \\\"n\\\": "
    "null}\"}";

static int setup(void **state)
{
    char err[256];
    sl_field_t f[32];
    const sl_type_t *st;
    sl_value_t v;
    json_t *j;
    sl_arena_init(&P, 0);
    sl_arena_init(&R, 0);
    if (sl_schema_parse(&P, SCHEMA, strlen(SCHEMA), NULL, NULL, &COLS, &NCOLS, err, sizeof(err)) !=
        SL_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    for (uint32_t i = 0; i < NCOLS; i++) {
        f[i].name = COLS[i].name;
        f[i].type = COLS[i].type;
    }
    st = sl_type_struct(&P, f, NCOLS);
    j = json_loads(ROWJSON, 0, NULL);
    if (!j || sl_value_from_json(&P, j, st, &v, err, sizeof(err)) != SL_OK) return -1;
    json_decref(j);
    memcpy(ROW, v.u.items, sizeof(sl_value_t) * NCOLS);
    return 0;
}

static int teardown(void **state)
{
    sl_arena_free(&P);
    sl_arena_free(&R);
    return 0;
}

#define NARGS(...)   (sizeof((sl_expr_t *[]){__VA_ARGS__}) / sizeof(sl_expr_t *))
#define COL(n)       sl_expr_column(&P, NULL, n)
#define STR(s)       sl_expr_string(&P, s, strlen(s))
#define NUL()        sl_expr_null(&P)
#define BOOL(b)      sl_expr_bool(&P, b)
#define F(name, ...) sl_expr_call(&P, name, (sl_expr_t *[]){__VA_ARGS__}, NARGS(__VA_ARGS__))
#define F0(name)     sl_expr_call(&P, name, NULL, 0)
#define ARR(...)     sl_expr_array(&P, (sl_expr_t *[]){__VA_ARGS__}, NARGS(__VA_ARGS__))
#define UNIT(u)      sl_expr_time_unit(&P, u)

static sl_expr_t *N(const char *text)
{
    sl_expr_t *e = NULL;
    char err[256];
    if (sl_expr_number(&P, text, strlen(text), &e, err, sizeof(err)) != SL_OK)
        fail_msg("number %s: %s", text, err);
    return e;
}

static sl_expr_t *CASTT(sl_expr_t *x, const char *type)
{
    const sl_type_t *t = NULL;
    char err[256];
    if (sl_type_parse(&P, type, strlen(type), NULL, NULL, &t, err, sizeof(err)) != SL_OK)
        fail_msg("type %s: %s", type, err);
    return sl_expr_cast(&P, x, t);
}

static sl_expr_t *LAMBDA(const char *p1, const char *p2, sl_expr_t *body)
{
    const char *ps[2] = {p1, p2};
    return sl_expr_lambda(&P, ps, p2 ? 2 : 1, body);
}

/* "<TYPE> <json>", "ERR: ..." (bind), "EVAL: ..." (expression) or "NULL!: ..." when a
 * function failed and returned NULL (the reason follows). */
static const char *run(sl_expr_t *e)
{
    sl_binder_t b;
    sl_eval_t ctx;
    sl_value_t v;
    sl_buf_t out;
    sl_binder_init(&b, &P, COLS, NULL, NCOLS);
    if (sl_expr_bind(&b, e, &e) != SL_OK) {
        snprintf(OUT, sizeof(OUT), "ERR: %s", b.err);
        return OUT;
    }
    sl_arena_reset(&R);
    sl_eval_init(&ctx, &R);
    ctx.row = ROW;
    ctx.now_ms = 1526075913000;
    if (sl_expr_eval(e, &ctx, &v) != SL_OK) {
        snprintf(OUT, sizeof(OUT), "EVAL: %s", ctx.err);
        return OUT;
    }
    if (ctx.call_errors) {
        snprintf(OUT, sizeof(OUT), "NULL!: %s", ctx.err);
        return OUT;
    }
    sl_buf_init(&out);
    sl_type_format(e->type, &out);
    sl_buf_put(&out, " ", 1);
    sl_value_write_json(&v, e->type, &out);
    snprintf(OUT, sizeof(OUT), "%.*s", (int)out.len, (const char *)out.data);
    sl_buf_free(&out);
    return OUT;
}

#define CHECK(e, want) assert_string_equal(run(e), want)
#define CHECK_PREFIX(e, want)                                                                      \
    do {                                                                                           \
        const char *got_ = run(e);                                                                 \
        if (strncmp(got_, want, strlen(want)) != 0)                                                \
            fail_msg("got      %s\nexpected %s", got_, want);                                      \
    } while (0)

/* ---- registry ---------------------------------------------------------------------------- */

static void test_registry(void **state)
{
    const sl_func_t *const *all;
    uint32_t n;
    const sl_func_t *f = sl_func_lookup("substring");
    sl_buf_t b;
    assert_non_null(f);
    assert_string_equal(f->name, "substring");
    assert_string_equal(f->category, "STRING");
    assert_true(f->novs == 4);
    assert_null(sl_func_lookup("NO_SUCH_FUNCTION"));
    assert_non_null(sl_func_lookup("DateAdd"));
    sl_func_all(&all, &n);
    assert_true(n > 120);
    for (uint32_t i = 1; i < n; i++)
        assert_true(strcasecmp(all[i - 1]->name, all[i]->name) < 0);
    sl_buf_init(&b);
    sl_overload_format_params(&sl_func_lookup("REDUCE")->ovs[0], &b);
    sl_buf_put(&b, "|", 1);
    sl_overload_format_ret(&sl_func_lookup("REDUCE")->ovs[0], &b);
    sl_buf_put(&b, "|", 1);
    sl_overload_format_params(&sl_func_lookup("CONCAT")->ovs[0], &b);
    assert_int_equal(b.len, strlen("ARRAY<T> array, S initialState, LAMBDA(S, T) => S function|S|"
                                   "STRING... inputs"));
    assert_memory_equal(b.data,
                        "ARRAY<T> array, S initialState, LAMBDA(S, T) => S function|S|"
                        "STRING... inputs",
                        b.len);
    sl_buf_free(&b);
}

/* ---- strings ----------------------------------------------------------------------------- */

static void test_strings(void **state)
{
    CHECK(F("CONCAT", STR("a"), NUL(), COL("S")), "STRING \"aHello World\"");
    CHECK(F("CONCAT", COL("BY"), F("TO_BYTES", STR("no"), STR("utf8"))), "BYTES \"eWVzbm8=\"");
    CHECK(F("CONCAT_WS", STR("-"), STR("a"), NUL(), STR("b")), "STRING \"a-b\"");
    CHECK(F("CONCAT_WS", CASTT(NUL(), "STRING"), STR("a")), "STRING null");
    CHECK(F("UCASE", STR("h\xc3\xa9llo")), "STRING \"H\xc3\x89LLO\"");
    CHECK(F("LCASE", COL("S")), "STRING \"hello world\"");
    CHECK(F("LEN", STR("h\xc3\xa9")), "INTEGER 2");
    CHECK(F("LEN", STR("\xf0\x9f\x98\x80")), "INTEGER 2"); /* UTF-16 code units */
    CHECK(F("LEN", COL("BY")), "INTEGER 3");
    CHECK(F("TRIM", STR(" \t x y \n")), "STRING \"x y\"");
    CHECK(F("LTRIM", STR("  x ")), "STRING \"x \"");
    CHECK(F("RTRIM", STR("  x ")), "STRING \"  x\"");
    CHECK(F("SUBSTRING", COL("S"), N("2"), N("3")), "STRING \"ell\"");
    CHECK(F("SUBSTRING", COL("S"), N("-5")), "STRING \"World\"");
    CHECK(F("SUBSTRING", COL("S"), N("0"), N("2")), "STRING \"He\"");
    CHECK(F("SUBSTRING", COL("S"), N("50")), "STRING \"\"");
    CHECK(F("SUBSTRING", STR("zb"), N("2")), "STRING \"b\"");
    CHECK(F("SUBSTRING", COL("BY"), N("2"), N("1")), "BYTES \"ZQ==\"");
    CHECK(F("REPLACE", COL("S"), STR("o"), STR("0")), "STRING \"Hell0 W0rld\"");
    CHECK(F("REPLACE", STR("ab"), STR(""), STR("-")), "STRING \"-a-b-\"");
    CHECK(F("REPLACE", COL("S"), NUL(), STR("x")), "STRING null");
    CHECK(F("INSTR", STR("corporate floor"), STR("or"), N("4")), "INTEGER 5");
    CHECK(F("INSTR", STR("corporate floor"), STR("or"), N("4"), N("2")), "INTEGER 14");
    CHECK(F("INSTR", STR("corporate floor"), STR("or"), N("-3")), "INTEGER 5");
    CHECK(F("INSTR", STR("short"), STR("or")), "INTEGER 3");
    CHECK(F("INSTR", COL("NS"), STR("or")), "INTEGER 0");
    CHECK(F("LPAD", STR("hi"), N("5"), STR("ab")), "STRING \"abahi\"");
    CHECK(F("RPAD", STR("hi"), N("5"), STR("ab")), "STRING \"hiaba\"");
    CHECK(F("LPAD", STR("hello"), N("3"), STR("x")), "STRING \"hel\"");
    CHECK(F("LPAD", STR("hi"), N("5"), STR("")), "STRING null");
    CHECK(F("LPAD", STR("hi"), N("-1"), STR("x")), "STRING null");
    CHECK(F("RPAD", COL("BY"), N("5"), F("TO_BYTES", STR("!"), STR("utf8"))), "BYTES \"eWVzISE=\"");
    CHECK(F("INITCAP", STR("the   Quick br0wn fOx")), "STRING \"The   Quick Br0wn Fox\"");
    CHECK(F("INITCAP", STR("some_string")), "STRING \"Some_string\"");
    CHECK(F("MASK", STR("Ab1-")), "STRING \"Xxn-\"");
    CHECK(F("MASK", STR("Ab1-"), STR("U"), NUL(), STR("#")), "STRING \"Ub#-\"");
    CHECK(F("MASK", STR("\xc3\x89t\xc3\xa9!")), "STRING \"Xxx-\"");
    CHECK(F("MASK_KEEP_LEFT", STR("Abcd12"), N("2")), "STRING \"Abxxnn\"");
    CHECK(F("MASK_KEEP_RIGHT", STR("Abcd12"), N("2")), "STRING \"Xxxx12\"");
    CHECK(F("MASK_LEFT", STR("Abcd12"), N("2")), "STRING \"Xxcd12\"");
    CHECK(F("MASK_RIGHT", STR("Abcd12"), N("2")), "STRING \"Abcdnn\"");
    CHECK_PREFIX(F("MASK_LEFT", STR("Abcd12"), N("-2")),
                 "NULL!: function MASK_LEFT requires a non-negative number");
    CHECK(F("CHR", N("75")), "STRING \"K\"");
    CHECK(F("CHR", STR("\\u597d")), "STRING \"\xe5\xa5\xbd\"");
    CHECK(F("CHR", STR("\\ud820\\udeb8")), "STRING \"\xf0\x98\x8a\xb8\"");
    CHECK(F("CHR", STR("75")), "STRING null");
    CHECK(F("CHR", N("-1")), "STRING null");
    CHECK(F("ELT", N("2"), STR("a"), STR("b")), "STRING \"b\"");
    CHECK(F("ELT", N("3"), STR("a"), STR("b")), "STRING null");
    CHECK(F("FIELD", STR("b"), STR("a"), STR("b")), "INTEGER 2");
    CHECK(F("FIELD", COL("NS"), STR("a")), "INTEGER 0");
    CHECK(F("SPLIT", STR("a.b..c"), STR(".")), "ARRAY<STRING> [\"a\",\"b\",\"\",\"c\"]");
    CHECK(F("SPLIT", STR("ab"), STR("")), "ARRAY<STRING> [\"a\",\"b\"]");
    CHECK(F("SPLIT", STR("$$a$$"), STR("$$")), "ARRAY<STRING> [\"\",\"a\",\"\"]");
    CHECK(F("SPLIT_TO_MAP", STR("a=1;b=2;c"), STR(";"), STR("=")),
          "MAP<STRING, STRING> {\"a\":\"1\",\"b\":\"2\"}");
    CHECK(F("LEN", F0("UUID")), "INTEGER 36");
    CHECK(F("UUID", F("TO_BYTES", STR("000102030405060708090a0b0c0d0e0f"), STR("hex"))),
          "STRING \"00010203-0405-0607-0809-0a0b0c0d0e0f\"");
}

static void test_encodings(void **state)
{
    CHECK(F("TO_BYTES", STR("IQ=="), STR("base64")), "BYTES \"IQ==\"");
    CHECK(F("TO_BYTES", STR("0x2"), STR("hex")), "BYTES \"Ag==\"");
    CHECK(F("FROM_BYTES", COL("BY"), STR("hex")), "STRING \"796573\"");
    CHECK(F("FROM_BYTES", COL("BY"), STR("UTF8")), "STRING \"yes\"");
    CHECK_PREFIX(F("FROM_BYTES", COL("BY"), STR("latin1")),
                 "NULL!: FROM_BYTES: Supported encoding types are: hex, utf8, ascii and base64");
    CHECK(F("ENCODE", STR("Example!"), STR("ascii"), STR("base64")), "STRING \"RXhhbXBsZSE=\"");
    CHECK(F("ENCODE", STR("\xce\x95\xce\xbb"), STR("utf8"), STR("hex")), "STRING \"ce95cebb\"");
    CHECK(F("ENCODE", STR("\xce\x95\xce\xbb"), STR("ascii"), STR("utf8")), "STRING \"??\"");
    CHECK(F("ENCODE", STR("zpXOuw=="), STR("base64"), STR("ascii")),
          "STRING \"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    CHECK(F("INT_FROM_BYTES", F("TO_BYTES", STR("AAAH5Q=="), STR("base64"))), "INTEGER 2021");
    CHECK(F("BIGINT_FROM_BYTES", F("TO_BYTES", STR("APIFKgEAAAA="), STR("base64")),
            STR("LITTLE_ENDIAN")),
          "BIGINT 5000000000");
    CHECK(F("DOUBLE_FROM_BYTES", F("TO_BYTES", STR("QICm/ZvJ9YI="), STR("base64"))),
          "DOUBLE 532.8738323");
    CHECK_PREFIX(F("INT_FROM_BYTES", COL("BY")),
                 "NULL!: Number of bytes must be equal to 4, but found 3");
}

static void test_regex(void **state)
{
    CHECK(F("REGEXP_EXTRACT", STR("(.*) (.*)"), COL("S"), N("2")), "STRING \"World\"");
    CHECK(F("REGEXP_EXTRACT", STR("\\d+"), STR("ab123cd45")), "STRING \"123\"");
    CHECK(F("REGEXP_EXTRACT", STR("x"), COL("S")), "STRING null");
    CHECK(F("REGEXP_EXTRACT_ALL", STR("(\\w+) (\\w*)"), STR("aa bb cc dd"), N("2")),
          "ARRAY<STRING> [\"bb\",\"dd\"]");
    CHECK(F("REGEXP_EXTRACT_ALL", STR("test."), STR("test1 test2 tes")),
          "ARRAY<STRING> [\"test1\",\"test2\"]");
    CHECK(F("REGEXP_REPLACE", STR("a cat and a dog"), STR("(c|d)[a-z]+"), STR("<$1>")),
          "STRING \"a <c> and a <d>\"");
    CHECK(F("REGEXP_REPLACE", STR("aaa"), STR("x*"), STR("-")), "STRING \"-a-a-a-\"");
    CHECK(F("REGEXP_SPLIT_TO_ARRAY", STR("a1b22c"), STR("[0-9]+")),
          "ARRAY<STRING> [\"a\",\"b\",\"c\"]");
    CHECK(F("REGEXP_SPLIT_TO_ARRAY", STR("a1b1"), STR("1")), "ARRAY<STRING> [\"a\",\"b\",\"\"]");
    /* a pattern from a column is compiled per record; an invalid one makes the call NULL */
    CHECK_PREFIX(F("REGEXP_EXTRACT", COL("S"), STR("x")), "STRING null");
    CHECK_PREFIX(F("REGEXP_EXTRACT", F("CONCAT", STR("("), COL("S")), STR("x")),
                 "NULL!: invalid regular expression");
    CHECK_PREFIX(F("REGEXP_EXTRACT", STR("a+?"), COL("S")),
                 "ERR: lazy and possessive regular expression quantifiers are not supported yet");
}

/* ---- math -------------------------------------------------------------------------------- */

static void test_math(void **state)
{
    CHECK(F("ABS", COL("I")), "INTEGER 7");
    CHECK(F("ABS", COL("DEC")), "DECIMAL(2, 1) 3.5");
    CHECK(F("ABS", N("-2147483648")), "INTEGER -2147483648"); /* Math.abs(MIN_VALUE) */
    CHECK(F("CEIL", COL("D")), "DOUBLE -1.0");
    CHECK(F("FLOOR", COL("DEC")), "DECIMAL(2, 1) -4.0");
    CHECK(F("CEIL", N("1.1")), "DECIMAL(2, 1) 2.0");
    CHECK(F("ROUND", N("1.5E0")), "BIGINT 2");
    CHECK(F("ROUND", COL("D")), "BIGINT -1"); /* halves round up, like Math.round */
    CHECK(F("ROUND", COL("DEC")), "DECIMAL(1, 0) -3");
    CHECK(F("ROUND", N("12345.678E0"), N("2")), "DOUBLE 12345.68");
    CHECK(F("ROUND", N("-12345.678E0"), N("-2")), "DOUBLE -12300.0");
    CHECK(F("ROUND", N("1.15E0"), N("1")), "DOUBLE 1.2");
    CHECK(F("ROUND", N("12345678987654321.2345678987654321"), N("10")),
          "DECIMAL(33, 16) 12345678987654321.2345678988000000");
    CHECK(F("ROUND", N("12345678987654321.2345678987654321")), "DECIMAL(17, 0) 12345678987654321");
    CHECK(F("ROUND", N("125.5"), N("-1")), "DECIMAL(4, 1) 130.0");
    CHECK(F("TRUNC", N("-1.99E0")), "BIGINT -1");
    CHECK(F("TRUNC", N("1.99"), N("1")), "DECIMAL(3, 2) 1.90");
    CHECK(F("SIGN", COL("D")), "INTEGER -1");
    CHECK(F("SQRT", N("16")), "DOUBLE 4.0");
    CHECK(F("POWER", N("15"), N("-1")), "DOUBLE 0.06666666666666667");
    CHECK(F("LOG", N("2"), N("8")), "DOUBLE 3.0");
    CHECK(F("LN", N("1")), "DOUBLE 0.0");
    CHECK(F("EXP", N("0")), "DOUBLE 1.0");
    CHECK(F("CBRT", N("27")), "DOUBLE 3.0");
    CHECK(F("DEGREES", F0("PI")), "DOUBLE 180.0");
    CHECK(F("ROUND", F("ATAN2", N("1"), N("1")), N("13")), "DOUBLE 0.7853981633974");
    CHECK(F("ASIN", N("2")), "DOUBLE \"NaN\"");
    CHECK(F("GREATEST", N("1"), NUL(), N("5"), COL("I")), "INTEGER 5");
    CHECK(F("LEAST", STR("apple"), STR("banana"), NUL()), "STRING \"apple\"");
    CHECK(F("GREATEST", N("1.5"), N("0.123456")), "DECIMAL(7, 6) 1.500000");
    CHECK(F("GREATEST", CASTT(NUL(), "INT"), CASTT(NUL(), "INT")), "INTEGER null");
    {
        const char *r = run(F0("RANDOM"));
        double d = atof(r + strlen("DOUBLE "));
        assert_true(strncmp(r, "DOUBLE ", 7) == 0 && d >= 0 && d < 1);
    }
    CHECK(F("ROUND", F("GEO_DISTANCE", N("37.4439"), N("-122.1663"), N("51.5257"), N("-0.1122")),
            N("6")),
          "DOUBLE 8634.659797");
    CHECK(F("ROUND",
            F("GEO_DISTANCE", N("37.4439"), N("-122.1663"), N("51.5257"), N("-0.1122"), STR("MI")),
            N("3")),
          "DOUBLE 5365.66");
    CHECK_PREFIX(F("GEO_DISTANCE", N("91"), N("0"), N("0"), N("0")),
                 "NULL!: valid latitude values");
}

/* ---- dates and times --------------------------------------------------------------------- */

static void test_time_functions(void **state)
{
    CHECK(F("TIMESTAMPTOSTRING", F("UNIX_TIMESTAMP", COL("TS")), STR("yyyy-MM-dd HH:mm:ss zzz"),
            STR("America/Los_Angeles")),
          "STRING \"2018-05-11 14:58:33 PDT\"");
    CHECK(F("FORMAT_TIMESTAMP", COL("TS"), STR("yyyy-MM-dd HH:mm:ss zzz"), STR("Europe/London")),
          "STRING \"2018-05-11 22:58:33 BST\"");
    CHECK(F("FORMAT_TIMESTAMP", COL("TS"), STR("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")),
          "STRING \"2018-05-11T21:58:33.000Z\"");
    CHECK(F("FORMAT_TIMESTAMP", COL("TS"), STR("EEE, d MMM yyyy h:mm a Z"), STR("+05:30")),
          "STRING \"Sat, 12 May 2018 3:28 AM +0530\"");
    CHECK(F("FORMAT_TIMESTAMP", COL("TS"), STR("EEEE MMMM D G uu xxx O"), STR("America/New_York")),
          "STRING \"Friday May 131 AD 18 -04:00 GMT-4\"");
    CHECK(F("STRINGTOTIMESTAMP", STR("2018-05-11T21:58:33Z"), STR("yyyy-MM-dd'T'HH:mm:ssX")),
          "BIGINT 1526075913000");
    CHECK(F("STRINGTOTIMESTAMP", STR("2020-05-11T21:58:33z"), STR("yyyy-MM-dd'T'HH:mm:ssX")),
          "BIGINT 1589234313000");
    CHECK(F("PARSE_TIMESTAMP", STR("2018-05-11 14:58:33"), STR("yyyy-MM-dd HH:mm:ss"),
            STR("America/Los_Angeles")),
          "TIMESTAMP 1526075913000");
    CHECK(F("PARSE_TIMESTAMP", STR("20180511215833123"), STR("yyyyMMddHHmmssSSS")),
          "TIMESTAMP 1526075913123");
    CHECK(F("PARSE_TIMESTAMP", STR("2018-05-11 14:58:33 PDT"), STR("yyyy-MM-dd HH:mm:ss z")),
          "TIMESTAMP 1526075913000");
    CHECK(F("PARSE_TIMESTAMP", STR("2018-05-11"), STR("yyyy-MM-dd[ HH:mm]")),
          "TIMESTAMP 1525996800000");
    CHECK(F("PARSE_TIMESTAMP", STR("2018-05-11 01:02"), STR("yyyy-MM-dd[ HH:mm]")),
          "TIMESTAMP 1526000520000");
    CHECK_PREFIX(F("PARSE_TIMESTAMP", STR("2018-05"), STR("yyyy-MM-dd")),
                 "NULL!: Failed to parse timestamp '2018-05' with formatter 'yyyy-MM-dd': Text "
                 "'2018-05' could not be parsed at index 7");
    CHECK(F("FORMAT_DATE", COL("DT"), STR("dd/MM/yyyy")), "STRING \"11/05/2018\"");
    CHECK(F("FORMAT_DATE", F("FROM_DAYS", N("-1")), STR("dd-MM-yyyy'Sophia'")),
          "STRING \"31-12-1969Sophia\"");
    CHECK(F("FORMAT_DATE", F("FROM_DAYS", N("18993")), STR("dd-MMM-yyyy")),
          "STRING \"01-Jan-2022\"");
    CHECK(F("PARSE_DATE", STR("01-JAN-2022"), STR("dd-MMM-yyyy")), "DATE 18993");
    CHECK(F("PARSE_DATE", STR("JAN-2022"), STR("MMM-yyyy")), "DATE 18993");
    CHECK(F("PARSE_DATE", STR("2003-12-24-01-01"), STR("yyyy-MM-dd")), "DATE 12410");
    CHECK(F("PARSE_DATE", STR("2022-02-30"), STR("yyyy-MM-dd")), "DATE 19051"); /* SMART */
    CHECK(F("STRINGTODATE", STR("2018-05-11Lit"), STR("yyyy-MM-dd'Lit'")), "INTEGER 17662");
    CHECK(F("DATETOSTRING", N("17662"), STR("yyyy-MM-dd")), "STRING \"2018-05-11\"");
    CHECK(F("PARSE_TIME", STR("01:00:00 Pm"), STR("hh:mm:ss a")), "TIME 46800000");
    CHECK(F("PARSE_TIME", STR("00:01:05Lit"), STR("HH:mm:ss'Lit'")), "TIME 65000");
    CHECK(F("FORMAT_TIME", COL("TM"), STR("HH:mm")), "STRING \"16:43\"");
    CHECK(F("CONVERT_TZ", COL("TS"), STR("America/Los_Angeles"), STR("America/New_York")),
          "TIMESTAMP 1526086713000");
    CHECK(F("CONVERT_TZ", F("FROM_UNIXTIME", N("100")), STR("+0200"), STR("+0500")),
          "TIMESTAMP 10800100");
    CHECK_PREFIX(F("CONVERT_TZ", COL("TS"), STR("Mars/Olympus"), STR("UTC")),
                 "ERR: Unknown time-zone ID: Mars/Olympus");
    CHECK(F("UNIX_TIMESTAMP", COL("TS")), "BIGINT 1526075913000");
    CHECK(F0("UNIX_TIMESTAMP"), "BIGINT 1526075913000");
    CHECK(F0("UNIX_DATE"), "INTEGER 17662");
    CHECK(F("UNIX_DATE", COL("DT")), "INTEGER 17662");
    CHECK(F("dateadd", UNIT("DAYS"), N("-5"), F("FROM_DAYS", N("2"))), "DATE -3");
    CHECK(F("DATESUB", UNIT("HOURS"), N("25"), COL("DT")), "DATE 17660"); /* toDays truncates */
    CHECK(F("TIMEADD", UNIT("MILLISECONDS"), N("10"), CASTT(STR("23:59:59.995"), "TIME")),
          "TIME 5");
    CHECK(F("TIMESUB", UNIT("MINUTE"), N("1"), CASTT(STR("00:00"), "TIME")), "TIME 86340000");
    CHECK(F("TIMESTAMPSUB", UNIT("DAYS"), N("1"), COL("TS")), "TIMESTAMP 1525989513000");
    CHECK(F("TIMESTAMPADD", UNIT("NANOSECONDS"), N("5000000"), COL("TS")),
          "TIMESTAMP 1526075913005");
}

static void test_timefmt_and_zones(void **state)
{
    sl_dtfmt_t *f;
    const sl_tz_t *la, *fixed;
    char err[256];
    sl_buf_t b;
    int64_t ms;
    assert_int_equal(sl_tz_get("America/Los_Angeles", 19, &la, err, sizeof(err)), SL_OK);
    /* before, inside and after DST; far future uses the POSIX rule of the file's footer */
    assert_int_equal(sl_tz_offset_at(la, 1515000000000), -8 * 3600);
    assert_int_equal(sl_tz_offset_at(la, 1526075913000), -7 * 3600);
    assert_int_equal(sl_tz_offset_at(la, 4102444800000), -8 * 3600); /* 2100-01-01 */
    assert_int_equal(sl_tz_offset_at(la, 4118083200000), -7 * 3600); /* 2100-07-01 */
    assert_string_equal(sl_tz_abbrev_at(la, 4118083200000), "PDT");
    /* 2018-03-11 02:30 does not exist in LA: java.time moves it forward (before-gap offset) */
    assert_int_equal(sl_tz_offset_local(la, 1520735400000), -8 * 3600);
    /* 2018-11-04 01:30 happens twice: the earlier offset */
    assert_int_equal(sl_tz_offset_local(la, 1541295000000), -7 * 3600);
    assert_int_equal(sl_tz_get("GMT-8", 5, &fixed, err, sizeof(err)), SL_OK);
    assert_int_equal(sl_tz_offset_at(fixed, 0), -8 * 3600);
    assert_int_equal(sl_tz_get("../etc/passwd", 13, &fixed, err, sizeof(err)), SL_INVAL);
    assert_int_equal(sl_tz_get("Nowhere/Atall", 13, &fixed, err, sizeof(err)), SL_INVAL);
    assert_int_equal(sl_dtfmt_compile(&P, "yyyy-ww", 7, &f, err, sizeof(err)), SL_UNSUPP);
    assert_int_equal(sl_dtfmt_compile(&P, "dd'x", 4, &f, err, sizeof(err)), SL_INVAL);
    assert_int_equal(sl_dtfmt_compile(&P, "ddd", 3, &f, err, sizeof(err)), SL_INVAL);
    assert_string_equal(err, "Too many pattern letters: d");
    {
        const char *pat = "yy-M-d k:m:s.SSSSSS ''";
        assert_int_equal(sl_dtfmt_compile(&P, pat, strlen(pat), &f, err, sizeof(err)), SL_OK);
    }
    assert_true(sl_dtfmt_has_date(f) && sl_dtfmt_has_time(f));
    sl_buf_init(&b);
    assert_int_equal(sl_dtfmt_format(f, 1526075913123, NULL, &b, err, sizeof(err)), SL_OK);
    assert_int_equal(b.len, strlen("18-5-11 21:58:33.123000 '"));
    assert_memory_equal(b.data, "18-5-11 21:58:33.123000 '", b.len);
    sl_buf_free(&b);
    assert_int_equal(sl_dtfmt_parse(f, "18-5-11 21:58:33.123000 '", 25, la, &ms, err, sizeof(err)),
                     SL_OK);
    assert_true(ms == 1526075913123 + 7 * 3600000LL);
}

/* ---- JSON -------------------------------------------------------------------------------- */

static void test_json_functions(void **state)
{
    CHECK(F("EXTRACTJSONFIELD", COL("J"), STR("$.name")), "STRING \"cdc\"");
    CHECK(F("EXTRACTJSONFIELD", COL("J"), STR("$.v[2].x")), "STRING \"true\"");
    CHECK(F("EXTRACTJSONFIELD", COL("J"), STR("$['v'][1]")), "STRING \"2.5\"");
    CHECK(F("EXTRACTJSONFIELD", COL("J"), STR("$.v")), "STRING \"[1,2.5,{\\\"x\\\":true}]\"");
    CHECK(F("EXTRACTJSONFIELD", COL("J"), STR("$.missing")), "STRING null");
    CHECK(F("EXTRACTJSONFIELD", STR("{\"a\": 1}}"), STR("$.a")), "STRING \"1\"");
    CHECK(F("EXTRACTJSONFIELD", STR("not json"), STR("$.a")), "STRING null");
    CHECK(F("JSON_ARRAY_CONTAINS", STR("[\"Pink\", null]"), STR("Pink")), "BOOLEAN true");
    CHECK(F("JSON_ARRAY_CONTAINS", STR("[1, 2]"), N("2")), "BOOLEAN true");
    CHECK(F("JSON_ARRAY_CONTAINS", STR("[1.0]"), N("1")), "BOOLEAN false");
    CHECK(F("JSON_ARRAY_CONTAINS", STR(""), N("1")), "BOOLEAN false");
    CHECK(F("JSON_ARRAY_LENGTH", STR("[1, [2], {}]")), "INTEGER 3");
    CHECK(F("JSON_ARRAY_LENGTH", STR("{}")), "INTEGER null");
    CHECK(F("JSON_KEYS", STR("{\"Red\": 3, \"Green\": 5}")), "ARRAY<STRING> [\"Red\",\"Green\"]");
    CHECK(F("JSON_KEYS", STR("")), "ARRAY<STRING> null");
    CHECK(F("JSON_RECORDS", STR("{\"a\": \"x\", \"b\": [1]}")),
          "MAP<STRING, STRING> {\"a\":\"\\\"x\\\"\",\"b\":\"[1]\"}");
    CHECK(F("JSON_ITEMS", STR("[{\"type\": \"A\"}, 2]")),
          "ARRAY<STRING> [\"{\\\"type\\\":\\\"A\\\"}\",\"2\"]");
    CHECK(F("JSON_CONCAT", STR("{\"a\": {\"5\": 6}}"), STR("{\"a\": {\"3\": 4}}")),
          "STRING \"{\\\"a\\\":{\\\"3\\\":4}}\"");
    CHECK(F("JSON_CONCAT", STR("[1, 2]"), STR("{\"a\": 1}"), STR("4")),
          "STRING \"[1,2,{\\\"a\\\":1},4]\"");
    CHECK(F("JSON_CONCAT", STR("null"), STR("null")), "STRING \"[null,null]\"");
    CHECK(F("JSON_CONCAT", STR("1"), STR("")), "STRING null");
    CHECK(F("IS_JSON_STRING", STR("\"abc\"")), "BOOLEAN true");
    CHECK(F("IS_JSON_STRING", STR("abc")), "BOOLEAN false");
    CHECK(F("IS_JSON_STRING", COL("NS")), "BOOLEAN false");
    CHECK(F("TO_JSON_STRING", COL("DT")), "STRING \"\\\"2018-05-11\\\"\"");
    CHECK(F("TO_JSON_STRING", COL("TM")), "STRING \"\\\"16:43:40\\\"\"");
    CHECK(F("TO_JSON_STRING", COL("DEC")), "STRING \"-3.5\"");
    CHECK(F("TO_JSON_STRING", COL("BY")), "STRING \"\\\"eWVz\\\"\"");
    CHECK(F("TO_JSON_STRING", COL("M")), "STRING \"{\\\"a\\\":1,\\\"b\\\":2}\"");
    CHECK(F("TO_JSON_STRING", COL("NI")), "STRING \"null\"");
    CHECK(F("TO_JSON_STRING", NUL()), "STRING \"null\"");
}

/* ---- arrays, maps, lambdas --------------------------------------------------------------- */

static void test_collections(void **state)
{
    CHECK(F("ARRAY_CONTAINS", COL("ARR"), N("2")), "BOOLEAN true");
    CHECK(F("ARRAY_CONTAINS", COL("ARR"), CASTT(NUL(), "INT")), "BOOLEAN true");
    CHECK(F("ARRAY_CONTAINS", COL("NARR"), N("2")), "BOOLEAN false");
    CHECK(F("ARRAY_LENGTH", COL("ARR")), "INTEGER 5");
    CHECK(F("ARRAY_LENGTH", COL("NARR")), "INTEGER null");
    CHECK(F("ARRAY_MAX", COL("ARR")), "INTEGER 3");
    CHECK(F("ARRAY_MIN", COL("SARR")), "STRING \"bar\"");
    CHECK(F("ARRAY_DISTINCT", COL("ARR")), "ARRAY<INTEGER> [3,null,1,2]");
    CHECK(F("ARRAY_EXCEPT", COL("SARR"), ARR(STR("bar"), STR("baz"))), "ARRAY<STRING> [\"foo\"]");
    CHECK(F("ARRAY_INTERSECT", COL("SARR"), ARR(STR("foo"), STR("baz"))),
          "ARRAY<STRING> [\"foo\"]");
    CHECK(F("ARRAY_UNION", COL("SARR"), ARR(STR("baz"), STR("foo"))),
          "ARRAY<STRING> [\"foo\",\"bar\",\"baz\"]");
    CHECK(F("ARRAY_CONCAT", COL("NARR"), ARR(N("1"))), "ARRAY<INTEGER> [1]");
    CHECK(F("ARRAY_REMOVE", COL("ARR"), N("1")), "ARRAY<INTEGER> [3,null,2]");
    CHECK(F("ARRAY_SORT", COL("ARR")), "ARRAY<INTEGER> [1,1,2,3,null]");
    CHECK(F("ARRAY_SORT", COL("ARR"), STR("desc")), "ARRAY<INTEGER> [3,2,1,1,null]");
    CHECK(F("ARRAY_SORT", COL("NARR"), STR("desc")), "ARRAY<INTEGER> null");
    CHECK(F("ARRAY_JOIN", COL("ARR")), "STRING \"3,null,1,2,1\"");
    CHECK(F("ARRAY_JOIN", COL("SARR"), NUL()), "STRING \"foobarfoo\"");
    CHECK(F("SLICE", COL("ARR"), N("2"), N("3")), "ARRAY<INTEGER> [null,1]");
    CHECK(F("SLICE", COL("ARR"), NUL(), N("1")), "ARRAY<INTEGER> [3]");
    CHECK(F("SLICE", COL("ARR"), N("4"), N("2")), "ARRAY<INTEGER> []");
    CHECK(F("GENERATE_SERIES", N("4"), N("0"), N("-2")), "ARRAY<INTEGER> [4,2,0]");
    CHECK(F("GENERATE_SERIES", N("-2"), N("1")), "ARRAY<INTEGER> [-2,-1,0,1]");
    CHECK_PREFIX(F("GENERATE_SERIES", N("0"), N("3"), N("-1")),
                 "NULL!: GENERATE_SERIES step has wrong sign");
    CHECK(F("MAP_KEYS", COL("M")), "ARRAY<STRING> [\"a\",\"b\"]");
    CHECK(F("MAP_VALUES", COL("M")), "ARRAY<INTEGER> [1,2]");
    CHECK(F("MAP_UNION", COL("M"), F("AS_MAP", ARR(STR("b"), STR("c")), ARR(N("20"), N("30")))),
          "MAP<STRING, INTEGER> {\"a\":1,\"b\":20,\"c\":30}");
    CHECK(F("ENTRIES", COL("M"), BOOL(true)),
          "ARRAY<STRUCT<`K` STRING, `V` INTEGER>> [{\"K\":\"a\",\"V\":1},{\"K\":\"b\",\"V\":2}]");
    CHECK(F("TRANSFORM", COL("M"), LAMBDA("K", "V", F("UCASE", COL("K"))),
            LAMBDA("K", "V", sl_expr_arith(&P, SL_OP_MUL, COL("V"), N("10")))),
          "MAP<STRING, INTEGER> {\"A\":10,\"B\":20}");
    CHECK_PREFIX(
        F("TRANSFORM", COL("M"), LAMBDA("K", "V", STR("same")), LAMBDA("K", "V", COL("V"))),
        "NULL!: Duplicate key found while transforming map");
    CHECK(F("FILTER", COL("ARR"), LAMBDA("X", NULL, sl_expr_cmp(&P, SL_CMP_GT, COL("X"), N("1")))),
          "ARRAY<INTEGER> [3,2]");
    CHECK(F("REDUCE", COL("M"), N("0"),
            sl_expr_lambda(&P, (const char *[]){"S1", "K", "V"}, 3,
                           sl_expr_arith(&P, SL_OP_ADD, COL("S1"), COL("V")))),
          "INTEGER 3");
    CHECK(F("REDUCE", COL("NARR"), N("5"), LAMBDA("S1", "X", COL("S1"))), "INTEGER 5");
}

/* ---- NULLs, URLs ------------------------------------------------------------------------- */

static void test_misc(void **state)
{
    CHECK(F("COALESCE", COL("NI"), NUL(), N("10")), "INTEGER 10");
    CHECK(F("COALESCE", COL("NI")), "INTEGER null");
    CHECK(F("IFNULL", COL("NARR"), ARR(N("10"), N("20"))), "ARRAY<INTEGER> [10,20]");
    CHECK(F("NULLIF", COL("I"), N("-7")), "INTEGER null");
    CHECK(F("NULLIF", COL("ARR"), ARR(N("1"))), "ARRAY<INTEGER> [3,null,1,2,1]");
    CHECK(F("AS_VALUE", COL("S")), "STRING \"Hello World\"");
    CHECK(F("URL_ENCODE_PARAM", STR("?foo $bar")), "STRING \"%3Ffoo+%24bar\"");
    CHECK(F("URL_DECODE_PARAM", STR("%3Ffoo+%24bar")), "STRING \"?foo $bar\"");
    CHECK_PREFIX(F("URL_DECODE_PARAM", STR("%zz")), "NULL!: URLDecoder: Illegal hex characters");
    CHECK(F("URL_EXTRACT_HOST", STR("http://test@confluent.io:8080/nested/path?q=2#frag")),
          "STRING \"confluent.io\"");
    CHECK(F("URL_EXTRACT_PORT", STR("http://test@confluent.io:8080/nested/path?q=2#frag")),
          "INTEGER 8080");
    CHECK(F("URL_EXTRACT_PORT", STR("http://confluent.io")), "INTEGER null");
    CHECK(F("URL_EXTRACT_PATH", STR("http://www.test.com/a%20b?query")), "STRING \"/a b\"");
    CHECK(F("URL_EXTRACT_PATH", STR("http://www.test.com?query")), "STRING \"\"");
    CHECK(F("URL_EXTRACT_QUERY", STR("http://www.test.com/path?q1&q2")), "STRING \"q1&q2\"");
    CHECK(F("URL_EXTRACT_QUERY", STR("http://www.test.com/path")), "STRING null");
    CHECK(F("URL_EXTRACT_FRAGMENT", STR("http://www.test.com/?query#fragment")),
          "STRING \"fragment\"");
    CHECK(F("URL_EXTRACT_PROTOCOL", STR("https://www.test.com")), "STRING \"https\"");
    CHECK(
        F("URL_EXTRACT_PARAMETER", STR("http://www.test.com/?one=a&two=url%20encoded"), STR("two")),
        "STRING \"url%20encoded\"");
    CHECK(F("URL_EXTRACT_PARAMETER", STR("http://www.test.com/?one"), STR("one")), "STRING \"\"");
    CHECK(F("URL_EXTRACT_HOST", STR("not a url")), "STRING null");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_math),
        cmocka_unit_test(test_time_functions),
        cmocka_unit_test(test_timefmt_and_zones),
        cmocka_unit_test(test_json_functions),
        cmocka_unit_test(test_collections),
        cmocka_unit_test(test_misc),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
