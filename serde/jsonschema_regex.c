/*
 * jsonschema_regex.c — the regular expressions of JSON Schema ("pattern", the names of
 * "patternProperties"): an ECMA-262 subset parsed into a small program and run by a Pike VM
 * (Thompson's construction, simulated over all threads at once), so matching takes time
 * linear in the subject and never backtracks.
 *
 * Why not POSIX regcomp/regexec: glibc's matcher is quadratic for unanchored searches and
 * caches DFA states without bound; measured here, ^.*((a|b)*a(a|b){20}c) against 1 MB of
 * a/b took 540 s and 2 GB. Validation runs on the broker's loop thread, on records from any
 * producer, so the matcher must be linear and must charge its work to the caller's budget.
 *
 * Supported (ECMA-262 with Annex B, as the JSON Schema specification asks):
 *   literals, . (any code point but \n \r U+2028 U+2029), ^ $ (start and end of the string:
 *   no multiline flag), \b \B, | , groups ( ) (?: ) (?<name> ), quantifiers * + ? {n} {n,}
 *   {n,m} and their lazy forms (laziness cannot change whether a match exists), classes
 *   [...] [^...] with ranges, \d \D \w \W \s \S (also inside classes), \t \n \v \f \r \0
 *   \cX \xHH \uHHHH (surrogate pairs combine), identity escapes of punctuation, a '{' or '}'
 *   or ']' that is not part of a quantifier or class as a literal (Annex B).
 * Refused with a reason (the caller turns it into "not supported yet"):
 *   lookahead (?= (?!, lookbehind (?<= (?<!, backreferences \1 \k<name>, Unicode property
 *   escapes \p{..}, letter escapes ECMA-262 does not define (Java's \A \z \Q ..), counts
 *   above 1000, programs above RE_MAX_INST instructions, groups nested deeper than 64,
 *   and any pattern that is not a valid ECMA-262 regular expression ("nothing to repeat").
 * Deliberate difference: the subject is matched by Unicode code points, not UTF-16 code
 * units, so "." matches one astral character (as Java and most JSON Schema validators do).
 *
 * Program: an array of instructions; SET consumes one code point in a set, SPLIT forks,
 * JMP jumps, BOL/EOL/WB/NWB assert, MATCH accepts. A set keeps ASCII as a 128-bit map and
 * the rest as sorted, disjoint [lo, hi] ranges.
 */
#include "serde/jsonschema_int.h"

#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest program; bounds both memory and the work per code point of the subject. */
#define RE_MAX_INST 4000
/* Largest {n,m} count. */
#define RE_MAX_COUNT 1000
/* Deepest group nesting (the parser recurses per group). */
#define RE_MAX_NEST 64
#define CP_MAX      0x10FFFFu

enum { OP_SET, OP_SPLIT, OP_JMP, OP_MATCH, OP_BOL, OP_EOL, OP_WB, OP_NWB };

typedef struct re_inst_s {
    unsigned char op; /* OP_* */
    int x;            /* SET: set index; SPLIT/JMP: first target */
    int y;            /* SPLIT: second target */
} re_inst_t;

typedef struct re_range_s {
    uint32_t lo, hi; /* inclusive code points */
} re_range_t;

typedef struct re_set_s {
    uint64_t ascii[2];  /* code points 0..127 */
    re_range_t *ranges; /* owned; code points >= 128, sorted and disjoint */
    size_t n_ranges;    /* entries in ranges */
} re_set_t;

struct js_regex_s {
    re_inst_t *prog; /* owned program; prog[0] is the entry */
    size_t n_prog;   /* instructions */
    re_set_t *sets;  /* owned sets */
    size_t n_sets;   /* entries in sets */
    int anchored;    /* every match starts at position 0 (pattern begins with ^) */
};

/* ---- code point sets while parsing ---------------------------------------------------- */

typedef struct cps_s {
    re_range_t *r; /* ranges, not yet normalised */
    size_t n;      /* entries */
    size_t cap;    /* capacity */
} cps_t;

static int cps_add(cps_t *s, uint32_t lo, uint32_t hi)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        re_range_t *nr = realloc(s->r, nc * sizeof *nr);
        if (!nr) return SL_NOMEM;
        s->r = nr;
        s->cap = nc;
    }
    s->r[s->n].lo = lo;
    s->r[s->n++].hi = hi;
    return SL_OK;
}

