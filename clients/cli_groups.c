/*
 * cli_groups.c — `sluice groups`: list, describe, delete consumer groups and reset or delete
 * their committed offsets, with the habits of Kafka's kafka-consumer-groups.sh.
 *
 * Everything goes through librdkafka 2.0.2's Admin API: ListConsumerGroups,
 * DescribeConsumerGroups (state, members and their assignments — librdkafka decodes the
 * consumer-protocol assignment bytes shown below), DeleteGroups, ListConsumerGroupOffsets
 * (OffsetFetch), AlterConsumerGroupOffsets (OffsetCommit with generation -1, which a broker
 * accepts only while the group has no members) and DeleteConsumerGroupOffsets (OffsetDelete).
 * Log-end offsets come from rd_kafka_query_watermark_offsets, --to-datetime from
 * rd_kafka_offsets_for_times (ListOffsets by timestamp).
 *
 * Consumer-protocol assignment (the MemberAssignment bytes of DescribeGroups/SyncGroup):
 *
 *   +-------------+-------------------------------------------------------+----------------+
 *   | version i16 | topics i32 count x { topic string16 | partitions i32   | user_data      |
 *   |             |                      count x i32 }                     | bytes32        |
 *   +-------------+-------------------------------------------------------+----------------+
 *
 * Invariants:
 * - Describe never creates anything: metadata is asked for all topics, the group is only read.
 * - --reset-offsets writes only when the group is Empty or Dead (does not exist), like Kafka:
 *   a live member would overwrite the reset with its next commit. Anything else is refused
 *   with Kafka's own sentence, exit 1.
 * - Without --execute a reset is a dry run (Kafka's default), with a warning on stderr.
 * - Tables are plain text, columns separated by at least one space, "-" for "no value", so
 *   scripts can split them with awk.
 */
#include "clients/cli_int.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD "groups"

enum groups_action {
    ACT_NONE,
    ACT_LIST,
    ACT_DESCRIBE,
    ACT_DELETE,
    ACT_RESET,
    ACT_DELETE_OFFSETS,
};

enum reset_kind {
    RESET_NONE,
    RESET_EARLIEST, /* --to-earliest: the log start offset */
    RESET_LATEST,   /* --to-latest: the log end offset */
    RESET_OFFSET,   /* --to-offset N (clamped to the log) */
    RESET_DATETIME, /* --to-datetime T: first offset with timestamp >= T */
    RESET_SHIFT,    /* --shift-by N: committed offset + N (clamped) */
};

typedef struct groups_args_s {
    enum groups_action action; /* the one action requested */
    const char *group;         /* --group (borrowed from argv) */
    sl_cli_strv_t topics;      /* --topic T or T:p,p,... (borrowed), in order */
    int all_topics;            /* --all-topics: every topic the group has offsets for */
    enum reset_kind reset;     /* the one reset scenario */
    int64_t reset_value;       /* --to-offset N / --shift-by N */
    int64_t reset_ts;          /* --to-datetime, in ms since the epoch */
    int dry_run;               /* --dry-run */
    int execute;               /* --execute */
    int show_state;            /* --state: state table only (describe), state column (list) */
    int show_members;          /* --members: members table only */
    int show_offsets;          /* --offsets: offsets table only */
    sl_cli_strv_t props;       /* --property k=v: raw librdkafka settings */
} groups_args_t;

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: sluice groups --list [--state]\n"
        "       sluice groups --describe --group G [--state | --members | --offsets]\n"
        "       sluice groups --delete --group G\n"
        "       sluice groups --reset-offsets --group G (--topic T[:P,P...] ... | --all-topics)\n"
        "                     (--to-earliest | --to-latest | --to-offset N |\n"
        "                      --to-datetime YYYY-MM-DDTHH:mm:SS[.sss][Z|+hh:mm] | --shift-by N)\n"
        "                     [--dry-run | --execute]\n"
        "       sluice groups --delete-offsets --group G --topic T[:P,P...]\n"
        "\n"
        "actions (exactly one):\n"
        "  --list             names of all consumer groups, sorted (with --state: and their "
        "state)\n"
        "  --describe         the group's state, then per partition: CURRENT-OFFSET (committed),\n"
        "                     LOG-END-OFFSET, LAG and the member it is assigned to, then the\n"
        "                     members and their assignments. --state, --members or --offsets\n"
        "                     print only that table.\n"
        "  --delete           delete a group (DeleteGroups); the group must have no members\n"
        "  --reset-offsets    set the committed offsets of an inactive group (Empty, or not\n"
        "                     existing); prints GROUP TOPIC PARTITION NEW-OFFSET. Refused while\n"
        "                     the group has members. A dry run unless --execute is given.\n"
        "  --delete-offsets   delete the committed offsets of the given partitions (OffsetDelete)\n"
        "\n"
        "options:\n"
        "  --group G          the consumer group\n"
        "  --topic T[:P,P]    topic (optionally only the listed partitions); repeatable\n"
        "  --all-topics       reset every topic the group has committed offsets for\n"
        "  --to-earliest      reset to the log start offset\n"
        "  --to-latest        reset to the log end offset\n"
        "  --to-offset N      reset to N (clamped to [log start, log end], with a warning)\n"
        "  --to-datetime T    reset to the first record with a timestamp >= T (log end if none);\n"
        "                     T without a zone is local time\n"
        "  --shift-by N       move the committed offset by N (negative: back), clamped\n"
        "  --dry-run          show the new offsets, change nothing (the default)\n"
        "  --execute          commit the new offsets\n"
        "  --property k=v     raw librdkafka client setting (repeatable)\n"
        "\n" SL_CLI_COMMON_USAGE);
}

/* ---- text tables ---------------------------------------------------------------------- */

#define TABLE_MAX_COLS 10

/* Rows of owned strings; printed with each column as wide as its widest cell. */
typedef struct table_s {
    int ncols;    /* columns per row */
    char **cells; /* owned; row-major, nrows * ncols strings */
    size_t nrows; /* rows, the header included */
    size_t cap;   /* rows allocated */
} table_t;

static void table_row(table_t *t, ...)
{
    va_list ap;
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = realloc(t->cells, t->cap * (size_t)t->ncols * sizeof *t->cells);
        if (!t->cells) abort();
    }
    va_start(ap, t);
    for (int i = 0; i < t->ncols; i++) {
        const char *s = va_arg(ap, const char *);
        char *copy = strdup(s ? s : "-");
        if (!copy) abort();
        t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = copy;
    }
    va_end(ap);
    t->nrows++;
}

