/*
 * test_serde_jsonschema.c — unit tests for serde/'s JSON Schema parsing and Confluent-style
 * compatibility: each case names the original (writer) and update (reader) schemas, the
 * verdict Confluent's rules give, and a change (name and path) that must be reported.
 * Cases are written here from the rules, not copied from the shared conformance file.
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

static sl_jsonschema_t *must_parse(const char *text)
{
    sl_jsonschema_t *s = NULL;
    char err[256];
    int rc = sl_jsonschema_parse(text, strlen(text), &s, err, sizeof err);
    if (rc != SL_OK) fail_msg("rejected (%d: %s): %s", rc, err, text);
    return s;
}

/* Checks update-against-original: the verdict, and that `change` ("NAME #/path") is listed
 * (NULL: no changes at all). */
static void check(const char *orig, const char *upd, int compatible, const char *change)
{
    sl_jsonschema_t *o = must_parse(orig), *u = must_parse(upd);
    sl_jsonschema_report_t r;
    assert_int_equal(sl_jsonschema_compat(u, o, &r), SL_OK);
    if (r.compatible != compatible)
        fail_msg("%s -> %s: expected %s", orig, upd, compatible ? "compatible" : "incompatible");
    if (!change) {
        if (r.n_changes)
            fail_msg("%s -> %s: unexpected %s %s", orig, upd, r.changes[0].type, r.changes[0].path);
    } else {
        int found = 0;
        for (size_t i = 0; i < r.n_changes && !found; i++) {
            char buf[512];
            snprintf(buf, sizeof buf, "%s %s", r.changes[i].type, r.changes[i].path);
            found = strcmp(buf, change) == 0;
            assert_non_null(r.changes[i].reason);
        }
        if (!found) fail_msg("%s -> %s: %s not reported", orig, upd, change);
    }
    sl_jsonschema_report_free(&r);
    assert_null(r.changes);
    sl_jsonschema_free(o);
    sl_jsonschema_free(u);
}

static void test_type_widen_narrow(void **state)
{
    (void)state;
    check("{\"type\":\"integer\",\"minimum\":0}", "{\"type\":\"number\",\"minimum\":0}", 1,
          "TYPE_EXTENDED #/");
    check("{\"properties\":{\"n\":{\"type\":\"number\"}}}",
          "{\"properties\":{\"n\":{\"type\":\"integer\"}}}", 0, "TYPE_NARROWED #/properties/n");
    check("{\"type\":\"boolean\"}", "{\"type\":\"string\"}", 0, "TYPE_CHANGED #/");
    /* anything may become the empty schema; false may become anything */
    check("{\"type\":\"string\",\"maxLength\":3}", "true", 1, NULL);
    check("false", "{\"type\":\"string\"}", 1, NULL);
    /* ["string","null"] is anyOf: a string reader widened to it is a sum type extension */
    check("{\"type\":\"string\"}", "{\"type\":[\"string\",\"null\"]}", 1, "SUM_TYPE_EXTENDED #/");
    check("{\"type\":[\"string\",\"null\"]}", "{\"type\":\"string\"}", 0, "TYPE_CHANGED #/");
}

static void test_open_content_model(void **state)
{
    (void)state;
    /* open: removing is fine, adding a typed property is not (old data may hold anything) */
    check("{\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}}}",
          "{\"properties\":{\"a\":{\"type\":\"string\"}}}", 1,
          "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL #/properties/b");
    check("{\"properties\":{\"a\":{\"type\":\"string\"}}}",
          "{\"properties\":{\"a\":{\"type\":\"string\"},\"c\":{\"type\":\"integer\"}},"
          "\"required\":[\"c\"]}",
          0, "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/c");
    check("{\"properties\":{}}", "{\"properties\":{\"any\":{}}}", 1,
          "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL #/properties/any");
}

