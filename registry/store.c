/*
 * store.c — the registry's in-memory state, rebuilt only by applying `_schemas` records in
 * offset order (record layouts in store_int.h).
 *
 * Invariants:
 * - Every id maps to exactly one schema object; a SCHEMA record that would give a known id to
 *   a different schema is ignored (Confluent's reader does the same), so what an id decodes
 *   never changes while the id lives.
 * - An id lives while at least one version (live or soft-deleted) uses it; after that it is
 *   gone from the REST view, but max_id (and the high-water mark record) keeps it from ever
 *   being handed out again.
 * - A subject entry exists while it has versions or a subject-level config or mode.
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
#include <time.h>

/* ---- string-keyed hash map ---- */

struct sl_reg_map_entry_s {
    sl_reg_map_entry_t *next; /* chain */
    uint64_t hash;            /* of the key */
    void *value;              /* borrowed */
    size_t len;               /* key bytes */
    char key[];               /* key, NUL-terminated */
};

static uint64_t map_hash(const void *key, size_t len)
{
    /* FNV-1a: subjects and ids are short, and nothing here is keyed by an attacker's choice
     * in a way that makes collisions cheaper than the request that caused them. */
    const unsigned char *p = key;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

void *sl_regmap_get(const sl_reg_map_t *m, const void *key, size_t len)
{
    if (m->n_buckets == 0) return NULL;
    uint64_t h = map_hash(key, len);
    for (sl_reg_map_entry_t *e = m->buckets[h & (m->n_buckets - 1)]; e; e = e->next)
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0) return e->value;
    return NULL;
}

static int map_grow(sl_reg_map_t *m)
{
    size_t nb = m->n_buckets ? m->n_buckets * 2 : 16;
    sl_reg_map_entry_t **b = calloc(nb, sizeof *b);
    if (!b) return SL_NOMEM;
    for (size_t i = 0; i < m->n_buckets; i++) {
        sl_reg_map_entry_t *e = m->buckets[i];
        while (e) {
            sl_reg_map_entry_t *next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->n_buckets = nb;
    return SL_OK;
}

/* Inserts or replaces. */
static int map_put(sl_reg_map_t *m, const void *key, size_t len, void *value)
{
    if (m->n >= m->n_buckets && map_grow(m) != SL_OK) return SL_NOMEM;
    uint64_t h = map_hash(key, len);
    sl_reg_map_entry_t **slot = &m->buckets[h & (m->n_buckets - 1)];
    for (sl_reg_map_entry_t *e = *slot; e; e = e->next) {
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0) {
            e->value = value;
            return SL_OK;
        }
    }
    sl_reg_map_entry_t *e = malloc(sizeof *e + len + 1);
    if (!e) return SL_NOMEM;
    e->hash = h;
    e->value = value;
    e->len = len;
    memcpy(e->key, key, len);
    e->key[len] = 0;
    e->next = *slot;
    *slot = e;
    m->n++;
    return SL_OK;
}

static void map_del(sl_reg_map_t *m, const void *key, size_t len)
{
    if (m->n_buckets == 0) return;
    uint64_t h = map_hash(key, len);
    for (sl_reg_map_entry_t **pe = &m->buckets[h & (m->n_buckets - 1)]; *pe; pe = &(*pe)->next) {
        sl_reg_map_entry_t *e = *pe;
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0) {
            *pe = e->next;
            free(e);
            m->n--;
            return;
        }
    }
}

void sl_regmap_each(const sl_reg_map_t *m, sl_regmap_fn fn, void *arg)
{
    for (size_t i = 0; i < m->n_buckets; i++)
        for (sl_reg_map_entry_t *e = m->buckets[i]; e; e = e->next)
            fn(e->key, e->len, e->value, arg);
}

static void map_free(sl_reg_map_t *m)
{
    for (size_t i = 0; i < m->n_buckets; i++) {
        sl_reg_map_entry_t *e = m->buckets[i];
        while (e) {
            sl_reg_map_entry_t *next = e->next;
            free(e);
            e = next;
        }
    }
    free(m->buckets);
    memset(m, 0, sizeof *m);
}

/* ---- names ---- */

static const char *const type_names[] = {"AVRO", "JSON", "PROTOBUF"};
static const char *const mode_names[] = {"READWRITE", "READONLY", "IMPORT"};

const char *sl_reg_type_name(sl_reg_type_t type)
{
    return (unsigned)type < 3 ? type_names[type] : "AVRO";
}

int sl_reg_type_parse(const char *name, sl_reg_type_t *out)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, type_names[i]) == 0) {
            *out = (sl_reg_type_t)i;
            return SL_OK;
        }
    }
    return SL_INVAL;
}

const char *sl_reg_mode_name(int mode)
{
    return (unsigned)mode < 3 ? mode_names[mode] : "READWRITE";
}

int sl_reg_mode_parse(const char *name, sl_reg_mode_t *out)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, mode_names[i]) == 0) {
            *out = (sl_reg_mode_t)i;
            return SL_OK;
        }
    }
    return SL_INVAL;
}

