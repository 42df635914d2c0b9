/*
 * test_validate.c — the broker's produce-time record validator hook (broker/validate.h,
 * broker/proto_produce.c, the validation keys of broker/topic_config.c).
 *
 * Each test runs a whole broker on its own libuv loop in a temporary data directory and sends
 * it Produce requests over a socketpair it serves (sl_net_adopt_fd), exactly as a client
 * would. The validator installed is a small real one (tv_validate): a key or value passes when
 * it starts with "good", asks to retry when it starts with "retry", cannot be checked when it
 * starts with "unsupp", and is rejected otherwise; it also records every call so the tests
 * can see what the broker handed it (topic, partition, record index, side, strategy, mode,
 * null-ness, the memo's life). Batches are built with common/recbatch.h, with every codec.
 * What a rejection must leave behind is read from the partition log itself (log end offset)
 * and from the response: error code, record_errors (v8+), error_message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "broker/broker_int.h"
#include "broker/topic_config.h"
#include "broker/validate.h"
#include "common/err.h"
#include "common/log.h"
#include "common/recbatch.h"
#include "common/time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the test validator --------------------------------------------------------------- */

#define TV_MAX 256

typedef struct tv_call_s {
    char topic[64];     /* rec->topic */
    int32_t partition;  /* rec->partition */
    int32_t index;      /* rec->index */
    int side;           /* rec->side */
    int strategy;       /* rec->strategy */
    int mode;           /* rec->mode */
    int32_t key_len;    /* rec->key_len */
    int32_t value_len;  /* rec->value_len */
    uint64_t memo_seen; /* memo->scratch after this call's increment */
} tv_call_t;

typedef struct tv_s {
    int calls;           /* calls so far */
    tv_call_t c[TV_MAX]; /* the first TV_MAX calls */
} tv_t;

static int tv_validate(void *opaque, const sl_val_record_t *rec, char *why, size_t why_size)
{
    tv_t *tv = opaque;
    const uint8_t *p = rec->side == SL_VAL_KEY ? rec->key : rec->value;
    int32_t len = rec->side == SL_VAL_KEY ? rec->key_len : rec->value_len;
    assert_true(why_size >= 128);
    assert_int_equal(why[0], 0);
    assert_non_null(rec->memo);
    rec->memo->scratch++;
    if (tv->calls < TV_MAX) {
        tv_call_t *c = &tv->c[tv->calls];
        snprintf(c->topic, sizeof c->topic, "%s", rec->topic);
        c->partition = rec->partition;
        c->index = rec->index;
        c->side = rec->side;
        c->strategy = rec->strategy;
        c->mode = rec->mode;
        c->key_len = rec->key_len;
        c->value_len = rec->value_len;
        c->memo_seen = rec->memo->scratch;
    }
    tv->calls++;
    /* The broker never hands over a null side (null keys and tombstones pass). */
    assert_true(len >= 0);
    assert_true(len == 0 || p != NULL);
    const char *side = rec->side == SL_VAL_KEY ? "key" : "value";
    if (len >= 4 && memcmp(p, "good", 4) == 0) return SL_OK;
    if (len >= 5 && memcmp(p, "retry", 5) == 0) {
        snprintf(why, why_size, "validator busy, retry");
        return SL_AGAIN;
    }
    if (len >= 6 && memcmp(p, "unsupp", 6) == 0) {
        snprintf(why, why_size, "full validation of THRIFT is not supported yet");
        return SL_UNSUPP;
    }
    snprintf(why, why_size, "%s '%.*s' is not good", side, len > 20 ? 20 : (int)len,
             (const char *)p);
    return SL_INVAL;
}

/* ---- a broker on a loop, and a client connection -------------------------------------- */

typedef struct tx_s {
    char dir[64];   /* temporary data directory */
    uv_loop_t loop; /* the broker's loop */
    sl_broker_t *b; /* running broker */
    int fd;         /* our end of the client connection */
    int32_t corr;   /* next correlation id */
    sl_buf_t resp;  /* last response body (after the correlation id and header tags) */
    sl_kr_t r;      /* reader over resp */
    tv_t tv;        /* the validator's record */
} tx_t;

