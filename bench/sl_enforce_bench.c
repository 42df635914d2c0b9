/*
 * sl_enforce_bench.c — produce throughput with given record values (librdkafka), for
 * measuring produce-time schema enforcement (bench/enforce.sh).
 *
 *   sl_enforce_bench -b HOST:PORT -t TOPIC -f VALUES_FILE [-n RECORDS] [-a ACKS] [-z CODEC]
 *
 * VALUES_FILE holds the record values to cycle through, each as a 4-byte big-endian length
 * followed by that many bytes (enforce.sh writes Confluent-framed Avro datums there):
 *
 *   +----------+------------+----------+------------+ ...
 *   | len u32  | value ...  | len u32  | value ...  |
 *   +----------+------------+----------+------------+
 *
 * Like `sl_bench produce`: records/s from the first send to the last delivery report, keys
 * "k<i mod 1000>", linger 5 ms, large batches. Any failed delivery makes the run fail (exit 1)
 * and prints the first errors, so a benchmark of refused records cannot pass for a fast one.
 * Output ends with "RESULT mode=produce records_per_s=... mb_per_s=... failed=...".
 */
#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One value to send. */
typedef struct val_s {
    unsigned char *p; /* bytes (owned by the values array's buffer) */
    size_t len;       /* length */
} val_t;

typedef struct run_s {
    long delivered; /* delivery reports without error */
    long failed;    /* delivery reports with an error */
} run_t;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "sl_enforce_bench: %s: %s\n", what, why);
    exit(2);
}

static void set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
    char err[256];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) die(k, err);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    run_t *r = opaque;
    (void)rk;
    if (m->err) {
        if (r->failed++ < 5) fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
    } else {
        r->delivered++;
    }
}

/* Reads VALUES_FILE; returns the number of values, *buf owning their bytes. */
static size_t load_values(const char *path, val_t **out, unsigned char **buf)
{
    FILE *f = fopen(path, "rb");
    if (!f) die(path, "cannot open");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size <= 0) die(path, "empty");
    *buf = malloc((size_t)size);
    if (!*buf || fread(*buf, 1, (size_t)size, f) != (size_t)size) die(path, "cannot read");
    fclose(f);
    size_t n = 0, cap = 64, off = 0;
    val_t *v = malloc(cap * sizeof *v);
    while (off + 4 <= (size_t)size) {
        unsigned char *p = *buf + off;
        size_t len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
        if (off + 4 + len > (size_t)size) die(path, "truncated entry");
        if (n == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        v[n].p = p + 4;
        v[n].len = len;
        n++;
        off += 4 + len;
    }
    if (off != (size_t)size || n == 0) die(path, "malformed");
    *out = v;
    return n;
}

int main(int argc, char **argv)
{
    const char *brokers = NULL, *topic = NULL, *file = NULL, *acks = "all", *codec = "none";
    long n = 1000000;
    int c;
    while ((c = getopt(argc, argv, "b:t:f:n:a:z:")) != -1) {
        switch (c) {
        case 'b':
            brokers = optarg;
            break;
        case 't':
            topic = optarg;
            break;
        case 'f':
            file = optarg;
            break;
        case 'n':
            n = atol(optarg);
            break;
        case 'a':
            acks = optarg;
            break;
        case 'z':
            codec = optarg;
            break;
        default:
            fprintf(stderr, "usage: sl_enforce_bench -b HOST:PORT -t TOPIC -f VALUES_FILE "
                            "[-n RECORDS] [-a ACKS] [-z CODEC]\n");
            return 2;
        }
    }
    if (!brokers || !topic || !file) die("usage", "-b, -t and -f are required");
    val_t *vals;
    unsigned char *vbuf;
    size_t nvals = load_values(file, &vals, &vbuf);
    size_t bytes_per_cycle = 0;
    for (size_t i = 0; i < nvals; i++)
        bytes_per_cycle += vals[i].len;

    run_t run = {0, 0};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char err[256];
    set(conf, "bootstrap.servers", brokers);
    set(conf, "acks", acks);
    set(conf, "compression.type", codec);
    set(conf, "enable.idempotence", "false");
    set(conf, "linger.ms", "5");
    set(conf, "batch.size", "1000000");
    set(conf, "batch.num.messages", "100000");
    set(conf, "queue.buffering.max.messages", "2000000");
    set(conf, "queue.buffering.max.kbytes", "2097151");
    set(conf, "message.send.max.retries", "0");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &run);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) die("producer", err);

    int64_t t0 = now_us(), bytes = 0;
    for (long i = 0; i < n; i++) {
        const val_t *v = &vals[(size_t)i % nvals];
        char key[24];
        int kl = snprintf(key, sizeof key, "k%ld", i % 1000);
        for (;;) {
            rd_kafka_resp_err_t e =
                rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(v->p, v->len),
                                  RD_KAFKA_V_KEY(key, (size_t)kl),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(rk, 1);
                continue;
            }
            if (e) die("produce", rd_kafka_err2str(e));
            break;
        }
        bytes += (int64_t)v->len;
        if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    while (rd_kafka_outq_len(rk) > 0)
        rd_kafka_poll(rk, 5);
    double secs = (double)(now_us() - t0) / 1e6;
    printf("produced %ld records (%zu distinct values, %.1f bytes on average) in %.3f s "
           "(acks=%s, compression=%s), %ld failed\n",
           run.delivered, nvals, (double)bytes_per_cycle / (double)nvals, secs, acks, codec,
           run.failed);
    printf("RESULT mode=produce records_per_s=%.0f mb_per_s=%.1f failed=%ld\n",
           (double)run.delivered / secs, (double)bytes / secs / 1e6, run.failed);
    rd_kafka_destroy(rk);
    free(vals);
    free(vbuf);
    return run.failed ? 1 : 0;
}
