"""kwire.py - minimal Kafka wire encoders/decoders for the raw-socket interop tests.

Written from the public Kafka protocol guide (kafka.apache.org/protocol) and KIP-482/511; only
what the tests need. Everything is big-endian.

Request frame (header v1; v2 = flexible, adds a tagged-field section after client_id):
  +-----------+---------+-------------+----------------+------------------+---------+
  | size i32  | key i16 | version i16 | correlation i32| client_id str16  | body... |
  +-----------+---------+-------------+----------------+------------------+---------+
  size counts every byte after itself.

RecordBatch v2 (what Produce v3+ carries and what the log stores):
  0  baseOffset i64 | 8 batchLength i32 | 12 partitionLeaderEpoch i32 | 16 magic i8 (=2)
  17 crc u32 (CRC-32C of bytes 21..end) | 21 attributes i16 | 23 lastOffsetDelta i32
  27 baseTimestamp i64 | 35 maxTimestamp i64 | 43 producerId i64 | 51 producerEpoch i16
  53 baseSequence i32 | 57 recordCount i32 | 61 records...
  batchLength counts the bytes after the batchLength field (total size - 12).
Record: length varint | attributes i8 | timestampDelta varlong | offsetDelta varint |
        keyLen varint, key | valueLen varint, value | headerCount varint, headers.
"""
import socket
import struct
import time

# -- CRC-32C (Castagnoli), table driven; not in the standard library --------------------------
_CRC32C_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C_TABLE.append(_c)


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    t = _CRC32C_TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # the standard check value


# -- primitives --------------------------------------------------------------------------------
def i8(v): return struct.pack(">b", v)
def i16(v): return struct.pack(">h", v)
def i32(v): return struct.pack(">i", v)
def i64(v): return struct.pack(">q", v)
def u32(v): return struct.pack(">I", v)


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode() if isinstance(s, str) else s
    return i16(len(b)) + b


def bytes32(b):
    if b is None:
        return i32(-1)
    return i32(len(b)) + b


def uvarint(v):
    out = bytearray()
    while True:
        if v < 0x80:
            out.append(v)
            return bytes(out)
        out.append((v & 0x7F) | 0x80)
        v >>= 7


def varint(v):  # zigzag, works for 32 and 64 bit
    return uvarint((v << 1) ^ (v >> 63))


def compact_string(s):
    if s is None:
        return uvarint(0)
    b = s.encode() if isinstance(s, str) else s
    return uvarint(len(b) + 1) + b


def array(items, enc):
    if items is None:
        return i32(-1)
    return i32(len(items)) + b"".join(enc(x) for x in items)


TAGS_NONE = uvarint(0)   # an empty tagged-field section


# -- requests ----------------------------------------------------------------------------------
def header(api_key, version, corr, client_id="sluice-interop", flexible=False):
    h = i16(api_key) + i16(version) + i32(corr) + string(client_id)
    return h + (TAGS_NONE if flexible else b"")


def frame(payload):
    return i32(len(payload)) + payload


def api_versions_request(version, corr):
    if version >= 3:
        body = compact_string("sluice-interop") + compact_string("1.0") + TAGS_NONE
        return frame(header(18, version, corr, flexible=True) + body)
    return frame(header(18, version, corr))


def metadata_request_v1(corr, topics=None):
    return frame(header(3, 1, corr) + array(topics, string))


def produce_request(version, corr, topic, partition, batch, acks=-1, timeout_ms=10000):
    """Produce v0..v8 (non-flexible): one topic, one partition."""
    body = (string(None) if version >= 3 else b"") + i16(acks) + i32(timeout_ms)
    body += i32(1) + string(topic) + i32(1) + i32(partition) + bytes32(batch)
    return frame(header(0, version, corr) + body)


def list_offsets_request_v1(corr, topic, partition, timestamp):
    body = i32(-1) + i32(1) + string(topic) + i32(1) + i32(partition) + i64(timestamp)
    return frame(header(2, 1, corr) + body)


