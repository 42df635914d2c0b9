/*
 * func_string.c — ksqlDB's string, bytes and regular-expression functions.
 *
 * Java semantics worth knowing:
 *   - Positions and lengths (LEN, SUBSTRING, INSTR, LPAD/RPAD) count UTF-16 code units, as
 *     java.lang.String does: a character outside the BMP counts 2. Strings here are UTF-8, so
 *     the helpers below translate unit positions to byte offsets.
 *   - Case mapping is per code point through the C.UTF-8 locale (towupper_l/towlower_l), which
 *     matches Java's for everything but the few one-to-many mappings (German sharp s).
 *   - Regular expressions are Java's syntax run on POSIX extended regexes (glibc): \d, \w, \s
 *     and their negations, \t \n \r \f and quoted metacharacters are translated; lazy and
 *     possessive quantifiers, lookaround, non-capturing and named groups, inline flags and
 *     \Q..\E fail with "not supported yet". POSIX picks the leftmost-longest match where Java
 *     picks the first alternative that matches, which can differ for alternations.
 */
#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "common/err.h"
#include "sql/expr.h"
#include "sql/func.h"

/* ---- UTF-8 / UTF-16 helpers -------------------------------------------------------------- */

size_t sl_func_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    if (n == 0) {
        *cp = 0;
        return 0;
    }
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if ((p[0] >> 5) == 6 && n >= 2) {
        *cp = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
        return 2;
    }
    if ((p[0] >> 4) == 14 && n >= 3) {
        *cp = ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
        return 3;
    }
    if ((p[0] >> 3) == 30 && n >= 4) {
        *cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
              ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
        return 4;
    }
    *cp = 0xfffd;
    return 1;
}

size_t sl_func_utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

size_t sl_func_u16_len(const char *s, size_t n)
{
    size_t units = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += sl_func_utf8_decode(s + i, n - i, &cp);
        units += cp >= 0x10000 ? 2 : 1;
    }
    return units;
}

size_t sl_func_u16_off(const char *s, size_t n, size_t unit)
{
    size_t i = 0, u = 0;
    while (i < n && u < unit) {
        uint32_t cp;
        i += sl_func_utf8_decode(s + i, n - i, &cp);
        u += cp >= 0x10000 ? 2 : 1;
    }
    return i;
}

static pthread_once_t loc_once = PTHREAD_ONCE_INIT;
static locale_t utf8_loc;

static void loc_init(void)
{
    utf8_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

uint32_t sl_func_cp_upper(uint32_t cp)
{
    pthread_once(&loc_once, loc_init);
    if (cp < 0x80) return (uint32_t)toupper((int)cp);
    return utf8_loc ? (uint32_t)towupper_l((wint_t)cp, utf8_loc) : cp;
}

uint32_t sl_func_cp_lower(uint32_t cp)
{
    pthread_once(&loc_once, loc_init);
    if (cp < 0x80) return (uint32_t)tolower((int)cp);
    return utf8_loc ? (uint32_t)towlower_l((wint_t)cp, utf8_loc) : cp;
}

bool sl_func_cp_is_space(uint32_t cp)
{
    /* Java's Character.isWhitespace */
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f)) return true;
    if (cp == 0xa0 || cp == 0x2007 || cp == 0x202f) return false;
    pthread_once(&loc_once, loc_init);
    return cp >= 0x80 && utf8_loc && iswspace_l((wint_t)cp, utf8_loc);
}

/* ---- small helpers ----------------------------------------------------------------------- */

static sl_value_t str_out(sl_eval_t *ctx, const char *p, size_t n)
{
    return sl_v_str_copy(ctx->arena, p, n);
}

static sl_value_t buf_out(sl_eval_t *ctx, sl_buf_t *b)
{
    sl_value_t v = sl_v_str_copy(ctx->arena, b->data ? (const char *)b->data : "", b->len);
    sl_buf_free(b);
    return v;
}

/* Results from user-controlled sizes (LPAD to a billion) are capped. */
#define SL_FN_MAX_RESULT (64u * 1024 * 1024)

static int too_big(sl_eval_t *ctx, const char *fn)
{
    return sl_eval_fail(ctx, SL_TOOBIG, "%s: result larger than %u bytes", fn, SL_FN_MAX_RESULT);
}

/* ---- CONCAT, CONCAT_WS ------------------------------------------------------------------- */

static int fn_concat(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                     sl_value_t *out)
{
    size_t n = 0, o = 0;
    char *p;
    for (uint32_t i = 0; i < call->nargs; i++)
        n += sl_v_is_null(&args[i]) ? 0 : args[i].len;
    if (n > SL_FN_MAX_RESULT) return too_big(ctx, "CONCAT");
    p = sl_arena_alloc(ctx->arena, n ? n : 1);
    for (uint32_t i = 0; i < call->nargs; i++) {
        if (sl_v_is_null(&args[i])) continue;
        memcpy(p + o, args[i].u.str, args[i].len);
        o += args[i].len;
    }
    *out = call->ret->kind == SL_TYPE_BYTES ? sl_v_bytes((uint8_t *)p, n) : sl_v_str(p, n);
    return SL_OK;
}

static int fn_concat_ws(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                        sl_value_t *out)
{
    sl_buf_t b;
    bool first = true;
    if (sl_v_is_null(&args[0])) {
        *out = sl_v_null();
        return SL_OK;
    }
    sl_buf_init(&b);
    for (uint32_t i = 1; i < call->nargs; i++) {
        if (sl_v_is_null(&args[i])) continue;
        if (!first) sl_buf_put(&b, args[0].u.str, args[0].len);
        first = false;
        sl_buf_put(&b, args[i].u.str, args[i].len);
        if (b.len > SL_FN_MAX_RESULT) {
            sl_buf_free(&b);
            return too_big(ctx, "CONCAT_WS");
        }
    }
    *out = buf_out(ctx, &b);
    if (call->ret->kind == SL_TYPE_BYTES) out->kind = SL_TYPE_BYTES;
    return SL_OK;
}

/* ---- case, length, trimming -------------------------------------------------------------- */

static int map_case(sl_eval_t *ctx, const sl_value_t *in, bool upper, sl_value_t *out)
{
    char *p = sl_arena_alloc(ctx->arena, (size_t)in->len * 2 + 4);
    size_t o = 0;
    for (size_t i = 0; i < in->len;) {
        uint32_t cp;
        i += sl_func_utf8_decode(in->u.str + i, in->len - i, &cp);
        o += sl_func_utf8_encode(upper ? sl_func_cp_upper(cp) : sl_func_cp_lower(cp), p + o);
    }
    *out = sl_v_str(p, o);
    return SL_OK;
}

static int fn_lcase(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    return map_case(ctx, &args[0], false, out);
}

static int fn_ucase(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    return map_case(ctx, &args[0], true, out);
}

static int fn_len(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    if (args[0].kind == SL_TYPE_BYTES)
        *out = sl_v_int((int32_t)args[0].len);
    else
        *out = sl_v_int((int32_t)sl_func_u16_len(args[0].u.str, args[0].len));
    return SL_OK;
}

/* Java's String.trim(): everything <= ' ' at both ends. */
static int do_trim(const sl_value_t *in, bool left, bool right, sl_value_t *out)
{
    const char *s = in->u.str, *e = in->u.str + in->len;
    if (left)
        while (s < e && (unsigned char)*s <= ' ')
            s++;
    if (right)
        while (e > s && (unsigned char)e[-1] <= ' ')
            e--;
    *out = sl_v_str(s, (size_t)(e - s));
    return SL_OK;
}

