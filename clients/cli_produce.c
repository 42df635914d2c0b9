/*
 * cli_produce.c — `sluice produce`: one record per stdin line, like kafka-console-producer.
 *
 * Line handling: the trailing "\n" (or "\r\n") is not part of the record; a last line without
 * a newline is still sent; an empty line is a record with an empty value. With
 * --key-separator SEP each line is split at the first SEP into key and value (Kafka's
 * parse.key=true + key.separator); a line without SEP is reported and not sent.
 *
 * Every record gets a delivery report; the tool waits for all of them at EOF and exits 1 if
 * any record failed (or could not be queued), so a script can trust exit status 0.
 *
 * Idempotence is off because the broker does not serve InitProducerId yet.
 */
#include "clients/cli_int.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CMD "produce"

/* How many failed deliveries are reported one by one before only counting them. */
#define MAX_REPORTED_FAILURES 20

typedef struct produce_args_s {
    const char *topic;       /* --topic (borrowed) */
    const char *key_sep;     /* --key-separator, NULL = no keys (borrowed, unescaped) */
    const char *acks;        /* --acks: "0", "1", "all" */
    const char *compression; /* --compression codec name */
    int32_t partition;       /* --partition, RD_KAFKA_PARTITION_UA = partitioner decides */
    sl_cli_strv_t headers;   /* --header k=v, in order */
    sl_cli_strv_t props;     /* --property k=v: raw librdkafka settings */
} produce_args_t;

/* Delivery bookkeeping, updated from the delivery report callback (main thread, in poll). */
typedef struct produce_stats_s {
    int64_t queued;    /* records handed to librdkafka */
    int64_t delivered; /* records acknowledged */
    int64_t failed;    /* records that failed (delivery or queueing) */
} produce_stats_t;

static void usage(FILE *f)
{
    fprintf(f, "usage: sluice produce --topic T [--key-separator SEP] [--acks 0|1|all]\n"
               "                      [--compression none|gzip|snappy|lz4|zstd] [--partition N]\n"
               "                      [--header k=v ...] [--property k=v ...]\n"
               "\n"
               "Reads stdin and sends one record per line; waits for every delivery at EOF.\n"
               "Exits 1 if any record failed.\n"
               "\n"
               "options:\n"
               "  --topic T              topic to write to\n"
               "  --key-separator SEP    split each line at the first SEP into key and value\n"
               "                         (like parse.key=true key.separator=SEP; \\t works)\n"
               "  --acks 0|1|all         acknowledgements to wait for (default all)\n"
               "  --compression CODEC    none, gzip, snappy, lz4 or zstd (default none)\n"
               "  --partition N          write every record to partition N (default: the\n"
               "                         partitioner: by key hash, keyless records spread)\n"
               "  --header k=v           add a header to every record (repeatable)\n"
               "  --property k=v         raw librdkafka producer setting (repeatable; wins over\n"
               "                         the above), e.g. linger.ms=100\n"
               "\n" SL_CLI_COMMON_USAGE);
}

/* The conf opaque belongs to the shared callbacks (it is the globals), so the delivery
 * callback reaches the stats through this; one produce runs per process. */
static produce_stats_t *cur_stats;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    produce_stats_t *st = cur_stats;
    if (!m->err) {
        st->delivered++;
        return;
    }
    st->failed++;
    if (st->failed <= MAX_REPORTED_FAILURES) {
        fprintf(stderr,
                "sluice produce: error: record from line %" PRIdPTR " (partition %" PRId32
                "): %s: %s\n",
                (intptr_t)m->_private, m->partition, rd_kafka_err2name(m->err),
                rd_kafka_err2str(m->err));
        if (st->failed == MAX_REPORTED_FAILURES)
            fprintf(stderr, "sluice produce: (further failures are only counted)\n");
    }
}

/* Headers from --header k=v; NULL when none. Returns -1 after a usage error. */
static int build_headers(produce_args_t *a, rd_kafka_headers_t **out)
{
    *out = NULL;
    if (a->headers.n == 0) return 0;
    rd_kafka_headers_t *h = rd_kafka_headers_new(a->headers.n);
    for (size_t i = 0; i < a->headers.n; i++) {
        char *k, *v;
        if (sl_cli_split_kv(CMD, "--header", a->headers.v[i], &k, &v) != 0) {
            rd_kafka_headers_destroy(h);
            return -1;
        }
        rd_kafka_header_add(h, k, -1, v, (ssize_t)strlen(v));
    }
    *out = h;
    return 0;
}

