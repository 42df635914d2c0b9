/*
 * registry_int.h — the registry object shared by registry.c (lifecycle, lookups), kafka.c
 * (the `_schemas` topic through librdkafka) and http.c (the REST door on libmicrohttpd).
 *
 * Threads of one registry:
 *
 *   reader   (kafka.c)  creates `_schemas` if missing, reads it from the beginning, applies
 *                       every record to the store; once at the end it opens the door
 *                       (sl_reghttp_start) and announces it; then keeps applying records
 *   http     (MHD)      epoll thread pool; answers reads from the store under its read lock;
 *                       suspends write requests and hands them to the writer
 *   writer   (http.c)   decides writes one at a time (ops.c), produces their records, waits
 *                       until the reader has applied them, resumes the HTTP connection
 *
 * Stop order (registry.c): stop flag; HTTP door quiesced; writer drained (pending writes get
 * 503); MHD stopped; reader joined; librdkafka handles destroyed; store freed.
 */
#ifndef SL_REGISTRY_INT_H
#define SL_REGISTRY_INT_H

#include "registry/registry.h"
#include "registry/store_int.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>

struct MHD_Daemon;
typedef struct sl_reg_job_s sl_reg_job_t;

struct sl_registry_s {
    char *bootstrap;        /* owned copy of opts->bootstrap */
    char *host;             /* owned copy of opts->host, NULL = all addresses */
    char *topic;            /* owned; "_schemas" by default */
    char *announce_host;    /* owned; host printed in the "listening on" line */
    int announce;           /* print the line */
    int timeout_ms;         /* Kafka write (+ read back) timeout */
    int replication_factor; /* of _schemas when created */
    int http_threads;       /* MHD thread pool size */

    sl_reg_store_t store;    /* the state, as read from the topic */
    atomic_int stop;         /* set once by sl_registry_stop */
    atomic_int ready;        /* store loaded, door open */
    pthread_mutex_t life_mu; /* orders "open the door" (reader) against stop */

    int listen_fd;          /* bound in sl_registry_start; handed to MHD; -1 once given away
                               or closed */
    int port;               /* bound port */
    struct MHD_Daemon *mhd; /* the door, NULL until loaded */

    rd_kafka_t *producer; /* writes records; also the admin client (CreateTopics) */
    rd_kafka_t *consumer; /* reads _schemas partition 0 from the beginning */
    pthread_t reader;     /* reader thread */
    int reader_started;   /* reader must be joined */

    pthread_t writer;      /* writer thread */
    int writer_started;    /* writer must be joined */
    pthread_mutex_t wq_mu; /* guards the job queue and writer_stop */
    pthread_cond_t wq_cv;  /* signalled on a new job or stop */
    sl_reg_job_t *wq_head; /* oldest pending job */
    sl_reg_job_t *wq_tail; /* newest pending job */
    int writer_stop;       /* the writer drains and exits */
};

/* ---- kafka.c ---- */

/* Creates the producer and the consumer (no network traffic yet). */
int sl_regkafka_init(sl_registry_t *reg, char *err, size_t err_size);
/* Destroys both without waiting for the broker. */
void sl_regkafka_destroy(sl_registry_t *reg);
/* The reader thread's body (arg: the registry). */
void *sl_regkafka_reader_main(void *arg);
/*
 * Produces recs in order (acks=all) and returns the offset of the last one. SL_OK, SL_AGAIN
 * (timed out or stopping), SL_TOOBIG (a record exceeds the broker's or client's limit),
 * SL_IO (any other Kafka error, described in err).
 * @locality the writer thread only (serves the producer's delivery reports)
 */
int sl_regkafka_write(sl_registry_t *reg, const sl_reg_rec_t *recs, size_t n, int64_t *last,
                      char *err, size_t err_size);

/* ---- http.c ---- */

/* Starts the writer thread. */
int sl_reghttp_init(sl_registry_t *reg, char *err, size_t err_size);
/* Opens the door on reg->listen_fd (called by the reader once the store is loaded). */
int sl_reghttp_start(sl_registry_t *reg, char *err, size_t err_size);
/* Stops the door and the writer (pending writes answered 503). */
void sl_reghttp_stop(sl_registry_t *reg);
/* Frees a cached response (the store's cache_free hook). */
void sl_reghttp_cache_free(void *cached);

#endif
