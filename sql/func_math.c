/*
 * func_math.c — ksqlDB's mathematical functions.
 *
 * Rounding follows ksqlDB's Round UDF: half away from zero for positive numbers and half
 * towards zero for negative ones (HALF_UP / HALF_DOWN by sign), i.e. halves round towards
 * positive infinity, like Java's Math.round: ROUND(-1.5) is -1. ROUND(DOUBLE) returns BIGINT,
 * ROUND(DECIMAL(p, s)) returns DECIMAL(p - s, 0), with a scale argument the input's type.
 * Functions that ksqlDB defines on DOUBLE only (SQRT, LN, trigonometry, ...) take integers and
 * decimals through implicit widening, as ksqlDB's resolver does.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "sql/expr.h"
#include "sql/func.h"

typedef enum { RM_HALF_CEIL, RM_FLOOR, RM_CEIL, RM_DOWN } rmode_t;

/* Changes the scale of v with a rounding mode; SL_RANGE on overflow. */
static int dec_round(sl_i128 v, int from, int to, rmode_t mode, sl_i128 *out)
{
    sl_i128 p, q, r;
    if (to >= from) return sl_dec_rescale(v, from, to, out);
    if (from - to > SL_DECIMAL_MAX_DIGITS) {
        /* everything is fraction */
        q = 0;
        r = v;
        p = 0;
    } else {
        p = sl_dec_pow10(from - to);
        q = v / p;
        r = v % p;
    }
    if (r != 0) {
        switch (mode) {
        case RM_HALF_CEIL:
            if (p != 0) {
                sl_i128 twice = r < 0 ? -r * 2 : r * 2;
                if (r > 0 && twice >= p)
                    q++;
                else if (r < 0 && twice > p)
                    q--;
            }
            break;
        case RM_FLOOR:
            if (r < 0) q--;
            break;
        case RM_CEIL:
            if (r > 0) q++;
            break;
        case RM_DOWN:
            break;
        }
    }
    *out = q;
    return SL_OK;
}

/* Rounds at `places` decimal digits (negative: left of the point), keeping scale `s`. */
static int dec_round_places(sl_i128 v, int s, int64_t places, rmode_t mode, sl_i128 *out)
{
    sl_i128 q;
    int rc;
    if (places >= s) {
        *out = v;
        return SL_OK;
    }
    if (places < -(int64_t)SL_DECIMAL_MAX_DIGITS) places = -(int64_t)SL_DECIMAL_MAX_DIGITS - 1;
    if (places >= 0) {
        if ((rc = dec_round(v, s, (int)places, mode, &q)) != SL_OK) return rc;
        return sl_dec_rescale(q, (int)places, s, out);
    }
    /* round to a multiple of 10^-places */
    {
        int k = (int)-places;
        sl_i128 whole, frac_part;
        if (k > SL_DECIMAL_MAX_DIGITS) {
            *out = 0;
            return SL_OK;
        }
        /* exact value at scale s, rounded at k digits left of the point */
        whole = v;
        if ((rc = dec_round(whole, s + k, 0, mode, &frac_part)) != SL_OK) return rc;
        /* frac_part is round(v / 10^k); scale back */
        if ((rc = sl_dec_rescale(frac_part, 0, k, &q)) != SL_OK) return rc;
        return sl_dec_rescale(q, 0, s, out);
    }
}

static int dec_result(sl_eval_t *ctx, sl_i128 v, const sl_type_t *t, sl_value_t *out)
{
    char err[256];
    if (t->precision <= SL_DECIMAL_MAX_DIGITS &&
        sl_dec_check(v, t->precision, t->scale, err, sizeof(err)) != SL_OK)
        return sl_eval_fail(ctx, SL_RANGE, "%s", err);
    *out = sl_v_dec(v, t->scale);
    return SL_OK;
}

/* ---- result-type rules ------------------------------------------------------------------- */

static int ret_same(sl_arena_t *a, const sl_type_t *const *argt, uint32_t n, const sl_type_t **out,
                    char *err, size_t errlen)
{
    *out = argt[0];
    return SL_OK;
}

/* DECIMAL(p - s, 0) (at least 1 digit): ROUND/TRUNC without a scale */
static int ret_dec_int(sl_arena_t *a, const sl_type_t *const *argt, uint32_t n,
                       const sl_type_t **out, char *err, size_t errlen)
{
    int p = argt[0]->precision - argt[0]->scale;
    if (p < 1) p = 1;
    if (sl_type_decimal(a, p, 0, out) != SL_OK) {
        snprintf(err, errlen, "invalid DECIMAL result");
        return SL_INVAL;
    }
    return SL_OK;
}

