/*
 * test_serde_avro.c — unit tests for serde/'s Avro schemas: parsing and validation, Parsing
 * Canonical Form, CRC-64-AVRO fingerprints, error messages with JSON paths, bounds.
 *
 * Expected canonical forms are written by hand from the specification's transformations;
 * expected fingerprints come from an independent implementation of the specification's
 * fingerprint64 pseudo-code (Python), cross-checked against the published values for "null"
 * and "int".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/err.h"
#include "serde/serde.h"
#include "serde/serde_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses text that must be valid and returns the schema (fails the test otherwise). */
static sl_avro_schema_t *must_parse(const char *text)
{
    sl_avro_schema_t *s = NULL;
    char err[256];
    int rc = sl_avro_schema_parse(text, strlen(text), &s, err, sizeof err);
    if (rc != SL_OK) fail_msg("rejected (%d: %s): %s", rc, err, text);
    assert_non_null(s);
    return s;
}

/*
 * Asserts that text's canonical form is exactly want and whether it is flagged lossy (names a
 * null-namespace type inside a namespaced one). A form that is not lossy must be a fixed
 * point: parsing it again gives the same form. A lossy one re-parses to reparsed (or must
 * fail to re-parse when reparsed is NULL).
 */
static void expect_pcf_ex(const char *text, const char *want, int lossy, const char *reparsed)
{
    sl_avro_schema_t *s = must_parse(text);
    size_t len;
    const char *pcf = sl_avro_canonical(s, &len);
    assert_string_equal(pcf, want);
    assert_int_equal(len, strlen(want));
    assert_int_equal(s->canonical_lossy, lossy);
    if (!lossy) reparsed = want;
    sl_avro_schema_t *again = NULL;
    int rc = sl_avro_schema_parse(pcf, len, &again, NULL, 0);
    if (!reparsed) {
        assert_int_equal(rc, SL_INVAL);
    } else {
        assert_int_equal(rc, SL_OK);
        assert_string_equal(sl_avro_canonical(again, NULL), reparsed);
        if (!lossy) assert_true(sl_avro_fingerprint64(again) == sl_avro_fingerprint64(s));
    }
    sl_avro_schema_free(again);
    sl_avro_schema_free(s);
}

static void expect_pcf(const char *text, const char *want)
{
    expect_pcf_ex(text, want, 0, want);
}

/* Asserts that text is rejected with status want_rc and exactly the message want_msg. */
static void expect_error(const char *text, int want_rc, const char *want_msg)
{
    sl_avro_schema_t *s = (sl_avro_schema_t *)0x1;
    char err[256];
    int rc = sl_avro_schema_parse(text, strlen(text), &s, err, sizeof err);
    if (rc != want_rc) fail_msg("status %d (%s), expected %d, for %s", rc, err, want_rc, text);
    assert_null(s);
    assert_string_equal(err, want_msg);
}

static void test_crc64_vectors(void **state)
{
    (void)state;
    /* The specification's EMPTY: the fingerprint of no bytes at all. */
    assert_true(sl_avro_crc64("", 0) == 0xc15d213aa4d7a795ULL);
    /* Published fingerprints of the primitives (Avro's schema-tests.txt, signed decimal). */
    assert_true((int64_t)sl_avro_crc64("\"null\"", 6) == 7195948357588979594LL);
    assert_true((int64_t)sl_avro_crc64("\"int\"", 5) == 8247732601305521295LL);
    assert_true((int64_t)sl_avro_crc64("\"string\"", 8) == -8142146995180207161LL);
}

static void test_fingerprint_of_schema(void **state)
{
    (void)state;
    sl_avro_schema_t *s = must_parse("  {\"type\" : \"null\", \"doc\": \"nothing\"}  ");
    assert_true(sl_avro_fingerprint64(s) == 0x63dd24e7cc258f8aULL);
    sl_avro_schema_free(s);

    s = must_parse("{\"namespace\": \"com.example.people\", \"type\": \"record\", \"doc\": \"x\","
                   " \"name\": \"User\", \"fields\": [{\"type\": \"long\", \"name\": \"id\","
                   " \"default\": 7}]}");
    assert_string_equal(sl_avro_canonical(s, NULL),
                        "{\"name\":\"com.example.people.User\",\"type\":\"record\",\"fields\":["
                        "{\"name\":\"id\",\"type\":\"long\"}]}");
    assert_true(sl_avro_fingerprint64(s) == 0x36ef0d811cc5b8a0ULL);
    sl_avro_schema_free(s);

    s = must_parse("{\"type\":\"record\",\"name\":\"LongList\",\"aliases\":[\"LinkedLongs\"],"
                   "\"fields\":[{\"name\":\"value\",\"type\":\"long\"},"
                   "{\"name\":\"next\",\"type\":[\"null\",\"LongList\"],\"default\":null}]}");
    assert_true(sl_avro_fingerprint64(s) == 0x7c1d07908358ce92ULL);
    sl_avro_schema_free(s);
}

