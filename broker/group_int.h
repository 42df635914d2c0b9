/*
 * group_int.h — internals of the group coordinator shared by group.c (state machine, timers),
 * group_offsets.c (committed offsets, __consumer_offsets persistence and loading) and
 * proto_group.c (the Kafka API handlers).
 *
 * State machine (Kafka's GroupMetadata states):
 *
 *            first join                     all members joined / rebalance timeout
 *   Empty ---------------> PreparingRebalance --------------------------------> CompletingRebalance
 *     ^                        ^      |  (no member left: generation+1, Empty)          |
 *     |                        |      v                                                 | leader's
 *     |  last member gone      +------+----------- join/leave/expiry -------------+     | SyncGroup
 *     +------------------------------------------------------------------- Stable <-----+
 *   Dead: deleted (DeleteGroups, or Empty with no offsets left); removed from the table at once.
 *
 * Invariants:
 *  - A member has at most one pending JoinGroup (join_req) and one pending SyncGroup
 *    (sync_req); a pending request is answered exactly once, by whoever clears the pointer.
 *  - join_req is only set while the group is PreparingRebalance; sync_req only while
 *    CompletingRebalance.
 *  - g->leader is the id of a member of g, or NULL when g has no members.
 *  - Deadlines are monotonic milliseconds; one uv_timer per coordinator fires at the earliest.
 *
 * @locality loop thread
 */
#ifndef SL_BROKER_GROUP_INT_H
#define SL_BROKER_GROUP_INT_H

#include "broker/broker_int.h"
#include "broker/group.h"
#include "broker/group_store.h"
#include "common/recbatch.h"

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define SL_OFFSETS_TOPIC "__consumer_offsets"

enum sl_gstate {
    SL_GS_EMPTY = 0,
    SL_GS_PREPARING = 1,  /* PreparingRebalance */
    SL_GS_COMPLETING = 2, /* CompletingRebalance */
    SL_GS_STABLE = 3,
    SL_GS_DEAD = 4,
};

/* Kafka's state names ("Empty", "PreparingRebalance", ...). */
const char *sl_gstate_name(int state);

typedef struct sl_group_s sl_group_t;

/* One protocol a member supports (JoinGroup protocols[]). */
typedef struct sl_gproto_s {
    char *name;    /* owned: assignor name ("range", "cooperative-sticky") */
    uint8_t *meta; /* owned: protocol metadata (consumer subscription), may be NULL if len 0 */
    int32_t len;   /* bytes of meta */
} sl_gproto_t;

typedef struct sl_gmember_s {
    struct sl_gmember_s *next; /* next member of the group, in join order */
    char *id;                  /* owned: member id */
    char *instance_id;         /* owned: group.instance.id, NULL for a dynamic member */
    char *client_id;           /* owned: client id of the latest JoinGroup */
    char *client_host;         /* owned: client host ("" when unknown) */
    int32_t session_timeout;   /* ms */
    int32_t rebalance_timeout; /* ms */
    int nprotos;               /* entries in protos */
    sl_gproto_t *protos;       /* owned: supported protocols, preference order */
    uint8_t *assignment;       /* owned: assignment from the leader's SyncGroup */
    int32_t assignment_len;    /* bytes of assignment */
    sl_req_t *join_req;        /* pending JoinGroup, or NULL */
    sl_req_t *sync_req;        /* pending SyncGroup, or NULL */
    int64_t deadline;          /* monotonic ms: session expiry (heartbeat due) */
} sl_gmember_t;

/* A member id handed out with MEMBER_ID_REQUIRED (KIP-394), waiting for its rejoin. */
typedef struct sl_gpending_s {
    struct sl_gpending_s *next; /* next pending id */
    char *id;                   /* owned: the member id */
    int64_t deadline;           /* monotonic ms: forgotten after the session timeout */
} sl_gpending_t;

/* A committed offset. */
typedef struct sl_goffset_s {
    int present;          /* 1 if committed */
    int64_t offset;       /* committed offset */
    int32_t leader_epoch; /* -1 if unknown */
    char *metadata;       /* owned, never NULL when present */
    int64_t commit_ts;    /* wall ms */
    int64_t expire_ts;    /* wall ms, -1 = by retention */
} sl_goffset_t;

/* Committed offsets of one topic, indexed by partition. */
typedef struct sl_gtopic_s {
    struct sl_gtopic_s *next; /* next topic of the group */
    char *name;               /* owned */
    int32_t cap;              /* entries in parts */
    sl_goffset_t *parts;      /* owned, indexed by partition */
    int32_t count;            /* partitions with present offsets */
} sl_gtopic_t;

