"""test_registry_rest.py - the Schema Registry door, black box, over plain HTTP (urllib and
http.client; run with /usr/bin/python3).

Drives every endpoint of Confluent's REST API that Sluice serves: happy paths, each error code,
bad input (malformed JSON, invalid schemas, huge bodies, wrong content types, bad paths), then
durability: a clean restart and a kill -9 keep every subject, version, id, config and mode
(state is rebuilt from `_schemas`), ids are never reused after permanent deletes, and the
`_schemas` topic holds Confluent's record layout.
"""
import http.client
import json
import os
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CT = "application/vnd.schemaregistry.v1+json"


class Api:
    """A tiny registry client: returns (status, parsed JSON or raw text, headers)."""

    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, ctype=CT, raw_body=None, parse=True):
        data = raw_body if raw_body is not None else (
            json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None and ctype:
            req.add_header("Content-Type", ctype)
        req.add_header("Accept", CT)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, payload, headers = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, payload, headers = e.code, e.read(), e.headers
        text = payload.decode("utf-8", "replace")
        if parse:
            try:
                return status, json.loads(text), headers
            except ValueError:
                return status, text, headers
        return status, text, headers

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


def q(subject):
    """URL path segment for a subject (encodes '/', spaces, ...)."""
    return urllib.parse.quote(subject, safe="")


def avro_record(name, fields):
    return json.dumps({"type": "record", "name": name, "fields": fields})


USER_V1 = avro_record("User", [{"name": "id", "type": "long"}])
USER_V2 = avro_record("User", [{"name": "id", "type": "long"},
                               {"name": "email", "type": "string", "default": ""}])
USER_BAD = avro_record("User", [{"name": "id", "type": "long"},
                                {"name": "age", "type": "int"}])  # no default: not BACKWARD
JSON_V1 = json.dumps({"type": "object", "properties": {"a": {"type": "string"}}})


def err_code(body):
    return body.get("error_code") if isinstance(body, dict) else None


def expect_error(res, api_result, status, code, what, contains=None):
    st, body, _ = api_result
    ok = st == status and err_code(body) == code and isinstance(body.get("message"), str)
    if ok and contains:
        ok = contains in body["message"]
    res.check(ok, "%s -> %d/%d" % (what, status, code),
              None if ok else "got %s %r" % (st, body))


def snapshot(api):
    """Everything observable over REST, for comparing before/after a restart."""
    snap = {}
    _, subjects, _ = api.get("/subjects?deleted=true")
    snap["subjects"] = subjects
    snap["live_subjects"] = api.get("/subjects")[1]
    ids = set()
    for s in subjects:
        snap["versions:" + s] = api.get("/subjects/%s/versions?deleted=true" % q(s))[1]
        snap["live:" + s] = api.get("/subjects/%s/versions" % q(s))[:2]
        for v in snap["versions:" + s]:
            _, body, _ = api.get("/subjects/%s/versions/%d?deleted=true" % (q(s), v))
            snap["v:%s:%d" % (s, v)] = body
            ids.add(body["id"])
        snap["config:" + s] = api.get("/config/%s" % q(s))[:2]
        snap["mode:" + s] = api.get("/mode/%s" % q(s))[:2]
    for i in sorted(ids):
        snap["id:%d" % i] = api.get("/schemas/ids/%d" % i)[:2]
        snap["idv:%d" % i] = api.get("/schemas/ids/%d/versions?deleted=true" % i)[:2]
    snap["config"] = api.get("/config")[:2]
    snap["mode"] = api.get("/mode")[:2]
    return snap


def body(res):
    binary = harness.find_server()
    srv = harness.Server(binary, registry=True, name="registry")
    res.servers.append(srv)
    srv.start()
    api = Api(srv.registry_url)
    res.info("registry at %s, broker at %s" % (srv.registry_url, srv.bootstrap))

    res.section("basics")
    st, b, h = api.get("/")
    res.eq((st, b), (200, {}), "GET / answers {}")
    res.eq(h.get("Content-Type"), CT, "responses are application/vnd.schemaregistry.v1+json")
    st, b, _ = api.get("/schemas/types")
    res.check(st == 200 and "AVRO" in b and "JSON" in b, "GET /schemas/types lists AVRO, JSON",
              b)
    res.eq(api.get("/subjects")[:2], (200, []), "no subjects at first")
    res.eq(api.get("/config")[1], {"compatibilityLevel": "BACKWARD"}, "global default BACKWARD")
    res.eq(api.get("/mode")[1], {"mode": "READWRITE"}, "global mode READWRITE")

    res.section("register, same schema -> same id")
    st, b, _ = api.post("/subjects/orders-value/versions", {"schema": USER_V1})
    res.eq((st, b), (200, {"id": 1}), "register User v1 -> id 1")
    id1 = b.get("id") if isinstance(b, dict) else None
    res.eq(api.post("/subjects/orders-value/versions", {"schema": USER_V1})[:2],
           (200, {"id": id1}), "same schema again, same subject: same id")
    spaced = json.dumps(json.loads(USER_V1), indent=2)
    res.eq(api.post("/subjects/orders-value/versions", {"schema": spaced})[:2],
           (200, {"id": id1}), "same schema, other whitespace: same id")
    res.eq(api.get("/subjects/orders-value/versions")[1], [1], "still one version")
    res.eq(api.post("/subjects/audit-value/versions", {"schema": USER_V1})[:2],
           (200, {"id": id1}), "same schema under another subject: same id")
    st, b, _ = api.post("/subjects/orders-value/versions", {"schema": USER_V2})
    res.eq((st, b), (200, {"id": 2}), "compatible v2 -> id 2")
    st, b, _ = api.post("/subjects/json-value/versions",
                        {"schema": JSON_V1, "schemaType": "JSON"})
    res.eq((st, b), (200, {"id": 3}), "JSON Schema -> id 3")
    res.eq(api.post("/subjects/json-copy/versions", {"schema": JSON_V1, "schemaType": "JSON"})[1],
           {"id": 3}, "same JSON Schema elsewhere: same id")

    res.section("reads")
    res.eq(api.get("/subjects")[1], ["audit-value", "json-copy", "json-value", "orders-value"],
           "GET /subjects (sorted)")
    res.eq(api.get("/subjects?subjectPrefix=json")[1], ["json-copy", "json-value"],
           "GET /subjects?subjectPrefix=json")
    res.eq(api.get("/subjects/orders-value/versions")[1], [1, 2], "versions [1,2]")
    st, b, _ = api.get("/subjects/orders-value/versions/latest")
    res.eq((st, b), (200, {"subject": "orders-value", "version": 2, "id": 2, "schema": USER_V2}),
           "GET versions/latest")
    res.eq(api.get("/subjects/orders-value/versions/1")[1],
           {"subject": "orders-value", "version": 1, "id": 1, "schema": USER_V1},
           "GET versions/1")
    st, b, _ = api.get("/subjects/json-value/versions/1")
    res.eq(b.get("schemaType") if isinstance(b, dict) else None, "JSON",
           "JSON version carries schemaType")
    res.eq(api.get("/subjects/orders-value/versions/1/schema", parse=False)[1], USER_V1,
           "GET versions/1/schema: the raw schema")
    res.eq(api.get("/subjects/orders-value/versions/1/referencedby")[:2], (200, []),
           "GET versions/1/referencedby: []")
    res.eq(api.get("/schemas/ids/1")[:2], (200, {"schema": USER_V1}), "GET /schemas/ids/1")
    res.eq(api.get("/schemas/ids/3")[1], {"schemaType": "JSON", "schema": JSON_V1},
           "GET /schemas/ids/3 (JSON)")
    res.eq(api.get("/schemas/ids/1/schema", parse=False)[1], USER_V1,
           "GET /schemas/ids/1/schema")
    res.eq(api.get("/schemas/ids/1/subjects")[1], ["audit-value", "orders-value"],
           "GET /schemas/ids/1/subjects")
    res.eq(api.get("/schemas/ids/1/versions")[1],
           [{"subject": "audit-value", "version": 1}, {"subject": "orders-value", "version": 1}],
           "GET /schemas/ids/1/versions")
    res.eq(api.get("/schemas/ids/1?subject=orders-value")[:2], (200, {"schema": USER_V1}),
           "GET /schemas/ids/1?subject=... answers the same")
    st, b, _ = api.get("/schemas/ids/1?fetchMaxId=true")
    res.check(st == 200 and b.get("maxId", 0) >= 3, "fetchMaxId=true adds maxId", b)
    st, b, _ = api.post("/subjects/orders-value", {"schema": spaced})
    res.eq((st, b), (200, {"subject": "orders-value", "version": 1, "id": 1, "schema": USER_V1}),
           "POST /subjects/{s} finds the version of a schema")
    expect_error(res, api.post("/subjects/orders-value", {"schema": USER_BAD}), 404, 40403,
                 "lookup of an unregistered schema")
    expect_error(res, api.post("/subjects/nosuch", {"schema": USER_V1}), 404, 40401,
                 "lookup under an unknown subject")
    expect_error(res, api.get("/subjects/nosuch/versions"), 404, 40401, "unknown subject")
    expect_error(res, api.get("/subjects/orders-value/versions/9"), 404, 40402,
                 "unknown version")
    expect_error(res, api.get("/subjects/orders-value/versions/0"), 422, 42202, "version 0")
    expect_error(res, api.get("/subjects/orders-value/versions/x"), 422, 42202, "version x")
    expect_error(res, api.get("/schemas/ids/999"), 404, 40403, "unknown id")
    expect_error(res, api.get("/schemas/ids/999/schema"), 404, 40403, "unknown id /schema")

    res.section("Avro schema references")
    addr = json.dumps({"type": "record", "name": "Address", "namespace": "com.x",
                       "fields": [{"name": "city", "type": "string"}]})
    person = json.dumps({"type": "record", "name": "Person", "namespace": "com.x",
                         "fields": [{"name": "home", "type": "Address"}]})
    refs = [{"name": "com.x.Address", "subject": "address-value", "version": 1}]
    st, b, _ = api.post("/subjects/address-value/versions", {"schema": addr})
    res.eq(st, 200, "register the referenced schema")
    st, b, _ = api.post("/subjects/person-value/versions", {"schema": person, "references": refs})
    res.eq(st, 200, "register a schema with a reference")
    person_id = b.get("id") if isinstance(b, dict) else None
    st, b, _ = api.get("/subjects/person-value/versions/1")
    res.eq(b.get("references") if isinstance(b, dict) else None, refs,
           "GET version shows the references")
    res.eq(api.get("/schemas/ids/%s" % person_id)[1].get("references"), refs,
           "GET /schemas/ids/{id} shows the references")
    res.eq(api.get("/subjects/address-value/versions/1/referencedby")[1], [person_id],
           "referencedby lists the referrer")
    expect_error(res, api.delete("/subjects/address-value/versions/1"), 422, 42206,
                 "a referenced version cannot be deleted")
    res.eq(api.post("/subjects/person-value", {"schema": person, "references": refs})[0], 200,
           "lookup with references")

    res.section("JSON Schema references")
    cust = json.dumps({"$id": "https://example.com/customer.json", "type": "object",
                       "properties": {"name": {"type": "string"}}, "required": ["name"]})
    order = json.dumps({"type": "object", "properties": {
        "id": {"type": "integer"}, "customer": {"$ref": "customer.json"}}})
    jrefs = [{"name": "customer.json", "subject": "customer-json", "version": 1}]
    st, b, _ = api.post("/subjects/customer-json/versions", {"schema": cust, "schemaType": "JSON"})
    res.eq(st, 200, "register the referenced JSON Schema")
    st, b, _ = api.post("/subjects/order-json/versions",
                        {"schema": order, "schemaType": "JSON", "references": jrefs})
    res.eq(st, 200, "register a JSON Schema with a reference")
    order_id = b.get("id") if isinstance(b, dict) else None
    res.eq(api.get("/schemas/ids/%s" % order_id)[1].get("references"), jrefs,
           "GET /schemas/ids/{id} shows the JSON references")
    res.eq(api.get("/subjects/customer-json/versions/1/referencedby")[1], [order_id],
           "referencedby lists the JSON referrer")
    # Closing the referenced content model is a change the compatibility check must see through
    # the reference: order v2 points at a narrower customer (integer name) -> incompatible.
    cust2 = json.dumps({"$id": "https://example.com/customer.json", "type": "object",
                        "properties": {"name": {"type": "integer"}}, "required": ["name"]})
    st, b, _ = api.post("/subjects/customer2-json/versions",
                        {"schema": cust2, "schemaType": "JSON"})
    res.eq(st, 200, "register a second customer schema")
    st, b, _ = api.post("/compatibility/subjects/order-json/versions/latest?verbose=true",
                        {"schema": order, "schemaType": "JSON", "references": [
                            {"name": "customer.json", "subject": "customer2-json",
                             "version": 1}]})
    res.check(st == 200 and isinstance(b, dict) and b.get("is_compatible") is False,
              "a change inside a referenced JSON Schema is seen by the compatibility check", b)
    expect_error(res, api.post("/subjects/order-json/versions", {
        "schema": json.dumps({"$ref": "elsewhere.json"}), "schemaType": "JSON"}),
        422, 42201, "a JSON $ref to a schema that is not a reference",
        contains="not supported yet")

    res.section("compatibility")
    st, b, _ = api.post("/subjects/orders-value/versions", {"schema": USER_BAD})
    res.check(st == 409 and err_code(b) == 409 and
              "READER_FIELD_MISSING_DEFAULT_VALUE" in b.get("message", ""),
              "incompatible schema -> 409 with the reason", b)
    st, b, _ = api.post("/compatibility/subjects/orders-value/versions/latest?verbose=true",
                        {"schema": USER_BAD})
    res.check(st == 200 and b.get("is_compatible") is False and b.get("messages"),
              "compatibility check, verbose: false + messages", b)
    res.eq(api.post("/compatibility/subjects/orders-value/versions/latest",
                    {"schema": USER_V2})[1], {"is_compatible": True},
           "compatibility check of a compatible schema")
    res.eq(api.post("/compatibility/subjects/orders-value/versions", {"schema": USER_V2})[1],
           {"is_compatible": True}, "compatibility against all versions (no {v})")
    expect_error(res, api.post("/compatibility/subjects/orders-value/versions/7",
                               {"schema": USER_V2}), 404, 40402,
                 "compatibility against an unknown version")
    res.eq(api.put("/config", {"compatibility": "FULL"})[:2], (200, {"compatibility": "FULL"}),
           "PUT /config FULL")
    res.eq(api.get("/config")[1], {"compatibilityLevel": "FULL"}, "GET /config -> FULL")
    expect_error(res, api.get("/config/orders-value"), 404, 40408,
                 "no subject-level compatibility")
    res.eq(api.get("/config/orders-value?defaultToGlobal=true")[1],
           {"compatibilityLevel": "FULL"}, "defaultToGlobal=true")
    res.eq(api.put("/config/orders-value", {"compatibility": "NONE"})[:2],
           (200, {"compatibility": "NONE"}), "PUT /config/{s} NONE")
    st, b, _ = api.post("/subjects/orders-value/versions", {"schema": USER_BAD})
    res.check(st == 200 and b.get("id", 0) > 3, "under NONE the incompatible schema registers",
              (st, b))
    expect_error(res, api.put("/config/orders-value", {"compatibility": "SIDEWAYS"}), 422, 42203,
                 "invalid compatibility level")
    res.eq(api.delete("/config/orders-value")[:2], (200, {"compatibilityLevel": "NONE"}),
           "DELETE /config/{s} returns the old level")
    expect_error(res, api.delete("/config/orders-value"), 404, 40401,
                 "DELETE /config/{s} without one")
    res.eq(api.delete("/config")[1], {"compatibilityLevel": "FULL"}, "DELETE /config")
    res.eq(api.get("/config")[1], {"compatibilityLevel": "BACKWARD"}, "global back to BACKWARD")
    for level in ("BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL_TRANSITIVE"):
        res.eq(api.put("/config/levels", {"compatibility": level})[1],
               {"compatibility": level}, "PUT %s" % level)

    res.section("modes")
    res.eq(api.put("/mode/audit-value", {"mode": "READONLY"})[:2], (200, {"mode": "READONLY"}),
           "PUT /mode/{s} READONLY")
    expect_error(res, api.post("/subjects/audit-value/versions", {"schema": USER_V2}), 422,
                 42205, "register under a READONLY subject")
    expect_error(res, api.delete("/subjects/audit-value"), 422, 42205,
                 "delete under a READONLY subject")
    res.eq(api.get("/subjects/audit-value/versions")[1], [1], "reads still work")
    res.eq(api.delete("/mode/audit-value")[:2], (200, {"mode": "READONLY"}), "DELETE /mode/{s}")
    expect_error(res, api.get("/mode/audit-value"), 404, 40409, "no subject-level mode")
    res.eq(api.get("/mode/audit-value?defaultToGlobal=true")[1], {"mode": "READWRITE"},
           "mode defaultToGlobal")
    expect_error(res, api.put("/mode", {"mode": "BOGUS"}), 422, 42204, "invalid mode")
    res.eq(api.put("/mode/imp-value", {"mode": "IMPORT"})[:2], (200, {"mode": "IMPORT"}),
           "PUT /mode/{s} IMPORT on a new subject")
    res.eq(api.post("/subjects/imp-value/versions",
                    {"schema": '"bytes"', "id": 500, "version": 3})[:2],
           (200, {"id": 500}), "IMPORT: register with a given id and version")
    res.eq(api.get("/subjects/imp-value/versions")[1], [3], "IMPORT: the given version")
    expect_error(res, api.post("/subjects/orders-value/versions",
                               {"schema": '"bytes"', "id": 501}), 422, 42205,
                 "an id outside IMPORT mode")
    res.eq(api.delete("/mode/imp-value")[1], {"mode": "IMPORT"}, "leave IMPORT")
    st, b, _ = api.post("/subjects/next-value/versions", {"schema": '"double"'})
    res.eq((st, b), (200, {"id": 501}), "the next id continues after imported ids")

    res.section("deletes")
    int_id = api.post("/subjects/del-value/versions", {"schema": '"int"'})[1].get("id")
    api.put("/config/del-value", {"compatibility": "NONE"})
    long_id = api.post("/subjects/del-value/versions", {"schema": '"long"'})[1].get("id")
    expect_error(res, api.delete("/subjects/del-value/versions/1?permanent=true"), 404, 40407,
                 "permanent delete of a live version")
    res.eq(api.delete("/subjects/del-value/versions/1")[:2], (200, 1), "soft delete version 1")
    expect_error(res, api.delete("/subjects/del-value/versions/1"), 404, 40406,
                 "soft delete twice")
    res.eq(api.get("/subjects/del-value/versions")[1], [2], "versions without the deleted one")
    res.eq(api.get("/subjects/del-value/versions?deleted=true")[1], [1, 2],
           "versions?deleted=true")
    expect_error(res, api.get("/subjects/del-value/versions/1"), 404, 40402,
                 "a soft-deleted version is not found ...")
    res.eq(api.get("/subjects/del-value/versions/1?deleted=true")[0], 200,
           "... except with deleted=true")
    expect_error(res, api.delete("/subjects/del-value/versions/9"), 404, 40402,
                 "delete an unknown version")
    expect_error(res, api.delete("/subjects/del-value/versions/abc"), 422, 42202,
                 "delete an invalid version")
    expect_error(res, api.delete("/subjects/del-value?permanent=true"), 404, 40405,
                 "permanent delete of a live subject")
    res.eq(api.delete("/subjects/del-value")[:2], (200, [2]), "soft delete the subject")
    expect_error(res, api.delete("/subjects/del-value"), 404, 40404, "soft delete twice")
    res.check("del-value" not in api.get("/subjects")[1], "gone from /subjects")
    res.check("del-value" in api.get("/subjects?deleted=true")[1], "listed with deleted=true")
    expect_error(res, api.get("/config/del-value"), 404, 40408,
                 "its config went with the soft delete")
    st, b, _ = api.get("/schemas/ids/%d" % int_id)
    res.eq((st, b), (200, {"schema": '"int"'}), "ids of soft-deleted versions still resolve")
    res.eq(api.delete("/subjects/del-value?permanent=true")[:2], (200, [1, 2]),
           "permanent delete of the subject")
    expect_error(res, api.delete("/subjects/del-value"), 404, 40401, "the subject is gone")
    expect_error(res, api.get("/schemas/ids/%d" % long_id), 404, 40403,
                 "ids used nowhere else are gone")
    expect_error(res, api.delete("/subjects/nosuch"), 404, 40401, "delete an unknown subject")

    res.section("bad input")
    expect_error(res, api.post("/subjects/bad/versions", raw_body=b'{"schema": '), 422, 422,
                 "malformed JSON body")
    expect_error(res, api.post("/subjects/bad/versions", raw_body=b"[1,2]"), 422, 422,
                 "JSON body that is not an object")
    st, b, _ = api.post("/subjects/bad/versions", {"schema": avro_record(
        "R", [{"name": "a", "type": "int"}, {"name": "b", "type": "strin"}])})
    res.check(st == 422 and err_code(b) == 42201 and "fields[1].type" in b.get("message", ""),
              "invalid Avro -> 42201 with the JSON path", b)
    expect_error(res, api.post("/subjects/bad/versions", {"schema": "{not json"}), 422, 42201,
                 "schema text that is not JSON")
    expect_error(res, api.post("/subjects/bad/versions", {}), 422, 42201, "no schema")
    expect_error(res, api.post("/subjects/bad/versions",
                               {"schema": "x", "schemaType": "PROTOBUF"}), 422, 42201,
                 "PROTOBUF: not supported yet", contains="not supported yet")
    expect_error(res, api.post("/subjects/bad/versions", {
        "schema": avro_record("B", [{"name": "a", "type": "A"}]),
        "references": [{"name": "A", "subject": "a-value", "version": 1}]}), 422, 42201,
        "a reference to a missing subject version", contains="not found")
    expect_error(res, api.post("/subjects/bad/versions", {
        "schema": '{"$ref": "other.json"}', "schemaType": "JSON",
        "references": [{"name": "other.json", "subject": "no-such-json", "version": 1}]}),
        422, 42201, "a JSON Schema reference to a missing subject", contains="not found")
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        expect_error(res, api.post("/subjects/bad/versions", {"schema": '"int"'}, ctype=ctype),
                     415, 415, "Content-Type %s" % ctype)
    for ctype in ("application/json", "application/vnd.schemaregistry+json",
                  "application/json; charset=utf-8"):
        st, b, _ = api.post("/subjects/ct-value/versions", {"schema": '"int"'}, ctype=ctype)
        res.eq(st, 200, "Content-Type %s accepted" % ctype)
    host, port = srv.registry_url[len("http://"):].rsplit(":", 1)
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    c.request("POST", "/subjects/ct-value/versions", body=json.dumps({"schema": '"int"'}))
    r = c.getresponse()
    res.eq(r.status, 200, "no Content-Type accepted")
    r.read()
    c.close()
    # huge bodies: refused by Content-Length before reading, or after reading a chunked one
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    c.putrequest("POST", "/subjects/huge/versions")
    c.putheader("Content-Type", CT)
    c.putheader("Content-Length", str(17 << 20))
    c.endheaders()
    r = c.getresponse()
    b = r.read()
    res.check(r.status == 413 and b"error_code" in b, "17 MiB Content-Length -> 413", (r.status, b))
    c.close()
    c = http.client.HTTPConnection(host, int(port), timeout=60)
    c.putrequest("POST", "/subjects/huge/versions")
    c.putheader("Content-Type", CT)
    c.putheader("Transfer-Encoding", "chunked")
    c.endheaders()
    chunk = b"x" * (1 << 20)
    try:
        for _ in range(17):
            c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        c.send(b"0\r\n\r\n")
        r = c.getresponse()
        b = r.read()
        res.check(r.status == 413, "17 MiB chunked body -> 413", (r.status, b[:200]))
    except OSError as e:
        res.fail("17 MiB chunked body: connection error %s" % e)
    c.close()
    expect_error(res, api.get("/nosuch"), 404, 404, "unknown path")
    expect_error(res, api.get("/subjects/a/b/c/d/e/f/g"), 404, 404, "too deep path")
    expect_error(res, api.put("/subjects", {"x": 1}), 405, 405, "wrong method")
    expect_error(res, api.post("/subjects/%00x/versions", {"schema": '"int"'}), 404, 40401,
                 "percent-encoded NUL in a subject")
    odd = "team/a b+c\u00e9"
    res.eq(api.post("/subjects/%s/versions" % q(odd), {"schema": '"string"'})[0], 200,
           "subject with '/', space, '+' and UTF-8 (URL-encoded)")
    res.check(odd in api.get("/subjects")[1], "... listed as sent")
    res.eq(api.get("/subjects/%s/versions" % q(odd))[1], [1], "... and found again")
    expect_error(res, api.post("/subjects/%s/versions" % q("bad\x01"), {"schema": '"int"'}),
                 422, 42208, "control character in a subject")
    long_url = "/subjects/" + "x" * 100000 + "/versions"
    st, _, _ = api.get(long_url)
    res.check(st in (404, 414, 431), "100 kB URL is refused", st)
    st, b, _ = api.get("/subjects")
    res.eq(st, 200, "the door still answers after all that")

    res.section("concurrent registrations")
    results = {}
    errors = []

    def worker(n):
        a = Api(srv.registry_url)
        for k in range(4):  # each adds a field with a default: BACKWARD compatible
            schema = avro_record("Conc", [{"name": "f%d" % j, "type": "int", "default": 0}
                                          for j in range(k + 1)])
            st, b, _ = a.post("/subjects/conc-%d-value/versions" % n, {"schema": schema})
            if st != 200:
                errors.append((st, b))
            else:
                results.setdefault(k, set()).add(b["id"])
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    res.eq(errors, [], "24 concurrent registrations succeed")
    res.check(all(len(v) == 1 for v in results.values()) and
              len({next(iter(v)) for v in results.values()}) == 4,
              "each schema got one id, distinct schemas distinct ids", results)

    res.section("_schemas topic")
    from confluent_kafka.admin import AdminClient, ConfigResource
    admin = AdminClient({"bootstrap.servers": srv.bootstrap})
    md = admin.list_topics(timeout=10)
    res.check("_schemas" in md.topics and len(md.topics["_schemas"].partitions) == 1,
              "_schemas exists with 1 partition")
    fut = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "_schemas")])
    cfg = list(fut.values())[0].result(10)
    res.eq(cfg["cleanup.policy"].value, "compact", "_schemas is compacted")
    recs, errs = harness.ck_read_all(srv.bootstrap, "_schemas", [0])
    res.eq(errs, [], "read _schemas")
    keys = [json.loads(k) for (_o, k, _v, _t, _h) in recs[0]]
    first = next(((k, json.loads(v)) for (_o, kb, v, _t, _h) in recs[0]
                  for k in [json.loads(kb)] if k.get("keytype") == "SCHEMA"), None)
    res.eq(list(first[0].keys()) if first else None, ["keytype", "subject", "version", "magic"],
           "SCHEMA key layout")
    res.eq(first[0] if first else None,
           {"keytype": "SCHEMA", "subject": "orders-value", "version": 1, "magic": 1},
           "first SCHEMA key")
    res.eq(list(first[1].keys()) if first else None,
           ["subject", "version", "id", "schema", "deleted"], "SCHEMA value layout (AVRO)")
    kinds = {k.get("keytype") for k in keys}
    res.check({"SCHEMA", "CONFIG", "MODE", "DELETE_SUBJECT", "NOOP"} <= kinds,
              "CONFIG, MODE, DELETE_SUBJECT, NOOP records written", kinds)
    tomb = [k for (_o, kb, v, _t, _h) in recs[0] for k in [json.loads(kb)] if v is None]
    res.check(any(k.get("keytype") == "SCHEMA" and k.get("subject") == "del-value"
                  for k in tomb), "permanent deletes are tombstones")
    jrec = [json.loads(v) for (_o, kb, v, _t, _h) in recs[0]
            if v and json.loads(kb).get("subject") == "json-value"
            and json.loads(kb).get("keytype") == "SCHEMA"]
    res.check(jrec and jrec[0].get("schemaType") == "JSON", "JSON records carry schemaType")

    res.section("restart keeps everything")
    before = snapshot(api)
    rc, _ = srv.restart()
    res.eq(rc, 0, "SIGTERM: clean exit 0")
    api = Api(srv.registry_url)
    after = snapshot(api)
    diff = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
    res.eq(diff, [], "every subject, version, id, config and mode survives a restart")
    res.eq(api.post("/subjects/orders-value/versions", {"schema": USER_V1})[1], {"id": 1},
           "after restart the same schema still gets its id")

    res.section("kill -9 after an acknowledged write")
    st, b, _ = api.post("/subjects/crash-value/versions", {"schema": '"boolean"'})
    res.eq(st, 200, "register before the crash")
    crash_id = b.get("id") if isinstance(b, dict) else None
    api.put("/config/crash-value", {"compatibility": "FULL"})
    srv.restart(clean=False)
    api = Api(srv.registry_url)
    res.eq(api.get("/subjects/crash-value/versions/1")[1].get("id"), crash_id,
           "acknowledged registration survives kill -9")
    res.eq(api.get("/config/crash-value")[1], {"compatibilityLevel": "FULL"},
           "acknowledged config survives kill -9")

    res.section("ids are never reused")
    st, b, _ = api.post("/subjects/gone-value/versions", {"schema": '"null"'})
    gone_id = b.get("id")
    api.delete("/subjects/gone-value")
    res.eq(api.delete("/subjects/gone-value?permanent=true")[0], 200, "permanently delete it")
    expect_error(res, api.get("/schemas/ids/%d" % gone_id), 404, 40403, "its id is gone")
    srv.restart()
    api = Api(srv.registry_url)
    st, b, _ = api.post("/subjects/new-value/versions", {"schema": '"null"'})
    res.check(st == 200 and b.get("id", 0) > gone_id,
              "after restart the same schema gets a new, higher id", (st, b, gone_id))
    st, b2, _ = api.post("/subjects/new2-value/versions", {"schema": '{"type":"fixed",'
                                                                     '"name":"F","size":4}'})
    res.check(st == 200 and b2.get("id", 0) > b.get("id", 0), "and the next one higher still",
              (st, b2))

    res.eq(srv.stop(), 0, "clean stop exits 0")


if __name__ == "__main__":
    harness.run("registry_rest", body)
