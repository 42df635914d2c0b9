#!/usr/bin/python3
"""test_groups_confluent.py - consumer groups (issue 3) with librdkafka via confluent_kafka.

Sections:
  share     three consumers (separate processes) in one group over a six-partition topic
            share it without overlap; one leaves (close() -> LeaveGroup), another is killed
            with SIGKILL; its partitions move to the survivor within the session timeout.
            Every produced record is processed at least once; with a synchronous commit after
            each record, a record is processed twice only if its partition moved between
            members (the killed member's last uncommitted record).
  restart   committed offsets survive a clean restart (SIGTERM) and kill -9: a new consumer
            of the group resumes exactly after the last commit.
  pubsub    two groups each receive every record; one group of four members works as a
            queue (every record exactly once across the group, work spread over members).
  bad       raw requests (kwire.py): Heartbeat from an unknown member (UNKNOWN_MEMBER_ID),
            OffsetCommit with a stale generation (ILLEGAL_GENERATION), SyncGroup before
            JoinGroup (UNKNOWN_MEMBER_ID), offset metadata > 4096 bytes
            (OFFSET_METADATA_TOO_LARGE), a too-short session timeout (INVALID_SESSION_TIMEOUT),
            a mismatched protocol type (INCONSISTENT_GROUP_PROTOCOL), 2 MiB member metadata
            and a truncated JoinGroup; the server answers properly, never crashes, keeps serving.

The share scenario (run_share_scenario) is shared with test_groups_kafka_python.py, which
brings its own worker.

Usage: /usr/bin/python3 test_groups_confluent.py [BUILD_DIR | sluice-server] [SECTION ...]
       (internal) test_groups_confluent.py --worker BOOTSTRAP GROUP TOPIC SESSION_MS
"""
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kwire as kw  # noqa: E402

SESSION_MS = 6000
HEARTBEAT_MS = 1000
GROUP_SETS = {"group.initial.rebalance.delay.ms": 0, "auto.create.topics.enable": "false"}

UNKNOWN_MEMBER_ID = 25
ILLEGAL_GENERATION = 22
OFFSET_METADATA_TOO_LARGE = 12
INVALID_SESSION_TIMEOUT = 26
INCONSISTENT_GROUP_PROTOCOL = 23
REBALANCE_IN_PROGRESS = 27


# -- the worker: one group member in its own process ------------------------------------------
def worker_main(bootstrap, group, topic, session_ms):
    """Prints ASSIGN/REVOKE/REC/COMMITERR/CLOSED lines; commits synchronously after each
    record. SIGTERM: close() (LeaveGroup) and exit."""
    from confluent_kafka import Consumer, KafkaException
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))

    def out(*a):
        sys.stdout.write(" ".join(str(x) for x in a) + "\n")
        sys.stdout.flush()

    def on_assign(c, parts):
        out("ASSIGN", ",".join(str(p.partition) for p in parts))

    def on_revoke(c, parts):
        out("REVOKE", ",".join(str(p.partition) for p in parts))

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                  "enable.auto.commit": False, "auto.offset.reset": "earliest",
                  "session.timeout.ms": int(session_ms), "heartbeat.interval.ms": HEARTBEAT_MS,
                  "fetch.wait.max.ms": 50, "topic.metadata.refresh.interval.ms": 2000})
    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    out("READY")
    while not stop:
        m = c.poll(0.1)
        if m is None:
            continue
        if m.error():
            out("ERR", m.error().name())
            continue
        out("REC", m.partition(), m.offset(), m.value().decode())
        try:
            c.commit(message=m, asynchronous=False)
        except KafkaException as e:
            out("COMMITERR", m.partition(), m.offset(), e.args[0].name())
    c.close()
    out("CLOSED")


