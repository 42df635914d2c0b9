#!/usr/bin/python3
"""ksql_qtt.py - ksqlDB's query-validation tests (QTT) against a running sluice-server.

usage: /usr/bin/python3 ksql_qtt.py [SERVER] [--cases DIR] [--floor FILE] [--json FILE]
                                    [--filter REGEX] [--verbose] [--keep] [--timeout S]
                                    [--isolation file|case]

SERVER is the sluice-server binary or a build dir (else $SLUICE_SERVER, else
<repo>/build/server/sluice-server). The cases are ../shared/conformance/ksql/qtt/*.json beside
the checkout (read at run time, never copied into the project); without them the runner prints
SKIP and exits 0.

A case runs the way ksqlDB's own harness (TestExecutor) runs it, through public doors only:
  1. set-up: the topics the harness would create (ksql_common.topics_for_case), and the
     key/value schemas of the case's "topics" entries registered under <topic>-key/-value;
  2. the statements, joined with newlines into one POST /ksql (ksqlDB's harness parses them as
     one script, so parse errors name "line 2:..." the same way), with the case's "properties"
     as streamsProperties on top of the harness's own settings (QTT_PROPS: read from the
     earliest offset, no record cache, so every intermediate update is emitted);
  3. the inputs, produced in order to partition 0 with their keys, values, timestamps (0 when
     absent), windows and headers, serialized in the formats of the stream/table that reads the
     topic (as the server describes it: SHOW STREAMS/TABLES, DESCRIBE);
  4. the outputs: each topic the expected records name is read from the beginning until that
     many records arrived (or --timeout), deserialized in the sink's formats and compared with
     ksqlDB's ExpectedRecordComparator rules (ksql_common.qtt_match): key, value, timestamp
     when given (not for a case without inputs whose expected timestamp is 0), window when
     given, headers when given; in order within each partition;
  5. "expectedException": passes when the statements fail with an error whose message contains
     the expected message; a KsqlStatementException must be a statement_error whose
     statementText is the case's last statement. A runtime exception (StreamsException) passes
     when a query reports an error (SHOW QUERIES EXTENDED) naming the cause or the message;
  6. "post": sources are DESCRIBEd (type, schema, key and value formats, window type); topics
     checked in the metadata (existence, partitions), their formats through the sources over
     them, their registered schemas, and the blacklist (no topic may match it).

Isolation (--isolation): "file" (default) runs each file on one server and, between cases,
drops what the case left (TERMINATE, DROP ... DELETE TOPIC, DROP TYPE, leftover topics,
subjects, consumer groups) and checks that nothing is left; when anything is, the server is
restarted on a fresh data dir. "case" starts a fresh server for every case.

Output: one line per file `name.json: P/T passed (O out of scope)` (T excludes cases that are
disabled in ksqlDB or need PROTOBUF or ksqlDB's Java test UDFs), then `N passed, M failed`.
When the server says its SQL door is "not supported yet", the per-file lines count the cases
and the last line is `SQL door not available: 0 passed`. Exit 0 when the pass count is at least
the floor (ksql_qtt_floor.txt), else 1.
"""
import argparse
import os
import re
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ksql_common as kc  # noqa: E402

# ksqlDB's TestExecutor.BASE_CONFIG, the part that reaches queries: read from the earliest
# offset, and no record cache (so every intermediate aggregate update is emitted).
QTT_PROPS = {"auto.offset.reset": "earliest", "cache.max.bytes.buffering": 0}

RUNTIME_EXCEPTIONS = ("StreamsException",)


def _norm(sql):
    return re.sub(r"\s+", " ", sql).strip().rstrip(";").strip()


def match_statement_error(err, exp, statements):
    """(status, reason) for an error answer when the case expects an exception."""
    msg = exp.get("message")
    if msg and msg not in err.message:
        return kc.FAIL, "error %r does not contain the expected %r" % (err.message, msg)
    typ = str(exp.get("type") or "")
    if typ.endswith("KsqlStatementException"):
        if err.entity.get("@type") != "statement_error":
            return kc.FAIL, ("expected a statement_error, got %s: %s"
                             % (err.entity.get("@type"), err.message))
        st = err.entity.get("statementText")
        last = _norm(statements[-1])
        if not isinstance(st, str) or (last not in _norm(st) and _norm(st) not in last):
            return kc.FAIL, ("the error is for statement %r; ksqlDB raises it for the last "
                             "statement %r" % (st, statements[-1]))
    if typ.endswith(RUNTIME_EXCEPTIONS):
        return kc.FAIL, ("ksqlDB fails while processing records (%s); here a statement "
                         "failed: %s" % (typ, err.message))
    return kc.PASS, ""


