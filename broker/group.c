/*
 * group.c — the group coordinator's state machine: the table of groups, members, JoinGroup /
 * SyncGroup / Heartbeat / LeaveGroup semantics as Kafka's classic GroupCoordinator has them,
 * and the one timer that drives session expiry, rebalance timeouts, the initial rebalance
 * delay and offset retention.
 *
 * A rebalance: the first JoinGroup (or a leave, an expiry, a leader's rejoin) moves the group
 * to PreparingRebalance. Members' JoinGroups wait (SL_AGAIN) until every known member has
 * rejoined, or the largest rebalance timeout passes (members that did not rejoin are
 * dropped). For an Empty group the first rebalance waits group.initial.rebalance.delay.ms and
 * is extended by that delay while new members keep arriving, up to the rebalance timeout
 * (Kafka's InitialDelayedJoin). Completing: generation + 1, the protocol every member supports
 * that most members prefer, the first member as leader (it receives all members' metadata);
 * the group is CompletingRebalance until the leader's SyncGroup brings the assignment, which
 * is written to __consumer_offsets; every waiting SyncGroup is answered once that is durable.
 *
 * Pending requests are answered exactly once: whoever clears m->join_req / m->sync_req
 * answers it. A request whose connection closed meanwhile (req->conn == NULL) is freed by
 * sl_req_complete, so nothing here needs to know about connections.
 *
 * @locality loop thread
 */
#include "broker/group_int.h"
#include "common/err.h"
#include "common/log.h"
#include "common/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* How long a new member waiting in a join may go without a heartbeat (Kafka's constant). */
#define SL_NEW_MEMBER_JOIN_TIMEOUT_MS 300000

const char *sl_gstate_name(int state)
{
    switch (state) {
    case SL_GS_EMPTY:
        return "Empty";
    case SL_GS_PREPARING:
        return "PreparingRebalance";
    case SL_GS_COMPLETING:
        return "CompletingRebalance";
    case SL_GS_STABLE:
        return "Stable";
    default:
        return "Dead";
    }
}

static char *dupn(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s) abort();
    if (n) memcpy(s, p, n);
    s[n] = 0;
    return s;
}

static char *xstrdup(const char *s)
{
    return s ? dupn(s, strlen(s)) : NULL;
}

/* s equals the C string c (NULL c only equals a null s). */
static int kstr_is(sl_kstr_t s, const char *c)
{
    if (!c) return s.len < 0;
    return s.len >= 0 && strlen(c) == (size_t)s.len && memcmp(c, s.p, (size_t)s.len) == 0;
}

/* ---- the table ------------------------------------------------------------------------- */

static size_t hash_id(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)p[i];
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

sl_group_t *sl_group_find(sl_groups_t *gs, const char *id, size_t len)
{
    for (sl_group_t *g = gs->buckets[hash_id(id, len) & (gs->nbuckets - 1)]; g; g = g->hnext)
        if (strlen(g->id) == len && memcmp(g->id, id, len) == 0) return g;
    return NULL;
}

static void table_grow(sl_groups_t *gs)
{
    size_t n = gs->nbuckets * 2;
    sl_group_t **nb = calloc(n, sizeof *nb);
    if (!nb) abort();
    for (size_t i = 0; i < gs->nbuckets; i++) {
        sl_group_t *g = gs->buckets[i];
        while (g) {
            sl_group_t *next = g->hnext;
            size_t k = hash_id(g->id, strlen(g->id)) & (n - 1);
            g->hnext = nb[k];
            nb[k] = g;
            g = next;
        }
    }
    free(gs->buckets);
    gs->buckets = nb;
    gs->nbuckets = n;
}

sl_group_t *sl_group_get_or_create(sl_groups_t *gs, const char *id, size_t len)
{
    sl_group_t *g = sl_group_find(gs, id, len);
    if (g) return g;
    if (gs->ngroups >= gs->nbuckets) table_grow(gs);
    g = calloc(1, sizeof *g);
    if (!g) abort();
    g->id = dupn(id, len);
    g->state = SL_GS_EMPTY;
    g->state_ts = sl_wallclock_ms();
    size_t k = hash_id(id, len) & (gs->nbuckets - 1);
    g->hnext = gs->buckets[k];
    gs->buckets[k] = g;
    gs->ngroups++;
    return g;
}

void sl_group_set_state(sl_group_t *g, int state)
{
    g->state = state;
    g->state_ts = sl_wallclock_ms();
}

sl_gmember_t *sl_group_member(sl_group_t *g, const char *id, size_t len)
{
    for (sl_gmember_t *m = g->members; m; m = m->next)
        if (strlen(m->id) == len && memcmp(m->id, id, len) == 0) return m;
    return NULL;
}

sl_gmember_t *sl_group_static_member(sl_group_t *g, const char *instance, size_t len)
{
    for (sl_gmember_t *m = g->members; m; m = m->next)
        if (m->instance_id && strlen(m->instance_id) == len &&
            memcmp(m->instance_id, instance, len) == 0)
            return m;
    return NULL;
}

const sl_gproto_t *sl_gmember_proto(const sl_gmember_t *m, const char *name)
{
    if (!name) return NULL;
    for (int i = 0; i < m->nprotos; i++)
        if (strcmp(m->protos[i].name, name) == 0) return &m->protos[i];
    return NULL;
}

