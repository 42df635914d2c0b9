/*
 * http.c — the Schema Registry's REST door: Confluent's paths on libmicrohttpd (epoll thread
 * pool), routed through one table, answered by ops.c.
 *
 * A request's life:
 *   1. First call of the access handler: the URL is split and matched against the route table
 *      (raw URL: MHD's unescaping is switched off, so an encoded '/' in a subject stays part
 *      of the subject; each segment is percent-decoded here). Unknown path 404, known path with
 *      another method 405, body with a Content-Type other than the registry's JSON types 415,
 *      Content-Length above SL_REG_MAX_BODY 413 - all decided before any body is read.
 *      Nothing is answered on this first call unless a body must be refused unread: MHD 0.9.7x
 *      treats a response queued before it has seen the end of the request as "the rest of the
 *      request is discarded" and closes the connection after it (`Connection: close`), which
 *      would cost every keep-alive client a new TCP connection per request. So a request
 *      without a body (GET, DELETE) is answered on the next call, which MHD makes once the
 *      request is complete; an error for one without a body waits in `result` until then.
 *   2. The body is collected (bounded; beyond the limit the rest is discarded, then 413).
 *   3. Reads are answered on the MHD thread from the store (read lock). Writes are first
 *      decided there too; if nothing must be written (registering a schema the subject
 *      already has, errors) the answer goes out at once. Otherwise the connection is
 *      suspended and the request handed to the writer thread, which decides it again (now
 *      serialised with every other write), produces the records, waits until the reader
 *      thread applied them, and resumes the connection with the answer. The first decision
 *      of a registration stops short of the compatibility check (only the writer's counts),
 *      and hands the writer the schema it parsed (sl_reg_result_t.built), so a registration
 *      costs one check and one parse on the way in.
 *
 * GET /schemas/ids/{id} is the hot path (every consumer asks it): it skips the generic
 * machinery and queues a prebuilt MHD response that hangs off the schema object itself
 * (sl_reg_schema_t.http_cache), so a request costs a hash lookup under the read lock.
 */
#include "registry/registry_int.h"

#include "common/err.h"
#include "common/log.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONTENT_TYPE "application/vnd.schemaregistry.v1+json"
#define MAX_SEGMENTS 6

/* Per connection and request. */
typedef struct conn_req_s {
    sl_registry_t *reg;      /* owner */
    sl_reg_req_t req;        /* decoded request handed to ops.c */
    char *seg[MAX_SEGMENTS]; /* owned, percent-decoded path segments */
    int n_seg;               /* segments used */
    char *prefix;            /* owned decoded ?subjectPrefix= */
    char *body;              /* owned request body */
    size_t body_len;         /* bytes in body */
    size_t body_cap;         /* allocated */
    int has_body;            /* POST or PUT: a body may follow the headers */
    int too_big;             /* the body went over SL_REG_MAX_BODY (discarded) */
    int has_result;          /* result holds the answer to send */
    sl_reg_result_t result;  /* answer (from routing errors or the writer) */
    sl_reg_schema_t *built;  /* a reference; the schema the precheck built, for the writer
                                (req.built borrows it) */
} conn_req_t;

/* A write waiting for the writer thread. */
struct sl_reg_job_s {
    conn_req_t *r;               /* the request (owned by its connection) */
    struct MHD_Connection *conn; /* suspended connection to resume */
    sl_reg_job_t *next;          /* queue link */
};

/* ---- routes ---- */

typedef struct route_s {
    const char *method;                /* HTTP method */
    const char *pat[MAX_SEGMENTS + 1]; /* segments; "{s}" subject, "{v}" version, "{id}" id */
    sl_regop_t op;                     /* what it does */
} route_t;

