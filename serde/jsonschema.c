/*
 * jsonschema.c — JSON Schema (drafts 4, 6, 7, 2019-09, 2020-12): parse a schema into a node
 * graph shaped like the one Confluent's registry works on (the everit-json-schema model), with
 * what validation needs beside it; resolve "$ref"s within the document (JSON pointers, $id,
 * anchors) and into Confluent schema references. Comparison is in jsonschema_compat.c,
 * validation in jsonschema_validate.c, the node types in jsonschema_int.h.
 *
 * Why this model: Confluent decides compatibility on everit's schema classes, not on the raw
 * JSON, so the verdict depends on how keywords group into classes. The loader below
 * reproduces that grouping:
 *   true / false / {}              TRUE / FALSE / EMPTY
 *   {"$ref": ...}                  REF to the node of the target (siblings ignored, as everit;
 *                                  from 2019-09 on they are parsed into REF.siblings, which
 *                                  only validation reads)
 *   otherwise each keyword family present yields one node:
 *     enum -> ENUM, const -> CONST, not -> NOT, allOf/anyOf/oneOf -> COMBINED each,
 *     if/then/else -> COND, "type": "x" -> the typed node (consuming that family's keywords),
 *     "type": [..] -> anyOf of typed nodes, and for each family whose keywords remain without a
 *     "type" naming it (object, array, number, string) an untyped node of that family;
 *   no node -> EMPTY, one node -> it, several -> a synthetic allOf of them.
 * So {"type": "string", "enum": ["a"]} is allOf[ENUM, STRING], exactly as Confluent sees it,
 * and validation gets the same answer from it as from the keywords: a typed family node
 * asserts its type, an untyped one applies only to instances of its type.
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
 * halves of dependencies, $defs is definitions. Keywords a draft does not have are kept for
 * the comparison (as before) but flagged so validation ignores them, as the specification
 * says unknown keywords must be.
 *
 * References. Before parsing, one walk over the document's schema positions (not into enum,
 * const, default ...) computes each schema object's base URI and indexes every resource
 * ($id; "id" in draft 4) and anchor ($anchor, $dynamicAnchor, draft 6/7 "$id": "#name") by
 * absolute URI (RFC 3986 resolution; a document without $id has the base
 * "sluice:///schema"). A "$ref" is resolved against the base of the object holding it, then
 * looked up: a resource of this document (+ JSON pointer or anchor fragment), else a
 * Confluent schema reference given to sl_jsonschema_parse_refs, matched by its name as
 * written, or resolved against this document's base, or (searching the references'
 * own references) by name; the REF node then points into the referenced schema's nodes.
 * Anything else stays SL_UNSUPP ("... is not supported yet").
 *
 * Invariants:
 * - A parsed sl_jsonschema_t is immutable (bar its atomic reference count).
 *   @locality any thread.
 * - Every node is reachable from sl_jsonschema_t.nodes and freed from there; $ref cycles are
 *   plain pointers back into that array or into a referenced schema, which this one keeps
 *   alive by holding a reference count on it.
 * - Strings and JSON values inside nodes are borrowed from the jansson document the schema
 *   keeps alive (root).
 * - Bounded against hostile input: nesting deeper than SL_JSONSCHEMA_MAX_DEPTH is refused.
 * - What validation cannot do (a pattern outside the supported ECMA-262 subset,
 *   $dynamicRef/$recursiveRef) does not fail the parse, since Confluent accepts such schemas;
 *   it is recorded in unsupp and sl_jsonschema_validate refuses with that reason.
 */
#include "serde/jsonschema_int.h"

#include "common/err.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Base URI of a document without "$id". */
#define DEFAULT_BASE "sluice:///schema"
/* How deep the search for a reference name goes into references' own references. */
#define DEP_SEARCH_DEPTH 8

static const char *const crit_names[] = {"allOf", "anyOf", "oneOf"};

/* ------------------------------------------------------------------------------------------ */
/* Pointer maps                                                                               */
/* ------------------------------------------------------------------------------------------ */

static size_t pmap_slot(const js_pmap_t *m, const void *key)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(h >> 7) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    return i;
}

void *sl_js_pmap_get(const js_pmap_t *m, const void *key)
{
    if (m->cap == 0) return NULL;
    size_t i = pmap_slot(m, key);
    return m->keys[i] ? m->vals[i] : NULL;
}

int sl_js_pmap_put(js_pmap_t *m, const void *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        js_pmap_t g = {0};
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
            size_t j = pmap_slot(&g, m->keys[i]);
            g.keys[j] = m->keys[i];
            g.vals[j] = m->vals[i];
            g.n++;
        }
        free(m->keys);
        free(m->vals);
        *m = g;
    }
    size_t i = pmap_slot(m, key);
    if (!m->keys[i]) m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
    return SL_OK;
}

