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

/* ---- Avro schema references (serde/avro_schema.c) ---- */

/* For the sections below: JSON values (jansson) and output buffers. */
#include "common/buf.h"

#include <jansson.h>

/*
 * Like sl_avro_schema_parse, for a schema that uses named types defined by other schemas
 * (Confluent "schema references"): every named type (record, error, enum, fixed) defined
 * anywhere in refs[0..n_refs) — including the types those schemas got from their own
 * references — can be used by name in json, as if Apache Avro Java's Schema.Parser had parsed
 * the referenced schemas first (which is what Confluent's registry does). The order of refs
 * does not matter; the caller resolves references transitively (parse each referenced schema
 * with its own references first).
 * - The result owns copies of the referenced types it uses: refs stay borrowed for the call
 *   only and may be freed afterwards.
 * - Its Parsing Canonical Form and fingerprint describe the whole datum layout: a referenced
 *   type's definition is written where it is first used, as Java's SchemaNormalization does on
 *   the parsed schema. (Confluent's "canonicalString", used to deduplicate registrations,
 *   is different: it keeps referenced types as bare names. Store the text as given.)
 * - A name may be defined once: json may not redefine a name a reference defines
 *   ("redefinition of 'x.Y'"), and two references may define the same full name only
 *   identically (a shared dependency); otherwise SL_INVAL "references define 'x.Y' in two
 *   different ways".
 * n_refs == 0 behaves exactly like sl_avro_schema_parse. Returns as sl_avro_schema_parse.
 * @locality any thread
 */
int sl_avro_schema_parse_refs(const char *json, size_t len, const sl_avro_schema_t *const *refs,
                              size_t n_refs, sl_avro_schema_t **schema_out, char *err,
                              size_t err_size);

/* ---- Avro data (serde/avro_datum.c, serde/avro_resolve.c) ---- */

/*
 * Avro binary encoding as the specification defines it ("Binary Encoding"), checked strictly:
 *   - int/long are zig-zag varints of at most 5/10 bytes whose value fits 32/64 bits; longer
 *     encodings are refused (non-minimal ones within that length are accepted, as in Java);
 *   - boolean is one byte, 0 or 1 (Java reads any non-1 byte as false; we refuse it);
 *   - bytes/string lengths and array/map block counts may not be negative (a negative block
 *     count is followed by the block's byte size, which must equal the bytes its items take);
 *   - strings and map keys must be valid UTF-8 (no overlong forms, no surrogates, at most
 *     U+10FFFF). Java does not check on decoding (it substitutes U+FFFD); Sluice refuses,
 *     because every Avro writer produces valid UTF-8 and the JSON forms below need it;
 *   - enum indexes and union branch indexes must be in range;
 *   - the datum must end exactly at the end of the buffer (no trailing bytes).
 * Logical types do not change the encoding; their values are not range-checked (as in Java).
 *
 * Bounds, so that hostile bytes cannot exhaust the stack or the CPU (recursive schemas make
 * any depth expressible): values nest at most SL_AVRO_DATUM_MAX_DEPTH deep (each record,
 * array, map and union value is a level), and one datum holds at most
 * SL_AVRO_DATUM_MAX_EMPTY_ITEMS array items of a type that encodes to zero bytes (null, an
 * empty record, fixed of size 0 ...: a 3-byte block header could otherwise announce 2^62 of
 * them). Other counts are bounded by the bytes present: a block announcing more items than
 * bytes left is refused at once. Work is linear in the input size times the schema size.
 */
#define SL_AVRO_DATUM_MAX_DEPTH       512
#define SL_AVRO_DATUM_MAX_EMPTY_ITEMS (1u << 16)

