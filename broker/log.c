/*
 * log.c — partition logs: open with recovery, append, read (slices for sendfile), time lookups,
 * DeleteRecords, housekeeping. Segment files are handled in log_segment.c, retention and
 * compaction in log_clean.c, group commit in flusher.c (see log_int.h for the map).
 *
 * partition.meta (text, replaced atomically through partition.meta.tmp + rename):
 *
 *   # Sluice partition metadata
 *   version=1
 *   leader.epoch=0
 *   log.start.offset=0
 *
 * Invariants: segs[] is sorted by base offset and never empty; segs[nsegs-1] is the active
 * segment, the only one that grows; start <= hw <= end; start >= segs[0]->base.
 *
 * Append path (hot): per batch only the 61-byte header is touched (offset and leader epoch are
 * rewritten, the index rule applied); then one pwrite(2) for the whole request. No allocation
 * in the steady state: index arrays and the dirty-segment vector grow geometrically and stay.
 *
 * @locality loop thread
 */
#include "broker/log_int.h"
#include "common/err.h"
#include "common/log.h"
#include "common/recbatch.h"
#include "common/time.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SL_LOG_WIN_SIZE (32 * 1024)

void sl_logcfg_default(sl_logcfg_t *cfg)
{
    cfg->segment_bytes = 1073741824; /* 1 GiB */
    cfg->segment_ms = 604800000;     /* 7 days */
    cfg->retention_ms = 604800000;   /* 7 days */
    cfg->retention_bytes = -1;
    cfg->cleanup_delete = 1;
    cfg->cleanup_compact = 0;
    cfg->delete_retention_ms = 86400000; /* 1 day */
    cfg->min_compaction_lag_ms = 0;
    cfg->flush_messages = 1; /* Sluice: durable before the high watermark moves */
    cfg->flush_ms = INT64_MAX;
    cfg->index_interval_bytes = 4096;
    cfg->file_delete_delay_ms = 60000;
}

/* ---- small helpers -------------------------------------------------------------------- */

void sl_segvec_push(sl_segvec_t *v, sl_seg_t *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i] == s) return;
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 4;
        v->v = realloc(v->v, v->cap * sizeof *v->v);
        if (!v->v) abort();
    }
    sl_seg_keep(s);
    v->v[v->n++] = s;
}

void sl_segvec_release_all(sl_segvec_t *v)
{
    for (size_t i = 0; i < v->n; i++)
        sl_seg_release(v->v[i]);
    v->n = 0;
}

static void segs_push(sl_plog_t *pl, sl_seg_t *s)
{
    if (pl->nsegs == pl->capsegs) {
        pl->capsegs = pl->capsegs ? pl->capsegs * 2 : 8;
        pl->segs = realloc(pl->segs, pl->capsegs * sizeof *pl->segs);
        if (!pl->segs) abort();
    }
    pl->segs[pl->nsegs++] = s;
    pl->size_bytes += s->size;
}

void sl_plog_drop_seg(sl_plog_t *pl, size_t i, int unlink_files)
{
    sl_seg_t *s = pl->segs[i];
    if (unlink_files) sl_seg_unlink(pl, s);
    pl->size_bytes -= s->size;
    memmove(pl->segs + i, pl->segs + i + 1, (pl->nsegs - i - 1) * sizeof *pl->segs);
    pl->nsegs--;
    if (pl->win_seg == s) pl->win_seg = NULL;
    sl_seg_release(s);
}

static int fsync_dir(sl_plog_t *pl)
{
    if (fsync(pl->dirfd) != 0) {
        SL_ERROR("log", "%s: cannot sync directory: %s", pl->name, strerror(errno));
        return SL_IO;
    }
    return SL_OK;
}

int sl_plog_write_meta(sl_plog_t *pl)
{
    char path[4200], tmp[4200], text[256];
    snprintf(path, sizeof path, "%s/partition.meta", pl->dir);
    snprintf(tmp, sizeof tmp, "%s/partition.meta.tmp", pl->dir);
    int n = snprintf(text, sizeof text,
                     "# Sluice partition metadata\nversion=1\nleader.epoch=%d\n"
                     "log.start.offset=%" PRId64 "\n",
                     pl->leader_epoch, pl->start);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, (size_t)n) != n || fdatasync(fd) != 0 || close(fd) != 0 ||
        rename(tmp, path) != 0) {
        SL_ERROR("log", "%s: cannot write %s: %s", pl->name, path, strerror(errno));
        if (fd >= 0) close(fd);
        return SL_IO;
    }
    return fsync_dir(pl);
}

