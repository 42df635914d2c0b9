/*
 * func_tz.c — time zones for the date/time functions, read from the system tz database
 * (/usr/share/zoneinfo, the same IANA data java.time uses) without touching the process-wide
 * TZ environment, so any thread can convert in any zone.
 *
 * A zone is either a fixed offset ("UTC", "+05:30", "GMT-8", "UTC+01:00") or a region file in
 * TZif format (RFC 8536). Only the version 2+ (64-bit) data block is used:
 *
 *   "TZif" ver(1) reserved(15) isutcnt isstdcnt leapcnt timecnt typecnt charcnt  (6 x be32)
 *   ... version 1 block (skipped) ...
 *   second header, then:
 *     transition times   timecnt x be64 (UTC seconds)
 *     transition types   timecnt x u8   (index into ttinfo)
 *     ttinfo             typecnt x { be32 utoff, u8 isdst, u8 desigidx }
 *     designations       charcnt bytes of NUL-terminated abbreviations
 *     leap seconds, standard/wall and UT/local indicators (skipped)
 *   footer "\n" POSIX-TZ-string "\n", used for instants after the last transition.
 *
 * Zones are loaded on first use and kept for the life of the process (a registry of at most a
 * few hundred small objects), under a mutex; a returned sl_tz_t is immutable.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"
#include "sql/func.h"

#define SL_TZ_DIR "/usr/share/zoneinfo/"

typedef struct posix_rule_s {
    int kind;     /* 0: Mm.w.d, 1: Jn (1..365, no Feb 29), 2: n (0..365) */
    int m, w, d;  /* month, week (5 = last), weekday (0 = Sunday) */
    int n;        /* day number for J/n forms */
    int32_t secs; /* local time of the change, seconds after midnight */
} posix_rule_t;

typedef struct posix_tz_s {
    bool valid;         /* a usable rule was parsed */
    char std_name[16];  /* standard time abbreviation */
    char dst_name[16];  /* daylight time abbreviation ("" if none) */
    int32_t std_off;    /* UTC offset of standard time, seconds east */
    int32_t dst_off;    /* UTC offset of daylight time, seconds east */
    bool has_dst;       /* the zone observes DST */
    posix_rule_t start; /* switch to DST */
    posix_rule_t end;   /* switch back */
} posix_tz_t;

typedef struct ttinfo_s {
    int32_t utoff; /* seconds east of UTC */
    bool isdst;    /* daylight time */
    char abbr[16]; /* abbreviation */
} ttinfo_t;

struct sl_tz_s {
    struct sl_tz_s *next; /* registry list */
    char name[64];        /* id as requested */
    bool fixed;           /* a fixed offset zone */
    int32_t fixed_off;    /* its offset, seconds east */
    char fixed_abbr[16];  /* what 'z' prints for it */
    int64_t *trans;       /* transition instants, UTC seconds */
    uint8_t *trans_type;  /* ttinfo index per transition */
    uint32_t ntrans;      /* number of transitions */
    ttinfo_t *types;      /* local time types */
    uint32_t ntypes;      /* number of types */
    posix_tz_t footer;    /* rule after the last transition */
};

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sl_tz_s *tz_list;

/* ---- POSIX TZ strings -------------------------------------------------------------------- */

static bool px_name(const char **p, char *out, size_t cap)
{
    size_t n = 0;
    if (**p == '<') {
        (*p)++;
        while (**p && **p != '>') {
            if (n + 1 < cap) out[n++] = **p;
            (*p)++;
        }
        if (**p != '>') return false;
        (*p)++;
    } else {
        while (isalpha((unsigned char)**p)) {
            if (n + 1 < cap) out[n++] = **p;
            (*p)++;
        }
    }
    out[n] = '\0';
    return n >= 1;
}

