#!/usr/bin/python3
"""test_bad_input.py - hostile and malformed Kafka frames on raw sockets.

Requests are built by hand (kwire.py) so that every byte is under the test's control. For each
bad input the server must: answer with the right Kafka error, or close that one connection -
never crash, never hang the connection, never let the bad input touch stored data. After each
case the server process must still run, a normal client (librdkafka) must still produce and
consume, and every record acknowledged earlier must still be there at its offset.

Server settings: message.max.bytes=1000, auto.create.topics.enable=false.
Usage: /usr/bin/python3 test_bad_input.py [BUILD_DIR | path/to/sluice-server]
"""
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kwire as kw  # noqa: E402

from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

GOOD = "interop-good"          # 2 partitions; holds every acknowledged record
UNSUPPORTED_VERSION = 35
CORRUPT_MESSAGE = 2
MESSAGE_TOO_LARGE = 10
UNKNOWN_TOPIC_OR_PARTITION = 3
INVALID_RECORD = 87
UNSUPPORTED_FOR_MESSAGE_FORMAT = 43
INVALID_REQUEST = 42
UNSUPPORTED_COMPRESSION_TYPE = 76


class Env:
    def __init__(self, res, srv):
        self.res = res
        self.srv = srv
        self.acked = []        # (partition, offset, value) acknowledged so far
        self.corr = 1000
        self.rss0 = None

    def next_corr(self):
        self.corr += 1
        return self.corr

    def conn(self, timeout=5.0):
        return kw.Conn("127.0.0.1", self.srv.port, timeout)

    # -- requests that must work -------------------------------------------------------------
    def api_versions(self, version, conn=None):
        c = conn or self.conn()
        corr = self.next_corr()
        c.send(kw.api_versions_request(version, corr))
        got_corr, body = c.recv_frame()
        if conn is None:
            c.close()
        err, apis = kw.parse_api_versions(version, body)
        return got_corr == corr, err, apis

    def ping_after(self, c, what, wait=5.0):
        """After a suspicious frame on connection c: the server must either close c or answer
        an ApiVersions v0 sent right behind it (possibly after answering the first frame).
        Returns 'closed' or 'answered'; counts a failure if it stays silent."""
        corr = self.next_corr()
        try:
            c.send(kw.api_versions_request(0, corr))
        except OSError:
            return "closed"
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            out = c.outcome(max(deadline - time.monotonic(), 0.1))
            if out[0] == "closed":
                return "closed"
            if out[0] == "silent":
                break
            if out[1] == corr:
                return "answered"
        self.res.fail("%s: server neither answered a following request nor closed the "
                      "connection within %.0f s" % (what, wait))
        return "silent"

    def leo(self, partition=0, topic=GOOD):
        """Log end offset via raw ListOffsets v1 (timestamp -1 = latest)."""
        c = self.conn()
        try:
            corr = self.next_corr()
            c.send(kw.list_offsets_request_v1(corr, topic, partition, -1))
            _, body = c.recv_frame()
            rows = kw.parse_list_offsets_v1(body)
            return rows[0][4] if rows and rows[0][2] == 0 else None
        finally:
            c.close()

    def raw_produce(self, version, topic, partition, batch, acks=-1):
        """Returns [(topic, partition, error, base_offset)] or ('closed',)."""
        c = self.conn()
        try:
            corr = self.next_corr()
            c.send(kw.produce_request(version, corr, topic, partition, batch, acks=acks))
            out = c.outcome(10)
            if out[0] != "response":
                return (out[0],)
            if out[1] != corr:
                return ("wrong correlation id %d (sent %d)" % (out[1], corr),)
            return kw.parse_produce_response(version, out[2])
        finally:
            c.close()

    # -- the invariant checked after every case ------------------------------------------------
    def healthy(self, tag):
        res = self.res
        if not res.check(self.srv.alive(), "[%s] server process still running" % tag,
                         self.srv.stderr_tail(20)):
            raise SystemExit(res.finish())
        p = Producer({"bootstrap.servers": self.srv.bootstrap, "acks": "all",
                      "enable.idempotence": False, "message.timeout.ms": 10000})
        value = ("after %s" % tag).encode()
        got = []
        p.produce(GOOD, value=value, partition=1, on_delivery=lambda e, m: got.append(
            (e, m.partition(), m.offset())))
        p.flush(15)
        ok = len(got) == 1 and got[0][0] is None
        res.check(ok, "[%s] a librdkafka producer can still write" % tag, got)
        if ok:
            self.acked.append((1, got[0][2], value))
        rd, errs = harness.ck_read_all(self.srv.bootstrap, GOOD, [0, 1], timeout=15)
        have = {(p_, o): v for p_ in rd for (o, _k, v, _t, _h) in rd[p_]}
        lost = [(p_, o, v) for (p_, o, v) in self.acked if have.get((p_, o)) != v]
        res.check(not errs and not lost, "[%s] a librdkafka consumer reads all %d acknowledged "
                  "records back" % (tag, len(self.acked)), (errs, lost[:5]))
        rss = self.srv.rss_kb()
        if rss and self.rss0:
            res.check(rss < self.rss0 + 300 * 1024, "[%s] server RSS %d KiB (started at %d KiB)"
                      % (tag, rss, self.rss0), "grew by more than 300 MiB")