static int setup(void **state)
{
    tx_t *t = calloc(1, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/sl-test-validate-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    sl_log_set_level(SL_LOG_ERROR);
    sl_props_t p;
    char err[512];
    sl_props_init(&p);
    sl_props_set(&p, "log.dirs", t->dir);
    sl_props_set(&p, "offsets.topic.num.partitions", "1");
    assert_int_equal(uv_loop_init(&t->loop), 0);
    assert_int_equal(sl_broker_create(&t->loop, &p, &t->b, err, sizeof err), SL_OK);
    sl_props_free(&p);
    sl_broker_set_record_validator(t->b, tv_validate, &t->tv);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    assert_int_equal(sl_net_adopt_fd(t->b, sv[0], "test"), SL_OK);
    t->fd = sv[1];
    sl_buf_init(&t->resp);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tx_t *t = *state;
    close(t->fd);
    sl_broker_shutdown(t->b);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    sl_broker_free(t->b);
    assert_int_equal(uv_loop_close(&t->loop), 0);
    sl_buf_free(&t->resp);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
    free(t);
    return 0;
}

/* Create a topic with the given configs ("k=v" strings, NULL-terminated list). */
static sl_topic_t *mktopic(tx_t *t, const char *name, int32_t nparts, const char *const *cfg)
{
    sl_props_t p;
    char err[512];
    sl_props_init(&p);
    for (int i = 0; cfg && cfg[i]; i++) {
        char k[128];
        const char *eq = strchr(cfg[i], '=');
        assert_non_null(eq);
        snprintf(k, sizeof k, "%.*s", (int)(eq - cfg[i]), cfg[i]);
        sl_props_set(&p, k, eq + 1);
    }
    sl_topic_t *tp = NULL;
    int16_t e = sl_catalog_create(t->b->catalog, name, nparts, -1, &p, 0, &tp, err, sizeof err);
    if (e != SL_KERR_NONE) fail_msg("create %s: %s", name, err);
    sl_props_free(&p);
    return tp;
}

static int64_t leo(tx_t *t, const char *topic, int32_t part)
{
    sl_topic_t *tp = sl_catalog_find(t->b->catalog, topic, strlen(topic));
    assert_non_null(tp);
    return sl_plog_end_offset(tp->parts[part]);
}

/* A record for mkbatch: NULL = null. */
typedef struct trec_s {
    const char *key;
    const char *value;
} trec_t;

/* Append one batch of n records to out. */
static void mkbatch(sl_buf_t *out, int codec, const trec_t *recs, int n)
{
    sl_rb_writer_t w;
    sl_rb_writer_init(&w, out, codec, 0);
    int64_t ts = sl_wallclock_ms();
    w.base_timestamp = ts;
    for (int i = 0; i < n; i++) {
        const char *k = recs[i].key, *v = recs[i].value;
        sl_rb_writer_add(&w, i, ts, k, k ? (int32_t)strlen(k) : -1, v, v ? (int32_t)strlen(v) : -1,
                         NULL, 0, 0);
    }
    assert_int_equal(sl_rb_writer_finish(&w), SL_OK);
    sl_rb_writer_free(&w);
}

/* One partition of a Produce request. */
typedef struct tpart_s {
    int32_t index;  /* partition */
    sl_buf_t *recs; /* its batches */
} tpart_t;

/* Send Produce (acks=1) for one topic and read the response into t->r. */
static void produce(tx_t *t, int16_t ver, const char *topic, const tpart_t *parts, int nparts)
{
    int flex = ver >= 9;
    sl_buf_t f;
    sl_buf_init(&f);
    sl_buf_put_i32(&f, 0);
    sl_buf_put_i16(&f, SL_API_Produce);
    sl_buf_put_i16(&f, ver);
    sl_buf_put_i32(&f, t->corr++);
    sl_buf_put_i16(&f, 4);
    sl_buf_put(&f, "test", 4);
    sl_kw_t w = {&f, flex};
    sl_kw_tags(&w); /* request header v2 */
    if (ver >= 3) sl_kw_cstr(&w, NULL);
    sl_kw_i16(&w, 1);
    sl_kw_i32(&w, 5000);
    sl_kw_array(&w, 1);
    sl_kw_cstr(&w, topic);
    sl_kw_array(&w, nparts);
    for (int i = 0; i < nparts; i++) {
        sl_kw_i32(&w, parts[i].index);
        sl_kw_bytes(&w, parts[i].recs->data, (int32_t)parts[i].recs->len);
        sl_kw_tags(&w);
    }
    sl_kw_tags(&w);
    sl_kw_tags(&w);
    sl_buf_patch_i32(&f, 0, (int32_t)f.len - 4);
    assert_int_equal(write(t->fd, f.data, f.len), (ssize_t)f.len);
    sl_buf_free(&f);

    sl_buf_t in;
    sl_buf_init(&in);
    int64_t end = sl_monotonic_ms() + 5000;
    for (;;) {
        uv_run(&t->loop, UV_RUN_NOWAIT);
        uint8_t tmp[65536];
        ssize_t n = read(t->fd, tmp, sizeof tmp);
        if (n > 0) sl_buf_put(&in, tmp, (size_t)n);
        if (in.len >= 4 && in.len >= 4 + sl_be32(in.data)) break;
        if (sl_monotonic_ms() > end) fail_msg("no Produce response");
        if (n <= 0) usleep(1000);
    }
    assert_int_equal(in.len, 4 + sl_be32(in.data));
    size_t skip = 8 + (flex ? 1 : 0); /* size, correlation id, (v1 header: empty tags) */
    sl_buf_free(&t->resp);
    sl_buf_init(&t->resp);
    sl_buf_put(&t->resp, in.data + skip, in.len - skip);
    sl_buf_free(&in);
    t->r.flex = flex;
    sl_rd_init(&t->r.rd, t->resp.data, t->resp.len);
}

/* One partition of a Produce response. */
typedef struct tres_s {
    int32_t index;        /* partition */
    int16_t err;          /* error_code */
    int64_t base;         /* base_offset */
    int nrecerr;          /* record_errors entries */
    int32_t recidx[32];   /* their batch_index */
    char recmsg[32][400]; /* their messages */
    char msg[512];        /* error_message ("<null>" when null) */
} tres_t;

static void rd_str(tx_t *t, char *out, size_t n)
{
    sl_kstr_t s;
    assert_int_equal(sl_kr_nstr(&t->r, &s), SL_OK);
    snprintf(out, n, "%.*s", s.len < 0 ? 6 : (int)s.len, s.len < 0 ? "<null>" : s.p);
}

/* Parse the response of produce() for one topic with nparts partitions into res[]. */
static void read_produce(tx_t *t, int16_t ver, tres_t *res, int nparts)
{
    int32_t n;
    int16_t i16;
    int64_t i64;
    char name[256];
    assert_int_equal(sl_kr_array(&t->r, &n), SL_OK);
    assert_int_equal(n, 1);
    rd_str(t, name, sizeof name);
    assert_int_equal(sl_kr_array(&t->r, &n), SL_OK);
    assert_int_equal(n, nparts);
    for (int i = 0; i < nparts; i++) {
        tres_t *r = &res[i];
        memset(r, 0, sizeof *r);
        assert_int_equal(sl_kr_i32(&t->r, &r->index), SL_OK);
        assert_int_equal(sl_kr_i16(&t->r, &r->err), SL_OK);
        assert_int_equal(sl_kr_i64(&t->r, &r->base), SL_OK);
        if (ver >= 2) assert_int_equal(sl_kr_i64(&t->r, &i64), SL_OK);
        if (ver >= 5) assert_int_equal(sl_kr_i64(&t->r, &i64), SL_OK);
        snprintf(r->msg, sizeof r->msg, "<absent>");
        if (ver >= 8) {
            int32_t ne;
            assert_int_equal(sl_kr_array(&t->r, &ne), SL_OK);
            assert_true(ne >= 0 && ne <= 32);
            r->nrecerr = ne;
            for (int k = 0; k < ne; k++) {
                assert_int_equal(sl_kr_i32(&t->r, &r->recidx[k]), SL_OK);
                rd_str(t, r->recmsg[k], sizeof r->recmsg[k]);
                assert_int_equal(sl_kr_tags(&t->r), SL_OK);
            }
            rd_str(t, r->msg, sizeof r->msg);
        }
        assert_int_equal(sl_kr_tags(&t->r), SL_OK);
    }
    assert_int_equal(sl_kr_tags(&t->r), SL_OK);
    if (ver >= 1) assert_int_equal(sl_kr_i32(&t->r, &n), SL_OK);
    assert_int_equal(sl_kr_tags(&t->r), SL_OK);
    (void)i16;
    assert_int_equal(sl_rd_left(&t->r.rd), 0);
}

/* Produce one partition's batches and return its result. */
static tres_t produce1(tx_t *t, int16_t ver, const char *topic, int32_t part, sl_buf_t *recs)
{
    tpart_t p = {part, recs};
    tres_t r;
    produce(t, ver, topic, &p, 1);
    read_produce(t, ver, &r, 1);
    return r;
}

static const char *const VALUE_ON[] = {"confluent.value.schema.validation=true", NULL};

/* ---- tests ---------------------------------------------------------------------------- */

/* Topics without validation never reach the validator, whatever their records hold. */
static void test_off_costs_nothing(void **state)
{
    tx_t *t = *state;
    mktopic(t, "plain", 1, NULL);
    const char *const explicit_off[] = {"confluent.value.schema.validation=false",
                                        "confluent.key.schema.validation=FALSE", NULL};
    mktopic(t, "off", 1, explicit_off);
    trec_t recs[] = {{"k", "junk"}, {NULL, "more junk"}};
    sl_buf_t b;
    sl_buf_init(&b);
    mkbatch(&b, SL_CODEC_NONE, recs, 2);
    tres_t r = produce1(t, 8, "plain", 0, &b);
    assert_int_equal(r.err, SL_KERR_NONE);
    assert_int_equal(r.base, 0);
    r = produce1(t, 8, "off", 0, &b);
    assert_int_equal(r.err, SL_KERR_NONE);
    assert_int_equal(t->tv.calls, 0);
    assert_int_equal(leo(t, "plain", 0), 2);
    assert_int_equal(leo(t, "off", 0), 2);
    sl_buf_free(&b);
}

/* Every record is handed over once per validated side, with the right fields. */
static void test_all_good_passes(void **state)
{
    tx_t *t = *state;
    const char *const cfg[] = {"confluent.value.schema.validation=true",
                               "confluent.value.subject.name.strategy="
                               "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
                               "sluice.value.schema.validation.mode=full", NULL};
    mktopic(t, "orders", 2, cfg);
    trec_t recs[] = {{"k0", "good 0"}, {NULL, "good 1"}, {"k2", "good 2"}};
    sl_buf_t b;
    sl_buf_init(&b);
    mkbatch(&b, SL_CODEC_NONE, recs, 3);
    tres_t r = produce1(t, 9, "orders", 1, &b);
    assert_int_equal(r.err, SL_KERR_NONE);
    assert_int_equal(r.base, 0);
    assert_int_equal(r.nrecerr, 0);
    assert_string_equal(r.msg, "<null>");
    assert_int_equal(leo(t, "orders", 1), 3);
    assert_int_equal(t->tv.calls, 3);
    for (int i = 0; i < 3; i++) {
        tv_call_t *c = &t->tv.c[i];
        assert_string_equal(c->topic, "orders");
        assert_int_equal(c->partition, 1);
        assert_int_equal(c->index, i);
        assert_int_equal(c->side, SL_VAL_VALUE);
        assert_int_equal(c->strategy, SL_VAL_TOPIC_RECORD_NAME);
        assert_int_equal(c->mode, SL_VAL_MODE_FULL);
        assert_int_equal(c->value_len, 6);
        assert_int_equal(c->memo_seen, (uint64_t)i + 1); /* one memo over the partition */
    }
    assert_int_equal(t->tv.c[1].key_len, -1); /* null key handed over as null */
    sl_buf_free(&b);
}

/* One bad record refuses the partition's whole batch set; nothing is written. */
static void test_bad_record_rejects_batch(void **state)
{
    tx_t *t = *state;
    mktopic(t, "orders", 1, VALUE_ON);
    trec_t ok[] = {{NULL, "good"}};
    sl_buf_t b;
    sl_buf_init(&b);
    mkbatch(&b, SL_CODEC_NONE, ok, 1);
    assert_int_equal(produce1(t, 8, "orders", 0, &b).err, SL_KERR_NONE);
    assert_int_equal(leo(t, "orders", 0), 1);

    trec_t recs[] = {{NULL, "good a"}, {NULL, "good b"}, {NULL, "bad c"}, {NULL, "good d"}};
    sl_buf_reset(&b);
    mkbatch(&b, SL_CODEC_NONE, recs, 4);
    tres_t r = produce1(t, 8, "orders", 0, &b);
    assert_int_equal(r.err, SL_KERR_INVALID_RECORD);
    assert_int_equal(r.err, 87);
    assert_int_equal(r.base, -1);
    assert_int_equal(r.nrecerr, 1);
    assert_int_equal(r.recidx[0], 2);
    assert_string_equal(r.recmsg[0], "record 2: value 'bad c' is not good");
    assert_string_equal(r.msg, "record 2: value 'bad c' is not good");
    assert_int_equal(leo(t, "orders", 0), 1); /* untouched */

    /* Before v8 the producer gets the code alone. */
    r = produce1(t, 7, "orders", 0, &b);
    assert_int_equal(r.err, SL_KERR_INVALID_RECORD);
    assert_string_equal(r.msg, "<absent>");
    /* Flexible v9: the same entries, compact encoding. */
    r = produce1(t, 9, "orders", 0, &b);
    assert_int_equal(r.err, SL_KERR_INVALID_RECORD);
    assert_int_equal(r.nrecerr, 1);
    assert_int_equal(r.recidx[0], 2);
    assert_string_equal(r.recmsg[0], "record 2: value 'bad c' is not good");
    assert_int_equal(leo(t, "orders", 0), 1);

    /* And records after the rejection go in at the next offset. */
    sl_buf_reset(&b);
    mkbatch(&b, SL_CODEC_NONE, ok, 1);
    r = produce1(t, 8, "orders", 0, &b);
    assert_int_equal(r.err, SL_KERR_NONE);
    assert_int_equal(r.base, 1);
    assert_int_equal(leo(t, "orders", 0), 2);
    sl_buf_free(&b);
}

/* Record indexes run across the batches of a partition; a bad record in a later batch keeps
 * the earlier, good batches out too. */
static void test_index_across_batches(void **state)
{
    tx_t *t = *state;
    mktopic(t, "orders", 1, VALUE_ON);
    trec_t b1[] = {{NULL, "good"}, {NULL, "good"}, {NULL, "good"}};
    trec_t b2[] = {{NULL, "good"}, {NULL, "nope"}, {NULL, "good"}, {NULL, "nah"}};
    sl_buf_t b;
    sl_buf_init(&b);
    mkbatch(&b, SL_CODEC_NONE, b1, 3);
    mkbatch(&b, SL_CODEC_GZIP, b2, 4);
    tres_t r = produce1(t, 8, "orders", 0, &b);
    assert_int_equal(r.err, SL_KERR_INVALID_RECORD);
    assert_int_equal(r.nrecerr, 2);
    assert_int_equal(r.recidx[0], 4);
    assert_int_equal(r.recidx[1], 6);
    assert_string_equal(r.recmsg[0], "record 4: value 'nope' is not good");
    assert_string_equal(r.recmsg[1], "record 6: value 'nah' is not good");
    assert_string_equal(r.msg, "record 4: value 'nope' is not good (2 of 7 records rejected)");
    assert_int_equal(leo(t, "orders", 0), 0);
    assert_int_equal(t->tv.calls, 7);
    sl_buf_free(&b);
}

/* Compressed batches are validated record by record after decompression, every codec. */
static void test_compressed(void **state)
{
    tx_t *t = *state;
    mktopic(t, "z", 1, VALUE_ON);
    static const int codecs[] = {SL_CODEC_GZIP, SL_CODEC_SNAPPY, SL_CODEC_LZ4, SL_CODEC_ZSTD};
    int64_t expect = 0;
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) {
        /* Values long and repetitive enough to really compress. */
        char good[200], bad[200];
        memset(good, 'g', sizeof good - 1);
        good[sizeof good - 1] = 0;
        memcpy(good, "good", 4);
        memset(bad, 'b', sizeof bad - 1);
        bad[sizeof bad - 1] = 0;
        trec_t okrecs[] = {{NULL, good}, {"key", good}, {NULL, good}};
        trec_t badrecs[] = {{NULL, good}, {"key", good}, {NULL, bad}};
        sl_buf_t b;
        sl_buf_init(&b);
        mkbatch(&b, codecs[i], okrecs, 3);
        assert_true(b.len < SL_RB_HEADER_SIZE + 3 * 200); /* really compressed */
        t->tv.calls = 0;
        tres_t r = produce1(t, 8, "z", 0, &b);
        assert_int_equal(r.err, SL_KERR_NONE);
        assert_int_equal(t->tv.calls, 3);
        assert_int_equal(t->tv.c[2].value_len, 199);
        expect += 3;
        assert_int_equal(leo(t, "z", 0), expect);
        sl_buf_reset(&b);
        mkbatch(&b, codecs[i], badrecs, 3);
        r = produce1(t, 8, "z", 0, &b);
        assert_int_equal(r.err, SL_KERR_INVALID_RECORD);
        assert_int_equal(r.nrecerr, 1);
        assert_int_equal(r.recidx[0], 2);
        assert_string_equal(r.recmsg[0], "record 2: value 'bbbbbbbbbbbbbbbbbbbb' is not good");
        assert_int_equal(leo(t, "z", 0), expect);
        sl_buf_free(&b);
    }
}

