/* Exact arithmetic for the aggregates (see exact.h): wide integers, the
 * exact decimal form of a number, superaccumulators and magnitudes rounded
 * once to double. Only the windowed superaccumulators allocate. */
#include "tally/exact.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tally/xalloc.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

static const uint64_t pow10_u64[20] = {1u,
                                       10u,
                                       100u,
                                       1000u,
                                       10000u,
                                       100000u,
                                       1000000u,
                                       10000000u,
                                       100000000u,
                                       1000000000u,
                                       10000000000u,
                                       100000000000u,
                                       1000000000000u,
                                       10000000000000u,
                                       100000000000000u,
                                       1000000000000000u,
                                       10000000000000000u,
                                       100000000000000000u,
                                       1000000000000000000u,
                                       10000000000000000000u};

/* Powers of ten that are exact doubles. */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* ---- wide integers */

static struct tally_wide
wide_from_i128(i128 v)
{
    uint64_t ext = v < 0 ? UINT64_MAX : 0;
    return (struct tally_wide){{(uint64_t)(u128)v, (uint64_t)((u128)v >> 64), ext, ext}};
}

struct tally_wide
tally_wide_from_i64(int64_t v)
{
    return wide_from_i128(v);
}

struct tally_wide
tally_wide_square_i64(int64_t v)
{
    return wide_from_i128((i128)v * v);
}

void
tally_wide_add(struct tally_wide *a, const struct tally_wide *b)
{
    unsigned carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)a->w[i] + b->w[i] + carry;
        a->w[i] = (uint64_t)t;
        carry = (unsigned)(t >> 64);
    }
}

void
tally_wide_mul_pow10(struct tally_wide *a, int k)
{
    uint64_t m = pow10_u64[k], carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)a->w[i] * m + carry;
        a->w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
}

bool
tally_wide_is_neg(const struct tally_wide *a)
{
    return a->w[3] >> 63;
}

struct tally_wide
tally_wide_abs(const struct tally_wide *a)
{
    if (!tally_wide_is_neg(a))
        return *a;
    struct tally_wide r;
    unsigned carry = 1;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)(uint64_t)~a->w[i] + carry;
        r.w[i] = (uint64_t)t;
        carry = (unsigned)(t >> 64);
    }
    return r;
}

bool
tally_wide_to_int64(const struct tally_wide *a, int64_t *out)
{
    uint64_t ext = tally_wide_is_neg(a) ? UINT64_MAX : 0;
    if (a->w[3] != ext || a->w[2] != ext || a->w[1] != ext || (a->w[0] >> 63) != (ext & 1))
        return false;
    *out = (int64_t)a->w[0];
    return true;
}

/* m's decimal digits followed by "e-scale", written backwards from end. */
static char *
write_decimal(struct tally_wide m, int scale, char *end)
{
    char *p = end;
    *--p = '\0';
    for (int e = scale; e; e /= 10)
        *--p = (char)('0' + e % 10);
    *--p = '-';
    *--p = 'e';
    for (;;) {
        uint64_t rem = 0;
        for (int i = 3; i >= 0; i--) {
            u128 cur = ((u128)rem << 64) | m.w[i];
            m.w[i] = (uint64_t)(cur / pow10_u64[19]);
            rem = (uint64_t)(cur % pow10_u64[19]);
        }
        bool more = m.w[0] || m.w[1] || m.w[2] || m.w[3];
        for (int k = 0; k < 19 && (more || rem); k++) {
            *--p = (char)('0' + rem % 10);
            rem /= 10;
        }
        if (!more)
            break;
    }
    if (*p == 'e')
        *--p = '0';
    return p;
}

