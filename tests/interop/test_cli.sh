#!/usr/bin/env bash
# test_cli.sh — end-to-end test of the `sluice` CLI against a running sluice-server.
#
# usage: tests/interop/test_cli.sh BUILD_DIR
#   uses BUILD_DIR/server/sluice-server and BUILD_DIR/clients/sluice
#
# Starts a private server (temp data dir, free port, auto topic creation off), drives every
# CLI subcommand through it, compares exact outputs, and reads a segment file the server wrote
# with `sluice dump-log`. Each check prints PASS/FAIL; the last line is "N passed, M failed".
# Exit status 0 only if every check passed. The server is killed on exit (trap).
set -euo pipefail

BUILD=${1:?usage: test_cli.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SERVER=$BUILD/server/sluice-server
CLI=$BUILD/clients/sluice
[[ -x $SERVER ]] || { echo "test_cli: no server at $SERVER" >&2; exit 1; }
[[ -x $CLI ]] || { echo "test_cli: no CLI at $CLI" >&2; exit 1; }

WORK=$(mktemp -d)
DATA=$(mktemp -d)
SPID=
PASSED=0
FAILED=0

SUMMARY_DONE=

show_server_log() {
    echo "--- last lines of the server's stderr ---" >&2
    tail -n 30 "$WORK/server.err" >&2 2>/dev/null || true
}

cleanup() {
    local rc=$?
    if [[ -n $SPID ]] && kill -0 "$SPID" 2>/dev/null; then
        kill -TERM "$SPID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SPID" 2>/dev/null || true
        wait "$SPID" 2>/dev/null || true
    fi
    # an aborted run (the summary was not reached) shows the server's side of the story
    if [[ -z $SUMMARY_DONE ]] && (( rc != 0 )); then show_server_log; fi
    rm -rf "$WORK" "$DATA"
}
trap cleanup EXIT

# ---- check helpers ----------------------------------------------------------------------

pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL $1"
    shift
    local line
    for line in "$@"; do printf '     %s\n' "$line"; done
}

# run CMD... : runs the command, capturing stdout in $OUT, stderr in $ERR, exit status in $RC
run() {
    RC=0
    "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?
    OUT=$(cat "$WORK/out")
    ERR=$(cat "$WORK/err")
}

# run_in INPUT CMD... : like run, with INPUT on stdin
run_in() {
    local input=$1
    shift
    RC=0
    printf '%s' "$input" | "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?
    OUT=$(cat "$WORK/out")
    ERR=$(cat "$WORK/err")
}

# expect_rc NAME WANT : the last run exited with WANT
expect_rc() {
    if [[ $RC == "$2" ]]; then pass "$1"; else fail "$1" "exit $RC, want $2" "stderr: $ERR"; fi
}

# expect_out NAME WANT : the last run exited 0 and printed exactly WANT
expect_out() {
    if [[ $RC == 0 && $OUT == "$2" ]]; then
        pass "$1"
    else
        fail "$1" "exit $RC" "want: $(printf '%q' "$2")" "got:  $(printf '%q' "$OUT")" "stderr: $ERR"
    fi
}

# expect_match NAME REGEX TEXT : TEXT matches the extended regex (grep -E, any line)
expect_match() {
    if grep -Eq -- "$2" <<<"$3"; then
        pass "$1"
    else
        fail "$1" "no match for /$2/ in:" "$3" "(exit $RC, stderr: $ERR)"
    fi
}

expect_nomatch() {
    if grep -Eq -- "$2" <<<"$3"; then fail "$1" "unexpected match for /$2/ in:" "$3"; else pass "$1"; fi
}

# ---- start the server -------------------------------------------------------------------

"$SERVER" --data-dir "$DATA" --kafka-port 0 --no-registry --no-sql \
    --set auto.create.topics.enable=false --set num.partitions=1 \
    >"$WORK/server.out" 2>"$WORK/server.err" &
SPID=$!

