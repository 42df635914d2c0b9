/*
 * test_sql_parse.c — unit tests for the SQL parser (sql/parser.h, sql/ast.h): every statement
 * kind, expression precedence and literals, identifier rules, positions, statement spans,
 * ksqlDB-shaped errors, limits, and the SQL printer's round trip.
 *
 * Expected trees are written as sl_ast_dump S-expressions; expected error messages are
 * ksqlDB's own where its test cases show them (qtt/key-schemas.json, literals.json, ...).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/err.h"
#include "sql/ast.h"
#include "sql/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static sl_ast_script_t *must_parse_flags(const char *sql, int flags)
{
    sl_ast_script_t *s = NULL;
    sl_sql_error_t err;
    int rc = sl_sql_parse_ex(sql, strlen(sql), flags, &s, &err);
    if (rc != SL_OK) fail_msg("rejected (%d): %s\n  %s", rc, err.msg, sql);
    return s;
}

static sl_ast_script_t *must_parse(const char *sql)
{
    return must_parse_flags(sql, 0);
}

/* The dump of every statement of sql, one per line (caller frees). */
static char *dump_of(const char *sql, int flags)
{
    sl_ast_script_t *s = must_parse(sql);
    sl_buf_t b;
    sl_buf_init(&b);
    for (uint32_t i = 0; i < s->n_stmts; i++) {
        if (i) sl_buf_put(&b, "\n", 1);
        sl_ast_dump(s->stmts[i], flags, &b);
    }
    sl_buf_put(&b, "", 1);
    sl_ast_script_free(s);
    return (char *)b.data;
}

static void expect_dump(const char *sql, const char *want)
{
    char *got = dump_of(sql, 0);
    if (strcmp(got, want) != 0) fail_msg("\n  sql:  %s\n  want: %s\n  got:  %s", sql, want, got);
    free(got);
}

/* The dump of one expression (through sl_sql_parse_expr). */
static void expect_expr(const char *expr, const char *want)
{
    sl_ast_script_t *s = NULL;
    sl_ast_expr_t *e = NULL;
    sl_sql_error_t err;
    int rc = sl_sql_parse_expr(expr, strlen(expr), &s, &e, &err);
    if (rc != SL_OK) fail_msg("rejected: %s\n  %s", err.msg, expr);
    sl_buf_t b;
    sl_buf_init(&b);
    sl_ast_dump_expr(e, 0, &b);
    sl_buf_put(&b, "", 1);
    if (strcmp((char *)b.data, want) != 0)
        fail_msg("\n  expr: %s\n  want: %s\n  got:  %s", expr, want, (char *)b.data);
    sl_buf_free(&b);
    sl_ast_script_free(s);
}

/* Must fail with this message (exactly) at line:col. */
static void expect_error_flags(const char *sql, int flags, int want_rc, unsigned line, unsigned col,
                               const char *want_msg)
{
    sl_ast_script_t *s = (sl_ast_script_t *)0x1;
    sl_sql_error_t err;
    int rc = sl_sql_parse_ex(sql, strlen(sql), flags, &s, &err);
    if (rc == SL_OK) fail_msg("accepted: %s", sql);
    assert_null(s);
    assert_int_equal(rc, want_rc);
    if (err.line != line || err.col != col)
        fail_msg("at %u:%u, want %u:%u (%s)\n  %s", err.line, err.col, line, col, err.msg, sql);
    if (want_msg && strcmp(err.msg, want_msg) != 0)
        fail_msg("\n  sql:  %s\n  want: [%s]\n  got:  [%s]", sql, want_msg, err.msg);
}

static void expect_error(const char *sql, unsigned line, unsigned col, const char *want_msg)
{
    expect_error_flags(sql, 0, SL_INVAL, line, col, want_msg);
}

/* Formats every statement and parses it back: the dumps must agree. */
static void expect_round_trip(const char *sql)
{
    sl_ast_script_t *s = must_parse(sql);
    for (uint32_t i = 0; i < s->n_stmts; i++) {
        sl_buf_t f, d1, d2;
        sl_buf_init(&f);
        sl_buf_init(&d1);
        sl_buf_init(&d2);
        sl_ast_format(s->stmts[i], &f);
        sl_buf_put(&f, "", 1);
        sl_ast_dump(s->stmts[i], 0, &d1);
        sl_buf_put(&d1, "", 1);
        sl_ast_script_t *again = must_parse((char *)f.data);
        assert_int_equal(again->n_stmts, 1);
        sl_ast_dump(again->stmts[0], 0, &d2);
        sl_buf_put(&d2, "", 1);
        if (strcmp((char *)d1.data, (char *)d2.data) != 0)
            fail_msg("round trip:\n  sql: %s\n  fmt: %s\n  %s\n  %s", sql, (char *)f.data,
                     (char *)d1.data, (char *)d2.data);
        sl_ast_script_free(again);
        sl_buf_free(&f);
        sl_buf_free(&d1);
        sl_buf_free(&d2);
    }
    sl_ast_script_free(s);
}

static void expect_format_expr(const char *expr, const char *want)
{
    sl_ast_script_t *s = NULL;
    sl_ast_expr_t *e = NULL;
    assert_int_equal(sl_sql_parse_expr(expr, strlen(expr), &s, &e, NULL), SL_OK);
    sl_buf_t b;
    sl_buf_init(&b);
    sl_ast_format_expr(e, &b);
    sl_buf_put(&b, "", 1);
    if (strcmp((char *)b.data, want) != 0)
        fail_msg("\n  expr: %s\n  want: %s\n  got:  %s", expr, want, (char *)b.data);
    sl_buf_free(&b);
    sl_ast_script_free(s);
}

