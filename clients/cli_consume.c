/*
 * cli_consume.c — `sluice consume`: print a topic's records, like kafka-console-consumer.
 *
 * Two ways to read:
 * - Without --group (the default), by assignment: the tool reads the topic's partitions from
 *   metadata and rd_kafka_assign()s them (or the one --partition) at the requested start
 *   offset. librdkafka insists on a group.id before assign(); we set a fixed one but never
 *   join, commit or fetch committed offsets with it (auto commit and offset store are off and
 *   every start offset is explicit).
 * - With --group G, as a member of consumer group G: rd_kafka_subscribe() to the topic, the
 *   group's coordinator hands out partitions, and reading starts at the group's committed
 *   offsets; a partition without one starts at auto.offset.reset (earliest with
 *   --from-beginning, else latest). At-least-once: a record's offset is stored only after the
 *   record was written out and stdout flushed, and stored offsets are committed every second
 *   (auto commit) and when the consumer closes (--max-messages, --timeout-ms, SIGINT/SIGTERM).
 *   --partition and --offset do not go with --group (the group decides both), as in Kafka.
 *
 * Text output follows Kafka's DefaultMessageFormatter: the enabled fields in the order
 * timestamp, partition, offset, headers, key, value, separated by --key-separator (TAB):
 *
 *   CreateTime:1700000000000<TAB>Partition:0<TAB>Offset:5<TAB>h1:v1,h2:v2<TAB>key<TAB>value
 *
 * JSON output is one object per record per line:
 *   {"topic":"t","partition":0,"offset":5,"timestamp":1700000000000,
 *    "timestamp_type":"CreateTime","key":"k","value":"v","headers":[{"key":"h","value":"v"}]}
 * with null for a null key/value/header value.
 */
#include "clients/cli_int.h"

#include "common/time.h"

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define CMD "consume"

/* group.id librdkafka requires for assign(); never joined (see the file comment). */
#define UNUSED_GROUP_ID "sluice-cli-assign-only"

/* How long to keep asking for metadata while a just-created topic has no leader yet. */
#define LEADER_WAIT_MS 10000

enum out_format { FMT_TEXT, FMT_JSON };

typedef struct consume_args_s {
    const char *topic;      /* --topic (borrowed) */
    int32_t partition;      /* --partition, -1 = all partitions */
    int64_t start;          /* start offset: >= 0 absolute, or RD_KAFKA_OFFSET_BEGINNING/END */
    int from_beginning;     /* --from-beginning given */
    int offset_given;       /* --offset given */
    int64_t max_messages;   /* --max-messages, -1 = unlimited */
    int64_t timeout_ms;     /* --timeout-ms, -1 = wait forever */
    int print_key;          /* --print-key */
    int print_timestamp;    /* --print-timestamp */
    int print_partition;    /* --print-partition */
    int print_offset;       /* --print-offset */
    int print_headers;      /* --print-headers */
    const char *sep;        /* --key-separator (unescaped), default "\t" */
    enum out_format format; /* --format */
    const char *group;      /* --group: join this consumer group (subscribe), NULL: assign */
    sl_cli_strv_t props;    /* --property k=v: raw librdkafka settings */
} consume_args_t;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sluice consume --topic T [--from-beginning | --offset N|earliest|latest]\n"
            "                      [--partition N] [--max-messages N] [--timeout-ms N]\n"
            "                      [--print-key] [--print-timestamp] [--print-partition]\n"
            "                      [--print-offset] [--print-headers] [--key-separator SEP]\n"
            "                      [--format text|json] [--group G] [--property k=v ...]\n"
            "\n"
            "Prints records to stdout, one per line. Without --group, reads all partitions (or\n"
            "--partition N) by assignment and commits nothing. With --group G, joins consumer\n"
            "group G, reads the partitions the group assigns, starting at the group's committed\n"
            "offsets, and commits the offset of each record after printing it.\n"
            "\n"
            "options:\n"
            "  --topic T            topic to read\n"
            "  --from-beginning     start at the earliest offset (default: latest, i.e. only\n"
            "                       records produced from now on); with --group: for\n"
            "                       partitions the group has no committed offset for\n"
            "  --offset N|earliest|latest\n"
            "                       start offset (N applies to every partition read)\n"
            "  --partition N        read only partition N\n"
            "  --max-messages N     exit after N records\n"
            "  --timeout-ms N       exit when no record arrived for N ms\n"
            "  --print-key          print the key (null key: \"null\")\n"
            "  --print-timestamp    print CreateTime:MS / LogAppendTime:MS / NO_TIMESTAMP\n"
            "  --print-partition    print Partition:N\n"
            "  --print-offset       print Offset:N\n"
            "  --print-headers      print k:v,k:v (NO_HEADERS when none)\n"
            "  --key-separator SEP  between printed fields (default TAB; \\t \\n work)\n"
            "  --format text|json   text (default) or one JSON object per record:\n"
            "                       {topic,partition,offset,timestamp,timestamp_type,key,value,\n"
            "                        headers:[{key,value}]}; bytes that are not UTF-8 appear\n"
            "                       as \\u00XX\n"
            "  --property k=v       raw librdkafka consumer setting (repeatable)\n"
            "  --group G            consume as a member of consumer group G (not with\n"
            "                       --partition or --offset)\n"
            "\n"
            "Prints \"Processed a total of N messages\" on stderr at the end. Exit status 0\n"
            "when stopped by --max-messages, --timeout-ms or SIGINT/SIGTERM; 1 on errors.\n"
            "\n" SL_CLI_COMMON_USAGE);
}

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    stop_requested = sig;
}