def record(offset_delta, key, value, ts_delta=0, headers=()):
    body = i8(0) + varint(ts_delta) + varint(offset_delta)
    body += varint(-1) if key is None else varint(len(key)) + key
    body += varint(-1) if value is None else varint(len(value)) + value
    body += varint(len(headers))
    for hk, hv in headers:
        hk = hk.encode() if isinstance(hk, str) else hk
        body += varint(len(hk)) + hk
        body += varint(-1) if hv is None else varint(len(hv)) + hv
    return varint(len(body)) + body


def record_batch(records, base_ts=None, attributes=0, corrupt_crc=False, count=None,
                 magic=2, length_adjust=0):
    """records: list of (key, value). Returns the batch bytes (uncompressed)."""
    if base_ts is None:
        base_ts = int(time.time() * 1000)
    recs = b"".join(record(i, k, v) for i, (k, v) in enumerate(records))
    n = len(records) if count is None else count
    after_crc = (i16(attributes) + i32(max(len(records) - 1, 0)) + i64(base_ts) + i64(base_ts)
                 + i64(-1) + i16(-1) + i32(-1) + i32(n) + recs)
    crc = crc32c(after_crc)
    if corrupt_crc:
        crc ^= 0xDEADBEEF
    after_len = i32(0) + i8(magic) + u32(crc) + after_crc
    return i64(0) + i32(len(after_len) + length_adjust) + after_len


# -- responses ---------------------------------------------------------------------------------
class Reader:
    """Bounds-checked reader; raises ValueError on a short read."""

    def __init__(self, data):
        self.d = data
        self.p = 0

    def take(self, n):
        if n < 0 or self.p + n > len(self.d):
            raise ValueError("short read: need %d at %d of %d" % (n, self.p, len(self.d)))
        b = self.d[self.p:self.p + n]
        self.p += n
        return b

    def i8(self): return struct.unpack(">b", self.take(1))[0]
    def i16(self): return struct.unpack(">h", self.take(2))[0]
    def i32(self): return struct.unpack(">i", self.take(4))[0]
    def i64(self): return struct.unpack(">q", self.take(8))[0]
    def u32(self): return struct.unpack(">I", self.take(4))[0]

    def uvarint(self):
        shift = v = 0
        while True:
            b = self.take(1)[0]
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
            shift += 7
            if shift > 63:
                raise ValueError("varint too long")

    def varint(self):
        v = self.uvarint()
        return (v >> 1) ^ -(v & 1)

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode("utf-8", "replace")

    def compact_string(self):
        n = self.uvarint()
        return None if n == 0 else self.take(n - 1).decode("utf-8", "replace")

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())

    def remaining(self):
        return len(self.d) - self.p


def parse_api_versions(version, body):
    """body = response after the correlation id (ApiVersions always uses response header v0).
    Returns (error_code, {api_key: (min, max)})."""
    r = Reader(body)
    err = r.i16()
    apis = {}
    if version >= 3:
        n = r.uvarint() - 1
        for _ in range(max(n, 0)):
            k, lo, hi = r.i16(), r.i16(), r.i16()
            r.skip_tags()
            apis[k] = (lo, hi)
    else:
        n = r.i32()
        for _ in range(max(n, 0)):
            k, lo, hi = r.i16(), r.i16(), r.i16()
            apis[k] = (lo, hi)
    return err, apis


def parse_produce_response(version, body):
    """Returns [(topic, partition, error_code, base_offset)]."""
    r = Reader(body)
    out = []
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            part, err, base = r.i32(), r.i16(), r.i64()
            if version >= 2:
                r.i64()          # log_append_time_ms
            if version >= 5:
                r.i64()          # log_start_offset
            if version >= 8:
                for _ in range(r.i32()):   # record_errors
                    r.i32()
                    r.string()
                r.string()       # error_message
            out.append((topic, part, err, base))
    return out