/* Returns 1 if partition.meta existed. */
static int read_meta(sl_plog_t *pl)
{
    char path[4200], line[256];
    snprintf(path, sizeof path, "%s/partition.meta", pl->dir);
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    while (fgets(line, sizeof line, f)) {
        long long v;
        if (sscanf(line, "leader.epoch=%lld", &v) == 1)
            pl->leader_epoch = (int32_t)v;
        else if (sscanf(line, "log.start.offset=%lld", &v) == 1)
            pl->start = v;
    }
    fclose(f);
    return 1;
}

static int mkdirs(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Is name "<20 digits><ext>"? Sets *base. */
static int seg_name(const char *name, const char *ext, int64_t *base)
{
    size_t n = strlen(name), e = strlen(ext);
    if (n != 20 + e || strcmp(name + 20, ext) != 0) return 0;
    int64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9') return 0;
        if (v > (INT64_MAX - 9) / 10) return 0;
        v = v * 10 + (name[i] - '0');
    }
    *base = v;
    return 1;
}

/* Collect the base offsets of *.log files; remove leftovers of interrupted operations. */
static int list_segments(sl_plog_t *pl, int64_t **bases, size_t *n)
{
    DIR *d = opendir(pl->dir);
    if (!d) return SL_IO;
    size_t cap = 0;
    *bases = NULL;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int64_t base;
        const char *nm = e->d_name;
        size_t len = strlen(nm);
        if (seg_name(nm, ".log", &base)) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                *bases = realloc(*bases, cap * sizeof **bases);
                if (!*bases) abort();
            }
            (*bases)[(*n)++] = base;
        } else if ((len > 8 && strcmp(nm + len - 8, ".cleaned") == 0) ||
                   (len > 4 && strcmp(nm + len - 4, ".tmp") == 0) ||
                   (len > 8 && strcmp(nm + len - 8, ".deleted") == 0)) {
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", pl->dir, nm);
            SL_WARN("log", "%s: removing leftover %s of an interrupted operation", pl->name, nm);
            unlink(path);
        }
    }
    closedir(d);
    if (*n) qsort(*bases, *n, sizeof **bases, cmp_i64);
    return SL_OK;
}

static void plog_free(sl_plog_t *pl)
{
    for (size_t i = 0; i < pl->nsegs; i++)
        sl_seg_release(pl->segs[i]);
    free(pl->segs);
    sl_segvec_release_all(&pl->dirty);
    sl_segvec_release_all(&pl->fl_req);
    sl_segvec_release_all(&pl->fl_run);
    free(pl->dirty.v);
    free(pl->fl_req.v);
    free(pl->fl_run.v);
    if (pl->dirfd >= 0) close(pl->dirfd);
    free(pl->win);
    sl_buf_free(&pl->batchbuf);
    sl_buf_free(&pl->scratch);
    sl_buf_free(&pl->scanbuf);
    free(pl->dir);
    free(pl);
}

void sl_plog_unref(sl_plog_t *pl)
{
    if (--pl->refs == 0) plog_free(pl);
}

/* ---- open / close --------------------------------------------------------------------- */