/* ---- output --------------------------------------------------------------------------- */

static void print_text(const consume_args_t *a, const rd_kafka_message_t *m)
{
    int first = 1;
#define SEP()                                                                                      \
    do {                                                                                           \
        if (!first) fputs(a->sep, stdout);                                                         \
        first = 0;                                                                                 \
    } while (0)
    if (a->print_timestamp) {
        rd_kafka_timestamp_type_t tt;
        int64_t ts = rd_kafka_message_timestamp(m, &tt);
        SEP();
        if (tt == RD_KAFKA_TIMESTAMP_CREATE_TIME)
            printf("CreateTime:%" PRId64, ts);
        else if (tt == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME)
            printf("LogAppendTime:%" PRId64, ts);
        else
            fputs("NO_TIMESTAMP", stdout);
    }
    if (a->print_partition) {
        SEP();
        printf("Partition:%" PRId32, m->partition);
    }
    if (a->print_offset) {
        SEP();
        printf("Offset:%" PRId64, m->offset);
    }
    if (a->print_headers) {
        rd_kafka_headers_t *h = NULL;
        SEP();
        if (rd_kafka_message_headers(m, &h) || !h || rd_kafka_header_cnt(h) == 0) {
            fputs("NO_HEADERS", stdout);
        } else {
            const char *name;
            const void *val;
            size_t vlen;
            for (size_t i = 0; !rd_kafka_header_get_all(h, i, &name, &val, &vlen); i++) {
                printf("%s%s:", i ? "," : "", name);
                if (val)
                    fwrite(val, 1, vlen, stdout);
                else
                    fputs("null", stdout);
            }
        }
    }
    if (a->print_key) {
        SEP();
        if (m->key)
            fwrite(m->key, 1, m->key_len, stdout);
        else
            fputs("null", stdout);
    }
    SEP();
    if (m->payload)
        fwrite(m->payload, 1, m->len, stdout);
    else
        fputs("null", stdout);
    fputc('\n', stdout);
#undef SEP
}

static void json_bytes_or_null(const void *p, size_t n)
{
    if (p)
        sl_cli_json_str(stdout, p, n);
    else
        fputs("null", stdout);
}

static void print_json(const rd_kafka_message_t *m)
{
    rd_kafka_timestamp_type_t tt;
    int64_t ts = rd_kafka_message_timestamp(m, &tt);
    const char *tname = tt == RD_KAFKA_TIMESTAMP_CREATE_TIME       ? "CreateTime"
                        : tt == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? "LogAppendTime"
                                                                   : "NoTimestamp";
    const char *topic = rd_kafka_topic_name(m->rkt);
    fputs("{\"topic\":", stdout);
    sl_cli_json_str(stdout, topic, strlen(topic));
    printf(",\"partition\":%" PRId32 ",\"offset\":%" PRId64 ",\"timestamp\":", m->partition,
           m->offset);
    if (tt == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE)
        fputs("null", stdout);
    else
        printf("%" PRId64, ts);
    printf(",\"timestamp_type\":\"%s\",\"key\":", tname);
    json_bytes_or_null(m->key, m->key_len);
    fputs(",\"value\":", stdout);
    json_bytes_or_null(m->payload, m->len);
    fputs(",\"headers\":[", stdout);
    rd_kafka_headers_t *h = NULL;
    if (!rd_kafka_message_headers(m, &h) && h) {
        const char *name;
        const void *val;
        size_t vlen;
        for (size_t i = 0; !rd_kafka_header_get_all(h, i, &name, &val, &vlen); i++) {
            fputs(i ? ",{\"key\":" : "{\"key\":", stdout);
            sl_cli_json_str(stdout, name, strlen(name));
            fputs(",\"value\":", stdout);
            json_bytes_or_null(val, vlen);
            fputc('}', stdout);
        }
    }
    fputs("]}\n", stdout);
}