static int range_cmp(const void *a, const void *b)
{
    const re_range_t *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorts and merges overlapping or adjacent ranges. */
static void cps_normalise(cps_t *s)
{
    if (s->n == 0) return;
    qsort(s->r, s->n, sizeof *s->r, range_cmp);
    size_t k = 0;
    for (size_t i = 1; i < s->n; i++) {
        if (s->r[i].lo <= s->r[k].hi + 1) {
            if (s->r[i].hi > s->r[k].hi) s->r[k].hi = s->r[i].hi;
        } else {
            s->r[++k] = s->r[i];
        }
    }
    s->n = k + 1;
}

/* Replaces s (normalised) by its complement in [0, CP_MAX]. */
static int cps_negate(cps_t *s)
{
    cps_t out = {0};
    uint32_t next = 0;
    int rc = SL_OK;
    for (size_t i = 0; i < s->n && rc == SL_OK; i++) {
        if (s->r[i].lo > next) rc = cps_add(&out, next, s->r[i].lo - 1);
        next = s->r[i].hi + 1;
    }
    if (rc == SL_OK && next <= CP_MAX) rc = cps_add(&out, next, CP_MAX);
    free(s->r);
    *s = out;
    return rc;
}

/* ---- the parser: pattern -> syntax tree ----------------------------------------------- */

enum { RN_EMPTY, RN_SET, RN_CAT, RN_ALT, RN_REP, RN_BOL, RN_EOL, RN_WB, RN_NWB };

typedef struct re_node_s {
    unsigned char kind; /* RN_* */
    int child;          /* CAT/ALT: first child; REP: the repeated node; -1 none */
    int next;           /* next sibling in a CAT/ALT, -1 none */
    int min, max;       /* REP: counts, max -1 = unbounded */
    int set;            /* SET: index into sets */
} re_node_t;

typedef struct re_parser_s {
    const unsigned char *s; /* pattern */
    size_t len;             /* its length */
    size_t pos;             /* next byte */
    int depth;              /* group nesting */
    re_node_t *nodes;       /* syntax tree */
    size_t n_nodes, cap_nodes;
    re_set_t *sets; /* sets built so far (move into the program) */
    size_t n_sets, cap_sets;
    int rc;       /* first failure, SL_OK while fine */
    char *why;    /* caller's buffer */
    size_t why_n; /* its size */
} re_parser_t;

static int fail(re_parser_t *p, int rc, const char *fmt, ...)
{
    if (p->rc != SL_OK) return -1;
    p->rc = rc;
    if (p->why && p->why_n) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(p->why, p->why_n, "%s at offset %zu", msg, p->pos);
    }
    return -1;
}

static int new_node(re_parser_t *p, int kind)
{
    if (p->rc != SL_OK) return -1;
    if (p->n_nodes == p->cap_nodes) {
        size_t nc = p->cap_nodes ? p->cap_nodes * 2 : 32;
        re_node_t *nn = realloc(p->nodes, nc * sizeof *nn);
        if (!nn) return fail(p, SL_NOMEM, "out of memory");
        p->nodes = nn;
        p->cap_nodes = nc;
    }
    re_node_t *n = &p->nodes[p->n_nodes];
    memset(n, 0, sizeof *n);
    n->kind = (unsigned char)kind;
    n->child = n->next = -1;
    return (int)p->n_nodes++;
}

/* Turns a code point set into a program set and a SET node; frees cps. */
static int set_node(re_parser_t *p, cps_t *cps)
{
    cps_normalise(cps);
    if (p->n_sets == p->cap_sets) {
        size_t nc = p->cap_sets ? p->cap_sets * 2 : 8;
        re_set_t *ns = realloc(p->sets, nc * sizeof *ns);
        if (!ns) {
            free(cps->r);
            return fail(p, SL_NOMEM, "out of memory");
        }
        p->sets = ns;
        p->cap_sets = nc;
    }
    re_set_t *set = &p->sets[p->n_sets];
    memset(set, 0, sizeof *set);
    size_t k = 0;
    for (size_t i = 0; i < cps->n; i++) {
        re_range_t r = cps->r[i];
        for (uint32_t c = r.lo; c <= r.hi && c < 128; c++)
            set->ascii[c >> 6] |= 1ull << (c & 63);
        if (r.hi >= 128) cps->r[k++] = (re_range_t){r.lo < 128 ? 128 : r.lo, r.hi};
    }
    set->ranges = cps->r; /* reuse the buffer: k <= n */
    set->n_ranges = k;
    cps->r = NULL;
    p->n_sets++;
    int n = new_node(p, RN_SET);
    if (n >= 0) p->nodes[n].set = (int)p->n_sets - 1;
    return n;
}

