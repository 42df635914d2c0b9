/*
 * log_int.h — internals shared by the partition-log files:
 *   log.c          open/recovery, append, read, time lookups, delete_before, housekeeping
 *   log_segment.c  one segment: files, in-memory indexes, scanning with CRC, index rebuild
 *   log_clean.c    retention (delete) and compaction (compact)
 *   flusher.c      the group-commit thread
 *
 * Index file layouts (big-endian, as Kafka writes them):
 *
 *   .index      +-----------+-----------+        .timeindex  +-----------------+-----------+
 *   (8 bytes)   | relOffset | filePos   |        (12 bytes)  | maxTimestamp    | relOffset |
 *               | u32       | u32       |                    | i64             | u32       |
 *               +-----------+-----------+                    +-----------------+-----------+
 *   relOffset = (last offset of the indexed batch) - segment base offset.
 *
 * An offset-index entry is added before a batch whenever more than index.interval.bytes were
 * appended since the previous entry (Kafka's rule, applied per batch); it names that batch's
 * last offset and file position. A time-index entry is added at the same moments when the
 * largest timestamp so far grew, plus a final one when the segment stops being active. The
 * same rule drives appends and rebuilds, so a rebuilt index is byte-identical to the original.
 *
 * Threads: everything runs on the loop thread except flusher_main(). Between the two, only the
 * fl_* fields of a plog (under the flusher's mutex), seg->fd (immutable while referenced),
 * seg->refs (atomic) and pl->dirfd (immutable, closed only when the last plog ref goes) are
 * shared.
 */
#ifndef SL_BROKER_LOG_INT_H
#define SL_BROKER_LOG_INT_H

#include "broker/log.h"
#include "common/buf.h"

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct sl_idxent_s {
    uint32_t rel; /* last offset of the batch - segment base */
    uint32_t pos; /* file position of the batch */
} sl_idxent_t;

typedef struct sl_tidxent_s {
    int64_t ts;   /* largest timestamp of the segment up to this entry */
    uint32_t rel; /* last offset of the batch that holds it - segment base */
} sl_tidxent_t;

struct sl_seg_s {
    atomic_int refs;         /* the plog's array holds one; slices and sync requests others */
    int fd;                  /* .log, open for the life of the struct */
    int idx_fd;              /* .index while active, -1 once closed (memory has it all) */
    int tidx_fd;             /* .timeindex while active, -1 once closed */
    int64_t base;            /* base offset = file name */
    int64_t size;            /* bytes of .log (as seen by the loop thread) */
    int64_t next_off;        /* offset after the last batch; base when empty */
    int64_t max_ts;          /* largest batch max timestamp, -1 = none (Kafka's NO_TIMESTAMP) */
    int64_t max_ts_off;      /* last offset of the first batch that reached max_ts */
    int64_t created_ms;      /* roll clock for segment.ms: first append (or first batch ts) */
    int64_t mtime_ms;        /* last modification: retention clock when no timestamps */
    int64_t bytes_since_idx; /* log bytes since the last offset-index entry */
    sl_idxent_t *idx;        /* offset index, owned */
    size_t nidx, capidx;     /* entries used / allocated */
    size_t idx_written;      /* entries already in the .index file */
    sl_tidxent_t *tidx;      /* time index, owned */
    size_t ntidx, captidx;   /* entries used / allocated */
    size_t tidx_written;     /* entries already in the .timeindex file */
};

typedef struct sl_segvec_s {
    sl_seg_t **v;  /* owned array of referenced segments */
    size_t n, cap; /* used / allocated */
} sl_segvec_t;

/* A batch header as the log needs it (from the first 61 bytes). */
typedef struct sl_bhdr_s {
    int64_t base;   /* baseOffset */
    int64_t last;   /* base + lastOffsetDelta */
    int64_t size;   /* 12 + batchLength */
    int64_t max_ts; /* maxTimestamp */
    int16_t attrs;  /* attributes */
} sl_bhdr_t;