/* Null keys and tombstones pass without a call; key and value validation are separate. */
static void test_nulls_and_sides(void **state)
{
    tx_t *t = *state;
    mktopic(t, "vals", 1, VALUE_ON);
    const char *const key_on[] = {"confluent.key.schema.validation=true",
                                  "confluent.key.subject.name.strategy=RecordNameStrategy", NULL};
    mktopic(t, "keys", 1, key_on);
    const char *const both_on[] = {"confluent.key.schema.validation=true",
                                   "confluent.value.schema.validation=true",
                                   "sluice.key.schema.validation.mode=full", NULL};
    mktopic(t, "both", 1, both_on);
    sl_buf_t b;
    sl_buf_init(&b);

    /* Tombstones on a value-validated topic: no call, written. Keys are not looked at. */
    trec_t tomb[] = {{"whatever key", NULL}, {NULL, NULL}};
    mkbatch(&b, SL_CODEC_NONE, tomb, 2);
    assert_int_equal(produce1(t, 8, "vals", 0, &b).err, SL_KERR_NONE);
    assert_int_equal(t->tv.calls, 0);
    assert_int_equal(leo(t, "vals", 0), 2);

    /* Key validation only: bad values pass, bad keys do not, null keys pass. */
    trec_t kv[] = {{"good key", "bad value"}, {NULL, "bad value"}};
    sl_buf_reset(&b);
    mkbatch(&b, SL_CODEC_NONE, kv, 2);
    assert_int_equal(produce1(t, 8, "keys", 0, &b).err, SL_KERR_NONE);
    assert_int_equal(t->tv.calls, 1);
    assert_int_equal(t->tv.c[0].side, SL_VAL_KEY);
    assert_int_equal(t->tv.c[0].strategy, SL_VAL_RECORD_NAME);
    assert_int_equal(t->tv.c[0].mode, SL_VAL_MODE_ID);
    trec_t kbad[] = {{"good key", "x"}, {"bad key", "good value"}};
    sl_buf_reset(&b);
    mkbatch(&b, SL_CODEC_NONE, kbad, 2);
    tres_t r = produce1(t, 8, "keys", 0, &b);
    assert_int_equal(r.err, SL_KERR_INVALID_RECORD);
    assert_string_equal(r.recmsg[0], "record 1: key 'bad key' is not good");
    assert_int_equal(leo(t, "keys", 0), 2);

    /* Both sides: each checked with its own settings and memo; a record with both sides bad
     * gets one entry (the key's reason). */
    t->tv.calls = 0;
    trec_t both[] = {{"good", "good"}, {"good", "good"}, {"bad k", "bad v"}, {"good", "bad v"}};
    sl_buf_reset(&b);
    mkbatch(&b, SL_CODEC_NONE, both, 4);
    r = produce1(t, 8, "both", 0, &b);
    assert_int_equal(r.err, SL_KERR_INVALID_RECORD);
    assert_int_equal(r.nrecerr, 2);
    assert_string_equal(r.recmsg[0], "record 2: key 'bad k' is not good");
    assert_string_equal(r.recmsg[1], "record 3: value 'bad v' is not good");
    assert_int_equal(t->tv.calls, 7); /* 2 + 2 + key only + 2 */
    assert_int_equal(t->tv.c[0].side, SL_VAL_KEY);
    assert_int_equal(t->tv.c[0].mode, SL_VAL_MODE_FULL);
    assert_int_equal(t->tv.c[1].side, SL_VAL_VALUE);
    assert_int_equal(t->tv.c[1].mode, SL_VAL_MODE_ID);
    assert_int_equal(t->tv.c[2].memo_seen, 2); /* key memo: 2nd use */
    assert_int_equal(t->tv.c[3].memo_seen, 2); /* value memo: 2nd use */
    assert_int_equal(leo(t, "both", 0), 0);
    sl_buf_free(&b);
}

