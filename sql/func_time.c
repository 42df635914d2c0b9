/*
 * func_time.c — ksqlDB's date and time functions.
 *
 * Formats are java.time patterns (func_timefmt.c) and zones IANA ids or offsets (func_tz.c).
 * A constant pattern or zone argument is compiled once when the call is bound (an invalid one
 * is then a bind error); a pattern or zone taken from a column is compiled per record.
 * Defaults as in ksqlDB: formatting and parsing without a zone use UTC; the legacy BIGINT/INT
 * functions (TIMESTAMPTOSTRING, STRINGTOTIMESTAMP, DATETOSTRING, STRINGTODATE) behave like
 * their TIMESTAMP/DATE successors.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "sql/expr.h"
#include "sql/func.h"

/* Bind-time state: formatter and zones compiled from constant arguments. */
typedef struct tcache_s {
    sl_dtfmt_t *fmt;    /* from the pattern argument, or NULL */
    const sl_tz_t *tz;  /* from the (first) zone argument, or NULL */
    const sl_tz_t *tz2; /* CONVERT_TZ's second zone, or NULL */
} tcache_t;

static const sl_value_t *const_arg(const sl_fcall_t *call, uint32_t i)
{
    const sl_expr_t *x;
    if (i >= call->nargs) return NULL;
    x = call->argx[i];
    if (x->kind != SL_EXPR_LITERAL || x->u.lit.v.kind != SL_TYPE_STRING) return NULL;
    return &x->u.lit.v;
}

/* prep for (value, pattern [, zone]) signatures */
static int prep_fmt_tz(sl_arena_t *a, sl_fcall_t *call, char *err, size_t errlen)
{
    tcache_t *c = sl_arena_zalloc(a, sizeof(*c));
    const sl_value_t *p = const_arg(call, 1), *z = const_arg(call, 2);
    int rc;
    if (p && (rc = sl_dtfmt_compile(a, p->u.str, p->len, &c->fmt, err, errlen)) != SL_OK) return rc;
    if (z && (rc = sl_tz_get(z->u.str, z->len, &c->tz, err, errlen)) != SL_OK) return rc;
    call->cache = c;
    return SL_OK;
}

/* prep for CONVERT_TZ(ts, from, to) */
static int prep_convert_tz(sl_arena_t *a, sl_fcall_t *call, char *err, size_t errlen)
{
    tcache_t *c = sl_arena_zalloc(a, sizeof(*c));
    const sl_value_t *z1 = const_arg(call, 1), *z2 = const_arg(call, 2);
    int rc;
    if (z1 && (rc = sl_tz_get(z1->u.str, z1->len, &c->tz, err, errlen)) != SL_OK) return rc;
    if (z2 && (rc = sl_tz_get(z2->u.str, z2->len, &c->tz2, err, errlen)) != SL_OK) return rc;
    call->cache = c;
    return SL_OK;
}

static int get_fmt(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_dtfmt_t **f)
{
    const tcache_t *c = call->cache;
    char err[256];
    if (c && c->fmt) {
        *f = c->fmt;
        return SL_OK;
    }
    if (sl_dtfmt_compile(ctx->arena, args[1].u.str, args[1].len, f, err, sizeof(err)) != SL_OK)
        return sl_eval_fail(ctx, SL_INVAL, "%s", err);
    return SL_OK;
}

/* Zone argument i (NULL/absent: UTC). */
static int get_tz(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, uint32_t i,
                  const sl_tz_t *cached, const sl_tz_t **tz)
{
    char err[256];
    *tz = NULL;
    if (i >= call->nargs) return SL_OK;
    if (cached) {
        *tz = cached;
        return SL_OK;
    }
    if (sl_tz_get(args[i].u.str, args[i].len, tz, err, sizeof(err)) != SL_OK)
        return sl_eval_fail(ctx, SL_INVAL, "%s", err);
    return SL_OK;
}

