/*
 * log_clean.c — retention (cleanup.policy=delete) and compaction (cleanup.policy=compact).
 *
 * Retention deletes whole segments from the oldest, never the active one: while the oldest's
 * largest timestamp is older than now - retention.ms, and while the partition minus the oldest
 * segment is still at least retention.bytes. The log start offset follows and is persisted.
 *
 * Compaction, one pass:
 *  1. Cleanable segments: the closed ones, from the oldest, while their largest timestamp is at
 *     least min.compaction.lag.ms old.
 *  2. Key map over the WHOLE log (active segment included): key -> offset of its latest record.
 *     The table is open addressing on a 64-bit hash; full key bytes are kept in an arena and
 *     compared on every hit, so a hash collision can never drop a live record. Memory is
 *     proportional to the distinct keys of one partition; fine for Sluice's scale (a bounded,
 *     hash-only map like Kafka's would be the next step for huge compacted topics).
 *  3. Each cleanable segment is rewritten keeping a record iff it has no key, or it is the
 *     latest for its key and is not a tombstone older than delete.retention.ms (measured from
 *     the segment's largest timestamp). A batch whose records all survive is copied byte for
 *     byte; a partly kept batch is re-encoded with sl_rb_writer in the source batch's codec and
 *     timestamp type, keeping its offsets (gaps are normal) and leader epoch; an emptied batch
 *     disappears. Control batches are kept as they are.
 *  4. Swap: write <base>.log.cleaned, fdatasync, unlink the old indexes (so a crash in the
 *     middle leaves "indexes missing", which open rebuilds), rename over <base>.log, fsync the
 *     directory, write fresh indexes. A segment left empty is deleted unless it is the first
 *     (which anchors the log start offset). Readers holding the old segment keep its fd.
 *
 * A pass runs when a segment was closed since the last pass, or when a retained tombstone may
 * have expired. Kafka would also merge small neighbouring segments; Sluice does not (yet).
 * @locality loop thread
 */
#include "broker/log_int.h"
#include "common/err.h"
#include "common/log.h"
#include "common/recbatch.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SL_CLEAN_MAX_UNCOMPRESSED ((size_t)1 << 30)

/* ---- retention ------------------------------------------------------------------------ */

int sl_plog_retention(sl_plog_t *pl, int64_t now_ms)
{
    int n = 0;
    int64_t freed = 0;
    if (pl->cfg.retention_ms >= 0) {
        while (pl->nsegs > 1 && sl_seg_largest_ts(pl->segs[0]) < now_ms - pl->cfg.retention_ms) {
            freed += pl->segs[0]->size;
            sl_plog_drop_seg(pl, 0, 1);
            n++;
        }
    }
    if (pl->cfg.retention_bytes >= 0) {
        int64_t diff = pl->size_bytes - pl->cfg.retention_bytes;
        while (pl->nsegs > 1 && diff - pl->segs[0]->size >= 0) {
            diff -= pl->segs[0]->size;
            freed += pl->segs[0]->size;
            sl_plog_drop_seg(pl, 0, 1);
            n++;
        }
    }
    if (n == 0) return 0;
    if (pl->start < pl->segs[0]->base) pl->start = pl->segs[0]->base;
    if (pl->hw < pl->start) pl->hw = pl->start; /* cannot happen: retention spares the active */
    SL_INFO("log",
            "%s: retention deleted %d segment(s), %" PRId64 " bytes; log start offset %" PRId64,
            pl->name, n, freed, pl->start);
    sl_plog_write_meta(pl);
    return n;
}

/* ---- key map -------------------------------------------------------------------------- */

typedef struct kent_s {
    uint64_t hash;    /* 0 = empty slot (real hashes are forced non-zero) */
    int64_t offset;   /* latest offset of the key */
    size_t key_off;   /* where the key bytes are in the arena */
    uint32_t key_len; /* bytes */
} kent_t;

typedef struct kmap_s {
    kent_t *t;     /* open-addressing table, owned */
    size_t cap, n; /* slots (power of two) / used */
    sl_buf_t keys; /* arena of key bytes */
} kmap_t;

