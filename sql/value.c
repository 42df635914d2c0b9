/*
 * value.c — SQL values: decimals, Java-compatible number/date text, CAST, text form,
 * comparison, hashing and the JSON form (see value.h for the invariants).
 *
 * Java compatibility notes (ksqlDB runs on the JVM, so its visible behaviour is Java's):
 *   - Double.toString picks the shortest digit string that reads back to the same double and
 *     prints it plain for 1e-3 <= |d| < 1e7, else as d.dddE±n. We search the shortest
 *     round-tripping precision with printf/strtod, which matches JDK 19+ (older JDKs sometimes
 *     printed one extra digit; the qtt expectations agree with the shortest form).
 *   - Integer narrowing wraps (two's complement), double-to-integer truncates and saturates,
 *     NaN becomes 0: that is what Java's casts do and what ksqlDB's generated code inherits.
 *   - Strings compare by UTF-8 bytes, which equals code point order; Java compares UTF-16 code
 *     units, which differs only between supplementary characters and U+E000..U+FFFF.
 */
#include "sql/value.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"

#define ERRF(...)                                                                                  \
    do {                                                                                           \
        if (err && errlen) snprintf(err, errlen, __VA_ARGS__);                                     \
    } while (0)

sl_value_t sl_v_str_copy(sl_arena_t *a, const char *p, size_t n)
{
    char *s = sl_arena_alloc(a, n ? n : 1);
    if (n) memcpy(s, p, n);
    return sl_v_str(s, n);
}

void sl_value_copy(sl_arena_t *a, const sl_value_t *v, sl_value_t *out)
{
    *out = *v;
    switch (v->kind) {
    case SL_TYPE_STRING:
    case SL_TYPE_BYTES:
        if (v->len) {
            uint8_t *p = sl_arena_alloc(a, v->len);
            memcpy(p, v->u.bin, v->len);
            out->u.bin = p;
        }
        break;
    case SL_TYPE_ARRAY:
    case SL_TYPE_STRUCT:
    case SL_TYPE_MAP: {
        uint32_t n = v->kind == SL_TYPE_MAP ? 2 * v->len : v->len;
        sl_value_t *items = sl_arena_alloc(a, sizeof(sl_value_t) * (n ? n : 1));
        for (uint32_t i = 0; i < n; i++)
            sl_value_copy(a, &v->u.items[i], &items[i]);
        out->u.items = items;
        break;
    }
    default:
        break;
    }
}

/* ---- decimals ---------------------------------------------------------------------------- */

/* 10^0 .. 10^38; C has no 128-bit literals, so the big ones are products. */
static const sl_i128 pow10_tab[SL_DECIMAL_MAX_DIGITS + 1] = {
    (sl_i128)1ULL,
    (sl_i128)10ULL,
    (sl_i128)100ULL,
    (sl_i128)1000ULL,
    (sl_i128)10000ULL,
    (sl_i128)100000ULL,
    (sl_i128)1000000ULL,
    (sl_i128)10000000ULL,
    (sl_i128)100000000ULL,
    (sl_i128)1000000000ULL,
    (sl_i128)10000000000ULL,
    (sl_i128)100000000000ULL,
    (sl_i128)1000000000000ULL,
    (sl_i128)10000000000000ULL,
    (sl_i128)100000000000000ULL,
    (sl_i128)1000000000000000ULL,
    (sl_i128)10000000000000000ULL,
    (sl_i128)100000000000000000ULL,
    (sl_i128)1000000000000000000ULL,
    (sl_i128)10000000000000000000ULL,
    (sl_i128)10000000000000000000ULL * 10ULL,
    (sl_i128)10000000000000000000ULL * 100ULL,
    (sl_i128)10000000000000000000ULL * 1000ULL,
    (sl_i128)10000000000000000000ULL * 10000ULL,
    (sl_i128)10000000000000000000ULL * 100000ULL,
    (sl_i128)10000000000000000000ULL * 1000000ULL,
    (sl_i128)10000000000000000000ULL * 10000000ULL,
    (sl_i128)10000000000000000000ULL * 100000000ULL,
    (sl_i128)10000000000000000000ULL * 1000000000ULL,
    (sl_i128)10000000000000000000ULL * 10000000000ULL,
    (sl_i128)10000000000000000000ULL * 100000000000ULL,
    (sl_i128)10000000000000000000ULL * 1000000000000ULL,
    (sl_i128)10000000000000000000ULL * 10000000000000ULL,
    (sl_i128)10000000000000000000ULL * 100000000000000ULL,
    (sl_i128)10000000000000000000ULL * 1000000000000000ULL,
    (sl_i128)10000000000000000000ULL * 10000000000000000ULL,
    (sl_i128)10000000000000000000ULL * 100000000000000000ULL,
    (sl_i128)10000000000000000000ULL * 1000000000000000000ULL,
    (sl_i128)10000000000000000000ULL * 10000000000000000000ULL,
};

sl_i128 sl_dec_pow10(int n)
{
    if (n < 0 || n > SL_DECIMAL_MAX_DIGITS) return 0;
    return pow10_tab[n];
}

static sl_i128 i128_abs(sl_i128 v)
{
    return v < 0 ? -v : v;
}

int sl_dec_digits(sl_i128 v)
{
    sl_i128 a = i128_abs(v);
    int d = 1;
    while (d <= SL_DECIMAL_MAX_DIGITS && a >= sl_dec_pow10(d))
        d++;
    return d;
}

static const sl_i128 DEC_MAX =
    (((sl_i128)0x4B3B4CA85A86C47A) << 64) | 0x098A223FFFFFFFFF; /* 1e38-1 */

int sl_dec_parse(const char *s, size_t n, sl_i128 *unscaled, int *scale)
{
    const char *p = s, *end = s + n;
    bool neg = false, any = false;
    sl_i128 v = 0;
    int sc = 0, digits = 0;
    long exp = 0;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    while (p < end && isdigit((unsigned char)*p)) {
        if (v != 0 || *p != '0') digits++;
        if (digits > SL_DECIMAL_MAX_DIGITS) return SL_RANGE;
        v = v * 10 + (*p - '0');
        p++;
        any = true;
    }
    if (p < end && *p == '.') {
        p++;
        while (p < end && isdigit((unsigned char)*p)) {
            if (v != 0 || *p != '0') digits++;
            if (digits > SL_DECIMAL_MAX_DIGITS || sc >= SL_DECIMAL_MAX_DIGITS) return SL_RANGE;
            v = v * 10 + (*p - '0');
            sc++;
            p++;
            any = true;
        }
    }
    if (!any) return SL_INVAL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        bool eneg = false;
        bool edig = false;
        p++;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        while (p < end && isdigit((unsigned char)*p)) {
            exp = exp * 10 + (*p - '0');
            if (exp > 1000) return SL_RANGE;
            p++;
            edig = true;
        }
        if (!edig) return SL_INVAL;
        if (eneg) exp = -exp;
    }
    if (p != end) return SL_INVAL;
    sc -= (int)exp;
    if (sc < 0) {
        /* BigDecimal would keep a negative scale; we multiply it out */
        if (digits - sc > SL_DECIMAL_MAX_DIGITS && v != 0) return SL_RANGE;
        v *= sl_dec_pow10(-sc);
        sc = 0;
    }
    if (sc > SL_DECIMAL_MAX_DIGITS) {
        /* tiny values: keep what fits, rounding like setScale would later */
        sl_i128 r;
        if (sl_dec_rescale(v, sc > 2 * SL_DECIMAL_MAX_DIGITS ? 2 * SL_DECIMAL_MAX_DIGITS : sc,
                           SL_DECIMAL_MAX_DIGITS, &r) != SL_OK)
            return SL_RANGE;
        if (sc > 2 * SL_DECIMAL_MAX_DIGITS) r = 0;
        v = r;
        sc = SL_DECIMAL_MAX_DIGITS;
    }
    *unscaled = neg ? -v : v;
    *scale = sc;
    return SL_OK;
}

