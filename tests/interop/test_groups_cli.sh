#!/usr/bin/env bash
# test_groups_cli.sh — `sluice groups` and `sluice consume --group` against a running server.
#
# usage: tests/interop/test_groups_cli.sh BUILD_DIR
#   uses BUILD_DIR/server/sluice-server and BUILD_DIR/clients/sluice
#
# Checks: consume --group commits what it printed; --describe shows committed offset, log-end
# offset and the right lag while no consumer runs, and members/assignments while one does;
# --reset-offsets (--to-earliest/--to-offset/--shift-by/--to-latest/--to-datetime, --dry-run
# and --execute) changes what a restarted consumer reads next; a reset or delete of an active
# group is refused clearly; --list, --delete, --delete-offsets; usage errors.
# Each check prints PASS/FAIL; the last line is "N passed, M failed"; exit 0 only if all passed.
set -euo pipefail

BUILD=${1:?usage: test_groups_cli.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SERVER=$BUILD/server/sluice-server
CLI=$BUILD/clients/sluice
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -x $SERVER ]] || { echo "test_groups_cli: no server at $SERVER" >&2; exit 1; }
[[ -x $CLI ]] || { echo "test_groups_cli: no CLI at $CLI" >&2; exit 1; }

WORK=$(mktemp -d)
DATA=$WORK/data
mkdir -p "$DATA"
SPID=
BGPID=
PASSED=0
FAILED=0
SUMMARY_DONE=
T0=$SECONDS

show_server_log() {
    echo "--- last lines of the server's stderr ---" >&2
    tail -n 40 "$WORK/server.err" >&2 2>/dev/null || true
}

stop_pid() { # stop_pid PID: SIGTERM, wait up to 10 s, then SIGKILL
    local pid=$1
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    stop_pid "$BGPID"
    stop_pid "$SPID"
    if [[ -z $SUMMARY_DONE ]] && ((rc != 0)); then show_server_log; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL $1"
    shift
    local line
    for line in "$@"; do printf '     %s\n' "$line"; done
}
run() {
    RC=0
    "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?
    OUT=$(cat "$WORK/out")
    ERR=$(cat "$WORK/err")
}
run_in() {
    local input=$1
    shift
    RC=0
    printf '%s' "$input" | "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?
    OUT=$(cat "$WORK/out")
    ERR=$(cat "$WORK/err")
}
expect_rc() {
    if [[ $RC == "$2" ]]; then pass "$1"; else fail "$1" "exit $RC, want $2" "stdout: $OUT" "stderr: $ERR"; fi
}
expect_eq() { # NAME WANT GOT
    if [[ $3 == "$2" ]]; then pass "$1"; else fail "$1" "want: $(printf '%q' "$2")" "got:  $(printf '%q' "$3")" "(exit $RC, stderr: $ERR)"; fi
}
expect_match() {
    if grep -Eq -- "$2" <<<"$3"; then pass "$1"; else fail "$1" "no match for /$2/ in:" "$3" "(exit $RC, stderr: $ERR)"; fi
}
expect_nomatch() {
    if grep -Eq -- "$2" <<<"$3"; then fail "$1" "unexpected match for /$2/ in:" "$3"; else pass "$1"; fi
}

# ---- server -----------------------------------------------------------------------------
/usr/bin/python3 "$HERE/harness.py" exec-pdeathsig "$SERVER" --data-dir "$DATA" --kafka-port 0 \
    --no-registry --no-sql --set auto.create.topics.enable=false \
    --set group.initial.rebalance.delay.ms=0 >"$WORK/server.out" 2>"$WORK/server.err" &
SPID=$!
PORT=
for _ in $(seq 150); do
    if line=$(grep -E -m1 'broker listening on (\S+):([0-9]+)' "$WORK/server.out" 2>/dev/null); then
        PORT=$(sed -E 's/.*broker listening on (\S+):([0-9]+).*/\2/' <<<"$line")
        break
    fi
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
done
[[ -n $PORT ]] || { echo "test_groups_cli: the server did not report its port" >&2; cat "$WORK/server.err" >&2; exit 1; }
BS=127.0.0.1:$PORT
echo "server pid $SPID on $BS"

