/*
 * group_store.c — encode and decode the records of __consumer_offsets in Apache Kafka's own
 * layout, and map a group id to its partition of that topic the way Kafka does.
 *
 * Source of truth: Kafka's message definitions OffsetCommitKey.json, OffsetCommitValue.json,
 * GroupMetadataKey.json and GroupMetadataValue.json (core/src/main/resources/common/message/,
 * later group-coordinator/src/main/resources/common/message/). Versions 0-3 of the values are
 * not flexible: strings are "classic" (i16 length, -1 = null), bytes are i32 length + bytes,
 * arrays are an i32 count; there are no tagged fields. All integers are big-endian.
 *
 *   offset commit key (key version 0 or 1; Kafka writes 1)
 *   +----------+------------------+------------------+--------------+
 *   | ver i16  | group  i16+bytes | topic  i16+bytes | partition i32|
 *   +----------+------------------+------------------+--------------+
 *
 *   group metadata key (key version 2)
 *   +----------+------------------+
 *   | ver i16  | group  i16+bytes |
 *   +----------+------------------+
 *
 *   offset commit value
 *   v0, v2: ver | offset i64 | metadata str | commit_ts i64
 *   v1:     ver | offset i64 | metadata str | commit_ts i64 | expire_ts i64
 *   v3:     ver | offset i64 | leader_epoch i32 | metadata str | commit_ts i64
 *
 *   group metadata value
 *   ver i16 | protocol_type str | generation i32 | protocol nstr | leader nstr |
 *   [v2+: current_state_timestamp i64] | member count i32 | members...
 *   member: member_id str | [v3+: group_instance_id nstr] | client_id str | client_host str |
 *           [v1+: rebalance_timeout i32] | session_timeout i32 |
 *           subscription i32+bytes | assignment i32+bytes
 *
 * Invariants:
 * - Writers produce what current Kafka writes (GroupCoordinatorRecordHelpers): offset value v3,
 *   or v1 when the commit carries an expire timestamp; group value v3.
 * - Readers never read past n, reject trailing bytes, reject null in non-nullable fields (as
 *   Kafka's generated readers do), and leave *out untouched on failure. A member count is
 *   checked against the bytes left before anything is allocated.
 * - Value versions other than 0-3 (v4 is Kafka's flexible form, not written by Kafka today) are
 *   SL_UNSUPP, like unknown key versions: they are not corrupt, just not understood.
 *
 * @locality any thread (no shared state).
 */
#include "broker/group_store.h"

#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Key versions double as record types in __consumer_offsets. */
enum {
    GSTORE_KEY_OFFSET_V0 = 0,
    GSTORE_KEY_OFFSET_V1 = 1, /* what Kafka writes for offset commits */
    GSTORE_KEY_GROUP = 2,
};

#define GSTORE_OFFSET_VALUE_EXPIRE 1 /* the only offset value version with expire_timestamp */
#define GSTORE_OFFSET_VALUE_LATEST 3
#define GSTORE_GROUP_VALUE_LATEST  3
#define GSTORE_VALUE_MAX_VERSION   3

/* Classic strings carry an i16 length. */
#define GSTORE_STR_MAX INT16_MAX

/* ---------------------------------------------------------------------------------------------
 * Writers
 */

/*
 * A string too long for an i16 length cannot be written in this format at all. The encoders
 * return void, so callers must have rejected such input (Kafka answers OFFSET_METADATA_TOO_LARGE
 * or INVALID_GROUP_ID long before); reaching this is a caller bug, and a silently wrong length
 * would corrupt the topic, so stop loudly.
 */
static void put_str(sl_buf_t *b, const char *p, size_t n)
{
    if (n > GSTORE_STR_MAX) {
        fprintf(stderr, "group_store: string of %zu bytes exceeds the classic limit %d\n", n,
                GSTORE_STR_MAX);
        abort();
    }
    sl_buf_put_i16(b, (int16_t)n);
    sl_buf_put(b, p, n);
}

/* Non-nullable string: a null is written as "" (Kafka uses "" for absent metadata/types). */
static void put_kstr(sl_buf_t *b, sl_kstr_t s)
{
    put_str(b, s.p, s.len > 0 ? (size_t)s.len : 0);
}

static void put_nkstr(sl_buf_t *b, sl_kstr_t s)
{
    if (s.len < 0 || s.p == NULL) {
        sl_buf_put_i16(b, -1);
        return;
    }
    put_str(b, s.p, (size_t)s.len);
}