/* ---- statements ---- */

static void test_create_source(void **state)
{
    (void)state;
    expect_dump("CREATE STREAM test (ID STRING KEY, numbers ARRAY<INTEGER>) "
                "WITH (kafka_topic='test_topic', value_format='JSON');",
                "(CreateSource STREAM TEST (columns (ID STRING KEY) (NUMBERS ARRAY<INTEGER>)) "
                "(with (KAFKA_TOPIC 'test_topic') (VALUE_FORMAT 'JSON')))");
    expect_dump("create or replace table if not exists t (k int primary key, v bigint) "
                "with ('kafka_topic'='t', partitions=3, replicas=-1, wrap_single_value=false);",
                "(CreateSource OR_REPLACE TABLE IF_NOT_EXISTS T (columns (K INT PRIMARY KEY) "
                "(V BIGINT)) (with (`kafka_topic` 't') (PARTITIONS 3) (REPLICAS -1) "
                "(WRAP_SINGLE_VALUE false)))");
    expect_dump("CREATE SOURCE TABLE t WITH (kafka_topic='t', format='AVRO');",
                "(CreateSource SOURCE TABLE T (with (KAFKA_TOPIC 't') (FORMAT 'AVRO')))");
    expect_dump("CREATE STREAM s;", "(CreateSource STREAM S)");
    expect_dump("CREATE STREAM s (h ARRAY<STRUCT<key STRING, value BYTES>> HEADERS, "
                "b BYTES HEADER('abc')) WITH (kafka_topic='x');",
                "(CreateSource STREAM S (columns (H ARRAY<STRUCT<KEY STRING,VALUE BYTES>> "
                "HEADERS) (B BYTES HEADER 'abc')) (with (KAFKA_TOPIC 'x')))");
    sl_ast_script_t *s = must_parse("CREATE STREAM x WITH (Kafka_Topic='t');");
    const sl_ast_create_source_t *c = &s->stmts[0]->u.create_source;
    const sl_ast_prop_t *p = sl_ast_prop_find(c->props, c->n_props, "kafka_topic");
    assert_non_null(p);
    assert_string_equal(p->value->u.lit.str, "t");
    assert_null(sl_ast_prop_find(c->props, c->n_props, "value_format"));
    sl_ast_script_free(s);
}

static void test_create_as(void **state)
{
    (void)state;
    expect_dump("CREATE STREAM OUTPUT AS SELECT ID, filter(numbers, x => x > 5) AS c FROM test;",
                "(CreateAsSelect STREAM OUTPUT (query (items (col ID) (as (call FILTER "
                "(col NUMBERS) (lambda (X) (> (lvar X) 5))) C)) (from TEST)))");
    expect_dump("CREATE TABLE t WITH (kafka_topic='o') AS SELECT k, COUNT(*) c FROM s "
                "WINDOW TUMBLING (SIZE 30 SECONDS, RETENTION 2 DAYS, GRACE PERIOD 1 MINUTE) "
                "WHERE v > 0 GROUP BY k HAVING COUNT(*) > 1 EMIT FINAL;",
                "(CreateAsSelect TABLE T (with (KAFKA_TOPIC 'o')) (query (items (col K) (as "
                "(call COUNT *) C)) (from S) (window TUMBLING (size 30 SECONDS) (retention 2 "
                "DAYS) (grace 1 MINUTES)) (where (> (col V) 0)) (group_by (col K)) (having (> "
                "(call COUNT *) 1)) (emit FINAL)))");
    expect_dump("CREATE STREAM o AS SELECT * FROM l JOIN r WITHIN 10 SECONDS ON l.id = r.id "
                "LEFT OUTER JOIN t ON l.id = t.id PARTITION BY l.id EMIT CHANGES;",
                "(CreateAsSelect STREAM O (query (items *) (from L) (join INNER R (within "
                "(before 10 SECONDS) (after 10 SECONDS)) (= (col L.ID) (col R.ID))) (join LEFT "
                "T (= (col L.ID) (col T.ID))) (partition_by (col L.ID)) (emit CHANGES)))");
    expect_dump("CREATE STREAM o AS SELECT * FROM a AS x FULL JOIN b y WITHIN (1 HOUR, 2 "
                "HOURS) GRACE PERIOD 5 MILLISECONDS ON x.k = y.k;",
                "(CreateAsSelect STREAM O (query (items *) (from A AS X) (join FULL B AS Y "
                "(within (before 1 HOURS) (after 2 HOURS) (grace 5 MILLISECONDS)) (= (col X.K) "
                "(col Y.K)))))");
    expect_dump("CREATE TABLE t AS SELECT k, COUNT(*) FROM s WINDOW HOPPING (SIZE 1 MINUTE, "
                "ADVANCE BY 10 SECONDS) GROUP BY k;",
                "(CreateAsSelect TABLE T (query (items (col K) (call COUNT *)) (from S) (window "
                "HOPPING (size 1 MINUTES) (advance 10 SECONDS)) (group_by (col K))))");
    expect_dump("CREATE TABLE t AS SELECT k FROM s WINDOW w1 SESSION (5 MINUTES) GROUP BY k;",
                "(CreateAsSelect TABLE T (query (items (col K)) (from S) (window SESSION W1 "
                "(size 5 MINUTES)) (group_by (col K))))");
}