PORT=
for _ in $(seq 100); do
    if line=$(grep -E -m1 'broker listening on (\S+):([0-9]+)' "$WORK/server.out" 2>/dev/null); then
        PORT=$(sed -E 's/.*broker listening on (\S+):([0-9]+).*/\2/' <<<"$line")
        HOST=$(sed -E 's/.*broker listening on (\S+):([0-9]+).*/\1/' <<<"$line")
        break
    fi
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
done
if [[ -z $PORT ]]; then
    echo "test_cli: the server did not report its port" >&2
    cat "$WORK/server.out" "$WORK/server.err" >&2 || true
    exit 1
fi
# a wildcard listen address is not something to connect to
case $HOST in 0.0.0.0 | '::' | '[::]' | '') HOST=127.0.0.1 ;; esac
BS=$HOST:$PORT
echo "server pid $SPID on $BS, data in $DATA"

S() { "$CLI" --bootstrap-server "$BS" --request-timeout-ms 10000 "$@"; }
# consume with a safety net: never wait more than 10 s for a missing record
C() { S consume --timeout-ms 10000 "$@"; }

# ---- command line -----------------------------------------------------------------------

run "$CLI" --version
expect_match version '^sluice [0-9]+\.[0-9]+\.[0-9]+' "$OUT"
run "$CLI" --help
expect_match help.lists-commands 'dump-log' "$OUT"
for cmd in topics produce consume dump-log; do
    run "$CLI" "$cmd" --help
    if [[ $RC == 0 ]] && grep -q "^usage: sluice $cmd" <<<"$OUT"; then pass "help.$cmd"; else fail "help.$cmd" "exit $RC" "$OUT"; fi
done
run "$CLI" --no-such-option
expect_rc usage.global-bad-option 2
run "$CLI" topics --list --no-such-option
expect_rc usage.topics-bad-option 2
run "$CLI" consume --topic x --from-beginning --offset 3
expect_rc usage.consume-conflicting-offsets 2
run "$CLI" produce --topic x --compression brotli
expect_rc usage.produce-bad-codec 2
run "$CLI" frobnicate
expect_rc usage.unknown-command 2
run "$CLI" topics --create
expect_rc usage.create-needs-topic 2

# ---- topics -----------------------------------------------------------------------------

run S topics --create --topic t1 --partitions 3 --config retention.ms=3600000
expect_out topics.create 'Created topic t1.'
run S topics --create --topic t1
expect_rc topics.create-existing.rc 1
expect_match topics.create-existing.msg 'TOPIC_ALREADY_EXISTS' "$ERR"
run S topics --create --topic t1 --if-not-exists
expect_out topics.create-if-not-exists ''
run S topics --create --topic t2
expect_out topics.create-default-partitions 'Created topic t2.'

run S topics --list
expect_out topics.list "$(printf '__consumer_offsets\nt1\nt2')"
run S topics --list --exclude-internal
expect_out topics.list-exclude-internal "$(printf 't1\nt2')"

run S topics --describe --topic t1
expect_match topics.describe.header '^Topic: t1	PartitionCount: 3	ReplicationFactor: 1	Configs: retention.ms=3600000$' "$OUT"
expect_match topics.describe.p2 '^	Topic: t1	Partition: 2	Leader: [0-9]+	Replicas: [0-9]+	Isr: [0-9]+	LowWatermark: 0	HighWatermark: 0$' "$OUT"
if [[ $(grep -c '	Partition: ' <<<"$OUT") == 3 ]]; then pass topics.describe.three-partitions; else fail topics.describe.three-partitions "$OUT"; fi
run S topics --describe --topic t2
expect_match topics.describe.default-partitions '^Topic: t2	PartitionCount: 1	' "$OUT"

run S topics --alter --topic t1 --partitions 4
expect_rc topics.alter-partitions.rc 0
run S topics --describe --topic t1
expect_match topics.alter-partitions.effect 'PartitionCount: 4' "$OUT"
run S topics --alter --topic t1 --partitions 2
expect_rc topics.alter-partitions-shrink.rc 1
expect_match topics.alter-partitions-shrink.msg 'INVALID_PARTITIONS' "$ERR"

