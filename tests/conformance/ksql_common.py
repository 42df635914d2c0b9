"""ksql_common.py - shared plumbing of the ksqlDB conformance runners (ksql_qtt.py, ksql_rest.py).

The runners measure Sluice the way they would measure ksqlDB: only through public doors.
  * statements and queries go to the SQL door (ksqlDB's REST API: POST /ksql, POST /query);
  * input records are produced, and output records read, over the Kafka protocol;
  * schemas are registered and looked up through the Schema Registry REST API.
Nothing here links or imports server code. The cases are ksqlDB's own (../shared/conformance/
ksql/{qtt,rest}/*.json, read at run time, never copied into the project).

What is in here, top to bottom:
  1. case files: locate, load (floats kept exact as Decimal), expand "format" lists, scope
  2. the server: start sluice-server with all three doors on port 0, tell "door absent" apart
  3. HTTP clients: the SQL door (/ksql, streamed /query) and the registry
  4. Kafka: topics (confluent-kafka AdminClient), produce (raw Produce v3, see below), read
     (confluent-kafka Consumer with assign()), consumer-group progress (kafka-python)
  5. ksqlDB types: a parser for schema text ("`K` STRING KEY, `V` INT") and DESCRIBE's JSON
  6. serde: KAFKA, JSON, JSON_SR, DELIMITED, NONE and a small Avro binary codec (Confluent
     framing: magic 0, 4-byte schema id), windowed keys
  7. comparison rules: ksqlDB's ExpectedRecordComparator (record fields), the REST runner's
     response-field matcher, and an order check that tolerates multi-partition sinks
  8. reporting: per-file lines, the last line, --json summary, the floor ("pass counts only go
     up", as avro_conformance.c does)

Invariants:
  * every number read from a case file or from a JSON payload the server sent is an int or a
    Decimal (never a float): ksqlDB's harness compares JSON numbers as BigDecimal, scale and all;
  * a produced record carries exactly the timestamp the case gives (0 when it gives none, as
    ksqlDB's harness does). librdkafka reads timestamp 0 as "now", so records are produced with
    a tiny Produce v3 writer (RecordBatch v2, one batch per run of records to one partition):
      batch: baseOffset i64 | length i32 | leaderEpoch i32 | magic i8=2 | crc32c u32 |
             attributes i16 | lastOffsetDelta i32 | baseTs i64 | maxTs i64 | producerId i64 |
             producerEpoch i16 | baseSequence i32 | count i32 | records
      record: len varint | attrs i8 | tsDelta varlong | offsetDelta varint | key | value | hdrs
  * no client here ever creates a topic implicitly (consumers use assign() on topics that the
    metadata already shows; the producer writes only to topics the runner created).
"""
import atexit
import base64
import ctypes
import decimal
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "interop"))

# ---------------------------------------------------------------------------------------------
# 1. case files
# ---------------------------------------------------------------------------------------------

# Functions that exist only in ksqlDB's test jars (Java UDF/UDAF/UDTF classes loaded by its test
# harness); a case calling one of them cannot run against any other implementation.
JAVA_TEST_FUNCTIONS = frozenset("""
    TEST_UDF TEST_UDTF TOSTRUCT BAD_UDF WHENCONDITION WHENRESULT VAR_ARG MID_VAR_ARG
    GENERIC_VAR_ARG MULTI_ARG FOUR_ARG OBJ_COL_ARG""".split())


def default_cases_dir(kind):
    """../shared/conformance/ksql/<kind> beside the checkout."""
    return os.path.join(os.path.dirname(REPO), "shared", "conformance", "ksql", kind)


