/*
 * store_int.h — registry/'s internals: the in-memory store that mirrors the `_schemas` topic,
 * and the operations layer that turns a REST request into an answer plus the `_schemas`
 * records that must be written first. Nothing outside registry/ (and its unit tests) includes
 * this file.
 *
 * The store is a pure function of the records applied to it, in offset order: it never
 * changes for any other reason, so what the REST door serves is always what the topic says,
 * and a restart that re-reads the topic rebuilds exactly the same state. The operations layer
 * only reads the store; a write request yields records, the Kafka layer produces them, the
 * reader thread applies them, and only then is the request answered.
 *
 *   REST request --ops (read lock)--> answer + records --produce--> _schemas
 *                                                                       |
 *   store <--apply (write lock)-- reader thread <--fetch----------------+
 *
 * `_schemas` records (JSON keys and values, Confluent's layout; value null = tombstone):
 *
 *   key   {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
 *   value {"subject":"s","version":1,"id":7,"schemaType":"JSON","references":[...],
 *          "schema":"<text>","deleted":false}       schemaType omitted for AVRO,
 *                                                   references omitted when empty
 *   key   {"keytype":"CONFIG","subject":"s","magic":0}   (no "subject": global)
 *   value {"compatibilityLevel":"FULL"}
 *   key   {"keytype":"MODE","subject":"s","magic":0}     (no "subject": global)
 *   value {"mode":"READONLY"}
 *   key   {"keytype":"DELETE_SUBJECT","subject":"s","magic":0}
 *   value {"subject":"s","version":3}                soft-deletes versions 1..3
 *   key   {"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}
 *   value {"subject":"s"}                            forgets soft-deleted versions of s
 *   key   {"keytype":"NOOP","magic":0}               Confluent's offset probe: ignored
 *   key   {"keytype":"NOOP","magic":1}               Sluice: schema id high-water mark
 *   value {"sluiceMaxSchemaId":42}
 *
 * Why the high-water mark is a NOOP record: ids must never be reused, but a permanent delete
 * tombstones the SCHEMA record that carried the highest id, and compaction then forgets it.
 * Before any permanent delete, the operations layer writes the highest id ever assigned under
 * its own key. A Confluent registry reading the topic treats every NOOP key as a no-op
 * (it compares the key type only and never looks at the value), and a distinct key ("magic":1)
 * keeps it apart from Confluent's own NOOP probe records, which carry a null value that
 * compaction would otherwise treat as a tombstone of ours. An unknown keytype would instead
 * stop Confluent's reader thread, so a new keytype was not an option.
 *
 * Locking: one rwlock. Readers (REST reads, validator lookups) take it shared; only
 * sl_regstore_apply takes it exclusively. Schema objects are immutable and reference
 * counted, so a reader may keep one after unlocking.
 */
#ifndef SL_REGISTRY_STORE_INT_H
#define SL_REGISTRY_STORE_INT_H

#include "registry/registry.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Largest schema text (and request body) the registry accepts. */
#define SL_REG_MAX_BODY (16u << 20)
/* Longest subject name, in bytes (Confluent has no limit; a URL cannot carry more anyway). */
#define SL_REG_MAX_SUBJECT 4096

typedef enum sl_reg_type_e { SL_REG_AVRO, SL_REG_JSON, SL_REG_PROTOBUF } sl_reg_type_t;

/* Compatibility mode of the registry or a subject (Confluent's Mode). */
typedef enum sl_reg_mode_e { SL_REG_READWRITE, SL_REG_READONLY, SL_REG_IMPORT } sl_reg_mode_t;

/* One schema reference: the named type `name` is defined by version `version` of `subject`. */
typedef struct sl_reg_ref_s {
    char *name;      /* owned; Avro full name or JSON Schema $ref target */
    char *subject;   /* owned */
    int32_t version; /* >= 1 */
} sl_reg_ref_t;

/* A registered schema: what one id stands for. Immutable after creation, reference counted;
 * the store holds one reference per id while any version (live or soft-deleted) uses it. */
