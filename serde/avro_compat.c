/*
 * avro_compat.c — can a reader schema read data written with a writer schema? The Avro
 * specification's "Schema Resolution" rules, reported the way Apache Avro Java's
 * SchemaCompatibility does (Confluent's registry runs that class, so its incompatibility types,
 * messages and JSON-pointer locations are what registry users know), plus the registry's
 * levels (BACKWARD ... FULL_TRANSITIVE) over a subject's versions.
 *
 * The rules, reader R against writer W:
 *   same primitive                      ok
 *   W int    -> R long, float, double   ok (promotion)
 *   W long   -> R float, double         ok
 *   W float  -> R double                ok
 *   W string <-> R bytes                ok
 *   array / map                         items / values, recursively ("/items", "/values")
 *   record                              names match (below, "/name"); every reader field is
 *                                       found in W by its name or one of its aliases and its
 *                                       type reads the writer field's ("/fields/<i>/type"), or
 *                                       has a default ("/fields/<i>"); writer fields the reader
 *                                       lacks are skipped
 *   enum                                names match; writer symbols missing from R are an
 *                                       error unless R has an enum "default" ("/symbols")
 *   fixed                               names match; sizes equal ("/size")
 *   W union                             every branch i must be readable ("/<i>")
 *   R union, W not                      some branch reads W (below)
 *   anything else                       TYPE_MISMATCH
 * Names match when the unqualified names are equal, or when one of the reader's aliases (made
 * full with the reader's namespace unless it has a dot) is the writer's full name. Logical
 * types are ignored, as in Java (they do not change the encoding).
 *
 * Recursion. Named types are shared nodes of the parsed graph (serde_int.h), so recursive types
 * are cycles. Record pairs are memoised (reader node, writer node): a pair met again while it
 * is still being checked is assumed compatible — a datum is finite, so any real mismatch shows
 * up along some finite path and is found there. That assumption makes a result provisional:
 * a "compatible" reached while an enclosing pair was assumed is only known once that pair is
 * decided. Java caches such results as final, which can be wrong when the assumed pair then
 * fails inside a union trial whose details are discarded; here a pair's result records the
 * lowest in-progress pair it relied on (as Tarjan's lowlink does), provisional results are
 * confirmed when that pair succeeds and forgotten when it fails. "Incompatible" never depends
 * on assumptions (the rules are monotone), so it is always final.
 *
 * Deliberate differences from Java (all give the verdict the specification asks for):
 * - Java memoises whole results, so a pair met twice repeats the first meeting's location; here
 *   a memoised pair's issues are re-based on each location where it is met.
 * - A reader union choosing a branch for a named writer type: when a branch has the writer's
 *   exact full name, that branch decides (it is the one Java's decoder and the specification
 *   pick); Java's checker would accept another compatible branch even when that one fails.
 *   Otherwise, as in Java, the first branch that can read the writer.
 * - A reader field without default whose type is an enum with an enum default: Java reports
 *   TYPE_MISMATCH ("reader type: ENUM not compatible with writer type: RECORD") at the field's
 *   "/type"; here READER_FIELD_MISSING_DEFAULT_VALUE at the field, the real reason.
 * - A reader field matching several writer fields through its aliases makes Java throw (the
 *   registry then reports an unexpected error); here it is READER_FIELD_AMBIGUOUS. The same
 *   writer field reached twice (name and alias) is not ambiguous.
 *
 * Cost. A registration under a transitive level checks the new schema against every live
 * version, so the walk itself must stay cheap when nothing is wrong:
 * - a reader field finds its writer field through the writer record's name index
 *   (sl_avro_field_find, built by the parser), not by scanning the writer's fields;
 * - the location is kept as a stack of tokens and written out as text only when an issue is
 *   recorded;
 * - issues nobody will see are not built at all: those of a union trial (discarded, see
 *   trial()) outside any record pair entered since the trial began. Issues inside such a
 *   record pair are still built, because its memo keeps them for later meetings.
 *
 * Bounds: SL_AVRO_COMPAT_MAX_ISSUES issues per report, MAX_FRAMES nested checks and WORK_BUDGET
 * checks per call; beyond the last two the call fails with SL_TOOBIG (hostile input only).
 * @locality any thread: no global state.
 */
#include "serde/serde_int.h"

#include "common/err.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deepest nesting of pair checks (keeps the C stack bounded). */
#define MAX_FRAMES 2000
/* Pair checks per sl_avro_compat call. */
#define WORK_BUDGET 2000000L
/* "Relied on no in-progress pair". */
#define NO_LOW INT_MAX