def load_json_file(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"), parse_float=Decimal)


class Case:
    """One runnable case: a test node of a file, with one value of its "format" list applied."""

    def __init__(self, file, node, fmt):
        self.file = file                          # file name, e.g. "array.json"
        self.node = node                          # the test node as read (numbers exact)
        self.fmt = fmt                            # the format substituted for {FORMAT}, or None
        base = node.get("name", "")
        self.name = base if fmt is None else "%s - %s" % (base, fmt)
        self.statements = [s.replace("{FORMAT}", fmt) if fmt is not None else s
                           for s in node.get("statements", [])]
        self.scope = out_of_scope_reason(self)    # None when the case is in scope

    @property
    def full_name(self):
        return "%s: %s" % (self.file, self.name)

    def get(self, key, default=None):
        return self.node.get(key, default)


def expand_cases(file, doc):
    """All cases of one file: a "format" list becomes one case per format (ksqlDB names them
    "<name> - <FORMAT>" and replaces {FORMAT} in the statements only)."""
    out = []
    for node in doc.get("tests", []):
        fmts = node.get("format")
        if isinstance(fmts, list) and fmts:
            out.extend(Case(file, node, f) for f in fmts)
        else:
            out.append(Case(file, node, None))
    return out


_CALL_RE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def out_of_scope_reason(case):
    """Why a case cannot be run against Sluice at all (counted apart, never as a failure)."""
    node = case.node
    if node.get("enabled") is False:
        return "disabled in ksqlDB"
    blobs = list(case.statements)
    blobs += [json.dumps(node.get(k), default=str) for k in ("topics", "properties")]
    for post_src in node.get("post", {}).get("sources", []) or []:
        blobs.append(json.dumps(post_src.get("keyFormat"), default=str))
        blobs.append(str(post_src.get("valueFormat")))
    if any("PROTOBUF" in b.upper() for b in blobs):
        return "PROTOBUF"
    for stmt in case.statements:
        for m in _CALL_RE.finditer(stmt):
            if m.group(1).upper() in JAVA_TEST_FUNCTIONS:
                return "Java test UDF %s" % m.group(1).upper()
    return None


def load_cases(cases_dir):
    """[(file name, [Case])] sorted by file name."""
    out = []
    for fn in sorted(os.listdir(cases_dir)):
        if fn.endswith(".json"):
            out.append((fn, expand_cases(fn, load_json_file(os.path.join(cases_dir, fn)))))
    return out


def case_selected(case, regex):
    return regex is None or bool(regex.search(case.file) or regex.search(case.name)
                                 or regex.search(case.full_name))


# ---------------------------------------------------------------------------------------------
# 2. the server
# ---------------------------------------------------------------------------------------------

BROKER_RE = re.compile(r"broker listening on (\S+):(\d+)")
REGISTRY_RE = re.compile(r"schema registry listening on (\S+):(\d+)")
SQL_RE = re.compile(r"sql listening on (\S+):(\d+)", re.I)
REGISTRY_ABSENT_RE = re.compile(r"schema registry door.*not supported yet", re.I)
SQL_ABSENT_RE = re.compile(r"SQL door.*not supported yet", re.I)
START_TIMEOUT = 30.0
_live = []


def find_server(arg):
    """sluice-server from a build dir or binary path (tests/interop/harness.py's rules)."""
    import harness  # tests/interop: first argument, $SLUICE_SERVER, <repo>/build
    return harness.find_server(["x", arg or ""])


def _pdeathsig():
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except Exception:  # noqa: BLE001 - best effort; atexit still kills it
        pass


def _host(h):
    if h in ("", "0.0.0.0", "::", "[::]", "*"):
        return "127.0.0.1"
    return "[%s]" % h if ":" in h and not h.startswith("[") else h


class ServerStartError(Exception):
    pass


class Server:
    """One sluice-server with the broker, registry and SQL doors on free ports, over a fresh
    data dir per start(). After start(): bootstrap, registry_url (None when the registry door
    is absent), sql_url (None when the SQL door is absent; sql_absent holds the server's line)."""

    def __init__(self, binary, keep=False, sets=None):
        self.binary = binary
        self.keep = keep                  # keep data dirs (--keep)
        self.sets = dict(sets or {})      # --set key=value
        self.proc = None
        self.workdir = None               # per start(): data/, server.stdout, server.stderr
        self.bootstrap = None
        self.registry_url = None
        self.sql_url = None
        self.sql_absent = None            # the "SQL door ... not supported yet" line
        self.registry_absent = None
        self.starts = 0
        self.kept = []

    def start(self):
        if self.proc is not None:
            raise ServerStartError("start() while running")
        self.workdir = tempfile.mkdtemp(prefix="sluice-ksql-conf-")
        data = os.path.join(self.workdir, "data")
        os.makedirs(data)
        cmd = [self.binary, "--data-dir", data, "--kafka-port", "0", "--registry-port", "0",
               "--sql-port", "0"]
        for k, v in self.sets.items():
            cmd += ["--set", "%s=%s" % (k, v)]
        errf = open(os.path.join(self.workdir, "server.stderr"), "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=errf, preexec_fn=_pdeathsig, cwd=self.workdir)
        errf.close()
        _live.append(self)
        lines = queue.Queue()
        proc = self.proc
        outpath = os.path.join(self.workdir, "server.stdout")

        def pump():
            with open(outpath, "ab") as out:
                for raw in iter(proc.stdout.readline, b""):
                    out.write(raw)
                    out.flush()
                    lines.put(raw.decode("utf-8", "replace"))
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        self.bootstrap = self.registry_url = self.sql_url = None
        self.sql_absent = self.registry_absent = None
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if (self.bootstrap and (self.registry_url or self.registry_absent)
                    and (self.sql_url or self.sql_absent)):
                self.starts += 1
                return
            left = deadline - time.monotonic()
            if left <= 0:
                tail = self.stderr_tail()
                self.kill()
                raise ServerStartError("server did not announce its doors within %.0f s "
                                       "(seen: broker %s, registry %s, sql %s)\n%s"
                                       % (START_TIMEOUT, self.bootstrap,
                                          self.registry_url or self.registry_absent,
                                          self.sql_url or self.sql_absent, tail))
            try:
                line = lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                if proc.poll() is not None:
                    rc = proc.returncode
                    tail = self.stderr_tail()
                    self._reap()
                    raise ServerStartError("server exited with %s during start-up\n%s"
                                           % (rc, tail))
                continue
            if line is None:
                proc.wait(5)
                rc = proc.returncode
                tail = self.stderr_tail()
                self._reap()
                raise ServerStartError("server closed stdout (exit %s) during start-up\n%s"
                                       % (rc, tail))
            m = REGISTRY_RE.search(line)
            if m:
                self.registry_url = "http://%s:%s" % (_host(m.group(1)), m.group(2))
                continue
            m = SQL_RE.search(line)
            if m:
                self.sql_url = "http://%s:%s" % (_host(m.group(1)), m.group(2))
                continue
            m = BROKER_RE.search(line)
            if m:
                self.bootstrap = "%s:%s" % (_host(m.group(1)), m.group(2))
                continue
            if SQL_ABSENT_RE.search(line):
                self.sql_absent = line.strip()
            elif REGISTRY_ABSENT_RE.search(line):
                self.registry_absent = line.strip()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM (SIGKILL after 15 s); removes the data dir unless keep."""
        if self.proc is None:
            return None
        rc = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._reap()
        return rc

    def kill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self._reap()

    def _reap(self):
        if self.proc is not None and self.proc.stdout:
            try:
                self.proc.stdout.close()
            except OSError:
                pass
        if self in _live:
            _live.remove(self)
        self.proc = None
        if self.workdir:
            if self.keep:
                self.kept.append(self.workdir)
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def stderr_tail(self, n=30):
        try:
            with open(os.path.join(self.workdir, "server.stderr"), "rb") as f:
                text = f.read().decode("utf-8", "replace").splitlines()
        except (OSError, TypeError):
            return "(no stderr)"
        return "---- server stderr (last %d lines) ----\n%s\n----" % (n, "\n".join(text[-n:]))


def _cleanup():
    for s in list(_live):
        try:
            s.kill()
        except Exception:  # noqa: BLE001
            pass


atexit.register(_cleanup)
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


# ---------------------------------------------------------------------------------------------
# 3. HTTP: the SQL door and the registry
# ---------------------------------------------------------------------------------------------

KSQL_CT = "application/vnd.ksql.v1+json"


def parse_json_bytes(data):
    return json.loads(data.decode("utf-8"), parse_float=Decimal)


class HttpClient:
    """HTTP/1.1 with one kept-alive connection (a door answers ~15 requests per case). A
    request on a reused connection that the server had closed meanwhile is sent again on a
    fresh one; nothing else is ever retried."""

    def __init__(self, base, timeout=30.0):
        self.base = base
        self.timeout = timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(self, method, path, body=None, headers=None, timeout=None):
        """(status, body bytes); raises OSError/http.client errors when unreachable."""
        hdrs = {"Accept": "application/json"}
        hdrs.update(headers or {})
        if body is not None and not isinstance(body, bytes):
            body = json_text(body).encode("utf-8")
            hdrs.setdefault("Content-Type", "application/json")
        for attempt in (0, 1):
            reused = self.conn is not None
            if self.conn is None:
                u = urllib.parse.urlsplit(self.base)
                self.conn = http.client.HTTPConnection(u.hostname, u.port,
                                                       timeout=timeout or self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.will_close:
                    self.close()
                return resp.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if not reused or attempt:
                    raise
            except Exception:
                self.close()
                raise
        raise OSError("unreachable")


class KsqlError(Exception):
    """An error answer of the SQL door: HTTP status and the parsed error entity (a dict with
    @type, error_code, message, statementText... when the body was JSON)."""

    def __init__(self, status, entity, raw):
        self.status = status
        self.entity = entity if isinstance(entity, dict) else {}
        self.raw = raw
        super().__init__("HTTP %s: %s" % (status, self.message))

    @property
    def message(self):
        m = self.entity.get("message")
        return m if isinstance(m, str) else self.raw[:500]


class KsqlClient:
    """POST /ksql and POST /query of ksqlDB's REST API."""

    def __init__(self, base, timeout=60.0):
        self.base = base
        self.timeout = timeout
        self.http = HttpClient(base, timeout)

    def close(self):
        self.http.close()

    def ksql(self, sql, props=None):
        """Returns the list of entities; raises KsqlError on an error answer."""
        body = {"ksql": sql, "streamsProperties": dict(props or {})}
        status, data = self.http.call("POST", "/ksql", body,
                                      {"Content-Type": KSQL_CT, "Accept": KSQL_CT})
        text = data.decode("utf-8", "replace")
        try:
            parsed = parse_json_bytes(data) if data.strip() else None
        except ValueError:
            parsed = None
        if status >= 300:
            raise KsqlError(status, parsed, text)
        if isinstance(parsed, dict):   # some servers answer one entity unwrapped
            parsed = [parsed]
        if not isinstance(parsed, list):
            raise KsqlError(status, None, "answer is not a JSON array: " + text[:300])
        return parsed

    def try_ksql(self, sql, props=None):
        """(entities or None, KsqlError or None)."""
        try:
            return self.ksql(sql, props), None
        except KsqlError as e:
            return None, e
        except (OSError, http.client.HTTPException) as e:
            return None, KsqlError(0, None, "connection: %s" % e)

    def query(self, sql, props, deadline, on_header=None):
        """POST /query: reads the streamed JSON array until the server ends it or the deadline.
        Returns (rows, KsqlError or None, complete). on_header() runs once, after the first
        row that carries a "header" (the REST runner's waitForActivePushQuery)."""
        u = urllib.parse.urlsplit(self.base)
        try:
            # the socket outlives the deadline: only the loop below decides when to stop
            conn = http.client.HTTPConnection(u.hostname, u.port,
                                              timeout=max(1.0, deadline - time.monotonic()) + 5)
            conn.request("POST", "/query",
                         body=json_text({"ksql": sql, "streamsProperties": dict(props or {})})
                         .encode(), headers={"Content-Type": KSQL_CT, "Accept": KSQL_CT})
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            return [], KsqlError(0, None, "connection: %s" % e), False
        if resp.status >= 300:
            data = resp.read()
            conn.close()
            try:
                ent = parse_json_bytes(data)
            except ValueError:
                ent = None
            return [], KsqlError(resp.status, ent, data.decode("utf-8", "replace")), True
        chunks = queue.Queue()
        failed = object()

        def reader():
            try:
                while True:
                    b = resp.read1(65536)
                    if not b:
                        break
                    chunks.put(b)
            except Exception:  # noqa: BLE001 - closed under us at the deadline, or reset
                chunks.put(failed)
                return
            chunks.put(None)

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        parser = StreamedArrayParser()
        rows, complete, header_done = [], False, on_header is None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                b = chunks.get(timeout=min(left, 0.2))
            except queue.Empty:
                continue
            if b is None or b is failed:
                complete = b is None
                break
            for row in parser.feed(b):
                rows.append(row)
                if not header_done and isinstance(row, dict) and "header" in row:
                    header_done = True
                    on_header()
        try:
            if conn.sock is not None:
                conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.close()
        return rows, None, complete


class StreamedArrayParser:
    """Incremental reader of ksqlDB's /query body: a JSON array whose elements arrive over time
    (`[{"header":...},\\n{"row":...},\\n...]`). Also takes one element per line without the
    array brackets (the delimited form)."""

    def __init__(self):
        self.buf = ""
        self.dec = json.JSONDecoder(parse_float=Decimal)
        self._pending = b""

    def feed(self, data):
        data = self._pending + data
        try:
            text = data.decode("utf-8")
            self._pending = b""
        except UnicodeDecodeError as e:   # a multi-byte character split across chunks
            text = data[:e.start].decode("utf-8")
            self._pending = data[e.start:]
        self.buf += text
        out = []
        while True:
            s = self.buf.lstrip(" \t\r\n,[]")
            if not s:
                self.buf = ""
                break
            try:
                obj, end = self.dec.raw_decode(s)
            except ValueError:
                self.buf = s
                break
            out.append(obj)
            self.buf = s[end:]
        return out


class Registry:
    """The Confluent Schema Registry REST API (what ksqlDB's harness does with its mock)."""

    def __init__(self, base):
        self.base = base
        self.by_id_cache = {}
        self.http = HttpClient(base, 15.0)

    def close(self):
        self.http.close()

    def _call(self, method, path, body=None):
        status, data = self.http.call(method, path, body,
                                      {"Content-Type": "application/vnd.schemaregistry.v1+json"})
        try:
            parsed = json.loads(data.decode("utf-8")) if data.strip() else None
        except ValueError:
            parsed = data.decode("utf-8", "replace")
        return status, parsed

    @staticmethod
    def _subj(subject):
        return urllib.parse.quote(subject, safe="")

    def register(self, subject, schema_text, schema_type=None, sid=None):
        """Registers a schema under a subject (with a given id via IMPORT mode when sid is set).
        Returns the id; raises RuntimeError with the registry's answer."""
        body = {"schema": schema_text}
        if schema_type and schema_type != "AVRO":
            body["schemaType"] = schema_type
        if sid is not None:
            st, ans = self._call("PUT", "/mode/%s?force=true" % self._subj(subject),
                                 {"mode": "IMPORT"})
            if st >= 300:
                raise RuntimeError("PUT /mode/%s IMPORT: %s %s" % (subject, st, ans))
            body["id"] = sid
            body["version"] = 1
        try:
            st, ans = self._call("POST", "/subjects/%s/versions" % self._subj(subject), body)
        finally:
            if sid is not None:
                self._call("DELETE", "/mode/%s" % self._subj(subject))
        if st >= 300 or not isinstance(ans, dict) or "id" not in ans:
            raise RuntimeError("register %s: HTTP %s %s" % (subject, st, ans))
        return ans["id"]

    def latest(self, subject):
        """(id, schema text, schemaType) of the subject's latest version, or None."""
        st, ans = self._call("GET", "/subjects/%s/versions/latest" % self._subj(subject))
        if st != 200 or not isinstance(ans, dict):
            return None
        return ans.get("id"), ans.get("schema"), ans.get("schemaType") or "AVRO"

    def schema_by_id(self, sid):
        if sid in self.by_id_cache:
            return self.by_id_cache[sid]
        st, ans = self._call("GET", "/schemas/ids/%d" % sid)
        if st != 200 or not isinstance(ans, dict):
            raise DecodeError("schema id %d: registry answered %s %s" % (sid, st, ans))
        res = (ans.get("schema"), ans.get("schemaType") or "AVRO")
        self.by_id_cache[sid] = res
        return res

    def subjects(self):
        st, ans = self._call("GET", "/subjects")
        if st != 200 or not isinstance(ans, list):
            raise RuntimeError("GET /subjects: %s %s" % (st, ans))
        return ans

    def delete_subject(self, subject):
        """Soft then hard delete (Confluent's two-step delete)."""
        self._call("DELETE", "/subjects/%s" % self._subj(subject))
        st, ans = self._call("DELETE", "/subjects/%s?permanent=true" % self._subj(subject))
        return st < 300 or st == 404


# ---------------------------------------------------------------------------------------------
# 4. Kafka
# ---------------------------------------------------------------------------------------------

_CRC32C = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC32C[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def zigzag_varint(v):
    v = (v << 1) ^ (v >> 63)
    v &= (1 << 64) - 1
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def _kstr(s):
    if s is None:
        return struct.pack(">h", -1)
    b = s.encode("utf-8")
    return struct.pack(">h", len(b)) + b


def _kbytes(b):
    return zigzag_varint(-1) if b is None else zigzag_varint(len(b)) + b


def encode_record_batch(records):
    """RecordBatch v2 (uncompressed) of [(key bytes|None, value bytes|None, timestamp ms,
    [(header key str, value bytes|None)])]."""
    base_ts = records[0][2]
    max_ts = max(r[2] for r in records)
    recs = b""
    for i, (k, v, ts, hdrs) in enumerate(records):
        body = b"\x00" + zigzag_varint(ts - base_ts) + zigzag_varint(i) + _kbytes(k) + _kbytes(v)
        body += zigzag_varint(len(hdrs))
        for hk, hv in hdrs:
            body += _kbytes(hk.encode("utf-8")) + _kbytes(hv)
        recs += zigzag_varint(len(body)) + body
    after_crc = (struct.pack(">hiqqqhii", 0, len(records) - 1, base_ts, max_ts, -1, -1, -1,
                             len(records)) + recs)
    after_len = struct.pack(">ibI", -1, 2, crc32c(after_crc)) + after_crc
    return struct.pack(">qi", 0, len(after_len)) + after_len


def murmur2(data):
    """Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as an unsigned 32-bit."""
    m, r, mask = 0x5BD1E995, 24, 0xFFFFFFFF
    length = len(data)
    h = (0x9747B28C ^ length) & mask
    n4 = length // 4
    for i in range(n4):
        k = struct.unpack_from("<I", data, i * 4)[0]
        k = (k * m) & mask
        k ^= k >> r
        k = (k * m) & mask
        h = (h * m) & mask
        h ^= k
    tail = length & ~3
    rem = length % 4
    if rem == 3:
        h ^= data[tail + 2] << 16
    if rem >= 2:
        h ^= data[tail + 1] << 8
    if rem >= 1:
        h ^= data[tail]
        h = (h * m) & mask
    h ^= h >> 13
    h = (h * m) & mask
    h ^= h >> 15
    return h


def default_partition(key, nparts):
    """Java's default partitioner for keyed records: toPositive(murmur2(key)) % n."""
    if key is None or nparts <= 1:
        return 0
    return (murmur2(key) & 0x7FFFFFFF) % nparts


class KafkaError(Exception):
    pass


class Kafka:
    """Kafka-protocol access to the server's broker door."""

    def __init__(self, bootstrap):
        from confluent_kafka.admin import AdminClient
        self.bootstrap = bootstrap
        self.admin = AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 10000})
        self._sock = None
        self._corr = 0
        self._kp_admin = None

    def close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None
        if self._kp_admin is not None:
            try:
                self._kp_admin.close()
            except Exception:  # noqa: BLE001
                pass
            self._kp_admin = None

    # -- topics --------------------------------------------------------------------------------
    def topics(self, timeout=10.0):
        """{name: partition count} of every topic the metadata lists."""
        md = self.admin.list_topics(timeout=timeout)
        return {name: len(t.partitions) for name, t in md.topics.items() if t.error is None}

    def create_topics(self, specs, timeout=15.0):
        """specs: {name: partitions}. Raises KafkaError with the broker's answer."""
        from confluent_kafka.admin import NewTopic
        if not specs:
            return
        futs = self.admin.create_topics([NewTopic(n, num_partitions=p, replication_factor=1)
                                         for n, p in specs.items()],
                                        operation_timeout=timeout, request_timeout=timeout)
        errs = []
        for name, f in futs.items():
            try:
                f.result(timeout)
            except Exception as e:  # noqa: BLE001
                errs.append("%s: %s" % (name, e))
        if errs:
            raise KafkaError("create topics: " + "; ".join(errs))
        # metadata may lag the create: wait until every topic shows up with its partitions
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            have = self.topics()
            if all(have.get(n) == p for n, p in specs.items()):
                return
            time.sleep(0.02)
        raise KafkaError("created topics do not show in the metadata: %s" % sorted(specs))

    def delete_topics(self, names, timeout=15.0):
        if not names:
            return []
        futs = self.admin.delete_topics(list(names), operation_timeout=timeout,
                                        request_timeout=timeout)
        errs = []
        for name, f in futs.items():
            try:
                f.result(timeout)
            except Exception as e:  # noqa: BLE001
                errs.append("%s: %s" % (name, e))
        return errs

    # -- producing (raw Produce v3, so that timestamp 0 stays 0) ----------------------------------
    def _connect(self):
        if self._sock is None:
            host, _, port = self.bootstrap.rpartition(":")
            self._sock = socket.create_connection((host.strip("[]"), int(port)), timeout=15)
        return self._sock

    def _roundtrip(self, api_key, version, body):
        self._corr += 1
        hdr = struct.pack(">hhi", api_key, version, self._corr) + _kstr("sluice-ksql-conformance")
        payload = hdr + body
        sock = self._connect()
        try:
            sock.sendall(struct.pack(">i", len(payload)) + payload)
            size = struct.unpack(">i", _recv_exact(sock, 4))[0]
            resp = _recv_exact(sock, size)
        except OSError:
            self.close()
            raise
        corr = struct.unpack_from(">i", resp, 0)[0]
        if corr != self._corr:
            self.close()
            raise KafkaError("produce: correlation id %d, expected %d" % (corr, self._corr))
        return resp[4:]

    def produce_batch(self, topic, partition, records):
        """Appends records [(key, value, ts, headers)] to one partition, acks=all.
        Returns the base offset."""
        batch = encode_record_batch(records)
        body = (_kstr(None) + struct.pack(">hi", -1, 15000) + struct.pack(">i", 1) + _kstr(topic)
                + struct.pack(">ii", 1, partition) + struct.pack(">i", len(batch)) + batch)
        resp = self._roundtrip(0, 3, body)
        # v3: [topic: name, [partition i32, error i16, base_offset i64, log_append_time i64]]
        pos = 4
        nlen = struct.unpack_from(">h", resp, pos)[0]
        pos += 2 + nlen + 4
        part, err, base = struct.unpack_from(">ihq", resp, pos)
        if err != 0:
            raise KafkaError("produce to %s[%d]: Kafka error code %d" % (topic, part, err))
        return base

    # -- reading -------------------------------------------------------------------------------
    def consumer(self):
        from confluent_kafka import Consumer
        return Consumer({"bootstrap.servers": self.bootstrap, "group.id": "sluice-ksql-reader",
                         "enable.auto.commit": False, "enable.auto.offset.store": False,
                         "auto.offset.reset": "earliest", "fetch.wait.max.ms": 20,
                         "socket.timeout.ms": 10000, "allow.auto.create.topics": False,
                         "topic.metadata.refresh.interval.ms": 1000,
                         "enable.partition.eof": False})

    def read(self, expected, deadline, settle=0.25, give_up=None):
        """Reads topics from their beginning until every topic in expected ({topic: n}) holds
        at least n records (then `settle` s more, to see surplus records), until the deadline,
        or until give_up() says the server is done. A topic that does not exist yet is waited
        for. Returns ({topic: [record dict]}, note)."""
        from confluent_kafka import TopicPartition
        out = {t: [] for t in expected}
        seen = set()
        assigned = {}
        c = self.consumer()
        note = ""
        try:
            settle_until = None
            last_md = 0.0
            while True:
                now = time.monotonic()
                if len(assigned) < len(expected) and now - last_md > 0.1:
                    last_md = now
                    have = self.topics(timeout=5)
                    new = [t for t in expected if t not in assigned and have.get(t)]
                    for t in new:
                        assigned[t] = have[t]
                    if new:   # re-assigning restarts every partition: `seen` drops repeats
                        # offset 0, not OFFSET_BEGINNING: librdkafka delays a logical-offset
                        # lookup by 500 ms; a log that starts later resets to earliest anyway
                        c.assign([TopicPartition(t, p, 0)
                                  for t in assigned for p in range(assigned[t])])
                if all(len(out[t]) >= n for t, n in expected.items()):
                    if settle_until is None:
                        settle_until = now + settle
                    elif now >= settle_until:
                        break
                if now >= deadline:
                    missing = [t for t in expected if t not in assigned]
                    note = "timed out" + (" (topic(s) never created: %s)" % ", ".join(missing)
                                          if missing else "")
                    break
                if give_up is not None and settle_until is None and give_up():
                    note = "gave up: the server's consumers are idle and caught up"
                    break
                if not assigned:
                    time.sleep(0.05)
                    continue
                m = c.poll(0.05)
                if m is None or m.error():
                    continue
                ident = (m.topic(), m.partition(), m.offset())
                if ident in seen:
                    continue
                seen.add(ident)
                if settle_until is not None:
                    settle_until = time.monotonic() + settle
                ts = m.timestamp()[1]
                out[m.topic()].append({"partition": m.partition(), "offset": m.offset(),
                                       "key": m.key(), "value": m.value(), "timestamp": ts,
                                       "headers": list(m.headers() or [])})
        finally:
            c.close()
        for t in out:
            out[t].sort(key=lambda r: (r["partition"], r["offset"]))
        return out, note

    # -- consumer groups (kafka-python: confluent-kafka 1.7 has no group admin API) -------------
    def _kp(self):
        if self._kp_admin is None:
            from kafka.admin import KafkaAdminClient
            self._kp_admin = KafkaAdminClient(bootstrap_servers=self.bootstrap,
                                              request_timeout_ms=10000,
                                              api_version_auto_timeout_ms=5000,
                                              client_id="sluice-ksql-conformance")
        return self._kp_admin

    def group_names(self):
        return [g[0] for g in self._kp().list_consumer_groups()
                if not g[0].startswith("sluice-ksql-reader")]

    def group_offsets(self, group):
        return {(tp.topic, tp.partition): om.offset
                for tp, om in self._kp().list_consumer_group_offsets(group).items()}

    def delete_groups(self, groups):
        if groups:
            self._kp().delete_consumer_groups(groups)

    def end_offsets(self, tps):
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "sluice-ksql-reader"})
        try:
            return {(t, p): c.get_watermark_offsets(TopicPartition(t, p), timeout=5)[1]
                    for (t, p) in tps}
        finally:
            c.close()

    def groups_caught_up(self, produced):
        """True when the server's consumer groups have committed, for every partition the
        runner produced to (produced: {(topic, partition): end offset}), an offset at its end,
        and every other offset they committed is at its partition's end too. None when that
        cannot be told (no groups, or the group API is unavailable)."""
        try:
            groups = self.group_names()
            if not groups:
                return None
            committed = {}
            for g in groups:
                for tp, off in self.group_offsets(g).items():
                    committed.setdefault(tp, []).append(off)
            if not committed:
                return None
            for tp, end in produced.items():
                if not any(o >= end for o in committed.get(tp, [])):
                    return False
            ends = self.end_offsets(list(committed))
            return all(max(offs) >= ends.get(tp, 0) for tp, offs in committed.items())
        except Exception:  # noqa: BLE001 - a heuristic only; never fail a case on it
            return None


