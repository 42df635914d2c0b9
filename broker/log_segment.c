/*
 * log_segment.c — one log segment: its three files, its in-memory indexes, recovery scans.
 *
 *   <base>.log        batches, contiguous, in offset order (gaps allowed after compaction)
 *   <base>.index      sparse offset index (see log_int.h for the entry layout)
 *   <base>.timeindex  time index
 *
 * Trust on open:
 *  - The active (last) segment is always scanned from its first byte with CRC checks, because
 *    after a crash any page written since its last fdatasync may or may not have reached the
 *    disk, in any order. The scan stops at the first torn or corrupt batch, the file is
 *    truncated there, and both indexes are rebuilt from the scan.
 *  - A closed segment was synced (log and indexes) before the next one was created, so its
 *    indexes are trusted when they look consistent: sizes a multiple of the entry size, entries
 *    increasing, positions inside the file, the last entry naming a batch that really ends at
 *    that offset, and the batches after the last entry reaching the end of the file with valid
 *    CRCs and no timestamp above the time index. Anything else triggers a full rebuild (and a
 *    truncation if a batch is bad), logged at WARN.
 *
 * Segment structs are reference counted with atomics because the flusher thread holds
 * references while it syncs; freeing only closes fds and frees memory, so it may happen on
 * either thread. Files are unlinked explicitly (retention, compaction), never on free: a fetch
 * holding a slice keeps reading an unlinked file through its fd.
 */
#include "broker/log_int.h"
#include "common/err.h"
#include "common/log.h"
#include "common/recbatch.h"
#include "common/time.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void sl_seg_path(const sl_plog_t *pl, int64_t base, const char *ext, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%020" PRId64 "%s", pl->dir, base, ext);
}

sl_seg_t *sl_seg_new(int64_t base)
{
    sl_seg_t *s = calloc(1, sizeof *s);
    if (!s) abort();
    atomic_init(&s->refs, 1);
    s->fd = s->idx_fd = s->tidx_fd = -1;
    s->base = base;
    s->next_off = base;
    s->max_ts = -1;
    s->max_ts_off = -1;
    return s;
}

void sl_seg_keep(sl_seg_t *seg)
{
    atomic_fetch_add_explicit(&seg->refs, 1, memory_order_relaxed);
}

void sl_seg_release(sl_seg_t *seg)
{
    if (!seg) return;
    if (atomic_fetch_sub_explicit(&seg->refs, 1, memory_order_acq_rel) != 1) return;
    if (seg->fd >= 0) close(seg->fd);
    if (seg->idx_fd >= 0) close(seg->idx_fd);
    if (seg->tidx_fd >= 0) close(seg->tidx_fd);
    free(seg->idx);
    free(seg->tidx);
    free(seg);
}

void sl_seg_unlink(const sl_plog_t *pl, const sl_seg_t *s)
{
    static const char *const exts[] = {".log", ".index", ".timeindex"};
    char path[4200];
    for (size_t i = 0; i < 3; i++) {
        sl_seg_path(pl, s->base, exts[i], path, sizeof path);
        if (unlink(path) != 0 && errno != ENOENT)
            SL_WARN("log", "%s: cannot delete %s: %s", pl->name, path, strerror(errno));
    }
}

int64_t sl_seg_largest_ts(const sl_seg_t *s)
{
    return s->max_ts >= 0 ? s->max_ts : s->mtime_ms;
}

/* ---- in-memory indexes ---------------------------------------------------------------- */

static void idx_push(sl_seg_t *s, uint32_t rel, uint32_t pos)
{
    if (s->nidx == s->capidx) {
        s->capidx = s->capidx ? s->capidx * 2 : 64;
        s->idx = realloc(s->idx, s->capidx * sizeof *s->idx);
        if (!s->idx) abort();
    }
    s->idx[s->nidx++] = (sl_idxent_t){rel, pos};
}

static void tidx_maybe_push(sl_seg_t *s)
{
    if (s->max_ts < 0) return;
    if (s->ntidx && s->tidx[s->ntidx - 1].ts >= s->max_ts) return;
    if (s->ntidx == s->captidx) {
        s->captidx = s->captidx ? s->captidx * 2 : 64;
        s->tidx = realloc(s->tidx, s->captidx * sizeof *s->tidx);
        if (!s->tidx) abort();
    }
    s->tidx[s->ntidx++] = (sl_tidxent_t){s->max_ts, (uint32_t)(s->max_ts_off - s->base)};
}

