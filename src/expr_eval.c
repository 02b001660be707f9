/* --where evaluator: walks the compiled node array over one row, reading
 * only the columns the expression names, converting each to a number at
 * most once per row, and matching regexes with per-copy match data (the
 * compiled patterns are shared by all copies, so threads may evaluate
 * copies of one expression at once). */
#include "tally/expr.h"

#include <stdlib.h>
#include <string.h>

#include "expr_int.h"
#include "tally/status.h"
#include "tally/xalloc.h"

bool
expr_regex_compile(struct expr_regex *r, const char *strbuf, char *errbuf, size_t errsize,
                   size_t *erroff)
{
    int code = 0;
    PCRE2_SIZE off = 0;
    /* No PCRE2_UTF: values may be any bytes, and a pattern that wants UTF
     * semantics asks with (*UTF). */
    r->code = pcre2_compile((PCRE2_SPTR)(strbuf + r->voff), r->vlen, 0, &code, &off,
                            tally_pcre_ccontext());
    if (!r->code) {
        tally_pcre_check_memory(code);
        pcre2_get_error_message(code, (PCRE2_UCHAR *)errbuf, errsize);
        *erroff = off;
        return false;
    }
    /* Once, before any copy matches: the JIT code is then read-only and
     * shared. Without JIT support this fails and pcre2_match interprets. */
    (void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
    return true;
}

void
expr_runtime_init(struct tally_expr *e)
{
    if (e->nres == 0)
        return;
    /* Only whether it matched matters: one pair of offsets is enough. */
    for (uint32_t i = 0; i < e->nres; i++) {
        e->res[i].md = tally_xcheck(pcre2_match_data_create(1, tally_pcre_gcontext()));
    }
    tally_pcre_limits(&e->mctx, &e->jstack);
}

static struct tally_slice
value_of(const struct tally_expr *e, const struct expr_operand *o, const struct tally_row *row)
{
    if (o->kind == OPND_LIT)
        return (struct tally_slice){e->strbuf + o->voff, o->vlen};
    uint32_t col = e->slots[o->slot].col;
    if (col >= row->nfields)
        return (struct tally_slice){NULL, 0};
    return row->fields[col];
}

static const struct tally_num *
num_of(struct tally_expr *e, const struct expr_operand *o, struct tally_slice v)
{
    if (o->kind == OPND_LIT)
        return &o->num;
    if (e->nums)
        return tally_numcache_get(e->nums, e->slots[o->slot].col, v);
    struct expr_slot *s = &e->slots[e->slots[o->slot].cache];
    if (s->stamp != e->rowstamp) {
        tally_parse_number(v, &s->num);
        s->stamp = e->rowstamp;
    }
    return &s->num;
}

static bool
lit_not_number(const struct expr_operand *o)
{
    return o->kind == OPND_LIT && o->num.kind == TALLY_NUM_NONE;
}

/* Three-way comparison of two non-empty values by the SPEC's rule. */
static int
compare(struct tally_expr *e, const struct expr_operand *a, struct tally_slice l,
        const struct expr_operand *b, struct tally_slice r)
{
    if (!lit_not_number(a) && !lit_not_number(b)) {
        const struct tally_num *ln = num_of(e, a, l);
        if (ln->kind != TALLY_NUM_NONE) {
            const struct tally_num *rn = num_of(e, b, r);
            if (rn->kind == TALLY_NUM_INT && ln->kind == TALLY_NUM_INT)
                return (ln->i > rn->i) - (ln->i < rn->i);
            if (rn->kind != TALLY_NUM_NONE)
                return (ln->d > rn->d) - (ln->d < rn->d);
        }
    }
    return tally_slice_cmp(l, r);
}

static bool
is_empty_lit(const struct expr_operand *o)
{
    return o->kind == OPND_LIT && o->vlen == 0;
}

static int
eval_cmp(struct tally_expr *e, const struct expr_node *n, const struct tally_row *row)
{
    const struct expr_operand *a = &e->opnds[n->a], *b = &e->opnds[n->b];
    struct tally_slice l = value_of(e, a, row), r = value_of(e, b, row);
    if ((n->op == TOK_EQ || n->op == TOK_NE) && (is_empty_lit(a) || is_empty_lit(b))) {
        bool empty = is_empty_lit(a) ? r.len == 0 : l.len == 0;
        return n->op == TOK_EQ ? empty : !empty;
    }
    if (l.len == 0 || r.len == 0)
        return 0;
    int c = compare(e, a, l, b, r);
    switch (n->op) {
    case TOK_EQ:
        return c == 0;
    case TOK_NE:
        return c != 0;
    case TOK_LT:
        return c < 0;
    case TOK_LE:
        return c <= 0;
    case TOK_GT:
        return c > 0;
    default:
        return c >= 0;
    }
}

static int
eval_in(struct tally_expr *e, const struct expr_node *n, const struct tally_row *row)
{
    const struct expr_operand *a = &e->opnds[n->a];
    struct tally_slice v = value_of(e, a, row);
    /* As the "or" of "==" (for in) or the "and" of "!=" (for not in): on an
     * empty value only a listed "" can hold, and only for "in". */
    if (v.len == 0)
        return n->negate ? 0 : n->has_empty;
    for (uint32_t i = 0; i < n->n; i++) {
        const struct expr_operand *lit = &e->opnds[n->b + i];
        if (lit->vlen == 0)
            continue;
        if (compare(e, a, v, lit, value_of(e, lit, row)) == 0)
            return !n->negate;
    }
    return n->negate;
}

static int
eval_match(struct tally_expr *e, const struct expr_node *n, const struct tally_row *row,
           struct tally_diag *d)
{
    struct tally_slice v = value_of(e, &e->opnds[n->a], row);
    if (v.len == 0)
        return 0;
    struct expr_regex *r = &e->res[n->b];
    int rc = pcre2_match(r->code, (PCRE2_SPTR)v.ptr, v.len, 0, 0, r->md, e->mctx);
    if (rc >= 0)
        return !n->negate;
    if (rc == PCRE2_ERROR_NOMATCH)
        return n->negate;
    tally_pcre_check_memory(rc);
    struct tally_loc loc = {row->file, row->line, 0};
    const char *limit = tally_pcre_limit_name(rc);
    if (limit) {
        tally_diag_fail(d, &loc, "--where: pattern \"%.*s\" hit PCRE2's %s", (int)r->vlen,
                        e->strbuf + r->voff, limit);
    } else {
        char msg[256];
        pcre2_get_error_message(rc, (PCRE2_UCHAR *)msg, sizeof msg);
        tally_diag_fail(d, &loc, "--where: pattern \"%.*s\" failed: %s", (int)r->vlen,
                        e->strbuf + r->voff, msg);
    }
    return -1;
}

/* 1 true, 0 false, -1 error (d filled). Recursion depth is bounded by the
 * parser's nesting limit. */
static int
eval_node(struct tally_expr *e, uint32_t ni, const struct tally_row *row, struct tally_diag *d)
{
    const struct expr_node *n = &e->nodes[ni];
    switch (n->kind) {
    case NODE_CMP:
        return eval_cmp(e, n, row);
    case NODE_IN:
        return eval_in(e, n, row);
    case NODE_MATCH:
        return eval_match(e, n, row, d);
    case NODE_NOT: {
        int v = eval_node(e, n->a, row, d);
        return v < 0 ? v : !v;
    }
    case NODE_AND:
    case NODE_OR: {
        int stop = n->kind == NODE_OR; /* the value that decides the chain */
        for (uint32_t i = 0; i < n->n; i++) {
            int v = eval_node(e, e->kids[n->b + i], row, d);
            if (v < 0 || v == stop)
                return v;
        }
        return !stop;
    }
    }
    return 0;
}

void
tally_expr_share_numbers(struct tally_expr *e, struct tally_numcache *c)
{
    e->nums = c;
}

int
tally_expr_eval(struct tally_expr *e, const struct tally_row *row, bool *keep, struct tally_diag *d)
{
    *keep = false;
    if (e->nslots && !e->bound)
        return tally_diag_usage(d, "--where: expression evaluated before its columns were bound");
    e->rowstamp++;
    int v = eval_node(e, e->root, row, d);
    if (v < 0)
        return TALLY_EDATA;
    *keep = v == 1;
    return TALLY_OK;
}