static void test_pcf_primitives(void **state)
{
    (void)state;
    expect_pcf("\"long\"", "\"long\"");
    expect_pcf(" { \"type\" : \"bytes\" } ", "\"bytes\"");
    /* Logical types and unknown attributes are not part of the canonical form. */
    expect_pcf("{\"type\":\"string\",\"logicalType\":\"uuid\",\"x-extra\":[1,2]}", "\"string\"");
    expect_pcf("{\"type\":\"int\",\"logicalType\":\"date\"}", "\"int\"");
    /* [STRINGS]: escapes in the input are resolved. */
    expect_pcf("\"\\u0069nt\"", "\"int\"");
}

static void test_pcf_complex(void **state)
{
    (void)state;
    expect_pcf(
        "{\"values\": {\"type\": \"array\", \"items\": [\"null\", \"double\"]},"
        " \"type\": \"map\", \"default\": {}}",
        "{\"type\":\"map\",\"values\":{\"type\":\"array\",\"items\":[\"null\",\"double\"]}}");
    expect_pcf("{\"size\": 16, \"type\": \"fixed\", \"aliases\": [\"h\"], \"name\": \"md5\","
               " \"logicalType\": \"x\"}",
               "{\"name\":\"md5\",\"type\":\"fixed\",\"size\":16}");
    expect_pcf("{\"symbols\": [\"B\", \"A\"], \"doc\": \"d\", \"type\": \"enum\","
               " \"name\": \"E\", \"namespace\": \"n.m\", \"default\": \"A\"}",
               "{\"name\":\"n.m.E\",\"type\":\"enum\",\"symbols\":[\"B\",\"A\"]}");
    expect_pcf("[]", "[]");
    /* Field attributes other than name and type are stripped; field order is kept. */
    expect_pcf("{\"type\":\"record\",\"name\":\"R\",\"fields\":["
               "{\"type\":\"int\",\"name\":\"b\",\"order\":\"descending\",\"doc\":\"d\"},"
               "{\"aliases\":[\"z\"],\"name\":\"a\",\"type\":{\"type\":\"string\"},"
               "\"default\":\"x\"}]}",
               "{\"name\":\"R\",\"type\":\"record\",\"fields\":[{\"name\":\"b\",\"type\":\"int\"},"
               "{\"name\":\"a\",\"type\":\"string\"}]}");
    /* "error" is a record flavour (protocols); Java's normaliser writes it as "record". */
    expect_pcf("{\"type\":\"error\",\"name\":\"Oops\",\"fields\":[]}",
               "{\"name\":\"Oops\",\"type\":\"record\",\"fields\":[]}");
}

