#!/usr/bin/python3
"""test_registry_python.py - confluent-kafka-python 1.7.0's Schema Registry clients against a real
sluice-server with its Schema Registry door (run with /usr/bin/python3: Debian's packages).

What is checked:
  * confluent_kafka.schema_registry.SchemaRegistryClient, the REST calls: register (same schema
    -> same id from a fresh client, under another subject, with other whitespace), get_schema by
    id, lookup_schema, get_latest_version, get_version, get_versions, get_subjects,
    test_compatibility (compatible and incompatible, BACKWARD and FORWARD), the 409 on
    registering an incompatible schema, set/get_compatibility per subject and global, soft and
    permanent deletes (ids not reused afterwards), a JSON Schema registration, an Avro schema
    with a reference, and the error codes 40401, 40402, 40403, 40404, 42201, 42202, 42203, 409.
  * The `sluice schema` CLI (when built) registers the same schema with the same id and prints
    the same text.
  * A JSON Schema round trip: SerializingProducer + JSONSerializer (auto-registers
    <topic>-value) -> broker -> DeserializingConsumer + JSONDeserializer; the framing id in the
    raw bytes is the registered id; values equal what was produced.
  * An Avro round trip with the Avro clients that run on Debian: the legacy AvroProducer /
    AvroConsumer (confluent_kafka.avro over python3-avro). confluent_kafka.schema_registry's
    AvroSerializer needs fastavro, which Debian does not package, so it is not used.

usage: /usr/bin/python3 tests/interop/test_registry_python.py [BUILD_DIR | sluice-server]
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402

from confluent_kafka import OFFSET_BEGINNING, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient  # noqa: E402
from confluent_kafka.schema_registry.error import SchemaRegistryError  # noqa: E402

ORDER_V1 = json.dumps({"type": "record", "name": "Order", "namespace": "sluice.py",
                       "fields": [{"name": "id", "type": "long"},
                                  {"name": "amount", "type": "double"}]}, indent=2)
ORDER_V2 = json.dumps({"type": "record", "name": "Order", "namespace": "sluice.py",
                       "fields": [{"name": "id", "type": "long"},
                                  {"name": "amount", "type": "double"},
                                  {"name": "note", "type": ["null", "string"], "default": None}]})
# v1 + a field without default: not BACKWARD (a new reader cannot fill it from old data)
ORDER_BAD = json.dumps({"type": "record", "name": "Order", "namespace": "sluice.py",
                        "fields": [{"name": "id", "type": "long"},
                                   {"name": "amount", "type": "double"},
                                   {"name": "customer", "type": "string"}]})
# v2 without 'amount': not FORWARD (a v2 reader needs 'amount', which has no default)
ORDER_V3_DROP = json.dumps({"type": "record", "name": "Order", "namespace": "sluice.py",
                            "fields": [{"name": "id", "type": "long"},
                                       {"name": "note", "type": ["null", "string"],
                                        "default": None}]})
READING = json.dumps({"type": "record", "name": "Reading", "namespace": "sluice.py",
                      "fields": [{"name": "sensor", "type": "string"},
                                 {"name": "value", "type": "double"},
                                 {"name": "seq", "type": "long"},
                                 {"name": "ok", "type": "boolean"},
                                 {"name": "unit", "type": {"type": "enum", "name": "Unit",
                                                           "symbols": ["C", "F", "K"]}},
                                 {"name": "labels", "type": {"type": "map", "values": "string"}},
                                 {"name": "prev", "type": ["null", "double"], "default": None}]})
PARCEL_JSON = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Parcel",
    "type": "object",
    "properties": {"id": {"type": "integer"}, "to": {"type": "string"},
                   "kg": {"type": "number"}, "tags": {"type": "array",
                                                      "items": {"type": "string"}}},
    "required": ["id", "to"],
})


def sr_error(fn):
    """(http status, error_code) of the SchemaRegistryError fn raises, or ('no error', result)."""
    try:
        return ("no error", fn())
    except SchemaRegistryError as e:
        return (e.http_status_code, e.error_code)


def find_cli(server_path):
    cli = os.path.join(os.path.dirname(os.path.dirname(server_path)), "clients", "sluice")
    return cli if os.access(cli, os.X_OK) else None


def rest_calls(res, url, cli):
    fresh = lambda: SchemaRegistryClient({"url": url})  # noqa: E731 - no client-side cache
    sr = fresh()
    S, S2 = "py-orders-value", "py-other-value"

    res.section("register and fetch (SchemaRegistryClient)")
    id1 = sr.register_schema(S, Schema(ORDER_V1, "AVRO"))
    res.check(isinstance(id1, int) and id1 > 0, "register returns a positive id (%r)" % id1)
    res.eq(fresh().register_schema(S, Schema(ORDER_V1, "AVRO")), id1,
           "the same schema again (fresh client) gets the same id")
    res.eq(fresh().register_schema(S, Schema(json.dumps(json.loads(ORDER_V1)), "AVRO")), id1,
           "the same schema with other whitespace gets the same id")
    res.eq(fresh().register_schema(S2, Schema(ORDER_V1, "AVRO")), id1,
           "the same schema under another subject gets the same id")
    got = fresh().get_schema(id1)
    res.eq(json.loads(got.schema_str), json.loads(ORDER_V1), "get_schema(id) returns the schema")
    res.eq(got.schema_type, "AVRO", "get_schema(id): type AVRO")
    reg = fresh().lookup_schema(S, Schema(ORDER_V1, "AVRO"))
    res.eq((reg.schema_id, reg.subject, reg.version), (id1, S, 1),
           "lookup_schema: id, subject, version 1")
    lv = fresh().get_latest_version(S)
    res.eq((lv.schema_id, lv.subject, lv.version), (id1, S, 1), "get_latest_version")
    v1 = fresh().get_version(S, 1)
    res.eq((v1.schema_id, v1.version, json.loads(v1.schema.schema_str)),
           (id1, 1, json.loads(ORDER_V1)), "get_version(S, 1)")
    res.eq(fresh().get_versions(S), [1], "one version after four registrations of one schema")
    subs = fresh().get_subjects()
    res.check(S in subs and S2 in subs, "get_subjects lists both subjects", subs)

    if cli:
        res.section("the sluice CLI agrees")
        p = subprocess.run([cli, "schema", "register", "--registry-url", url, "--subject",
                            "py-cli-value", "--schema", ORDER_V1], capture_output=True, text=True,
                           timeout=30)
        res.eq((p.returncode, p.stdout.strip()), (0, str(id1)),
               "sluice schema register: the same schema gets the same id")
        p = subprocess.run([cli, "schema", "get", "--registry-url", url, "--id", str(id1)],
                           capture_output=True, text=True, timeout=30)
        res.check(p.returncode == 0 and json.loads(p.stdout) == json.loads(ORDER_V1),
                  "sluice schema get --id prints the schema", (p.returncode, p.stdout, p.stderr))
    else:
        res.info("clients/sluice not built next to the server: CLI cross-check skipped")

    res.section("compatibility")
    res.eq(fresh().get_compatibility(), "BACKWARD", "global level defaults to BACKWARD")
    res.eq(fresh().test_compatibility(S, Schema(ORDER_V2, "AVRO")), True,
           "v2 (optional field with default) is compatible")
    res.eq(fresh().test_compatibility(S, Schema(ORDER_V2, "AVRO"), version=1), True,
           "v2 is compatible with version 1")
    res.eq(fresh().test_compatibility(S, Schema(ORDER_BAD, "AVRO")), False,
           "a new field without default is not BACKWARD compatible")
    res.eq(sr_error(lambda: fresh().register_schema(S, Schema(ORDER_BAD, "AVRO"))), (409, 409),
           "registering it: HTTP 409, error_code 409")
    res.eq(fresh().set_compatibility(S, "FULL"), {"compatibility": "FULL"},
           "set_compatibility(S, FULL) answers the level")
    res.eq(fresh().get_compatibility(S), "FULL", "the subject's level reads back FULL")
    res.eq(fresh().get_compatibility(), "BACKWARD", "the global level is unchanged")
    id2 = fresh().register_schema(S, Schema(ORDER_V2, "AVRO"))
    res.check(isinstance(id2, int) and id2 != id1, "v2 registers under FULL (id %r)" % id2)
    fresh().set_compatibility(S, "FORWARD")
    res.eq(fresh().test_compatibility(S, Schema(ORDER_V3_DROP, "AVRO")), False,
           "FORWARD: dropping a field without default is incompatible")
    fresh().set_compatibility(S, "BACKWARD")
    res.eq(fresh().test_compatibility(S, Schema(ORDER_V3_DROP, "AVRO")), True,
           "BACKWARD: dropping a field is compatible")
    res.eq(sr_error(lambda: fresh().set_compatibility(S, "SIDEWAYS")), (422, 42203),
           "an unknown level: 422/42203")
    res.eq(fresh().set_compatibility(None, "NONE"), {"compatibility": "NONE"}, "global NONE")
    res.eq(sr_error(lambda: fresh().register_schema(S, Schema(ORDER_BAD, "AVRO"))), (409, 409),
           "the subject's own level (BACKWARD) wins over the global NONE")
    id3 = fresh().register_schema(S2, Schema(ORDER_BAD, "AVRO"))
    res.check(isinstance(id3, int) and id3 not in (id1, id2),
              "a subject without a level of its own follows the global NONE (id %r)" % id3)
    fresh().set_compatibility(None, "BACKWARD")

    res.section("errors")
    res.eq(sr_error(lambda: fresh().get_latest_version("py-no-such-subject")), (404, 40401),
           "unknown subject: 404/40401")
    res.eq(sr_error(lambda: fresh().get_version(S, 42)), (404, 40402), "unknown version: 404/40402")
    res.eq(sr_error(lambda: fresh().get_version(S, "abc")), (422, 42202),
           "a version that is not a number: 422/42202")
    res.eq(sr_error(lambda: fresh().get_schema(987654)), (404, 40403), "unknown id: 404/40403")
    res.eq(sr_error(lambda: fresh().register_schema(
        S2, Schema('{"type":"record","name":"X","fields":[{"name":"a","type":"strin"}]}',
                   "AVRO"))), (422, 42201), "invalid Avro schema: 422/42201")

    res.section("JSON Schema through the REST client")
    jid = fresh().register_schema("py-parcel-value", Schema(PARCEL_JSON, "JSON"))
    res.check(isinstance(jid, int) and jid not in (id1, id2), "JSON Schema registered (%r)" % jid)
    js = fresh().get_schema(jid)
    res.eq((js.schema_type, json.loads(js.schema_str)), ("JSON", json.loads(PARCEL_JSON)),
           "get_schema: type JSON and the schema")

    res.section("Avro schema references")
    from confluent_kafka.schema_registry import SchemaReference
    addr = json.dumps({"type": "record", "name": "Address", "namespace": "sluice.py",
                       "fields": [{"name": "street", "type": "string"}]})
    cust = json.dumps({"type": "record", "name": "Customer", "namespace": "sluice.py",
                       "fields": [{"name": "name", "type": "string"},
                                  {"name": "home", "type": "sluice.py.Address"}]})
    aid = fresh().register_schema("py-address", Schema(addr, "AVRO"))
    cid = fresh().register_schema("py-customer-value", Schema(
        cust, "AVRO", [SchemaReference("sluice.py.Address", "py-address", 1)]))
    res.check(isinstance(cid, int) and cid != aid, "a schema with a reference registers (%r)" % cid)
    got = fresh().get_schema(cid)
    res.eq([(r.name, r.subject, r.version) for r in got.references],
           [("sluice.py.Address", "py-address", 1)], "get_schema(id) returns the reference")
    res.eq(sr_error(lambda: fresh().register_schema("py-customer2-value", Schema(cust, "AVRO"))),
           (422, 42201), "the same schema without its reference: 422/42201 (unknown type)")

    res.section("delete")
    before = fresh().get_versions(S)
    last = before[-1]
    res.eq(fresh().delete_version(S, last), last, "delete_version answers the version")
    res.eq(fresh().get_versions(S), before[:-1], "the version is gone from the list")
    res.eq(fresh().delete_subject(S), before[:-1], "delete_subject answers the live versions")
    res.check(S not in fresh().get_subjects(), "the subject is not listed any more")
    res.eq(sr_error(lambda: fresh().get_latest_version(S)), (404, 40401),
           "a soft-deleted subject: 404/40401")
    res.eq(json.loads(fresh().get_schema(id2).schema_str), json.loads(ORDER_V2),
           "a soft-deleted schema is still readable by id")
    res.eq(sr_error(lambda: fresh().delete_subject(S)), (404, 40404),
           "soft-deleting a soft-deleted subject again: 404/40404")
    # confluent-kafka 1.7's permanent delete is a soft DELETE followed by ?permanent=true
    P = "py-perm-value"
    fresh().register_schema(P, Schema(ORDER_V2, "AVRO"))
    res.eq(fresh().delete_subject(P, permanent=True), [1], "delete_subject(permanent=True)")
    res.eq(sr_error(lambda: fresh().get_versions(P)), (404, 40401),
           "a permanently deleted subject: 404/40401")
    res.check(P not in fresh().get_subjects(), "a permanently deleted subject is not listed")
    res.eq(json.loads(fresh().get_schema(id1).schema_str), json.loads(ORDER_V1),
           "id1 still served (another subject uses it)")
    idn = fresh().register_schema(S, Schema(READING, "AVRO"))
    res.check(idn not in (id1, id2, id3, jid), "a new schema after deletes gets an unused id (%r)" % idn)
    return id1


def make_topics(bs, names):
    a = AdminClient({"bootstrap.servers": bs})
    for t, f in a.create_topics([NewTopic(n, 1, 1) for n in names]).items():
        f.result(15)


def json_round_trip(res, url, bs):
    from confluent_kafka import DeserializingConsumer, SerializingProducer
    from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
    from confluent_kafka.serialization import StringSerializer

    res.section("JSON Schema round trip (JSONSerializer -> broker -> JSONDeserializer)")
    topic = "py-json"
    sr = SchemaRegistryClient({"url": url})
    p = SerializingProducer({"bootstrap.servers": bs, "acks": "all",
                             "key.serializer": StringSerializer("utf_8"),
                             "value.serializer": JSONSerializer(PARCEL_JSON, sr)})
    sent = []
    for i in range(20):
        v = {"id": i, "to": "street %d ÿ" % i, "kg": i * 0.25}
        if i % 3 == 0:
            v["tags"] = ["fragile", "x%d" % i]
        sent.append(v)
        p.produce(topic, key="k%d" % i, value=v)
    left = p.flush(20)
    res.eq(left, 0, "all 20 JSON records delivered")
    bad = None
    try:
        p.produce(topic, value={"id": "nope"})
    except Exception as e:  # noqa: BLE001 - the serializer's own error type varies
        bad = e
    res.check(bad is not None, "JSONSerializer refuses a value that breaks the schema", bad)
    reg = sr.lookup_schema("%s-value" % topic, Schema(PARCEL_JSON, "JSON"))
    res.eq(reg.version, 1, "JSONSerializer auto-registered %s-value version 1" % topic)
    raw, errs = harness.ck_read_all(bs, topic, [0])
    ids = {int.from_bytes(r[2][1:5], "big") for r in raw[0]} if raw[0] else set()
    magics = {r[2][0] for r in raw[0]}
    res.eq((magics, ids), ({0}, {reg.schema_id}), "raw records: magic 0 and the registered id")
    c = DeserializingConsumer({"bootstrap.servers": bs, "group.id": "py-json-reader",
                               "enable.auto.commit": False, "auto.offset.reset": "earliest",
                               "value.deserializer": JSONDeserializer(PARCEL_JSON)})
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    got = []
    deadline = time.monotonic() + 20
    while len(got) < len(sent) and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            got.append(m.value())
    c.close()
    res.eq(got, sent, "decoded JSON values equal what was produced")


def avro_round_trip(res, url, bs):
    from confluent_kafka import avro
    from confluent_kafka.avro import AvroConsumer, AvroProducer

    res.section("Avro round trip (AvroProducer -> broker -> AvroConsumer, python3-avro)")
    topic = "py-avro"
    p = AvroProducer({"bootstrap.servers": bs, "schema.registry.url": url, "acks": "all"},
                     default_value_schema=avro.loads(READING))
    sent = []
    for i in range(20):
        v = {"sensor": "s-%d" % (i % 4), "value": i * 1.5 - 3, "seq": 10 ** 12 + i,
             "ok": i % 2 == 0, "unit": "CFK"[i % 3], "labels": {"room": "r%d" % i} if i % 2 else {},
             "prev": None if i % 5 == 0 else i - 0.5}
        sent.append(v)
        p.produce(topic=topic, value=v)
    res.eq(p.flush(20), 0, "all 20 Avro records delivered")
    reg = SchemaRegistryClient({"url": url}).lookup_schema("%s-value" % topic,
                                                           Schema(READING, "AVRO"))
    raw, _ = harness.ck_read_all(bs, topic, [0])
    ids = {int.from_bytes(r[2][1:5], "big") for r in raw[0]}
    res.eq(ids, {reg.schema_id}, "AvroProducer framed every record with the id SchemaRegistryClient "
           "looks up for %s-value" % topic)
    c = AvroConsumer({"bootstrap.servers": bs, "schema.registry.url": url,
                      "group.id": "py-avro-reader", "auto.offset.reset": "earliest",
                      "enable.auto.commit": False})
    c.subscribe([topic])
    got = []
    deadline = time.monotonic() + 30
    while len(got) < len(sent) and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            got.append(m.value())
    c.close()
    res.eq(got, sent, "AvroConsumer decoded values equal what was produced")


def body(res):
    server_path = harness.find_server()
    srv = harness.Server(server_path, registry=True, name="registry-python")
    res.servers.append(srv)
    bs = srv.start()
    url = srv.registry_url
    res.info("broker %s, registry %s" % (bs, url))
    make_topics(bs, ["py-json", "py-avro"])
    for name, fn in (("REST calls", lambda: rest_calls(res, url, find_cli(server_path))),
                     ("JSON round trip", lambda: json_round_trip(res, url, bs)),
                     ("Avro round trip", lambda: avro_round_trip(res, url, bs))):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - one failure, go on with the next part
            import traceback
            res.fail("%s aborted by %s: %s" % (name, type(e).__name__, e), traceback.format_exc())
    res.section("clean stop")
    res.eq(srv.stop(), 0, "SIGTERM: server exits 0")


if __name__ == "__main__":
    harness.run("test_registry_python", body)