struct sl_reg_schema_s {
    atomic_int refcnt;          /* references held; freed at 0 */
    int32_t id;                 /* the schema id */
    sl_reg_type_t type;         /* AVRO / JSON (PROTOBUF only when read from a foreign topic) */
    char *text;                 /* owned; the schema text as first registered under this id */
    size_t text_len;            /* bytes in text, without the NUL */
    sl_reg_ref_t *refs;         /* owned; references, in request order */
    size_t n_refs;              /* entries in refs */
    char *identity;             /* owned; "TYPE\nnormal form\nreferences": equal identities
                                   are the same schema (same id) */
    sl_avro_schema_t *avro;     /* owned; parsed Avro schema, NULL unless AVRO and parsable */
    sl_jsonschema_t *json;      /* owned; parsed JSON Schema, NULL unless JSON and parsable */
    char *record_name;          /* owned; Avro full name or JSON "title"; NULL if none */
    char *parse_error;          /* owned; why avro/json is NULL for a schema read from the
                                   topic that Sluice cannot parse (e.g. with references) */
    _Atomic(void *) http_cache; /* the REST door's prebuilt GET /schemas/ids/{id} response;
                                   freed with cache_free when the schema is freed */
    void (*cache_free)(void *); /* how to free http_cache (NULL: nothing cached ever) */
};

/* One version of a subject. */
typedef struct sl_reg_version_s {
    int32_t version;         /* >= 1 */
    int deleted;             /* soft-deleted */
    sl_reg_schema_t *schema; /* a reference held by this entry */
} sl_reg_version_t;

/* A subject: its versions (ascending) and its own settings. */
typedef struct sl_reg_subject_s {
    char *name;          /* owned */
    sl_reg_version_t *v; /* owned; sorted by version */
    size_t n;            /* entries in v */
    size_t cap;          /* allocated entries in v */
    int level;           /* subject-level compatibility (sl_avro_compat_level_t), -1 none */
    int mode;            /* subject-level mode (sl_reg_mode_t), -1 none */
} sl_reg_subject_t;

/* A string-keyed hash map of borrowed pointers (keys are copied). */
typedef struct sl_reg_map_entry_s sl_reg_map_entry_t;
typedef struct sl_reg_map_s {
    sl_reg_map_entry_t **buckets; /* owned; chains */
    size_t n_buckets;             /* a power of two (0 before the first insert) */
    size_t n;                     /* entries */
} sl_reg_map_t;

/* An id in use: its schema and how many versions (live or soft-deleted) use it. */
typedef struct sl_reg_id_s {
    sl_reg_schema_t *schema; /* the store's reference */
    size_t uses;             /* versions using this id; the entry goes at 0 */
} sl_reg_id_t;

typedef struct sl_reg_store_s {
    pthread_rwlock_t lock;      /* shared: readers; exclusive: sl_regstore_apply */
    sl_reg_map_t subjects;      /* name -> sl_reg_subject_t* (owned) */
    sl_reg_map_t ids;           /* 4-byte big-endian id -> sl_reg_id_t* (owned) */
    sl_reg_map_t by_ident;      /* schema identity -> sl_reg_id_t* (borrowed from ids) */
    int global_level;           /* global compatibility, -1: default (BACKWARD) */
    int global_mode;            /* global mode, -1: default (READWRITE) */
    int32_t max_id;             /* highest id in any applied SCHEMA record or high-water mark */
    int32_t hwm_record;         /* highest high-water mark NOOP value applied (0: none) */
    uint64_t n_ignored;         /* records that could not be applied (logged) */
    void (*cache_free)(void *); /* copied into every schema created */

    pthread_mutex_t off_mu; /* guards applied; with off_cv */
    pthread_cond_t off_cv;  /* broadcast whenever applied moves */
    int64_t applied;        /* highest offset applied (or known to be past), -1 before any */
} sl_reg_store_t;

/* ---- store.c ---- */

int sl_regstore_init(sl_reg_store_t *st);
void sl_regstore_destroy(sl_reg_store_t *st);

/*
 * Applies one `_schemas` record (value NULL: tombstone) at `offset`. Records that cannot be
 * understood or would break an invariant (an id reused for a different schema) are ignored
 * with a warning, as Confluent's reader does; the offset still counts as applied.
 * Returns SL_OK (applied), SL_INVAL (ignored) or SL_NOMEM.
 * @locality the reader thread (takes the write lock)
 */