def _recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise OSError("connection closed by the broker")
        buf += chunk
    return bytes(buf)


# ---------------------------------------------------------------------------------------------
# 5. ksqlDB types and schema text
# ---------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"""\s*(?:
    (?P<bq>`(?:[^`]|``)*`) |
    (?P<dq>"(?:[^"]|"")*") |
    (?P<sq>'(?:[^']|'')*') |
    (?P<word>[A-Za-z_][A-Za-z0-9_@$]* |
             (?!\d+(?:\.\d*)?[eE][-+]?\d+\b)\d+[A-Za-z_][A-Za-z0-9_]*) |
    (?P<num>-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?) |
    (?P<sym>\S))""", re.X | re.S)


def tokenize(text):
    """[(kind, value)]: kind 'id' (quoted identifier, case kept), 'word' (as written), 'str',
    'num', 'sym'."""
    toks = []
    pos = 0
    text = re.sub(r"--[^\n]*", " ", text)
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        kind = m.lastgroup
        v = m.group(kind)
        if kind == "bq":
            toks.append(("id", v[1:-1].replace("``", "`")))
        elif kind == "dq":
            toks.append(("id", v[1:-1].replace('""', '"')))
        elif kind == "sq":
            toks.append(("str", v[1:-1].replace("''", "'")))
        else:
            toks.append((kind, v))
    return toks


class SchemaParseError(ValueError):
    pass


class _Toks:
    def __init__(self, toks):
        self.t = toks
        self.i = 0

    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else (None, None)

    def next(self):
        tok = self.peek()
        self.i += 1
        return tok

    def word(self, *words):
        k, v = self.peek()
        if k == "word" and v.upper() in words:
            self.i += 1
            return v.upper()
        return None

    def sym(self, s):
        k, v = self.peek()
        if k == "sym" and v == s:
            self.i += 1
            return True
        return False

    def expect_sym(self, s):
        if not self.sym(s):
            raise SchemaParseError("expected '%s' at %r" % (s, self.peek()))

    def ident(self):
        k, v = self.next()
        if k == "id":
            return v
        if k == "word":
            return v.upper()
        raise SchemaParseError("expected an identifier at %r" % ((k, v),))


