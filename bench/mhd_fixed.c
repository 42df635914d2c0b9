/*
 * mhd_fixed.c — the baseline for the Schema Registry read benchmark (bench/registry.sh): a bare
 * libmicrohttpd server that answers every GET with one fixed body, read once from a file.
 *
 *   mhd_fixed BODY_FILE [PORT] [THREADS]
 *
 * It does what an HTTP server on libmicrohttpd cannot avoid doing for GET /schemas/ids/{id} —
 * parse the request, queue a response, write it — and nothing else: no routing, no lookup, no
 * JSON. bench/registry.sh feeds it the exact bytes Sluice's registry answered for the id being
 * benchmarked, with the same Content-Type, so both servers send identical responses and the
 * difference is the registry's own work.
 *
 * Invariants:
 * - One MHD_Response, created at start and queued for every request (MHD reference-counts it),
 *   so the baseline allocates nothing per request.
 * - Threads: MHD's internal epoll thread with THREADS (default 1) pool threads, the same shape
 *   as the registry door; registry.sh passes the same number to both.
 * - Prints "mhd_fixed listening on 127.0.0.1:PORT (N bytes, T threads)" (flushed) once
 *   listening; PORT 0 (the default) picks a free port. SIGINT/SIGTERM: clean exit 0.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTENT_TYPE "application/vnd.schemaregistry.v1+json"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* Every request gets the one prebuilt response; any method but GET gets 405 like a REST
 * server would, so a benchmark that sends the wrong thing notices. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **state)
{
    struct MHD_Response *resp = cls;
    (void)url;
    (void)version;
    (void)upload_data;
    (void)upload_size;
    /* Answer on the second call: a response queued on the first one (before MHD knows the
     * request is complete) makes MHD 0.9.7x close the connection instead of keeping it. */
    static int started;
    if (*state == NULL) {
        *state = &started;
        return MHD_YES;
    }
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0)
        return MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED, resp);
    return MHD_queue_response(conn, MHD_HTTP_OK, resp);
}

/* The whole file as a malloc'd buffer; exits on failure (a benchmark tool, not a server). */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    size_t cap = 4096, n = 0, r;
    char *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    if (!buf || ferror(f)) {
        fprintf(stderr, "mhd_fixed: cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: mhd_fixed BODY_FILE [PORT] [THREADS]\n");
        return 2;
    }
    size_t len;
    char *body = read_file(argv[1], &len);
    int port = argc > 2 ? atoi(argv[2]) : 0;
    int threads = argc > 3 ? atoi(argv[3]) : 1;
    if (port < 0 || port > 65535 || threads < 1 || threads > 64) {
        fprintf(stderr, "mhd_fixed: bad PORT or THREADS\n");
        return 2;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_PERSISTENT);
    if (!resp ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE) != MHD_YES) {
        fprintf(stderr, "mhd_fixed: cannot build the response\n");
        return 1;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, resp, MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT, 4096u,
        MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "mhd_fixed: cannot start the daemon on port %d\n", port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("mhd_fixed listening on 127.0.0.1:%u (%zu bytes, %d threads)\n",
           info ? (unsigned)info->port : (unsigned)port, len, threads);
    fflush(stdout);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stop_flag)
        pause();
    MHD_stop_daemon(d);
    MHD_destroy_response(resp);
    free(body);
    return 0;
}
