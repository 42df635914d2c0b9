/*
 * func_coll.c — ksqlDB's ARRAY and MAP functions, including the lambda functions TRANSFORM,
 * FILTER and REDUCE.
 *
 * Conventions (ksqlDB's): set operations (ARRAY_DISTINCT/EXCEPT/INTERSECT/UNION) keep the
 * first occurrence's order and treat NULL as a value; ARRAY_SORT puts NULLs last in either
 * direction; ARRAY_MAX/MIN skip NULLs. Element equality is Java equals() (sl_value_eq), so it
 * works for nested arrays, maps and structs. Results are built in the record arena.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "sql/expr.h"
#include "sql/func.h"

#define SL_COLL_MAX_ELEMS (16u * 1024 * 1024)

static sl_value_t *new_items(sl_eval_t *ctx, size_t n)
{
    return sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * (n ? n : 1));
}

/* Index of v in items[0..n), or -1. */
static long find_in(const sl_value_t *items, uint32_t n, const sl_value_t *v, const sl_type_t *t)
{
    for (uint32_t i = 0; i < n; i++) {
        if (sl_value_eq(&items[i], v, t)) return (long)i;
    }
    return -1;
}

/* ---- ARRAY_CONTAINS, ARRAY_LENGTH, ARRAY_MAX/MIN, ARRAY_JOIN ----------------------------- */

static int fn_array_contains(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                             sl_value_t *out)
{
    const sl_value_t *a = &args[0];
    *out = sl_v_bool(!sl_v_is_null(a) &&
                     find_in(a->u.items, a->len, &args[1], call->argt[0]->elem) >= 0);
    return SL_OK;
}

static int fn_array_length(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    *out = sl_v_int((int32_t)args[0].len);
    return SL_OK;
}

static int array_extreme(const sl_fcall_t *call, const sl_value_t *args, int sign, sl_value_t *out)
{
    const sl_value_t *a = &args[0], *best = NULL;
    for (uint32_t i = 0; i < a->len; i++) {
        if (sl_v_is_null(&a->u.items[i])) continue;
        if (!best || sign * sl_value_cmp(&a->u.items[i], best, call->argt[0]->elem) > 0)
            best = &a->u.items[i];
    }
    *out = best ? *best : sl_v_null();
    return SL_OK;
}

static int fn_array_max(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                        sl_value_t *out)
{
    return array_extreme(call, args, 1, out);
}

static int fn_array_min(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                        sl_value_t *out)
{
    return array_extreme(call, args, -1, out);
}

static int fn_array_join(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    const sl_value_t *a = &args[0];
    const sl_type_t *et = call->argt[0]->elem;
    sl_buf_t b;
    if (sl_type_is_container(et))
        return sl_eval_fail(ctx, SL_INVAL,
                            "error in ARRAY_JOIN: only primitive element types are supported");
    sl_buf_init(&b);
    for (uint32_t i = 0; i < a->len; i++) {
        if (i && call->nargs == 1)
            sl_buf_put(&b, ",", 1);
        else if (i && !sl_v_is_null(&args[1]))
            sl_buf_put(&b, args[1].u.str, args[1].len);
        sl_value_to_text(&a->u.items[i], et, &b);
    }
    *out = sl_v_str_copy(ctx->arena, b.data ? (const char *)b.data : "", b.len);
    sl_buf_free(&b);
    return SL_OK;
}

/* ---- set operations ---------------------------------------------------------------------- */

static int fn_array_distinct(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                             sl_value_t *out)
{
    const sl_value_t *a = &args[0];
    sl_value_t *items = new_items(ctx, a->len);
    uint32_t n = 0;
    for (uint32_t i = 0; i < a->len; i++) {
        if (find_in(items, n, &a->u.items[i], call->argt[0]->elem) < 0) items[n++] = a->u.items[i];
    }
    *out = sl_v_array(items, n);
    return SL_OK;
}

static int fn_array_except(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    const sl_value_t *a = &args[0], *b = &args[1];
    const sl_type_t *et = call->argt[0]->elem;
    sl_value_t *items = new_items(ctx, a->len);
    uint32_t n = 0;
    for (uint32_t i = 0; i < a->len; i++) {
        if (find_in(b->u.items, b->len, &a->u.items[i], et) < 0 &&
            find_in(items, n, &a->u.items[i], et) < 0)
            items[n++] = a->u.items[i];
    }
    *out = sl_v_array(items, n);
    return SL_OK;
}