/* Other partitions of the same request proceed; each partition gets a fresh memo. */
static void test_partitions_independent(void **state)
{
    tx_t *t = *state;
    mktopic(t, "multi", 3, VALUE_ON);
    sl_buf_t b0, b1, b2;
    sl_buf_init(&b0);
    sl_buf_init(&b1);
    sl_buf_init(&b2);
    trec_t good[] = {{NULL, "good"}, {NULL, "good"}};
    trec_t bad[] = {{NULL, "good"}, {NULL, "bad"}};
    mkbatch(&b0, SL_CODEC_NONE, good, 2);
    mkbatch(&b1, SL_CODEC_LZ4, bad, 2);
    mkbatch(&b2, SL_CODEC_ZSTD, good, 2);
    tpart_t parts[] = {{0, &b0}, {1, &b1}, {2, &b2}};
    tres_t r[3];
    produce(t, 8, "multi", parts, 3);
    read_produce(t, 8, r, 3);
    assert_int_equal(r[0].err, SL_KERR_NONE);
    assert_int_equal(r[1].err, SL_KERR_INVALID_RECORD);
    assert_int_equal(r[2].err, SL_KERR_NONE);
    assert_string_equal(r[1].recmsg[0], "record 1: value 'bad' is not good");
    assert_string_equal(r[0].msg, "<null>");
    assert_int_equal(leo(t, "multi", 0), 2);
    assert_int_equal(leo(t, "multi", 1), 0);
    assert_int_equal(leo(t, "multi", 2), 2);
    assert_int_equal(t->tv.calls, 6);
    assert_int_equal(t->tv.c[2].partition, 1);
    assert_int_equal(t->tv.c[2].index, 0);
    assert_int_equal(t->tv.c[2].memo_seen, 1); /* fresh memo for partition 1 */
    assert_int_equal(t->tv.c[4].memo_seen, 1); /* and for partition 2 */
    sl_buf_free(&b0);
    sl_buf_free(&b1);
    sl_buf_free(&b2);
}

