/* The states of the ops, private to ops.c (count, the numeric ops),
 * ops_text.c (first, last, distinct, mode: their states own memory that fini
 * frees) and ops_codec.c (state text of the numeric ops, codec.h). */
#ifndef TALLY_OPS_INT_H
#define TALLY_OPS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tally/exact.h"
#include "tally/ops.h"

/* sum and mean: an exact decimal sum, plus an exact binary sum of the
 * values that have no exact decimal form. Both are order-independent. */
struct tally_sum_st {
    struct tally_wide dec; /* exact sum of decimal values, times 10^scale */
    uint64_t n;            /* numeric values seen */
    int32_t scale;
    uint8_t all_int;        /* every value was an int64 integer */
    uint8_t has_bin;        /* some value went to the binary sum */
    uint8_t pos_inf;        /* a value was +inf (1e999) */
    uint8_t neg_inf;        /* a value was -inf */
    struct tally_wacc *bin; /* values without a decimal form; NULL while empty */
};

/* min and max: the winning input. pos: where the stretch of input that
 * gave it starts (0 while fed by rows), which breaks ties in merges. */
struct tally_ext_st {
    uint32_t has;
    uint32_t kind; /* TALLY_NUM_INT or TALLY_NUM_REAL */
    int64_t i;
    double d;
    uint64_t pos;
};

/* median and pNN: every value. */
struct tally_pct_st {
    double *v;
    size_t n, cap;
};

void tally_count_encode(const void *st, uint64_t origin, struct tally_buf *out);
bool tally_count_decode(void *st, const char *text, size_t len);
void tally_sum_encode(const void *st, uint64_t origin, struct tally_buf *out);
bool tally_sum_decode(void *st, const char *text, size_t len);
void tally_ext_encode(const void *st, uint64_t origin, struct tally_buf *out);
bool tally_ext_decode(void *st, const char *text, size_t len);
void tally_pct_encode(const void *st, uint64_t origin, struct tally_buf *out);
bool tally_pct_decode(void *st, const char *text, size_t len);
void tally_var_encode(const void *st, uint64_t origin, struct tally_buf *out);
bool tally_var_decode(void *st, const char *text, size_t len);

/* first and last: an owned copy of the bytes; pos: where the stretch of
 * input that gave them starts (0 while fed by rows). */
struct tally_text_st {
    char *buf;
    size_t len, cap;
    uint64_t has;
    uint64_t pos;
};

/* distinct and mode: a map of owned strings to counts, in first-seen order
 * (entries), indexed by an open-addressing table of entry numbers. The
 * entries come in segments of rising positions (where the stretch of input
 * in which they were first seen starts): segment k holds the entries from
 * seg[k].start to the next one's start. nseg 0 stands for one segment at
 * position 0 (a map fed by rows and merged by threads only); only merge,
 * encode and decode look at them. */
struct tally_sm_seg {
    uint64_t pos;
    size_t start;
};
struct tally_sm_ent {
    uint64_t hash;
    size_t off, len;
    uint64_t count;
};

struct tally_strmap {
    char *bytes;
    size_t blen, bcap;
    struct tally_sm_ent *ent;
    size_t n, ecap;
    uint32_t *idx; /* entry number + 1; 0 is an empty slot */
    size_t icap;   /* a power of two, or 0 */
    struct tally_sm_seg *seg;
    size_t nseg, segcap;
};

void tally_text_init(void *st);
void tally_first_update(void *st, const struct tally_cell *c);
void tally_last_update(void *st, const struct tally_cell *c);
void tally_first_merge(void *dst, void *src);
void tally_last_merge(void *dst, void *src);
void tally_text_final(void *st, const struct tally_op_param *param, struct tally_value *out);
void tally_text_fini(void *st);
void tally_sm_init(void *st);
void tally_sm_update(void *st, const struct tally_cell *c);
void tally_sm_merge(void *dst, void *src);
void tally_distinct_final(void *st, const struct tally_op_param *param, struct tally_value *out);
void tally_mode_final(void *st, const struct tally_op_param *param, struct tally_value *out);
void tally_sm_fini(void *st);
void tally_text_encode(const void *st, uint64_t origin, struct tally_buf *out);
bool tally_text_decode(void *st, const char *text, size_t len);
void tally_sm_encode(const void *st, uint64_t origin, struct tally_buf *out);
bool tally_sm_decode(void *st, const char *text, size_t len);

#endif
