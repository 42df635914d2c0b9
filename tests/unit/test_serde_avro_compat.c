/*
 * test_serde_avro_compat.c — unit tests for serde/avro_compat.c: Avro reader/writer
 * compatibility by the specification's resolution rules, with the incompatibility types,
 * JSON-pointer locations and messages of Apache Avro Java's SchemaCompatibility, and the
 * registry levels.
 *
 * Expected verdicts come from the specification's "Schema Resolution" section; expected
 * locations and messages from how Java's SchemaCompatibility builds them (and Confluent's
 * descriptions from its Difference class), written by hand here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/err.h"
#include "serde/serde.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sl_avro_schema_t *must_parse(const char *text)
{
    sl_avro_schema_t *s = NULL;
    char err[256];
    int rc = sl_avro_schema_parse(text, strlen(text), &s, err, sizeof err);
    if (rc != SL_OK) fail_msg("rejected (%d: %s): %s", rc, err, text);
    return s;
}

/* reader reads writer? The report is left in *rep (caller frees). */
static void run(const char *reader, const char *writer, sl_avro_compat_report_t *rep)
{
    sl_avro_schema_t *r = must_parse(reader), *w = must_parse(writer);
    assert_int_equal(sl_avro_compat(r, w, rep), SL_OK);
    sl_avro_schema_free(r);
    sl_avro_schema_free(w);
    /* The verdict and the issues agree. */
    assert_int_equal(rep->compatible, rep->n_issues == 0);
}

static void expect_ok(const char *reader, const char *writer)
{
    sl_avro_compat_report_t rep = {0};
    run(reader, writer, &rep);
    if (!rep.compatible)
        fail_msg("expected compatible: reader %s writer %s; got %s at %s (%s)", reader, writer,
                 sl_avro_incompat_name(rep.issues[0].type), rep.issues[0].location,
                 rep.issues[0].message);
    sl_avro_compat_report_free(&rep);
}

/* Incompatible, with exactly n_issues issues, one of which has this type, location and (unless
 * NULL) message. */
static void expect_bad_n(const char *reader, const char *writer, size_t n_issues,
                         sl_avro_incompat_t type, const char *loc, const char *msg)
{
    sl_avro_compat_report_t rep = {0};
    run(reader, writer, &rep);
    if (rep.compatible) fail_msg("expected incompatible: reader %s writer %s", reader, writer);
    int found = 0;
    for (size_t i = 0; i < rep.n_issues; i++) {
        const sl_avro_compat_issue_t *is = &rep.issues[i];
        if (is->type == type && strcmp(is->location, loc) == 0 &&
            (!msg || strcmp(is->message, msg) == 0))
            found = 1;
    }
    if (!found)
        fail_msg("no %s at %s (%s); first is %s at %s (%s)", sl_avro_incompat_name(type), loc,
                 msg ? msg : "*", sl_avro_incompat_name(rep.issues[0].type), rep.issues[0].location,
                 rep.issues[0].message);
    if (n_issues) assert_int_equal(rep.n_issues, n_issues);
    sl_avro_compat_report_free(&rep);
}

static void expect_bad(const char *reader, const char *writer, sl_avro_incompat_t type,
                       const char *loc, const char *msg)
{
    expect_bad_n(reader, writer, 0, type, loc, msg);
}

static const char *const prims[] = {"null",  "boolean", "int",   "long",
                                    "float", "double",  "bytes", "string"};

/* The whole promotion table: same type, or one of the specification's promotions. */
static void test_promotions_table(void **state)
{
    (void)state;
    static const char *const allowed[][2] = {
        /* reader, writer */
        {"long", "int"},    {"float", "int"},    {"double", "int"},   {"float", "long"},
        {"double", "long"}, {"double", "float"}, {"bytes", "string"}, {"string", "bytes"},
    };
    for (size_t r = 0; r < 8; r++) {
        for (size_t w = 0; w < 8; w++) {
            char rs[32], ws[32];
            snprintf(rs, sizeof rs, "\"%s\"", prims[r]);
            snprintf(ws, sizeof ws, "\"%s\"", prims[w]);
            int ok = r == w;
            for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++)
                if (strcmp(allowed[k][0], prims[r]) == 0 && strcmp(allowed[k][1], prims[w]) == 0)
                    ok = 1;
            if (ok) {
                expect_ok(rs, ws);
            } else {
                char up_r[16], up_w[16], msg[96];
                for (size_t i = 0; i <= strlen(prims[r]); i++)
                    up_r[i] = (char)(prims[r][i] >= 'a' ? prims[r][i] - 32 : prims[r][i]);
                for (size_t i = 0; i <= strlen(prims[w]); i++)
                    up_w[i] = (char)(prims[w][i] >= 'a' ? prims[w][i] - 32 : prims[w][i]);
                snprintf(msg, sizeof msg, "reader type: %s not compatible with writer type: %s",
                         up_r, up_w);
                expect_bad_n(rs, ws, 1, SL_AVRO_TYPE_MISMATCH, "/", msg);
            }
        }
    }
}

