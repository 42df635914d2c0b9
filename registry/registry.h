/*
 * registry.h — the Schema Registry door: public interface used by server/ and by the
 * produce-time validator (registry/validate.c).
 *
 * A registry is Confluent Schema Registry's REST API (libmicrohttpd) over a store whose only
 * source of truth is the compacted `_schemas` topic, in Confluent's own record layout, written
 * and read through the Kafka protocol (librdkafka). Memory only ever holds what was read back
 * from the topic; reads (REST GETs, lookups below) are served from memory.
 *
 * Threads:
 * - sl_registry_start returns at once (it binds the HTTP port, nothing else blocks): a
 *   start-up thread creates `_schemas` if missing and reads it to the end; only then does the
 *   HTTP door start answering (requests that arrive earlier wait in the listen backlog) and,
 *   with opts->announce, the line `schema registry listening on HOST:PORT` is printed on
 *   stdout. So it is safe to call from the broker's loop thread before uv_run.
 * - A reader thread applies `_schemas` records as they arrive; HTTP handler threads
 *   (libmicrohttpd, epoll) read the store under a read lock and, for writes, produce a record
 *   and wait until the reader thread has applied it (Confluent's KafkaStore pattern).
 * - sl_registry_stop joins everything and frees. It blocks until librdkafka lets go, which
 *   needs the broker to answer or to go away: do not call it on a thread the broker needs
 *   (server/main.c stops the registry on a worker thread, then the broker).
 */
#ifndef SL_REGISTRY_H
#define SL_REGISTRY_H

#include "common/err.h"
#include "serde/serde.h"

#include <stddef.h>
#include <stdint.h>

typedef struct sl_registry_s sl_registry_t;

typedef struct sl_registry_opts_s {
    const char *bootstrap;     /* Kafka bootstrap servers of the broker holding _schemas */
    const char *host;          /* listen address ("0.0.0.0"/"::"/NULL = all) */
    int port;                  /* 0 = pick a free port */
    const char *topic;         /* "_schemas" unless set (Confluent's kafkastore.topic) */
    const char *announce_host; /* host written in the "listening on" line; NULL: host, or
                                  "localhost" when host means all addresses */
    int announce;              /* 1: print `schema registry listening on HOST:PORT` on stdout
                                  (flushed) once the store is loaded and requests are served */
    int timeout_ms;            /* how long a write waits for Kafka (produce + read back) before
                                  answering 50002; also Kafka client timeouts. 0 = 30000 */
    int replication_factor;    /* of _schemas when created; 0 = 1 */
    int http_threads;          /* libmicrohttpd thread pool size; 0 = 2 */
} sl_registry_opts_t;

/*
 * Starts a registry: binds host:port (errors such as "address in use" come back here, in err),
 * then returns while a thread of its own loads `_schemas` and opens the door.
 * Returns SL_OK and *out, or SL_INVAL (bad options), SL_IO (bind/listen), SL_NOMEM.
 * @locality any thread (does not block on Kafka)
 */
int sl_registry_start(const sl_registry_opts_t *opts, sl_registry_t **out, char *err,
                      size_t err_size);

/* The bound HTTP port (valid from sl_registry_start on). */
int sl_registry_port(const sl_registry_t *reg);

/* 1 once `_schemas` has been read to its end at start-up and requests are served; 0 before.
 * @locality any thread */
int sl_registry_ready(const sl_registry_t *reg);

/* Stops the HTTP door, the reader and the Kafka clients; joins its threads; frees. NULL ok.
 * @locality any thread that the broker does not need in order to answer (see above) */
void sl_registry_stop(sl_registry_t *reg);

/* ---- Lookups for the produce-time validator ----
 * Any thread, cheap (read lock), never block on I/O. Before the store is loaded
 * (sl_registry_ready() == 0) every lookup answers "not found". */

/* A registered schema: opaque, reference counted, immutable. */
typedef struct sl_reg_schema_s sl_reg_schema_t;

/* The schema with this id: SL_OK and *out (a reference taken: drop it with sl_reg_schema_put)
 * or SL_NOTFOUND (no such id, or only permanently deleted, or a schema read from `_schemas`
 * that Sluice cannot parse, e.g. one with references). Soft-deleted versions still resolve by
 * id, as in Confluent's registry (old data keeps decoding). On SL_OK the parsed form
 * (sl_reg_schema_avro or sl_reg_schema_json, per sl_reg_schema_type) is never NULL. */
int sl_registry_schema_get(sl_registry_t *reg, int32_t id, sl_reg_schema_t **out);

/* Drops a reference. NULL ok. */
void sl_reg_schema_put(sl_reg_schema_t *schema);

/* 1: a live (not deleted) version of `subject` has this schema id; 0: no. */
int sl_registry_subject_has_id(sl_registry_t *reg, const char *subject, int32_t id);

/* "AVRO" | "JSON" (static strings). */
const char *sl_reg_schema_type(const sl_reg_schema_t *schema);

/* The parsed schema (borrowed; lives as long as the reference). NULL unless of that type. */
const sl_avro_schema_t *sl_reg_schema_avro(const sl_reg_schema_t *schema);
const sl_jsonschema_t *sl_reg_schema_json(const sl_reg_schema_t *schema);

/* For RecordNameStrategy: the Avro record/enum/fixed full name, or a JSON Schema's "title";
 * NULL if none. Borrowed. */
const char *sl_reg_schema_record_name(const sl_reg_schema_t *schema);

/* The schema's id. */
int32_t sl_reg_schema_id(const sl_reg_schema_t *schema);

/* The schema text as registered (borrowed, NUL-terminated). */
const char *sl_reg_schema_text(const sl_reg_schema_t *schema);

#endif