/* Queue one record, waiting while librdkafka's queue is full. 0 ok, -1 failed (reported). */
static int send_record(rd_kafka_t *rk, produce_args_t *a, const rd_kafka_headers_t *hdrs,
                       const char *key, size_t key_len, const char *val, size_t val_len,
                       int64_t lineno)
{
    for (;;) {
        /* producev takes ownership of headers only on success */
        rd_kafka_headers_t *h = hdrs ? rd_kafka_headers_copy(hdrs) : NULL;
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(a->topic), RD_KAFKA_V_PARTITION(a->partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
            RD_KAFKA_V_VALUE((void *)val, val_len), RD_KAFKA_V_HEADERS(h),
            RD_KAFKA_V_OPAQUE((void *)(intptr_t)lineno), RD_KAFKA_V_END);
        if (!err) return 0;
        if (h) rd_kafka_headers_destroy(h);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk, 100); /* serve delivery reports to make room */
            continue;
        }
        fprintf(stderr, "sluice produce: error: record from line %" PRId64 ": %s: %s\n", lineno,
                rd_kafka_err2name(err), rd_kafka_err2str(err));
        return -1;
    }
}

static int run(const sl_cli_global_t *g, produce_args_t *a)
{
    produce_stats_t st = {0};
    rd_kafka_headers_t *hdrs = NULL;
    char mto[32];
    /* a record that cannot be delivered within the request timeout is reported as failed */
    snprintf(mto, sizeof mto, "%d", g->request_timeout_ms);
    /* key, value pairs */
    /* clang-format off */
    const char *defaults[] = {
        "enable.idempotence", "false", /* the broker has no InitProducerId yet */
        "acks", a->acks,
        "compression.codec", a->compression,
        "linger.ms", "5",
        "message.timeout.ms", mto,
        NULL,
    };
    /* clang-format on */
    if (build_headers(a, &hdrs) != 0) return SL_CLI_EXIT_USAGE;
    rd_kafka_conf_t *conf = sl_cli_conf_new(g, CMD, defaults, &a->props);
    if (!conf) {
        if (hdrs) rd_kafka_headers_destroy(hdrs);
        return SL_CLI_EXIT_USAGE;
    }
    cur_stats = &st;
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = sl_cli_rk_new(RD_KAFKA_PRODUCER, conf, CMD);
    if (!rk) {
        if (hdrs) rd_kafka_headers_destroy(hdrs);
        return SL_CLI_EXIT_FAIL;
    }

    size_t sep_len = a->key_sep ? strlen(a->key_sep) : 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int64_t lineno = 0;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r') line[--len] = '\0';
        const char *key = NULL, *val = line;
        size_t key_len = 0, val_len = (size_t)len;
        if (a->key_sep) {
            char *at = memmem(line, (size_t)len, a->key_sep, sep_len);
            if (!at) {
                fprintf(stderr,
                        "sluice produce: error: line %" PRId64
                        ": no key separator found; record not sent\n",
                        lineno);
                st.failed++;
                continue;
            }
            key = line;
            key_len = (size_t)(at - line);
            val = at + sep_len;
            val_len = (size_t)len - key_len - sep_len;
        }
        if (send_record(rk, a, hdrs, key, key_len, val, val_len, lineno) == 0)
            st.queued++;
        else
            st.failed++;
        rd_kafka_poll(rk, 0);
    }
    int read_err = ferror(stdin);
    free(line);
    if (hdrs) rd_kafka_headers_destroy(hdrs);

    /* message.timeout.ms bounds every record, so this ends; the margin covers the last one */
    rd_kafka_resp_err_t ferr = rd_kafka_flush(rk, g->request_timeout_ms + 10000);
    int rc = SL_CLI_EXIT_OK;
    if (ferr)
        rc = sl_cli_fail(CMD, "%d records still undelivered after waiting", rd_kafka_outq_len(rk));
    if (read_err) rc = sl_cli_fail(CMD, "reading stdin failed");
    if (st.failed) {
        rc = sl_cli_fail(CMD, "%" PRId64 " of %" PRId64 " records failed", st.failed, lineno);
        if (sl_cli_last_client_error()[0])
            fprintf(stderr, "sluice produce: last client error: %s\n", sl_cli_last_client_error());
    }
    rd_kafka_destroy(rk);
    return rc;
}

