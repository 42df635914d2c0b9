/*
 * jsonschema.c — JSON Schema (drafts 4, 6, 7, 2019-09, 2020-12): parse a schema into a node
 * graph shaped like the one Confluent's registry works on (the everit-json-schema model), and
 * compare two schemas by the rules of Confluent's SchemaDiff, reporting every change with
 * Confluent's change name (Difference.Type) and a JSON-pointer-ish path.
 *
 * Why this model: Confluent decides compatibility on everit's schema classes, not on the raw
 * JSON, so the verdict depends on how keywords group into classes. The loader below
 * reproduces that grouping:
 *   true / false / {}              TRUE / FALSE / EMPTY
 *   {"$ref": ...}                  REF to the node of the target (siblings ignored, as everit)
 *   otherwise each keyword family present yields one node:
 *     enum -> ENUM, const -> CONST, not -> NOT, allOf/anyOf/oneOf -> COMBINED each,
 *     if/then/else -> COND, "type": "x" -> the typed node (consuming that family's keywords),
 *     "type": [..] -> anyOf of typed nodes, and for each family whose keywords remain without a
 *     "type" naming it (object, array, number, string) an untyped node of that family;
 *   no node -> EMPTY, one node -> it, several -> a synthetic allOf of them.
 * So {"type": "string", "enum": ["a"]} is allOf[ENUM, STRING], exactly as Confluent sees it.
 *
 *   family    keywords
 *   object    properties required minProperties maxProperties dependencies patternProperties
 *             additionalProperties propertyNames dependentSchemas dependentRequired
 *             unevaluatedProperties
 *   array     items prefixItems additionalItems minItems maxItems uniqueItems contains
 *             minContains maxContains unevaluatedItems
 *   number    minimum maximum exclusiveMinimum exclusiveMaximum multipleOf
 *   string    minLength maxLength pattern format
 * 2019-09/2020-12 keywords map onto the draft-7 model: prefixItems is the tuple form of items
 * (and "items" beside it plays additionalItems), dependentSchemas/dependentRequired are the two
 * halves of dependencies, $defs is definitions.
 *
 * Invariants:
 * - A parsed sl_jsonschema_t is immutable; the comparison keeps its state on the stack and in
 *   the report. @locality any thread.
 * - Every node is reachable from sl_jsonschema_t.nodes and freed from there; $ref cycles are
 *   plain pointers back into that array (the graph may be cyclic, the ownership is not).
 * - Strings and JSON values inside nodes are borrowed from the jansson document the schema
 *   keeps alive (root).
 * - Bounded against hostile input: nesting deeper than SL_JSONSCHEMA_MAX_DEPTH is refused on
 *   parse; comparison carries a work budget (combined schemas compare all pairs of branches,
 *   which nests multiplicatively) and a bound on the pair stack, and fails with SL_TOOBIG
 *   rather than running away. A pair of nodes met again while it is being compared is a $ref
 *   cycle and counts as compatible (as in Confluent's Context).
 * - Only local references ("#", "#/json/pointer") resolve. Anything else (registry schema
 *   references, $id-relative or anchor refs) is refused with SL_UNSUPP, never guessed.
 * - patternProperties use POSIX extended regular expressions in place of Java's; a pattern
 *   that POSIX cannot compile makes a comparison that needs it fail with SL_UNSUPP.
 */
#include "serde/serde.h"

#include "common/err.h"

#include <jansson.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Node comparisons allowed per sl_jsonschema_compat call. */
#define CMP_BUDGET 200000L
/* Deepest stack of node pairs being compared at once (ref chains can exceed parse depth). */
#define CMP_MAX_STACK 512
/* Longest path kept in a report entry or parse message. */
#define PATH_MAX_LEN 480

typedef enum js_kind_e {
    JS_EMPTY,    /* {} or only annotations: accepts anything */
    JS_TRUE,     /* the boolean schema true (a distinct class from EMPTY in everit) */
    JS_FALSE,    /* the boolean schema false */
    JS_STRING,   /* string family */
    JS_NUMBER,   /* number family; integer flag for "type": "integer" */
    JS_BOOLEAN,  /* "type": "boolean" */
    JS_NULL,     /* "type": "null" */
    JS_OBJECT,   /* object family */
    JS_ARRAY,    /* array family */
    JS_ENUM,     /* enum */
    JS_CONST,    /* const */
    JS_COMBINED, /* allOf / anyOf / oneOf, or synthetic allOf of several families */
    JS_NOT,      /* not */
    JS_REF,      /* $ref */
    JS_COND,     /* if/then/else (compared on annotations only, as Confluent does) */
} js_kind_t;

typedef enum js_crit_e { CRIT_ALL, CRIT_ANY, CRIT_ONE } js_crit_t;
static const char *const crit_names[] = {"allOf", "anyOf", "oneOf"};

typedef struct js_node_s js_node_t;

/* A named subschema: properties, patternProperties, schema dependencies. */
typedef struct js_named_s {
    const char *name; /* borrowed from the document */
    js_node_t *node;  /* borrowed from sl_jsonschema_t.nodes */
    regex_t re;       /* patternProperties only: compiled name */
    int re_ok;        /* patternProperties only: 1 when re compiled */
} js_named_t;

/* A property dependency: "a": ["b", "c"]. */
typedef struct js_pdep_s {
    const char *name; /* the property that triggers */
    json_t *list;     /* borrowed JSON array of strings */
} js_pdep_t;

/* An optional non-negative integer keyword. */
typedef struct js_int_s {
    int has;     /* 1 when present */
    int64_t val; /* its value */
} js_int_t;

/* An optional number keyword. */
typedef struct js_num_s {
    int has;    /* 1 when present */
    double val; /* its value */
} js_num_t;

struct js_node_s {
    js_kind_t kind;          /* which class */
    json_t *src;             /* JSON this node came from; NULL for synthetic allOf */
    const char *id;          /* $id (id in draft 4), or NULL */
    const char *title;       /* title, or NULL */
    const char *description; /* description, or NULL */
    json_t *dflt;            /* default, or NULL */

    /* STRING */
    js_int_t min_length, max_length; /* minLength, maxLength */
    const char *pattern;             /* pattern, or NULL */

    /* NUMBER */
    int integer;                 /* "type": "integer" */
    js_num_t minimum, maximum;   /* minimum, maximum */
    js_num_t xminimum, xmaximum; /* numeric exclusiveMinimum/Maximum (draft 6+) */
    js_num_t multiple_of;        /* multipleOf */

    /* OBJECT */
    js_named_t *props;             /* properties */
    size_t n_props;                /* entries in props */
    json_t *required;              /* borrowed array of strings, or NULL */
    js_named_t *pattern_props;     /* patternProperties */
    size_t n_pattern_props;        /* entries in pattern_props */
    int permits_additional;        /* 0 when additionalProperties is false */
    js_node_t *additional;         /* schema of additionalProperties, NULL when boolean/absent */
    js_pdep_t *pdeps;              /* property dependencies */
    size_t n_pdeps;                /* entries in pdeps */
    js_named_t *sdeps;             /* schema dependencies */
    size_t n_sdeps;                /* entries in sdeps */
    js_int_t min_props, max_props; /* minProperties, maxProperties */
    js_node_t *uneval_props;       /* unevaluatedProperties, or NULL */

    /* ARRAY */
    js_node_t *all_items;                /* items as one schema, or NULL */
    js_node_t **item_list;               /* items as a tuple (or prefixItems) */
    size_t n_items;                      /* entries in item_list */
    int permits_additional_items;        /* 0 when additionalItems is false */
    js_node_t *additional_items;         /* schema of additionalItems, NULL when boolean/absent */
    js_int_t min_items, max_items;       /* minItems, maxItems */
    js_int_t min_contains, max_contains; /* minContains, maxContains */
    int unique_items;                    /* uniqueItems */
    js_node_t *uneval_items;             /* unevaluatedItems, or NULL */

    /* ENUM / CONST */
    json_t *values; /* enum: borrowed array; const: the value */

    /* COMBINED */
    js_crit_t crit;   /* which combinator */
    js_node_t **subs; /* its subschemas */
    size_t n_subs;    /* entries in subs */

    /* NOT, REF */
    js_node_t *inner; /* NOT: the negated schema; REF: the target */
};

/* Draft a schema is read as ("$schema" of the root; draft 7 when absent or unknown). */
typedef enum js_draft_e { DRAFT4, DRAFT6, DRAFT7, DRAFT2019, DRAFT2020 } js_draft_t;

struct sl_jsonschema_s {
    json_t *root;      /* the document; owns every borrowed string and value */
    js_node_t *top;    /* node of the root */
    js_node_t **nodes; /* every node, for freeing */
    size_t n_nodes;    /* entries in nodes */
    size_t cap_nodes;  /* capacity of nodes */
    js_draft_t draft;  /* how keywords were read */
};

/* ------------------------------------------------------------------------------------------ */
/* Parsing                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Pointer-keyed map JSON value -> node, so each JSON schema yields one node and $refs share. */
typedef struct js_memo_s {
    json_t **keys;    /* open addressing; NULL = free */
    js_node_t **vals; /* node of keys[i] */
    size_t cap;       /* power of two */
    size_t n;         /* used slots */
} js_memo_t;

typedef struct js_parser_s {
    sl_jsonschema_t *s;          /* schema being built */
    js_memo_t memo;              /* JSON value -> node */
    int depth;                   /* current nesting */
    char path[PATH_MAX_LEN + 1]; /* JSON path of the value being read, for messages */
    size_t path_len;             /* strlen(path) */
    char *err;                   /* caller's buffer */
    size_t err_size;             /* its size */
} js_parser_t;

static size_t memo_slot(const js_memo_t *m, const json_t *key)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(h >> 7) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static js_node_t *memo_get(const js_memo_t *m, const json_t *key)
{
    if (m->cap == 0) return NULL;
    size_t i = memo_slot(m, key);
    return m->keys[i] ? m->vals[i] : NULL;
}

static int memo_put(js_memo_t *m, json_t *key, js_node_t *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        js_memo_t g = {0};
        g.cap = m->cap ? m->cap * 2 : 64;
        g.keys = calloc(g.cap, sizeof *g.keys);
        g.vals = calloc(g.cap, sizeof *g.vals);
        if (!g.keys || !g.vals) {
            free(g.keys);
            free(g.vals);
            return SL_NOMEM;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = memo_slot(&g, m->keys[i]);
            g.keys[j] = m->keys[i];
            g.vals[j] = m->vals[i];
            g.n++;
        }
        free(m->keys);
        free(m->vals);
        *m = g;
    }
    size_t i = memo_slot(m, key);
    if (!m->keys[i]) m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
    return SL_OK;
}

/* Copies a message into err, replacing anything but printable ASCII with '?'. */
static int perr(js_parser_t *p, int rc, const char *fmt, ...)
{
    if (!p->err || p->err_size == 0) return rc;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->path_len > 0)
        snprintf(p->err, p->err_size, "%s: %s", p->path, msg);
    else
        snprintf(p->err, p->err_size, "%s", msg);
    for (char *c = p->err; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) *c = '?';
    return rc;
}

