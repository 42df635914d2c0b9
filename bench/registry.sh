#!/usr/bin/env bash
# bench/registry.sh BUILD_DIR — Schema Registry benchmarks (issue 4):
#
#   read:     GET /schemas/ids/{id} throughput with wrk, against Sluice's registry door and, in
#             the same run with the same wrk threads/connections/duration, against mhd_fixed (a
#             bare libmicrohttpd server answering the very same bytes). Rounds alternate between
#             the two; the median of each is reported. Target: sluice >= 0.8 x bare.
#   register: latency of POST /subjects/S/versions (register with the compatibility check)
#             against a subject with 100 live versions under BACKWARD_TRANSITIVE (so every
#             registration is checked against all 100). Each sample registers a new compatible
#             schema and then soft-deletes it again, so every sample sees exactly 100 live
#             versions. Also the check alone (POST /compatibility/subjects/S/versions, nothing
#             written), to tell the check from the write to _schemas. Target: p99 <= 20 ms.
#
# The data dir is under BUILD_DIR (the project's disk, not tmpfs): a registration is answered
# only once its _schemas record is durable, as in Confluent's registry (acks=all).
# Environment: WRK_THREADS (2), WRK_CONNS (32), WRK_SECS (10), ROUNDS (3), SAMPLES (300),
# MHD_THREADS (thread pool of mhd_fixed; the registry door uses 2, so default 2).
# Prints RESULT lines:
#   RESULT mode=read sluice_rps=... bare_rps=... ratio=... body_bytes=... sluice_p99_ms=... bare_p99_ms=...
#   RESULT mode=register versions=100 level=BACKWARD_TRANSITIVE p50_ms=... p90_ms=... p99_ms=... max_ms=... n=...
#   RESULT mode=check versions=100 level=BACKWARD_TRANSITIVE p50_ms=... p90_ms=... p99_ms=... max_ms=... n=...
set -euo pipefail
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
SERVER="$BUILD/server/sluice-server"
BARE="$BUILD/bench/mhd_fixed"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-32}
WRK_SECS=${WRK_SECS:-10}
ROUNDS=${ROUNDS:-3}
SAMPLES=${SAMPLES:-300}
MHD_THREADS=${MHD_THREADS:-2}
[ -x "$SERVER" ] || { echo "registry.sh: no server at $SERVER" >&2; exit 1; }
[ -x "$BARE" ] || { echo "registry.sh: no mhd_fixed at $BARE (build the bench targets)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "registry.sh: wrk is not installed" >&2; exit 1; }
WORK=$(mktemp -d "$BUILD/bench-registry.XXXXXX")
SPID=
BPID=
cleanup() {
    for p in $BPID $SPID; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(uname -r); wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECS}s x $ROUNDS rounds"
/usr/bin/python3 "$HERE/../tests/interop/harness.py" exec-pdeathsig "$SERVER" --data-dir "$WORK/data" \
    --kafka-port 0 --registry-port 0 --no-sql >"$WORK/server.out" 2>"$WORK/server.err" &
SPID=$!
for _ in $(seq 200); do
    grep -q 'schema registry listening on' "$WORK/server.out" 2>/dev/null && break
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
done
RPORT=$(sed -n 's/.*schema registry listening on [^ ]*:\([0-9]*\).*/\1/p' "$WORK/server.out")
[ -n "$RPORT" ] || { echo "registry.sh: no registry port"; cat "$WORK/server.out" "$WORK/server.err"; exit 1; }
URL=http://127.0.0.1:$RPORT
echo "== sluice registry at $URL (pid $SPID)"

# A typical value schema: a 12-field record with docs, ~1 KB as a JSON string.
ID=$(/usr/bin/python3 - "$URL" <<'EOF'
import json, sys, urllib.request
fields = [{"name": "order_id", "type": "string", "doc": "business key"},
          {"name": "customer_id", "type": "long"},
          {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
          {"name": "status", "type": {"type": "enum", "name": "Status",
                                      "symbols": ["NEW", "PAID", "SHIPPED", "CANCELLED"]}},
          {"name": "amount_cents", "type": "long"},
          {"name": "currency", "type": "string", "default": "EUR"},
          {"name": "items", "type": {"type": "array", "items": {
              "type": "record", "name": "Item", "fields": [
                  {"name": "sku", "type": "string"}, {"name": "qty", "type": "int"},
                  {"name": "price_cents", "type": "long"}]}}},
          {"name": "shipping_address", "type": ["null", "string"], "default": None},
          {"name": "billing_address", "type": ["null", "string"], "default": None},
          {"name": "notes", "type": ["null", "string"], "default": None},
          {"name": "tags", "type": {"type": "map", "values": "string"}, "default": {}},
          {"name": "version", "type": "int", "default": 1}]
schema = json.dumps({"type": "record", "name": "Order", "namespace": "com.example.shop",
                     "doc": "An order as the shop service publishes it", "fields": fields})
req = urllib.request.Request(sys.argv[1] + "/subjects/orders-value/versions",
                             data=json.dumps({"schema": schema}).encode(), method="POST",
                             headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
print(json.loads(urllib.request.urlopen(req, timeout=30).read())["id"])
EOF
)
PATH_ID=/schemas/ids/$ID
curl -sf "$URL$PATH_ID" -o "$WORK/body.json"
BODY_BYTES=$(stat -c %s "$WORK/body.json")
echo "== GET $PATH_ID answers $BODY_BYTES bytes"

"$BARE" "$WORK/body.json" 0 "$MHD_THREADS" >"$WORK/bare.out" 2>&1 &
BPID=$!
for _ in $(seq 50); do grep -q 'listening on' "$WORK/bare.out" 2>/dev/null && break; sleep 0.1; done
BPORT=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\).*/\1/p' "$WORK/bare.out")
[ -n "$BPORT" ] || { cat "$WORK/bare.out"; exit 1; }
BURL=http://127.0.0.1:$BPORT
cmp -s <(curl -sf "$URL$PATH_ID") <(curl -sf "$BURL$PATH_ID") ||
    { echo "registry.sh: the two servers do not answer the same bytes" >&2; exit 1; }
# Both must keep connections alive (wrk reconnects after every "Connection: close", which
# would measure TCP set-up instead of the server): three requests on one connection each.
/usr/bin/python3 - "$RPORT" "$BPORT" "$PATH_ID" <<'EOF'
import http.client, sys
for name, port in (("sluice", sys.argv[1]), ("bare", sys.argv[2])):
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
    for i in range(3):
        c.request("GET", sys.argv[3])
        r = c.getresponse()
        r.read()
        if r.status != 200 or r.will_close:
            sys.exit("registry.sh: %s answered %d and closed the connection (request %d); "
                     "the read benchmark needs keep-alive" % (name, r.status, i + 1))
    c.close()
print("== keep-alive: both servers answered 3 requests on one connection")
EOF

# wrk_rps URL -> "RPS P99_MS" (p99 from wrk --latency, converted to ms)
wrk_rps() {
    local out
    out=$(wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WRK_SECS}s" --latency "$1")
    echo "$out" | sed 's/^/     /' >&2
    if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then echo "registry.sh: errors during the run" >&2; fi
    local rps p99
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$out")
    echo "$rps $p99"
}
curl -sf "$URL$PATH_ID" >/dev/null # warm
S_RPS=()
B_RPS=()
S_P99=()
B_P99=()
for r in $(seq "$ROUNDS"); do
    echo "-- round $r: sluice $URL$PATH_ID" >&2
    read -r rps p99 < <(wrk_rps "$URL$PATH_ID")
    S_RPS+=("$rps")
    S_P99+=("$p99")
    echo "-- round $r: bare mhd_fixed $BURL$PATH_ID" >&2
    read -r rps p99 < <(wrk_rps "$BURL$PATH_ID")
    B_RPS+=("$rps")
    B_P99+=("$p99")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
SM=$(median "${S_RPS[@]}")
BM=$(median "${B_RPS[@]}")
echo "RESULT mode=read sluice_rps=$SM bare_rps=$BM ratio=$(awk -v a="$SM" -v b="$BM" 'BEGIN {printf "%.3f", a/b}') body_bytes=$BODY_BYTES sluice_p99_ms=$(median "${S_P99[@]}") bare_p99_ms=$(median "${B_P99[@]}") rounds=$ROUNDS sluice_all=$(IFS=,; echo "${S_RPS[*]}") bare_all=$(IFS=,; echo "${B_RPS[*]}")"
kill "$BPID" 2>/dev/null && wait "$BPID" 2>/dev/null || true
BPID=

# ---- register-with-check latency --------------------------------------------------------------
/usr/bin/python3 - "$RPORT" "$SAMPLES" <<'EOF'
import http.client, json, sys, time
port, samples = int(sys.argv[1]), int(sys.argv[2])
CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)


def call(method, path, body=None):
    global conn
    for attempt in (0, 1):  # one reconnect if the server closed a kept-alive connection
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=CT)
            r = conn.getresponse()
            data = r.read()
            return r.status, (json.loads(data) if data else None)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    raise SystemExit("registry closed the connection twice")


