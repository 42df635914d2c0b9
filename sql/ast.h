/*
 * ast.h — the syntax tree of the ksqlDB SQL dialect, as sql/parser.h produces it.
 *
 * The tree is syntax only: names are resolved to their spelling rules (unquoted identifiers
 * upper-cased, `back-quoted` and "double-quoted" ones kept as written), literals are decoded,
 * types are names with parameters. Nothing here knows about the catalog, the function
 * registry or the semantic type system (sql/types.h); the planner converts.
 *
 * Invariants:
 * - Every node lives in the arena of the sl_ast_script_t that holds it and is freed with it
 *   (sl_ast_script_free). Nodes are immutable after parsing; any number of threads may read
 *   one script at once. Pointers between scripts are never made.
 * - Every node carries the position of its first token (sl_ast_pos_t): byte offset, 1-based
 *   line and 1-based column (in characters, as ksqlDB counts them), and the number of bytes up
 *   to the end of its last token, so errors can point at and underline the source.
 * - Optional children are NULL when absent; optional identifiers have name == NULL. Lists are
 *   (pointer array, count) pairs; a count of 0 may come with a NULL array.
 * - Strings are NUL-terminated. String literals may hold NUL bytes, so they also carry a length.
 *
 * Expression precedence follows ksqlDB's grammar, loosest first:
 *   OR < AND < NOT < predicates (= <> != < <= > >= IS [NOT] NULL, IS [NOT] DISTINCT FROM,
 *   [NOT] BETWEEN, [NOT] IN, [NOT] LIKE; not associative) < || < + - < * / % < unary + -
 *   < AT TIME ZONE < primaries (literals, columns, calls, a->b, a[i], CASE, CAST, ...).
 */
#ifndef SL_SQL_AST_H
#define SL_SQL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Where a node came from in the script text. */
typedef struct sl_ast_pos_s {
    uint32_t off;  /* byte offset of the node's first byte in the script text */
    uint32_t len;  /* bytes from off to the end of the node's last token */
    uint32_t line; /* 1-based line of off */
    uint32_t col;  /* 1-based column of off, counted in characters (UTF-8 code points) */
} sl_ast_pos_t;

/* How an identifier was written. */
typedef enum sl_ast_quote_e {
    SL_AST_QUOTE_NONE = 0, /* NAME: upper-cased */
    SL_AST_QUOTE_BACK,     /* `Name`: kept as written, `` is a literal ` */
    SL_AST_QUOTE_DOUBLE,   /* "Name": kept as written, "" is a literal " */
    SL_AST_QUOTE_VARIABLE, /* ${name}: a reference to a DEFINEd variable; name holds "name" */
} sl_ast_quote_t;

/* An identifier (column, source, alias, function, type or property name). Held by value. */
typedef struct sl_ast_ident_s {
    const char *name;     /* resolved text; NULL when an optional identifier is absent */
    sl_ast_quote_t quote; /* how it was written */
    sl_ast_pos_t pos;     /* the token */
} sl_ast_ident_t;

/* Time units of windows, WITHIN, timeouts and of function arguments such as DATEADD(DAYS,..). */
typedef enum sl_ast_unit_e {
    SL_AST_UNIT_MILLISECONDS = 0, /* MILLISECOND(S) */
    SL_AST_UNIT_SECONDS,          /* SECOND(S) */
    SL_AST_UNIT_MINUTES,          /* MINUTE(S) */
    SL_AST_UNIT_HOURS,            /* HOUR(S) */
    SL_AST_UNIT_DAYS,             /* DAY(S) */
} sl_ast_unit_t;

/* "5 SECONDS" */
typedef struct sl_ast_duration_s {
    int64_t size;       /* as written (may be negative: the grammar allows a sign) */
    sl_ast_unit_t unit; /* unit as written */
    sl_ast_pos_t pos;   /* from the number to the unit */
} sl_ast_duration_t;

/* Milliseconds in d, saturating at INT64_MIN/INT64_MAX. */
int64_t sl_ast_duration_ms(const sl_ast_duration_t *d);

/* ---------------------------------------------------------------------------------------- */
/* Types (syntactic)                                                                         */

typedef enum sl_ast_type_kind_e {
    SL_AST_TYPE_NAMED = 1, /* INT, BIGINT, STRING, VARCHAR(10), custom type names ... */
    SL_AST_TYPE_DECIMAL,   /* DECIMAL(precision, scale) */
    SL_AST_TYPE_ARRAY,     /* ARRAY<elem>, also the postfix form "elem ARRAY" */
    SL_AST_TYPE_MAP,       /* MAP<key, elem> */
    SL_AST_TYPE_STRUCT,    /* STRUCT<name type, ...> */
} sl_ast_type_kind_t;