/* Appends "/seg" (or "seg" at the start) to the message path; returns the old length. */
static size_t path_push(js_parser_t *p, const char *seg)
{
    size_t old = p->path_len;
    int n = snprintf(p->path + old, sizeof p->path - old, "%s%s", old ? "/" : "", seg);
    if (n < 0 || (size_t)n >= sizeof p->path - old)
        p->path_len = sizeof p->path - 1;
    else
        p->path_len = old + (size_t)n;
    return old;
}

static void path_pop(js_parser_t *p, size_t old)
{
    p->path_len = old;
    p->path[old] = '\0';
}

static js_node_t *node_new(js_parser_t *p, js_kind_t kind, json_t *src)
{
    sl_jsonschema_t *s = p->s;
    if (s->n_nodes == s->cap_nodes) {
        size_t nc = s->cap_nodes ? s->cap_nodes * 2 : 32;
        js_node_t **nn = realloc(s->nodes, nc * sizeof *nn);
        if (!nn) return NULL;
        s->nodes = nn;
        s->cap_nodes = nc;
    }
    js_node_t *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = kind;
    n->src = src;
    n->permits_additional = 1;
    n->permits_additional_items = 1;
    s->nodes[s->n_nodes++] = n;
    return n;
}

static void node_free(js_node_t *n)
{
    for (size_t i = 0; i < n->n_pattern_props; i++)
        if (n->pattern_props[i].re_ok) regfree(&n->pattern_props[i].re);
    free(n->props);
    free(n->pattern_props);
    free(n->pdeps);
    free(n->sdeps);
    free(n->item_list);
    free(n->subs);
    free(n);
}

void sl_jsonschema_free(sl_jsonschema_t *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_nodes; i++)
        node_free(s->nodes[i]);
    free(s->nodes);
    json_decref(s->root);
    free(s);
}

static int parse_schema(js_parser_t *p, json_t *j, js_node_t **out);

/* Parses j[key] as a schema (object or boolean; booleans from draft 6 on). */
static int parse_child(js_parser_t *p, json_t *j, const char *seg, js_node_t **out)
{
    size_t old = path_push(p, seg);
    int rc = parse_schema(p, j, out);
    path_pop(p, old);
    return rc;
}

static int is_schema_value(const js_parser_t *p, const json_t *j)
{
    return json_is_object(j) || (json_is_boolean(j) && p->s->draft != DRAFT4);
}

static int want_schema(js_parser_t *p, json_t *v, const char *key)
{
    if (is_schema_value(p, v)) return SL_OK;
    return perr(p, SL_INVAL, "%s must be a schema (%s)", key,
                p->s->draft == DRAFT4 ? "an object" : "an object or a boolean");
}

static int read_count(js_parser_t *p, json_t *o, const char *key, js_int_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!v) return SL_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return perr(p, SL_INVAL, "%s must be a non-negative integer", key);
    out->has = 1;
    out->val = json_integer_value(v);
    return SL_OK;
}

static int read_num(js_parser_t *p, json_t *o, const char *key, js_num_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!v) return SL_OK;
    if (!json_is_number(v)) return perr(p, SL_INVAL, "%s must be a number", key);
    out->has = 1;
    out->val = json_number_value(v);
    return SL_OK;
}

static int read_str(js_parser_t *p, json_t *o, const char *key, const char **out)
{
    json_t *v = json_object_get(o, key);
    if (!v) return SL_OK;
    if (!json_is_string(v)) return perr(p, SL_INVAL, "%s must be a string", key);
    *out = json_string_value(v);
    return SL_OK;
}

/* Parses an object of named schemas ("properties", "patternProperties", ...). */
static int parse_named(js_parser_t *p, json_t *o, const char *key, js_named_t **out, size_t *n_out,
                       int compile)
{
    json_t *v = json_object_get(o, key);
    if (!v) return SL_OK;
    if (!json_is_object(v)) return perr(p, SL_INVAL, "%s must be an object", key);
    size_t n = json_object_size(v);
    js_named_t *arr = calloc(n ? n : 1, sizeof *arr);
    if (!arr) return SL_NOMEM;
    /* Attach before filling so an error exit frees whatever compiled. */
    *out = arr;
    *n_out = 0;
    size_t old = path_push(p, key);
    const char *name;
    json_t *sub;
    int rc = SL_OK;
    json_object_foreach(v, name, sub)
    {
        js_named_t *e = &arr[*n_out];
        e->name = name;
        rc = parse_child(p, sub, name, &e->node);
        if (rc != SL_OK) break;
        if (compile) e->re_ok = regcomp(&e->re, name, REG_EXTENDED | REG_NOSUB) == 0;
        (*n_out)++;
    }
    path_pop(p, old);
    return rc;
}

/* Parses a JSON array of schemas into a node array. */
static int parse_list(js_parser_t *p, json_t *v, const char *key, int nonempty, js_node_t ***out,
                      size_t *n_out)
{
    if (!json_is_array(v) || (nonempty && json_array_size(v) == 0))
        return perr(p, SL_INVAL, "%s must be %sarray of schemas", key,
                    nonempty ? "a non-empty " : "an ");
    size_t n = json_array_size(v);
    js_node_t **arr = calloc(n ? n : 1, sizeof *arr);
    if (!arr) return SL_NOMEM;
    *out = arr;
    *n_out = n;
    size_t old = path_push(p, key);
    int rc = SL_OK;
    for (size_t i = 0; i < n && rc == SL_OK; i++) {
        char idx[24];
        snprintf(idx, sizeof idx, "%zu", i);
        rc = parse_child(p, json_array_get(v, i), idx, &arr[i]);
    }
    path_pop(p, old);
    return rc;
}

static int string_array(const json_t *v)
{
    if (!json_is_array(v)) return 0;
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!json_is_string(json_array_get(v, i))) return 0;
    return 1;
}

enum { FAM_OBJECT = 1, FAM_ARRAY = 2, FAM_NUMBER = 4, FAM_STRING = 8 };

static const char *const object_kw[] = {
    "properties",       "required",          "minProperties",         "maxProperties",
    "dependencies",     "patternProperties", "additionalProperties",  "propertyNames",
    "dependentSchemas", "dependentRequired", "unevaluatedProperties", NULL};
static const char *const array_kw[] = {
    "items",    "prefixItems", "additionalItems", "minItems",         "maxItems", "uniqueItems",
    "contains", "minContains", "maxContains",     "unevaluatedItems", NULL};
static const char *const number_kw[] = {"minimum",          "maximum",    "exclusiveMinimum",
                                        "exclusiveMaximum", "multipleOf", NULL};
static const char *const string_kw[] = {"minLength", "maxLength", "pattern", "format", NULL};

static int has_any(const json_t *o, const char *const *kw)
{
    for (; *kw; kw++)
        if (json_object_get(o, *kw)) return 1;
    return 0;
}

static int fill_string(js_parser_t *p, json_t *o, js_node_t *n)
{
    int rc;
    if ((rc = read_count(p, o, "minLength", &n->min_length)) != SL_OK) return rc;
    if ((rc = read_count(p, o, "maxLength", &n->max_length)) != SL_OK) return rc;
    if ((rc = read_str(p, o, "pattern", &n->pattern)) != SL_OK) return rc;
    const char *fmt = NULL;
    return read_str(p, o, "format", &fmt);
}

static int fill_number(js_parser_t *p, json_t *o, js_node_t *n)
{
    int rc;
    if ((rc = read_num(p, o, "minimum", &n->minimum)) != SL_OK) return rc;
    if ((rc = read_num(p, o, "maximum", &n->maximum)) != SL_OK) return rc;
    if ((rc = read_num(p, o, "multipleOf", &n->multiple_of)) != SL_OK) return rc;
    if (n->multiple_of.has && !(n->multiple_of.val > 0))
        return perr(p, SL_INVAL, "multipleOf must be greater than 0");
    static const char *const xk[2] = {"exclusiveMinimum", "exclusiveMaximum"};
    js_num_t *xv[2] = {&n->xminimum, &n->xmaximum};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(o, xk[i]);
        if (!v) continue;
        if (p->s->draft == DRAFT4) {
            /* Draft 4: a flag on minimum/maximum; Confluent compares only the limits. */
            if (!json_is_boolean(v)) return perr(p, SL_INVAL, "%s must be a boolean", xk[i]);
        } else if ((rc = read_num(p, o, xk[i], xv[i])) != SL_OK) {
            return rc;
        }
    }
    return SL_OK;
}

static int fill_object(js_parser_t *p, json_t *o, js_node_t *n)
{
    int rc;
    json_t *v;
    if ((rc = parse_named(p, o, "properties", &n->props, &n->n_props, 0)) != SL_OK) return rc;
    if ((rc = parse_named(p, o, "patternProperties", &n->pattern_props, &n->n_pattern_props, 1)) !=
        SL_OK)
        return rc;
    if ((v = json_object_get(o, "required"))) {
        if (!string_array(v)) return perr(p, SL_INVAL, "required must be an array of strings");
        n->required = v;
    }
    if ((v = json_object_get(o, "additionalProperties"))) {
        if (json_is_boolean(v)) {
            n->permits_additional = json_is_true(v);
        } else if (json_is_object(v)) {
            if ((rc = parse_child(p, v, "additionalProperties", &n->additional)) != SL_OK)
                return rc;
        } else {
            return perr(p, SL_INVAL, "additionalProperties must be a boolean or a schema");
        }
    }
    if ((v = json_object_get(o, "propertyNames"))) {
        js_node_t *ignored;
        if ((rc = want_schema(p, v, "propertyNames")) != SL_OK) return rc;
        if ((rc = parse_child(p, v, "propertyNames", &ignored)) != SL_OK) return rc;
    }
    if ((v = json_object_get(o, "unevaluatedProperties"))) {
        if ((rc = want_schema(p, v, "unevaluatedProperties")) != SL_OK) return rc;
        if ((rc = parse_child(p, v, "unevaluatedProperties", &n->uneval_props)) != SL_OK) return rc;
    }
    if ((rc = read_count(p, o, "minProperties", &n->min_props)) != SL_OK) return rc;
    if ((rc = read_count(p, o, "maxProperties", &n->max_props)) != SL_OK) return rc;

    /* dependencies (array -> property dependency, schema -> schema dependency), and the two
     * 2019-09 keywords that split it. */
    json_t *deps = json_object_get(o, "dependencies");
    json_t *dreq = json_object_get(o, "dependentRequired");
    json_t *dsch = json_object_get(o, "dependentSchemas");
    if ((deps && !json_is_object(deps)) || (dreq && !json_is_object(dreq)) ||
        (dsch && !json_is_object(dsch)))
        return perr(p, SL_INVAL, "dependencies must be an object");
    size_t cap = json_object_size(deps) + json_object_size(dreq) + json_object_size(dsch) + 1;
    n->pdeps = calloc(cap, sizeof *n->pdeps);
    n->sdeps = calloc(cap, sizeof *n->sdeps);
    if (!n->pdeps || !n->sdeps) return SL_NOMEM;
    json_t *srcs[3] = {deps, dreq, dsch};
    static const char *const names[3] = {"dependencies", "dependentRequired", "dependentSchemas"};
    for (int k = 0; k < 3; k++) {
        if (!srcs[k]) continue;
        const char *name;
        json_t *d;
        size_t old = path_push(p, names[k]);
        json_object_foreach(srcs[k], name, d)
        {
            if (k != 2 && json_is_array(d)) {
                if (!string_array(d)) {
                    rc = perr(p, SL_INVAL, "dependency '%.64s' must list property names", name);
                    break;
                }
                n->pdeps[n->n_pdeps].name = name;
                n->pdeps[n->n_pdeps++].list = d;
            } else if (k != 1 && is_schema_value(p, d)) {
                js_named_t *e = &n->sdeps[n->n_sdeps];
                e->name = name;
                if ((rc = parse_child(p, d, name, &e->node)) != SL_OK) break;
                n->n_sdeps++;
            } else {
                rc = perr(p, SL_INVAL, "dependency '%.64s' has the wrong type", name);
                break;
            }
        }
        path_pop(p, old);
        if (rc != SL_OK) return rc;
    }
    return SL_OK;
}

