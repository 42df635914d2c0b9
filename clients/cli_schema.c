/*
 * cli_schema.c — `sluice schema`: register, fetch, list, check and delete schemas, and read or
 * set compatibility levels and modes, against any registry that speaks Confluent Schema
 * Registry's REST API (Sluice's own registry door, or Confluent's).
 *
 *   sluice schema <subcommand> [--registry-url URL] [options]
 *
 * The CLI is a plain HTTP client (libcurl) of the registry; JSON bodies are built and read
 * with jansson. Each subcommand is one row of the table at the bottom: its name, the options
 * it accepts (a bit mask, so an option given to the wrong subcommand is a usage error, not
 * silently ignored) and the function that runs it. The REST calls:
 *
 *   register  POST   /subjects/{s}/versions[?normalize=true] {"schema","schemaType","references"}
 *   get       GET    /schemas/ids/{id}  |  /subjects/{s}/versions/{v|latest}
 *   list      GET    /subjects[?deleted=true][&subjectPrefix=P]
 *   versions  GET    /subjects/{s}/versions[?deleted=true]
 *   check     POST   /compatibility/subjects/{s}/versions[/{v|latest}][?verbose=true]
 *   delete    DELETE /subjects/{s}[/versions/{v}][?permanent=true]
 *   config    GET|PUT|DELETE /config[/{s}]    {"compatibility": LEVEL}
 *   mode      GET|PUT|DELETE /mode[/{s}]      {"mode": MODE}
 *
 * Invariants:
 * - Subjects are percent-encoded as one path segment, so any subject name reaches the
 *   registry intact ("a/b", "x y", ":.ctx:s").
 * - An HTTP answer >= 400 is always an error, printed as the registry's own error_code and
 *   message ("sluice schema get: error: 40401: Subject 'x' not found. (HTTP 404)"), exit 1.
 *   A registry that cannot be reached says so with the URL and curl's reason, exit 1.
 * - --json prints the registry's answer byte for byte (plus a newline), so scripts can use jq;
 *   the default output is the same answer in a readable form (the id, the schema text, one
 *   subject or version per line).
 * - `check` exits 1 when the schema is incompatible, so `check && register` works in scripts.
 */
#include "clients/cli_int.h"
#include "common/buf.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_URL "http://localhost:8081"
/* A schema file larger than this is surely a mistake (Sluice's registry takes 16 MiB bodies). */
#define MAX_SCHEMA_FILE (64u << 20)
/* Content types Confluent's own clients send and accept. */
#define CT_SR "application/vnd.schemaregistry.v1+json"
#define ACCEPT_SR                                                                                  \
    "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; q=0.9, "         \
    "application/json; q=0.5"

/* Options of the subcommands, numbered after the shared ones; OPTBIT(c) is c's bit in a mask. */
enum {
    O_URL = SL_CLI_OPT_FIRST_LOCAL, /* --registry-url URL */
    O_SUBJECT,                      /* --subject S */
    O_FILE,                         /* --file F ('-' = stdin) */
    O_SCHEMA,                       /* --schema TEXT */
    O_TYPE,                         /* --type AVRO|JSON|PROTOBUF */
    O_REFERENCE,                    /* --reference name=subject:version (repeatable) */
    O_NORMALIZE,                    /* --normalize */
    O_ID,                           /* --id N */
    O_VERSION,                      /* --version V|latest */
    O_DELETED,                      /* --deleted */
    O_PREFIX,                       /* --prefix P */
    O_PERMANENT,                    /* --permanent */
    O_SET,                          /* --set LEVEL|MODE */
    O_DELETE,                       /* --delete */
    O_DEFAULT_TO_GLOBAL,            /* --default-to-global */
    O_FORCE,                        /* --force (mode IMPORT on a non-empty registry) */
    O_JSON,                         /* --json */
};
#define OPTBIT(c) (1u << ((c)-SL_CLI_OPT_FIRST_LOCAL))
/* Accepted by every subcommand. */
#define OPTS_ALL         (OPTBIT(O_URL) | OPTBIT(O_JSON))
#define OPTS_SCHEMA_TEXT (OPTBIT(O_FILE) | OPTBIT(O_SCHEMA) | OPTBIT(O_TYPE) | OPTBIT(O_REFERENCE))

typedef struct schema_args_s {
    const char *sub;          /* subcommand name, for messages: "schema register" */
    const char *url;          /* --registry-url, without trailing '/' (owned copy) */
    const char *shown_url;    /* url without "user:password@", for messages (owned copy) */
    const char *subject;      /* --subject (borrowed from argv) */
    const char *file;         /* --file (borrowed) */
    const char *schema;       /* --schema text (borrowed) */
    const char *type;         /* --type, upper-cased: AVRO, JSON or PROTOBUF; NULL = AVRO */
    sl_cli_strv_t refs;       /* --reference name=subject:version (borrowed), in order */
    int normalize;            /* --normalize */
    int64_t id;               /* --id, -1 when not given */
    const char *version;      /* --version: "latest" or a positive integer (borrowed) */
    int deleted;              /* --deleted: include soft-deleted subjects/versions */
    const char *prefix;       /* --prefix: only subjects starting with it (borrowed) */
    int permanent;            /* --permanent: hard delete (after a soft one) */
    const char *set;          /* --set LEVEL or MODE (borrowed) */
    int del;                  /* --delete: remove the subject's (or global) setting */
    int default_to_global;    /* --default-to-global: fall back to the global setting */
    int force;                /* --force: set mode IMPORT although schemas exist */
    int json;                 /* --json: print the registry's raw answer */
    unsigned given;           /* OPTBIT of every option seen, to check against the table */
    const sl_cli_global_t *g; /* shared options (timeout, verbose) */
} schema_args_t;