/* Non-nullable bytes: absent is written as empty. */
static void put_bytes(sl_buf_t *b, const uint8_t *p, int32_t n)
{
    if (n < 0 || p == NULL) n = 0;
    sl_buf_put_i32(b, n);
    sl_buf_put(b, p, (size_t)n);
}

void sl_gstore_offset_key(sl_buf_t *out, const char *group, const char *topic, int32_t partition)
{
    sl_buf_put_i16(out, GSTORE_KEY_OFFSET_V1);
    put_str(out, group, strlen(group));
    put_str(out, topic, strlen(topic));
    sl_buf_put_i32(out, partition);
}

void sl_gstore_group_key(sl_buf_t *out, const char *group)
{
    sl_buf_put_i16(out, GSTORE_KEY_GROUP);
    put_str(out, group, strlen(group));
}

void sl_gstore_offset_value(sl_buf_t *out, const sl_gstore_offset_t *v)
{
    if (v->expire_timestamp >= 0) {
        /* v1 is the only version that can carry the expiry; it has no leader epoch. */
        sl_buf_put_i16(out, GSTORE_OFFSET_VALUE_EXPIRE);
        sl_buf_put_i64(out, v->offset);
        put_kstr(out, v->metadata);
        sl_buf_put_i64(out, v->commit_timestamp);
        sl_buf_put_i64(out, v->expire_timestamp);
        return;
    }
    sl_buf_put_i16(out, GSTORE_OFFSET_VALUE_LATEST);
    sl_buf_put_i64(out, v->offset);
    sl_buf_put_i32(out, v->leader_epoch);
    put_kstr(out, v->metadata);
    sl_buf_put_i64(out, v->commit_timestamp);
}

