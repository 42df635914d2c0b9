/*
 * test_serde_jsonschema_validate.c — unit tests for JSON Schema validation
 * (sl_jsonschema_validate*), schema references (sl_jsonschema_parse_refs) and the ECMA-262
 * pattern subset. Cases are written from the specification text of each draft (there is no
 * copy of the official JSON-Schema-Test-Suite in the project), one test per keyword group,
 * each covering the drafts where the keyword's meaning differs.
 *
 * Schemas and documents are written with ' for " (q() swaps them) to stay readable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/err.h"
#include "serde/serde.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define D4    "'$schema':'http://json-schema.org/draft-04/schema#',"
#define D6    "'$schema':'http://json-schema.org/draft-06/schema#',"
#define D7    "'$schema':'http://json-schema.org/draft-07/schema#',"
#define D2019 "'$schema':'https://json-schema.org/draft/2019-09/schema',"
#define D2020 "'$schema':'https://json-schema.org/draft/2020-12/schema',"

/* Text with ' turned into " (malloc'd). */
static char *q(const char *t)
{
    char *s = strdup(t);
    assert_non_null(s);
    for (char *c = s; *c; c++)
        if (*c == '\'') *c = '"';
    return s;
}

static sl_jsonschema_t *S(const char *schema)
{
    char *t = q(schema);
    sl_jsonschema_t *s = NULL;
    char err[512];
    int rc = sl_jsonschema_parse(t, strlen(t), &s, err, sizeof err);
    if (rc != SL_OK) fail_msg("schema rejected (%d: %s): %s", rc, err, t);
    free(t);
    return s;
}