static int fn_trim(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    return do_trim(&args[0], true, true, out);
}

static int fn_ltrim(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    return do_trim(&args[0], true, false, out);
}

static int fn_rtrim(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    return do_trim(&args[0], false, true, out);
}

/* ---- SUBSTRING --------------------------------------------------------------------------- */

/* ksqlDB's Substring: 1-based, a negative position counts from the end, clamped. */
static int fn_substring(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                        sl_value_t *out)
{
    bool bytes = args[0].kind == SL_TYPE_BYTES;
    int64_t len = bytes ? args[0].len : (int64_t)sl_func_u16_len(args[0].u.str, args[0].len);
    int64_t pos = args[1].u.i32, start, end;
    start = pos < 0 ? (len + pos > 0 ? len + pos : 0)
                    : (pos - 1 < len ? (pos - 1 > 0 ? pos - 1 : 0) : len);
    if (call->nargs > 2) {
        int64_t l = args[2].u.i32;
        end = start + l < len ? start + l : len;
        if (end < start) end = start;
    } else {
        end = len;
    }
    if (bytes) {
        *out = sl_v_bytes(args[0].u.bin + start, (size_t)(end - start));
    } else {
        size_t bs = sl_func_u16_off(args[0].u.str, args[0].len, (size_t)start);
        size_t be = sl_func_u16_off(args[0].u.str, args[0].len, (size_t)end);
        *out = sl_v_str(args[0].u.str + bs, be - bs);
    }
    return SL_OK;
}

/* ---- REPLACE, INSTR ---------------------------------------------------------------------- */

static const char *find_bytes(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0) return h;
    if (nn > hn) return NULL;
    return memmem(h, hn, nd, nn);
}

static int fn_replace(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                      sl_value_t *out)
{
    const sl_value_t *s = &args[0], *from = &args[1], *to = &args[2];
    sl_buf_t b;
    sl_buf_init(&b);
    if (from->len == 0) {
        /* Java inserts the replacement around every character */
        sl_buf_put(&b, to->u.str, to->len);
        for (size_t i = 0; i < s->len;) {
            uint32_t cp;
            size_t l = sl_func_utf8_decode(s->u.str + i, s->len - i, &cp);
            sl_buf_put(&b, s->u.str + i, l);
            sl_buf_put(&b, to->u.str, to->len);
            i += l;
            if (b.len > SL_FN_MAX_RESULT) {
                sl_buf_free(&b);
                return too_big(ctx, "REPLACE");
            }
        }
    } else {
        const char *p = s->u.str, *end = s->u.str + s->len, *hit;
        while ((hit = find_bytes(p, (size_t)(end - p), from->u.str, from->len))) {
            sl_buf_put(&b, p, (size_t)(hit - p));
            sl_buf_put(&b, to->u.str, to->len);
            p = hit + from->len;
            if (b.len > SL_FN_MAX_RESULT) {
                sl_buf_free(&b);
                return too_big(ctx, "REPLACE");
            }
        }
        sl_buf_put(&b, p, (size_t)(end - p));
    }
    *out = buf_out(ctx, &b);
    return SL_OK;
}

/* INSTR(str, sub [, position [, occurrence]]): 1-based position of the occurrence-th match
 * searching from position (backwards when negative), 0 when absent. */
static int fn_instr(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    int64_t pos = call->nargs > 2 && !sl_v_is_null(&args[2]) ? args[2].u.i32 : 1;
    int64_t occ = call->nargs > 3 && !sl_v_is_null(&args[3]) ? args[3].u.i32 : 1;
    const sl_value_t *s = &args[0], *sub = &args[1];
    int64_t len, sublen;
    if (sl_v_is_null(s) || sl_v_is_null(sub) || occ <= 0 || pos == 0) {
        *out = sl_v_int(0);
        return SL_OK;
    }
    len = (int64_t)sl_func_u16_len(s->u.str, s->len);
    sublen = (int64_t)sl_func_u16_len(sub->u.str, sub->len);
    *out = sl_v_int(0);
    if (pos > 0) {
        for (int64_t i = pos - 1; i + sublen <= len; i++) {
            size_t off = sl_func_u16_off(s->u.str, s->len, (size_t)i);
            if (s->len - off >= sub->len && memcmp(s->u.str + off, sub->u.str, sub->len) == 0 &&
                --occ == 0) {
                *out = sl_v_int((int32_t)(i + 1));
                break;
            }
        }
    } else {
        for (int64_t i = len + pos; i >= 0; i--) {
            size_t off;
            if (i + sublen > len) continue;
            off = sl_func_u16_off(s->u.str, s->len, (size_t)i);
            if (s->len - off >= sub->len && memcmp(s->u.str + off, sub->u.str, sub->len) == 0 &&
                --occ == 0) {
                *out = sl_v_int((int32_t)(i + 1));
                break;
            }
        }
    }
    return SL_OK;
}

/* ---- LPAD, RPAD -------------------------------------------------------------------------- */

static int do_pad(sl_eval_t *ctx, const sl_value_t *args, bool left, sl_value_t *out)
{
    bool bytes = args[0].kind == SL_TYPE_BYTES;
    int64_t target = args[1].u.i32;
    const sl_value_t *in = &args[0], *pad = &args[2];
    int64_t inlen, padlen;
    sl_buf_t b;
    if (target < 0 || pad->len == 0) {
        *out = sl_v_null();
        return SL_OK;
    }
    if ((uint64_t)target > SL_FN_MAX_RESULT / 4) return too_big(ctx, left ? "LPAD" : "RPAD");
    inlen = bytes ? in->len : (int64_t)sl_func_u16_len(in->u.str, in->len);
    padlen = bytes ? pad->len : (int64_t)sl_func_u16_len(pad->u.str, pad->len);
    sl_buf_init(&b);
    if (inlen >= target) {
        size_t cut = bytes ? (size_t)target : sl_func_u16_off(in->u.str, in->len, (size_t)target);
        sl_buf_put(&b, in->u.str, cut);
    } else {
        int64_t need = target - inlen;
        if (!left) sl_buf_put(&b, in->u.str, in->len);
        while (need > 0) {
            int64_t take = need < padlen ? need : padlen;
            size_t cut = bytes ? (size_t)take : sl_func_u16_off(pad->u.str, pad->len, (size_t)take);
            sl_buf_put(&b, pad->u.str, cut);
            need -= take;
        }
        if (left) sl_buf_put(&b, in->u.str, in->len);
    }
    *out = buf_out(ctx, &b);
    if (bytes) out->kind = SL_TYPE_BYTES;
    return SL_OK;
}

static int fn_lpad(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    return do_pad(ctx, args, true, out);
}

static int fn_rpad(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    return do_pad(ctx, args, false, out);
}

/* ---- INITCAP, MASK ----------------------------------------------------------------------- */

static int fn_initcap(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                      sl_value_t *out)
{
    const sl_value_t *in = &args[0];
    char *p = sl_arena_alloc(ctx->arena, (size_t)in->len * 2 + 4);
    size_t o = 0;
    bool start = true;
    for (size_t i = 0; i < in->len;) {
        uint32_t cp;
        i += sl_func_utf8_decode(in->u.str + i, in->len - i, &cp);
        if (sl_func_cp_is_space(cp)) {
            start = true;
            o += sl_func_utf8_encode(cp, p + o);
            continue;
        }
        o += sl_func_utf8_encode(start ? sl_func_cp_upper(cp) : sl_func_cp_lower(cp), p + o);
        start = false;
    }
    *out = sl_v_str(p, o);
    return SL_OK;
}

