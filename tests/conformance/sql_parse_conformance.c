/*
 * sql_parse_conformance.c — parse coverage of the SQL parser over ksqlDB's own test cases:
 * every statement of every case of the query-validation tests (qtt/NAME.json) and the REST tests
 * (rest/NAME.json) must parse, except in the cases that expect a syntax error (or another error
 * ksqlDB raises while parsing), which must fail to parse — at the line and column ksqlDB
 * names, when its message names one.
 *
 * usage: sql_parse_conformance KSQL_DIR [FLOOR_FILE] [-v]
 *
 * KSQL_DIR is ../shared/conformance/ksql beside the checkout (never copied into the project).
 * A qtt case's statements are joined with newlines into one script, as ksqlDB's test runner
 * does (its error positions count lines that way); a rest case's statements are sent one by
 * one, as the REST test runner does. "{FORMAT}" is replaced by each of the case's
 * "format" values in turn, and the case passes when every variant does. A parsed statement
 * must also print (sl_ast_format) to SQL that parses back to the same tree: a mismatch fails
 * the case too.
 *
 * Output: one line per file "qtt/x.json: passed/cases", the failures with a short reason (all
 * of them with -v, else the first 40), and last a line exactly "N passed, M failed". Exit 0
 * when the folder is absent (prints SKIP) or N is at least the floor in FLOOR_FILE; else 1.
 */