static void table_print(const table_t *t, FILE *f)
{
    size_t w[TABLE_MAX_COLS] = {0};
    for (size_t r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++) {
            size_t l = strlen(t->cells[r * (size_t)t->ncols + (size_t)c]);
            if (l > w[c]) w[c] = l;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];
            if (c + 1 < t->ncols)
                fprintf(f, "%-*s ", (int)w[c], s);
            else
                fprintf(f, "%s\n", s);
        }
    }
}

static void table_free(table_t *t)
{
    for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

/* A number as a string in a small caller-owned buffer; "-" for negative (no value). */
static const char *num(char *buf, size_t n, int64_t v)
{
    if (v < 0) return "-";
    snprintf(buf, n, "%" PRId64, v);
    return buf;
}

/* ---- admin plumbing ------------------------------------------------------------------- */

static rd_kafka_AdminOptions_t *admin_options(rd_kafka_t *rk, rd_kafka_admin_op_t op,
                                              const sl_cli_global_t *g)
{
    char errstr[256];
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
    rd_kafka_AdminOptions_set_request_timeout(o, g->request_timeout_ms, errstr, sizeof errstr);
    return o;
}

/*
 * Wait for the result of one admin request on q, polling the handle so error_cb can record
 * why a broker is unreachable. NULL (after printing) on a request-level error; the caller
 * destroys the returned event.
 */
static rd_kafka_event_t *admin_wait(rd_kafka_t *rk, rd_kafka_queue_t *q, const sl_cli_global_t *g,
                                    const char *what)
{
    /* librdkafka times the request out itself; this bound only guards against a lost event */
    int left_ms = g->request_timeout_ms + 10000;
    rd_kafka_event_t *ev = NULL;
    while (!ev && left_ms > 0) {
        ev = rd_kafka_queue_poll(q, 100);
        rd_kafka_poll(rk, 0);
        left_ms -= 100;
    }
    if (!ev) {
        sl_cli_kerr(CMD, what, RD_KAFKA_RESP_ERR__TIMED_OUT, "no answer from the broker");
        return NULL;
    }
    if (rd_kafka_event_error(ev)) {
        sl_cli_kerr(CMD, what, rd_kafka_event_error(ev), rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

/* What DescribeConsumerGroups said about one group (owns the event it borrows from). */
typedef struct group_desc_s {
    rd_kafka_event_t *ev;                            /* owned; keeps desc alive */
    const rd_kafka_ConsumerGroupDescription_t *desc; /* borrowed from ev */
    rd_kafka_consumer_group_state_t state;           /* the group's state */
    size_t nmembers;                                 /* members in desc */
} group_desc_t;

static void group_desc_free(group_desc_t *d)
{
    if (d->ev) rd_kafka_event_destroy(d->ev);
    memset(d, 0, sizeof *d);
}

/* DescribeConsumerGroups for one group. 0, or -1 after printing the error. */
static int describe_group(rd_kafka_t *rk, rd_kafka_queue_t *q, const sl_cli_global_t *g,
                          const char *group, group_desc_t *out)
{
    memset(out, 0, sizeof *out);
    const char *groups[1] = {group};
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, g);
    rd_kafka_DescribeConsumerGroups(rk, groups, 1, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_event_t *ev = admin_wait(rk, q, g, "DescribeGroups");
    if (!ev) return -1;
    size_t n = 0;
    const rd_kafka_DescribeConsumerGroups_result_t *res =
        rd_kafka_event_DescribeConsumerGroups_result(ev);
    const rd_kafka_ConsumerGroupDescription_t **descs =
        res ? rd_kafka_DescribeConsumerGroups_result_groups(res, &n) : NULL;
    if (n != 1) {
        rd_kafka_event_destroy(ev);
        sl_cli_fail(CMD, "DescribeGroups: the broker returned %zu groups for one asked", n);
        return -1;
    }
    const rd_kafka_error_t *err = rd_kafka_ConsumerGroupDescription_error(descs[0]);
    if (err && rd_kafka_error_code(err) != RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) {
        sl_cli_kerr(CMD, group, rd_kafka_error_code(err), rd_kafka_error_string(err));
        rd_kafka_event_destroy(ev);
        return -1;
    }
    out->ev = ev;
    out->desc = descs[0];
    out->state = err ? RD_KAFKA_CONSUMER_GROUP_STATE_DEAD
                     : rd_kafka_ConsumerGroupDescription_state(descs[0]);
    out->nmembers = err ? 0 : rd_kafka_ConsumerGroupDescription_member_count(descs[0]);
    return 0;
}

/*
 * The group's committed offsets, as a new list the caller destroys; entries without a
 * committed offset are left out. NULL after printing the error.
 *
 * OffsetFetch names every partition of every topic (from metadata) instead of asking for "all"
 * (a null topic list): librdkafka 2.0.2 encodes the null list of a flexible OffsetFetch (v6+)
 * as an unfinished 4-byte count placeholder, i.e. 3 stray bytes after the body, which a
 * strict broker rejects (Sluice closes the connection).
 */
static rd_kafka_topic_partition_list_t *
committed_offsets(rd_kafka_t *rk, rd_kafka_queue_t *q, const sl_cli_global_t *g, const char *group)
{
    const struct rd_kafka_metadata *md;
    if (sl_cli_metadata_all(rk, g, CMD, &md) != 0) return NULL;
    rd_kafka_topic_partition_list_t *all = rd_kafka_topic_partition_list_new(64);
    for (int i = 0; i < md->topic_cnt; i++) {
        if (md->topics[i].err || strncmp(md->topics[i].topic, "__", 2) == 0) continue;
        for (int j = 0; j < md->topics[i].partition_cnt; j++)
            rd_kafka_topic_partition_list_add(all, md->topics[i].topic,
                                              md->topics[i].partitions[j].id);
    }
    rd_kafka_metadata_destroy(md);
    if (all->cnt == 0) return all; /* no topics: nothing can be committed */
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group, all);
    rd_kafka_topic_partition_list_destroy(all);
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, g);
    rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_event_t *ev = admin_wait(rk, q, g, "OffsetFetch");
    if (!ev) return NULL;
    size_t n = 0;
    const rd_kafka_ListConsumerGroupOffsets_result_t *res =
        rd_kafka_event_ListConsumerGroupOffsets_result(ev);
    const rd_kafka_group_result_t **gr =
        res ? rd_kafka_ListConsumerGroupOffsets_result_groups(res, &n) : NULL;
    rd_kafka_topic_partition_list_t *out = NULL;
    if (n != 1) {
        sl_cli_fail(CMD, "OffsetFetch: the broker returned %zu groups for one asked", n);
        goto done;
    }
    const rd_kafka_error_t *err = rd_kafka_group_result_error(gr[0]);
    if (err) {
        sl_cli_kerr(CMD, group, rd_kafka_error_code(err), rd_kafka_error_string(err));
        goto done;
    }
    const rd_kafka_topic_partition_list_t *parts = rd_kafka_group_result_partitions(gr[0]);
    out = rd_kafka_topic_partition_list_new(parts ? parts->cnt : 0);
    for (int i = 0; parts && i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &parts->elems[i];
        if (p->err) {
            fprintf(stderr, "sluice %s: warning: committed offset of %s [%" PRId32 "]: %s\n", CMD,
                    p->topic, p->partition, rd_kafka_err2name(p->err));
            continue;
        }
        if (p->offset < 0) continue;
        rd_kafka_topic_partition_list_add(out, p->topic, p->partition)->offset = p->offset;
    }
done:
    rd_kafka_event_destroy(ev);
    return out;
}

static int64_t committed_of(const rd_kafka_topic_partition_list_t *c, const char *topic,
                            int32_t partition)
{
    for (int i = 0; c && i < c->cnt; i++)
        if (c->elems[i].partition == partition && strcmp(c->elems[i].topic, topic) == 0)
            return c->elems[i].offset;
    return -1;
}

/* ---- --list --------------------------------------------------------------------------- */

typedef struct listed_s {
    const char *name;                      /* borrowed from the result event */
    rd_kafka_consumer_group_state_t state; /* as listed */
} listed_t;

static int listed_cmp(const void *a, const void *b)
{
    return strcmp(((const listed_t *)a)->name, ((const listed_t *)b)->name);
}

/*
 * --list through the older rd_kafka_list_groups() (ListGroups v0 + DescribeGroups v0): the
 * fallback when ListConsumerGroups fails on the connection. librdkafka 2.0.2 sends ListGroups
 * v4 with one stray byte after the body, which a strict broker rejects by closing it.
 */
static int do_list_legacy(rd_kafka_t *rk, const sl_cli_global_t *g, const groups_args_t *a)
{
    const struct rd_kafka_group_list *gl = NULL;
    rd_kafka_resp_err_t err = rd_kafka_list_groups(rk, NULL, &gl, g->request_timeout_ms);
    if (err) return sl_cli_kerr(CMD, "ListGroups", err, NULL);
    size_t cap = gl->group_cnt > 0 ? (size_t)gl->group_cnt : 1, n = 0;
    const struct rd_kafka_group_info **v = calloc(cap, sizeof *v);
    if (!v) abort();
    for (int i = 0; i < gl->group_cnt; i++) {
        const struct rd_kafka_group_info *gi = &gl->groups[i];
        if (gi->err)
            fprintf(stderr, "sluice %s: warning: group %s: %s\n", CMD, gi->group,
                    rd_kafka_err2name(gi->err));
        /* a group with another protocol type (e.g. "connect") is not a consumer group */
        if (gi->protocol_type && *gi->protocol_type && strcmp(gi->protocol_type, "consumer"))
            continue;
        size_t j = n++; /* insertion sort by name */
        for (; j > 0 && strcmp(v[j - 1]->group, gi->group) > 0; j--)
            v[j] = v[j - 1];
        v[j] = gi;
    }
    if (a->show_state) {
        table_t t = {.ncols = 2};
        table_row(&t, "GROUP", "STATE");
        for (size_t i = 0; i < n; i++)
            table_row(&t, v[i]->group, v[i]->state && *v[i]->state ? v[i]->state : "Unknown");
        table_print(&t, stdout);
        table_free(&t);
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", v[i]->group);
    }
    free(v);
    rd_kafka_group_list_destroy(gl);
    return SL_CLI_EXIT_OK;
}

static int do_list(rd_kafka_t *rk, rd_kafka_queue_t *q, const sl_cli_global_t *g,
                   const groups_args_t *a)
{
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, g);
    rd_kafka_ListConsumerGroups(rk, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_event_t *ev = admin_wait(rk, q, g, "ListGroups");
    if (!ev) return SL_CLI_EXIT_FAIL;
    int rc = SL_CLI_EXIT_OK;
    size_t n = 0, nerr = 0;
    const rd_kafka_ListConsumerGroups_result_t *res = rd_kafka_event_ListConsumerGroups_result(ev);
    const rd_kafka_ConsumerGroupListing_t **v =
        res ? rd_kafka_ListConsumerGroups_result_valid(res, &n) : NULL;
    const rd_kafka_error_t **errs =
        res ? rd_kafka_ListConsumerGroups_result_errors(res, &nerr) : NULL;
    if (nerr > 0 && n == 0 && rd_kafka_error_code(errs[0]) == RD_KAFKA_RESP_ERR__TRANSPORT) {
        rd_kafka_event_destroy(ev);
        return do_list_legacy(rk, g, a);
    }
    for (size_t i = 0; i < nerr; i++)
        rc = sl_cli_kerr(CMD, "ListGroups", rd_kafka_error_code(errs[i]),
                         rd_kafka_error_string(errs[i]));
    listed_t *l = calloc(n ? n : 1, sizeof *l);
    if (!l) abort();
    for (size_t i = 0; i < n; i++) {
        l[i].name = rd_kafka_ConsumerGroupListing_group_id(v[i]);
        l[i].state = rd_kafka_ConsumerGroupListing_state(v[i]);
    }
    qsort(l, n, sizeof *l, listed_cmp);
    if (a->show_state) {
        table_t t = {.ncols = 2};
        table_row(&t, "GROUP", "STATE");
        for (size_t i = 0; i < n; i++)
            table_row(&t, l[i].name, rd_kafka_consumer_group_state_name(l[i].state));
        table_print(&t, stdout);
        table_free(&t);
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", l[i].name);
    }
    free(l);
    rd_kafka_event_destroy(ev);
    return rc;
}

/* ---- --describe ----------------------------------------------------------------------- */

/* One line of the offsets table. */
typedef struct prow_s {
    const char *topic;                          /* borrowed (committed list or member assignment) */
    int32_t partition;                          /* partition */
    int64_t committed;                          /* committed offset, -1 if none */
    int64_t log_end;                            /* high watermark, -1 if unknown */
    const rd_kafka_MemberDescription_t *member; /* owner, or NULL */
} prow_t;

static int prow_cmp(const void *a, const void *b)
{
    const prow_t *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    if (c) return c;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

/* Find or add the row of topic/partition in rows[0..*n). */
static prow_t *prow_get(prow_t **rows, size_t *n, size_t *cap, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < *n; i++)
        if ((*rows)[i].partition == partition && strcmp((*rows)[i].topic, topic) == 0)
            return &(*rows)[i];
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *rows = realloc(*rows, *cap * sizeof **rows);
        if (!*rows) abort();
    }
    prow_t *r = &(*rows)[(*n)++];
    *r = (prow_t){.topic = topic, .partition = partition, .committed = -1, .log_end = -1};
    return r;
}

/* "t1(0,1,2), t2(0)" for a member's assignment, in a malloc'd string. */
static char *assignment_str(const rd_kafka_topic_partition_list_t *l)
{
    size_t cap = 64, len = 0;
    char *s = malloc(cap);
    if (!s) abort();
    s[0] = '\0';
    const char *prev = NULL;
    for (int i = 0; l && i < l->cnt; i++) {
        char piece[512];
        int same = prev && strcmp(prev, l->elems[i].topic) == 0;
        int k;
        if (same)
            k = snprintf(piece, sizeof piece, ",%" PRId32, l->elems[i].partition);
        else
            k = snprintf(piece, sizeof piece, "%s%s(%" PRId32, prev ? "), " : "", l->elems[i].topic,
                         l->elems[i].partition);
        if (k < 0) k = 0;
        if ((size_t)k >= sizeof piece) k = sizeof piece - 1;
        while (len + (size_t)k + 2 >= cap) {
            cap *= 2;
            s = realloc(s, cap);
            if (!s) abort();
        }
        memcpy(s + len, piece, (size_t)k);
        len += (size_t)k;
        s[len] = '\0';
        prev = l->elems[i].topic;
    }
    if (prev) {
        s[len++] = ')';
        s[len] = '\0';
    } else {
        free(s);
        s = strdup("-");
        if (!s) abort();
    }
    return s;
}

static void print_state_table(const groups_args_t *a, const group_desc_t *d)
{
    table_t t = {.ncols = 5};
    char coord[300] = "-", members[32];
    const char *assignor = NULL;
    if (d->state != RD_KAFKA_CONSUMER_GROUP_STATE_DEAD) {
        const rd_kafka_Node_t *node = rd_kafka_ConsumerGroupDescription_coordinator(d->desc);
        if (node)
            snprintf(coord, sizeof coord, "%s:%u (%d)", rd_kafka_Node_host(node),
                     (unsigned)rd_kafka_Node_port(node), rd_kafka_Node_id(node));
        assignor = rd_kafka_ConsumerGroupDescription_partition_assignor(d->desc);
        if (assignor && !*assignor) assignor = NULL;
    }
    snprintf(members, sizeof members, "%zu", d->nmembers);
    table_row(&t, "GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS");
    table_row(&t, a->group, coord, assignor, rd_kafka_consumer_group_state_name(d->state), members);
    table_print(&t, stdout);
    table_free(&t);
}

static void print_members_table(const groups_args_t *a, const group_desc_t *d)
{
    table_t t = {.ncols = 7};
    table_row(&t, "GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID", "#PARTITIONS",
              "ASSIGNMENT");
    for (size_t i = 0; i < d->nmembers; i++) {
        const rd_kafka_MemberDescription_t *m =
            rd_kafka_ConsumerGroupDescription_member(d->desc, i);
        const rd_kafka_MemberAssignment_t *as = rd_kafka_MemberDescription_assignment(m);
        const rd_kafka_topic_partition_list_t *l =
            as ? rd_kafka_MemberAssignment_partitions(as) : NULL;
        char cnt[32], *astr = assignment_str(l);
        const char *inst = rd_kafka_MemberDescription_group_instance_id(m);
        snprintf(cnt, sizeof cnt, "%d", l ? l->cnt : 0);
        table_row(&t, a->group, rd_kafka_MemberDescription_consumer_id(m),
                  inst && *inst ? inst : NULL, rd_kafka_MemberDescription_host(m),
                  rd_kafka_MemberDescription_client_id(m), cnt, astr);
        free(astr);
    }
    table_print(&t, stdout);
    table_free(&t);
}

static int print_offsets_table(rd_kafka_t *rk, const sl_cli_global_t *g, const groups_args_t *a,
                               const group_desc_t *d,
                               const rd_kafka_topic_partition_list_t *committed)
{
    prow_t *rows = NULL;
    size_t n = 0, cap = 0;
    int rc = SL_CLI_EXIT_OK;
    for (int i = 0; i < committed->cnt; i++)
        prow_get(&rows, &n, &cap, committed->elems[i].topic, committed->elems[i].partition)
            ->committed = committed->elems[i].offset;
    for (size_t i = 0; i < d->nmembers; i++) {
        const rd_kafka_MemberDescription_t *m =
            rd_kafka_ConsumerGroupDescription_member(d->desc, i);
        const rd_kafka_MemberAssignment_t *as = rd_kafka_MemberDescription_assignment(m);
        const rd_kafka_topic_partition_list_t *l =
            as ? rd_kafka_MemberAssignment_partitions(as) : NULL;
        for (int j = 0; l && j < l->cnt; j++)
            prow_get(&rows, &n, &cap, l->elems[j].topic, l->elems[j].partition)->member = m;
    }
    qsort(rows, n, sizeof *rows, prow_cmp);
    for (size_t i = 0; i < n; i++) {
        int64_t lo, hi;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
            rk, rows[i].topic, rows[i].partition, &lo, &hi, g->request_timeout_ms);
        if (err) {
            fprintf(stderr, "sluice %s: warning: log end offset of %s [%" PRId32 "]: %s: %s\n", CMD,
                    rows[i].topic, rows[i].partition, rd_kafka_err2name(err),
                    rd_kafka_err2str(err));
            rc = SL_CLI_EXIT_FAIL;
            continue;
        }
        rows[i].log_end = hi;
    }
    if (d->nmembers == 0) printf("Consumer group '%s' has no active members.\n\n", a->group);
    table_t t = {.ncols = 9};
    table_row(&t, "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
              "CONSUMER-ID", "HOST", "CLIENT-ID");
    for (size_t i = 0; i < n; i++) {
        char part[16], cur[32], end[32], lag[32];
        const prow_t *r = &rows[i];
        int64_t l = r->committed >= 0 && r->log_end >= 0 ? r->log_end - r->committed : -1;
        if (l < -1) l = 0; /* committed beyond the log end (log truncated): nothing to read */
        snprintf(part, sizeof part, "%" PRId32, r->partition);
        table_row(&t, a->group, r->topic, part, num(cur, sizeof cur, r->committed),
                  num(end, sizeof end, r->log_end), num(lag, sizeof lag, l),
                  r->member ? rd_kafka_MemberDescription_consumer_id(r->member) : NULL,
                  r->member ? rd_kafka_MemberDescription_host(r->member) : NULL,
                  r->member ? rd_kafka_MemberDescription_client_id(r->member) : NULL);
    }
    table_print(&t, stdout);
    table_free(&t);
    free(rows);
    return rc;
}