/* The replacement for a character class: the first character of the argument, or the
 * default; an explicit NULL keeps the original character. */
typedef struct maskspec_s {
    int32_t upper, lower, digit, other; /* code point, or -1 to keep */
} maskspec_t;

static int32_t mask_arg(const sl_fcall_t *call, const sl_value_t *args, uint32_t i, int32_t def)
{
    uint32_t cp;
    if (i >= call->nargs) return def;
    if (sl_v_is_null(&args[i]) || args[i].len == 0) return -1;
    sl_func_utf8_decode(args[i].u.str, args[i].len, &cp);
    return (int32_t)cp;
}

static void mask_spec(const sl_fcall_t *call, const sl_value_t *args, uint32_t first, maskspec_t *m)
{
    m->upper = mask_arg(call, args, first, 'X');
    m->lower = mask_arg(call, args, first + 1, 'x');
    m->digit = mask_arg(call, args, first + 2, 'n');
    m->other = mask_arg(call, args, first + 3, '-');
}

/* Letters are told apart by their case mappings (C.UTF-8 data), so accented and non-Latin
 * letters mask like Java's Character.isUpperCase/isLowerCase says. */
static uint32_t mask_cp(uint32_t cp, const maskspec_t *m)
{
    int32_t r;
    if (sl_func_cp_lower(cp) != cp)
        r = m->upper;
    else if (sl_func_cp_upper(cp) != cp)
        r = m->lower;
    else if (cp < 0x80 && isdigit((int)cp))
        r = m->digit;
    else
        r = m->other;
    return r < 0 ? cp : (uint32_t)r;
}

/* Masks code points with index in [from, to) (code point indexes). */
static int do_mask(sl_eval_t *ctx, const sl_value_t *in, int64_t from, int64_t to,
                   const maskspec_t *m, sl_value_t *out)
{
    char *p = sl_arena_alloc(ctx->arena, (size_t)in->len * 4 + 4);
    size_t o = 0;
    int64_t idx = 0;
    for (size_t i = 0; i < in->len; idx++) {
        uint32_t cp;
        i += sl_func_utf8_decode(in->u.str + i, in->len - i, &cp);
        o += sl_func_utf8_encode(idx >= from && idx < to ? mask_cp(cp, m) : cp, p + o);
    }
    *out = sl_v_str(p, o);
    return SL_OK;
}

static int fn_mask(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    maskspec_t m;
    if (sl_v_is_null(&args[0])) {
        *out = sl_v_null();
        return SL_OK;
    }
    mask_spec(call, args, 1, &m);
    return do_mask(ctx, &args[0], 0, INT64_MAX, &m, out);
}

static int mask_n(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, int which,
                  sl_value_t *out)
{
    static const char *names[] = {"MASK_KEEP_LEFT", "MASK_KEEP_RIGHT", "MASK_LEFT", "MASK_RIGHT"};
    maskspec_t m;
    int64_t n, len;
    if (sl_v_is_null(&args[0]) || sl_v_is_null(&args[1])) {
        *out = sl_v_null();
        return SL_OK;
    }
    n = args[1].u.i32;
    if (n < 0)
        return sl_eval_fail(ctx, SL_INVAL,
                            "function %s requires a non-negative number of characters not to "
                            "mask or to mask",
                            names[which]);
    mask_spec(call, args, 2, &m);
    len = 0;
    for (size_t i = 0; i < args[0].len; len++) {
        uint32_t cp;
        i += sl_func_utf8_decode(args[0].u.str + i, args[0].len - i, &cp);
    }
    switch (which) {
    case 0: /* keep the first n */
        return do_mask(ctx, &args[0], n, INT64_MAX, &m, out);
    case 1: /* keep the last n */
        return do_mask(ctx, &args[0], 0, len - n, &m, out);
    case 2: /* mask the first n */
        return do_mask(ctx, &args[0], 0, n, &m, out);
    default: /* mask the last n */
        return do_mask(ctx, &args[0], len - n, INT64_MAX, &m, out);
    }
}

static int fn_mask_keep_left(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                             sl_value_t *out)
{
    return mask_n(ctx, call, args, 0, out);
}

static int fn_mask_keep_right(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                              sl_value_t *out)
{
    return mask_n(ctx, call, args, 1, out);
}

static int fn_mask_left(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                        sl_value_t *out)
{
    return mask_n(ctx, call, args, 2, out);
}

static int fn_mask_right(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    return mask_n(ctx, call, args, 3, out);
}

/* ---- CHR --------------------------------------------------------------------------------- */

static int fn_chr_int(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                      sl_value_t *out)
{
    int32_t cp = args[0].u.i32;
    char tmp[4];
    if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        *out = sl_v_null();
        return SL_OK;
    }
    *out = str_out(ctx, tmp, sl_func_utf8_encode((uint32_t)cp, tmp));
    return SL_OK;
}

/* CHR('\u004b') and surrogate pairs '\ud820\udeb8'; anything else is NULL. */
static int fn_chr_str(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                      sl_value_t *out)
{
    const char *s = args[0].u.str;
    size_t n = args[0].len, i = 0, o = 0;
    uint32_t units[8];
    size_t nu = 0;
    char buf[16];
    *out = sl_v_null();
    while (i < n) {
        uint32_t u = 0;
        if (nu == 8 || n - i < 6 || s[i] != '\\' || s[i + 1] != 'u') return SL_OK;
        for (int k = 0; k < 4; k++) {
            char c = s[i + 2 + k];
            if (!isxdigit((unsigned char)c)) return SL_OK;
            u = u * 16 + (uint32_t)(isdigit((unsigned char)c) ? c - '0' : (tolower(c) - 'a' + 10));
        }
        units[nu++] = u;
        i += 6;
    }
    if (nu == 0) return SL_OK;
    for (size_t k = 0; k < nu; k++) {
        uint32_t u = units[k];
        if (u >= 0xd800 && u <= 0xdbff && k + 1 < nu && units[k + 1] >= 0xdc00 &&
            units[k + 1] <= 0xdfff) {
            u = 0x10000 + ((u - 0xd800) << 10) + (units[k + 1] - 0xdc00);
            k++;
        } else if (u >= 0xd800 && u <= 0xdfff) {
            return SL_OK;
        }
        o += sl_func_utf8_encode(u, buf + o);
    }
    *out = str_out(ctx, buf, o);
    return SL_OK;
}

/* ---- encodings: ENCODE, TO_BYTES, FROM_BYTES --------------------------------------------- */

typedef enum { ENC_HEX, ENC_UTF8, ENC_ASCII, ENC_BASE64, ENC_BAD } enc_t;

static enc_t enc_of(const sl_value_t *v)
{
    if (v->len == 3 && strncasecmp(v->u.str, "hex", 3) == 0) return ENC_HEX;
    if (v->len == 4 && strncasecmp(v->u.str, "utf8", 4) == 0) return ENC_UTF8;
    if (v->len == 5 && strncasecmp(v->u.str, "utf-8", 5) == 0) return ENC_UTF8;
    if (v->len == 5 && strncasecmp(v->u.str, "ascii", 5) == 0) return ENC_ASCII;
    if (v->len == 6 && strncasecmp(v->u.str, "base64", 6) == 0) return ENC_BASE64;
    return ENC_BAD;
}