void sl_seg_index_batch(sl_seg_t *s, int32_t interval, int64_t pos, int64_t last, int64_t size,
                        int64_t max_ts)
{
    if (max_ts > s->max_ts) {
        s->max_ts = max_ts;
        s->max_ts_off = last;
    }
    if (s->bytes_since_idx > interval) {
        idx_push(s, (uint32_t)(last - s->base), (uint32_t)pos);
        tidx_maybe_push(s);
        s->bytes_since_idx = 0;
    }
    s->bytes_since_idx += size;
}

void sl_seg_index_final(sl_seg_t *s)
{
    tidx_maybe_push(s);
}

int64_t sl_seg_lookup(const sl_seg_t *s, int64_t offset)
{
    if (offset <= s->base || s->nidx == 0) return 0;
    uint64_t rel = (uint64_t)(offset - s->base);
    if (s->idx[0].rel > rel) return 0;
    size_t lo = 0, hi = s->nidx; /* invariant: idx[lo].rel <= rel, answer in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->idx[mid].rel <= rel)
            lo = mid;
        else
            hi = mid;
    }
    return s->idx[lo].pos;
}

/* ---- index files ---------------------------------------------------------------------- */

int sl_log_pwrite_all(int fd, const uint8_t *p, size_t n, off_t at)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, at);
        if (w < 0) {
            if (errno == EINTR) continue;
            return SL_IO;
        }
        p += w;
        n -= (size_t)w;
        at += w;
    }
    return SL_OK;
}

/* Encode entries [from, to) and write them at their place in the files. */
static int write_idx_range(int fd, const sl_seg_t *s, size_t from, size_t to)
{
    uint8_t buf[8 * 512];
    while (from < to) {
        size_t n = to - from < 512 ? to - from : 512;
        for (size_t i = 0; i < n; i++) {
            sl_wbe32(buf + 8 * i, s->idx[from + i].rel);
            sl_wbe32(buf + 8 * i + 4, s->idx[from + i].pos);
        }
        if (sl_log_pwrite_all(fd, buf, 8 * n, (off_t)(8 * from)) != SL_OK) return SL_IO;
        from += n;
    }
    return SL_OK;
}

static int write_tidx_range(int fd, const sl_seg_t *s, size_t from, size_t to)
{
    uint8_t buf[12 * 512];
    while (from < to) {
        size_t n = to - from < 512 ? to - from : 512;
        for (size_t i = 0; i < n; i++) {
            sl_wbe64(buf + 12 * i, (uint64_t)s->tidx[from + i].ts);
            sl_wbe32(buf + 12 * i + 8, s->tidx[from + i].rel);
        }
        if (sl_log_pwrite_all(fd, buf, 12 * n, (off_t)(12 * from)) != SL_OK) return SL_IO;
        from += n;
    }
    return SL_OK;
}

int sl_seg_flush_index(sl_plog_t *pl, sl_seg_t *s)
{
    if (s->idx_fd < 0 || s->tidx_fd < 0) return SL_OK;
    int rc = SL_OK;
    if (s->idx_written < s->nidx) {
        if (write_idx_range(s->idx_fd, s, s->idx_written, s->nidx) == SL_OK)
            s->idx_written = s->nidx;
        else
            rc = SL_IO;
    }
    if (s->tidx_written < s->ntidx) {
        if (write_tidx_range(s->tidx_fd, s, s->tidx_written, s->ntidx) == SL_OK)
            s->tidx_written = s->ntidx;
        else
            rc = SL_IO;
    }
    if (rc != SL_OK)
        SL_ERROR("log", "%s: cannot write index of segment %" PRId64 ": %s", pl->name, s->base,
                 strerror(errno));
    return rc;
}

/* Open (creating) both index files of s, truncated, and write the whole memory content. */
static int rewrite_index_fds(sl_plog_t *pl, sl_seg_t *s, int *ifd, int *tfd)
{
    char path[4200];
    sl_seg_path(pl, s->base, ".index", path, sizeof path);
    *ifd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    sl_seg_path(pl, s->base, ".timeindex", path, sizeof path);
    *tfd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (*ifd < 0 || *tfd < 0 || write_idx_range(*ifd, s, 0, s->nidx) != SL_OK ||
        write_tidx_range(*tfd, s, 0, s->ntidx) != SL_OK) {
        SL_ERROR("log", "%s: cannot write index files of segment %" PRId64 ": %s", pl->name,
                 s->base, strerror(errno));
        if (*ifd >= 0) close(*ifd);
        if (*tfd >= 0) close(*tfd);
        *ifd = *tfd = -1;
        return SL_IO;
    }
    s->idx_written = s->nidx;
    s->tidx_written = s->ntidx;
    return SL_OK;
}

