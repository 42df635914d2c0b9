/*
 * func_registry.c — the scalar function registry: builds the function list from the groups'
 * tables once, parses their signatures into parameter patterns, looks functions up by name and
 * resolves a call's overload the way ksqlDB's UdfIndex does (see func.h).
 *
 * Parameter patterns:
 *
 *   PT_CONCRETE   a fixed type                         STRING, ARRAY<INTEGER>
 *   PT_GENERIC    a type variable, bound by arguments  T
 *   PT_ARRAY/MAP  containers of patterns               ARRAY<T>, MAP<K, V>
 *   PT_DECIMAL    any DECIMAL(p, s)                    DECIMAL
 *   PT_STRUCT     any STRUCT                           STRUCT
 *   PT_ANY        any type, not bound                  ANY
 *   PT_LAMBDA     a lambda argument                    LAMBDA(T, U) => V
 *   PT_UNIT       a time unit keyword (DAYS, HOURS...)  INTERVALUNIT
 *
 * The registry lives for the process: it is built under pthread_once into a private arena and
 * never changes afterwards, so lookups need no locks.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "sql/func.h"

typedef enum {
    PT_CONCRETE,
    PT_GENERIC,
    PT_ARRAY,
    PT_MAP,
    PT_DECIMAL,
    PT_STRUCT,
    PT_ANY,
    PT_LAMBDA,
    PT_UNIT
} pt_kind_t;

struct sl_ptype_s {
    pt_kind_t kind;             /* pattern kind */
    const sl_type_t *type;      /* PT_CONCRETE */
    char gen;                   /* PT_GENERIC: 'A'..'Z' */
    const sl_ptype_t *key;      /* PT_MAP key */
    const sl_ptype_t *elem;     /* PT_ARRAY element, PT_MAP value */
    const sl_ptype_t **lparams; /* PT_LAMBDA parameters */
    uint32_t nlparams;          /* PT_LAMBDA parameter count */
    const sl_ptype_t *lret;     /* PT_LAMBDA result */
};

static const sl_fdef_t *const groups[] = {
    sl_func_string_defs, sl_func_math_defs, sl_func_time_defs,
    sl_func_json_defs,   sl_func_coll_defs, sl_func_misc_defs,
};

static pthread_once_t reg_once = PTHREAD_ONCE_INIT;
static sl_arena_t reg_arena;
static sl_func_t *reg_funcs;         /* sorted by upper-cased name */
static const sl_func_t **reg_sorted; /* pointers into reg_funcs, same order */
static uint32_t reg_nfuncs;

/* ---- signature parsing ------------------------------------------------------------------- */

typedef struct sigp_s {
    const char *p;   /* next char */
    const char *sig; /* whole signature, for the abort message */
} sigp_t;

/* A malformed signature is a programming error in a table: fail at start-up, loudly. */
static void sig_die(sigp_t *sp, const char *what) __attribute__((noreturn));
static void sig_die(sigp_t *sp, const char *what)
{
    fprintf(stderr, "sluice: bad function signature \"%s\": %s at \"%s\"\n", sp->sig, what, sp->p);
    abort();
}

static void sig_ws(sigp_t *sp)
{
    while (*sp->p == ' ')
        sp->p++;
}

static bool sig_eat(sigp_t *sp, const char *tok)
{
    size_t n = strlen(tok);
    sig_ws(sp);
    if (strncmp(sp->p, tok, n) == 0) {
        sp->p += n;
        return true;
    }
    return false;
}

static size_t sig_word(sigp_t *sp, char *w, size_t cap)
{
    size_t n = 0;
    sig_ws(sp);
    while (isalnum((unsigned char)*sp->p) || *sp->p == '_') {
        if (n + 1 < cap) w[n++] = *sp->p;
        sp->p++;
    }
    w[n] = '\0';
    return n;
}

static sl_ptype_t *pt_new(pt_kind_t k)
{
    sl_ptype_t *p = sl_arena_zalloc(&reg_arena, sizeof(*p));
    p->kind = k;
    return p;
}

