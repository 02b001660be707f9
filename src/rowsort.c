/* --sort: comparing output values by the SPEC's order and sorting the rows
 * held back, with the sort keys passed as context (no global). */
#include "tally/rowsort.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tally/slice.h"
#include "tally/xalloc.h"

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