int sl_plog_open(const char *dir, const sl_logcfg_t *cfg, sl_flusher_t *fl, sl_plog_t **out)
{
    if (mkdirs(dir) != 0) {
        SL_ERROR("log", "cannot create %s: %s", dir, strerror(errno));
        return SL_IO;
    }
    sl_plog_t *pl = calloc(1, sizeof *pl);
    if (!pl) abort();
    pl->refs = 1;
    pl->dir = strdup(dir);
    if (!pl->dir) abort();
    size_t dl = strlen(pl->dir);
    while (dl > 1 && pl->dir[dl - 1] == '/')
        pl->dir[--dl] = 0;
    const char *slash = strrchr(pl->dir, '/');
    pl->name = slash ? slash + 1 : pl->dir;
    pl->cfg = *cfg;
    pl->fl = fl;
    pl->next_tomb_ms = INT64_MAX;
    pl->last_sync_ms = sl_wallclock_ms();
    pl->win_cap = SL_LOG_WIN_SIZE;
    pl->win = malloc(pl->win_cap);
    if (!pl->win) abort();
    pl->dirfd = open(pl->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pl->dirfd < 0) {
        SL_ERROR("log", "cannot open directory %s: %s", dir, strerror(errno));
        plog_free(pl);
        return SL_IO;
    }
    int had_meta = read_meta(pl);
    int64_t meta_start = pl->start;
    int64_t *bases;
    size_t n;
    if (list_segments(pl, &bases, &n) != SL_OK) {
        SL_ERROR("log", "cannot list %s: %s", dir, strerror(errno));
        plog_free(pl);
        return SL_IO;
    }
    int rc = SL_OK;
    for (size_t i = 0; i < n && rc == SL_OK; i++) {
        sl_seg_t *s;
        rc =
            i + 1 < n ? sl_seg_open_closed(pl, bases[i], &s) : sl_seg_open_active(pl, bases[i], &s);
        if (rc == SL_OK) segs_push(pl, s);
    }
    if (rc == SL_OK && n == 0) {
        sl_seg_t *s;
        rc = sl_seg_create(pl, pl->start > 0 ? pl->start : 0, &s);
        if (rc == SL_OK) {
            segs_push(pl, s);
            rc = fsync_dir(pl);
        }
    }
    free(bases);
    if (rc != SL_OK) {
        plog_free(pl);
        return rc;
    }
    sl_seg_t *act = pl->segs[pl->nsegs - 1];
    pl->end = act->next_off;
    /* Segments wholly below the start offset: DeleteRecords moved it, the unlink was lost. */
    while (pl->nsegs > 1 && pl->segs[1]->base <= pl->start)
        sl_plog_drop_seg(pl, 0, 1);
    if (pl->start < pl->segs[0]->base) pl->start = pl->segs[0]->base;
    if (pl->start > pl->end) pl->start = pl->end;
    pl->hw = pl->end;
    pl->clean_dirty = pl->nsegs > 1;
    if (!had_meta || pl->start != meta_start) {
        rc = sl_plog_write_meta(pl);
        if (rc != SL_OK) {
            plog_free(pl);
            return rc;
        }
    }
    SL_DEBUG("log",
             "%s: opened, %zu segment(s), offsets %" PRId64 "..%" PRId64 ", %" PRId64 " bytes",
             pl->name, pl->nsegs, pl->start, pl->end, pl->size_bytes);
    *out = pl;
    return SL_OK;
}

/* fdatasync every dirty segment (and the directory) on this thread. */
static int sync_inline(sl_plog_t *pl)
{
    int rc = SL_OK;
    for (size_t i = 0; i < pl->dirty.n; i++) {
        if (fdatasync(pl->dirty.v[i]->fd) != 0) {
            SL_ERROR("log", "%s: fdatasync of segment %" PRId64 " failed: %s", pl->name,
                     pl->dirty.v[i]->base, strerror(errno));
            rc = SL_IO;
        }
    }
    sl_segvec_release_all(&pl->dirty);
    if (pl->dirty_dir) {
        if (fsync_dir(pl) != SL_OK) rc = SL_IO;
        pl->dirty_dir = 0;
    }
    return rc;
}

/* Ask for the dirty segments to become durable up to pl->end. */
static int request_sync(sl_plog_t *pl, int64_t now)
{
    pl->unsynced_msgs = 0;
    pl->last_sync_ms = now;
    if (pl->fl) {
        sl_flusher_submit(pl->fl, pl);
        return SL_OK;
    }
    return sync_inline(pl);
}

static void plog_shut(sl_plog_t *pl)
{
    sl_seg_t *act = pl->segs[pl->nsegs - 1];
    sl_seg_index_final(act);
    sl_seg_flush_index(pl, act);
    sl_segvec_push(&pl->dirty, act);
    sync_inline(pl);
    pl->closed = 1;
}

void sl_plog_close(sl_plog_t *pl)
{
    if (!pl) return;
    plog_shut(pl);
    SL_DEBUG("log", "%s: closed at offset %" PRId64, pl->name, pl->end);
    sl_plog_unref(pl);
}

