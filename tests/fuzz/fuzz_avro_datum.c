/*
 * fuzz_avro_datum.c — Avro binary data from producers (the broker's "full" validation) and from
 * topics (the SQL engine): arbitrary bytes through sl_avro_datum_check, sl_avro_decode (both
 * JSON shapes), sl_avro_encode and sl_avro_decode_resolved.
 *
 * Input layout:
 *   byte 0      schema selector: (byte 0 % N_SCHEMAS) picks one of the built-in writer
 *               schemas below (a record of every type, recursive lists and trees, a record
 *               that contains itself, zero-size items, logical types ...), each paired with
 *               an evolved reader schema for resolution; 0xff instead means "the schema
 *               follows": bytes 1 .. the first '\n' are schema JSON text (writer = reader);
 *               0xfe the same, parsed with all built-in writer schemas as references
 *               (sl_avro_schema_parse_refs: their named types LongList, Node, f.Suit ...
 *               may be used by name)
 *   the rest    the datum
 *
 * Checks, beyond "no crash, no leak, no UB":
 *   - check and decode agree: the datum passes sl_avro_datum_check iff it decodes in the
 *     specification's shape (same rules, same bounds);
 *   - rejections leave a NUL-terminated message of printable ASCII;
 *   - a decoded value (specification's shape) encodes again, and the bytes decode to the same
 *     value (the bytes themselves may differ: non-minimal varints, block layout, repeated map
 *     keys);
 *   - when sl_avro_compat says the reader can read the writer, a datum that passes the check
 *     also decodes with resolution (unless a bound of the resolver's own is hit);
 *   - a schema parsed with references has a canonical form that parses on its own to the
 *     same fingerprint (unless flagged lossy, see fuzz_avro_schema.c).
 * Any violation abort()s. Corpus: tests/fuzz/corpus/avro_datum/.
 */