typedef struct sl_ast_type_s sl_ast_type_t;

/* One field of STRUCT<...>. */
typedef struct sl_ast_field_s {
    sl_ast_ident_t name; /* field name (resolved like any identifier) */
    sl_ast_type_t *type; /* field type */
} sl_ast_field_t;

struct sl_ast_type_s {
    sl_ast_type_kind_t kind;
    sl_ast_pos_t pos;
    sl_ast_ident_t name;     /* NAMED: the type name, e.g. "INT", "VARCHAR", "MY_TYPE" */
    const char **params;     /* NAMED: parenthesised parameters as written ("10", "STRING") */
    uint32_t n_params;       /* NAMED: number of params (0 without parentheses) */
    int64_t precision;       /* DECIMAL */
    int64_t scale;           /* DECIMAL */
    sl_ast_type_t *key;      /* MAP: key type */
    sl_ast_type_t *elem;     /* ARRAY: element type; MAP: value type */
    sl_ast_field_t **fields; /* STRUCT: fields in order (may be empty: STRUCT<>) */
    uint32_t n_fields;       /* STRUCT */
    uint32_t height;         /* 1 + the highest child's height (<= SL_SQL_MAX_DEPTH) */
};

/* ---------------------------------------------------------------------------------------- */
/* Expressions                                                                               */

/* X(name, printable) — every expression kind. */
#define SL_AST_EXPR_KINDS(X)                                                                       \
    X(LITERAL, "lit")          /* NULL, TRUE, 42, 1.5, 1e3, 'text', typed 'text' */                \
    X(VARIABLE, "var")         /* ${name} where a value is expected */                             \
    X(COLUMN, "col")           /* NAME or SOURCE.NAME */                                           \
    X(LAMBDA_VAR, "lvar")      /* a lambda parameter used in the lambda's body */                  \
    X(DEREF, "deref")          /* base->FIELD */                                                   \
    X(SUBSCRIPT, "subscript")  /* base[index] */                                                   \
    X(CALL, "call")            /* F(args), F(*) */                                                 \
    X(LAMBDA, "lambda")        /* x => body, (x, y) => body (function arguments only) */           \
    X(UNARY, "unary")          /* -x, +x, NOT x */                                                 \
    X(BINARY, "binary")        /* arithmetic, ||, AND, OR, comparisons, IS DISTINCT FROM */        \
    X(IS_NULL, "is_null")      /* x IS [NOT] NULL */                                               \
    X(BETWEEN, "between")      /* x [NOT] BETWEEN a AND b */                                       \
    X(IN, "in")                /* x [NOT] IN (a, b, ...) */                                        \
    X(LIKE, "like")            /* x [NOT] LIKE p [ESCAPE 'c'] */                                   \
    X(CASE, "case")            /* CASE [operand] WHEN .. THEN .. [ELSE ..] END */                  \
    X(CAST, "cast")            /* CAST(x AS type) */                                               \
    X(ARRAY, "array")          /* ARRAY[a, b] */                                                   \
    X(MAP, "map")              /* MAP(k := v, ...) */                                              \
    X(STRUCT, "struct")        /* STRUCT(F := v, ...) */                                           \
    X(INTERVAL_UNIT, "unit")   /* a time unit given as a function argument: DAYS */                \
    X(AT_TIME_ZONE, "at_zone") /* x AT TIME ZONE 'zone' */

typedef enum sl_ast_expr_kind_e {
#define SL_AST_EXPR_ENUM_(name, str) SL_AST_EXPR_##name,
    SL_AST_EXPR_KINDS(SL_AST_EXPR_ENUM_)
#undef SL_AST_EXPR_ENUM_
        SL_AST_EXPR_KIND_COUNT_
} sl_ast_expr_kind_t;

typedef enum sl_ast_lit_kind_e {
    SL_AST_LIT_NULL = 0,
    SL_AST_LIT_BOOL,    /* b */
    SL_AST_LIT_INT,     /* an integer that fits 32 bits: i */
    SL_AST_LIT_BIGINT,  /* an integer that fits 64 bits but not 32: i */
    SL_AST_LIT_DECIMAL, /* digits with a point and no exponent: str holds the text, e.g. "-1.50" */
    SL_AST_LIT_DOUBLE,  /* with an exponent (1.5E3): d, and str holds the text */
    SL_AST_LIT_STRING,  /* 'text': str/len hold the text with '' collapsed */
    SL_AST_LIT_TYPED,   /* identifier 'text', e.g. DECIMAL '1.5': type_name and str/len */
} sl_ast_lit_kind_t;

