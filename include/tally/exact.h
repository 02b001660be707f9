/* Exact arithmetic for the aggregates: 256-bit integers for scaled decimal
 * sums, the exact decimal form of a number, binary superaccumulators (exact
 * sums of doubles and of their squares), and magnitudes of many 64-bit words
 * with a correctly rounded conversion to double. Every type is a fixed-layout
 * struct of 64-bit words (the group table only promises 8-byte alignment), so
 * states built from them can be copied, merged and later written out. */
#ifndef TALLY_EXACT_H
#define TALLY_EXACT_H

#include <stdbool.h>
#include <stdint.h>

#include "tally/slice.h"

struct tally_buf;
struct tally_dec;

/* ---- wide integers: 256-bit two's complement, little-endian words */

struct tally_wide {
    uint64_t w[4];
};

struct tally_wide tally_wide_from_i64(int64_t v);
/* v * v, exact (below 2^126). */
struct tally_wide tally_wide_square_i64(int64_t v);
void tally_wide_add(struct tally_wide *a, const struct tally_wide *b);
/* a *= 10^k for 0 <= k <= 19, modulo 2^256 (exact for the sums kept here). */
void tally_wide_mul_pow10(struct tally_wide *a, int k);
bool tally_wide_is_neg(const struct tally_wide *a);
/* |a| as a magnitude of 4 words. */
struct tally_wide tally_wide_abs(const struct tally_wide *a);
/* False when a does not fit int64. */
bool tally_wide_to_int64(const struct tally_wide *a, int64_t *out);
/* a * 10^-scale (0 <= scale <= 38), correctly rounded. */
double tally_wide_to_double(const struct tally_wide *a, int scale);

/* State text (codec.h): a signed decimal, exact over the 256 bits. */
void tally_wide_encode(const struct tally_wide *a, struct tally_buf *b);
bool tally_wide_decode(struct tally_dec *d, struct tally_wide *a);
bool tally_wide_is_zero(const struct tally_wide *a);

/* ---- exact decimal form */

/* The most decimals a value may have to be summed as a scaled integer. */
#define TALLY_EXACT_MAX_SCALE 18

/* A number's text as mant * 10^-scale, mant in int64 and 0 <= scale <=
 * TALLY_EXACT_MAX_SCALE, trailing zeros dropped; false when it has no such
 * form. The text must already read as a number (tally_parse_number). */
bool tally_exact_parse_decimal(struct tally_slice s, int64_t *mant, int *scale);

/* The same for a parsed number: integers and the reader's decimal digits
 * directly (the per-row path of sum and var), the text otherwise. */
static inline bool
tally_exact_decimal(const struct tally_num *num, struct tally_slice text, int64_t *mant, int *scale)
{
    if (num->kind == TALLY_NUM_INT) {
        *mant = num->i;
        *scale = 0;
        return true;
    }
    if (!num->dec)
        return tally_exact_parse_decimal(text, mant, scale);
    int64_t m = num->dec_mant;
    int32_t sc = m ? num->dec_scale : 0;
    while (sc > 0 && m % 10 == 0) {
        m /= 10;
        sc--;
    }
    if (sc > TALLY_EXACT_MAX_SCALE)
        return false;
    *mant = m;
    *scale = (int)sc;
    return true;
}

/* ---- superaccumulators: exact sums as fixed-point integers, 32 bits per
 * signed 64-bit limb so that carries wait (normalised every 2^30 additions
 * and before reading). Any order of additions and merges gives the same
 * normalised limbs. */

/* Finite doubles, in units of 2^-1074: |sum| < 2^2162 for 2^64 values. */
#define TALLY_SA_LIMBS 70
/* Squares of finite doubles, in units of 2^-2148: |sum| < 2^4260. */
#define TALLY_SA2_LIMBS 134

struct tally_superacc {
    int64_t limb[TALLY_SA_LIMBS];
    uint64_t pending; /* additions since the last normalisation */
};

void tally_superacc_init(struct tally_superacc *a);
/* Adds a finite double exactly. */
void tally_superacc_add(struct tally_superacc *a, double x);
/* dst += src; src is normalised in passing. */
void tally_superacc_merge(struct tally_superacc *dst, struct tally_superacc *src);
/* The sum, correctly rounded (overflowing to +-inf). */
double tally_superacc_to_double(const struct tally_superacc *a);
/* The sum as a magnitude (out has room for 35 words) and a sign, in units
 * of 2^-1074. Returns the magnitude's length in words, trimmed. */
