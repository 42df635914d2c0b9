#!/usr/bin/env bash
# test_kcat.sh - kcat (librdkafka 2.0.2 command-line client) against a real sluice-server.
#
# Checks: auto-creation of a topic on first produce (num.partitions=3); kcat -P with -K key
# delimiter and -z for each codec (none gzip snappy lz4 zstd) plus -p explicit partition;
# kcat -C -o beginning -e read-back (every record exactly once, offsets contiguous per
# partition, each key in one partition, per-key order kept); kcat -L metadata; kcat -Q offset
# lookup by timestamp; the same read-back after a SIGTERM restart (exit status 0).
#
# Usage: bash test_kcat.sh [BUILD_DIR | path/to/sluice-server]
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3
T0=$(date +%s%3N)

arg="${1:-}"
BIN="${SLUICE_SERVER:-}"
if [ -z "$BIN" ]; then
    if [ -n "$arg" ] && [ -d "$arg" ]; then BIN="$arg/server/sluice-server"
    elif [ -n "$arg" ]; then BIN="$arg"
    else BIN="$HERE/../../build/server/sluice-server"; fi
fi
if [ ! -x "$BIN" ]; then echo "sluice-server not found at $BIN"; echo "0 passed, 1 failed"; exit 1; fi
command -v kcat >/dev/null || { echo "kcat not installed (Debian package kcat)"; echo "0 passed, 1 failed"; exit 1; }

W=$(mktemp -d /tmp/sluice-kcat-XXXXXX)
PASS=0
FAIL=0
SPID=""
BS=""
TOPIC=interop-kcat

