/*
 * avro_conformance.c — runs Apache Avro's own schema test cases against serde/'s Avro schema
 * parser, canonical form and fingerprint, and prints pass counts.
 *
 * usage: avro_conformance CASES_DIR [FLOOR_FILE]
 *
 * CASES_DIR is ../shared/conformance/avro beside the checkout (never copied into the project):
 *   schema-tests.txt  cases of the form
 *                         // 017                      case header (other // lines: comments)
 *                         <<INPUT [ "int" ]           one-line value, or
 *                         <<INPUT                     multi-line value, ended by a line
 *                         ...                         holding only the tag
 *                         INPUT
 *                         <<canonical ["int"]         expected Parsing Canonical Form
 *                         <<fingerprint -52322...     optional: CRC-64-AVRO as signed decimal
 *   schemas-pass/     each file must parse
 *   schemas-fail/     each file must be rejected
 *
 * Output: one count line per file/folder, the failures with a short reason, and last a line
 * exactly "N passed, M failed" (CI reads that form). Exit status: 0 when the folder is absent
 * (prints SKIP), or when N is at least the floor recorded in FLOOR_FILE ("pass counts only go
 * up"); 1 otherwise.
 */
#include "common/err.h"
#include "serde/serde.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int n_pass, n_fail;

static char *read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += k;
        if (cap - len - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) return NULL;
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

/* One case of schema-tests.txt. */
typedef struct tcase_s {
    char id[32];       /* from the "// NNN" header */
    char *input;       /* owned; NULL until seen */
    char *canonical;   /* owned; NULL until seen */
    char *fingerprint; /* owned; NULL when the case gives none */
} tcase_t;

static void tcase_reset(tcase_t *t)
{
    free(t->input);
    free(t->canonical);
    free(t->fingerprint);
    memset(t, 0, sizeof *t);
}

static void report_fail(const char *where, const char *what)
{
    n_fail++;
    printf("  FAIL %s: %s\n", where, what);
}

/* Runs one complete case; returns 1 when it passed. */
static int run_case(const tcase_t *t)
{
    char where[64], why[1024];
    snprintf(where, sizeof where, "schema-tests.txt case %s", t->id);
    if (!t->input || !t->canonical) {
        report_fail(where, "case lacks INPUT or canonical");
        return 0;
    }
    sl_avro_schema_t *s;
    char err[512];
    int rc = sl_avro_schema_parse(t->input, strlen(t->input), &s, err, sizeof err);
    if (rc != SL_OK) {
        snprintf(why, sizeof why, "rejected: %s", err);
        report_fail(where, why);
        return 0;
    }
    int ok = 1;
    const char *pcf = sl_avro_canonical(s, NULL);
    if (strcmp(pcf, t->canonical) != 0) {
        snprintf(why, sizeof why, "canonical form %.400s, expected %.400s", pcf, t->canonical);
        report_fail(where, why);
        ok = 0;
    } else if (t->fingerprint) {
        errno = 0;
        char *end;
        long long want = strtoll(t->fingerprint, &end, 10);
        int64_t got = (int64_t)sl_avro_fingerprint64(s);
        if (errno || *end != '\0') {
            snprintf(why, sizeof why, "unreadable fingerprint '%s'", t->fingerprint);
            report_fail(where, why);
            ok = 0;
        } else if (got != want) {
            snprintf(why, sizeof why, "fingerprint %" PRId64 ", expected %lld", got, want);
            report_fail(where, why);
            ok = 0;
        }
    }
    sl_avro_schema_free(s);
    if (ok) n_pass++;
    return ok;
}

static void chomp(char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
}

static char *append(char *acc, const char *line)
{
    size_t a = acc ? strlen(acc) : 0, l = strlen(line);
    char *r = realloc(acc, a + l + 2);
    if (!r) abort();
    if (a) r[a++] = '\n';
    memcpy(r + a, line, l + 1);
    return r;
}