static void test_insert(void **state)
{
    (void)state;
    expect_dump("INSERT INTO TEST (ID, ROWTIME, K) VALUES (10, 1234, 'key');",
                "(InsertValues TEST (columns ID ROWTIME K) (values 10 1234 'key'))");
    expect_dump("INSERT INTO TEST VALUES ();", "(InsertValues TEST (columns) (values))");
    expect_dump("insert into o with (query_id='q') select * from s;",
                "(InsertInto O (with (QUERY_ID 'q')) (query (items *) (from S)))");
}

static void test_misc_statements(void **state)
{
    (void)state;
    expect_dump("DROP STREAM IF EXISTS s DELETE TOPIC; DROP TABLE t; DROP TYPE IF EXISTS x;",
                "(DropSource STREAM IF_EXISTS S DELETE_TOPIC)\n(DropSource TABLE T)\n"
                "(DropType IF_EXISTS X)");
    expect_dump("TERMINATE CSAS_OUT_0; TERMINATE ALL;",
                "(TerminateQuery CSAS_OUT_0)\n(TerminateQuery ALL)");
    expect_dump("SHOW STREAMS; LIST TABLES EXTENDED; SHOW QUERIES; SHOW ALL TOPICS EXTENDED; "
                "SHOW PROPERTIES; LIST FUNCTIONS; SHOW TYPES; SHOW VARIABLES; SHOW SOURCE "
                "CONNECTORS; SHOW CONNECTOR PLUGINS;",
                "(List STREAMS)\n(List TABLES EXTENDED)\n(List QUERIES)\n(List ALL TOPICS "
                "EXTENDED)\n(List PROPERTIES)\n(List FUNCTIONS)\n(List TYPES)\n(List "
                "VARIABLES)\n(List SOURCE CONNECTORS)\n(List CONNECTOR PLUGINS)");
    expect_dump("DESCRIBE s EXTENDED; DESCRIBE STREAMS; DESCRIBE TABLES EXTENDED; DESCRIBE "
                "FUNCTION substring; DESCRIBE `TABLES`;",
                "(ShowColumns S EXTENDED)\n(DescribeSources STREAMS)\n(DescribeSources TABLES "
                "EXTENDED)\n(DescribeFunction SUBSTRING)\n(ShowColumns TABLES)");
    expect_dump("EXPLAIN SELECT * FROM s; EXPLAIN CSAS_X_1;",
                "(Explain (Query (query (items *) (from S))))\n(Explain CSAS_X_1)");
    expect_dump("PRINT my_Topic FROM BEGINNING INTERVAL 2 LIMIT 10; PRINT 'x' SAMPLE 3;",
                "(PrintTopic 'my_Topic' FROM_BEGINNING (interval 2) (limit 10))\n(PrintTopic "
                "'x' (interval 3))");
    expect_dump("SET 'auto.offset.reset'='earliest'; UNSET 'auto.offset.reset'; "
                "ALTER SYSTEM 'a'='b'; DEFINE name = 'v'; UNDEFINE name;",
                "(SetProperty 'auto.offset.reset' 'earliest')\n(UnsetProperty "
                "'auto.offset.reset')\n(AlterSystemProperty 'a' 'b')\n(DefineVariable 'name' "
                "'v')\n(UndefineVariable 'name')");
    expect_dump("CREATE TYPE ADDRESS AS STRUCT<number INTEGER, street VARCHAR, city "
                "VARCHAR>;",
                "(RegisterType ADDRESS STRUCT<NUMBER INTEGER,STREET VARCHAR,CITY VARCHAR>)");
    expect_dump("ALTER STREAM s ADD COLUMN c INT, ADD d STRING;",
                "(AlterSource STREAM S (columns (C INT) (D STRING)))");
    expect_dump("CREATE SOURCE CONNECTOR c WITH ('a'='b'); DROP CONNECTOR IF EXISTS c;",
                "(CreateConnector SOURCE C (with (`a` 'b')))\n(DropConnector IF_EXISTS C)");
    expect_dump("ASSERT NOT EXISTS TOPIC 'foo' WITH (partitions=1) TIMEOUT 3 SECONDS; "
                "ASSERT SCHEMA SUBJECT 's' ID 4;",
                "(AssertTopic NOT_EXISTS 'foo' (with (PARTITIONS 1)) (timeout 3 SECONDS))\n"
                "(AssertSchema 's' (id 4))");
    expect_dump("SELECT * FROM t WHERE k = 1;",
                "(Query (query (items *) (from T) (where (= (col K) 1))))");
}

static void test_test_and_shell_statements(void **state)
{
    (void)state;
    /* servers refuse RUN SCRIPT and the test-only ASSERTs, as ksqlDB does */
    expect_error("RUN SCRIPT 'foo';", 1, 1, "line 1:1: Syntax Error\nUnknown statement 'RUN'");
    expect_error("ASSERT VALUES foo (id INT) VALUES (123);", 1, 8,
                 "line 1:8: Syntax Error\nExpecting {'TOPIC', 'SCHEMA'}");
    sl_ast_script_t *s = must_parse_flags("RUN SCRIPT '/tmp/x.sql';", SL_SQL_PARSE_SHELL);
    assert_int_equal(s->stmts[0]->kind, SL_AST_STMT_RUN_SCRIPT);
    assert_string_equal(s->stmts[0]->u.run_script, "/tmp/x.sql");
    sl_ast_script_free(s);
    s = must_parse_flags("ASSERT VALUES out (k, v) VALUES (1, 'a'); ASSERT NULL VALUES out "
                         "(k) KEY (1); ASSERT STREAM out (k INT KEY) WITH (kafka_topic='o');",
                         SL_SQL_PARSE_TEST);
    assert_int_equal(s->n_stmts, 3);
    assert_int_equal(s->stmts[0]->kind, SL_AST_STMT_ASSERT_VALUES);
    assert_int_equal(s->stmts[1]->kind, SL_AST_STMT_ASSERT_TOMBSTONE);
    assert_int_equal(s->stmts[2]->kind, SL_AST_STMT_ASSERT_SOURCE);
    sl_ast_script_free(s);
}