static int do_describe(rd_kafka_t *rk, rd_kafka_queue_t *q, const sl_cli_global_t *g,
                       const groups_args_t *a)
{
    group_desc_t d;
    if (describe_group(rk, q, g, a->group, &d) != 0) return SL_CLI_EXIT_FAIL;
    rd_kafka_topic_partition_list_t *committed = committed_offsets(rk, q, g, a->group);
    int rc = SL_CLI_EXIT_OK;
    if (!committed) {
        rc = SL_CLI_EXIT_FAIL;
        goto done;
    }
    if (d.state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD && d.nmembers == 0 && committed->cnt == 0) {
        rc = sl_cli_fail(CMD, "Consumer group '%s' does not exist.", a->group);
        goto done;
    }
    int all = !a->show_state && !a->show_members && !a->show_offsets;
    int printed = 0;
    if (all || a->show_state) {
        print_state_table(a, &d);
        printed = 1;
    }
    if (all || a->show_offsets) {
        if (printed) putchar('\n');
        rc = print_offsets_table(rk, g, a, &d, committed);
        printed = 1;
    }
    if ((all && d.nmembers > 0) || a->show_members) {
        if (printed) putchar('\n');
        if (d.nmembers == 0)
            printf("Consumer group '%s' has no active members.\n", a->group);
        else
            print_members_table(a, &d);
    }
done:
    if (committed) rd_kafka_topic_partition_list_destroy(committed);
    group_desc_free(&d);
    return rc;
}