/* Many bad records: the entries are capped, the count is exact. */
static void test_many_rejections_capped(void **state)
{
    tx_t *t = *state;
    mktopic(t, "orders", 1, VALUE_ON);
    trec_t recs[30];
    for (int i = 0; i < 30; i++)
        recs[i] = (trec_t){NULL, "bad"};
    sl_buf_t b;
    sl_buf_init(&b);
    mkbatch(&b, SL_CODEC_SNAPPY, recs, 30);
    tres_t r = produce1(t, 8, "orders", 0, &b);
    assert_int_equal(r.err, SL_KERR_INVALID_RECORD);
    assert_int_equal(r.nrecerr, 20);
    assert_int_equal(r.recidx[19], 19);
    assert_string_equal(r.msg, "record 0: value 'bad' is not good (30 of 30 records rejected)");
    assert_int_equal(leo(t, "orders", 0), 0);
    sl_buf_free(&b);
}

/* SL_UNSUPP rejects like SL_INVAL; SL_AGAIN refuses with a retriable error. */
static void test_unsupported_and_retry(void **state)
{
    tx_t *t = *state;
    mktopic(t, "orders", 1, VALUE_ON);
    trec_t un[] = {{NULL, "good"}, {NULL, "unsupp"}};
    sl_buf_t b;
    sl_buf_init(&b);
    mkbatch(&b, SL_CODEC_NONE, un, 2);
    tres_t r = produce1(t, 8, "orders", 0, &b);
    assert_int_equal(r.err, SL_KERR_INVALID_RECORD);
    assert_string_equal(r.recmsg[0], "record 1: full validation of THRIFT is not supported yet");
    trec_t again[] = {{NULL, "good"}, {NULL, "retry"}, {NULL, "bad"}};
    sl_buf_reset(&b);
    mkbatch(&b, SL_CODEC_NONE, again, 3);
    r = produce1(t, 8, "orders", 0, &b);
    assert_int_equal(r.err, SL_KERR_REQUEST_TIMED_OUT);
    assert_int_equal(r.nrecerr, 0);
    assert_string_equal(r.msg, "validator busy, retry");
    assert_int_equal(leo(t, "orders", 0), 0);
    sl_buf_free(&b);
}

