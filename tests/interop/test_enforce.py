#!/usr/bin/python3
"""test_enforce.py - schema enforcement on produce, end to end (issue 4).

The real sluice-server with its Schema Registry door (harness Server(registry=True)); schemas
registered over the registry's REST API; topics created with the Kafka admin API
(confluent-kafka) carrying Confluent Server's topic configs; records written by librdkafka
(confluent-kafka 1.7 / librdkafka 2.0.2), by Confluent's own JSONSerializer, and by raw Produce
v8/v9 requests (librdkafka 2.0.2 speaks Produce v7 at most, so it sees only the error code:
the per-record messages of KIP-467 are read with a raw request).

What must hold:
  * framed, registered records pass and come back byte-exact;
  * unframed, unknown-id and wrong-subject records (TopicNameStrategy, RecordNameStrategy,
    TopicRecordNameStrategy, with Confluent's full class names) are refused with
    INVALID_RECORD (87) and a readable per-record message, which the server log carries too;
  * a refused batch writes nothing (log end offset unchanged), records before and after it
    are all there;
  * key validation is separate from value validation; null keys and tombstones pass;
  * sluice.value.schema.validation.mode=full also decodes Avro and JSON payloads;
  * IncrementalAlterConfigs switches validation off and on again;
  * a server without a registry refuses produce to validated topics.

Usage: /usr/bin/python3 test_enforce.py [BUILD_DIR | path/to/sluice-server]
"""
import io
import json
import os
import re
import struct
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kwire  # noqa: E402

from confluent_kafka import KafkaError, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic  # noqa: E402

INVALID_RECORD = 87
CT = "application/vnd.schemaregistry.v1+json"

ORDER = {"type": "record", "name": "Order", "namespace": "com.example",
         "fields": [{"name": "id", "type": "long"}, {"name": "item", "type": "string"},
                    {"name": "qty", "type": "int"}]}
OTHER = {"type": "record", "name": "Other", "namespace": "com.example",
         "fields": [{"name": "note", "type": "string"}]}
KEY = {"type": "record", "name": "OrderKey", "namespace": "com.example",
       "fields": [{"name": "id", "type": "long"}]}
PAYMENT = {"$schema": "http://json-schema.org/draft-07/schema#", "title": "Payment",
           "type": "object",
           "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}},
           "required": ["amount"]}


# -- helpers -----------------------------------------------------------------------------------
def register(url, subject, schema, schema_type="AVRO"):
    body = {"schema": json.dumps(schema)}
    if schema_type != "AVRO":
        body["schemaType"] = schema_type
    req = urllib.request.Request("%s/subjects/%s/versions" % (url, subject),
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": CT})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["id"]


def avro_encode(schema, datum):
    import avro.io
    import avro.schema
    s = avro.schema.parse(json.dumps(schema))
    buf = io.BytesIO()
    avro.io.DatumWriter(s).write(datum, avro.io.BinaryEncoder(buf))
    return buf.getvalue()


def framed(schema_id, payload):
    return b"\x00" + struct.pack(">I", schema_id) + payload


def create_topics(res, admin, specs):
    """specs: [(name, partitions, {config})]. Returns True when all were created."""
    fs = admin.create_topics([NewTopic(n, p, 1, config=c) for n, p, c in specs],
                             operation_timeout=10)
    ok = True
    for name, f in fs.items():
        try:
            f.result(15)
        except Exception as e:  # noqa: BLE001
            ok = res.fail("create topic %s" % name, e)
    return ok


def produce_ck(bootstrap, topic, records, partition=0, linger_ms=200, codec="none"):
    """Produces records [(key, value)] with librdkafka in one go; returns, in order,
    [(KafkaError or None, offset)] from the delivery reports."""
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": linger_ms,
                  "enable.idempotence": False, "acks": "all", "retries": 0,
                  "message.send.max.retries": 0, "compression.type": codec})
    out = [None] * len(records)

    def dr(i):
        def cb(err, msg):
            out[i] = (err, msg.offset() if err is None else -1)
        return cb
    for i, (k, v) in enumerate(records):
        p.produce(topic, key=k, value=v, partition=partition, on_delivery=dr(i))
    left = p.flush(20)
    if left:
        raise RuntimeError("%d records still queued after 20 s" % left)
    return out


def high(bootstrap, topic, partition=0):
    c = harness.ck_consumer(bootstrap)
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)[1]
    finally:
        c.close()