/* ---- usage ---------------------------------------------------------------------------- */

#define USAGE_COMMON                                                                               \
    "common options:\n"                                                                            \
    "  --registry-url URL            the schema registry (default " DEFAULT_URL ")\n"              \
    "  --json                        print the registry's answer as raw JSON\n"                    \
    "  --request-timeout-ms N        bound on each HTTP request (default 30000)\n"                 \
    "  --verbose                     show each HTTP request and status on stderr\n"                \
    "  -h, --help                    show this help\n"

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: sluice schema <subcommand> [--registry-url URL] [options]\n"
        "\n"
        "subcommands:\n"
        "  register --subject S (--file F | --schema TEXT) [--type AVRO|JSON|PROTOBUF]\n"
        "           [--reference NAME=SUBJECT:VERSION ...] [--normalize]\n"
        "                        register a schema under a subject; prints its id\n"
        "  get (--id N | --subject S [--version V|latest]) [--deleted]\n"
        "                        print a schema's text (--json: with id, version, references)\n"
        "  list [--deleted] [--prefix P]\n"
        "                        the subjects, one per line\n"
        "  versions --subject S [--deleted]\n"
        "                        the subject's versions, one per line\n"
        "  check --subject S (--file F | --schema TEXT) [--type T] [--reference ...]\n"
        "        [--version V|latest] [--verbose]\n"
        "                        is the schema compatible with the subject (under its level)?\n"
        "                        prints 'compatible' (exit 0) or 'incompatible' (exit 1)\n"
        "  delete --subject S [--version V|latest] [--permanent]\n"
        "                        delete a subject or one version (soft; --permanent after that)\n"
        "  config [--subject S] [--set LEVEL | --delete] [--default-to-global]\n"
        "                        show or set the compatibility level (global or per subject):\n"
        "                        NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD,\n"
        "                        FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE\n"
        "  mode [--subject S] [--set MODE | --delete] [--default-to-global] [--force]\n"
        "                        show or set the mode: READWRITE, READONLY, IMPORT\n"
        "\n"
        "Run 'sluice schema <subcommand> --help' for one subcommand.\n"
        "\n" USAGE_COMMON);
}

static void usage_register(FILE *f)
{
    fprintf(f,
            "usage: sluice schema register --subject S (--file F | --schema TEXT)\n"
            "                              [--type AVRO|JSON|PROTOBUF]\n"
            "                              [--reference NAME=SUBJECT:VERSION ...] [--normalize]\n"
            "\n"
            "Registers the schema under the subject (POST /subjects/S/versions) and prints its\n"
            "id. Registering a schema the subject already has prints the existing id.\n"
            "\n"
            "  --subject S           the subject (e.g. orders-value)\n"
            "  --file F              read the schema from F ('-' = stdin)\n"
            "  --schema TEXT         the schema itself\n"
            "  --type T              AVRO (default), JSON (JSON Schema) or PROTOBUF\n"
            "  --reference N=S:V     a schema reference: NAME as the schema refers to it, found\n"
            "                        as version V of subject S (repeatable)\n"
            "  --normalize           let the registry normalise the schema first\n"
            "\n" USAGE_COMMON);
}

static void usage_get(FILE *f)
{
    fprintf(f, "usage: sluice schema get --id N\n"
               "       sluice schema get --subject S [--version V|latest] [--deleted]\n"
               "\n"
               "Prints the schema's text as registered (GET /schemas/ids/N or\n"
               "GET /subjects/S/versions/V, default latest). --json prints the whole answer\n"
               "(subject, version, id, schemaType, references).\n"
               "\n"
               "  --id N                the schema id\n"
               "  --subject S           the subject\n"
               "  --version V           a version number or 'latest' (default)\n"
               "  --deleted             also find a soft-deleted version\n"
               "\n" USAGE_COMMON);
}

static void usage_list(FILE *f)
{
    fprintf(f, "usage: sluice schema list [--deleted] [--prefix P]\n"
               "\n"
               "Prints the subjects, one per line (GET /subjects).\n"
               "\n"
               "  --deleted             include soft-deleted subjects\n"
               "  --prefix P            only subjects whose name starts with P\n"
               "\n" USAGE_COMMON);
}

static void usage_versions(FILE *f)
{
    fprintf(f, "usage: sluice schema versions --subject S [--deleted]\n"
               "\n"
               "Prints the subject's versions, one per line (GET /subjects/S/versions).\n"
               "\n"
               "  --subject S           the subject\n"
               "  --deleted             include soft-deleted versions\n"
               "\n" USAGE_COMMON);
}

static void usage_check(FILE *f)
{
    fprintf(f,
            "usage: sluice schema check --subject S (--file F | --schema TEXT) [--type T]\n"
            "                           [--reference N=S:V ...] [--version V|latest] [--verbose]\n"
            "\n"
            "Asks the registry whether the schema is compatible with the subject. Without\n"
            "--version it is checked as a registration would be, against the versions the\n"
            "subject's compatibility level names (all of them for *_TRANSITIVE);\n"
            "with --version, against that version only. Prints 'compatible' (exit 0) or\n"
            "'incompatible' (exit 1); --verbose adds the registry's reasons.\n"
            "\n"
            "  --subject S           the subject\n"
            "  --file F, --schema T, --type T, --reference N=S:V   as for register\n"
            "  --version V           check against version V (a number or 'latest') only\n"
            "\n" USAGE_COMMON);
}

