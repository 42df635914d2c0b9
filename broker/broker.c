/*
 * broker.c — the broker door's lifecycle: settings, data directory, topic catalog, flusher,
 * listener, periodic housekeeping, shutdown.
 *
 * <data-dir>/meta.properties holds cluster.id and node.id like Kafka's, so the cluster id a
 * client sees is stable across restarts.
 *
 * @locality loop thread
 */
#include "broker/broker_int.h"
#include "common/err.h"
#include "common/log.h"
#include "common/time.h"
#include "broker/topic_config.h"
#include "broker/group.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static int64_t prop_i64(const sl_props_t *p, const char *key, int64_t dflt, int *bad)
{
    const char *v = sl_props_get(p, key);
    int64_t x;
    if (!v) return dflt;
    if (sl_parse_i64(v, &x) != SL_OK) {
        *bad = 1;
        SL_ERROR("broker", "setting %s=%s is not a whole number", key, v);
        return dflt;
    }
    return x;
}

static int prop_bool(const sl_props_t *p, const char *key, int dflt, int *bad)
{
    const char *v = sl_props_get(p, key);
    int x;
    if (!v) return dflt;
    if (sl_parse_bool(v, &x) != SL_OK) {
        *bad = 1;
        SL_ERROR("broker", "setting %s=%s is not true or false", key, v);
        return dflt;
    }
    return x;
}

/* A server.properties brought from Kafka carries settings Sluice has no use for (ZooKeeper,
 * thread pools, ...): say once which ones are ignored, so nobody believes they took effect. */
static void warn_unused(const sl_props_t *p)
{
    char list[1024] = "";
    size_t len = 0;
    int n = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (sl_bcfg_known(p->v[i].key)) continue;
        n++;
        int w = snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", p->v[i].key);
        if (w > 0 && (size_t)w < sizeof list - len) len += (size_t)w;
    }
    if (n) SL_WARN("broker", "ignoring %d setting(s) Sluice does not use: %s", n, list);
}

static int mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
    return 0;
}

/* Kafka's Uuid.toString(): URL-safe base64 of 16 bytes without padding (22 characters). */
static void uuid_base64(const uint8_t id[16], char out[23])
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int o = 0;
    for (int i = 0; i < 16; i += 3) {
        uint32_t v = (uint32_t)id[i] << 16;
        if (i + 1 < 16) v |= (uint32_t)id[i + 1] << 8;
        if (i + 2 < 16) v |= id[i + 2];
        out[o++] = a[(v >> 18) & 63];
        out[o++] = a[(v >> 12) & 63];
        if (i + 1 < 16) out[o++] = a[(v >> 6) & 63];
        if (i + 2 < 16) out[o++] = a[v & 63];
    }
    out[o] = 0;
}

/* Load or create <data-dir>/meta.properties. */
static int load_meta(sl_broker_t *b, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/meta.properties", b->data_dir);
    sl_props_t meta;
    sl_props_init(&meta);
    int line = 0;
    if (sl_props_load(&meta, path, &line) == SL_OK) {
        const char *cid = sl_props_get(&meta, "cluster.id");
        if (cid && strlen(cid) < sizeof b->cluster_id) {
            snprintf(b->cluster_id, sizeof b->cluster_id, "%s", cid);
            sl_props_free(&meta);
            return SL_OK;
        }
    }
    sl_props_free(&meta);
    uint8_t id[16];
    if (getrandom(id, sizeof id, 0) != (ssize_t)sizeof id) {
        snprintf(err, errlen, "cannot get random bytes for the cluster id");
        return SL_IO;
    }
    uuid_base64(id, b->cluster_id);
    char tmp[4200], text[256];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int n = snprintf(text, sizeof text,
                     "#Sluice broker metadata\nversion=1\ncluster.id=%s\nnode.id=%d\n",
                     b->cluster_id, b->node_id);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, (size_t)n) != n || fsync(fd) != 0 || close(fd) != 0 ||
        rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return SL_IO;
    }
    return SL_OK;
}

static void on_durable(void *arg, sl_plog_t *pl)
{
    sl_broker_t *b = arg;
    sl_produce_on_durable(b, pl);
    sl_broker_fetch_wakeup(b);
}

static void on_flush_due(uv_timer_t *t)
{
    sl_broker_t *b = t->data;
    sl_catalog_flush_due(b->catalog, sl_wallclock_ms());
}

static void on_housekeep(uv_timer_t *t)
{
    sl_broker_t *b = t->data;
    sl_catalog_housekeep(b->catalog, sl_wallclock_ms());
}

