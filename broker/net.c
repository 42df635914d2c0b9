/*
 * net.c — the broker's connections: accept, frame, dispatch, answer in order.
 *
 * Each socket is a non-blocking fd watched by a uv_poll_t, so this file does its own read(2),
 * writev(2) and sendfile(2): Fetch responses are sent straight from segment files.
 *
 * Invariants:
 *  - Requests of a connection sit in a queue in arrival order; a response leaves only when it
 *    and every earlier one are complete (Kafka clients rely on in-order responses).
 *  - A connection stops reading while SL_MAX_INFLIGHT requests are queued (backpressure).
 *  - Output is flushed once per loop turn (uv_check), so the group commit's completions for
 *    many requests leave in one writev.
 *  - A request deferred by its handler (acks=all, long-poll fetch) outlives its connection:
 *    closing sets req->conn = NULL and the handler frees it on completion.
 *
 * Frame: [i32 size][i16 api_key][i16 api_version][i32 correlation_id][nullable string
 *        client_id][tagged fields if flexible] body...
 *
 * @locality loop thread
 */
#include "broker/broker_int.h"
#include "common/err.h"
#include "common/log.h"
#include "common/time.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define SL_MAX_INFLIGHT 4096
#define SL_READ_CHUNK   (256 * 1024)
#define SL_IOV_MAX      64

struct sl_conn_s {
    uv_poll_t poll;         /* readiness of fd; conn is poll.data */
    int fd;                 /* the socket (owned) */
    sl_broker_t *b;         /* borrowed */
    sl_conn_t *prev, *next; /* broker's connection list */
    sl_conn_t *flush_next;  /* broker's flush list */
    int in_flush_list;      /* on the flush list */
    int events;             /* events currently polled for */
    int closing;            /* close started */
    int read_paused;        /* too many requests in flight */
    uint8_t *rbuf;          /* read buffer (owned), SL_READ_CHUNK bytes */
    size_t rlen;            /* bytes in rbuf not yet consumed */
    uint8_t *frame;         /* a large frame being filled directly (owned) */
    size_t frame_len;       /* its size */
    size_t frame_got;       /* bytes of it received */
    sl_req_t *head, *tail;  /* requests in arrival order */
    int nreqs;              /* requests queued */
    int64_t id;             /* connection number, for logs */
    char peer[64];          /* "ip:port" of the client */
    char host[64];          /* "/ip", as Kafka shows a client's host */
};

static void conn_close(sl_conn_t *c, const char *why);
static void conn_update_poll(sl_conn_t *c);
static void conn_flush(sl_conn_t *c);

/* ---- requests ------------------------------------------------------------------------ */

void sl_req_free(sl_req_t *req)
{
    for (int i = 0; i < req->nchunks; i++)
        if (req->chunks[i].file.seg) sl_seg_release(req->chunks[i].file.seg);
    free(req->chunks);
    free(req->client_id);
    free(req->frame);
    sl_buf_free(&req->out);
    free(req);
}

void sl_req_add_file(sl_req_t *req, const sl_logslice_t *slice)
{
    if (req->nchunks == req->cap_chunks) {
        req->cap_chunks = req->cap_chunks ? req->cap_chunks * 2 : 8;
        req->chunks = realloc(req->chunks, (size_t)req->cap_chunks * sizeof *req->chunks);
        if (!req->chunks) abort();
    }
    sl_chunk_t *ch = &req->chunks[req->nchunks++];
    ch->mem_end = req->out.len;
    ch->file = *slice;
}

/* Mark the connection as having output to send at the end of this loop turn. */
static void conn_want_flush(sl_conn_t *c)
{
    if (c->in_flush_list || c->closing) return;
    c->in_flush_list = 1;
    c->flush_next = c->b->flush_list;
    c->b->flush_list = c;
}

static void req_unlink(sl_conn_t *c, sl_req_t *req)
{
    /* Only the head ever leaves, except acks=0 requests which leave from anywhere. */
    sl_req_t **pp = &c->head, *prev = NULL;
    while (*pp && *pp != req) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp) return;
    *pp = req->next;
    if (c->tail == req) c->tail = prev;
    c->nreqs--;
    if (c->read_paused && c->nreqs < SL_MAX_INFLIGHT / 2) {
        c->read_paused = 0;
        conn_update_poll(c);
    }
}