/*
 * SL_OK iff buf[0..len) is exactly one datum of `schema`; otherwise SL_INVAL with a reason in
 * err prefixed by where in the datum it is, e.g.
 *   "fields[2].items[5]: union branch 7 out of range (3 branches)"
 * (fields[i]: the record's i-th field in schema order; items[k]: the k-th array item;
 * values[k]: the k-th map entry, values[k].key its key; union values add no segment).
 * err: printable ASCII, always NUL-terminated when err_size > 0, truncated to fit.
 * Allocates nothing; stack use is bounded by SL_AVRO_DATUM_MAX_DEPTH small frames.
 * @locality any thread (the broker's loop thread calls it for produce-time validation)
 */
int sl_avro_datum_check(const sl_avro_schema_t *schema, const uint8_t *buf, size_t len, char *err,
                        size_t err_size);

/*
 * JSON shapes of Avro values, for sl_avro_decode* (output) and sl_avro_encode (input).
 *
 * SL_AVRO_JSON_SPEC — the specification's JSON encoding (what Java's JsonEncoder writes):
 *   null, true/false, integers, numbers; bytes and fixed as a string of the code points
 *   U+0000..U+00FF, one per byte (ISO-8859-1); string as string; enum as its symbol; record
 *   as an object in field order; map as an object; array as an array; a union value as null
 *   for the null branch, else {"<branch name>": value} where the branch name is the full name
 *   of a named type, else the type name ("int", "array", "map" ...).
 * SL_AVRO_JSON_PLAIN — for the SQL engine and people: as above, but
 *   - unions are unwrapped (the value of the branch alone);
 *   - bytes and fixed are base64 strings (RFC 4648, with padding), as ksqlDB shows BYTES;
 *   - decimal (logical type, on bytes or fixed) is a JSON string holding the exact decimal
 *     number ("-12.30" for unscaled -1230, scale 2): doubles could not carry 38 digits;
 *   - every other logical type is its underlying value (date: days as an integer,
 *     timestamp-millis: milliseconds, uuid: the string, duration: the 12 bytes, base64).
 * In both shapes a float or double that is NaN or infinite is the string "NaN", "Infinity"
 * or "-Infinity" (as Java's JSON writer spells them; JSON has no such numbers). A float is
 * widened to a double exactly (0.1f comes out as 0.10000000149011612).
 * Logical types are visible to callers through the schema (sl_avro_node_logical below).
 *
 * Encoding from PLAIN picks a union's branch by the JSON value alone, in branch order:
 *   null -> null; true/false -> boolean; an integer -> int (if it fits), long, float, double,
 *   (decimal); another number -> float, double, (decimal); a string -> string, enum (if one of
 *   its symbols), bytes and fixed (if valid base64 of the right length), decimal (if a
 *   decimal number); an array -> array; an object -> the first record whose fields it fits
 *   (no unknown keys, every field without default present), else a map, else (nothing else
 *   fitting) the specification's {"<branch name>": value}. Branch order decides between
 *   near kinds: in ["float","double"] any number becomes a float.
 *   So ["null","T"] (ksqlDB's nullable column) is null vs T.
 * Decimal input (PLAIN): a string "[-+]digits[.digits]" or a JSON number; more fractional
 * digits than the scale, or more digits than the precision, are refused (as Java's
 * DecimalConversion does); a JSON real is first rounded to the scale.
 * Records (both shapes): a missing field takes the field's default; unknown keys are refused.
 */
#define SL_AVRO_JSON_SPEC  0u
#define SL_AVRO_JSON_PLAIN 1u

/*
 * Decodes the datum buf[0..len) (exactly one, as sl_avro_datum_check) written with `schema`
 * into a new JSON value in the shape `flags` selects. Returns SL_OK and *out (a new
 * reference: json_decref it), or SL_INVAL (not a datum of the schema; reason and path in err
 * as for sl_avro_datum_check), SL_NOMEM; *out is NULL on failure. The datum is checked as
 * sl_avro_datum_check does (same rules, same bounds); in the PLAIN shape a decimal whose bytes
 * or scale are too large to print (over 512 bytes, scale over 1300) is refused too.
 * Map keys may contain NUL (read them with json_object_iter_key_len).
 * @locality any thread
 */