/* Narrowing is never allowed, also not inside a record (location of the field's type). */
static void test_promotions_disallowed_in_field(void **state)
{
    (void)state;
    expect_bad_n(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}",
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"}]}", 1,
        SL_AVRO_TYPE_MISMATCH, "/fields/0/type",
        "reader type: INT not compatible with writer type: LONG");
    expect_ok(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"double\"}]}",
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");
    /* Logical types do not change the encoding; Java ignores them too. */
    expect_ok("{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}", "\"int\"");
}

#define R1                                                                                         \
    "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"x\",\"fields\":[{\"name\":\"a\","         \
    "\"type\":\"int\"}"

static void test_field_added_with_default(void **state)
{
    (void)state;
    const char *v1 = R1 "]}";
    expect_ok(R1 ",{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}]}", v1);
    /* A null default is a default. */
    expect_ok(R1 ",{\"name\":\"b\",\"type\":[\"null\",\"string\"],\"default\":null}]}", v1);
    /* The writer's extra fields are skipped. */
    expect_ok(v1, R1 ",{\"name\":\"b\",\"type\":\"string\"}]}");
}

static void test_field_added_without_default(void **state)
{
    (void)state;
    expect_bad_n(R1 ",{\"name\":\"b\",\"type\":\"string\"}]}", R1 "]}", 1,
                 SL_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE, "/fields/1", "b");
}

/* Field order does not matter: fields match by name. */
static void test_field_reordered(void **state)
{
    (void)state;
    expect_ok(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"b\",\"type\":\"long\"},"
        "{\"name\":\"a\",\"type\":\"string\"}]}",
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},"
        "{\"name\":\"b\",\"type\":\"int\"}]}");
}

static void test_field_alias(void **state)
{
    (void)state;
    const char *w = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"name\",\"type\":"
                    "\"string\"}]}";
    expect_ok("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"full_name\",\"type\":"
              "\"string\",\"aliases\":[\"name\"]}]}",
              w);
    expect_bad("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"full_name\",\"type\":"
               "\"string\"}]}",
               w, SL_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE, "/fields/0", "full_name");
    /* Matching several writer fields is refused (Java throws). */
    expect_bad_n("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":"
                 "\"string\",\"aliases\":[\"b\"]}]}",
                 "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":"
                 "\"string\"},{\"name\":\"b\",\"type\":\"string\"}]}",
                 1, SL_AVRO_READER_FIELD_AMBIGUOUS, "/fields/0", "a");
}

#define ENUM(syms) "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":" syms "}"
#define ENUM_D(syms, d)                                                                            \
    "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":" syms ",\"default\":\"" d "\"}"

static void test_enum_symbols(void **state)
{
    (void)state;
    /* Reader knows more symbols: fine. */
    expect_ok(ENUM("[\"A\",\"B\",\"C\"]"), ENUM("[\"A\",\"B\"]"));
    /* Writer may write a symbol the reader lacks. */
    expect_bad_n(ENUM("[\"A\",\"B\"]"), ENUM("[\"A\",\"B\",\"C\"]"), 1,
                 SL_AVRO_MISSING_ENUM_SYMBOLS, "/symbols", "[C]");
    /* Several, sorted as Java's TreeSet prints them. */
    expect_bad_n(ENUM("[\"B\"]"), ENUM("[\"Z\",\"A\",\"M\",\"B\"]"), 1,
                 SL_AVRO_MISSING_ENUM_SYMBOLS, "/symbols", "[A, M, Z]");
}

