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

size_t
tally_format_double(double v, char *buf)
{
    if (isnan(v))
        return (size_t)snprintf(buf, TALLY_NUMBUF, "nan");
    if (isinf(v))
        return (size_t)snprintf(buf, TALLY_NUMBUF, v < 0 ? "-inf" : "inf");
    /* For a normal double, %.15g is already the shortest form whenever one
     * of at most 15 digits exists (its spacing is finer than half a 15th
     * digit), so only 16 and 17 are left to try. Subnormals are coarser
     * (5e-324 is one step): try every precision. */
    int n = 0;
    int first = v != 0 && fabs(v) < DBL_MIN ? 1 : 15;
    for (int prec = first; prec <= 17; prec++) {
        n = snprintf(buf, TALLY_NUMBUF, "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v)
            break;
    }
    return (size_t)n;
}

size_t
tally_format_int(int64_t v, char *buf)
{
    return (size_t)snprintf(buf, TALLY_NUMBUF, "%" PRId64, v);
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