/* ---- set-up --------------------------------------------------------------------------- */

/*
 * Partition count of the topic. Asks for this topic by name, so a broker with
 * auto.create.topics.enable creates it as Kafka's console consumer would; waits a little for
 * a just-created topic's leaders. Returns the count, or -1 after printing an error.
 */
static int topic_partitions(rd_kafka_t *rk, const sl_cli_global_t *g, const char *topic)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (!rkt) {
        sl_cli_kerr(CMD, topic, rd_kafka_last_error(), NULL);
        return -1;
    }
    int64_t deadline = sl_monotonic_ms() + LEADER_WAIT_MS;
    int cnt = -1;
    for (;;) {
        const struct rd_kafka_metadata *md;
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, g->request_timeout_ms);
        if (err) {
            rd_kafka_poll(rk, 0);
            sl_cli_kerr(CMD, "metadata request", err, NULL);
            break;
        }
        const rd_kafka_metadata_topic_t *t = sl_cli_md_topic(md, topic);
        err = t ? t->err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        int n = t ? t->partition_cnt : 0;
        int leaders = 1;
        for (int i = 0; i < n; i++)
            leaders &= t->partitions[i].leader >= 0;
        rd_kafka_metadata_destroy(md);
        if (!err && n > 0 && leaders) {
            cnt = n;
            break;
        }
        int transient = err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE || (!err && (!n || !leaders));
        if (!transient || sl_monotonic_ms() >= deadline) {
            if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
                sl_cli_kerr(CMD, topic, err, "topic does not exist");
            else
                sl_cli_kerr(CMD, topic, err ? err : RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
                            "topic has no usable partitions");
            break;
        }
        rd_kafka_poll(rk, 200);
    }
    rd_kafka_topic_destroy(rkt);
    return cnt;
}

/*
 * Does the broker serve consumer groups at all? A broker without them (no FindCoordinator)
 * would leave librdkafka looking for a coordinator forever, silently; ListGroups is refused
 * at once (_UNSUPPORTED_FEATURE) by such a broker, so one cheap round trip tells. 0 when the
 * broker answered ListGroups (any answer), -1 after printing why not.
 */
static int check_group_support(rd_kafka_t *rk, const sl_cli_global_t *g, const char *group)
{
    char errstr[256];
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o =
        rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    rd_kafka_AdminOptions_set_request_timeout(o, g->request_timeout_ms, errstr, sizeof errstr);
    rd_kafka_ListConsumerGroups(rk, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, g->request_timeout_ms + 5000);
    int rc = 0;
    rd_kafka_resp_err_t err = ev ? rd_kafka_event_error(ev) : RD_KAFKA_RESP_ERR__TIMED_OUT;
    const rd_kafka_ListConsumerGroups_result_t *res =
        ev ? rd_kafka_event_ListConsumerGroups_result(ev) : NULL;
    size_t nerr = 0;
    const rd_kafka_error_t **errs =
        res ? rd_kafka_ListConsumerGroups_result_errors(res, &nerr) : NULL;
    /* per-broker errors come in the result, not as the event's error */
    for (size_t i = 0; !err && i < nerr; i++)
        if (rd_kafka_error_code(errs[i]) == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)
            err = RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE;
    if (err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) {
        sl_cli_fail(CMD,
                    "--group %s: consumer groups are not supported yet by this broker (it refuses "
                    "ListGroups: %s); omit --group to read by assignment",
                    group, rd_kafka_err2name(err));
        rc = -1;
    } else if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT) {
        sl_cli_kerr(CMD, "ListGroups (checking for consumer groups)", err,
                    ev ? rd_kafka_event_error_string(ev) : NULL);
        rc = -1;
    }
    /* any other answer, even an error from the broker, means groups are served */
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    return rc;
}

/* Errors after which there is nothing left to read. */
static int is_fatal(rd_kafka_resp_err_t err)
{
    return err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
           err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
           err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED || err == RD_KAFKA_RESP_ERR__FATAL;
}