static const sl_ptype_t *sig_type(sigp_t *sp)
{
    char w[32];
    size_t n = sig_word(sp, w, sizeof(w));
    sl_ptype_t *p;
    if (n == 0) sig_die(sp, "expected a type");
    if (n == 1 && isupper((unsigned char)w[0])) {
        p = pt_new(PT_GENERIC);
        p->gen = w[0];
        return p;
    }
    if (strcmp(w, "ARRAY") == 0) {
        p = pt_new(PT_ARRAY);
        if (!sig_eat(sp, "<")) sig_die(sp, "expected <");
        p->elem = sig_type(sp);
        if (!sig_eat(sp, ">")) sig_die(sp, "expected >");
        return p;
    }
    if (strcmp(w, "MAP") == 0) {
        p = pt_new(PT_MAP);
        if (!sig_eat(sp, "<")) sig_die(sp, "expected <");
        p->key = sig_type(sp);
        if (!sig_eat(sp, ",")) sig_die(sp, "expected ,");
        p->elem = sig_type(sp);
        if (!sig_eat(sp, ">")) sig_die(sp, "expected >");
        return p;
    }
    if (strcmp(w, "LAMBDA") == 0) {
        const sl_ptype_t *ps[8];
        uint32_t np = 0;
        p = pt_new(PT_LAMBDA);
        if (!sig_eat(sp, "(")) sig_die(sp, "expected (");
        do {
            if (np == 8) sig_die(sp, "too many lambda parameters");
            ps[np++] = sig_type(sp);
        } while (sig_eat(sp, ","));
        if (!sig_eat(sp, ")") || !sig_eat(sp, "=>")) sig_die(sp, "expected ) =>");
        p->lparams = sl_arena_alloc(&reg_arena, sizeof(*ps) * np);
        memcpy(p->lparams, ps, sizeof(*ps) * np);
        p->nlparams = np;
        p->lret = sig_type(sp);
        return p;
    }
    if (strcmp(w, "DECIMAL") == 0) return pt_new(PT_DECIMAL);
    if (strcmp(w, "STRUCT") == 0) return pt_new(PT_STRUCT);
    if (strcmp(w, "ANY") == 0) return pt_new(PT_ANY);
    if (strcmp(w, "INTERVALUNIT") == 0) return pt_new(PT_UNIT);
    {
        const sl_type_t *t;
        char err[128];
        if (sl_type_parse(&reg_arena, w, n, NULL, NULL, &t, err, sizeof(err)) != SL_OK)
            sig_die(sp, err);
        p = pt_new(PT_CONCRETE);
        p->type = t;
        return p;
    }
}

static void parse_overload(const sl_fdef_t *d, sl_overload_t *ov)
{
    sigp_t sp = {.p = d->params, .sig = d->params};
    const sl_ptype_t *ps[32];
    const char *names[32];
    uint32_t n = 0;
    memset(ov, 0, sizeof(*ov));
    ov->def = d;
    sig_ws(&sp);
    while (*sp.p) {
        char w[64];
        if (n == 32) sig_die(&sp, "too many parameters");
        if (ov->variadic) sig_die(&sp, "only the last parameter may be variadic");
        ps[n] = sig_type(&sp);
        if (sig_eat(&sp, "...")) ov->variadic = true;
        if (sig_word(&sp, w, sizeof(w)) == 0) sig_die(&sp, "expected a parameter name");
        names[n] = sl_arena_strdup(&reg_arena, w);
        n++;
        sig_ws(&sp);
        if (*sp.p == ',')
            sp.p++;
        else if (*sp.p)
            sig_die(&sp, "expected ,");
    }
    ov->params = sl_arena_alloc(&reg_arena, sizeof(*ps) * (n ? n : 1));
    memcpy(ov->params, ps, sizeof(*ps) * n);
    ov->pnames = sl_arena_alloc(&reg_arena, sizeof(*names) * (n ? n : 1));
    memcpy(ov->pnames, names, sizeof(*names) * n);
    ov->nparams = n;
    if (d->ret) {
        sigp_t rp = {.p = d->ret, .sig = d->ret};
        ov->ret = sig_type(&rp);
        sig_ws(&rp);
        if (*rp.p) sig_die(&rp, "junk after the result type");
    } else if (!d->ret_fn) {
        sigp_t rp = {.p = d->name, .sig = d->name};
        sig_die(&rp, "neither ret nor ret_fn");
    }
}

