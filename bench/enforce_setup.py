#!/usr/bin/python3
"""enforce_setup.py - prepares bench/enforce.sh's run: registers an Avro schema over the
registry's REST API, creates one topic per validation setting with the Kafka admin API, and
writes the record values to send (Confluent-framed Avro datums of about 100 bytes, 1000
distinct ones) in sl_enforce_bench's VALUES_FILE format (u32 big-endian length + bytes).

Usage: /usr/bin/python3 enforce_setup.py BOOTSTRAP REGISTRY_URL VALUES_FILE PARTITIONS
Prints "schema_id=N avg_value_bytes=X".
"""
import io
import json
import struct
import sys
import urllib.request

import avro.io
import avro.schema
from confluent_kafka.admin import AdminClient, NewTopic

SCHEMA = {"type": "record", "name": "Order", "namespace": "bench",
          "fields": [{"name": "id", "type": "long"},
                     {"name": "customer", "type": "string"},
                     {"name": "item", "type": "string"},
                     {"name": "qty", "type": "int"},
                     {"name": "price", "type": "double"},
                     {"name": "ts", "type": "long"},
                     {"name": "status", "type": {"type": "enum", "name": "Status",
                                                 "symbols": ["NEW", "PAID", "SHIPPED"]}},
                     {"name": "note", "type": ["null", "string"], "default": None}]}

TOPICS = {
    "bench-off": {},
    "bench-id": {"confluent.value.schema.validation": "true"},
    "bench-full": {"confluent.value.schema.validation": "true",
                   "sluice.value.schema.validation.mode": "full"},
}


def main():
    bootstrap, url, out, parts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    ids = set()
    for topic in TOPICS:
        req = urllib.request.Request(
            "%s/subjects/%s-value/versions" % (url, topic),
            data=json.dumps({"schema": json.dumps(SCHEMA)}).encode(), method="POST",
            headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            ids.add(json.loads(r.read())["id"])
    if len(ids) != 1:
        raise SystemExit("expected one schema id, got %s" % ids)
    sid = ids.pop()
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fs = admin.create_topics([NewTopic(t, parts, 1, config=c) for t, c in TOPICS.items()])
    for t, f in fs.items():
        f.result(15)
    schema = avro.schema.parse(json.dumps(SCHEMA))
    writer = avro.io.DatumWriter(schema)
    total = 0
    with open(out, "wb") as f:
        for i in range(1000):
            buf = io.BytesIO()
            writer.write({"id": 1000000 + i, "customer": "customer-%05d@example.com" % (i * 7),
                          "item": "sku-%06d widget, blue, large (pack of 2)" % (i * 13), "qty": 1 + i % 9,
                          "price": 9.99 + i, "ts": 1700000000000 + i * 1000,
                          "status": ["NEW", "PAID", "SHIPPED"][i % 3],
                          "note": None if i % 2 else "leave at door"},
                         avro.io.BinaryEncoder(buf))
            v = b"\x00" + struct.pack(">I", sid) + buf.getvalue()
            f.write(struct.pack(">I", len(v)) + v)
            total += len(v)
    print("schema_id=%d avg_value_bytes=%.1f" % (sid, total / 1000.0))


if __name__ == "__main__":
    main()
