#!/usr/bin/python3
"""test_ksql_runner.py - unit tests of the ksqlDB conformance runners' own logic.

usage: /usr/bin/python3 test_ksql_runner.py [SERVER] [unittest options]

The runners (ksql_qtt.py, ksql_rest.py, ksql_common.py) decide pass or fail for every case, so
their pure parts are checked here against independent oracles where one exists: the Avro codec
against python3-avro, the record-batch writer against kafka-python's parser, murmur2 against
kafka-python's partitioner, CRC-32C against its published check value. The comparison rules
are pinned to what ksqlDB's harness does (ExpectedRecordComparator, matchResponseFields).

With SERVER (a sluice-server binary or build dir; else $SLUICE_SERVER) the plumbing tests also
run against a real server: topic creation, producing with timestamp 0 and null header values,
reading back, registry registration (also with a given id), and the door announcement. Without
a server they are skipped.
"""
import argparse
import io
import json
import os
import random
import struct
import sys
import tempfile
import time
import unittest
import warnings
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ksql_common as kc  # noqa: E402
import ksql_qtt  # noqa: E402
import ksql_rest  # noqa: E402

warnings.simplefilter("ignore", ImportWarning)   # kafka-python's vendored six on 3.11
SERVER_ARG = None
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    SERVER_ARG = sys.argv.pop(1)

D = Decimal


def jl(text):
    return json.loads(text, parse_float=Decimal)


