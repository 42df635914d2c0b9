/*
 * func_timefmt.c — the subset of java.time.format.DateTimeFormatter patterns ksqlDB users
 * write, in both directions (FORMAT_* / *TOSTRING and PARSE_* / STRINGTO*).
 *
 * Supported letters (English texts, as ksqlDB's formatters use the default locale):
 *   G era, y year-of-era, u year, M/L month (1, 2 digits; 3 Jan; 4 January; 5 J), d day of
 *   month, D day of year, E day of week (1-3 Mon, 4 Monday, 5 M), a AM/PM, H k K h hours,
 *   m minutes, s seconds, S fraction (n digits), n nano-of-second, A milli-of-day,
 *   z zone abbreviation (1-3 letters), Z X x offsets, O localized offset, VV zone id,
 *   'quoted text', '' (a quote), [optional sections], other punctuation literally.
 * Anything else (week-based fields, full zone names, localized numbers) fails when the pattern
 * is compiled, with "not supported yet".
 *
 * Parsing is case-insensitive (ksqlDB builds its parsers with parseCaseInsensitive). Numbers
 * follow java.time's adjacent-value rule: a variable-width field followed directly by
 * fixed-width ones ("yyyyMMdd") leaves them their digits. Missing fields default to
 * 1970-01-01T00:00:00.000; an invalid day of month is clamped to the month's end (java.time's
 * SMART resolver); a zone or offset in the text wins over the zone argument; text after the
 * end of the pattern is ignored.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "sql/func.h"

typedef enum { TK_LIT, TK_FIELD, TK_OPT_START, TK_OPT_END } tk_kind_t;

typedef struct dtok_s {
    tk_kind_t kind;  /* token kind */
    char letter;     /* TK_FIELD: pattern letter */
    int count;       /* TK_FIELD: repetitions */
    const char *lit; /* TK_LIT: text (arena) */
    size_t litn;     /* TK_LIT: length */
} dtok_t;

struct sl_dtfmt_s {
    dtok_t *toks;     /* tokens in order */
    uint32_t n;       /* number of tokens */
    bool has_date;    /* has a date field */
    bool has_time;    /* has a time-of-day field */
    const char *text; /* the pattern, for messages */
};

static const char *const months[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};
static const char *const wdays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                    "Friday", "Saturday", "Sunday"};

static int max_count(char c)
{
    switch (c) {
    case 'G':
    case 'M':
    case 'L':
    case 'E':
        return 5;
    case 'y':
    case 'u':
    case 'S':
    case 'n':
    case 'A':
        return 19;
    case 'D':
    case 'z':
        return 3;
    case 'Z':
    case 'X':
    case 'x':
        return 5;
    case 'O':
        return 4;
    case 'V':
        return 2;
    case 'a':
        return 1;
    default:
        return 2; /* d H k K h m s */
    }
}

