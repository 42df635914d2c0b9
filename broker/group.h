/*
 * group.h — the consumer group coordinator (Kafka's classic group protocol) as the rest of
 * broker/ sees it: open at start-up (after the topic catalog), close at shutdown (before the
 * catalog closes). The API handlers live in proto_group.c; the coordinator's internals are in
 * group_int.h.
 *
 * The coordinator owns the internal topic __consumer_offsets: it creates it when missing
 * (offsets.topic.num.partitions partitions, cleanup.policy=compact), reads it completely at
 * open to rebuild groups and committed offsets, and appends every commit, group metadata
 * change and tombstone to it in Kafka's record layouts (group_store.h).
 *
 * Broker settings (server.properties names, Kafka defaults):
 *   offsets.topic.num.partitions (50), offsets.topic.segment.bytes (104857600),
 *   group.initial.rebalance.delay.ms (3000), group.min.session.timeout.ms (6000),
 *   group.max.session.timeout.ms (1800000), group.max.size (unlimited),
 *   offset.metadata.max.bytes (4096), offsets.retention.minutes (10080),
 *   offsets.retention.check.interval.ms (600000)
 *
 * @locality loop thread
 */
#ifndef SL_BROKER_GROUP_H
#define SL_BROKER_GROUP_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl_broker_s sl_broker_t;
typedef struct sl_groups_s sl_groups_t;

/* Create __consumer_offsets if missing and load every group and offset from it. Needs
 * b->catalog and b->loop. Writes a reason to err on failure. */
int sl_groups_open(sl_broker_t *b, sl_groups_t **out, char *err, size_t errlen);

/* Answer or free every pending JoinGroup/SyncGroup, free all groups; the coordinator's timer
 * is closed and the memory released from its close callback (run the loop afterwards). */
void sl_groups_close(sl_groups_t *gs);

/* Drop the committed offsets of a deleted topic from every group (tombstones included). */
void sl_groups_topic_deleted(sl_groups_t *gs, const char *topic);

#endif
