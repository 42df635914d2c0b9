/*
 * fuzz_jsonschema.c — JSON Schema text from registry clients and JSON records from producers:
 * the input is SCHEMA [0x00 DOCUMENT]; the schema goes through sl_jsonschema_parse, is
 * compared with itself (sl_jsonschema_compat) and, when a document follows, the document is
 * validated against it (plain and with format assertion). Checks, beyond "no crash, no leak,
 * no UB, no hang":
 *   - every message is NUL-terminated printable ASCII (they go into 422 bodies and Kafka
 *     error messages), and a success leaves none;
 *   - statuses are among the documented ones;
 *   - a schema is compatible with itself;
 *   - validation is deterministic, and validating through a Confluent reference
 *     ({"$ref": "s.json"} with the schema registered as "s.json") gives the same verdict.
 * Any violation abort()s. Corpus: tests/fuzz/corpus/jsonschema/ (hand-written pairs).
 */
#include "common/err.h"
#include "serde/serde.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const char *err, size_t err_size, int rc)
{
    size_t n = strnlen(err, err_size);
    if (n == err_size) abort();
    if ((rc == SL_OK) != (n == 0)) abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] > 0x7e) abort();
}

static int validate(const sl_jsonschema_t *s, const char *doc, size_t len, unsigned flags)
{
    char err[300];
    int rc = sl_jsonschema_validate_text_ex(s, doc, len, flags, err, sizeof err);
    if (rc != SL_OK && rc != SL_INVAL && rc != SL_UNSUPP && rc != SL_TOOBIG && rc != SL_NOMEM)
        abort();
    check_message(err, sizeof err, rc);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const uint8_t *sep = memchr(data, 0, size);
    size_t slen = sep ? (size_t)(sep - data) : size;
    char err[300];
    sl_jsonschema_t *s = NULL;
    int rc = sl_jsonschema_parse(text, slen, &s, err, sizeof err);
    if (rc != SL_OK) {
        if (s) abort();
        if (rc != SL_INVAL && rc != SL_UNSUPP && rc != SL_TOOBIG && rc != SL_NOMEM) abort();
        check_message(err, sizeof err, -1);
        return 0;
    }

    sl_jsonschema_report_t r;
    rc = sl_jsonschema_compat(s, s, &r);
    if (rc == SL_OK) {
        if (!r.compatible) abort();
        for (size_t i = 0; i < r.n_changes; i++)
            if (!r.changes[i].type || !r.changes[i].path || !r.changes[i].reason) abort();
    } else if (rc != SL_TOOBIG && rc != SL_UNSUPP && rc != SL_NOMEM) {
        abort();
    }
    sl_jsonschema_report_free(&r);

    rc = sl_jsonschema_can_validate(s, err, sizeof err);
    check_message(err, sizeof err, rc);

    if (sep) {
        const char *doc = (const char *)sep + 1;
        size_t dlen = size - slen - 1;
        int v1 = validate(s, doc, dlen, 0);
        if (validate(s, doc, dlen, 0) != v1) abort();
        /* (no ordering between the two: under oneOf or not, a format failure can make the
         * whole document valid) */
        validate(s, doc, dlen, SL_JSONSCHEMA_ASSERT_FORMAT);

        sl_jsonschema_ref_t ref = {"s.json", s};
        sl_jsonschema_t *w = NULL;
        static const char wrapper[] = "{\"$ref\": \"s.json\"}";
        rc = sl_jsonschema_parse_refs(wrapper, sizeof wrapper - 1, &ref, 1, &w, err, sizeof err);
        if (rc == SL_OK) {
            int v3 = validate(w, doc, dlen, 0);
            if (v3 != v1 && v1 != SL_TOOBIG && v3 != SL_TOOBIG) abort();
            sl_jsonschema_free(w);
        } else if (rc != SL_NOMEM) {
            abort(); /* s itself parsed, so a reference to it must */
        }
    }
    sl_jsonschema_free(s);
    return 0;
}
