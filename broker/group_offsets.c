/*
 * group_offsets.c — committed offsets: in memory per group, persisted in the internal
 * compacted topic __consumer_offsets in Kafka's record layouts (group_store.h), loaded back
 * at start-up, expired by offsets.retention.minutes.
 *
 * Every record of a group goes to partition sl_gstore_partition_for(group) (Kafka's
 * abs(hashCode) % partitions), so one request's records form one batch in one partition and
 * their order is the order they were applied in. Loading replays each partition from its
 * start: the last record of a key wins and a null value (tombstone) deletes, which is exactly
 * what compaction preserves.
 *
 *   key                                   value (null = tombstone)
 *   v1 | group | topic | partition        v3 | offset | leader_epoch | metadata | commit ts
 *   v2 | group                            v3 | protocol_type | generation | protocol | leader |
 *                                              state ts | members [...]
 *
 * @locality loop thread
 */
#include "broker/group_int.h"
#include "common/err.h"
#include "common/log.h"
#include "common/time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dupn(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s) abort();
    if (n) memcpy(s, p, n);
    s[n] = 0;
    return s;
}

static sl_kstr_t kstr(const char *s)
{
    sl_kstr_t k = {s, s ? (int32_t)strlen(s) : -1};
    return k;
}

/* ---- offsets in memory ----------------------------------------------------------------- */

static sl_gtopic_t *topic_find(sl_group_t *g, const char *name, size_t len)
{
    for (sl_gtopic_t *t = g->topics; t; t = t->next)
        if (strlen(t->name) == len && memcmp(t->name, name, len) == 0) return t;
    return NULL;
}

sl_goffset_t *sl_goffset_get(sl_group_t *g, const char *topic, size_t len, int32_t partition)
{
    sl_gtopic_t *t = topic_find(g, topic, len);
    if (!t || partition < 0 || partition >= t->cap || !t->parts[partition].present) return NULL;
    return &t->parts[partition];
}

static void topic_unlink(sl_group_t *g, sl_gtopic_t *t)
{
    sl_gtopic_t **pp = &g->topics;
    while (*pp && *pp != t)
        pp = &(*pp)->next;
    if (*pp) *pp = t->next;
    for (int32_t i = 0; i < t->cap; i++)
        if (t->parts[i].present) {
            free(t->parts[i].metadata);
            g->noffsets--;
        }
    free(t->parts);
    free(t->name);
    free(t);
}

void sl_goffset_set(sl_group_t *g, const char *topic, size_t len, int32_t partition,
                    const sl_goffset_t *value)
{
    if (partition < 0) return;
    sl_gtopic_t *t = topic_find(g, topic, len);
    if (!value) {
        if (!t || partition >= t->cap || !t->parts[partition].present) return;
        sl_goffset_t *o = &t->parts[partition];
        free(o->metadata);
        memset(o, 0, sizeof *o);
        t->count--;
        g->noffsets--;
        if (t->count == 0) topic_unlink(g, t);
        return;
    }
    if (!t) {
        t = calloc(1, sizeof *t);
        if (!t) abort();
        t->name = dupn(topic, len);
        t->next = g->topics;
        g->topics = t;
    }
    if (partition >= t->cap) {
        int32_t cap = t->cap ? t->cap : 4;
        while (cap <= partition)
            cap = cap > INT32_MAX / 2 ? partition + 1 : cap * 2;
        sl_goffset_t *np = realloc(t->parts, (size_t)cap * sizeof *np);
        if (!np) abort();
        memset(np + t->cap, 0, (size_t)(cap - t->cap) * sizeof *np);
        t->parts = np;
        t->cap = cap;
    }
    sl_goffset_t *o = &t->parts[partition];
    if (!o->present) {
        t->count++;
        g->noffsets++;
    }
    free(o->metadata);
    *o = *value;
    o->present = 1;
    o->metadata =
        dupn(value->metadata ? value->metadata : "", value->metadata ? strlen(value->metadata) : 0);
}