/* The widest of all DECIMAL arguments (GREATEST/LEAST). */
static int ret_dec_widest(sl_arena_t *a, const sl_type_t *const *argt, uint32_t n,
                          const sl_type_t **out, char *err, size_t errlen)
{
    const sl_type_t *t = NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (!argt[i] || argt[i]->kind != SL_TYPE_DECIMAL) continue;
        t = t ? sl_type_widen(a, t, argt[i]) : argt[i];
    }
    if (!t) {
        snprintf(err, errlen, "invalid DECIMAL arguments");
        return SL_INVAL;
    }
    *out = t;
    return SL_OK;
}

/* ---- ABS, CEIL, FLOOR, SIGN -------------------------------------------------------------- */

static int fn_abs(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    const sl_value_t *v = &args[0];
    switch (v->kind) {
    case SL_TYPE_INTEGER:
        *out = sl_v_int(v->u.i32 < 0 ? (int32_t)(0u - (uint32_t)v->u.i32) : v->u.i32);
        break;
    case SL_TYPE_BIGINT:
        *out = sl_v_bigint(v->u.i64 < 0 ? (int64_t)(0 - (uint64_t)v->u.i64) : v->u.i64);
        break;
    case SL_TYPE_DOUBLE:
        *out = sl_v_double(fabs(v->u.f64));
        break;
    default:
        *out = sl_v_dec(v->u.dec < 0 ? -v->u.dec : v->u.dec, v->scale);
        break;
    }
    return SL_OK;
}

static int ceil_floor(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *v, bool up,
                      sl_value_t *out)
{
    switch (v->kind) {
    case SL_TYPE_INTEGER:
    case SL_TYPE_BIGINT:
        *out = *v;
        return SL_OK;
    case SL_TYPE_DOUBLE:
        *out = sl_v_double(up ? ceil(v->u.f64) : floor(v->u.f64));
        return SL_OK;
    default: {
        sl_i128 q, r;
        int rc = dec_round(v->u.dec, v->scale, 0, up ? RM_CEIL : RM_FLOOR, &q);
        if (rc == SL_OK) rc = sl_dec_rescale(q, 0, v->scale, &r);
        if (rc != SL_OK) return sl_eval_fail(ctx, SL_RANGE, "DECIMAL overflow");
        return dec_result(ctx, r, call->ret, out);
    }
    }
}

static int fn_ceil(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    return ceil_floor(ctx, call, &args[0], true, out);
}

static int fn_floor(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    return ceil_floor(ctx, call, &args[0], false, out);
}

static int fn_sign(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    const sl_value_t *v = &args[0];
    int s;
    switch (v->kind) {
    case SL_TYPE_INTEGER:
        s = (v->u.i32 > 0) - (v->u.i32 < 0);
        break;
    case SL_TYPE_BIGINT:
        s = (v->u.i64 > 0) - (v->u.i64 < 0);
        break;
    case SL_TYPE_DOUBLE:
        s = isnan(v->u.f64) ? 0 : (v->u.f64 > 0) - (v->u.f64 < 0);
        break;
    default:
        s = (v->u.dec > 0) - (v->u.dec < 0);
        break;
    }
    *out = sl_v_int(s);
    return SL_OK;
}

/* ---- ROUND, TRUNC ------------------------------------------------------------------------ */

/* Rounds a double at `places` digits through its Java decimal form (BigDecimal.valueOf). */
static double round_double(double d, int64_t places, rmode_t mode)
{
    char buf[40];
    sl_i128 v, r;
    int sc;
    if (!isfinite(d)) return d;
    sl_value_double_str(d, buf);
    if (sl_dec_parse(buf, strlen(buf), &v, &sc) != SL_OK)
        return d; /* beyond 38 digits: no fraction left to round */
    if (dec_round_places(v, sc, places, mode, &r) != SL_OK) return d;
    return sl_dec_to_double(r, sc);
}

