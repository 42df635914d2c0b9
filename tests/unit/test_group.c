/*
 * test_group.c — the group coordinator (broker/group.c, group_offsets.c, proto_group.c).
 *
 * Each test runs a whole broker (sl_broker_create: catalog, flusher, coordinator) on its own
 * libuv loop in a temporary data directory, and talks to it as a client would: requests are
 * framed by hand and written to one end of a socketpair whose other end the broker serves
 * (sl_net_adopt_fd). Responses are read back by running the loop until they arrive, so
 * deferred answers (JoinGroup waiting for other members, commits waiting for fsync) are
 * exercised exactly as on a real connection. Versions used: JoinGroup v5, SyncGroup v3,
 * Heartbeat v3, OffsetCommit v7, OffsetFetch v5 (all non-flexible).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "broker/broker_int.h"
#include "broker/group_int.h"
#include "common/err.h"
#include "common/log.h"
#include "common/time.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct tx_s {
    char dir[64];   /* temporary data directory */
    uv_loop_t loop; /* the broker's loop */
    sl_broker_t *b; /* running broker */
    int32_t corr;   /* next correlation id */
    sl_buf_t resp;  /* last response body */
    sl_kr_t r;      /* reader over resp */
} tx_t;

/* Starts the broker; initial_delay is group.initial.rebalance.delay.ms (tests use 0 mostly). */
static void tx_start_delay(tx_t *t, const char *initial_delay)
{
    sl_props_t p;
    char err[512];
    sl_props_init(&p);
    sl_props_set(&p, "log.dirs", t->dir);
    sl_props_set(&p, "group.initial.rebalance.delay.ms", initial_delay);
    sl_props_set(&p, "offsets.topic.num.partitions", "3");
    assert_int_equal(uv_loop_init(&t->loop), 0);
    assert_int_equal(sl_broker_create(&t->loop, &p, &t->b, err, sizeof err), SL_OK);
    sl_props_free(&p);
}

static void tx_start(tx_t *t)
{
    tx_start_delay(t, "0");
}

static void tx_stop(tx_t *t)
{
    sl_broker_shutdown(t->b);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    sl_broker_free(t->b);
    assert_int_equal(uv_loop_close(&t->loop), 0);
    t->b = NULL;
}

static int setup(void **state)
{
    tx_t *t = calloc(1, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/sl-test-group-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    sl_log_set_level(SL_LOG_WARN);
    tx_start(t);
    char err[256];
    assert_int_equal(sl_catalog_create(t->b->catalog, "t", 2, -1, NULL, 0, NULL, err, sizeof err),
                     SL_KERR_NONE);
    sl_buf_init(&t->resp);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tx_t *t = *state;
    if (t->b) tx_stop(t);
    sl_buf_free(&t->resp);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
    free(t);
    return 0;
}

/* A client connection: our end of a socketpair the broker serves. */
static int client(tx_t *t)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    assert_int_equal(sl_net_adopt_fd(t->b, sv[0], "test"), SL_OK);
    return sv[1];
}

static void send_req(tx_t *t, int fd, int16_t key, int16_t ver, sl_buf_t *body)
{
    sl_buf_t f;
    sl_buf_init(&f);
    sl_buf_put_i32(&f, 0);
    sl_buf_put_i16(&f, key);
    sl_buf_put_i16(&f, ver);
    sl_buf_put_i32(&f, t->corr++);
    sl_buf_put_i16(&f, 4);
    sl_buf_put(&f, "test", 4);
    sl_buf_put(&f, body->data, body->len);
    sl_buf_patch_i32(&f, 0, (int32_t)f.len - 4);
    assert_int_equal(write(fd, f.data, f.len), (ssize_t)f.len);
    sl_buf_free(&f);
    sl_buf_free(body);
}

