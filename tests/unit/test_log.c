/*
 * test_log.c — partition logs: append/read across segment rolls, index correctness, crash
 * recovery (garbage, torn batch, flipped byte), index rebuilds, retention by bytes and time,
 * DeleteRecords, time lookups, compaction, segment.ms rolls, and the group-commit flusher.
 * Every test works in its own directory under a mkdtemp() root removed at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "broker/log.h"
#include "common/err.h"
#include "common/log.h"
#include "common/recbatch.h"
#include "common/time.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];
static int dir_seq;

static void new_dir(char *out, size_t len)
{
    snprintf(out, len, "%s/t-%d", root, dir_seq++);
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/sl_test_log.XXXXXX");
    if (!mkdtemp(root)) return -1;
    /* Recovery tests provoke WARN lines on purpose; SL_TEST_VERBOSE=1 shows them. */
    sl_log_set_level(getenv("SL_TEST_VERBOSE") ? SL_LOG_DEBUG : SL_LOG_ERROR);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static sl_logcfg_t small_cfg(int64_t segment_bytes)
{
    sl_logcfg_t c;
    sl_logcfg_default(&c);
    c.segment_bytes = segment_bytes;
    c.index_interval_bytes = 256;
    return c;
}

/* A batch of n records: key "k<kbase+i>" (or keyfmt), value "v<tag>-<i>", timestamp ts+i*dt. */
static void mkbatch(sl_buf_t *out, int codec, int n, int kbase, int tag, int64_t ts, int64_t dt)
{
    sl_rb_writer_t w;
    sl_rb_writer_init(&w, out, codec, 0);
    for (int i = 0; i < n; i++) {
        char k[32], v[64];
        int kl = snprintf(k, sizeof k, "k%d", kbase + i);
        int vl = snprintf(v, sizeof v, "v%d-%d-padding-padding", tag, i);
        sl_rb_writer_add(&w, i, ts + i * dt, k, kl, v, vl, NULL, 0, 0);
    }
    assert_int_equal(sl_rb_writer_finish(&w), SL_OK);
    sl_rb_writer_free(&w);
}

static void append_one(sl_plog_t *pl, int codec, int n, int kbase, int tag, int64_t ts, int64_t dt)
{
    sl_buf_t b;
    sl_buf_init(&b);
    mkbatch(&b, codec, n, kbase, tag, ts, dt);
    int64_t base, last, end = sl_plog_end_offset(pl);
    assert_int_equal(sl_plog_append(pl, b.data, b.len, &base, &last), SL_OK);
    assert_int_equal(base, end);
    assert_int_equal(last, end + n - 1);
    assert_int_equal(sl_plog_end_offset(pl), end + n);
    sl_buf_free(&b);
}

typedef struct trec_s {
    int64_t off;  /* offset */
    int64_t ts;   /* timestamp */
    char key[32]; /* key ("" when null) */
    int klen;     /* -1 = null */
    char val[64]; /* value ("" when null) */
    int vlen;     /* -1 = null */
} trec_t;

/* Read everything from `from` below hw through sl_plog_read, checking every batch. */
static size_t collect(sl_plog_t *pl, int64_t from, size_t max_bytes, trec_t *out, size_t max)
{
    size_t n = 0;
    int64_t off = from;
    sl_buf_t scratch;
    sl_buf_init(&scratch);
    for (;;) {
        sl_logslice_t sl;
        int rc = sl_plog_read(pl, off, sl_plog_hw(pl), max_bytes, &sl);
        if (rc == SL_EOF) break;
        assert_int_equal(rc, SL_OK);
        assert_true(sl.len > 0);
        struct stat st;
        assert_int_equal(fstat(sl.fd, &st), 0);
        assert_true(sl.pos + sl.len <= st.st_size); /* never spans segments */
        uint8_t *buf = malloc((size_t)sl.len);
        assert_int_equal(pread(sl.fd, buf, (size_t)sl.len, sl.pos), sl.len);
        size_t p = 0;
        int64_t last = -1;
        int first = 1;
        while (p < (size_t)sl.len) {
            sl_rb_hdr_t h;
            assert_int_equal(sl_rb_hdr_parse(buf + p, (size_t)sl.len - p, &h), SL_OK);
            assert_int_equal(sl_rb_crc_check(buf + p, sl_rb_size(&h)), SL_OK);
            if (first) assert_true(h.base_offset + h.last_offset_delta >= off);
            first = 0;
            assert_true(h.base_offset > last);
            sl_rb_iter_t it;
            sl_rb_rec_t r;
            assert_int_equal(sl_rb_iter_init(&it, buf + p, sl_rb_size(&h), &scratch, 1 << 24),
                             SL_OK);
            while (sl_rb_iter_next(&it, &r) == SL_OK) {
                if (r.offset < from) continue;
                assert_true(n < max);
                trec_t *t = &out[n++];
                memset(t, 0, sizeof *t);
                t->off = r.offset;
                t->ts = r.timestamp;
                t->klen = r.key_len;
                if (r.key_len > 0) memcpy(t->key, r.key, (size_t)r.key_len);
                t->vlen = r.value_len;
                if (r.value_len > 0) memcpy(t->val, r.value, (size_t)r.value_len);
            }
            last = h.base_offset + h.last_offset_delta;
            p += sl_rb_size(&h);
        }
        assert_int_equal(sl.next_offset, last + 1);
        assert_true(sl.next_offset > off);
        off = sl.next_offset;
        free(buf);
        sl_seg_release(sl.seg);
    }
    sl_buf_free(&scratch);
    return n;
}

/* Base offsets of the .log files in dir, sorted; returns the count. */
static size_t list_logs(const char *dir, int64_t *bases, size_t max)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l == 24 && strcmp(e->d_name + 20, ".log") == 0) {
            assert_true(n < max);
            bases[n++] = strtoll(e->d_name, NULL, 10);
        }
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && bases[j - 1] > bases[j]; j--) {
            int64_t t = bases[j];
            bases[j] = bases[j - 1];
            bases[j - 1] = t;
        }
    return n;
}

