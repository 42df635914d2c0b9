/*
 * test_topics.c — the topic catalog (broker/topics.c), the topic config table
 * (broker/topic_config.c) and the admin API handlers (broker/proto_admin.c).
 *
 * Catalog tests run against a fresh temporary data directory each. Handler tests encode a
 * request body with sl_kw_*, run the handler on a hand-built sl_req_t over a broker struct
 * that owns a real catalog, check that the handler consumed the whole body, and decode the
 * response with sl_kr_*, field by field as Kafka's message definitions lay it out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "broker/broker_int.h"
#include "broker/topic_config.h"
#include "common/err.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- fixtures ------------------------------------------------------------------------- */

typedef struct fx_s {
    char dir[256];     /* temporary data directory */
    sl_props_t props;  /* broker settings */
    sl_catalog_t *cat; /* open catalog, or NULL */
} fx_t;

static void rm_rf(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    assert_int_equal(system(cmd), 0);
}

static int dir_exists(const char *dir, const char *name)
{
    char p[600];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int fx_setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/sl-test-topics-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    sl_props_init(&f->props);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx_t *f = *state;
    sl_catalog_close(f->cat);
    sl_props_free(&f->props);
    rm_rf(f->dir);
    free(f);
    return 0;
}

static void fx_open(fx_t *f)
{
    assert_int_equal(sl_catalog_open(f->dir, &f->props, NULL, &f->cat), SL_OK);
}

static void fx_reopen(fx_t *f)
{
    sl_catalog_close(f->cat);
    f->cat = NULL;
    fx_open(f);
}

/* ---- names -------------------------------------------------------------------------------- */

static void test_name_check(void **state)
{
    (void)state;
    char err[512];
    char longest[250], toolong[251];
    memset(longest, 'a', 249);
    longest[249] = 0;
    memset(toolong, 'a', 250);
    toolong[250] = 0;
    /* Kafka's TopicTest examples. */
    const char *valid[] = {"valid", "TOPIC", "nAmEs", "ar6", "VaL1d", "_0-9_.", "...", longest};
    for (size_t i = 0; i < sizeof valid / sizeof *valid; i++)
        assert_int_equal(sl_topic_name_check(valid[i], strlen(valid[i]), err, sizeof err), SL_OK);
    const char *invalid[] = {"", "foo:bar", "foo=bar", ".", "..", toolong, "a b", "f\xc3\xb6o"};
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++)
        assert_int_not_equal(sl_topic_name_check(invalid[i], strlen(invalid[i]), err, sizeof err),
                             SL_OK);
    assert_int_not_equal(sl_topic_name_check("a\0b", 3, err, sizeof err), SL_OK);

    sl_topic_name_check("", 0, err, sizeof err);
    assert_string_equal(err, "Topic name is illegal, it can't be empty");
    sl_topic_name_check("..", 2, err, sizeof err);
    assert_string_equal(err, "Topic name cannot be \".\" or \"..\"");
    sl_topic_name_check("foo:bar", 7, err, sizeof err);
    assert_string_equal(err, "Topic name \"foo:bar\" is illegal, it contains a character other "
                             "than ASCII alphanumerics, '.', '_' and '-'");
}

/* ---- catalog ------------------------------------------------------------------------------ */

static void test_create_find_list_delete(void **state)
{
    fx_t *f = *state;
    char err[512];
    sl_props_set(&f->props, "num.partitions", "2");
    fx_open(f);
    assert_int_equal(sl_catalog_default_partitions(f->cat), 2);
    assert_int_equal(sl_catalog_auto_create(f->cat), 1);

    sl_topic_t *b = NULL, *a = NULL;
    assert_int_equal(sl_catalog_create(f->cat, "beta", -1, -1, NULL, 0, &b, err, sizeof err),
                     SL_KERR_NONE);
    assert_non_null(b);
    assert_int_equal(b->npart, 2);
    assert_int_equal(sl_catalog_create(f->cat, "alpha", 3, 1, NULL, 0, &a, err, sizeof err),
                     SL_KERR_NONE);
    assert_int_equal(a->npart, 3);
    assert_true(dir_exists(f->dir, "alpha-0") && dir_exists(f->dir, "alpha-2"));
    assert_false(dir_exists(f->dir, "alpha-3"));
    assert_true(dir_exists(f->dir, "beta-1"));
    assert_int_equal(a->id[6] >> 4, 4); /* UUID v4 */
    assert_memory_not_equal(a->id, b->id, 16);

    sl_topic_t *const *all;
    assert_int_equal(sl_catalog_list(f->cat, &all), 2);
    assert_string_equal(all[0]->name, "alpha");
    assert_string_equal(all[1]->name, "beta");
    assert_ptr_equal(sl_catalog_find(f->cat, "alpha", 5), a);
    assert_ptr_equal(sl_catalog_find(f->cat, "alphaX", 5), a); /* length-delimited */
    assert_null(sl_catalog_find(f->cat, "alph", 4));
    assert_ptr_equal(sl_catalog_find_id(f->cat, b->id), b);
    uint8_t none[16] = {1};
    assert_null(sl_catalog_find_id(f->cat, none));

    assert_int_equal(sl_catalog_create(f->cat, "alpha", 1, 1, NULL, 0, NULL, err, sizeof err),
                     SL_KERR_TOPIC_ALREADY_EXISTS);
    assert_string_equal(err, "Topic 'alpha' already exists.");
    assert_int_equal(sl_catalog_create(f->cat, "bad/name", 1, 1, NULL, 0, NULL, err, sizeof err),
                     SL_KERR_INVALID_TOPIC_EXCEPTION);
    assert_int_equal(sl_catalog_create(f->cat, "x", 0, 1, NULL, 0, NULL, err, sizeof err),
                     SL_KERR_INVALID_PARTITIONS);
    assert_int_equal(sl_catalog_create(f->cat, "x", 1, 3, NULL, 0, NULL, err, sizeof err),
                     SL_KERR_INVALID_REPLICATION_FACTOR);
    assert_int_equal(sl_catalog_create(f->cat, "x", 1, 0, NULL, 0, NULL, err, sizeof err),
                     SL_KERR_INVALID_REPLICATION_FACTOR);
    /* '.' and '_' collide, as in Kafka. */
    assert_int_equal(sl_catalog_create(f->cat, "a.b", 1, 1, NULL, 0, NULL, err, sizeof err),
                     SL_KERR_NONE);
    assert_int_equal(sl_catalog_create(f->cat, "a_b", 1, 1, NULL, 0, NULL, err, sizeof err),
                     SL_KERR_INVALID_TOPIC_EXCEPTION);
    assert_string_equal(err, "Topic 'a_b' collides with existing topic: a.b");

    /* validate_only: checks, creates nothing. */
    assert_int_equal(sl_catalog_create(f->cat, "gamma", 1, 1, NULL, 1, NULL, err, sizeof err),
                     SL_KERR_NONE);
    assert_null(sl_catalog_find(f->cat, "gamma", 5));
    assert_false(dir_exists(f->dir, "gamma-0"));

    assert_int_equal(sl_catalog_delete(f->cat, "alpha", err, sizeof err), SL_KERR_NONE);
    assert_null(sl_catalog_find(f->cat, "alpha", 5));
    assert_false(dir_exists(f->dir, "alpha-0"));
    assert_int_equal(sl_catalog_list(f->cat, &all), 2);
    assert_string_equal(all[0]->name, "a.b");
    assert_string_equal(all[1]->name, "beta");
    assert_int_equal(sl_catalog_delete(f->cat, "alpha", err, sizeof err),
                     SL_KERR_UNKNOWN_TOPIC_OR_PARTITION);

    /* A leftover directory is never adopted by a new topic. */
    char p[600];
    snprintf(p, sizeof p, "%s/stale-0", f->dir);
    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(sl_catalog_create(f->cat, "stale", 1, 1, NULL, 0, NULL, err, sizeof err),
                     SL_KERR_KAFKA_STORAGE_ERROR);
    assert_non_null(strstr(err, "stale-0"));
}

