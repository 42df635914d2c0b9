/*
 * main.c — sluice-server: the composition root. Reads settings, starts the doors, runs the
 * loop, stops cleanly on SIGTERM/SIGINT.
 *
 * Settings precedence (lowest first): built-in defaults, --config FILE (Kafka's
 * server.properties syntax and key names), --set key=value (in order), then the explicit flags
 * --data-dir and --kafka-port.
 *
 * Doors: the broker runs on this thread's libuv loop. The Schema Registry (unless
 * --no-registry) is a Kafka client of that broker over loopback with threads of its own; it
 * starts once the broker listens and announces itself when it has read `_schemas`, and it is
 * the broker's produce-time record validator (registry/validate.h). On shutdown the validator
 * is removed first (loop thread), then the registry is stopped on a helper thread while the
 * loop keeps serving the broker (the registry's last writes and its clients' goodbyes need
 * answers), then the broker.
 */
#include "broker/broker.h"
#include "common/err.h"
#include "common/log.h"
#include "common/props.h"
#ifdef HAVE_SL_REGISTRY
#include "registry/registry.h"
#include "registry/validate.h"
#endif

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define SLUICE_VERSION "0.1.0"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sluice-server [--config FILE] [--data-dir DIR] [--kafka-port N]\n"
            "                     [--registry-port N] [--sql-port N] [--no-registry] [--no-sql]\n"
            "                     [--set key=value ...] [--log-level debug|info|warn|error]\n"
            "\n"
            "  --config FILE       settings in Kafka's server.properties format\n"
            "  --data-dir DIR      where partition logs live (log.dirs); default ./sluice-data\n"
            "  --kafka-port N      Kafka protocol port (default 9092; 0 picks a free port)\n"
            "  --registry-port N   Schema Registry REST port (default 8081)\n"
            "  --sql-port N        ksqlDB REST port (default 8088)\n"
            "  --no-registry       do not start the Schema Registry door\n"
            "  --no-sql            do not start the SQL door\n"
            "  --set key=value     any setting, with Kafka's key names (repeatable)\n"
            "  --version           print the version and exit\n");
}

