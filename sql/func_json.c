/*
 * func_json.c — ksqlDB's JSON functions: EXTRACTJSONFIELD, JSON_ARRAY_CONTAINS,
 * JSON_ARRAY_LENGTH, JSON_KEYS, JSON_RECORDS, JSON_ITEMS, JSON_CONCAT, IS_JSON_STRING and
 * TO_JSON_STRING.
 *
 * Text is parsed with jansson the way ksqlDB's Jackson reads it: any JSON value at the top
 * (not only objects), trailing text after the first value ignored. JSON rendered back as text
 * follows Jackson's toString(): compact, document key order, numbers in Java form. Invalid JSON
 * gives NULL (FALSE for the predicates). Integers beyond 64 bits are invalid here (Jackson
 * would read them as BigInteger).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "sql/expr.h"
#include "sql/func.h"

static json_t *parse(const sl_value_t *v)
{
    json_error_t je;
    if (sl_v_is_null(v)) return NULL;
    return json_loadb(v->u.str, v->len, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &je);
}

static sl_value_t json_text(sl_eval_t *ctx, const json_t *j)
{
    sl_buf_t b;
    sl_value_t v;
    sl_buf_init(&b);
    sl_value_json_dump_java(j, &b);
    v = sl_v_str_copy(ctx->arena, (const char *)b.data, b.len);
    sl_buf_free(&b);
    return v;
}

/* ---- EXTRACTJSONFIELD -------------------------------------------------------------------- */

/* Walks a JSONPath of the forms $.a.b, $.a[0], $['a'], $["a"]. NULL if absent or malformed. */
static const json_t *walk(const json_t *root, const char *p, size_t n)
{
    const char *end = p + n;
    const json_t *cur = root;
    if (p < end && *p == '$') p++;
    while (p < end && cur) {
        if (*p == '.') {
            const char *s = ++p;
            char key[1024];
            while (p < end && *p != '.' && *p != '[')
                p++;
            if ((size_t)(p - s) >= sizeof(key) || !json_is_object(cur)) return NULL;
            memcpy(key, s, (size_t)(p - s));
            key[p - s] = '\0';
            cur = json_object_get(cur, key);
        } else if (*p == '[') {
            p++;
            if (p < end && (*p == '\'' || *p == '"')) {
                char q = *p++, key[1024];
                const char *s = p;
                while (p < end && *p != q)
                    p++;
                if (p >= end || (size_t)(p - s) >= sizeof(key) || !json_is_object(cur)) return NULL;
                memcpy(key, s, (size_t)(p - s));
                key[p - s] = '\0';
                p++;
                cur = json_object_get(cur, key);
            } else {
                size_t idx = 0;
                bool any = false;
                while (p < end && isdigit((unsigned char)*p)) {
                    idx = idx * 10 + (size_t)(*p++ - '0');
                    any = true;
                    if (idx > 1000000000) return NULL;
                }
                if (!any || !json_is_array(cur)) return NULL;
                cur = json_array_get(cur, idx);
            }
            if (p >= end || *p != ']') return NULL;
            p++;
        } else {
            return NULL;
        }
    }
    return cur;
}

static int fn_extractjsonfield(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                               sl_value_t *out)
{
    json_t *root = parse(&args[0]);
    const json_t *node;
    *out = sl_v_null();
    if (!root) return SL_OK;
    node = walk(root, args[1].u.str, args[1].len);
    if (node && !json_is_null(node)) {
        if (json_is_string(node))
            *out = sl_v_str_copy(ctx->arena, json_string_value(node), json_string_length(node));
        else
            *out = json_text(ctx, node);
    }
    json_decref(root);
    return SL_OK;
}

/* ---- arrays and objects ------------------------------------------------------------------ */

static bool json_matches(const json_t *j, const sl_value_t *v)
{
    switch (v->kind) {
    case SL_TYPE_NULL:
        return json_is_null(j);
    case SL_TYPE_BOOLEAN:
        return json_is_boolean(j) && json_is_true(j) == v->u.b;
    case SL_TYPE_INTEGER:
        return json_is_integer(j) && json_integer_value(j) == v->u.i32;
    case SL_TYPE_BIGINT:
        return json_is_integer(j) && json_integer_value(j) == v->u.i64;
    case SL_TYPE_DOUBLE:
        return json_is_real(j) && json_real_value(j) == v->u.f64;
    case SL_TYPE_DECIMAL:
        return json_is_number(j) && json_number_value(j) == sl_dec_to_double(v->u.dec, v->scale);
    case SL_TYPE_STRING:
        return json_is_string(j) && json_string_length(j) == v->len &&
               memcmp(json_string_value(j), v->u.str, v->len) == 0;
    default:
        return false;
    }
}