/* ---- --delete ------------------------------------------------------------------------- */

static int do_delete(rd_kafka_t *rk, rd_kafka_queue_t *q, const sl_cli_global_t *g,
                     const groups_args_t *a)
{
    rd_kafka_DeleteGroup_t *del = rd_kafka_DeleteGroup_new(a->group);
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_DELETEGROUPS, g);
    rd_kafka_DeleteGroups(rk, &del, 1, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_DeleteGroup_destroy(del);
    rd_kafka_event_t *ev = admin_wait(rk, q, g, "DeleteGroups");
    if (!ev) return SL_CLI_EXIT_FAIL;
    size_t n = 0;
    const rd_kafka_DeleteGroups_result_t *res = rd_kafka_event_DeleteGroups_result(ev);
    const rd_kafka_group_result_t **gr = res ? rd_kafka_DeleteGroups_result_groups(res, &n) : NULL;
    int rc = SL_CLI_EXIT_OK;
    if (n != 1) {
        rc = sl_cli_fail(CMD, "DeleteGroups: the broker returned %zu results for one group", n);
    } else if (rd_kafka_group_result_error(gr[0])) {
        const rd_kafka_error_t *err = rd_kafka_group_result_error(gr[0]);
        fprintf(stderr,
                "Deletion of some consumer groups failed:\n"
                "* Group '%s' could not be deleted due to: %s: %s\n",
                a->group, rd_kafka_error_name(err), rd_kafka_error_string(err));
        rc = SL_CLI_EXIT_FAIL;
    } else {
        printf("Deletion of requested consumer groups ('%s') was successful.\n", a->group);
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

/* ---- partitions named by --topic ------------------------------------------------------ */

/*
 * The partitions --topic T[:P,P...] (and --all-topics) name, as a new list. Every topic must
 * exist and every listed partition must be in range. NULL after printing the error.
 */
static rd_kafka_topic_partition_list_t *
scope_partitions(rd_kafka_t *rk, const sl_cli_global_t *g, const groups_args_t *a,
                 const rd_kafka_topic_partition_list_t *committed)
{
    const struct rd_kafka_metadata *md;
    if (sl_cli_metadata_all(rk, g, CMD, &md) != 0) return NULL;
    rd_kafka_topic_partition_list_t *out = rd_kafka_topic_partition_list_new(16);
    for (size_t i = 0; i < a->topics.n; i++) {
        char *spec = strdup(a->topics.v[i]);
        if (!spec) abort();
        char *colon = strchr(spec, ':');
        if (colon) *colon = '\0';
        const rd_kafka_metadata_topic_t *t = sl_cli_md_topic(md, spec);
        if (!t || t->err) {
            sl_cli_kerr(CMD, spec, t ? t->err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                        "topic does not exist");
            free(spec);
            goto fail;
        }
        if (!colon) {
            for (int p = 0; p < t->partition_cnt; p++)
                rd_kafka_topic_partition_list_add(out, spec, t->partitions[p].id);
        } else {
            char *save = NULL;
            for (char *tok = strtok_r(colon + 1, ",", &save); tok;
                 tok = strtok_r(NULL, ",", &save)) {
                int64_t p;
                if (sl_cli_parse_i64(CMD, "--topic partition", tok, 0, INT32_MAX, &p) != 0) {
                    free(spec);
                    goto fail;
                }
                if (p >= t->partition_cnt) {
                    sl_cli_kerr(CMD, spec, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
                                "no such partition (the topic has fewer)");
                    free(spec);
                    goto fail;
                }
                rd_kafka_topic_partition_list_add(out, spec, (int32_t)p);
            }
        }
        free(spec);
    }
    for (int i = 0; a->all_topics && committed && i < committed->cnt; i++)
        rd_kafka_topic_partition_list_add(out, committed->elems[i].topic,
                                          committed->elems[i].partition);
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_partition_list_sort(out, NULL, NULL);
    /* drop duplicates (a topic given twice) */
    int w = 0;
    for (int i = 0; i < out->cnt; i++) {
        if (w > 0 && out->elems[w - 1].partition == out->elems[i].partition &&
            strcmp(out->elems[w - 1].topic, out->elems[i].topic) == 0)
            continue;
        if (w != i) {
            rd_kafka_topic_partition_t tmp = out->elems[w];
            out->elems[w] = out->elems[i];
            out->elems[i] = tmp;
        }
        w++;
    }
    while (out->cnt > w)
        rd_kafka_topic_partition_list_del_by_idx(out, out->cnt - 1);
    return out;
fail:
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_partition_list_destroy(out);
    return NULL;
}

/* ---- --reset-offsets ------------------------------------------------------------------ */

/* Fill each partition's offset with its new committed offset. 0, or -1 after printing. */
static int compute_new_offsets(rd_kafka_t *rk, const sl_cli_global_t *g, const groups_args_t *a,
                               const rd_kafka_topic_partition_list_t *committed,
                               rd_kafka_topic_partition_list_t *parts)
{
    int64_t *lo = calloc((size_t)parts->cnt + 1, sizeof *lo);
    int64_t *hi = calloc((size_t)parts->cnt + 1, sizeof *hi);
    int rc = -1;
    if (!lo || !hi) abort();
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_resp_err_t err =
            rd_kafka_query_watermark_offsets(rk, parts->elems[i].topic, parts->elems[i].partition,
                                             &lo[i], &hi[i], g->request_timeout_ms);
        if (err) {
            char what[300];
            snprintf(what, sizeof what, "offsets of %s [%" PRId32 "]", parts->elems[i].topic,
                     parts->elems[i].partition);
            sl_cli_kerr(CMD, what, err, NULL);
            goto out;
        }
    }
    if (a->reset == RESET_DATETIME) {
        rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_copy(parts);
        for (int i = 0; i < q->cnt; i++)
            q->elems[i].offset = a->reset_ts;
        rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk, q, g->request_timeout_ms);
        if (err) {
            sl_cli_kerr(CMD, "ListOffsets by timestamp", err, NULL);
            rd_kafka_topic_partition_list_destroy(q);
            goto out;
        }
        for (int i = 0; i < q->cnt; i++) {
            if (q->elems[i].err) {
                char what[300];
                snprintf(what, sizeof what, "offset by time of %s [%" PRId32 "]", q->elems[i].topic,
                         q->elems[i].partition);
                sl_cli_kerr(CMD, what, q->elems[i].err, NULL);
                rd_kafka_topic_partition_list_destroy(q);
                goto out;
            }
            /* no record at or after the time: the log end, as Kafka does */
            parts->elems[i].offset = q->elems[i].offset >= 0 ? q->elems[i].offset : hi[i];
        }
        rd_kafka_topic_partition_list_destroy(q);
    }
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *p = &parts->elems[i];
        int64_t want = 0;
        switch (a->reset) {
        case RESET_EARLIEST:
            want = lo[i];
            break;
        case RESET_LATEST:
            want = hi[i];
            break;
        case RESET_OFFSET:
            want = a->reset_value;
            break;
        case RESET_DATETIME:
            want = p->offset;
            break;
        case RESET_SHIFT: {
            int64_t cur = committed_of(committed, p->topic, p->partition);
            if (cur < 0) {
                sl_cli_fail(CMD,
                            "%s [%" PRId32 "] has no committed offset in group '%s' to shift "
                            "from; use --to-earliest, --to-latest or --to-offset",
                            p->topic, p->partition, a->group);
                goto out;
            }
            want = cur + a->reset_value;
            break;
        }
        case RESET_NONE:
            break;
        }
        if (want < lo[i] || want > hi[i]) {
            int64_t clamped = want < lo[i] ? lo[i] : hi[i];
            fprintf(stderr,
                    "sluice %s: warning: new offset (%" PRId64 ") is %s than the %s offset "
                    "for %s [%" PRId32 "]; using %" PRId64 " instead\n",
                    CMD, want, want < lo[i] ? "lower" : "higher",
                    want < lo[i] ? "earliest" : "latest", p->topic, p->partition, clamped);
            want = clamped;
        }
        p->offset = want;
    }
    rc = 0;