class CaseFilesTest(unittest.TestCase):
    def test_format_expansion(self):
        doc = {"tests": [{"name": "t", "format": ["AVRO", "JSON"],
                          "statements": ["CREATE STREAM A (K INT KEY) WITH (format='{FORMAT}');",
                                         "CREATE STREAM B AS SELECT * FROM A;"]},
                         {"name": "plain", "statements": ["SELECT 1;"]}]}
        cases = kc.expand_cases("f.json", doc)
        self.assertEqual([c.name for c in cases], ["t - AVRO", "t - JSON", "plain"])
        self.assertEqual(cases[0].statements[0],
                         "CREATE STREAM A (K INT KEY) WITH (format='AVRO');")
        self.assertEqual(cases[1].statements[0],
                         "CREATE STREAM A (K INT KEY) WITH (format='JSON');")
        self.assertEqual(cases[0].fmt, "AVRO")
        self.assertIsNone(cases[2].fmt)
        self.assertEqual(cases[0].full_name, "f.json: t - AVRO")

    def test_scope(self):
        def case(stmts, **extra):
            node = {"name": "x", "statements": stmts}
            node.update(extra)
            return kc.Case("f.json", node, None)
        self.assertIsNone(case(["CREATE STREAM S AS SELECT ABS(X) FROM T;"]).scope)
        self.assertEqual(case(["SELECT 1;"], enabled=False).scope, "disabled in ksqlDB")
        self.assertEqual(case(["CREATE STREAM A (K INT KEY) WITH (format='PROTOBUF');"]).scope,
                         "PROTOBUF")
        self.assertEqual(case(["SELECT 1;"], topics=[{"name": "t", "valueFormat": "PROTOBUF"}])
                         .scope, "PROTOBUF")
        self.assertEqual(case(["CREATE STREAM S AS SELECT test_udf (a, b) FROM T;"]).scope,
                         "Java test UDF TEST_UDF")
        # a column that happens to carry the name is no call
        self.assertIsNone(case(["CREATE STREAM S AS SELECT test_udf FROM T;"]).scope)
        # the "format" list is expanded before scoping: only the PROTOBUF variant is out
        doc = {"tests": [{"name": "t", "format": ["JSON", "PROTOBUF"],
                          "statements": ["CREATE STREAM A (K INT KEY) WITH (format='{FORMAT}');"]}]}
        self.assertEqual([c.scope for c in kc.expand_cases("f.json", doc)], [None, "PROTOBUF"])

    def test_selection(self):
        import re
        c = kc.Case("math.json", {"name": "abs", "statements": []}, None)
        self.assertTrue(kc.case_selected(c, None))
        self.assertTrue(kc.case_selected(c, re.compile("^math")))
        self.assertTrue(kc.case_selected(c, re.compile("abs")))
        self.assertFalse(kc.case_selected(c, re.compile("joins")))

    def test_load_keeps_decimals(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "a.json"), "w") as f:
                f.write('{"tests": [{"name": "n", "statements": [], '
                        '"outputs": [{"topic": "t", "value": {"V": 1.50}}]}]}')
            [(fn, cases)] = kc.load_cases(d)
            self.assertEqual(fn, "a.json")
            v = cases[0].node["outputs"][0]["value"]["V"]
            self.assertIsInstance(v, Decimal)
            self.assertEqual(str(v), "1.50")

    def test_topics_for_case(self):
        node = {"name": "x", "statements": [
            "CREATE STREAM A (K INT KEY, V INT) WITH (kafka_topic='in_a', value_format='JSON');",
            "CREATE STREAM B (K INT KEY) WITH (kafka_topic='in_b', value_format='JSON', "
            "partitions=2);",
            "CREATE STREAM C WITH (kafka_topic='sink') AS SELECT * FROM A;"],
            "topics": [{"name": "given", "valueSchema": {"type": "record", "name": "R",
                                                         "fields": []},
                        "valueFormat": "AVRO", "keySchema": "int", "keyFormat": "AVRO",
                        "valueSchemaId": 7},
                       {"name": "js", "partitions": 3, "valueFormat": "JSON_SR",
                        "valueSchema": {"type": "object"}}],
            "inputs": [{"topic": "extra", "value": {}}, {"topic": "in_a", "value": {}}],
            "outputs": [{"topic": "sink", "value": {}}]}
        create, schemas = kc.topics_for_case(kc.Case("f.json", node, None))
        self.assertEqual(create, {"given": 1, "js": 3, "in_a": 4, "in_b": 2, "extra": 4})
        self.assertEqual(sorted((s, t, i) for s, _x, t, i in schemas),
                         [("given-key", "AVRO", None), ("given-value", "AVRO", 7),
                          ("js-value", "JSON", None)])
        self.assertIn(("given-key", '"int"', "AVRO", None), schemas)

    def test_statement_sources(self):
        info = kc.statement_sources([
            "CREATE STREAM A (K STRING KEY, V INT, H BYTES HEADER('h')) "
            "WITH (kafka_topic='t', key_format='JSON', value_format='AVRO');",
            "CREATE TABLE W AS SELECT K, COUNT(*) FROM A WINDOW TUMBLING (SIZE 30 SECONDS) "
            "GROUP BY K;",
            "CREATE STREAM S WITH (value_format='DELIMITED') AS SELECT * FROM A;",
            "CREATE STREAM X (K INT KEY) WITH (kafka_topic='x', format='KAFKA', "
            "window_type='Session');"],
            {"ksql.output.topic.name.prefix": "p_"})
        self.assertEqual(info["A"]["key_cols"], [("K", "STRING")])
        self.assertEqual(info["A"]["value_cols"], [("V", "INTEGER")])
        self.assertEqual((info["W"]["topic"], info["W"]["key_format"], info["W"]["value_format"],
                          info["W"]["window"], info["W"]["window_size"]),
                         ("p_W", "JSON", "AVRO", "TIME", 30000))
        self.assertEqual((info["S"]["key_format"], info["S"]["value_format"]),
                         ("JSON", "DELIMITED"))
        self.assertEqual(info["X"]["window"], "SESSION")
        self.assertEqual((info["X"]["key_format"], info["X"]["value_format"]), ("KAFKA", "KAFKA"))


    def test_reset_keeps_only_the_servers_own_topics(self):
        s = kc.Session("/nonexistent", argparse.Namespace(keep=False, isolation="file"))
        s.preserved = {"boot_topic"}
        for t in ("boot_topic", "__consumer_offsets", "_schemas",
                  "_confluent-ksql-default__command_topic", "default_ksql_processing_log",
                  "_sluice_sql_commands"):
            self.assertTrue(s._preserved(t), t)
        for t in ("test_topic", "OUTPUT", "S1",
                  "_confluent-ksql-default_query_CTAS_T_1-Aggregate-Materialize-changelog",
                  "_x-KSTREAM-REPARTITION-repartition"):
            self.assertFalse(s._preserved(t), t)


