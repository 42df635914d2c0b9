/*
 * avro_resolve.c — Avro binary data to JSON (sl_avro_decode), and the same while resolving a
 * writer's schema against a reader's (sl_avro_decode_resolved; specification, "Schema
 * Resolution"). Decoding with one schema is resolution with reader == writer: every rule
 * below then takes its identity fast path.
 *
 * The walk is driven by the writer's schema (it says what the bytes are) and shaped by the
 * reader's (it says what the caller gets):
 *   writer union        read the branch index, resolve that branch against the reader
 *   reader union        pick the reader branch for the writer's type (see pick_branch),
 *                       wrap the value as the JSON shape wants
 *   different kinds     the promotions int -> long/float/double, long -> float/double,
 *                       float -> double, string <-> bytes; else an error
 *   record              writer fields in writer order: read into the reader field they map
 *                       to, or read and drop; then reader fields the writer lacks get their
 *                       default; the object is built in reader order
 *   enum                by symbol, else the reader's enum default
 *   fixed               names and sizes must match
 *   array, map          item by item
 * Record pairs (writer, reader) are worked out once per call (field mapping, defaults turned
 * into values of the reader's types) and kept in a small table.
 *
 * Defaults become values by encoding the default's JSON with the field's type (the encoder's
 * "default" shape: the specification's JSON with unions unwrapped) and decoding the bytes in
 * the caller's shape, so a default comes out exactly as a written value would. Each use is a
 * deep copy; the total size of defaults applied per call is bounded (DEFAULTS_BUDGET), so tiny
 * records cannot make a huge default multiply without limit.
 *
 * Bounds are those of sl_avro_datum_check (depth, zero-size items, counts against bytes
 * left); values the writer has and the reader drops are checked as they are skipped.
 * @locality any thread: all state lives in the call.
 */
#include "serde/avro_datum_int.h"

#include "common/err.h"

#include <stdlib.h>
#include <string.h>

/* Bytes of encoded defaults applied per decode call (a default's encoding + 1 per use). */
#define DEFAULTS_BUDGET (16u << 20)

/* What a (writer record, reader record) pair needs, worked out once per call. */
typedef struct rpair_s {
    const sl_avro_node_t *w; /* writer record (borrowed) */
    const sl_avro_node_t *r; /* reader record (borrowed) */
    int names_ok;            /* the names match (unqualified, or a reader alias) */
    int *wmap;               /* owned; per writer field: the reader field it fills, or -1 */
    json_t **defaults;       /* owned; per reader field the writer lacks: its default as a
                                value of the caller's shape (owned reference), else NULL */
    size_t *default_cost;    /* owned; per reader field: encoded size of its default + 1 */
    int missing;             /* a reader field the writer lacks that has no default, or -1 */
} rpair_t;

/* State of one decode call. */
typedef struct rctx_s {
    sl_avro_dctx_t *d;    /* reader position, depth, errors */
    unsigned shape;       /* SL_AVRO_JSON_SPEC or SL_AVRO_JSON_PLAIN */
    rpair_t *pairs;       /* owned; record pairs met so far */
    size_t n_pairs;       /* entries used */
    size_t cap_pairs;     /* entries allocated */
    size_t defaults_used; /* against DEFAULTS_BUDGET */
} rctx_t;

static int dec(rctx_t *c, const sl_avro_node_t *w, const sl_avro_node_t *r, json_t **out);

/* ---- names ---- */

static const char *simple_name(const char *full)
{
    const char *dot = strrchr(full, '.');
    return dot ? dot + 1 : full;
}

/* Unqualified names equal, or a reader alias (made full in the reader's namespace unless it
 * has a dot) is the writer's full name — the rule avro_compat.c applies. */