static int fn_round(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    const sl_value_t *v = &args[0];
    bool scaled = call->nargs > 1;
    int64_t places = scaled ? args[1].u.i32 : 0;
    switch (v->kind) {
    case SL_TYPE_INTEGER:
    case SL_TYPE_BIGINT:
        *out = *v;
        return SL_OK;
    case SL_TYPE_DOUBLE:
        if (!scaled) {
            /* Math.round: floor(x + 0.5), saturating */
            double d = v->u.f64, r;
            if (isnan(d)) {
                *out = sl_v_bigint(0);
                return SL_OK;
            }
            r = floor(d + 0.5);
            if (d == 0.49999999999999994) r = 0;
            if (r >= 9223372036854775807.0)
                *out = sl_v_bigint(INT64_MAX);
            else if (r <= -9223372036854775808.0)
                *out = sl_v_bigint(INT64_MIN);
            else
                *out = sl_v_bigint((int64_t)r);
            return SL_OK;
        }
        *out = sl_v_double(round_double(v->u.f64, places, RM_HALF_CEIL));
        return SL_OK;
    default: {
        sl_i128 r;
        if (!scaled) {
            if (dec_round(v->u.dec, v->scale, 0, RM_HALF_CEIL, &r) != SL_OK)
                return sl_eval_fail(ctx, SL_RANGE, "DECIMAL overflow");
        } else if (dec_round_places(v->u.dec, v->scale, places, RM_HALF_CEIL, &r) != SL_OK) {
            return sl_eval_fail(ctx, SL_RANGE, "DECIMAL overflow");
        }
        return dec_result(ctx, r, call->ret, out);
    }
    }
}

static int fn_trunc(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    const sl_value_t *v = &args[0];
    bool scaled = call->nargs > 1;
    int64_t places = scaled ? args[1].u.i32 : 0;
    switch (v->kind) {
    case SL_TYPE_INTEGER:
    case SL_TYPE_BIGINT:
        *out = *v;
        return SL_OK;
    case SL_TYPE_DOUBLE:
        if (!scaled) {
            double t = trunc(v->u.f64);
            *out = sl_v_bigint(isnan(t)                      ? 0
                               : t >= 9223372036854775807.0  ? INT64_MAX
                               : t <= -9223372036854775808.0 ? INT64_MIN
                                                             : (int64_t)t);
            return SL_OK;
        }
        *out = sl_v_double(round_double(v->u.f64, places, RM_DOWN));
        return SL_OK;
    default: {
        sl_i128 r;
        if (!scaled) {
            if (dec_round(v->u.dec, v->scale, 0, RM_DOWN, &r) != SL_OK)
                return sl_eval_fail(ctx, SL_RANGE, "DECIMAL overflow");
        } else if (dec_round_places(v->u.dec, v->scale, places, RM_DOWN, &r) != SL_OK) {
            return sl_eval_fail(ctx, SL_RANGE, "DECIMAL overflow");
        }
        return dec_result(ctx, r, call->ret, out);
    }
    }
}

/* ---- DOUBLE functions -------------------------------------------------------------------- */

#define DFN1(name, expr)                                                                           \
    static int name(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,                \
                    sl_value_t *out)                                                               \
    {                                                                                              \
        double x = args[0].u.f64;                                                                  \
        *out = sl_v_double(expr);                                                                  \
        return SL_OK;                                                                              \
    }

DFN1(fn_sqrt, sqrt(x))
DFN1(fn_exp, exp(x))
DFN1(fn_ln, log(x))
DFN1(fn_sin, sin(x))
DFN1(fn_cos, cos(x))
DFN1(fn_tan, tan(x))
DFN1(fn_asin, asin(x))
DFN1(fn_acos, acos(x))
DFN1(fn_atan, atan(x))
DFN1(fn_cot, 1.0 / tan(x))
DFN1(fn_sinh, sinh(x))
DFN1(fn_cosh, cosh(x))
DFN1(fn_tanh, tanh(x))
DFN1(fn_degrees, x *(180.0 / M_PI))
DFN1(fn_radians, x / 180.0 * M_PI)

/* glibc's cbrt is not correctly rounded (cbrt(27) = 3.0000000000000004); one Newton step brings
 * it to what Java's Math.cbrt returns for exact cubes. */
static int fn_cbrt(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    double x = args[0].u.f64, y = cbrt(x);
    if (isfinite(y) && y != 0) {
        double y2 = y - (y * y * y - x) / (3 * y * y);
        if (fabs(y2 * y2 * y2 - x) < fabs(y * y * y - x)) y = y2;
    }
    *out = sl_v_double(y);
    return SL_OK;
}

