/*
 * cli_dumplog.c — `sluice dump-log`: print the record batches of a segment file, like Kafka's
 * kafka-dump-log.sh (DumpLogSegments). Reads the file directly; no server is involved.
 *
 * A segment (<data-dir>/<topic>-<partition>/<20-digit base offset>.log) is RecordBatch v2
 * batches back to back, exactly as producers sent them (see common/recbatch.h for the bytes):
 *
 *   position 0                 p1                      p2
 *   +--------------------------+-----------------------+------ ... ----+-----------+
 *   | batch (12 + batchLength) | batch                 |               | torn tail?|
 *   +--------------------------+-----------------------+------ ... ----+-----------+
 *
 * The file is untrusted input: every batch is parsed with the bounds-checked parser, the CRC
 * is checked and reported, and a tail too short for its batch (a write torn by a crash) is
 * reported with its position and size instead of being read past. A tail of zero bytes only
 * (preallocated space) is reported as such and is not a problem. After a header that cannot be
 * parsed nothing further can be trusted (there is no resync marker), so the dump stops there.
 *
 * Exit status: 0 the file is clean, 1 problems were found (bad CRC, corrupt batch or record,
 * torn tail) or the file cannot be read, 2 usage error.
 */
#include "clients/cli_int.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/recbatch.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CMD "dump-log"

/* Decompressed records of one batch may not exceed this (a corrupt length cannot make us
 * allocate without bound). */
#define MAX_UNCOMPRESSED (256u << 20)

typedef struct dumplog_args_s {
    const char *path; /* the segment file (borrowed) */
    int deep;         /* --deep: one line per record */
    int print_data;   /* --print-data: records with key, value and headers (implies deep) */
} dumplog_args_t;

/* What the dump found, for the summary line and the exit status. */
typedef struct dumplog_stats_s {
    int64_t batches;     /* batches whose header parsed */
    int64_t records;     /* sum of their record counts */
    int64_t bad_crc;     /* batches whose CRC did not match */
    int64_t bad_records; /* batches whose records could not be iterated fully */
    int64_t first;       /* first offset seen, -1 before any */
    int64_t last;        /* last offset seen, -1 before any */
    int problem;         /* anything that makes the exit status 1 */
} dumplog_stats_t;

static void usage(FILE *f)
{
    fprintf(f, "usage: sluice dump-log <segment.log> [--deep] [--print-data]\n"
               "\n"
               "Prints each record batch of a segment file: baseOffset, lastOffset, count,\n"
               "position, size, CRC validity, codec, timestamps, producer id/epoch/sequence.\n"
               "Reads the file directly (no server).\n"
               "\n"
               "options:\n"
               "  --deep         also one line per record (offset, timestamp, sizes, header keys)\n"
               "  --print-data   also the key, value and headers of each record, escaped\n"
               "                 (\\n \\t \\\\ \\xNN); implies --deep\n"
               "  -h, --help     show this help\n"
               "\n"
               "Exit status: 0 clean file, 1 problems found (bad CRC, corrupt data, torn tail)\n"
               "or unreadable file, 2 usage error.\n");
}

static const char *tstype_name(int16_t attrs)
{
    return (attrs & SL_RB_ATTR_LOG_APPEND_TIME) ? "LogAppendTime" : "CreateTime";
}

static const char *yesno(int b)
{
    return b ? "true" : "false";
}

/* Print one record's headers: keys only, or key=value pairs with --print-data. */
static int print_headers(const sl_rb_rec_t *r, int with_values)
{
    sl_rd_t rd;
    sl_rb_header_t h;
    int rc, i = 0;
    sl_rd_init(&rd, r->headers, r->headers_len);
    fputs(with_values ? " headers: [" : " headerKeys: [", stdout);
    while ((rc = sl_rb_header_next(&rd, &h)) == SL_OK) {
        if (i++) fputc(',', stdout);
        sl_cli_print_escaped(stdout, h.key, (size_t)h.key_len);
        if (with_values) {
            fputc('=', stdout);
            if (h.value)
                sl_cli_print_escaped(stdout, h.value, (size_t)h.value_len);
            else
                fputs("null", stdout);
        }
    }
    fputc(']', stdout);
    return rc == SL_EOF ? SL_OK : rc;
}

