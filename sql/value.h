/*
 * value.h — SQL values: one tagged struct per value, NULL included, with the ksqlDB semantics
 * of every conversion the engine needs: CAST between types, Java-compatible text forms,
 * equality/ordering/hashing, and the JSON form of ksqlDB's JSON serde.
 *
 * Invariants:
 *   - A value does not own memory. Strings, bytes and container elements point into an arena
 *     (the per-record arena while evaluating) or into a buffer the caller keeps alive (a
 *     decoded record); sl_value_copy moves a value into another arena.
 *   - STRING and BYTES are (pointer, length); strings are UTF-8 and NOT NUL-terminated.
 *   - A value's `kind` is the kind of its static type, or SL_TYPE_NULL. Values carry no other
 *     type information: whoever holds one also holds its sl_type_t (struct field names, element
 *     types, DECIMAL precision).
 *   - DECIMAL is an unscaled 128-bit integer and a scale: value = unscaled / 10^scale. Values of
 *     a DECIMAL(p, s) type always have scale s and at most p digits. 128 bits hold every
 *     38-digit number, which is ksqlDB's practical limit; a type may declare more digits (ksqlDB
 *     accepts DECIMAL(50, 30)) but a value needing more than 38 digits fails loudly
 *     (SL_RANGE, "exceeds 38 digits") instead of rounding.
 *   - DATE is days since 1970-01-01, TIME milliseconds of the day, TIMESTAMP milliseconds since
 *     the epoch (UTC), as ksqlDB stores them.
 *   - MAP entries keep insertion order (ksqlDB's maps print in insertion order); keys are unique
 *     (the constructors keep the last value of a repeated key).
 *
 * @locality any thread (pure functions over caller-owned memory).
 */
#ifndef SL_SQL_VALUE_H
#define SL_SQL_VALUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "sql/types.h"

typedef __int128 sl_i128;

/* Values may hold this many decimal digits (10^38 - 1 fits in a signed 128-bit integer). */
#define SL_DECIMAL_MAX_DIGITS 38

typedef struct sl_value_s sl_value_t;
struct sl_value_s {
    uint8_t kind;   /* sl_type_kind_t of the value; SL_TYPE_NULL for NULL */
    uint8_t unused; /* padding, zero */
    uint16_t scale; /* DECIMAL: digits after the point */
    uint32_t len;   /* STRING/BYTES: bytes; ARRAY/STRUCT: elements; MAP: entries */
    union {
        bool b;             /* BOOLEAN */
        int32_t i32;        /* INTEGER; DATE (days); TIME (ms of day) */
        int64_t i64;        /* BIGINT; TIMESTAMP (ms since epoch) */
        double f64;         /* DOUBLE */
        sl_i128 dec;        /* DECIMAL: unscaled value */
        const char *str;    /* STRING: UTF-8 bytes, not NUL-terminated */
        const uint8_t *bin; /* BYTES */
        sl_value_t *items;  /* ARRAY elements; STRUCT fields in the type's order */
        sl_value_t *kv;     /* MAP: 2 * len values, key then value */
    } u;
};

/* ---- constructors ------------------------------------------------------------------------ */