def parse_metadata_v1(body):
    r = Reader(body)
    brokers = []
    for _ in range(r.i32()):
        brokers.append((r.i32(), r.string(), r.i32(), r.string()))
    controller = r.i32()
    topics = {}
    for _ in range(r.i32()):
        err, name, _internal = r.i16(), r.string(), r.i8()
        parts = {}
        for _ in range(r.i32()):
            perr, idx, leader = r.i16(), r.i32(), r.i32()
            reps = [r.i32() for _ in range(r.i32())]
            isr = [r.i32() for _ in range(r.i32())]
            parts[idx] = (perr, leader, reps, isr)
        topics[name] = (err, parts)
    return brokers, controller, topics


def parse_list_offsets_v1(body):
    r = Reader(body)
    out = []
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            out.append((topic, r.i32(), r.i16(), r.i64(), r.i64()))  # part, err, ts, offset
    return out


# -- a blocking client connection ----------------------------------------------------------------
class Conn:
    def __init__(self, host, port, timeout=5.0):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.s.settimeout(timeout)

    def send(self, data):
        self.s.sendall(data)

    def recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed by server after %d of %d bytes" % (len(buf), n))
            buf += chunk
        return bytes(buf)

    def recv_frame(self):
        """Returns (correlation_id, rest) or raises ConnectionError / socket.timeout."""
        size = struct.unpack(">i", self.recv_exact(4))[0]
        if size < 4 or size > 64 << 20:
            raise ValueError("bad response size %d" % size)
        data = self.recv_exact(size)
        return struct.unpack(">i", data[:4])[0], data[4:]

    def outcome(self, wait=5.0):
        """What the server did next: ('response', corr, body), ('closed',) or ('silent',)."""
        self.s.settimeout(wait)
        try:
            corr, body = self.recv_frame()
            return ("response", corr, body)
        except (ConnectionError, OSError) as e:
            if isinstance(e, socket.timeout):
                return ("silent",)
            return ("closed",)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def scan_segment_batches(path):
    """Reads a Kafka segment file (a plain sequence of RecordBatch v2) and returns
    [(base_offset, attributes, last_offset_delta, record_count, crc_ok)]."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    p = 0
    while p + 61 <= len(data):
        base, blen = struct.unpack(">qi", data[p:p + 12])
        if blen < 49 or p + 12 + blen > len(data):
            break
        b = data[p:p + 12 + blen]
        crc = struct.unpack(">I", b[17:21])[0]
        attrs, lod = struct.unpack(">hi", b[21:27])
        count = struct.unpack(">i", b[57:61])[0]
        out.append((base, attrs, lod, count, crc32c(b[21:]) == crc))
        p += 12 + blen
    return out


# -- consumer groups (issue 3): FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
#    OffsetCommit, OffsetFetch; non-flexible versions only. Added for test_groups_*.py. -------
def call(conn, frame_bytes):
    """Send one request and return the response body after the correlation id."""
    conn.send(frame_bytes)
    _corr, body = conn.recv_frame()
    return body


def read_bytes32(r):
    n = r.i32()
    return None if n < 0 else r.take(n)


def consumer_subscription(topics, user_data=None, version=0):
    """ConsumerProtocolSubscription: version i16 | topics [string] | user_data bytes."""
    return i16(version) + array(list(topics), string) + bytes32(user_data)


def consumer_assignment(assign, user_data=None, version=0):
    """ConsumerProtocolAssignment: version i16 | [topic string, [partition i32]] | user_data."""
    items = sorted(assign.items())
    return (i16(version) + array(items, lambda tp: string(tp[0]) + array(list(tp[1]), i32))
            + bytes32(user_data))


def find_coordinator_request(version, corr, key, key_type=0):
    """FindCoordinator v0..v3 (v3 is flexible: not supported here)."""
    body = string(key) + (i8(key_type) if version >= 1 else b"")
    return frame(header(10, version, corr) + body)


def parse_find_coordinator(version, body):
    """Returns (error_code, node_id, host, port)."""
    r = Reader(body)
    if version >= 1:
        r.i32()                       # throttle_time_ms
    err = r.i16()
    if version >= 1:
        r.string()                    # error_message
    return err, r.i32(), r.string(), r.i32()


def join_group_request(version, corr, group, member_id="", protocols=(("range", b""),),
                       session_timeout=10000, rebalance_timeout=10000,
                       protocol_type="consumer", instance_id=None):
    """JoinGroup v0..v5. protocols: [(name, metadata bytes)]."""
    body = string(group) + i32(session_timeout)
    if version >= 1:
        body += i32(rebalance_timeout)
    body += string(member_id)
    if version >= 5:
        body += string(instance_id)
    body += string(protocol_type)
    body += array(list(protocols), lambda p: string(p[0]) + bytes32(p[1]))
    return frame(header(11, version, corr) + body)


def parse_join_group(version, body):
    """Returns dict(error, generation, protocol, leader, member_id, members=[(id, metadata)])."""
    r = Reader(body)
    if version >= 2:
        r.i32()
    out = {"error": r.i16(), "generation": r.i32(), "protocol": r.string(),
           "leader": r.string(), "member_id": r.string(), "members": []}
    for _ in range(max(r.i32(), 0)):
        mid = r.string()
        if version >= 5:
            r.string()
        out["members"].append((mid, read_bytes32(r)))
    return out


def sync_group_request(version, corr, group, generation, member_id, assignments=(),
                       instance_id=None):
    """SyncGroup v0..v3. assignments: [(member_id, assignment bytes)]."""
    body = string(group) + i32(generation) + string(member_id)
    if version >= 3:
        body += string(instance_id)
    body += array(list(assignments), lambda a: string(a[0]) + bytes32(a[1]))
    return frame(header(14, version, corr) + body)


def parse_sync_group(version, body):
    """Returns (error_code, assignment bytes or None)."""
    r = Reader(body)
    if version >= 1:
        r.i32()
    return r.i16(), read_bytes32(r)


def heartbeat_request(version, corr, group, generation, member_id, instance_id=None):
    """Heartbeat v0..v3."""
    body = string(group) + i32(generation) + string(member_id)
    if version >= 3:
        body += string(instance_id)
    return frame(header(12, version, corr) + body)


def leave_group_request(version, corr, group, member_id):
    """LeaveGroup v0..v2."""
    return frame(header(13, version, corr) + string(group) + string(member_id))


def parse_error_only(version, body, throttle_from=1):
    """Heartbeat / LeaveGroup responses: [throttle_time_ms (v1+)] error_code."""
    r = Reader(body)
    if version >= throttle_from:
        r.i32()
    return r.i16()


def offset_commit_request(version, corr, group, generation, member_id, offsets,
                          retention_ms=-1):
    """OffsetCommit v2..v5. offsets: {topic: [(partition, offset, metadata str)]}."""
    body = string(group) + i32(generation) + string(member_id)
    if version <= 4:
        body += i64(retention_ms)
    body += array(sorted(offsets.items()), lambda t: string(t[0]) + array(
        list(t[1]), lambda p: i32(p[0]) + i64(p[1]) + string(p[2])))
    return frame(header(8, version, corr) + body)


def parse_offset_commit(version, body):
    """Returns {(topic, partition): error_code}."""
    r = Reader(body)
    if version >= 3:
        r.i32()
    out = {}
    for _ in range(max(r.i32(), 0)):
        t = r.string()
        for _ in range(max(r.i32(), 0)):
            p = r.i32()
            out[(t, p)] = r.i16()
    return out


def offset_fetch_request(version, corr, group, topics):
    """OffsetFetch v1..v5. topics: {topic: [partition]} or None (all, v2+)."""
    body = string(group)
    if topics is None:
        body += i32(-1)
    else:
        body += array(sorted(topics.items()),
                      lambda t: string(t[0]) + array(list(t[1]), i32))
    return frame(header(9, version, corr) + body)


def parse_offset_fetch(version, body):
    """Returns ({(topic, partition): (offset, metadata, error_code)}, top-level error or None)."""
    r = Reader(body)
    if version >= 3:
        r.i32()
    out = {}
    for _ in range(max(r.i32(), 0)):
        t = r.string()
        for _ in range(max(r.i32(), 0)):
            p, off = r.i32(), r.i64()
            if version >= 5:
                r.i32()
            meta = r.string()
            out[(t, p)] = (off, meta, r.i16())
    top = r.i16() if version >= 2 else None
    return out, top
