#!/usr/bin/python3
"""ksql_rest.py - ksqlDB's REST query-validation tests against a running sluice-server.

usage: /usr/bin/python3 ksql_rest.py [SERVER] [--cases DIR] [--floor FILE] [--json FILE]
                                     [--filter REGEX] [--verbose] [--keep] [--timeout S]
                                     [--isolation file|case]

Same conventions as ksql_qtt.py (server argument, ../shared/conformance/ksql/rest/*.json read
at run time, SKIP when absent, per-file lines, `N passed, M failed`, floor file
ksql_rest_floor.txt, "SQL door not available: 0 passed" while the door is absent).

A case runs the way ksqlDB's RestTestExecutor runs it:
  1. set-up as in ksql_qtt.py (topics, the "topics" entries' schemas);
  2. the statements before the first one that starts with "SELECT " go in one POST /ksql
     (joined with newlines), with the case's "properties" as streamsProperties (and nothing
     else: the REST cases were written against a server's defaults);
  3. the inputs are produced (partition chosen like the Java producer: murmur2 of the key
     bytes), unless inputConditions.waitForActivePushQuery asks to produce them once the first
     query's header has arrived;
  4. before the queries, the runner waits (at most --timeout) until the server's consumer
     groups have committed every input (ksqlDB's waitForPersistentQueriesToProcessInputs,
     through the Kafka group API instead of the engine's internals);
  5. each query goes to POST /query; its streamed rows are read until the server ends the
     response or --timeout. A pull query (no EMIT CHANGES) is asked again until its rows match
     or --timeout: a materialization may lag the inputs, and asking again is harmless;
  6. "expectedError": the first error answer must match its status, message (substring) and
     type (KsqlStatementErrorMessage = a statement_error whose statementText holds the case's
     last statement; KsqlErrorMessage = any error); no error at all fails the case;
  7. "responses" are matched like RestTestExecutor.verifyResponses: at least as many answers as
     expected, each expected object's fields present with equal values (objects recursively,
     extra fields allowed; "field|starts_with"; "{STATEMENT}" macro); a query's rows must be
     as many as expected; numbers: an integer never equals a fraction;
  8. "outputs" are read and compared as in ksql_qtt.py.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ksql_common as kc  # noqa: E402
import ksql_qtt  # noqa: E402


def match_rest_error(err, exp, statements):
    st = exp.get("status")
    if st is not None and err.status != int(st):
        return kc.FAIL, "HTTP status %s, expected %s (%s)" % (err.status, st, err.message)
    msg = exp.get("message")
    if msg and msg not in err.message:
        return kc.FAIL, "error %r does not contain the expected %r" % (err.message, msg)
    typ = str(exp.get("type") or "").rsplit(".", 1)[-1]
    if typ == "KsqlStatementErrorMessage":
        if err.entity.get("@type") != "statement_error":
            return kc.FAIL, "expected a statement_error, got %r" % err.entity.get("@type")
        text = err.entity.get("statementText")
        last = ksql_qtt._norm(statements[-1])
        if not isinstance(text, str) or last not in ksql_qtt._norm(text):
            return kc.FAIL, "statementText %r does not hold the last statement %r" % (
                text, statements[-1])
    elif typ and "@type" not in err.entity:
        return kc.FAIL, "expected a %s entity, got %r" % (typ, err.raw[:300])
    return kc.PASS, ""


def verify_query_rows(rows, expected_rows, statement, idx):
    if len(rows) != len(expected_rows):
        return "responses[%d]: %d rows, expected %d\n      got: %s" % (
            idx, len(rows), len(expected_rows), kc.show(rows, 600))
    for i, (a, e) in enumerate(zip(rows, expected_rows)):
        r = kc.rest_match(a, e, statement, "responses[%d]->query[%d]" % (idx, i))
        if r:
            return r
    return None


def verify_responses(actual, expected, statements):
    """actual: [("admin", entity) | ("query", rows)]."""
    if len(actual) < len(expected):
        return "%d responses, expected at least %d" % (len(actual), len(expected))
    for idx, exp in enumerate(expected):
        kind, payload = actual[idx]
        if len(exp) != 1:
            return "invalid case: response %d has %d keys" % (idx, len(exp))
        ekind, epayload = next(iter(exp.items()))
        stmt = statements[idx] if idx < len(statements) else None
        if ekind != kind:
            return "responses[%d]: a %s answer, expected %s" % (idx, kind, ekind)
        if kind == "admin":
            r = kc.rest_match(payload, epayload, stmt, "responses[%d]->admin" % idx)
        else:
            r = verify_query_rows(payload, epayload, stmt, idx)
        if r:
            return r
    return None


def wait_for_persistent_queries(sess, produced, timeout):
    """Until the server's consumer groups have committed every input, or timeout; gives up
    early when nothing tells (no groups at all after half a second)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        ok = sess.kafka.groups_caught_up(produced) if produced else True
        if ok:
            return
        if ok is None and time.monotonic() - t0 > 0.5:
            return
        time.sleep(0.1)


