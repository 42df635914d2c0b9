/*
 * test_group_store.c — unit tests for broker/group_store: the __consumer_offsets record layouts
 * (byte-exact against Kafka's OffsetCommitKey/Value and GroupMetadataKey/Value definitions,
 * expected bytes written out by hand), decoding of older value versions, rejection of every
 * truncation and of trailing bytes, and the group -> partition mapping (expected values taken
 * from Java's String.hashCode on JDK 17 and Kafka's Utils.abs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "broker/group_store.h"
#include "common/buf.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Helpers
 */

static sl_kstr_t ks(const char *s)
{
    sl_kstr_t k = {s, s ? (int32_t)strlen(s) : -1};
    return k;
}

static void assert_kstr(sl_kstr_t got, const char *want)
{
    if (!want) {
        assert_int_equal(got.len, -1);
        return;
    }
    assert_int_equal(got.len, (int32_t)strlen(want));
    if (got.len) assert_memory_equal(got.p, want, (size_t)got.len);
}

enum which { DEC_KEY, DEC_OFFSET, DEC_GROUP };

/* Decodes an exact-size heap copy, so ASan flags any read past n. */
static int decode_copy(enum which w, const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    if (n) memcpy(c, p, n);
    int rc;
    if (w == DEC_KEY) {
        sl_gstore_key_t k;
        rc = sl_gstore_decode_key(c, n, &k);
    } else if (w == DEC_OFFSET) {
        sl_gstore_offset_t o;
        rc = sl_gstore_decode_offset(c, n, &o);
    } else {
        sl_gstore_group_t g;
        memset(&g, 0, sizeof g);
        rc = sl_gstore_decode_group(c, n, &g);
        if (rc == SL_OK) free(g.members);
    }
    free(c);
    return rc;
}

/* Every proper prefix is SL_CORRUPT, the whole is SL_OK, one extra byte is SL_CORRUPT. */
static void assert_strict(enum which w, const uint8_t *p, size_t n)
{
    for (size_t k = 0; k < n; k++)
        assert_int_equal(decode_copy(w, p, k), SL_CORRUPT);
    assert_int_equal(decode_copy(w, p, n), SL_OK);
    uint8_t *longer = malloc(n + 1);
    assert_non_null(longer);
    memcpy(longer, p, n);
    longer[n] = 0;
    assert_int_equal(decode_copy(w, longer, n + 1), SL_CORRUPT);
    free(longer);
}

/* ---------------------------------------------------------------------------------------------
 * Hand-written encodings (OffsetCommitKey v1, OffsetCommitValue v3/v1/v0/v2, GroupMetadataKey
 * v2, GroupMetadataValue v3/v0/v1/v2).
 */

/* key v1: group "g1", topic "t", partition 5 */
static const uint8_t OFFSET_KEY[] = {
    0x00, 0x01,             /* key version 1 */
    0x00, 0x02, 'g',  '1',  /* group */
    0x00, 0x01, 't',        /* topic */
    0x00, 0x00, 0x00, 0x05, /* partition */
};

/* value v3: offset 100, leader epoch 7, metadata "md", commit 1700000000000 */
static const uint8_t OFFSET_V3[] = {
    0x00, 0x03,                                     /* version 3 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, /* offset 100 */
    0x00, 0x00, 0x00, 0x07,                         /* leader epoch 7 */
    0x00, 0x02, 'm',  'd',                          /* metadata */
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, /* commit timestamp */
};

/* value v1: offset 100, metadata "", commit 1000, expire 2000 */
static const uint8_t OFFSET_V1[] = {
    0x00, 0x01,                                     /* version 1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, /* offset 100 */
    0x00, 0x00,                                     /* metadata "" */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /* commit timestamp 1000 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0xd0, /* expire timestamp 2000 */
};

/* value v0: offset 42, metadata "x", timestamp 1000 */
static const uint8_t OFFSET_V0[] = {
    0x00, 0x00,                                     /* version 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /* offset 42 */
    0x00, 0x01, 'x',                                /* metadata */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /* timestamp 1000 */
};

/* value v2: offset -1 (all ones), metadata "", commit 2000 */
static const uint8_t OFFSET_V2[] = {
    0x00, 0x02,                                     /* version 2 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* offset -1 */
    0x00, 0x00,                                     /* metadata "" */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0xd0, /* commit timestamp 2000 */
};