static int run(const sl_cli_global_t *g, consume_args_t *a)
{
    /* key, value pairs */
    /* clang-format off */
    const char *defaults[] = {
        "group.id", a->group ? a->group : UNUSED_GROUP_ID,
        /* in a group: commit every second what was stored (= printed), and on close */
        "enable.auto.commit", a->group ? "true" : "false",
        "auto.commit.interval.ms", "1000",
        "enable.auto.offset.store", "false",
        "enable.partition.eof", "false",
        "allow.auto.create.topics", "true",
        "auto.offset.reset", a->from_beginning ? "earliest" : "latest",
        NULL,
    };
    /* clang-format on */
    rd_kafka_conf_t *conf = sl_cli_conf_new(g, CMD, defaults, &a->props);
    if (!conf) return SL_CLI_EXIT_USAGE;
    rd_kafka_t *rk = sl_cli_rk_new(RD_KAFKA_CONSUMER, conf, CMD);
    if (!rk) return SL_CLI_EXIT_FAIL;

    int rc = SL_CLI_EXIT_OK;
    int64_t processed = 0;
    int nparts = topic_partitions(rk, g, a->topic);
    if (nparts < 0) {
        rc = SL_CLI_EXIT_FAIL;
        goto done;
    }
    if (a->partition >= nparts) {
        rc = sl_cli_kerr(CMD, a->topic, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
                         "no such partition (the topic has fewer)");
        goto done;
    }

    rd_kafka_topic_partition_list_t *tpl = rd_kafka_topic_partition_list_new(nparts);
    rd_kafka_resp_err_t err;
    if (a->group && check_group_support(rk, g, a->group) != 0) {
        rd_kafka_topic_partition_list_destroy(tpl);
        rc = SL_CLI_EXIT_FAIL;
        goto done;
    }
    if (a->group) {
        rd_kafka_topic_partition_list_add(tpl, a->topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_poll_set_consumer(rk); /* error_cb and friends through consumer_poll */
        err = rd_kafka_subscribe(rk, tpl);
    } else {
        for (int p = 0; p < nparts; p++)
            if (a->partition < 0 || a->partition == p)
                rd_kafka_topic_partition_list_add(tpl, a->topic, p)->offset = a->start;
        err = rd_kafka_assign(rk, tpl);
    }
    rd_kafka_topic_partition_list_destroy(tpl);
    if (err) {
        rc = sl_cli_kerr(CMD, a->group ? "subscribe" : "assign", err, NULL);
        goto done;
    }

    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int64_t last_activity = sl_monotonic_ms();
    rd_kafka_resp_err_t last_warned = RD_KAFKA_RESP_ERR_NO_ERROR;
    while (!stop_requested && (a->max_messages < 0 || processed < a->max_messages)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) {
            if (a->timeout_ms >= 0 && sl_monotonic_ms() - last_activity >= a->timeout_ms) break;
            continue;
        }
        if (m->err) {
            if (is_fatal(m->err)) {
                rc = sl_cli_kerr(CMD, a->topic, m->err, rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
                break;
            }
            /* transient (broker restart, ...): librdkafka retries; say it once per kind */
            if (m->err != last_warned || g->verbose)
                fprintf(stderr, "sluice consume: warning: %s: %s\n", rd_kafka_err2name(m->err),
                        rd_kafka_message_errstr(m));
            last_warned = m->err;
            rd_kafka_message_destroy(m);
            continue;
        }
        if (a->format == FMT_JSON)
            print_json(m);
        else
            print_text(a, m);
        if (a->group) {
            /* commit only what is out of our hands: flushed, then stored for auto commit */
            if (fflush(stdout) != 0) {
                rd_kafka_message_destroy(m);
                rc = sl_cli_fail(CMD, "writing stdout failed");
                break;
            }
            err = rd_kafka_offset_store(m->rkt, m->partition, m->offset);
            if (err && err != RD_KAFKA_RESP_ERR__STATE) /* __STATE: just revoked, re-read */
                fprintf(stderr, "sluice consume: warning: storing offset %" PRId64 ": %s\n",
                        m->offset, rd_kafka_err2name(err));
        }
        processed++;
        last_activity = sl_monotonic_ms();
        rd_kafka_message_destroy(m);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) rc = sl_cli_fail(CMD, "writing stdout failed");
    fprintf(stderr, "Processed a total of %" PRId64 " messages\n", processed);
    rd_kafka_consumer_close(rk);
done:
    rd_kafka_destroy(rk);
    return rc;
}

int sl_cli_consume(sl_cli_global_t *g, int argc, char **argv)
{
    enum {
        OPT_TOPIC = SL_CLI_OPT_FIRST_LOCAL,
        OPT_BEGIN,
        OPT_PARTITION,
        OPT_OFFSET,
        OPT_MAX,
        OPT_TIMEOUT,
        OPT_PKEY,
        OPT_PTS,
        OPT_PPART,
        OPT_POFF,
        OPT_PHDR,
        OPT_KEYSEP,
        OPT_FORMAT,
        OPT_GROUP,
        OPT_PROPERTY,
    };
    static const struct option opts[] = {
        SL_CLI_COMMON_LONGOPTS,
        {"topic", required_argument, NULL, OPT_TOPIC},
        {"from-beginning", no_argument, NULL, OPT_BEGIN},
        {"partition", required_argument, NULL, OPT_PARTITION},
        {"offset", required_argument, NULL, OPT_OFFSET},
        {"max-messages", required_argument, NULL, OPT_MAX},
        {"timeout-ms", required_argument, NULL, OPT_TIMEOUT},
        {"print-key", no_argument, NULL, OPT_PKEY},
        {"print-timestamp", no_argument, NULL, OPT_PTS},
        {"print-partition", no_argument, NULL, OPT_PPART},
        {"print-offset", no_argument, NULL, OPT_POFF},
        {"print-headers", no_argument, NULL, OPT_PHDR},
        {"key-separator", required_argument, NULL, OPT_KEYSEP},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"group", required_argument, NULL, OPT_GROUP},
        {"property", required_argument, NULL, OPT_PROPERTY},
        {NULL, 0, NULL, 0},
    };
    consume_args_t a = {
        .partition = -1,
        .start = RD_KAFKA_OFFSET_END,
        .max_messages = -1,
        .timeout_ms = -1,
        .sep = "\t",
        .format = FMT_TEXT,
    };
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
        case OPT_BEGIN:
            a.from_beginning = 1;
            break;
        case OPT_PARTITION:
            if (sl_cli_parse_i64(CMD, "--partition", optarg, 0, INT32_MAX, &v)) goto usage_err;
            a.partition = (int32_t)v;
            break;
        case OPT_OFFSET:
            a.offset_given = 1;
            if (strcmp(optarg, "earliest") == 0)
                a.start = RD_KAFKA_OFFSET_BEGINNING;
            else if (strcmp(optarg, "latest") == 0)
                a.start = RD_KAFKA_OFFSET_END;
            else if (sl_cli_parse_i64(CMD, "--offset", optarg, 0, INT64_MAX, &a.start))
                goto usage_err;
            break;
        case OPT_MAX:
            if (sl_cli_parse_i64(CMD, "--max-messages", optarg, 1, INT64_MAX, &a.max_messages))
                goto usage_err;
            break;
        case OPT_TIMEOUT:
            if (sl_cli_parse_i64(CMD, "--timeout-ms", optarg, 0, INT64_MAX, &a.timeout_ms))
                goto usage_err;
            break;
        case OPT_PKEY:
            a.print_key = 1;
            break;
        case OPT_PTS:
            a.print_timestamp = 1;
            break;
        case OPT_PPART:
            a.print_partition = 1;
            break;
        case OPT_POFF:
            a.print_offset = 1;
            break;
        case OPT_PHDR:
            a.print_headers = 1;
            break;
        case OPT_KEYSEP:
            sl_cli_unescape(optarg);
            a.sep = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                a.format = FMT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                a.format = FMT_JSON;
            else {
                rc = sl_cli_usage_error(CMD, "--format takes text or json, not '%s'", optarg);
                goto out;
            }
            break;
        case OPT_GROUP:
            a.group = optarg;
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
    if (a.from_beginning && a.offset_given) {
        rc = sl_cli_usage_error(CMD, "--from-beginning and --offset cannot be used together");
        goto out;
    }
    if (a.from_beginning) a.start = RD_KAFKA_OFFSET_BEGINNING;
    if (a.group && (a.partition >= 0 || a.offset_given)) {
        rc = sl_cli_usage_error(CMD, "--group cannot be used with --partition or --offset (the "
                                     "group assigns partitions and keeps the offsets)");
        goto out;
    }
    rc = run(g, &a);
out:
    sl_cli_strv_free(&a.props);
    return rc;
usage_err:
    rc = SL_CLI_EXIT_USAGE;
    goto out;
}