/* Text -> bytes in an encoding. */
static int decode_text(sl_eval_t *ctx, const sl_value_t *s, enc_t enc, const uint8_t **p, size_t *n)
{
    switch (enc) {
    case ENC_HEX: {
        uint8_t *o;
        const char *t = s->u.str;
        size_t len = s->len;
        if (len >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
            t += 2;
            len -= 2;
        }
        o = sl_arena_alloc(ctx->arena, len / 2 + 1);
        /* an odd number of digits has an implied leading zero */
        for (size_t i = 0, k = 0; i < len; k++) {
            int hi = 0, lo;
            if ((len - i) % 2 == 1 && i == 0) {
                hi = 0;
            } else {
                if (!isxdigit((unsigned char)t[i]))
                    return sl_eval_fail(ctx, SL_INVAL, "invalid hex string");
                hi = isdigit((unsigned char)t[i]) ? t[i] - '0' : tolower(t[i]) - 'a' + 10;
                i++;
            }
            if (!isxdigit((unsigned char)t[i]))
                return sl_eval_fail(ctx, SL_INVAL, "invalid hex string");
            lo = isdigit((unsigned char)t[i]) ? t[i] - '0' : tolower(t[i]) - 'a' + 10;
            i++;
            o[k] = (uint8_t)(hi << 4 | lo);
            *n = k + 1;
        }
        if (len == 0) *n = 0;
        *p = o;
        return SL_OK;
    }
    case ENC_UTF8:
        *p = (const uint8_t *)s->u.str;
        *n = s->len;
        return SL_OK;
    case ENC_ASCII: {
        /* Java's US-ASCII encoder replaces anything else with '?' */
        uint8_t *o = sl_arena_alloc(ctx->arena, s->len ? s->len : 1);
        size_t k = 0;
        for (size_t i = 0; i < s->len;) {
            uint32_t cp;
            i += sl_func_utf8_decode(s->u.str + i, s->len - i, &cp);
            o[k++] = cp < 0x80 ? (uint8_t)cp : '?';
        }
        *p = o;
        *n = k;
        return SL_OK;
    }
    case ENC_BASE64: {
        uint8_t *o;
        if (sl_value_base64_decode(ctx->arena, s->u.str, s->len, &o, n) != SL_OK)
            return sl_eval_fail(ctx, SL_INVAL, "invalid base64 string");
        *p = o;
        return SL_OK;
    }
    default:
        return sl_eval_fail(ctx, SL_INVAL, "unsupported encoding");
    }
}

/* Bytes -> text in an encoding. */
static void encode_bytes(sl_eval_t *ctx, const uint8_t *p, size_t n, enc_t enc, sl_value_t *out)
{
    sl_buf_t b;
    sl_buf_init(&b);
    switch (enc) {
    case ENC_HEX: {
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
            char h[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
            sl_buf_put(&b, h, 2);
        }
        break;
    }
    case ENC_BASE64:
        sl_value_base64_encode(p, n, &b);
        break;
    case ENC_ASCII:
        for (size_t i = 0; i < n; i++) {
            /* Java decodes bytes >= 0x80 as U+FFFD */
            if (p[i] < 0x80)
                sl_buf_put(&b, &p[i], 1);
            else
                sl_buf_put(&b, "\xef\xbf\xbd", 3);
        }
        break;
    default: {
        /* UTF-8, malformed sequences replaced like Java's decoder */
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            size_t l = sl_func_utf8_decode((const char *)p + i, n - i, &cp);
            if (cp == 0xfffd && l == 1 && p[i] >= 0x80)
                sl_buf_put(&b, "\xef\xbf\xbd", 3);
            else
                sl_buf_put(&b, p + i, l);
            i += l;
        }
        break;
    }
    }
    *out = buf_out(ctx, &b);
}

static int bad_encoding(sl_eval_t *ctx, const sl_value_t *v, const char *fn)
{
    return sl_eval_fail(ctx, SL_INVAL,
                        "%s: Supported encoding types are: hex, utf8, ascii and "
                        "base64, got '%.*s'",
                        fn, (int)v->len, v->u.str);
}

static int fn_to_bytes(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                       sl_value_t *out)
{
    enc_t enc = enc_of(&args[1]);
    const uint8_t *p;
    size_t n;
    int rc;
    if (enc == ENC_BAD) return bad_encoding(ctx, &args[1], "TO_BYTES");
    if ((rc = decode_text(ctx, &args[0], enc, &p, &n)) != SL_OK) return rc;
    *out = sl_v_bytes(p, n);
    return SL_OK;
}

static int fn_from_bytes(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    enc_t enc = enc_of(&args[1]);
    if (enc == ENC_BAD) return bad_encoding(ctx, &args[1], "FROM_BYTES");
    encode_bytes(ctx, args[0].u.bin, args[0].len, enc, out);
    return SL_OK;
}

static int fn_encode(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                     sl_value_t *out)
{
    enc_t in = enc_of(&args[1]), to = enc_of(&args[2]);
    const uint8_t *p;
    size_t n;
    int rc;
    if (in == ENC_BAD) return bad_encoding(ctx, &args[1], "ENCODE");
    if (to == ENC_BAD) return bad_encoding(ctx, &args[2], "ENCODE");
    if ((rc = decode_text(ctx, &args[0], in, &p, &n)) != SL_OK) return rc;
    encode_bytes(ctx, p, n, to, out);
    return SL_OK;
}

/* ---- INT_FROM_BYTES, BIGINT_FROM_BYTES, DOUBLE_FROM_BYTES ------------------------------ */

/* Reads a 4- or 8-byte number in BIG_ENDIAN (default) or LITTLE_ENDIAN order. */
static int bytes_number(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                        size_t width, uint64_t *out)
{
    bool little = false;
    uint64_t v = 0;
    if (call->nargs > 1) {
        const sl_value_t *o = &args[1];
        if (o->len == 13 && strncasecmp(o->u.str, "LITTLE_ENDIAN", 13) == 0)
            little = true;
        else if (!(o->len == 10 && strncasecmp(o->u.str, "BIG_ENDIAN", 10) == 0))
            return sl_eval_fail(ctx, SL_INVAL,
                                "Byte order must be BIG_ENDIAN or LITTLE_ENDIAN. Got %.*s",
                                (int)o->len, o->u.str);
    }
    if (args[0].len != width)
        return sl_eval_fail(ctx, SL_INVAL, "Number of bytes must be equal to %zu, but found %u",
                            width, args[0].len);
    for (size_t i = 0; i < width; i++)
        v = v << 8 | args[0].u.bin[little ? width - 1 - i : i];
    *out = v;
    return SL_OK;
}

static int fn_int_from_bytes(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                             sl_value_t *out)
{
    uint64_t v;
    int rc = bytes_number(ctx, call, args, 4, &v);
    if (rc == SL_OK) *out = sl_v_int((int32_t)(uint32_t)v);
    return rc;
}

static int fn_bigint_from_bytes(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                                sl_value_t *out)
{
    uint64_t v;
    int rc = bytes_number(ctx, call, args, 8, &v);
    if (rc == SL_OK) *out = sl_v_bigint((int64_t)v);
    return rc;
}

