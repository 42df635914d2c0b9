/*
 * topic_config.c — the table of topic-level configs and everything derived from it:
 * validation, resolution into sl_logcfg_t, DescribeConfigs values and synonyms, and the
 * IncrementalAlterConfigs list operations.
 *
 * Table columns (one row per topic key, sorted by key as Kafka lists them):
 *
 *   name                     type     default        broker synonyms (unit)          check
 *   retention.ms             LONG     604800000      log.retention.ms (1)            >= -1
 *                                                    log.retention.minutes (60000)
 *                                                    log.retention.hours (3600000)
 *   ...
 *
 * The last synonym of a row is the one Kafka reports the default under (log.retention.hours
 * = 168), so the default of a broker key is the row default divided by that key's unit.
 *
 * Deliberate differences from Kafka:
 *  - flush.messages defaults to 1 (Kafka: Long.MAX_VALUE): an acknowledged acks=all write is
 *    on disk (group commit), which is Sluice's durability promise. log.flush.interval.messages
 *    in server.properties brings Kafka's relaxed policy back.
 *  - compression.type accepts only "producer": the broker stores batches as the producer
 *    compressed them and does not recompress. Any other value is refused with INVALID_CONFIG
 *    rather than stored and ignored.
 *  - message.timestamp.type accepts only CreateTime (LogAppendTime would need the broker to
 *    rewrite batch timestamps, which it does not do yet).
 *  - APPEND/SUBTRACT start from the topic's effective value (override, else broker setting,
 *    else default); Kafka starts from the override or the static default, ignoring the
 *    broker setting, which surprises people who set log.cleanup.policy.
 *
 * Schema enforcement on produce (validate.h): confluent.{key,value}.schema.validation and
 * confluent.{key,value}.subject.name.strategy as Confluent Server has them (the strategy takes
 * Confluent's class names, io.confluent.kafka.serializers.subject.TopicNameStrategy, or the
 * short names), plus Sluice's sluice.{key,value}.schema.validation.mode = id (Confluent's
 * check, the default) | full (also decode the payload against its schema). They have no
 * broker-level synonyms; sl_tcfg_validation reads them from a topic's overrides without
 * allocating, once per partition of a Produce request.
 *
 * Stored and described but not acted upon by this broker (single node, or engine limits):
 * min.insync.replicas, unclean.leader.election.enable, segment.index.bytes, preallocate,
 * max.compaction.lag.ms, min.cleanable.dirty.ratio and message.timestamp.difference.max.ms.
 * Code that enforces one of them reads it through sl_catalog_config_i64/sl_tcfg_value.
 *
 * @locality any thread
 */
#include "broker/topic_config.h"
#include "broker/kerr.h"
#include "common/err.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Which sl_logcfg_t field (or other effective setting) a row drives. */
typedef enum field_e {
    F_NONE,               /* stored and described only */
    F_CLEANUP,            /* cleanup_delete / cleanup_compact */
    F_DELETE_RETENTION,   /* delete_retention_ms */
    F_FILE_DELETE_DELAY,  /* file_delete_delay_ms */
    F_FLUSH_MESSAGES,     /* flush_messages */
    F_FLUSH_MS,           /* flush_ms */
    F_INDEX_INTERVAL,     /* index_interval_bytes */
    F_MAX_MESSAGE,        /* the topic's max_message_bytes */
    F_MIN_COMPACTION_LAG, /* min_compaction_lag_ms */
    F_RETENTION_BYTES,    /* retention_bytes */
    F_RETENTION_MS,       /* retention_ms */
    F_SEGMENT_BYTES,      /* segment_bytes */
    F_SEGMENT_MS,         /* segment_ms */
} field_t;

/* A broker-level synonym of a topic key. */
typedef struct syn_s {
    const char *key; /* broker key (server.properties), NULL ends the list */
    int64_t unit;    /* topic units per broker unit (3600000 for hours -> ms) */
} syn_t;

/* Extra semantic check beyond type and range; writes the whole message on failure. */
typedef int (*extra_fn)(const char *key, const char *value, char *err, size_t errlen);

typedef struct tcfg_s {
    const char *name;           /* topic key */
    int8_t type;                /* enum sl_cfgtype */
    field_t field;              /* what it drives */
    const char *dflt;           /* default in topic units; NULL = null */
    syn_t syn[4];               /* broker synonyms, highest priority first */
    int has_min, has_max;       /* whether min/max apply */
    double min, max;            /* inclusive range (exact for every bound used here) */
    const char *const *choices; /* STRING/LIST: allowed values, NULL = any */
    extra_fn extra;             /* further check, NULL = none */
    int neg_forever;            /* a negative broker-level value means -1 (retention) */
} tcfg_t;

static size_t split_list(const char *v, char **buf, char ***items);
static int list_has(char **items, size_t n, const char *s);
static int check_compression(const char *key, const char *value, char *err, size_t errlen);
static int check_ts_type(const char *key, const char *value, char *err, size_t errlen);
static int check_strategy(const char *key, const char *value, char *err, size_t errlen);