/* ---- schema objects ---- */

void sl_reg_schema_keep(sl_reg_schema_t *schema)
{
    atomic_fetch_add_explicit(&schema->refcnt, 1, memory_order_relaxed);
}

static void refs_free(sl_reg_ref_t *refs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(refs[i].name);
        free(refs[i].subject);
    }
    free(refs);
}

void sl_reg_schema_put(sl_reg_schema_t *schema)
{
    if (!schema) return;
    if (atomic_fetch_sub_explicit(&schema->refcnt, 1, memory_order_acq_rel) != 1) return;
    void *cache = atomic_load(&schema->http_cache);
    if (cache && schema->cache_free) schema->cache_free(cache);
    free(schema->text);
    refs_free(schema->refs, schema->n_refs);
    free(schema->identity);
    sl_avro_schema_free(schema->avro);
    sl_jsonschema_free(schema->json);
    free(schema->record_name);
    free(schema->parse_error);
    free(schema);
}

static int is_avro_primitive(const char *s)
{
    static const char *const prims[] = {"null",  "boolean", "int",   "long",
                                        "float", "double",  "bytes", "string"};
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
        if (strcmp(s, prims[i]) == 0) return 1;
    return 0;
}

/* Full names of the named types defined so far in one normalisation walk. */
typedef struct avro_norm_s {
    json_t *defined; /* object used as a set: full name -> true */
} avro_norm_t;

/* The full name a type reference `name` stands for inside namespace `ns` (Java's lookup: the
 * enclosing namespace first, then the null namespace). Returns a new string. */
static json_t *avro_ref_name(avro_norm_t *an, const char *name, const char *ns)
{
    if (is_avro_primitive(name) || strchr(name, '.') || !ns || !*ns) return json_string(name);
    char *full = malloc(strlen(ns) + strlen(name) + 2);
    if (!full) return NULL;
    sprintf(full, "%s.%s", ns, name);
    json_t *r = json_object_get(an->defined, full) ? json_string(full) : json_string(name);
    free(full);
    return r;
}

static json_t *avro_norm(avro_norm_t *an, json_t *node, const char *ns, int depth);

/* A named type definition (record, error, enum, fixed): full name in "name", no "namespace",
 * aliases as full names, children normalised in the type's own namespace. */
static json_t *avro_norm_named(avro_norm_t *an, json_t *node, const char *t, const char *ns,
                               int depth)
{
    const char *name = json_string_value(json_object_get(node, "name"));
    json_t *nsv = json_object_get(node, "namespace");
    char *full = NULL, *own_ns = NULL;
    json_t *out = json_object();
    if (!name || !out) goto fail;
    if (strchr(name, '.')) {
        full = strdup(name);
        own_ns = strndup(name, (size_t)(strrchr(name, '.') - name));
    } else {
        const char *space = json_is_string(nsv) ? json_string_value(nsv) : ns;
        own_ns = strdup(space ? space : "");
        if (own_ns && (full = malloc(strlen(own_ns) + strlen(name) + 2)))
            sprintf(full, *own_ns ? "%s.%s" : "%s%s", own_ns, name);
    }
    if (!full || !own_ns) goto fail;
    json_object_set(an->defined, full, json_true());
    const char *key;
    json_t *v;
    json_object_foreach(node, key, v)
    {
        if (!strcmp(key, "namespace")) continue;
        if (!strcmp(key, "name")) {
            json_object_set_new(out, key, json_string(full));
        } else if (!strcmp(key, "aliases") && json_is_array(v)) {
            json_t *a = json_array();
            size_t i;
            json_t *al;
            json_array_foreach(v, i, al)
            {
                const char *s = json_string_value(al);
                if (s && !strchr(s, '.') && *own_ns) {
                    char *fa = malloc(strlen(own_ns) + strlen(s) + 2);
                    if (fa) sprintf(fa, "%s.%s", own_ns, s);
                    json_array_append_new(a, fa ? json_string(fa) : json_null());
                    free(fa);
                } else {
                    json_array_append(a, al);
                }
            }
            json_object_set_new(out, key, a);
        } else if (!strcmp(key, "fields") && json_is_array(v) &&
                   (!strcmp(t, "record") || !strcmp(t, "error"))) {
            json_t *fields = json_array();
            size_t i;
            json_t *f;
            json_array_foreach(v, i, f)
            {
                json_t *nf = json_object();
                const char *fk;
                json_t *fv;
                json_object_foreach(f, fk, fv)
                {
                    if (!strcmp(fk, "type"))
                        json_object_set_new(nf, fk, avro_norm(an, fv, own_ns, depth + 1));
                    else if (!strcmp(fk, "order") && json_is_string(fv) &&
                             !strcmp(json_string_value(fv), "ascending"))
                        continue; /* the default, which Java does not write */
                    else
                        json_object_set(nf, fk, fv);
                }
                json_array_append_new(fields, nf);
            }
            json_object_set_new(out, key, fields);
        } else {
            json_object_set(out, key, v);
        }
    }
    free(full);
    free(own_ns);
    return out;
fail:
    free(full);
    free(own_ns);
    json_decref(out);
    return json_incref(node);
}