/* ---- expressions ---- */

static void test_precedence(void **state)
{
    (void)state;
    expect_expr("a OR b AND NOT c = d", "(OR (col A) (AND (col B) (NOT (= (col C) (col D)))))");
    expect_expr("NOT a AND b", "(AND (NOT (col A)) (col B))");
    expect_expr("1 + 2 * 3 - 4 / 5 % 6", "(- (+ 1 (* 2 3)) (% (/ 4 5) 6))");
    expect_expr("'a' || 1 + 2", "(|| 'a' (+ 1 2))");
    expect_expr("-a * b", "(* (- (col A)) (col B))");
    expect_expr("a - -5", "(- (col A) -5)");
    expect_expr("- -5", "(- -5)");
    expect_expr("-(5)", "(- 5)");
    expect_expr("-2147483648", "-2147483648");
    expect_expr("2147483648", "2147483648L");
    expect_expr("-9223372036854775808", "-9223372036854775808L");
    expect_expr("(a + b) * c", "(* (+ (col A) (col B)) (col C))");
    expect_expr("a->b->c[1]['k']", "(subscript (subscript (deref (deref (col A) B) C) 1) 'k')");
    expect_expr("s.col", "(col S.COL)");
    expect_expr("x BETWEEN 1 AND 2 AND y", "(AND (BETWEEN (col X) 1 2) (col Y))");
    expect_expr("x NOT BETWEEN a + 1 AND b", "(NOT BETWEEN (col X) (+ (col A) 1) (col B))");
    expect_expr("x IN (1, 2) OR x NOT IN ('a')", "(OR (IN (col X) (1 2)) (NOT IN (col X) ('a')))");
    expect_expr("x LIKE 'a%' ESCAPE '!'", "(LIKE (col X) 'a%' ESCAPE '!')");
    expect_expr("x NOT LIKE y", "(NOT LIKE (col X) (col Y))");
    expect_expr("x IS NULL AND y IS NOT NULL", "(AND (IS NULL (col X)) (IS NOT NULL (col Y)))");
    expect_expr("x IS DISTINCT FROM y", "(IS DISTINCT FROM (col X) (col Y))");
    expect_expr("x IS NOT DISTINCT FROM 1", "(IS NOT DISTINCT FROM (col X) 1)");
    expect_expr("a <> b AND a != b AND a <= b AND a >= b",
                "(AND (AND (AND (<> (col A) (col B)) (<> (col A) (col B))) (<= (col A) (col B)))"
                " (>= (col A) (col B)))");
    expect_expr("ts AT TIME ZONE 'UTC'", "(at_zone (col TS) 'UTC')");
}

static void test_primaries(void **state)
{
    (void)state;
    expect_expr("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END",
                "(case (when (col A) 1) (when (col B) 2) (else 3))");
    expect_expr("CASE x WHEN 1 THEN 'one' END", "(case (col X) (when 1 'one'))");
    expect_expr("CAST(x AS DECIMAL(4, 2))", "(cast (col X) DECIMAL(4,2))");
    expect_expr("CAST(x AS MAP<STRING, ARRAY<STRUCT<A INT, `b` VARCHAR(10)>>>)",
                "(cast (col X) MAP<STRING,ARRAY<STRUCT<A INT,`b` VARCHAR(10)>>>)");
    expect_expr("CAST(x AS INT ARRAY)", "(cast (col X) ARRAY<INT>)");
    expect_expr("ARRAY[1, 2]", "(array 1 2)");
    expect_expr("ARRAY[]", "(array)");
    expect_expr("MAP('a' := 1, 'b' := 2)", "(map ('a' 1) ('b' 2))");
    expect_expr("STRUCT(f1 := 1, `F2` := 'x')", "(struct (F1 1) (F2 'x'))");
    expect_expr("COUNT(*)", "(call COUNT *)");
    expect_expr("now()", "(call NOW)");
    expect_expr("dateadd(DAYS, 1, d)", "(call DATEADD (unit DAYS) 1 (col D))");
    expect_expr("timestampadd(MILLISECONDS, 5, t)",
                "(call TIMESTAMPADD (unit MILLISECONDS) 5 (col T))");
    expect_expr("transform(m, (k, v) => UCASE(k), (k, v) => v + 1)",
                "(call TRANSFORM (col M) (lambda (K V) (call UCASE (lvar K))) (lambda (K V) (+ "
                "(lvar V) 1)))");
    expect_expr("reduce(a, 0, (s, x) => s + x)",
                "(call REDUCE (col A) 0 (lambda (S X) (+ (lvar S) (lvar X))))");
    expect_expr("filter(arr, x => any_match(x, y => y = x))",
                "(call FILTER (col ARR) (lambda (X) (call ANY_MATCH (lvar X) (lambda (Y) (= (lvar "
                "Y) (lvar X))))))");
    /* a lambda parameter is a variable only inside its own lambda */
    expect_expr("f(x => x, x)", "(call F (lambda (X) (lvar X)) (col X))");
    expect_expr("DECIMAL_COL '1.5'", "(typed DECIMAL_COL '1.5')");
    expect_expr("${var}", "${var}");
    expect_expr("ROWTIME + ROWPARTITION", "(+ (col ROWTIME) (col ROWPARTITION))");
}