struct sl_group_s {
    sl_group_t *hnext;          /* hash chain */
    char *id;                   /* owned: group id */
    int state;                  /* enum sl_gstate */
    int32_t generation;         /* generation id (0 before the first rebalance) */
    char *protocol_type;        /* owned: "consumer", or NULL (offsets only) */
    char *protocol;             /* owned: chosen assignor, NULL unless Completing/Stable */
    char *leader;               /* owned: leader member id, NULL without members */
    sl_gmember_t *members;      /* join order */
    int nmembers;               /* members in the list */
    sl_gpending_t *pending;     /* member ids awaiting rejoin (KIP-394) */
    int64_t state_ts;           /* wall ms of the last state change */
    int64_t rebalance_deadline; /* monotonic ms: PreparingRebalance completes by then */
    int initial_join;           /* this PreparingRebalance is a delayed initial join */
    int64_t initial_remaining;  /* ms the initial join may still be extended by */
    int new_member_added;       /* a member joined during the current initial delay */
    int64_t sync_deadline;      /* monotonic ms: the leader must SyncGroup by then */
    sl_gtopic_t *topics;        /* committed offsets */
    int64_t noffsets;           /* present offsets over all topics */
};

struct sl_groups_s {
    sl_broker_t *b;          /* borrowed */
    sl_group_t **buckets;    /* hash table of groups by id */
    size_t nbuckets;         /* power of two */
    size_t ngroups;          /* groups in the table */
    uv_timer_t timer;        /* fires at the earliest deadline of any group */
    int64_t timer_due;       /* monotonic ms the timer is set for, 0 = stopped */
    int64_t retention_due;   /* monotonic ms of the next offset-retention check */
    int32_t offsets_parts;   /* offsets.topic.num.partitions (for creation) */
    int64_t offsets_segment; /* offsets.topic.segment.bytes */
    int64_t initial_delay;   /* group.initial.rebalance.delay.ms */
    int64_t min_session;     /* group.min.session.timeout.ms */
    int64_t max_session;     /* group.max.session.timeout.ms */
    int64_t max_size;        /* group.max.size */
    int64_t metadata_max;    /* offset.metadata.max.bytes */
    int64_t retention_ms;    /* offsets.retention.minutes in ms */
    int64_t retention_check; /* offsets.retention.check.interval.ms */
    sl_req_t *cur;           /* request of the handler now running (not deferred yet) */
    int cur_ret;             /* what that handler returns: SL_AGAIN until answered */
    int closing;             /* sl_groups_close started */
};

/* ---- group.c: table, members, state machine ------------------------------------------- */

sl_group_t *sl_group_find(sl_groups_t *gs, const char *id, size_t len);
sl_group_t *sl_group_get_or_create(sl_groups_t *gs, const char *id, size_t len);
/* Remove g from the table and free it (answering its pending requests with err). */
void sl_group_destroy(sl_groups_t *gs, sl_group_t *g, int16_t err);
sl_gmember_t *sl_group_member(sl_group_t *g, const char *id, size_t len);
sl_gmember_t *sl_group_static_member(sl_group_t *g, const char *instance, size_t len);
void sl_group_set_state(sl_group_t *g, int state);
/* Make sure the timer fires no later than due (monotonic ms). */
void sl_groups_arm(sl_groups_t *gs, int64_t due);
/* Finish a request whose response body is written: the running handler returns SL_OK, a
 * deferred one is completed. */
void sl_groups_finish(sl_groups_t *gs, sl_req_t *req);
/* The same, but hold the response until need (if any) is durable. */
void sl_groups_finish_durable(sl_groups_t *gs, sl_req_t *req, const sl_durable_need_t *need);
/* The metadata a member sent for protocol `name`, or NULL. */
const sl_gproto_t *sl_gmember_proto(const sl_gmember_t *m, const char *name);
/* Does a member subscribe to topic (parsed from its consumer-protocol metadata)? */
int sl_group_subscribes(const sl_group_t *g, const char *topic, size_t len);

typedef struct sl_join_args_s {
    sl_kstr_t group_id;        /* group */
    int32_t session_timeout;   /* ms */
    int32_t rebalance_timeout; /* ms (session timeout for v0) */
    sl_kstr_t member_id;       /* "" for a new member */
    sl_kstr_t instance_id;     /* len -1 when null */
    sl_kstr_t protocol_type;   /* "consumer" */
    int32_t nprotos;           /* entries in protos */
    sl_gproto_t *protos;       /* borrowed views: name/meta point into the request */
    int require_known_id;      /* v4+: MEMBER_ID_REQUIRED for a new dynamic member */
} sl_join_args_t;

/* JoinGroup: answers now or keeps req in the member (gs->cur_ret tells which). */
void sl_group_join(sl_groups_t *gs, sl_req_t *req, const sl_join_args_t *a);

typedef struct sl_sync_assign_s {
    sl_kstr_t member_id;  /* member */
    const uint8_t *bytes; /* borrowed assignment */
    int32_t len;          /* bytes */
} sl_sync_assign_t;