static void test_enum_default(void **state)
{
    (void)state;
    expect_ok(ENUM_D("[\"A\",\"B\"]", "A"), ENUM("[\"A\",\"B\",\"C\",\"D\"]"));
    /* The writer's default does not help the reader. */
    expect_bad(ENUM("[\"A\",\"B\"]"), ENUM_D("[\"A\",\"B\",\"C\"]", "A"),
               SL_AVRO_MISSING_ENUM_SYMBOLS, "/symbols", "[C]");
}

static void test_enum_name(void **state)
{
    (void)state;
    expect_bad_n("{\"type\":\"enum\",\"name\":\"E2\",\"namespace\":\"x\",\"symbols\":[\"A\"]}",
                 "{\"type\":\"enum\",\"name\":\"E\",\"namespace\":\"x\",\"symbols\":[\"A\"]}", 1,
                 SL_AVRO_NAME_MISMATCH, "/name", "expected: x.E");
}

static void test_union_branches(void **state)
{
    (void)state;
    /* Reader union gained a branch: reads everything the writer wrote. */
    expect_ok("[\"null\",\"string\",\"int\"]", "[\"null\",\"string\"]");
    /* Writer union has a branch the reader lacks. */
    expect_bad_n("[\"null\",\"string\"]", "[\"null\",\"string\",\"int\"]", 1,
                 SL_AVRO_MISSING_UNION_BRANCH, "/2", "reader union lacking writer type: INT");
    /* Branches may be reordered and promoted. */
    expect_ok("[\"double\",\"null\"]", "[\"null\",\"int\",\"float\"]");
}

static void test_non_union_to_union(void **state)
{
    (void)state;
    expect_ok("[\"null\",\"string\"]", "\"string\"");
    expect_ok("[\"null\",\"long\"]", "\"int\"");
    expect_bad_n("[\"null\",\"string\"]", "\"int\"", 1, SL_AVRO_MISSING_UNION_BRANCH, "/",
                 "reader union lacking writer type: INT");
    /* Making a field optional inside a record. */
    expect_ok("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":"
              "[\"null\",\"string\"],\"default\":null}]}",
              "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":"
              "\"string\"}]}");
}

static void test_union_to_non_union(void **state)
{
    (void)state;
    /* Every writer branch must be readable; the failing one is named by its index. */
    expect_bad_n("\"string\"", "[\"null\",\"string\"]", 1, SL_AVRO_TYPE_MISMATCH, "/0",
                 "reader type: STRING not compatible with writer type: NULL");
    expect_ok("\"long\"", "[\"int\",\"long\"]");
    expect_ok("\"long\"", "[]");
}

static void test_fixed(void **state)
{
    (void)state;
    const char *f16 = "{\"type\":\"fixed\",\"name\":\"F\",\"size\":16}";
    expect_ok(f16, f16);
    expect_bad_n("{\"type\":\"fixed\",\"name\":\"F\",\"size\":8}", f16, 1,
                 SL_AVRO_FIXED_SIZE_MISMATCH, "/size", "expected: 16, found: 8");
    /* Name and size both wrong: both reported. */
    expect_bad_n("{\"type\":\"fixed\",\"name\":\"G\",\"size\":8}", f16, 2, SL_AVRO_NAME_MISMATCH,
                 "/name", "expected: F");
    expect_ok("{\"type\":\"fixed\",\"name\":\"G\",\"aliases\":[\"F\"],\"size\":16}", f16);
    expect_bad_n(f16, "\"bytes\"", 1, SL_AVRO_TYPE_MISMATCH, "/",
                 "reader type: FIXED not compatible with writer type: BYTES");
}

static void test_record_rename_alias(void **state)
{
    (void)state;
    const char *w = "{\"type\":\"record\",\"name\":\"Old\",\"namespace\":\"x\",\"fields\":[]}";
    expect_bad_n("{\"type\":\"record\",\"name\":\"New\",\"namespace\":\"x\",\"fields\":[]}", w, 1,
                 SL_AVRO_NAME_MISMATCH, "/name", "expected: x.Old");
    /* A short alias is in the reader's namespace. */
    expect_ok("{\"type\":\"record\",\"name\":\"New\",\"namespace\":\"x\",\"aliases\":[\"Old\"],"
              "\"fields\":[]}",
              w);
    expect_ok("{\"type\":\"record\",\"name\":\"New\",\"namespace\":\"y\",\"aliases\":[\"x.Old\"],"
              "\"fields\":[]}",
              w);
    expect_bad("{\"type\":\"record\",\"name\":\"New\",\"namespace\":\"y\",\"aliases\":[\"Old\"],"
               "\"fields\":[]}",
               w, SL_AVRO_NAME_MISMATCH, "/name", "expected: x.Old");
    /* Unqualified names match across namespaces (specification 1.10+, Java 1.10+). */
    expect_ok("{\"type\":\"record\",\"name\":\"Old\",\"namespace\":\"z\",\"fields\":[]}", w);
}