void sl_js_pmap_free(js_pmap_t *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------------------------------------------ */
/* URIs (RFC 3986, section 5: reference resolution)                                           */
/* ------------------------------------------------------------------------------------------ */

typedef struct uri_part_s {
    const char *s; /* start, borrowed */
    size_t n;      /* length */
    int has;       /* present (an empty query "?" is present) */
} uri_part_t;

typedef struct uri_s {
    uri_part_t scheme, auth, path, query, frag; /* the five components */
} uri_t;

static void uri_split(const char *u, uri_t *o)
{
    memset(o, 0, sizeof *o);
    const char *p = u;
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
        const char *q = p + 1;
        while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
               *q == '+' || *q == '-' || *q == '.')
            q++;
        if (*q == ':') {
            o->scheme = (uri_part_t){p, (size_t)(q - p), 1};
            p = q + 1;
        }
    }
    if (p[0] == '/' && p[1] == '/') {
        p += 2;
        size_t n = strcspn(p, "/?#");
        o->auth = (uri_part_t){p, n, 1};
        p += n;
    }
    size_t n = strcspn(p, "?#");
    o->path = (uri_part_t){p, n, 1};
    p += n;
    if (*p == '?') {
        p++;
        n = strcspn(p, "#");
        o->query = (uri_part_t){p, n, 1};
        p += n;
    }
    if (*p == '#') o->frag = (uri_part_t){p + 1, strlen(p + 1), 1};
}

/* Appends path in[0..n) to out with "." and ".." segments removed (RFC 3986 5.2.4). */
static void remove_dots(const char *in, size_t n, char *out, size_t *olen)
{
    size_t i = 0, o = *olen, start = *olen;
    while (i < n) {
        const char *s = in + i;
        size_t left = n - i;
        if (left >= 3 && memcmp(s, "../", 3) == 0) {
            i += 3;
        } else if (left >= 2 && memcmp(s, "./", 2) == 0) {
            i += 2;
        } else if (left >= 3 && memcmp(s, "/./", 3) == 0) {
            i += 2;
        } else if (left == 2 && memcmp(s, "/.", 2) == 0) {
            i += 1;
            out[o++] = '/';
            break;
        } else if ((left >= 4 && memcmp(s, "/../", 4) == 0) ||
                   (left == 3 && memcmp(s, "/..", 3) == 0)) {
            i += 3;
            while (o > start && out[o - 1] != '/')
                o--;
            if (o > start) o--;
            if (left == 3) {
                out[o++] = '/';
                break;
            }
        } else if ((left == 1 && s[0] == '.') || (left == 2 && memcmp(s, "..", 2) == 0)) {
            break;
        } else {
            size_t k = s[0] == '/' ? 1 : 0;
            while (k < left && s[k] != '/')
                k++;
            memcpy(out + o, s, k);
            o += k;
            i += k;
        }
    }
    *olen = o;
}

/* The target URI of ref against base, without its fragment; malloc'd, NULL when out of
 * memory. */
