#!/usr/bin/env bash
# bench/groups.sh BUILD_DIR — consumer-group benchmarks (issue 3), see bench/group_bench.py:
#   rebalance: a 3-member group forms (subscribe -> every member has fetched a record)
#   commit:    synchronous and asynchronous OffsetCommit throughput of one consumer
# The server runs with group.initial.rebalance.delay.ms=0 (Kafka's default of 3000 ms would
# be most of the measured rebalance time); data on the project's disk, not tmpfs, because a
# commit is acknowledged only once durable. Environment: ROUNDS, SYNC_S, ASYNC_N.
# Prints RESULT lines:
#   RESULT mode=rebalance ms=... min_ms=... max_ms=... rounds=...
#   RESULT mode=commit sync_per_s=... async_per_s=...
set -euo pipefail
BUILD=${1:-build}
SERVER="$BUILD/server/sluice-server"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ -x "$SERVER" ] || { echo "groups.sh: no server at $SERVER" >&2; exit 1; }
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
WORK=$(mktemp -d "$BUILD/bench-groups.XXXXXX")
cleanup() {
    [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(uname -r)"
"$SERVER" --data-dir "$WORK/data" --kafka-port 0 --no-registry --no-sql \
    --set group.initial.rebalance.delay.ms=0 >"$WORK/server.out" 2>"$WORK/server.err" &
SPID=$!
for _ in $(seq 100); do
    grep -q 'broker listening on' "$WORK/server.out" 2>/dev/null && break
    sleep 0.1
done
PORT=$(sed -n 's/.*broker listening on [^ ]*:\([0-9]*\).*/\1/p' "$WORK/server.out")
[ -n "$PORT" ] || { cat "$WORK/server.err"; exit 1; }
/usr/bin/python3 "$HERE/group_bench.py" "127.0.0.1:$PORT" || { tail -20 "$WORK/server.err"; exit 1; }