double
tally_wide_to_double(const struct tally_wide *a, int scale)
{
    struct tally_wide m = tally_wide_abs(a);
    bool neg = tally_wide_is_neg(a);
    double d;
    if (!m.w[3] && !m.w[2] && !m.w[1] && m.w[0] < ((uint64_t)1 << 53) && scale <= 22) {
        d = (double)m.w[0] / pow10_exact[scale]; /* both exact: one rounding */
    } else if (scale == 0) {
        d = tally_mag_to_double(m.w, 4, false, 0);
    } else {
        /* strtod rounds a decimal string correctly: write the digits out. */
        char buf[128];
        d = strtod(write_decimal(m, scale, buf + sizeof buf), NULL);
    }
    return neg ? -d : d;
}

/* ---- exact decimal form */

/* The exponent after 'e' or 'E' at p; false when it is absurdly large. */
static bool
read_exponent(const char *p, const char *end, long *exp)
{
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    long e = 0;
    for (; p < end; p++) {
        if (e > 100000)
            return false;
        e = e * 10 + (*p - '0');
    }
    *exp = neg ? -e : e;
    return true;
}

bool
tally_exact_parse_decimal(struct tally_slice s, int64_t *mant, int *scale)
{
    const char *p = s.ptr, *end = s.ptr + s.len;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    uint64_t m = 0;
    int ndig = 0;
    long nfrac = 0;
    bool frac = false;
    for (; p < end; p++) {
        if (*p == '.') {
            frac = true;
            continue;
        }
        if (*p < '0' || *p > '9')
            break;
        if (frac)
            nfrac++;
        if (m == 0 && *p == '0')
            continue;
        if (++ndig > 19)
            return false;
        m = m * 10 + (unsigned)(*p - '0');
    }
    long exp = 0;
    if (p < end && !read_exponent(p + 1, end, &exp))
        return false;
    long sc = m ? nfrac - exp : 0;
    while (sc > 0 && m % 10 == 0) {
        m /= 10;
        sc--;
    }
    if (sc < 0) {
        if (sc < -19 || m > UINT64_MAX / pow10_u64[-sc])
            return false;
        m *= pow10_u64[-sc];
        sc = 0;
    }
    if (sc > TALLY_EXACT_MAX_SCALE || m > (uint64_t)INT64_MAX + (neg ? 1 : 0))
        return false;
    *mant = neg ? (int64_t)(0 - m) : (int64_t)m;
    *scale = (int)sc;
    return true;
}

/* ---- superaccumulators, on limbs of either size */

#define SA_RENORM ((uint64_t)1 << 30)

static void
limbs_normalize(int64_t *limb, int n)
{
    for (int i = 0; i < n - 1; i++) {
        int64_t c = limb[i] >> 32; /* arithmetic shift: floor division */
        limb[i] -= c * ((int64_t)1 << 32);
        limb[i + 1] += c;
    }
}

/* Adds +-v * 2^pos, spread over three 32-bit limbs. */
static void
limbs_add_u64(int64_t *limb, int pos, uint64_t v, bool neg)
{
    u128 t = (u128)v << (pos % 32);
    int i = pos / 32;
    for (int k = 0; k < 3; k++, t >>= 32) {
        int64_t part = (int64_t)(uint32_t)t;
        limb[i + k] += neg ? -part : part;
    }
}

/* A finite double as m * 2^(pos - 1074), m < 2^53, pos >= 0. */
static uint64_t
split_double(double x, int *pos, bool *neg)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint64_t m = bits & (((uint64_t)1 << 52) - 1);
    unsigned e = (unsigned)(bits >> 52) & 0x7ff;
    *pos = 0;
    if (e) {
        m |= (uint64_t)1 << 52;
        *pos = (int)e - 1;
    }
    *neg = bits >> 63;
    return m;
}

/* The normalised sum of a copy of limb[0..n) as a magnitude of n/2 words. */
static int
limbs_to_mag(const int64_t *in, int n, uint64_t *out, bool *neg)
{
    int64_t limb[TALLY_SA2_LIMBS];
    memcpy(limb, in, (size_t)n * sizeof *limb);
    limbs_normalize(limb, n);
    *neg = limb[n - 1] < 0;
    if (*neg) {
        for (int i = 0; i < n; i++)
            limb[i] = -limb[i];
        limbs_normalize(limb, n);
    }
    for (int j = 0; j < n / 2; j++)
        out[j] = (uint64_t)limb[2 * j] | (uint64_t)limb[2 * j + 1] << 32;
    return tally_mag_trim(out, n / 2);
}