def case_api_versions(env):
    res = env.res
    res.section("ApiVersions v0..v3 and KIP-511 fallback")
    lists = {}
    for v in range(4):
        try:
            corr_ok, err, apis = env.api_versions(v)
        except Exception as e:  # noqa: BLE001
            res.fail("ApiVersions v%d answered" % v, repr(e))
            continue
        res.check(corr_ok and err == 0 and apis, "ApiVersions v%d: error 0, %d APIs, "
                  "correlation id echoed" % (v, len(apis)), (corr_ok, err))
        lists[v] = apis
    apis = lists.get(0) or lists.get(3) or {}
    need = {0: 3, 1: 4, 2: 1, 3: 1, 18: 3, 19: 0, 20: 0}
    for key, ver in need.items():
        lo_hi = apis.get(key)
        res.check(lo_hi is not None and lo_hi[0] <= ver <= lo_hi[1],
                  "ApiVersions lists api %d with version %d in range" % (key, ver), lo_hi)
    res.check(len({tuple(sorted(x.items())) for x in lists.values()}) == 1,
              "ApiVersions v0..v3 report the same table", lists)
    # Produce starts at v0 like Kafka 3.x (librdkafka 2.0 needs that to use gzip/snappy), but
    # only RecordBatch v2 is stored: an old-format message set is refused per partition with
    # UNSUPPORTED_FOR_MESSAGE_FORMAT (43), and the connection stays usable.
    if 0 in apis:
        res.check(apis[0][0] == 0, "Produce advertised from v0 (as Kafka 3.x)", apis[0])
        # A magic-1 message: offset i64, size i32, crc u32, magic 1, attributes, timestamp,
        # key -1, value.
        msg = kw.i8(1) + kw.i8(0) + kw.i64(0) + kw.i32(-1) + kw.bytes32(b"old")
        msgset = kw.i64(0) + kw.i32(4 + len(msg)) + kw.u32(0) + msg
        c = env.conn()
        try:
            corr = env.next_corr()
            c.send(kw.produce_request(2, corr, GOOD, 0, msgset))
            out = c.outcome()
            parts = kw.parse_produce_response(2, out[2]) if out[0] == "response" else []
            res.check(out[0] == "response" and parts and parts[0][2] == 43,
                      "Produce v2 with a magic-1 message set -> UNSUPPORTED_FOR_MESSAGE_FORMAT",
                      (out[0], parts))
            corr = env.next_corr()
            c.send(kw.api_versions_request(0, corr))
            out = c.outcome()
            res.check(out[0] == "response" and out[1] == corr,
                      "the same connection still answers afterwards", out[0])
        finally:
            c.close()
    # Too-new ApiVersions: error 35 and the supported list in a v0-format body (KIP-511).
    c = env.conn()
    corr = env.next_corr()
    body = kw.compact_string("future-client") + kw.compact_string("9.9") + kw.TAGS_NONE
    c.send(kw.frame(kw.header(18, 127, corr, flexible=True) + body))
    out = c.outcome(5)
    if out[0] == "response":
        try:
            err, alist = kw.parse_api_versions(0, out[2])
        except ValueError as e:
            err, alist = None, {}
            res.fail("ApiVersions v127: response parses as a v0 body", e)
        res.check(out[1] == corr and err == UNSUPPORTED_VERSION and 18 in alist,
                  "ApiVersions v127: error UNSUPPORTED_VERSION (35) with the supported list in a "
                  "v0 body", (out[1], corr, err, alist))
        res.check(env.ping_after(c, "ApiVersions v127") == "answered",
                  "ApiVersions v127: the connection stays usable for a v0 retry")
    else:
        res.fail("ApiVersions v127 gets an UNSUPPORTED_VERSION response (KIP-511)", out)
    c.close()
    env.healthy("ApiVersions")