static int names_match(const sl_avro_node_t *r, const sl_avro_node_t *w)
{
    if (strcmp(simple_name(r->fullname), simple_name(w->fullname)) == 0) return 1;
    if (!r->aliases) return 0;
    const char *dot = strrchr(r->fullname, '.');
    size_t nsl = dot ? (size_t)(dot - r->fullname) : 0;
    size_t wl = strlen(w->fullname);
    size_t i;
    json_t *a;
    json_array_foreach(r->aliases, i, a)
    {
        const char *al = json_string_value(a);
        if (!al) continue;
        if (strchr(al, '.') || nsl == 0) {
            if (strcmp(al, w->fullname) == 0) return 1;
        } else if (wl == nsl + 1 + strlen(al) && memcmp(w->fullname, r->fullname, nsl) == 0 &&
                   w->fullname[nsl] == '.' && strcmp(w->fullname + nsl + 1, al) == 0) {
            return 1;
        }
    }
    return 0;
}

static const char *type_label(const sl_avro_node_t *n)
{
    return n->fullname ? n->fullname : sl_avro_dt_kind_names[n->kind];
}

static int promotes(sl_avro_kind_t r, sl_avro_kind_t w)
{
    switch (r) {
    case SL_AVRO_LONG:
        return w == SL_AVRO_INT;
    case SL_AVRO_FLOAT:
        return w == SL_AVRO_INT || w == SL_AVRO_LONG;
    case SL_AVRO_DOUBLE:
        return w == SL_AVRO_INT || w == SL_AVRO_LONG || w == SL_AVRO_FLOAT;
    case SL_AVRO_BYTES:
        return w == SL_AVRO_STRING;
    case SL_AVRO_STRING:
        return w == SL_AVRO_BYTES;
    default:
        return 0;
    }
}

/*
 * The reader union's branch for a (non-union) writer type, as Java's resolver picks it: the
 * first branch of the same type (for named types: the same full name), else the first named
 * branch of the same type whose name matches by the unqualified-name/alias rule (fixed: and
 * size), else the first branch the writer's type promotes to. -1 when none.
 * Known difference from avro_compat.c: there, among several named branches whose names match,
 * the first one that can read the writer entirely wins; here the first whose name matches,
 * without looking inside (a union with two records of one unqualified name, the first of them
 * unreadable, is judged compatible there but fails here when the data reaches it).
 */
static int pick_branch(const sl_avro_node_t *r, const sl_avro_node_t *w)
{
    for (size_t i = 0; i < r->n_branches; i++) {
        const sl_avro_node_t *b = r->branches[i];
        if (b->kind != w->kind) continue;
        if (!w->fullname || strcmp(b->fullname, w->fullname) == 0) return (int)i;
    }
    if (w->fullname) {
        for (size_t i = 0; i < r->n_branches; i++) {
            const sl_avro_node_t *b = r->branches[i];
            if (b->kind == w->kind && names_match(b, w) &&
                (b->kind != SL_AVRO_FIXED || b->size == w->size))
                return (int)i;
        }
    }
    for (size_t i = 0; i < r->n_branches; i++)
        if (promotes(r->branches[i]->kind, w->kind)) return (int)i;
    return -1;
}

/* ---- record pairs ---- */

static void pair_free(rpair_t *p)
{
    if (p->defaults) {
        for (size_t j = 0; j < p->r->n_fields; j++)
            if (p->defaults[j]) json_decref(p->defaults[j]);
    }
    free(p->defaults);
    free(p->default_cost);
    free(p->wmap);
}

/* The default of reader field f as a value of the caller's shape: encode, then decode. */
static int default_value(rctx_t *c, const sl_avro_field_t *f, json_t **out, size_t *cost)
{
    sl_avro_dctx_t sub;
    memset(&sub, 0, sizeof sub);
    sl_buf_t buf;
    sl_buf_init(&buf);
    int rc = sl_avro_encode_value(&sub, f->type, f->default_value, SL_AVRO_SHAPE_DEFAULT, &buf);
    if (rc == SL_OK) {
        sub.p = buf.data ? buf.data : (const uint8_t *)"";
        sub.end = sub.p + buf.len;
        sub.depth = 0;
        rctx_t sc = {.d = &sub, .shape = c->shape};
        rc = dec(&sc, f->type, f->type, out);
        if (rc == SL_OK && sub.p != sub.end) { /* cannot happen: we wrote exactly one value */
            json_decref(*out);
            *out = NULL;
            rc = sl_avro_dt_fail(&sub, "trailing bytes");
        }
        free(sc.pairs); /* reader == writer: no pair is ever recorded */
    }
    *cost = buf.len + 1;
    sl_buf_free(&buf);
    if (rc == SL_INVAL) {
        char why[160];
        sl_avro_dt_report(&sub, rc, why, sizeof why);
        return sl_avro_dt_fail(c->d, "the default of reader field '%s' is not a valid value: %s",
                               f->name, why);
    }
    return rc;
}

