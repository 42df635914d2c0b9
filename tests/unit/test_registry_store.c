/*
 * test_registry_store.c — unit tests for registry/'s store (applying `_schemas` records) and
 * operations layer (deciding REST requests), without Kafka or HTTP: a write's records are
 * applied to the store at increasing offsets, exactly as the reader thread would after
 * reading them back from the topic. Also the validator lookups (registry.h) over such a store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/err.h"
#include "registry/registry_int.h"
#include "registry/store_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- harness ---- */

typedef struct fx_s {
    sl_registry_t *reg; /* a registry object around the store, as sl_registry_start builds
                           it, minus threads and sockets (for the validator lookups) */
    sl_reg_store_t *st; /* the store under test: &reg->store */
    int64_t offset;     /* next offset to apply at */
} fx_t;

static int fx_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->reg = calloc(1, sizeof *fx->reg);
    assert_non_null(fx->reg);
    fx->st = &fx->reg->store;
    assert_int_equal(sl_regstore_init(fx->st), SL_OK);
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    fx_t *fx = *state;
    sl_regstore_destroy(fx->st);
    free(fx->reg);
    free(fx);
    return 0;
}

/* Applies one record given as JSON texts (value NULL = tombstone); returns apply's status. */
static int apply(fx_t *fx, const char *key, const char *value)
{
    return sl_regstore_apply(fx->st, key, strlen(key), value, value ? strlen(value) : 0,
                             fx->offset++);
}

/* A request with the common fields; flags come after. */
static sl_reg_req_t rq(sl_regop_t op, const char *subject, const char *version, const char *body)
{
    sl_reg_req_t r;
    memset(&r, 0, sizeof r);
    r.op = op;
    r.subject = subject;
    r.version = version;
    r.body = body;
    r.body_len = body ? strlen(body) : 0;
    return r;
}

/* Runs a request; if it produced records, applies them (the Kafka round trip). */
static void run(fx_t *fx, const sl_reg_req_t *r, sl_reg_result_t *res)
{
    sl_regops_run(fx->st, r, res);
    for (size_t i = 0; i < res->n_recs; i++)
        assert_int_equal(apply(fx, res->recs[i].key, res->recs[i].value), SL_OK);
}

/* Runs and checks status and (when want_body is not NULL) the exact body. */
static void expect(fx_t *fx, sl_reg_req_t r, int status, const char *want_body)
{
    sl_reg_result_t res;
    run(fx, &r, &res);
    if (res.status != status || (want_body && strcmp(res.body, want_body) != 0))
        fail_msg("op %d subject %s: got %d %s, want %d %s", (int)r.op, r.subject ? r.subject : "-",
                 res.status, res.body, status, want_body ? want_body : "(any)");
    sl_reg_result_free(&res);
}

/* Runs and checks the status and the error_code of the body. */
static void expect_err(fx_t *fx, sl_reg_req_t r, int status, int code)
{
    sl_reg_result_t res;
    run(fx, &r, &res);
    json_t *j = json_loads(res.body, 0, NULL);
    int got = (int)json_integer_value(json_object_get(j, "error_code"));
    if (res.status != status || got != code || !json_is_string(json_object_get(j, "message")))
        fail_msg("op %d subject %s: got %d %s, want %d error_code %d", (int)r.op,
                 r.subject ? r.subject : "-", res.status, res.body, status, code);
    json_decref(j);
    sl_reg_result_free(&res);
}

/* {"schema": text [, "schemaType": type]} */
static char *body_of(const char *text, const char *type)
{
    json_t *o = json_pack("{s:s}", "schema", text);
    if (type) json_object_set_new(o, "schemaType", json_string(type));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* Registers and returns the id (fails the test on anything but 200). */
static int reg_schema(fx_t *fx, const char *subject, const char *text, const char *type)
{
    char *b = body_of(text, type);
    sl_reg_result_t res;
    sl_reg_req_t r = rq(SL_REGOP_REGISTER, subject, NULL, b);
    run(fx, &r, &res);
    if (res.status != 200)
        fail_msg("register %s under %s: %d %s", text, subject, res.status, res.body);
    json_t *j = json_loads(res.body, 0, NULL);
    int id = (int)json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    sl_reg_result_free(&res);
    free(b);
    return id;
}

/* Registration that must fail with status/code; returns the message (caller frees). */
static char *reg_fail(fx_t *fx, const char *subject, const char *text, const char *type, int status,
                      int code)
{
    char *b = body_of(text, type);
    sl_reg_result_t res;
    sl_reg_req_t r = rq(SL_REGOP_REGISTER, subject, NULL, b);
    run(fx, &r, &res);
    json_t *j = json_loads(res.body, 0, NULL);
    if (res.status != status || json_integer_value(json_object_get(j, "error_code")) != code)
        fail_msg("register %s under %s: got %d %s, want %d/%d", text, subject, res.status, res.body,
                 status, code);
    char *msg = strdup(json_string_value(json_object_get(j, "message")));
    assert_int_equal(res.n_recs, 0);
    json_decref(j);
    sl_reg_result_free(&res);
    free(b);
    return msg;
}

#define REC_A "{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}"
#define REC_A_SPACED                                                                               \
    "{ \"name\": \"A\", \"type\" : \"record\",\n \"fields\": [ {\"type\": {\"type\": \"int\"}, "   \
    "\"name\":\"x\"} ] }"
#define REC_A2                                                                                     \
    "{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"},"           \
    "{\"name\":\"y\",\"type\":\"string\",\"default\":\"\"}]}"
#define REC_A_NODEF                                                                                \
    "{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"},"           \
    "{\"name\":\"z\",\"type\":\"string\"}]}"
#define REC_A_LONG                                                                                 \
    "{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"}]}"

/* ---- registration, ids, versions ---- */