static void usage_delete(FILE *f)
{
    fprintf(f, "usage: sluice schema delete --subject S [--version V|latest] [--permanent]\n"
               "\n"
               "Deletes every version of the subject (DELETE /subjects/S), or one version, and\n"
               "prints the deleted version numbers. A delete is soft (the schema stays readable\n"
               "by id) until it is repeated with --permanent.\n"
               "\n"
               "  --subject S           the subject\n"
               "  --version V           one version only (a number or 'latest')\n"
               "  --permanent           hard delete (the subject/version must be soft-deleted)\n"
               "\n" USAGE_COMMON);
}

static void usage_config(FILE *f)
{
    fprintf(f, "usage: sluice schema config [--subject S] [--set LEVEL | --delete]\n"
               "                            [--default-to-global]\n"
               "\n"
               "Prints the compatibility level, global or of subject S (GET /config[/S]); sets\n"
               "it with --set (PUT); removes the subject's own level with --delete (DELETE;\n"
               "without --subject: resets the global level), printing the level removed.\n"
               "Levels: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,\n"
               "FULL_TRANSITIVE.\n"
               "\n"
               "  --subject S           a subject's setting instead of the global one\n"
               "  --set LEVEL           set the level\n"
               "  --delete              remove the setting\n"
               "  --default-to-global   a subject without a level of its own shows the global one\n"
               "\n" USAGE_COMMON);
}

static void usage_mode(FILE *f)
{
    fprintf(f, "usage: sluice schema mode [--subject S] [--set MODE | --delete]\n"
               "                          [--default-to-global] [--force]\n"
               "\n"
               "Prints the registry's mode, global or of subject S (GET /mode[/S]); sets it\n"
               "with --set (PUT); removes the subject's own mode with --delete.\n"
               "Modes: READWRITE, READONLY, IMPORT.\n"
               "\n"
               "  --subject S           a subject's setting instead of the global one\n"
               "  --set MODE            set the mode\n"
               "  --delete              remove the subject's mode\n"
               "  --default-to-global   a subject without a mode of its own shows the global one\n"
               "  --force               allow IMPORT although schemas are registered\n"
               "\n" USAGE_COMMON);
}

/* ---- small string builder ------------------------------------------------------------- */

/* Append formatted text to b, keeping it NUL-terminated (the NUL is not counted in len). */
static void sb_printf(sl_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sl_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) abort();
    sl_buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Append s percent-encoded as one URL path segment (or query value). */
static void sb_escaped(sl_buf_t *b, CURL *curl, const char *s)
{
    char *e = curl_easy_escape(curl, s, (int)strlen(s));
    if (!e) abort();
    sb_printf(b, "%s", e);
    curl_free(e);
}

/* Append "?k=v" or "&k=v" (v percent-encoded) depending on whether b has a query yet. */
static void sb_query(sl_buf_t *b, CURL *curl, const char *k, const char *v)
{
    int first = memchr(b->data, '?', b->len) == NULL;
    sb_printf(b, "%c%s=", first ? '?' : '&', k);
    sb_escaped(b, curl, v);
}

/* ---- HTTP ----------------------------------------------------------------------------- */

/* One registry round trip. */
typedef struct http_s {
    CURL *curl;                /* owned easy handle, reused by the subcommand's requests */
    long status;               /* HTTP status of the last answer */
    sl_buf_t body;             /* the last answer's body, NUL-terminated */
    char err[CURL_ERROR_SIZE]; /* curl's reason for a failed transfer */
} http_t;

static size_t on_body(char *p, size_t size, size_t n, void *opaque)
{
    sl_buf_t *b = opaque;
    sl_buf_put(b, p, size * n);
    return size * n;
}

/*
 * Send METHOD url (with an optional JSON body) and keep the answer in h. Returns 0 when the
 * registry answered with a 2xx status, -1 after printing why not: unreachable (curl's reason)
 * or an error answer (the registry's error_code and message).
 */