/* 64-bit hash: FNV-1a over 8-byte words, then a murmur3 finalizer for the high bits. */
static uint64_t key_hash(const uint8_t *k, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, k + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ k[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h ? h : 1;
}

static kent_t *kmap_slot(kmap_t *m, const uint8_t *k, uint32_t n, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        kent_t *e = &m->t[i];
        if (e->hash == 0) return e;
        if (e->hash == h && e->key_len == n && memcmp(m->keys.data + e->key_off, k, n) == 0)
            return e;
    }
}

static void kmap_grow(kmap_t *m)
{
    size_t ocap = m->cap;
    kent_t *old = m->t;
    m->cap = ocap ? ocap * 2 : 1024;
    m->t = calloc(m->cap, sizeof *m->t);
    if (!m->t) abort();
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].hash) continue;
        size_t mask = m->cap - 1, j = (size_t)old[i].hash & mask;
        while (m->t[j].hash)
            j = (j + 1) & mask;
        m->t[j] = old[i];
    }
    free(old);
}

static void kmap_put(kmap_t *m, const uint8_t *k, uint32_t n, int64_t offset)
{
    if ((m->n + 1) * 2 > m->cap) kmap_grow(m);
    uint64_t h = key_hash(k, n);
    kent_t *e = kmap_slot(m, k, n, h);
    if (!e->hash) {
        e->hash = h;
        e->key_off = m->keys.len;
        e->key_len = n;
        sl_buf_put(&m->keys, k, n);
        m->n++;
    }
    e->offset = offset;
}

static int64_t kmap_get(kmap_t *m, const uint8_t *k, uint32_t n)
{
    if (!m->cap) return -1;
    kent_t *e = kmap_slot(m, k, n, key_hash(k, n));
    return e->hash ? e->offset : -1;
}

static void kmap_free(kmap_t *m)
{
    free(m->t);
    sl_buf_free(&m->keys);
}

/* Add every keyed record of segment s to the map. */
static int map_segment(sl_plog_t *pl, sl_seg_t *s, kmap_t *m)
{
    sl_bhdr_t b;
    int64_t pos = 0;
    int rc;
    while ((rc = sl_plog_peek(pl, s, pos, s->size, &b)) == SL_OK) {
        if (!(b.attrs & SL_RB_ATTR_CONTROL)) {
            if (sl_plog_read_batch(pl, s, pos, &b) != SL_OK) return SL_IO;
            sl_rb_iter_t it;
            sl_rb_rec_t r;
            rc = sl_rb_iter_init(&it, pl->batchbuf.data, pl->batchbuf.len, &pl->scratch,
                                 SL_CLEAN_MAX_UNCOMPRESSED);
            if (rc != SL_OK) return rc;
            while ((rc = sl_rb_iter_next(&it, &r)) == SL_OK)
                if (r.key) kmap_put(m, r.key, (uint32_t)r.key_len, r.offset);
            if (rc != SL_EOF) return rc;
        }
        pos += b.size;
    }
    return rc == SL_EOF ? SL_OK : rc;
}

/* ---- rewriting one segment ------------------------------------------------------------ */

typedef struct rw_s {
    int fd;        /* the .cleaned file */
    sl_buf_t out;  /* pending output bytes */
    int64_t pos;   /* file position of out.data[0] */
    sl_seg_t *ns;  /* the new segment being indexed */
    int kept_tomb; /* a tombstone survived because it is too young */
} rw_t;

