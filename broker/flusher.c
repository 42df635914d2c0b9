/*
 * flusher.c — group commit: one thread that fdatasyncs partition logs for the loop thread.
 *
 *   loop thread                          flusher thread
 *   -----------                          --------------
 *   append → sl_flusher_submit(pl)
 *     lock; move pl->dirty segs into
 *     pl->fl_req (one pending entry per
 *     partition: later appends only
 *     raise fl_req_end); queue pl if not
 *     queued (+1 plog ref); signal
 *                                        lock; take the WHOLE queue (the group); for each
 *                                        plog swap fl_req <-> fl_run; unlock
 *                                        fdatasync every segment in fl_run (+ dir if asked),
 *                                        release those segment refs
 *                                        lock; push {pl, end, ok} completions; unlock
 *                                        uv_async_send
 *   on_async: take completions;
 *     hw = end unless the plog closed;
 *     sl_durable_cb; drop the plog ref
 *
 * Safety against close: a queued or running request holds a plog reference (the plog's
 * memory, dirfd and vectors stay valid) and segment references (their fds stay open), and
 * plog references are only ever dropped on the loop thread. Closing a plog syncs inline and
 * marks it closed, so its later completions move nothing. All plogs using a flusher must be
 * closed before sl_flusher_stop(); stop drains the queue (the thread exits only when it is
 * empty), delivers the last completions itself, and frees the struct in the async handle's
 * close callback.
 *
 * A failed fdatasync is logged and does not move the high watermark (acks=all produces then
 * time out at the client rather than being acknowledged without durability).
 */
#include "broker/log_int.h"
#include "common/err.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct sl_fldone_s {
    sl_plog_t *pl; /* referenced */
    int64_t end;   /* offsets below this are durable */
    int ok;        /* every sync succeeded */
} sl_fldone_t;

struct sl_flusher_s {
    uv_loop_t *loop;       /* borrowed */
    uv_async_t async;      /* wakes the loop for completions */
    sl_durable_cb cb;      /* called per plog whose hw moved */
    void *cb_arg;          /* for cb */
    pthread_t thread;      /* the syncing thread */
    int started;           /* thread was created */
    pthread_mutex_t mu;    /* guards everything below and the plogs' fl_req fields */
    pthread_cond_t cv;     /* signalled on new requests and on stop */
    sl_plog_t *q_head;     /* queued plogs, FIFO through fl_next */
    sl_plog_t *q_tail;     /* last queued plog */
    int stop;              /* exit once the queue is empty */
    sl_fldone_t *done;     /* completions for the loop */
    size_t ndone, capdone; /* used / allocated */
    sl_fldone_t *ldone;    /* the loop's swap buffer */
    size_t capldone;       /* allocated at ldone */
};

static void *flusher_main(void *arg)
{
    sl_flusher_t *fl = arg;
    pthread_mutex_lock(&fl->mu);
    for (;;) {
        while (!fl->q_head && !fl->stop)
            pthread_cond_wait(&fl->cv, &fl->mu);
        if (!fl->q_head) break;
        sl_plog_t *run = fl->q_head;
        fl->q_head = fl->q_tail = NULL;
        for (sl_plog_t *p = run; p; p = p->fl_next) {
            sl_segvec_t t = p->fl_req;
            p->fl_req = p->fl_run;
            p->fl_run = t;
            p->fl_run_end = p->fl_req_end;
            p->fl_run_dir = p->fl_req_dir;
            p->fl_req_dir = 0;
            p->fl_queued = 0;
            p->fl_run_next = p->fl_next;
        }
        for (sl_plog_t *p = run; p; p = p->fl_run_next)
            p->fl_next = NULL;
        pthread_mutex_unlock(&fl->mu);

        size_t nrun = 0;
        for (sl_plog_t *p = run; p; p = p->fl_run_next) {
            int ok = 1;
            for (size_t i = 0; i < p->fl_run.n; i++) {
                if (fdatasync(p->fl_run.v[i]->fd) != 0) {
                    SL_ERROR("log", "%s: fdatasync of segment %" PRId64 " failed: %s", p->name,
                             p->fl_run.v[i]->base, strerror(errno));
                    ok = 0;
                }
            }
            sl_segvec_release_all(&p->fl_run);
            if (p->fl_run_dir && fsync(p->dirfd) != 0) {
                SL_ERROR("log", "%s: cannot sync directory: %s", p->name, strerror(errno));
                ok = 0;
            }
            p->fl_run_dir = ok; /* reuse as the result until it is queued below */
            nrun++;
        }

        pthread_mutex_lock(&fl->mu);
        if (fl->ndone + nrun > fl->capdone) {
            while (fl->ndone + nrun > fl->capdone)
                fl->capdone = fl->capdone ? fl->capdone * 2 : 64;
            fl->done = realloc(fl->done, fl->capdone * sizeof *fl->done);
            if (!fl->done) abort();
        }
        for (sl_plog_t *p = run; p;) {
            sl_plog_t *next = p->fl_run_next;
            fl->done[fl->ndone++] = (sl_fldone_t){p, p->fl_run_end, p->fl_run_dir};
            p = next;
        }
        pthread_mutex_unlock(&fl->mu);
        uv_async_send(&fl->async);
        pthread_mutex_lock(&fl->mu);
    }
    pthread_mutex_unlock(&fl->mu);
    return NULL;
}

