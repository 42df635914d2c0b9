#!/usr/bin/env bash
# bench/enforce.sh BUILD_DIR — the cost of produce-time schema enforcement (issue 4).
#
# One sluice-server with its schema registry; three topics that differ only in validation:
#   bench-off   no validation
#   bench-id    confluent.value.schema.validation=true (Confluent's check: framing, id known,
#               id registered under bench-id-value)
#   bench-full  the same + sluice.value.schema.validation.mode=full (every Avro datum decoded)
# Each gets N Confluent-framed Avro records of about 100 bytes (1000 distinct datums, written
# by bench/enforce_setup.py), acks=all with the durable default (fdatasync before the ack),
# produced by bench/sl_enforce_bench (librdkafka). The modes run interleaved ROUNDS times, so
# a disk or machine hiccup hits all of them alike; the median of each is reported, with the
# CPU time per record of the broker's loop thread (user+sys from /proc; produce handling and
# validation run there): the cleaner measure of what validation costs, since the throughput
# of a durable produce is bounded by fsync and by the client sharing the machine.
#
# Environment: N (records per run, default 3000000), ROUNDS (default 5), PARTS (partitions,
# default 1), SERVER (the sluice-server binary, default BUILD_DIR/server/sluice-server).
set -euo pipefail
BUILD=${1:-build}
N=${N:-3000000}
ROUNDS=${ROUNDS:-5}
PARTS=${PARTS:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
case "$BUILD" in /*) ;; *) BUILD="$PWD/$BUILD" ;; esac
SERVER=${SERVER:-"$BUILD/server/sluice-server"}
BENCH="$BUILD/bench/sl_enforce_bench"
PY=/usr/bin/python3
# Data on the project's disk, not tmpfs: fdatasync must mean what it means in production.
WORK=$(mktemp -d "$BUILD/enforce-run.XXXXXX")
cleanup() {
    [ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB, $(uname -r)"
echo "== $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

"$SERVER" --data-dir "$WORK/data" --kafka-port 0 --registry-port 0 --no-sql \
    >"$WORK/server.out" 2>"$WORK/server.err" &
SPID=$!
for _ in $(seq 150); do
    grep -q 'schema registry listening on' "$WORK/server.out" 2>/dev/null && break
    sleep 0.1
done
PORT=$(sed -n 's/.*broker listening on [^ ]*:\([0-9]*\).*/\1/p' "$WORK/server.out")
RPORT=$(sed -n 's/.*schema registry listening on [^ ]*:\([0-9]*\).*/\1/p' "$WORK/server.out")
if [ -z "$PORT" ] || [ -z "$RPORT" ]; then
    echo "server did not start with its registry:"; cat "$WORK/server.out" "$WORK/server.err"
    exit 1
fi
B="127.0.0.1:$PORT"
"$PY" "$HERE/enforce_setup.py" "$B" "http://127.0.0.1:$RPORT" "$WORK/values.bin" "$PARTS"

# CPU time (user+sys, clock ticks) of the loop thread alone (the main thread: its tid is the
# pid), which is where produce handling and validation run; the flusher's and the registry's
# threads are left out.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SPID/task/$SPID/stat"; }
TCK=$(getconf CLK_TCK)

# Warm-up (not measured): connections, metadata, first segment files of each topic.
for mode in off id full; do
    "$BENCH" -b "$B" -t "bench-$mode" -f "$WORK/values.bin" -n $((N / 10 + 1000)) -a all >/dev/null
done

declare -A RATES CPUS
for round in $(seq "$ROUNDS"); do
    for mode in off id full; do
        c0=$(cpu_ticks)
        out=$("$BENCH" -b "$B" -t "bench-$mode" -f "$WORK/values.bin" -n "$N" -a all) || {
            echo "$out"; echo "run bench-$mode failed (records refused?)"; tail -5 "$WORK/server.err"
            exit 1
        }
        c1=$(cpu_ticks)
        rate=$(sed -n 's/^RESULT mode=produce records_per_s=\([0-9]*\).*/\1/p' <<<"$out")
        # loop-thread CPU microseconds per record
        cpu=$("$PY" -c "print(round(($c1 - $c0) / $TCK * 1e6 / $N, 2))")
        echo "round $round  $mode: $rate records/s, loop thread CPU $cpu us/record"
        RATES[$mode]+="$rate "
        CPUS[$mode]+="$cpu "
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
OFF=$(median <<<"${RATES[off]}")
echo
for mode in off id full; do
    R=$(median <<<"${RATES[$mode]}")
    C=$(median <<<"${CPUS[$mode]}")
    echo "SUMMARY mode=$mode records_per_s=$R vs_off=$("$PY" -c "print(round($R/$OFF, 3))")" \
         "loop_cpu_us_per_record=$C"
done
REJ=$(grep -c 'rejected produce' "$WORK/server.err" || true)
echo "rejections logged (must be 0): $REJ"