/* [+-]hh[:mm[:ss]] as seconds */
static bool px_time(const char **p, int32_t *secs)
{
    int sign = 1, h = 0, m = 0, s = 0;
    if (**p == '+' || **p == '-') sign = *(*p)++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)**p)) return false;
    while (isdigit((unsigned char)**p))
        h = h * 10 + *(*p)++ - '0';
    if (**p == ':') {
        (*p)++;
        while (isdigit((unsigned char)**p))
            m = m * 10 + *(*p)++ - '0';
        if (**p == ':') {
            (*p)++;
            while (isdigit((unsigned char)**p))
                s = s * 10 + *(*p)++ - '0';
        }
    }
    *secs = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool px_rule(const char **p, posix_rule_t *r)
{
    memset(r, 0, sizeof(*r));
    r->secs = 7200;
    if (**p == 'M') {
        (*p)++;
        r->kind = 0;
        r->m = (int)strtol(*p, (char **)p, 10);
        if (*(*p)++ != '.') return false;
        r->w = (int)strtol(*p, (char **)p, 10);
        if (*(*p)++ != '.') return false;
        r->d = (int)strtol(*p, (char **)p, 10);
        if (r->m < 1 || r->m > 12 || r->w < 1 || r->w > 5 || r->d < 0 || r->d > 6) return false;
    } else if (**p == 'J') {
        (*p)++;
        r->kind = 1;
        r->n = (int)strtol(*p, (char **)p, 10);
    } else if (isdigit((unsigned char)**p)) {
        r->kind = 2;
        r->n = (int)strtol(*p, (char **)p, 10);
    } else {
        return false;
    }
    if (**p == '/') {
        (*p)++;
        if (!px_time(p, &r->secs)) return false;
    }
    return true;
}

static bool px_parse(const char *s, posix_tz_t *tz)
{
    const char *p = s;
    int32_t off;
    memset(tz, 0, sizeof(*tz));
    if (!px_name(&p, tz->std_name, sizeof(tz->std_name)) || !px_time(&p, &off)) return false;
    tz->std_off = -off; /* POSIX counts west */
    if (*p == '\0') {
        tz->valid = true;
        return true;
    }
    if (!px_name(&p, tz->dst_name, sizeof(tz->dst_name))) return false;
    tz->has_dst = true;
    tz->dst_off = tz->std_off + 3600;
    if (*p && *p != ',') {
        if (!px_time(&p, &off)) return false;
        tz->dst_off = -off;
    }
    if (*p != ',') return false; /* no rule: unusable */
    p++;
    if (!px_rule(&p, &tz->start) || *p++ != ',' || !px_rule(&p, &tz->end)) return false;
    tz->valid = true;
    return true;
}

/* Day of the year (days since Jan 1 of `year`, as epoch days) for a rule. */
static int64_t px_rule_day(const posix_rule_t *r, int64_t year)
{
    int64_t jan1 = sl_value_days_from_civil(year, 1, 1);
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (r->kind == 1) return jan1 + r->n - 1 + (leap && r->n >= 60 ? 1 : 0);
    if (r->kind == 2) return jan1 + r->n;
    {
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int64_t first = sl_value_days_from_civil(year, (unsigned)r->m, 1);
        int wd_first = (int)sl_value_floor_mod(first + 4, 7); /* 1970-01-01 was a Thursday (4) */
        int64_t day = first + (r->d - wd_first + 7) % 7 + (int64_t)(r->w - 1) * 7;
        int dim = mdays[r->m - 1] + (r->m == 2 && leap ? 1 : 0);
        while (day >= first + dim)
            day -= 7;
        return day;
    }
}

static const char *px_at(const posix_tz_t *tz, int64_t t, int32_t *off)
{
    int64_t y, s_utc, e_utc;
    unsigned mo, d;
    bool dst;
    if (!tz->has_dst) {
        *off = tz->std_off;
        return tz->std_name;
    }
    sl_value_civil_from_days(sl_value_floor_div(t + tz->std_off, 86400), &y, &mo, &d);
    s_utc = px_rule_day(&tz->start, y) * 86400 + tz->start.secs - tz->std_off;
    e_utc = px_rule_day(&tz->end, y) * 86400 + tz->end.secs - tz->dst_off;
    if (s_utc < e_utc)
        dst = t >= s_utc && t < e_utc;
    else
        dst = !(t >= e_utc && t < s_utc);
    *off = dst ? tz->dst_off : tz->std_off;
    return dst ? tz->dst_name : tz->std_name;
}

