/*
 * validate.h — the broker's produce-time record validator hook.
 *
 * The broker never includes the schema registry (DESIGN.md: arrows point down). It defines
 * this small interface instead; server/ installs an implementation (the registry's, in
 * registry/validate.c) with sl_broker_set_record_validator(). This header holds types (and
 * one inline helper) only, so an implementation can include it without linking the broker.
 *
 * When it runs: only for topics whose `confluent.key.schema.validation` or
 * `confluent.value.schema.validation` is true. The topic's settings are resolved once per
 * partition of a Produce request (a lookup in the topic's overrides, no allocation); topics
 * without validation pay nothing more. For a validated topic the broker walks every record of
 * every batch of the partition, after decompression (it reuses the buffer its own batch
 * validation decompressed into), and calls the hook once per record and per validated side.
 * Null keys and null values (tombstones) are not passed to the hook: they pass, as in
 * Confluent Server.
 *
 * Verdicts: a record the hook rejects makes the broker refuse the partition's whole batch set
 * with INVALID_RECORD (Kafka error 87): nothing of it is written; the response carries one
 * record_errors entry per rejected record (Produce v8+: batch_index = the record's index in
 * the partition's batch set, message "record N: <why>") and the first reason as the
 * partition's error_message; the server log carries each reason too. Other partitions of the
 * same request proceed normally. A topic with validation on and no validator installed is
 * refused as well (never let unvalidated data in silently).
 *
 * The Confluent wire framing the registry's implementation checks:
 *
 *   0      1                   5
 *   +------+-------------------+------------------------------------+
 *   | 0x00 | schema id (i32 BE)| payload (Avro binary, JSON text...) |
 *   +------+-------------------+------------------------------------+
 *
 * @locality loop thread (the broker calls the hook on its loop thread; an implementation must
 * not block on I/O there)
 */
#ifndef SL_BROKER_VALIDATE_H
#define SL_BROKER_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

/* Which part of a record a check is about. */
typedef enum sl_val_side_e {
    SL_VAL_KEY = 0,  /* confluent.key.schema.validation */
    SL_VAL_VALUE = 1 /* confluent.value.schema.validation */
} sl_val_side_t;

/* How a record's subject is named: Confluent's SubjectNameStrategy classes
 * (io.confluent.kafka.serializers.subject.*). */
typedef enum sl_val_strategy_e {
    SL_VAL_TOPIC_NAME = 0,       /* "<topic>-key" / "<topic>-value" */
    SL_VAL_RECORD_NAME = 1,      /* "<full name of the record type>" */
    SL_VAL_TOPIC_RECORD_NAME = 2 /* "<topic>-<full name of the record type>" */
} sl_val_strategy_t;

/* How much is checked (sluice.{key,value}.schema.validation.mode). */
typedef enum sl_val_mode_e {
    SL_VAL_MODE_ID = 0,  /* Confluent's check: framing, id known, id registered under subject */
    SL_VAL_MODE_FULL = 1 /* Sluice: also decode the payload against its schema */
} sl_val_mode_t;

/* The validation settings of one side of a topic. */
typedef struct sl_val_side_cfg_s {
    int on;                     /* confluent.<side>.schema.validation */
    sl_val_strategy_t strategy; /* confluent.<side>.subject.name.strategy */
    sl_val_mode_t mode;         /* sluice.<side>.schema.validation.mode */
} sl_val_side_cfg_t;

/* The validation settings of a topic, indexed by sl_val_side_t. */
typedef struct sl_val_cfg_s {
    sl_val_side_cfg_t side[2]; /* [SL_VAL_KEY], [SL_VAL_VALUE] */
} sl_val_cfg_t;

/*
 * What the validator may remember between the records of one partition's batch set and side
 * (the broker zeroes it before the first record). A producer sends runs of records with the
 * same schema id; remembering the last accepted id lets `id` mode skip the registry lookups
 * for the rest of the run. Meaningful only to the validator.
 */
typedef struct sl_val_memo_s {
    int have_ok;      /* ok_id holds an id accepted for this topic, side and strategy */
    int32_t ok_id;    /* last schema id accepted */
    uint64_t scratch; /* free for the validator */
} sl_val_memo_t;

/* One record as the hook sees it. Every pointer is borrowed for the duration of the call. */
typedef struct sl_val_record_s {
    const char *topic;          /* NUL-terminated topic name */
    int32_t partition;          /* partition index */
    int32_t index;              /* record index within the partition's batch set (0-based) */
    sl_val_side_t side;         /* which part to check */
    sl_val_strategy_t strategy; /* subject naming of that side */
    sl_val_mode_t mode;         /* how much to check */
    const uint8_t *key;         /* NULL when key_len == -1 */
    int32_t key_len;            /* -1 = null key */
    const uint8_t *value;       /* NULL when value_len == -1 */
    int32_t value_len;          /* -1 = null value (tombstone) */
    sl_val_memo_t *memo;        /* per partition and side, see above */
} sl_val_record_t;

/*
 * The hook. Returns
 *   SL_OK      the record passes;
 *   SL_INVAL   the record is rejected: why holds the reason, without the "record N: "
 *              prefix the broker adds ("value schema id 42 is not registered under subject
 *              'orders-value'"); printable ASCII;
 *   SL_UNSUPP  the record cannot be checked as configured (why says what is missing, e.g.
 *              "full validation of PROTOBUF is not supported yet"): rejected like SL_INVAL;
 *   SL_AGAIN   the validator cannot answer yet (the registry is still loading): the broker
 *              refuses the partition with a retriable error and why as its message.
 * why is always NUL-terminated by the broker before the call; why_size >= 128.
 */
typedef int (*sl_record_validate_fn)(void *opaque, const sl_val_record_t *rec, char *why,
                                     size_t why_size);

/* Confluent's short strategy names, for messages. */
static inline const char *sl_val_strategy_name(sl_val_strategy_t strategy)
{
    switch (strategy) {
    case SL_VAL_TOPIC_NAME:
        return "TopicNameStrategy";
    case SL_VAL_RECORD_NAME:
        return "RecordNameStrategy";
    case SL_VAL_TOPIC_RECORD_NAME:
        return "TopicRecordNameStrategy";
    }
    return "?";
}

#endif
