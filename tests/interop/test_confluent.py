#!/usr/bin/python3
"""test_confluent.py - librdkafka (python3-confluent-kafka 1.7.0) against a real sluice-server.

Checks: AdminClient create/list/describe/alter/create_partitions/delete; keyed produce with
every codec (none, gzip, snappy, lz4, zstd) into one 3-partition topic; consume with assign()
from earliest: every record exactly once, in order per partition, with key, value, CreateTime
timestamp and headers intact; same key -> same partition before and after a restart;
ListOffsets by timestamp (offsets_for_times); everything again after a SIGTERM restart.

Usage: /usr/bin/python3 test_confluent.py [BUILD_DIR | path/to/sluice-server]
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kwire  # noqa: E402

from confluent_kafka import (Producer, TopicPartition, KafkaException, KafkaError,  # noqa: E402
                             TIMESTAMP_CREATE_TIME)
from confluent_kafka.admin import (AdminClient, NewTopic, NewPartitions,  # noqa: E402
                                   ConfigResource)

ResourceType = ConfigResource.Type

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
CODEC_ID = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
TOPIC = "interop-ck"
NPART = 3
PER_CODEC = 300
KEYS = [("key-%02d" % i).encode() for i in range(30)]


def admin(bs):
    return AdminClient({"bootstrap.servers": bs, "socket.timeout.ms": 10000})


def wait_futures(fs, timeout=15):
    """{name: future} -> {name: None | exception}."""
    out = {}
    for k, f in fs.items():
        try:
            f.result(timeout=timeout)
            out[k] = None
        except Exception as e:  # noqa: BLE001
            out[k] = e
    return out


def kafka_code(exc):
    if isinstance(exc, KafkaException) and exc.args and isinstance(exc.args[0], KafkaError):
        return exc.args[0].code()
    return None


def produce(bs, records, codec, res, what):
    """records: list of dicts with key, value, ts, headers, partition(optional).
    Returns list of (record, partition, offset) for delivered ones; all must succeed."""
    conf = {"bootstrap.servers": bs, "acks": "all", "enable.idempotence": False,
            "compression.codec": codec, "linger.ms": 20, "batch.num.messages": 64,
            "message.timeout.ms": 20000}
    p = Producer(conf)
    done = []
    errors = []

    def cb(err, msg, rec):
        if err is not None:
            errors.append("%s: %s" % (rec["value"][:30], err))
        else:
            done.append((rec, msg.partition(), msg.offset(), msg.timestamp()))

    for rec in records:
        kw = {}
        if rec.get("partition") is not None:
            kw["partition"] = rec["partition"]
        while True:
            try:
                p.produce(TOPIC if "topic" not in rec else rec["topic"], key=rec["key"],
                          value=rec["value"], timestamp=rec["ts"], headers=rec["headers"],
                          on_delivery=lambda e, m, r=rec: cb(e, m, r), **kw)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    left = p.flush(30)
    res.check(left == 0 and not errors and len(done) == len(records),
              "%s: all %d records acknowledged" % (what, len(records)),
              "undelivered=%d errors=%s" % (left, errors[:5]))
    return done


def make_records(codec, n, t0, seq0):
    rng = random.Random(sum(codec.encode()))
    recs = []
    for i in range(n):
        key = KEYS[i % len(KEYS)]
        if i % 97 == 13:
            key = None                     # null key: partitioner picks any partition
        value = ("%s:%05d:" % (codec, i)).encode() + b"abcdefgh" * rng.randint(0, 40)
        if i % 89 == 7:
            value = None                   # tombstone
        headers = [("codec", codec.encode()), ("i", str(i).encode())] if i % 5 == 0 else None
        recs.append({"key": key, "value": value, "ts": t0 + (seq0 + i) * 10,
                     "headers": headers, "codec": codec})
    return recs


def norm_headers(h):
    return [(k, bytes(v) if v is not None else None) for k, v in (h or [])]


def verify_read(res, bs, expected, what):
    """expected: {partition: [(offset, key, value, ts, headers)]} in offset order."""
    got, errors = harness.ck_read_all(bs, TOPIC, list(range(NPART)), timeout=25)
    res.check(not errors, "%s: consumer saw no partition errors" % what, errors[:5])
    for p in range(NPART):
        want = expected.get(p, [])
        g = got.get(p, [])
        gs = [(o, k, v, ts, norm_headers(h)) for (o, k, v, ts, h) in g]
        if gs == want:
            res.check(True, "%s: partition %d: %d records, exactly once, in order, key/value/"
                      "timestamp/headers intact" % (what, p, len(want)))
            continue
        offs = [x[0] for x in gs]
        detail = "got %d records, expected %d" % (len(gs), len(want))
        if len(set(offs)) != len(offs):
            detail += "; duplicate offsets"
        for i, (a, b) in enumerate(zip(gs, want)):
            if a != b:
                detail += "; first difference at index %d:\n got  %r\n want %r" % (i, a, b)
                break
        res.fail("%s: partition %d content" % (what, p), detail)


def check_offsets_for_times(res, bs, expected, what):
    c = harness.ck_consumer(bs)
    try:
        all_ts = sorted(r[3][1] for recs in expected.values() for r in recs)
        targets = [all_ts[0] - 1000, all_ts[len(all_ts) // 3] + 1, all_ts[len(all_ts) // 2],
                   all_ts[-1], all_ts[-1] + 1]
        for t in targets:
            tps = [TopicPartition(TOPIC, p, t) for p in range(NPART)]
            try:
                out = c.offsets_for_times(tps, timeout=10)
            except KafkaException as e:
                res.fail("%s: offsets_for_times(%d)" % (what, t), e)
                continue
            got = {tp.partition: tp.offset for tp in out}
            want = {}
            for p in range(NPART):
                match = [r[0] for r in expected.get(p, []) if r[3][1] >= t]
                want[p] = match[0] if match else -1   # -1: no such record (OFFSET_END)
            errs = {tp.partition: str(tp.error) for tp in out if tp.error}
            res.check(got == want and not errs,
                      "%s: offsets_for_times(ts=%d) -> %s" % (what, t, want),
                      "got %s errors %s" % (got, errs))
    finally:
        c.close()


def check_segments(res, server):
    """DESIGN.md: batches are stored as they travel, compressed as the producer sent them.
    One check per codec: a batch with that codec must be on disk."""
    seen, bad_crc, nfiles = harness.codecs_on_disk(server.data_dir, TOPIC, range(NPART))
    res.check(nfiles > 0, "on disk: segment files exist under <data-dir>/%s-<p>/" % TOPIC)
    res.eq(bad_crc, 0, "on disk: every stored batch has a valid CRC-32C")
    res.info("on disk, batches per codec: %s" % {harness.CODEC_NAMES.get(k, k): v
                                                 for k, v in sorted(seen.items())})
    why = {
        "gzip": "librdkafka 2.0.2 compresses gzip/snappy only if the broker's Produce "
                "version range includes v0 (librdkafka issue #4956); Kafka 3.x brokers "
                "advertise Produce 0..N and so must sluice",
    }
    why["snappy"] = why["gzip"]
    # librdkafka 2.0.2 also enables LZ4 only when FindCoordinator is in ApiVersions. Until the
    # broker serves consumer groups (issue 3) it must not advertise FindCoordinator, so
    # librdkafka sends its lz4 batches uncompressed: the records still arrive (checked by the
    # round trip above). This check becomes strict by itself once FindCoordinator is served.
    lz4_possible = 10 in server_apis(server)
    for codec in CODECS:
        if codec == "none":
            continue
        if codec == "lz4" and not lz4_possible:
            res.info("KNOWN GAP (issue 3): librdkafka 2.0.2 sends lz4 uncompressed to a broker "
                     "without FindCoordinator; lz4 storage is checked with kafka-python and "
                     "kafkajs instead")
            continue
        res.check(CODEC_ID[codec] in seen,
                  "on disk: librdkafka's %s batches are stored %s-compressed" % (codec, codec),
                  why.get(codec, "no %s batch found on disk" % codec))


def server_apis(server):
    """The ApiKeys the server advertises, from a raw ApiVersions v0 exchange."""
    host, port = server.bootstrap.rsplit(":", 1)
    c = kwire.Conn(host, int(port))
    try:
        c.send(kwire.api_versions_request(0, 4242))
        corr, body = c.recv_frame()
        err, apis = kwire.parse_api_versions(0, body)
        return apis if err == 0 else {}
    finally:
        c.close()


def body(res):
    binary = harness.find_server()
    srv = harness.Server(binary, name="ck", sets={"auto.create.topics.enable": "false"})
    res.servers.append(srv)
    bs = srv.start()
    res.info("server %s at %s (data %s)" % (binary, bs, srv.data_dir))

    res.section("admin: create topic")
    a = admin(bs)
    r = wait_futures(a.create_topics([NewTopic(TOPIC, num_partitions=NPART,
                                               replication_factor=1)]))
    res.check(r[TOPIC] is None, "create_topics %s with %d partitions" % (TOPIC, NPART), r[TOPIC])
    r = wait_futures(a.create_topics([NewTopic(TOPIC, num_partitions=NPART,
                                               replication_factor=1)]))
    res.eq(kafka_code(r[TOPIC]), KafkaError.TOPIC_ALREADY_EXISTS,
           "create_topics on an existing topic fails with TOPIC_ALREADY_EXISTS")
    md = a.list_topics(timeout=10)
    t = md.topics.get(TOPIC)
    res.check(t is not None and len(t.partitions) == NPART and t.error is None,
              "list_topics shows %s with %d partitions" % (TOPIC, NPART),
              t and (len(t.partitions), t.error))
    brokers = list(md.brokers.values())
    res.check(len(brokers) == 1 and brokers[0].port == srv.port,
              "list_topics: one broker, advertised port = listening port %d" % srv.port,
              [(b.id, b.host, b.port) for b in brokers])
    if t is not None and brokers:
        res.check(all(pm.leader == brokers[0].id for pm in t.partitions.values()),
                  "every partition is led by broker %d" % brokers[0].id,
                  {p: pm.leader for p, pm in t.partitions.items()})

    res.section("produce with each codec")
    t0 = int(time.time() * 1000) - 3600 * 1000
    seq = 0
    delivered = []
    for codec in CODECS:
        recs = make_records(codec, PER_CODEC, t0, seq)
        seq += PER_CODEC
        delivered += produce(bs, recs, codec, res, "produce codec=%s" % codec)

    key_part = {}
    conflicts = []
    expected = {}
    for rec, p, off, _ts in delivered:
        if rec["key"] is not None:
            if key_part.setdefault(rec["key"], p) != p:
                conflicts.append((rec["key"], key_part[rec["key"]], p))
        expected.setdefault(p, []).append(
            (off, rec["key"], rec["value"], (TIMESTAMP_CREATE_TIME, rec["ts"]),
             norm_headers(rec["headers"])))
    for p in expected:
        expected[p].sort(key=lambda x: x[0])
    res.check(not conflicts and key_part, "same key -> same partition across all codecs",
              conflicts[:5])
    res.check(len(set(key_part.values())) > 1, "keys spread over more than one partition",
              key_part)
    for p in range(NPART):
        offs = [x[0] for x in expected.get(p, [])]
        res.check(offs == list(range(len(offs))),
                  "partition %d: acknowledged offsets are 0..%d without gaps" % (p, len(offs) - 1),
                  offs[:20])

    res.section("consume from earliest with assign()")
    verify_read(res, bs, expected, "read #1")
    check_offsets_for_times(res, bs, expected, "before restart")

    res.section("restart (SIGTERM) and read again")
    rc, bs = srv.restart(clean=True)
    res.eq(rc, 0, "SIGTERM: server exits with status 0")
    res.info("server back at %s" % bs)
    check_segments(res, srv)
    verify_read(res, bs, expected, "read #2 after restart")
    check_offsets_for_times(res, bs, expected, "after restart")

    recs = make_records("zstd", 60, t0, seq)
    seq += 60
    more = produce(bs, [r for r in recs if r["key"] is not None], "lz4", res,
                   "produce after restart")
    moved = [(r["key"], key_part.get(r["key"]), p) for r, p, _o, _t in more
             if key_part.get(r["key"], p) != p]
    res.check(more and not moved, "after restart the same keys land in the same partitions",
              moved[:5])
    for rec, p, off, _ts in more:
        expected.setdefault(p, []).append(
            (off, rec["key"], rec["value"], (TIMESTAMP_CREATE_TIME, rec["ts"]),
             norm_headers(rec["headers"])))
    for p in range(NPART):
        prev = [x[0] for x in expected.get(p, [])]
        res.check(prev == list(range(len(prev))),
                  "partition %d: offsets continue after restart without gap or reuse" % p,
                  prev[-70:])
    verify_read(res, bs, expected, "read #3 (old + new)")

    res.section("admin: configs")
    a = admin(bs)
    cr = ConfigResource(ResourceType.TOPIC, TOPIC)
    try:
        cfg = a.describe_configs([cr])[cr].result(timeout=10)
        res.check("retention.ms" in cfg and "cleanup.policy" in cfg,
                  "describe_configs(topic) lists retention.ms and cleanup.policy",
                  sorted(cfg)[:30])
        if "cleanup.policy" in cfg:
            res.eq(cfg["cleanup.policy"].value, "delete", "default cleanup.policy is delete")
    except Exception as e:  # noqa: BLE001
        res.fail("describe_configs(topic)", e)
    try:
        a.alter_configs([ConfigResource(ResourceType.TOPIC, TOPIC,
                                        set_config={"retention.ms": "86400000"})]
                        )[cr].result(timeout=10)
        cfg = a.describe_configs([cr])[cr].result(timeout=10)
        res.eq(cfg.get("retention.ms") and cfg["retention.ms"].value, "86400000",
               "alter_configs retention.ms=86400000 is visible in describe_configs")
    except Exception as e:  # noqa: BLE001
        res.fail("alter_configs(topic retention.ms)", e)
    try:
        f = a.alter_configs([ConfigResource(ResourceType.TOPIC, TOPIC,
                                            set_config={"no.such.config": "1"})])[cr]
        f.result(timeout=10)
        res.fail("alter_configs with an unknown key is rejected", "it succeeded")
    except KafkaException as e:
        res.check(kafka_code(e) in (KafkaError.INVALID_CONFIG, KafkaError.INVALID_REQUEST),
                  "alter_configs with an unknown key is rejected (INVALID_CONFIG)", e)
    br = ConfigResource(ResourceType.BROKER, str(brokers[0].id) if brokers else "0")
    try:
        cfg = a.describe_configs([br])[br].result(timeout=10)
        res.check("message.max.bytes" in cfg, "describe_configs(broker) lists message.max.bytes",
                  sorted(cfg)[:30])
    except Exception as e:  # noqa: BLE001
        res.fail("describe_configs(broker)", e)

    res.section("admin: create_partitions")
    r = wait_futures(a.create_partitions([NewPartitions(TOPIC, 5)]))
    res.check(r[TOPIC] is None, "create_partitions %s -> 5" % TOPIC, r[TOPIC])
    deadline = time.monotonic() + 10
    n = 0
    while time.monotonic() < deadline:
        n = len(a.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions)
        if n == 5:
            break
        time.sleep(0.2)
    res.eq(n, 5, "list_topics shows 5 partitions")
    r = wait_futures(a.create_partitions([NewPartitions(TOPIC, 4)]))
    res.check(r[TOPIC] is not None and kafka_code(r[TOPIC]) == KafkaError.INVALID_PARTITIONS,
              "create_partitions to fewer partitions fails with INVALID_PARTITIONS", r[TOPIC])
    extra = [{"key": b"p%d" % p, "value": b"new-partition-%d" % p, "ts": t0 + seq * 10 + p,
              "headers": None, "partition": p} for p in (3, 4)]
    got = produce(bs, extra, "none", res, "produce to new partitions 3 and 4")
    res.check(sorted((p, o) for _r, p, o, _t in got) == [(3, 0), (4, 0)],
              "new partitions start at offset 0", [(p, o) for _r, p, o, _t in got])
    rd, errs = harness.ck_read_all(bs, TOPIC, [3, 4])
    res.check([(x[1], x[2]) for x in rd[3] + rd[4]] ==
              [(b"p3", b"new-partition-3"), (b"p4", b"new-partition-4")] and not errs,
              "new partitions 3 and 4 read back", (rd, errs))

    res.section("restart again: config and partition count persist")
    rc, bs = srv.restart(clean=True)
    res.eq(rc, 0, "SIGTERM: server exits with status 0")
    a = admin(bs)
    md = a.list_topics(timeout=10)
    res.eq(len(md.topics[TOPIC].partitions) if TOPIC in md.topics else None, 5,
           "after restart %s still has 5 partitions" % TOPIC)
    try:
        cfg = a.describe_configs([cr])[cr].result(timeout=10)
        res.eq(cfg.get("retention.ms") and cfg["retention.ms"].value, "86400000",
               "after restart retention.ms is still 86400000")
    except Exception as e:  # noqa: BLE001
        res.fail("describe_configs after restart", e)

    res.section("admin: delete_topics")
    r = wait_futures(a.delete_topics([TOPIC]))
    res.check(r[TOPIC] is None, "delete_topics %s" % TOPIC, r[TOPIC])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and TOPIC in a.list_topics(timeout=10).topics:
        time.sleep(0.2)
    res.check(TOPIC not in a.list_topics(timeout=10).topics, "deleted topic is gone from metadata")
    r = wait_futures(a.delete_topics(["no-such-topic"]))
    res.eq(kafka_code(r["no-such-topic"]), KafkaError.UNKNOWN_TOPIC_OR_PART,
           "delete_topics of an unknown topic fails with UNKNOWN_TOPIC_OR_PARTITION")
    rc, bs = srv.restart(clean=True)
    res.eq(rc, 0, "SIGTERM: server exits with status 0")
    a = admin(bs)
    res.check(TOPIC not in a.list_topics(timeout=10).topics,
              "deleted topic stays deleted after a restart")
    r = wait_futures(a.create_topics([NewTopic(TOPIC, num_partitions=2, replication_factor=1)]))
    res.check(r[TOPIC] is None, "re-create %s with 2 partitions" % TOPIC, r[TOPIC])
    c = harness.ck_consumer(bs)
    try:
        marks = [c.get_watermark_offsets(TopicPartition(TOPIC, p), timeout=10) for p in (0, 1)]
    finally:
        c.close()
    res.eq(marks, [(0, 0), (0, 0)], "re-created topic is empty (old data is gone)")

    rc = srv.stop()
    res.eq(rc, 0, "final SIGTERM: server exits with status 0")


if __name__ == "__main__":
    harness.run("test_confluent", body)