static int fill_array(js_parser_t *p, json_t *o, js_node_t *n)
{
    int rc;
    json_t *items = json_object_get(o, "items");
    json_t *prefix = json_object_get(o, "prefixItems");
    json_t *addl = json_object_get(o, "additionalItems");
    const char *addl_key = "additionalItems";
    if (prefix && p->s->draft >= DRAFT2020) {
        /* 2020-12: prefixItems is the tuple, items applies to the rest. */
        if ((rc = parse_list(p, prefix, "prefixItems", 0, &n->item_list, &n->n_items)) != SL_OK)
            return rc;
        addl = items;
        addl_key = "items";
        items = NULL;
    }
    if (items) {
        if (json_is_array(items)) {
            if ((rc = parse_list(p, items, "items", 0, &n->item_list, &n->n_items)) != SL_OK)
                return rc;
        } else {
            if ((rc = want_schema(p, items, "items")) != SL_OK) return rc;
            if ((rc = parse_child(p, items, "items", &n->all_items)) != SL_OK) return rc;
        }
    }
    if (addl) {
        if (json_is_boolean(addl)) {
            n->permits_additional_items = json_is_true(addl);
        } else if (json_is_object(addl)) {
            if ((rc = parse_child(p, addl, addl_key, &n->additional_items)) != SL_OK) return rc;
        } else {
            return perr(p, SL_INVAL, "%s must be a boolean or a schema", addl_key);
        }
    }
    json_t *v;
    if ((v = json_object_get(o, "contains"))) {
        js_node_t *ignored;
        if ((rc = want_schema(p, v, "contains")) != SL_OK) return rc;
        if ((rc = parse_child(p, v, "contains", &ignored)) != SL_OK) return rc;
    }
    if ((v = json_object_get(o, "unevaluatedItems"))) {
        if ((rc = want_schema(p, v, "unevaluatedItems")) != SL_OK) return rc;
        if ((rc = parse_child(p, v, "unevaluatedItems", &n->uneval_items)) != SL_OK) return rc;
    }
    if ((v = json_object_get(o, "uniqueItems"))) {
        if (!json_is_boolean(v)) return perr(p, SL_INVAL, "uniqueItems must be a boolean");
        n->unique_items = json_is_true(v);
    }
    if ((rc = read_count(p, o, "minItems", &n->min_items)) != SL_OK) return rc;
    if ((rc = read_count(p, o, "maxItems", &n->max_items)) != SL_OK) return rc;
    if ((rc = read_count(p, o, "minContains", &n->min_contains)) != SL_OK) return rc;
    return read_count(p, o, "maxContains", &n->max_contains);
}

/* Builds the node of one family (typed when "type" names it, untyped when sniffed). */
static int family_node(js_parser_t *p, json_t *o, int fam, int integer, js_node_t **out)
{
    js_kind_t kind = fam == FAM_OBJECT   ? JS_OBJECT
                     : fam == FAM_ARRAY  ? JS_ARRAY
                     : fam == FAM_NUMBER ? JS_NUMBER
                                         : JS_STRING;
    js_node_t *n = node_new(p, kind, NULL);
    if (!n) return SL_NOMEM;
    n->integer = integer;
    *out = n;
    switch (fam) {
    case FAM_OBJECT:
        return fill_object(p, o, n);
    case FAM_ARRAY:
        return fill_array(p, o, n);
    case FAM_NUMBER:
        return fill_number(p, o, n);
    default:
        return fill_string(p, o, n);
    }
}

/* Resolves a local reference "#..." against the root; NULL when it does not resolve. */
static json_t *resolve_ref(json_t *root, const char *ref)
{
    if (ref[0] != '#') return NULL;
    const char *q = ref + 1;
    if (*q == '\0') return root;
    if (*q != '/') return NULL;
    json_t *cur = root;
    char tok[1024];
    while (*q == '/' && cur) {
        q++;
        size_t k = 0;
        while (*q && *q != '/') {
            char c = *q++;
            if (c == '~') {
                if (*q == '0')
                    c = '~';
                else if (*q == '1')
                    c = '/';
                else
                    return NULL;
                q++;
            } else if (c == '%' && q[0] && q[1]) {
                /* URI fragment percent-encoding. */
                char hex[3] = {q[0], q[1], 0};
                char *end;
                long b = strtol(hex, &end, 16);
                if (*end) return NULL;
                c = (char)b;
                q += 2;
            }
            if (k + 1 >= sizeof tok) return NULL;
            tok[k++] = c;
        }
        tok[k] = '\0';
        if (json_is_object(cur)) {
            cur = json_object_get(cur, tok);
        } else if (json_is_array(cur)) {
            char *end;
            unsigned long idx = strtoul(tok, &end, 10);
            if (k == 0 || *end) return NULL;
            cur = json_array_get(cur, idx);
        } else {
            return NULL;
        }
    }
    return *q ? NULL : cur;
}

static const struct {
    const char *name;
    int fam;
    int integer;
    js_kind_t kind;
} type_table[] = {
    {"object", FAM_OBJECT, 0, JS_OBJECT},
    {"array", FAM_ARRAY, 0, JS_ARRAY},
    {"number", FAM_NUMBER, 0, JS_NUMBER},
    {"integer", FAM_NUMBER, 1, JS_NUMBER},
    {"string", FAM_STRING, 0, JS_STRING},
    {"boolean", 0, 0, JS_BOOLEAN},
    {"null", 0, 0, JS_NULL},
};

static int lookup_type(const json_t *v)
{
    if (!json_is_string(v)) return -1;
    for (size_t i = 0; i < sizeof type_table / sizeof type_table[0]; i++)
        if (strcmp(type_table[i].name, json_string_value(v)) == 0) return (int)i;
    return -1;
}

static int typed_node(js_parser_t *p, json_t *o, int t, js_node_t **out)
{
    if (type_table[t].fam) return family_node(p, o, type_table[t].fam, type_table[t].integer, out);
    *out = node_new(p, type_table[t].kind, NULL);
    return *out ? SL_OK : SL_NOMEM;
}

/* Parses the keyword families of object o into parts[]; returns the count via *n_out. */
static int parse_parts(js_parser_t *p, json_t *o, js_node_t **parts, size_t *n_out)
{
    int rc;
    size_t n = 0;
    json_t *v;
    if ((v = json_object_get(o, "enum"))) {
        if (!json_is_array(v)) return perr(p, SL_INVAL, "enum must be an array");
        if (!(parts[n] = node_new(p, JS_ENUM, NULL))) return SL_NOMEM;
        parts[n++]->values = v;
    }
    for (int c = 0; c < 3; c++) {
        if (!(v = json_object_get(o, crit_names[c]))) continue;
        js_node_t *cn = node_new(p, JS_COMBINED, v);
        if (!cn) return SL_NOMEM;
        cn->crit = (js_crit_t)c;
        parts[n++] = cn;
        if ((rc = parse_list(p, v, crit_names[c], 1, &cn->subs, &cn->n_subs)) != SL_OK) return rc;
    }
    if ((v = json_object_get(o, "not"))) {
        if ((rc = want_schema(p, v, "not")) != SL_OK) return rc;
        js_node_t *nn = node_new(p, JS_NOT, NULL);
        if (!nn) return SL_NOMEM;
        parts[n++] = nn;
        if ((rc = parse_child(p, v, "not", &nn->inner)) != SL_OK) return rc;
    }
    if ((v = json_object_get(o, "const")) && p->s->draft != DRAFT4) {
        if (!(parts[n] = node_new(p, JS_CONST, NULL))) return SL_NOMEM;
        parts[n++]->values = v;
    }
    if (p->s->draft >= DRAFT7 && json_object_get(o, "if")) {
        static const char *const ck[3] = {"if", "then", "else"};
        for (int i = 0; i < 3; i++) {
            js_node_t *ignored;
            if (!(v = json_object_get(o, ck[i]))) continue;
            if ((rc = want_schema(p, v, ck[i])) != SL_OK) return rc;
            if ((rc = parse_child(p, v, ck[i], &ignored)) != SL_OK) return rc;
        }
        if (!(parts[n++] = node_new(p, JS_COND, NULL))) return SL_NOMEM;
    }

    int families_done = 0;
    if ((v = json_object_get(o, "type"))) {
        if (json_is_string(v)) {
            int t = lookup_type(v);
            if (t < 0) return perr(p, SL_INVAL, "unknown type '%.64s'", json_string_value(v));
            if ((rc = typed_node(p, o, t, &parts[n++])) != SL_OK) return rc;
            families_done |= type_table[t].fam;
        } else if (json_is_array(v) && json_array_size(v) > 0) {
            js_node_t *any = node_new(p, JS_COMBINED, NULL);
            if (!any) return SL_NOMEM;
            any->crit = CRIT_ANY;
            parts[n++] = any;
            size_t k = json_array_size(v);
            if (!(any->subs = calloc(k, sizeof *any->subs))) return SL_NOMEM;
            for (size_t i = 0; i < k; i++) {
                int t = lookup_type(json_array_get(v, i));
                if (t < 0) return perr(p, SL_INVAL, "type[%zu] is not a known type name", i);
                for (size_t j = 0; j < i; j++)
                    if (json_equal(json_array_get(v, i), json_array_get(v, j)))
                        return perr(p, SL_INVAL, "type lists '%s' twice", type_table[t].name);
                if ((rc = typed_node(p, o, t, &any->subs[any->n_subs++])) != SL_OK) return rc;
                families_done |= type_table[t].fam;
            }
        } else {
            return perr(p, SL_INVAL, "type must be a type name or a non-empty array of them");
        }
    }
    static const struct {
        int fam;
        const char *const *kw;
    } sniff[] = {{FAM_OBJECT, object_kw},
                 {FAM_ARRAY, array_kw},
                 {FAM_NUMBER, number_kw},
                 {FAM_STRING, string_kw}};
    for (size_t i = 0; i < 4; i++) {
        if ((families_done & sniff[i].fam) || !has_any(o, sniff[i].kw)) continue;
        if ((rc = family_node(p, o, sniff[i].fam, 0, &parts[n++])) != SL_OK) return rc;
    }
    *n_out = n;
    return SL_OK;
}