_SIMPLE_TYPES = {"INT": "INTEGER", "INTEGER": "INTEGER", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE",
                 "BOOLEAN": "BOOLEAN", "STRING": "STRING", "VARCHAR": "STRING", "BYTES": "BYTES",
                 "DATE": "DATE", "TIME": "TIME", "TIMESTAMP": "TIMESTAMP"}


def _quote(name):
    return "`%s`" % name.replace("`", "``")


def _parse_type(ts):
    k, v = ts.next()
    if k not in ("word", "id"):
        raise SchemaParseError("expected a type at %r" % ((k, v),))
    w = v.upper() if k == "word" else v
    if k == "word" and w in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[w]
    if k == "word" and w == "DECIMAL":
        ts.expect_sym("(")
        p = ts.next()[1]
        ts.expect_sym(",")
        s = ts.next()[1]
        ts.expect_sym(")")
        return "DECIMAL(%s, %s)" % (int(p), int(s))
    if k == "word" and w == "ARRAY":
        ts.expect_sym("<")
        t = _parse_type(ts)
        ts.expect_sym(">")
        return "ARRAY<%s>" % t
    if k == "word" and w == "MAP":
        ts.expect_sym("<")
        kt = _parse_type(ts)
        ts.expect_sym(",")
        vt = _parse_type(ts)
        ts.expect_sym(">")
        return "MAP<%s, %s>" % (kt, vt)
    if k == "word" and w == "STRUCT":
        ts.expect_sym("<")
        fields = []
        if not ts.sym(">"):
            while True:
                name = ts.ident()
                fields.append("%s %s" % (_quote(name), _parse_type(ts)))
                if ts.sym(">"):
                    break
                ts.expect_sym(",")
        return "STRUCT<%s>" % ", ".join(fields)
    return w   # a custom type (CREATE TYPE): kept by name


def parse_type(text):
    """Canonical text of one ksqlDB type ("INT" -> "INTEGER", "VARCHAR" -> "STRING")."""
    ts = _Toks(tokenize(text))
    t = _parse_type(ts)
    if ts.peek()[0] is not None:
        raise SchemaParseError("trailing text after type: %r" % (ts.peek(),))
    return t


def _parse_column(ts):
    name = ts.ident()
    typ = _parse_type(ts)
    ns = "VALUE"
    if ts.word("KEY"):
        ns = "KEY"
    elif ts.word("PRIMARY"):
        if not ts.word("KEY"):
            raise SchemaParseError("PRIMARY without KEY")
        ns = "KEY"
    elif ts.word("HEADERS"):
        ns = "HEADERS"
    elif ts.word("HEADER"):
        ts.expect_sym("(")
        k, v = ts.next()
        ts.expect_sym(")")
        ns = "HEADER('%s')" % v
    return (name, typ, ns)


def parse_columns_tokens(ts, stop=None):
    cols = []
    k, v = ts.peek()
    if k is None or (k == "sym" and v == stop):
        return cols
    while True:
        cols.append(_parse_column(ts))
        if not ts.sym(","):
            break
    return cols


def parse_schema(text):
    """ksqlDB's schema text ("`K` STRING KEY, `V` INT") as [(name, canonical type, namespace)]
    with namespace KEY, VALUE, HEADERS or HEADER('k')."""
    ts = _Toks(tokenize(text))
    cols = parse_columns_tokens(ts)
    if ts.peek()[0] is not None:
        raise SchemaParseError("trailing text in schema: %r" % (ts.peek(),))
    return cols


def type_from_describe(schema):
    """Canonical type text of a DESCRIBE field schema {"type", "fields", "memberSchema",
    "parameters"}."""
    if not isinstance(schema, dict):
        raise SchemaParseError("field schema is not an object: %r" % (schema,))
    t = str(schema.get("type", "")).upper()
    if t in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[t]
    if t == "DECIMAL":
        p = schema.get("parameters") or {}
        return "DECIMAL(%s, %s)" % (int(p.get("precision")), int(p.get("scale")))
    if t == "ARRAY":
        return "ARRAY<%s>" % type_from_describe(schema.get("memberSchema"))
    if t == "MAP":
        ks = schema.get("keySchema")
        kt = type_from_describe(ks) if isinstance(ks, dict) else "STRING"
        return "MAP<%s, %s>" % (kt, type_from_describe(schema.get("memberSchema")))
    if t == "STRUCT":
        fields = schema.get("fields") or []
        return "STRUCT<%s>" % ", ".join("%s %s" % (_quote(f["name"]),
                                                   type_from_describe(f["schema"]))
                                        for f in fields)
    return t


def columns_from_describe(fields):
    """[(name, type, namespace)] of DESCRIBE's sourceDescription.fields (system columns, if a
    server lists them, left out: ksqlDB's schemas never hold them)."""
    cols = []
    for f in fields or []:
        kind = str(f.get("type") or f.get("fieldType") or "").upper()
        if kind == "SYSTEM":
            continue
        if kind == "KEY":
            ns = "KEY"
        elif kind in ("HEADER", "HEADERS"):
            ns = "HEADER('%s')" % f["headerKey"] if f.get("headerKey") else "HEADERS"
        else:
            ns = "VALUE"
        cols.append((f.get("name"), type_from_describe(f.get("schema")), ns))
    return cols


def keys_first(cols):
    return [c for c in cols if c[2] == "KEY"] + [c for c in cols if c[2] != "KEY"]


def schema_text(cols):
    return ", ".join("%s %s%s" % (_quote(n), t, "" if ns == "VALUE" else " " + ns)
                     for n, t, ns in cols)


def parse_create(stmt):
    """The parts of a CREATE STREAM/TABLE statement the runners need, or None for any other
    statement: {kind, name, columns (None when not given), props {UPPER: value}, as_select,
    from (first source after FROM), text}."""
    ts = _Toks(tokenize(stmt))
    if not ts.word("CREATE"):
        return None
    if ts.word("OR"):
        ts.word("REPLACE")
    ts.word("SOURCE")
    kind = ts.word("STREAM", "TABLE")
    if not kind:
        return None
    if ts.word("IF"):
        ts.word("NOT")
        ts.word("EXISTS")
    try:
        name = ts.ident()
        columns = None
        if ts.sym("("):
            columns = parse_columns_tokens(ts, stop=")")
            ts.expect_sym(")")
        props = {}
        if ts.word("WITH"):
            ts.expect_sym("(")
            while not ts.sym(")"):
                key = ts.ident().upper()
                ts.expect_sym("=")
                k, v = ts.next()
                if k == "num":
                    v = Decimal(v)
                props[key] = v
                ts.sym(",")
        as_select = bool(ts.word("AS"))
    except (SchemaParseError, TypeError, decimal.InvalidOperation):
        return None
    src = None
    if as_select:
        m = re.search(r"\bFROM\s+(`(?:[^`]|``)*`|[A-Za-z_][A-Za-z0-9_]*)", stmt, re.I)
        if m:
            src = m.group(1)[1:-1] if m.group(1).startswith("`") else m.group(1).upper()
    return {"kind": kind, "name": name, "columns": columns, "props": props,
            "as_select": as_select, "from": src, "text": stmt}


_UNIT_MS = {"MILLISECOND": 1, "SECOND": 1000, "MINUTE": 60000, "HOUR": 3600000,
            "DAY": 86400000}


def duration_ms(n, unit):
    u = unit.upper().rstrip("S")
    return int(n) * _UNIT_MS[u] if u in _UNIT_MS else None


def window_of_statement(text):
    """(window kind 'TIME'|'SESSION', size ms or None) of a windowed CREATE ... AS SELECT."""
    m = re.search(r"\bWINDOW\s+(TUMBLING|HOPPING|SESSION)\s*\(\s*(?:SIZE\s+)?(\d+)\s+(\w+)",
                  text, re.I)
    if not m:
        return None, None
    if m.group(1).upper() == "SESSION":
        return "SESSION", None
    return "TIME", duration_ms(m.group(2), m.group(3))


# ---------------------------------------------------------------------------------------------
# 6. serde
# ---------------------------------------------------------------------------------------------

class SerdeError(Exception):
    pass


class DecodeError(Exception):
    pass


def json_text(v):
    """JSON text with numbers written as they were read (Decimal keeps its digits, like the
    Jackson BigDecimal nodes of ksqlDB's harness) and non-ASCII text kept as UTF-8."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (bytes, bytearray)):
        return json.dumps(base64.b64encode(v).decode())
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(json_text(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join("%s:%s" % (json.dumps(str(k), ensure_ascii=False), json_text(x))
                              for k, x in v.items()) + "}"
    raise SerdeError("cannot write %r as JSON" % (v,))


def normalize_spec(v):
    """A key or value of an input record as ksqlDB's harness hands it to a serializer: it
    re-reads the case's JSON with numbers written plainly, so 1e3 becomes the integer 1000
    and 1.5E-1 the decimal 0.15 (RecordNode.buildJson)."""
    if isinstance(v, Decimal):
        plain = format(v, "f")
        return int(plain) if "." not in plain else Decimal(plain)
    if isinstance(v, list):
        return [normalize_spec(x) for x in v]
    if isinstance(v, dict):
        return {k: normalize_spec(x) for k, x in v.items()}
    return v


def java_text(v):
    """What Java's toString gives for a JSON value of a case (DELIMITED, Avro strings)."""
    if isinstance(v, str):
        return v
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, Decimal)):
        return str(v)
    return json_text(v)


def kafka_encode(spec, sql_type):
    """KAFKA format: one column, big-endian INT/BIGINT/DOUBLE or UTF-8 STRING."""
    if sql_type is None:
        if isinstance(spec, str):
            sql_type = "STRING"
        elif isinstance(spec, Decimal):
            sql_type = "DOUBLE"
        elif isinstance(spec, int) and not isinstance(spec, bool):
            sql_type = "INTEGER" if -2 ** 31 <= spec < 2 ** 31 else "BIGINT"
        else:
            raise SerdeError("KAFKA format: cannot tell the column type of %r" % (spec,))
    try:
        if sql_type == "INTEGER":
            return struct.pack(">i", int(java_text(spec)))
        if sql_type == "BIGINT":
            return struct.pack(">q", int(java_text(spec)))
        if sql_type == "DOUBLE":
            return struct.pack(">d", float(java_text(spec)))
        if sql_type == "STRING":
            return java_text(spec).encode("utf-8")
    except (ValueError, struct.error) as e:
        raise SerdeError("KAFKA %s: cannot encode %r: %s" % (sql_type, spec, e))
    raise SerdeError("KAFKA format does not support type %s" % sql_type)


def kafka_decode(data, sql_type, hint=None):
    if sql_type is None:   # no type known: take the shape of the expected value
        if isinstance(hint, str):
            sql_type = "STRING"
        elif isinstance(hint, Decimal):
            sql_type = "DOUBLE"
        elif isinstance(hint, int) and not isinstance(hint, bool):
            sql_type = "INTEGER" if len(data) == 4 else "BIGINT"
        else:
            sql_type = "STRING"
    if sql_type == "INTEGER":
        if len(data) != 4:
            raise DecodeError("KAFKA INT needs 4 bytes, got %d" % len(data))
        return struct.unpack(">i", data)[0]
    if sql_type == "BIGINT":
        if len(data) != 8:
            raise DecodeError("KAFKA BIGINT needs 8 bytes, got %d" % len(data))
        return struct.unpack(">q", data)[0]
    if sql_type == "DOUBLE":
        if len(data) != 8:
            raise DecodeError("KAFKA DOUBLE needs 8 bytes, got %d" % len(data))
        return struct.unpack(">d", data)[0]
    if sql_type == "STRING":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DecodeError("KAFKA STRING is not UTF-8: %s" % e)
    raise DecodeError("KAFKA format does not support type %s" % sql_type)