static void test_literals(void **state)
{
    (void)state;
    expect_expr("NULL", "null");
    expect_expr("true AND FALSE", "(AND true false)");
    expect_expr("1.50", "(decimal 1.50)");
    expect_expr(".5", "(decimal .5)");
    expect_expr("5.", "(decimal 5.)");
    expect_expr("-1.5", "(decimal -1.5)");
    expect_expr("1e3", "(double 1E3)");
    expect_expr("1.5E-3", "(double 1.5E-3)");
    expect_expr("-1.5e10", "(double -1.5E10)");
    expect_expr("'it''s'", "'it''s'");
    expect_expr("''", "''");
    /* digit identifiers: longer than any number reading */
    expect_expr("1abc", "(col `1ABC`)");
    expect_expr("1e5x", "(col `1E5X`)");
    sl_ast_script_t *s = NULL;
    sl_ast_expr_t *e = NULL;
    assert_int_equal(sl_sql_parse_expr("'a\0b'", 5, &s, &e, NULL), SL_OK);
    assert_int_equal(e->u.lit.len, 3);
    assert_memory_equal(e->u.lit.str, "a\0b", 3);
    sl_ast_script_free(s);
    assert_int_equal(sl_sql_parse_expr("9223372036854775807", 19, &s, &e, NULL), SL_OK);
    assert_int_equal(e->u.lit.kind, SL_AST_LIT_BIGINT);
    assert_true(e->u.lit.i == INT64_MAX);
    sl_ast_script_free(s);
    /* out of range: ksqlDB's messages (its AST builder reports one column to the right) */
    expect_error("CREATE STREAM OUTPUT AS select K, id, 9223372036854775808 FROM INPUT;", 1, 39,
                 "Failed to prepare statement: line 1:40: Invalid numeric literal: "
                 "9223372036854775808");
    expect_error("select -9223372036854775809 from s;", 1, 8,
                 "Failed to prepare statement: line 1:9: Invalid numeric literal: "
                 "-9223372036854775809");
    expect_error("select 1.7976931348623159E308 from s;", 1, 8,
                 "Failed to prepare statement: line 1:9: Number overflows DOUBLE: "
                 "1.7976931348623159E308");
    expect_error("select -1.7976931348623160E308 from s;", 1, 8, NULL);
}

static void test_identifiers(void **state)
{
    (void)state;
    expect_dump("SELECT `Mixed`, \"Quoted\", `a``b`, lower FROM `My-Stream`;",
                "(Query (query (items (col `Mixed`) (col `Quoted`) (col `a``b`) (col LOWER)) "
                "(from `My-Stream`)))");
    sl_ast_script_t *s = must_parse("SELECT `Mixed`, \"Quoted\", lower FROM t;");
    sl_ast_select_item_t **it = s->stmts[0]->u.query->items;
    assert_int_equal(it[0]->expr->u.col.name.quote, SL_AST_QUOTE_BACK);
    assert_int_equal(it[1]->expr->u.col.name.quote, SL_AST_QUOTE_DOUBLE);
    assert_int_equal(it[2]->expr->u.col.name.quote, SL_AST_QUOTE_NONE);
    sl_ast_script_free(s);
    /* non-reserved keywords are names where they cannot be keywords */
    expect_dump("SELECT key, date, time, timestamp, type, id, session FROM s EMIT CHANGES;",
                "(Query (query (items (col KEY) (col DATE) (col TIME) (col TIMESTAMP) (col TYPE) "
                "(col ID) (col SESSION)) (from S) (emit CHANGES)))");
    expect_dump("SELECT filter(map, (x, y) => x > y) FROM s PARTITION BY source;",
                "(Query (query (items (call FILTER (col MAP) (lambda (X Y) (> (lvar X) (lvar "
                "Y))))) (from S) (partition_by (col SOURCE))))");
    expect_dump("SELECT a KEY, b AS emit FROM s key;",
                "(Query (query (items (as (col A) KEY) (as (col B) EMIT)) (from S AS KEY)))");
    expect_dump("CREATE STREAM s (key STRING KEY, value STRING, timestamp BIGINT) WITH "
                "(timestamp='timestamp');",
                "(CreateSource STREAM S (columns (KEY STRING KEY) (VALUE STRING) (TIMESTAMP "
                "BIGINT)) (with (TIMESTAMP 'timestamp')))");
    /* reserved words are not names */
    expect_error("SELECT from FROM s;", 1, 8, NULL);
    expect_error("SELECT a FROM select;", 1, 15, NULL);
    /* source names: Kafka Streams' alphabet */
    expect_error("CREATE STREAM `a.b` (x INT) WITH (kafka_topic='t');", 1, 15,
                 "Illegal argument at Line: 1, Col: 15. Source names may only contain "
                 "alphanumeric values, '_' or '-'. Got: 'a.b'");
}

static void test_group_by_forms(void **state)
{
    (void)state;
    expect_dump("SELECT * FROM s GROUP BY (a, b);",
                "(Query (query (items *) (from S) (group_by (col A) (col B))))");
    expect_dump("SELECT * FROM s GROUP BY ();", "(Query (query (items *) (from S) (group_by)))");
    expect_dump("SELECT * FROM s GROUP BY (a), b + 1;",
                "(Query (query (items *) (from S) (group_by (col A) (+ (col B) 1))))");
    expect_error("CREATE TABLE OUTPUT AS SELECT COUNT(*) FROM TEST GROUP BY DATA AND ID;", 1, 64,
                 "line 1:64: Syntax Error\n");
    expect_error("CREATE STREAM OUTPUT AS select * from INPUT partition by NAME AND AGE;", 1, 63,
                 NULL);
    expect_error("CREATE STREAM OUTPUT AS SELECT * FROM INPUT WHERE ID IN ( );", 1, 59, NULL);
}

