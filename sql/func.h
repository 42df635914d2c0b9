/*
 * func.h — the scalar function registry: names, overloads with typed (and generic) parameters,
 * result-type rules, descriptions, and the implementations of ksqlDB's built-in functions.
 *
 * Each sql/func_<group>.c file holds one group (strings, math, dates and times, JSON, arrays
 * and maps, URLs, nulls and conversions) as a table of sl_fdef_t rows; the registry
 * (func_registry.c) collects the tables once, parses each row's signature and serves lookups.
 * A function that is not implemented is simply absent: the binder then answers
 * "Can't find any functions with the name 'X'", exactly as ksqlDB does for unknown functions.
 *
 * Signatures are written in SQL type syntax with single upper-case letters as generic types:
 *
 *   params  "STRING input, INTEGER start, INTEGER length"
 *           "ARRAY<T> array, T element"          generic T bound by the arguments
 *           "T first, T... others"               last parameter variadic (zero or more)
 *           "ARRAY<T> array, LAMBDA(T) => U fn"  lambda with one parameter, result U
 *           "DECIMAL value"                      any DECIMAL(p, s)
 *           "STRUCT s"                           any STRUCT
 *           "ANY value"                          any type (not bound)
 *           "INTERVALUNIT unit"                  a time unit keyword: DATEADD(DAYS, 1, d);
 *                                                the implementation sees its name as STRING
 *   ret     "STRING", "ARRAY<T>", or NULL when ret_fn computes the type (DECIMAL results)
 *
 * Overload resolution follows ksqlDB's UdfIndex: first without implicit casts (NULL arguments
 * match anything), then with them (INTEGER -> BIGINT -> DECIMAL -> DOUBLE, and a STRING literal
 * to DATE/TIME/TIMESTAMP). Exactly one best candidate wins (non-variadic over variadic); a tie
 * is "cannot be resolved due to ambiguous method parameters", none is "does not accept
 * parameters".
 *
 * @locality any thread (the registry is built once and read-only afterwards).
 */
#ifndef SL_SQL_FUNC_H
#define SL_SQL_FUNC_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "sql/types.h"
#include "sql/value.h"

typedef struct sl_eval_s sl_eval_t; /* expr.h */
typedef struct sl_expr_s sl_expr_t; /* expr.h */

/* One bound call site: what an implementation sees besides the argument values. */
typedef struct sl_fcall_s {
    const sl_type_t *ret;         /* result type */
    const sl_type_t *const *argt; /* argument types (after implicit casts); NULL for lambdas */
    sl_expr_t *const *argx;       /* argument expressions (lambdas are called through these) */
    uint32_t nargs;               /* number of arguments */
    void *cache;                  /* state prepared at bind time by the overload's prep, or NULL */
} sl_fcall_t;

/* Computes a call's value. args[i] is the value of argument i (lambda arguments are not
 * evaluated: their slots hold NULL). Returns 0 with *out set (allocations from ctx->arena), or
 * a negative status after sl_eval_fail() described the problem; the runtime turns that into a
 * NULL result and a processing-log entry, like ksqlDB's failing UDF. */
typedef int (*sl_func_impl_fn)(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                               sl_value_t *out);
/* Result type from the argument types (after implicit casts). */
typedef int (*sl_func_ret_fn)(sl_arena_t *a, const sl_type_t *const *argt, uint32_t n,
                              const sl_type_t **out, char *err, size_t errlen);
/* Bind-time preparation of a call (e.g. compile a constant regex); may set call->cache (arena
 * memory, or memory the function keeps for good). A failure becomes a bind error. */
typedef int (*sl_func_prep_fn)(sl_arena_t *a, sl_fcall_t *call, char *err, size_t errlen);

enum {
    SL_FN_NULLS = 1 << 0,    /* any NULL argument: result NULL, fn not called */
    SL_FN_VOLATILE = 1 << 1, /* result varies between calls with equal arguments (RANDOM) */
};

