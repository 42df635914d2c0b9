#!/usr/bin/python3
"""Generates tests/unit/avro_datum_vectors.h: Avro binary encodings computed by an independent
implementation (Apache Avro's Python library, Debian package python3-avro), which
test_serde_avro_datum.c compares Sluice's encoder and decoder against.

Each vector: a schema, a value in the specification's JSON shape (what sl_avro_encode takes and
sl_avro_decode gives), and the bytes python3-avro writes for the same value. Resolution vectors
add a reader schema and the value python3-avro's resolving reader returns (as JSON).

Run (from the repository root; Debian's python3, which has python3-avro):
  /usr/bin/python3 tests/unit/avro_datum_vectors.py > tests/unit/avro_datum_vectors.h &&
  clang-format -i tests/unit/avro_datum_vectors.h
"""
import datetime
import decimal
import io
import json

import avro
import avro.io
import avro.schema

REC = {"type": "record", "name": "R", "namespace": "t",
       "fields": [{"name": "a", "type": "long"}, {"name": "b", "type": "string"}]}
LIST = {"type": "record", "name": "LongList", "fields": [
    {"name": "value", "type": "long"},
    {"name": "next", "type": ["null", "LongList"]}]}
ALL = {"type": "record", "name": "All", "namespace": "x.y", "fields": [
    {"name": "n", "type": "null"},
    {"name": "t", "type": "boolean"},
    {"name": "i", "type": "int"},
    {"name": "l", "type": "long"},
    {"name": "f", "type": "float"},
    {"name": "d", "type": "double"},
    {"name": "by", "type": "bytes"},
    {"name": "s", "type": "string"},
    {"name": "e", "type": {"type": "enum", "name": "Suit", "symbols": ["SPADES", "HEARTS"]}},
    {"name": "fx", "type": {"type": "fixed", "name": "F3", "size": 3}},
    {"name": "ar", "type": {"type": "array", "items": "Suit"}},
    {"name": "m", "type": {"type": "map", "values": ["null", "F3", "double"]}},
    {"name": "u", "type": ["null", {"type": "record", "name": "Inner", "fields": [
        {"name": "q", "type": "int"}]}]},
]}