# -- the parent side ----------------------------------------------------------------------------
class Worker:
    """A group member process and what it reported (parsed by a reader thread)."""

    def __init__(self, name, cmd):
        self.name = name
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, preexec_fn=harness._set_pdeathsig)
        self.lock = threading.Lock()
        self.owned = set()       # partitions currently assigned (eager: REVOKE clears)
        self.recs = []           # (partition, offset, value) in processing order
        self.events = []         # (time, kind, detail)
        self.commit_errors = []
        self.ready = threading.Event()
        self.closed = False
        self.dead = False        # killed or exited
        self.stderr = b""
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()

    def _pump(self):
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            kind, _, rest = line.partition(" ")
            with self.lock:
                self.events.append((time.monotonic(), kind, rest))
                if kind == "READY":
                    self.ready.set()
                elif kind == "ASSIGN":
                    self.owned = {int(x) for x in rest.split(",") if x}
                elif kind == "REVOKE":
                    self.owned -= {int(x) for x in rest.split(",") if x}
                elif kind == "REC":
                    p, o, v = rest.split(" ", 2)
                    self.recs.append((int(p), int(o), v))
                elif kind == "COMMITERR":
                    self.commit_errors.append(rest)
                elif kind == "CLOSED":
                    self.closed = True

    def _pump_err(self):
        self.stderr = self.proc.stderr.read()

    def snapshot(self):
        with self.lock:
            return set(self.owned), list(self.recs)

    def terminate(self, timeout=20):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.dead = True

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.dead = True


def stable_owners(workers, nparts):
    """{worker name: partitions} if the live workers own every partition exactly once and each
    owns at least one (with no more workers than partitions); else None."""
    owned = {w.name: w.snapshot()[0] for w in workers if not w.dead}
    allp = [p for s in owned.values() for p in s]
    if sorted(allp) != list(range(nparts)):
        return None
    if len(owned) <= nparts and any(not s for s in owned.values()):
        return None
    return owned


def wait_stable(workers, nparts, timeout):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        o = stable_owners(workers, nparts)
        if o is not None:
            return o, time.monotonic() - t0
        time.sleep(0.05)
    return None, time.monotonic() - t0


class Feeder:
    """Produces value 'r<seq>' to partition seq % nparts at a steady rate in a thread and
    records every acknowledged (partition, offset, value)."""

    def __init__(self, bootstrap, topic, nparts, rate=60):
        from confluent_kafka import Producer
        self.p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                           "enable.idempotence": False})
        self.topic, self.nparts, self.rate = topic, nparts, rate
        self.acked = []
        self.errors = []
        self.stop_ev = threading.Event()
        self.t = threading.Thread(target=self._run, daemon=True)
        self.seq = 0

    def _cb(self, err, m):
        if err:
            self.errors.append(str(err))
        else:
            self.acked.append((m.partition(), m.offset(), m.value().decode()))

    def _run(self):
        while not self.stop_ev.is_set():
            v = "r%d" % self.seq
            self.p.produce(self.topic, value=v.encode(), partition=self.seq % self.nparts,
                           on_delivery=self._cb)
            self.seq += 1
            self.p.poll(0)
            time.sleep(1.0 / self.rate)
        self.p.flush(20)

    def start(self):
        self.t.start()

    def stop(self):
        self.stop_ev.set()
        self.t.join(30)


def create_topic(bootstrap, topic, nparts):
    from confluent_kafka.admin import AdminClient, NewTopic
    a = AdminClient({"bootstrap.servers": bootstrap})
    a.create_topics([NewTopic(topic, nparts, 1)])[topic].result(20)


