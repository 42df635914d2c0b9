/*
 * validate.c — produce-time schema enforcement: the registry's side of the broker's record
 * validator hook (see validate.h for what is checked and broker/validate.h for the contract).
 *
 * Every message names the side and the schema id, and the subject where one is involved, so
 * that a producer reading the record_errors of a Produce response (or an operator reading the
 * broker's log) knows what to fix:
 *   "value has no Confluent wire-format framing: it starts with byte 0x7b, not magic byte 0
 *    followed by a schema id"
 *   "value schema id 42 is not known to the schema registry"
 *   "value schema id 42 is not registered under subject 'orders-value' (TopicNameStrategy)"
 *   "value does not match schema id 42 (AVRO): fields[1]: negative string length -2"
 *   "value does not match schema id 7 (JSON): /amount: "lots" is not of type number"
 *
 * Full mode costs: Avro goes through sl_avro_datum_check (no allocation, one pass over the
 * bytes); JSON is parsed with jansson and validated (allocates the document tree), both bounded
 * by serde/ against hostile input.
 *
 * @locality any thread
 */
#include "registry/validate.h"
#include "common/buf.h"
#include "common/err.h"
#include "registry/registry.h"
#include "serde/serde.h"

#include <stdio.h>
#include <string.h>

/* The Confluent wire format: magic byte 0 and a 4-byte big-endian schema id. */
#define FRAME_MAGIC 0
#define FRAME_SIZE  5

/* Longest subject built here: a topic (249) + '-' + an Avro full name (SL_AVRO_MAX_NAME). */
#define SUBJECT_MAX (249 + 1 + SL_AVRO_MAX_NAME + 1)

/* Copy s for a message: printable ASCII only, at most n bytes (JSON titles are free text). */
static void printable(char *dst, size_t n, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[i] = 0;
}

/*
 * Does payload[0..len) conform to the schema? SL_OK, or SL_INVAL / SL_UNSUPP with the reason
 * in why. Full mode only.
 */
static int check_payload(const sl_reg_schema_t *schema, int32_t id, const char *side,
                         const uint8_t *payload, size_t len, char *why, size_t why_size)
{
    const char *type = sl_reg_schema_type(schema);
    const sl_avro_schema_t *avro = sl_reg_schema_avro(schema);
    char err[200];
    const sl_jsonschema_t *js = sl_reg_schema_json(schema);
    int rc;
    if (avro) {
        /* Allocation-free, bounded decoder walk; the datum must end at the last byte. */
        rc = sl_avro_datum_check(avro, payload, len, err, sizeof err);
        if (rc == SL_OK) return SL_OK;
        snprintf(why, why_size, "%s does not match schema id %d (AVRO): %s", side, id, err);
        return SL_INVAL;
    }
    if (js) {
        /* Confluent's JSON Schema serializer writes the document as UTF-8 text. Parsing and
         * validation are bounded in depth and work (serde/jsonschema.h). */
        rc = sl_jsonschema_validate_text(js, (const char *)payload, len, err, sizeof err);
        if (rc == SL_OK) return SL_OK;
        if (rc == SL_UNSUPP) {
            snprintf(why, why_size,
                     "%s schema id %d (JSON) cannot be used for full validation: %s "
                     "(set sluice.%s.schema.validation.mode=id)",
                     side, id, err, side);
            return SL_UNSUPP;
        }
        if (rc == SL_TOOBIG)
            snprintf(why, why_size,
                     "%s is too deep or too costly to validate against schema id "
                     "%d (JSON): %s",
                     side, id, err);
        else if (rc == SL_INVAL)
            snprintf(why, why_size, "%s does not match schema id %d (JSON): %s", side, id, err);
        else
            snprintf(why, why_size, "%s could not be validated against schema id %d (JSON): %s",
                     side, id, sl_err_msg(rc));
        return SL_INVAL;
    }
    snprintf(why, why_size,
             "%s schema id %d is a %s schema: full validation of %s is not supported yet "
             "(set sluice.%s.schema.validation.mode=id)",
             side, id, type, type, side);
    return SL_UNSUPP;
}