# -- Avro binary codec (Avro 1.11 spec: zigzag varints, little-endian floats, blocks) -------

_AVRO_PRIMS = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


class AvroSchema:
    """A parsed Avro schema with its named types resolved by full name."""

    def __init__(self, text):
        self.root = json.loads(text) if isinstance(text, str) else text
        self.names = {}
        self._walk(self.root, None)

    @staticmethod
    def _full(name, ns):
        return name if "." in name or not ns else "%s.%s" % (ns, name)

    def _walk(self, s, ns):
        if isinstance(s, list):
            for b in s:
                self._walk(b, ns)
        elif isinstance(s, dict):
            t = s.get("type")
            if t in ("record", "error", "enum", "fixed"):
                full = self._full(s["name"], s.get("namespace", ns))
                self.names[full] = s
                self.names.setdefault(full.rpartition(".")[2], s)
                inner = full.rpartition(".")[0] or None
                for f in s.get("fields", []) or []:
                    self._walk(f.get("type"), inner)
            elif t == "array":
                self._walk(s.get("items"), ns)
            elif t == "map":
                self._walk(s.get("values"), ns)
            elif isinstance(t, (dict, list)):
                self._walk(t, ns)

    def resolve(self, s):
        while True:
            if isinstance(s, str) and s not in _AVRO_PRIMS:
                if s not in self.names and s.rpartition(".")[2] not in self.names:
                    raise SerdeError("Avro: unknown named type %s" % s)
                s = self.names.get(s) or self.names[s.rpartition(".")[2]]
            elif isinstance(s, dict) and isinstance(s.get("type"), (dict, list)):
                s = s["type"]
            elif isinstance(s, dict) and isinstance(s.get("type"), str) and \
                    s["type"] not in _AVRO_PRIMS and s["type"] not in \
                    ("record", "error", "enum", "fixed", "array", "map"):
                s = s["type"]
            else:
                return s

    # -- encoding --------------------------------------------------------------------------
    def encode(self, value):
        out = bytearray()
        self._enc(self.root, value, out)
        return bytes(out)

    def _enc(self, s, v, out):
        s = self.resolve(s)
        if isinstance(s, list):
            return self._enc_union(s, v, out)
        t = s if isinstance(s, str) else s.get("type")
        logical = s.get("logicalType") if isinstance(s, dict) else None
        if t == "null":
            if v is not None:
                raise SerdeError("Avro null: got %r" % (v,))
            return
        if v is None:
            raise SerdeError("Avro %s: got null" % t)
        if t == "boolean":
            out.append(1 if (v if isinstance(v, bool) else java_text(v).lower() == "true")
                       else 0)
        elif t in ("int", "long"):
            try:
                n = int(java_text(v))
            except ValueError:
                raise SerdeError("Avro %s: cannot encode %r" % (t, v))
            out += zigzag_varint(n)
        elif t == "float":
            out += struct.pack("<f", float(java_text(v)))
        elif t == "double":
            out += struct.pack("<d", float(java_text(v)))
        elif t == "string":
            b = java_text(v).encode("utf-8")
            out += zigzag_varint(len(b)) + b
        elif t in ("bytes", "fixed"):
            if logical == "decimal":
                b = _decimal_bytes(v, int(s.get("precision", 0)), int(s.get("scale", 0)))
                if t == "fixed":
                    size = int(s["size"])
                    b = (b"\xff" if b[0] & 0x80 else b"\x00") * (size - len(b)) + b
            elif isinstance(v, str):
                try:
                    b = base64.b64decode(v, validate=True)
                except ValueError:
                    raise SerdeError("Avro bytes: %r is not base64" % v)
            elif isinstance(v, (bytes, bytearray)):
                b = bytes(v)
            else:
                raise SerdeError("Avro bytes: cannot encode %r" % (v,))
            if t == "bytes":
                out += zigzag_varint(len(b))
            elif len(b) != int(s["size"]):
                raise SerdeError("Avro fixed(%s): %d bytes" % (s["size"], len(b)))
            out += b
        elif t == "enum":
            sym = java_text(v)
            if sym not in s["symbols"]:
                raise SerdeError("Avro enum: %r is not a symbol" % sym)
            out += zigzag_varint(s["symbols"].index(sym))
        elif t == "array":
            if not isinstance(v, list):
                raise SerdeError("Avro array: got %r" % (v,))
            if v:
                out += zigzag_varint(len(v))
                for x in v:
                    self._enc(s["items"], x, out)
            out += zigzag_varint(0)
        elif t == "map":
            if not isinstance(v, dict):
                raise SerdeError("Avro map: got %r" % (v,))
            if v:
                out += zigzag_varint(len(v))
                for k, x in v.items():
                    kb = java_text(k).encode("utf-8")
                    out += zigzag_varint(len(kb)) + kb
                    self._enc(s["values"], x, out)
            out += zigzag_varint(0)
        elif t in ("record", "error"):
            if not isinstance(v, dict):
                raise SerdeError("Avro record %s: got %r" % (s.get("name"), v))
            upper = {str(k).upper(): k for k in v}   # Connect matches field names any case
            for f in s["fields"]:
                k = upper.get(f["name"].upper())
                if k is not None:
                    x = v[k]
                elif "default" in f:
                    x = f["default"]
                else:
                    x = None
                try:
                    self._enc(f["type"], x, out)
                except SerdeError as e:
                    raise SerdeError("field %s: %s" % (f["name"], e))
        else:
            raise SerdeError("Avro: unsupported type %r" % (t,))

    def _enc_union(self, branches, v, out):
        if v is None:
            for i, b in enumerate(branches):
                if self.resolve(b) == "null":
                    out += zigzag_varint(i)
                    return
            raise SerdeError("Avro union without null: got null")
        errs = []
        for i, b in enumerate(branches):
            if self.resolve(b) == "null":
                continue
            tmp = bytearray()
            try:
                self._enc(b, v, tmp)
            except (SerdeError, ValueError, TypeError, KeyError) as e:
                errs.append(str(e))
                continue
            out += zigzag_varint(i) + tmp
            return
        raise SerdeError("Avro union: no branch takes %r (%s)" % (v, "; ".join(errs)))

    # -- decoding --------------------------------------------------------------------------
    def decode(self, data):
        rd = _AvroReader(data)
        v = self._dec(self.root, rd)
        if rd.pos != len(data):
            raise DecodeError("Avro: %d trailing bytes" % (len(data) - rd.pos))
        return v

    def _dec(self, s, rd):
        s = self.resolve(s)
        if isinstance(s, list):
            i = rd.long()
            if not 0 <= i < len(s):
                raise DecodeError("Avro union index %d out of range" % i)
            v = self._dec(s[i], rd)
            non_null = [b for b in s if self.resolve(b) != "null"]
            if len(non_null) <= 1:
                return v
            # Connect's AvroData turns a multi-type union into a struct, one field per branch
            out = {self._branch_name(b): None for b in non_null}
            if v is not None:
                out[self._branch_name(s[i])] = v
            return out
        t = s if isinstance(s, str) else s.get("type")
        logical = s.get("logicalType") if isinstance(s, dict) else None
        if t == "null":
            return None
        if t == "boolean":
            return rd.take(1) != b"\x00"
        if t in ("int", "long"):
            return rd.long()
        if t == "float":
            return struct.unpack("<f", rd.take(4))[0]
        if t == "double":
            return struct.unpack("<d", rd.take(8))[0]
        if t == "string":
            try:
                return rd.take(rd.long()).decode("utf-8")
            except UnicodeDecodeError as e:
                raise DecodeError("Avro string: %s" % e)
        if t in ("bytes", "fixed"):
            b = rd.take(rd.long() if t == "bytes" else int(s["size"]))
            if logical == "decimal":
                n = int.from_bytes(b, "big", signed=True) if b else 0
                return Decimal(n).scaleb(-int(s.get("scale", 0)))
            return b
        if t == "enum":
            i = rd.long()
            return s["symbols"][i]
        if t == "array":
            out = []
            while True:
                n = rd.long()
                if n == 0:
                    return out
                if n < 0:
                    n = -n
                    rd.long()
                for _ in range(n):
                    out.append(self._dec(s["items"], rd))
        if t == "map":
            out = {}
            while True:
                n = rd.long()
                if n == 0:
                    return out
                if n < 0:
                    n = -n
                    rd.long()
                for _ in range(n):
                    k = rd.take(rd.long()).decode("utf-8")
                    out[k] = self._dec(s["values"], rd)
        if t in ("record", "error"):
            return {f["name"]: self._dec(f["type"], rd) for f in s["fields"]}
        raise DecodeError("Avro: unsupported type %r" % (t,))

    def _branch_name(self, b):
        r = self.resolve(b)
        if isinstance(r, str):
            return r
        if r.get("type") in ("record", "error", "enum", "fixed"):
            return r.get("name")
        return r.get("type")


class _AvroReader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise DecodeError("Avro: short read")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def long(self):
        shift, acc = 0, 0
        while True:
            b = self.take(1)[0]
            acc |= (b & 0x7F) << shift
            if not b & 0x80:
                break
            shift += 7
            if shift > 63:
                raise DecodeError("Avro: varint too long")
        return (acc >> 1) ^ -(acc & 1)


