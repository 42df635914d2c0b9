/*
 * cli_int.h — internals shared by the files of the `sluice` command-line tool.
 *
 * The tool is one executable with subcommands (cli.c holds the table and main). Each
 * subcommand lives in its own file (cli_topics.c, cli_produce.c, cli_consume.c, cli_dumplog.c,
 * cli_groups.c)
 * and exports one entry point with the sl_cli_cmd_fn signature. Helpers that more than one
 * subcommand needs (option parsing, librdkafka set-up, error printing, escaping) are in
 * cli_common.c.
 *
 * Invariants:
 * - The CLI talks to servers only through their public protocols (librdkafka here); it never
 *   includes broker/ or server/ headers. It may use common/.
 * - Exit status: 0 success, 1 the operation failed (broker error, I/O error, failed record),
 *   2 usage error (unknown option, missing or malformed argument).
 * - Diagnostics go to stderr, data to stdout, so output can be piped and compared.
 */
#ifndef SL_CLI_INT_H
#define SL_CLI_INT_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SL_CLI_VERSION "0.1.0"

enum sl_cli_exit {
    SL_CLI_EXIT_OK = 0,    /* success */
    SL_CLI_EXIT_FAIL = 1,  /* the operation failed */
    SL_CLI_EXIT_USAGE = 2, /* bad command line */
};

/* Settings that every subcommand shares; given before or after the subcommand name. */
typedef struct sl_cli_global_s {
    const char *bootstrap;  /* --bootstrap-server host:port[,host:port] (borrowed from argv) */
    int request_timeout_ms; /* --request-timeout-ms: bound on each broker round trip we wait for */
    int verbose;            /* --verbose: show librdkafka's own log lines */
} sl_cli_global_t;

/* One subcommand. argv[0] is the subcommand's name; options follow. Returns an exit status. */
typedef int (*sl_cli_cmd_fn)(sl_cli_global_t *g, int argc, char **argv);

int sl_cli_topics(sl_cli_global_t *g, int argc, char **argv);
int sl_cli_produce(sl_cli_global_t *g, int argc, char **argv);
int sl_cli_consume(sl_cli_global_t *g, int argc, char **argv);
int sl_cli_dumplog(sl_cli_global_t *g, int argc, char **argv);
int sl_cli_groups(sl_cli_global_t *g, int argc, char **argv);
int sl_cli_schema(sl_cli_global_t *g, int argc, char **argv); /* cli_schema.c: registry REST */

/* ---- option parsing ------------------------------------------------------------------- */

/* getopt_long values of the options every subcommand accepts (above any short option). */
enum {
    SL_CLI_OPT_BOOTSTRAP = 0x100, /* --bootstrap-server */
    SL_CLI_OPT_REQ_TIMEOUT,       /* --request-timeout-ms */
    SL_CLI_OPT_VERBOSE,           /* --verbose */
    SL_CLI_OPT_HELP,              /* --help / -h */
    SL_CLI_OPT_FIRST_LOCAL,       /* subcommands number their own options from here */
};

/* Entries of struct option for the shared options, to put first in each subcommand's table. */
#define SL_CLI_COMMON_LONGOPTS                                                                     \
    {"bootstrap-server", required_argument, NULL, SL_CLI_OPT_BOOTSTRAP},                           \
        {"request-timeout-ms", required_argument, NULL, SL_CLI_OPT_REQ_TIMEOUT},                   \
        {"verbose", no_argument, NULL, SL_CLI_OPT_VERBOSE},                                        \
    {                                                                                              \
        "help", no_argument, NULL, SL_CLI_OPT_HELP                                                 \
    }

/* Usage lines of the shared options, for the subcommands' --help text. */
#define SL_CLI_COMMON_USAGE                                                                        \
    "common options:\n"                                                                            \
    "  --bootstrap-server HOST:PORT  broker to contact (default localhost:9092)\n"                 \
    "  --request-timeout-ms N        how long to wait for the broker (default 30000)\n"            \
    "  --verbose                     show librdkafka's log lines on stderr\n"                      \
    "  -h, --help                    show this help\n"

/* Outcome of sl_cli_common_opt(). */
enum sl_cli_optres {
    SL_CLI_OPT_NOT_MINE = 0, /* not a shared option: the caller handles c */
    SL_CLI_OPT_TAKEN = 1,    /* handled */
    SL_CLI_OPT_EXIT = 2,     /* stop and exit with *exit_code (help printed, or usage error) */
};

