#!/usr/bin/env bash
# test_schema_cli.sh — end-to-end test of `sluice schema` against a running sluice-server with its
# Schema Registry door.
#
# usage: tests/interop/test_schema_cli.sh BUILD_DIR
#   uses BUILD_DIR/server/sluice-server and BUILD_DIR/clients/sluice
#
# Starts a private server (temp data dir, free Kafka and registry ports), drives every
# `sluice schema` subcommand through it and compares exact outputs and exit statuses: register
# (file, stdin, inline, with a schema reference; same schema -> same id), get by id and by
# subject/version, list,
# versions, check (compatible, incompatible, --verbose reasons), delete (soft, permanent),
# config and mode (global and per subject), --json, and the error paths (the registry's
# error_code on stderr with exit 1, usage errors with exit 2, an unreachable registry).
# Each check prints PASS/FAIL; the last line is "N passed, M failed". Exit status 0 only if
# every check passed. The server is killed on exit (trap).
set -euo pipefail

BUILD=${1:?usage: test_schema_cli.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SERVER=$BUILD/server/sluice-server
CLI=$BUILD/clients/sluice
[[ -x $SERVER ]] || { echo "test_schema_cli: no server at $SERVER" >&2; exit 1; }
[[ -x $CLI ]] || { echo "test_schema_cli: no CLI at $CLI" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)

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
    if [[ -z $SUMMARY_DONE ]] && (( rc != 0 )); then show_server_log; fi
    rm -rf "$WORK" "$DATA"
}
trap cleanup EXIT

# ---- check helpers (as in test_cli.sh) ----------------------------------------------------

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

expect_rc() {
    if [[ $RC == "$2" ]]; then pass "$1"; else fail "$1" "exit $RC, want $2" "stdout: $OUT" "stderr: $ERR"; fi
}

# expect_out NAME WANT : the last run exited 0 and printed exactly WANT
expect_out() {
    if [[ $RC == 0 && $OUT == "$2" ]]; then
        pass "$1"
    else
        fail "$1" "exit $RC" "want: $(printf '%q' "$2")" "got:  $(printf '%q' "$OUT")" "stderr: $ERR"
    fi
}

# expect_fail NAME REGEX : the last run exited 1 and its stderr matches REGEX
expect_fail() {
    if [[ $RC == 1 ]] && grep -Eq -- "$2" <<<"$ERR"; then
        pass "$1"
    else
        fail "$1" "exit $RC (want 1), stderr should match /$2/" "stderr: $ERR" "stdout: $OUT"
    fi
}

expect_match() {
    if grep -Eq -- "$2" <<<"$3"; then pass "$1"; else fail "$1" "no match for /$2/ in:" "$3" "(exit $RC, stderr: $ERR)"; fi
}

expect_nomatch() {
    if grep -Eq -- "$2" <<<"$3"; then fail "$1" "unexpected match for /$2/ in:" "$3"; else pass "$1"; fi
}

# json_get KEY : prints OUT's top-level KEY (OUT must be one JSON document)
json_get() { /usr/bin/python3 -c 'import json,sys; v=json.loads(sys.stdin.read())[sys.argv[1]]; print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1" <<<"$OUT"; }

# ---- start the server -------------------------------------------------------------------

/usr/bin/python3 "$HERE/harness.py" exec-pdeathsig "$SERVER" --data-dir "$DATA" --kafka-port 0 \
    --registry-port 0 --no-sql >"$WORK/server.out" 2>"$WORK/server.err" &
SPID=$!

RPORT=
for _ in $(seq 200); do
    if line=$(grep -E -m1 'schema registry listening on (\S+):([0-9]+)' "$WORK/server.out" 2>/dev/null); then
        RPORT=$(sed -E 's/.*schema registry listening on (\S+):([0-9]+).*/\2/' <<<"$line")
        RHOST=$(sed -E 's/.*schema registry listening on (\S+):([0-9]+).*/\1/' <<<"$line")
        break
    fi
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
done
if [[ -z $RPORT ]]; then
    echo "test_schema_cli: the server did not report its registry port" >&2
    cat "$WORK/server.out" "$WORK/server.err" >&2 || true
    exit 1
fi
case $RHOST in 0.0.0.0 | '::' | '[::]' | '') RHOST=127.0.0.1 ;; esac
URL=http://$RHOST:$RPORT
echo "server pid $SPID, registry at $URL, data in $DATA"

SC() { "$CLI" schema "$1" --registry-url "$URL" --request-timeout-ms 10000 "${@:2}"; }

