/*
 * proto_group.c — the consumer group APIs: FindCoordinator (10), JoinGroup (11), Heartbeat
 * (12), LeaveGroup (13), SyncGroup (14), DescribeGroups (15), ListGroups (16), OffsetCommit
 * (8), OffsetFetch (9), DeleteGroups (42), OffsetDelete (47).
 *
 * Each handler parses its whole request first (a malformed one closes the connection before
 * anything changed), then asks the coordinator (group.c, group_offsets.c) and writes the
 * answer. JoinGroup and SyncGroup may wait for other members: the coordinator keeps the request
 * and writes the answer later through sl_gproto_write_join / sl_gproto_write_sync. Answers
 * that follow a write to __consumer_offsets (OffsetCommit, SyncGroup, DeleteGroups) wait until
 * the write is durable.
 *
 * Field layouts follow Kafka's message definitions (clients/src/main/resources/common/message):
 *   FindCoordinator  req: key (v0-3), key_type (v1+), coordinator_keys [string] (v4+)
 *                    resp: throttle (v1+), error_code, error_message (v1+), node_id, host, port
 *                          (v0-3) | coordinators [key, node_id, host, port, error_code,
 *                          error_message] (v4+)
 *   JoinGroup        req: group_id, session_timeout_ms, rebalance_timeout_ms (v1+), member_id,
 *                          group_instance_id (v5+), protocol_type, protocols [name, metadata],
 *                          reason (v8+)
 *                    resp: throttle (v2+), error_code, generation_id, protocol_type (v7+),
 *                          protocol_name (nullable v7+), leader, skip_assignment (v9+),
 *                          member_id, members [member_id, group_instance_id (v5+), metadata]
 *   SyncGroup        req: group_id, generation_id, member_id, group_instance_id (v3+),
 *                          protocol_type (v5+), protocol_name (v5+), assignments [member_id,
 *                          assignment]
 *                    resp: throttle (v1+), error_code, protocol_type (v5+), protocol_name (v5+),
 *                          assignment
 *   Heartbeat        req: group_id, generation_id, member_id, group_instance_id (v3+)
 *                    resp: throttle (v1+), error_code
 *   LeaveGroup       req: group_id, member_id (v0-2) | members [member_id, group_instance_id,
 *                          reason (v5+)] (v3+)
 *                    resp: throttle (v1+), error_code, members [member_id, group_instance_id,
 *                          error_code] (v3+)
 *   OffsetCommit     req: group_id, generation_id (v1+), member_id (v1+), group_instance_id
 *                          (v7+), retention_time_ms (v2-4), topics [name, partitions [index,
 *                          offset, leader_epoch (v6+), commit_timestamp (v1), metadata]]
 *                    resp: throttle (v3+), topics [name, partitions [index, error_code]]
 *   OffsetFetch      req: group_id, topics (null = all, v2+) [name, partition_indexes] (v0-7)
 *                          | groups [group_id, topics] (v8+), require_stable (v7+)
 *                    resp: throttle (v3+), topics [name, partitions [index, offset,
 *                          leader_epoch (v5+), metadata, error_code]], error_code (v2-7)
 *                          | groups [group_id, topics, error_code] (v8+)
 *   ListGroups       req: states_filter (v4+)
 *                    resp: throttle (v1+), error_code, groups [group_id, protocol_type,
 *                          group_state (v4+)]
 *   DescribeGroups   req: groups [string], include_authorized_operations (v3+)
 *                    resp: throttle (v1+), groups [error_code, group_id, group_state,
 *                          protocol_type, protocol_data, members [member_id, group_instance_id
 *                          (v4+), client_id, client_host, metadata, assignment],
 *                          authorized_operations (v3+)]
 *   DeleteGroups     req: groups_names [string]
 *                    resp: throttle, results [group_id, error_code]
 *   OffsetDelete     req: group_id, topics [name, partitions [index]]
 *                    resp: error_code, throttle, topics [name, partitions [index, error_code]]
 *
 * @locality loop thread
 */
#include "broker/group_int.h"
#include "common/err.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

static const sl_kstr_t knull = {NULL, -1};

/* ---- deferred answers ------------------------------------------------------------------ */