def case_unknown_and_wrong_versions(env):
    res = env.res
    res.section("unknown API key, unsupported versions of known keys")
    for key, ver, what in [(1000, 0, "unknown api key 1000"), (-1, 0, "api key -1"),
                           (3, 99, "Metadata v99"), (0, 0, "Produce v0 (message format v0)"),
                           (0, 2, "Produce v2 (message format v1)"), (1, 0, "Fetch v0")]:
        c = env.conn()
        corr = env.next_corr()
        payload = kw.header(key, ver, corr) + b"\x00" * 16
        c.send(kw.frame(payload))
        out = c.outcome(5)
        if out[0] == "closed":
            res.check(True, "%s: connection closed" % what)
        elif out[0] == "response":
            err = struct.unpack(">h", out[2][:2])[0] if len(out[2]) >= 2 else None
            acceptable = out[1] == corr
            if key in (1000, -1):   # no schema to answer in: must carry error 35
                acceptable = acceptable and err == UNSUPPORTED_VERSION
            res.check(acceptable, "%s: answered (correlation id %d, first int16 %s)"
                      % (what, out[1], err), (out, corr))
            env.ping_after(c, what)
        else:
            res.fail("%s: server neither answered nor closed within 5 s" % what)
        c.close()
    env.healthy("unsupported versions")


def case_framing(env):
    res = env.res
    res.section("framing: short, truncated, huge, negative, zero-length frames")
    cases = [
        ("frame of 3 bytes (shorter than a request header)", kw.i32(3) + b"abc", True),
        ("frame of 0 bytes", kw.i32(0), True),
        ("negative length -1", kw.i32(-1) + b"x" * 64, True),
        ("negative length INT32_MIN", kw.i32(-2 ** 31) + b"x" * 64, True),
        ("length prefix 2 GiB - 1", kw.i32(2 ** 31 - 1) + b"\x00\x12\x00\x00" + b"y" * 4096,
         True),
        ("length prefix 1 GiB", kw.i32(2 ** 30) + b"\x00\x12\x00\x00" + b"y" * 4096, True),
        ("header with client_id length beyond the frame",
         kw.frame(kw.i16(18) + kw.i16(0) + kw.i32(7) + kw.i16(30000) + b"ab"), False),
        ("header cut inside correlation id", kw.frame(kw.i16(18) + kw.i16(0) + b"\x00\x01"),
         True),
    ]
    for what, data, must_close in cases:
        c = env.conn()
        try:
            c.send(data)
        except OSError:
            pass
        out = c.outcome(5)
        if must_close:
            res.check(out[0] == "closed", "%s: connection closed" % what, out)
        else:
            res.check(out[0] in ("closed",) or (out[0] == "response" and out[1] == 7),
                      "%s: closed or answered with an error" % what, out)
        c.close()
        env.healthy(what.split(" (")[0])
    # Truncated frame: promise 100 bytes, send 20, half-close; then the same but just hang up.
    c = env.conn()
    c.send(kw.i32(100) + kw.header(18, 0, 5)[:14])
    c.s.shutdown(socket.SHUT_WR)
    out = c.outcome(5)
    res.check(out[0] == "closed", "truncated frame + EOF: connection closed", out)
    c.close()
    c = env.conn()
    c.send(kw.i32(100) + b"z" * 20)
    time.sleep(0.3)
    c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
    c.close()
    env.healthy("truncated frames")