int sl_dec_rescale(sl_i128 v, int from_scale, int to_scale, sl_i128 *out)
{
    if (to_scale == from_scale) {
        *out = v;
        return SL_OK;
    }
    if (to_scale > from_scale) {
        int k = to_scale - from_scale;
        sl_i128 r;
        if (k > SL_DECIMAL_MAX_DIGITS) {
            if (v == 0) {
                *out = 0;
                return SL_OK;
            }
            return SL_RANGE;
        }
        if (__builtin_mul_overflow(v, sl_dec_pow10(k), &r) || r > DEC_MAX || r < -DEC_MAX)
            return SL_RANGE;
        *out = r;
        return SL_OK;
    }
    {
        int k = from_scale - to_scale;
        sl_i128 p, q, rem;
        if (k > SL_DECIMAL_MAX_DIGITS) {
            *out = 0; /* |v| < 10^38 <= 10^k / 2 */
            return SL_OK;
        }
        p = sl_dec_pow10(k);
        q = v / p;
        rem = v % p;
        if (i128_abs(rem) * 2 >= p) q += v < 0 ? -1 : 1;
        *out = q;
        return SL_OK;
    }
}

int sl_dec_check(sl_i128 v, int precision, int scale, char *err, size_t errlen)
{
    int idig = precision - scale;
    sl_i128 a = i128_abs(v);
    /* |v| / 10^scale must be < 10^idig, i.e. |v| < 10^precision */
    if (precision > SL_DECIMAL_MAX_DIGITS || a < sl_dec_pow10(precision)) return SL_OK;
    {
        char num[48];
        sl_dec_to_str(v, scale, num);
        ERRF("Numeric field overflow: A field with precision %d and scale %d must round to an "
             "absolute value less than 10^%d. Got %s",
             precision, scale, idig, num);
    }
    return SL_RANGE;
}

int sl_dec_cmp(sl_i128 a, int sa, sl_i128 b, int sb)
{
    sl_i128 x = a, y = b;
    if (sa != sb) {
        if (sa < sb) {
            if (sl_dec_rescale(a, sa, sb, &x) != SL_OK)
                return a < 0 ? -1 : 1; /* |a| is beyond anything b can hold */
        } else {
            if (sl_dec_rescale(b, sb, sa, &y) != SL_OK) return b < 0 ? 1 : -1;
        }
    }
    return x < y ? -1 : x > y ? 1 : 0;
}

size_t sl_dec_to_str(sl_i128 v, int scale, char *buf)
{
    char digits[48];
    int n = 0;
    size_t o = 0;
    unsigned __int128 a = v < 0 ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        digits[n++] = (char)('0' + (int)(a % 10));
        a /= 10;
    } while (a);
    if (v < 0) buf[o++] = '-';
    if (scale <= 0) {
        while (n)
            buf[o++] = digits[--n];
    } else {
        if (n <= scale) {
            buf[o++] = '0';
            buf[o++] = '.';
            for (int i = 0; i < scale - n; i++)
                buf[o++] = '0';
            while (n)
                buf[o++] = digits[--n];
        } else {
            while (n > scale)
                buf[o++] = digits[--n];
            buf[o++] = '.';
            while (n)
                buf[o++] = digits[--n];
        }
    }
    buf[o] = '\0';
    return o;
}

double sl_dec_to_double(sl_i128 v, int scale)
{
    char buf[48];
    sl_dec_to_str(v, scale, buf);
    return strtod(buf, NULL);
}

int sl_dec_from_double(double d, int scale, sl_i128 *out)
{
    char buf[40];
    sl_i128 v;
    int sc, rc;
    if (!isfinite(d)) return SL_INVAL;
    sl_value_double_str(d, buf);
    if ((rc = sl_dec_parse(buf, strlen(buf), &v, &sc)) != SL_OK) return rc;
    return sl_dec_rescale(v, sc, scale, out);
}

/* ---- Java number text -------------------------------------------------------------------- */

size_t sl_value_double_str(double d, char *buf)
{
    char tmp[40], digits[24];
    int prec, nd = 0, exp10;
    char *e;
    size_t o = 0;
    if (isnan(d)) return (size_t)sprintf(buf, "NaN");
    if (isinf(d)) return (size_t)sprintf(buf, d < 0 ? "-Infinity" : "Infinity");
    if (d == 0) return (size_t)sprintf(buf, signbit(d) ? "-0.0" : "0.0");
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d) break;
    }
    /* tmp = [-]D.DDDDe[+-]XX */
    e = strchr(tmp, 'e');
    exp10 = atoi(e + 1);
    for (char *p = tmp; p < e; p++) {
        if (isdigit((unsigned char)*p)) digits[nd++] = *p;
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (d < 0) buf[o++] = '-';
    if (exp10 >= -3 && exp10 < 7) {
        if (exp10 < 0) {
            buf[o++] = '0';
            buf[o++] = '.';
            for (int i = 0; i < -exp10 - 1; i++)
                buf[o++] = '0';
            for (int i = 0; i < nd; i++)
                buf[o++] = digits[i];
        } else {
            for (int i = 0; i <= exp10; i++)
                buf[o++] = i < nd ? digits[i] : '0';
            buf[o++] = '.';
            if (nd > exp10 + 1) {
                for (int i = exp10 + 1; i < nd; i++)
                    buf[o++] = digits[i];
            } else {
                buf[o++] = '0';
            }
        }
    } else {
        buf[o++] = digits[0];
        buf[o++] = '.';
        if (nd > 1) {
            for (int i = 1; i < nd; i++)
                buf[o++] = digits[i];
        } else {
            buf[o++] = '0';
        }
        o += (size_t)sprintf(buf + o, "E%d", exp10);
    }
    buf[o] = '\0';
    return o;
}

int sl_value_parse_i64(const char *s, size_t n, int64_t *out)
{
    const char *p = s, *end = s + n;
    bool neg = false;
    uint64_t v = 0, lim;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    if (p == end) return SL_INVAL;
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; p < end; p++) {
        if (!isdigit((unsigned char)*p)) return SL_INVAL;
        if (v > (lim - (uint64_t)(*p - '0')) / 10) return SL_RANGE;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return SL_OK;
}

int sl_value_parse_i32(const char *s, size_t n, int32_t *out)
{
    int64_t v;
    int rc = sl_value_parse_i64(s, n, &v);
    if (rc != SL_OK) return rc;
    if (v < INT32_MIN || v > INT32_MAX) return SL_RANGE;
    *out = (int32_t)v;
    return SL_OK;
}

int sl_value_parse_double(const char *s, size_t n, double *out)
{
    char buf[128];
    const char *p = s, *end = s + n;
    char *ep;
    size_t len;
    while (p < end && (unsigned char)*p <= ' ')
        p++;
    while (end > p && (unsigned char)end[-1] <= ' ')
        end--;
    len = (size_t)(end - p);
    if (len == 0 || len >= sizeof(buf)) return SL_INVAL;
    memcpy(buf, p, len);
    buf[len] = '\0';
    /* Java accepts a trailing type suffix (1.5d, 2f) */
    if (len > 1 && strchr("dDfF", buf[len - 1]) && isdigit((unsigned char)buf[len - 2]))
        buf[--len] = '\0';
    {
        const char *q = buf + (buf[0] == '+' || buf[0] == '-');
        if (strcmp(q, "NaN") == 0) {
            *out = NAN;
            return SL_OK;
        }
        if (strcmp(q, "Infinity") == 0) {
            *out = buf[0] == '-' ? -INFINITY : INFINITY;
            return SL_OK;
        }
        /* strtod also takes "inf", "nan", hex and locale forms Java does not: only digits */
        if (!(isdigit((unsigned char)*q) || (*q == '.' && isdigit((unsigned char)q[1]))))
            return SL_INVAL;
        if (strchr(q, 'x') || strchr(q, 'X')) return SL_INVAL;
    }
    *out = strtod(buf, &ep);
    if (*ep != '\0') return SL_INVAL;
    return SL_OK;
}

static bool prefix_ci(const char *s, size_t n, const char *word)
{
    return n > 0 && n <= strlen(word) && strncasecmp(s, word, n) == 0;
}

int sl_value_parse_bool(const char *s, size_t n, bool *out)
{
    if (prefix_ci(s, n, "true") || prefix_ci(s, n, "yes")) {
        *out = true;
        return SL_OK;
    }
    if (prefix_ci(s, n, "false") || prefix_ci(s, n, "no")) {
        *out = false;
        return SL_OK;
    }
    return SL_INVAL;
}

/* ---- dates and times --------------------------------------------------------------------- */

/* Howard Hinnant's civil-calendar algorithms (public domain description). */
int64_t sl_value_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void sl_value_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    *y = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y += *m <= 2;
}

static size_t fmt_year(int64_t y, char *buf)
{
    /* ISO: 4 digits, sign and more digits outside 0000..9999 */
    if (y > 9999) return (size_t)sprintf(buf, "+%lld", (long long)y);
    if (y < 0) return (size_t)sprintf(buf, "-%04lld", (long long)-y);
    return (size_t)sprintf(buf, "%04lld", (long long)y);
}