static int fn_atan2(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    *out = sl_v_double(atan2(args[0].u.f64, args[1].u.f64));
    return SL_OK;
}

static int fn_power(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    *out = sl_v_double(pow(args[0].u.f64, args[1].u.f64));
    return SL_OK;
}

/* LOG(value) is the natural logarithm; LOG(base, value) as ksqlDB computes it. */
static int fn_log(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    if (call->nargs == 1) {
        *out = sl_v_double(log(args[0].u.f64));
        return SL_OK;
    }
    {
        double b = args[0].u.f64, v = args[1].u.f64;
        if (b <= 0 || v <= 0 || b == 1) {
            *out = sl_v_double(b == 1 || b <= 0 || v < 0 ? NAN : -INFINITY);
            if (b > 0 && b != 1 && v == 0) *out = sl_v_double(b < 1 ? INFINITY : -INFINITY);
            return SL_OK;
        }
        *out = sl_v_double(log(v) / log(b));
        return SL_OK;
    }
}

static int fn_pi(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    *out = sl_v_double(M_PI);
    return SL_OK;
}

static int fn_random(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                     sl_value_t *out)
{
    *out = sl_v_double(sl_func_random(ctx));
    return SL_OK;
}

/* ---- GREATEST, LEAST --------------------------------------------------------------------- */

static int extreme(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, int sign,
                   sl_value_t *out)
{
    const sl_value_t *best = NULL;
    for (uint32_t i = 0; i < call->nargs; i++) {
        if (sl_v_is_null(&args[i])) continue;
        if (!best || sign * sl_value_cmp(&args[i], best, call->argt[i]) > 0) best = &args[i];
    }
    if (!best) {
        *out = sl_v_null();
        return SL_OK;
    }
    if (call->ret->kind == SL_TYPE_DECIMAL) {
        sl_i128 r;
        if (sl_dec_rescale(best->u.dec, best->scale, call->ret->scale, &r) != SL_OK)
            return sl_eval_fail(ctx, SL_RANGE, "DECIMAL overflow");
        *out = sl_v_dec(r, call->ret->scale);
        return SL_OK;
    }
    *out = *best;
    return SL_OK;
}

static int fn_greatest(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                       sl_value_t *out)
{
    return extreme(ctx, call, args, 1, out);
}

static int fn_least(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    return extreme(ctx, call, args, -1, out);
}

/* ---- GEO_DISTANCE ------------------------------------------------------------------------ */

static int fn_geo_distance(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    double lat1 = args[0].u.f64, lon1 = args[1].u.f64, lat2 = args[2].u.f64, lon2 = args[3].u.f64,
           radius = 6371.0, a;
    for (int i = 0; i < 4; i++) {
        if (sl_v_is_null(&args[i])) {
            *out = sl_v_null();
            return SL_OK;
        }
    }
    if (call->nargs > 4 && !sl_v_is_null(&args[4])) {
        const sl_value_t *u = &args[4];
        if ((u->len == 2 && strncasecmp(u->u.str, "KM", 2) == 0) ||
            (u->len == 10 && strncasecmp(u->u.str, "KILOMETERS", 10) == 0) ||
            (u->len == 10 && strncasecmp(u->u.str, "KILOMETRES", 10) == 0)) {
            radius = 6371.0;
        } else if ((u->len == 2 && strncasecmp(u->u.str, "MI", 2) == 0) ||
                   (u->len == 5 && strncasecmp(u->u.str, "MILES", 5) == 0)) {
            radius = 3959.0;
        } else {
            return sl_eval_fail(ctx, SL_INVAL,
                                "GeoDistance function units parameter must be one of MI, "
                                "MILES, KM, KILOMETERS, KILOMETRES");
        }
    }
    if (lat1 < -90 || lat1 > 90 || lat2 < -90 || lat2 > 90)
        return sl_eval_fail(ctx, SL_INVAL,
                            "valid latitude values for GeoDistance function are in the range "
                            "of -90 to 90 decimal degrees");
    if (lon1 < -180 || lon1 > 180 || lon2 < -180 || lon2 > 180)
        return sl_eval_fail(ctx, SL_INVAL,
                            "valid longitude values for GeoDistance function are in the range "
                            "of -180 to +180 decimal degrees");
    {
        double dlat = (lat2 - lat1) * M_PI / 180, dlon = (lon2 - lon1) * M_PI / 180;
        double r1 = lat1 * M_PI / 180, r2 = lat2 * M_PI / 180;
        a = pow(sin(dlat / 2), 2) + pow(sin(dlon / 2), 2) * cos(r1) * cos(r2);
    }
    *out = sl_v_double(2 * radius * asin(sqrt(a)));
    return SL_OK;
}