static int parse_schema(js_parser_t *p, json_t *j, js_node_t **out)
{
    js_node_t *seen = memo_get(&p->memo, j);
    if (seen) {
        *out = seen;
        return SL_OK;
    }
    if (!is_schema_value(p, j))
        return perr(p, SL_INVAL, "a schema must be %s",
                    p->s->draft == DRAFT4 ? "an object" : "an object or a boolean");
    if (p->depth >= SL_JSONSCHEMA_MAX_DEPTH)
        return perr(p, SL_TOOBIG, "schemas nested deeper than %d", SL_JSONSCHEMA_MAX_DEPTH);
    if (json_is_boolean(j)) {
        *out = node_new(p, json_is_true(j) ? JS_TRUE : JS_FALSE, j);
        if (!*out) return SL_NOMEM;
        return memo_put(&p->memo, j, *out);
    }

    int rc;
    p->depth++;
    json_t *ref = json_object_get(j, "$ref");
    if (ref) {
        if (!json_is_string(ref)) {
            rc = perr(p, SL_INVAL, "$ref must be a string");
            goto out;
        }
        const char *r = json_string_value(ref);
        json_t *target = resolve_ref(p->s->root, r);
        if (!target) {
            rc = perr(p, r[0] == '#' && (r[1] == '\0' || r[1] == '/') ? SL_INVAL : SL_UNSUPP,
                      r[0] == '#' && (r[1] == '\0' || r[1] == '/')
                          ? "$ref '%.200s' does not resolve"
                          : "$ref '%.200s': only local references (#/...) are supported yet",
                      r);
            goto out;
        }
        js_node_t *n = node_new(p, JS_REF, j);
        if (!n || (rc = memo_put(&p->memo, j, n)) != SL_OK) {
            rc = SL_NOMEM;
            goto out;
        }
        *out = n;
        size_t old = path_push(p, "$ref");
        rc = parse_schema(p, target, &n->inner);
        path_pop(p, old);
        goto out;
    }

    /* Definitions are parsed for validation even when nothing refers to them. */
    static const char *const defs[2] = {"definitions", "$defs"};
    for (int i = 0; i < 2; i++) {
        json_t *d = json_object_get(j, defs[i]);
        if (!d) continue;
        if (!json_is_object(d)) {
            rc = perr(p, SL_INVAL, "%s must be an object", defs[i]);
            goto out;
        }
        size_t old = path_push(p, defs[i]);
        const char *name;
        json_t *sub;
        rc = SL_OK;
        json_object_foreach(d, name, sub)
        {
            js_node_t *ignored;
            if ((rc = parse_child(p, sub, name, &ignored)) != SL_OK) break;
        }
        path_pop(p, old);
        if (rc != SL_OK) goto out;
    }

    /* At most 12 parts: enum, 3 combined, not, const, if, type (one node), 4 sniffed. */
    js_node_t *parts[16];
    size_t n_parts = 0;
    if ((rc = parse_parts(p, j, parts, &n_parts)) != SL_OK) goto out;
    js_node_t *n;
    if (n_parts == 0) {
        n = node_new(p, JS_EMPTY, j);
    } else if (n_parts == 1) {
        n = parts[0];
    } else {
        n = node_new(p, JS_COMBINED, NULL);
        if (n) {
            n->crit = CRIT_ALL;
            n->subs = malloc(n_parts * sizeof *n->subs);
            if (n->subs) {
                memcpy(n->subs, parts, n_parts * sizeof *parts);
                n->n_subs = n_parts;
            } else {
                n = NULL;
            }
        }
    }
    if (!n) {
        rc = SL_NOMEM;
        goto out;
    }
    if (!n->src) n->src = j;
    /* j is memoised only now: a $ref back to j met while its families were being built
     * parsed j once more (ending at the memoised REF node), which costs a duplicate node but
     * never an unfinished one. */
    if ((rc = memo_put(&p->memo, j, n)) != SL_OK) goto out;
    if ((rc = read_str(p, j, p->s->draft == DRAFT4 ? "id" : "$id", &n->id)) != SL_OK) goto out;
    if ((rc = read_str(p, j, "title", &n->title)) != SL_OK) goto out;
    if ((rc = read_str(p, j, "description", &n->description)) != SL_OK) goto out;
    n->dflt = json_object_get(j, "default");
    *out = n;
out:
    p->depth--;
    return rc;
}

static js_draft_t detect_draft(const json_t *root)
{
    const char *s = json_string_value(json_object_get(root, "$schema"));
    if (!s) return DRAFT7;
    if (strstr(s, "draft-04")) return DRAFT4;
    if (strstr(s, "draft-06")) return DRAFT6;
    if (strstr(s, "2019-09")) return DRAFT2019;
    if (strstr(s, "2020-12")) return DRAFT2020;
    return DRAFT7;
}

int sl_jsonschema_parse(const char *json, size_t len, sl_jsonschema_t **schema_out, char *err,
                        size_t err_size)
{
    *schema_out = NULL;
    if (err && err_size) err[0] = '\0';
    js_parser_t p = {0};
    p.err = err;
    p.err_size = err_size;
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!root) return perr(&p, SL_INVAL, "not JSON: %s (line %d)", je.text, je.line);
    sl_jsonschema_t *s = calloc(1, sizeof *s);
    if (!s) {
        json_decref(root);
        return SL_NOMEM;
    }
    s->root = root;
    s->draft = detect_draft(root);
    p.s = s;
    int rc = SL_OK;
    json_t *sv = json_object_get(root, "$schema");
    if (sv && !json_is_string(sv)) rc = perr(&p, SL_INVAL, "$schema must be a string");
    if (rc == SL_OK) rc = parse_schema(&p, root, &s->top);
    free(p.memo.keys);
    free(p.memo.vals);
    if (rc != SL_OK) {
        if (rc == SL_NOMEM) perr(&p, rc, "out of memory");
        sl_jsonschema_free(s);
        return rc;
    }
    /* A $ref cycle that never reaches a real schema ({"$ref": "#"}) has nothing to compare. */
    for (size_t i = 0; i < s->n_nodes; i++) {
        const js_node_t *n = s->nodes[i];
        size_t hops = 0;
        while (n->kind == JS_REF && hops <= s->n_nodes) {
            n = n->inner;
            hops++;
        }
        if (n->kind == JS_REF) {
            perr(&p, SL_INVAL, "$ref cycle that never reaches a schema");
            sl_jsonschema_free(s);
            return SL_INVAL;
        }
    }
    *schema_out = s;
    return SL_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Comparison                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* X(name, compatible, reason): Confluent's Difference.Type, whether SchemaDiff counts it as
 * backward compatible (COMPATIBLE_CHANGES), and what it means for a reader of old data. */
