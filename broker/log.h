/*
 * log.h — partition logs: segmented, indexed, durable append-only files in Kafka's layout.
 *
 *   <dir> = <data-dir>/<topic>-<partition>/
 *     00000000000000000000.log        record batches exactly as produced (RecordBatch v2)
 *     00000000000000000000.index      sparse offset index: {u32 relOffset, u32 filePos} BE
 *     00000000000000000000.timeindex  time index: {i64 maxTimestampSoFar, u32 relOffset} BE
 *     partition.meta                  leader epoch, log start offset, topic id (text)
 *
 * Invariants: batches in a segment are contiguous and in offset order; a segment's name is its
 * base offset; index entries are increasing; hw <= end offset; start offset <= hw.
 *
 * Durability. With flush_messages == 1 (Sluice's default) the high watermark only covers bytes
 * that fdatasync has made durable: appends go to the page cache at once and a flusher thread
 * syncs dirty partitions in groups (group commit), then reports back on the loop thread, where
 * the broker acknowledges acks=all produces and wakes fetches. With flush_messages > 1 the high
 * watermark is the end offset at once and syncing happens after flush_messages records or
 * flush_ms milliseconds (Kafka's relaxed policy).
 *
 * Recovery (sl_plog_open): the active segment is scanned batch by batch; a batch with a bad
 * CRC or a torn tail is truncated away; indexes that are missing or inconsistent are rebuilt.
 * What was repaired is logged at WARN.
 *
 * @locality loop thread for everything except the flusher's own thread, unless noted.
 */
#ifndef SL_BROKER_LOG_H
#define SL_BROKER_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct sl_plog_s sl_plog_t;
typedef struct sl_seg_s sl_seg_t;
typedef struct sl_flusher_s sl_flusher_t;

typedef struct sl_logcfg_s {
    int64_t segment_bytes;         /* segment.bytes: roll when the active segment would exceed */
    int64_t segment_ms;            /* segment.ms: roll when the active segment is older */
    int64_t retention_ms;          /* retention.ms, -1 = keep forever */
    int64_t retention_bytes;       /* retention.bytes per partition, -1 = no limit */
    int cleanup_delete;            /* cleanup.policy contains "delete" */
    int cleanup_compact;           /* cleanup.policy contains "compact" */
    int64_t delete_retention_ms;   /* delete.retention.ms: how long tombstones survive compaction */
    int64_t min_compaction_lag_ms; /* min.compaction.lag.ms */
    int64_t flush_messages;        /* flush.messages: 1 = sync before the high watermark moves */
    int64_t flush_ms;              /* flush.ms: background sync interval when flush_messages > 1 */
    int32_t index_interval_bytes;  /* index.interval.bytes: bytes between offset index entries */
    int64_t file_delete_delay_ms;  /* file.delete.delay.ms (files of deleted segments) */
} sl_logcfg_t;

/* Kafka's defaults, with Sluice's durable flush_messages = 1. */
void sl_logcfg_default(sl_logcfg_t *cfg);

/* ---- group commit -------------------------------------------------------------------- */

/* Called on the loop thread after the high watermark of plog moved (data became durable). */
typedef void (*sl_durable_cb)(void *arg, sl_plog_t *plog);

/* Start the flusher thread; completions are delivered on `loop` through a uv_async_t. */
int sl_flusher_start(uv_loop_t *loop, sl_durable_cb cb, void *cb_arg, sl_flusher_t **out);
/* Sync everything outstanding, stop the thread, close the async handle. */
void sl_flusher_stop(sl_flusher_t *fl);

/* ---- partition logs ------------------------------------------------------------------ */

/* Open (creating the directory if needed) and recover a partition log. `fl` may be NULL
 * (tools, tests): then a durable append is synced inline before returning. */
int sl_plog_open(const char *dir, const sl_logcfg_t *cfg, sl_flusher_t *fl, sl_plog_t **out);
/* Flush and close; the memory goes once the flusher no longer references it. */
void sl_plog_close(sl_plog_t *pl);
/* Close and remove the directory with all its files. */
int sl_plog_remove(sl_plog_t *pl);
void sl_plog_set_config(sl_plog_t *pl, const sl_logcfg_t *cfg);

const char *sl_plog_dir(const sl_plog_t *pl);
int64_t sl_plog_start_offset(const sl_plog_t *pl); /* log start offset */
int64_t sl_plog_end_offset(const sl_plog_t *pl);   /* log end offset (next offset to assign) */
int64_t sl_plog_hw(const sl_plog_t *pl);           /* high watermark: consumers read below it */
int32_t sl_plog_leader_epoch(const sl_plog_t *pl);
int64_t sl_plog_size_bytes(const sl_plog_t *pl); /* sum of segment sizes */

/*
 * Append `len` bytes holding one or more batches that sl_rb_validate accepted. Rewrites each
 * batch's baseOffset and partitionLeaderEpoch in place (they are outside the CRC), writes them
 * with one write(2), rolls the segment first if needed, updates the indexes.
 * Out: offset assigned to the first record, and the offset of the last record.
 * The data is durable (and below hw) once sl_plog_hw() >= *last_offset + 1.
 */
int sl_plog_append(sl_plog_t *pl, uint8_t *batches, size_t len, int64_t *base_offset,
                   int64_t *last_offset);

/* A byte range of one segment file holding whole batches; holds a reference on the segment
 * so the file stays open (even if retention deletes it) until released. */
typedef struct sl_logslice_s {
    sl_seg_t *seg;       /* referenced; release with sl_seg_release */
    int fd;              /* borrowed from seg: the .log file */
    int64_t pos;         /* file position of the first byte */
    int64_t len;         /* bytes */
    int64_t next_offset; /* offset after the last record in the slice */
} sl_logslice_t;

/*
 * Find batches starting with the one containing `offset`, ending before `max_offset`
 * (normally the high watermark), at most max_bytes long, but always at least one whole batch
 * when one is available (KIP-74). A slice never spans two segments: call again from
 * next_offset for more.
 * SL_OK: slice filled. SL_EOF: nothing available yet (offset >= max_offset).
 * SL_RANGE: offset below the log start offset or above the end offset.
 * @locality loop thread
 */
int sl_plog_read(sl_plog_t *pl, int64_t offset, int64_t max_offset, size_t max_bytes,
                 sl_logslice_t *out);
void sl_seg_keep(sl_seg_t *seg);
void sl_seg_release(sl_seg_t *seg);

/* ListOffsets by time: the first offset whose batch max timestamp >= ts, with that batch's
 * first record timestamp >= ts; SL_NOENT if none. */
int sl_plog_offset_for_time(sl_plog_t *pl, int64_t ts, int64_t *offset, int64_t *found_ts);
/* The offset and timestamp of the record with the largest timestamp (ListOffsets -3);
 * SL_NOENT for an empty log. */
int sl_plog_max_timestamp(sl_plog_t *pl, int64_t *offset, int64_t *ts);

/* DeleteRecords: move the log start offset to `offset` (<= hw), deleting whole segments
 * below it. Persisted in partition.meta. SL_RANGE if offset > hw. */
int sl_plog_delete_before(sl_plog_t *pl, int64_t offset);

/* Relaxed flush policy (flush_messages > 1) only: start a background sync when data is
 * unsynced and flush_ms has passed since the last sync. Cheap when nothing is due. */
void sl_plog_flush_due(sl_plog_t *pl, int64_t now_ms);

/* Periodic work: roll by segment.ms, retention by time and size, compaction when the policy
 * says so. Returns the number of segments deleted or rewritten. */
int sl_plog_housekeep(sl_plog_t *pl, int64_t now_ms);

#endif