static int cmp_func_name(const void *a, const void *b)
{
    const sl_func_t *x = *(const sl_func_t *const *)a, *y = *(const sl_func_t *const *)b;
    return strcasecmp(x->name, y->name);
}

static void reg_build(void)
{
    uint32_t nrows = 0, nf = 0;
    sl_arena_init(&reg_arena, 64 * 1024);
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        for (const sl_fdef_t *d = groups[g]; d->name; d++)
            nrows++;
    }
    reg_funcs = sl_arena_zalloc(&reg_arena, sizeof(sl_func_t) * nrows);
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        const sl_fdef_t *d = groups[g];
        while (d->name) {
            const sl_fdef_t *first = d;
            uint32_t n = 0;
            sl_overload_t *ovs;
            while (d[n].name && strcmp(d[n].name, first->name) == 0)
                n++;
            ovs = sl_arena_alloc(&reg_arena, sizeof(*ovs) * n);
            for (uint32_t i = 0; i < n; i++)
                parse_overload(&d[i], &ovs[i]);
            for (uint32_t i = 0; i < nf; i++) {
                if (strcasecmp(reg_funcs[i].name, first->name) == 0) {
                    fprintf(stderr, "sluice: function %s registered twice\n", first->name);
                    abort();
                }
            }
            reg_funcs[nf].name = first->name;
            reg_funcs[nf].category = first->category ? first->category : "OTHER";
            reg_funcs[nf].desc = first->desc ? first->desc : "";
            reg_funcs[nf].ovs = ovs;
            reg_funcs[nf].novs = n;
            nf++;
            d += n;
        }
    }
    reg_nfuncs = nf;
    reg_sorted = sl_arena_alloc(&reg_arena, sizeof(*reg_sorted) * (nf ? nf : 1));
    for (uint32_t i = 0; i < nf; i++)
        reg_sorted[i] = &reg_funcs[i];
    qsort(reg_sorted, nf, sizeof(*reg_sorted), cmp_func_name);
}