/* Java's Schema.Type names, used in messages. */
static const char *const type_names[] = {
    [SL_AVRO_NULL] = "NULL",   [SL_AVRO_BOOLEAN] = "BOOLEAN", [SL_AVRO_INT] = "INT",
    [SL_AVRO_LONG] = "LONG",   [SL_AVRO_FLOAT] = "FLOAT",     [SL_AVRO_DOUBLE] = "DOUBLE",
    [SL_AVRO_BYTES] = "BYTES", [SL_AVRO_STRING] = "STRING",   [SL_AVRO_RECORD] = "RECORD",
    [SL_AVRO_ENUM] = "ENUM",   [SL_AVRO_ARRAY] = "ARRAY",     [SL_AVRO_MAP] = "MAP",
    [SL_AVRO_UNION] = "UNION", [SL_AVRO_FIXED] = "FIXED",
};

static const char *const incompat_names[] = {
    [SL_AVRO_NAME_MISMATCH] = "NAME_MISMATCH",
    [SL_AVRO_FIXED_SIZE_MISMATCH] = "FIXED_SIZE_MISMATCH",
    [SL_AVRO_MISSING_ENUM_SYMBOLS] = "MISSING_ENUM_SYMBOLS",
    [SL_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE] = "READER_FIELD_MISSING_DEFAULT_VALUE",
    [SL_AVRO_TYPE_MISMATCH] = "TYPE_MISMATCH",
    [SL_AVRO_MISSING_UNION_BRANCH] = "MISSING_UNION_BRANCH",
    [SL_AVRO_READER_FIELD_AMBIGUOUS] = "READER_FIELD_AMBIGUOUS",
};

static const char *const level_names[] = {
    [SL_AVRO_COMPAT_NONE] = "NONE",
    [SL_AVRO_COMPAT_BACKWARD] = "BACKWARD",
    [SL_AVRO_COMPAT_BACKWARD_TRANSITIVE] = "BACKWARD_TRANSITIVE",
    [SL_AVRO_COMPAT_FORWARD] = "FORWARD",
    [SL_AVRO_COMPAT_FORWARD_TRANSITIVE] = "FORWARD_TRANSITIVE",
    [SL_AVRO_COMPAT_FULL] = "FULL",
    [SL_AVRO_COMPAT_FULL_TRANSITIVE] = "FULL_TRANSITIVE",
};

/* A list of issues; locations are raw ("" = root, else "/a/b"), made "/" at the end. */
typedef struct ilist_s {
    sl_avro_compat_issue_t *v; /* owned entries (each owns its strings) */
    size_t n;                  /* entries used */
    size_t cap;                /* entries allocated */
    int dropped;               /* issues left out beyond SL_AVRO_COMPAT_MAX_ISSUES */
} ilist_t;

typedef enum memo_state_e {
    MEMO_ABSENT,      /* not decided (never checked, or a provisional result was withdrawn) */
    MEMO_IN_PROGRESS, /* being checked further up the stack; assumed compatible */
    MEMO_PROVISIONAL, /* compatible if the in-progress pair at depth `low` turns out so */
    MEMO_OK,          /* compatible, final */
    MEMO_BAD          /* incompatible, final; `issues` relative to the pair */
} memo_state_t;

/* One record pair. */
typedef struct memo_s {
    const sl_avro_node_t *r; /* reader record (borrowed) */
    const sl_avro_node_t *w; /* writer record (borrowed) */
    memo_state_t state;      /* see memo_state_t */
    int depth;               /* MEMO_IN_PROGRESS: its index on the stack of record pairs */
    int low;                 /* MEMO_PROVISIONAL: lowest in-progress depth it relied on */
    ilist_t issues;          /* MEMO_BAD: its issues, locations relative to the pair */
} memo_t;

/* One step of the location: a fixed word, or (tok NULL) a decimal index. */
typedef struct seg_s {
    const char *tok; /* "fields", "type", "items", "values", "name"...; NULL: index */
    size_t index;    /* tok == NULL: the index */
} seg_t;

/* State of one sl_avro_compat call. */
typedef struct cctx_s {
    memo_t *memo;      /* owned; entries in insertion order (indices are stable) */
    size_t n_memo;     /* entries used */
    size_t cap_memo;   /* entries allocated */
    size_t *slots;     /* owned hash index: memo index + 1, 0 = empty */
    size_t cap_slots;  /* power of two, > 2 * n_memo */
    size_t *prov;      /* owned; memo indices of MEMO_PROVISIONAL pairs, oldest first */
    size_t n_prov;     /* entries used */
    size_t cap_prov;   /* entries allocated */
    seg_t *segs;       /* owned; current location, one token per step ("/fields/0/type"
                          is {fields, 0, type}; none at the root) */
    size_t n_segs;     /* steps used */
    size_t cap_segs;   /* steps allocated */
    int quiet;         /* issues added now would be discarded unseen: do not build them */
    int rec_depth;     /* record pairs in progress */
    int frames;        /* nested check() calls */
    long budget;       /* checks left */
    int reader_is_new; /* copied into issues */
} cctx_t;

