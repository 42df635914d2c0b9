/*
 * topics.c — the topic catalog: which topics exist, their ids, partition logs and config
 * overrides, persisted in one small JSON file.
 *
 * <data-dir>/__sluice_topics.json (rewritten whole on every change):
 *
 *   {
 *     "version": 1,
 *     "topics": [
 *       { "name": "orders",                        name-sorted
 *         "id": "4f1c0a7be2d94c6a9d0e5b8f3a2c1d07", 16 random bytes (UUID v4), lower-case hex
 *         "partitions": 3,
 *         "configs": { "cleanup.policy": "compact" } overrides only, Kafka key names
 *       }
 *     ]
 *   }
 *
 * Atomic replacement: write __sluice_topics.json.tmp, fsync it, rename over the file, fsync
 * the directory. A crash leaves either the old or the new catalog, never a torn one.
 *
 * Ordering against the partition directories (<data-dir>/<topic>-<p>/):
 *  - create / add partitions: the catalog is written first, then the logs are opened (which
 *    creates their directories). A crash in between is harmless: opening the catalog opens
 *    (and so creates) every listed partition.
 *  - delete: the catalog is written first, then the directories are removed. A crash in
 *    between leaves directories that belong to no topic; they are reported at open and left
 *    alone, and creating a topic whose directory already exists fails loudly
 *    (KAFKA_STORAGE_ERROR naming the directory) instead of adopting someone else's data.
 *
 * Lookups by name and by id are O(1): two open-addressing hash tables over the topics,
 * rebuilt on every change (changes are rare, lookups happen per produced/fetched partition).
 * The name-sorted array that sl_catalog_list hands out is kept in order on every change.
 *
 * @locality loop thread
 */
#include "broker/topics.h"
#include "broker/kerr.h"
#include "broker/topic_config.h"
#include "common/err.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define CATALOG_FILE    "__sluice_topics.json"
#define CATALOG_VERSION 1
#define MAX_NAME_LEN    249
/* A guard against a typo creating millions of directories; Kafka has no hard limit. */
#define MAX_PARTITIONS 10000

struct sl_catalog_s {
    char *dir;                  /* owned: the data directory */
    char *path;                 /* owned: <dir>/__sluice_topics.json */
    const sl_props_t *bprops;   /* borrowed: broker settings (server.properties keys) */
    sl_flusher_t *fl;           /* borrowed, may be NULL: group-commit flusher for new logs */
    sl_topic_t **sorted;        /* owned array of owned topics, sorted by name */
    size_t n;                   /* topics */
    size_t cap;                 /* entries allocated in sorted */
    sl_topic_t **by_name;       /* hash table (nslots, NULL = empty slot), borrowed entries */
    sl_topic_t **by_id;         /* hash table keyed by topic id */
    size_t nslots;              /* power of two, at least twice n */
    int32_t default_partitions; /* num.partitions */
    int auto_create;            /* auto.create.topics.enable */
};

/* ---- names ------------------------------------------------------------------------------ */

/* Names and values go back to clients inside messages: keep them printable ASCII. */
static void safe_name(char *dst, size_t dstlen, const char *src, size_t len)
{
    size_t i = 0;
    for (; i < len && i + 1 < dstlen; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[i] = 0;
}

int sl_topic_name_check(const char *name, size_t len, char *err, size_t errlen)
{
    char shown[MAX_NAME_LEN + 64];
    if (len == 0) {
        snprintf(err, errlen, "Topic name is illegal, it can't be empty");
        return SL_INVAL;
    }
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
        snprintf(err, errlen, "Topic name cannot be \".\" or \"..\"");
        return SL_INVAL;
    }
    if (len > MAX_NAME_LEN) {
        safe_name(shown, sizeof shown, name, len);
        snprintf(err, errlen,
                 "Topic name is illegal, it can't be longer than %d characters, topic name: %s",
                 MAX_NAME_LEN, shown);
        return SL_INVAL;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '_' || c == '-')
            continue;
        safe_name(shown, sizeof shown, name, len);
        snprintf(err, errlen,
                 "Topic name \"%s\" is illegal, it contains a character other than ASCII "
                 "alphanumerics, '.', '_' and '-'",
                 shown);
        return SL_INVAL;
    }
    return SL_OK;
}