static void test_register_and_get(void **state)
{
    fx_t *fx = *state;
    char *b = body_of(REC_A, NULL);
    sl_reg_result_t res;
    sl_reg_req_t r = rq(SL_REGOP_REGISTER, "t-value", NULL, b);
    sl_regops_run(fx->st, &r, &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "{\"id\":1}");
    /* Confluent's record layout, exactly */
    assert_int_equal(res.n_recs, 1);
    assert_string_equal(
        res.recs[0].key,
        "{\"keytype\":\"SCHEMA\",\"subject\":\"t-value\",\"version\":1,\"magic\":1}");
    json_t *v = json_loads(res.recs[0].value, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(v, "subject")), "t-value");
    assert_int_equal(json_integer_value(json_object_get(v, "version")), 1);
    assert_int_equal(json_integer_value(json_object_get(v, "id")), 1);
    assert_string_equal(json_string_value(json_object_get(v, "schema")), REC_A);
    assert_true(json_is_false(json_object_get(v, "deleted")));
    assert_null(json_object_get(v, "schemaType")); /* omitted for AVRO */
    assert_null(json_object_get(v, "references"));
    json_decref(v);
    /* nothing is visible before the record is applied */
    expect_err(fx, rq(SL_REGOP_VERSIONS, "t-value", NULL, NULL), 404, 40401);
    for (size_t i = 0; i < res.n_recs; i++)
        apply(fx, res.recs[i].key, res.recs[i].value);
    sl_reg_result_free(&res);
    free(b);

    expect(fx, rq(SL_REGOP_VERSIONS, "t-value", NULL, NULL), 200, "[1]");
    expect(fx, rq(SL_REGOP_SUBJECTS, NULL, NULL, NULL), 200, "[\"t-value\"]");
    sl_reg_req_t g = rq(SL_REGOP_VERSION_GET, "t-value", "1", NULL);
    sl_reg_result_t gr;
    run(fx, &g, &gr);
    assert_int_equal(gr.status, 200);
    json_t *o = json_loads(gr.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(o, "subject")), "t-value");
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "id")), 1);
    assert_string_equal(json_string_value(json_object_get(o, "schema")), REC_A);
    json_decref(o);
    sl_reg_result_free(&gr);
    g = rq(SL_REGOP_VERSION_SCHEMA, "t-value", "latest", NULL);
    expect(fx, g, 200, REC_A);
    sl_reg_req_t idr = rq(SL_REGOP_ID_GET, NULL, NULL, NULL);
    idr.id = "1";
    expect(fx, idr, 200, NULL);
    idr.op = SL_REGOP_ID_SCHEMA;
    expect(fx, idr, 200, REC_A);
    idr.id = "2";
    expect_err(fx, idr, 404, 40403);
    idr.id = "abc";
    expect_err(fx, idr, 404, 40403);
}

static void test_same_schema_same_id(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(reg_schema(fx, "a", REC_A, NULL), 1);
    /* again under the same subject: same id, no new version, nothing written */
    char *b = body_of(REC_A_SPACED, NULL);
    sl_reg_result_t res;
    sl_reg_req_t r = rq(SL_REGOP_REGISTER, "a", NULL, b);
    sl_regops_run(fx->st, &r, &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "{\"id\":1}");
    assert_int_equal(res.n_recs, 0);
    sl_reg_result_free(&res);
    free(b);
    expect(fx, rq(SL_REGOP_VERSIONS, "a", NULL, NULL), 200, "[1]");
    /* the HTTP thread's precheck answers that itself, and defers a new version */
    b = body_of(REC_A, NULL);
    r = rq(SL_REGOP_REGISTER, "a", NULL, b);
    r.precheck = 1;
    sl_regops_run(fx->st, &r, &res);
    assert_string_equal(res.body, "{\"id\":1}");
    assert_false(res.defer);
    sl_reg_result_free(&res);
    free(b);
    b = body_of(REC_A2, NULL);
    r = rq(SL_REGOP_REGISTER, "a", NULL, b);
    r.precheck = 1;
    sl_regops_run(fx->st, &r, &res);
    assert_true(res.defer);
    assert_int_equal(res.n_recs, 0);
    sl_reg_result_free(&res);
    free(b);
    /* under another subject: same id, its own version 1, the first text kept for the id */
    assert_int_equal(reg_schema(fx, "b", REC_A_SPACED, NULL), 1);
    expect(fx, rq(SL_REGOP_VERSION_SCHEMA, "b", "1", NULL), 200, REC_A);
    /* a different schema: a new id */
    assert_int_equal(reg_schema(fx, "b", REC_A2, NULL), 2);
    sl_reg_req_t s = rq(SL_REGOP_ID_SUBJECTS, NULL, NULL, NULL);
    s.id = "1";
    expect(fx, s, 200, "[\"a\",\"b\"]");
    s.op = SL_REGOP_ID_VERSIONS;
    expect(fx, s, 200, "[{\"subject\":\"a\",\"version\":1},{\"subject\":\"b\",\"version\":1}]");
    /* what Java's Schema.toString() makes equal is equal: an explicit namespace equal to the
     * enclosing one, full or short names, key order, {"type":"int"}, "order":"ascending" */
    const char *ns1 =
        "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"a.b\",\"fields\":["
        "{\"name\":\"u\",\"type\":{\"type\":\"enum\",\"name\":\"U\",\"symbols\":[\"X\"]}},"
        "{\"name\":\"v\",\"type\":\"U\"}]}";
    const char *ns2 = "{\"namespace\":\"a.b\",\"name\":\"a.b.R\",\"type\":\"record\",\"fields\":["
                      "{\"type\":{\"type\":\"enum\",\"name\":\"U\",\"namespace\":\"a.b\","
                      "\"symbols\":[\"X\"]},\"name\":\"u\",\"order\":\"ascending\"},"
                      "{\"name\":\"v\",\"type\":{\"type\":\"a.b.U\"}}]}";
    const char *ns3 =
        "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"a.c\",\"fields\":["
        "{\"name\":\"u\",\"type\":{\"type\":\"enum\",\"name\":\"U\",\"symbols\":[\"X\"]}},"
        "{\"name\":\"v\",\"type\":\"U\"}]}";
    int nid = reg_schema(fx, "ns", ns1, NULL);
    assert_int_equal(reg_schema(fx, "ns2", ns2, NULL), nid);
    assert_int_not_equal(reg_schema(fx, "ns3", ns3, NULL), nid);
    /* the same text as JSON Schema is another schema */
    int jid = reg_schema(fx, "j", "{\"type\":\"object\"}", "JSON");
    assert_true(jid > 2 && jid != nid);
    assert_int_equal(reg_schema(fx, "j2", "{\"type\": \"object\"}", "JSON"), jid);
}

static void test_normalize(void **state)
{
    fx_t *fx = *state;
    char *b = body_of("{\"type\": \"string\"}", NULL);
    sl_reg_req_t r = rq(SL_REGOP_REGISTER, "n", NULL, b);
    r.normalize = 1;
    expect(fx, r, 200, "{\"id\":1}");
    free(b);
    /* the normal form is what got stored ... */
    expect(fx, rq(SL_REGOP_VERSION_SCHEMA, "n", "1", NULL), 200, "\"string\"");
    /* ... and the plain form is the same schema */
    assert_int_equal(reg_schema(fx, "n", "\"string\"", NULL), 1);
    b = body_of("{\"type\":\"string\"}", NULL);
    r = rq(SL_REGOP_SUBJECT_LOOKUP, "n", NULL, b);
    r.normalize = 1;
    expect(fx, r, 200, NULL);
    free(b);
}

