/*
 * avro_schema.c — Avro schemas: parse and validate JSON schema text, build the node graph of
 * serde_int.h, produce the Parsing Canonical Form (PCF) and its CRC-64-AVRO fingerprint.
 *
 * Why our own walker over jansson rather than avro-c's avro_schema_from_json: avro-c 1.11
 * accepts schemas the specification forbids (duplicate field names and enum symbols,
 * duplicate union branches, invalid namespaces, negative fixed sizes, records named after
 * primitives, defaults of the wrong type) and has no canonical form; PCF needs every name
 * resolved to its full name exactly as the specification says, which is the same walk as
 * validation. So one walk does both, and the registry's 422 messages can carry a JSON path.
 *
 * Name resolution (specification, "Names"):
 *   - a name containing a dot is a full name; any "namespace" beside it is ignored;
 *   - otherwise the namespace is the "namespace" attribute if present ("" = null namespace),
 *     else the namespace of the most tightly enclosing named type;
 *   - a reference without a dot is looked up in the enclosing namespace, then (like Apache
 *     Avro's Java parser, which Confluent's registry uses) in the null namespace;
 *   - a name must be defined before use (depth-first, left to right) and only once.
 *
 * Canonical form, as the specification's transformations produce it:
 *   primitive            "int"
 *   record / error       {"name":"<full>","type":"record","fields":[{"name":"f","type":T},...]}
 *                        ("error" is written "record", as Java's normaliser does)
 *   enum                 {"name":"<full>","type":"enum","symbols":["A",...]}
 *   fixed                {"name":"<full>","type":"fixed","size":16}
 *   array / map          {"type":"array","items":T}   {"type":"map","values":T}
 *   union                [T,...]
 *   named, seen before   "<full>"
 * The first time a named type is met in the depth-first walk is always its definition (names
 * must be defined before use), so emitting a definition on first sight and the bare name
 * afterwards reproduces the specification's output.
 *
 * Bounds (serde.h): nesting depth, full-name length, canonical size, and a work budget for
 * default-value checks (recursive record defaults could otherwise loop or go exponential).
 */
#include "serde/serde_int.h"

#include "common/buf.h"
#include "common/err.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Steps of default-value checking allowed per schema (each JSON value visited is a step). */
#define DEFAULT_BUDGET 1000000L
/* Longest JSON path kept for messages; longer paths are cut (the message still says what). */
#define PATH_MAX_LEN 240
/* Longest piece of the input quoted in a message. */
#define SHOW_MAX 64
/* Deepest nesting of the canonical form (only schemas with references get beyond
 * SL_AVRO_MAX_DEPTH). */
#define EMIT_MAX_DEPTH 4096

static const char *const kind_names[] = {
    [SL_AVRO_NULL] = "null",   [SL_AVRO_BOOLEAN] = "boolean", [SL_AVRO_INT] = "int",
    [SL_AVRO_LONG] = "long",   [SL_AVRO_FLOAT] = "float",     [SL_AVRO_DOUBLE] = "double",
    [SL_AVRO_BYTES] = "bytes", [SL_AVRO_STRING] = "string",   [SL_AVRO_RECORD] = "record",
    [SL_AVRO_ENUM] = "enum",   [SL_AVRO_ARRAY] = "array",     [SL_AVRO_MAP] = "map",
    [SL_AVRO_UNION] = "union", [SL_AVRO_FIXED] = "fixed",
};

/* One defined named type. */
typedef struct name_ent_s {
    const char *name;     /* borrowed from node->fullname; NULL marks an empty slot */
    sl_avro_node_t *node; /* the definition */
    int emitted;          /* canonical form already holds its definition */
    int foreign;          /* node belongs to a referenced schema and has not been copied into
                             this one yet (sl_avro_schema_parse_refs; see import_named) */
} name_ent_t;

/* A field default, checked once the whole schema is known (recursive types need that). */
typedef struct pending_s {
    sl_avro_field_t *field; /* borrowed; fields arrays are never reallocated */
    char *path;             /* owned; JSON path of the field, for the message */
} pending_t;

/* Parser state for one sl_avro_schema_parse call. */
typedef struct pctx_s {
    sl_avro_schema_t *s;            /* the schema being built */
    name_ent_t *names;              /* owned open-addressing table of defined names */
    size_t n_names;                 /* used slots */
    size_t cap_names;               /* slots, a power of two (0 before the first insert) */
    pending_t *pend;                /* owned; defaults to check */
    size_t n_pend;                  /* entries used */
    size_t cap_pend;                /* entries allocated */
    char path[PATH_MAX_LEN + 1];    /* JSON path of the part being parsed, "" at top level */
    size_t path_len;                /* strlen(path) */
    char *err;                      /* caller's message buffer (may be NULL) */
    size_t err_size;                /* its size */
    int depth;                      /* current schema nesting */
    long budget;                    /* remaining default-check steps */
    char show_buf[2][SHOW_MAX + 4]; /* quoted pieces of input for the message */
    int show_i;                     /* next show_buf to use */
    sl_avro_node_t **work;          /* owned; copied nodes whose children are still foreign */
    size_t n_work;                  /* entries used */
    size_t cap_work;                /* entries allocated */
} pctx_t;

/* ---- messages and paths ---- */