void sl_gproto_write_join(sl_req_t *req, int16_t err, const sl_group_t *g, const char *member_id,
                          int with_members, int skip_assignment)
{
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    int ok = g && err == SL_KERR_NONE;
    SL_DEBUG("group", "JoinGroup answer to %s: %s, generation %d", member_id ? member_id : "",
             sl_kerr_name(err), ok ? g->generation : -1);
    if (v >= 2) sl_kw_i32(w, 0);
    sl_kw_i16(w, err);
    sl_kw_i32(w, ok ? g->generation : -1);
    if (v >= 7) {
        sl_kw_cstr(w, ok ? g->protocol_type : NULL);
        sl_kw_cstr(w, ok ? g->protocol : NULL);
    } else {
        sl_kw_cstr(w, ok && g->protocol ? g->protocol : "");
    }
    sl_kw_cstr(w, ok && g->leader ? g->leader : "");
    if (v >= 9) sl_kw_bool(w, skip_assignment);
    sl_kw_cstr(w, member_id ? member_id : "");
    if (ok && with_members) {
        sl_kw_array(w, g->nmembers);
        for (const sl_gmember_t *m = g->members; m; m = m->next) {
            const sl_gproto_t *p = sl_gmember_proto(m, g->protocol);
            sl_kw_cstr(w, m->id);
            if (v >= 5) sl_kw_cstr(w, m->instance_id);
            sl_kw_bytes(w, p ? p->meta : NULL, p ? p->len : 0);
            sl_kw_tags(w);
        }
    } else {
        sl_kw_array(w, 0);
    }
    sl_kw_tags(w);
}

void sl_gproto_write_sync(sl_req_t *req, int16_t err, const sl_group_t *g, const uint8_t *bytes,
                          int32_t len)
{
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    int ok = g && err == SL_KERR_NONE;
    SL_DEBUG("group", "SyncGroup answer: %s, %d assignment bytes", sl_kerr_name(err), ok ? len : 0);
    if (v >= 1) sl_kw_i32(w, 0);
    sl_kw_i16(w, err);
    if (v >= 5) {
        sl_kw_cstr(w, ok ? g->protocol_type : NULL);
        sl_kw_cstr(w, ok ? g->protocol : NULL);
    }
    sl_kw_bytes(w, ok ? bytes : NULL, ok ? len : 0);
    sl_kw_tags(w);
}

/* Run a coordinator call for req: SL_OK if answered now, SL_AGAIN if kept. */
#define SL_GROUPS_RUN(gs, req, call)                                                               \
    do {                                                                                           \
        (gs)->cur = (req);                                                                         \
        (gs)->cur_ret = SL_AGAIN;                                                                  \
        call;                                                                                      \
        (gs)->cur = NULL;                                                                          \
    } while (0)

/* ---- FindCoordinator ------------------------------------------------------------------- */

static int16_t coordinator_error(sl_broker_t *b, int8_t key_type, const char **msg)
{
    *msg = NULL;
    if (key_type == 1) {
        *msg = "transactions are not supported yet";
        return SL_KERR_COORDINATOR_NOT_AVAILABLE;
    }
    if (key_type != 0) {
        *msg = "unknown coordinator key type";
        return SL_KERR_INVALID_REQUEST;
    }
    if (!b->groups) {
        *msg = "the group coordinator is not running";
        return SL_KERR_COORDINATOR_NOT_AVAILABLE;
    }
    return SL_KERR_NONE;
}

int sl_kapi_find_coordinator(sl_req_t *req)
{
    sl_broker_t *b = req->broker;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    sl_kstr_t key = {"", 0};
    int8_t key_type = 0;
    int32_t nkeys = 0;
    sl_kstr_t *keys = NULL;
    if (v <= 3) SL_KR(sl_kr_str(r, &key));
    if (v >= 1) SL_KR(sl_kr_i8(r, &key_type));
    if (v >= 4) {
        SL_KR(sl_kr_array(r, &nkeys));
        if (nkeys < 0) nkeys = 0;
        keys = calloc((size_t)nkeys + 1, sizeof *keys);
        if (!keys) abort();
        for (int32_t i = 0; i < nkeys; i++)
            SL_KR(sl_kr_str(r, &keys[i]));
    }
    SL_KR(sl_kr_tags(r));
    const char *msg;
    int16_t err = coordinator_error(b, key_type, &msg);
    if (v >= 1) sl_kw_i32(w, 0);
    if (v <= 3) {
        sl_kw_i16(w, err);
        if (v >= 1) sl_kw_cstr(w, err ? msg : NULL);
        sl_kw_i32(w, err ? -1 : b->node_id);
        sl_kw_cstr(w, err ? "" : b->adv_host);
        sl_kw_i32(w, err ? -1 : b->adv_port);
    } else {
        sl_kw_array(w, nkeys);
        for (int32_t i = 0; i < nkeys; i++) {
            sl_kw_kstr(w, keys[i]);
            sl_kw_i32(w, err ? -1 : b->node_id);
            sl_kw_cstr(w, err ? "" : b->adv_host);
            sl_kw_i32(w, err ? -1 : b->adv_port);
            sl_kw_i16(w, err);
            sl_kw_cstr(w, err ? msg : NULL);
            sl_kw_tags(w);
        }
    }
    sl_kw_tags(w);
    free(keys);
    return SL_OK;
err_parse:
    free(keys);
    return SL_PROTO;
}