static int format_ms(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, int64_t ms,
                     sl_value_t *out)
{
    sl_dtfmt_t *f;
    const sl_tz_t *tz;
    const tcache_t *c = call->cache;
    sl_buf_t b;
    char err[256];
    int rc;
    if ((rc = get_fmt(ctx, call, args, &f)) != SL_OK ||
        (rc = get_tz(ctx, call, args, 2, c ? c->tz : NULL, &tz)) != SL_OK)
        return rc;
    sl_buf_init(&b);
    if (sl_dtfmt_format(f, ms, tz, &b, err, sizeof(err)) != SL_OK) {
        sl_buf_free(&b);
        return sl_eval_fail(ctx, SL_INVAL, "%s", err);
    }
    *out = sl_v_str_copy(ctx->arena, b.data ? (const char *)b.data : "", b.len);
    sl_buf_free(&b);
    return SL_OK;
}

/* what: "timestamp", "date" or "time" for the message */
static int parse_ms(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                    const char *what, int64_t *ms)
{
    sl_dtfmt_t *f;
    const sl_tz_t *tz;
    const tcache_t *c = call->cache;
    char err[320];
    int rc;
    if ((rc = get_fmt(ctx, call, args, &f)) != SL_OK ||
        (rc = get_tz(ctx, call, args, 2, c ? c->tz : NULL, &tz)) != SL_OK)
        return rc;
    if (sl_dtfmt_parse(f, args[0].u.str, args[0].len, tz, ms, err, sizeof(err)) != SL_OK)
        return sl_eval_fail(ctx, SL_INVAL, "Failed to parse %s '%.*s' with formatter '%.*s': %s",
                            what, (int)(args[0].len > 100 ? 100 : args[0].len), args[0].u.str,
                            (int)(args[1].len > 100 ? 100 : args[1].len), args[1].u.str, err);
    return SL_OK;
}

/* ---- formatting and parsing -------------------------------------------------------------- */

static int fn_format_timestamp(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                               sl_value_t *out)
{
    return format_ms(ctx, call, args, args[0].u.i64, out);
}

static int fn_format_date(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                          sl_value_t *out)
{
    return format_ms(ctx, call, args, (int64_t)args[0].u.i32 * 86400000, out);
}

static int fn_format_time(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                          sl_value_t *out)
{
    return format_ms(ctx, call, args, args[0].u.i32, out);
}

static int fn_parse_timestamp(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                              sl_value_t *out)
{
    int64_t ms;
    int rc = parse_ms(ctx, call, args, "timestamp", &ms);
    if (rc != SL_OK) return rc;
    *out = call->ret->kind == SL_TYPE_BIGINT ? sl_v_bigint(ms) : sl_v_ts(ms);
    return SL_OK;
}

static int fn_parse_date(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    int64_t ms;
    int rc;
    if (call->cache && ((tcache_t *)call->cache)->fmt &&
        sl_dtfmt_has_time(((tcache_t *)call->cache)->fmt))
        return sl_eval_fail(ctx, SL_INVAL, "Date format contains time field.");
    if ((rc = parse_ms(ctx, call, args, "date", &ms)) != SL_OK) return rc;
    if (call->ret->kind == SL_TYPE_INTEGER)
        *out = sl_v_int((int32_t)sl_value_floor_div(ms, 86400000));
    else
        *out = sl_v_date((int32_t)sl_value_floor_div(ms, 86400000));
    return SL_OK;
}

static int fn_parse_time(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    int64_t ms;
    int rc = parse_ms(ctx, call, args, "time", &ms);
    if (rc != SL_OK) return rc;
    *out = sl_v_time((int32_t)sl_value_floor_mod(ms, 86400000));
    return SL_OK;
}

/* ---- conversions ------------------------------------------------------------------------- */

