#!/usr/bin/python3
"""dump_topic.py - reads a whole topic with librdkafka (assign(), no consumer group) and prints
one JSON object per record, for tests written in other languages whose own consumer needs
consumer groups (kafkajs). Output lines:
  {"p": partition, "o": offset, "k": base64|null, "v": base64|null, "ts": ms, "tt": type,
   "h": [[name, base64|null], ...]}
and a final line {"end": true, "errors": [...]}. Exit status 0 unless reading failed.

Usage: /usr/bin/python3 dump_topic.py BOOTSTRAP TOPIC PARTITIONS [TIMEOUT_S]
"""
import base64
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def b64(b):
    return None if b is None else base64.b64encode(b).decode()


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    bs, topic, nparts = sys.argv[1], sys.argv[2], int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 20.0
    got, errors = harness.ck_read_all(bs, topic, list(range(nparts)), timeout=timeout)
    for p in sorted(got):
        for (o, k, v, (tt, ts), h) in got[p]:
            print(json.dumps({"p": p, "o": o, "k": b64(k), "v": b64(v), "ts": ts, "tt": tt,
                              "h": [[n, b64(x)] for n, x in (h or [])]}))
    print(json.dumps({"end": True, "errors": errors}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