/* Run the loop until a response arrives on fd (1) or wait_ms passes (0). */
static int recv_resp(tx_t *t, int fd, int wait_ms)
{
    sl_buf_t in;
    sl_buf_init(&in);
    int64_t end = sl_monotonic_ms() + wait_ms;
    for (;;) {
        uv_run(&t->loop, UV_RUN_NOWAIT);
        uint8_t tmp[65536];
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n > 0) sl_buf_put(&in, tmp, (size_t)n);
        if (in.len >= 4 && in.len >= 4 + sl_be32(in.data)) break;
        if (sl_monotonic_ms() > end) {
            assert_int_equal(in.len, 0); /* never half a response */
            sl_buf_free(&in);
            return 0;
        }
        if (n <= 0) usleep(1000);
    }
    assert_int_equal(in.len, 4 + sl_be32(in.data)); /* exactly one response */
    sl_buf_free(&t->resp);
    sl_buf_init(&t->resp);
    sl_buf_put(&t->resp, in.data + 8, in.len - 8); /* size, correlation id */
    sl_buf_free(&in);
    t->r.flex = 0;
    sl_rd_init(&t->r.rd, t->resp.data, t->resp.len);
    return 1;
}

static void must_recv(tx_t *t, int fd)
{
    assert_true(recv_resp(t, fd, 5000));
}

static int32_t rd_i32(tx_t *t)
{
    int32_t v;
    assert_int_equal(sl_kr_i32(&t->r, &v), SL_OK);
    return v;
}
static int16_t rd_i16(tx_t *t)
{
    int16_t v;
    assert_int_equal(sl_kr_i16(&t->r, &v), SL_OK);
    return v;
}
static int64_t rd_i64(tx_t *t)
{
    int64_t v;
    assert_int_equal(sl_kr_i64(&t->r, &v), SL_OK);
    return v;
}
/* A string, copied into a static ring so callers can keep a few. */
static const char *rd_str(tx_t *t)
{
    static char ring[4][512];
    static int k;
    sl_kstr_t s;
    assert_int_equal(sl_kr_nstr(&t->r, &s), SL_OK);
    char *o = ring[k++ % 4];
    snprintf(o, 512, "%.*s", s.len < 0 ? 6 : (int)s.len, s.len < 0 ? "<null>" : s.p);
    return o;
}
static int32_t rd_bytes(tx_t *t, const uint8_t **p)
{
    int32_t len;
    assert_int_equal(sl_kr_nbytes(&t->r, p, &len), SL_OK);
    return len;
}
static void rd_end(tx_t *t)
{
    assert_int_equal(sl_rd_left(&t->r.rd), 0);
}

/* ---- request builders ---------------------------------------------------------------- */

static const uint8_t SUB[] = {0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 0}; /* subscription to t */

static void join(tx_t *t, int fd, const char *group, const char *member)
{
    sl_buf_t b;
    sl_buf_init(&b);
    sl_kw_t w = {&b, 0};
    sl_kw_cstr(&w, group);
    sl_kw_i32(&w, 10000);
    sl_kw_i32(&w, 10000);
    sl_kw_cstr(&w, member);
    sl_kw_cstr(&w, NULL);
    sl_kw_cstr(&w, "consumer");
    sl_kw_array(&w, 1);
    sl_kw_cstr(&w, "range");
    sl_kw_bytes(&w, SUB, sizeof SUB);
    send_req(t, fd, SL_API_JoinGroup, 5, &b);
}

typedef struct join_res_s {
    int16_t err;
    int32_t generation;
    char leader[128];
    char member[128];
    int32_t nmembers;
} join_res_t;

static join_res_t read_join(tx_t *t)
{
    join_res_t j;
    rd_i32(t);
    j.err = rd_i16(t);
    j.generation = rd_i32(t);
    rd_str(t); /* protocol */
    snprintf(j.leader, sizeof j.leader, "%s", rd_str(t));
    snprintf(j.member, sizeof j.member, "%s", rd_str(t));
    j.nmembers = rd_i32(t);
    for (int32_t i = 0; i < j.nmembers; i++) {
        const uint8_t *p;
        rd_str(t);
        rd_str(t);
        assert_int_equal(rd_bytes(t, &p), sizeof SUB);
        assert_memory_equal(p, SUB, sizeof SUB);
    }
    rd_end(t);
    return j;
}

/* JoinGroup the KIP-394 way: get an id, rejoin with it. Returns with the second join sent. */
static void join_new(tx_t *t, int fd, const char *group, char *id, size_t idlen)
{
    join(t, fd, group, "");
    must_recv(t, fd);
    join_res_t j = read_join(t);
    assert_int_equal(j.err, SL_KERR_MEMBER_ID_REQUIRED);
    assert_int_equal(j.generation, -1);
    assert_non_null(strstr(j.member, "test-"));
    snprintf(id, idlen, "%s", j.member);
    join(t, fd, group, id);
}