static int fn_double_from_bytes(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                                sl_value_t *out)
{
    uint64_t v;
    int rc = bytes_number(ctx, call, args, 8, &v);
    if (rc == SL_OK) {
        double d;
        memcpy(&d, &v, sizeof(d));
        *out = sl_v_double(d);
    }
    return rc;
}

/* ---- SPLIT, SPLIT_TO_MAP ----------------------------------------------------------------- */

static int fn_split(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    bool bytes = args[0].kind == SL_TYPE_BYTES;
    const char *s = args[0].u.str, *end = s + args[0].len;
    const char *d = args[1].u.str;
    size_t dn = args[1].len, cap = 8, n = 0;
    sl_value_t *items = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * cap);
    for (;;) {
        const char *hit;
        size_t piece;
        if (n == cap) {
            sl_value_t *ni;
            if (cap > SL_FN_MAX_RESULT / sizeof(sl_value_t)) return too_big(ctx, "SPLIT");
            ni = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * cap * 2);
            memcpy(ni, items, sizeof(sl_value_t) * n);
            items = ni;
            cap *= 2;
        }
        if (dn == 0) {
            /* every character on its own */
            uint32_t cp;
            if (s == end) {
                if (n == 0) items[n++] = bytes ? sl_v_bytes((const uint8_t *)s, 0) : sl_v_str(s, 0);
                break;
            }
            piece = bytes ? 1 : sl_func_utf8_decode(s, (size_t)(end - s), &cp);
            items[n++] = bytes ? sl_v_bytes((const uint8_t *)s, piece) : sl_v_str(s, piece);
            s += piece;
            continue;
        }
        hit = find_bytes(s, (size_t)(end - s), d, dn);
        piece = hit ? (size_t)(hit - s) : (size_t)(end - s);
        items[n++] = bytes ? sl_v_bytes((const uint8_t *)s, piece) : sl_v_str(s, piece);
        if (!hit) break;
        s = hit + dn;
    }
    *out = sl_v_array(items, (uint32_t)n);
    return SL_OK;
}

static int fn_split_to_map(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    const char *s = args[0].u.str, *end = s + args[0].len;
    const sl_value_t *ed = &args[1], *kd = &args[2];
    size_t cap = 8, n = 0;
    sl_value_t *kv;
    if (ed->len == 0 || kd->len == 0) {
        *out = sl_v_null();
        return SL_OK;
    }
    kv = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * 2 * cap);
    while (s <= end) {
        const char *hit = find_bytes(s, (size_t)(end - s), ed->u.str, ed->len);
        const char *e = hit ? hit : end, *sep;
        sep = find_bytes(s, (size_t)(e - s), kd->u.str, kd->len);
        if (sep && e > s) {
            sl_value_t k = sl_v_str(s, (size_t)(sep - s));
            sl_value_t v = sl_v_str(sep + kd->len, (size_t)(e - sep - kd->len));
            size_t j;
            for (j = 0; j < n; j++) {
                if (sl_value_eq(&kv[2 * j], &k, SL_T_STRING)) break;
            }
            if (j == n) {
                if (n == cap) {
                    sl_value_t *nk = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * 4 * cap);
                    memcpy(nk, kv, sizeof(sl_value_t) * 2 * n);
                    kv = nk;
                    cap *= 2;
                }
                n++;
            }
            kv[2 * j] = k;
            kv[2 * j + 1] = v;
        }
        if (!hit) break;
        s = hit + ed->len;
    }
    *out = sl_v_map(kv, (uint32_t)n);
    return SL_OK;
}

/* ---- UUID, ELT, FIELD -------------------------------------------------------------------- */

static uint64_t rng_next(sl_eval_t *ctx)
{
    /* xorshift128+ */
    uint64_t s1 = ctx->rng[0];
    const uint64_t s0 = ctx->rng[1];
    ctx->rng[0] = s0;
    s1 ^= s1 << 23;
    ctx->rng[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return ctx->rng[1] + s0;
}

double sl_func_random(sl_eval_t *ctx)
{
    return (double)(rng_next(ctx) >> 11) * (1.0 / 9007199254740992.0);
}

static void fmt_uuid(const uint8_t *b, char *o)
{
    static const char hex[] = "0123456789abcdef";
    int k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) o[k++] = '-';
        o[k++] = hex[b[i] >> 4];
        o[k++] = hex[b[i] & 15];
    }
}

static int fn_uuid(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    uint8_t b[16];
    char s[36];
    uint64_t r1 = rng_next(ctx), r2 = rng_next(ctx);
    memcpy(b, &r1, 8);
    memcpy(b + 8, &r2, 8);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* IETF variant */
    fmt_uuid(b, s);
    *out = str_out(ctx, s, 36);
    return SL_OK;
}

static int fn_uuid_bytes(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                         sl_value_t *out)
{
    char s[36];
    if (args[0].len != 16) {
        *out = sl_v_null();
        return SL_OK;
    }
    fmt_uuid(args[0].u.bin, s);
    *out = str_out(ctx, s, 36);
    return SL_OK;
}

static int fn_elt(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    int32_t n = sl_v_is_null(&args[0]) ? 0 : args[0].u.i32;
    if (n < 1 || (uint32_t)n >= call->nargs)
        *out = sl_v_null();
    else
        *out = args[n];
    return SL_OK;
}

static int fn_field(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args, sl_value_t *out)
{
    *out = sl_v_int(0);
    if (sl_v_is_null(&args[0])) return SL_OK;
    for (uint32_t i = 1; i < call->nargs; i++) {
        if (!sl_v_is_null(&args[i]) && sl_value_eq(&args[0], &args[i], SL_T_STRING)) {
            *out = sl_v_int((int32_t)i);
            break;
        }
    }
    return SL_OK;
}

/* ---- regular expressions ----------------------------------------------------------------- */

typedef struct sl_regex_s sl_regex_t;

struct sl_regex_s {
    regex_t re;     /* compiled POSIX ERE */
    size_t ngroups; /* capture groups */
};

static void regex_free(void *p)
{
    regfree(&((sl_regex_t *)p)->re);
}

