#!/usr/bin/env bash
# bench/run.sh BUILD_DIR — the broker benchmarks of docs/performance.md, with Redis Streams run
# on the same machine in the same session as the peer.
#
#   produce:  N 100-byte records, acks=all, durable default (fdatasync before ack)
#   consume:  the same records read back from the beginning
#   latency:  end-to-end p50/p99/p99.9 at a paced 100,000 records/s
#   memory:   server resident set size when idle (after start-up) and after the runs
#   redis:    XADD of the same 100-byte records, appendonly yes + appendfsync everysec,
#             pipelined (redis-benchmark -P 64), the closest Redis analogue of batching
#
# Environment: N (records, default 2000000), PARTS (partitions, default 1),
# RATE (latency-test rate, default 100000), LAT_N (latency records, default 1000000).
set -euo pipefail
BUILD=${1:-build}
N=${N:-2000000}
PARTS=${PARTS:-1}
RATE=${RATE:-100000}
LAT_N=${LAT_N:-1000000}
SERVER="$BUILD/server/sluice-server"
BENCH="$BUILD/bench/sl_bench"
# Data on the project's disk, not tmpfs: fdatasync must mean what it means in production.
WORK=$(mktemp -d "$PWD/$BUILD/bench-run.XXXXXX")
cleanup() {
    [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
    [ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB, $(uname -r)"
echo "== $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

"$SERVER" --data-dir "$WORK/data" --kafka-port 0 --no-registry --no-sql \
    --set num.partitions="$PARTS" >"$WORK/server.out" 2>"$WORK/server.err" &
SPID=$!
for _ in $(seq 100); do
    grep -q 'broker listening on' "$WORK/server.out" 2>/dev/null && break
    sleep 0.1
done
PORT=$(sed -n 's/.*broker listening on [^ ]*:\([0-9]*\).*/\1/p' "$WORK/server.out")
[ -n "$PORT" ] || { cat "$WORK/server.err"; exit 1; }
B="127.0.0.1:$PORT"
sleep 1
RSS_IDLE=$(awk '/VmRSS/{print $2}' /proc/$SPID/status)
echo "== sluice-server idle RSS: $((RSS_IDLE / 1024)) MB"

echo "== sluice produce: $N x 100 B, acks=all, $PARTS partition(s)"
"$BENCH" produce -b "$B" -t bench -n "$N" -s 100 -a all | tee "$WORK/produce.txt"
echo "== sluice consume"
"$BENCH" consume -b "$B" -t bench -n "$N" | tee "$WORK/consume.txt"
echo "== sluice end-to-end latency at $RATE records/s"
"$BENCH" latency -b "$B" -t latency -n "$LAT_N" -s 100 -a all -r "$RATE" | tee "$WORK/latency.txt"
RSS_AFTER=$(awk '/VmRSS/{print $2}' /proc/$SPID/status)
echo "== sluice-server RSS after the runs: $((RSS_AFTER / 1024)) MB"
kill "$SPID"; wait "$SPID" || true; SPID=

echo "== redis streams: XADD $N x 100 B, appendfsync everysec"
RPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/redis"
redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$WORK/redis" --appendonly yes \
    --appendfsync everysec --save '' --daemonize no >"$WORK/redis.log" 2>&1 &
RPID=$!
for _ in $(seq 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
VAL=$(head -c 100 /dev/zero | tr '\0' x)
redis-benchmark -p "$RPORT" -n "$N" -c 16 -P 64 -q XADD bench '*' f "$VAL" | tr '\r' '\n' | grep -v '^$' | tail -1 | tee "$WORK/redis.txt"

P=$(sed -n 's/^RESULT mode=produce records_per_s=\([0-9]*\).*/\1/p' "$WORK/produce.txt")
C=$(sed -n 's/^RESULT mode=consume records_per_s=\([0-9]*\).*/\1/p' "$WORK/consume.txt")
R=$(grep -o '[0-9.]* requests per second' "$WORK/redis.txt" | cut -d' ' -f1 | cut -d. -f1)
echo
echo "SUMMARY produce_records_per_s=$P consume_records_per_s=$C redis_xadd_per_s=$R" \
     "ratio=$(python3 -c "print(round($P/$R,2))" 2>/dev/null || echo ?)" \
     "idle_rss_mb=$((RSS_IDLE / 1024))"
grep '^RESULT mode=latency' "$WORK/latency.txt"