const sl_func_t *sl_func_lookup(const char *name)
{
    uint32_t lo = 0, hi;
    pthread_once(&reg_once, reg_build);
    hi = reg_nfuncs;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c = strcasecmp(name, reg_sorted[mid]->name);
        if (c == 0) return reg_sorted[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

void sl_func_all(const sl_func_t *const **out, uint32_t *n)
{
    pthread_once(&reg_once, reg_build);
    *out = reg_sorted;
    *n = reg_nfuncs;
}

/* ---- formatting -------------------------------------------------------------------------- */

static void buf_puts(sl_buf_t *b, const char *s)
{
    sl_buf_put(b, s, strlen(s));
}

static void pt_format(const sl_ptype_t *p, sl_buf_t *out)
{
    switch (p->kind) {
    case PT_CONCRETE:
        sl_type_format(p->type, out);
        return;
    case PT_GENERIC:
        sl_buf_put(out, &p->gen, 1);
        return;
    case PT_ARRAY:
        buf_puts(out, "ARRAY<");
        pt_format(p->elem, out);
        buf_puts(out, ">");
        return;
    case PT_MAP:
        buf_puts(out, "MAP<");
        pt_format(p->key, out);
        buf_puts(out, ", ");
        pt_format(p->elem, out);
        buf_puts(out, ">");
        return;
    case PT_DECIMAL:
        buf_puts(out, "DECIMAL");
        return;
    case PT_STRUCT:
        buf_puts(out, "STRUCT");
        return;
    case PT_ANY:
        buf_puts(out, "ANY");
        return;
    case PT_UNIT:
        buf_puts(out, "INTERVALUNIT");
        return;
    case PT_LAMBDA:
        buf_puts(out, "LAMBDA(");
        for (uint32_t i = 0; i < p->nlparams; i++) {
            if (i) buf_puts(out, ", ");
            pt_format(p->lparams[i], out);
        }
        buf_puts(out, ") => ");
        pt_format(p->lret, out);
        return;
    }
}

void sl_overload_format_params(const sl_overload_t *ov, sl_buf_t *out)
{
    for (uint32_t i = 0; i < ov->nparams; i++) {
        if (i) buf_puts(out, ", ");
        pt_format(ov->params[i], out);
        if (ov->variadic && i + 1 == ov->nparams) buf_puts(out, "...");
        buf_puts(out, " ");
        buf_puts(out, ov->pnames[i]);
    }
}

void sl_overload_format_ret(const sl_overload_t *ov, sl_buf_t *out)
{
    if (ov->ret)
        pt_format(ov->ret, out);
    else
        buf_puts(out, "DECIMAL");
}

/* ---- resolution -------------------------------------------------------------------------- */

typedef struct match_s {
    const sl_type_t *gen[26]; /* generic bindings */
} match_t;

static const sl_ptype_t *param_for(const sl_overload_t *ov, uint32_t i)
{
    if (i < ov->nparams) return ov->params[i];
    return ov->params[ov->nparams - 1]; /* variadic tail */
}

static bool arity_ok(const sl_overload_t *ov, uint32_t n)
{
    if (ov->variadic) return n + 1 >= ov->nparams;
    return n == ov->nparams;
}

static bool pt_match(sl_arena_t *a, const sl_ptype_t *p, const sl_type_t *t, bool implicit,
                     bool strlit, match_t *m)
{
    switch (p->kind) {
    case PT_ANY:
        return true;
    case PT_CONCRETE:
        if (sl_type_equal(p->type, t)) return true;
        if (!implicit) return false;
        if (strlit && t->kind == SL_TYPE_STRING &&
            (p->type->kind == SL_TYPE_DATE || p->type->kind == SL_TYPE_TIME ||
             p->type->kind == SL_TYPE_TIMESTAMP))
            return true;
        return sl_type_can_widen(t, p->type);
    case PT_DECIMAL:
        if (t->kind == SL_TYPE_DECIMAL) return true;
        return implicit && (t->kind == SL_TYPE_INTEGER || t->kind == SL_TYPE_BIGINT);
    case PT_STRUCT:
        return t->kind == SL_TYPE_STRUCT;
    case PT_GENERIC: {
        const sl_type_t **g = &m->gen[p->gen - 'A'];
        if (!*g) {
            *g = t;
            return true;
        }
        if (sl_type_equal(*g, t)) return true;
        if (!implicit) return false;
        {
            const sl_type_t *w = sl_type_widen(a, *g, t);
            if (!w) return false;
            *g = w;
            return true;
        }
    }
    case PT_ARRAY:
        return t->kind == SL_TYPE_ARRAY && pt_match(a, p->elem, t->elem, implicit, false, m);
    case PT_MAP:
        return t->kind == SL_TYPE_MAP && pt_match(a, p->key, t->key, implicit, false, m) &&
               pt_match(a, p->elem, t->elem, implicit, false, m);
    case PT_LAMBDA:
    case PT_UNIT:
        return false;
    }
    return false;
}

/* The concrete type of a pattern under the bindings; NULL if a generic is unbound. For
 * PT_DECIMAL/PT_STRUCT/PT_ANY the argument's own type `t` (integers as their DECIMAL). */
static const sl_type_t *pt_subst(sl_arena_t *a, const sl_ptype_t *p, const sl_type_t *t,
                                 const match_t *m)
{
    switch (p->kind) {
    case PT_CONCRETE:
        return p->type;
    case PT_GENERIC:
        return m->gen[p->gen - 'A'];
    case PT_DECIMAL:
        return t && t->kind != SL_TYPE_NULL ? sl_type_as_decimal(t) : NULL;
    case PT_STRUCT:
    case PT_ANY:
        return t && t->kind != SL_TYPE_NULL ? t : NULL;
    case PT_ARRAY: {
        const sl_type_t *e =
            pt_subst(a, p->elem, t && t->kind == SL_TYPE_ARRAY ? t->elem : NULL, m);
        return e ? sl_type_array(a, e) : NULL;
    }
    case PT_MAP: {
        const sl_type_t *k = pt_subst(a, p->key, t && t->kind == SL_TYPE_MAP ? t->key : NULL, m);
        const sl_type_t *v = pt_subst(a, p->elem, t && t->kind == SL_TYPE_MAP ? t->elem : NULL, m);
        return k && v ? sl_type_map(a, k, v) : NULL;
    }
    case PT_UNIT:
        return SL_T_STRING;
    case PT_LAMBDA:
        return NULL;
    }
    return NULL;
}

static int count_generic(const sl_ptype_t *p)
{
    switch (p->kind) {
    case PT_GENERIC:
    case PT_ANY:
    case PT_STRUCT:
        return 1;
    case PT_ARRAY:
        return count_generic(p->elem);
    case PT_MAP:
        return count_generic(p->key) + count_generic(p->elem);
    default:
        return 0;
    }
}

/* Checks the non-lambda arguments against an overload in one mode. */
static bool try_overload(sl_arena_t *a, const sl_overload_t *ov, const sl_farg_t *args, uint32_t n,
                         bool implicit, match_t *m)
{
    memset(m, 0, sizeof(*m));
    if (!arity_ok(ov, n)) return false;
    for (uint32_t i = 0; i < n; i++) {
        const sl_ptype_t *p = param_for(ov, i);
        if (!args[i].type) {
            if (p->kind != PT_LAMBDA || p->nlparams != args[i].lambda_params) return false;
            continue;
        }
        if (p->kind == PT_LAMBDA) return false;
        if ((p->kind == PT_UNIT) != args[i].time_unit) return false;
        if (p->kind == PT_UNIT) continue;
        if (args[i].type->kind == SL_TYPE_NULL) continue;
        if (!pt_match(a, p, args[i].type, implicit, args[i].string_literal, m)) return false;
    }
    return true;
}

static void fmt_args(const sl_farg_t *args, uint32_t n, sl_buf_t *out)
{
    buf_puts(out, "(");
    for (uint32_t i = 0; i < n; i++) {
        if (i) buf_puts(out, ", ");
        if (!args[i].type)
            buf_puts(out, "LAMBDA");
        else if (args[i].time_unit)
            buf_puts(out, "INTERVALUNIT");
        else if (args[i].type->kind == SL_TYPE_NULL)
            buf_puts(out, "null");
        else
            sl_type_format(args[i].type, out);
    }
    buf_puts(out, ")");
}

static void set_err(char *err, size_t errlen, sl_buf_t *b)
{
    size_t n = b->len < errlen - 1 ? b->len : errlen - 1;
    if (!errlen) return;
    memcpy(err, b->data, n);
    err[n] = '\0';
}

static int fail_no_match(const sl_func_t *f, const sl_farg_t *args, uint32_t n, char *err,
                         size_t errlen)
{
    sl_buf_t b;
    sl_buf_init(&b);
    buf_puts(&b, "Function '");
    buf_puts(&b, f->name);
    buf_puts(&b, "' does not accept parameters ");
    fmt_args(args, n, &b);
    buf_puts(&b, ".\nValid alternatives are:");
    for (uint32_t i = 0; i < f->novs; i++) {
        buf_puts(&b, "\n");
        buf_puts(&b, f->name);
        buf_puts(&b, "(");
        sl_overload_format_params(&f->ovs[i], &b);
        buf_puts(&b, ")");
    }
    set_err(err, errlen, &b);
    sl_buf_free(&b);
    return SL_INVAL;
}

int sl_func_resolve(sl_arena_t *a, const sl_func_t *f, const sl_farg_t *args, uint32_t n,
                    sl_bind_lambda_fn bind_lambda, void *ud, const sl_overload_t **ovout,
                    const sl_type_t **ptypes, const sl_type_t **ret, char *err, size_t errlen)
{
    const sl_overload_t *best = NULL;
    match_t bm;
    int rc;
    for (int mode = 0; mode < 2 && !best; mode++) {
        const sl_overload_t *cand[64];
        match_t cm[64];
        int score[64], nc = 0, top = -1000000, ntop = 0;
        for (uint32_t i = 0; i < f->novs && nc < 64; i++) {
            if (try_overload(a, &f->ovs[i], args, n, mode == 1, &cm[nc])) {
                int g = 0;
                for (uint32_t k = 0; k < f->ovs[i].nparams; k++)
                    g += count_generic(f->ovs[i].params[k]);
                cand[nc] = &f->ovs[i];
                /* non-variadic beats variadic, fewer generic parameters beat more */
                score[nc] = (f->ovs[i].variadic ? 0 : 1000) - g;
                nc++;
            }
        }
        if (nc == 0) continue;
        for (int i = 0; i < nc; i++) {
            if (score[i] > top) {
                top = score[i];
                ntop = 0;
            }
            if (score[i] == top) ntop++;
        }
        if (ntop > 1) {
            sl_buf_t b;
            sl_buf_init(&b);
            buf_puts(&b, "Function '");
            buf_puts(&b, f->name);
            buf_puts(&b, "' cannot be resolved due to ambiguous method parameters ");
            fmt_args(args, n, &b);
            buf_puts(&b, ".");
            set_err(err, errlen, &b);
            sl_buf_free(&b);
            return SL_INVAL;
        }
        for (int i = 0; i < nc; i++) {
            if (score[i] == top) {
                best = cand[i];
                bm = cm[i];
            }
        }
    }
    if (!best) return fail_no_match(f, args, n, err, errlen);

    /* non-lambda parameter types; NULL arguments take the parameter's type */
    for (uint32_t i = 0; i < n; i++) {
        const sl_ptype_t *p = param_for(best, i);
        if (!args[i].type) {
            ptypes[i] = NULL;
            continue;
        }
        ptypes[i] = pt_subst(a, p, args[i].type, &bm);
        if (!ptypes[i]) {
            if (args[i].type->kind != SL_TYPE_NULL)
                ptypes[i] = args[i].type;
            else
                ptypes[i] = NULL; /* decided after lambdas, or an error below */
        }
    }
    /* lambdas: parameter types from the bindings, result binds or checks its generic */
    for (uint32_t i = 0; i < n; i++) {
        const sl_ptype_t *p = param_for(best, i);
        const sl_type_t *lp[8], *body;
        if (args[i].type) continue;
        for (uint32_t k = 0; k < p->nlparams; k++) {
            lp[k] = pt_subst(a, p->lparams[k], NULL, &bm);
            if (!lp[k]) {
                snprintf(err, errlen,
                         "Function '%s' cannot infer the type of lambda parameter %u from its "
                         "arguments.",
                         f->name, k + 1);
                return SL_INVAL;
            }
        }
        if ((rc = bind_lambda(ud, i, lp, p->nlparams, &body)) != SL_OK) return rc;
        if (!pt_match(a, p->lret, body, true, false, &bm)) {
            sl_buf_t b;
            sl_buf_init(&b);
            buf_puts(&b, "Function '");
            buf_puts(&b, f->name);
            buf_puts(&b, "': the lambda returns ");
            sl_type_format(body, &b);
            buf_puts(&b, " but ");
            pt_format(p->lret, &b);
            buf_puts(&b, " is expected.");
            set_err(err, errlen, &b);
            sl_buf_free(&b);
            return SL_INVAL;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        if (args[i].type && !ptypes[i]) {
            const sl_ptype_t *p = param_for(best, i);
            ptypes[i] = pt_subst(a, p, NULL, &bm);
            if (!ptypes[i] && p->kind == PT_ANY)
                ptypes[i] = SL_T_NULL; /* the function sees a NULL of no particular type */
            if (!ptypes[i] && p->kind == PT_DECIMAL) {
                /* a NULL among DECIMALs: any DECIMAL type will do, take a sibling's */
                static const sl_type_t dec1 = {.kind = SL_TYPE_DECIMAL, .precision = 1};
                ptypes[i] = &dec1;
                for (uint32_t k = 0; k < n; k++) {
                    if (ptypes[k] && ptypes[k]->kind == SL_TYPE_DECIMAL) {
                        ptypes[i] = ptypes[k];
                        break;
                    }
                }
            }
            if (!ptypes[i]) {
                snprintf(err, errlen,
                         "Can't infer a type of null. Please explicitly cast it to a required "
                         "type, e.g. CAST(null AS VARCHAR).");
                return SL_INVAL;
            }
        }
    }
    if (best->ret) {
        *ret = pt_subst(a, best->ret, NULL, &bm);
        if (!*ret) {
            snprintf(err, errlen,
                     "Can't infer a type of null. Please explicitly cast it to a required type, "
                     "e.g. CAST(null AS VARCHAR).");
            return SL_INVAL;
        }
    } else {
        if ((rc = best->def->ret_fn(a, ptypes, n, ret, err, errlen)) != SL_OK) return rc;
    }
    *ovout = best;
    return SL_OK;
}