def wait_for_query_error(sess, exp, deadline):
    """A runtime exception: some query must report an error naming the cause (or message)."""
    wanted = [m for m in (exp.get("causeMessage"), exp.get("message")) if m]
    seen = ""
    while time.monotonic() < deadline:
        ents, err = sess.ksql.try_ksql("SHOW QUERIES EXTENDED;")
        for ent in ents or []:
            for q in ent.get("queryDescriptions") or ent.get("queries") or []:
                errs = [str(e.get("errorMessage", "")) for e in q.get("queryErrors") or []]
                text = " ".join(errs)
                failed = str(q.get("state", "")).upper() == "ERROR" or errs
                if failed:
                    seen = text or str(q.get("state"))
                    if not wanted or any(w in text for w in wanted):
                        return kc.PASS, ""
        time.sleep(0.2)
    return kc.FAIL, ("expected a query to fail with %r; %s" % (
        wanted, "query errors: " + seen if seen else "no query reported an error"))


def check_post(sess, catalog, post):
    reasons = []
    for src in post.get("sources") or []:
        name = src.get("name")
        desc = catalog.describe(name)
        if not desc:
            reasons.append("post: DESCRIBE %s failed" % name)
            continue
        if str(desc.get("type", "")).upper() != str(src.get("type", "")).upper():
            reasons.append("post: %s is a %s, expected %s" % (name, desc.get("type"),
                                                              src.get("type")))
        if src.get("schema") is not None:
            try:
                want = kc.keys_first(kc.parse_schema(src["schema"]))
                have = kc.keys_first(kc.columns_from_describe(desc.get("fields")))
                if want != have:
                    reasons.append("post: %s schema\n      is       %s\n      expected %s"
                                   % (name, kc.schema_text(have), kc.schema_text(want)))
            except (kc.SchemaParseError, KeyError, TypeError, ValueError) as e:
                reasons.append("post: %s schema: %s" % (name, e))
        kf = src.get("keyFormat")
        if isinstance(kf, dict):
            if kf.get("format") and str(kf["format"]).upper() != \
                    str(desc.get("keyFormat", "")).upper():
                reasons.append("post: %s key format %s, expected %s"
                               % (name, desc.get("keyFormat"), kf["format"]))
            if kf.get("windowType") and str(kf["windowType"]).upper() != \
                    str(desc.get("windowType") or "").upper():
                reasons.append("post: %s window type %s, expected %s"
                               % (name, desc.get("windowType"), kf["windowType"]))
        vf = src.get("valueFormat")
        if isinstance(vf, dict):
            vf = vf.get("format")
        if vf and str(vf).upper() != str(desc.get("valueFormat", "")).upper():
            reasons.append("post: %s value format %s, expected %s"
                           % (name, desc.get("valueFormat"), vf))
    topics = post.get("topics") or {}
    if topics:
        have = sess.kafka.topics()
        for t in topics.get("topics") or []:
            name = t.get("name")
            if name not in have:
                reasons.append("post: topic %s does not exist" % name)
                continue
            if t.get("partitions") is not None and have[name] != int(t["partitions"]):
                reasons.append("post: topic %s has %d partitions, expected %s"
                               % (name, have[name], t["partitions"]))
            shows = [s for _n, s in catalog.by_topic.get(name, [])]
            for side, field in (("key", "keyFormat"), ("value", "valueFormat")):
                want = t.get(field)
                want = want.get("format") if isinstance(want, dict) else want
                if want and shows and not any(str(s.get(field, "")).upper()
                                              == str(want).upper() for s in shows):
                    reasons.append("post: topic %s %s format %s, expected %s"
                                   % (name, side, [s.get(field) for s in shows], want))
                schema = t.get(side + "Schema")
                if schema is None or str(want or "").upper() == "PROTOBUF":
                    continue
                latest = sess.registry.latest("%s-%s" % (name, side)) if sess.registry else None
                if latest is None:
                    reasons.append("post: no schema registered under %s-%s" % (name, side))
                    continue
                try:
                    got = kc.parse_json_bytes(latest[1].encode())
                except ValueError:
                    got = latest[1]
                if kc.json_text(got) != kc.json_text(schema) and \
                        _canon(got) != _canon(schema):
                    reasons.append("post: %s-%s schema\n      is       %s\n      expected %s"
                                   % (name, side, kc.show(got, 400), kc.show(schema, 400)))
        bl = topics.get("blacklist")
        if bl:
            bad = sorted(t for t in have if re.fullmatch(bl, t))
            if bad:
                reasons.append("post: topics matching the blacklist %r exist: %s" % (bl, bad))
    return "\n    ".join(reasons) or None


