/*
 * serde.h — the public interface of serde/: schemas and the data they describe.
 *
 * Avro schemas: parse and validate a schema (JSON text), its Parsing Canonical Form (PCF) and
 * CRC-64-AVRO fingerprint as the Avro specification defines them ("Parsing Canonical Form for
 * Schemas", "Schema Fingerprints"), and compatibility between two schemas. JSON Schema lives in
 * serde/jsonschema.h, included at the end.
 *
 * Invariants:
 * - A parsed sl_avro_schema_t is immutable; any number of threads may read it at once.
 *   @locality any thread (no global state besides a once-initialised fingerprint table).
 * - Parsing is bounded, so hostile input (a registry request body) cannot exhaust the stack or
 *   make the canonical form explode: nesting deeper than SL_AVRO_MAX_DEPTH, full names longer
 *   than SL_AVRO_MAX_NAME bytes and canonical forms larger than SL_AVRO_MAX_CANONICAL bytes are
 *   refused with SL_TOOBIG.
 * - The canonical form is for comparing and fingerprinting, not for storing: when a type in
 *   the null namespace sits inside a namespaced one, the specification's PCF writes its bare
 *   name, which re-parses into the enclosing namespace. Keep the schema text as given.
 * - Validation follows the specification where it is stricter than avro-c (which accepts
 *   duplicate fields and symbols, duplicate union branches, bad defaults, negative sizes, bad
 *   namespaces ...); where the specification is silent it follows Apache Avro's Java parser,
 *   which Confluent's registry uses (e.g. a short name that is not found in the enclosing
 *   namespace is looked up in the null namespace).
 */
#ifndef SL_SERDE_H
#define SL_SERDE_H

#include <stddef.h>
#include <stdint.h>

/* Deepest nesting of schemas (record -> field type -> array items -> union branch ...). */
#define SL_AVRO_MAX_DEPTH 64
/* Longest full name of a named type, in bytes. */
#define SL_AVRO_MAX_NAME 1024
/* Largest Parsing Canonical Form, in bytes (references to long names can make it grow). */
#define SL_AVRO_MAX_CANONICAL (16u << 20)

/* A parsed, validated Avro schema. Opaque; internals for serde/ itself are in serde_int.h. */
typedef struct sl_avro_schema_s sl_avro_schema_t;

/*
 * Parses and validates the Avro schema in json[0..len) (UTF-8 JSON text: a string, object or
 * array at top level).
 * Returns SL_OK and *schema_out (free with sl_avro_schema_free), or
 *   SL_INVAL  not JSON, or not a valid Avro schema,
 *   SL_TOOBIG beyond one of the bounds above,
 *   SL_NOMEM  out of memory,
 * with a human-readable reason in err (when err_size > 0; always NUL-terminated, truncated to
 * fit), prefixed by the JSON path of the offending part where there is one, e.g.
 *   "fields[2].type: unknown type 'strin'".
 * The message contains printable ASCII only (anything else from the input is shown as '?'), so
 * it can go into a JSON error response as is.
 */
int sl_avro_schema_parse(const char *json, size_t len, sl_avro_schema_t **schema_out, char *err,
                         size_t err_size);

/* Frees a schema from sl_avro_schema_parse. NULL is fine. */
void sl_avro_schema_free(sl_avro_schema_t *schema);

/*
 * The schema's Parsing Canonical Form: NUL-terminated UTF-8, borrowed (lives as long as the
 * schema). *len_out (if not NULL) gets its length without the NUL.
 */
const char *sl_avro_canonical(const sl_avro_schema_t *schema, size_t *len_out);

/* CRC-64-AVRO (64-bit Rabin) fingerprint of the schema's Parsing Canonical Form. */
uint64_t sl_avro_fingerprint64(const sl_avro_schema_t *schema);

/* CRC-64-AVRO of arbitrary bytes (the specification's fingerprint64 over buf[0..len)). */
uint64_t sl_avro_crc64(const void *buf, size_t len);

/*
 * Full name of the top-level type when it is a named type (record, error, enum, fixed), e.g.
 * "com.example.User" — what RecordNameStrategy uses as subject; NULL for any other schema.
 * Borrowed.
 */
const char *sl_avro_schema_name(const sl_avro_schema_t *schema);

/* ---- Avro schema compatibility (serde/avro_compat.c) ---- */

/*
 * Why one schema cannot read data written with another: Apache Avro Java's
 * SchemaCompatibility.SchemaIncompatibilityType, which Confluent's registry reports as
 * "errorType", plus one of Sluice's own (see sl_avro_compat).
 */
typedef enum sl_avro_incompat_e {
    SL_AVRO_NAME_MISMATCH,                      /* named types' names (and reader aliases) differ */
    SL_AVRO_FIXED_SIZE_MISMATCH,                /* fixed sizes differ */
    SL_AVRO_MISSING_ENUM_SYMBOLS,               /* writer symbols the reader lacks, no default */
    SL_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE, /* reader field not in writer and no default */
    SL_AVRO_TYPE_MISMATCH,                      /* types that no promotion connects */
    SL_AVRO_MISSING_UNION_BRANCH,               /* no reader branch can read a writer branch */
    SL_AVRO_READER_FIELD_AMBIGUOUS              /* Sluice: reader field (by name or aliases)
                                                   matches several writer fields */
} sl_avro_incompat_t;

