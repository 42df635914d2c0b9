/*
 * jsonschema.h — JSON Schema in serde/: parse a schema (with Confluent schema references),
 * compare two schemas by Confluent's compatibility rules, validate a JSON document against a
 * schema. Included by serde/serde.h; include that one.
 *
 * Invariants: a parsed sl_jsonschema_t is immutable (bar an atomic reference count), any
 * number of threads may read it at once; parsing, comparison and validation are bounded
 * (depth, work) so hostile registry input or hostile records cannot exhaust the stack or the
 * CPU.
 */
#ifndef SL_SERDE_JSONSCHEMA_H
#define SL_SERDE_JSONSCHEMA_H

#include <jansson.h>
#include <stddef.h>

/* Deepest nesting of schemas (properties -> items -> oneOf branch ...) a JSON Schema may have. */
#define SL_JSONSCHEMA_MAX_DEPTH 64

/* A parsed JSON Schema (drafts 4, 6, 7, 2019-09, 2020-12; "$schema" picks, draft 7 when
 * absent). Opaque, immutable once parsed: any number of threads may read it at once. */
typedef struct sl_jsonschema_s sl_jsonschema_t;

/*
 * Parses the JSON Schema in json[0..len) (an object, or a boolean from draft 6 on) and checks
 * its keywords have sane types and values; "$ref"s within the document resolve (JSON
 * pointers "#/definitions/x", "$id"s, "$anchor"s and draft-6/7 "$id": "#name" anchors).
 * Returns SL_OK and *schema_out (free with sl_jsonschema_free), or
 *   SL_INVAL  not JSON, or not a valid schema (unknown type name, bad keyword value, a $ref
 *             that does not resolve ...),
 *   SL_UNSUPP a $ref outside the document (schema references: see sl_jsonschema_parse_refs;
 *             other remote references are not supported yet),
 *   SL_TOOBIG schemas nested deeper than SL_JSONSCHEMA_MAX_DEPTH,
 *   SL_NOMEM,
 * with a reason in err (printable ASCII, NUL-terminated, truncated to fit), prefixed by the
 * path of the offending part, e.g. "properties/age/minimum: minimum must be a number".
 * @locality any thread
 */
int sl_jsonschema_parse(const char *json, size_t len, sl_jsonschema_t **schema_out, char *err,
                        size_t err_size);

/* A Confluent schema reference offered to sl_jsonschema_parse_refs. */
typedef struct sl_jsonschema_ref_s {
    const char *name;              /* the reference's "name" as registered, e.g.
                                      "customer.json" or "https://example.com/customer.json" */
    const sl_jsonschema_t *schema; /* the referenced schema, parsed (itself with its own
                                      references) */
} sl_jsonschema_ref_t;

/*
 * sl_jsonschema_parse with Confluent schema references: a "$ref" to a reference's name (as
 * written, or resolved against the schema's "$id" like any URI), with an optional
 * "#/json/pointer" or "#anchor" fragment, resolves into that referenced schema; references of
 * the references are searched too (so passing only the direct ones works). "$ref"s to
 * "$id"s and anchors inside the document resolve as well. A remote "$ref" that is none of
 * these stays SL_UNSUPP. The new schema holds a reference count on every referenced schema
 * it uses, so the caller may free its own handles in any order.
 * Returns as sl_jsonschema_parse, or SL_INVAL for a reference without name or schema.
 * @locality any thread
 */
int sl_jsonschema_parse_refs(const char *json, size_t len, const sl_jsonschema_ref_t *refs,
                             size_t n_refs, sl_jsonschema_t **schema_out, char *err,
                             size_t err_size);

/* Releases the caller's handle on a schema from sl_jsonschema_parse(_refs); the schema is
 * freed once no schema referring to it remains. NULL is fine. @locality any thread */
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

/* ---- Validation (serde/jsonschema_validate.c) ---- */

