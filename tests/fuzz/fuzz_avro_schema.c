/*
 * fuzz_avro_schema.c — Avro schema text from registry clients: arbitrary bytes through
 * sl_avro_schema_parse. Checks, beyond "no crash, no leak, no UB":
 *   - a rejection leaves a NUL-terminated message of printable ASCII (it goes into 422 bodies);
 *   - an accepted schema's Parsing Canonical Form is no larger than the bound in serde.h, and
 *     parses again to the same canonical form and fingerprint (PCF is a fixed point) — unless
 *     the parser flagged it canonical_lossy (a null-namespace type inside a namespaced one,
 *     which the specification's PCF cannot express); then re-parsing must merely not crash.
 * Any violation abort()s. Corpus: tests/fuzz/corpus/avro_schema/ (hand-written schemas).
 */
#include "common/err.h"
#include "serde/serde.h"
#include "serde/serde_int.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const char *err, size_t err_size)
{
    size_t n = strnlen(err, err_size);
    if (n == err_size) abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] > 0x7e) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[200];
    sl_avro_schema_t *s = NULL;
    int rc = sl_avro_schema_parse((const char *)data, size, &s, err, sizeof err);
    if (rc != SL_OK) {
        if (s) abort();
        check_message(err, sizeof err);
        return 0;
    }
    size_t len;
    const char *pcf = sl_avro_canonical(s, &len);
    if (len != strlen(pcf) || len > SL_AVRO_MAX_CANONICAL) abort();
    sl_avro_schema_t *again = NULL;
    if (s->canonical_lossy) {
        if (sl_avro_schema_parse(pcf, len, &again, err, sizeof err) != SL_OK)
            check_message(err, sizeof err);
        sl_avro_schema_free(again);
        sl_avro_schema_free(s);
        return 0;
    }
    if (sl_avro_schema_parse(pcf, len, &again, err, sizeof err) != SL_OK) abort();
    size_t len2;
    const char *pcf2 = sl_avro_canonical(again, &len2);
    if (len2 != len || memcmp(pcf, pcf2, len) != 0) abort();
    if (sl_avro_fingerprint64(again) != sl_avro_fingerprint64(s)) abort();
    if (sl_avro_fingerprint64(s) != sl_avro_crc64(pcf, len)) abort();
    const char *n1 = sl_avro_schema_name(s), *n2 = sl_avro_schema_name(again);
    if ((n1 == NULL) != (n2 == NULL) || (n1 && strcmp(n1, n2) != 0)) abort();
    sl_avro_schema_free(again);
    sl_avro_schema_free(s);
    return 0;
}
