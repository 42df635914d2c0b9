/*
 * jsonschema_int.h — private internals of serde/'s JSON Schema support, shared by
 *   jsonschema.c          parsing (keywords -> node graph, $id/$anchor index, references)
 *   jsonschema_compat.c   Confluent SchemaDiff compatibility between two node graphs
 *   jsonschema_validate.c validation of a JSON document against a node graph
 *   jsonschema_regex.c    ECMA-262 "pattern" subset compiled for a linear-time matcher
 * Nothing outside serde/ includes this file.
 *
 * The node graph (see jsonschema.c for how keywords group into nodes):
 *
 *   sl_jsonschema_t --top--> node --subs[]/props[]/items/inner ...--> node ...
 *        |  nodes[] owns every node of this schema
 *        |  deps[]  holds a reference on every schema this one refers to (Confluent
 *        |          schema references); REF nodes may point into a dependency's nodes
 *        '  root    the jansson document; every string and json_t inside nodes is borrowed
 *                   from it (or from a dependency's root)
 *
 * Cycles exist only through REF nodes (inner), so walkers stop on REF nodes they have seen.
 * Fields marked "validation" are read only by jsonschema_validate.c; the compatibility
 * checker works on the everit-shaped part of the model and ignores them.
 */
#ifndef SL_SERDE_JSONSCHEMA_INT_H
#define SL_SERDE_JSONSCHEMA_INT_H

#include "serde/jsonschema.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Longest path kept in a report entry or a message. */
#define JS_PATH_MAX 480

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

/* Draft a document is read as ("$schema" of its root; draft 7 when absent or unknown). */
typedef enum js_draft_e { DRAFT4, DRAFT6, DRAFT7, DRAFT2019, DRAFT2020 } js_draft_t;

typedef struct js_node_s js_node_t;
typedef struct js_regex_s js_regex_t;

/* A named subschema: properties, patternProperties, schema dependencies. */
typedef struct js_named_s {
    const char *name; /* borrowed from the document */
    js_node_t *node;  /* borrowed from a schema's nodes */
    js_regex_t *re;   /* patternProperties only: compiled name, NULL when it did not compile */
    int inactive;     /* validation: keyword not in this draft (dependentSchemas before
                         2019-09), kept for the compatibility model only */
} js_named_t;

/* A property dependency: "a": ["b", "c"]. */
typedef struct js_pdep_s {
    const char *name; /* the property that triggers */
    json_t *list;     /* borrowed JSON array of strings */
    int inactive;     /* validation: dependentRequired before 2019-09 */
} js_pdep_t;

/* An optional non-negative integer keyword. */
typedef struct js_int_s {
    int has;     /* 1 when present */
    int64_t val; /* its value */
} js_int_t;

/* An optional number keyword. */
typedef struct js_num_s {
    int has;           /* 1 when present */
    double val;        /* its value (what the compatibility rules compare) */
    const json_t *num; /* validation: the JSON number itself, compared exactly */
} js_num_t;

struct js_node_s {
    js_kind_t kind;          /* which class */
    js_draft_t draft;        /* draft of the document the node came from */
    json_t *src;             /* JSON this node came from; NULL for synthetic nodes */
    const char *id;          /* $id (id in draft 4), or NULL */
    const char *title;       /* title, or NULL */
    const char *description; /* description, or NULL */
    json_t *dflt;            /* default, or NULL */
    int typed;               /* validation: the family came from "type" and asserts it;
                                a family node found by its keywords alone does not */

    /* STRING */
    js_int_t min_length, max_length; /* minLength, maxLength */
    const char *pattern;             /* pattern, or NULL */
    js_regex_t *pattern_re;          /* validation: compiled pattern (NULL: absent or refused) */
    const char *format;              /* validation: format, or NULL */

    /* NUMBER */
    int integer;                 /* "type": "integer" */
    js_num_t minimum, maximum;   /* minimum, maximum */
    js_num_t xminimum, xmaximum; /* numeric exclusiveMinimum/Maximum (draft 6+) */
    js_num_t multiple_of;        /* multipleOf */
    int xmin_flag, xmax_flag;    /* validation: draft 4 boolean exclusiveMinimum/Maximum */

    /* OBJECT */
    js_named_t *props;             /* properties */
    size_t n_props;                /* entries in props */
    js_named_t **props_sorted;     /* validation: props by name, for binary search */
    json_t *required;              /* borrowed array of strings, or NULL */
    js_named_t *pattern_props;     /* patternProperties */
    size_t n_pattern_props;        /* entries in pattern_props */
    int permits_additional;        /* 0 when additionalProperties is false */
    js_node_t *additional;         /* schema of additionalProperties, NULL when boolean/absent */
    int additional_kw;             /* validation: additionalProperties is present */
    js_pdep_t *pdeps;              /* property dependencies */
    size_t n_pdeps;                /* entries in pdeps */
    js_named_t *sdeps;             /* schema dependencies */
    size_t n_sdeps;                /* entries in sdeps */
    js_int_t min_props, max_props; /* minProperties, maxProperties */
    js_node_t *uneval_props;       /* unevaluatedProperties, or NULL */
    js_node_t *property_names;     /* validation: propertyNames (draft 6+), or NULL */

