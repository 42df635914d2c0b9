/*
 * ops.c — the registry's operations: one REST request, decided against the store, becomes an
 * answer (status + body, Confluent's shapes and error codes) plus, for writes, the `_schemas`
 * records that must be written before the answer may go out.
 *
 * Invariants:
 * - Pure with respect to the store: reads it under the shared lock and never changes it. The
 *   store changes only when the reader thread applies the records produced here, so a write
 *   is visible to nobody until it is in the topic, and every decision here can be re-made
 *   from the topic alone.
 * - Writes are decided one at a time (the writer thread), each after the previous one's
 *   records were applied; so "next id" (max_id + 1) and "next version" are always fresh.
 *   A second registry instance writing the same topic concurrently is not supported.
 * - Ids are never reused: new ids come from max_id, which counts every id any record ever
 *   carried; before a permanent delete could take the highest id out of the topic, the
 *   high-water mark record (store_int.h) is written first.
 *
 * Error codes follow Confluent's (io.confluent.kafka.schemaregistry.rest.exceptions.Errors):
 * 40401 subject, 40402 version, 40403 schema not found; 40404/40405 subject (not) soft-deleted;
 * 40406/40407 version (not) soft-deleted; 40408/40409 no subject-level config/mode; 409
 * incompatible; 42201 invalid schema; 42202 invalid version; 42203 invalid compatibility;
 * 42204 invalid mode; 42205 operation not permitted; 42206 reference exists; 42208 invalid
 * subject; 42209 schema too large; 422 malformed request body; 500xx store failures.
 */
#include "registry/store_int.h"

#include "common/err.h"
#include "common/log.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LEVEL SL_AVRO_COMPAT_BACKWARD

/* ---- results ---- */

void sl_reg_result_free(sl_reg_result_t *res)
{
    sl_reg_schema_put(res->built);
    free(res->body);
    for (size_t i = 0; i < res->n_recs; i++) {
        free(res->recs[i].key);
        free(res->recs[i].value);
    }
    free(res->recs);
    memset(res, 0, sizeof *res);
}

/* Replaces invalid UTF-8 and control characters by '?', so any text can go into JSON. */
static void sanitize(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t n = c < 0x80             ? 1
                   : (c & 0xe0) == 0xc0 ? 2
                   : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4
                                        : 0;
        int ok = n > 0 && !(n == 2 && c < 0xc2) && !(n == 4 && c > 0xf4);
        for (size_t i = 1; ok && i < n; i++)
            ok = (p[i] & 0xc0) == 0x80;
        if (!ok) {
            *p++ = '?';
            continue;
        }
        if (n == 1 && (c < 0x20 || c == 0x7f)) *p = '?';
        p += n;
    }
}

static void res_json(sl_reg_result_t *res, int status, json_t *j)
{
    free(res->body);
    res->body = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (!res->body) {
        res->status = 500;
        res->body = strdup("{\"error_code\":50001,\"message\":\"out of memory\"}");
        res->body_len = res->body ? strlen(res->body) : 0;
        return;
    }
    res->status = status;
    res->body_len = strlen(res->body);
}

void sl_reg_result_error(sl_reg_result_t *res, int status, int code, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sanitize(msg);
    for (size_t i = 0; i < res->n_recs; i++) {
        free(res->recs[i].key);
        free(res->recs[i].value);
    }
    free(res->recs);
    res->recs = NULL;
    res->n_recs = 0;
    res_json(res, status, json_pack("{s:i,s:s}", "error_code", code, "message", msg));
}

static void res_raw(sl_reg_result_t *res, const char *text, size_t len)
{
    free(res->body);
    res->body = malloc(len + 1);
    if (!res->body) {
        sl_reg_result_error(res, 500, 50001, "out of memory");
        return;
    }
    memcpy(res->body, text, len);
    res->body[len] = 0;
    res->body_len = len;
    res->status = 200;
}

/* Appends a record (takes both references; val NULL = tombstone). SL_OK or SL_NOMEM. */
static int add_rec(sl_reg_result_t *res, json_t *key, json_t *val)
{
    sl_reg_rec_t r = {NULL, NULL};
    int rc = SL_NOMEM;
    if (!key) goto out;
    r.key = json_dumps(key, JSON_COMPACT);
    if (!r.key) goto out;
    if (val && !(r.value = json_dumps(val, JSON_COMPACT))) goto out;
    sl_reg_rec_t *nr = realloc(res->recs, (res->n_recs + 1) * sizeof *nr);
    if (!nr) goto out;
    res->recs = nr;
    res->recs[res->n_recs++] = r;
    r.key = r.value = NULL;
    rc = SL_OK;
out:
    free(r.key);
    free(r.value);
    json_decref(key);
    json_decref(val);
    return rc;
}

/* ---- record layouts (store_int.h) ---- */

static json_t *key_schema(const char *subject, int32_t version)
{
    return json_pack("{s:s,s:s,s:i,s:i}", "keytype", "SCHEMA", "subject", subject, "version",
                     (json_int_t)version, "magic", 1);
}

static json_t *key_subject(const char *keytype, const char *subject)
{
    if (!subject) return json_pack("{s:s,s:i}", "keytype", keytype, "magic", 0);
    return json_pack("{s:s,s:s,s:i}", "keytype", keytype, "subject", subject, "magic", 0);
}

static json_t *refs_to_json(const sl_reg_schema_t *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->n_refs; i++)
        json_array_append_new(a, json_pack("{s:s,s:s,s:i}", "name", s->refs[i].name, "subject",
                                           s->refs[i].subject, "version",
                                           (json_int_t)s->refs[i].version));
    return a;
}

static json_t *val_schema(const char *subject, int32_t version, const sl_reg_schema_t *s,
                          int32_t id, int deleted)
{
    json_t *v = json_pack("{s:s,s:i,s:i}", "subject", subject, "version", (json_int_t)version, "id",
                          (json_int_t)id);
    if (!v) return NULL;
    if (s->type != SL_REG_AVRO)
        json_object_set_new(v, "schemaType", json_string(sl_reg_type_name(s->type)));
    if (s->n_refs) json_object_set_new(v, "references", refs_to_json(s));
    json_object_set_new(v, "schema", json_stringn(s->text, s->text_len));
    json_object_set_new(v, "deleted", json_boolean(deleted));
    return v;
}

/* The high-water mark record, when the topic may be about to lose the highest id. */
static int add_hwm(const sl_reg_store_t *st, sl_reg_result_t *res)
{
    if (st->max_id <= st->hwm_record) return SL_OK;
    return add_rec(res, json_pack("{s:s,s:i}", "keytype", "NOOP", "magic", 1),
                   json_pack("{s:i}", "sluiceMaxSchemaId", (json_int_t)st->max_id));
}

/* ---- helpers over the store ---- */

static int eff_level(const sl_reg_store_t *st, const sl_reg_subject_t *sub)
{
    if (sub && sub->level >= 0) return sub->level;
    return st->global_level >= 0 ? st->global_level : DEFAULT_LEVEL;
}

