/*
 * proto_metadata.c — Metadata (ApiKey 3), versions 0-12, flexible from 9.
 *
 * Request:  topics [topic_id uuid (v10+), name string (nullable v10+)] (null = all, v1+;
 *           empty = all in v0), allow_auto_topic_creation bool (v4+),
 *           include_cluster_authorized_operations bool (v8-10),
 *           include_topic_authorized_operations bool (v8+)
 * Response: throttle_time_ms (v3+), brokers [node_id, host, port, rack (v1+)],
 *           cluster_id (v2+), controller_id (v1+),
 *           topics [error_code, name (nullable v12+), topic_id (v10+), is_internal (v1+),
 *                   partitions [error_code, partition_index, leader_id, leader_epoch (v7+),
 *                               replica_nodes, isr_nodes, offline_replicas (v5+)],
 *                   topic_authorized_operations (v8+)],
 *           cluster_authorized_operations (v8-10)
 *
 * A single node leads every partition. Unknown topics are created when the request allows it
 * (implicitly before v4) and auto.create.topics.enable is true.
 */
#include "broker/broker_int.h"
#include "common/err.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

#define AUTH_OPS_UNKNOWN INT32_MIN

static void write_topic(sl_req_t *req, sl_topic_t *t, sl_kstr_t asked, int16_t err)
{
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    sl_broker_t *b = req->broker;
    static const uint8_t zero_id[16];
    sl_kw_i16(w, err);
    if (t)
        sl_kw_cstr(w, t->name);
    else
        sl_kw_kstr(w, asked);
    if (v >= 10) sl_kw_uuid(w, t ? t->id : zero_id);
    if (v >= 1) sl_kw_bool(w, t ? t->internal : 0);
    int32_t np = t ? t->npart : 0;
    sl_kw_array(w, np);
    for (int32_t i = 0; i < np; i++) {
        sl_kw_i16(w, SL_KERR_NONE);
        sl_kw_i32(w, i);
        sl_kw_i32(w, b->node_id);
        if (v >= 7) sl_kw_i32(w, sl_plog_leader_epoch(t->parts[i]));
        sl_kw_array(w, 1);
        sl_kw_i32(w, b->node_id);
        sl_kw_array(w, 1);
        sl_kw_i32(w, b->node_id);
        if (v >= 5) sl_kw_array(w, 0);
        sl_kw_tags(w);
    }
    if (v >= 8) sl_kw_i32(w, AUTH_OPS_UNKNOWN);
    sl_kw_tags(w);
}

int sl_kapi_metadata(sl_req_t *req)
{
    sl_broker_t *b = req->broker;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    int32_t n;
    sl_kstr_t *names = NULL;
    SL_KR(sl_kr_array(r, &n));
    if (v == 0 && n == 0) n = -1; /* v0: an empty list means all topics */

    /* Read the requested names first: the topic list follows the brokers in the response. */
    if (n > 0) {
        names = calloc((size_t)n, sizeof *names);
        if (!names) abort();
    }
    for (int32_t i = 0; i < n; i++) {
        if (v >= 10) {
            uint8_t id[16];
            SL_KR(sl_kr_uuid(r, id));
            SL_KR(sl_kr_nstr(r, &names[i]));
            if (names[i].len < 0) {
                /* Lookup by id: answer with the name we know. */
                sl_topic_t *t = sl_catalog_find_id(b->catalog, id);
                if (t) {
                    names[i].p = t->name;
                    names[i].len = (int32_t)strlen(t->name);
                }
            }
        } else {
            SL_KR(sl_kr_str(r, &names[i]));
        }
        SL_KR(sl_kr_tags(r));
    }
    int allow_auto = 1;
    if (v >= 4) SL_KR(sl_kr_bool(r, &allow_auto));
    if (v >= 8 && v <= 10) {
        int x;
        SL_KR(sl_kr_bool(r, &x));
    }
    if (v >= 8) {
        int x;
        SL_KR(sl_kr_bool(r, &x));
    }
    SL_KR(sl_kr_tags(r));

    if (v >= 3) sl_kw_i32(w, 0);
    sl_kw_array(w, 1);
    sl_kw_i32(w, b->node_id);
    sl_kw_cstr(w, b->adv_host);
    sl_kw_i32(w, b->adv_port);
    if (v >= 1) sl_kw_cstr(w, NULL);
    sl_kw_tags(w);
    if (v >= 2) sl_kw_cstr(w, b->cluster_id);
    if (v >= 1) sl_kw_i32(w, b->node_id);

    if (n < 0) {
        sl_topic_t *const *all;
        size_t cnt = sl_catalog_list(b->catalog, &all);
        sl_kw_array(w, (int32_t)cnt);
        sl_kstr_t none = {NULL, -1};
        for (size_t i = 0; i < cnt; i++)
            write_topic(req, all[i], none, SL_KERR_NONE);
    } else {
        sl_kw_array(w, n);
        for (int32_t i = 0; i < n; i++) {
            sl_kstr_t nm = names[i];
            if (nm.len < 0) {
                write_topic(req, NULL, nm, SL_KERR_UNKNOWN_TOPIC_ID);
                continue;
            }
            sl_topic_t *t = sl_catalog_find(b->catalog, nm.p, (size_t)nm.len);
            int16_t err = SL_KERR_NONE;
            if (!t) {
                char why[256];
                if (sl_topic_name_check(nm.p, (size_t)nm.len, why, sizeof why) != 0) {
                    err = SL_KERR_INVALID_TOPIC_EXCEPTION;
                } else if (allow_auto && sl_catalog_auto_create(b->catalog)) {
                    char *name = sl_kstr_dup(nm);
                    err = sl_catalog_create(b->catalog, name, -1, -1, NULL, 0, &t, why, sizeof why);
                    if (err == SL_KERR_NONE)
                        SL_INFO("broker", "auto-created topic %s with %d partition(s)", name,
                                t->npart);
                    else
                        SL_WARN("broker", "auto-creating topic %s failed: %s", name, why);
                    free(name);
                } else {
                    err = SL_KERR_UNKNOWN_TOPIC_OR_PARTITION;
                }
            }
            write_topic(req, err == SL_KERR_NONE ? t : NULL, nm, err);
        }
    }
    if (v >= 8 && v <= 10) sl_kw_i32(w, AUTH_OPS_UNKNOWN);
    sl_kw_tags(w);
    free(names);
    return SL_OK;
err_parse:
    free(names);
    return SL_PROTO;
}
