/*
 * proto_fetch.c — Fetch (ApiKey 1), versions 4-12, flexible from 12.
 *
 * Request:  replica_id, max_wait_ms, min_bytes, max_bytes, isolation_level,
 *           session_id (v7+), session_epoch (v7+),
 *           topics [topic, partitions [partition, current_leader_epoch (v9+), fetch_offset,
 *                   last_fetched_epoch (v12+), log_start_offset (v5+), partition_max_bytes]],
 *           forgotten_topics_data (v7+) [topic, partitions [i32]], rack_id (v11+)
 * Response: throttle_time_ms, error_code (v7+), session_id (v7+),
 *           responses [topic, partitions [partition_index, error_code, high_watermark,
 *                      last_stable_offset, log_start_offset (v5+), aborted_transactions,
 *                      preferred_read_replica (v11+), records]]
 *
 * Records are never copied: each partition's data is a list of segment-file slices that the
 * connection sends with sendfile(2). A fetch that finds fewer than min_bytes waits (long
 * poll) until more data becomes visible or max_wait_ms passes; on every wake-up the response
 * is rebuilt from the request, which stays in memory until answered.
 *
 * Fetch sessions (KIP-227) are declined: the response's session_id is 0, which tells the
 * client to keep sending full fetch requests.
 *
 * @locality loop thread
 */
#include "broker/broker_int.h"
#include "common/err.h"
#include "common/log.h"
#include "common/time.h"

#include <stdlib.h>
#include <string.h>

#define SL_FETCH_MAX_SLICES 64

struct sl_fetch_wait_s {
    sl_req_t *req;                /* the request being answered */
    sl_fetch_wait_t *prev, *next; /* broker's list */
    uv_timer_t timer;             /* fires at max_wait_ms */
    sl_kr_t body;                 /* reader at the start of the request body */
    size_t hdr_len;               /* response bytes before the body */
    int timed_out;                /* max_wait_ms passed: answer with what there is */
};

static void release_chunks(sl_req_t *req)
{
    for (int i = 0; i < req->nchunks; i++)
        if (req->chunks[i].file.seg) sl_seg_release(req->chunks[i].file.seg);
    req->nchunks = 0;
}

/*
 * Build the response from the request at `body`. *bytes receives the record bytes found,
 * *must_answer is set if something other than waiting for data is called for (an error).
 */
