/*
 * props.h — ordered key=value properties, as in Kafka's server.properties (java.util.Properties
 * syntax: '#' and '!' comments, '=' or ':' or whitespace separators, backslash line
 * continuations and escapes). Later settings of a key replace earlier ones.
 */
#ifndef SL_PROPS_H
#define SL_PROPS_H
#include <stddef.h>
#include <stdint.h>

typedef struct sl_prop_s {
    char *key;   /* owned */
    char *value; /* owned */
} sl_prop_t;

typedef struct sl_props_s {
    sl_prop_t *v; /* owned array */
    size_t n;     /* entries in use */
    size_t cap;   /* entries allocated */
} sl_props_t;

void sl_props_init(sl_props_t *p);
void sl_props_free(sl_props_t *p);
/* Parse text; on a malformed line returns SL_INVAL with *errline set (1-based). */
int sl_props_parse(sl_props_t *p, const char *text, size_t len, int *errline);
/* Load a file; SL_IO if it cannot be read. */
int sl_props_load(sl_props_t *p, const char *path, int *errline);
void sl_props_set(sl_props_t *p, const char *key, const char *value);
int sl_props_unset(sl_props_t *p, const char *key); /* SL_NOENT if absent */
/* Borrowed pointer into p, or NULL. */
const char *sl_props_get(const sl_props_t *p, const char *key);

/* Strict number parsing for config values: whole string, in range, else SL_INVAL. */
int sl_parse_i64(const char *s, int64_t *out);
int sl_parse_bool(const char *s, int *out); /* "true"/"false", case-insensitive */

#endif