int sl_regstore_apply(sl_reg_store_t *st, const void *key, size_t key_len, const void *value,
                      size_t value_len, int64_t offset);

/* Records that `offset` is applied (a gap left by compaction, end of partition). */
void sl_regstore_mark_applied(sl_reg_store_t *st, int64_t offset);

/* Waits until the store has applied `offset`; SL_OK, or SL_AGAIN after timeout_ms or when
 * *stop becomes non-zero (checked every 100 ms). */
int sl_regstore_wait_applied(sl_reg_store_t *st, int64_t offset, int timeout_ms,
                             const atomic_int *stop);

/* Lookups (caller holds the lock, shared or exclusive). */
sl_reg_subject_t *sl_regstore_subject(const sl_reg_store_t *st, const char *name);
sl_reg_id_t *sl_regstore_id(const sl_reg_store_t *st, int32_t id);

/* Schema objects. */
void sl_reg_schema_keep(sl_reg_schema_t *schema);
const char *sl_reg_type_name(sl_reg_type_t type);            /* "AVRO", "JSON", "PROTOBUF" */
int sl_reg_type_parse(const char *name, sl_reg_type_t *out); /* SL_OK or SL_INVAL */
const char *sl_reg_mode_name(int mode);
int sl_reg_mode_parse(const char *name, sl_reg_mode_t *out); /* exact upper case */

/*
 * Parses schema text into a new schema object (refcnt 1, id 0): validates it (Avro or JSON
 * Schema), computes its identity and record name. refs[i] names the schema ref_schemas[i]
 * (resolved by the caller with sl_regstore_resolve_refs). normalize = 1 replaces the text by
 * its normal form (what `?normalize=true` registers). On failure returns SL_INVAL (invalid
 * schema), SL_UNSUPP (type or references Sluice cannot handle yet), SL_TOOBIG or SL_NOMEM,
 * with a message in err.
 */
int sl_reg_schema_build(sl_reg_type_t type, const char *text, size_t len, const sl_reg_ref_t *refs,
                        const sl_reg_schema_t *const *ref_schemas, size_t n_refs, int normalize,
                        sl_reg_schema_t **out, char *err, size_t err_size);

/*
 * Finds the schemas that references name (soft-deleted versions count, as in Confluent).
 * SL_OK and *out (a new array of n borrowed pointers, free() it; NULL when n == 0), or
 * SL_NOTFOUND / SL_NOMEM with a message in err. Caller holds the store's lock.
 */
int sl_regstore_resolve_refs(const sl_reg_store_t *st, const sl_reg_ref_t *refs, size_t n,
                             const sl_reg_schema_t ***out, char *err, size_t err_size);

/* Map helpers (used by the store and the operations layer). */
void *sl_regmap_get(const sl_reg_map_t *m, const void *key, size_t len);
typedef void (*sl_regmap_fn)(const char *key, size_t len, void *value, void *arg);
void sl_regmap_each(const sl_reg_map_t *m, sl_regmap_fn fn, void *arg);

/* ---- ops.c ---- */

