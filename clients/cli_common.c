/*
 * cli_common.c — helpers shared by the `sluice` subcommands: the shared options, number and
 * key=value parsing, librdkafka configuration and error reporting, JSON and human escaping.
 *
 * Error messages always name the subcommand ("sluice topics: ...") and, for broker errors,
 * Kafka's own error name (TOPIC_ALREADY_EXISTS) next to the message, so a user can search
 * Kafka's documentation for it.
 */
#include "clients/cli_int.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- option parsing ------------------------------------------------------------------- */

int sl_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    const char *sp = *cmd ? " " : ""; /* cmd is "" for the global options */
    fprintf(stderr, "sluice%s%s: ", sp, cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'sluice%s%s --help' for usage.\n", sp, cmd);
    return SL_CLI_EXIT_USAGE;
}

int sl_cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "sluice %s: error: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return SL_CLI_EXIT_FAIL;
}

int sl_cli_parse_i64(const char *cmd, const char *opt, const char *s, int64_t min, int64_t max,
                     int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno == ERANGE || v < min || v > max) {
        sl_cli_usage_error(cmd, "%s takes an integer between %" PRId64 " and %" PRId64 ", not '%s'",
                           opt, min, max, s);
        return -1;
    }
    *out = v;
    return 0;
}

int sl_cli_split_kv(const char *cmd, const char *opt, char *s, char **key, char **value)
{
    char *eq = strchr(s, '=');
    if (!eq || eq == s) {
        sl_cli_usage_error(cmd, "%s takes key=value, not '%s'", opt, s);
        return -1;
    }
    *eq = '\0';
    *key = s;
    *value = eq + 1;
    return 0;
}

void sl_cli_strv_push(sl_cli_strv_t *sv, char *s)
{
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 8;
        sv->v = realloc(sv->v, sv->cap * sizeof *sv->v);
        if (!sv->v) abort(); /* a CLI that cannot hold its own arguments cannot go on */
    }
    sv->v[sv->n++] = s;
}

void sl_cli_strv_free(sl_cli_strv_t *sv)
{
    free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

int sl_cli_common_opt(sl_cli_global_t *g, const char *cmd, int c, char **argv,
                      void (*usage)(FILE *), int *exit_code)
{
    int64_t v;
    switch (c) {
    case SL_CLI_OPT_BOOTSTRAP:
        g->bootstrap = optarg;
        return SL_CLI_OPT_TAKEN;
    case SL_CLI_OPT_REQ_TIMEOUT:
        if (sl_cli_parse_i64(cmd, "--request-timeout-ms", optarg, 1, INT32_MAX, &v) != 0) {
            *exit_code = SL_CLI_EXIT_USAGE;
            return SL_CLI_OPT_EXIT;
        }
        g->request_timeout_ms = (int)v;
        return SL_CLI_OPT_TAKEN;
    case SL_CLI_OPT_VERBOSE:
        g->verbose = 1;
        return SL_CLI_OPT_TAKEN;
    case SL_CLI_OPT_HELP:
    case 'h':
        usage(stdout);
        *exit_code = SL_CLI_EXIT_OK;
        return SL_CLI_OPT_EXIT;
    case ':':
        /* getopt leaves the offending word at argv[optind - 1] for long options */
        *exit_code = sl_cli_usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
        return SL_CLI_OPT_EXIT;
    case '?':
        if (optopt && optopt < 0x100)
            *exit_code = sl_cli_usage_error(cmd, "unknown option '-%c'", optopt);
        else
            *exit_code = sl_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        return SL_CLI_OPT_EXIT;
    }
    return SL_CLI_OPT_NOT_MINE;
}

/* ---- librdkafka ----------------------------------------------------------------------- */

/* error_cb runs on whichever thread polls the handle; the CLI polls from main only. */
static char last_client_error[512];

const char *sl_cli_last_client_error(void)
{
    return last_client_error;
}

static void on_client_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    snprintf(last_client_error, sizeof last_client_error, "%s: %s",
             rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
    const sl_cli_global_t *g = opaque;
    if (g && g->verbose) fprintf(stderr, "sluice: client error: %s\n", last_client_error);
}

/* log_cb runs on librdkafka's threads; one fprintf per line keeps lines whole. */
static void on_client_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    const sl_cli_global_t *g = rk ? rd_kafka_opaque(rk) : NULL;
    if (g && g->verbose) fprintf(stderr, "sluice: rdkafka %d %s: %s\n", level, fac, buf);
}

