/* Output rows held back for --sort: their values, copied where they must
 * outlive the input, ordered by the sort keys with input order breaking
 * ties (a stable sort). */
#ifndef TALLY_ROWSORT_H
#define TALLY_ROWSORT_H

#include <stddef.h>
#include <stdint.h>

#include "tally/plan.h"
#include "tally/value.h"

struct tally_heldrow {
    struct tally_value *vals;
    uint64_t seq; /* input order */
};

/* Sorts rows by the plan's sort keys, ties in seq order. */
void tally_rows_sort(const struct tally_plan *p, struct tally_heldrow *rows, size_t n);

/* A copy of ncols values in one allocation (values, then their text);
 * free it with free(). */
struct tally_value *tally_values_copy(const struct tally_value *vals, uint32_t ncols);

#endif
