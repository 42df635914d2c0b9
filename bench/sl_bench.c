/*
 * sl_bench.c — producer / consumer / end-to-end latency benchmark over the Kafka protocol,
 * built on librdkafka so it measures what a real client sees.
 *
 *   sl_bench produce  -b HOST:PORT -t TOPIC [-n RECORDS] [-s SIZE] [-a ACKS] [-z CODEC]
 *   sl_bench consume  -b HOST:PORT -t TOPIC [-n RECORDS]
 *   sl_bench latency  -b HOST:PORT -t TOPIC [-n RECORDS] [-s SIZE] [-r RATE]
 *
 * produce: records/s and MB/s from the first send to the last delivery report.
 * consume: records/s and MB/s reading RECORDS from the beginning of every partition.
 * latency: a paced producer (RATE records/s) and a consumer in one process; each record
 *          carries its send time (CLOCK_MONOTONIC); prints p50/p99/p99.9/max end to end.
 * Output ends with one machine-readable line: "RESULT mode=... key=value ...".
 */
#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct bench_s {
    const char *brokers; /* bootstrap servers */
    const char *topic;   /* topic to use */
    long n;              /* records */
    int size;            /* value bytes */
    const char *acks;    /* producer acks */
    const char *codec;   /* compression.type */
    long rate;           /* latency mode: records per second */
    long delivered;      /* delivery reports OK */
    long failed;         /* delivery reports with an error */
} bench_t;

static void die(const char *what, const char *why)
{
    fprintf(stderr, "sl_bench: %s: %s\n", what, why);
    exit(1);
}

static void set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
    char err[256];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) die(k, err);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    bench_t *b = opaque;
    if (m->err) {
        if (b->failed++ < 5) fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
    } else {
        b->delivered++;
    }
}

static rd_kafka_t *make_producer(bench_t *b)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[256];
    set(conf, "bootstrap.servers", b->brokers);
    set(conf, "acks", b->acks);
    set(conf, "compression.type", b->codec);
    set(conf, "enable.idempotence", "false");
    set(conf, "linger.ms", b->rate ? "0" : "5");
    set(conf, "batch.size", "1000000");
    set(conf, "batch.num.messages", "100000");
    set(conf, "queue.buffering.max.messages", "2000000");
    set(conf, "queue.buffering.max.kbytes", "2097151");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, b);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) die("producer", err);
    return rk;
}

static void produce_one(rd_kafka_t *rk, bench_t *b, const char *val, long i)
{
    char key[24];
    int kl = snprintf(key, sizeof key, "k%ld", i % 1000);
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(b->topic), RD_KAFKA_V_VALUE((void *)val, (size_t)b->size),
            RD_KAFKA_V_KEY(key, (size_t)kl), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk, 1);
            continue;
        }
        if (e) die("produce", rd_kafka_err2str(e));
        return;
    }
}

static int bench_produce(bench_t *b)
{
    rd_kafka_t *rk = make_producer(b);
    char *val = malloc((size_t)b->size);
    memset(val, 'x', (size_t)b->size);
    int64_t t0 = now_us();
    for (long i = 0; i < b->n; i++) {
        produce_one(rk, b, val, i);
        if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    while (rd_kafka_outq_len(rk) > 0)
        rd_kafka_poll(rk, 5);
    int64_t t1 = now_us();
    double secs = (double)(t1 - t0) / 1e6;
    printf("produced %ld records of %d bytes in %.3f s (acks=%s, compression=%s), %ld failed\n",
           b->delivered, b->size, secs, b->acks, b->codec, b->failed);
    printf("RESULT mode=produce records_per_s=%.0f mb_per_s=%.1f failed=%ld\n",
           (double)b->delivered / secs, (double)b->delivered * b->size / secs / 1e6, b->failed);
    rd_kafka_destroy(rk);
    free(val);
    return b->failed ? 1 : 0;
}

/* The legacy (group-less) consumer API: assign() needs a group.id, and consumer groups are
 * not served yet. Every partition is started into one queue. */
typedef struct consumer_s {
    rd_kafka_t *rk;        /* the handle */
    rd_kafka_topic_t *rkt; /* the topic */
    rd_kafka_queue_t *q;   /* all partitions' messages */
    int nparts;            /* partitions started */
} consumer_t;

static rd_kafka_t *make_consumer(bench_t *b, const rd_kafka_metadata_t **md_out)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[256];
    set(conf, "bootstrap.servers", b->brokers);
    set(conf, "enable.partition.eof", "false");
    set(conf, "fetch.wait.max.ms", "100");
    set(conf, "fetch.message.max.bytes", "4194304");
    set(conf, "queued.max.messages.kbytes", "262144");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) die("consumer", err);
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, b->topic, NULL);
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int i = 0; i < 50; i++) { /* a just-created topic may take a moment to show up */
        if (md) rd_kafka_metadata_destroy(md);
        md = NULL;
        e = rd_kafka_metadata(rk, 0, t, &md, 10000);
        if (!e && md->topic_cnt == 1 && !md->topics[0].err) break;
        usleep(100000);
    }
    if (e) die("metadata", rd_kafka_err2str(e));
    rd_kafka_topic_destroy(t);
    if (md->topic_cnt != 1 || md->topics[0].err) die("metadata", "topic not found");
    *md_out = md;
    return rk;
}