static void test_nested_records(void **state)
{
    (void)state;
    const char *w = "{\"type\":\"record\",\"name\":\"Outer\",\"fields\":[{\"name\":\"id\",\"type\":"
                    "\"long\"},{\"name\":\"in\",\"type\":{\"type\":\"record\",\"name\":\"Inner\","
                    "\"fields\":[{\"name\":\"v\",\"type\":\"string\"}]}}]}";
    expect_ok(w, w);
    expect_bad_n("{\"type\":\"record\",\"name\":\"Outer\",\"fields\":[{\"name\":\"id\",\"type\":"
                 "\"long\"},{\"name\":\"in\",\"type\":{\"type\":\"record\",\"name\":\"Inner\","
                 "\"fields\":[{\"name\":\"v\",\"type\":\"int\"},{\"name\":\"n\",\"type\":"
                 "\"int\"}]}}]}",
                 w, 2, SL_AVRO_TYPE_MISMATCH, "/fields/1/type/fields/0/type",
                 "reader type: INT not compatible with writer type: STRING");
    expect_bad("{\"type\":\"record\",\"name\":\"Outer\",\"fields\":[{\"name\":\"id\",\"type\":"
               "\"long\"},{\"name\":\"in\",\"type\":{\"type\":\"record\",\"name\":\"Inner\","
               "\"fields\":[{\"name\":\"v\",\"type\":\"int\"},{\"name\":\"n\",\"type\":"
               "\"int\"}]}}]}",
               w, SL_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE, "/fields/1/type/fields/1", "n");
}

/* A type met twice is reported at each place it is met (Java repeats the first location). */
static void test_shared_named_type_located_each_time(void **state)
{
    (void)state;
    expect_bad_n("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":" ENUM(
                     "[\"A\"]") "},{\"name\":\"b\",\"type\":\"E\"}]}",
                 "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":" ENUM(
                     "[\"A\",\"B\"]") "},{\"name\":\"b\",\"type\":\"E\"}]}",
                 2, SL_AVRO_MISSING_ENUM_SYMBOLS, "/fields/1/type/symbols", "[B]");
    /* The same for a record met twice (memoised pair re-based). */
    const char *rr = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":{"
                     "\"type\":\"record\",\"name\":\"P\",\"fields\":[{\"name\":\"x\",\"type\":"
                     "\"int\"}]}},{\"name\":\"b\",\"type\":{\"type\":\"array\",\"items\":\"P\"}}]}";
    const char *ww =
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":{"
        "\"type\":\"record\",\"name\":\"P\",\"fields\":[{\"name\":\"x\",\"type\":"
        "\"double\"}]}},{\"name\":\"b\",\"type\":{\"type\":\"array\",\"items\":\"P\"}}]}";
    expect_bad_n(rr, ww, 2, SL_AVRO_TYPE_MISMATCH, "/fields/0/type/fields/0/type", NULL);
    expect_bad_n(rr, ww, 2, SL_AVRO_TYPE_MISMATCH, "/fields/1/type/items/fields/0/type", NULL);
}

#define LIST_V1                                                                                    \
    "{\"type\":\"record\",\"name\":\"LongList\",\"fields\":[{\"name\":\"value\",\"type\":"         \
    "\"long\"},{\"name\":\"next\",\"type\":[\"null\",\"LongList\"]}]}"

static void test_recursive_list_self(void **state)
{
    (void)state;
    expect_ok(LIST_V1, LIST_V1);
    /* The same object on both sides. */
    sl_avro_schema_t *s = must_parse(LIST_V1);
    sl_avro_compat_report_t rep = {0};
    assert_int_equal(sl_avro_compat(s, s, &rep), SL_OK);
    assert_int_equal(rep.compatible, 1);
    sl_avro_compat_report_free(&rep);
    sl_avro_schema_free(s);
}