static const route_t routes[] = {
    {"GET", {NULL}, SL_REGOP_ROOT},
    {"GET", {"subjects", NULL}, SL_REGOP_SUBJECTS},
    {"POST", {"subjects", "{s}", NULL}, SL_REGOP_SUBJECT_LOOKUP},
    {"DELETE", {"subjects", "{s}", NULL}, SL_REGOP_SUBJECT_DELETE},
    {"GET", {"subjects", "{s}", "versions", NULL}, SL_REGOP_VERSIONS},
    {"POST", {"subjects", "{s}", "versions", NULL}, SL_REGOP_REGISTER},
    {"GET", {"subjects", "{s}", "versions", "{v}", NULL}, SL_REGOP_VERSION_GET},
    {"DELETE", {"subjects", "{s}", "versions", "{v}", NULL}, SL_REGOP_VERSION_DELETE},
    {"GET", {"subjects", "{s}", "versions", "{v}", "schema", NULL}, SL_REGOP_VERSION_SCHEMA},
    {"GET",
     {"subjects", "{s}", "versions", "{v}", "referencedby", NULL},
     SL_REGOP_VERSION_REFERENCEDBY},
    {"GET", {"schemas", "types", NULL}, SL_REGOP_SCHEMA_TYPES},
    {"GET", {"schemas", "ids", "{id}", NULL}, SL_REGOP_ID_GET},
    {"GET", {"schemas", "ids", "{id}", "schema", NULL}, SL_REGOP_ID_SCHEMA},
    {"GET", {"schemas", "ids", "{id}", "subjects", NULL}, SL_REGOP_ID_SUBJECTS},
    {"GET", {"schemas", "ids", "{id}", "versions", NULL}, SL_REGOP_ID_VERSIONS},
    {"GET", {"config", NULL}, SL_REGOP_CONFIG_GET},
    {"PUT", {"config", NULL}, SL_REGOP_CONFIG_PUT},
    {"DELETE", {"config", NULL}, SL_REGOP_CONFIG_DELETE},
    {"GET", {"config", "{s}", NULL}, SL_REGOP_CONFIG_GET},
    {"PUT", {"config", "{s}", NULL}, SL_REGOP_CONFIG_PUT},
    {"DELETE", {"config", "{s}", NULL}, SL_REGOP_CONFIG_DELETE},
    {"GET", {"mode", NULL}, SL_REGOP_MODE_GET},
    {"PUT", {"mode", NULL}, SL_REGOP_MODE_PUT},
    {"DELETE", {"mode", NULL}, SL_REGOP_MODE_DELETE},
    {"GET", {"mode", "{s}", NULL}, SL_REGOP_MODE_GET},
    {"PUT", {"mode", "{s}", NULL}, SL_REGOP_MODE_PUT},
    {"DELETE", {"mode", "{s}", NULL}, SL_REGOP_MODE_DELETE},
    {"POST", {"compatibility", "subjects", "{s}", "versions", NULL}, SL_REGOP_COMPAT},
    {"POST", {"compatibility", "subjects", "{s}", "versions", "{v}", NULL}, SL_REGOP_COMPAT},
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..len) into a new string; NULL when it would contain a NUL byte. */
static char *pct_decode(const char *s, size_t len)
{
    char *o = malloc(len + 1), *w = o;
    if (!o) return NULL;
    for (size_t i = 0; i < len; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < len && (h = hexval(s[i + 1])) >= 0 &&
            (l = hexval(s[i + 2])) >= 0) {
            *w = (char)(h * 16 + l);
            i += 2;
        } else {
            *w = s[i];
        }
        if (*w == 0) {
            free(o);
            return NULL;
        }
        w++;
    }
    *w = 0;
    return o;
}

/* Splits the raw path into decoded segments. SL_OK, SL_INVAL (NUL byte), SL_RANGE (too many
 * segments: no route has them), SL_NOMEM. */