int sl_seg_write_index_files(sl_plog_t *pl, sl_seg_t *s)
{
    int ifd, tfd;
    int rc = rewrite_index_fds(pl, s, &ifd, &tfd);
    if (rc != SL_OK) return rc;
    if (fdatasync(ifd) != 0 || fdatasync(tfd) != 0) rc = SL_IO;
    close(ifd);
    close(tfd);
    return rc;
}

int sl_seg_seal(sl_plog_t *pl, sl_seg_t *s)
{
    sl_seg_index_final(s);
    int rc = sl_seg_flush_index(pl, s);
    if (fdatasync(s->fd) != 0) rc = SL_IO;
    if (s->idx_fd >= 0 && fdatasync(s->idx_fd) != 0) rc = SL_IO;
    if (s->tidx_fd >= 0 && fdatasync(s->tidx_fd) != 0) rc = SL_IO;
    if (s->idx_fd >= 0) close(s->idx_fd);
    if (s->tidx_fd >= 0) close(s->tidx_fd);
    s->idx_fd = s->tidx_fd = -1;
    if (rc != SL_OK)
        SL_ERROR("log", "%s: cannot sync segment %" PRId64 ": %s", pl->name, s->base,
                 strerror(errno));
    return rc;
}

/* ---- opening -------------------------------------------------------------------------- */

static int open_log_file(sl_plog_t *pl, sl_seg_t *s, int create)
{
    char path[4200];
    sl_seg_path(pl, s->base, ".log", path, sizeof path);
    s->fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0644);
    if (s->fd < 0) {
        SL_ERROR("log", "%s: cannot open %s: %s", pl->name, path, strerror(errno));
        return SL_IO;
    }
    struct stat st;
    if (fstat(s->fd, &st) != 0) return SL_IO;
    s->size = st.st_size;
    s->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    return SL_OK;
}

int sl_seg_create(sl_plog_t *pl, int64_t base, sl_seg_t **out)
{
    sl_seg_t *s = sl_seg_new(base);
    if (open_log_file(pl, s, 1) != SL_OK || rewrite_index_fds(pl, s, &s->idx_fd, &s->tidx_fd)) {
        sl_seg_release(s);
        return SL_IO;
    }
    s->created_ms = sl_wallclock_ms();
    *out = s;
    return SL_OK;
}

typedef struct scan_s {
    int64_t end_pos;    /* position after the last good batch */
    int64_t next_off;   /* offset after the last good batch */
    int64_t first_ts;   /* max timestamp of the first batch, -1 if none */
    int64_t top_ts;     /* largest batch max timestamp seen */
    int64_t first_last; /* last offset of the first batch scanned, -1 if none */
    const char *why;    /* why the scan stopped early */
} scan_t;

/*
 * Walk the batches of s from pos to the end of the file, checking header shape, CRC and offset
 * order. With `build`, feed each batch to the index builder. SL_OK if the walk ended exactly at
 * the end of the file; SL_CORRUPT if it stopped early (r->end_pos is where).
 */