static void test_lookup(void **state)
{
    fx_t *fx = *state;
    reg_schema(fx, "l", REC_A, NULL);
    reg_schema(fx, "l", REC_A2, NULL);
    char *b = body_of(REC_A_SPACED, NULL);
    sl_reg_result_t res;
    sl_reg_req_t r = rq(SL_REGOP_SUBJECT_LOOKUP, "l", NULL, b);
    run(fx, &r, &res);
    assert_int_equal(res.status, 200);
    json_t *o = json_loads(res.body, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "id")), 1);
    assert_string_equal(json_string_value(json_object_get(o, "subject")), "l");
    json_decref(o);
    sl_reg_result_free(&res);
    expect_err(fx, rq(SL_REGOP_SUBJECT_LOOKUP, "nope", NULL, b), 404, 40401);
    free(b);
    b = body_of(REC_A_LONG, NULL);
    expect_err(fx, rq(SL_REGOP_SUBJECT_LOOKUP, "l", NULL, b), 404, 40403);
    free(b);
    b = body_of("{\"type\":\"recrd\"}", NULL);
    expect_err(fx, rq(SL_REGOP_SUBJECT_LOOKUP, "l", NULL, b), 422, 42201);
    free(b);
    /* soft-deleted versions are found only with deleted=true */
    expect(fx, rq(SL_REGOP_VERSION_DELETE, "l", "1", NULL), 200, "1");
    b = body_of(REC_A, NULL);
    expect_err(fx, rq(SL_REGOP_SUBJECT_LOOKUP, "l", NULL, b), 404, 40403);
    r = rq(SL_REGOP_SUBJECT_LOOKUP, "l", NULL, b);
    r.deleted = 1;
    expect(fx, r, 200, NULL);
    free(b);
}

static void test_bad_requests(void **state)
{
    fx_t *fx = *state;
    char *msg = reg_fail(fx, "x",
                         "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":"
                         "\"a\",\"type\":\"strin\"}]}",
                         NULL, 422, 42201);
    assert_non_null(strstr(msg, "fields[0].type"));
    free(msg);
    msg = reg_fail(fx, "x", "{\"type\":\"object\",\"properties\":5}", "JSON", 422, 42201);
    free(msg);
    msg = reg_fail(fx, "x", "syntax = \"proto3\";", "PROTOBUF", 422, 42201);
    assert_non_null(strstr(msg, "not supported yet"));
    free(msg);
    msg = reg_fail(fx, "x", REC_A, "XML", 422, 42201);
    free(msg);
    /* references that do not resolve: loud, not silent; JSON Schema references resolve */
    const char *with_refs = "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"B\\\","
                            "\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"A\\\"}]}\","
                            "\"references\":[{\"name\":\"A\",\"subject\":\"a\",\"version\":1}]}";
    sl_reg_result_t res;
    sl_reg_req_t r = rq(SL_REGOP_REGISTER, "x", NULL, with_refs);
    run(fx, &r, &res);
    assert_int_equal(res.status, 422);
    assert_non_null(strstr(res.body, "subject 'a' version 1 not found"));
    sl_reg_result_free(&res);
    const char *json_refs =
        "{\"schemaType\":\"JSON\",\"schema\":\"{\\\"$ref\\\":\\\"a.json\\\"}\","
        "\"references\":[{\"name\":\"a.json\",\"subject\":\"x\",\"version\":1}]}";
    reg_schema(fx, "x", "{\"type\":\"object\"}", "JSON");
    r = rq(SL_REGOP_REGISTER, "y", NULL, json_refs);
    run(fx, &r, &res);
    assert_int_equal(res.status, 200); /* the $ref resolves into subject x version 1 */
    sl_reg_result_free(&res);
    expect(fx, rq(SL_REGOP_SUBJECT_DELETE, "y", NULL, NULL), 200, NULL);
    sl_reg_req_t py = rq(SL_REGOP_SUBJECT_DELETE, "y", NULL, NULL);
    py.permanent = 1;
    expect(fx, py, 200, NULL); /* y referred to x: it goes first */
    expect(fx, rq(SL_REGOP_SUBJECT_DELETE, "x", NULL, NULL), 200, NULL);
    sl_reg_req_t px = rq(SL_REGOP_SUBJECT_DELETE, "x", NULL, NULL);
    px.permanent = 1;
    expect(fx, px, 200, NULL);
    expect_err(fx, rq(SL_REGOP_REGISTER, "x", NULL, "{\"schema\":"), 422, 422);
    expect_err(fx, rq(SL_REGOP_REGISTER, "x", NULL, "[1]"), 422, 422);
    expect_err(fx, rq(SL_REGOP_REGISTER, "x", NULL, ""), 422, 422);
    expect_err(fx, rq(SL_REGOP_REGISTER, "x", NULL, "{}"), 422, 42201);
    expect_err(fx, rq(SL_REGOP_REGISTER, "x", NULL, "{\"schema\":5}"), 422, 42201);
    expect_err(fx, rq(SL_REGOP_REGISTER, "", NULL, "{\"schema\":\"\\\"int\\\"\"}"), 422, 42208);
    expect_err(fx, rq(SL_REGOP_REGISTER, "a\tb", NULL, "{\"schema\":\"\\\"int\\\"\"}"), 422, 42208);
    reg_schema(fx, "v", REC_A, NULL);
    expect_err(fx, rq(SL_REGOP_VERSION_GET, "v", "0", NULL), 422, 42202);
    expect_err(fx, rq(SL_REGOP_VERSION_GET, "v", "abc", NULL), 422, 42202);
    expect_err(fx, rq(SL_REGOP_VERSION_GET, "v", "2147483648", NULL), 422, 42202);
    expect_err(fx, rq(SL_REGOP_VERSION_GET, "v", "2", NULL), 404, 40402);
    expect_err(fx, rq(SL_REGOP_VERSION_GET, "w", "1", NULL), 404, 40401);
    expect(fx, rq(SL_REGOP_VERSION_GET, "v", "-1", NULL), 200, NULL);
    expect(fx, rq(SL_REGOP_VERSION_REFERENCEDBY, "v", "1", NULL), 200, "[]");
    expect_err(fx, rq(SL_REGOP_VERSION_REFERENCEDBY, "v", "9", NULL), 404, 40402);
    /* nothing of the failures above was written */
    expect(fx, rq(SL_REGOP_SUBJECTS, NULL, NULL, NULL), 200, "[\"v\"]");
}

