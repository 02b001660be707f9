/* Borrowed byte ranges and the number rules of the SPEC: what reads as a
 * number, and how numbers print (integers exactly, doubles in the shortest
 * form that reads back to the same value). */
#ifndef TALLY_SLICE_H
#define TALLY_SLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Not NUL-terminated; ptr may be NULL when len is 0. Never owns its bytes. */
struct tally_slice {
    const char *ptr;
    size_t len;
};

#define TALLY_SLICE_FMT(s) (int)(s).len, (s).ptr
#define TALLY_SLICE_LIT(lit) ((struct tally_slice){(lit), sizeof(lit) - 1})

bool tally_slice_eq(struct tally_slice a, struct tally_slice b);
/* Byte-wise comparison (memcmp, then shorter first). */
int tally_slice_cmp(struct tally_slice a, struct tally_slice b);
struct tally_slice tally_slice_cstr(const char *s);

enum tally_num_kind {
    TALLY_NUM_NONE = 0, /* does not read as a number */
    TALLY_NUM_INT,      /* decimal integer that fits in int64_t: i and d are set */
    TALLY_NUM_REAL,     /* any other number: only d is set */
};

struct tally_num {
    enum tally_num_kind kind;
    int64_t i;
    double d;
    /* A REAL written without an exponent whose digits fit int64: its value
     * is exactly dec_mant * 10^-dec_scale (trailing zeros kept). */
    bool dec;
    int32_t dec_scale;
    int64_t dec_mant;
};

/* Reads s by the SPEC's rule: an optional sign, digits with an optional '.'
 * and fraction (at least one digit in all), an optional exponent; no spaces,
 * no hex, no inf/nan. An integer too large for int64_t is TALLY_NUM_REAL.
 * Returns the kind (also stored in out->kind). */
enum tally_num_kind tally_parse_number(struct tally_slice s, struct tally_num *out);
/* True when s reads as a number; its value as a double in *out. */
bool tally_parse_double(struct tally_slice s, double *out);

/* Buffer size that fits any number printed by the two functions below. */
#define TALLY_NUMBUF 40

/* Shortest decimal that reads back to v ("0.1", "2", "1e+300", "-0"); "inf",
 * "-inf" and "nan" for non-finite values. Writes a NUL; returns the length. */
size_t tally_format_double(double v, char *buf) __attribute__((nonnull));
size_t tally_format_int(int64_t v, char *buf) __attribute__((nonnull));
/* v rounded to `digits` significant digits (1..17) for people: plain
 * decimals with trailing zeros removed ("2.10742", "448.659"), the integer
 * part always whole ("123456790" at 6 digits, never "1.23457e+08"); an
 * exponent only below 1e-4 or from 1e17 up ("1.23457e-05"), as %g does.
 * Non-finite values and zero print as tally_format_double does. */
size_t tally_format_double_digits(double v, int digits, char *buf) __attribute__((nonnull));

/* The start of the width-wide numeric bucket holding n (n->kind is not
 * NONE; width reads as a number > 0), as key text in buf (TALLY_NUMBUF
 * bytes, NUL-terminated): floor(n / width) * width. Integers and decimals
 * written without an exponent (up to 18 decimals) are bucketed exactly:
 * INT64_MIN/3 starts at -9223372036854775809, 0.7/0.1 at 0.7. Other values
 * are computed in doubles. Never "-0". Returns the length. */
size_t tally_num_bucket(const struct tally_num *n, const struct tally_num *width, char *buf)
    __attribute__((nonnull));

/* The SPEC's order for keys and --sort: the empty value first, then values
 * that read as numbers in numeric order, then the rest byte-wise. */
int tally_value_order(struct tally_slice a, struct tally_slice b);

/* A fast non-cryptographic hash of n bytes; the length is mixed in, and
 * seed chains several slices (each hashed with the previous result). */
uint64_t tally_hash_bytes(const void *data, size_t n, uint64_t seed);

#endif