/* ---- small helpers ---- */

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static void ilist_free(ilist_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].location);
        free(l->v[i].message);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Takes ownership of loc and msg (frees them when dropped or on failure). */
static int ilist_add(ilist_t *l, sl_avro_incompat_t type, char *loc, char *msg, int reader_is_new)
{
    if (!loc || !msg) {
        free(loc);
        free(msg);
        return SL_NOMEM;
    }
    if (l->n >= SL_AVRO_COMPAT_MAX_ISSUES) {
        l->dropped = 1;
        free(loc);
        free(msg);
        return SL_OK;
    }
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        sl_avro_compat_issue_t *nv = realloc(l->v, ncap * sizeof *nv);
        if (!nv) {
            free(loc);
            free(msg);
            return SL_NOMEM;
        }
        l->v = nv;
        l->cap = ncap;
    }
    sl_avro_compat_issue_t *is = &l->v[l->n++];
    memset(is, 0, sizeof *is);
    is->type = type;
    is->location = loc;
    is->message = msg;
    is->reader_is_new = reader_is_new;
    return SL_OK;
}

/* Digits of i in decimal. */
static size_t dec_len(size_t i)
{
    size_t n = 1;
    while (i >= 10) {
        i /= 10;
        n++;
    }
    return n;
}

/* Bytes of the location as text ("/fields/0/type"). */
static size_t loc_text_len(const cctx_t *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_segs; i++)
        n += 1 + (c->segs[i].tok ? strlen(c->segs[i].tok) : dec_len(c->segs[i].index));
    return n;
}

/* The location as a new string, with "/last" appended when last is not NULL; NULL when out
 * of memory. Tokens are fixed words and decimal numbers, so JSON-pointer escaping never
 * applies. */
static char *loc_text(const cctx_t *c, const char *last)
{
    size_t n = loc_text_len(c) + (last ? 1 + strlen(last) : 0);
    char *s = malloc(n + 1), *w = s;
    if (!s) return NULL;
    for (size_t i = 0; i < c->n_segs; i++) {
        *w++ = '/';
        if (c->segs[i].tok) {
            size_t tl = strlen(c->segs[i].tok);
            memcpy(w, c->segs[i].tok, tl);
            w += tl;
        } else {
            size_t dl = dec_len(c->segs[i].index), v = c->segs[i].index;
            for (size_t k = dl; k-- > 0; v /= 10)
                w[k] = (char)('0' + v % 10);
            w += dl;
        }
    }
    if (last) {
        *w++ = '/';
        memcpy(w, last, strlen(last));
        w += strlen(last);
    }
    *w = '\0';
    return s;
}

/* An issue at the current location (plus an optional last token). msg is owned. In quiet mode
 * nothing is recorded (callers skip building msg there too; see the file comment). */
static int issue(cctx_t *c, ilist_t *out, sl_avro_incompat_t type, const char *token, char *msg)
{
    if (c->quiet) {
        free(msg);
        return SL_OK;
    }
    return ilist_add(out, type, loc_text(c, token), msg, c->reader_is_new);
}

/* Pushes one step; returns the mark to restore, or (size_t)-1 (no memory). */
static size_t seg_push(cctx_t *c, const char *tok, size_t index)
{
    if (c->n_segs == c->cap_segs) {
        size_t ncap = c->cap_segs ? c->cap_segs * 2 : 32;
        seg_t *ns = realloc(c->segs, ncap * sizeof *ns);
        if (!ns) return (size_t)-1;
        c->segs = ns;
        c->cap_segs = ncap;
    }
    c->segs[c->n_segs].tok = tok;
    c->segs[c->n_segs].index = index;
    return c->n_segs++;
}

/* Appends "/token" (a string literal: it is kept, not copied) to the location. */
static size_t loc_push(cctx_t *c, const char *token)
{
    return seg_push(c, token, 0);
}

static size_t loc_push_index(cctx_t *c, size_t i)
{
    return seg_push(c, NULL, i);
}

static void loc_pop(cctx_t *c, size_t mark)
{
    c->n_segs = mark;
}

/* ---- memo of record pairs ---- */

static size_t pair_hash(const void *r, const void *w)
{
    uint64_t h = (uint64_t)(uintptr_t)r * 0x9e3779b97f4a7c15ULL;
    h ^= (uint64_t)(uintptr_t)w + 0x632be59bd9b4e019ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return (size_t)(h ^ (h >> 32));
}

