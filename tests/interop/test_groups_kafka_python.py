#!/usr/bin/python3
"""test_groups_kafka_python.py - consumer groups (issue 3) with kafka-python 2.0.2.

Sections:
  share     the scenario of test_groups_confluent.py (run_share_scenario) with kafka-python
            members in subprocesses: three share six partitions without overlap, one leaves
            (close() -> LeaveGroup), one is killed with SIGKILL, partitions move within the
            session timeout, nothing is lost, no record is processed twice by one member
            (commit after each record).
  restart   kafka-python commits survive a clean restart (SIGTERM) and kill -9: a new
            consumer of the group resumes exactly after its last commit.

Usage: /usr/bin/python3 test_groups_kafka_python.py [BUILD_DIR | sluice-server] [SECTION ...]
       (internal) test_groups_kafka_python.py --worker BOOTSTRAP GROUP TOPIC SESSION_MS
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_groups_confluent as common  # noqa: E402

KP_COMMON = {"api_version_auto_timeout_ms": 5000, "request_timeout_ms": 15000}


def kp_consumer(bs, group, session_ms=common.SESSION_MS):
    from kafka import KafkaConsumer
    return KafkaConsumer(bootstrap_servers=bs, group_id=group, enable_auto_commit=False,
                         auto_offset_reset="earliest", session_timeout_ms=int(session_ms),
                         heartbeat_interval_ms=common.HEARTBEAT_MS, fetch_max_wait_ms=50,
                         max_poll_interval_ms=30000, **KP_COMMON)


def worker_main(bootstrap, group, topic, session_ms):
    from kafka import ConsumerRebalanceListener, OffsetAndMetadata
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))

    def out(*a):
        sys.stdout.write(" ".join(str(x) for x in a) + "\n")
        sys.stdout.flush()

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            out("REVOKE", ",".join(str(tp.partition) for tp in revoked))

        def on_partitions_assigned(self, assigned):
            out("ASSIGN", ",".join(str(tp.partition) for tp in assigned))

    c = kp_consumer(bootstrap, group, session_ms)
    c.subscribe([topic], listener=Listener())
    out("READY")
    while not stop:
        batches = c.poll(timeout_ms=100)
        for tp, msgs in batches.items():
            for m in msgs:
                if stop:
                    break
                out("REC", m.partition, m.offset, m.value.decode())
                try:
                    c.commit({tp: OffsetAndMetadata(m.offset + 1, None)})
                except Exception as e:  # noqa: BLE001 - CommitFailedError during a rebalance
                    out("COMMITERR", m.partition, m.offset, type(e).__name__)
    c.close()
    out("CLOSED")


def kp_worker_cmd(bs, group, topic, session_ms):
    return [sys.executable, os.path.abspath(__file__), "--worker", bs, group, topic, str(session_ms)]


def kp_consume_n(bs, group, topic, n, timeout=30):
    """Join, process n records with a synchronous commit after each, close."""
    from kafka import OffsetAndMetadata
    c = kp_consumer(bs, group)
    c.subscribe([topic])
    got = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < n and time.monotonic() < deadline:
            for tp, msgs in c.poll(timeout_ms=200, max_records=n - len(got)).items():
                for m in msgs:
                    got.append((m.partition, m.offset, m.value.decode()))
                    c.commit({tp: OffsetAndMetadata(m.offset + 1, None)})
    finally:
        c.close()
    return got


def section_restart(res, srv):
    bs = srv.bootstrap
    topic, group, nparts = "kp-restart-t", "g-kp-restart", 2
    common.create_topic(bs, topic, nparts)
    acked = common.produce(bs, topic, ["a%d" % i for i in range(20)], nparts)
    first = kp_consume_n(bs, group, topic, 7)
    res.eq(len(first), 7, "restart: kafka-python processed 7 records and committed each")
    rc, bs = srv.restart(clean=True)
    res.eq(rc, 0, "restart: server stopped cleanly (SIGTERM)")
    rest = kp_consume_n(bs, group, topic, 13)
    want = common.next_expected(acked, first)
    got = {(p, o): v for (p, o, v) in rest}
    res.check(got == want and len(rest) == 13,
              "restart: after SIGTERM kafka-python resumes exactly after its last commit",
              "want %s\n got %s" % (sorted(want), sorted(r[:2] for r in rest)))
    acked2 = common.produce(bs, topic, ["b%d" % i for i in range(10)], nparts)
    part = kp_consume_n(bs, group, topic, 4)
    res.eq(len(part), 4, "restart: 4 of 10 new records processed and committed")
    srv.kill()
    bs = srv.start()
    rest2 = kp_consume_n(bs, group, topic, 6)
    want2 = common.next_expected(acked2, part)
    got2 = {(p, o): v for (p, o, v) in rest2}
    res.check(got2 == want2 and len(rest2) == 6,
              "restart: after kill -9 kafka-python resumes exactly after its last commit",
              "want %s\n got %s" % (sorted(want2), sorted(r[:2] for r in rest2)))


def main(res):
    binary = harness.find_server(sys.argv[:2])
    wanted = sys.argv[2:] or ["share", "restart"]
    srv = harness.Server(binary, sets=common.GROUP_SETS, name="groups-kp")
    res.servers.append(srv)
    srv.start()
    for name in ("share", "restart"):
        if name not in wanted:
            continue
        res.section(name)
        t0 = time.monotonic()
        if not srv.alive():
            srv.start()
        try:
            if name == "share":
                common.run_share_scenario(res, srv, kp_worker_cmd, "kp")
            else:
                section_restart(res, srv)
        except Exception as e:  # noqa: BLE001
            import traceback
            res.fail("%s: aborted by %s: %s" % (name, type(e).__name__, e), traceback.format_exc())
        res.info("%s took %.1f s" % (name, time.monotonic() - t0))
    rc = srv.stop()
    res.eq(rc, 0, "server stopped cleanly at the end")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--worker":
        worker_main(*sys.argv[2:6])
        sys.exit(0)
    harness.run("interop.groups_kafka_python", main)