def run_case(sess, case, args):
    node = case.node
    props = dict(node.get("properties") or {})
    exp_err = node.get("expectedError")
    expected = node.get("responses") or []
    stmts = case.statements
    first_q = next((i for i, s in enumerate(stmts) if s.startswith("SELECT ")), len(stmts))
    if any(not s.startswith("SELECT ") for s in stmts[first_q:]):
        return kc.FAIL, "invalid case: a statement follows the queries"
    admin, queries = stmts[:first_q], stmts[first_q:]
    try:
        sess.setup_topics(case)
    except kc.CaseError as e:
        return kc.FAIL, str(e)
    responses = []
    if admin:
        ents, err = sess.ksql.try_ksql("\n".join(admin), props)
        if err is not None:
            if exp_err:
                return match_rest_error(err, exp_err, stmts)
            return kc.FAIL, "statements failed: HTTP %s %s: %s%s" % (
                err.status, err.entity.get("@type", ""), err.message,
                " [statement: %s]" % err.entity.get("statementText")
                if err.entity.get("statementText") else "")
        responses.extend(("admin", e) for e in ents)
    catalog = kc.Catalog(sess, case, props)
    inputs = node.get("inputs") or []
    cond = node.get("inputConditions") or {}
    after_header = bool(cond.get("waitForActivePushQuery") or cond.get("waitForQueryHeader"))
    produced = {}
    if not after_header:
        try:
            produced = sess.produce(inputs, catalog, keyed_partitioning=True)
        except kc.CaseError as e:
            return kc.FAIL, str(e)
    if not exp_err and len(expected) > len(admin) and not after_header:
        wait_for_persistent_queries(sess, produced, args.timeout)
    state = {"produced": after_header is False, "error": None}

    def on_header():
        if not state["produced"]:
            state["produced"] = True
            try:
                produced.update(sess.produce(inputs, catalog, keyed_partitioning=True))
            except kc.CaseError as e:
                state["error"] = str(e)

    for qi, q in enumerate(queries):
        idx = len(admin) + qi
        exp_rows = None
        if idx < len(expected) and "query" in expected[idx]:
            exp_rows = expected[idx]["query"]
        pull = "EMIT CHANGES" not in q.upper()
        deadline = time.monotonic() + args.timeout
        while True:
            rows, err, _complete = sess.ksql.query(
                q, props, deadline, on_header if after_header and qi == 0 else None)
            if state["error"]:
                return kc.FAIL, state["error"]
            retry = pull and not exp_err and exp_rows is not None and \
                time.monotonic() + 0.2 < deadline
            if err is not None:
                if exp_err:
                    return match_rest_error(err, exp_err, stmts)
                if retry:
                    time.sleep(0.2)
                    continue
                return kc.FAIL, "query %r failed: HTTP %s %s" % (q, err.status, err.message)
            if retry and verify_query_rows(rows, exp_rows, q, idx) is not None:
                time.sleep(0.2)
                continue
            break
        responses.append(("query", rows))
    if exp_err:
        return kc.FAIL, "expected an error (%s); every statement succeeded" % (
            exp_err.get("message") or exp_err.get("type"))
    outputs = node.get("outputs") or []
    if outputs:
        r = sess.read_and_compare(outputs, catalog, args.timeout, False, produced)
        if r:
            return kc.FAIL, r
    r = verify_responses(responses, expected, stmts)
    if r:
        return kc.FAIL, r
    return kc.PASS, ""


if __name__ == "__main__":
    sys.exit(ksql_qtt.main("rest", run_case, description=__doc__.split("\n")[0]))
