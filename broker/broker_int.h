/*
 * broker_int.h — internals shared by the broker's files (net.c, dispatch.c, proto_*.c).
 * Not included outside broker/.
 */
#ifndef SL_BROKER_INT_H
#define SL_BROKER_INT_H

#include "broker/broker.h"
#include "broker/kerr.h"
#include "broker/log.h"
#include "broker/proto.h"
#include "broker/topics.h"
#include "broker/validate.h"
#include "common/props.h"

#include <stdint.h>
#include <uv.h>

typedef struct sl_fetch_wait_s sl_fetch_wait_t;
typedef struct sl_groups_s sl_groups_t;
typedef struct sl_produce_wait_s sl_produce_wait_t;

struct sl_broker_s {
    uv_loop_t *loop;              /* borrowed */
    sl_props_t props;             /* owned copy of the broker settings */
    char *data_dir;               /* owned: first entry of log.dirs */
    sl_catalog_t *catalog;        /* owned */
    sl_groups_t *groups;          /* owned: the group coordinator (group.h), NULL if absent */
    sl_flusher_t *flusher;        /* owned */
    int32_t node_id;              /* node.id / broker.id */
    char cluster_id[32];          /* stable id, kept in <data-dir>/meta.properties */
    char *adv_host;               /* owned: host advertised in Metadata */
    int adv_port;                 /* port advertised in Metadata (bound port if unset) */
    int64_t message_max_bytes;    /* message.max.bytes: default for max.message.bytes */
    int64_t request_max_bytes;    /* socket.request.max.bytes: largest frame accepted */
    int delete_topic_enable;      /* delete.topic.enable */
    int listen_fd;                /* listening socket, -1 until sl_broker_listen */
    uv_poll_t listen_poll;        /* readiness of listen_fd */
    uv_check_t flush_check;       /* flushes connections with pending output once per loop turn */
    sl_conn_t *flush_list;        /* connections waiting for that flush (singly linked) */
    int64_t conn_ids;             /* connections accepted so far */
    uv_timer_t housekeep_timer;   /* retention / compaction / segment.ms */
    int64_t housekeep_ms;         /* log.retention.check.interval.ms */
    uv_timer_t flush_timer;       /* flush.ms for topics with a relaxed flush policy */
    int64_t flush_check_ms;       /* log.flush.scheduler.interval.ms */
    sl_conn_t *conns;             /* all live connections (doubly linked) */
    sl_fetch_wait_t *fetch_waits; /* long-polling fetches */
    sl_produce_wait_t *produce_waits; /* acks=all produces waiting for durability */
    int shutting_down;                /* no new work accepted */
    int fetch_wake_pending;           /* re-run waiting fetches at the end of this loop turn */
    sl_buf_t scratch;                 /* decompression scratch for produce validation */

    /* Produce-time schema enforcement (validate.h, sl_broker_set_record_validator). */
    sl_record_validate_fn validate_fn; /* the record validator, NULL = none installed */
    void *validate_opaque;             /* its first argument (borrowed) */
};

/* API handlers (proto_*.c). */
int sl_kapi_api_versions(sl_req_t *req);
int sl_kapi_metadata(sl_req_t *req);
int sl_kapi_produce(sl_req_t *req);
int sl_kapi_fetch(sl_req_t *req);
int sl_kapi_list_offsets(sl_req_t *req);
int sl_kapi_create_topics(sl_req_t *req);
int sl_kapi_delete_topics(sl_req_t *req);
int sl_kapi_create_partitions(sl_req_t *req);
int sl_kapi_describe_configs(sl_req_t *req);
int sl_kapi_alter_configs(sl_req_t *req);
int sl_kapi_incremental_alter_configs(sl_req_t *req);
int sl_kapi_delete_records(sl_req_t *req);
int sl_kapi_describe_cluster(sl_req_t *req);
/* Consumer groups (proto_group.c). */
int sl_kapi_find_coordinator(sl_req_t *req);
int sl_kapi_join_group(sl_req_t *req);
int sl_kapi_sync_group(sl_req_t *req);
int sl_kapi_heartbeat(sl_req_t *req);
int sl_kapi_leave_group(sl_req_t *req);
int sl_kapi_offset_commit(sl_req_t *req);
int sl_kapi_offset_fetch(sl_req_t *req);
int sl_kapi_list_groups(sl_req_t *req);
int sl_kapi_describe_groups(sl_req_t *req);
int sl_kapi_delete_groups(sl_req_t *req);
int sl_kapi_offset_delete(sl_req_t *req);

/* The dispatch table (dispatch.c), indexed by ApiKey. */
extern const sl_kapi_t sl_kapi_table[SL_API__COUNT];

/* Connections (net.c). */
int sl_net_listen(sl_broker_t *b, const char *host, int port, int *bound_port, char *err,
                  size_t errlen);
void sl_net_init(sl_broker_t *b);
/* Serve a connected socket as a client connection (tests, fuzzing). Takes ownership of fd. */
int sl_net_adopt_fd(sl_broker_t *b, int fd, const char *peer);
void sl_net_shutdown(sl_broker_t *b);
void sl_req_free(sl_req_t *req);
/* The client's address as Kafka shows it ("/127.0.0.1"). */
const char *sl_conn_host(const sl_conn_t *c);

/* One partition a deferred answer waits for (durable.c). */
typedef struct sl_durable_need_s {
    uint8_t topic_id[16]; /* looked up again on each check: the topic may be deleted */
    int32_t partition;    /* partition index */
    int64_t hw;           /* high watermark that makes the data durable */
} sl_durable_need_t;

/* Hold req's (complete) response until every need is durable. Takes ownership of needs
 * (malloc'd, may be NULL when nneeds == 0). Returns SL_OK if nothing to wait for, SL_AGAIN
 * otherwise: the caller's handler returns that value. */
int sl_broker_wait_durable(sl_req_t *req, sl_durable_need_t *needs, int nneeds);

/* Durability and fetch waiters (durable.c, proto_fetch.c). */
void sl_produce_on_durable(sl_broker_t *b, sl_plog_t *pl);
void sl_produce_shutdown(sl_broker_t *b);
void sl_fetch_shutdown(sl_broker_t *b);
void sl_fetch_run_wakeups(sl_broker_t *b);

/* Called when data became visible (hw moved) or topics changed: re-evaluate waiting fetches. */
void sl_broker_fetch_wakeup(sl_broker_t *b);

#endif