/* group key v2: "grp" */
static const uint8_t GROUP_KEY[] = {0x00, 0x02, 0x00, 0x03, 'g', 'r', 'p'};

/* group value v3: consumer / gen 2 / range / leader m1 / ts 1000 / two members */
static const uint8_t GROUP_V3[] = {
    0x00, 0x03,                                         /* version 3 */
    0x00, 0x08, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r', /* protocol type */
    0x00, 0x00, 0x00, 0x02,                             /* generation 2 */
    0x00, 0x05, 'r', 'a', 'n', 'g', 'e',                /* protocol */
    0x00, 0x02, 'm', '1',                               /* leader */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,     /* current state timestamp */
    0x00, 0x00, 0x00, 0x02,                             /* 2 members */
    /* member 1 */
    0x00, 0x02, 'm', '1',                                         /* member id */
    0x00, 0x02, 'i', '1',                                         /* group instance id */
    0x00, 0x02, 'c', '1',                                         /* client id */
    0x00, 0x0a, '/', '1', '2', '7', '.', '0', '.', '0', '.', '1', /* client host */
    0x00, 0x04, 0x93, 0xe0,                                       /* rebalance 300000 */
    0x00, 0x00, 0xaf, 0xc8,                                       /* session 45000 */
    0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03,                     /* subscription */
    0x00, 0x00, 0x00, 0x02, 0x0a, 0x0b,                           /* assignment */
    /* member 2 */
    0x00, 0x02, 'm', '2',                                         /* member id */
    0xff, 0xff,                                                   /* group instance id null */
    0x00, 0x02, 'c', '2',                                         /* client id */
    0x00, 0x0a, '/', '1', '2', '7', '.', '0', '.', '0', '.', '1', /* client host */
    0x00, 0x04, 0x93, 0xe0,                                       /* rebalance 300000 */
    0x00, 0x00, 0xaf, 0xc8,                                       /* session 45000 */
    0x00, 0x00, 0x00, 0x00,                                       /* subscription empty */
    0x00, 0x00, 0x00, 0x00,                                       /* assignment empty */
};

/* group value v0: consumer / gen 1 / range / leader null / one member, session 10000 */
static const uint8_t GROUP_V0[] = {
    0x00, 0x00,                                            /* version 0 */
    0x00, 0x08, 'c',  'o',  'n',  's', 'u', 'm', 'e', 'r', /* protocol type */
    0x00, 0x00, 0x00, 0x01,                                /* generation 1 */
    0x00, 0x05, 'r',  'a',  'n',  'g', 'e',                /* protocol */
    0xff, 0xff,                                            /* leader null */
    0x00, 0x00, 0x00, 0x01,                                /* 1 member */
    0x00, 0x01, 'm',                                       /* member id */
    0x00, 0x01, 'c',                                       /* client id */
    0x00, 0x01, 'h',                                       /* client host */
    0x00, 0x00, 0x27, 0x10,                                /* session 10000 */
    0x00, 0x00, 0x00, 0x01, 0x55,                          /* subscription */
    0x00, 0x00, 0x00, 0x01, 0x66,                          /* assignment */
};

/* group value v1: like v0 plus rebalance timeout 20000 */
static const uint8_t GROUP_V1[] = {
    0x00, 0x01,                                            /* version 1 */
    0x00, 0x08, 'c',  'o',  'n',  's', 'u', 'm', 'e', 'r', /* protocol type */
    0x00, 0x00, 0x00, 0x01,                                /* generation 1 */
    0xff, 0xff,                                            /* protocol null */
    0x00, 0x01, 'm',                                       /* leader */
    0x00, 0x00, 0x00, 0x01,                                /* 1 member */
    0x00, 0x01, 'm',                                       /* member id */
    0x00, 0x01, 'c',                                       /* client id */
    0x00, 0x01, 'h',                                       /* client host */
    0x00, 0x00, 0x4e, 0x20,                                /* rebalance 20000 */
    0x00, 0x00, 0x27, 0x10,                                /* session 10000 */
    0x00, 0x00, 0x00, 0x00,                                /* subscription empty */
    0x00, 0x00, 0x00, 0x01, 0x66,                          /* assignment */
};

/* group value v2: empty group ("" type, gen 0, nulls), state timestamp 2000, no members */
static const uint8_t GROUP_V2[] = {
    0x00, 0x02,                                     /* version 2 */
    0x00, 0x00,                                     /* protocol type "" */
    0x00, 0x00, 0x00, 0x00,                         /* generation 0 */
    0xff, 0xff,                                     /* protocol null */
    0xff, 0xff,                                     /* leader null */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0xd0, /* current state timestamp 2000 */
    0x00, 0x00, 0x00, 0x00,                         /* 0 members */
};