static void test_closed_content_model(void **state)
{
    (void)state;
    const char *closed = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},"
                         "\"b\":{\"type\":\"integer\"}},\"additionalProperties\":false}";
    /* removing from a closed model rejects old data that had it */
    check(closed,
          "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},"
          "\"additionalProperties\":false}",
          0, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/b");
    /* adding an optional one is fine, a required one is not */
    check(closed,
          "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":"
          "\"integer\"},\"c\":{\"type\":\"boolean\"}},\"additionalProperties\":false}",
          1, "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/c");
    check(closed,
          "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":"
          "\"integer\"},\"c\":{\"type\":\"boolean\"}},\"required\":[\"c\"],"
          "\"additionalProperties\":false}",
          0, "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/c");
    /* ... unless it has a default */
    check(closed,
          "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":"
          "\"integer\"},\"c\":{\"type\":\"boolean\",\"default\":true}},\"required\":[\"c\"],"
          "\"additionalProperties\":false}",
          1, "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/c");
    /* closing an open model */
    check("{\"type\":\"object\"}", "{\"type\":\"object\",\"additionalProperties\":false}", 0,
          "ADDITIONAL_PROPERTIES_REMOVED #/additionalProperties");
}

static void test_partially_open(void **state)
{
    (void)state;
    /* a removed property must be accepted by the new patternProperties */
    check("{\"properties\":{\"n_1\":{\"type\":\"integer\"}},\"additionalProperties\":false}",
          "{\"patternProperties\":{\"^n_\":{\"type\":\"number\"}},"
          "\"additionalProperties\":false}",
          1, "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/n_1");
    check("{\"properties\":{\"n_1\":{\"type\":\"number\"}},\"additionalProperties\":false}",
          "{\"patternProperties\":{\"^n_\":{\"type\":\"integer\"}},"
          "\"additionalProperties\":false}",
          0, "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/n_1");
}

static void test_required(void **state)
{
    (void)state;
    const char *p = "{\"properties\":{\"x\":{\"type\":\"string\"}}";
    char a[256], b[256];
    snprintf(a, sizeof a, "%s}", p);
    snprintf(b, sizeof b, "%s,\"required\":[\"x\"]}", p);
    check(a, b, 0, "REQUIRED_ATTRIBUTE_ADDED #/required/x");
    check(b, a, 1, "REQUIRED_ATTRIBUTE_REMOVED #/required/x");
}

static void test_string_number_limits(void **state)
{
    (void)state;
    check("{\"type\":\"string\",\"maxLength\":20}", "{\"type\":\"string\",\"maxLength\":8}", 0,
          "MAX_LENGTH_DECREASED #/maxLength");
    check("{\"type\":\"string\"}", "{\"type\":\"string\",\"minLength\":1}", 0,
          "MIN_LENGTH_ADDED #/minLength");
    check("{\"type\":\"number\",\"exclusiveMinimum\":0}",
          "{\"type\":\"number\",\"exclusiveMinimum\":-5}", 1,
          "EXCLUSIVE_MINIMUM_DECREASED #/exclusiveMinimum");
    check("{\"type\":\"number\",\"multipleOf\":4}", "{\"type\":\"number\",\"multipleOf\":8}", 0,
          "MULTIPLE_OF_EXPANDED #/multipleOf");
    check("{\"type\":\"number\",\"multipleOf\":0.5}", "{\"type\":\"number\",\"multipleOf\":0.25}",
          1, "MULTIPLE_OF_REDUCED #/multipleOf");
}

static void test_enum(void **state)
{
    (void)state;
    check("{\"enum\":[\"a\",\"b\",\"c\"]}", "{\"enum\":[\"a\",\"b\"]}", 0,
          "ENUM_ARRAY_NARROWED #/enum");
    check("{\"enum\":[\"a\",\"b\"]}", "{\"enum\":[\"b\",\"a\",1]}", 1,
          "ENUM_ARRAY_EXTENDED #/enum");
}

static void test_one_of(void **state)
{
    (void)state;
    const char *two = "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}";
    /* dropping a branch: old integers have no reader */
    check(two, "{\"oneOf\":[{\"type\":\"string\"}]}", 0, "SUM_TYPE_NARROWED #/");
    /* reordering and widening a branch is fine: branches are matched, not compared in order */
    check(two, "{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"string\"},{\"type\":\"null\"}]}", 1,
          "TYPE_EXTENDED #/oneOf/1");
    /* a changed branch with no compatible partner */
    check(two, "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"boolean\"}]}", 0,
          "COMBINED_TYPE_SUBSCHEMAS_CHANGED #/");
    /* oneOf -> anyOf widens */
    check(two, "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", 1,
          "COMBINED_TYPE_EXTENDED #/");
}

