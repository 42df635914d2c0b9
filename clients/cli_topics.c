/*
 * cli_topics.c — `sluice topics`: create, list, describe, alter and delete topics, in the
 * manner of Kafka's kafka-topics.sh.
 *
 * Everything goes through librdkafka: the Admin API (CreateTopics, DeleteTopics,
 * CreatePartitions, DescribeConfigs, AlterConfigs) and rd_kafka_metadata() for list/describe.
 * Metadata is always requested for all topics, because a request naming a topic may make a
 * broker with auto.create.topics.enable create it, and describing must not create.
 *
 * librdkafka 2.0.2 has no IncrementalAlterConfigs, so --alter --config/--delete-config reads
 * the topic's overrides with DescribeConfigs, applies the changes, and writes the whole set
 * back with AlterConfigs (which replaces every override). This read-modify-write is not
 * atomic: a concurrent change of another key between the two requests is lost.
 */
#include "clients/cli_int.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CMD "topics"

enum topics_action { ACT_NONE, ACT_CREATE, ACT_LIST, ACT_DESCRIBE, ACT_DELETE, ACT_ALTER };

typedef struct topics_args_s {
    enum topics_action action;    /* the one action requested */
    const char *topic;            /* --topic (borrowed from argv) */
    int64_t partitions;           /* --partitions, -1 when not given */
    int64_t replication;          /* --replication-factor, -1 when not given */
    sl_cli_strv_t configs;        /* --config k=v, in order */
    sl_cli_strv_t delete_configs; /* --delete-config k, in order */
    int if_not_exists;            /* --if-not-exists: creating an existing topic is fine */
    int if_exists;                /* --if-exists: deleting/altering a missing topic is fine */
    int exclude_internal;         /* --exclude-internal: hide topics named "__*" */
    sl_cli_strv_t props;          /* --property k=v: raw librdkafka settings */
} topics_args_t;

static void usage(FILE *f)
{
    fprintf(
        f, "usage: sluice topics --create --topic T [--partitions N] [--replication-factor N]\n"
           "                     [--config k=v ...] [--if-not-exists]\n"
           "       sluice topics --list [--exclude-internal]\n"
           "       sluice topics --describe [--topic T] [--exclude-internal]\n"
           "       sluice topics --alter --topic T [--partitions N] [--config k=v ...]\n"
           "                     [--delete-config k ...] [--if-exists]\n"
           "       sluice topics --delete --topic T [--if-exists]\n"
           "\n"
           "actions (exactly one):\n"
           "  --create                create a topic (CreateTopics)\n"
           "  --list                  print the names of all topics, sorted\n"
           "  --describe              partitions (leader, replicas, isr, watermarks) and the\n"
           "                          configs overridden on the topic; all topics without --topic\n"
           "  --alter                 add partitions (CreatePartitions) and/or change configs\n"
           "                          (DescribeConfigs + AlterConfigs)\n"
           "  --delete                delete a topic (DeleteTopics)\n"
           "\n"
           "options:\n"
           "  --topic T               the topic\n"
           "  --partitions N          partition count (create: default is the broker's\n"
           "                          num.partitions; alter: the new, larger total)\n"
           "  --replication-factor N  replicas per partition (default: broker default)\n"
           "  --config k=v            topic config override, e.g. cleanup.policy=compact\n"
           "                          (repeatable; create and alter)\n"
           "  --delete-config k       remove a config override (repeatable; alter)\n"
           "  --if-not-exists         with --create: an existing topic is not an error\n"
           "  --if-exists             with --alter/--delete: a missing topic is not an error\n"
           "  --exclude-internal      with --list/--describe: hide topics named __*\n"
           "  --property k=v          raw librdkafka client setting (repeatable), e.g. for TLS\n"
           "\n" SL_CLI_COMMON_USAGE);
}

/* ---- admin plumbing ------------------------------------------------------------------- */

/* Admin options with our timeouts. The operation timeout lets the broker finish creating or
 * deleting before it answers. */
static rd_kafka_AdminOptions_t *admin_options(rd_kafka_t *rk, rd_kafka_admin_op_t op,
                                              const sl_cli_global_t *g)
{
    char errstr[256];
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
    rd_kafka_AdminOptions_set_request_timeout(o, g->request_timeout_ms, errstr, sizeof errstr);
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
        op == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS)
        rd_kafka_AdminOptions_set_operation_timeout(o, g->request_timeout_ms, errstr,
                                                    sizeof errstr);
    return o;
}