/* ---- JoinGroup, SyncGroup, Heartbeat, LeaveGroup --------------------------------------- */

int sl_kapi_join_group(sl_req_t *req)
{
    sl_groups_t *gs = req->broker->groups;
    sl_kr_t *r = &req->r;
    int16_t v = req->api_version;
    sl_join_args_t a;
    memset(&a, 0, sizeof a);
    a.instance_id = knull;
    sl_kstr_t reason;
    int32_t parsed = 0;
    SL_KR(sl_kr_str(r, &a.group_id));
    SL_KR(sl_kr_i32(r, &a.session_timeout));
    a.rebalance_timeout = a.session_timeout;
    if (v >= 1) SL_KR(sl_kr_i32(r, &a.rebalance_timeout));
    SL_KR(sl_kr_str(r, &a.member_id));
    if (v >= 5) SL_KR(sl_kr_nstr(r, &a.instance_id));
    SL_KR(sl_kr_str(r, &a.protocol_type));
    SL_KR(sl_kr_array(r, &a.nprotos));
    if (a.nprotos < 0) a.nprotos = 0;
    a.protos = calloc((size_t)a.nprotos + 1, sizeof *a.protos);
    if (!a.protos) abort();
    for (; parsed < a.nprotos; parsed++) {
        sl_kstr_t name;
        const uint8_t *meta;
        SL_KR(sl_kr_str(r, &name));
        SL_KR(sl_kr_nbytes(r, &meta, &a.protos[parsed].len));
        SL_KR(sl_kr_tags(r));
        a.protos[parsed].name = sl_kstr_dup(name);
        a.protos[parsed].meta = (uint8_t *)meta; /* borrowed for the call */
    }
    if (v >= 8) SL_KR(sl_kr_nstr(r, &reason));
    SL_KR(sl_kr_tags(r));
    a.require_known_id = v >= 4;
    SL_DEBUG("group", "JoinGroup v%d group %.*s member '%.*s' from %s", v, (int)a.group_id.len,
             a.group_id.p, (int)a.member_id.len, a.member_id.p,
             req->client_id ? req->client_id : "?");
    int ret = SL_OK;
    if (!gs) {
        sl_gproto_write_join(req, SL_KERR_COORDINATOR_NOT_AVAILABLE, NULL, "", 0, 0);
    } else {
        SL_GROUPS_RUN(gs, req, sl_group_join(gs, req, &a));
        ret = gs->cur_ret;
    }
    for (int32_t i = 0; i < a.nprotos; i++)
        free(a.protos[i].name);
    free(a.protos);
    return ret;
err_parse:
    for (int32_t i = 0; i < parsed; i++)
        free(a.protos[i].name);
    free(a.protos);
    return SL_PROTO;
}

int sl_kapi_sync_group(sl_req_t *req)
{
    sl_groups_t *gs = req->broker->groups;
    sl_kr_t *r = &req->r;
    int16_t v = req->api_version;
    sl_sync_args_t a;
    memset(&a, 0, sizeof a);
    a.instance_id = a.protocol_type = a.protocol_name = knull;
    SL_KR(sl_kr_str(r, &a.group_id));
    SL_KR(sl_kr_i32(r, &a.generation));
    SL_KR(sl_kr_str(r, &a.member_id));
    if (v >= 3) SL_KR(sl_kr_nstr(r, &a.instance_id));
    if (v >= 5) {
        SL_KR(sl_kr_nstr(r, &a.protocol_type));
        SL_KR(sl_kr_nstr(r, &a.protocol_name));
    }
    SL_KR(sl_kr_array(r, &a.nassign));
    if (a.nassign < 0) a.nassign = 0;
    a.assign = calloc((size_t)a.nassign + 1, sizeof *a.assign);
    if (!a.assign) abort();
    for (int32_t i = 0; i < a.nassign; i++) {
        SL_KR(sl_kr_str(r, &a.assign[i].member_id));
        SL_KR(sl_kr_nbytes(r, &a.assign[i].bytes, &a.assign[i].len));
        SL_KR(sl_kr_tags(r));
    }
    SL_KR(sl_kr_tags(r));
    SL_DEBUG("group", "SyncGroup v%d group %.*s member %.*s generation %d, %d assignments", v,
             (int)a.group_id.len, a.group_id.p, (int)a.member_id.len, a.member_id.p, a.generation,
             a.nassign);
    int ret = SL_OK;
    if (!gs) {
        sl_gproto_write_sync(req, SL_KERR_COORDINATOR_NOT_AVAILABLE, NULL, NULL, 0);
    } else {
        SL_GROUPS_RUN(gs, req, sl_group_sync(gs, req, &a));
        ret = gs->cur_ret;
    }
    free(a.assign);
    return ret;
err_parse:
    free(a.assign);
    return SL_PROTO;
}