run S topics --alter --topic t1 --config cleanup.policy=compact
expect_rc topics.alter-config.rc 0
run S topics --describe --topic t1
expect_match topics.alter-config.keeps-others 'Configs: cleanup.policy=compact,retention.ms=3600000$' "$OUT"
run S topics --alter --topic t1 --delete-config retention.ms --config cleanup.policy=delete
expect_rc topics.delete-config.rc 0
run S topics --describe --topic t1
expect_match topics.delete-config.effect 'Configs: cleanup.policy=delete$' "$OUT"
run S topics --alter --topic t1 --config no.such.config=1
expect_rc topics.alter-bad-config.rc 1
expect_match topics.alter-bad-config.msg 'INVALID_CONFIG|INVALID_REQUEST|UNKNOWN' "$ERR"

run S topics --delete --topic t1
expect_out topics.delete 'Deleted topic t1.'
run S topics --list --exclude-internal
expect_out topics.list-after-delete 't2'
run S topics --describe --topic t1
expect_rc topics.describe-missing.rc 1
expect_match topics.describe-missing.msg 'UNKNOWN_TOPIC_OR_PART' "$ERR"
run S topics --delete --topic t1
expect_rc topics.delete-missing.rc 1
run S topics --delete --topic t1 --if-exists
expect_rc topics.delete-missing-if-exists.rc 0

# Does the broker advertise FindCoordinator (ApiKey 10)? Asked with a raw ApiVersions v0.
advertises_find_coordinator() {
    /usr/bin/python3 - "$HOST" "$PORT" "$(dirname "${BASH_SOURCE[0]}")" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
import kwire
c = kwire.Conn(sys.argv[1], int(sys.argv[2]))
c.send(kwire.api_versions_request(0, 1))
_, body = c.recv_frame()
err, apis = kwire.parse_api_versions(0, body)
sys.exit(0 if err == 0 and 10 in apis else 1)
PY
}

# ---- produce and consume, every codec ---------------------------------------------------

# the last line is long and repetitive so that every codec really shrinks the batch
LONG=$(printf 'abcd%.0s' $(seq 1 100))
LINES=$'k1:v1\nk2:hello world\nk3:tab\there\nk1:unicode caf\xc3\xa9 \xe2\x82\xac\nk4:\nk5:a:b:c\nk6:'$LONG
WANT_KV=$'k1\tv1\nk2\thello world\nk3\ttab\there\nk1\tunicode caf\xc3\xa9 \xe2\x82\xac\nk4\t\nk5\ta:b:c\nk6\t'$LONG
WANT_V=$'v1\nhello world\ntab\there\nunicode caf\xc3\xa9 \xe2\x82\xac\n\na:b:c\n'$LONG
for codec in none gzip snappy lz4 zstd; do
    T=c-$codec
    run S topics --create --topic "$T" --partitions 1
    expect_rc "produce.$codec.create" 0
    run_in "$LINES"$'\n' S produce --topic "$T" --key-separator : --compression "$codec"
    expect_out "produce.$codec.rc" ''
    run C --topic "$T" --from-beginning --max-messages 7 --print-key
    expect_out "consume.$codec.keys" "$WANT_KV"
    run C --topic "$T" --from-beginning --max-messages 7
    expect_out "consume.$codec.values" "$WANT_V"
    # batches are stored as the producer compressed them. librdkafka sends a batch
    # uncompressed when compression does not shrink it (a few tiny records) or when it thinks
    # the broker cannot take the codec; the batch holding the long line always shrinks.
    run "$CLI" dump-log "$DATA/$T-0/00000000000000000000.log"
    if [ "$codec" = lz4 ] && ! advertises_find_coordinator; then
        # librdkafka 2.0.2 enables LZ4 only when FindCoordinator is in ApiVersions, which
        # the broker serves with consumer groups (issue 3); until then the records arrive
        # (checked above) but uncompressed. Strict again by itself once groups land.
        echo "KNOWN GAP (issue 3): librdkafka 2.0.2 sends lz4 uncompressed without FindCoordinator"
        expect_match "dumplog.codec.$codec" " compresscodec: none crcValid: true\$" "$OUT"
    else
        expect_match "dumplog.codec.$codec" " compresscodec: $codec crcValid: true\$" "$OUT"
    fi