static const char *const cleanup_choices[] = {"compact", "delete", NULL};
/* Kafka's broker compression options, plus "none" (what producers call it). */
static const char *const compression_choices[] = {"uncompressed", "zstd",     "lz4",  "snappy",
                                                  "gzip",         "producer", "none", NULL};
static const char *const ts_type_choices[] = {"CreateTime", "LogAppendTime", NULL};
static const char *const val_mode_choices[] = {"id", "full", NULL};

#define LMAX                "9223372036854775807"
#define TOPIC_NAME_STRATEGY "io.confluent.kafka.serializers.subject.TopicNameStrategy"

/* clang-format off */
static const tcfg_t tcfg[] = {
    {"cleanup.policy", SL_CFGT_LIST, F_CLEANUP, "delete",
     {{"log.cleanup.policy", 1}}, 0, 0, 0, 0, cleanup_choices, NULL, 0},
    {"compression.type", SL_CFGT_STRING, F_NONE, "producer",
     {{"compression.type", 1}}, 0, 0, 0, 0, compression_choices, check_compression, 0},
    {"confluent.key.schema.validation", SL_CFGT_BOOLEAN, F_NONE, "false",
     {{NULL, 0}}, 0, 0, 0, 0, NULL, NULL, 0},
    {"confluent.key.subject.name.strategy", SL_CFGT_STRING, F_NONE, TOPIC_NAME_STRATEGY,
     {{NULL, 0}}, 0, 0, 0, 0, NULL, check_strategy, 0},
    {"confluent.value.schema.validation", SL_CFGT_BOOLEAN, F_NONE, "false",
     {{NULL, 0}}, 0, 0, 0, 0, NULL, NULL, 0},
    {"confluent.value.subject.name.strategy", SL_CFGT_STRING, F_NONE, TOPIC_NAME_STRATEGY,
     {{NULL, 0}}, 0, 0, 0, 0, NULL, check_strategy, 0},
    {"delete.retention.ms", SL_CFGT_LONG, F_DELETE_RETENTION, "86400000",
     {{"log.cleaner.delete.retention.ms", 1}}, 1, 0, 0, 0, NULL, NULL, 0},
    {"file.delete.delay.ms", SL_CFGT_LONG, F_FILE_DELETE_DELAY, "60000",
     {{"log.segment.delete.delay.ms", 1}}, 1, 0, 0, 0, NULL, NULL, 0},
    /* Sluice: 1 (durable), Kafka: Long.MAX_VALUE. See the file comment. */
    {"flush.messages", SL_CFGT_LONG, F_FLUSH_MESSAGES, "1",
     {{"log.flush.interval.messages", 1}}, 1, 0, 1, 0, NULL, NULL, 0},
    {"flush.ms", SL_CFGT_LONG, F_FLUSH_MS, LMAX,
     {{"log.flush.interval.ms", 1}, {"log.flush.scheduler.interval.ms", 1}}, 1, 0, 0, 0, NULL,
     NULL, 0},
    {"index.interval.bytes", SL_CFGT_INT, F_INDEX_INTERVAL, "4096",
     {{"log.index.interval.bytes", 1}}, 1, 0, 0, 0, NULL, NULL, 0},
    {"max.compaction.lag.ms", SL_CFGT_LONG, F_NONE, LMAX,
     {{"log.cleaner.max.compaction.lag.ms", 1}}, 1, 0, 1, 0, NULL, NULL, 0},
    {"max.message.bytes", SL_CFGT_INT, F_MAX_MESSAGE, "1048588",
     {{"message.max.bytes", 1}}, 1, 0, 0, 0, NULL, NULL, 0},
    {"message.timestamp.difference.max.ms", SL_CFGT_LONG, F_NONE, LMAX,
     {{"log.message.timestamp.difference.max.ms", 1}}, 1, 0, 0, 0, NULL, NULL, 0},
    {"message.timestamp.type", SL_CFGT_STRING, F_NONE, "CreateTime",
     {{"log.message.timestamp.type", 1}}, 0, 0, 0, 0, ts_type_choices, check_ts_type, 0},
    {"min.cleanable.dirty.ratio", SL_CFGT_DOUBLE, F_NONE, "0.5",
     {{"log.cleaner.min.cleanable.ratio", 1}}, 1, 1, 0, 1, NULL, NULL, 0},
    {"min.compaction.lag.ms", SL_CFGT_LONG, F_MIN_COMPACTION_LAG, "0",
     {{"log.cleaner.min.compaction.lag.ms", 1}}, 1, 0, 0, 0, NULL, NULL, 0},
    {"min.insync.replicas", SL_CFGT_INT, F_NONE, "1",
     {{"min.insync.replicas", 1}}, 1, 0, 1, 0, NULL, NULL, 0},
    {"preallocate", SL_CFGT_BOOLEAN, F_NONE, "false",
     {{"log.preallocate", 1}}, 0, 0, 0, 0, NULL, NULL, 0},
    {"retention.bytes", SL_CFGT_LONG, F_RETENTION_BYTES, "-1",
     {{"log.retention.bytes", 1}}, 0, 0, 0, 0, NULL, NULL, 0},
    {"retention.ms", SL_CFGT_LONG, F_RETENTION_MS, "604800000",
     {{"log.retention.ms", 1}, {"log.retention.minutes", 60000}, {"log.retention.hours", 3600000}},
     1, 0, -1, 0, NULL, NULL, 1},
    {"segment.bytes", SL_CFGT_INT, F_SEGMENT_BYTES, "1073741824",
     {{"log.segment.bytes", 1}}, 1, 0, 14, 0, NULL, NULL, 0},
    {"segment.index.bytes", SL_CFGT_INT, F_NONE, "10485760",
     {{"log.index.size.max.bytes", 1}}, 1, 0, 4, 0, NULL, NULL, 0},
    {"segment.ms", SL_CFGT_LONG, F_SEGMENT_MS, "604800000",
     {{"log.roll.ms", 1}, {"log.roll.hours", 3600000}}, 1, 0, 1, 0, NULL, NULL, 0},
    /* Sluice: how much produce-time schema validation checks (validate.h). */
    {"sluice.key.schema.validation.mode", SL_CFGT_STRING, F_NONE, "id",
     {{NULL, 0}}, 0, 0, 0, 0, val_mode_choices, NULL, 0},
    {"sluice.value.schema.validation.mode", SL_CFGT_STRING, F_NONE, "id",
     {{NULL, 0}}, 0, 0, 0, 0, val_mode_choices, NULL, 0},
    {"unclean.leader.election.enable", SL_CFGT_BOOLEAN, F_NONE, "false",
     {{"unclean.leader.election.enable", 1}}, 0, 0, 0, 0, NULL, NULL, 0},
};
/* clang-format on */
#define NTCFG (sizeof tcfg / sizeof tcfg[0])