#include "common/buf.h"
#include "common/err.h"
#include "serde/serde.h"
#include "serde/serde_int.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writer schema and a reader schema to resolve it with. */
static const struct {
    const char *writer;
    const char *reader;
} schemas[] = {
    /* 0: every type */
    {"{\"type\":\"record\",\"name\":\"All\",\"namespace\":\"f\",\"fields\":["
     "{\"name\":\"n\",\"type\":\"null\"},{\"name\":\"t\",\"type\":\"boolean\"},"
     "{\"name\":\"i\",\"type\":\"int\"},{\"name\":\"l\",\"type\":\"long\"},"
     "{\"name\":\"f\",\"type\":\"float\"},{\"name\":\"d\",\"type\":\"double\"},"
     "{\"name\":\"by\",\"type\":\"bytes\"},{\"name\":\"s\",\"type\":\"string\"},"
     "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"Suit\",\"symbols\":[\"S\",\"H\","
     "\"D\",\"C\"]}},"
     "{\"name\":\"fx\",\"type\":{\"type\":\"fixed\",\"name\":\"F3\",\"size\":3}},"
     "{\"name\":\"ar\",\"type\":{\"type\":\"array\",\"items\":\"Suit\"}},"
     "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":[\"null\",\"F3\",\"double\","
     "\"string\"]}},"
     "{\"name\":\"u\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"In\",\"fields\":["
     "{\"name\":\"q\",\"type\":\"int\"}]}]}]}",
     "{\"type\":\"record\",\"name\":\"Everything\",\"namespace\":\"g\",\"aliases\":[\"f.All\"],"
     "\"fields\":["
     "{\"name\":\"i\",\"type\":\"double\"},{\"name\":\"l\",\"type\":\"float\"},"
     "{\"name\":\"f2\",\"aliases\":[\"f\"],\"type\":\"double\"},"
     "{\"name\":\"by\",\"type\":\"string\"},{\"name\":\"s\",\"type\":\"bytes\"},"
     "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"Suit\",\"aliases\":[\"f.Suit\"],"
     "\"symbols\":[\"C\",\"S\",\"X\"],\"default\":\"X\"}},"
     "{\"name\":\"ar\",\"type\":{\"type\":\"array\",\"items\":\"Suit\"}},"
     "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":[\"string\",\"null\",{\"type\":"
     "\"fixed\",\"name\":\"F3\",\"aliases\":[\"f.F3\"],\"size\":3},\"double\"]}},"
     "{\"name\":\"added\",\"type\":{\"type\":\"array\",\"items\":\"int\"},\"default\":[1,2,3]},"
     "{\"name\":\"u\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"In\",\"aliases\":"
     "[\"f.In\"],\"fields\":[{\"name\":\"q\",\"type\":\"long\"},{\"name\":\"r\",\"type\":"
     "[\"null\",\"string\"],\"default\":null}]}]}]}"},
    /* 1: a recursive list */
    {"{\"type\":\"record\",\"name\":\"LongList\",\"fields\":[{\"name\":\"value\",\"type\":"
     "\"long\"},{\"name\":\"next\",\"type\":[\"null\",\"LongList\"]}]}",
     "{\"type\":\"record\",\"name\":\"LongList\",\"fields\":[{\"name\":\"value\",\"type\":"
     "\"double\"},{\"name\":\"next\",\"type\":[\"null\",\"LongList\"]},{\"name\":\"tag\","
     "\"type\":\"string\",\"default\":\"t\"}]}"},
    /* 2: a union of many kinds */
    {"[\"null\",\"int\",\"string\",{\"type\":\"array\",\"items\":{\"type\":\"map\",\"values\":"
     "\"bytes\"}}]",
     "[\"string\",\"long\",\"null\",{\"type\":\"array\",\"items\":{\"type\":\"map\",\"values\":"
     "\"string\"}}]"},
    /* 3: zero-size items */
    {"{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Z\",\"fields\":[{\"name\":"
     "\"n\",\"type\":\"null\"},{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"F0\","
     "\"size\":0}}]}}",
     "{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Z\",\"fields\":[{\"name\":"
     "\"n\",\"type\":\"null\"}]}}"},
    /* 4: logical types */
    {"{\"type\":\"record\",\"name\":\"Lg\",\"fields\":["
     "{\"name\":\"d\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":20,"
     "\"scale\":4}},"
     "{\"name\":\"fd\",\"type\":{\"type\":\"fixed\",\"name\":\"D5\",\"size\":5,\"logicalType\":"
     "\"decimal\",\"precision\":11,\"scale\":11}},"
     "{\"name\":\"day\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}},"
     "{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}},"
     "{\"name\":\"id\",\"type\":{\"type\":\"string\",\"logicalType\":\"uuid\"}},"
     "{\"name\":\"dur\",\"type\":{\"type\":\"fixed\",\"name\":\"Dur\",\"size\":12,"
     "\"logicalType\":\"duration\"}}]}",
     "{\"type\":\"record\",\"name\":\"Lg\",\"fields\":["
     "{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
     "{\"name\":\"d\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":30,"
     "\"scale\":2}}]}"},
    /* 5: a tree */
    {"{\"type\":\"record\",\"name\":\"Node\",\"fields\":[{\"name\":\"label\",\"type\":\"string\"},"
     "{\"name\":\"kids\",\"type\":{\"type\":\"array\",\"items\":\"Node\"}},"
     "{\"name\":\"attrs\",\"type\":{\"type\":\"map\",\"values\":[\"null\",\"Node\"]}}]}",
     "{\"type\":\"record\",\"name\":\"Node\",\"fields\":[{\"name\":\"kids\",\"type\":{\"type\":"
     "\"array\",\"items\":\"Node\"}},{\"name\":\"label\",\"type\":[\"null\",\"string\"]}]}"},
    /* 6: a record that contains itself (no finite datum exists) */
    {"{\"type\":\"record\",\"name\":\"Self\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"},"
     "{\"name\":\"me\",\"type\":\"Self\"}]}",
     "{\"type\":\"record\",\"name\":\"Self\",\"fields\":[{\"name\":\"me\",\"type\":\"Self\"}]}"},
    /* 7: nested maps and arrays of unions */
    {"{\"type\":\"map\",\"values\":{\"type\":\"array\",\"items\":[\"null\",\"boolean\","
     "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]},\"float\"]}}",
     "{\"type\":\"map\",\"values\":{\"type\":\"array\",\"items\":[\"double\",\"null\","
     "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"B\"],\"default\":\"B\"},\"boolean\"]}}"},
};

#define N_SCHEMAS (sizeof schemas / sizeof *schemas)

static sl_avro_schema_t *writers[N_SCHEMAS];
static sl_avro_schema_t *readers[N_SCHEMAS];
static int compatible[N_SCHEMAS];

static void check_message(const char *err, size_t err_size)
{
    size_t n = strnlen(err, err_size);
    if (n == err_size || n == 0) abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] > 0x7e) abort();
}

static void setup(void)
{
    for (size_t i = 0; i < N_SCHEMAS; i++) {
        if (sl_avro_schema_parse(schemas[i].writer, strlen(schemas[i].writer), &writers[i], NULL,
                                 0) != SL_OK ||
            sl_avro_schema_parse(schemas[i].reader, strlen(schemas[i].reader), &readers[i], NULL,
                                 0) != SL_OK)
            abort();
        sl_avro_compat_report_t rep = {0};
        if (sl_avro_compat(readers[i], writers[i], &rep) != SL_OK) abort();
        compatible[i] = rep.compatible;
        sl_avro_compat_report_free(&rep);
    }
}