def values(bootstrap, topic, partition=0):
    got, errs = harness.ck_read_all(bootstrap, topic, [partition])
    if errs:
        raise RuntimeError("consume %s: %s" % (topic, errs))
    return [(k, v) for (_o, k, v, _ts, _h) in got[partition]]


def host_port(bootstrap):
    h, p = bootstrap.rsplit(":", 1)
    return h.strip("[]"), int(p)


def wire_produce(bootstrap, version, topic, partition, batch):
    """Raw Produce v8 (classic) or v9 (flexible), acks=all. Returns the one partition's
    (error_code, base_offset, [(batch_index, message)], error_message)."""
    host, port = host_port(bootstrap)
    conn = kwire.Conn(host, port, timeout=10)
    try:
        flex = version >= 9
        if flex:
            body = (kwire.compact_string(None) + kwire.i16(-1) + kwire.i32(10000)
                    + kwire.uvarint(2) + kwire.compact_string(topic) + kwire.uvarint(2)
                    + kwire.i32(partition) + kwire.uvarint(len(batch) + 1) + batch
                    + kwire.TAGS_NONE + kwire.TAGS_NONE + kwire.TAGS_NONE)
            req = kwire.frame(kwire.header(0, version, 7, flexible=True) + body)
        else:
            req = kwire.produce_request(version, 7, topic, partition, batch)
        conn.send(req)
        _corr, data = conn.recv_frame()
        r = kwire.Reader(data)
        if flex:
            r.skip_tags()
            count = lambda: r.uvarint() - 1  # noqa: E731
            text = r.compact_string
        else:
            count, text = r.i32, r.string
        assert count() == 1
        text()
        assert count() == 1
        _part, err, base = r.i32(), r.i16(), r.i64()
        r.i64()
        r.i64()
        recerrs = []
        for _ in range(count()):
            idx = r.i32()
            recerrs.append((idx, text()))
            if flex:
                r.skip_tags()
        msg = text()
        return err, base, recerrs, msg
    finally:
        conn.close()


def incremental_alter(bootstrap, topic, ops):
    """IncrementalAlterConfigs v0 on one topic: ops [(name, op, value)] with op 0 SET,
    1 DELETE. Returns (error_code, error_message)."""
    host, port = host_port(bootstrap)
    conn = kwire.Conn(host, port, timeout=10)
    try:
        body = kwire.i32(1) + kwire.i8(2) + kwire.string(topic) + kwire.i32(len(ops))
        for name, op, value in ops:
            body += kwire.string(name) + kwire.i8(op) + kwire.string(value)
        body += kwire.i8(0)  # validate_only
        conn.send(kwire.frame(kwire.header(44, 0, 9) + body))
        _corr, data = conn.recv_frame()
        r = kwire.Reader(data)
        r.i32()  # throttle
        assert r.i32() == 1
        return r.i16(), r.string()
    finally:
        conn.close()


def err_code(e):
    return e.code() if e is not None else None


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