static void test_many_topics_hash(void **state)
{
    fx_t *f = *state;
    char err[512], name[32];
    fx_open(f);
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "t%03d", 99 - i);
        assert_int_equal(sl_catalog_create(f->cat, name, 1, -1, NULL, 0, NULL, err, sizeof err),
                         SL_KERR_NONE);
    }
    sl_topic_t *const *all;
    assert_int_equal(sl_catalog_list(f->cat, &all), 100);
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "t%03d", i);
        assert_string_equal(all[i]->name, name);
        assert_ptr_equal(sl_catalog_find(f->cat, name, strlen(name)), all[i]);
        assert_ptr_equal(sl_catalog_find_id(f->cat, all[i]->id), all[i]);
    }
    for (int i = 0; i < 100; i += 2) {
        snprintf(name, sizeof name, "t%03d", i);
        assert_int_equal(sl_catalog_delete(f->cat, name, err, sizeof err), SL_KERR_NONE);
    }
    assert_int_equal(sl_catalog_list(f->cat, &all), 50);
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "t%03d", i);
        sl_topic_t *t = sl_catalog_find(f->cat, name, strlen(name));
        if (i % 2)
            assert_non_null(t);
        else
            assert_null(t);
    }
}

static void test_add_partitions(void **state)
{
    fx_t *f = *state;
    char err[512];
    fx_open(f);
    sl_topic_t *t;
    assert_int_equal(sl_catalog_create(f->cat, "grow", 1, 1, NULL, 0, &t, err, sizeof err),
                     SL_KERR_NONE);
    assert_int_equal(sl_catalog_add_partitions(f->cat, t, 1, 0, err, sizeof err),
                     SL_KERR_INVALID_PARTITIONS);
    assert_string_equal(err, "Topic already has 1 partitions.");
    assert_int_equal(sl_catalog_add_partitions(f->cat, t, 3, 1, err, sizeof err), SL_KERR_NONE);
    assert_int_equal(t->npart, 1);
    assert_false(dir_exists(f->dir, "grow-1"));
    assert_int_equal(sl_catalog_add_partitions(f->cat, t, 3, 0, err, sizeof err), SL_KERR_NONE);
    assert_int_equal(t->npart, 3);
    assert_non_null(t->parts[2]);
    assert_true(dir_exists(f->dir, "grow-2"));
    assert_int_equal(sl_catalog_add_partitions(f->cat, t, 2, 0, err, sizeof err),
                     SL_KERR_INVALID_PARTITIONS);
    assert_string_equal(err,
                        "Topic currently has 3 partitions, which is higher than the requested 2.");
    fx_reopen(f);
    t = sl_catalog_find(f->cat, "grow", 4);
    assert_non_null(t);
    assert_int_equal(t->npart, 3);
}

static void test_persistence(void **state)
{
    fx_t *f = *state;
    char err[512];
    fx_open(f);
    sl_props_t cfg;
    sl_props_init(&cfg);
    sl_props_set(&cfg, "cleanup.policy", "compact");
    sl_props_set(&cfg, "retention.ms", "12345");
    sl_topic_t *t;
    assert_int_equal(sl_catalog_create(f->cat, "keep", 4, 1, &cfg, 0, &t, err, sizeof err),
                     SL_KERR_NONE);
    uint8_t id[16];
    memcpy(id, t->id, 16);
    assert_int_equal(sl_catalog_create(f->cat, "__internal", 1, 1, NULL, 0, &t, err, sizeof err),
                     SL_KERR_NONE);
    assert_true(t->internal);
    sl_props_free(&cfg);

    fx_reopen(f);
    t = sl_catalog_find(f->cat, "keep", 4);
    assert_non_null(t);
    assert_memory_equal(t->id, id, 16);
    assert_int_equal(t->npart, 4);
    for (int p = 0; p < 4; p++)
        assert_non_null(t->parts[p]);
    assert_string_equal(sl_props_get(&t->overrides, "cleanup.policy"), "compact");
    assert_string_equal(sl_props_get(&t->overrides, "retention.ms"), "12345");
    assert_int_equal(t->logcfg.retention_ms, 12345);
    assert_true(t->logcfg.cleanup_compact);
    assert_false(t->logcfg.cleanup_delete);
    assert_ptr_equal(sl_catalog_find_id(f->cat, id), t);
    t = sl_catalog_find(f->cat, "__internal", 10);
    assert_non_null(t);
    assert_true(t->internal);

    /* Config changes persist too. */
    t = sl_catalog_find(f->cat, "keep", 4);
    sl_props_init(&cfg);
    sl_props_set(&cfg, "segment.bytes", "100000");
    assert_int_equal(sl_catalog_set_configs(f->cat, t, &cfg, 0, err, sizeof err), SL_KERR_NONE);
    sl_props_free(&cfg);
    assert_int_equal(t->logcfg.segment_bytes, 100000);
    assert_int_equal(t->logcfg.retention_ms, 604800000); /* override gone: full replacement */
    fx_reopen(f);
    t = sl_catalog_find(f->cat, "keep", 4);
    assert_int_equal(t->overrides.n, 1);
    assert_int_equal(t->logcfg.segment_bytes, 100000);

    /* A damaged catalog refuses to open rather than forgetting topics. */
    sl_catalog_close(f->cat);
    f->cat = NULL;
    char p[600];
    snprintf(p, sizeof p, "%s/__sluice_topics.json", f->dir);
    FILE *fp = fopen(p, "w");
    fputs("{\"version\": 1, \"topics\": [", fp);
    fclose(fp);
    sl_catalog_t *cat = NULL;
    assert_int_not_equal(sl_catalog_open(f->dir, &f->props, NULL, &cat), SL_OK);
    assert_null(cat);
}

/* ---- configs ------------------------------------------------------------------------------ */

static void expect_invalid(const char *key, const char *value, const char *msg)
{
    char err[512];
    assert_int_equal(sl_tcfg_check(key, value, err, sizeof err), SL_KERR_INVALID_CONFIG);
    assert_string_equal(err, msg);
}