static void test_recursive_list_evolved(void **state)
{
    (void)state;
    const char *with_default =
        "{\"type\":\"record\",\"name\":\"LongList\",\"fields\":[{\"name\":\"value\",\"type\":"
        "\"double\"},{\"name\":\"next\",\"type\":[\"null\",\"LongList\"]},{\"name\":\"tag\","
        "\"type\":\"string\",\"default\":\"\"}]}";
    const char *no_default =
        "{\"type\":\"record\",\"name\":\"LongList\",\"fields\":[{\"name\":\"value\",\"type\":"
        "\"long\"},{\"name\":\"next\",\"type\":[\"null\",\"LongList\"]},{\"name\":\"tag\","
        "\"type\":\"string\"}]}";
    expect_ok(with_default, LIST_V1);
    /* Backwards: double does not narrow to long; the tag field is skipped. */
    expect_bad_n(LIST_V1, with_default, 1, SL_AVRO_TYPE_MISMATCH, "/fields/0/type",
                 "reader type: LONG not compatible with writer type: DOUBLE");
    expect_bad_n(no_default, LIST_V1, 1, SL_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE, "/fields/2",
                 "tag");
}

/* Mutual recursion through an array and a map. */
static void test_mutual_recursion(void **state)
{
    (void)state;
    const char *w =
        "{\"type\":\"record\",\"name\":\"Tree\",\"fields\":[{\"name\":\"kids\",\"type\":"
        "{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Node\",\"fields\":"
        "[{\"name\":\"t\",\"type\":{\"type\":\"map\",\"values\":\"Tree\"}},{\"name\":"
        "\"n\",\"type\":\"int\"}]}}}]}";
    const char *r =
        "{\"type\":\"record\",\"name\":\"Tree\",\"fields\":[{\"name\":\"kids\",\"type\":"
        "{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Node\",\"fields\":"
        "[{\"name\":\"t\",\"type\":{\"type\":\"map\",\"values\":\"Tree\"}},{\"name\":"
        "\"n\",\"type\":\"long\"}]}}}]}";
    expect_ok(w, w);
    expect_ok(r, w);
    expect_bad_n(w, r, 1, SL_AVRO_TYPE_MISMATCH, "/fields/0/type/items/fields/1/type",
                 "reader type: INT not compatible with writer type: LONG");
}

/*
 * A pair found compatible only by assuming an enclosing pair was, where that pair then fails
 * inside a union trial: the assumption must be withdrawn (Java keeps it and says compatible).
 * Reader B.a is [null, X1] and X1.y is a string, while writer A.y is an int: the writer's
 * B.a values cannot be read, whatever X2 can do for field u.
 */
static void test_withdrawn_assumption(void **state)
{
    (void)state;
    const char *r =
        "{\"type\":\"record\",\"name\":\"Root\",\"fields\":[{\"name\":\"u\",\"type\":["
        "{\"type\":\"record\",\"name\":\"X1\",\"aliases\":[\"A\"],\"fields\":["
        "{\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":\"B\",\"fields\":[{\"name\":\"a\","
        "\"type\":[\"null\",\"X1\"]}]}},{\"name\":\"y\",\"type\":\"string\"}]},"
        "{\"type\":\"record\",\"name\":\"X2\",\"aliases\":[\"A\"],\"fields\":[{\"name\":\"y\","
        "\"type\":\"int\"}]}]},{\"name\":\"v\",\"type\":\"B\"}]}";
    const char *w =
        "{\"type\":\"record\",\"name\":\"Root\",\"fields\":[{\"name\":\"u\",\"type\":"
        "{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"b\",\"type\":{\"type\":"
        "\"record\",\"name\":\"B\",\"fields\":[{\"name\":\"a\",\"type\":[\"null\",\"A\"]}]}},"
        "{\"name\":\"y\",\"type\":\"int\"}]}},{\"name\":\"v\",\"type\":\"B\"}]}";
    expect_bad_n(r, w, 1, SL_AVRO_MISSING_UNION_BRANCH, "/fields/1/type/fields/0/type/1",
                 "reader union lacking writer type: RECORD");
}

