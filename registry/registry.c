/*
 * registry.c — the Schema Registry's lifecycle (start, stop) and the lookups the produce-time
 * validator uses. The threads and their order are described in registry_int.h.
 *
 * Invariants:
 * - sl_registry_start never waits for Kafka: it binds the port (so "address in use" is
 *   reported to the caller), creates the librdkafka handles (no I/O), starts the writer and
 *   reader threads and returns. The broker may be on the caller's own event loop, which has
 *   to keep running for the registry's clients to get answers.
 * - Lookups never block on I/O: a read lock on the store and a reference count.
 */
#include "registry/registry_int.h"

#include "common/err.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_MS   30000
#define DEFAULT_HTTP_THREADS 2

static int all_addresses(const char *host)
{
    return !host || !*host || !strcmp(host, "0.0.0.0") || !strcmp(host, "::") ||
           !strcmp(host, "[::]") || !strcmp(host, "*");
}

/* Binds and listens; dual-stack on all addresses when host says so. */
static int bind_listen(const char *host, int port, int *fd_out, int *port_out, char *err,
                       size_t err_size)
{
    int fd = -1;
    if (all_addresses(host)) {
        fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            int off = 0, on = 1;
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
            struct sockaddr_in6 a6;
            memset(&a6, 0, sizeof a6);
            a6.sin6_family = AF_INET6;
            a6.sin6_addr = in6addr_any;
            a6.sin6_port = htons((uint16_t)port);
            if (bind(fd, (struct sockaddr *)&a6, sizeof a6) != 0) {
                int e = errno;
                close(fd);
                fd = -1;
                if (e != EAFNOSUPPORT && e != EADDRNOTAVAIL) {
                    snprintf(err, err_size, "schema registry: cannot bind port %d: %s", port,
                             strerror(e));
                    return SL_IO;
                }
            }
        }
        if (fd < 0) { /* no IPv6: IPv4 only */
            fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            int on = 1;
            if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
            struct sockaddr_in a4;
            memset(&a4, 0, sizeof a4);
            a4.sin_family = AF_INET;
            a4.sin_addr.s_addr = htonl(INADDR_ANY);
            a4.sin_port = htons((uint16_t)port);
            if (fd < 0 || bind(fd, (struct sockaddr *)&a4, sizeof a4) != 0) {
                snprintf(err, err_size, "schema registry: cannot bind port %d: %s", port,
                         strerror(errno));
                if (fd >= 0) close(fd);
                return SL_IO;
            }
        }
    } else {
        struct addrinfo hints, *ai = NULL;
        memset(&hints, 0, sizeof hints);
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE;
        char ps[16];
        snprintf(ps, sizeof ps, "%d", port);
        int gr = getaddrinfo(host, ps, &hints, &ai);
        if (gr != 0) {
            snprintf(err, err_size, "schema registry: cannot resolve %s: %s", host,
                     gai_strerror(gr));
            return SL_IO;
        }
        int e = 0;
        for (struct addrinfo *p = ai; p && fd < 0; p = p->ai_next) {
            fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
            if (fd < 0) continue;
            int on = 1;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
            if (bind(fd, p->ai_addr, p->ai_addrlen) != 0) {
                e = errno;
                close(fd);
                fd = -1;
            }
        }
        freeaddrinfo(ai);
        if (fd < 0) {
            snprintf(err, err_size, "schema registry: cannot bind %s:%d: %s", host, port,
                     strerror(e ? e : EADDRNOTAVAIL));
            return SL_IO;
        }
    }
    /* Requests that arrive while the store loads wait in this backlog. */
    if (listen(fd, 1024) != 0) {
        snprintf(err, err_size, "schema registry: listen: %s", strerror(errno));
        close(fd);
        return SL_IO;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *port_out = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                         : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    *fd_out = fd;
    return SL_OK;
}