/*
 * Wait for the result of one admin request on q. Polls the handle too, so error_cb can
 * record why a broker is unreachable. NULL (after printing) on a request-level error; the
 * caller destroys the returned event.
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

/* Check the single topic result of CreateTopics/DeleteTopics/CreatePartitions. ok_err is an
 * error code to accept silently (--if-exists and friends), or 0. Returns an exit status. */
static int topic_result(const rd_kafka_topic_result_t **res, size_t n, const char *what,
                        rd_kafka_resp_err_t ok_err, int *skipped)
{
    int rc = SL_CLI_EXIT_OK;
    *skipped = 0;
    if (n == 0) return sl_cli_fail(CMD, "%s: the broker returned no result", what);
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t err = rd_kafka_topic_result_error(res[i]);
        if (!err) continue;
        if (ok_err && err == ok_err) {
            *skipped = 1;
            continue;
        }
        rc = sl_cli_kerr(CMD, what, err, rd_kafka_topic_result_error_string(res[i]));
    }
    return rc;
}

/* ---- configs -------------------------------------------------------------------------- */

/* One config override of a topic, as DescribeConfigs reported it. */
typedef struct override_s {
    char *name;    /* owned */
    char *value;   /* owned; NULL for a sensitive value the broker hides */
    int sensitive; /* the broker hides the value */
} override_t;

/* The overrides of one topic. */
typedef struct overrides_s {
    override_t *v; /* owned array */
    size_t n;      /* entries in use */
} overrides_t;

static void overrides_free(overrides_t *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->v[i].name);
        free(o->v[i].value);
    }
    free(o->v);
    o->v = NULL;
    o->n = 0;
}

static int override_cmp(const void *a, const void *b)
{
    return strcmp(((const override_t *)a)->name, ((const override_t *)b)->name);
}

static void overrides_set(overrides_t *o, const char *name, const char *value, int sensitive)
{
    for (size_t i = 0; i < o->n; i++) {
        if (strcmp(o->v[i].name, name) == 0) {
            free(o->v[i].value);
            o->v[i].value = value ? strdup(value) : NULL;
            o->v[i].sensitive = sensitive;
            return;
        }
    }
    o->v = realloc(o->v, (o->n + 1) * sizeof *o->v);
    if (!o->v) abort();
    o->v[o->n].name = strdup(name);
    o->v[o->n].value = value ? strdup(value) : NULL;
    o->v[o->n].sensitive = sensitive;
    if (!o->v[o->n].name || (value && !o->v[o->n].value)) abort();
    o->n++;
}

static void overrides_del(overrides_t *o, const char *name)
{
    for (size_t i = 0; i < o->n; i++) {
        if (strcmp(o->v[i].name, name) == 0) {
            free(o->v[i].name);
            free(o->v[i].value);
            o->v[i] = o->v[--o->n];
            return;
        }
    }
}

/* Is this entry set on the topic itself (not inherited from the broker or a default)?
 * DescribeConfigs v0 has no source field: then "not default" is the best we know. */
static int entry_is_override(const rd_kafka_ConfigEntry_t *e)
{
    rd_kafka_ConfigSource_t src = rd_kafka_ConfigEntry_source(e);
    if (src == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG) return 1;
    return src == RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG && !rd_kafka_ConfigEntry_is_default(e);
}

/*
 * DescribeConfigs for n topics; out[i] receives the overrides of names[i], sorted by name.
 * Returns an exit status (errors printed).
 */
