/* Exact moments for var and stddev (see moments.h). The per-row path of a
 * short decimal is two 256-bit additions; every other finite value goes to
 * two windowed superaccumulators. The variance is a ratio of integers,
 * rounded once; the deviation is found by exact comparisons with it. */
#include "tally/moments.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tally/codec.h"

__extension__ typedef unsigned __int128 u128;

/* Words for the widest intermediate: (Σx)² in units of 2^-2148 is below
 * 2^4390, shifted by at most 257 bits for the division; a square compared
 * in sqrt_exact stays below 2^4500. */
#define MW 112
/* 2^-1074, the unit of a binary Σx; Σx² is in units of 2^-2148. */
#define BIN_E 1074

void
tally_moments_init(struct tally_moments *m)
{
    memset(m, 0, sizeof *m);
}

static void
add_scaled(struct tally_moments *m, struct tally_wide sx, struct tally_wide sxx, int scale)
{
    if (scale > m->scale) {
        tally_wide_mul_pow10(&m->sx, scale - m->scale);
        tally_wide_mul_pow10(&m->sxx, 2 * (scale - m->scale));
        m->scale = scale;
    } else if (scale < m->scale) {
        tally_wide_mul_pow10(&sx, m->scale - scale);
        tally_wide_mul_pow10(&sxx, 2 * (m->scale - scale));
    }
    tally_wide_add(&m->sx, &sx);
    tally_wide_add(&m->sxx, &sxx);
}

void
tally_moments_add_decimal(struct tally_moments *m, int64_t mant, int scale)
{
    m->n++;
    add_scaled(m, tally_wide_from_i64(mant), tally_wide_square_i64(mant), scale);
}

void
tally_moments_add_double(struct tally_moments *m, double x)
{
    m->n++;
    if (isinf(x)) {
        m->inf |= x > 0 ? 1u : 2u;
        return;
    }
    tally_wacc_add(&m->bx, x);
    tally_wacc_add_square(&m->bxx, x);
}

void
tally_moments_merge(struct tally_moments *dst, struct tally_moments *src)
{
    dst->n += src->n;
    dst->inf |= src->inf;
    add_scaled(dst, src->sx, src->sxx, src->scale);
    tally_wacc_merge(&dst->bx, &src->bx);
    tally_wacc_merge(&dst->bxx, &src->bxx);
}

void
tally_moments_fini(struct tally_moments *m)
{
    free(m->bx);
    free(m->bxx);
    m->bx = m->bxx = NULL;
}

/* ---- state text */

void
tally_moments_encode(const struct tally_moments *m, struct tally_buf *b)
{
    tally_enc_u64(b, m->n);
    tally_enc_sep(b);
    tally_enc_u64(b, (uint64_t)m->scale);
    tally_enc_sep(b);
    tally_enc_u64(b, m->inf);
    tally_enc_sep(b);
    tally_wide_encode(&m->sx, b);
    tally_enc_sep(b);
    tally_wide_encode(&m->sxx, b);
    tally_enc_sep(b);
    tally_wacc_encode(m->bx, b);
    tally_enc_sep(b);
    tally_wacc_encode(m->bxx, b);
}

bool
tally_moments_decode(struct tally_dec *d, struct tally_moments *m)
{
    uint64_t scale, inf;
    if (!tally_dec_u64_max(d, INT64_MAX, &m->n) || !tally_dec_sep(d) ||
        !tally_dec_u64_max(d, TALLY_MOMENTS_MAX_SCALE, &scale) || !tally_dec_sep(d) ||
        !tally_dec_u64_max(d, 3, &inf) || !tally_dec_sep(d) || !tally_wide_decode(d, &m->sx) ||
        !tally_dec_sep(d) || !tally_wide_decode(d, &m->sxx) || !tally_dec_sep(d) ||
        !tally_wacc_decode(d, TALLY_SA_LIMBS, &m->bx) || !tally_dec_sep(d) ||
        !tally_wacc_decode(d, TALLY_SA2_LIMBS, &m->bxx))
        return false;
    m->scale = (int32_t)scale;
    m->inf = (uint32_t)inf;
    /* A sum of squares is never negative; no values, no sums. */
    if (tally_wide_is_neg(&m->sxx) || tally_wacc_is_neg(m->bxx))
        return false;
    bool any = m->inf || m->bx || m->bxx || m->scale || !tally_wide_is_zero(&m->sx) ||
               !tally_wide_is_zero(&m->sxx);
    return m->n > 0 || !any;
}

