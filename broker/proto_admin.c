/*
 * proto_admin.c — Kafka admin APIs: topics, partitions, configs, records deletion, cluster.
 *
 *   API (key)                     versions  flexible  notes
 *   CreateTopics (19)             0-7       5+        v1 validate_only + error_message,
 *                                                     v5 configs in the response, v7 topic_id
 *   DeleteTopics (20)             0-6       4+        v5 error_message, v6 names or topic ids
 *   DeleteRecords (21)            0-2       2+
 *   DescribeConfigs (32)          0-4       4+        v1 source + synonyms, v3 config_type
 *   AlterConfigs (33)             0-2       2+        replaces all overrides of a topic
 *   CreatePartitions (37)         0-3       2+
 *   IncrementalAlterConfigs (44)  0-1       1+        SET / DELETE / APPEND / SUBTRACT
 *   DescribeCluster (60)          0         0+
 *
 * Field layouts follow Kafka's message definitions (clients/src/main/resources/common/
 * message/<Name>Request.json and <Name>Response.json); each handler's comment lists them.
 * "T" marks a struct's tagged-field section in flexible versions (sl_kr_tags / sl_kw_tags,
 * no-ops otherwise).
 *
 * Every handler parses the whole request before changing anything, so a malformed request
 * (SL_PROTO, the connection closes) never half-applies. One broker: replica assignments are
 * accepted only when they place every replica on this node, and timeout_ms is ignored
 * because every change is complete when the response is sent.
 *
 * @locality loop thread
 */
#include "broker/broker_int.h"
#include "broker/group.h"
#include "broker/topic_config.h"
#include "common/err.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESOURCE_TOPIC   2
#define RESOURCE_BROKER  4
#define AUTH_OPS_UNKNOWN INT32_MIN

static const uint8_t zero_uuid[16];

/* ---- helpers ------------------------------------------------------------------------------ */

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) abort();
    return p;
}