static void seg_file(const char *dir, int64_t base, const char *ext, char *out, size_t len)
{
    snprintf(out, len, "%s/%020" PRId64 "%s", dir, base, ext);
}

static int64_t file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    return st.st_size;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)n + 1);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void append_bytes(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, p, n), (ssize_t)n);
    close(fd);
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_append_read_rolls(void **state)
{
    (void)state;
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(2000);
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    assert_int_equal(sl_plog_end_offset(pl), 0);
    assert_int_equal(sl_plog_read(pl, 0, 0, 100, &(sl_logslice_t){0}), SL_EOF);
    for (int i = 0; i < 200; i++)
        append_one(pl, i % 5, 5, i * 5, i, 1000 + i, 1);
    assert_int_equal(sl_plog_end_offset(pl), 1000);
    assert_int_equal(sl_plog_hw(pl), 1000);
    int64_t bases[256];
    size_t nseg = list_logs(dir, bases, 256);
    assert_true(nseg > 5);
    int64_t total = 0;
    for (size_t i = 0; i < nseg; i++) {
        char p[400];
        seg_file(dir, bases[i], ".log", p, sizeof p);
        total += file_size(p);
        if (i + 1 < nseg) assert_true(file_size(p) <= 2000);
    }
    assert_int_equal(sl_plog_size_bytes(pl), total);

    static trec_t recs[2000];
    size_t n = collect(pl, 0, 1 << 20, recs, 2000);
    assert_int_equal(n, 1000);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(recs[i].off, (int64_t)i);
        char k[32];
        snprintf(k, sizeof k, "k%zu", i);
        assert_string_equal(recs[i].key, k);
    }
    /* Every offset: the first batch of the slice contains it; max_bytes 1 = one batch. */
    for (int64_t o = 0; o < 1000; o++) {
        sl_logslice_t sl;
        assert_int_equal(sl_plog_read(pl, o, 1000, 1, &sl), SL_OK);
        uint8_t hdr[SL_RB_HEADER_SIZE];
        assert_int_equal(pread(sl.fd, hdr, sizeof hdr, sl.pos), (ssize_t)sizeof hdr);
        int64_t b = (int64_t)sl_be64(hdr);
        int64_t last = b + (int32_t)sl_be32(hdr + SL_RB_OFF_LAST_OFFSET_DELTA);
        assert_true(b <= o && o <= last);
        assert_int_equal(b, o - o % 5);
        assert_int_equal(sl.len, 12 + (int64_t)sl_be32(hdr + 8));
        assert_int_equal(sl.next_offset, last + 1);
        sl_seg_release(sl.seg);
    }
    /* max_offset: a batch is included only if its last offset is below it. */
    sl_logslice_t sl;
    assert_int_equal(sl_plog_read(pl, 0, 4, 1 << 20, &sl), SL_EOF);
    assert_int_equal(sl_plog_read(pl, 0, 5, 1 << 20, &sl), SL_OK);
    assert_int_equal(sl.next_offset, 5);
    sl_seg_release(sl.seg);
    assert_int_equal(sl_plog_read(pl, 2, 12, 1 << 20, &sl), SL_OK);
    assert_int_equal(sl.next_offset, 10);
    sl_seg_release(sl.seg);
    assert_int_equal(sl_plog_read(pl, 1000, 1000, 100, &sl), SL_EOF);
    assert_int_equal(sl_plog_read(pl, 1001, 2000, 100, &sl), SL_RANGE);
    assert_int_equal(sl_plog_read(pl, -1, 2000, 100, &sl), SL_RANGE);
    /* Small max_bytes: many slices, same records. */
    static trec_t recs2[2000];
    assert_int_equal(collect(pl, 0, 300, recs2, 2000), 1000);
    assert_int_equal(collect(pl, 637, 1 << 20, recs2, 2000), 363);
    assert_int_equal(recs2[0].off, 637);

    /* The offset index of every closed segment names real batch boundaries. */
    for (size_t i = 0; i + 1 < nseg; i++) {
        char p[400];
        seg_file(dir, bases[i], ".index", p, sizeof p);
        size_t ilen, llen;
        uint8_t *idx = slurp(p, &ilen);
        seg_file(dir, bases[i], ".log", p, sizeof p);
        uint8_t *log = slurp(p, &llen);
        assert_int_equal(ilen % 8, 0);
        if (i == 0) assert_true(ilen >= 8);
        for (size_t e = 0; e < ilen / 8; e++) {
            uint32_t rel = sl_be32(idx + 8 * e), pos = sl_be32(idx + 8 * e + 4);
            assert_true(pos < llen);
            sl_rb_hdr_t h;
            assert_int_equal(sl_rb_hdr_parse(log + pos, llen - pos, &h), SL_OK);
            assert_int_equal(h.base_offset + h.last_offset_delta, bases[i] + rel);
        }
        free(idx);
        free(log);
    }
    sl_plog_close(pl);

    /* Reopen: same contents, same end. */
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    assert_int_equal(sl_plog_end_offset(pl), 1000);
    assert_int_equal(sl_plog_hw(pl), 1000);
    assert_int_equal(sl_plog_size_bytes(pl), total);
    assert_int_equal(collect(pl, 0, 1 << 20, recs2, 2000), 1000);
    assert_memory_equal(recs, recs2, 1000 * sizeof *recs);
    append_one(pl, SL_CODEC_NONE, 3, 0, 0, 0, 0);
    assert_int_equal(sl_plog_end_offset(pl), 1003);
    assert_int_equal(sl_plog_remove(pl), SL_OK);
    struct stat st;
    assert_int_not_equal(stat(dir, &st), 0);
}