static int pair_get(rctx_t *c, const sl_avro_node_t *w, const sl_avro_node_t *r, rpair_t **out)
{
    for (size_t i = 0; i < c->n_pairs; i++) {
        if (c->pairs[i].w == w && c->pairs[i].r == r) {
            *out = &c->pairs[i];
            return SL_OK;
        }
    }
    if (c->n_pairs == c->cap_pairs) {
        size_t ncap = c->cap_pairs ? c->cap_pairs * 2 : 4;
        rpair_t *np = realloc(c->pairs, ncap * sizeof *np);
        if (!np) return SL_NOMEM;
        c->pairs = np;
        c->cap_pairs = ncap;
    }
    rpair_t *p = &c->pairs[c->n_pairs];
    memset(p, 0, sizeof *p);
    p->w = w;
    p->r = r;
    p->missing = -1;
    p->names_ok = names_match(r, w);
    p->wmap = malloc((w->n_fields ? w->n_fields : 1) * sizeof *p->wmap);
    p->defaults = calloc(r->n_fields ? r->n_fields : 1, sizeof *p->defaults);
    p->default_cost = calloc(r->n_fields ? r->n_fields : 1, sizeof *p->default_cost);
    int *rsrc = malloc((r->n_fields ? r->n_fields : 1) * sizeof *rsrc);
    if (!p->wmap || !p->defaults || !p->default_cost || !rsrc) {
        free(rsrc);
        pair_free(p);
        return SL_NOMEM;
    }
    c->n_pairs++;
    for (size_t i = 0; i < w->n_fields; i++)
        p->wmap[i] = -1;
    /* Reader fields by name first, then by their aliases (a writer field fills one reader
     * field only). */
    for (size_t j = 0; j < r->n_fields; j++) {
        rsrc[j] = -1;
        for (size_t i = 0; i < w->n_fields; i++) {
            if (strcmp(w->fields[i].name, r->fields[j].name) == 0) {
                p->wmap[i] = (int)j;
                rsrc[j] = (int)i;
                break;
            }
        }
    }
    for (size_t j = 0; j < r->n_fields; j++) {
        const json_t *aliases = r->fields[j].aliases;
        if (rsrc[j] >= 0 || !aliases) continue;
        size_t k;
        json_t *a;
        json_array_foreach(aliases, k, a)
        {
            for (size_t i = 0; i < w->n_fields && rsrc[j] < 0; i++) {
                if (p->wmap[i] < 0 && strcmp(w->fields[i].name, json_string_value(a)) == 0) {
                    p->wmap[i] = (int)j;
                    rsrc[j] = (int)i;
                }
            }
        }
    }
    int rc = SL_OK;
    for (size_t j = 0; j < r->n_fields && rc == SL_OK; j++) {
        if (rsrc[j] >= 0) continue;
        if (!r->fields[j].default_value) {
            if (p->missing < 0) p->missing = (int)j;
            continue;
        }
        rc = default_value(c, &r->fields[j], &p->defaults[j], &p->default_cost[j]);
    }
    free(rsrc);
    *out = p;
    return rc;
}

/* ---- values ---- */