S() { "$CLI" --bootstrap-server "$BS" --request-timeout-ms 10000 "$@"; }
# a group consumer that never waits more than 10 s for a missing record; librdkafka settings
# that keep joins quick
GC() {
    S consume --timeout-ms 10000 --property session.timeout.ms=6000 \
        --property heartbeat.interval.ms=1000 "$@"
}
# the offsets row of TOPIC PARTITION in a --describe output: "CURRENT LOG-END LAG CONSUMER"
row() { awk -v t="$2" -v p="$3" '$2==t && $3==p && NF>=9 {print $4, $5, $6, $7}' <<<"$1"; }
# the NEW-OFFSET of TOPIC PARTITION in a --reset-offsets output
newoff() { awk -v t="$2" -v p="$3" '$2==t && $3==p && NF==4 {print $4}' <<<"$1"; }

# ---- command line -----------------------------------------------------------------------
run "$CLI" groups --help
expect_match help.groups '^usage: sluice groups --list' "$OUT"
expect_match help.groups.reset 'to-datetime' "$OUT"
run "$CLI" --help
expect_match help.lists-groups '^  groups ' "$OUT"
run "$CLI" groups --describe
expect_rc usage.describe-needs-group 2
run "$CLI" groups --list --describe
expect_rc usage.one-action 2
run "$CLI" groups --reset-offsets --group g --topic t
expect_rc usage.reset-needs-scenario 2
run "$CLI" groups --reset-offsets --group g --to-earliest
expect_rc usage.reset-needs-topic 2
run "$CLI" groups --reset-offsets --group g --topic t --to-earliest --to-latest
expect_rc usage.reset-one-scenario 2
run "$CLI" groups --reset-offsets --group g --topic t --to-datetime yesterday
expect_rc usage.reset-bad-datetime 2
run "$CLI" groups --reset-offsets --group g --topic t --to-earliest --dry-run --execute
expect_rc usage.dry-run-and-execute 2
run "$CLI" consume --topic t --group g --partition 0
expect_rc usage.consume-group-and-partition 2

# ---- a group consumes, stops; lag ---------------------------------------------------------
run S topics --create --topic gt --partitions 3
expect_rc setup.create 0
for p in 0 1 2; do
    run_in "$(printf "p$p-v%s\n" $(seq 0 9))"$'\n' S produce --topic gt --partition $p
    expect_rc "setup.produce.p$p" 0
done

run GC --topic gt --group g1 --from-beginning --max-messages 30 --print-partition --print-offset
expect_rc consume.group.rc 0
expect_eq consume.group.count 30 "$(grep -c 'Partition:' <<<"$OUT" || true)"
expect_eq consume.group.distinct 30 "$(sort -u <<<"$OUT" | grep -c 'Partition:' || true)"

# 5 more records on p0, 3 on p1 while nobody consumes
run_in $'n0\nn1\nn2\nn3\nn4\n' S produce --topic gt --partition 0
run_in $'m0\nm1\nm2\n' S produce --topic gt --partition 1
run S groups --describe --group g1
expect_rc describe.stopped.rc 0
DESC=$OUT
expect_match describe.stopped.no-members "Consumer group 'g1' has no active members." "$DESC"
expect_match describe.stopped.state '^g1 +.* Empty +0$' "$DESC"
expect_match describe.header '^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$' "$DESC"
expect_eq describe.stopped.p0 "10 15 5 -" "$(row "$DESC" gt 0)"
expect_eq describe.stopped.p1 "10 13 3 -" "$(row "$DESC" gt 1)"
expect_eq describe.stopped.p2 "10 10 0 -" "$(row "$DESC" gt 2)"
run S groups --describe --group g1 --offsets
expect_nomatch describe.offsets-only 'COORDINATOR' "$OUT"
run S groups --list
expect_match list.g1 '^g1$' "$OUT"
run S groups --list --state
expect_match list.state '^g1 +Empty$' "$OUT"
run S groups --describe --group no-such-group
expect_rc describe.missing.rc 1
expect_match describe.missing.msg "does not exist" "$ERR"

