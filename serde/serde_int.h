/*
 * serde_int.h — serde/'s private internals: the parsed form of an Avro schema, shared by the
 * files of this module (schema parsing now; encoding, resolution and compatibility later).
 * Nothing outside serde/ includes this file.
 *
 * A parsed schema is a graph of sl_avro_node_t. Every node is owned by the schema's node list
 * and freed in one place (sl_avro_schema_free); all pointers between nodes are borrowed. A
 * reference to a named type by name is the defining node itself, so recursive types are
 * cycles:
 *
 *   record "LongList" --fields[1].type--> union --branches[1]--> (same record node)
 *
 * Walkers that follow edges must therefore stop at named nodes they have already seen.
 */
#ifndef SL_SERDE_INT_H
#define SL_SERDE_INT_H

#include "serde/serde.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef enum sl_avro_kind_e {
    SL_AVRO_NULL,
    SL_AVRO_BOOLEAN,
    SL_AVRO_INT,
    SL_AVRO_LONG,
    SL_AVRO_FLOAT,
    SL_AVRO_DOUBLE,
    SL_AVRO_BYTES,
    SL_AVRO_STRING,
    SL_AVRO_RECORD, /* also "error" (is_error set) */
    SL_AVRO_ENUM,
    SL_AVRO_ARRAY,
    SL_AVRO_MAP,
    SL_AVRO_UNION,
    SL_AVRO_FIXED
} sl_avro_kind_t;

/* Sort order of a record field ("order" attribute). */
typedef enum sl_avro_order_e {
    SL_AVRO_ORDER_ASCENDING,
    SL_AVRO_ORDER_DESCENDING,
    SL_AVRO_ORDER_IGNORE
} sl_avro_order_t;

typedef struct sl_avro_node_s sl_avro_node_t;

typedef struct sl_avro_field_s {
    char *name;            /* owned; a valid simple name, unique in its record */
    sl_avro_node_t *type;  /* borrowed from the schema's node list */
    json_t *default_value; /* owned reference; NULL when the field has no default */
    json_t *aliases;       /* owned reference to a JSON array of strings; NULL when absent */
    sl_avro_order_t order; /* ascending unless "order" says otherwise */
    uint32_t name_hash;    /* sl_avro_name_hash(name); set once the graph is complete */
} sl_avro_field_t;

struct sl_avro_node_s {
    sl_avro_kind_t kind;       /* what this node is */
    char *fullname;            /* owned; record/enum/fixed only ("ns.Name" or "Name"), else NULL */
    char *logical_type;        /* owned "logicalType" attribute when a string, else NULL */
    json_t *aliases;           /* owned reference; named types' "aliases" array, NULL when absent */
    int is_error;              /* record declared with "type":"error" */
    sl_avro_field_t *fields;   /* owned array; record fields in declaration order */
    size_t n_fields;           /* entries in fields */
    char **symbols;            /* owned array of owned strings; enum symbols in order */
    size_t n_symbols;          /* entries in symbols */
    int enum_default;          /* index into symbols of the enum's "default", -1 if none */
    sl_avro_node_t **branches; /* owned array of borrowed nodes; union branches in order */
    size_t n_branches;         /* entries in branches */
    sl_avro_node_t *items;     /* borrowed; array items or map values, else NULL */
    int32_t size;              /* fixed size in bytes (>= 0) */
    /* Data facts (serde/avro_datum.c fills them in once the graph is complete): */
    int32_t precision; /* "precision" attribute: the integer when in 1..INT32_MAX, 0 when
                          absent, -1 when present but not such an integer */
    int32_t scale;     /* "scale" attribute: the integer when in 0..INT32_MAX, 0 when
                          absent, -1 when present but not such an integer */
    int logical;       /* sl_avro_logical_t: logical_type when valid on this node,
                          else SL_AVRO_LOGICAL_NONE */
    int zero_size;     /* every value of this type encodes to zero bytes (null, fixed
                          of size 0, records of only such fields) */
    /* Field lookup by name (the parser builds it once the graph is complete; parsed schemas
     * are immutable afterwards, so any thread may read it). Use sl_avro_field_find. */
    uint32_t *field_slots; /* owned; records: open-addressing table, field index + 1 per
                              slot (0 = empty), field_mask + 1 slots (a power of two, at
                              least twice n_fields); NULL otherwise (then: linear search) */
    uint32_t field_mask;   /* slots - 1; 0 when field_slots is NULL */
};

struct sl_avro_schema_s {
    sl_avro_node_t *root;   /* borrowed from nodes */
    sl_avro_node_t **nodes; /* owned; every node of the schema, each owned */
    size_t n_nodes;         /* entries used in nodes */
    size_t cap_nodes;       /* entries allocated in nodes */
    char *canonical;        /* owned, NUL-terminated Parsing Canonical Form */
    size_t canonical_len;   /* strlen(canonical) */
    uint64_t fingerprint;   /* CRC-64-AVRO of canonical */
    int canonical_lossy;    /* canonical names a null-namespace type inside a namespaced one,
                               so re-parsing it may resolve that name differently (a gap in
                               the specification's PCF; see emit() in avro_schema.c) */
};

/* The hash of a name that sl_avro_field_t.name_hash and field_slots use (32-bit FNV-1a). */
uint32_t sl_avro_name_hash(const char *name);

/*
 * The field of record `rec` called `name` (hash: sl_avro_name_hash(name)), or NULL. Aliases
 * are not looked at. Defined in avro_schema.c.
 * @locality any thread (reads only)
 */
const sl_avro_field_t *sl_avro_field_find(const sl_avro_node_t *rec, const char *name,
                                          uint32_t hash);

/*
 * Fills in the data facts of every node (logical, zero_size) once a schema's graph is complete;
 * called by the parser before it returns a schema. Defined in avro_datum.c.
 */
void sl_avro_data_prepare(sl_avro_schema_t *schema);

#endif