def _decimal_bytes(v, precision, scale):
    """Two's complement big-endian unscaled value of a decimal (ksqlDB's DecimalUtil.ensureFit:
    the value must fit the scale exactly and the precision)."""
    try:
        d = v if isinstance(v, Decimal) else Decimal(java_text(v))
    except decimal.InvalidOperation:
        raise SerdeError("decimal: cannot read %r" % (v,))
    ctx = decimal.Context(prec=max(precision, 1) + 40, traps=[decimal.Inexact])
    try:
        q = d.quantize(Decimal(1).scaleb(-scale), context=ctx)
    except (decimal.Inexact, decimal.InvalidOperation):
        raise SerdeError("decimal %s does not fit DECIMAL(%d, %d)" % (d, precision, scale))
    unscaled = int(q.scaleb(scale))
    if precision and len(str(abs(unscaled))) > precision:
        raise SerdeError("decimal %s does not fit DECIMAL(%d, %d)" % (d, precision, scale))
    return unscaled.to_bytes(max(1, (unscaled.bit_length() + 8) // 8), "big", signed=True)


def confluent_frame(sid, payload):
    return b"\x00" + struct.pack(">I", sid) + payload


def confluent_unframe(data):
    if len(data) < 5 or data[0] != 0:
        raise DecodeError("not in Confluent framing (magic byte %r)" % data[:1])
    return struct.unpack(">I", data[1:5])[0], data[5:]


WINDOW_KINDS = {"TUMBLING": "TIME", "HOPPING": "TIME", "TIME": "TIME", "SESSION": "SESSION"}


class TopicFormat:
    """How the records of one topic are written: formats and columns of a source over it."""

    def __init__(self, topic, key_format="KAFKA", value_format="JSON", key_cols=None,
                 value_cols=None, window=None, window_size=None, source=None):
        self.topic = topic
        self.key_format = (key_format or "KAFKA").upper()
        self.value_format = (value_format or "JSON").upper()
        self.key_cols = key_cols          # [(name, type)] or None when unknown
        self.value_cols = value_cols
        self.window = window              # None, 'TIME' or 'SESSION'
        self.window_size = window_size    # ms, for TIME windows (None when unknown)
        self.source = source              # name of the stream/table it was learnt from

    def __repr__(self):
        return "TopicFormat(%s key=%s%s value=%s)" % (self.topic, self.key_format,
                                                       "/" + self.window if self.window else "",
                                                       self.value_format)


def _single_type(cols):
    if cols and len(cols) == 1:
        return cols[0][1]
    return None


class CachedRegistry:
    """Latest-schema lookups of one batch of inputs, asked once per subject."""

    def __init__(self, registry):
        self.registry = registry
        self.latest_cache = {}
        self.schemas = {}

    def latest(self, subject):
        if subject not in self.latest_cache:
            self.latest_cache[subject] = self.registry.latest(subject)
        return self.latest_cache[subject]

    def avro(self, text):
        if text not in self.schemas:
            self.schemas[text] = AvroSchema(text)
        return self.schemas[text]


def serialize(fmt, spec, cols, registry, subject):
    """Bytes of one key or value written by ksqlDB's harness for format fmt (None stays None).
    registry: a Registry or CachedRegistry (None when the door is absent)."""
    if spec is None:
        return None
    fmt = fmt.upper()
    if fmt == "NONE":
        return None
    if fmt == "KAFKA":
        return kafka_encode(spec, _single_type(cols))
    if fmt == "JSON":
        return json_text(spec).encode("utf-8")
    if fmt == "DELIMITED":
        return java_text(spec).encode("utf-8")
    if fmt in ("AVRO", "JSON_SR"):
        if registry is None:
            raise SerdeError("%s needs the schema registry door, which is absent" % fmt)
        latest = registry.latest(subject)
        if latest is None:
            raise SerdeError("%s: no schema registered under subject %s" % (fmt, subject))
        sid, text, _stype = latest
        if fmt == "JSON_SR":
            return confluent_frame(sid, json_text(spec).encode("utf-8"))
        schema = registry.avro(text) if hasattr(registry, "avro") else AvroSchema(text)
        return confluent_frame(sid, schema.encode(spec))
    raise SerdeError("format %s is not supported by the runner" % fmt)


def deserialize(fmt, data, cols, registry, hint=None):
    """The value ksqlDB's harness would compare for bytes written in format fmt."""
    if data is None:
        return None
    fmt = fmt.upper()
    if fmt == "NONE":
        return None
    if fmt == "KAFKA":
        return kafka_decode(data, _single_type(cols), hint)
    if fmt in ("JSON", "JSON_SR"):
        if fmt == "JSON_SR":
            _sid, data = confluent_unframe(data)
        try:
            return parse_json_bytes(data)
        except ValueError as e:
            raise DecodeError("%s: not JSON: %s" % (fmt, e))
    if fmt == "DELIMITED":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DecodeError("DELIMITED: not UTF-8: %s" % e)
    if fmt == "AVRO":
        if registry is None:
            raise DecodeError("AVRO needs the schema registry door, which is absent")
        sid, payload = confluent_unframe(data)
        text, _stype = registry.schema_by_id(sid)
        return AvroSchema(text).decode(payload)
    raise DecodeError("format %s is not supported by the runner" % fmt)


def window_wrap(key_bytes, window, kind):
    """Kafka Streams' windowed key layouts: TIME = key | start i64; SESSION = key | end i64 |
    start i64 (TimeWindowedSerializer, SessionWindowedSerializer)."""
    kb = key_bytes or b""
    if kind == "SESSION":
        return kb + struct.pack(">qq", int(window["end"]), int(window["start"]))
    return kb + struct.pack(">q", int(window["start"]))


def window_unwrap(data, kind, size_ms):
    """(inner key bytes, {start, end, type}) of a windowed key."""
    if data is None:
        raise DecodeError("windowed key is null")
    if kind == "SESSION":
        if len(data) < 16:
            raise DecodeError("session-windowed key shorter than 16 bytes")
        end, start = struct.unpack(">qq", data[-16:])
        return data[:-16], {"start": start, "end": end, "type": "SESSION"}
    if len(data) < 8:
        raise DecodeError("time-windowed key shorter than 8 bytes")
    start = struct.unpack(">q", data[-8:])[0]
    return data[:-8], {"start": start, "end": None if size_ms is None else start + size_ms,
                       "type": "TIME"}


# ---------------------------------------------------------------------------------------------
# 7. comparison
# ---------------------------------------------------------------------------------------------

def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _dec_scale(d):
    return -d.as_tuple().exponent


def qtt_match(actual, expected):
    """ksqlDB's ExpectedRecordComparator.matches: expected is the case's JSON (ints, Decimals,
    str, bool, None, list, dict); actual the deserialized record part."""
    if expected is None:
        return actual is None
    if isinstance(expected, bool):
        return isinstance(actual, bool) and actual == expected
    if _is_int(expected) or isinstance(expected, Decimal):
        return _match_number(actual, expected)
    if isinstance(expected, str):
        if isinstance(actual, str):
            return actual == expected
        if isinstance(actual, Decimal):
            try:
                e = Decimal(expected)
            except decimal.InvalidOperation:
                return False
            return e == actual and _dec_scale(e) == _dec_scale(actual)
        return False
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(qtt_match(a, e) for a, e in zip(actual, expected)))
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or len(actual) != len(expected):
            return False
        for k, e in expected.items():
            a = actual.get(k)
            if a is None:
                a = actual.get(k.upper())
            if not qtt_match(a, e):
                return False
        return True
    return False


def _match_number(actual, expected):
    if isinstance(actual, bool) or actual is None:
        return False
    if _is_int(actual):       # Integer/Long: expected.intValue()/longValue() (truncating)
        return int(expected) == actual
    if isinstance(actual, float):
        return float(expected) == actual
    if isinstance(actual, Decimal):  # BigDecimal
        if _is_int(expected):
            return _dec_scale(actual) <= 0 and int(actual) == expected
        return actual == expected and _dec_scale(actual) == _dec_scale(expected)
    return False


def coerce_record_fields(v):
    """ksqlDB's coerceRecordFields: top-level bytes fields of a record become base64 text
    (empty bytes become null)."""
    if not isinstance(v, dict):
        return v
    return {k: (base64.b64encode(x).decode() if x else None)
            if isinstance(x, (bytes, bytearray)) else x for k, x in v.items()}


def header_list(expected_headers):
    """[(key, bytes|None)] of a case's [{"KEY": k, "VALUE": base64|null}]."""
    out = []
    for h in expected_headers:
        v = h.get("VALUE")
        out.append((h.get("KEY"), None if v is None else base64.b64decode(v)))
    return out


def compare_record(actual, expected, ran_with_inserts):
    """None when an output record matches the expected one (ksqlDB's validateCreatedMessage);
    else a one-line reason. actual: {key, value, timestamp, headers, window, key_error,
    value_error}."""
    if actual.get("key_error"):
        return "key: %s" % actual["key_error"]
    if actual.get("value_error"):
        return "value: %s" % actual["value_error"]
    ew = expected.get("window")
    aw = actual.get("window")
    if ew is not None:
        if aw is None:
            return "expected window %s, record is not windowed" % json_text(ew)
        if int(ew.get("start")) != aw["start"] or \
                str(ew.get("type", "")).upper() != aw["type"] or \
                (aw["end"] is not None and int(ew.get("end")) != aw["end"]):
            return "window %s, expected %s" % (json_text(aw), json_text(ew))
    elif aw is not None:
        return "record is windowed %s, expected no window" % json_text(aw)
    if not qtt_match(coerce_record_fields(actual["key"]), expected.get("key")):
        return "key %s, expected %s" % (show(actual["key"]), show(expected.get("key")))
    if not qtt_match(coerce_record_fields(actual["value"]), expected.get("value")):
        return "value %s, expected %s" % (show(actual["value"]), show(expected.get("value")))
    if "headers" in expected and expected["headers"] is not None:
        want = header_list(expected["headers"])
        have = [(k, v) for k, v in actual.get("headers") or []]
        if have != want:
            return "headers %r, expected %r" % (have, want)
    ets = expected.get("timestamp")
    if ets is not None and int(ets) != actual["timestamp"] and \
            not (ran_with_inserts and int(ets) == 0):
        return "timestamp %s, expected %s" % (actual["timestamp"], ets)
    return None


def match_in_partition_order(actuals, expecteds, ran_with_inserts):
    """Compares a topic's records to the expected list. The expected order is the order the
    records were produced in; a topic with several partitions only keeps an order per
    partition, so the expected list must be an interleaving of the per-partition sequences
    (with one partition this is the exact order). Returns None or a reason."""
    if len(actuals) != len(expecteds):
        return "%d records, expected %d" % (len(actuals), len(expecteds))
    heads = {}
    for r in actuals:
        heads.setdefault(r["partition"], []).append(r)
    pos = {p: 0 for p in heads}
    for i, exp in enumerate(expecteds):
        first_reason = None
        for p in sorted(heads):
            if pos[p] >= len(heads[p]):
                continue
            reason = compare_record(heads[p][pos[p]], exp, ran_with_inserts)
            if reason is None:
                pos[p] += 1
                break
            if first_reason is None:
                first_reason = "partition %d offset %d: %s" % (p, heads[p][pos[p]]["offset"],
                                                               reason)
        else:
            return "record %d: %s" % (i, first_reason)
    return None


def show(v, n=300):
    s = json_text(v) if not isinstance(v, (bytes, bytearray)) else repr(v)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def rest_equal(a, e):
    """Equality of two JSON values as ksqlDB's REST runner sees them (Java equals on Jackson
    maps/lists/numbers): an integer never equals a fraction; fractions compare by value."""
    if e is None or isinstance(e, (bool, str)):
        return type(a) is type(e) and a == e if e is not None else a is None
    if _is_int(e):
        return _is_int(a) and a == e
    if isinstance(e, (Decimal, float)):
        return isinstance(a, (Decimal, float)) and not isinstance(a, bool) and \
            Decimal(str(a)) == Decimal(str(e))
    if isinstance(e, list):
        return isinstance(a, list) and len(a) == len(e) and \
            all(rest_equal(x, y) for x, y in zip(a, e))
    if isinstance(e, dict):
        return isinstance(a, dict) and set(a) == set(e) and \
            all(rest_equal(a[k], e[k]) for k in e)
    return a == e


def rest_match(actual, expected, statement=None, path="response"):
    """ksqlDB's RestTestExecutor.matchResponseFields: every key of expected must be in actual;
    objects are matched recursively (extra actual keys are fine), other values must be equal;
    "key|starts_with" compares text prefixes; "{STATEMENT}" in expected text is the statement.
    Returns None or a reason."""
    for key, ev in expected.items():
        op = "EQUALS"
        name = key
        if "|" in key:
            name, op = key.split("|", 1)
            op = op.upper()
        if isinstance(ev, str) and statement is not None:
            ev = ev.replace("{STATEMENT}", statement)
        if not isinstance(actual, dict) or name not in actual:
            return "%s: no field %r (got %s)" % (path, name, show(actual))
        av = actual[name]
        sub = "%s->%s" % (path, name)
        if isinstance(ev, dict):
            if not isinstance(av, dict):
                return "%s: %s, expected an object" % (sub, show(av))
            r = rest_match(av, ev, statement, sub)
            if r:
                return r
        elif op == "STARTS_WITH":
            if not (isinstance(av, str) and isinstance(ev, str) and av.startswith(ev)):
                return "%s: %s does not start with %s" % (sub, show(av), show(ev))
        elif not rest_equal(av, ev):
            return "%s: %s, expected %s" % (sub, show(av), show(ev))
    return None


# ---------------------------------------------------------------------------------------------
# 8. reporting
# ---------------------------------------------------------------------------------------------

PASS, FAIL, OUT = "pass", "fail", "out_of_scope"


class Report:
    """Results per file; prints `name.json: P/T passed` lines and the last line."""

    def __init__(self, runner):
        self.runner = runner
        self.files = {}          # file -> [(case name, status, reason, detail)]
        self.t0 = time.monotonic()
        self.notes = []

    def add(self, case, status, reason="", detail=""):
        self.files.setdefault(case.file, []).append((case.name, status, reason, detail))

    def counts(self, file=None):
        rows = self.files.get(file, []) if file else [r for v in self.files.values() for r in v]
        p = sum(1 for r in rows if r[1] == PASS)
        f = sum(1 for r in rows if r[1] == FAIL)
        o = sum(1 for r in rows if r[1] == OUT)
        return p, f, o

    def file_line(self, file):
        p, f, o = self.counts(file)
        return "%s: %d/%d passed%s" % (file, p, p + f, " (%d out of scope)" % o if o else "")

    def to_json(self, door, extra=None):
        p, f, o = self.counts()
        doc = {"runner": self.runner, "door": door, "passed": p, "failed": f, "out_of_scope": o,
               "elapsed_s": round(time.monotonic() - self.t0, 1), "notes": self.notes,
               "files": {}}
        for file, rows in sorted(self.files.items()):
            fp, ff, fo = self.counts(file)
            doc["files"][file] = {"passed": fp, "total": fp + ff, "out_of_scope": fo,
                                  "cases": [{"name": n, "status": s, "reason": r}
                                            for n, s, r, _d in rows]}
        doc.update(extra or {})
        return doc


def read_floor(path):
    """The first integer in the floor file (0 when the file has none)."""
    with open(path) as f:
        m = re.search(r"-?\d+", f.read())
    return int(m.group(0)) if m else 0


def finish(report, args, door, extra=None):
    """Writes --json, checks the floor; returns the exit status."""
    p, f, o = report.counts()
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report.to_json(door, extra), fh, indent=1, default=str)
    if args.floor:
        try:
            floor = read_floor(args.floor)
        except OSError as e:
            print("cannot read floor file %s: %s" % (args.floor, e))
            return 1
        if p < floor:
            print("pass count %d is below the recorded floor %d (%s)" % (p, floor, args.floor))
            return 1
        if p > floor:
            print("pass count %d is above the floor %d: raise it in %s" % (p, floor, args.floor))
    return 0