static int fail(pctx_t *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Formats "path: message" into the caller's buffer, printable ASCII only. Returns status. */
static int fail(pctx_t *c, int status, const char *fmt, ...)
{
    if (!c->err || c->err_size == 0) return status;
    size_t off = 0;
    if (c->path_len > 0) {
        int k = snprintf(c->err, c->err_size, "%s: ", c->path);
        off = k < 0 ? 0 : (size_t)k;
        if (off >= c->err_size) off = c->err_size - 1;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + off, c->err_size - off, fmt, ap);
    va_end(ap);
    for (char *p = c->err; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) *p = '?';
    return status;
}

/* A piece of untrusted input, shortened for a message (sanitised later by fail). */
static const char *show(pctx_t *c, const char *s)
{
    char *b = c->show_buf[c->show_i];
    c->show_i = (c->show_i + 1) % 2;
    size_t n = strlen(s);
    if (n <= SHOW_MAX) {
        memcpy(b, s, n + 1);
    } else {
        memcpy(b, s, SHOW_MAX);
        memcpy(b + SHOW_MAX, "...", 4);
    }
    return b;
}

/* Appends a path segment ("fields[2]", "type", "[1]"); returns the mark to restore. */
static size_t path_push(pctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t path_push(pctx_t *c, const char *fmt, ...)
{
    size_t mark = c->path_len;
    char seg[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(seg, sizeof seg, fmt, ap);
    va_end(ap);
    int k = snprintf(c->path + c->path_len, sizeof c->path - c->path_len, "%s%s",
                     (c->path_len > 0 && seg[0] != '[') ? "." : "", seg);
    if (k > 0) c->path_len += (size_t)k;
    if (c->path_len > PATH_MAX_LEN) c->path_len = PATH_MAX_LEN;
    return mark;
}

static void path_pop(pctx_t *c, size_t mark)
{
    c->path_len = mark;
    c->path[mark] = '\0';
}

static const char *json_kind(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* ---- names ---- */

static int primitive_kind(const char *s)
{
    for (int k = SL_AVRO_NULL; k <= SL_AVRO_STRING; k++)
        if (strcmp(s, kind_names[k]) == 0) return k;
    return -1;
}

/* [A-Za-z_][A-Za-z0-9_]* over s[0..n) */
static int valid_name(const char *s, size_t n)
{
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        int alpha = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_';
        if (!alpha && !(i > 0 && ch >= '0' && ch <= '9')) return 0;
    }
    return 1;
}

/* <name>(.<name>)* */
static int valid_dotted(const char *s)
{
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        if (!valid_name(s, n)) return 0;
        if (!dot) return 1;
        s = dot + 1;
    }
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static name_ent_t *names_find(pctx_t *c, const char *name)
{
    if (c->cap_names == 0) return NULL;
    size_t mask = c->cap_names - 1;
    for (size_t i = (size_t)name_hash(name) & mask;; i = (i + 1) & mask) {
        if (!c->names[i].name) return NULL;
        if (strcmp(c->names[i].name, name) == 0) return &c->names[i];
    }
}

static int names_add(pctx_t *c, sl_avro_node_t *node)
{
    if ((c->n_names + 1) * 2 > c->cap_names) {
        size_t ncap = c->cap_names ? c->cap_names * 2 : 16;
        name_ent_t *nt = calloc(ncap, sizeof *nt);
        if (!nt) return SL_NOMEM;
        for (size_t i = 0; i < c->cap_names; i++) {
            if (!c->names[i].name) continue;
            size_t j = (size_t)name_hash(c->names[i].name) & (ncap - 1);
            while (nt[j].name)
                j = (j + 1) & (ncap - 1);
            nt[j] = c->names[i];
        }
        free(c->names);
        c->names = nt;
        c->cap_names = ncap;
    }
    size_t mask = c->cap_names - 1;
    size_t i = (size_t)name_hash(node->fullname) & mask;
    while (c->names[i].name)
        i = (i + 1) & mask;
    c->names[i].name = node->fullname;
    c->names[i].node = node;
    c->names[i].emitted = 0;
    c->names[i].foreign = 0;
    c->n_names++;
    return SL_OK;
}

/* Resolves a reference to a defined named type (see the file comment); NULL if none. */
static name_ent_t *names_resolve(pctx_t *c, const char *ref, const char *ns)
{
    name_ent_t *e;
    if (strchr(ref, '.') || ns[0] == '\0') return names_find(c, ref);
    size_t nl = strlen(ns), rl = strlen(ref);
    if (nl + 1 + rl <= SL_AVRO_MAX_NAME) {
        char full[SL_AVRO_MAX_NAME + 1];
        memcpy(full, ns, nl);
        full[nl] = '.';
        memcpy(full + nl + 1, ref, rl + 1);
        if ((e = names_find(c, full)) != NULL) return e;
    }
    return names_find(c, ref);
}

/* ---- duplicates ---- */

typedef struct keyed_s {
    const char *key; /* borrowed */
    size_t idx;      /* position in the declaration */
} keyed_t;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed_t *x = a, *y = b;
    int r = strcmp(x->key, y->key);
    if (r) return r;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Finds a repeated key among keys[0..n) in O(n log n). Returns 1 and the positions of the
 * first and the second occurrence of the earliest-declared repeat, 0 when all differ,
 * SL_NOMEM.
 */
static int find_dup(const char *const *keys, size_t n, size_t *first, size_t *second)
{
    if (n < 2) return 0;
    keyed_t *k = malloc(n * sizeof *k);
    if (!k) return SL_NOMEM;
    for (size_t i = 0; i < n; i++) {
        k[i].key = keys[i];
        k[i].idx = i;
    }
    qsort(k, n, sizeof *k, keyed_cmp);
    int found = 0;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(k[i - 1].key, k[i].key) != 0) continue;
        if (!found || k[i].idx < *second) {
            *first = k[i - 1].idx;
            *second = k[i].idx;
            found = 1;
        }
    }
    free(k);
    return found;
}

/* ---- nodes ---- */

static int new_node(pctx_t *c, sl_avro_kind_t kind, sl_avro_node_t **out)
{
    sl_avro_schema_t *s = c->s;
    if (s->n_nodes == s->cap_nodes) {
        size_t ncap = s->cap_nodes ? s->cap_nodes * 2 : 16;
        sl_avro_node_t **nn = realloc(s->nodes, ncap * sizeof *nn);
        if (!nn) return SL_NOMEM;
        s->nodes = nn;
        s->cap_nodes = ncap;
    }
    sl_avro_node_t *n = calloc(1, sizeof *n);
    if (!n) return SL_NOMEM;
    n->kind = kind;
    n->enum_default = -1;
    s->nodes[s->n_nodes++] = n;
    *out = n;
    return SL_OK;
}

static void free_node(sl_avro_node_t *n)
{
    free(n->fullname);
    free(n->logical_type);
    if (n->aliases) json_decref(n->aliases);
    for (size_t i = 0; i < n->n_fields; i++) {
        free(n->fields[i].name);
        if (n->fields[i].default_value) json_decref(n->fields[i].default_value);
        if (n->fields[i].aliases) json_decref(n->fields[i].aliases);
    }
    free(n->fields);
    for (size_t i = 0; i < n->n_symbols; i++)
        free(n->symbols[i]);
    free(n->symbols);
    free(n->branches);
    free(n->field_slots);
    free(n);
}

void sl_avro_schema_free(sl_avro_schema_t *schema)
{
    if (!schema) return;
    for (size_t i = 0; i < schema->n_nodes; i++)
        free_node(schema->nodes[i]);
    free(schema->nodes);
    free(schema->canonical);
    free(schema);
}

/* Optional "aliases": a JSON array of strings (any strings: the specification allows that). */
static int take_aliases(pctx_t *c, json_t *obj, json_t **out)
{
    json_t *a = json_object_get(obj, "aliases");
    if (!a) return SL_OK;
    if (!json_is_array(a)) return fail(c, SL_INVAL, "'aliases' must be an array of strings");
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v)) return fail(c, SL_INVAL, "'aliases' must be an array of strings");
    }
    *out = json_incref(a);
    return SL_OK;
}