static int fn_unix_date(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                        sl_value_t *out)
{
    if (call->nargs == 0)
        *out = sl_v_int((int32_t)sl_value_floor_div(sl_eval_now_ms(ctx), 86400000));
    else
        *out = sl_v_int(args[0].u.i32);
    return SL_OK;
}

static int fn_unix_timestamp(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                             sl_value_t *out)
{
    *out = sl_v_bigint(call->nargs == 0 ? sl_eval_now_ms(ctx) : args[0].u.i64);
    return SL_OK;
}

static int fn_from_unixtime(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                            sl_value_t *out)
{
    *out = sl_v_ts(args[0].u.i64);
    return SL_OK;
}

static int fn_from_days(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                        sl_value_t *out)
{
    *out = sl_v_date(args[0].u.i32);
    return SL_OK;
}

/* CONVERT_TZ(ts, from, to): the wall-clock time ts in `from` expressed in `to`. */
static int fn_convert_tz(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    const tcache_t *c = call->cache;
    const sl_tz_t *from, *to;
    int64_t ms = args[0].u.i64;
    int rc;
    if ((rc = get_tz(ctx, call, args, 1, c ? c->tz : NULL, &from)) != SL_OK ||
        (rc = get_tz(ctx, call, args, 2, c ? c->tz2 : NULL, &to)) != SL_OK)
        return rc;
    *out = sl_v_ts(ms + ((int64_t)sl_tz_offset_at(to, ms) - sl_tz_offset_at(from, ms)) * 1000);
    return SL_OK;
}

/* ---- arithmetic with time units ---------------------------------------------------------- */

/* java.util.concurrent.TimeUnit.toMillis(n): truncating, saturating. */
static int unit_millis(sl_eval_t *ctx, const sl_value_t *unit, int64_t n, int64_t *ms)
{
    static const struct {
        const char *name;
        int64_t num, den; /* ms = n * num / den */
    } units[] = {
        {"NANOSECOND", 1, 1000000}, {"MICROSECOND", 1, 1000}, {"MILLISECOND", 1, 1},
        {"SECOND", 1000, 1},        {"MINUTE", 60000, 1},     {"HOUR", 3600000, 1},
        {"DAY", 86400000, 1},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        size_t l = strlen(units[i].name);
        if ((unit->len == l || (unit->len == l + 1 && unit->u.str[l] == 'S')) &&
            strncasecmp(unit->u.str, units[i].name, l) == 0) {
            if (units[i].den > 1) {
                *ms = n / units[i].den;
            } else if (__builtin_mul_overflow(n, units[i].num, ms)) {
                *ms = n < 0 ? INT64_MIN : INT64_MAX;
            }
            return SL_OK;
        }
    }
    return sl_eval_fail(ctx, SL_INVAL, "unknown time unit %.*s", (int)unit->len, unit->u.str);
}

static int add_units(sl_eval_t *ctx, const sl_value_t *args, int sign, int64_t *delta)
{
    int64_t n = args[1].kind == SL_TYPE_BIGINT ? args[1].u.i64 : args[1].u.i32;
    return unit_millis(ctx, &args[0], sign < 0 ? -n : n, delta);
}

static int date_add(sl_eval_t *ctx, const sl_value_t *args, int sign, sl_value_t *out)
{
    int64_t d;
    int rc = add_units(ctx, args, sign, &d);
    if (rc != SL_OK) return rc;
    /* TimeUnit.MILLISECONDS.toDays truncates towards zero */
    *out = sl_v_date((int32_t)(((int64_t)args[2].u.i32 * 86400000 + d) / 86400000));
    return SL_OK;
}

static int fn_dateadd(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                      sl_value_t *out)
{
    return date_add(ctx, args, 1, out);
}

static int fn_datesub(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                      sl_value_t *out)
{
    return date_add(ctx, args, -1, out);
}