void sl_goffsets_free(sl_group_t *g)
{
    while (g->topics)
        topic_unlink(g, g->topics);
}

/* ---- writing __consumer_offsets -------------------------------------------------------- */

void sl_gwrite_init(sl_gwrite_t *gw)
{
    memset(gw, 0, sizeof *gw);
    sl_buf_init(&gw->batch);
    sl_buf_init(&gw->key);
    sl_buf_init(&gw->val);
    sl_rb_writer_init(&gw->w, &gw->batch, SL_CODEC_NONE, 0);
    gw->now = sl_wallclock_ms();
}

void sl_gwrite_free(sl_gwrite_t *gw)
{
    sl_rb_writer_free(&gw->w);
    sl_buf_free(&gw->batch);
    sl_buf_free(&gw->key);
    sl_buf_free(&gw->val);
}

static void gwrite_add(sl_gwrite_t *gw, int has_value)
{
    sl_rb_writer_add(&gw->w, gw->n, gw->now, gw->key.data, (int32_t)gw->key.len,
                     has_value ? gw->val.data : NULL, has_value ? (int32_t)gw->val.len : -1, NULL,
                     0, 0);
    gw->n++;
}

void sl_gwrite_offset(sl_gwrite_t *gw, const char *group, const char *topic, int32_t partition,
                      const sl_goffset_t *value)
{
    sl_buf_reset(&gw->key);
    sl_gstore_offset_key(&gw->key, group, topic, partition);
    if (value) {
        sl_gstore_offset_t v;
        v.offset = value->offset;
        v.leader_epoch = value->leader_epoch;
        v.metadata = kstr(value->metadata ? value->metadata : "");
        v.commit_timestamp = value->commit_ts;
        v.expire_timestamp = value->expire_ts;
        sl_buf_reset(&gw->val);
        sl_gstore_offset_value(&gw->val, &v);
    }
    gwrite_add(gw, value != NULL);
}

void sl_gwrite_group(sl_gwrite_t *gw, const sl_group_t *g, int tombstone)
{
    sl_buf_reset(&gw->key);
    sl_gstore_group_key(&gw->key, g->id);
    if (!tombstone) {
        sl_gstore_group_t v;
        memset(&v, 0, sizeof v);
        v.protocol_type = kstr(g->protocol_type ? g->protocol_type : "");
        v.generation = g->generation;
        v.protocol = kstr(g->protocol);
        v.leader = kstr(g->leader);
        v.state_timestamp = g->state_ts;
        v.nmembers = g->nmembers;
        v.members = calloc((size_t)g->nmembers + 1, sizeof *v.members);
        if (!v.members) abort();
        int i = 0;
        for (const sl_gmember_t *m = g->members; m; m = m->next, i++) {
            sl_gstore_member_t *x = &v.members[i];
            const sl_gproto_t *p = sl_gmember_proto(m, g->protocol);
            x->member_id = kstr(m->id);
            x->instance_id = kstr(m->instance_id);
            x->client_id = kstr(m->client_id ? m->client_id : "");
            x->client_host = kstr(m->client_host ? m->client_host : "");
            x->rebalance_timeout = m->rebalance_timeout;
            x->session_timeout = m->session_timeout;
            x->subscription = p ? p->meta : NULL;
            x->subscription_len = p ? p->len : 0;
            x->assignment = m->assignment;
            x->assignment_len = m->assignment_len;
        }
        sl_buf_reset(&gw->val);
        sl_gstore_group_value(&gw->val, &v);
        free(v.members);
    }
    gwrite_add(gw, !tombstone);
}