/* "precision"/"scale" of a decimal: see serde_int.h for the encoding of absent/malformed. */
static int32_t take_decimal_attr(json_t *obj, const char *key, json_int_t min)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > INT32_MAX)
        return -1;
    return (int32_t)json_integer_value(v);
}

static int take_logical_type(pctx_t *c, json_t *obj, sl_avro_node_t *n)
{
    json_t *lt = json_object_get(obj, "logicalType");
    /* Unknown or malformed logical types are ignored, as the specification requires. */
    if (!json_is_string(lt)) return SL_OK;
    n->logical_type = strdup(json_string_value(lt));
    if (!n->logical_type) return SL_NOMEM;
    /* Kept for decimal; whether the logical type is valid is decided by sl_avro_data_prepare
     * once the node is complete (a fixed's size comes later). */
    n->precision = take_decimal_attr(obj, "precision", 1);
    n->scale = take_decimal_attr(obj, "scale", 0);
    return SL_OK;
}

/* ---- schema references ---- */

/*
 * Named types of referenced schemas (sl_avro_schema_parse_refs) enter the name table as
 * "foreign" entries pointing into the referenced schema. The first use of such a name copies
 * the type into the schema being parsed (import_named), so the result never borrows from
 * its references; the copy's children are copied too, through a work list rather than
 * recursion (chains of references may be long). Named children map to the name table's entry
 * for their full name, so each named type is copied once and cycles are preserved.
 */

static int work_push(pctx_t *c, sl_avro_node_t *n)
{
    if (c->n_work == c->cap_work) {
        size_t ncap = c->cap_work ? c->cap_work * 2 : 16;
        sl_avro_node_t **nw = realloc(c->work, ncap * sizeof *nw);
        if (!nw) return SL_NOMEM;
        c->work = nw;
        c->cap_work = ncap;
    }
    c->work[c->n_work++] = n;
    return SL_OK;
}

static char *dup_or_null(const char *s, int *nomem)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) *nomem = 1;
    return d;
}

/* A copy of foreign node f whose child pointers still point into f's schema (fixed up later). */
static int copy_shallow(pctx_t *c, const sl_avro_node_t *f, sl_avro_node_t **out)
{
    sl_avro_node_t *n;
    int rc = new_node(c, f->kind, &n);
    if (rc) return rc;
    int nomem = 0;
    n->fullname = dup_or_null(f->fullname, &nomem);
    n->logical_type = dup_or_null(f->logical_type, &nomem);
    n->aliases = f->aliases ? json_incref(f->aliases) : NULL;
    n->is_error = f->is_error;
    n->enum_default = f->enum_default;
    n->items = f->items;
    n->size = f->size;
    n->precision = f->precision;
    n->scale = f->scale;
    if (f->n_fields || f->kind == SL_AVRO_RECORD) {
        n->fields = calloc(f->n_fields ? f->n_fields : 1, sizeof *n->fields);
        if (!n->fields) return SL_NOMEM;
        for (size_t i = 0; i < f->n_fields; i++) {
            sl_avro_field_t *d = &n->fields[i];
            const sl_avro_field_t *sf = &f->fields[i];
            d->name = dup_or_null(sf->name, &nomem);
            d->type = sf->type;
            d->default_value = sf->default_value ? json_incref(sf->default_value) : NULL;
            d->aliases = sf->aliases ? json_incref(sf->aliases) : NULL;
            d->order = sf->order;
            n->n_fields++;
        }
    }
    if (f->kind == SL_AVRO_ENUM) {
        n->symbols = calloc(f->n_symbols ? f->n_symbols : 1, sizeof *n->symbols);
        if (!n->symbols) return SL_NOMEM;
        for (size_t i = 0; i < f->n_symbols; i++) {
            n->symbols[i] = dup_or_null(f->symbols[i], &nomem);
            n->n_symbols++;
        }
    }
    if (f->kind == SL_AVRO_UNION) {
        n->branches = calloc(f->n_branches ? f->n_branches : 1, sizeof *n->branches);
        if (!n->branches) return SL_NOMEM;
        memcpy(n->branches, f->branches, f->n_branches * sizeof *n->branches);
        n->n_branches = f->n_branches;
    }
    if (nomem) return SL_NOMEM;
    *out = n;
    return work_push(c, n);
}

/* The local node standing for foreign node f: the imported copy of a named type, or a fresh
 * copy of an unnamed one. */
static int import_node(pctx_t *c, sl_avro_node_t *f, sl_avro_node_t **out)
{
    if (!f->fullname) return copy_shallow(c, f, out);
    name_ent_t *e = names_find(c, f->fullname);
    if (!SL_ALWAYS(e)) return SL_INVAL; /* every named type of a reference is registered */
    if (e->foreign) {
        sl_avro_node_t *n;
        int rc = copy_shallow(c, e->node, &n);
        if (rc) return rc;
        e->node = n;
        e->name = n->fullname;
        e->foreign = 0;
    }
    *out = e->node;
    return SL_OK;
}

/* Copies the foreign type of entry e, and everything it reaches, into the schema. */
static int import_named(pctx_t *c, name_ent_t *e)
{
    sl_avro_node_t *ignored;
    int rc = import_node(c, e->node, &ignored);
    while (rc == SL_OK && c->n_work > 0) {
        sl_avro_node_t *n = c->work[--c->n_work];
        for (size_t i = 0; i < n->n_fields && rc == SL_OK; i++)
            rc = import_node(c, n->fields[i].type, &n->fields[i].type);
        for (size_t i = 0; i < n->n_branches && rc == SL_OK; i++)
            rc = import_node(c, n->branches[i], &n->branches[i]);
        if (n->items && rc == SL_OK) rc = import_node(c, n->items, &n->items);
    }
    return rc;
}

static int json_same(const json_t *a, const json_t *b)
{
    if (!a || !b) return a == b;
    return json_equal((json_t *)a, (json_t *)b);
}

/*
 * Whether two definitions of the same full name (from two references) are identical: all
 * attributes Sluice keeps, with named children compared by full name (each of those is
 * compared on its own when its name is registered). depth bounds the walk over the unnamed
 * types inside one definition.
 */