struct sl_plog_s {
    int refs;              /* owner + one per queued flush request (loop thread only) */
    char *dir;             /* owned path */
    const char *name;      /* basename of dir ("orders-0"), for messages */
    int dirfd;             /* the directory, for fsync after creating/renaming files */
    sl_logcfg_t cfg;       /* current settings */
    sl_flusher_t *fl;      /* borrowed; NULL = sync inline */
    sl_seg_t **segs;       /* owned refs, sorted by base; the last one is active */
    size_t nsegs, capsegs; /* used / allocated */
    int64_t start;         /* log start offset */
    int64_t end;           /* log end offset */
    int64_t hw;            /* high watermark */
    int32_t leader_epoch;  /* written into every appended batch */
    int64_t size_bytes;    /* sum of segment sizes */
    int closed;            /* sl_plog_close ran; memory waits for the flusher */
    /* durability (loop thread) */
    sl_segvec_t dirty;     /* segments written since the last sync request */
    int dirty_dir;         /* a file was created in dir since the last sync request */
    int64_t unsynced_msgs; /* records appended since the last sync request (flush.messages) */
    int64_t last_sync_ms;  /* when the last sync was requested (flush.ms) */
    /* flusher hand-off (under the flusher mutex) */
    int fl_queued;      /* in the flusher's queue */
    int64_t fl_req_end; /* end offset the queued request covers */
    int fl_req_dir;     /* queued request must also fsync the directory */
    sl_segvec_t fl_req; /* segments of the queued request */
    sl_plog_t *fl_next; /* queue link */
    /* flusher thread only while a request runs */
    sl_segvec_t fl_run;     /* segments being synced */
    int64_t fl_run_end;     /* end offset being made durable */
    int fl_run_dir;         /* fsync the directory too */
    sl_plog_t *fl_run_next; /* link in the batch being synced */
    /* reading (loop thread) */
    uint8_t *win;            /* read-ahead window of batch headers, owned */
    size_t win_cap;          /* bytes allocated at win */
    const sl_seg_t *win_seg; /* segment the window holds bytes of; NULL = empty */
    int64_t win_pos;         /* file position of win[0] */
    size_t win_len;          /* valid bytes at win */
    sl_buf_t batchbuf;       /* one whole batch (time lookups, compaction) */
    sl_buf_t scratch;        /* decompressed records */
    sl_buf_t scanbuf;        /* sequential reads during recovery and compaction */
    /* compaction */
    int clean_dirty;      /* a segment closed since the last compaction pass */
    int64_t next_tomb_ms; /* when a retained tombstone may expire (INT64_MAX = none) */
};

/* ---- log_segment.c ---- */
void sl_seg_path(const sl_plog_t *pl, int64_t base, const char *ext, char *buf, size_t len);
int sl_seg_create(sl_plog_t *pl, int64_t base, sl_seg_t **out);
int sl_seg_open_closed(sl_plog_t *pl, int64_t base, sl_seg_t **out);
int sl_seg_open_active(sl_plog_t *pl, int64_t base, sl_seg_t **out);
/* Account one batch about to be placed at pos (Kafka's index rule). */
void sl_seg_index_batch(sl_seg_t *s, int32_t interval, int64_t pos, int64_t last, int64_t size,
                        int64_t max_ts);
/* The final time-index entry of a segment that stops being active. */
void sl_seg_index_final(sl_seg_t *s);
/* Write index entries not yet in the files of an active segment. */
int sl_seg_flush_index(sl_plog_t *pl, sl_seg_t *s);
/* Rewrite both index files from memory (rebuilds, compaction). */
int sl_seg_write_index_files(sl_plog_t *pl, sl_seg_t *s);
/* Stop being active: final time entry, write and sync the indexes and the log, close the
 * index fds. */
int sl_seg_seal(sl_plog_t *pl, sl_seg_t *s);
/* File position to start scanning from for `offset` (largest entry <= offset, else 0). */
int64_t sl_seg_lookup(const sl_seg_t *s, int64_t offset);
/* Largest timestamp for retention: max_ts, or the file's mtime when it has none. */
int64_t sl_seg_largest_ts(const sl_seg_t *s);
sl_seg_t *sl_seg_new(int64_t base);
/* Unlink the files of a segment (the struct and its fd live on while referenced). */
void sl_seg_unlink(const sl_plog_t *pl, const sl_seg_t *s);

/* ---- log.c ---- */
/* Header of the batch at pos (read through the plog's window): SL_OK, SL_EOF at `limit`,
 * SL_CORRUPT when the bytes there are not a batch header or the batch passes `limit`. */
int sl_plog_peek(sl_plog_t *pl, const sl_seg_t *s, int64_t pos, int64_t limit, sl_bhdr_t *b);
/* Read the whole batch at pos into pl->batchbuf. */
int sl_plog_read_batch(sl_plog_t *pl, const sl_seg_t *s, int64_t pos, const sl_bhdr_t *b);
void sl_plog_unref(sl_plog_t *pl);
int sl_plog_write_meta(sl_plog_t *pl);
/* Remove segs[i] from the array; unlink its files if `unlink_files`. */
void sl_plog_drop_seg(sl_plog_t *pl, size_t i, int unlink_files);
int sl_plog_roll(sl_plog_t *pl, int64_t now_ms);
void sl_segvec_push(sl_segvec_t *v, sl_seg_t *s); /* takes a new reference */
void sl_segvec_release_all(sl_segvec_t *v);

/* ---- log_clean.c ---- */
int sl_plog_retention(sl_plog_t *pl, int64_t now_ms);
int sl_plog_compact(sl_plog_t *pl, int64_t now_ms);

/* ---- flusher.c ---- */
/* Queue a sync of pl's dirty segments up to pl->end (coalesced per partition). */
void sl_flusher_submit(sl_flusher_t *fl, sl_plog_t *pl);

/* pwrite(2) all n bytes at `at`, retrying on EINTR and short writes. */
int sl_log_pwrite_all(int fd, const uint8_t *p, size_t n, off_t at);

#endif