# ---- schemas ------------------------------------------------------------------------------

cat >"$WORK/v1.avsc" <<'EOF'
{
  "type": "record",
  "name": "Trade",
  "namespace": "sluice.cli",
  "fields": [
    {"name": "sym", "type": "string"},
    {"name": "qty", "type": "long"}
  ]
}
EOF
V1_COMPACT='{"type":"record","name":"Trade","namespace":"sluice.cli","fields":[{"name":"sym","type":"string"},{"name":"qty","type":"long"}]}'
V2='{"type":"record","name":"Trade","namespace":"sluice.cli","fields":[{"name":"sym","type":"string"},{"name":"qty","type":"long"},{"name":"venue","type":["null","string"],"default":null}]}'
BAD='{"type":"record","name":"Trade","namespace":"sluice.cli","fields":[{"name":"sym","type":"string"},{"name":"qty","type":"long"},{"name":"trader","type":"string"}]}'
cat >"$WORK/quote.json" <<'EOF'
{"$schema": "http://json-schema.org/draft-07/schema#", "title": "Quote", "type": "object",
 "properties": {"sym": {"type": "string"}, "px": {"type": "number"}}, "required": ["sym"]}
EOF

# ---- command line -----------------------------------------------------------------------

run "$CLI" --help
expect_match help.lists-schema '^  schema ' "$OUT"
run "$CLI" schema --help
expect_match help.schema '^usage: sluice schema <subcommand>' "$OUT"
for sub in register get list versions check delete config mode; do
    run "$CLI" schema "$sub" --help
    if [[ $RC == 0 ]] && grep -q "^usage: sluice schema $sub" <<<"$OUT"; then pass "help.$sub"; else fail "help.$sub" "exit $RC" "$OUT"; fi
done
run "$CLI" help schema
expect_match help.via-help-command '^usage: sluice schema' "$OUT"
run "$CLI" schema
expect_rc usage.no-subcommand 2
run "$CLI" schema frobnicate
expect_rc usage.unknown-subcommand 2
run "$CLI" schema register --schema '"string"'
expect_rc usage.register-needs-subject 2
run "$CLI" schema register --subject s
expect_rc usage.register-needs-schema 2
run "$CLI" schema register --subject s --schema x --file "$WORK/v1.avsc"
expect_rc usage.file-and-schema 2
run "$CLI" schema list --subject s
expect_rc usage.option-of-other-subcommand 2
expect_match usage.option-of-other-subcommand.msg 'does not go with schema list' "$ERR"
run "$CLI" schema get --id 1 --subject s
expect_rc usage.get-id-and-subject 2
run "$CLI" schema get --subject s --version 0
expect_rc usage.bad-version 2
run "$CLI" schema register --subject s --schema x --type XML
expect_rc usage.bad-type 2
run "$CLI" schema register --subject s --schema x --reference nocolon=subj
expect_rc usage.bad-reference 2
run "$CLI" schema list --registry-url localhost:8081
expect_rc usage.url-without-scheme 2
run "$CLI" schema list --registry-url http://127.0.0.1:1 --request-timeout-ms 3000
expect_fail error.unreachable 'cannot reach the schema registry at http://127.0.0.1:1'

# ---- register / get ---------------------------------------------------------------------

run SC list
expect_out list.empty ''
run SC register --subject trades-value --file "$WORK/v1.avsc"
expect_match register.file-prints-id '^[0-9]+$' "$OUT"
ID1=$OUT
run SC register --subject trades-value --file "$WORK/v1.avsc"
expect_out register.again-same-id "$ID1"
run_in "$(cat "$WORK/v1.avsc")" SC register --subject trades-value --file -
expect_out register.stdin-same-id "$ID1"
run SC register --subject trades-value --schema "$V1_COMPACT"
expect_out register.other-whitespace-same-id "$ID1"
run SC register --subject 'odd subject/with:chars' --schema "$V1_COMPACT"
expect_out register.other-subject-same-id "$ID1"
run SC register --subject trades-value --file "$WORK/v1.avsc" --json
expect_match register.json "\"id\" *: *$ID1" "$OUT"

run SC get --id "$ID1"
expect_out get.id-prints-registered-text "$(cat "$WORK/v1.avsc")"
run SC get --subject trades-value
expect_out get.subject-latest "$(cat "$WORK/v1.avsc")"
run SC get --subject trades-value --version 1
expect_out get.subject-version-1 "$(cat "$WORK/v1.avsc")"
run SC get --subject trades-value --version latest --json
if [[ $RC == 0 && $(json_get id) == "$ID1" && $(json_get version) == 1 && $(json_get subject) == trades-value ]]; then
    pass get.json-has-id-version-subject