static void test_multi_batch_append(void **state)
{
    (void)state;
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(1 << 20);
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    sl_buf_t b;
    sl_buf_init(&b);
    mkbatch(&b, SL_CODEC_NONE, 3, 0, 0, 10, 1);
    mkbatch(&b, SL_CODEC_GZIP, 4, 3, 0, 20, 1);
    mkbatch(&b, SL_CODEC_ZSTD, 1, 7, 0, 30, 1);
    int64_t base, last;
    assert_int_equal(sl_plog_append(pl, b.data, b.len, &base, &last), SL_OK);
    assert_int_equal(base, 0);
    assert_int_equal(last, 7);
    /* Offsets were rewritten in the caller's buffer, outside the CRC. */
    assert_int_equal((int64_t)sl_be64(b.data), 0);
    trec_t recs[16];
    assert_int_equal(collect(pl, 0, 1 << 20, recs, 16), 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(recs[i].off, i);
    assert_int_equal(sl_plog_append(pl, b.data, 30, &base, &last), SL_INVAL);
    assert_int_equal(sl_plog_end_offset(pl), 8);
    sl_buf_free(&b);
    sl_plog_close(pl);
}

/* Build a 50-batch single-segment log and close it. Returns the .log path. */
static void build_simple(const char *dir, char *logpath, size_t len, int64_t *size)
{
    sl_logcfg_t cfg = small_cfg(1 << 20);
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    for (int i = 0; i < 50; i++)
        append_one(pl, i % 5, 5, i * 5, i, 1000 + i, 1);
    sl_plog_close(pl);
    seg_file(dir, 0, ".log", logpath, len);
    *size = file_size(logpath);
}

static void reopen_expect(const char *dir, int64_t end, int64_t size, const char *logpath)
{
    sl_logcfg_t cfg = small_cfg(1 << 20);
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    assert_int_equal(sl_plog_end_offset(pl), end);
    assert_int_equal(sl_plog_hw(pl), end);
    assert_int_equal(file_size(logpath), size);
    static trec_t recs[300];
    assert_int_equal(collect(pl, 0, 1 << 20, recs, 300), (size_t)end);
    for (int64_t i = 0; i < end; i++)
        assert_int_equal(recs[i].off, i);
    /* The log keeps working after a repair, in the same segment. */
    append_one(pl, SL_CODEC_LZ4, 2, 0, 0, 0, 0);
    assert_int_equal(sl_plog_end_offset(pl), end + 2);
    int64_t bases[4];
    assert_int_equal(list_logs(dir, bases, 4), 1);
    sl_plog_close(pl);
}

static void test_recovery_garbage_tail(void **state)
{
    (void)state;
    char dir[300], logpath[400];
    int64_t size;
    new_dir(dir, sizeof dir);
    build_simple(dir, logpath, sizeof logpath, &size);
    uint8_t junk[100];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    append_bytes(logpath, junk, sizeof junk);
    reopen_expect(dir, 250, size, logpath);
    /* Zeros, as a filesystem may leave after a crash. */
    memset(junk, 0, sizeof junk);
    int64_t size2 = file_size(logpath);
    append_bytes(logpath, junk, sizeof junk);
    reopen_expect(dir, 252, size2, logpath);
}

static void test_recovery_torn_batch(void **state)
{
    (void)state;
    char dir[300], logpath[400];
    int64_t size;
    new_dir(dir, sizeof dir);
    build_simple(dir, logpath, sizeof logpath, &size);
    sl_buf_t b;
    sl_buf_init(&b);
    mkbatch(&b, SL_CODEC_NONE, 5, 0, 0, 0, 0);
    sl_wbe64(b.data, 250);
    append_bytes(logpath, b.data, b.len / 2);
    reopen_expect(dir, 250, size, logpath);
    /* Only the header made it. */
    size = file_size(logpath);
    append_bytes(logpath, b.data, 30);
    reopen_expect(dir, 252, size, logpath);
    sl_buf_free(&b);
}

static void test_recovery_flipped_byte(void **state)
{
    (void)state;
    char dir[300], logpath[400];
    int64_t size;
    new_dir(dir, sizeof dir);
    build_simple(dir, logpath, sizeof logpath, &size);
    size_t len;
    uint8_t *log = slurp(logpath, &len);
    /* Find the last batch. */
    size_t p = 0, lastpos = 0;
    while (p < len) {
        sl_rb_hdr_t h;
        assert_int_equal(sl_rb_hdr_parse(log + p, len - p, &h), SL_OK);
        lastpos = p;
        p += sl_rb_size(&h);
    }
    free(log);
    int fd = open(logpath, O_RDWR);
    uint8_t c;
    off_t at = (off_t)lastpos + SL_RB_HEADER_SIZE + 3;
    assert_int_equal(pread(fd, &c, 1, at), 1);
    c ^= 0x40;
    assert_int_equal(pwrite(fd, &c, 1, at), 1);
    close(fd);
    reopen_expect(dir, 245, (int64_t)lastpos, logpath);
}

static void test_recovery_only_last_segment_torn(void **state)
{
    (void)state;
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(1500);
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    for (int i = 0; i < 40; i++)
        append_one(pl, SL_CODEC_NONE, 4, i * 4, i, 1000 + i, 1);
    sl_plog_close(pl);
    int64_t bases[64];
    size_t n = list_logs(dir, bases, 64);
    assert_true(n >= 3);
    char p[400];
    seg_file(dir, bases[n - 1], ".log", p, sizeof p);
    int64_t sz = file_size(p);
    append_bytes(p, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 11);
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    assert_int_equal(sl_plog_end_offset(pl), 160);
    assert_int_equal(file_size(p), sz);
    static trec_t recs[200];
    assert_int_equal(collect(pl, 0, 1 << 20, recs, 200), 160);
    sl_plog_close(pl);
}

static void test_index_rebuild(void **state)
{
    (void)state;
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(2000);
    cfg.index_interval_bytes = 100;
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    for (int i = 0; i < 90; i++)
        append_one(pl, i % 5, 4, i * 4, i, 5000 + (i * 7) % 50, 3);
    sl_plog_close(pl);
    int64_t bases[64];
    size_t n = list_logs(dir, bases, 64);
    assert_true(n >= 6);
    enum { NDAMAGED = 5 };
    char p[400];
    uint8_t *orig_idx[NDAMAGED], *orig_tidx[NDAMAGED];
    size_t orig_ilen[NDAMAGED], orig_tlen[NDAMAGED];
    for (int i = 0; i < NDAMAGED; i++) {
        seg_file(dir, bases[i], ".index", p, sizeof p);
        orig_idx[i] = slurp(p, &orig_ilen[i]);
        assert_true(orig_ilen[i] >= 16);
        seg_file(dir, bases[i], ".timeindex", p, sizeof p);
        orig_tidx[i] = slurp(p, &orig_tlen[i]);
        assert_true(orig_tlen[i] >= 12);
    }
    /* One kind of damage per closed segment, so each check is exercised on its own. */
    /* 0: both indexes deleted */
    seg_file(dir, bases[0], ".index", p, sizeof p);
    unlink(p);
    seg_file(dir, bases[0], ".timeindex", p, sizeof p);
    unlink(p);
    /* 1: time index emptied: consistent in itself, but it misses the largest timestamp */
    seg_file(dir, bases[1], ".timeindex", p, sizeof p);
    assert_int_equal(truncate(p, 0), 0);
    /* 2: offset index size not a multiple of 8 */
    seg_file(dir, bases[2], ".index", p, sizeof p);
    assert_int_equal(truncate(p, (off_t)orig_ilen[2] - 3), 0);
    /* 3: two entries swapped (non-monotonic) */
    seg_file(dir, bases[3], ".index", p, sizeof p);
    {
        uint8_t *cp = malloc(orig_ilen[3]);
        memcpy(cp, orig_idx[3], orig_ilen[3]);
        uint8_t t[8];
        memcpy(t, cp, 8);
        memcpy(cp, cp + 8, 8);
        memcpy(cp + 8, t, 8);
        FILE *f = fopen(p, "wb");
        fwrite(cp, 1, orig_ilen[3], f);
        fclose(f);
        free(cp);
    }
    /* 4: an extra entry pointing beyond the file */
    seg_file(dir, bases[4], ".index", p, sizeof p);
    uint8_t e[8];
    sl_wbe32(e, 0x7fffff00);
    sl_wbe32(e + 4, 0x7fffff00);
    append_bytes(p, e, 8);
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    assert_int_equal(sl_plog_end_offset(pl), 360);
    for (int i = 0; i < NDAMAGED; i++) {
        size_t l;
        seg_file(dir, bases[i], ".index", p, sizeof p);
        uint8_t *x = slurp(p, &l);
        assert_int_equal(l, orig_ilen[i]);
        assert_memory_equal(x, orig_idx[i], l);
        free(x);
        seg_file(dir, bases[i], ".timeindex", p, sizeof p);
        x = slurp(p, &l);
        assert_int_equal(l, orig_tlen[i]);
        assert_memory_equal(x, orig_tidx[i], l);
        free(x);
        free(orig_idx[i]);
        free(orig_tidx[i]);
    }
    for (int64_t o = 0; o < 360; o += 3) {
        sl_logslice_t sl;
        assert_int_equal(sl_plog_read(pl, o, 360, 1, &sl), SL_OK);
        uint8_t hdr[SL_RB_HEADER_SIZE];
        assert_int_equal(pread(sl.fd, hdr, sizeof hdr, sl.pos), (ssize_t)sizeof hdr);
        assert_int_equal((int64_t)sl_be64(hdr), o - o % 4);
        sl_seg_release(sl.seg);
    }
    int64_t off, ts;
    assert_int_equal(sl_plog_max_timestamp(pl, &off, &ts), SL_OK);
    assert_int_equal(ts, 5000 + 49 + 9);
    sl_plog_close(pl);
    /* The active segment's index is rebuilt too. */
    seg_file(dir, bases[n - 1], ".index", p, sizeof p);
    unlink(p);
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    assert_true(file_size(p) >= 0);
    static trec_t recs[400];
    assert_int_equal(collect(pl, 0, 1 << 20, recs, 400), 360);
    sl_plog_close(pl);
}

static void test_retention_bytes(void **state)
{
    (void)state;
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(1000);
    int64_t now = sl_wallclock_ms();
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    for (int i = 0; i < 60; i++)
        append_one(pl, SL_CODEC_NONE, 3, i * 3, i, now, 1);
    int64_t bases[128];
    size_t n0 = list_logs(dir, bases, 128);
    assert_true(n0 > 6);
    /* Keep a slice of the first segment across its deletion. */
    sl_logslice_t held;
    assert_int_equal(sl_plog_read(pl, 0, 180, 1 << 20, &held), SL_OK);
    uint8_t *before = malloc((size_t)held.len);
    assert_int_equal(pread(held.fd, before, (size_t)held.len, held.pos), held.len);

    assert_int_equal(sl_plog_housekeep(pl, now), 0); /* nothing due */
    cfg.retention_bytes = 3000;
    sl_plog_set_config(pl, &cfg);
    int del = sl_plog_housekeep(pl, now);
    assert_true(del > 0);
    size_t n1 = list_logs(dir, bases, 128);
    assert_int_equal(n1, n0 - (size_t)del);
    assert_true(sl_plog_size_bytes(pl) >= 3000);
    char p[400];
    seg_file(dir, bases[0], ".log", p, sizeof p);
    assert_true(sl_plog_size_bytes(pl) - file_size(p) < 3000);
    assert_int_equal(sl_plog_start_offset(pl), bases[0]);
    sl_logslice_t sl;
    assert_int_equal(sl_plog_read(pl, bases[0] - 1, 180, 100, &sl), SL_RANGE);
    assert_int_equal(sl_plog_read(pl, bases[0], 180, 100, &sl), SL_OK);
    sl_seg_release(sl.seg);
    /* The held slice still reads the deleted file. */
    uint8_t *after = malloc((size_t)held.len);
    assert_int_equal(pread(held.fd, after, (size_t)held.len, held.pos), held.len);
    assert_memory_equal(before, after, (size_t)held.len);
    sl_seg_release(held.seg);
    free(before);
    free(after);

    /* retention.bytes = 0 deletes everything but the active segment. */
    cfg.retention_bytes = 0;
    sl_plog_set_config(pl, &cfg);
    assert_true(sl_plog_housekeep(pl, now) > 0);
    assert_int_equal(list_logs(dir, bases, 128), 1);
    assert_int_equal(sl_plog_start_offset(pl), bases[0]);
    assert_int_equal(sl_plog_end_offset(pl), 180);
    int64_t start = sl_plog_start_offset(pl);
    sl_plog_close(pl);
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    assert_int_equal(sl_plog_start_offset(pl), start);
    assert_int_equal(sl_plog_end_offset(pl), 180);
    sl_plog_close(pl);
}

static void test_retention_time(void **state)
{
    (void)state;
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(1000);
    cfg.retention_ms = 5000;
    int64_t t0 = 1000000, t1 = t0 + 100000;
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    for (int i = 0; i < 30; i++)
        append_one(pl, SL_CODEC_NONE, 3, i * 3, i, t0, 0);
    for (int i = 30; i < 60; i++)
        append_one(pl, SL_CODEC_NONE, 3, i * 3, i, t1, 0);
    int64_t bases[128];
    size_t n0 = list_logs(dir, bases, 128);
    /* retention.ms = -1 keeps everything; so does cleanup.policy=compact alone. */
    cfg.retention_ms = -1;
    sl_plog_set_config(pl, &cfg);
    assert_int_equal(sl_plog_housekeep(pl, t1 + 1000), 0);
    cfg.retention_ms = 5000;
    cfg.cleanup_delete = 0;
    sl_plog_set_config(pl, &cfg);
    assert_int_equal(sl_plog_housekeep(pl, t1 + 1000), 0);
    cfg.cleanup_delete = 1;
    sl_plog_set_config(pl, &cfg);
    int del = sl_plog_housekeep(pl, t1 + 1000);
    assert_true(del > 0);
    size_t n1 = list_logs(dir, bases, 128);
    assert_int_equal(n1, n0 - (size_t)del);
    /* Everything from t1 survived, and the first remaining segment has t1 data. */
    static trec_t recs[200];
    size_t n = collect(pl, sl_plog_start_offset(pl), 1 << 20, recs, 200);
    size_t new_ones = 0;
    for (size_t i = 0; i < n; i++)
        new_ones += recs[i].ts == t1;
    assert_int_equal(new_ones, 90);
    assert_true(recs[0].off <= 90);
    assert_true(sl_plog_start_offset(pl) > 0);
    /* Much later: all closed segments go, the active one stays. */
    assert_true(sl_plog_housekeep(pl, t1 + 100000) > 0);
    assert_int_equal(list_logs(dir, bases, 128), 1);
    assert_int_equal(sl_plog_end_offset(pl), 180);
    sl_plog_close(pl);
}

static void test_delete_before(void **state)
{
    (void)state;
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(1000);
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    for (int i = 0; i < 100; i++)
        append_one(pl, SL_CODEC_NONE, 5, i * 5, i, 1000, 1);
    assert_int_equal(sl_plog_delete_before(pl, 501), SL_RANGE);
    assert_int_equal(sl_plog_delete_before(pl, 237), SL_OK);
    assert_int_equal(sl_plog_start_offset(pl), 237);
    int64_t bases[128];
    size_t n = list_logs(dir, bases, 128);
    assert_true(bases[0] <= 237);
    assert_true(n > 1 && bases[1] > 237);
    sl_logslice_t sl;
    assert_int_equal(sl_plog_read(pl, 236, 500, 100, &sl), SL_RANGE);
    assert_int_equal(sl_plog_read(pl, 237, 500, 1, &sl), SL_OK);
    uint8_t hdr[8];
    assert_int_equal(pread(sl.fd, hdr, 8, sl.pos), 8);
    assert_int_equal((int64_t)sl_be64(hdr), 235);
    sl_seg_release(sl.seg);
    assert_int_equal(sl_plog_delete_before(pl, 100), SL_OK); /* never moves back */
    assert_int_equal(sl_plog_start_offset(pl), 237);
    sl_plog_close(pl);
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    assert_int_equal(sl_plog_start_offset(pl), 237);
    assert_int_equal(sl_plog_end_offset(pl), 500);
    /* Up to the end: only the active segment stays. */
    assert_int_equal(sl_plog_delete_before(pl, 500), SL_OK);
    assert_int_equal(list_logs(dir, bases, 128), 1);
    assert_int_equal(sl_plog_read(pl, 500, 500, 100, &sl), SL_EOF);
    assert_int_equal(sl_plog_read(pl, 499, 500, 100, &sl), SL_RANGE);
    sl_plog_close(pl);
}

static void test_offset_for_time(void **state)
{
    (void)state;
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(1200);
    cfg.index_interval_bytes = 100;
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    int64_t off, ts;
    assert_int_equal(sl_plog_offset_for_time(pl, 0, &off, &ts), SL_NOENT);
    assert_int_equal(sl_plog_max_timestamp(pl, &off, &ts), SL_NOENT);
    /* record o has timestamp 10000 + 10*o */
    for (int i = 0; i < 80; i++)
        append_one(pl, i % 5, 5, i * 5, i, 10000 + 50 * i, 10);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(sl_plog_offset_for_time(pl, 10000 + 1230, &off, &ts), SL_OK);
        assert_int_equal(off, 123);
        assert_int_equal(ts, 11230);
        assert_int_equal(sl_plog_offset_for_time(pl, 10000 + 1225, &off, &ts), SL_OK);
        assert_int_equal(off, 123);
        assert_int_equal(sl_plog_offset_for_time(pl, 0, &off, &ts), SL_OK);
        assert_int_equal(off, 0);
        assert_int_equal(ts, 10000);
        for (int64_t o = 0; o < 400; o += 7) {
            assert_int_equal(sl_plog_offset_for_time(pl, 10000 + 10 * o, &off, &ts), SL_OK);
            assert_int_equal(off, o);
        }
        assert_int_equal(sl_plog_offset_for_time(pl, 10000 + 4000, &off, &ts), SL_NOENT);
        assert_int_equal(sl_plog_max_timestamp(pl, &off, &ts), SL_OK);
        assert_int_equal(off, 399);
        assert_int_equal(ts, 10000 + 3990);
        if (round == 0) {
            sl_plog_close(pl);
            assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
        }
    }
    /* A batch whose largest timestamp sits in the middle. */
    sl_buf_t b;
    sl_buf_init(&b);
    sl_rb_writer_t w;
    sl_rb_writer_init(&w, &b, SL_CODEC_SNAPPY, 0);
    sl_rb_writer_add(&w, 0, 5, "a", 1, "x", 1, NULL, 0, 0);
    sl_rb_writer_add(&w, 1, 999999, "b", 1, "y", 1, NULL, 0, 0);
    sl_rb_writer_add(&w, 2, 7, "c", 1, "z", 1, NULL, 0, 0);
    assert_int_equal(sl_rb_writer_finish(&w), SL_OK);
    sl_rb_writer_free(&w);
    int64_t base, last;
    assert_int_equal(sl_plog_append(pl, b.data, b.len, &base, &last), SL_OK);
    sl_buf_free(&b);
    assert_int_equal(sl_plog_max_timestamp(pl, &off, &ts), SL_OK);
    assert_int_equal(off, 401);
    assert_int_equal(ts, 999999);
    assert_int_equal(sl_plog_offset_for_time(pl, 500000, &off, &ts), SL_OK);
    assert_int_equal(off, 401);
    /* Records below the log start offset are skipped. */
    assert_int_equal(sl_plog_delete_before(pl, 200), SL_OK);
    assert_int_equal(sl_plog_offset_for_time(pl, 0, &off, &ts), SL_OK);
    assert_int_equal(off, 200);
    sl_plog_close(pl);
}

