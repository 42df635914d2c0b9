/*
 * proto_produce.c — Produce (ApiKey 0), versions 0-9, flexible from 9.
 *
 * Only RecordBatch v2 (magic 2) is stored; older message formats (what Produce v0-v2 carry)
 * get UNSUPPORTED_FOR_MESSAGE_FORMAT per partition. Versions 0-2 are advertised anyway, as
 * Apache Kafka 3.x does, because librdkafka 2.0 decides from them whether the broker can take
 * gzip and snappy at all (without them it silently sends those codecs uncompressed).
 *
 * Request:  transactional_id nullable string (v3+), acks i16, timeout_ms i32,
 *           topic_data [name, partition_data [index i32, records nullable bytes]]
 * Response: responses [name, partition_responses [index, error_code, base_offset,
 *           log_append_time_ms (v2+), log_start_offset (v5+), record_errors (v8+)
 *           [batch_index, batch_index_error_message], error_message (v8+)]],
 *           throttle_time_ms (v1+)
 *
 * The request is parsed whole before anything is written, so a malformed request (which
 * closes the connection) never leaves some partitions appended and others not. Each
 * partition's batches are validated (magic, size, CRC, record structure) and then appended
 * with one write. acks=all waits for the group commit: the response is built at once and
 * released when every partition it touched has its high watermark past the data.
 *
 * Schema enforcement (validate.h): for a topic with confluent.{key,value}.schema.validation
 * on, every record of the partition's batches goes through the installed validator right
 * after its batch was validated, reading the records from the buffer sl_rb_validate just
 * decompressed them into (compressed batches are decompressed once). Any rejected record
 * refuses the partition's whole batch set with INVALID_RECORD, one record_errors entry per
 * rejected record (up to SL_PRODUCE_MAX_RECORD_ERRORS) and the first reason as error_message.
 * The settings are looked up once per partition; topics without validation pay nothing else.
 *
 * @locality loop thread
 */
#include "broker/broker_int.h"
#include "broker/topic_config.h"
#include "broker/validate.h"
#include "common/err.h"
#include "common/log.h"
#include "common/recbatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sl_ppart_s {
    int32_t index;    /* partition */
    uint8_t *records; /* into the request frame (mutable: offsets are rewritten) */
    int32_t len;      /* bytes, -1 = null */
} sl_ppart_t;

typedef struct sl_ptopic_s {
    sl_kstr_t name;    /* borrowed from the frame */
    int32_t nparts;    /* partitions in the request */
    sl_ppart_t *parts; /* owned */
} sl_ptopic_t;

/* At most this many record_errors entries per partition (the verdict counts them all). */
#define SL_PRODUCE_MAX_RECORD_ERRORS 20

/* One rejected record: a record_errors entry. */
typedef struct sl_recerr_s {
    int32_t index; /* batch_index on the wire: the record's index in the partition's batch set */
    char msg[320]; /* "record N: <reason>" */
} sl_recerr_t;

/* The records of one partition that the validator rejected. */
typedef struct sl_recerrs_s {
    sl_recerr_t *v;   /* owned; allocated at the first rejection only */
    int n;            /* entries kept (<= SL_PRODUCE_MAX_RECORD_ERRORS) */
    int32_t rejected; /* records rejected in all */
} sl_recerrs_t;

/* Schema validation of one partition's batch set in progress. */
typedef struct sl_pval_s {
    const sl_val_cfg_t *cfg; /* the topic's settings (both sides resolved) */
    int32_t partition;       /* partition index */
    int32_t next_index;      /* index of the next record in the batch set */
    sl_val_memo_t memo[2];   /* the validator's memory, per side */
    sl_recerrs_t errs;       /* what it rejected */
} sl_pval_t;

static void recerr_add(sl_recerrs_t *re, int32_t index, const char *reason)
{
    re->rejected++;
    if (re->n >= SL_PRODUCE_MAX_RECORD_ERRORS) return;
    if (!re->v) {
        re->v = malloc(SL_PRODUCE_MAX_RECORD_ERRORS * sizeof *re->v);
        if (!re->v) abort();
    }
    sl_recerr_t *e = &re->v[re->n++];
    e->index = index;
    snprintf(e->msg, sizeof e->msg, "record %d: %s", index, reason);
}