size_t sl_value_date_str(int32_t days, char *buf)
{
    int64_t y;
    unsigned m, d;
    size_t o;
    sl_value_civil_from_days(days, &y, &m, &d);
    o = fmt_year(y, buf);
    return o + (size_t)sprintf(buf + o, "-%02u-%02u", m, d);
}

size_t sl_value_time_str(int32_t ms, char *buf)
{
    int64_t t = sl_value_floor_mod(ms, 86400000);
    int h = (int)(t / 3600000), mi = (int)(t / 60000 % 60), s = (int)(t / 1000 % 60),
        f = (int)(t % 1000);
    size_t o = (size_t)sprintf(buf, "%02d:%02d:%02d", h, mi, s);
    if (f) {
        o += (size_t)sprintf(buf + o, ".%03d", f);
        while (buf[o - 1] == '0')
            o--;
        buf[o] = '\0';
    }
    return o;
}

size_t sl_value_ts_str(int64_t ms, char *buf)
{
    int64_t days = sl_value_floor_div(ms, 86400000), t = sl_value_floor_mod(ms, 86400000);
    size_t o = sl_value_date_str((int32_t)days, buf);
    return o + (size_t)sprintf(buf + o, "T%02d:%02d:%02d.%03d", (int)(t / 3600000),
                               (int)(t / 60000 % 60), (int)(t / 1000 % 60), (int)(t % 1000));
}