static int dec_bytes_as(rctx_t *c, const sl_avro_node_t *r, const uint8_t *p, size_t n,
                        json_t **out)
{
    if (r->kind == SL_AVRO_STRING) {
        size_t bad = sl_avro_utf8_bad(p, n);
        if (bad != n)
            return sl_avro_dt_fail(c->d, "bytes read as a string are not valid UTF-8 (at byte %zu)",
                                   bad);
        *out = json_stringn_nocheck((const char *)p, n);
        return *out ? SL_OK : SL_NOMEM;
    }
    return sl_avro_json_bytes(c->d, r, c->shape, p, n, out);
}

/* Writer and reader of different kinds, neither a union. */
static int dec_promoted(rctx_t *c, const sl_avro_node_t *w, const sl_avro_node_t *r, json_t **out)
{
    sl_avro_dctx_t *d = c->d;
    if (!promotes(r->kind, w->kind))
        return sl_avro_dt_fail(d, "writer's %s cannot be read as %s", type_label(w), type_label(r));
    int rc;
    double v;
    switch (w->kind) {
    case SL_AVRO_INT: {
        int32_t x;
        if ((rc = sl_avro_dt_int(d, &x, "an int")) != SL_OK) return rc;
        if (r->kind == SL_AVRO_LONG) {
            *out = json_integer(x);
            return *out ? SL_OK : SL_NOMEM;
        }
        v = r->kind == SL_AVRO_FLOAT ? (double)(float)x : (double)x;
        break;
    }
    case SL_AVRO_LONG: {
        int64_t x;
        if ((rc = sl_avro_dt_long(d, &x, "a long")) != SL_OK) return rc;
        v = r->kind == SL_AVRO_FLOAT ? (double)(float)x : (double)x;
        break;
    }
    case SL_AVRO_FLOAT:
        if (d->end - d->p < 4) return sl_avro_dt_fail(d, "data ends inside a float");
        v = (double)sl_avro_dt_float_at(d->p);
        d->p += 4;
        break;
    default: { /* string <-> bytes */
        size_t n;
        if ((rc = sl_avro_dt_len(d, &n, sl_avro_dt_kind_names[w->kind])) != SL_OK) return rc;
        const uint8_t *p = d->p;
        d->p += n;
        return dec_bytes_as(c, r, p, n, out);
    }
    }
    *out = sl_avro_json_double(v);
    return *out ? SL_OK : SL_NOMEM;
}

/* The value of reader union r's branch j, read with writer type w, wrapped as the shape wants. */
static int dec_branch(rctx_t *c, const sl_avro_node_t *w, const sl_avro_node_t *r, size_t j,
                      json_t **out)
{
    const sl_avro_node_t *b = r->branches[j];
    json_t *v = NULL;
    int rc = dec(c, w, b, &v);
    if (rc) return rc;
    if (c->shape != SL_AVRO_JSON_SPEC || b->kind == SL_AVRO_NULL) {
        *out = v;
        return SL_OK;
    }
    json_t *o = json_object();
    if (!o || json_object_set_new_nocheck(o, type_label(b), v) != 0) {
        if (o)
            json_decref(o);
        else
            json_decref(v);
        return SL_NOMEM;
    }
    *out = o;
    return SL_OK;
}