static int split_path(conn_req_t *r, const char *url)
{
    const char *p = url;
    if (*p == '/') p++;
    size_t len = strlen(p);
    if (len > 0 && p[len - 1] == '/') len--; /* tolerate one trailing slash */
    const char *end = p + len;
    while (p < end) {
        const char *q = memchr(p, '/', (size_t)(end - p));
        if (!q) q = end;
        if (r->n_seg == MAX_SEGMENTS) return SL_RANGE;
        char *d = pct_decode(p, (size_t)(q - p));
        if (!d) return SL_INVAL;
        r->seg[r->n_seg++] = d;
        p = q + 1;
    }
    return SL_OK;
}

/* Matches the path against the table. SL_OK (req filled), SL_NOENT (404), SL_EXIST (405). */
static int route(conn_req_t *r, const char *method)
{
    int path_known = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const route_t *rt = &routes[i];
        int n = 0;
        while (rt->pat[n])
            n++;
        if (n != r->n_seg) continue;
        int ok = 1;
        for (int k = 0; ok && k < n; k++)
            ok = rt->pat[k][0] == '{' || strcmp(rt->pat[k], r->seg[k]) == 0;
        if (!ok) continue;
        path_known = 1;
        if (strcmp(rt->method, method) != 0) continue;
        r->req.op = rt->op;
        for (int k = 0; k < n; k++) {
            if (!strcmp(rt->pat[k], "{s}")) r->req.subject = r->seg[k];
            if (!strcmp(rt->pat[k], "{v}")) r->req.version = r->seg[k];
            if (!strcmp(rt->pat[k], "{id}")) r->req.id = r->seg[k];
        }
        return SL_OK;
    }
    return path_known ? SL_EXIST : SL_NOENT;
}

static int is_true(const char *v)
{
    return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

static enum MHD_Result arg_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value)
{
    conn_req_t *r = cls;
    sl_reg_req_t *q = &r->req;
    if (!strcmp(key, "deleted") || !strcmp(key, "lookupDeletedSchema"))
        q->deleted = is_true(value);
    else if (!strcmp(key, "deletedOnly"))
        q->deleted_only = is_true(value);
    else if (!strcmp(key, "permanent"))
        q->permanent = is_true(value);
    else if (!strcmp(key, "normalize"))
        q->normalize = is_true(value);
    else if (!strcmp(key, "verbose"))
        q->verbose = is_true(value);
    else if (!strcmp(key, "defaultToGlobal"))
        q->default_to_global = is_true(value);
    else if (!strcmp(key, "force"))
        q->force = is_true(value);
    else if (!strcmp(key, "fetchMaxId"))
        q->fetch_max_id = is_true(value);
    else if (!strcmp(key, "subjectPrefix") && value && !r->prefix) {
        r->prefix = pct_decode(value, strlen(value));
        q->prefix = r->prefix;
    }
    return MHD_YES;
}

/* ---- answers ---- */