static void test_avro_references(void **state)
{
    fx_t *fx = *state;
    const char *addr = "{\"type\":\"record\",\"name\":\"Address\",\"namespace\":\"com.x\","
                       "\"fields\":[{\"name\":\"city\",\"type\":\"string\"}]}";
    assert_int_equal(reg_schema(fx, "address", addr, NULL), 1);
    json_t *o =
        json_pack("{s:s,s:[{s:s,s:s,s:i}]}", "schema",
                  "{\"type\":\"record\",\"name\":\"Person\",\"namespace\":\"com.x\","
                  "\"fields\":[{\"name\":\"home\",\"type\":\"Address\"}]}",
                  "references", "name", "com.x.Address", "subject", "address", "version", 1);
    char *b = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    sl_reg_result_t res;
    sl_reg_req_t r = rq(SL_REGOP_REGISTER, "person", NULL, b);
    run(fx, &r, &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "{\"id\":2}");
    sl_reg_result_free(&res);
    /* the record keeps the references; GET shows them */
    sl_reg_req_t g = rq(SL_REGOP_VERSION_GET, "person", "1", NULL);
    run(fx, &g, &res);
    assert_non_null(strstr(res.body, "\"references\":[{\"name\":\"com.x.Address\","
                                     "\"subject\":\"address\",\"version\":1}]"));
    sl_reg_result_free(&res);
    /* the same schema without the references is another schema (it does not even parse) */
    free(reg_fail(fx, "person2",
                  "{\"type\":\"record\",\"name\":\"Person\",\"namespace\":\"com.x\","
                  "\"fields\":[{\"name\":\"home\",\"type\":\"Address\"}]}",
                  NULL, 422, 42201));
    /* registering again: same id; lookup finds it */
    run(fx, &r, &res);
    assert_string_equal(res.body, "{\"id\":2}");
    assert_int_equal(res.n_recs, 0);
    sl_reg_result_free(&res);
    r.op = SL_REGOP_SUBJECT_LOOKUP;
    expect(fx, r, 200, NULL);
    expect(fx, rq(SL_REGOP_VERSION_REFERENCEDBY, "address", "1", NULL), 200, "[2]");
    /* a referenced version cannot be deleted while a live schema uses it */
    expect_err(fx, rq(SL_REGOP_VERSION_DELETE, "address", "1", NULL), 422, 42206);
    expect_err(fx, rq(SL_REGOP_SUBJECT_DELETE, "address", NULL, NULL), 422, 42206);
    /* the validator gets a parsed schema that includes the referenced type */
    sl_reg_schema_t *s = NULL;
    atomic_store(&fx->reg->ready, 1);
    assert_int_equal(sl_registry_schema_get(fx->reg, 2, &s), SL_OK);
    assert_non_null(sl_reg_schema_avro(s));
    assert_string_equal(sl_reg_schema_record_name(s), "com.x.Person");
    sl_reg_schema_put(s);
    /* once the referrer is gone, the reference can go */
    expect(fx, rq(SL_REGOP_SUBJECT_DELETE, "person", NULL, NULL), 200, "[1]");
    expect(fx, rq(SL_REGOP_VERSION_REFERENCEDBY, "address", "1", NULL), 200, "[]");
    expect(fx, rq(SL_REGOP_VERSION_DELETE, "address", "1", NULL), 200, "1");
    free(b);
}

/* ---- compatibility ---- */

static void test_compat_levels(void **state)
{
    fx_t *fx = *state;
    reg_schema(fx, "c", REC_A, NULL);
    /* BACKWARD (default): a new field without default cannot read old data */
    char *msg = reg_fail(fx, "c", REC_A_NODEF, NULL, 409, 409);
    assert_non_null(strstr(msg, "READER_FIELD_MISSING_DEFAULT_VALUE"));
    assert_non_null(strstr(msg, "incompatible with an earlier schema for subject \"c\""));
    assert_non_null(strstr(msg, "compatibility: 'BACKWARD'"));
    free(msg);
    assert_int_equal(reg_schema(fx, "c", REC_A2, NULL), 2);
    /* compatibility endpoint, verbose and not */
    char *b = body_of(REC_A_NODEF, NULL);
    sl_reg_req_t r = rq(SL_REGOP_COMPAT, "c", "latest", b);
    expect(fx, r, 200, "{\"is_compatible\":false}");
    r.verbose = 1;
    sl_reg_result_t res;
    run(fx, &r, &res);
    assert_int_equal(res.status, 200);
    json_t *o = json_loads(res.body, 0, NULL);
    assert_true(json_is_false(json_object_get(o, "is_compatible")));
    assert_true(json_array_size(json_object_get(o, "messages")) >= 1);
    json_decref(o);
    sl_reg_result_free(&res);
    r = rq(SL_REGOP_COMPAT, "c", "9", b);
    expect_err(fx, r, 404, 40402);
    r = rq(SL_REGOP_COMPAT, "nosuch", "latest", b);
    expect(fx, r, 200, "{\"is_compatible\":true}");
    r = rq(SL_REGOP_COMPAT, "nosuch", "1", b);
    expect_err(fx, r, 404, 40401);
    free(b);
    /* NONE lets anything in */
    char *cb = "{\"compatibility\":\"none\"}";
    expect(fx, rq(SL_REGOP_CONFIG_PUT, "c", NULL, cb), 200, "{\"compatibility\":\"NONE\"}");
    assert_int_equal(reg_schema(fx, "c", REC_A_NODEF, NULL), 3);
    assert_int_equal(reg_schema(fx, "c", "\"string\"", NULL), 4);
}

static void test_compat_transitive(void **state)
{
    fx_t *fx = *state;
    /* v1 {x:int}, v2 {x:int,y:string=""} (compatible), v3 {x:int,y:string=""} minus nothing
     * but x as long: BACKWARD against v2 is fine (int promotes to long), and so against v1;
     * FORWARD: old readers (int) cannot read long */
    reg_schema(fx, "t", REC_A, NULL);
    reg_schema(fx, "t", REC_A2, NULL);
    expect(fx, rq(SL_REGOP_CONFIG_PUT, "t", NULL, "{\"compatibility\":\"FORWARD\"}"), 200, NULL);
    free(reg_fail(fx, "t", REC_A_LONG, NULL, 409, 409));
    /* transitive: v1 {x:int}; v2 adds y with default; a schema with y without default and
     * without x reads v2 (y present) but not v1 (y missing, no default) */
    const char *only_y = "{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"y\","
                         "\"type\":\"string\"}]}";
    expect(fx, rq(SL_REGOP_CONFIG_PUT, "t", NULL, "{\"compatibility\":\"BACKWARD\"}"), 200, NULL);
    char *b = body_of(only_y, NULL);
    expect(fx, rq(SL_REGOP_COMPAT, "t", "latest", b), 200, "{\"is_compatible\":true}");
    expect(fx, rq(SL_REGOP_CONFIG_PUT, "t", NULL, "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}"),
           200, NULL);
    expect(fx, rq(SL_REGOP_COMPAT, "t", "latest", b), 200, "{\"is_compatible\":false}");
    /* against one named version, the level's direction only */
    expect(fx, rq(SL_REGOP_COMPAT, "t", "2", b), 200, "{\"is_compatible\":true}");
    expect(fx, rq(SL_REGOP_COMPAT, "t", "1", b), 200, "{\"is_compatible\":false}");
    char *msg = reg_fail(fx, "t", only_y, NULL, 409, 409);
    assert_non_null(strstr(msg, "oldSchemaVersion: 1"));
    free(msg);
    expect(fx, rq(SL_REGOP_CONFIG_PUT, "t", NULL, "{\"compatibility\":\"BACKWARD\"}"), 200, NULL);
    assert_int_equal(reg_schema(fx, "t", only_y, NULL), 3);
    /* FULL_TRANSITIVE / FULL against a different type */
    expect(fx, rq(SL_REGOP_CONFIG_PUT, "t", NULL, "{\"compatibility\":\"FULL\"}"), 200, NULL);
    msg = reg_fail(fx, "t", "{\"type\":\"object\"}", "JSON", 409, 409);
    assert_non_null(strstr(msg, "different schema type"));
    free(msg);
    free(b);
}

