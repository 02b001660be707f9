/* --where parser and binder: tokens -> a flat program (nodes, operands,
 * compiled regexes) by recursive descent; then column names -> indices once
 * the header is known. Also the program's copy and free. */
#include "tally/expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"
#include "tally/status.h"
#include "tally/xalloc.h"

/* Parentheses and "not" nest at most this deep, which bounds the
 * evaluator's recursion (and/or chains are flat, so they do not count). */
#define EXPR_MAX_DEPTH 200

struct parser {
    const char *text;
    struct expr_lexed lx;
    size_t pos; /* current token */
    unsigned depth;
    struct tally_expr *e;
    size_t cap_nodes, cap_kids, cap_opnds, cap_slots, cap_res;
    struct tally_diag *d;
};

static const struct expr_token *
peek(const struct parser *p)
{
    return &p->lx.toks[p->pos];
}

static const struct expr_token *
next(struct parser *p)
{
    const struct expr_token *t = &p->lx.toks[p->pos];
    if (t->kind != TOK_EOF)
        p->pos++;
    return t;
}

/* A usage error "--where: <fmt>" with a caret under token t (one caret past
 * the end for EOF). */
static int fail_tok(struct parser *p, const struct expr_token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail_tok(struct parser *p, const struct expr_token *t, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tally_diag_usage(p->d, "--where: %s", msg);
    tally_diag_caret(p->d, p->text, t->off, t->len);
    return TALLY_EUSAGE;
}

/* printf arguments for a token's text as written. */
#define TOKTEXT(p, t) (int)(t)->len, (p)->text + (t)->off

/* "unexpected X" for whatever token stands where something else must. */
static int
fail_unexpected(struct parser *p, const struct expr_token *t)
{
    if (t->kind == TOK_EOF)
        return fail_tok(p, t, "unexpected end of expression");
    return fail_tok(p, t, "unexpected \"%.*s\"", TOKTEXT(p, t));
}

static uint32_t
add_node(struct parser *p, struct expr_node n)
{
    struct tally_expr *e = p->e;
    tally_xgrow((void **)&e->nodes, &p->cap_nodes, e->nnodes + 1, sizeof *e->nodes);
    e->nodes[e->nnodes] = n;
    return e->nnodes++;
}

static bool
is_operand(enum expr_tok k)
{
    return k == TOK_IDENT || k == TOK_QNAME || k == TOK_COLREF || k == TOK_NUMBER ||
           k == TOK_STRING;
}

static bool
is_cmp(enum expr_tok k)
{
    return k >= TOK_EQ && k <= TOK_GE;
}

static uint32_t
find_slot(struct parser *p, const struct expr_token *t, bool colref, uint32_t opnd)
{
    struct tally_expr *e = p->e;
    const char *name = p->lx.strbuf + t->voff;
    for (uint32_t i = 0; i < e->nslots; i++) {
        const struct expr_slot *s = &e->slots[i];
        if (s->vlen == t->vlen && memcmp(p->lx.strbuf + s->voff, name, t->vlen) == 0 &&
            e->opnds[s->opnd].is_colref == colref)
            return i;
    }
    tally_xgrow((void **)&e->slots, &p->cap_slots, e->nslots + 1, sizeof *e->slots);
    e->slots[e->nslots] = (struct expr_slot){.voff = t->voff, .vlen = t->vlen, .opnd = opnd};
    return e->nslots++;
}

static uint32_t
add_operand(struct parser *p, const struct expr_token *t)
{
    struct tally_expr *e = p->e;
    tally_xgrow((void **)&e->opnds, &p->cap_opnds, e->nopnds + 1, sizeof *e->opnds);
    uint32_t idx = e->nopnds++;
    struct expr_operand *o = &e->opnds[idx];
    memset(o, 0, sizeof *o);
    o->src_off = t->off;
    o->src_len = t->len;
    o->voff = t->voff;
    o->vlen = t->vlen;
    if (t->kind == TOK_NUMBER || t->kind == TOK_STRING) {
        o->kind = OPND_LIT;
        tally_parse_number((struct tally_slice){p->lx.strbuf + t->voff, t->vlen}, &o->num);
    } else {
        o->kind = OPND_COL;
        o->is_colref = t->kind == TOK_COLREF;
        o->slot = find_slot(p, t, o->is_colref, idx);
    }
    return idx;
}

static int parse_or(struct parser *p, uint32_t *out);

/* After "in": '(' literal (',' literal)* ')'. */
static int
parse_in_list(struct parser *p, const struct expr_token *in, struct expr_node *n)
{
    const struct expr_token *lp = next(p);
    if (lp->kind != TOK_LPAREN)
        return fail_tok(p, lp, "expected \"(\" after \"%.*s\"", TOKTEXT(p, in));
    n->b = p->e->nopnds;
    n->n = 0;
    for (;;) {
        const struct expr_token *t = next(p);
        if (t->kind == TOK_RPAREN && n->n == 0)
            return fail_tok(p, t, "empty list after \"%.*s\"", TOKTEXT(p, in));
        if (t->kind == TOK_EOF)
            return fail_tok(p, lp, "missing \")\"");
        if (t->kind != TOK_NUMBER && t->kind != TOK_STRING) {
            if (is_operand(t->kind))
                return fail_tok(p, t, "the list after \"in\" may hold only literals");
            return fail_tok(p, t, "expected a value in the list, got \"%.*s\"", TOKTEXT(p, t));
        }
        add_operand(p, t);
        if (t->vlen == 0)
            n->has_empty = true;
        n->n++;
        const struct expr_token *sep = next(p);
        if (sep->kind == TOK_RPAREN)
            return TALLY_OK;
        if (sep->kind == TOK_EOF)
            return fail_tok(p, lp, "missing \")\"");
        if (sep->kind != TOK_COMMA)
            return fail_tok(p, sep, "expected \",\" or \")\" in the list, got \"%.*s\"",
                            TOKTEXT(p, sep));
    }
}

static int
add_regex(struct parser *p, const struct expr_token *t, uint32_t *out)
{
    struct tally_expr *e = p->e;
    tally_xgrow((void **)&e->res, &p->cap_res, e->nres + 1, sizeof *e->res);
    struct expr_regex *r = &e->res[e->nres];
    memset(r, 0, sizeof *r);
    r->voff = t->voff;
    r->vlen = t->vlen;
    char err[256];
    size_t erroff = 0;
    if (!expr_regex_compile(r, p->lx.strbuf, err, sizeof err, &erroff)) {
        size_t at = expr_string_srcpos(p->text, t, erroff);
        tally_diag_usage(p->d, "--where: bad regex: %s", err);
        tally_diag_caret(p->d, p->text, at, 1);
        return TALLY_EUSAGE;
    }
    *out = e->nres++;
    return TALLY_OK;
}

/* operand cmp operand | operand (~|!~) string | operand [not] in (...) */
static int
parse_predicate(struct parser *p, uint32_t *out)
{
    const struct expr_token *lt = next(p);
    struct expr_node n = {0};
    n.a = add_operand(p, lt);
    const struct expr_token *op = next(p);
    if (is_cmp(op->kind)) {
        const struct expr_token *rt = next(p);
        if (!is_operand(rt->kind))
            return fail_tok(p, rt, "expected a value after \"%.*s\"", TOKTEXT(p, op));
        n.kind = NODE_CMP;
        n.op = op->kind;
        n.b = add_operand(p, rt);
    } else if (op->kind == TOK_MATCH || op->kind == TOK_NMATCH) {
        const struct expr_token *rt = next(p);
        if (rt->kind != TOK_STRING)
            return fail_tok(p, rt, "the right side of %.*s must be a string literal",
                            TOKTEXT(p, op));
        n.kind = NODE_MATCH;
        n.negate = op->kind == TOK_NMATCH;
        int st = add_regex(p, rt, &n.b);
        if (st != TALLY_OK)
            return st;
    } else if (op->kind == TOK_IN ||
               (op->kind == TOK_NOT && p->lx.toks[p->pos].kind == TOK_IN && op->len == 3)) {
        if (op->kind == TOK_NOT) {
            n.negate = true;
            op = next(p);
        }
        n.kind = NODE_IN;
        int st = parse_in_list(p, op, &n);
        if (st != TALLY_OK)
            return st;
    } else {
        /* The bare operand is the fault: underline it. */
        return fail_tok(p, lt, "expected a comparison after \"%.*s\"", TOKTEXT(p, lt));
    }
    *out = add_node(p, n);
    return TALLY_OK;
}

static int
parse_not(struct parser *p, uint32_t *out)
{
    const struct expr_token *t = peek(p);
    if (t->kind == TOK_NOT || t->kind == TOK_LPAREN) {
        if (++p->depth > EXPR_MAX_DEPTH)
            return fail_tok(p, t, "expression nested too deeply");
        next(p);
        uint32_t child = 0;
        int st;
        if (t->kind == TOK_NOT) {
            if (peek(p)->kind == TOK_EOF)
                return fail_tok(p, peek(p), "expected an expression after \"%.*s\"", TOKTEXT(p, t));
            st = parse_not(p, &child);
            if (st == TALLY_OK)
                *out = add_node(p, (struct expr_node){.kind = NODE_NOT, .a = child});
        } else {
            if (peek(p)->kind == TOK_EOF)
                return fail_tok(p, t, "missing \")\"");
            st = parse_or(p, &child);
            if (st == TALLY_OK) {
                const struct expr_token *rp = peek(p);
                if (rp->kind == TOK_EOF)
                    return fail_tok(p, t, "missing \")\"");
                if (rp->kind != TOK_RPAREN)
                    return fail_tok(p, rp, "expected \"and\", \"or\" or \")\" before \"%.*s\"",
                                    TOKTEXT(p, rp));
                next(p);
                *out = child;
            }
        }
        p->depth--;
        return st;
    }
    if (is_operand(t->kind))
        return parse_predicate(p, out);
    return fail_unexpected(p, t);
}

/* and-expr / or-expr: a flat n-ary node over the operands of one chain. */
static int
parse_chain(struct parser *p, enum expr_tok sep, uint32_t *out)
{
    uint32_t stackbuf[16], *items = stackbuf;
    size_t n = 0, cap = 16;
    int st = TALLY_OK;
    for (;;) {
        uint32_t child = 0;
        st = sep == TOK_OR ? parse_chain(p, TOK_AND, &child) : parse_not(p, &child);
        if (st != TALLY_OK)
            break;
        if (n == cap) {
            uint32_t *grown = tally_xmalloc(2 * cap * sizeof *grown);
            memcpy(grown, items, n * sizeof *items);
            if (items != stackbuf)
                free(items);
            items = grown;
            cap *= 2;
        }
        items[n++] = child;
        const struct expr_token *t = peek(p);
        if (t->kind != sep)
            break;
        next(p);
        if (peek(p)->kind == TOK_EOF) {
            st = fail_tok(p, peek(p), "expected an expression after \"%.*s\"", TOKTEXT(p, t));
            break;
        }
    }
    if (st == TALLY_OK) {
        if (n == 1) {
            *out = items[0];
        } else {
            struct tally_expr *e = p->e;
            tally_xgrow((void **)&e->kids, &p->cap_kids, e->nkids + n, sizeof *e->kids);
            memcpy(e->kids + e->nkids, items, n * sizeof *items);
            struct expr_node node = {
                .kind = sep == TOK_OR ? NODE_OR : NODE_AND, .b = e->nkids, .n = (uint32_t)n};
            e->nkids += (uint32_t)n;
            *out = add_node(p, node);
        }
    }
    if (items != stackbuf)
        free(items);
    return st;
}

static int
parse_or(struct parser *p, uint32_t *out)
{
    return parse_chain(p, TOK_OR, out);
}

int
tally_expr_compile(struct tally_expr **out, const char *text, struct tally_diag *d)
{
    *out = NULL;
    struct parser p = {.text = text, .d = d};
    int st = expr_lex(text, &p.lx, d);
    if (st != TALLY_OK)
        return st;
    struct tally_expr *e = tally_xcalloc(1, sizeof *e);
    p.e = e;
    e->text = tally_xstrdup(text);
    const struct expr_token *t = peek(&p);
    if (t->kind == TOK_EOF) {
        st = fail_tok(&p, t, "empty expression");
    } else {
        st = parse_or(&p, &e->root);
        t = peek(&p);
        if (st == TALLY_OK && t->kind == TOK_RPAREN)
            st = fail_tok(&p, t, "unbalanced \")\"");
        else if (st == TALLY_OK && t->kind != TOK_EOF)
            st = fail_tok(&p, t, "expected \"and\" or \"or\" before \"%.*s\"", TOKTEXT(&p, t));
    }
    /* The token values stay: operands, slots and regexes point into them. */
    e->strbuf = p.lx.strbuf;
    e->strcap = p.lx.strcap;
    p.lx.strbuf = NULL;
    expr_lexed_fini(&p.lx);
    if (st != TALLY_OK) {
        tally_expr_free(e);
        return st;
    }
    expr_runtime_init(e);
    *out = e;
    return TALLY_OK;
}

int
tally_expr_bind(struct tally_expr *e, const struct tally_header *h, struct tally_diag *d)
{
    for (uint32_t i = 0; i < e->nslots; i++) {
        struct expr_slot *s = &e->slots[i];
        const struct expr_operand *o = &e->opnds[s->opnd];
        const char *name = e->strbuf + s->voff;
        int64_t col = tally_header_find(h, name, s->vlen);
        if (col < 0) {
            if (o->is_colref) {
                tally_diag_usage(d, "--where: no column %.*s (the input has %u columns)",
                                 (int)s->vlen, name, h->n);
            } else {
                const char *best = tally_header_suggest(h, name, s->vlen);
                if (best)
                    tally_diag_usage(d, "--where: unknown column \"%.*s\" (did you mean \"%s\"?)",
                                     (int)s->vlen, name, best);
                else
                    tally_diag_usage(d, "--where: unknown column \"%.*s\"", (int)s->vlen, name);
            }
            tally_diag_caret(d, e->text, o->src_off, o->src_len);
            return TALLY_EUSAGE;
        }
        s->col = (uint32_t)col;
        s->cache = i;
        s->stamp = 0;
        for (uint32_t j = 0; j < i; j++)
            if (e->slots[j].col == s->col) {
                s->cache = j;
                break;
            }
    }
    e->bound = true;
    return TALLY_OK;
}

static void *
dup_array(const void *src, size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    void *p = tally_xmalloc(n * size);
    memcpy(p, src, n * size);
    return p;
}

struct tally_expr *
tally_expr_clone(const struct tally_expr *e)
{
    struct tally_expr *c = tally_xcalloc(1, sizeof *c);
    c->text = tally_xstrdup(e->text);
    c->strcap = e->strcap;
    c->strbuf = dup_array(e->strbuf, e->strcap, 1);
    c->nodes = dup_array(e->nodes, e->nnodes, sizeof *e->nodes);
    c->nnodes = e->nnodes;
    c->root = e->root;
    c->kids = dup_array(e->kids, e->nkids, sizeof *e->kids);
    c->nkids = e->nkids;
    c->opnds = dup_array(e->opnds, e->nopnds, sizeof *e->opnds);
    c->nopnds = e->nopnds;
    c->slots = dup_array(e->slots, e->nslots, sizeof *e->slots);
    c->nslots = e->nslots;
    for (uint32_t i = 0; i < c->nslots; i++)
        c->slots[i].stamp = 0;
    c->bound = e->bound;
    /* Each copy compiles its own patterns: no reference counts to share, and
     * each gets its own match data and JIT stack. They compiled once already. */
    c->res = tally_xcalloc(e->nres ? e->nres : 1, sizeof *c->res);
    for (uint32_t i = 0; i < e->nres; i++) {
        char err[256];
        size_t erroff;
        c->res[i].voff = e->res[i].voff;
        c->res[i].vlen = e->res[i].vlen;
        if (!expr_regex_compile(&c->res[i], c->strbuf, err, sizeof err, &erroff))
            tally_oom(); /* it compiled before: only memory can fail it now */
        c->nres++;
    }
    expr_runtime_init(c);
    return c;
}

void
tally_expr_free(struct tally_expr *e)
{
    if (!e)
        return;
    for (uint32_t i = 0; i < e->nres; i++) {
        pcre2_match_data_free(e->res[i].md);
        pcre2_code_free(e->res[i].code);
    }
    pcre2_match_context_free(e->mctx);
    pcre2_jit_stack_free(e->jstack);
    free(e->res);
    free(e->slots);
    free(e->opnds);
    free(e->kids);
    free(e->nodes);
    free(e->strbuf);
    free(e->text);
    free(e);
}
