/* --sort: comparing output values by the SPEC's order and sorting the rows
 * held back, with the sort keys passed as context (no global). */
#include "tally/rowsort.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tally/slice.h"
#include "tally/xalloc.h"

/* A computed value (INT or REAL) as the number reader would give it. */
static struct tally_num
value_number(const struct tally_value *v)
{
    if (v->kind == TALLY_VAL_INT)
        return (struct tally_num){.kind = TALLY_NUM_INT, .i = v->i, .d = (double)v->i};
    return (struct tally_num){.kind = TALLY_NUM_REAL, .d = v->d};
}

int
tally_value_cmp(const struct tally_value *a, const struct tally_value *b)
{
    bool ae = a->kind == TALLY_VAL_EMPTY || (a->kind == TALLY_VAL_TEXT && a->s.len == 0);
    bool be = b->kind == TALLY_VAL_EMPTY || (b->kind == TALLY_VAL_TEXT && b->s.len == 0);
    if (ae || be)
        return be - ae;
    struct tally_num na = {0}, nb = {0};
    if (a->kind == TALLY_VAL_TEXT)
        tally_parse_number(a->s, &na);
    else
        na = value_number(a);
    if (b->kind == TALLY_VAL_TEXT)
        tally_parse_number(b->s, &nb);
    else
        nb = value_number(b);
    bool an = na.kind != TALLY_NUM_NONE, bn = nb.kind != TALLY_NUM_NONE;
    if (an != bn)
        return an ? -1 : 1;
    if (an) {
        if (na.kind == TALLY_NUM_INT && nb.kind == TALLY_NUM_INT)
            return (na.i > nb.i) - (na.i < nb.i);
        if (na.d != nb.d)
            return na.d < nb.d ? -1 : 1;
        return 0;
    }
    return tally_slice_cmp(a->s, b->s);
}

static int
compare_held(const void *pa, const void *pb, void *ctx)
{
    const struct tally_plan *p = ctx;
    const struct tally_heldrow *a = pa, *b = pb;
    for (uint32_t i = 0; i < p->nsort; i++) {
        const struct tally_sortkey *k = &p->sort[i];
        int c = tally_value_cmp(&a->vals[k->col], &b->vals[k->col]);
        if (c)
            return k->desc ? -c : c;
    }
    return (a->seq > b->seq) - (a->seq < b->seq);
}

void
tally_rows_sort(const struct tally_plan *p, struct tally_heldrow *rows, size_t n)
{
    if (n > 1)
        qsort_r(rows, n, sizeof *rows, compare_held, (void *)p);
}

struct tally_value *
tally_values_copy(const struct tally_value *vals, uint32_t ncols)
{
    size_t bytes = ncols * sizeof *vals;
    for (uint32_t i = 0; i < ncols; i++)
        if (vals[i].kind == TALLY_VAL_TEXT)
            bytes += vals[i].s.len;
    /* malloc's result is aligned for any type, so the values come first. */
    struct tally_value *copy = tally_xmalloc(bytes ? bytes : 1);
    char *text = (char *)(copy + ncols);
    for (uint32_t i = 0; i < ncols; i++) {
        copy[i] = vals[i];
        if (vals[i].kind == TALLY_VAL_TEXT) {
            if (vals[i].s.len)
                memcpy(text, vals[i].s.ptr, vals[i].s.len);
            copy[i].s.ptr = text;
            text += vals[i].s.len;
        }
    }
    return copy;
}