class SchemaTextTest(unittest.TestCase):
    def test_parse_schema(self):
        self.assertEqual(kc.parse_schema("`K` STRING KEY, `V` INT"),
                         [("K", "STRING", "KEY"), ("V", "INTEGER", "VALUE")])
        self.assertEqual(kc.parse_schema("ID BIGINT PRIMARY KEY, name VARCHAR, `foo` DECIMAL(4,2)"),
                         [("ID", "BIGINT", "KEY"), ("NAME", "STRING", "VALUE"),
                          ("foo", "DECIMAL(4, 2)", "VALUE")])
        self.assertEqual(kc.parse_schema("S STRUCT<F1 VARCHAR, `f2` ARRAY<ARRAY<INT>>>"),
                         [("S", "STRUCT<`F1` STRING, `f2` ARRAY<ARRAY<INTEGER>>>", "VALUE")])
        self.assertEqual(kc.parse_schema("ID STRING KEY, S STRUCT< >"),
                         [("ID", "STRING", "KEY"), ("S", "STRUCT<>", "VALUE")])
        self.assertEqual(kc.parse_schema("M MAP<STRING, BIGINT>, H1 BYTES HEADER('abc'), "
                                         "H2 ARRAY<STRUCT<`KEY` STRING, `VALUE` BYTES>> HEADERS"),
                         [("M", "MAP<STRING, BIGINT>", "VALUE"), ("H1", "BYTES", "HEADER('abc')"),
                          ("H2", "ARRAY<STRUCT<`KEY` STRING, `VALUE` BYTES>>", "HEADERS")])
        # ksqlDB's DIGIT_IDENTIFIER: a name may start with digits
        self.assertEqual(kc.parse_schema("1R DECIMAL(33,16)"), [("1R", "DECIMAL(33, 16)", "VALUE")])
        self.assertEqual(kc.tokenize("1e3 1R"), [("num", "1e3"), ("word", "1R")])
        with self.assertRaises(kc.SchemaParseError):
            kc.parse_schema("K STRING KEY K2")

    def test_describe_matches_text(self):
        fields = [{"name": "K", "schema": {"type": "STRING"}, "type": "KEY"},
                  {"name": "D", "schema": {"type": "DECIMAL",
                                           "parameters": {"precision": 4, "scale": 2}}},
                  {"name": "S", "schema": {"type": "STRUCT", "fields": [
                      {"name": "f1", "schema": {"type": "ARRAY",
                                                "memberSchema": {"type": "INTEGER"}}}]}},
                  {"name": "M", "schema": {"type": "MAP", "memberSchema": {"type": "BIGINT"}}},
                  {"name": "H", "schema": {"type": "BYTES"}, "type": "HEADER",
                   "headerKey": "h"},
                  {"name": "ROWTIME", "schema": {"type": "BIGINT"}, "type": "SYSTEM"}]
        self.assertEqual(
            kc.keys_first(kc.columns_from_describe(fields)),
            kc.keys_first(kc.parse_schema("D DECIMAL(4, 2), `K` VARCHAR KEY, "
                                          "S STRUCT<`f1` ARRAY<INT>>, M MAP<VARCHAR, BIGINT>, "
                                          "H BYTES HEADER('h')")))
        self.assertEqual(kc.schema_text(kc.parse_schema("K INT KEY, V STRING")),
                         "`K` INTEGER KEY, `V` STRING")

    def test_parse_create(self):
        c = kc.parse_create("CREATE OR REPLACE STREAM IF NOT EXISTS `my s` (K INT KEY, V "
                            "ARRAY<INT>) WITH (KAFKA_TOPIC='t', partitions=3, "
                            "value_format='JSON');")
        self.assertEqual((c["kind"], c["name"], c["as_select"]), ("STREAM", "my s", False))
        self.assertEqual(c["columns"], [("K", "INTEGER", "KEY"), ("V", "ARRAY<INTEGER>", "VALUE")])
        self.assertEqual(c["props"], {"KAFKA_TOPIC": "t", "PARTITIONS": D(3),
                                      "VALUE_FORMAT": "JSON"})
        c = kc.parse_create("create table t2 with (format='AVRO') as select * from s1 "
                            "group by a;")
        self.assertEqual((c["kind"], c["name"], c["columns"], c["as_select"], c["from"]),
                         ("TABLE", "T2", None, True, "S1"))
        self.assertIsNone(kc.parse_create("INSERT INTO S SELECT * FROM T;"))
        self.assertIsNone(kc.parse_create("CREATE TYPE ADDRESS AS STRUCT<A INT>;"))
        self.assertEqual(kc.window_of_statement("... WINDOW HOPPING (SIZE 2 MINUTES, "
                                                "ADVANCE BY 1 MINUTE) ..."), ("TIME", 120000))
        self.assertEqual(kc.window_of_statement("WINDOW SESSION (30 SECONDS)"),
                         ("SESSION", None))


