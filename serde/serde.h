/*
 * serde.h — the public interface of serde/: schemas and the data they describe.
 *
 * Today: Avro schemas. Parse and validate a schema (JSON text), and give its Parsing Canonical
 * Form (PCF) and CRC-64-AVRO fingerprint as the Avro specification defines them ("Parsing
 * Canonical Form for Schemas", "Schema Fingerprints"). Still to come in this module (issue 4):
 * Avro binary encode/decode, reader/writer resolution, compatibility, JSON Schema, Confluent
 * wire framing.
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

#endif