static inline sl_value_t sl_v_null(void)
{
    sl_value_t v = {.kind = SL_TYPE_NULL};
    return v;
}
static inline bool sl_v_is_null(const sl_value_t *v)
{
    return v->kind == SL_TYPE_NULL;
}
static inline sl_value_t sl_v_bool(bool b)
{
    sl_value_t v = {.kind = SL_TYPE_BOOLEAN, .u.b = b};
    return v;
}
static inline sl_value_t sl_v_int(int32_t i)
{
    sl_value_t v = {.kind = SL_TYPE_INTEGER, .u.i32 = i};
    return v;
}
static inline sl_value_t sl_v_bigint(int64_t i)
{
    sl_value_t v = {.kind = SL_TYPE_BIGINT, .u.i64 = i};
    return v;
}
static inline sl_value_t sl_v_double(double d)
{
    sl_value_t v = {.kind = SL_TYPE_DOUBLE, .u.f64 = d};
    return v;
}
static inline sl_value_t sl_v_dec(sl_i128 unscaled, int scale)
{
    sl_value_t v = {.kind = SL_TYPE_DECIMAL, .scale = (uint16_t)scale, .u.dec = unscaled};
    return v;
}
static inline sl_value_t sl_v_str(const char *p, size_t n)
{
    sl_value_t v = {.kind = SL_TYPE_STRING, .len = (uint32_t)n, .u.str = p};
    return v;
}
static inline sl_value_t sl_v_bytes(const uint8_t *p, size_t n)
{
    sl_value_t v = {.kind = SL_TYPE_BYTES, .len = (uint32_t)n, .u.bin = p};
    return v;
}
static inline sl_value_t sl_v_date(int32_t days)
{
    sl_value_t v = {.kind = SL_TYPE_DATE, .u.i32 = days};
    return v;
}
static inline sl_value_t sl_v_time(int32_t ms)
{
    sl_value_t v = {.kind = SL_TYPE_TIME, .u.i32 = ms};
    return v;
}
static inline sl_value_t sl_v_ts(int64_t ms)
{
    sl_value_t v = {.kind = SL_TYPE_TIMESTAMP, .u.i64 = ms};
    return v;
}
static inline sl_value_t sl_v_array(sl_value_t *items, uint32_t n)
{
    sl_value_t v = {.kind = SL_TYPE_ARRAY, .len = n, .u.items = items};
    return v;
}
static inline sl_value_t sl_v_map(sl_value_t *kv, uint32_t n)
{
    sl_value_t v = {.kind = SL_TYPE_MAP, .len = n, .u.kv = kv};
    return v;
}
static inline sl_value_t sl_v_struct(sl_value_t *fields, uint32_t n)
{
    sl_value_t v = {.kind = SL_TYPE_STRUCT, .len = n, .u.items = fields};
    return v;
}
/* A string copied into the arena. */
sl_value_t sl_v_str_copy(sl_arena_t *a, const char *p, size_t n);
/* Copies v (and everything it points to) into the arena. */
void sl_value_copy(sl_arena_t *a, const sl_value_t *v, sl_value_t *out);

/* ---- decimals ---------------------------------------------------------------------------- */

/* 10^n for n in 0..38. */
sl_i128 sl_dec_pow10(int n);
/* Number of decimal digits of |v| (1 for 0). */
int sl_dec_digits(sl_i128 v);
/* Parses a Java BigDecimal string ("-12.340", "1E+3", "1.5e-2", leading/trailing blanks not
 * allowed). Returns the unscaled value and scale; a negative scale is normalised to 0 by
 * multiplying out. SL_INVAL if not a number, SL_RANGE beyond 38 digits. */
int sl_dec_parse(const char *s, size_t n, sl_i128 *unscaled, int *scale);
/* Changes the scale, rounding HALF_UP when digits are dropped. SL_RANGE on overflow. */
int sl_dec_rescale(sl_i128 v, int from_scale, int to_scale, sl_i128 *out);
/* Fits v (at scale s) into DECIMAL(p, s): SL_RANGE with ksqlDB's "Numeric field overflow"
 * message if it has more than p - s integer digits. */
int sl_dec_check(sl_i128 v, int precision, int scale, char *err, size_t errlen);
/* Three-way comparison of a/10^sa and b/10^sb. */
int sl_dec_cmp(sl_i128 a, int sa, sl_i128 b, int sb);
/* Plain text ("-0.050"), as BigDecimal.toPlainString(). buf needs 42 bytes. */
size_t sl_dec_to_str(sl_i128 v, int scale, char *buf);
double sl_dec_to_double(sl_i128 v, int scale);
/* BigDecimal.valueOf(d).setScale(scale, HALF_UP): goes through Java's Double.toString digits,
 * so 0.1 becomes exactly 0.1. SL_INVAL for NaN/Infinity, SL_RANGE on overflow. */