void sl_req_complete(sl_req_t *req)
{
    sl_conn_t *c = req->conn;
    if (!c) {
        sl_req_free(req);
        return;
    }
    if (req->no_response) {
        req_unlink(c, req);
        sl_req_free(req);
        return;
    }
    /* Size prefix: everything after it, file slices included. */
    int64_t total = (int64_t)req->out.len - 4;
    for (int i = 0; i < req->nchunks; i++)
        total += req->chunks[i].file.len;
    sl_buf_patch_i32(&req->out, 0, (int32_t)total);
    req->done = 1;
    conn_want_flush(c);
}

/* ---- output -------------------------------------------------------------------------- */

/* A response is a sequence of parts: mem0, file0, mem1, file1, ..., memN (N = nchunks). */
static void part_mem(sl_req_t *req, int i, const uint8_t **p, size_t *len)
{
    size_t start = i == 0 ? 0 : req->chunks[i - 1].mem_end;
    size_t end = i < req->nchunks ? req->chunks[i].mem_end : req->out.len;
    *p = req->out.data + start;
    *len = end - start;
}

/* Send as much as the socket takes. Returns SL_OK, SL_AGAIN (socket full) or SL_IO. */
static int conn_send(sl_conn_t *c)
{
    for (;;) {
        sl_req_t *req = c->head;
        if (!req || !req->done) return SL_OK;
        if (req->send_part % 2 == 1) {
            /* File part: sendfile from the segment. */
            sl_logslice_t *sl = &req->chunks[req->send_part / 2].file;
            off_t off = (off_t)(sl->pos + (int64_t)req->send_off);
            size_t left = (size_t)sl->len - req->send_off;
            ssize_t n = left ? sendfile(c->fd, sl->fd, &off, left) : 0;
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) return SL_AGAIN;
                if (errno == EINTR) continue;
                return SL_IO;
            }
            if (n == 0 && left) {
                /* The file shrank under us (truncation): the response cannot be completed. */
                return SL_IO;
            }
            req->send_off += (size_t)n;
            if (req->send_off == (size_t)sl->len) {
                req->send_part++;
                req->send_off = 0;
            }
            continue;
        }
        /* Memory parts: gather from this and following complete responses until a file part. */
        struct iovec iov[SL_IOV_MAX];
        int niov = 0;
        sl_req_t *r = req;
        int part = req->send_part;
        size_t poff = req->send_off;
        while (r && r->done && niov < SL_IOV_MAX) {
            const uint8_t *m;
            size_t mlen;
            part_mem(r, part / 2, &m, &mlen);
            if (mlen > poff) {
                iov[niov].iov_base = (void *)(m + poff);
                iov[niov].iov_len = mlen - poff;
                niov++;
            }
            if (part + 1 < 2 * r->nchunks + 1) break; /* a file part follows */
            r = r->next;
            part = 0;
            poff = 0;
        }
        ssize_t n = niov ? writev(c->fd, iov, niov) : 0;
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return SL_AGAIN;
            if (errno == EINTR) continue;
            return SL_IO;
        }
        /* Advance over what was written, retiring complete responses. */
        size_t left = (size_t)n;
        while ((req = c->head) != NULL) {
            const uint8_t *m;
            size_t mlen;
            part_mem(req, req->send_part / 2, &m, &mlen);
            size_t take = mlen - req->send_off < left ? mlen - req->send_off : left;
            req->send_off += take;
            left -= take;
            if (req->send_off < mlen) break;
            if (req->send_part + 1 < 2 * req->nchunks + 1) {
                req->send_part++; /* a file part is next */
                req->send_off = 0;
                break;
            }
            c->head = req->next;
            if (!c->head) c->tail = NULL;
            c->nreqs--;
            sl_req_free(req);
            if (left == 0) break;
        }
        if (c->read_paused && c->nreqs < SL_MAX_INFLIGHT / 2) {
            c->read_paused = 0;
            conn_update_poll(c);
        }
    }
}

static void conn_flush(sl_conn_t *c)
{
    if (c->closing) return;
    int rc = conn_send(c);
    if (rc == SL_IO) {
        conn_close(c, "write failed");
        return;
    }
    int want_write = rc == SL_AGAIN;
    if (want_write != !!(c->events & UV_WRITABLE))
        conn_update_poll(c);
    else if (want_write)
        conn_update_poll(c);
}

static void on_flush_check(uv_check_t *h)
{
    sl_broker_t *b = h->data;
    sl_fetch_run_wakeups(b);
    while (b->flush_list) {
        sl_conn_t *c = b->flush_list;
        b->flush_list = c->flush_next;
        c->in_flush_list = 0;
        conn_flush(c);
    }
}

