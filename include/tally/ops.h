/* The aggregate table (SPEC "Aggregates"): each op parses its own parameter
 * (pNN) and is a fixed-size state with init, update, merge and final. States
 * live in the group table's arrays, indexed by group id; some own heap
 * memory they free in fini (the binary sums of sum and var, the values of
 * percentiles, the strings of first, last, distinct and mode). Merging never
 * depends on where the input was cut. */
#ifndef TALLY_OPS_H
#define TALLY_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/buf.h"
#include "tally/slice.h"
#include "tally/value.h"

enum tally_op_arg {
    TALLY_ARG_NONE,     /* takes no column */
    TALLY_ARG_OPTIONAL, /* count and count:COL */
    TALLY_ARG_REQUIRED,
};

/* Which rows reach update; run.c filters, so ops never test for it. */
enum tally_op_input {
    TALLY_IN_ROW,    /* every kept row; cell is NULL */
    TALLY_IN_NUMBER, /* only values that read as numbers (cell->num.kind != NONE) */
    TALLY_IN_TEXT,   /* only non-empty values */
};

/* One value of the op's column in the current row. Borrowed for the call. */
struct tally_cell {
    struct tally_slice text;
    struct tally_num num;
};

/* Per-use parameters fixed at plan time. */
struct tally_op_param {
    double p; /* percentile in [0,100] for median/pNN */
};

struct tally_op {
    const char *name; /* "sum", "p", "median", ... */
    /* Reads the parameter written after the name ("99.9" in "p99.9", "" in
     * "median") into *param (zeroed before the call) and returns true. On
     * false the text is no use of this op: the lookup goes on, and ends in
     * "unknown aggregate" unless *why was set to say what is wrong with the
     * parameter. NULL for ops without one: the name must match exactly. */
    bool (*parse)(const char *arg, size_t len, struct tally_op_param *param, const char **why);
    enum tally_op_arg arg;
    enum tally_op_input input; /* with a column; count without one is TALLY_IN_ROW */
    size_t state_size;         /* bytes, a multiple of 8 */
    void (*init)(void *st);
    void (*update)(void *st, const struct tally_cell *cell);
    /* Folds src into dst, exactly as if one state had seen both parts in
     * input order. Order-sensitive states (first, last, min and max for
     * ties, distinct and mode) hold the positions (origins) of their input: src is taken to come
     * after dst unless its positions say it comes before; equal positions keep the call order
     * (threads: ranges in file order; --merge: input order). src may be emptied; it is still given
     * to fini afterwards. */
    void (*merge)(void *dst, void *src);
    /* The result; text points into the state (valid until fini). May sort or
     * reorder the state's own arrays. */
    void (*final)(void *st, const struct tally_op_param *param, struct tally_value *out);
    void (*fini)(void *st); /* frees owned memory; NULL when there is none */
    /* Appends the state's exact encoding for a partial (--partial): bytes
     * 0x21..0x7e only (no space, tab or line end), so that it is one field
     * of a partial line, portable across hosts (codec.h). decode(encode(s))
     * is a state that merges and finishes exactly as s does. origin: where
     * this run's input starts in the whole input (--shard), added to the
     * positions an order-sensitive state holds (first, last, min, max,
     * distinct, mode), which are 0 in a state fed by rows. */
    void (*encode)(const void *st, uint64_t origin, struct tally_buf *out);
    /* Reads what encode wrote into st, which init has prepared. Returns
     * false when text is not such an encoding (truncated, corrupted,
     * foreign); st is then still fit for fini, never for merge or final. */
    bool (*decode)(void *st, const char *text, size_t len);
};

/* Looks up an aggregate by name ("count", "p99.9", "median", ...): the first
 * op of the table whose name matches exactly, or whose name starts the text
 * and whose parse accepts the rest; it sets *param (when not NULL). Returns
 * NULL if none does, with *why (when not NULL) set to an op's message about
 * its parameter, or NULL for an unknown name. count with a column uses the
 * op returned by tally_op_count_col(). */
const struct tally_op *tally_op_find(const char *name, size_t len, struct tally_op_param *param,
                                     const char **why);
const struct tally_op *tally_op_count_col(void);
/* Comma-separated list of aggregate names, for help and error messages. */
const char *tally_op_names(void);

#endif