/*
 * Avro's normal form, the way Apache Avro Java's Schema.toString() (what Confluent compares
 * schemas by) makes equal schemas equal: named types carry their full name and no separate
 * namespace (so an explicit namespace equal to the enclosing one makes no difference), names
 * referenced by their short form are resolved, {"type":"int"} with nothing else is "int", a
 * field's default "order":"ascending" is dropped. Object keys are sorted by the caller's dump.
 * Only type positions are walked: default values may hold objects of any shape.
 * Returns a new reference.
 */
static json_t *avro_norm(avro_norm_t *an, json_t *node, const char *ns, int depth)
{
    if (depth > SL_AVRO_MAX_DEPTH + 8) return json_incref(node); /* serde bounded it already */
    if (json_is_string(node)) return avro_ref_name(an, json_string_value(node), ns);
    if (json_is_array(node)) {
        json_t *u = json_array();
        size_t i;
        json_t *b;
        json_array_foreach(node, i, b) json_array_append_new(u, avro_norm(an, b, ns, depth + 1));
        return u;
    }
    if (!json_is_object(node)) return json_incref(node);
    json_t *type = json_object_get(node, "type");
    const char *t = json_string_value(type);
    if (t &&
        (!strcmp(t, "record") || !strcmp(t, "error") || !strcmp(t, "enum") || !strcmp(t, "fixed")))
        return avro_norm_named(an, node, t, ns, depth);
    json_t *out = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(node, key, v)
    {
        if (!strcmp(key, "type") || (t && !strcmp(t, "array") && !strcmp(key, "items")) ||
            (t && !strcmp(t, "map") && !strcmp(key, "values")))
            json_object_set_new(out, key, avro_norm(an, v, ns, depth + 1));
        else
            json_object_set(out, key, v);
    }
    /* {"type": X} and nothing else is X */
    if (json_object_size(out) == 1 && json_object_get(out, "type")) {
        json_t *x = json_incref(json_object_get(out, "type"));
        json_decref(out);
        return x;
    }
    return out;
}

static char *refs_json(const sl_reg_ref_t *refs, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a,
                              json_pack("{s:s,s:s,s:i}", "name", refs[i].name, "subject",
                                        refs[i].subject, "version", (json_int_t)refs[i].version));
    char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return s;
}

static sl_reg_ref_t *refs_copy(const sl_reg_ref_t *refs, size_t n)
{
    if (n == 0) return NULL;
    sl_reg_ref_t *c = calloc(n, sizeof *c);
    if (!c) return NULL;
    for (size_t i = 0; i < n; i++) {
        c[i].name = strdup(refs[i].name);
        c[i].subject = strdup(refs[i].subject);
        c[i].version = refs[i].version;
        if (!c[i].name || !c[i].subject) {
            refs_free(c, n);
            return NULL;
        }
    }
    return c;
}

static char *identity_of(sl_reg_type_t type, const char *form, const sl_reg_ref_t *refs,
                         size_t n_refs)
{
    char *rj = refs_json(refs, n_refs);
    if (!rj) return NULL;
    size_t len = strlen(sl_reg_type_name(type)) + strlen(form) + strlen(rj) + 3;
    char *id = malloc(len);
    if (id) snprintf(id, len, "%s\n%s\n%s", sl_reg_type_name(type), form, rj);
    free(rj);
    return id;
}