void
tally_superacc_init(struct tally_superacc *a)
{
    memset(a, 0, sizeof *a);
}

void
tally_superacc_add(struct tally_superacc *a, double x)
{
    int pos;
    bool neg;
    uint64_t m = split_double(x, &pos, &neg);
    if (m == 0)
        return;
    limbs_add_u64(a->limb, pos, m, neg);
    if (++a->pending >= SA_RENORM) {
        limbs_normalize(a->limb, TALLY_SA_LIMBS);
        a->pending = 0;
    }
}

void
tally_superacc_merge(struct tally_superacc *dst, struct tally_superacc *src)
{
    limbs_normalize(dst->limb, TALLY_SA_LIMBS);
    limbs_normalize(src->limb, TALLY_SA_LIMBS);
    for (int i = 0; i < TALLY_SA_LIMBS; i++)
        dst->limb[i] += src->limb[i];
    limbs_normalize(dst->limb, TALLY_SA_LIMBS);
    dst->pending = src->pending = 0;
}

int
tally_superacc_to_mag(const struct tally_superacc *a, uint64_t *out, bool *neg)
{
    return limbs_to_mag(a->limb, TALLY_SA_LIMBS, out, neg);
}

double
tally_superacc_to_double(const struct tally_superacc *a)
{
    uint64_t mag[TALLY_SA_LIMBS / 2];
    bool neg;
    int n = tally_superacc_to_mag(a, mag, &neg);
    double d = tally_mag_to_double(mag, n, false, -1074);
    return neg ? -d : d;
}

/* ---- windowed superaccumulators */

/* a (NULL: empty) widened to cover limbs [lo, hi), with what it held. */
static struct tally_wacc *
wacc_grow(struct tally_wacc *a, int lo, int hi)
{
    int nlo = a && a->base < lo ? a->base : lo;
    int nhi = a && a->base + a->len > hi ? a->base + a->len : hi;
    struct tally_wacc *w = tally_xmalloc(sizeof *w + (size_t)(nhi - nlo) * sizeof *w->limb);
    w->base = nlo;
    w->len = nhi - nlo;
    w->pending = a ? a->pending : 0;
    memset(w->limb, 0, (size_t)w->len * sizeof *w->limb);
    if (a) {
        memcpy(w->limb + (a->base - nlo), a->limb, (size_t)a->len * sizeof *a->limb);
        free(a);
    }
    return w;
}

static inline bool
wacc_covers(const struct tally_wacc *a, int lo, int hi)
{
    return a && lo >= a->base && hi <= a->base + a->len;
}

/* Adds +-v * 2^pos: three limbs from pos / 32, and two above them where
 * carries of up to 2^64 such additions land. */
static void
wacc_add_u64(struct tally_wacc **pa, int pos, uint64_t v, bool neg)
{
    int i = pos / 32;
    struct tally_wacc *a = *pa;
    if (!wacc_covers(a, i, i + 5))
        a = *pa = wacc_grow(a, i, i + 5);
    limbs_add_u64(a->limb, pos - 32 * a->base, v, neg);
    if (++a->pending >= SA_RENORM) {
        limbs_normalize(a->limb, a->len);
        a->pending = 0;
    }
}

void
tally_wacc_add(struct tally_wacc **a, double x)
{
    int pos;
    bool neg;
    uint64_t m = split_double(x, &pos, &neg);
    if (m)
        wacc_add_u64(a, pos, m, neg);
}