static int fetch_build(sl_req_t *req, sl_kr_t body, int64_t *bytes, int *must_answer,
                       int32_t *max_wait_ms, int32_t *min_bytes)
{
    sl_broker_t *b = req->broker;
    sl_kr_t *r = &body;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    int32_t replica_id, max_bytes, session_id = 0, session_epoch = -1, ntopics;
    int8_t isolation;
    SL_KR(sl_kr_i32(r, &replica_id));
    SL_KR(sl_kr_i32(r, max_wait_ms));
    SL_KR(sl_kr_i32(r, min_bytes));
    SL_KR(sl_kr_i32(r, &max_bytes));
    SL_KR(sl_kr_i8(r, &isolation));
    if (v >= 7) {
        SL_KR(sl_kr_i32(r, &session_id));
        SL_KR(sl_kr_i32(r, &session_epoch));
    }
    int16_t top_err = SL_KERR_NONE;
    if (session_id != 0 || session_epoch > 0) top_err = SL_KERR_FETCH_SESSION_ID_NOT_FOUND;
    SL_KR(sl_kr_array(r, &ntopics));
    if (ntopics < 0) ntopics = 0;

    sl_kw_i32(w, 0); /* throttle_time_ms */
    if (v >= 7) {
        sl_kw_i16(w, top_err);
        sl_kw_i32(w, 0); /* no session: full fetches every time */
    }
    if (top_err != SL_KERR_NONE) {
        /* Everything else in the request is moot; answer the error alone. */
        sl_kw_array(w, 0);
        sl_kw_tags(w);
        *must_answer = 1;
        return SL_OK;
    }
    int64_t total = 0;
    int64_t budget = max_bytes > 0 ? max_bytes : 0;
    sl_kw_array(w, ntopics);
    for (int32_t i = 0; i < ntopics; i++) {
        sl_kstr_t name;
        int32_t nparts;
        SL_KR(sl_kr_str(r, &name));
        SL_KR(sl_kr_array(r, &nparts));
        if (nparts < 0) nparts = 0;
        sl_topic_t *t = sl_catalog_find(b->catalog, name.p, (size_t)name.len);
        sl_kw_kstr(w, name);
        sl_kw_array(w, nparts);
        for (int32_t j = 0; j < nparts; j++) {
            int32_t part, leader_epoch = -1, last_epoch = -1, part_max;
            int64_t offset, client_log_start = -1;
            SL_KR(sl_kr_i32(r, &part));
            if (v >= 9) SL_KR(sl_kr_i32(r, &leader_epoch));
            SL_KR(sl_kr_i64(r, &offset));
            if (v >= 12) SL_KR(sl_kr_i32(r, &last_epoch));
            if (v >= 5) SL_KR(sl_kr_i64(r, &client_log_start));
            SL_KR(sl_kr_i32(r, &part_max));
            SL_KR(sl_kr_tags(r));

            int16_t err = SL_KERR_NONE;
            int64_t hw = -1, log_start = -1;
            sl_logslice_t slices[SL_FETCH_MAX_SLICES];
            int nslices = 0;
            int64_t pbytes = 0;
            if (!t || part < 0 || part >= t->npart) {
                err = SL_KERR_UNKNOWN_TOPIC_OR_PARTITION;
                *must_answer = 1;
            } else {
                sl_plog_t *pl = t->parts[part];
                hw = sl_plog_hw(pl);
                log_start = sl_plog_start_offset(pl);
                if (leader_epoch >= 0 && leader_epoch > sl_plog_leader_epoch(pl)) {
                    err = SL_KERR_UNKNOWN_LEADER_EPOCH;
                    *must_answer = 1;
                } else if (leader_epoch >= 0 && leader_epoch < sl_plog_leader_epoch(pl)) {
                    err = SL_KERR_FENCED_LEADER_EPOCH;
                    *must_answer = 1;
                } else if (offset < log_start || offset > sl_plog_end_offset(pl)) {
                    err = SL_KERR_OFFSET_OUT_OF_RANGE;
                    *must_answer = 1;
                } else {
                    int64_t cur = offset;
                    int64_t pbudget = part_max < budget - total ? part_max : budget - total;
                    while (nslices < SL_FETCH_MAX_SLICES && pbudget - pbytes > 0) {
                        sl_logslice_t sl;
                        int rc = sl_plog_read(pl, cur, hw, (size_t)(pbudget - pbytes), &sl);
                        if (rc != SL_OK) {
                            if (rc == SL_RANGE && nslices == 0) {
                                err = SL_KERR_OFFSET_OUT_OF_RANGE;
                                *must_answer = 1;
                            }
                            break;
                        }
                        /* KIP-74: an oversized first batch goes out only if the response
                         * has no data yet; otherwise it waits for the next fetch. */
                        if (sl.len > pbudget - pbytes && (total + pbytes) > 0) {
                            sl_seg_release(sl.seg);
                            break;
                        }
                        slices[nslices++] = sl;
                        pbytes += sl.len;
                        cur = sl.next_offset;
                    }
                }
            }
            sl_kw_i32(w, part);
            sl_kw_i16(w, err);
            sl_kw_i64(w, hw);
            sl_kw_i64(w, hw); /* last_stable_offset: no transactions */
            if (v >= 5) sl_kw_i64(w, log_start);
            sl_kw_array(w, 0);             /* aborted_transactions */
            if (v >= 11) sl_kw_i32(w, -1); /* preferred_read_replica */
            if (err != SL_KERR_NONE && nslices == 0) {
                sl_kw_bytes(w, NULL, -1);
            } else {
                sl_kw_bytes_len(w, (int32_t)pbytes);
                for (int k = 0; k < nslices; k++)
                    sl_req_add_file(req, &slices[k]);
            }
            sl_kw_tags(w);
            total += pbytes;
        }
        SL_KR(sl_kr_tags(r));
    }
    /* forgotten_topics_data and rack_id need no answer (no sessions); still parse them so
     * a malformed tail is caught. */
    if (v >= 7) {
        int32_t nf;
        SL_KR(sl_kr_array(r, &nf));
        for (int32_t i = 0; i < nf; i++) {
            sl_kstr_t name;
            int32_t np, p;
            SL_KR(sl_kr_str(r, &name));
            SL_KR(sl_kr_array(r, &np));
            for (int32_t j = 0; j < np; j++)
                SL_KR(sl_kr_i32(r, &p));
            SL_KR(sl_kr_tags(r));
        }
    }
    if (v >= 11) {
        sl_kstr_t rack;
        SL_KR(sl_kr_str(r, &rack));
    }
    SL_KR(sl_kr_tags(r));
    if (sl_rd_left(&r->rd) != 0) goto err_parse;
    sl_kw_tags(w);
    *bytes = total;
    return SL_OK;
err_parse:
    return SL_PROTO;
}