/* Java regex -> POSIX ERE text (see the header comment). */
static int regex_translate(const char *p, size_t n, sl_buf_t *out, char *err, size_t errlen)
{
    bool in_class = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            char d = p[++i];
            const char *rep = NULL;
            switch (d) {
            case 'd':
                rep = in_class ? "0-9" : "[0-9]";
                break;
            case 'D':
                rep = in_class ? NULL : "[^0-9]";
                break;
            case 'w':
                rep = in_class ? "[:alnum:]_" : "[[:alnum:]_]";
                break;
            case 'W':
                rep = in_class ? NULL : "[^[:alnum:]_]";
                break;
            case 's':
                rep = in_class ? "[:space:]" : "[[:space:]]";
                break;
            case 'S':
                rep = in_class ? NULL : "[^[:space:]]";
                break;
            case 't':
                rep = "\t";
                break;
            case 'n':
                rep = "\n";
                break;
            case 'r':
                rep = "\r";
                break;
            case 'f':
                rep = "\f";
                break;
            case 'Q':
            case 'E':
            case 'A':
            case 'Z':
            case 'z':
            case 'G':
            case 'p':
            case 'P':
                snprintf(err, errlen, "regular expression construct \\%c is not supported yet", d);
                return SL_UNSUPP;
            default:
                if (isalpha((unsigned char)d) && d != 'b' && d != 'B') {
                    snprintf(err, errlen, "regular expression escape \\%c is not supported yet", d);
                    return SL_UNSUPP;
                }
                break;
            }
            if (!rep && (d == 'D' || d == 'W' || d == 'S')) {
                snprintf(err, errlen, "regular expression \\%c inside [...] is not supported yet",
                         d);
                return SL_UNSUPP;
            }
            if (rep) {
                sl_buf_put(out, rep, strlen(rep));
            } else if (in_class) {
                /* inside brackets POSIX has no escapes: the character stands for itself */
                sl_buf_put(out, &d, 1);
            } else {
                char e[2] = {'\\', d};
                sl_buf_put(out, e, 2);
            }
            continue;
        }
        if (in_class) {
            if (c == ']') in_class = false;
            sl_buf_put(out, &c, 1);
            continue;
        }
        if (c == '[') {
            in_class = true;
            sl_buf_put(out, &c, 1);
            if (i + 1 < n && p[i + 1] == '^') {
                sl_buf_put(out, "^", 1);
                i++;
            }
            if (i + 1 < n && p[i + 1] == ']') {
                sl_buf_put(out, "]", 1);
                i++;
            }
            continue;
        }
        if (c == '(' && i + 1 < n && p[i + 1] == '?') {
            snprintf(err, errlen,
                     "regular expression groups starting with (? (non-capturing, lookaround, "
                     "named, flags) are not supported yet");
            return SL_UNSUPP;
        }
        if ((c == '*' || c == '+' || c == '?' || c == '}') && i + 1 < n &&
            (p[i + 1] == '?' || p[i + 1] == '+') && !(c == '?' && i > 0 && p[i - 1] == '(')) {
            snprintf(err, errlen,
                     "lazy and possessive regular expression quantifiers are not supported yet");
            return SL_UNSUPP;
        }
        sl_buf_put(out, &c, 1);
    }
    return SL_OK;
}

static int regex_compile(sl_arena_t *a, const char *pattern, size_t n, sl_regex_t **out, char *err,
                         size_t errlen)
{
    sl_buf_t b;
    sl_regex_t *r;
    int rc;
    sl_buf_init(&b);
    if ((rc = regex_translate(pattern, n, &b, err, errlen)) != SL_OK) {
        sl_buf_free(&b);
        return rc;
    }
    sl_buf_put(&b, "", 1);
    r = sl_arena_zalloc(a, sizeof(*r));
    rc = regcomp(&r->re, (const char *)b.data, REG_EXTENDED);
    sl_buf_free(&b);
    if (rc != 0) {
        char m[128];
        regerror(rc, &r->re, m, sizeof(m));
        snprintf(err, errlen, "invalid regular expression '%.*s': %s", (int)n, pattern, m);
        return SL_INVAL;
    }
    r->ngroups = r->re.re_nsub;
    sl_arena_defer(a, regex_free, r);
    *out = r;
    return SL_OK;
}

/* Finds the next match in s[from..n); m[0..ngroups] filled with absolute offsets. */
static bool regex_find(const sl_regex_t *r, const char *s, size_t n, size_t from, regmatch_t *m,
                       size_t nm)
{
    int flags = REG_STARTEND;
    if (from > n) return false;
    if (from > 0) flags |= REG_NOTBOL;
    m[0].rm_so = (regoff_t)from;
    m[0].rm_eo = (regoff_t)n;
    return regexec(&r->re, s, nm, m, flags) == 0;
}

/* The pattern argument's compiled form: prepared at bind time when constant, else now. */
static int regex_for(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *pat, sl_regex_t **r)
{
    char err[256];
    if (call->cache) {
        *r = call->cache;
        return SL_OK;
    }
    /* a per-call compile goes to the record arena, freed (regfree) on its reset */
    if (regex_compile(ctx->arena, pat->u.str, pat->len, r, err, sizeof(err)) != SL_OK)
        return sl_eval_fail(ctx, SL_INVAL, "%s", err);
    return SL_OK;
}

/* prep: compile a constant pattern once (argument `pi`). */
static int regex_prep_at(sl_arena_t *a, sl_fcall_t *call, uint32_t pi, char *err, size_t errlen)
{
    const sl_expr_t *x = call->argx[pi];
    sl_regex_t *r;
    int rc;
    if (x->kind != SL_EXPR_LITERAL || sl_v_is_null(&x->u.lit.v) ||
        x->u.lit.v.kind != SL_TYPE_STRING)
        return SL_OK;
    rc = regex_compile(a, x->u.lit.v.u.str, x->u.lit.v.len, &r, err, errlen);
    if (rc == SL_UNSUPP) return rc;
    if (rc != SL_OK) return SL_OK; /* an invalid constant pattern fails per record, as in ksqlDB */
    call->cache = r;
    return SL_OK;
}

static int regex_prep0(sl_arena_t *a, sl_fcall_t *call, char *err, size_t errlen)
{
    return regex_prep_at(a, call, 0, err, errlen);
}

static int regex_prep1(sl_arena_t *a, sl_fcall_t *call, char *err, size_t errlen)
{
    return regex_prep_at(a, call, 1, err, errlen);
}

#define SL_RE_MAX_GROUPS 32

static int fn_regexp_extract(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                             sl_value_t *out)
{
    sl_regex_t *r;
    regmatch_t m[SL_RE_MAX_GROUPS];
    int64_t g = call->nargs > 2 ? args[2].u.i32 : 0;
    int rc;
    if ((rc = regex_for(ctx, call, &args[0], &r)) != SL_OK) return rc;
    *out = sl_v_null();
    if (g < 0 || (size_t)g > r->ngroups || g >= SL_RE_MAX_GROUPS) return SL_OK;
    if (!regex_find(r, args[1].u.str, args[1].len, 0, m, SL_RE_MAX_GROUPS)) return SL_OK;
    if (m[g].rm_so < 0) return SL_OK;
    *out = sl_v_str(args[1].u.str + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
    return SL_OK;
}

static int fn_regexp_extract_all(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                                 sl_value_t *out)
{
    sl_regex_t *r;
    regmatch_t m[SL_RE_MAX_GROUPS];
    int64_t g = call->nargs > 2 ? args[2].u.i32 : 0;
    size_t from = 0, n = 0, cap = 8;
    sl_value_t *items;
    int rc;
    if ((rc = regex_for(ctx, call, &args[0], &r)) != SL_OK) return rc;
    if (g < 0 || (size_t)g > r->ngroups || g >= SL_RE_MAX_GROUPS) {
        *out = sl_v_null();
        return SL_OK;
    }
    items = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * cap);
    while (regex_find(r, args[1].u.str, args[1].len, from, m, SL_RE_MAX_GROUPS)) {
        if (n == cap) {
            sl_value_t *ni = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * cap * 2);
            memcpy(ni, items, sizeof(sl_value_t) * n);
            items = ni;
            cap *= 2;
        }
        items[n++] = m[g].rm_so < 0
                         ? sl_v_null()
                         : sl_v_str(args[1].u.str + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
        from = m[0].rm_eo > m[0].rm_so ? (size_t)m[0].rm_eo : (size_t)m[0].rm_eo + 1;
    }
    *out = sl_v_array(items, (uint32_t)n);
    return SL_OK;
}