typedef enum sl_ast_op_e {
    SL_AST_OP_NONE = 0,
    /* unary */
    SL_AST_OP_NEG,  /* -x */
    SL_AST_OP_PLUS, /* +x */
    SL_AST_OP_NOT,  /* NOT x */
    /* binary arithmetic */
    SL_AST_OP_ADD,    /* + */
    SL_AST_OP_SUB,    /* - */
    SL_AST_OP_MUL,    /* * */
    SL_AST_OP_DIV,    /* / */
    SL_AST_OP_MOD,    /* % */
    SL_AST_OP_CONCAT, /* || (ksqlDB turns it into CONCAT(a, b)) */
    /* logical */
    SL_AST_OP_AND,
    SL_AST_OP_OR,
    /* comparisons */
    SL_AST_OP_EQ,          /* = */
    SL_AST_OP_NE,          /* <> or != */
    SL_AST_OP_LT,          /* < */
    SL_AST_OP_LE,          /* <= */
    SL_AST_OP_GT,          /* > */
    SL_AST_OP_GE,          /* >= */
    SL_AST_OP_IS_DISTINCT, /* IS DISTINCT FROM (with negated: IS NOT DISTINCT FROM) */
} sl_ast_op_t;

/* The SQL spelling of an operator ("+", "AND", "IS DISTINCT FROM", ...). */
const char *sl_ast_op_str(sl_ast_op_t op);

typedef struct sl_ast_expr_s sl_ast_expr_t;

/* WHEN cond THEN result (simple CASE: cond is the value compared with the operand). */
typedef struct sl_ast_when_s {
    sl_ast_expr_t *cond;   /* condition, or the value of a simple CASE */
    sl_ast_expr_t *result; /* result */
    sl_ast_pos_t pos;      /* from WHEN to the end of result */
} sl_ast_when_t;

struct sl_ast_expr_s {
    sl_ast_expr_kind_t kind;
    sl_ast_pos_t pos; /* whole expression (without enclosing parentheses) */
    bool parens;      /* written inside (...) — for faithful printing only */
    uint32_t height;  /* 1 for a leaf, else 1 + the highest child's (<= SL_SQL_MAX_DEPTH), so
                         recursive walks over parsed trees are bounded */
    union {
        struct {
            sl_ast_lit_kind_t kind;   /* which literal */
            bool b;                   /* BOOL */
            int64_t i;                /* INT, BIGINT */
            double d;                 /* DOUBLE */
            const char *str;          /* DECIMAL/DOUBLE text; STRING/TYPED value */
            uint32_t len;             /* bytes in str */
            sl_ast_ident_t type_name; /* TYPED: the identifier before the string */
        } lit;
        sl_ast_ident_t var; /* VARIABLE: name of the variable */
        struct {
            sl_ast_ident_t source; /* qualifier (source name or alias); name NULL if none */
            sl_ast_ident_t name;   /* column (or lambda parameter) name */
        } col;                     /* COLUMN, LAMBDA_VAR */
        struct {
            sl_ast_expr_t *base;  /* struct-valued expression */
            sl_ast_ident_t field; /* field name */
        } deref;
        struct {
            sl_ast_expr_t *base;  /* array or map */
            sl_ast_expr_t *index; /* 1-based array index (negative counts from the end) or key */
        } subscript;
        struct {
            sl_ast_ident_t name;  /* function name, upper-cased unless quoted */
            sl_ast_expr_t **args; /* arguments; lambdas and INTERVAL_UNITs among them */
            uint32_t n_args;      /* entries in args */
            bool star;            /* F(*), as in COUNT(*): no args */
        } call;
        struct {
            sl_ast_ident_t *params; /* parameter names */
            uint32_t n_params;      /* entries in params */
            sl_ast_expr_t *body;    /* the lambda body */
        } lambda;
        struct {
            sl_ast_op_t op;     /* NEG, PLUS, NOT */
            sl_ast_expr_t *arg; /* the operand */
        } unary;
        struct {
            sl_ast_op_t op;       /* which operator */
            bool negated;         /* IS NOT DISTINCT FROM */
            sl_ast_expr_t *left;  /* left operand */
            sl_ast_expr_t *right; /* right operand */
        } binary;
        struct {
            sl_ast_expr_t *arg; /* the operand */
            bool negated;       /* IS NOT NULL */
        } is_null;
        struct {
            sl_ast_expr_t *value; /* the value tested */
            sl_ast_expr_t *low;   /* lower bound (inclusive) */
            sl_ast_expr_t *high;  /* upper bound (inclusive) */
            bool negated;         /* NOT BETWEEN */
        } between;
        struct {
            sl_ast_expr_t *value; /* the value tested */
            sl_ast_expr_t **list; /* at least one */
            uint32_t n_list;      /* entries in list */
            bool negated;         /* NOT IN */
        } in;
        struct {
            sl_ast_expr_t *value;   /* the value tested */
            sl_ast_expr_t *pattern; /* the LIKE pattern */
            const char *escape;     /* ESCAPE 'c' as written (unescaped); NULL if none */
            bool negated;           /* NOT LIKE */
        } like;
        struct {
            sl_ast_expr_t *operand; /* simple CASE; NULL for a searched CASE */
            sl_ast_when_t **whens;  /* at least one */
            uint32_t n_whens;       /* entries in whens */
            sl_ast_expr_t *else_;   /* NULL if no ELSE */
        } case_;
        struct {
            sl_ast_expr_t *arg;  /* the operand */
            sl_ast_type_t *type; /* the type */
        } cast;
        struct {
            sl_ast_expr_t **items; /* may be empty */
            uint32_t n_items;      /* entries in items */
        } array;
        struct {
            sl_ast_expr_t **keys;   /* n_entries keys and values */
            sl_ast_expr_t **values; /* values, index for index with the keys/names */
            uint32_t n_entries;     /* entries in keys and values */
        } map;
        struct {
            sl_ast_ident_t *names;  /* field names */
            sl_ast_expr_t **values; /* values, index for index with the keys/names */
            uint32_t n_fields;      /* entries in names and values */
        } struct_;
        sl_ast_unit_t unit; /* INTERVAL_UNIT */
        struct {
            sl_ast_expr_t *arg; /* the operand */
            const char *zone;   /* time zone string */
        } at_zone;
    } u;
};

