#!/usr/bin/python3
"""group_bench.py BOOTSTRAP - consumer-group benchmarks for bench/groups.sh (librdkafka via
confluent_kafka; run with /usr/bin/python3).

rebalance: a six-partition topic holds records in every partition. Three consumers of a new
  group subscribe at the same moment (t0, just before the first subscribe: it includes the
  FindCoordinator round trip that precedes the first JoinGroup); the time ends when the last of
  the three has fetched its first record. Eager range assignor, session.timeout.ms=6000,
  heartbeat.interval.ms=500. Repeated ROUNDS times with a fresh group; prints the median
  (and min/max).
commit: one consumer that owns a one-partition topic commits offsets 1, 2, 3, ...:
  synchronously (each commit waits for its OffsetCommit response, which the broker sends
  once the offset record is durable in __consumer_offsets) for SYNC_S seconds, then
  asynchronously (ASYNC_N commits in flight, all acknowledged) and reports commits/s.

Prints:  RESULT mode=rebalance ms=<median> min_ms=.. max_ms=.. rounds=N
         RESULT mode=commit sync_per_s=.. async_per_s=..
"""
import os
import statistics
import sys
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

BS = sys.argv[1]
ROUNDS = int(os.environ.get("ROUNDS", "5"))
SYNC_S = float(os.environ.get("SYNC_S", "5"))
ASYNC_N = int(os.environ.get("ASYNC_N", "20000"))


def consumer(group, **extra):
    conf = {"bootstrap.servers": BS, "group.id": group, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 500, "fetch.wait.max.ms": 50}
    conf.update(extra)
    return Consumer(conf)


def setup():
    a = AdminClient({"bootstrap.servers": BS})
    for t, n in (("gb-rebalance", 6), ("gb-commit", 1)):
        a.create_topics([NewTopic(t, n, 1)])[t].result(20)
    p = Producer({"bootstrap.servers": BS, "linger.ms": 5})
    for i in range(600):
        p.produce("gb-rebalance", value=b"x" * 100, partition=i % 6)
    p.produce("gb-commit", value=b"y")
    p.flush(20)


def rebalance_round(r):
    group = "gb-reb-%d-%d" % (os.getpid(), r)
    cs = [consumer(group) for _ in range(3)]
    first = [None] * 3
    stop = threading.Event()

    def run(i):
        # Every member keeps polling until all three have a record: a member that stopped
        # polling could not take part in the rebalances the later joiners trigger.
        while not stop.is_set() and any(f is None for f in first):
            m = cs[i].poll(0.01)
            if m is not None and not m.error() and first[i] is None:
                first[i] = time.monotonic()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    t0 = time.monotonic()
    for c in cs:
        c.subscribe(["gb-rebalance"])
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    stop.set()
    for t in threads:
        t.join()
    for c in cs:
        c.close()
    if any(f is None for f in first):
        raise SystemExit("rebalance round %d: a member never got a record" % r)
    return (max(first) - t0) * 1000.0


def commit_bench():
    c = consumer("gb-commit-%d" % os.getpid())
    assigned = threading.Event()
    c.subscribe(["gb-commit"], on_assign=lambda cc, parts: assigned.set())
    deadline = time.monotonic() + 30
    while not assigned.is_set() and time.monotonic() < deadline:
        c.poll(0.05)
    if not assigned.is_set():
        raise SystemExit("commit bench: no assignment")
    off = 0
    t0 = time.monotonic()
    n_sync = 0
    while time.monotonic() - t0 < SYNC_S:
        off += 1
        c.commit(offsets=[TopicPartition("gb-commit", 0, off)], asynchronous=False)
        n_sync += 1
    sync_rate = n_sync / (time.monotonic() - t0)

    done = [0, 0]   # acknowledged, failed

    def on_commit(err, parts):
        done[0 if err is None else 1] += 1
    c2 = consumer("gb-commit-async-%d" % os.getpid(), on_commit=on_commit)
    assigned.clear()
    c2.subscribe(["gb-commit"], on_assign=lambda cc, parts: assigned.set())
    while not assigned.is_set():
        c2.poll(0.05)
    t0 = time.monotonic()
    for i in range(ASYNC_N):
        c2.commit(offsets=[TopicPartition("gb-commit", 0, i + 1)], asynchronous=True)
        if i % 100 == 0:
            c2.poll(0)
    while done[0] + done[1] < ASYNC_N and time.monotonic() - t0 < 120:
        c2.poll(0.01)
    async_rate = (done[0] + done[1]) / (time.monotonic() - t0)
    c.close()
    c2.close()
    if done[1]:
        print("commit bench: %d async commits failed" % done[1], file=sys.stderr)
    return sync_rate, async_rate


def main():
    setup()
    times = [rebalance_round(r) for r in range(ROUNDS)]
    print("rebalance rounds (ms): %s" % " ".join("%.0f" % t for t in times))
    print("RESULT mode=rebalance ms=%.0f min_ms=%.0f max_ms=%.0f rounds=%d"
          % (statistics.median(times), min(times), max(times), len(times)), flush=True)
    s, a = commit_bench()
    print("RESULT mode=commit sync_per_s=%.0f async_per_s=%.0f" % (s, a), flush=True)


if __name__ == "__main__":
    main()