/* Validation on but no validator installed (--no-registry): refused, never let in. */
static void test_no_validator_refuses(void **state)
{
    tx_t *t = *state;
    mktopic(t, "orders", 1, VALUE_ON);
    mktopic(t, "plain", 1, NULL);
    sl_broker_set_record_validator(t->b, NULL, &t->tv);
    trec_t recs[] = {{NULL, "good"}};
    sl_buf_t b;
    sl_buf_init(&b);
    mkbatch(&b, SL_CODEC_NONE, recs, 1);
    tres_t r = produce1(t, 8, "orders", 0, &b);
    assert_int_equal(r.err, SL_KERR_INVALID_RECORD);
    assert_non_null(strstr(r.msg, "confluent.value.schema.validation=true"));
    assert_non_null(strstr(r.msg, "--no-registry"));
    assert_int_equal(leo(t, "orders", 0), 0);
    assert_int_equal(produce1(t, 8, "plain", 0, &b).err, SL_KERR_NONE);
    assert_int_equal(t->tv.calls, 0);
    /* Installed again: accepted. */
    sl_broker_set_record_validator(t->b, tv_validate, &t->tv);
    assert_int_equal(produce1(t, 8, "orders", 0, &b).err, SL_KERR_NONE);
    assert_int_equal(leo(t, "orders", 0), 1);
    sl_buf_free(&b);
}