/* ---- errors ---- */

static void test_syntax_errors(void **state)
{
    (void)state;
    /* ksqlDB's own messages (qtt/key-schemas.json, rest/pull-queries-against-streams.json) */
    expect_error("CREATE STREAM INPUT (K INTEGER (KEY)) WITH (kafka_topic='input',"
                 "value_format='JSON');",
                 1, 33, "line 1:33: Syntax Error\nExpecting {'STRING', INTEGER_VALUE}");
    expect_error("CREATE STREAM INPUT (K VARCHAR(STRING) (KEY)) WITH (kafka_topic='input',"
                 "value_format='JSON');",
                 1, 40, "line 1:40: Syntax Error\nExpecting {',', ')'}");
    expect_error("SELECT * FROM S1 ORDER BY MYKEY DESC;", 1, 24, "line 1:24: Syntax Error\n");
    expect_error("CREATE STREAM INPUT (ID INT KEY, COL0 MAP<STRING, NULL>) WITH (kafka_topic="
                 "'test_topic', value_format='JSON');",
                 1, 51, NULL);
    expect_error("CREATE STREAM OUTPUT AS SELECT * FROM EXPLODE(MY_ARR);", 1, 46, NULL);

    /* the other wording, the offending token, the expected set and the statement span */
    sl_ast_script_t *s = NULL;
    sl_sql_error_t err;
    const char *sql = "SHOW STREAMS;\nCREATE STREAM OUTPUT AS SELECT ID, cast(f0 as NULL) FROM "
                      "TEST;\nSHOW TABLES;";
    assert_int_equal(sl_sql_parse(sql, strlen(sql), &s, &err), SL_INVAL);
    assert_int_equal(err.kind, SL_SQL_ERR_SYNTAX);
    assert_string_equal(err.near, "Syntax error at or near 'NULL' at line 2:47");
    assert_string_equal(err.token, "NULL");
    assert_non_null(strstr(err.expecting, "IDENTIFIER"));
    assert_int_equal(err.stmt_off, 14);
    assert_int_equal(err.stmt_len, strlen("CREATE STREAM OUTPUT AS SELECT ID, cast(f0 as NULL) "
                                          "FROM TEST;"));
    /* end of input */
    assert_int_equal(sl_sql_parse("SELECT * FROM", 13, &s, &err), SL_INVAL);
    assert_string_equal(err.token, "<EOF>");
    assert_int_equal(err.col, 14);
    assert_string_equal(err.msg, "line 1:14: Syntax Error\nExpecting {IDENTIFIER, "
                                 "DIGIT_IDENTIFIER, QUOTED_IDENTIFIER, BACKQUOTED_IDENTIFIER, "
                                 "VARIABLE}");
    /* characters the language does not have, unterminated strings and comments */
    expect_error("SELECT # FROM s;", 1, 8, NULL);
    expect_error("SELECT 'abc FROM s;", 1, 8, NULL);
    expect_error("SELECT a /* never closed", 1, 10, NULL);
    expect_error("SELECT \"x FROM s;", 1, 8, NULL);
    expect_error("SELECT é FROM s;", 1, 8, NULL);
    assert_int_equal(sl_sql_parse("SELECT \xff FROM s;", 16, &s, &err), SL_INVAL);
    assert_string_equal(err.token, "?");
    /* empty statements are not statements */
    expect_error(";", 1, 1, NULL);
    expect_error("SHOW STREAMS;;", 1, 14, NULL);
    /* OR REPLACE only for streams and tables; no CREATE SOURCE ... AS SELECT */
    expect_error("CREATE OR REPLACE TYPE t AS INT;", 1, 19, NULL);
    expect_error("CREATE SOURCE STREAM s AS SELECT * FROM t;", 1, 24, NULL);
    /* error position in the second line of a script */
    expect_error("SHOW STREAMS;\n  SELECT * FROM s WHERE;", 2, 24, NULL);
}

static void test_key_checks(void **state)
{
    (void)state;
    expect_error("CREATE TABLE INPUT (ID INT KEY, NAME STRING) WITH (kafka_topic='input',"
                 "value_format='JSON');",
                 1, 21,
                 "Line: 1, Col: 21: Column `ID` is a 'KEY' column: please use 'PRIMARY KEY' "
                 "for tables.");
    expect_error("CREATE STREAM INPUT (ID INT PRIMARY KEY, NAME STRING) WITH (kafka_topic="
                 "'input',value_format='JSON');",
                 1, 22,
                 "Line: 1, Col: 22: Column `ID` is a 'PRIMARY KEY' column: please use 'KEY' for "
                 "streams.");
    /* the statement span is that of the statement at fault, not the one being read */
    sl_ast_script_t *s = NULL;
    sl_sql_error_t err;
    const char *sql = "SHOW STREAMS;\nSELECT 99999999999999999999 FROM t;\nSHOW TABLES;";
    assert_int_equal(sl_sql_parse(sql, strlen(sql), &s, &err), SL_INVAL);
    assert_int_equal(err.kind, SL_SQL_ERR_INVALID);
    assert_int_equal(err.stmt_off, 14);
    assert_int_equal(err.stmt_len, strlen("SELECT 99999999999999999999 FROM t;"));
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 8);
    /* a syntax error anywhere in the script wins over such a check, as in ksqlDB */
    expect_error("CREATE TABLE T (ID INT KEY) WITH (kafka_topic='x');\nSELECT FROM;", 2, 8, NULL);
}

