/*
 * lexer.c — the tokenizer of the ksqlDB SQL dialect, and the keyword table.
 *
 * Follows ksqlDB's lexer rules (SqlBase.g4 run over an upper-cased view of the input):
 *   keywords      case-insensitive words from the table below
 *   IDENT         [A-Za-z_][A-Za-z0-9_@]*
 *   DIGIT_IDENT   [0-9][A-Za-z0-9_@]+ when longer than any number reading of the same bytes
 *   ICONST        [0-9]+
 *   DCONST        [0-9]+ '.' [0-9]* | '.' [0-9]+
 *   FCONST        [0-9]+ ('.' [0-9]*)? E [+-]? [0-9]+ | '.' [0-9]+ E [+-]? [0-9]+
 *   SCONST        '...' with '' for a quote (may span lines)
 *   QIDENT        "..." with "" ;  BQIDENT `...` with ``
 *   VARIABLE      ${IDENT}
 *   comments      -- to end of line; block comments (not nested)
 *   whitespace    space, tab, CR, LF
 * Ties between a number and a digit identifier of the same length go to the number, as in
 * ANTLR (first rule wins). Anything unrecognised — a stray character, an unterminated string,
 * quoted identifier or comment — becomes one UNRECOGNIZED token, which the grammar rejects at
 * its position.
 *
 * Positions: byte offset, 1-based line (LF counts), 1-based column in characters: UTF-8
 * continuation bytes do not advance the column (ksqlDB counts UTF-16 units; the two agree
 * except for characters outside the BMP, which only appear inside strings and names).
 */
#include "sql/lexer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "parse.h"

/* Keywords, sorted for bsearch. KWN: ksqlDB's nonReserved ones, also identifiers. */
typedef struct kw_s {
    const char *word;    /* upper case */
    const char *display; /* 'WORD', as "Expecting {...}" lists show it */
    int code;            /* SL_TK_* */
    bool nonreserved;    /* ksqlDB's nonReserved: may also be an identifier */
} kw_t;

#define KW(w, code)                                                                                \
    {                                                                                              \
        w, "'" w "'", code, false                                                                  \
    }
#define KWN(w, code)                                                                               \
    {                                                                                              \
        w, "'" w "'", code, true                                                                   \
    }