int sl_dec_from_double(double d, int scale, sl_i128 *out);

/* ---- Java-compatible text of numbers, dates and times ------------------------------------ */

/* Java's Double.toString(d): "1.0", "0.001", "1.0E-4", "1.234E10", "NaN", "Infinity".
 * buf needs 32 bytes. Returns the length. */
size_t sl_value_double_str(double d, char *buf);
/* Parsers with Java semantics (Integer.parseInt, Long.parseLong, Double.parseDouble). They take
 * the whole string: SL_INVAL for junk, SL_RANGE for overflow. parse_double trims blanks like
 * Java does; the integer parsers do not (callers trim where ksqlDB trims). */
int sl_value_parse_i32(const char *s, size_t n, int32_t *out);
int sl_value_parse_i64(const char *s, size_t n, int64_t *out);
int sl_value_parse_double(const char *s, size_t n, double *out);
/* ksqlDB's SqlBooleans.parseBooleanExact: case-insensitive, non-empty prefixes of "true"/"yes"
 * are true, of "false"/"no" false; anything else SL_INVAL. */
int sl_value_parse_bool(const char *s, size_t n, bool *out);

/* Days since 1970-01-01 <-> proleptic Gregorian y-m-d. */
int64_t sl_value_days_from_civil(int64_t y, unsigned m, unsigned d);
void sl_value_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* Floor division/modulo of a timestamp into days and milliseconds of the day. */
static inline int64_t sl_value_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}
static inline int64_t sl_value_floor_mod(int64_t a, int64_t b)
{
    return a - sl_value_floor_div(a, b) * b;
}

/* ISO text as ksqlDB's CAST(... AS STRING) prints it: DATE "2022-04-28", TIME "21:44:47" (with
 * ".943" when there are milliseconds, trailing zeros dropped like ISO_LOCAL_TIME), TIMESTAMP
 * "2022-04-28T21:44:47.943" (always three fraction digits, UTC). buf needs 40 bytes. */
size_t sl_value_date_str(int32_t days, char *buf);
size_t sl_value_time_str(int32_t ms, char *buf);
size_t sl_value_ts_str(int64_t ms, char *buf);
/* Parses ksqlDB's partial ISO timestamps (CAST(string AS TIMESTAMP)): "2022", "2022-04",
 * "2022-04-28", "2022-04-28T21", "...T21:44", "...T21:44:47", "...T21:44:47.943", optionally
 * followed by "Z" or an offset "+01:00"/"+0100"/"+01". Missing parts are the start of the
 * period. */
int sl_value_parse_ts(const char *s, size_t n, int64_t *ms);
/* Date part of the same partial form (time of day, if given, is dropped). */
int sl_value_parse_date(const char *s, size_t n, int32_t *days);
/* "HH", "HH:mm", "HH:mm:ss", "HH:mm:ss.SSS..." */
int sl_value_parse_time(const char *s, size_t n, int32_t *ms);

/* ---- base64 (BYTES in JSON, TO_BYTES/FROM_BYTES) ----------------------------------------- */

void sl_value_base64_encode(const uint8_t *p, size_t n, sl_buf_t *out);
/* Standard alphabet with padding (padding optional on input). SL_INVAL on bad input. The
 * output is allocated in the arena. */
int sl_value_base64_decode(sl_arena_t *a, const char *s, size_t n, uint8_t **out, size_t *outlen);

/* ---- casts ------------------------------------------------------------------------------- */

/* Whether CAST(x AS to) is allowed for an x of type `from` (ksqlDB's CastEvaluator matrix):
 * anything to STRING; numbers among themselves and from STRING; BOOLEAN from STRING;
 * DATE/TIME/TIMESTAMP from STRING and from TIMESTAMP (DATE, TIME) or DATE (TIMESTAMP);
 * BYTES only from BYTES; ARRAY/MAP/STRUCT from their own kind when the parts cast. */