static void test_compat_json(void **state)
{
    fx_t *fx = *state;
    const char *v1 = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}";
    const char *v2 = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}";
    const char *v3 = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},"
                     "\"b\":{\"type\":\"number\"}},\"additionalProperties\":false}";
    assert_int_equal(reg_schema(fx, "j", v1, "JSON"), 1);
    char *msg = reg_fail(fx, "j", v2, "JSON", 409, 409);
    assert_non_null(strstr(msg, "TYPE_CHANGED"));
    assert_non_null(strstr(msg, "#/properties/a"));
    free(msg);
    expect(fx, rq(SL_REGOP_CONFIG_PUT, "j", NULL, "{\"compatibility\":\"NONE\"}"), 200, NULL);
    assert_int_equal(reg_schema(fx, "j", v2, "JSON"), 2);
    expect(fx, rq(SL_REGOP_CONFIG_DELETE, "j", NULL, NULL), 200,
           "{\"compatibilityLevel\":\"NONE\"}");
    char *b = body_of(v3, "JSON");
    sl_reg_req_t r = rq(SL_REGOP_COMPAT, "j", "1", b);
    expect(fx, r, 200, NULL);
    free(b);
    sl_reg_req_t g = rq(SL_REGOP_VERSION_GET, "j", "2", NULL);
    sl_reg_result_t res;
    run(fx, &g, &res);
    assert_non_null(strstr(res.body, "\"schemaType\":\"JSON\""));
    sl_reg_result_free(&res);
}

/* ---- deletes and ids ---- */

static void test_soft_and_permanent_delete(void **state)
{
    fx_t *fx = *state;
    reg_schema(fx, "d", REC_A, NULL);
    reg_schema(fx, "d", REC_A2, NULL);
    /* permanent first: refused */
    sl_reg_req_t p = rq(SL_REGOP_VERSION_DELETE, "d", "1", NULL);
    p.permanent = 1;
    expect_err(fx, p, 404, 40407);
    expect(fx, rq(SL_REGOP_VERSION_DELETE, "d", "1", NULL), 200, "1");
    expect_err(fx, rq(SL_REGOP_VERSION_DELETE, "d", "1", NULL), 404, 40406);
    expect(fx, rq(SL_REGOP_VERSIONS, "d", NULL, NULL), 200, "[2]");
    sl_reg_req_t dl = rq(SL_REGOP_VERSIONS, "d", NULL, NULL);
    dl.deleted = 1;
    expect(fx, dl, 200, "[1,2]");
    expect_err(fx, rq(SL_REGOP_VERSION_GET, "d", "1", NULL), 404, 40402);
    sl_reg_req_t gd = rq(SL_REGOP_VERSION_GET, "d", "1", NULL);
    gd.deleted = 1;
    expect(fx, gd, 200, NULL);
    /* ids of soft-deleted versions still resolve */
    sl_reg_req_t idr = rq(SL_REGOP_ID_GET, NULL, NULL, NULL);
    idr.id = "1";
    expect(fx, idr, 200, NULL);
    expect(fx, p, 200, "1"); /* now permanent works */
    expect_err(fx, idr, 404, 40403);
    expect_err(fx, p, 404, 40402);
    /* subject: soft, then permanent */
    sl_reg_req_t sd = rq(SL_REGOP_SUBJECT_DELETE, "d", NULL, NULL);
    sd.permanent = 1;
    expect_err(fx, sd, 404, 40405);
    expect(fx, rq(SL_REGOP_SUBJECT_DELETE, "d", NULL, NULL), 200, "[2]");
    expect_err(fx, rq(SL_REGOP_SUBJECT_DELETE, "d", NULL, NULL), 404, 40404);
    expect(fx, rq(SL_REGOP_SUBJECTS, NULL, NULL, NULL), 200, "[]");
    sl_reg_req_t ls = rq(SL_REGOP_SUBJECTS, NULL, NULL, NULL);
    ls.deleted = 1;
    expect(fx, ls, 200, "[\"d\"]");
    ls.deleted = 0;
    ls.deleted_only = 1;
    expect(fx, ls, 200, "[\"d\"]");
    expect_err(fx, rq(SL_REGOP_VERSIONS, "d", NULL, NULL), 404, 40401);
    expect(fx, sd, 200, "[2]");
    expect_err(fx, sd, 404, 40401);
    expect_err(fx, rq(SL_REGOP_SUBJECT_DELETE, "zz", NULL, NULL), 404, 40401);
    /* versions continue after a soft delete, restart at 1 after a permanent one */
    reg_schema(fx, "d", REC_A, NULL);
    expect(fx, rq(SL_REGOP_VERSIONS, "d", NULL, NULL), 200, "[1]");
}