/* Broker settings Sluice reads that are not synonyms of a topic config. */
typedef struct bextra_s {
    const char *name; /* server.properties key */
    int8_t type;      /* enum sl_cfgtype */
    const char *dflt; /* Sluice's default; NULL = null */
} bextra_t;

static const bextra_t bextra[] = {
    {"advertised.listeners", SL_CFGT_STRING, NULL},
    {"auto.create.topics.enable", SL_CFGT_BOOLEAN, "true"},
    {"broker.id", SL_CFGT_INT, "0"},
    {"delete.topic.enable", SL_CFGT_BOOLEAN, "true"},
    {"listeners", SL_CFGT_STRING, NULL},
    {"log.dir", SL_CFGT_STRING, "./sluice-data"},
    {"log.dirs", SL_CFGT_STRING, NULL},
    {"log.flush.scheduler.interval.ms", SL_CFGT_LONG, "1000"},
    {"log.retention.check.interval.ms", SL_CFGT_LONG, "300000"},
    {"node.id", SL_CFGT_INT, NULL},
    {"num.partitions", SL_CFGT_INT, "1"},
    {"socket.request.max.bytes", SL_CFGT_INT, "104857600"},
    /* The group coordinator's settings (Kafka's names and defaults). */
    {"group.initial.rebalance.delay.ms", SL_CFGT_INT, "3000"},
    {"group.max.session.timeout.ms", SL_CFGT_INT, "1800000"},
    {"group.max.size", SL_CFGT_INT, "2147483647"},
    {"group.min.session.timeout.ms", SL_CFGT_INT, "6000"},
    {"offset.metadata.max.bytes", SL_CFGT_INT, "4096"},
    {"offsets.retention.check.interval.ms", SL_CFGT_LONG, "600000"},
    {"offsets.retention.minutes", SL_CFGT_INT, "10080"},
    {"offsets.topic.num.partitions", SL_CFGT_INT, "50"},
    {"offsets.topic.segment.bytes", SL_CFGT_INT, "104857600"},
};
#define NBEXTRA (sizeof bextra / sizeof bextra[0])

static char *xstrdup(const char *s)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

static char *fmt_i64(int64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    return xstrdup(tmp);
}