static void test_limits(void **state)
{
    (void)state;
    /* deep parentheses: refused, not a crash */
    size_t n = 5000;
    char *sql = malloc(n * 2 + 64);
    size_t o = (size_t)sprintf(sql, "SELECT ");
    for (size_t i = 0; i < n; i++)
        sql[o++] = '(';
    sql[o++] = '1';
    for (size_t i = 0; i < n; i++)
        sql[o++] = ')';
    o += (size_t)sprintf(sql + o, " FROM s;");
    sl_ast_script_t *s = NULL;
    sl_sql_error_t err;
    assert_int_equal(sl_sql_parse(sql, o, &s, &err), SL_TOOBIG);
    assert_null(s);
    assert_int_equal(err.kind, SL_SQL_ERR_LIMIT);
    /* a long left-deep chain: bounded by height, not by the parser's stack */
    o = (size_t)sprintf(sql, "SELECT 1");
    for (size_t i = 0; i < 1000 && o + 8 < n * 2; i++)
        o += (size_t)sprintf(sql + o, "+1");
    o += (size_t)sprintf(sql + o, " FROM s;");
    assert_int_equal(sl_sql_parse(sql, o, &s, &err), SL_TOOBIG);
    assert_non_null(strstr(err.msg, "nested deeper than"));
    /* ... but 400 terms are fine */
    o = (size_t)sprintf(sql, "SELECT 1");
    for (size_t i = 0; i < 400; i++)
        o += (size_t)sprintf(sql + o, "+1");
    o += (size_t)sprintf(sql + o, " FROM s;");
    assert_int_equal(sl_sql_parse(sql, o, &s, &err), SL_OK);
    assert_true(s->stmts[0]->u.query->items[0]->expr->height <= SL_SQL_MAX_DEPTH);
    sl_ast_script_free(s);
    /* type nesting through the postfix ARRAY form */
    o = (size_t)sprintf(sql, "CREATE TYPE t AS INT");
    for (size_t i = 0; i < 1000; i++)
        o += (size_t)sprintf(sql + o, " ARRAY");
    assert_int_equal(sl_sql_parse(sql, o, &s, &err), SL_TOOBIG);
    /* NOT NOT NOT ...: the parser's stack */
    o = (size_t)sprintf(sql, "SELECT ");
    for (size_t i = 0; i < 2000; i++)
        o += (size_t)sprintf(sql + o, "NOT ");
    o += (size_t)sprintf(sql + o, "a FROM s;");
    assert_int_equal(sl_sql_parse(sql, o, &s, &err), SL_TOOBIG);
    free(sql);
}

/* ---- scripts, positions ---- */

static void test_script_spans(void **state)
{
    (void)state;
    const char *sql = "-- a comment\nSHOW STREAMS ; /* block\ncomment */ SELECT *\n"
                      "  FROM s EMIT CHANGES;\nDESCRIBE x";
    sl_ast_script_t *s = must_parse(sql);
    assert_int_equal(s->n_stmts, 3);
    assert_string_equal(s->stmts[0]->text, "SHOW STREAMS ;");
    assert_int_equal(s->stmts[0]->pos.line, 2);
    assert_int_equal(s->stmts[0]->pos.col, 1);
    assert_true(s->stmts[0]->terminated);
    assert_string_equal(s->stmts[1]->text, "SELECT *\n  FROM s EMIT CHANGES;");
    assert_int_equal(s->stmts[1]->pos.line, 3);
    assert_int_equal(s->stmts[1]->pos.col, 12);
    assert_int_equal(s->stmts[1]->pos.off, strstr(sql, "SELECT") - sql);
    assert_string_equal(s->stmts[2]->text, "DESCRIBE x");
    assert_false(s->stmts[2]->terminated);
    sl_ast_script_free(s);

    /* empty and comment-only scripts have no statements */
    s = must_parse("");
    assert_int_equal(s->n_stmts, 0);
    sl_ast_script_free(s);
    s = must_parse("  -- nothing\n /* at all */ ");
    assert_int_equal(s->n_stmts, 0);
    sl_ast_script_free(s);

    /* EXPLAINed statements get their own span */
    s = must_parse("EXPLAIN SELECT * FROM s;");
    assert_string_equal(s->stmts[0]->u.explain.stmt->text, "SELECT * FROM s");
    sl_ast_script_free(s);
}

static void test_node_positions(void **state)
{
    (void)state;
    const char *sql = "SELECT a,\n  f(b, 'x') AS y\nFROM s WHERE c->d > -1.5;";
    sl_ast_script_t *s = must_parse(sql);
    const sl_ast_query_t *q = s->stmts[0]->u.query;
    const sl_ast_expr_t *call = q->items[1]->expr;
    assert_int_equal(call->kind, SL_AST_EXPR_CALL);
    assert_int_equal(call->pos.line, 2);
    assert_int_equal(call->pos.col, 3);
    assert_int_equal(call->pos.len, strlen("f(b, 'x')"));
    assert_int_equal(call->u.call.args[1]->pos.col, 8);
    assert_int_equal(q->items[1]->alias.pos.col, 16);
    assert_int_equal(q->from->pos.line, 3);
    assert_int_equal(q->from->pos.col, 6);
    const sl_ast_expr_t *w = q->where;
    assert_int_equal(w->pos.col, 14);
    assert_int_equal(w->pos.len, strlen("c->d > -1.5"));
    assert_int_equal(w->u.binary.right->pos.col, 21);
    assert_string_equal(w->u.binary.right->u.lit.str, "-1.5");
    /* the dump can show them */
    sl_buf_t b;
    sl_buf_init(&b);
    sl_ast_dump_expr(w, SL_AST_DUMP_POS, &b);
    sl_buf_put(&b, "", 1);
    assert_string_equal((char *)b.data, "(> (deref (col C)@3:14 D)@3:14 (decimal -1.5)@3:21)@3:14");
    sl_buf_free(&b);
    sl_ast_script_free(s);
    /* columns count characters, not bytes */
    s = must_parse("SELECT 'é', x FROM s;");
    assert_int_equal(s->stmts[0]->u.query->items[1]->expr->pos.col, 13);
    sl_ast_script_free(s);
}