static int same_def(const sl_avro_node_t *a, const sl_avro_node_t *b, int top, int depth)
{
    if (depth > SL_AVRO_MAX_DEPTH * 2) return 0;
    if (a->kind != b->kind) return 0;
    if ((a->fullname == NULL) != (b->fullname == NULL)) return 0;
    if (a->fullname) {
        if (strcmp(a->fullname, b->fullname) != 0) return 0;
        if (!top) return 1;
    }
    if ((a->logical_type == NULL) != (b->logical_type == NULL)) return 0;
    if (a->logical_type && strcmp(a->logical_type, b->logical_type) != 0) return 0;
    if (a->is_error != b->is_error || a->size != b->size || a->enum_default != b->enum_default ||
        a->precision != b->precision || a->scale != b->scale || !json_same(a->aliases, b->aliases))
        return 0;
    if (a->n_fields != b->n_fields || a->n_symbols != b->n_symbols ||
        a->n_branches != b->n_branches || (a->items == NULL) != (b->items == NULL))
        return 0;
    for (size_t i = 0; i < a->n_fields; i++) {
        const sl_avro_field_t *x = &a->fields[i], *y = &b->fields[i];
        if (strcmp(x->name, y->name) != 0 || x->order != y->order ||
            !json_same(x->default_value, y->default_value) || !json_same(x->aliases, y->aliases) ||
            !same_def(x->type, y->type, 0, depth + 1))
            return 0;
    }
    for (size_t i = 0; i < a->n_symbols; i++)
        if (strcmp(a->symbols[i], b->symbols[i]) != 0) return 0;
    for (size_t i = 0; i < a->n_branches; i++)
        if (!same_def(a->branches[i], b->branches[i], 0, depth + 1)) return 0;
    if (a->items && !same_def(a->items, b->items, 0, depth + 1)) return 0;
    return 1;
}

/* Registers every named type of the referenced schemas as a foreign entry. */
static int add_ref_names(pctx_t *c, const sl_avro_schema_t *const *refs, size_t n_refs)
{
    for (size_t r = 0; r < n_refs; r++) {
        if (!refs[r]) return fail(c, SL_INVAL, "reference %zu is NULL", r);
        for (size_t i = 0; i < refs[r]->n_nodes; i++) {
            sl_avro_node_t *n = refs[r]->nodes[i];
            if (!n->fullname) continue;
            name_ent_t *e = names_find(c, n->fullname);
            if (e) {
                if (e->node == n || same_def(e->node, n, 1, 0)) continue;
                return fail(c, SL_INVAL, "references define '%s' in two different ways",
                            show(c, n->fullname));
            }
            int rc = names_add(c, n);
            if (rc) return rc;
            e = names_find(c, n->fullname);
            e->foreign = 1;
        }
    }
    return SL_OK;
}

/* ---- the walk ---- */

static int parse_schema(pctx_t *c, json_t *j, const char *ns, sl_avro_node_t **out);

/* A type named by a string: a primitive or a named type defined earlier. */
static int parse_ref(pctx_t *c, const char *ref, const char *ns, sl_avro_node_t **out)
{
    int k = primitive_kind(ref);
    if (k >= 0) return new_node(c, (sl_avro_kind_t)k, out);
    name_ent_t *e = names_resolve(c, ref, ns);
    if (!e) return fail(c, SL_INVAL, "unknown type '%s'", show(c, ref));
    if (e->foreign) {
        int rc = import_named(c, e);
        if (rc) return rc;
    }
    *out = e->node;
    return SL_OK;
}

static int parse_union(pctx_t *c, json_t *j, const char *ns, sl_avro_node_t **out)
{
    sl_avro_node_t *u;
    int rc = new_node(c, SL_AVRO_UNION, &u);
    if (rc) return rc;
    size_t n = json_array_size(j);
    u->branches = calloc(n ? n : 1, sizeof *u->branches);
    if (!u->branches) return SL_NOMEM;
    for (size_t i = 0; i < n; i++) {
        json_t *b = json_array_get(j, i);
        size_t mark = path_push(c, "[%zu]", i);
        if (json_is_array(b))
            return fail(c, SL_INVAL, "a union may not immediately contain another union");
        if ((rc = parse_schema(c, b, ns, &u->branches[i])) != SL_OK) return rc;
        u->n_branches++;
        path_pop(c, mark);
    }
    /* One branch per type; named types count by full name (like Java's parser, which keys
     * unnamed types by their type name). */
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys) return SL_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const sl_avro_node_t *b = u->branches[i];
        keys[i] = b->fullname ? b->fullname : kind_names[b->kind];
    }
    size_t first = 0, second = 0;
    rc = find_dup(keys, n, &first, &second);
    free(keys);
    if (rc < 0) return rc;
    if (rc > 0) {
        path_push(c, "[%zu]", second);
        const sl_avro_node_t *b = u->branches[second];
        return fail(c, SL_INVAL, "union already contains type '%s' (at [%zu])",
                    show(c, b->fullname ? b->fullname : kind_names[b->kind]), first);
    }
    *out = u;
    return SL_OK;
}

/*
 * The name of a record, enum or fixed: computes its full name, checks it, and registers the
 * new node under it (before any field is parsed, so a record can refer to itself).
 */
static int parse_named(pctx_t *c, json_t *j, sl_avro_kind_t kind, const char *what, const char *ns,
                       sl_avro_node_t **out)
{
    json_t *jn = json_object_get(j, "name");
    if (!jn) return fail(c, SL_INVAL, "%s has no 'name'", what);
    if (!json_is_string(jn))
        return fail(c, SL_INVAL, "%s 'name' must be a string, not %s", what, json_kind(jn));
    const char *name = json_string_value(jn);
    const char *space = "";
    if (strchr(name, '.')) {
        if (!valid_dotted(name)) return fail(c, SL_INVAL, "invalid name '%s'", show(c, name));
    } else {
        if (!valid_name(name, strlen(name)))
            return fail(c, SL_INVAL, "invalid name '%s' (must match [A-Za-z_][A-Za-z0-9_]*)",
                        show(c, name));
        json_t *jns = json_object_get(j, "namespace");
        if (jns && !json_is_null(jns)) {
            if (!json_is_string(jns))
                return fail(c, SL_INVAL, "'namespace' must be a string, not %s", json_kind(jns));
            space = json_string_value(jns);
            if (space[0] && !valid_dotted(space))
                return fail(c, SL_INVAL, "invalid namespace '%s'", show(c, space));
        } else {
            space = ns;
        }
    }
    const char *simple = strrchr(name, '.');
    simple = simple ? simple + 1 : name;
    if (primitive_kind(simple) >= 0)
        return fail(c, SL_INVAL, "%s may not be named after the primitive type '%s'", what, simple);
    size_t sl = strlen(space), nl = strlen(name);
    if ((sl ? sl + 1 : 0) + nl > SL_AVRO_MAX_NAME)
        return fail(c, SL_TOOBIG, "full name longer than %d bytes", SL_AVRO_MAX_NAME);
    char *full = malloc(sl + 1 + nl + 1);
    if (!full) return SL_NOMEM;
    if (sl)
        sprintf(full, "%s.%s", space, name);
    else
        memcpy(full, name, nl + 1);
    if (names_find(c, full)) {
        int rc = fail(c, SL_INVAL, "redefinition of '%s'", show(c, full));
        free(full);
        return rc;
    }
    sl_avro_node_t *n;
    int rc = new_node(c, kind, &n);
    if (rc) {
        free(full);
        return rc;
    }
    n->fullname = full;
    if ((rc = names_add(c, n)) != SL_OK) return rc;
    if ((rc = take_aliases(c, j, &n->aliases)) != SL_OK) return rc;
    if ((rc = take_logical_type(c, j, n)) != SL_OK) return rc;
    *out = n;
    return SL_OK;
}