/* Reads exactly `w` digits. */
static bool rd_digits(const char **p, const char *end, int w, int *out)
{
    int v = 0;
    if (end - *p < w) return false;
    for (int i = 0; i < w; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += w;
    *out = v;
    return true;
}

static int days_in_month(int64_t y, unsigned m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Time-of-day part "HH[:mm[:ss[.f+]]]" starting at *p; ms out. */
static bool rd_time(const char **p, const char *end, int64_t *ms)
{
    int h, mi = 0, s = 0;
    int64_t frac = 0;
    if (!rd_digits(p, end, 2, &h) || h > 23) return false;
    if (*p < end && **p == ':') {
        (*p)++;
        if (!rd_digits(p, end, 2, &mi) || mi > 59) return false;
        if (*p < end && **p == ':') {
            (*p)++;
            if (!rd_digits(p, end, 2, &s) || s > 59) return false;
            if (*p < end && **p == '.') {
                int nd = 0;
                (*p)++;
                while (*p < end && isdigit((unsigned char)**p)) {
                    if (nd < 3) frac = frac * 10 + (**p - '0');
                    nd++;
                    (*p)++;
                }
                if (nd == 0 || nd > 9) return false;
                for (int i = nd; i < 3; i++)
                    frac *= 10;
            }
        }
    }
    *ms = ((int64_t)h * 3600 + mi * 60 + s) * 1000 + frac;
    return true;
}

/* Zone suffix: Z, +HH, +HHmm, +HH:mm (also -). Offset in ms (to subtract). */
static bool rd_zone(const char **p, const char *end, int64_t *off)
{
    int h, m = 0, sign;
    if (*p == end) {
        *off = 0;
        return true;
    }
    if (**p == 'Z' || **p == 'z') {
        (*p)++;
        *off = 0;
        return *p == end;
    }
    if (**p != '+' && **p != '-') return false;
    sign = **p == '-' ? -1 : 1;
    (*p)++;
    if (!rd_digits(p, end, 2, &h) || h > 18) return false;
    if (*p < end && **p == ':') (*p)++;
    if (*p < end && !rd_digits(p, end, 2, &m)) return false;
    if (*p != end || m > 59) return false;
    *off = sign * ((int64_t)h * 3600000 + (int64_t)m * 60000);
    return true;
}

int sl_value_parse_ts(const char *s, size_t n, int64_t *ms)
{
    const char *p = s, *end = s + n;
    int y, mo = 1, d = 1;
    int64_t tod = 0, off = 0, days;
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    if (!rd_digits(&p, end, 4, &y)) return SL_INVAL;
    if (p < end && *p == '-') {
        p++;
        if (!rd_digits(&p, end, 2, &mo) || mo < 1 || mo > 12) return SL_INVAL;
        if (p < end && *p == '-') {
            p++;
            if (!rd_digits(&p, end, 2, &d) || d < 1 || d > days_in_month(y, (unsigned)mo))
                return SL_INVAL;
            if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
                p++;
                if (!rd_time(&p, end, &tod)) return SL_INVAL;
            }
        }
    }
    if (!rd_zone(&p, end, &off)) return SL_INVAL;
    days = sl_value_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *ms = days * 86400000 + tod - off;
    return SL_OK;
}

int sl_value_parse_date(const char *s, size_t n, int32_t *days)
{
    int64_t ms;
    int rc = sl_value_parse_ts(s, n, &ms);
    if (rc != SL_OK) return rc;
    *days = (int32_t)sl_value_floor_div(ms, 86400000);
    return SL_OK;
}

int sl_value_parse_time(const char *s, size_t n, int32_t *ms)
{
    const char *p = s, *end = s + n;
    int64_t t;
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    if (!rd_time(&p, end, &t) || p != end) return SL_INVAL;
    *ms = (int32_t)t;
    return SL_OK;
}

/* ---- base64 ------------------------------------------------------------------------------ */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void sl_value_base64_encode(const uint8_t *p, size_t n, sl_buf_t *out)
{
    size_t i;
    char *o = (char *)sl_buf_extend(out, (n + 2) / 3 * 4);
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = b64chars[v >> 18];
        *o++ = b64chars[(v >> 12) & 63];
        *o++ = b64chars[(v >> 6) & 63];
        *o++ = b64chars[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = b64chars[v >> 18];
        *o++ = b64chars[(v >> 12) & 63];
        *o++ = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int sl_value_base64_decode(sl_arena_t *a, const char *s, size_t n, uint8_t **out, size_t *outlen)
{
    uint8_t *o = sl_arena_alloc(a, n / 4 * 3 + 3);
    size_t k = 0;
    uint32_t acc = 0;
    int bits = 0;
    size_t i = 0;
    while (n > 0 && s[n - 1] == '=')
        n--;
    for (i = 0; i < n; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0) return SL_INVAL;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[k++] = (uint8_t)(acc >> bits);
        }
    }
    if (bits >= 6) return SL_INVAL; /* a lone sixth of a byte */
    *out = o;
    *outlen = k;
    return SL_OK;
}

/* ---- text form --------------------------------------------------------------------------- */

static void text_rec(const sl_value_t *v, const sl_type_t *t, sl_buf_t *out)
{
    char tmp[64];
    size_t n;
    switch (v->kind) {
    case SL_TYPE_NULL:
        sl_buf_put(out, "null", 4);
        return;
    case SL_TYPE_BOOLEAN:
        if (v->u.b)
            sl_buf_put(out, "true", 4);
        else
            sl_buf_put(out, "false", 5);
        return;
    case SL_TYPE_INTEGER:
        n = (size_t)sprintf(tmp, "%d", v->u.i32);
        break;
    case SL_TYPE_BIGINT:
        n = (size_t)sprintf(tmp, "%lld", (long long)v->u.i64);
        break;
    case SL_TYPE_DOUBLE:
        n = sl_value_double_str(v->u.f64, tmp);
        break;
    case SL_TYPE_DECIMAL:
        n = sl_dec_to_str(v->u.dec, v->scale, tmp);
        break;
    case SL_TYPE_STRING:
        sl_buf_put(out, v->u.str, v->len);
        return;
    case SL_TYPE_BYTES:
        sl_value_base64_encode(v->u.bin, v->len, out);
        return;
    case SL_TYPE_DATE:
        n = sl_value_date_str(v->u.i32, tmp);
        break;
    case SL_TYPE_TIME:
        n = sl_value_time_str(v->u.i32, tmp);
        break;
    case SL_TYPE_TIMESTAMP:
        n = sl_value_ts_str(v->u.i64, tmp);
        break;
    case SL_TYPE_ARRAY:
        sl_buf_put(out, "[", 1);
        for (uint32_t i = 0; i < v->len; i++) {
            if (i) sl_buf_put(out, ", ", 2);
            text_rec(&v->u.items[i], t->elem, out);
        }
        sl_buf_put(out, "]", 1);
        return;
    case SL_TYPE_MAP:
        sl_buf_put(out, "{", 1);
        for (uint32_t i = 0; i < v->len; i++) {
            if (i) sl_buf_put(out, ", ", 2);
            text_rec(&v->u.kv[2 * i], t->key, out);
            sl_buf_put(out, "=", 1);
            text_rec(&v->u.kv[2 * i + 1], t->elem, out);
        }
        sl_buf_put(out, "}", 1);
        return;
    case SL_TYPE_STRUCT: {
        bool first = true;
        sl_buf_put(out, "Struct{", 7);
        for (uint32_t i = 0; i < v->len && i < t->nfields; i++) {
            if (sl_v_is_null(&v->u.items[i]))
                continue; /* Kafka Connect's Struct.toString leaves NULL fields out */
            if (!first) sl_buf_put(out, ",", 1);
            first = false;
            sl_buf_put(out, t->fields[i].name, strlen(t->fields[i].name));
            sl_buf_put(out, "=", 1);
            text_rec(&v->u.items[i], t->fields[i].type, out);
        }
        sl_buf_put(out, "}", 1);
        return;
    }
    default:
        return;
    }
    sl_buf_put(out, tmp, n);
}

void sl_value_to_text(const sl_value_t *v, const sl_type_t *t, sl_buf_t *out)
{
    text_rec(v, t, out);
}

sl_value_t sl_value_to_string(sl_arena_t *a, const sl_value_t *v, const sl_type_t *t)
{
    char tmp[64];
    size_t n;
    switch (v->kind) {
    case SL_TYPE_STRING:
        return *v;
    case SL_TYPE_INTEGER:
        n = (size_t)sprintf(tmp, "%d", v->u.i32);
        return sl_v_str_copy(a, tmp, n);
    case SL_TYPE_BIGINT:
        n = (size_t)sprintf(tmp, "%lld", (long long)v->u.i64);
        return sl_v_str_copy(a, tmp, n);
    default: {
        sl_buf_t b;
        sl_value_t s;
        sl_buf_init(&b);
        text_rec(v, t, &b);
        s = sl_v_str_copy(a, (const char *)b.data, b.len);
        sl_buf_free(&b);
        return s;
    }
    }
}

/* ---- casts ------------------------------------------------------------------------------- */

bool sl_value_cast_allowed(const sl_type_t *from, const sl_type_t *to)
{
    if (from->kind == SL_TYPE_NULL) return true;
    if (sl_type_equal(from, to)) return true;
    switch (to->kind) {
    case SL_TYPE_STRING:
        return true;
    case SL_TYPE_BOOLEAN:
        return from->kind == SL_TYPE_BOOLEAN || from->kind == SL_TYPE_STRING;
    case SL_TYPE_INTEGER:
    case SL_TYPE_BIGINT:
    case SL_TYPE_DOUBLE:
    case SL_TYPE_DECIMAL:
        return sl_type_is_numeric(from) || from->kind == SL_TYPE_STRING;
    case SL_TYPE_DATE:
    case SL_TYPE_TIME:
        return from->kind == to->kind || from->kind == SL_TYPE_STRING ||
               from->kind == SL_TYPE_TIMESTAMP;
    case SL_TYPE_TIMESTAMP:
        return from->kind == SL_TYPE_TIMESTAMP || from->kind == SL_TYPE_STRING ||
               from->kind == SL_TYPE_DATE;
    case SL_TYPE_BYTES:
        return from->kind == SL_TYPE_BYTES;
    case SL_TYPE_ARRAY:
        return from->kind == SL_TYPE_ARRAY && sl_value_cast_allowed(from->elem, to->elem);
    case SL_TYPE_MAP:
        return from->kind == SL_TYPE_MAP && sl_value_cast_allowed(from->key, to->key) &&
               sl_value_cast_allowed(from->elem, to->elem);
    case SL_TYPE_STRUCT:
        if (from->kind != SL_TYPE_STRUCT) return false;
        for (uint32_t i = 0; i < to->nfields; i++) {
            int j = sl_type_field_index(from, to->fields[i].name);
            if (j >= 0 && !sl_value_cast_allowed(from->fields[j].type, to->fields[i].type))
                return false;
        }
        return true;
    default:
        return false;
    }
}

/* Java's (int)/(long) of a double: truncation, saturation, NaN -> 0. */
static int64_t d2l(double d)
{
    if (isnan(d)) return 0;
    if (d >= 9223372036854775807.0) return INT64_MAX;
    if (d <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)d;
}

static int32_t d2i(double d)
{
    if (isnan(d)) return 0;
    if (d >= 2147483647.0) return INT32_MAX;
    if (d <= -2147483648.0) return INT32_MIN;
    return (int32_t)d;
}

/* BigDecimal.longValue(): integer part, low 64 bits. */
static int64_t dec2l(sl_i128 v, int scale)
{
    sl_i128 q = scale > 0 ? v / sl_dec_pow10(scale) : v;
    return (int64_t)(uint64_t)(unsigned __int128)q;
}

/* Trimmed view of a string value (ksqlDB trims before parsing numbers). */
static void trimmed(const sl_value_t *v, const char **p, size_t *n)
{
    const char *s = v->u.str, *e = v->u.str + v->len;
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    *p = s;
    *n = (size_t)(e - s);
}

static int bad_syntax(const sl_value_t *in, const sl_type_t *to, char *err, size_t errlen)
{
    ERRF("invalid input syntax for type %s: \"%.*s\"", sl_type_kind_name(to->kind),
         (int)(in->len > 100 ? 100 : in->len), in->u.str);
    return SL_INVAL;
}

static int num_to_double(const sl_value_t *in, double *d)
{
    switch (in->kind) {
    case SL_TYPE_INTEGER:
        *d = in->u.i32;
        return SL_OK;
    case SL_TYPE_BIGINT:
        *d = (double)in->u.i64;
        return SL_OK;
    case SL_TYPE_DOUBLE:
        *d = in->u.f64;
        return SL_OK;
    case SL_TYPE_DECIMAL:
        *d = sl_dec_to_double(in->u.dec, in->scale);
        return SL_OK;
    default:
        return SL_INVAL;
    }
}

static int cast_decimal(const sl_value_t *in, const sl_type_t *to, sl_value_t *out, char *err,
                        size_t errlen)
{
    sl_i128 v;
    int rc;
    switch (in->kind) {
    case SL_TYPE_INTEGER:
        rc = sl_dec_rescale(in->u.i32, 0, to->scale, &v);
        break;
    case SL_TYPE_BIGINT:
        rc = sl_dec_rescale(in->u.i64, 0, to->scale, &v);
        break;
    case SL_TYPE_DOUBLE:
        rc = sl_dec_from_double(in->u.f64, to->scale, &v);
        if (rc == SL_INVAL) {
            ERRF("Cannot convert %s to DECIMAL", isnan(in->u.f64) ? "NaN" : "Infinity");
            return rc;
        }
        break;
    case SL_TYPE_DECIMAL:
        rc = sl_dec_rescale(in->u.dec, in->scale, to->scale, &v);
        break;
    case SL_TYPE_STRING: {
        const char *p;
        size_t n;
        sl_i128 u;
        int sc;
        trimmed(in, &p, &n);
        rc = sl_dec_parse(p, n, &u, &sc);
        if (rc == SL_INVAL) return bad_syntax(in, to, err, errlen);
        if (rc == SL_OK) rc = sl_dec_rescale(u, sc, to->scale, &v);
        break;
    }
    default:
        ERRF("Cast of %s to DECIMAL is not supported", sl_type_kind_name(in->kind));
        return SL_INVAL;
    }
    if (rc != SL_OK) {
        ERRF("DECIMAL value exceeds %d digits", SL_DECIMAL_MAX_DIGITS);
        return SL_RANGE;
    }
    if ((rc = sl_dec_check(v, to->precision, to->scale, err, errlen)) != SL_OK) return rc;
    *out = sl_v_dec(v, to->scale);
    return SL_OK;
}

int sl_value_cast(sl_arena_t *a, const sl_value_t *in, const sl_type_t *from, const sl_type_t *to,
                  sl_value_t *out, char *err, size_t errlen)
{
    int rc;
    if (sl_v_is_null(in)) {
        *out = sl_v_null();
        return SL_OK;
    }
    if (sl_type_equal(from, to)) {
        *out = *in;
        return SL_OK;
    }
    switch (to->kind) {
    case SL_TYPE_STRING:
        *out = sl_value_to_string(a, in, from);
        return SL_OK;
    case SL_TYPE_BOOLEAN:
        if (in->kind == SL_TYPE_STRING) {
            const char *p;
            size_t n;
            bool b;
            trimmed(in, &p, &n);
            if (sl_value_parse_bool(p, n, &b) != SL_OK) return bad_syntax(in, to, err, errlen);
            *out = sl_v_bool(b);
            return SL_OK;
        }
        break;
    case SL_TYPE_INTEGER:
        switch (in->kind) {
        case SL_TYPE_BIGINT:
            *out = sl_v_int((int32_t)(uint32_t)(uint64_t)in->u.i64);
            return SL_OK;
        case SL_TYPE_DOUBLE:
            *out = sl_v_int(d2i(in->u.f64));
            return SL_OK;
        case SL_TYPE_DECIMAL:
            *out = sl_v_int((int32_t)(uint32_t)(uint64_t)dec2l(in->u.dec, in->scale));
            return SL_OK;
        case SL_TYPE_STRING: {
            const char *p;
            size_t n;
            int32_t v;
            trimmed(in, &p, &n);
            if (sl_value_parse_i32(p, n, &v) != SL_OK) return bad_syntax(in, to, err, errlen);
            *out = sl_v_int(v);
            return SL_OK;
        }
        default:
            break;
        }
        break;
    case SL_TYPE_BIGINT:
        switch (in->kind) {
        case SL_TYPE_INTEGER:
            *out = sl_v_bigint(in->u.i32);
            return SL_OK;
        case SL_TYPE_DOUBLE:
            *out = sl_v_bigint(d2l(in->u.f64));
            return SL_OK;
        case SL_TYPE_DECIMAL:
            *out = sl_v_bigint(dec2l(in->u.dec, in->scale));
            return SL_OK;
        case SL_TYPE_STRING: {
            const char *p;
            size_t n;
            int64_t v;
            trimmed(in, &p, &n);
            if (sl_value_parse_i64(p, n, &v) != SL_OK) return bad_syntax(in, to, err, errlen);
            *out = sl_v_bigint(v);
            return SL_OK;
        }
        default:
            break;
        }
        break;
    case SL_TYPE_DOUBLE:
        if (in->kind == SL_TYPE_STRING) {
            double d;
            if (sl_value_parse_double(in->u.str, in->len, &d) != SL_OK)
                return bad_syntax(in, to, err, errlen);
            *out = sl_v_double(d);
            return SL_OK;
        } else {
            double d;
            if (num_to_double(in, &d) == SL_OK) {
                *out = sl_v_double(d);
                return SL_OK;
            }
        }
        break;
    case SL_TYPE_DECIMAL:
        return cast_decimal(in, to, out, err, errlen);
    case SL_TYPE_DATE:
        if (in->kind == SL_TYPE_TIMESTAMP) {
            *out = sl_v_date((int32_t)sl_value_floor_div(in->u.i64, 86400000));
            return SL_OK;
        }
        if (in->kind == SL_TYPE_STRING) {
            int32_t d;
            if (sl_value_parse_date(in->u.str, in->len, &d) != SL_OK)
                return bad_syntax(in, to, err, errlen);
            *out = sl_v_date(d);
            return SL_OK;
        }
        break;
    case SL_TYPE_TIME:
        if (in->kind == SL_TYPE_TIMESTAMP) {
            *out = sl_v_time((int32_t)sl_value_floor_mod(in->u.i64, 86400000));
            return SL_OK;
        }
        if (in->kind == SL_TYPE_STRING) {
            int32_t t;
            if (sl_value_parse_time(in->u.str, in->len, &t) != SL_OK)
                return bad_syntax(in, to, err, errlen);
            *out = sl_v_time(t);
            return SL_OK;
        }
        break;
    case SL_TYPE_TIMESTAMP:
        if (in->kind == SL_TYPE_DATE) {
            *out = sl_v_ts((int64_t)in->u.i32 * 86400000);
            return SL_OK;
        }
        if (in->kind == SL_TYPE_STRING) {
            int64_t t;
            if (sl_value_parse_ts(in->u.str, in->len, &t) != SL_OK)
                return bad_syntax(in, to, err, errlen);
            *out = sl_v_ts(t);
            return SL_OK;
        }
        break;
    case SL_TYPE_ARRAY:
        if (in->kind == SL_TYPE_ARRAY) {
            sl_value_t *items = sl_arena_alloc(a, sizeof(sl_value_t) * (in->len ? in->len : 1));
            for (uint32_t i = 0; i < in->len; i++) {
                if ((rc = sl_value_cast(a, &in->u.items[i], from->elem, to->elem, &items[i], err,
                                        errlen)) != SL_OK)
                    return rc;
            }
            *out = sl_v_array(items, in->len);
            return SL_OK;
        }
        break;
    case SL_TYPE_MAP:
        if (in->kind == SL_TYPE_MAP) {
            sl_value_t *kv = sl_arena_alloc(a, sizeof(sl_value_t) * 2 * (in->len ? in->len : 1));
            for (uint32_t i = 0; i < in->len; i++) {
                if ((rc = sl_value_cast(a, &in->u.kv[2 * i], from->key, to->key, &kv[2 * i], err,
                                        errlen)) != SL_OK)
                    return rc;
                if ((rc = sl_value_cast(a, &in->u.kv[2 * i + 1], from->elem, to->elem,
                                        &kv[2 * i + 1], err, errlen)) != SL_OK)
                    return rc;
            }
            *out = sl_v_map(kv, in->len);
            return SL_OK;
        }
        break;
    case SL_TYPE_STRUCT:
        if (in->kind == SL_TYPE_STRUCT) {
            sl_value_t *f = sl_arena_alloc(a, sizeof(sl_value_t) * (to->nfields ? to->nfields : 1));
            for (uint32_t i = 0; i < to->nfields; i++) {
                int j = sl_type_field_index(from, to->fields[i].name);
                if (j < 0 || (uint32_t)j >= in->len) {
                    f[i] = sl_v_null();
                    continue;
                }
                if ((rc = sl_value_cast(a, &in->u.items[j], from->fields[j].type,
                                        to->fields[i].type, &f[i], err, errlen)) != SL_OK)
                    return rc;
            }
            *out = sl_v_struct(f, to->nfields);
            return SL_OK;
        }
        break;
    default:
        break;
    }
    {
        sl_buf_t b1, b2;
        sl_buf_init(&b1);
        sl_buf_init(&b2);
        sl_type_format(from, &b1);
        sl_type_format(to, &b2);
        ERRF("Cast of %.*s to %.*s is not supported", (int)b1.len, (const char *)b1.data,
             (int)b2.len, (const char *)b2.data);
        sl_buf_free(&b1);
        sl_buf_free(&b2);
    }
    return SL_INVAL;
}

/* ---- comparison -------------------------------------------------------------------------- */

static int cmp_num(const sl_value_t *a, const sl_value_t *b)
{
    if (a->kind == b->kind) {
        switch (a->kind) {
        case SL_TYPE_INTEGER:
            return (a->u.i32 > b->u.i32) - (a->u.i32 < b->u.i32);
        case SL_TYPE_BIGINT:
            return (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64);
        case SL_TYPE_DECIMAL:
            return sl_dec_cmp(a->u.dec, a->scale, b->u.dec, b->scale);
        default:
            break;
        }
    }
    if (a->kind == SL_TYPE_DOUBLE || b->kind == SL_TYPE_DOUBLE) {
        double x = 0, y = 0;
        num_to_double(a, &x);
        num_to_double(b, &y);
        /* Double.compare: NaN above everything, NaN == NaN */
        if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
        return (x > y) - (x < y);
    }
    {
        sl_i128 x, y;
        int sx = 0, sy = 0;
        x = a->kind == SL_TYPE_DECIMAL   ? (sx = a->scale, a->u.dec)
            : a->kind == SL_TYPE_INTEGER ? a->u.i32
                                         : a->u.i64;
        y = b->kind == SL_TYPE_DECIMAL   ? (sy = b->scale, b->u.dec)
            : b->kind == SL_TYPE_INTEGER ? b->u.i32
                                         : b->u.i64;
        return sl_dec_cmp(x, sx, y, sy);
    }
}

static bool is_num_kind(uint8_t k)
{
    return k == SL_TYPE_INTEGER || k == SL_TYPE_BIGINT || k == SL_TYPE_DECIMAL ||
           k == SL_TYPE_DOUBLE;
}

static int cmp_bytes(const void *a, size_t an, const void *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c < 0 ? -1 : 1;
    return (an > bn) - (an < bn);
}

int sl_value_cmp(const sl_value_t *a, const sl_value_t *b, const sl_type_t *t)
{
    if (sl_v_is_null(a) || sl_v_is_null(b))
        return sl_v_is_null(b) - sl_v_is_null(a); /* NULLs first, for sorting */
    if (is_num_kind(a->kind) && is_num_kind(b->kind)) return cmp_num(a, b);
    switch (a->kind) {
    case SL_TYPE_BOOLEAN:
        return (a->u.b > b->u.b) - (a->u.b < b->u.b);
    case SL_TYPE_STRING:
    case SL_TYPE_BYTES:
        return cmp_bytes(a->u.str, a->len, b->u.str, b->len);
    case SL_TYPE_DATE:
    case SL_TYPE_TIME:
        return (a->u.i32 > b->u.i32) - (a->u.i32 < b->u.i32);
    case SL_TYPE_TIMESTAMP:
        return (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64);
    case SL_TYPE_ARRAY:
        for (uint32_t i = 0; i < a->len && i < b->len; i++) {
            int c = sl_value_cmp(&a->u.items[i], &b->u.items[i], t->elem);
            if (c) return c;
        }
        return (a->len > b->len) - (a->len < b->len);
    case SL_TYPE_STRUCT:
        for (uint32_t i = 0; i < a->len && i < b->len; i++) {
            int c = sl_value_cmp(&a->u.items[i], &b->u.items[i], t->fields[i].type);
            if (c) return c;
        }
        return (a->len > b->len) - (a->len < b->len);
    case SL_TYPE_MAP:
        for (uint32_t i = 0; i < a->len && i < b->len; i++) {
            int c = sl_value_cmp(&a->u.kv[2 * i], &b->u.kv[2 * i], t->key);
            if (!c) c = sl_value_cmp(&a->u.kv[2 * i + 1], &b->u.kv[2 * i + 1], t->elem);
            if (c) return c;
        }
        return (a->len > b->len) - (a->len < b->len);
    default:
        return 0;
    }
}

bool sl_value_eq(const sl_value_t *a, const sl_value_t *b, const sl_type_t *t)
{
    if (sl_v_is_null(a) || sl_v_is_null(b)) return sl_v_is_null(a) && sl_v_is_null(b);
    if (is_num_kind(a->kind) && is_num_kind(b->kind)) return cmp_num(a, b) == 0;
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case SL_TYPE_ARRAY:
        if (a->len != b->len) return false;
        for (uint32_t i = 0; i < a->len; i++) {
            if (!sl_value_eq(&a->u.items[i], &b->u.items[i], t->elem)) return false;
        }
        return true;
    case SL_TYPE_STRUCT:
        if (a->len != b->len) return false;
        for (uint32_t i = 0; i < a->len; i++) {
            if (!sl_value_eq(&a->u.items[i], &b->u.items[i], t->fields[i].type)) return false;
        }
        return true;
    case SL_TYPE_MAP:
        /* maps are equal when they hold the same entries, whatever the order */
        if (a->len != b->len) return false;
        for (uint32_t i = 0; i < a->len; i++) {
            bool found = false;
            for (uint32_t j = 0; j < b->len; j++) {
                if (sl_value_eq(&a->u.kv[2 * i], &b->u.kv[2 * j], t->key)) {
                    if (!sl_value_eq(&a->u.kv[2 * i + 1], &b->u.kv[2 * j + 1], t->elem))
                        return false;
                    found = true;
                    break;
                }
            }
            if (!found) return false;
        }
        return true;
    default:
        return sl_value_cmp(a, b, t) == 0;
    }
}