static int dec_record(rctx_t *c, const sl_avro_node_t *w, const sl_avro_node_t *r, json_t **out)
{
    sl_avro_dctx_t *d = c->d;
    json_t *obj = json_object();
    if (!obj) return SL_NOMEM;
    int rc = SL_OK;
    if (w == r) {
        for (size_t i = 0; i < w->n_fields && rc == SL_OK; i++) {
            json_t *v = NULL;
            rc = dec(c, w->fields[i].type, w->fields[i].type, &v);
            if (rc == SL_OK && json_object_set_new_nocheck(obj, w->fields[i].name, v) != 0)
                rc = SL_NOMEM;
            if (rc) sl_avro_dt_trail(d, rc, SL_AVRO_SEG_FIELD, i);
        }
        if (rc) {
            json_decref(obj);
            return rc;
        }
        *out = obj;
        return SL_OK;
    }
    rpair_t *p;
    if ((rc = pair_get(c, w, r, &p)) != SL_OK) {
        json_decref(obj);
        return rc;
    }
    if (!p->names_ok) {
        json_decref(obj);
        return sl_avro_dt_fail(d,
                               "writer's record '%s' cannot be read as record '%s' (names "
                               "differ)",
                               w->fullname, r->fullname);
    }
    if (p->missing >= 0) {
        json_decref(obj);
        return sl_avro_dt_fail(d,
                               "reader field '%s' is not in the writer's record '%s' and has no "
                               "default",
                               r->fields[p->missing].name, w->fullname);
    }
    /* The pair table may move while nested records are decoded: keep what is needed. */
    const int *wmap = p->wmap;
    json_t *const *defaults = p->defaults;
    const size_t *default_cost = p->default_cost;
    json_t *small[16];
    json_t **vals = r->n_fields <= 16 ? small : calloc(r->n_fields, sizeof *vals);
    if (!vals) {
        json_decref(obj);
        return SL_NOMEM;
    }
    memset(vals, 0, r->n_fields * sizeof *vals);
    for (size_t i = 0; i < w->n_fields && rc == SL_OK; i++) {
        int j = wmap[i];
        if (j < 0)
            rc = sl_avro_dt_skip(d, w->fields[i].type);
        else
            rc = dec(c, w->fields[i].type, r->fields[j].type, &vals[j]);
        if (rc) sl_avro_dt_trail(d, rc, SL_AVRO_SEG_FIELD, i);
    }
    for (size_t j = 0; j < r->n_fields && rc == SL_OK; j++) {
        json_t *v = vals[j];
        vals[j] = NULL;
        if (!v) {
            c->defaults_used += default_cost[j];
            if (c->defaults_used > DEFAULTS_BUDGET) {
                rc = sl_avro_dt_fail(d, "reader defaults add up to more than %u bytes",
                                     DEFAULTS_BUDGET);
                break;
            }
            v = json_deep_copy(defaults[j]);
            if (!v) {
                rc = SL_NOMEM;
                break;
            }
        }
        if (json_object_set_new_nocheck(obj, r->fields[j].name, v) != 0) rc = SL_NOMEM;
    }
    for (size_t j = 0; j < r->n_fields; j++)
        if (vals[j]) json_decref(vals[j]);
    if (vals != small) free(vals);
    if (rc) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return SL_OK;
}

static int dec_blocks(rctx_t *c, const sl_avro_node_t *w, const sl_avro_node_t *r, json_t **out)
{
    sl_avro_dctx_t *d = c->d;
    int is_map = w->kind == SL_AVRO_MAP;
    json_t *res = is_map ? json_object() : json_array();
    if (!res) return SL_NOMEM;
    size_t index = 0;
    int rc = SL_OK;
    for (;;) {
        int64_t count, size;
        if ((rc = sl_avro_dt_block(d, w->items, is_map, &count, &size)) != SL_OK) break;
        if (count == 0) break;
        const uint8_t *start = d->p;
        for (int64_t k = 0; k < count && rc == SL_OK; k++, index++) {
            const uint8_t *key = NULL;
            size_t kl = 0;
            if (is_map && (rc = sl_avro_dt_string(d, &key, &kl, "map key")) != SL_OK) {
                sl_avro_dt_trail(d, rc, SL_AVRO_SEG_KEY, 0);
                sl_avro_dt_trail(d, rc, SL_AVRO_SEG_VALUE, index);
                break;
            }
            json_t *v = NULL;
            if ((rc = dec(c, w->items, r->items, &v)) != SL_OK) {
                sl_avro_dt_trail(d, rc, is_map ? SL_AVRO_SEG_VALUE : SL_AVRO_SEG_ITEM, index);
                break;
            }
            int bad = is_map ? json_object_setn_new_nocheck(res, (const char *)key, kl, v)
                             : json_array_append_new(res, v);
            if (bad) rc = SL_NOMEM;
        }
        if (rc == SL_OK) rc = sl_avro_dt_block_end(d, start, size, is_map);
        if (rc) break;
    }
    if (rc) {
        json_decref(res);
        return rc;
    }
    *out = res;
    return SL_OK;
}