static int rw_flush(rw_t *w)
{
    size_t done = 0;
    while (done < w->out.len) {
        ssize_t n = pwrite(w->fd, w->out.data + done, w->out.len - done, w->pos + (off_t)done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return SL_IO;
        done += (size_t)n;
    }
    w->pos += (int64_t)w->out.len;
    sl_buf_reset(&w->out);
    return SL_OK;
}

/* Account the batch just appended at out[at..] in the new segment's indexes. */
static void rw_index(sl_plog_t *pl, rw_t *w, size_t at)
{
    const uint8_t *p = w->out.data + at;
    int64_t base = (int64_t)sl_be64(p + SL_RB_OFF_BASE_OFFSET);
    int64_t size = 12 + (int64_t)sl_be32(p + SL_RB_OFF_LENGTH);
    int64_t last = base + (int32_t)sl_be32(p + SL_RB_OFF_LAST_OFFSET_DELTA);
    sl_seg_index_batch(w->ns, pl->cfg.index_interval_bytes, w->pos + (int64_t)at, last, size,
                       (int64_t)sl_be64(p + SL_RB_OFF_MAX_TIMESTAMP));
    w->ns->size += size;
    w->ns->next_off = last + 1;
}

/* Filter one batch (in pl->batchbuf) into w. *changed is set if anything was dropped. */
static int clean_batch(sl_plog_t *pl, rw_t *w, kmap_t *m, int drop_tombs, int *changed)
{
    const uint8_t *batch = pl->batchbuf.data;
    size_t size = pl->batchbuf.len;
    sl_rb_iter_t it;
    sl_rb_rec_t r;
    int rc = sl_rb_iter_init(&it, batch, size, &pl->scratch, SL_CLEAN_MAX_UNCOMPRESSED);
    if (rc != SL_OK) return rc;
    if (it.hdr.attributes & SL_RB_ATTR_CONTROL) {
        size_t at = w->out.len;
        sl_buf_put(&w->out, batch, size);
        rw_index(pl, w, at);
        return SL_OK;
    }
    /* First pass: does every record survive? */
    int32_t kept = 0, total = 0;
    while ((rc = sl_rb_iter_next(&it, &r)) == SL_OK) {
        total++;
        int keep = !r.key || (kmap_get(m, r.key, (uint32_t)r.key_len) == r.offset &&
                              !(r.value == NULL && drop_tombs));
        if (keep && r.key && r.value == NULL) w->kept_tomb = 1;
        kept += keep;
    }
    if (rc != SL_EOF) return rc;
    if (kept == total) {
        size_t at = w->out.len;
        sl_buf_put(&w->out, batch, size);
        rw_index(pl, w, at);
        return SL_OK;
    }
    *changed = 1;
    if (kept == 0) return SL_OK;
    /* Re-encode the survivors. The records point into scratch (compressed batch) or batchbuf,
     * neither of which the writer touches. */
    rc = sl_rb_iter_init(&it, batch, size, &pl->scratch, SL_CLEAN_MAX_UNCOMPRESSED);
    if (rc != SL_OK) return rc;
    size_t at = w->out.len;
    sl_rb_writer_t wr;
    sl_rb_writer_init(&wr, &w->out, it.hdr.attributes & SL_RB_ATTR_CODEC_MASK,
                      (int16_t)(it.hdr.attributes & SL_RB_ATTR_LOG_APPEND_TIME));
    while (sl_rb_iter_next(&it, &r) == SL_OK) {
        int keep = !r.key || (kmap_get(m, r.key, (uint32_t)r.key_len) == r.offset &&
                              !(r.value == NULL && drop_tombs));
        if (keep)
            sl_rb_writer_add(&wr, r.offset, r.timestamp, r.key, r.key_len, r.value, r.value_len,
                             r.headers, r.headers_len, r.header_count);
    }
    rc = sl_rb_writer_finish(&wr);
    sl_rb_writer_free(&wr);
    if (rc != SL_OK) return rc;
    /* Outside the CRC: keep the epoch the batch was written in. */
    sl_wbe32(w->out.data + at + SL_RB_OFF_LEADER_EPOCH, (uint32_t)it.hdr.leader_epoch);
    rw_index(pl, w, at);
    return SL_OK;
}

/* Rewrite segs[i]. Returns 1 if it was replaced (or deleted), 0 if nothing changed. */
static int clean_segment(sl_plog_t *pl, size_t i, kmap_t *m, int64_t now_ms, int64_t *next_tomb)
{
    sl_seg_t *s = pl->segs[i];
    char tmp[4200], path[4200];
    sl_seg_path(pl, s->base, ".log.cleaned", tmp, sizeof tmp);
    sl_seg_path(pl, s->base, ".log", path, sizeof path);
    int64_t largest = sl_seg_largest_ts(s);
    int drop_tombs = largest < now_ms - pl->cfg.delete_retention_ms;
    rw_t w = {.fd = -1};
    sl_buf_init(&w.out);
    w.ns = sl_seg_new(s->base);
    int changed = 0, rc = SL_OK;
    w.fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w.fd < 0) {
        rc = SL_IO;
        goto out;
    }
    sl_bhdr_t b;
    int64_t pos = 0;
    while ((rc = sl_plog_peek(pl, s, pos, s->size, &b)) == SL_OK) {
        if ((rc = sl_plog_read_batch(pl, s, pos, &b)) != SL_OK) break;
        if ((rc = clean_batch(pl, &w, m, drop_tombs, &changed)) != SL_OK) break;
        if (w.out.len >= (1u << 20) && (rc = rw_flush(&w)) != SL_OK) break;
        pos += b.size;
    }
    if (rc == SL_EOF) rc = SL_OK;
    if (rc == SL_OK) rc = rw_flush(&w);
    if (rc == SL_OK && w.kept_tomb) {
        int64_t t = largest + pl->cfg.delete_retention_ms + 1;
        if (t < *next_tomb) *next_tomb = t;
    }
    if (rc != SL_OK || !changed) goto out;
    if (fdatasync(w.fd) != 0) {
        rc = SL_IO;
        goto out;
    }
    /* Swap. Indexes go first so that a crash before the rename reads as "indexes missing". */
    sl_seg_path(pl, s->base, ".index", path, sizeof path);
    unlink(path);
    sl_seg_path(pl, s->base, ".timeindex", path, sizeof path);
    unlink(path);
    sl_seg_path(pl, s->base, ".log", path, sizeof path);
    if (rename(tmp, path) != 0 || fsync(pl->dirfd) != 0) {
        rc = SL_IO;
        goto out;
    }
    sl_seg_t *ns = w.ns;
    w.ns = NULL;
    ns->fd = w.fd;
    w.fd = -1;
    ns->mtime_ms = s->mtime_ms;
    ns->created_ms = s->created_ms;
    sl_seg_index_final(ns);
    int64_t before = s->size;
    sl_seg_write_index_files(pl, ns); /* a failure only costs a rebuild at the next open */
    pl->size_bytes += ns->size - s->size;
    pl->segs[i] = ns;
    if (pl->win_seg == s) pl->win_seg = NULL;
    sl_seg_release(s);
    SL_DEBUG("log", "%s: compacted segment %020" PRId64 ": %" PRId64 " -> %" PRId64 " bytes",
             pl->name, ns->base, before, ns->size);
    if (ns->size == 0 && i > 0) sl_plog_drop_seg(pl, i, 1);
    sl_buf_free(&w.out);
    return 1;
out:
    if (rc != SL_OK)
        SL_ERROR("log", "%s: compaction of segment %" PRId64 " failed: %s (%s)", pl->name, s->base,
                 sl_err_msg(rc), strerror(errno));
    if (w.fd >= 0) {
        close(w.fd);
        unlink(tmp);
    }
    if (w.ns) sl_seg_release(w.ns);
    sl_buf_free(&w.out);
    return rc != SL_OK ? rc : 0;
}