/* Compaction scenario: two null-key records (offsets 0,1), then rounds r = 0..9 of keys
 * k0..k9 (one batch each, offsets 2+10r+k), except that round 9 skips k3 and round 8 writes a
 * tombstone for k3. Then filler batches with unique keys push everything into closed
 * segments. */
static int64_t compaction_fill(sl_plog_t *pl)
{
    sl_buf_t b;
    sl_buf_init(&b);
    sl_rb_writer_t w;
    int64_t base, last;
    sl_rb_writer_init(&w, &b, SL_CODEC_NONE, 0);
    sl_rb_writer_add(&w, 0, 1000, NULL, -1, "nokey-0", 7, NULL, 0, 0);
    sl_rb_writer_add(&w, 1, 1000, NULL, -1, "nokey-1", 7, NULL, 0, 0);
    assert_int_equal(sl_rb_writer_finish(&w), SL_OK);
    sl_rb_writer_free(&w);
    assert_int_equal(sl_plog_append(pl, b.data, b.len, &base, &last), SL_OK);
    for (int r = 0; r < 10; r++) {
        sl_buf_reset(&b);
        sl_rb_writer_init(&w, &b, r % 5, 0);
        int64_t o = 0;
        for (int k = 0; k < 10; k++) {
            if (r == 9 && k == 3) continue;
            char key[8], val[32];
            int kl = snprintf(key, sizeof key, "k%d", k);
            int vl = snprintf(val, sizeof val, "round%d-k%d", r, k);
            if (r == 8 && k == 3)
                sl_rb_writer_add(&w, o++, 1000 + r, key, kl, NULL, -1, NULL, 0, 0);
            else
                sl_rb_writer_add(&w, o++, 1000 + r, key, kl, val, vl, NULL, 0, 0);
        }
        assert_int_equal(sl_rb_writer_finish(&w), SL_OK);
        sl_rb_writer_free(&w);
        assert_int_equal(sl_plog_append(pl, b.data, b.len, &base, &last), SL_OK);
    }
    int64_t filler_start = sl_plog_end_offset(pl);
    for (int i = 0; i < 12; i++)
        append_one(pl, SL_CODEC_NONE, 2, 1000 + 2 * i, 0, 2000, 0);
    sl_buf_free(&b);
    return filler_start;
}