/* Appends a Java replacement string: $n and ${n} are groups, \x is x. */
static int put_replacement(sl_eval_t *ctx, sl_buf_t *b, const sl_value_t *rep, const char *s,
                           const regmatch_t *m, size_t ngroups)
{
    for (size_t i = 0; i < rep->len; i++) {
        char c = rep->u.str[i];
        if (c == '\\' && i + 1 < rep->len) {
            sl_buf_put(b, &rep->u.str[++i], 1);
        } else if (c == '$' && i + 1 < rep->len && isdigit((unsigned char)rep->u.str[i + 1])) {
            size_t g = (size_t)(rep->u.str[++i] - '0');
            if (g > ngroups) return sl_eval_fail(ctx, SL_INVAL, "No group %zu", g);
            if (m[g].rm_so >= 0) sl_buf_put(b, s + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
        } else if (c == '$') {
            return sl_eval_fail(ctx, SL_INVAL, "Illegal group reference in replacement");
        } else {
            sl_buf_put(b, &c, 1);
        }
    }
    return SL_OK;
}

static int fn_regexp_replace(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                             sl_value_t *out)
{
    sl_regex_t *r;
    regmatch_t m[SL_RE_MAX_GROUPS];
    size_t from = 0, last = 0;
    const char *s = args[0].u.str;
    size_t n = args[0].len;
    sl_buf_t b;
    int rc;
    if ((rc = regex_for(ctx, call, &args[1], &r)) != SL_OK) return rc;
    sl_buf_init(&b);
    while (from <= n && regex_find(r, s, n, from, m, SL_RE_MAX_GROUPS)) {
        sl_buf_put(&b, s + last, (size_t)m[0].rm_so - last);
        if ((rc = put_replacement(ctx, &b, &args[2], s, m, r->ngroups)) != SL_OK) {
            sl_buf_free(&b);
            return rc;
        }
        last = (size_t)m[0].rm_eo;
        if (m[0].rm_eo == m[0].rm_so) {
            /* empty match: copy one character and move on */
            if ((size_t)m[0].rm_eo < n) {
                uint32_t cp;
                size_t l = sl_func_utf8_decode(s + m[0].rm_eo, n - (size_t)m[0].rm_eo, &cp);
                sl_buf_put(&b, s + m[0].rm_eo, l);
                last += l;
            }
            from = last + (last == (size_t)m[0].rm_eo ? 1 : 0);
        } else {
            from = last;
        }
        if (b.len > SL_FN_MAX_RESULT) {
            sl_buf_free(&b);
            return too_big(ctx, "REGEXP_REPLACE");
        }
    }
    if (last < n) sl_buf_put(&b, s + last, n - last);
    *out = buf_out(ctx, &b);
    return SL_OK;
}

/* Java's Pattern.split(input, -1): trailing empty strings kept; a zero-width match at the
 * start does not produce a leading empty string. */
static int fn_regexp_split(sl_eval_t *ctx, const sl_fcall_t *call, const sl_value_t *args,
                           sl_value_t *out)
{
    sl_regex_t *r;
    regmatch_t m[SL_RE_MAX_GROUPS];
    const char *s = args[0].u.str;
    size_t n = args[0].len, from = 0, last = 0, cnt = 0, cap = 8;
    sl_value_t *items;
    int rc;
    if ((rc = regex_for(ctx, call, &args[1], &r)) != SL_OK) return rc;
    items = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * cap);
    while (from <= n && regex_find(r, s, n, from, m, SL_RE_MAX_GROUPS)) {
        size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;
        if (eo == so) {
            if (so == 0 || so >= n) {
                from = so + 1;
                continue;
            }
        }
        if (cnt + 1 >= cap) {
            sl_value_t *ni = sl_arena_alloc(ctx->arena, sizeof(sl_value_t) * cap * 2);
            memcpy(ni, items, sizeof(sl_value_t) * cnt);
            items = ni;
            cap *= 2;
        }
        items[cnt++] = sl_v_str(s + last, so - last);
        last = eo;
        from = eo > so ? eo : eo + 1;
    }
    items[cnt++] = sl_v_str(s + last, n - last);
    *out = sl_v_array(items, (uint32_t)cnt);
    return SL_OK;
}

/* ---- the table --------------------------------------------------------------------------- */

#define STR "STRING"
#define N   SL_FN_NULLS