    /* ARRAY */
    js_node_t *all_items;                /* items as one schema, or NULL */
    js_node_t **item_list;               /* items as a tuple (or prefixItems) */
    size_t n_items;                      /* entries in item_list */
    int tuple;                           /* validation: item_list is present (maybe empty) */
    int permits_additional_items;        /* 0 when additionalItems is false */
    js_node_t *additional_items;         /* schema of additionalItems, NULL when boolean/absent */
    int additional_items_kw;             /* validation: additionalItems (items after
                                            prefixItems) is present */
    js_int_t min_items, max_items;       /* minItems, maxItems */
    js_int_t min_contains, max_contains; /* minContains, maxContains */
    int unique_items;                    /* uniqueItems */
    js_node_t *uneval_items;             /* unevaluatedItems, or NULL */
    js_node_t *contains;                 /* validation: contains (draft 6+), or NULL */

    /* ENUM / CONST */
    json_t *values; /* enum: borrowed array; const: the value */

    /* COMBINED */
    js_crit_t crit;   /* which combinator */
    js_node_t **subs; /* its subschemas */
    size_t n_subs;    /* entries in subs */
    int type_list;    /* validation: the anyOf that a "type" array stands for */

    /* NOT, REF */
    js_node_t *inner;    /* NOT: the negated schema; REF: the target */
    js_node_t *siblings; /* validation, REF (2019-09+): the keywords beside "$ref", or NULL */

    /* COND */
    js_node_t *if_, *then_, *else_; /* validation: if/then/else; then/else may be NULL */

    /* Validation, on the node that stands for a whole schema object (2019-09+): its
     * unevaluatedProperties/unevaluatedItems, which need the annotations of every keyword of
     * that object, so they are checked after all of them. */
    js_node_t *obj_uneval_props, *obj_uneval_items;
};

/* Pointer-keyed map (open addressing): JSON value -> node or string. */
typedef struct js_pmap_s {
    const void **keys; /* NULL = free slot */
    void **vals;       /* value of keys[i] */
    size_t cap;        /* power of two */
    size_t n;          /* used slots */
} js_pmap_t;

/* A schema resource or anchor of a document: absolute URI -> schema object. */
typedef struct js_res_s {
    char *uri;     /* owned; "http://x/y.json" for a resource, "...#name" for an anchor */
    json_t *value; /* borrowed from the document */
} js_res_t;

/* A Confluent schema reference this schema holds. */
typedef struct js_dep_s {
    char *name;              /* owned; the reference's name as registered */
    char *abs;               /* owned; name resolved against this schema's base URI */
    sl_jsonschema_t *schema; /* a counted reference (released by sl_jsonschema_free) */
} js_dep_t;

struct sl_jsonschema_s {
    json_t *root;      /* the document; owns every borrowed string and value */
    js_node_t *top;    /* node of the root */
    js_node_t **nodes; /* every node, for freeing */
    size_t n_nodes;    /* entries in nodes */
    size_t cap_nodes;  /* capacity of nodes */
    js_draft_t draft;  /* how keywords were read */
    js_pmap_t memo;    /* JSON value of each parsed schema -> its node (references into
                          this schema resolve through it) */
    js_res_t *res;     /* resources and anchors; res[0] is the root resource */
    size_t n_res;      /* entries in res */
    js_dep_t *deps;    /* schema references held */
    size_t n_deps;     /* entries in deps */
    char *unsupp;      /* owned; why validation is refused ("not supported yet"), or NULL */
    int refcount;      /* 1 for the caller + 1 per schema holding this one as a reference;
                          changed atomically */
};

/* Pointer maps (jsonschema.c). */
void *sl_js_pmap_get(const js_pmap_t *m, const void *key);
int sl_js_pmap_put(js_pmap_t *m, const void *key, void *val);
void sl_js_pmap_free(js_pmap_t *m);

/* Follows REF nodes to the schema they stand for (parse refused cycles of REFs only). */
const js_node_t *sl_js_deref(const js_node_t *n);

/* Regular expressions (jsonschema_regex.c): the ECMA-262 subset JSON Schema patterns use,
 * matched by a Pike VM over code points (time linear in the input, no backtracking). */

/* Compiles pattern[0..len) (UTF-8). SL_OK and *out, or SL_UNSUPP (a feature outside the
 * subset, or a pattern that is not a valid ECMA-262 regular expression, or one too large)
 * with the reason in why, or SL_NOMEM. */
int sl_js_regex_compile(const char *pattern, size_t len, js_regex_t **out, char *why,
                        size_t why_size);

/* Does re match somewhere in s[0..len) (UTF-8)? 1 yes, 0 no, SL_TOOBIG when *budget (if not
 * NULL; decremented by the work done) runs out. Thread-safe on a shared re. */
int sl_js_regex_search(const js_regex_t *re, const char *s, size_t len, long *budget);

void sl_js_regex_free(js_regex_t *re);

#endif
