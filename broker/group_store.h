/*
 * group_store.h — the record layouts of the internal topic __consumer_offsets, exactly as
 * Apache Kafka writes them (GroupMetadataManager), so tools written for Kafka that read the
 * topic (Burrow, kafka-consumer-groups, ...) understand Sluice's.
 *
 * Keys (big-endian, Kafka "classic" strings: i16 length + bytes):
 *   offset commit key   version i16 = 1 (0 accepted) | group string | topic string | partition i32
 *   group metadata key  version i16 = 2              | group string
 *
 * Offset commit value (version i16 first):
 *   v1: offset i64 | metadata string | commit_timestamp i64 | expire_timestamp i64
 *   v3: offset i64 | leader_epoch i32 | metadata string | commit_timestamp i64
 *   (v0: offset, metadata, timestamp; v2: offset, metadata, commit_timestamp — decode only)
 *   Sluice writes v3 (v1 when an expire timestamp is given).
 *
 * Group metadata value (version i16 first; Sluice writes v3):
 *   protocol_type string | generation i32 | protocol nullable string |
 *   leader nullable string | current_state_timestamp i64 (v2+) |
 *   members array(i32) of: member_id string | group_instance_id nullable string (v3+) |
 *     client_id string | client_host string | rebalance_timeout i32 (v1+) |
 *     session_timeout i32 | subscription bytes(i32) | assignment bytes(i32)
 *
 * A null value (tombstone) deletes the offset or the group.
 * Decoders only borrow: output strings and byte ranges point into the input.
 */
#ifndef SL_BROKER_GROUP_STORE_H
#define SL_BROKER_GROUP_STORE_H

#include "broker/proto.h"
#include "common/buf.h"
#include <stddef.h>
#include <stdint.h>

enum sl_gstore_kind {
    SL_GSTORE_OFFSET = 1, /* offset commit key (versions 0 and 1) */
    SL_GSTORE_GROUP = 2,  /* group metadata key (version 2) */
};

typedef struct sl_gstore_key_s {
    int kind;          /* enum sl_gstore_kind */
    sl_kstr_t group;   /* group id */
    sl_kstr_t topic;   /* offset keys only */
    int32_t partition; /* offset keys only */
} sl_gstore_key_t;

typedef struct sl_gstore_offset_s {
    int64_t offset;           /* committed offset */
    int32_t leader_epoch;     /* -1 if unknown */
    sl_kstr_t metadata;       /* client metadata (may be empty, never null on the wire) */
    int64_t commit_timestamp; /* ms */
    int64_t expire_timestamp; /* ms, -1 if none */
} sl_gstore_offset_t;

typedef struct sl_gstore_member_s {
    sl_kstr_t member_id;         /* member id */
    sl_kstr_t instance_id;       /* group.instance.id, len -1 when null */
    sl_kstr_t client_id;         /* client id */
    sl_kstr_t client_host;       /* client host ("/127.0.0.1") */
    int32_t rebalance_timeout;   /* ms */
    int32_t session_timeout;     /* ms */
    const uint8_t *subscription; /* protocol metadata of the chosen protocol (borrowed) */
    int32_t subscription_len;
    const uint8_t *assignment; /* assignment from the last SyncGroup (borrowed) */
    int32_t assignment_len;
} sl_gstore_member_t;

typedef struct sl_gstore_group_s {
    sl_kstr_t protocol_type;     /* "consumer" */
    int32_t generation;          /* generation id */
    sl_kstr_t protocol;          /* chosen assignor, len -1 when null */
    sl_kstr_t leader;            /* leader member id, len -1 when null */
    int64_t state_timestamp;     /* ms, -1 if unknown */
    int32_t nmembers;            /* members */
    sl_gstore_member_t *members; /* malloc'd by the decoder; free() it */
} sl_gstore_group_t;

void sl_gstore_offset_key(sl_buf_t *out, const char *group, const char *topic, int32_t partition);
void sl_gstore_offset_value(sl_buf_t *out, const sl_gstore_offset_t *v);
void sl_gstore_group_key(sl_buf_t *out, const char *group);
void sl_gstore_group_value(sl_buf_t *out, const sl_gstore_group_t *g);

/* SL_OK, SL_CORRUPT (malformed or trailing bytes) or SL_UNSUPP (unknown key version). */
int sl_gstore_decode_key(const uint8_t *p, size_t n, sl_gstore_key_t *out);
int sl_gstore_decode_offset(const uint8_t *p, size_t n, sl_gstore_offset_t *out);
int sl_gstore_decode_group(const uint8_t *p, size_t n, sl_gstore_group_t *out);

/* __consumer_offsets partition of a group: Kafka's abs(String.hashCode(group)) % count. */
int32_t sl_gstore_partition_for(const char *group, size_t len, int32_t partitions);

#endif