const sl_fdef_t sl_func_string_defs[] = {
    {"concat", "STRING... inputs", STR, fn_concat, NULL, NULL, 0, STR,
     "Concatenates its arguments; NULL arguments are skipped."},
    {"concat", "BYTES... inputs", "BYTES", fn_concat, NULL, NULL, 0, STR, NULL},
    {"concat_ws", "STRING separator, STRING... inputs", STR, fn_concat_ws, NULL, NULL, 0, STR,
     "Concatenates its arguments with a separator; NULL inputs are skipped, a NULL separator "
     "gives NULL."},
    {"concat_ws", "BYTES separator, BYTES... inputs", "BYTES", fn_concat_ws, NULL, NULL, 0, STR,
     NULL},
    {"lcase", "STRING input", STR, fn_lcase, NULL, NULL, N, STR,
     "Converts a string to lower case."},
    {"ucase", "STRING input", STR, fn_ucase, NULL, NULL, N, STR,
     "Converts a string to upper case."},
    {"len", "STRING input", "INTEGER", fn_len, NULL, NULL, N, STR,
     "Length of a string in UTF-16 code units, or of BYTES in bytes."},
    {"len", "BYTES input", "INTEGER", fn_len, NULL, NULL, N, STR, NULL},
    {"trim", "STRING input", STR, fn_trim, NULL, NULL, N, STR,
     "Removes leading and trailing whitespace."},
    {"ltrim", "STRING input", STR, fn_ltrim, NULL, NULL, N, STR, "Removes leading whitespace."},
    {"rtrim", "STRING input", STR, fn_rtrim, NULL, NULL, N, STR, "Removes trailing whitespace."},
    {"substring", "STRING str, INTEGER pos", STR, fn_substring, NULL, NULL, N, STR,
     "Substring from a 1-based position (negative: from the end), optionally of a length."},
    {"substring", "STRING str, INTEGER pos, INTEGER length", STR, fn_substring, NULL, NULL, N, STR,
     NULL},
    {"substring", "BYTES str, INTEGER pos", "BYTES", fn_substring, NULL, NULL, N, STR, NULL},
    {"substring", "BYTES str, INTEGER pos, INTEGER length", "BYTES", fn_substring, NULL, NULL, N,
     STR, NULL},
    {"replace", "STRING str, STRING target, STRING replacement", STR, fn_replace, NULL, NULL, N,
     STR, "Replaces every occurrence of a substring."},
    {"instr", "STRING str, STRING substring", "INTEGER", fn_instr, NULL, NULL, 0, STR,
     "1-based position of a substring (0 if absent), optionally from a position (negative: "
     "searching backwards) and for the n-th occurrence."},
    {"instr", "STRING str, STRING substring, INTEGER position", "INTEGER", fn_instr, NULL, NULL, 0,
     STR, NULL},
    {"instr", "STRING str, STRING substring, INTEGER position, INTEGER occurrence", "INTEGER",
     fn_instr, NULL, NULL, 0, STR, NULL},
    {"lpad", "STRING input, INTEGER length, STRING padding", STR, fn_lpad, NULL, NULL, N, STR,
     "Pads the input on the left to a length (or truncates it)."},
    {"lpad", "BYTES input, INTEGER length, BYTES padding", "BYTES", fn_lpad, NULL, NULL, N, STR,
     NULL},
    {"rpad", "STRING input, INTEGER length, STRING padding", STR, fn_rpad, NULL, NULL, N, STR,
     "Pads the input on the right to a length (or truncates it)."},
    {"rpad", "BYTES input, INTEGER length, BYTES padding", "BYTES", fn_rpad, NULL, NULL, N, STR,
     NULL},
    {"initcap", "STRING input", STR, fn_initcap, NULL, NULL, N, STR,
     "Capitalizes the first letter of each word and lower-cases the rest."},
    {"mask", "STRING input", STR, fn_mask, NULL, NULL, 0, STR,
     "Masks letters (X, x), digits (n) and other characters (-); the replacements can be "
     "given, NULL keeping the original character."},
    {"mask", "STRING input, STRING upper", STR, fn_mask, NULL, NULL, 0, STR, NULL},
    {"mask", "STRING input, STRING upper, STRING lower", STR, fn_mask, NULL, NULL, 0, STR, NULL},
    {"mask", "STRING input, STRING upper, STRING lower, STRING digit", STR, fn_mask, NULL, NULL, 0,
     STR, NULL},
    {"mask", "STRING input, STRING upper, STRING lower, STRING digit, STRING other", STR, fn_mask,
     NULL, NULL, 0, STR, NULL},
#define MASKN(name, fn, desc)                                                                      \
    {name, "STRING input, INTEGER numChars", STR, fn, NULL, NULL, 0, STR, desc},                   \
        {name, "STRING input, INTEGER numChars, STRING upper", STR, fn, NULL, NULL, 0, STR, NULL}, \
        {name, "STRING input, INTEGER numChars, STRING upper, STRING lower",                       \
         STR,  fn,                                                                                 \
         NULL, NULL,                                                                               \
         0,    STR,                                                                                \
         NULL},                                                                                    \
        {name, "STRING input, INTEGER numChars, STRING upper, STRING lower, STRING digit",         \
         STR,  fn,                                                                                 \
         NULL, NULL,                                                                               \
         0,    STR,                                                                                \
         NULL},                                                                                    \
    {                                                                                              \
        name,                                                                                      \
            "STRING input, INTEGER numChars, STRING upper, STRING lower, STRING digit, STRING "    \
            "other",                                                                               \
            STR, fn, NULL, NULL, 0, STR, NULL                                                      \
    }
    MASKN("mask_keep_left", fn_mask_keep_left, "Masks all but the first numChars characters."),
    MASKN("mask_keep_right", fn_mask_keep_right, "Masks all but the last numChars characters."),
    MASKN("mask_left", fn_mask_left, "Masks the first numChars characters."),
    MASKN("mask_right", fn_mask_right, "Masks the last numChars characters."),
#undef MASKN
    {"chr", "INTEGER decimalCode", STR, fn_chr_int, NULL, NULL, N, STR,
     "The character of a Unicode code point, given as a number or as '\\uXXXX' text."},
    {"chr", "STRING utfCode", STR, fn_chr_str, NULL, NULL, N, STR, NULL},
    {"encode", "STRING str, STRING inputEncoding, STRING outputEncoding", STR, fn_encode, NULL,
     NULL, N, STR, "Re-encodes text between hex, utf8, ascii and base64."},
    {"to_bytes", "STRING str, STRING encoding", "BYTES", fn_to_bytes, NULL, NULL, N, STR,
     "Converts text in an encoding (hex, utf8, ascii, base64) to BYTES."},
    {"from_bytes", "BYTES bytes, STRING encoding", STR, fn_from_bytes, NULL, NULL, N, STR,
     "Converts BYTES to text in an encoding (hex, utf8, ascii, base64)."},
    {"int_from_bytes", "BYTES value", "INTEGER", fn_int_from_bytes, NULL, NULL, N, "CONVERSIONS",
     "An INTEGER from 4 bytes, BIG_ENDIAN or the given byte order."},
    {"int_from_bytes", "BYTES value, STRING byteOrder", "INTEGER", fn_int_from_bytes, NULL, NULL, N,
     "CONVERSIONS", NULL},
    {"bigint_from_bytes", "BYTES value", "BIGINT", fn_bigint_from_bytes, NULL, NULL, N,
     "CONVERSIONS", "A BIGINT from 8 bytes, BIG_ENDIAN or the given byte order."},
    {"bigint_from_bytes", "BYTES value, STRING byteOrder", "BIGINT", fn_bigint_from_bytes, NULL,
     NULL, N, "CONVERSIONS", NULL},
    {"double_from_bytes", "BYTES value", "DOUBLE", fn_double_from_bytes, NULL, NULL, N,
     "CONVERSIONS", "A DOUBLE from 8 bytes (IEEE 754), BIG_ENDIAN or the given byte order."},
    {"double_from_bytes", "BYTES value, STRING byteOrder", "DOUBLE", fn_double_from_bytes, NULL,
     NULL, N, "CONVERSIONS", NULL},
    {"split", "STRING string, STRING delimiter", "ARRAY<STRING>", fn_split, NULL, NULL, N, STR,
     "Splits at a delimiter; an empty delimiter splits into characters."},
    {"split", "BYTES string, BYTES delimiter", "ARRAY<BYTES>", fn_split, NULL, NULL, N, STR, NULL},
    {"split_to_map", "STRING input, STRING entryDelimiter, STRING kvDelimiter",
     "MAP<STRING, STRING>", fn_split_to_map, NULL, NULL, N, STR,
     "Splits text into a map of entries and key/value pairs."},
    {"uuid", "", STR, fn_uuid, NULL, NULL, SL_FN_VOLATILE, STR,
     "A random UUID, or the UUID text of 16 bytes."},
    {"uuid", "BYTES bytes", STR, fn_uuid_bytes, NULL, NULL, N, STR, NULL},
    {"elt", "INTEGER n, STRING... args", STR, fn_elt, NULL, NULL, 0, STR,
     "The n-th (1-based) of the following arguments, NULL when out of range."},
    {"field", "STRING str, STRING... args", "INTEGER", fn_field, NULL, NULL, 0, STR,
     "1-based position of str among the following arguments, 0 if absent."},
    {"regexp_extract", "STRING pattern, STRING input", STR, fn_regexp_extract, NULL, regex_prep0, N,
     "REGULAR EXPRESSION", "The first match of a regular expression, or one of its groups."},
    {"regexp_extract", "STRING pattern, STRING input, INTEGER group", STR, fn_regexp_extract, NULL,
     regex_prep0, N, "REGULAR EXPRESSION", NULL},
    {"regexp_extract_all", "STRING pattern, STRING input", "ARRAY<STRING>", fn_regexp_extract_all,
     NULL, regex_prep0, N, "REGULAR EXPRESSION",
     "All matches of a regular expression, or of one of its groups."},
    {"regexp_extract_all", "STRING pattern, STRING input, INTEGER group", "ARRAY<STRING>",
     fn_regexp_extract_all, NULL, regex_prep0, N, "REGULAR EXPRESSION", NULL},
    {"regexp_replace", "STRING input, STRING regex, STRING replacement", STR, fn_regexp_replace,
     NULL, regex_prep1, N, "REGULAR EXPRESSION",
     "Replaces every match of a regular expression ($n refers to a group)."},
    {"regexp_split_to_array", "STRING input, STRING regex", "ARRAY<STRING>", fn_regexp_split, NULL,
     regex_prep1, N, "REGULAR EXPRESSION", "Splits text at matches of a regular expression."},
    {.name = NULL},
};