int sl_plog_remove(sl_plog_t *pl)
{
    if (!pl) return SL_OK;
    pl->closed = 1;
    int rc = SL_OK;
    DIR *d = opendir(pl->dir);
    if (d) {
        struct dirent *e;
        char path[4200];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(path, sizeof path, "%s/%s", pl->dir, e->d_name);
            if (unlink(path) != 0) rc = SL_IO;
        }
        closedir(d);
    }
    if (rmdir(pl->dir) != 0) rc = SL_IO;
    if (rc != SL_OK)
        SL_ERROR("log", "%s: cannot remove %s completely: %s", pl->name, pl->dir, strerror(errno));
    else
        SL_INFO("log", "%s: removed", pl->name);
    sl_plog_unref(pl);
    return rc;
}

void sl_plog_set_config(sl_plog_t *pl, const sl_logcfg_t *cfg)
{
    if (cfg->cleanup_compact && !pl->cfg.cleanup_compact) pl->clean_dirty = 1;
    pl->cfg = *cfg;
}

const char *sl_plog_dir(const sl_plog_t *pl)
{
    return pl->dir;
}
int64_t sl_plog_start_offset(const sl_plog_t *pl)
{
    return pl->start;
}
int64_t sl_plog_end_offset(const sl_plog_t *pl)
{
    return pl->end;
}
int64_t sl_plog_hw(const sl_plog_t *pl)
{
    return pl->hw;
}
int32_t sl_plog_leader_epoch(const sl_plog_t *pl)
{
    return pl->leader_epoch;
}
int64_t sl_plog_size_bytes(const sl_plog_t *pl)
{
    return pl->size_bytes;
}

/* ---- append --------------------------------------------------------------------------- */

int sl_plog_roll(sl_plog_t *pl, int64_t now_ms)
{
    sl_seg_t *old = pl->segs[pl->nsegs - 1];
    /* Seal first: a closed segment is durable before its successor exists, so recovery only
     * ever has to distrust the last segment. */
    int rc = sl_seg_seal(pl, old);
    if (rc != SL_OK) return rc;
    sl_seg_t *s;
    rc = sl_seg_create(pl, pl->end, &s);
    if (rc != SL_OK) return rc;
    s->created_ms = now_ms;
    segs_push(pl, s);
    pl->dirty_dir = 1;
    pl->clean_dirty = 1;
    SL_INFO("log", "%s: rolled segment %020" PRId64 " (%" PRId64 " bytes); new segment at %" PRId64,
            pl->name, old->base, old->size, s->base);
    return SL_OK;
}