/* Offset of (round r, key k) in the scenario above. */
static int64_t rk_off(int r, int k)
{
    return 2 + 10 * r + (r == 9 && k > 3 ? k - 1 : k);
}

static void check_compacted(sl_plog_t *pl, int64_t active_base, int tomb_expected)
{
    static trec_t recs[300];
    size_t n = collect(pl, 0, 1 << 20, recs, 300);
    int64_t end = sl_plog_end_offset(pl);
    /* Expected survivors, by offset. */
    size_t want = 0;
    for (int64_t o = 0; o < end; o++) {
        int keep;
        if (o < 2 || o >= active_base || o >= rk_off(9, 9) + 1) {
            keep = 1; /* no key, active segment, or unique filler keys */
        } else {
            int r = (int)((o - 2) / 10), k = (int)((o - 2) % 10);
            if (r == 9 && k >= 3) k++;
            int latest_round = k == 3 ? 8 : 9;
            keep = r == latest_round && (k != 3 || tomb_expected);
        }
        if (!keep) continue;
        assert_true(want < n);
        assert_int_equal(recs[want].off, o);
        want++;
    }
    assert_int_equal(n, want);
    /* Latest values. */
    for (size_t i = 0; i < n; i++) {
        if (recs[i].off < 2 || recs[i].off >= rk_off(9, 9) + 1 || recs[i].off >= active_base)
            continue;
        if (strcmp(recs[i].key, "k3") == 0) {
            assert_int_equal(recs[i].vlen, -1);
        } else {
            char v[48];
            snprintf(v, sizeof v, "round9-%s", recs[i].key);
            assert_string_equal(recs[i].val, v);
        }
    }
}

