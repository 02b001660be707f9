/* --where lexer: expression text -> tokens, each with its byte offset and
 * length (for carets) and its value with quotes and escapes resolved. */
#include "expr_int.h"

#include <stdlib.h>
#include <string.h>

#include "tally/status.h"
#include "tally/xalloc.h"

static bool
is_ident_start(unsigned char c)
{
    /* Bytes >= 0x80 are allowed so UTF-8 names (prénom) need no backticks. */
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static bool
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_ident_char(unsigned char c)
{
    return is_ident_start(c) || is_digit(c) || c == '.' || c == '-';
}

static bool
keyword_is(const char *p, size_t len, const char *kw)
{
    size_t n = strlen(kw);
    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != kw[i])
            return false;
    }
    return true;
}

struct lexer {
    const char *text;
    struct expr_lexed *out;
    size_t cap;
    size_t used; /* bytes of strbuf in use */
};

static struct expr_token *
push(struct lexer *lx, enum expr_tok kind, size_t off, size_t len)
{
    struct expr_lexed *o = lx->out;
    tally_xgrow((void **)&o->toks, &lx->cap, o->ntoks + 1, sizeof *o->toks);
    struct expr_token *t = &o->toks[o->ntoks++];
    t->kind = kind;
    t->off = off;
    t->len = len;
    t->voff = lx->used;
    t->vlen = 0;
    return t;
}

/* Appends one byte to the value of the token being built. The buffer holds
 * 2 * strlen(text) + 2 bytes: a value never outgrows its token, and every
 * token is at least one byte long, so values plus NULs always fit. */
static void
put(struct lexer *lx, struct expr_token *t, char c)
{
    lx->out->strbuf[lx->used++] = c;
    t->vlen++;
}

static void
finish(struct lexer *lx)
{
    lx->out->strbuf[lx->used++] = '\0';
}

static void
copy_value(struct lexer *lx, struct expr_token *t)
{
    for (size_t i = 0; i < t->len; i++)
        put(lx, t, lx->text[t->off + i]);
    finish(lx);
}

static int
lex_error(const char *text, size_t off, size_t len, struct tally_diag *d, const char *msg)
{
    tally_diag_usage(d, "--where: %s", msg);
    tally_diag_caret(d, text, off, len);
    return TALLY_EUSAGE;
}

static int
lex_string(struct lexer *lx, size_t *pos, struct tally_diag *d)
{
    const char *s = lx->text;
    size_t start = *pos, i = start + 1;
    char q = s[start];
    struct expr_token *t = push(lx, TOK_STRING, start, 0);
    for (;;) {
        if (s[i] == '\0') {
            lx->out->ntoks--;
            return lex_error(s, start, i - start, d, "unterminated string");
        }
        if (s[i] == q)
            break;
        if (s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\'' || s[i + 1] == '\\')) {
            put(lx, t, s[i + 1]);
            i += 2;
            continue;
        }
        put(lx, t, s[i++]);
    }
    finish(lx);
    t->len = i + 1 - start;
    *pos = i + 1;
    return TALLY_OK;
}

size_t
expr_string_srcpos(const char *text, const struct expr_token *tok, size_t pos)
{
    size_t i = tok->off + 1, end = tok->off + tok->len - 1;
    for (size_t k = 0; k < pos && i < end; k++) {
        if (text[i] == '\\' && (text[i + 1] == '"' || text[i + 1] == '\'' || text[i + 1] == '\\'))
            i += 2;
        else
            i++;
    }
    return i;
}

static int
lex_qname(struct lexer *lx, size_t *pos, struct tally_diag *d)
{
    const char *s = lx->text;
    size_t start = *pos, i = start + 1;
    struct expr_token *t = push(lx, TOK_QNAME, start, 0);
    for (;;) {
        if (s[i] == '\0') {
            lx->out->ntoks--;
            return lex_error(s, start, i - start, d, "unterminated `name`");
        }
        if (s[i] == '`') {
            if (s[i + 1] != '`')
                break;
            i++; /* a doubled backtick stands for one */
        }
        put(lx, t, s[i++]);
    }
    finish(lx);
    t->len = i + 1 - start;
    *pos = i + 1;
    if (t->vlen == 0)
        return lex_error(s, start, t->len, d, "empty column name");
    return TALLY_OK;
}

static int
lex_colref(struct lexer *lx, size_t *pos, struct tally_diag *d)
{
    const char *s = lx->text;
    size_t start = *pos, i = start + 1;
    bool digits = true;
    while (is_ident_char((unsigned char)s[i]) && s[i] != '-' && s[i] != '.') {
        digits = digits && is_digit((unsigned char)s[i]);
        i++;
    }
    size_t len = i - start;
    /* $0, $01, $abc: columns count from $1, written without leading zeros. */
    if (len == 1 || !digits || s[start + 1] == '0' || len > 10) {
        tally_diag_usage(d, "--where: invalid column reference \"%.*s\" (columns count from $1)",
                         (int)len, s + start);
        tally_diag_caret(d, s, start, len);
        return TALLY_EUSAGE;
    }
    struct expr_token *t = push(lx, TOK_COLREF, start, len);
    copy_value(lx, t);
    *pos = i;
    return TALLY_OK;
}