/* ---- TZif -------------------------------------------------------------------------------- */

static int tzif_load(struct sl_tz_s *tz, const uint8_t *p, size_t n, char *err, size_t errlen)
{
    uint32_t cnt[6];
    size_t v1;
    const uint8_t *types_p, *chars;
    if (n < 44 || memcmp(p, "TZif", 4) != 0 || p[4] < '2') goto bad;
    for (int i = 0; i < 6; i++)
        cnt[i] = sl_be32(p + 20 + 4 * i);
    /* skip the version 1 block: 4-byte times */
    v1 = 44 + (size_t)cnt[3] * 5 + (size_t)cnt[4] * 6 + cnt[5] + (size_t)cnt[2] * 8 + cnt[1] +
         cnt[0];
    if (v1 + 44 > n) goto bad;
    p += v1;
    n -= v1;
    if (memcmp(p, "TZif", 4) != 0) goto bad;
    for (int i = 0; i < 6; i++)
        cnt[i] = sl_be32(p + 20 + 4 * i);
    {
        uint32_t isut = cnt[0], isstd = cnt[1], leap = cnt[2], timecnt = cnt[3], typecnt = cnt[4],
                 charcnt = cnt[5];
        size_t need = 44 + (size_t)timecnt * 9 + (size_t)typecnt * 6 + charcnt + (size_t)leap * 12 +
                      isstd + isut;
        if (need > n || typecnt == 0 || typecnt > 256 || timecnt > 100000 || charcnt > 4096)
            goto bad;
        tz->trans = calloc(timecnt ? timecnt : 1, sizeof(int64_t));
        tz->trans_type = calloc(timecnt ? timecnt : 1, 1);
        tz->types = calloc(typecnt, sizeof(ttinfo_t));
        if (!tz->trans || !tz->trans_type || !tz->types) abort();
        for (uint32_t i = 0; i < timecnt; i++)
            tz->trans[i] = (int64_t)sl_be64(p + 44 + 8 * (size_t)i);
        memcpy(tz->trans_type, p + 44 + 8 * (size_t)timecnt, timecnt);
        types_p = p + 44 + 9 * (size_t)timecnt;
        chars = types_p + 6 * (size_t)typecnt;
        for (uint32_t i = 0; i < typecnt; i++) {
            const uint8_t *t = types_p + 6 * (size_t)i;
            uint8_t di = t[5];
            tz->types[i].utoff = (int32_t)sl_be32(t);
            tz->types[i].isdst = t[4] != 0;
            if (di < charcnt) {
                size_t k = 0;
                while (di + k < charcnt && chars[di + k] && k + 1 < sizeof(tz->types[i].abbr)) {
                    tz->types[i].abbr[k] = (char)chars[di + k];
                    k++;
                }
            }
        }
        for (uint32_t i = 0; i < timecnt; i++) {
            if (tz->trans_type[i] >= typecnt) goto bad;
        }
        tz->ntrans = timecnt;
        tz->ntypes = typecnt;
        /* footer */
        {
            const uint8_t *f = p + need, *end = p + n;
            if (f < end && *f == '\n') {
                const uint8_t *nl = memchr(f + 1, '\n', (size_t)(end - f - 1));
                if (nl && nl - f - 1 < 128) {
                    char rule[128];
                    memcpy(rule, f + 1, (size_t)(nl - f - 1));
                    rule[nl - f - 1] = '\0';
                    px_parse(rule, &tz->footer);
                }
            }
        }
    }
    return SL_OK;
bad:
    snprintf(err, errlen, "corrupt time zone file for %s", tz->name);
    return SL_CORRUPT;
}