static void test_compaction(void **state)
{
    (void)state;
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(400);
    cfg.cleanup_delete = 0;
    cfg.cleanup_compact = 1;
    cfg.delete_retention_ms = 1000000;
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    compaction_fill(pl);
    int64_t end = sl_plog_end_offset(pl);
    int64_t bases[128];
    size_t nseg = list_logs(dir, bases, 128);
    assert_true(nseg > 4);
    int64_t active = bases[nseg - 1];
    assert_true(active > rk_off(9, 9));
    int64_t size_before = sl_plog_size_bytes(pl);

    int64_t now = 5000; /* tombstone (ts 1008) is younger than delete.retention.ms */
    int n = sl_plog_housekeep(pl, now);
    assert_true(n > 0);
    assert_true(sl_plog_size_bytes(pl) < size_before);
    assert_int_equal(sl_plog_end_offset(pl), end);
    check_compacted(pl, active, 1);
    /* Nothing new: a second pass does nothing. */
    assert_int_equal(sl_plog_housekeep(pl, now), 0);

    /* A read at an offset compacted away returns the next batch. */
    sl_logslice_t sl;
    assert_int_equal(sl_plog_read(pl, rk_off(0, 0), end, 1, &sl), SL_OK);
    uint8_t hdr[SL_RB_HEADER_SIZE];
    assert_int_equal(pread(sl.fd, hdr, sizeof hdr, sl.pos), (ssize_t)sizeof hdr);
    assert_true((int64_t)sl_be64(hdr) >= rk_off(8, 3));
    sl_seg_release(sl.seg);
    static trec_t recs[300];
    size_t got = collect(pl, rk_off(3, 5), 1 << 20, recs, 300);
    assert_true(got > 0);
    assert_int_equal(recs[0].off, rk_off(8, 3));

    /* Reopen: the rewritten segments and their indexes are consistent. */
    sl_plog_close(pl);
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    assert_int_equal(sl_plog_end_offset(pl), end);
    check_compacted(pl, active, 1);

    /* Once delete.retention.ms has passed, the tombstone goes too. */
    n = sl_plog_housekeep(pl, 1008 + 1000000 + 10);
    assert_true(n > 0);
    check_compacted(pl, active, 0);
    for (int64_t o = 0; o < end; o++) {
        assert_int_equal(sl_plog_read(pl, o, end, 1, &sl), SL_OK);
        assert_int_equal(pread(sl.fd, hdr, sizeof hdr, sl.pos), (ssize_t)sizeof hdr);
        assert_true((int64_t)sl_be64(hdr) + (int32_t)sl_be32(hdr + SL_RB_OFF_LAST_OFFSET_DELTA) >=
                    o);
        sl_seg_release(sl.seg);
    }
    /* New appends still work and keys updated in the active segment win next time. */
    append_one(pl, SL_CODEC_NONE, 1, 0, 77, 3000, 0);
    assert_int_equal(sl_plog_end_offset(pl), end + 1);
    sl_plog_close(pl);
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    check_compacted(pl, active, 0);
    sl_plog_close(pl);
}