/* One incompatibility. */
typedef struct sl_avro_compat_issue_s {
    sl_avro_incompat_t type; /* why */
    char *location;          /* owned; JSON pointer into the reader schema's JSON as Java
                                writes it: "/" (root), "/fields/0/type", "/fields/2/type/1",
                                "/name", "/symbols", "/size" */
    char *message;           /* owned; Java's getMessage() ("additionalInfo" in Confluent's
                                output): "reader type: STRING not compatible with writer type:
                                INT", the field name, "[B, C]", "expected: x.Y",
                                "expected: 16, found: 8", "reader union lacking writer type:
                                LONG" */
    int reader_is_new;       /* the reader was the schema being registered (BACKWARD direction);
                                picks "new"/"old" in sl_avro_compat_describe */
    size_t existing_index;   /* sl_avro_compat_check: index in existing[] of the schema
                                involved; 0 for sl_avro_compat */
} sl_avro_compat_issue_t;

/* Largest number of issues kept in one report (the verdict stays exact beyond it). */
#define SL_AVRO_COMPAT_MAX_ISSUES 100

/* The outcome of a compatibility check. Zero-initialise before the first use. */
typedef struct sl_avro_compat_report_s {
    int compatible;                 /* 1: every datum of the writer(s) reads; 0: not */
    sl_avro_compat_issue_t *issues; /* owned; empty when compatible */
    size_t n_issues;                /* entries in issues */
    int truncated;                  /* more issues existed than SL_AVRO_COMPAT_MAX_ISSUES */
} sl_avro_compat_report_t;

/*
 * Can `reader` read every datum written with `writer`? The Avro specification's "Schema
 * Resolution" rules, with Apache Avro Java's SchemaCompatibility (what Confluent's registry
 * runs) where the specification leaves room; the few deliberate differences are listed in
 * avro_compat.c. Both schemas are borrowed and may be the same object.
 * Returns SL_OK with out->compatible and the issues (issues get reader_is_new = 1,
 * existing_index = 0), or SL_TOOBIG (the pair of schemas needs more work or nesting than the
 * checker allows; hostile input), SL_NOMEM. *out is reset first; free it with
 * sl_avro_compat_report_free whatever the result.
 * @locality any thread
 */
int sl_avro_compat(const sl_avro_schema_t *reader, const sl_avro_schema_t *writer,
                   sl_avro_compat_report_t *out);

/* Frees what a report owns and zeroes it (safe on a zeroed report). */
void sl_avro_compat_report_free(sl_avro_compat_report_t *report);

/* The registry's compatibility levels (Confluent's names, see sl_avro_compat_level_name). */
typedef enum sl_avro_compat_level_e {
    SL_AVRO_COMPAT_NONE,
    SL_AVRO_COMPAT_BACKWARD,            /* new reads the latest existing */
    SL_AVRO_COMPAT_BACKWARD_TRANSITIVE, /* new reads every existing */
    SL_AVRO_COMPAT_FORWARD,             /* the latest existing reads new */
    SL_AVRO_COMPAT_FORWARD_TRANSITIVE,  /* every existing reads new */
    SL_AVRO_COMPAT_FULL,                /* both, against the latest */
    SL_AVRO_COMPAT_FULL_TRANSITIVE      /* both, against every existing */
} sl_avro_compat_level_t;

/* "BACKWARD_TRANSITIVE" ...; NULL for a value outside the enum. */
const char *sl_avro_compat_level_name(sl_avro_compat_level_t level);

/* Parses a level name (exact, upper case as Confluent writes it). SL_OK or SL_INVAL. */
int sl_avro_compat_level_parse(const char *name, sl_avro_compat_level_t *level_out);

/*
 * A registry check: may new_schema join a subject whose versions are existing[0..n_existing)
 * (oldest first) under `level`? Non-transitive levels look at existing[n_existing-1] only;
 * transitive ones go from the newest to the oldest and stop at the first existing schema that
 * fails (as Confluent's validator does), so the issues concern one existing schema, named by
 * their existing_index. FULL levels report the backward issues first, then the forward ones.
 * NONE and n_existing == 0 are compatible. Returns as sl_avro_compat, or SL_INVAL for an
 * unknown level or a NULL existing entry.
 * @locality any thread
 */
int sl_avro_compat_check(sl_avro_compat_level_t level, const sl_avro_schema_t *new_schema,
                         const sl_avro_schema_t *const *existing, size_t n_existing,
                         sl_avro_compat_report_t *out);

/* "TYPE_MISMATCH" ...; NULL for a value outside the enum. */
const char *sl_avro_incompat_name(sl_avro_incompat_t type);

/*
 * Formats one issue the way Confluent's registry prints it in a 409 message and in verbose
 * compatibility answers:
 *   {errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f' at path
 *   '/fields/1' in the new schema has no default value and is missing in the old schema',
 *   additionalInfo:'f'}
 * ("new"/"old" from issue->reader_is_new). Always NUL-terminates (when size > 0); returns the
 * length the full text needs, like snprintf.
 */
size_t sl_avro_compat_describe(const sl_avro_compat_issue_t *issue, char *buf, size_t size);

/* JSON Schema: serde/jsonschema.h (included here, so serde.h stays the one header to use). */
#include "serde/jsonschema.h"

#endif