static int fn_array_intersect(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                              sl_value_t *out)
{
    const sl_value_t *a = &args[0], *b = &args[1];
    const sl_type_t *et = call->argt[0]->elem;
    sl_value_t *items = new_items(ctx, a->len);
    uint32_t n = 0;
    for (uint32_t i = 0; i < a->len; i++) {
        if (find_in(b->u.items, b->len, &a->u.items[i], et) >= 0 &&
            find_in(items, n, &a->u.items[i], et) < 0)
            items[n++] = a->u.items[i];
    }
    *out = sl_v_array(items, n);
    return SL_OK;
}

static int fn_array_union(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                          sl_value_t *out)
{
    const sl_type_t *et = call->argt[0]->elem;
    sl_value_t *items = new_items(ctx, (size_t)args[0].len + args[1].len);
    uint32_t n = 0;
    for (int k = 0; k < 2; k++) {
        for (uint32_t i = 0; i < args[k].len; i++) {
            if (find_in(items, n, &args[k].u.items[i], et) < 0) items[n++] = args[k].u.items[i];
        }
    }
    *out = sl_v_array(items, n);
    return SL_OK;
}

static int fn_array_concat(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    sl_value_t *items;
    if (sl_v_is_null(&args[0]) || sl_v_is_null(&args[1])) {
        *out = sl_v_is_null(&args[0]) ? args[1] : args[0];
        return SL_OK;
    }
    items = new_items(ctx, (size_t)args[0].len + args[1].len);
    memcpy(items, args[0].u.items, sizeof(sl_value_t) * args[0].len);
    memcpy(items + args[0].len, args[1].u.items, sizeof(sl_value_t) * args[1].len);
    *out = sl_v_array(items, args[0].len + args[1].len);
    return SL_OK;
}

static int fn_array_remove(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    const sl_value_t *a = &args[0];
    sl_value_t *items;
    uint32_t n = 0;
    if (sl_v_is_null(a)) {
        *out = sl_v_null();
        return SL_OK;
    }
    items = new_items(ctx, a->len);
    for (uint32_t i = 0; i < a->len; i++) {
        if (!sl_value_eq(&a->u.items[i], &args[1], call->argt[0]->elem)) items[n++] = a->u.items[i];
    }
    *out = sl_v_array(items, n);
    return SL_OK;
}

/* ---- ARRAY_SORT -------------------------------------------------------------------------- */

/* qsort has no context argument: sort indexes with a merge sort instead (stable). */
static void msort(sl_value_t *v, sl_value_t *tmp, size_t n, const sl_type_t *t, int dir)
{
    size_t h, i, j, k;
    if (n < 2) return;
    h = n / 2;
    msort(v, tmp, h, t, dir);
    msort(v + h, tmp, n - h, t, dir);
    for (i = 0, j = h, k = 0; i < h && j < n;) {
        bool take_right;
        if (sl_v_is_null(&v[i]))
            take_right = !sl_v_is_null(&v[j]); /* NULLs last */
        else if (sl_v_is_null(&v[j]))
            take_right = false;
        else
            take_right = dir * sl_value_cmp(&v[j], &v[i], t) < 0;
        tmp[k++] = take_right ? v[j++] : v[i++];
    }
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, sizeof(sl_value_t) * n);
}

static int fn_array_sort(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    const sl_value_t *a = &args[0];
    int dir = 1;
    sl_value_t *items, *tmp;
    if (sl_v_is_null(a)) {
        *out = sl_v_null();
        return SL_OK;
    }
    if (call->nargs > 1) {
        if (sl_v_is_null(&args[1])) {
            *out = sl_v_null();
            return SL_OK;
        }
        if (args[1].len == 4 && strncasecmp(args[1].u.str, "DESC", 4) == 0)
            dir = -1;
        else if (!(args[1].len == 3 && strncasecmp(args[1].u.str, "ASC", 3) == 0))
            return sl_eval_fail(ctx, SL_INVAL, "ARRAY_SORT: the direction must be ASC or DESC");
    }
    items = new_items(ctx, a->len);
    tmp = new_items(ctx, a->len);
    memcpy(items, a->u.items, sizeof(sl_value_t) * a->len);
    msort(items, tmp, a->len, call->argt[0]->elem, dir);
    *out = sl_v_array(items, a->len);
    return SL_OK;
}