/* Kafka refuses names that differ only in '.' versus '_' (their metric names collide). */
static int names_collide(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '.' ? '_' : *a, y = *b == '.' ? '_' : *b;
        if (x != y) return 0;
    }
    return *a == 0 && *b == 0;
}

/* ---- hash tables ------------------------------------------------------------------------ */

static uint64_t hash_bytes(const void *p, size_t n)
{
    const uint8_t *s = p;
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void index_rebuild(sl_catalog_t *cat)
{
    size_t want = 16;
    while (want < cat->n * 2 + 1)
        want *= 2;
    if (want != cat->nslots) {
        free(cat->by_name);
        free(cat->by_id);
        cat->by_name = calloc(want, sizeof *cat->by_name);
        cat->by_id = calloc(want, sizeof *cat->by_id);
        if (!cat->by_name || !cat->by_id) abort();
        cat->nslots = want;
    } else {
        memset(cat->by_name, 0, want * sizeof *cat->by_name);
        memset(cat->by_id, 0, want * sizeof *cat->by_id);
    }
    size_t mask = cat->nslots - 1;
    for (size_t i = 0; i < cat->n; i++) {
        sl_topic_t *t = cat->sorted[i];
        size_t h = (size_t)hash_bytes(t->name, strlen(t->name)) & mask;
        while (cat->by_name[h])
            h = (h + 1) & mask;
        cat->by_name[h] = t;
        h = (size_t)hash_bytes(t->id, 16) & mask;
        while (cat->by_id[h])
            h = (h + 1) & mask;
        cat->by_id[h] = t;
    }
}

sl_topic_t *sl_catalog_find(sl_catalog_t *cat, const char *name, size_t name_len)
{
    if (!cat->nslots || !name) return NULL;
    size_t mask = cat->nslots - 1;
    for (size_t h = (size_t)hash_bytes(name, name_len) & mask; cat->by_name[h];
         h = (h + 1) & mask) {
        sl_topic_t *t = cat->by_name[h];
        if (strlen(t->name) == name_len && memcmp(t->name, name, name_len) == 0) return t;
    }
    return NULL;
}

sl_topic_t *sl_catalog_find_id(sl_catalog_t *cat, const uint8_t id[16])
{
    if (!cat->nslots) return NULL;
    size_t mask = cat->nslots - 1;
    for (size_t h = (size_t)hash_bytes(id, 16) & mask; cat->by_id[h]; h = (h + 1) & mask)
        if (memcmp(cat->by_id[h]->id, id, 16) == 0) return cat->by_id[h];
    return NULL;
}

size_t sl_catalog_list(sl_catalog_t *cat, sl_topic_t *const **out)
{
    *out = cat->sorted;
    return cat->n;
}

/* Position of name in the sorted array (where it is, or where it would go). */
static size_t sorted_pos(const sl_catalog_t *cat, const char *name)
{
    size_t lo = 0, hi = cat->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(cat->sorted[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void catalog_insert(sl_catalog_t *cat, sl_topic_t *t)
{
    if (cat->n == cat->cap) {
        cat->cap = cat->cap ? cat->cap * 2 : 16;
        cat->sorted = realloc(cat->sorted, cat->cap * sizeof *cat->sorted);
        if (!cat->sorted) abort();
    }
    size_t pos = sorted_pos(cat, t->name);
    memmove(&cat->sorted[pos + 1], &cat->sorted[pos], (cat->n - pos) * sizeof *cat->sorted);
    cat->sorted[pos] = t;
    cat->n++;
    index_rebuild(cat);
}

static void catalog_unlink(sl_catalog_t *cat, sl_topic_t *t)
{
    size_t pos = sorted_pos(cat, t->name);
    if (SL_NEVER(pos >= cat->n || cat->sorted[pos] != t)) return;
    memmove(&cat->sorted[pos], &cat->sorted[pos + 1], (cat->n - pos - 1) * sizeof *cat->sorted);
    cat->n--;
    index_rebuild(cat);
}

/* ---- topics ------------------------------------------------------------------------------ */

static sl_topic_t *topic_new(const char *name, const uint8_t id[16], int32_t npart)
{
    sl_topic_t *t = calloc(1, sizeof *t);
    if (!t) abort();
    t->name = strdup(name);
    if (!t->name) abort();
    memcpy(t->id, id, 16);
    t->npart = npart;
    t->parts = calloc((size_t)npart, sizeof *t->parts);
    if (!t->parts) abort();
    sl_props_init(&t->overrides);
    t->internal = strncmp(name, "__", 2) == 0;
    return t;
}

/* Frees the struct; the logs must have been closed or removed already. */
static void topic_free(sl_topic_t *t)
{
    free(t->name);
    free(t->parts);
    sl_props_free(&t->overrides);
    free(t);
}

static void topic_close_logs(sl_topic_t *t)
{
    for (int32_t p = 0; p < t->npart; p++) {
        if (t->parts[p]) sl_plog_close(t->parts[p]);
        t->parts[p] = NULL;
    }
}

static void topic_resolve(const sl_catalog_t *cat, sl_topic_t *t)
{
    sl_tcfg_resolve(&t->overrides, cat->bprops, &t->logcfg, &t->max_message_bytes);
}

static int part_dir(const sl_catalog_t *cat, const char *name, int32_t p, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s-%d", cat->dir, name, p);
    return n > 0 && (size_t)n < len ? SL_OK : SL_TOOBIG;
}

/* Open partitions [from, t->npart). On failure the ones opened here are closed again. */
static int topic_open_logs(sl_catalog_t *cat, sl_topic_t *t, int32_t from, char *err, size_t errlen)
{
    char dir[4096];
    for (int32_t p = from; p < t->npart; p++) {
        int rc = part_dir(cat, t->name, p, dir, sizeof dir);
        if (rc == SL_OK) rc = sl_plog_open(dir, &t->logcfg, cat->fl, &t->parts[p]);
        if (rc != SL_OK) {
            snprintf(err, errlen, "cannot open partition log %s: %s", dir, sl_err_msg(rc));
            for (int32_t q = from; q < p; q++) {
                sl_plog_close(t->parts[q]);
                t->parts[q] = NULL;
            }
            t->parts[p] = NULL;
            return rc;
        }
    }
    return SL_OK;
}

/* A directory for a partition that is about to be created must not exist yet (see the file
 * comment). */
static int16_t check_fresh_dirs(const sl_catalog_t *cat, const char *name, int32_t from, int32_t to,
                                char *err, size_t errlen)
{
    char dir[4096];
    struct stat st;
    for (int32_t p = from; p < to; p++) {
        if (part_dir(cat, name, p, dir, sizeof dir) != SL_OK) {
            snprintf(err, errlen, "partition directory name too long for data directory %s",
                     cat->dir);
            return SL_KERR_KAFKA_STORAGE_ERROR;
        }
        if (stat(dir, &st) == 0) {
            snprintf(err, errlen,
                     "Directory %s already exists but belongs to no topic (left over from a "
                     "deleted topic?); remove it to create this partition",
                     dir);
            return SL_KERR_KAFKA_STORAGE_ERROR;
        }
    }
    return SL_KERR_NONE;
}

/* ---- persistence --------------------------------------------------------------------- */

static void hex_id(const uint8_t id[16], char out[33])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hx[id[i] >> 4];
        out[2 * i + 1] = hx[id[i] & 15];
    }
    out[32] = 0;
}

static int unhex_id(const char *s, uint8_t id[16])
{
    if (strlen(s) != 32) return SL_INVAL;
    for (int i = 0; i < 32; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) return SL_INVAL;
        if (i % 2 == 0)
            id[i / 2] = (uint8_t)(v << 4);
        else
            id[i / 2] |= (uint8_t)v;
    }
    return SL_OK;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write the whole catalog atomically. */
static int catalog_save(sl_catalog_t *cat, char *err, size_t errlen)
{
    json_t *root = json_object(), *arr = json_array();
    if (!root || !arr) abort();
    json_object_set_new(root, "version", json_integer(CATALOG_VERSION));
    for (size_t i = 0; i < cat->n; i++) {
        const sl_topic_t *t = cat->sorted[i];
        char id[33];
        hex_id(t->id, id);
        json_t *o = json_object(), *cfg = json_object();
        if (!o || !cfg) abort();
        json_object_set_new(o, "name", json_string(t->name));
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "partitions", json_integer(t->npart));
        for (size_t k = 0; k < t->overrides.n; k++) {
            json_t *v = json_string(t->overrides.v[k].value);
            if (!v) {
                /* jansson wants UTF-8; keep the catalog loadable whatever a client sent. */
                snprintf(err, errlen, "config value of %s for topic %s is not UTF-8",
                         t->overrides.v[k].key, t->name);
                json_decref(o);
                json_decref(cfg);
                json_decref(arr);
                json_decref(root);
                return SL_INVAL;
            }
            json_object_set_new(cfg, t->overrides.v[k].key, v);
        }
        json_object_set_new(o, "configs", cfg);
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "topics", arr);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text) abort();

    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", cat->path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int ok = fd >= 0 && write_all(fd, text, strlen(text)) == 0 && write_all(fd, "\n", 1) == 0 &&
             fsync(fd) == 0;
    int saved = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    free(text);
    if (ok && rename(tmp, cat->path) != 0) {
        ok = 0;
        saved = errno;
    }
    if (!ok) {
        snprintf(err, errlen, "cannot write the topic catalog %s: %s", cat->path, strerror(saved));
        unlink(tmp);
        SL_ERROR("topics", "%s", err);
        return SL_IO;
    }
    /* The rename is durable only once the directory is. */
    int dfd = open(cat->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        saved = errno;
        if (dfd >= 0) close(dfd);
        snprintf(err, errlen, "cannot sync data directory %s: %s", cat->dir, strerror(saved));
        SL_ERROR("topics", "%s", err);
        return SL_IO;
    }
    close(dfd);
    return SL_OK;
}

