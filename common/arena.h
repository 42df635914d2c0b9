/*
 * arena.h — a bump allocator with reset, for memory whose lifetime is one scope: a record being
 * evaluated, a request being answered, a query plan being built.
 *
 * Invariants:
 *   - Every pointer handed out stays valid until sl_arena_reset() or sl_arena_free(); there is
 *     no per-allocation free.
 *   - Allocations are aligned to 16 bytes (enough for __int128 and long double).
 *   - sl_arena_reset() keeps every chunk already obtained from malloc and reuses them in order,
 *     so a loop that allocates about the same amount per iteration (one record after another)
 *     reaches a steady state where it never calls malloc again.
 *   - Out of memory aborts, like the sl_buf_t writers: an unchecked NULL would be worse, and the
 *     callers that size allocations from untrusted input (string functions, JSON decoding) cap
 *     those sizes themselves before asking.
 *
 * Layout: a singly linked list of chunks; `cur` is the chunk being filled, the ones before it
 * are full, the ones after it are free (kept by a reset). Large requests get chunks of their
 * own on a second list.
 *
 *   head -> [hdr|used......|free..] -> [hdr|used.....|free......] -> [hdr|free..........] -> NULL
 *                                       ^cur        ^pos
 *   big  -> [hdr|one large request] -> NULL
 *
 * @locality one thread at a time (no locking).
 */
#ifndef SL_ARENA_H
#define SL_ARENA_H

#include <stddef.h>

typedef struct sl_arena_chunk_s sl_arena_chunk_t;

typedef struct sl_arena_s {
    sl_arena_chunk_t *head; /* first chunk, NULL until the first allocation */
    sl_arena_chunk_t *cur;  /* chunk allocations come from; chunks after it are free */
    sl_arena_chunk_t *big;  /* dedicated chunks of large requests made since the last reset */
    size_t pos;             /* bytes used in cur */
    size_t chunk_size;      /* size of a regular chunk's payload */
    size_t total;           /* payload bytes held in all chunks (for stats and tests) */
    struct sl_arena_defer_s *defers; /* cleanups to run at the next reset/free, newest first */
} sl_arena_t;

/* chunk_size 0 picks the default (8 KiB). Allocates nothing yet. */
void sl_arena_init(sl_arena_t *a, size_t chunk_size);
/* Returns all chunks to malloc. The arena can be used again afterwards. */
void sl_arena_free(sl_arena_t *a);
/* Forgets every allocation but keeps the chunks for reuse. */
void sl_arena_reset(sl_arena_t *a);

/* n bytes, 16-aligned, uninitialised. n == 0 returns a valid unique-enough pointer. */
void *sl_arena_alloc(sl_arena_t *a, size_t n);
/* n bytes set to zero. */
void *sl_arena_zalloc(sl_arena_t *a, size_t n);
/* Copy of p[0..n) followed by a NUL byte. */
char *sl_arena_strndup(sl_arena_t *a, const char *p, size_t n);
char *sl_arena_strdup(sl_arena_t *a, const char *s);
/* Runs fn(arg) at the next sl_arena_reset() or sl_arena_free(), newest first: for resources
 * that live as long as the arena's memory but are not arena memory (a compiled regex). */
void sl_arena_defer(sl_arena_t *a, void (*fn)(void *), void *arg);
/* printf into the arena. */
char *sl_arena_printf(sl_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