static void test_arrays_and_refs(void **state)
{
    (void)state;
    check("{\"type\":\"array\",\"items\":{\"$ref\":\"#/definitions/s\"},"
          "\"definitions\":{\"s\":{\"type\":\"string\",\"maxLength\":5}}}",
          "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}", 1,
          "MAX_LENGTH_REMOVED #/items/maxLength");
    /* 2020-12 tuple: prefixItems with items:false is a closed content model */
    check("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"array\","
          "\"prefixItems\":[{\"type\":\"string\"},{\"type\":\"integer\"}],\"items\":false}",
          "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"array\","
          "\"prefixItems\":[{\"type\":\"string\"}],\"items\":false}",
          0, "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL #/items/1");
    /* a recursive schema compared with itself terminates and is compatible */
    const char *tree = "{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"integer\"},"
                       "\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}}}";
    check(tree, tree, 1, NULL);
}

static void expect_reject(const char *text, int rc_want, const char *msg_part)
{
    sl_jsonschema_t *s = NULL;
    char err[256];
    int rc = sl_jsonschema_parse(text, strlen(text), &s, err, sizeof err);
    if (rc != rc_want) fail_msg("%s: rc %d, want %d (%s)", text, rc, rc_want, err);
    assert_null(s);
    if (!strstr(err, msg_part)) fail_msg("%s: message '%s' lacks '%s'", text, err, msg_part);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_reject("{\"type\":", SL_INVAL, "not JSON");
    expect_reject("[1,2]", SL_INVAL, "a schema must be");
    expect_reject("{\"type\":\"strnig\"}", SL_INVAL, "unknown type 'strnig'");
    expect_reject("{\"properties\":{\"a\":{\"minLength\":-1}}}", SL_INVAL,
                  "properties/a: minLength must be a non-negative integer");
    expect_reject("{\"required\":\"a\"}", SL_INVAL, "required must be an array of strings");
    expect_reject("{\"oneOf\":[]}", SL_INVAL, "oneOf must be a non-empty array");
    expect_reject("{\"$ref\":\"#/definitions/missing\"}", SL_INVAL, "does not resolve");
    expect_reject("{\"$ref\":\"other.json#/x\"}", SL_UNSUPP, "is not supported yet");
    expect_reject("{\"$ref\":\"#\"}", SL_INVAL, "never reaches a schema");
    expect_reject("{\"$schema\":\"http://json-schema.org/draft-04/schema#\","
                  "\"properties\":{\"a\":true}}",
                  SL_INVAL, "properties/a: a schema must be an object");
    expect_reject("{\"multipleOf\":0}", SL_INVAL, "multipleOf must be greater than 0");
    /* accepted: booleans from draft 6 on, draft-4 exclusiveMaximum flag */
    sl_jsonschema_free(must_parse("true"));
    sl_jsonschema_free(must_parse("{\"$schema\":\"http://json-schema.org/draft-04/schema#\","
                                  "\"maximum\":3,\"exclusiveMaximum\":true}"));
}

/* {"items": {"items": ... {}}} nested n deep. */
static char *nested(int n)
{
    size_t len = (size_t)n * 11 + 3;
    char *t = malloc(len);
    assert_non_null(t);
    char *p = t;
    for (int i = 0; i < n; i++)
        p += sprintf(p, "{\"items\":");
    p += sprintf(p, "{}");
    for (int i = 0; i < n; i++)
        *p++ = '}';
    *p = '\0';
    return t;
}

static void test_depth_bound(void **state)
{
    (void)state;
    char *ok = nested(SL_JSONSCHEMA_MAX_DEPTH - 1);
    sl_jsonschema_free(must_parse(ok));
    free(ok);
    char *deep = nested(SL_JSONSCHEMA_MAX_DEPTH);
    sl_jsonschema_t *s = NULL;
    char err[1024]; /* the message carries the 63-deep path first */
    assert_int_equal(sl_jsonschema_parse(deep, strlen(deep), &s, err, sizeof err), SL_TOOBIG);
    assert_null(s);
    assert_non_null(strstr(err, "nested deeper than 64"));
    free(deep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_widen_narrow),
        cmocka_unit_test(test_open_content_model),
        cmocka_unit_test(test_closed_content_model),
        cmocka_unit_test(test_partially_open),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_string_number_limits),
        cmocka_unit_test(test_enum),
        cmocka_unit_test(test_one_of),
        cmocka_unit_test(test_arrays_and_refs),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_depth_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
