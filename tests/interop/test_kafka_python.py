#!/usr/bin/python3
"""test_kafka_python.py - kafka-python 2.0.2 (python3-kafka) against a real sluice-server.

kafka-python is a pure-Python client with its own protocol code (no librdkafka), so it reads
the server's ApiVersions differently: it guesses a broker version from them and then picks
request versions and the message format from that guess. The guess must land on >= 0.11
(RecordBatch v2), and on >= 2.1 for zstd.

Checks: KafkaAdminClient create/describe/alter/create_partitions/delete; KafkaProducer with
every codec the installed Python libraries support (none, gzip, snappy, lz4, zstd); KafkaConsumer
with assign() + seek_to_beginning(): every record exactly once, in order per partition;
same key -> same partition (murmur2, Java compatible) before and after a restart;
offsets_for_times / beginning_offsets / end_offsets; everything again after a SIGTERM restart.

Usage: /usr/bin/python3 test_kafka_python.py [BUILD_DIR | path/to/sluice-server]
"""
import logging
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

import kafka  # noqa: E402
from kafka import KafkaProducer, KafkaConsumer, TopicPartition  # noqa: E402
from kafka.admin import KafkaAdminClient, NewTopic, NewPartitions  # noqa: E402
from kafka.admin import ConfigResource, ConfigResourceType  # noqa: E402
from kafka import codec as kcodec  # noqa: E402
from kafka import errors as kerrors  # noqa: E402

TOPIC = "interop-kp"
NPART = 3
PER_CODEC = 200
KEYS = [("kp-key-%02d" % i).encode() for i in range(25)]
CODECS = [("none", None, lambda: True), ("gzip", "gzip", kcodec.has_gzip),
          ("snappy", "snappy", kcodec.has_snappy), ("lz4", "lz4", kcodec.has_lz4),
          ("zstd", "zstd", kcodec.has_zstd)]
PY_MODULE = {"snappy": "python3-snappy", "lz4": "python3-lz4", "zstd": "python3-zstandard"}


def admin(bs):
    return KafkaAdminClient(bootstrap_servers=bs, request_timeout_ms=15000,
                            api_version_auto_timeout_ms=5000, client_id="interop-kp-admin")


def topic_errors(resp):
    errs = getattr(resp, "topic_errors", None)
    if errs is None:
        errs = getattr(resp, "topic_error_codes", [])
    return {e[0]: e[1] for e in errs}


def make_records(tag, n, t0, seq0):
    out = []
    for i in range(n):
        key = KEYS[i % len(KEYS)]
        value = ("%s:%05d:" % (tag, i)).encode() + b"0123456789" * (i % 30)
        headers = [("tag", tag.encode()), ("n", str(i).encode())] if i % 4 == 0 else []
        out.append({"key": key, "value": value, "ts": t0 + (seq0 + i) * 10,
                    "headers": headers})
    return out


def produce(res, bs, records, compression, what):
    try:
        p = KafkaProducer(bootstrap_servers=bs, acks="all", compression_type=compression,
                          linger_ms=20, retries=0, request_timeout_ms=15000,
                          api_version_auto_timeout_ms=5000, max_block_ms=15000,
                          client_id="interop-kp-producer")
    except Exception as e:  # noqa: BLE001
        res.fail("%s: create KafkaProducer" % what, repr(e))
        return []
    futs = [(r, p.send(TOPIC, key=r["key"], value=r["value"], timestamp_ms=r["ts"],
                       headers=r["headers"], partition=r.get("partition"))) for r in records]
    p.flush(30)
    out, errors = [], []
    for r, f in futs:
        try:
            md = f.get(timeout=20)
            out.append((r, md.partition, md.offset))
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))
    p.close(10)
    res.check(not errors, "%s: all %d records acknowledged" % (what, len(records)),
              "%d errors, first: %s" % (len(errors), errors[:3]))
    return out


def read_all(res, bs, parts, what, timeout=25):
    """KafkaConsumer, no group: assign + seek_to_beginning; read to the end offsets."""
    c = KafkaConsumer(bootstrap_servers=bs, group_id=None, enable_auto_commit=False,
                      auto_offset_reset="earliest", fetch_max_wait_ms=100,
                      request_timeout_ms=15000, api_version_auto_timeout_ms=5000,
                      consumer_timeout_ms=1000, client_id="interop-kp-consumer")
    tps = [TopicPartition(TOPIC, p) for p in parts]
    out = {p: [] for p in parts}
    try:
        c.assign(tps)
        c.seek_to_beginning(*tps)
        ends = c.end_offsets(tps)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(c.position(tp) >= ends[tp] for tp in tps):
                break
            for tp, recs in c.poll(timeout_ms=300).items():
                for m in recs:
                    out[tp.partition].append((m.offset, m.key, m.value, m.timestamp,
                                              m.timestamp_type, list(m.headers or [])))
        for _ in range(2):  # anything beyond the end offsets would be a bug: look once more
            for tp, recs in c.poll(timeout_ms=200).items():
                for m in recs:
                    out[tp.partition].append((m.offset, m.key, m.value, m.timestamp,
                                              m.timestamp_type, list(m.headers or [])))
        res.check(all(c.position(tp) >= ends[tp] for tp in tps),
                  "%s: consumer reached end offsets %s" % (what, {t.partition: o for t, o in
                                                                  ends.items()}))
    finally:
        c.close()
    return out


