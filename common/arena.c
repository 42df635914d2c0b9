/*
 * arena.c — bump allocator with reset (see arena.h for the invariants and the chunk picture).
 *
 * Requests larger than half a chunk get a dedicated chunk of their own (a free chunk of the
 * main list that is big enough, or a new one), kept on the `big` list until the next reset, so
 * a big string does not waste the rest of a regular chunk. A reset appends the dedicated chunks
 * to the main list, whose chunks are then reused in order; dedicated chunks larger than
 * SL_ARENA_KEEP_MAX go back to malloc instead, so one huge record does not pin its memory for
 * the life of the arena.
 */
#include "common/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SL_ARENA_ALIGN         16
#define SL_ARENA_DEFAULT_CHUNK (8 * 1024)
#define SL_ARENA_KEEP_MAX      (1024 * 1024)

struct sl_arena_chunk_s {
    sl_arena_chunk_t *next; /* next chunk in use order */
    size_t size;            /* payload bytes after the (aligned) header */
    /* payload follows, aligned to SL_ARENA_ALIGN */
};

/* Header size rounded up so the payload starts aligned. */
#define SL_CHUNK_HDR                                                                               \
    ((sizeof(sl_arena_chunk_t) + SL_ARENA_ALIGN - 1) & ~(size_t)(SL_ARENA_ALIGN - 1))

/* A deferred cleanup; lives in the arena itself (freed right after it runs). */
struct sl_arena_defer_s {
    struct sl_arena_defer_s *next; /* older cleanup */
    void (*fn)(void *);            /* what to run */
    void *arg;                     /* its argument */
};

static inline uint8_t *chunk_data(sl_arena_chunk_t *c)
{
    return (uint8_t *)c + SL_CHUNK_HDR;
}

static sl_arena_chunk_t *chunk_new(sl_arena_t *a, size_t size)
{
    sl_arena_chunk_t *c;
    if (size > SIZE_MAX - SL_CHUNK_HDR) abort();
    /* aligned_alloc wants a size that is a multiple of the alignment */
    c = aligned_alloc(SL_ARENA_ALIGN, SL_CHUNK_HDR + size);
    if (!c) abort();
    c->next = NULL;
    c->size = size;
    a->total += size;
    return c;
}

void sl_arena_init(sl_arena_t *a, size_t chunk_size)
{
    memset(a, 0, sizeof(*a));
    if (chunk_size == 0) chunk_size = SL_ARENA_DEFAULT_CHUNK;
    a->chunk_size = (chunk_size + SL_ARENA_ALIGN - 1) & ~(size_t)(SL_ARENA_ALIGN - 1);
}

static void chunk_list_free(sl_arena_chunk_t *c)
{
    while (c) {
        sl_arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
}

static void run_defers(sl_arena_t *a)
{
    while (a->defers) {
        struct sl_arena_defer_s *d = a->defers;
        a->defers = d->next;
        d->fn(d->arg);
    }
}

void sl_arena_defer(sl_arena_t *a, void (*fn)(void *), void *arg)
{
    struct sl_arena_defer_s *d = sl_arena_alloc(a, sizeof(*d));
    d->fn = fn;
    d->arg = arg;
    d->next = a->defers;
    a->defers = d;
}

void sl_arena_free(sl_arena_t *a)
{
    run_defers(a);
    chunk_list_free(a->head);
    chunk_list_free(a->big);
    a->head = a->cur = a->big = NULL;
    a->pos = 0;
    a->total = 0;
}

void sl_arena_reset(sl_arena_t *a)
{
    run_defers(a);
    sl_arena_chunk_t **tail = &a->head;
    while (*tail)
        tail = &(*tail)->next;
    /* dedicated chunks of the last cycle join the reusable list, unless they are huge */
    while (a->big) {
        sl_arena_chunk_t *c = a->big;
        a->big = c->next;
        if (c->size > SL_ARENA_KEEP_MAX) {
            a->total -= c->size;
            free(c);
        } else {
            c->next = NULL;
            *tail = c;
            tail = &c->next;
        }
    }
    a->cur = a->head;
    a->pos = 0;
}

void *sl_arena_alloc(sl_arena_t *a, size_t n)
{
    sl_arena_chunk_t *c;
    if (n > SIZE_MAX - SL_ARENA_ALIGN) abort();
    n = (n + SL_ARENA_ALIGN - 1) & ~(size_t)(SL_ARENA_ALIGN - 1);
    if (n == 0) n = SL_ARENA_ALIGN;
    if (a->chunk_size == 0) sl_arena_init(a, 0);
    if (a->cur && a->pos + n <= a->cur->size) {
        uint8_t *p = chunk_data(a->cur) + a->pos;
        a->pos += n;
        return p;
    }
    if (n > a->chunk_size / 2) {
        /* dedicated chunk: take a free one (after cur) that is big enough, else a new one */
        sl_arena_chunk_t **pp = a->cur ? &a->cur->next : &a->head;
        for (; *pp; pp = &(*pp)->next) {
            if ((*pp)->size >= n) {
                c = *pp;
                *pp = c->next;
                goto have_big;
            }
        }
        c = chunk_new(a, n);
    have_big:
        c->next = a->big;
        a->big = c;
        return chunk_data(c);
    }
    /* every chunk after cur is free and at least chunk_size / 2 bytes, so the next one fits */
    if (a->cur && a->cur->next) {
        a->cur = a->cur->next;
    } else {
        c = chunk_new(a, a->chunk_size);
        if (a->cur)
            a->cur->next = c;
        else
            a->head = c;
        a->cur = c;
    }
    a->pos = n;
    return chunk_data(a->cur);
}

void *sl_arena_zalloc(sl_arena_t *a, size_t n)
{
    void *p = sl_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *sl_arena_strndup(sl_arena_t *a, const char *p, size_t n)
{
    char *s = sl_arena_alloc(a, n + 1);
    if (n) memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *sl_arena_strdup(sl_arena_t *a, const char *s)
{
    return sl_arena_strndup(a, s, strlen(s));
}

char *sl_arena_printf(sl_arena_t *a, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;
    char *s;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    s = sl_arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof(tmp)) {
        memcpy(s, tmp, (size_t)n + 1);
        return s;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}