static void test_segment_ms_roll(void **state)
{
    (void)state;
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(1 << 20);
    cfg.segment_ms = 1000;
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    int64_t now = sl_wallclock_ms();
    assert_int_equal(sl_plog_housekeep(pl, now + 5000), 0);
    int64_t bases[8];
    assert_int_equal(list_logs(dir, bases, 8), 1); /* an empty segment never rolls */
    append_one(pl, SL_CODEC_NONE, 3, 0, 0, now, 0);
    sl_plog_housekeep(pl, now + 100);
    assert_int_equal(list_logs(dir, bases, 8), 1);
    sl_plog_housekeep(pl, now + 5000);
    assert_int_equal(list_logs(dir, bases, 8), 2);
    assert_int_equal(bases[1], 3);
    sl_plog_housekeep(pl, now + 50000);
    assert_int_equal(list_logs(dir, bases, 8), 2);
    append_one(pl, SL_CODEC_NONE, 3, 0, 0, now, 0);
    trec_t recs[8];
    assert_int_equal(collect(pl, 0, 1 << 20, recs, 8), 6);
    sl_plog_close(pl);
}

/* ---- flusher -------------------------------------------------------------------------- */

typedef struct durable_s {
    int calls;       /* callbacks seen */
    sl_plog_t *last; /* plog of the last callback */
} durable_t;

static void on_durable(void *arg, sl_plog_t *pl)
{
    durable_t *d = arg;
    d->calls++;
    d->last = pl;
}

/* Run the loop until hw reaches `want` (or 5 s). */
static void wait_hw(uv_loop_t *loop, sl_plog_t *pl, int64_t want)
{
    int64_t deadline = sl_monotonic_ms() + 5000;
    while (sl_plog_hw(pl) < want && sl_monotonic_ms() < deadline)
        uv_run(loop, UV_RUN_ONCE);
    assert_int_equal(sl_plog_hw(pl), want);
}