class SerdeTest(unittest.TestCase):
    def test_kafka_format(self):
        self.assertEqual(kc.kafka_encode(1, "INTEGER"), b"\x00\x00\x00\x01")
        self.assertEqual(kc.kafka_encode(-2, "BIGINT"), struct.pack(">q", -2))
        self.assertEqual(kc.kafka_encode(D("1.5"), "DOUBLE"), struct.pack(">d", 1.5))
        self.assertEqual(kc.kafka_encode("ü", "STRING"), "ü".encode())
        self.assertEqual(kc.kafka_encode(7, "STRING"), b"7")
        with self.assertRaises(kc.SerdeError):
            kc.kafka_encode(True, "BOOLEAN")
        self.assertEqual(kc.kafka_decode(b"\x00\x00\x00\x01", "INTEGER"), 1)
        self.assertEqual(kc.kafka_decode(struct.pack(">d", 2.5), "DOUBLE"), 2.5)
        with self.assertRaises(kc.DecodeError):
            kc.kafka_decode(b"\x00\x01", "INTEGER")
        # no type known: the expected value's shape decides
        self.assertEqual(kc.kafka_decode(struct.pack(">q", 5), None, hint=5), 5)
        self.assertEqual(kc.kafka_decode(b"abc", None, hint="x"), "abc")

    def test_input_numbers_as_the_harness_rereads_them(self):
        self.assertEqual(kc.normalize_spec(jl('{"A": 1e3, "B": [1.50, 1.5E-1], "C": "1e3"}')),
                         {"A": 1000, "B": [D("1.50"), D("0.15")], "C": "1e3"})
        self.assertIsInstance(kc.normalize_spec(D("1E+3")), int)

    def test_json_text(self):
        v = jl('{"A": 1.50, "B": [1, -2.0e3, null, true], "C": "ü\\"", "D": {}}')
        self.assertEqual(kc.json_text(v), '{"A":1.50,"B":[1,-2.0E+3,null,true],"C":"ü\\"","D":{}}')
        self.assertEqual(kc.serialize("JSON", "x", None, None, "t-value"), b'"x"')
        self.assertEqual(kc.serialize("DELIMITED", "1,a", None, None, "t-value"), b"1,a")
        self.assertEqual(kc.serialize("DELIMITED", True, None, None, "t-value"), b"true")
        self.assertIsNone(kc.serialize("JSON", None, None, None, "t-value"))
        self.assertIsNone(kc.serialize("NONE", 5, None, None, "t-key"))
        self.assertEqual(kc.deserialize("JSON", b'{"a": 1.0}', None, None), {"a": D("1.0")})
        self.assertEqual(kc.deserialize("JSON_SR", b"\x00\x00\x00\x00\x05[1]", None, None), [1])
        with self.assertRaises(kc.DecodeError):
            kc.deserialize("JSON_SR", b"[1]", None, None)

    AVRO_SCHEMA = {
        "type": "record", "name": "KsqlDataSourceSchema", "namespace": "io.confluent.ksql",
        "fields": [
            {"name": "ID", "type": ["null", "long"], "default": None},
            {"name": "NAME", "type": ["null", "string"], "default": None},
            {"name": "PRICE", "type": ["null", {"type": "bytes", "logicalType": "decimal",
                                                "precision": 6, "scale": 2}], "default": None},
            {"name": "RAW", "type": ["null", "bytes"], "default": None},
            {"name": "TAGS", "type": ["null", {"type": "array", "items": ["null", "int"]}],
             "default": None},
            {"name": "M", "type": ["null", {"type": "map", "values": ["null", "double"]}],
             "default": None},
            {"name": "COLOR", "type": {"type": "enum", "name": "Color",
                                       "symbols": ["RED", "GREEN"]}},
            {"name": "INNER", "type": ["null", {"type": "record", "name": "Inner", "fields": [
                {"name": "X", "type": "int"}, {"name": "Y", "type": "boolean"}]}],
             "default": None},
            {"name": "AGAIN", "type": ["null", "Inner"], "default": None},
            {"name": "TS", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "F", "type": "float"},
        ]}

    def test_avro_against_python_avro(self):
        import avro.io
        import avro.schema
        spec = jl('{"id": 12345678901, "Name": "ü", "price": 12.30, "raw": "AQID", '
                  '"tags": [1, null, 3], "M": {"a": 1.5, "b": null}, "COLOR": "GREEN", '
                  '"INNER": {"x": 7, "y": true}, "AGAIN": null, "TS": 1600000000000, '
                  '"F": 0.5}')
        s = kc.AvroSchema(json.dumps(self.AVRO_SCHEMA))
        data = s.encode(spec)
        oracle = avro.io.DatumReader(avro.schema.parse(json.dumps(self.AVRO_SCHEMA)))
        got = oracle.read(avro.io.BinaryDecoder(io.BytesIO(data)))
        self.assertEqual(got["ID"], 12345678901)
        self.assertEqual(got["NAME"], "ü")
        self.assertEqual(got["PRICE"], D("12.30"))
        self.assertEqual(got["RAW"], b"\x01\x02\x03")
        self.assertEqual(got["TAGS"], [1, None, 3])
        self.assertEqual(got["M"], {"a": 1.5, "b": None})
        self.assertEqual(got["COLOR"], "GREEN")
        self.assertEqual(got["INNER"], {"X": 7, "Y": True})
        self.assertIsNone(got["AGAIN"])
        self.assertEqual(got["F"], 0.5)
        # python-avro's encoder -> our decoder
        buf = io.BytesIO()
        writer = avro.io.DatumWriter(avro.schema.parse(json.dumps(self.AVRO_SCHEMA)))
        writer.write(got, avro.io.BinaryEncoder(buf))
        back = s.decode(buf.getvalue())
        self.assertEqual(back["PRICE"], D("12.30"))
        self.assertEqual(back["TS"], 1600000000000)
        self.assertEqual(back["INNER"], {"X": 7, "Y": True})
        self.assertEqual(back["RAW"], b"\x01\x02\x03")
        # and compared the way ksqlDB's harness compares it (top-level bytes -> base64)
        self.assertTrue(kc.qtt_match(kc.coerce_record_fields(back), jl(
            '{"ID": 12345678901, "NAME": "ü", "PRICE": 12.30, "RAW": "AQID", '
            '"TAGS": [1, null, 3], "M": {"a": 1.5, "b": null}, "COLOR": "GREEN", '
            '"INNER": {"X": 7, "Y": true}, "AGAIN": null, "TS": 1600000000000, "F": 0.5}')))

    def test_avro_errors_and_primitives(self):
        s = kc.AvroSchema('"int"')
        self.assertEqual(s.decode(s.encode(-3)), -3)
        with self.assertRaises(kc.SerdeError):
            s.encode(None)
        dec = kc.AvroSchema('{"type": "bytes", "logicalType": "decimal", "precision": 4, '
                            '"scale": 2}')
        self.assertEqual(dec.decode(dec.encode(D("-1.5"))), D("-1.50"))
        with self.assertRaises(kc.SerdeError):
            dec.encode(D("1.234"))      # would need rounding
        with self.assertRaises(kc.SerdeError):
            dec.encode(D("123.4"))      # 5 digits > precision 4
        multi = kc.AvroSchema('["null", "int", "string"]')
        self.assertEqual(multi.decode(multi.encode("x")), {"int": None, "string": "x"})
        with self.assertRaises(kc.DecodeError):
            kc.AvroSchema('"string"').decode(b"\x06ab")
        self.assertEqual(kc.confluent_unframe(kc.confluent_frame(513, b"x")), (513, b"x"))

    def test_windowed_keys(self):
        t = kc.window_wrap(b"k", {"start": 1000, "end": 2000, "type": "time"}, "TIME")
        self.assertEqual(t, b"k" + struct.pack(">q", 1000))
        self.assertEqual(kc.window_unwrap(t, "TIME", 1000),
                         (b"k", {"start": 1000, "end": 2000, "type": "TIME"}))
        s = kc.window_wrap(b"k", {"start": 1000, "end": 1500, "type": "session"}, "SESSION")
        self.assertEqual(s, b"k" + struct.pack(">qq", 1500, 1000))
        self.assertEqual(kc.window_unwrap(s, "SESSION", None),
                         (b"k", {"start": 1000, "end": 1500, "type": "SESSION"}))

    def test_record_batch_against_kafka_python(self):
        from kafka.record.default_records import DefaultRecordBatch
        recs = [(b"k", b"v", 0, []), (None, None, 5, [("abc", None), ("d", b"\x01")]),
                (b"k3", b"", 1234567890123, [])]
        data = kc.encode_record_batch(recs)
        batch = DefaultRecordBatch(bytearray(data))
        self.assertTrue(batch.validate_crc())
        got = [(r.key, r.value, r.timestamp, [(k, v) for k, v in r.headers]) for r in batch]
        self.assertEqual(got, [(b"k", b"v", 0, []),
                               (None, None, 5, [("abc", None), ("d", b"\x01")]),
                               (b"k3", b"", 1234567890123, [])])
        self.assertEqual(kc.crc32c(b"123456789"), 0xE3069283)

    def test_murmur2_against_kafka_python(self):
        from kafka.partitioner.default import murmur2
        rnd = random.Random(7)
        for n in range(200):
            key = bytes(rnd.randrange(256) for _ in range(n % 23))
            self.assertEqual(kc.murmur2(key), murmur2(key) & 0xFFFFFFFF, key)
        self.assertEqual(kc.default_partition(b"k", 1), 0)
        self.assertEqual(kc.default_partition(None, 4), 0)
        self.assertEqual(kc.default_partition(b"abc", 4),
                         (murmur2(b"abc") & 0x7FFFFFFF) % 4)


