/* The text of aggregate states in a partial (--partial, --merge): exact,
 * portable, made of the bytes 0x21..0x7e only (no space, tab or line end),
 * so that a state is one field of a partial line.
 *
 * Primitives (this module):
 *   unsigned   decimal digits, no sign, no leading zero ("0" for zero)
 *   signed     the same with '-' before a negative value ("-0" is not one)
 *   double     its IEEE 754 binary64 bits as 16 lowercase hex digits, sign
 *              bit first (3ff0000000000000 is 1, 8000000000000000 is -0;
 *              infinities and NaN payloads pass unchanged)
 *   bytes      each byte as itself, except bytes outside 0x21..0x7e and
 *              '%' ',' ';', which are %HH (two uppercase hex digits); no
 *              other escape is accepted
 *   ','        between the parts of a state; ';' ends every state
 * Readers accept only what the writers produce (one text per state: no
 * leading zeros, no needless escapes), so encode(decode(t)) == t for every
 * t that decodes, and no proper prefix of an encoding decodes.
 *
 * States (the ops in src/ops.c and src/ops_text.c; P is a position: the
 * byte offset in the whole input where the stretch of input that gave the
 * value starts, the run's origin plus what the state held):
 *   count, count:COL   N;
 *   sum, mean          N,SCALE,FLAGS,DEC,BIN;  N values; DEC the signed
 *                      256-bit sum of the decimal values times 10^SCALE
 *                      (0 <= SCALE <= 18); FLAGS 1 all int64 integers,
 *                      2 some value went to BIN, 4 a +inf, 8 a -inf; BIN
 *                      a window (below) of units 2^-1074
 *   min, max           0;  or  1,I,P;  (an integer input) or  2,D,P;
 *   median, pNN        N,D1,...,DN;  every value (in no particular order)
 *   var, stddev        N,SCALE,INF,SX,SXX,BX,BXX;  N values; SX, SXX the
 *                      signed 256-bit sums of the short decimals and their
 *                      squares times 10^SCALE and 10^(2 SCALE), 0 <= SCALE
 *                      <= 9, SXX >= 0; INF 1 a +inf, 2 a -inf, 3 both; BX
 *                      and BXX windows of Σx (2^-1074) and Σx² (2^-2148,
 *                      >= 0) of the other values
 *   first, last        0;  or  1,P,BYTES;
 *   distinct, mode     NSEG then per segment ,P,NENT then per entry
 *                      ,BYTES,COUNT  and ';': the distinct values in
 *                      first-seen order with their counts (>= 1, values
 *                      non-empty and all different), in segments of
 *                      strictly rising positions P (NENT >= 1)
 * Merging by position (a state fed by rows, or merged by threads only,
 * holds position 0; equal positions keep the call order, dst first):
 * first keeps dst unless src's P is smaller; last takes src unless its P
 * is smaller; min and max take src's value on a tie when its P is smaller;
 * distinct and mode interleave the segments of both by P (dst's first at
 * equal P), so that the first-seen order, and mode's tie rule, are those of
 * the input whatever the order of the merges, as long as each partial is
 * one stretch of the input. Counts and N are below 2^63.
 * A window (exact.h, struct tally_wacc) is  0  when empty, else
 *   LEN,BASE,L0,...,L(LEN-1): limbs BASE.. of a superaccumulator,
 *   normalised: the value is the sum of Li * 2^(32 (BASE + i)), L0..L(LEN-2)
 *   in [0, 2^32), the top one in (-2^32, 2^32).
 */
#ifndef TALLY_CODEC_H
#define TALLY_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/buf.h"

#define TALLY_CODEC_SEP ','
#define TALLY_CODEC_END ';'

/* ---- writing */

void tally_enc_u64(struct tally_buf *b, uint64_t v);
void tally_enc_i64(struct tally_buf *b, int64_t v);
void tally_enc_double(struct tally_buf *b, double d);
void tally_enc_bytes(struct tally_buf *b, const char *p, size_t n);
void tally_enc_sep(struct tally_buf *b); /* ',' */
void tally_enc_end(struct tally_buf *b); /* ';' */
/* a + b, saturating at UINT64_MAX: a position moved by a run's origin. */
uint64_t tally_codec_add_pos(uint64_t a, uint64_t b);

/* ---- reading: a cursor over [p, end); every reader returns false on
 * text that is not what the writer makes, never reading past end. After a
 * false the cursor is of no further use. */

struct tally_dec {
    const char *p, *end;
};

void tally_dec_init(struct tally_dec *d, const char *text, size_t len);
bool tally_dec_u64(struct tally_dec *d, uint64_t *v);
/* An unsigned value of at most max. */
bool tally_dec_u64_max(struct tally_dec *d, uint64_t max, uint64_t *v);
bool tally_dec_i64(struct tally_dec *d, int64_t *v);
bool tally_dec_double(struct tally_dec *d, double *v);
/* Bytes up to the next ',' or ';' (or the end), unescaped and appended to
 * out (which then holds them NUL-terminated). */
bool tally_dec_bytes(struct tally_dec *d, struct tally_buf *out);
/* A count of items still to come, each taking at least min_each bytes of
 * text: false when the rest of the text is too short to hold them, so that
 * a count can size an allocation safely. */
bool tally_dec_count(struct tally_dec *d, size_t min_each, size_t *n);
bool tally_dec_sep(struct tally_dec *d);
/* ';' and then the end of the text. */
bool tally_dec_end(struct tally_dec *d);
/* Bytes left to read. */
size_t tally_dec_left(const struct tally_dec *d);

#endif