/* The records of one batch, one line each. Returns SL_OK or the status that stopped it. */
static int dump_records(const dumplog_args_t *a, const uint8_t *batch, size_t size,
                        const sl_rb_hdr_t *hdr, sl_buf_t *scratch)
{
    sl_rb_iter_t it;
    sl_rb_rec_t r;
    int rc = sl_rb_iter_init(&it, batch, size, scratch, MAX_UNCOMPRESSED);
    if (rc != SL_OK) {
        printf("| records unreadable: %s (%s)\n", sl_err_name(rc), sl_err_msg(rc));
        return rc;
    }
    while ((rc = sl_rb_iter_next(&it, &r)) == SL_OK) {
        int32_t delta = (int32_t)(r.offset - hdr->base_offset);
        int32_t seq = hdr->base_sequence >= 0 ? hdr->base_sequence + delta : -1;
        printf("| offset: %" PRId64 " %s: %" PRId64 " keySize: %" PRId32 " valueSize: %" PRId32
               " sequence: %" PRId32,
               r.offset, tstype_name(hdr->attributes), r.timestamp, r.key_len, r.value_len, seq);
        int hrc = print_headers(&r, a->print_data);
        if (a->print_data) {
            fputs(" key: ", stdout);
            if (r.key)
                sl_cli_print_escaped(stdout, r.key, (size_t)r.key_len);
            else
                fputs("null", stdout);
            fputs(" payload: ", stdout);
            if (r.value)
                sl_cli_print_escaped(stdout, r.value, (size_t)r.value_len);
            else
                fputs("null", stdout);
        }
        fputc('\n', stdout);
        if (hrc != SL_OK) {
            printf("| record at offset %" PRId64 ": headers corrupt: %s\n", r.offset,
                   sl_err_name(hrc));
            return hrc;
        }
    }
    if (rc != SL_EOF) {
        printf("| record %" PRId32 " of the batch is corrupt: %s (%s)\n", it.index, sl_err_name(rc),
               sl_err_msg(rc));
        return rc;
    }
    if (it.index != hdr->count) {
        printf("| batch says %" PRId32 " records but holds %" PRId32 "\n", hdr->count, it.index);
        return SL_CORRUPT;
    }
    return SL_OK;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

static void dump(const dumplog_args_t *a, const uint8_t *data, size_t len, dumplog_stats_t *st)
{
    sl_buf_t scratch;
    sl_buf_init(&scratch);
    size_t pos = 0;
    while (pos < len) {
        const uint8_t *p = data + pos;
        size_t avail = len - pos;
        sl_rb_hdr_t h;
        int rc = sl_rb_hdr_parse(p, avail, &h);
        if (rc != SL_OK && all_zero(p, avail)) {
            printf("Zero-filled tail at position %zu: %zu bytes (preallocated space; no data)\n",
                   pos, avail);
            break;
        }
        if (rc == SL_TRUNC) {
            st->problem = 1;
            if (avail < 12)
                printf("Torn tail at position %zu: %zu bytes, too short for a batch header\n", pos,
                       avail);
            else
                printf("Torn tail at position %zu: %zu bytes, but the batch there claims %zu "
                       "bytes (baseOffset %" PRId64 ")\n",
                       pos, avail, 12 + (size_t)(uint32_t)sl_be32(p + SL_RB_OFF_LENGTH),
                       (int64_t)sl_be64(p + SL_RB_OFF_BASE_OFFSET));
            break;
        }
        if (rc != SL_OK) {
            st->problem = 1;
            printf("Corrupt batch header at position %zu: %s (%s); the rest of the file (%zu "
                   "bytes) cannot be read\n",
                   pos, sl_err_name(rc), sl_err_msg(rc), avail);
            break;
        }
        size_t size = sl_rb_size(&h);
        int crc_ok = sl_rb_crc_check(p, size) == SL_OK;
        int64_t last = h.base_offset + h.last_offset_delta;
        int32_t last_seq = h.base_sequence >= 0 ? h.base_sequence + h.last_offset_delta : -1;
        printf("baseOffset: %" PRId64 " lastOffset: %" PRId64 " count: %" PRId32
               " baseSequence: %" PRId32 " lastSequence: %" PRId32 " producerId: %" PRId64
               " producerEpoch: %" PRId16 " partitionLeaderEpoch: %" PRId32
               " isTransactional: %s isControl: %s position: %zu timestampType: %s baseTimestamp: "
               "%" PRId64 " maxTimestamp: %" PRId64
               " size: %zu magic: %d compresscodec: %s crcValid: %s\n",
               h.base_offset, last, h.count, h.base_sequence, last_seq, h.producer_id,
               h.producer_epoch, h.leader_epoch, yesno(h.attributes & SL_RB_ATTR_TRANSACTIONAL),
               yesno(h.attributes & SL_RB_ATTR_CONTROL), pos, tstype_name(h.attributes),
               h.base_timestamp, h.max_timestamp, size, h.magic,
               sl_codec_name(h.attributes & SL_RB_ATTR_CODEC_MASK), yesno(crc_ok));
        st->batches++;
        st->records += h.count;
        if (st->first < 0) st->first = h.base_offset;
        st->last = last;
        if (!crc_ok) {
            st->bad_crc++;
            st->problem = 1;
        }
        if (a->deep && dump_records(a, p, size, &h, &scratch) != SL_OK) {
            st->bad_records++;
            st->problem = 1;
        }
        pos += size;
    }
    sl_buf_free(&scratch);
}

/* Base offset from the file name (20 digits + ".log"), -1 if it does not look like one. */
static int64_t name_base_offset(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n != 24 || strcmp(base + 20, ".log") != 0) return -1;
    int64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (base[i] < '0' || base[i] > '9') return -1;
        if (v > (INT64_MAX - 9) / 10) return -1;
        v = v * 10 + (base[i] - '0');
    }
    return v;
}