/* Deepest document sl_jsonschema_validate(_text) accepts (arrays/objects inside each other). */
#define SL_JSONSCHEMA_MAX_DOC_DEPTH 256
/* Work allowed per validation: SL_JSONSCHEMA_WORK_BASE steps, plus SL_JSONSCHEMA_WORK_PER_VALUE
 * per JSON value of the document and SL_JSONSCHEMA_WORK_PER_BYTE per byte of its strings and
 * keys. A step is one schema node applied to one value, one element compared for enum, const
 * or uniqueItems, or one regular-expression thread advanced by one character. Steps cost a
 * few to a few tens of nanoseconds, so a hostile schema and document pair stops after a few
 * milliseconds plus a few microseconds per value and well under a microsecond per byte of
 * the document. */
#define SL_JSONSCHEMA_WORK_BASE      100000L
#define SL_JSONSCHEMA_WORK_PER_VALUE 64L
#define SL_JSONSCHEMA_WORK_PER_BYTE  16L

/* Option: "format" asserts date-time, date, time, email, uuid, ipv4 and ipv6 (others stay
 * annotations). Without it every format is an annotation, as the specification's default. */
#define SL_JSONSCHEMA_ASSERT_FORMAT 0x1u

/*
 * Is doc valid under schema? The specification's validation rules for the schema's draft
 * (type with integer per draft, enum, const, multipleOf exact on decimals, bounds with draft-4
 * boolean or numeric exclusive*, lengths in code points, pattern, items/additionalItems or
 * prefixItems/items, contains/minContains/maxContains, uniqueItems with 1 == 1.0, required,
 * properties, patternProperties, additionalProperties, dependencies/dependentRequired/
 * dependentSchemas, propertyNames, allOf/anyOf/oneOf/not, if/then/else, $ref, boolean
 * schemas, unevaluatedProperties/unevaluatedItems from 2019-09 on).
 * Returns
 *   SL_OK     valid;
 *   SL_INVAL  not valid; err says where and why, the JSON pointer of the instance first:
 *             "/items/3/price: 12.5 is above maximum 10" ("(root): ..." for the document);
 *   SL_UNSUPP the schema uses something validation does not support yet (a pattern outside
 *             the ECMA-262 subset, $dynamicRef ...), whatever the document; err says what;
 *   SL_TOOBIG the document is nested deeper than SL_JSONSCHEMA_MAX_DOC_DEPTH, or validating
 *             it needs more work than allowed (hostile schema and document), or the schema
 *             recurses through $ref without consuming the document;
 *   SL_NOMEM.
 * err is printable ASCII, NUL-terminated, truncated to fit.
 * @locality any thread (a shared schema is only read)
 */
int sl_jsonschema_validate(const sl_jsonschema_t *schema, const json_t *doc, char *err,
                           size_t err_size);

/* sl_jsonschema_validate with options (SL_JSONSCHEMA_ASSERT_FORMAT). */
int sl_jsonschema_validate_ex(const sl_jsonschema_t *schema, const json_t *doc, unsigned flags,
                              char *err, size_t err_size);

/*
 * Parses json[0..len) (any JSON value; duplicate object keys and nesting deeper than
 * SL_JSONSCHEMA_MAX_DOC_DEPTH are refused; "\u0000" in strings is allowed) and validates it.
 * Returns as sl_jsonschema_validate; text that is not JSON gives SL_INVAL with
 * "not JSON: <jansson's reason> (line L, column C)", e.g. for invalid UTF-8 in a string.
 * @locality any thread
 */
int sl_jsonschema_validate_text(const sl_jsonschema_t *schema, const char *json, size_t len,
                                char *err, size_t err_size);

/* sl_jsonschema_validate_text with options. */
int sl_jsonschema_validate_text_ex(const sl_jsonschema_t *schema, const char *json, size_t len,
                                   unsigned flags, char *err, size_t err_size);

/*
 * Can documents be validated against schema at all? SL_OK, or SL_UNSUPP with the reason in
 * err (what sl_jsonschema_validate would refuse every document with), so a registry can warn
 * when a schema is registered or full validation is switched on.
 * @locality any thread
 */
int sl_jsonschema_can_validate(const sl_jsonschema_t *schema, char *err, size_t err_size);

#endif