/* ---------------------------------------------------------------------------------------- */
/* Queries                                                                                   */

typedef enum sl_ast_select_kind_e {
    SL_AST_SELECT_EXPR = 1,   /* expr [[AS] alias] */
    SL_AST_SELECT_ALL,        /* * */
    SL_AST_SELECT_SOURCE_ALL, /* source.* */
    SL_AST_SELECT_STRUCT_ALL, /* expr->* */
} sl_ast_select_kind_t;

typedef struct sl_ast_select_item_s {
    sl_ast_select_kind_t kind;
    sl_ast_pos_t pos;
    sl_ast_expr_t *expr;   /* EXPR, STRUCT_ALL */
    sl_ast_ident_t alias;  /* EXPR: alias; name NULL if none */
    sl_ast_ident_t source; /* SOURCE_ALL: the source or alias before .* */
} sl_ast_select_item_t;

/* A source in FROM or JOIN: NAME [[AS] ALIAS]. */
typedef struct sl_ast_source_ref_s {
    sl_ast_ident_t name;  /* stream or table */
    sl_ast_ident_t alias; /* name NULL if none (ksqlDB then uses the source name) */
    sl_ast_pos_t pos;
} sl_ast_source_ref_t;

typedef enum sl_ast_join_type_e {
    SL_AST_JOIN_INNER = 1, /* [INNER] JOIN */
    SL_AST_JOIN_LEFT,      /* LEFT [OUTER] JOIN */
    SL_AST_JOIN_RIGHT,     /* RIGHT [OUTER] JOIN */
    SL_AST_JOIN_FULL,      /* FULL [OUTER] JOIN */
} sl_ast_join_type_t;

/* WITHIN size | WITHIN (before, after), [GRACE PERIOD g] */
typedef struct sl_ast_within_s {
    sl_ast_duration_t before; /* the single size, or the first of two */
    sl_ast_duration_t after;  /* equal to before for the single form */
    bool two_sided;           /* written as (before, after) */
    bool has_grace;           /* GRACE PERIOD given */
    sl_ast_duration_t grace;
    sl_ast_pos_t pos; /* from WITHIN */
} sl_ast_within_t;