/* Kafka trims config values before parsing them. [*s, *e) is the trimmed range. */
static void trim(const char *v, const char **s, const char **e)
{
    const char *a = v, *b = v + strlen(v);
    while (a < b && (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r'))
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n' || b[-1] == '\r'))
        b--;
    *s = a;
    *e = b;
}

/* Whole-string integer in [lo, hi] after trimming (Java's Long.parseLong / Integer.parseInt). */
static int parse_int(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
    const char *s, *e;
    trim(v, &s, &e);
    if (s == e || (size_t)(e - s) > 24) return SL_INVAL;
    char tmp[32];
    memcpy(tmp, s, (size_t)(e - s));
    tmp[e - s] = 0;
    const char *p = tmp;
    if (*p == '+' || *p == '-') p++;
    if (!*p) return SL_INVAL;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') return SL_INVAL;
    errno = 0;
    char *end;
    long long x = strtoll(tmp, &end, 10);
    if (errno || *end || x < lo || x > hi) return SL_INVAL;
    *out = x;
    return SL_OK;
}

static int parse_double(const char *v, double *out)
{
    const char *s, *e;
    trim(v, &s, &e);
    if (s == e || (size_t)(e - s) > 64) return SL_INVAL;
    char tmp[72];
    memcpy(tmp, s, (size_t)(e - s));
    tmp[e - s] = 0;
    errno = 0;
    char *end;
    double x = strtod(tmp, &end);
    if (errno || *end || isnan(x)) return SL_INVAL;
    *out = x;
    return SL_OK;
}

static int parse_boolean(const char *v, int *out)
{
    const char *s, *e;
    trim(v, &s, &e);
    size_t n = (size_t)(e - s);
    if (n == 4 && strncasecmp(s, "true", 4) == 0)
        *out = 1;
    else if (n == 5 && strncasecmp(s, "false", 5) == 0)
        *out = 0;
    else
        return SL_INVAL;
    return SL_OK;
}

static int in_choices(const char *const *choices, const char *s, size_t n)
{
    for (size_t i = 0; choices[i]; i++)
        if (strlen(choices[i]) == n && memcmp(choices[i], s, n) == 0) return 1;
    return 0;
}

/* "compact, delete" for messages. */
static void join_choices(const char *const *choices, int skip_none, char *out, size_t outlen)
{
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; choices[i]; i++) {
        if (skip_none && strcmp(choices[i], "none") == 0) continue;
        int n = snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", choices[i]);
        if (n < 0 || (size_t)n >= outlen - o) break;
        o += (size_t)n;
    }
}

/* Values go back to clients inside error messages: keep them printable ASCII. */
static void safe_copy(char *dst, size_t dstlen, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < dstlen; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[i] = 0;
}

static int16_t invalid(char *err, size_t errlen, const char *key, const char *value,
                       const char *why)
{
    char k[256], v[256];
    safe_copy(k, sizeof k, key);
    safe_copy(v, sizeof v, value);
    snprintf(err, errlen, "Invalid value %s for configuration %s: %s", v, k, why);
    return SL_KERR_INVALID_CONFIG;
}

static int check_compression(const char *key, const char *value, char *err, size_t errlen)
{
    const char *s, *e;
    trim(value, &s, &e);
    if ((size_t)(e - s) == 8 && memcmp(s, "producer", 8) == 0) return 0;
    char v[64];
    safe_copy(v, sizeof v, value);
    snprintf(err, errlen,
             "%s=%s is not supported yet: Sluice stores batches as the producer compressed them",
             key, v);
    return -1;
}

static int check_ts_type(const char *key, const char *value, char *err, size_t errlen)
{
    const char *s, *e;
    trim(value, &s, &e);
    if ((size_t)(e - s) == 10 && memcmp(s, "CreateTime", 10) == 0) return 0;
    char v[64];
    safe_copy(v, sizeof v, value);
    snprintf(err, errlen,
             "%s=%s is not supported yet: Sluice keeps the timestamps the producer set "
             "(CreateTime)",
             key, v);
    return -1;
}

/* Confluent's SubjectNameStrategy classes, by short name (the enum order of validate.h). */
static const char *const strategy_names[] = {"TopicNameStrategy", "RecordNameStrategy",
                                             "TopicRecordNameStrategy", NULL};
#define STRATEGY_PACKAGE "io.confluent.kafka.serializers.subject."

/* A strategy value: a short name or Confluent's full class name (what Confluent Server
 * takes), surrounding blanks ignored. SL_OK with *out, or SL_INVAL. */
static int parse_strategy(const char *v, sl_val_strategy_t *out)
{
    const char *s, *e;
    trim(v, &s, &e);
    size_t pl = sizeof STRATEGY_PACKAGE - 1;
    if ((size_t)(e - s) > pl && memcmp(s, STRATEGY_PACKAGE, pl) == 0) s += pl;
    for (int i = 0; strategy_names[i]; i++) {
        if (strlen(strategy_names[i]) == (size_t)(e - s) &&
            memcmp(strategy_names[i], s, (size_t)(e - s)) == 0) {
            *out = (sl_val_strategy_t)i;
            return SL_OK;
        }
    }
    return SL_INVAL;
}

static int check_strategy(const char *key, const char *value, char *err, size_t errlen)
{
    sl_val_strategy_t st;
    if (parse_strategy(value, &st) == SL_OK) return 0;
    invalid(err, errlen, key, value,
            "not a subject name strategy Sluice knows; use TopicNameStrategy, "
            "RecordNameStrategy or TopicRecordNameStrategy (optionally with the "
            "package " STRATEGY_PACKAGE ")");
    return -1;
}

static const char *type_word(int8_t type)
{
    switch (type) {
    case SL_CFGT_INT:
        return "INT";
    case SL_CFGT_LONG:
        return "LONG";
    case SL_CFGT_SHORT:
        return "SHORT";
    case SL_CFGT_DOUBLE:
        return "DOUBLE";
    default:
        return "?";
    }
}

/*
 * Validate `value` of row d, given under `key` (the topic key, or a broker synonym whose
 * numbers are in units of `unit`). On success *num holds the number in topic units (numeric
 * rows only).
 */
static int16_t check_row(const tcfg_t *d, const char *key, const char *value, int64_t unit,
                         int64_t *num, char *err, size_t errlen)
{
    char why[512];
    int64_t x = 0;
    switch (d->type) {
    case SL_CFGT_INT:
    case SL_CFGT_LONG: {
        int64_t lo = d->type == SL_CFGT_INT ? INT32_MIN : INT64_MIN;
        int64_t hi = d->type == SL_CFGT_INT ? INT32_MAX : INT64_MAX;
        snprintf(why, sizeof why, "Not a number of type %s", type_word(d->type));
        if (parse_int(value, lo, hi, &x) != SL_OK) return invalid(err, errlen, key, value, why);
        if (unit > 1) {
            if (x > INT64_MAX / unit)
                x = INT64_MAX;
            else if (x < INT64_MIN / unit)
                x = INT64_MIN;
            else
                x *= unit;
        }
        if (unit > 1 && d->neg_forever && x < 0) x = -1;
        if (d->has_min && (double)x < d->min) {
            snprintf(why, sizeof why, "Value must be at least %lld", (long long)d->min);
            return invalid(err, errlen, key, value, why);
        }
        if (d->has_max && (double)x > d->max) {
            snprintf(why, sizeof why, "Value must be no more than %lld", (long long)d->max);
            return invalid(err, errlen, key, value, why);
        }
        break;
    }
    case SL_CFGT_DOUBLE: {
        double f;
        if (parse_double(value, &f) != SL_OK)
            return invalid(err, errlen, key, value, "Not a number of type DOUBLE");
        if (d->has_min && f < d->min) {
            snprintf(why, sizeof why, "Value must be at least %g", d->min);
            return invalid(err, errlen, key, value, why);
        }
        if (d->has_max && f > d->max) {
            snprintf(why, sizeof why, "Value must be no more than %g", d->max);
            return invalid(err, errlen, key, value, why);
        }
        break;
    }
    case SL_CFGT_BOOLEAN: {
        int b;
        if (parse_boolean(value, &b) != SL_OK)
            return invalid(err, errlen, key, value, "Expected value to be either true or false");
        break;
    }
    case SL_CFGT_STRING: {
        const char *s, *e;
        trim(value, &s, &e);
        if (d->choices && !in_choices(d->choices, s, (size_t)(e - s))) {
            char list[256];
            join_choices(d->choices, 1, list, sizeof list);
            snprintf(why, sizeof why, "String must be one of: %s", list);
            return invalid(err, errlen, key, value, why);
        }
        break;
    }
    case SL_CFGT_LIST: {
        /* Comma-separated, each element trimmed; an empty list is allowed (Kafka 3.x). */
        const char *p = value;
        for (;;) {
            const char *c = strchr(p, ',');
            size_t n = c ? (size_t)(c - p) : strlen(p);
            const char *s = p, *e = p + n;
            while (s < e && (*s == ' ' || *s == '\t'))
                s++;
            while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if (e > s && d->choices && !in_choices(d->choices, s, (size_t)(e - s))) {
                char list[256], item[128];
                join_choices(d->choices, 1, list, sizeof list);
                size_t il = (size_t)(e - s) < sizeof item - 1 ? (size_t)(e - s) : sizeof item - 1;
                memcpy(item, s, il);
                item[il] = 0;
                snprintf(why, sizeof why, "String must be one of: %s", list);
                return invalid(err, errlen, key, item, why);
            }
            if (!c) break;
            p = c + 1;
        }
        break;
    }
    default:
        break;
    }
    if (d->extra && d->extra(key, value, err, errlen) != 0) return SL_KERR_INVALID_CONFIG;
    if (num) *num = x;
    return SL_KERR_NONE;
}

size_t sl_tcfg_count(void)
{
    return NTCFG;
}

int sl_tcfg_index(const char *key)
{
    for (size_t i = 0; i < NTCFG; i++)
        if (strcmp(tcfg[i].name, key) == 0) return (int)i;
    return -1;
}

const char *sl_tcfg_name(size_t idx)
{
    return idx < NTCFG ? tcfg[idx].name : NULL;
}

int8_t sl_tcfg_type(size_t idx)
{
    return idx < NTCFG ? tcfg[idx].type : 0;
}

int16_t sl_tcfg_check(const char *key, const char *value, char *err, size_t errlen)
{
    int i = sl_tcfg_index(key);
    if (i < 0) {
        char k[256];
        safe_copy(k, sizeof k, key);
        snprintf(err, errlen, "Unknown topic config name: %s", k);
        return SL_KERR_INVALID_CONFIG;
    }
    if (!value) return SL_KERR_NONE;
    return check_row(&tcfg[i], key, value, 1, NULL, err, errlen);
}

int16_t sl_tcfg_check_all(const sl_props_t *ov, char *err, size_t errlen)
{
    for (size_t i = 0; ov && i < ov->n; i++) {
        int16_t e = sl_tcfg_check(ov->v[i].key, ov->v[i].value, err, errlen);
        if (e != SL_KERR_NONE) return e;
    }
    return SL_KERR_NONE;
}

int sl_tcfg_check_broker(const sl_props_t *bp, char *err, size_t errlen)
{
    if (!bp) return SL_OK;
    for (size_t i = 0; i < NTCFG; i++) {
        const tcfg_t *d = &tcfg[i];
        for (int s = 0; d->syn[s].key; s++) {
            const char *v = sl_props_get(bp, d->syn[s].key);
            if (!v) continue;
            char why[512];
            if (check_row(d, d->syn[s].key, v, d->syn[s].unit, NULL, why, sizeof why) !=
                SL_KERR_NONE) {
                snprintf(err, errlen, "broker setting %s", why);
                return SL_INVAL;
            }
        }
    }
    return SL_OK;
}

/*
 * Where row d's effective value comes from: the override, the first broker synonym set, or
 * the default. *raw is borrowed (NULL for a null default), *unit the multiplier to topic
 * units, *syn the synonym index for broker values.
 */
static int8_t effective(const tcfg_t *d, const sl_props_t *ov, const sl_props_t *bp,
                        const char **raw, int64_t *unit, int *syn)
{
    const char *v = ov ? sl_props_get(ov, d->name) : NULL;
    *syn = -1;
    *unit = 1;
    if (v) {
        *raw = v;
        return SL_CFGSRC_TOPIC;
    }
    for (int s = 0; bp && d->syn[s].key; s++) {
        v = sl_props_get(bp, d->syn[s].key);
        if (v) {
            *raw = v;
            *unit = d->syn[s].unit;
            *syn = s;
            return SL_CFGSRC_STATIC_BROKER;
        }
    }
    *raw = d->dflt;
    return SL_CFGSRC_DEFAULT;
}

/* Effective value of a numeric row in topic units; the default if the text does not parse
 * (cannot happen for validated settings). */
static int64_t effective_num(const tcfg_t *d, const sl_props_t *ov, const sl_props_t *bp)
{
    const char *raw;
    int64_t unit, x;
    int syn;
    effective(d, ov, bp, &raw, &unit, &syn);
    char err[8];
    if (raw && check_row(d, d->name, raw, unit, &x, err, sizeof err) == SL_KERR_NONE) return x;
    if (SL_NEVER(parse_int(d->dflt, INT64_MIN, INT64_MAX, &x) != SL_OK)) return 0;
    return x;
}

/* Effective value of row d as text (malloc'd, NULL for null). Numbers from broker synonyms
 * are shown in the topic's unit, as Kafka does. */
static char *effective_text(const tcfg_t *d, const sl_props_t *ov, const sl_props_t *bp,
                            int8_t *source)
{
    const char *raw;
    int64_t unit;
    int syn;
    int8_t src = effective(d, ov, bp, &raw, &unit, &syn);
    if (source) *source = src;
    if (src == SL_CFGSRC_STATIC_BROKER && (d->type == SL_CFGT_INT || d->type == SL_CFGT_LONG))
        return fmt_i64(effective_num(d, ov, bp));
    return xstrdup(raw);
}

void sl_tcfg_resolve(const sl_props_t *ov, const sl_props_t *bp, sl_logcfg_t *cfg,
                     int64_t *max_message_bytes)
{
    sl_logcfg_default(cfg);
    for (size_t i = 0; i < NTCFG; i++) {
        const tcfg_t *d = &tcfg[i];
        switch (d->field) {
        case F_NONE:
            break;
        case F_CLEANUP: {
            char *v = effective_text(d, ov, bp, NULL), *buf, **items;
            size_t n = split_list(v, &buf, &items);
            cfg->cleanup_delete = list_has(items, n, "delete");
            cfg->cleanup_compact = list_has(items, n, "compact");
            free(v);
            free(buf);
            free(items);
            break;
        }
        case F_DELETE_RETENTION:
            cfg->delete_retention_ms = effective_num(d, ov, bp);
            break;
        case F_FILE_DELETE_DELAY:
            cfg->file_delete_delay_ms = effective_num(d, ov, bp);
            break;
        case F_FLUSH_MESSAGES:
            cfg->flush_messages = effective_num(d, ov, bp);
            break;
        case F_FLUSH_MS:
            cfg->flush_ms = effective_num(d, ov, bp);
            break;
        case F_INDEX_INTERVAL:
            cfg->index_interval_bytes = (int32_t)effective_num(d, ov, bp);
            break;
        case F_MAX_MESSAGE:
            if (max_message_bytes) *max_message_bytes = effective_num(d, ov, bp);
            break;
        case F_MIN_COMPACTION_LAG:
            cfg->min_compaction_lag_ms = effective_num(d, ov, bp);
            break;
        case F_RETENTION_BYTES:
            cfg->retention_bytes = effective_num(d, ov, bp);
            break;
        case F_RETENTION_MS:
            cfg->retention_ms = effective_num(d, ov, bp);
            break;
        case F_SEGMENT_BYTES:
            cfg->segment_bytes = effective_num(d, ov, bp);
            break;
        case F_SEGMENT_MS:
            cfg->segment_ms = effective_num(d, ov, bp);
            break;
        }
    }
}

int sl_tcfg_validation(const sl_props_t *ov, sl_val_cfg_t *out)
{
    static const char *const keys[2][3] = {
        {"confluent.key.schema.validation", "confluent.key.subject.name.strategy",
         "sluice.key.schema.validation.mode"},
        {"confluent.value.schema.validation", "confluent.value.subject.name.strategy",
         "sluice.value.schema.validation.mode"},
    };
    int any = 0;
    memset(out, 0, sizeof *out);
    if (!ov || ov->n == 0) return 0; /* the common case: no override, no validation */
    for (int side = 0; side < 2; side++) {
        sl_val_side_cfg_t *c = &out->side[side];
        const char *v = sl_props_get(ov, keys[side][0]);
        int on = 0;
        if (!v || parse_boolean(v, &on) != SL_OK || !on) continue;
        c->on = 1;
        any = 1;
        v = sl_props_get(ov, keys[side][1]);
        if (!v || parse_strategy(v, &c->strategy) != SL_OK) c->strategy = SL_VAL_TOPIC_NAME;
        v = sl_props_get(ov, keys[side][2]);
        const char *s = NULL, *e = NULL;
        if (v) trim(v, &s, &e);
        c->mode = v && e - s == 4 && memcmp(s, "full", 4) == 0 ? SL_VAL_MODE_FULL : SL_VAL_MODE_ID;
    }
    return any;
}

static void add_syn(sl_cfgval_t *out, const char *name, const char *value, int8_t source)
{
    if (SL_NEVER(out->nsyn >= SL_CFG_MAX_SYN)) return;
    sl_cfgsyn_t *s = &out->syn[out->nsyn++];
    s->name = name;
    s->value = xstrdup(value);
    s->source = source;
}

/* The default of broker key syn[s] of row d: only the last synonym carries one. */
static char *broker_default(const tcfg_t *d, int s)
{
    if (d->syn[s + 1].key || !d->dflt) return NULL;
    int64_t unit = d->syn[s].unit, x;
    if (unit > 1 && parse_int(d->dflt, INT64_MIN, INT64_MAX, &x) == SL_OK) return fmt_i64(x / unit);
    return xstrdup(d->dflt);
}

void sl_tcfg_describe(size_t idx, const sl_props_t *ov, const sl_props_t *bp, sl_cfgval_t *out)
{
    memset(out, 0, sizeof *out);
    if (SL_NEVER(idx >= NTCFG)) return;
    const tcfg_t *d = &tcfg[idx];
    out->name = d->name;
    out->type = d->type;
    out->value = effective_text(d, ov, bp, &out->source);
    /* Synonyms, most authoritative first: the override, every broker synonym that is set,
     * and the default under the name Kafka reports it by. */
    const char *v = ov ? sl_props_get(ov, d->name) : NULL;
    if (v) add_syn(out, d->name, v, SL_CFGSRC_TOPIC);
    int nsyn = 0;
    for (int s = 0; d->syn[s].key; s++, nsyn++) {
        const char *bv = bp ? sl_props_get(bp, d->syn[s].key) : NULL;
        if (bv) add_syn(out, d->syn[s].key, bv, SL_CFGSRC_STATIC_BROKER);
    }
    if (nsyn > 0) {
        char *dv = broker_default(d, nsyn - 1);
        if (dv) add_syn(out, d->syn[nsyn - 1].key, dv, SL_CFGSRC_DEFAULT);
        free(dv);
    } else if (d->dflt) {
        add_syn(out, d->name, d->dflt, SL_CFGSRC_DEFAULT);
    }
}

int sl_tcfg_value(const char *key, const sl_props_t *ov, const sl_props_t *bp, char **out)
{
    int i = sl_tcfg_index(key);
    if (i < 0) return SL_NOENT;
    *out = effective_text(&tcfg[i], ov, bp, NULL);
    return SL_OK;
}

/* Split a list value into trimmed, non-empty items (pointers into a copy kept in *buf). */
static size_t split_list(const char *v, char **buf, char ***items)
{
    *buf = xstrdup(v ? v : "");
    size_t n = 0, cap = 4;
    char **it = malloc(cap * sizeof *it);
    if (!it) abort();
    char *save = NULL;
    for (char *tok = strtok_r(*buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t')
            tok++;
        char *e = tok + strlen(tok);
        while (e > tok && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = 0;
        if (!*tok) continue;
        if (n == cap) {
            cap *= 2;
            it = realloc(it, cap * sizeof *it);
            if (!it) abort();
        }
        it[n++] = tok;
    }
    *items = it;
    return n;
}

static int list_has(char **items, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i], s) == 0) return 1;
    return 0;
}