static int parse_port(const char *s, const char *flag, int *out)
{
    int64_t v;
    if (sl_parse_i64(s, &v) != SL_OK || v < 0 || v > 65535) {
        fprintf(stderr, "sluice-server: %s takes a port number 0-65535, not '%s'\n", flag, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* listeners=PLAINTEXT://host:port → host (may be empty = all addresses) and port. */
static int parse_listener(const char *l, char *host, size_t hostlen, int *port)
{
    const char *s = strstr(l, "://");
    s = s ? s + 3 : l;
    const char *end = s + strcspn(s, ",");
    const char *colon = NULL;
    for (const char *q = s; q < end; q++)
        if (*q == ':') colon = q;
    if (!colon) return -1;
    size_t hl = (size_t)(colon - s);
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
        s++;
        hl -= 2;
    }
    if (hl >= hostlen) return -1;
    memcpy(host, s, hl);
    host[hl] = 0;
    char num[16];
    size_t nl = (size_t)(end - colon - 1);
    if (nl == 0 || nl >= sizeof num) return -1;
    memcpy(num, colon + 1, nl);
    num[nl] = 0;
    int64_t p;
    if (sl_parse_i64(num, &p) != SL_OK || p < 0 || p > 65535) return -1;
    *port = (int)p;
    return 0;
}

typedef struct sl_server_s {
    uv_loop_t loop;      /* the one event loop */
    uv_signal_t sigterm; /* SIGTERM handler */
    uv_signal_t sigint;  /* SIGINT handler */
    sl_broker_t *broker; /* the Kafka door */
    int stopping;        /* shutdown started */
#ifdef HAVE_SL_REGISTRY
    sl_registry_t *registry; /* the Schema Registry door, NULL with --no-registry */
    uv_async_t reg_stopped;  /* the stopper thread is done (initialised with the registry) */
    uv_thread_t reg_stopper; /* runs sl_registry_stop off the loop thread */
    int reg_stopper_started; /* reg_stopper must be joined */
#endif
} sl_server_t;

#ifdef HAVE_SL_REGISTRY
static void registry_stopper(void *arg)
{
    sl_server_t *s = arg;
    sl_registry_stop(s->registry);
    s->registry = NULL;
    uv_async_send(&s->reg_stopped);
}

static void on_registry_stopped(uv_async_t *h)
{
    sl_server_t *s = h->data;
    uv_close((uv_handle_t *)&s->reg_stopped, NULL);
    if (s->stopping) sl_broker_shutdown(s->broker);
}
#endif

static void on_signal(uv_signal_t *h, int signum)
{
    sl_server_t *s = h->data;
    if (s->stopping) return;
    s->stopping = 1;
    SL_INFO("server", "received %s, shutting down", signum == SIGTERM ? "SIGTERM" : "SIGINT");
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_close((uv_handle_t *)&s->sigint, NULL);
#ifdef HAVE_SL_REGISTRY
    if (s->registry) {
        /* validated topics refuse produces from here on, rather than ask a registry that is
         * going away (we are on the loop thread, so no validation is in progress) */
        sl_broker_set_record_validator(s->broker, NULL, NULL);
        if (uv_thread_create(&s->reg_stopper, registry_stopper, s) == 0) {
            s->reg_stopper_started = 1;
            return; /* on_registry_stopped shuts the broker down */
        }
        uv_close((uv_handle_t *)&s->reg_stopped, NULL); /* stopped after the loop instead */
    }
#endif
    sl_broker_shutdown(s->broker);
}

int main(int argc, char **argv)
{
    enum {
        OPT_CONFIG = 1,
        OPT_DATA,
        OPT_KPORT,
        OPT_RPORT,
        OPT_SPORT,
        OPT_NOREG,
        OPT_NOSQL,
        OPT_SET,
        OPT_LOGLEVEL,
        OPT_VERSION,
        OPT_HELP
    };
    static const struct option opts[] = {
        {"config", required_argument, NULL, OPT_CONFIG},
        {"data-dir", required_argument, NULL, OPT_DATA},
        {"kafka-port", required_argument, NULL, OPT_KPORT},
        {"registry-port", required_argument, NULL, OPT_RPORT},
        {"sql-port", required_argument, NULL, OPT_SPORT},
        {"no-registry", no_argument, NULL, OPT_NOREG},
        {"no-sql", no_argument, NULL, OPT_NOSQL},
        {"set", required_argument, NULL, OPT_SET},
        {"log-level", required_argument, NULL, OPT_LOGLEVEL},
        {"version", no_argument, NULL, OPT_VERSION},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *data_dir = NULL;
    int kafka_port = -1, registry_port = 8081, sql_port = 8088, no_registry = 0, no_sql = 0;
    sl_props_t sets;
    sl_props_init(&sets);
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_CONFIG:
            config = optarg;
            break;
        case OPT_DATA:
            data_dir = optarg;
            break;
        case OPT_KPORT:
            if (parse_port(optarg, "--kafka-port", &kafka_port)) return 2;
            break;
        case OPT_RPORT:
            if (parse_port(optarg, "--registry-port", &registry_port)) return 2;
            break;
        case OPT_SPORT:
            if (parse_port(optarg, "--sql-port", &sql_port)) return 2;
            break;
        case OPT_NOREG:
            no_registry = 1;
            break;
        case OPT_NOSQL:
            no_sql = 1;
            break;
        case OPT_SET: {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg) {
                fprintf(stderr, "sluice-server: --set takes key=value, not '%s'\n", optarg);
                return 2;
            }
            char *key = strndup(optarg, (size_t)(eq - optarg));
            sl_props_set(&sets, key, eq + 1);
            free(key);
            break;
        }
        case OPT_LOGLEVEL:
            if (!strcmp(optarg, "debug"))
                sl_log_set_level(SL_LOG_DEBUG);
            else if (!strcmp(optarg, "info"))
                sl_log_set_level(SL_LOG_INFO);
            else if (!strcmp(optarg, "warn"))
                sl_log_set_level(SL_LOG_WARN);
            else if (!strcmp(optarg, "error"))
                sl_log_set_level(SL_LOG_ERROR);
            else {
                fprintf(stderr, "sluice-server: unknown log level '%s'\n", optarg);
                return 2;
            }
            break;
        case OPT_VERSION:
            printf("sluice-server %s\n", SLUICE_VERSION);
            return 0;
        case OPT_HELP:
            usage(stdout);
            return 0;
        default:
            fprintf(stderr, "sluice-server: unknown or incomplete option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sluice-server: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    sl_props_t props;
    sl_props_init(&props);
    if (config) {
        int line = 0;
        int rc = sl_props_load(&props, config, &line);
        if (rc == SL_IO) {
            fprintf(stderr, "sluice-server: cannot read config file %s: %m\n", config);
            return 1;
        }
        if (rc != SL_OK) {
            fprintf(stderr, "sluice-server: %s:%d: malformed line (expected key=value)\n", config,
                    line);
            return 1;
        }
    }
    for (size_t i = 0; i < sets.n; i++)
        sl_props_set(&props, sets.v[i].key, sets.v[i].value);
    sl_props_free(&sets);
    if (data_dir) sl_props_set(&props, "log.dirs", data_dir);

    char host[256] = "";
    int port = 9092;
    const char *listeners = sl_props_get(&props, "listeners");
    if (listeners && parse_listener(listeners, host, sizeof host, &port) != 0) {
        fprintf(stderr,
                "sluice-server: cannot parse listeners=%s (expected PLAINTEXT://host:port)\n",
                listeners);
        return 1;
    }
    if (kafka_port >= 0) port = kafka_port;

    signal(SIGPIPE, SIG_IGN);
    sl_server_t srv;
    memset(&srv, 0, sizeof srv);
    uv_loop_init(&srv.loop);
    char err[512];
    if (sl_broker_create(&srv.loop, &props, &srv.broker, err, sizeof err) != SL_OK) {
        fprintf(stderr, "sluice-server: %s\n", err);
        return 1;
    }
    sl_props_free(&props);
    int bound = 0;
    if (sl_broker_listen(srv.broker, host, port, &bound, err, sizeof err) != SL_OK) {
        fprintf(stderr, "sluice-server: %s\n", err);
        sl_broker_shutdown(srv.broker);
        uv_run(&srv.loop, UV_RUN_DEFAULT);
        sl_broker_free(srv.broker);
        return 1;
    }
    printf("sluice-server %s: broker listening on %s:%d\n", SLUICE_VERSION,
           host[0] ? host : "localhost", bound);
#ifdef HAVE_SL_REGISTRY
    if (!no_registry) {
        /* the registry reaches the broker over loopback, like any other Kafka client */
        const char *bh =
            (!host[0] || !strcmp(host, "0.0.0.0") || !strcmp(host, "::")) ? "localhost" : host;
        char bootstrap[300];
        snprintf(bootstrap, sizeof bootstrap, strchr(bh, ':') ? "[%s]:%d" : "%s:%d", bh, bound);
        sl_registry_opts_t ro;
        memset(&ro, 0, sizeof ro);
        ro.bootstrap = bootstrap;
        ro.port = registry_port;
        ro.announce = 1;
        ro.announce_host = host[0] ? host : "localhost";
        if (sl_registry_start(&ro, &srv.registry, err, sizeof err) != SL_OK) {
            fprintf(stderr, "sluice-server: %s\n", err);
            sl_broker_shutdown(srv.broker);
            uv_run(&srv.loop, UV_RUN_DEFAULT);
            sl_broker_free(srv.broker);
            return 1;
        }
        uv_async_init(&srv.loop, &srv.reg_stopped, on_registry_stopped);
        srv.reg_stopped.data = &srv;
        /* produce-time schema validation (topics with confluent.*.schema.validation=true) */
        sl_broker_set_record_validator(srv.broker, sl_registry_validate_record, srv.registry);
    }
#else
    if (!no_registry)
        printf("sluice-server: schema registry door (port %d) is not supported yet; "
               "use --no-registry\n",
               registry_port);
#endif
    if (!no_sql)
        printf("sluice-server: SQL door (port %d) is not supported yet; use --no-sql\n", sql_port);
    fflush(stdout);

    uv_signal_init(&srv.loop, &srv.sigterm);
    uv_signal_init(&srv.loop, &srv.sigint);
    srv.sigterm.data = srv.sigint.data = &srv;
    uv_signal_start(&srv.sigterm, on_signal, SIGTERM);
    uv_signal_start(&srv.sigint, on_signal, SIGINT);
    uv_run(&srv.loop, UV_RUN_DEFAULT);
#ifdef HAVE_SL_REGISTRY
    if (srv.reg_stopper_started) uv_thread_join(&srv.reg_stopper);
    sl_registry_stop(srv.registry); /* only if the stopper thread could not be started */
#endif
    sl_broker_free(srv.broker);
    int rc = uv_loop_close(&srv.loop);
    if (rc != 0) SL_WARN("server", "event loop closed with handles still open");
    SL_INFO("server", "stopped");
    return 0;
}