typedef struct sl_ast_join_s {
    sl_ast_join_type_t type;
    bool outer_kw; /* the optional OUTER was written */
    sl_ast_source_ref_t *right;
    sl_ast_within_t *within; /* NULL if none */
    sl_ast_expr_t *on;       /* ON condition */
    sl_ast_pos_t pos;        /* from the join type keywords */
} sl_ast_join_t;

typedef enum sl_ast_window_kind_e {
    SL_AST_WINDOW_TUMBLING = 1,
    SL_AST_WINDOW_HOPPING,
    SL_AST_WINDOW_SESSION,
} sl_ast_window_kind_t;

/* WINDOW [name] TUMBLING (SIZE s [, RETENTION r] [, GRACE PERIOD g]) and friends. */
typedef struct sl_ast_window_s {
    sl_ast_window_kind_t kind;
    sl_ast_ident_t name;       /* the optional window name; NULL if none */
    sl_ast_duration_t size;    /* TUMBLING/HOPPING SIZE; SESSION gap */
    sl_ast_duration_t advance; /* HOPPING ADVANCE BY */
    bool has_retention;
    sl_ast_duration_t retention;
    bool has_grace;
    sl_ast_duration_t grace;
    sl_ast_pos_t pos; /* from WINDOW */
} sl_ast_window_t;

typedef enum sl_ast_emit_e {
    SL_AST_EMIT_NONE = 0, /* no EMIT clause: a pull query unless inside CSAS/CTAS/INSERT */
    SL_AST_EMIT_CHANGES,
    SL_AST_EMIT_FINAL,
} sl_ast_emit_t;

typedef struct sl_ast_query_s {
    sl_ast_pos_t pos;             /* from SELECT */
    sl_ast_select_item_t **items; /* at least one */
    uint32_t n_items;
    sl_ast_source_ref_t *from; /* the first (left) source */
    sl_ast_join_t **joins;     /* further sources, in order */
    uint32_t n_joins;
    sl_ast_window_t *window; /* NULL if none */
    sl_ast_expr_t *where;    /* NULL if none */
    bool has_group_by;       /* GROUP BY present (GROUP BY () has no expressions) */
    sl_ast_expr_t **group_by;
    uint32_t n_group_by;
    bool has_partition_by; /* PARTITION BY present */
    sl_ast_expr_t **partition_by;
    uint32_t n_partition_by;
    sl_ast_expr_t *having; /* NULL if none */
    sl_ast_emit_t emit;
    sl_ast_expr_t *limit; /* LIMIT literal (a number as written); NULL if none */
} sl_ast_query_t;

/* ---------------------------------------------------------------------------------------- */
/* Statements                                                                                */

/* WITH (name = literal, 'name' = literal, ...) */
typedef struct sl_ast_prop_s {
    const char *name;     /* identifier upper-cased (unless quoted) or string as written */
    bool name_is_string;  /* written as 'name' */
    sl_ast_expr_t *value; /* a LITERAL or VARIABLE */
    sl_ast_pos_t pos;     /* from the name to the end of the value */
} sl_ast_prop_t;

/* The property named name (compared case-insensitively, as ksqlDB does), or NULL. */
const sl_ast_prop_t *sl_ast_prop_find(sl_ast_prop_t *const *props, uint32_t n, const char *name);

typedef enum sl_ast_constraint_e {
    SL_AST_COL_VALUE = 0,   /* an ordinary value column */
    SL_AST_COL_KEY,         /* KEY (streams) */
    SL_AST_COL_PRIMARY_KEY, /* PRIMARY KEY (tables) */
    SL_AST_COL_HEADERS,     /* HEADERS: all headers */
    SL_AST_COL_HEADER,      /* HEADER('key'): one header */
} sl_ast_constraint_t;

/* A column definition: NAME type [KEY | PRIMARY KEY | HEADERS | HEADER('k')]. */
typedef struct sl_ast_column_s {
    sl_ast_ident_t name;
    sl_ast_type_t *type;
    sl_ast_constraint_t constraint;
    const char *header_key; /* HEADER('k'): k; else NULL */
    sl_ast_pos_t pos;
} sl_ast_column_t;

typedef enum sl_ast_source_type_e {
    SL_AST_STREAM = 1,
    SL_AST_TABLE,
} sl_ast_source_type_t;