static int http_do(http_t *h, const schema_args_t *a, const char *method, const char *url,
                   const char *body)
{
    CURL *c = h->curl;
    struct curl_slist *hdr = NULL;
    hdr = curl_slist_append(hdr, "Accept: " ACCEPT_SR);
    if (body) {
        hdr = curl_slist_append(hdr, "Content-Type: " CT_SR);
        hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip */
    }
    sl_buf_reset(&h->body);
    h->err[0] = '\0';
    h->status = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method); /* HTTPGET reset it */
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &h->body);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->err);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)a->g->request_timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(a->g->request_timeout_ms < 10000 ? a->g->request_timeout_ms : 10000));
    /* every url starts with a->url; messages show it without credentials */
    const char *path = url + strlen(a->url);
    if (a->g->verbose)
        fprintf(stderr, "sluice %s: > %s %s%s\n", a->sub, method, a->shown_url, path);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(hdr);
    sl_buf_put(&h->body, "", 1); /* NUL-terminate for jansson and printing */
    h->body.len--;
    if (rc != CURLE_OK) {
        int unreachable = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                          rc == CURLE_COULDNT_RESOLVE_PROXY;
        sl_cli_fail(a->sub, "%s the schema registry at %s: %s",
                    unreachable ? "cannot reach" : "no answer from", a->shown_url,
                    h->err[0] ? h->err : curl_easy_strerror(rc));
        return -1;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->status);
    if (a->g->verbose)
        fprintf(stderr, "sluice %s: < HTTP %ld, %zu bytes\n", a->sub, h->status, h->body.len);
    if (h->status >= 200 && h->status < 300) return 0;

    /* Confluent's error body: {"error_code": 40401, "message": "Subject 'x' not found."} */
    json_t *j = json_loadb((const char *)h->body.data, h->body.len, 0, NULL);
    json_t *code = j ? json_object_get(j, "error_code") : NULL;
    json_t *msg = j ? json_object_get(j, "message") : NULL;
    if (json_is_integer(code))
        sl_cli_fail(a->sub, "%" JSON_INTEGER_FORMAT ": %s (HTTP %ld)", json_integer_value(code),
                    json_is_string(msg) ? json_string_value(msg) : "(no message)", h->status);
    else
        sl_cli_fail(a->sub, "HTTP %ld from %s%s: %.500s", h->status, a->shown_url, path,
                    h->body.len ? (const char *)h->body.data : "(empty body)");
    json_decref(j);
    return -1;
}

/*
 * http_do, then parse the 2xx answer as JSON. With --json the raw answer is printed here and
 * *out is still set, so callers can tell success from failure (check's exit status). Returns
 * 0 with *out owned by the caller, or -1 after printing the error.
 */
static int call_json(http_t *h, const schema_args_t *a, const char *method, const char *url,
                     const char *body, json_t **out)
{
    *out = NULL;
    if (http_do(h, a, method, url, body) != 0) return -1;
    json_error_t je;
    json_t *j = json_loadb((const char *)h->body.data, h->body.len, JSON_DECODE_ANY, &je);
    if (!j) {
        sl_cli_fail(a->sub, "the registry's answer is not JSON (%s): %.200s", je.text,
                    (const char *)h->body.data);
        return -1;
    }
    if (a->json) {
        fwrite(h->body.data, 1, h->body.len, stdout);
        if (h->body.len == 0 || h->body.data[h->body.len - 1] != '\n') fputc('\n', stdout);
    }
    *out = j;
    return 0;
}

/* The answer had an unexpected shape: say so with the answer. Returns SL_CLI_EXIT_FAIL. */
static int bad_answer(const http_t *h, const schema_args_t *a, const char *want)
{
    return sl_cli_fail(a->sub, "unexpected answer from the registry (wanted %s): %.500s", want,
                       (const char *)h->body.data);
}

/* ---- request bodies ------------------------------------------------------------------- */

/* Read all of path ('-' = stdin) into a NUL-terminated string. NULL after printing. */
static char *read_schema_file(const schema_args_t *a, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        sl_cli_fail(a->sub, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    sl_buf_t b;
    sl_buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > MAX_SCHEMA_FILE) {
            sl_cli_fail(a->sub, "%s: larger than %u MiB, not a schema", path,
                        MAX_SCHEMA_FILE >> 20);
            goto fail;
        }
        sl_buf_put(&b, chunk, n);
    }
    if (ferror(f)) {
        sl_cli_fail(a->sub, "reading %s: %s", path, strerror(errno));
        goto fail;
    }
    if (f != stdin) fclose(f);
    sl_buf_put(&b, "", 1);
    return (char *)b.data; /* ownership passes to the caller */
fail:
    if (f != stdin) fclose(f);
    sl_buf_free(&b);
    return NULL;
}

/*
 * The body of a register, lookup or compatibility request:
 *   {"schema": TEXT, "schemaType": T (omitted for AVRO, as Confluent's clients do),
 *    "references": [{"name": N, "subject": S, "version": V}, ...] (omitted when none)}
 * Returns a malloc'd compact JSON string, or NULL after printing (bad file, bad reference).
 */
static char *schema_body(const schema_args_t *a, int *usage_err)
{
    char *owned = NULL;
    const char *text = a->schema;
    *usage_err = 0;
    if (a->file) {
        owned = read_schema_file(a, a->file);
        if (!owned) return NULL;
        text = owned;
    }
    if (strspn(text, " \t\r\n") == strlen(text)) {
        sl_cli_fail(a->sub, "the schema is empty");
        free(owned);
        return NULL;
    }
    json_t *j = json_object();
    json_object_set_new(j, "schema", json_string(text));
    free(owned);
    if (!json_is_string(json_object_get(j, "schema"))) {
        sl_cli_fail(a->sub, "the schema is not valid UTF-8 text");
        json_decref(j);
        return NULL;
    }
    if (a->type && strcmp(a->type, "AVRO") != 0)
        json_object_set_new(j, "schemaType", json_string(a->type));
    if (a->refs.n) {
        json_t *refs = json_array();
        json_object_set_new(j, "references", refs); /* j owns it, also on the error path */
        for (size_t i = 0; i < a->refs.n; i++) {
            /* NAME=SUBJECT:VERSION; a subject may itself contain ':' (contexts), the
             * version is after the last one */
            const char *r = a->refs.v[i];
            const char *eq = strchr(r, '=');
            const char *colon = strrchr(r, ':');
            int64_t v;
            char *end;
            if (!eq || eq == r || !colon || colon < eq || colon == eq + 1 || !colon[1]) {
                sl_cli_usage_error(a->sub, "--reference takes NAME=SUBJECT:VERSION, not '%s'", r);
                goto usage;
            }
            errno = 0;
            v = strtoll(colon + 1, &end, 10);
            if (*end || errno || v < 1 || v > INT32_MAX) {
                sl_cli_usage_error(a->sub,
                                   "--reference '%s': the version must be a positive "
                                   "integer",
                                   r);
                goto usage;
            }
            json_array_append_new(refs, json_pack("{s:s%,s:s%,s:I}", "name", r, (size_t)(eq - r),
                                                  "subject", eq + 1, (size_t)(colon - eq - 1),
                                                  "version", (json_int_t)v));
        }
    }
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s) abort();
    return s;
