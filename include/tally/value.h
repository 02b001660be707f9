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

#endif