/* ---- answering ------------------------------------------------------------------------- */

void sl_groups_finish(sl_groups_t *gs, sl_req_t *req)
{
    if (req == gs->cur)
        gs->cur_ret = SL_OK;
    else
        sl_req_complete(req);
}

void sl_groups_finish_durable(sl_groups_t *gs, sl_req_t *req, const sl_durable_need_t *need)
{
    sl_durable_need_t *n = NULL;
    int nn = 0;
    if (need && need->hw > 0) {
        n = malloc(sizeof *n);
        if (!n) abort();
        *n = *need;
        nn = 1;
    }
    int rc = sl_broker_wait_durable(req, n, nn);
    if (req == gs->cur)
        gs->cur_ret = rc;
    else if (rc == SL_OK)
        sl_req_complete(req);
}

static void join_error(sl_groups_t *gs, sl_req_t *req, int16_t err, const char *member_id)
{
    sl_gproto_write_join(req, err, NULL, member_id, 0, 0);
    sl_groups_finish(gs, req);
}

static void join_error_k(sl_groups_t *gs, sl_req_t *req, int16_t err, sl_kstr_t member_id)
{
    char *id = dupn(member_id.p, member_id.len > 0 ? (size_t)member_id.len : 0);
    join_error(gs, req, err, id);
    free(id);
}

static void sync_error(sl_groups_t *gs, sl_req_t *req, int16_t err)
{
    sl_gproto_write_sync(req, err, NULL, NULL, 0);
    sl_groups_finish(gs, req);
}

/* ---- timer ----------------------------------------------------------------------------- */

static void on_timer(uv_timer_t *t);

void sl_groups_arm(sl_groups_t *gs, int64_t due)
{
    if (gs->closing || due <= 0) return;
    if (gs->timer_due != 0 && gs->timer_due <= due) return;
    gs->timer_due = due;
    int64_t now = sl_monotonic_ms();
    uv_timer_start(&gs->timer, on_timer, (uint64_t)(due > now ? due - now : 0), 0);
}

/* ---- members --------------------------------------------------------------------------- */

static void protos_free(sl_gproto_t *p, int n)
{
    for (int i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].meta);
    }
    free(p);
}

static void member_free(sl_gmember_t *m)
{
    free(m->id);
    free(m->instance_id);
    free(m->client_id);
    free(m->client_host);
    protos_free(m->protos, m->nprotos);
    free(m->assignment);
    free(m);
}

static void member_set_protos(sl_gmember_t *m, const sl_join_args_t *a, const sl_req_t *req)
{
    protos_free(m->protos, m->nprotos);
    m->protos = calloc((size_t)a->nprotos + 1, sizeof *m->protos);
    if (!m->protos) abort();
    for (int32_t i = 0; i < a->nprotos; i++) {
        const sl_gproto_t *p = &a->protos[i];
        m->protos[i].name = xstrdup(p->name);
        m->protos[i].len = p->len > 0 ? p->len : 0;
        if (m->protos[i].len) {
            m->protos[i].meta = malloc((size_t)p->len);
            if (!m->protos[i].meta) abort();
            memcpy(m->protos[i].meta, p->meta, (size_t)p->len);
        }
    }
    m->nprotos = a->nprotos;
    m->session_timeout = a->session_timeout;
    m->rebalance_timeout = a->rebalance_timeout;
    free(m->client_id);
    m->client_id = xstrdup(req->client_id ? req->client_id : "");
}

/* Same protocols, same order, same metadata as the member has now. */
static int member_same_protos(const sl_gmember_t *m, const sl_join_args_t *a)
{
    if (m->nprotos != a->nprotos) return 0;
    for (int i = 0; i < m->nprotos; i++) {
        const sl_gproto_t *x = &m->protos[i], *y = &a->protos[i];
        int32_t ylen = y->len > 0 ? y->len : 0;
        if (strcmp(x->name, y->name) != 0 || x->len != ylen) return 0;
        if (ylen && memcmp(x->meta, y->meta, (size_t)ylen) != 0) return 0;
    }
    return 1;
}

static int64_t max_rebalance_timeout(const sl_group_t *g)
{
    int64_t t = 0;
    for (const sl_gmember_t *m = g->members; m; m = m->next)
        if (m->rebalance_timeout > t) t = m->rebalance_timeout;
    return t;
}

/* Unlink m, answer its pending requests with err, hand leadership on, free it. */
static void remove_member(sl_groups_t *gs, sl_group_t *g, sl_gmember_t *m, int16_t err)
{
    sl_gmember_t **pp = &g->members;
    while (*pp && *pp != m)
        pp = &(*pp)->next;
    if (SL_NEVER(!*pp)) return;
    *pp = m->next;
    g->nmembers--;
    if (m->join_req) {
        sl_req_t *r = m->join_req;
        m->join_req = NULL;
        join_error(gs, r, err, m->id);
    }
    if (m->sync_req) {
        sl_req_t *r = m->sync_req;
        m->sync_req = NULL;
        sync_error(gs, r, err);
    }
    if (g->leader && strcmp(g->leader, m->id) == 0) {
        free(g->leader);
        g->leader = g->members ? xstrdup(g->members->id) : NULL;
    }
    member_free(m);
}