static int eff_mode(const sl_reg_store_t *st, const sl_reg_subject_t *sub)
{
    if (sub && sub->mode >= 0) return sub->mode;
    return st->global_mode >= 0 ? st->global_mode : SL_REG_READWRITE;
}

static size_t n_live(const sl_reg_subject_t *sub)
{
    size_t n = 0;
    for (size_t i = 0; sub && i < sub->n; i++)
        n += !sub->v[i].deleted;
    return n;
}

static sl_reg_version_t *latest_live(const sl_reg_subject_t *sub)
{
    for (size_t i = sub ? sub->n : 0; i-- > 0;)
        if (!sub->v[i].deleted) return &sub->v[i];
    return NULL;
}

/* Does the subject have versions to show (live ones, or any with include_deleted)? */
static int visible(const sl_reg_subject_t *sub, int include_deleted)
{
    return sub && (include_deleted ? sub->n > 0 : n_live(sub) > 0);
}

static int subject_valid(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > SL_REG_MAX_SUBJECT) return 0;
    char *copy = strdup(s);
    if (!copy) return 0;
    sanitize(copy);
    int ok = strcmp(copy, s) == 0;
    free(copy);
    return ok;
}

/* Parses a {v} path segment: "latest" or -1 -> 0 (latest), 1..2^31-1 -> itself, else -1. */
static int64_t parse_version(const char *v)
{
    if (!strcmp(v, "latest") || !strcmp(v, "-1")) return 0;
    if (*v < '0' || *v > '9') return -1;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (*end || errno || x < 1 || x > INT32_MAX) return -1;
    return x;
}

static void err_invalid_version(sl_reg_result_t *res, const char *v)
{
    sl_reg_result_error(res, 422, 42202,
                        "The specified version '%s' is not a valid version id. Allowed values "
                        "are between [1, 2^31-1] and the string \"latest\"",
                        v);
}

/*
 * Resolves the {v} of a request: SL_OK and *out, or an error answer in res (42202, 40401,
 * 40402). include_deleted lets a numbered version that was soft-deleted resolve.
 */
static int resolve_version(const sl_reg_subject_t *sub, const sl_reg_req_t *req,
                           int include_deleted, sl_reg_version_t **out, sl_reg_result_t *res)
{
    int64_t v = parse_version(req->version);
    if (v < 0) {
        err_invalid_version(res, req->version);
        return SL_INVAL;
    }
    if (!visible(sub, include_deleted)) {
        sl_reg_result_error(res, 404, 40401, "Subject '%s' not found.", req->subject);
        return SL_NOTFOUND;
    }
    if (v == 0) {
        *out = latest_live(sub);
        if (!*out) {
            sl_reg_result_error(res, 404, 40401, "Subject '%s' not found.", req->subject);
            return SL_NOTFOUND;
        }
        return SL_OK;
    }
    for (size_t i = 0; i < sub->n; i++) {
        if (sub->v[i].version == v && (!sub->v[i].deleted || include_deleted)) {
            *out = &sub->v[i];
            return SL_OK;
        }
    }
    sl_reg_result_error(res, 404, 40402, "Version %lld not found.", (long long)v);
    return SL_NOTFOUND;
}

/* The answer for one version: {"subject","version","id","schemaType"?,"references"?,"schema"} */
static json_t *version_json(const char *subject, const sl_reg_version_t *v)
{
    const sl_reg_schema_t *s = v->schema;
    json_t *o = json_pack("{s:s,s:i,s:i}", "subject", subject, "version", (json_int_t)v->version,
                          "id", (json_int_t)s->id);
    if (!o) return NULL;
    if (s->type != SL_REG_AVRO)
        json_object_set_new(o, "schemaType", json_string(sl_reg_type_name(s->type)));
    if (s->n_refs) json_object_set_new(o, "references", refs_to_json(s));
    json_object_set_new(o, "schema", json_stringn(s->text, s->text_len));
    return o;
}

/* ---- request bodies ---- */

