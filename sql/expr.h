/*
 * expr.h — typed expression trees: constructors (the planner builds trees from the AST with
 * them), the binder (name resolution, type checking, implicit casts, function overload
 * resolution, ksqlDB-shaped error messages), the evaluator (ksqlDB's NULL semantics) and the
 * formatter (ksqlDB's ExpressionFormatter text, used in messages and generated column names).
 *
 * Life of an expression:
 *
 *   planner: sl_expr_column(a, NULL, "ID"), sl_expr_call(a, "ABS", args, 1), ...   (untyped)
 *      |
 *   sl_expr_bind(binder, e, &e)   resolves columns against the binder's row schema, checks
 *      |                           types, wraps arguments in CASTs where ksqlDB widens
 *      |                           implicitly, picks function overloads; sets e->type
 *   sl_expr_eval(e, ctx, &v)      per record; allocations in ctx->arena, reset per record
 *
 * Invariants:
 *   - Nodes live in the arena given to their constructor (the plan's arena) and are freed with
 *     it. Binding rewrites the tree in place (and may return a new root), so bind a tree once.
 *   - After binding, every node's `type` is set and a node's operands already have the types
 *     the operation needs (same-type comparisons, same-type arithmetic operands), so the
 *     evaluator never converts types on its own except where ksqlDB does at run time (STRING
 *     compared to TIMESTAMP/DATE/TIME is parsed per record).
 *   - NULL semantics are ksqlDB's, not the SQL standard's, where they differ: a comparison
 *     (=, <>, <, <=, >, >=, BETWEEN, LIKE, IN) with a NULL operand is FALSE, not NULL; IS
 *     [NOT] DISTINCT FROM treats NULL as a value; AND/OR/NOT use three-valued logic; arithmetic
 *     with NULL is NULL (but arithmetic on a NULL lambda parameter fails, as ksqlDB's
 *     generated code unboxes lambda parameters); CASE without a matching branch and no ELSE
 *     is NULL.
 *   - A failing function call (bad input to PARSE_DATE, an invalid regex from a column...)
 *     evaluates to NULL and the expression goes on, as ksqlDB catches UDF exceptions per call;
 *     ctx->call_errors counts these and ctx->err keeps the last reason, so the runtime can
 *     write them to the processing log.
 *   - Other evaluation failures (integer division by zero, a CAST that cannot parse, DECIMAL
 *     overflow) fail the whole expression: a negative status with the reason in ctx->err.
 *     ksqlDB turns such a failure into a NULL column value (SELECT) or a dropped record (WHERE)
 *     plus a processing-log entry: that is the runtime's decision, made with this status.
 *
 * @locality binder: any thread, one binder per thread. Evaluation of a bound tree: any number of
 *           threads at once, each with its own sl_eval_t (bound trees are read-only).
 */
#ifndef SL_SQL_EXPR_H
#define SL_SQL_EXPR_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "sql/func.h"
#include "sql/types.h"
#include "sql/value.h"

typedef enum sl_expr_kind_e {
    SL_EXPR_LITERAL,    /* u.lit */
    SL_EXPR_COLUMN,     /* u.col: a column of the input row */
    SL_EXPR_LAMBDA_VAR, /* u.lvar: a lambda parameter (the binder turns column refs into these) */
    SL_EXPR_ARITH,      /* op: sl_arith_op_t; args[0] op args[1] */
    SL_EXPR_CONCAT,     /* STRING + STRING (the binder turns such ARITH nodes into this) */
    SL_EXPR_NEG,        /* -args[0] */
    SL_EXPR_CMP,        /* op: sl_cmp_op_t; args[0] op args[1] */
    SL_EXPR_AND,        /* args[0] AND args[1] */
    SL_EXPR_OR,         /* args[0] OR args[1] */
    SL_EXPR_NOT,        /* NOT args[0] */
    SL_EXPR_IS_NULL,    /* args[0] IS [NOT] NULL (negated: IS NOT NULL) */
    SL_EXPR_DISTINCT,   /* args[0] IS [NOT] DISTINCT FROM args[1] (negated: IS NOT DISTINCT) */
    SL_EXPR_LIKE,       /* args[0] [NOT] LIKE args[1] [ESCAPE u.like.escape] */
    SL_EXPR_BETWEEN,    /* args[0] [NOT] BETWEEN args[1] AND args[2] */
    SL_EXPR_IN,         /* args[0] [NOT] IN (args[1..]) */
    SL_EXPR_CASE,       /* u.kase; args: [operand,] when, then, ..., [else] */
    SL_EXPR_CAST,       /* CAST(args[0] AS u.cast.to) */
    SL_EXPR_FIELD,      /* args[0]->u.field.name */
    SL_EXPR_SUBSCRIPT,  /* args[0][args[1]] (ARRAY: 1-based, negative from the end; MAP: key) */
    SL_EXPR_ARRAY,      /* ARRAY[args...] */
    SL_EXPR_MAP,        /* MAP(args[0] := args[1], ...) */
    SL_EXPR_STRUCT,     /* STRUCT(u.st.names[i] := args[i], ...) */
    SL_EXPR_CALL,       /* u.call.name(args...) */
    SL_EXPR_LAMBDA,     /* (u.lambda.params) => args[0]; only as a function argument */
} sl_expr_kind_t;