static void sync_group(tx_t *t, int fd, const char *group, int32_t gen, const char *member,
                       int nassign, const char **ids, const char **assign)
{
    sl_buf_t b;
    sl_buf_init(&b);
    sl_kw_t w = {&b, 0};
    sl_kw_cstr(&w, group);
    sl_kw_i32(&w, gen);
    sl_kw_cstr(&w, member);
    sl_kw_cstr(&w, NULL);
    sl_kw_array(&w, nassign);
    for (int i = 0; i < nassign; i++) {
        sl_kw_cstr(&w, ids[i]);
        sl_kw_bytes(&w, assign[i], (int32_t)strlen(assign[i]));
    }
    send_req(t, fd, SL_API_SyncGroup, 3, &b);
}

/* Reads a SyncGroup response; returns its error and copies the assignment into out. */
static int16_t read_sync(tx_t *t, char *out, size_t outlen)
{
    const uint8_t *p;
    rd_i32(t);
    int16_t err = rd_i16(t);
    int32_t len = rd_bytes(t, &p);
    snprintf(out, outlen, "%.*s", len > 0 ? (int)len : 0, len > 0 ? (const char *)p : "");
    rd_end(t);
    return err;
}

static int16_t heartbeat(tx_t *t, int fd, const char *group, int32_t gen, const char *member)
{
    sl_buf_t b;
    sl_buf_init(&b);
    sl_kw_t w = {&b, 0};
    sl_kw_cstr(&w, group);
    sl_kw_i32(&w, gen);
    sl_kw_cstr(&w, member);
    sl_kw_cstr(&w, NULL);
    send_req(t, fd, SL_API_Heartbeat, 3, &b);
    must_recv(t, fd);
    rd_i32(t);
    int16_t err = rd_i16(t);
    rd_end(t);
    return err;
}

/* OffsetCommit v7 of partitions 0 and 1 of t; errs receives both partitions' errors. */
static void commit(tx_t *t, int fd, const char *group, int32_t gen, const char *member, int64_t off,
                   const char *md0, int16_t errs[2])
{
    sl_buf_t b;
    sl_buf_init(&b);
    sl_kw_t w = {&b, 0};
    sl_kw_cstr(&w, group);
    sl_kw_i32(&w, gen);
    sl_kw_cstr(&w, member);
    sl_kw_cstr(&w, NULL);
    sl_kw_array(&w, 1);
    sl_kw_cstr(&w, "t");
    sl_kw_array(&w, 2);
    for (int p = 0; p < 2; p++) {
        sl_kw_i32(&w, p);
        sl_kw_i64(&w, off + p);
        sl_kw_i32(&w, -1);
        sl_kw_cstr(&w, p == 0 ? md0 : "m1");
    }
    send_req(t, fd, SL_API_OffsetCommit, 7, &b);
    must_recv(t, fd);
    rd_i32(t);
    assert_int_equal(rd_i32(t), 1);
    assert_string_equal(rd_str(t), "t");
    assert_int_equal(rd_i32(t), 2);
    for (int p = 0; p < 2; p++) {
        assert_int_equal(rd_i32(t), p);
        errs[p] = rd_i16(t);
    }
    rd_end(t);
}