static int seg_scan(sl_plog_t *pl, sl_seg_t *s, int64_t pos, int64_t min_off, int build, scan_t *r)
{
    sl_buf_t *b = &pl->scanbuf;
    int64_t wpos = 0; /* file position of b->data[0] */
    size_t wlen = 0;  /* valid bytes in b */
    r->end_pos = pos;
    r->next_off = min_off;
    r->first_ts = -1;
    r->top_ts = -1;
    r->first_last = -1;
    r->why = NULL;
    while (pos < s->size) {
        int64_t avail = s->size - pos;
        size_t need = SL_RB_HEADER_SIZE;
        for (int pass = 0; pass < 2; pass++) {
            if (pos < wpos || (uint64_t)(pos - wpos) + need > wlen) {
                size_t want = need > (1u << 20) ? need : (1u << 20);
                if ((int64_t)want > avail) want = (size_t)avail;
                sl_buf_reset(b);
                sl_buf_reserve(b, want);
                ssize_t got = pread(s->fd, b->data, want, pos);
                if (got < 0) {
                    r->why = "read error";
                    return SL_IO;
                }
                wpos = pos;
                wlen = (size_t)got;
            }
            if (pass == 0) {
                if (avail < SL_RB_HEADER_SIZE) break;
                uint32_t blen = sl_be32(b->data + (pos - wpos) + SL_RB_OFF_LENGTH);
                need = 12 + (size_t)blen;
                if ((int64_t)need > avail) break; /* torn: header claims more than the file */
            }
        }
        sl_rb_hdr_t h;
        const uint8_t *p = b->data + (pos - wpos);
        size_t have = wlen - (size_t)(pos - wpos);
        int rc = sl_rb_hdr_parse(p, have, &h);
        if (rc == SL_TRUNC) {
            r->why = "torn write";
            return SL_CORRUPT;
        }
        if (rc != SL_OK) {
            r->why = "malformed batch header";
            return SL_CORRUPT;
        }
        size_t size = sl_rb_size(&h);
        if (sl_rb_crc_check(p, size) != SL_OK) {
            r->why = "CRC mismatch";
            return SL_CORRUPT;
        }
        int64_t last = h.base_offset + h.last_offset_delta;
        if (h.base_offset < r->next_off || h.base_offset < s->base ||
            last - s->base > (int64_t)UINT32_MAX || size > UINT32_MAX) {
            r->why = "batch offsets out of order";
            return SL_CORRUPT;
        }
        if (build)
            sl_seg_index_batch(s, pl->cfg.index_interval_bytes, pos, last, (int64_t)size,
                               h.max_timestamp);
        if (r->first_last < 0) {
            r->first_last = last;
            r->first_ts = h.max_timestamp;
        }
        if (h.max_timestamp > r->top_ts) r->top_ts = h.max_timestamp;
        pos += (int64_t)size;
        r->end_pos = pos;
        r->next_off = last + 1;
    }
    return SL_OK;
}

static void reset_indexes(sl_seg_t *s)
{
    s->nidx = s->ntidx = 0;
    s->idx_written = s->tidx_written = 0;
    s->bytes_since_idx = 0;
    s->max_ts = -1;
    s->max_ts_off = -1;
}

/* Full scan from 0 with rebuild; truncate a bad tail. */
static int seg_rebuild(sl_plog_t *pl, sl_seg_t *s, scan_t *r)
{
    reset_indexes(s);
    int rc = seg_scan(pl, s, 0, s->base, 1, r);
    if (rc == SL_IO) {
        SL_ERROR("log", "%s: cannot read segment %" PRId64 ": %s", pl->name, s->base,
                 strerror(errno));
        return SL_IO;
    }
    if (rc == SL_CORRUPT) {
        SL_WARN("log",
                "%s: truncated %" PRId64 " bytes at offset %" PRId64 " (file position %" PRId64
                ") of segment %020" PRId64 ": %s",
                pl->name, s->size - r->end_pos, r->next_off, r->end_pos, s->base, r->why);
        if (ftruncate(s->fd, r->end_pos) != 0) {
            SL_ERROR("log", "%s: cannot truncate segment %" PRId64 ": %s", pl->name, s->base,
                     strerror(errno));
            return SL_IO;
        }
        if (fdatasync(s->fd) != 0) return SL_IO;
        s->size = r->end_pos;
    }
    s->next_off = r->next_off;
    return SL_OK;
}

/* Read an index file fully; SL_NOENT when missing. */
static int read_file(const char *path, sl_buf_t *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? SL_NOENT : SL_IO;
    sl_buf_reset(out);
    for (;;) {
        sl_buf_reserve(out, 65536);
        ssize_t n = read(fd, out->data + out->len, out->cap - out->len);
        if (n < 0) {
            if (errno == EINTR) continue;
            close(fd);
            return SL_IO;
        }
        if (n == 0) break;
        out->len += (size_t)n;
    }
    close(fd);
    return SL_OK;
}