/* ---- input --------------------------------------------------------------------------- */

/* Write the response header; returns 0 or SL_PROTO when the request header is malformed. */
static int req_start(sl_conn_t *c, sl_req_t *req, uint8_t *frame, size_t len)
{
    sl_rd_t rd;
    sl_rd_init(&rd, frame, len);
    int16_t key, ver;
    int32_t corr;
    if (sl_rd_i16(&rd, &key) || sl_rd_i16(&rd, &ver) || sl_rd_i32(&rd, &corr)) return SL_PROTO;
    req->api_key = key;
    req->api_version = ver;
    req->correlation_id = corr;
    const sl_kapi_t *api = key >= 0 && key < SL_API__COUNT ? &sl_kapi_table[key] : NULL;
    int known = api && api->handler && ver >= api->min_version && ver <= api->max_version;
    int flex;
    if (key == SL_API_ApiVersions) {
        /* KIP-511: a version newer than ours still parses with header v2 and gets a v0 answer. */
        flex = ver >= 3;
    } else if (!known) {
        return SL_UNSUPP;
    } else {
        flex = api->first_flexible >= 0 && ver >= api->first_flexible;
    }
    /* client_id is a classic nullable string even in header v2. */
    sl_kr_t hr = {rd, 0};
    sl_kstr_t cid;
    if (sl_kr_nstr(&hr, &cid)) return SL_PROTO;
    req->client_id = sl_kstr_dup(cid);
    hr.flex = flex;
    if (sl_kr_tags(&hr)) return SL_PROTO;
    req->r = hr;
    sl_buf_put_i32(&req->out, 0); /* size, patched on completion */
    sl_buf_put_i32(&req->out, corr);
    /* ApiVersions responses always use header v0 so any client can read them. */
    req->w.b = &req->out;
    req->w.flex = flex && key != SL_API_ApiVersions;
    sl_kw_tags(&req->w);
    req->w.flex = flex;
    return SL_OK;
}

/* Handle one complete frame; takes ownership of frame. Returns SL_OK or an error that
 * closes the connection. */
static int conn_on_frame(sl_conn_t *c, uint8_t *frame, size_t len)
{
    sl_req_t *req = calloc(1, sizeof *req);
    if (!req) abort();
    req->broker = c->b;
    req->conn = c;
    req->frame = frame;
    req->received_us = sl_monotonic_us();
    sl_buf_init(&req->out);
    int rc = req_start(c, req, frame, len);
    if (rc) {
        if (rc == SL_UNSUPP)
            SL_WARN("net", "closing connection %s: unsupported ApiKey %d version %d", c->peer,
                    req->api_key, req->api_version);
        else
            SL_WARN("net", "closing connection %s: malformed request header", c->peer);
        sl_req_free(req);
        return SL_PROTO;
    }
    /* Queue before running the handler so completions can find their place. */
    if (c->tail)
        c->tail->next = req;
    else
        c->head = req;
    c->tail = req;
    c->nreqs++;
    rc = sl_kapi_table[req->api_key].handler(req);
    if (rc == SL_AGAIN) return SL_OK;
    if (rc != SL_OK) {
        SL_WARN("net",
                "closing connection %s: malformed %s request (ApiKey %d v%d, "
                "correlation id %d)",
                c->peer, req->api_key == SL_API_Produce ? "Produce" : "Kafka", req->api_key,
                req->api_version, req->correlation_id);
        req_unlink(c, req);
        sl_req_free(req);
        return SL_PROTO;
    }
    /* Bytes left after a complete request mean client and server disagree on its layout:
     * answering could mislead the client, so close. Fetch and Produce check this themselves
     * (before acting); ApiVersions must answer any version (KIP-511). */
    if (sl_rd_left(&req->r.rd) != 0 && req->api_key != SL_API_Fetch &&
        req->api_key != SL_API_ApiVersions && req->api_key != SL_API_Produce) {
        SL_WARN("net", "closing connection %s: %d unexpected bytes after ApiKey %d v%d request",
                c->peer, (int)sl_rd_left(&req->r.rd), req->api_key, req->api_version);
        req_unlink(c, req);
        sl_req_free(req);
        return SL_PROTO;
    }
    sl_req_complete(req);
    return SL_OK;
}