int sl_goffsets_topic(sl_groups_t *gs, sl_topic_t **out, char *err, size_t errlen)
{
    sl_catalog_t *cat = gs->b->catalog;
    sl_topic_t *t = sl_catalog_find(cat, SL_OFFSETS_TOPIC, strlen(SL_OFFSETS_TOPIC));
    if (t) {
        *out = t;
        return SL_OK;
    }
    sl_props_t cfg;
    char seg[32], msg[512];
    sl_props_init(&cfg);
    sl_props_set(&cfg, "cleanup.policy", "compact");
    snprintf(seg, sizeof seg, "%lld", (long long)gs->offsets_segment);
    sl_props_set(&cfg, "segment.bytes", seg);
    int16_t kerr = sl_catalog_create(cat, SL_OFFSETS_TOPIC, gs->offsets_parts, -1, &cfg, 0, &t, msg,
                                     sizeof msg);
    sl_props_free(&cfg);
    if (kerr != SL_KERR_NONE) {
        snprintf(err, errlen, "cannot create %s: %s: %s", SL_OFFSETS_TOPIC, sl_kerr_name(kerr),
                 msg);
        SL_ERROR("group", "%s", err);
        return SL_IO;
    }
    SL_INFO("group", "created %s with %d partitions", SL_OFFSETS_TOPIC, t->npart);
    *out = t;
    return SL_OK;
}

int sl_gwrite_commit(sl_groups_t *gs, sl_gwrite_t *gw, const char *group, sl_durable_need_t *need)
{
    memset(need, 0, sizeof *need);
    if (gw->n == 0) return SL_OK;
    char err[512] = "";
    sl_topic_t *t;
    int rc = sl_goffsets_topic(gs, &t, err, sizeof err);
    if (rc != SL_OK) return rc;
    rc = sl_rb_writer_finish(&gw->w);
    if (rc != SL_OK) return rc;
    int32_t p = sl_gstore_partition_for(group, strlen(group), t->npart);
    sl_plog_t *pl = t->parts[p];
    int64_t base, last;
    rc = sl_plog_append(pl, gw->batch.data, gw->batch.len, &base, &last);
    if (rc != SL_OK) {
        SL_ERROR("group", "cannot append to %s-%d for group %s: %s", SL_OFFSETS_TOPIC, p, group,
                 sl_err_msg(rc));
        return rc;
    }
    if (sl_plog_hw(pl) <= last) {
        memcpy(need->topic_id, t->id, 16);
        need->partition = p;
        need->hw = last + 1;
    }
    sl_broker_fetch_wakeup(gs->b); /* readers of __consumer_offsets (Burrow) */
    return SL_OK;
}

int sl_group_store(sl_groups_t *gs, sl_group_t *g, sl_durable_need_t *need)
{
    sl_gwrite_t gw;
    sl_gwrite_init(&gw);
    sl_gwrite_group(&gw, g, 0);
    int rc = sl_gwrite_commit(gs, &gw, g->id, need);
    sl_gwrite_free(&gw);
    return rc;
}

/* ---- OffsetCommit ---------------------------------------------------------------------- */

