/* The plan of a --merge: the keys and aggregates a partial's header names,
 * already bound (the output names are the ones the partial's run printed),
 * and the output options of this run, else those the partial recorded. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tally/partial.h"
#include "tally/status.h"
#include "tally/xalloc.h"

static int
bad_header(struct tally_diag *d, const struct tally_pfield *f)
{
    return tally_diag_fail(d, NULL, "partial header: unexpected field %s=\"%.*s\"", f->name,
                           (int)(f->vlen > 100 ? 100 : f->vlen), f->value);
}

/* One agg= field (with the of= and as= after it) into a; *i moves past them. */
static int
read_agg(struct tally_aggspec *a, const struct tally_pquery *q, uint32_t *i, struct tally_diag *d)
{
    const struct tally_pfield *f = &q->query[*i];
    const char *why = NULL;
    a->func = tally_xstrndup(f->value, f->vlen);
    a->op = tally_op_find(f->value, f->vlen, &a->param, &why);
    if (!a->op)
        return tally_diag_fail(d, NULL, "partial header: unknown aggregate \"%s\"", a->func);
    (*i)++;
    if (*i < q->nquery && strcmp(q->query[*i].name, "of") == 0) {
        f = &q->query[*i];
        a->has_col = true;
        a->col.name = tally_xstrndup(f->value, f->vlen);
        a->col.len = f->vlen;
        a->col.index = -1;
        if (a->op->arg == TALLY_ARG_OPTIONAL)
            a->op = tally_op_count_col();
        (*i)++;
    }
    if (*i >= q->nquery || strcmp(q->query[*i].name, "as") != 0)
        return tally_diag_fail(d, NULL, "partial header: aggregate \"%s\" has no name", a->func);
    a->label = tally_xstrndup(q->query[*i].value, q->query[*i].vlen);
    (*i)++;
    return TALLY_OK;
}

static int
read_query(struct tally_plan *p, const struct tally_pquery *q, struct tally_diag *d)
{
    uint32_t nkeys = 0, naggs = 0;
    for (uint32_t i = 0; i < q->nquery; i++) {
        nkeys += strcmp(q->query[i].name, "key") == 0;
        naggs += strcmp(q->query[i].name, "agg") == 0;
    }
    p->keys = tally_xcalloc(nkeys + 1, sizeof *p->keys);
    p->aggs = tally_xcalloc(naggs + 1, sizeof *p->aggs);
    int rc = TALLY_OK;
    uint32_t i = 0;
    while (i < q->nquery && rc == TALLY_OK) {
        const struct tally_pfield *f = &q->query[i];
        if (strcmp(f->name, "key") == 0) {
            struct tally_keyspec *k = &p->keys[p->nkeys++];
            k->label = tally_xstrndup(f->value, f->vlen);
            k->col = (struct tally_colref){tally_xstrndup(f->value, f->vlen), f->vlen, -1};
            i++;
        } else if (strcmp(f->name, "agg") == 0) {
            rc = read_agg(&p->aggs[p->naggs++], q, &i, d);
        } else if (strcmp(f->name, "input") == 0 || strcmp(f->name, "delim") == 0 ||
                   strcmp(f->name, "header") == 0 || strcmp(f->name, "where") == 0) {
            i++; /* what the rows were: done with by the partial's run */
        } else {
            rc = bad_header(d, f);
        }
    }
    if (rc == TALLY_OK && p->naggs == 0)
        rc = tally_diag_fail(d, NULL, "partial header: no aggregate");
    size_t off = 0;
    for (uint32_t a = 0; a < p->naggs && rc == TALLY_OK; a++) {
        p->aggs[a].offset = off;
        off += (p->aggs[a].op->state_size + 7) & ~(size_t)7;
    }
    p->acc_size = off;
    return rc;
}

int
tally_partial_plan(struct tally_plan *p, const struct tally_pquery *q, const struct tally_opts *o,
                   struct tally_diag *d)
{
    memset(p, 0, sizeof *p);
    p->mode = TALLY_MODE_AGG;
    p->limit = -1;
    int rc = read_query(p, q, d);
    if (rc != TALLY_OK)
        return rc;
    p->bound = true;
    p->limit = o->limit;
    return o->sort ? tally_plan_sort(p, o->sort, d) : TALLY_OK;
}