/* A reader union with the writer's exact name decides by that branch. */
static void test_reader_union_exact_name(void **state)
{
    (void)state;
    const char *w = "{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"x\",\"type\":"
                    "\"int\"}]}";
    expect_ok("[\"null\",{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"x\",\"type\":"
              "\"long\"}]}]",
              w);
    expect_bad_n("[{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"x\",\"type\":"
                 "\"string\"}]},{\"type\":\"record\",\"name\":\"B\",\"aliases\":[\"A\"],\"fields\":"
                 "[{\"name\":\"x\",\"type\":\"int\"}]}]",
                 w, 1, SL_AVRO_MISSING_UNION_BRANCH, "/",
                 "reader union lacking writer type: RECORD");
}

static void test_arrays_maps(void **state)
{
    (void)state;
    expect_ok("{\"type\":\"array\",\"items\":\"long\"}", "{\"type\":\"array\",\"items\":\"int\"}");
    expect_bad_n("{\"type\":\"array\",\"items\":\"int\"}",
                 "{\"type\":\"array\",\"items\":\"long\"}", 1, SL_AVRO_TYPE_MISMATCH, "/items",
                 "reader type: INT not compatible with writer type: LONG");
    expect_ok("{\"type\":\"map\",\"values\":[\"null\",\"string\"]}",
              "{\"type\":\"map\",\"values\":\"bytes\"}");
    expect_bad_n("{\"type\":\"map\",\"values\":\"string\"}",
                 "{\"type\":\"map\",\"values\":\"boolean\"}", 1, SL_AVRO_TYPE_MISMATCH, "/values",
                 "reader type: STRING not compatible with writer type: BOOLEAN");
    expect_bad_n("{\"type\":\"array\",\"items\":\"string\"}",
                 "{\"type\":\"map\",\"values\":\"string\"}", 1, SL_AVRO_TYPE_MISMATCH, "/",
                 "reader type: ARRAY not compatible with writer type: MAP");
    expect_bad_n("{\"type\":\"array\",\"items\":" ENUM("[\"A\"]") "}",
                 "{\"type\":\"array\",\"items\":" ENUM("[\"A\",\"B\"]") "}", 1,
                 SL_AVRO_MISSING_ENUM_SYMBOLS, "/items/symbols", "[B]");
}

/* Confluent's wording of each type, both directions. */
static void test_describe(void **state)
{
    (void)state;
    sl_avro_compat_issue_t is = {SL_AVRO_TYPE_MISMATCH, "/fields/1/type",
                                 "reader type: STRING not compatible with writer type: INT", 1, 0};
    char buf[512];
    size_t n = sl_avro_compat_describe(&is, buf, sizeof buf);
    assert_string_equal(buf, "{errorType:'TYPE_MISMATCH', description:'The type (path "
                             "'/fields/1/type') of a field in the new schema does not match with "
                             "the old schema', additionalInfo:'reader type: STRING not compatible "
                             "with writer type: INT'}");
    assert_int_equal(n, strlen(buf));
    sl_avro_compat_issue_t f = {SL_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE, "/fields/2", "LastName",
                                0, 0};
    sl_avro_compat_describe(&f, buf, sizeof buf);
    assert_string_equal(buf,
                        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The "
                        "field 'LastName' at path '/fields/2' in the old schema has no default "
                        "value and is missing in the new schema', additionalInfo:'LastName'}");
    sl_avro_compat_issue_t e = {SL_AVRO_MISSING_ENUM_SYMBOLS, "/fields/3/type/symbols", "[OTHER]",
                                0, 0};
    sl_avro_compat_describe(&e, buf, sizeof buf);
    assert_string_equal(buf, "{errorType:'MISSING_ENUM_SYMBOLS', description:'The old schema is "
                             "missing enum symbols '[OTHER]' at path '/fields/3/type/symbols' in "
                             "the new schema', additionalInfo:'[OTHER]'}");
    sl_avro_compat_issue_t u = {SL_AVRO_MISSING_UNION_BRANCH, "/fields/1/type/2",
                                "reader union lacking writer type: INT", 0, 0};
    sl_avro_compat_describe(&u, buf, sizeof buf);
    assert_string_equal(buf, "{errorType:'MISSING_UNION_BRANCH', description:'The old schema is "
                             "missing a type inside a union field at path '/fields/1/type/2' in "
                             "the new schema', additionalInfo:'reader union lacking writer type: "
                             "INT'}");
    sl_avro_compat_issue_t nm = {SL_AVRO_NAME_MISMATCH, "/name", "expected: x.Old", 1, 0};
    sl_avro_compat_describe(&nm, buf, sizeof buf);
    assert_string_equal(buf, "{errorType:'NAME_MISMATCH', description:'The name of the schema has "
                             "changed (path '/name')', additionalInfo:'expected: x.Old'}");
    /* Truncation still terminates and tells the needed length. */
    char small[8];
    n = sl_avro_compat_describe(&nm, small, sizeof small);
    assert_int_equal(strlen(small), 7);
    assert_true(n > 7);
}