cleanup() {
    if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then kill -9 "$SPID" 2>/dev/null; fi
    if [ -z "${SLUICE_KEEP:-}" ]; then rm -rf "$W"; else echo "kept $W"; fi
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() {
    FAIL=$((FAIL + 1)); echo "FAIL $1"
    if [ -n "${2:-}" ]; then printf '%s\n' "$2" | head -40 | sed 's/^/       /'; fi
}
check() { # check "description" command...
    local what="$1"; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
section() { echo; echo "== $1"; }

start_server() {
    : > "$W/stdout"
    echo "===== start" >> "$W/stderr"
    # exec-pdeathsig: the server dies with this script even if ctest SIGKILLs it.
    "$PY" "$HERE/harness.py" exec-pdeathsig "$BIN" --data-dir "$W/data" --kafka-port 0 \
        --no-registry --no-sql --set num.partitions=3 --set auto.create.topics.enable=true \
        > "$W/stdout" 2>> "$W/stderr" &
    SPID=$!
    local i line
    for i in $(seq 1 150); do
        line=$(grep -Eo 'broker listening on [^ ]+:[0-9]+' "$W/stdout" | head -1)
        if [ -n "$line" ]; then
            local hp=${line#broker listening on }
            local host=${hp%:*} port=${hp##*:}
            case "$host" in ""|0.0.0.0|::|"[::]"|"*") host=127.0.0.1 ;; esac
            BS="$host:$port"
            return 0
        fi
        if ! kill -0 "$SPID" 2>/dev/null; then break; fi
        sleep 0.1
    done
    echo "server did not start:"; tail -30 "$W/stderr"
    return 1
}

stop_server() { # SIGTERM; sets STOP_RC
    kill -TERM "$SPID" 2>/dev/null
    local i
    for i in $(seq 1 150); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SPID" 2>/dev/null; then kill -9 "$SPID"; fi
    wait "$SPID"; STOP_RC=$?
    SPID=""
}

finish() {
    local ms=$(( $(date +%s%3N) - T0 ))
    local dt="$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    if [ "$FAIL" -gt 0 ]; then echo "---- server stderr (last 40 lines) ----"; tail -40 "$W/stderr"; fi
    echo; echo "test_kcat: ${dt} s"
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
    exit $?
}

KC=(kcat -q -X socket.timeout.ms=10000 -X topic.metadata.refresh.interval.ms=2000)

if ! start_server; then bad "server starts"; finish; fi
echo "   .. server $BIN at $BS"

section "produce with kcat -P -K: -z <codec> (topic auto-created)"
: > "$W/expected"
for codec in none gzip snappy lz4 zstd; do
    : > "$W/in.$codec"
    for i in $(seq 0 39); do
        echo "k$((i % 7)):$codec-$i-$(printf 'pad%.0s' $(seq 1 $((i % 9))))" >> "$W/in.$codec"
    done
    if "${KC[@]}" -b "$BS" -P -t "$TOPIC" -K: -z "$codec" -X acks=all \
        -X enable.idempotence=false < "$W/in.$codec" 2> "$W/err.$codec"; then
        ok "kcat -P -z $codec: 40 keyed records, exit status 0"
    else
        bad "kcat -P -z $codec: 40 keyed records, exit status 0" "$(cat "$W/err.$codec")"
    fi
    grep -q . "$W/err.$codec" && echo "   .. kcat stderr: $(head -3 "$W/err.$codec")"
    cat "$W/in.$codec" >> "$W/expected"
done
for i in $(seq 0 9); do echo "pk:explicit-$i"; done > "$W/in.explicit"
if "${KC[@]}" -b "$BS" -P -t "$TOPIC" -p 1 -K: -z gzip < "$W/in.explicit" 2> "$W/err.explicit"; then
    ok "kcat -P -p 1: 10 records into partition 1"
else
    bad "kcat -P -p 1: 10 records into partition 1" "$(cat "$W/err.explicit")"
fi
cat "$W/in.explicit" >> "$W/expected"
NEXP=$(wc -l < "$W/expected")

section "metadata (kcat -L)"
"${KC[@]}" -b "$BS" -L -t "$TOPIC" > "$W/meta" 2>&1
if grep -q "topic \"$TOPIC\" with 3 partitions" "$W/meta"; then ok "kcat -L: $TOPIC auto-created with 3 partitions (num.partitions=3)"
else bad "kcat -L: $TOPIC auto-created with 3 partitions (num.partitions=3)" "$(cat "$W/meta")"; fi
PORT=${BS##*:}
if grep -Eq "broker [0-9]+ at [^ ]+:$PORT" "$W/meta"; then ok "kcat -L: the broker advertises port $PORT"
else bad "kcat -L: the broker advertises port $PORT" "$(cat "$W/meta")"; fi
if [ "$(grep -Ec 'partition [0-2], leader [0-9]+, replicas: [0-9]+, isrs: [0-9]+' "$W/meta")" = 3 ]; then
    ok "kcat -L: 3 partitions each with leader, replica and ISR"
else bad "kcat -L: 3 partitions each with leader, replica and ISR" "$(cat "$W/meta")"; fi

# read_back FILE: kcat -C from the beginning to the end of every partition
read_back() {
    "${KC[@]}" -b "$BS" -C -t "$TOPIC" -o beginning -e -f '%k %s %p %o\n' > "$1.raw" 2> "$1.err"
    local rc=$?
    sort -k3,3n -k4,4n "$1.raw" > "$1"
    return $rc
}

verify_read() { # verify_read FILE LABEL
    local f="$1" label="$2"
    local n
    n=$(wc -l < "$f")
    if [ "$n" -eq "$NEXP" ]; then ok "$label: $n records read"; else bad "$label: $NEXP records read" "got $n; kcat stderr: $(head -5 "$f.err")"; fi
    # the multiset of key:value pairs equals what was produced (no loss, no duplicate)
    if diff <(awk '{print $1 ":" $2}' "$f" | sort) <(sort "$W/expected") > "$W/diff"; then
        ok "$label: every produced record exactly once (key and value intact)"
    else bad "$label: every produced record exactly once (key and value intact)" "$(head -20 "$W/diff")"; fi
    # offsets 0..n-1 per partition
    local gaps
    gaps=$(awk '{ if ($4 != next_off[$3]+0) { print "partition " $3 ": offset " $4 " where " next_off[$3]+0 " expected" } next_off[$3] = $4 + 1 }' "$f")
    if [ -z "$gaps" ]; then ok "$label: offsets are contiguous from 0 in every partition"; else bad "$label: offsets contiguous" "$gaps"; fi
    # each key in one partition
    local split
    split=$(awk '{print $1, $3}' "$f" | sort -u | awk '{c[$1]++} END {for (k in c) if (c[k] > 1) print k}')
    if [ -z "$split" ]; then ok "$label: every key is in exactly one partition"; else bad "$label: every key in one partition" "split keys: $split"; fi
    # explicit -p 1 records are all in partition 1
    if [ "$(awk '$1 == "pk" && $3 != 1' "$f" | wc -l)" -eq 0 ] && [ "$(awk '$1 == "pk"' "$f" | wc -l)" -eq 10 ]; then
        ok "$label: the 10 '-p 1' records are in partition 1"
    else bad "$label: the 10 '-p 1' records are in partition 1" "$(awk '$1 == "pk"' "$f")"; fi
    # per key, values in production order (partition order = production order for one key)
    if diff <(awk '{print $1 ":" $2}' "$f" | sort -s -t: -k1,1) <(sort -s -t: -k1,1 "$W/expected") > "$W/diff2"; then
        ok "$label: per key, records are in the order they were produced"
    else bad "$label: per key, records in production order" "$(head -20 "$W/diff2")"; fi
}

section "consume (kcat -C -o beginning -e)"
if read_back "$W/out1"; then ok "kcat -C exit status 0"; else bad "kcat -C exit status 0" "$(cat "$W/out1.err")"; fi
verify_read "$W/out1" "read #1"

section "offset by timestamp (kcat -Q)"
sleep 1.1
TS=$(date +%s%3N)
sleep 1.1
for i in $(seq 0 11); do echo "late$((i % 4)):late-$i"; done > "$W/in.late"
if "${KC[@]}" -b "$BS" -P -t "$TOPIC" -K: -z lz4 < "$W/in.late" 2> "$W/err.late"; then ok "kcat -P: 12 later records"
else bad "kcat -P: 12 later records" "$(cat "$W/err.late")"; fi
cat "$W/in.late" >> "$W/expected"
NEXP=$(wc -l < "$W/expected")
read_back "$W/out2"
for p in 0 1 2; do
    want=$(awk -v p="$p" '$3 == p && $2 ~ /^late-/ {print $4; exit}' "$W/out2")
    [ -z "$want" ] && want=-1
    got=$("${KC[@]}" -b "$BS" -Q -t "$TOPIC:$p:$TS" 2>&1)
    gotoff=$(printf '%s\n' "$got" | sed -n 's/.*offset \(-\{0,1\}[0-9]*\).*/\1/p' | head -1)
    if [ "$gotoff" = "$want" ]; then ok "kcat -Q $TOPIC:$p:<boundary ts> -> offset $want (first record produced after it)"
    else bad "kcat -Q $TOPIC:$p:<boundary ts> -> offset $want" "kcat said: $got"; fi
    want=$(awk -v p="$p" '$3 == p {print $4; exit}' "$W/out2")
    [ -z "$want" ] && want=-1
    got=$("${KC[@]}" -b "$BS" -Q -t "$TOPIC:$p:1" 2>&1)
    gotoff=$(printf '%s\n' "$got" | sed -n 's/.*offset \(-\{0,1\}[0-9]*\).*/\1/p' | head -1)
    if [ "$gotoff" = "$want" ]; then ok "kcat -Q $TOPIC:$p:1 -> offset $want (first record)"; else bad "kcat -Q $TOPIC:$p:1 -> offset $want" "kcat said: $got"; fi
done
FUT=$(( $(date +%s%3N) + 3600000 ))
got=$("${KC[@]}" -b "$BS" -Q -t "$TOPIC:0:$FUT" 2>&1)
gotoff=$(printf '%s\n' "$got" | sed -n 's/.*offset \(-\{0,1\}[0-9]*\).*/\1/p' | head -1)
if [ "$gotoff" = "-1" ]; then ok "kcat -Q with a future timestamp -> offset -1 (none)"; else bad "kcat -Q with a future timestamp -> offset -1" "kcat said: $got"; fi

section "restart (SIGTERM) and read again"
stop_server
if [ "$STOP_RC" = 0 ]; then ok "SIGTERM: server exits with status 0"; else bad "SIGTERM: server exits with status 0" "exit status $STOP_RC"; fi
if ! start_server; then bad "server restarts on the same data dir"; finish; fi
echo "   .. server back at $BS"
if read_back "$W/out3"; then ok "kcat -C exit status 0 after restart"; else bad "kcat -C exit status 0 after restart" "$(cat "$W/out3.err")"; fi
verify_read "$W/out3" "read #2 after restart"
if diff <(awk '{print $1, $2, $3, $4}' "$W/out2") "$W/out3" > "$W/diff3"; then ok "identical (key value partition offset) listing before and after restart"
else bad "identical listing before and after restart" "$(head -20 "$W/diff3")"; fi

stop_server
if [ "$STOP_RC" = 0 ]; then ok "final SIGTERM: server exits with status 0"; else bad "final SIGTERM: server exits with status 0" "exit status $STOP_RC"; fi
finish