/* Read the catalog file into topics (logs not opened yet). */
static int catalog_load(sl_catalog_t *cat)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", cat->path);
    if (unlink(tmp) == 0)
        SL_INFO("topics", "removed %s left by an interrupted catalog update", tmp);
    struct stat st;
    if (stat(cat->path, &st) != 0) {
        if (errno == ENOENT) return SL_OK;
        SL_ERROR("topics", "cannot stat %s: %s", cat->path, strerror(errno));
        return SL_IO;
    }
    json_error_t jerr;
    json_t *root = json_load_file(cat->path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        SL_ERROR("topics", "%s line %d: %s", cat->path, jerr.line, jerr.text);
        return SL_CORRUPT;
    }
    const char *why = NULL;
    char whybuf[1024];
    json_t *ver = json_object_get(root, "version");
    json_t *topics = json_object_get(root, "topics");
    if (!json_is_object(root) || !json_is_integer(ver) || !json_is_array(topics)) {
        why = "expected an object with \"version\" and \"topics\"";
        goto bad;
    }
    if (json_integer_value(ver) != CATALOG_VERSION) {
        snprintf(whybuf, sizeof whybuf, "unsupported catalog version %lld (this build reads %d)",
                 (long long)json_integer_value(ver), CATALOG_VERSION);
        why = whybuf;
        goto bad;
    }
    size_t i;
    json_t *o;
    json_array_foreach(topics, i, o)
    {
        json_t *jn = json_object_get(o, "name"), *jid = json_object_get(o, "id");
        json_t *jp = json_object_get(o, "partitions"), *jc = json_object_get(o, "configs");
        uint8_t id[16];
        char nerr[512];
        if (!json_is_string(jn) || !json_is_string(jid) || !json_is_integer(jp) ||
            (jc && !json_is_object(jc))) {
            snprintf(whybuf, sizeof whybuf, "topic entry %zu lacks name, id or partitions", i);
            why = whybuf;
            goto bad;
        }
        const char *name = json_string_value(jn);
        json_int_t np = json_integer_value(jp);
        if (sl_topic_name_check(name, strlen(name), nerr, sizeof nerr) != SL_OK ||
            unhex_id(json_string_value(jid), id) != SL_OK || np < 1 || np > MAX_PARTITIONS) {
            snprintf(whybuf, sizeof whybuf,
                     "topic entry %zu (%s) has a bad name, id or partition count", i, name);
            why = whybuf;
            goto bad;
        }
        if (sl_catalog_find(cat, name, strlen(name)) || sl_catalog_find_id(cat, id)) {
            snprintf(whybuf, sizeof whybuf, "topic %s or its id is listed twice", name);
            why = whybuf;
            goto bad;
        }
        sl_topic_t *t = topic_new(name, id, (int32_t)np);
        const char *k;
        json_t *v;
        json_object_foreach(jc, k, v)
        {
            if (!json_is_string(v)) {
                snprintf(whybuf, sizeof whybuf, "topic %s: config %s is not a string", name, k);
                why = whybuf;
                topic_free(t);
                goto bad;
            }
            char cerr[512];
            int16_t e = sl_tcfg_check(k, json_string_value(v), cerr, sizeof cerr);
            if (e != SL_KERR_NONE && sl_tcfg_index(k) >= 0) {
                snprintf(whybuf, sizeof whybuf, "topic %s: %s", name, cerr);
                why = whybuf;
                topic_free(t);
                goto bad;
            }
            if (e != SL_KERR_NONE)
                SL_WARN("topics", "topic %s: keeping unknown config %s=%s (ignored)", name, k,
                        json_string_value(v));
            sl_props_set(&t->overrides, k, json_string_value(v));
        }
        topic_resolve(cat, t);
        catalog_insert(cat, t);
    }
    json_decref(root);
    return SL_OK;