int sl_avro_decode(const sl_avro_schema_t *schema, const uint8_t *buf, size_t len, unsigned flags,
                   json_t **out, char *err, size_t err_size);

/*
 * Decodes a datum written with `writer` as the reader schema `reader` sees it (specification,
 * "Schema Resolution"): promotions int -> long, float, double; long -> float, double;
 * float -> double; string <-> bytes. Records match by unqualified name or a reader alias;
 * reader fields are found in the writer by name or by one of the field's aliases; writer
 * fields the reader lacks are read and dropped; reader fields the writer lacks take the
 * reader's default (for a union-typed field, a value of the first branch, else of the first
 * branch that accepts the default); without a default the datum cannot be read. Enums match
 * by symbol; a writer symbol the reader lacks becomes the reader's enum default, or is an
 * error. Fixed: names and sizes must match. Writer union: the written branch is resolved
 * against the reader; reader union (writer not): the first branch of the same type and full
 * name, else the first named branch whose name matches, else the first branch the writer's
 * type promotes to. Output fields follow the reader's order.
 * As in Java, a mismatch is an error only when the data reaches it (an empty array of
 * unreadable items reads fine); run sl_avro_compat to judge the schemas themselves.
 * reader == writer gives the same result as sl_avro_decode. Returns as sl_avro_decode.
 * @locality any thread
 */
int sl_avro_decode_resolved(const sl_avro_schema_t *reader, const sl_avro_schema_t *writer,
                            const uint8_t *buf, size_t len, unsigned flags, json_t **out, char *err,
                            size_t err_size);

/*
 * Encodes `value` (in the shape `flags` selects) as one binary datum of `schema`, appended to
 * out (so a caller may write the Confluent header first). Returns SL_OK, or SL_INVAL (the
 * value does not fit the schema; reason and path in err, out->len restored), SL_NOMEM.
 * @locality any thread
 */
int sl_avro_encode(const sl_avro_schema_t *schema, const json_t *value, unsigned flags,
                   sl_buf_t *out, char *err, size_t err_size);

/*
 * Looking into a parsed schema (for the SQL engine: columns from a registry schema). Nodes are
 * borrowed from their schema and live as long as it; named types are shared, so a recursive
 * schema is a graph with cycles: stop at named nodes already seen.
 */
typedef struct sl_avro_node_s sl_avro_node_t;

/* Avro types, in the specification's order. */
typedef enum sl_avro_type_e {
    SL_AVRO_TYPE_NULL,
    SL_AVRO_TYPE_BOOLEAN,
    SL_AVRO_TYPE_INT,
    SL_AVRO_TYPE_LONG,
    SL_AVRO_TYPE_FLOAT,
    SL_AVRO_TYPE_DOUBLE,
    SL_AVRO_TYPE_BYTES,
    SL_AVRO_TYPE_STRING,
    SL_AVRO_TYPE_RECORD, /* also "error" */
    SL_AVRO_TYPE_ENUM,
    SL_AVRO_TYPE_ARRAY,
    SL_AVRO_TYPE_MAP,
    SL_AVRO_TYPE_UNION,
    SL_AVRO_TYPE_FIXED
} sl_avro_type_t;

/*
 * Logical types Sluice recognises (specification, "Logical Types"). A logical type that is
 * unknown, or invalid for its type (decimal without a valid precision and scale, or with a
 * precision the fixed size cannot hold; date on a long ...), is ignored, as the specification
 * and Java require: the node is then its plain underlying type.
 */