usage:
    json_decref(j);
    *usage_err = 1;
    return NULL;
}

/* Base URL + "/subjects/{s}" (subject percent-encoded). */
static void url_subject(sl_buf_t *u, CURL *c, const schema_args_t *a, const char *prefix)
{
    sb_printf(u, "%s%s/", a->url, prefix);
    sb_escaped(u, c, a->subject);
}

/* ---- subcommands ---------------------------------------------------------------------- */

static int do_register(http_t *h, schema_args_t *a)
{
    int usage_err;
    char *body = schema_body(a, &usage_err);
    if (!body) return usage_err ? SL_CLI_EXIT_USAGE : SL_CLI_EXIT_FAIL;
    sl_buf_t u;
    sl_buf_init(&u);
    url_subject(&u, h->curl, a, "/subjects");
    sb_printf(&u, "/versions");
    if (a->normalize) sb_query(&u, h->curl, "normalize", "true");
    json_t *j;
    int rc = call_json(h, a, "POST", (const char *)u.data, body, &j);
    free(body);
    sl_buf_free(&u);
    if (rc != 0) return SL_CLI_EXIT_FAIL;
    json_t *id = json_object_get(j, "id");
    if (!json_is_integer(id))
        rc = bad_answer(h, a, "{\"id\": N}");
    else if (!a->json)
        printf("%" JSON_INTEGER_FORMAT "\n", json_integer_value(id));
    json_decref(j);
    return rc;
}

static int do_get(http_t *h, schema_args_t *a)
{
    sl_buf_t u;
    sl_buf_init(&u);
    if (a->id >= 0) {
        sb_printf(&u, "%s/schemas/ids/%" PRId64, a->url, a->id);
    } else {
        url_subject(&u, h->curl, a, "/subjects");
        sb_printf(&u, "/versions/%s", a->version ? a->version : "latest");
        if (a->deleted) sb_query(&u, h->curl, "deleted", "true");
    }
    json_t *j;
    int rc = call_json(h, a, "GET", (const char *)u.data, NULL, &j);
    sl_buf_free(&u);
    if (rc != 0) return SL_CLI_EXIT_FAIL;
    json_t *s = json_object_get(j, "schema");
    if (!json_is_string(s)) {
        rc = bad_answer(h, a, "{\"schema\": TEXT, ...}");
    } else if (!a->json) {
        const char *t = json_string_value(s);
        size_t n = json_string_length(s);
        fwrite(t, 1, n, stdout);
        if (n == 0 || t[n - 1] != '\n') fputc('\n', stdout);
    }
    json_decref(j);
    return rc;
}

/* Print a JSON array of strings or integers, one element per line. */
static int print_array(const http_t *h, const schema_args_t *a, json_t *arr, const char *want)
{
    size_t i;
    json_t *v;
    if (!json_is_array(arr)) return bad_answer(h, a, want);
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v))
            printf("%s\n", json_string_value(v));
        else if (json_is_integer(v))
            printf("%" JSON_INTEGER_FORMAT "\n", json_integer_value(v));
        else
            return bad_answer(h, a, want);
    }
    return SL_CLI_EXIT_OK;
}

static int do_list(http_t *h, schema_args_t *a)
{
    sl_buf_t u;
    sl_buf_init(&u);
    sb_printf(&u, "%s/subjects", a->url);
    if (a->deleted) sb_query(&u, h->curl, "deleted", "true");
    if (a->prefix) sb_query(&u, h->curl, "subjectPrefix", a->prefix);
    json_t *j;
    int rc = call_json(h, a, "GET", (const char *)u.data, NULL, &j);
    sl_buf_free(&u);
    if (rc != 0) return SL_CLI_EXIT_FAIL;
    if (!a->json) rc = print_array(h, a, j, "a list of subjects");
    json_decref(j);
    return rc;
}

static int do_versions(http_t *h, schema_args_t *a)
{
    sl_buf_t u;
    sl_buf_init(&u);
    url_subject(&u, h->curl, a, "/subjects");
    sb_printf(&u, "/versions");
    if (a->deleted) sb_query(&u, h->curl, "deleted", "true");
    json_t *j;
    int rc = call_json(h, a, "GET", (const char *)u.data, NULL, &j);
    sl_buf_free(&u);
    if (rc != 0) return SL_CLI_EXIT_FAIL;
    if (!a->json) rc = print_array(h, a, j, "a list of versions");
    json_decref(j);
    return rc;
}