def run_share_scenario(res, srv, worker_cmd, label, session_ms=SESSION_MS, nparts=6):
    """worker_cmd(bootstrap, group, topic, session_ms) -> argv of one member process."""
    bs = srv.bootstrap
    topic, group = "share-%s" % label, "g-share-%s" % label
    create_topic(bs, topic, nparts)
    workers = [Worker("w%d" % i, worker_cmd(bs, group, topic, session_ms)) for i in range(3)]
    try:
        for w in workers:
            if not w.ready.wait(20):
                res.fail("%s: worker %s started" % (label, w.name), w.stderr.decode()[-2000:])
                return
        owners, dt = wait_stable(workers, nparts, 45)
        if not res.check(owners is not None and len(owners) == 3,
                         "%s: three members share the %d partitions without overlap" % (label, nparts),
                         {w.name: sorted(w.snapshot()[0]) for w in workers}):
            return
        res.info("%s: stable after %.1f s: %s" % (label, dt, {k: sorted(v) for k, v in owners.items()}))
        feeder = Feeder(bs, topic, nparts)
        feeder.start()
        time.sleep(2.0)

        # 1. a member leaves cleanly
        t_leave = time.monotonic()
        workers[0].terminate()
        res.check(workers[0].closed, "%s: member w0 closed cleanly (LeaveGroup)" % label,
                  workers[0].stderr.decode()[-2000:])
        owners, dt = wait_stable(workers, nparts, 30)
        res.check(owners is not None and len(owners) == 2,
                  "%s: after w0 left, w1 and w2 own every partition once (%.1f s)" % (label, time.monotonic() - t_leave),
                  {w.name: sorted(w.snapshot()[0]) for w in workers[1:]})
        res.check(owners is not None and time.monotonic() - t_leave < session_ms / 1000.0,
                  "%s: a leave moves partitions faster than the session timeout" % label)
        time.sleep(2.0)

        # 2. a member dies without leaving
        t_kill = time.monotonic()
        workers[1].kill()
        owners, dt = None, 0
        deadline = t_kill + session_ms / 1000.0 + 15
        while time.monotonic() < deadline:
            o = workers[2].snapshot()[0]
            if sorted(o) == list(range(nparts)):
                owners = o
                break
            time.sleep(0.05)
        moved = time.monotonic() - t_kill
        res.check(owners is not None,
                  "%s: after w1 was killed, w2 owns all %d partitions (%.1f s)" % (label, nparts, moved),
                  "w2 owns %s" % sorted(workers[2].snapshot()[0]))
        # the coordinator notices after session.timeout.ms; then one heartbeat + rejoin
        res.check(owners is not None and moved <= session_ms / 1000.0 + 2 * HEARTBEAT_MS / 1000.0 + 3,
                  "%s: the killed member's partitions moved within the session timeout "
                  "(+ a heartbeat and a rejoin): %.1f s, session %.1f s" % (label, moved, session_ms / 1000.0))
        time.sleep(1.5)
        feeder.stop()
        res.check(not feeder.errors, "%s: every record was acknowledged by the broker" % label,
                  feeder.errors[:5])
        want = {(p, o): v for (p, o, v) in feeder.acked}
        end = {}
        for (p, o, _v) in feeder.acked:
            end[p] = max(end.get(p, -1), o)

        # 3. the survivor drains everything
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            _, recs = workers[2].snapshot()
            seen = {}
            for (p, o, _v) in recs:
                seen[p] = max(seen.get(p, -1), o)
            if all(seen.get(p, -1) >= e for p, e in end.items()):
                break
            time.sleep(0.1)
        workers[2].terminate()

        processed = {}          # (p, o) -> [worker names]
        wrong = []
        for w in workers:
            for (p, o, v) in w.snapshot()[1]:
                processed.setdefault((p, o), []).append(w.name)
                if want.get((p, o), v) != v:
                    wrong.append((p, o, v, want.get((p, o))))
        missing = sorted(set(want) - set(processed))
        res.info("%s: %d records produced, %d processings, %d distinct" %
                 (label, len(want), sum(len(x) for x in processed.values()), len(processed)))
        res.check(len(want) > 200, "%s: enough records produced during the run (%d)" % (label, len(want)))
        res.check(not missing, "%s: every produced record was processed at least once" % label,
                  "missing %d, e.g. %s" % (len(missing), missing[:10]))
        res.check(not wrong, "%s: every processed record has the produced value" % label, wrong[:5])
        dups = {k: v for k, v in processed.items() if len(v) > 1}
        same_member = {k: v for k, v in dups.items() if len(set(v)) < len(v)}
        res.check(not same_member,
                  "%s: no record processed twice by the same member (commit after each record)" % label,
                  sorted(same_member.items())[:10])
        res.check(len(dups) <= 2 * nparts,
                  "%s: duplicates only where a partition moved (%d: %s)" % (label, len(dups), sorted(dups.items())[:6]))
        ce = [e for w in workers for e in w.commit_errors]
        res.info("%s: commit errors during rebalances: %s" % (label, ce[:6]))
    finally:
        for w in workers:
            if w.proc.poll() is None:
                w.kill()


# -- restart -----------------------------------------------------------------------------------
def ck_group_consumer(bs, group, **extra):
    from confluent_kafka import Consumer
    conf = {"bootstrap.servers": bs, "group.id": group, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "session.timeout.ms": SESSION_MS,
            "heartbeat.interval.ms": HEARTBEAT_MS, "fetch.wait.max.ms": 50}
    conf.update(extra)
    return Consumer(conf)