class CompareTest(unittest.TestCase):
    def test_numbers_like_expected_record_comparator(self):
        m = kc.qtt_match
        self.assertTrue(m(1, 1))
        self.assertTrue(m(1, D("1.9")))           # Integer vs DecimalNode: intValue() truncates
        self.assertTrue(m(1.0, 1))                # Double vs int: doubleValue()
        self.assertTrue(m(1.5, D("1.50")))
        self.assertTrue(m(D("10"), 10))
        self.assertTrue(m(D("1E+1"), 10))         # BigDecimal with negative scale
        self.assertFalse(m(D("1.0"), 1))          # BigDecimal with a fraction part vs int
        self.assertTrue(m(D("1.50"), D("1.50")))
        self.assertFalse(m(D("1.5"), D("1.50")))  # BigDecimal.equals: scale matters
        self.assertTrue(m(D("1.50"), "1.50"))     # text vs BigDecimal
        self.assertFalse(m(D("1.5"), "1.50"))
        self.assertFalse(m("1", 1))
        self.assertFalse(m(True, 1))
        self.assertFalse(m(1, True))
        self.assertTrue(m(None, None))
        self.assertFalse(m(0, None))

    def test_structures(self):
        m = kc.qtt_match
        self.assertTrue(m({"NAME": "a"}, {"name": "a"}))          # upper-case fallback
        self.assertFalse(m({"name": "a"}, {"NAME": "a"}))
        self.assertFalse(m({"A": 1, "B": None}, {"A": 1}))        # field count must match
        self.assertTrue(m({"A": None}, {"A": None}))
        self.assertTrue(m([1, [2]], [1, [2]]))
        self.assertFalse(m([1, 2], [1]))
        self.assertEqual(kc.coerce_record_fields({"B": b"\x01", "E": b"", "S": "x"}),
                         {"B": "AQ==", "E": None, "S": "x"})

    def rec(self, **kw):
        r = {"partition": 0, "offset": 0, "key": "k", "value": {"V": 1}, "timestamp": 10,
             "headers": [], "window": None, "key_error": None, "value_error": None}
        r.update(kw)
        return r

    def test_compare_record(self):
        c = kc.compare_record
        self.assertIsNone(c(self.rec(), {"key": "k", "value": {"V": 1}, "timestamp": 10}, False))
        self.assertIsNone(c(self.rec(), {"key": "k", "value": {"V": 1}}, False))
        self.assertIn("timestamp", c(self.rec(), {"key": "k", "value": {"V": 1},
                                                  "timestamp": 11}, False))
        # INSERT VALUES cases (no inputs): an expected timestamp 0 means "any"
        self.assertIsNone(c(self.rec(), {"key": "k", "value": {"V": 1}, "timestamp": 0}, True))
        self.assertIn("timestamp", c(self.rec(), {"key": "k", "value": {"V": 1},
                                                  "timestamp": 0}, False))
        self.assertIn("key", c(self.rec(), {"value": {"V": 1}}, False))     # missing key = null
        # headers are compared only when the case gives them
        h = self.rec(headers=[("a", b"\x01"), ("a", None)])
        self.assertIsNone(c(h, {"key": "k", "value": {"V": 1}}, False))
        self.assertIsNone(c(h, {"key": "k", "value": {"V": 1},
                                "headers": [{"KEY": "a", "VALUE": "AQ=="},
                                            {"KEY": "a", "VALUE": None}]}, False))
        self.assertIn("headers", c(h, {"key": "k", "value": {"V": 1}, "headers": []}, False))
        w = self.rec(window={"start": 0, "end": 1000, "type": "TIME"})
        self.assertIsNone(c(w, {"key": "k", "value": {"V": 1},
                                "window": {"start": 0, "end": 1000, "type": "time"}}, False))
        self.assertIn("window", c(w, {"key": "k", "value": {"V": 1},
                                      "window": {"start": 0, "end": 2000, "type": "time"}},
                                  False))
        self.assertIn("windowed", c(w, {"key": "k", "value": {"V": 1}}, False))
        self.assertIn("boom", c(self.rec(value_error="boom"), {"key": "k", "value": {}}, False))

    def test_partition_order(self):
        exp = [{"key": k, "value": {"V": v}} for k, v in (("a", 1), ("b", 2), ("a", 3))]
        p0 = [self.rec(key="a", value={"V": 1}, offset=0), self.rec(key="a", value={"V": 3},
                                                                     offset=1)]
        p1 = [self.rec(key="b", value={"V": 2}, partition=1)]
        self.assertIsNone(kc.match_in_partition_order(p0 + p1, exp, False))
        swapped = [dict(p0[0], offset=1), dict(p0[1], offset=0)]
        self.assertIn("record 0", kc.match_in_partition_order(sorted(
            swapped, key=lambda r: r["offset"]) + p1, exp, False))
        self.assertIn("2 records, expected 3", kc.match_in_partition_order(p0, exp, False))

    def test_rest_match(self):
        act = jl('{"@type": "currentStatus", "commandStatus": {"status": "SUCCESS", '
                 '"queryId": "CSAS_S_3"}, "statementText": "CREATE STREAM S;", "n": 1}')
        self.assertIsNone(kc.rest_match(act, {"@type": "currentStatus"}))
        self.assertIsNone(kc.rest_match(act, {"commandStatus": {"queryId|starts_with": "CSAS_S"}}))
        self.assertIsNotNone(kc.rest_match(act, {"commandStatus": {"queryId": "CSAS_S"}}))
        self.assertIsNone(kc.rest_match(act, {"statementText": "{STATEMENT}"},
                                        "CREATE STREAM S;"))
        self.assertIsNotNone(kc.rest_match(act, {"missing": 1}))
        self.assertIsNotNone(kc.rest_match(act, {"n": D("1.0")}))     # Integer != BigDecimal
        row = jl('{"row": {"columns": [1, 2.50, "x", null, {"A": 1}]}}')
        self.assertIsNone(kc.rest_match(row, jl('{"row": {"columns": [1, 2.5, "x", null, '
                                                '{"A": 1}]}}')))
        self.assertIsNotNone(kc.rest_match(row, jl('{"row": {"columns": [1, 2.5, "x", null, '
                                                   '{"A": 1, "B": 2}]}}')))
        self.assertIsNotNone(kc.rest_match(row, jl('{"row": {"columns": [1.0, 2.5, "x", null, '
                                                   '{"A": 1}]}}')))

    def test_verify_responses(self):
        actual = [("admin", {"@type": "currentStatus"}),
                  ("query", [{"header": {"schema": "`K` STRING"}}, {"row": {"columns": ["a"]}}])]
        ok = [{"admin": {"@type": "currentStatus"}},
              {"query": [{"header": {"schema": "`K` STRING"}}, {"row": {"columns": ["a"]}}]}]
        self.assertIsNone(ksql_rest.verify_responses(actual, ok, ["S1;", "SELECT 1;"]))
        self.assertIsNone(ksql_rest.verify_responses(actual, ok[:1], ["S1;", "SELECT 1;"]))
        self.assertIn("rows", ksql_rest.verify_responses(
            actual, [ok[0], {"query": ok[1]["query"][:1]}], ["S1;", "SELECT 1;"]))
        self.assertIn("at least", ksql_rest.verify_responses(actual[:1], ok, ["S1;"]))
        self.assertIn("expected admin", ksql_rest.verify_responses(
            actual[1:], ok[:1], ["SELECT 1;"]))