int sl_plog_compact(sl_plog_t *pl, int64_t now_ms)
{
    if (!pl->clean_dirty && now_ms < pl->next_tomb_ms) return 0;
    size_t ncl = 0;
    while (ncl + 1 < pl->nsegs &&
           sl_seg_largest_ts(pl->segs[ncl]) <= now_ms - pl->cfg.min_compaction_lag_ms)
        ncl++;
    if (ncl == 0) return 0;
    kmap_t m;
    memset(&m, 0, sizeof m);
    sl_buf_init(&m.keys);
    int rc = SL_OK;
    for (size_t i = 0; i < pl->nsegs && rc == SL_OK; i++)
        rc = map_segment(pl, pl->segs[i], &m);
    if (rc != SL_OK) {
        SL_ERROR("log", "%s: compaction skipped: cannot read the log (%s)", pl->name,
                 sl_err_msg(rc));
        kmap_free(&m);
        return 0;
    }
    int64_t before = pl->size_bytes, next_tomb = INT64_MAX;
    int n = 0;
    /* Walk backwards so that deleting an emptied segment does not shift the ones to come. */
    for (size_t i = ncl; i-- > 0;) {
        int r = clean_segment(pl, i, &m, now_ms, &next_tomb);
        if (r > 0) n++;
    }
    pl->clean_dirty = 0;
    pl->next_tomb_ms = next_tomb;
    if (n)
        SL_INFO("log",
                "%s: compaction rewrote %d of %zu segment(s), %zu distinct keys, %" PRId64
                " -> %" PRId64 " bytes",
                pl->name, n, ncl, m.n, before, pl->size_bytes);
    kmap_free(&m);
    return n;
}