/* ---------------------------------------------------------------------------------------------
 * Exact layouts of what Sluice writes
 */

static void test_offset_key_bytes(void **state)
{
    (void)state;
    sl_buf_t b;
    sl_buf_init(&b);
    sl_gstore_offset_key(&b, "g1", "t", 5);
    assert_int_equal(b.len, sizeof OFFSET_KEY);
    assert_memory_equal(b.data, OFFSET_KEY, sizeof OFFSET_KEY);
    sl_buf_free(&b);
}

static void test_offset_value_v3_bytes(void **state)
{
    (void)state;
    sl_gstore_offset_t v = {.offset = 100,
                            .leader_epoch = 7,
                            .metadata = ks("md"),
                            .commit_timestamp = 1700000000000LL,
                            .expire_timestamp = -1};
    sl_buf_t b;
    sl_buf_init(&b);
    sl_gstore_offset_value(&b, &v);
    assert_int_equal(b.len, sizeof OFFSET_V3);
    assert_memory_equal(b.data, OFFSET_V3, sizeof OFFSET_V3);
    sl_buf_free(&b);
}

static void test_offset_value_v1_bytes(void **state)
{
    (void)state;
    /* An expire timestamp forces v1, which has no leader epoch: the 9 must not appear. */
    sl_gstore_offset_t v = {.offset = 100,
                            .leader_epoch = 9,
                            .metadata = ks(""),
                            .commit_timestamp = 1000,
                            .expire_timestamp = 2000};
    sl_buf_t b;
    sl_buf_init(&b);
    sl_gstore_offset_value(&b, &v);
    assert_int_equal(b.len, sizeof OFFSET_V1);
    assert_memory_equal(b.data, OFFSET_V1, sizeof OFFSET_V1);
    /* A null metadata is written as "" (the field is not nullable). */
    v.metadata.p = NULL;
    v.metadata.len = -1;
    sl_buf_reset(&b);
    sl_gstore_offset_value(&b, &v);
    assert_int_equal(b.len, sizeof OFFSET_V1);
    assert_memory_equal(b.data, OFFSET_V1, sizeof OFFSET_V1);
    sl_buf_free(&b);
}

static void test_group_key_bytes(void **state)
{
    (void)state;
    sl_buf_t b;
    sl_buf_init(&b);
    sl_gstore_group_key(&b, "grp");
    assert_int_equal(b.len, sizeof GROUP_KEY);
    assert_memory_equal(b.data, GROUP_KEY, sizeof GROUP_KEY);
    sl_buf_free(&b);
}

static const uint8_t SUB1[] = {1, 2, 3};
static const uint8_t ASSIGN1[] = {0x0a, 0x0b};

static void fill_two_members(sl_gstore_member_t m[2])
{
    memset(m, 0, 2 * sizeof *m);
    m[0].member_id = ks("m1");
    m[0].instance_id = ks("i1");
    m[0].client_id = ks("c1");
    m[0].client_host = ks("/127.0.0.1");
    m[0].rebalance_timeout = 300000;
    m[0].session_timeout = 45000;
    m[0].subscription = SUB1;
    m[0].subscription_len = sizeof SUB1;
    m[0].assignment = ASSIGN1;
    m[0].assignment_len = sizeof ASSIGN1;
    m[1].member_id = ks("m2");
    m[1].instance_id = ks(NULL);
    m[1].client_id = ks("c2");
    m[1].client_host = ks("/127.0.0.1");
    m[1].rebalance_timeout = 300000;
    m[1].session_timeout = 45000;
    m[1].subscription = NULL;
    m[1].subscription_len = 0;
    m[1].assignment = NULL;
    m[1].assignment_len = -1; /* absent: written as empty bytes */
}

static void test_group_value_v3_bytes(void **state)
{
    (void)state;
    sl_gstore_member_t m[2];
    fill_two_members(m);
    sl_gstore_group_t g = {.protocol_type = ks("consumer"),
                           .generation = 2,
                           .protocol = ks("range"),
                           .leader = ks("m1"),
                           .state_timestamp = 1000,
                           .nmembers = 2,
                           .members = m};
    sl_buf_t b;
    sl_buf_init(&b);
    sl_gstore_group_value(&b, &g);
    assert_int_equal(b.len, sizeof GROUP_V3);
    assert_memory_equal(b.data, GROUP_V3, sizeof GROUP_V3);
    sl_buf_free(&b);
}