static uint64_t mix64(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

static uint64_t hash_bytes(const void *p, size_t n)
{
    const uint8_t *s = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t sl_value_hash(const sl_value_t *v, const sl_type_t *t)
{
    uint64_t h = (uint64_t)v->kind * 0x100000001b3ULL;
    switch (v->kind) {
    case SL_TYPE_NULL:
        return 0x6e756c6cULL;
    case SL_TYPE_BOOLEAN:
        return mix64(h, v->u.b);
    case SL_TYPE_INTEGER:
    case SL_TYPE_DATE:
    case SL_TYPE_TIME:
        return mix64(h, (uint64_t)(int64_t)v->u.i32);
    case SL_TYPE_BIGINT:
    case SL_TYPE_TIMESTAMP:
        return mix64(h, (uint64_t)v->u.i64);
    case SL_TYPE_DOUBLE: {
        uint64_t bits;
        double d = v->u.f64 == 0 ? 0.0 : v->u.f64;
        memcpy(&bits, &d, sizeof(bits));
        return mix64(h, bits);
    }
    case SL_TYPE_DECIMAL: {
        /* hash the value with trailing zeros stripped, so 1.0 and 1.00 agree */
        sl_i128 u = v->u.dec;
        int sc = v->scale;
        while (sc > 0 && u % 10 == 0) {
            u /= 10;
            sc--;
        }
        return mix64(mix64(h, (uint64_t)u), (uint64_t)(u >> 64) ^ (uint64_t)sc);
    }
    case SL_TYPE_STRING:
    case SL_TYPE_BYTES:
        return mix64(h, hash_bytes(v->u.str, v->len));
    case SL_TYPE_ARRAY:
        for (uint32_t i = 0; i < v->len; i++)
            h = mix64(h, sl_value_hash(&v->u.items[i], t->elem));
        return h;
    case SL_TYPE_STRUCT:
        for (uint32_t i = 0; i < v->len; i++)
            h = mix64(h, sl_value_hash(&v->u.items[i], t->fields[i].type));
        return h;
    case SL_TYPE_MAP: {
        /* order-independent, like equality */
        uint64_t acc = 0;
        for (uint32_t i = 0; i < v->len; i++)
            acc += mix64(sl_value_hash(&v->u.kv[2 * i], t->key),
                         sl_value_hash(&v->u.kv[2 * i + 1], t->elem));
        return mix64(h, acc);
    }
    default:
        return h;
    }
}

/* ---- JSON -------------------------------------------------------------------------------- */

void sl_value_json_put_string(const char *s, size_t n, sl_buf_t *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = 0;
    sl_buf_put(out, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[6];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        sl_buf_put(out, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        default:
            u[0] = '\\';
            u[1] = 'u';
            u[2] = '0';
            u[3] = '0';
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
            sl_buf_put(out, u, 6);
            continue;
        }
        sl_buf_put(out, esc, strlen(esc));
    }
    sl_buf_put(out, s + start, n - start);
    sl_buf_put(out, "\"", 1);
}

void sl_value_write_json(const sl_value_t *v, const sl_type_t *t, sl_buf_t *out)
{
    char tmp[64];
    size_t n;
    switch (v->kind) {
    case SL_TYPE_NULL:
        sl_buf_put(out, "null", 4);
        return;
    case SL_TYPE_BOOLEAN:
        if (v->u.b)
            sl_buf_put(out, "true", 4);
        else
            sl_buf_put(out, "false", 5);
        return;
    case SL_TYPE_INTEGER:
    case SL_TYPE_DATE:
    case SL_TYPE_TIME:
        n = (size_t)sprintf(tmp, "%d", v->u.i32);
        break;
    case SL_TYPE_BIGINT:
    case SL_TYPE_TIMESTAMP:
        n = (size_t)sprintf(tmp, "%lld", (long long)v->u.i64);
        break;
    case SL_TYPE_DOUBLE:
        n = sl_value_double_str(v->u.f64, tmp);
        if (!isfinite(v->u.f64)) {
            sl_value_json_put_string(tmp, n, out);
            return;
        }
        break;
    case SL_TYPE_DECIMAL:
        n = sl_dec_to_str(v->u.dec, v->scale, tmp);
        break;
    case SL_TYPE_STRING:
        sl_value_json_put_string(v->u.str, v->len, out);
        return;
    case SL_TYPE_BYTES:
        sl_buf_put(out, "\"", 1);
        sl_value_base64_encode(v->u.bin, v->len, out);
        sl_buf_put(out, "\"", 1);
        return;
    case SL_TYPE_ARRAY:
        sl_buf_put(out, "[", 1);
        for (uint32_t i = 0; i < v->len; i++) {
            if (i) sl_buf_put(out, ",", 1);
            sl_value_write_json(&v->u.items[i], t->elem, out);
        }
        sl_buf_put(out, "]", 1);
        return;
    case SL_TYPE_MAP:
        sl_buf_put(out, "{", 1);
        for (uint32_t i = 0; i < v->len; i++) {
            const sl_value_t *k = &v->u.kv[2 * i];
            if (i) sl_buf_put(out, ",", 1);
            if (k->kind == SL_TYPE_STRING) {
                sl_value_json_put_string(k->u.str, k->len, out);
            } else {
                sl_buf_t kb;
                sl_buf_init(&kb);
                text_rec(k, t->key, &kb);
                sl_value_json_put_string((const char *)kb.data, kb.len, out);
                sl_buf_free(&kb);
            }
            sl_buf_put(out, ":", 1);
            sl_value_write_json(&v->u.kv[2 * i + 1], t->elem, out);
        }
        sl_buf_put(out, "}", 1);
        return;
    case SL_TYPE_STRUCT:
        sl_buf_put(out, "{", 1);
        for (uint32_t i = 0; i < v->len && i < t->nfields; i++) {
            if (i) sl_buf_put(out, ",", 1);
            sl_value_json_put_string(t->fields[i].name, strlen(t->fields[i].name), out);
            sl_buf_put(out, ":", 1);
            sl_value_write_json(&v->u.items[i], t->fields[i].type, out);
        }
        sl_buf_put(out, "}", 1);
        return;
    default:
        sl_buf_put(out, "null", 4);
        return;
    }
    sl_buf_put(out, tmp, n);
}

json_t *sl_value_to_json(const sl_value_t *v, const sl_type_t *t)
{
    switch (v->kind) {
    case SL_TYPE_NULL:
        return json_null();
    case SL_TYPE_BOOLEAN:
        return json_boolean(v->u.b);
    case SL_TYPE_INTEGER:
    case SL_TYPE_DATE:
    case SL_TYPE_TIME:
        return json_integer(v->u.i32);
    case SL_TYPE_BIGINT:
    case SL_TYPE_TIMESTAMP:
        return json_integer(v->u.i64);
    case SL_TYPE_DOUBLE: {
        char tmp[32];
        if (!isfinite(v->u.f64)) {
            sl_value_double_str(v->u.f64, tmp);
            return json_string(tmp);
        }
        return json_real(v->u.f64);
    }
    case SL_TYPE_DECIMAL:
        if (v->scale == 0 && v->u.dec >= INT64_MIN && v->u.dec <= INT64_MAX)
            return json_integer((json_int_t)v->u.dec);
        return json_real(sl_dec_to_double(v->u.dec, v->scale));
    case SL_TYPE_STRING:
        return json_stringn(v->u.str, v->len);
    case SL_TYPE_BYTES: {
        sl_buf_t b;
        json_t *j;
        sl_buf_init(&b);
        sl_value_base64_encode(v->u.bin, v->len, &b);
        j = json_stringn(b.data ? (const char *)b.data : "", b.len);
        sl_buf_free(&b);
        return j;
    }
    case SL_TYPE_ARRAY: {
        json_t *arr = json_array();
        for (uint32_t i = 0; i < v->len; i++)
            json_array_append_new(arr, sl_value_to_json(&v->u.items[i], t->elem));
        return arr;
    }
    case SL_TYPE_MAP: {
        json_t *obj = json_object();
        for (uint32_t i = 0; i < v->len; i++) {
            const sl_value_t *k = &v->u.kv[2 * i];
            sl_buf_t kb;
            sl_buf_init(&kb);
            text_rec(k, t->key, &kb);
            json_object_setn_new(obj, kb.data ? (const char *)kb.data : "", kb.len,
                                 sl_value_to_json(&v->u.kv[2 * i + 1], t->elem));
            sl_buf_free(&kb);
        }
        return obj;
    }
    case SL_TYPE_STRUCT: {
        json_t *obj = json_object();
        for (uint32_t i = 0; i < v->len && i < t->nfields; i++)
            json_object_set_new(obj, t->fields[i].name,
                                sl_value_to_json(&v->u.items[i], t->fields[i].type));
        return obj;
    }
    default:
        return json_null();
    }
}

/* JSON text of a jansson value with Java's number forms (what Jackson's toString prints). */
void sl_value_json_dump_java(const json_t *j, sl_buf_t *out)
{
    char tmp[40];
    size_t n;
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *v;
        bool first = true;
        sl_buf_put(out, "{", 1);
        json_object_foreach((json_t *)j, k, v)
        {
            if (!first) sl_buf_put(out, ",", 1);
            first = false;
            sl_value_json_put_string(k, strlen(k), out);
            sl_buf_put(out, ":", 1);
            sl_value_json_dump_java(v, out);
        }
        sl_buf_put(out, "}", 1);
        return;
    }
    case JSON_ARRAY:
        sl_buf_put(out, "[", 1);
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i) sl_buf_put(out, ",", 1);
            sl_value_json_dump_java(json_array_get(j, i), out);
        }
        sl_buf_put(out, "]", 1);
        return;
    case JSON_STRING:
        sl_value_json_put_string(json_string_value(j), json_string_length(j), out);
        return;
    case JSON_INTEGER:
        n = (size_t)sprintf(tmp, "%lld", (long long)json_integer_value(j));
        sl_buf_put(out, tmp, n);
        return;
    case JSON_REAL:
        n = sl_value_double_str(json_real_value(j), tmp);
        sl_buf_put(out, tmp, n);
        return;
    case JSON_TRUE:
        sl_buf_put(out, "true", 4);
        return;
    case JSON_FALSE:
        sl_buf_put(out, "false", 5);
        return;
    default:
        sl_buf_put(out, "null", 4);
        return;
    }
}