static int add_pending(pctx_t *c, sl_avro_field_t *f)
{
    if (c->n_pend == c->cap_pend) {
        size_t ncap = c->cap_pend ? c->cap_pend * 2 : 8;
        pending_t *np = realloc(c->pend, ncap * sizeof *np);
        if (!np) return SL_NOMEM;
        c->pend = np;
        c->cap_pend = ncap;
    }
    char *p = strdup(c->path);
    if (!p) return SL_NOMEM;
    c->pend[c->n_pend].field = f;
    c->pend[c->n_pend].path = p;
    c->n_pend++;
    return SL_OK;
}

static int parse_field(pctx_t *c, json_t *jf, const char *ns, sl_avro_field_t *f)
{
    if (!json_is_object(jf))
        return fail(c, SL_INVAL, "a field must be an object, not %s", json_kind(jf));
    json_t *jn = json_object_get(jf, "name");
    if (!jn) return fail(c, SL_INVAL, "field has no 'name'");
    if (!json_is_string(jn))
        return fail(c, SL_INVAL, "field 'name' must be a string, not %s", json_kind(jn));
    const char *name = json_string_value(jn);
    if (!valid_name(name, strlen(name)))
        return fail(c, SL_INVAL, "invalid field name '%s' (must match [A-Za-z_][A-Za-z0-9_]*)",
                    show(c, name));
    if (!(f->name = strdup(name))) return SL_NOMEM;
    json_t *jo = json_object_get(jf, "order");
    if (jo) {
        const char *o = json_is_string(jo) ? json_string_value(jo) : "";
        if (strcmp(o, "ascending") == 0)
            f->order = SL_AVRO_ORDER_ASCENDING;
        else if (strcmp(o, "descending") == 0)
            f->order = SL_AVRO_ORDER_DESCENDING;
        else if (strcmp(o, "ignore") == 0)
            f->order = SL_AVRO_ORDER_IGNORE;
        else
            return fail(c, SL_INVAL,
                        "field '%s': 'order' must be \"ascending\", \"descending\" or \"ignore\"",
                        show(c, name));
    }
    int rc = take_aliases(c, jf, &f->aliases);
    if (rc) return rc;
    json_t *jt = json_object_get(jf, "type");
    if (!jt) return fail(c, SL_INVAL, "field '%s' has no 'type'", show(c, name));
    size_t mark = path_push(c, "type");
    if ((rc = parse_schema(c, jt, ns, &f->type)) != SL_OK) return rc;
    path_pop(c, mark);
    json_t *jd = json_object_get(jf, "default");
    if (jd) {
        f->default_value = json_incref(jd);
        if ((rc = add_pending(c, f)) != SL_OK) return rc;
    }
    return SL_OK;
}

static int parse_record(pctx_t *c, json_t *j, const char *ns, int is_error, sl_avro_node_t **out)
{
    sl_avro_node_t *r;
    int rc = parse_named(c, j, SL_AVRO_RECORD, is_error ? "error" : "record", ns, &r);
    if (rc) return rc;
    r->is_error = is_error;
    json_t *jf = json_object_get(j, "fields");
    if (!jf) return fail(c, SL_INVAL, "record '%s' has no 'fields'", show(c, r->fullname));
    if (!json_is_array(jf))
        return fail(c, SL_INVAL, "record '%s': 'fields' must be an array, not %s",
                    show(c, r->fullname), json_kind(jf));
    size_t n = json_array_size(jf);
    r->fields = calloc(n ? n : 1, sizeof *r->fields);
    if (!r->fields) return SL_NOMEM;
    /* Nested definitions inherit the record's namespace: its full name up to the last dot. */
    const char *dot = strrchr(r->fullname, '.');
    size_t nsl = dot ? (size_t)(dot - r->fullname) : 0;
    char *child_ns = malloc(nsl + 1);
    if (!child_ns) return SL_NOMEM;
    memcpy(child_ns, r->fullname, nsl);
    child_ns[nsl] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t mark = path_push(c, "fields[%zu]", i);
        rc = parse_field(c, json_array_get(jf, i), child_ns, &r->fields[i]);
        /* Count the field even when it failed half-way, so free_node releases its parts. */
        r->n_fields++;
        if (rc) break;
        path_pop(c, mark);
    }
    free(child_ns);
    if (rc) return rc;
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys) return SL_NOMEM;
    for (size_t i = 0; i < n; i++)
        keys[i] = r->fields[i].name;
    size_t first = 0, second = 0;
    rc = find_dup(keys, n, &first, &second);
    free(keys);
    if (rc < 0) return rc;
    if (rc > 0) {
        path_push(c, "fields[%zu]", second);
        return fail(c, SL_INVAL, "duplicate field name '%s' (also fields[%zu])",
                    show(c, r->fields[second].name), first);
    }
    *out = r;
    return SL_OK;
}