void sl_group_commit(sl_groups_t *gs, sl_commit_args_t *a, sl_durable_need_t *need)
{
    memset(need, 0, sizeof *need);
    int16_t top = SL_KERR_NONE;
    sl_group_t *g = NULL;
    if (a->group_id.len < 0) {
        top = SL_KERR_INVALID_GROUP_ID;
    } else {
        g = sl_group_find(gs, a->group_id.p, (size_t)a->group_id.len);
        sl_gmember_t *m = NULL, *sm = NULL;
        if (g && a->instance_id.len >= 0)
            sm = sl_group_static_member(g, a->instance_id.p, (size_t)a->instance_id.len);
        if (g && a->member_id.len >= 0)
            m = sl_group_member(g, a->member_id.p, (size_t)a->member_id.len);
        if (!g) {
            /* Unknown group: a simple consumer (generation -1) creates it; anything else is a
             * member of a generation that no longer exists. */
            if (a->generation < 0)
                g = sl_group_get_or_create(gs, a->group_id.p, (size_t)a->group_id.len);
            else
                top = SL_KERR_ILLEGAL_GENERATION;
        } else if (sm && (a->member_id.len < 0 || strlen(sm->id) != (size_t)a->member_id.len ||
                          memcmp(sm->id, a->member_id.p, (size_t)a->member_id.len) != 0)) {
            top = SL_KERR_FENCED_INSTANCE_ID;
        } else if (a->generation < 0 && g->state == SL_GS_EMPTY) {
            /* the group only stores offsets */
        } else if (!m) {
            top = SL_KERR_UNKNOWN_MEMBER_ID;
        } else if (a->generation != g->generation) {
            top = SL_KERR_ILLEGAL_GENERATION;
        } else if (g->state == SL_GS_COMPLETING) {
            /* The member has the new generation but not its assignment yet. */
            top = SL_KERR_REBALANCE_IN_PROGRESS;
        } else {
            /* Stable, or PreparingRebalance: Kafka accepts the commit and lets the heartbeat
             * tell the member to rejoin. */
            m->deadline = sl_monotonic_ms() + m->session_timeout;
            sl_groups_arm(gs, m->deadline);
        }
    }
    sl_gwrite_t gw;
    sl_gwrite_init(&gw);
    char *topic = NULL;
    for (int32_t i = 0; i < a->nparts; i++) {
        sl_commit_part_t *p = &a->parts[i];
        p->err = top;
        if (top != SL_KERR_NONE) continue;
        sl_topic_t *t = sl_catalog_find(gs->b->catalog, p->topic.p, (size_t)p->topic.len);
        if (!t || p->partition < 0 || p->partition >= t->npart) {
            p->err = SL_KERR_UNKNOWN_TOPIC_OR_PARTITION;
            continue;
        }
        if (p->metadata.len > 0 && p->metadata.len > gs->metadata_max) {
            p->err = SL_KERR_OFFSET_METADATA_TOO_LARGE;
            continue;
        }
        free(topic);
        topic = dupn(p->topic.p, (size_t)p->topic.len);
        char *md = dupn(p->metadata.p, p->metadata.len > 0 ? (size_t)p->metadata.len : 0);
        sl_goffset_t v = {
            1, p->offset, p->leader_epoch, md, p->commit_ts >= 0 ? p->commit_ts : gw.now, -1};
        if (a->retention_ms >= 0) v.expire_ts = v.commit_ts + a->retention_ms;
        sl_gwrite_offset(&gw, g->id, topic, p->partition, &v);
        free(md);
    }
    free(topic);
    if (gw.n > 0) {
        int rc = sl_gwrite_commit(gs, &gw, g->id, need);
        for (int32_t i = 0; i < a->nparts; i++) {
            sl_commit_part_t *p = &a->parts[i];
            if (p->err != SL_KERR_NONE) continue;
            if (rc != SL_OK) {
                p->err = SL_KERR_COORDINATOR_NOT_AVAILABLE;
                continue;
            }
            sl_goffset_t v = {
                1, p->offset, p->leader_epoch, NULL, p->commit_ts >= 0 ? p->commit_ts : gw.now, -1};
            if (a->retention_ms >= 0) v.expire_ts = v.commit_ts + a->retention_ms;
            char *md = dupn(p->metadata.p, p->metadata.len > 0 ? (size_t)p->metadata.len : 0);
            v.metadata = md;
            sl_goffset_set(g, p->topic.p, (size_t)p->topic.len, p->partition, &v);
            free(md);
        }
    }
    sl_gwrite_free(&gw);
}

/* ---- retention and topic deletion ------------------------------------------------------ */

