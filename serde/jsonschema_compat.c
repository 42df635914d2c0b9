/*
 * jsonschema_compat.c — compatibility between two parsed JSON Schemas by the rules of
 * Confluent's SchemaDiff, reporting every change with Confluent's change name
 * (Difference.Type) and a JSON-pointer-ish path.
 *
 * Why the node model looks as it does (everit's schema classes) is explained at the top of
 * jsonschema.c; this file walks two such graphs side by side.
 *
 * Invariants:
 * - Both schemas are read only; the comparison keeps its state on the heap per call and in
 *   the report. @locality any thread.
 * - Bounded against hostile input: comparison carries a work budget (combined schemas
 *   compare all pairs of branches, which nests multiplicatively) and a bound on the pair
 *   stack, and fails with SL_TOOBIG rather than running away. A pair of nodes met again
 *   while it is being compared is a $ref cycle and counts as compatible (as in Confluent's
 *   Context).
 * - References (REF nodes) are followed wherever they lead, into a referenced schema too, so
 *   schemas with Confluent schema references compare like their expanded form.
 * - patternProperties names are matched with the ECMA-262 subset of jsonschema_regex.c in
 *   place of Java's regular expressions; a name the subset refuses makes a comparison that
 *   needs it fail with SL_UNSUPP.
 */
#include "serde/jsonschema_int.h"

#include "common/err.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Node comparisons allowed per sl_jsonschema_compat call. */
#define CMP_BUDGET 200000L
/* Deepest stack of node pairs being compared at once (ref chains can exceed parse depth). */
#define CMP_MAX_STACK 512

static const char *const crit_names[] = {"allOf", "anyOf", "oneOf"};

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
    char path[JS_PATH_MAX + 1];              /* "#/" + segments; shared by all sub-lists */
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
    return sl_js_deref(n);
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
        if (!n->pattern_props[i].re) {
            if (c->rc == SL_OK) c->rc = SL_UNSUPP;
            return NULL;
        }
        int m = sl_js_regex_search(n->pattern_props[i].re, name, strlen(name), NULL);
        if (m < 0) {
            if (c->rc == SL_OK) c->rc = m;
            return NULL;
        }
        if (m) return n->pattern_props[i].node;
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
