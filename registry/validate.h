/*
 * validate.h — the schema registry's implementation of the broker's produce-time record
 * validator (broker/validate.h). server/ installs it:
 *
 *     sl_broker_set_record_validator(broker, sl_registry_validate_record, registry);
 *
 * and removes it (fn NULL) on the loop thread before it stops the registry.
 *
 * What it checks, per record side (key or value) the broker hands it:
 *   id mode (Confluent Server's check)
 *     - the bytes carry Confluent's framing: magic byte 0, then a 4-byte big-endian schema id;
 *     - the id names a schema the registry knows;
 *     - the id is registered under the record's subject, named by the topic's strategy:
 *       TopicNameStrategy "<topic>-key|value", RecordNameStrategy "<record name>",
 *       TopicRecordNameStrategy "<topic>-<record name>" (record name: the Avro named type's
 *       full name, a JSON Schema's "title").
 *   full mode (Sluice) — all of the above, then the payload after the 5 framing bytes must be
 *     an Avro binary datum of the schema, decoding exactly to its last byte, or a JSON
 *     document valid against the JSON Schema.
 * Until the registry has loaded `_schemas` (sl_registry_ready) it answers SL_AGAIN, so the
 * broker refuses with a retriable error rather than rejecting records it cannot judge yet.
 *
 * id mode allocates nothing: the subject is built on the stack, lookups take the registry's
 * read lock, and a run of records with the same id is checked once per partition (the
 * broker's memo).
 *
 * @locality any thread (the broker calls it on its loop thread; it never blocks on I/O)
 */
#ifndef SL_REGISTRY_VALIDATE_H
#define SL_REGISTRY_VALIDATE_H

#include "broker/validate.h"

#include <stddef.h>

/* The hook (sl_record_validate_fn); opaque is the sl_registry_t *. */
int sl_registry_validate_record(void *opaque, const sl_val_record_t *rec, char *why,
                                size_t why_size);

#endif