void
tally_wacc_add_square(struct tally_wacc **a, double x)
{
    int pos;
    bool neg;
    uint64_t m = split_double(x, &pos, &neg);
    if (m == 0)
        return;
    /* x^2 = m^2 * 2^(2 pos - 2148), m^2 < 2^106: two 64-bit halves. */
    u128 sq = (u128)m * m;
    if ((uint64_t)sq)
        wacc_add_u64(a, 2 * pos, (uint64_t)sq, false);
    if (sq >> 64)
        wacc_add_u64(a, 2 * pos + 64, (uint64_t)(sq >> 64), false);
}

void
tally_wacc_merge(struct tally_wacc **dst, struct tally_wacc **src)
{
    struct tally_wacc *s = *src;
    if (!s)
        return;
    *src = NULL;
    if (!*dst) {
        *dst = s;
        return;
    }
    struct tally_wacc *d = *dst;
    if (!wacc_covers(d, s->base, s->base + s->len))
        d = *dst = wacc_grow(d, s->base, s->base + s->len);
    limbs_normalize(d->limb, d->len);
    limbs_normalize(s->limb, s->len);
    for (int i = 0; i < s->len; i++)
        d->limb[s->base - d->base + i] += s->limb[i];
    limbs_normalize(d->limb, d->len);
    d->pending = 0;
    free(s);
}

double
tally_wacc_to_double(const struct tally_wacc *a, double d)
{
    struct tally_superacc full;
    tally_superacc_init(&full);
    if (a)
        memcpy(full.limb + a->base, a->limb, (size_t)a->len * sizeof *a->limb);
    tally_superacc_add(&full, d);
    return tally_superacc_to_double(&full);
}

int
tally_wacc_to_mag(const struct tally_wacc *a, uint64_t *out, bool *neg)
{
    *neg = false;
    if (!a)
        return 0;
    /* The window from an even limb, so that limb pairs make words. */
    int lo = a->base & ~1, n = a->base + a->len - lo;
    n += n & 1;
    int64_t limb[TALLY_SA2_LIMBS];
    memset(limb, 0, (size_t)n * sizeof *limb);
    memcpy(limb + (a->base - lo), a->limb, (size_t)a->len * sizeof *a->limb);
    memset(out, 0, (size_t)(lo / 2) * sizeof *out);
    int nw = limbs_to_mag(limb, n, out + lo / 2, neg);
    return nw ? lo / 2 + nw : 0;
}

/* ---- magnitudes */

int
tally_mag_trim(const uint64_t *a, int n)
{
    while (n > 0 && a[n - 1] == 0)
        n--;
    return n;
}

