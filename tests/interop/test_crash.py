#!/usr/bin/python3
"""test_crash.py - durability of acknowledged records when the server is killed with SIGKILL.

A librdkafka producer (acks=all, enable.idempotence=false, retries=0) writes to a 3-partition
topic without pause; every record carries "<partition>:<seq>" with seq counting up per
partition. Each successful delivery report (the server answered acks=all) is recorded with
its offset. Meanwhile the server is killed with SIGKILL 3-5 times at random moments and
restarted on the same data dir (new port; the producer is re-created). At the end the producer
is flushed, the server is killed once more, the tail of every partition's active segment is
torn the way a power cut could leave it (half a batch, random bytes, a batch with a bad CRC;
offset index cut short), the server restarted, and the whole topic is read. Then more records
are appended and everything is read again after a clean restart.

With retries=0 the client never sends a record twice, so the log must hold:
  * every acknowledged record, at exactly the offset its acknowledgement named;
  * no record twice (acknowledged or not), nothing that was never sent;
  * offsets contiguous from 0 in each partition (torn tails truncated, appends continue);
  * acknowledged records of a partition in increasing seq order.
Records that failed (connection lost) may or may not be present; they are only counted.

Seed: random unless SLUICE_CRASH_SEED is set (the seed is printed).
Usage: /usr/bin/python3 test_crash.py [BUILD_DIR | path/to/sluice-server]
"""
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import kwire  # noqa: E402

from confluent_kafka import Producer, KafkaException  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

TOPIC = "interop-crash"
NPART = 3


class Load(threading.Thread):
    """Owns the producer: created, used and destroyed only on this thread."""

    def __init__(self, bootstrap):
        super().__init__(daemon=True)
        self.lock = threading.Lock()
        self.bootstrap = bootstrap         # guarded by lock; changes on restart
        self.generation = 0                # guarded by lock; bumped on restart
        self.stop_flag = threading.Event()
        self.next_seq = [0] * NPART        # next seq per partition
        self.acked = {}                    # (p, seq) -> offset
        self.failed = {}                   # (p, seq) -> error string
        self.sent = 0
        self.errors = []                   # unexpected errors of the load itself
        self.flushed_ok = None             # result of the final flush

    def restart_to(self, bootstrap):
        with self.lock:
            self.bootstrap = bootstrap
            self.generation += 1

    def _new_producer(self, bs):
        return Producer({"bootstrap.servers": bs, "acks": "all", "enable.idempotence": False,
                         "retries": 0, "linger.ms": 2, "message.timeout.ms": 8000,
                         "queue.buffering.max.messages": 20000, "socket.timeout.ms": 5000,
                         "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500,
                         "log_level": 2})

    def _cb(self, err, msg):
        p, seq = (int(x) for x in msg.value().split(b":", 2)[:2])
        if err is None:
            self.acked[(p, seq)] = msg.offset()
        else:
            self.failed[(p, seq)] = str(err)

    def _retire(self, prod):
        """Drop a producer whose server was killed: whatever it has not heard back about
        fails now (purge), so no stale delivery can show up later."""
        try:
            prod.purge(in_queue=True, in_flight=True)
        except (KafkaException, AttributeError):
            pass
        prod.flush(5)

    def run(self):
        try:
            with self.lock:
                gen, bs = self.generation, self.bootstrap
            prod = self._new_producer(bs)
            i = 0
            pad = b"." * 60
            while not self.stop_flag.is_set():
                with self.lock:
                    g, b = self.generation, self.bootstrap
                if g != gen:
                    self._retire(prod)
                    prod = self._new_producer(b)
                    gen = g
                p = i % NPART
                i += 1
                seq = self.next_seq[p]
                try:
                    prod.produce(TOPIC, value=b"%d:%d:" % (p, seq) + pad, partition=p,
                                 on_delivery=self._cb)
                except BufferError:
                    prod.poll(0.05)
                    i -= 1
                    continue
                self.next_seq[p] += 1
                self.sent += 1
                prod.poll(0)
                if i % 200 == 0:
                    time.sleep(0.02)  # <= ~10k records/s: enough load, bounded read-back
            left = prod.flush(20)
            self.flushed_ok = left == 0
        except Exception as e:  # noqa: BLE001
            self.errors.append(repr(e))