bad:
    SL_ERROR("topics", "%s: %s", cat->path, why);
    json_decref(root);
    return SL_CORRUPT;
}

/* Report partition directories that no topic in the catalog claims. */
static void report_orphans(sl_catalog_t *cat)
{
    DIR *d = opendir(cat->dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *dash = strrchr(e->d_name, '-');
        if (!dash || dash == e->d_name || !dash[1]) continue;
        char *end;
        long p = strtol(dash + 1, &end, 10);
        if (*end || dash[1] < '0' || dash[1] > '9') continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, 0) != 0 || !S_ISDIR(st.st_mode)) continue;
        sl_topic_t *t = sl_catalog_find(cat, e->d_name, (size_t)(dash - e->d_name));
        if (!t || p >= t->npart)
            SL_WARN("topics",
                    "directory %s/%s belongs to no topic in %s; left alone (remove it if the "
                    "data is not needed)",
                    cat->dir, e->d_name, CATALOG_FILE);
    }
    closedir(d);
}

/* ---- lifecycle --------------------------------------------------------------------------- */

int sl_catalog_open(const char *data_dir, const sl_props_t *broker_props, sl_flusher_t *fl,
                    sl_catalog_t **out)
{
    char err[1024];
    if (sl_tcfg_check_broker(broker_props, err, sizeof err) != SL_OK) {
        SL_ERROR("topics", "%s", err);
        return SL_INVAL;
    }
    sl_catalog_t *cat = calloc(1, sizeof *cat);
    if (!cat) abort();
    cat->dir = strdup(data_dir);
    size_t plen = strlen(data_dir) + sizeof CATALOG_FILE + 2;
    cat->path = malloc(plen);
    if (!cat->dir || !cat->path) abort();
    snprintf(cat->path, plen, "%s/%s", data_dir, CATALOG_FILE);
    cat->bprops = broker_props;
    cat->fl = fl;
    cat->default_partitions = 1;
    cat->auto_create = 1;
    index_rebuild(cat);

    const char *v = broker_props ? sl_props_get(broker_props, "num.partitions") : NULL;
    int64_t np;
    if (v && (sl_parse_i64(v, &np) != SL_OK || np < 1 || np > MAX_PARTITIONS)) {
        SL_ERROR("topics", "broker setting num.partitions=%s must be a number from 1 to %d", v,
                 MAX_PARTITIONS);
        goto fail;
    }
    if (v) cat->default_partitions = (int32_t)np;
    v = broker_props ? sl_props_get(broker_props, "auto.create.topics.enable") : NULL;
    if (v && sl_parse_bool(v, &cat->auto_create) != SL_OK) {
        SL_ERROR("topics", "broker setting auto.create.topics.enable=%s is not true or false", v);
        goto fail;
    }

    if (catalog_load(cat) != SL_OK) goto fail;
    size_t nparts = 0;
    for (size_t i = 0; i < cat->n; i++) {
        sl_topic_t *t = cat->sorted[i];
        if (topic_open_logs(cat, t, 0, err, sizeof err) != SL_OK) {
            SL_ERROR("topics", "topic %s: %s", t->name, err);
            goto fail;
        }
        nparts += (size_t)t->npart;
    }
    report_orphans(cat);
    SL_INFO("topics", "catalog: %zu topic(s), %zu partition(s) in %s", cat->n, nparts, data_dir);
    *out = cat;
    return SL_OK;
fail:
    sl_catalog_close(cat);
    return SL_INVAL;
}