static void test_config_validation(void **state)
{
    (void)state;
    char err[512];
    expect_invalid("retention.ms", "abc",
                   "Invalid value abc for configuration retention.ms: Not a number of type LONG");
    expect_invalid("no.such.config", "1", "Unknown topic config name: no.such.config");
    expect_invalid("segment.bytes", "5",
                   "Invalid value 5 for configuration segment.bytes: Value must be at least 14");
    expect_invalid("segment.bytes", "3000000000",
                   "Invalid value 3000000000 for configuration segment.bytes: Not a number of "
                   "type INT");
    expect_invalid("retention.ms", "-2",
                   "Invalid value -2 for configuration retention.ms: Value must be at least -1");
    expect_invalid("cleanup.policy", "compact,foo",
                   "Invalid value foo for configuration cleanup.policy: String must be one of: "
                   "compact, delete");
    expect_invalid("preallocate", "maybe",
                   "Invalid value maybe for configuration preallocate: Expected value to be "
                   "either true or false");
    expect_invalid("min.cleanable.dirty.ratio", "2",
                   "Invalid value 2 for configuration min.cleanable.dirty.ratio: Value must be no "
                   "more than 1");
    expect_invalid("min.cleanable.dirty.ratio", "x",
                   "Invalid value x for configuration min.cleanable.dirty.ratio: Not a number of "
                   "type DOUBLE");
    expect_invalid("compression.type", "gzip",
                   "compression.type=gzip is not supported yet: Sluice stores batches as the "
                   "producer compressed them");
    expect_invalid("compression.type", "brotli",
                   "Invalid value brotli for configuration compression.type: String must be one "
                   "of: uncompressed, zstd, lz4, snappy, gzip, producer");
    assert_int_equal(sl_tcfg_check("message.timestamp.type", "LogAppendTime", err, sizeof err),
                     SL_KERR_INVALID_CONFIG);
    assert_non_null(strstr(err, "not supported yet"));
    expect_invalid("message.timestamp.type", "Wallclock",
                   "Invalid value Wallclock for configuration message.timestamp.type: String must "
                   "be one of: CreateTime, LogAppendTime");

    const char *ok[][2] = {
        {"retention.ms", "-1"},
        {"retention.ms", " 1000 "},
        {"cleanup.policy", "compact,delete"},
        {"cleanup.policy", "delete"},
        {"compression.type", "producer"},
        {"message.timestamp.type", "CreateTime"},
        {"preallocate", "TRUE"},
        {"min.cleanable.dirty.ratio", "0.25"},
        {"confluent.value.schema.validation", "true"},
        {"confluent.key.subject.name.strategy",
         "io.confluent.kafka.serializers.subject.RecordNameStrategy"},
        {"flush.messages", "9223372036854775807"},
        {"max.message.bytes", "0"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        assert_int_equal(sl_tcfg_check(ok[i][0], ok[i][1], err, sizeof err), SL_KERR_NONE);
}

static const sl_cfgval_t *find_cfg(sl_cfgval_t *vals, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(vals[i].name, name) == 0) return &vals[i];
    fail_msg("config %s not described", name);
    return NULL;
}

static void test_effective_resolution(void **state)
{
    fx_t *f = *state;
    char err[512];
    sl_props_set(&f->props, "log.retention.hours", "1");
    sl_props_set(&f->props, "log.segment.bytes", "1000");
    sl_props_set(&f->props, "message.max.bytes", "2000");
    fx_open(f);
    sl_props_t cfg;
    sl_props_init(&cfg);
    sl_props_set(&cfg, "retention.ms", "5000");
    sl_topic_t *t, *u;
    assert_int_equal(sl_catalog_create(f->cat, "over", 1, 1, &cfg, 0, &t, err, sizeof err),
                     SL_KERR_NONE);
    assert_int_equal(sl_catalog_create(f->cat, "plain", 1, 1, NULL, 0, &u, err, sizeof err),
                     SL_KERR_NONE);
    sl_props_free(&cfg);
    /* topic override > broker setting > default */
    assert_int_equal(t->logcfg.retention_ms, 5000);
    assert_int_equal(u->logcfg.retention_ms, 3600000);
    assert_int_equal(t->logcfg.segment_bytes, 1000);
    assert_int_equal(t->max_message_bytes, 2000);
    assert_int_equal(t->logcfg.flush_messages, 1); /* Sluice's durable default */
    assert_int_equal(t->logcfg.index_interval_bytes, 4096);
    assert_int_equal(t->logcfg.delete_retention_ms, 86400000);
    assert_true(t->logcfg.cleanup_delete);
    int64_t x;
    assert_int_equal(sl_catalog_config_i64(f->cat, u, "retention.ms", &x), SL_OK);
    assert_int_equal(x, 3600000);
    assert_int_equal(sl_catalog_config_i64(f->cat, u, "min.insync.replicas", &x), SL_OK);
    assert_int_equal(x, 1);
    assert_int_equal(sl_catalog_config_i64(f->cat, u, "nope", &x), SL_NOENT);
    assert_int_equal(sl_catalog_config_i64(f->cat, u, "cleanup.policy", &x), SL_INVAL);

    size_t n = sl_tcfg_count();
    sl_cfgval_t *vals = calloc(n, sizeof *vals);
    for (size_t i = 0; i < n; i++)
        sl_tcfg_describe(i, &t->overrides, &f->props, &vals[i]);
    const sl_cfgval_t *c = find_cfg(vals, n, "retention.ms");
    assert_string_equal(c->value, "5000");
    assert_int_equal(c->source, SL_CFGSRC_TOPIC);
    assert_int_equal(c->type, SL_CFGT_LONG);
    assert_int_equal(c->nsyn, 3);
    assert_string_equal(c->syn[0].name, "retention.ms");
    assert_int_equal(c->syn[0].source, SL_CFGSRC_TOPIC);
    assert_string_equal(c->syn[1].name, "log.retention.hours");
    assert_string_equal(c->syn[1].value, "1");
    assert_int_equal(c->syn[1].source, SL_CFGSRC_STATIC_BROKER);
    assert_string_equal(c->syn[2].name, "log.retention.hours");
    assert_string_equal(c->syn[2].value, "168");
    assert_int_equal(c->syn[2].source, SL_CFGSRC_DEFAULT);
    c = find_cfg(vals, n, "segment.bytes");
    assert_string_equal(c->value, "1000");
    assert_int_equal(c->source, SL_CFGSRC_STATIC_BROKER);
    c = find_cfg(vals, n, "flush.messages");
    assert_string_equal(c->value, "1");
    assert_int_equal(c->source, SL_CFGSRC_DEFAULT);
    c = find_cfg(vals, n, "cleanup.policy");
    assert_int_equal(c->type, SL_CFGT_LIST);
    for (size_t i = 0; i < n; i++)
        sl_cfgval_free(&vals[i]);
    free(vals);

    /* Negative hours mean "forever", as in Kafka. */
    sl_props_t bp;
    sl_props_init(&bp);
    sl_props_set(&bp, "log.retention.hours", "-1");
    sl_logcfg_t lc;
    int64_t mmb;
    sl_tcfg_resolve(NULL, &bp, &lc, &mmb);
    assert_int_equal(lc.retention_ms, -1);
    assert_int_equal(mmb, 1048588);
    sl_props_free(&bp);
}

static void test_broker_settings_checked(void **state)
{
    fx_t *f = *state;
    sl_catalog_t *cat = NULL;
    sl_props_set(&f->props, "compression.type", "gzip");
    assert_int_not_equal(sl_catalog_open(f->dir, &f->props, NULL, &cat), SL_OK);
    sl_props_set(&f->props, "compression.type", "producer");
    sl_props_set(&f->props, "log.retention.hours", "abc");
    assert_int_not_equal(sl_catalog_open(f->dir, &f->props, NULL, &cat), SL_OK);
    sl_props_set(&f->props, "log.retention.hours", "2");
    sl_props_set(&f->props, "num.partitions", "0");
    assert_int_not_equal(sl_catalog_open(f->dir, &f->props, NULL, &cat), SL_OK);
    sl_props_set(&f->props, "num.partitions", "3");
    assert_int_equal(sl_catalog_open(f->dir, &f->props, NULL, &cat), SL_OK);
    assert_int_equal(sl_catalog_default_partitions(cat), 3);
    sl_catalog_close(cat);
}

static void test_incremental_ops(void **state)
{
    (void)state;
    char err[512];
    sl_props_t ov, bp;
    sl_props_init(&ov);
    sl_props_init(&bp);
    /* APPEND starts from the effective value (default "delete"). */
    assert_int_equal(
        sl_tcfg_apply_op(&ov, &bp, "cleanup.policy", SL_CFGOP_APPEND, "compact", err, sizeof err),
        SL_KERR_NONE);
    assert_string_equal(sl_props_get(&ov, "cleanup.policy"), "delete,compact");
    /* Appending what is there changes nothing. */
    assert_int_equal(
        sl_tcfg_apply_op(&ov, &bp, "cleanup.policy", SL_CFGOP_APPEND, "compact", err, sizeof err),
        SL_KERR_NONE);
    assert_string_equal(sl_props_get(&ov, "cleanup.policy"), "delete,compact");
    assert_int_equal(
        sl_tcfg_apply_op(&ov, &bp, "cleanup.policy", SL_CFGOP_SUBTRACT, "delete", err, sizeof err),
        SL_KERR_NONE);
    assert_string_equal(sl_props_get(&ov, "cleanup.policy"), "compact");
    assert_int_equal(
        sl_tcfg_apply_op(&ov, &bp, "cleanup.policy", SL_CFGOP_SUBTRACT, "compact", err, sizeof err),
        SL_KERR_NONE);
    assert_string_equal(sl_props_get(&ov, "cleanup.policy"), "");
    sl_logcfg_t lc;
    sl_tcfg_resolve(&ov, &bp, &lc, NULL);
    assert_false(lc.cleanup_delete);
    assert_false(lc.cleanup_compact);
    assert_int_equal(
        sl_tcfg_apply_op(&ov, &bp, "cleanup.policy", SL_CFGOP_DELETE, NULL, err, sizeof err),
        SL_KERR_NONE);
    assert_null(sl_props_get(&ov, "cleanup.policy"));
    /* From a broker setting. */
    sl_props_set(&bp, "log.cleanup.policy", "compact");
    assert_int_equal(
        sl_tcfg_apply_op(&ov, &bp, "cleanup.policy", SL_CFGOP_APPEND, "delete", err, sizeof err),
        SL_KERR_NONE);
    assert_string_equal(sl_props_get(&ov, "cleanup.policy"), "compact,delete");

    assert_int_equal(
        sl_tcfg_apply_op(&ov, &bp, "retention.ms", SL_CFGOP_APPEND, "5", err, sizeof err),
        SL_KERR_INVALID_CONFIG);
    assert_string_equal(err, "Config value append is not allowed for config key: retention.ms");
    assert_int_equal(sl_tcfg_apply_op(&ov, &bp, "nope", SL_CFGOP_SET, "5", err, sizeof err),
                     SL_KERR_INVALID_CONFIG);
    assert_int_equal(
        sl_tcfg_apply_op(&ov, &bp, "retention.ms", SL_CFGOP_SET, NULL, err, sizeof err),
        SL_KERR_INVALID_REQUEST);
    assert_int_equal(sl_tcfg_apply_op(&ov, &bp, "retention.ms", 9, "1", err, sizeof err),
                     SL_KERR_INVALID_REQUEST);
    sl_props_free(&ov);
    sl_props_free(&bp);
}

/* ---- handlers ----------------------------------------------------------------------------- */

typedef struct hx_s {
    fx_t f;        /* data directory and catalog */
    sl_broker_t b; /* just enough broker for the admin handlers */
    sl_buf_t resp; /* last response body */
    sl_kr_t r;     /* reader over resp */
} hx_t;

static int hx_setup(void **state)
{
    hx_t *h = calloc(1, sizeof *h);
    snprintf(h->f.dir, sizeof h->f.dir, "/tmp/sl-test-admin-XXXXXX");
    assert_non_null(mkdtemp(h->f.dir));
    sl_props_init(&h->b.props);
    sl_props_set(&h->b.props, "num.partitions", "2");
    assert_int_equal(sl_catalog_open(h->f.dir, &h->b.props, NULL, &h->b.catalog), SL_OK);
    h->b.node_id = 1;
    snprintf(h->b.cluster_id, sizeof h->b.cluster_id, "test-cluster");
    h->b.adv_host = strdup("localhost");
    h->b.adv_port = 9092;
    h->b.delete_topic_enable = 1;
    h->b.message_max_bytes = 1048588;
    sl_buf_init(&h->resp);
    *state = h;
    return 0;
}

static int hx_teardown(void **state)
{
    hx_t *h = *state;
    sl_catalog_close(h->b.catalog);
    sl_props_free(&h->b.props);
    free(h->b.adv_host);
    sl_buf_free(&h->resp);
    rm_rf(h->f.dir);
    free(h);
    return 0;
}

/* Run a handler over `body`; leaves a reader over the response body in h->r. */
static void call(hx_t *h, sl_kapi_handler_t fn, int16_t version, int flex, sl_buf_t *body)
{
    sl_req_t req;
    memset(&req, 0, sizeof req);
    req.broker = &h->b;
    req.api_version = version;
    req.client_id = NULL;
    req.r.flex = flex;
    sl_rd_init(&req.r.rd, body->data, body->len);
    sl_buf_init(&req.out);
    req.w.b = &req.out;
    req.w.flex = flex;
    assert_int_equal(fn(&req), SL_OK);
    assert_int_equal(sl_rd_left(&req.r.rd), 0); /* the whole body was read */
    sl_buf_free(&h->resp);
    h->resp = req.out;
    h->r.flex = flex;
    sl_rd_init(&h->r.rd, h->resp.data, h->resp.len);
    sl_buf_free(body);
}

static int32_t rd_i32(hx_t *h)
{
    int32_t v;
    assert_int_equal(sl_kr_i32(&h->r, &v), SL_OK);
    return v;
}
static int16_t rd_i16(hx_t *h)
{
    int16_t v;
    assert_int_equal(sl_kr_i16(&h->r, &v), SL_OK);
    return v;
}
static int8_t rd_i8(hx_t *h)
{
    int8_t v;
    assert_int_equal(sl_kr_i8(&h->r, &v), SL_OK);
    return v;
}
static int64_t rd_i64(hx_t *h)
{
    int64_t v;
    assert_int_equal(sl_kr_i64(&h->r, &v), SL_OK);
    return v;
}
static int rd_bool(hx_t *h)
{
    int v;
    assert_int_equal(sl_kr_bool(&h->r, &v), SL_OK);
    return v;
}
static int32_t rd_array(hx_t *h)
{
    int32_t v;
    assert_int_equal(sl_kr_array(&h->r, &v), SL_OK);
    return v;
}
/* Nullable string as a static C string ("<null>" for null). */
static const char *rd_str(hx_t *h)
{
    static char s[4][1024];
    static int k;
    sl_kstr_t v;
    assert_int_equal(sl_kr_nstr(&h->r, &v), SL_OK);
    char *o = s[k++ & 3];
    if (v.len < 0) return "<null>";
    assert_true(v.len < 1024);
    memcpy(o, v.p, (size_t)v.len);
    o[v.len] = 0;
    return o;
}
static void rd_tags(hx_t *h)
{
    assert_int_equal(sl_kr_tags(&h->r), SL_OK);
}
static void rd_end(hx_t *h)
{
    assert_int_equal(sl_rd_left(&h->r.rd), 0);
}

typedef struct ctreq_s {
    const char *name;
    int32_t npart;
    int16_t rf;
    const char *ck, *cv; /* one config, or NULL */
} ctreq_t;

static void enc_create(sl_buf_t *body, int16_t v, int flex, const ctreq_t *ts, int n,
                       int validate_only)
{
    sl_buf_init(body);
    sl_kw_t w = {body, flex};
    sl_kw_array(&w, n);
    for (int i = 0; i < n; i++) {
        sl_kw_cstr(&w, ts[i].name);
        sl_kw_i32(&w, ts[i].npart);
        sl_kw_i16(&w, ts[i].rf);
        sl_kw_array(&w, 0);
        sl_kw_array(&w, ts[i].ck ? 1 : 0);
        if (ts[i].ck) {
            sl_kw_cstr(&w, ts[i].ck);
            sl_kw_cstr(&w, ts[i].cv);
            sl_kw_tags(&w);
        }
        sl_kw_tags(&w);
    }
    sl_kw_i32(&w, 30000);
    if (v >= 1) sl_kw_bool(&w, validate_only);
    sl_kw_tags(&w);
}

/* Reads one CreateTopics v5+ topic result; returns the error code, fills msg and, for success,
 * checks the configs array and returns the value of `want_key` in want_val. */
static int16_t rd_ct_topic(hx_t *h, int16_t v, const char *name, char *msg, int32_t *np,
                           const char *want_key, char *want_val, int8_t *want_src)
{
    assert_string_equal(rd_str(h), name);
    uint8_t id[16];
    if (v >= 7) assert_int_equal(sl_kr_uuid(&h->r, id), SL_OK);
    int16_t e = rd_i16(h);
    snprintf(msg, 512, "%s", rd_str(h));
    *np = rd_i32(h);
    assert_int_equal(rd_i16(h), e == SL_KERR_NONE ? 1 : -1);
    int32_t nc = rd_array(h);
    if (e == SL_KERR_NONE) assert_int_equal(nc, (int32_t)sl_tcfg_count());
    for (int32_t i = 0; i < nc; i++) {
        const char *k = rd_str(h);
        const char *val = rd_str(h);
        assert_false(rd_bool(h));
        int8_t src = rd_i8(h);
        assert_false(rd_bool(h));
        rd_tags(h);
        if (want_key && strcmp(k, want_key) == 0) {
            strcpy(want_val, val);
            *want_src = src;
        }
    }
    rd_tags(h);
    if (v >= 7 && e == SL_KERR_NONE) {
        sl_topic_t *t = sl_catalog_find(h->b.catalog, name, strlen(name));
        assert_non_null(t);
        assert_memory_equal(t->id, id, 16);
    }
    return e;
}

static void test_h_create_topics(void **state)
{
    hx_t *h = *state;
    sl_buf_t body;
    char msg[512], val[256] = "";
    int8_t src = -1;
    int32_t np;

    /* v5 flexible: create with a config override; default partitions. */
    ctreq_t a[] = {{"orders", -1, -1, "retention.ms", "1000"}};
    enc_create(&body, 5, 1, a, 1, 0);
    call(h, sl_kapi_create_topics, 5, 1, &body);
    assert_int_equal(rd_i32(h), 0);
    assert_int_equal(rd_array(h), 1);
    assert_int_equal(rd_ct_topic(h, 5, "orders", msg, &np, "retention.ms", val, &src),
                     SL_KERR_NONE);
    assert_string_equal(msg, "<null>");
    assert_int_equal(np, 2);
    assert_string_equal(val, "1000");
    assert_int_equal(src, SL_CFGSRC_TOPIC);
    rd_tags(h);
    rd_end(h);
    sl_topic_t *t = sl_catalog_find(h->b.catalog, "orders", 6);
    assert_non_null(t);
    assert_int_equal(t->logcfg.retention_ms, 1000);

    /* Errors, one per topic. */
    ctreq_t b[] = {
        {"orders", 1, 1, NULL, NULL},
        {"bad name!", 1, 1, NULL, NULL},
        {"cfg", 1, 1, "retention.ms", "abc"},
        {"cfg2", 1, 1, "bogus.key", "1"},
        {"rf", 1, 2, NULL, NULL},
        {"dup", 1, 1, NULL, NULL},
        {"dup", 1, 1, NULL, NULL},
    };
    enc_create(&body, 7, 1, b, 7, 0);
    call(h, sl_kapi_create_topics, 7, 1, &body);
    assert_int_equal(rd_i32(h), 0);
    assert_int_equal(rd_array(h), 7);
    assert_int_equal(rd_ct_topic(h, 7, "orders", msg, &np, NULL, NULL, NULL),
                     SL_KERR_TOPIC_ALREADY_EXISTS);
    assert_int_equal(np, -1);
    assert_int_equal(rd_ct_topic(h, 7, "bad name!", msg, &np, NULL, NULL, NULL),
                     SL_KERR_INVALID_TOPIC_EXCEPTION);
    assert_int_equal(rd_ct_topic(h, 7, "cfg", msg, &np, NULL, NULL, NULL), SL_KERR_INVALID_CONFIG);
    assert_string_equal(
        msg, "Invalid value abc for configuration retention.ms: Not a number of type LONG");
    assert_int_equal(rd_ct_topic(h, 7, "cfg2", msg, &np, NULL, NULL, NULL), SL_KERR_INVALID_CONFIG);
    assert_string_equal(msg, "Unknown topic config name: bogus.key");
    assert_int_equal(rd_ct_topic(h, 7, "rf", msg, &np, NULL, NULL, NULL),
                     SL_KERR_INVALID_REPLICATION_FACTOR);
    assert_int_equal(rd_ct_topic(h, 7, "dup", msg, &np, NULL, NULL, NULL), SL_KERR_NONE);
    assert_int_equal(rd_ct_topic(h, 7, "dup", msg, &np, NULL, NULL, NULL), SL_KERR_INVALID_REQUEST);
    rd_tags(h);
    rd_end(h);
    assert_null(sl_catalog_find(h->b.catalog, "cfg", 3));

    /* v0 (no error message, no configs) and v1 validate_only. */
    ctreq_t c[] = {{"v0topic", 3, 1, NULL, NULL}};
    enc_create(&body, 0, 0, c, 1, 0);
    call(h, sl_kapi_create_topics, 0, 0, &body);
    assert_int_equal(rd_array(h), 1);
    assert_string_equal(rd_str(h), "v0topic");
    assert_int_equal(rd_i16(h), SL_KERR_NONE);
    rd_end(h);
    assert_int_equal(sl_catalog_find(h->b.catalog, "v0topic", 7)->npart, 3);

    ctreq_t d[] = {{"dry", 1, 1, NULL, NULL}};
    enc_create(&body, 1, 0, d, 1, 1);
    call(h, sl_kapi_create_topics, 1, 0, &body);
    assert_int_equal(rd_array(h), 1);
    assert_string_equal(rd_str(h), "dry");
    assert_int_equal(rd_i16(h), SL_KERR_NONE);
    assert_string_equal(rd_str(h), "<null>");
    rd_end(h);
    assert_null(sl_catalog_find(h->b.catalog, "dry", 3));

    /* Explicit assignments: fine on this node, refused elsewhere. */
    for (int node = 1; node <= 2; node++) {
        sl_buf_init(&body);
        sl_kw_t w = {&body, 0};
        sl_kw_array(&w, 1);
        sl_kw_cstr(&w, node == 1 ? "assigned" : "elsewhere");
        sl_kw_i32(&w, -1);
        sl_kw_i16(&w, -1);
        sl_kw_array(&w, 2);
        for (int p = 0; p < 2; p++) {
            sl_kw_i32(&w, p);
            sl_kw_array(&w, 1);
            sl_kw_i32(&w, node);
        }
        sl_kw_array(&w, 0);
        sl_kw_i32(&w, 1000);
        sl_kw_bool(&w, 0);
        call(h, sl_kapi_create_topics, 4, 0, &body);
        assert_int_equal(rd_i32(h), 0);
        assert_int_equal(rd_array(h), 1);
        rd_str(h);
        assert_int_equal(rd_i16(h), node == 1 ? SL_KERR_NONE : SL_KERR_INVALID_REQUEST);
        const char *m = rd_str(h);
        if (node == 2) assert_non_null(strstr(m, "replica assignment is not supported"));
        rd_end(h);
    }
    assert_int_equal(sl_catalog_find(h->b.catalog, "assigned", 8)->npart, 2);

    /* A truncated request is a protocol error, and creates nothing. */
    enc_create(&body, 5, 1, d, 1, 0);
    body.len -= 2;
    sl_req_t req;
    memset(&req, 0, sizeof req);
    req.broker = &h->b;
    req.api_version = 5;
    req.r.flex = 1;
    sl_rd_init(&req.r.rd, body.data, body.len);
    sl_buf_init(&req.out);
    req.w.b = &req.out;
    req.w.flex = 1;
    assert_int_equal(sl_kapi_create_topics(&req), SL_PROTO);
    assert_null(sl_catalog_find(h->b.catalog, "dry", 3));
    sl_buf_free(&req.out);
    sl_buf_free(&body);
}

static void create_plain(hx_t *h, const char *name, int32_t np)
{
    char err[512];
    assert_int_equal(sl_catalog_create(h->b.catalog, name, np, -1, NULL, 0, NULL, err, sizeof err),
                     SL_KERR_NONE);
}

static void enc_describe(sl_buf_t *body, int16_t v, int flex, int8_t type, const char *name,
                         const char *key, int synonyms)
{
    sl_buf_init(body);
    sl_kw_t w = {body, flex};
    sl_kw_array(&w, 1);
    sl_kw_i8(&w, type);
    sl_kw_cstr(&w, name);
    if (key) {
        sl_kw_array(&w, 1);
        sl_kw_cstr(&w, key);
    } else {
        sl_kw_array(&w, -1);
    }
    sl_kw_tags(&w);
    if (v >= 1) sl_kw_bool(&w, synonyms);
    if (v >= 3) sl_kw_bool(&w, 0);
    sl_kw_tags(&w);
}

static void test_h_describe_configs(void **state)
{
    hx_t *h = *state;
    sl_buf_t body;
    char err[512];
    sl_props_set(&h->b.props, "log.segment.bytes", "4096");
    sl_props_t cfg;
    sl_props_init(&cfg);
    sl_props_set(&cfg, "retention.ms", "777");
    assert_int_equal(sl_catalog_create(h->b.catalog, "dc", 1, 1, &cfg, 0, NULL, err, sizeof err),
                     SL_KERR_NONE);
    sl_props_free(&cfg);

    /* v4 flexible, one key, synonyms. */
    enc_describe(&body, 4, 1, 2, "dc", "retention.ms", 1);
    call(h, sl_kapi_describe_configs, 4, 1, &body);
    assert_int_equal(rd_i32(h), 0);
    assert_int_equal(rd_array(h), 1);
    assert_int_equal(rd_i16(h), SL_KERR_NONE);
    assert_string_equal(rd_str(h), "<null>");
    assert_int_equal(rd_i8(h), 2);
    assert_string_equal(rd_str(h), "dc");
    assert_int_equal(rd_array(h), 1);
    assert_string_equal(rd_str(h), "retention.ms");
    assert_string_equal(rd_str(h), "777");
    assert_false(rd_bool(h));                    /* read_only */
    assert_int_equal(rd_i8(h), SL_CFGSRC_TOPIC); /* config_source */
    assert_false(rd_bool(h));                    /* is_sensitive */
    assert_int_equal(rd_array(h), 2);            /* synonyms: topic, default */
    assert_string_equal(rd_str(h), "retention.ms");
    assert_string_equal(rd_str(h), "777");
    assert_int_equal(rd_i8(h), SL_CFGSRC_TOPIC);
    rd_tags(h);
    assert_string_equal(rd_str(h), "log.retention.hours");
    assert_string_equal(rd_str(h), "168");
    assert_int_equal(rd_i8(h), SL_CFGSRC_DEFAULT);
    rd_tags(h);
    assert_int_equal(rd_i8(h), SL_CFGT_LONG); /* config_type */
    assert_string_equal(rd_str(h), "<null>"); /* documentation */
    rd_tags(h);
    rd_tags(h);
    rd_tags(h);
    rd_end(h);

    /* v0: all configs, is_default. */
    enc_describe(&body, 0, 0, 2, "dc", NULL, 0);
    call(h, sl_kapi_describe_configs, 0, 0, &body);
    assert_int_equal(rd_i32(h), 0);
    assert_int_equal(rd_array(h), 1);
    assert_int_equal(rd_i16(h), 0);
    rd_str(h);
    rd_i8(h);
    rd_str(h);
    int32_t n = rd_array(h);
    assert_int_equal(n, (int32_t)sl_tcfg_count());
    int seen = 0;
    for (int32_t i = 0; i < n; i++) {
        char k[128], v[128];
        snprintf(k, sizeof k, "%s", rd_str(h));
        snprintf(v, sizeof v, "%s", rd_str(h));
        rd_bool(h);
        int is_default = rd_bool(h);
        rd_bool(h);
        if (strcmp(k, "retention.ms") == 0) {
            assert_false(is_default);
            seen++;
        }
        if (strcmp(k, "segment.bytes") == 0) {
            assert_string_equal(v, "4096");
            assert_true(is_default); /* not set on the topic */
            seen++;
        }
        if (strcmp(k, "flush.messages") == 0) {
            assert_string_equal(v, "1");
            seen++;
        }
    }
    assert_int_equal(seen, 3);
    rd_end(h);

    /* v1: segment.bytes from the broker, with synonyms. */
    enc_describe(&body, 1, 0, 2, "dc", "segment.bytes", 1);
    call(h, sl_kapi_describe_configs, 1, 0, &body);
    rd_i32(h);
    rd_array(h);
    rd_i16(h);
    rd_str(h);
    rd_i8(h);
    rd_str(h);
    assert_int_equal(rd_array(h), 1);
    assert_string_equal(rd_str(h), "segment.bytes");
    assert_string_equal(rd_str(h), "4096");
    rd_bool(h);
    assert_int_equal(rd_i8(h), SL_CFGSRC_STATIC_BROKER);
    rd_bool(h);
    assert_int_equal(rd_array(h), 2);
    assert_string_equal(rd_str(h), "log.segment.bytes");
    assert_string_equal(rd_str(h), "4096");
    assert_int_equal(rd_i8(h), SL_CFGSRC_STATIC_BROKER);
    assert_string_equal(rd_str(h), "log.segment.bytes");
    assert_string_equal(rd_str(h), "1073741824");
    assert_int_equal(rd_i8(h), SL_CFGSRC_DEFAULT);
    rd_end(h);

    /* Unknown topic. */
    enc_describe(&body, 2, 0, 2, "nope", NULL, 0);
    call(h, sl_kapi_describe_configs, 2, 0, &body);
    rd_i32(h);
    assert_int_equal(rd_array(h), 1);
    assert_int_equal(rd_i16(h), SL_KERR_UNKNOWN_TOPIC_OR_PARTITION);
    assert_string_not_equal(rd_str(h), "<null>");
    assert_int_equal(rd_i8(h), 2);
    assert_string_equal(rd_str(h), "nope");
    assert_int_equal(rd_array(h), 0);
    rd_end(h);

    /* Broker: our node id. */
    enc_describe(&body, 3, 0, 4, "1", "num.partitions", 0);
    call(h, sl_kapi_describe_configs, 3, 0, &body);
    rd_i32(h);
    assert_int_equal(rd_array(h), 1);
    assert_int_equal(rd_i16(h), SL_KERR_NONE);
    rd_str(h);
    assert_int_equal(rd_i8(h), 4);
    assert_string_equal(rd_str(h), "1");
    assert_int_equal(rd_array(h), 1);
    assert_string_equal(rd_str(h), "num.partitions");
    assert_string_equal(rd_str(h), "2");
    assert_true(rd_bool(h)); /* read-only: static */
    assert_int_equal(rd_i8(h), SL_CFGSRC_STATIC_BROKER);
    rd_bool(h);
    assert_int_equal(rd_array(h), 0); /* synonyms not requested */
    assert_int_equal(rd_i8(h), SL_CFGT_INT);
    rd_str(h);
    rd_end(h);

    /* Broker: all settings include the log.* keys. */
    enc_describe(&body, 1, 0, 4, "1", NULL, 0);
    call(h, sl_kapi_describe_configs, 1, 0, &body);
    rd_i32(h);
    rd_array(h);
    rd_i16(h);
    rd_str(h);
    rd_i8(h);
    rd_str(h);
    n = rd_array(h);
    assert_int_equal(n, (int32_t)sl_bcfg_count());
    seen = 0;
    for (int32_t i = 0; i < n; i++) {
        char k[128], v[128];
        snprintf(k, sizeof k, "%s", rd_str(h));
        snprintf(v, sizeof v, "%s", rd_str(h));
        rd_bool(h);
        int8_t s = rd_i8(h);
        rd_bool(h);
        assert_int_equal(rd_array(h), 0);
        if (strcmp(k, "log.retention.hours") == 0) {
            assert_string_equal(v, "168");
            assert_int_equal(s, SL_CFGSRC_DEFAULT);
            seen++;
        }
        if (strcmp(k, "log.retention.ms") == 0) {
            assert_string_equal(v, "<null>");
            seen++;
        }
        if (strcmp(k, "log.segment.bytes") == 0) {
            assert_string_equal(v, "4096");
            assert_int_equal(s, SL_CFGSRC_STATIC_BROKER);
            seen++;
        }
    }
    assert_int_equal(seen, 3);
    rd_end(h);

    /* Another broker id. */
    enc_describe(&body, 1, 0, 4, "7", NULL, 0);
    call(h, sl_kapi_describe_configs, 1, 0, &body);
    rd_i32(h);
    rd_array(h);
    assert_int_equal(rd_i16(h), SL_KERR_INVALID_REQUEST);
}

static void enc_alter(sl_buf_t *body, int incremental, int flex, const char *topic, int8_t type,
                      const char *const *kv, const int8_t *ops, int n, int validate_only)
{
    sl_buf_init(body);
    sl_kw_t w = {body, flex};
    sl_kw_array(&w, 1);
    sl_kw_i8(&w, type);
    sl_kw_cstr(&w, topic);
    sl_kw_array(&w, n);
    for (int i = 0; i < n; i++) {
        sl_kw_cstr(&w, kv[2 * i]);
        if (incremental) sl_kw_i8(&w, ops[i]);
        sl_kw_cstr(&w, kv[2 * i + 1]);
        sl_kw_tags(&w);
    }
    sl_kw_tags(&w);
    sl_kw_bool(&w, validate_only);
    sl_kw_tags(&w);
}

/* Reads a one-resource (Incremental)AlterConfigs response; returns the error code. */
static int16_t rd_alter(hx_t *h, const char *topic, char *msg)
{
    assert_int_equal(rd_i32(h), 0);
    assert_int_equal(rd_array(h), 1);
    int16_t e = rd_i16(h);
    snprintf(msg, 512, "%s", rd_str(h));
    rd_i8(h);
    assert_string_equal(rd_str(h), topic);
    rd_tags(h);
    rd_tags(h);
    rd_end(h);
    return e;
}

static void test_h_alter_configs(void **state)
{
    hx_t *h = *state;
    sl_buf_t body;
    char msg[512];
    create_plain(h, "ac", 2);
    sl_topic_t *t = sl_catalog_find(h->b.catalog, "ac", 2);

    /* Incremental v1 (flexible): APPEND compact to the default delete policy. */
    const char *kv1[] = {"cleanup.policy", "compact", "retention.ms", "1234"};
    const int8_t ops1[] = {SL_CFGOP_APPEND, SL_CFGOP_SET};
    enc_alter(&body, 1, 1, "ac", 2, kv1, ops1, 2, 0);
    call(h, sl_kapi_incremental_alter_configs, 1, 1, &body);
    assert_int_equal(rd_alter(h, "ac", msg), SL_KERR_NONE);
    assert_string_equal(sl_props_get(&t->overrides, "cleanup.policy"), "delete,compact");
    assert_true(t->logcfg.cleanup_compact && t->logcfg.cleanup_delete);
    assert_int_equal(t->logcfg.retention_ms, 1234);

    /* validate_only changes nothing; a bad value is refused with Kafka's message. */
    const char *kv2[] = {"retention.ms", "99"};
    const int8_t ops2[] = {SL_CFGOP_SET};
    enc_alter(&body, 1, 0, "ac", 2, kv2, ops2, 1, 1);
    call(h, sl_kapi_incremental_alter_configs, 0, 0, &body);
    assert_int_equal(rd_alter(h, "ac", msg), SL_KERR_NONE);
    assert_int_equal(t->logcfg.retention_ms, 1234);
    const char *kv3[] = {"retention.ms", "soon"};
    enc_alter(&body, 1, 0, "ac", 2, kv3, ops2, 1, 0);
    call(h, sl_kapi_incremental_alter_configs, 0, 0, &body);
    assert_int_equal(rd_alter(h, "ac", msg), SL_KERR_INVALID_CONFIG);
    assert_string_equal(
        msg, "Invalid value soon for configuration retention.ms: Not a number of type LONG");
    const int8_t ops4[] = {SL_CFGOP_SUBTRACT};
    enc_alter(&body, 1, 0, "ac", 2, kv2, ops4, 1, 0);
    call(h, sl_kapi_incremental_alter_configs, 0, 0, &body);
    assert_int_equal(rd_alter(h, "ac", msg), SL_KERR_INVALID_CONFIG);

    /* AlterConfigs replaces all overrides. */
    const char *kv5[] = {"segment.ms", "60000"};
    enc_alter(&body, 0, 0, "ac", 2, kv5, NULL, 1, 0);
    call(h, sl_kapi_alter_configs, 0, 0, &body);
    assert_int_equal(rd_alter(h, "ac", msg), SL_KERR_NONE);
    assert_int_equal(t->overrides.n, 1);
    assert_int_equal(t->logcfg.segment_ms, 60000);
    assert_int_equal(t->logcfg.retention_ms, 604800000);
    assert_false(t->logcfg.cleanup_compact);

    /* compression other than producer fails loudly. */
    const char *kv6[] = {"compression.type", "zstd"};
    enc_alter(&body, 0, 1, "ac", 2, kv6, NULL, 1, 0);
    call(h, sl_kapi_alter_configs, 2, 1, &body);
    assert_int_equal(rd_alter(h, "ac", msg), SL_KERR_INVALID_CONFIG);
    assert_non_null(strstr(msg, "not supported yet"));

    /* Unknown topic, broker resource. */
    enc_alter(&body, 0, 0, "nope", 2, kv5, NULL, 1, 0);
    call(h, sl_kapi_alter_configs, 1, 0, &body);
    assert_int_equal(rd_alter(h, "nope", msg), SL_KERR_UNKNOWN_TOPIC_OR_PARTITION);
    const char *kv7[] = {"log.retention.hours", "1"};
    enc_alter(&body, 0, 0, "1", 4, kv7, NULL, 1, 0);
    call(h, sl_kapi_alter_configs, 1, 0, &body);
    assert_int_equal(rd_alter(h, "1", msg), SL_KERR_INVALID_REQUEST);
    assert_non_null(strstr(msg, "dynamic broker configs are not supported yet"));

    /* The change survived in the catalog file. */
    sl_catalog_close(h->b.catalog);
    assert_int_equal(sl_catalog_open(h->f.dir, &h->b.props, NULL, &h->b.catalog), SL_OK);
    t = sl_catalog_find(h->b.catalog, "ac", 2);
    assert_string_equal(sl_props_get(&t->overrides, "segment.ms"), "60000");
}

static void test_h_partitions_records_delete(void **state)
{
    hx_t *h = *state;
    sl_buf_t body;
    create_plain(h, "cp", 1);

    /* CreatePartitions v2 (flexible): grow to 3; unknown topic. */
    sl_buf_init(&body);
    sl_kw_t w = {&body, 1};
    sl_kw_array(&w, 2);
    sl_kw_cstr(&w, "cp");
    sl_kw_i32(&w, 3);
    sl_kw_array(&w, -1);
    sl_kw_tags(&w);
    sl_kw_cstr(&w, "nope");
    sl_kw_i32(&w, 3);
    sl_kw_array(&w, -1);
    sl_kw_tags(&w);
    sl_kw_i32(&w, 1000);
    sl_kw_bool(&w, 0);
    sl_kw_tags(&w);
    call(h, sl_kapi_create_partitions, 2, 1, &body);
    assert_int_equal(rd_i32(h), 0);
    assert_int_equal(rd_array(h), 2);
    assert_string_equal(rd_str(h), "cp");
    assert_int_equal(rd_i16(h), SL_KERR_NONE);
    assert_string_equal(rd_str(h), "<null>");
    rd_tags(h);
    assert_string_equal(rd_str(h), "nope");
    assert_int_equal(rd_i16(h), SL_KERR_UNKNOWN_TOPIC_OR_PARTITION);
    rd_str(h);
    rd_tags(h);
    rd_tags(h);
    rd_end(h);
    sl_topic_t *t = sl_catalog_find(h->b.catalog, "cp", 2);
    assert_int_equal(t->npart, 3);

    /* v0 with an assignment on another broker. */
    sl_buf_init(&body);
    w = (sl_kw_t){&body, 0};
    sl_kw_array(&w, 1);
    sl_kw_cstr(&w, "cp");
    sl_kw_i32(&w, 4);
    sl_kw_array(&w, 1);
    sl_kw_array(&w, 1);
    sl_kw_i32(&w, 5);
    sl_kw_i32(&w, 1000);
    sl_kw_bool(&w, 0);
    call(h, sl_kapi_create_partitions, 0, 0, &body);
    rd_i32(h);
    rd_array(h);
    rd_str(h);
    assert_int_equal(rd_i16(h), SL_KERR_INVALID_REPLICA_ASSIGNMENT);
    rd_str(h);
    rd_end(h);
    assert_int_equal(t->npart, 3);

    /* DeleteRecords v2: -1 on an empty partition, beyond the high watermark, bad partition. */
    sl_buf_init(&body);
    w = (sl_kw_t){&body, 1};
    sl_kw_array(&w, 1);
    sl_kw_cstr(&w, "cp");
    sl_kw_array(&w, 3);
    int32_t parts[] = {0, 1, 9};
    int64_t offs[] = {-1, 5, 0};
    for (int i = 0; i < 3; i++) {
        sl_kw_i32(&w, parts[i]);
        sl_kw_i64(&w, offs[i]);
        sl_kw_tags(&w);
    }
    sl_kw_tags(&w);
    sl_kw_i32(&w, 1000);
    sl_kw_tags(&w);
    call(h, sl_kapi_delete_records, 2, 1, &body);
    assert_int_equal(rd_i32(h), 0);
    assert_int_equal(rd_array(h), 1);
    assert_string_equal(rd_str(h), "cp");
    assert_int_equal(rd_array(h), 3);
    int16_t want[] = {SL_KERR_NONE, SL_KERR_OFFSET_OUT_OF_RANGE,
                      SL_KERR_UNKNOWN_TOPIC_OR_PARTITION};
    int64_t low[] = {0, -1, -1};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rd_i32(h), parts[i]);
        assert_int_equal(rd_i64(h), low[i]);
        assert_int_equal(rd_i16(h), want[i]);
        rd_tags(h);
    }
    rd_tags(h);
    rd_tags(h);
    rd_end(h);

    /* DeleteTopics v6 by id and by (unknown) name; v1 by name. */
    uint8_t id[16];
    memcpy(id, t->id, 16);
    sl_buf_init(&body);
    w = (sl_kw_t){&body, 1};
    sl_kw_array(&w, 2);
    sl_kw_cstr(&w, NULL);
    sl_kw_uuid(&w, id);
    sl_kw_tags(&w);
    sl_kw_cstr(&w, "ghost");
    sl_kw_uuid(&w, (uint8_t[16]){0});
    sl_kw_tags(&w);
    sl_kw_i32(&w, 1000);
    sl_kw_tags(&w);
    call(h, sl_kapi_delete_topics, 6, 1, &body);
    assert_int_equal(rd_i32(h), 0);
    assert_int_equal(rd_array(h), 2);
    assert_string_equal(rd_str(h), "cp");
    uint8_t got[16];
    assert_int_equal(sl_kr_uuid(&h->r, got), SL_OK);
    assert_memory_equal(got, id, 16);
    assert_int_equal(rd_i16(h), SL_KERR_NONE);
    assert_string_equal(rd_str(h), "<null>");
    rd_tags(h);
    assert_string_equal(rd_str(h), "ghost");
    assert_int_equal(sl_kr_uuid(&h->r, got), SL_OK);
    assert_int_equal(rd_i16(h), SL_KERR_UNKNOWN_TOPIC_OR_PARTITION);
    rd_str(h);
    rd_tags(h);
    rd_tags(h);
    rd_end(h);
    assert_null(sl_catalog_find(h->b.catalog, "cp", 2));
    assert_true(h->b.fetch_wake_pending);

    create_plain(h, "gone", 1);
    h->b.delete_topic_enable = 0;
    for (int pass = 0; pass < 2; pass++) {
        sl_buf_init(&body);
        w = (sl_kw_t){&body, 0};
        sl_kw_array(&w, 1);
        sl_kw_cstr(&w, "gone");
        sl_kw_i32(&w, 1000);
        call(h, sl_kapi_delete_topics, 1, 0, &body);
        assert_int_equal(rd_i32(h), 0);
        assert_int_equal(rd_array(h), 1);
        assert_string_equal(rd_str(h), "gone");
        assert_int_equal(rd_i16(h), pass == 0 ? SL_KERR_TOPIC_DELETION_DISABLED : SL_KERR_NONE);
        rd_end(h);
        h->b.delete_topic_enable = 1;
    }
    assert_null(sl_catalog_find(h->b.catalog, "gone", 4));
}