static int parse_enum(pctx_t *c, json_t *j, const char *ns, sl_avro_node_t **out)
{
    sl_avro_node_t *e;
    int rc = parse_named(c, j, SL_AVRO_ENUM, "enum", ns, &e);
    if (rc) return rc;
    json_t *js = json_object_get(j, "symbols");
    if (!js) return fail(c, SL_INVAL, "enum '%s' has no 'symbols'", show(c, e->fullname));
    if (!json_is_array(js))
        return fail(c, SL_INVAL, "enum '%s': 'symbols' must be an array of strings, not %s",
                    show(c, e->fullname), json_kind(js));
    size_t n = json_array_size(js);
    e->symbols = calloc(n ? n : 1, sizeof *e->symbols);
    if (!e->symbols) return SL_NOMEM;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(js, i);
        size_t mark = path_push(c, "symbols[%zu]", i);
        if (!json_is_string(v))
            return fail(c, SL_INVAL, "a symbol must be a string, not %s", json_kind(v));
        const char *sym = json_string_value(v);
        if (!valid_name(sym, strlen(sym)))
            return fail(c, SL_INVAL, "invalid symbol '%s' (must match [A-Za-z_][A-Za-z0-9_]*)",
                        show(c, sym));
        if (!(e->symbols[i] = strdup(sym))) return SL_NOMEM;
        e->n_symbols++;
        path_pop(c, mark);
    }
    size_t first = 0, second = 0;
    rc = find_dup((const char *const *)e->symbols, n, &first, &second);
    if (rc < 0) return rc;
    if (rc > 0) {
        path_push(c, "symbols[%zu]", second);
        return fail(c, SL_INVAL, "duplicate symbol '%s' (also symbols[%zu])",
                    show(c, e->symbols[second]), first);
    }
    json_t *jd = json_object_get(j, "default");
    if (jd && !json_is_null(jd)) {
        for (size_t i = 0; json_is_string(jd) && i < n; i++)
            if (strcmp(e->symbols[i], json_string_value(jd)) == 0) e->enum_default = (int)i;
        if (e->enum_default < 0)
            return fail(c, SL_INVAL, "enum '%s': 'default' must be one of its symbols",
                        show(c, e->fullname));
    }
    *out = e;
    return SL_OK;
}

static int parse_fixed(pctx_t *c, json_t *j, const char *ns, sl_avro_node_t **out)
{
    sl_avro_node_t *f;
    int rc = parse_named(c, j, SL_AVRO_FIXED, "fixed", ns, &f);
    if (rc) return rc;
    json_t *js = json_object_get(j, "size");
    if (!js) return fail(c, SL_INVAL, "fixed '%s' has no 'size'", show(c, f->fullname));
    if (!json_is_integer(js))
        return fail(c, SL_INVAL, "fixed '%s': 'size' must be an integer, not %s",
                    show(c, f->fullname), json_kind(js));
    json_int_t v = json_integer_value(js);
    if (v < 0 || v > INT32_MAX)
        return fail(c, SL_INVAL, "fixed '%s': size %lld out of range", show(c, f->fullname),
                    (long long)v);
    f->size = (int32_t)v;
    *out = f;
    return SL_OK;
}

/* "array" (items) or "map" (values). */
static int parse_container(pctx_t *c, json_t *j, sl_avro_kind_t kind, const char *ns,
                           sl_avro_node_t **out)
{
    const char *attr = kind == SL_AVRO_ARRAY ? "items" : "values";
    json_t *ji = json_object_get(j, attr);
    if (!ji) return fail(c, SL_INVAL, "%s has no '%s'", kind_names[kind], attr);
    sl_avro_node_t *n;
    int rc = new_node(c, kind, &n);
    if (rc) return rc;
    if ((rc = take_logical_type(c, j, n)) != SL_OK) return rc;
    size_t mark = path_push(c, "%s", attr);
    if ((rc = parse_schema(c, ji, ns, &n->items)) != SL_OK) return rc;
    path_pop(c, mark);
    *out = n;
    return SL_OK;
}

static int parse_object(pctx_t *c, json_t *j, const char *ns, sl_avro_node_t **out)
{
    json_t *jt = json_object_get(j, "type");
    if (!jt) return fail(c, SL_INVAL, "schema object has no 'type'");
    if (!json_is_string(jt))
        return fail(c, SL_INVAL, "'type' must be a string naming a type, not %s", json_kind(jt));
    const char *t = json_string_value(jt);
    int k = primitive_kind(t);
    if (k >= 0) {
        int rc = new_node(c, (sl_avro_kind_t)k, out);
        return rc ? rc : take_logical_type(c, j, *out);
    }
    if (strcmp(t, "record") == 0) return parse_record(c, j, ns, 0, out);
    if (strcmp(t, "error") == 0) return parse_record(c, j, ns, 1, out);
    if (strcmp(t, "enum") == 0) return parse_enum(c, j, ns, out);
    if (strcmp(t, "fixed") == 0) return parse_fixed(c, j, ns, out);
    if (strcmp(t, "array") == 0) return parse_container(c, j, SL_AVRO_ARRAY, ns, out);
    if (strcmp(t, "map") == 0) return parse_container(c, j, SL_AVRO_MAP, ns, out);
    /* {"type": "com.example.Foo"} names a type defined earlier (Java accepts it too). */
    return parse_ref(c, t, ns, out);
}

static int parse_schema(pctx_t *c, json_t *j, const char *ns, sl_avro_node_t **out)
{
    if (c->depth >= SL_AVRO_MAX_DEPTH)
        return fail(c, SL_TOOBIG, "schema nested deeper than %d levels", SL_AVRO_MAX_DEPTH);
    c->depth++;
    int rc;
    if (json_is_string(j))
        rc = parse_ref(c, json_string_value(j), ns, out);
    else if (json_is_array(j))
        rc = parse_union(c, j, ns, out);
    else if (json_is_object(j))
        rc = parse_object(c, j, ns, out);
    else
        rc = fail(c, SL_INVAL, "a schema must be a string, an object or an array, not %s",
                  json_kind(j));
    c->depth--;
    return rc;
}

/* ---- defaults ---- */

/*
 * Whether v is a valid default for type t (specification's table; a union accepts a value
 * matching any branch, as the 1.11 specification and Java's parser do). 1 yes, 0 no, -1 the
 * check ran out of budget or depth.
 */