/* X(name, printable) — every statement kind. */
#define SL_AST_STMT_KINDS(X)                                                                       \
    X(QUERY, "Query")                          /* SELECT ... */                                    \
    X(CREATE_SOURCE, "CreateSource")           /* CREATE [SOURCE] STREAM|TABLE name (...) */       \
    X(CREATE_AS, "CreateAsSelect")             /* CREATE STREAM|TABLE name AS SELECT (CSAS) */     \
    X(INSERT_INTO, "InsertInto")               /* INSERT INTO name SELECT ... */                   \
    X(INSERT_VALUES, "InsertValues")           /* INSERT INTO name [(cols)] VALUES (...) */        \
    X(DROP_SOURCE, "DropSource")               /* DROP STREAM|TABLE */                             \
    X(CREATE_TYPE, "RegisterType")             /* CREATE TYPE name AS type */                      \
    X(DROP_TYPE, "DropType")                   /* DROP TYPE */                                     \
    X(TERMINATE, "TerminateQuery")             /* TERMINATE id | ALL */                            \
    X(LIST, "List")                            /* SHOW|LIST ... */                                 \
    X(DESCRIBE, "ShowColumns")                 /* DESCRIBE name [EXTENDED] */                      \
    X(DESCRIBE_SOURCES, "DescribeSources")     /* DESCRIBE STREAMS|TABLES [EXTENDED] */            \
    X(DESCRIBE_FUNCTION, "DescribeFunction")   /* DESCRIBE FUNCTION f */                           \
    X(DESCRIBE_CONNECTOR, "DescribeConnector") /* DESCRIBE CONNECTOR c */                          \
    X(EXPLAIN, "Explain")                      /* EXPLAIN statement | query_id */                  \
    X(PRINT, "PrintTopic")                     /* PRINT topic ... */                               \
    X(SET, "SetProperty")                      /* SET 'k' = 'v' */                                 \
    X(UNSET, "UnsetProperty")                  /* UNSET 'k' */                                     \
    X(ALTER_SYSTEM, "AlterSystemProperty")     /* ALTER SYSTEM 'k' = 'v' */                        \
    X(DEFINE, "DefineVariable")                /* DEFINE name = 'v' */                             \
    X(UNDEFINE, "UndefineVariable")            /* UNDEFINE name */                                 \
    X(RUN_SCRIPT, "RunScript")                 /* RUN SCRIPT 'file' (shell only) */                \
    X(CREATE_CONNECTOR, "CreateConnector")     /* CREATE SOURCE|SINK CONNECTOR */                  \
    X(DROP_CONNECTOR, "DropConnector")         /* DROP CONNECTOR */                                \
    X(ALTER_SOURCE, "AlterSource")             /* ALTER STREAM|TABLE name ADD COLUMN ... */        \
    X(ASSERT_TOPIC, "AssertTopic")             /* ASSERT [NOT EXISTS] TOPIC */                     \
    X(ASSERT_SCHEMA, "AssertSchema")           /* ASSERT [NOT EXISTS] SCHEMA */                    \
    X(ASSERT_VALUES, "AssertValues")           /* ASSERT VALUES (test scripts only) */             \
    X(ASSERT_TOMBSTONE, "AssertTombstone")     /* ASSERT NULL VALUES (test scripts only) */        \
    X(ASSERT_SOURCE, "AssertSource")           /* ASSERT STREAM|TABLE (test scripts only) */

typedef enum sl_ast_stmt_kind_e {
#define SL_AST_STMT_ENUM_(name, str) SL_AST_STMT_##name,
    SL_AST_STMT_KINDS(SL_AST_STMT_ENUM_)
#undef SL_AST_STMT_ENUM_
        SL_AST_STMT_KIND_COUNT_
} sl_ast_stmt_kind_t;

/* What SHOW/LIST lists. */
typedef enum sl_ast_list_what_e {
    SL_AST_LIST_STREAMS = 1,
    SL_AST_LIST_TABLES,
    SL_AST_LIST_TOPICS,
    SL_AST_LIST_QUERIES,
    SL_AST_LIST_PROPERTIES,
    SL_AST_LIST_FUNCTIONS,
    SL_AST_LIST_TYPES,
    SL_AST_LIST_VARIABLES,
    SL_AST_LIST_CONNECTORS,
    SL_AST_LIST_CONNECTOR_PLUGINS,
} sl_ast_list_what_t;

typedef struct sl_ast_stmt_s sl_ast_stmt_t;

/* CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] name [(cols)] [WITH (props)];
 * also ASSERT STREAM|TABLE name [(cols)] [WITH (props)] in test scripts. */