else
    fail get.json-has-id-version-subject "exit $RC" "$OUT" "$ERR"
fi
run SC get --subject 'odd subject/with:chars'
expect_out get.odd-subject "$(cat "$WORK/v1.avsc")"
run SC get --subject no-such-subject
expect_fail error.get-unknown-subject '^sluice schema get: error: 40401: .*\(HTTP 404\)$'
run SC get --subject trades-value --version 7
expect_fail error.get-unknown-version 'error: 40402: .*\(HTTP 404\)'
run SC get --id 987654
expect_fail error.get-unknown-id 'error: 40403: .*\(HTTP 404\)'
run SC register --subject bad-value --schema '{"type":"record","name":"X","fields":[{"name":"a","type":"strin"}]}'
expect_fail error.register-invalid-schema 'error: 42201: .*\(HTTP 422\)'
run SC register --subject bad-value --file "$WORK/no-such-file.avsc"
expect_fail error.register-missing-file 'cannot open'

# JSON Schema
run SC register --subject quotes-value --type JSON --file "$WORK/quote.json"
expect_match register.json-schema '^[0-9]+$' "$OUT"
QID=$OUT
if [[ $QID != "$ID1" ]]; then pass register.json-schema-new-id; else fail register.json-schema-new-id "$QID"; fi
run SC get --id "$QID" --json
if [[ $RC == 0 && $(json_get schemaType) == JSON ]]; then pass get.json-schema-type; else fail get.json-schema-type "$OUT" "$ERR"; fi
run SC get --id "$QID"
expect_out get.json-schema-text "$(cat "$WORK/quote.json")"

# Avro schema references: a named type defined in another subject's schema
run SC register --subject refs-address --schema '{"type":"record","name":"Address","namespace":"sluice.cli","fields":[{"name":"street","type":"string"}]}'
expect_match register.referenced '^[0-9]+$' "$OUT"
run SC register --subject refs-customer --schema '{"type":"record","name":"Customer","namespace":"sluice.cli","fields":[{"name":"name","type":"string"},{"name":"home","type":"sluice.cli.Address"}]}' \
    --reference sluice.cli.Address=refs-address:1
expect_match register.with-reference '^[0-9]+$' "$OUT"
run SC get --subject refs-customer --json
if [[ $RC == 0 && $(json_get references) == '[{"name": "sluice.cli.Address", "subject": "refs-address", "version": 1}]' ]]; then
    pass get.json-shows-references
else
    fail get.json-shows-references "$OUT" "$ERR"
fi
run SC register --subject refs-broken --schema '{"type":"record","name":"Customer2","namespace":"sluice.cli","fields":[{"name":"home","type":"sluice.cli.Address"}]}'
expect_fail register.unresolved-type-without-reference 'error: 42201: '
run SC delete --subject refs-customer
run SC delete --subject refs-customer --permanent
run SC delete --subject refs-address
run SC delete --subject refs-address --permanent
expect_out delete.referenced-subject-after-referrer-gone '1'

# ---- list / versions ----------------------------------------------------------------------

run SC list
expect_out list.sorted $'odd subject/with:chars\nquotes-value\ntrades-value'
run SC list --prefix tr
expect_out list.prefix 'trades-value'
run SC list --json
expect_match list.json '^\[.*"trades-value".*\]$' "$OUT"
run SC versions --subject trades-value
expect_out versions.one '1'

# ---- check / evolution --------------------------------------------------------------------

run SC check --subject trades-value --schema "$V2"
expect_out check.compatible 'compatible'
run SC check --subject trades-value --schema "$BAD"
if [[ $RC == 1 && $OUT == incompatible ]]; then pass check.incompatible-exit-1; else fail check.incompatible-exit-1 "exit $RC" "$OUT" "$ERR"; fi
run SC check --subject trades-value --schema "$BAD" --verbose
if [[ $RC == 1 && $(head -n1 <<<"$OUT") == incompatible && $(wc -l <<<"$OUT") -ge 2 ]]; then
    pass check.verbose-reasons
else
    fail check.verbose-reasons "exit $RC" "$OUT" "$ERR"