#define JS_CHANGES(X)                                                                              \
    X(ID_CHANGED, 1, "$id changed")                                                                \
    X(DESCRIPTION_CHANGED, 1, "description changed")                                               \
    X(TITLE_CHANGED, 1, "title changed")                                                           \
    X(DEFAULT_CHANGED, 1, "default changed")                                                       \
    X(SCHEMA_ADDED, 0, "a schema was added where the old one had none")                            \
    X(SCHEMA_REMOVED, 1, "a schema was removed")                                                   \
    X(TYPE_EXTENDED, 1, "integer widened to number")                                               \
    X(TYPE_NARROWED, 0, "number narrowed to integer")                                              \
    X(TYPE_CHANGED, 0, "the type is different in the new schema")                                  \
    X(MAX_LENGTH_ADDED, 0, "maxLength added")                                                      \
    X(MAX_LENGTH_REMOVED, 1, "maxLength removed")                                                  \
    X(MAX_LENGTH_INCREASED, 1, "maxLength increased")                                              \
    X(MAX_LENGTH_DECREASED, 0, "maxLength decreased: old strings may be too long")                 \
    X(MIN_LENGTH_ADDED, 0, "minLength added")                                                      \
    X(MIN_LENGTH_REMOVED, 1, "minLength removed")                                                  \
    X(MIN_LENGTH_INCREASED, 0, "minLength increased: old strings may be too short")                \
    X(MIN_LENGTH_DECREASED, 1, "minLength decreased")                                              \
    X(PATTERN_ADDED, 0, "pattern added")                                                           \
    X(PATTERN_REMOVED, 1, "pattern removed")                                                       \
    X(PATTERN_CHANGED, 0, "pattern changed")                                                       \
    X(MAXIMUM_ADDED, 0, "maximum added")                                                           \
    X(MAXIMUM_REMOVED, 1, "maximum removed")                                                       \
    X(MAXIMUM_INCREASED, 1, "maximum increased")                                                   \
    X(MAXIMUM_DECREASED, 0, "maximum decreased: old values may be too large")                      \
    X(MINIMUM_ADDED, 0, "minimum added")                                                           \
    X(MINIMUM_REMOVED, 1, "minimum removed")                                                       \
    X(MINIMUM_INCREASED, 0, "minimum increased: old values may be too small")                      \
    X(MINIMUM_DECREASED, 1, "minimum decreased")                                                   \
    X(EXCLUSIVE_MAXIMUM_ADDED, 0, "exclusiveMaximum added")                                        \
    X(EXCLUSIVE_MAXIMUM_REMOVED, 1, "exclusiveMaximum removed")                                    \
    X(EXCLUSIVE_MAXIMUM_INCREASED, 1, "exclusiveMaximum increased")                                \
    X(EXCLUSIVE_MAXIMUM_DECREASED, 0, "exclusiveMaximum decreased")                                \
    X(EXCLUSIVE_MINIMUM_ADDED, 0, "exclusiveMinimum added")                                        \
    X(EXCLUSIVE_MINIMUM_REMOVED, 1, "exclusiveMinimum removed")                                    \
    X(EXCLUSIVE_MINIMUM_INCREASED, 0, "exclusiveMinimum increased")                                \
    X(EXCLUSIVE_MINIMUM_DECREASED, 1, "exclusiveMinimum decreased")                                \
    X(MULTIPLE_OF_ADDED, 0, "multipleOf added")                                                    \
    X(MULTIPLE_OF_REMOVED, 1, "multipleOf removed")                                                \
    X(MULTIPLE_OF_EXPANDED, 0, "multipleOf is now a multiple of the old one")                      \
    X(MULTIPLE_OF_REDUCED, 1, "multipleOf now divides the old one")                                \
    X(MULTIPLE_OF_CHANGED, 0, "multipleOf changed")                                                \
    X(REQUIRED_ATTRIBUTE_ADDED, 0, "property became required")                                     \
    X(REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED, 1, "property with a default became required")         \
    X(REQUIRED_ATTRIBUTE_REMOVED, 1, "property is no longer required")                             \
    X(MAX_PROPERTIES_ADDED, 0, "maxProperties added")                                              \
    X(MAX_PROPERTIES_REMOVED, 1, "maxProperties removed")                                          \
    X(MAX_PROPERTIES_INCREASED, 1, "maxProperties increased")                                      \
    X(MAX_PROPERTIES_DECREASED, 0, "maxProperties decreased")                                      \
    X(MIN_PROPERTIES_ADDED, 0, "minProperties added")                                              \
    X(MIN_PROPERTIES_REMOVED, 1, "minProperties removed")                                          \
    X(MIN_PROPERTIES_INCREASED, 0, "minProperties increased")                                      \
    X(MIN_PROPERTIES_DECREASED, 1, "minProperties decreased")                                      \
    X(ADDITIONAL_PROPERTIES_ADDED, 1, "additional properties are now allowed")                     \
    X(ADDITIONAL_PROPERTIES_REMOVED, 0, "additional properties are no longer allowed")             \
    X(ADDITIONAL_PROPERTIES_EXTENDED, 1, "additionalProperties schema removed")                    \
    X(ADDITIONAL_PROPERTIES_NARROWED, 0, "additionalProperties schema added")                      \
    X(DEPENDENCY_ARRAY_ADDED, 0, "property dependency added")                                      \
    X(DEPENDENCY_ARRAY_REMOVED, 1, "property dependency removed")                                  \
    X(DEPENDENCY_ARRAY_EXTENDED, 0, "property dependency lists more properties")                   \
    X(DEPENDENCY_ARRAY_NARROWED, 1, "property dependency lists fewer properties")                  \
    X(DEPENDENCY_ARRAY_CHANGED, 0, "property dependency changed")                                  \
    X(DEPENDENCY_SCHEMA_ADDED, 0, "schema dependency added")                                       \
    X(DEPENDENCY_SCHEMA_REMOVED, 1, "schema dependency removed")                                   \
    X(PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, 0,                                                     \
      "property added where the old schema allowed any value for it")                              \
    X(REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, 0,                                            \
      "required property added where the old schema allowed any value for it")                     \
    X(REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL, 0,                               \
      "required property with default added where the old schema allowed any value for it")        \
    X(OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, 0,                                            \
      "optional property added where the old schema allowed any value for it")                     \
    X(PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, 1,                                   \
      "property accepting anything added to an open content model")                                \
    X(REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, 0,                                          \
      "required property added: old data may lack it")                                             \
    X(REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL, 1,                             \
      "required property with a default added to a closed content model")                          \
    X(OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, 1,                                          \
      "optional property added to a closed content model")                                         \
    X(PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL, 1, "property removed; the new schema is open")     \
    X(PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, 1,                                    \
      "property that was never allowed removed")                                                   \
    X(PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL, 0,                                               \
      "property removed and the new schema is closed: old data with it is rejected")               \
    X(PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 1,                              \
      "property removed; the new schema's patternProperties/additionalProperties accept it")       \
    X(PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 0,                             \
      "property removed; the new schema's patternProperties/additionalProperties reject it")       \
    X(PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 1,                                \
      "property added; it accepts what the old patternProperties/additionalProperties did")        \
    X(PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 0,                               \
      "property added; it rejects some of what the old patternProperties/additionalProperties "    \
      "accepted")                                                                                  \
    X(RESERVED_PROPERTY_REMOVED, 0, "reserved property removed")                                   \
    X(RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY, 0, "property conflicts with a reserved one")      \
    X(UNEVALUATED_PROPERTIES_ADDED, 1, "unevaluated properties are now allowed")                   \
    X(UNEVALUATED_PROPERTIES_REMOVED, 0, "unevaluated properties are no longer allowed")           \
    X(UNEVALUATED_PROPERTIES_EXTENDED, 1, "unevaluatedProperties widened")                         \
    X(UNEVALUATED_PROPERTIES_NARROWED, 0, "unevaluatedProperties narrowed")                        \
    X(MAX_ITEMS_ADDED, 0, "maxItems added")                                                        \
    X(MAX_ITEMS_REMOVED, 1, "maxItems removed")                                                    \
    X(MAX_ITEMS_INCREASED, 1, "maxItems increased")                                                \
    X(MAX_ITEMS_DECREASED, 0, "maxItems decreased")                                                \
    X(MIN_ITEMS_ADDED, 0, "minItems added")                                                        \
    X(MIN_ITEMS_REMOVED, 1, "minItems removed")                                                    \
    X(MIN_ITEMS_INCREASED, 0, "minItems increased")                                                \
    X(MIN_ITEMS_DECREASED, 1, "minItems decreased")                                                \
    X(MAX_CONTAINS_ADDED, 0, "maxContains added")                                                  \
    X(MAX_CONTAINS_REMOVED, 0, "maxContains removed")                                              \
    X(MAX_CONTAINS_INCREASED, 0, "maxContains increased")                                          \
    X(MAX_CONTAINS_DECREASED, 0, "maxContains decreased")                                          \
    X(MIN_CONTAINS_ADDED, 0, "minContains added")                                                  \
    X(MIN_CONTAINS_REMOVED, 0, "minContains removed")                                              \
    X(MIN_CONTAINS_INCREASED, 0, "minContains increased")                                          \
    X(MIN_CONTAINS_DECREASED, 0, "minContains decreased")                                          \
    X(UNIQUE_ITEMS_ADDED, 0, "uniqueItems added")                                                  \
    X(UNIQUE_ITEMS_REMOVED, 1, "uniqueItems removed")                                              \
    X(ADDITIONAL_ITEMS_ADDED, 1, "additional items are now allowed")                               \
    X(ADDITIONAL_ITEMS_REMOVED, 0, "additional items are no longer allowed")                       \
    X(ADDITIONAL_ITEMS_EXTENDED, 1, "additionalItems schema removed")                              \
    X(ADDITIONAL_ITEMS_NARROWED, 0, "additionalItems schema added")                                \
    X(UNEVALUATED_ITEMS_ADDED, 1, "unevaluated items are now allowed")                             \
    X(UNEVALUATED_ITEMS_REMOVED, 0, "unevaluated items are no longer allowed")                     \
    X(UNEVALUATED_ITEMS_EXTENDED, 1, "unevaluatedItems widened")                                   \
    X(UNEVALUATED_ITEMS_NARROWED, 0, "unevaluatedItems narrowed")                                  \
    X(ITEM_ADDED_TO_OPEN_CONTENT_MODEL, 0,                                                         \
      "tuple item added where the old schema allowed any value")                                   \
    X(ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, 1,                                       \
      "tuple item accepting anything added to an open content model")                              \
    X(ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, 1, "tuple item added to a closed content model")         \
    X(ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL, 1, "tuple item removed; the new schema is open")       \
    X(ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, 1,                                        \
      "tuple item that was never allowed removed")                                                 \
    X(ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL, 0,                                                   \
      "tuple item removed and the new schema is closed: old data with it is rejected")             \
    X(ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 1,                                  \
      "tuple item removed; the new additionalItems accepts it")                                    \
    X(ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 0,                                 \
      "tuple item removed; the new additionalItems rejects it")                                    \
    X(ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 1,                                    \
      "tuple item added; it accepts what the old additionalItems did")                             \
    X(ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, 0,                                   \
      "tuple item added; it rejects some of what the old additionalItems accepted")                \
    X(ENUM_ARRAY_EXTENDED, 1, "enum gained values")                                                \
    X(ENUM_ARRAY_NARROWED, 0, "enum lost values")                                                  \
    X(ENUM_ARRAY_CHANGED, 0, "enum/const values changed")                                          \
    X(COMBINED_TYPE_EXTENDED, 1, "combinator widened (e.g. oneOf to anyOf)")                       \
    X(COMBINED_TYPE_CHANGED, 0, "combinator changed")                                              \
    X(PRODUCT_TYPE_EXTENDED, 0, "allOf gained subschemas")                                         \
    X(PRODUCT_TYPE_NARROWED, 1, "allOf lost subschemas")                                           \
    X(SUM_TYPE_EXTENDED, 1, "oneOf/anyOf gained subschemas")                                       \
    X(SUM_TYPE_NARROWED, 0, "oneOf/anyOf lost subschemas")                                         \
    X(COMBINED_TYPE_SUBSCHEMAS_CHANGED, 0,                                                         \
      "some old subschema has no compatible counterpart in the new schema")                        \
    X(NOT_TYPE_EXTENDED, 0, "not now rejects more")                                                \
    X(NOT_TYPE_NARROWED, 1, "not now rejects less")

enum {
#define JS_CHG_ENUM_(name, compat, reason) CHG_##name,
    JS_CHANGES(JS_CHG_ENUM_)
#undef JS_CHG_ENUM_
        CHG_COUNT_
};

static const struct {
    const char *name;   /* Confluent's name */
    int compatible;     /* in COMPATIBLE_CHANGES */
    const char *reason; /* short explanation */
} chg_table[] = {
#define JS_CHG_ROW_(name, compat, reason) {#name, compat, reason},
    JS_CHANGES(JS_CHG_ROW_)
#undef JS_CHG_ROW_
};

/* A growable list of changes (a Confluent Context's differences). */
typedef struct js_diffs_s {
    int *type;   /* CHG_* */
    char **path; /* owned */
    size_t n;    /* entries */
    size_t cap;  /* capacity */
} js_diffs_t;

/* State of one comparison. */
typedef struct js_cmp_s {
    char path[PATH_MAX_LEN + 1];             /* "#/" + segments; shared by all sub-lists */
    size_t path_len;                         /* strlen(path) */
    size_t n_segs;                           /* segments after "#/" */
    const js_node_t *stack_o[CMP_MAX_STACK]; /* pairs being compared (cycle detection) */
    const js_node_t *stack_u[CMP_MAX_STACK]; /* ... their update side */
    size_t depth;                            /* entries on the stack */
    long budget;                             /* node comparisons left */
    int rc;                                  /* first failure (sticky); SL_OK while fine */
} js_cmp_t;

static void diffs_free(js_diffs_t *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->path[i]);
    free(d->type);
    free(d->path);
    memset(d, 0, sizeof *d);
}

static int diffs_reserve(js_diffs_t *d, size_t more)
{
    if (d->n + more <= d->cap) return SL_OK;
    size_t nc = d->cap ? d->cap * 2 : 8;
    while (nc < d->n + more)
        nc *= 2;
    int *t = realloc(d->type, nc * sizeof *t);
    if (!t) return SL_NOMEM;
    d->type = t;
    char **p = realloc(d->path, nc * sizeof *p);
    if (!p) return SL_NOMEM;
    d->path = p;
    d->cap = nc;
    return SL_OK;
}

/* Adds a change at the current path (plus attr as one more segment when not NULL). */
static void add(js_cmp_t *c, js_diffs_t *d, const char *attr, int type)
{
    if (c->rc != SL_OK) return;
    if (diffs_reserve(d, 1) != SL_OK) {
        c->rc = SL_NOMEM;
        return;
    }
    size_t len = c->path_len + (attr ? strlen(attr) + 1 : 0);
    char *p = malloc(len + 1);
    if (!p) {
        c->rc = SL_NOMEM;
        return;
    }
    if (attr)
        snprintf(p, len + 1, "%s%s%s", c->path, c->n_segs ? "/" : "", attr);
    else
        memcpy(p, c->path, c->path_len + 1);
    d->type[d->n] = type;
    d->path[d->n++] = p;
}

