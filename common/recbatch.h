/*
 * recbatch.h — Kafka RecordBatch v2 (magic 2): parse, validate, iterate, build.
 *
 * It lives in common/ because both the broker (validation on produce, compaction) and the
 * `sluice dump-log` tool need it, and clients/ may not include broker code.
 *
 * Batch layout (all integers big-endian; the CRC covers bytes 21..end):
 *
 *   0        8        12       16 17       21    23          27           35          43
 *   +--------+--------+--------+--+--------+-----+-----------+------------+-----------+
 *   |baseOff |batchLen|leaderEp|mg|  crc   |attr |lastOffDelt|baseTimestmp|maxTimestmp|
 *   +--------+--------+--------+--+--------+-----+-----------+------------+-----------+
 *   43          51   53       57      61
 *   +-----------+----+--------+-------+----------------------------------------------+
 *   |producerId |pEpc|baseSeq |count  | records (compressed as a whole if attr&7 != 0)|
 *   +-----------+----+--------+-------+----------------------------------------------+
 *
 *   batchLen counts the bytes after itself (total size = 12 + batchLen).
 *   attributes: bits 0-2 codec (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), bit 3 timestamp
 *   type (1 = LogAppendTime), bit 4 transactional, bit 5 control, bit 6 delete horizon set.
 *
 * Record layout (varints are zig-zag):
 *   length varint | attributes i8 | timestampDelta varlong | offsetDelta varint |
 *   keyLen varint (-1 = null) | key | valueLen varint (-1 = null) | value |
 *   headerCount varint | { hKeyLen varint | hKey | hValLen varint (-1 = null) | hVal } ...
 *
 * baseOffset and partitionLeaderEpoch are outside the CRC, so the broker assigns offsets by
 * rewriting them in place without recomputing it.
 */
#ifndef SL_RECBATCH_H
#define SL_RECBATCH_H

#include "common/buf.h"
#include <stddef.h>
#include <stdint.h>

#define SL_RB_HEADER_SIZE           61
#define SL_RB_OFF_BASE_OFFSET       0
#define SL_RB_OFF_LENGTH            8
#define SL_RB_OFF_LEADER_EPOCH      12
#define SL_RB_OFF_MAGIC             16
#define SL_RB_OFF_CRC               17
#define SL_RB_OFF_ATTRIBUTES        21
#define SL_RB_OFF_LAST_OFFSET_DELTA 23
#define SL_RB_OFF_BASE_TIMESTAMP    27
#define SL_RB_OFF_MAX_TIMESTAMP     35
#define SL_RB_OFF_PRODUCER_ID       43
#define SL_RB_OFF_PRODUCER_EPOCH    51
#define SL_RB_OFF_BASE_SEQUENCE     53
#define SL_RB_OFF_COUNT             57

#define SL_RB_ATTR_CODEC_MASK      0x07
#define SL_RB_ATTR_LOG_APPEND_TIME 0x08
#define SL_RB_ATTR_TRANSACTIONAL   0x10
#define SL_RB_ATTR_CONTROL         0x20
#define SL_RB_ATTR_DELETE_HORIZON  0x40

enum sl_codec {
    SL_CODEC_NONE = 0,
    SL_CODEC_GZIP = 1,
    SL_CODEC_SNAPPY = 2,
    SL_CODEC_LZ4 = 3,
    SL_CODEC_ZSTD = 4,
};
const char *sl_codec_name(int codec); /* "none", "gzip", ...; "unknown" otherwise */
int sl_codec_parse(const char *name); /* inverse; -1 if unknown */

typedef struct sl_rb_hdr_s {
    int64_t base_offset;       /* offset of the first record */
    int32_t batch_length;      /* bytes after this field */
    int32_t leader_epoch;      /* partitionLeaderEpoch */
    int8_t magic;              /* always 2 after a successful parse */
    uint32_t crc;              /* CRC-32C of bytes 21..end */
    int16_t attributes;        /* see SL_RB_ATTR_* */
    int32_t last_offset_delta; /* offset of the last record minus base_offset */
    int64_t base_timestamp;    /* timestamp of the first record */
    int64_t max_timestamp;     /* largest record timestamp */
    int64_t producer_id;       /* -1 when not idempotent */
    int16_t producer_epoch;    /* -1 when not idempotent */
    int32_t base_sequence;     /* -1 when not idempotent */
    int32_t count;             /* number of records */
} sl_rb_hdr_t;

/* Total size in bytes of the batch the header describes. */
static inline size_t sl_rb_size(const sl_rb_hdr_t *h)
{
    return 12 + (size_t)h->batch_length;
}

/*
 * Parse the fixed header at p (avail bytes readable).
 * SL_TRUNC: fewer than 61 bytes, or fewer than the whole batch (12 + batchLen) available.
 * SL_CORRUPT: magic != 2, batchLen < 49, count < 0, lastOffsetDelta < 0.
 * Does not check the CRC.
 */