/* ---- SLICE ------------------------------------------------------------------------------- */

/* SLICE(array, from, to): 1-based, inclusive; NULL bounds mean the ends. */
static int fn_slice(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    const sl_value_t *a = &args[0];
    int64_t from = sl_v_is_null(&args[1]) ? 1 : args[1].u.i32;
    int64_t to = sl_v_is_null(&args[2]) ? (int64_t)a->len : args[2].u.i32;
    if (sl_v_is_null(a)) {
        *out = sl_v_null();
        return SL_OK;
    }
    if (from < 1) from = 1;
    if (to > (int64_t)a->len) to = a->len;
    if (to < from) {
        *out = sl_v_array(new_items(ctx, 0), 0);
        return SL_OK;
    }
    *out = sl_v_array(a->u.items + from - 1, (uint32_t)(to - from + 1));
    return SL_OK;
}

/* ---- GENERATE_SERIES ------------------------------------------------------------------- */

/* GENERATE_SERIES(start, end [, step]): start, start+step, ... up to end inclusive; the
 * default step is 1 or -1 towards end. */
static int fn_generate_series(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                              sl_value_t *out)
{
    bool big = call->argt[0]->kind == SL_TYPE_BIGINT;
    int64_t start = big ? args[0].u.i64 : args[0].u.i32, end = big ? args[1].u.i64 : args[1].u.i32;
    int64_t step = start <= end ? 1 : -1;
    uint64_t n;
    sl_value_t *items;
    if (call->nargs > 2) {
        step = big ? args[2].u.i64 : args[2].u.i32;
        if (step == 0) return sl_eval_fail(ctx, SL_INVAL, "GENERATE_SERIES step cannot be zero");
        if ((end > start && step < 0) || (end < start && step > 0))
            return sl_eval_fail(ctx, SL_INVAL,
                                "GENERATE_SERIES step has wrong sign: the series from %lld to "
                                "%lld never ends",
                                (long long)start, (long long)end);
    }
    n = step > 0 ? ((uint64_t)end - (uint64_t)start) / (uint64_t)step + 1
                 : ((uint64_t)start - (uint64_t)end) / (uint64_t)(-step) + 1;
    if (n > SL_COLL_MAX_ELEMS)
        return sl_eval_fail(ctx, SL_TOOBIG, "GENERATE_SERIES: more than %u elements",
                            SL_COLL_MAX_ELEMS);
    items = new_items(ctx, n);
    for (uint64_t i = 0; i < n; i++) {
        int64_t v = (int64_t)((uint64_t)start + i * (uint64_t)step); /* stays in [start, end] */
        items[i] = big ? sl_v_bigint(v) : sl_v_int((int32_t)v);
    }
    *out = sl_v_array(items, (uint32_t)n);
    return SL_OK;
}

/* ---- maps -------------------------------------------------------------------------------- */

static int fn_map_keys(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                       sl_value_t *out)
{
    const sl_value_t *m = &args[0];
    sl_value_t *items = new_items(ctx, m->len);
    for (uint32_t i = 0; i < m->len; i++)
        items[i] = m->u.kv[2 * i];
    *out = sl_v_array(items, m->len);
    return SL_OK;
}

static int fn_map_values(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    const sl_value_t *m = &args[0];
    sl_value_t *items = new_items(ctx, m->len);
    for (uint32_t i = 0; i < m->len; i++)
        items[i] = m->u.kv[2 * i + 1];
    *out = sl_v_array(items, m->len);
    return SL_OK;
}

/* Puts k -> v into kv[0..*n), replacing an equal key's value. */
static void map_put(sl_value_t *kv, uint32_t *n, const sl_value_t *k, const sl_value_t *v,
                    const sl_type_t *kt)
{
    for (uint32_t j = 0; j < *n; j++) {
        if (sl_value_eq(&kv[2 * j], k, kt)) {
            kv[2 * j + 1] = *v;
            return;
        }
    }
    kv[2 * *n] = *k;
    kv[2 * *n + 1] = *v;
    (*n)++;
}