static int
lex_number(struct lexer *lx, size_t *pos, struct tally_diag *d)
{
    const char *s = lx->text;
    size_t start = *pos, i = start;
    if (s[i] == '+' || s[i] == '-')
        i++;
    /* Take the whole word so "5abc" or "0x10" is one bad number, not two tokens. */
    while (is_ident_char((unsigned char)s[i]) && s[i] != '-') {
        if ((s[i] == 'e' || s[i] == 'E') && (s[i + 1] == '+' || s[i + 1] == '-'))
            i++;
        i++;
    }
    size_t len = i - start;
    struct tally_num num;
    if (tally_parse_number((struct tally_slice){s + start, len}, &num) == TALLY_NUM_NONE) {
        tally_diag_usage(d, "--where: bad number \"%.*s\"", (int)len, s + start);
        tally_diag_caret(d, s, start, len);
        return TALLY_EUSAGE;
    }
    struct expr_token *t = push(lx, TOK_NUMBER, start, len);
    copy_value(lx, t);
    *pos = i;
    return TALLY_OK;
}

static enum expr_tok
keyword(const char *p, size_t len)
{
    if (keyword_is(p, len, "and"))
        return TOK_AND;
    if (keyword_is(p, len, "or"))
        return TOK_OR;
    if (keyword_is(p, len, "not"))
        return TOK_NOT;
    if (keyword_is(p, len, "in"))
        return TOK_IN;
    return TOK_IDENT;
}

/* Operators, longest first. */
static const struct {
    const char *text;
    enum expr_tok kind;
} ops[] = {
    {"==", TOK_EQ},   {"!=", TOK_NE}, {"<=", TOK_LE},    {">=", TOK_GE},    {"!~", TOK_NMATCH},
    {"&&", TOK_AND},  {"||", TOK_OR}, {"=", TOK_EQ},     {"<", TOK_LT},     {">", TOK_GT},
    {"~", TOK_MATCH}, {"!", TOK_NOT}, {"(", TOK_LPAREN}, {")", TOK_RPAREN}, {",", TOK_COMMA},
};

int
expr_lex(const char *text, struct expr_lexed *out, struct tally_diag *d)
{
    size_t n = strlen(text);
    memset(out, 0, sizeof *out);
    out->strcap = 2 * n + 2;
    out->strbuf = tally_xmalloc(out->strcap);
    struct lexer lx = {text, out, 0, 0};
    size_t i = 0;
    int st = TALLY_OK;
    while (st == TALLY_OK) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
            continue;
        }
        if (c == '\0') {
            push(&lx, TOK_EOF, i, 0);
            finish(&lx);
            break;
        }
        if (c == '"' || c == '\'') {
            st = lex_string(&lx, &i, d);
        } else if (c == '`') {
            st = lex_qname(&lx, &i, d);
        } else if (c == '$') {
            st = lex_colref(&lx, &i, d);
        } else if (is_digit(c) || (c == '.' && is_digit((unsigned char)text[i + 1])) ||
                   ((c == '-' || c == '+') &&
                    (is_digit((unsigned char)text[i + 1]) ||
                     (text[i + 1] == '.' && is_digit((unsigned char)text[i + 2]))))) {
            st = lex_number(&lx, &i, d);
        } else if (is_ident_start(c)) {
            size_t start = i;
            while (is_ident_char((unsigned char)text[i]))
                i++;
            struct expr_token *t = push(&lx, keyword(text + start, i - start), start, i - start);
            copy_value(&lx, t);
        } else {
            size_t k = 0;
            size_t nops = sizeof ops / sizeof ops[0];
            while (k < nops && strncmp(text + i, ops[k].text, strlen(ops[k].text)) != 0)
                k++;
            if (k == nops) {
                tally_diag_usage(d, "--where: unexpected character \"%c\"", (char)c);
                tally_diag_caret(d, text, i, 1);
                st = TALLY_EUSAGE;
                break;
            }
            size_t len = strlen(ops[k].text);
            struct expr_token *t = push(&lx, ops[k].kind, i, len);
            copy_value(&lx, t);
            i += len;
        }
    }
    if (st != TALLY_OK)
        expr_lexed_fini(out);
    return st;
}

void
expr_lexed_fini(struct expr_lexed *lx)
{
    free(lx->toks);
    free(lx->strbuf);
    memset(lx, 0, sizeof *lx);
}