/* ---------------------------------------------------------------------------------------------
 * Decoding
 */

static void test_decode_keys(void **state)
{
    (void)state;
    sl_gstore_key_t k;
    assert_int_equal(sl_gstore_decode_key(OFFSET_KEY, sizeof OFFSET_KEY, &k), SL_OK);
    assert_int_equal(k.kind, SL_GSTORE_OFFSET);
    assert_kstr(k.group, "g1");
    assert_kstr(k.topic, "t");
    assert_int_equal(k.partition, 5);
    /* The strings are borrowed from the input. */
    assert_ptr_equal(k.group.p, (const char *)OFFSET_KEY + 4);

    /* Key version 0 is an offset key too (written by Kafka before 0.10). */
    uint8_t v0[sizeof OFFSET_KEY];
    memcpy(v0, OFFSET_KEY, sizeof v0);
    v0[1] = 0;
    memset(&k, 0, sizeof k);
    assert_int_equal(sl_gstore_decode_key(v0, sizeof v0, &k), SL_OK);
    assert_int_equal(k.kind, SL_GSTORE_OFFSET);
    assert_int_equal(k.partition, 5);

    assert_int_equal(sl_gstore_decode_key(GROUP_KEY, sizeof GROUP_KEY, &k), SL_OK);
    assert_int_equal(k.kind, SL_GSTORE_GROUP);
    assert_kstr(k.group, "grp");
}

static void test_decode_unknown_key_versions(void **state)
{
    (void)state;
    sl_gstore_key_t k = {.kind = 77};
    /* Key version 3 is a ConsumerGroupMetadata key in newer Kafka; -1 is nothing at all. */
    const uint8_t v3[] = {0x00, 0x03, 0x00, 0x01, 'g'};
    const uint8_t vneg[] = {0xff, 0xff, 0x00, 0x01, 'g'};
    const uint8_t v2_but_offset_shaped[] = {0x00, 0x02, 0x00, 0x01, 'g', 0x00, 0x01, 't'};
    assert_int_equal(sl_gstore_decode_key(v3, sizeof v3, &k), SL_UNSUPP);
    assert_int_equal(sl_gstore_decode_key(vneg, sizeof vneg, &k), SL_UNSUPP);
    assert_int_equal(k.kind, 77); /* untouched on failure */
    assert_int_equal(sl_gstore_decode_key(v2_but_offset_shaped, sizeof v2_but_offset_shaped, &k),
                     SL_CORRUPT);
}

static void test_decode_offset_v3_v1(void **state)
{
    (void)state;
    sl_gstore_offset_t v;
    assert_int_equal(sl_gstore_decode_offset(OFFSET_V3, sizeof OFFSET_V3, &v), SL_OK);
    assert_true(v.offset == 100);
    assert_int_equal(v.leader_epoch, 7);
    assert_kstr(v.metadata, "md");
    assert_true(v.commit_timestamp == 1700000000000LL);
    assert_true(v.expire_timestamp == -1);

    assert_int_equal(sl_gstore_decode_offset(OFFSET_V1, sizeof OFFSET_V1, &v), SL_OK);
    assert_true(v.offset == 100);
    assert_int_equal(v.leader_epoch, -1);
    assert_kstr(v.metadata, "");
    assert_true(v.commit_timestamp == 1000);
    assert_true(v.expire_timestamp == 2000);
}

static void test_decode_offset_old_versions(void **state)
{
    (void)state;
    sl_gstore_offset_t v;
    assert_int_equal(sl_gstore_decode_offset(OFFSET_V0, sizeof OFFSET_V0, &v), SL_OK);
    assert_true(v.offset == 42);
    assert_int_equal(v.leader_epoch, -1);
    assert_kstr(v.metadata, "x");
    assert_true(v.commit_timestamp == 1000);
    assert_true(v.expire_timestamp == -1);

    assert_int_equal(sl_gstore_decode_offset(OFFSET_V2, sizeof OFFSET_V2, &v), SL_OK);
    assert_true(v.offset == -1);
    assert_int_equal(v.leader_epoch, -1);
    assert_kstr(v.metadata, "");
    assert_true(v.commit_timestamp == 2000);
    assert_true(v.expire_timestamp == -1);
}