/* Finds or adds the pair (r, w); its index in *idx. */
static int memo_get(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w, size_t *idx)
{
    if ((c->n_memo + 1) * 2 > c->cap_slots) {
        size_t ncap = c->cap_slots ? c->cap_slots * 2 : 64;
        size_t *ns = calloc(ncap, sizeof *ns);
        if (!ns) return SL_NOMEM;
        for (size_t i = 0; i < c->n_memo; i++) {
            size_t j = pair_hash(c->memo[i].r, c->memo[i].w) & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = i + 1;
        }
        free(c->slots);
        c->slots = ns;
        c->cap_slots = ncap;
    }
    size_t mask = c->cap_slots - 1;
    size_t j = pair_hash(r, w) & mask;
    for (; c->slots[j]; j = (j + 1) & mask) {
        memo_t *m = &c->memo[c->slots[j] - 1];
        if (m->r == r && m->w == w) {
            *idx = c->slots[j] - 1;
            return SL_OK;
        }
    }
    if (c->n_memo == c->cap_memo) {
        size_t ncap = c->cap_memo ? c->cap_memo * 2 : 32;
        memo_t *nm = realloc(c->memo, ncap * sizeof *nm);
        if (!nm) return SL_NOMEM;
        c->memo = nm;
        c->cap_memo = ncap;
    }
    memo_t *m = &c->memo[c->n_memo];
    memset(m, 0, sizeof *m);
    m->r = r;
    m->w = w;
    m->state = MEMO_ABSENT;
    c->slots[j] = c->n_memo + 1;
    *idx = c->n_memo++;
    return SL_OK;
}

static int prov_push(cctx_t *c, size_t idx)
{
    if (c->n_prov == c->cap_prov) {
        size_t ncap = c->cap_prov ? c->cap_prov * 2 : 16;
        size_t *np = realloc(c->prov, ncap * sizeof *np);
        if (!np) return SL_NOMEM;
        c->prov = np;
        c->cap_prov = ncap;
    }
    c->prov[c->n_prov++] = idx;
    return SL_OK;
}

/* Copies issues src[from..) into dst, re-basing locations: strips `strip` leading bytes and
 * puts `prefix` in front. */
static int ilist_copy(ilist_t *dst, const ilist_t *src, size_t from, size_t strip,
                      const char *prefix)
{
    for (size_t i = from; i < src->n; i++) {
        const sl_avro_compat_issue_t *is = &src->v[i];
        size_t ll = strlen(is->location);
        const char *rel = is->location + (strip <= ll ? strip : ll);
        size_t before = dst->n;
        int rc = ilist_add(dst, is->type, xprintf("%s%s", prefix, rel), xstrdup(is->message),
                           is->reader_is_new);
        if (rc) return rc;
        if (dst->n > before) dst->v[before].existing_index = is->existing_index;
    }
    if (src->dropped) dst->dropped = 1;
    return SL_OK;
}

/* ---- the rules ---- */

static int check(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w, ilist_t *out,
                 int *low);

static const char *simple_name(const char *full)
{
    const char *dot = strrchr(full, '.');
    return dot ? dot + 1 : full;
}

/* Unqualified names equal, or a reader alias (made full in the reader's namespace) is the
 * writer's full name. */
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

/* NAME_MISMATCH at "<loc>/name" unless the names match. Returns 1 match, 0 not, <0 status. */
static int check_names(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w, ilist_t *out)
{
    if (names_match(r, w)) return 1;
    if (c->quiet) return 0;
    int rc = issue(c, out, SL_AVRO_NAME_MISMATCH, "name", xprintf("expected: %s", w->fullname));
    return rc ? rc : 0;
}