void sl_goffsets_expire(sl_groups_t *gs, int64_t now)
{
    int64_t expired = 0, dropped = 0;
    for (size_t i = 0; i < gs->nbuckets; i++) {
        sl_group_t *g = gs->buckets[i];
        while (g) {
            sl_group_t *gnext = g->hnext;
            int by_state = g->protocol_type && g->state == SL_GS_EMPTY;
            int simple = !g->protocol_type;
            int stable = g->protocol_type && g->state == SL_GS_STABLE &&
                         strcmp(g->protocol_type, "consumer") == 0;
            sl_gwrite_t gw;
            sl_gwrite_init(&gw);
            if (by_state || simple || stable) {
                sl_gtopic_t *t = g->topics;
                while (t) {
                    sl_gtopic_t *tnext = t->next;
                    /* A Stable consumer group keeps offsets of the topics it subscribes to. */
                    if (stable && sl_group_subscribes(g, t->name, strlen(t->name))) {
                        t = tnext;
                        continue;
                    }
                    for (int32_t p = 0; p < t->cap && t->count > 0; p++) {
                        sl_goffset_t *o = &t->parts[p];
                        if (!o->present) continue;
                        int64_t base = by_state ? g->state_ts : o->commit_ts;
                        int gone = o->expire_ts >= 0 ? now >= o->expire_ts
                                                     : now - base >= gs->retention_ms;
                        if (!gone) continue;
                        sl_gwrite_offset(&gw, g->id, t->name, p, NULL);
                        expired++;
                        if (t->count == 1) {
                            /* the topic goes with its last offset */
                            sl_goffset_set(g, t->name, strlen(t->name), p, NULL);
                            break;
                        }
                        sl_goffset_set(g, t->name, strlen(t->name), p, NULL);
                    }
                    t = tnext;
                }
            }
            int dead = g->state == SL_GS_EMPTY && g->noffsets == 0 && !g->pending;
            if (dead) sl_gwrite_group(&gw, g, 1);
            sl_durable_need_t need;
            sl_gwrite_commit(gs, &gw, g->id, &need);
            sl_gwrite_free(&gw);
            if (dead) {
                SL_INFO("group", "group %s is empty with no committed offsets left; removed",
                        g->id);
                sl_group_destroy(gs, g, SL_KERR_COORDINATOR_NOT_AVAILABLE);
                dropped++;
            }
            g = gnext;
        }
    }
    if (expired || dropped)
        SL_INFO("group", "offset retention: %lld offsets expired, %lld groups removed",
                (long long)expired, (long long)dropped);
}

void sl_groups_topic_deleted(sl_groups_t *gs, const char *topic)
{
    if (!gs) return;
    size_t len = strlen(topic);
    for (size_t i = 0; i < gs->nbuckets; i++)
        for (sl_group_t *g = gs->buckets[i]; g; g = g->hnext) {
            sl_gtopic_t *t = topic_find(g, topic, len);
            if (!t) continue;
            sl_gwrite_t gw;
            sl_gwrite_init(&gw);
            for (int32_t p = 0; p < t->cap; p++)
                if (t->parts[p].present) sl_gwrite_offset(&gw, g->id, t->name, p, NULL);
            sl_durable_need_t need;
            sl_gwrite_commit(gs, &gw, g->id, &need);
            sl_gwrite_free(&gw);
            topic_unlink(g, t);
        }
}

/* ---- loading --------------------------------------------------------------------------- */

static void clear_members(sl_group_t *g)
{
    /* At load time there are no pending requests to answer. */
    while (g->members) {
        sl_gmember_t *m = g->members;
        g->members = m->next;
        free(m->id);
        free(m->instance_id);
        free(m->client_id);
        free(m->client_host);
        for (int i = 0; i < m->nprotos; i++) {
            free(m->protos[i].name);
            free(m->protos[i].meta);
        }
        free(m->protos);
        free(m->assignment);
        free(m);
    }
    g->nmembers = 0;
    free(g->leader);
    g->leader = NULL;
}

static char *kdup(sl_kstr_t s)
{
    return s.len < 0 ? NULL : dupn(s.p, (size_t)s.len);
}

static uint8_t *bdup(const uint8_t *p, int32_t len)
{
    if (len <= 0) return NULL;
    uint8_t *d = malloc((size_t)len);
    if (!d) abort();
    memcpy(d, p, (size_t)len);
    return d;
}