/* Deliver completions on the loop thread. */
static void deliver(sl_flusher_t *fl)
{
    pthread_mutex_lock(&fl->mu);
    sl_fldone_t *d = fl->done;
    size_t n = fl->ndone;
    size_t cap = fl->capdone;
    fl->done = fl->ldone;
    fl->capdone = fl->capldone;
    fl->ndone = 0;
    fl->ldone = d;
    fl->capldone = cap;
    pthread_mutex_unlock(&fl->mu);
    for (size_t i = 0; i < n; i++) {
        sl_plog_t *pl = d[i].pl;
        if (!pl->closed && d[i].ok && d[i].end > pl->hw) {
            pl->hw = d[i].end;
            if (fl->cb) fl->cb(fl->cb_arg, pl);
        }
        sl_plog_unref(pl);
    }
}

static void on_async(uv_async_t *a)
{
    deliver(a->data);
}

int sl_flusher_start(uv_loop_t *loop, sl_durable_cb cb, void *cb_arg, sl_flusher_t **out)
{
    sl_flusher_t *fl = calloc(1, sizeof *fl);
    if (!fl) abort();
    fl->loop = loop;
    fl->cb = cb;
    fl->cb_arg = cb_arg;
    pthread_mutex_init(&fl->mu, NULL);
    pthread_cond_init(&fl->cv, NULL);
    if (uv_async_init(loop, &fl->async, on_async) != 0) {
        pthread_mutex_destroy(&fl->mu);
        pthread_cond_destroy(&fl->cv);
        free(fl);
        return SL_IO;
    }
    fl->async.data = fl;
    if (pthread_create(&fl->thread, NULL, flusher_main, fl) != 0) {
        SL_ERROR("log", "cannot start the flusher thread: %s", strerror(errno));
        sl_flusher_stop(fl);
        return SL_IO;
    }
    fl->started = 1;
    *out = fl;
    return SL_OK;
}

static void on_closed(uv_handle_t *h)
{
    sl_flusher_t *fl = h->data;
    pthread_mutex_destroy(&fl->mu);
    pthread_cond_destroy(&fl->cv);
    free(fl->done);
    free(fl->ldone);
    free(fl);
}

void sl_flusher_stop(sl_flusher_t *fl)
{
    if (!fl) return;
    if (fl->started) {
        pthread_mutex_lock(&fl->mu);
        fl->stop = 1;
        pthread_cond_signal(&fl->cv);
        pthread_mutex_unlock(&fl->mu);
        pthread_join(fl->thread, NULL);
        fl->started = 0;
    }
    deliver(fl);
    uv_close((uv_handle_t *)&fl->async, on_closed);
}

void sl_flusher_submit(sl_flusher_t *fl, sl_plog_t *pl)
{
    pthread_mutex_lock(&fl->mu);
    for (size_t i = 0; i < pl->dirty.n; i++)
        sl_segvec_push(&pl->fl_req, pl->dirty.v[i]);
    if (pl->end > pl->fl_req_end) pl->fl_req_end = pl->end;
    pl->fl_req_dir |= pl->dirty_dir;
    int queue = !pl->fl_queued;
    if (queue) {
        pl->fl_queued = 1;
        pl->refs++;
        pl->fl_next = NULL;
        if (fl->q_tail)
            fl->q_tail->fl_next = pl;
        else
            fl->q_head = pl;
        fl->q_tail = pl;
        pthread_cond_signal(&fl->cv);
    }
    pthread_mutex_unlock(&fl->mu);
    /* The request took its own references; drop the dirty list's outside the lock. */
    sl_segvec_release_all(&pl->dirty);
    pl->dirty_dir = 0;
}