typedef enum sl_arith_op_e { SL_OP_ADD, SL_OP_SUB, SL_OP_MUL, SL_OP_DIV, SL_OP_MOD } sl_arith_op_t;

typedef enum sl_cmp_op_e {
    SL_CMP_EQ,
    SL_CMP_NE,
    SL_CMP_LT,
    SL_CMP_LE,
    SL_CMP_GT,
    SL_CMP_GE
} sl_cmp_op_t;

/* Deepest expression the binder accepts: evaluation recurses along the tree, so this bounds
 * the stack a hostile statement can make a query use. */
#define SL_EXPR_MAX_DEPTH 500

/* Most lambda parameters alive at once (nesting depth x parameters). */
#define SL_EXPR_MAX_LAMBDA_VARS 16

struct sl_expr_s {
    sl_expr_kind_t kind;     /* node kind */
    uint8_t op;              /* ARITH: sl_arith_op_t; CMP: sl_cmp_op_t */
    bool negated;            /* NOT LIKE / NOT BETWEEN / NOT IN / IS NOT NULL / IS NOT DISTINCT */
    bool implicit_cast_node; /* a CAST the binder inserted (the formatter leaves it out) */
    int32_t line, col;       /* position in the statement, 0 when unknown */
    const sl_type_t *type;   /* result type; set by the binder */
    sl_expr_t **args;        /* operands (see the kinds) */
    uint32_t nargs;          /* number of operands */
    union {
        struct {
            sl_value_t v;       /* the value (memory in the plan's arena) */
            const sl_type_t *t; /* its type (SL_T_NULL for an untyped NULL) */
            const char *text;   /* numeric literal as written, for messages; else NULL */
            bool time_unit;     /* a time unit keyword (DAYS): the value is its STRING name */
        } lit;
        struct {
            const char *source; /* qualifier (`T` in T.COL) or NULL */
            const char *name;   /* column name */
            int32_t index;      /* position in the row, set by the binder */
        } col;
        struct {
            const char *name; /* parameter name */
            int32_t slot;     /* ctx->lvars slot, set by the binder */
        } lvar;
        struct {
            int32_t escape; /* LIKE escape character, -1 when none */
        } like;
        struct {
            bool simple;   /* CASE operand WHEN value ... (else searched: CASE WHEN cond ...) */
            bool has_else; /* last arg is the ELSE result */
        } kase;
        struct {
            const sl_type_t *to; /* target type */
        } cast;
        struct {
            const char *name; /* field name (case-sensitive after the parser's upper-casing) */
            int32_t index;    /* field index, set by the binder */
        } field;
        struct {
            const char **names; /* STRUCT constructor field names, one per arg */
        } st;
        struct {
            const char *name;        /* function name as written */
            const sl_func_t *fn;     /* resolved function (binder) */
            const sl_overload_t *ov; /* resolved overload (binder) */
            sl_fcall_t *call;        /* what the implementation sees (binder) */
        } call;
        struct {
            const char **params; /* parameter names */
            uint32_t nparams;    /* number of parameters */
            int32_t slot;        /* first ctx->lvars slot of the parameters (binder) */
        } lambda;
    } u;
};

/* ---- constructors (untyped trees; every node in arena a) --------------------------------- */