static char *uri_resolve(const char *base, const char *ref)
{
    uri_t b, r;
    uri_split(base, &b);
    uri_split(ref, &r);
    char *out = malloc(strlen(base) + strlen(ref) + 8);
    if (!out) return NULL;
    size_t o = 0;
#define PUT(part)                                                                                  \
    do {                                                                                           \
        memcpy(out + o, (part).s, (part).n);                                                       \
        o += (part).n;                                                                             \
    } while (0)
    const uri_t *auth_from, *query_from = &r;
    const uri_part_t *scheme = r.scheme.has ? &r.scheme : &b.scheme;
    int path_from_ref = 1, merge = 0;
    if (r.scheme.has) {
        auth_from = &r;
    } else if (r.auth.has) {
        auth_from = &r;
    } else {
        auth_from = &b;
        if (r.path.n == 0) {
            path_from_ref = 0;
            if (!r.query.has) query_from = &b;
        } else if (r.path.s[0] != '/') {
            merge = 1;
        }
    }
    if (scheme->has) {
        PUT(*scheme);
        out[o++] = ':';
    }
    if (auth_from->auth.has) {
        out[o++] = '/';
        out[o++] = '/';
        PUT(auth_from->auth);
    }
    if (!path_from_ref) {
        PUT(b.path);
    } else if (!merge) {
        remove_dots(r.path.s, r.path.n, out, &o);
    } else {
        /* merge: the base path up to its last '/', then the reference's path */
        char *tmp = malloc(b.path.n + r.path.n + 2);
        if (!tmp) {
            free(out);
            return NULL;
        }
        size_t t = 0;
        if (b.auth.has && b.path.n == 0) {
            tmp[t++] = '/';
        } else {
            size_t k = b.path.n;
            while (k > 0 && b.path.s[k - 1] != '/')
                k--;
            memcpy(tmp, b.path.s, k);
            t = k;
        }
        memcpy(tmp + t, r.path.s, r.path.n);
        t += r.path.n;
        remove_dots(tmp, t, out, &o);
        free(tmp);
    }
    if (query_from->query.has) {
        out[o++] = '?';
        PUT(query_from->query);
    }
#undef PUT
    out[o] = '\0';
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* Parser state, messages, nodes                                                              */
/* ------------------------------------------------------------------------------------------ */

typedef struct js_parser_s {
    sl_jsonschema_t *s;              /* schema being built */
    js_pmap_t bases;                 /* schema object -> its base URI (a string in s->res) */
    const char *base;                /* base URI of the object being parsed */
    const sl_jsonschema_ref_t *refs; /* Confluent references offered by the caller */
    size_t n_refs;                   /* entries in refs */
    char **ref_abs;                  /* refs[i].name resolved against the root's base */
    unsigned char *ref_used;         /* refs[i] is referred to */
    int depth;                       /* current nesting */
    char path[JS_PATH_MAX + 1];      /* JSON path of the value being read, for messages */
    size_t path_len;                 /* strlen(path) */
    char *err;                       /* caller's buffer */
    size_t err_size;                 /* its size */
} js_parser_t;

/* Formats "path: message" into buf, replacing anything but printable ASCII with '?'. */
static void format_msg(const js_parser_t *p, char *buf, size_t size, const char *fmt, va_list ap)
{
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (p->path_len > 0)
        snprintf(buf, size, "%s: %s", p->path, msg);
    else
        snprintf(buf, size, "%s", msg);
    for (char *c = buf; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) *c = '?';
}

static int perr(js_parser_t *p, int rc, const char *fmt, ...)
{
    if (!p->err || p->err_size == 0) return rc;
    va_list ap;
    va_start(ap, fmt);
    format_msg(p, p->err, p->err_size, fmt, ap);
    va_end(ap);
    return rc;
}

/* Records the first reason validation must be refused; SL_NOMEM only on allocation failure. */
static int note_unsupp(js_parser_t *p, const char *fmt, ...)
{
    if (p->s->unsupp) return SL_OK;
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    format_msg(p, buf, sizeof buf, fmt, ap);
    va_end(ap);
    p->s->unsupp = strdup(buf);
    return p->s->unsupp ? SL_OK : SL_NOMEM;
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
    n->draft = s->draft;
    n->src = src;
    n->permits_additional = 1;
    n->permits_additional_items = 1;
    s->nodes[s->n_nodes++] = n;
    return n;
}

static void node_free(js_node_t *n)
{
    for (size_t i = 0; i < n->n_pattern_props; i++)
        sl_js_regex_free(n->pattern_props[i].re);
    sl_js_regex_free(n->pattern_re);
    free(n->props);
    free(n->props_sorted);
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
    if (__atomic_sub_fetch(&s->refcount, 1, __ATOMIC_ACQ_REL) > 0) return;
    for (size_t i = 0; i < s->n_nodes; i++)
        node_free(s->nodes[i]);
    free(s->nodes);
    for (size_t i = 0; i < s->n_res; i++)
        free(s->res[i].uri);
    free(s->res);
    for (size_t i = 0; i < s->n_deps; i++) {
        free(s->deps[i].name);
        free(s->deps[i].abs);
        sl_jsonschema_free(s->deps[i].schema);
    }
    free(s->deps);
    sl_js_pmap_free(&s->memo);
    free(s->unsupp);
    json_decref(s->root);
    free(s);
}

const js_node_t *sl_js_deref(const js_node_t *n)
{
    /* Parse refused ref cycles without a real schema, so this ends. */
    while (n && n->kind == JS_REF)
        n = n->inner;
    return n;
}

/* ------------------------------------------------------------------------------------------ */
/* The resource index: base URIs, $id, anchors                                                */
/* ------------------------------------------------------------------------------------------ */

/* Adds uri (taking ownership) -> value; returns the stored string, NULL when out of memory. */
static const char *add_res(sl_jsonschema_t *s, char *uri, json_t *value)
{
    if (!uri) return NULL;
    js_res_t *nr = realloc(s->res, (s->n_res + 1) * sizeof *nr);
    if (!nr) {
        free(uri);
        return NULL;
    }
    s->res = nr;
    s->res[s->n_res].uri = uri;
    s->res[s->n_res++].value = value;
    return uri;
}

static json_t *find_res(const sl_jsonschema_t *s, const char *uri)
{
    for (size_t i = 0; i < s->n_res; i++)
        if (strcmp(s->res[i].uri, uri) == 0) return s->res[i].value;
    return NULL;
}

/* base + "#" + name, malloc'd. */
static char *with_fragment(const char *base, const char *name, size_t name_len)
{
    size_t bl = strlen(base);
    char *u = malloc(bl + name_len + 2);
    if (!u) return NULL;
    memcpy(u, base, bl);
    u[bl] = '#';
    memcpy(u + bl + 1, name, name_len);
    u[bl + 1 + name_len] = '\0';
    return u;
}

static int index_walk(js_parser_t *p, json_t *j, const char *base, int depth, int is_root);

static int index_children(js_parser_t *p, json_t *j, const char *base, int depth)
{
    static const char *const one[] = {"additionalItems",
                                      "additionalProperties",
                                      "contains",
                                      "propertyNames",
                                      "not",
                                      "if",
                                      "then",
                                      "else",
                                      "items",
                                      "unevaluatedItems",
                                      "unevaluatedProperties"};
    static const char *const list[] = {"items", "prefixItems", "allOf", "anyOf", "oneOf"};
    static const char *const map[] = {"properties", "patternProperties", "definitions",
                                      "$defs",      "dependencies",      "dependentSchemas"};
    int rc = SL_OK;
    for (size_t i = 0; i < sizeof one / sizeof one[0] && rc == SL_OK; i++)
        rc = index_walk(p, json_object_get(j, one[i]), base, depth + 1, 0);
    for (size_t i = 0; i < sizeof list / sizeof list[0] && rc == SL_OK; i++) {
        json_t *a = json_object_get(j, list[i]);
        for (size_t k = 0; k < json_array_size(a) && rc == SL_OK; k++)
            rc = index_walk(p, json_array_get(a, k), base, depth + 1, 0);
    }
    for (size_t i = 0; i < sizeof map / sizeof map[0] && rc == SL_OK; i++) {
        json_t *m = json_object_get(j, map[i]);
        if (!json_is_object(m)) continue;
        const char *k;
        json_t *v;
        json_object_foreach(m, k, v)
        {
            if ((rc = index_walk(p, v, base, depth + 1, 0)) != SL_OK) break;
        }
    }
    return rc;
}

/* Records base URIs, resources and anchors of the schema object j and below. */
static int index_walk(js_parser_t *p, json_t *j, const char *base, int depth, int is_root)
{
    if (!json_is_object(j) || depth > SL_JSONSCHEMA_MAX_DEPTH + 1) return SL_OK;
    sl_jsonschema_t *s = p->s;
    int old_draft = s->draft <= DRAFT7;
    /* Drafts 4-7: everything beside "$ref" is ignored, its $id included. */
    int ref_only = old_draft && json_object_get(j, "$ref") != NULL;
    const char *id = json_string_value(json_object_get(j, s->draft == DRAFT4 ? "id" : "$id"));
    if (id && !ref_only) {
        const char *hash = strchr(id, '#');
        size_t ulen = hash ? (size_t)(hash - id) : strlen(id);
        if (ulen > 0 && !is_root) {
            char *u = malloc(ulen + 1);
            if (!u) return SL_NOMEM;
            memcpy(u, id, ulen);
            u[ulen] = '\0';
            base = add_res(s, uri_resolve(base, u), j);
            free(u);
            if (!base) return SL_NOMEM;
        }
        if (hash && hash[1] && hash[1] != '/' && old_draft &&
            !add_res(s, with_fragment(base, hash + 1, strlen(hash + 1)), j))
            return SL_NOMEM;
    }
    if (!old_draft) {
        static const char *const anchors[] = {"$anchor", "$dynamicAnchor"};
        for (int i = 0; i < 2; i++) {
            const char *a = json_string_value(json_object_get(j, anchors[i]));
            if (a && !add_res(s, with_fragment(base, a, strlen(a)), j)) return SL_NOMEM;
        }
    }
    if (sl_js_pmap_put(&p->bases, j, (void *)base) != SL_OK) return SL_NOMEM;
    /* Children beside a draft-7 "$ref" are ignored as keywords, but "#/definitions/x"
     * pointers into them are common, so their ids and bases are indexed all the same. */
    return index_children(p, j, base, depth);
}

/* Builds the index; res[0] becomes the root resource. */
static int index_document(js_parser_t *p)
{
    sl_jsonschema_t *s = p->s;
    json_t *root = s->root;
    const char *id = json_string_value(json_object_get(root, s->draft == DRAFT4 ? "id" : "$id"));
    char *rb = NULL;
    if (id && !(s->draft <= DRAFT7 && json_object_get(root, "$ref"))) {
        size_t ulen = strcspn(id, "#");
        char *u = malloc(ulen + 1);
        if (!u) return SL_NOMEM;
        memcpy(u, id, ulen);
        u[ulen] = '\0';
        rb = ulen ? uri_resolve(DEFAULT_BASE, u) : strdup(DEFAULT_BASE);
        free(u);
    } else {
        rb = strdup(DEFAULT_BASE);
    }
    const char *base = add_res(s, rb, root);
    if (!base) return SL_NOMEM;
    p->base = base;
    return index_walk(p, root, base, 0, 1);
}

/* ------------------------------------------------------------------------------------------ */
/* $ref resolution                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* Evaluates the JSON pointer frag (after '#', starting with '/' or empty; URI fragment
 * percent-encoding allowed) from doc; NULL when it does not resolve. */
static json_t *eval_pointer(json_t *doc, const char *frag)
{
    const char *q = frag;
    json_t *cur = doc;
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
                char hex[3] = {q[0], q[1], 0};
                char *end;
                long b = strtol(hex, &end, 16);
                if (*end || b == 0) return NULL;
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
            if (k == 0 || tok[0] < '0' || tok[0] > '9' || (tok[0] == '0' && k > 1)) return NULL;
            unsigned long idx = strtoul(tok, &end, 10);
            if (*end) return NULL;
            cur = json_array_get(cur, idx);
        } else {
            return NULL;
        }
    }
    return *q ? NULL : cur;
}

