/*
 * fuzz_group_store.c — __consumer_offsets records read back from disk or replicated from
 * another broker: the key decoder, the offset commit value decoder and the group metadata value
 * decoder over arbitrary bytes, plus the group -> partition hash (a UTF-8 decoder of its own).
 * Everything a decoder returns must point inside the input; a decoded record must re-encode to
 * the same kind of record and decode again.
 * Corpus: tests/fuzz/corpus/group_store/ (keys and values of every version, made by the encoders
 * and by hand).
 */
#include "broker/group_store.h"
#include "common/buf.h"
#include "common/err.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Borrowed ranges must lie inside [data, data + size). Touching both ends lets ASan check. */
static void touch(const uint8_t *data, size_t size, const void *p, int32_t len)
{
    if (len <= 0) return;
    const uint8_t *b = p;
    if (b < data || b + len > data + size) abort();
    volatile uint8_t sink = b[0];
    sink ^= b[len - 1];
    (void)sink;
}

static void check_group(const uint8_t *data, size_t size, const sl_gstore_group_t *g)
{
    touch(data, size, g->protocol_type.p, g->protocol_type.len);
    touch(data, size, g->protocol.p, g->protocol.len);
    touch(data, size, g->leader.p, g->leader.len);
    for (int32_t i = 0; i < g->nmembers; i++) {
        const sl_gstore_member_t *m = &g->members[i];
        touch(data, size, m->member_id.p, m->member_id.len);
        touch(data, size, m->instance_id.p, m->instance_id.len);
        touch(data, size, m->client_id.p, m->client_id.len);
        touch(data, size, m->client_host.p, m->client_host.len);
        touch(data, size, m->subscription, m->subscription_len);
        touch(data, size, m->assignment, m->assignment_len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_buf_t b;
    sl_buf_init(&b);

    sl_gstore_key_t k;
    if (sl_gstore_decode_key(data, size, &k) == SL_OK) {
        touch(data, size, k.group.p, k.group.len);
        if (k.kind == SL_GSTORE_OFFSET) touch(data, size, k.topic.p, k.topic.len);
        (void)sl_gstore_partition_for(k.group.p, (size_t)k.group.len, 50);
    }

    sl_gstore_offset_t o;
    if (sl_gstore_decode_offset(data, size, &o) == SL_OK) {
        touch(data, size, o.metadata.p, o.metadata.len);
        sl_gstore_offset_value(&b, &o);
        sl_gstore_offset_t again;
        if (sl_gstore_decode_offset(b.data, b.len, &again) != SL_OK) abort();
        if (again.offset != o.offset || again.commit_timestamp != o.commit_timestamp) abort();
    }

    sl_gstore_group_t g;
    if (sl_gstore_decode_group(data, size, &g) == SL_OK) {
        check_group(data, size, &g);
        sl_buf_reset(&b);
        sl_gstore_group_value(&b, &g);
        sl_gstore_group_t again;
        if (sl_gstore_decode_group(b.data, b.len, &again) != SL_OK) abort();
        if (again.nmembers != g.nmembers || again.generation != g.generation) abort();
        free(again.members);
        free(g.members);
    }

    /* The raw input as a group id: any bytes, valid UTF-8 or not. */
    int32_t part = sl_gstore_partition_for((const char *)data, size, 50);
    if (part < 0 || part >= 50) abort();

    sl_buf_free(&b);
    return 0;
}