def case_garbage_in_frame(env):
    res = env.res
    res.section("valid requests with extra or lying content")
    c = env.conn()
    corr = env.next_corr()
    payload = kw.header(18, 0, corr) + b"\xde\xad\xbe\xef" * 4
    c.send(kw.frame(payload))
    out = c.outcome(5)
    if out[0] == "response":
        res.check(out[1] == corr, "ApiVersions v0 + 16 trailing bytes: answered for the right "
                  "request", out[:2])
        res.check(env.ping_after(c, "trailing garbage") in ("answered", "closed"),
                  "trailing garbage: the stream stays in sync (next request answered or closed)")
    else:
        res.check(out[0] == "closed", "ApiVersions v0 + 16 trailing bytes: answered or closed",
                  out)
    c.close()
    # Metadata v1 whose topic array claims 2^31-1 entries in a 4-byte body.
    c = env.conn()
    corr = env.next_corr()
    c.send(kw.frame(kw.header(3, 1, corr) + kw.i32(2 ** 31 - 1)))
    out = c.outcome(5)
    res.check(out[0] == "closed" or (out[0] == "response" and out[1] == corr),
              "Metadata v1 with topic count 2^31-1 and no topics: closed or answered", out[:2])
    c.close()
    # Produce v3 whose partition array claims 1e9 entries.
    c = env.conn()
    corr = env.next_corr()
    body = kw.string(None) + kw.i16(-1) + kw.i32(1000) + kw.i32(1) + kw.string(GOOD) + \
        kw.i32(10 ** 9) + kw.i32(0)
    c.send(kw.frame(kw.header(0, 3, corr) + body))
    out = c.outcome(5)
    res.check(out[0] == "closed" or (out[0] == "response" and out[1] == corr),
              "Produce v3 with partition count 1e9: closed or answered", out[:2])
    c.close()
    env.healthy("lying counts")