static int run(const dumplog_args_t *a)
{
    int fd = open(a->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sl_cli_fail(CMD, "cannot open %s: %s", a->path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return sl_cli_fail(CMD, "%s is not a regular file", a->path);
    }
    size_t len = (size_t)sb.st_size;
    const uint8_t *data = NULL;
    if (len > 0) {
        void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            close(fd);
            return sl_cli_fail(CMD, "cannot map %s: %s", a->path, strerror(e));
        }
        data = m;
    }
    close(fd);

    printf("Dumping %s\n", a->path);
    int64_t base = name_base_offset(a->path);
    if (base >= 0) printf("Log starting offset: %" PRId64 "\n", base);
    dumplog_stats_t st = {.first = -1, .last = -1};
    if (len > 0) dump(a, data, len, &st);
    printf("Summary: %" PRId64 " batches, %" PRId64 " records", st.batches, st.records);
    if (st.first >= 0) printf(", offsets %" PRId64 "..%" PRId64, st.first, st.last);
    printf(", %zu bytes, %" PRId64 " bad CRC, %" PRId64 " with unreadable records%s\n", len,
           st.bad_crc, st.bad_records, st.problem ? ", PROBLEMS FOUND" : "");
    if (data) munmap((void *)data, len);
    if (fflush(stdout) != 0) return sl_cli_fail(CMD, "writing stdout failed");
    return st.problem ? SL_CLI_EXIT_FAIL : SL_CLI_EXIT_OK;
}

int sl_cli_dumplog(sl_cli_global_t *g, int argc, char **argv)
{
    enum { OPT_DEEP = SL_CLI_OPT_FIRST_LOCAL, OPT_DATA };
    static const struct option opts[] = {
        SL_CLI_COMMON_LONGOPTS, /* accepted everywhere; no server is contacted here */
        {"deep", no_argument, NULL, OPT_DEEP},
        {"deep-iteration", no_argument, NULL, OPT_DEEP},
        {"print-data", no_argument, NULL, OPT_DATA},
        {"print-data-log", no_argument, NULL, OPT_DATA},
        {NULL, 0, NULL, 0},
    };
    dumplog_args_t a = {0};
    int c, rc = SL_CLI_EXIT_OK;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (sl_cli_common_opt(g, CMD, c, argv, usage, &rc)) {
        case SL_CLI_OPT_TAKEN:
            continue;
        case SL_CLI_OPT_EXIT:
            return rc;
        }
        switch (c) {
        case OPT_DEEP:
            a.deep = 1;
            break;
        case OPT_DATA:
            a.deep = a.print_data = 1;
            break;
        default:
            return sl_cli_usage_error(CMD, "unexpected option");
        }
    }
    if (optind >= argc) return sl_cli_usage_error(CMD, "missing the segment file");
    if (optind + 1 < argc)
        return sl_cli_usage_error(CMD, "one segment file at a time ('%s' is extra)",
                                  argv[optind + 1]);
    a.path = argv[optind];
    return run(&a);
}