int sl_kapi_heartbeat(sl_req_t *req)
{
    sl_groups_t *gs = req->broker->groups;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    sl_kstr_t group, member, instance = knull;
    int32_t generation;
    SL_KR(sl_kr_str(r, &group));
    SL_KR(sl_kr_i32(r, &generation));
    SL_KR(sl_kr_str(r, &member));
    if (v >= 3) SL_KR(sl_kr_nstr(r, &instance));
    SL_KR(sl_kr_tags(r));
    int16_t err = gs ? sl_group_heartbeat(gs, group, generation, member, instance)
                     : SL_KERR_COORDINATOR_NOT_AVAILABLE;
    if (err != SL_KERR_NONE)
        SL_DEBUG("group", "Heartbeat group %.*s member %.*s generation %d: %s", (int)group.len,
                 group.p, (int)member.len, member.p, generation, sl_kerr_name(err));
    if (v >= 1) sl_kw_i32(w, 0);
    sl_kw_i16(w, err);
    sl_kw_tags(w);
    return SL_OK;
err_parse:
    return SL_PROTO;
}

typedef struct leave_s {
    sl_kstr_t member;   /* member id */
    sl_kstr_t instance; /* group.instance.id or null */
    int16_t err;        /* result */
} leave_t;

int sl_kapi_leave_group(sl_req_t *req)
{
    sl_groups_t *gs = req->broker->groups;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    sl_kstr_t group, reason;
    int32_t n = 1;
    leave_t *ms = NULL;
    SL_KR(sl_kr_str(r, &group));
    if (v <= 2) {
        ms = calloc(1, sizeof *ms);
        if (!ms) abort();
        SL_KR(sl_kr_str(r, &ms[0].member));
        ms[0].instance = knull;
    } else {
        SL_KR(sl_kr_array(r, &n));
        if (n < 0) n = 0;
        ms = calloc((size_t)n + 1, sizeof *ms);
        if (!ms) abort();
        for (int32_t i = 0; i < n; i++) {
            SL_KR(sl_kr_str(r, &ms[i].member));
            SL_KR(sl_kr_nstr(r, &ms[i].instance));
            if (v >= 5) SL_KR(sl_kr_nstr(r, &reason));
            SL_KR(sl_kr_tags(r));
        }
    }
    SL_KR(sl_kr_tags(r));
    int16_t top = SL_KERR_NONE;
    sl_group_t *g = NULL;
    if (!gs)
        top = SL_KERR_COORDINATOR_NOT_AVAILABLE;
    else if (group.len <= 0)
        top = SL_KERR_INVALID_GROUP_ID;
    else
        g = sl_group_find(gs, group.p, (size_t)group.len);
    for (int32_t i = 0; i < n; i++) {
        ms[i].err = top;
        if (top != SL_KERR_NONE) continue;
        ms[i].err =
            g ? sl_group_leave(gs, g, ms[i].member, ms[i].instance) : SL_KERR_UNKNOWN_MEMBER_ID;
        SL_DEBUG("group", "LeaveGroup group %.*s member %.*s: %s", (int)group.len, group.p,
                 (int)ms[i].member.len, ms[i].member.p, sl_kerr_name(ms[i].err));
        if (ms[i].err == SL_KERR_NONE)
            SL_INFO("group", "member %.*s left group %s", (int)ms[i].member.len, ms[i].member.p,
                    g->id);
    }
    if (v <= 2 && top == SL_KERR_NONE) top = ms[0].err;
    if (v >= 1) sl_kw_i32(w, 0);
    sl_kw_i16(w, top);
    if (v >= 3) {
        sl_kw_array(w, top == SL_KERR_NONE ? n : 0);
        for (int32_t i = 0; top == SL_KERR_NONE && i < n; i++) {
            sl_kw_kstr(w, ms[i].member);
            sl_kw_kstr(w, ms[i].instance);
            sl_kw_i16(w, ms[i].err);
            sl_kw_tags(w);
        }
    }
    sl_kw_tags(w);
    free(ms);
    return SL_OK;
err_parse:
    free(ms);
    return SL_PROTO;
}

/* ---- OffsetCommit, OffsetFetch --------------------------------------------------------- */

