/*
 * framing.c — Confluent's wire framing of keys and values that name their schema (the layout is
 * pictured in serde.h): a magic byte 0, the schema id as a big-endian int32, then the payload.
 * The id is taken as it is; whether it names a schema is the registry's question.
 * @locality any thread
 */
#include "serde/serde.h"

#include "common/buf.h"
#include "common/err.h"

int sl_serde_frame_parse(const uint8_t *buf, size_t len, int32_t *schema_id,
                         const uint8_t **payload, size_t *payload_len)
{
    if (!buf || len < SL_SERDE_FRAME_HEADER || buf[0] != SL_SERDE_MAGIC) return SL_INVAL;
    *schema_id = (int32_t)sl_be32(buf + 1);
    *payload = buf + SL_SERDE_FRAME_HEADER;
    *payload_len = len - SL_SERDE_FRAME_HEADER;
    return SL_OK;
}

void sl_serde_frame_write(sl_buf_t *out, int32_t schema_id)
{
    uint8_t *p = sl_buf_extend(out, SL_SERDE_FRAME_HEADER);
    p[0] = SL_SERDE_MAGIC;
    sl_wbe32(p + 1, (uint32_t)schema_id);
}