/* "+05:30", "+0530", "+05", "-8" after an optional GMT/UTC/UT prefix. */
static bool parse_fixed(const char *s, size_t n, int32_t *off)
{
    const char *p = s, *end = s + n;
    int sign, h = 0, m = 0, sec = 0, nd = 0;
    if (n >= 3 && (strncasecmp(p, "UTC", 3) == 0 || strncasecmp(p, "GMT", 3) == 0))
        p += 3;
    else if (n >= 2 && strncasecmp(p, "UT", 2) == 0)
        p += 2;
    if (p == end) {
        *off = 0;
        return true;
    }
    if (*p != '+' && *p != '-') return false;
    sign = *p++ == '-' ? -1 : 1;
    while (p < end && isdigit((unsigned char)*p) && nd < 2) {
        h = h * 10 + *p++ - '0';
        nd++;
    }
    if (nd == 0) return false;
    if (p < end && *p == ':') p++;
    if (end - p >= 2 && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1])) {
        m = (p[0] - '0') * 10 + p[1] - '0';
        p += 2;
        if (p < end && *p == ':') p++;
        if (end - p >= 2 && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1])) {
            sec = (p[0] - '0') * 10 + p[1] - '0';
            p += 2;
        }
    }
    if (p != end || h > 18 || m > 59 || sec > 59) return false;
    *off = sign * (h * 3600 + m * 60 + sec);
    return true;
}