/* One overload, as written in a group's table. Consecutive rows with the same name form one
 * function; the first row's desc/category describe it. */
typedef struct sl_fdef_s {
    const char *name;      /* ksqlDB's spelling (messages quote it), looked up ignoring case */
    const char *params;    /* parameter signature, see above */
    const char *ret;       /* result type signature, or NULL with ret_fn */
    sl_func_impl_fn fn;    /* implementation */
    sl_func_ret_fn ret_fn; /* result type rule when ret is NULL */
    sl_func_prep_fn prep;  /* optional bind-time preparation */
    unsigned flags;        /* SL_FN_* */
    const char *category;  /* SHOW FUNCTIONS category: "STRING", "MATHEMATICAL", ... */
    const char *desc;      /* DESCRIBE FUNCTION text */
} sl_fdef_t;

typedef struct sl_ptype_s sl_ptype_t; /* parsed parameter type pattern (func_registry.c) */

typedef struct sl_overload_s {
    const sl_fdef_t *def;      /* the table row */
    const sl_ptype_t **params; /* parameter patterns */
    const char **pnames;       /* parameter names */
    uint32_t nparams;          /* number of declared parameters */
    bool variadic;             /* the last parameter repeats zero or more times */
    const sl_ptype_t *ret;     /* result pattern, NULL when def->ret_fn decides */
} sl_overload_t;

typedef struct sl_func_s {
    const char *name;         /* ksqlDB's spelling */
    const char *category;     /* SHOW FUNCTIONS category */
    const char *desc;         /* description */
    const sl_overload_t *ovs; /* overloads in table order */
    uint32_t novs;            /* number of overloads */
} sl_func_t;

/* The function called `name` (case-insensitive), or NULL. */
const sl_func_t *sl_func_lookup(const char *name);
/* All functions, sorted by upper-cased name (SHOW FUNCTIONS). */
void sl_func_all(const sl_func_t *const **out, uint32_t *n);
/* "STRING input, INTEGER length" with generics as written; for DESCRIBE FUNCTION. */
void sl_overload_format_params(const sl_overload_t *ov, sl_buf_t *out);
/* The result type as written ("ARRAY<T>") or "DECIMAL" for computed results. */
void sl_overload_format_ret(const sl_overload_t *ov, sl_buf_t *out);

/* ---- resolution (used by the binder) ----------------------------------------------------- */

/* What the binder knows about one argument before choosing an overload. */
typedef struct sl_farg_s {
    const sl_type_t *type;  /* argument type; SL_T_NULL for an untyped NULL; NULL for a lambda */
    bool string_literal;    /* a STRING literal (may convert to DATE/TIME/TIMESTAMP) */
    bool time_unit;         /* a time unit keyword (DAYS, ...): matches INTERVALUNIT only */
    uint32_t lambda_params; /* lambda: number of parameters */
} sl_farg_t;

/* Binds lambda argument `argi` with the given parameter types; returns its body's type. */
typedef int (*sl_bind_lambda_fn)(void *ud, uint32_t argi, const sl_type_t *const *ptypes,
                                 uint32_t np, const sl_type_t **body_type);

/* Chooses the overload for the arguments and computes the types: ptypes[i] is the type
 * argument i must be cast to (equal to its own type when no cast is needed; for a lambda, NULL)
 * and *ret the result type. Messages follow ksqlDB:
 *   "Function 'least' does not accept parameters (STRING, INTEGER).\nValid alternatives are:..."
 *   "Function 'least' cannot be resolved due to ambiguous method parameters (INTEGER, BIGINT)."
 */
int sl_func_resolve(sl_arena_t *a, const sl_func_t *f, const sl_farg_t *args, uint32_t n,
                    sl_bind_lambda_fn bind_lambda, void *ud, const sl_overload_t **ov,
                    const sl_type_t **ptypes, const sl_type_t **ret, char *err, size_t errlen);