typedef struct sl_sync_args_s {
    sl_kstr_t group_id;       /* group */
    int32_t generation;       /* generation id */
    sl_kstr_t member_id;      /* member */
    sl_kstr_t instance_id;    /* len -1 when null */
    sl_kstr_t protocol_type;  /* v5+, len -1 when null */
    sl_kstr_t protocol_name;  /* v5+, len -1 when null */
    int32_t nassign;          /* entries in assign (leader only) */
    sl_sync_assign_t *assign; /* borrowed */
} sl_sync_args_t;

void sl_group_sync(sl_groups_t *gs, sl_req_t *req, const sl_sync_args_t *a);

/* Heartbeat: a Kafka error code. */
int16_t sl_group_heartbeat(sl_groups_t *gs, sl_kstr_t group, int32_t generation, sl_kstr_t member,
                           sl_kstr_t instance);
/* LeaveGroup of one member (member "" with an instance id: by instance). */
int16_t sl_group_leave(sl_groups_t *gs, sl_group_t *g, sl_kstr_t member, sl_kstr_t instance);

/* Writers of deferred answers (proto_group.c). */
void sl_gproto_write_join(sl_req_t *req, int16_t err, const sl_group_t *g, const char *member_id,
                          int with_members, int skip_assignment);
void sl_gproto_write_sync(sl_req_t *req, int16_t err, const sl_group_t *g, const uint8_t *bytes,
                          int32_t len);

/* ---- group_offsets.c: committed offsets and __consumer_offsets ------------------------- */

/* The committed offset of topic-partition in g, or NULL. */
sl_goffset_t *sl_goffset_get(sl_group_t *g, const char *topic, size_t len, int32_t partition);
/* Set (value != NULL) or delete one committed offset in memory. */
void sl_goffset_set(sl_group_t *g, const char *topic, size_t len, int32_t partition,
                    const sl_goffset_t *value);
void sl_goffsets_free(sl_group_t *g);

/* Records for __consumer_offsets, gathered into one batch for the group's partition. */
typedef struct sl_gwrite_s {
    sl_buf_t batch;   /* the batch being built */
    sl_buf_t key;     /* scratch */
    sl_buf_t val;     /* scratch */
    sl_rb_writer_t w; /* over batch */
    int32_t n;        /* records added */
    int64_t now;      /* wall ms: record timestamps */
} sl_gwrite_t;

void sl_gwrite_init(sl_gwrite_t *gw);
void sl_gwrite_free(sl_gwrite_t *gw);
/* value NULL = tombstone. */
void sl_gwrite_offset(sl_gwrite_t *gw, const char *group, const char *topic, int32_t partition,
                      const sl_goffset_t *value);
/* The group's metadata record (tombstone if tombstone != 0). */
void sl_gwrite_group(sl_gwrite_t *gw, const sl_group_t *g, int tombstone);
/* Append the batch to the group's partition; *need says when it is durable. SL_OK (also when
 * nothing was added: need->hw = 0), or an error (logged). */
int sl_gwrite_commit(sl_groups_t *gs, sl_gwrite_t *gw, const char *group, sl_durable_need_t *need);

/* Write g's metadata record now. */
int sl_group_store(sl_groups_t *gs, sl_group_t *g, sl_durable_need_t *need);

/* Create __consumer_offsets if missing. */
int sl_goffsets_topic(sl_groups_t *gs, sl_topic_t **out, char *err, size_t errlen);
/* Read __consumer_offsets and rebuild groups. */
int sl_goffsets_load(sl_groups_t *gs);
/* Expire offsets of Empty groups past offsets.retention.minutes; drop groups left with
 * nothing. */
void sl_goffsets_expire(sl_groups_t *gs, int64_t now_wall);

typedef struct sl_commit_part_s {
    sl_kstr_t topic;      /* borrowed */
    int32_t partition;    /* partition index */
    int64_t offset;       /* committed offset */
    int32_t leader_epoch; /* -1 if none */
    sl_kstr_t metadata;   /* len -1 for null */
    int64_t commit_ts;    /* v1 only, -1 = now */
    int16_t err;          /* out: the partition's error */
} sl_commit_part_t;

typedef struct sl_commit_args_s {
    sl_kstr_t group_id;    /* group */
    int32_t generation;    /* -1 for a simple (admin) commit */
    sl_kstr_t member_id;   /* "" for a simple commit */
    sl_kstr_t instance_id; /* len -1 when null */
    int64_t retention_ms;  /* v2-4, -1 = broker default */
    int32_t nparts;        /* entries in parts */
    sl_commit_part_t *parts;
} sl_commit_args_t;

/* OffsetCommit: sets every part's err, appends the records. *need is the durability to wait
 * for (hw 0: none). */
void sl_group_commit(sl_groups_t *gs, sl_commit_args_t *a, sl_durable_need_t *need);

#endif