static void wait_free_cb(uv_handle_t *h)
{
    free(h->data);
}

static void wait_finish(sl_broker_t *b, sl_fetch_wait_t *fw)
{
    if (fw->prev)
        fw->prev->next = fw->next;
    else
        b->fetch_waits = fw->next;
    if (fw->next) fw->next->prev = fw->prev;
    uv_timer_stop(&fw->timer);
    fw->timer.data = fw;
    uv_close((uv_handle_t *)&fw->timer, wait_free_cb);
}

/* Rebuild the waiting fetch's response; answer it if satisfied. Returns 1 if answered. */
static int wait_try(sl_broker_t *b, sl_fetch_wait_t *fw)
{
    sl_req_t *req = fw->req;
    if (!req->conn) {
        /* The client went away. */
        wait_finish(b, fw);
        sl_req_complete(req);
        return 1;
    }
    release_chunks(req);
    req->out.len = fw->hdr_len;
    int64_t bytes = 0;
    int must = 0;
    int32_t max_wait, min_bytes;
    if (fetch_build(req, fw->body, &bytes, &must, &max_wait, &min_bytes) != SL_OK) {
        /* Parsed fine the first time; cannot fail now. */
        must = 1;
    }
    if (must || bytes >= (min_bytes > 0 ? min_bytes : 1) || fw->timed_out || b->shutting_down) {
        wait_finish(b, fw);
        req->deferred = NULL;
        sl_req_complete(req);
        return 1;
    }
    return 0;
}

static void on_wait_timeout(uv_timer_t *t)
{
    sl_fetch_wait_t *fw = t->data;
    fw->timed_out = 1;
    wait_try(fw->req->broker, fw);
}

int sl_kapi_fetch(sl_req_t *req)
{
    sl_broker_t *b = req->broker;
    sl_kr_t body = req->r;
    size_t hdr_len = req->out.len;
    int64_t bytes = 0;
    int must = 0;
    int32_t max_wait = 0, min_bytes = 0;
    if (fetch_build(req, body, &bytes, &must, &max_wait, &min_bytes) != SL_OK) {
        release_chunks(req);
        return SL_PROTO;
    }
    if (must || bytes >= min_bytes || max_wait <= 0 || b->shutting_down) return SL_OK;
    /* Long poll: keep the request, throw the empty answer away, wait for data. */
    sl_fetch_wait_t *fw = calloc(1, sizeof *fw);
    if (!fw) abort();
    fw->req = req;
    fw->body = body;
    fw->hdr_len = hdr_len;
    release_chunks(req);
    req->out.len = hdr_len;
    uv_timer_init(b->loop, &fw->timer);
    fw->timer.data = fw;
    uv_timer_start(&fw->timer, on_wait_timeout, (uint64_t)max_wait, 0);
    fw->next = b->fetch_waits;
    if (fw->next) fw->next->prev = fw;
    b->fetch_waits = fw;
    req->deferred = fw;
    return SL_AGAIN;
}

void sl_broker_fetch_wakeup(sl_broker_t *b)
{
    b->fetch_wake_pending = 1;
}

void sl_fetch_run_wakeups(sl_broker_t *b)
{
    if (!b->fetch_wake_pending) return;
    b->fetch_wake_pending = 0;
    sl_fetch_wait_t *fw = b->fetch_waits;
    while (fw) {
        sl_fetch_wait_t *next = fw->next;
        wait_try(b, fw);
        fw = next;
    }
}

void sl_fetch_shutdown(sl_broker_t *b)
{
    /* Answer every waiting fetch with what there is now. */
    while (b->fetch_waits) {
        sl_fetch_wait_t *fw = b->fetch_waits;
        fw->timed_out = 1;
        wait_try(b, fw);
    }
}
