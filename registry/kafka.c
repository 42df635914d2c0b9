/*
 * kafka.c — the registry's `_schemas` topic through librdkafka, the way Confluent's KafkaStore
 * uses it: one partition, compacted; a producer with acks=all for writes; a consumer assigned
 * to partition 0 from the beginning (no consumer group, no committed offsets: every start
 * re-reads the whole topic) in the reader thread, which applies each record to the store.
 *
 * Invariants:
 * - Records of one write are produced in order with one request in flight, so a multi-record
 *   write (e.g. high-water mark, then tombstones) lands in that order.
 * - A write is answered only once the reader thread has applied its last offset, so the store
 *   (and every later read) already reflects it.
 * - The door opens only after the reader reached the end of the partition as it was when the
 *   reader started (high watermark), so no request ever sees a half-loaded store.
 * - Nothing here blocks the broker's loop thread: all of it runs on the registry's threads.
 */
#include "registry/registry_int.h"

#include "common/err.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Largest record the registry writes: a schema at the body limit plus its JSON envelope. */
#define REG_MAX_RECORD (SL_REG_MAX_BODY + SL_REG_MAX_SUBJECT + (1u << 20))

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    /* syslog levels: librdkafka reports connection refusals etc. at 3-4; keep them visible but
     * quiet at start-up, when the broker's loop has not run yet */
    if (level <= 3)
        SL_WARN("registry", "librdkafka %s: %s", fac, buf);
    else
        SL_DEBUG("registry", "librdkafka %s: %s", fac, buf);
}

/* Per write: what the delivery reports said. */
typedef struct write_state_s {
    size_t pending;          /* reports still to come */
    rd_kafka_resp_err_t err; /* first error, or NO_ERROR */
    int64_t last;            /* highest offset delivered */
} write_state_t;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    write_state_t *ws = m->_private;
    if (!ws) return;
    if (m->err && !ws->err) ws->err = m->err;
    if (!m->err && m->offset > ws->last) ws->last = m->offset;
    ws->pending--;
}

static int conf_set(rd_kafka_conf_t *conf, const char *k, const char *v, char *err, size_t err_size)
{
    char e[256];
    if (rd_kafka_conf_set(conf, k, v, e, sizeof e) != RD_KAFKA_CONF_OK) {
        snprintf(err, err_size, "librdkafka setting %s=%s: %s", k, v, e);
        return SL_INVAL;
    }
    return SL_OK;
}

int sl_regkafka_init(sl_registry_t *reg, char *err, size_t err_size)
{
    char num[32], e[512];
    rd_kafka_conf_t *pc = rd_kafka_conf_new(), *cc = rd_kafka_conf_new();
    int rc = SL_OK;
    snprintf(num, sizeof num, "%u", REG_MAX_RECORD);
    char tmo[32];
    snprintf(tmo, sizeof tmo, "%d", reg->timeout_ms);
    struct {
        rd_kafka_conf_t *c;
        const char *k, *v;
    } set[] = {
        {pc, "bootstrap.servers", reg->bootstrap},
        {pc, "client.id", "sluice-schema-registry"},
        {pc, "acks", "all"},
        {pc, "enable.idempotence", "false"}, /* the broker has no InitProducerId */
        {pc, "max.in.flight.requests.per.connection", "1"},
        {pc, "linger.ms", "0"},
        {pc, "message.max.bytes", num},
        {pc, "message.timeout.ms", tmo},
        {pc, "socket.keepalive.enable", "true"},
        {cc, "bootstrap.servers", reg->bootstrap},
        {cc, "client.id", "sluice-schema-registry-reader"},
        {cc, "group.id", "sluice-schema-registry"}, /* required by librdkafka; never joined */
        {cc, "enable.auto.commit", "false"},
        {cc, "enable.auto.offset.store", "false"},
        {cc, "enable.partition.eof", "true"},
        {cc, "auto.offset.reset", "earliest"},
        {cc, "fetch.wait.max.ms", "100"},
        {cc, "fetch.error.backoff.ms", "50"},
        {cc, "socket.keepalive.enable", "true"},
    };
    for (size_t i = 0; rc == SL_OK && i < sizeof set / sizeof set[0]; i++)
        rc = conf_set(set[i].c, set[i].k, set[i].v, err, err_size);
    if (rc != SL_OK) {
        rd_kafka_conf_destroy(pc);
        rd_kafka_conf_destroy(cc);
        return rc;
    }
    rd_kafka_conf_set_log_cb(pc, log_cb);
    rd_kafka_conf_set_log_cb(cc, log_cb);
    rd_kafka_conf_set_dr_msg_cb(pc, dr_cb);
    reg->producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, e, sizeof e);
    if (!reg->producer) {
        rd_kafka_conf_destroy(pc);
        rd_kafka_conf_destroy(cc);
        snprintf(err, err_size, "cannot create the registry's Kafka producer: %s", e);
        return SL_INVAL;
    }
    reg->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, e, sizeof e);
    if (!reg->consumer) {
        rd_kafka_conf_destroy(cc);
        snprintf(err, err_size, "cannot create the registry's Kafka consumer: %s", e);
        return SL_INVAL;
    }
    rd_kafka_poll_set_consumer(reg->consumer);
    return SL_OK;
}

