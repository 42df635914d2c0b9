/*
 * durable.c — requests whose answer waits for data to become durable.
 *
 * An acks=all produce, an offset commit, a group's metadata write: the response is built at
 * once, then held until every partition it wrote to has its high watermark past the data (the
 * group commit's fdatasync covered it). Each need names the topic by id and is looked up again
 * on every check, so a topic deleted meanwhile simply has nothing left to wait for.
 *
 * @locality loop thread
 */
#include "broker/broker_int.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

struct sl_produce_wait_s {
    sl_req_t *req;                  /* the deferred request (response already written) */
    sl_produce_wait_t *prev, *next; /* broker's list */
    sl_durable_need_t *needs;       /* owned */
    int nneeds;                     /* entries in needs */
};

int sl_broker_wait_durable(sl_req_t *req, sl_durable_need_t *needs, int nneeds)
{
    sl_broker_t *b = req->broker;
    if (nneeds == 0) {
        free(needs);
        return SL_OK;
    }
    sl_produce_wait_t *pw = calloc(1, sizeof *pw);
    if (!pw) abort();
    pw->req = req;
    pw->needs = needs;
    pw->nneeds = nneeds;
    pw->next = b->produce_waits;
    if (pw->next) pw->next->prev = pw;
    b->produce_waits = pw;
    req->deferred = pw;
    return SL_AGAIN;
}

static void wait_unlink(sl_broker_t *b, sl_produce_wait_t *pw)
{
    if (pw->prev)
        pw->prev->next = pw->next;
    else
        b->produce_waits = pw->next;
    if (pw->next) pw->next->prev = pw->prev;
    free(pw->needs);
    free(pw);
}

void sl_produce_on_durable(sl_broker_t *b, sl_plog_t *pl)
{
    (void)pl;
    sl_produce_wait_t *pw = b->produce_waits;
    while (pw) {
        sl_produce_wait_t *next = pw->next;
        int k = 0;
        while (k < pw->nneeds) {
            sl_durable_need_t *n = &pw->needs[k];
            sl_topic_t *t = b->catalog ? sl_catalog_find_id(b->catalog, n->topic_id) : NULL;
            if (!t || n->partition >= t->npart || sl_plog_hw(t->parts[n->partition]) >= n->hw)
                pw->needs[k] = pw->needs[--pw->nneeds];
            else
                k++;
        }
        if (pw->nneeds == 0) {
            sl_req_t *req = pw->req;
            req->deferred = NULL;
            wait_unlink(b, pw);
            sl_req_complete(req);
        }
        pw = next;
    }
}

void sl_produce_shutdown(sl_broker_t *b)
{
    while (b->produce_waits) {
        sl_produce_wait_t *pw = b->produce_waits;
        sl_req_t *req = pw->req;
        wait_unlink(b, pw);
        /* Never acknowledged: the client will retry against the next server. */
        sl_req_free(req);
    }
}