static enum MHD_Result queue_body(struct MHD_Connection *conn, int status, char *body, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result queue_result(struct MHD_Connection *conn, sl_reg_result_t *res)
{
    char *body = res->body;
    size_t len = res->body_len;
    int status = res->status;
    res->body = NULL;
    sl_reg_result_free(res);
    if (!body) return MHD_NO;
    return queue_body(conn, status, body, len);
}

static enum MHD_Result queue_error(struct MHD_Connection *conn, int status, int code,
                                   const char *msg)
{
    sl_reg_result_t res;
    memset(&res, 0, sizeof res);
    sl_reg_result_error(&res, status, code, "%s", msg);
    return queue_result(conn, &res);
}

void sl_reghttp_cache_free(void *cached)
{
    MHD_destroy_response(cached);
}

/* GET /schemas/ids/{id}: 1 answered, 0 not found here (the generic path answers 40403). */
static int fast_id_get(sl_registry_t *reg, struct MHD_Connection *conn, const char *idseg,
                       enum MHD_Result *ret)
{
    char *end;
    long id = strtol(idseg, &end, 10);
    if (*idseg < '0' || *idseg > '9' || *end || id > INT32_MAX) return 0;
    sl_reg_schema_t *s = NULL;
    pthread_rwlock_rdlock(&reg->store.lock);
    sl_reg_id_t *e = sl_regstore_id(&reg->store, (int32_t)id);
    if (e) {
        s = e->schema;
        sl_reg_schema_keep(s);
    }
    pthread_rwlock_unlock(&reg->store.lock);
    if (!s) return 0;
    struct MHD_Response *resp = atomic_load(&s->http_cache);
    if (!resp) {
        sl_reg_req_t q;
        memset(&q, 0, sizeof q);
        q.op = SL_REGOP_ID_GET;
        q.id = idseg;
        sl_reg_result_t res;
        sl_regops_run(&reg->store, &q, &res);
        if (res.status != 200) { /* deleted in between */
            *ret = queue_result(conn, &res);
            sl_reg_schema_put(s);
            return 1;
        }
        resp = MHD_create_response_from_buffer(res.body_len, res.body, MHD_RESPMEM_MUST_FREE);
        if (resp) res.body = NULL;
        sl_reg_result_free(&res);
        if (!resp) {
            sl_reg_schema_put(s);
            *ret = MHD_NO;
            return 1;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
        void *expected = NULL;
        if (!atomic_compare_exchange_strong(&s->http_cache, &expected, resp)) {
            MHD_destroy_response(resp); /* another thread cached it first */
            resp = expected;
        }
    }
    *ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    sl_reg_schema_put(s);
    return 1;
}

/* ---- the writer thread ---- */

static void write_job(sl_registry_t *reg, conn_req_t *r)
{
    sl_reg_result_t *res = &r->result;
    sl_regops_run(&reg->store, &r->req, res);
    if (res->n_recs == 0) return;
    int64_t last = -1;
    char err[512] = "";
    int rc = sl_regkafka_write(reg, res->recs, res->n_recs, &last, err, sizeof err);
    if (rc == SL_OK) {
        rc = sl_regstore_wait_applied(&reg->store, last, reg->timeout_ms, &reg->stop);
        if (rc != SL_OK)
            snprintf(err, sizeof err, "offset %lld was written but not read back in time",
                     (long long)last);
    }
    if (rc == SL_OK) return;
    if (atomic_load(&reg->stop))
        sl_reg_result_error(res, 503, 50003,
                            "The schema registry is shutting down; the write may or may not "
                            "have been stored");
    else if (rc == SL_AGAIN)
        sl_reg_result_error(res, 500, 50002, "Write to the Kafka store timed out: %s", err);
    else if (rc == SL_TOOBIG)
        sl_reg_result_error(res, 422, 42209, "Write failed because schema is too large: %s", err);
    else
        sl_reg_result_error(res, 500, 50001, "Error while writing to the Kafka store: %s", err);
}

static void *writer_main(void *arg)
{
    sl_registry_t *reg = arg;
    for (;;) {
        pthread_mutex_lock(&reg->wq_mu);
        while (!reg->wq_head && !reg->writer_stop)
            pthread_cond_wait(&reg->wq_cv, &reg->wq_mu);
        sl_reg_job_t *job = reg->wq_head;
        int stopping = reg->writer_stop;
        if (job) {
            reg->wq_head = job->next;
            if (!reg->wq_head) reg->wq_tail = NULL;
        }
        pthread_mutex_unlock(&reg->wq_mu);
        if (!job) break;
        if (stopping)
            sl_reg_result_error(&job->r->result, 503, 50003,
                                "The schema registry is shutting down");
        else
            write_job(reg, job->r);
        job->r->has_result = 1;
        MHD_resume_connection(job->conn);
        free(job);
    }
    return NULL;
}

int sl_reghttp_init(sl_registry_t *reg, char *err, size_t err_size)
{
    pthread_mutex_init(&reg->wq_mu, NULL);
    pthread_cond_init(&reg->wq_cv, NULL);
    if (pthread_create(&reg->writer, NULL, writer_main, reg) != 0) {
        snprintf(err, err_size, "cannot start the registry's writer thread");
        return SL_NOMEM;
    }
    reg->writer_started = 1;
    return SL_OK;
}

/* Hands a write to the writer: 1 queued (connection suspended), 0 stopping. */
static int enqueue_write(sl_registry_t *reg, conn_req_t *r, struct MHD_Connection *conn)
{
    sl_reg_job_t *job = calloc(1, sizeof *job);
    if (!job) return 0;
    job->r = r;
    job->conn = conn;
    pthread_mutex_lock(&reg->wq_mu);
    if (reg->writer_stop) {
        pthread_mutex_unlock(&reg->wq_mu);
        free(job);
        return 0;
    }
    MHD_suspend_connection(conn);
    if (reg->wq_tail)
        reg->wq_tail->next = job;
    else
        reg->wq_head = job;
    reg->wq_tail = job;
    pthread_cond_signal(&reg->wq_cv);
    pthread_mutex_unlock(&reg->wq_mu);
    return 1;
}

/* ---- the access handler ---- */

static int content_type_ok(struct MHD_Connection *conn)
{
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    if (!ct) return 1;
    while (*ct == ' ')
        ct++;
    size_t n = strcspn(ct, ";");
    while (n > 0 && ct[n - 1] == ' ')
        n--;
    static const char *const ok[] = {"application/vnd.schemaregistry.v1+json",
                                     "application/vnd.schemaregistry+json", "application/json",
                                     "application/octet-stream"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strlen(ok[i]) == n && strncasecmp(ct, ok[i], n) == 0) return 1;
    return 0;
}

static size_t unescape_none(void *cls, struct MHD_Connection *c, char *s)
{
    return strlen(s); /* raw URL: segments are decoded after splitting (see top) */
}

static void free_req(conn_req_t *r)
{
    for (int i = 0; i < r->n_seg; i++)
        free(r->seg[i]);
    free(r->prefix);
    free(r->body);
    sl_reg_result_free(&r->result);
    sl_reg_schema_put(r->built);
    free(r);
}

static enum MHD_Result answer(sl_registry_t *reg, conn_req_t *r, struct MHD_Connection *conn)
{
    if (r->has_result) return queue_result(conn, &r->result);
    if (r->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "Request body is larger than the limit of %u bytes",
                 SL_REG_MAX_BODY);
        return queue_error(conn, 413, 413, msg);
    }
    r->req.body = r->body;
    r->req.body_len = r->body_len;
    r->req.precheck = sl_regop_is_write(r->req.op);
    sl_reg_result_t res;
    sl_regops_run(&reg->store, &r->req, &res);
    if (res.n_recs == 0 && !res.defer) return queue_result(conn, &res);
    r->built = res.built; /* the writer need not parse the schema again */
    r->req.built = r->built;
    res.built = NULL;
    sl_reg_result_free(&res);
    r->req.precheck = 0;
    if (enqueue_write(reg, r, conn)) return MHD_YES;
    return queue_error(conn, 503, 50003, "The schema registry is shutting down");
}

/*
 * A request refused before its body was read. With a body pending, the answer goes out now
 * (MHD then closes the connection, which is right: the body is never read). Without one it
 * waits for the handler's final call, so the connection stays alive (see the top).
 */
static enum MHD_Result refuse(conn_req_t *r, struct MHD_Connection *conn, int status, int code,
                              const char *msg)
{
    if (r->has_body) return queue_error(conn, status, code, msg);
    sl_reg_result_error(&r->result, status, code, "%s", msg);
    r->has_result = 1;
    return MHD_YES;
}

/* The first call: route, read the query, vet the headers. Answers only what must be refused
 * before the body (see refuse). */
static enum MHD_Result begin_request(sl_registry_t *reg, struct MHD_Connection *conn,
                                     const char *url, const char *method, void **con_cls)
{
    conn_req_t *r = calloc(1, sizeof *r);
    if (!r) return MHD_NO;
    r->reg = reg;
    r->has_body = !strcmp(method, "POST") || !strcmp(method, "PUT");
    *con_cls = r;
    int rc = split_path(r, url);
    if (rc == SL_NOMEM) return MHD_NO;
    if (rc == SL_INVAL)
        return refuse(r, conn, 404, 40401, "Invalid path: percent-encoded NUL byte");
    rc = rc == SL_OK ? route(r, method) : SL_NOENT;
    if (rc == SL_NOENT) return refuse(r, conn, 404, 404, "HTTP 404 Not Found");
    if (rc == SL_EXIST) return refuse(r, conn, 405, 405, "HTTP 405 Method Not Allowed");
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, arg_cb, r);
    if (!r->has_body) return MHD_YES; /* answered on the final call */
    if (!content_type_ok(conn))
        return refuse(r, conn, 415, 415,
                      "HTTP 415 Unsupported Media Type: send the body as "
                      "application/vnd.schemaregistry.v1+json, "
                      "application/vnd.schemaregistry+json or application/json");
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > SL_REG_MAX_BODY) {
        r->too_big = 1;
        return answer(reg, r, conn);
    }
    return MHD_YES; /* the body comes next */
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    sl_registry_t *reg = cls;
    conn_req_t *r = *con_cls;
    if (!r) return begin_request(reg, conn, url, method, con_cls);
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->too_big || r->has_result) return MHD_YES;
        if (r->body_len + n > SL_REG_MAX_BODY) {
            r->too_big = 1;
            free(r->body);
            r->body = NULL;
            r->body_len = r->body_cap = 0;
            return MHD_YES;
        }
        if (r->body_len + n + 1 > r->body_cap) {
            size_t nc = r->body_cap ? r->body_cap : 4096;
            while (nc < r->body_len + n + 1)
                nc *= 2;
            char *nb = realloc(r->body, nc);
            if (!nb) return MHD_NO;
            r->body = nb;
            r->body_cap = nc;
        }
        memcpy(r->body + r->body_len, upload_data, n);
        r->body_len += n;
        r->body[r->body_len] = 0;
        return MHD_YES;
    }
    /* The request is complete. */
    if (!r->has_result && r->req.op == SL_REGOP_ID_GET && !r->req.fetch_max_id) {
        enum MHD_Result ret;
        if (fast_id_get(reg, conn, r->req.id, &ret)) return ret;
    }
    return answer(reg, r, conn);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    if (*con_cls) free_req(*con_cls);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = 0;
    SL_WARN("registry", "http: %s", buf);
}