int sl_reg_schema_build(sl_reg_type_t type, const char *text, size_t len, const sl_reg_ref_t *refs,
                        const sl_reg_schema_t *const *ref_schemas, size_t n_refs, int normalize,
                        sl_reg_schema_t **out, char *err, size_t err_size)
{
    *out = NULL;
    if (err_size) err[0] = 0;
    if (type == SL_REG_PROTOBUF) {
        snprintf(err, err_size, "PROTOBUF schemas are not supported yet (AVRO and JSON are)");
        return SL_UNSUPP;
    }
    /* References resolve into schemas of the same type: Avro named types, or JSON Schema
     * documents a "$ref" names. */
    const sl_avro_schema_t **ref_avro = NULL;
    sl_jsonschema_ref_t *ref_json = NULL;
    if (n_refs > 0) {
        if (type == SL_REG_AVRO) {
            if (!(ref_avro = calloc(n_refs, sizeof *ref_avro))) return SL_NOMEM;
        } else if (!(ref_json = calloc(n_refs, sizeof *ref_json))) {
            return SL_NOMEM;
        }
        for (size_t i = 0; i < n_refs; i++) {
            const sl_reg_schema_t *r = ref_schemas[i];
            int usable = r && r->type == type && (type == SL_REG_AVRO ? !!r->avro : !!r->json);
            if (!usable) {
                snprintf(err, err_size,
                         "reference '%s' (subject '%s' version %d) is not a usable %s "
                         "schema%s%s",
                         refs[i].name, refs[i].subject, (int)refs[i].version,
                         type == SL_REG_AVRO ? "Avro" : "JSON", r && r->parse_error ? ": " : "",
                         r && r->parse_error ? r->parse_error : "");
                free(ref_avro);
                free(ref_json);
                return SL_INVAL;
            }
            if (type == SL_REG_AVRO) {
                ref_avro[i] = r->avro;
            } else {
                ref_json[i].name = refs[i].name;
                ref_json[i].schema = r->json;
            }
        }
    }
    sl_reg_schema_t *s = calloc(1, sizeof *s);
    if (!s) {
        free(ref_avro);
        free(ref_json);
        return SL_NOMEM;
    }
    atomic_init(&s->refcnt, 1);
    atomic_init(&s->http_cache, NULL);
    s->type = type;
    json_t *root = NULL, *form = NULL;
    char *normal = NULL;
    int rc;
    if (type == SL_REG_AVRO)
        rc = sl_avro_schema_parse_refs(text, len, ref_avro, n_refs, &s->avro, err, err_size);
    else
        rc = sl_jsonschema_parse_refs(text, len, ref_json, n_refs, &s->json, err, err_size);
    free(ref_avro);
    free(ref_json);
    ref_avro = NULL;
    ref_json = NULL;
    if (rc != SL_OK) goto fail;
    json_error_t jerr;
    root = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
    if (!root) {
        /* serde accepted it, so this is a jansson limit (e.g. an integer beyond 64 bits) */
        snprintf(err, err_size, "%s", jerr.text);
        rc = SL_INVAL;
        goto fail;
    }
    if (type == SL_REG_AVRO) {
        avro_norm_t an = {json_object()};
        form = an.defined ? avro_norm(&an, root, NULL, 0) : NULL;
        json_decref(an.defined);
    } else {
        form = json_incref(root);
    }
    normal = json_dumps(form, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    rc = SL_NOMEM;
    if (!normal) goto fail;
    s->identity = identity_of(type, normal, refs, n_refs);
    if (normalize) {
        s->text = normal;
        normal = NULL;
    } else {
        s->text = malloc(len + 1);
        if (s->text) {
            memcpy(s->text, text, len);
            s->text[len] = 0;
        }
    }
    if (!s->identity || !s->text) goto fail;
    s->text_len = strlen(s->text);
    if (n_refs && !(s->refs = refs_copy(refs, n_refs))) goto fail;
    s->n_refs = n_refs;
    const char *rn = NULL;
    if (type == SL_REG_AVRO)
        rn = sl_avro_schema_name(s->avro);
    else if (json_is_object(root))
        rn = json_string_value(json_object_get(root, "title"));
    if (rn && !(s->record_name = strdup(rn))) goto fail;
    free(normal);
    json_decref(form);
    json_decref(root);
    *out = s;
    return SL_OK;
fail:
    if (rc == SL_NOMEM && err_size) snprintf(err, err_size, "out of memory");
    free(normal);
    json_decref(form);
    json_decref(root);
    sl_reg_schema_put(s);
    return rc;
}

/* A schema from the topic that Sluice cannot parse: kept so REST still serves it (its id and
 * text must stay), but validators get no parsed form. */
static sl_reg_schema_t *schema_raw(sl_reg_type_t type, const char *text, size_t len,
                                   const sl_reg_ref_t *refs, size_t n_refs, const char *why)
{
    sl_reg_schema_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    atomic_init(&s->refcnt, 1);
    atomic_init(&s->http_cache, NULL);
    s->type = type;
    s->text = strndup(text, len);
    s->identity = s->text ? identity_of(type, s->text, refs, n_refs) : NULL;
    s->parse_error = strdup(why);
    s->refs = refs_copy(refs, n_refs);
    s->n_refs = n_refs;
    if (!s->text || !s->identity || !s->parse_error || (n_refs && !s->refs)) {
        sl_reg_schema_put(s);
        return NULL;
    }
    s->text_len = strlen(s->text);
    return s;
}

/* ---- the store ---- */

int sl_regstore_init(sl_reg_store_t *st)
{
    memset(st, 0, sizeof *st);
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    /* the reader thread must not starve behind a stream of GETs */
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    int rc = pthread_rwlock_init(&st->lock, &a);
    pthread_rwlockattr_destroy(&a);
    if (rc != 0) return SL_NOMEM;
    pthread_mutex_init(&st->off_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&st->off_cv, &ca);
    pthread_condattr_destroy(&ca);
    st->global_level = -1;
    st->global_mode = -1;
    st->applied = -1;
    return SL_OK;
}

static void subject_free(sl_reg_subject_t *sub)
{
    for (size_t i = 0; i < sub->n; i++)
        sl_reg_schema_put(sub->v[i].schema);
    free(sub->v);
    free(sub->name);
    free(sub);
}

static void free_subject_cb(const char *k, size_t l, void *v, void *a)
{
    subject_free(v);
}

static void free_id_cb(const char *k, size_t l, void *v, void *a)
{
    sl_reg_id_t *e = v;
    sl_reg_schema_put(e->schema);
    free(e);
}

void sl_regstore_destroy(sl_reg_store_t *st)
{
    sl_regmap_each(&st->subjects, free_subject_cb, NULL);
    sl_regmap_each(&st->ids, free_id_cb, NULL);
    map_free(&st->subjects);
    map_free(&st->ids);
    map_free(&st->by_ident);
    pthread_rwlock_destroy(&st->lock);
    pthread_mutex_destroy(&st->off_mu);
    pthread_cond_destroy(&st->off_cv);
}

static void id_key(int32_t id, unsigned char k[4])
{
    uint32_t u = (uint32_t)id;
    k[0] = (unsigned char)(u >> 24);
    k[1] = (unsigned char)(u >> 16);
    k[2] = (unsigned char)(u >> 8);
    k[3] = (unsigned char)u;
}

sl_reg_subject_t *sl_regstore_subject(const sl_reg_store_t *st, const char *name)
{
    return sl_regmap_get(&st->subjects, name, strlen(name));
}

sl_reg_id_t *sl_regstore_id(const sl_reg_store_t *st, int32_t id)
{
    unsigned char k[4];
    id_key(id, k);
    return sl_regmap_get(&st->ids, k, 4);
}

static sl_reg_subject_t *subject_get_or_add(sl_reg_store_t *st, const char *name)
{
    sl_reg_subject_t *sub = sl_regstore_subject(st, name);
    if (sub) return sub;
    sub = calloc(1, sizeof *sub);
    if (!sub) return NULL;
    sub->name = strdup(name);
    sub->level = -1;
    sub->mode = -1;
    if (!sub->name || map_put(&st->subjects, name, strlen(name), sub) != SL_OK) {
        free(sub->name);
        free(sub);
        return NULL;
    }
    return sub;
}

/* Drops a subject entry that no longer holds anything. */
static void subject_gc(sl_reg_store_t *st, sl_reg_subject_t *sub)
{
    if (sub->n || sub->level >= 0 || sub->mode >= 0) return;
    map_del(&st->subjects, sub->name, strlen(sub->name));
    subject_free(sub);
}

/* One version stopped using its schema's id. */
static void id_release(sl_reg_store_t *st, sl_reg_schema_t *schema)
{
    sl_reg_id_t *e = sl_regstore_id(st, schema->id);
    if (!e || e->schema != schema) return;
    if (--e->uses > 0) return;
    unsigned char k[4];
    id_key(schema->id, k);
    map_del(&st->ids, k, 4);
    if (sl_regmap_get(&st->by_ident, schema->identity, strlen(schema->identity)) == e)
        map_del(&st->by_ident, schema->identity, strlen(schema->identity));
    sl_reg_schema_put(e->schema);
    free(e);
}

static void version_remove(sl_reg_store_t *st, sl_reg_subject_t *sub, size_t i)
{
    sl_reg_schema_t *schema = sub->v[i].schema;
    memmove(&sub->v[i], &sub->v[i + 1], (sub->n - i - 1) * sizeof sub->v[0]);
    sub->n--;
    id_release(st, schema);
    sl_reg_schema_put(schema);
}

static int version_find(const sl_reg_subject_t *sub, int32_t version, size_t *at)
{
    size_t lo = 0, hi = sub->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sub->v[mid].version < version)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return lo < sub->n && sub->v[lo].version == version;
}