def add_common_args(ap, kind):
    ap.add_argument("server", nargs="?", default="",
                    help="sluice-server binary or build dir (else $SLUICE_SERVER or "
                         "<repo>/build/server/sluice-server)")
    ap.add_argument("--cases", default=default_cases_dir(kind),
                    help="folder of ksqlDB's %s/*.json (default: ../shared/conformance/ksql/%s "
                         "beside the checkout)" % (kind, kind))
    ap.add_argument("--floor", default=os.path.join(HERE, "ksql_%s_floor.txt" % kind),
                    help="floor file: fail when fewer cases pass (default: next to the runner)")
    ap.add_argument("--json", help="write a machine-readable summary to this file")
    ap.add_argument("--filter", help="regular expression over file and case names")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every case and diffs")
    ap.add_argument("--keep", action="store_true", help="keep the servers' data dirs")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="seconds to wait for a case's output records or query rows (5)")
    ap.add_argument("--jobs", "-j", type=int, default=1,
                    help="files run in parallel, each on its own server (1)")
    ap.add_argument("--isolation", choices=("file", "case"), default="file",
                    help="file: one server per file, the runner drops everything between "
                         "cases and restarts the server when that leaves anything behind; "
                         "case: a fresh server and data dir for every case")


# ---------------------------------------------------------------------------------------------
# 9. a session: one server at a time, the case set-up both runners share, isolation
# ---------------------------------------------------------------------------------------------

class CaseError(Exception):
    """The case cannot go on (set-up failed, inputs cannot be written...): it fails."""


DEFAULT_PARTITIONS = 4   # ksqlDB's harness: topics it infers get legacyDefaultSinkPartitionCount


def _schema_type(fmt):
    f = (fmt or "AVRO").upper()
    return {"JSON_SR": "JSON", "JSON": "JSON", "AVRO": "AVRO"}.get(f, f)


def topics_for_case(case):
    """What ksqlDB's harness creates before a case: {topic: partitions} and the schemas it
    registers [(subject, schema text, schema type, id or None)].
      * "topics" entries (partitions default 1), with their key/value schemas;
      * the KAFKA_TOPIC of every plain CREATE STREAM/TABLE: PARTITIONS when the statement gives
        them (a real server refuses a topic whose partition count differs), else 4;
      * every topic the inputs write to, 4 partitions.
    Topics only written by queries are left to the server to create, as a real one must."""
    create, schemas = {}, []
    for t in case.get("topics") or []:
        name = t.get("name")
        if not name:
            continue
        create[name] = int(t.get("partitions") or 1)
        value_schema = t.get("valueSchema", t.get("schema"))
        value_fmt = t.get("valueFormat", t.get("format"))
        for side, schema, fmt, sid in (("key", t.get("keySchema"), t.get("keyFormat"),
                                        t.get("keySchemaId")),
                                       ("value", value_schema, value_fmt,
                                        t.get("valueSchemaId"))):
            if schema is None:
                continue
            text = schema if isinstance(schema, str) and _schema_type(fmt) == "PROTOBUF" \
                else json_text(schema)
            schemas.append(("%s-%s" % (name, side), text, _schema_type(fmt),
                            None if sid is None else int(sid)))
    for stmt in case.statements:
        c = parse_create(stmt)
        if not c or c["as_select"]:
            continue
        topic = c["props"].get("KAFKA_TOPIC")
        if isinstance(topic, str) and topic not in create:
            parts = c["props"].get("PARTITIONS")
            create[topic] = int(parts) if parts is not None else DEFAULT_PARTITIONS
    for rec in case.get("inputs") or []:
        create.setdefault(rec.get("topic"), DEFAULT_PARTITIONS)
    create.pop(None, None)
    return create, schemas


def statement_sources(statements, props):
    """What the statements alone say about each source: {name: {topic, key_format,
    value_format, key_cols, value_cols, window, window_size, as_select}}. The runners prefer
    what the server answers (SHOW STREAMS/TABLES, DESCRIBE) and fall back to this."""
    props = {k.lower(): v for k, v in (props or {}).items()}
    dkey = str(props.get("ksql.persistence.default.format.key", "KAFKA")).upper()
    dval = props.get("ksql.persistence.default.format.value")
    prefix = str(props.get("ksql.output.topic.name.prefix", "") or "")
    known = {}
    for stmt in statements:
        c = parse_create(stmt)
        if not c:
            continue
        p = c["props"]
        fmt = p.get("FORMAT")
        kf = p.get("KEY_FORMAT", fmt)
        vf = p.get("VALUE_FORMAT", fmt)
        src = known.get(c["from"]) if c["as_select"] else None
        if c["as_select"]:
            kf = kf or (src and src["key_format"]) or dkey
            vf = vf or (src and src["value_format"]) or dval
            topic = p.get("KAFKA_TOPIC") or prefix + c["name"]
            window, size = window_of_statement(stmt)
            if window is None and src is not None:
                window, size = src["window"], src["window_size"]
            kcols = vcols = None
        else:
            kf = kf or dkey
            vf = vf or dval
            topic = p.get("KAFKA_TOPIC")
            cols = c["columns"]
            kcols = [(n, t) for n, t, ns in cols if ns == "KEY"] if cols is not None else None
            vcols = [(n, t) for n, t, ns in cols if ns == "VALUE"] if cols is not None else None
            wt = p.get("WINDOW_TYPE")
            window = WINDOW_KINDS.get(str(wt).upper()) if wt else None
            size = None
            ws = p.get("WINDOW_SIZE")
            if isinstance(ws, str):
                m = re.match(r"\s*(\d+)\s+(\w+)", ws)
                size = duration_ms(m.group(1), m.group(2)) if m else None
        known[c["name"]] = {"topic": topic, "key_format": str(kf or "KAFKA").upper(),
                            "value_format": str(vf).upper() if vf else None, "key_cols": kcols,
                            "value_cols": vcols, "window": window, "window_size": size,
                            "as_select": c["as_select"]}
    return known


class Catalog:
    """Formats and columns of every source the server knows after a case's statements, by
    topic: SHOW STREAMS + SHOW TABLES, and DESCRIBE <source> on demand; gaps (window sizes,
    which DESCRIBE does not give; everything, when those statements fail) are filled from the
    statements themselves."""

    def __init__(self, session, case, props):
        self.session = session
        self.stmt_info = statement_sources(case.statements, props)
        self.by_topic = {}          # topic -> [(name, entry from SHOW)]
        self.described = {}         # name -> sourceDescription or None
        self.server_error = None
        try:
            for what in ("STREAMS", "TABLES"):
                for ent in session.ksql.ksql("SHOW %s;" % what):
                    for s in ent.get(what.lower()) or []:
                        self.by_topic.setdefault(s.get("topic"), []).append((s.get("name"), s))
        except (KsqlError, OSError, http.client.HTTPException) as e:
            self.server_error = str(e)

    def describe(self, name):
        if name not in self.described:
            self.described[name] = None
            ents, err = self.session.ksql.try_ksql("DESCRIBE %s;" % _quote(name))
            if ents:
                self.described[name] = ents[0].get("sourceDescription")
        return self.described[name]

    def sources_of(self, topic):
        return [n for n, _ in self.by_topic.get(topic, [])] or \
            [n for n, i in self.stmt_info.items() if i["topic"] == topic]

    def format_of(self, topic, for_output):
        """TopicFormat of the source over topic (for outputs a query's sink is preferred, for
        inputs a declared stream/table), or None when no source reads or writes it."""
        names = self.sources_of(topic)
        if not names:
            return None
        names.sort(key=lambda n: (self.stmt_info.get(n, {}).get("as_select", False)
                                  != for_output))
        name = names[0]
        st = self.stmt_info.get(name) or {}
        show = dict(self.by_topic.get(topic, [])).get(name)
        tf = TopicFormat(topic, st.get("key_format"), st.get("value_format"), st.get("key_cols"),
                         st.get("value_cols"), st.get("window"), st.get("window_size"), name)
        if show is not None:
            tf.key_format = str(show.get("keyFormat") or tf.key_format).upper()
            tf.value_format = str(show.get("valueFormat") or tf.value_format).upper()
            desc = self.describe(name)
            if desc:
                try:
                    cols = columns_from_describe(desc.get("fields"))
                    tf.key_cols = [(n, t) for n, t, ns in cols if ns == "KEY"]
                    tf.value_cols = [(n, t) for n, t, ns in cols if ns == "VALUE"]
                except (SchemaParseError, KeyError, TypeError, ValueError):
                    pass
                wt = desc.get("windowType")
                if wt:
                    tf.window = WINDOW_KINDS.get(str(wt).upper(), tf.window)
                elif show.get("isWindowed") is False or "windowType" in desc:
                    tf.window = None
            elif show.get("isWindowed") is False:
                tf.window = None
        return tf