int sl_cli_produce(sl_cli_global_t *g, int argc, char **argv)
{
    enum {
        OPT_TOPIC = SL_CLI_OPT_FIRST_LOCAL,
        OPT_KEYSEP,
        OPT_ACKS,
        OPT_COMP,
        OPT_HEADER,
        OPT_PARTITION,
        OPT_PROPERTY,
    };
    static const struct option opts[] = {
        SL_CLI_COMMON_LONGOPTS,
        {"topic", required_argument, NULL, OPT_TOPIC},
        {"key-separator", required_argument, NULL, OPT_KEYSEP},
        {"acks", required_argument, NULL, OPT_ACKS},
        {"compression", required_argument, NULL, OPT_COMP},
        {"header", required_argument, NULL, OPT_HEADER},
        {"partition", required_argument, NULL, OPT_PARTITION},
        {"property", required_argument, NULL, OPT_PROPERTY},
        {NULL, 0, NULL, 0},
    };
    static const char *const codecs[] = {"none", "gzip", "snappy", "lz4", "zstd", NULL};
    produce_args_t a = {.acks = "all", .compression = "none", .partition = RD_KAFKA_PARTITION_UA};
    int c, rc = SL_CLI_EXIT_OK;
    int64_t v;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (sl_cli_common_opt(g, CMD, c, argv, usage, &rc)) {
        case SL_CLI_OPT_TAKEN:
            continue;
        case SL_CLI_OPT_EXIT:
            goto out;
        }
        switch (c) {
        case OPT_TOPIC:
            a.topic = optarg;
            break;
        case OPT_KEYSEP:
            sl_cli_unescape(optarg);
            if (!*optarg) {
                rc = sl_cli_usage_error(CMD, "--key-separator must not be empty");
                goto out;
            }
            a.key_sep = optarg;
            break;
        case OPT_ACKS:
            if (strcmp(optarg, "-1") == 0) optarg = "all";
            if (strcmp(optarg, "0") && strcmp(optarg, "1") && strcmp(optarg, "all")) {
                rc = sl_cli_usage_error(CMD, "--acks takes 0, 1 or all, not '%s'", optarg);
                goto out;
            }
            a.acks = optarg;
            break;
        case OPT_COMP: {
            int ok = 0;
            for (int i = 0; codecs[i]; i++)
                ok |= strcmp(codecs[i], optarg) == 0;
            if (!ok) {
                rc = sl_cli_usage_error(CMD,
                                        "--compression takes none, gzip, snappy, lz4 or "
                                        "zstd, not '%s'",
                                        optarg);
                goto out;
            }
            a.compression = optarg;
            break;
        }
        case OPT_HEADER:
            if (!strchr(optarg, '=') || optarg[0] == '=') {
                rc = sl_cli_usage_error(CMD, "--header takes key=value, not '%s'", optarg);
                goto out;
            }
            sl_cli_strv_push(&a.headers, optarg);
            break;
        case OPT_PARTITION:
            if (sl_cli_parse_i64(CMD, "--partition", optarg, 0, INT32_MAX, &v)) {
                rc = SL_CLI_EXIT_USAGE;
                goto out;
            }
            a.partition = (int32_t)v;
            break;
        case OPT_PROPERTY:
            if (!strchr(optarg, '=') || optarg[0] == '=') {
                rc = sl_cli_usage_error(CMD, "--property takes key=value, not '%s'", optarg);
                goto out;
            }
            sl_cli_strv_push(&a.props, optarg);
            break;
        default:
            rc = sl_cli_usage_error(CMD, "unexpected option");
            goto out;
        }
    }
    if (optind < argc) {
        rc = sl_cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (!a.topic) {
        rc = sl_cli_usage_error(CMD, "--topic is required");
        goto out;
    }
    rc = run(g, &a);
out:
    sl_cli_strv_free(&a.headers);
    sl_cli_strv_free(&a.props);
    return rc;
}