int sl_kapi_offset_commit(sl_req_t *req)
{
    sl_groups_t *gs = req->broker->groups;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    sl_commit_args_t a;
    memset(&a, 0, sizeof a);
    a.generation = -1;
    a.member_id.p = "";
    a.instance_id = knull;
    a.retention_ms = -1;
    int32_t ntopics, cap = 0;
    int32_t *tcount = NULL; /* partitions per topic */
    SL_KR(sl_kr_str(r, &a.group_id));
    if (v >= 1) {
        SL_KR(sl_kr_i32(r, &a.generation));
        SL_KR(sl_kr_str(r, &a.member_id));
    }
    if (v >= 7) SL_KR(sl_kr_nstr(r, &a.instance_id));
    if (v >= 2 && v <= 4) SL_KR(sl_kr_i64(r, &a.retention_ms));
    SL_KR(sl_kr_array(r, &ntopics));
    if (ntopics < 0) ntopics = 0;
    tcount = calloc((size_t)ntopics + 1, sizeof *tcount);
    if (!tcount) abort();
    for (int32_t i = 0; i < ntopics; i++) {
        sl_kstr_t name;
        int32_t np;
        SL_KR(sl_kr_str(r, &name));
        SL_KR(sl_kr_array(r, &np));
        if (np < 0) np = 0;
        tcount[i] = np;
        for (int32_t j = 0; j < np; j++) {
            if (a.nparts == cap) {
                cap = cap ? cap * 2 : 16;
                a.parts = realloc(a.parts, (size_t)cap * sizeof *a.parts);
                if (!a.parts) abort();
            }
            sl_commit_part_t *p = &a.parts[a.nparts++];
            memset(p, 0, sizeof *p);
            p->topic = name;
            p->leader_epoch = -1;
            p->commit_ts = -1;
            SL_KR(sl_kr_i32(r, &p->partition));
            SL_KR(sl_kr_i64(r, &p->offset));
            if (v >= 6) SL_KR(sl_kr_i32(r, &p->leader_epoch));
            if (v == 1) SL_KR(sl_kr_i64(r, &p->commit_ts));
            SL_KR(sl_kr_nstr(r, &p->metadata));
            SL_KR(sl_kr_tags(r));
        }
        SL_KR(sl_kr_tags(r));
    }
    SL_KR(sl_kr_tags(r));
    sl_durable_need_t need = {{0}, 0, 0};
    if (gs) {
        sl_group_commit(gs, &a, &need);
    } else {
        for (int32_t i = 0; i < a.nparts; i++)
            a.parts[i].err = SL_KERR_COORDINATOR_NOT_AVAILABLE;
    }
    if (v >= 3) sl_kw_i32(w, 0);
    sl_kw_array(w, ntopics);
    int32_t k = 0;
    for (int32_t i = 0; i < ntopics; i++) {
        if (tcount[i] > 0)
            sl_kw_kstr(w, a.parts[k].topic);
        else
            sl_kw_cstr(w, ""); /* unreachable in practice: a topic with no partitions */
        sl_kw_array(w, tcount[i]);
        for (int32_t j = 0; j < tcount[i]; j++, k++) {
            sl_kw_i32(w, a.parts[k].partition);
            sl_kw_i16(w, a.parts[k].err);
            sl_kw_tags(w);
        }
        sl_kw_tags(w);
    }
    sl_kw_tags(w);
    free(a.parts);
    free(tcount);
    if (need.hw > 0) {
        sl_durable_need_t *n = malloc(sizeof *n);
        if (!n) abort();
        *n = need;
        return sl_broker_wait_durable(req, n, 1);
    }
    return SL_OK;
err_parse:
    free(a.parts);
    free(tcount);
    return SL_PROTO;
}

static void write_fetched(sl_kw_t *w, int16_t v, int32_t partition, const sl_goffset_t *o)
{
    sl_kw_i32(w, partition);
    sl_kw_i64(w, o ? o->offset : -1);
    if (v >= 5) sl_kw_i32(w, o ? o->leader_epoch : -1);
    sl_kw_cstr(w, o ? o->metadata : "");
    sl_kw_i16(w, SL_KERR_NONE);
    sl_kw_tags(w);
}

/* One group's topics: read from the request (or all committed, for null) and answer. */
static int fetch_group_topics(sl_req_t *req, sl_group_t *g, int null_ok)
{
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    int32_t ntopics;
    SL_KR(sl_kr_array(r, &ntopics));
    if (ntopics < 0 && !null_ok) ntopics = 0;
    if (ntopics < 0) {
        int32_t n = 0;
        for (sl_gtopic_t *t = g ? g->topics : NULL; t; t = t->next)
            n++;
        sl_kw_array(w, n);
        for (sl_gtopic_t *t = g ? g->topics : NULL; t; t = t->next) {
            sl_kw_cstr(w, t->name);
            sl_kw_array(w, t->count);
            for (int32_t p = 0; p < t->cap; p++)
                if (t->parts[p].present) write_fetched(w, v, p, &t->parts[p]);
            sl_kw_tags(w);
        }
        return SL_OK;
    }
    sl_kw_array(w, ntopics);
    for (int32_t i = 0; i < ntopics; i++) {
        sl_kstr_t name;
        int32_t np;
        SL_KR(sl_kr_str(r, &name));
        SL_KR(sl_kr_array(r, &np));
        if (np < 0) np = 0;
        sl_kw_kstr(w, name);
        sl_kw_array(w, np);
        for (int32_t j = 0; j < np; j++) {
            int32_t p;
            SL_KR(sl_kr_i32(r, &p));
            write_fetched(w, v, p, g ? sl_goffset_get(g, name.p, (size_t)name.len, p) : NULL);
        }
        SL_KR(sl_kr_tags(r));
        sl_kw_tags(w);
    }
    return SL_OK;
err_parse:
    return SL_PROTO;
}