static int fn_map_union(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                        sl_value_t *out)
{
    const sl_type_t *kt = call->ret->key;
    sl_value_t *kv;
    uint32_t n = 0;
    if (sl_v_is_null(&args[0]) && sl_v_is_null(&args[1])) {
        *out = sl_v_null();
        return SL_OK;
    }
    kv = new_items(ctx, 2 * ((size_t)args[0].len + args[1].len));
    for (int k = 0; k < 2; k++) {
        if (sl_v_is_null(&args[k])) continue;
        for (uint32_t i = 0; i < args[k].len; i++)
            map_put(kv, &n, &args[k].u.kv[2 * i], &args[k].u.kv[2 * i + 1], kt);
    }
    *out = sl_v_map(kv, n);
    return SL_OK;
}

static int fn_as_map(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                     sl_value_t *out)
{
    const sl_value_t *ks = &args[0], *vs = &args[1];
    uint32_t n = 0, len = ks->len < vs->len ? ks->len : vs->len;
    sl_value_t *kv = new_items(ctx, 2 * (size_t)len);
    for (uint32_t i = 0; i < len; i++)
        map_put(kv, &n, &ks->u.items[i], &vs->u.items[i], SL_T_STRING);
    *out = sl_v_map(kv, n);
    return SL_OK;
}

/* ENTRIES(map, sorted): ARRAY<STRUCT<K STRING, V T>>. */
static int fn_entries(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                      sl_value_t *out)
{
    const sl_value_t *m = &args[0];
    sl_value_t *items = new_items(ctx, m->len);
    for (uint32_t i = 0; i < m->len; i++) {
        sl_value_t *f = new_items(ctx, 2);
        f[0] = m->u.kv[2 * i];
        f[1] = m->u.kv[2 * i + 1];
        items[i] = sl_v_struct(f, 2);
    }
    if (args[1].u.b && m->len > 1) {
        /* sort by key (insertion sort: maps are small) */
        for (uint32_t i = 1; i < m->len; i++) {
            sl_value_t x = items[i];
            uint32_t j = i;
            while (j > 0 &&
                   sl_value_cmp(&items[j - 1].u.items[0], &x.u.items[0], SL_T_STRING) > 0) {
                items[j] = items[j - 1];
                j--;
            }
            items[j] = x;
        }
    }
    *out = sl_v_array(items, m->len);
    return SL_OK;
}

static int ret_entries(sl_arena_t *a, const sl_type_t *const *argt, uint32_t n,
                       const sl_type_t **out, char *err, size_t errlen)
{
    sl_field_t f[2] = {{"K", SL_T_STRING}, {"V", argt[0]->elem}};
    *out = sl_type_array(a, sl_type_struct(a, f, 2));
    return SL_OK;
}

/* ---- lambdas ----------------------------------------------------------------------------- */

static int fn_transform_array(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                              sl_value_t *out)
{
    const sl_value_t *a = &args[0];
    sl_value_t *items = new_items(ctx, a->len);
    int rc;
    for (uint32_t i = 0; i < a->len; i++) {
        if ((rc = sl_eval_lambda(ctx, call->argx[1], &a->u.items[i], 1, &items[i])) != SL_OK)
            return rc;
    }
    *out = sl_v_array(items, a->len);
    return SL_OK;
}

static int fn_transform_map(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                            sl_value_t *out)
{
    const sl_value_t *m = &args[0];
    sl_value_t *kv = new_items(ctx, 2 * (size_t)m->len);
    uint32_t n = 0;
    int rc;
    for (uint32_t i = 0; i < m->len; i++) {
        sl_value_t k, v;
        if ((rc = sl_eval_lambda(ctx, call->argx[1], &m->u.kv[2 * i], 2, &k)) != SL_OK ||
            (rc = sl_eval_lambda(ctx, call->argx[2], &m->u.kv[2 * i], 2, &v)) != SL_OK)
            return rc;
        for (uint32_t j = 0; j < n; j++) {
            if (sl_value_eq(&kv[2 * j], &k, call->ret->key))
                return sl_eval_fail(ctx, SL_INVAL, "Duplicate key found while transforming map");
        }
        kv[2 * n] = k;
        kv[2 * n + 1] = v;
        n++;
    }
    *out = sl_v_map(kv, n);
    return SL_OK;
}

