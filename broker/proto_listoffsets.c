/*
 * proto_listoffsets.c — ListOffsets (ApiKey 2), versions 0-7, flexible from 6.
 *
 * Request:  replica_id, isolation_level (v2+),
 *           topics [name, partitions [partition_index, current_leader_epoch (v4+),
 *                   timestamp, max_num_offsets (v0 only)]]
 * Response: throttle_time_ms (v2+),
 *           topics [name, partitions [partition_index, error_code,
 *                   old_style_offsets [i64] (v0 only), timestamp (v1+), offset (v1+),
 *                   leader_epoch (v4+)]]
 *
 * Special timestamps: -1 latest (the high watermark), -2 earliest (log start offset),
 * -3 the record with the largest timestamp (v7, KIP-734). Otherwise: the first offset whose
 * timestamp is at least the one asked (-1/-1 if none).
 */
#include "broker/broker_int.h"
#include "common/err.h"

int sl_kapi_list_offsets(sl_req_t *req)
{
    sl_broker_t *b = req->broker;
    sl_kr_t *r = &req->r;
    sl_kw_t *w = &req->w;
    int16_t v = req->api_version;
    int32_t replica_id, ntopics;
    int8_t isolation = 0;
    SL_KR(sl_kr_i32(r, &replica_id));
    if (v >= 2) SL_KR(sl_kr_i8(r, &isolation));
    SL_KR(sl_kr_array(r, &ntopics));
    if (ntopics < 0) ntopics = 0;
    if (v >= 2) sl_kw_i32(w, 0);
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
            int32_t part, leader_epoch = -1, max_num = 1;
            int64_t ts;
            SL_KR(sl_kr_i32(r, &part));
            if (v >= 4) SL_KR(sl_kr_i32(r, &leader_epoch));
            SL_KR(sl_kr_i64(r, &ts));
            if (v == 0) SL_KR(sl_kr_i32(r, &max_num));
            SL_KR(sl_kr_tags(r));
            int16_t err = SL_KERR_NONE;
            int64_t off = -1, found_ts = -1;
            int32_t epoch = -1;
            if (!t || part < 0 || part >= t->npart) {
                err = SL_KERR_UNKNOWN_TOPIC_OR_PARTITION;
            } else {
                sl_plog_t *pl = t->parts[part];
                epoch = sl_plog_leader_epoch(pl);
                if (leader_epoch >= 0 && leader_epoch > epoch)
                    err = SL_KERR_UNKNOWN_LEADER_EPOCH;
                else if (leader_epoch >= 0 && leader_epoch < epoch)
                    err = SL_KERR_FENCED_LEADER_EPOCH;
                else if (ts == -1)
                    off = sl_plog_hw(pl);
                else if (ts == -2)
                    off = sl_plog_start_offset(pl);
                else if (ts == -3 && v >= 7) {
                    if (sl_plog_max_timestamp(pl, &off, &found_ts) != SL_OK) off = found_ts = -1;
                } else if (ts < 0) {
                    err = SL_KERR_INVALID_REQUEST;
                } else if (sl_plog_offset_for_time(pl, ts, &off, &found_ts) != SL_OK ||
                           off >= sl_plog_hw(pl)) {
                    off = found_ts = -1;
                }
            }
            sl_kw_i32(w, part);
            sl_kw_i16(w, err);
            if (v == 0) {
                /* Old style: a list of offsets; Sluice gives the one that answers. */
                if (err == SL_KERR_NONE && off >= 0 && max_num > 0) {
                    sl_kw_array(w, 1);
                    sl_kw_i64(w, off);
                } else {
                    sl_kw_array(w, 0);
                }
            } else {
                sl_kw_i64(w, found_ts);
                sl_kw_i64(w, off);
                if (v >= 4) sl_kw_i32(w, epoch);
            }
            sl_kw_tags(w);
        }
        SL_KR(sl_kr_tags(r));
    }
    SL_KR(sl_kr_tags(r));
    sl_kw_tags(w);
    return SL_OK;
err_parse:
    return SL_PROTO;
}