/* Moves every change of src to the end of dst; src ends empty. */
static void merge(js_cmp_t *c, js_diffs_t *dst, js_diffs_t *src)
{
    if (src->n == 0) {
        diffs_free(src);
        return;
    }
    if (c->rc == SL_OK && diffs_reserve(dst, src->n) != SL_OK) c->rc = SL_NOMEM;
    if (c->rc != SL_OK) {
        diffs_free(src);
        return;
    }
    memcpy(dst->type + dst->n, src->type, src->n * sizeof *src->type);
    memcpy(dst->path + dst->n, src->path, src->n * sizeof *src->path);
    dst->n += src->n;
    free(src->type);
    free(src->path);
    memset(src, 0, sizeof *src);
}

static int all_compatible(const js_diffs_t *d)
{
    for (size_t i = 0; i < d->n; i++)
        if (!chg_table[d->type[i]].compatible) return 0;
    return 1;
}

typedef struct js_pathmark_s {
    size_t len;    /* path_len before the push */
    size_t n_segs; /* n_segs before the push */
} js_pathmark_t;

static js_pathmark_t enter(js_cmp_t *c, const char *seg)
{
    js_pathmark_t m = {c->path_len, c->n_segs};
    size_t room = sizeof c->path - c->path_len;
    int n = snprintf(c->path + c->path_len, room, "%s%s", c->n_segs ? "/" : "", seg);
    c->path_len = (n < 0 || (size_t)n >= room) ? sizeof c->path - 1 : c->path_len + (size_t)n;
    c->n_segs++;
    return m;
}

static void leave(js_cmp_t *c, js_pathmark_t m)
{
    c->path_len = m.len;
    c->n_segs = m.n_segs;
    c->path[m.len] = '\0';
}

static void compare(js_cmp_t *c, js_diffs_t *d, const js_node_t *o, const js_node_t *u);

/* Compares in a sub-list and returns whether all its changes are compatible. */
static int compare_sub(js_cmp_t *c, js_diffs_t *sub, const js_node_t *o, const js_node_t *u)
{
    compare(c, sub, o, u);
    return c->rc == SL_OK && all_compatible(sub);
}

static const js_node_t *deref(const js_node_t *n)
{
    /* Parse refused ref cycles without a real schema, so this ends. */
    while (n && n->kind == JS_REF)
        n = n->inner;
    return n;
}

static int is_empty_class(const js_node_t *n)
{
    return n->kind == JS_EMPTY || n->kind == JS_TRUE;
}

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void cmp_count(js_cmp_t *c, js_diffs_t *d, const char *attr, js_int_t o, js_int_t u,
                      int added, int removed, int increased, int decreased)
{
    if (o.has == u.has && (!o.has || o.val == u.val)) return;
    if (!o.has)
        add(c, d, attr, added);
    else if (!u.has)
        add(c, d, attr, removed);
    else
        add(c, d, attr, o.val < u.val ? increased : decreased);
}

static void cmp_limit(js_cmp_t *c, js_diffs_t *d, const char *attr, js_num_t o, js_num_t u,
                      int added, int removed, int increased, int decreased)
{
    if (o.has == u.has && (!o.has || o.val == u.val)) return;
    if (!o.has)
        add(c, d, attr, added);
    else if (!u.has)
        add(c, d, attr, removed);
    else
        add(c, d, attr, o.val < u.val ? increased : decreased);
}

/* b is an integer multiple of a (both > 0). Confluent compares intValue()s, which throws for
 * fractional steps (x % 0); this is the rule it means, exact for integers and within 1e-9
 * relative for decimals (0.1 vs 0.3). No libm: sl_serde does not link it. */
static int is_multiple(double b, double a)
{
    double q = b / a;
    if (!(q >= 1 && q < 9e15)) return 0;
    double r = q - (double)(long long)(q + 0.5);
    if (r < 0) r = -r;
    return r <= 1e-9 * q;
}

static void cmp_string(js_cmp_t *c, js_diffs_t *d, const js_node_t *o, const js_node_t *u)
{
    cmp_count(c, d, "maxLength", o->max_length, u->max_length, CHG_MAX_LENGTH_ADDED,
              CHG_MAX_LENGTH_REMOVED, CHG_MAX_LENGTH_INCREASED, CHG_MAX_LENGTH_DECREASED);
    cmp_count(c, d, "minLength", o->min_length, u->min_length, CHG_MIN_LENGTH_ADDED,
              CHG_MIN_LENGTH_REMOVED, CHG_MIN_LENGTH_INCREASED, CHG_MIN_LENGTH_DECREASED);
    if (!o->pattern && u->pattern)
        add(c, d, "pattern", CHG_PATTERN_ADDED);
    else if (o->pattern && !u->pattern)
        add(c, d, "pattern", CHG_PATTERN_REMOVED);
    else if (o->pattern && strcmp(o->pattern, u->pattern) != 0)
        add(c, d, "pattern", CHG_PATTERN_CHANGED);
}

static void cmp_number(js_cmp_t *c, js_diffs_t *d, const js_node_t *o, const js_node_t *u)
{
    cmp_limit(c, d, "maximum", o->maximum, u->maximum, CHG_MAXIMUM_ADDED, CHG_MAXIMUM_REMOVED,
              CHG_MAXIMUM_INCREASED, CHG_MAXIMUM_DECREASED);
    cmp_limit(c, d, "minimum", o->minimum, u->minimum, CHG_MINIMUM_ADDED, CHG_MINIMUM_REMOVED,
              CHG_MINIMUM_INCREASED, CHG_MINIMUM_DECREASED);
    cmp_limit(c, d, "exclusiveMaximum", o->xmaximum, u->xmaximum, CHG_EXCLUSIVE_MAXIMUM_ADDED,
              CHG_EXCLUSIVE_MAXIMUM_REMOVED, CHG_EXCLUSIVE_MAXIMUM_INCREASED,
              CHG_EXCLUSIVE_MAXIMUM_DECREASED);
    cmp_limit(c, d, "exclusiveMinimum", o->xminimum, u->xminimum, CHG_EXCLUSIVE_MINIMUM_ADDED,
              CHG_EXCLUSIVE_MINIMUM_REMOVED, CHG_EXCLUSIVE_MINIMUM_INCREASED,
              CHG_EXCLUSIVE_MINIMUM_DECREASED);
    js_num_t om = o->multiple_of, um = u->multiple_of;
    if (!(om.has == um.has && (!om.has || om.val == um.val))) {
        if (!om.has)
            add(c, d, "multipleOf", CHG_MULTIPLE_OF_ADDED);
        else if (!um.has)
            add(c, d, "multipleOf", CHG_MULTIPLE_OF_REMOVED);
        else if (is_multiple(um.val, om.val))
            add(c, d, "multipleOf", CHG_MULTIPLE_OF_EXPANDED);
        else if (is_multiple(om.val, um.val))
            add(c, d, "multipleOf", CHG_MULTIPLE_OF_REDUCED);
        else
            add(c, d, "multipleOf", CHG_MULTIPLE_OF_CHANGED);
    }
    if (o->integer != u->integer)
        add(c, d, NULL, o->integer ? CHG_TYPE_EXTENDED : CHG_TYPE_NARROWED);
}

/* Every element of a is in b (JSON equality). */
static int json_subset(const json_t *a, const json_t *b)
{
    for (size_t i = 0; i < json_array_size(a); i++) {
        size_t j;
        for (j = 0; j < json_array_size(b); j++)
            if (json_equal(json_array_get(a, i), json_array_get(b, j))) break;
        if (j == json_array_size(b)) return 0;
    }
    return 1;
}

static void cmp_enum(js_cmp_t *c, js_diffs_t *d, const js_node_t *o, const js_node_t *u)
{
    int fwd = json_subset(o->values, u->values), back = json_subset(u->values, o->values);
    if (fwd && back) return;
    add(c, d, "enum",
        fwd    ? CHG_ENUM_ARRAY_EXTENDED
        : back ? CHG_ENUM_ARRAY_NARROWED
               : CHG_ENUM_ARRAY_CHANGED);
}

static int in_required(const js_node_t *n, const char *name)
{
    for (size_t i = 0; i < json_array_size(n->required); i++)
        if (strcmp(json_string_value(json_array_get(n->required, i)), name) == 0) return 1;
    return 0;
}

static const js_node_t *find_named(const js_named_t *arr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(arr[i].name, name) == 0) return arr[i].node;
    return NULL;
}

/* Object open content model: no patternProperties, no additionalProperties schema, additional
 * properties allowed, and no closing unevaluatedProperties. */
static int object_open(const js_node_t *n)
{
    if (n->n_pattern_props || n->additional || !n->permits_additional) return 0;
    return !n->uneval_props || is_empty_class(n->uneval_props);
}

/* The schema a partially open object gives an undeclared property name, or NULL (closed).
 * Sets c->rc to SL_UNSUPP when a pattern cannot be evaluated. */
static const js_node_t *object_partial(js_cmp_t *c, const js_node_t *n, const char *name)
{
    for (size_t i = 0; i < n->n_pattern_props; i++) {
        if (!n->pattern_props[i].re_ok) {
            if (c->rc == SL_OK) c->rc = SL_UNSUPP;
            return NULL;
        }
        if (regexec(&n->pattern_props[i].re, name, 0, NULL, 0) == 0)
            return n->pattern_props[i].node;
    }
    if (n->additional) return n->additional;
    if (n->permits_additional && n->uneval_props && n->uneval_props->kind != JS_FALSE &&
        !is_empty_class(n->uneval_props))
        return n->uneval_props;
    return NULL;
}

static void cmp_uneval(js_cmp_t *c, js_diffs_t *d, const char *key, const js_node_t *o,
                       const js_node_t *u, int added, int removed, int extended, int narrowed)
{
    if (!o && !u) return;
    js_pathmark_t m = enter(c, key);
    if (!o)
        add(c, d, NULL, u->kind == JS_FALSE ? removed : narrowed);
    else if (!u)
        add(c, d, NULL, o->kind == JS_FALSE ? added : extended);
    else if (o->kind == JS_FALSE && u->kind != JS_FALSE)
        add(c, d, NULL, added);
    else if (o->kind != JS_FALSE && u->kind == JS_FALSE)
        add(c, d, NULL, removed);
    else if (is_empty_class(o) && !is_empty_class(u))
        add(c, d, NULL, narrowed);
    else if (!is_empty_class(o) && is_empty_class(u))
        add(c, d, NULL, extended);
    else
        compare(c, d, o, u);
    leave(c, m);
}