int sl_cli_conf_set(rd_kafka_conf_t *conf, const char *cmd, const char *key, const char *value)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        sl_cli_usage_error(cmd, "client property %s=%s: %s", key, value, errstr);
        return -1;
    }
    return 0;
}

rd_kafka_conf_t *sl_cli_conf_new(const sl_cli_global_t *g, const char *cmd,
                                 const char *const *defaults, const sl_cli_strv_t *props)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char num[32];
    snprintf(num, sizeof num, "%d", g->request_timeout_ms);
    rd_kafka_conf_set_opaque(conf, (void *)g);
    rd_kafka_conf_set_error_cb(conf, on_client_error);
    rd_kafka_conf_set_log_cb(conf, on_client_log);
    if (sl_cli_conf_set(conf, cmd, "bootstrap.servers", g->bootstrap) != 0 ||
        sl_cli_conf_set(conf, cmd, "socket.timeout.ms", num) != 0)
        goto fail;
    for (size_t i = 0; defaults && defaults[i]; i += 2)
        if (sl_cli_conf_set(conf, cmd, defaults[i], defaults[i + 1]) != 0) goto fail;
    for (size_t i = 0; props && i < props->n; i++) {
        char *copy = strdup(props->v[i]), *k, *v;
        if (!copy) abort();
        int rc = sl_cli_split_kv(cmd, "--property", copy, &k, &v);
        if (rc == 0) rc = sl_cli_conf_set(conf, cmd, k, v);
        free(copy);
        if (rc != 0) goto fail;
    }
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

rd_kafka_t *sl_cli_rk_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, const char *cmd)
{
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf); /* rd_kafka_new only takes it on success */
        sl_cli_fail(cmd, "cannot create client: %s", errstr);
    }
    return rk;
}

int sl_cli_kerr(const char *cmd, const char *what, rd_kafka_resp_err_t err, const char *msg)
{
    const char *name = rd_kafka_err2name(err);
    if (!msg || !*msg) msg = rd_kafka_err2str(err);
    fprintf(stderr, "sluice %s: error: %s: %s: %s", cmd, what, name, msg);
    if ((err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
         err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) &&
        last_client_error[0])
        fprintf(stderr, " (last client error: %s)", last_client_error);
    fputc('\n', stderr);
    return SL_CLI_EXIT_FAIL;
}

int sl_cli_metadata_all(rd_kafka_t *rk, const sl_cli_global_t *g, const char *cmd,
                        const struct rd_kafka_metadata **out)
{
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, out, g->request_timeout_ms);
    if (err) {
        rd_kafka_poll(rk, 0); /* serve error_cb so the message can say why */
        sl_cli_kerr(cmd, "metadata request", err, NULL);
        return -1;
    }
    return 0;
}

const rd_kafka_metadata_topic_t *sl_cli_md_topic(const struct rd_kafka_metadata *md,
                                                 const char *topic)
{
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0) return &md->topics[i];
    return NULL;
}

/* ---- output --------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence starting at p (at most n bytes), or 0 if invalid
 * (overlong forms, surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_seq_len(const uint8_t *p, size_t n)
{
    uint32_t cp;
    size_t len;
    if (p[0] < 0x80) return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        cp = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        cp = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void sl_cli_json_str(FILE *f, const void *vp, size_t n)
{
    const uint8_t *p = vp;
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            i++;
        } else if (c == '\n') {
            fputs("\\n", f);
            i++;
        } else if (c == '\r') {
            fputs("\\r", f);
            i++;
        } else if (c == '\t') {
            fputs("\\t", f);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", c);
            i++;
        } else {
            size_t len = utf8_seq_len(p + i, n - i);
            if (len == 0) {
                fprintf(f, "\\u%04x", c); /* not UTF-8: keep the byte as its Latin-1 char */
                i++;
            } else {
                fwrite(p + i, 1, len, f);
                i += len;
            }
        }
    }
    fputc('"', f);
}

void sl_cli_print_escaped(FILE *f, const void *vp, size_t n)
{
    const uint8_t *p = vp;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c == '\\')
            fputs("\\\\", f);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c == '\r')
            fputs("\\r", f);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
}

void sl_cli_unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
            switch (*r) {
            case 't':
                *w++ = '\t';
                break;
            case 'n':
                *w++ = '\n';
                break;
            case 'r':
                *w++ = '\r';
                break;
            case '\\':
                *w++ = '\\';
                break;
            default:
                *w++ = '\\';
                *w++ = *r;
            }
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}