static void test_pcf_names(void **state)
{
    (void)state;
    /* Nested definitions inherit the namespace of the enclosing named type, also when the
     * enclosing name is a full name; "namespace":"" selects the null namespace; references
     * resolve by short name (enclosing namespace, then the null namespace) or full name. */
    expect_pcf("{\"type\":\"record\",\"name\":\"a.b.Outer\",\"namespace\":\"ignored\",\"fields\":["
               "{\"name\":\"i\",\"type\":{\"type\":\"record\",\"name\":\"Inner\",\"fields\":["
               "{\"name\":\"x\",\"type\":\"a.b.Outer\"},{\"name\":\"y\",\"type\":\"Outer\"}]}},"
               "{\"name\":\"l\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"namespace\":\"c\","
               "\"size\":2}},"
               "{\"name\":\"m\",\"type\":{\"type\":\"c.F\"}},"
               "{\"name\":\"n\",\"type\":[\"null\",\"Inner\",\"c.F\"]}]}",
               "{\"name\":\"a.b.Outer\",\"type\":\"record\",\"fields\":["
               "{\"name\":\"i\",\"type\":{\"name\":\"a.b.Inner\",\"type\":\"record\",\"fields\":["
               "{\"name\":\"x\",\"type\":\"a.b.Outer\"},{\"name\":\"y\",\"type\":\"a.b.Outer\"}]}},"
               "{\"name\":\"l\",\"type\":{\"name\":\"c.F\",\"type\":\"fixed\",\"size\":2}},"
               "{\"name\":\"m\",\"type\":\"c.F\"},"
               "{\"name\":\"n\",\"type\":[\"null\",\"a.b.Inner\",\"c.F\"]}]}");
    /* The specification's gap: a null-namespace type inside a namespaced one is written with
     * its bare name, which re-parses into the enclosing namespace (Java does the same). */
    expect_pcf_ex("{\"type\":\"record\",\"name\":\"a.b.Outer\",\"fields\":["
                  "{\"name\":\"j\",\"type\":{\"type\":\"enum\",\"name\":\"Other\","
                  "\"namespace\":\"\",\"symbols\":[\"S\"]}},{\"name\":\"k\",\"type\":\"Other\"}]}",
                  "{\"name\":\"a.b.Outer\",\"type\":\"record\",\"fields\":["
                  "{\"name\":\"j\",\"type\":{\"name\":\"Other\",\"type\":\"enum\","
                  "\"symbols\":[\"S\"]}},{\"name\":\"k\",\"type\":\"Other\"}]}",
                  1,
                  "{\"name\":\"a.b.Outer\",\"type\":\"record\",\"fields\":["
                  "{\"name\":\"j\",\"type\":{\"name\":\"a.b.Other\",\"type\":\"enum\","
                  "\"symbols\":[\"S\"]}},{\"name\":\"k\",\"type\":\"a.b.Other\"}]}");
    /* ... and where the namespaced twin exists too, the form does not re-parse at all. */
    expect_pcf_ex("{\"type\":\"record\",\"name\":\"a.Outer\",\"fields\":["
                  "{\"name\":\"j\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"namespace\":\"\","
                  "\"size\":1}},{\"name\":\"k\",\"type\":{\"type\":\"fixed\",\"name\":\"F\","
                  "\"size\":2}}]}",
                  "{\"name\":\"a.Outer\",\"type\":\"record\",\"fields\":["
                  "{\"name\":\"j\",\"type\":{\"name\":\"F\",\"type\":\"fixed\",\"size\":1}},"
                  "{\"name\":\"k\",\"type\":{\"name\":\"a.F\",\"type\":\"fixed\",\"size\":2}}]}",
                  1, NULL);
    /* A type defined inside a namespace-less definition keeps its own explicit namespace, and
     * its children inherit that one; the same short name in two namespaces is two types. */
    expect_pcf("{\"type\":\"record\",\"name\":\"R\",\"fields\":["
               "{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"x\","
               "\"fields\":[{\"name\":\"b\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
               "\"symbols\":[\"Q\"]}},{\"name\":\"c\",\"type\":\"R\"}]}},"
               "{\"name\":\"d\",\"type\":\"R\"},{\"name\":\"e\",\"type\":\"x.E\"}]}",
               "{\"name\":\"R\",\"type\":\"record\",\"fields\":["
               "{\"name\":\"a\",\"type\":{\"name\":\"x.R\",\"type\":\"record\",\"fields\":["
               "{\"name\":\"b\",\"type\":{\"name\":\"x.E\",\"type\":\"enum\","
               "\"symbols\":[\"Q\"]}},{\"name\":\"c\",\"type\":\"x.R\"}]}},"
               "{\"name\":\"d\",\"type\":\"R\"},{\"name\":\"e\",\"type\":\"x.E\"}]}");
    /* Complex type words may be reused as names. */
    expect_pcf("{\"type\":\"record\",\"name\":\"n.record\",\"fields\":["
               "{\"name\":\"map\",\"type\":{\"type\":\"fixed\",\"name\":\"array\",\"size\":0}},"
               "{\"name\":\"x\",\"type\":\"array\"}]}",
               "{\"name\":\"n.record\",\"type\":\"record\",\"fields\":["
               "{\"name\":\"map\",\"type\":{\"name\":\"n.array\",\"type\":\"fixed\",\"size\":0}},"
               "{\"name\":\"x\",\"type\":\"n.array\"}]}");
}