static void cmp_object(js_cmp_t *c, js_diffs_t *d, const js_node_t *o, const js_node_t *u)
{
    js_pathmark_t m, m2;

    /* required, for properties declared on both sides */
    m = enter(c, "required");
    for (size_t i = 0; i < o->n_props; i++) {
        const char *name = o->props[i].name;
        const js_node_t *us = find_named(u->props, u->n_props, name);
        if (!us) continue;
        int oreq = in_required(o, name), ureq = in_required(u, name);
        if (oreq == ureq) continue;
        m2 = enter(c, name);
        if (oreq)
            add(c, d, NULL, CHG_REQUIRED_ATTRIBUTE_REMOVED);
        else
            add(c, d, NULL,
                us->dflt ? CHG_REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                         : CHG_REQUIRED_ATTRIBUTE_ADDED);
        leave(c, m2);
    }
    leave(c, m);

    /* properties: in the original (removed or changed), then only in the update (added) */
    m = enter(c, "properties");
    for (size_t i = 0; i < o->n_props && c->rc == SL_OK; i++) {
        const char *name = o->props[i].name;
        const js_node_t *os = o->props[i].node;
        const js_node_t *us = find_named(u->props, u->n_props, name);
        m2 = enter(c, name);
        if (us) {
            compare(c, d, os, us);
        } else if (object_open(u)) {
            add(c, d, NULL, CHG_PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL);
        } else {
            const js_node_t *partial = object_partial(c, u, name);
            if (partial) {
                js_diffs_t sub = {0};
                int ok = compare_sub(c, &sub, os, partial);
                merge(c, d, &sub);
                add(c, d, NULL,
                    ok ? CHG_PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                       : CHG_PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
            } else {
                add(c, d, NULL,
                    deref(os)->kind == JS_FALSE
                        ? CHG_PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
                        : CHG_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL);
            }
        }
        leave(c, m2);
    }
    for (size_t i = 0; i < u->n_props && c->rc == SL_OK; i++) {
        const char *name = u->props[i].name;
        if (find_named(o->props, o->n_props, name)) continue;
        const js_node_t *us = u->props[i].node;
        int req = in_required(u, name);
        m2 = enter(c, name);
        if (object_open(o)) {
            if (is_empty_class(deref(us)))
                add(c, d, NULL, CHG_PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL);
            else if (req)
                add(c, d, NULL,
                    us->dflt ? CHG_REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
                             : CHG_REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL);
            else
                add(c, d, NULL, CHG_OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL);
        } else {
            const js_node_t *partial = object_partial(c, o, name);
            if (partial) {
                js_diffs_t sub = {0};
                int ok = compare_sub(c, &sub, partial, us);
                merge(c, d, &sub);
                add(c, d, NULL,
                    ok ? CHG_PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                       : CHG_PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
            }
            /* Closed and partially open alike: a new required property breaks old data. */
            if (req)
                add(c, d, NULL,
                    us->dflt ? CHG_REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL
                             : CHG_REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL);
            else
                add(c, d, NULL, CHG_OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL);
        }
        leave(c, m2);
    }
    leave(c, m);

    /* dependencies */
    m = enter(c, "dependencies");
    for (size_t i = 0; i < o->n_pdeps; i++) {
        const js_pdep_t *od = &o->pdeps[i];
        const js_pdep_t *ud = NULL;
        for (size_t j = 0; j < u->n_pdeps && !ud; j++)
            if (strcmp(u->pdeps[j].name, od->name) == 0) ud = &u->pdeps[j];
        m2 = enter(c, od->name);
        if (!ud) {
            add(c, d, NULL, CHG_DEPENDENCY_ARRAY_REMOVED);
        } else {
            int fwd = json_subset(od->list, ud->list), back = json_subset(ud->list, od->list);
            if (!(fwd && back))
                add(c, d, NULL,
                    fwd    ? CHG_DEPENDENCY_ARRAY_EXTENDED
                    : back ? CHG_DEPENDENCY_ARRAY_NARROWED
                           : CHG_DEPENDENCY_ARRAY_CHANGED);
        }
        leave(c, m2);
    }
    for (size_t j = 0; j < u->n_pdeps; j++) {
        int found = 0;
        for (size_t i = 0; i < o->n_pdeps && !found; i++)
            found = strcmp(u->pdeps[j].name, o->pdeps[i].name) == 0;
        if (found) continue;
        m2 = enter(c, u->pdeps[j].name);
        add(c, d, NULL, CHG_DEPENDENCY_ARRAY_ADDED);
        leave(c, m2);
    }
    for (size_t i = 0; i < o->n_sdeps && c->rc == SL_OK; i++) {
        const js_node_t *us = find_named(u->sdeps, u->n_sdeps, o->sdeps[i].name);
        m2 = enter(c, o->sdeps[i].name);
        if (!us)
            add(c, d, NULL, CHG_DEPENDENCY_SCHEMA_REMOVED);
        else
            compare(c, d, o->sdeps[i].node, us);
        leave(c, m2);
    }
    for (size_t j = 0; j < u->n_sdeps; j++) {
        if (find_named(o->sdeps, o->n_sdeps, u->sdeps[j].name)) continue;
        m2 = enter(c, u->sdeps[j].name);
        add(c, d, NULL, CHG_DEPENDENCY_SCHEMA_ADDED);
        leave(c, m2);
    }
    leave(c, m);

    /* additionalProperties */
    m = enter(c, "additionalProperties");
    if (o->permits_additional != u->permits_additional)
        add(c, d, NULL,
            u->permits_additional ? CHG_ADDITIONAL_PROPERTIES_ADDED
                                  : CHG_ADDITIONAL_PROPERTIES_REMOVED);
    else if (!o->additional && u->additional)
        add(c, d, NULL, CHG_ADDITIONAL_PROPERTIES_NARROWED);
    else if (o->additional && !u->additional)
        add(c, d, NULL, CHG_ADDITIONAL_PROPERTIES_EXTENDED);
    else if (o->additional)
        compare(c, d, o->additional, u->additional);
    leave(c, m);

    cmp_uneval(c, d, "unevaluatedProperties", o->uneval_props, u->uneval_props,
               CHG_UNEVALUATED_PROPERTIES_ADDED, CHG_UNEVALUATED_PROPERTIES_REMOVED,
               CHG_UNEVALUATED_PROPERTIES_EXTENDED, CHG_UNEVALUATED_PROPERTIES_NARROWED);

    cmp_count(c, d, "maxProperties", o->max_props, u->max_props, CHG_MAX_PROPERTIES_ADDED,
              CHG_MAX_PROPERTIES_REMOVED, CHG_MAX_PROPERTIES_INCREASED,
              CHG_MAX_PROPERTIES_DECREASED);
    cmp_count(c, d, "minProperties", o->min_props, u->min_props, CHG_MIN_PROPERTIES_ADDED,
              CHG_MIN_PROPERTIES_REMOVED, CHG_MIN_PROPERTIES_INCREASED,
              CHG_MIN_PROPERTIES_DECREASED);
}

/* Array open content model: additional items allowed with no schema, and no closing
 * unevaluatedItems. */
static int array_open(const js_node_t *n)
{
    if (!n->permits_additional_items || n->additional_items) return 0;
    return !n->uneval_items || is_empty_class(n->uneval_items);
}

static const js_node_t *array_partial(const js_node_t *n)
{
    if (n->additional_items) return n->additional_items;
    if (n->permits_additional_items && n->uneval_items && n->uneval_items->kind != JS_FALSE &&
        !is_empty_class(n->uneval_items))
        return n->uneval_items;
    return NULL;
}

static void cmp_array(js_cmp_t *c, js_diffs_t *d, const js_node_t *o, const js_node_t *u)
{
    js_pathmark_t m = enter(c, "items");
    if (o->all_items && u->all_items)
        compare(c, d, o->all_items, u->all_items);
    else if (!o->all_items && u->all_items)
        add(c, d, NULL, CHG_SCHEMA_ADDED);
    else if (o->all_items && !u->all_items)
        add(c, d, NULL, CHG_SCHEMA_REMOVED);
    leave(c, m);

    size_t common = o->n_items < u->n_items ? o->n_items : u->n_items;
    for (size_t i = 0; i < o->n_items || i < u->n_items; i++) {
        if (c->rc != SL_OK) break;
        char seg[40];
        snprintf(seg, sizeof seg, "items/%zu", i);
        m = enter(c, seg);
        if (i < common) {
            compare(c, d, o->item_list[i], u->item_list[i]);
        } else if (i < o->n_items) {
            const js_node_t *os = o->item_list[i];
            const js_node_t *partial = array_partial(u);
            if (array_open(u)) {
                add(c, d, NULL, CHG_ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL);
            } else if (partial) {
                js_diffs_t sub = {0};
                int ok = compare_sub(c, &sub, os, partial);
                merge(c, d, &sub);
                add(c, d, NULL,
                    ok ? CHG_ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                       : CHG_ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
            } else {
                add(c, d, NULL,
                    deref(os)->kind == JS_FALSE
                        ? CHG_ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
                        : CHG_ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL);
            }
        } else {
            const js_node_t *us = u->item_list[i];
            const js_node_t *partial = array_partial(o);
            if (array_open(o)) {
                add(c, d, NULL,
                    is_empty_class(deref(us))
                        ? CHG_ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                        : CHG_ITEM_ADDED_TO_OPEN_CONTENT_MODEL);
            } else if (partial) {
                js_diffs_t sub = {0};
                int ok = compare_sub(c, &sub, partial, us);
                merge(c, d, &sub);
                add(c, d, NULL,
                    ok ? CHG_ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                       : CHG_ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL);
            } else {
                add(c, d, NULL, CHG_ITEM_ADDED_TO_CLOSED_CONTENT_MODEL);
            }
        }
        leave(c, m);
    }

    m = enter(c, "additionalItems");
    if (o->permits_additional_items != u->permits_additional_items)
        add(c, d, NULL,
            o->permits_additional_items ? CHG_ADDITIONAL_ITEMS_REMOVED
                                        : CHG_ADDITIONAL_ITEMS_ADDED);
    else if (!o->additional_items && u->additional_items)
        add(c, d, NULL, CHG_ADDITIONAL_ITEMS_NARROWED);
    else if (o->additional_items && !u->additional_items)
        add(c, d, NULL, CHG_ADDITIONAL_ITEMS_EXTENDED);
    else if (o->additional_items)
        compare(c, d, o->additional_items, u->additional_items);
    leave(c, m);

    cmp_uneval(c, d, "unevaluatedItems", o->uneval_items, u->uneval_items,
               CHG_UNEVALUATED_ITEMS_ADDED, CHG_UNEVALUATED_ITEMS_REMOVED,
               CHG_UNEVALUATED_ITEMS_EXTENDED, CHG_UNEVALUATED_ITEMS_NARROWED);

    cmp_count(c, d, "maxItems", o->max_items, u->max_items, CHG_MAX_ITEMS_ADDED,
              CHG_MAX_ITEMS_REMOVED, CHG_MAX_ITEMS_INCREASED, CHG_MAX_ITEMS_DECREASED);
    cmp_count(c, d, "minItems", o->min_items, u->min_items, CHG_MIN_ITEMS_ADDED,
              CHG_MIN_ITEMS_REMOVED, CHG_MIN_ITEMS_INCREASED, CHG_MIN_ITEMS_DECREASED);
    if (o->unique_items != u->unique_items)
        add(c, d, "uniqueItems",
            o->unique_items ? CHG_UNIQUE_ITEMS_REMOVED : CHG_UNIQUE_ITEMS_ADDED);
    cmp_count(c, d, "maxContains", o->max_contains, u->max_contains, CHG_MAX_CONTAINS_ADDED,
              CHG_MAX_CONTAINS_REMOVED, CHG_MAX_CONTAINS_INCREASED, CHG_MAX_CONTAINS_DECREASED);
    cmp_count(c, d, "minContains", o->min_contains, u->min_contains, CHG_MIN_CONTAINS_ADDED,
              CHG_MIN_CONTAINS_REMOVED, CHG_MIN_CONTAINS_INCREASED, CHG_MIN_CONTAINS_DECREASED);
}

/* Subschemas of a combined node with duplicates (equal JSON) collapsed, in order. */
static size_t distinct_subs(const js_node_t *n, const js_node_t **out)
{
    size_t k = 0;
    for (size_t i = 0; i < n->n_subs; i++) {
        int dup = 0;
        for (size_t j = 0; j < k && !dup; j++)
            dup = out[j]->src && n->subs[i]->src && json_equal(out[j]->src, n->subs[i]->src);
        if (!dup) out[k++] = n->subs[i];
    }
    return k;
}

/* Kuhn's augmenting path for the maximum matching of compatible branch pairs: edge is the
 * no x nu matrix, match_u[j] the original branch matched to update branch j (SIZE_MAX: none). */
static int augment(size_t i, size_t nu, const unsigned char *edge, size_t *match_u,
                   unsigned char *seen)
{
    for (size_t j = 0; j < nu; j++) {
        if (!edge[i * nu + j] || seen[j]) continue;
        seen[j] = 1;
        if (match_u[j] == SIZE_MAX || augment(match_u[j], nu, edge, match_u, seen)) {
            match_u[j] = i;
            return 1;
        }
    }
    return 0;
}

static void cmp_combined(js_cmp_t *c, js_diffs_t *d, const js_node_t *o, const js_node_t *u)
{
    int crit_chg = -1;
    if (o->crit != u->crit) {
        if (u->crit == CRIT_ANY)
            crit_chg = CHG_COMBINED_TYPE_EXTENDED;
        else if (u->crit == CRIT_ONE)
            crit_chg = o->n_subs == 1 ? CHG_COMBINED_TYPE_EXTENDED : CHG_COMBINED_TYPE_CHANGED;
        else
            crit_chg = o->n_subs == 1 && u->n_subs == 1 ? CHG_COMBINED_TYPE_EXTENDED
                                                        : CHG_COMBINED_TYPE_CHANGED;
        add(c, d, NULL, crit_chg);
        if (crit_chg == CHG_COMBINED_TYPE_CHANGED) return;
    }
    const js_node_t **os = malloc((o->n_subs + u->n_subs) * sizeof *os);
    if (!os) {
        c->rc = SL_NOMEM;
        return;
    }
    const js_node_t **us = os + o->n_subs;
    size_t no = distinct_subs(o, os), nu = distinct_subs(u, us);
    if (no < nu)
        add(c, d, NULL, u->crit == CRIT_ALL ? CHG_PRODUCT_TYPE_EXTENDED : CHG_SUM_TYPE_EXTENDED);
    else if (no > nu)
        add(c, d, NULL, u->crit == CRIT_ALL ? CHG_PRODUCT_TYPE_NARROWED : CHG_SUM_TYPE_NARROWED);

    /* Compatible pairs (original branch i can be read as update branch j), with their changes. */
    unsigned char *edge = calloc(no * nu + 1, 1);
    js_diffs_t *pair = calloc(no * nu + 1, sizeof *pair);
    size_t *match_u = malloc((nu + 1) * sizeof *match_u);
    unsigned char *seen = malloc(nu + 1);
    if (!edge || !pair || !match_u || !seen) {
        c->rc = SL_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < no && c->rc == SL_OK; i++) {
        char seg[48];
        snprintf(seg, sizeof seg, "%s/%zu", crit_names[o->crit], i);
        js_pathmark_t m = enter(c, seg);
        for (size_t j = 0; j < nu && c->rc == SL_OK; j++)
            edge[i * nu + j] = (unsigned char)compare_sub(c, &pair[i * nu + j], os[i], us[j]);
        leave(c, m);
    }
    if (c->rc != SL_OK) goto done;
    for (size_t j = 0; j < nu; j++)
        match_u[j] = SIZE_MAX;
    size_t matched = 0;
    for (size_t i = 0; i < no; i++) {
        memset(seen, 0, nu);
        matched += (size_t)augment(i, nu, edge, match_u, seen);
    }
    for (size_t j = 0; j < nu; j++)
        if (match_u[j] != SIZE_MAX) merge(c, d, &pair[match_u[j] * nu + j]);
    if (matched < (no < nu ? no : nu)) add(c, d, NULL, CHG_COMBINED_TYPE_SUBSCHEMAS_CHANGED);
done:
    if (pair)
        for (size_t k = 0; k < no * nu; k++)
            diffs_free(&pair[k]);
    free(pair);
    free(edge);
    free(match_u);
    free(seen);
    free(os);
}

static void compare(js_cmp_t *c, js_diffs_t *d, const js_node_t *o, const js_node_t *u)
{
    if (c->rc != SL_OK) return;
    if (!o && !u) return;
    if (!o) {
        add(c, d, NULL, CHG_SCHEMA_ADDED);
        return;
    }
    if (!u) {
        add(c, d, NULL, CHG_SCHEMA_REMOVED);
        return;
    }
    if (--c->budget < 0) {
        c->rc = SL_TOOBIG;
        return;
    }
    o = deref(o);
    u = deref(u);
    for (size_t i = 0; i < c->depth; i++)
        if (c->stack_o[i] == o && c->stack_u[i] == u) return; /* $ref cycle: compatible */
    if (c->depth == CMP_MAX_STACK) {
        c->rc = SL_TOOBIG;
        return;
    }
    c->stack_o[c->depth] = o;
    c->stack_u[c->depth] = u;
    c->depth++;

    /* A plain schema against a combined one: a singleton combinator, a branch of a new
     * oneOf/anyOf, or (original side) a branch of an old allOf may match it alone. */
    if (o->kind != JS_COMBINED && u->kind == JS_COMBINED) {
        if (u->n_subs == 1) {
            js_diffs_t sub = {0};
            if (compare_sub(c, &sub, o, u->subs[0])) {
                merge(c, d, &sub);
                goto out;
            }
            diffs_free(&sub);
        } else if (u->crit != CRIT_ALL) {
            for (size_t i = 0; i < u->n_subs && c->rc == SL_OK; i++) {
                js_diffs_t sub = {0};
                if (compare_sub(c, &sub, o, u->subs[i])) {
                    merge(c, d, &sub);
                    add(c, d, NULL, CHG_SUM_TYPE_EXTENDED);
                    goto out;
                }
                diffs_free(&sub);
            }
        }
    } else if (o->kind == JS_COMBINED && u->kind != JS_COMBINED) {
        if (o->n_subs == 1) {
            js_diffs_t sub = {0};
            if (compare_sub(c, &sub, o->subs[0], u)) {
                merge(c, d, &sub);
                goto out;
            }
            diffs_free(&sub);
        } else if (o->crit == CRIT_ALL) {
            for (size_t i = 0; i < o->n_subs && c->rc == SL_OK; i++) {
                js_diffs_t sub = {0};
                if (compare_sub(c, &sub, o->subs[i], u)) {
                    merge(c, d, &sub);
                    add(c, d, NULL, CHG_PRODUCT_TYPE_NARROWED);
                    goto out;
                }
                diffs_free(&sub);
            }
        }
    }
    if (c->rc != SL_OK) goto out;

    if (o->kind != u->kind) {
        /* Anything may become "accept anything"; "accept nothing" may become anything. */
        if (o->kind != JS_FALSE && !is_empty_class(u)) add(c, d, NULL, CHG_TYPE_CHANGED);
        goto out;
    }
    if (!str_eq(o->id, u->id)) add(c, d, NULL, CHG_ID_CHANGED);
    if (!str_eq(o->title, u->title)) add(c, d, NULL, CHG_TITLE_CHANGED);
    if (!str_eq(o->description, u->description)) add(c, d, NULL, CHG_DESCRIPTION_CHANGED);
    if ((o->dflt == NULL) != (u->dflt == NULL) || (o->dflt && !json_equal(o->dflt, u->dflt)))
        add(c, d, NULL, CHG_DEFAULT_CHANGED);
    switch (o->kind) {
    case JS_STRING:
        cmp_string(c, d, o, u);
        break;
    case JS_NUMBER:
        cmp_number(c, d, o, u);
        break;
    case JS_ENUM:
        cmp_enum(c, d, o, u);
        break;
    case JS_CONST:
        if (!json_equal(o->values, u->values)) add(c, d, "const", CHG_ENUM_ARRAY_CHANGED);
        break;
    case JS_COMBINED:
        cmp_combined(c, d, o, u);
        break;
    case JS_NOT: {
        js_pathmark_t m = enter(c, "not");
        js_diffs_t sub = {0};
        /* Reversed: the new "not" must reject no more than the old one did. */
        int ok = compare_sub(c, &sub, u->inner, o->inner);
        diffs_free(&sub);
        add(c, d, NULL, ok ? CHG_NOT_TYPE_NARROWED : CHG_NOT_TYPE_EXTENDED);
        leave(c, m);
        break;
    }
    case JS_OBJECT:
        cmp_object(c, d, o, u);
        break;
    case JS_ARRAY:
        cmp_array(c, d, o, u);
        break;
    default:
        break; /* EMPTY, TRUE, FALSE, BOOLEAN, NULL, COND: annotations only */
    }
out:
    c->depth--;
}

int sl_jsonschema_compat(const sl_jsonschema_t *reader, const sl_jsonschema_t *writer,
                         sl_jsonschema_report_t *out)
{
    memset(out, 0, sizeof *out);
    js_cmp_t *c = calloc(1, sizeof *c);
    if (!c) return SL_NOMEM;
    strcpy(c->path, "#/");
    c->path_len = 2;
    c->budget = CMP_BUDGET;
    js_diffs_t d = {0};
    compare(c, &d, writer->top, reader->top);
    int rc = c->rc;
    free(c);
    if (rc != SL_OK) {
        diffs_free(&d);
        return rc;
    }
    out->changes = calloc(d.n ? d.n : 1, sizeof *out->changes);
    if (!out->changes) {
        diffs_free(&d);
        return SL_NOMEM;
    }
    out->compatible = 1;
    for (size_t i = 0; i < d.n; i++) {
        sl_jsonschema_change_t *ch = &out->changes[i];
        ch->type = chg_table[d.type[i]].name;
        ch->reason = chg_table[d.type[i]].reason;
        ch->compatible = chg_table[d.type[i]].compatible;
        ch->path = d.path[i]; /* ownership moves to the report */
        if (!ch->compatible) out->compatible = 0;
    }
    out->n_changes = d.n;
    free(d.type);
    free(d.path);
    return SL_OK;
}

void sl_jsonschema_report_free(sl_jsonschema_report_t *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_changes; i++)
        free(r->changes[i].path);
    free(r->changes);
    memset(r, 0, sizeof *r);
}