/* Switching validation off (AlterConfigs path) lets the same records in at once. */
static void test_turn_off_again(void **state)
{
    tx_t *t = *state;
    sl_topic_t *tp = mktopic(t, "orders", 1, VALUE_ON);
    trec_t recs[] = {{NULL, "raw bytes"}};
    sl_buf_t b;
    sl_buf_init(&b);
    mkbatch(&b, SL_CODEC_NONE, recs, 1);
    assert_int_equal(produce1(t, 8, "orders", 0, &b).err, SL_KERR_INVALID_RECORD);
    sl_props_t ov;
    char err[256];
    sl_props_init(&ov);
    sl_props_set(&ov, "confluent.value.schema.validation", "false");
    assert_int_equal(sl_catalog_set_configs(t->b->catalog, tp, &ov, 0, err, sizeof err),
                     SL_KERR_NONE);
    sl_props_free(&ov);
    int calls = t->tv.calls;
    assert_int_equal(produce1(t, 8, "orders", 0, &b).err, SL_KERR_NONE);
    assert_int_equal(t->tv.calls, calls);
    assert_int_equal(leo(t, "orders", 0), 1);
    sl_buf_free(&b);
}

/* The config keys: accepted values, Kafka-style messages for the rest, resolution. */
static void test_config_keys(void **state)
{
    (void)state;
    char err[512];
    static const char *const good[][2] = {
        {"confluent.value.schema.validation", "true"},
        {"confluent.key.schema.validation", "False"},
        {"confluent.value.subject.name.strategy", "TopicNameStrategy"},
        {"confluent.value.subject.name.strategy", "RecordNameStrategy"},
        {"confluent.key.subject.name.strategy", "TopicRecordNameStrategy"},
        {"confluent.key.subject.name.strategy",
         "io.confluent.kafka.serializers.subject.RecordNameStrategy"},
        {"confluent.value.subject.name.strategy",
         " io.confluent.kafka.serializers.subject.TopicRecordNameStrategy "},
        {"sluice.value.schema.validation.mode", "id"},
        {"sluice.key.schema.validation.mode", "full"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int16_t e = sl_tcfg_check(good[i][0], good[i][1], err, sizeof err);
        if (e != SL_KERR_NONE) fail_msg("%s=%s: %s", good[i][0], good[i][1], err);
    }
    assert_int_equal(sl_tcfg_check("confluent.value.schema.validation", "yes", err, sizeof err),
                     SL_KERR_INVALID_CONFIG);
    assert_int_equal(
        sl_tcfg_check("confluent.value.subject.name.strategy", "MyStrategy", err, sizeof err),
        SL_KERR_INVALID_CONFIG);
    assert_non_null(strstr(err, "Invalid value MyStrategy for configuration "
                                "confluent.value.subject.name.strategy"));
    assert_int_equal(sl_tcfg_check("confluent.key.subject.name.strategy",
                                   "io.confluent.kafka.serializers.subject.", err, sizeof err),
                     SL_KERR_INVALID_CONFIG);
    assert_int_equal(sl_tcfg_check("sluice.value.schema.validation.mode", "fast", err, sizeof err),
                     SL_KERR_INVALID_CONFIG);
    assert_non_null(strstr(err, "id, full"));

    sl_val_cfg_t vc;
    assert_int_equal(sl_tcfg_validation(NULL, &vc), 0);
    assert_int_equal(vc.side[0].on + vc.side[1].on, 0);
    sl_props_t ov;
    sl_props_init(&ov);
    sl_props_set(&ov, "retention.ms", "1000");
    sl_props_set(&ov, "confluent.value.subject.name.strategy", "RecordNameStrategy");
    assert_int_equal(sl_tcfg_validation(&ov, &vc), 0); /* a strategy alone turns nothing on */
    sl_props_set(&ov, "confluent.value.schema.validation", "TRUE");
    sl_props_set(&ov, "sluice.value.schema.validation.mode", "full");
    assert_int_equal(sl_tcfg_validation(&ov, &vc), 1);
    assert_int_equal(vc.side[SL_VAL_KEY].on, 0);
    assert_int_equal(vc.side[SL_VAL_VALUE].on, 1);
    assert_int_equal(vc.side[SL_VAL_VALUE].strategy, SL_VAL_RECORD_NAME);
    assert_int_equal(vc.side[SL_VAL_VALUE].mode, SL_VAL_MODE_FULL);
    sl_props_set(&ov, "confluent.key.schema.validation", "true");
    sl_props_set(&ov, "confluent.key.subject.name.strategy",
                 "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy");
    assert_int_equal(sl_tcfg_validation(&ov, &vc), 1);
    assert_int_equal(vc.side[SL_VAL_KEY].on, 1);
    assert_int_equal(vc.side[SL_VAL_KEY].strategy, SL_VAL_TOPIC_RECORD_NAME);
    assert_int_equal(vc.side[SL_VAL_KEY].mode, SL_VAL_MODE_ID);
    sl_props_free(&ov);
    /* Described with their defaults like every other key. */
    char *v = NULL;
    assert_int_equal(sl_tcfg_value("sluice.value.schema.validation.mode", NULL, NULL, &v), SL_OK);
    assert_string_equal(v, "id");
    free(v);
    assert_int_equal(sl_tcfg_value("confluent.key.subject.name.strategy", NULL, NULL, &v), SL_OK);
    assert_string_equal(v, "io.confluent.kafka.serializers.subject.TopicNameStrategy");
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_off_costs_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_good_passes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_record_rejects_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_across_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compressed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nulls_and_sides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partitions_independent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_rejections_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported_and_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_validator_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_turn_off_again, setup, teardown),
        cmocka_unit_test(test_config_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