# (name, schema, python value, spec-shape JSON value)
CASES = [
    ("null", "null", None, None),
    ("boolean_true", "boolean", True, True),
    ("boolean_false", "boolean", False, False),
    ("int_0", "int", 0, 0),
    ("int_minus1", "int", -1, -1),
    ("int_64", "int", 64, 64),
    ("int_minus65", "int", -65, -65),
    ("int_max", "int", 2147483647, 2147483647),
    ("int_min", "int", -2147483648, -2147483648),
    ("long_max", "long", 9223372036854775807, 9223372036854775807),
    ("long_min", "long", -9223372036854775808, -9223372036854775808),
    ("long_2_40", "long", 1 << 40, 1 << 40),
    ("float", "float", 1.5, 1.5),
    ("float_neg", "float", -0.25, -0.25),
    ("double", "double", 3.141592653589793, 3.141592653589793),
    ("bytes", "bytes", b"\x00\xff\x10", "\u0000\u00ff\u0010"),
    ("bytes_empty", "bytes", b"", ""),
    ("string_utf8", "string", "h\u00e9llo \u20ac\U0001F600", "h\u00e9llo \u20ac\U0001F600"),
    ("record_spec", REC, {"a": 27, "b": "foo"}, {"a": 27, "b": "foo"}),
    ("enum", {"type": "enum", "name": "E", "symbols": ["A", "B", "C", "D"]}, "C", "C"),
    ("array_spec", {"type": "array", "items": "long"}, [3, 27], [3, 27]),
    ("array_empty", {"type": "array", "items": "long"}, [], []),
    ("map", {"type": "map", "values": "long"}, {"a": 1, "bc": -2}, {"a": 1, "bc": -2}),
    ("union_null", ["null", "string"], None, None),
    ("union_string", ["null", "string"], "a", {"string": "a"}),
    ("fixed", {"type": "fixed", "name": "md4", "size": 4}, b"ab\x00\xfe", "ab\u0000\u00fe"),
    ("linked_list", LIST, {"value": 1, "next": {"value": 2, "next": None}},
     {"value": 1, "next": {"LongList": {"value": 2, "next": None}}}),
    ("all_types", ALL,
     {"n": None, "t": True, "i": -3, "l": 1234567890123, "f": 0.5, "d": -2.75, "by": b"\x01",
      "s": "x", "e": "HEARTS", "fx": b"abc", "ar": ["SPADES", "HEARTS", "HEARTS"],
      "m": {"k": 1.25, "z": None, "f": b"\x00\x01\x02"}, "u": {"q": 7}},
     {"n": None, "t": True, "i": -3, "l": 1234567890123, "f": 0.5, "d": -2.75, "by": "\u0001",
      "s": "x", "e": "HEARTS", "fx": "abc", "ar": ["SPADES", "HEARTS", "HEARTS"],
      "m": {"k": {"double": 1.25}, "z": None, "f": {"x.y.F3": "\u0000\u0001\u0002"}},
      "u": {"x.y.Inner": {"q": 7}}}),
    # Logical types: python3-avro takes Python objects; the JSON is the underlying value.
    ("date", {"type": "int", "logicalType": "date"}, datetime.date(2024, 2, 29), 19782),
    ("time_millis", {"type": "int", "logicalType": "time-millis"},
     datetime.time(13, 14, 15, 16000), 47655016),
    ("time_micros", {"type": "long", "logicalType": "time-micros"},
     datetime.time(0, 0, 1, 5), 1000005),
    ("timestamp_millis", {"type": "long", "logicalType": "timestamp-millis"},
     datetime.datetime(2021, 3, 4, 5, 6, 7, 890000, tzinfo=datetime.timezone.utc),
     1614834367890),
    ("timestamp_micros", {"type": "long", "logicalType": "timestamp-micros"},
     datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc), -1),
    ("uuid", {"type": "string", "logicalType": "uuid"}, "12345678-1234-5678-1234-567812345678",
     "12345678-1234-5678-1234-567812345678"),
    ("decimal_bytes_neg", {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
     decimal.Decimal("-12.30"), "\u00fb\u0032"),
    ("decimal_bytes_128", {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
     decimal.Decimal("1.28"), "\u0000\u0080"),
    ("decimal_bytes_zero", {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 1},
     decimal.Decimal("0.0"), "\u0000"),
    ("decimal_fixed", {"type": "fixed", "name": "D8", "size": 8, "logicalType": "decimal",
                       "precision": 18, "scale": 4},
     decimal.Decimal("-1.0001"), "\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00d8\u00ef"),
]

# (name, writer schema, reader schema, python value written)
RESOLVE = [
    ("int_to_long", "int", "long", 7),
    ("int_to_float", "int", "float", -3),
    ("int_to_double", "int", "double", 1 << 30),
    ("long_to_float", "long", "float", 1 << 40),
    ("long_to_double", "long", "double", -5),
    ("float_to_double", "float", "double", 0.1),
    # string <-> bytes, aliases, enum defaults and a writer union read by a non-union reader
    # are not supported by python3-avro 1.11's resolver: test_serde_avro_datum.c tests them by
    # hand.
    ("defaults",
     {"type": "record", "name": "P", "fields": [{"name": "x", "type": "int"},
                                                 {"name": "gone", "type": "string"}]},
     {"type": "record", "name": "P", "fields": [
         {"name": "x", "type": "long"},
         {"name": "y", "type": ["null", "int"], "default": None},
         {"name": "z", "type": {"type": "array", "items": "int"}, "default": [1, 2]},
         {"name": "w", "type": "string", "default": "dflt"}]},
     {"x": 5, "gone": "bye"}),
    ("plain_to_reader_union", "int", ["null", "string", "long"], 4),
]


def c_str(s):
    out = []
    for ch in s.encode("utf-8"):
        if ch in (0x22, 0x5C):
            out.append("\\" + chr(ch))
        elif 0x20 <= ch < 0x7F:
            out.append(chr(ch))
        else:
            out.append("\\%03o" % ch)
    return '"' + "".join(out) + '"'


def encode(schema_json, value):
    schema = avro.schema.parse(json.dumps(schema_json))
    buf = io.BytesIO()
    avro.io.DatumWriter(schema).write(value, avro.io.BinaryEncoder(buf))
    return buf.getvalue()


def resolve(writer_json, reader_json, value):
    data = encode(writer_json, value)
    w = avro.schema.parse(json.dumps(writer_json))
    r = avro.schema.parse(json.dumps(reader_json))
    got = avro.io.DatumReader(w, r).read(avro.io.BinaryDecoder(io.BytesIO(data)))
    return data, got


def to_json(v):
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    return v


def main():
    print("/* avro_datum_vectors.h — generated by avro_datum_vectors.py with python3-avro "
          + avro.__version__ + "; do not edit. */")
    print("typedef struct avro_vector_s {\n    const char *name;\n    const char *schema;"
          "\n    const char *json;\n    const char *hex;\n} avro_vector_t;\n")
    print("static const avro_vector_t avro_vectors[] = {")
    for name, schema, value, js in CASES:
        data = encode(schema, value)
        print("    {%s,\n     %s,\n     %s, %s}," % (
            c_str(name), c_str(json.dumps(schema, separators=(",", ":"))),
            c_str(json.dumps(js, separators=(",", ":"), ensure_ascii=False)),
            c_str(data.hex())))
    print("};\n")
    print("typedef struct avro_rvector_s {\n    const char *name;\n    const char *writer;"
          "\n    const char *reader;\n    const char *hex;\n    const char *json;\n"
          "} avro_rvector_t;\n")
    print("/* json: what python3-avro's resolving reader returned (plain shape: unions "
          "unwrapped, bytes as ISO-8859-1 text, floats widened). */")
    print("static const avro_rvector_t avro_rvectors[] = {")
    for name, w, r, value in RESOLVE:
        data, got = resolve(w, r, value)
        print("    {%s,\n     %s,\n     %s,\n     %s, %s}," % (
            c_str(name), c_str(json.dumps(w, separators=(",", ":"))),
            c_str(json.dumps(r, separators=(",", ":"))), c_str(data.hex()),
            c_str(json.dumps(to_json(got), separators=(",", ":"), ensure_ascii=False))))
    print("};")


if __name__ == "__main__":
    main()