typedef enum sl_avro_logical_e {
    SL_AVRO_LOGICAL_NONE,
    SL_AVRO_LOGICAL_DECIMAL,                /* bytes or fixed: unscaled two's-complement
                                               big-endian integer; see precision, scale */
    SL_AVRO_LOGICAL_UUID,                   /* string */
    SL_AVRO_LOGICAL_DATE,                   /* int: days since 1970-01-01 */
    SL_AVRO_LOGICAL_TIME_MILLIS,            /* int: milliseconds after midnight */
    SL_AVRO_LOGICAL_TIME_MICROS,            /* long: microseconds after midnight */
    SL_AVRO_LOGICAL_TIMESTAMP_MILLIS,       /* long: ms since 1970-01-01T00:00Z */
    SL_AVRO_LOGICAL_TIMESTAMP_MICROS,       /* long: us since 1970-01-01T00:00Z */
    SL_AVRO_LOGICAL_TIMESTAMP_NANOS,        /* long: ns since 1970-01-01T00:00Z */
    SL_AVRO_LOGICAL_LOCAL_TIMESTAMP_MILLIS, /* long: ms since 1970-01-01T00:00, local time */
    SL_AVRO_LOGICAL_LOCAL_TIMESTAMP_MICROS, /* long: us, local time */
    SL_AVRO_LOGICAL_LOCAL_TIMESTAMP_NANOS,  /* long: ns, local time */
    SL_AVRO_LOGICAL_DURATION                /* fixed(12): months, days, milliseconds, each a
                                               little-endian unsigned 32-bit integer */
} sl_avro_logical_t;

/* The schema's top-level type. */
const sl_avro_node_t *sl_avro_schema_root(const sl_avro_schema_t *schema);
sl_avro_type_t sl_avro_node_type(const sl_avro_node_t *node);
/* Full name of a record, enum or fixed ("com.example.User"); NULL for other types. */
const char *sl_avro_node_name(const sl_avro_node_t *node);
/* The node's logical type; for decimal also *precision and *scale (either pointer may be
 * NULL; both are set to 0 for other logical types). */
sl_avro_logical_t sl_avro_node_logical(const sl_avro_node_t *node, int *precision, int *scale);
/* Record: number of fields; enum: of symbols; union: of branches; array, map: 1; else 0. */
size_t sl_avro_node_count(const sl_avro_node_t *node);
/*
 * Record: the type of field i, and (if name_out) its name; union: branch i; array: the items'
 * type and map: the values' type (i == 0). NULL when i is out of range or the node has no
 * children.
 */
const sl_avro_node_t *sl_avro_node_child(const sl_avro_node_t *node, size_t i,
                                         const char **name_out);
/* Enum: symbol i (NULL when out of range or not an enum). */
const char *sl_avro_node_symbol(const sl_avro_node_t *node, size_t i);
/* Fixed: its size in bytes; -1 for other types. */
int32_t sl_avro_node_size(const sl_avro_node_t *node);

/* ---- Confluent framing (serde/framing.c) ---- */

/*
 * Confluent's wire format for keys and values that name their schema:
 *
 *   +------+---------------------------+---------------------------+
 *   | 0x00 | schema id (int32, BE)     | payload (Avro binary ...) |
 *   +------+---------------------------+---------------------------+
 *    byte 0  bytes 1..4                  bytes 5..
 */
#define SL_SERDE_MAGIC        0
#define SL_SERDE_FRAME_HEADER 5

/*
 * Splits a framed value. SL_OK with *schema_id and the payload (borrowed: points into buf,
 * may be empty), or SL_INVAL when len < 5 or the magic byte is not 0 (outputs untouched).
 * @locality any thread
 */
int sl_serde_frame_parse(const uint8_t *buf, size_t len, int32_t *schema_id,
                         const uint8_t **payload, size_t *payload_len);

/* Appends the 5-byte header for schema_id to out; the caller appends the payload. */
void sl_serde_frame_write(sl_buf_t *out, int32_t schema_id);

/* JSON Schema: serde/jsonschema.h (included here, so serde.h stays the one header to use). */
#include "serde/jsonschema.h"

#endif
