/*
 * jsonschema.h — JSON Schema in serde/: parse a schema, compare two schemas by Confluent's
 * compatibility rules. Included by serde/serde.h; include that one.
 *
 * Invariants: a parsed sl_jsonschema_t is immutable, any number of threads may read it at once;
 * parsing and comparison are bounded (depth, work) so hostile registry input cannot exhaust
 * the stack or the CPU.
 */
#ifndef SL_SERDE_JSONSCHEMA_H
#define SL_SERDE_JSONSCHEMA_H

#include <stddef.h>

/* Deepest nesting of schemas (properties -> items -> oneOf branch ...) a JSON Schema may have. */
#define SL_JSONSCHEMA_MAX_DEPTH 64

/* A parsed JSON Schema (drafts 4, 6, 7, 2019-09, 2020-12; "$schema" picks, draft 7 when
 * absent). Opaque, immutable once parsed: any number of threads may read it at once. */
typedef struct sl_jsonschema_s sl_jsonschema_t;

/*
 * Parses the JSON Schema in json[0..len) (an object, or a boolean from draft 6 on) and checks
 * its keywords have sane types and values; local "$ref"s ("#", "#/definitions/x") resolve.
 * Returns SL_OK and *schema_out (free with sl_jsonschema_free), or
 *   SL_INVAL  not JSON, or not a valid schema (unknown type name, bad keyword value, a $ref
 *             that does not resolve ...),
 *   SL_UNSUPP a $ref that is not local (registry schema references: not supported yet),
 *   SL_TOOBIG schemas nested deeper than SL_JSONSCHEMA_MAX_DEPTH,
 *   SL_NOMEM,
 * with a reason in err (printable ASCII, NUL-terminated, truncated to fit), prefixed by the
 * path of the offending part, e.g. "properties/age/minimum: minimum must be a number".
 * @locality any thread
 */
int sl_jsonschema_parse(const char *json, size_t len, sl_jsonschema_t **schema_out, char *err,
                        size_t err_size);

/* Frees a schema from sl_jsonschema_parse. NULL is fine. */
void sl_jsonschema_free(sl_jsonschema_t *schema);

/* One change between two JSON Schemas, as Confluent's SchemaDiff names it. */
typedef struct sl_jsonschema_change_s {
    const char *type;   /* Confluent's Difference.Type, e.g. "TYPE_CHANGED"; static */
    char *path;         /* owned; where, as Confluent writes it: "#/properties/foo" */
    int compatible;     /* 1 when Confluent counts this change as backward compatible */
    const char *reason; /* short explanation; static */
} sl_jsonschema_change_t;

/* The outcome of sl_jsonschema_compat. */
typedef struct sl_jsonschema_report_s {
    int compatible;                  /* 1: no change breaks reading old data */
    sl_jsonschema_change_t *changes; /* owned; every change found, compatible ones too */
    size_t n_changes;                /* entries in changes */
} sl_jsonschema_report_t;

/*
 * Can data valid under `writer` (the original, older schema) be read with `reader` (the
 * update)? Confluent's JSON Schema rules (SchemaDiff: BACKWARD compatibility of reader against
 * writer); FORWARD is the same call with the arguments swapped. Both schemas are borrowed and
 * may be the same object.
 * Returns SL_OK with *out filled (free with sl_jsonschema_report_free), or
 *   SL_TOOBIG the pair needs more comparison work than allowed (hostile input),
 *   SL_UNSUPP a patternProperties pattern the POSIX matcher cannot compile was needed,
 *   SL_NOMEM;
 * on failure *out is zeroed and owns nothing.
 * @locality any thread
 */
int sl_jsonschema_compat(const sl_jsonschema_t *reader, const sl_jsonschema_t *writer,
                         sl_jsonschema_report_t *out);

/* Frees what a report owns and zeroes it (safe on a zeroed report). */
void sl_jsonschema_report_free(sl_jsonschema_report_t *report);

#endif