static void test_ids_never_reused(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(reg_schema(fx, "a", REC_A, NULL), 1);
    assert_int_equal(reg_schema(fx, "b", REC_A_LONG, NULL), 2);
    /* remove id 2 for good: the high-water mark record comes first */
    expect(fx, rq(SL_REGOP_SUBJECT_DELETE, "b", NULL, NULL), 200, "[1]");
    sl_reg_req_t sd = rq(SL_REGOP_SUBJECT_DELETE, "b", NULL, NULL);
    sd.permanent = 1;
    sl_reg_result_t res;
    sl_regops_run(fx->st, &sd, &res);
    assert_int_equal(res.status, 200);
    assert_int_equal(res.n_recs, 2);
    assert_string_equal(res.recs[0].key, "{\"keytype\":\"NOOP\",\"magic\":1}");
    assert_string_equal(res.recs[0].value, "{\"sluiceMaxSchemaId\":2}");
    assert_string_equal(res.recs[1].key,
                        "{\"keytype\":\"SCHEMA\",\"subject\":\"b\",\"version\":1,\"magic\":1}");
    assert_null(res.recs[1].value);
    char *hwm_key = strdup(res.recs[0].key), *hwm_val = strdup(res.recs[0].value);
    for (size_t i = 0; i < res.n_recs; i++)
        apply(fx, res.recs[i].key, res.recs[i].value);
    sl_reg_result_free(&res);
    assert_int_equal(reg_schema(fx, "c", REC_A2, NULL), 3);
    /* the same schema as the deleted id 2 comes back with a new id */
    assert_int_equal(reg_schema(fx, "b", REC_A_LONG, NULL), 4);

    /* after compaction only the latest record per key is left; a fresh store that reads
     * such a topic must still continue above 2 */
    sl_reg_store_t st2;
    assert_int_equal(sl_regstore_init(&st2), SL_OK);
    char *b = body_of(REC_A, NULL);
    const char *k1 = "{\"keytype\":\"SCHEMA\",\"subject\":\"a\",\"version\":1,\"magic\":1}";
    const char *v1 = "{\"subject\":\"a\",\"version\":1,\"id\":1,\"schema\":\"\\\"int\\\"\","
                     "\"deleted\":false}";
    assert_int_equal(sl_regstore_apply(&st2, k1, strlen(k1), v1, strlen(v1), 0), SL_OK);
    assert_int_equal(sl_regstore_apply(&st2, hwm_key, strlen(hwm_key), hwm_val, strlen(hwm_val), 5),
                     SL_OK);
    sl_reg_req_t r = rq(SL_REGOP_REGISTER, "x", NULL, b);
    sl_regops_run(&st2, &r, &res);
    assert_string_equal(res.body, "{\"id\":3}");
    sl_reg_result_free(&res);
    /* Confluent's own NOOP probe (null value, magic 0) changes nothing */
    const char *noop = "{\"keytype\":\"NOOP\",\"magic\":0}";
    assert_int_equal(sl_regstore_apply(&st2, noop, strlen(noop), NULL, 0, 6), SL_OK);
    sl_regops_run(&st2, &r, &res);
    assert_string_equal(res.body, "{\"id\":3}");
    sl_reg_result_free(&res);
    sl_regstore_destroy(&st2);
    free(b);
    free(hwm_key);
    free(hwm_val);
}

static void test_soft_deleted_same_id_reregistered(void **state)
{
    fx_t *fx = *state;
    reg_schema(fx, "r", REC_A, NULL);
    reg_schema(fx, "r", REC_A2, NULL);
    expect(fx, rq(SL_REGOP_VERSION_DELETE, "r", "1", NULL), 200, "1");
    /* registering v1's schema again: same id 1, a new version 3, and v1's record is dropped */
    char *b = body_of(REC_A, NULL);
    sl_reg_req_t r = rq(SL_REGOP_REGISTER, "r", NULL, b);
    expect(fx, rq(SL_REGOP_CONFIG_PUT, "r", NULL, "{\"compatibility\":\"NONE\"}"), 200, NULL);
    sl_reg_result_t res;
    run(fx, &r, &res);
    assert_string_equal(res.body, "{\"id\":1}");
    assert_int_equal(res.n_recs, 2);
    assert_null(res.recs[0].value);
    sl_reg_result_free(&res);
    free(b);
    sl_reg_req_t dl = rq(SL_REGOP_VERSIONS, "r", NULL, NULL);
    dl.deleted = 1;
    expect(fx, dl, 200, "[2,3]");
}

/* ---- config and mode ---- */

static void test_config(void **state)
{
    fx_t *fx = *state;
    expect(fx, rq(SL_REGOP_CONFIG_GET, NULL, NULL, NULL), 200,
           "{\"compatibilityLevel\":\"BACKWARD\"}");
    expect_err(fx, rq(SL_REGOP_CONFIG_GET, "s", NULL, NULL), 404, 40408);
    sl_reg_req_t g = rq(SL_REGOP_CONFIG_GET, "s", NULL, NULL);
    g.default_to_global = 1;
    expect(fx, g, 200, "{\"compatibilityLevel\":\"BACKWARD\"}");
    expect(fx, rq(SL_REGOP_CONFIG_PUT, NULL, NULL, "{\"compatibility\":\"FULL_TRANSITIVE\"}"), 200,
           "{\"compatibility\":\"FULL_TRANSITIVE\"}");
    expect(fx, g, 200, "{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");
    expect(fx, rq(SL_REGOP_CONFIG_PUT, "s", NULL, "{\"compatibility\":\"forward\"}"), 200,
           "{\"compatibility\":\"FORWARD\"}");
    expect(fx, rq(SL_REGOP_CONFIG_GET, "s", NULL, NULL), 200,
           "{\"compatibilityLevel\":\"FORWARD\"}");
    expect_err(fx, rq(SL_REGOP_CONFIG_PUT, "s", NULL, "{\"compatibility\":\"SIDEWAYS\"}"), 422,
               42203);
    expect_err(fx, rq(SL_REGOP_CONFIG_PUT, "s", NULL, "{}"), 422, 42203);
    expect_err(fx, rq(SL_REGOP_CONFIG_PUT, "s", NULL, "nope"), 422, 422);
    expect(fx, rq(SL_REGOP_CONFIG_DELETE, "s", NULL, NULL), 200,
           "{\"compatibilityLevel\":\"FORWARD\"}");
    expect_err(fx, rq(SL_REGOP_CONFIG_DELETE, "s", NULL, NULL), 404, 40401);
    expect(fx, rq(SL_REGOP_CONFIG_DELETE, NULL, NULL, NULL), 200,
           "{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");
    expect(fx, rq(SL_REGOP_CONFIG_GET, NULL, NULL, NULL), 200,
           "{\"compatibilityLevel\":\"BACKWARD\"}");
    /* a subject's own config goes with the subject's soft delete */
    reg_schema(fx, "s", REC_A, NULL);
    expect(fx, rq(SL_REGOP_CONFIG_PUT, "s", NULL, "{\"compatibility\":\"NONE\"}"), 200, NULL);
    expect(fx, rq(SL_REGOP_SUBJECT_DELETE, "s", NULL, NULL), 200, "[1]");
    expect_err(fx, rq(SL_REGOP_CONFIG_GET, "s", NULL, NULL), 404, 40408);
}