#include "common/buf.h"
#include "common/err.h"
#include "sql/parser.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int n_pass, n_fail, n_shown, verbose;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *.json names in dir; NULL if the dir cannot be read. */
static char **list_json(const char *dir, size_t *n_out)
{
    DIR *d = opendir(dir);
    if (!d) return NULL;
    size_t n = 0, cap = 16;
    char **v = malloc(cap * sizeof *v);
    struct dirent *e;
    while (v && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0) continue;
        if (n == cap) {
            char **nv = realloc(v, (cap *= 2) * sizeof *v);
            if (!nv) break;
            v = nv;
        }
        v[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (v) qsort(v, n, sizeof *v, cmp_str);
    *n_out = n;
    return v;
}

/* s with every "{FORMAT}" replaced by fmt (malloc'd). */
static char *subst(const char *s, const char *fmt)
{
    sl_buf_t b;
    sl_buf_init(&b);
    const char *p;
    while (fmt && (p = strstr(s, "{FORMAT}")) != NULL) {
        sl_buf_put(&b, s, (size_t)(p - s));
        sl_buf_put(&b, fmt, strlen(fmt));
        s = p + 8;
    }
    sl_buf_put(&b, s, strlen(s) + 1);
    return (char *)b.data;
}

/* What a case expects of the parser: 0 parse, 1 fail; line and col from "line L:C" if given. */
static int expects_parse_error(json_t *tc, unsigned *line, unsigned *col)
{
    json_t *ex = json_object_get(tc, "expectedException");
    if (!ex) ex = json_object_get(tc, "expectedError");
    *line = *col = 0;
    if (!json_is_object(ex)) return 0;
    const char *type = json_string_value(json_object_get(ex, "type"));
    const char *msg = json_string_value(json_object_get(ex, "message"));
    int fail = 0;
    if (type && strstr(type, "ParseFailedException")) fail = 1;
    if (msg && (strstr(msg, "Syntax Error") || strstr(msg, "Syntax error") ||
                strstr(msg, "mismatched input") || strstr(msg, "extraneous input") ||
                strstr(msg, "no viable alternative")))
        fail = 1;
    if (fail && msg) {
        const char *p = strstr(msg, "line ");
        unsigned l, c;
        if (p && sscanf(p, "line %u:%u", &l, &c) == 2) {
            *line = l;
            *col = c;
        }
    }
    return fail;
}

static void report(const char *file, const char *name, const char *fmt, const char *why)
{
    if (!verbose && n_shown >= 40) return;
    n_shown++;
    printf("  FAIL %s: %s%s%s%s: %s\n", file, name, fmt ? " [" : "", fmt ? fmt : "", fmt ? "]" : "",
           why);
}

/* Parses the formatted form of every statement again and compares the dumps. */
static int round_trip(const sl_ast_script_t *s, char *why, size_t why_size)
{
    for (uint32_t i = 0; i < s->n_stmts; i++) {
        sl_buf_t sql, d1, d2;
        sl_buf_init(&sql);
        sl_buf_init(&d1);
        sl_buf_init(&d2);
        sl_ast_format(s->stmts[i], &sql);
        sl_ast_dump(s->stmts[i], 0, &d1);
        sl_ast_script_t *again = NULL;
        sl_sql_error_t err;
        int ok = sl_sql_parse((const char *)sql.data, sql.len, &again, &err) == SL_OK &&
                 again->n_stmts == 1;
        if (ok) {
            sl_ast_dump(again->stmts[0], 0, &d2);
            ok = d1.len == d2.len && memcmp(d1.data, d2.data, d1.len) == 0;
            if (!ok)
                snprintf(why, why_size, "round trip differs: %.*s  VS  %.*s", (int)d1.len,
                         (const char *)d1.data, (int)d2.len, (const char *)d2.data);
        } else {
            snprintf(why, why_size, "formatted SQL does not parse: %s [%.*s]", err.msg,
                     (int)sql.len, (const char *)sql.data);
        }
        sl_ast_script_free(again);
        sl_buf_free(&sql);
        sl_buf_free(&d1);
        sl_buf_free(&d2);
        if (!ok) return 0;
    }
    return 1;
}

/* One variant of a case: 1 pass, 0 fail (reason in why). */
static int run_script(const char *text, size_t len, size_t n, int want_fail, unsigned line,
                      unsigned col, char *why, size_t why_size);

/* One variant of a case: 1 pass, 0 fail (reason in why). one_by_one: each statement on its
 * own (the case fails to parse when any statement does). */
static int run_variant(json_t *stmts, const char *fmt, int one_by_one, int want_fail, unsigned line,
                       unsigned col, char *why, size_t why_size)
{
    if (one_by_one) {
        size_t i, n = json_array_size(stmts);
        for (i = 0; i < n; i++) {
            const char *st = json_string_value(json_array_get(stmts, i));
            if (!st) continue;
            char *x = subst(st, fmt);
            sl_ast_script_t *s = NULL;
            int rc = sl_sql_parse(x, strlen(x), &s, NULL);
            sl_ast_script_free(s);
            int pass = 1, decided = 0;
            if (rc != SL_OK) {
                /* the REST runner stops at the first error: this statement decides */
                pass = run_script(x, strlen(x), 1, want_fail, line, col, why, why_size);
                decided = 1;
            } else if (!run_script(x, strlen(x), 1, 0, 0, 0, why, why_size)) {
                pass = 0;
                decided = 1;
            }
            free(x);
            if (decided) return pass;
        }
        if (want_fail) {
            snprintf(why, why_size, "parsed, but ksqlDB refuses it while parsing");
            return 0;
        }
        return 1;
    }
    sl_buf_t script;
    sl_buf_init(&script);
    size_t i, n = json_array_size(stmts);
    for (i = 0; i < n; i++) {
        const char *st = json_string_value(json_array_get(stmts, i));
        if (!st) continue;
        char *x = subst(st, fmt);
        if (i) sl_buf_put(&script, "\n", 1);
        sl_buf_put(&script, x, strlen(x));
        free(x);
    }
    int pass =
        run_script((const char *)script.data, script.len, n, want_fail, line, col, why, why_size);
    sl_buf_free(&script);
    return pass;
}

static int run_script(const char *text, size_t len, size_t n, int want_fail, unsigned line,
                      unsigned col, char *why, size_t why_size)
{
    sl_ast_script_t *s = NULL;
    sl_sql_error_t err;
    int rc = sl_sql_parse(text, len, &s, &err);
    int pass;
    char where[48];
    snprintf(where, sizeof where, "line %u:%u", line, col);
    if (want_fail) {
        if (rc == SL_OK) {
            snprintf(why, why_size, "parsed, but ksqlDB refuses it while parsing");
            pass = 0;
        } else if (line && !strstr(err.msg, where)) {
            snprintf(why, why_size, "ksqlDB says %s: %s", where, err.msg);
            pass = 0;
        } else {
            pass = 1;
        }
    } else if (rc != SL_OK) {
        char first[300];
        snprintf(first, sizeof first, "%.*s", (int)sizeof first - 1, err.msg);
        for (char *c = first; *c; c++)
            if (*c == '\n') *c = ' ';
        snprintf(why, why_size, "%s  in: %.*s", first,
                 (int)(err.stmt_len < 200 ? err.stmt_len : 200), text + err.stmt_off);
        pass = 0;
    } else if (s->n_stmts != n) {
        snprintf(why, why_size, "%u statements, expected %zu", s->n_stmts, n);
        pass = 0;
    } else {
        pass = round_trip(s, why, why_size);
    }
    sl_ast_script_free(s);
    return pass;
}

static void run_file(const char *dir, const char *sub, const char *name)
{
    char path[4096], label[512];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    snprintf(label, sizeof label, "%s/%s", sub, name);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        printf("%s: unreadable: %s\n", label, jerr.text);
        n_fail++;
        return;
    }
    json_t *tests = json_object_get(root, "tests");
    int one_by_one = strcmp(sub, "rest") == 0;
    int pass = 0, total = 0;
    size_t i;
    json_t *tc;
    json_array_foreach(tests, i, tc)
    {
        json_t *stmts = json_object_get(tc, "statements");
        const char *cname = json_string_value(json_object_get(tc, "name"));
        if (!json_is_array(stmts)) continue;
        total++;
        unsigned line, col;
        int want_fail = expects_parse_error(tc, &line, &col);
        json_t *formats = json_object_get(tc, "format");
        char why[1400];
        int ok = 1;
        if (json_is_array(formats) && json_array_size(formats) > 0) {
            size_t k;
            json_t *f;
            json_array_foreach(formats, k, f)
            {
                const char *fmt = json_string_value(f);
                if (!run_variant(stmts, fmt, one_by_one, want_fail, line, col, why, sizeof why)) {
                    report(label, cname ? cname : "?", fmt, why);
                    ok = 0;
                    break;
                }
            }
        } else if (!run_variant(stmts, NULL, one_by_one, want_fail, line, col, why, sizeof why)) {
            report(label, cname ? cname : "?", NULL, why);
            ok = 0;
        }
        pass += ok;
    }
    printf("%s: %d/%d\n", label, pass, total);
    n_pass += pass;
    n_fail += total - pass;
    json_decref(root);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s KSQL_DIR [FLOOR_FILE] [-v]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    const char *floor_file = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = 1;
        else
            floor_file = argv[i];
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP: %s not found (the ksqlDB cases live beside the checkout)\n", dir);
        return 0;
    }
    static const char *const subs[] = {"qtt", "rest"};
    for (size_t s = 0; s < 2; s++) {
        char sdir[4096];
        snprintf(sdir, sizeof sdir, "%s/%s", dir, subs[s]);
        size_t n = 0;
        char **names = list_json(sdir, &n);
        if (!names) continue;
        for (size_t i = 0; i < n; i++) {
            run_file(dir, subs[s], names[i]);
            free(names[i]);
        }
        free(names);
    }
    printf("%d passed, %d failed\n", n_pass, n_fail);
    if (floor_file) {
        FILE *f = fopen(floor_file, "r");
        int floor_n = 0;
        if (f) {
            if (fscanf(f, "%d", &floor_n) != 1) floor_n = 0;
            fclose(f);
        }
        if (n_pass < floor_n) {
            printf("below the floor: %d < %d (%s)\n", n_pass, floor_n, floor_file);
            return 1;
        }
    }
    return 0;
}