int sl_kapi_offset_fetch(sl_req_t *req)
{
    sl_groups_t *gs = req->broker->groups;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    int require_stable;
    if (v >= 3) sl_kw_i32(w, 0);
    if (v <= 7) {
        sl_kstr_t group;
        SL_KR(sl_kr_str(r, &group));
        sl_group_t *g = gs ? sl_group_find(gs, group.p, (size_t)group.len) : NULL;
        if (fetch_group_topics(req, g, v >= 2) != SL_OK) goto err_parse;
        if (v >= 7) SL_KR(sl_kr_bool(r, &require_stable));
        if (v >= 2) sl_kw_i16(w, gs ? SL_KERR_NONE : SL_KERR_COORDINATOR_NOT_AVAILABLE);
    } else {
        int32_t ngroups;
        SL_KR(sl_kr_array(r, &ngroups));
        if (ngroups < 0) ngroups = 0;
        sl_kw_array(w, ngroups);
        for (int32_t i = 0; i < ngroups; i++) {
            sl_kstr_t group;
            SL_KR(sl_kr_str(r, &group));
            sl_group_t *g = gs ? sl_group_find(gs, group.p, (size_t)group.len) : NULL;
            sl_kw_kstr(w, group);
            if (fetch_group_topics(req, g, 1) != SL_OK) goto err_parse;
            SL_KR(sl_kr_tags(r));
            sl_kw_i16(w, gs ? SL_KERR_NONE : SL_KERR_COORDINATOR_NOT_AVAILABLE);
            sl_kw_tags(w);
        }
        SL_KR(sl_kr_bool(r, &require_stable));
    }
    SL_KR(sl_kr_tags(r));
    sl_kw_tags(w);
    return SL_OK;
err_parse:
    return SL_PROTO;
}

/* ---- ListGroups, DescribeGroups -------------------------------------------------------- */

static int state_listed(const sl_group_t *g, const sl_kstr_t *states, int32_t n)
{
    if (n <= 0) return 1;
    const char *name = sl_gstate_name(g->state);
    for (int32_t i = 0; i < n; i++)
        if (states[i].len >= 0 && strlen(name) == (size_t)states[i].len &&
            strncasecmp(name, states[i].p, (size_t)states[i].len) == 0)
            return 1;
    return 0;
}

int sl_kapi_list_groups(sl_req_t *req)
{
    sl_groups_t *gs = req->broker->groups;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    int32_t nstates = 0;
    sl_kstr_t *states = NULL;
    if (v >= 4) {
        SL_KR(sl_kr_array(r, &nstates));
        if (nstates < 0) nstates = 0;
        states = calloc((size_t)nstates + 1, sizeof *states);
        if (!states) abort();
        for (int32_t i = 0; i < nstates; i++)
            SL_KR(sl_kr_str(r, &states[i]));
    }
    SL_KR(sl_kr_tags(r));
    if (v >= 1) sl_kw_i32(w, 0);
    sl_kw_i16(w, gs ? SL_KERR_NONE : SL_KERR_COORDINATOR_NOT_AVAILABLE);
    int32_t n = 0;
    for (size_t i = 0; gs && i < gs->nbuckets; i++)
        for (sl_group_t *g = gs->buckets[i]; g; g = g->hnext)
            n += state_listed(g, states, nstates);
    sl_kw_array(w, n);
    for (size_t i = 0; gs && i < gs->nbuckets; i++)
        for (sl_group_t *g = gs->buckets[i]; g; g = g->hnext) {
            if (!state_listed(g, states, nstates)) continue;
            sl_kw_cstr(w, g->id);
            sl_kw_cstr(w, g->protocol_type ? g->protocol_type : "");
            if (v >= 4) sl_kw_cstr(w, sl_gstate_name(g->state));
            sl_kw_tags(w);
        }
    sl_kw_tags(w);
    free(states);
    return SL_OK;
err_parse:
    free(states);
    return SL_PROTO;
}

/* Kafka's AclOperation codes: READ 3, DELETE 6, DESCRIBE 8 — what a group allows without an
 * authorizer. */
#define SL_GROUP_AUTHORIZED_OPS ((1 << 3) | (1 << 6) | (1 << 8))