int sl_regstore_resolve_refs(const sl_reg_store_t *st, const sl_reg_ref_t *refs, size_t n,
                             const sl_reg_schema_t ***out, char *err, size_t err_size)
{
    *out = NULL;
    if (n == 0) return SL_OK;
    const sl_reg_schema_t **v = calloc(n, sizeof *v);
    if (!v) {
        snprintf(err, err_size, "out of memory");
        return SL_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        sl_reg_subject_t *sub = sl_regstore_subject(st, refs[i].subject);
        size_t at;
        if (!sub || !version_find(sub, refs[i].version, &at)) {
            snprintf(err, err_size, "reference '%s': subject '%s' version %d not found",
                     refs[i].name, refs[i].subject, (int)refs[i].version);
            free(v);
            return SL_NOTFOUND;
        }
        v[i] = sub->v[at].schema;
    }
    *out = v;
    return SL_OK;
}

/* ---- applying records ---- */

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* An integer member in [lo, hi]; SL_OK or SL_INVAL. */
static int jint(json_t *o, const char *k, int64_t lo, int64_t hi, int64_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v)) return SL_INVAL;
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi) return SL_INVAL;
    *out = x;
    return SL_OK;
}

static int parse_refs(json_t *a, sl_reg_ref_t **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!a || json_is_null(a)) return SL_OK;
    if (!json_is_array(a)) return SL_INVAL;
    size_t n = json_array_size(a);
    if (n == 0) return SL_OK;
    sl_reg_ref_t *r = calloc(n, sizeof *r);
    if (!r) return SL_NOMEM;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(a, i);
        int64_t v;
        const char *name = jstr(e, "name"), *subject = jstr(e, "subject");
        if (!name || !subject || jint(e, "version", 1, INT32_MAX, &v) != SL_OK) {
            refs_free(r, n);
            return SL_INVAL;
        }
        r[i].name = strdup(name);
        r[i].subject = strdup(subject);
        r[i].version = (int32_t)v;
        if (!r[i].name || !r[i].subject) {
            refs_free(r, n);
            return SL_NOMEM;
        }
    }
    *out = r;
    *n_out = n;
    return SL_OK;
}