static const kw_t kw_table[] = {
    KWN("ADD", SL_TK_ADD),
    KW("ADVANCE", SL_TK_ADVANCE),
    KW("ALL", SL_TK_ALL),
    KWN("ALTER", SL_TK_ALTER),
    KWN("ANALYZE", SL_TK_ANALYZE),
    KW("AND", SL_TK_AND),
    KWN("ARRAY", SL_TK_ARRAY),
    KW("AS", SL_TK_AS),
    KWN("ASSERT", SL_TK_ASSERT),
    KW("AT", SL_TK_AT),
    KW("BEGINNING", SL_TK_BEGINNING),
    KW("BETWEEN", SL_TK_BETWEEN),
    KW("BY", SL_TK_BY),
    KW("CASE", SL_TK_CASE),
    KW("CAST", SL_TK_CAST),
    KW("CATALOG", SL_TK_CATALOG),
    KWN("CHANGES", SL_TK_CHANGES),
    KWN("COLUMN", SL_TK_COLUMN),
    KWN("COLUMNS", SL_TK_COLUMNS),
    KW("CONNECTOR", SL_TK_CONNECTOR),
    KW("CONNECTORS", SL_TK_CONNECTORS),
    KW("CREATE", SL_TK_CREATE),
    KWN("DATE", SL_TK_DATE),
    KWN("DAY", SL_TK_DAY),
    KW("DAYS", SL_TK_DAYS),
    KW("DECIMAL", SL_TK_DECIMAL),
    KWN("DEFINE", SL_TK_DEFINE),
    KW("DELETE", SL_TK_DELETE),
    KW("DESCRIBE", SL_TK_DESCRIBE),
    KW("DISTINCT", SL_TK_DISTINCT),
    KW("DROP", SL_TK_DROP),
    KW("ELSE", SL_TK_ELSE),
    KWN("EMIT", SL_TK_EMIT),
    KW("END", SL_TK_END),
    KWN("ESCAPE", SL_TK_ESCAPE),
    KW("EXISTS", SL_TK_EXISTS),
    KWN("EXPLAIN", SL_TK_EXPLAIN),
    KW("EXPORT", SL_TK_EXPORT),
    KW("EXTENDED", SL_TK_EXTENDED),
    KW("FALSE", SL_TK_FALSE),
    KWN("FINAL", SL_TK_FINAL),
    KW("FROM", SL_TK_FROM),
    KW("FULL", SL_TK_FULL),
    KWN("FUNCTION", SL_TK_FUNCTION),
    KWN("FUNCTIONS", SL_TK_FUNCTIONS),
    KWN("GRACE", SL_TK_GRACE),
    KW("GROUP", SL_TK_GROUP),
    KW("HAVING", SL_TK_HAVING),
    KWN("HEADER", SL_TK_HEADER),
    KWN("HEADERS", SL_TK_HEADERS),
    KW("HOPPING", SL_TK_HOPPING),
    KWN("HOUR", SL_TK_HOUR),
    KW("HOURS", SL_TK_HOURS),
    KWN("ID", SL_TK_KW_ID),
    KWN("IF", SL_TK_IF),
    KW("IN", SL_TK_IN),
    KW("INNER", SL_TK_INNER),
    KW("INSERT", SL_TK_INSERT),
    KWN("INTEGER", SL_TK_INTEGER),
    KWN("INTERVAL", SL_TK_INTERVAL),
    KW("INTO", SL_TK_INTO),
    KW("IS", SL_TK_IS),
    KW("JOIN", SL_TK_JOIN),
    KWN("KEY", SL_TK_KEY),
    KW("LEFT", SL_TK_LEFT),
    KW("LIKE", SL_TK_LIKE),
    KW("LIMIT", SL_TK_LIMIT),
    KW("LIST", SL_TK_LIST),
    KW("LOAD", SL_TK_LOAD),
    KWN("MAP", SL_TK_MAP),
    KW("MATERIALIZED", SL_TK_MATERIALIZED),
    KW("MILLISECOND", SL_TK_MILLISECOND),
    KW("MILLISECONDS", SL_TK_MILLISECONDS),
    KWN("MINUTE", SL_TK_MINUTE),
    KW("MINUTES", SL_TK_MINUTES),
    KWN("MONTH", SL_TK_MONTH),
    KW("MONTHS", SL_TK_MONTHS),
    KW("NAMESPACE", SL_TK_NAMESPACE),
    KW("NOT", SL_TK_NOT),
    KW("NULL", SL_TK_NULL),
    KW("ON", SL_TK_ON),
    KW("OR", SL_TK_OR),
    KW("OUTER", SL_TK_OUTER),
    KWN("PARTITION", SL_TK_PARTITION),
    KWN("PARTITIONS", SL_TK_PARTITIONS),
    KWN("PERIOD", SL_TK_PERIOD),
    KWN("PLUGINS", SL_TK_PLUGINS),
    KWN("PRIMARY", SL_TK_PRIMARY),
    KW("PRINT", SL_TK_PRINT),
    KW("PROPERTIES", SL_TK_PROPERTIES),
    KW("QUERIES", SL_TK_QUERIES),
    KW("QUERY", SL_TK_QUERY),
    KW("RENAME", SL_TK_RENAME),
    KWN("REPLACE", SL_TK_REPLACE),
    KWN("RESET", SL_TK_RESET),
    KW("RETENTION", SL_TK_RETENTION),
    KW("RIGHT", SL_TK_RIGHT),
    KW("RUN", SL_TK_RUN),
    KW("SAMPLE", SL_TK_SAMPLE),
    KWN("SCHEMA", SL_TK_SCHEMA),
    KW("SCRIPT", SL_TK_SCRIPT),
    KWN("SECOND", SL_TK_SECOND),
    KW("SECONDS", SL_TK_SECONDS),
    KW("SELECT", SL_TK_SELECT),
    KWN("SESSION", SL_TK_SESSION),
    KWN("SET", SL_TK_SET),
    KWN("SHOW", SL_TK_SHOW),
    KWN("SINK", SL_TK_SINK),
    KW("SIZE", SL_TK_SIZE),
    KWN("SOURCE", SL_TK_SOURCE),
    KW("STREAM", SL_TK_STREAM),
    KW("STREAMS", SL_TK_STREAMS),
    KWN("STRING", SL_TK_KW_STRING),
    KWN("STRUCT", SL_TK_STRUCT),
    KWN("SUBJECT", SL_TK_SUBJECT),
    KWN("SYSTEM", SL_TK_SYSTEM),
    KW("TABLE", SL_TK_TABLE),
    KWN("TABLES", SL_TK_TABLES),
    KW("TERMINATE", SL_TK_TERMINATE),
    KW("THEN", SL_TK_THEN),
    KWN("TIME", SL_TK_TIME),
    KWN("TIMEOUT", SL_TK_TIMEOUT),
    KWN("TIMESTAMP", SL_TK_TIMESTAMP),
    KW("TO", SL_TK_TO),
    KW("TOPIC", SL_TK_TOPIC),
    KW("TOPICS", SL_TK_TOPICS),
    KW("TRUE", SL_TK_TRUE),
    KW("TUMBLING", SL_TK_TUMBLING),
    KWN("TYPE", SL_TK_TYPE),
    KWN("TYPES", SL_TK_TYPES),
    KWN("UNDEFINE", SL_TK_UNDEFINE),
    KW("UNSET", SL_TK_UNSET),
    KW("VALUES", SL_TK_VALUES),
    KWN("VARIABLES", SL_TK_VARIABLES),
    KW("VIEW", SL_TK_VIEW),
    KW("WHEN", SL_TK_WHEN),
    KW("WHERE", SL_TK_WHERE),
    KW("WINDOW", SL_TK_WINDOW),
    KW("WITH", SL_TK_WITH),
    KW("WITHIN", SL_TK_WITHIN),
    KWN("YEAR", SL_TK_YEAR),
    KW("YEARS", SL_TK_YEARS),
    KWN("ZONE", SL_TK_ZONE),
};