static int fn_filter_array(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    const sl_value_t *a = &args[0];
    sl_value_t *items = new_items(ctx, a->len);
    uint32_t n = 0;
    int rc;
    for (uint32_t i = 0; i < a->len; i++) {
        sl_value_t keep;
        if ((rc = sl_eval_lambda(ctx, call->argx[1], &a->u.items[i], 1, &keep)) != SL_OK) return rc;
        if (!sl_v_is_null(&keep) && keep.u.b) items[n++] = a->u.items[i];
    }
    *out = sl_v_array(items, n);
    return SL_OK;
}

static int fn_filter_map(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    const sl_value_t *m = &args[0];
    sl_value_t *kv = new_items(ctx, 2 * (size_t)m->len);
    uint32_t n = 0;
    int rc;
    for (uint32_t i = 0; i < m->len; i++) {
        sl_value_t keep;
        if ((rc = sl_eval_lambda(ctx, call->argx[1], &m->u.kv[2 * i], 2, &keep)) != SL_OK)
            return rc;
        if (!sl_v_is_null(&keep) && keep.u.b) {
            kv[2 * n] = m->u.kv[2 * i];
            kv[2 * n + 1] = m->u.kv[2 * i + 1];
            n++;
        }
    }
    *out = sl_v_map(kv, n);
    return SL_OK;
}

static int fn_reduce_array(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    const sl_value_t *a = &args[0];
    sl_value_t state = args[1];
    int rc;
    if (sl_v_is_null(a)) {
        *out = state;
        return SL_OK;
    }
    if (sl_v_is_null(&state)) {
        *out = sl_v_null();
        return SL_OK;
    }
    for (uint32_t i = 0; i < a->len; i++) {
        sl_value_t p[2] = {state, a->u.items[i]};
        if ((rc = sl_eval_lambda(ctx, call->argx[2], p, 2, &state)) != SL_OK) return rc;
    }
    *out = state;
    return SL_OK;
}

static int fn_reduce_map(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    const sl_value_t *m = &args[0];
    sl_value_t state = args[1];
    int rc;
    if (sl_v_is_null(m)) {
        *out = state;
        return SL_OK;
    }
    if (sl_v_is_null(&state)) {
        *out = sl_v_null();
        return SL_OK;
    }
    for (uint32_t i = 0; i < m->len; i++) {
        sl_value_t p[3] = {state, m->u.kv[2 * i], m->u.kv[2 * i + 1]};
        if ((rc = sl_eval_lambda(ctx, call->argx[2], p, 3, &state)) != SL_OK) return rc;
    }
    *out = state;
    return SL_OK;
}

/* ---- the table --------------------------------------------------------------------------- */

#define A  "ARRAY"
#define MP "MAP"
#define L  "LAMBDA"
#define N  SL_FN_NULLS