static int type_mismatch(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w, ilist_t *out)
{
    if (c->quiet) return 0;
    int rc = issue(c, out, SL_AVRO_TYPE_MISMATCH, NULL,
                   xprintf("reader type: %s not compatible with writer type: %s",
                           type_names[r->kind], type_names[w->kind]));
    return rc ? rc : 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int check_enum(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w, ilist_t *out)
{
    int ok = check_names(c, r, w, out);
    if (ok < 0) return ok;
    /* Writer symbols the reader lacks, sorted and unique (Java prints a TreeSet). */
    const char **miss = malloc((w->n_symbols ? w->n_symbols : 1) * sizeof *miss);
    if (!miss) return SL_NOMEM;
    size_t n = 0, len = 2;
    for (size_t i = 0; i < w->n_symbols; i++) {
        size_t j = 0;
        while (j < r->n_symbols && strcmp(r->symbols[j], w->symbols[i]) != 0)
            j++;
        if (j == r->n_symbols) {
            miss[n++] = w->symbols[i];
            len += strlen(w->symbols[i]) + 2;
        }
    }
    /* The reader's default stands in for symbols it does not know [enums, 1.9+]. */
    if (n == 0 || r->enum_default >= 0) {
        free(miss);
        return ok;
    }
    if (c->quiet) {
        free(miss);
        return 0;
    }
    qsort(miss, n, sizeof *miss, cmp_str);
    char *msg = malloc(len + 1);
    if (!msg) {
        free(miss);
        return SL_NOMEM;
    }
    size_t off = 0;
    msg[off++] = '[';
    for (size_t i = 0; i < n; i++) {
        size_t sl = strlen(miss[i]);
        memcpy(msg + off, miss[i], sl);
        off += sl;
        if (i + 1 < n) {
            msg[off++] = ',';
            msg[off++] = ' ';
        }
    }
    msg[off++] = ']';
    msg[off] = '\0';
    free(miss);
    int rc = issue(c, out, SL_AVRO_MISSING_ENUM_SYMBOLS, "symbols", msg);
    return rc ? rc : 0;
}

static int check_fixed(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w, ilist_t *out)
{
    int ok = check_names(c, r, w, out);
    if (ok < 0) return ok;
    if (r->size == w->size) return ok;
    if (c->quiet) return 0;
    int rc = issue(c, out, SL_AVRO_FIXED_SIZE_MISMATCH, "size",
                   xprintf("expected: %d, found: %d", (int)w->size, (int)r->size));
    return rc ? rc : 0;
}

/* The writer field a reader field reads: by name or alias (the reader's aliases name writer
 * fields). Returns 0 none, 1 found (*wf), 2 several distinct writer fields match. */
static int lookup_writer_field(const sl_avro_node_t *w, const sl_avro_field_t *rf,
                               const sl_avro_field_t **wf)
{
    const sl_avro_field_t *f = sl_avro_field_find(w, rf->name, rf->name_hash);
    int found = f != NULL;
    if (found) *wf = f;
    if (!rf->aliases) return found;
    size_t i;
    json_t *a;
    json_array_foreach(rf->aliases, i, a)
    {
        const char *al = json_string_value(a);
        if (!al || !(f = sl_avro_field_find(w, al, sl_avro_name_hash(al)))) continue;
        if (found && f == *wf) continue; /* the same writer field again */
        if (found) return 2;
        *wf = f;
        found = 1;
    }
    return found;
}

/* The fields of a record pair. Never quiet: check_record keeps its issues in the memo. */
static int record_body(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w, ilist_t *out,
                       int *low)
{
    int ok = check_names(c, r, w, out);
    if (ok < 0) return ok;
    size_t m_fields = loc_push(c, "fields");
    if (m_fields == (size_t)-1) return SL_NOMEM;
    for (size_t i = 0; i < r->n_fields; i++) {
        const sl_avro_field_t *rf = &r->fields[i];
        size_t m_i = loc_push_index(c, i);
        if (m_i == (size_t)-1) return SL_NOMEM;
        const sl_avro_field_t *wf = NULL;
        int found = lookup_writer_field(w, rf, &wf);
        int fok = 1, rc = SL_OK;
        if (found == 2) {
            fok = 0;
            rc = issue(c, out, SL_AVRO_READER_FIELD_AMBIGUOUS, NULL, xstrdup(rf->name));
        } else if (found == 0) {
            /* Any "default", JSON null included, fills the field in. */
            if (!rf->default_value) {
                fok = 0;
                rc = issue(c, out, SL_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE, NULL,
                           xstrdup(rf->name));
            }
        } else {
            size_t m_t = loc_push(c, "type");
            if (m_t == (size_t)-1) return SL_NOMEM;
            int l = NO_LOW;
            fok = check(c, rf->type, wf->type, out, &l);
            if (fok < 0) return fok;
            if (l < *low) *low = l;
            loc_pop(c, m_t);
        }
        if (rc) return rc;
        if (!fok) ok = 0;
        loc_pop(c, m_i);
    }
    loc_pop(c, m_fields);
    return ok;
}

/* A record pair, memoised (see the file comment for the provisional results). */
static int check_record(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w, ilist_t *out,
                        int *low)
{
    size_t idx;
    int rc = memo_get(c, r, w, &idx);
    if (rc) return rc;
    memo_t *m = &c->memo[idx];
    switch (m->state) {
    case MEMO_IN_PROGRESS:
        if (m->depth < *low) *low = m->depth;
        return 1;
    case MEMO_PROVISIONAL:
        if (m->low < *low) *low = m->low;
        return 1;
    case MEMO_OK:
        return 1;
    case MEMO_BAD: {
        if (c->quiet) return 0;
        char *here = loc_text(c, NULL);
        rc = here ? ilist_copy(out, &m->issues, 0, 0, here) : SL_NOMEM;
        free(here);
        return rc ? rc : 0;
    }
    case MEMO_ABSENT:
        break;
    }
    int depth = c->rec_depth++;
    m->state = MEMO_IN_PROGRESS;
    m->depth = depth;
    size_t prov_mark = c->n_prov, start = out->n;
    int dropped_before = out->dropped;
    out->dropped = 0;
    int l = NO_LOW;
    /* The body's issues are kept in the memo even inside a trial (see the file comment). */
    int quiet = c->quiet;
    c->quiet = 0;
    int ok = record_body(c, r, w, out, &l);
    c->quiet = quiet;
    c->rec_depth--;
    m = &c->memo[idx]; /* the memo may have moved */
    if (ok < 0) return ok;
    if (!ok) {
        m->state = MEMO_BAD;
        /* The body's issues lie under this pair's location: keep them relative to it. */
        rc = ilist_copy(&m->issues, out, start, loc_text_len(c), "");
        if (!rc && out->dropped) m->issues.dropped = 1;
        out->dropped |= dropped_before;
        /* Whatever was assumed compatible below may have relied on this pair. */
        for (size_t i = prov_mark; i < c->n_prov; i++)
            c->memo[c->prov[i]].state = MEMO_ABSENT;
        c->n_prov = prov_mark;
        return rc ? rc : 0;
    }
    out->dropped |= dropped_before;
    if (l >= depth) {
        /* Everything assumed since this pair started is now confirmed. */
        m->state = MEMO_OK;
        for (size_t i = prov_mark; i < c->n_prov; i++)
            c->memo[c->prov[i]].state = MEMO_OK;
        c->n_prov = prov_mark;
        return 1;
    }
    m->state = MEMO_PROVISIONAL;
    m->low = l;
    for (size_t i = prov_mark; i < c->n_prov; i++)
        if (c->memo[c->prov[i]].low > l) c->memo[c->prov[i]].low = l;
    if ((rc = prov_push(c, idx)) != SL_OK) return rc;
    if (l < *low) *low = l;
    return 1;
}

/* A trial: can r read w? Issues are discarded (Java reports only the union's own). */
static int trial(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w, int *low)
{
    ilist_t scratch = {0};
    int quiet = c->quiet;
    c->quiet = 1;
    int ok = check(c, r, w, &scratch, low);
    c->quiet = quiet;
    ilist_free(&scratch);
    return ok;
}

/* Reader union, writer not a union: which branch reads w? 1 one does, 0 none, <0 status. */
static int reader_union_reads(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w, int *low)
{
    if (w->fullname) {
        for (size_t i = 0; i < r->n_branches; i++) {
            const sl_avro_node_t *b = r->branches[i];
            if (b->kind == w->kind && strcmp(b->fullname, w->fullname) == 0)
                return trial(c, b, w, low);
        }
    }
    for (size_t i = 0; i < r->n_branches; i++) {
        int ok = trial(c, r->branches[i], w, low);
        if (ok != 0) return ok;
    }
    return 0;
}

static int missing_branch(cctx_t *c, const sl_avro_node_t *wb, ilist_t *out)
{
    if (c->quiet) return 0;
    int rc = issue(c, out, SL_AVRO_MISSING_UNION_BRANCH, NULL,
                   xprintf("reader union lacking writer type: %s", type_names[wb->kind]));
    return rc ? rc : 0;
}

static int check_writer_union(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w,
                              ilist_t *out, int *low)
{
    int ok = 1;
    for (size_t i = 0; i < w->n_branches; i++) {
        const sl_avro_node_t *wb = w->branches[i];
        size_t m = loc_push_index(c, i);
        if (m == (size_t)-1) return SL_NOMEM;
        int bok;
        if (r->kind == SL_AVRO_UNION) {
            bok = reader_union_reads(c, r, wb, low);
            if (bok == 0) bok = missing_branch(c, wb, out);
        } else {
            bok = check(c, r, wb, out, low);
        }
        if (bok < 0) return bok;
        if (!bok) ok = 0;
        loc_pop(c, m);
    }
    return ok;
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
 * Can r read every datum of w? Returns 1 yes, 0 no (issues appended to out with locations under
 * the current location), <0 status. *low is lowered to the depth of the shallowest in-progress
 * record pair the answer relied on.
 */
static int check(cctx_t *c, const sl_avro_node_t *r, const sl_avro_node_t *w, ilist_t *out,
                 int *low)
{
    if (--c->budget < 0 || c->frames >= MAX_FRAMES) return SL_TOOBIG;
    c->frames++;
    int ok;
    size_t m;
    if (w->kind == SL_AVRO_UNION) {
        ok = check_writer_union(c, r, w, out, low);
    } else if (r->kind == SL_AVRO_UNION) {
        ok = reader_union_reads(c, r, w, low);
        if (ok == 0) ok = missing_branch(c, w, out);
    } else if (r->kind != w->kind) {
        ok = promotes(r->kind, w->kind) ? 1 : type_mismatch(c, r, w, out);
    } else {
        switch (r->kind) {
        case SL_AVRO_ARRAY:
        case SL_AVRO_MAP:
            m = loc_push(c, r->kind == SL_AVRO_ARRAY ? "items" : "values");
            if (m == (size_t)-1) {
                ok = SL_NOMEM;
                break;
            }
            ok = check(c, r->items, w->items, out, low);
            loc_pop(c, m);
            break;
        case SL_AVRO_RECORD:
            ok = check_record(c, r, w, out, low);
            break;
        case SL_AVRO_ENUM:
            ok = check_enum(c, r, w, out);
            break;
        case SL_AVRO_FIXED:
            ok = check_fixed(c, r, w, out);
            break;
        default: /* the same primitive */
            ok = 1;
            break;
        }
    }
    c->frames--;
    return ok;
}

/* ---- public ---- */

void sl_avro_compat_report_free(sl_avro_compat_report_t *report)
{
    if (!report) return;
    for (size_t i = 0; i < report->n_issues; i++) {
        free(report->issues[i].location);
        free(report->issues[i].message);
    }
    free(report->issues);
    memset(report, 0, sizeof *report);
}

/* Adds a pairwise check to *res (which may already hold issues). 1 compatible, 0 not, <0. */
static int pair_into(const sl_avro_schema_t *reader, const sl_avro_schema_t *writer,
                     int reader_is_new, size_t existing_index, ilist_t *res)
{
    cctx_t c;
    memset(&c, 0, sizeof c);
    c.budget = WORK_BUDGET;
    c.reader_is_new = reader_is_new;
    ilist_t out = {0};
    int low = NO_LOW;
    int ok = check(&c, reader->root, writer->root, &out, &low);
    for (size_t i = 0; i < c.n_memo; i++)
        ilist_free(&c.memo[i].issues);
    free(c.memo);
    free(c.slots);
    free(c.prov);
    free(c.segs);
    if (ok >= 0) {
        /* Java writes the root as "/". */
        for (size_t i = 0; i < out.n && ok >= 0; i++) {
            out.v[i].existing_index = existing_index;
            if (out.v[i].location[0] == '\0') {
                char *root = xstrdup("/");
                if (!root) {
                    ok = SL_NOMEM;
                    break;
                }
                free(out.v[i].location);
                out.v[i].location = root;
            }
        }
    }
    if (ok >= 0) {
        int rc = ilist_copy(res, &out, 0, 0, "");
        if (rc) ok = rc;
    }
    ilist_free(&out);
    return ok;
}

static int finish(int ok, ilist_t *res, sl_avro_compat_report_t *out)
{
    if (ok < 0) {
        ilist_free(res);
        return ok;
    }
    out->compatible = ok;
    out->issues = res->v;
    out->n_issues = res->n;
    out->truncated = res->dropped;
    return SL_OK;
}

int sl_avro_compat(const sl_avro_schema_t *reader, const sl_avro_schema_t *writer,
                   sl_avro_compat_report_t *out)
{
    memset(out, 0, sizeof *out);
    ilist_t res = {0};
    int ok = pair_into(reader, writer, 1, 0, &res);
    return finish(ok, &res, out);
}

const char *sl_avro_compat_level_name(sl_avro_compat_level_t level)
{
    if ((unsigned)level >= sizeof level_names / sizeof level_names[0]) return NULL;
    return level_names[level];
}

int sl_avro_compat_level_parse(const char *name, sl_avro_compat_level_t *level_out)
{
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *level_out = (sl_avro_compat_level_t)i;
            return SL_OK;
        }
    }
    return SL_INVAL;
}