#define KW_COUNT (sizeof kw_table / sizeof kw_table[0])
#define KW_MAX   12 /* longest keyword: MATERIALIZED, MILLISECONDS */

int sl_sql_keyword_code(const char *word, size_t len)
{
    char up[KW_MAX + 1];
    if (len == 0 || len > KW_MAX) return 0;
    for (size_t i = 0; i < len; i++)
        up[i] = (char)toupper((unsigned char)word[i]);
    up[len] = '\0';
    size_t lo = 0, hi = KW_COUNT;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(up, kw_table[mid].word);
        if (c == 0) return kw_table[mid].code;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

int sl_sql_is_keyword(const char *word, size_t len)
{
    return sl_sql_keyword_code(word, len) != 0;
}

int sl_sql_is_reserved(const char *word, size_t len)
{
    int code = sl_sql_keyword_code(word, len);
    return code != 0 && !sl_sql_keyword_nonreserved(code);
}

int sl_sql_keyword_nonreserved(int type)
{
    for (size_t i = 0; i < KW_COUNT; i++)
        if (kw_table[i].code == type) return kw_table[i].nonreserved;
    return 0;
}

const char *sl_sql_keyword(size_t i)
{
    return i < KW_COUNT ? kw_table[i].word : NULL;
}

const char *sl_sql_token_display(int type)
{
    switch (type) {
    case 0:
        return "<EOF>";
    case SL_TK_SEMI:
        return "';'";
    case SL_TK_COMMA:
        return "','";
    case SL_TK_LP:
        return "'('";
    case SL_TK_LAMBDA_LP:
        return "'('";
    case SL_TK_RP:
        return "')'";
    case SL_TK_DOT:
        return "'.'";
    case SL_TK_LBRACKET:
        return "'['";
    case SL_TK_RBRACKET:
        return "']'";
    case SL_TK_EQ:
        return "'='";
    case SL_TK_NE:
        return "NEQ";
    case SL_TK_LT:
        return "'<'";
    case SL_TK_LE:
        return "'<='";
    case SL_TK_GT:
        return "'>'";
    case SL_TK_GE:
        return "'>='";
    case SL_TK_PLUS:
        return "'+'";
    case SL_TK_MINUS:
        return "'-'";
    case SL_TK_STAR:
        return "'*'";
    case SL_TK_SLASH:
        return "'/'";
    case SL_TK_PERCENT:
        return "'%'";
    case SL_TK_CONCAT:
        return "'||'";
    case SL_TK_ASSIGN:
        return "':='";
    case SL_TK_ARROW:
        return "'->'";
    case SL_TK_LAMBDA_ARROW:
        return "'=>'";
    case SL_TK_SCONST:
        return "STRING";
    case SL_TK_ICONST:
        return "INTEGER_VALUE";
    case SL_TK_DCONST:
        return "DECIMAL_VALUE";
    case SL_TK_FCONST:
        return "FLOATING_POINT_VALUE";
    case SL_TK_IDENT:
        return "IDENTIFIER";
    case SL_TK_DIGIT_IDENT:
        return "DIGIT_IDENTIFIER";
    case SL_TK_QIDENT:
        return "QUOTED_IDENTIFIER";
    case SL_TK_BQIDENT:
        return "BACKQUOTED_IDENTIFIER";
    case SL_TK_VARIABLE:
        return "VARIABLE";
    case SL_TK_TEST_ASSERT:
        return "'ASSERT'";
    case SL_TK_START_EXPR:
        return "<START>";
    case SL_TK_UNRECOGNIZED:
        return "UNRECOGNIZED";
    default:
        break;
    }
    for (size_t i = 0; i < KW_COUNT; i++)
        if (kw_table[i].code == type) return kw_table[i].display;
    return "?";
}

/* ---- the scanner ---- */

typedef struct lex_s {
    const char *s;   /* input */
    size_t len;      /* bytes */
    size_t pos;      /* current byte */
    uint32_t line;   /* line of pos */
    uint32_t col;    /* column of pos */
    sl_sql_tok_t *v; /* tokens */
    size_t n, cap;   /* tokens in v, allocated */
} lex_t;

static int is_letter(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_ident_char(int c)
{
    return is_letter(c) || is_digit(c) || c == '_' || c == '@';
}

/* Moves pos forward by n bytes, keeping line and column. */
static void advance(lex_t *lx, size_t n)
{
    for (size_t i = 0; i < n && lx->pos < lx->len; i++) {
        unsigned char c = (unsigned char)lx->s[lx->pos++];
        if (c == '\n') {
            lx->line++;
            lx->col = 1;
        } else if ((c & 0xC0) != 0x80) {
            lx->col++;
        }
    }
}

static int push(lex_t *lx, int type, size_t start, uint32_t line, uint32_t col)
{
    if (lx->n == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 64;
        sl_sql_tok_t *v = realloc(lx->v, cap * sizeof *v);
        if (!v) return SL_NOMEM;
        lx->v = v;
        lx->cap = cap;
    }
    sl_sql_tok_t *t = &lx->v[lx->n++];
    t->type = type;
    t->off = (uint32_t)start;
    t->len = (uint32_t)(lx->pos - start);
    t->line = line;
    t->col = col;
    return SL_OK;
}

/* Length of the longest number reading at p (0 if none) and its token type. */
static size_t scan_number(const char *p, size_t n, int *type)
{
    size_t i = 0, digits = 0;
    while (i < n && is_digit(p[i]))
        i++;
    digits = i;
    int t = SL_TK_ICONST;
    if (i < n && p[i] == '.') {
        size_t j = i + 1, frac = 0;
        while (j < n && is_digit(p[j]))
            j++, frac++;
        if (digits == 0 && frac == 0) return 0; /* a lone '.' */
        i = j;
        t = SL_TK_DCONST;
    } else if (digits == 0) {
        return 0;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (p[j] == '+' || p[j] == '-')) j++;
        size_t k = j;
        while (k < n && is_digit(p[k]))
            k++;
        if (k > j) {
            i = k;
            t = SL_TK_FCONST;
        }
    }
    *type = t;
    return i;
}

/* Scans a quoted run starting at the opening quote q; doubled quotes stay inside.
 * Returns the length including both quotes, or 0 when unterminated. */
static size_t scan_quoted(const char *p, size_t n, char q)
{
    size_t i = 1;
    while (i < n) {
        if (p[i] == q) {
            if (i + 1 < n && p[i + 1] == q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    return 0;
}

int sl_sql_lex(const char *src, size_t len, sl_sql_tok_t **toks_out, size_t *n_out)
{
    lex_t lx = {.s = src, .len = len, .line = 1, .col = 1};
    int rc = SL_OK;
    while (lx.pos < len) {
        const char *p = src + lx.pos;
        size_t left = len - lx.pos;
        unsigned char c = (unsigned char)*p;
        size_t start = lx.pos;
        uint32_t line = lx.line, col = lx.col;
        int type = 0;
        size_t n = 0;

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            advance(&lx, 1);
            continue;
        }
        if (c == '-' && left > 1 && p[1] == '-') {
            size_t i = 2;
            while (i < left && p[i] != '\n')
                i++;
            advance(&lx, i);
            continue;
        }
        if (c == '/' && left > 1 && p[1] == '*') {
            const char *end = NULL;
            for (size_t i = 2; i + 1 < left; i++) {
                if (p[i] == '*' && p[i + 1] == '/') {
                    end = p + i + 2;
                    break;
                }
            }
            if (end) {
                advance(&lx, (size_t)(end - p));
                continue;
            }
            type = SL_TK_UNRECOGNIZED; /* unterminated comment: the rest of the input */
            n = left;
        } else if (is_letter(c) || c == '_') {
            n = 1;
            while (n < left && is_ident_char((unsigned char)p[n]))
                n++;
            type = sl_sql_keyword_code(p, n);
            if (!type) type = SL_TK_IDENT;
        } else if (is_digit(c) || (c == '.' && left > 1 && is_digit((unsigned char)p[1]))) {
            int ntype = 0;
            size_t nlen = scan_number(p, left, &ntype);
            size_t dlen = 0;
            if (is_digit(c)) {
                dlen = 1;
                while (dlen < left && is_ident_char((unsigned char)p[dlen]))
                    dlen++;
                if (dlen < 2) dlen = 0;
            }
            if (dlen > nlen) {
                type = SL_TK_DIGIT_IDENT;
                n = dlen;
            } else {
                type = ntype;
                n = nlen;
            }
        } else if (c == '\'' || c == '"' || c == '`') {
            n = scan_quoted(p, left, (char)c);
            if (n) {
                type = c == '\'' ? SL_TK_SCONST : c == '"' ? SL_TK_QIDENT : SL_TK_BQIDENT;
            } else {
                type = SL_TK_UNRECOGNIZED; /* unterminated: the rest of the input */
                n = left;
            }
        } else if (c == '$' && left > 2 && p[1] == '{' && (is_letter(p[2]) || p[2] == '_')) {
            size_t i = 3;
            while (i < left && is_ident_char((unsigned char)p[i]))
                i++;
            if (i < left && p[i] == '}') {
                type = SL_TK_VARIABLE;
                n = i + 1;
            } else {
                type = SL_TK_UNRECOGNIZED;
                n = 1;
            }
        } else {
            n = 1;
            char d = left > 1 ? p[1] : '\0';
            switch (c) {
            case ';':
                type = SL_TK_SEMI;
                break;
            case ',':
                type = SL_TK_COMMA;
                break;
            case '(':
                type = SL_TK_LP;
                break;
            case ')':
                type = SL_TK_RP;
                break;
            case '.':
                type = SL_TK_DOT;
                break;
            case '[':
                type = SL_TK_LBRACKET;
                break;
            case ']':
                type = SL_TK_RBRACKET;
                break;
            case '+':
                type = SL_TK_PLUS;
                break;
            case '*':
                type = SL_TK_STAR;
                break;
            case '/':
                type = SL_TK_SLASH;
                break;
            case '%':
                type = SL_TK_PERCENT;
                break;
            case '-':
                if (d == '>') {
                    type = SL_TK_ARROW;
                    n = 2;
                } else {
                    type = SL_TK_MINUS;
                }
                break;
            case '=':
                if (d == '>') {
                    type = SL_TK_LAMBDA_ARROW;
                    n = 2;
                } else {
                    type = SL_TK_EQ;
                }
                break;
            case '<':
                if (d == '>') {
                    type = SL_TK_NE;
                    n = 2;
                } else if (d == '=') {
                    type = SL_TK_LE;
                    n = 2;
                } else {
                    type = SL_TK_LT;
                }
                break;
            case '>':
                if (d == '=') {
                    type = SL_TK_GE;
                    n = 2;
                } else {
                    type = SL_TK_GT;
                }
                break;
            case '!':
                if (d == '=') {
                    type = SL_TK_NE;
                    n = 2;
                } else {
                    type = SL_TK_UNRECOGNIZED;
                }
                break;
            case '|':
                if (d == '|') {
                    type = SL_TK_CONCAT;
                    n = 2;
                } else {
                    type = SL_TK_UNRECOGNIZED;
                }
                break;
            case ':':
                if (d == '=') {
                    type = SL_TK_ASSIGN;
                    n = 2;
                } else {
                    type = SL_TK_UNRECOGNIZED;
                }
                break;
            default:
                /* one whole UTF-8 character, so the token shows as written */
                type = SL_TK_UNRECOGNIZED;
                while (n < left && ((unsigned char)p[n] & 0xC0) == 0x80)
                    n++;
                break;
            }
        }
        advance(&lx, n);
        rc = push(&lx, type, start, line, col);
        if (rc != SL_OK) goto fail;
    }
    rc = push(&lx, 0, lx.pos, lx.line, lx.col);
    if (rc != SL_OK) goto fail;
    *toks_out = lx.v;
    *n_out = lx.n;
    return SL_OK;
fail:
    free(lx.v);
    return rc;
}