int sl_reghttp_start(sl_registry_t *reg, char *err, size_t err_size)
{
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    reg->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, reg, MHD_OPTION_EXTERNAL_LOGGER,
                                mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, reg->listen_fd,
                                MHD_OPTION_THREAD_POOL_SIZE, (unsigned)reg->http_threads,
                                MHD_OPTION_NOTIFY_COMPLETED, on_completed, reg,
                                MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL,
                                MHD_OPTION_CONNECTION_TIMEOUT, 300u, MHD_OPTION_END);
    if (!reg->mhd) {
        snprintf(err, err_size, "libmicrohttpd did not start on port %d", reg->port);
        return SL_IO;
    }
    reg->listen_fd = -1; /* MHD's now; MHD_quiesce_daemon hands it back */
    return SL_OK;
}

void sl_reghttp_stop(sl_registry_t *reg)
{
    if (reg->mhd) {
        MHD_socket fd = MHD_quiesce_daemon(reg->mhd);
        if (fd != MHD_INVALID_SOCKET) reg->listen_fd = fd; /* ours again: closed below */
    }
    if (reg->writer_started) {
        pthread_mutex_lock(&reg->wq_mu);
        reg->writer_stop = 1;
        pthread_cond_broadcast(&reg->wq_cv);
        pthread_mutex_unlock(&reg->wq_mu);
        pthread_join(reg->writer, NULL);
        reg->writer_started = 0;
    }
    if (reg->mhd) {
        MHD_stop_daemon(reg->mhd);
        reg->mhd = NULL;
    }
}
