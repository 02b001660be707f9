/* Structural indexing of CSV bytes, 64 at a time (after simdjson/simdcsv):
 * bitmasks of quotes, delimiters, CRs and LFs, and the inside-quotes mask
 * made from the quote bits by a prefix XOR carried across blocks. Scalar,
 * SSE2, AVX2 and AVX-512BW kernels, chosen at run time; all give the same
 * bits. Pure functions: no allocation, no state but the caller's carry. */
#ifndef TALLY_CSVSCAN_H
#define TALLY_CSVSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tally_simd {
    TALLY_SIMD_SCALAR = 0,
    TALLY_SIMD_SSE2,
    TALLY_SIMD_AVX2,   /* with PCLMULQDQ for the quote mask */
    TALLY_SIMD_AVX512, /* AVX-512BW, with PCLMULQDQ */
    TALLY_SIMD_COUNT
};

/* Bit i stands for byte i of the block. */
struct tally_csvscan_masks {
    uint64_t quote;
    uint64_t delim;
    uint64_t cr;
    uint64_t lf;
};

/* True when this CPU runs kernel k. */
bool tally_csvscan_supported(enum tally_simd k);
/* The fastest supported kernel, or the one the environment variable
 * TALLY_SIMD names (scalar, sse2, avx2, avx512) when this CPU runs it. */
enum tally_simd tally_csvscan_choose(void);
/* "scalar", "sse2", "avx2", "avx512". Static storage. */
const char *tally_csvscan_name(enum tally_simd k);

/* Classifies n bytes at p (n <= 64; p need not be aligned). Bits at n and
 * beyond are 0. */
void tally_csvscan_classify(enum tally_simd k, const char *p, size_t n, char delim,
                            struct tally_csvscan_masks *m);
/* Classifies len bytes at p into nblocks = (len + 63) / 64 mask sets;
 * the bits of the last block beyond len are 0. */
void tally_csvscan_index(enum tally_simd k, const char *p, size_t len, char delim,
                         struct tally_csvscan_masks *out);

/* Bit i set when byte i lies inside quotes: after an odd number of quotes,
 * counting the block's own quote at i (so an opening quote is inside and a
 * closing one outside). *carry is all ones when the previous block ended
 * inside quotes, else 0, and is updated for the next block; start a text
 * with 0. A doubled quote "" inside quotes leaves the state as it was. */
uint64_t tally_csvscan_inside_quotes(enum tally_simd k, uint64_t quote, uint64_t *carry);
/* Delimiters and line-end bytes (CR, LF) that are not inside quotes: the
 * field and record boundaries of the block. */
uint64_t tally_csvscan_structural(const struct tally_csvscan_masks *m, uint64_t inside);

#endif