# ---- an active member ----------------------------------------------------------------------
# the CLI itself in the background (not through a function: $! must be its pid)
"$CLI" --bootstrap-server "$BS" consume --topic gt --group g1 --timeout-ms 60000 \
    --property session.timeout.ms=6000 --property heartbeat.interval.ms=1000 \
    --property client.id=cli-bg >"$WORK/bg.out" 2>"$WORK/bg.err" &
BGPID=$!
STATE=
for _ in $(seq 100); do
    run S groups --describe --group g1
    if grep -Eq '^g1 +.* Stable +1$' <<<"$OUT" && [[ $(wc -l <"$WORK/bg.out") -ge 8 ]]; then STATE=ok; break; fi
    sleep 0.2
done
expect_eq active.stable-and-caught-up ok "$STATE"
sleep 1.5 # one auto-commit interval
run S groups --describe --group g1
DESC=$OUT
expect_match active.members-header '^GROUP +CONSUMER-ID +GROUP-INSTANCE-ID +HOST +CLIENT-ID +#PARTITIONS +ASSIGNMENT$' "$DESC"
expect_match active.member-row '^g1 +\S+ +- +\S+ +cli-bg +3 +gt\(0,1,2\)$' "$DESC"
expect_match active.p0-owned '^g1 +gt +0 +15 +15 +0 +\S+ +\S+ +cli-bg$' "$DESC"
expect_eq active.bg-read-the-8-new "$(printf 'n0\nn1\nn2\nn3\nn4\nm0\nm1\nm2' | sort)" "$(sort "$WORK/bg.out")"

run S groups --reset-offsets --group g1 --topic gt --to-earliest --execute
expect_rc reset.active.refused.rc 1
expect_match reset.active.refused.msg "Assignments can only be reset if the group 'g1' is inactive, but the current state is Stable\." "$ERR"
run S groups --delete --group g1
expect_rc delete.active.refused.rc 1
expect_match delete.active.refused.msg 'NON_EMPTY_GROUP' "$ERR"

stop_pid "$BGPID"
BGPID=
run S groups --describe --group g1
DESC=$OUT
expect_match after-leave.empty '^g1 +.* Empty +0$' "$DESC"
expect_eq after-leave.p0 "15 15 0 -" "$(row "$DESC" gt 0)"
expect_eq after-leave.p1 "13 13 0 -" "$(row "$DESC" gt 1)"

# ---- reset ---------------------------------------------------------------------------------
run S groups --reset-offsets --group g1 --topic gt --to-earliest --dry-run
expect_rc reset.dry-run.rc 0
expect_match reset.dry-run.header '^GROUP +TOPIC +PARTITION +NEW-OFFSET$' "$OUT"
expect_eq reset.dry-run.table "0 0 0" "$(newoff "$OUT" gt 0) $(newoff "$OUT" gt 1) $(newoff "$OUT" gt 2)"
run S groups --describe --group g1
expect_eq reset.dry-run.changed-nothing "15 15 0 -" "$(row "$OUT" gt 0)"
run S groups --reset-offsets --group g1 --topic gt --to-earliest
expect_match reset.default-is-dry-run 'No action will be performed' "$ERR"
run S groups --describe --group g1
expect_eq reset.default-changed-nothing "15 15 0 -" "$(row "$OUT" gt 0)"

run S groups --reset-offsets --group g1 --topic gt --to-earliest --execute
expect_rc reset.earliest.rc 0
expect_eq reset.earliest.table "0 0 0" "$(newoff "$OUT" gt 0) $(newoff "$OUT" gt 1) $(newoff "$OUT" gt 2)"
run S groups --describe --group g1
expect_eq reset.earliest.lag "0 15 15 -" "$(row "$OUT" gt 0)"
run GC --topic gt --group g1 --max-messages 38 --print-partition --print-offset
expect_eq reset.earliest.reread-all 38 "$(grep -c 'Partition:' <<<"$OUT" || true)"
expect_eq reset.earliest.from-zero "Offset:0" "$(grep -m1 '^Partition:0' <<<"$OUT" | cut -f2)"

