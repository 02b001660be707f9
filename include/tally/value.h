/* One output cell: a number tally computed, text copied from the input, or
 * nothing. Writers format it; JSON prints numbers bare and text quoted;
 * table, markdown and chart round computed REAL values to --precision. */
#ifndef TALLY_VALUE_H
#define TALLY_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "tally/slice.h"

enum tally_value_kind {
    TALLY_VAL_EMPTY = 0, /* no value: an empty cell (null in JSON for computed columns) */
    TALLY_VAL_INT,       /* i */
    TALLY_VAL_REAL,      /* d, printed by tally_format_double */
    TALLY_VAL_TEXT,      /* s, borrowed */
};

struct tally_value {
    enum tally_value_kind kind;
    int64_t i;
    double d;
    struct tally_slice s;
    bool as_input; /* INT/REAL: an input value passed through (min, max): people's formats
                      print it in full instead of rounding it to --precision */
};

/* The SPEC's one order of values, for the default group order, --sort and
 * bucket keys: the empty value first, then values that read as numbers in
 * numeric order, then the rest in byte order. Numbers that are equal but
 * written differently ("1", "1.0") are ordered by their bytes; computed
 * numbers have no bytes and are then equal. A key holds what the order
 * needs, so a sort can compute it once per value rather than per compare. */
struct tally_order_key {
    uint8_t cls; /* 0 empty, 1 number, 2 text */
    bool is_int;
    int64_t i;
    double d;
    struct tally_slice s; /* the text (borrowed from the value); empty for computed */
};

void tally_order_key_text(struct tally_slice s, struct tally_order_key *k);
void tally_order_key_value(const struct tally_value *v, struct tally_order_key *k);
/* Two numbers (cls 1) compared by value: exact for integers, for doubles
 * (NaN after every number) and, where doubles cannot tell (they round to
 * the same one, an integer past 2^53 against a decimal), for the literals
 * as written. */
int tally_order_number_cmp(const struct tally_order_key *a, const struct tally_order_key *b);

/* The order of two keys. Inline: a sort of groups calls it per key. */
static inline int
tally_order_cmp(const struct tally_order_key *a, const struct tally_order_key *b)
{
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    if (a->cls == 0)
        return 0;
    if (a->cls == 1) {
        int r =
            a->is_int && b->is_int ? (a->i > b->i) - (a->i < b->i) : tally_order_number_cmp(a, b);
        if (r)
            return r;
    }
    return tally_slice_cmp(a->s, b->s);
}
/* The two keys made and compared. */
int tally_value_cmp(const struct tally_value *a, const struct tally_value *b);

#endif