/*
 * Run the validator over the records of one batch that sl_rb_validate has just accepted: the
 * records are at batch + 61 when uncompressed, else in the scratch buffer sl_rb_validate
 * decompressed them into (its documented use of scratch), so nothing is decompressed twice.
 * Rejections go into pv->errs. Returns SL_KERR_NONE, or (validator not ready) a retriable
 * Kafka error with why filled.
 */
static int16_t validate_records(sl_broker_t *b, const sl_topic_t *t, sl_pval_t *pv,
                                const uint8_t *batch, size_t size, const sl_rb_hdr_t *h, char *why,
                                size_t whylen)
{
    sl_rb_iter_t it;
    it.hdr = *h;
    it.index = 0;
    if ((h->attributes & SL_RB_ATTR_CODEC_MASK) == SL_CODEC_NONE)
        sl_rd_init(&it.rd, batch + SL_RB_HEADER_SIZE, size - SL_RB_HEADER_SIZE);
    else
        sl_rd_init(&it.rd, b->scratch.data, b->scratch.len);
    for (;;) {
        sl_rb_rec_t rec;
        int rc = sl_rb_iter_next(&it, &rec);
        if (rc == SL_EOF) break;
        if (SL_NEVER(rc != SL_OK)) { /* sl_rb_validate walked these very bytes */
            recerr_add(&pv->errs, pv->next_index, "malformed record");
            return SL_KERR_NONE;
        }
        int32_t idx = pv->next_index++;
        for (int side = SL_VAL_KEY; side <= SL_VAL_VALUE; side++) {
            const sl_val_side_cfg_t *sc = &pv->cfg->side[side];
            if (!sc->on) continue;
            /* Null keys and tombstones pass, as in Confluent Server. */
            if ((side == SL_VAL_KEY ? rec.key_len : rec.value_len) < 0) continue;
            sl_val_record_t vr = {
                .topic = t->name,
                .partition = pv->partition,
                .index = idx,
                .side = (sl_val_side_t)side,
                .strategy = sc->strategy,
                .mode = sc->mode,
                .key = rec.key,
                .key_len = rec.key_len,
                .value = rec.value,
                .value_len = rec.value_len,
                .memo = &pv->memo[side],
            };
            char reason[256];
            reason[0] = 0;
            rc = b->validate_fn(b->validate_opaque, &vr, reason, sizeof reason);
            if (rc == SL_OK) continue;
            if (rc == SL_AGAIN) {
                snprintf(why, whylen, "%s",
                         reason[0] ? reason : "the record validator is not ready yet; retry");
                return SL_KERR_REQUEST_TIMED_OUT;
            }
            recerr_add(&pv->errs, idx, reason[0] ? reason : "rejected by the record validator");
            break; /* one reason per record is enough */
        }
    }
    return SL_KERR_NONE;
}

/* Validate the batches of one partition; returns a Kafka error and, on error, the index of
 * the offending batch (-1 when records, not a batch, are at fault) and a reason. pv is NULL
 * for topics without schema validation. */