static int time_add(sl_eval_t *ctx, const sl_value_t *args, int sign, sl_value_t *out)
{
    int64_t d;
    int rc = add_units(ctx, args, sign, &d);
    if (rc != SL_OK) return rc;
    *out = sl_v_time(
        (int32_t)sl_value_floor_mod(args[2].u.i32 + sl_value_floor_mod(d, 86400000), 86400000));
    return SL_OK;
}

static int fn_timeadd(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                      sl_value_t *out)
{
    return time_add(ctx, args, 1, out);
}

static int fn_timesub(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                      sl_value_t *out)
{
    return time_add(ctx, args, -1, out);
}

static int ts_add(sl_eval_t *ctx, const sl_value_t *args, int sign, sl_value_t *out)
{
    int64_t d;
    int rc = add_units(ctx, args, sign, &d);
    if (rc != SL_OK) return rc;
    *out = sl_v_ts((int64_t)((uint64_t)args[2].u.i64 + (uint64_t)d));
    return SL_OK;
}

static int fn_timestampadd(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    return ts_add(ctx, args, 1, out);
}

static int fn_timestampsub(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    return ts_add(ctx, args, -1, out);
}

/* ---- the table --------------------------------------------------------------------------- */

#define DT "DATE / TIME"
#define N  SL_FN_NULLS