class ErrorMatchTest(unittest.TestCase):
    STMTS = ["CREATE STREAM A (K INT KEY) WITH (kafka_topic='t', format='JSON');",
             "CREATE STREAM B AS SELECT BOB FROM A;"]

    def err(self, status=400, **entity):
        e = {"@type": "statement_error", "error_code": 40001}
        e.update(entity)
        return kc.KsqlError(status, e, json.dumps(e))

    def test_qtt_expected_exception(self):
        m = ksql_qtt.match_statement_error
        good = self.err(message="SELECT column 'BOB' cannot be resolved.",
                        statementText="CREATE STREAM B AS SELECT BOB FROM A;")
        exp = {"type": "io.confluent.ksql.util.KsqlStatementException",
               "message": "column 'BOB' cannot be resolved"}
        self.assertEqual(m(good, exp, self.STMTS)[0], kc.PASS)
        self.assertEqual(m(good, {"message": "nope"}, self.STMTS)[0], kc.FAIL)
        early = self.err(message=good.message, statementText=self.STMTS[0])
        self.assertEqual(m(early, exp, self.STMTS)[0], kc.FAIL)       # not the last statement
        self.assertEqual(m(early, {"type": "io.confluent.ksql.util.KsqlException",
                                   "message": "BOB"}, self.STMTS)[0], kc.PASS)
        generic = kc.KsqlError(500, {"@type": "generic_error", "message": good.message}, "")
        self.assertEqual(m(generic, exp, self.STMTS)[0], kc.FAIL)

    def test_rest_expected_error(self):
        m = ksql_rest.match_rest_error
        good = self.err(message="Failed to insert values into 'TEST'.",
                        statementText=self.STMTS[1])
        exp = {"type": "io.confluent.ksql.rest.entity.KsqlStatementErrorMessage",
               "message": "Failed to insert", "status": 400}
        self.assertEqual(m(good, exp, self.STMTS)[0], kc.PASS)
        self.assertEqual(m(self.err(500, message=good.message, statementText=self.STMTS[1]),
                           exp, self.STMTS)[0], kc.FAIL)
        self.assertEqual(m(good, dict(exp, message="other"), self.STMTS)[0], kc.FAIL)
        self.assertEqual(m(self.err(message=good.message), exp, self.STMTS)[0], kc.FAIL)