int sl_registry_validate_record(void *opaque, const sl_val_record_t *rec, char *why,
                                size_t why_size)
{
    sl_registry_t *reg = opaque;
    int key = rec->side == SL_VAL_KEY;
    const char *side = key ? "key" : "value";
    const uint8_t *p = key ? rec->key : rec->value;
    int32_t len = key ? rec->key_len : rec->value_len;

    if (len < 0) return SL_OK; /* null: the broker does not ask, but a null passes anyway */
    if (len < FRAME_SIZE) {
        snprintf(why, why_size,
                 "%s is %d bytes, too short for the Confluent wire format (magic byte 0 and a "
                 "4-byte schema id)",
                 side, len);
        return SL_INVAL;
    }
    if (p[0] != FRAME_MAGIC) {
        snprintf(why, why_size,
                 "%s has no Confluent wire-format framing: it starts with byte 0x%02x, not "
                 "magic byte 0 followed by a schema id",
                 side, p[0]);
        return SL_INVAL;
    }
    int32_t id = (int32_t)sl_be32(p + 1);
    sl_val_memo_t *memo = rec->memo;
    int subject_ok = memo && memo->have_ok && memo->ok_id == id;
    if (subject_ok && rec->mode == SL_VAL_MODE_ID) return SL_OK;

    if (!sl_registry_ready(reg)) {
        snprintf(why, why_size,
                 "the schema registry is still loading its schemas, so records of topic %s "
                 "cannot be validated yet; retry",
                 rec->topic);
        return SL_AGAIN;
    }
    sl_reg_schema_t *schema = NULL;
    if (sl_registry_schema_get(reg, id, &schema) != SL_OK || !schema) {
        snprintf(why, why_size, "%s schema id %d is not known to the schema registry", side, id);
        return SL_INVAL;
    }

    int rc = SL_OK;
    if (!subject_ok) {
        char subject[SUBJECT_MAX];
        const char *rname = NULL;
        int n = 0;
        if (rec->strategy != SL_VAL_TOPIC_NAME) {
            rname = sl_reg_schema_record_name(schema);
            if (!rname || !*rname) {
                snprintf(why, why_size,
                         "%s schema id %d (%s) has no record name (an Avro named type, a JSON "
                         "Schema \"title\"), which %s needs to name the subject",
                         side, id, sl_reg_schema_type(schema), sl_val_strategy_name(rec->strategy));
                rc = SL_INVAL;
                goto done;
            }
        }
        switch (rec->strategy) {
        case SL_VAL_TOPIC_NAME:
            n = snprintf(subject, sizeof subject, "%s-%s", rec->topic, side);
            break;
        case SL_VAL_RECORD_NAME:
            n = snprintf(subject, sizeof subject, "%s", rname);
            break;
        case SL_VAL_TOPIC_RECORD_NAME:
            n = snprintf(subject, sizeof subject, "%s-%s", rec->topic, rname);
            break;
        }
        if (n < 0 || (size_t)n >= sizeof subject) {
            snprintf(why, why_size, "%s schema id %d: the subject name would be too long", side,
                     id);
            rc = SL_INVAL;
            goto done;
        }
        if (!sl_registry_subject_has_id(reg, subject, id)) {
            char shown[160];
            printable(shown, sizeof shown, subject);
            snprintf(why, why_size, "%s schema id %d is not registered under subject '%s' (%s)",
                     side, id, shown, sl_val_strategy_name(rec->strategy));
            rc = SL_INVAL;
            goto done;
        }
    }
    if (rec->mode == SL_VAL_MODE_FULL)
        rc = check_payload(schema, id, side, p + FRAME_SIZE, (size_t)len - FRAME_SIZE, why,
                           why_size);
    if (memo) { /* the id is registered under the subject, whatever the payload said */
        memo->have_ok = 1;
        memo->ok_id = id;
    }
done:
    sl_reg_schema_put(schema);
    return rc;
}