def consume_n(bs, group, topic, n, commit=True, timeout=30):
    """Join the group, process n records (sync commit after each), close. Returns [(p, o, v)]."""
    c = ck_group_consumer(bs, group)
    c.subscribe([topic])
    got = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < n and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None or m.error():
                continue
            got.append((m.partition(), m.offset(), m.value().decode()))
            if commit:
                c.commit(message=m, asynchronous=False)
    finally:
        c.close()
    return got


def produce(bs, topic, values, nparts):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bs, "acks": "all", "linger.ms": 2})
    acked = []
    for i, v in enumerate(values):
        p.produce(topic, value=v.encode(), partition=i % nparts,
                  on_delivery=lambda e, m: acked.append((m.partition(), m.offset(), m.value().decode())) if not e else None)
    p.flush(20)
    return acked


def next_expected(acked, consumed_all):
    """The records of acked not yet in consumed_all, keyed by (p, o)."""
    done = {(p, o) for (p, o, _v) in consumed_all}
    return {(p, o): v for (p, o, v) in acked if (p, o) not in done}


def section_restart(res, srv):
    bs = srv.bootstrap
    topic, group, nparts = "restart-t", "g-restart", 2
    create_topic(bs, topic, nparts)
    acked = produce(bs, topic, ["a%d" % i for i in range(20)], nparts)
    res.eq(len(acked), 20, "restart: 20 records produced")
    first = consume_n(bs, group, topic, 7)
    res.eq(len(first), 7, "restart: first consumer processed 7 records and committed each")
    rc, bs = srv.restart(clean=True)
    res.eq(rc, 0, "restart: server stopped cleanly (SIGTERM)")
    rest = consume_n(bs, group, topic, 13, timeout=30)
    want = next_expected(acked, first)
    got = {(p, o): v for (p, o, v) in rest}
    res.check(got == want and len(rest) == 13,
              "restart: after SIGTERM the group resumes exactly after its last commit",
              "want %s\n got %s" % (sorted(want), sorted(r[:2] for r in rest)))
    # per partition the first record read is the committed offset
    firsts = {}
    for (p, o, _v) in rest:
        firsts.setdefault(p, o)
    lasts = {}
    for (p, o, _v) in first:
        lasts[p] = o
    res.check(all(firsts.get(p) == lasts.get(p, -1) + 1 for p in firsts),
              "restart: each partition starts at committed offset (%s -> %s)" % (lasts, firsts))

    # kill -9 right after a commit was acknowledged
    acked2 = produce(bs, topic, ["b%d" % i for i in range(10)], nparts)
    part = consume_n(bs, group, topic, 4)
    res.eq(len(part), 4, "restart: 4 of 10 new records processed and committed")
    srv.kill()
    bs = srv.start()
    rest2 = consume_n(bs, group, topic, 6, timeout=30)
    want2 = next_expected(acked2, part)
    got2 = {(p, o): v for (p, o, v) in rest2}
    res.check(got2 == want2 and len(rest2) == 6,
              "restart: after kill -9 the group resumes exactly after its last commit",
              "want %s\n got %s" % (sorted(want2), sorted(r[:2] for r in rest2)))
    c = ck_group_consumer(bs, group)
    from confluent_kafka import TopicPartition
    com = c.committed([TopicPartition(topic, p) for p in range(nparts)], timeout=10)
    c.close()
    ends = {}
    for (p, o, _v) in acked + acked2:
        ends[p] = max(ends.get(p, -1), o + 1)
    res.eq({t.partition: t.offset for t in com}, ends,
           "restart: committed offsets read back (OffsetFetch) equal the log ends")


# -- publish-subscribe and queue ---------------------------------------------------------------
class ThreadMember:
    """A group member polled by its own thread (auto commit)."""

    def __init__(self, bs, group, topic):
        self.c = ck_group_consumer(bs, group, **{"enable.auto.commit": True,
                                                 "auto.commit.interval.ms": 200})
        self.owned = set()
        self.recs = []
        self.stop = threading.Event()

        def on_assign(c, parts):
            self.owned = {p.partition for p in parts}

        def on_revoke(c, parts):
            self.owned = set()

        self.c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        while not self.stop.is_set():
            m = self.c.poll(0.1)
            if m is not None and not m.error():
                self.recs.append((m.partition(), m.offset(), m.value().decode()))
        self.c.close()

    def close(self):
        self.stop.set()
        self.t.join(20)