int sl_registry_start(const sl_registry_opts_t *opts, sl_registry_t **out, char *err,
                      size_t err_size)
{
    *out = NULL;
    if (!opts || !opts->bootstrap || !*opts->bootstrap || opts->port < 0 || opts->port > 65535) {
        snprintf(err, err_size,
                 "schema registry: bootstrap servers and a port 0-65535 are "
                 "required");
        return SL_INVAL;
    }
    sl_registry_t *reg = calloc(1, sizeof *reg);
    if (!reg) return SL_NOMEM;
    reg->listen_fd = -1;
    atomic_init(&reg->stop, 0);
    atomic_init(&reg->ready, 0);
    pthread_mutex_init(&reg->life_mu, NULL);
    reg->bootstrap = strdup(opts->bootstrap);
    reg->host = opts->host && !all_addresses(opts->host) ? strdup(opts->host) : NULL;
    reg->topic = strdup(opts->topic && *opts->topic ? opts->topic : "_schemas");
    reg->announce_host = strdup(opts->announce_host ? opts->announce_host
                                : reg->host         ? reg->host
                                                    : "localhost");
    reg->announce = opts->announce;
    reg->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
    reg->replication_factor = opts->replication_factor > 0 ? opts->replication_factor : 1;
    reg->http_threads = opts->http_threads > 0 ? opts->http_threads : DEFAULT_HTTP_THREADS;
    int rc = SL_NOMEM;
    if (!reg->bootstrap || !reg->topic || !reg->announce_host ||
        (opts->host && !all_addresses(opts->host) && !reg->host))
        goto fail;
    if ((rc = sl_regstore_init(&reg->store)) != SL_OK) goto fail;
    reg->store.cache_free = sl_reghttp_cache_free;
    if ((rc = bind_listen(reg->host, opts->port, &reg->listen_fd, &reg->port, err, err_size)) !=
        SL_OK)
        goto fail_store;
    if ((rc = sl_regkafka_init(reg, err, err_size)) != SL_OK) goto fail_kafka;
    if ((rc = sl_reghttp_init(reg, err, err_size)) != SL_OK) goto fail_kafka;
    if (pthread_create(&reg->reader, NULL, sl_regkafka_reader_main, reg) != 0) {
        snprintf(err, err_size, "schema registry: cannot start the reader thread");
        rc = SL_NOMEM;
        sl_reghttp_stop(reg);
        goto fail_kafka;
    }
    reg->reader_started = 1;
    *out = reg;
    return SL_OK;
fail_kafka:
    sl_regkafka_destroy(reg);
    if (reg->listen_fd >= 0) close(reg->listen_fd);
fail_store:
    sl_regstore_destroy(&reg->store);
fail:
    if (rc == SL_NOMEM && err_size) snprintf(err, err_size, "schema registry: out of memory");
    free(reg->bootstrap);
    free(reg->host);
    free(reg->topic);
    free(reg->announce_host);
    pthread_mutex_destroy(&reg->life_mu);
    free(reg);
    return rc;
}

int sl_registry_port(const sl_registry_t *reg)
{
    return reg->port;
}

int sl_registry_ready(const sl_registry_t *reg)
{
    return atomic_load(&((sl_registry_t *)reg)->ready);
}

void sl_registry_stop(sl_registry_t *reg)
{
    if (!reg) return;
    pthread_mutex_lock(&reg->life_mu);
    atomic_store(&reg->stop, 1); /* the reader will not open the door after this */
    pthread_mutex_unlock(&reg->life_mu);
    sl_reghttp_stop(reg);
    if (reg->listen_fd >= 0) close(reg->listen_fd);
    reg->listen_fd = -1;
    if (reg->reader_started) pthread_join(reg->reader, NULL);
    sl_regkafka_destroy(reg);
    sl_regstore_destroy(&reg->store);
    pthread_mutex_destroy(&reg->life_mu);
    pthread_mutex_destroy(&reg->wq_mu);
    pthread_cond_destroy(&reg->wq_cv);
    free(reg->bootstrap);
    free(reg->host);
    free(reg->topic);
    free(reg->announce_host);
    free(reg);
}

/* ---- lookups for the produce-time validator ---- */

int sl_registry_schema_get(sl_registry_t *reg, int32_t id, sl_reg_schema_t **out)
{
    *out = NULL;
    if (!atomic_load(&reg->ready)) return SL_NOTFOUND;
    pthread_rwlock_rdlock(&reg->store.lock);
    sl_reg_id_t *e = sl_regstore_id(&reg->store, id);
    if (e && !e->schema->parse_error) {
        *out = e->schema;
        sl_reg_schema_keep(*out);
    }
    pthread_rwlock_unlock(&reg->store.lock);
    return *out ? SL_OK : SL_NOTFOUND;
}

int sl_registry_subject_has_id(sl_registry_t *reg, const char *subject, int32_t id)
{
    if (!atomic_load(&reg->ready) || !subject) return 0;
    int found = 0;
    pthread_rwlock_rdlock(&reg->store.lock);
    sl_reg_subject_t *sub = sl_regstore_subject(&reg->store, subject);
    for (size_t i = 0; sub && i < sub->n && !found; i++)
        found = !sub->v[i].deleted && sub->v[i].schema->id == id;
    pthread_rwlock_unlock(&reg->store.lock);
    return found;
}

const char *sl_reg_schema_type(const sl_reg_schema_t *schema)
{
    return sl_reg_type_name(schema->type);
}

const sl_avro_schema_t *sl_reg_schema_avro(const sl_reg_schema_t *schema)
{
    return schema->type == SL_REG_AVRO ? schema->avro : NULL;
}

const sl_jsonschema_t *sl_reg_schema_json(const sl_reg_schema_t *schema)
{
    return schema->type == SL_REG_JSON ? schema->json : NULL;
}

const char *sl_reg_schema_record_name(const sl_reg_schema_t *schema)
{
    return schema->record_name;
}

int32_t sl_reg_schema_id(const sl_reg_schema_t *schema)
{
    return schema->id;
}

const char *sl_reg_schema_text(const sl_reg_schema_t *schema)
{
    return schema->text;
}