int16_t sl_tcfg_apply_op(sl_props_t *ov, const sl_props_t *bp, const char *key, int8_t op,
                         const char *value, char *err, size_t errlen)
{
    char k[256];
    safe_copy(k, sizeof k, key);
    int i = sl_tcfg_index(key);
    if (op < SL_CFGOP_SET || op > SL_CFGOP_SUBTRACT) {
        snprintf(err, errlen, "Unknown config operation %d for config key: %s", op, k);
        return SL_KERR_INVALID_REQUEST;
    }
    if (i < 0) {
        snprintf(err, errlen, "Unknown topic config name: %s", k);
        return SL_KERR_INVALID_CONFIG;
    }
    const tcfg_t *d = &tcfg[i];
    if (op == SL_CFGOP_DELETE) {
        sl_props_unset(ov, key);
        return SL_KERR_NONE;
    }
    if (!value) {
        snprintf(err, errlen, "Null value not supported for topic config: %s", k);
        return SL_KERR_INVALID_REQUEST;
    }
    if (op == SL_CFGOP_SET) {
        sl_props_set(ov, key, value);
        return SL_KERR_NONE;
    }
    if (d->type != SL_CFGT_LIST) {
        snprintf(err, errlen, "Config value %s is not allowed for config key: %s",
                 op == SL_CFGOP_APPEND ? "append" : "subtract", k);
        return SL_KERR_INVALID_CONFIG;
    }
    char *cur = effective_text(d, ov, bp, NULL);
    char *cbuf, *nbuf, **citems, **nitems;
    size_t nc = split_list(cur, &cbuf, &citems);
    size_t nn = split_list(value, &nbuf, &nitems);
    size_t cap = strlen(cur ? cur : "") + strlen(value) + 2;
    char *res = malloc(cap);
    if (!res) abort();
    size_t o = 0;
    res[0] = 0;
#define PUT_ITEM(s)                                                                                \
    do {                                                                                           \
        o += (size_t)snprintf(res + o, cap - o, "%s%s", o ? "," : "", (s));                        \
    } while (0)
    if (op == SL_CFGOP_APPEND) {
        for (size_t j = 0; j < nc; j++)
            PUT_ITEM(citems[j]);
        for (size_t j = 0; j < nn; j++)
            if (!list_has(citems, nc, nitems[j]) && !list_has(nitems, j, nitems[j]))
                PUT_ITEM(nitems[j]);
    } else {
        for (size_t j = 0; j < nc; j++)
            if (!list_has(nitems, nn, citems[j])) PUT_ITEM(citems[j]);
    }
#undef PUT_ITEM
    sl_props_set(ov, key, res);
    free(res);
    free(cur);
    free(cbuf);
    free(nbuf);
    free(citems);
    free(nitems);
    return SL_KERR_NONE;
}