class StreamParserTest(unittest.TestCase):
    def test_chunks(self):
        body = ('[{"header":{"queryId":"q","schema":"`K` STRING"}},\n{"row":{"columns":["ü",'
                '1.50]}},\n{"finalMessage":"Limit Reached"}]\n').encode()
        for cut in range(1, len(body)):
            p = kc.StreamedArrayParser()
            rows = p.feed(body[:cut]) + p.feed(body[cut:])
            self.assertEqual(rows, [{"header": {"queryId": "q", "schema": "`K` STRING"}},
                                    {"row": {"columns": ["ü", D("1.50")]}},
                                    {"finalMessage": "Limit Reached"}], cut)


class ReportTest(unittest.TestCase):
    def test_lines_json_floor(self):
        r = kc.Report("ksql_x")
        mk = lambda n: kc.Case("a.json", {"name": n, "statements": []}, None)  # noqa: E731
        r.add(mk("1"), kc.PASS)
        r.add(mk("2"), kc.FAIL, "why")
        r.add(mk("3"), kc.OUT, "PROTOBUF")
        self.assertEqual(r.file_line("a.json"), "a.json: 1/2 passed (1 out of scope)")
        with tempfile.TemporaryDirectory() as d:
            floor = os.path.join(d, "floor.txt")
            out = os.path.join(d, "s.json")
            with open(floor, "w") as f:
                f.write("1\n")
            args = argparse.Namespace(json=out, floor=floor)
            self.assertEqual(kc.finish(r, args, "ok"), 0)
            doc = json.load(open(out))
            self.assertEqual((doc["passed"], doc["failed"], doc["out_of_scope"]), (1, 1, 1))
            self.assertEqual(doc["files"]["a.json"]["cases"][1],
                             {"name": "2", "status": "fail", "reason": "why"})
            with open(floor, "w") as f:
                f.write("2\n")
            self.assertEqual(kc.finish(r, argparse.Namespace(json=None, floor=floor), "ok"), 1)