/* Whether two decoded values are equal. json_equal would do, but it looks object keys up as
 * C strings, and map keys may contain NUL. */
static int same(const json_t *a, const json_t *b)
{
    if (json_typeof(a) != json_typeof(b)) return 0;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b)) return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same(json_array_get(a, i), json_array_get(b, i))) return 0;
        return 1;
    }
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b)) return 0;
        for (void *it = json_object_iter((json_t *)a); it;
             it = json_object_iter_next((json_t *)a, it)) {
            json_t *w = json_object_getn(b, json_object_iter_key(it), json_object_iter_key_len(it));
            if (!w || !same(json_object_iter_value(it), w)) return 0;
        }
        return 1;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

static void run(const sl_avro_schema_t *w, const sl_avro_schema_t *r, int compat,
                const uint8_t *datum, size_t len)
{
    char err[200];
    int ok = sl_avro_datum_check(w, datum, len, err, sizeof err) == SL_OK;
    if (!ok) check_message(err, sizeof err);

    json_t *spec = NULL;
    int rc = sl_avro_decode(w, datum, len, SL_AVRO_JSON_SPEC, &spec, err, sizeof err);
    if ((rc == SL_OK) != ok) abort();
    if (rc != SL_OK) {
        if (rc != SL_INVAL || spec) abort();
        check_message(err, sizeof err);
    }

    json_t *plain = NULL;
    rc = sl_avro_decode(w, datum, len, SL_AVRO_JSON_PLAIN, &plain, err, sizeof err);
    if (rc != SL_OK) check_message(err, sizeof err);
    if (rc == SL_OK) {
        /* Plain values need not re-encode to the same branch (float vs double ...): only
         * exercised. */
        sl_buf_t b;
        sl_buf_init(&b);
        if (sl_avro_encode(w, plain, SL_AVRO_JSON_PLAIN, &b, err, sizeof err) != SL_OK)
            check_message(err, sizeof err);
        sl_buf_free(&b);
        json_decref(plain);
    }

    if (spec) {
        sl_buf_t b;
        sl_buf_init(&b);
        if (sl_avro_encode(w, spec, SL_AVRO_JSON_SPEC, &b, err, sizeof err) != SL_OK) abort();
        json_t *again = NULL;
        if (sl_avro_decode(w, b.data, b.len, SL_AVRO_JSON_SPEC, &again, err, sizeof err) != SL_OK)
            abort();
        if (!same(spec, again)) abort();
        json_decref(again);
        sl_buf_free(&b);
        json_decref(spec);
    }

    json_t *res = NULL;
    rc = sl_avro_decode_resolved(r, w, datum, len, SL_AVRO_JSON_SPEC, &res, err, sizeof err);
    if (rc == SL_OK) {
        json_decref(res);
    } else {
        check_message(err, sizeof err);
        /* The specification's promise: a compatible reader reads every valid datum. */
        if (compat && ok && !strstr(err, "nested deeper") && !strstr(err, "zero-size") &&
            !strstr(err, "UTF-8") && !strstr(err, "defaults add up"))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size == 0) return 0;
    if (data[0] != 0xff && data[0] != 0xfe) {
        size_t i = data[0] % N_SCHEMAS;
        run(writers[i], readers[i], compatible[i], data + 1, size - 1);
        return 0;
    }
    const uint8_t *nl = memchr(data + 1, '\n', size - 1);
    if (!nl) return 0;
    sl_avro_schema_t *s = NULL;
    char err[200];
    const char *text = (const char *)data + 1;
    size_t text_len = (size_t)(nl - data - 1);
    int rc = data[0] == 0xff ? sl_avro_schema_parse(text, text_len, &s, err, sizeof err)
                             : sl_avro_schema_parse_refs(text, text_len,
                                                         (const sl_avro_schema_t *const *)writers,
                                                         N_SCHEMAS, &s, err, sizeof err);
    if (rc != SL_OK) {
        if (s) abort();
        check_message(err, sizeof err);
        return 0;
    }
    if (data[0] == 0xfe && !s->canonical_lossy) {
        sl_avro_schema_t *again = NULL;
        size_t len;
        const char *pcf = sl_avro_canonical(s, &len);
        if (sl_avro_schema_parse(pcf, len, &again, NULL, 0) != SL_OK) abort();
        if (sl_avro_fingerprint64(again) != sl_avro_fingerprint64(s)) abort();
        sl_avro_schema_free(again);
    }
    run(s, s, 1, nl + 1, size - (size_t)(nl + 1 - data));
    sl_avro_schema_free(s);
    return 0;
}