int sl_dtfmt_compile(sl_arena_t *a, const char *pattern, size_t n, sl_dtfmt_t **out, char *err,
                     size_t errlen)
{
    sl_dtfmt_t *f = sl_arena_zalloc(a, sizeof(*f));
    dtok_t *toks = sl_arena_alloc(a, sizeof(dtok_t) * (n + 1));
    uint32_t nt = 0;
    int depth = 0;
    f->text = sl_arena_strndup(a, pattern, n);
    for (size_t i = 0; i < n;) {
        char c = pattern[i];
        if (isalpha((unsigned char)c)) {
            size_t j = i;
            while (j < n && pattern[j] == c)
                j++;
            if (!strchr("GyuMLdDEaHkKhmsSnAzZXxOV", c)) {
                snprintf(err, errlen,
                         "date/time pattern letter '%c' in '%.*s' is not supported yet", c, (int)n,
                         pattern);
                return SL_UNSUPP;
            }
            if ((int)(j - i) > max_count(c) || (c == 'V' && j - i != 2)) {
                snprintf(err, errlen, "Too many pattern letters: %c", c);
                return SL_INVAL;
            }
            if (c == 'z' && j - i > 3) {
                snprintf(err, errlen, "full zone names (zzzz) are not supported yet");
                return SL_UNSUPP;
            }
            if (c == 'O' && j - i != 1 && j - i != 4) {
                snprintf(err, errlen, "Pattern letter count must be 1 or 4: O");
                return SL_INVAL;
            }
            toks[nt].kind = TK_FIELD;
            toks[nt].letter = c;
            toks[nt].count = (int)(j - i);
            nt++;
            if (strchr("GyuMLdDE", c))
                f->has_date = true;
            else if (strchr("aHkKhmsSnA", c))
                f->has_time = true;
            i = j;
        } else if (c == '\'') {
            char *lit = sl_arena_alloc(a, n + 1);
            size_t k = 0;
            i++;
            if (i < n && pattern[i] == '\'') {
                lit[k++] = '\'';
                i++;
            } else {
                for (;;) {
                    if (i >= n) {
                        snprintf(err, errlen,
                                 "Pattern ends with an incomplete string literal: %.*s", (int)n,
                                 pattern);
                        return SL_INVAL;
                    }
                    if (pattern[i] == '\'') {
                        if (i + 1 < n && pattern[i + 1] == '\'') {
                            lit[k++] = '\'';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    lit[k++] = pattern[i++];
                }
            }
            toks[nt].kind = TK_LIT;
            toks[nt].lit = lit;
            toks[nt].litn = k;
            nt++;
        } else if (c == '[') {
            toks[nt++].kind = TK_OPT_START;
            depth++;
            i++;
        } else if (c == ']') {
            if (depth == 0) {
                snprintf(err, errlen, "Pattern invalid as it contains ] without previous [");
                return SL_INVAL;
            }
            toks[nt++].kind = TK_OPT_END;
            depth--;
            i++;
        } else if (c == '{' || c == '}' || c == '#') {
            snprintf(err, errlen, "Pattern includes reserved character: '%c'", c);
            return SL_INVAL;
        } else {
            toks[nt].kind = TK_LIT;
            toks[nt].lit = pattern + i;
            toks[nt].litn = 1;
            /* copy: the pattern may be record memory */
            toks[nt].lit = sl_arena_strndup(a, pattern + i, 1);
            nt++;
            i++;
        }
    }
    f->toks = toks;
    f->n = nt;
    *out = f;
    return SL_OK;
}

bool sl_dtfmt_has_time(const sl_dtfmt_t *f)
{
    return f->has_time;
}

bool sl_dtfmt_has_date(const sl_dtfmt_t *f)
{
    return f->has_date;
}

/* ---- formatting -------------------------------------------------------------------------- */

static void put_num(sl_buf_t *out, int64_t v, int width)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%0*lld", width, (long long)v);
    sl_buf_put(out, tmp, (size_t)n);
}

static void put_str(sl_buf_t *out, const char *s, size_t n)
{
    sl_buf_put(out, s, n);
}

/* Offset text; style: 'X' (Z for zero), 'x', 'Z', and widths as in the patterns. */
static void put_offset(sl_buf_t *out, int32_t off, char letter, int count)
{
    int a = off < 0 ? -off : off, h = a / 3600, m = a / 60 % 60, s = a % 60;
    char tmp[32];
    int n = 0;
    char sign = off < 0 ? '-' : '+';
    if (letter == 'X' && off == 0) {
        put_str(out, "Z", 1);
        return;
    }
    if (letter == 'Z') {
        if (count <= 3) {
            n = snprintf(tmp, sizeof(tmp), "%c%02d%02d", sign, h, m);
        } else if (count == 4) {
            if (off == 0)
                n = snprintf(tmp, sizeof(tmp), "GMT");
            else
                n = snprintf(tmp, sizeof(tmp), "GMT%c%02d:%02d", sign, h, m);
        } else {
            if (off == 0)
                n = snprintf(tmp, sizeof(tmp), "Z");
            else
                n = snprintf(tmp, sizeof(tmp), "%c%02d:%02d", sign, h, m);
        }
        put_str(out, tmp, (size_t)n);
        return;
    }
    switch (count) {
    case 1:
        n = m ? snprintf(tmp, sizeof(tmp), "%c%02d%02d", sign, h, m)
              : snprintf(tmp, sizeof(tmp), "%c%02d", sign, h);
        break;
    case 2:
        n = snprintf(tmp, sizeof(tmp), "%c%02d%02d", sign, h, m);
        break;
    case 3:
        n = snprintf(tmp, sizeof(tmp), "%c%02d:%02d", sign, h, m);
        break;
    case 4:
        n = s ? snprintf(tmp, sizeof(tmp), "%c%02d%02d%02d", sign, h, m, s)
              : snprintf(tmp, sizeof(tmp), "%c%02d%02d", sign, h, m);
        break;
    default:
        n = s ? snprintf(tmp, sizeof(tmp), "%c%02d:%02d:%02d", sign, h, m, s)
              : snprintf(tmp, sizeof(tmp), "%c%02d:%02d", sign, h, m);
        break;
    }
    put_str(out, tmp, (size_t)n);
}

int sl_dtfmt_format(const sl_dtfmt_t *f, int64_t ms, const sl_tz_t *zone, sl_buf_t *out, char *err,
                    size_t errlen)
{
    int32_t off;
    int64_t local;
    if (ms > INT64_MAX / 2 || ms < INT64_MIN / 2) {
        snprintf(err, errlen, "timestamp %lld is out of range", (long long)ms);
        return SL_RANGE;
    }
    off = sl_tz_offset_at(zone, ms);
    local = ms + (int64_t)off * 1000;
    int64_t days = sl_value_floor_div(local, 86400000), tod = sl_value_floor_mod(local, 86400000);
    int64_t y;
    unsigned mo, d;
    int hour = (int)(tod / 3600000), minute = (int)(tod / 60000 % 60), sec = (int)(tod / 1000 % 60),
        milli = (int)(tod % 1000);
    int wd = (int)sl_value_floor_mod(days + 3, 7); /* 0 = Monday; 1970-01-01 was a Thursday */
    sl_value_civil_from_days(days, &y, &mo, &d);
    for (uint32_t i = 0; i < f->n; i++) {
        const dtok_t *t = &f->toks[i];
        int c = t->count;
        if (t->kind == TK_LIT) {
            put_str(out, t->lit, t->litn);
            continue;
        }
        if (t->kind != TK_FIELD) continue;
        switch (t->letter) {
        case 'G':
            if (c <= 3)
                put_str(out, y > 0 ? "AD" : "BC", 2);
            else if (c == 4)
                put_str(out, y > 0 ? "Anno Domini" : "Before Christ", y > 0 ? 11 : 13);
            else
                put_str(out, y > 0 ? "A" : "B", 1);
            break;
        case 'y':
        case 'u': {
            int64_t yy = t->letter == 'y' && y <= 0 ? 1 - y : y;
            if (c == 2) {
                put_num(out, sl_value_floor_mod(yy, 100), 2);
            } else {
                if (c == 4 && yy > 9999) put_str(out, "+", 1);
                if (yy < 0) {
                    put_str(out, "-", 1);
                    put_num(out, -yy, c);
                } else {
                    put_num(out, yy, c);
                }
            }
            break;
        }
        case 'M':
        case 'L':
            if (c <= 2)
                put_num(out, mo, c);
            else if (c == 3)
                put_str(out, months[mo - 1], 3);
            else if (c == 4)
                put_str(out, months[mo - 1], strlen(months[mo - 1]));
            else
                put_str(out, months[mo - 1], 1);
            break;
        case 'd':
            put_num(out, d, c);
            break;
        case 'D':
            put_num(out, days - sl_value_days_from_civil(y, 1, 1) + 1, c);
            break;
        case 'E':
            if (c <= 3)
                put_str(out, wdays[wd], 3);
            else if (c == 4)
                put_str(out, wdays[wd], strlen(wdays[wd]));
            else
                put_str(out, wdays[wd], 1);
            break;
        case 'a':
            put_str(out, hour < 12 ? "AM" : "PM", 2);
            break;
        case 'H':
            put_num(out, hour, c);
            break;
        case 'k':
            put_num(out, hour == 0 ? 24 : hour, c);
            break;
        case 'K':
            put_num(out, hour % 12, c);
            break;
        case 'h':
            put_num(out, hour % 12 == 0 ? 12 : hour % 12, c);
            break;
        case 'm':
            put_num(out, minute, c);
            break;
        case 's':
            put_num(out, sec, c);
            break;
        case 'S': {
            char nanos[16];
            snprintf(nanos, sizeof(nanos), "%03d000000", milli);
            for (int k = 0; k < c; k++)
                put_str(out, k < 9 ? &nanos[k] : "0", 1);
            break;
        }
        case 'n':
            put_num(out, (int64_t)milli * 1000000, c);
            break;
        case 'A':
            put_num(out, tod, c);
            break;
        case 'z': {
            const char *ab = sl_tz_abbrev_at(zone, ms);
            put_str(out, ab, strlen(ab));
            break;
        }
        case 'Z':
        case 'X':
        case 'x':
            put_offset(out, off, t->letter, c);
            break;
        case 'O': {
            int a = off < 0 ? -off : off;
            char tmp[32];
            int n;
            if (off == 0)
                n = snprintf(tmp, sizeof(tmp), "GMT");
            else if (c == 1)
                n = a % 3600 ? snprintf(tmp, sizeof(tmp), "GMT%c%d:%02d", off < 0 ? '-' : '+',
                                        a / 3600, a / 60 % 60)
                             : snprintf(tmp, sizeof(tmp), "GMT%c%d", off < 0 ? '-' : '+', a / 3600);
            else
                n = snprintf(tmp, sizeof(tmp), "GMT%c%02d:%02d", off < 0 ? '-' : '+', a / 3600,
                             a / 60 % 60);
            put_str(out, tmp, (size_t)n);
            break;
        }
        case 'V': {
            const char *nm = sl_tz_name(zone);
            put_str(out, nm, strlen(nm));
            break;
        }
        default:
            snprintf(err, errlen, "unsupported pattern letter %c", t->letter);
            return SL_UNSUPP;
        }
    }
    return SL_OK;
}

/* ---- parsing ----------------------------------------------------------------------------- */

typedef struct pstate_s {
    int64_t year;         /* proleptic year (u), or INT64_MIN if absent */
    int64_t yoe;          /* year of era (y), or -1 */
    int era;              /* 1 AD, 0 BC, -1 absent */
    int month;            /* 1..12, 0 if absent */
    int day;              /* day of month, 0 if absent */
    int doy;              /* day of year, 0 if absent */
    int hour24;           /* H or k, -1 if absent */
    int hour12;           /* h or K as 0..11, -1 if absent */
    int ampm;             /* 0 AM, 1 PM, -1 absent */
    int minute;           /* 0 if absent */
    int second;           /* 0 if absent */
    int64_t nanos;        /* fraction of the second */
    int64_t milli_of_day; /* A, -1 if absent */
    bool has_zone;        /* the text named a zone or offset */
    int32_t zone_off;     /* fixed offset from the text, seconds */
    const sl_tz_t *zone;  /* region from the text (VV), or NULL */
} pstate_t;

static bool is_fixed_width(const dtok_t *t)
{
    if (t->kind != TK_FIELD) return false;
    switch (t->letter) {
    case 'd':
    case 'H':
    case 'k':
    case 'K':
    case 'h':
    case 'm':
    case 's':
    case 'D':
        return t->count >= 2;
    case 'M':
    case 'L':
        return t->count == 2;
    case 'y':
    case 'u':
        return t->count == 2;
    case 'S':
        return true;
    default:
        return false;
    }
}

static int fixed_width(const dtok_t *t)
{
    return t->count;
}

/* Reads digits: at least minw, at most maxw. */
static bool rd_num(const char *s, size_t n, size_t *pos, int minw, int maxw, int64_t *v)
{
    size_t p = *pos;
    int k = 0;
    int64_t x = 0;
    while (p < n && k < maxw && isdigit((unsigned char)s[p])) {
        if (x > (INT64_MAX - 9) / 10) return false; /* no field needs 19 digits */
        x = x * 10 + (s[p] - '0');
        p++;
        k++;
    }
    if (k < minw) return false;
    *pos = p;
    *v = x;
    return true;
}

/* Case-insensitive match of one of the words (or their prefixes of length len). */
static int rd_word(const char *s, size_t n, size_t *pos, const char *const *words, int nw, int len)
{
    for (int i = 0; i < nw; i++) {
        size_t wl = len ? (size_t)len : strlen(words[i]);
        if (wl > strlen(words[i])) wl = strlen(words[i]);
        if (*pos + wl <= n && strncasecmp(s + *pos, words[i], wl) == 0) {
            *pos += wl;
            return i;
        }
    }
    return -1;
}

static bool rd_offset(const char *s, size_t n, size_t *pos, int32_t *off, bool allow_z)
{
    size_t p = *pos;
    int sign;
    int64_t h, m = 0, sec = 0;
    if (allow_z && p < n && (s[p] == 'Z' || s[p] == 'z')) {
        *pos = p + 1;
        *off = 0;
        return true;
    }
    if (p >= n || (s[p] != '+' && s[p] != '-')) return false;
    sign = s[p++] == '-' ? -1 : 1;
    if (!rd_num(s, n, &p, 2, 2, &h)) return false;
    if (p < n && s[p] == ':') p++;
    if (p + 1 < n && isdigit((unsigned char)s[p]) && isdigit((unsigned char)s[p + 1])) {
        rd_num(s, n, &p, 2, 2, &m);
        if (p < n && s[p] == ':') p++;
        if (p + 1 < n && isdigit((unsigned char)s[p]) && isdigit((unsigned char)s[p + 1]))
            rd_num(s, n, &p, 2, 2, &sec);
    }
    if (h > 18 || m > 59 || sec > 59) return false;
    *pos = p;
    *off = sign * (int32_t)(h * 3600 + m * 60 + sec);
    return true;
}

/* Common zone abbreviations (java.time resolves these through its zone-name data). */
static const struct {
    const char *abbr;
    int32_t off;
} abbrs[] = {
    {"UTC", 0},          {"GMT", 0},          {"UT", 0},           {"Z", 0},
    {"EST", -5 * 3600},  {"EDT", -4 * 3600},  {"CST", -6 * 3600},  {"CDT", -5 * 3600},
    {"MST", -7 * 3600},  {"MDT", -6 * 3600},  {"PST", -8 * 3600},  {"PDT", -7 * 3600},
    {"AKST", -9 * 3600}, {"AKDT", -8 * 3600}, {"HST", -10 * 3600}, {"BST", 3600},
    {"CET", 3600},       {"CEST", 7200},      {"EET", 7200},       {"EEST", 3 * 3600},
    {"WET", 0},          {"WEST", 3600},      {"JST", 9 * 3600},   {"KST", 9 * 3600},
    {"AEST", 10 * 3600}, {"AEDT", 11 * 3600},
};

static int parse_err(const char *s, size_t n, size_t pos, char *err, size_t errlen)
{
    snprintf(err, errlen, "Text '%.*s' could not be parsed at index %zu", (int)(n > 200 ? 200 : n),
             s, pos);
    return SL_INVAL;
}

/* Parses tokens [from, to) starting at *pos; returns false on mismatch (state may be partly
 * written). Optional sections recurse and roll back. */
static bool parse_toks(const sl_dtfmt_t *f, uint32_t from, uint32_t to, const char *s, size_t n,
                       size_t *pos, pstate_t *st)
{
    for (uint32_t i = from; i < to; i++) {
        const dtok_t *t = &f->toks[i];
        int c = t->count;
        int64_t v;
        if (t->kind == TK_OPT_START) {
            /* find the matching end */
            uint32_t j = i + 1;
            int depth = 1;
            size_t save = *pos;
            pstate_t saved = *st;
            while (j < to && depth) {
                if (f->toks[j].kind == TK_OPT_START)
                    depth++;
                else if (f->toks[j].kind == TK_OPT_END)
                    depth--;
                j++;
            }
            if (!parse_toks(f, i + 1, j - 1, s, n, pos, st)) {
                *pos = save;
                *st = saved;
            }
            i = j - 1;
            continue;
        }
        if (t->kind == TK_OPT_END) continue;
        if (t->kind == TK_LIT) {
            if (*pos + t->litn > n || strncasecmp(s + *pos, t->lit, t->litn) != 0) return false;
            *pos += t->litn;
            continue;
        }
        switch (t->letter) {
        case 'G': {
            static const char *const eras[] = {"Anno Domini", "Before Christ", "AD", "BC"};
            int w = rd_word(s, n, pos, eras, 4, 0);
            if (w < 0) return false;
            st->era = w % 2 == 0 ? 1 : 0;
            break;
        }
        case 'y':
        case 'u': {
            int maxw = 19, minw = c == 2 ? 2 : c;
            bool neg = false;
            if (c == 2) {
                maxw = 2;
            } else {
                /* leave the digits of adjacent fixed-width fields */
                int reserve = 0;
                for (uint32_t k = i + 1; k < to && is_fixed_width(&f->toks[k]); k++)
                    reserve += fixed_width(&f->toks[k]);
                if (reserve) {
                    size_t avail = 0;
                    while (*pos + avail < n && isdigit((unsigned char)s[*pos + avail]))
                        avail++;
                    if ((int)avail - reserve < minw) return false;
                    maxw = (int)avail - reserve;
                }
                if (*pos < n && (s[*pos] == '+' || s[*pos] == '-')) {
                    neg = s[*pos] == '-';
                    (*pos)++;
                }
            }
            if (!rd_num(s, n, pos, minw, maxw, &v)) return false;
            if (c == 2) v += 2000;
            if (neg) v = -v;
            if (t->letter == 'y')
                st->yoe = v;
            else
                st->year = v;
            break;
        }
        case 'M':
        case 'L':
            if (c >= 3) {
                int w = rd_word(s, n, pos, months, 12, c == 3 ? 3 : c == 5 ? 1 : 0);
                if (w < 0) return false;
                st->month = w + 1;
            } else {
                if (!rd_num(s, n, pos, c, 2, &v)) return false;
                st->month = (int)v;
            }
            break;
        case 'E': {
            int w = rd_word(s, n, pos, wdays, 7, c <= 3 ? 3 : c == 5 ? 1 : 0);
            if (w < 0) return false;
            break; /* the day of week is not cross-checked */
        }
        case 'a': {
            static const char *const ap[] = {"AM", "PM"};
            int w = rd_word(s, n, pos, ap, 2, 0);
            if (w < 0) return false;
            st->ampm = w;
            break;
        }
        case 'S': {
            size_t p0 = *pos;
            if (!rd_num(s, n, pos, c, c, &v)) return false;
            {
                int digits = (int)(*pos - p0);
                int64_t nanos = v;
                for (int k = digits; k < 9; k++)
                    nanos *= 10;
                for (int k = 9; k < digits; k++)
                    nanos /= 10;
                st->nanos = nanos;
            }
            break;
        }
        case 'z': {
            bool ok = false;
            for (size_t k = 0; k < sizeof(abbrs) / sizeof(abbrs[0]) && !ok; k++) {
                size_t al = strlen(abbrs[k].abbr);
                if (*pos + al <= n && strncasecmp(s + *pos, abbrs[k].abbr, al) == 0 &&
                    (*pos + al == n || !isalpha((unsigned char)s[*pos + al]))) {
                    *pos += al;
                    st->has_zone = true;
                    st->zone = NULL;
                    st->zone_off = abbrs[k].off;
                    ok = true;
                }
            }
            if (!ok) return false;
            break;
        }
        case 'Z':
        case 'X':
        case 'x':
            if (c == 4 && t->letter == 'Z') {
                if (*pos + 3 > n || strncasecmp(s + *pos, "GMT", 3) != 0) return false;
                *pos += 3;
                st->zone_off = 0;
                if (*pos < n && (s[*pos] == '+' || s[*pos] == '-') &&
                    !rd_offset(s, n, pos, &st->zone_off, false))
                    return false;
            } else if (!rd_offset(s, n, pos, &st->zone_off, t->letter != 'x')) {
                return false;
            }
            st->has_zone = true;
            st->zone = NULL;
            break;
        case 'O':
            if (*pos + 3 > n || strncasecmp(s + *pos, "GMT", 3) != 0) return false;
            *pos += 3;
            st->zone_off = 0;
            if (*pos < n && (s[*pos] == '+' || s[*pos] == '-')) {
                int sign = s[*pos] == '-' ? -1 : 1;
                int64_t h, m = 0;
                (*pos)++;
                if (!rd_num(s, n, pos, 1, 2, &h)) return false;
                if (*pos < n && s[*pos] == ':') {
                    (*pos)++;
                    if (!rd_num(s, n, pos, 2, 2, &m)) return false;
                }
                st->zone_off = sign * (int32_t)(h * 3600 + m * 60);
            }
            st->has_zone = true;
            st->zone = NULL;
            break;
        case 'V': {
            size_t p0 = *pos;
            const sl_tz_t *z;
            char e2[64];
            while (*pos < n && (isalnum((unsigned char)s[*pos]) || strchr("/_+-:", s[*pos])))
                (*pos)++;
            if (sl_tz_get(s + p0, *pos - p0, &z, e2, sizeof(e2)) != SL_OK) return false;
            st->has_zone = true;
            st->zone = z;
            break;
        }
        default: {
            /* numeric fields: fixed width for count 2, variable (1..) for count 1 */
            int minw = c, maxw = c >= 2 ? c : 19;
            if (c == 1) {
                int reserve = 0;
                size_t avail = 0;
                for (uint32_t k = i + 1; k < to && is_fixed_width(&f->toks[k]); k++)
                    reserve += fixed_width(&f->toks[k]);
                while (*pos + avail < n && isdigit((unsigned char)s[*pos + avail]))
                    avail++;
                if (reserve) maxw = (int)avail - reserve;
                if (maxw < 1) return false;
            }
            if (!rd_num(s, n, pos, minw, maxw, &v)) return false;
            switch (t->letter) {
            case 'd':
                st->day = (int)v;
                break;
            case 'D':
                st->doy = (int)v;
                break;
            case 'H':
                st->hour24 = (int)v;
                break;
            case 'k':
                st->hour24 = v == 24 ? 0 : (int)v;
                break;
            case 'K':
                st->hour12 = (int)v;
                break;
            case 'h':
                st->hour12 = v == 12 ? 0 : (int)v;
                break;
            case 'm':
                st->minute = (int)v;
                break;
            case 's':
                st->second = (int)v;
                break;
            case 'n':
                st->nanos = v;
                break;
            case 'A':
                st->milli_of_day = v;
                break;
            default:
                return false;
            }
            break;
        }
        }
    }
    return true;
}

int sl_dtfmt_parse(const sl_dtfmt_t *f, const char *s, size_t n, const sl_tz_t *zone, int64_t *ms,
                   char *err, size_t errlen)
{
    pstate_t st;
    size_t pos = 0;
    int64_t year, days, tod, local;
    int hour;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    memset(&st, 0, sizeof(st));
    st.year = INT64_MIN;
    st.yoe = -1;
    st.era = -1;
    st.hour24 = st.hour12 = st.ampm = -1;
    st.milli_of_day = -1;
    if (!parse_toks(f, 0, f->n, s, n, &pos, &st)) return parse_err(s, n, pos, err, errlen);
    /* text after the pattern is ignored: ksqlDB parses with a ParsePosition, not a full-text
     * match (PARSE_DATE('2003-12-24-01-01', 'yyyy-MM-dd') is 2003-12-24) */
    year = st.year != INT64_MIN ? st.year
           : st.yoe >= 0        ? (st.era == 0 ? 1 - st.yoe : st.yoe)
                                : 1970;
    /* milliseconds since the epoch fit a signed 64-bit integer for about +-292 million
     * years (java.time's Instant.toEpochMilli has the same limit) */
    if (year < -290000000 || year > 290000000) goto invalid;
    if (st.month == 0) st.month = 1;
    if (st.month < 1 || st.month > 12) goto invalid;
    if (st.doy) {
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        if (st.doy < 1 || st.doy > (leap ? 366 : 365)) goto invalid;
        days = sl_value_days_from_civil(year, 1, 1) + st.doy - 1;
    } else {
        int dim;
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        if (st.day == 0) st.day = 1;
        if (st.day < 1 || st.day > 31) goto invalid;
        dim = mdays[st.month - 1] + (st.month == 2 && leap ? 1 : 0);
        if (st.day > dim) st.day = dim;
        days = sl_value_days_from_civil(year, (unsigned)st.month, (unsigned)st.day);
    }
    if (st.milli_of_day >= 0) {
        tod = st.milli_of_day;
    } else {
        hour = st.hour24 >= 0   ? st.hour24
               : st.hour12 >= 0 ? st.hour12 + (st.ampm == 1 ? 12 : 0)
                                : 0;
        if (st.hour24 < 0 && st.hour12 < 0 && st.ampm == 1) hour = 12;
        if (hour > 23 || st.minute > 59 || st.second > 59 || st.hour12 > 11) goto invalid;
        tod = ((int64_t)hour * 3600 + st.minute * 60 + st.second) * 1000 + st.nanos / 1000000;
    }
    local = days * 86400000 + tod;
    if (st.has_zone)
        *ms = local - (int64_t)(st.zone ? sl_tz_offset_local(st.zone, local) : st.zone_off) * 1000;
    else
        *ms = local - (int64_t)sl_tz_offset_local(zone, local) * 1000;
    return SL_OK;
invalid:
    snprintf(err, errlen, "Text '%.*s' could not be parsed: a field is out of range",
             (int)(n > 200 ? 200 : n), s);
    return SL_INVAL;
}