static int describe_overrides(rd_kafka_t *rk, const sl_cli_global_t *g, const char **names,
                              size_t n, overrides_t *out)
{
    if (n == 0) return SL_CLI_EXIT_OK;
    rd_kafka_ConfigResource_t **res = calloc(n, sizeof *res);
    if (!res) abort();
    for (size_t i = 0; i < n; i++)
        res[i] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, names[i]);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, g);
    rd_kafka_DescribeConfigs(rk, res, n, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_ConfigResource_destroy_array(res, n);
    free(res);

    int rc = SL_CLI_EXIT_OK;
    rd_kafka_event_t *ev = admin_wait(rk, q, g, "DescribeConfigs");
    if (!ev) {
        rc = SL_CLI_EXIT_FAIL;
        goto done;
    }
    size_t cnt;
    const rd_kafka_ConfigResource_t **rr =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &cnt);
    for (size_t i = 0; i < cnt; i++) {
        const char *rname = rd_kafka_ConfigResource_name(rr[i]);
        size_t slot = n;
        for (size_t j = 0; j < n; j++)
            if (strcmp(names[j], rname) == 0) slot = j;
        if (slot == n) continue; /* not asked for; ignore */
        if (rd_kafka_ConfigResource_error(rr[i])) {
            char what[300];
            snprintf(what, sizeof what, "DescribeConfigs of topic '%s'", rname);
            rc = sl_cli_kerr(CMD, what, rd_kafka_ConfigResource_error(rr[i]),
                             rd_kafka_ConfigResource_error_string(rr[i]));
            continue;
        }
        size_t ne;
        const rd_kafka_ConfigEntry_t **ents = rd_kafka_ConfigResource_configs(rr[i], &ne);
        for (size_t k = 0; k < ne; k++) {
            if (!entry_is_override(ents[k])) continue;
            overrides_set(&out[slot], rd_kafka_ConfigEntry_name(ents[k]),
                          rd_kafka_ConfigEntry_value(ents[k]),
                          rd_kafka_ConfigEntry_is_sensitive(ents[k]));
        }
        if (out[slot].n) qsort(out[slot].v, out[slot].n, sizeof *out[slot].v, override_cmp);
    }
    rd_kafka_event_destroy(ev);
done:
    rd_kafka_queue_destroy(q);
    return rc;
}

/* ---- actions -------------------------------------------------------------------------- */