static void test_h_describe_cluster(void **state)
{
    hx_t *h = *state;
    sl_buf_t body;
    sl_buf_init(&body);
    sl_kw_t w = {&body, 1};
    sl_kw_bool(&w, 0);
    sl_kw_tags(&w);
    call(h, sl_kapi_describe_cluster, 0, 1, &body);
    assert_int_equal(rd_i32(h), 0);
    assert_int_equal(rd_i16(h), 0);
    assert_string_equal(rd_str(h), "<null>");
    assert_string_equal(rd_str(h), "test-cluster");
    assert_int_equal(rd_i32(h), 1);
    assert_int_equal(rd_array(h), 1);
    assert_int_equal(rd_i32(h), 1);
    assert_string_equal(rd_str(h), "localhost");
    assert_int_equal(rd_i32(h), 9092);
    assert_string_equal(rd_str(h), "<null>");
    rd_tags(h);
    assert_int_equal(rd_i32(h), INT32_MIN);
    rd_tags(h);
    rd_end(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_check),
        cmocka_unit_test_setup_teardown(test_create_find_list_delete, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_many_topics_hash, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_add_partitions, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_persistence, fx_setup, fx_teardown),
        cmocka_unit_test(test_config_validation),
        cmocka_unit_test_setup_teardown(test_effective_resolution, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_broker_settings_checked, fx_setup, fx_teardown),
        cmocka_unit_test(test_incremental_ops),
        cmocka_unit_test_setup_teardown(test_h_create_topics, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_h_describe_configs, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_h_alter_configs, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_h_partitions_records_delete, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_h_describe_cluster, hx_setup, hx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
