/*
 * fuzz_registry_store.c — the Schema Registry's untrusted inputs: `_schemas` records (anyone
 * who can produce to the topic writes them) and REST request bodies / path segments, through
 * the store and the operations layer (registry/store.c, registry/ops.c), statefully.
 *
 * Input: lines, each one command.
 *   K<key>\t<value>           apply a `_schemas` record ("-" as value: tombstone)
 *   R<op>\t<subject>\t<version or id>\t<flags>\t<body>
 *                             run request op (a number, taken modulo the op count) and apply
 *                             the records it asks for, as the Kafka round trip would; flags
 *                             are letters: d deleted, D deletedOnly, p permanent, n normalize,
 *                             v verbose, g defaultToGlobal, f force, m fetchMaxId
 * After the commands every read endpoint runs once over what the store holds.
 * Checks, beyond "no crash, no leak, no UB": every answer has a status and a body; JSON
 * answers (all but the two raw-schema endpoints) parse as JSON; error answers carry an integer
 * error_code and a string message; a write's records are valid JSON keys/values that apply
 * cleanly (never "ignored"). Any violation abort()s.
 *
 * The registry's sources are compiled into this file because the fuzz build links only the
 * broker and serde libraries. Corpus: tests/fuzz/corpus/registry_store/.
 */
#include "registry/ops.c"
#include "registry/store.c"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_answer(const sl_reg_req_t *req, const sl_reg_result_t *res)
{
    if (res->status < 200 || res->status > 599 || !res->body) abort();
    if (strlen(res->body) != res->body_len) {
        /* raw schema text may hold NUL only if the schema did; JSON never */
        if (req->op != SL_REGOP_VERSION_SCHEMA && req->op != SL_REGOP_ID_SCHEMA) abort();
    }
    int raw =
        res->status == 200 && (req->op == SL_REGOP_VERSION_SCHEMA || req->op == SL_REGOP_ID_SCHEMA);
    if (raw) return;
    json_error_t jerr;
    json_t *j = json_loadb(res->body, res->body_len, JSON_DECODE_ANY, &jerr);
    if (!j) abort();
    if (res->status >= 400) {
        if (!json_is_integer(json_object_get(j, "error_code")) ||
            !json_is_string(json_object_get(j, "message")))
            abort();
    }
    json_decref(j);
}

/* Splits s at the first tab: returns the rest (or NULL) and terminates s. */
static char *cut(char *s)
{
    char *t = s ? strchr(s, '\t') : NULL;
    if (!t) return NULL;
    *t = 0;
    return t + 1;
}

static void run_req(sl_reg_store_t *st, sl_reg_req_t *req, int64_t *offset)
{
    sl_reg_result_t res;
    sl_regops_run(st, req, &res);
    check_answer(req, &res);
    for (size_t i = 0; i < res.n_recs; i++) {
        const sl_reg_rec_t *r = &res.recs[i];
        if (sl_regstore_apply(st, r->key, strlen(r->key), r->value, r->value ? strlen(r->value) : 0,
                              (*offset)++) != SL_OK)
            abort();
    }
    sl_reg_result_free(&res);
}

static void collect_subject(const char *k, size_t l, void *v, void *arg)
{
    json_t *a = arg;
    json_array_append_new(a, json_stringn(k, l));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 16)) return 0;
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    sl_reg_store_t st;
    if (sl_regstore_init(&st) != SL_OK) abort();
    int64_t offset = 0;
    char *line = buf;
    while (line && *line) {
        char *next = strchr(line, '\n');
        if (next) *next++ = 0;
        if (line[0] == 'K') {
            char *value = cut(line + 1);
            if (value && strcmp(value, "-") == 0) value = NULL;
            sl_regstore_apply(&st, line + 1, strlen(line + 1), value, value ? strlen(value) : 0,
                              offset++);
        } else if (line[0] == 'R') {
            char *opf = line + 1, *subject = cut(opf), *version = cut(subject);
            char *flags = cut(version), *body = cut(flags);
            sl_reg_req_t req;
            memset(&req, 0, sizeof req);
            req.op = (sl_regop_t)((unsigned)atoi(opf) % SL_REGOP_COUNT_);
            req.subject = subject && *subject ? subject : NULL;
            req.version = version;
            req.id = version;
            req.body = body;
            req.body_len = body ? strlen(body) : 0;
            for (const char *f = flags; f && *f; f++) {
                req.deleted |= *f == 'd';
                req.deleted_only |= *f == 'D';
                req.permanent |= *f == 'p';
                req.normalize |= *f == 'n';
                req.verbose |= *f == 'v';
                req.default_to_global |= *f == 'g';
                req.force |= *f == 'f';
                req.fetch_max_id |= *f == 'm';
            }
            if (req.version ||
                !(req.op == SL_REGOP_VERSION_GET || req.op == SL_REGOP_VERSION_SCHEMA ||
                  req.op == SL_REGOP_VERSION_REFERENCEDBY || req.op == SL_REGOP_VERSION_DELETE))
                run_req(&st, &req, &offset);
        }
        line = next;
    }
    /* every read over what is there */
    json_t *subjects = json_array();
    sl_regmap_each(&st.subjects, collect_subject, subjects);
    size_t i;
    json_t *sv;
    json_array_foreach(subjects, i, sv)
    {
        const sl_regop_t reads[] = {SL_REGOP_VERSIONS,       SL_REGOP_VERSION_GET,
                                    SL_REGOP_VERSION_SCHEMA, SL_REGOP_VERSION_REFERENCEDBY,
                                    SL_REGOP_CONFIG_GET,     SL_REGOP_MODE_GET};
        for (size_t k = 0; k < sizeof reads / sizeof reads[0]; k++) {
            sl_reg_req_t req;
            memset(&req, 0, sizeof req);
            req.op = reads[k];
            req.subject = json_string_value(sv);
            req.version = "latest";
            req.deleted = 1;
            run_req(&st, &req, &offset);
        }
    }
    json_decref(subjects);
    for (int32_t id = 0; id <= st.max_id && id < 64; id++) {
        char ids[16];
        snprintf(ids, sizeof ids, "%d", (int)id);
        const sl_regop_t reads[] = {SL_REGOP_ID_GET, SL_REGOP_ID_SCHEMA, SL_REGOP_ID_SUBJECTS,
                                    SL_REGOP_ID_VERSIONS};
        for (size_t k = 0; k < sizeof reads / sizeof reads[0]; k++) {
            sl_reg_req_t req;
            memset(&req, 0, sizeof req);
            req.op = reads[k];
            req.id = ids;
            run_req(&st, &req, &offset);
        }
    }
    sl_reg_req_t all = {.op = SL_REGOP_SUBJECTS, .deleted = 1};
    run_req(&st, &all, &offset);
    sl_regstore_destroy(&st);
    free(buf);
    return 0;
}