int sl_avro_compat_check(sl_avro_compat_level_t level, const sl_avro_schema_t *new_schema,
                         const sl_avro_schema_t *const *existing, size_t n_existing,
                         sl_avro_compat_report_t *out)
{
    memset(out, 0, sizeof *out);
    int backward, forward, transitive;
    switch (level) {
    case SL_AVRO_COMPAT_NONE:
        out->compatible = 1;
        return SL_OK;
    case SL_AVRO_COMPAT_BACKWARD:
    case SL_AVRO_COMPAT_BACKWARD_TRANSITIVE:
        backward = 1, forward = 0;
        break;
    case SL_AVRO_COMPAT_FORWARD:
    case SL_AVRO_COMPAT_FORWARD_TRANSITIVE:
        backward = 0, forward = 1;
        break;
    case SL_AVRO_COMPAT_FULL:
    case SL_AVRO_COMPAT_FULL_TRANSITIVE:
        backward = 1, forward = 1;
        break;
    default:
        return SL_INVAL;
    }
    transitive = level == SL_AVRO_COMPAT_BACKWARD_TRANSITIVE ||
                 level == SL_AVRO_COMPAT_FORWARD_TRANSITIVE ||
                 level == SL_AVRO_COMPAT_FULL_TRANSITIVE;
    for (size_t i = 0; i < n_existing; i++)
        if (!existing[i]) return SL_INVAL;
    ilist_t res = {0};
    int ok = 1;
    size_t stop = transitive ? 0 : (n_existing ? n_existing - 1 : 0);
    /* Newest first; the first existing schema that fails ends the check. */
    for (size_t k = n_existing; k-- > stop && ok == 1;) {
        int b = 1, f = 1;
        if (backward) b = pair_into(new_schema, existing[k], 1, k, &res);
        if (b < 0) return finish(b, &res, out);
        if (forward) f = pair_into(existing[k], new_schema, 0, k, &res);
        if (f < 0) return finish(f, &res, out);
        ok = b && f;
    }
    return finish(ok, &res, out);
}