static int fn_json_array_contains(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                                  sl_value_t *out)
{
    json_t *root = parse(&args[0]);
    bool found = false;
    if (root && json_is_array(root)) {
        for (size_t i = 0; i < json_array_size(root) && !found; i++)
            found = json_matches(json_array_get(root, i), &args[1]);
    }
    json_decref(root);
    *out = sl_v_bool(found);
    return SL_OK;
}

static int fn_json_array_length(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                                sl_value_t *out)
{
    json_t *root = parse(&args[0]);
    *out = root && json_is_array(root) ? sl_v_int((int32_t)json_array_size(root)) : sl_v_null();
    json_decref(root);
    return SL_OK;
}

static int fn_json_keys(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                        sl_value_t *out)
{
    json_t *root = parse(&args[0]);
    *out = sl_v_null();
    if (root && json_is_object(root)) {
        size_t n = json_object_size(root), i = 0;
        sl_value_t *items = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * (n ? n : 1));
        const char *k;
        json_t *v;
        json_object_foreach(root, k, v)
        {
            items[i++] = sl_v_str_copy(ctx->arena, k, strlen(k));
        }
        *out = sl_v_array(items, (uint32_t)i);
    }
    json_decref(root);
    return SL_OK;
}

static int fn_json_records(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    json_t *root = parse(&args[0]);
    *out = sl_v_null();
    if (root && json_is_object(root)) {
        size_t n = json_object_size(root), i = 0;
        sl_value_t *kv = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * 2 * (n ? n : 1));
        const char *k;
        json_t *v;
        json_object_foreach(root, k, v)
        {
            kv[2 * i] = sl_v_str_copy(ctx->arena, k, strlen(k));
            kv[2 * i + 1] = json_text(ctx, v);
            i++;
        }
        *out = sl_v_map(kv, (uint32_t)i);
    }
    json_decref(root);
    return SL_OK;
}

static int fn_json_items(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    json_t *root = parse(&args[0]);
    *out = sl_v_null();
    if (root && json_is_array(root)) {
        size_t n = json_array_size(root);
        sl_value_t *items = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * (n ? n : 1));
        for (size_t i = 0; i < n; i++)
            items[i] = json_text(ctx, json_array_get(root, i));
        *out = sl_v_array(items, (uint32_t)n);
    }
    json_decref(root);
    return SL_OK;
}

/* JSON_CONCAT: objects merge (later keys win); anything else concatenates as arrays, a
 * non-array counting as a one-element array. Any NULL or invalid argument gives NULL. */
static int fn_json_concat(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                          sl_value_t *out)
{
    json_t *docs[64], *res = NULL;
    uint32_t n = call->nargs;
    bool all_objects = true;
    *out = sl_v_null();
    if (n > 64) return sl_eval_fail(ctx, SL_INVAL, "JSON_CONCAT: too many arguments");
    for (uint32_t i = 0; i < n; i++) {
        docs[i] = parse(&args[i]);
        if (!docs[i]) {
            for (uint32_t k = 0; k < i; k++)
                json_decref(docs[k]);
            return SL_OK;
        }
        all_objects = all_objects && json_is_object(docs[i]);
    }
    if (all_objects) {
        res = json_object();
        for (uint32_t i = 0; i < n; i++)
            json_object_update(res, docs[i]);
    } else {
        res = json_array();
        for (uint32_t i = 0; i < n; i++) {
            if (json_is_array(docs[i]))
                json_array_extend(res, docs[i]);
            else
                json_array_append(res, docs[i]);
        }
    }
    *out = json_text(ctx, res);
    json_decref(res);
    for (uint32_t i = 0; i < n; i++)
        json_decref(docs[i]);
    return SL_OK;
}

static int fn_is_json_string(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                             sl_value_t *out)
{
    json_t *root;
    json_error_t je;
    if (sl_v_is_null(&args[0])) {
        *out = sl_v_bool(false);
        return SL_OK;
    }
    root = json_loadb(args[0].u.str, args[0].len, JSON_DECODE_ANY, &je);
    *out = sl_v_bool(root != NULL);
    json_decref(root);
    return SL_OK;
}

/* ---- TO_JSON_STRING ---------------------------------------------------------------------- */