static void test_mode(void **state)
{
    fx_t *fx = *state;
    expect(fx, rq(SL_REGOP_MODE_GET, NULL, NULL, NULL), 200, "{\"mode\":\"READWRITE\"}");
    expect_err(fx, rq(SL_REGOP_MODE_GET, "m", NULL, NULL), 404, 40409);
    expect_err(fx, rq(SL_REGOP_MODE_PUT, NULL, NULL, "{\"mode\":\"WRITEONLY\"}"), 422, 42204);
    reg_schema(fx, "m", REC_A, NULL);
    expect(fx, rq(SL_REGOP_MODE_PUT, "m", NULL, "{\"mode\":\"READONLY\"}"), 200,
           "{\"mode\":\"READONLY\"}");
    free(reg_fail(fx, "m", REC_A2, NULL, 422, 42205));
    expect_err(fx, rq(SL_REGOP_VERSION_DELETE, "m", "1", NULL), 422, 42205);
    expect_err(fx, rq(SL_REGOP_SUBJECT_DELETE, "m", NULL, NULL), 422, 42205);
    expect_err(fx, rq(SL_REGOP_CONFIG_PUT, "m", NULL, "{\"compatibility\":\"NONE\"}"), 422, 42205);
    /* other subjects are not affected; reads still work */
    assert_int_equal(reg_schema(fx, "other", REC_A2, NULL), 2);
    expect(fx, rq(SL_REGOP_VERSIONS, "m", NULL, NULL), 200, "[1]");
    expect(fx, rq(SL_REGOP_MODE_DELETE, "m", NULL, NULL), 200, "{\"mode\":\"READONLY\"}");
    expect_err(fx, rq(SL_REGOP_MODE_DELETE, "m", NULL, NULL), 404, 40401);
    assert_int_equal(reg_schema(fx, "m", REC_A2, NULL), 2);

    /* IMPORT: refused while subjects exist unless forced; then ids and versions are given */
    expect_err(fx, rq(SL_REGOP_MODE_PUT, NULL, NULL, "{\"mode\":\"IMPORT\"}"), 422, 42205);
    sl_reg_req_t f = rq(SL_REGOP_MODE_PUT, NULL, NULL, "{\"mode\":\"import\"}");
    f.force = 1;
    expect(fx, f, 200, "{\"mode\":\"IMPORT\"}");
    free(reg_fail(fx, "imp", REC_A_NODEF, NULL, 422, 42205)); /* no id: not read-write */
    const char *imp = "{\"schema\":\"\\\"bytes\\\"\",\"id\":100,\"version\":7}";
    expect(fx, rq(SL_REGOP_REGISTER, "imp", NULL, imp), 200, "{\"id\":100}");
    expect(fx, rq(SL_REGOP_VERSIONS, "imp", NULL, NULL), 200, "[7]");
    /* an id taken by a different schema cannot be overwritten */
    const char *clash = "{\"schema\":\"\\\"float\\\"\",\"id\":100}";
    expect_err(fx, rq(SL_REGOP_REGISTER, "imp2", NULL, clash), 422, 42205);
    expect(fx, rq(SL_REGOP_MODE_PUT, NULL, NULL, "{\"mode\":\"READWRITE\"}"), 200, NULL);
    /* imported ids count for the next id */
    assert_int_equal(reg_schema(fx, "after", "\"double\"", NULL), 101);
    expect_err(fx, rq(SL_REGOP_REGISTER, "x", NULL, imp), 422, 42205); /* not in import mode */
}

/* ---- records from a Confluent-written topic ---- */

static void test_apply_foreign_records(void **state)
{
    fx_t *fx = *state;
    /* global config with "subject":null (older Confluent), a JSON schema, a soft-deleted
     * subject, a tombstone, Confluent's NOOP, an unknown key type, garbage */
    assert_int_equal(apply(fx, "{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}",
                           "{\"compatibilityLevel\":\"FULL\"}"),
                     SL_OK);
    assert_int_equal(apply(fx,
                           "{\"keytype\":\"SCHEMA\",\"subject\":\"j\",\"version\":1,\"magic\":1}",
                           "{\"subject\":\"j\",\"version\":1,\"id\":10,\"schemaType\":\"JSON\","
                           "\"schema\":\"{\\\"type\\\":\\\"object\\\"}\",\"deleted\":false}"),
                     SL_OK);
    assert_int_equal(apply(fx,
                           "{\"keytype\":\"SCHEMA\",\"subject\":\"d\",\"version\":1,\"magic\":0}",
                           "{\"subject\":\"d\",\"version\":1,\"id\":11,\"schema\":\"\\\"int\\\"\","
                           "\"deleted\":false}"),
                     SL_OK);
    assert_int_equal(apply(fx,
                           "{\"keytype\":\"SCHEMA\",\"subject\":\"d\",\"version\":2,\"magic\":1}",
                           "{\"subject\":\"d\",\"version\":2,\"id\":12,\"schema\":\"\\\"long\\\"\","
                           "\"deleted\":false}"),
                     SL_OK);
    assert_int_equal(apply(fx, "{\"keytype\":\"DELETE_SUBJECT\",\"subject\":\"d\",\"magic\":0}",
                           "{\"subject\":\"d\",\"version\":2}"),
                     SL_OK);
    assert_int_equal(apply(fx, "{\"keytype\":\"NOOP\",\"magic\":0}", NULL), SL_OK);
    assert_int_equal(apply(fx, "{\"keytype\":\"CONTEXT\",\"tenant\":\"t\",\"magic\":0}", "{}"),
                     SL_OK);
    assert_int_equal(apply(fx, "not json", "{}"), SL_INVAL);
    assert_int_equal(apply(fx, "{\"keytype\":\"SCHEMA\",\"subject\":\"d\",\"magic\":1}", "{}"),
                     SL_INVAL);
    /* id 10 reused for another schema: ignored, as Confluent does */
    assert_int_equal(apply(fx,
                           "{\"keytype\":\"SCHEMA\",\"subject\":\"k\",\"version\":1,\"magic\":1}",
                           "{\"subject\":\"k\",\"version\":1,\"id\":10,\"schema\":\"\\\"int\\\"\","
                           "\"deleted\":false}"),
                     SL_INVAL);
    expect(fx, rq(SL_REGOP_CONFIG_GET, NULL, NULL, NULL), 200, "{\"compatibilityLevel\":\"FULL\"}");
    expect(fx, rq(SL_REGOP_SUBJECTS, NULL, NULL, NULL), 200, "[\"j\"]");
    sl_reg_req_t dl = rq(SL_REGOP_VERSIONS, "d", NULL, NULL);
    dl.deleted = 1;
    expect(fx, dl, 200, "[1,2]");
    sl_reg_req_t idr = rq(SL_REGOP_ID_GET, NULL, NULL, NULL);
    idr.id = "10";
    expect(fx, idr, 200, "{\"schemaType\":\"JSON\",\"schema\":\"{\\\"type\\\":\\\"object\\\"}\"}");
    /* tombstone of d v1: id 11 is gone, 12 stays */
    assert_int_equal(
        apply(fx, "{\"keytype\":\"SCHEMA\",\"subject\":\"d\",\"version\":1,\"magic\":1}", NULL),
        SL_OK);
    expect_err(fx, (sl_reg_req_t){.op = SL_REGOP_ID_GET, .id = "11"}, 404, 40403);
    expect(fx, (sl_reg_req_t){.op = SL_REGOP_ID_GET, .id = "12"}, 200, NULL);
    /* CLEAR_SUBJECT forgets soft-deleted versions */
    assert_int_equal(apply(fx, "{\"keytype\":\"CLEAR_SUBJECT\",\"subject\":\"d\",\"magic\":0}",
                           "{\"subject\":\"d\"}"),
                     SL_OK);
    expect_err(fx, dl, 404, 40401);
    /* the next id continues after the highest ever seen */
    assert_int_equal(reg_schema(fx, "n", "\"string\"", NULL), 13);
    /* schemas Sluice cannot parse are still served (and refused for validation) */
    assert_int_equal(apply(fx,
                           "{\"keytype\":\"SCHEMA\",\"subject\":\"p\",\"version\":1,\"magic\":1}",
                           "{\"subject\":\"p\",\"version\":1,\"id\":20,\"schemaType\":\"PROTOBUF\","
                           "\"schema\":\"syntax = \\\"proto3\\\";\",\"deleted\":false}"),
                     SL_OK);
    expect(fx, (sl_reg_req_t){.op = SL_REGOP_ID_SCHEMA, .id = "20"}, 200, "syntax = \"proto3\";");
    assert_int_equal(fx->st->applied, fx->offset - 1);
    assert_true(fx->st->n_ignored >= 3);
}