def _server():
    try:
        return kc.find_server(SERVER_ARG or "")
    except SystemExit:
        return None


@unittest.skipUnless(SERVER_ARG or os.environ.get("SLUICE_SERVER"),
                     "no sluice-server given (first argument or $SLUICE_SERVER)")
class PlumbingTest(unittest.TestCase):
    """The runners' Kafka and registry plumbing against a real server."""

    @classmethod
    def setUpClass(cls):
        binary = _server()
        if binary is None:
            raise unittest.SkipTest("sluice-server not found")
        cls.sess = kc.Session(binary, argparse.Namespace(keep=False, isolation="file"))
        cls.sess.start()

    @classmethod
    def tearDownClass(cls):
        cls.sess.stop()

    def test_doors_announced(self):
        s = self.sess.server
        self.assertTrue(s.bootstrap)
        self.assertTrue(s.sql_url or s.sql_absent, "neither an SQL door nor its absence")
        self.assertTrue(s.registry_url or s.registry_absent)

    def test_produce_read_roundtrip(self):
        k = self.sess.kafka
        k.create_topics({"plumb_a": 2})
        self.assertEqual(k.topics().get("plumb_a"), 2)
        k.produce_batch("plumb_a", 1, [(b"k", b"v", 0, []),
                                       (None, None, 7, [("h", None), ("h", b"\x00")])])
        got, note = k.read({"plumb_a": 2, "plumb_never": 1}, time.monotonic() + 1.5)
        self.assertIn("never created: plumb_never", note)
        recs = [(r["partition"], r["offset"], r["key"], r["value"], r["timestamp"], r["headers"])
                for r in got["plumb_a"]]
        self.assertEqual(recs, [(1, 0, b"k", b"v", 0, []),
                                (1, 1, None, None, 7, [("h", None), ("h", b"\x00")])])
        self.assertEqual(k.delete_topics(["plumb_a"]), [])

    def test_registry(self):
        reg = self.sess.registry
        if reg is None:
            self.skipTest("registry door absent")
        sid = reg.register("plumb-value", '{"type":"record","name":"R","fields":[]}')
        self.assertEqual(reg.latest("plumb-value")[0], sid)
        self.assertEqual(reg.register("plumb2-value", '"long"', "AVRO", sid=4711), 4711)
        self.assertEqual(reg.schema_by_id(4711)[0], '"long"')
        data = kc.serialize("AVRO", 5, None, reg, "plumb2-value")
        self.assertEqual(data, b"\x00\x00\x00\x12\x67\x0a")
        self.assertEqual(kc.deserialize("AVRO", data, None, reg), 5)
        for s in ("plumb-value", "plumb2-value"):
            self.assertTrue(reg.delete_subject(s))
        self.assertEqual(reg.subjects(), [])


if __name__ == "__main__":
    unittest.main()