done

T=c-none
run C --topic $T --from-beginning --max-messages 2 --print-key --print-timestamp
expect_match consume.print-timestamp.format '^CreateTime:[0-9]{13}	k1	v1$' "$OUT"
run C --topic $T --from-beginning --max-messages 1 --print-key --key-separator ' | '
expect_out consume.key-separator 'k1 | v1'
run C --topic $T --partition 0 --offset 2 --max-messages 1 --print-offset --print-partition
expect_out consume.offset 'Partition:0	Offset:2	tab	here'
run C --topic $T --offset earliest --max-messages 1
expect_out consume.offset-earliest 'v1'
run S consume --topic $T --timeout-ms 1500
expect_out consume.default-latest-sees-nothing ''
expect_match consume.processed-count 'Processed a total of 0 messages' "$ERR"
run C --topic $T --from-beginning --max-messages 100 --timeout-ms 1500
if [[ $RC == 0 && $(wc -l <<<"$OUT") == 7 ]]; then pass consume.timeout-stops; else fail consume.timeout-stops "exit $RC" "$OUT"; fi

# headers, null-free keyless records, JSON
run S topics --create --topic hdr --partitions 1
run_in $'plain value\nsecond "quoted" \\ line\n' S produce --topic hdr --header app=cli --header trace=42 --acks 1
expect_out produce.headers.rc ''
run C --topic hdr --from-beginning --max-messages 2 --print-headers --print-key
expect_out consume.print-headers "$(printf 'app:cli,trace:42\tnull\tplain value\napp:cli,trace:42\tnull\tsecond "quoted" \\ line')"
run C --topic hdr --from-beginning --max-messages 2 --format json
JSON1=$(sed -n 1p <<<"$OUT" | sed -E 's/"timestamp":[0-9]+/"timestamp":T/')
expect_rc consume.json.rc 0
if [[ $JSON1 == '{"topic":"hdr","partition":0,"offset":0,"timestamp":T,"timestamp_type":"CreateTime","key":null,"value":"plain value","headers":[{"key":"app","value":"cli"},{"key":"trace","value":"42"}]}' ]]; then
    pass consume.json.exact
else
    fail consume.json.exact "$JSON1"
fi
if command -v /usr/bin/python3 >/dev/null &&
    /usr/bin/python3 -c 'import json,sys
rs=[json.loads(l) for l in sys.stdin]
assert rs[1]["value"]=="second \"quoted\" \\ line", rs[1]
assert rs[1]["offset"]==1 and rs[1]["headers"][1]=={"key":"trace","value":"42"}' <<<"$OUT"; then
    pass consume.json.parses
else
    fail consume.json.parses "$OUT"
fi

# several partitions: keys spread, all records come back, --partition reads one
run S topics --create --topic multi --partitions 3
INPUT=$(for i in $(seq 1 30); do echo "key$i,value$i"; done)
run_in "$INPUT"$'\n' S produce --topic multi --key-separator , --compression lz4
expect_out produce.multi.rc ''
run C --topic multi --from-beginning --max-messages 30 --print-key --key-separator ,
if [[ $(sort <<<"$OUT") == $(sort <<<"$INPUT") ]]; then pass consume.multi.all; else fail consume.multi.all "$OUT"; fi
run S topics --describe --topic multi
HW_SUM=$(grep -oE 'HighWatermark: [0-9]+' <<<"$OUT" | awk '{s += $2} END {print s}')
if [[ $HW_SUM == 30 ]]; then pass topics.describe.watermarks; else fail topics.describe.watermarks "$OUT"; fi
P1=$(grep -E '	Partition: 1	' <<<"$OUT" | grep -oE 'HighWatermark: [0-9]+' | awk '{print $2}')
run C --topic multi --partition 1 --from-beginning --timeout-ms 2000 --print-partition
if [[ $RC == 0 && $(grep -c . <<<"$OUT" || true) == "$P1" && $(grep -vc '^Partition:1	' <<<"$OUT" || true) == 0 ]]; then
    pass consume.one-partition