static int do_check(http_t *h, schema_args_t *a)
{
    int usage_err;
    char *body = schema_body(a, &usage_err);
    if (!body) return usage_err ? SL_CLI_EXIT_USAGE : SL_CLI_EXIT_FAIL;
    sl_buf_t u;
    sl_buf_init(&u);
    url_subject(&u, h->curl, a, "/compatibility/subjects");
    sb_printf(&u, "/versions");
    if (a->version) sb_printf(&u, "/%s", a->version);
    if (a->g->verbose) sb_query(&u, h->curl, "verbose", "true");
    json_t *j;
    int rc = call_json(h, a, "POST", (const char *)u.data, body, &j);
    free(body);
    sl_buf_free(&u);
    if (rc != 0) return SL_CLI_EXIT_FAIL;
    json_t *ok = json_object_get(j, "is_compatible");
    if (!json_is_boolean(ok)) {
        rc = bad_answer(h, a, "{\"is_compatible\": true|false}");
    } else {
        rc = json_is_true(ok) ? SL_CLI_EXIT_OK : SL_CLI_EXIT_FAIL;
        if (!a->json) {
            printf("%s\n", json_is_true(ok) ? "compatible" : "incompatible");
            json_t *msgs = json_object_get(j, "messages");
            size_t i;
            json_t *m;
            json_array_foreach(msgs, i, m)
            {
                if (json_is_string(m)) printf("  %s\n", json_string_value(m));
            }
        }
    }
    json_decref(j);
    return rc;
}

static int do_delete(http_t *h, schema_args_t *a)
{
    sl_buf_t u;
    sl_buf_init(&u);
    url_subject(&u, h->curl, a, "/subjects");
    if (a->version) sb_printf(&u, "/versions/%s", a->version);
    if (a->permanent) sb_query(&u, h->curl, "permanent", "true");
    json_t *j;
    int rc = call_json(h, a, "DELETE", (const char *)u.data, NULL, &j);
    sl_buf_free(&u);
    if (rc != 0) return SL_CLI_EXIT_FAIL;
    if (!a->json) {
        /* a subject delete answers the list of versions, a version delete the version */
        if (json_is_integer(j))
            printf("%" JSON_INTEGER_FORMAT "\n", json_integer_value(j));
        else
            rc = print_array(h, a, j, "the deleted versions");
    }
    json_decref(j);
    return rc;
}

/*
 * config and mode share their shape: GET|PUT|DELETE <base>/{config|mode}[/{s}], PUT body
 * {"<put_key>": VALUE}; the answer carries the value under one of keys (GET /config says
 * "compatibilityLevel", PUT /config "compatibility").
 */
static int do_setting(http_t *h, schema_args_t *a, const char *path, const char *put_key,
                      const char *const *keys)
{
    sl_buf_t u;
    sl_buf_init(&u);
    if (a->subject)
        url_subject(&u, h->curl, a, path);
    else
        sb_printf(&u, "%s%s", a->url, path);
    if (a->default_to_global) sb_query(&u, h->curl, "defaultToGlobal", "true");
    if (a->force) sb_query(&u, h->curl, "force", "true");
    const char *method = a->set ? "PUT" : a->del ? "DELETE" : "GET";
    char *body = NULL;
    if (a->set) {
        json_t *b = json_pack("{s:s}", put_key, a->set);
        body = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        if (!body) abort();
    }
    json_t *j;
    int rc = call_json(h, a, method, (const char *)u.data, body, &j);
    free(body);
    sl_buf_free(&u);
    if (rc != 0) return SL_CLI_EXIT_FAIL;
    if (!a->json) {
        const char *v = NULL;
        for (size_t i = 0; keys[i] && !v; i++)
            v = json_string_value(json_object_get(j, keys[i]));
        if (v)
            printf("%s\n", v);
        else
            rc = bad_answer(h, a, keys[0]);
    }
    json_decref(j);
    return rc;
}

static int do_config(http_t *h, schema_args_t *a)
{
    static const char *const keys[] = {"compatibilityLevel", "compatibility", NULL};
    return do_setting(h, a, "/config", "compatibility", keys);
}

static int do_mode(http_t *h, schema_args_t *a)
{
    static const char *const keys[] = {"mode", NULL};
    return do_setting(h, a, "/mode", "mode", keys);
}

/* ---- the subcommand table ------------------------------------------------------------- */

typedef int (*schema_fn)(http_t *h, schema_args_t *a);