void sl_regkafka_destroy(sl_registry_t *reg)
{
    /* No group was joined and no offsets are committed, so there is nothing to say goodbye
     * with: destroy without the consumer close handshake. */
    if (reg->consumer) rd_kafka_destroy_flags(reg->consumer, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    if (reg->producer) {
        rd_kafka_purge(reg->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_destroy(reg->producer);
    }
    reg->consumer = reg->producer = NULL;
}

/* Sleeps up to ms, returning early when the registry stops. */
static void nap(sl_registry_t *reg, int ms)
{
    for (int t = 0; t < ms && !atomic_load(&reg->stop); t += 50)
        usleep(50 * 1000);
}

/* CreateTopics `_schemas` (1 partition, compacted); already existing is fine. */
static int ensure_topic(sl_registry_t *reg, char *err, size_t err_size)
{
    char e[512];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(reg->topic, 1, reg->replication_factor, e, sizeof e);
    if (!nt) {
        snprintf(err, err_size, "%s", e);
        return SL_INVAL;
    }
    char maxb[32];
    snprintf(maxb, sizeof maxb, "%u", REG_MAX_RECORD);
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    rd_kafka_NewTopic_set_config(nt, "max.message.bytes", maxb);
    rd_kafka_queue_t *q = rd_kafka_queue_new(reg->producer);
    rd_kafka_AdminOptions_t *ao =
        rd_kafka_AdminOptions_new(reg->producer, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(ao, 5000, e, sizeof e);
    rd_kafka_CreateTopics(reg->producer, &nt, 1, ao, q);
    int rc = SL_AGAIN;
    snprintf(err, err_size, "no answer to CreateTopics");
    for (int waited = 0; waited < 10000 && !atomic_load(&reg->stop); waited += 100) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);
        if (!ev) continue;
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_CREATETOPICS_RESULT) {
            if (rd_kafka_event_error(ev)) {
                snprintf(err, err_size, "%s", rd_kafka_event_error_string(ev));
            } else {
                size_t n;
                const rd_kafka_topic_result_t **tr =
                    rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
                rd_kafka_resp_err_t te =
                    n ? rd_kafka_topic_result_error(tr[0]) : RD_KAFKA_RESP_ERR_UNKNOWN;
                if (te == RD_KAFKA_RESP_ERR_NO_ERROR) {
                    SL_INFO("registry", "created topic %s (1 partition, compacted)", reg->topic);
                    rc = SL_OK;
                } else if (te == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                    rc = SL_OK;
                } else {
                    const char *m = n ? rd_kafka_topic_result_error_string(tr[0]) : NULL;
                    snprintf(err, err_size, "%s", m ? m : rd_kafka_err2str(te));
                }
            }
            rd_kafka_event_destroy(ev);
            break;
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

/* Opens the door and announces it, unless the registry is stopping. */
static void open_door(sl_registry_t *reg)
{
    char err[512];
    pthread_mutex_lock(&reg->life_mu);
    if (atomic_load(&reg->stop)) {
        pthread_mutex_unlock(&reg->life_mu);
        return;
    }
    if (sl_reghttp_start(reg, err, sizeof err) != SL_OK) {
        pthread_mutex_unlock(&reg->life_mu);
        SL_ERROR("registry", "cannot open the schema registry door: %s", err);
        return;
    }
    atomic_store(&reg->ready, 1);
    pthread_mutex_unlock(&reg->life_mu);
    pthread_rwlock_rdlock(&reg->store.lock);
    SL_INFO("registry", "loaded %s: %zu subjects, %zu schema ids, next id %d", reg->topic,
            reg->store.subjects.n, reg->store.ids.n, (int)reg->store.max_id + 1);
    pthread_rwlock_unlock(&reg->store.lock);
    if (reg->announce) {
        printf("sluice-server: schema registry listening on %s:%d\n", reg->announce_host,
               reg->port);
        fflush(stdout);
    }
}

void *sl_regkafka_reader_main(void *arg)
{
    sl_registry_t *reg = arg;
    char err[512];
    /* 1. the topic */
    for (int attempt = 0; !atomic_load(&reg->stop); attempt++) {
        if (ensure_topic(reg, err, sizeof err) == SL_OK) break;
        if (attempt > 0) SL_WARN("registry", "creating topic %s: %s (retrying)", reg->topic, err);
        nap(reg, attempt < 5 ? 200 : 1000);
    }
    /* 2. where its end is now */
    int64_t lo = 0, hi = 0;
    for (int attempt = 0; !atomic_load(&reg->stop); attempt++) {
        rd_kafka_resp_err_t e =
            rd_kafka_query_watermark_offsets(reg->consumer, reg->topic, 0, &lo, &hi, 1000);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
        if (attempt > 0)
            SL_WARN("registry", "reading the end offset of %s: %s (retrying)", reg->topic,
                    rd_kafka_err2str(e));
        nap(reg, attempt < 5 ? 200 : 1000);
    }
    /* 3. everything from the beginning: from the low watermark just read rather than the
     * logical BEGINNING, which costs a ListOffsets that librdkafka 2.0 sometimes sends only
     * half a second later (auto.offset.reset=earliest still covers a moved start) */
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(tp, reg->topic, 0)->offset = lo;
    rd_kafka_resp_err_t ae = rd_kafka_assign(reg->consumer, tp);
    rd_kafka_topic_partition_list_destroy(tp);
    if (ae) SL_ERROR("registry", "assigning %s [0]: %s", reg->topic, rd_kafka_err2str(ae));
    int loaded = 0;
    if (!atomic_load(&reg->stop) && hi <= lo) { /* empty topic: nothing to wait for */
        sl_regstore_mark_applied(&reg->store, hi - 1);
        open_door(reg);
        loaded = 1;
    }
    time_t last_err_log = 0;
    while (!atomic_load(&reg->stop)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(reg->consumer, 100);
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            sl_regstore_mark_applied(&reg->store, m->offset - 1);
        } else if (m->err) {
            time_t now = time(NULL);
            if (now != last_err_log) {
                SL_WARN("registry", "reading %s: %s", reg->topic, rd_kafka_message_errstr(m));
                last_err_log = now;
            }
        } else if (m->partition == 0) {
            sl_regstore_apply(&reg->store, m->key, m->key_len, m->payload, m->len, m->offset);
        }
        int64_t applied;
        pthread_mutex_lock(&reg->store.off_mu);
        applied = reg->store.applied;
        pthread_mutex_unlock(&reg->store.off_mu);
        rd_kafka_message_destroy(m);
        if (!loaded && applied >= hi - 1) {
            open_door(reg);
            loaded = 1;
        }
    }
    return NULL;
}

int sl_regkafka_write(sl_registry_t *reg, const sl_reg_rec_t *recs, size_t n, int64_t *last,
                      char *err, size_t err_size)
{
    write_state_t ws = {0, RD_KAFKA_RESP_ERR_NO_ERROR, -1};
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            reg->producer, RD_KAFKA_V_TOPIC(reg->topic), RD_KAFKA_V_PARTITION(0),
            RD_KAFKA_V_KEY(recs[i].key, strlen(recs[i].key)),
            RD_KAFKA_V_VALUE(recs[i].value, recs[i].value ? strlen(recs[i].value) : 0),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&ws), RD_KAFKA_V_END);
        if (e) {
            if (!ws.err) ws.err = e;
            break;
        }
        ws.pending++;
    }
    /* delivery reports; wait at most timeout_ms, less when stopping */
    for (int waited = 0; ws.pending > 0; waited += 20) {
        if (waited >= reg->timeout_ms || atomic_load(&reg->stop)) {
            rd_kafka_purge(reg->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
            while (ws.pending > 0)
                rd_kafka_poll(reg->producer, 20); /* purged messages report promptly */
            if (!ws.err) ws.err = RD_KAFKA_RESP_ERR__TIMED_OUT;
            break;
        }
        rd_kafka_poll(reg->producer, 20);
    }
    *last = ws.last;
    switch (ws.err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
        return SL_OK;
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__PURGE_QUEUE:
    case RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        snprintf(err, err_size, "%s", rd_kafka_err2str(ws.err));
        return SL_AGAIN;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
        snprintf(err, err_size, "%s", rd_kafka_err2str(ws.err));
        return SL_TOOBIG;
    default:
        snprintf(err, err_size, "%s", rd_kafka_err2str(ws.err));
        return SL_IO;
    }
}