typedef struct sl_ast_create_source_s {
    sl_ast_source_type_t type;
    bool or_replace;
    bool if_not_exists;
    bool source; /* CREATE SOURCE ...: read-only, materialised */
    sl_ast_ident_t name;
    sl_ast_column_t **columns; /* may be empty: columns inferred from the registry */
    uint32_t n_columns;
    sl_ast_prop_t **props;
    uint32_t n_props;
} sl_ast_create_source_t;

/* CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name [WITH (props)] AS query */
typedef struct sl_ast_create_as_s {
    sl_ast_source_type_t type;
    bool or_replace;
    bool if_not_exists;
    sl_ast_ident_t name;
    sl_ast_prop_t **props;
    uint32_t n_props;
    sl_ast_query_t *query;
} sl_ast_create_as_t;

/* INSERT INTO name [WITH (props)] query */
typedef struct sl_ast_insert_into_s {
    sl_ast_ident_t target;
    sl_ast_prop_t **props;
    uint32_t n_props;
    sl_ast_query_t *query;
} sl_ast_insert_into_t;

/* INSERT INTO name [(cols)] VALUES (values); ASSERT [NULL] VALUES in test scripts. */
typedef struct sl_ast_insert_values_s {
    sl_ast_ident_t target;
    sl_ast_ident_t *columns; /* may be empty: all columns in order */
    uint32_t n_columns;
    sl_ast_expr_t **values; /* may be empty */
    uint32_t n_values;
} sl_ast_insert_values_t;

struct sl_ast_stmt_s {
    sl_ast_stmt_kind_t kind;
    sl_ast_pos_t pos; /* the statement, from its first token to its ';' included */
    const char *text; /* copy of the statement text (pos.off, pos.len), NUL-terminated */
    bool terminated;  /* ended by ';' (the last statement of a script may omit it) */
    union {
        sl_ast_query_t *query;                /* QUERY */
        sl_ast_create_source_t create_source; /* CREATE_SOURCE, ASSERT_SOURCE */
        sl_ast_create_as_t create_as;         /* CREATE_AS */
        sl_ast_insert_into_t insert_into;     /* INSERT_INTO */
        sl_ast_insert_values_t insert_values; /* INSERT_VALUES, ASSERT_VALUES, _TOMBSTONE */
        struct {
            sl_ast_source_type_t type; /* STREAM or TABLE */
            bool if_exists;            /* IF EXISTS */
            bool delete_topic;         /* DELETE TOPIC */
            sl_ast_ident_t name;       /* the object named */
        } drop_source;                 /* DROP_SOURCE */
        struct {
            bool if_not_exists;  /* IF NOT EXISTS */
            sl_ast_ident_t name; /* the object named */
            sl_ast_type_t *type; /* the type */
        } create_type;           /* CREATE_TYPE */
        struct {
            bool if_exists;      /* IF EXISTS */
            sl_ast_ident_t name; /* the object named */
        } drop_named;            /* DROP_TYPE, DROP_CONNECTOR */
        struct {
            bool all;                /* TERMINATE ALL */
            sl_ast_ident_t query_id; /* upper-cased unless quoted */
        } terminate;
        struct {
            sl_ast_list_what_t what; /* what is listed */
            bool extended;           /* ... EXTENDED */
            bool all;                /* SHOW ALL TOPICS */
            int scope;               /* CONNECTORS: 0 all, 1 SOURCE, 2 SINK */
        } list;
        struct {
            sl_ast_ident_t name; /* the object named */
            bool extended;       /* EXTENDED */
        } describe;              /* DESCRIBE */
        struct {
            sl_ast_list_what_t what; /* STREAMS or TABLES */
            bool extended;           /* EXTENDED */
        } describe_sources;
        sl_ast_ident_t describe_named; /* DESCRIBE_FUNCTION, DESCRIBE_CONNECTOR */
        struct {
            sl_ast_stmt_t *stmt;     /* EXPLAIN statement; NULL for EXPLAIN query_id */
            sl_ast_ident_t query_id; /* EXPLAIN query_id */
        } explain;
        struct {
            const char *topic;       /* as written: ksqlDB keeps the case of an unquoted name */
            bool quoted;             /* written as 'topic' */
            bool from_beginning;     /* FROM BEGINNING */
            sl_ast_expr_t *interval; /* INTERVAL|SAMPLE n literal; NULL if none */
            sl_ast_expr_t *limit;    /* LIMIT n literal; NULL if none */
        } print;
        struct {
            const char *name;   /* property or variable name */
            const char *value;  /* SET/ALTER SYSTEM/DEFINE: value; NULL otherwise */
            bool name_is_var;   /* SET/UNSET ${var} ... */
            bool value_is_var;  /* SET ... = ${var} */
        } set;                  /* SET, UNSET, ALTER_SYSTEM, DEFINE, UNDEFINE */
        const char *run_script; /* RUN_SCRIPT: the file */
        struct {
            bool source;           /* SOURCE or SINK */
            bool if_not_exists;    /* IF NOT EXISTS */
            sl_ast_ident_t name;   /* the object named */
            sl_ast_prop_t **props; /* WITH properties */
            uint32_t n_props;      /* entries in props */
        } create_connector;
        struct {
            sl_ast_source_type_t type; /* STREAM or TABLE */
            sl_ast_ident_t name;       /* the object named */
            sl_ast_column_t **columns; /* ADD [COLUMN] name type, ... */
            uint32_t n_columns;        /* entries in columns */
        } alter_source;
        struct {
            bool not_exists;           /* ASSERT NOT EXISTS ... */
            const char *name;          /* TOPIC name / SCHEMA SUBJECT (NULL if no subject) */
            sl_ast_expr_t *id;         /* SCHEMA ID literal; NULL if none */
            sl_ast_prop_t **props;     /* TOPIC WITH (...) */
            uint32_t n_props;          /* entries in props */
            bool has_timeout;          /* TIMEOUT given */
            sl_ast_duration_t timeout; /* TIMEOUT, when has_timeout */
        } assert_;                     /* ASSERT_TOPIC, ASSERT_SCHEMA */
    } u;
};