/* ---- the variance as an exact ratio num / (den * 2^e2) */

struct ratio {
    uint64_t num[MW];
    int nn;
    uint64_t den[4]; /* 10^(2 scale) * n * (n - 1) < 2^188 */
    uint64_t fac[3]; /* den as a product of words */
    int nf;
    int nd;
    int e2;
};

static uint64_t
pow10_small(int k)
{
    uint64_t p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

/* a (sign *aneg) += b (sign bneg). */
static int
signed_add(uint64_t *a, int na, bool *aneg, const uint64_t *b, int nb, bool bneg)
{
    if (*aneg == bneg)
        return tally_mag_add(a, na, b, nb);
    if (tally_mag_cmp(a, na, b, nb) >= 0)
        return tally_mag_sub(a, na, b, nb);
    uint64_t t[MW];
    memcpy(t, b, (size_t)nb * sizeof *t);
    int nt = tally_mag_sub(t, nb, a, na);
    memcpy(a, t, (size_t)nt * sizeof *t);
    *aneg = bneg;
    return nt;
}

/* The binary sums b1 = Σx and b2 = Σx² as integers in units of 2^-e and
 * 2^-2e, e as small as their low zero bits allow (at most BIN_E). */
static int
binary_sums(const struct tally_moments *m, uint64_t *b1, int *n1, bool *neg1, uint64_t *b2, int *n2)
{
    bool neg2;
    *n1 = tally_wacc_to_mag(m->bx, b1, neg1);
    *n2 = tally_wacc_to_mag(m->bxx, b2, &neg2);
    long z1 = tally_mag_ctz(b1, *n1), z2 = tally_mag_ctz(b2, *n2);
    long k = BIN_E;
    if (z1 >= 0 && z1 < k)
        k = z1;
    if (z2 >= 0 && z2 / 2 < k)
        k = z2 / 2;
    *n1 = tally_mag_shr(b1, *n1, (unsigned)k);
    *n2 = tally_mag_shr(b2, *n2, 2u * (unsigned)k);
    return BIN_E - (int)k;
}

/* With every sum at the common unit 10^-scale * 2^-e (e from binary_sums,
 * or 0): A = Σx and B = Σx² at its square, then num = n B - A², e2 = 2e. */
static void
num_of(const struct tally_moments *m, struct ratio *r)
{
    uint64_t a[MW], b[MW], t[MW], b1[TALLY_SA2_LIMBS / 2 + 1], b2[TALLY_SA2_LIMBS / 2 + 1];
    int n1 = 0, n2 = 0;
    bool neg1 = false;
    int e = m->bx || m->bxx ? binary_sums(m, b1, &n1, &neg1, b2, &n2) : 0;
    uint64_t d = pow10_small(m->scale);
    bool aneg = tally_wide_is_neg(&m->sx);
    struct tally_wide ax = tally_wide_abs(&m->sx);
    int na = tally_mag_shl(ax.w, 4, (unsigned)e, a);
    int nb = tally_mag_shl(m->sxx.w, 4, 2u * (unsigned)e, b);
    n1 = tally_mag_mul_u64(b1, n1, d);
    na = signed_add(a, na, &aneg, b1, n1, neg1);
    n2 = tally_mag_mul_u64(b2, n2, d * d);
    nb = tally_mag_add(b, nb, b2, n2);
    nb = tally_mag_mul_u64(b, nb, m->n);
    int nsq = tally_mag_mul(a, na, a, na, t);
    /* n B >= A² (Cauchy-Schwarz); equal when every value is the same. */
    r->nn = tally_mag_cmp(b, nb, t, nsq) > 0 ? tally_mag_sub(b, nb, t, nsq) : 0;
    memcpy(r->num, b, (size_t)r->nn * sizeof *b);
    r->e2 = 2 * e;
}

/* num_of in 128 bits, for the common case of short decimals whose sums fit
 * a word: n < 2^32 and Σx² < 2^63 give n Σx² < 2^95, (Σx)² <= 2^126. */
static bool
num_small(const struct tally_moments *m, struct ratio *r)
{
    int64_t sx;
    const uint64_t *q = m->sxx.w;
    if (m->bx || m->bxx || m->n >> 32 || (q[1] | q[2] | q[3] | q[0] >> 63) ||
        !tally_wide_to_int64(&m->sx, &sx))
        return false;
    u128 nb = (u128)m->n * q[0];
    u128 ax = sx < 0 ? (u128)0 - (u128)sx : (u128)sx;
    u128 num = nb > ax * ax ? nb - ax * ax : 0;
    r->num[0] = (uint64_t)num;
    r->num[1] = (uint64_t)(num >> 64);
    r->nn = tally_mag_trim(r->num, 2);
    r->e2 = 0;
    return true;
}

/* The variance as num / (den 2^e2), den = 10^(2 scale) n (n - 1). */
static void
ratio_of(const struct tally_moments *m, struct ratio *r)
{
    if (!num_small(m, r))
        num_of(m, r);
    /* den's factors, joined while they fit one word: each is a pass of
     * division in ratio_quotient. */
    uint64_t d = pow10_small(m->scale);
    uint64_t fac[3] = {d * d, m->n, m->n - 1};
    r->nf = 0;
    r->den[0] = 1;
    r->nd = 1;
    for (int i = 0; i < 3; i++) {
        if (r->nf && (u128)r->fac[r->nf - 1] * fac[i] >> 64 == 0)
            r->fac[r->nf - 1] *= fac[i];
        else
            r->fac[r->nf++] = fac[i];
        r->nd = tally_mag_mul_u64(r->den, r->nd, fac[i]);
    }
}

/* The ratio as a double when num and den are exact doubles: IEEE division
 * rounds their quotient correctly. */
static bool
ratio_small(const struct ratio *r, double *v)
{
    uint64_t lim = (uint64_t)1 << 53;
    if (r->e2 || r->nn > 1 || r->nd > 1 || r->num[0] >= lim || r->den[0] >= lim)
        return false;
    *v = (double)r->num[0] / (double)r->den[0];
    return true;
}

/* num / den (num > 0) as (q + t) * 2^exp2, q of at least 64 bits: t is the
 * fraction left over, and *sticky says whether it is non-zero. */
static int
ratio_quotient(const struct ratio *r, uint64_t *q, bool *sticky, int *exp2)
{
    /* Enough low bits that the quotient has at least 64. */
    long bn = 64L * r->nn - __builtin_clzll(r->num[r->nn - 1]);
    long sh = 64L * r->nd + 65 - bn;
    if (sh < 0)
        sh = 0;
    int nq = tally_mag_shl(r->num, r->nn, (unsigned)sh, q);
    bool rest = false;
    /* floor(floor(x / a) / b) = floor(x / ab), and ab divides x exactly when
     * both steps leave nothing. */
    for (int i = 0; i < r->nf; i++)
        if (r->fac[i] > 1)
            rest |= tally_mag_div_u64(q, &nq, r->fac[i]) != 0;
    *sticky = rest;
    *exp2 = (int)-sh - r->e2;
    return nq;
}

/* What moments_ratio found: no answer (fewer than two values), the answer
 * without a ratio (nan for an infinite value, 0 when all values are
 * equal), or the ratio to finish. */
enum { RATIO_NONE, RATIO_ANSWER, RATIO_SET };

static int
moments_ratio(const struct tally_moments *m, struct ratio *r, double *out)
{
    if (m->n < 2)
        return RATIO_NONE;
    if (m->inf) {
        *out = NAN;
        return RATIO_ANSWER;
    }
    ratio_of(m, r);
    if (r->nn == 0) {
        *out = 0.0;
        return RATIO_ANSWER;
    }
    return RATIO_SET;
}

bool
tally_moments_var(const struct tally_moments *m, double *out)
{
    struct ratio r;
    int known = moments_ratio(m, &r, out);
    if (known != RATIO_SET)
        return known == RATIO_ANSWER;
    if (ratio_small(&r, out))
        return true;
    uint64_t q[MW];
    bool sticky;
    int exp2;
    int nq = ratio_quotient(&r, q, &sticky, &exp2);
    *out = tally_mag_to_double(q, nq, sticky, exp2);
    return true;
}

/* ---- the standard deviation: a close start, then exact comparisons of the
 * midpoints between neighbouring doubles with the variance. */

/* The bits of +inf: the non-negative doubles are the integers below it, in
 * order, and a neighbour is one away. */
#define INF_BITS ((uint64_t)0x7ff << 52)

/* A non-negative double's bits b (INF_BITS standing for 2^1024) as f * 2^e
 * with f an integer below 2^53. */
static uint64_t
split_bits(uint64_t b, int *e)
{
    int ef = (int)(b >> 52);
    uint64_t f = b & (((uint64_t)1 << 52) - 1);
    *e = (ef ? ef : 1) - 1075;
    return ef ? f | (uint64_t)1 << 52 : f;
}

/* The sign of ((lo + hi) / 2)² - num / (den 2^e2) for neighbouring
 * non-negative doubles, given by their bits. */
static int
cmp_mid_square(const struct ratio *r, uint64_t lo, uint64_t hi)
{
    int el, eh;
    uint64_t fl = split_bits(lo, &el), fh = split_bits(hi, &eh);
    /* eh is el or el + 1: mid = (fl + fh') * 2^(el - 1), below 2^55. */
    uint64_t mid = fl + (fh << (eh - el));
    uint64_t sq[2], l[8], x[MW];
    u128 s = (u128)mid * mid;
    sq[0] = (uint64_t)s;
    sq[1] = (uint64_t)(s >> 64);
    int nl = tally_mag_mul(sq, tally_mag_trim(sq, 2), r->den, r->nd, l);
    /* mid² den 2^(2 el - 2 + e2) against num */
    long sh = 2L * el - 2 + r->e2;
    if (sh >= 0) {
        int nx = tally_mag_shl(l, nl, (unsigned)sh, x);
        return tally_mag_cmp(x, nx, r->num, r->nn);
    }
    int nx = tally_mag_shl(r->num, r->nn, (unsigned)-sh, x);
    return tally_mag_cmp(l, nl, x, nx);
}

/* sqrt(num / (den 2^e2)), correctly rounded (ties to even), from a start
 * within a few ulps: step to a neighbour while the root lies beyond the
 * midpoint on its side. */
static double
sqrt_exact(const struct ratio *r, double start)
{
    uint64_t y;
    memcpy(&y, &start, sizeof y);
    if (y == 0)
        y = 1; /* the smallest subnormal */
    if (y >= INF_BITS)
        y = INF_BITS - 1; /* DBL_MAX */
    for (int step = 0; step < 64; step++) {
        int c = cmp_mid_square(r, y, y + 1);
        if (c < 0 || (c == 0 && (y & 1))) {
            if (++y == INF_BITS)
                break;
            continue;
        }
        c = cmp_mid_square(r, y - 1, y);
        if (c > 0 || (c == 0 && (y & 1))) {
            if (--y == 0)
                break;
            continue;
        }
        break;
    }
    double d;
    memcpy(&d, &y, sizeof d);
    return d;
}

bool
tally_moments_stddev(const struct tally_moments *m, double *out)
{
    struct ratio r;
    int known = moments_ratio(m, &r, out);
    if (known != RATIO_SET)
        return known == RATIO_ANSWER;
    double v;
    if (ratio_small(&r, &v)) {
        *out = sqrt_exact(&r, sqrt(v));
        return true;
    }
    uint64_t q[MW];
    bool sticky;
    int exp2;
    int nq = ratio_quotient(&r, q, &sticky, &exp2);
    /* Start from the square root of the variance scaled near 1, so that it
     * neither underflows nor overflows on the way. */
    long bits = 64L * nq - __builtin_clzll(q[nq - 1]);
    int k = (int)((bits + exp2) / 2);
    v = tally_mag_to_double(q, nq, sticky, exp2 - 2 * k);
    *out = sqrt_exact(&r, ldexp(sqrt(v), k));
    return true;
}
