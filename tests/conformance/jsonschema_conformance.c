/*
 * jsonschema_conformance.c — runs Confluent's JSON Schema evolution examples against
 * serde/'s JSON Schema compatibility checker and prints pass counts.
 *
 * usage: jsonschema_conformance CASES_DIR [FLOOR_FILE]
 *
 * CASES_DIR is ../shared/conformance/registry beside the checkout (never copied into the
 * project); it holds jsonschema-diff-examples.json, an array of
 *   {"description": "...", "original_schema": S, "update_schema": S,
 *    "changes": ["TYPE_CHANGED #/properties/bar", ...], "compatible": true|false}
 * where "compatible" is BACKWARD compatibility: the update reads data written with the
 * original.
 *
 * A case passes when the verdict matches. The change list (Confluent's change names with
 * paths, compared as sets) is counted too but is not the pass criterion. Output: the failures
 * (description, expected vs got), "verdict P/T, change lists C/T", and last a line exactly
 * "N passed, M failed" (verdicts). Exit status: 0 when the cases are absent (prints SKIP), or
 * when N is at least the floor in FLOOR_FILE ("pass counts only go up"); 1 otherwise.
 */
#include "common/err.h"
#include "serde/serde.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The change list as "NAME path" strings, as the case file writes them. */
static char **got_changes(const sl_jsonschema_report_t *r)
{
    char **v = calloc(r->n_changes + 1, sizeof *v);
    if (!v) abort();
    for (size_t i = 0; i < r->n_changes; i++) {
        size_t n = strlen(r->changes[i].type) + strlen(r->changes[i].path) + 2;
        if (!(v[i] = malloc(n))) abort();
        snprintf(v[i], n, "%s %s", r->changes[i].type, r->changes[i].path);
    }
    return v;
}

static int in_json_list(const json_t *list, const char *s)
{
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(json_array_get(list, i)), s) == 0) return 1;
    return 0;
}

static int in_list(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0) return 1;
    return 0;
}

static void print_list(const char *label, char **v, size_t n)
{
    printf("      %s:", label);
    for (size_t i = 0; i < n; i++)
        printf(" %s", v[i]);
    printf("%s\n", n ? "" : " (none)");
}

static sl_jsonschema_t *parse_value(const json_t *v, const char *what, const char *desc)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!text) abort();
    sl_jsonschema_t *s = NULL;
    char err[300];
    int rc = sl_jsonschema_parse(text, strlen(text), &s, err, sizeof err);
    if (rc != SL_OK) printf("  FAIL %s: %s rejected: %s\n", desc, what, err);
    free(text);
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s CASES_DIR [FLOOR_FILE]\n", argv[0]);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/jsonschema-diff-examples.json", argv[1]);
    FILE *probe = fopen(path, "r");
    if (!probe) {
        printf("SKIP: %s not found (conformance cases live beside the project checkout)\n", path);
        return 0;
    }
    fclose(probe);
    setvbuf(stdout, NULL, _IOLBF, 0);
    json_error_t je;
    json_t *cases = json_load_file(path, 0, &je);
    if (!json_is_array(cases)) {
        printf("cannot read %s: %s\n", path, cases ? "not an array" : je.text);
        return 1;
    }
    int n_pass = 0, n_fail = 0, lists_ok = 0;
    size_t total = json_array_size(cases);
    for (size_t k = 0; k < total; k++) {
        json_t *c = json_array_get(cases, k);
        char desc[256];
        snprintf(desc, sizeof desc, "#%zu %s", k,
                 json_string_value(json_object_get(c, "description"))
                     ? json_string_value(json_object_get(c, "description"))
                     : "?");
        int want = json_is_true(json_object_get(c, "compatible"));
        json_t *want_changes = json_object_get(c, "changes");
        sl_jsonschema_t *orig =
            parse_value(json_object_get(c, "original_schema"), "original", desc);
        sl_jsonschema_t *upd = parse_value(json_object_get(c, "update_schema"), "update", desc);
        if (!orig || !upd) {
            n_fail++;
            sl_jsonschema_free(orig);
            sl_jsonschema_free(upd);
            continue;
        }
        sl_jsonschema_report_t r;
        int rc = sl_jsonschema_compat(upd, orig, &r);
        if (rc != SL_OK) {
            printf("  FAIL %s: compat failed: %s\n", desc, sl_err_name(rc));
            n_fail++;
        } else {
            char **got = got_changes(&r);
            int same = json_array_size(want_changes) > 0 || r.n_changes == 0;
            for (size_t i = 0; i < r.n_changes && same; i++)
                same = in_json_list(want_changes, got[i]);
            for (size_t i = 0; i < json_array_size(want_changes) && same; i++)
                same =
                    in_list(got, r.n_changes, json_string_value(json_array_get(want_changes, i)));
            lists_ok += same;
            if (r.compatible == want) {
                n_pass++;
            } else {
                n_fail++;
                printf("  FAIL %s: expected %s, got %s\n", desc,
                       want ? "compatible" : "incompatible",
                       r.compatible ? "compatible" : "incompatible");
            }
            if (!same || r.compatible != want) {
                if (r.compatible == want) printf("  changes differ %s\n", desc);
                char **wl = calloc(json_array_size(want_changes) + 1, sizeof *wl);
                if (!wl) abort();
                for (size_t i = 0; i < json_array_size(want_changes); i++)
                    wl[i] = (char *)json_string_value(json_array_get(want_changes, i));
                print_list("expected", wl, json_array_size(want_changes));
                print_list("got     ", got, r.n_changes);
                free(wl);
            }
            for (size_t i = 0; i < r.n_changes; i++)
                free(got[i]);
            free(got);
            sl_jsonschema_report_free(&r);
        }
        sl_jsonschema_free(orig);
        sl_jsonschema_free(upd);
    }
    json_decref(cases);
    printf("jsonschema-diff-examples.json: verdict %d/%zu, change lists %d/%zu\n", n_pass, total,
           lists_ok, total);
    printf("%d passed, %d failed\n", n_pass, n_fail);
    if (argc == 3) {
        FILE *f = fopen(argv[2], "r");
        long floor = 0;
        if (!f || fscanf(f, "%ld", &floor) != 1) {
            fprintf(stderr, "cannot read floor file %s\n", argv[2]);
            if (f) fclose(f);
            return 1;
        }
        fclose(f);
        if (n_pass < floor) {
            printf("pass count %d is below the recorded floor %ld (%s)\n", n_pass, floor, argv[2]);
            return 1;
        }
    }
    return 0;
}