/* A parsed script: its statements in order. Owns every node, in one arena. */
typedef struct sl_ast_script_s {
    sl_ast_stmt_t **stmts; /* statements in order */
    uint32_t n_stmts;
    const char *src; /* copy of the whole script text, NUL-terminated */
    size_t src_len;  /* bytes in src */
    void *arena_;    /* private: the arena every node lives in */
} sl_ast_script_t;

/* Frees a script and every node in it. NULL is fine. */
void sl_ast_script_free(sl_ast_script_t *script);

/* Printable name of a kind ("CreateAsSelect", "call", ...). Never NULL. */
const char *sl_ast_stmt_kind_name(sl_ast_stmt_kind_t kind);
const char *sl_ast_expr_kind_name(sl_ast_expr_kind_t kind);
/* "MILLISECONDS" ... "DAYS" */
const char *sl_ast_unit_name(sl_ast_unit_t unit);

/* ---------------------------------------------------------------------------------------- */
/* Printing                                                                                  */

/* sl_ast_dump flags */
#define SL_AST_DUMP_POS 1 /* append @line:col to every node */

/*
 * Appends a one-line S-expression of the statement to out (no trailing newline), e.g.
 *   (CreateAsSelect STREAM OUTPUT (query (items (col ID)) (from TEST)))
 * Stable: tests compare it, EXPLAIN may show it. NUL bytes in strings are printed as \0.
 */
void sl_ast_dump(const sl_ast_stmt_t *stmt, int flags, sl_buf_t *out);
void sl_ast_dump_expr(const sl_ast_expr_t *expr, int flags, sl_buf_t *out);
void sl_ast_dump_type(const sl_ast_type_t *type, sl_buf_t *out);

/*
 * Appends the statement as canonical ksqlDB SQL (keywords upper case, names back-quoted where
 * an unquoted name would not read back the same, expressions formatted as ksqlDB's
 * ExpressionFormatter does: "(A + B)", "CAST(X AS INT)", "X->F", ...) and a final ';'.
 * The output parses back to an equivalent tree. To print a statement rewritten the way
 * ksqlDB echoes it (CSAS with the sink's WITH properties and EMIT CHANGES added), copy the
 * structs to change (they are plain data), point the copies at each other and format those.
 */
void sl_ast_format(const sl_ast_stmt_t *stmt, sl_buf_t *out);
/* An expression as ksqlDB's ExpressionFormatter prints it. */
void sl_ast_format_expr(const sl_ast_expr_t *expr, sl_buf_t *out);
/* A type in SQL: names as written (INT stays INT), ARRAY<STRING>, STRUCT<A INT, `b` INT>,
 * DECIMAL(4, 2). The planner's semantic types print ksqlDB's canonical names. */
void sl_ast_format_type(const sl_ast_type_t *type, sl_buf_t *out);
/* A name, back-quoted when needed (not a plain upper-case identifier, or a reserved word). */
void sl_ast_format_name(const char *name, sl_buf_t *out);

#endif