const sl_fdef_t sl_func_time_defs[] = {
    {"UNIX_DATE", "", "INTEGER", fn_unix_date, NULL, NULL, SL_FN_VOLATILE, DT,
     "Days since 1970-01-01 of a DATE, or of the current date."},
    {"UNIX_DATE", "DATE date", "INTEGER", fn_unix_date, NULL, NULL, N, DT, NULL},
    {"UNIX_TIMESTAMP", "", "BIGINT", fn_unix_timestamp, NULL, NULL, SL_FN_VOLATILE, DT,
     "Milliseconds since the epoch of a TIMESTAMP, or of now."},
    {"UNIX_TIMESTAMP", "TIMESTAMP timestamp", "BIGINT", fn_unix_timestamp, NULL, NULL, N, DT, NULL},
    {"FROM_UNIXTIME", "BIGINT milliseconds", "TIMESTAMP", fn_from_unixtime, NULL, NULL, N, DT,
     "The TIMESTAMP of milliseconds since the epoch."},
    {"FROM_DAYS", "INTEGER days", "DATE", fn_from_days, NULL, NULL, N, DT,
     "The DATE of days since 1970-01-01."},
    {"FORMAT_TIMESTAMP", "TIMESTAMP timestamp, STRING formatPattern", "STRING", fn_format_timestamp,
     NULL, prep_fmt_tz, N, DT,
     "Formats a TIMESTAMP with a java.time pattern, in UTC or the given zone."},
    {"FORMAT_TIMESTAMP", "TIMESTAMP timestamp, STRING formatPattern, STRING timeZone", "STRING",
     fn_format_timestamp, NULL, prep_fmt_tz, N, DT, NULL},
    {"PARSE_TIMESTAMP", "STRING formattedTimestamp, STRING formatPattern", "TIMESTAMP",
     fn_parse_timestamp, NULL, prep_fmt_tz, N, DT,
     "Parses a TIMESTAMP with a java.time pattern, in UTC or the given zone."},
    {"PARSE_TIMESTAMP", "STRING formattedTimestamp, STRING formatPattern, STRING timeZone",
     "TIMESTAMP", fn_parse_timestamp, NULL, prep_fmt_tz, N, DT, NULL},
    {"TIMESTAMPTOSTRING", "BIGINT epochMilli, STRING formatPattern", "STRING", fn_format_timestamp,
     NULL, prep_fmt_tz, N, DT,
     "Formats milliseconds since the epoch with a java.time pattern, in UTC or the given zone."},
    {"TIMESTAMPTOSTRING", "BIGINT epochMilli, STRING formatPattern, STRING timeZone", "STRING",
     fn_format_timestamp, NULL, prep_fmt_tz, N, DT, NULL},
    {"STRINGTOTIMESTAMP", "STRING formattedTimestamp, STRING formatPattern", "BIGINT",
     fn_parse_timestamp, NULL, prep_fmt_tz, N, DT,
     "Parses text into milliseconds since the epoch, in UTC or the given zone."},
    {"STRINGTOTIMESTAMP", "STRING formattedTimestamp, STRING formatPattern, STRING timeZone",
     "BIGINT", fn_parse_timestamp, NULL, prep_fmt_tz, N, DT, NULL},
    {"FORMAT_DATE", "DATE date, STRING formatPattern", "STRING", fn_format_date, NULL, prep_fmt_tz,
     N, DT, "Formats a DATE with a java.time pattern."},
    {"PARSE_DATE", "STRING formattedDate, STRING formatPattern", "DATE", fn_parse_date, NULL,
     prep_fmt_tz, N, DT, "Parses a DATE with a java.time pattern."},
    {"DATETOSTRING", "INTEGER epochDays, STRING formatPattern", "STRING", fn_format_date, NULL,
     prep_fmt_tz, N, DT, "Formats days since 1970-01-01 with a java.time pattern."},
    {"STRINGTODATE", "STRING formattedDate, STRING formatPattern", "INTEGER", fn_parse_date, NULL,
     prep_fmt_tz, N, DT, "Parses text into days since 1970-01-01."},
    {"FORMAT_TIME", "TIME time, STRING formatPattern", "STRING", fn_format_time, NULL, prep_fmt_tz,
     N, DT, "Formats a TIME with a java.time pattern."},
    {"PARSE_TIME", "STRING formattedTime, STRING formatPattern", "TIME", fn_parse_time, NULL,
     prep_fmt_tz, N, DT, "Parses a TIME with a java.time pattern."},
    {"CONVERT_TZ", "TIMESTAMP timestamp, STRING fromTimeZone, STRING toTimeZone", "TIMESTAMP",
     fn_convert_tz, NULL, prep_convert_tz, N, DT,
     "Converts a TIMESTAMP's wall-clock time from one zone to another."},
    {"dateadd", "INTERVALUNIT unit, INTEGER interval, DATE date", "DATE", fn_dateadd, NULL, NULL, N,
     DT, "Adds an interval to a DATE: DATEADD(DAYS, 2, d)."},
    {"datesub", "INTERVALUNIT unit, INTEGER interval, DATE date", "DATE", fn_datesub, NULL, NULL, N,
     DT, "Subtracts an interval from a DATE."},
    {"timeadd", "INTERVALUNIT unit, INTEGER interval, TIME time", "TIME", fn_timeadd, NULL, NULL, N,
     DT, "Adds an interval to a TIME (wrapping around midnight)."},
    {"timesub", "INTERVALUNIT unit, INTEGER interval, TIME time", "TIME", fn_timesub, NULL, NULL, N,
     DT, "Subtracts an interval from a TIME (wrapping around midnight)."},
    {"timestampadd", "INTERVALUNIT unit, INTEGER interval, TIMESTAMP timestamp", "TIMESTAMP",
     fn_timestampadd, NULL, NULL, N, DT, "Adds an interval to a TIMESTAMP."},
    {"timestampadd", "INTERVALUNIT unit, BIGINT interval, TIMESTAMP timestamp", "TIMESTAMP",
     fn_timestampadd, NULL, NULL, N, DT, NULL},
    {"timestampsub", "INTERVALUNIT unit, INTEGER interval, TIMESTAMP timestamp", "TIMESTAMP",
     fn_timestampsub, NULL, NULL, N, DT, "Subtracts an interval from a TIMESTAMP."},
    {"timestampsub", "INTERVALUNIT unit, BIGINT interval, TIMESTAMP timestamp", "TIMESTAMP",
     fn_timestampsub, NULL, NULL, N, DT, NULL},
    {.name = NULL},
};