fi
expect_match check.verbose-names-field 'trader' "$OUT"
run SC check --subject trades-value --schema "$V2" --version 1
expect_out check.against-version 'compatible'
run SC check --subject trades-value --schema "$BAD" --json
if [[ $RC == 1 && $(json_get is_compatible) == False ]]; then pass check.json; else fail check.json "exit $RC" "$OUT"; fi
run SC register --subject trades-value --schema "$BAD"
expect_fail register.incompatible-409 'error: 409: .*\(HTTP 409\)'
run SC register --subject trades-value --schema "$V2"
expect_match register.v2 '^[0-9]+$' "$OUT"
ID2=$OUT
if [[ $ID2 != "$ID1" ]]; then pass register.v2-new-id; else fail register.v2-new-id "$ID2"; fi
run SC versions --subject trades-value
expect_out versions.two $'1\n2'
run SC get --subject trades-value
expect_out get.latest-is-v2 "$V2"

# ---- config -------------------------------------------------------------------------------

run SC config
expect_out config.global-default 'BACKWARD'
run SC config --subject trades-value
expect_fail config.subject-unset-40408 'error: 40408: '
run SC config --subject trades-value --default-to-global
expect_out config.default-to-global 'BACKWARD'
run SC config --subject trades-value --set none
expect_out config.set-subject 'NONE'
run SC config --subject trades-value
expect_out config.subject-readback 'NONE'
run SC config
expect_out config.global-unchanged 'BACKWARD'
run SC check --subject trades-value --schema "$BAD"
expect_out config.none-makes-compatible 'compatible'
run SC config --subject trades-value --delete
expect_out config.delete-prints-old 'NONE'
run SC config --subject trades-value
expect_fail config.deleted-40408 'error: 40408: '
run SC config --set FULL_TRANSITIVE
expect_out config.set-global 'FULL_TRANSITIVE'
run SC config
expect_out config.global-readback 'FULL_TRANSITIVE'
run SC config --set BACKWARD
expect_out config.global-back 'BACKWARD'
run SC config --set SIDEWAYS
expect_fail config.bad-level-42203 'error: 42203: '
run SC config --json
if [[ $RC == 0 && $(json_get compatibilityLevel) == BACKWARD ]]; then pass config.json; else fail config.json "$OUT" "$ERR"; fi

# ---- mode ---------------------------------------------------------------------------------

run SC mode
expect_out mode.global-default 'READWRITE'
run SC mode --subject trades-value --set readonly
expect_out mode.set-subject 'READONLY'
run SC mode --subject trades-value
expect_out mode.subject-readback 'READONLY'
run SC register --subject trades-value --schema '{"type":"record","name":"Trade","namespace":"sluice.cli","fields":[{"name":"sym","type":"string"},{"name":"qty","type":"long"},{"name":"x","type":"int","default":0}]}'
expect_fail mode.readonly-refuses-register 'error: 42205: '
run SC mode --subject trades-value --delete
expect_out mode.delete-prints-old 'READONLY'
run SC mode --set BOGUS
expect_fail mode.bad-mode '^sluice schema mode: error: 42204: '
run SC mode
expect_out mode.global-still-readwrite 'READWRITE'

# ---- delete -------------------------------------------------------------------------------

run SC delete --subject trades-value --version 2
expect_out delete.version '2'
run SC versions --subject trades-value
expect_out delete.version-gone '1'
run SC versions --subject trades-value --deleted
expect_out delete.version-listed-with-deleted $'1\n2'
run SC delete --subject trades-value --permanent
expect_fail delete.permanent-needs-soft-first 'error: 40405: '
run SC delete --subject trades-value
expect_out delete.subject-soft '1'
run SC list
expect_out delete.subject-not-listed $'odd subject/with:chars\nquotes-value'
run SC list --deleted
expect_out delete.listed-with-deleted $'odd subject/with:chars\nquotes-value\ntrades-value'
run SC get --id "$ID2"
expect_out delete.soft-still-by-id "$V2"
run SC get --subject trades-value
expect_fail delete.soft-subject-404 'error: 4040[14]: '
run SC delete --subject trades-value --permanent
expect_out delete.subject-permanent $'1\n2'
run SC list --deleted
expect_out delete.permanent-gone $'odd subject/with:chars\nquotes-value'
run SC delete --subject no-such-subject
expect_fail delete.unknown-subject 'error: 40401: '
run SC register --subject trades-value --schema "$BAD"
expect_match delete.new-after-permanent '^[0-9]+$' "$OUT"
if [[ $OUT != "$ID1" && $OUT != "$ID2" && $OUT != "$QID" ]]; then pass delete.ids-not-reused; else fail delete.ids-not-reused "$OUT"; fi

if (( FAILED > 0 )); then show_server_log; fi
SUMMARY_DONE=1
echo "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