static int dec(rctx_t *c, const sl_avro_node_t *w, const sl_avro_node_t *r, json_t **out)
{
    sl_avro_dctx_t *d = c->d;
    int rc;
    if (w->kind == SL_AVRO_UNION || r->kind == SL_AVRO_UNION || w->kind == SL_AVRO_RECORD ||
        w->kind == SL_AVRO_ARRAY || w->kind == SL_AVRO_MAP) {
        if (d->depth >= SL_AVRO_DATUM_MAX_DEPTH)
            return sl_avro_dt_fail(d, "values nested deeper than %d levels",
                                   SL_AVRO_DATUM_MAX_DEPTH);
        d->depth++;
        if (w->kind == SL_AVRO_UNION) {
            int32_t idx;
            rc = sl_avro_dt_int(d, &idx, "a union branch index");
            if (rc == SL_OK && (idx < 0 || (size_t)idx >= w->n_branches))
                rc = sl_avro_dt_fail(d, "union branch %d out of range (%zu branches)", (int)idx,
                                     w->n_branches);
            if (rc == SL_OK) {
                rc = w == r ? dec_branch(c, w->branches[idx], r, (size_t)idx, out)
                            : dec(c, w->branches[idx], r, out);
            }
        } else if (r->kind == SL_AVRO_UNION) {
            int j = pick_branch(r, w);
            if (j < 0)
                rc = sl_avro_dt_fail(d, "writer's %s matches no branch of the reader's union",
                                     type_label(w));
            else
                rc = dec_branch(c, w, r, (size_t)j, out);
        } else if (w->kind != r->kind) {
            rc = sl_avro_dt_fail(d, "writer's %s cannot be read as %s", type_label(w),
                                 type_label(r));
        } else if (w->kind == SL_AVRO_RECORD) {
            rc = dec_record(c, w, r, out);
        } else {
            rc = dec_blocks(c, w, r, out);
        }
        d->depth--;
        return rc;
    }
    if (w->kind != r->kind) return dec_promoted(c, w, r, out);
    switch (w->kind) {
    case SL_AVRO_NULL:
        *out = json_null();
        return SL_OK;
    case SL_AVRO_BOOLEAN:
        if (d->p >= d->end) return sl_avro_dt_fail(d, "data ends inside a boolean");
        if (*d->p > 1) return sl_avro_dt_fail(d, "boolean byte %u is neither 0 nor 1", *d->p);
        *out = json_boolean(*d->p++);
        return SL_OK;
    case SL_AVRO_INT: {
        int32_t x;
        if ((rc = sl_avro_dt_int(d, &x, "an int")) != SL_OK) return rc;
        *out = json_integer(x);
        break;
    }
    case SL_AVRO_LONG: {
        int64_t x;
        if ((rc = sl_avro_dt_long(d, &x, "a long")) != SL_OK) return rc;
        *out = json_integer(x);
        break;
    }
    case SL_AVRO_FLOAT:
        if (d->end - d->p < 4) return sl_avro_dt_fail(d, "data ends inside a float");
        *out = sl_avro_json_double((double)sl_avro_dt_float_at(d->p));
        d->p += 4;
        break;
    case SL_AVRO_DOUBLE:
        if (d->end - d->p < 8) return sl_avro_dt_fail(d, "data ends inside a double");
        *out = sl_avro_json_double(sl_avro_dt_double_at(d->p));
        d->p += 8;
        break;
    case SL_AVRO_STRING: {
        const uint8_t *s;
        size_t n;
        if ((rc = sl_avro_dt_string(d, &s, &n, "string")) != SL_OK) return rc;
        *out = json_stringn_nocheck((const char *)s, n);
        break;
    }
    case SL_AVRO_BYTES: {
        size_t n;
        if ((rc = sl_avro_dt_len(d, &n, "bytes")) != SL_OK) return rc;
        const uint8_t *p = d->p;
        d->p += n;
        return sl_avro_json_bytes(d, r, c->shape, p, n, out);
    }
    case SL_AVRO_FIXED: {
        if (w != r && (!names_match(r, w) || r->size != w->size))
            return sl_avro_dt_fail(d,
                                   "writer's fixed '%s' (%d bytes) cannot be read as fixed "
                                   "'%s' (%d bytes)",
                                   w->fullname, (int)w->size, r->fullname, (int)r->size);
        if ((uint64_t)(d->end - d->p) < (uint64_t)w->size)
            return sl_avro_dt_fail(d, "data ends inside fixed '%s' (%d bytes)", w->fullname,
                                   (int)w->size);
        const uint8_t *p = d->p;
        d->p += w->size;
        return sl_avro_json_bytes(d, r, c->shape, p, (size_t)w->size, out);
    }
    case SL_AVRO_ENUM: {
        if (w != r && !names_match(r, w))
            return sl_avro_dt_fail(d,
                                   "writer's enum '%s' cannot be read as enum '%s' (names "
                                   "differ)",
                                   w->fullname, r->fullname);
        int32_t idx;
        if ((rc = sl_avro_dt_int(d, &idx, "an enum index")) != SL_OK) return rc;
        if (idx < 0 || (size_t)idx >= w->n_symbols)
            return sl_avro_dt_fail(d, "enum index %d out of range (%zu symbols)", (int)idx,
                                   w->n_symbols);
        const char *sym = w->symbols[idx];
        if (w != r) {
            size_t j = 0;
            while (j < r->n_symbols && strcmp(r->symbols[j], sym) != 0)
                j++;
            if (j == r->n_symbols) {
                if (r->enum_default < 0)
                    return sl_avro_dt_fail(d,
                                           "symbol '%s' is not in the reader's enum '%s', which "
                                           "has no default",
                                           sym, r->fullname);
                j = (size_t)r->enum_default;
            }
            sym = r->symbols[j];
        }
        *out = json_string(sym);
        break;
    }
    default:
        return sl_avro_dt_fail(d, "unexpected type");
    }
    return *out ? SL_OK : SL_NOMEM;
}