def schema(n, extra=None):
    fields = [{"name": "id", "type": "long"}]
    fields += [{"name": "f%d" % i, "type": ["null", "string"], "default": None} for i in range(n)]
    if extra:
        fields.append({"name": extra, "type": "long", "default": 0})
    return json.dumps({"type": "record", "name": "Evt", "namespace": "bench", "fields": fields})


def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, int(-(-p * len(xs) // 100)) - 1))]


def report(mode, lat):
    ms = [x * 1000 for x in lat]
    print("RESULT mode=%s versions=100 level=BACKWARD_TRANSITIVE p50_ms=%.2f p90_ms=%.2f "
          "p99_ms=%.2f max_ms=%.2f mean_ms=%.2f n=%d" % (mode, pct(ms, 50), pct(ms, 90), pct(ms, 99),
                                                      max(ms), sum(ms) / len(ms), len(ms)), flush=True)


S = "bench-latency-value"
st, b = call("PUT", "/config/" + S, {"compatibility": "BACKWARD_TRANSITIVE"})
assert st == 200, (st, b)
t0 = time.perf_counter()
setup = []
for k in range(100):
    t = time.perf_counter()
    st, b = call("POST", "/subjects/%s/versions" % S, {"schema": schema(k)})
    setup.append(time.perf_counter() - t)
    assert st == 200, (k, st, b)
st, vers = call("GET", "/subjects/%s/versions" % S)
assert st == 200 and len(vers) == 100, (st, vers)
print("   .. 100 versions registered in %.2f s (the k-th checked against k-1 versions: p50 %.2f ms,"
      " p99 %.2f ms)" % (time.perf_counter() - t0, pct(setup, 50) * 1000, pct(setup, 99) * 1000),
      flush=True)

chk = []
for j in range(samples):
    t = time.perf_counter()
    st, b = call("POST", "/compatibility/subjects/%s/versions" % S, {"schema": schema(99, "c%d" % j)})
    chk.append(time.perf_counter() - t)
    assert st == 200 and b.get("is_compatible") is True, (st, b)
reg = []
for j in range(samples):
    t = time.perf_counter()
    st, b = call("POST", "/subjects/%s/versions" % S, {"schema": schema(99, "r%d" % j)})
    reg.append(time.perf_counter() - t)
    assert st == 200 and "id" in b, (st, b)
    st, b = call("DELETE", "/subjects/%s/versions/latest" % S)
    assert st == 200, (st, b)
st, vers = call("GET", "/subjects/%s/versions" % S)
assert st == 200 and len(vers) == 100, ("live versions after the run", st, vers)
report("register", reg)
report("check", chk)
EOF