static void load_group(sl_groups_t *gs, sl_group_t *g, const sl_gstore_group_t *v)
{
    int64_t now = sl_monotonic_ms();
    clear_members(g);
    free(g->protocol_type);
    free(g->protocol);
    g->protocol_type = v->protocol_type.len > 0 ? kdup(v->protocol_type) : NULL;
    g->protocol = kdup(v->protocol);
    g->generation = v->generation;
    sl_gmember_t **tail = &g->members;
    for (int32_t i = 0; i < v->nmembers; i++) {
        const sl_gstore_member_t *x = &v->members[i];
        sl_gmember_t *m = calloc(1, sizeof *m);
        if (!m) abort();
        m->id = kdup(x->member_id);
        m->instance_id = kdup(x->instance_id);
        m->client_id = kdup(x->client_id);
        m->client_host = kdup(x->client_host);
        m->rebalance_timeout = x->rebalance_timeout;
        m->session_timeout = x->session_timeout;
        m->protos = calloc(2, sizeof *m->protos);
        if (!m->protos) abort();
        m->nprotos = 1;
        m->protos[0].name = g->protocol ? dupn(g->protocol, strlen(g->protocol)) : dupn("", 0);
        m->protos[0].meta = bdup(x->subscription, x->subscription_len);
        m->protos[0].len = x->subscription_len > 0 ? x->subscription_len : 0;
        m->assignment = bdup(x->assignment, x->assignment_len);
        m->assignment_len = x->assignment_len > 0 ? x->assignment_len : 0;
        /* Members get a full session to show up again, as after a coordinator move. */
        m->deadline = now + m->session_timeout;
        *tail = m;
        tail = &m->next;
        g->nmembers++;
    }
    if (g->nmembers) {
        g->leader = kdup(v->leader);
        if (!g->leader || !sl_group_member(g, g->leader, strlen(g->leader))) {
            free(g->leader);
            g->leader = dupn(g->members->id, strlen(g->members->id));
        }
    }
    g->state = g->nmembers ? SL_GS_STABLE : SL_GS_EMPTY;
    g->state_ts = v->state_timestamp >= 0 ? v->state_timestamp : sl_wallclock_ms();
    (void)gs;
}

typedef struct load_stats_s {
    int64_t records; /* records read */
    int64_t skipped; /* records that could not be decoded */
} load_stats_t;

static void load_record(sl_groups_t *gs, const sl_rb_rec_t *rec, load_stats_t *st)
{
    sl_gstore_key_t k;
    st->records++;
    if (!rec->key || sl_gstore_decode_key(rec->key, (size_t)rec->key_len, &k) != SL_OK) {
        st->skipped++;
        return;
    }
    sl_group_t *g = sl_group_find(gs, k.group.p, (size_t)k.group.len);
    if (k.kind == SL_GSTORE_OFFSET) {
        if (!rec->value) {
            if (g) sl_goffset_set(g, k.topic.p, (size_t)k.topic.len, k.partition, NULL);
            return;
        }
        sl_gstore_offset_t v;
        if (sl_gstore_decode_offset(rec->value, (size_t)rec->value_len, &v) != SL_OK) {
            st->skipped++;
            return;
        }
        if (!g) g = sl_group_get_or_create(gs, k.group.p, (size_t)k.group.len);
        char *md = kdup(v.metadata);
        sl_goffset_t o = {1, v.offset, v.leader_epoch, md, v.commit_timestamp, v.expire_timestamp};
        sl_goffset_set(g, k.topic.p, (size_t)k.topic.len, k.partition, &o);
        free(md);
        return;
    }
    if (!rec->value) {
        /* Group deleted: its metadata goes; offsets have tombstones of their own. */
        if (!g) return;
        clear_members(g);
        free(g->protocol_type);
        free(g->protocol);
        g->protocol_type = g->protocol = NULL;
        g->generation = 0;
        g->state = SL_GS_EMPTY;
        if (g->noffsets == 0) sl_group_destroy(gs, g, SL_KERR_NONE);
        return;
    }
    sl_gstore_group_t v;
    if (sl_gstore_decode_group(rec->value, (size_t)rec->value_len, &v) != SL_OK) {
        st->skipped++;
        return;
    }
    if (!g) g = sl_group_get_or_create(gs, k.group.p, (size_t)k.group.len);
    load_group(gs, g, &v);
    free(v.members);
}