static const char *json_kind_name(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "OBJECT";
    case JSON_ARRAY:
        return "ARRAY";
    case JSON_STRING:
        return "STRING";
    case JSON_INTEGER:
    case JSON_REAL:
        return "NUMBER";
    case JSON_TRUE:
    case JSON_FALSE:
        return "BOOLEAN";
    default:
        return "NULL";
    }
}

static int json_mismatch(const json_t *j, const sl_type_t *t, char *err, size_t errlen)
{
    ERRF("Can't convert type. sourceType: %s, requiredType: %s", json_kind_name(j),
         sl_type_kind_name(t->kind));
    return SL_INVAL;
}

/* java.lang.String.hashCode() of UTF-8 text, over its UTF-16 code units. */
static int32_t java_string_hash(const char *s, size_t n)
{
    uint32_t h = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        if (p[i] < 0x80) {
            cp = p[i++];
        } else if ((p[i] >> 5) == 6 && i + 1 < n) {
            cp = ((uint32_t)(p[i] & 0x1f) << 6) | (p[i + 1] & 0x3f);
            i += 2;
        } else if ((p[i] >> 4) == 14 && i + 2 < n) {
            cp = ((uint32_t)(p[i] & 0x0f) << 12) | ((uint32_t)(p[i + 1] & 0x3f) << 6) |
                 (p[i + 2] & 0x3f);
            i += 3;
        } else if ((p[i] >> 3) == 30 && i + 3 < n) {
            cp = ((uint32_t)(p[i] & 0x07) << 18) | ((uint32_t)(p[i + 1] & 0x3f) << 12) |
                 ((uint32_t)(p[i + 2] & 0x3f) << 6) | (p[i + 3] & 0x3f);
            i += 4;
        } else {
            cp = 0xfffd;
            i++;
        }
        if (cp >= 0x10000) {
            h = 31 * h + (0xd800 + ((cp - 0x10000) >> 10));
            h = 31 * h + (0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else {
            h = 31 * h + cp;
        }
    }
    return (int32_t)h;
}

/* ksqlDB's JSON deserializer collects a MAP into a java.util.HashMap, so functions that walk a
 * map (REDUCE, MAP_KEYS, CAST to STRING) see HashMap's iteration order: by bucket, then by
 * insertion. Reproduce it for STRING keys: bucket = spread(hash) & (capacity - 1), where the
 * map was created as new HashMap<>(size) (capacity: the next power of two >= size, doubled
 * while the 0.75 load factor is exceeded). */
static void java_hashmap_order(sl_arena_t *a, sl_value_t *kv, uint32_t n)
{
    uint32_t cap = 1, *bucket;
    if (n < 2) return;
    while (cap < n)
        cap *= 2;
    while ((double)n > 0.75 * cap)
        cap *= 2;
    bucket = sl_arena_alloc(a, sizeof(uint32_t) * n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = (uint32_t)java_string_hash(kv[2 * i].u.str, kv[2 * i].len);
        bucket[i] = (h ^ (h >> 16)) & (cap - 1);
    }
    /* insertion sort by bucket keeps insertion order inside a bucket */
    for (uint32_t i = 1; i < n; i++) {
        sl_value_t k = kv[2 * i], v = kv[2 * i + 1];
        uint32_t b = bucket[i], j = i;
        while (j > 0 && bucket[j - 1] > b) {
            kv[2 * j] = kv[2 * (j - 1)];
            kv[2 * j + 1] = kv[2 * (j - 1) + 1];
            bucket[j] = bucket[j - 1];
            j--;
        }
        kv[2 * j] = k;
        kv[2 * j + 1] = v;
        bucket[j] = b;
    }
}

/* The text of a JSON scalar, Java style ("1.5", not "1.5000000000000000"). */
static sl_value_t json_scalar_text(sl_arena_t *a, const json_t *j)
{
    char tmp[40];
    size_t n;
    if (json_is_string(j)) return sl_v_str_copy(a, json_string_value(j), json_string_length(j));
    if (json_is_integer(j)) {
        n = (size_t)sprintf(tmp, "%lld", (long long)json_integer_value(j));
        return sl_v_str_copy(a, tmp, n);
    }
    if (json_is_real(j)) {
        n = sl_value_double_str(json_real_value(j), tmp);
        return sl_v_str_copy(a, tmp, n);
    }
    if (json_is_boolean(j)) return json_is_true(j) ? sl_v_str("true", 4) : sl_v_str("false", 5);
    {
        sl_buf_t b;
        sl_value_t s;
        sl_buf_init(&b);
        sl_value_json_dump_java(j, &b);
        s = sl_v_str_copy(a, (const char *)b.data, b.len);
        sl_buf_free(&b);
        return s;
    }
}

int sl_value_from_json(sl_arena_t *a, const json_t *j, const sl_type_t *t, sl_value_t *out,
                       char *err, size_t errlen)
{
    int rc;
    if (!j || json_is_null(j)) {
        *out = sl_v_null();
        return SL_OK;
    }
    switch (t->kind) {
    case SL_TYPE_BOOLEAN:
        if (json_is_boolean(j)) {
            *out = sl_v_bool(json_is_true(j));
            return SL_OK;
        }
        if (json_is_string(j)) {
            const char *s = json_string_value(j);
            if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0) {
                *out = sl_v_bool(strcasecmp(s, "true") == 0);
                return SL_OK;
            }
        }
        return json_mismatch(j, t, err, errlen);
    case SL_TYPE_INTEGER:
    case SL_TYPE_BIGINT:
    case SL_TYPE_DATE:
    case SL_TYPE_TIME:
    case SL_TYPE_TIMESTAMP: {
        int64_t v;
        if (json_is_integer(j)) {
            v = json_integer_value(j);
        } else if (json_is_real(j)) {
            v = d2l(json_real_value(j));
        } else if (json_is_string(j)) {
            const char *s = json_string_value(j);
            size_t n = json_string_length(j);
            if (sl_value_parse_i64(s, n, &v) != SL_OK) {
                /* ISO text for the temporal types */
                int32_t d32;
                if (t->kind == SL_TYPE_TIMESTAMP && sl_value_parse_ts(s, n, &v) == SL_OK) goto have;
                if (t->kind == SL_TYPE_DATE && sl_value_parse_date(s, n, &d32) == SL_OK) {
                    v = d32;
                    goto have;
                }
                if (t->kind == SL_TYPE_TIME && sl_value_parse_time(s, n, &d32) == SL_OK) {
                    v = d32;
                    goto have;
                }
                ERRF("invalid input syntax for type %s: \"%.*s\"", sl_type_kind_name(t->kind),
                     (int)(n > 100 ? 100 : n), s);
                return SL_INVAL;
            }
        } else {
            return json_mismatch(j, t, err, errlen);
        }
    have:
        switch (t->kind) {
        case SL_TYPE_INTEGER:
            *out = sl_v_int((int32_t)(uint32_t)(uint64_t)v);
            break;
        case SL_TYPE_BIGINT:
            *out = sl_v_bigint(v);
            break;
        case SL_TYPE_DATE:
            *out = sl_v_date((int32_t)v);
            break;
        case SL_TYPE_TIME:
            *out = sl_v_time((int32_t)v);
            break;
        default:
            *out = sl_v_ts(v);
            break;
        }
        return SL_OK;
    }
    case SL_TYPE_DOUBLE:
        if (json_is_number(j)) {
            *out = sl_v_double(json_number_value(j));
            return SL_OK;
        }
        if (json_is_string(j)) {
            double d;
            if (sl_value_parse_double(json_string_value(j), json_string_length(j), &d) != SL_OK) {
                ERRF("invalid input syntax for type DOUBLE: \"%s\"", json_string_value(j));
                return SL_INVAL;
            }
            *out = sl_v_double(d);
            return SL_OK;
        }
        return json_mismatch(j, t, err, errlen);
    case SL_TYPE_DECIMAL: {
        sl_value_t s;
        if (!json_is_number(j) && !json_is_string(j)) return json_mismatch(j, t, err, errlen);
        s = json_scalar_text(a, j);
        return cast_decimal(&s, t, out, err, errlen);
    }
    case SL_TYPE_STRING:
        *out = json_scalar_text(a, j);
        return SL_OK;
    case SL_TYPE_BYTES: {
        uint8_t *p;
        size_t n;
        if (!json_is_string(j)) return json_mismatch(j, t, err, errlen);
        if (sl_value_base64_decode(a, json_string_value(j), json_string_length(j), &p, &n) !=
            SL_OK) {
            ERRF("Value is not a valid base64 encoded string: %s", json_string_value(j));
            return SL_INVAL;
        }
        *out = sl_v_bytes(p, n);
        return SL_OK;
    }
    case SL_TYPE_ARRAY: {
        size_t n;
        sl_value_t *items;
        if (!json_is_array(j)) return json_mismatch(j, t, err, errlen);
        n = json_array_size(j);
        items = sl_arena_alloc(a, sizeof(sl_value_t) * (n ? n : 1));
        for (size_t i = 0; i < n; i++) {
            if ((rc = sl_value_from_json(a, json_array_get(j, i), t->elem, &items[i], err,
                                         errlen)) != SL_OK)
                return rc;
        }
        *out = sl_v_array(items, (uint32_t)n);
        return SL_OK;
    }
    case SL_TYPE_MAP: {
        size_t n, i = 0;
        sl_value_t *kv;
        const char *k;
        json_t *v;
        if (!json_is_object(j)) return json_mismatch(j, t, err, errlen);
        n = json_object_size(j);
        kv = sl_arena_alloc(a, sizeof(sl_value_t) * 2 * (n ? n : 1));
        json_object_foreach((json_t *)j, k, v)
        {
            sl_value_t ks = sl_v_str_copy(a, k, strlen(k));
            if ((rc = sl_value_cast(a, &ks, SL_T_STRING, t->key, &kv[2 * i], err, errlen)) != SL_OK)
                return rc;
            if ((rc = sl_value_from_json(a, v, t->elem, &kv[2 * i + 1], err, errlen)) != SL_OK)
                return rc;
            i++;
        }
        if (t->key->kind == SL_TYPE_STRING) java_hashmap_order(a, kv, (uint32_t)i);
        *out = sl_v_map(kv, (uint32_t)i);
        return SL_OK;
    }
    case SL_TYPE_STRUCT: {
        sl_value_t *f;
        if (!json_is_object(j)) return json_mismatch(j, t, err, errlen);
        f = sl_arena_alloc(a, sizeof(sl_value_t) * (t->nfields ? t->nfields : 1));
        for (uint32_t i = 0; i < t->nfields; i++) {
            json_t *fv = json_object_get(j, t->fields[i].name);
            if (!fv) {
                const char *k;
                json_t *v;
                json_object_foreach((json_t *)j, k, v)
                {
                    if (strcasecmp(k, t->fields[i].name) == 0) {
                        fv = v;
                        break;
                    }
                }
            }
            if ((rc = sl_value_from_json(a, fv, t->fields[i].type, &f[i], err, errlen)) != SL_OK)
                return rc;
        }
        *out = sl_v_struct(f, t->nfields);
        return SL_OK;
    }
    default:
        ERRF("unsupported type %s", sl_type_kind_name(t->kind));
        return SL_UNSUPP;
    }
}