/* Load both index files of a closed segment into memory; 0 if they look consistent. */
static int load_indexes(sl_plog_t *pl, sl_seg_t *s, const char **why)
{
    char path[4200];
    sl_buf_t *b = &pl->scanbuf;
    sl_seg_path(pl, s->base, ".index", path, sizeof path);
    int rc = read_file(path, b);
    if (rc != SL_OK) {
        *why = rc == SL_NOENT ? "offset index missing" : "offset index unreadable";
        return -1;
    }
    if (b->len % 8) {
        *why = "offset index size is not a multiple of 8";
        return -1;
    }
    for (size_t i = 0; i < b->len / 8; i++) {
        uint32_t rel = sl_be32(b->data + 8 * i), pos = sl_be32(b->data + 8 * i + 4);
        if ((int64_t)pos >= s->size ||
            (s->nidx && (rel <= s->idx[s->nidx - 1].rel || pos <= s->idx[s->nidx - 1].pos))) {
            *why = "offset index entries out of order or beyond the file";
            return -1;
        }
        idx_push(s, rel, pos);
    }
    sl_seg_path(pl, s->base, ".timeindex", path, sizeof path);
    rc = read_file(path, b);
    if (rc != SL_OK) {
        *why = rc == SL_NOENT ? "time index missing" : "time index unreadable";
        return -1;
    }
    if (b->len % 12) {
        *why = "time index size is not a multiple of 12";
        return -1;
    }
    for (size_t i = 0; i < b->len / 12; i++) {
        int64_t ts = (int64_t)sl_be64(b->data + 12 * i);
        uint32_t rel = sl_be32(b->data + 12 * i + 8);
        if (ts < 0 ||
            (s->ntidx && (ts <= s->tidx[s->ntidx - 1].ts || rel < s->tidx[s->ntidx - 1].rel))) {
            *why = "time index entries out of order";
            return -1;
        }
        s->max_ts = ts;
        s->max_ts_off = s->base + rel;
        tidx_maybe_push(s);
    }
    s->idx_written = s->nidx;
    s->tidx_written = s->ntidx;
    return 0;
}

int sl_seg_open_closed(sl_plog_t *pl, int64_t base, sl_seg_t **out)
{
    sl_seg_t *s = sl_seg_new(base);
    if (open_log_file(pl, s, 0) != SL_OK) {
        sl_seg_release(s);
        return SL_IO;
    }
    const char *why = NULL;
    scan_t r;
    int ok = load_indexes(pl, s, &why) == 0;
    if (ok) {
        /* Verify the tail after the last offset-index entry. */
        int64_t pos = s->nidx ? s->idx[s->nidx - 1].pos : 0;
        int rc = seg_scan(pl, s, pos, s->base, 0, &r);
        if (rc != SL_OK) {
            why = "batches after the last index entry are damaged";
            ok = 0;
        } else if (s->nidx && r.first_last != s->base + s->idx[s->nidx - 1].rel) {
            why = "last offset-index entry does not match its batch";
            ok = 0;
        } else if (r.top_ts > s->max_ts) {
            why = "time index misses the largest timestamp";
            ok = 0;
        } else if (s->ntidx && s->base + s->tidx[s->ntidx - 1].rel >= r.next_off) {
            why = "time index points beyond the last batch";
            ok = 0;
        } else {
            s->next_off = r.next_off;
            /* bytes_since_idx only matters for an active segment */
        }
    }
    if (!ok) {
        SL_WARN("log", "%s: rebuilding indexes of segment %020" PRId64 ": %s", pl->name, base, why);
        if (seg_rebuild(pl, s, &r) != SL_OK) {
            sl_seg_release(s);
            return SL_IO;
        }
        sl_seg_index_final(s);
        if (sl_seg_write_index_files(pl, s) != SL_OK) {
            sl_seg_release(s);
            return SL_IO;
        }
    }
    s->created_ms = s->mtime_ms;
    *out = s;
    return SL_OK;
}

int sl_seg_open_active(sl_plog_t *pl, int64_t base, sl_seg_t **out)
{
    sl_seg_t *s = sl_seg_new(base);
    scan_t r;
    if (open_log_file(pl, s, 0) != SL_OK || seg_rebuild(pl, s, &r) != SL_OK ||
        rewrite_index_fds(pl, s, &s->idx_fd, &s->tidx_fd) != SL_OK) {
        sl_seg_release(s);
        return SL_IO;
    }
    /* segment.ms counts from the file's birth. Kafka uses the first batch's timestamp, but
     * compares it with incoming timestamps, not the clock: producer-chosen timestamps far in
     * the past would otherwise roll the segment on every restart. */
    int64_t now = sl_wallclock_ms();
    struct statx stx;
    char path[4200];
    sl_seg_path(pl, base, ".log", path, sizeof path);
    if (statx(AT_FDCWD, path, 0, STATX_BTIME, &stx) == 0 && (stx.stx_mask & STATX_BTIME))
        s->created_ms = (int64_t)stx.stx_btime.tv_sec * 1000 + stx.stx_btime.tv_nsec / 1000000;
    else
        s->created_ms = r.first_ts >= 0 && r.first_ts <= now && r.first_ts >= s->mtime_ms - 1000
                            ? r.first_ts
                            : s->mtime_ms;
    if (s->size == 0 || s->created_ms > now) s->created_ms = now;
    *out = s;
    return SL_OK;
}