static void test_schema_name(void **state)
{
    (void)state;
    sl_avro_schema_t *s = must_parse("{\"type\":\"record\",\"namespace\":\"com.x\","
                                     "\"name\":\"User\",\"fields\":[]}");
    assert_string_equal(sl_avro_schema_name(s), "com.x.User");
    sl_avro_schema_free(s);
    s = must_parse("[\"null\",\"string\"]");
    assert_null(sl_avro_schema_name(s));
    sl_avro_schema_free(s);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
        "{\"name\":\"b\",\"type\":\"long\"},{\"name\":\"c\",\"type\":\"strin\"}]}",
        SL_INVAL, "fields[2].type: unknown type 'strin'");
    expect_error("{\"type\":\"panther\"}", SL_INVAL, "unknown type 'panther'");
    expect_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":"
                 "{\"type\":\"array\",\"items\":[\"int\",\"null\",\"int\"]}}]}",
                 SL_INVAL, "fields[0].type.items[2]: union already contains type 'int' (at [0])");
    expect_error("[\"null\",[\"int\"]]", SL_INVAL,
                 "[1]: a union may not immediately contain another union");
    expect_error(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
        "{\"name\":\"a\",\"type\":\"int\"}]}",
        SL_INVAL, "fields[1]: duplicate field name 'a' (also fields[0])");
    expect_error("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\",\"A\"]}", SL_INVAL,
                 "symbols[2]: duplicate symbol 'A' (also symbols[0])");
    expect_error("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"],\"default\":\"B\"}",
                 SL_INVAL, "enum 'E': 'default' must be one of its symbols");
    expect_error("{\"type\":\"enum\",\"name\":\"2d2\",\"symbols\":[\"c3po\"]}", SL_INVAL,
                 "invalid name '2d2' (must match [A-Za-z_][A-Za-z0-9_]*)");
    expect_error("{\"type\":\"fixed\",\"name\":\"F\",\"namespace\":\"a..b\",\"size\":1}", SL_INVAL,
                 "invalid namespace 'a..b'");
    expect_error("{\"type\":\"fixed\",\"name\":\"F\",\"size\":-1}", SL_INVAL,
                 "fixed 'F': size -1 out of range");
    expect_error("{\"type\":\"fixed\",\"name\":\"F\"}", SL_INVAL, "fixed 'F' has no 'size'");
    expect_error("{\"type\":\"record\",\"name\":\"long\",\"fields\":[]}", SL_INVAL,
                 "record may not be named after the primitive type 'long'");
    expect_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":"
                 "{\"type\":\"enum\",\"name\":\"R\",\"symbols\":[]}}]}",
                 SL_INVAL, "fields[0].type: redefinition of 'R'");
    /* Defined after use: references must follow their definition. */
    expect_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"F\"},"
                 "{\"name\":\"b\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":1}}]}",
                 SL_INVAL, "fields[0].type: unknown type 'F'");
    /* A short name is not looked up in some other namespace than the enclosing or null one. */
    expect_error(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":"
        "{\"type\":\"fixed\",\"name\":\"x.F\",\"size\":1}},{\"name\":\"b\",\"type\":\"F\"}]}",
        SL_INVAL, "fields[1].type: unknown type 'F'");
    expect_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"type\":\"int\"}]}", SL_INVAL,
                 "fields[0]: field has no 'name'");
    expect_error(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\","
        "\"order\":\"up\"}]}",
        SL_INVAL,
        "fields[0]: field 'a': 'order' must be \"ascending\", \"descending\" or \"ignore\"");
    expect_error("{\"type\":{\"type\":\"int\"}}", SL_INVAL,
                 "'type' must be a string naming a type, not an object");
    expect_error("42", SL_INVAL,
                 "a schema must be a string, an object or an array, not an integer");
    expect_error("{\"type\":\"string\"} x", SL_INVAL,
                 "invalid JSON at line 1, column 19: end of file expected near 'x'");
    /* Input bytes that are not printable ASCII never reach the message. */
    expect_error("\"caf\xc3\xa9\\n\"", SL_INVAL, "unknown type 'caf??\?'");
}