void sl_catalog_close(sl_catalog_t *cat)
{
    if (!cat) return;
    for (size_t i = 0; i < cat->n; i++) {
        topic_close_logs(cat->sorted[i]);
        topic_free(cat->sorted[i]);
    }
    free(cat->sorted);
    free(cat->by_name);
    free(cat->by_id);
    free(cat->dir);
    free(cat->path);
    free(cat);
}

int32_t sl_catalog_default_partitions(const sl_catalog_t *cat)
{
    return cat->default_partitions;
}

int sl_catalog_auto_create(const sl_catalog_t *cat)
{
    return cat->auto_create;
}

const sl_props_t *sl_catalog_broker_props(const sl_catalog_t *cat)
{
    return cat->bprops;
}

void sl_catalog_housekeep(sl_catalog_t *cat, int64_t now_ms)
{
    for (size_t i = 0; i < cat->n; i++) {
        sl_topic_t *t = cat->sorted[i];
        for (int32_t p = 0; p < t->npart; p++)
            if (t->parts[p]) sl_plog_housekeep(t->parts[p], now_ms);
    }
}

void sl_catalog_flush_due(sl_catalog_t *cat, int64_t now_ms)
{
    for (size_t i = 0; i < cat->n; i++) {
        sl_topic_t *t = cat->sorted[i];
        for (int32_t p = 0; p < t->npart; p++)
            if (t->parts[p]) sl_plog_flush_due(t->parts[p], now_ms);
    }
}