/* ---- protocols ------------------------------------------------------------------------- */

/* Does every member other than `except` support protocol name? */
static int all_support(const sl_group_t *g, const char *name, const sl_gmember_t *except)
{
    for (const sl_gmember_t *m = g->members; m; m = m->next)
        if (m != except && !sl_gmember_proto(m, name)) return 0;
    return 1;
}

/* Kafka's supportsProtocols: an empty group takes any non-empty protocol type and list; else
 * the type must match and one protocol must be supported by every other member. */
static int group_supports(const sl_group_t *g, const sl_join_args_t *a, const sl_gmember_t *self)
{
    if (a->protocol_type.len <= 0 || a->nprotos <= 0) return 0;
    int others = g->nmembers - (self ? 1 : 0);
    if (others <= 0) return 1;
    if (!kstr_is(a->protocol_type, g->protocol_type)) return 0;
    for (int32_t i = 0; i < a->nprotos; i++)
        if (all_support(g, a->protos[i].name, self)) return 1;
    return 0;
}

/* The protocol every member supports that most members list first among those; ties go to
 * the first member's preference. NULL if none (cannot happen after group_supports). */
static const char *select_protocol(const sl_group_t *g)
{
    const sl_gmember_t *first = g->members;
    if (!first) return NULL;
    const char *best = NULL;
    int best_votes = -1;
    for (int i = 0; i < first->nprotos; i++) {
        const char *cand = first->protos[i].name;
        if (!all_support(g, cand, NULL)) continue;
        int votes = 0;
        for (const sl_gmember_t *m = g->members; m; m = m->next) {
            for (int j = 0; j < m->nprotos; j++) {
                if (!all_support(g, m->protos[j].name, NULL)) continue;
                if (strcmp(m->protos[j].name, cand) == 0) votes++;
                break;
            }
        }
        if (votes > best_votes) {
            best = cand;
            best_votes = votes;
        }
    }
    return best;
}

int sl_group_subscribes(const sl_group_t *g, const char *topic, size_t len)
{
    for (const sl_gmember_t *m = g->members; m; m = m->next) {
        const sl_gproto_t *p = sl_gmember_proto(m, g->protocol);
        if (!p && m->nprotos) p = &m->protos[0];
        if (!p || !p->len) continue;
        /* ConsumerProtocolSubscription: version i16, topics [string], user_data, ... */
        sl_rd_t rd;
        int16_t ver, slen;
        int32_t n;
        const uint8_t *name;
        sl_rd_init(&rd, p->meta, (size_t)p->len);
        if (sl_rd_i16(&rd, &ver) || sl_rd_i32(&rd, &n) || n < 0) continue;
        for (int32_t i = 0; i < n; i++) {
            if (sl_rd_i16(&rd, &slen) || slen < 0 || sl_rd_bytes(&rd, (size_t)slen, &name)) break;
            if ((size_t)slen == len && memcmp(name, topic, len) == 0) return 1;
        }
    }
    return 0;
}

/* ---- rebalancing ----------------------------------------------------------------------- */

static void complete_join(sl_groups_t *gs, sl_group_t *g);

static int all_joined(const sl_group_t *g)
{
    if (g->pending) return 0;
    for (const sl_gmember_t *m = g->members; m; m = m->next)
        if (!m->join_req) return 0;
    return 1;
}

/* Forget assignments; answer waiting SyncGroups with err. */
static void reset_assignments(sl_groups_t *gs, sl_group_t *g, int16_t err)
{
    for (sl_gmember_t *m = g->members; m; m = m->next) {
        free(m->assignment);
        m->assignment = NULL;
        m->assignment_len = 0;
        if (m->sync_req) {
            sl_req_t *r = m->sync_req;
            m->sync_req = NULL;
            sync_error(gs, r, err);
        }
    }
}

static void prepare_rebalance(sl_groups_t *gs, sl_group_t *g, const char *why)
{
    if (g->state == SL_GS_COMPLETING) reset_assignments(gs, g, SL_KERR_REBALANCE_IN_PROGRESS);
    int64_t now = sl_monotonic_ms(), rt = max_rebalance_timeout(g);
    if (g->state == SL_GS_EMPTY && gs->initial_delay > 0) {
        g->initial_join = 1;
        g->new_member_added = 0;
        g->initial_remaining = rt > gs->initial_delay ? rt - gs->initial_delay : 0;
        g->rebalance_deadline = now + gs->initial_delay;
    } else {
        g->initial_join = 0;
        g->rebalance_deadline = now + rt;
    }
    g->sync_deadline = 0;
    SL_INFO("group", "preparing to rebalance group %s in state %s with old generation %d (%s)",
            g->id, sl_gstate_name(g->state), g->generation, why);
    sl_group_set_state(g, SL_GS_PREPARING);
    sl_groups_arm(gs, g->rebalance_deadline);
}

static void try_complete_join(sl_groups_t *gs, sl_group_t *g)
{
    if (g->state == SL_GS_PREPARING && !g->initial_join && all_joined(g)) complete_join(gs, g);
}