static void test_defaults(void **state)
{
    (void)state;
    const char *good[] = {
        "{\"name\":\"a\",\"type\":\"int\",\"default\":-2147483648}",
        "{\"name\":\"a\",\"type\":\"long\",\"default\":9007199254740993}",
        "{\"name\":\"a\",\"type\":\"double\",\"default\":1}",
        "{\"name\":\"a\",\"type\":\"float\",\"default\":\"NaN\"}",
        "{\"name\":\"a\",\"type\":\"bytes\",\"default\":\"\\u00ff\"}",
        "{\"name\":\"a\",\"type\":[\"null\",\"string\"],\"default\":null}",
        "{\"name\":\"a\",\"type\":[\"null\",\"string\"],\"default\":\"x\"}",
        "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"int\"},\"default\":[1,2]}",
        "{\"name\":\"a\",\"type\":{\"type\":\"map\",\"values\":\"boolean\"},"
        "\"default\":{\"k\":true}}",
        "{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":\"S\",\"fields\":["
        "{\"name\":\"x\",\"type\":\"int\"},{\"name\":\"y\",\"type\":\"int\",\"default\":0}]},"
        "\"default\":{\"x\":1}}",
    };
    const char *bad[] = {
        "{\"name\":\"a\",\"type\":\"int\",\"default\":2147483648}",
        "{\"name\":\"a\",\"type\":\"int\",\"default\":1.0}",
        "{\"name\":\"a\",\"type\":\"string\",\"default\":null}",
        "{\"name\":\"a\",\"type\":\"boolean\",\"default\":0}",
        "{\"name\":\"a\",\"type\":[\"null\",\"string\"],\"default\":1}",
        "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"int\"},\"default\":[1,\"2\"]}",
        "{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":\"S\",\"fields\":["
        "{\"name\":\"x\",\"type\":\"int\"}]},\"default\":{}}",
    };
    char text[1024];
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        snprintf(text, sizeof text, "{\"type\":\"record\",\"name\":\"R\",\"fields\":[%s]}",
                 good[i]);
        sl_avro_schema_free(must_parse(text));
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(text, sizeof text, "{\"type\":\"record\",\"name\":\"R\",\"fields\":[%s]}", bad[i]);
        sl_avro_schema_t *s = NULL;
        char err[256];
        if (sl_avro_schema_parse(text, strlen(text), &s, err, sizeof err) != SL_INVAL)
            fail_msg("accepted bad default: %s", text);
        assert_null(s);
        assert_non_null(strstr(err, "fields[0].default: invalid default for field 'a'"));
    }
    expect_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"n\",\"type\":"
                 "\"string\",\"default\":null}]}",
                 SL_INVAL,
                 "fields[0].default: invalid default for field 'n': null is not a valid "
                 "string");
    /* A record whose default refers to itself through field defaults: bounded, not a hang. */
    expect_error("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"me\",\"type\":\"R\","
                 "\"default\":{}}]}",
                 SL_TOOBIG, "fields[0].default: default of field 'me' too complex to check");
    /* The recursive linked list with a non-null default several levels deep is fine. */
    sl_avro_schema_free(
        must_parse("{\"type\":\"record\",\"name\":\"L\",\"fields\":[{\"name\":\"v\",\"type\":"
                   "\"int\"},{\"name\":\"next\",\"type\":[\"null\",\"L\"],\"default\":null},"
                   "{\"name\":\"alt\",\"type\":[\"null\",\"L\"],\"default\":{\"v\":1,\"next\":"
                   "{\"v\":2,\"alt\":null},\"alt\":null}}]}"));
    /* Without the inner "alt" the default would be infinite (alt's default inside itself). */
    expect_error("{\"type\":\"record\",\"name\":\"L\",\"fields\":[{\"name\":\"alt\",\"type\":"
                 "[\"null\",\"L\"],\"default\":{}}]}",
                 SL_TOOBIG, "fields[0].default: default of field 'alt' too complex to check");
}

/* {"type":"array","items": ... "int" ...} with n array levels: n + 1 schema levels. */
static char *nested_arrays(int n)
{
    const char *open = "{\"type\":\"array\",\"items\":";
    size_t len = (size_t)n * (strlen(open) + 1) + 8;
    char *t = malloc(len);
    assert_non_null(t);
    char *p = t;
    for (int i = 0; i < n; i++)
        p += sprintf(p, "%s", open);
    p += sprintf(p, "\"int\"");
    for (int i = 0; i < n; i++)
        *p++ = '}';
    *p = '\0';
    return t;
}