static void test_decode_offset_rejects(void **state)
{
    (void)state;
    sl_gstore_offset_t v = {.offset = 5};
    /* Version 4 is Kafka's flexible form: not understood, not corrupt. */
    uint8_t v4[sizeof OFFSET_V3];
    memcpy(v4, OFFSET_V3, sizeof v4);
    v4[1] = 4;
    assert_int_equal(sl_gstore_decode_offset(v4, sizeof v4, &v), SL_UNSUPP);
    /* Null metadata: the field is not nullable. */
    const uint8_t null_md[] = {0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 1,
                               0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1};
    assert_int_equal(sl_gstore_decode_offset(null_md, sizeof null_md, &v), SL_CORRUPT);
    /* Metadata length running past the end. */
    const uint8_t long_md[] = {0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 0xff, 'a', 'b'};
    assert_int_equal(sl_gstore_decode_offset(long_md, sizeof long_md, &v), SL_CORRUPT);
    assert_true(v.offset == 5); /* untouched on failure */
}

static void test_decode_group_v3(void **state)
{
    (void)state;
    sl_gstore_group_t g;
    assert_int_equal(sl_gstore_decode_group(GROUP_V3, sizeof GROUP_V3, &g), SL_OK);
    assert_kstr(g.protocol_type, "consumer");
    assert_int_equal(g.generation, 2);
    assert_kstr(g.protocol, "range");
    assert_kstr(g.leader, "m1");
    assert_true(g.state_timestamp == 1000);
    assert_int_equal(g.nmembers, 2);
    assert_non_null(g.members);
    const sl_gstore_member_t *m = g.members;
    assert_kstr(m[0].member_id, "m1");
    assert_kstr(m[0].instance_id, "i1");
    assert_kstr(m[0].client_id, "c1");
    assert_kstr(m[0].client_host, "/127.0.0.1");
    assert_int_equal(m[0].rebalance_timeout, 300000);
    assert_int_equal(m[0].session_timeout, 45000);
    assert_int_equal(m[0].subscription_len, 3);
    assert_memory_equal(m[0].subscription, SUB1, 3);
    assert_int_equal(m[0].assignment_len, 2);
    assert_memory_equal(m[0].assignment, ASSIGN1, 2);
    assert_kstr(m[1].member_id, "m2");
    assert_kstr(m[1].instance_id, NULL);
    assert_kstr(m[1].client_id, "c2");
    assert_int_equal(m[1].subscription_len, 0);
    assert_int_equal(m[1].assignment_len, 0);
    free(g.members);
}

static void test_decode_group_old_versions(void **state)
{
    (void)state;
    sl_gstore_group_t g;

    assert_int_equal(sl_gstore_decode_group(GROUP_V0, sizeof GROUP_V0, &g), SL_OK);
    assert_kstr(g.protocol_type, "consumer");
    assert_int_equal(g.generation, 1);
    assert_kstr(g.protocol, "range");
    assert_kstr(g.leader, NULL);
    assert_true(g.state_timestamp == -1);
    assert_int_equal(g.nmembers, 1);
    assert_kstr(g.members[0].member_id, "m");
    assert_kstr(g.members[0].instance_id, NULL);
    assert_kstr(g.members[0].client_id, "c");
    assert_kstr(g.members[0].client_host, "h");
    assert_int_equal(g.members[0].session_timeout, 10000);
    assert_int_equal(g.members[0].rebalance_timeout, 10000); /* v0: = session timeout */
    assert_int_equal(g.members[0].subscription_len, 1);
    assert_int_equal(g.members[0].subscription[0], 0x55);
    assert_int_equal(g.members[0].assignment_len, 1);
    assert_int_equal(g.members[0].assignment[0], 0x66);
    free(g.members);

    assert_int_equal(sl_gstore_decode_group(GROUP_V1, sizeof GROUP_V1, &g), SL_OK);
    assert_kstr(g.protocol, NULL);
    assert_kstr(g.leader, "m");
    assert_true(g.state_timestamp == -1);
    assert_int_equal(g.nmembers, 1);
    assert_kstr(g.members[0].instance_id, NULL);
    assert_int_equal(g.members[0].rebalance_timeout, 20000);
    assert_int_equal(g.members[0].session_timeout, 10000);
    assert_int_equal(g.members[0].subscription_len, 0);
    assert_int_equal(g.members[0].assignment_len, 1);
    free(g.members);

    assert_int_equal(sl_gstore_decode_group(GROUP_V2, sizeof GROUP_V2, &g), SL_OK);
    assert_kstr(g.protocol_type, "");
    assert_int_equal(g.generation, 0);
    assert_kstr(g.protocol, NULL);
    assert_kstr(g.leader, NULL);
    assert_true(g.state_timestamp == 2000);
    assert_int_equal(g.nmembers, 0);
    assert_null(g.members);
}