static int default_ok(pctx_t *c, const sl_avro_node_t *t, json_t *v, int depth)
{
    if (--c->budget < 0 || depth > SL_AVRO_MAX_DEPTH) return -1;
    switch (t->kind) {
    case SL_AVRO_NULL:
        return json_is_null(v);
    case SL_AVRO_BOOLEAN:
        return json_is_boolean(v);
    case SL_AVRO_INT:
        return json_is_integer(v) && json_integer_value(v) >= INT32_MIN &&
               json_integer_value(v) <= INT32_MAX;
    case SL_AVRO_LONG:
        return json_is_integer(v);
    case SL_AVRO_FLOAT:
    case SL_AVRO_DOUBLE:
        if (json_is_number(v)) return 1;
        /* How Java's JSON writer spells the non-finite values. */
        return json_is_string(v) && (strcmp(json_string_value(v), "NaN") == 0 ||
                                     strcmp(json_string_value(v), "Infinity") == 0 ||
                                     strcmp(json_string_value(v), "-Infinity") == 0);
    case SL_AVRO_BYTES:
    case SL_AVRO_STRING:
    case SL_AVRO_ENUM: /* Java checks only that it is a string; so do we, to accept the same */
    case SL_AVRO_FIXED:
        return json_is_string(v);
    case SL_AVRO_ARRAY: {
        if (!json_is_array(v)) return 0;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            int r = default_ok(c, t->items, e, depth + 1);
            if (r != 1) return r;
        }
        return 1;
    }
    case SL_AVRO_MAP: {
        if (!json_is_object(v)) return 0;
        const char *key;
        json_t *e;
        json_object_foreach(v, key, e)
        {
            int r = default_ok(c, t->items, e, depth + 1);
            if (r != 1) return r;
        }
        return 1;
    }
    case SL_AVRO_RECORD:
        if (!json_is_object(v)) return 0;
        for (size_t i = 0; i < t->n_fields; i++) {
            const sl_avro_field_t *f = &t->fields[i];
            json_t *fv = json_object_get(v, f->name);
            if (!fv) fv = f->default_value;
            if (!fv) return 0;
            int r = default_ok(c, f->type, fv, depth + 1);
            if (r != 1) return r;
        }
        return 1;
    case SL_AVRO_UNION:
        for (size_t i = 0; i < t->n_branches; i++) {
            int r = default_ok(c, t->branches[i], v, depth + 1);
            if (r != 0) return r;
        }
        return 0;
    }
    return 0;
}

static int check_defaults(pctx_t *c)
{
    for (size_t i = 0; i < c->n_pend; i++) {
        const sl_avro_field_t *f = c->pend[i].field;
        int r = default_ok(c, f->type, f->default_value, 0);
        if (r == 1) continue;
        snprintf(c->path, sizeof c->path, "%s", c->pend[i].path);
        c->path_len = strlen(c->path);
        path_push(c, "default");
        const sl_avro_node_t *t = f->type;
        const char *tn = t->fullname ? t->fullname : kind_names[t->kind];
        if (r < 0)
            return fail(c, SL_TOOBIG, "default of field '%s' too complex to check",
                        show(c, f->name));
        return fail(c, SL_INVAL, "invalid default for field '%s': %s is not a valid %s",
                    show(c, f->name), json_kind(f->default_value), show(c, tn));
    }
    return SL_OK;
}

/* ---- canonical form ---- */

static void put_str(sl_buf_t *b, const char *s)
{
    /* Names and symbols are validated identifiers, so this only ever copies; the escapes keep
     * the output valid JSON should that ever change. Non-ASCII stays raw UTF-8 [STRINGS]. */
    sl_buf_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            char e[2] = {'\\', (char)ch};
            sl_buf_put(b, e, 2);
        } else if (ch < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", ch);
            sl_buf_put(b, e, 6);
        } else {
            sl_buf_put(b, s, 1);
        }
    }
    sl_buf_put(b, "\"", 1);
}

static void put_lit(sl_buf_t *b, const char *s)
{
    sl_buf_put(b, s, strlen(s));
}

/*
 * in_ns: the nearest enclosing definition has a non-empty namespace. A name without a dot
 * written there reads back, on re-parsing, in that namespace: the specification's canonical
 * form cannot say "null namespace" inside a namespaced type. Such forms are still what the
 * specification (and Java) produce, so they are kept, and flagged as canonical_lossy.
 */
static int emit(pctx_t *c, sl_buf_t *b, const sl_avro_node_t *n, int in_ns)
{
    if (b->len > SL_AVRO_MAX_CANONICAL)
        return fail(c, SL_TOOBIG, "canonical form larger than %u bytes", SL_AVRO_MAX_CANONICAL);
    /* One schema text nests at most SL_AVRO_MAX_DEPTH deep, but types from references are
     * written where first used, so chains of references nest their definitions deeper. */
    if (c->depth >= EMIT_MAX_DEPTH)
        return fail(c, SL_TOOBIG, "definitions from references nested deeper than %d levels",
                    EMIT_MAX_DEPTH);
    if (n->fullname) {
        name_ent_t *e = names_find(c, n->fullname);
        if (!SL_ALWAYS(e)) return SL_INVAL;
        if (in_ns && !strchr(n->fullname, '.')) c->s->canonical_lossy = 1;
        if (e->emitted) {
            put_str(b, n->fullname);
            return SL_OK;
        }
        e->emitted = 1;
    }
    int rc = SL_OK;
    int child_in_ns = n->fullname ? strchr(n->fullname, '.') != NULL : in_ns;
    c->depth++;
    switch (n->kind) {
    case SL_AVRO_RECORD:
        put_lit(b, "{\"name\":");
        put_str(b, n->fullname);
        /* Java's normaliser writes "record" for "error" too; fingerprints must agree. */
        put_lit(b, ",\"type\":\"record\",\"fields\":[");
        for (size_t i = 0; i < n->n_fields && rc == SL_OK; i++) {
            put_lit(b, i ? ",{\"name\":" : "{\"name\":");
            put_str(b, n->fields[i].name);
            put_lit(b, ",\"type\":");
            rc = emit(c, b, n->fields[i].type, child_in_ns);
            put_lit(b, "}");
        }
        put_lit(b, "]}");
        break;
    case SL_AVRO_ENUM:
        put_lit(b, "{\"name\":");
        put_str(b, n->fullname);
        put_lit(b, ",\"type\":\"enum\",\"symbols\":[");
        for (size_t i = 0; i < n->n_symbols; i++) {
            if (i) put_lit(b, ",");
            put_str(b, n->symbols[i]);
        }
        put_lit(b, "]}");
        break;
    case SL_AVRO_FIXED: {
        char num[16];
        put_lit(b, "{\"name\":");
        put_str(b, n->fullname);
        snprintf(num, sizeof num, "%d", (int)n->size); /* no leading zeros [INTEGERS] */
        put_lit(b, ",\"type\":\"fixed\",\"size\":");
        put_lit(b, num);
        put_lit(b, "}");
        break;
    }
    case SL_AVRO_ARRAY:
    case SL_AVRO_MAP:
        put_lit(b, n->kind == SL_AVRO_ARRAY ? "{\"type\":\"array\",\"items\":"
                                            : "{\"type\":\"map\",\"values\":");
        rc = emit(c, b, n->items, child_in_ns);
        put_lit(b, "}");
        break;
    case SL_AVRO_UNION:
        put_lit(b, "[");
        for (size_t i = 0; i < n->n_branches && rc == SL_OK; i++) {
            if (i) put_lit(b, ",");
            rc = emit(c, b, n->branches[i], child_in_ns);
        }
        put_lit(b, "]");
        break;
    default: /* primitives [PRIMITIVES] */
        put_str(b, kind_names[n->kind]);
        break;
    }
    c->depth--;
    if (rc == SL_OK && b->len > SL_AVRO_MAX_CANONICAL)
        return fail(c, SL_TOOBIG, "canonical form larger than %u bytes", SL_AVRO_MAX_CANONICAL);
    return rc;
}