static void start_all(consumer_t *c, bench_t *b, const rd_kafka_metadata_t *md, int64_t from)
{
    c->rkt = rd_kafka_topic_new(c->rk, b->topic, NULL);
    c->q = rd_kafka_queue_new(c->rk);
    c->nparts = md->topics[0].partition_cnt;
    for (int i = 0; i < c->nparts; i++)
        if (rd_kafka_consume_start_queue(c->rkt, md->topics[0].partitions[i].id, from, c->q))
            die("consume_start", rd_kafka_err2str(rd_kafka_last_error()));
}

static void stop_all(consumer_t *c, const rd_kafka_metadata_t *md)
{
    for (int i = 0; i < c->nparts; i++)
        rd_kafka_consume_stop(c->rkt, md->topics[0].partitions[i].id);
    rd_kafka_queue_destroy(c->q);
    rd_kafka_topic_destroy(c->rkt);
}

static int bench_consume(bench_t *b)
{
    const rd_kafka_metadata_t *md;
    consumer_t c = {.rk = make_consumer(b, &md)};
    start_all(&c, b, md, RD_KAFKA_OFFSET_BEGINNING);
    long got = 0;
    int64_t bytes = 0, t0 = 0, last = now_us();
    /* The batch API: one call hands over up to 10,000 messages, as a throughput-minded
     * application would consume. */
    static rd_kafka_message_t *batch[10000];
    while (got < b->n) {
        ssize_t k = rd_kafka_consume_batch_queue(c.q, 100, batch, 10000);
        if (k <= 0) {
            if (now_us() - last > 10000000) die("consume", "no record for 10 s");
            continue;
        }
        for (ssize_t i = 0; i < k; i++) {
            rd_kafka_message_t *m = batch[i];
            if (!m->err) {
                if (!t0) t0 = now_us();
                got++;
                bytes += (int64_t)m->len;
            }
            rd_kafka_message_destroy(m);
        }
        last = now_us();
    }
    int64_t t1 = now_us();
    double secs = (double)(t1 - t0) / 1e6;
    printf("consumed %ld records (%lld bytes) in %.3f s\n", got, (long long)bytes, secs);
    printf("RESULT mode=consume records_per_s=%.0f mb_per_s=%.1f\n", (double)got / secs,
           (double)bytes / secs / 1e6);
    stop_all(&c, md);
    rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(c.rk);
    return 0;
}

typedef struct lat_s {
    bench_t *b;        /* settings */
    int64_t *samples;  /* latencies in microseconds */
    long nsamples;     /* samples taken */
    volatile int done; /* consumer finished */
    consumer_t c;      /* consumer */
} lat_t;