def _canon(v):
    """JSON value with object keys sorted (schemas compare as JSON, not as text)."""
    if isinstance(v, dict):
        return {k: _canon(x) for k, x in sorted(v.items())}
    if isinstance(v, list):
        return [_canon(x) for x in v]
    return v


def run_case(sess, case, args):
    node = case.node
    props = dict(QTT_PROPS)
    props.update(node.get("properties") or {})
    exp = node.get("expectedException")
    runtime_exc = bool(exp) and str(exp.get("type") or "").endswith(RUNTIME_EXCEPTIONS)
    try:
        sess.setup_topics(case)
    except kc.CaseError as e:
        return kc.FAIL, str(e)
    ents, err = sess.ksql.try_ksql("\n".join(case.statements), props)
    if err is not None:
        if exp and not runtime_exc:
            return match_statement_error(err, exp, case.statements)
        return kc.FAIL, "statements failed: HTTP %s %s%s" % (
            err.status, err.entity.get("@type", ""),
            ": " + err.message + (" [statement: %s]" % err.entity.get("statementText")
                                  if err.entity.get("statementText") else ""))
    for ent in ents:
        st = (ent.get("commandStatus") or {}).get("status") if isinstance(ent, dict) else None
        if st and str(st).upper() in ("ERROR", "FAILED", "TERMINATED"):
            msg = (ent.get("commandStatus") or {}).get("message")
            if exp and not runtime_exc:
                return match_statement_error(kc.KsqlError(200, {"message": msg}, msg), exp,
                                             case.statements)
            return kc.FAIL, "statement %r: command status %s: %s" % (
                ent.get("statementText"), st, msg)
    if exp and not runtime_exc:
        return kc.FAIL, "expected an error (%s: %r); every statement succeeded" % (
            exp.get("type"), exp.get("message"))
    catalog = kc.Catalog(sess, case, props)
    inputs = node.get("inputs") or []
    try:
        produced = sess.produce(inputs, catalog, keyed_partitioning=False)
    except kc.CaseError as e:
        return kc.FAIL, str(e)
    if runtime_exc:
        return wait_for_query_error(sess, exp, time.monotonic() + args.timeout)
    outputs = node.get("outputs") or []
    if outputs:
        r = sess.read_and_compare(outputs, catalog, args.timeout, not inputs, produced)
        if r:
            return kc.FAIL, r
    if node.get("post"):
        r = check_post(sess, catalog, node["post"])
        if r:
            return kc.FAIL, r
    return kc.PASS, ""


def run_file(sess, file, cases, args, report, run_one, emit):
    """Runs one file's selected cases on sess; emit(line) prints (or buffers) output."""
    first = True
    for c in cases:
        if c.scope:
            report.add(c, kc.OUT, c.scope)
            if args.verbose:
                emit("  --   %s (%s)" % (c.name, c.scope))
            continue
        try:
            sess.before_case(first)
            first = False
        except kc.ServerStartError as e:
            report.add(c, kc.FAIL, "server start failed: %s" % e)
            if args.verbose:
                emit("  FAIL %s\n    server start failed: %s" % (c.name, e))
            first = True
            continue
        t0 = time.monotonic()
        try:
            status, reason = run_one(sess, c, args)
        except Exception as e:  # noqa: BLE001 - a runner bug must not hide the others
            status, reason = kc.FAIL, "runner error: %r\n%s" % (e, traceback.format_exc())
        if status == kc.FAIL and not sess.server.alive():
            reason += "\n    (the server died)\n" + sess.server.stderr_tail(15)
            first = True
        report.add(c, status, reason)
        if args.verbose:
            emit("  %s %s (%.1f s)%s" % ("ok  " if status == kc.PASS else "FAIL", c.name,
                                         time.monotonic() - t0,
                                         "\n    " + reason if reason else ""))
    emit(report.file_line(file))