static void test_bounds(void **state)
{
    (void)state;
    char *t = nested_arrays(SL_AVRO_MAX_DEPTH - 1);
    sl_avro_schema_free(must_parse(t));
    free(t);
    t = nested_arrays(SL_AVRO_MAX_DEPTH);
    sl_avro_schema_t *s = NULL;
    char err[300];
    assert_int_equal(sl_avro_schema_parse(t, strlen(t), &s, err, sizeof err), SL_TOOBIG);
    assert_null(s);
    assert_non_null(strstr(err, "schema nested deeper than 64 levels"));
    free(t);
    /* JSON nesting far beyond any schema: refused by the JSON parser's own depth bound. */
    size_t n = 100000;
    t = malloc(n + 1);
    assert_non_null(t);
    memset(t, '[', n);
    t[n] = '\0';
    assert_int_equal(sl_avro_schema_parse(t, n, &s, err, sizeof err), SL_INVAL);
    assert_null(s);
    free(t);
    /* Full names longer than the bound. */
    char big[SL_AVRO_MAX_NAME + 100];
    memset(big, 'a', sizeof big);
    big[sizeof big - 1] = '\0';
    char text[sizeof big + 100];
    snprintf(text, sizeof text, "{\"type\":\"fixed\",\"size\":1,\"name\":\"%s\"}", big);
    assert_int_equal(sl_avro_schema_parse(text, strlen(text), &s, err, sizeof err), SL_TOOBIG);
    assert_string_equal(err, "full name longer than 1024 bytes");
    /* A small message buffer truncates but stays terminated; no buffer at all is fine. */
    char tiny[8];
    assert_int_equal(sl_avro_schema_parse("\"nope\"", 6, &s, tiny, sizeof tiny), SL_INVAL);
    assert_string_equal(tiny, "unknown");
    assert_int_equal(sl_avro_schema_parse("\"nope\"", 6, &s, NULL, 0), SL_INVAL);
}

static void test_namespace_fallback(void **state)
{
    (void)state;
    /* Java's parser resolves a short name that is not in the enclosing namespace from the null
     * namespace; Confluent's registry accepts such schemas, so we do too. */
    const char *fallback_pcf =
        "{\"name\":\"Top\",\"type\":\"record\",\"fields\":["
        "{\"name\":\"a\",\"type\":{\"name\":\"E\",\"type\":\"enum\",\"symbols\":[\"X\"]}},"
        "{\"name\":\"b\",\"type\":{\"name\":\"ns.In\",\"type\":\"record\",\"fields\":["
        "{\"name\":\"c\",\"type\":\"E\"}]}}]}";
    /* (Flagged lossy: a bare name inside a namespaced type; here it still reads back.) */
    expect_pcf_ex(
        "{\"type\":\"record\",\"name\":\"Top\",\"fields\":["
        "{\"name\":\"a\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"X\"]}},"
        "{\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":\"In\",\"namespace\":\"ns\","
        "\"fields\":[{\"name\":\"c\",\"type\":\"E\"}]}}]}",
        fallback_pcf, 1, fallback_pcf);
    /* ... but the enclosing namespace wins when both exist. */
    expect_pcf(
        "{\"type\":\"record\",\"name\":\"Top\",\"fields\":["
        "{\"name\":\"a\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"X\"]}},"
        "{\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":\"In\",\"namespace\":\"ns\","
        "\"fields\":[{\"name\":\"d\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
        "\"symbols\":[\"Y\"]}},{\"name\":\"c\",\"type\":\"E\"}]}}]}",
        "{\"name\":\"Top\",\"type\":\"record\",\"fields\":["
        "{\"name\":\"a\",\"type\":{\"name\":\"E\",\"type\":\"enum\",\"symbols\":[\"X\"]}},"
        "{\"name\":\"b\",\"type\":{\"name\":\"ns.In\",\"type\":\"record\",\"fields\":["
        "{\"name\":\"d\",\"type\":{\"name\":\"ns.E\",\"type\":\"enum\",\"symbols\":[\"Y\"]}},"
        "{\"name\":\"c\",\"type\":\"ns.E\"}]}}]}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc64_vectors),  cmocka_unit_test(test_fingerprint_of_schema),
        cmocka_unit_test(test_pcf_primitives), cmocka_unit_test(test_pcf_complex),
        cmocka_unit_test(test_pcf_names),      cmocka_unit_test(test_schema_name),
        cmocka_unit_test(test_errors),         cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_bounds),         cmocka_unit_test(test_namespace_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