void sl_gstore_group_value(sl_buf_t *out, const sl_gstore_group_t *g)
{
    sl_buf_put_i16(out, GSTORE_GROUP_VALUE_LATEST);
    put_kstr(out, g->protocol_type);
    sl_buf_put_i32(out, g->generation);
    put_nkstr(out, g->protocol);
    put_nkstr(out, g->leader);
    sl_buf_put_i64(out, g->state_timestamp);
    int32_t n = g->nmembers > 0 ? g->nmembers : 0;
    sl_buf_put_i32(out, n);
    for (int32_t i = 0; i < n; i++) {
        const sl_gstore_member_t *m = &g->members[i];
        put_kstr(out, m->member_id);
        put_nkstr(out, m->instance_id);
        put_kstr(out, m->client_id);
        put_kstr(out, m->client_host);
        sl_buf_put_i32(out, m->rebalance_timeout);
        sl_buf_put_i32(out, m->session_timeout);
        put_bytes(out, m->subscription, m->subscription_len);
        put_bytes(out, m->assignment, m->assignment_len);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Readers. Every helper returns SL_OK or SL_CORRUPT so the decoders have one error exit.
 */

#define GS_RD(call)                                                                                \
    do {                                                                                           \
        if ((call) != SL_OK) goto err_parse;                                                       \
    } while (0)

static int rd_i16(sl_rd_t *r, int16_t *v)
{
    return sl_rd_i16(r, v) == SL_OK ? SL_OK : SL_CORRUPT;
}

static int rd_i32(sl_rd_t *r, int32_t *v)
{
    return sl_rd_i32(r, v) == SL_OK ? SL_OK : SL_CORRUPT;
}

static int rd_i64(sl_rd_t *r, int64_t *v)
{
    return sl_rd_i64(r, v) == SL_OK ? SL_OK : SL_CORRUPT;
}

/* Classic string; -1 is null (only when nullable), any other negative length is corrupt. */
static int rd_str_(sl_rd_t *r, sl_kstr_t *s, int nullable)
{
    sl_rd_t save = *r;
    int16_t len;
    const uint8_t *p;
    if (sl_rd_i16(r, &len) != SL_OK) goto bad;
    if (len < 0) {
        if (!nullable || len != -1) goto bad;
        s->p = NULL;
        s->len = -1;
        return SL_OK;
    }
    if (sl_rd_bytes(r, (size_t)len, &p) != SL_OK) goto bad;
    s->p = (const char *)p;
    s->len = len;
    return SL_OK;
bad:
    *r = save;
    return SL_CORRUPT;
}

static int rd_str(sl_rd_t *r, sl_kstr_t *s)
{
    return rd_str_(r, s, 0);
}

static int rd_nstr(sl_rd_t *r, sl_kstr_t *s)
{
    return rd_str_(r, s, 1);
}

/* Non-nullable bytes with an i32 length. */
static int rd_bytes(sl_rd_t *r, const uint8_t **p, int32_t *len)
{
    sl_rd_t save = *r;
    int32_t n;
    if (sl_rd_i32(r, &n) != SL_OK || n < 0) goto bad;
    if (sl_rd_bytes(r, (size_t)n, p) != SL_OK) goto bad;
    *len = n;
    return SL_OK;
bad:
    *r = save;
    return SL_CORRUPT;
}

int sl_gstore_decode_key(const uint8_t *p, size_t n, sl_gstore_key_t *out)
{
    sl_rd_t r;
    sl_gstore_key_t k;
    int16_t version;
    sl_rd_init(&r, p, n);
    memset(&k, 0, sizeof k);
    GS_RD(rd_i16(&r, &version));
    switch (version) {
    case GSTORE_KEY_OFFSET_V0:
    case GSTORE_KEY_OFFSET_V1:
        k.kind = SL_GSTORE_OFFSET;
        GS_RD(rd_str(&r, &k.group));
        GS_RD(rd_str(&r, &k.topic));
        GS_RD(rd_i32(&r, &k.partition));
        break;
    case GSTORE_KEY_GROUP:
        k.kind = SL_GSTORE_GROUP;
        GS_RD(rd_str(&r, &k.group));
        k.topic.p = NULL;
        k.topic.len = -1;
        k.partition = -1;
        break;
    default:
        /* Newer Kafka stores other record types (consumer-protocol groups, share groups) in
         * the same topic under higher key versions. Not corrupt, just not ours to read. */
        return SL_UNSUPP;
    }
    if (sl_rd_left(&r) != 0) goto err_parse;
    *out = k;
    return SL_OK;
err_parse:
    return SL_CORRUPT;
}

int sl_gstore_decode_offset(const uint8_t *p, size_t n, sl_gstore_offset_t *out)
{
    sl_rd_t r;
    sl_gstore_offset_t v;
    int16_t version;
    sl_rd_init(&r, p, n);
    GS_RD(rd_i16(&r, &version));
    if (version < 0 || version > GSTORE_VALUE_MAX_VERSION) return SL_UNSUPP;
    v.leader_epoch = -1;
    v.expire_timestamp = -1;
    GS_RD(rd_i64(&r, &v.offset));
    if (version >= 3) GS_RD(rd_i32(&r, &v.leader_epoch));
    GS_RD(rd_str(&r, &v.metadata));
    GS_RD(rd_i64(&r, &v.commit_timestamp));
    if (version == GSTORE_OFFSET_VALUE_EXPIRE) GS_RD(rd_i64(&r, &v.expire_timestamp));
    if (sl_rd_left(&r) != 0) goto err_parse;
    *out = v;
    return SL_OK;
err_parse:
    return SL_CORRUPT;
}

/* Smallest encoding of one member in a given value version: empty strings, empty bytes. */
static size_t member_min_size(int version)
{
    size_t sz = 2 + 2 + 2 + 4 + 4 + 4; /* member_id, client_id, client_host, session, 2x bytes */
    if (version >= 1) sz += 4;         /* rebalance_timeout */
    if (version >= 3) sz += 2;         /* group_instance_id (null) */
    return sz;
}

int sl_gstore_decode_group(const uint8_t *p, size_t n, sl_gstore_group_t *out)
{
    sl_rd_t r;
    sl_gstore_group_t g;
    int16_t version;
    sl_rd_init(&r, p, n);
    memset(&g, 0, sizeof g);
    GS_RD(rd_i16(&r, &version));
    if (version < 0 || version > GSTORE_VALUE_MAX_VERSION) return SL_UNSUPP;
    GS_RD(rd_str(&r, &g.protocol_type));
    GS_RD(rd_i32(&r, &g.generation));
    GS_RD(rd_nstr(&r, &g.protocol));
    GS_RD(rd_nstr(&r, &g.leader));
    g.state_timestamp = -1;
    if (version >= 2) GS_RD(rd_i64(&r, &g.state_timestamp));
    GS_RD(rd_i32(&r, &g.nmembers));
    /* The array is not nullable; a count the remaining bytes cannot hold is a lie. */
    if (g.nmembers < 0 || (size_t)g.nmembers > sl_rd_left(&r) / member_min_size(version))
        goto err_parse;
    if (g.nmembers > 0) {
        g.members = calloc((size_t)g.nmembers, sizeof *g.members);
        if (!g.members) return SL_NOMEM;
    }
    for (int32_t i = 0; i < g.nmembers; i++) {
        sl_gstore_member_t *m = &g.members[i];
        GS_RD(rd_str(&r, &m->member_id));
        m->instance_id.p = NULL;
        m->instance_id.len = -1;
        if (version >= 3) GS_RD(rd_nstr(&r, &m->instance_id));
        GS_RD(rd_str(&r, &m->client_id));
        GS_RD(rd_str(&r, &m->client_host));
        if (version >= 1) GS_RD(rd_i32(&r, &m->rebalance_timeout));
        GS_RD(rd_i32(&r, &m->session_timeout));
        /* v0 had one timeout for both; Kafka's loader uses it as the rebalance timeout too. */
        if (version == 0) m->rebalance_timeout = m->session_timeout;
        GS_RD(rd_bytes(&r, &m->subscription, &m->subscription_len));
        GS_RD(rd_bytes(&r, &m->assignment, &m->assignment_len));
    }
    if (sl_rd_left(&r) != 0) goto err_parse;
    *out = g;
    return SL_OK;
err_parse:
    free(g.members);
    return SL_CORRUPT;
}

/* ---------------------------------------------------------------------------------------------
 * Partition of a group: Utils.abs(groupId.hashCode()) % partitions.
 *
 * Kafka hashes the Java String it decoded from the group id's UTF-8 bytes, so the hash runs
 * over UTF-16 code units: code points above U+FFFF count as a surrogate pair. Malformed UTF-8
 * becomes U+FFFD the way the JDK's decoder (new String(bytes, UTF_8)) does it: one U+FFFD per
 * maximal ill-formed subsequence, except that a well-formed-looking 3-byte encoding of a
 * surrogate (ED A0..BF xx) is one U+FFFD for all three bytes.
 *
 * Kafka's Utils.abs is (n == Integer.MIN_VALUE) ? 0 : Math.abs(n) — not n & 0x7fffffff (that is
 * Utils.toPositive, used by the producer's partitioner); the two differ for negative hashes.
 */

#define GSTORE_REPLACEMENT 0xFFFDu

/* Decodes one code point from s[0..n), n >= 1. Returns the bytes consumed (>= 1). */
static size_t utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
    uint8_t b = s[0];
    size_t need;
    uint32_t c;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the next continuation byte */

    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        need = 1;
        c = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2;
        c = b & 0x0Fu;
        if (b == 0xE0) lo = 0xA0; /* overlong below U+0800 */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3;
        c = b & 0x07u;
        if (b == 0xF0) lo = 0x90; /* overlong below U+10000 */
        if (b == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
        *cp = GSTORE_REPLACEMENT; /* stray continuation, C0/C1, F5..FF */
        return 1;
    }
    size_t i;
    for (i = 1; i <= need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            /* Maximal ill-formed subpart: the bytes so far are replaced, s[i] starts anew. */
            *cp = GSTORE_REPLACEMENT;
            return i;
        }
        c = (c << 6) | (s[i] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    if (c >= 0xD800 && c <= 0xDFFF) c = GSTORE_REPLACEMENT;
    *cp = c;
    return need + 1;
}

int32_t sl_gstore_partition_for(const char *group, size_t len, int32_t partitions)
{
    if (partitions <= 0) return SL_INVAL;
    const uint8_t *s = (const uint8_t *)group;
    uint32_t h = 0; /* Java int arithmetic: wraps modulo 2^32 */
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        i += utf8_next(s + i, len - i, &cp);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31u * h + (0xD800u + (cp >> 10));
            h = 31u * h + (0xDC00u + (cp & 0x3FFu));
        } else {
            h = 31u * h + cp;
        }
    }
    uint32_t a;
    if (h == 0x80000000u)
        a = 0; /* Math.abs(MIN_VALUE) is negative; Kafka's Utils.abs maps it to 0 */
    else if (h & 0x80000000u)
        a = 0u - h;
    else
        a = h;
    return (int32_t)(a % (uint32_t)partitions);
}