# -- the test ----------------------------------------------------------------------------------
def body(res):
    binary = harness.find_server()
    srv = harness.Server(binary, name="enforce", registry=True)
    res.servers.append(srv)
    bootstrap = srv.start()
    url = getattr(srv, "registry_url", None)
    if not res.check(url, "the harness exposes registry_url (Server(registry=True))"):
        return
    admin = AdminClient({"bootstrap.servers": bootstrap})

    res.section("schemas registered over REST")
    ids = {}
    ids["order"] = register(url, "orders-value", ORDER)
    ids["other"] = register(url, "other-value", OTHER)
    ids["key"] = register(url, "keyed-key", KEY)
    res.check(len(set(ids.values())) == 3, "three distinct ids %s" % ids)
    # RecordNameStrategy / TopicRecordNameStrategy subjects; the same schema keeps its id.
    res.eq(register(url, "com.example.Order", ORDER), ids["order"],
           "Order under its record name: same id")
    res.eq(register(url, "trn-com.example.Order", ORDER), ids["order"],
           "Order under trn-com.example.Order: same id")
    res.eq(register(url, "orders-full-value", ORDER), ids["order"],
           "Order under orders-full-value: same id")
    unknown_id = max(ids.values()) + 1000

    res.section("topics with Confluent Server's validation configs")
    pkg = "io.confluent.kafka.serializers.subject."
    ok = create_topics(res, admin, [
        ("orders", 2, {"confluent.value.schema.validation": "true"}),
        ("rn", 1, {"confluent.value.schema.validation": "true",
                   "confluent.value.subject.name.strategy": pkg + "RecordNameStrategy"}),
        ("trn", 1, {"confluent.value.schema.validation": "true",
                    "confluent.value.subject.name.strategy": pkg + "TopicRecordNameStrategy"}),
        ("keyed", 1, {"confluent.key.schema.validation": "true"}),
        ("orders-full", 1, {"confluent.value.schema.validation": "true",
                            "sluice.value.schema.validation.mode": "full"}),
        ("payments", 1, {"confluent.value.schema.validation": "true",
                         "sluice.value.schema.validation.mode": "full"}),
    ])
    if not ok:
        return
    fs = admin.create_topics([NewTopic("bad-strategy", 1, 1, config={
        "confluent.value.subject.name.strategy": "com.acme.MyStrategy"})])
    try:
        fs["bad-strategy"].result(10)
        res.fail("an unknown subject name strategy is refused at CreateTopics")
    except Exception as e:  # noqa: BLE001
        res.check("INVALID_CONFIG" in str(e) or "MyStrategy" in str(e),
                  "an unknown subject name strategy is refused at CreateTopics", e)
    cr = ConfigResource(ConfigResource.Type.TOPIC, "orders-full")
    desc = admin.describe_configs([cr])[cr].result(10)
    res.eq(desc["confluent.value.schema.validation"].value, "true",
           "DescribeConfigs shows confluent.value.schema.validation")
    res.eq(desc["sluice.value.schema.validation.mode"].value, "full",
           "DescribeConfigs shows sluice.value.schema.validation.mode")
    res.eq(desc["confluent.value.subject.name.strategy"].value, pkg + "TopicNameStrategy",
           "the default strategy is Confluent's TopicNameStrategy class")

    order = lambda i: avro_encode(ORDER, {"id": i, "item": "widget-%d" % i, "qty": i % 7})  # noqa
    good = [framed(ids["order"], order(i)) for i in range(5)]

    res.section("TopicNameStrategy, id mode (Confluent's check)")
    dr = produce_ck(bootstrap, "orders", [(None, v) for v in good[:3]])
    res.check(all(e is None for e, _ in dr), "framed records with a registered id pass", dr)
    res.eq([o for _, o in dr], [0, 1, 2], "at offsets 0..2")
    for what, val in [("unframed", b'{"id": 1, "item": "x"}'),
                      ("too short for the framing", b"\x00\x00\x01"),
                      ("unknown id", framed(unknown_id, order(9))),
                      ("wrong subject (Other's id on orders)", framed(ids["other"], b"\x02x"))]:
        dr = produce_ck(bootstrap, "orders", [(None, val)])
        res.eq(err_code(dr[0][0]), INVALID_RECORD, "%s: INVALID_RECORD (87) at the producer"
               % what)
    res.info("librdkafka 2.0.2 reports: %s" % dr[0][0])
    res.eq(dr[0][0].name() if dr[0][0] else None, "INVALID_RECORD",
           "the producer sees INVALID_RECORD (librdkafka 2.0.2 sends Produce v7: no message)")
    res.eq(high(bootstrap, "orders"), 3, "nothing of the refused records was written")

    res.section("a refused batch writes nothing; records around it all arrive")
    mixed = [(None, good[3]), (None, framed(unknown_id, order(3))), (None, good[4])]
    dr = produce_ck(bootstrap, "orders", mixed, linger_ms=1000, codec="lz4")
    res.eq([err_code(e) for e, _ in dr], [INVALID_RECORD] * 3,
           "one lz4 batch with one bad record: all three refused (the batch is atomic)")
    res.eq(high(bootstrap, "orders"), 3, "log end offset unchanged after the refused batch")
    dr = produce_ck(bootstrap, "orders", [(None, good[3]), (None, good[4])], codec="zstd")
    res.check(all(e is None for e, _ in dr), "records after the refusal pass (zstd batch)", dr)
    got = values(bootstrap, "orders")
    res.eq([v for _, v in got], good[:5], "consumed back byte-exact: 5 good records, in order")

    res.section("per-record messages (KIP-467, raw Produce v8/v9) and the server log")
    batch = kwire.record_batch([(None, good[0]), (None, good[1]),
                                (None, framed(unknown_id, order(2))), (None, b"plain text"),
                                (None, framed(ids["other"], b"\x02x"))])
    want = [(2, "record 2: value schema id %d is not known to the schema registry"
             % unknown_id),
            (3, "record 3: value has no Confluent wire-format framing: it starts with byte "
                "0x70, not magic byte 0 followed by a schema id"),
            (4, "record 4: value schema id %d is not registered under subject "
                "'orders-value' (TopicNameStrategy)" % ids["other"])]
    for ver in (8, 9):
        err, base, recerrs, msg = wire_produce(bootstrap, ver, "orders", 0, batch)
        res.eq(err, INVALID_RECORD, "v%d: INVALID_RECORD" % ver)
        res.eq(base, -1, "v%d: no base offset" % ver)
        res.eq(recerrs, want, "v%d: record_errors name each bad record and why" % ver)
        res.eq(msg, want[0][1] + " (3 of 5 records rejected)", "v%d: error_message" % ver)
    res.eq(high(bootstrap, "orders"), 5, "log end offset unchanged")
    err, base, recerrs, msg = wire_produce(bootstrap, 8, "orders", 1, kwire.record_batch(
        [(None, good[0]), (b"any key", None)]))
    res.eq((err, base, recerrs, msg), (0, 0, [], None),
           "partition 1: good record and a tombstone pass (v8, no errors)")
    log = read_text(srv.stderr_path)
    for _idx, m in want:
        res.check(m in log, "server log carries '%s'" % m[:60])

    res.section("RecordNameStrategy and TopicRecordNameStrategy")
    dr = produce_ck(bootstrap, "rn", [(None, good[0])])
    res.check(dr[0][0] is None, "rn: Order's id is registered under 'com.example.Order'",
              dr)
    err, _b, recerrs, _m = wire_produce(bootstrap, 8, "rn", 0, kwire.record_batch(
        [(None, framed(ids["other"], b"\x02x"))]))
    res.eq(recerrs, [(0, "record 0: value schema id %d is not registered under subject "
                         "'com.example.Other' (RecordNameStrategy)" % ids["other"])],
           "rn: Other's id is not registered under 'com.example.Other'")
    dr = produce_ck(bootstrap, "trn", [(None, good[1])])
    res.check(dr[0][0] is None, "trn: Order's id is registered under 'trn-com.example.Order'",
              dr)
    err, _b, recerrs, _m = wire_produce(bootstrap, 8, "trn", 0, kwire.record_batch(
        [(None, framed(ids["other"], b"\x02x"))]))
    res.eq(recerrs, [(0, "record 0: value schema id %d is not registered under subject "
                         "'trn-com.example.Other' (TopicRecordNameStrategy)" % ids["other"])],
           "trn: Other's id is not registered under 'trn-com.example.Other'")
    dr = produce_ck(bootstrap, "trn", [(None, framed(ids["order"], b""))])
    res.check(dr[0][0] is None, "trn, id mode: the payload is not looked at", dr)

    res.section("key validation, separately from value validation")
    k1 = framed(ids["key"], avro_encode(KEY, {"id": 1}))
    dr = produce_ck(bootstrap, "keyed", [(k1, b"unframed value is fine"), (None, b"null key")])
    res.check(all(e is None for e, _ in dr), "framed key passes, null key passes, values free",
              dr)
    dr = produce_ck(bootstrap, "keyed", [(b"plain key", good[0])])
    res.eq(err_code(dr[0][0]), INVALID_RECORD, "an unframed key is refused")
    err, _b, recerrs, _m = wire_produce(bootstrap, 8, "keyed", 0, kwire.record_batch(
        [(k1, b"v"), (good[0], b"v")]))
    res.eq(recerrs, [(1, "record 1: key schema id %d is not registered under subject "
                         "'keyed-key' (TopicNameStrategy)" % ids["order"])],
           "a value schema's id in the key is refused, naming keyed-key")
    got = values(bootstrap, "keyed")
    res.eq(got, [(k1, b"unframed value is fine"), (None, b"null key")],
           "keyed: exactly the accepted records")

    res.section("full mode: Avro payloads decoded against their schema")
    dr = produce_ck(bootstrap, "orders-full", [(None, good[0]), (None, good[1])])
    res.check(all(e is None for e, _ in dr), "valid Avro datums pass", dr)
    bad_avro = [("truncated datum", framed(ids["order"], order(1)[:-2])),
                ("trailing bytes", framed(ids["order"], order(1) + b"\x00")),
                ("negative string length", framed(ids["order"], b"\x02\x03abc\x02"))]
    for what, val in bad_avro:
        err, _b, recerrs, _m = wire_produce(bootstrap, 8, "orders-full", 0,
                                            kwire.record_batch([(None, val)]))
        res.check(err == INVALID_RECORD and recerrs and recerrs[0][1].startswith(
            "record 0: value does not match schema id %d (AVRO)" % ids["order"]),
            "%s: refused with a reason" % what, (err, recerrs))
    res.eq(high(bootstrap, "orders-full"), 2, "orders-full: only the valid datums")

    res.section("full mode: JSON Schema payloads (Confluent's JSONSerializer)")
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.json_schema import JSONSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext
    src = SchemaRegistryClient({"url": url})
    ser = JSONSerializer(json.dumps(PAYMENT), src)
    ctx = SerializationContext("payments", MessageField.VALUE)
    v1 = ser({"amount": 12.5, "currency": "EUR"}, ctx)
    v2 = ser({"amount": 3}, ctx)
    jid = struct.unpack(">I", v1[1:5])[0]
    res.check(v1[0] == 0 and jid > 0, "JSONSerializer registered payments-value (id %d)" % jid)
    dr = produce_ck(bootstrap, "payments", [(None, v1), (None, v2)])
    res.check(all(e is None for e, _ in dr), "JSON documents valid against the schema pass", dr)
    bad_json = [("missing required property", framed(jid, b'{"currency": "EUR"}')),
                ("wrong type", framed(jid, b'{"amount": "lots"}')),
                ("not JSON", framed(jid, b'{"amount": 1'))]
    for what, val in bad_json:
        err, _b, recerrs, _m = wire_produce(bootstrap, 8, "payments", 0,
                                            kwire.record_batch([(None, val)]))
        res.check(err == INVALID_RECORD and recerrs and recerrs[0][1].startswith(
            "record 0: value does not match schema id %d (JSON)" % jid),
            "%s: refused with a reason" % what, (err, recerrs))
    res.eq([v for _, v in values(bootstrap, "payments")], [v1, v2],
           "payments: exactly the valid documents")

    res.section("IncrementalAlterConfigs turns validation off and on again")
    res.eq(incremental_alter(bootstrap, "orders", [("confluent.value.schema.validation", 0,
                                                    "false")]), (0, None), "SET ... false")
    dr = produce_ck(bootstrap, "orders", [(None, b"raw bytes now allowed")])
    res.check(dr[0][0] is None, "unframed record passes with validation off", dr)
    res.eq(incremental_alter(bootstrap, "orders", [("confluent.value.schema.validation", 0,
                                                    "true")]), (0, None), "SET ... true")
    dr = produce_ck(bootstrap, "orders", [(None, b"raw bytes refused again")])
    res.eq(err_code(dr[0][0]), INVALID_RECORD, "and refused again once it is back on")
    res.eq(incremental_alter(bootstrap, "orders", [("confluent.value.schema.validation", 1,
                                                    None)]), (0, None), "DELETE the override")
    dr = produce_ck(bootstrap, "orders", [(None, b"raw again")])
    res.check(dr[0][0] is None, "default (false) after DELETE", dr)
    got = values(bootstrap, "orders")
    res.eq([v for _, v in got], good[:5] + [b"raw bytes now allowed", b"raw again"],
           "orders-0 holds exactly what was accepted")
    res.eq(srv.stop(), 0, "clean stop")

    res.section("a server without a registry refuses validated topics")
    bare = harness.Server(binary, name="enforce-bare")
    res.servers.append(bare)
    b2 = bare.start()
    admin2 = AdminClient({"bootstrap.servers": b2})
    if create_topics(res, admin2, [("v", 1, {"confluent.value.schema.validation": "true"})]):
        dr = produce_ck(b2, "v", [(None, good[0])])
        res.eq(err_code(dr[0][0]), INVALID_RECORD, "framed record refused: nothing to check with")
        err, _b, _r, msg = wire_produce(b2, 8, "v", 0, kwire.record_batch([(None, good[0])]))
        res.check(err == INVALID_RECORD and msg and "--no-registry" in msg,
                  "error_message says why (--no-registry)", msg)
        res.eq(high(b2, "v"), 0, "nothing written")
    res.eq(bare.stop(), 0, "clean stop")


if __name__ == "__main__":
    harness.run("test_enforce", body)