const sl_fdef_t sl_func_coll_defs[] = {
    {"ARRAY_CONTAINS", "ARRAY<T> array, T val", "BOOLEAN", fn_array_contains, NULL, NULL, 0, A,
     "Whether the array contains the value (FALSE for a NULL array)."},
    {"ARRAY_LENGTH", "ARRAY<T> array", "INTEGER", fn_array_length, NULL, NULL, N, A,
     "Number of elements of an array."},
    {"ARRAY_MAX", "ARRAY<T> array", "T", fn_array_max, NULL, NULL, N, A,
     "The largest non-NULL element."},
    {"ARRAY_MIN", "ARRAY<T> array", "T", fn_array_min, NULL, NULL, N, A,
     "The smallest non-NULL element."},
    {"ARRAY_JOIN", "ARRAY<T> array", "STRING", fn_array_join, NULL, NULL, N, A,
     "Joins the elements' text with a delimiter (default ',')."},
    {"ARRAY_JOIN", "ARRAY<T> array, STRING delimiter", "STRING", fn_array_join, NULL, NULL, 0, A,
     NULL},
    {"ARRAY_DISTINCT", "ARRAY<T> array", "ARRAY<T>", fn_array_distinct, NULL, NULL, N, A,
     "The distinct elements, in order of first occurrence."},
    {"ARRAY_EXCEPT", "ARRAY<T> left, ARRAY<T> right", "ARRAY<T>", fn_array_except, NULL, NULL, N, A,
     "Distinct elements of the left array absent from the right one."},
    {"ARRAY_INTERSECT", "ARRAY<T> left, ARRAY<T> right", "ARRAY<T>", fn_array_intersect, NULL, NULL,
     N, A, "Distinct elements present in both arrays."},
    {"ARRAY_UNION", "ARRAY<T> left, ARRAY<T> right", "ARRAY<T>", fn_array_union, NULL, NULL, N, A,
     "Distinct elements of both arrays."},
    {"ARRAY_CONCAT", "ARRAY<T> left, ARRAY<T> right", "ARRAY<T>", fn_array_concat, NULL, NULL, 0, A,
     "The elements of both arrays (a NULL array counts as empty unless both are NULL)."},
    {"ARRAY_REMOVE", "ARRAY<T> array, T victim", "ARRAY<T>", fn_array_remove, NULL, NULL, 0, A,
     "The array without the elements equal to the victim."},
    {"ARRAY_SORT", "ARRAY<T> array", "ARRAY<T>", fn_array_sort, NULL, NULL, N, A,
     "Sorts the array ascending, or 'DESC'ending; NULLs last."},
    {"ARRAY_SORT", "ARRAY<T> array, STRING direction", "ARRAY<T>", fn_array_sort, NULL, NULL, 0, A,
     NULL},
    {"SLICE", "ARRAY<T> array, INTEGER from, INTEGER to", "ARRAY<T>", fn_slice, NULL, NULL, 0, A,
     "Elements from 'from' to 'to' (1-based, inclusive)."},
    {"GENERATE_SERIES", "INTEGER start, INTEGER end", "ARRAY<INTEGER>", fn_generate_series, NULL,
     NULL, N, A, "The numbers from start to end (inclusive), by a step (default 1 or -1)."},
    {"GENERATE_SERIES", "INTEGER start, INTEGER end, INTEGER step", "ARRAY<INTEGER>",
     fn_generate_series, NULL, NULL, N, A, NULL},
    {"GENERATE_SERIES", "BIGINT start, BIGINT end", "ARRAY<BIGINT>", fn_generate_series, NULL, NULL,
     N, A, NULL},
    {"GENERATE_SERIES", "BIGINT start, BIGINT end, BIGINT step", "ARRAY<BIGINT>",
     fn_generate_series, NULL, NULL, N, A, NULL},
    {"AS_MAP", "ARRAY<STRING> keys, ARRAY<T> values", "MAP<STRING, T>", fn_as_map, NULL, NULL, N,
     MP, "A map from parallel arrays of keys and values."},
    {"MAP_KEYS", "MAP<K, V> map", "ARRAY<K>", fn_map_keys, NULL, NULL, N, MP, "The keys of a map."},
    {"MAP_VALUES", "MAP<K, V> map", "ARRAY<V>", fn_map_values, NULL, NULL, N, MP,
     "The values of a map."},
    {"MAP_UNION", "MAP<K, V> map1, MAP<K, V> map2", "MAP<K, V>", fn_map_union, NULL, NULL, 0, MP,
     "Both maps' entries; the second map wins on equal keys."},
    {"ENTRIES", "MAP<STRING, T> map, BOOLEAN sorted", NULL, fn_entries, ret_entries, NULL, N, MP,
     "The entries of a map as an array of STRUCT<K, V>, optionally sorted by key."},
    {"TRANSFORM", "ARRAY<T> array, LAMBDA(T) => U function", "ARRAY<U>", fn_transform_array, NULL,
     NULL, N, L,
     "Applies a lambda to each element of an array, or to each key and value of a map."},
    {"TRANSFORM", "MAP<K, V> map, LAMBDA(K, V) => A keyFunction, LAMBDA(K, V) => B valueFunction",
     "MAP<A, B>", fn_transform_map, NULL, NULL, N, L, NULL},
    {"FILTER", "ARRAY<T> array, LAMBDA(T) => BOOLEAN function", "ARRAY<T>", fn_filter_array, NULL,
     NULL, N, L, "Keeps the elements (or map entries) for which a lambda is true."},
    {"FILTER", "MAP<K, V> map, LAMBDA(K, V) => BOOLEAN function", "MAP<K, V>", fn_filter_map, NULL,
     NULL, N, L, NULL},
    {"REDUCE", "ARRAY<T> array, S initialState, LAMBDA(S, T) => S function", "S", fn_reduce_array,
     NULL, NULL, 0, L, "Folds an array (or a map's entries) into a state with a lambda."},
    {"REDUCE", "MAP<K, V> map, S initialState, LAMBDA(S, K, V) => S function", "S", fn_reduce_map,
     NULL, NULL, 0, L, NULL},
    {.name = NULL},
};