bool sl_value_cast_allowed(const sl_type_t *from, const sl_type_t *to);
/* CAST with ksqlDB's runtime rules: integers wrap (BIGINT 2147483648 -> INTEGER -2147483648),
 * DOUBLE to integers truncates and saturates like Java's (int)/(long), DECIMAL rounds HALF_UP
 * and fails on overflow, strings are parsed (failure -> error with the reason in err). NULL
 * casts to NULL. Result memory comes from the arena. */
int sl_value_cast(sl_arena_t *a, const sl_value_t *in, const sl_type_t *from, const sl_type_t *to,
                  sl_value_t *out, char *err, size_t errlen);

/* ---- text form --------------------------------------------------------------------------- */

/* Appends the value as ksqlDB's CAST(x AS STRING) renders it (Java toString conventions):
 * numbers as Java prints them, DECIMAL plain, BYTES base64, ARRAY "[1, 2]", MAP "{a=1}",
 * STRUCT "Struct{A=1,B=x}" (NULL fields left out), NULL inside containers as "null". A
 * top-level NULL appends "null"; callers that want SQL NULL check first. */
void sl_value_to_text(const sl_value_t *v, const sl_type_t *t, sl_buf_t *out);
/* Same, as a STRING value in the arena. */
sl_value_t sl_value_to_string(sl_arena_t *a, const sl_value_t *v, const sl_type_t *t);

/* ---- comparison -------------------------------------------------------------------------- */

/* Ordering of two non-NULL values of the same orderable type (numbers, STRING by UTF-16 code
 * units like Java's compareTo, BYTES unsigned, BOOLEAN false < true, DATE/TIME/TIMESTAMP).
 * Numbers of different kinds compare by value. Containers compare element-wise (used for
 * sorting, e.g. ARRAY_SORT of arrays). */
int sl_value_cmp(const sl_value_t *a, const sl_value_t *b, const sl_type_t *t);
/* Java equals(): deep, NULL equals NULL, numbers by value. */
bool sl_value_eq(const sl_value_t *a, const sl_value_t *b, const sl_type_t *t);
/* Hash consistent with sl_value_eq for values of the same type. */
uint64_t sl_value_hash(const sl_value_t *v, const sl_type_t *t);

/* ---- JSON (ksqlDB's JSON serde) ---------------------------------------------------------- */

/* Writes the value as ksqlDB's JSON serializer does: DECIMAL as an exact number with its
 * scale, DATE/TIME/TIMESTAMP as numbers (days, ms, ms), BYTES as base64, MAP as an object
 * (keys rendered as text), STRUCT as an object in field order, DOUBLE in Java form with NaN and
 * infinities as strings ("NaN", "Infinity", "-Infinity"), NULL as null. */
void sl_value_write_json(const sl_value_t *v, const sl_type_t *t, sl_buf_t *out);
/* Same as a jansson value (new reference). jansson has no exact decimals: DECIMAL becomes a
 * real, exact up to 17 significant digits. Prefer sl_value_write_json for output. */
json_t *sl_value_to_json(const sl_value_t *v, const sl_type_t *t);
/* Reads a JSON value into type t the lenient way ksqlDB's JSON deserializer does: numbers
 * convert between numeric types (fractions truncate into integers), numeric and boolean text
 * is parsed, STRING accepts any JSON (containers as JSON text), DECIMAL is rescaled HALF_UP and
 * checked, BYTES is base64 text, STRUCT fields match names exactly first and then ignoring
 * case, missing fields are NULL. SL_INVAL with a message for a mismatch. Strings are copied
 * into the arena, so the result does not depend on j staying alive. */
int sl_value_from_json(sl_arena_t *a, const json_t *j, const sl_type_t *t, sl_value_t *out,
                       char *err, size_t errlen);

/* JSON text of a jansson value the way Jackson's JsonNode.toString() prints it: compact, keys in
 * document order, reals in Java's Double.toString form. */
void sl_value_json_dump_java(const json_t *j, sl_buf_t *out);
/* Appends s[0..n) as a JSON string literal (quotes and escapes). */
void sl_value_json_put_string(const char *s, size_t n, sl_buf_t *out);

#endif