def case_produce(env):
    res = env.res
    res.section("Produce: valid raw batches, then bad CRC, oversize, unknown topic, bad batches")
    for ver in (3, 7):
        batch = kw.record_batch([(b"raw-key", ("raw v%d" % ver).encode()),
                                 (None, ("raw v%d second" % ver).encode())])
        leo0 = env.leo(0)
        r = env.raw_produce(ver, GOOD, 0, batch)
        ok = res.check(isinstance(r, list) and len(r) == 1 and r[0][:3] == (GOOD, 0, 0)
                       and r[0][3] == leo0,
                       "raw Produce v%d (2 records, CRC-32C computed here): error 0 at base "
                       "offset %s" % (ver, leo0), r)
        if ok:
            env.acked += [(0, leo0, ("raw v%d" % ver).encode()),
                          (0, leo0 + 1, ("raw v%d second" % ver).encode())]
        res.eq(env.leo(0), (leo0 or 0) + 2, "raw Produce v%d: log end offset advanced by 2" % ver)
    # acks=0: no response at all; the next request on the connection is answered.
    leo0 = env.leo(0)
    c = env.conn()
    c.send(kw.produce_request(3, env.next_corr(), GOOD, 0,
                              kw.record_batch([(None, b"acks=0 record")]), acks=0))
    res.eq(env.ping_after(c, "acks=0 produce"), "answered",
           "Produce acks=0: no response, and the next request on the connection is answered")
    c.close()
    time.sleep(0.3)
    res.eq(env.leo(0), (leo0 or 0) + 1, "Produce acks=0: the record was appended")
    env.healthy("valid raw produce")

    bad = [
        ("bad CRC", kw.record_batch([(b"k", b"v" * 20)], corrupt_crc=True), {CORRUPT_MESSAGE}),
        ("record count 5 but 3 records (CRC valid)",
         kw.record_batch([(b"a", b"1"), (b"b", b"2"), (b"c", b"3")], count=5),
         {CORRUPT_MESSAGE, INVALID_RECORD}),
        ("batchLength 10 bytes longer than the data",
         kw.record_batch([(b"k", b"v")], length_adjust=10), {CORRUPT_MESSAGE, INVALID_RECORD}),
        ("batchLength 10 bytes shorter than the data",
         kw.record_batch([(b"k", b"v")], length_adjust=-10), {CORRUPT_MESSAGE, INVALID_RECORD}),
        ("magic byte 1 in a v2-shaped batch", kw.record_batch([(b"k", b"v")], magic=1),
         {CORRUPT_MESSAGE, INVALID_RECORD, UNSUPPORTED_FOR_MESSAGE_FORMAT}),
        ("compression attribute 7 (no such codec)",
         kw.record_batch([(b"k", b"v")], attributes=7),
         {CORRUPT_MESSAGE, INVALID_RECORD, UNSUPPORTED_COMPRESSION_TYPE}),
        ("gzip attribute on uncompressed bytes", kw.record_batch([(b"k", b"v" * 30)],
                                                                 attributes=1),
         {CORRUPT_MESSAGE, INVALID_RECORD}),
        ("empty records bytes", b"", {CORRUPT_MESSAGE, INVALID_RECORD}),
        ("12 random bytes as records", bytes(range(12)), {CORRUPT_MESSAGE, INVALID_RECORD}),
    ]
    for what, batch, want in bad:
        leo0 = env.leo(0)
        r = env.raw_produce(7, GOOD, 0, batch)
        if isinstance(r, list) and len(r) == 1:
            res.check(r[0][2] in want, "Produce with %s -> error %s" % (
                what, "/".join(str(x) for x in sorted(want))), "got error %s" % r[0][2])
        else:
            res.fail("Produce with %s -> partition error %s" % (what, sorted(want)),
                     "got %s" % (r,))
        res.eq(env.leo(0), leo0, "Produce with %s: nothing appended" % what)
    env.healthy("corrupt batches")

    leo0 = env.leo(0)
    small = kw.record_batch([(b"k", b"s" * 500)])
    r = env.raw_produce(7, GOOD, 0, small)
    ok = res.check(isinstance(r, list) and r and r[0][2] == 0,
                   "Produce of a %d-byte batch under message.max.bytes=1000 succeeds" % len(small),
                   r)
    if ok:
        env.acked.append((0, r[0][3], b"s" * 500))
    big = kw.record_batch([(b"k", b"B" * 2000)])
    leo0 = env.leo(0)
    r = env.raw_produce(7, GOOD, 0, big)
    res.check(isinstance(r, list) and r and r[0][2] == MESSAGE_TOO_LARGE,
              "Produce of a %d-byte batch over message.max.bytes=1000 -> MESSAGE_TOO_LARGE (10)"
              % len(big), r)
    res.eq(env.leo(0), leo0, "oversized batch: nothing appended")
    # the same through librdkafka: the delivery report must carry MSG_SIZE_TOO_LARGE
    p = Producer({"bootstrap.servers": env.srv.bootstrap, "acks": "all",
                  "enable.idempotence": False, "message.timeout.ms": 10000})
    rep = []
    p.produce(GOOD, value=b"L" * 3000, partition=0, on_delivery=lambda e, m: rep.append(e))
    p.flush(15)
    res.check(len(rep) == 1 and rep[0] is not None and rep[0].code() == 10,
              "librdkafka: a 3000-byte record is refused with MSG_SIZE_TOO_LARGE", rep)

    r = env.raw_produce(7, "interop-no-such-topic", 0, kw.record_batch([(b"k", b"v")]))
    res.check(isinstance(r, list) and r and r[0][2] == UNKNOWN_TOPIC_OR_PARTITION,
              "Produce to an unknown topic (auto-create off) -> UNKNOWN_TOPIC_OR_PARTITION (3)", r)
    c = env.conn()
    corr = env.next_corr()
    c.send(kw.metadata_request_v1(corr, ["interop-no-such-topic"]))
    _, body = c.recv_frame()
    c.close()
    _b, _c, topics = kw.parse_metadata_v1(body)
    res.check(topics.get("interop-no-such-topic", (None,))[0] == UNKNOWN_TOPIC_OR_PARTITION,
              "Metadata for it says UNKNOWN_TOPIC_OR_PARTITION and did not create it",
              topics)
    r = env.raw_produce(7, GOOD, 99, kw.record_batch([(b"k", b"v")]))
    res.check(isinstance(r, list) and r and r[0][2] == UNKNOWN_TOPIC_OR_PARTITION,
              "Produce to partition 99 of a 2-partition topic -> UNKNOWN_TOPIC_OR_PARTITION", r)
    env.healthy("size and topic errors")