int sl_goffsets_load(sl_groups_t *gs)
{
    sl_topic_t *t = sl_catalog_find(gs->b->catalog, SL_OFFSETS_TOPIC, strlen(SL_OFFSETS_TOPIC));
    if (!t) return SL_OK;
    int64_t t0 = sl_monotonic_ms();
    load_stats_t st = {0, 0};
    sl_buf_t buf, scratch;
    sl_buf_init(&buf);
    sl_buf_init(&scratch);
    int rc = SL_OK;
    for (int32_t p = 0; p < t->npart && rc == SL_OK; p++) {
        sl_plog_t *pl = t->parts[p];
        int64_t off = sl_plog_start_offset(pl), hw = sl_plog_hw(pl);
        while (off < hw) {
            sl_logslice_t sl;
            int r = sl_plog_read(pl, off, hw, 4u << 20, &sl);
            if (r == SL_EOF) break;
            if (r != SL_OK) {
                SL_ERROR("group", "cannot read %s-%d at offset %lld: %s", SL_OFFSETS_TOPIC, p,
                         (long long)off, sl_err_msg(r));
                rc = r;
                break;
            }
            sl_buf_reset(&buf);
            uint8_t *dst = sl_buf_extend(&buf, (size_t)sl.len);
            size_t got = 0;
            while (got < (size_t)sl.len) {
                ssize_t n = pread(sl.fd, dst + got, (size_t)sl.len - got, sl.pos + (off_t)got);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) break;
                got += (size_t)n;
            }
            int64_t next = sl.next_offset;
            sl_seg_release(sl.seg);
            if (got != (size_t)sl.len) {
                SL_ERROR("group", "short read of %s-%d at offset %lld", SL_OFFSETS_TOPIC, p,
                         (long long)off);
                rc = SL_IO;
                break;
            }
            size_t pos = 0;
            while (pos < got) {
                sl_rb_hdr_t h;
                if (sl_rb_hdr_parse(dst + pos, got - pos, &h) != SL_OK) break;
                size_t size = sl_rb_size(&h);
                if (!(h.attributes & SL_RB_ATTR_CONTROL)) {
                    sl_rb_iter_t it;
                    sl_rb_rec_t rec;
                    if (sl_rb_iter_init(&it, dst + pos, size, &scratch, 256u << 20) == SL_OK)
                        while (sl_rb_iter_next(&it, &rec) == SL_OK)
                            load_record(gs, &rec, &st);
                }
                pos += size;
            }
            if (next <= off) break; /* no progress: never loop forever */
            off = next;
        }
    }
    sl_buf_free(&buf);
    sl_buf_free(&scratch);
    int64_t offsets = 0;
    for (size_t i = 0; i < gs->nbuckets; i++)
        for (sl_group_t *g = gs->buckets[i]; g; g = g->hnext)
            offsets += g->noffsets;
    SL_INFO("group",
            "loaded %zu groups and %lld committed offsets from %s (%lld records%s) in "
            "%lld ms",
            gs->ngroups, (long long)offsets, SL_OFFSETS_TOPIC, (long long)st.records,
            st.skipped ? ", some undecodable records skipped" : "",
            (long long)(sl_monotonic_ms() - t0));
    if (st.skipped)
        SL_WARN("group", "%lld records of %s could not be decoded and were skipped",
                (long long)st.skipped, SL_OFFSETS_TOPIC);
    return rc;
}