int sl_plog_append(sl_plog_t *pl, uint8_t *batches, size_t len, int64_t *base_offset,
                   int64_t *last_offset)
{
    if (pl->closed) return SL_CLOSED;
    if (len == 0 || len > UINT32_MAX) return SL_INVAL;
    /* Pass 1: how many offsets; the batches were validated, this only guards the walk. */
    int64_t count = 0;
    for (size_t off = 0; off < len;) {
        if (len - off < SL_RB_HEADER_SIZE) return SL_INVAL;
        uint32_t blen = sl_be32(batches + off + SL_RB_OFF_LENGTH);
        int32_t lod = (int32_t)sl_be32(batches + off + SL_RB_OFF_LAST_OFFSET_DELTA);
        if (blen < SL_RB_HEADER_SIZE - 12 || lod < 0 || 12 + (size_t)blen > len - off)
            return SL_INVAL;
        count += (int64_t)lod + 1;
        off += 12 + (size_t)blen;
    }
    int64_t now = sl_wallclock_ms();
    sl_seg_t *s = pl->segs[pl->nsegs - 1];
    if (s->size > 0 && (s->size + (int64_t)len > pl->cfg.segment_bytes ||
                        pl->end + count - 1 - s->base > (int64_t)UINT32_MAX ||
                        now - s->created_ms >= pl->cfg.segment_ms)) {
        int rc = sl_plog_roll(pl, now);
        if (rc != SL_OK) return rc;
        s = pl->segs[pl->nsegs - 1];
    }
    if (s->size == 0) s->created_ms = now;
    /* Pass 2: assign offsets, account for the indexes. */
    size_t save_nidx = s->nidx, save_ntidx = s->ntidx;
    int64_t save_bytes = s->bytes_since_idx, save_ts = s->max_ts, save_tsoff = s->max_ts_off;
    int64_t o = pl->end, pos = s->size;
    for (size_t off = 0; off < len;) {
        uint8_t *b = batches + off;
        int64_t size = 12 + (int64_t)sl_be32(b + SL_RB_OFF_LENGTH);
        int64_t last = o + (int32_t)sl_be32(b + SL_RB_OFF_LAST_OFFSET_DELTA);
        sl_wbe64(b + SL_RB_OFF_BASE_OFFSET, (uint64_t)o);
        sl_wbe32(b + SL_RB_OFF_LEADER_EPOCH, (uint32_t)pl->leader_epoch);
        sl_seg_index_batch(s, pl->cfg.index_interval_bytes, pos, last, size,
                           (int64_t)sl_be64(b + SL_RB_OFF_MAX_TIMESTAMP));
        o = last + 1;
        pos += size;
        off += (size_t)size;
    }
    if (sl_log_pwrite_all(s->fd, batches, len, (off_t)s->size) != SL_OK) {
        SL_ERROR("log", "%s: write to segment %" PRId64 " failed: %s", pl->name, s->base,
                 strerror(errno));
        if (ftruncate(s->fd, s->size) != 0) { /* best effort: keep the file a batch sequence */
        }
        s->nidx = save_nidx;
        s->ntidx = save_ntidx;
        s->bytes_since_idx = save_bytes;
        s->max_ts = save_ts;
        s->max_ts_off = save_tsoff;
        return SL_IO;
    }
    s->size += (int64_t)len;
    s->next_off = o;
    s->mtime_ms = now;
    pl->size_bytes += (int64_t)len;
    *base_offset = pl->end;
    *last_offset = o - 1;
    pl->end = o;
    /* Index files follow in groups: they are rebuilt from the log after a crash anyway. */
    if (s->nidx - s->idx_written >= 64) sl_seg_flush_index(pl, s);
    if (pl->dirty.n == 0 || pl->dirty.v[pl->dirty.n - 1] != s) sl_segvec_push(&pl->dirty, s);
    pl->unsynced_msgs += count;
    if (pl->cfg.flush_messages <= 1) {
        if (pl->fl) {
            request_sync(pl, now); /* hw moves when the flusher reports back */
        } else {
            int rc = request_sync(pl, now);
            if (rc != SL_OK) return rc;
            pl->hw = pl->end;
        }
    } else {
        pl->hw = pl->end;
        if (pl->unsynced_msgs >= pl->cfg.flush_messages ||
            now - pl->last_sync_ms >= pl->cfg.flush_ms)
            request_sync(pl, now);
    }
    return SL_OK;
}

/* ---- reading -------------------------------------------------------------------------- */

int sl_plog_peek(sl_plog_t *pl, const sl_seg_t *s, int64_t pos, int64_t limit, sl_bhdr_t *b)
{
    if (pos >= limit) return SL_EOF;
    if (limit - pos < SL_RB_HEADER_SIZE) return SL_CORRUPT;
    if (pl->win_seg != s || pos < pl->win_pos ||
        (uint64_t)(pos - pl->win_pos) + SL_RB_HEADER_SIZE > pl->win_len) {
        size_t want = pl->win_cap;
        if ((int64_t)want > limit - pos) want = (size_t)(limit - pos);
        ssize_t got = pread(s->fd, pl->win, want, pos);
        if (got < SL_RB_HEADER_SIZE) {
            pl->win_seg = NULL;
            return SL_CORRUPT;
        }
        pl->win_seg = s;
        pl->win_pos = pos;
        pl->win_len = (size_t)got;
    }
    const uint8_t *p = pl->win + (pos - pl->win_pos);
    int32_t blen = (int32_t)sl_be32(p + SL_RB_OFF_LENGTH);
    int32_t lod = (int32_t)sl_be32(p + SL_RB_OFF_LAST_OFFSET_DELTA);
    if (p[SL_RB_OFF_MAGIC] != 2 || blen < SL_RB_HEADER_SIZE - 12 || lod < 0 ||
        12 + (int64_t)blen > limit - pos)
        return SL_CORRUPT;
    b->base = (int64_t)sl_be64(p + SL_RB_OFF_BASE_OFFSET);
    b->last = b->base + lod;
    b->size = 12 + (int64_t)blen;
    b->max_ts = (int64_t)sl_be64(p + SL_RB_OFF_MAX_TIMESTAMP);
    b->attrs = (int16_t)sl_be16(p + SL_RB_OFF_ATTRIBUTES);
    return SL_OK;
}