static const struct {
    const char *name;       /* word after `sluice schema` */
    const char *sub;        /* name in messages */
    unsigned opts;          /* OPTBITs this subcommand accepts (besides OPTS_ALL) */
    unsigned required;      /* OPTBITs it needs (one of them, for FILE|SCHEMA or ID|SUBJECT) */
    void (*usage)(FILE *f); /* its --help */
    schema_fn fn;           /* runs it */
} subcommands[] = {
    {"register", "schema register", OPTBIT(O_SUBJECT) | OPTS_SCHEMA_TEXT | OPTBIT(O_NORMALIZE),
     OPTBIT(O_SUBJECT), usage_register, do_register},
    {"get", "schema get", OPTBIT(O_ID) | OPTBIT(O_SUBJECT) | OPTBIT(O_VERSION) | OPTBIT(O_DELETED),
     0, usage_get, do_get},
    {"list", "schema list", OPTBIT(O_DELETED) | OPTBIT(O_PREFIX), 0, usage_list, do_list},
    {"versions", "schema versions", OPTBIT(O_SUBJECT) | OPTBIT(O_DELETED), OPTBIT(O_SUBJECT),
     usage_versions, do_versions},
    {"check", "schema check", OPTBIT(O_SUBJECT) | OPTS_SCHEMA_TEXT | OPTBIT(O_VERSION),
     OPTBIT(O_SUBJECT), usage_check, do_check},
    {"delete", "schema delete", OPTBIT(O_SUBJECT) | OPTBIT(O_VERSION) | OPTBIT(O_PERMANENT),
     OPTBIT(O_SUBJECT), usage_delete, do_delete},
    {"config", "schema config",
     OPTBIT(O_SUBJECT) | OPTBIT(O_SET) | OPTBIT(O_DELETE) | OPTBIT(O_DEFAULT_TO_GLOBAL), 0,
     usage_config, do_config},
    {"mode", "schema mode",
     OPTBIT(O_SUBJECT) | OPTBIT(O_SET) | OPTBIT(O_DELETE) | OPTBIT(O_DEFAULT_TO_GLOBAL) |
         OPTBIT(O_FORCE),
     0, usage_mode, do_mode},
};
#define NSUB (sizeof subcommands / sizeof subcommands[0])

static const struct option opts[] = {
    SL_CLI_COMMON_LONGOPTS,
    {"registry-url", required_argument, NULL, O_URL},
    {"subject", required_argument, NULL, O_SUBJECT},
    {"file", required_argument, NULL, O_FILE},
    {"schema", required_argument, NULL, O_SCHEMA},
    {"type", required_argument, NULL, O_TYPE},
    {"reference", required_argument, NULL, O_REFERENCE},
    {"normalize", no_argument, NULL, O_NORMALIZE},
    {"id", required_argument, NULL, O_ID},
    {"version", required_argument, NULL, O_VERSION},
    {"deleted", no_argument, NULL, O_DELETED},
    {"prefix", required_argument, NULL, O_PREFIX},
    {"permanent", no_argument, NULL, O_PERMANENT},
    {"set", required_argument, NULL, O_SET},
    {"delete", no_argument, NULL, O_DELETE},
    {"default-to-global", no_argument, NULL, O_DEFAULT_TO_GLOBAL},
    {"force", no_argument, NULL, O_FORCE},
    {"json", no_argument, NULL, O_JSON},
    {NULL, 0, NULL, 0},
};

/* The long name of option c, for messages. */
static const char *opt_name(int c)
{
    for (const struct option *o = opts; o->name; o++)
        if (o->val == c) return o->name;
    return "?";
}

/* A copy of url without the "user:password@" of its authority, for messages. */
static char *redact_url(const char *url)
{
    const char *auth = strstr(url, "://");
    auth = auth ? auth + 3 : url;
    size_t alen = strcspn(auth, "/?#");
    const char *at = memrchr(auth, '@', alen);
    char *r = at ? malloc(strlen(url) + 1) : strdup(url);
    if (!r) abort();
    if (at) {
        memcpy(r, url, (size_t)(auth - url));
        strcpy(r + (auth - url), at + 1);
    }
    return r;
}

/* "latest" or a positive integer; else a usage error. */
static int check_version(const char *sub, const char *v)
{
    int64_t n;
    if (strcmp(v, "latest") == 0) return 0;
    return sl_cli_parse_i64(sub, "--version", v, 1, INT32_MAX, &n);
}

/* Cross-option rules the mask table cannot say. 0 or SL_CLI_EXIT_USAGE after printing. */
static int check_args(schema_args_t *a, const char *name)
{
    const char *sub = a->sub;
    if ((a->given & (OPTBIT(O_FILE) | OPTBIT(O_SCHEMA))) == (OPTBIT(O_FILE) | OPTBIT(O_SCHEMA)))
        return sl_cli_usage_error(sub, "give --file or --schema, not both");
    if (!strcmp(name, "register") || !strcmp(name, "check")) {
        if (!a->file && !a->schema)
            return sl_cli_usage_error(sub, "--file or --schema is required");
    }
    if (!strcmp(name, "get")) {
        if ((a->id >= 0) == (a->subject != NULL))
            return sl_cli_usage_error(sub, "give exactly one of --id and --subject");
        if (a->id >= 0 && (a->version || a->deleted))
            return sl_cli_usage_error(sub, "--version and --deleted go with --subject");
    }
    if (a->set && a->del) return sl_cli_usage_error(sub, "give --set or --delete, not both");
    if (a->default_to_global && (a->set || a->del || !a->subject))
        return sl_cli_usage_error(sub, "--default-to-global goes with --subject, without "
                                       "--set or --delete");
    if (a->force && !a->set) return sl_cli_usage_error(sub, "--force goes with --set");
    if (a->set) {
        /* levels and modes are upper-case words; the registry checks which ones exist */
        char *s = (char *)a->set;
        if (!*s) return sl_cli_usage_error(sub, "--set needs a value");
        for (; *s; s++)
            if (*s >= 'a' && *s <= 'z') *s = (char)(*s - 'a' + 'A');
    }
    if (!strcmp(name, "mode") && a->del && !a->subject)
        return sl_cli_usage_error(sub, "--delete needs --subject (the global mode cannot be "
                                       "removed; set it)");
    return 0;
}