static void maybe_rebalance(sl_groups_t *gs, sl_group_t *g, const char *why)
{
    if (g->state == SL_GS_EMPTY || g->state == SL_GS_STABLE || g->state == SL_GS_COMPLETING)
        prepare_rebalance(gs, g, why);
    try_complete_join(gs, g);
}

static void complete_join(sl_groups_t *gs, sl_group_t *g)
{
    sl_gmember_t *m = g->members;
    while (m) {
        sl_gmember_t *next = m->next;
        if (!m->join_req) {
            SL_INFO("group", "member %s of group %s did not rejoin in time; removing it", m->id,
                    g->id);
            remove_member(gs, g, m, SL_KERR_UNKNOWN_MEMBER_ID);
        }
        m = next;
    }
    int64_t now = sl_monotonic_ms();
    g->rebalance_deadline = 0;
    g->initial_join = 0;
    g->generation++;
    free(g->protocol);
    g->protocol = NULL;
    if (g->nmembers == 0) {
        sl_group_set_state(g, SL_GS_EMPTY);
        SL_INFO("group", "group %s with generation %d is now empty", g->id, g->generation);
        sl_durable_need_t need;
        sl_group_store(gs, g, &need); /* nobody waits for it */
        return;
    }
    g->protocol = xstrdup(select_protocol(g));
    sl_group_set_state(g, SL_GS_COMPLETING);
    g->sync_deadline = now + max_rebalance_timeout(g);
    sl_groups_arm(gs, g->sync_deadline);
    SL_INFO("group", "stabilized group %s generation %d (%d members, protocol %s, leader %s)",
            g->id, g->generation, g->nmembers, g->protocol ? g->protocol : "-",
            g->leader ? g->leader : "-");
    for (m = g->members; m; m = m->next) {
        sl_req_t *r = m->join_req;
        m->join_req = NULL;
        m->deadline = now + m->session_timeout;
        sl_groups_arm(gs, m->deadline);
        sl_gproto_write_join(r, SL_KERR_NONE, g, m->id, strcmp(m->id, g->leader) == 0, 0);
        sl_groups_finish(gs, r);
    }
}

/* ---- JoinGroup ------------------------------------------------------------------------- */

