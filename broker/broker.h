/*
 * broker.h — the Kafka broker door: public interface used by server/.
 *
 * The broker owns a listening socket, its connections, the topic catalog and the flusher.
 * It runs entirely on the libuv loop it is given, except the flusher thread (see log.h).
 */
#ifndef SL_BROKER_H
#define SL_BROKER_H

#include "broker/validate.h"
#include "common/props.h"
#include <uv.h>

typedef struct sl_broker_s sl_broker_t;

/*
 * Create a broker from server.properties-style settings (Kafka key names: log.dirs,
 * listeners, advertised.listeners, num.partitions, message.max.bytes, ...). props is copied.
 * On failure returns an error status and writes a message into err.
 */
int sl_broker_create(uv_loop_t *loop, const sl_props_t *props, sl_broker_t **out, char *err,
                     size_t errlen);
/* Bind and listen; *port receives the bound port (useful with port 0). */
int sl_broker_listen(sl_broker_t *b, const char *host, int port, int *bound_port, char *err,
                     size_t errlen);
/* Close the listener and all connections, sync and close the logs. The loop must then be run
 * until it has no more active handles before sl_broker_free. */
void sl_broker_shutdown(sl_broker_t *b);
void sl_broker_free(sl_broker_t *b);

/*
 * Install the produce-time record validator (broker/validate.h) that topics with
 * confluent.{key,value}.schema.validation=true are checked with; fn NULL removes it (such
 * topics then refuse every produce). opaque is borrowed: before freeing what it points to,
 * remove the validator (e.g. before stopping the schema registry).
 * @locality loop thread (the hook runs there; installing from the loop thread means no
 * produce is in the middle of a call)
 */
void sl_broker_set_record_validator(sl_broker_t *b, sl_record_validate_fn fn, void *opaque);

#endif