run S groups --reset-offsets --group g1 --topic gt:0 --to-offset 12 --execute
expect_eq reset.to-offset.only-p0 "12||" "$(newoff "$OUT" gt 0)|$(newoff "$OUT" gt 1)|$(newoff "$OUT" gt 2)"
run GC --topic gt --group g1 --max-messages 3 --print-partition --print-offset
expect_eq reset.to-offset.next-read "$(printf 'Partition:0\tOffset:12\tn2\nPartition:0\tOffset:13\tn3\nPartition:0\tOffset:14\tn4')" "$OUT"

run S groups --reset-offsets --group g1 --topic gt:1 --shift-by -2 --execute
expect_eq reset.shift-by.p1 11 "$(newoff "$OUT" gt 1)"
run GC --topic gt --group g1 --max-messages 2 --print-partition --print-offset
expect_eq reset.shift-by.next-read "$(printf 'Partition:1\tOffset:11\tm1\nPartition:1\tOffset:12\tm2')" "$OUT"

run S groups --reset-offsets --group g1 --topic gt:2 --to-offset 100 --execute
expect_eq reset.to-offset.clamped 10 "$(newoff "$OUT" gt 2)"
expect_match reset.to-offset.clamp-warning 'higher than the latest' "$ERR"
run S groups --reset-offsets --group g1 --topic gt:2 --to-earliest --execute
run S groups --reset-offsets --group g1 --topic gt:2 --to-latest --execute
expect_eq reset.to-latest 10 "$(newoff "$OUT" gt 2)"

# --to-datetime: two batches on p2 with a known instant between them
run_in $'d0\nd1\nd2\nd3\n' S produce --topic gt --partition 2
sleep 1.1
DT=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
sleep 0.3
run_in $'e0\ne1\n' S produce --topic gt --partition 2
run S groups --reset-offsets --group g1 --topic gt:2 --to-datetime "$DT" --execute
expect_eq reset.to-datetime.offset 14 "$(newoff "$OUT" gt 2)"
run GC --topic gt --group g1 --max-messages 2
expect_eq reset.to-datetime.next-read $'e0\ne1' "$OUT"
run S groups --reset-offsets --group g1 --topic gt:2 --to-datetime 2099-01-01T00:00:00.000Z --dry-run
expect_eq reset.to-datetime.future-is-end 16 "$(newoff "$OUT" gt 2)"

# ---- delete-offsets, delete ---------------------------------------------------------------
run S groups --delete-offsets --group g1 --topic gt:1
expect_rc delete-offsets.rc 0
expect_match delete-offsets.status '^gt +1 +Successful$' "$OUT"
run S groups --describe --group g1
expect_eq delete-offsets.p1-gone "" "$(row "$OUT" gt 1)"
expect_eq delete-offsets.p0-kept "15 15 0 -" "$(row "$OUT" gt 0)"

run S groups --delete --group g1
expect_rc delete.rc 0
expect_eq delete.msg "Deletion of requested consumer groups ('g1') was successful." "$OUT"
run S groups --list
expect_nomatch delete.gone-from-list '^g1$' "$OUT"
run S groups --describe --group g1
expect_rc delete.describe-after.rc 1

# a reset of a group that does not exist creates its offsets (Kafka does the same)
run S groups --reset-offsets --group g-new --topic gt --to-offset 1 --execute
expect_rc reset.new-group.rc 0
run GC --topic gt --group g-new --max-messages 1 --print-partition --print-offset
expect_match reset.new-group.reads-from-1 $'^Partition:[0-2]\tOffset:1\t' "$OUT"

if ((FAILED > 0)); then show_server_log; fi
SUMMARY_DONE=1
echo "test_groups_cli: $((SECONDS - T0)) s"
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