/* ---- changes ----------------------------------------------------------------------------- */

static int new_topic_id(sl_catalog_t *cat, uint8_t id[16])
{
    for (int tries = 0; tries < 8; tries++) {
        if (getrandom(id, 16, 0) != 16) return SL_IO;
        id[6] = (uint8_t)((id[6] & 0x0f) | 0x40); /* version 4 */
        id[8] = (uint8_t)((id[8] & 0x3f) | 0x80); /* RFC 4122 variant */
        if (!sl_catalog_find_id(cat, id)) return SL_OK;
    }
    return SL_IO;
}

int16_t sl_catalog_create(sl_catalog_t *cat, const char *name, int32_t npart,
                          int16_t replication_factor, const sl_props_t *configs, int validate_only,
                          sl_topic_t **out, char *err, size_t errlen)
{
    if (out) *out = NULL;
    size_t len = strlen(name);
    if (sl_topic_name_check(name, len, err, errlen) != SL_OK)
        return SL_KERR_INVALID_TOPIC_EXCEPTION;
    if (sl_catalog_find(cat, name, len)) {
        snprintf(err, errlen, "Topic '%s' already exists.", name);
        return SL_KERR_TOPIC_ALREADY_EXISTS;
    }
    for (size_t i = 0; i < cat->n; i++) {
        if (names_collide(name, cat->sorted[i]->name)) {
            snprintf(err, errlen, "Topic '%s' collides with existing topic: %s", name,
                     cat->sorted[i]->name);
            return SL_KERR_INVALID_TOPIC_EXCEPTION;
        }
    }
    if (npart == -1) npart = cat->default_partitions;
    if (npart < 1) {
        snprintf(err, errlen, "Number of partitions was set to an invalid non-positive value.");
        return SL_KERR_INVALID_PARTITIONS;
    }
    if (npart > MAX_PARTITIONS) {
        snprintf(err, errlen, "Number of partitions %d is more than Sluice allows per topic (%d).",
                 npart, MAX_PARTITIONS);
        return SL_KERR_INVALID_PARTITIONS;
    }
    if (replication_factor == 0 || replication_factor < -1) {
        snprintf(err, errlen,
                 "Replication factor must be larger than 0, or -1 to use the default value.");
        return SL_KERR_INVALID_REPLICATION_FACTOR;
    }
    if (replication_factor > 1) {
        snprintf(err, errlen,
                 "Unable to replicate the partition %d time(s): The target replication factor "
                 "of %d cannot be reached because only 1 broker(s) are registered.",
                 replication_factor, replication_factor);
        return SL_KERR_INVALID_REPLICATION_FACTOR;
    }
    int16_t e = sl_tcfg_check_all(configs, err, errlen);
    if (e != SL_KERR_NONE) return e;
    e = check_fresh_dirs(cat, name, 0, npart, err, errlen);
    if (e != SL_KERR_NONE) return e;
    if (validate_only) return SL_KERR_NONE;

    uint8_t id[16];
    if (new_topic_id(cat, id) != SL_OK) {
        snprintf(err, errlen, "cannot get random bytes for a topic id");
        return SL_KERR_UNKNOWN_SERVER_ERROR;
    }
    sl_topic_t *t = topic_new(name, id, npart);
    for (size_t i = 0; configs && i < configs->n; i++)
        sl_props_set(&t->overrides, configs->v[i].key, configs->v[i].value);
    topic_resolve(cat, t);
    catalog_insert(cat, t);
    if (catalog_save(cat, err, errlen) != SL_OK) {
        catalog_unlink(cat, t);
        topic_free(t);
        return SL_KERR_KAFKA_STORAGE_ERROR;
    }
    if (topic_open_logs(cat, t, 0, err, errlen) != SL_OK) {
        SL_ERROR("topics", "creating topic %s: %s", name, err);
        catalog_unlink(cat, t);
        char err2[512];
        catalog_save(cat, err2, sizeof err2);
        topic_free(t);
        return SL_KERR_KAFKA_STORAGE_ERROR;
    }
    SL_INFO("topics", "created topic %s with %d partition(s)", name, npart);
    if (out) *out = t;
    return SL_KERR_NONE;
}