static void test_decode_group_rejects(void **state)
{
    (void)state;
    sl_gstore_group_t g;
    memset(&g, 0, sizeof g);
    g.generation = 99;
    /* A member count far beyond the bytes left must fail before allocating. */
    uint8_t lying[sizeof GROUP_V2];
    memcpy(lying, GROUP_V2, sizeof lying);
    lying[sizeof lying - 4] = 0x7f;
    lying[sizeof lying - 1] = 0xff;
    assert_int_equal(sl_gstore_decode_group(lying, sizeof lying, &g), SL_CORRUPT);
    /* Null member array (-1): not nullable. */
    memset(lying + sizeof lying - 4, 0xff, 4);
    assert_int_equal(sl_gstore_decode_group(lying, sizeof lying, &g), SL_CORRUPT);
    /* Null protocol type. */
    uint8_t null_type[sizeof GROUP_V2];
    memcpy(null_type, GROUP_V2, sizeof null_type);
    null_type[2] = 0xff;
    null_type[3] = 0xff;
    assert_int_equal(sl_gstore_decode_group(null_type, sizeof null_type, &g), SL_CORRUPT);
    /* Null bytes in a member: the last member's assignment length set to -1. */
    uint8_t *null_assign = malloc(sizeof GROUP_V3);
    assert_non_null(null_assign);
    memcpy(null_assign, GROUP_V3, sizeof GROUP_V3);
    memset(null_assign + sizeof GROUP_V3 - 4, 0xff, 4);
    assert_int_equal(sl_gstore_decode_group(null_assign, sizeof GROUP_V3, &g), SL_CORRUPT);
    free(null_assign);
    /* Unknown value version. */
    uint8_t v4[sizeof GROUP_V2];
    memcpy(v4, GROUP_V2, sizeof v4);
    v4[1] = 4;
    assert_int_equal(sl_gstore_decode_group(v4, sizeof v4, &g), SL_UNSUPP);
    assert_int_equal(g.generation, 99); /* untouched on failure */
    assert_null(g.members);
}

static void test_truncations_and_trailing_bytes(void **state)
{
    (void)state;
    assert_strict(DEC_KEY, OFFSET_KEY, sizeof OFFSET_KEY);
    assert_strict(DEC_KEY, GROUP_KEY, sizeof GROUP_KEY);
    assert_strict(DEC_OFFSET, OFFSET_V3, sizeof OFFSET_V3);
    assert_strict(DEC_OFFSET, OFFSET_V1, sizeof OFFSET_V1);
    assert_strict(DEC_OFFSET, OFFSET_V0, sizeof OFFSET_V0);
    assert_strict(DEC_OFFSET, OFFSET_V2, sizeof OFFSET_V2);
    assert_strict(DEC_GROUP, GROUP_V3, sizeof GROUP_V3);
    assert_strict(DEC_GROUP, GROUP_V0, sizeof GROUP_V0);
    assert_strict(DEC_GROUP, GROUP_V1, sizeof GROUP_V1);
    assert_strict(DEC_GROUP, GROUP_V2, sizeof GROUP_V2);
}

/* ---------------------------------------------------------------------------------------------
 * Round trips through the encoders
 */

