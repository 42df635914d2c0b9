/*
 * topics.h — the topic catalog: names, ids, partition logs and topic-level configs.
 *
 * Persistence: <data-dir>/__sluice_topics.json, rewritten atomically (write temp, fsync,
 * rename, fsync dir) on every change. Partition logs live in <data-dir>/<topic>-<partition>/.
 * At open, every listed topic's partitions are opened (and recovered); partition directories
 * of unknown topics are left alone and reported.
 *
 * Topic configs use Kafka's topic-level key names (retention.ms, cleanup.policy, ...); a
 * topic's effective value is its override if set, else the broker default (log.retention.ms,
 * log.cleanup.policy, ... from server.properties), else Kafka's default.
 *
 * Operations that serve Kafka admin APIs return a Kafka error code (enum sl_kerr) and write a
 * message a person can act on into err.
 *
 * @locality loop thread
 */
#ifndef SL_BROKER_TOPICS_H
#define SL_BROKER_TOPICS_H

#include "broker/log.h"
#include "common/props.h"
#include <stddef.h>
#include <stdint.h>

typedef struct sl_catalog_s sl_catalog_t;

typedef struct sl_topic_s {
    char *name;                /* owned */
    uint8_t id[16];            /* topic id (random UUID), stable across restarts */
    int32_t npart;             /* number of partitions */
    sl_plog_t **parts;         /* owned array of npart partition logs */
    sl_props_t overrides;      /* topic-level configs set explicitly (Kafka key names) */
    sl_logcfg_t logcfg;        /* effective log settings */
    int64_t max_message_bytes; /* effective max.message.bytes */
    int internal;              /* name starts with "__" (e.g. __consumer_offsets) */
} sl_topic_t;

/* Open the catalog under data_dir with broker-level defaults from broker_props (borrowed for
 * the catalog's lifetime). fl may be NULL. */
int sl_catalog_open(const char *data_dir, const sl_props_t *broker_props, sl_flusher_t *fl,
                    sl_catalog_t **out);
void sl_catalog_close(sl_catalog_t *cat);

sl_topic_t *sl_catalog_find(sl_catalog_t *cat, const char *name, size_t name_len);
sl_topic_t *sl_catalog_find_id(sl_catalog_t *cat, const uint8_t id[16]);
/* All topics, sorted by name; the array is borrowed until the next change. */
size_t sl_catalog_list(sl_catalog_t *cat, sl_topic_t *const **out);

/* Kafka's topic name rules: 1..249 chars of [a-zA-Z0-9._-], not "." or "..".
 * Returns 0 if valid, else writes the reason to err. */
int sl_topic_name_check(const char *name, size_t len, char *err, size_t errlen);

/*
 * Create a topic. npart == -1 uses num.partitions; replication_factor must be -1 or 1 (one
 * broker). configs (may be NULL) are validated key by key. Errors: INVALID_TOPIC_EXCEPTION,
 * TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG.
 * validate_only checks everything and changes nothing. *out may be NULL.
 */
int16_t sl_catalog_create(sl_catalog_t *cat, const char *name, int32_t npart,
                          int16_t replication_factor, const sl_props_t *configs, int validate_only,
                          sl_topic_t **out, char *err, size_t errlen);
/* Delete a topic and its files. UNKNOWN_TOPIC_OR_PARTITION if absent. The sl_topic_t and its
 * logs are freed: callers must not keep pointers to them across this call. */
int16_t sl_catalog_delete(sl_catalog_t *cat, const char *name, char *err, size_t errlen);
/* Grow to new_total partitions. INVALID_PARTITIONS if new_total <= npart. */
int16_t sl_catalog_add_partitions(sl_catalog_t *cat, sl_topic_t *t, int32_t new_total,
                                  int validate_only, char *err, size_t errlen);

/* Number of partitions new topics get (num.partitions) and whether Metadata may create them
 * (auto.create.topics.enable). */
int32_t sl_catalog_default_partitions(const sl_catalog_t *cat);
int sl_catalog_auto_create(const sl_catalog_t *cat);

/* Run sl_plog_housekeep over every partition. */
void sl_catalog_housekeep(sl_catalog_t *cat, int64_t now_ms);
/* Run sl_plog_flush_due over every partition. */
void sl_catalog_flush_due(sl_catalog_t *cat, int64_t now_ms);

/* ---- added with the admin APIs (topics.c) ------------------------------------------- */

/*
 * Replace all of t's config overrides (AlterConfigs semantics; IncrementalAlterConfigs
 * computes the new set first). Every key=value is validated (INVALID_CONFIG with Kafka's
 * message). On success the overrides are persisted, t->logcfg / t->max_message_bytes are
 * recomputed and applied to the live partition logs (sl_plog_set_config).
 * validate_only checks everything and changes nothing.
 */
int16_t sl_catalog_set_configs(sl_catalog_t *cat, sl_topic_t *t, const sl_props_t *overrides,
                               int validate_only, char *err, size_t errlen);
/* Effective value of topic config `key` for t (override > broker setting > default) as
 * malloc'd text. SL_NOENT if Sluice does not know the key. */
int sl_catalog_config_value(const sl_catalog_t *cat, const sl_topic_t *t, const char *key,
                            char **out);
/* The same for numeric configs (min.insync.replicas, message.timestamp.difference.max.ms...).
 * SL_NOENT for an unknown key, SL_INVAL if the key is not numeric. */
int sl_catalog_config_i64(const sl_catalog_t *cat, const sl_topic_t *t, const char *key,
                          int64_t *out);
/* The broker settings the catalog was opened with (borrowed). */
const sl_props_t *sl_catalog_broker_props(const sl_catalog_t *cat);

#endif