/* ---- the table --------------------------------------------------------------------------- */

#define M "MATHEMATICAL"
#define N SL_FN_NULLS

#define DOUBLE_FN(name, fn, desc)                                                                  \
    {                                                                                              \
        name, "DOUBLE value", "DOUBLE", fn, NULL, NULL, N, M, desc                                 \
    }

#define EXTREME(name, fn, desc)                                                                    \
    {name, "INTEGER val, INTEGER... vals", "INTEGER", fn, NULL, NULL, 0, M, desc},                 \
        {name, "BIGINT val, BIGINT... vals", "BIGINT", fn, NULL, NULL, 0, M, NULL},                \
        {name, "DOUBLE val, DOUBLE... vals", "DOUBLE", fn, NULL, NULL, 0, M, NULL},                \
        {name, "DECIMAL val, DECIMAL... vals", NULL, fn, ret_dec_widest, NULL, 0, M, NULL},        \
        {name, "STRING val, STRING... vals", "STRING", fn, NULL, NULL, 0, M, NULL},                \
        {name, "BYTES val, BYTES... vals", "BYTES", fn, NULL, NULL, 0, M, NULL},                   \
        {name, "DATE val, DATE... vals", "DATE", fn, NULL, NULL, 0, M, NULL},                      \
        {name, "TIME val, TIME... vals", "TIME", fn, NULL, NULL, 0, M, NULL},                      \
    {                                                                                              \
        name, "TIMESTAMP val, TIMESTAMP... vals", "TIMESTAMP", fn, NULL, NULL, 0, M, NULL          \
    }