/* ---- broker configs ------------------------------------------------------------------ */

/* Broker row idx: a synonym (row *d, position *s) or an extra (*x). Synonyms that appear in
 * several rows (none today) would be listed once per row. */
static int bcfg_locate(size_t idx, const tcfg_t **d, int *s, const bextra_t **x)
{
    size_t k = 0;
    for (size_t i = 0; i < NTCFG; i++) {
        for (int j = 0; tcfg[i].syn[j].key; j++) {
            if (k++ == idx) {
                *d = &tcfg[i];
                *s = j;
                *x = NULL;
                return 1;
            }
        }
    }
    if (idx - k < NBEXTRA) {
        *d = NULL;
        *x = &bextra[idx - k];
        return 1;
    }
    return 0;
}

int sl_bcfg_known(const char *key)
{
    for (size_t i = 0; i < NBEXTRA; i++)
        if (strcmp(bextra[i].name, key) == 0) return 1;
    for (size_t i = 0; i < NTCFG; i++)
        for (int j = 0; tcfg[i].syn[j].key; j++)
            if (strcmp(tcfg[i].syn[j].key, key) == 0) return 1;
    return 0;
}

size_t sl_bcfg_count(void)
{
    size_t k = 0;
    for (size_t i = 0; i < NTCFG; i++)
        for (int j = 0; tcfg[i].syn[j].key; j++)
            k++;
    return k + NBEXTRA;
}

