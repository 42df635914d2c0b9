/*
 * kerr.h — Kafka wire error codes (org.apache.kafka.common.protocol.Errors), kept apart from
 * Sluice's internal status codes (common/err.h) so an internal failure never leaks onto the
 * wire unmapped. X(name, code, default message).
 */
#ifndef SL_KERR_H
#define SL_KERR_H
#include <stdint.h>

#define SL_KERR_MAP(X)                                                                             \
    X(UNKNOWN_SERVER_ERROR, -1, "The server experienced an unexpected error")                      \
    X(NONE, 0, "")                                                                                 \
    X(OFFSET_OUT_OF_RANGE, 1, "The requested offset is not within the range of offsets")           \
    X(CORRUPT_MESSAGE, 2, "The message contents does not match its CRC or is malformed")           \
    X(UNKNOWN_TOPIC_OR_PARTITION, 3, "This server does not host this topic-partition")             \
    X(INVALID_FETCH_SIZE, 4, "The requested fetch size is invalid")                                \
    X(LEADER_NOT_AVAILABLE, 5, "There is no leader for this topic-partition")                      \
    X(NOT_LEADER_OR_FOLLOWER, 6, "This server is not the leader for that topic-partition")         \
    X(REQUEST_TIMED_OUT, 7, "The request timed out")                                               \
    X(MESSAGE_TOO_LARGE, 10, "The request included a message larger than the max message size")    \
    X(NETWORK_EXCEPTION, 13, "The server disconnected before a response was received")             \
    X(COORDINATOR_NOT_AVAILABLE, 15, "The coordinator is not available")                           \
    X(INVALID_TOPIC_EXCEPTION, 17,                                                                 \
      "The request attempted to perform an operation on an invalid topic")                         \
    X(RECORD_LIST_TOO_LARGE, 18,                                                                   \
      "The request included message batch larger than the configured segment size")                \
    X(NOT_ENOUGH_REPLICAS, 19,                                                                     \
      "Messages are rejected since there are fewer in-sync replicas than required")                \
    X(INVALID_REQUIRED_ACKS, 21, "Produce request specified an invalid value for required acks")   \
    X(INVALID_TIMESTAMP, 32, "The timestamp of the message is out of acceptable range")            \
    X(UNSUPPORTED_VERSION, 35, "The version of API is not supported")                              \
    X(TOPIC_ALREADY_EXISTS, 36, "Topic with this name already exists")                             \
    X(INVALID_PARTITIONS, 37, "Number of partitions is below 1")                                   \
    X(INVALID_REPLICATION_FACTOR, 38,                                                              \
      "Replication factor is below 1 or larger than the number of available brokers")              \
    X(INVALID_REPLICA_ASSIGNMENT, 39, "Replica assignment is invalid")                             \
    X(INVALID_CONFIG, 40, "Configuration is invalid")                                              \
    X(NOT_CONTROLLER, 41, "This is not the correct controller for this cluster")                   \
    X(INVALID_REQUEST, 42,                                                                         \
      "This most likely occurs because of a request being malformed by the client library or the " \
      "message was sent to an incompatible broker")                                                \
    X(UNSUPPORTED_FOR_MESSAGE_FORMAT, 43,                                                          \
      "The message format version on the broker does not support the request")                     \
    X(POLICY_VIOLATION, 44, "Request parameters do not satisfy the configured policy")             \
    X(INVALID_PRODUCER_EPOCH, 47, "Producer attempted to produce with an old epoch")               \
    X(CLUSTER_AUTHORIZATION_FAILED, 31, "Cluster authorization failed")                            \
    X(KAFKA_STORAGE_ERROR, 56, "Disk error when trying to access log file on the disk")            \
    X(UNKNOWN_PRODUCER_ID, 59,                                                                     \
      "This exception is raised by the broker if it could not locate the producer metadata")       \
    X(TOPIC_DELETION_DISABLED, 73, "Topic deletion is disabled")                                   \
    X(FENCED_LEADER_EPOCH, 74,                                                                     \
      "The leader epoch in the request is older than the epoch on the broker")                     \
    X(UNKNOWN_LEADER_EPOCH, 75,                                                                    \
      "The leader epoch in the request is newer than the epoch on the broker")                     \
    X(UNSUPPORTED_COMPRESSION_TYPE, 76,                                                            \
      "The requesting client does not support the compression type of given partition")            \
    X(OFFSET_NOT_AVAILABLE, 78, "The leader high watermark has not caught up")                     \
    X(INVALID_RECORD, 87,                                                                          \
      "This record has failed the validation on broker and hence will be rejected")                \
    X(THROTTLING_QUOTA_EXCEEDED, 89, "The throttling quota has been exceeded")                     \
    X(RESOURCE_NOT_FOUND, 91, "A request illegally referred to a resource that does not exist")    \
    X(FETCH_SESSION_ID_NOT_FOUND, 70, "The fetch session ID was not found")                        \
    X(INVALID_FETCH_SESSION_EPOCH, 71, "The fetch session epoch is invalid")                       \
    X(UNKNOWN_TOPIC_ID, 100, "This server does not host this topic ID")                            \
    X(INCONSISTENT_TOPIC_ID, 103, "The log's topic ID did not match the topic ID in the request")  \
    X(OFFSET_METADATA_TOO_LARGE, 12, "The metadata field of the offset request was too large")     \
    X(COORDINATOR_LOAD_IN_PROGRESS, 14,                                                            \
      "The coordinator is loading and hence can't process requests")                               \
    X(NOT_COORDINATOR, 16, "This is not the correct coordinator")                                  \
    X(ILLEGAL_GENERATION, 22, "Specified group generation id is not valid")                        \
    X(INCONSISTENT_GROUP_PROTOCOL, 23,                                                             \
      "The group member's supported protocols are incompatible with those of existing members or " \
      "first group member tried to join with empty protocol type or empty protocol list")          \
    X(INVALID_GROUP_ID, 24, "The configured groupId is invalid")                                   \
    X(UNKNOWN_MEMBER_ID, 25, "The coordinator is not aware of this member")                        \
    X(INVALID_SESSION_TIMEOUT, 26,                                                                 \
      "The session timeout is not within the range allowed by the broker (as configured by "       \
      "group.min.session.timeout.ms and group.max.session.timeout.ms)")                            \
    X(REBALANCE_IN_PROGRESS, 27, "The group is rebalancing, so a rejoin is needed")                \
    X(INVALID_COMMIT_OFFSET_SIZE, 28, "The committing offset data size is not valid")              \
    X(GROUP_AUTHORIZATION_FAILED, 30, "Group authorization failed")                                \
    X(NON_EMPTY_GROUP, 68, "The group is not empty")                                               \
    X(GROUP_ID_NOT_FOUND, 69, "The group id does not exist")                                       \
    X(MEMBER_ID_REQUIRED, 79,                                                                      \
      "The group member needs to have a valid member id before actually entering a consumer "      \
      "group")                                                                                     \
    X(GROUP_MAX_SIZE_REACHED, 81, "The consumer group has reached its max size")                   \
    X(FENCED_INSTANCE_ID, 82,                                                                      \
      "The broker rejected this static consumer since another consumer with the same "             \
      "group.instance.id has registered with a different member.id")                               \
    X(GROUP_SUBSCRIBED_TO_TOPIC, 86,                                                               \
      "Deleting offsets of a topic is forbidden while the consumer group is actively subscribed "  \
      "to it")                                                                                     \
    X(UNSTABLE_OFFSET_COMMIT, 88, "There are unstable offsets that need to be cleared")

enum sl_kerr {
#define SL_KERR_ENUM_(name, code, msg) SL_KERR_##name = (code),
    SL_KERR_MAP(SL_KERR_ENUM_)
#undef SL_KERR_ENUM_
};

const char *sl_kerr_name(int16_t code); /* "MESSAGE_TOO_LARGE" */
const char *sl_kerr_msg(int16_t code);  /* Kafka's default message for the code */

#endif