def section_pubsub(res, srv):
    bs = srv.bootstrap
    topic, nparts, n = "pubsub-t", 6, 300
    create_topic(bs, topic, nparts)
    queue = [ThreadMember(bs, "g-queue", topic) for _ in range(4)]
    subs = [ThreadMember(bs, "g-sub-a", topic), ThreadMember(bs, "g-sub-b", topic)]
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            qo = [m.owned for m in queue]
            if (sorted(p for s in qo for p in s) == list(range(nparts)) and all(qo)
                    and all(len(s.owned) == nparts for s in subs)):
                break
            time.sleep(0.1)
        res.check(all(qo) and sorted(p for s in qo for p in s) == list(range(nparts)),
                  "pubsub: four members of g-queue split the six partitions",
                  [sorted(s) for s in qo])
        acked = produce(bs, topic, ["q%d" % i for i in range(n)], nparts)
        want = sorted((p, o, v) for (p, o, v) in acked)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if (sum(len(m.recs) for m in queue) >= n and all(len(s.recs) >= n for s in subs)):
                break
            time.sleep(0.1)
        time.sleep(0.5)   # anything extra (a duplicate) would show up now
    finally:
        for m in queue + subs:
            m.close()
    for s, name in zip(subs, ("g-sub-a", "g-sub-b")):
        res.eq(sorted(s.recs), want, "pubsub: group %s received every record once" % name)
    allq = sorted(r for m in queue for r in m.recs)
    res.eq(allq, want, "pubsub: g-queue processed every record exactly once across its members")
    res.check(sum(1 for m in queue if m.recs) >= 3,
              "pubsub: the work was spread over the queue's members (%s)" % [len(m.recs) for m in queue])


