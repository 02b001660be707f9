/* The state of var and stddev (SPEC "Aggregates"): the count, the sum and
 * the sum of squares of the values, all exact, so every cut of the input
 * and every merge order gives the same bits. Values with an int64 mantissa
 * and at most TALLY_MOMENTS_MAX_SCALE decimals are summed as scaled
 * integers (their exact decimal value); the others as doubles in windowed
 * superaccumulators (the square of a double is exact there too). The
 * variance (n Σx² − (Σx)²) / (n (n − 1)) is evaluated exactly and rounded
 * once; the standard deviation is its correctly rounded square root. */
#ifndef TALLY_MOMENTS_H
#define TALLY_MOMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "tally/exact.h"

/* Σx² of 2^64 values of 19 digits at twice this scale stays below 2^256. */
#define TALLY_MOMENTS_MAX_SCALE 9

struct tally_moments {
    struct tally_wide sx;  /* short decimals: Σx * 10^scale */
    struct tally_wide sxx; /* short decimals: Σx² * 10^(2 scale) */
    uint64_t n;            /* every value, infinities included */
    int32_t scale;
    uint32_t inf; /* bit 0: a +inf was seen, bit 1: a -inf */
    /* The finite values that are not short decimals, as doubles: Σx in
     * units of 2^-1074 and Σx² in units of 2^-2148, NULL while empty. */
    struct tally_wacc *bx, *bxx;
};

void tally_moments_init(struct tally_moments *m);
/* Adds mant * 10^-scale, 0 <= scale <= TALLY_MOMENTS_MAX_SCALE. */
void tally_moments_add_decimal(struct tally_moments *m, int64_t mant, int scale);
/* Adds a double (an infinity makes the results NaN). */
void tally_moments_add_double(struct tally_moments *m, double x);
/* Folds src into dst; src may be emptied and must still be finished. */
void tally_moments_merge(struct tally_moments *dst, struct tally_moments *src);
/* The sample variance and standard deviation, correctly rounded; false
 * with fewer than two values. NaN when a value was infinite. */
bool tally_moments_var(const struct tally_moments *m, double *out);
bool tally_moments_stddev(const struct tally_moments *m, double *out);
void tally_moments_fini(struct tally_moments *m);
/* State text (codec.h): N,SCALE,INF,SX,SXX,BX,BXX (no ';'). decode reads
 * into an initialised m; on false m is still fit for fini. */
void tally_moments_encode(const struct tally_moments *m, struct tally_buf *b);
bool tally_moments_decode(struct tally_dec *d, struct tally_moments *m);

#endif