/* A request string shown inside a message: printable ASCII only, bounded. */
static void shown(char *dst, size_t dstlen, sl_kstr_t s)
{
    size_t i = 0;
    if (s.len < 0) {
        snprintf(dst, dstlen, "null");
        return;
    }
    for (; i < (size_t)s.len && i + 1 < dstlen; i++) {
        unsigned char c = (unsigned char)s.p[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[i] = 0;
}

static int utf8_ok(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t k;
        uint32_t cp;
        if (c == 0) return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0)
            k = 1, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
            k = 2, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0)
            k = 3, cp = c & 0x07;
        else
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (p[i + j] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (p[i + j] & 0x3f);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* A config name or value from the wire as a C string; NULs and invalid UTF-8 are refused
 * (the catalog is JSON, and a NUL would silently shorten the string). */
static int16_t config_text(sl_kstr_t s, char **out, char *err, size_t errlen)
{
    if (!utf8_ok((const uint8_t *)s.p, (size_t)s.len)) {
        char v[128];
        shown(v, sizeof v, s);
        snprintf(err, errlen, "Config name or value %s is not valid UTF-8 text", v);
        return SL_KERR_INVALID_CONFIG;
    }
    *out = sl_kstr_dup(s);
    return SL_KERR_NONE;
}

/* Writes one CreatableTopicConfigs / DescribeConfigsResourceResult entry. */
static void write_config_entry(sl_req_t *req, const sl_cfgval_t *c, int describe, int read_only,
                               int is_default, int synonyms)
{
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    sl_kw_cstr(w, c->name);
    sl_kw_cstr(w, c->value);
    sl_kw_bool(w, read_only);
    if (!describe) {
        /* CreateTopics v5+: config_source, is_sensitive. */
        sl_kw_i8(w, c->source);
        sl_kw_bool(w, 0);
        sl_kw_tags(w);
        return;
    }
    if (v == 0) sl_kw_bool(w, is_default);
    if (v >= 1) sl_kw_i8(w, c->source);
    sl_kw_bool(w, 0); /* is_sensitive: Sluice has no secret configs yet */
    if (v >= 1) {
        int n = synonyms ? c->nsyn : 0;
        sl_kw_array(w, n);
        for (int i = 0; i < n; i++) {
            sl_kw_cstr(w, c->syn[i].name);
            sl_kw_cstr(w, c->syn[i].value);
            sl_kw_i8(w, c->syn[i].source);
            sl_kw_tags(w);
        }
    }
    if (v >= 3) {
        sl_kw_i8(w, c->type);
        sl_kw_cstr(w, NULL); /* documentation */
    }
    sl_kw_tags(w);
}

/* Is the broker id list exactly [node_id]? */
static int on_this_node(const int32_t *ids, int32_t n, int32_t node_id)
{
    return n == 1 && ids[0] == node_id;
}

/* ---- CreateTopics ------------------------------------------------------------------------- */

/*
 * Request:  topics [name, num_partitions i32, replication_factor i16,
 *                   assignments [partition_index i32, broker_ids [i32], T],
 *                   configs [name, value nullable, T], T],
 *           timeout_ms i32, validate_only bool (v1+), T
 * Response: throttle_time_ms (v2+),
 *           topics [name, topic_id uuid (v7+), error_code, error_message nullable (v1+),
 *                   num_partitions i32 (v5+), replication_factor i16 (v5+),
 *                   configs nullable [name, value nullable, read_only, config_source i8,
 *                                     is_sensitive, T] (v5+), T], T
 */
typedef struct ct_topic_s {
    sl_kstr_t name;       /* borrowed from the frame */
    int32_t npart;        /* num_partitions as sent */
    int16_t rf;           /* replication_factor as sent */
    int32_t nassign;      /* assignments sent */
    int assign_off_node;  /* some replica is not on this broker */
    int assign_bad_index; /* partition indexes are not 0..nassign-1, each once */
    sl_props_t configs;   /* owned: configs with a value */
    sl_kstr_t null_key;   /* first config sent with a null value (len -1: none) */
    int16_t cfg_err;      /* INVALID_CONFIG for an unusable config name/value */
    char cfg_msg[256];    /* message for cfg_err */
} ct_topic_t;

static int parse_create_topic(sl_req_t *req, ct_topic_t *t)
{
    sl_kr_t *r = &req->r;
    int32_t node = req->broker->node_id;
    uint8_t *seen = NULL;
    t->null_key.len = -1;
    SL_KR(sl_kr_str(r, &t->name));
    SL_KR(sl_kr_i32(r, &t->npart));
    SL_KR(sl_kr_i16(r, &t->rf));
    SL_KR(sl_kr_array(r, &t->nassign));
    if (t->nassign < 0) goto err_parse;
    seen = xcalloc((size_t)t->nassign, 1);
    for (int32_t i = 0; i < t->nassign; i++) {
        int32_t pi, nb, id0 = -1;
        SL_KR(sl_kr_i32(r, &pi));
        SL_KR(sl_kr_array(r, &nb));
        if (nb < 0) goto err_parse;
        for (int32_t j = 0; j < nb; j++) {
            int32_t id;
            SL_KR(sl_kr_i32(r, &id));
            if (j == 0) id0 = id;
        }
        if (!on_this_node(&id0, nb, node)) t->assign_off_node = 1;
        if (pi < 0 || pi >= t->nassign || seen[pi])
            t->assign_bad_index = 1;
        else
            seen[pi] = 1;
        SL_KR(sl_kr_tags(r));
    }
    int32_t nc;
    SL_KR(sl_kr_array(r, &nc));
    if (nc < 0) goto err_parse;
    for (int32_t i = 0; i < nc; i++) {
        sl_kstr_t k, v;
        SL_KR(sl_kr_str(r, &k));
        SL_KR(sl_kr_nstr(r, &v));
        SL_KR(sl_kr_tags(r));
        if (v.len < 0) {
            if (t->null_key.len < 0) t->null_key = k;
            continue;
        }
        char *ks = NULL, *vs = NULL;
        if (t->cfg_err == SL_KERR_NONE &&
            (t->cfg_err = config_text(k, &ks, t->cfg_msg, sizeof t->cfg_msg)) == SL_KERR_NONE &&
            (t->cfg_err = config_text(v, &vs, t->cfg_msg, sizeof t->cfg_msg)) == SL_KERR_NONE)
            sl_props_set(&t->configs, ks, vs);
        free(ks);
        free(vs);
    }
    SL_KR(sl_kr_tags(r));
    free(seen);
    return SL_OK;
err_parse:
    free(seen);
    return SL_PROTO;
}

/* Decide and (unless validate_only) create one topic. */
static int16_t create_one(sl_req_t *req, ct_topic_t *ts, int32_t idx, int validate_only,
                          sl_topic_t **out, char *err, size_t errlen)
{
    sl_broker_t *b = req->broker;
    ct_topic_t *t = &ts[idx];
    char nm[300];
    shown(nm, sizeof nm, t->name);
    for (int32_t j = 0; j < idx; j++) {
        if (ts[j].name.len == t->name.len &&
            memcmp(ts[j].name.p, t->name.p, (size_t)t->name.len) == 0) {
            snprintf(err, errlen,
                     "Create topics request from client `%s` contains multiple entries for the "
                     "following topics: %s",
                     req->client_id ? req->client_id : "", nm);
            return SL_KERR_INVALID_REQUEST;
        }
    }
    if (sl_topic_name_check(t->name.p, (size_t)t->name.len, err, errlen) != SL_OK)
        return SL_KERR_INVALID_TOPIC_EXCEPTION;
    int32_t npart = t->npart;
    int16_t rf = t->rf;
    if (t->nassign > 0) {
        if (npart != -1 || rf != -1) {
            snprintf(err, errlen,
                     "Both numPartitions or replicationFactor and replicasAssignments were set. "
                     "Both cannot be used at the same time.");
            return SL_KERR_INVALID_REQUEST;
        }
        if (t->assign_off_node) {
            snprintf(err, errlen,
                     "replica assignment is not supported: Sluice is a single broker, every "
                     "partition must be assigned to broker %d alone",
                     b->node_id);
            return SL_KERR_INVALID_REQUEST;
        }
        if (t->assign_bad_index) {
            snprintf(err, errlen, "Partitions should be a consecutive 0-based integer sequence");
            return SL_KERR_INVALID_REPLICA_ASSIGNMENT;
        }
        npart = t->nassign;
        rf = 1;
    }
    if (t->null_key.len >= 0) {
        char k[256];
        shown(k, sizeof k, t->null_key);
        snprintf(err, errlen, "Null value not supported for topic configs: %s", k);
        return SL_KERR_INVALID_REQUEST;
    }
    if (t->cfg_err != SL_KERR_NONE) {
        snprintf(err, errlen, "%s", t->cfg_msg);
        return t->cfg_err;
    }
    char *name = sl_kstr_dup(t->name);
    int16_t e = sl_catalog_create(b->catalog, name, npart, rf, &t->configs, validate_only, out, err,
                                  errlen);
    free(name);
    return e;
}

int sl_kapi_create_topics(sl_req_t *req)
{
    sl_broker_t *b = req->broker;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    ct_topic_t *ts = NULL;
    int32_t n, timeout_ms;
    int validate_only = 0;
    SL_KR(sl_kr_array(r, &n));
    if (n < 0) goto err_parse;
    ts = xcalloc((size_t)n, sizeof *ts);
    for (int32_t i = 0; i < n; i++)
        SL_KR(parse_create_topic(req, &ts[i]));
    SL_KR(sl_kr_i32(r, &timeout_ms));
    if (v >= 1) SL_KR(sl_kr_bool(r, &validate_only));
    SL_KR(sl_kr_tags(r));

    if (v >= 2) sl_kw_i32(w, 0);
    sl_kw_array(w, n);
    for (int32_t i = 0; i < n; i++) {
        ct_topic_t *t = &ts[i];
        char err[1024] = "";
        sl_topic_t *created = NULL;
        int16_t e = create_one(req, ts, i, validate_only, &created, err, sizeof err);
        if (e != SL_KERR_NONE)
            SL_INFO("broker", "CreateTopics %.*s: %s: %s",
                    (int)(t->name.len > 249 ? 249 : t->name.len), t->name.p, sl_kerr_name(e), err);
        sl_kw_kstr(w, t->name);
        if (v >= 7) sl_kw_uuid(w, created ? created->id : zero_uuid);
        sl_kw_i16(w, e);
        if (v >= 1) sl_kw_cstr(w, e == SL_KERR_NONE ? NULL : err);
        if (v >= 5) {
            if (e == SL_KERR_NONE) {
                int32_t np = created          ? created->npart
                             : t->nassign > 0 ? t->nassign
                             : t->npart == -1 ? sl_catalog_default_partitions(b->catalog)
                                              : t->npart;
                sl_kw_i32(w, np);
                sl_kw_i16(w, 1);
                size_t nc = sl_tcfg_count();
                sl_kw_array(w, (int32_t)nc);
                for (size_t k = 0; k < nc; k++) {
                    sl_cfgval_t c;
                    sl_tcfg_describe(k, created ? &created->overrides : &t->configs, &b->props, &c);
                    write_config_entry(req, &c, 0, 0, 0, 0);
                    sl_cfgval_free(&c);
                }
            } else {
                sl_kw_i32(w, -1);
                sl_kw_i16(w, -1);
                sl_kw_array(w, 0);
            }
        }
        sl_kw_tags(w);
    }
    sl_kw_tags(w);
    for (int32_t i = 0; i < n; i++)
        sl_props_free(&ts[i].configs);
    free(ts);
    return SL_OK;
err_parse:
    for (int32_t i = 0; ts && i < n; i++)
        sl_props_free(&ts[i].configs);
    free(ts);
    return SL_PROTO;
}

/* ---- DeleteTopics ------------------------------------------------------------------------- */

/*
 * Request:  v0-5: topic_names [string]; v6+: topics [name nullable, topic_id uuid, T];
 *           timeout_ms i32, T
 * Response: throttle_time_ms (v1+),
 *           responses [name (nullable v6+), topic_id uuid (v6+), error_code,
 *                      error_message nullable (v5+), T], T
 */
typedef struct dt_topic_s {
    sl_kstr_t name; /* borrowed; len -1 = null (v6 by id) */
    uint8_t id[16]; /* v6 topic id */
} dt_topic_t;

/* Kafka's own internal topics: deleting them would break the coordinators that own them. */
static int is_kafka_internal(const char *name)
{
    return strcmp(name, "__consumer_offsets") == 0 || strcmp(name, "__transaction_state") == 0;
}

int sl_kapi_delete_topics(sl_req_t *req)
{
    sl_broker_t *b = req->broker;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    dt_topic_t *ts = NULL;
    int32_t n, timeout_ms;
    SL_KR(sl_kr_array(r, &n));
    if (n < 0) goto err_parse;
    ts = xcalloc((size_t)n, sizeof *ts);
    for (int32_t i = 0; i < n; i++) {
        if (v >= 6) {
            SL_KR(sl_kr_nstr(r, &ts[i].name));
            SL_KR(sl_kr_uuid(r, ts[i].id));
            SL_KR(sl_kr_tags(r));
        } else {
            SL_KR(sl_kr_str(r, &ts[i].name));
        }
    }
    SL_KR(sl_kr_i32(r, &timeout_ms));
    SL_KR(sl_kr_tags(r));

    int deleted = 0;
    if (v >= 1) sl_kw_i32(w, 0);
    sl_kw_array(w, n);
    for (int32_t i = 0; i < n; i++) {
        dt_topic_t *d = &ts[i];
        char err[512] = "";
        int16_t e = SL_KERR_NONE;
        sl_topic_t *t = NULL;
        if (d->name.len >= 0)
            t = sl_catalog_find(b->catalog, d->name.p, (size_t)d->name.len);
        else
            t = sl_catalog_find_id(b->catalog, d->id);
        /* What the response names: the topic as we know it, else what was asked. */
        char *name = t ? strdup(t->name) : sl_kstr_dup(d->name);
        uint8_t id[16];
        memcpy(id, t ? t->id : d->id, 16);
        if (!b->delete_topic_enable) {
            e = SL_KERR_TOPIC_DELETION_DISABLED;
            snprintf(err, sizeof err, "Topic deletion is disabled.");
        } else if (!t) {
            e = d->name.len >= 0 ? SL_KERR_UNKNOWN_TOPIC_OR_PARTITION : SL_KERR_UNKNOWN_TOPIC_ID;
            snprintf(err, sizeof err, "%s", sl_kerr_msg(e));
        } else if (is_kafka_internal(t->name)) {
            e = SL_KERR_INVALID_REQUEST;
            snprintf(err, sizeof err, "Topic %s is an internal topic and cannot be deleted",
                     t->name);
        } else {
            e = sl_catalog_delete(b->catalog, name, err, sizeof err);
            if (e == SL_KERR_NONE) {
                deleted++;
                /* Kafka drops committed offsets of a deleted topic too. */
                sl_groups_topic_deleted(b->groups, name);
            }
        }
        if (e != SL_KERR_NONE)
            SL_INFO("broker", "DeleteTopics %s: %s: %s", name ? name : "(by id)", sl_kerr_name(e),
                    err);
        sl_kw_cstr(w, name);
        if (v >= 6) sl_kw_uuid(w, id);
        sl_kw_i16(w, e);
        if (v >= 5) sl_kw_cstr(w, e == SL_KERR_NONE ? NULL : err);
        sl_kw_tags(w);
        free(name);
    }
    sl_kw_tags(w);
    free(ts);
    /* Fetches waiting on a deleted topic must answer now (UNKNOWN_TOPIC_OR_PARTITION). */
    if (deleted) sl_broker_fetch_wakeup(b);
    return SL_OK;
err_parse:
    free(ts);
    return SL_PROTO;
}

/* ---- CreatePartitions --------------------------------------------------------------------- */

/*
 * Request:  topics [name, count i32, assignments nullable [broker_ids [i32], T], T],
 *           timeout_ms i32, validate_only bool, T
 * Response: throttle_time_ms, results [name, error_code, error_message nullable, T], T
 */
typedef struct cp_topic_s {
    sl_kstr_t name;      /* borrowed */
    int32_t count;       /* requested total */
    int32_t nassign;     /* assignments sent, -1 = null */
    int assign_off_node; /* some new replica is not on this broker */
} cp_topic_t;

int sl_kapi_create_partitions(sl_req_t *req)
{
    sl_broker_t *b = req->broker;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    cp_topic_t *ts = NULL;
    int32_t n, timeout_ms;
    int validate_only;
    SL_KR(sl_kr_array(r, &n));
    if (n < 0) goto err_parse;
    ts = xcalloc((size_t)n, sizeof *ts);
    for (int32_t i = 0; i < n; i++) {
        cp_topic_t *t = &ts[i];
        SL_KR(sl_kr_str(r, &t->name));
        SL_KR(sl_kr_i32(r, &t->count));
        SL_KR(sl_kr_array(r, &t->nassign));
        for (int32_t j = 0; j < t->nassign; j++) {
            int32_t nb, id0 = -1;
            SL_KR(sl_kr_array(r, &nb));
            if (nb < 0) goto err_parse;
            for (int32_t k = 0; k < nb; k++) {
                int32_t id;
                SL_KR(sl_kr_i32(r, &id));
                if (k == 0) id0 = id;
            }
            if (!on_this_node(&id0, nb, b->node_id)) t->assign_off_node = 1;
            SL_KR(sl_kr_tags(r));
        }
        SL_KR(sl_kr_tags(r));
    }
    SL_KR(sl_kr_i32(r, &timeout_ms));
    SL_KR(sl_kr_bool(r, &validate_only));
    SL_KR(sl_kr_tags(r));

    sl_kw_i32(w, 0);
    sl_kw_array(w, n);
    for (int32_t i = 0; i < n; i++) {
        cp_topic_t *t = &ts[i];
        char err[512] = "", nm[300];
        int16_t e = SL_KERR_NONE;
        shown(nm, sizeof nm, t->name);
        int dup = 0;
        for (int32_t j = 0; j < n; j++)
            if (j != i && ts[j].name.len == t->name.len &&
                memcmp(ts[j].name.p, t->name.p, (size_t)t->name.len) == 0)
                dup = 1;
        sl_topic_t *topic = sl_catalog_find(b->catalog, t->name.p, (size_t)t->name.len);
        if (dup) {
            e = SL_KERR_INVALID_REQUEST;
            snprintf(err, sizeof err, "Duplicate topic in request.");
        } else if (!topic) {
            e = SL_KERR_UNKNOWN_TOPIC_OR_PARTITION;
            snprintf(err, sizeof err, "The topic '%s' does not exist.", nm);
        } else if (t->count > topic->npart && t->nassign >= 0 &&
                   t->nassign != t->count - topic->npart) {
            e = SL_KERR_INVALID_REPLICA_ASSIGNMENT;
            snprintf(err, sizeof err,
                     "Increasing the number of partitions by %d but %d assignments provided.",
                     t->count - topic->npart, t->nassign);
        } else if (t->count > topic->npart && t->assign_off_node) {
            e = SL_KERR_INVALID_REPLICA_ASSIGNMENT;
            snprintf(err, sizeof err,
                     "Sluice is a single broker: new partitions can only be assigned to broker %d",
                     b->node_id);
        } else {
            e = sl_catalog_add_partitions(b->catalog, topic, t->count, validate_only, err,
                                          sizeof err);
        }
        if (e != SL_KERR_NONE)
            SL_INFO("broker", "CreatePartitions %s: %s: %s", nm, sl_kerr_name(e), err);
        sl_kw_kstr(w, t->name);
        sl_kw_i16(w, e);
        sl_kw_cstr(w, e == SL_KERR_NONE ? NULL : err);
        sl_kw_tags(w);
    }
    sl_kw_tags(w);
    free(ts);
    return SL_OK;
err_parse:
    free(ts);
    return SL_PROTO;
}

/* ---- DescribeConfigs ---------------------------------------------------------------------- */

/*
 * Request:  resources [resource_type i8, resource_name, configuration_keys nullable [string],
 *                      T], include_synonyms bool (v1+), include_documentation bool (v3+), T
 * Response: throttle_time_ms,
 *           results [error_code, error_message nullable, resource_type i8, resource_name,
 *                    configs [name, value nullable, read_only, is_default (v0),
 *                             config_source i8 (v1+), is_sensitive,
 *                             synonyms [name, value nullable, source i8, T] (v1+),
 *                             config_type i8 (v3+), documentation nullable (v3+), T], T], T
 */
typedef struct dc_res_s {
    int8_t type;     /* resource_type */
    sl_kstr_t name;  /* borrowed */
    int32_t nkeys;   /* configuration_keys, -1 = null (all) */
    sl_kstr_t *keys; /* owned array of borrowed strings */
} dc_res_t;

static int key_wanted(const dc_res_t *res, const char *name)
{
    if (res->nkeys < 0) return 1;
    for (int32_t i = 0; i < res->nkeys; i++)
        if (sl_kstr_eq(res->keys[i], name)) return 1;
    return 0;
}

static void describe_resource(sl_req_t *req, const dc_res_t *res, int synonyms)
{
    sl_broker_t *b = req->broker;
    sl_kw_t *w = &req->w;
    char err[512] = "", nm[300];
    int16_t e = SL_KERR_NONE;
    sl_topic_t *t = NULL;
    int broker_all = 0;
    shown(nm, sizeof nm, res->name);
    if (res->type == RESOURCE_TOPIC) {
        if (sl_topic_name_check(res->name.p, (size_t)res->name.len, err, sizeof err) != SL_OK) {
            e = SL_KERR_INVALID_TOPIC_EXCEPTION;
        } else if (!(t = sl_catalog_find(b->catalog, res->name.p, (size_t)res->name.len))) {
            e = SL_KERR_UNKNOWN_TOPIC_OR_PARTITION;
            snprintf(err, sizeof err, "Topic %s does not exist", nm);
        }
    } else if (res->type == RESOURCE_BROKER) {
        char id[16];
        snprintf(id, sizeof id, "%d", b->node_id);
        if (sl_kstr_eq(res->name, id)) {
            broker_all = 1;
        } else if (res->name.len != 0) {
            /* "" asks for the cluster-wide dynamic defaults, of which Sluice has none. */
            e = SL_KERR_INVALID_REQUEST;
            snprintf(err, sizeof err,
                     "Unexpected broker id, expected %d or empty string, but received %s",
                     b->node_id, nm);
        }
    } else {
        e = SL_KERR_INVALID_REQUEST;
        snprintf(err, sizeof err,
                 "Unsupported resource type %d: Sluice describes topics (2) and brokers (4)",
                 res->type);
    }
    sl_kw_i16(w, e);
    sl_kw_cstr(w, e == SL_KERR_NONE ? NULL : err);
    sl_kw_i8(w, res->type);
    sl_kw_kstr(w, res->name);
    /* Count first: the array length precedes the entries. */
    int32_t cnt = 0;
    if (t) {
        for (size_t k = 0; k < sl_tcfg_count(); k++)
            cnt += key_wanted(res, sl_tcfg_name(k));
        sl_kw_array(w, cnt);
        for (size_t k = 0; k < sl_tcfg_count(); k++) {
            if (!key_wanted(res, sl_tcfg_name(k))) continue;
            sl_cfgval_t c;
            sl_tcfg_describe(k, &t->overrides, &b->props, &c);
            write_config_entry(req, &c, 1, 0, c.source != SL_CFGSRC_TOPIC, synonyms);
            sl_cfgval_free(&c);
        }
    } else if (broker_all) {
        sl_cfgval_t c;
        for (size_t k = 0; k < sl_bcfg_count(); k++) {
            sl_bcfg_describe(k, &b->props, &c);
            cnt += key_wanted(res, c.name);
            sl_cfgval_free(&c);
        }
        sl_kw_array(w, cnt);
        for (size_t k = 0; k < sl_bcfg_count(); k++) {
            sl_bcfg_describe(k, &b->props, &c);
            /* Static settings: nothing can change them without a restart. */
            if (key_wanted(res, c.name))
                write_config_entry(req, &c, 1, 1, c.source == SL_CFGSRC_DEFAULT, synonyms);
            sl_cfgval_free(&c);
        }
    } else {
        sl_kw_array(w, 0);
    }
    sl_kw_tags(w);
}

int sl_kapi_describe_configs(sl_req_t *req)
{
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    dc_res_t *rs = NULL;
    int32_t n;
    int synonyms = 0, docs = 0;
    SL_KR(sl_kr_array(r, &n));
    if (n < 0) goto err_parse;
    rs = xcalloc((size_t)n, sizeof *rs);
    for (int32_t i = 0; i < n; i++) {
        dc_res_t *res = &rs[i];
        SL_KR(sl_kr_i8(r, &res->type));
        SL_KR(sl_kr_str(r, &res->name));
        SL_KR(sl_kr_array(r, &res->nkeys));
        if (res->nkeys > 0) res->keys = xcalloc((size_t)res->nkeys, sizeof *res->keys);
        for (int32_t k = 0; k < res->nkeys; k++)
            SL_KR(sl_kr_str(r, &res->keys[k]));
        SL_KR(sl_kr_tags(r));
    }
    if (v >= 1) SL_KR(sl_kr_bool(r, &synonyms));
    if (v >= 3) SL_KR(sl_kr_bool(r, &docs)); /* documentation is always null */
    SL_KR(sl_kr_tags(r));

    sl_kw_i32(w, 0);
    sl_kw_array(w, n);
    for (int32_t i = 0; i < n; i++)
        describe_resource(req, &rs[i], synonyms);
    sl_kw_tags(w);
    for (int32_t i = 0; i < n; i++)
        free(rs[i].keys);
    free(rs);
    return SL_OK;
err_parse:
    for (int32_t i = 0; rs && i < n; i++)
        free(rs[i].keys);
    free(rs);
    return SL_PROTO;
}

/* ---- AlterConfigs / IncrementalAlterConfigs ------------------------------------------------ */

/*
 * AlterConfigs
 * Request:  resources [resource_type i8, resource_name, configs [name, value nullable, T], T],
 *           validate_only bool, T
 * IncrementalAlterConfigs
 * Request:  resources [resource_type i8, resource_name,
 *                      configs [name, config_operation i8, value nullable, T], T],
 *           validate_only bool, T
 * Response (both): throttle_time_ms,
 *           responses [error_code, error_message nullable, resource_type i8, resource_name, T], T
 */
typedef struct ac_cfg_s {
    sl_kstr_t name;  /* borrowed */
    int8_t op;       /* enum sl_cfgop (SET for AlterConfigs) */
    sl_kstr_t value; /* borrowed, len -1 = null */
} ac_cfg_t;

typedef struct ac_res_s {
    int8_t type;    /* resource_type */
    sl_kstr_t name; /* borrowed */
    int32_t ncfg;   /* configs */
    ac_cfg_t *cfg;  /* owned array */
} ac_res_t;

/* The new override set of one topic resource, built from the request. */
static int16_t build_overrides(sl_req_t *req, const ac_res_t *res, sl_topic_t *t, int incremental,
                               sl_props_t *ov, char *err, size_t errlen)
{
    const sl_props_t *bp = &req->broker->props;
    if (incremental)
        for (size_t i = 0; i < t->overrides.n; i++)
            sl_props_set(ov, t->overrides.v[i].key, t->overrides.v[i].value);
    for (int32_t i = 0; i < res->ncfg; i++) {
        const ac_cfg_t *c = &res->cfg[i];
        char k[256];
        shown(k, sizeof k, c->name);
        for (int32_t j = 0; j < i; j++) {
            if (res->cfg[j].name.len == c->name.len &&
                memcmp(res->cfg[j].name.p, c->name.p, (size_t)c->name.len) == 0) {
                snprintf(err, errlen, "Error due to duplicate config keys: %s", k);
                return SL_KERR_INVALID_REQUEST;
            }
        }
        char *key = NULL, *val = NULL;
        int16_t e = config_text(c->name, &key, err, errlen);
        if (e == SL_KERR_NONE && c->value.len >= 0) e = config_text(c->value, &val, err, errlen);
        if (e == SL_KERR_NONE) {
            if (!incremental && !val) {
                snprintf(err, errlen, "Null value not supported for topic config: %s", k);
                e = SL_KERR_INVALID_REQUEST;
            } else if (!incremental) {
                e = sl_tcfg_check(key, NULL, err, errlen); /* unknown name? */
                if (e == SL_KERR_NONE) sl_props_set(ov, key, val);
            } else {
                e = sl_tcfg_apply_op(ov, bp, key, c->op, val, err, errlen);
            }
        }
        free(key);
        free(val);
        if (e != SL_KERR_NONE) return e;
    }
    return SL_KERR_NONE;
}

static int alter_configs(sl_req_t *req, int incremental)
{
    sl_broker_t *b = req->broker;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    ac_res_t *rs = NULL;
    int32_t n;
    int validate_only;
    SL_KR(sl_kr_array(r, &n));
    if (n < 0) goto err_parse;
    rs = xcalloc((size_t)n, sizeof *rs);
    for (int32_t i = 0; i < n; i++) {
        ac_res_t *res = &rs[i];
        SL_KR(sl_kr_i8(r, &res->type));
        SL_KR(sl_kr_str(r, &res->name));
        SL_KR(sl_kr_array(r, &res->ncfg));
        if (res->ncfg < 0) goto err_parse;
        res->cfg = xcalloc((size_t)res->ncfg, sizeof *res->cfg);
        for (int32_t k = 0; k < res->ncfg; k++) {
            ac_cfg_t *c = &res->cfg[k];
            SL_KR(sl_kr_str(r, &c->name));
            c->op = SL_CFGOP_SET;
            if (incremental) SL_KR(sl_kr_i8(r, &c->op));
            SL_KR(sl_kr_nstr(r, &c->value));
            SL_KR(sl_kr_tags(r));
        }
        SL_KR(sl_kr_tags(r));
    }
    SL_KR(sl_kr_bool(r, &validate_only));
    SL_KR(sl_kr_tags(r));

    const char *api = incremental ? "IncrementalAlterConfigs" : "AlterConfigs";
    sl_kw_i32(w, 0);
    sl_kw_array(w, n);
    for (int32_t i = 0; i < n; i++) {
        ac_res_t *res = &rs[i];
        char err[1024] = "", nm[300];
        int16_t e = SL_KERR_NONE;
        shown(nm, sizeof nm, res->name);
        if (res->type == RESOURCE_BROKER) {
            e = SL_KERR_INVALID_REQUEST;
            snprintf(err, sizeof err,
                     "dynamic broker configs are not supported yet: set them in the server's "
                     "properties and restart");
        } else if (res->type != RESOURCE_TOPIC) {
            e = SL_KERR_INVALID_REQUEST;
            snprintf(err, sizeof err,
                     "Unsupported resource type %d: Sluice alters topic configs (2) only",
                     res->type);
        } else {
            sl_topic_t *t = NULL;
            if (sl_topic_name_check(res->name.p, (size_t)res->name.len, err, sizeof err) != SL_OK)
                e = SL_KERR_INVALID_TOPIC_EXCEPTION;
            else if (!(t = sl_catalog_find(b->catalog, res->name.p, (size_t)res->name.len))) {
                e = SL_KERR_UNKNOWN_TOPIC_OR_PARTITION;
                snprintf(err, sizeof err, "Topic %s does not exist", nm);
            }
            if (t) {
                sl_props_t ov;
                sl_props_init(&ov);
                e = build_overrides(req, res, t, incremental, &ov, err, sizeof err);
                if (e == SL_KERR_NONE)
                    e = sl_catalog_set_configs(b->catalog, t, &ov, validate_only, err, sizeof err);
                sl_props_free(&ov);
            }
        }
        if (e != SL_KERR_NONE) SL_INFO("broker", "%s %s: %s: %s", api, nm, sl_kerr_name(e), err);
        sl_kw_i16(w, e);
        sl_kw_cstr(w, e == SL_KERR_NONE ? NULL : err);
        sl_kw_i8(w, res->type);
        sl_kw_kstr(w, res->name);
        sl_kw_tags(w);
    }
    sl_kw_tags(w);
    for (int32_t i = 0; i < n; i++)
        free(rs[i].cfg);
    free(rs);
    return SL_OK;
err_parse:
    for (int32_t i = 0; rs && i < n; i++)
        free(rs[i].cfg);
    free(rs);
    return SL_PROTO;
}

int sl_kapi_alter_configs(sl_req_t *req)
{
    return alter_configs(req, 0);
}

int sl_kapi_incremental_alter_configs(sl_req_t *req)
{
    return alter_configs(req, 1);
}

/* ---- DeleteRecords ------------------------------------------------------------------------ */

/*
 * Request:  topics [name, partitions [partition_index i32, offset i64, T], T], timeout_ms, T
 * Response: throttle_time_ms,
 *           topics [name, partitions [partition_index i32, low_watermark i64, error_code, T],
 *                   T], T
 *
 * offset -1 means "up to the high watermark". Kafka refuses DeleteRecords on a topic whose
 * cleanup.policy lacks "delete" (POLICY_VIOLATION); so does Sluice.
 */
typedef struct dr_part_s {
    int32_t index;  /* partition_index */
    int64_t offset; /* delete records below this offset */
} dr_part_t;

typedef struct dr_topic_s {
    sl_kstr_t name;   /* borrowed */
    int32_t nparts;   /* partitions */
    dr_part_t *parts; /* owned array */
} dr_topic_t;

int sl_kapi_delete_records(sl_req_t *req)
{
    sl_broker_t *b = req->broker;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    dr_topic_t *ts = NULL;
    int32_t n, timeout_ms;
    SL_KR(sl_kr_array(r, &n));
    if (n < 0) goto err_parse;
    ts = xcalloc((size_t)n, sizeof *ts);
    for (int32_t i = 0; i < n; i++) {
        dr_topic_t *t = &ts[i];
        SL_KR(sl_kr_str(r, &t->name));
        SL_KR(sl_kr_array(r, &t->nparts));
        if (t->nparts < 0) goto err_parse;
        t->parts = xcalloc((size_t)t->nparts, sizeof *t->parts);
        for (int32_t j = 0; j < t->nparts; j++) {
            SL_KR(sl_kr_i32(r, &t->parts[j].index));
            SL_KR(sl_kr_i64(r, &t->parts[j].offset));
            SL_KR(sl_kr_tags(r));
        }
        SL_KR(sl_kr_tags(r));
    }
    SL_KR(sl_kr_i32(r, &timeout_ms));
    SL_KR(sl_kr_tags(r));

    int moved = 0;
    sl_kw_i32(w, 0);
    sl_kw_array(w, n);
    for (int32_t i = 0; i < n; i++) {
        dr_topic_t *dt = &ts[i];
        sl_topic_t *t = sl_catalog_find(b->catalog, dt->name.p, (size_t)dt->name.len);
        sl_kw_kstr(w, dt->name);
        sl_kw_array(w, dt->nparts);
        for (int32_t j = 0; j < dt->nparts; j++) {
            dr_part_t *p = &dt->parts[j];
            int16_t e = SL_KERR_NONE;
            int64_t low = -1;
            sl_plog_t *pl = t && p->index >= 0 && p->index < t->npart ? t->parts[p->index] : NULL;
            if (!pl) {
                e = SL_KERR_UNKNOWN_TOPIC_OR_PARTITION;
            } else if (!t->logcfg.cleanup_delete) {
                e = SL_KERR_POLICY_VIOLATION;
            } else {
                int64_t hw = sl_plog_hw(pl), off = p->offset == -1 ? hw : p->offset;
                if (off < 0 || off > hw) {
                    e = SL_KERR_OFFSET_OUT_OF_RANGE;
                } else if (off > sl_plog_start_offset(pl)) {
                    int rc = sl_plog_delete_before(pl, off);
                    if (rc == SL_RANGE)
                        e = SL_KERR_OFFSET_OUT_OF_RANGE;
                    else if (rc == SL_IO)
                        e = SL_KERR_KAFKA_STORAGE_ERROR;
                    else if (rc != SL_OK)
                        e = SL_KERR_UNKNOWN_SERVER_ERROR;
                    else
                        moved = 1;
                    if (rc != SL_OK)
                        SL_WARN("broker", "DeleteRecords %s-%d before %lld: %s", t->name, p->index,
                                (long long)off, sl_err_msg(rc));
                }
                if (e == SL_KERR_NONE) low = sl_plog_start_offset(pl);
            }
            sl_kw_i32(w, p->index);
            sl_kw_i64(w, low);
            sl_kw_i16(w, e);
            sl_kw_tags(w);
        }
        sl_kw_tags(w);
    }
    sl_kw_tags(w);
    for (int32_t i = 0; i < n; i++)
        free(ts[i].parts);
    free(ts);
    /* Fetches parked below the new log start offset must answer OFFSET_OUT_OF_RANGE now. */
    if (moved) sl_broker_fetch_wakeup(b);
    return SL_OK;
err_parse:
    for (int32_t i = 0; ts && i < n; i++)
        free(ts[i].parts);
    free(ts);
    return SL_PROTO;
}

/* ---- DescribeCluster ---------------------------------------------------------------------- */

/*
 * Request:  include_cluster_authorized_operations bool, T
 * Response: throttle_time_ms, error_code, error_message nullable, cluster_id, controller_id,
 *           brokers [broker_id, host, port, rack nullable, T],
 *           cluster_authorized_operations i32, T
 */
int sl_kapi_describe_cluster(sl_req_t *req)
{
    sl_broker_t *b = req->broker;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int include_ops;
    SL_KR(sl_kr_bool(r, &include_ops));
    SL_KR(sl_kr_tags(r));
    sl_kw_i32(w, 0);
    sl_kw_i16(w, SL_KERR_NONE);
    sl_kw_cstr(w, NULL);
    sl_kw_cstr(w, b->cluster_id);
    sl_kw_i32(w, b->node_id);
    sl_kw_array(w, 1);
    sl_kw_i32(w, b->node_id);
    sl_kw_cstr(w, b->adv_host ? b->adv_host : "localhost");
    sl_kw_i32(w, b->adv_port);
    sl_kw_cstr(w, NULL);
    sl_kw_tags(w);
    /* No authorizer: "not requested / unknown", as Kafka answers without one. */
    sl_kw_i32(w, AUTH_OPS_UNKNOWN);
    sl_kw_tags(w);
    return SL_OK;
err_parse:
    return SL_PROTO;
}