int sl_broker_create(uv_loop_t *loop, const sl_props_t *props, sl_broker_t **out, char *err,
                     size_t errlen)
{
    sl_broker_t *b = calloc(1, sizeof *b);
    if (!b) abort();
    b->loop = loop;
    sl_props_init(&b->props);
    for (size_t i = 0; i < props->n; i++)
        sl_props_set(&b->props, props->v[i].key, props->v[i].value);
    int bad = 0;
    const sl_props_t *p = &b->props;
    b->node_id = (int32_t)prop_i64(p, "node.id", prop_i64(p, "broker.id", 0, &bad), &bad);
    b->message_max_bytes = prop_i64(p, "message.max.bytes", 1048588, &bad);
    b->request_max_bytes = prop_i64(p, "socket.request.max.bytes", 104857600, &bad);
    b->delete_topic_enable = prop_bool(p, "delete.topic.enable", 1, &bad);
    b->housekeep_ms = prop_i64(p, "log.retention.check.interval.ms", 300000, &bad);
    /* Kafka's default is "never"; Sluice checks every second so flush.ms means what it says. */
    b->flush_check_ms = prop_i64(p, "log.flush.scheduler.interval.ms", 1000, &bad);
    if (bad) {
        snprintf(err, errlen, "invalid broker settings (see the messages above)");
        goto fail;
    }
    warn_unused(p);
    if (b->housekeep_ms < 1) b->housekeep_ms = 1;
    if (b->flush_check_ms < 1) b->flush_check_ms = 1;
    const char *dirs = sl_props_get(p, "log.dirs");
    if (!dirs) dirs = sl_props_get(p, "log.dir");
    if (!dirs) dirs = "./sluice-data";
    const char *comma = strchr(dirs, ',');
    if (comma) {
        SL_WARN("broker", "log.dirs lists several directories; Sluice uses only the first (%.*s)",
                (int)(comma - dirs), dirs);
        b->data_dir = strndup(dirs, (size_t)(comma - dirs));
    } else {
        b->data_dir = strdup(dirs);
    }
    if (mkdirs(b->data_dir) != 0) {
        snprintf(err, errlen, "cannot create data directory %s: %s", b->data_dir, strerror(errno));
        goto fail;
    }
    if (access(b->data_dir, W_OK) != 0) {
        snprintf(err, errlen, "data directory %s is not writable: %s", b->data_dir,
                 strerror(errno));
        goto fail;
    }
    if (load_meta(b, err, errlen) != SL_OK) goto fail;
    sl_net_init(b);
    if (sl_flusher_start(loop, on_durable, b, &b->flusher) != SL_OK) {
        snprintf(err, errlen, "cannot start the log flusher thread");
        goto fail;
    }
    if (sl_catalog_open(b->data_dir, &b->props, b->flusher, &b->catalog) != SL_OK) {
        snprintf(err, errlen, "cannot open the topic catalog in %s (see the messages above)",
                 b->data_dir);
        goto fail;
    }
    if (sl_groups_open(b, &b->groups, err, errlen) != SL_OK) {
        sl_catalog_close(b->catalog);
        b->catalog = NULL;
        goto fail;
    }
    uv_timer_init(loop, &b->housekeep_timer);
    b->housekeep_timer.data = b;
    uv_timer_start(&b->housekeep_timer, on_housekeep, (uint64_t)b->housekeep_ms,
                   (uint64_t)b->housekeep_ms);
    uv_timer_init(loop, &b->flush_timer);
    b->flush_timer.data = b;
    uv_timer_start(&b->flush_timer, on_flush_due, (uint64_t)b->flush_check_ms,
                   (uint64_t)b->flush_check_ms);
    *out = b;
    return SL_OK;
fail:
    if (b->flusher) sl_flusher_stop(b->flusher);
    sl_props_free(&b->props);
    free(b->data_dir);
    free(b);
    return SL_INVAL;
}

/* advertised.listeners=PLAINTEXT://host:port (first entry). */
static void set_advertised(sl_broker_t *b, const char *bind_host, int bound_port)
{
    const char *adv = sl_props_get(&b->props, "advertised.listeners");
    const char *host = NULL;
    size_t hlen = 0;
    int port = bound_port;
    if (adv && *adv) {
        const char *s = strstr(adv, "://");
        s = s ? s + 3 : adv;
        const char *end = s + strcspn(s, ",");
        const char *colon = NULL;
        for (const char *q = s; q < end; q++)
            if (*q == ':') colon = q;
        if (colon) {
            host = s;
            hlen = (size_t)(colon - s);
            int ap = atoi(colon + 1);
            if (ap > 0) port = ap;
        }
    }
    free(b->adv_host);
    if (host && hlen)
        b->adv_host = strndup(host, hlen);
    else if (bind_host && *bind_host && strcmp(bind_host, "0.0.0.0") && strcmp(bind_host, "::"))
        b->adv_host = strdup(bind_host);
    else
        b->adv_host = strdup("localhost");
    b->adv_port = port;
}

int sl_broker_listen(sl_broker_t *b, const char *host, int port, int *bound_port, char *err,
                     size_t errlen)
{
    int rc = sl_net_listen(b, host, port, bound_port, err, errlen);
    if (rc != SL_OK) return rc;
    set_advertised(b, host, *bound_port);
    SL_INFO("broker", "node %d of cluster %s, data in %s, advertising %s:%d", b->node_id,
            b->cluster_id, b->data_dir, b->adv_host, b->adv_port);
    return SL_OK;
}

void sl_broker_shutdown(sl_broker_t *b)
{
    b->shutting_down = 1;
    uv_timer_stop(&b->housekeep_timer);
    uv_close((uv_handle_t *)&b->housekeep_timer, NULL);
    uv_timer_stop(&b->flush_timer);
    uv_close((uv_handle_t *)&b->flush_timer, NULL);
    sl_fetch_shutdown(b);
    sl_net_shutdown(b);
    /* After the connections: pending JoinGroup/SyncGroup answers have nowhere to go. */
    sl_groups_close(b->groups);
    b->groups = NULL;
    /* Pending acks=all answers die with their connections, which is what a client sees from
     * any broker that stops; closing the logs syncs what was written. */
    sl_produce_shutdown(b);
    sl_catalog_close(b->catalog);
    b->catalog = NULL;
    sl_flusher_stop(b->flusher);
    b->flusher = NULL;
}

void sl_broker_free(sl_broker_t *b)
{
    if (!b) return;
    sl_props_free(&b->props);
    sl_buf_free(&b->scratch);
    free(b->data_dir);
    free(b->adv_host);
    free(b);
}

void sl_broker_set_record_validator(sl_broker_t *b, sl_record_validate_fn fn, void *opaque)
{
    b->validate_fn = fn;
    b->validate_opaque = fn ? opaque : NULL;
}