out:
    free(lo);
    free(hi);
    return rc;
}

static int do_reset(rd_kafka_t *rk, rd_kafka_queue_t *q, const sl_cli_global_t *g,
                    const groups_args_t *a)
{
    group_desc_t d;
    if (describe_group(rk, q, g, a->group, &d) != 0) return SL_CLI_EXIT_FAIL;
    rd_kafka_consumer_group_state_t st = d.state;
    group_desc_free(&d);
    if (st != RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY && st != RD_KAFKA_CONSUMER_GROUP_STATE_DEAD)
        return sl_cli_fail(CMD,
                           "Assignments can only be reset if the group '%s' is inactive, but "
                           "the current state is %s.",
                           a->group, rd_kafka_consumer_group_state_name(st));

    int rc = SL_CLI_EXIT_FAIL;
    rd_kafka_topic_partition_list_t *parts = NULL;
    rd_kafka_topic_partition_list_t *committed = committed_offsets(rk, q, g, a->group);
    if (!committed) goto done;
    parts = scope_partitions(rk, g, a, committed);
    if (!parts) goto done;
    if (parts->cnt == 0) {
        rc = sl_cli_fail(CMD, "no partitions to reset (group '%s' has no committed offsets)",
                         a->group);
        goto done;
    }
    if (compute_new_offsets(rk, g, a, committed, parts) != 0) goto done;

    if (!a->execute && !a->dry_run)
        fprintf(stderr, "WARN: No action will be performed as the --execute option is missing. "
                        "Add --dry-run to say that this is what you want, or --execute to "
                        "commit the new offsets.\n");
    rc = SL_CLI_EXIT_OK;
    if (a->execute) {
        rd_kafka_AlterConsumerGroupOffsets_t *alter =
            rd_kafka_AlterConsumerGroupOffsets_new(a->group, parts);
        rd_kafka_AdminOptions_t *o =
            admin_options(rk, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, g);
        rd_kafka_AlterConsumerGroupOffsets(rk, &alter, 1, o, q);
        rd_kafka_AdminOptions_destroy(o);
        rd_kafka_AlterConsumerGroupOffsets_destroy(alter);
        rd_kafka_event_t *ev = admin_wait(rk, q, g, "OffsetCommit");
        if (!ev) {
            rc = SL_CLI_EXIT_FAIL;
            goto done;
        }
        size_t n = 0;
        const rd_kafka_AlterConsumerGroupOffsets_result_t *res =
            rd_kafka_event_AlterConsumerGroupOffsets_result(ev);
        const rd_kafka_group_result_t **gr =
            res ? rd_kafka_AlterConsumerGroupOffsets_result_groups(res, &n) : NULL;
        if (n != 1) {
            rc = sl_cli_fail(CMD, "OffsetCommit: the broker returned %zu results for one group", n);
        } else if (rd_kafka_group_result_error(gr[0])) {
            const rd_kafka_error_t *err = rd_kafka_group_result_error(gr[0]);
            rc = sl_cli_kerr(CMD, a->group, rd_kafka_error_code(err), rd_kafka_error_string(err));
        } else {
            const rd_kafka_topic_partition_list_t *r = rd_kafka_group_result_partitions(gr[0]);
            for (int i = 0; r && i < r->cnt; i++) {
                if (!r->elems[i].err) continue;
                char what[300];
                snprintf(what, sizeof what, "commit of %s [%" PRId32 "]", r->elems[i].topic,
                         r->elems[i].partition);
                rc = sl_cli_kerr(CMD, what, r->elems[i].err, NULL);
            }
        }
        rd_kafka_event_destroy(ev);
        if (rc != SL_CLI_EXIT_OK) goto done;
    }
    table_t t = {.ncols = 4};
    table_row(&t, "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET");
    for (int i = 0; i < parts->cnt; i++) {
        char p[16], o[32];
        snprintf(p, sizeof p, "%" PRId32, parts->elems[i].partition);
        table_row(&t, a->group, parts->elems[i].topic, p, num(o, sizeof o, parts->elems[i].offset));
    }
    table_print(&t, stdout);
    table_free(&t);
done:
    if (parts) rd_kafka_topic_partition_list_destroy(parts);
    if (committed) rd_kafka_topic_partition_list_destroy(committed);
    return rc;
}