class Session:
    """The server a runner talks to, with its clients, and what happens between cases."""

    def __init__(self, binary, args):
        # A test broker, set up like the embedded brokers of Kafka Streams' own tests: one offsets
        # partition (start-up in milliseconds, not half a second) and no initial rebalance
        # delay (else a query that subscribes waits 3 s before it reads anything).
        self.server = Server(binary, keep=args.keep,
                             sets={"offsets.topic.num.partitions": 1,
                                   "group.initial.rebalance.delay.ms": 0})
        self.isolation = args.isolation
        self.ksql = None
        self.registry = None
        self.kafka = None
        self.restarts = 0            # restarts because a reset left something behind
        self.preserved = set()       # topics present right after start-up
        self.preserved_sources = set()   # queries, streams, tables present right after it
        self.last_reset_reason = None
        self.fresh = False           # started and no case ran on it yet
        self.start_failures = []     # first lines of start-ups that failed (then retried)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self):
        self.server.start()
        self.kafka = Kafka(self.server.bootstrap)
        self.registry = Registry(self.server.registry_url) if self.server.registry_url else None
        self.ksql = KsqlClient(self.server.sql_url) if self.server.sql_url else None
        try:
            self.preserved = set(self.kafka.topics())
        except Exception:  # noqa: BLE001
            self.preserved = set()
        # what the server brings along by itself (a processing-log stream, say) is not a
        # case's leftover: reset() keeps it
        self.preserved_sources = set()
        if self.ksql is not None:
            for what in ("QUERIES", "STREAMS", "TABLES"):
                ents, _err = self.ksql.try_ksql("SHOW %s;" % what)
                for item in _entity_list(ents, what.lower()):
                    self.preserved_sources.add(item.get("id") or item.get("name"))
        self.fresh = True

    def stop(self):
        if self.kafka is not None:
            self.kafka.close()
            self.kafka = None
        for c in (self.ksql, self.registry):
            if c is not None:
                c.close()
        self.ksql = self.registry = None
        return self.server.stop()

    def restart(self):
        self.stop()
        self.start()

    @property
    def sql_available(self):
        return self.ksql is not None

    _QUERY_INTERNAL = re.compile(r"query_|-changelog$|-repartition$")

    def _preserved(self, topic):
        """Topics a reset keeps: the server's own (present at start-up, or named like internal
        topics: a leading "_", a command topic, a processing log), but not the changelog and
        repartition topics of queries, which belong to the case that ran them."""
        if topic in self.preserved or topic.startswith("__"):
            return True
        if self._QUERY_INTERNAL.search(topic):
            return False
        return (topic.startswith("_") or "command" in topic or "processing_log" in topic
                or "processing-log" in topic)

    def before_case(self, first):
        """Brings the server to a clean state for the next case: a fresh server (isolation
        case, the first case, a dead server) or a reset through the public doors."""
        if self.fresh and self.server.alive():
            self.fresh = False
            return
        if first or self.isolation == "case" or not self.server.alive():
            if self.server.proc is not None:
                self.stop()
            self._start_retrying()
            return
        reason = self.reset()
        if reason:
            self.last_reset_reason = reason
            self.restarts += 1
            self.stop()
            self._start_retrying()

    def _start_retrying(self):
        """start(), and once more after a failed start (the failure is in the report when the
        second attempt fails too)."""
        try:
            self.start()
        except ServerStartError as e:
            self.start_failures.append(str(e).split("\n")[0])
            self.start()
        self.fresh = False

    def reset(self):
        """Drops what a case left: queries, streams, tables, types (through the SQL door),
        topics, subjects and consumer groups. Returns None when the server is clean again,
        else why not (the caller then restarts the server on a fresh data dir)."""
        try:
            for _round in range(8):
                queries, streams, tables = [
                    [x for x in _entity_list(self.ksql.ksql("SHOW %s;" % what), what.lower())
                     if (x.get("id") or x.get("name")) not in self.preserved_sources]
                    for what in ("QUERIES", "STREAMS", "TABLES")]
                if not (queries or streams or tables):
                    break
                for q in queries:
                    self.ksql.try_ksql("TERMINATE %s;" % q.get("id"))
                if queries:
                    continue
                for kind, lst in (("STREAM", streams), ("TABLE", tables)):
                    for s in lst:
                        self.ksql.try_ksql("DROP %s IF EXISTS %s DELETE TOPIC;"
                                           % (kind, _quote(s.get("name"))))
            else:
                return "queries/streams/tables still there after DROP and TERMINATE"
            ents, err = self.ksql.try_ksql("SHOW TYPES;")
            if ents:
                types = ents[0].get("types") or {}
                for name in list(types):
                    self.ksql.try_ksql("DROP TYPE %s;" % _quote(name))
                ents, err = self.ksql.try_ksql("SHOW TYPES;")
                if not ents or ents[0].get("types"):
                    return "custom types still there after DROP TYPE"
            leftover = [t for t in self.kafka.topics() if not self._preserved(t)]
            if leftover:
                self.kafka.delete_topics(leftover)
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    if not any(t in leftover for t in self.kafka.topics()):
                        break
                    time.sleep(0.05)
                else:
                    return "topics still there after delete: %s" % leftover
            if self.registry is not None:
                subs = self.registry.subjects()
                for s in subs:
                    self.registry.delete_subject(s)
                if subs and self.registry.subjects():
                    return "registry subjects still there after delete"
                self.registry.by_id_cache.clear()
            try:
                groups = self.kafka.group_names()
                if groups:
                    self.kafka.delete_groups(groups)
            except Exception:  # noqa: BLE001 - groups of ended queries are harmless leftovers
                pass
            return None
        except (KsqlError, KafkaError, RuntimeError, OSError, http.client.HTTPException) as e:
            return "reset failed: %s" % e
        except Exception as e:  # noqa: BLE001 - any surprise: a fresh server is the answer
            return "reset failed: %r" % e

    # -- set-up and inputs ---------------------------------------------------------------------
    def setup_topics(self, case):
        create, schemas = topics_for_case(case)
        try:
            self.kafka.create_topics(create)
        except KafkaError as e:
            raise CaseError("set-up: %s" % e)
        for subject, text, stype, sid in schemas:
            if self.registry is None:
                raise CaseError("set-up: the case registers schemas; registry door absent")
            try:
                self.registry.register(subject, text, stype, sid)
            except (RuntimeError, OSError) as e:
                raise CaseError("set-up: %s" % e)
        return create

    def produce(self, inputs, catalog, keyed_partitioning):
        """Writes the case's input records, each serialized in the formats of the source that
        reads its topic, in order. ksqlDB's QTT harness writes every input to partition 0;
        its REST harness lets the Java producer pick (murmur2 of the key bytes), which
        keyed_partitioning reproduces. Returns {(topic, partition): end offset}."""
        parts = self.kafka.topics() if keyed_partitioning else {}
        runs, produced = [], {}
        reg = CachedRegistry(self.registry) if self.registry is not None else None
        for i, rec in enumerate(inputs):
            topic = rec.get("topic")
            tf = catalog.format_of(topic, for_output=False)
            if tf is None:
                raise CaseError("input %d: no stream or table reads topic %s" % (i, topic))
            try:
                key = serialize(tf.key_format, normalize_spec(rec.get("key")), tf.key_cols,
                                reg, topic + "-key")
                w = rec.get("window")
                if w is not None:
                    key = window_wrap(key, w, WINDOW_KINDS.get(str(w.get("type")).upper(),
                                                               "TIME"))
                value = serialize(tf.value_format, normalize_spec(rec.get("value")),
                                  tf.value_cols, reg, topic + "-value")
            except (SerdeError, OSError) as e:
                raise CaseError("input %d (topic %s): cannot serialize: %s" % (i, topic, e))
            ts = int(rec.get("timestamp") or 0)
            hdrs = header_list(rec.get("headers") or [])
            p = default_partition(key, parts.get(topic, 1)) if keyed_partitioning else 0
            if runs and runs[-1][0] == (topic, p):
                runs[-1][1].append((key, value, ts, hdrs))
            else:
                runs.append(((topic, p), [(key, value, ts, hdrs)]))
        for (topic, p), recs in runs:
            try:
                base = self.kafka.produce_batch(topic, p, recs)
            except (KafkaError, OSError) as e:
                raise CaseError("producing to %s[%d]: %s" % (topic, p, e))
            produced[(topic, p)] = base + len(recs)
        return produced

    def read_and_compare(self, outputs, catalog, timeout, ran_with_inserts, produced):
        """Reads every topic the expected outputs name and compares, topic by topic, like
        ksqlDB's verifyOutput. Returns None or a reason (with details)."""
        expected = {}
        for rec in outputs:
            expected.setdefault(rec.get("topic"), []).append(rec)
        t0 = time.monotonic()
        state = {"next": 0.0}

        def give_up():
            # Only a shortcut for failing cases: stop waiting once the server's consumers have
            # committed every input and no record arrived for a while.
            now = time.monotonic()
            if now - t0 < 1.0 or now < state["next"]:
                return False
            state["next"] = now + 0.5
            return self.kafka.groups_caught_up(produced) is True and now - t0 > 1.5

        got, note = self.kafka.read({t: len(v) for t, v in expected.items()},
                                    time.monotonic() + timeout, give_up=give_up)
        reasons = []
        for topic, exp in expected.items():
            tf = catalog.format_of(topic, for_output=True)
            if tf is None:
                reasons.append("topic %s: no stream or table over it" % topic)
                continue
            actual = [self.decode_record(r, tf, e) for r, e in
                      zip(got[topic], exp + [{}] * max(0, len(got[topic]) - len(exp)))]
            r = match_in_partition_order(actual, exp, ran_with_inserts)
            if r:
                sample = "; ".join("p%d@%d %s -> %s ts=%s" % (a["partition"], a["offset"],
                                                              show(a["key"], 80),
                                                              show(a["value"], 120),
                                                              a["timestamp"])
                                   for a in actual[:6])
                reasons.append("topic %s (%s): %s%s%s" % (
                    topic, tf, r, " [%s]" % note if note else "",
                    "\n      got: " + sample if sample else ""))
        return "\n    ".join(reasons) or None

    def decode_record(self, raw, tf, expected):
        rec = {"partition": raw["partition"], "offset": raw["offset"],
               "timestamp": raw["timestamp"], "headers": raw["headers"], "window": None,
               "key": None, "value": None, "key_error": None, "value_error": None}
        kb = raw["key"]
        try:
            if tf.window:
                kb, rec["window"] = window_unwrap(kb, tf.window, tf.window_size)
            rec["key"] = deserialize(tf.key_format, kb, tf.key_cols, self.registry,
                                     expected.get("key"))
        except (DecodeError, SerdeError, OSError) as e:
            rec["key_error"] = "%s (bytes %r)" % (e, raw["key"])
        try:
            rec["value"] = deserialize(tf.value_format, raw["value"], tf.value_cols,
                                       self.registry, expected.get("value"))
        except (DecodeError, SerdeError, OSError) as e:
            rec["value_error"] = "%s (bytes %r)" % (e, raw["value"][:200])
        return rec


def _entity_list(entities, field):
    for ent in entities or []:
        if isinstance(ent, dict) and isinstance(ent.get(field), list):
            return ent[field]
    return []