int sl_rb_hdr_parse(const uint8_t *p, size_t avail, sl_rb_hdr_t *out);

/* SL_OK if the stored CRC matches bytes 21..size, SL_CRC otherwise. */
int sl_rb_crc_check(const uint8_t *batch, size_t size);

/*
 * Full validation of one batch as the broker receives it: header, CRC, codec known, records
 * (decompressed into scratch if needed, never beyond max_uncompressed bytes) well formed,
 * record count equal to `count`, offset deltas 0..count-1 in order, lastOffsetDelta ==
 * count-1, record lengths exact, nothing after the last record.
 * On failure returns SL_CRC / SL_CORRUPT / SL_TOOBIG / SL_UNSUPP and sets *why to a static
 * human-readable reason ("record 3: key length exceeds record").
 */
int sl_rb_validate(const uint8_t *batch, size_t size, sl_buf_t *scratch, size_t max_uncompressed,
                   const char **why);

typedef struct sl_rb_header_s {
    const uint8_t *key; /* borrowed */
    int32_t key_len;
    const uint8_t *value; /* borrowed; NULL when value_len == -1 */
    int32_t value_len;
} sl_rb_header_t;

typedef struct sl_rb_rec_s {
    int64_t offset;       /* base_offset + offsetDelta */
    int64_t timestamp;    /* base_timestamp + timestampDelta (or max_timestamp if LogAppendTime) */
    int8_t attributes;    /* record attributes (unused by Kafka today) */
    const uint8_t *key;   /* borrowed; NULL when key_len == -1 */
    int32_t key_len;      /* -1 = null key */
    const uint8_t *value; /* borrowed; NULL when value_len == -1 (tombstone) */
    int32_t value_len;    /* -1 = null value */
    int32_t header_count; /* number of headers */
    const uint8_t *headers; /* borrowed raw header bytes, header_count entries */
    size_t headers_len;     /* bytes at `headers` */
} sl_rb_rec_t;

typedef struct sl_rb_iter_s {
    sl_rb_hdr_t hdr; /* parsed batch header */
    sl_rd_t rd;      /* over the (decompressed) records */
    int32_t index;   /* records returned so far */
} sl_rb_iter_t;

/* Start iterating the records of one batch. Compressed records are decompressed into
 * scratch (which must outlive the iteration). Does not check the CRC. */
int sl_rb_iter_init(sl_rb_iter_t *it, const uint8_t *batch, size_t size, sl_buf_t *scratch,
                    size_t max_uncompressed);
/* SL_OK with *out filled, SL_EOF after the last record, SL_CORRUPT on malformed bytes. */
int sl_rb_iter_next(sl_rb_iter_t *it, sl_rb_rec_t *out);
/* Iterate the raw headers of a record: SL_OK, SL_EOF or SL_CORRUPT. */
int sl_rb_header_next(sl_rd_t *rd, sl_rb_header_t *out);

/* Builds one batch record by record (compaction, tests, tools). */
typedef struct sl_rb_writer_s {
    sl_buf_t *out;          /* the batch is appended here (borrowed) */
    size_t start;           /* where the batch starts in out */
    sl_buf_t recs;          /* uncompressed records (owned) */
    int codec;              /* enum sl_codec */
    int64_t base_offset;    /* offset of the first record */
    int64_t base_timestamp; /* timestamp of the first record */
    int64_t max_timestamp;  /* largest timestamp so far */
    int64_t last_offset;    /* offset of the last record added */
    int32_t count;          /* records added */
    int16_t extra_attrs;    /* attribute bits besides the codec (e.g. timestamp type) */
} sl_rb_writer_t;

void sl_rb_writer_init(sl_rb_writer_t *w, sl_buf_t *out, int codec, int16_t extra_attrs);
/* Records must be added in increasing offset order. key/value NULL with len -1 = null. */
void sl_rb_writer_add(sl_rb_writer_t *w, int64_t offset, int64_t timestamp, const void *key,
                      int32_t key_len, const void *value, int32_t value_len,
                      const uint8_t *raw_headers, size_t raw_headers_len, int32_t header_count);
/* Finish: compress, write the header and the CRC into out. SL_INVAL if no record was added. */
int sl_rb_writer_finish(sl_rb_writer_t *w);
void sl_rb_writer_free(sl_rb_writer_t *w);

/* Compression codecs as Kafka frames them: gzip (RFC 1952), snappy (raw or xerial framing
 * on decompress; raw on compress), LZ4 frame format, zstd frames. Decompression refuses to
 * produce more than max_out bytes (SL_TOOBIG), so a tiny bomb cannot exhaust memory. */
int sl_decompress(int codec, const uint8_t *in, size_t in_len, sl_buf_t *out, size_t max_out);
int sl_compress(int codec, const uint8_t *in, size_t in_len, sl_buf_t *out);

#endif