int tally_superacc_to_mag(const struct tally_superacc *a, uint64_t *out, bool *neg);

/* A superaccumulator on the heap that holds only the limbs its values reach,
 * [base, base + len) of a full one, plus two limbs of carry room: sums of
 * values of like magnitude stay a few limbs wide, whatever their count. NULL
 * is the empty sum; free() releases it. */
struct tally_wacc {
    int32_t base, len;
    uint64_t pending;
    int64_t limb[];
};

/* Adds a finite x exactly, in units of 2^-1074 (a full TALLY_SA_LIMBS). */
void tally_wacc_add(struct tally_wacc **a, double x);
/* Adds x * x exactly, for any finite x, in units of 2^-2148 (a full
 * TALLY_SA2_LIMBS). Do not mix with tally_wacc_add on one sum. */
void tally_wacc_add_square(struct tally_wacc **a, double x);
/* *dst += *src; *src is left empty (NULL). */
void tally_wacc_merge(struct tally_wacc **dst, struct tally_wacc **src);
/* A sum of doubles (tally_wacc_add) plus d, correctly rounded. */
double tally_wacc_to_double(const struct tally_wacc *a, double d);
/* The sum as a magnitude and sign, in its units; out has room for
 * TALLY_SA2_LIMBS / 2 words. Returns the trimmed length. */
int tally_wacc_to_mag(const struct tally_wacc *a, uint64_t *out, bool *neg);

/* State text (codec.h): 0 for the empty sum, else LEN,BASE,L0,..., the
 * limbs normalised. decode reads a window inside limbs [0, max_limbs)
 * (TALLY_SA_LIMBS for tally_wacc_add sums, TALLY_SA2_LIMBS for squares) into
 * *out (NULL when empty); on false *out may hold a part, for free(). */
void tally_wacc_encode(const struct tally_wacc *a, struct tally_buf *b);
bool tally_wacc_decode(struct tally_dec *d, int max_limbs, struct tally_wacc **out);
/* Whether the sum is negative. */
bool tally_wacc_is_neg(const struct tally_wacc *a);

/* ---- magnitudes: little-endian arrays of words with an explicit length;
 * results have room for the stated number of words and are trimmed (no top
 * zero word; length 0 is zero). */

int tally_mag_trim(const uint64_t *a, int n);
int tally_mag_cmp(const uint64_t *a, int na, const uint64_t *b, int nb);
/* r = a << sh (na + sh/64 + 1 words); r may not overlap a. */
int tally_mag_shl(const uint64_t *a, int na, unsigned sh, uint64_t *r);
/* a = a >> sh in place. */
int tally_mag_shr(uint64_t *a, int na, unsigned sh);
/* The number of zero bits below a's lowest set bit; -1 for zero. */
long tally_mag_ctz(const uint64_t *a, int na);
/* r = a * b (na + nb words); r may not overlap a or b. */
int tally_mag_mul(const uint64_t *a, int na, const uint64_t *b, int nb, uint64_t *r);
/* a = a * m in place (n + 1 words). */
int tally_mag_mul_u64(uint64_t *a, int n, uint64_t m);
/* a = a + b in place (max(na, nb) + 1 words). */
int tally_mag_add(uint64_t *a, int na, const uint64_t *b, int nb);
/* a = a - b in place; requires a >= b. */
int tally_mag_sub(uint64_t *a, int na, const uint64_t *b, int nb);
/* a = floor(a / d) in place (d > 0); returns the remainder. */
uint64_t tally_mag_div_u64(uint64_t *a, int *n, uint64_t d);
/* (a + t) * 2^exp2 correctly rounded to nearest, ties to even, subnormals and
 * overflow to inf included, where t is 0 when sticky is false and some
 * amount strictly between 0 and 1 when it is true. With sticky, a must have
 * at least 54 bits so that t only breaks ties. */
double tally_mag_to_double(const uint64_t *a, int n, bool sticky, int exp2);

#endif