static void fixed_abbr(int32_t off, char *out, size_t cap)
{
    int a = off < 0 ? -off : off;
    if (off == 0)
        snprintf(out, cap, "Z");
    else if (a % 60)
        snprintf(out, cap, "%c%02d:%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60, a % 60);
    else
        snprintf(out, cap, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

int sl_tz_get(const char *name, size_t n, const sl_tz_t **out, char *err, size_t errlen)
{
    struct sl_tz_s *tz;
    int32_t off;
    int rc = SL_OK;
    if (n == 0 || n >= sizeof(tz->name)) {
        snprintf(err, errlen, "Unknown time-zone ID: %.*s", (int)(n > 64 ? 64 : n), name);
        return SL_INVAL;
    }
    pthread_mutex_lock(&tz_lock);
    for (tz = tz_list; tz; tz = tz->next) {
        if (strlen(tz->name) == n && memcmp(tz->name, name, n) == 0) {
            pthread_mutex_unlock(&tz_lock);
            *out = tz;
            return SL_OK;
        }
    }
    tz = calloc(1, sizeof(*tz));
    if (!tz) abort();
    memcpy(tz->name, name, n);
    if ((n == 1 && name[0] == 'Z') || parse_fixed(name, n, &off)) {
        tz->fixed = true;
        tz->fixed_off = n == 1 ? 0 : off;
        if (strncasecmp(tz->name, "UTC", 3) == 0 || strncasecmp(tz->name, "GMT", 3) == 0 ||
            strncasecmp(tz->name, "UT", 2) == 0) {
            /* java prints the id of a prefixed zone: "UTC", "GMT+02:00" */
            snprintf(tz->fixed_abbr, sizeof(tz->fixed_abbr), "%.*s", (int)n, name);
        } else {
            fixed_abbr(tz->fixed_off, tz->fixed_abbr, sizeof(tz->fixed_abbr));
        }
    } else {
        char path[sizeof(SL_TZ_DIR) + 64];
        FILE *f;
        sl_buf_t b;
        bool ok = name[0] != '/' && !memmem(name, n, "..", 2);
        for (size_t i = 0; i < n && ok; i++)
            ok = isalnum((unsigned char)name[i]) || strchr("/_+-", name[i]);
        if (!ok) {
            free(tz);
            pthread_mutex_unlock(&tz_lock);
            snprintf(err, errlen, "Unknown time-zone ID: %.*s", (int)n, name);
            return SL_INVAL;
        }
        snprintf(path, sizeof(path), "%s%.*s", SL_TZ_DIR, (int)n, name);
        f = fopen(path, "rb");
        if (!f) {
            free(tz);
            pthread_mutex_unlock(&tz_lock);
            snprintf(err, errlen, "Unknown time-zone ID: %.*s", (int)n, name);
            return SL_INVAL;
        }
        sl_buf_init(&b);
        for (;;) {
            uint8_t *dst = sl_buf_extend(&b, 4096);
            size_t got = fread(dst, 1, 4096, f);
            b.len -= 4096 - got;
            if (got < 4096 || b.len > 4 * 1024 * 1024) break;
        }
        fclose(f);
        rc = tzif_load(tz, b.data, b.len, err, errlen);
        sl_buf_free(&b);
        if (rc != SL_OK) {
            free(tz->trans);
            free(tz->trans_type);
            free(tz->types);
            free(tz);
            pthread_mutex_unlock(&tz_lock);
            return rc;
        }
    }
    tz->next = tz_list;
    tz_list = tz;
    pthread_mutex_unlock(&tz_lock);
    *out = tz;
    return SL_OK;
}

/* Offset and abbreviation at an instant (UTC seconds). */
static const char *tz_at(const sl_tz_t *tz, int64_t t, int32_t *off)
{
    uint32_t lo, hi;
    const ttinfo_t *ti;
    if (tz->fixed) {
        *off = tz->fixed_off;
        return tz->fixed_abbr;
    }
    if (tz->ntrans == 0 || t < tz->trans[0]) {
        /* before the first transition: the first standard-time type */
        ti = &tz->types[0];
        for (uint32_t i = 0; i < tz->ntypes; i++) {
            if (!tz->types[i].isdst) {
                ti = &tz->types[i];
                break;
            }
        }
        if (tz->ntrans == 0 && tz->footer.valid) return px_at(&tz->footer, t, off);
        *off = ti->utoff;
        return ti->abbr;
    }
    if (t >= tz->trans[tz->ntrans - 1] && tz->footer.valid) return px_at(&tz->footer, t, off);
    lo = 0;
    hi = tz->ntrans;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    ti = &tz->types[tz->trans_type[lo]];
    *off = ti->utoff;
    return ti->abbr;
}

int32_t sl_tz_offset_at(const sl_tz_t *tz, int64_t ms)
{
    int32_t off = 0;
    if (tz) tz_at(tz, sl_value_floor_div(ms, 1000), &off);
    return off;
}

const char *sl_tz_abbrev_at(const sl_tz_t *tz, int64_t ms)
{
    int32_t off;
    if (!tz) return "UTC";
    return tz_at(tz, sl_value_floor_div(ms, 1000), &off);
}

const char *sl_tz_name(const sl_tz_t *tz)
{
    return tz ? tz->name : "UTC";
}

int32_t sl_tz_offset_local(const sl_tz_t *tz, int64_t local_ms)
{
    int32_t pre, post;
    bool pre_ok, post_ok;
    if (!tz) return 0;
    if (tz->fixed) return tz->fixed_off;
    pre = sl_tz_offset_at(tz, local_ms - 26 * 3600000LL);
    post = sl_tz_offset_at(tz, local_ms + 26 * 3600000LL);
    if (pre == post)
        return sl_tz_offset_at(tz, local_ms - (int64_t)pre * 1000) == pre
                   ? pre
                   : sl_tz_offset_at(tz, local_ms - (int64_t)pre * 1000);
    pre_ok = sl_tz_offset_at(tz, local_ms - (int64_t)pre * 1000) == pre;
    post_ok = sl_tz_offset_at(tz, local_ms - (int64_t)post * 1000) == post;
    if (pre_ok) return pre; /* also the overlap case: the earlier offset */
    if (post_ok) return post;
    return pre; /* a gap: the offset before it, which moves the time forward */
}