/* The schema object a fragment names within the resource `res` of schema s, whose URI is
 * res_uri: "" -> res, "/..." -> JSON pointer, else an anchor. NULL when absent. */
static json_t *apply_fragment(const sl_jsonschema_t *s, json_t *res, const char *res_uri,
                              const char *frag)
{
    if (!frag || !*frag) return res;
    if (frag[0] == '/') return eval_pointer(res, frag);
    char *u = with_fragment(res_uri, frag, strlen(frag));
    if (!u) return NULL;
    json_t *t = find_res(s, u);
    free(u);
    return t;
}

/* A node of a referenced schema for its JSON value; NULL when that value is not a schema it
 * parsed. */
static js_node_t *dep_node(const sl_jsonschema_t *dep, json_t *v)
{
    return v ? sl_js_pmap_get(&dep->memo, v) : NULL;
}

/* Searches the references of a referenced schema (and theirs) for a name or an absolute
 * resource URI. */
static js_node_t *search_dep(const sl_jsonschema_t *d, const char *abs, const char *raw,
                             const char *frag, int depth)
{
    /* a resource inside d named by an absolute URI of its own */
    if (strncmp(abs, "sluice:", 7) != 0) {
        json_t *r = find_res(d, abs);
        if (r) return dep_node(d, apply_fragment(d, r, abs, frag));
    }
    if (depth >= DEP_SEARCH_DEPTH) return NULL;
    for (size_t i = 0; i < d->n_deps; i++) {
        const js_dep_t *e = &d->deps[i];
        if (strcmp(e->name, raw) == 0 || strcmp(e->name, abs) == 0 || strcmp(e->abs, abs) == 0) {
            const sl_jsonschema_t *t = e->schema;
            return dep_node(t, apply_fragment(t, t->root, t->res[0].uri, frag));
        }
        js_node_t *n = search_dep(e->schema, abs, raw, frag, depth + 1);
        if (n) return n;
    }
    return NULL;
}