static int16_t check_batches(sl_broker_t *b, const sl_topic_t *t, const uint8_t *p, size_t len,
                             sl_pval_t *pv, int32_t *bad_batch, char *why, size_t whylen)
{
    size_t off = 0;
    int32_t idx = 0;
    if (len == 0) {
        snprintf(why, whylen, "the request holds no record batch");
        return SL_KERR_CORRUPT_MESSAGE;
    }
    size_t max_unc =
        (size_t)(t->max_message_bytes > (64 << 20) / 16 ? t->max_message_bytes * 16 : (64 << 20));
    for (; off < len; idx++) {
        *bad_batch = idx;
        size_t left = len - off;
        /* The magic byte comes first: an old-format message set is shorter than a v2 header. */
        int8_t magic = left > SL_RB_OFF_MAGIC ? (int8_t)p[off + SL_RB_OFF_MAGIC] : 2;
        if (magic != 2) {
            snprintf(why, whylen,
                     "batch %d uses message format v%d; Sluice stores RecordBatch v2 (magic 2) "
                     "only, as sent by Kafka 0.11+ clients",
                     idx, magic);
            return SL_KERR_UNSUPPORTED_FOR_MESSAGE_FORMAT;
        }
        if (left < SL_RB_HEADER_SIZE) {
            snprintf(why, whylen, "batch %d is truncated: %zu bytes, a header needs %d", idx, left,
                     SL_RB_HEADER_SIZE);
            return SL_KERR_CORRUPT_MESSAGE;
        }
        sl_rb_hdr_t h;
        int rc = sl_rb_hdr_parse(p + off, left, &h);
        if (rc == SL_TRUNC) {
            snprintf(why, whylen, "batch %d claims %u bytes but only %zu remain", idx,
                     12 + (unsigned)sl_be32(p + off + SL_RB_OFF_LENGTH), left);
            return SL_KERR_CORRUPT_MESSAGE;
        }
        if (rc != SL_OK) {
            snprintf(why, whylen, "batch %d has a malformed header", idx);
            return SL_KERR_CORRUPT_MESSAGE;
        }
        size_t size = sl_rb_size(&h);
        if ((int64_t)size > t->max_message_bytes) {
            snprintf(why, whylen,
                     "batch %d is %zu bytes, larger than max.message.bytes=%lld of topic %s", idx,
                     size, (long long)t->max_message_bytes, t->name);
            return SL_KERR_MESSAGE_TOO_LARGE;
        }
        if ((int64_t)size > t->logcfg.segment_bytes) {
            snprintf(why, whylen, "batch %d is %zu bytes, larger than segment.bytes=%lld", idx,
                     size, (long long)t->logcfg.segment_bytes);
            return SL_KERR_RECORD_LIST_TOO_LARGE;
        }
        if (h.attributes & (SL_RB_ATTR_TRANSACTIONAL | SL_RB_ATTR_CONTROL)) {
            snprintf(why, whylen, "batch %d is transactional; transactions are not supported yet",
                     idx);
            return SL_KERR_INVALID_RECORD;
        }
        if (h.producer_id >= 0) {
            snprintf(why, whylen,
                     "batch %d carries producer id %lld; idempotent producers are not supported "
                     "yet (set enable.idempotence=false)",
                     idx, (long long)h.producer_id);
            return SL_KERR_INVALID_RECORD;
        }
        const char *reason = NULL;
        rc = sl_rb_validate(p + off, size, &b->scratch, max_unc, &reason);
        if (rc == SL_CRC) {
            snprintf(why, whylen, "batch %d failed its CRC-32C check", idx);
            return SL_KERR_CORRUPT_MESSAGE;
        }
        if (rc == SL_UNSUPP) {
            snprintf(why, whylen, "batch %d: %s", idx, reason ? reason : "unsupported codec");
            return SL_KERR_UNSUPPORTED_COMPRESSION_TYPE;
        }
        if (rc != SL_OK) {
            snprintf(why, whylen, "batch %d: %s", idx, reason ? reason : "malformed records");
            return SL_KERR_CORRUPT_MESSAGE;
        }
        if (pv) {
            int16_t e = validate_records(b, t, pv, p + off, size, &h, why, whylen);
            if (e != SL_KERR_NONE) {
                *bad_batch = -1; /* not the batch's fault */
                return e;
            }
        }
        off += size;
    }
    /* Keep the scratch from growing without bound after one huge batch. */
    if (b->scratch.cap > (8u << 20)) sl_buf_free(&b->scratch);
    if (pv && pv->errs.rejected > 0) {
        *bad_batch = -1;
        if (pv->errs.rejected == 1)
            snprintf(why, whylen, "%s", pv->errs.v[0].msg);
        else
            snprintf(why, whylen, "%s (%d of %d records rejected)", pv->errs.v[0].msg,
                     pv->errs.rejected, pv->next_index);
        return SL_KERR_INVALID_RECORD;
    }
    return SL_KERR_NONE;
}