# -- bad input ---------------------------------------------------------------------------------
def section_bad(res, srv):
    port = srv.port
    corr = [100]

    def nc():
        corr[0] += 1
        return corr[0]

    def conn():
        return kw.Conn("127.0.0.1", port, 10.0)

    def alive(what):
        ok = srv.alive()
        err = None
        if ok:
            try:
                c = conn()
                body = kw.call(c, kw.api_versions_request(2, nc()))
                err, _apis = kw.parse_api_versions(2, body)
                c.close()
            except Exception as e:  # noqa: BLE001
                err = e
        res.check(ok and err == 0, "bad: server alive and serving after %s" % what,
                  "alive=%s, ApiVersions: %r" % (ok, err))

    create_topic(srv.bootstrap, "bad-t", 1)   # commits for unknown topics are refused (3)
    c = conn()
    meta = kw.consumer_subscription(["bad-t"])
    body = kw.call(c, kw.find_coordinator_request(1, nc(), "bad-g"))
    err, node, host, cport = kw.parse_find_coordinator(1, body)
    res.check(err == 0 and cport > 0, "bad: FindCoordinator v1 answers (node %s %s:%s)" % (node, host, cport),
              "error %s" % err)

    j = kw.parse_join_group(2, kw.call(c, kw.join_group_request(2, nc(), "bad-g", "", [("range", meta)])))
    res.check(j["error"] == 0 and j["generation"] >= 1 and j["member_id"] and j["leader"] == j["member_id"],
              "bad: JoinGroup v2 makes a single member the leader", j)
    mid, gen = j["member_id"], j["generation"]
    assign = kw.consumer_assignment({"bad-t": [0]})
    serr, sassign = kw.parse_sync_group(1, kw.call(c, kw.sync_group_request(1, nc(), "bad-g", gen, mid, [(mid, assign)])))
    res.check(serr == 0 and sassign == assign, "bad: SyncGroup v1 hands the leader its assignment back",
              (serr, sassign))

    e = kw.parse_error_only(1, kw.call(c, kw.heartbeat_request(1, nc(), "bad-g", gen, "nobody-xyz")))
    res.eq(e, UNKNOWN_MEMBER_ID, "bad: Heartbeat from an unknown member -> UNKNOWN_MEMBER_ID (25)")
    e = kw.parse_error_only(1, kw.call(c, kw.heartbeat_request(1, nc(), "bad-g", gen + 7, mid)))
    res.eq(e, ILLEGAL_GENERATION, "bad: Heartbeat with a wrong generation -> ILLEGAL_GENERATION (22)")
    e = kw.parse_error_only(1, kw.call(c, kw.heartbeat_request(1, nc(), "bad-g", gen, mid)))
    res.eq(e, 0, "bad: Heartbeat of the real member is fine")
    alive("heartbeats")

    # rejoin -> generation gen+1; then commit with the old one
    j2 = kw.parse_join_group(2, kw.call(c, kw.join_group_request(2, nc(), "bad-g", mid, [("range", meta)])))
    res.check(j2["error"] == 0 and j2["generation"] == gen + 1, "bad: rejoin bumps the generation", j2)
    gen2 = j2["generation"]
    serr, _ = kw.parse_sync_group(1, kw.call(c, kw.sync_group_request(1, nc(), "bad-g", gen2, mid, [(mid, assign)])))
    res.eq(serr, 0, "bad: SyncGroup of the new generation")
    r = kw.parse_offset_commit(2, kw.call(c, kw.offset_commit_request(2, nc(), "bad-g", gen, mid, {"bad-t": [(0, 5, "")]})))
    res.eq(r, {("bad-t", 0): ILLEGAL_GENERATION},
           "bad: OffsetCommit with a stale generation -> ILLEGAL_GENERATION (22)")
    r = kw.parse_offset_commit(2, kw.call(c, kw.offset_commit_request(2, nc(), "bad-g", gen2, "nobody-xyz", {"bad-t": [(0, 5, "")]})))
    res.eq(r, {("bad-t", 0): UNKNOWN_MEMBER_ID}, "bad: OffsetCommit from an unknown member -> UNKNOWN_MEMBER_ID (25)")
    r = kw.parse_offset_commit(2, kw.call(c, kw.offset_commit_request(2, nc(), "bad-g", gen2, mid, {"bad-t": [(0, 3, "m" * 4096)]})))
    res.eq(r, {("bad-t", 0): 0}, "bad: OffsetCommit with 4096 bytes of metadata is accepted")
    r = kw.parse_offset_commit(2, kw.call(c, kw.offset_commit_request(2, nc(), "bad-g", gen2, mid, {"bad-t": [(0, 9, "m" * 4097)]})))
    res.eq(r, {("bad-t", 0): OFFSET_METADATA_TOO_LARGE},
           "bad: OffsetCommit with 4097 bytes of metadata -> OFFSET_METADATA_TOO_LARGE (12)")
    f, _top = kw.parse_offset_fetch(1, kw.call(c, kw.offset_fetch_request(1, nc(), "bad-g", {"bad-t": [0]})))
    res.check(f.get(("bad-t", 0), (None,))[:1] == (3,) and f[("bad-t", 0)][2] == 0,
              "bad: the refused commit left the committed offset alone (still 3)", f.get(("bad-t", 0)))
    alive("offset commits")

    # SyncGroup before any JoinGroup (fresh group, invented member)
    c2 = conn()
    serr, _ = kw.parse_sync_group(1, kw.call(c2, kw.sync_group_request(1, nc(), "bad-fresh", 1, "ghost", [])))
    res.eq(serr, UNKNOWN_MEMBER_ID, "bad: SyncGroup before JoinGroup -> UNKNOWN_MEMBER_ID (25)")
    e = kw.parse_error_only(1, kw.call(c2, kw.heartbeat_request(1, nc(), "bad-never", 1, "ghost")))
    res.check(e in (UNKNOWN_MEMBER_ID, 69), "bad: Heartbeat for a group that never existed -> "
              "UNKNOWN_MEMBER_ID (25) or GROUP_ID_NOT_FOUND (69): %s" % e)
    j = kw.parse_join_group(2, kw.call(c2, kw.join_group_request(2, nc(), "bad-sess", "", [("range", meta)], session_timeout=1)))
    res.eq(j["error"], INVALID_SESSION_TIMEOUT, "bad: JoinGroup with a 1 ms session timeout -> INVALID_SESSION_TIMEOUT (26)")
    j = kw.parse_join_group(2, kw.call(c2, kw.join_group_request(2, nc(), "bad-g", "", [("range", meta)], protocol_type="connect")))
    res.eq(j["error"], INCONSISTENT_GROUP_PROTOCOL,
           "bad: JoinGroup with another protocol type into a consumer group -> INCONSISTENT_GROUP_PROTOCOL (23)")
    c2.close()
    alive("SyncGroup/JoinGroup errors")

    # 2 MiB of member metadata: any proper answer (or closing the connection), no crash
    c3 = conn()
    big = kw.consumer_subscription(["bad-t"], user_data=b"x" * (2 << 20))
    try:
        c3.send(kw.join_group_request(2, nc(), "bad-big", "", [("range", big)]))
        out = c3.outcome(10)
        if out[0] == "response":
            jb = kw.parse_join_group(2, out[2])
            res.info("bad: 2 MiB member metadata -> JoinGroup error %s" % jb["error"])
            if jb["error"] == 0:
                sb = kw.call(c3, kw.sync_group_request(1, nc(), "bad-big", jb["generation"], jb["member_id"],
                                                       [(jb["member_id"], assign)]))
                res.info("bad: ... then SyncGroup error %s" % kw.parse_sync_group(1, sb)[0])
            res.check(True, "bad: 2 MiB member metadata gets an answer")
        else:
            res.check(out[0] == "closed", "bad: 2 MiB member metadata: answered or connection closed, not ignored",
                      out)
    except Exception as ex:  # noqa: BLE001
        res.info("bad: 2 MiB member metadata: %r" % ex)
    c3.close()
    alive("2 MiB member metadata")

    # truncated JoinGroup: the frame ends in the middle of the protocols array
    c4 = conn()
    full = kw.join_group_request(2, nc(), "bad-trunc", "", [("range", meta)])
    payload = full[4:-8]
    c4.send(kw.i32(len(payload)) + payload)
    out = c4.outcome(5)
    ok = out[0] == "closed" or (out[0] == "response" and len(out[2]) >= 2)
    res.check(ok, "bad: truncated JoinGroup -> error response or closed connection (%s)" % out[0], out)
    c4.close()
    alive("a truncated JoinGroup")

    # leave, and a normal librdkafka group still works afterwards
    e = kw.parse_error_only(1, kw.call(c, kw.leave_group_request(1, nc(), "bad-g", mid)))
    res.eq(e, 0, "bad: LeaveGroup of the raw member")
    c.close()
    create_topic(srv.bootstrap, "bad-after", 1)
    produce(srv.bootstrap, "bad-after", ["x1", "x2"], 1)
    got = consume_n(srv.bootstrap, "g-bad-after", "bad-after", 2, timeout=30)
    res.eq([v for (_p, _o, v) in got], ["x1", "x2"], "bad: a librdkafka group consumer still works afterwards")