static void test_round_trip_offsets(void **state)
{
    (void)state;
    sl_buf_t b;
    sl_buf_init(&b);
    sl_gstore_key_t k;
    sl_gstore_offset_key(&b, "group-with-a-longer-name", "orders.v2", 2147483647);
    assert_int_equal(sl_gstore_decode_key(b.data, b.len, &k), SL_OK);
    assert_int_equal(k.kind, SL_GSTORE_OFFSET);
    assert_kstr(k.group, "group-with-a-longer-name");
    assert_kstr(k.topic, "orders.v2");
    assert_int_equal(k.partition, 2147483647);

    const sl_gstore_offset_t cases[] = {
        {.offset = 0,
         .leader_epoch = -1,
         .metadata = {"", 0},
         .commit_timestamp = 0,
         .expire_timestamp = -1},
        {.offset = INT64_MAX,
         .leader_epoch = 123456,
         .metadata = {"some client metadata", 20},
         .commit_timestamp = 1700000000123LL,
         .expire_timestamp = -1},
        {.offset = 17,
         .leader_epoch = -1,
         .metadata = {"m", 1},
         .commit_timestamp = 5,
         .expire_timestamp = 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sl_gstore_offset_t v;
        sl_buf_reset(&b);
        sl_gstore_offset_value(&b, &cases[i]);
        assert_int_equal(b.data[1], cases[i].expire_timestamp >= 0 ? 1 : 3);
        assert_int_equal(sl_gstore_decode_offset(b.data, b.len, &v), SL_OK);
        assert_true(v.offset == cases[i].offset);
        /* v1 cannot carry the leader epoch; it comes back as unknown. */
        assert_int_equal(v.leader_epoch,
                         cases[i].expire_timestamp >= 0 ? -1 : cases[i].leader_epoch);
        assert_int_equal(v.metadata.len, cases[i].metadata.len);
        assert_memory_equal(v.metadata.p, cases[i].metadata.p, (size_t)v.metadata.len);
        assert_true(v.commit_timestamp == cases[i].commit_timestamp);
        assert_true(v.expire_timestamp == cases[i].expire_timestamp);
    }
    sl_buf_free(&b);
}

static void test_round_trip_groups(void **state)
{
    (void)state;
    sl_buf_t b;
    sl_buf_init(&b);
    sl_gstore_key_t k;
    sl_gstore_group_key(&b, "");
    assert_int_equal(sl_gstore_decode_key(b.data, b.len, &k), SL_OK);
    assert_int_equal(k.kind, SL_GSTORE_GROUP);
    assert_kstr(k.group, "");

    /* Empty group as Kafka writes it: "" type, generation 0, null protocol and leader. */
    sl_gstore_group_t empty = {.protocol_type = ks(""),
                               .generation = 0,
                               .protocol = ks(NULL),
                               .leader = ks(NULL),
                               .state_timestamp = -1,
                               .nmembers = 0,
                               .members = NULL};
    sl_gstore_group_t g;
    sl_buf_reset(&b);
    sl_gstore_group_value(&b, &empty);
    assert_int_equal(sl_gstore_decode_group(b.data, b.len, &g), SL_OK);
    assert_kstr(g.protocol_type, "");
    assert_kstr(g.protocol, NULL);
    assert_kstr(g.leader, NULL);
    assert_true(g.state_timestamp == -1);
    assert_int_equal(g.nmembers, 0);
    assert_null(g.members);

    /* Many members with distinct payloads. */
    enum { N = 40 };
    sl_gstore_member_t ms[N];
    char ids[N][16];
    uint8_t payload[N][8];
    memset(ms, 0, sizeof ms);
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "member-%d", i);
        memset(payload[i], i, sizeof payload[i]);
        ms[i].member_id = ks(ids[i]);
        ms[i].instance_id = (i % 2) ? ks(ids[i]) : ks(NULL);
        ms[i].client_id = ks("rdkafka");
        ms[i].client_host = ks("/10.0.0.1");
        ms[i].rebalance_timeout = 1000 + i;
        ms[i].session_timeout = 2000 + i;
        ms[i].subscription = payload[i];
        ms[i].subscription_len = i % 9;
        ms[i].assignment = payload[i];
        ms[i].assignment_len = 8 - (i % 9 == 8 ? 8 : i % 9);
    }
    sl_gstore_group_t full = {.protocol_type = ks("consumer"),
                              .generation = 123,
                              .protocol = ks("cooperative-sticky"),
                              .leader = ks(ids[3]),
                              .state_timestamp = 1700000000000LL,
                              .nmembers = N,
                              .members = ms};
    sl_buf_reset(&b);
    sl_gstore_group_value(&b, &full);
    assert_int_equal(sl_gstore_decode_group(b.data, b.len, &g), SL_OK);
    assert_int_equal(g.generation, 123);
    assert_kstr(g.protocol, "cooperative-sticky");
    assert_kstr(g.leader, ids[3]);
    assert_true(g.state_timestamp == 1700000000000LL);
    assert_int_equal(g.nmembers, N);
    for (int i = 0; i < N; i++) {
        const sl_gstore_member_t *m = &g.members[i];
        assert_kstr(m->member_id, ids[i]);
        assert_kstr(m->instance_id, (i % 2) ? ids[i] : NULL);
        assert_kstr(m->client_id, "rdkafka");
        assert_kstr(m->client_host, "/10.0.0.1");
        assert_int_equal(m->rebalance_timeout, 1000 + i);
        assert_int_equal(m->session_timeout, 2000 + i);
        assert_int_equal(m->subscription_len, ms[i].subscription_len);
        if (m->subscription_len)
            assert_memory_equal(m->subscription, payload[i], (size_t)m->subscription_len);
        assert_int_equal(m->assignment_len, ms[i].assignment_len);
        if (m->assignment_len)
            assert_memory_equal(m->assignment, payload[i], (size_t)m->assignment_len);
    }
    free(g.members);
    sl_buf_free(&b);
}