/* Parse frames from rbuf; large frames continue into c->frame. */
static int conn_consume(sl_conn_t *c)
{
    size_t off = 0;
    int rc = SL_OK;
    while (!c->closing && c->rlen - off >= 4) {
        int32_t size = (int32_t)sl_be32(c->rbuf + off);
        if (size < 8 || (int64_t)size > c->b->request_max_bytes) {
            SL_WARN("net", "closing connection %s: request size %d outside 8..%lld", c->peer, size,
                    (long long)c->b->request_max_bytes);
            return SL_PROTO;
        }
        size_t have = c->rlen - off - 4;
        uint8_t *frame = malloc((size_t)size);
        if (!frame) abort();
        if (have >= (size_t)size) {
            memcpy(frame, c->rbuf + off + 4, (size_t)size);
            off += 4 + (size_t)size;
            if ((rc = conn_on_frame(c, frame, (size_t)size)) != SL_OK) return rc;
            if (c->nreqs >= SL_MAX_INFLIGHT) c->read_paused = 1;
            continue;
        }
        /* Partial frame: keep filling it directly from the socket. */
        memcpy(frame, c->rbuf + off + 4, have);
        c->frame = frame;
        c->frame_len = (size_t)size;
        c->frame_got = have;
        off = c->rlen;
        break;
    }
    memmove(c->rbuf, c->rbuf + off, c->rlen - off);
    c->rlen -= off;
    return rc;
}

static void conn_on_readable(sl_conn_t *c)
{
    for (int rounds = 0; rounds < 16 && !c->closing && !c->read_paused; rounds++) {
        ssize_t n;
        if (c->frame) {
            n = read(c->fd, c->frame + c->frame_got, c->frame_len - c->frame_got);
            if (n > 0) {
                c->frame_got += (size_t)n;
                if (c->frame_got == c->frame_len) {
                    uint8_t *f = c->frame;
                    c->frame = NULL;
                    if (conn_on_frame(c, f, c->frame_len) != SL_OK) {
                        conn_close(c, NULL);
                        return;
                    }
                    if (c->nreqs >= SL_MAX_INFLIGHT) c->read_paused = 1;
                }
                continue;
            }
        } else {
            n = read(c->fd, c->rbuf + c->rlen, SL_READ_CHUNK - c->rlen);
            if (n > 0) {
                c->rlen += (size_t)n;
                if (conn_consume(c) != SL_OK) {
                    conn_close(c, NULL);
                    return;
                }
                continue;
            }
        }
        if (n == 0) {
            conn_close(c, NULL);
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        conn_close(c, "read failed");
        return;
    }
    if (c->read_paused) conn_update_poll(c);
}

static void on_conn_poll(uv_poll_t *h, int status, int events)
{
    sl_conn_t *c = h->data;
    if (status < 0) {
        /* libuv reports POLLERR as UV_EBADF; the socket knows the real cause (usually a
         * reset by the peer). */
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr == 0)
            soerr = -status;
        conn_close(c, strerror(soerr));
        return;
    }
    if (events & UV_WRITABLE) conn_flush(c);
    if (!c->closing && (events & (UV_READABLE | UV_DISCONNECT))) conn_on_readable(c);
    if (!c->closing && c->head && c->head->done) conn_want_flush(c);
}

static void conn_update_poll(sl_conn_t *c)
{
    if (c->closing) return;
    int ev = 0;
    if (!c->read_paused) ev |= UV_READABLE;
    if (c->head && c->head->done) ev |= UV_WRITABLE;
    if (ev == c->events) return;
    c->events = ev;
    if (ev)
        uv_poll_start(&c->poll, ev, on_conn_poll);
    else
        uv_poll_stop(&c->poll);
}

static void on_conn_closed(uv_handle_t *h)
{
    sl_conn_t *c = h->data;
    close(c->fd);
    free(c->rbuf);
    free(c->frame);
    free(c);
}

static void conn_close(sl_conn_t *c, const char *why)
{
    if (c->closing) return;
    c->closing = 1;
    if (why)
        SL_INFO("net", "connection %s closed: %s", c->peer, why);
    else
        SL_DEBUG("net", "connection %s closed", c->peer);
    /* Requests still held by handlers are orphaned; complete ones are freed now. */
    sl_req_t *req = c->head;
    while (req) {
        sl_req_t *next = req->next;
        req->next = NULL;
        if (req->done)
            sl_req_free(req);
        else
            req->conn = NULL;
        req = next;
    }
    c->head = c->tail = NULL;
    if (c->prev)
        c->prev->next = c->next;
    else
        c->b->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    if (c->in_flush_list) {
        sl_conn_t **pp = &c->b->flush_list;
        while (*pp && *pp != c)
            pp = &(*pp)->flush_next;
        if (*pp) *pp = c->flush_next;
    }
    uv_poll_stop(&c->poll);
    uv_close((uv_handle_t *)&c->poll, on_conn_closed);
}