int sl_kapi_describe_groups(sl_req_t *req)
{
    sl_groups_t *gs = req->broker->groups;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    int32_t n;
    sl_kstr_t *ids = NULL;
    int include_ops = 0;
    SL_KR(sl_kr_array(r, &n));
    if (n < 0) n = 0;
    ids = calloc((size_t)n + 1, sizeof *ids);
    if (!ids) abort();
    for (int32_t i = 0; i < n; i++)
        SL_KR(sl_kr_str(r, &ids[i]));
    if (v >= 3) SL_KR(sl_kr_bool(r, &include_ops));
    SL_KR(sl_kr_tags(r));
    if (v >= 1) sl_kw_i32(w, 0);
    sl_kw_array(w, n);
    for (int32_t i = 0; i < n; i++) {
        sl_group_t *g = gs ? sl_group_find(gs, ids[i].p, (size_t)ids[i].len) : NULL;
        int stable = g && g->state == SL_GS_STABLE;
        sl_kw_i16(w, gs ? SL_KERR_NONE : SL_KERR_COORDINATOR_NOT_AVAILABLE);
        sl_kw_kstr(w, ids[i]);
        sl_kw_cstr(w, sl_gstate_name(g ? g->state : SL_GS_DEAD));
        sl_kw_cstr(w, g && g->protocol_type ? g->protocol_type : "");
        sl_kw_cstr(w, stable && g->protocol ? g->protocol : "");
        sl_kw_array(w, g ? g->nmembers : 0);
        for (const sl_gmember_t *m = g ? g->members : NULL; m; m = m->next) {
            /* Metadata and assignment only mean something once the group is Stable. */
            const sl_gproto_t *p = stable ? sl_gmember_proto(m, g->protocol) : NULL;
            sl_kw_cstr(w, m->id);
            if (v >= 4) sl_kw_cstr(w, m->instance_id);
            sl_kw_cstr(w, m->client_id ? m->client_id : "");
            sl_kw_cstr(w, m->client_host ? m->client_host : "");
            sl_kw_bytes(w, p ? p->meta : NULL, p ? p->len : 0);
            sl_kw_bytes(w, stable ? m->assignment : NULL, stable ? m->assignment_len : 0);
            sl_kw_tags(w);
        }
        if (v >= 3) sl_kw_i32(w, include_ops ? SL_GROUP_AUTHORIZED_OPS : INT32_MIN);
        sl_kw_tags(w);
    }
    sl_kw_tags(w);
    free(ids);
    return SL_OK;
err_parse:
    free(ids);
    return SL_PROTO;
}

/* ---- DeleteGroups, OffsetDelete -------------------------------------------------------- */

int sl_kapi_delete_groups(sl_req_t *req)
{
    sl_groups_t *gs = req->broker->groups;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int32_t n;
    sl_kstr_t *ids = NULL;
    SL_KR(sl_kr_array(r, &n));
    if (n < 0) n = 0;
    ids = calloc((size_t)n + 1, sizeof *ids);
    if (!ids) abort();
    for (int32_t i = 0; i < n; i++)
        SL_KR(sl_kr_str(r, &ids[i]));
    SL_KR(sl_kr_tags(r));
    sl_durable_need_t *needs = calloc((size_t)n + 1, sizeof *needs);
    if (!needs) abort();
    int nneeds = 0;
    sl_kw_i32(w, 0);
    sl_kw_array(w, n);
    for (int32_t i = 0; i < n; i++) {
        int16_t err = SL_KERR_NONE;
        sl_group_t *g = gs ? sl_group_find(gs, ids[i].p, (size_t)ids[i].len) : NULL;
        if (!gs)
            err = SL_KERR_COORDINATOR_NOT_AVAILABLE;
        else if (!g)
            err = SL_KERR_GROUP_ID_NOT_FOUND;
        else if (g->nmembers > 0 || g->state != SL_GS_EMPTY)
            err = SL_KERR_NON_EMPTY_GROUP;
        if (err == SL_KERR_NONE) {
            sl_gwrite_t gw;
            sl_gwrite_init(&gw);
            for (sl_gtopic_t *t = g->topics; t; t = t->next)
                for (int32_t p = 0; p < t->cap; p++)
                    if (t->parts[p].present) sl_gwrite_offset(&gw, g->id, t->name, p, NULL);
            sl_gwrite_group(&gw, g, 1);
            if (sl_gwrite_commit(gs, &gw, g->id, &needs[nneeds]) != SL_OK) {
                err = SL_KERR_COORDINATOR_NOT_AVAILABLE;
            } else {
                if (needs[nneeds].hw > 0) nneeds++;
                SL_INFO("group", "deleted group %s", g->id);
                sl_group_destroy(gs, g, SL_KERR_COORDINATOR_NOT_AVAILABLE);
            }
            sl_gwrite_free(&gw);
        }
        sl_kw_kstr(w, ids[i]);
        sl_kw_i16(w, err);
        sl_kw_tags(w);
    }
    sl_kw_tags(w);
    free(ids);
    if (nneeds == 0) {
        free(needs);
        needs = NULL;
    }
    return sl_broker_wait_durable(req, needs, nneeds);
err_parse:
    free(ids);
    return SL_PROTO;
}