static void *lat_consumer(void *arg)
{
    lat_t *l = arg;
    int64_t last = now_us();
    while (l->nsamples < l->b->n) {
        rd_kafka_message_t *m = rd_kafka_consume_queue(l->c.q, 50);
        if (!m) {
            if (now_us() - last > 15000000) break;
            continue;
        }
        if (!m->err && m->len >= 8) {
            int64_t sent;
            memcpy(&sent, m->payload, 8);
            l->samples[l->nsamples++] = now_us() - sent;
            last = now_us();
        }
        rd_kafka_message_destroy(m);
    }
    l->done = 1;
    return NULL;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int bench_latency(bench_t *b)
{
    const rd_kafka_metadata_t *md;
    lat_t l = {.b = b};
    l.samples = calloc((size_t)b->n, sizeof *l.samples);
    /* The producer comes first: its metadata request creates the topic (consumers do not). */
    rd_kafka_t *pk = make_producer(b);
    char *val = calloc(1, (size_t)b->size < 8 ? 8 : (size_t)b->size);
    produce_one(pk, b, val, 0);
    rd_kafka_flush(pk, 10000);
    l.c.rk = make_consumer(b, &md);
    start_all(&l.c, b, md, RD_KAFKA_OFFSET_END);
    /* Let the consumer find the end before producing. */
    for (int i = 0; i < 20; i++) {
        rd_kafka_message_t *m = rd_kafka_consume_queue(l.c.q, 50);
        if (m) rd_kafka_message_destroy(m);
    }
    pthread_t th;
    pthread_create(&th, NULL, lat_consumer, &l);
    /* Pace in 1 ms ticks: sleep to each tick, then send that tick's share. A busy-wait
     * would steal a core from the server on a small machine and distort what it measures. */
    int64_t t0 = now_us();
    long sent = 0;
    for (int64_t tick = 1; sent < b->n; tick++) {
        int64_t due_us = t0 + tick * 1000;
        struct timespec ts = {.tv_sec = due_us / 1000000, .tv_nsec = (due_us % 1000000) * 1000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        long target = (long)((double)tick * (double)b->rate / 1000.0);
        if (target > b->n) target = b->n;
        for (; sent < target; sent++) {
            int64_t now = now_us();
            memcpy(val, &now, 8);
            produce_one(pk, b, val, sent);
        }
        rd_kafka_poll(pk, 0);
    }
    while (rd_kafka_outq_len(pk) > 0)
        rd_kafka_poll(pk, 5);
    pthread_join(th, NULL);
    double secs = (double)(now_us() - t0) / 1e6;
    qsort(l.samples, (size_t)l.nsamples, sizeof *l.samples, cmp64);
#define PCT(p)                                                                                     \
    (l.nsamples ? (double)l.samples[(long)((double)(l.nsamples - 1) * (p))] / 1000.0 : -1)
    printf("latency over %ld records at %ld records/s (%.1f s, acks=%s): p50 %.3f ms, p99 %.3f ms,"
           " p99.9 %.3f ms, max %.3f ms\n",
           l.nsamples, b->rate, secs, b->acks, PCT(0.5), PCT(0.99), PCT(0.999), PCT(1.0));
    printf("RESULT mode=latency records=%ld rate=%ld p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f "
           "max_ms=%.3f\n",
           l.nsamples, b->rate, PCT(0.5), PCT(0.99), PCT(0.999), PCT(1.0));
    int ok = l.nsamples == b->n;
    rd_kafka_destroy(pk);
    stop_all(&l.c, md);
    rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(l.c.rk);
    free(l.samples);
    free(val);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    bench_t b = {.brokers = "localhost:9092",
                 .topic = "bench",
                 .n = 1000000,
                 .size = 100,
                 .acks = "all",
                 .codec = "none",
                 .rate = 100000};
    if (argc < 2) {
        fprintf(stderr, "usage: sl_bench produce|consume|latency -b HOST:PORT -t TOPIC [-n N] "
                        "[-s SIZE] [-a ACKS] [-z CODEC] [-r RATE]\n");
        return 2;
    }
    const char *mode = argv[1];
    int c;
    optind = 2;
    while ((c = getopt(argc, argv, "b:t:n:s:a:z:r:")) != -1) {
        switch (c) {
        case 'b':
            b.brokers = optarg;
            break;
        case 't':
            b.topic = optarg;
            break;
        case 'n':
            b.n = atol(optarg);
            break;
        case 's':
            b.size = atoi(optarg);
            break;
        case 'a':
            b.acks = optarg;
            break;
        case 'z':
            b.codec = optarg;
            break;
        case 'r':
            b.rate = atol(optarg);
            break;
        default:
            return 2;
        }
    }
    if (!strcmp(mode, "produce")) {
        b.rate = 0;
        return bench_produce(&b);
    }
    if (!strcmp(mode, "consume")) return bench_consume(&b);
    if (!strcmp(mode, "latency")) return bench_latency(&b);
    fprintf(stderr, "sl_bench: unknown mode %s\n", mode);
    return 2;
}