/* Validates doc (q-text) and checks the status and that the message contains part. */
static void expect(const sl_jsonschema_t *s, unsigned flags, const char *doc, int want,
                   const char *part)
{
    char *t = q(doc);
    char err[512];
    memset(err, 'x', sizeof err);
    int rc = sl_jsonschema_validate_text_ex(s, t, strlen(t), flags, err, sizeof err);
    if (rc != want) fail_msg("%s: rc %d (%s), want %d", t, rc, err, want);
    assert_non_null(memchr(err, '\0', sizeof err));
    for (const char *c = err; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            fail_msg("non-ASCII in '%s'", err);
    if (want == SL_OK && err[0]) fail_msg("%s: valid but message '%s'", t, err);
    if (part && !strstr(err, part)) fail_msg("%s: message '%s' lacks '%s'", t, err, part);
    free(t);
}

static void ok(const sl_jsonschema_t *s, const char *doc)
{
    expect(s, 0, doc, SL_OK, NULL);
}

static void bad(const sl_jsonschema_t *s, const char *doc, const char *part)
{
    expect(s, 0, doc, SL_INVAL, part);
}

/* One schema, a list of valid docs and a list of invalid ones (NULL-terminated). */
static void cases(const char *schema, const char *const *valid, const char *const *invalid)
{
    sl_jsonschema_t *s = S(schema);
    for (; valid && *valid; valid++)
        ok(s, *valid);
    for (; invalid && *invalid; invalid++)
        bad(s, *invalid, NULL);
    sl_jsonschema_free(s);
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_type(void **state)
{
    (void)state;
    cases("{'type':'string'}", L("'a'", "''"), L("1", "null", "true", "[]", "{}"));
    cases("{'type':'number'}", L("1", "1.5", "-1e10"), L("'1'", "null"));
    cases("{'type':'object'}", L("{}"), L("[]", "'x'"));
    cases("{'type':'array'}", L("[]", "[1]"), L("{}"));
    cases("{'type':'boolean'}", L("true", "false"), L("0", "'true'"));
    cases("{'type':'null'}", L("null"), L("0", "false", "''"));
    /* integer: draft 4 by the text (no fraction part), draft 6+ by the value */
    cases("{" D4 "'type':'integer'}", L("1", "-7", "0"), L("1.0", "1.5", "'1'"));
    cases("{" D6 "'type':'integer'}", L("1", "1.0", "-2.0", "1e3"), L("1.5", "'1'"));
    cases("{" D7 "'type':'integer'}", L("1.0"), L("0.1"));
    cases("{" D2019 "'type':'integer'}", L("1.0"), L("0.5"));
    cases("{" D2020 "'type':'integer'}", L("1.0", "1e300"), L("1e-3"));
    /* type lists */
    cases("{'type':['string','null']}", L("'a'", "null"), L("1", "{}"));
    sl_jsonschema_t *s = S("{'type':['string','null'],'maxLength':2}");
    bad(s, "'abc'", "(root): \"abc\" has 3 characters, more than maxLength 2");
    bad(s, "7", "(root): 7 is not of type string or null");
    sl_jsonschema_free(s);
    s = S("{'properties':{'a':{'type':'integer'}}}");
    bad(s, "{'a':1.5}", "/a: 1.5 is not of type integer");
    sl_jsonschema_free(s);
}

static void test_enum_const(void **state)
{
    (void)state;
    /* JSON equality: 1 == 1.0, objects regardless of key order, arrays element-wise */
    cases("{'enum':[1,'a',null,{'x':1,'y':[1,2]},[true]]}",
          L("1", "1.0", "'a'", "null", "{'y':[1,2.0],'x':1}", "[true]"),
          L("2", "'b'", "false", "{'x':1}", "[1]", "{'x':1,'y':[2,1]}", "[[true]]"));
    sl_jsonschema_t *s = S("{'enum':['a','b']}");
    bad(s, "'c'", "(root): \"c\" is not one of the enum values");
    sl_jsonschema_free(s);
    cases("{'const':{'a':[1,2]}}", L("{'a':[1.0,2]}"), L("{'a':[1,2,3]}", "{'a':[1,2],'b':0}"));
    cases("{" D6 "'const':0}", L("0", "0.0", "-0.0"), L("false", "null", "''"));
    /* const is not a draft-4 keyword: ignored */
    cases("{" D4 "'const':1}", L("2", "'x'"), NULL);
    /* false and 0, true and 1 differ */
    cases("{'enum':[false]}", L("false"), L("0"));
}

static void test_multiple_of(void **state)
{
    (void)state;
    /* decimal steps without float false negatives */
    cases("{'multipleOf':0.0001}", L("0.0075", "0.0001", "12.3456", "0", "-0.0075", "7"),
          L("0.00751", "0.00005"));
    cases("{'multipleOf':0.01}", L("19.99", "0.07", "1.1", "1000000.01"), L("0.001", "19.995"));
    cases("{'multipleOf':0.1}", L("0.3", "1.7", "-2.2"), L("0.30000000000000004", "0.15"));
    /* integers beyond 2^53 are exact */
    cases("{'multipleOf':3}", L("9007199254740993", "9223372036854775806", "-9223372036854775806"),
          L("9007199254740992", "9223372036854775807", "10"));
    cases("{'type':'integer','multipleOf':0.5}", L("1e308", "4"), L("4.5"));
    cases("{'multipleOf':1e-300}", L("1e-299", "3e-300"), L("1.5e-300"));
    cases("{'multipleOf':7}", L("7e20", "1.4e1"), L("1e20"));
    sl_jsonschema_t *s = S("{'properties':{'p':{'multipleOf':0.25}}}");
    bad(s, "{'p':0.3}", "/p: 0.3 is not a multiple of 0.25");
    sl_jsonschema_free(s);
}

static void test_ranges(void **state)
{
    (void)state;
    cases("{'minimum':1,'maximum':10}", L("1", "10", "5.5", "'x'"), L("0.999", "10.0001", "-1"));
    /* draft 4: boolean exclusive flags beside minimum/maximum */
    cases("{" D4 "'minimum':1,'exclusiveMinimum':true,'maximum':3,'exclusiveMaximum':true}",
          L("1.001", "2", "2.999"), L("1", "3", "1.0", "3.0"));
    cases("{" D4 "'minimum':1,'exclusiveMinimum':false}", L("1"), L("0"));
    /* draft 6+: numbers of their own */
    cases("{" D6 "'exclusiveMinimum':1,'exclusiveMaximum':3}", L("1.5", "2"), L("1", "3", "3.0"));
    cases("{" D2020 "'exclusiveMinimum':0,'minimum':-5}", L("0.1"), L("0", "-1"));
    /* exact between integers and doubles near 2^63 and 2^53 */
    cases("{'maximum':9007199254740992}", L("9007199254740992", "9007199254740992.0"),
          L("9007199254740993"));
    cases("{'maximum':9007199254740992.0}", L("9007199254740992"), L("9007199254740993"));
    cases("{'minimum':-9223372036854775808}", L("-9223372036854775808"), L("-9.3e18"));
    cases("{'maximum':9223372036854775807}", L("9223372036854775807"), L("9.3e18"));
    cases("{'maximum':0.5}", L("0"), L("1"));
    cases("{'minimum':-0.5}", L("0", "-0.5"), L("-1"));
    sl_jsonschema_t *s = S("{'properties':{'items':{'type':'array','items':{'properties':{'price':"
                           "{'maximum':10}}}}}}");
    bad(s, "{'items':[{},{'price':1},{},{'price':12.5}]}",
        "/items/3/price: 12.5 is above maximum 10");
    sl_jsonschema_free(s);
    s = S("{" D4 "'maximum':3,'exclusiveMaximum':true}");
    bad(s, "3", "(root): 3 is not below exclusive maximum 3");
    sl_jsonschema_free(s);
    s = S("{'exclusiveMinimum':3}");
    bad(s, "3", "(root): 3 is not above exclusiveMinimum 3");
    sl_jsonschema_free(s);
}

static void test_lengths(void **state)
{
    (void)state;
    /* code points, not bytes: e-acute is 2 bytes, the emoji 4 (a surrogate pair in JSON) */
    cases("{'maxLength':2,'minLength':2}", L("'ab'", "'\\u00e9\\u00e9'", "'\\ud83d\\ude00x'", "3"),
          L("'a'", "'abc'", "'\\u00e9'", "'\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00'"));
    cases("{'maxLength':0}", L("''"), L("' '"));
    /* NUL characters count */
    cases("{'minLength':3}", L("'a\\u0000b'"), L("'a\\u0000'"));
    sl_jsonschema_t *s = S("{'minLength':2}");
    bad(s, "'x'", "(root): \"x\" has 1 characters, fewer than minLength 2");
    sl_jsonschema_free(s);
}

static void test_pattern(void **state)
{
    (void)state;
    /* unanchored search, as ECMA-262's RegExp.test */
    cases("{'pattern':'b+'}", L("'abbc'", "'b'", "1"), L("'ac'", "''"));
    cases("{'pattern':'^\\\\d{3}-\\\\d{4}$'}", L("'555-1234'"),
          L("'555-12345'", "'55-1234'", "'abc-defg'"));
    cases("{'pattern':'^[a-z_]\\\\w*$'}", L("'ab_1'", "'_'"), L("'1a'", "'a-b'", "'\\u00e9'"));
    /* . is one code point, but not a line terminator */
    cases("{'pattern':'^.$'}", L("'\\u00e9'", "'\\ud83d\\ude00'", "'x'"), L("'\\n'", "'ab'", "''"));
    cases("{'pattern':'^[^a]$'}", L("'\\u00e9'", "'\\n'"), L("'a'"));
    cases("{'pattern':'^\\\\s+$'}", L("' \\t\\u00a0\\u3000'"), L("' x'"));
    cases("{'pattern':'\\\\bcat\\\\b'}", L("'a cat.'"), L("'concat'"));
    cases("{'pattern':'^(?:ab|c){2,3}?$'}", L("'abc'", "'ccc'", "'abab'"), L("'c'", "'cccc'"));
    cases("{'pattern':'^[\\\\u0400-\\\\u04ff]+$'}", L("'\\u0436\\u0437'"), L("'z'"));
    cases("{'pattern':'^a\\\\u0000b$'}", L("'a\\u0000b'"), L("'ab'"));
    /* Annex B: a brace that is not a quantifier is a literal */
    cases("{'pattern':'^x{y}$'}", L("'x{y}'"), L("'xy'"));
    sl_jsonschema_t *s = S("{'properties':{'zip':{'pattern':'^[0-9]{5}$'}}}");
    bad(s, "{'zip':'1234'}", "/zip: \"1234\" does not match pattern '^[0-9]{5}$'");
    sl_jsonschema_free(s);
    /* a long legitimate string under a pattern stays within the work allowance */
    s = S("{'pattern':'^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$'}");
    size_t n = 400000;
    char *doc = malloc(n + 3);
    assert_non_null(doc);
    doc[0] = '"';
    for (size_t i = 0; i < n; i++)
        doc[1 + i] = "QUJD"[i % 4];
    strcpy(doc + 1 + n, "\"");
    char err[200];
    assert_int_equal(sl_jsonschema_validate_text(s, doc, n + 2, err, sizeof err), SL_OK);
    doc[n] = '!';
    assert_int_equal(sl_jsonschema_validate_text(s, doc, n + 2, err, sizeof err), SL_INVAL);
    free(doc);
    sl_jsonschema_free(s);
}

/* Patterns outside the supported subset: the schema parses (Confluent accepts it) and
 * compares, but validation refuses loudly with the reason. */
static void test_pattern_unsupported(void **state)
{
    (void)state;
    static const struct {
        const char *schema, *why;
    } t[] = {
        {"{'pattern':'^(?=a)'}", "lookahead (?= is not supported yet"},
        {"{'properties':{'a':{'pattern':'(?<!x)y'}}}", "properties/a: pattern '(?<!x)y'"},
        {"{'pattern':'(a)\\\\1'}", "backreferences are not supported yet"},
        {"{'pattern':'\\\\p{L}'}", "Unicode property escapes"},
        {"{'pattern':'\\\\Aabc\\\\z'}", "escape \\A is not ECMA-262"},
        {"{'pattern':'a**'}", "invalid pattern: nothing to repeat"},
        {"{'pattern':'(a'}", "invalid pattern: missing )"},
        {"{'pattern':'a{1001}'}", "repetition counts above 1000"},
        {"{'patternProperties':{'(?i)x':{}}}", "patternProperties name '(?i)x'"},
        {"{" D2020 "'$dynamicRef':'#meta'}", "$dynamicRef is not supported yet"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        sl_jsonschema_t *s = S(t[i].schema);
        char err[256];
        assert_int_equal(sl_jsonschema_can_validate(s, err, sizeof err), SL_UNSUPP);
        if (!strstr(err, t[i].why)) fail_msg("%s: '%s' lacks '%s'", t[i].schema, err, t[i].why);
        expect(s, 0, "'a'", SL_UNSUPP, t[i].why);
        expect(s, 0, "{}", SL_UNSUPP, t[i].why);
        sl_jsonschema_report_t r;
        assert_int_equal(sl_jsonschema_compat(s, s, &r), SL_OK);
        assert_true(r.compatible);
        sl_jsonschema_report_free(&r);
        sl_jsonschema_free(s);
    }
    sl_jsonschema_t *s = S("{'pattern':'^a'}");
    char err[64];
    assert_int_equal(sl_jsonschema_can_validate(s, err, sizeof err), SL_OK);
    assert_string_equal(err, "");
    sl_jsonschema_free(s);
}

static void test_items(void **state)
{
    (void)state;
    cases("{'items':{'type':'integer'}}", L("[]", "[1,2]", "{}"), L("[1,'a']"));
    /* draft 4-2019: items as a tuple, additionalItems for the rest */
    cases("{" D7 "'items':[{'type':'string'},{'type':'integer'}]}",
          L("['a',1]", "['a']", "['a',1,null]"), L("[1]", "['a','b']"));
    cases("{" D7 "'items':[{'type':'string'}],'additionalItems':false}", L("[]", "['a']"),
          L("['a',1]"));
    cases("{" D4 "'items':[{}],'additionalItems':{'type':'integer'}}", L("['x',1,2]"),
          L("['x',1,'y']"));
    /* additionalItems without a tuple does nothing */
    cases("{" D7 "'items':{},'additionalItems':false}", L("[1,2,3]"), NULL);
    cases("{" D7 "'additionalItems':false}", L("[1,2,3]"), NULL);
    /* 2020-12: prefixItems is the tuple, items the rest; additionalItems is gone */
    cases("{" D2020 "'prefixItems':[{'type':'string'}],'items':{'type':'integer'}}",
          L("['a']", "['a',1,2]", "[]"), L("[1]", "['a','b']"));
    cases("{" D2020 "'prefixItems':[{}],'items':false}", L("[]", "[1]"), L("[1,2]"));
    cases("{" D2020 "'items':false}", L("[]"), L("[1]"));
    cases("{" D2020 "'prefixItems':[{}],'additionalItems':false}", L("[1,2]"), NULL);
    /* ... and prefixItems means nothing before 2020-12 */
    cases("{" D2019 "'prefixItems':[{'type':'string'}]}", L("[1]"), NULL);
    cases("{'minItems':1,'maxItems':2}", L("[1]", "[1,2]", "'x'"), L("[]", "[1,2,3]"));
    sl_jsonschema_t *s = S("{" D7 "'items':[{}],'additionalItems':false}");
    bad(s, "[1,2]", "/1: item is not allowed (additionalItems is false)");
    sl_jsonschema_free(s);
    s = S("{'maxItems':1}");
    bad(s, "[1,2]", "(root): array has 2 items, more than maxItems 1");
    sl_jsonschema_free(s);
}

static void test_contains(void **state)
{
    (void)state;
    cases("{" D6 "'contains':{'type':'integer'}}", L("[1]", "['a',2]", "{}"), L("[]", "['a']"));
    /* contains is not a draft-4 keyword */
    cases("{" D4 "'contains':{'type':'integer'}}", L("['a']"), NULL);
    /* minContains/maxContains: 2019-09+ */
    cases("{" D2019 "'contains':{'const':1},'minContains':2,'maxContains':3}",
          L("[1,1]", "[1,2,1,1]"), L("[1]", "[1,1,1,1]", "[2,2]"));
    cases("{" D2020 "'contains':{'const':1},'minContains':0}", L("[]", "[2]"), NULL);
    cases("{" D2020 "'contains':{'const':1},'minContains':0,'maxContains':1}", L("[]", "[1]"),
          L("[1,1]"));
    /* ... ignored before */
    cases("{" D7 "'contains':{'const':1},'minContains':2,'maxContains':0}", L("[1]"), L("[2]"));
    /* maxContains without contains does nothing */
    cases("{" D2020 "'maxContains':0}", L("[1]"), NULL);
    sl_jsonschema_t *s = S("{" D2020 "'contains':{'const':1},'minContains':2}");
    bad(s, "[1]", "(root): 1 items match contains, fewer than minContains 2");
    sl_jsonschema_free(s);
    s = S("{'contains':{'const':1}}");
    bad(s, "[2]", "(root): no item matches contains");
    sl_jsonschema_free(s);
}

static void test_unique_items(void **state)
{
    (void)state;
    cases("{'uniqueItems':true}",
          L("[]", "[1,2]", "[1,'1']", "[0,false]", "[1,true]", "[[1],[true]]", "[{'a':1},{'a':2}]",
            "[{'a':1},{'b':1}]", "[null,{}]", "[[],{}]"),
          L("[1,1]", "[1,1.0]", "['a','b','a']", "[{'a':1,'b':2},{'b':2,'a':1.0}]", "[[1,2],[1,2]]",
            "[null,null]", "[-0.0,0]"));
    cases("{'uniqueItems':false}", L("[1,1]"), NULL);
    sl_jsonschema_t *s = S("{'uniqueItems':true}");
    bad(s, "[0,1,2,{'x':[3]},4,{'x':[3.0]}]", "(root): items 3 and 5 are equal (uniqueItems)");
    /* 50000 distinct numbers: hashed, not compared pairwise */
    size_t n = 50000;
    char *doc = malloc(n * 8 + 16);
    assert_non_null(doc);
    char *p = doc;
    *p++ = '[';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%zu", i ? "," : "", i);
    strcpy(p, "]");
    char err[200];
    assert_int_equal(sl_jsonschema_validate_text(s, doc, strlen(doc), err, sizeof err), SL_OK);
    strcpy(p, ",0]");
    assert_int_equal(sl_jsonschema_validate_text(s, doc, strlen(doc), err, sizeof err), SL_INVAL);
    if (!strstr(err, "items 0 and 50000 are equal")) fail_msg("message: %s", err);
    free(doc);
    sl_jsonschema_free(s);
}

static void test_objects(void **state)
{
    (void)state;
    cases("{'required':['a','b']}", L("{'a':1,'b':null}", "[]", "'a'"), L("{'a':1}", "{}"));
    cases("{'minProperties':1,'maxProperties':2}", L("{'a':1}", "{'a':1,'b':2}", "[]"),
          L("{}", "{'a':1,'b':2,'c':3}"));
    cases("{'properties':{'a':{'type':'string'}},'patternProperties':{'^x_':{'type':'integer'}},"
          "'additionalProperties':false}",
          L("{}", "{'a':'s'}", "{'x_1':1,'a':'t'}"),
          L("{'a':1}", "{'x_1':'s'}", "{'b':1}", "{'ax_':1}"));
    /* a property matching both properties and a pattern must satisfy both */
    cases("{'properties':{'x_a':{'maximum':5}},'patternProperties':{'^x_':{'minimum':2}}}",
          L("{'x_a':3}"), L("{'x_a':1}", "{'x_a':6}"));
    cases("{'additionalProperties':{'type':'boolean'},'properties':{'n':{}}}",
          L("{'n':1,'f':true}"), L("{'f':1}"));
    /* property names with NUL, ~ and / ; JSON pointer escaping in messages */
    sl_jsonschema_t *s = S("{'properties':{'a/b':{'properties':{'c~d':{'type':'string'}}}},"
                           "'additionalProperties':false}");
    bad(s, "{'a/b':{'c~d':1}}", "/a~1b/c~0d: 1 is not of type string");
    ok(s, "{'a/b':{'c~d':'x'}}");
    /* jansson's parser refuses NUL in keys; a document built in memory may have one */
    expect(s, 0, "{'a\\u0000b':1}", SL_INVAL, "not JSON: NUL byte in object key");
    json_t *o = json_object();
    json_object_setn_new(o, "a\0b", 3, json_integer(1));
    char e[200];
    assert_int_equal(sl_jsonschema_validate(s, o, e, sizeof e), SL_INVAL);
    assert_string_equal(e, "/a?b: property is not allowed (additionalProperties is false)");
    json_object_clear(o);
    json_object_setn_new(o, "a/b", 3, json_object());
    assert_int_equal(sl_jsonschema_validate(s, o, e, sizeof e), SL_OK);
    json_decref(o);
    sl_jsonschema_free(s);
    s = S("{'required':['name']}");
    bad(s, "{'nam':1}", "(root): required property 'name' is missing");
    sl_jsonschema_free(s);
    /* many properties: looked up by binary search */
    char big[8192], doc[8192];
    char *p = big, *d = doc;
    p += sprintf(p, "{\"properties\":{");
    d += sprintf(d, "{");
    for (int i = 0; i < 300; i++) {
        p += sprintf(p, "%s\"p%d\":{\"const\":%d}", i ? "," : "", i, i);
        d += sprintf(d, "%s\"p%d\":%d", i ? "," : "", 299 - i, 299 - i);
    }
    strcpy(p, "},\"additionalProperties\":false}");
    strcpy(d, "}");
    sl_jsonschema_t *b = NULL;
    char err[200];
    assert_int_equal(sl_jsonschema_parse(big, strlen(big), &b, err, sizeof err), SL_OK);
    assert_int_equal(sl_jsonschema_validate_text(b, doc, strlen(doc), err, sizeof err), SL_OK);
    sl_jsonschema_free(b);
}

static void test_dependencies(void **state)
{
    (void)state;
    /* dependencies: array and schema forms, every draft */
    cases("{" D4 "'dependencies':{'a':['b'],'c':{'required':['d']}}}",
          L("{}", "{'a':1,'b':2}", "{'b':1}", "{'c':1,'d':1}", "[]"), L("{'a':1}", "{'c':1}"));
    cases("{" D2020 "'dependencies':{'a':['b']}}", L("{'b':1}"), L("{'a':1}"));
    /* dependentRequired / dependentSchemas: 2019-09+, unknown (ignored) before */
    cases("{" D2019
          "'dependentRequired':{'a':['b','c']},'dependentSchemas':{'x':{'maxProperties':1}}}",
          L("{'a':1,'b':1,'c':1}", "{'x':1}", "{'y':1,'z':2}"),
          L("{'a':1,'b':1}", "{'x':1,'y':2}"));
    cases("{" D7 "'dependentRequired':{'a':['b']},'dependentSchemas':{'x':false}}",
          L("{'a':1}", "{'x':1}"), NULL);
    sl_jsonschema_t *s = S("{'dependencies':{'card':['billing']}}");
    bad(s, "{'card':1}", "(root): property 'card' requires property 'billing'");
    sl_jsonschema_free(s);
}

static void test_property_names(void **state)
{
    (void)state;
    cases("{" D6 "'propertyNames':{'maxLength':3,'pattern':'^[a-z]+$'}}",
          L("{}", "{'abc':1}", "[]"), L("{'abcd':1}", "{'A':1}"));
    cases("{" D7 "'propertyNames':false}", L("{}"), L("{'a':1}"));
    /* not a draft-4 keyword */
    cases("{" D4 "'propertyNames':{'maxLength':1}}", L("{'abc':1}"), NULL);
    sl_jsonschema_t *s = S("{'propertyNames':{'maxLength':3}}");
    bad(s, "{'ok':1,'toolong':2}",
        "(root): property name \"toolong\" is not valid under propertyNames");
    sl_jsonschema_free(s);
}

static void test_combinators(void **state)
{
    (void)state;
    cases("{'allOf':[{'type':'integer'},{'minimum':3}]}", L("3", "4"), L("2", "3.5"));
    cases("{'anyOf':[{'type':'string'},{'minimum':3}]}", L("'a'", "3", "null"), L("2"));
    cases("{'oneOf':[{'type':'integer'},{'minimum':3}]}", L("1", "3.5"), L("3", "2.5"));
    cases("{'not':{'type':'string'}}", L("1", "null"), L("'x'"));
    cases("{'not':{'not':{'const':1}}}", L("1"), L("2"));
    sl_jsonschema_t *s = S("{'oneOf':[{'type':'integer'},{'minimum':3}]}");
    bad(s, "5", "(root): matches oneOf branches 0 and 1; exactly one must match");
    sl_jsonschema_free(s);
    s = S("{'properties':{'v':{'anyOf':[{'type':'string'},{'type':'object','required':['id']}]}}}");
    bad(s, "{'v':{}}",
        "/v: matches no anyOf branch; closest is 1 (/v: required property 'id' is missing)");
    sl_jsonschema_free(s);
    s = S("{'not':{'type':'string'}}");
    bad(s, "'x'", "(root): \"x\" must not match the \"not\" schema");
    sl_jsonschema_free(s);
    s = S("{'allOf':[{},{'properties':{'a':{'maximum':1}}}]}");
    bad(s, "{'a':2}", "/a: 2 is above maximum 1");
    sl_jsonschema_free(s);
}

static void test_if_then_else(void **state)
{
    (void)state;
    const char *body = "'if':{'properties':{'kind':{'const':'card'}},'required':['kind']},"
                       "'then':{'required':['number']},'else':{'required':['iban']}}";
    char buf[512];
    snprintf(buf, sizeof buf, "{" D7 "%s", body);
    cases(buf, L("{'kind':'card','number':1}", "{'kind':'bank','iban':1}", "{'iban':1}"),
          L("{'kind':'card'}", "{'kind':'card','iban':1}", "{}"));
    /* if/then/else are draft 7+: ignored in draft 6 */
    snprintf(buf, sizeof buf, "{" D6 "%s", body);
    cases(buf, L("{'kind':'card'}", "{}"), NULL);
    /* then/else without if, and if without then/else, do nothing */
    cases("{'then':false,'else':false}", L("1"), NULL);
    cases("{'if':false}", L("1"), NULL);
    sl_jsonschema_t *s = S("{'if':{'minimum':10},'then':{'multipleOf':10}}");
    bad(s, "15", "\"then\" fails after \"if\" matched");
    ok(s, "5");
    sl_jsonschema_free(s);
}

static void test_refs_and_booleans(void **state)
{
    (void)state;
    cases("true", L("1", "{}", "null"), NULL);
    cases("false", NULL, L("1", "{}", "null"));
    cases("{'properties':{'a':true,'b':false}}", L("{'a':1}"), L("{'b':1}"));
    cases("{'definitions':{'pos':{'minimum':0}},'items':{'$ref':'#/definitions/pos'}}", L("[1,0]"),
          L("[-1]"));
    /* a recursive tree */
    cases("{'type':'object','properties':{'v':{'type':'integer'},'kids':{'type':'array',"
          "'items':{'$ref':'#'}}},'required':['v']}",
          L("{'v':1,'kids':[{'v':2},{'v':3,'kids':[{'v':4}]}]}"),
          L("{'v':1,'kids':[{'v':2},{'kids':[]}]}"));
    /* draft 7: siblings of $ref are ignored; 2019-09: they apply */
    cases("{" D7
          "'definitions':{'s':{'type':'string'}},'properties':{'a':{'$ref':'#/definitions/s',"
          "'maxLength':1}}}",
          L("{'a':'long'}"), L("{'a':1}"));
    cases("{" D2019 "'$defs':{'s':{'type':'string'}},'properties':{'a':{'$ref':'#/$defs/s',"
          "'maxLength':1}}}",
          L("{'a':'x'}"), L("{'a':'long'}", "{'a':1}"));
    /* $id-based references and anchors */
    cases("{'$id':'http://example.com/root.json','definitions':{'A':{'$id':'item.json',"
          "'type':'integer'}},'items':{'$ref':'item.json'}}",
          L("[1,2]"), L("['x']"));
    cases(
        "{'$id':'http://example.com/root.json','definitions':{'A':{'$id':'http://example.com/"
        "other/x.json','definitions':{'B':{'type':'string'}},'items':{'$ref':'#/definitions/B'}}},"
        "'properties':{'p':{'$ref':'other/x.json'}}}",
        L("{'p':['a']}"), L("{'p':[1]}"));
    /* a pointer meant for the whole document from inside a nested resource still resolves */
    cases(
        "{'$id':'http://example.com/r.json','definitions':{'s':{'type':'string'}},'properties':"
        "{'p':{'$id':'http://example.com/p.json','properties':{'q':{'$ref':'#/definitions/s'}}}}}",
        L("{'p':{'q':'x'}}"), L("{'p':{'q':1}}"));
    cases("{" D7 "'definitions':{'A':{'$id':'#pos','minimum':0}},'items':{'$ref':'#pos'}}",
          L("[0]"), L("[-1]"));
    cases("{" D2020 "'$defs':{'A':{'$anchor':'pos','minimum':0}},'items':{'$ref':'#pos'}}",
          L("[0]"), L("[-1]"));
    cases("{" D4 "'id':'http://x.org/s','definitions':{'A':{'id':'#neg','maximum':0}},"
          "'items':{'$ref':'http://x.org/s#neg'}}",
          L("[-1]"), L("[1]"));
    /* percent-encoded and ~-escaped pointers */
    cases("{'definitions':{'a b':{'const':1},'c/d':{'const':2}},'properties':{'x':{'$ref':"
          "'#/definitions/a%20b'},'y':{'$ref':'#/definitions/c~1d'}}}",
          L("{'x':1,'y':2}"), L("{'x':2}", "{'y':1}"));
    /* a $ref that comes back to itself on the same instance: refused, not a crash */
    sl_jsonschema_t *s = S("{'allOf':[{'$ref':'#'}]}");
    expect(s, 0, "1", SL_TOOBIG, "comes back to itself without consuming the document");
    sl_jsonschema_free(s);
    s = S("{" D2019 "'$defs':{'a':{'$ref':'#/$defs/b'},'b':{'anyOf':[{'$ref':'#/$defs/a'}]}},"
          "'$ref':'#/$defs/a'}");
    expect(s, 0, "1", SL_TOOBIG, "comes back to itself");
    sl_jsonschema_free(s);
    /* but recursion that consumes the document is fine, however deep the document */
    s = S("{'items':{'$ref':'#'}}");
    char doc[600];
    memset(doc, '[', 200);
    memset(doc + 200, ']', 200);
    doc[400] = '\0';
    char err[200];
    assert_int_equal(sl_jsonschema_validate_text(s, doc, strlen(doc), err, sizeof err), SL_OK);
    sl_jsonschema_free(s);
}

static void test_format(void **state)
{
    (void)state;
    static const struct {
        const char *fmt;
        const char *good[4];
        const char *bad[5];
    } t[] = {
        {"date-time",
         {"'2024-02-29T12:30:00Z'", "'1990-12-31t23:59:60z'", "'2024-01-01T01:02:03.25+05:30'",
          NULL},
         {"'2023-02-29T12:30:00Z'", "'2024-01-01T24:00:00Z'", "'2024-01-01 01:02:03Z'",
          "'2024-01-01T01:02:03'", "'1990-12-31T22:59:60Z'"}},
        {"date",
         {"'2000-02-29'", "'1999-12-31'", NULL},
         {"'1900-02-29'", "'2020-13-01'", "'2020-1-01'", NULL}},
        {"time",
         {"'08:30:06Z'", "'23:59:60+00:00'", "'08:30:06.5-07:00'", NULL},
         {"'08:30:06'", "'8:30:06Z'", "'08:60:00Z'", "'12:59:60Z'", NULL}},
        {"email",
         {"'joe@example.com'", "'a.b+c@x-y.org'", "'\\\"a b\\\"@[127.0.0.1]'", NULL},
         {"'joe'", "'@x.com'", "'a..b@x.com'", "'a@-x.com'", "'a@'"}},
        {"uuid",
         {"'2EB8AA08-AA98-11EA-B4AA-73B441D16380'", "'00000000-0000-0000-0000-000000000000'", NULL},
         {"'2eb8aa08aa9811eab4aa73b441d16380'", "'2eb8aa08-aa98-11ea-b4aa-73b441d1638g'", NULL}},
        {"ipv4",
         {"'192.168.0.1'", "'0.0.0.0'", NULL},
         {"'256.1.1.1'", "'1.2.3'", "'01.2.3.4'", "'1.2.3.4.5'", NULL}},
        {"ipv6",
         {"'::1'", "'2001:db8::ff00:42:8329'", "'::ffff:1.2.3.4'", NULL},
         {"'12345::'", "'1:2:3:4:5:6:7:8:9'", "'::1%eth0'", "'1.2.3.4'", NULL}},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char schema[100];
        snprintf(schema, sizeof schema, "{'format':'%s'}", t[i].fmt);
        sl_jsonschema_t *s = S(schema);
        for (int k = 0; k < 4 && t[i].good[k]; k++) {
            expect(s, SL_JSONSCHEMA_ASSERT_FORMAT, t[i].good[k], SL_OK, NULL);
            ok(s, t[i].good[k]);
        }
        for (int k = 0; k < 5 && t[i].bad[k]; k++) {
            expect(s, SL_JSONSCHEMA_ASSERT_FORMAT, t[i].bad[k], SL_INVAL, "(format)");
            ok(s, t[i].bad[k]); /* an annotation unless asserted */
        }
        /* formats apply to strings only */
        expect(s, SL_JSONSCHEMA_ASSERT_FORMAT, "12", SL_OK, NULL);
        sl_jsonschema_free(s);
    }
    sl_jsonschema_t *s = S("{'format':'hostname'}"); /* not asserted: annotation */
    expect(s, SL_JSONSCHEMA_ASSERT_FORMAT, "'-bad-'", SL_OK, NULL);
    sl_jsonschema_free(s);
}

static void test_unevaluated(void **state)
{
    (void)state;
    cases("{" D2019 "'properties':{'a':{}},'unevaluatedProperties':false}",
          L("{'a':1}", "{}", "[]"), L("{'a':1,'b':2}"));
    /* annotations from allOf, anyOf (passing branches only), $ref, if/then, dependentSchemas */
    cases("{" D2020 "'allOf':[{'properties':{'a':{}}}],'anyOf':[{'properties':{'b':{}},"
          "'required':['b']},{'properties':{'c':{}},'required':['c']}],"
          "'unevaluatedProperties':false}",
          L("{'a':1,'b':1}", "{'b':1,'c':1}", "{'c':1}"), L("{'a':1,'b':1,'d':1}", "{'a':1}"));
    cases("{" D2020 "'anyOf':[{'properties':{'b':{},'x':{}},'required':['x']},{}],"
          "'unevaluatedProperties':false}",
          L("{}", "{'b':1,'x':1}"), L("{'b':1}"));
    cases("{" D2020 "'$defs':{'base':{'properties':{'id':{}}}},'$ref':'#/$defs/base',"
          "'properties':{'name':{}},'unevaluatedProperties':false}",
          L("{'id':1,'name':'x'}"), L("{'id':1,'other':2}"));
    cases("{" D2019 "'if':{'properties':{'t':{'const':1}},'required':['t']},'then':{'properties':"
          "{'x':{}}},'else':{'properties':{'y':{}}},'unevaluatedProperties':false}",
          L("{'t':1,'x':1}", "{'y':1}"), L("{'t':1,'y':1}", "{'x':1}", "{'t':2,'y':1}"));
    cases("{" D2019 "'dependentSchemas':{'a':{'properties':{'b':{}}}},'properties':{'a':{}},"
          "'unevaluatedProperties':false}",
          L("{'a':1,'b':2}"), L("{'b':2}"));
    /* not: no annotations; a schema for the rest */
    cases("{" D2019
          "'not':{'not':{'properties':{'a':{}}}},'unevaluatedProperties':{'type':'string'}}",
          L("{'a':'s'}"), L("{'a':1}"));
    /* nested: an inner unevaluatedProperties evaluates everything for the outer one */
    cases("{" D2019 "'allOf':[{'unevaluatedProperties':true}],'unevaluatedProperties':false}",
          L("{'a':1}"), NULL);
    /* ignored before 2019-09 */
    cases("{" D7 "'unevaluatedProperties':false}", L("{'a':1}"), NULL);
    /* items */
    cases("{" D2020 "'prefixItems':[{}],'unevaluatedItems':false}", L("[1]", "[]"), L("[1,2]"));
    cases("{" D2020 "'allOf':[{'prefixItems':[{},{}]}],'unevaluatedItems':{'type':'string'}}",
          L("[1,2,'x']"), L("[1,2,3]"));
    cases("{" D2019 "'items':[{}],'additionalItems':true,'unevaluatedItems':false}", L("[1,2,3]"),
          NULL);
    /* contains annotates items in 2020-12, not in 2019-09 */
    cases("{" D2020 "'contains':{'type':'string'},'unevaluatedItems':false}", L("['a','b']"),
          L("['a',1]"));
    cases("{" D2019 "'contains':{'type':'string'},'unevaluatedItems':false}", NULL, L("['a']"));
    cases("{" D2019 "'contains':{'type':'string'},'items':true,'unevaluatedItems':false}",
          L("['a',1]"), NULL);
    sl_jsonschema_t *s = S("{" D2020 "'properties':{'a':{}},'unevaluatedProperties':false}");
    bad(s, "{'a':1,'zz':2}", "/zz: property is not allowed (unevaluatedProperties is false)");
    sl_jsonschema_free(s);
}

/* ---- references ---------------------------------------------------------------------- */

static sl_jsonschema_t *parse_refs(const char *schema, const sl_jsonschema_ref_t *refs, size_t n,
                                   int want, const char *part)
{
    char *t = q(schema);
    sl_jsonschema_t *s = NULL;
    char err[300];
    int rc = sl_jsonschema_parse_refs(t, strlen(t), refs, n, &s, err, sizeof err);
    if (rc != want) fail_msg("%s: rc %d (%s), want %d", t, rc, err, want);
    if (part && !strstr(err, part)) fail_msg("%s: '%s' lacks '%s'", t, err, part);
    free(t);
    return s;
}

static void test_references(void **state)
{
    (void)state;
    sl_jsonschema_t *addr =
        S("{'type':'object','properties':{'city':{'type':'string'}},"
          "'required':['city'],'definitions':{'zip':{'pattern':'^[0-9]{5}$'}}}");
    sl_jsonschema_ref_t r1[] = {{"address.json", addr}};
    sl_jsonschema_t *cust = parse_refs("{'$id':'https://example.com/schemas/customer.json',"
                                       "'type':'object','properties':{'name':{'type':'string'},"
                                       "'home':{'$ref':'address.json'},"
                                       "'zip':{'$ref':'address.json#/definitions/zip'}}}",
                                       r1, 1, SL_OK, NULL);
    assert_non_null(cust);
    ok(cust, "{'name':'a','home':{'city':'x'},'zip':'12345'}");
    bad(cust, "{'home':{}}", "/home: required property 'city' is missing");
    bad(cust, "{'zip':'1234'}", "/zip: \"1234\" does not match pattern");

    /* names as registered, relative to the $id, absolute; references of references */
    sl_jsonschema_ref_t r2[] = {{"customer.json", cust}};
    sl_jsonschema_t *order =
        parse_refs("{'$id':'https://example.com/schemas/order.json','properties':{"
                   "'c':{'$ref':'customer.json'},"
                   "'c2':{'$ref':'https://example.com/schemas/customer.json'},"
                   "'c3':{'$ref':'./customer.json#/properties/name'},"
                   "'a':{'$ref':'address.json'}}}",
                   r2, 1, SL_OK, NULL);
    ok(order, "{'c':{'home':{'city':'x'}},'c2':{},'c3':'n','a':{'city':'y'}}");
    bad(order, "{'c2':{'home':{'city':1}}}", "/c2/home/city: 1 is not of type string");
    bad(order, "{'c3':1}", "/c3: 1 is not of type string");
    bad(order, "{'a':{}}", "/a: required property 'city' is missing");

    /* the referencing schema keeps what it uses alive: free the handles first */
    sl_jsonschema_free(addr);
    sl_jsonschema_free(cust);
    ok(order, "{'c':{'zip':'00000'}}");
    bad(order, "{'c':{'zip':'0'}}", "/c/zip:");

    /* compatibility follows references */
    sl_jsonschema_report_t rep;
    assert_int_equal(sl_jsonschema_compat(order, order, &rep), SL_OK);
    assert_true(rep.compatible);
    assert_int_equal(rep.n_changes, 0);
    sl_jsonschema_report_free(&rep);

    /* unknown remote references stay unsupported; bad fragments and arguments are invalid */
    sl_jsonschema_ref_t r3[] = {{"x.json", order}};
    assert_null(parse_refs("{'$ref':'y.json'}", r3, 1, SL_UNSUPP, "is not supported yet"));
    assert_null(parse_refs("{'$ref':'x.json#/nope'}", r3, 1, SL_INVAL, "does not resolve"));
    sl_jsonschema_ref_t r4[] = {{NULL, order}};
    assert_null(parse_refs("{}", r4, 1, SL_INVAL, "reference 0 has no name"));
    sl_jsonschema_ref_t r5[] = {{"a", NULL}};
    assert_null(parse_refs("{}", r5, 1, SL_INVAL, "reference 0 has no schema"));
    sl_jsonschema_free(order);
}

static void test_reference_compat(void **state)
{
    (void)state;
    sl_jsonschema_t *v1 = S("{'type':'object','properties':{'n':{'type':'integer'}}}");
    sl_jsonschema_t *v2 = S("{'type':'object','properties':{'n':{'type':'number'}}}");
    sl_jsonschema_ref_t a[] = {{"item.json", v1}}, b[] = {{"item.json", v2}};
    const char *t = "{'type':'array','items':{'$ref':'item.json'}}";
    sl_jsonschema_t *o = parse_refs(t, a, 1, SL_OK, NULL), *u = parse_refs(t, b, 1, SL_OK, NULL);
    sl_jsonschema_report_t rep;
    /* the reader u (number) reads data of o (integer): widening, compatible */
    assert_int_equal(sl_jsonschema_compat(u, o, &rep), SL_OK);
    assert_true(rep.compatible);
    int found = 0;
    for (size_t i = 0; i < rep.n_changes; i++)
        found |= strcmp(rep.changes[i].type, "TYPE_EXTENDED") == 0 &&
                 strcmp(rep.changes[i].path, "#/items/properties/n") == 0;
    assert_true(found);
    sl_jsonschema_report_free(&rep);
    /* the other way narrows */
    assert_int_equal(sl_jsonschema_compat(o, u, &rep), SL_OK);
    assert_false(rep.compatible);
    sl_jsonschema_report_free(&rep);
    /* a reference whose patterns validation cannot run makes the referrer refuse too */
    sl_jsonschema_t *la = S("{'pattern':'(?=x)'}");
    sl_jsonschema_ref_t c[] = {{"la.json", la}};
    sl_jsonschema_t *w = parse_refs("{'items':{'$ref':'la.json'}}", c, 1, SL_OK, NULL);
    expect(w, 0, "[]", SL_UNSUPP, "reference 'la.json': pattern '(?=x)'");
    sl_jsonschema_free(w);
    sl_jsonschema_free(la);
    sl_jsonschema_free(o);
    sl_jsonschema_free(u);
    sl_jsonschema_free(v1);
    sl_jsonschema_free(v2);
}

/* ---- hostile input -------------------------------------------------------------------- */

static void test_hostile_documents(void **state)
{
    (void)state;
    sl_jsonschema_t *s = S("{}");
    char err[300];
    /* nesting */
    size_t n = 100000;
    char *deep = malloc(2 * n + 1);
    assert_non_null(deep);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    deep[2 * n] = '\0';
    assert_int_equal(sl_jsonschema_validate_text(s, deep, 2 * n, err, sizeof err), SL_TOOBIG);
    assert_non_null(strstr(err, "nested deeper than 256"));
    assert_int_equal(sl_jsonschema_validate_text(s, deep + n - 256, 512, err, sizeof err), SL_OK);
    assert_int_equal(sl_jsonschema_validate_text(s, deep + n - 257, 514, err, sizeof err),
                     SL_TOOBIG);
    /* brackets inside strings do not count */
    ok(s, "['[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[']");
    free(deep);
    /* built by hand (not parsed): still bounded */
    json_t *root = json_array(), *cur = root;
    for (int i = 0; i < 300; i++) {
        json_t *next = json_array();
        json_array_append_new(cur, next);
        cur = next;
    }
    assert_int_equal(sl_jsonschema_validate(s, root, err, sizeof err), SL_TOOBIG);
    json_decref(root);
    /* not JSON */
    expect(s, 0, "{'a':", SL_INVAL, "not JSON: ");
    expect(s, 0, "", SL_INVAL, "not JSON: ");
    expect(s, 0, "{'a':1,'a':2}", SL_INVAL, "not JSON: duplicate object key");
    expect(s, 0, "1e400", SL_INVAL, "not JSON: real number overflow");
    /* invalid UTF-8 inside a string: jansson refuses it */
    const char bad_utf8[] = "[\"a\xff\"]", overlong[] = "\"\xc0\xaf\"", lone[] = "\"\\ud800\"";
    int rc = sl_jsonschema_validate_text(s, bad_utf8, strlen(bad_utf8), err, sizeof err);
    assert_int_equal(rc, SL_INVAL);
    if (!strstr(err, "not JSON: unable to decode byte 0xff")) fail_msg("message: %s", err);
    assert_int_equal(sl_jsonschema_validate_text(s, overlong, strlen(overlong), err, sizeof err),
                     SL_INVAL);
    assert_non_null(strstr(err, "not JSON: "));
    assert_int_equal(sl_jsonschema_validate_text(s, lone, strlen(lone), err, sizeof err), SL_INVAL);
    assert_non_null(strstr(err, "not JSON: invalid Unicode"));
    /* a NUL byte in the text is not JSON, an escaped one is a character */
    assert_int_equal(sl_jsonschema_validate_text(s, "\"a\0\"", 4, err, sizeof err), SL_INVAL);
    ok(s, "'\\u0000'");
    sl_jsonschema_free(s);
    /* integers beyond 64 bits are still numbers */
    s = S("{'type':'integer','minimum':1e25}");
    ok(s, "123456789012345678901234567890");
    bad(s, "1234567890123456789012", "is below minimum");
    bad(s, "[123456789012345678901234567890]", "is not of type integer");
    sl_jsonschema_free(s);
    s = S("{" D4 "'type':'integer'}");
    ok(s, "123456789012345678901234567890"); /* draft 4 judges by value then */
    sl_jsonschema_free(s);
    /* messages are ASCII and bounded, whatever the input */
    s = S("{'properties':{'\\u00e9':{'maxLength':1}}}");
    bad(s, "{'\\u00e9':'\\u00e9\\u00e9\\u00e9'}", "/??: \"??????\" has 3 characters");
    sl_jsonschema_free(s);
}

/* "oneOf explosion": nested combinators over a nested document would take 2^depth steps;
 * the work budget ends it quickly with SL_TOOBIG. */
static void test_hostile_schemas(void **state)
{
    (void)state;
    /* n = anyOf[{array, items n}, {array, items n}]: both branches descend to the bottom,
     * where a string fails them, so every level doubles the work */
    const char *schema2 =
        "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$defs\":{\"n\":"
        "{\"anyOf\":[{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/n\"}},"
        "{\"type\":\"array\",\"minItems\":0,\"items\":{\"$ref\":\"#/$defs/n\"}}]}},"
        "\"$ref\":\"#/$defs/n\"}";
    sl_jsonschema_t *s = NULL;
    char err[300];
    assert_int_equal(sl_jsonschema_parse(schema2, strlen(schema2), &s, err, sizeof err), SL_OK);
    char doc[256];
    memset(doc, '[', 100);
    doc[100] = '"';
    doc[101] = '"';
    memset(doc + 102, ']', 100);
    doc[202] = '\0';
    clock_t t0 = clock();
    int rc = sl_jsonschema_validate_text(s, doc, strlen(doc), err, sizeof err);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(rc, SL_TOOBIG);
    assert_non_null(strstr(err, "more work than allowed"));
    assert_true(secs < 5.0);
    sl_jsonschema_free(s);

    /* a pathological pattern against a long string: linear time */
    s = S("{'pattern':'(a|b)*a(a|b){20}c'}");
    size_t n = 200000;
    char *str = malloc(n + 3);
    assert_non_null(str);
    str[0] = '"';
    for (size_t i = 1; i <= n; i++)
        str[i] = i % 3 ? 'a' : 'b';
    str[n + 1] = '"';
    str[n + 2] = '\0';
    t0 = clock();
    rc = sl_jsonschema_validate_text(s, str, n + 2, err, sizeof err);
    secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (rc != SL_INVAL && rc != SL_TOOBIG) fail_msg("rc %d: %s", rc, err);
    assert_true(secs < 5.0);
    free(str);
    sl_jsonschema_free(s);
}

/* One schema shared by threads validating at once. */
typedef struct thr_arg_s {
    const sl_jsonschema_t *s; /* shared */
    int failures;             /* wrong verdicts seen */
} thr_arg_t;

static void *thr_main(void *arg)
{
    thr_arg_t *a = arg;
    const char *good = "{\"id\":3,\"tags\":[\"a\",\"b\"],\"price\":19.99}";
    const char *badd = "{\"id\":3,\"tags\":[\"a\",\"a\"],\"price\":19.99}";
    char err[200];
    for (int i = 0; i < 2000; i++) {
        if (sl_jsonschema_validate_text(a->s, good, strlen(good), err, sizeof err) != SL_OK)
            a->failures++;
        if (sl_jsonschema_validate_text(a->s, badd, strlen(badd), err, sizeof err) != SL_INVAL)
            a->failures++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    sl_jsonschema_t *s = S("{'type':'object','properties':{'id':{'type':'integer'},'tags':{"
                           "'type':'array','items':{'pattern':'^[a-z]+$'},'uniqueItems':true},"
                           "'price':{'multipleOf':0.01}},'required':['id']}");
    pthread_t t[4];
    thr_arg_t a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (thr_arg_t){s, 0};
        assert_int_equal(pthread_create(&t[i], NULL, thr_main, &a[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(a[i].failures, 0);
    }
    sl_jsonschema_free(s);
}

static void test_validate_json_api(void **state)
{
    (void)state;
    sl_jsonschema_t *s = S("{'type':'object','required':['a']}");
    json_t *doc = json_pack("{s:i}", "a", 1);
    char err[100];
    assert_int_equal(sl_jsonschema_validate(s, doc, err, sizeof err), SL_OK);
    json_object_del(doc, "a");
    assert_int_equal(sl_jsonschema_validate(s, doc, err, sizeof err), SL_INVAL);
    assert_string_equal(err, "(root): required property 'a' is missing");
    /* a tiny buffer is still NUL-terminated; no buffer is fine */
    char tiny[8];
    assert_int_equal(sl_jsonschema_validate(s, doc, tiny, sizeof tiny), SL_INVAL);
    assert_string_equal(tiny, "(root):");
    assert_int_equal(sl_jsonschema_validate(s, doc, NULL, 0), SL_INVAL);
    json_decref(doc);
    sl_jsonschema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type),
        cmocka_unit_test(test_enum_const),
        cmocka_unit_test(test_multiple_of),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_pattern),
        cmocka_unit_test(test_pattern_unsupported),
        cmocka_unit_test(test_items),
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_unique_items),
        cmocka_unit_test(test_objects),
        cmocka_unit_test(test_dependencies),
        cmocka_unit_test(test_property_names),
        cmocka_unit_test(test_combinators),
        cmocka_unit_test(test_if_then_else),
        cmocka_unit_test(test_refs_and_booleans),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_unevaluated),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_reference_compat),
        cmocka_unit_test(test_hostile_documents),
        cmocka_unit_test(test_hostile_schemas),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_validate_json_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