static void test_levels(void **state)
{
    (void)state;
    sl_avro_schema_t *v1 = must_parse(R1 "]}");
    sl_avro_schema_t *v2 =
        must_parse(R1 ",{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}]}");
    sl_avro_schema_t *nw = must_parse(R1 ",{\"name\":\"b\",\"type\":\"string\"}]}");
    const sl_avro_schema_t *hist[] = {v1, v2};
    sl_avro_compat_report_t rep = {0};

    /* new reads v2 (has b); v2 reads new (v2 has a default for b): BACKWARD, FULL fine. */
    assert_int_equal(sl_avro_compat_check(SL_AVRO_COMPAT_BACKWARD, nw, hist, 2, &rep), SL_OK);
    assert_int_equal(rep.compatible, 1);
    sl_avro_compat_report_free(&rep);
    assert_int_equal(sl_avro_compat_check(SL_AVRO_COMPAT_FULL, nw, hist, 2, &rep), SL_OK);
    assert_int_equal(rep.compatible, 1);
    sl_avro_compat_report_free(&rep);

    /* Transitively, new cannot read v1 (no b there, no default). */
    assert_int_equal(sl_avro_compat_check(SL_AVRO_COMPAT_BACKWARD_TRANSITIVE, nw, hist, 2, &rep),
                     SL_OK);
    assert_int_equal(rep.compatible, 0);
    assert_int_equal(rep.n_issues, 1);
    assert_int_equal(rep.issues[0].type, SL_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE);
    assert_int_equal(rep.issues[0].existing_index, 0);
    assert_int_equal(rep.issues[0].reader_is_new, 1);
    assert_string_equal(rep.issues[0].location, "/fields/1");
    sl_avro_compat_report_free(&rep);

    /* FORWARD: v1 (old) reads new: fine (extra writer field). v1 as new, nw as existing: nw
     * (old reader) needs b with no default -> forward issue, reader is the old schema. */
    assert_int_equal(sl_avro_compat_check(SL_AVRO_COMPAT_FORWARD_TRANSITIVE, nw, hist, 2, &rep),
                     SL_OK);
    assert_int_equal(rep.compatible, 1);
    sl_avro_compat_report_free(&rep);
    const sl_avro_schema_t *hist2[] = {nw};
    assert_int_equal(sl_avro_compat_check(SL_AVRO_COMPAT_FORWARD, v1, hist2, 1, &rep), SL_OK);
    assert_int_equal(rep.compatible, 0);
    assert_int_equal(rep.issues[0].reader_is_new, 0);
    char buf[512];
    sl_avro_compat_describe(&rep.issues[0], buf, sizeof buf);
    assert_non_null(strstr(buf, "in the old schema has no default value and is missing in the new "
                                "schema"));
    sl_avro_compat_report_free(&rep);

    /* NONE and an empty history accept anything. */
    assert_int_equal(sl_avro_compat_check(SL_AVRO_COMPAT_NONE, v1, hist2, 1, &rep), SL_OK);
    assert_int_equal(rep.compatible, 1);
    sl_avro_compat_report_free(&rep);
    assert_int_equal(sl_avro_compat_check(SL_AVRO_COMPAT_FULL_TRANSITIVE, v1, NULL, 0, &rep),
                     SL_OK);
    assert_int_equal(rep.compatible, 1);
    sl_avro_compat_report_free(&rep);
    assert_int_equal(sl_avro_compat_check((sl_avro_compat_level_t)42, v1, hist2, 1, &rep),
                     SL_INVAL);
    sl_avro_compat_report_free(&rep);

    /* FULL_TRANSITIVE stops at the newest failing version and reports both directions. */
    sl_avro_schema_t *s1 = must_parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":"
                                      "\"a\",\"type\":\"int\"}]}");
    sl_avro_schema_t *s2 = must_parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":"
                                      "\"a\",\"type\":\"string\"}]}");
    const sl_avro_schema_t *hist3[] = {s1, s2};
    assert_int_equal(sl_avro_compat_check(SL_AVRO_COMPAT_FULL_TRANSITIVE, s1, hist3, 2, &rep),
                     SL_OK);
    assert_int_equal(rep.compatible, 0);
    assert_int_equal(rep.n_issues, 2);
    assert_int_equal(rep.issues[0].existing_index, 1);
    assert_int_equal(rep.issues[0].reader_is_new, 1);
    assert_int_equal(rep.issues[1].reader_is_new, 0);
    sl_avro_compat_report_free(&rep);

    sl_avro_compat_level_t lv;
    assert_int_equal(sl_avro_compat_level_parse("FULL_TRANSITIVE", &lv), SL_OK);
    assert_int_equal(lv, SL_AVRO_COMPAT_FULL_TRANSITIVE);
    assert_string_equal(sl_avro_compat_level_name(lv), "FULL_TRANSITIVE");
    assert_int_equal(sl_avro_compat_level_parse("backward", &lv), SL_INVAL);

    sl_avro_schema_free(s1);
    sl_avro_schema_free(s2);
    sl_avro_schema_free(v1);
    sl_avro_schema_free(v2);
    sl_avro_schema_free(nw);
}