/* ---- printing ---- */

static void test_format(void **state)
{
    (void)state;
    expect_format_expr("a + b * c", "(A + (B * C))");
    expect_format_expr("NOT a", "(NOT A)");
    expect_format_expr("- -5", "- -5");
    expect_format_expr("-(5)", "-(5)");
    expect_format_expr("-a", "-A");
    expect_format_expr("x IS NOT NULL", "(X IS NOT NULL)");
    expect_format_expr("CAST(x AS ARRAY<INT>)", "CAST(X AS ARRAY<INT>)");
    expect_format_expr("1.5e3", "1.5E3");
    expect_format_expr("100e0", "1E2");
    expect_format_expr("`my col`->f", "`my col`->F");
    expect_format_expr("`SELECT` + 1", "(`SELECT` + 1)");
    expect_format_expr("filter(a, x => x > 1)", "FILTER(A, (X) => (X > 1))");
    expect_format_expr("MAP('a' := 1)", "MAP('a':=1)");
    expect_format_expr("'it''s'", "'it''s'");

    sl_ast_script_t *s = must_parse("create stream o as select a, b x from s where a > 1;");
    sl_buf_t b;
    sl_buf_init(&b);
    sl_ast_format(s->stmts[0], &b);
    sl_buf_put(&b, "", 1);
    assert_string_equal((char *)b.data, "CREATE STREAM O AS SELECT\n  A,\n  B X\nFROM S\n"
                                        "WHERE (A > 1);");
    sl_buf_free(&b);
    sl_ast_script_free(s);

    expect_round_trip(
        "CREATE OR REPLACE STREAM `o-1` WITH (kafka_topic='o', 'x.y'=1) AS SELECT "
        "a->b[1] `c d`, -(5), - -5, x NOT BETWEEN 1 AND 2, CASE WHEN a THEN b END, "
        "transform(m, (k, v) => k), struct(`a` := 1), map(), array[], c NOT LIKE 'x' ESCAPE "
        "'!', ts AT TIME ZONE 'UTC', (a)[1], count(*), dateadd(DAYS, 1, d), ${v}, map, "
        "`ARRAY`, x IS NOT DISTINCT FROM y FROM s AS `from` LEFT OUTER JOIN t WITHIN (1 SECOND, "
        "2 HOURS) GRACE PERIOD 3 DAYS ON s.k = t.k WINDOW TUMBLING (SIZE 1 DAY, RETENTION 2 "
        "DAYS, GRACE PERIOD 0 SECONDS) WHERE a IN (1, 2) GROUP BY () PARTITION BY a, b HAVING "
        "count(*) > 1 EMIT CHANGES LIMIT 5;");
    expect_round_trip("CREATE TABLE t (k STRUCT<a INT, `b c` DECIMAL(4, 2)> PRIMARY KEY, v "
                      "VARCHAR(STRING) HEADER('h'), w BYTES HEADERS) WITH (format='JSON');"
                      "INSERT INTO t (k, `v`) VALUES (1, 'x'); DESCRIBE `TABLES` EXTENDED;"
                      "PRINT 'Topic' FROM BEGINNING LIMIT 2; SET 'a'='b'; DEFINE x = 'y';"
                      "CREATE TYPE `T` AS MAP<STRING, INT ARRAY>; TERMINATE ALL; EXPLAIN q1;"
                      "ASSERT TOPIC t TIMEOUT 1 MINUTE; SHOW SINK CONNECTORS; DROP STREAM s;");
}

static void test_keywords_api(void **state)
{
    (void)state;
    assert_true(sl_sql_is_reserved("select", 6));
    assert_true(sl_sql_is_reserved("FROM", 4));
    assert_false(sl_sql_is_reserved("KEY", 3));
    assert_false(sl_sql_is_reserved("ID", 2));
    assert_false(sl_sql_is_reserved("foo", 3));
    assert_true(sl_sql_is_keyword("emit", 4));
    size_t n = 0;
    while (sl_sql_keyword(n))
        n++;
    assert_true(n > 100);
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(sl_sql_keyword(i - 1), sl_sql_keyword(i)) < 0);
    sl_ast_duration_t d = {3, SL_AST_UNIT_MINUTES, {0, 0, 0, 0}};
    assert_int_equal(sl_ast_duration_ms(&d), 180000);
    assert_string_equal(sl_ast_stmt_kind_name(SL_AST_STMT_CREATE_AS), "CreateAsSelect");
    assert_string_equal(sl_ast_expr_kind_name(SL_AST_EXPR_CALL), "call");
    assert_string_equal(sl_ast_op_str(SL_AST_OP_IS_DISTINCT), "IS DISTINCT FROM");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_source),
        cmocka_unit_test(test_create_as),
        cmocka_unit_test(test_insert),
        cmocka_unit_test(test_misc_statements),
        cmocka_unit_test(test_test_and_shell_statements),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_primaries),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_group_by_forms),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_key_checks),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_script_spans),
        cmocka_unit_test(test_node_positions),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_keywords_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