/* The body as a JSON object, or NULL with a 422 answer. */
static json_t *body_object(const sl_reg_req_t *req, sl_reg_result_t *res)
{
    json_error_t jerr;
    json_t *b = req->body ? json_loadb(req->body, req->body_len, 0, &jerr) : NULL;
    if (!b) {
        if (!req->body || req->body_len == 0)
            sl_reg_result_error(res, 422, 422, "Request body is empty; a JSON object is required");
        else
            sl_reg_result_error(res, 422, 422,
                                "Malformed JSON in request body at line %d, column %d: %s",
                                jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(b)) {
        sl_reg_result_error(res, 422, 422, "Request body must be a JSON object");
        json_decref(b);
        return NULL;
    }
    return b;
}

/* A register / lookup / compatibility body. */
typedef struct schema_req_s {
    sl_reg_type_t type; /* schemaType (AVRO when absent) */
    const char *text;   /* "schema"; borrowed from the parsed body */
    size_t text_len;    /* bytes */
    sl_reg_ref_t *refs; /* owned */
    size_t n_refs;      /* entries */
    int64_t id;         /* "id" (IMPORT mode), -1 when absent */
    int64_t version;    /* "version", 0 when absent */
} schema_req_t;

static void schema_req_free(schema_req_t *r)
{
    for (size_t i = 0; i < r->n_refs; i++) {
        free(r->refs[i].name);
        free(r->refs[i].subject);
    }
    free(r->refs);
}

static int parse_schema_req(json_t *b, schema_req_t *out, sl_reg_result_t *res)
{
    memset(out, 0, sizeof *out);
    out->id = -1;
    json_t *schema = json_object_get(b, "schema");
    json_t *type = json_object_get(b, "schemaType");
    json_t *refs = json_object_get(b, "references");
    json_t *id = json_object_get(b, "id");
    json_t *version = json_object_get(b, "version");
    if (!schema || json_is_null(schema) ||
        (json_is_string(schema) && json_string_length(schema) == 0)) {
        sl_reg_result_error(res, 422, 42201, "Empty schema");
        return SL_INVAL;
    }
    if (!json_is_string(schema)) {
        sl_reg_result_error(res, 422, 42201,
                            "Invalid schema: \"schema\" must be a string holding the schema "
                            "text (JSON inside a JSON string)");
        return SL_INVAL;
    }
    out->text = json_string_value(schema);
    out->text_len = json_string_length(schema);
    if (type && !json_is_null(type)) {
        if (!json_is_string(type) || sl_reg_type_parse(json_string_value(type), &out->type)) {
            sl_reg_result_error(res, 422, 42201,
                                "Invalid schema type %s (AVRO and JSON are "
                                "supported)",
                                json_is_string(type) ? json_string_value(type) : "(not a string)");
            return SL_INVAL;
        }
    }
    for (const char *const *k = (const char *const[]){"metadata", "ruleSet", NULL}; *k; k++) {
        json_t *x = json_object_get(b, *k);
        if (x && !json_is_null(x) && !(json_is_object(x) && json_object_size(x) == 0)) {
            sl_reg_result_error(res, 422, 42201, "Schema %s is not supported yet", *k);
            return SL_INVAL;
        }
    }
    if (id && !json_is_null(id)) {
        if (!json_is_integer(id) || json_integer_value(id) < -1 ||
            json_integer_value(id) > INT32_MAX) {
            sl_reg_result_error(res, 422, 42201,
                                "Invalid schema id: must be an integer in "
                                "[1, 2^31-1]");
            return SL_INVAL;
        }
        out->id = json_integer_value(id);
    }
    if (version && !json_is_null(version)) {
        if (!json_is_integer(version) || json_integer_value(version) < -1 ||
            json_integer_value(version) > INT32_MAX || json_integer_value(version) == 0) {
            char buf[64];
            snprintf(buf, sizeof buf, "%lld",
                     json_is_integer(version) ? (long long)json_integer_value(version) : 0LL);
            err_invalid_version(res, buf);
            return SL_INVAL;
        }
        out->version = json_integer_value(version) == -1 ? 0 : json_integer_value(version);
    }
    if (refs && !json_is_null(refs)) {
        if (!json_is_array(refs)) {
            sl_reg_result_error(res, 422, 42201,
                                "Invalid schema: \"references\" must be an "
                                "array of {name, subject, version}");
            return SL_INVAL;
        }
        size_t n = json_array_size(refs);
        out->refs = n ? calloc(n, sizeof *out->refs) : NULL;
        if (n && !out->refs) {
            sl_reg_result_error(res, 500, 50001, "out of memory");
            return SL_NOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(refs, i);
            json_t *rv = json_object_get(e, "version");
            const char *name = json_string_value(json_object_get(e, "name"));
            const char *subj = json_string_value(json_object_get(e, "subject"));
            if (!name || !subj || !json_is_integer(rv) || json_integer_value(rv) < 1 ||
                json_integer_value(rv) > INT32_MAX) {
                sl_reg_result_error(res, 422, 42201,
                                    "Invalid schema: references[%zu] must be "
                                    "{\"name\": string, \"subject\": string, \"version\": "
                                    "integer >= 1}",
                                    i);
                return SL_INVAL;
            }
            out->refs[i].name = strdup(name);
            out->refs[i].subject = strdup(subj);
            out->refs[i].version = (int32_t)json_integer_value(rv);
            out->n_refs = i + 1;
            if (!out->refs[i].name || !out->refs[i].subject) {
                sl_reg_result_error(res, 500, 50001, "out of memory");
                return SL_NOMEM;
            }
        }
    }
    return SL_OK;
}

/* Builds the schema object of a request (references resolved in the store), or answers why
 * not. Caller holds the store's lock. */
static int build_schema(const sl_reg_store_t *st, const schema_req_t *r, int normalize,
                        sl_reg_schema_t **out, sl_reg_result_t *res)
{
    char err[1024];
    const sl_reg_schema_t **resolved = NULL;
    int rc = sl_regstore_resolve_refs(st, r->refs, r->n_refs, &resolved, err, sizeof err);
    if (rc == SL_OK) {
        rc = sl_reg_schema_build(r->type, r->text, r->text_len, r->refs, resolved, r->n_refs,
                                 normalize, out, err, sizeof err);
        free(resolved);
    }
    if (rc == SL_OK) return SL_OK;
    if (rc == SL_NOMEM)
        sl_reg_result_error(res, 500, 50001, "out of memory");
    else if (rc == SL_UNSUPP || rc == SL_NOTFOUND)
        sl_reg_result_error(res, 422, 42201, "Invalid schema: %s", err);
    else
        sl_reg_result_error(res, 422, 42201, "Invalid %s schema: %s", sl_reg_type_name(r->type),
                            err);
    return rc;
}

/* ---- compatibility ---- */

static void add_msg(json_t *msgs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_msg(json_t *msgs, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sanitize(buf);
    json_array_append_new(msgs, json_string(buf));
}

/* Confluent's tail of a failed check: which old schema, and under which level. */
static void add_old_schema_msgs(json_t *msgs, const sl_reg_version_t *old, int level)
{
    add_msg(msgs, "{oldSchemaVersion: %d}", (int)old->version);
    json_t *s = json_stringn(old->schema->text, old->schema->text_len);
    const char *t = json_string_value(s);
    json_array_append_new(msgs, json_sprintf("{oldSchema: '%s'}", t ? t : ""));
    json_decref(s);
    add_msg(msgs, "{validateFields: 'false', compatibility: '%s'}",
            sl_avro_compat_level_name((sl_avro_compat_level_t)level));
}

static int is_transitive(int level)
{
    return level == SL_AVRO_COMPAT_BACKWARD_TRANSITIVE ||
           level == SL_AVRO_COMPAT_FORWARD_TRANSITIVE || level == SL_AVRO_COMPAT_FULL_TRANSITIVE;
}

/* One JSON Schema direction: can `reader` read what `writer` allows? */
static int json_dir(const sl_jsonschema_t *reader, const sl_jsonschema_t *writer, json_t *msgs,
                    int *compatible)
{
    sl_jsonschema_report_t rep;
    int rc = sl_jsonschema_compat(reader, writer, &rep);
    if (rc != SL_OK) return rc;
    *compatible = rep.compatible;
    for (size_t i = 0; i < rep.n_changes; i++) {
        const sl_jsonschema_change_t *c = &rep.changes[i];
        if (c->compatible) continue;
        add_msg(msgs, "{errorType:'%s', description:'Found incompatible change at path '%s': %s'}",
                c->type, c->path ? c->path : "#", c->reason ? c->reason : "");
    }
    sl_jsonschema_report_free(&rep);
    return SL_OK;
}

/*
 * May `nw` join a subject whose live versions are prev[0..n) (ascending) under `level`?
 * 1: yes; 0: no (reasons appended to msgs); negative: could not decide (answer in res).
 */
static int check_compat(const sl_reg_schema_t *nw, sl_reg_version_t *const *prev, size_t n,
                        int level, json_t *msgs, sl_reg_result_t *res)
{
    if (n == 0 || level == SL_AVRO_COMPAT_NONE) return 1;
    size_t first = is_transitive(level) ? 0 : n - 1;
    for (size_t i = n; i-- > first;) {
        const sl_reg_schema_t *old = prev[i]->schema;
        if (old->type != nw->type) {
            add_msg(msgs, "Incompatible because of different schema type");
            add_old_schema_msgs(msgs, prev[i], level);
            return 0;
        }
        if (old->parse_error) {
            sl_reg_result_error(res, 422, 42201,
                                "Compatibility with version %d (schema id %d) cannot be checked: "
                                "%s",
                                (int)prev[i]->version, (int)old->id, old->parse_error);
            return SL_UNSUPP;
        }
    }
    if (nw->type == SL_REG_AVRO) {
        size_t cnt = n - first;
        const sl_avro_schema_t **ex = calloc(cnt, sizeof *ex);
        if (!ex) {
            sl_reg_result_error(res, 500, 50001, "out of memory");
            return SL_NOMEM;
        }
        for (size_t i = 0; i < cnt; i++)
            ex[i] = prev[first + i]->schema->avro;
        sl_avro_compat_report_t rep;
        memset(&rep, 0, sizeof rep);
        int rc = sl_avro_compat_check((sl_avro_compat_level_t)level, nw->avro, ex, cnt, &rep);
        free(ex);
        if (rc != SL_OK) {
            sl_avro_compat_report_free(&rep);
            sl_reg_result_error(res, 422, 42201,
                                "Compatibility cannot be checked: %s (schemas too large or too "
                                "deeply nested)",
                                sl_err_msg(rc));
            return rc;
        }
        int ok = rep.compatible;
        size_t old_index = 0;
        for (size_t i = 0; i < rep.n_issues; i++) {
            size_t need = sl_avro_compat_describe(&rep.issues[i], NULL, 0) + 1;
            char *buf = malloc(need);
            if (buf) {
                sl_avro_compat_describe(&rep.issues[i], buf, need);
                sanitize(buf);
                json_array_append_new(msgs, json_string(buf));
                free(buf);
            }
            old_index = rep.issues[i].existing_index;
        }
        if (!ok && old_index < cnt) add_old_schema_msgs(msgs, prev[first + old_index], level);
        sl_avro_compat_report_free(&rep);
        return ok;
    }
    int backward = level != SL_AVRO_COMPAT_FORWARD && level != SL_AVRO_COMPAT_FORWARD_TRANSITIVE;
    int forward = level != SL_AVRO_COMPAT_BACKWARD && level != SL_AVRO_COMPAT_BACKWARD_TRANSITIVE;
    for (size_t i = n; i-- > first;) {
        const sl_reg_schema_t *old = prev[i]->schema;
        int ok_b = 1, ok_f = 1, rc = SL_OK;
        if (backward) rc = json_dir(nw->json, old->json, msgs, &ok_b);
        if (rc == SL_OK && forward) rc = json_dir(old->json, nw->json, msgs, &ok_f);
        if (rc != SL_OK) {
            sl_reg_result_error(res, 422, 42201, "Compatibility cannot be checked: %s",
                                rc == SL_UNSUPP ? "a patternProperties pattern is not supported"
                                                : sl_err_msg(rc));
            return rc;
        }
        if (!ok_b || !ok_f) {
            add_old_schema_msgs(msgs, prev[i], level);
            return 0;
        }
    }
    return 1;
}

/* Live versions of a subject, ascending (caller frees the array). */
static sl_reg_version_t **live_versions(const sl_reg_subject_t *sub, size_t *n_out)
{
    size_t n = n_live(sub);
    *n_out = n;
    sl_reg_version_t **v = calloc(n + 1, sizeof *v);
    if (!v) return NULL;
    size_t k = 0;
    for (size_t i = 0; sub && i < sub->n; i++)
        if (!sub->v[i].deleted) v[k++] = &sub->v[i];
    return v;
}

/* ---- the operations ---- */

static void op_subjects(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res);

typedef struct name_list_s {
    const char **v; /* borrowed names */
    size_t n;       /* entries */
    size_t cap;     /* allocated */
} name_list_t;

static int name_push(name_list_t *l, const char *name)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        const char **nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) return SL_NOMEM;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = name;
    return SL_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef struct subjects_ctx_s {
    const sl_reg_req_t *req; /* filters */
    name_list_t list;        /* matches */
    int nomem;               /* an allocation failed */
} subjects_ctx_t;

static void subjects_cb(const char *k, size_t l, void *value, void *arg)
{
    subjects_ctx_t *c = arg;
    const sl_reg_subject_t *sub = value;
    if (sub->n == 0) return;
    size_t live = n_live(sub);
    int include = c->req->deleted_only ? live == 0 : c->req->deleted ? 1 : live > 0;
    if (!include) return;
    if (c->req->prefix && strncmp(sub->name, c->req->prefix, strlen(c->req->prefix)) != 0) return;
    if (name_push(&c->list, sub->name) != SL_OK) c->nomem = 1;
}

static void op_subjects(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    subjects_ctx_t c = {req, {NULL, 0, 0}, 0};
    sl_regmap_each(&st->subjects, subjects_cb, &c);
    if (c.list.n) qsort(c.list.v, c.list.n, sizeof c.list.v[0], cmp_str);
    json_t *a = c.nomem ? NULL : json_array();
    for (size_t i = 0; a && i < c.list.n; i++)
        json_array_append_new(a, json_string(c.list.v[i]));
    free(c.list.v);
    res_json(res, 200, a);
}

static void op_versions(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    sl_reg_subject_t *sub = sl_regstore_subject(st, req->subject);
    if (!visible(sub, req->deleted)) {
        sl_reg_result_error(res, 404, 40401, "Subject '%s' not found.", req->subject);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; a && i < sub->n; i++)
        if (!sub->v[i].deleted || req->deleted)
            json_array_append_new(a, json_integer(sub->v[i].version));
    res_json(res, 200, a);
}

/* ---- references between schemas ---- */

typedef struct refby_ctx_s {
    const char *subject; /* the referenced subject */
    int32_t version;     /* and version */
    int32_t *ids;        /* owned; ids of live versions that reference it */
    size_t n, cap;       /* entries, allocated */
    int nomem;           /* an allocation failed */
} refby_ctx_t;

static void refby_cb(const char *k, size_t l, void *value, void *arg)
{
    refby_ctx_t *c = arg;
    const sl_reg_subject_t *sub = value;
    for (size_t i = 0; i < sub->n; i++) {
        const sl_reg_schema_t *s = sub->v[i].schema;
        if (sub->v[i].deleted) continue;
        for (size_t r = 0; r < s->n_refs; r++) {
            if (s->refs[r].version != c->version || strcmp(s->refs[r].subject, c->subject))
                continue;
            int dup = 0;
            for (size_t j = 0; j < c->n && !dup; j++)
                dup = c->ids[j] == s->id;
            if (dup) break;
            if (c->n == c->cap) {
                size_t nc = c->cap ? c->cap * 2 : 8;
                int32_t *ni = realloc(c->ids, nc * sizeof *ni);
                if (!ni) {
                    c->nomem = 1;
                    return;
                }
                c->ids = ni;
                c->cap = nc;
            }
            c->ids[c->n++] = s->id;
            break;
        }
    }
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

/* Ids of live schemas that reference subject/version, ascending. SL_OK or SL_NOMEM. */
static int referenced_by(const sl_reg_store_t *st, const char *subject, int32_t version,
                         refby_ctx_t *c)
{
    memset(c, 0, sizeof *c);
    c->subject = subject;
    c->version = version;
    sl_regmap_each(&st->subjects, refby_cb, c);
    if (c->nomem) {
        free(c->ids);
        c->ids = NULL;
        return SL_NOMEM;
    }
    if (c->n) qsort(c->ids, c->n, sizeof c->ids[0], cmp_i32);
    return SL_OK;
}

static int err_reference_exists(const sl_reg_store_t *st, const char *subject, int32_t version,
                                sl_reg_result_t *res)
{
    refby_ctx_t c;
    if (referenced_by(st, subject, version, &c) != SL_OK) {
        sl_reg_result_error(res, 500, 50001, "out of memory");
        return 1;
    }
    int found = c.n > 0;
    if (found)
        sl_reg_result_error(res, 422, 42206,
                            "One or more references exist to the schema "
                            "{magic=1,keytype=SCHEMA,subject=%s,version=%d} (referenced by "
                            "schema id %d)",
                            subject, (int)version, (int)c.ids[0]);
    free(c.ids);
    return found;
}

/* ---- reads ---- */

static void op_version_get(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    sl_reg_subject_t *sub = sl_regstore_subject(st, req->subject);
    sl_reg_version_t *v;
    if (resolve_version(sub, req, req->deleted, &v, res) != SL_OK) return;
    if (req->op == SL_REGOP_VERSION_SCHEMA) {
        res_raw(res, v->schema->text, v->schema->text_len);
        return;
    }
    if (req->op == SL_REGOP_VERSION_REFERENCEDBY) {
        refby_ctx_t c;
        if (referenced_by(st, req->subject, v->version, &c) != SL_OK) {
            sl_reg_result_error(res, 500, 50001, "out of memory");
            return;
        }
        json_t *a = json_array();
        for (size_t i = 0; a && i < c.n; i++)
            json_array_append_new(a, json_integer(c.ids[i]));
        free(c.ids);
        res_json(res, 200, a);
        return;
    }
    res_json(res, 200, version_json(req->subject, v));
}

/* Parses an {id} path segment; -1 when it is not an id. */
static int64_t parse_id(const char *s)
{
    if (!s || *s < '0' || *s > '9') return -1;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (*end || errno || x < 0 || x > INT32_MAX) return -1;
    return x;
}

typedef struct subver_s {
    const char *subject; /* borrowed */
    int32_t version;     /* version */
} subver_t;

typedef struct idvers_ctx_s {
    int32_t id;    /* wanted */
    int deleted;   /* include soft-deleted versions */
    subver_t *v;   /* owned matches */
    size_t n, cap; /* entries, allocated */
    int nomem;     /* an allocation failed */
} idvers_ctx_t;

static void idvers_cb(const char *k, size_t l, void *value, void *arg)
{
    idvers_ctx_t *c = arg;
    const sl_reg_subject_t *sub = value;
    for (size_t i = 0; i < sub->n; i++) {
        if (sub->v[i].schema->id != c->id || (sub->v[i].deleted && !c->deleted)) continue;
        if (c->n == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 8;
            subver_t *nv = realloc(c->v, nc * sizeof *nv);
            if (!nv) {
                c->nomem = 1;
                return;
            }
            c->v = nv;
            c->cap = nc;
        }
        c->v[c->n++] = (subver_t){sub->name, sub->v[i].version};
    }
}

static int cmp_subver(const void *a, const void *b)
{
    const subver_t *x = a, *y = b;
    int c = strcmp(x->subject, y->subject);
    return c ? c : (x->version > y->version) - (x->version < y->version);
}

static void op_id(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    int64_t id = parse_id(req->id);
    sl_reg_id_t *e = id >= 0 ? sl_regstore_id(st, (int32_t)id) : NULL;
    if (!e) {
        sl_reg_result_error(res, 404, 40403, "Schema %s not found", req->id);
        return;
    }
    const sl_reg_schema_t *s = e->schema;
    if (req->op == SL_REGOP_ID_GET) {
        json_t *o = json_object();
        if (o && s->type != SL_REG_AVRO)
            json_object_set_new(o, "schemaType", json_string(sl_reg_type_name(s->type)));
        if (o && s->n_refs) json_object_set_new(o, "references", refs_to_json(s));
        if (o) json_object_set_new(o, "schema", json_stringn(s->text, s->text_len));
        if (o && req->fetch_max_id) json_object_set_new(o, "maxId", json_integer(st->max_id));
        res_json(res, 200, o);
        if (res->status == 200 && !req->fetch_max_id) res->id = (int32_t)id;
        return;
    }
    if (req->op == SL_REGOP_ID_SCHEMA) {
        res_raw(res, s->text, s->text_len);
        return;
    }
    idvers_ctx_t c = {(int32_t)id, req->deleted, NULL, 0, 0, 0};
    sl_regmap_each(&st->subjects, idvers_cb, &c);
    if (c.nomem) {
        free(c.v);
        sl_reg_result_error(res, 500, 50001, "out of memory");
        return;
    }
    if (c.n) qsort(c.v, c.n, sizeof c.v[0], cmp_subver);
    json_t *a = json_array();
    for (size_t i = 0; a && i < c.n; i++) {
        if (req->op == SL_REGOP_ID_SUBJECTS) {
            if (i == 0 || strcmp(c.v[i - 1].subject, c.v[i].subject))
                json_array_append_new(a, json_string(c.v[i].subject));
        } else {
            json_array_append_new(a, json_pack("{s:s,s:i}", "subject", c.v[i].subject, "version",
                                               (json_int_t)c.v[i].version));
        }
    }
    free(c.v);
    res_json(res, 200, a);
}

static void op_lookup(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    json_t *b = body_object(req, res);
    if (!b) return;
    schema_req_t r;
    sl_reg_schema_t *s = NULL;
    if (parse_schema_req(b, &r, res) != SL_OK) goto out;
    sl_reg_subject_t *sub = sl_regstore_subject(st, req->subject);
    if (!visible(sub, req->deleted)) {
        sl_reg_result_error(res, 404, 40401, "Subject '%s' not found.", req->subject);
        goto out;
    }
    if (build_schema(st, &r, req->normalize, &s, res) != SL_OK) goto out;
    for (size_t i = sub->n; i-- > 0;) {
        sl_reg_version_t *v = &sub->v[i];
        if ((v->deleted && !req->deleted) || strcmp(v->schema->identity, s->identity)) continue;
        res_json(res, 200, version_json(req->subject, v));
        goto out;
    }
    sl_reg_result_error(res, 404, 40403, "Schema not found");
out:
    sl_reg_schema_put(s);
    schema_req_free(&r);
    json_decref(b);
}

/* The versions a compatibility check runs against ({v} given: that one only). */
static void op_compat(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    json_t *b = body_object(req, res);
    if (!b) return;
    schema_req_t r;
    sl_reg_schema_t *s = NULL;
    sl_reg_version_t **prev = NULL;
    json_t *msgs = json_array();
    if (parse_schema_req(b, &r, res) != SL_OK) goto out;
    sl_reg_subject_t *sub = sl_regstore_subject(st, req->subject);
    size_t n = 0;
    sl_reg_version_t *one = NULL;
    int64_t v = req->version ? parse_version(req->version) : 0;
    if (v < 0) {
        err_invalid_version(res, req->version);
        goto out;
    }
    if (v > 0 && resolve_version(sub, req, 0, &one, res) != SL_OK) goto out;
    if (build_schema(st, &r, req->normalize, &s, res) != SL_OK) goto out;
    int level = eff_level(st, sub);
    if (one) {
        prev = calloc(1, sizeof *prev);
        if (prev) prev[0] = one;
        n = 1;
    } else {
        prev = live_versions(sub, &n);
    }
    if (!prev || !msgs) {
        sl_reg_result_error(res, 500, 50001, "out of memory");
        goto out;
    }
    int ok = check_compat(s, prev, n, level, msgs, res);
    if (ok < 0) goto out;
    json_t *o = json_pack("{s:b}", "is_compatible", ok);
    if (o && req->verbose) json_object_set(o, "messages", msgs);
    res_json(res, 200, o);
out:
    free(prev);
    json_decref(msgs);
    sl_reg_schema_put(s);
    schema_req_free(&r);
    json_decref(b);
}

static void op_config_get(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    int level;
    if (!req->subject) {
        level = eff_level(st, NULL);
    } else {
        sl_reg_subject_t *sub = sl_regstore_subject(st, req->subject);
        if (sub && sub->level >= 0) {
            level = sub->level;
        } else if (req->default_to_global) {
            level = eff_level(st, NULL);
        } else {
            sl_reg_result_error(res, 404, 40408,
                                "Subject '%s' does not have subject-level compatibility "
                                "configured",
                                req->subject);
            return;
        }
    }
    res_json(res, 200,
             json_pack("{s:s}", "compatibilityLevel",
                       sl_avro_compat_level_name((sl_avro_compat_level_t)level)));
}

static void op_mode_get(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    int mode;
    if (!req->subject) {
        mode = eff_mode(st, NULL);
    } else {
        sl_reg_subject_t *sub = sl_regstore_subject(st, req->subject);
        if (sub && sub->mode >= 0) {
            mode = sub->mode;
        } else if (req->default_to_global) {
            mode = eff_mode(st, NULL);
        } else {
            sl_reg_result_error(res, 404, 40409,
                                "Subject '%s' does not have subject-level mode configured",
                                req->subject);
            return;
        }
    }
    res_json(res, 200, json_pack("{s:s}", "mode", sl_reg_mode_name(mode)));
}

/* ---- writes ---- */

/* 42205 when the subject (or the registry) is read-only. */
static int err_readonly(const sl_reg_store_t *st, const sl_reg_subject_t *sub, const char *subject,
                        sl_reg_result_t *res)
{
    if (eff_mode(st, sub) != SL_REG_READONLY) return 0;
    if (subject)
        sl_reg_result_error(res, 422, 42205, "Subject %s is in read-only mode", subject);
    else
        sl_reg_result_error(res, 422, 42205, "The registry is in read-only mode");
    return 1;
}

static int err_subject_invalid(const char *subject, sl_reg_result_t *res)
{
    if (!subject || subject_valid(subject)) return 0;
    sl_reg_result_error(res, 422, 42208,
                        "Invalid subject '%s': a subject is 1 to %d bytes of UTF-8 without "
                        "control characters",
                        subject, SL_REG_MAX_SUBJECT);
    return 1;
}

static void op_register(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    if (err_subject_invalid(req->subject, res)) return;
    json_t *b = body_object(req, res);
    if (!b) return;
    schema_req_t r;
    sl_reg_schema_t *s = NULL;
    sl_reg_version_t **prev = NULL;
    json_t *msgs = NULL;
    if (parse_schema_req(b, &r, res) != SL_OK) goto out;
    sl_reg_subject_t *sub = sl_regstore_subject(st, req->subject);
    int mode = eff_mode(st, sub);
    if (err_readonly(st, sub, req->subject, res)) goto out;
    if (r.id >= 0 && mode != SL_REG_IMPORT) {
        sl_reg_result_error(res, 422, 42205, "Subject %s is not in import mode", req->subject);
        goto out;
    }
    if (r.id < 0 && mode != SL_REG_READWRITE) {
        sl_reg_result_error(res, 422, 42205, "Subject %s is not in read-write mode", req->subject);
        goto out;
    }
    if (r.id == 0) {
        sl_reg_result_error(res, 422, 42201, "Invalid schema id 0: ids start at 1");
        goto out;
    }
    if (req->built && r.n_refs == 0) { /* the precheck's, from the same body */
        s = req->built;
        sl_reg_schema_keep(s);
    } else if (build_schema(st, &r, req->normalize, &s, res) != SL_OK) {
        goto out;
    }

    /* The same schema already lives under this subject: its id, nothing to write. */
    sl_reg_id_t *same = sl_regmap_get(&st->by_ident, s->identity, strlen(s->identity));
    if (r.version == 0 && sub) {
        for (size_t i = sub->n; i-- > 0;) {
            sl_reg_version_t *v = &sub->v[i];
            if (v->deleted || strcmp(v->schema->identity, s->identity)) continue;
            if (r.id >= 0 && r.id != v->schema->id) continue;
            res_json(res, 200, json_pack("{s:i}", "id", (json_int_t)v->schema->id));
            goto out;
        }
    }
    if (req->precheck) { /* a new version: the writer thread decides (and checks) it */
        res->defer = 1;
        res_json(res, 200, json_object());
        if (r.n_refs == 0) {
            res->built = s;
            sl_reg_schema_keep(s);
        }
        goto out;
    }
    int32_t next_version = 1;
    for (size_t i = 0; sub && i < sub->n; i++)
        if (sub->v[i].version >= next_version) next_version = sub->v[i].version + 1;
    if (next_version <= 0) { /* 2^31-1 versions: nothing left */
        sl_reg_result_error(res, 422, 42202, "Subject %s has no version numbers left",
                            req->subject);
        goto out;
    }
    int32_t version = next_version;
    if (mode != SL_REG_IMPORT) {
        size_t n;
        prev = live_versions(sub, &n);
        msgs = json_array();
        if (!prev || !msgs) {
            sl_reg_result_error(res, 500, 50001, "out of memory");
            goto out;
        }
        int ok = check_compat(s, prev, n, eff_level(st, sub), msgs, res);
        if (ok < 0) goto out;
        if (!ok) {
            char *details = json_dumps(msgs, JSON_COMPACT);
            sl_reg_result_error(res, 409, 409,
                                "Schema being registered is incompatible with an earlier schema "
                                "for subject \"%s\", details: %s",
                                req->subject, details ? details : "[]");
            free(details);
            goto out;
        }
        if (r.version > 0 && r.version != next_version) {
            sl_reg_result_error(res, 422, 42201,
                                "Invalid schema: version %lld is not one more than the previous "
                                "version (%d)",
                                (long long)r.version, (int)next_version - 1);
            goto out;
        }
    } else if (r.version > 0) {
        version = (int32_t)r.version;
    }

    /* Which id: the one given (IMPORT), the schema's existing id, or a new one. */
    int32_t id;
    const sl_reg_schema_t *text_of = s;
    if (r.id > 0) {
        sl_reg_id_t *taken = sl_regstore_id(st, (int32_t)r.id);
        if (taken && strcmp(taken->schema->identity, s->identity)) {
            sl_reg_result_error(res, 422, 42205,
                                "Overwrite new schema with id %lld is not permitted.",
                                (long long)r.id);
            goto out;
        }
        id = (int32_t)r.id;
        if (taken) text_of = taken->schema;
    } else if (same) {
        id = same->schema->id;
        text_of = same->schema; /* one text per id */
    } else {
        if (st->max_id == INT32_MAX) {
            sl_reg_result_error(res, 500, 50001, "Schema ids are exhausted");
            goto out;
        }
        id = st->max_id + 1;
    }
    /* Like Confluent: soft-deleted older versions with the same id are dropped for good. */
    for (size_t i = 0; sub && i < sub->n; i++) {
        sl_reg_version_t *v = &sub->v[i];
        if (v->deleted && v->schema->id == id && v->version < version &&
            add_rec(res, key_schema(req->subject, v->version), NULL) != SL_OK)
            goto nomem;
    }
    if (add_rec(res, key_schema(req->subject, version),
                val_schema(req->subject, version, text_of, id, 0)) != SL_OK)
        goto nomem;
    res_json(res, 200, json_pack("{s:i}", "id", (json_int_t)id));
    goto out;
nomem:
    sl_reg_result_error(res, 500, 50001, "out of memory");
out:
    free(prev);
    json_decref(msgs);
    sl_reg_schema_put(s);
    schema_req_free(&r);
    json_decref(b);
}

/* Tombstones for a subject's own config and mode (Confluent drops them with the subject). */
static int add_subject_settings_tombstones(const sl_reg_subject_t *sub, const char *subject,
                                           sl_reg_result_t *res)
{
    if (sub->mode >= 0 && add_rec(res, key_subject("MODE", subject), NULL) != SL_OK)
        return SL_NOMEM;
    if (sub->level >= 0 && add_rec(res, key_subject("CONFIG", subject), NULL) != SL_OK)
        return SL_NOMEM;
    return SL_OK;
}

static void op_version_delete(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    sl_reg_subject_t *sub = sl_regstore_subject(st, req->subject);
    sl_reg_version_t *v;
    if (resolve_version(sub, req, 1, &v, res) != SL_OK) return;
    if (!req->permanent && v->deleted) {
        sl_reg_result_error(res, 404, 40406,
                            "Subject '%s' Version %d was soft deleted.Set permanent=true to "
                            "delete permanently",
                            req->subject, (int)v->version);
        return;
    }
    if (err_readonly(st, sub, req->subject, res)) return;
    if (err_reference_exists(st, req->subject, v->version, res)) return;
    if (req->permanent && !v->deleted) {
        sl_reg_result_error(res, 404, 40407,
                            "Subject '%s' Version %d was not deleted first before being "
                            "permanently deleted",
                            req->subject, (int)v->version);
        return;
    }
    int rc;
    if (req->permanent) {
        rc = add_hwm(st, res);
        if (rc == SL_OK) rc = add_rec(res, key_schema(req->subject, v->version), NULL);
    } else {
        rc = add_rec(res, key_schema(req->subject, v->version),
                     val_schema(req->subject, v->version, v->schema, v->schema->id, 1));
        if (rc == SL_OK && n_live(sub) == 1)
            rc = add_subject_settings_tombstones(sub, req->subject, res);
    }
    if (rc != SL_OK) {
        sl_reg_result_error(res, 500, 50001, "out of memory");
        return;
    }
    res_json(res, 200, json_integer(v->version));
}

static void op_subject_delete(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    sl_reg_subject_t *sub = sl_regstore_subject(st, req->subject);
    if (!visible(sub, 1)) {
        sl_reg_result_error(res, 404, 40401, "Subject '%s' not found.", req->subject);
        return;
    }
    size_t live = n_live(sub);
    if (!req->permanent && live == 0) {
        sl_reg_result_error(res, 404, 40404,
                            "Subject '%s' was soft deleted.Set permanent=true to delete "
                            "permanently",
                            req->subject);
        return;
    }
    if (err_readonly(st, sub, req->subject, res)) return;
    for (size_t i = 0; i < sub->n; i++) {
        if (!req->permanent && sub->v[i].deleted) continue;
        if (err_reference_exists(st, req->subject, sub->v[i].version, res)) return;
    }
    if (req->permanent && live > 0) {
        sl_reg_result_error(res, 404, 40405,
                            "Subject '%s' was not deleted first before being permanently "
                            "deleted",
                            req->subject);
        return;
    }
    json_t *a = json_array();
    int rc = a ? SL_OK : SL_NOMEM;
    if (req->permanent) {
        rc = add_hwm(st, res);
        for (size_t i = 0; rc == SL_OK && i < sub->n; i++) {
            rc = add_rec(res, key_schema(req->subject, sub->v[i].version), NULL);
            json_array_append_new(a, json_integer(sub->v[i].version));
        }
    } else {
        int32_t upto = 0;
        for (size_t i = 0; a && i < sub->n; i++) {
            if (sub->v[i].deleted) continue;
            upto = sub->v[i].version;
            json_array_append_new(a, json_integer(upto));
        }
        if (rc == SL_OK)
            rc = add_rec(
                res, key_subject("DELETE_SUBJECT", req->subject),
                json_pack("{s:s,s:i}", "subject", req->subject, "version", (json_int_t)upto));
        if (rc == SL_OK) rc = add_subject_settings_tombstones(sub, req->subject, res);
    }
    if (rc != SL_OK) {
        json_decref(a);
        sl_reg_result_error(res, 500, 50001, "out of memory");
        return;
    }
    res_json(res, 200, a);
}

static void op_config_put(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    if (err_subject_invalid(req->subject, res)) return;
    json_t *b = body_object(req, res);
    if (!b) return;
    const char *name = json_string_value(json_object_get(b, "compatibility"));
    if (!name) name = json_string_value(json_object_get(b, "compatibilityLevel"));
    char up[32];
    size_t i = 0;
    for (; name && name[i] && i + 1 < sizeof up; i++)
        up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
    up[i] = 0;
    sl_avro_compat_level_t level;
    if (!name || name[i] || sl_avro_compat_level_parse(up, &level) != SL_OK) {
        sl_reg_result_error(res, 422, 42203,
                            "Invalid compatibility level. Valid values are none, backward, "
                            "forward, full, backward_transitive, forward_transitive, and "
                            "full_transitive");
        json_decref(b);
        return;
    }
    json_decref(b);
    sl_reg_subject_t *sub = req->subject ? sl_regstore_subject(st, req->subject) : NULL;
    if (err_readonly(st, sub, req->subject, res)) return;
    if (add_rec(res, key_subject("CONFIG", req->subject),
                json_pack("{s:s}", "compatibilityLevel", sl_avro_compat_level_name(level))) !=
        SL_OK) {
        sl_reg_result_error(res, 500, 50001, "out of memory");
        return;
    }
    res_json(res, 200, json_pack("{s:s}", "compatibility", sl_avro_compat_level_name(level)));
}

static void op_config_delete(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    sl_reg_subject_t *sub = req->subject ? sl_regstore_subject(st, req->subject) : NULL;
    int old;
    if (req->subject) {
        if (!sub || sub->level < 0) {
            sl_reg_result_error(res, 404, 40401, "Subject '%s' not found.", req->subject);
            return;
        }
        old = sub->level;
    } else {
        old = eff_level(st, NULL);
    }
    if (err_readonly(st, sub, req->subject, res)) return;
    if ((req->subject || st->global_level >= 0) &&
        add_rec(res, key_subject("CONFIG", req->subject), NULL) != SL_OK) {
        sl_reg_result_error(res, 500, 50001, "out of memory");
        return;
    }
    res_json(res, 200,
             json_pack("{s:s}", "compatibilityLevel",
                       sl_avro_compat_level_name((sl_avro_compat_level_t)old)));
}

typedef struct any_live_ctx_s {
    int found; /* a subject with live versions exists */
} any_live_ctx_t;

static void any_live_cb(const char *k, size_t l, void *value, void *arg)
{
    any_live_ctx_t *c = arg;
    if (n_live(value) > 0) c->found = 1;
}

static void op_mode_put(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    if (err_subject_invalid(req->subject, res)) return;
    json_t *b = body_object(req, res);
    if (!b) return;
    const char *name = json_string_value(json_object_get(b, "mode"));
    char up[32];
    size_t i = 0;
    for (; name && name[i] && i + 1 < sizeof up; i++)
        up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
    up[i] = 0;
    sl_reg_mode_t mode;
    if (!name || name[i] || sl_reg_mode_parse(up, &mode) != SL_OK) {
        sl_reg_result_error(res, 422, 42204,
                            "Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.");
        json_decref(b);
        return;
    }
    json_decref(b);
    sl_reg_subject_t *sub = req->subject ? sl_regstore_subject(st, req->subject) : NULL;
    if (mode == SL_REG_IMPORT && eff_mode(st, sub) != SL_REG_IMPORT) {
        any_live_ctx_t c = {0};
        if (req->subject)
            c.found = n_live(sub) > 0;
        else
            sl_regmap_each(&st->subjects, any_live_cb, &c);
        if (c.found && !req->force) {
            sl_reg_result_error(res, 422, 42205,
                                "Cannot import since found existing subjects (use ?force=true "
                                "to switch to IMPORT anyway)");
            return;
        }
        /* as Confluent: forget soft-deleted versions, so imported ones do not collide */
        if (!c.found && add_rec(res, key_subject("CLEAR_SUBJECT", req->subject),
                                req->subject ? json_pack("{s:s}", "subject", req->subject)
                                             : json_object()) != SL_OK)
            goto nomem;
    }
    if (add_rec(res, key_subject("MODE", req->subject),
                json_pack("{s:s}", "mode", sl_reg_mode_name(mode))) != SL_OK)
        goto nomem;
    res_json(res, 200, json_pack("{s:s}", "mode", sl_reg_mode_name(mode)));
    return;
nomem:
    sl_reg_result_error(res, 500, 50001, "out of memory");
}

static void op_mode_delete(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    int old;
    if (req->subject) {
        sl_reg_subject_t *sub = sl_regstore_subject(st, req->subject);
        if (!sub || sub->mode < 0) {
            sl_reg_result_error(res, 404, 40401, "Subject '%s' not found.", req->subject);
            return;
        }
        old = sub->mode;
    } else {
        old = eff_mode(st, NULL);
    }
    if ((req->subject || st->global_mode >= 0) &&
        add_rec(res, key_subject("MODE", req->subject), NULL) != SL_OK) {
        sl_reg_result_error(res, 500, 50001, "out of memory");
        return;
    }
    res_json(res, 200, json_pack("{s:s}", "mode", sl_reg_mode_name(old)));
}

static void op_root(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    res_json(res, 200, json_object());
}

static void op_types(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res)
{
    res_json(res, 200, json_pack("[s,s]", "AVRO", "JSON"));
}

/* ---- dispatch ---- */

typedef void (*op_fn)(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *res);

static const struct {
    op_fn fn;    /* the operation */
    int write;   /* may produce records: decided on the writer thread */
    int subject; /* needs req->subject */
} op_table[SL_REGOP_COUNT_] = {
    [SL_REGOP_ROOT] = {op_root, 0, 0},
    [SL_REGOP_SUBJECTS] = {op_subjects, 0, 0},
    [SL_REGOP_SUBJECT_LOOKUP] = {op_lookup, 0, 1},
    [SL_REGOP_SUBJECT_DELETE] = {op_subject_delete, 1, 1},
    [SL_REGOP_VERSIONS] = {op_versions, 0, 1},
    [SL_REGOP_REGISTER] = {op_register, 1, 1},
    [SL_REGOP_VERSION_GET] = {op_version_get, 0, 1},
    [SL_REGOP_VERSION_SCHEMA] = {op_version_get, 0, 1},
    [SL_REGOP_VERSION_REFERENCEDBY] = {op_version_get, 0, 1},
    [SL_REGOP_VERSION_DELETE] = {op_version_delete, 1, 1},
    [SL_REGOP_SCHEMA_TYPES] = {op_types, 0, 0},
    [SL_REGOP_ID_GET] = {op_id, 0, 0},
    [SL_REGOP_ID_SCHEMA] = {op_id, 0, 0},
    [SL_REGOP_ID_SUBJECTS] = {op_id, 0, 0},
    [SL_REGOP_ID_VERSIONS] = {op_id, 0, 0},
    [SL_REGOP_CONFIG_GET] = {op_config_get, 0, 0},
    [SL_REGOP_CONFIG_PUT] = {op_config_put, 1, 0},
    [SL_REGOP_CONFIG_DELETE] = {op_config_delete, 1, 0},
    [SL_REGOP_MODE_GET] = {op_mode_get, 0, 0},
    [SL_REGOP_MODE_PUT] = {op_mode_put, 1, 0},
    [SL_REGOP_MODE_DELETE] = {op_mode_delete, 1, 0},
    [SL_REGOP_COMPAT] = {op_compat, 0, 1},
};

int sl_regop_is_write(sl_regop_t op)
{
    return (unsigned)op < SL_REGOP_COUNT_ && op_table[op].write;
}

void sl_regops_run(sl_reg_store_t *st, const sl_reg_req_t *req, sl_reg_result_t *out)
{
    memset(out, 0, sizeof *out);
    if ((unsigned)req->op >= SL_REGOP_COUNT_ || !op_table[req->op].fn ||
        (op_table[req->op].subject && !req->subject)) {
        sl_reg_result_error(out, 404, 404, "HTTP 404 Not Found");
        return;
    }
    pthread_rwlock_rdlock(&st->lock);
    op_table[req->op].fn(st, req, out);
    pthread_rwlock_unlock(&st->lock);
    if (!out->body) sl_reg_result_error(out, 500, 50001, "internal error: no answer");
}