static int do_create(rd_kafka_t *rk, const sl_cli_global_t *g, topics_args_t *a)
{
    char errstr[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(a->topic, (int)a->partitions,
                                                    (int)a->replication, errstr, sizeof errstr);
    if (!nt) return sl_cli_fail(CMD, "cannot create topic '%s': %s", a->topic, errstr);
    for (size_t i = 0; i < a->configs.n; i++) {
        char *k, *v;
        if (sl_cli_split_kv(CMD, "--config", a->configs.v[i], &k, &v) != 0) {
            rd_kafka_NewTopic_destroy(nt);
            return SL_CLI_EXIT_USAGE;
        }
        rd_kafka_resp_err_t err = rd_kafka_NewTopic_set_config(nt, k, v);
        if (err) {
            rd_kafka_NewTopic_destroy(nt);
            return sl_cli_kerr(CMD, "--config", err, NULL);
        }
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, g);
    rd_kafka_CreateTopics(rk, &nt, 1, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_NewTopic_destroy(nt);

    int rc = SL_CLI_EXIT_FAIL, skipped = 0;
    rd_kafka_event_t *ev = admin_wait(rk, q, g, "CreateTopics");
    if (ev) {
        size_t n;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        rc = topic_result(res, n, "CreateTopics",
                          a->if_not_exists ? RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS : 0, &skipped);
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    if (rc == SL_CLI_EXIT_OK && !skipped) printf("Created topic %s.\n", a->topic);
    return rc;
}

static int do_delete(rd_kafka_t *rk, const sl_cli_global_t *g, topics_args_t *a)
{
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(a->topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS, g);
    rd_kafka_DeleteTopics(rk, &dt, 1, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_DeleteTopic_destroy(dt);

    int rc = SL_CLI_EXIT_FAIL, skipped = 0;
    rd_kafka_event_t *ev = admin_wait(rk, q, g, "DeleteTopics");
    if (ev) {
        size_t n;
        const rd_kafka_topic_result_t **res =
            rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
        rc = topic_result(res, n, "DeleteTopics",
                          a->if_exists ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : 0, &skipped);
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    if (rc == SL_CLI_EXIT_OK && !skipped) printf("Deleted topic %s.\n", a->topic);
    return rc;
}

static int alter_partitions(rd_kafka_t *rk, const sl_cli_global_t *g, topics_args_t *a)
{
    char errstr[512];
    rd_kafka_NewPartitions_t *np =
        rd_kafka_NewPartitions_new(a->topic, (size_t)a->partitions, errstr, sizeof errstr);
    if (!np) return sl_cli_fail(CMD, "--partitions: %s", errstr);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, g);
    rd_kafka_CreatePartitions(rk, &np, 1, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_NewPartitions_destroy(np);

    int rc = SL_CLI_EXIT_FAIL, skipped = 0;
    rd_kafka_event_t *ev = admin_wait(rk, q, g, "CreatePartitions");
    if (ev) {
        size_t n;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
        rc = topic_result(res, n, "CreatePartitions",
                          a->if_exists ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : 0, &skipped);
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    if (rc == SL_CLI_EXIT_OK && !skipped)
        printf("Topic %s now has %" PRId64 " partitions.\n", a->topic, a->partitions);
    return rc;
}

static int alter_configs(rd_kafka_t *rk, const sl_cli_global_t *g, topics_args_t *a)
{
    overrides_t cur = {0};
    const char *names[1] = {a->topic};
    int rc = describe_overrides(rk, g, names, 1, &cur);
    if (rc != SL_CLI_EXIT_OK) goto out;

    for (size_t i = 0; i < a->configs.n; i++) {
        char *k, *v;
        if (sl_cli_split_kv(CMD, "--config", a->configs.v[i], &k, &v) != 0) {
            rc = SL_CLI_EXIT_USAGE;
            goto out;
        }
        overrides_set(&cur, k, v, 0);
        k[strlen(k)] = '='; /* undo the split: the argv string may be shown again */
    }
    for (size_t i = 0; i < a->delete_configs.n; i++)
        overrides_del(&cur, a->delete_configs.v[i]);
    for (size_t i = 0; i < cur.n; i++) {
        if (cur.v[i].sensitive || !cur.v[i].value) {
            /* AlterConfigs replaces the whole set, and we cannot write back what we cannot read */
            rc = sl_cli_fail(CMD,
                             "topic '%s' has the sensitive config '%s' whose value the broker "
                             "hides; altering configs of such a topic is not supported yet",
                             a->topic, cur.v[i].name);
            goto out;
        }
    }

    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, a->topic);
    for (size_t i = 0; i < cur.n; i++) {
        rd_kafka_resp_err_t err =
            rd_kafka_ConfigResource_set_config(res, cur.v[i].name, cur.v[i].value);
        if (err) {
            rd_kafka_ConfigResource_destroy(res);
            rc = sl_cli_kerr(CMD, cur.v[i].name, err, NULL);
            goto out;
        }
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, g);
    rd_kafka_AlterConfigs(rk, &res, 1, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_ConfigResource_destroy(res);

    rc = SL_CLI_EXIT_FAIL;
    rd_kafka_event_t *ev = admin_wait(rk, q, g, "AlterConfigs");
    if (ev) {
        size_t n;
        const rd_kafka_ConfigResource_t **rr =
            rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
        rc = n ? SL_CLI_EXIT_OK : sl_cli_fail(CMD, "AlterConfigs: the broker returned no result");
        for (size_t i = 0; i < n; i++)
            if (rd_kafka_ConfigResource_error(rr[i]))
                rc = sl_cli_kerr(CMD, "AlterConfigs", rd_kafka_ConfigResource_error(rr[i]),
                                 rd_kafka_ConfigResource_error_string(rr[i]));
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    if (rc == SL_CLI_EXIT_OK) printf("Updated configs of topic %s.\n", a->topic);
out:
    overrides_free(&cur);
    return rc;
}

static int do_alter(rd_kafka_t *rk, const sl_cli_global_t *g, topics_args_t *a)
{
    if (a->if_exists) {
        /* --if-exists: check first, since DescribeConfigs of a missing topic is an error */
        const struct rd_kafka_metadata *md;
        if (sl_cli_metadata_all(rk, g, CMD, &md) != 0) return SL_CLI_EXIT_FAIL;
        int found = sl_cli_md_topic(md, a->topic) != NULL;
        rd_kafka_metadata_destroy(md);
        if (!found) return SL_CLI_EXIT_OK;
    }
    int rc = SL_CLI_EXIT_OK;
    if (a->partitions >= 0) rc = alter_partitions(rk, g, a);
    if (rc == SL_CLI_EXIT_OK && (a->configs.n || a->delete_configs.n)) rc = alter_configs(rk, g, a);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The topics to show, sorted by name: all (minus __* with --exclude-internal) or one.
 * Returns the count, or -1 after printing an error. *out is owned by the caller. */
static int pick_topics(const struct rd_kafka_metadata *md, topics_args_t *a, const char ***out)
{
    const char **names = calloc((size_t)md->topic_cnt + 1, sizeof *names);
    if (!names) abort();
    int n = 0;
    for (int i = 0; i < md->topic_cnt; i++) {
        const char *t = md->topics[i].topic;
        if (a->topic && strcmp(t, a->topic) != 0) continue;
        if (a->exclude_internal && strncmp(t, "__", 2) == 0) continue;
        /* a topic-level error other than "leader not yet elected" means it is not there */
        if (md->topics[i].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
        names[n++] = t;
    }
    if (a->topic && n == 0) {
        free(names);
        sl_cli_kerr(CMD, a->topic, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "topic does not exist");
        return -1;
    }
    qsort(names, (size_t)n, sizeof *names, name_cmp);
    *out = names;
    return n;
}

static int do_list(rd_kafka_t *rk, const sl_cli_global_t *g, topics_args_t *a)
{
    const struct rd_kafka_metadata *md;
    const char **names;
    if (sl_cli_metadata_all(rk, g, CMD, &md) != 0) return SL_CLI_EXIT_FAIL;
    int n = pick_topics(md, a, &names);
    if (n >= 0) {
        for (int i = 0; i < n; i++)
            printf("%s\n", names[i]);
        free(names);
    }
    rd_kafka_metadata_destroy(md);
    return n >= 0 ? SL_CLI_EXIT_OK : SL_CLI_EXIT_FAIL;
}

static int partition_cmp(const void *a, const void *b)
{
    int32_t x = (*(const rd_kafka_metadata_partition_t *const *)a)->id;
    int32_t y = (*(const rd_kafka_metadata_partition_t *const *)b)->id;
    return (x > y) - (x < y);
}

static void print_i32_list(const int32_t *v, int n)
{
    for (int i = 0; i < n; i++)
        printf("%s%" PRId32, i ? "," : "", v[i]);
}

static int do_describe(rd_kafka_t *rk, const sl_cli_global_t *g, topics_args_t *a)
{
    const struct rd_kafka_metadata *md;
    const char **names;
    if (sl_cli_metadata_all(rk, g, CMD, &md) != 0) return SL_CLI_EXIT_FAIL;
    int n = pick_topics(md, a, &names);
    if (n < 0) {
        rd_kafka_metadata_destroy(md);
        return SL_CLI_EXIT_FAIL;
    }
    overrides_t *ov = calloc((size_t)n + 1, sizeof *ov);
    if (!ov) abort();
    int rc = describe_overrides(rk, g, names, (size_t)n, ov);

    for (int i = 0; i < n && rc == SL_CLI_EXIT_OK; i++) {
        const rd_kafka_metadata_topic_t *t = sl_cli_md_topic(md, names[i]);
        printf("Topic: %s\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: ", t->topic,
               t->partition_cnt, t->partition_cnt ? t->partitions[0].replica_cnt : 0);
        for (size_t k = 0; k < ov[i].n; k++)
            printf("%s%s=%s", k ? "," : "", ov[i].v[k].name,
                   ov[i].v[k].sensitive ? "(sensitive)" : ov[i].v[k].value);
        if (t->err) printf("\tError: %s", rd_kafka_err2name(t->err));
        putchar('\n');
        /* metadata lists partitions in the broker's order; show them by id */
        const rd_kafka_metadata_partition_t **parts =
            calloc((size_t)t->partition_cnt + 1, sizeof *parts);
        if (!parts) abort();
        for (int j = 0; j < t->partition_cnt; j++)
            parts[j] = &t->partitions[j];
        qsort(parts, (size_t)t->partition_cnt, sizeof *parts, partition_cmp);
        for (int j = 0; j < t->partition_cnt; j++) {
            const rd_kafka_metadata_partition_t *p = parts[j];
            printf("\tTopic: %s\tPartition: %" PRId32 "\tLeader: %" PRId32 "\tReplicas: ", t->topic,
                   p->id, p->leader);
            print_i32_list(p->replicas, p->replica_cnt);
            printf("\tIsr: ");
            print_i32_list(p->isrs, p->isr_cnt);
            int64_t lo, hi;
            rd_kafka_resp_err_t err =
                p->leader >= 0 ? rd_kafka_query_watermark_offsets(rk, t->topic, p->id, &lo, &hi,
                                                                  g->request_timeout_ms)
                               : RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
            if (!err)
                printf("\tLowWatermark: %" PRId64 "\tHighWatermark: %" PRId64, lo, hi);
            else
                printf("\tWatermarks: %s", rd_kafka_err2name(err));
            if (p->err) printf("\tError: %s", rd_kafka_err2name(p->err));
            putchar('\n');
        }
        free(parts);
    }
    for (int i = 0; i < n; i++)
        overrides_free(&ov[i]);
    free(ov);
    free(names);
    rd_kafka_metadata_destroy(md);
    return rc;
}

/* ---- entry point ---------------------------------------------------------------------- */

/* Cross-option checks that getopt cannot express. Returns an exit status. */
static int check_args(const topics_args_t *a)
{
    static const char *const act_name[] = {"",           "--create", "--list",
                                           "--describe", "--delete", "--alter"};
    const char *act = act_name[a->action];
    if (a->action == ACT_NONE)
        return sl_cli_usage_error(CMD, "give one of --create, --list, --describe, --alter, "
                                       "--delete");
    if (!a->topic && a->action != ACT_LIST && a->action != ACT_DESCRIBE)
        return sl_cli_usage_error(CMD, "%s needs --topic", act);
    if (a->topic && a->action == ACT_LIST)
        return sl_cli_usage_error(CMD, "--list takes no --topic (use --describe --topic)");
    if (a->partitions >= 0 && a->action != ACT_CREATE && a->action != ACT_ALTER)
        return sl_cli_usage_error(CMD, "--partitions goes with --create or --alter");
    if (a->replication >= 0 && a->action != ACT_CREATE)
        return sl_cli_usage_error(CMD, "--replication-factor goes with --create");
    if (a->configs.n && a->action != ACT_CREATE && a->action != ACT_ALTER)
        return sl_cli_usage_error(CMD, "--config goes with --create or --alter");
    if (a->delete_configs.n && a->action != ACT_ALTER)
        return sl_cli_usage_error(CMD, "--delete-config goes with --alter");
    if (a->if_not_exists && a->action != ACT_CREATE)
        return sl_cli_usage_error(CMD, "--if-not-exists goes with --create");
    if (a->if_exists && a->action != ACT_ALTER && a->action != ACT_DELETE)
        return sl_cli_usage_error(CMD, "--if-exists goes with --alter or --delete");
    if (a->exclude_internal && a->action != ACT_LIST && a->action != ACT_DESCRIBE)
        return sl_cli_usage_error(CMD, "--exclude-internal goes with --list or --describe");
    if (a->action == ACT_ALTER && a->partitions < 0 && !a->configs.n && !a->delete_configs.n)
        return sl_cli_usage_error(CMD, "--alter needs --partitions, --config or --delete-config");
    for (size_t i = 0; i < a->configs.n; i++) {
        const char *eq = strchr(a->configs.v[i], '=');
        if (!eq || eq == a->configs.v[i])
            return sl_cli_usage_error(CMD, "--config takes key=value, not '%s'", a->configs.v[i]);
    }
    return SL_CLI_EXIT_OK;
}

int sl_cli_topics(sl_cli_global_t *g, int argc, char **argv)
{
    enum {
        OPT_CREATE = SL_CLI_OPT_FIRST_LOCAL,
        OPT_LIST,
        OPT_DESCRIBE,
        OPT_DELETE,
        OPT_ALTER,
        OPT_TOPIC,
        OPT_PARTITIONS,
        OPT_RF,
        OPT_CONFIG,
        OPT_DELCONFIG,
        OPT_IFNOT,
        OPT_IF,
        OPT_EXCL,
        OPT_PROPERTY,
    };
    static const struct option opts[] = {
        SL_CLI_COMMON_LONGOPTS,
        {"create", no_argument, NULL, OPT_CREATE},
        {"list", no_argument, NULL, OPT_LIST},
        {"describe", no_argument, NULL, OPT_DESCRIBE},
        {"delete", no_argument, NULL, OPT_DELETE},
        {"alter", no_argument, NULL, OPT_ALTER},
        {"topic", required_argument, NULL, OPT_TOPIC},
        {"partitions", required_argument, NULL, OPT_PARTITIONS},
        {"replication-factor", required_argument, NULL, OPT_RF},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"delete-config", required_argument, NULL, OPT_DELCONFIG},
        {"if-not-exists", no_argument, NULL, OPT_IFNOT},
        {"if-exists", no_argument, NULL, OPT_IF},
        {"exclude-internal", no_argument, NULL, OPT_EXCL},
        {"property", required_argument, NULL, OPT_PROPERTY},
        {NULL, 0, NULL, 0},
    };
    topics_args_t a = {.partitions = -1, .replication = -1};
    int c, rc = SL_CLI_EXIT_OK;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (sl_cli_common_opt(g, CMD, c, argv, usage, &rc)) {
        case SL_CLI_OPT_TAKEN:
            continue;
        case SL_CLI_OPT_EXIT:
            goto out;
        }
        enum topics_action act = ACT_NONE;
        switch (c) {
        case OPT_CREATE:
            act = ACT_CREATE;
            break;
        case OPT_LIST:
            act = ACT_LIST;
            break;
        case OPT_DESCRIBE:
            act = ACT_DESCRIBE;
            break;
        case OPT_DELETE:
            act = ACT_DELETE;
            break;
        case OPT_ALTER:
            act = ACT_ALTER;
            break;
        case OPT_TOPIC:
            a.topic = optarg;
            break;
        case OPT_PARTITIONS:
            if (sl_cli_parse_i64(CMD, "--partitions", optarg, 1, INT32_MAX, &a.partitions)) {
                rc = SL_CLI_EXIT_USAGE;
                goto out;
            }
            break;
        case OPT_RF:
            if (sl_cli_parse_i64(CMD, "--replication-factor", optarg, 1, INT16_MAX,
                                 &a.replication)) {
                rc = SL_CLI_EXIT_USAGE;
                goto out;
            }
            break;
        case OPT_CONFIG:
            sl_cli_strv_push(&a.configs, optarg);
            break;
        case OPT_DELCONFIG:
            sl_cli_strv_push(&a.delete_configs, optarg);
            break;
        case OPT_IFNOT:
            a.if_not_exists = 1;
            break;
        case OPT_IF:
            a.if_exists = 1;
            break;
        case OPT_EXCL:
            a.exclude_internal = 1;
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
        if (act != ACT_NONE) {
            if (a.action != ACT_NONE && a.action != act) {
                rc = sl_cli_usage_error(CMD, "give only one of --create, --list, --describe, "
                                             "--alter, --delete");
                goto out;
            }
            a.action = act;
        }
    }
    if (optind < argc) {
        rc = sl_cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if ((rc = check_args(&a)) != SL_CLI_EXIT_OK) goto out;

    rd_kafka_conf_t *conf = sl_cli_conf_new(g, CMD, NULL, &a.props);
    if (!conf) {
        rc = SL_CLI_EXIT_USAGE;
        goto out;
    }
    rd_kafka_t *rk = sl_cli_rk_new(RD_KAFKA_PRODUCER, conf, CMD);
    if (!rk) {
        rc = SL_CLI_EXIT_FAIL;
        goto out;
    }
    switch (a.action) {
    case ACT_CREATE:
        rc = do_create(rk, g, &a);
        break;
    case ACT_LIST:
        rc = do_list(rk, g, &a);
        break;
    case ACT_DESCRIBE:
        rc = do_describe(rk, g, &a);
        break;
    case ACT_DELETE:
        rc = do_delete(rk, g, &a);
        break;
    case ACT_ALTER:
        rc = do_alter(rk, g, &a);
        break;
    case ACT_NONE:
        break;
    }
    rd_kafka_destroy(rk);
out:
    sl_cli_strv_free(&a.configs);
    sl_cli_strv_free(&a.delete_configs);
    sl_cli_strv_free(&a.props);
    return rc;
}