static void write_partition(sl_kw_t *w, int16_t v, int32_t index, int16_t err, int64_t base,
                            int64_t log_start, int32_t bad_batch, const char *why,
                            const sl_recerrs_t *re)
{
    sl_kw_i32(w, index);
    sl_kw_i16(w, err);
    sl_kw_i64(w, base);
    if (v >= 2) sl_kw_i64(w, -1); /* log_append_time_ms: CreateTime topics */
    if (v >= 5) sl_kw_i64(w, log_start);
    if (v >= 8) {
        if (err == SL_KERR_INVALID_RECORD && re && re->n > 0) {
            sl_kw_array(w, re->n);
            for (int i = 0; i < re->n; i++) {
                sl_kw_i32(w, re->v[i].index);
                sl_kw_cstr(w, re->v[i].msg);
                sl_kw_tags(w);
            }
        } else if (err != SL_KERR_NONE && bad_batch >= 0) {
            sl_kw_array(w, 1);
            sl_kw_i32(w, bad_batch);
            sl_kw_cstr(w, why);
            sl_kw_tags(w);
        } else {
            sl_kw_array(w, 0);
        }
        sl_kw_cstr(w, err != SL_KERR_NONE ? why : NULL);
    }
    sl_kw_tags(w);
}

static void free_topics(sl_ptopic_t *topics, int32_t n)
{
    for (int32_t i = 0; i < n; i++)
        free(topics[i].parts);
    free(topics);
}