def case_fuzz(env, seed):
    res = env.res
    res.section("mutated and random frames (seed %d)" % seed)
    rng = random.Random(seed)
    _ok, _e, apis = env.api_versions(0)
    keys = sorted(apis) or [0, 1, 2, 3, 18]
    base = [kw.produce_request(7, 1, GOOD, 0, kw.record_batch([(b"fz", b"fuzz" * 10)])),
            kw.metadata_request_v1(1, [GOOD]),
            kw.list_offsets_request_v1(1, GOOD, 0, -1),
            kw.api_versions_request(3, 1)]
    silent = 0
    n = 0
    t_end = time.monotonic() + 20
    for i in range(300):
        if time.monotonic() > t_end:
            break
        n += 1
        if i % 2 == 0:   # flip a few bytes after the size field of a valid request
            b = bytearray(rng.choice(base))
            for _ in range(rng.randint(1, 4)):
                pos = rng.randrange(4, len(b))
                b[pos] = rng.randrange(256)
            data = bytes(b)
        else:            # a valid header for a served API, then random bytes
            key = rng.choice(keys)
            lo, hi = apis.get(key, (0, 0))
            ver = rng.randint(lo, hi)
            flexible = key == 18 and ver >= 3
            body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 120)))
            data = kw.frame(kw.header(key, ver, 7, flexible=flexible) + body)
        c = env.conn()
        try:
            c.send(data)
            if env.ping_after(c, "fuzz frame #%d %r" % (i, data[:48]), wait=5) == "silent":
                silent += 1
        except OSError:
            pass
        finally:
            c.close()
        if not env.srv.alive():
            res.fail("fuzz frame #%d killed the server" % i, "%r\n%s" % (data,
                                                                       env.srv.stderr_tail()))
            raise SystemExit(res.finish())
    res.eq(silent, 0, "%d mutated/random frames: each answered or closed, none hung" % n)
    env.healthy("fuzz")


def body(res):
    binary = harness.find_server()
    srv = harness.Server(binary, name="bad",
                         sets={"message.max.bytes": "1000", "auto.create.topics.enable": "false"})
    res.servers.append(srv)
    bs = srv.start()
    res.info("server at %s" % bs)
    a = AdminClient({"bootstrap.servers": bs})
    a.create_topics([NewTopic(GOOD, 2, 1)])[GOOD].result(timeout=15)
    env = Env(res, srv)
    env.healthy("start")
    env.rss0 = srv.rss_kb()
    seed = int(os.environ.get("SLUICE_FUZZ_SEED", random.randrange(1 << 30)))
    for case in (case_api_versions, case_unknown_and_wrong_versions, case_framing,
                 case_garbage_in_frame, case_produce):
        try:
            case(env)
        except SystemExit:
            raise
        except Exception as e:  # noqa: BLE001 - one broken case must not hide the rest
            import traceback
            res.fail("%s aborted: %r" % (case.__name__, e), traceback.format_exc())
            if not srv.alive():
                res.fail("the server died during %s" % case.__name__, srv.stderr_tail(30))
                return
    case_fuzz(env, seed)
    res.section("restart keeps everything acknowledged")
    rc, bs = srv.restart(clean=True)
    res.eq(rc, 0, "SIGTERM: server exits with status 0")
    env.healthy("restart")
    res.eq(srv.stop(), 0, "final SIGTERM: server exits with status 0")


if __name__ == "__main__":
    harness.run("test_bad_input", body)