SECTIONS = [("share", None), ("restart", section_restart), ("pubsub", section_pubsub),
            ("bad", section_bad)]


def ck_worker_cmd(bs, group, topic, session_ms):
    return [sys.executable, os.path.abspath(__file__), "--worker", bs, group, topic, str(session_ms)]


def main(res):
    binary = harness.find_server(sys.argv[:2])
    wanted = sys.argv[2:] or [n for n, _ in SECTIONS]
    srv = harness.Server(binary, sets=GROUP_SETS, name="groups-ck")
    res.servers.append(srv)
    srv.start()
    for name, fn in SECTIONS:
        if name not in wanted:
            continue
        res.section(name)
        t0 = time.monotonic()
        if not srv.alive():
            srv.start()
        try:
            if name == "share":
                run_share_scenario(res, srv, ck_worker_cmd, "ck")
            else:
                fn(res, srv)
        except Exception as e:  # noqa: BLE001 - one broken section must not hide the others
            import traceback
            res.fail("%s: aborted by %s: %s" % (name, type(e).__name__, e), traceback.format_exc())
        res.info("%s took %.1f s" % (name, time.monotonic() - t0))
    rc = srv.stop()
    res.eq(rc, 0, "server stopped cleanly at the end")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--worker":
        worker_main(*sys.argv[2:6])
        sys.exit(0)
    harness.run("interop.groups_confluent", main)
