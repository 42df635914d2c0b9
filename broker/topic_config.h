/*
 * topic_config.h — the one table of topic-level configs (private to broker/).
 *
 * Every topic config Sluice knows is one row of a table in topic_config.c: its topic key
 * (retention.ms), its broker-level synonyms (log.retention.ms, log.retention.minutes,
 * log.retention.hours, highest priority first), its type, its default and its validator, and
 * the sl_logcfg_t field it drives. Everything that deals with topic configs goes through this
 * table, so validation (CreateTopics, AlterConfigs), resolution (the effective sl_logcfg_t of
 * a topic) and DescribeConfigs cannot disagree about what a key means.
 *
 * Resolution of a topic's value for key K:
 *     K in the topic's overrides            -> source TOPIC_CONFIG (1)
 *     else first broker synonym of K set    -> source STATIC_BROKER_CONFIG (4), scaled to
 *                                              K's unit (log.retention.hours=1 -> 3600000)
 *     else the table's default              -> source DEFAULT_CONFIG (5)
 *
 * @locality any thread (the table is constant; functions touch only their arguments)
 */
#ifndef SL_BROKER_TOPIC_CONFIG_H
#define SL_BROKER_TOPIC_CONFIG_H

#include "broker/log.h"
#include "broker/validate.h"
#include "common/props.h"

#include <stddef.h>
#include <stdint.h>

/* DescribeConfigs ConfigType (KIP-569), also used as the table's type column. */
enum sl_cfgtype {
    SL_CFGT_BOOLEAN = 1,
    SL_CFGT_STRING = 2,
    SL_CFGT_INT = 3,
    SL_CFGT_SHORT = 4,
    SL_CFGT_LONG = 5,
    SL_CFGT_DOUBLE = 6,
    SL_CFGT_LIST = 7,
    SL_CFGT_CLASS = 8,
    SL_CFGT_PASSWORD = 9,
};

/* DescribeConfigs ConfigSource. Sluice has no dynamic configs, so 2 and 3 never appear. */
enum sl_cfgsrc {
    SL_CFGSRC_UNKNOWN = 0,
    SL_CFGSRC_TOPIC = 1,
    SL_CFGSRC_DYNAMIC_BROKER = 2,
    SL_CFGSRC_DYNAMIC_DEFAULT_BROKER = 3,
    SL_CFGSRC_STATIC_BROKER = 4,
    SL_CFGSRC_DEFAULT = 5,
};

/* IncrementalAlterConfigs ConfigOperation. */
enum sl_cfgop { SL_CFGOP_SET = 0, SL_CFGOP_DELETE = 1, SL_CFGOP_APPEND = 2, SL_CFGOP_SUBTRACT = 3 };

#define SL_CFG_MAX_SYN 6

/* One synonym of a described config (DescribeConfigsSynonym). */
typedef struct sl_cfgsyn_s {
    const char *name; /* static: a key from the table */
    char *value;      /* owned; NULL = null */
    int8_t source;    /* enum sl_cfgsrc */
} sl_cfgsyn_t;

/* One described config (DescribeConfigsResourceResult / CreatableTopicConfigs). */
typedef struct sl_cfgval_s {
    const char *name;                /* static: a key from the table */
    char *value;                     /* owned; NULL = null */
    int8_t source;                   /* enum sl_cfgsrc */
    int8_t type;                     /* enum sl_cfgtype */
    int nsyn;                        /* synonyms in use, most authoritative first */
    sl_cfgsyn_t syn[SL_CFG_MAX_SYN]; /* what the value was chosen from */
} sl_cfgval_t;

/* ---- topic configs ------------------------------------------------------------------- */

size_t sl_tcfg_count(void);
/* Row index of a topic key, -1 if Sluice does not know it. */
int sl_tcfg_index(const char *key);
const char *sl_tcfg_name(size_t idx);
int8_t sl_tcfg_type(size_t idx);

/*
 * Validate one topic-level key=value (value may be NULL only to ask "is the key known").
 * Returns SL_KERR_NONE or SL_KERR_INVALID_CONFIG with Kafka's message in err, e.g.
 *   "Unknown topic config name: x"
 *   "Invalid value abc for configuration retention.ms: Not a number of type LONG"
 */
int16_t sl_tcfg_check(const char *key, const char *value, char *err, size_t errlen);
/* Validate every override in `ov` (first failure wins). */
int16_t sl_tcfg_check_all(const sl_props_t *ov, char *err, size_t errlen);

/* Validate the broker-level synonyms in the broker's settings (log.retention.hours=abc and
 * compression.type=gzip are refused at start-up). SL_OK or SL_INVAL with err filled. */
int sl_tcfg_check_broker(const sl_props_t *bp, char *err, size_t errlen);

/* Effective log settings and max.message.bytes of a topic with overrides `ov` (may be NULL)
 * under broker settings `bp` (may be NULL). Values must have passed the checks above. */
void sl_tcfg_resolve(const sl_props_t *ov, const sl_props_t *bp, sl_logcfg_t *cfg,
                     int64_t *max_message_bytes);

/* Describe row idx for a topic: effective value, source, type and synonyms. Free with
 * sl_cfgval_free. */
void sl_tcfg_describe(size_t idx, const sl_props_t *ov, const sl_props_t *bp, sl_cfgval_t *out);

/* Effective value of a topic key as text (malloc'd). SL_NOENT for an unknown key. */
int sl_tcfg_value(const char *key, const sl_props_t *ov, const sl_props_t *bp, char **out);

/*
 * IncrementalAlterConfigs on a copy of overrides: SET / DELETE / APPEND / SUBTRACT of one key.
 * APPEND and SUBTRACT work on list configs (cleanup.policy) and start from the effective value
 * (override, else broker setting, else default). The result is not validated here beyond the
 * operation itself; run sl_tcfg_check_all on the final set.
 * Errors: INVALID_CONFIG (unknown key, list op on a non-list key), INVALID_REQUEST (null value,
 * unknown operation).
 */
int16_t sl_tcfg_apply_op(sl_props_t *ov, const sl_props_t *bp, const char *key, int8_t op,
                         const char *value, char *err, size_t errlen);

/* ---- broker configs (DescribeConfigs resource type BROKER) ---------------------------- */

/* Is key a broker setting Sluice reads (server.properties name)? */
int sl_bcfg_known(const char *key);
size_t sl_bcfg_count(void);
/* Describe broker-level setting idx (a broker synonym of a topic config, or one of the broker
 * settings Sluice reads: num.partitions, log.dirs, listeners, ...). */
void sl_bcfg_describe(size_t idx, const sl_props_t *bp, sl_cfgval_t *out);

void sl_cfgval_free(sl_cfgval_t *v);

/* ---- produce-time schema validation (added with broker/validate.h) -------------------- */

/* The schema validation settings of a topic with overrides `ov` (may be NULL): the
 * confluent.{key,value}.* and sluice.{key,value}.schema.validation.mode keys, which have no
 * broker-level synonyms. Values must have passed sl_tcfg_check. Does not allocate. Returns 1
 * if either side is on, 0 otherwise. */
int sl_tcfg_validation(const sl_props_t *ov, sl_val_cfg_t *out);

#endif