const char *sl_avro_incompat_name(sl_avro_incompat_t type)
{
    if ((unsigned)type >= sizeof incompat_names / sizeof incompat_names[0]) return NULL;
    return incompat_names[type];
}

size_t sl_avro_compat_describe(const sl_avro_compat_issue_t *is, char *buf, size_t size)
{
    const char *rd = is->reader_is_new ? "new" : "old";
    const char *wr = is->reader_is_new ? "old" : "new";
    const char *p = is->location, *msg = is->message;
    const char *tn = sl_avro_incompat_name(is->type);
    char head[64];
    snprintf(head, sizeof head, "{errorType:'%s', description:'", tn ? tn : "UNKNOWN");
    int n;
    /* Confluent's wording (io.confluent.kafka.schemaregistry.avro.Difference). */
    switch (is->type) {
    case SL_AVRO_FIXED_SIZE_MISMATCH:
        n = snprintf(buf, size,
                     "%sThe size of FIXED type field at path '%s' in the %s schema does not "
                     "match with the %s schema', additionalInfo:'%s'}",
                     head, p, rd, wr, msg);
        break;
    case SL_AVRO_TYPE_MISMATCH:
        n = snprintf(buf, size,
                     "%sThe type (path '%s') of a field in the %s schema does not match with "
                     "the %s schema', additionalInfo:'%s'}",
                     head, p, rd, wr, msg);
        break;
    case SL_AVRO_NAME_MISMATCH:
        n = snprintf(buf, size,
                     "%sThe name of the schema has changed (path '%s')', additionalInfo:'%s'}",
                     head, p, msg);
        break;
    case SL_AVRO_MISSING_ENUM_SYMBOLS:
        n = snprintf(buf, size,
                     "%sThe %s schema is missing enum symbols '%s' at path '%s' in the %s "
                     "schema', additionalInfo:'%s'}",
                     head, rd, msg, p, wr, msg);
        break;
    case SL_AVRO_MISSING_UNION_BRANCH:
        n = snprintf(buf, size,
                     "%sThe %s schema is missing a type inside a union field at path '%s' in "
                     "the %s schema', additionalInfo:'%s'}",
                     head, rd, p, wr, msg);
        break;
    case SL_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE:
        n = snprintf(buf, size,
                     "%sThe field '%s' at path '%s' in the %s schema has no default value and "
                     "is missing in the %s schema', additionalInfo:'%s'}",
                     head, msg, p, rd, wr, msg);
        break;
    case SL_AVRO_READER_FIELD_AMBIGUOUS:
        n = snprintf(buf, size,
                     "%sThe field '%s' at path '%s' in the %s schema matches more than one "
                     "field of the %s schema by name or alias', additionalInfo:'%s'}",
                     head, msg, p, rd, wr, msg);
        break;
    default:
        n = snprintf(buf, size, "%s', additionalInfo:'%s'}", head, msg);
        break;
    }
    return n < 0 ? 0 : (size_t)n;
}