void sl_bcfg_describe(size_t idx, const sl_props_t *bp, sl_cfgval_t *out)
{
    memset(out, 0, sizeof *out);
    const tcfg_t *d;
    const bextra_t *x;
    int s;
    if (SL_NEVER(!bcfg_locate(idx, &d, &s, &x))) return;
    if (x) {
        const char *v = bp ? sl_props_get(bp, x->name) : NULL;
        out->name = x->name;
        out->type = x->type;
        out->value = xstrdup(v ? v : x->dflt);
        out->source = v ? SL_CFGSRC_STATIC_BROKER : SL_CFGSRC_DEFAULT;
        if (v) add_syn(out, x->name, v, SL_CFGSRC_STATIC_BROKER);
        if (x->dflt) add_syn(out, x->name, x->dflt, SL_CFGSRC_DEFAULT);
        return;
    }
    const char *key = d->syn[s].key;
    const char *v = bp ? sl_props_get(bp, key) : NULL;
    out->name = key;
    out->type = d->type;
    if (v) {
        out->value = xstrdup(v);
        out->source = SL_CFGSRC_STATIC_BROKER;
    } else {
        out->value = broker_default(d, s);
        out->source = SL_CFGSRC_DEFAULT;
    }
    /* Synonyms: this key and the lower-priority keys of the same family that are set, then
     * the family's default. */
    int last = s;
    for (int j = s; d->syn[j].key; j++) {
        const char *sv = bp ? sl_props_get(bp, d->syn[j].key) : NULL;
        if (sv) add_syn(out, d->syn[j].key, sv, SL_CFGSRC_STATIC_BROKER);
        last = j;
    }
    char *dv = broker_default(d, last);
    if (dv) add_syn(out, d->syn[last].key, dv, SL_CFGSRC_DEFAULT);
    free(dv);
}

void sl_cfgval_free(sl_cfgval_t *v)
{
    free(v->value);
    for (int i = 0; i < v->nsyn; i++)
        free(v->syn[i].value);
    memset(v, 0, sizeof *v);
}