static char *new_member_id(const sl_req_t *req)
{
    uint8_t u[16];
    if (getrandom(u, sizeof u, 0) != (ssize_t)sizeof u) {
        for (size_t i = 0; i < sizeof u; i++) /* never expected; ids must still differ */
            u[i] = (uint8_t)(sl_monotonic_us() >> (i % 8));
    }
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    const char *cid = req->client_id ? req->client_id : "";
    size_t n = strlen(cid) + 38;
    char *id = malloc(n);
    if (!id) abort();
    snprintf(id, n, "%s-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", cid,
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
    return id;
}

static void update_member_and_rebalance(sl_groups_t *gs, sl_group_t *g, sl_gmember_t *m,
                                        const sl_join_args_t *a, sl_req_t *req)
{
    member_set_protos(m, a, req);
    if (m->join_req && m->join_req != req) {
        /* A second JoinGroup while one waits: the older one must be answered, or the
         * connection's in-order responses would stall behind it. */
        sl_req_t *old = m->join_req;
        m->join_req = NULL;
        join_error(gs, old, SL_KERR_REBALANCE_IN_PROGRESS, m->id);
    }
    m->join_req = req;
    char why[300];
    snprintf(why, sizeof why, "member %s rejoined", m->id);
    maybe_rebalance(gs, g, why);
}

static void add_member_and_rebalance(sl_groups_t *gs, sl_group_t *g, char *id,
                                     const sl_join_args_t *a, sl_req_t *req)
{
    sl_gmember_t *m = calloc(1, sizeof *m);
    if (!m) abort();
    m->id = id;
    if (a->instance_id.len >= 0)
        m->instance_id = dupn(a->instance_id.p, (size_t)a->instance_id.len);
    m->client_host = xstrdup(req->conn ? sl_conn_host(req->conn) : "");
    member_set_protos(m, a, req);
    m->join_req = req;
    m->deadline = sl_monotonic_ms() + SL_NEW_MEMBER_JOIN_TIMEOUT_MS;
    if (g->nmembers == 0) {
        free(g->protocol_type);
        g->protocol_type = dupn(a->protocol_type.p, (size_t)a->protocol_type.len);
    }
    sl_gmember_t **pp = &g->members;
    while (*pp)
        pp = &(*pp)->next;
    *pp = m;
    g->nmembers++;
    if (!g->leader) g->leader = xstrdup(id);
    if (g->state == SL_GS_PREPARING && g->initial_join) g->new_member_added = 1;
    char why[300];
    snprintf(why, sizeof why, "adding new member %s", id);
    maybe_rebalance(gs, g, why);
}

/* A known group.instance.id joins with a new member id: it replaces the old member. */
static void static_rejoin(sl_groups_t *gs, sl_group_t *g, sl_gmember_t *m, char *id,
                          const sl_join_args_t *a, sl_req_t *req)
{
    if (m->join_req) {
        sl_req_t *r = m->join_req;
        m->join_req = NULL;
        join_error(gs, r, SL_KERR_FENCED_INSTANCE_ID, m->id);
    }
    if (m->sync_req) {
        sl_req_t *r = m->sync_req;
        m->sync_req = NULL;
        sync_error(gs, r, SL_KERR_FENCED_INSTANCE_ID);
    }
    SL_INFO("group", "static member %s of group %s rejoins as %s", m->instance_id, g->id, id);
    if (g->leader && strcmp(g->leader, m->id) == 0) {
        free(g->leader);
        g->leader = xstrdup(id);
    }
    free(m->id);
    m->id = id;
    if (g->state == SL_GS_STABLE) {
        member_set_protos(m, a, req);
        const char *sel = select_protocol(g);
        if (sel && g->protocol && strcmp(sel, g->protocol) == 0) {
            /* Nothing changes for the others: no rebalance, just persist the new id. */
            sl_durable_need_t need = {{0}, 0, 0};
            int leader = strcmp(g->leader, m->id) == 0;
            m->deadline = sl_monotonic_ms() + m->session_timeout;
            sl_groups_arm(gs, m->deadline);
            if (sl_group_store(gs, g, &need) != SL_OK) {
                join_error(gs, req, SL_KERR_UNKNOWN_SERVER_ERROR, m->id);
                return;
            }
            sl_gproto_write_join(req, SL_KERR_NONE, g, m->id, leader, leader);
            sl_groups_finish_durable(gs, req, &need);
            return;
        }
    }
    update_member_and_rebalance(gs, g, m, a, req);
}

void sl_group_join(sl_groups_t *gs, sl_req_t *req, const sl_join_args_t *a)
{
    if (a->group_id.len <= 0) {
        join_error_k(gs, req, SL_KERR_INVALID_GROUP_ID, a->member_id);
        return;
    }
    if (a->session_timeout < gs->min_session || a->session_timeout > gs->max_session) {
        join_error_k(gs, req, SL_KERR_INVALID_SESSION_TIMEOUT, a->member_id);
        return;
    }
    sl_group_t *g = sl_group_find(gs, a->group_id.p, (size_t)a->group_id.len);
    if (a->member_id.len <= 0) {
        if (!g) g = sl_group_get_or_create(gs, a->group_id.p, (size_t)a->group_id.len);
        sl_gmember_t *sm =
            a->instance_id.len >= 0
                ? sl_group_static_member(g, a->instance_id.p, (size_t)a->instance_id.len)
                : NULL;
        if (!group_supports(g, a, sm)) {
            join_error(gs, req, SL_KERR_INCONSISTENT_GROUP_PROTOCOL, "");
            return;
        }
        if (!sm && gs->max_size > 0 && g->nmembers >= gs->max_size) {
            join_error(gs, req, SL_KERR_GROUP_MAX_SIZE_REACHED, "");
            return;
        }
        char *id = new_member_id(req);
        if (sm) {
            static_rejoin(gs, g, sm, id, a, req);
            return;
        }
        if (a->instance_id.len < 0 && a->require_known_id) {
            /* KIP-394: the client rejoins with this id, so a lost response leaves no ghost. */
            sl_gpending_t *p = calloc(1, sizeof *p);
            if (!p) abort();
            p->id = id;
            p->deadline = sl_monotonic_ms() + a->session_timeout;
            p->next = g->pending;
            g->pending = p;
            sl_groups_arm(gs, p->deadline);
            join_error(gs, req, SL_KERR_MEMBER_ID_REQUIRED, id);
            return;
        }
        add_member_and_rebalance(gs, g, id, a, req);
        return;
    }
    if (!g) {
        join_error_k(gs, req, SL_KERR_UNKNOWN_MEMBER_ID, a->member_id);
        return;
    }
    for (sl_gpending_t **pp = &g->pending; *pp; pp = &(*pp)->next) {
        sl_gpending_t *p = *pp;
        if (!kstr_is(a->member_id, p->id)) continue;
        if (!group_supports(g, a, NULL)) {
            join_error(gs, req, SL_KERR_INCONSISTENT_GROUP_PROTOCOL, p->id);
            return;
        }
        *pp = p->next;
        char *id = p->id;
        free(p);
        add_member_and_rebalance(gs, g, id, a, req);
        return;
    }
    if (a->instance_id.len >= 0) {
        sl_gmember_t *sm = sl_group_static_member(g, a->instance_id.p, (size_t)a->instance_id.len);
        if (sm && !kstr_is(a->member_id, sm->id)) {
            join_error_k(gs, req, SL_KERR_FENCED_INSTANCE_ID, a->member_id);
            return;
        }
    }
    sl_gmember_t *m = sl_group_member(g, a->member_id.p, (size_t)a->member_id.len);
    if (!m) {
        join_error_k(gs, req, SL_KERR_UNKNOWN_MEMBER_ID, a->member_id);
        return;
    }
    if (!group_supports(g, a, m)) {
        join_error(gs, req, SL_KERR_INCONSISTENT_GROUP_PROTOCOL, m->id);
        return;
    }
    int leader = g->leader && strcmp(g->leader, m->id) == 0;
    switch (g->state) {
    case SL_GS_PREPARING:
        update_member_and_rebalance(gs, g, m, a, req);
        return;
    case SL_GS_COMPLETING:
    case SL_GS_STABLE:
        if (member_same_protos(m, a) && (g->state == SL_GS_COMPLETING || !leader)) {
            /* Nothing changed: the current generation stands (the client lost a response). */
            m->deadline = sl_monotonic_ms() + m->session_timeout;
            sl_groups_arm(gs, m->deadline);
            sl_gproto_write_join(req, SL_KERR_NONE, g, m->id, leader, 0);
            sl_groups_finish(gs, req);
            return;
        }
        update_member_and_rebalance(gs, g, m, a, req);
        return;
    default:
        join_error(gs, req, SL_KERR_UNKNOWN_MEMBER_ID, m->id);
        return;
    }
}

/* ---- SyncGroup ------------------------------------------------------------------------- */

static int16_t check_member(sl_group_t *g, sl_kstr_t member, sl_kstr_t instance, sl_gmember_t **out)
{
    *out = NULL;
    if (!g) return SL_KERR_UNKNOWN_MEMBER_ID;
    if (instance.len >= 0) {
        sl_gmember_t *sm = sl_group_static_member(g, instance.p, (size_t)instance.len);
        if (sm && !kstr_is(member, sm->id)) return SL_KERR_FENCED_INSTANCE_ID;
    }
    if (member.len < 0) return SL_KERR_UNKNOWN_MEMBER_ID;
    sl_gmember_t *m = sl_group_member(g, member.p, (size_t)member.len);
    if (!m) return SL_KERR_UNKNOWN_MEMBER_ID;
    *out = m;
    return SL_KERR_NONE;
}

void sl_group_sync(sl_groups_t *gs, sl_req_t *req, const sl_sync_args_t *a)
{
    if (a->group_id.len <= 0) {
        sync_error(gs, req, SL_KERR_INVALID_GROUP_ID);
        return;
    }
    sl_group_t *g = sl_group_find(gs, a->group_id.p, (size_t)a->group_id.len);
    sl_gmember_t *m;
    int16_t err = check_member(g, a->member_id, a->instance_id, &m);
    if (err == SL_KERR_NONE && a->generation != g->generation) err = SL_KERR_ILLEGAL_GENERATION;
    if (err == SL_KERR_NONE &&
        ((a->protocol_type.len >= 0 && !kstr_is(a->protocol_type, g->protocol_type)) ||
         (a->protocol_name.len >= 0 && !kstr_is(a->protocol_name, g->protocol))))
        err = SL_KERR_INCONSISTENT_GROUP_PROTOCOL;
    if (err == SL_KERR_NONE && g->state == SL_GS_EMPTY) err = SL_KERR_UNKNOWN_MEMBER_ID;
    if (err == SL_KERR_NONE && g->state == SL_GS_PREPARING) err = SL_KERR_REBALANCE_IN_PROGRESS;
    if (err != SL_KERR_NONE) {
        sync_error(gs, req, err);
        return;
    }
    int64_t now = sl_monotonic_ms();
    m->deadline = now + m->session_timeout;
    sl_groups_arm(gs, m->deadline);
    if (g->state == SL_GS_STABLE) {
        sl_gproto_write_sync(req, SL_KERR_NONE, g, m->assignment, m->assignment_len);
        sl_groups_finish(gs, req);
        return;
    }
    /* CompletingRebalance: wait for the leader's assignment. */
    if (m->sync_req) {
        sl_req_t *old = m->sync_req;
        m->sync_req = NULL;
        sync_error(gs, old, SL_KERR_REBALANCE_IN_PROGRESS);
    }
    m->sync_req = req;
    if (strcmp(g->leader, m->id) != 0) return;
    for (sl_gmember_t *x = g->members; x; x = x->next) {
        free(x->assignment);
        x->assignment = NULL;
        x->assignment_len = 0;
        for (int32_t i = 0; i < a->nassign; i++) {
            if (!kstr_is(a->assign[i].member_id, x->id) || a->assign[i].len <= 0) continue;
            x->assignment = malloc((size_t)a->assign[i].len);
            if (!x->assignment) abort();
            memcpy(x->assignment, a->assign[i].bytes, (size_t)a->assign[i].len);
            x->assignment_len = a->assign[i].len;
            break;
        }
    }
    sl_durable_need_t need = {{0}, 0, 0};
    if (sl_group_store(gs, g, &need) != SL_OK) {
        reset_assignments(gs, g, SL_KERR_COORDINATOR_NOT_AVAILABLE);
        prepare_rebalance(gs, g, "the group metadata could not be written");
        return;
    }
    sl_group_set_state(g, SL_GS_STABLE);
    g->sync_deadline = 0;
    SL_INFO("group", "assignment received from leader %s for group %s for generation %d", m->id,
            g->id, g->generation);
    for (sl_gmember_t *x = g->members; x; x = x->next) {
        if (!x->sync_req) continue;
        sl_req_t *r = x->sync_req;
        x->sync_req = NULL;
        sl_gproto_write_sync(r, SL_KERR_NONE, g, x->assignment, x->assignment_len);
        sl_groups_finish_durable(gs, r, &need);
    }
}

/* ---- Heartbeat, LeaveGroup ------------------------------------------------------------- */

int16_t sl_group_heartbeat(sl_groups_t *gs, sl_kstr_t group, int32_t generation, sl_kstr_t member,
                           sl_kstr_t instance)
{
    if (group.len <= 0) return SL_KERR_INVALID_GROUP_ID;
    sl_group_t *g = sl_group_find(gs, group.p, (size_t)group.len);
    sl_gmember_t *m;
    int16_t err = check_member(g, member, instance, &m);
    if (err != SL_KERR_NONE) return err;
    if (generation != g->generation) return SL_KERR_ILLEGAL_GENERATION;
    if (g->state == SL_GS_EMPTY) return SL_KERR_UNKNOWN_MEMBER_ID;
    m->deadline = sl_monotonic_ms() + m->session_timeout;
    sl_groups_arm(gs, m->deadline);
    return g->state == SL_GS_PREPARING ? SL_KERR_REBALANCE_IN_PROGRESS : SL_KERR_NONE;
}

static void remove_member_and_update(sl_groups_t *gs, sl_group_t *g, sl_gmember_t *m,
                                     const char *why)
{
    char reason[300];
    snprintf(reason, sizeof reason, "removing member %s on %s", m->id, why);
    remove_member(gs, g, m, SL_KERR_UNKNOWN_MEMBER_ID);
    if (g->state == SL_GS_STABLE || g->state == SL_GS_COMPLETING) prepare_rebalance(gs, g, reason);
    try_complete_join(gs, g);
}

int16_t sl_group_leave(sl_groups_t *gs, sl_group_t *g, sl_kstr_t member, sl_kstr_t instance)
{
    sl_gmember_t *m = NULL;
    if (instance.len >= 0) {
        m = sl_group_static_member(g, instance.p, (size_t)instance.len);
        if (!m) return SL_KERR_UNKNOWN_MEMBER_ID;
        if (member.len > 0 && !kstr_is(member, m->id)) return SL_KERR_FENCED_INSTANCE_ID;
    } else {
        for (sl_gpending_t **pp = &g->pending; *pp; pp = &(*pp)->next) {
            sl_gpending_t *p = *pp;
            if (!kstr_is(member, p->id)) continue;
            *pp = p->next;
            free(p->id);
            free(p);
            try_complete_join(gs, g);
            return SL_KERR_NONE;
        }
        if (member.len >= 0) m = sl_group_member(g, member.p, (size_t)member.len);
        if (!m) return SL_KERR_UNKNOWN_MEMBER_ID;
    }
    remove_member_and_update(gs, g, m, "LeaveGroup");
    return SL_KERR_NONE;
}

/* ---- timers ---------------------------------------------------------------------------- */

static void group_tick(sl_groups_t *gs, sl_group_t *g, int64_t now)
{
    int changed = 0;
    sl_gpending_t **pp = &g->pending;
    while (*pp) {
        sl_gpending_t *p = *pp;
        if (now >= p->deadline) {
            *pp = p->next;
            free(p->id);
            free(p);
            changed = 1;
        } else {
            pp = &p->next;
        }
    }
    sl_gmember_t *m = g->members;
    while (m) {
        sl_gmember_t *next = m->next;
        if (!m->join_req && !m->sync_req && now >= m->deadline) {
            SL_INFO("group", "member %s in group %s has failed (no heartbeat within %d ms)", m->id,
                    g->id, m->session_timeout);
            remove_member_and_update(gs, g, m, "heartbeat expiration");
        }
        m = next;
    }
    if (changed) try_complete_join(gs, g);
    if (g->state == SL_GS_PREPARING && now >= g->rebalance_deadline) {
        if (g->initial_join && g->new_member_added && g->initial_remaining > 0) {
            int64_t d =
                gs->initial_delay < g->initial_remaining ? gs->initial_delay : g->initial_remaining;
            g->new_member_added = 0;
            g->initial_remaining -= d;
            g->rebalance_deadline = now + d;
        } else {
            complete_join(gs, g);
        }
    }
    if (g->state == SL_GS_COMPLETING && g->sync_deadline && now >= g->sync_deadline) {
        /* The leader never sent the assignment: drop members that did not sync, start over. */
        m = g->members;
        while (m) {
            sl_gmember_t *next = m->next;
            if (!m->sync_req) {
                SL_INFO("group", "member %s of group %s did not sync in time; removing it", m->id,
                        g->id);
                remove_member(gs, g, m, SL_KERR_UNKNOWN_MEMBER_ID);
            }
            m = next;
        }
        prepare_rebalance(gs, g, "members did not sync in time");
        try_complete_join(gs, g);
    }
}

static int64_t group_next_due(const sl_group_t *g)
{
    int64_t next = INT64_MAX;
    for (const sl_gpending_t *p = g->pending; p; p = p->next)
        if (p->deadline < next) next = p->deadline;
    for (const sl_gmember_t *m = g->members; m; m = m->next)
        if (!m->join_req && !m->sync_req && m->deadline < next) next = m->deadline;
    if (g->state == SL_GS_PREPARING && g->rebalance_deadline < next) next = g->rebalance_deadline;
    if (g->state == SL_GS_COMPLETING && g->sync_deadline && g->sync_deadline < next)
        next = g->sync_deadline;
    return next;
}

static void on_timer(uv_timer_t *t)
{
    sl_groups_t *gs = t->data;
    gs->timer_due = 0;
    int64_t now = sl_monotonic_ms();
    for (size_t i = 0; i < gs->nbuckets; i++)
        for (sl_group_t *g = gs->buckets[i]; g; g = g->hnext)
            group_tick(gs, g, now);
    if (now >= gs->retention_due) {
        sl_goffsets_expire(gs, sl_wallclock_ms());
        gs->retention_due = now + gs->retention_check;
    }
    int64_t next = gs->retention_due;
    for (size_t i = 0; i < gs->nbuckets; i++)
        for (sl_group_t *g = gs->buckets[i]; g; g = g->hnext) {
            int64_t d = group_next_due(g);
            if (d < next) next = d;
        }
    sl_groups_arm(gs, next);
}

/* ---- lifecycle ------------------------------------------------------------------------- */

void sl_group_destroy(sl_groups_t *gs, sl_group_t *g, int16_t err)
{
    while (g->members)
        remove_member(gs, g, g->members, err);
    while (g->pending) {
        sl_gpending_t *p = g->pending;
        g->pending = p->next;
        free(p->id);
        free(p);
    }
    sl_group_t **pp = &gs->buckets[hash_id(g->id, strlen(g->id)) & (gs->nbuckets - 1)];
    while (*pp && *pp != g)
        pp = &(*pp)->hnext;
    if (*pp) {
        *pp = g->hnext;
        gs->ngroups--;
    }
    sl_goffsets_free(g);
    free(g->id);
    free(g->protocol_type);
    free(g->protocol);
    free(g->leader);
    free(g);
}

static int64_t setting(const sl_broker_t *b, const char *key, int64_t dflt, int *bad)
{
    const char *v = sl_props_get(&b->props, key);
    int64_t x;
    if (!v) return dflt;
    if (sl_parse_i64(v, &x) != SL_OK || x < 0) {
        SL_ERROR("group", "setting %s=%s is not a whole number >= 0", key, v);
        *bad = 1;
        return dflt;
    }
    return x;
}

static void on_timer_closed(uv_handle_t *h)
{
    free(h->data);
}

int sl_groups_open(sl_broker_t *b, sl_groups_t **out, char *err, size_t errlen)
{
    int bad = 0;
    sl_groups_t *gs = calloc(1, sizeof *gs);
    if (!gs) abort();
    gs->b = b;
    gs->offsets_parts = (int32_t)setting(b, "offsets.topic.num.partitions", 50, &bad);
    gs->offsets_segment = setting(b, "offsets.topic.segment.bytes", 104857600, &bad);
    gs->initial_delay = setting(b, "group.initial.rebalance.delay.ms", 3000, &bad);
    gs->min_session = setting(b, "group.min.session.timeout.ms", 6000, &bad);
    gs->max_session = setting(b, "group.max.session.timeout.ms", 1800000, &bad);
    gs->max_size = setting(b, "group.max.size", INT32_MAX, &bad);
    gs->metadata_max = setting(b, "offset.metadata.max.bytes", 4096, &bad);
    gs->retention_ms = setting(b, "offsets.retention.minutes", 10080, &bad) * 60000;
    gs->retention_check = setting(b, "offsets.retention.check.interval.ms", 600000, &bad);
    if (gs->offsets_parts < 1) bad = 1;
    if (gs->retention_check < 1) gs->retention_check = 1;
    if (bad) {
        snprintf(err, errlen, "invalid group coordinator settings (see the messages above)");
        free(gs);
        return SL_INVAL;
    }
    gs->nbuckets = 64;
    gs->buckets = calloc(gs->nbuckets, sizeof *gs->buckets);
    if (!gs->buckets) abort();
    sl_topic_t *t;
    int rc = sl_goffsets_topic(gs, &t, err, errlen);
    if (rc == SL_OK) rc = sl_goffsets_load(gs);
    if (rc != SL_OK) {
        if (!*err)
            snprintf(err, errlen, "cannot load %s (see the messages above)", SL_OFFSETS_TOPIC);
        for (size_t i = 0; i < gs->nbuckets; i++)
            while (gs->buckets[i])
                sl_group_destroy(gs, gs->buckets[i], SL_KERR_COORDINATOR_NOT_AVAILABLE);
        free(gs->buckets);
        free(gs);
        return rc;
    }
    uv_timer_init(b->loop, &gs->timer);
    gs->timer.data = gs;
    gs->retention_due = sl_monotonic_ms() + gs->retention_check;
    sl_groups_arm(gs, gs->retention_due);
    for (size_t i = 0; i < gs->nbuckets; i++)
        for (sl_group_t *g = gs->buckets[i]; g; g = g->hnext)
            for (sl_gmember_t *m = g->members; m; m = m->next)
                sl_groups_arm(gs, m->deadline);
    *out = gs;
    return SL_OK;
}

void sl_groups_close(sl_groups_t *gs)
{
    if (!gs) return;
    gs->closing = 1;
    for (size_t i = 0; i < gs->nbuckets; i++)
        while (gs->buckets[i])
            sl_group_destroy(gs, gs->buckets[i], SL_KERR_COORDINATOR_NOT_AVAILABLE);
    free(gs->buckets);
    gs->buckets = NULL;
    uv_timer_stop(&gs->timer);
    uv_close((uv_handle_t *)&gs->timer, on_timer_closed);
}