/* ---- listener ------------------------------------------------------------------------ */

static void on_listen_poll(uv_poll_t *h, int status, int events)
{
    sl_broker_t *b = h->data;
    if (status < 0) return;
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(b->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                SL_WARN("net", "accept failed: %s", strerror(errno));
            return;
        }
        char host[INET6_ADDRSTRLEN] = "?", peer[64];
        int port = 0;
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
            port = ntohs(a->sin6_port);
        } else if (ss.ss_family == AF_INET) {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
            port = ntohs(a->sin_port);
        }
        snprintf(peer, sizeof peer, "%s:%d", host, port);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sl_net_adopt_fd(b, fd, peer);
    }
}

const char *sl_conn_host(const sl_conn_t *c)
{
    return c->host;
}

int sl_net_adopt_fd(sl_broker_t *b, int fd, const char *peer)
{
    sl_conn_t *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->rbuf = malloc(SL_READ_CHUNK);
    if (!c->rbuf) abort();
    c->fd = fd;
    c->b = b;
    c->id = ++b->conn_ids;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    /* "ip:port" or "[v6]:port" -> "/ip" */
    const char *colon = strrchr(peer, ':');
    size_t hl = colon ? (size_t)(colon - peer) : strlen(peer);
    if (hl >= 2 && peer[0] == '[' && peer[hl - 1] == ']') {
        peer++;
        hl -= 2;
    }
    snprintf(c->host, sizeof c->host, "/%.*s", (int)hl, peer);
    if (uv_poll_init(b->loop, &c->poll, fd) != 0) {
        close(fd);
        free(c->rbuf);
        free(c);
        return SL_IO;
    }
    c->poll.data = c;
    c->next = b->conns;
    if (b->conns) b->conns->prev = c;
    b->conns = c;
    SL_DEBUG("net", "connection %s accepted", c->peer);
    conn_update_poll(c);
    return SL_OK;
}

int sl_net_listen(sl_broker_t *b, const char *host, int port, int *bound_port, char *err,
                  size_t errlen)
{
    int fd = -1, one = 1, zero = 0;
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    int any = !host || !*host || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    if (any || strchr(host, ':')) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        if (!any && inet_pton(AF_INET6, host, &a6->sin6_addr) != 1) goto bad_host;
        sl = sizeof *a6;
        fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd >= 0) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    }
    if (fd < 0) {
        /* No IPv6 here (or an IPv4 host given): plain IPv4. */
        memset(&ss, 0, sizeof ss);
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        if (!any && inet_pton(AF_INET, host, &a4->sin_addr) != 1) goto bad_host;
        sl = sizeof *a4;
        fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    }
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a socket: %s", strerror(errno));
        return SL_IO;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 1024) != 0) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s%s", any ? "*" : host, port,
                 strerror(errno), errno == EADDRINUSE ? " (is another server running?)" : "");
        close(fd);
        return SL_IO;
    }
    sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *bound_port = ntohs(ss.ss_family == AF_INET6 ? a6->sin6_port : a4->sin_port);
    b->listen_fd = fd;
    uv_poll_init(b->loop, &b->listen_poll, fd);
    b->listen_poll.data = b;
    uv_poll_start(&b->listen_poll, UV_READABLE, on_listen_poll);
    return SL_OK;
bad_host:
    snprintf(err, errlen, "listener host '%s' is not a numeric IP address", host);
    return SL_INVAL;
}

void sl_net_init(sl_broker_t *b)
{
    b->listen_fd = -1;
    uv_check_init(b->loop, &b->flush_check);
    b->flush_check.data = b;
    uv_check_start(&b->flush_check, on_flush_check);
    uv_unref((uv_handle_t *)&b->flush_check);
}

void sl_net_shutdown(sl_broker_t *b)
{
    if (b->listen_fd >= 0) {
        uv_poll_stop(&b->listen_poll);
        uv_close((uv_handle_t *)&b->listen_poll, NULL);
        close(b->listen_fd);
        b->listen_fd = -1;
    }
    /* Send what is ready, then close. */
    for (sl_conn_t *c = b->conns; c; c = c->next)
        conn_send(c);
    while (b->conns)
        conn_close(b->conns, NULL);
    uv_check_stop(&b->flush_check);
    uv_close((uv_handle_t *)&b->flush_check, NULL);
}