static int single_node(re_parser_t *p, uint32_t c)
{
    cps_t s = {0};
    if (cps_add(&s, c, c) != SL_OK) return fail(p, SL_NOMEM, "out of memory");
    return set_node(p, &s);
}

/* Decodes one UTF-8 code point at s[*i] (advancing); invalid bytes decode as themselves. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
    uint32_t c = s[*i];
    size_t n = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (n && *i + n >= len) { /* truncated sequence */
        (*i)++;
        return c;
    }
    uint32_t cp = n == 0 ? c : n == 1 ? c & 0x1F : n == 2 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k <= n; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) {
            (*i)++;
            return c;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    }
    *i += n + 1;
    return cp;
}

static int at_end(const re_parser_t *p)
{
    return p->pos >= p->len;
}

static int peek(const re_parser_t *p)
{
    return at_end(p) ? -1 : p->s[p->pos];
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* n hex digits at the current position, or -1 (nothing consumed). */
static long read_hex(re_parser_t *p, int n)
{
    if (p->pos + (size_t)n > p->len) return -1;
    long v = 0;
    for (int i = 0; i < n; i++) {
        int h = hexval(p->s[p->pos + (size_t)i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    p->pos += (size_t)n;
    return v;
}

/* Adds the class escape letter (d D w W s S) to s. */
static int class_escape(cps_t *s, int c)
{
    cps_t t = {0};
    int rc = SL_OK;
    switch (c | 0x20) {
    case 'd':
        rc = cps_add(&t, '0', '9');
        break;
    case 'w':
        if ((rc = cps_add(&t, '0', '9')) == SL_OK && (rc = cps_add(&t, 'A', 'Z')) == SL_OK &&
            (rc = cps_add(&t, 'a', 'z')) == SL_OK)
            rc = cps_add(&t, '_', '_');
        break;
    default: { /* s: ECMA-262 WhiteSpace and LineTerminator */
        static const uint32_t ws[][2] = {{0x09, 0x0D},     {0x20, 0x20},     {0xA0, 0xA0},
                                         {0x1680, 0x1680}, {0x2000, 0x200A}, {0x2028, 0x2029},
                                         {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
                                         {0xFEFF, 0xFEFF}};
        for (size_t i = 0; i < sizeof ws / sizeof ws[0] && rc == SL_OK; i++)
            rc = cps_add(&t, ws[i][0], ws[i][1]);
    }
    }
    if (rc == SL_OK && c >= 'A' && c <= 'Z') {
        cps_normalise(&t);
        rc = cps_negate(&t);
    }
    for (size_t i = 0; i < t.n && rc == SL_OK; i++)
        rc = cps_add(s, t.r[i].lo, t.r[i].hi);
    free(t.r);
    return rc;
}

/* An escape after '\' that stands for one code point (shared by atoms and classes), with
 * the escape letter at p->pos. Returns the code point, or -1 after fail(). */
static long char_escape(re_parser_t *p, int in_class)
{
    int c = peek(p);
    p->pos++;
    switch (c) {
    case 't':
        return '\t';
    case 'n':
        return '\n';
    case 'v':
        return '\v';
    case 'f':
        return '\f';
    case 'r':
        return '\r';
    case 'c': {
        int l = peek(p);
        if ((l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z')) {
            p->pos++;
            return l % 32;
        }
        return fail(p, SL_UNSUPP, "\\c without a control letter is not supported");
    }
    case 'x': {
        long v = read_hex(p, 2);
        return v >= 0 ? v : fail(p, SL_UNSUPP, "\\x without two hex digits is not supported");
    }
    case 'u': {
        if (peek(p) == '{')
            return fail(p, SL_UNSUPP, "\\u{...} needs the u flag, which patterns do not have");
        long v = read_hex(p, 4);
        if (v < 0) return fail(p, SL_UNSUPP, "\\u without four hex digits is not supported");
        if (v >= 0xD800 && v <= 0xDBFF && p->pos + 6 <= p->len && p->s[p->pos] == '\\' &&
            p->s[p->pos + 1] == 'u') {
            size_t save = p->pos;
            p->pos += 2;
            long lo = read_hex(p, 4);
            if (lo >= 0xDC00 && lo <= 0xDFFF) return 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
            p->pos = save;
        }
        return v;
    }
    case '0':
        if (peek(p) >= '0' && peek(p) <= '9')
            return fail(p, SL_UNSUPP, "octal escapes are not supported");
        return 0;
    default:
        break;
    }
    if (c >= '1' && c <= '9')
        return fail(p, SL_UNSUPP,
                    in_class ? "octal escapes are not supported"
                             : "backreferences are not supported yet");
    if (c == 'k') return fail(p, SL_UNSUPP, "backreferences are not supported yet");
    if (c == 'p' || c == 'P')
        return fail(p, SL_UNSUPP, "Unicode property escapes \\p{...} are not supported yet");
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return fail(p, SL_UNSUPP, "escape \\%c is not ECMA-262 (or not supported yet)", c);
    /* identity escape: punctuation or any non-ASCII character */
    p->pos--;
    size_t i = p->pos;
    uint32_t cp = utf8_next(p->s, p->len, &i);
    p->pos = i;
    return cp;
}

/* One class atom: a code point (returned) or, for \d \w \s and their negations, -2 with
 * the set added to s. -1 after fail(). */
static long class_atom(re_parser_t *p, cps_t *s)
{
    if (p->s[p->pos] != '\\') {
        size_t i = p->pos;
        uint32_t cp = utf8_next(p->s, p->len, &i);
        p->pos = i;
        return cp;
    }
    p->pos++;
    if (at_end(p)) return fail(p, SL_UNSUPP, "invalid pattern: '\\' at the end");
    int c = peek(p);
    if (strchr("dDwWsS", c)) {
        p->pos++;
        if (class_escape(s, c) != SL_OK) return fail(p, SL_NOMEM, "out of memory");
        return -2;
    }
    if (c == 'b') {
        p->pos++;
        return 0x08; /* backspace inside a class */
    }
    if (c == '-') {
        p->pos++;
        return '-';
    }
    return char_escape(p, 1);
}

static int parse_class(re_parser_t *p)
{
    p->pos++; /* '[' */
    int negate = 0;
    if (peek(p) == '^') {
        negate = 1;
        p->pos++;
    }
    cps_t s = {0};
    for (;;) {
        if (at_end(p)) {
            free(s.r);
            return fail(p, SL_UNSUPP, "invalid pattern: unterminated character class");
        }
        if (peek(p) == ']') {
            p->pos++;
            break;
        }
        long a = class_atom(p, &s);
        if (a == -1) break;
        if (peek(p) == '-' && p->pos + 1 < p->len && p->s[p->pos + 1] != ']') {
            p->pos++;
            long b = class_atom(p, &s);
            if (b == -1) break;
            if (a == -2 || b == -2) {
                /* Annex B: a class escape at either end makes '-' a literal */
                if (cps_add(&s, '-', '-') != SL_OK ||
                    (a >= 0 && cps_add(&s, (uint32_t)a, (uint32_t)a) != SL_OK) ||
                    (b >= 0 && cps_add(&s, (uint32_t)b, (uint32_t)b) != SL_OK)) {
                    fail(p, SL_NOMEM, "out of memory");
                    break;
                }
                continue;
            }
            if (a > b) {
                fail(p, SL_UNSUPP, "invalid pattern: range out of order in character class");
                break;
            }
            if (cps_add(&s, (uint32_t)a, (uint32_t)b) != SL_OK) {
                fail(p, SL_NOMEM, "out of memory");
                break;
            }
        } else if (a >= 0 && cps_add(&s, (uint32_t)a, (uint32_t)a) != SL_OK) {
            fail(p, SL_NOMEM, "out of memory");
            break;
        }
    }
    if (p->rc != SL_OK) {
        free(s.r);
        return -1;
    }
    if (negate) {
        cps_normalise(&s);
        if (cps_negate(&s) != SL_OK) {
            free(s.r);
            return fail(p, SL_NOMEM, "out of memory");
        }
    }
    return set_node(p, &s);
}

/* Reads a decimal count; -1 when there is none. Saturates above RE_MAX_COUNT. */
static long read_count(re_parser_t *p)
{
    size_t start = p->pos;
    long v = 0;
    while (!at_end(p) && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        if (v <= RE_MAX_COUNT) v = v * 10 + (p->s[p->pos] - '0');
        p->pos++;
    }
    return p->pos == start ? -1 : v;
}

/* A {n}, {n,} or {n,m} quantifier at p->pos? Fills min/max and consumes it; else consumes
 * nothing (Annex B: the '{' is then a literal). */
static int braces_quantifier(re_parser_t *p, long *min, long *max)
{
    size_t save = p->pos;
    if (peek(p) != '{') return 0;
    p->pos++;
    long a = read_count(p), b = a;
    if (a >= 0 && peek(p) == ',') {
        p->pos++;
        b = read_count(p); /* -1: unbounded */
    }
    if (a < 0 || peek(p) != '}') {
        p->pos = save;
        return 0;
    }
    p->pos++;
    *min = a;
    *max = b;
    return 1;
}

static int parse_alt(re_parser_t *p);

static int parse_group(re_parser_t *p)
{
    p->pos++; /* '(' */
    if (peek(p) == '?') {
        p->pos++;
        int c = peek(p);
        if (c == ':') {
            p->pos++;
        } else if (c == '=' || c == '!') {
            return fail(p, SL_UNSUPP, "lookahead (?%c is not supported yet", c);
        } else if (c == '<' && p->pos + 1 < p->len &&
                   (p->s[p->pos + 1] == '=' || p->s[p->pos + 1] == '!')) {
            return fail(p, SL_UNSUPP, "lookbehind (?<%c is not supported yet", p->s[p->pos + 1]);
        } else if (c == '<') {
            p->pos++;
            while (!at_end(p) && peek(p) != '>')
                p->pos++;
            if (at_end(p)) return fail(p, SL_UNSUPP, "invalid pattern: unterminated group name");
            p->pos++;
        } else {
            return fail(p, SL_UNSUPP, "invalid pattern: unknown group (?%c", c < 0 ? ' ' : c);
        }
    }
    if (++p->depth > RE_MAX_NEST)
        return fail(p, SL_UNSUPP, "groups nested deeper than %d", RE_MAX_NEST);
    int n = parse_alt(p);
    p->depth--;
    if (n < 0) return -1;
    if (peek(p) != ')') return fail(p, SL_UNSUPP, "invalid pattern: missing )");
    p->pos++;
    return n;
}

/* An atom (or assertion); *quantifiable says whether a quantifier may follow. */
static int parse_atom(re_parser_t *p, int *quantifiable)
{
    int c = peek(p);
    *quantifiable = 1;
    long dummy_min, dummy_max;
    switch (c) {
    case '^':
    case '$':
        p->pos++;
        *quantifiable = 0;
        return new_node(p, c == '^' ? RN_BOL : RN_EOL);
    case '.': {
        p->pos++;
        cps_t s = {0};
        if (cps_add(&s, 0, 0x09) || cps_add(&s, 0x0B, 0x0C) || cps_add(&s, 0x0E, 0x2027) ||
            cps_add(&s, 0x202A, CP_MAX)) {
            free(s.r);
            return fail(p, SL_NOMEM, "out of memory");
        }
        return set_node(p, &s);
    }
    case '[':
        return parse_class(p);
    case '(':
        return parse_group(p);
    case ')':
        return fail(p, SL_UNSUPP, "invalid pattern: unmatched )");
    case '*':
    case '+':
    case '?':
        return fail(p, SL_UNSUPP, "invalid pattern: nothing to repeat");
    case '{':
        if (braces_quantifier(p, &dummy_min, &dummy_max))
            return fail(p, SL_UNSUPP, "invalid pattern: nothing to repeat");
        p->pos++;
        return single_node(p, '{');
    case '\\': {
        p->pos++;
        if (at_end(p)) return fail(p, SL_UNSUPP, "invalid pattern: '\\' at the end");
        int e = peek(p);
        if (e == 'b' || e == 'B') {
            p->pos++;
            *quantifiable = 0;
            return new_node(p, e == 'b' ? RN_WB : RN_NWB);
        }
        if (strchr("dDwWsS", e)) {
            p->pos++;
            cps_t s = {0};
            if (class_escape(&s, e) != SL_OK) {
                free(s.r);
                return fail(p, SL_NOMEM, "out of memory");
            }
            return set_node(p, &s);
        }
        long cp = char_escape(p, 0);
        return cp < 0 ? -1 : single_node(p, (uint32_t)cp);
    }
    default: {
        size_t i = p->pos;
        uint32_t cp = utf8_next(p->s, p->len, &i);
        p->pos = i;
        return single_node(p, cp);
    }
    }
}

static int parse_term(re_parser_t *p)
{
    int q;
    int atom = parse_atom(p, &q);
    if (atom < 0) return -1;
    long min, max;
    int c = peek(p);
    if (c == '*' || c == '+' || c == '?') {
        p->pos++;
        min = c == '+';
        max = c == '?' ? 1 : -1;
    } else if (!braces_quantifier(p, &min, &max)) {
        return atom;
    }
    if (!q) return fail(p, SL_UNSUPP, "invalid pattern: nothing to repeat");
    if (min > RE_MAX_COUNT || max > RE_MAX_COUNT)
        return fail(p, SL_UNSUPP, "repetition counts above %d are not supported", RE_MAX_COUNT);
    if (max >= 0 && min > max)
        return fail(p, SL_UNSUPP, "invalid pattern: numbers out of order in {} quantifier");
    if (peek(p) == '?') p->pos++; /* lazy: same language */
    c = peek(p);
    long m2, x2;
    if (c == '*' || c == '+' || c == '?' || braces_quantifier(p, &m2, &x2))
        return fail(p, SL_UNSUPP, "invalid pattern: nothing to repeat");
    int r = new_node(p, RN_REP);
    if (r < 0) return -1;
    p->nodes[r].child = atom;
    p->nodes[r].min = (int)min;
    p->nodes[r].max = (int)max;
    return r;
}

static int parse_cat(re_parser_t *p)
{
    int cat = new_node(p, RN_CAT), last = -1;
    if (cat < 0) return -1;
    while (!at_end(p) && peek(p) != '|' && peek(p) != ')') {
        int t = parse_term(p);
        if (t < 0) return -1;
        if (last < 0)
            p->nodes[cat].child = t;
        else
            p->nodes[last].next = t;
        last = t;
    }
    return cat;
}

static int parse_alt(re_parser_t *p)
{
    int first = parse_cat(p);
    if (first < 0 || peek(p) != '|') return first;
    int alt = new_node(p, RN_ALT);
    if (alt < 0) return -1;
    p->nodes[alt].child = first;
    int last = first;
    while (peek(p) == '|') {
        p->pos++;
        int n = parse_cat(p);
        if (n < 0) return -1;
        p->nodes[last].next = n;
        last = n;
    }
    return alt;
}

/* ---- the compiler: syntax tree -> program --------------------------------------------- */

typedef struct re_comp_s {
    const re_parser_t *p; /* the tree */
    re_inst_t *prog;      /* program being built */
    size_t n, cap;        /* used, allocated */
    int rc;               /* first failure */
} re_comp_t;

static int emit(re_comp_t *c, int op, int x, int y)
{
    if (c->rc != SL_OK) return -1;
    if (c->n >= RE_MAX_INST) {
        c->rc = SL_TOOBIG;
        return -1;
    }
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 64;
        re_inst_t *np = realloc(c->prog, nc * sizeof *np);
        if (!np) {
            c->rc = SL_NOMEM;
            return -1;
        }
        c->prog = np;
        c->cap = nc;
    }
    c->prog[c->n] = (re_inst_t){(unsigned char)op, x, y};
    return (int)c->n++;
}

static void compile_node(re_comp_t *c, int idx);

/* e{0,k} as nested optionals (e(e(e)?)?)?; e{0,} as a loop. */
static void compile_rep(re_comp_t *c, const re_node_t *n)
{
    for (int i = 0; i < n->min && c->rc == SL_OK; i++)
        compile_node(c, n->child);
    if (n->max < 0) {
        int split = emit(c, OP_SPLIT, 0, 0);
        if (split < 0) return;
        c->prog[split].x = (int)c->n;
        compile_node(c, n->child);
        emit(c, OP_JMP, split, 0);
        if (c->rc == SL_OK) c->prog[split].y = (int)c->n;
        return;
    }
    int opt = n->max - n->min;
    if (opt == 0) return;
    int *splits = malloc((size_t)opt * sizeof *splits);
    if (!splits) {
        c->rc = SL_NOMEM;
        return;
    }
    int k = 0;
    for (; k < opt && c->rc == SL_OK; k++) {
        splits[k] = emit(c, OP_SPLIT, 0, 0);
        if (splits[k] < 0) break;
        c->prog[splits[k]].x = (int)c->n;
        compile_node(c, n->child);
    }
    if (c->rc == SL_OK)
        for (int i = 0; i < k; i++)
            c->prog[splits[i]].y = (int)c->n;
    free(splits);
}

static void compile_node(re_comp_t *c, int idx)
{
    if (c->rc != SL_OK) return;
    const re_node_t *n = &c->p->nodes[idx];
    switch (n->kind) {
    case RN_EMPTY:
        break;
    case RN_SET:
        emit(c, OP_SET, n->set, 0);
        break;
    case RN_BOL:
        emit(c, OP_BOL, 0, 0);
        break;
    case RN_EOL:
        emit(c, OP_EOL, 0, 0);
        break;
    case RN_WB:
        emit(c, OP_WB, 0, 0);
        break;
    case RN_NWB:
        emit(c, OP_NWB, 0, 0);
        break;
    case RN_CAT:
        for (int k = n->child; k >= 0 && c->rc == SL_OK; k = c->p->nodes[k].next)
            compile_node(c, k);
        break;
    case RN_ALT: {
        /* SPLIT L1,N1; L1: a; JMP end; N1: SPLIT L2,N2; ...; last; end: */
        int jumps[256], n_jumps = 0;
        int *jv = jumps;
        size_t cap = sizeof jumps / sizeof jumps[0];
        for (int k = n->child; k >= 0 && c->rc == SL_OK; k = c->p->nodes[k].next) {
            if (c->p->nodes[k].next < 0) {
                compile_node(c, k);
                break;
            }
            int split = emit(c, OP_SPLIT, 0, 0);
            if (split < 0) break;
            c->prog[split].x = (int)c->n;
            compile_node(c, k);
            int j = emit(c, OP_JMP, 0, 0);
            if (j < 0) break;
            if ((size_t)n_jumps == cap) {
                int *nj = malloc(cap * 2 * sizeof *nj);
                if (!nj) {
                    c->rc = SL_NOMEM;
                    break;
                }
                memcpy(nj, jv, (size_t)n_jumps * sizeof *nj);
                if (jv != jumps) free(jv);
                jv = nj;
                cap *= 2;
            }
            jv[n_jumps++] = j;
            c->prog[split].y = (int)c->n;
        }
        if (c->rc == SL_OK)
            for (int i = 0; i < n_jumps; i++)
                c->prog[jv[i]].x = (int)c->n;
        if (jv != jumps) free(jv);
        break;
    }
    case RN_REP:
        compile_rep(c, n);
        break;
    }
}

void sl_js_regex_free(js_regex_t *re)
{
    if (!re) return;
    for (size_t i = 0; i < re->n_sets; i++)
        free(re->sets[i].ranges);
    free(re->sets);
    free(re->prog);
    free(re);
}

int sl_js_regex_compile(const char *pattern, size_t len, js_regex_t **out, char *why,
                        size_t why_size)
{
    *out = NULL;
    if (why && why_size) why[0] = '\0';
    re_parser_t p = {0};
    p.s = (const unsigned char *)pattern;
    p.len = len;
    p.why = why;
    p.why_n = why_size;
    int root = parse_alt(&p);
    if (root >= 0 && !at_end(&p)) fail(&p, SL_UNSUPP, "invalid pattern: unmatched )");
    re_comp_t c = {0};
    c.p = &p;
    if (p.rc == SL_OK) {
        compile_node(&c, root);
        emit(&c, OP_MATCH, 0, 0);
        if (c.rc == SL_TOOBIG) {
            p.pos = len;
            fail(&p, SL_UNSUPP, "pattern too large (more than %d instructions when expanded)",
                 RE_MAX_INST);
        } else if (c.rc != SL_OK) {
            fail(&p, c.rc, "out of memory");
        }
    }
    js_regex_t *re = NULL;
    if (p.rc == SL_OK && !(re = calloc(1, sizeof *re))) fail(&p, SL_NOMEM, "out of memory");
    if (p.rc != SL_OK) {
        for (size_t i = 0; i < p.n_sets; i++)
            free(p.sets[i].ranges);
        free(p.sets);
        free(p.nodes);
        free(c.prog);
        return p.rc == SL_NOMEM ? SL_NOMEM : SL_UNSUPP;
    }
    re->prog = c.prog;
    re->n_prog = c.n;
    re->sets = p.sets;
    re->n_sets = p.n_sets;
    const re_node_t *r = &p.nodes[root];
    re->anchored = r->kind == RN_BOL ||
                   (r->kind == RN_CAT && r->child >= 0 && p.nodes[r->child].kind == RN_BOL);
    free(p.nodes);
    *out = re;
    return SL_OK;
}

/* ---- the matcher ---------------------------------------------------------------------- */

static int set_has(const re_set_t *s, uint32_t c)
{
    if (c < 128) return (int)((s->ascii[c >> 6] >> (c & 63)) & 1);
    size_t lo = 0, hi = s->n_ranges;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c < s->ranges[mid].lo)
            hi = mid;
        else if (c > s->ranges[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static int is_word_byte(const unsigned char *s, size_t len, size_t i)
{
    if (i >= len) return 0;
    unsigned char b = s[i];
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_';
}

/* A thread list: the sparse set of program counters reached at one position. */
typedef struct re_list_s {
    int *dense;  /* pcs in insertion order */
    int *sparse; /* pc -> index into dense */
    size_t n;    /* entries in dense */
} re_list_t;

static int list_has(const re_list_t *l, int pc)
{
    size_t i = (size_t)l->sparse[pc];
    return i < l->n && l->dense[i] == pc;
}

static void list_add(re_list_t *l, int pc)
{
    l->sparse[pc] = (int)l->n;
    l->dense[l->n++] = pc;
}

/* Adds pc and everything reachable from it without consuming input at position pos.
 * Returns 1 when MATCH is reachable. */
static int add_thread(const js_regex_t *re, re_list_t *l, int *stack, int pc,
                      const unsigned char *s, size_t len, size_t pos)
{
    size_t top = 0;
    stack[top++] = pc;
    while (top > 0) {
        pc = stack[--top];
        if (list_has(l, pc)) continue;
        list_add(l, pc);
        const re_inst_t *in = &re->prog[pc];
        switch (in->op) {
        case OP_MATCH:
            return 1;
        case OP_SET:
            break;
        case OP_JMP:
            stack[top++] = in->x;
            break;
        case OP_SPLIT:
            stack[top++] = in->y;
            stack[top++] = in->x;
            break;
        case OP_BOL:
            if (pos == 0) stack[top++] = pc + 1;
            break;
        case OP_EOL:
            if (pos == len) stack[top++] = pc + 1;
            break;
        default: {
            int b = (pos > 0 && is_word_byte(s, len, pos - 1)) != is_word_byte(s, len, pos);
            if (b == (in->op == OP_WB)) stack[top++] = pc + 1;
        }
        }
    }
    return 0;
}

int sl_js_regex_search(const js_regex_t *re, const char *subject, size_t len, long *budget)
{
    const unsigned char *s = (const unsigned char *)subject;
    size_t n = re->n_prog;
    int small[6 * 64];
    int *mem = n <= 64 ? small : malloc(6 * n * sizeof *mem);
    if (!mem) return SL_NOMEM;
    /* The sparse halves are read before written (list_has checks dense); zero them so the
     * reads are of defined values. */
    memset(mem, 0, 4 * n * sizeof *mem);
    /* Each pc enters a list once, so a closure pushes at most two targets per pc. */
    re_list_t a = {mem, mem + n, 0}, b = {mem + 2 * n, mem + 3 * n, 0};
    int *stack = mem + 4 * n;
    re_list_t *cur = &a, *nxt = &b;
    int found = 0;
    size_t pos = 0;
    for (;;) {
        if ((pos == 0 || !re->anchored) && add_thread(re, cur, stack, 0, s, len, pos)) {
            found = 1;
            break;
        }
        if (pos >= len || (cur->n == 0 && re->anchored)) break;
        size_t next = pos;
        uint32_t c = utf8_next(s, len, &next);
        nxt->n = 0;
        for (size_t i = 0; i < cur->n && !found; i++) {
            const re_inst_t *in = &re->prog[cur->dense[i]];
            if (in->op == OP_SET && set_has(&re->sets[in->x], c))
                found = add_thread(re, nxt, stack, cur->dense[i] + 1, s, len, next);
        }
        if (budget) {
            *budget -= (long)cur->n + 1;
            if (*budget < 0 && !found) {
                if (mem != small) free(mem);
                return SL_TOOBIG;
            }
        }
        if (found) break;
        re_list_t *t = cur;
        cur = nxt;
        nxt = t;
        pos = next;
    }
    if (mem != small) free(mem);
    return found;
}
