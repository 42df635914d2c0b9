/*
 * types.h — the SQL engine's type system: ksqlDB's SQL types, their text form, their parser and
 * the widening rules the binder uses for implicit casts.
 *
 *   BOOLEAN, INTEGER (INT), BIGINT, DOUBLE, DECIMAL(p, s), STRING (VARCHAR), BYTES,
 *   DATE (days since 1970-01-01), TIME (milliseconds of the day),
 *   TIMESTAMP (milliseconds since 1970-01-01T00:00:00Z),
 *   ARRAY<t>, MAP<k, v>, STRUCT<name t, ...>
 *
 * Invariants:
 *   - Types are immutable once built. Scalar types are static singletons (sl_type_prim);
 *     DECIMAL and the containers are built in an arena owned by whoever owns the plan, and live
 *     as long as it. Compare types with sl_type_equal, never by pointer.
 *   - Field and column names are stored exactly as ksqlDB keeps them: unquoted identifiers
 *     upper-cased by the parser, quoted ones verbatim. Name matching is case-sensitive.
 *   - The text form (sl_type_format) is ksqlDB's SqlType.toString(): `INTEGER`, `DECIMAL(4, 2)`,
 *     `ARRAY<STRING>`, `MAP<STRING, INTEGER>`, "STRUCT<`A` INTEGER, `B` STRING>", `STRUCT< >`.
 *     That is the form in ksqlDB's error messages and DESCRIBE output.
 *   - MAP keys may be any type in the type system (ksqlDB's grammar allows it); the formats
 *     (JSON, Avro) are the ones that restrict keys to STRING.
 *   - DECIMAL precision is 1..SL_DECIMAL_MAX_TYPE_PRECISION in types (ksqlDB accepts e.g.
 *     DECIMAL(50, 30) as a column type); values hold at most 38 digits (see value.h).
 *
 * @locality any thread (types are immutable; the arena passed in is the caller's).
 */
#ifndef SL_SQL_TYPES_H
#define SL_SQL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"

typedef enum sl_type_kind_e {
    SL_TYPE_NULL = 0, /* type of an untyped NULL literal; exists only inside the binder */
    SL_TYPE_BOOLEAN,
    SL_TYPE_INTEGER,
    SL_TYPE_BIGINT,
    SL_TYPE_DECIMAL,
    SL_TYPE_DOUBLE,
    SL_TYPE_STRING,
    SL_TYPE_BYTES,
    SL_TYPE_DATE,
    SL_TYPE_TIME,
    SL_TYPE_TIMESTAMP,
    SL_TYPE_ARRAY,
    SL_TYPE_MAP,
    SL_TYPE_STRUCT,
    SL_TYPE_KIND_COUNT
} sl_type_kind_t;

#define SL_DECIMAL_MAX_TYPE_PRECISION 1000

typedef struct sl_type_s sl_type_t;

typedef struct sl_field_s {
    const char *name;      /* case-sensitive field name (NUL-terminated) */
    const sl_type_t *type; /* field type */
} sl_field_t;

struct sl_type_s {
    sl_type_kind_t kind;      /* which type */
    uint16_t precision;       /* DECIMAL: total digits */
    uint16_t scale;           /* DECIMAL: digits after the point (<= precision) */
    const sl_type_t *key;     /* MAP: key type */
    const sl_type_t *elem;    /* ARRAY: element type; MAP: value type */
    const sl_field_t *fields; /* STRUCT: fields in declaration order */
    uint32_t nfields;         /* STRUCT: number of fields (0 is allowed: STRUCT< >) */
};

/* Role of a column in a source's schema (ksqlDB's KEY / PRIMARY KEY / HEADERS columns). */
typedef enum sl_col_role_e {
    SL_COL_VALUE = 0,
    SL_COL_KEY,         /* `col type KEY` (streams) */
    SL_COL_PRIMARY_KEY, /* `col type PRIMARY KEY` (tables) */
    SL_COL_HEADERS,     /* `col ARRAY<STRUCT<KEY STRING, VALUE BYTES>> HEADERS` */
    SL_COL_HEADER       /* `col BYTES HEADER('key')` */
} sl_col_role_t;

typedef struct sl_column_s {
    const char *name;       /* column name, case-sensitive */
    const sl_type_t *type;  /* column type */
    sl_col_role_t role;     /* key, value or header column */
    const char *header_key; /* SL_COL_HEADER: the header's key, else NULL */
} sl_column_t;

/* ---- construction ------------------------------------------------------------------------ */

/* Static singleton of a scalar kind (NULL .. TIMESTAMP except DECIMAL); NULL for others. */
const sl_type_t *sl_type_prim(sl_type_kind_t kind);
#define SL_T_NULL      (sl_type_prim(SL_TYPE_NULL))
#define SL_T_BOOLEAN   (sl_type_prim(SL_TYPE_BOOLEAN))
#define SL_T_INTEGER   (sl_type_prim(SL_TYPE_INTEGER))
#define SL_T_BIGINT    (sl_type_prim(SL_TYPE_BIGINT))
#define SL_T_DOUBLE    (sl_type_prim(SL_TYPE_DOUBLE))
#define SL_T_STRING    (sl_type_prim(SL_TYPE_STRING))
#define SL_T_BYTES     (sl_type_prim(SL_TYPE_BYTES))
#define SL_T_DATE      (sl_type_prim(SL_TYPE_DATE))
#define SL_T_TIME      (sl_type_prim(SL_TYPE_TIME))
#define SL_T_TIMESTAMP (sl_type_prim(SL_TYPE_TIMESTAMP))