else
    fail consume.one-partition "want $P1 records of partition 1" "$OUT"
fi
run_in $'to partition 2\n' S produce --topic multi --partition 2
run C --topic multi --partition 2 --from-beginning --print-partition --max-messages 100 --timeout-ms 1500
expect_match produce.explicit-partition '^Partition:2	to partition 2$' "$OUT"

# a line without the key separator is reported, the others still go out
run_in $'a=1\nno separator\nb=2\n' S produce --topic c-none --key-separator =
expect_rc produce.missing-separator.rc 1
expect_match produce.missing-separator.msg 'line 2: no key separator' "$ERR"
run C --topic c-none --partition 0 --offset 7 --max-messages 2 --print-key
expect_out produce.missing-separator.others-sent $'a\t1\nb\t2'

# ---- dump-log on the server's own segments ----------------------------------------------

SEG=$DATA/c-none-0/00000000000000000000.log
if [[ -f $SEG ]]; then pass dumplog.segment-exists; else fail dumplog.segment-exists "$(ls -R "$DATA" | head -30)"; fi
run "$CLI" dump-log "$SEG"
expect_rc dumplog.rc 0
expect_match dumplog.first-batch '^baseOffset: 0 lastOffset: [0-9]+ count: [0-9]+ .* position: 0 .*compresscodec: none crcValid: true$' "$OUT"
expect_match dumplog.summary '^Summary: [0-9]+ batches, 9 records, offsets 0\.\.8, [0-9]+ bytes, 0 bad CRC, 0 with unreadable records$' "$OUT"
run "$CLI" dump-log "$SEG" --print-data
expect_match dumplog.print-data '^\| offset: 2 CreateTime: [0-9]+ keySize: 2 valueSize: 8 .* key: k3 payload: tab\\there$' "$OUT"
run "$CLI" dump-log "$DATA/c-zstd-0/00000000000000000000.log" --deep
expect_match dumplog.deep '^\| offset: 5 CreateTime: [0-9]+ keySize: 2 valueSize: 5 ' "$OUT"
SIZE=$(stat -c %s "$SEG")
head -c $((SIZE - 7)) "$SEG" >"$WORK/00000000000000000000.log"
run "$CLI" dump-log "$WORK/00000000000000000000.log"
expect_rc dumplog.torn.rc 1
expect_match dumplog.torn.reported '^Torn tail at position [0-9]+: ' "$OUT"
expect_match dumplog.torn.earlier-batches '^baseOffset: 0 lastOffset: [0-9]+ ' "$OUT"
cp "$SEG" "$WORK/flip.log"
printf '\x5a' | dd of="$WORK/flip.log" bs=1 seek=70 conv=notrunc 2>/dev/null
run "$CLI" dump-log "$WORK/flip.log"
expect_rc dumplog.bad-crc.rc 1
expect_match dumplog.bad-crc.reported 'crcValid: false' "$OUT"
run "$CLI" dump-log "$WORK/does-not-exist.log"
expect_rc dumplog.missing-file.rc 1

# ---- errors -----------------------------------------------------------------------------

run S consume --topic no-such-topic --from-beginning --timeout-ms 3000
expect_rc error.consume-missing-topic.rc 1
expect_match error.consume-missing-topic.msg 'UNKNOWN_TOPIC_OR_PART' "$ERR"
# consume --group is covered by test_groups_cli.sh.
run S consume --topic c-none --partition 7 --from-beginning
expect_rc error.consume-bad-partition.rc 1
run_in $'x\n' "$CLI" --bootstrap-server "$BS" --request-timeout-ms 3000 produce --topic no-such-topic
expect_rc error.produce-missing-topic.rc 1
expect_match error.produce-missing-topic.msg 'UNKNOWN_TOPIC|MSG_TIMED_OUT|records failed' "$ERR"
run S topics --list --bootstrap-server 127.0.0.1:1 --request-timeout-ms 2000
expect_rc error.unreachable-broker.rc 1

if (( FAILED > 0 )); then show_server_log; fi
SUMMARY_DONE=1
echo "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