/* The schema object a SCHEMA record with `id` stands for: the existing one, or a new one. */
static int schema_for_record(sl_reg_store_t *st, int32_t id, sl_reg_type_t type, const char *text,
                             size_t len, const sl_reg_ref_t *refs, size_t n_refs,
                             sl_reg_schema_t **out, int *is_new)
{
    sl_reg_id_t *e = sl_regstore_id(st, id);
    *is_new = 0;
    if (e && e->schema->type == type && e->schema->text_len == len &&
        memcmp(e->schema->text, text, len) == 0) {
        *out = e->schema;
        return SL_OK;
    }
    char err[512];
    sl_reg_schema_t *s = NULL;
    const sl_reg_schema_t **resolved = NULL;
    int rc = sl_regstore_resolve_refs(st, refs, n_refs, &resolved, err, sizeof err);
    if (rc == SL_OK) {
        rc = sl_reg_schema_build(type, text, len, refs, resolved, n_refs, 0, &s, err, sizeof err);
        free(resolved);
    }
    if (rc == SL_NOMEM) return rc;
    if (rc != SL_OK) {
        s = schema_raw(type, text, len, refs, n_refs, err);
        if (!s) return SL_NOMEM;
    }
    if (e) {
        int same = strcmp(e->schema->identity, s->identity) == 0;
        sl_reg_schema_put(s);
        if (!same) return SL_EXIST;
        *out = e->schema;
        return SL_OK;
    }
    s->id = id;
    s->cache_free = st->cache_free;
    *out = s;
    *is_new = 1;
    return SL_OK;
}

static int apply_schema(sl_reg_store_t *st, const char *subject, int32_t version, json_t *val,
                        int64_t offset)
{
    sl_reg_subject_t *sub;
    size_t at;
    if (!val) { /* tombstone: a permanent delete */
        sub = sl_regstore_subject(st, subject);
        if (sub && version_find(sub, version, &at)) {
            version_remove(st, sub, at);
            subject_gc(st, sub);
        }
        return SL_OK;
    }
    int64_t id;
    const char *text = jstr(val, "schema");
    const char *tname = jstr(val, "schemaType");
    json_t *deleted = json_object_get(val, "deleted");
    sl_reg_type_t type = SL_REG_AVRO;
    if (!text || jint(val, "id", 0, INT32_MAX, &id) != SL_OK ||
        (tname && sl_reg_type_parse(tname, &type) != SL_OK) ||
        (deleted && !json_is_boolean(deleted))) {
        SL_WARN("registry", "_schemas offset %lld: malformed SCHEMA value ignored",
                (long long)offset);
        return SL_INVAL;
    }
    sl_reg_ref_t *refs;
    size_t n_refs;
    int rc = parse_refs(json_object_get(val, "references"), &refs, &n_refs);
    if (rc != SL_OK) {
        if (rc == SL_INVAL)
            SL_WARN("registry", "_schemas offset %lld: malformed references ignored",
                    (long long)offset);
        return rc;
    }
    sl_reg_schema_t *schema = NULL;
    int is_new = 0;
    rc = schema_for_record(st, (int32_t)id, type, text,
                           json_string_length(json_object_get(val, "schema")), refs, n_refs,
                           &schema, &is_new);
    refs_free(refs, n_refs);
    if (rc == SL_EXIST) {
        SL_WARN("registry",
                "_schemas offset %lld: schema id %lld is already in use by a different schema; "
                "record for subject '%s' version %d ignored",
                (long long)offset, (long long)id, subject, (int)version);
        return SL_INVAL;
    }
    if (rc != SL_OK) return rc;
    if (schema->parse_error && is_new)
        SL_WARN("registry",
                "_schemas offset %lld: schema id %lld cannot be parsed (%s); it is "
                "served over REST but not used for validation",
                (long long)offset, (long long)id, schema->parse_error);
    sl_reg_id_t *ide = NULL;
    if (is_new) {
        ide = calloc(1, sizeof *ide);
        unsigned char k[4];
        id_key((int32_t)id, k);
        if (!ide || map_put(&st->ids, k, 4, ide) != SL_OK) {
            free(ide);
            sl_reg_schema_put(schema);
            return SL_NOMEM;
        }
        ide->schema = schema; /* the store's reference (from the build) */
        if (!sl_regmap_get(&st->by_ident, schema->identity, strlen(schema->identity)))
            map_put(&st->by_ident, schema->identity, strlen(schema->identity), ide);
    } else {
        ide = sl_regstore_id(st, (int32_t)id);
    }
    if (!(sub = subject_get_or_add(st, subject))) {
        if (ide->uses == 0) {
            ide->uses = 1; /* let id_release free it */
            id_release(st, schema);
        }
        return SL_NOMEM;
    }
    int del = json_is_true(deleted);
    if (version_find(sub, version, &at)) {
        sl_reg_version_t *v = &sub->v[at];
        if (v->schema != schema) {
            sl_reg_schema_t *old = v->schema;
            sl_reg_schema_keep(schema);
            ide->uses++;
            v->schema = schema;
            id_release(st, old);
            sl_reg_schema_put(old);
        }
        v->deleted = del;
    } else {
        if (sub->n == sub->cap) {
            size_t nc = sub->cap ? sub->cap * 2 : 4;
            sl_reg_version_t *nv = realloc(sub->v, nc * sizeof *nv);
            if (!nv) {
                if (ide->uses == 0) {
                    ide->uses = 1;
                    id_release(st, schema);
                }
                subject_gc(st, sub);
                return SL_NOMEM;
            }
            sub->v = nv;
            sub->cap = nc;
        }
        memmove(&sub->v[at + 1], &sub->v[at], (sub->n - at) * sizeof sub->v[0]);
        sub->n++;
        sl_reg_schema_keep(schema);
        ide->uses++;
        sub->v[at] = (sl_reg_version_t){.version = version, .deleted = del, .schema = schema};
    }
    if (id > st->max_id) st->max_id = (int32_t)id;
    return SL_OK;
}