/* ---------------------------------------------------------------------------------------------
 * Partition of a group. Expected hashes: JDK 17 new String(bytes, UTF_8).hashCode().
 */

static int32_t pf(const char *s, int32_t parts)
{
    return sl_gstore_partition_for(s, strlen(s), parts);
}

static void test_partition_for(void **state)
{
    (void)state;
    const int32_t all = INT32_MAX; /* % INT32_MAX leaves |hash| itself for these inputs */
    assert_int_equal(pf("hello", all), 99162322);
    assert_int_equal(pf("hello", 50), 22);
    assert_int_equal(pf("", 50), 0);
    assert_int_equal(pf("consumer-group-1", all), 147483020);
    assert_int_equal(pf("consumer-group-1", 50), 20);
    /* Negative hash (-1906497762): Utils.abs gives 12; masking with 0x7fffffff would give 36. */
    assert_int_equal(pf("my-group", all), 1906497762);
    assert_int_equal(pf("my-group", 50), 12);
    /* Hash is Integer.MIN_VALUE: Utils.abs maps it to 0. */
    assert_int_equal(pf("polygenelubricants", 50), 0);
    assert_int_equal(pf("polygenelubricants", 7), 0);
    /* Non-ASCII: hashed over UTF-16 code units, not UTF-8 bytes. */
    assert_int_equal(pf("gr\xc3\xbc\xc3\x9f"
                        "e",
                        all),
                     98768023);                                    /* grüße */
    assert_int_equal(pf("\xe6\x97\xa5\xe6\x9c\xac", all), 835047); /* 日本 */
    assert_int_equal(pf("\xf0\x9f\x98\x80", all), 1772899);        /* U+1F600, a pair */
    assert_int_equal(pf("a\xf0\x9f\x98\x80"
                        "b",
                        50),
                     44); /* 57849694 % 50 */
    /* Malformed UTF-8 becomes U+FFFD as in the JDK's decoder. */
    assert_int_equal(pf("a\xff"
                        "b",
                        all),
                     2124838);
    assert_int_equal(pf("\xed\xa0\x80", all), 65533); /* encoded surrogate: one U+FFFD */
    assert_int_equal(pf("\xe2\x82", all), 65533);     /* truncated sequence: one U+FFFD */
    assert_int_equal(pf("\xe0\x80x", all), 65008856); /* overlong: two U+FFFD, then 'x' */
    /* Embedded NUL counts: length, not strlen, decides. */
    assert_int_equal(sl_gstore_partition_for("a\0b", 3, all), 93315); /* 97*961 + 0*31 + 98 */
    /* Nonsense partition counts. */
    assert_int_equal(sl_gstore_partition_for("x", 1, 0), SL_INVAL);
    assert_int_equal(sl_gstore_partition_for("x", 1, -5), SL_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offset_key_bytes),
        cmocka_unit_test(test_offset_value_v3_bytes),
        cmocka_unit_test(test_offset_value_v1_bytes),
        cmocka_unit_test(test_group_key_bytes),
        cmocka_unit_test(test_group_value_v3_bytes),
        cmocka_unit_test(test_decode_keys),
        cmocka_unit_test(test_decode_unknown_key_versions),
        cmocka_unit_test(test_decode_offset_v3_v1),
        cmocka_unit_test(test_decode_offset_old_versions),
        cmocka_unit_test(test_decode_offset_rejects),
        cmocka_unit_test(test_decode_group_v3),
        cmocka_unit_test(test_decode_group_old_versions),
        cmocka_unit_test(test_decode_group_rejects),
        cmocka_unit_test(test_truncations_and_trailing_bytes),
        cmocka_unit_test(test_round_trip_offsets),
        cmocka_unit_test(test_round_trip_groups),
        cmocka_unit_test(test_partition_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