/* Like the JSON serializer, except that DATE and TIME print as ISO strings (Jackson's default
 * for java.sql.Date/Time, which ksqlDB's TO_JSON_STRING uses). */
static void to_json(const sl_value_t *v, const sl_type_t *t, sl_buf_t *out)
{
    char tmp[40];
    size_t n;
    switch (v->kind) {
    case SL_TYPE_DATE:
        n = sl_value_date_str(v->u.i32, tmp);
        sl_value_json_put_string(tmp, n, out);
        return;
    case SL_TYPE_TIME:
        n = sl_value_time_str(v->u.i32, tmp);
        sl_value_json_put_string(tmp, n, out);
        return;
    case SL_TYPE_ARRAY:
        sl_buf_put(out, "[", 1);
        for (uint32_t i = 0; i < v->len; i++) {
            if (i) sl_buf_put(out, ",", 1);
            to_json(&v->u.items[i], t->elem, out);
        }
        sl_buf_put(out, "]", 1);
        return;
    case SL_TYPE_MAP:
        sl_buf_put(out, "{", 1);
        for (uint32_t i = 0; i < v->len; i++) {
            sl_buf_t kb;
            if (i) sl_buf_put(out, ",", 1);
            sl_buf_init(&kb);
            sl_value_to_text(&v->u.kv[2 * i], t->key, &kb);
            sl_value_json_put_string(kb.data ? (const char *)kb.data : "", kb.len, out);
            sl_buf_free(&kb);
            sl_buf_put(out, ":", 1);
            to_json(&v->u.kv[2 * i + 1], t->elem, out);
        }
        sl_buf_put(out, "}", 1);
        return;
    case SL_TYPE_STRUCT:
        sl_buf_put(out, "{", 1);
        for (uint32_t i = 0; i < v->len && i < t->nfields; i++) {
            if (i) sl_buf_put(out, ",", 1);
            sl_value_json_put_string(t->fields[i].name, strlen(t->fields[i].name), out);
            sl_buf_put(out, ":", 1);
            to_json(&v->u.items[i], t->fields[i].type, out);
        }
        sl_buf_put(out, "}", 1);
        return;
    default:
        sl_value_write_json(v, t, out);
        return;
    }
}

static int fn_to_json_string(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                             sl_value_t *out)
{
    sl_buf_t b;
    sl_buf_init(&b);
    to_json(&args[0], call->argt[0], &b);
    *out = sl_v_str_copy(ctx->arena, (const char *)b.data, b.len);
    sl_buf_free(&b);
    return SL_OK;
}

/* ---- the table --------------------------------------------------------------------------- */

#define J "JSON"
#define N SL_FN_NULLS

const sl_fdef_t sl_func_json_defs[] = {
    {"EXTRACTJSONFIELD", "STRING jsonString, STRING jsonPath", "STRING", fn_extractjsonfield, NULL,
     NULL, N, J,
     "The value at a JSONPath ($.a.b[0]) in JSON text: text as is, anything "
     "else as JSON."},
    {"JSON_ARRAY_CONTAINS", "STRING jsonArray, ANY val", "BOOLEAN", fn_json_array_contains, NULL,
     NULL, 0, J, "Whether a JSON array contains a value (FALSE for invalid JSON)."},
    {"JSON_ARRAY_LENGTH", "STRING jsonArray", "INTEGER", fn_json_array_length, NULL, NULL, N, J,
     "Number of elements of a JSON array."},
    {"JSON_KEYS", "STRING jsonObject", "ARRAY<STRING>", fn_json_keys, NULL, NULL, N, J,
     "The keys of a JSON object."},
    {"JSON_RECORDS", "STRING jsonObject", "MAP<STRING, STRING>", fn_json_records, NULL, NULL, N, J,
     "The entries of a JSON object, values as JSON text."},
    {"JSON_ITEMS", "STRING jsonArray", "ARRAY<STRING>", fn_json_items, NULL, NULL, N, J,
     "The elements of a JSON array as JSON text."},
    {"JSON_CONCAT", "STRING... jsonStrings", "STRING", fn_json_concat, NULL, NULL, N, J,
     "Merges JSON objects, or concatenates JSON arrays."},
    {"IS_JSON_STRING", "STRING json", "BOOLEAN", fn_is_json_string, NULL, NULL, 0, J,
     "Whether the text is valid JSON."},
    {"TO_JSON_STRING", "ANY input", "STRING", fn_to_json_string, NULL, NULL, 0, J,
     "The JSON text of any value."},
    {.name = NULL},
};