sl_expr_t *sl_expr_null(sl_arena_t *a);
sl_expr_t *sl_expr_bool(sl_arena_t *a, bool b);
sl_expr_t *sl_expr_int(sl_arena_t *a, int32_t v);
sl_expr_t *sl_expr_bigint(sl_arena_t *a, int64_t v);
sl_expr_t *sl_expr_double(sl_arena_t *a, double v);
/* A string literal (copied). */
sl_expr_t *sl_expr_string(sl_arena_t *a, const char *s, size_t n);
/* Any typed constant (value copied into the arena). */
sl_expr_t *sl_expr_literal(sl_arena_t *a, const sl_value_t *v, const sl_type_t *t);
/* A numeric literal as the lexer saw it, typed the ksqlDB way: digits only -> INTEGER if it
 * fits, else BIGINT ("Invalid numeric literal: X" beyond); with a point -> DECIMAL with the
 * written precision and scale (1.50 is DECIMAL(3, 2)); with an exponent -> DOUBLE ("Number
 * overflows DOUBLE: X" when infinite). A leading '-' is allowed (the parser folds unary minus
 * into literals, as ksqlDB does). */
int sl_expr_number(sl_arena_t *a, const char *text, size_t n, sl_expr_t **out, char *err,
                   size_t errlen);
/* A time unit keyword argument (DATEADD(DAYS, ...)): NANOSECONDS, MICROSECONDS, MILLISECONDS,
 * SECONDS, MINUTES, HOURS, DAYS or their singular forms. The binder also turns an unresolvable
 * bare column reference with such a name, in a function argument, into one. */
sl_expr_t *sl_expr_time_unit(sl_arena_t *a, const char *name);
/* A column reference; source may be NULL. Names are copied. */
sl_expr_t *sl_expr_column(sl_arena_t *a, const char *source, const char *name);
sl_expr_t *sl_expr_arith(sl_arena_t *a, sl_arith_op_t op, sl_expr_t *l, sl_expr_t *r);
sl_expr_t *sl_expr_neg(sl_arena_t *a, sl_expr_t *x);
sl_expr_t *sl_expr_cmp(sl_arena_t *a, sl_cmp_op_t op, sl_expr_t *l, sl_expr_t *r);
sl_expr_t *sl_expr_and(sl_arena_t *a, sl_expr_t *l, sl_expr_t *r);
sl_expr_t *sl_expr_or(sl_arena_t *a, sl_expr_t *l, sl_expr_t *r);
sl_expr_t *sl_expr_not(sl_arena_t *a, sl_expr_t *x);
sl_expr_t *sl_expr_is_null(sl_arena_t *a, sl_expr_t *x, bool negated);
/* negated: IS NOT DISTINCT FROM */
sl_expr_t *sl_expr_distinct(sl_arena_t *a, sl_expr_t *l, sl_expr_t *r, bool negated);
/* escape: the ESCAPE character, or -1 */
sl_expr_t *sl_expr_like(sl_arena_t *a, sl_expr_t *x, sl_expr_t *pattern, int escape, bool negated);
sl_expr_t *sl_expr_between(sl_arena_t *a, sl_expr_t *x, sl_expr_t *lo, sl_expr_t *hi, bool negated);
sl_expr_t *sl_expr_in(sl_arena_t *a, sl_expr_t *x, sl_expr_t *const *list, uint32_t n,
                      bool negated);
/* operand NULL: searched CASE. else_ may be NULL. */
sl_expr_t *sl_expr_case(sl_arena_t *a, sl_expr_t *operand, sl_expr_t *const *whens,
                        sl_expr_t *const *thens, uint32_t n, sl_expr_t *else_);
sl_expr_t *sl_expr_cast(sl_arena_t *a, sl_expr_t *x, const sl_type_t *to);
sl_expr_t *sl_expr_field(sl_arena_t *a, sl_expr_t *x, const char *name);
sl_expr_t *sl_expr_subscript(sl_arena_t *a, sl_expr_t *x, sl_expr_t *index);
sl_expr_t *sl_expr_array(sl_arena_t *a, sl_expr_t *const *items, uint32_t n);
sl_expr_t *sl_expr_map(sl_arena_t *a, sl_expr_t *const *keys, sl_expr_t *const *values, uint32_t n);
sl_expr_t *sl_expr_struct(sl_arena_t *a, const char *const *names, sl_expr_t *const *values,
                          uint32_t n);
sl_expr_t *sl_expr_call(sl_arena_t *a, const char *name, sl_expr_t *const *args, uint32_t n);
sl_expr_t *sl_expr_lambda(sl_arena_t *a, const char *const *params, uint32_t n, sl_expr_t *body);
void sl_expr_set_pos(sl_expr_t *e, int32_t line, int32_t col);