static int apply_config(sl_reg_store_t *st, const char *subject, json_t *val, int64_t offset)
{
    int level = -1;
    if (val) {
        const char *name = jstr(val, "compatibilityLevel");
        if (!name) name = jstr(val, "compatibility");
        sl_avro_compat_level_t l;
        if (!name || sl_avro_compat_level_parse(name, &l) != SL_OK) {
            SL_WARN("registry", "_schemas offset %lld: unknown compatibility level ignored",
                    (long long)offset);
            return SL_INVAL;
        }
        level = (int)l;
    }
    if (!subject) {
        st->global_level = level;
        return SL_OK;
    }
    sl_reg_subject_t *sub =
        level >= 0 ? subject_get_or_add(st, subject) : sl_regstore_subject(st, subject);
    if (!sub) return level >= 0 ? SL_NOMEM : SL_OK;
    sub->level = level;
    subject_gc(st, sub);
    return SL_OK;
}

static int apply_mode(sl_reg_store_t *st, const char *subject, json_t *val, int64_t offset)
{
    int mode = -1;
    if (val) {
        sl_reg_mode_t m;
        const char *name = jstr(val, "mode");
        if (!name || sl_reg_mode_parse(name, &m) != SL_OK) {
            SL_WARN("registry", "_schemas offset %lld: unknown mode ignored", (long long)offset);
            return SL_INVAL;
        }
        mode = (int)m;
    }
    if (!subject) {
        st->global_mode = mode;
        return SL_OK;
    }
    sl_reg_subject_t *sub =
        mode >= 0 ? subject_get_or_add(st, subject) : sl_regstore_subject(st, subject);
    if (!sub) return mode >= 0 ? SL_NOMEM : SL_OK;
    sub->mode = mode;
    subject_gc(st, sub);
    return SL_OK;
}

static int apply_delete_subject(sl_reg_store_t *st, const char *subject, json_t *val,
                                int64_t offset)
{
    int64_t upto;
    if (!val) return SL_OK; /* compaction of the marker itself */
    if (jint(val, "version", 0, INT32_MAX, &upto) != SL_OK) {
        SL_WARN("registry", "_schemas offset %lld: malformed DELETE_SUBJECT ignored",
                (long long)offset);
        return SL_INVAL;
    }
    sl_reg_subject_t *sub = sl_regstore_subject(st, subject);
    for (size_t i = 0; sub && i < sub->n && sub->v[i].version <= upto; i++)
        sub->v[i].deleted = 1;
    return SL_OK;
}

/* Forgets the soft-deleted versions of one subject. */
static void clear_subject(sl_reg_store_t *st, sl_reg_subject_t *sub)
{
    for (size_t i = sub->n; i-- > 0;)
        if (sub->v[i].deleted) version_remove(st, sub, i);
    subject_gc(st, sub);
}

typedef struct {
    sl_reg_subject_t **v; /* collected subjects */
    size_t n;             /* entries */
} sub_list_t;

static void collect_cb(const char *k, size_t l, void *v, void *a)
{
    sub_list_t *list = a;
    list->v[list->n++] = v;
}