int16_t sl_catalog_delete(sl_catalog_t *cat, const char *name, char *err, size_t errlen)
{
    sl_topic_t *t = sl_catalog_find(cat, name, strlen(name));
    if (!t) {
        snprintf(err, errlen, "%s", sl_kerr_msg(SL_KERR_UNKNOWN_TOPIC_OR_PARTITION));
        return SL_KERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
    catalog_unlink(cat, t);
    if (catalog_save(cat, err, errlen) != SL_OK) {
        catalog_insert(cat, t);
        return SL_KERR_KAFKA_STORAGE_ERROR;
    }
    for (int32_t p = 0; p < t->npart; p++) {
        if (!t->parts[p]) continue;
        int rc = sl_plog_remove(t->parts[p]);
        if (rc != SL_OK)
            SL_WARN("topics", "deleting topic %s: could not remove all files of partition %d: %s",
                    t->name, p, sl_err_msg(rc));
        t->parts[p] = NULL;
    }
    SL_INFO("topics", "deleted topic %s", t->name);
    topic_free(t);
    return SL_KERR_NONE;
}

int16_t sl_catalog_add_partitions(sl_catalog_t *cat, sl_topic_t *t, int32_t new_total,
                                  int validate_only, char *err, size_t errlen)
{
    if (new_total == t->npart) {
        snprintf(err, errlen, "Topic already has %d partitions.", t->npart);
        return SL_KERR_INVALID_PARTITIONS;
    }
    if (new_total < t->npart) {
        snprintf(err, errlen,
                 "Topic currently has %d partitions, which is higher than the requested %d.",
                 t->npart, new_total);
        return SL_KERR_INVALID_PARTITIONS;
    }
    if (new_total > MAX_PARTITIONS) {
        snprintf(err, errlen, "Number of partitions %d is more than Sluice allows per topic (%d).",
                 new_total, MAX_PARTITIONS);
        return SL_KERR_INVALID_PARTITIONS;
    }
    int16_t e = check_fresh_dirs(cat, t->name, t->npart, new_total, err, errlen);
    if (e != SL_KERR_NONE || validate_only) return e;

    int32_t old = t->npart;
    sl_plog_t **parts = realloc(t->parts, (size_t)new_total * sizeof *parts);
    if (!parts) abort();
    memset(parts + old, 0, (size_t)(new_total - old) * sizeof *parts);
    t->parts = parts;
    t->npart = new_total;
    if (catalog_save(cat, err, errlen) != SL_OK) {
        t->npart = old;
        return SL_KERR_KAFKA_STORAGE_ERROR;
    }
    if (topic_open_logs(cat, t, old, err, errlen) != SL_OK) {
        SL_ERROR("topics", "adding partitions to %s: %s", t->name, err);
        t->npart = old;
        char err2[512];
        catalog_save(cat, err2, sizeof err2);
        return SL_KERR_KAFKA_STORAGE_ERROR;
    }
    SL_INFO("topics", "topic %s now has %d partitions (was %d)", t->name, new_total, old);
    return SL_KERR_NONE;
}

int16_t sl_catalog_set_configs(sl_catalog_t *cat, sl_topic_t *t, const sl_props_t *overrides,
                               int validate_only, char *err, size_t errlen)
{
    int16_t e = sl_tcfg_check_all(overrides, err, errlen);
    if (e != SL_KERR_NONE || validate_only) return e;
    sl_props_t fresh;
    sl_props_init(&fresh);
    for (size_t i = 0; overrides && i < overrides->n; i++)
        sl_props_set(&fresh, overrides->v[i].key, overrides->v[i].value);
    sl_props_t old = t->overrides;
    t->overrides = fresh;
    if (catalog_save(cat, err, errlen) != SL_OK) {
        t->overrides = old;
        sl_props_free(&fresh);
        return SL_KERR_KAFKA_STORAGE_ERROR;
    }
    sl_props_free(&old);
    topic_resolve(cat, t);
    for (int32_t p = 0; p < t->npart; p++)
        if (t->parts[p]) sl_plog_set_config(t->parts[p], &t->logcfg);
    SL_INFO("topics", "topic %s: config overrides now %zu key(s)", t->name, t->overrides.n);
    return SL_KERR_NONE;
}

int sl_catalog_config_value(const sl_catalog_t *cat, const sl_topic_t *t, const char *key,
                            char **out)
{
    return sl_tcfg_value(key, &t->overrides, cat->bprops, out);
}

int sl_catalog_config_i64(const sl_catalog_t *cat, const sl_topic_t *t, const char *key,
                          int64_t *out)
{
    char *v;
    int rc = sl_tcfg_value(key, &t->overrides, cat->bprops, &v);
    if (rc != SL_OK) return rc;
    int64_t x;
    rc = v ? sl_parse_i64(v, &x) : SL_INVAL;
    free(v);
    if (rc != SL_OK) return SL_INVAL;
    /* Broker-level values are already scaled to the topic unit by sl_tcfg_value. */
    *out = x;
    return SL_OK;
}