/* ---- binder ------------------------------------------------------------------------------ */

typedef struct sl_lscope_s sl_lscope_t; /* lambda scope (expr.c) */

typedef struct sl_binder_s {
    sl_arena_t *arena;          /* bound nodes, types, call state: the plan's arena */
    const sl_column_t *cols;    /* the input row's columns, in row order */
    const char *const *sources; /* per column: the source alias qualifying it, or NULL */
    uint32_t ncols;             /* number of columns */
    const char *clause;         /* "SELECT", "WHERE", ...: "<clause> column 'X' cannot be
                                   resolved." */
    char err[1024];             /* message of the last failure */
    sl_lscope_t *scope;         /* innermost lambda scope (private) */
    int32_t nslots;             /* lambda slots in use (private) */
    int32_t depth;              /* nesting depth being bound (private) */
} sl_binder_t;

/* cols/sources are borrowed for the binder's life; sources may be NULL. clause "SELECT". */
void sl_binder_init(sl_binder_t *b, sl_arena_t *a, const sl_column_t *cols,
                    const char *const *sources, uint32_t ncols);
/* Binds e; *out is the bound root (maybe e, maybe a CAST around it). On failure a negative
 * status with ksqlDB's message in b->err, e.g.
 *   "SELECT column 'BOB' cannot be resolved."
 *   "Cannot compare ID (INTEGER) to 'x' (STRING) with GREATER_THAN_OR_EQUAL."
 *   "Function 'LEN' does not accept parameters (INTEGER)."
 *   "Can't find any functions with the name 'FOO'"
 *   "Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null
 *    AS VARCHAR)." (a bare NULL at the top level: ksqlDB rejects untyped NULL columns)
 * Callers add their own prefix ("Error in WHERE expression: ", "Invalid Predicate: "). */
int sl_expr_bind(sl_binder_t *b, sl_expr_t *e, sl_expr_t **out);
/* Like sl_expr_bind but lets an untyped NULL through (e.g. INSERT VALUES into a known column);
 * the caller casts. */
int sl_expr_bind_any(sl_binder_t *b, sl_expr_t *e, sl_expr_t **out);

/* ---- evaluation -------------------------------------------------------------------------- */

struct sl_eval_s {
    sl_arena_t *arena;                         /* per-record memory, reset by the caller */
    const sl_value_t *row;                     /* input row, indexed like the binder's cols */
    sl_value_t lvars[SL_EXPR_MAX_LAMBDA_VARS]; /* lambda parameter values */
    int64_t now_ms;                            /* clock for UNIX_TIMESTAMP() etc.; 0: real */
    uint64_t rng[2];                           /* RANDOM() state (xorshift128+) */
    uint32_t call_errors;                      /* failed function calls (became NULL) */
    char err[512];                             /* why the last evaluation/call failed */
};

void sl_eval_init(sl_eval_t *ctx, sl_arena_t *arena);
/* Evaluates a bound expression against ctx->row. */
int sl_expr_eval(const sl_expr_t *e, sl_eval_t *ctx, sl_value_t *out);
/* Evaluates a bound WHERE-style predicate: true only for a non-NULL TRUE. */
int sl_expr_eval_pred(const sl_expr_t *e, sl_eval_t *ctx, bool *out);
/* Calls a bound lambda argument with n parameter values (for TRANSFORM, FILTER, REDUCE). */
int sl_eval_lambda(sl_eval_t *ctx, const sl_expr_t *lambda, const sl_value_t *params, uint32_t n,
                   sl_value_t *out);
/* Records why evaluation failed; returns rc (for `return sl_eval_fail(ctx, SL_INVAL, ...)`). */
int sl_eval_fail(sl_eval_t *ctx, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Milliseconds since the epoch: ctx->now_ms if set, else the wall clock. */
int64_t sl_eval_now_ms(sl_eval_t *ctx);

/* ---- formatting -------------------------------------------------------------------------- */

/* ksqlDB's text of an expression: "(A + 1)", "ABS(X)", "'it''s'", "MAP('a':=1)",
 * "CAST(X AS STRING)", "X->F", "X[1]", "(X IS NULL)". Columns print with their qualifier
 * when they have one. */
void sl_expr_format(const sl_expr_t *e, sl_buf_t *out);
const char *sl_expr_str(sl_arena_t *a, const sl_expr_t *e);
/* Whether e has no column references, lambda variables or volatile calls. */
bool sl_expr_is_constant(const sl_expr_t *e);

#endif