/* DECIMAL(precision, scale). SL_INVAL unless 1 <= precision <= SL_DECIMAL_MAX_TYPE_PRECISION
 * and 0 <= scale <= precision. */
int sl_type_decimal(sl_arena_t *a, int precision, int scale, const sl_type_t **out);
/* The DECIMAL an integer kind widens to: INTEGER -> DECIMAL(10, 0), BIGINT -> DECIMAL(19, 0);
 * a DECIMAL returns itself; other kinds NULL. Static, no arena needed. */
const sl_type_t *sl_type_as_decimal(const sl_type_t *t);
const sl_type_t *sl_type_array(sl_arena_t *a, const sl_type_t *elem);
const sl_type_t *sl_type_map(sl_arena_t *a, const sl_type_t *key, const sl_type_t *value);
/* Copies the field array and the names into the arena. */
const sl_type_t *sl_type_struct(sl_arena_t *a, const sl_field_t *fields, uint32_t n);

/* ---- inspection -------------------------------------------------------------------------- */

bool sl_type_equal(const sl_type_t *a, const sl_type_t *b);
static inline bool sl_type_is_numeric(const sl_type_t *t)
{
    return t->kind == SL_TYPE_INTEGER || t->kind == SL_TYPE_BIGINT || t->kind == SL_TYPE_DECIMAL ||
           t->kind == SL_TYPE_DOUBLE;
}
static inline bool sl_type_is_container(const sl_type_t *t)
{
    return t->kind == SL_TYPE_ARRAY || t->kind == SL_TYPE_MAP || t->kind == SL_TYPE_STRUCT;
}
/* Index of the field called `name` (case-sensitive), or -1. */
int sl_type_field_index(const sl_type_t *st, const char *name);
/* Base type name as ksqlDB's SqlBaseType prints it: "INTEGER", "DECIMAL", "ARRAY", ... */
const char *sl_type_kind_name(sl_type_kind_t kind);

/* ---- text form --------------------------------------------------------------------------- */

/* Appends ksqlDB's text form of t (see the header comment). */
void sl_type_format(const sl_type_t *t, sl_buf_t *out);
/* Same, as a NUL-terminated string in the arena. */
const char *sl_type_str(sl_arena_t *a, const sl_type_t *t);
/* Appends an identifier the way ksqlDB quotes it in type and schema text: `NAME`, with any
 * backtick doubled. */
void sl_ident_format(const char *name, sl_buf_t *out);

/* Resolves a custom type name (CREATE TYPE) while parsing; returns NULL if unknown. */
typedef const sl_type_t *(*sl_type_resolver_fn)(void *ud, const char *name);

/* Parses one type from text[0..len): every spelling ksqlDB's grammar accepts (INT, VARCHAR,
 * `DECIMAL(6,4)`, nested containers, quoted or bare field names; bare names are upper-cased).
 * `resolve` may be NULL. On failure returns SL_INVAL with a message in err. */
int sl_type_parse(sl_arena_t *a, const char *text, size_t len, sl_type_resolver_fn resolve,
                  void *ud, const sl_type_t **out, char *err, size_t errlen);

/* Parses a column list as written in CREATE STREAM/TABLE and in the test cases' schemas:
 * "ID INT KEY, `name` STRING, S STRUCT<F1 INT>, H BYTES HEADER('k')". The column array is
 * allocated in the arena. */
int sl_schema_parse(sl_arena_t *a, const char *text, size_t len, sl_type_resolver_fn resolve,
                    void *ud, sl_column_t **cols, uint32_t *ncols, char *err, size_t errlen);
/* ksqlDB's LogicalSchema text: "`K` STRING KEY, `V` INTEGER". */
void sl_schema_format(const sl_column_t *cols, uint32_t ncols, sl_buf_t *out);

/* ---- widening ---------------------------------------------------------------------------- */

/* Whether a value of type `from` may be passed where `to` is expected without an explicit
 * CAST (ksqlDB's implicit widening): equal types; INTEGER -> BIGINT -> DECIMAL -> DOUBLE;
 * any DECIMAL -> a DECIMAL that holds it (integer and fraction digits both fit); containers
 * element-wise; STRUCTs field-wise by name. */
bool sl_type_can_widen(const sl_type_t *from, const sl_type_t *to);

/* The narrowest type both a and b widen to, or NULL if there is none. Numbers follow the
 * ladder above; two DECIMALs give DECIMAL(max integer digits + max scale, max scale); an
 * integer meets a DECIMAL as DECIMAL(10, 0) / DECIMAL(19, 0). ARRAY and MAP widen element-
 * wise; STRUCTs with the same field names field-wise. */
const sl_type_t *sl_type_widen(sl_arena_t *a, const sl_type_t *x, const sl_type_t *y);

#endif