static void run_tests_file(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/schema-tests.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("schema-tests.txt: missing\n");
        return;
    }
    int passed = 0, total = 0, have_case = 0;
    tcase_t t = {0};
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        chomp(line);
        if (strncmp(line, "//", 2) == 0) {
            const char *p = line + 2;
            while (*p == ' ')
                p++;
            /* A header is "// " followed by digits only; other // lines are comments. */
            if (*p >= '0' && *p <= '9' && strspn(p, "0123456789") == strlen(p)) {
                if (have_case) {
                    passed += run_case(&t);
                    total++;
                }
                tcase_reset(&t);
                snprintf(t.id, sizeof t.id, "%s", p);
                have_case = 1;
            }
            continue;
        }
        if (strncmp(line, "<<", 2) != 0 || !have_case) continue;
        char tag[32];
        const char *p = line + 2;
        size_t tl = strcspn(p, " ");
        if (tl == 0 || tl >= sizeof tag) continue;
        memcpy(tag, p, tl);
        tag[tl] = '\0';
        char *value = NULL;
        if (p[tl] == ' ') {
            value = append(NULL, p + tl + 1);
        } else {
            /* Multi-line: lines up to one holding only the tag. */
            value = append(NULL, "");
            while (getline(&line, &cap, f) >= 0) {
                chomp(line);
                if (strcmp(line, tag) == 0) break;
                value = append(value, line);
            }
        }
        char **slot = strcmp(tag, "INPUT") == 0         ? &t.input
                      : strcmp(tag, "canonical") == 0   ? &t.canonical
                      : strcmp(tag, "fingerprint") == 0 ? &t.fingerprint
                                                        : NULL;
        if (slot) {
            free(*slot);
            *slot = value;
        } else {
            free(value);
        }
    }
    if (have_case) {
        passed += run_case(&t);
        total++;
    }
    tcase_reset(&t);
    free(line);
    fclose(f);
    printf("schema-tests.txt: %d/%d passed\n", passed, total);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* schemas-pass (must_parse = 1) or schemas-fail (0). */
static void run_folder(const char *dir, const char *sub, int must_parse)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *d = opendir(path);
    if (!d) {
        printf("%s: missing\n", sub);
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char **nn = realloc(names, (n + 1) * sizeof *names);
        if (!nn || !(nn[n] = strdup(e->d_name))) abort();
        names = nn;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    int passed = 0;
    for (size_t i = 0; i < n; i++) {
        char file[4096 + 256], where[512], why[1024];
        snprintf(file, sizeof file, "%s/%s", path, names[i]);
        snprintf(where, sizeof where, "%s/%s", sub, names[i]);
        size_t len;
        char *text = read_file(file, &len);
        if (!text) {
            report_fail(where, "unreadable");
            continue;
        }
        sl_avro_schema_t *s = NULL;
        char err[512];
        int rc = sl_avro_schema_parse(text, len, &s, err, sizeof err);
        if (must_parse && rc != SL_OK) {
            snprintf(why, sizeof why, "rejected: %s", err);
            report_fail(where, why);
        } else if (!must_parse && rc == SL_OK) {
            snprintf(why, sizeof why, "accepted, canonical form %.400s",
                     sl_avro_canonical(s, NULL));
            report_fail(where, why);
        } else {
            passed++;
            n_pass++;
        }
        sl_avro_schema_free(s);
        free(text);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    printf("%s: %d/%zu\n", sub, passed, n);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s CASES_DIR [FLOOR_FILE]\n", argv[0]);
        return 2;
    }
    struct stat st;
    if (stat(argv[1], &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP: ../shared/conformance/avro not found (conformance cases live beside the "
               "project checkout)\n");
        return 0;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    run_tests_file(argv[1]);
    run_folder(argv[1], "schemas-pass", 1);
    run_folder(argv[1], "schemas-fail", 0);
    printf("%d passed, %d failed\n", n_pass, n_fail);
    if (argc == 3) {
        size_t len;
        char *txt = read_file(argv[2], &len);
        if (!txt) {
            fprintf(stderr, "cannot read floor file %s\n", argv[2]);
            return 1;
        }
        long floor = strtol(txt, NULL, 10);
        free(txt);
        if (n_pass < floor) {
            printf("pass count %d is below the recorded floor %ld (%s)\n", n_pass, floor, argv[2]);
            return 1;
        }
    }
    return 0;
}