int sl_kapi_produce(sl_req_t *req)
{
    sl_broker_t *b = req->broker;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    sl_kstr_t txn;
    int16_t acks;
    int32_t timeout_ms, ntopics;
    sl_ptopic_t *topics = NULL;
    int32_t parsed;

    /* Pass 1: parse everything. */
    txn.p = NULL;
    txn.len = -1;
    if (v >= 3) SL_KR(sl_kr_nstr(r, &txn));
    SL_KR(sl_kr_i16(r, &acks));
    SL_KR(sl_kr_i32(r, &timeout_ms));
    SL_KR(sl_kr_array(r, &ntopics));
    if (ntopics < 0) goto err_parse;
    topics = calloc((size_t)ntopics + 1, sizeof *topics);
    if (!topics) abort();
    for (parsed = 0; parsed < ntopics; parsed++) {
        sl_ptopic_t *t = &topics[parsed];
        SL_KR(sl_kr_str(r, &t->name));
        SL_KR(sl_kr_array(r, &t->nparts));
        if (t->nparts < 0) goto err_parse;
        t->parts = calloc((size_t)t->nparts + 1, sizeof *t->parts);
        if (!t->parts) abort();
        for (int32_t j = 0; j < t->nparts; j++) {
            const uint8_t *rec;
            SL_KR(sl_kr_i32(r, &t->parts[j].index));
            SL_KR(sl_kr_nbytes(r, &rec, &t->parts[j].len));
            /* The frame is ours and mutable: the log rewrites offsets in place. */
            t->parts[j].records = (uint8_t *)rec;
            SL_KR(sl_kr_tags(r));
        }
        SL_KR(sl_kr_tags(r));
    }
    SL_KR(sl_kr_tags(r));
    if (sl_rd_left(&r->rd) != 0) goto err_parse;

    /* Pass 2: validate, append, answer. */
    int16_t req_err = SL_KERR_NONE;
    char req_why[256] = "";
    if (acks != 0 && acks != 1 && acks != -1) {
        req_err = SL_KERR_INVALID_REQUIRED_ACKS;
        snprintf(req_why, sizeof req_why, "acks=%d is not one of 0, 1, -1 (all)", acks);
    } else if (txn.len >= 0) {
        req_err = SL_KERR_INVALID_REQUEST;
        snprintf(req_why, sizeof req_why, "transactional produce is not supported yet");
    }
    sl_durable_need_t *needs = NULL;
    int nneeds = 0, capneeds = 0;
    sl_kw_array(w, ntopics);
    for (int32_t i = 0; i < ntopics; i++) {
        sl_ptopic_t *pt = &topics[i];
        sl_topic_t *t = sl_catalog_find(b->catalog, pt->name.p, (size_t)pt->name.len);
        sl_kw_kstr(w, pt->name);
        sl_kw_array(w, pt->nparts);
        for (int32_t j = 0; j < pt->nparts; j++) {
            sl_ppart_t *pp = &pt->parts[j];
            int16_t err = req_err;
            char why[400];
            snprintf(why, sizeof why, "%s", req_why);
            int32_t bad_batch = -1;
            int64_t base = -1, last = -1, log_start = -1;
            sl_plog_t *pl = NULL;
            sl_val_cfg_t vcfg;
            sl_pval_t pval;
            memset(&pval.errs, 0, sizeof pval.errs);
            if (err == SL_KERR_NONE) {
                if (!t || pp->index < 0 || pp->index >= t->npart) {
                    err = SL_KERR_UNKNOWN_TOPIC_OR_PARTITION;
                    snprintf(why, sizeof why, "topic-partition %.*s-%d does not exist",
                             (int)pt->name.len, pt->name.p, pp->index);
                } else if (t->internal) {
                    /* Only the broker writes its internal topics (__consumer_offsets). */
                    err = SL_KERR_INVALID_TOPIC_EXCEPTION;
                    snprintf(why, sizeof why, "Cannot append to internal topic %s", t->name);
                } else if (pp->len < 0) {
                    err = SL_KERR_CORRUPT_MESSAGE;
                    snprintf(why, sizeof why, "records are null");
                } else if (sl_tcfg_validation(&t->overrides, &vcfg) && !b->validate_fn) {
                    /* Never let unvalidated data in silently. */
                    err = SL_KERR_INVALID_RECORD;
                    snprintf(why, sizeof why,
                             "topic %s has confluent.%s.schema.validation=true but no schema "
                             "registry runs in this server (started with --no-registry, or "
                             "shutting down), so its records cannot be validated and are "
                             "refused",
                             t->name, vcfg.side[SL_VAL_VALUE].on ? "value" : "key");
                } else {
                    sl_pval_t *pv = NULL;
                    if (vcfg.side[SL_VAL_KEY].on || vcfg.side[SL_VAL_VALUE].on) {
                        pval.cfg = &vcfg;
                        pval.partition = pp->index;
                        pval.next_index = 0;
                        memset(pval.memo, 0, sizeof pval.memo);
                        pv = &pval;
                    }
                    pl = t->parts[pp->index];
                    err = check_batches(b, t, pp->records, (size_t)pp->len, pv, &bad_batch, why,
                                        sizeof why);
                }
            }
            if (err == SL_KERR_NONE) {
                int rc = sl_plog_append(pl, pp->records, (size_t)pp->len, &base, &last);
                if (rc != SL_OK) {
                    err = SL_KERR_KAFKA_STORAGE_ERROR;
                    snprintf(why, sizeof why, "append to %s-%d failed: %s", t->name, pp->index,
                             sl_err_msg(rc));
                    SL_ERROR("produce", "%s", why);
                    base = -1;
                } else if (acks == -1 && sl_plog_hw(pl) <= last) {
                    if (nneeds == capneeds) {
                        capneeds = capneeds ? capneeds * 2 : 4;
                        needs = realloc(needs, (size_t)capneeds * sizeof *needs);
                        if (!needs) abort();
                    }
                    memcpy(needs[nneeds].topic_id, t->id, 16);
                    needs[nneeds].partition = pp->index;
                    needs[nneeds].hw = last + 1;
                    nneeds++;
                }
                log_start = sl_plog_start_offset(pl);
            } else {
                SL_INFO("produce", "rejected produce to %.*s-%d from %s: %s: %s", (int)pt->name.len,
                        pt->name.p, pp->index, req->client_id ? req->client_id : "?",
                        sl_kerr_name(err), why);
                /* Every rejected record's reason, beyond the first that `why` carries. */
                for (int k = 1; err == SL_KERR_INVALID_RECORD && k < pval.errs.n; k++)
                    SL_INFO("produce", "rejected produce to %s-%d: %s", t->name, pp->index,
                            pval.errs.v[k].msg);
            }
            write_partition(w, v, pp->index, err, base, log_start, bad_batch, why, &pval.errs);
            free(pval.errs.v);
        }
        sl_kw_tags(w);
    }
    if (v >= 1) sl_kw_i32(w, 0); /* throttle_time_ms */
    sl_kw_tags(w);
    free_topics(topics, ntopics);
    /* With a relaxed flush policy the high watermark moved already. */
    sl_broker_fetch_wakeup(b);
    if (acks == 0) {
        req->no_response = 1;
        free(needs);
        return SL_OK;
    }
    return sl_broker_wait_durable(req, needs, nneeds);
err_parse:
    if (topics) free_topics(topics, ntopics + 1); /* calloc'd with a spare, empty entry */
    return SL_PROTO;
}