/* ---- fingerprint ---- */

#define CRC64_AVRO_EMPTY 0xc15d213aa4d7a795ULL

static uint64_t crc64_table[256];
static pthread_once_t crc64_once = PTHREAD_ONCE_INIT;

static void crc64_init(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint64_t fp = i;
        for (int j = 0; j < 8; j++)
            fp = (fp >> 1) ^ (CRC64_AVRO_EMPTY & (0 - (fp & 1)));
        crc64_table[i] = fp;
    }
}

uint64_t sl_avro_crc64(const void *buf, size_t len)
{
    pthread_once(&crc64_once, crc64_init);
    const unsigned char *p = buf;
    uint64_t fp = CRC64_AVRO_EMPTY;
    for (size_t i = 0; i < len; i++)
        fp = (fp >> 8) ^ crc64_table[(fp ^ p[i]) & 0xff];
    return fp;
}

/* ---- field lookup by name ---- */

uint32_t sl_avro_name_hash(const char *name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

const sl_avro_field_t *sl_avro_field_find(const sl_avro_node_t *rec, const char *name,
                                          uint32_t hash)
{
    if (!rec->field_slots) {
        for (size_t i = 0; i < rec->n_fields; i++)
            if (strcmp(rec->fields[i].name, name) == 0) return &rec->fields[i];
        return NULL;
    }
    for (uint32_t j = hash & rec->field_mask;; j = (j + 1) & rec->field_mask) {
        uint32_t slot = rec->field_slots[j];
        if (slot == 0) return NULL;
        const sl_avro_field_t *f = &rec->fields[slot - 1];
        if (f->name_hash == hash && strcmp(f->name, name) == 0) return f;
    }
}

/*
 * Hashes every field name and indexes each record's fields by name (serde_int.h), so that
 * resolution and compatibility checks find a field in constant time rather than by a scan
 * over the other record's fields (quadratic in the number of fields, per pair of records).
 * Runs once the graph is complete: the schema is immutable from then on.
 */
static int index_fields(sl_avro_schema_t *s)
{
    for (size_t k = 0; k < s->n_nodes; k++) {
        sl_avro_node_t *n = s->nodes[k];
        if (n->kind != SL_AVRO_RECORD) continue;
        for (size_t i = 0; i < n->n_fields; i++)
            n->fields[i].name_hash = sl_avro_name_hash(n->fields[i].name);
        if (n->n_fields == 0 || n->n_fields > (UINT32_MAX >> 2)) continue; /* linear search */
        size_t cap = 8;
        while (cap < 2 * n->n_fields)
            cap *= 2;
        uint32_t *slots = calloc(cap, sizeof *slots);
        if (!slots) return SL_NOMEM;
        for (size_t i = 0; i < n->n_fields; i++) {
            size_t j = n->fields[i].name_hash & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = (uint32_t)i + 1;
        }
        n->field_slots = slots;
        n->field_mask = (uint32_t)(cap - 1);
    }
    return SL_OK;
}

/* ---- public ---- */

static int parse_impl(const char *json, size_t len, const sl_avro_schema_t *const *refs,
                      size_t n_refs, sl_avro_schema_t **schema_out, char *err, size_t err_size)
{
    *schema_out = NULL;
    if (err && err_size) err[0] = '\0';
    pctx_t *c = calloc(1, sizeof *c);
    if (!c) return SL_NOMEM;
    c->err = err;
    c->err_size = err_size;
    c->budget = DEFAULT_BUDGET;
    int rc;
    json_t *root = NULL;
    sl_buf_t out;
    sl_buf_init(&out);
    if (!(c->s = calloc(1, sizeof *c->s))) {
        rc = SL_NOMEM;
        goto done;
    }
    json_error_t je;
    root = json_loadb(json, len, JSON_DECODE_ANY, &je);
    if (!root) {
        rc = fail(c, SL_INVAL, "invalid JSON at line %d, column %d: %s", je.line, je.column,
                  je.text);
        goto done;
    }
    if (n_refs > 0 && (rc = add_ref_names(c, refs, n_refs)) != SL_OK) goto done;
    if ((rc = parse_schema(c, root, "", &c->s->root)) != SL_OK) goto done;
    if ((rc = check_defaults(c)) != SL_OK) goto done;
    c->path_len = 0;
    c->path[0] = '\0';
    if ((rc = emit(c, &out, c->s->root, 0)) != SL_OK) goto done;
    c->s->canonical = malloc(out.len + 1);
    if (!c->s->canonical) {
        rc = SL_NOMEM;
        goto done;
    }
    memcpy(c->s->canonical, out.data, out.len);
    c->s->canonical[out.len] = '\0';
    c->s->canonical_len = out.len;
    c->s->fingerprint = sl_avro_crc64(c->s->canonical, c->s->canonical_len);
    if ((rc = index_fields(c->s)) != SL_OK) goto done;
    sl_avro_data_prepare(c->s);
    *schema_out = c->s;
    c->s = NULL;
done:
    if (rc == SL_NOMEM) fail(c, SL_NOMEM, "out of memory");
    sl_buf_free(&out);
    if (root) json_decref(root);
    sl_avro_schema_free(c->s);
    for (size_t i = 0; i < c->n_pend; i++)
        free(c->pend[i].path);
    free(c->pend);
    free(c->names);
    free(c->work);
    free(c);
    return rc;
}

int sl_avro_schema_parse(const char *json, size_t len, sl_avro_schema_t **schema_out, char *err,
                         size_t err_size)
{
    return parse_impl(json, len, NULL, 0, schema_out, err, err_size);
}

int sl_avro_schema_parse_refs(const char *json, size_t len, const sl_avro_schema_t *const *refs,
                              size_t n_refs, sl_avro_schema_t **schema_out, char *err,
                              size_t err_size)
{
    return parse_impl(json, len, refs, n_refs, schema_out, err, err_size);
}

const char *sl_avro_canonical(const sl_avro_schema_t *schema, size_t *len_out)
{
    if (len_out) *len_out = schema->canonical_len;
    return schema->canonical;
}

uint64_t sl_avro_fingerprint64(const sl_avro_schema_t *schema)
{
    return schema->fingerprint;
}

const char *sl_avro_schema_name(const sl_avro_schema_t *schema)
{
    return schema->root->fullname;
}