static void test_flusher_durable(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    durable_t d = {0};
    sl_flusher_t *fl;
    assert_int_equal(sl_flusher_start(&loop, on_durable, &d, &fl), SL_OK);
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(2000);
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, fl, &pl), SL_OK);
    append_one(pl, SL_CODEC_NONE, 5, 0, 0, 0, 0);
    /* Not durable yet: the loop has not heard from the flusher. */
    assert_int_equal(sl_plog_hw(pl), 0);
    sl_logslice_t sl;
    assert_int_equal(sl_plog_read(pl, 0, sl_plog_hw(pl), 100, &sl), SL_EOF);
    wait_hw(&loop, pl, 5);
    assert_true(d.calls >= 1);
    assert_ptr_equal(d.last, pl);
    /* A burst across segment rolls coalesces into few syncs and ends durable. */
    for (int i = 0; i < 40; i++)
        append_one(pl, i % 5, 5, i * 5, i, 0, 0);
    assert_true(sl_plog_hw(pl) < 205);
    wait_hw(&loop, pl, 205);
    int64_t bases[64];
    assert_true(list_logs(dir, bases, 64) > 2);
    /* Close with a request in flight: nothing may touch freed memory. */
    int calls = d.calls;
    append_one(pl, SL_CODEC_NONE, 5, 0, 0, 0, 0);
    sl_plog_close(pl);
    /* A second plog keeps working while the first one's completion is pending. */
    char dir2[300];
    new_dir(dir2, sizeof dir2);
    sl_plog_t *pl2;
    assert_int_equal(sl_plog_open(dir2, &cfg, fl, &pl2), SL_OK);
    append_one(pl2, SL_CODEC_ZSTD, 2, 0, 0, 0, 0);
    wait_hw(&loop, pl2, 2);
    assert_ptr_equal(d.last, pl2);
    assert_int_equal(d.calls, calls + 1); /* no callback for the closed plog */
    append_one(pl2, SL_CODEC_ZSTD, 2, 0, 0, 0, 0);
    sl_plog_close(pl2);
    sl_flusher_stop(fl);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
    /* What was acknowledged is on disk. */
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    assert_int_equal(sl_plog_end_offset(pl), 210);
    sl_plog_close(pl);
}

static void test_flusher_relaxed(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    durable_t d = {0};
    sl_flusher_t *fl;
    assert_int_equal(sl_flusher_start(&loop, on_durable, &d, &fl), SL_OK);
    char dir[300];
    new_dir(dir, sizeof dir);
    sl_logcfg_t cfg = small_cfg(1 << 20);
    cfg.flush_messages = 10;
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &cfg, fl, &pl), SL_OK);
    append_one(pl, SL_CODEC_NONE, 4, 0, 0, 0, 0);
    assert_int_equal(sl_plog_hw(pl), 4); /* at once */
    for (int i = 0; i < 5; i++)
        append_one(pl, SL_CODEC_NONE, 4, 0, 0, 0, 0);
    assert_int_equal(sl_plog_hw(pl), 24);
    /* The background syncs complete without moving anything (or calling back). */
    int64_t deadline = sl_monotonic_ms() + 300;
    while (sl_monotonic_ms() < deadline)
        uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(d.calls, 0);
    /* flush.ms through housekeeping. */
    cfg.flush_ms = 10;
    sl_plog_set_config(pl, &cfg);
    append_one(pl, SL_CODEC_NONE, 1, 0, 0, 0, 0);
    sl_plog_housekeep(pl, sl_wallclock_ms() + 1000);
    sl_plog_close(pl);
    sl_flusher_stop(fl);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_int_equal(d.calls, 0);

    /* Without a flusher: durable appends are synced inline. */
    new_dir(dir, sizeof dir);
    sl_logcfg_default(&cfg);
    assert_int_equal(sl_plog_open(dir, &cfg, NULL, &pl), SL_OK);
    append_one(pl, SL_CODEC_NONE, 4, 0, 0, 0, 0);
    assert_int_equal(sl_plog_hw(pl), 4);
    sl_plog_close(pl);
}

static void test_defaults(void **state)
{
    (void)state;
    sl_logcfg_t c;
    sl_logcfg_default(&c);
    assert_int_equal(c.segment_bytes, 1073741824);
    assert_int_equal(c.retention_ms, 604800000);
    assert_int_equal(c.retention_bytes, -1);
    assert_int_equal(c.flush_messages, 1);
    assert_int_equal(c.index_interval_bytes, 4096);
    assert_int_equal(c.cleanup_delete, 1);
    assert_int_equal(c.cleanup_compact, 0);
    assert_int_equal(c.delete_retention_ms, 86400000);
    char dir[300];
    new_dir(dir, sizeof dir);
    strcat(dir, "/nested/topic-3");
    sl_plog_t *pl;
    assert_int_equal(sl_plog_open(dir, &c, NULL, &pl), SL_OK);
    assert_string_equal(sl_plog_dir(pl), dir);
    assert_int_equal(sl_plog_leader_epoch(pl), 0);
    char meta[400];
    snprintf(meta, sizeof meta, "%s/partition.meta", dir);
    assert_true(file_size(meta) > 0);
    sl_plog_close(pl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_append_read_rolls),
        cmocka_unit_test(test_multi_batch_append),
        cmocka_unit_test(test_recovery_garbage_tail),
        cmocka_unit_test(test_recovery_torn_batch),
        cmocka_unit_test(test_recovery_flipped_byte),
        cmocka_unit_test(test_recovery_only_last_segment_torn),
        cmocka_unit_test(test_index_rebuild),
        cmocka_unit_test(test_retention_bytes),
        cmocka_unit_test(test_retention_time),
        cmocka_unit_test(test_delete_before),
        cmocka_unit_test(test_offset_for_time),
        cmocka_unit_test(test_compaction),
        cmocka_unit_test(test_segment_ms_roll),
        cmocka_unit_test(test_flusher_durable),
        cmocka_unit_test(test_flusher_relaxed),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