int
tally_mag_cmp(const uint64_t *a, int na, const uint64_t *b, int nb)
{
    na = tally_mag_trim(a, na);
    nb = tally_mag_trim(b, nb);
    if (na != nb)
        return na < nb ? -1 : 1;
    for (int i = na - 1; i >= 0; i--)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

int
tally_mag_shl(const uint64_t *a, int na, unsigned sh, uint64_t *r)
{
    int ws = (int)(sh / 64);
    unsigned bs = sh % 64;
    memset(r, 0, (size_t)(na + ws + 1) * sizeof *r);
    for (int i = 0; i < na; i++) {
        r[i + ws] |= a[i] << bs;
        if (bs)
            r[i + ws + 1] = a[i] >> (64 - bs);
    }
    return tally_mag_trim(r, na + ws + 1);
}

int
tally_mag_shr(uint64_t *a, int na, unsigned sh)
{
    int ws = (int)(sh / 64);
    unsigned bs = sh % 64;
    if (ws >= na)
        return 0;
    for (int i = 0; i + ws < na; i++) {
        uint64_t hi = i + ws + 1 < na ? a[i + ws + 1] : 0;
        a[i] = bs ? (a[i + ws] >> bs) | (hi << (64 - bs)) : a[i + ws];
    }
    return tally_mag_trim(a, na - ws);
}

long
tally_mag_ctz(const uint64_t *a, int na)
{
    for (int i = 0; i < na; i++)
        if (a[i])
            return 64L * i + __builtin_ctzll(a[i]);
    return -1;
}

int
tally_mag_mul(const uint64_t *a, int na, const uint64_t *b, int nb, uint64_t *r)
{
    memset(r, 0, (size_t)(na + nb) * sizeof *r);
    for (int i = 0; i < na; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < nb; j++) {
            u128 t = (u128)a[i] * b[j] + r[i + j] + carry;
            r[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        r[i + nb] = carry;
    }
    return tally_mag_trim(r, na + nb);
}

int
tally_mag_mul_u64(uint64_t *a, int n, uint64_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < n; i++) {
        u128 t = (u128)a[i] * m + carry;
        a[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    a[n] = carry;
    return tally_mag_trim(a, n + 1);
}

int
tally_mag_add(uint64_t *a, int na, const uint64_t *b, int nb)
{
    int n = na > nb ? na : nb;
    for (int i = na; i <= n; i++)
        a[i] = 0;
    unsigned carry = 0;
    for (int i = 0; i < n; i++) {
        u128 t = (u128)a[i] + (i < nb ? b[i] : 0) + carry;
        a[i] = (uint64_t)t;
        carry = (unsigned)(t >> 64);
    }
    a[n] = carry;
    return tally_mag_trim(a, n + 1);
}

int
tally_mag_sub(uint64_t *a, int na, const uint64_t *b, int nb)
{
    unsigned borrow = 0;
    for (int i = 0; i < na; i++) {
        u128 t = (u128)a[i] - (i < nb ? b[i] : 0) - borrow;
        a[i] = (uint64_t)t;
        borrow = (unsigned)((t >> 64) != 0);
    }
    return tally_mag_trim(a, na);
}

uint64_t
tally_mag_div_u64(uint64_t *a, int *n, uint64_t d)
{
    uint64_t rem = 0;
    for (int i = *n - 1; i >= 0; i--) {
        u128 cur = ((u128)rem << 64) | a[i];
        a[i] = (uint64_t)(cur / d);
        rem = (uint64_t)(cur % d);
    }
    *n = tally_mag_trim(a, *n);
    return rem;
}

/* count (<= 64) bits of a starting at bit pos. */
static uint64_t
mag_bits(const uint64_t *a, int n, long pos, int count)
{
    long w = pos / 64;
    int off = (int)(pos % 64);
    uint64_t v = a[w] >> off;
    if (off && w + 1 < n)
        v |= a[w + 1] << (64 - off);
    return count == 64 ? v : v & (((uint64_t)1 << count) - 1);
}

/* Whether any bit of a below bit pos is set. */
static bool
mag_any_below(const uint64_t *a, long pos)
{
    long w = pos / 64;
    for (long i = 0; i < w; i++)
        if (a[i])
            return true;
    return pos % 64 && (a[w] << (64 - pos % 64)) != 0;
}

double
tally_mag_to_double(const uint64_t *a, int n, bool sticky, int exp2)
{
    n = tally_mag_trim(a, n);
    if (n == 0)
        return 0.0;
    long bits = 64L * n - __builtin_clzll(a[n - 1]);
    if (bits + exp2 > 1024) /* at least 2^1024 */
        return INFINITY;
    /* Keep 53 bits, or fewer where the result is subnormal. */
    long lsb = bits - 53;
    if (lsb < -1074L - exp2)
        lsb = -1074L - exp2;
    if (lsb <= 0) /* exact: at most 53 bits, all kept */
        return ldexp((double)a[0], exp2);
    if (lsb > bits) /* below half the smallest subnormal */
        return 0.0;
    uint64_t kept = mag_bits(a, n, lsb, (int)(bits - lsb));
    bool half = mag_bits(a, n, lsb - 1, 1) != 0;
    bool rest = sticky || mag_any_below(a, lsb - 1);
    if (half && (rest || (kept & 1))) {
        kept++;
        if (kept >> 53) {
            kept >>= 1;
            lsb++;
        }
    }
    return ldexp((double)kept, (int)(lsb + exp2));
}