/* ---- public ---- */

static int decode_impl(const sl_avro_node_t *r, const sl_avro_node_t *w, const uint8_t *buf,
                       size_t len, unsigned flags, json_t **out, char *err, size_t err_size)
{
    *out = NULL;
    sl_avro_dctx_t d;
    d.p = buf ? buf : (const uint8_t *)"";
    d.end = d.p + (buf ? len : 0);
    d.depth = 0;
    d.empty_items = 0;
    d.n_trail = 0;
    d.msg[0] = '\0';
    rctx_t c = {.d = &d, .shape = flags & SL_AVRO_JSON_PLAIN};
    json_t *v = NULL;
    int rc;
    if (flags & ~SL_AVRO_JSON_PLAIN)
        rc = sl_avro_dt_fail(&d, "unknown flags 0x%x", flags);
    else
        rc = dec(&c, w, r, &v);
    if (rc == SL_OK && d.p != d.end)
        rc = sl_avro_dt_fail(&d, "%zu trailing bytes after the datum", (size_t)(d.end - d.p));
    for (size_t i = 0; i < c.n_pairs; i++)
        pair_free(&c.pairs[i]);
    free(c.pairs);
    if (rc != SL_OK) {
        if (v) json_decref(v);
        sl_avro_dt_report(&d, rc, err, err_size);
        return rc;
    }
    if (err && err_size) err[0] = '\0';
    *out = v;
    return SL_OK;
}

int sl_avro_decode(const sl_avro_schema_t *schema, const uint8_t *buf, size_t len, unsigned flags,
                   json_t **out, char *err, size_t err_size)
{
    return decode_impl(schema->root, schema->root, buf, len, flags, out, err, err_size);
}

int sl_avro_decode_resolved(const sl_avro_schema_t *reader, const sl_avro_schema_t *writer,
                            const uint8_t *buf, size_t len, unsigned flags, json_t **out, char *err,
                            size_t err_size)
{
    return decode_impl(reader->root, writer->root, buf, len, flags, out, err, err_size);
}