/* Resolves the $ref string r found in an object with base URI p->base. On SL_OK exactly one
 * of *local (a JSON value of this document to parse) and *node (a node of a referenced
 * schema) is set. */
static int resolve_ref(js_parser_t *p, const char *r, json_t **local, js_node_t **node)
{
    *local = NULL;
    *node = NULL;
    const char *hash = strchr(r, '#');
    const char *frag = hash ? hash + 1 : NULL;
    size_t ulen = hash ? (size_t)(hash - r) : strlen(r);
    char *raw = malloc(ulen + 1);
    if (!raw) return SL_NOMEM;
    memcpy(raw, r, ulen);
    raw[ulen] = '\0';
    char *abs = ulen ? uri_resolve(p->base, raw) : strdup(p->base);
    if (!abs) {
        free(raw);
        return SL_NOMEM;
    }
    int rc = SL_OK;
    json_t *res = find_res(p->s, abs);
    if (res) {
        *local = apply_fragment(p->s, res, abs, frag);
        /* A pointer written for the whole document inside a nested resource ("$id") is a
         * common slip; resolving it against the document root is what it meant. */
        if (!*local && frag && frag[0] == '/' && res != p->s->root)
            *local = eval_pointer(p->s->root, frag);
        if (!*local) rc = perr(p, SL_INVAL, "$ref '%.200s' does not resolve", r);
        goto out;
    }
    for (size_t i = 0; i < p->n_refs; i++) {
        if (strcmp(p->refs[i].name, raw) != 0 && strcmp(p->refs[i].name, abs) != 0 &&
            strcmp(p->ref_abs[i], abs) != 0)
            continue;
        const sl_jsonschema_t *d = p->refs[i].schema;
        p->ref_used[i] = 1;
        *node = dep_node(d, apply_fragment(d, d->root, d->res[0].uri, frag));
        if (!*node)
            rc = perr(p, SL_INVAL, "$ref '%.200s' does not resolve in reference '%.100s'", r,
                      p->refs[i].name);
        goto out;
    }
    for (size_t i = 0; i < p->n_refs && !*node; i++) {
        if ((*node = search_dep(p->refs[i].schema, abs, raw, frag, 0))) p->ref_used[i] = 1;
    }
    if (!*node)
        rc = perr(p, SL_UNSUPP,
                  "$ref '%.200s': a reference that is neither local (#/...) nor a registered "
                  "schema reference is not supported yet",
                  r);
out:
    free(raw);
    free(abs);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Keywords                                                                                   */
/* ------------------------------------------------------------------------------------------ */

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
    out->num = v;
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

/* Compiles a pattern; one the matcher refuses is recorded as the reason validation is
 * refused (the schema still parses: Confluent accepts it). */
static int compile_pattern(js_parser_t *p, const char *what, const char *pat, js_regex_t **out)
{
    char why[200];
    int rc = sl_js_regex_compile(pat, strlen(pat), out, why, sizeof why);
    if (rc == SL_NOMEM) return SL_NOMEM;
    if (rc != SL_OK) return note_unsupp(p, "%s '%.100s': %s", what, pat, why);
    return SL_OK;
}

static int named_cmp(const void *a, const void *b)
{
    return strcmp((*(js_named_t *const *)a)->name, (*(js_named_t *const *)b)->name);
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
        (*n_out)++;
        if (compile && (rc = compile_pattern(p, "patternProperties name", name, &e->re)) != SL_OK)
            break;
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
    if (n->pattern && (rc = compile_pattern(p, "pattern", n->pattern, &n->pattern_re)) != SL_OK)
        return rc;
    return read_str(p, o, "format", &n->format);
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
    int *xf[2] = {&n->xmin_flag, &n->xmax_flag};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(o, xk[i]);
        if (!v) continue;
        if (p->s->draft == DRAFT4) {
            /* Draft 4: a flag on minimum/maximum; Confluent compares only the limits. */
            if (!json_is_boolean(v)) return perr(p, SL_INVAL, "%s must be a boolean", xk[i]);
            *xf[i] = json_is_true(v);
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
    if (n->n_props) {
        if (!(n->props_sorted = malloc(n->n_props * sizeof *n->props_sorted))) return SL_NOMEM;
        for (size_t i = 0; i < n->n_props; i++)
            n->props_sorted[i] = &n->props[i];
        qsort(n->props_sorted, n->n_props, sizeof *n->props_sorted, named_cmp);
    }
    if ((rc = parse_named(p, o, "patternProperties", &n->pattern_props, &n->n_pattern_props, 1)) !=
        SL_OK)
        return rc;
    if ((v = json_object_get(o, "required"))) {
        if (!string_array(v)) return perr(p, SL_INVAL, "required must be an array of strings");
        n->required = v;
    }
    if ((v = json_object_get(o, "additionalProperties"))) {
        n->additional_kw = 1;
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
        if ((rc = want_schema(p, v, "propertyNames")) != SL_OK) return rc;
        if ((rc = parse_child(p, v, "propertyNames", &n->property_names)) != SL_OK) return rc;
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
        /* "dependencies" stays honoured from 2019-09 on (the specification's compatibility
         * note); the split keywords do not exist before it. */
        int inactive = k != 0 && p->s->draft < DRAFT2019;
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
                n->pdeps[n->n_pdeps].inactive = inactive;
                n->pdeps[n->n_pdeps++].list = d;
            } else if (k != 1 && is_schema_value(p, d)) {
                js_named_t *e = &n->sdeps[n->n_sdeps];
                e->name = name;
                e->inactive = inactive;
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
        n->tuple = 1;
        addl = items;
        addl_key = "items";
        items = NULL;
    }
    if (items) {
        if (json_is_array(items)) {
            if ((rc = parse_list(p, items, "items", 0, &n->item_list, &n->n_items)) != SL_OK)
                return rc;
            n->tuple = 1;
        } else {
            if ((rc = want_schema(p, items, "items")) != SL_OK) return rc;
            if ((rc = parse_child(p, items, "items", &n->all_items)) != SL_OK) return rc;
        }
    }
    if (addl) {
        n->additional_items_kw = 1;
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
        if ((rc = want_schema(p, v, "contains")) != SL_OK) return rc;
        if ((rc = parse_child(p, v, "contains", &n->contains)) != SL_OK) return rc;
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
static int family_node(js_parser_t *p, json_t *o, int fam, int integer, int typed, js_node_t **out)
{
    js_kind_t kind = fam == FAM_OBJECT   ? JS_OBJECT
                     : fam == FAM_ARRAY  ? JS_ARRAY
                     : fam == FAM_NUMBER ? JS_NUMBER
                                         : JS_STRING;
    js_node_t *n = node_new(p, kind, NULL);
    if (!n) return SL_NOMEM;
    n->integer = integer;
    n->typed = typed;
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
    if (type_table[t].fam)
        return family_node(p, o, type_table[t].fam, type_table[t].integer, 1, out);
    *out = node_new(p, type_table[t].kind, NULL);
    if (!*out) return SL_NOMEM;
    (*out)->typed = 1;
    return SL_OK;
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
        js_node_t *cond = node_new(p, JS_COND, NULL);
        if (!cond) return SL_NOMEM;
        parts[n++] = cond;
        js_node_t **slot[3] = {&cond->if_, &cond->then_, &cond->else_};
        for (int i = 0; i < 3; i++) {
            if (!(v = json_object_get(o, ck[i]))) continue;
            if ((rc = want_schema(p, v, ck[i])) != SL_OK) return rc;
            if ((rc = parse_child(p, v, ck[i], slot[i])) != SL_OK) return rc;
        }
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
            any->type_list = 1;
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
        if ((rc = family_node(p, o, sniff[i].fam, 0, 0, &parts[n++])) != SL_OK) return rc;
    }
    *n_out = n;
    return SL_OK;
}

/* One node for parts[0..n): EMPTY, the part itself, or a synthetic allOf. NULL: no memory. */
static js_node_t *combine_parts(js_parser_t *p, json_t *j, js_node_t **parts, size_t n)
{
    if (n == 0) return node_new(p, JS_EMPTY, j);
    if (n == 1) return parts[0];
    js_node_t *all = node_new(p, JS_COMBINED, NULL);
    if (!all) return NULL;
    all->crit = CRIT_ALL;
    if (!(all->subs = malloc(n * sizeof *all->subs))) return NULL;
    memcpy(all->subs, parts, n * sizeof *parts);
    all->n_subs = n;
    return all;
}

/* Definitions are parsed for validation even when nothing refers to them. */
static int parse_definitions(js_parser_t *p, json_t *j)
{
    static const char *const defs[2] = {"definitions", "$defs"};
    for (int i = 0; i < 2; i++) {
        json_t *d = json_object_get(j, defs[i]);
        if (!d) continue;
        if (!json_is_object(d)) return perr(p, SL_INVAL, "%s must be an object", defs[i]);
        size_t old = path_push(p, defs[i]);
        const char *name;
        json_t *sub;
        int rc = SL_OK;
        json_object_foreach(d, name, sub)
        {
            js_node_t *ignored;
            if ((rc = parse_child(p, sub, name, &ignored)) != SL_OK) break;
        }
        path_pop(p, old);
        if (rc != SL_OK) return rc;
    }
    return SL_OK;
}

/* {"$ref": ...}: a REF node, memoised before its target is parsed so cycles end on it. From
 * 2019-09 on the keywords beside "$ref" apply too; they become REF.siblings. */
static int parse_ref(js_parser_t *p, json_t *j, json_t *ref, js_node_t **out)
{
    if (!json_is_string(ref)) return perr(p, SL_INVAL, "$ref must be a string");
    const char *r = json_string_value(ref);
    json_t *target;
    js_node_t *dep;
    int rc = resolve_ref(p, r, &target, &dep);
    if (rc != SL_OK) return rc;
    js_node_t *n = node_new(p, JS_REF, j);
    if (!n || sl_js_pmap_put(&p->s->memo, j, n) != SL_OK) return SL_NOMEM;
    *out = n;
    if (dep) {
        n->inner = dep;
    } else {
        size_t old = path_push(p, "$ref");
        rc = parse_schema(p, target, &n->inner);
        path_pop(p, old);
        if (rc != SL_OK) return rc;
    }
    if (p->s->draft < DRAFT2019) return SL_OK;
    if ((rc = parse_definitions(p, j)) != SL_OK) return rc;
    js_node_t *parts[16];
    size_t n_parts = 0;
    if ((rc = parse_parts(p, j, parts, &n_parts)) != SL_OK) return rc;
    if (n_parts > 0 && !(n->siblings = combine_parts(p, NULL, parts, n_parts))) return SL_NOMEM;
    return SL_OK;
}

static int parse_schema(js_parser_t *p, json_t *j, js_node_t **out)
{
    js_node_t *seen = sl_js_pmap_get(&p->s->memo, j);
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
        return sl_js_pmap_put(&p->s->memo, j, *out);
    }

    int rc;
    p->depth++;
    const char *saved_base = p->base;
    const char *base = sl_js_pmap_get(&p->bases, j);
    if (base) p->base = base;
    js_node_t *n = NULL;
    int modern = p->s->draft >= DRAFT2019;
    if (modern && (json_object_get(j, "$dynamicRef") || json_object_get(j, "$recursiveRef")) &&
        (rc = note_unsupp(p, "%s is not supported yet",
                          json_object_get(j, "$dynamicRef") ? "$dynamicRef" : "$recursiveRef")) !=
            SL_OK)
        goto out;
    json_t *ref = json_object_get(j, "$ref");
    if (ref) {
        rc = parse_ref(p, j, ref, &n);
        if (rc != SL_OK) goto out;
    } else {
        if ((rc = parse_definitions(p, j)) != SL_OK) goto out;
        /* At most 12 parts: enum, 3 combined, not, const, if, type (one node), 4 sniffed. */
        js_node_t *parts[16];
        size_t n_parts = 0;
        if ((rc = parse_parts(p, j, parts, &n_parts)) != SL_OK) goto out;
        if (!(n = combine_parts(p, j, parts, n_parts))) {
            rc = SL_NOMEM;
            goto out;
        }
        if (!n->src) n->src = j;
        /* j is memoised only now: a $ref back to j met while its families were being built
         * parsed j once more (ending at the memoised REF node), which costs a duplicate node
         * but never an unfinished one. */
        if ((rc = sl_js_pmap_put(&p->s->memo, j, n)) != SL_OK) goto out;
        if ((rc = read_str(p, j, p->s->draft == DRAFT4 ? "id" : "$id", &n->id)) != SL_OK) goto out;
        if ((rc = read_str(p, j, "title", &n->title)) != SL_OK) goto out;
        if ((rc = read_str(p, j, "description", &n->description)) != SL_OK) goto out;
        n->dflt = json_object_get(j, "default");
    }
    if (modern) {
        /* Checked after every other keyword of this object (see jsonschema_int.h). */
        n->obj_uneval_props =
            sl_js_pmap_get(&p->s->memo, json_object_get(j, "unevaluatedProperties"));
        n->obj_uneval_items = sl_js_pmap_get(&p->s->memo, json_object_get(j, "unevaluatedItems"));
    }
    *out = n;
out:
    p->base = saved_base;
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

/* A chain of REF nodes that never reaches a real schema ({"$ref": "#"})? Floyd's cycle
 * search; chains into referenced schemas end (those were checked when parsed). */
static int ref_loop(const js_node_t *n)
{
    const js_node_t *slow = n, *fast = n;
    while (fast->kind == JS_REF && fast->inner->kind == JS_REF) {
        slow = slow->inner;
        fast = fast->inner->inner;
        if (slow == fast) return 1;
    }
    return 0;
}

/* Keeps the references that were used (counted), and inherits their reason to refuse
 * validation. */
static int take_deps(js_parser_t *p)
{
    sl_jsonschema_t *s = p->s;
    size_t used = 0;
    for (size_t i = 0; i < p->n_refs; i++)
        used += p->ref_used[i];
    if (used == 0) return SL_OK;
    if (!(s->deps = calloc(used, sizeof *s->deps))) return SL_NOMEM;
    for (size_t i = 0; i < p->n_refs; i++) {
        if (!p->ref_used[i]) continue;
        js_dep_t *d = &s->deps[s->n_deps];
        d->name = strdup(p->refs[i].name);
        d->abs = strdup(p->ref_abs[i]);
        if (!d->name || !d->abs) {
            free(d->name);
            free(d->abs);
            return SL_NOMEM;
        }
        /* The reference count is the one mutable part of a shared schema. */
        d->schema = (sl_jsonschema_t *)p->refs[i].schema;
        __atomic_add_fetch(&d->schema->refcount, 1, __ATOMIC_RELAXED);
        s->n_deps++;
        if (!s->unsupp && d->schema->unsupp) {
            size_t n = strlen(d->schema->unsupp) + strlen(d->name) + 32;
            if (!(s->unsupp = malloc(n))) return SL_NOMEM;
            snprintf(s->unsupp, n, "reference '%s': %s", d->name, d->schema->unsupp);
            for (char *c = s->unsupp; *c; c++)
                if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) *c = '?';
        }
    }
    return SL_OK;
}

int sl_jsonschema_parse_refs(const char *json, size_t len, const sl_jsonschema_ref_t *refs,
                             size_t n_refs, sl_jsonschema_t **schema_out, char *err,
                             size_t err_size)
{
    *schema_out = NULL;
    if (err && err_size) err[0] = '\0';
    js_parser_t p = {0};
    p.err = err;
    p.err_size = err_size;
    for (size_t i = 0; i < n_refs; i++)
        if (!refs[i].name || !refs[i].schema)
            return perr(&p, SL_INVAL, "reference %zu has no %s", i,
                        refs[i].name ? "schema" : "name");
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!root) return perr(&p, SL_INVAL, "not JSON: %s (line %d)", je.text, je.line);
    sl_jsonschema_t *s = calloc(1, sizeof *s);
    if (!s) {
        json_decref(root);
        return SL_NOMEM;
    }
    s->root = root;
    s->refcount = 1;
    s->draft = detect_draft(root);
    p.s = s;
    p.refs = refs;
    p.n_refs = n_refs;
    int rc = SL_OK;
    if (n_refs) {
        p.ref_abs = calloc(n_refs, sizeof *p.ref_abs);
        p.ref_used = calloc(n_refs, 1);
        if (!p.ref_abs || !p.ref_used) rc = SL_NOMEM;
    }
    json_t *sv = json_object_get(root, "$schema");
    if (rc == SL_OK && sv && !json_is_string(sv))
        rc = perr(&p, SL_INVAL, "$schema must be a string");
    if (rc == SL_OK) rc = index_document(&p);
    for (size_t i = 0; i < n_refs && rc == SL_OK; i++)
        if (!(p.ref_abs[i] = uri_resolve(s->res[0].uri, refs[i].name))) rc = SL_NOMEM;
    if (rc == SL_OK) rc = parse_schema(&p, root, &s->top);
    if (rc == SL_OK) rc = take_deps(&p);
    for (size_t i = 0; i < s->n_nodes && rc == SL_OK; i++)
        if (ref_loop(s->nodes[i]))
            rc = perr(&p, SL_INVAL, "$ref cycle that never reaches a schema");
    sl_js_pmap_free(&p.bases);
    for (size_t i = 0; p.ref_abs && i < n_refs; i++)
        free(p.ref_abs[i]);
    free(p.ref_abs);
    free(p.ref_used);
    if (rc != SL_OK) {
        if (rc == SL_NOMEM) perr(&p, rc, "out of memory");
        sl_jsonschema_free(s);
        return rc;
    }
    *schema_out = s;
    return SL_OK;
}

int sl_jsonschema_parse(const char *json, size_t len, sl_jsonschema_t **schema_out, char *err,
                        size_t err_size)
{
    return sl_jsonschema_parse_refs(json, len, NULL, 0, schema_out, err, err_size);
}