def expected_from(delivered, acc=None):
    exp = acc if acc is not None else {}
    for r, p, off in delivered:
        exp.setdefault(p, []).append((off, r["key"], r["value"], r["ts"], 0, r["headers"]))
    for p in exp:
        exp[p].sort(key=lambda x: x[0])
    return exp


def verify(res, got, exp, what):
    for p in sorted(set(exp) | set(got)):
        g, w = got.get(p, []), exp.get(p, [])
        if g == w:
            res.check(True, "%s: partition %d: %d records exactly once, in order, intact"
                      % (what, p, len(w)))
            continue
        detail = "got %d, expected %d" % (len(g), len(w))
        for i, (a, b) in enumerate(zip(g, w)):
            if a != b:
                detail += "; first difference at %d:\n got  %r\n want %r" % (i, a, b)
                break
        res.fail("%s: partition %d content" % (what, p), detail)


def check_times(res, bs, exp, what):
    c = KafkaConsumer(bootstrap_servers=bs, group_id=None, enable_auto_commit=False,
                      request_timeout_ms=15000, api_version_auto_timeout_ms=5000)
    try:
        tps = [TopicPartition(TOPIC, p) for p in range(NPART)]
        begin = c.beginning_offsets(tps)
        end = c.end_offsets(tps)
        res.eq({t.partition: o for t, o in begin.items()}, {p: 0 for p in range(NPART)},
               "%s: beginning_offsets are 0" % what)
        res.eq({t.partition: o for t, o in end.items()},
               {p: len(exp.get(p, [])) for p in range(NPART)},
               "%s: end_offsets = record counts" % what)
        all_ts = sorted(x[3] for v in exp.values() for x in v)
        for t in (all_ts[0] - 5000, all_ts[len(all_ts) // 4], all_ts[-1] - 15, all_ts[-1] + 1):
            got = c.offsets_for_times({tp: t for tp in tps})
            g = {tp.partition: (None if v is None else (v.offset, v.timestamp))
                 for tp, v in got.items()}
            want = {}
            for p in range(NPART):
                m = [(x[0], x[3]) for x in exp.get(p, []) if x[3] >= t]
                want[p] = m[0] if m else None
            res.eq(g, want, "%s: offsets_for_times(%d)" % (what, t))
    finally:
        c.close()


def describe_topic_configs(a, name):
    resp = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    out = {}
    errs = []
    for r in resp:
        for res_ in r.resources:
            if res_[0] != 0:
                errs.append((res_[0], res_[1]))
            for entry in res_[4]:
                out[entry[0]] = entry[1]
    return out, errs


def body(res):
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("kafka.consumer.fetcher").setLevel(logging.CRITICAL)  # noise on close()
    binary = harness.find_server()
    srv = harness.Server(binary, name="kp", sets={"auto.create.topics.enable": "false"})
    res.servers.append(srv)
    bs = srv.start()
    res.info("kafka-python %s; server at %s" % (kafka.__version__, bs))

    res.section("version probe and admin")
    a = admin(bs)
    ver = a.config["api_version"]
    res.info("kafka-python inferred broker version %s from ApiVersions" % (ver,))
    res.check(ver >= (0, 11), "inferred broker version >= 0.11 (RecordBatch v2)", ver)
    try:
        resp = a.create_topics([NewTopic(TOPIC, NPART, 1)], timeout_ms=10000)
        res.eq(topic_errors(resp), {TOPIC: 0}, "create_topics %s (%d partitions)"
               % (TOPIC, NPART))
    except Exception as e:  # noqa: BLE001
        res.fail("create_topics %s (%d partitions)" % (TOPIC, NPART), repr(e))
    try:
        a.create_topics([NewTopic(TOPIC, NPART, 1)], timeout_ms=10000)
        res.fail("create_topics on an existing topic is refused", "no error")
    except kerrors.TopicAlreadyExistsError:
        res.check(True, "create_topics on an existing topic raises TopicAlreadyExistsError")
    except Exception as e:  # noqa: BLE001
        res.fail("create_topics on an existing topic raises TopicAlreadyExistsError", repr(e))
    a.close()

    res.section("produce with each codec")
    t0 = int(time.time() * 1000) - 7200 * 1000
    seq = 0
    delivered = []
    produced_codecs = []
    for name, ctype, available in CODECS:
        if not available():
            print("SKIP codec %s: the Python library is not installed (Debian package %s)"
                  % (name, PY_MODULE.get(name)), flush=True)
            continue
        if name == "zstd" and ver < (2, 1):
            res.fail("codec zstd: kafka-python refuses zstd because it guessed broker %s < 2.1 "
                     "from ApiVersions" % (ver,))
            continue
        recs = make_records(name, PER_CODEC, t0, seq)
        seq += PER_CODEC
        delivered += produce(res, bs, recs, ctype, "produce codec=%s" % name)
        produced_codecs.append(name)

    key_part, moved = {}, []
    for r, p, _o in delivered:
        if key_part.setdefault(r["key"], p) != p:
            moved.append((r["key"], key_part[r["key"]], p))
    res.check(key_part and not moved, "same key -> same partition across codecs", moved[:5])
    exp = expected_from(delivered)
    for p in range(NPART):
        offs = [x[0] for x in exp.get(p, [])]
        res.check(offs == list(range(len(offs))),
                  "partition %d: acknowledged offsets 0..%d without gaps" % (p, len(offs) - 1))

    seen, bad_crc, _n = harness.codecs_on_disk(srv.data_dir, TOPIC, range(NPART))
    res.info("on disk, batches per codec: %s" % {harness.CODEC_NAMES.get(k, k): v
                                                 for k, v in sorted(seen.items())})
    res.eq(bad_crc, 0, "on disk: every stored batch has a valid CRC-32C")
    for cid, name in sorted(harness.CODEC_NAMES.items()):
        if name in produced_codecs:
            res.check(cid in seen, "on disk: kafka-python's %s batches are stored as sent "
                      "(codec %d)" % (name, cid), seen)

    res.section("consume (assign + seek_to_beginning)")
    verify(res, read_all(res, bs, range(NPART), "read #1"), exp, "read #1")
    check_times(res, bs, exp, "before restart")

    res.section("restart (SIGTERM)")
    rc, bs = srv.restart(clean=True)
    res.eq(rc, 0, "SIGTERM: server exits with status 0")
    verify(res, read_all(res, bs, range(NPART), "read #2"), exp, "read #2 after restart")
    check_times(res, bs, exp, "after restart")
    more = produce(res, bs, make_records("after", 50, t0, seq), "gzip", "produce after restart")
    seq += 50
    moved = [(r["key"], key_part.get(r["key"]), p) for r, p, _o in more
             if key_part.get(r["key"], p) != p]
    res.check(more and not moved, "after restart the same keys land in the same partitions",
              moved[:5])
    exp = expected_from(more, exp)
    verify(res, read_all(res, bs, range(NPART), "read #3"), exp, "read #3 (old + new)")

    res.section("admin: configs, partitions, delete")
    a = admin(bs)
    cfg, errs = describe_topic_configs(a, TOPIC)
    res.check(not errs and "retention.ms" in cfg, "describe_configs(topic) has retention.ms",
              (errs, sorted(cfg)[:20]))
    try:
        resp = a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, TOPIC,
                                               configs={"retention.ms": "3600000"})])
        codes = [r[0] for r in resp.resources]
        res.eq(codes, [0], "alter_configs retention.ms=3600000 accepted")
    except Exception as e:  # noqa: BLE001
        res.fail("alter_configs retention.ms", repr(e))
    cfg, errs = describe_topic_configs(a, TOPIC)
    res.eq(cfg.get("retention.ms"), "3600000", "describe_configs shows retention.ms=3600000")
    try:
        resp = a.create_partitions({TOPIC: NewPartitions(4)}, timeout_ms=10000)
        res.eq(topic_errors(resp), {TOPIC: 0}, "create_partitions %s -> 4" % TOPIC)
    except Exception as e:  # noqa: BLE001
        res.fail("create_partitions %s -> 4" % TOPIC, repr(e))
    a.close()
    one = produce(res, bs, [{"key": b"x", "value": b"in-partition-3", "ts": t0 + seq * 10,
                             "headers": [], "partition": 3}], None, "produce to partition 3")
    res.eq([(p, o) for _r, p, o in one], [(3, 0)], "partition 3 starts at offset 0")
    got = read_all(res, bs, [3], "read partition 3")
    res.eq([(x[0], x[2]) for x in got[3]], [(0, b"in-partition-3")], "partition 3 reads back")

    a = admin(bs)
    resp = a.delete_topics([TOPIC], timeout_ms=10000)
    res.eq(topic_errors(resp), {TOPIC: 0}, "delete_topics %s" % TOPIC)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and TOPIC in a.list_topics():
        time.sleep(0.2)
    res.check(TOPIC not in a.list_topics(), "deleted topic is gone from list_topics")
    try:
        a.delete_topics(["kp-no-such-topic"], timeout_ms=10000)
        res.fail("delete_topics of an unknown topic is refused", "no error")
    except kerrors.UnknownTopicOrPartitionError:
        res.check(True, "delete_topics of an unknown topic raises UnknownTopicOrPartitionError")
    except Exception as e:  # noqa: BLE001
        res.fail("delete_topics of an unknown topic raises UnknownTopicOrPartitionError",
                 repr(e))
    a.close()
    rc = srv.stop()
    res.eq(rc, 0, "final SIGTERM: server exits with status 0")


if __name__ == "__main__":
    harness.run("test_kafka_python", body)