int sl_cli_schema(sl_cli_global_t *g, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2) {
            usage(stderr);
            return SL_CLI_EXIT_USAGE;
        }
        usage(stdout);
        return SL_CLI_EXIT_OK;
    }
    size_t si;
    for (si = 0; si < NSUB; si++)
        if (strcmp(subcommands[si].name, argv[1]) == 0) break;
    if (si == NSUB)
        return sl_cli_usage_error("schema",
                                  "unknown subcommand '%s' (register, get, list, "
                                  "versions, check, delete, config, mode)",
                                  argv[1]);
    schema_args_t a = {.sub = subcommands[si].sub, .id = -1, .g = g};
    const char *url = DEFAULT_URL;
    char *url_copy = NULL, *shown_copy = NULL;
    int c, rc = SL_CLI_EXIT_OK;
    int64_t v;

    /* the subcommand is argv[0] for getopt: options follow it */
    argc--;
    argv++;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (sl_cli_common_opt(g, a.sub, c, argv, subcommands[si].usage, &rc)) {
        case SL_CLI_OPT_TAKEN:
            continue;
        case SL_CLI_OPT_EXIT:
            goto out;
        }
        if (c < SL_CLI_OPT_FIRST_LOCAL || c > O_JSON) {
            rc = sl_cli_usage_error(a.sub, "unexpected option");
            goto out;
        }
        if (!(OPTBIT(c) & (subcommands[si].opts | OPTS_ALL))) {
            rc = sl_cli_usage_error(a.sub, "--%s does not go with %s", opt_name(c), a.sub);
            goto out;
        }
        if ((a.given & OPTBIT(c)) && c != O_REFERENCE) {
            rc = sl_cli_usage_error(a.sub, "--%s can be given once", opt_name(c));
            goto out;
        }
        a.given |= OPTBIT(c);
        switch (c) {
        case O_URL:
            url = optarg;
            break;
        case O_SUBJECT:
            if (!*optarg) {
                rc = sl_cli_usage_error(a.sub, "--subject needs a name");
                goto out;
            }
            a.subject = optarg;
            break;
        case O_FILE:
            a.file = optarg;
            break;
        case O_SCHEMA:
            a.schema = optarg;
            break;
        case O_TYPE:
            if (!strcasecmp(optarg, "AVRO"))
                a.type = "AVRO";
            else if (!strcasecmp(optarg, "JSON"))
                a.type = "JSON";
            else if (!strcasecmp(optarg, "PROTOBUF"))
                a.type = "PROTOBUF";
            else {
                rc = sl_cli_usage_error(a.sub, "--type takes AVRO, JSON or PROTOBUF, not '%s'",
                                        optarg);
                goto out;
            }
            break;
        case O_REFERENCE:
            sl_cli_strv_push(&a.refs, optarg);
            break;
        case O_NORMALIZE:
            a.normalize = 1;
            break;
        case O_ID:
            if (sl_cli_parse_i64(a.sub, "--id", optarg, 1, INT32_MAX, &v) != 0) goto usage_err;
            a.id = v;
            break;
        case O_VERSION:
            if (check_version(a.sub, optarg) != 0) goto usage_err;
            a.version = optarg;
            break;
        case O_DELETED:
            a.deleted = 1;
            break;
        case O_PREFIX:
            a.prefix = optarg;
            break;
        case O_PERMANENT:
            a.permanent = 1;
            break;
        case O_SET:
            a.set = optarg;
            break;
        case O_DELETE:
            a.del = 1;
            break;
        case O_DEFAULT_TO_GLOBAL:
            a.default_to_global = 1;
            break;
        case O_FORCE:
            a.force = 1;
            break;
        case O_JSON:
            a.json = 1;
            break;
        }
    }
    if (optind < argc) {
        rc = sl_cli_usage_error(a.sub, "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    unsigned missing = subcommands[si].required & ~a.given;
    if (missing) {
        rc = sl_cli_usage_error(a.sub, "--%s is required",
                                opt_name(SL_CLI_OPT_FIRST_LOCAL + __builtin_ctz(missing)));
        goto out;
    }
    if ((rc = check_args(&a, subcommands[si].name)) != 0) goto out;
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        rc = sl_cli_usage_error(a.sub,
                                "--registry-url takes http://HOST:PORT or "
                                "https://HOST:PORT, not '%s'",
                                url);
        goto out;
    }
    url_copy = strdup(url);
    if (!url_copy) abort();
    for (size_t n = strlen(url_copy); n > 0 && url_copy[n - 1] == '/'; n--)
        url_copy[n - 1] = '\0';
    a.url = url_copy;
    shown_copy = redact_url(url_copy);
    a.shown_url = shown_copy;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        rc = sl_cli_fail(a.sub, "cannot initialise libcurl");
        goto out;
    }
    http_t h = {.curl = curl_easy_init()};
    if (!h.curl) {
        curl_global_cleanup();
        rc = sl_cli_fail(a.sub, "cannot initialise libcurl");
        goto out;
    }
    sl_buf_init(&h.body);
    rc = subcommands[si].fn(&h, &a);
    if (fflush(stdout) != 0 || ferror(stdout)) rc = sl_cli_fail(a.sub, "writing stdout failed");
    sl_buf_free(&h.body);
    curl_easy_cleanup(h.curl);
    curl_global_cleanup();
out:
    free(url_copy);
    free(shown_copy);
    sl_cli_strv_free(&a.refs);
    return rc;
usage_err:
    rc = SL_CLI_EXIT_USAGE;
    goto out;
}