def run_cases(sessions, files, regex, args, report, run_one):
    """Every selected file, on len(sessions) servers in parallel (--jobs); a file's output is
    printed in one piece when it is done (as it goes with one job)."""
    work = [(f, [c for c in cases if kc.case_selected(c, regex)]) for f, cases in files]
    work = [w for w in work if w[1]]
    if len(sessions) == 1:
        for f, cases in work:
            run_file(sessions[0], f, cases, args, report, run_one,
                     lambda line: print(line, flush=True))
        return
    lock = threading.Lock()
    todo = list(reversed(work))

    def worker(sess):
        # A server dies with the thread that started it (PR_SET_PDEATHSIG follows the thread),
        # so each worker stops its own server before it ends.
        while True:
            with lock:
                if not todo:
                    sess.stop()
                    return
                f, cases = todo.pop()
            out = []
            run_file(sess, f, cases, args, report, run_one, out.append)
            with lock:
                print("\n".join(out), flush=True)

    threads = [threading.Thread(target=worker, args=(s,), daemon=True) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def door_absent(sess, files, regex, report, args):
    for file, cases in files:
        sel = [c for c in cases if kc.case_selected(c, regex)]
        if not sel:
            continue
        for c in sel:
            report.add(c, kc.OUT if c.scope else kc.FAIL, c.scope or "SQL door absent")
        print(report.file_line(file))
    p, f, o = report.counts()
    print("server: %s" % (sess.server.sql_absent or "no SQL door announced"))
    print("%d cases in scope, %d out of scope" % (p + f, o))
    print("SQL door not available: 0 passed", flush=True)


def main(kind, run_one, argv=None, description=None):
    ap = argparse.ArgumentParser(description=description or __doc__.split("\n")[0])
    kc.add_common_args(ap, kind)
    args = ap.parse_args(argv)
    if not os.path.isdir(args.cases):
        print("SKIP: %s not found (the ksqlDB cases live in ../shared/conformance beside the "
              "checkout)" % args.cases)
        return 0
    regex = re.compile(args.filter) if args.filter else None
    files = kc.load_cases(args.cases)
    binary = kc.find_server(args.server)
    report = kc.Report("ksql_" + kind)
    sessions = [kc.Session(binary, args) for _ in range(max(1, args.jobs))]
    print("ksql_%s: %s, cases %s, isolation=%s, timeout=%.1f s, jobs=%d"
          % (kind, binary, args.cases, args.isolation, args.timeout, len(sessions)), flush=True)
    try:
        sessions[0].start()
    except kc.ServerStartError as e:
        print("server does not start: %s" % e)
        return 1
    try:
        if not sessions[0].sql_available:
            door_absent(sessions[0], files, regex, report, args)
            return kc.finish(report, args, "absent")
        if sessions[0].registry is None:
            report.notes.append("registry door absent: %s" % sessions[0].server.registry_absent)
            print("note: the schema registry door is absent (%s)"
                  % sessions[0].server.registry_absent)
        run_cases(sessions, files, regex, args, report, run_one)
    finally:
        for sess in sessions:
            sess.stop()
            for d in sess.server.kept:
                print("kept %s" % d)
    p, f, o = report.counts()
    restarts = sum(s.restarts for s in sessions)
    start_failures = [f for s in sessions for f in s.start_failures]
    if start_failures:
        report.notes.append("%d failed server start-ups (retried): %s"
                            % (len(start_failures), start_failures[-1]))
        print("note: %d server start-ups failed and were retried (last: %s)"
              % (len(start_failures), start_failures[-1]))
    if restarts:
        last = [s.last_reset_reason for s in sessions if s.last_reset_reason]
        report.notes.append("%d server restarts after an unclean reset (last: %s)"
                            % (restarts, last[-1]))
        print("note: %d restarts because a reset between cases left something behind "
              "(last: %s)" % (restarts, last[-1]))
    print("%d out of scope (disabled in ksqlDB, PROTOBUF, Java test UDFs); %.0f s"
          % (o, time.monotonic() - report.t0))
    print("%d passed, %d failed" % (p, f), flush=True)
    return kc.finish(report, args, "ok", {"restarts": restarts})


if __name__ == "__main__":
    sys.exit(main("qtt", run_case))