static int apply_clear_subject(sl_reg_store_t *st, const char *subject, json_t *val)
{
    if (!val) return SL_OK;
    if (subject && *subject) {
        sl_reg_subject_t *sub = sl_regstore_subject(st, subject);
        if (sub) clear_subject(st, sub);
        return SL_OK;
    }
    sub_list_t list = {calloc(st->subjects.n + 1, sizeof(sl_reg_subject_t *)), 0};
    if (!list.v) return SL_NOMEM;
    sl_regmap_each(&st->subjects, collect_cb, &list);
    for (size_t i = 0; i < list.n; i++)
        clear_subject(st, list.v[i]);
    free(list.v);
    return SL_OK;
}

static int apply_locked(sl_reg_store_t *st, json_t *key, json_t *val, int64_t offset)
{
    const char *kt = jstr(key, "keytype");
    const char *subject = jstr(key, "subject");
    if (!kt) {
        SL_WARN("registry", "_schemas offset %lld: key without keytype ignored", (long long)offset);
        return SL_INVAL;
    }
    if (!strcmp(kt, "SCHEMA")) {
        int64_t version;
        if (!subject || jint(key, "version", 1, INT32_MAX, &version) != SL_OK) {
            SL_WARN("registry", "_schemas offset %lld: malformed SCHEMA key ignored",
                    (long long)offset);
            return SL_INVAL;
        }
        return apply_schema(st, subject, (int32_t)version, val, offset);
    }
    if (!strcmp(kt, "CONFIG")) return apply_config(st, subject, val, offset);
    if (!strcmp(kt, "MODE")) return apply_mode(st, subject, val, offset);
    if (!strcmp(kt, "DELETE_SUBJECT")) {
        if (!subject) return SL_INVAL;
        return apply_delete_subject(st, subject, val, offset);
    }
    if (!strcmp(kt, "CLEAR_SUBJECT")) return apply_clear_subject(st, subject, val);
    if (!strcmp(kt, "NOOP")) {
        int64_t hwm;
        if (val && jint(val, "sluiceMaxSchemaId", 0, INT32_MAX, &hwm) == SL_OK) {
            if (hwm > st->hwm_record) st->hwm_record = (int32_t)hwm;
            if (hwm > st->max_id) st->max_id = (int32_t)hwm;
        }
        return SL_OK;
    }
    /* CONTEXT, association keys ... of newer Confluent versions: nothing Sluice serves */
    SL_DEBUG("registry", "_schemas offset %lld: keytype %s ignored", (long long)offset, kt);
    return SL_OK;
}

int sl_regstore_apply(sl_reg_store_t *st, const void *key, size_t key_len, const void *value,
                      size_t value_len, int64_t offset)
{
    json_error_t jerr;
    json_t *k = key ? json_loadb(key, key_len, 0, &jerr) : NULL;
    json_t *v = NULL;
    int rc = SL_INVAL;
    if (!json_is_object(k)) {
        SL_WARN("registry", "_schemas offset %lld: key is not a JSON object; ignored",
                (long long)offset);
        goto out;
    }
    if (value) {
        v = json_loadb(value, value_len, 0, &jerr);
        if (!json_is_object(v)) {
            SL_WARN("registry", "_schemas offset %lld: value is not a JSON object; ignored",
                    (long long)offset);
            goto out;
        }
    }
    pthread_rwlock_wrlock(&st->lock);
    rc = apply_locked(st, k, v, offset);
    pthread_rwlock_unlock(&st->lock);
out:
    if (rc == SL_INVAL) st->n_ignored++;
    json_decref(k);
    json_decref(v);
    sl_regstore_mark_applied(st, offset);
    return rc;
}

void sl_regstore_mark_applied(sl_reg_store_t *st, int64_t offset)
{
    pthread_mutex_lock(&st->off_mu);
    if (offset > st->applied) {
        st->applied = offset;
        pthread_cond_broadcast(&st->off_cv);
    }
    pthread_mutex_unlock(&st->off_mu);
}

int sl_regstore_wait_applied(sl_reg_store_t *st, int64_t offset, int timeout_ms,
                             const atomic_int *stop)
{
    struct timespec now, deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int rc = SL_OK;
    pthread_mutex_lock(&st->off_mu);
    while (st->applied < offset) {
        if (stop && atomic_load(stop)) {
            rc = SL_AGAIN;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > deadline.tv_sec ||
            (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec)) {
            rc = SL_AGAIN;
            break;
        }
        struct timespec step = now;
        step.tv_nsec += 100000000L; /* wake up every 100 ms to look at *stop */
        if (step.tv_nsec >= 1000000000L) {
            step.tv_sec++;
            step.tv_nsec -= 1000000000L;
        }
        if (step.tv_sec > deadline.tv_sec ||
            (step.tv_sec == deadline.tv_sec && step.tv_nsec > deadline.tv_nsec))
            step = deadline;
        pthread_cond_timedwait(&st->off_cv, &st->off_mu, &step);
    }
    pthread_mutex_unlock(&st->off_mu);
    return rc;
}