/* ---- validator lookups (registry.h) ---- */

static void test_validator_lookups(void **state)
{
    fx_t *fx = *state;
    reg_schema(fx, "topic-value", REC_A, NULL);
    reg_schema(fx, "j", "{\"title\":\"Thing\",\"type\":\"object\"}", "JSON");
    expect(fx, rq(SL_REGOP_CONFIG_PUT, "topic-value", NULL, "{\"compatibility\":\"NONE\"}"), 200,
           NULL);
    reg_schema(fx, "topic-value", REC_A_LONG, NULL);
    expect(fx, rq(SL_REGOP_VERSION_DELETE, "topic-value", "2", NULL), 200, "2");

    sl_registry_t *reg = fx->reg;
    sl_reg_schema_t *s = NULL;
    assert_int_equal(sl_registry_schema_get(reg, 1, &s), SL_NOTFOUND); /* not loaded yet */
    atomic_store(&reg->ready, 1);
    assert_int_equal(sl_registry_schema_get(reg, 1, &s), SL_OK);
    assert_string_equal(sl_reg_schema_type(s), "AVRO");
    assert_non_null(sl_reg_schema_avro(s));
    assert_null(sl_reg_schema_json(s));
    assert_string_equal(sl_reg_schema_record_name(s), "A");
    assert_int_equal(sl_reg_schema_id(s), 1);
    assert_string_equal(sl_reg_schema_text(s), REC_A);
    sl_reg_schema_put(s);
    assert_int_equal(sl_registry_schema_get(reg, 2, &s), SL_OK);
    assert_string_equal(sl_reg_schema_type(s), "JSON");
    assert_non_null(sl_reg_schema_json(s));
    assert_string_equal(sl_reg_schema_record_name(s), "Thing");
    sl_reg_schema_put(s);
    assert_int_equal(sl_registry_schema_get(reg, 3, &s), SL_OK); /* soft-deleted: resolves */
    sl_reg_schema_put(s);
    assert_int_equal(sl_registry_schema_get(reg, 4, &s), SL_NOTFOUND);
    assert_null(s);
    assert_int_equal(sl_registry_subject_has_id(reg, "topic-value", 1), 1);
    assert_int_equal(sl_registry_subject_has_id(reg, "topic-value", 3), 0); /* deleted */
    assert_int_equal(sl_registry_subject_has_id(reg, "topic-value", 2), 0);
    assert_int_equal(sl_registry_subject_has_id(reg, "nope", 1), 0);
    sl_reg_schema_put(NULL);
    /* a reference outlives the store's */
    assert_int_equal(sl_registry_schema_get(reg, 1, &s), SL_OK);
    sl_reg_req_t sd = rq(SL_REGOP_SUBJECT_DELETE, "topic-value", NULL, NULL);
    expect(fx, sd, 200, NULL);
    sd.permanent = 1;
    expect(fx, sd, 200, NULL);
    assert_string_equal(sl_reg_schema_text(s), REC_A);
    sl_reg_schema_put(s);
}

static void test_subjects_listing(void **state)
{
    fx_t *fx = *state;
    reg_schema(fx, "b-value", REC_A, NULL);
    reg_schema(fx, "a-value", REC_A, NULL);
    reg_schema(fx, "a-key", "\"string\"", NULL);
    expect(fx, rq(SL_REGOP_SUBJECTS, NULL, NULL, NULL), 200, "[\"a-key\",\"a-value\",\"b-value\"]");
    sl_reg_req_t p = rq(SL_REGOP_SUBJECTS, NULL, NULL, NULL);
    p.prefix = "a-";
    expect(fx, p, 200, "[\"a-key\",\"a-value\"]");
    expect(fx, rq(SL_REGOP_SCHEMA_TYPES, NULL, NULL, NULL), 200, "[\"AVRO\",\"JSON\"]");
    expect(fx, rq(SL_REGOP_ROOT, NULL, NULL, NULL), 200, "{}");
    /* subjects with characters that need escaping in URLs and JSON */
    assert_int_equal(reg_schema(fx, "a/b \"q\" \xc3\xa9", "\"string\"", NULL), 2);
    expect(fx, rq(SL_REGOP_VERSIONS, "a/b \"q\" \xc3\xa9", NULL, NULL), 200, "[1]");
    expect_err(fx, rq(SL_REGOP_REGISTER, "bad\xff", NULL, "{\"schema\":\"\\\"int\\\"\"}"), 422,
               42208);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_and_get, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_same_schema_same_id, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_normalize, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_lookup, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_avro_references, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_compat_levels, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_compat_transitive, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_compat_json, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_soft_and_permanent_delete, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_ids_never_reused, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_soft_deleted_same_id_reregistered, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_config, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_mode, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_apply_foreign_records, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_validator_lookups, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_subjects_listing, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