/*
 * Handle a getopt_long return value that belongs to the shared options, or to getopt's own
 * error reports (':' missing argument, '?' unknown option; the option string must start with
 * ':' so that both are told apart). usage is the subcommand's --help printer.
 */
int sl_cli_common_opt(sl_cli_global_t *g, const char *cmd, int c, char **argv,
                      void (*usage)(FILE *), int *exit_code);

/* Print "sluice CMD: <message>" and a hint to stderr; returns SL_CLI_EXIT_USAGE. */
int sl_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "sluice CMD: error: <message>" to stderr; returns SL_CLI_EXIT_FAIL. */
int sl_cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse a decimal integer in [min, max]; 0 ok, -1 after printing a usage error naming opt. */
int sl_cli_parse_i64(const char *cmd, const char *opt, const char *s, int64_t min, int64_t max,
                     int64_t *out);
/* Split "key=value" in place (the '=' becomes a NUL); 0 ok, -1 after a usage error. */
int sl_cli_split_kv(const char *cmd, const char *opt, char *s, char **key, char **value);

/* A growable list of borrowed strings (pointers into argv), for repeatable options. */
typedef struct sl_cli_strv_s {
    char **v;   /* owned array of borrowed strings */
    size_t n;   /* entries in use */
    size_t cap; /* entries allocated */
} sl_cli_strv_t;

void sl_cli_strv_push(sl_cli_strv_t *sv, char *s);
void sl_cli_strv_free(sl_cli_strv_t *sv);

/* ---- librdkafka ----------------------------------------------------------------------- */

/* The last error librdkafka reported through error_cb (e.g. "Connection refused"), kept so
 * a timeout can say why; "" when none. */
const char *sl_cli_last_client_error(void);

/*
 * A configuration with bootstrap.servers, logging routed through --verbose, an error_cb that
 * remembers the last client error, then the subcommand's defaults (NULL-terminated list of
 * key, value, key, value...; may be NULL), then each "k=v" of props (the user's raw
 * librdkafka properties, so they win). NULL after printing the error (a usage error).
 */
rd_kafka_conf_t *sl_cli_conf_new(const sl_cli_global_t *g, const char *cmd,
                                 const char *const *defaults, const sl_cli_strv_t *props);
/* Set one property; 0, or -1 after printing librdkafka's complaint (unknown property or bad
 * value). */
int sl_cli_conf_set(rd_kafka_conf_t *conf, const char *cmd, const char *key, const char *value);
/* rd_kafka_new; takes conf in all cases. NULL after printing the error. */
rd_kafka_t *sl_cli_rk_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, const char *cmd);

/* Print "sluice CMD: error: WHAT: KAFKA_NAME: message" (plus the last client error if the
 * code is a local timeout/transport one). Returns SL_CLI_EXIT_FAIL. */
int sl_cli_kerr(const char *cmd, const char *what, rd_kafka_resp_err_t err, const char *msg);

/* Metadata of all topics (never triggers auto-creation). 0 or -1 after printing the error. */
int sl_cli_metadata_all(rd_kafka_t *rk, const sl_cli_global_t *g, const char *cmd,
                        const struct rd_kafka_metadata **out);
/* The topic in md, or NULL. */
const rd_kafka_metadata_topic_t *sl_cli_md_topic(const struct rd_kafka_metadata *md,
                                                 const char *topic);

/* ---- output --------------------------------------------------------------------------- */

/* Write p[0..n) as a quoted JSON string. Valid UTF-8 passes through; control characters,
 * '"' and '\\' are escaped; each byte that is not part of valid UTF-8 is written as \u00XX
 * (its Latin-1 reading), so the output is always valid JSON. */
void sl_cli_json_str(FILE *f, const void *p, size_t n);
/* Write p[0..n) for humans: printable ASCII as is, '\\' as "\\\\", everything else as \xNN
 * (newline as \n, tab as \t), so one record stays on one line. */
void sl_cli_print_escaped(FILE *f, const void *p, size_t n);
/* Turn backslash escapes in a separator given on the command line ("\t", "\n", "\\") into
 * the characters, in place. */
void sl_cli_unescape(char *s);

#endif