def body(res):
    seed = int(os.environ.get("SLUICE_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    res.info("seed %d (set SLUICE_CRASH_SEED=%d to repeat)" % (seed, seed))
    binary = harness.find_server()
    srv = harness.Server(binary, name="crash")
    res.servers.append(srv)
    bs = srv.start()
    res.info("server at %s, data %s" % (bs, srv.data_dir))
    a = AdminClient({"bootstrap.servers": bs})
    try:
        a.create_topics([NewTopic(TOPIC, NPART, 1)])[TOPIC].result(timeout=15)
        res.check(True, "create topic %s (%d partitions)" % (TOPIC, NPART))
    except Exception as e:  # noqa: BLE001
        res.fail("create topic %s" % TOPIC, e)
        return

    load = Load(bs)
    load.start()
    kills = rng.randint(3, 5)
    res.section("%d x SIGKILL under load" % kills)
    prev_acked = 0
    for k in range(kills):
        time.sleep(rng.uniform(0.8, 2.5))
        # Retiring the previous producer (purge + flush) may take seconds on a busy machine:
        # kill only once the new one has had acknowledgements (or give up after 20 s).
        deadline = time.monotonic() + 20
        while len(load.acked) <= prev_acked and time.monotonic() < deadline:
            time.sleep(0.1)
        n_acked = len(load.acked)
        srv.kill()
        t = time.monotonic()
        res.check(n_acked > prev_acked, "kill #%d: the producer made progress before it "
                  "(%d acknowledged so far)" % (k + 1, n_acked), "no new acknowledgements")
        prev_acked = n_acked
        try:
            bs = srv.start()
        except harness.ServerError as e:
            res.fail("kill #%d: server restarts on the same data dir" % (k + 1), e)
            load.stop_flag.set()
            load.join(30)
            return
        res.check(True, "kill #%d: server restarted in %.2f s at %s" % (k + 1,
                                                                        time.monotonic() - t, bs))
        load.restart_to(bs)
    time.sleep(rng.uniform(0.8, 1.5))
    load.stop_flag.set()
    load.join(40)
    res.check(not load.is_alive() and not load.errors, "producer thread finished cleanly",
              load.errors)
    res.check(load.flushed_ok, "final flush: every outstanding record got a delivery report")
    res.check(len(load.acked) > prev_acked, "the producer made progress after the last restart")
    res.info("sent %d, acknowledged %d, failed %d" % (load.sent, len(load.acked),
                                                     len(load.failed)))

    res.section("final SIGKILL, torn tails on disk, restart, read everything")
    srv.kill()
    tear_tails(res, srv, rng)
    try:
        bs = srv.start()
    except harness.ServerError as e:
        res.fail("server starts over torn segment tails", e)
        return
    res.check(True, "server starts over torn segment tails")
    verify_log(res, bs, load)

    res.section("appends continue after the recovered tail")
    load2 = Load(bs)
    load2.next_seq = list(load.next_seq)
    load2.start()
    time.sleep(1.0)
    load2.stop_flag.set()
    load2.join(40)
    res.check(load2.flushed_ok and not load2.errors and len(load2.acked) > 0,
              "producer writes %d more records after recovery" % len(load2.acked), load2.errors)
    load.acked.update(load2.acked)
    load.failed.update(load2.failed)
    load.next_seq = load2.next_seq
    rc, bs = srv.restart(clean=True)
    res.eq(rc, 0, "SIGTERM: server exits with status 0")
    verify_log(res, bs, load)
    rc = srv.stop()
    res.eq(rc, 0, "final SIGTERM: server exits with status 0")


def tear_tails(res, srv, rng):
    """Simulates what a power cut can leave behind (DESIGN.md: the tail is validated by CRC
    and a torn write truncated; indexes rebuilt when bad). Partition 0: half of a copy of
    its last batch; 1: 100 random bytes; 2: a copy of its last batch with one flipped byte
    (bad CRC). Every partition's offset index is cut to an odd length."""
    for p in range(NPART):
        d = os.path.join(srv.data_dir, "%s-%d" % (TOPIC, p))
        logs = sorted(f for f in os.listdir(d) if f.endswith(".log")) if os.path.isdir(d) else []
        if not logs:
            res.fail("partition %d has a segment file to tear" % p, d)
            continue
        seg = os.path.join(d, logs[-1])
        with open(seg, "rb") as f:
            data = f.read()
        batches = kwire.scan_segment_batches(seg)
        last = None
        if batches:
            pos = 0
            for (_b, _a, _l, _n, _ok) in batches[:-1]:
                pos += 12 + int.from_bytes(data[pos + 8:pos + 12], "big")
            last = data[pos:]
        if p == 0 and last:
            junk = last[:len(last) // 2]
        elif p == 2 and last:
            junk = bytearray(last)
            junk[-1] ^= 0x55
            junk = bytes(junk)
        else:
            junk = bytes(rng.randrange(256) for _ in range(100))
        with open(seg, "ab") as f:
            f.write(junk)
        idx = seg[:-4] + ".index"
        if os.path.exists(idx):
            with open(idx, "r+b") as f:
                size = os.path.getsize(idx)
                f.truncate(max(size - 5, 0) if size else 0)
                if size == 0:
                    f.write(b"\x01\x02\x03")
        res.info("partition %d: appended %d torn bytes to %s" % (p, len(junk), logs[-1]))


def verify_log(res, bs, load):
    got, errors = harness.ck_read_all(bs, TOPIC, list(range(NPART)), timeout=40)
    res.check(not errors, "reader saw no partition errors", errors[:5])

    by_val = {}
    dup = []
    junk = []
    at = {}
    for p in range(NPART):
        offs = [r[0] for r in got[p]]
        res.check(offs == list(range(len(offs))),
                  "partition %d: offsets 0..%d contiguous" % (p, len(offs) - 1),
                  "first gap near %s" % next((i for i, o in enumerate(offs) if o != i), None))
        for (o, _k, v, _ts, _h) in got[p]:
            try:
                rp, seq = (int(x) for x in v.split(b":", 2)[:2])
            except (ValueError, AttributeError):
                junk.append((p, o, v[:40] if v else v))
                continue
            if rp != p or seq >= load.next_seq[p]:
                junk.append((p, o, v[:40]))
            if (rp, seq) in by_val:
                dup.append((rp, seq, by_val[(rp, seq)], (p, o)))
            by_val[(rp, seq)] = (p, o)
            at[(p, o)] = (rp, seq)
    res.check(not junk, "every record in the log is one the producer sent", junk[:5])
    res.check(not dup, "no record is stored twice", dup[:5])

    missing, moved = [], []
    for (p, seq), off in load.acked.items():
        where = by_val.get((p, seq))
        if where is None:
            missing.append((p, seq, off))
        elif where != (p, off):
            moved.append(((p, seq), "acked at offset %d" % off, "found at %s" % (where,)))
    res.check(not missing, "every acknowledged record survived (%d of them)" % len(load.acked),
              "%d missing, e.g. (partition, seq, acked offset) %s" % (len(missing),
                                                                       sorted(missing)[:10]))
    res.check(not moved, "every acknowledged record sits at the offset its ack named",
              moved[:5])
    for p in range(NPART):
        acked = sorted((seq, off) for (pp, seq), off in load.acked.items() if pp == p)
        offs = [o for _s, o in acked]
        res.check(offs == sorted(offs), "partition %d: acknowledged records in seq order" % p)
    present_unacked = sum(1 for k in load.failed if k in by_val)
    res.info("records whose delivery failed but that are in the log anyway: %d of %d"
             % (present_unacked, len(load.failed)))


if __name__ == "__main__":
    harness.run("test_crash", body)