/* ---- --delete-offsets ----------------------------------------------------------------- */

static int do_delete_offsets(rd_kafka_t *rk, rd_kafka_queue_t *q, const sl_cli_global_t *g,
                             const groups_args_t *a)
{
    rd_kafka_topic_partition_list_t *parts = scope_partitions(rk, g, a, NULL);
    if (!parts) return SL_CLI_EXIT_FAIL;
    rd_kafka_DeleteConsumerGroupOffsets_t *del =
        rd_kafka_DeleteConsumerGroupOffsets_new(a->group, parts);
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS, g);
    rd_kafka_DeleteConsumerGroupOffsets(rk, &del, 1, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_DeleteConsumerGroupOffsets_destroy(del);
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_event_t *ev = admin_wait(rk, q, g, "OffsetDelete");
    if (!ev) return SL_CLI_EXIT_FAIL;
    int rc = SL_CLI_EXIT_OK;
    size_t n = 0;
    const rd_kafka_DeleteConsumerGroupOffsets_result_t *res =
        rd_kafka_event_DeleteConsumerGroupOffsets_result(ev);
    const rd_kafka_group_result_t **gr =
        res ? rd_kafka_DeleteConsumerGroupOffsets_result_groups(res, &n) : NULL;
    if (n != 1) {
        rc = sl_cli_fail(CMD, "OffsetDelete: the broker returned %zu results for one group", n);
    } else if (rd_kafka_group_result_error(gr[0])) {
        const rd_kafka_error_t *err = rd_kafka_group_result_error(gr[0]);
        rc = sl_cli_kerr(CMD, a->group, rd_kafka_error_code(err), rd_kafka_error_string(err));
    } else {
        const rd_kafka_topic_partition_list_t *r = rd_kafka_group_result_partitions(gr[0]);
        table_t t = {.ncols = 3};
        table_row(&t, "TOPIC", "PARTITION", "STATUS");
        for (int i = 0; r && i < r->cnt; i++) {
            char p[16];
            snprintf(p, sizeof p, "%" PRId32, r->elems[i].partition);
            if (r->elems[i].err) rc = SL_CLI_EXIT_FAIL;
            table_row(&t, r->elems[i].topic, p,
                      r->elems[i].err ? rd_kafka_err2name(r->elems[i].err) : "Successful");
        }
        table_print(&t, stdout);
        table_free(&t);
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

/* ---- command line --------------------------------------------------------------------- */

/*
 * Parse "YYYY-MM-DDTHH:mm:SS[.sss][Z|+hh:mm|-hh:mm]" into ms since the epoch; without a
 * zone the time is local, as with kafka-consumer-groups. 0 ok, -1 malformed.
 */
static int parse_datetime(const char *s, int64_t *out_ms)
{
    struct tm tm;
    int n = 0, ms = 0;
    memset(&tm, 0, sizeof tm);
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &n) != 6 ||
        n != 19)
        return -1;
    const char *p = s + n;
    if (*p == '.') {
        int digits = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
            if (digits < 3) ms = ms * 10 + (*p - '0');
            digits++;
            p++;
        }
        if (digits == 0) return -1;
        for (; digits < 3; digits++)
            ms *= 10;
    }
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t;
    if (*p == '\0') {
        tm.tm_isdst = -1;
        t = mktime(&tm);
    } else {
        long off = 0;
        if (strcmp(p, "Z") != 0) {
            int hh, mm, k = 0;
            if ((p[0] != '+' && p[0] != '-') || sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &k) != 2 ||
                p[1 + k] != '\0' || hh > 23 || mm > 59)
                return -1;
            off = (hh * 60L + mm) * 60L * (p[0] == '-' ? -1 : 1);
        }
        t = timegm(&tm) - off;
    }
    if (t == (time_t)-1) return -1;
    *out_ms = (int64_t)t * 1000 + ms;
    return 0;
}