/* Many issues: the report is capped but the verdict stays. */
static void test_issue_cap(void **state)
{
    (void)state;
    char *r = malloc(20000), *w = malloc(20000);
    size_t ro = 0, wo = 0;
    ro += (size_t)sprintf(r + ro, "{\"type\":\"record\",\"name\":\"R\",\"fields\":[");
    wo += (size_t)sprintf(w + wo, "{\"type\":\"record\",\"name\":\"R\",\"fields\":[");
    for (int i = 0; i < 150; i++) {
        ro += (size_t)sprintf(r + ro, "%s{\"name\":\"f%d\",\"type\":\"int\"}", i ? "," : "", i);
        wo += (size_t)sprintf(w + wo, "%s{\"name\":\"f%d\",\"type\":\"string\"}", i ? "," : "", i);
    }
    sprintf(r + ro, "]}");
    sprintf(w + wo, "]}");
    sl_avro_compat_report_t rep = {0};
    sl_avro_schema_t *rs = must_parse(r), *ws = must_parse(w);
    assert_int_equal(sl_avro_compat(rs, ws, &rep), SL_OK);
    assert_int_equal(rep.compatible, 0);
    assert_int_equal(rep.n_issues, SL_AVRO_COMPAT_MAX_ISSUES);
    assert_int_equal(rep.truncated, 1);
    assert_string_equal(rep.issues[99].location, "/fields/99/type");
    sl_avro_compat_report_free(&rep);
    sl_avro_schema_free(rs);
    sl_avro_schema_free(ws);
    free(r);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_promotions_table),
        cmocka_unit_test(test_promotions_disallowed_in_field),
        cmocka_unit_test(test_field_added_with_default),
        cmocka_unit_test(test_field_added_without_default),
        cmocka_unit_test(test_field_reordered),
        cmocka_unit_test(test_field_alias),
        cmocka_unit_test(test_enum_symbols),
        cmocka_unit_test(test_enum_default),
        cmocka_unit_test(test_enum_name),
        cmocka_unit_test(test_union_branches),
        cmocka_unit_test(test_non_union_to_union),
        cmocka_unit_test(test_union_to_non_union),
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_record_rename_alias),
        cmocka_unit_test(test_nested_records),
        cmocka_unit_test(test_shared_named_type_located_each_time),
        cmocka_unit_test(test_recursive_list_self),
        cmocka_unit_test(test_recursive_list_evolved),
        cmocka_unit_test(test_mutual_recursion),
        cmocka_unit_test(test_withdrawn_assumption),
        cmocka_unit_test(test_reader_union_exact_name),
        cmocka_unit_test(test_arrays_maps),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_issue_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