/* What the REST door asks for. */
typedef enum sl_regop_e {
    SL_REGOP_ROOT,                 /* GET / */
    SL_REGOP_SUBJECTS,             /* GET /subjects */
    SL_REGOP_SUBJECT_LOOKUP,       /* POST /subjects/{s} */
    SL_REGOP_SUBJECT_DELETE,       /* DELETE /subjects/{s} */
    SL_REGOP_VERSIONS,             /* GET /subjects/{s}/versions */
    SL_REGOP_REGISTER,             /* POST /subjects/{s}/versions */
    SL_REGOP_VERSION_GET,          /* GET /subjects/{s}/versions/{v} */
    SL_REGOP_VERSION_SCHEMA,       /* GET /subjects/{s}/versions/{v}/schema */
    SL_REGOP_VERSION_REFERENCEDBY, /* GET /subjects/{s}/versions/{v}/referencedby */
    SL_REGOP_VERSION_DELETE,       /* DELETE /subjects/{s}/versions/{v} */
    SL_REGOP_SCHEMA_TYPES,         /* GET /schemas/types */
    SL_REGOP_ID_GET,               /* GET /schemas/ids/{id} */
    SL_REGOP_ID_SCHEMA,            /* GET /schemas/ids/{id}/schema */
    SL_REGOP_ID_SUBJECTS,          /* GET /schemas/ids/{id}/subjects */
    SL_REGOP_ID_VERSIONS,          /* GET /schemas/ids/{id}/versions */
    SL_REGOP_CONFIG_GET,           /* GET /config[/{s}] */
    SL_REGOP_CONFIG_PUT,           /* PUT /config[/{s}] */
    SL_REGOP_CONFIG_DELETE,        /* DELETE /config[/{s}] */
    SL_REGOP_MODE_GET,             /* GET /mode[/{s}] */
    SL_REGOP_MODE_PUT,             /* PUT /mode[/{s}] */
    SL_REGOP_MODE_DELETE,          /* DELETE /mode[/{s}] */
    SL_REGOP_COMPAT,               /* POST /compatibility/subjects/{s}/versions[/{v}] */
    SL_REGOP_COUNT_
} sl_regop_t;

/* A decoded request. Strings are borrowed and NUL-terminated. */
typedef struct sl_reg_req_s {
    sl_regop_t op;          /* what */
    const char *subject;    /* URL-decoded subject, NULL for global /config, /mode */
    const char *version;    /* version path segment ("latest", "3"), NULL if none */
    const char *id;         /* id path segment, NULL if none */
    const char *body;       /* request body (POST/PUT), NULL if none */
    size_t body_len;        /* bytes in body */
    int deleted;            /* ?deleted=true */
    int deleted_only;       /* ?deletedOnly=true */
    int permanent;          /* ?permanent=true */
    int normalize;          /* ?normalize=true */
    int verbose;            /* ?verbose=true */
    int default_to_global;  /* ?defaultToGlobal=true */
    int force;              /* ?force=true */
    int fetch_max_id;       /* ?fetchMaxId=true */
    const char *prefix;     /* ?subjectPrefix=, NULL if absent */
    int precheck;           /* decide only what needs no write: a write that needs expensive
                               work first (a compatibility check) answers defer = 1 instead */
    sl_reg_schema_t *built; /* borrowed; REGISTER on the writer: the schema the precheck built
                               from this very body (sl_reg_result_t.built), so it is not parsed
                               again; NULL: build it */
} sl_reg_req_t;

/* One record to produce to `_schemas`. */
typedef struct sl_reg_rec_s {
    char *key;   /* owned JSON */
    char *value; /* owned JSON; NULL = tombstone */
} sl_reg_rec_t;

/* The answer to a request. */
typedef struct sl_reg_result_s {
    int status;             /* HTTP status */
    char *body;             /* owned, NUL-terminated response body (JSON, or raw schema text) */
    size_t body_len;        /* bytes in body */
    sl_reg_rec_t *recs;     /* owned; records to write (in order) before answering */
    size_t n_recs;          /* entries in recs */
    int32_t id;             /* SL_REGOP_ID_GET answered 200: the id (for the response cache) */
    int defer;              /* precheck: the request must go to the writer thread */
    sl_reg_schema_t *built; /* a reference, or NULL; defer of a REGISTER whose schema has no
                               references: the schema built from the body, for the writer to
                               reuse (sl_reg_req_t.built). With references it is not offered:
                               what they resolve to may change before the writer runs. */
} sl_reg_result_t;

/* 1 when the operation may write `_schemas` (must go through the writer thread). */
int sl_regop_is_write(sl_regop_t op);

/*
 * Decides a request against the store: fills *out with the answer and, for writes, the
 * records to produce first. Never fails: internal errors become 500 answers.
 * @locality any thread (takes the store's lock shared)
 */
void sl_regops_run(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *out);

/* Frees what a result owns and zeroes it. */
void sl_reg_result_free(sl_reg_result_t *res);

/* Replaces res by the error answer {"error_code":code,"message":msg}. */
void sl_reg_result_error(sl_reg_result_t *res, int status, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