static int run(const sl_cli_global_t *g, const groups_args_t *a)
{
    rd_kafka_conf_t *conf = sl_cli_conf_new(g, CMD, NULL, &a->props);
    if (!conf) return SL_CLI_EXIT_USAGE;
    rd_kafka_t *rk = sl_cli_rk_new(RD_KAFKA_PRODUCER, conf, CMD);
    if (!rk) return SL_CLI_EXIT_FAIL;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    int rc = SL_CLI_EXIT_FAIL;
    switch (a->action) {
    case ACT_LIST:
        rc = do_list(rk, q, g, a);
        break;
    case ACT_DESCRIBE:
        rc = do_describe(rk, q, g, a);
        break;
    case ACT_DELETE:
        rc = do_delete(rk, q, g, a);
        break;
    case ACT_RESET:
        rc = do_reset(rk, q, g, a);
        break;
    case ACT_DELETE_OFFSETS:
        rc = do_delete_offsets(rk, q, g, a);
        break;
    case ACT_NONE:
        break;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) rc = sl_cli_fail(CMD, "writing stdout failed");
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}

int sl_cli_groups(sl_cli_global_t *g, int argc, char **argv)
{
    enum {
        OPT_LIST = SL_CLI_OPT_FIRST_LOCAL,
        OPT_DESCRIBE,
        OPT_DELETE,
        OPT_RESET,
        OPT_DELETE_OFFSETS,
        OPT_GROUP,
        OPT_TOPIC,
        OPT_ALL_TOPICS,
        OPT_EARLIEST,
        OPT_LATEST,
        OPT_TO_OFFSET,
        OPT_DATETIME,
        OPT_SHIFT,
        OPT_DRY_RUN,
        OPT_EXECUTE,
        OPT_STATE,
        OPT_MEMBERS,
        OPT_OFFSETS,
        OPT_PROPERTY,
    };
    static const struct option opts[] = {
        SL_CLI_COMMON_LONGOPTS,
        {"list", no_argument, NULL, OPT_LIST},
        {"describe", no_argument, NULL, OPT_DESCRIBE},
        {"delete", no_argument, NULL, OPT_DELETE},
        {"reset-offsets", no_argument, NULL, OPT_RESET},
        {"delete-offsets", no_argument, NULL, OPT_DELETE_OFFSETS},
        {"group", required_argument, NULL, OPT_GROUP},
        {"topic", required_argument, NULL, OPT_TOPIC},
        {"all-topics", no_argument, NULL, OPT_ALL_TOPICS},
        {"to-earliest", no_argument, NULL, OPT_EARLIEST},
        {"to-latest", no_argument, NULL, OPT_LATEST},
        {"to-offset", required_argument, NULL, OPT_TO_OFFSET},
        {"to-datetime", required_argument, NULL, OPT_DATETIME},
        {"shift-by", required_argument, NULL, OPT_SHIFT},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"execute", no_argument, NULL, OPT_EXECUTE},
        {"state", no_argument, NULL, OPT_STATE},
        {"members", no_argument, NULL, OPT_MEMBERS},
        {"offsets", no_argument, NULL, OPT_OFFSETS},
        {"property", required_argument, NULL, OPT_PROPERTY},
        {NULL, 0, NULL, 0},
    };
    groups_args_t a = {.action = ACT_NONE};
    int c, rc = SL_CLI_EXIT_OK, nactions = 0, nresets = 0;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (sl_cli_common_opt(g, CMD, c, argv, usage, &rc)) {
        case SL_CLI_OPT_TAKEN:
            continue;
        case SL_CLI_OPT_EXIT:
            goto out;
        }
        switch (c) {
        case OPT_LIST:
            a.action = ACT_LIST;
            nactions++;
            break;
        case OPT_DESCRIBE:
            a.action = ACT_DESCRIBE;
            nactions++;
            break;
        case OPT_DELETE:
            a.action = ACT_DELETE;
            nactions++;
            break;
        case OPT_RESET:
            a.action = ACT_RESET;
            nactions++;
            break;
        case OPT_DELETE_OFFSETS:
            a.action = ACT_DELETE_OFFSETS;
            nactions++;
            break;
        case OPT_GROUP:
            if (a.group) {
                rc = sl_cli_usage_error(CMD, "--group can be given once");
                goto out;
            }
            a.group = optarg;
            break;
        case OPT_TOPIC:
            if (!*optarg || *optarg == ':') {
                rc = sl_cli_usage_error(CMD, "--topic takes T or T:P,P..., not '%s'", optarg);
                goto out;
            }
            sl_cli_strv_push(&a.topics, optarg);
            break;
        case OPT_ALL_TOPICS:
            a.all_topics = 1;
            break;
        case OPT_EARLIEST:
            a.reset = RESET_EARLIEST;
            nresets++;
            break;
        case OPT_LATEST:
            a.reset = RESET_LATEST;
            nresets++;
            break;
        case OPT_TO_OFFSET:
            if (sl_cli_parse_i64(CMD, "--to-offset", optarg, 0, INT64_MAX, &a.reset_value))
                goto usage_err;
            a.reset = RESET_OFFSET;
            nresets++;
            break;
        case OPT_SHIFT:
            if (sl_cli_parse_i64(CMD, "--shift-by", optarg, INT64_MIN / 2, INT64_MAX / 2,
                                 &a.reset_value))
                goto usage_err;
            a.reset = RESET_SHIFT;
            nresets++;
            break;
        case OPT_DATETIME:
            if (parse_datetime(optarg, &a.reset_ts) != 0) {
                rc = sl_cli_usage_error(CMD,
                                        "--to-datetime takes YYYY-MM-DDTHH:mm:SS[.sss] with an "
                                        "optional Z or +hh:mm, not '%s'",
                                        optarg);
                goto out;
            }
            a.reset = RESET_DATETIME;
            nresets++;
            break;
        case OPT_DRY_RUN:
            a.dry_run = 1;
            break;
        case OPT_EXECUTE:
            a.execute = 1;
            break;
        case OPT_STATE:
            a.show_state = 1;
            break;
        case OPT_MEMBERS:
            a.show_members = 1;
            break;
        case OPT_OFFSETS:
            a.show_offsets = 1;
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
    if (nactions != 1) {
        rc = sl_cli_usage_error(CMD, "give exactly one of --list, --describe, --delete, "
                                     "--reset-offsets, --delete-offsets");
        goto out;
    }
    if (a.action != ACT_LIST && !a.group) {
        rc = sl_cli_usage_error(CMD, "--group is required");
        goto out;
    }
    if (a.action == ACT_RESET) {
        if (nresets != 1) {
            rc = sl_cli_usage_error(CMD, "--reset-offsets needs exactly one of --to-earliest, "
                                         "--to-latest, --to-offset, --to-datetime, --shift-by");
            goto out;
        }
        if (!a.topics.n && !a.all_topics) {
            rc = sl_cli_usage_error(CMD, "--reset-offsets needs --topic T or --all-topics");
            goto out;
        }
        if (a.dry_run && a.execute) {
            rc = sl_cli_usage_error(CMD, "--dry-run and --execute cannot be used together");
            goto out;
        }
    } else if (nresets || a.dry_run || a.execute || a.all_topics) {
        rc = sl_cli_usage_error(CMD, "--to-*, --shift-by, --dry-run, --execute and "
                                     "--all-topics go with --reset-offsets");
        goto out;
    }
    if (a.action == ACT_DELETE_OFFSETS && !a.topics.n) {
        rc = sl_cli_usage_error(CMD, "--delete-offsets needs --topic T");
        goto out;
    }
    if (a.topics.n && a.action != ACT_RESET && a.action != ACT_DELETE_OFFSETS) {
        rc = sl_cli_usage_error(CMD, "--topic goes with --reset-offsets or --delete-offsets");
        goto out;
    }
    if ((a.show_members || a.show_offsets) && a.action != ACT_DESCRIBE) {
        rc = sl_cli_usage_error(CMD, "--members and --offsets go with --describe");
        goto out;
    }
    if (a.show_state && a.action != ACT_DESCRIBE && a.action != ACT_LIST) {
        rc = sl_cli_usage_error(CMD, "--state goes with --describe or --list");
        goto out;
    }
    rc = run(g, &a);
out:
    sl_cli_strv_free(&a.topics);
    sl_cli_strv_free(&a.props);
    return rc;
usage_err:
    rc = SL_CLI_EXIT_USAGE;
    goto out;
}