const sl_fdef_t sl_func_math_defs[] = {
    {"ABS", "INTEGER value", "INTEGER", fn_abs, NULL, NULL, N, M, "Absolute value."},
    {"ABS", "BIGINT value", "BIGINT", fn_abs, NULL, NULL, N, M, NULL},
    {"ABS", "DOUBLE value", "DOUBLE", fn_abs, NULL, NULL, N, M, NULL},
    {"ABS", "DECIMAL value", NULL, fn_abs, ret_same, NULL, N, M, NULL},
    {"CEIL", "INTEGER value", "INTEGER", fn_ceil, NULL, NULL, N, M,
     "The smallest integral value not less than the argument."},
    {"CEIL", "BIGINT value", "BIGINT", fn_ceil, NULL, NULL, N, M, NULL},
    {"CEIL", "DOUBLE value", "DOUBLE", fn_ceil, NULL, NULL, N, M, NULL},
    {"CEIL", "DECIMAL value", NULL, fn_ceil, ret_same, NULL, N, M, NULL},
    {"FLOOR", "INTEGER value", "INTEGER", fn_floor, NULL, NULL, N, M,
     "The largest integral value not greater than the argument."},
    {"FLOOR", "BIGINT value", "BIGINT", fn_floor, NULL, NULL, N, M, NULL},
    {"FLOOR", "DOUBLE value", "DOUBLE", fn_floor, NULL, NULL, N, M, NULL},
    {"FLOOR", "DECIMAL value", NULL, fn_floor, ret_same, NULL, N, M, NULL},
    {"ROUND", "INTEGER value", "INTEGER", fn_round, NULL, NULL, N, M,
     "Rounds to the nearest integer, or to a number of decimal places (negative: left of the "
     "point); halves round up."},
    {"ROUND", "BIGINT value", "BIGINT", fn_round, NULL, NULL, N, M, NULL},
    {"ROUND", "DOUBLE value", "BIGINT", fn_round, NULL, NULL, N, M, NULL},
    {"ROUND", "DOUBLE value, INTEGER decimalPlaces", "DOUBLE", fn_round, NULL, NULL, N, M, NULL},
    {"ROUND", "DECIMAL value", NULL, fn_round, ret_dec_int, NULL, N, M, NULL},
    {"ROUND", "DECIMAL value, INTEGER decimalPlaces", NULL, fn_round, ret_same, NULL, N, M, NULL},
    {"TRUNC", "INTEGER value", "INTEGER", fn_trunc, NULL, NULL, N, M,
     "Truncates towards zero, optionally at a number of decimal places."},
    {"TRUNC", "BIGINT value", "BIGINT", fn_trunc, NULL, NULL, N, M, NULL},
    {"TRUNC", "DOUBLE value", "BIGINT", fn_trunc, NULL, NULL, N, M, NULL},
    {"TRUNC", "DOUBLE value, INTEGER decimalPlaces", "DOUBLE", fn_trunc, NULL, NULL, N, M, NULL},
    {"TRUNC", "DECIMAL value", NULL, fn_trunc, ret_dec_int, NULL, N, M, NULL},
    {"TRUNC", "DECIMAL value, INTEGER decimalPlaces", NULL, fn_trunc, ret_same, NULL, N, M, NULL},
    {"SIGN", "INTEGER value", "INTEGER", fn_sign, NULL, NULL, N, M,
     "-1, 0 or 1 by the sign of the argument."},
    {"SIGN", "BIGINT value", "INTEGER", fn_sign, NULL, NULL, N, M, NULL},
    {"SIGN", "DOUBLE value", "INTEGER", fn_sign, NULL, NULL, N, M, NULL},
    {"SIGN", "DECIMAL value", "INTEGER", fn_sign, NULL, NULL, N, M, NULL},
    DOUBLE_FN("SQRT", fn_sqrt, "Square root."),
    DOUBLE_FN("CBRT", fn_cbrt, "Cube root."),
    DOUBLE_FN("EXP", fn_exp, "e raised to the power of the argument."),
    DOUBLE_FN("LN", fn_ln, "Natural logarithm."),
    {"LOG", "DOUBLE value", "DOUBLE", fn_log, NULL, NULL, N, M,
     "Natural logarithm, or the logarithm in a base: LOG(base, value)."},
    {"LOG", "DOUBLE base, DOUBLE value", "DOUBLE", fn_log, NULL, NULL, N, M, NULL},
    {"POWER", "DOUBLE base, DOUBLE exponent", "DOUBLE", fn_power, NULL, NULL, N, M,
     "base raised to the power of exponent."},
    DOUBLE_FN("SIN", fn_sin, "Sine (radians)."),
    DOUBLE_FN("COS", fn_cos, "Cosine (radians)."),
    DOUBLE_FN("TAN", fn_tan, "Tangent (radians)."),
    DOUBLE_FN("COT", fn_cot, "Cotangent (radians)."),
    DOUBLE_FN("ASIN", fn_asin, "Arc sine, in radians."),
    DOUBLE_FN("ACOS", fn_acos, "Arc cosine, in radians."),
    DOUBLE_FN("ATAN", fn_atan, "Arc tangent, in radians."),
    {"ATAN2", "DOUBLE y, DOUBLE x", "DOUBLE", fn_atan2, NULL, NULL, N, M,
     "Angle of the point (x, y), in radians."},
    DOUBLE_FN("SINH", fn_sinh, "Hyperbolic sine."),
    DOUBLE_FN("COSH", fn_cosh, "Hyperbolic cosine."),
    DOUBLE_FN("TANH", fn_tanh, "Hyperbolic tangent."),
    DOUBLE_FN("DEGREES", fn_degrees, "Converts radians to degrees."),
    DOUBLE_FN("RADIANS", fn_radians, "Converts degrees to radians."),
    {"PI", "", "DOUBLE", fn_pi, NULL, NULL, 0, M, "The value of pi."},
    {"RANDOM", "", "DOUBLE", fn_random, NULL, NULL, SL_FN_VOLATILE, M,
     "A random DOUBLE in [0, 1)."},
    EXTREME("greatest", fn_greatest, "The largest non-NULL argument."),
    EXTREME("least", fn_least, "The smallest non-NULL argument."),
    {"geo_distance", "DOUBLE lat1, DOUBLE lon1, DOUBLE lat2, DOUBLE lon2", "DOUBLE",
     fn_geo_distance, NULL, NULL, N, M,
     "Great-circle distance between two points, in kilometers or in the given unit."},
    {"geo_distance", "DOUBLE lat1, DOUBLE lon1, DOUBLE lat2, DOUBLE lon2, STRING units", "DOUBLE",
     fn_geo_distance, NULL, NULL, 0, M, NULL},
    {.name = NULL},
};