typedef struct odel_topic_s {
    sl_kstr_t name; /* topic */
    int32_t n;      /* partitions */
    int32_t *parts; /* partition indexes */
    int16_t *errs;  /* per partition */
} odel_topic_t;

static void odel_free(odel_topic_t *ts, int32_t n)
{
    if (!ts) return;
    for (int32_t i = 0; i < n; i++) {
        free(ts[i].parts);
        free(ts[i].errs);
    }
    free(ts);
}

int sl_kapi_offset_delete(sl_req_t *req)
{
    sl_groups_t *gs = req->broker->groups;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    sl_kstr_t group;
    int32_t nt = 0;
    odel_topic_t *ts = NULL;
    SL_KR(sl_kr_str(r, &group));
    SL_KR(sl_kr_array(r, &nt));
    if (nt < 0) nt = 0;
    ts = calloc((size_t)nt + 1, sizeof *ts);
    if (!ts) abort();
    for (int32_t i = 0; i < nt; i++) {
        SL_KR(sl_kr_str(r, &ts[i].name));
        SL_KR(sl_kr_array(r, &ts[i].n));
        if (ts[i].n < 0) ts[i].n = 0;
        ts[i].parts = calloc((size_t)ts[i].n + 1, sizeof *ts[i].parts);
        ts[i].errs = calloc((size_t)ts[i].n + 1, sizeof *ts[i].errs);
        if (!ts[i].parts || !ts[i].errs) abort();
        for (int32_t j = 0; j < ts[i].n; j++)
            SL_KR(sl_kr_i32(r, &ts[i].parts[j]));
    }
    int16_t top = SL_KERR_NONE;
    sl_group_t *g = gs ? sl_group_find(gs, group.p, (size_t)group.len) : NULL;
    if (!gs)
        top = SL_KERR_COORDINATOR_NOT_AVAILABLE;
    else if (!g)
        top = SL_KERR_GROUP_ID_NOT_FOUND;
    else if (g->state != SL_GS_EMPTY &&
             !(g->protocol_type && strcmp(g->protocol_type, "consumer") == 0))
        top = SL_KERR_NON_EMPTY_GROUP;
    sl_durable_need_t need = {{0}, 0, 0};
    if (top == SL_KERR_NONE) {
        sl_gwrite_t gw;
        sl_gwrite_init(&gw);
        for (int32_t i = 0; i < nt; i++) {
            sl_kstr_t tn = ts[i].name;
            int subscribed =
                g->state != SL_GS_EMPTY && sl_group_subscribes(g, tn.p, (size_t)tn.len);
            sl_topic_t *t = sl_catalog_find(req->broker->catalog, tn.p, (size_t)tn.len);
            for (int32_t j = 0; j < ts[i].n; j++) {
                int32_t p = ts[i].parts[j];
                if (subscribed) {
                    ts[i].errs[j] = SL_KERR_GROUP_SUBSCRIBED_TO_TOPIC;
                } else if (!t || p < 0 || p >= t->npart) {
                    ts[i].errs[j] = SL_KERR_UNKNOWN_TOPIC_OR_PARTITION;
                } else if (sl_goffset_get(g, tn.p, (size_t)tn.len, p)) {
                    char *name = sl_kstr_dup(tn);
                    sl_gwrite_offset(&gw, g->id, name, p, NULL);
                    sl_goffset_set(g, tn.p, (size_t)tn.len, p, NULL);
                    free(name);
                }
            }
        }
        if (sl_gwrite_commit(gs, &gw, g->id, &need) != SL_OK)
            top = SL_KERR_COORDINATOR_NOT_AVAILABLE;
        sl_gwrite_free(&gw);
    }
    sl_kw_i16(w, top);
    sl_kw_i32(w, 0);
    sl_kw_array(w, top == SL_KERR_NONE ? nt : 0);
    for (int32_t i = 0; top == SL_KERR_NONE && i < nt; i++) {
        sl_kw_kstr(w, ts[i].name);
        sl_kw_array(w, ts[i].n);
        for (int32_t j = 0; j < ts[i].n; j++) {
            sl_kw_i32(w, ts[i].parts[j]);
            sl_kw_i16(w, ts[i].errs[j]);
        }
    }
    odel_free(ts, nt);
    if (need.hw > 0) {
        sl_durable_need_t *n = malloc(sizeof *n);
        if (!n) abort();
        *n = need;
        return sl_broker_wait_durable(req, n, 1);
    }
    return SL_OK;
err_parse:
    odel_free(ts, nt);
    return SL_PROTO;
}