/* OffsetFetch v5 of partitions 0 and 1 of t. */
static void fetch_offsets(tx_t *t, int fd, const char *group, int64_t offs[2], char md[2][64])
{
    sl_buf_t b;
    sl_buf_init(&b);
    sl_kw_t w = {&b, 0};
    sl_kw_cstr(&w, group);
    sl_kw_array(&w, 1);
    sl_kw_cstr(&w, "t");
    sl_kw_array(&w, 2);
    sl_kw_i32(&w, 0);
    sl_kw_i32(&w, 1);
    send_req(t, fd, SL_API_OffsetFetch, 5, &b);
    must_recv(t, fd);
    rd_i32(t);
    assert_int_equal(rd_i32(t), 1);
    assert_string_equal(rd_str(t), "t");
    assert_int_equal(rd_i32(t), 2);
    for (int p = 0; p < 2; p++) {
        assert_int_equal(rd_i32(t), p);
        offs[p] = rd_i64(t);
        rd_i32(t); /* leader epoch */
        snprintf(md[p], 64, "%s", rd_str(t));
        assert_int_equal(rd_i16(t), SL_KERR_NONE);
    }
    assert_int_equal(rd_i16(t), SL_KERR_NONE);
    rd_end(t);
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_join_sync_two_members(void **state)
{
    tx_t *t = *state;
    int c1 = client(t), c2 = client(t);
    char id1[128], id2[128], a[64];

    /* One member: the group forms at once (no initial delay configured). */
    join_new(t, c1, "g", id1, sizeof id1);
    must_recv(t, c1);
    join_res_t j = read_join(t);
    assert_int_equal(j.err, SL_KERR_NONE);
    assert_int_equal(j.generation, 1);
    assert_string_equal(j.leader, id1);
    assert_string_equal(j.member, id1);
    assert_int_equal(j.nmembers, 1);
    const char *ids1[] = {id1}, *as1[] = {"A-all"};
    sync_group(t, c1, "g", 1, id1, 1, ids1, as1);
    must_recv(t, c1);
    assert_int_equal(read_sync(t, a, sizeof a), SL_KERR_NONE);
    assert_string_equal(a, "A-all");
    assert_int_equal(heartbeat(t, c1, "g", 1, id1), SL_KERR_NONE);

    /* A second member: its join waits for the first to rejoin. */
    join_new(t, c2, "g", id2, sizeof id2);
    assert_false(recv_resp(t, c2, 100));
    assert_int_equal(heartbeat(t, c1, "g", 1, id1), SL_KERR_REBALANCE_IN_PROGRESS);
    join(t, c1, "g", id1);
    must_recv(t, c1);
    j = read_join(t);
    assert_int_equal(j.err, SL_KERR_NONE);
    assert_int_equal(j.generation, 2);
    assert_string_equal(j.leader, id1);
    assert_int_equal(j.nmembers, 2); /* the leader sees everyone */
    must_recv(t, c2);
    j = read_join(t);
    assert_int_equal(j.err, SL_KERR_NONE);
    assert_int_equal(j.generation, 2);
    assert_string_equal(j.leader, id1);
    assert_string_equal(j.member, id2);
    assert_int_equal(j.nmembers, 0);

    /* The follower's SyncGroup waits for the leader's assignment. */
    sync_group(t, c2, "g", 2, id2, 0, NULL, NULL);
    assert_false(recv_resp(t, c2, 100));
    const char *ids2[] = {id1, id2}, *as2[] = {"A-first", "A-second"};
    sync_group(t, c1, "g", 2, id1, 2, ids2, as2);
    must_recv(t, c1);
    assert_int_equal(read_sync(t, a, sizeof a), SL_KERR_NONE);
    assert_string_equal(a, "A-first");
    must_recv(t, c2);
    assert_int_equal(read_sync(t, a, sizeof a), SL_KERR_NONE);
    assert_string_equal(a, "A-second");
    assert_int_equal(heartbeat(t, c2, "g", 2, id2), SL_KERR_NONE);

    /* Member commits with the current generation; a stale one is refused. */
    int16_t errs[2];
    commit(t, c1, "g", 2, id1, 10, "", errs);
    assert_int_equal(errs[0], SL_KERR_NONE);
    assert_int_equal(errs[1], SL_KERR_NONE);
    commit(t, c1, "g", 1, id1, 20, "", errs);
    assert_int_equal(errs[0], SL_KERR_ILLEGAL_GENERATION);
    assert_int_equal(errs[1], SL_KERR_ILLEGAL_GENERATION);
    commit(t, c1, "g", -1, "", 20, "", errs); /* an admin commit to an active group */
    assert_int_equal(errs[0], SL_KERR_UNKNOWN_MEMBER_ID);
    int64_t offs[2];
    char md[2][64];
    fetch_offsets(t, c1, "g", offs, md);
    assert_int_equal(offs[0], 10);
    assert_int_equal(offs[1], 11);
    close(c1);
    close(c2);
}

static void test_bad_members(void **state)
{
    tx_t *t = *state;
    int c = client(t);
    char id[128], a[64];
    /* Unknown group, then unknown member of a known group. */
    assert_int_equal(heartbeat(t, c, "nogroup", 1, "ghost"), SL_KERR_UNKNOWN_MEMBER_ID);
    sync_group(t, c, "g", 1, "ghost", 0, NULL, NULL); /* SyncGroup before any JoinGroup */
    must_recv(t, c);
    assert_int_equal(read_sync(t, a, sizeof a), SL_KERR_UNKNOWN_MEMBER_ID);
    join_new(t, c, "g", id, sizeof id);
    must_recv(t, c);
    assert_int_equal(read_join(t).err, SL_KERR_NONE);
    assert_int_equal(heartbeat(t, c, "g", 1, "ghost"), SL_KERR_UNKNOWN_MEMBER_ID);
    assert_int_equal(heartbeat(t, c, "g", 7, id), SL_KERR_ILLEGAL_GENERATION);
    sync_group(t, c, "g", 1, "ghost", 0, NULL, NULL);
    must_recv(t, c);
    assert_int_equal(read_sync(t, a, sizeof a), SL_KERR_UNKNOWN_MEMBER_ID);
    /* A rejoin with an id the coordinator never gave out. */
    join(t, c, "g", "made-up");
    must_recv(t, c);
    assert_int_equal(read_join(t).err, SL_KERR_UNKNOWN_MEMBER_ID);
    /* A generation of a group the coordinator does not know. */
    int16_t errs[2];
    commit(t, c, "other", 3, "x", 1, "", errs);
    assert_int_equal(errs[0], SL_KERR_ILLEGAL_GENERATION);
    close(c);
}

static void test_metadata_too_large_and_persistence(void **state)
{
    tx_t *t = *state;
    int c = client(t);
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    int16_t errs[2];
    commit(t, c, "simple", -1, "", 100, big, errs);
    assert_int_equal(errs[0], SL_KERR_OFFSET_METADATA_TOO_LARGE);
    assert_int_equal(errs[1], SL_KERR_NONE);
    int64_t offs[2];
    char md[2][64];
    fetch_offsets(t, c, "simple", offs, md);
    assert_int_equal(offs[0], -1);
    assert_int_equal(offs[1], 101);
    commit(t, c, "simple", -1, "", 200, "meta0", errs);
    assert_int_equal(errs[0], SL_KERR_NONE);
    close(c);

    /* Close and reopen: offsets come back from __consumer_offsets. */
    tx_stop(t);
    tx_start(t);
    c = client(t);
    fetch_offsets(t, c, "simple", offs, md);
    assert_int_equal(offs[0], 200);
    assert_int_equal(offs[1], 201);
    assert_string_equal(md[0], "meta0");
    assert_string_equal(md[1], "m1");
    fetch_offsets(t, c, "nobody", offs, md);
    assert_int_equal(offs[0], -1);
    close(c);
}

static int16_t offset_delete(tx_t *t, int fd, const char *group, int32_t partition, int16_t *perr)
{
    sl_buf_t b;
    sl_buf_init(&b);
    sl_kw_t w = {&b, 0};
    sl_kw_cstr(&w, group);
    sl_kw_array(&w, 1);
    sl_kw_cstr(&w, "t");
    sl_kw_array(&w, 1);
    sl_kw_i32(&w, partition);
    send_req(t, fd, SL_API_OffsetDelete, 0, &b);
    must_recv(t, fd);
    int16_t top = rd_i16(t);
    rd_i32(t);
    int32_t n = rd_i32(t);
    *perr = -2;
    if (n == 1) {
        assert_string_equal(rd_str(t), "t");
        assert_int_equal(rd_i32(t), 1);
        assert_int_equal(rd_i32(t), partition);
        *perr = rd_i16(t);
    }
    rd_end(t);
    return top;
}

static void test_offset_delete(void **state)
{
    tx_t *t = *state;
    int c = client(t);
    int16_t errs[2], perr;
    commit(t, c, "od", -1, "", 5, "", errs);
    assert_int_equal(errs[0], SL_KERR_NONE);
    assert_int_equal(offset_delete(t, c, "nope", 0, &perr), SL_KERR_GROUP_ID_NOT_FOUND);
    assert_int_equal(offset_delete(t, c, "od", 0, &perr), SL_KERR_NONE);
    assert_int_equal(perr, SL_KERR_NONE);
    assert_int_equal(offset_delete(t, c, "od", 9, &perr), SL_KERR_NONE);
    assert_int_equal(perr, SL_KERR_UNKNOWN_TOPIC_OR_PARTITION);
    int64_t offs[2];
    char md[2][64];
    fetch_offsets(t, c, "od", offs, md);
    assert_int_equal(offs[0], -1);
    assert_int_equal(offs[1], 6);
    close(c);
    /* The deletion is persisted (a tombstone), not just forgotten in memory. */
    tx_stop(t);
    tx_start(t);
    c = client(t);
    fetch_offsets(t, c, "od", offs, md);
    assert_int_equal(offs[0], -1);
    assert_int_equal(offs[1], 6);
    close(c);
}

/* group.initial.rebalance.delay.ms: the first generation of a new group waits for the delay, so
 * members arriving within it form one generation instead of a rebalance each. */
static void test_initial_rebalance_delay(void **state)
{
    tx_t *t = *state;
    tx_stop(t);
    tx_start_delay(t, "400");
    int c1 = client(t), c2 = client(t);
    char id1[128], id2[128];
    int64_t t0 = sl_monotonic_ms();
    join_new(t, c1, "gd", id1, sizeof id1);
    assert_false(recv_resp(t, c1, 150)); /* held: the delay has not passed */
    join_new(t, c2, "gd", id2, sizeof id2);
    must_recv(t, c1);
    join_res_t j = read_join(t);
    assert_int_equal(j.err, SL_KERR_NONE);
    assert_int_equal(j.generation, 1);
    assert_int_equal(j.nmembers, 2); /* both members in the first generation */
    assert_true(sl_monotonic_ms() - t0 >= 400);
    must_recv(t, c2);
    j = read_join(t);
    assert_int_equal(j.err, SL_KERR_NONE);
    assert_int_equal(j.generation, 1);
    close(c1);
    close(c2);
}

/* offsets.retention.minutes: offsets of a group without members expire once they are older than
 * the retention (Kafka's default, 7 days), the group goes with its last offset, and the expiry is
 * persisted as tombstones; a stable consumer group keeps the offsets of topics it subscribes
 * to however old they are. */
static void test_offset_retention(void **state)
{
    tx_t *t = *state;
    int c = client(t), cm = client(t);
    int16_t errs[2];
    int64_t offs[2];
    char md[2][64], id[128], a[64];
    commit(t, c, "old", -1, "", 40, "", errs); /* a simple (member-less) group */
    assert_int_equal(errs[0], SL_KERR_NONE);

    join_new(t, cm, "live", id, sizeof id); /* a stable consumer group subscribed to t */
    must_recv(t, cm);
    assert_int_equal(read_join(t).err, SL_KERR_NONE);
    const char *ids[] = {id}, *as[] = {"A"};
    sync_group(t, cm, "live", 1, id, 1, ids, as);
    must_recv(t, cm);
    assert_int_equal(read_sync(t, a, sizeof a), SL_KERR_NONE);
    commit(t, cm, "live", 1, id, 70, "", errs);
    assert_int_equal(errs[0], SL_KERR_NONE);

    /* Not yet: six days on, both are kept. */
    int64_t day = 24LL * 3600 * 1000;
    sl_goffsets_expire(t->b->groups, sl_wallclock_ms() + 6 * day);
    uv_run(&t->loop, UV_RUN_NOWAIT);
    fetch_offsets(t, c, "old", offs, md);
    assert_int_equal(offs[0], 40);

    /* Eight days on: the simple group's offsets expire, the stable group's stay. */
    sl_goffsets_expire(t->b->groups, sl_wallclock_ms() + 8 * day);
    uv_run(&t->loop, UV_RUN_NOWAIT);
    fetch_offsets(t, c, "old", offs, md);
    assert_int_equal(offs[0], -1);
    assert_int_equal(offs[1], -1);
    fetch_offsets(t, c, "live", offs, md);
    assert_int_equal(offs[0], 70);
    assert_int_equal(offs[1], 71);
    close(c);
    close(cm);

    /* The expiry was written to __consumer_offsets: it holds across a restart. */
    tx_stop(t);
    tx_start(t);
    c = client(t);
    fetch_offsets(t, c, "old", offs, md);
    assert_int_equal(offs[0], -1);
    fetch_offsets(t, c, "live", offs, md);
    assert_int_equal(offs[0], 70);
    close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_join_sync_two_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metadata_too_large_and_persistence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offset_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_initial_rebalance_delay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offset_retention, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
