/* Slices and numbers: the SPEC's "reads as a number" rule, exact integer
 * parsing, and shortest round-trip printing of doubles. Never touches
 * LC_NUMERIC: the C locale's '.' is the decimal point. */
#include "tally/slice.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally/xalloc.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

bool
tally_slice_eq(struct tally_slice a, struct tally_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

int
tally_slice_cmp(struct tally_slice a, struct tally_slice b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return a.len < b.len ? -1 : a.len > b.len;
}

struct tally_slice
tally_slice_cstr(const char *s)
{
    return (struct tally_slice){s, s ? strlen(s) : 0};
}

static inline bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Clinger's fast path: a decimal whose significant digits make an integer
 * m <= 2^53 and whose power of ten e has |e| <= 22 is m * 10^e or m / 10^-e,
 * both operands exact doubles, so the one correctly rounded operation gives
 * what strtod gives. Needs double arithmetic without extended precision
 * (FLT_EVAL_METHOD 0) and the default rounding, which tally never changes.
 * s is a valid literal by the SPEC's rule. Returns false to leave it to
 * strtod. */
static bool
fast_decimal(const char *p, const char *end, double *out)
{
#if FLT_EVAL_METHOD == 0
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    bool neg = false;
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    uint64_t m = 0;
    int digits = 0; /* significant: leading zeros do not count */
    int64_t e10 = 0;
    for (; p < end && is_digit(*p); p++) {
        if (m || *p != '0')
            if (++digits > 19)
                return false;
        m = m * 10 + (uint64_t)(*p - '0');
    }
    if (p < end && *p == '.')
        for (p++; p < end && is_digit(*p); p++) {
            if (m || *p != '0')
                if (++digits > 19)
                    return false;
            m = m * 10 + (uint64_t)(*p - '0');
            e10--;
        }
    if (p < end) { /* the exponent */
        p++;
        bool eneg = false;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        int64_t e = 0;
        for (; p < end; p++) {
            if (e > 100000)
                return false;
            e = e * 10 + (*p - '0');
        }
        e10 += eneg ? -e : e;
    }
    double d;
    if (m == 0) {
        d = 0.0;
    } else {
        if (m > ((uint64_t)1 << 53) || e10 < -22 || e10 > 22)
            return false;
        d = (double)m;
        d = e10 < 0 ? d / pow10[-e10] : d * pow10[e10];
    }
    *out = neg ? -d : d;
    return true;
#else
    (void)p;
    (void)end;
    (void)out;
    return false;
#endif
}

/* Digits gathered into one integer while they fit. */
struct digits {
    uint64_t mag;
    unsigned n; /* up to 19 digits always fit in 64 bits: no test needed */
    bool overflow;
};

static inline size_t
take_digits(const char **pp, const char *end, struct digits *acc)
{
    const char *p = *pp;
    while (p < end && is_digit(*p)) {
        unsigned dv = (unsigned)(*p - '0');
        if (acc->n++ < 19)
            acc->mag = acc->mag * 10 + dv;
        else if (acc->overflow || acc->mag > (UINT64_MAX - dv) / 10)
            acc->overflow = true;
        else
            acc->mag = acc->mag * 10 + dv;
        p++;
    }
    size_t n = (size_t)(p - *pp);
    *pp = p;
    return n;
}

enum tally_num_kind
tally_parse_number(struct tally_slice s, struct tally_num *out)
{
    const char *p = s.ptr, *end = s.ptr + s.len;
    out->kind = TALLY_NUM_NONE;
    out->dec = false;
    if (s.len == 0)
        return TALLY_NUM_NONE;
    bool neg = false;
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    /* One pass: validate and gather the digits (integer and fraction) into
     * mag, as long as they fit. */
    struct digits acc = {0, 0, false};
    size_t nint = take_digits(&p, end, &acc);
    uint64_t mag = acc.mag;
    bool overflow = acc.overflow;
    if (p == end) {
        if (nint == 0)
            return TALLY_NUM_NONE;
        if (!overflow && (neg ? mag <= (uint64_t)INT64_MAX + 1 : mag <= (uint64_t)INT64_MAX)) {
            out->kind = TALLY_NUM_INT;
            out->i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
            out->d = (double)out->i;
            return TALLY_NUM_INT;
        }
    } else {
        size_t nfrac = 0;
        if (*p == '.') {
            p++;
            nfrac = take_digits(&p, end, &acc);
            mag = acc.mag;
            overflow = acc.overflow;
        }
        if (nint + nfrac == 0)
            return TALLY_NUM_NONE;
        bool has_exp = false;
        if (p < end && (*p == 'e' || *p == 'E')) {
            has_exp = true;
            p++;
            if (p < end && (*p == '+' || *p == '-'))
                p++;
            const char *exp = p;
            while (p < end && is_digit(*p))
                p++;
            if (p == exp)
                return TALLY_NUM_NONE;
        }
        if (p != end)
            return TALLY_NUM_NONE;
        out->kind = TALLY_NUM_REAL;
        if (!has_exp && !overflow) {
            if (mag <= (uint64_t)INT64_MAX && nfrac <= INT32_MAX) {
                out->dec = true;
                out->dec_mant = neg ? -(int64_t)mag : (int64_t)mag;
                out->dec_scale = (int32_t)nfrac;
            }
#if FLT_EVAL_METHOD == 0
            /* Clinger's fast path: both operands exact, one rounding. */
            static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                           1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                           1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
            if (mag <= (1ull << 53) && nfrac <= 22) {
                double v = (double)mag / pow10[nfrac];
                out->d = neg ? -v : v;
                return TALLY_NUM_REAL;
            }
#endif
        }
    }
    out->kind = TALLY_NUM_REAL;
    if (fast_decimal(s.ptr, end, &out->d))
        return TALLY_NUM_REAL;
    /* The text is a valid decimal literal; strtod needs it NUL-terminated. */
    char stackbuf[64];
    char *buf = s.len < sizeof stackbuf ? stackbuf : tally_xmalloc(s.len + 1);
    memcpy(buf, s.ptr, s.len);
    buf[s.len] = '\0';
    out->d = strtod(buf, NULL);
    if (buf != stackbuf)
        free(buf);
    return TALLY_NUM_REAL;
}

bool
tally_parse_double(struct tally_slice s, double *out)
{
    struct tally_num n;
    if (tally_parse_number(s, &n) == TALLY_NUM_NONE)
        return false;
    *out = n.d;
    return true;
}

/* The fewest %g digits that read back to v (finite): for a normal double,
 * %.15g is already the shortest form whenever one of at most 15 digits
 * exists (its spacing is finer than half a 15th digit), so only 16 and 17
 * are left to try. Subnormals are coarser (5e-324 is one step): try every
 * precision. The text is left in buf. */
static int
shortest_digits(double v, char *buf)
{
    int first = v != 0 && fabs(v) < DBL_MIN ? 1 : 15;
    int prec = first;
    for (; prec < 17; prec++) {
        snprintf(buf, TALLY_NUMBUF, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return prec;
    }
    snprintf(buf, TALLY_NUMBUF, "%.17g", v);
    return 17;
}

size_t
tally_format_double(double v, char *buf)
{
    if (isnan(v))
        return (size_t)snprintf(buf, TALLY_NUMBUF, "nan");
    if (isinf(v))
        return (size_t)snprintf(buf, TALLY_NUMBUF, v < 0 ? "-inf" : "inf");
    (void)shortest_digits(v, buf);
    return strlen(buf);
}

size_t
tally_format_double_digits(double v, int digits, char *buf)
{
    if (!isfinite(v) || v == 0)
        return tally_format_double(v, buf);
    if (digits < 1)
        digits = 1;
    if (digits > 15) {
        /* More digits than the shortest round-trip form has would only
         * show binary noise (0.10000000000000001): stop there. */
        int p = shortest_digits(v, buf);
        digits = p < digits ? p : digits;
    }
    /* The decimal exponent after rounding (9.9999996 at 6 digits is 10). */
    char e[TALLY_NUMBUF];
    snprintf(e, sizeof e, "%.*e", digits - 1, v);
    const char *ep = strchr(e, 'e');
    int exp10 = ep ? atoi(ep + 1) : 0;
    if (exp10 < -4 || exp10 >= 17)
        return (size_t)snprintf(buf, TALLY_NUMBUF, "%.*g", digits, v);
    int decimals = digits - 1 - exp10;
    size_t n = (size_t)snprintf(buf, TALLY_NUMBUF, "%.*f", decimals > 0 ? decimals : 0, v);
    if (decimals > 0) {
        while (buf[n - 1] == '0')
            n--;
        if (buf[n - 1] == '.')
            n--;
        buf[n] = '\0';
    }
    return n;
}

size_t
tally_format_int(int64_t v, char *buf)
{
    return (size_t)snprintf(buf, TALLY_NUMBUF, "%" PRId64, v);
}

/* A 128-bit integer in decimal: |v| < 2^64 here, so it fits TALLY_NUMBUF. */
static size_t
format_i128(i128 v, char *buf)
{
    char tmp[48];
    size_t n = 0;
    bool neg = v < 0;
    u128 m = neg ? -(u128)v : (u128)v;
    do {
        tmp[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    size_t len = 0;
    if (neg)
        buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

/* v * 10^-scale in decimal, trailing fraction zeros dropped, never "-0".
 * Bucket starts have at most 37 digits, so sign, point and NUL fit
 * TALLY_NUMBUF. */
static size_t
format_scaled(i128 v, int scale, char *buf)
{
    char digits[48];
    size_t n = format_i128(v < 0 ? -v : v, digits);
    size_t len = 0;
    if (v < 0)
        buf[len++] = '-';
    if ((int)n <= scale) {
        buf[len++] = '0';
        buf[len++] = '.';
        for (int i = (int)n; i < scale; i++)
            buf[len++] = '0';
        memcpy(buf + len, digits, n);
        len += n;
    } else {
        memcpy(buf + len, digits, n - (size_t)scale);
        len += n - (size_t)scale;
        if (scale) {
            buf[len++] = '.';
            memcpy(buf + len, digits + n - scale, (size_t)scale);
            len += (size_t)scale;
        }
    }
    if (scale) {
        while (buf[len - 1] == '0')
            len--;
        if (buf[len - 1] == '.')
            len--;
    }
    buf[len] = '\0';
    return len;
}

/* An integer, or a decimal written without an exponent, as mant * 10^-scale. */
static bool
decimal_parts(const struct tally_num *n, int64_t *mant, int32_t *scale)
{
    if (n->kind == TALLY_NUM_INT) {
        *mant = n->i;
        *scale = 0;
        return true;
    }
    if (n->kind == TALLY_NUM_REAL && n->dec && n->dec_scale <= 18) {
        *mant = n->dec_mant;
        *scale = n->dec_scale;
        return true;
    }
    return false;
}

static const int64_t pow10_i64[19] = {1,
                                      10,
                                      100,
                                      1000,
                                      10000,
                                      100000,
                                      1000000,
                                      10000000,
                                      100000000,
                                      1000000000,
                                      10000000000,
                                      100000000000,
                                      1000000000000,
                                      10000000000000,
                                      100000000000000,
                                      1000000000000000,
                                      10000000000000000,
                                      100000000000000000,
                                      1000000000000000000};

/* floor(v / w) * w for decimals, in exact scaled integers: 0.7 in a 0.1
 * bucket starts at 0.7, not at 0.6000000000000001. False when the value or
 * the width is not such a decimal (exponent, too many digits). */
static bool
decimal_bucket(const struct tally_num *n, const struct tally_num *width, char *buf, size_t *len)
{
    int64_t vm, wm;
    int32_t vs, ws;
    if (!decimal_parts(n, &vm, &vs) || !decimal_parts(width, &wm, &ws) || wm <= 0)
        return false;
    int32_t scale = vs > ws ? vs : ws;
    i128 v = (i128)vm * pow10_i64[scale - vs], w = (i128)wm * pow10_i64[scale - ws];
    i128 q = v / w;
    if (v % w != 0 && v < 0)
        q--;
    *len = format_scaled(q * w, scale, buf);
    return true;
}

size_t
tally_num_bucket(const struct tally_num *n, const struct tally_num *width, char *buf)
{
    double wd = width->d;
    if (n->kind == TALLY_NUM_INT && width->kind == TALLY_NUM_INT) {
        int64_t v = n->i, w = width->i;
        if (v >= INT64_MIN + w) {
            /* The start is above v - w, so it fits in 64 bits. */
            int64_t q = v / w;
            if (v % w != 0 && v < 0)
                q--;
            return tally_format_int(q * w, buf);
        }
        /* In 128 bits: floor(INT64_MIN / 3) * 3 is below INT64_MIN. */
        i128 q = (i128)v / w;
        if ((i128)v % w != 0)
            q--;
        return format_i128(q * w, buf);
    }
    size_t len;
    if (decimal_bucket(n, width, buf, &len))
        return len;
    double q = n->d / wd, start = n->d;
    /* A quotient that overflows means a width far below the value's spacing:
     * the value is its own start. One that underflows to -0 is bucket -1. */
    if (isfinite(q)) {
        q = floor(q);
        if (q == 0 && n->d < 0)
            q = -1;
        start = q * wd;
    }
    if (start == 0)
        start = 0; /* no "-0" bucket */
    return tally_format_double(start, buf);
}

uint64_t
tally_hash_bytes(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ 0x9e3779b97f4a7c15u ^ (n * 0xff51afd7ed558ccdu);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9u;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    if (n)
        memcpy(&w, p, n);
    h = (h ^ w ^ n) * 0x94d049bb133111ebu;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9u;
    return h ^ (h >> 32);
}