/* ---- function groups (each sql/func_<group>.c) ------------------------------------------- */

extern const sl_fdef_t sl_func_string_defs[];
extern const sl_fdef_t sl_func_math_defs[];
extern const sl_fdef_t sl_func_time_defs[];
extern const sl_fdef_t sl_func_json_defs[];
extern const sl_fdef_t sl_func_coll_defs[];
extern const sl_fdef_t sl_func_misc_defs[];
/* Each table ends with a row whose name is NULL. */

/* ---- shared helpers for implementations -------------------------------------------------- */

/* Time zones from the system tz database (/usr/share/zoneinfo), loaded once per name and kept
 * for the life of the process: "UTC", "America/Los_Angeles", fixed offsets "+05:30", "GMT+2",
 * "UTC-08:00". */
typedef struct sl_tz_s sl_tz_t;
int sl_tz_get(const char *name, size_t n, const sl_tz_t **out, char *err, size_t errlen);
/* Offset from UTC in seconds at an instant (ms since epoch). */
int32_t sl_tz_offset_at(const sl_tz_t *tz, int64_t ms);
/* Offset for a local wall-clock time (ms since the local epoch): the earlier offset in an
 * overlap, the offset before the gap in a gap (java.time's ZonedDateTime.ofLocal rules). */
int32_t sl_tz_offset_local(const sl_tz_t *tz, int64_t local_ms);
/* Zone id as given ("America/New_York") and the abbreviation in force at ms ("PST"). */
const char *sl_tz_name(const sl_tz_t *tz);
const char *sl_tz_abbrev_at(const sl_tz_t *tz, int64_t ms);

/* Java DateTimeFormatter patterns (func_timefmt.c): the common subset — y u M L d D H h k K m s
 * S (fractions) a E (text) z Z X x O VV (zones), 'quoted text', '', [optional] sections — in
 * both directions, in a given time zone. Other letters fail at compile time with "not supported
 * yet". */
typedef struct sl_dtfmt_s sl_dtfmt_t;
int sl_dtfmt_compile(sl_arena_t *a, const char *pattern, size_t n, sl_dtfmt_t **out, char *err,
                     size_t errlen);
/* Formats epoch milliseconds in the given zone (NULL zone: UTC). */
int sl_dtfmt_format(const sl_dtfmt_t *f, int64_t ms, const sl_tz_t *zone, sl_buf_t *out, char *err,
                    size_t errlen);
/* Parses text; fields not in the pattern default to 1970-01-01T00:00:00.000; a zone in the text
 * wins over `zone` (NULL: UTC). *ms is epoch milliseconds. */
int sl_dtfmt_parse(const sl_dtfmt_t *f, const char *s, size_t n, const sl_tz_t *zone, int64_t *ms,
                   char *err, size_t errlen);
/* Whether the pattern has date fields / time-of-day fields (PARSE_DATE rejects time fields). */
bool sl_dtfmt_has_time(const sl_dtfmt_t *f);
bool sl_dtfmt_has_date(const sl_dtfmt_t *f);

/* Text helpers shared by the function groups (func_string.c). */
size_t sl_func_utf8_decode(const char *s, size_t n, uint32_t *cp); /* bytes used; U+FFFD if bad */
size_t sl_func_utf8_encode(uint32_t cp, char *out);                /* out needs 4 bytes */
size_t sl_func_u16_len(const char *s, size_t n);                   /* Java String.length() */
size_t sl_func_u16_off(const char *s, size_t n, size_t unit);      /* byte offset of a unit index */
uint32_t sl_func_cp_upper(uint32_t cp);
uint32_t sl_func_cp_lower(uint32_t cp);
bool sl_func_cp_is_space(uint32_t cp); /* Java's Character.isWhitespace */
/* Uniform double in [0, 1) from the evaluation context's generator (RANDOM, UUID). */
double sl_func_random(sl_eval_t *ctx);

#endif