int sl_plog_read_batch(sl_plog_t *pl, const sl_seg_t *s, int64_t pos, const sl_bhdr_t *b)
{
    sl_buf_t *bb = &pl->batchbuf;
    sl_buf_reset(bb);
    sl_buf_reserve(bb, (size_t)b->size);
    size_t done = 0;
    while (done < (size_t)b->size) {
        ssize_t got = pread(s->fd, bb->data + done, (size_t)b->size - done, pos + (off_t)done);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return SL_IO;
        done += (size_t)got;
    }
    bb->len = done;
    return SL_OK;
}

/* Index of the segment that may hold `offset`: the last one with base <= offset. */
static size_t seg_find(const sl_plog_t *pl, int64_t offset)
{
    size_t lo = 0, hi = pl->nsegs;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (pl->segs[mid]->base <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Find the first batch with last >= offset, from segment i on. SL_OK with *si, *pos, *b set;
 * SL_EOF if none. */
static int find_batch(sl_plog_t *pl, size_t i, int64_t offset, size_t *si, int64_t *pos,
                      sl_bhdr_t *b)
{
    for (; i < pl->nsegs; i++) {
        sl_seg_t *s = pl->segs[i];
        int64_t p = sl_seg_lookup(s, offset);
        for (;;) {
            int rc = sl_plog_peek(pl, s, p, s->size, b);
            if (rc == SL_EOF) break;
            if (rc != SL_OK) {
                SL_ERROR("log", "%s: segment %" PRId64 " has a damaged batch at position %" PRId64,
                         pl->name, s->base, p);
                return SL_CORRUPT;
            }
            if (b->last >= offset) {
                *si = i;
                *pos = p;
                return SL_OK;
            }
            p += b->size;
        }
    }
    return SL_EOF;
}

int sl_plog_read(sl_plog_t *pl, int64_t offset, int64_t max_offset, size_t max_bytes,
                 sl_logslice_t *out)
{
    if (offset < pl->start || offset > pl->end) return SL_RANGE;
    if (offset >= max_offset || offset >= pl->end) return SL_EOF;
    size_t si;
    int64_t pos;
    sl_bhdr_t b;
    int rc = find_batch(pl, seg_find(pl, offset), offset, &si, &pos, &b);
    if (rc != SL_OK) return rc;
    if (b.last >= max_offset) return SL_EOF;
    sl_seg_t *s = pl->segs[si];
    int64_t total = b.size, next = b.last + 1, p = pos + b.size;
    while (p < s->size) {
        if (sl_plog_peek(pl, s, p, s->size, &b) != SL_OK) break;
        if (b.last >= max_offset || (uint64_t)(total + b.size) > max_bytes) break;
        total += b.size;
        next = b.last + 1;
        p += b.size;
    }
    sl_seg_keep(s);
    out->seg = s;
    out->fd = s->fd;
    out->pos = pos;
    out->len = total;
    out->next_offset = next;
    return SL_OK;
}

/* ---- time lookups --------------------------------------------------------------------- */

int sl_plog_offset_for_time(sl_plog_t *pl, int64_t ts, int64_t *offset, int64_t *found_ts)
{
    for (size_t i = 0; i < pl->nsegs; i++) {
        sl_seg_t *s = pl->segs[i];
        if (s->max_ts < ts) continue;
        /* Entries with a smaller timestamp cover batches we can skip. */
        int64_t pos = 0;
        for (size_t k = s->ntidx; k-- > 0;) {
            if (s->tidx[k].ts < ts) {
                pos = sl_seg_lookup(s, s->base + s->tidx[k].rel);
                break;
            }
        }
        sl_bhdr_t b;
        for (;;) {
            int rc = sl_plog_peek(pl, s, pos, s->size, &b);
            if (rc == SL_EOF) break;
            if (rc != SL_OK) return SL_CORRUPT;
            if (b.max_ts >= ts && b.last >= pl->start) {
                if (sl_plog_read_batch(pl, s, pos, &b) != SL_OK) return SL_IO;
                sl_rb_iter_t it;
                sl_rb_rec_t r;
                if (sl_rb_iter_init(&it, pl->batchbuf.data, pl->batchbuf.len, &pl->scratch,
                                    (size_t)1 << 30) != SL_OK)
                    return SL_CORRUPT;
                while (sl_rb_iter_next(&it, &r) == SL_OK) {
                    if (r.timestamp >= ts && r.offset >= pl->start) {
                        *offset = r.offset;
                        *found_ts = r.timestamp;
                        return SL_OK;
                    }
                }
            }
            pos += b.size;
        }
    }
    return SL_NOENT;
}

int sl_plog_max_timestamp(sl_plog_t *pl, int64_t *offset, int64_t *ts)
{
    sl_seg_t *best = NULL;
    size_t bi = 0;
    for (size_t i = 0; i < pl->nsegs; i++) {
        sl_seg_t *s = pl->segs[i];
        if (s->size > 0 && s->max_ts >= 0 && (!best || s->max_ts > best->max_ts)) {
            best = s;
            bi = i;
        }
    }
    if (!best || pl->start >= pl->end) return SL_NOENT;
    size_t si;
    int64_t pos;
    sl_bhdr_t b;
    if (find_batch(pl, bi, best->max_ts_off, &si, &pos, &b) != SL_OK || si != bi) return SL_CORRUPT;
    if (sl_plog_read_batch(pl, best, pos, &b) != SL_OK) return SL_IO;
    sl_rb_iter_t it;
    sl_rb_rec_t r;
    if (sl_rb_iter_init(&it, pl->batchbuf.data, pl->batchbuf.len, &pl->scratch, (size_t)1 << 30) !=
        SL_OK)
        return SL_CORRUPT;
    while (sl_rb_iter_next(&it, &r) == SL_OK) {
        if (r.timestamp == b.max_ts) {
            *offset = r.offset;
            *ts = r.timestamp;
            return SL_OK;
        }
    }
    /* The header's maxTimestamp matches no record (a producer bug): answer with the batch. */
    *offset = b.last;
    *ts = b.max_ts;
    return SL_OK;
}

/* ---- DeleteRecords and housekeeping --------------------------------------------------- */

int sl_plog_delete_before(sl_plog_t *pl, int64_t offset)
{
    if (offset > pl->hw || offset < 0) return SL_RANGE;
    if (offset <= pl->start) return SL_OK;
    pl->start = offset;
    int deleted = 0;
    while (pl->nsegs > 1 && pl->segs[1]->base <= offset) {
        sl_plog_drop_seg(pl, 0, 1);
        deleted++;
    }
    SL_INFO("log",
            "%s: log start offset moved to %" PRId64 " (DeleteRecords), %d segment(s) deleted",
            pl->name, offset, deleted);
    return sl_plog_write_meta(pl);
}

void sl_plog_flush_due(sl_plog_t *pl, int64_t now_ms)
{
    if (pl->closed || pl->cfg.flush_messages <= 1 || pl->dirty.n == 0) return;
    if (now_ms - pl->last_sync_ms >= pl->cfg.flush_ms) request_sync(pl, now_ms);
}

int sl_plog_housekeep(sl_plog_t *pl, int64_t now_ms)
{
    if (pl->closed) return 0;
    int n = 0;
    sl_seg_t *act = pl->segs[pl->nsegs - 1];
    if (act->size > 0 && now_ms - act->created_ms >= pl->cfg.segment_ms) sl_plog_roll(pl, now_ms);
    act = pl->segs[pl->nsegs - 1];
    sl_seg_flush_index(pl, act);
    if (pl->cfg.flush_messages > 1 && pl->dirty.n > 0 &&
        now_ms - pl->last_sync_ms >= pl->cfg.flush_ms)
        request_sync(pl, now_ms);
    else if (pl->dirty_dir && !pl->fl)
        sync_inline(pl);
    if (pl->cfg.cleanup_delete) n += sl_plog_retention(pl, now_ms);
    if (pl->cfg.cleanup_compact) n += sl_plog_compact(pl, now_ms);
    return n;
}
