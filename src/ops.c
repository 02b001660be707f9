/* Aggregates (SPEC "Aggregates"): fixed-size states fed one qualifying cell
 * at a time, merged part by part, and finished into a tally_value. Every
 * merge gives the same bits as one pass over the joined input: sums are kept
 * exactly (scaled integers for decimals, a binary superaccumulator for the
 * rest), percentiles keep all values, sets and maps keep every string. */
#include "tally/ops.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tally/xalloc.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* Exact decimal sums. A value mant * 10^-scale takes the exact path when
 * mant fits int64 and scale <= MAX_SCALE (trailing zeros dropped). Rescaled
 * to the largest scale each is below 2^63 * 10^18 < 2^123, so a 256-bit sum
 * of fewer than 2^64 of them never overflows: whether a value is exact never
 * depends on the others or on their order. */
#define MAX_SCALE 18
/* var also sums x^2 at twice the scale: below 2^186 each, 2^250 in all. */
#define MAX_VAR_SCALE 9

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

/* A 256-bit two's complement integer, little-endian words. Kept as words
 * because the group table only promises 8-byte alignment. */
struct big {
    uint64_t w[4];
};

static struct big
big_from_i128(i128 v)
{
    uint64_t ext = v < 0 ? UINT64_MAX : 0;
    return (struct big){{(uint64_t)(u128)v, (uint64_t)((u128)v >> 64), ext, ext}};
}

static void
big_add(struct big *a, const struct big *b)
{
    unsigned carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)a->w[i] + b->w[i] + carry;
        a->w[i] = (uint64_t)t;
        carry = (unsigned)(t >> 64);
    }
}

/* a *= m modulo 2^256, which is exact for the values kept here. */
static void
big_mul_u64(struct big *a, uint64_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)a->w[i] * m + carry;
        a->w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
}

static bool
big_is_neg(const struct big *a)
{
    return a->w[3] >> 63;
}

static struct big
big_abs(const struct big *a)
{
    if (!big_is_neg(a))
        return *a;
    struct big r;
    unsigned carry = 1;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)(uint64_t)~a->w[i] + carry;
        r.w[i] = (uint64_t)t;
        carry = (unsigned)(t >> 64);
    }
    return r;
}

static bool
big_to_int64(const struct big *a, int64_t *out)
{
    uint64_t ext = big_is_neg(a) ? UINT64_MAX : 0;
    if (a->w[3] != ext || a->w[2] != ext || a->w[1] != ext || (a->w[0] >> 63) != (ext & 1))
        return false;
    *out = (int64_t)a->w[0];
    return true;
}

/* r[0..na+nb) = a * b for magnitudes of na and nb words. */
static void
mag_mul(const uint64_t *a, int na, const uint64_t *b, int nb, uint64_t *r)
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
}

/* A magnitude of n words, correctly rounded: the top 64 bits with a sticky
 * bit standing for everything below them. */
static double
mag_to_double(const uint64_t *a, int n)
{
    int t = n - 1;
    while (t >= 0 && a[t] == 0)
        t--;
    if (t < 0)
        return 0.0;
    if (t == 0)
        return (double)a[0];
    int lz = __builtin_clzll(a[t]);
    uint64_t top = lz ? (a[t] << lz) | (a[t - 1] >> (64 - lz)) : a[t];
    bool sticky = lz ? (a[t - 1] << lz) != 0 : a[t - 1] != 0;
    for (int i = t - 2; i >= 0; i--)
        sticky |= a[i] != 0;
    return ldexp((double)(top | (sticky ? 1 : 0)), 64 * t - lz);
}

/* a * 10^-scale, correctly rounded. */
static double
big_to_double(const struct big *a, int scale)
{
    struct big m = big_abs(a);
    bool neg = big_is_neg(a);
    if (!m.w[3] && !m.w[2] && !m.w[1] && m.w[0] < ((uint64_t)1 << 53) && scale <= 22) {
        double d = (double)m.w[0] / pow10_exact[scale]; /* both exact: one rounding */
        return neg ? -d : d;
    }
    if (scale == 0) {
        double d = mag_to_double(m.w, 4);
        return neg ? -d : d;
    }
    /* strtod rounds a decimal string correctly: write the digits out. */
    char buf[128];
    char *p = buf + sizeof buf;
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
    if (neg)
        *--p = '-';
    return strtod(p, NULL);
}

/* The text of a number as mant * 10^-scale, mant in int64 and 0 <= scale <=
 * MAX_SCALE, trailing zeros dropped; false when it has no such form. The text
 * has already been read as a number. */
static bool
parse_decimal(struct tally_slice s, int64_t *mant, int *scale)
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
    if (p < end) { /* 'e' or 'E' */
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        for (; p < end; p++) {
            if (exp > 100000)
                return false;
            exp = exp * 10 + (*p - '0');
        }
        if (eneg)
            exp = -exp;
    }
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
    if (sc > MAX_SCALE || m > (uint64_t)INT64_MAX + (neg ? 1 : 0))
        return false;
    *mant = neg ? (int64_t)(0 - m) : (int64_t)m;
    *scale = (int)sc;
    return true;
}

/* A cell's exact decimal form: the integer directly, else from its text. */
static bool
cell_decimal(const struct tally_cell *c, int64_t *mant, int *scale)
{
    if (c->num.kind == TALLY_NUM_INT) {
        *mant = c->num.i;
        *scale = 0;
        return true;
    }
    if (c->num.dec) {
        /* The reader's digits: drop trailing zeros, as parse_decimal does. */
        int64_t m = c->num.dec_mant;
        int32_t sc = m ? c->num.dec_scale : 0;
        while (sc > 0 && m % 10 == 0) {
            m /= 10;
            sc--;
        }
        if (sc > MAX_SCALE)
            return false;
        *mant = m;
        *scale = (int)sc;
        return true;
    }
    return parse_decimal(c->text, mant, scale);
}

/* ---- Superaccumulator: exact sum of finite doubles as a fixed-point
 * integer in units of 2^-1074, 32 bits per limb with carry headroom. */

#define SA_LIMBS 70
#define SA_RENORM (1u << 30)

struct superacc {
    int64_t limb[SA_LIMBS];
    uint32_t pending; /* additions since the last normalisation */
};

static void
sa_normalize(struct superacc *a)
{
    for (int i = 0; i < SA_LIMBS - 1; i++) {
        int64_t c = a->limb[i] >> 32; /* arithmetic shift: floor division */
        a->limb[i] -= c * ((int64_t)1 << 32);
        a->limb[i + 1] += c;
    }
    a->pending = 0;
}

static void
sa_add(struct superacc *a, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint64_t m = bits & (((uint64_t)1 << 52) - 1);
    unsigned e = (unsigned)(bits >> 52) & 0x7ff;
    int pos = 0;
    if (e) {
        m |= (uint64_t)1 << 52;
        pos = (int)e - 1;
    }
    if (m == 0)
        return;
    u128 v = (u128)m << (pos % 32);
    int i = pos / 32;
    bool neg = bits >> 63;
    for (int k = 0; k < 3; k++, v >>= 32) {
        int64_t part = (int64_t)(uint32_t)v;
        a->limb[i + k] += neg ? -part : part;
    }
    if (++a->pending >= SA_RENORM)
        sa_normalize(a);
}

static void
sa_merge(struct superacc *dst, struct superacc *src)
{
    sa_normalize(dst);
    sa_normalize(src);
    for (int i = 0; i < SA_LIMBS; i++)
        dst->limb[i] += src->limb[i];
    sa_normalize(dst);
}

static double
sa_to_double(const struct superacc *in)
{
    struct superacc a = *in;
    sa_normalize(&a);
    bool neg = a.limb[SA_LIMBS - 1] < 0;
    if (neg) {
        for (int i = 0; i < SA_LIMBS; i++)
            a.limb[i] = -a.limb[i];
        sa_normalize(&a);
    }
    int t = SA_LIMBS - 1;
    while (t >= 0 && a.limb[t] == 0)
        t--;
    if (t < 0)
        return 0.0;
    u128 w = 0;
    int base = t - 2; /* limb index of the window's lowest limb */
    for (int i = t; i >= base; i--)
        w = (w << 32) | (i >= 0 ? (uint64_t)a.limb[i] : 0);
    bool sticky = false;
    for (int i = base - 1; i >= 0; i--)
        sticky |= a.limb[i] != 0;
    int bl = 128;
    while (!((w >> (bl - 1)) & 1))
        bl--;
    int shift = bl > 64 ? bl - 64 : 0;
    if (shift) {
        sticky |= (w & (((u128)1 << shift) - 1)) != 0;
        w >>= shift;
    }
    uint64_t w64 = (uint64_t)w | (sticky ? 1 : 0);
    double d = ldexp((double)w64, 32 * base + shift - 1074);
    return neg ? -d : d;
}

/* ---- count */

static void
count_init(void *st)
{
    *(int64_t *)st = 0;
}

static void
count_update(void *st, const struct tally_cell *cell)
{
    (void)cell;
    (*(int64_t *)st)++;
}

static void
count_merge(void *dst, void *src)
{
    *(int64_t *)dst += *(int64_t *)src;
}

static void
count_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    *out = (struct tally_value){.kind = TALLY_VAL_INT, .i = *(int64_t *)st};
}

/* ---- sum and mean: an exact decimal sum, plus an exact binary sum of the
 * values that have no exact decimal form. Both are order-independent. */

struct sum_st {
    struct big dec; /* exact sum of decimal values, times 10^scale */
    uint64_t n;     /* numeric values seen */
    int32_t scale;
    uint8_t all_int;      /* every value was an int64 integer */
    uint8_t has_bin;      /* some value went to the binary sum */
    uint8_t pos_inf;      /* a value was +inf (1e999) */
    uint8_t neg_inf;      /* a value was -inf */
    struct superacc *bin; /* allocated at the first value without a decimal form */
};

static void
sum_init(void *st)
{
    struct sum_st *s = st;
    memset(s, 0, sizeof *s);
    s->all_int = 1;
}

static void
sum_add_binary(struct sum_st *s, double x)
{
    if (isinf(x)) {
        if (x > 0)
            s->pos_inf = 1;
        else
            s->neg_inf = 1;
        return;
    }
    if (!s->bin)
        s->bin = tally_xcalloc(1, sizeof *s->bin);
    s->has_bin = 1;
    sa_add(s->bin, x);
}

/* Adds v * 10^-scale to the decimal sum, at the larger of the two scales. */
static void
sum_add_decimal(struct sum_st *s, struct big v, int scale)
{
    if (scale > s->scale) {
        big_mul_u64(&s->dec, pow10_u64[scale - s->scale]);
        s->scale = scale;
    } else if (scale < s->scale) {
        big_mul_u64(&v, pow10_u64[s->scale - scale]);
    }
    big_add(&s->dec, &v);
}

static void
sum_update(void *st, const struct tally_cell *cell)
{
    struct sum_st *s = st;
    s->n++;
    if (cell->num.kind != TALLY_NUM_INT)
        s->all_int = 0;
    int64_t mant;
    int scale;
    if (cell_decimal(cell, &mant, &scale))
        sum_add_decimal(s, big_from_i128(mant), scale);
    else
        sum_add_binary(s, cell->num.d);
}

static void
sum_merge(void *dst, void *src)
{
    struct sum_st *d = dst, *s = src;
    d->n += s->n;
    d->all_int &= s->all_int;
    d->pos_inf |= s->pos_inf;
    d->neg_inf |= s->neg_inf;
    sum_add_decimal(d, s->dec, s->scale);
    if (s->has_bin) {
        if (!d->bin) {
            d->bin = s->bin;
            s->bin = NULL;
        } else {
            sa_merge(d->bin, s->bin);
        }
        d->has_bin = 1;
    }
}

static double
sum_double(const struct sum_st *s)
{
    if (s->pos_inf || s->neg_inf)
        return s->pos_inf && s->neg_inf ? NAN : s->pos_inf ? INFINITY : -INFINITY;
    double d = big_to_double(&s->dec, s->scale);
    if (s->has_bin) {
        struct superacc a = *s->bin;
        sa_add(&a, d);
        d = sa_to_double(&a);
    }
    return d;
}

static void
sum_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    const struct sum_st *s = st;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (s->n == 0)
        return;
    if (s->all_int && !s->has_bin && s->scale == 0 && big_to_int64(&s->dec, &out->i)) {
        out->kind = TALLY_VAL_INT;
        return;
    }
    out->kind = TALLY_VAL_REAL;
    out->d = sum_double(s);
}

static void
mean_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    const struct sum_st *s = st;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (s->n == 0)
        return;
    out->kind = TALLY_VAL_REAL;
    out->d = sum_double(s) / (double)s->n;
}

static void
sum_fini(void *st)
{
    struct sum_st *s = st;
    free(s->bin);
    s->bin = NULL;
}

/* ---- min and max: the winning input, compared exactly across kinds. */

struct ext_st {
    uint32_t has;
    uint32_t kind; /* TALLY_NUM_INT or TALLY_NUM_REAL */
    int64_t i;
    double d;
};

/* Compares an int64 with a double exactly (no rounding of the integer). */
static int
cmp_int_double(int64_t i, double d)
{
    if (d >= 9223372036854775808.0)
        return -1;
    if (d < -9223372036854775808.0)
        return 1;
    if (isnan(d))
        return 0;
    int64_t t = (int64_t)d;
    if (i != t)
        return i < t ? -1 : 1;
    double f = d - (double)t;
    return f > 0 ? -1 : f < 0;
}

static int
ext_cmp(uint32_t ak, int64_t ai, double ad, uint32_t bk, int64_t bi, double bd)
{
    if (ak == TALLY_NUM_INT && bk == TALLY_NUM_INT)
        return ai < bi ? -1 : ai > bi;
    if (ak == TALLY_NUM_INT)
        return cmp_int_double(ai, bd);
    if (bk == TALLY_NUM_INT)
        return -cmp_int_double(bi, ad);
    return ad < bd ? -1 : ad > bd;
}

static void
ext_init(void *st)
{
    memset(st, 0, sizeof(struct ext_st));
}

/* sign -1 keeps the smallest, +1 the largest; ties keep the earlier value. */
static void
ext_offer(struct ext_st *s, uint32_t kind, int64_t i, double d, int sign)
{
    if (s->has && ext_cmp(kind, i, d, s->kind, s->i, s->d) * sign <= 0)
        return;
    s->has = 1;
    s->kind = kind;
    s->i = i;
    s->d = d;
}

static void
min_update(void *st, const struct tally_cell *c)
{
    ext_offer(st, (uint32_t)c->num.kind, c->num.i, c->num.d, -1);
}

static void
max_update(void *st, const struct tally_cell *c)
{
    ext_offer(st, (uint32_t)c->num.kind, c->num.i, c->num.d, 1);
}

static void
min_merge(void *dst, void *src)
{
    const struct ext_st *s = src;
    if (s->has)
        ext_offer(dst, s->kind, s->i, s->d, -1);
}

static void
max_merge(void *dst, void *src)
{
    const struct ext_st *s = src;
    if (s->has)
        ext_offer(dst, s->kind, s->i, s->d, 1);
}

static void
ext_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    const struct ext_st *s = st;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (!s->has)
        return;
    if (s->kind == TALLY_NUM_INT) {
        out->kind = TALLY_VAL_INT;
        out->i = s->i;
    } else {
        out->kind = TALLY_VAL_REAL;
    }
    out->d = s->d;
    out->as_input = true; /* min and max are input values: never rounded for display */
}

/* ---- var and stddev: exact sums of x and x^2 as scaled integers when every
 * value allows it (int64 mantissa, at most MAX_VAR_SCALE decimals), so the
 * result does not depend on the order; Welford/Chan in doubles otherwise. */

struct var_st {
    struct big sx;  /* sum of x, times 10^scale */
    struct big sxx; /* sum of x^2, times 10^(2 scale) */
    uint64_t n;
    int32_t scale;
    uint32_t exact; /* every value went into sx and sxx */
    double mean, m2;
};

static void
var_init(void *st)
{
    struct var_st *s = st;
    memset(s, 0, sizeof *s);
    s->exact = 1;
}

static void
var_add_exact(struct var_st *s, struct big sx, struct big sxx, int scale)
{
    if (scale > s->scale) {
        big_mul_u64(&s->sx, pow10_u64[scale - s->scale]);
        big_mul_u64(&s->sxx, pow10_u64[2 * (scale - s->scale)]);
        s->scale = scale;
    } else if (scale < s->scale) {
        big_mul_u64(&sx, pow10_u64[s->scale - scale]);
        big_mul_u64(&sxx, pow10_u64[2 * (s->scale - scale)]);
    }
    big_add(&s->sx, &sx);
    big_add(&s->sxx, &sxx);
}

static void
var_update(void *st, const struct tally_cell *c)
{
    struct var_st *s = st;
    s->n++;
    double x = c->num.d;
    double delta = x - s->mean;
    s->mean += delta / (double)s->n;
    s->m2 += delta * (x - s->mean);
    if (!s->exact)
        return;
    int64_t mant;
    int scale;
    if (cell_decimal(c, &mant, &scale) && scale <= MAX_VAR_SCALE)
        var_add_exact(s, big_from_i128(mant), big_from_i128((i128)mant * mant), scale);
    else
        s->exact = 0;
}

static void
var_merge(void *dst, void *src)
{
    struct var_st *d = dst, *s = src;
    if (s->n == 0)
        return;
    if (d->n == 0) {
        *d = *s;
        return;
    }
    double n = (double)(d->n + s->n);
    double delta = s->mean - d->mean;
    d->mean += delta * ((double)s->n / n);
    d->m2 += s->m2 + delta * delta * ((double)d->n * (double)s->n / n);
    d->n += s->n;
    if (d->exact && s->exact)
        var_add_exact(d, s->sx, s->sxx, s->scale);
    else
        d->exact = 0;
}

static bool
var_value(const struct var_st *s, double *out)
{
    if (s->n < 2)
        return false;
    if (!s->exact) {
        *out = s->m2 / (double)(s->n - 1);
        return true;
    }
    /* (n * sxx - sx^2) / (n (n - 1)), the numerator exact in 512 bits. */
    uint64_t a[8] = {0}, b[8], r[8];
    mag_mul(s->sxx.w, 4, &s->n, 1, a);
    struct big ax = big_abs(&s->sx);
    mag_mul(ax.w, 4, ax.w, 4, b);
    unsigned borrow = 0;
    for (int i = 0; i < 8; i++) {
        u128 t = (u128)a[i] - b[i] - borrow;
        r[i] = (uint64_t)t;
        borrow = (unsigned)((t >> 64) != 0);
    }
    double v = borrow ? 0.0 : mag_to_double(r, 8);
    v /= (double)s->n * (double)(s->n - 1);
    if (s->scale)
        v /= pow10_exact[2 * s->scale];
    *out = v;
    return true;
}

static void
var_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (var_value(st, &out->d))
        out->kind = TALLY_VAL_REAL;
}

static void
stddev_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (var_value(st, &out->d)) {
        out->kind = TALLY_VAL_REAL;
        out->d = sqrt(out->d);
    }
}

/* ---- median and pNN: every value, selected at the end. */

struct pct_st {
    double *v;
    size_t n, cap;
};

static void
pct_init(void *st)
{
    memset(st, 0, sizeof(struct pct_st));
}

static void
pct_update(void *st, const struct tally_cell *c)
{
    struct pct_st *s = st;
    if (s->n == s->cap)
        tally_xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = c->num.d;
}

static void
pct_merge(void *dst, void *src)
{
    struct pct_st *d = dst, *s = src;
    if (s->n == 0)
        return;
    if (d->n == 0) {
        struct pct_st t = *d;
        *d = *s;
        *s = t;
        return;
    }
    tally_xgrow((void **)&d->v, &d->cap, d->n + s->n, sizeof *d->v);
    memcpy(d->v + d->n, s->v, s->n * sizeof *s->v);
    d->n += s->n;
}

static inline void
swapd(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* Reorders v so that v[k] is the k-th smallest, smaller ones before it and
 * larger ones after (Hoare partition around a median of three). */
static void
select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo])
            swapd(&v[mid], &v[lo]);
        if (v[hi] < v[lo])
            swapd(&v[hi], &v[lo]);
        if (v[hi] < v[mid])
            swapd(&v[hi], &v[mid]);
        double pivot = v[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (pivot < v[j])
                j--;
            if (i <= j) {
                swapd(&v[i], &v[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        /* Now v[lo..j] <= pivot <= v[i..hi], and anything between equals it. */
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

static void
pct_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    struct pct_st *s = st;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (s->n == 0)
        return;
    double p = param ? param->p : 50.0;
    double rank = p / 100.0 * (double)(s->n - 1);
    double fl = floor(rank);
    size_t k = (size_t)fl;
    if (k > s->n - 1)
        k = s->n - 1;
    double frac = rank - fl;
    select_kth(s->v, s->n, k);
    double a = s->v[k], r = a;
    if (frac > 0 && k + 1 < s->n) {
        double b = s->v[k + 1];
        for (size_t i = k + 2; i < s->n; i++)
            if (s->v[i] < b)
                b = s->v[i];
        if (b != a)
            r = a + (b - a) * frac;
    }
    out->kind = TALLY_VAL_REAL;
    out->d = r;
}

static void
pct_fini(void *st)
{
    struct pct_st *s = st;
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

/* ---- first and last: owned copies of the bytes. */

struct text_st {
    char *buf;
    size_t len, cap;
    uint64_t has;
};

static void
text_init(void *st)
{
    memset(st, 0, sizeof(struct text_st));
}

static void
text_set(struct text_st *s, struct tally_slice v)
{
    if (v.len > s->cap) {
        size_t cap = s->cap ? s->cap : 16;
        while (cap < v.len)
            cap *= 2;
        free(s->buf);
        s->buf = tally_xmalloc(cap);
        s->cap = cap;
    }
    if (v.len)
        memcpy(s->buf, v.ptr, v.len);
    s->len = v.len;
    s->has = 1;
}

static void
first_update(void *st, const struct tally_cell *c)
{
    struct text_st *s = st;
    if (!s->has)
        text_set(s, c->text);
}

static void
last_update(void *st, const struct tally_cell *c)
{
    text_set(st, c->text);
}

static void
text_swap(struct text_st *a, struct text_st *b)
{
    struct text_st t = *a;
    *a = *b;
    *b = t;
}

static void
first_merge(void *dst, void *src)
{
    struct text_st *d = dst, *s = src;
    if (!d->has && s->has)
        text_swap(d, s);
}

static void
last_merge(void *dst, void *src)
{
    struct text_st *d = dst, *s = src;
    if (s->has)
        text_swap(d, s);
}

static void
text_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    const struct text_st *s = st;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (s->has) {
        out->kind = TALLY_VAL_TEXT;
        out->s = (struct tally_slice){s->buf, s->len};
    }
}

static void
text_fini(void *st)
{
    struct text_st *s = st;
    free(s->buf);
    memset(s, 0, sizeof *s);
}

/* ---- distinct and mode: a map of owned strings to counts, in first-seen
 * order (entries), indexed by an open-addressing table of entry numbers. */

struct sm_ent {
    uint64_t hash;
    size_t off, len;
    uint64_t count;
};

struct strmap {
    char *bytes;
    size_t blen, bcap;
    struct sm_ent *ent;
    size_t n, ecap;
    uint32_t *idx; /* entry number + 1; 0 is an empty slot */
    size_t icap;   /* a power of two, or 0 */
};

static void
sm_init(void *st)
{
    memset(st, 0, sizeof(struct strmap));
}

static void
sm_rehash(struct strmap *m, size_t icap)
{
    free(m->idx);
    m->idx = tally_xcalloc(icap, sizeof *m->idx);
    m->icap = icap;
    for (size_t e = 0; e < m->n; e++) {
        size_t i = m->ent[e].hash & (icap - 1);
        while (m->idx[i])
            i = (i + 1) & (icap - 1);
        m->idx[i] = (uint32_t)(e + 1);
    }
}

/* Adds count to the entry for these bytes, creating it (at the end of the
 * first-seen order) if new. */
static void
sm_add(struct strmap *m, const char *p, size_t len, uint64_t hash, uint64_t count)
{
    if (m->icap) {
        size_t i = hash & (m->icap - 1);
        for (uint32_t e; (e = m->idx[i]) != 0; i = (i + 1) & (m->icap - 1)) {
            struct sm_ent *x = &m->ent[e - 1];
            if (x->hash == hash && x->len == len && memcmp(m->bytes + x->off, p, len) == 0) {
                x->count += count;
                return;
            }
        }
    }
    if ((m->n + 1) * 10 > m->icap * 7)
        sm_rehash(m, m->icap ? m->icap * 2 : 8);
    tally_xgrow((void **)&m->ent, &m->ecap, m->n + 1, sizeof *m->ent);
    tally_xgrow((void **)&m->bytes, &m->bcap, m->blen + len, 1);
    if (len)
        memcpy(m->bytes + m->blen, p, len);
    m->ent[m->n] = (struct sm_ent){hash, m->blen, len, count};
    m->blen += len;
    size_t i = hash & (m->icap - 1);
    while (m->idx[i])
        i = (i + 1) & (m->icap - 1);
    m->idx[i] = (uint32_t)(++m->n);
}

static void
sm_update(void *st, const struct tally_cell *c)
{
    sm_add(st, c->text.ptr, c->text.len, tally_hash_bytes(c->text.ptr, c->text.len, 0), 1);
}

static void
sm_merge(void *dst, void *src)
{
    struct strmap *d = dst, *s = src;
    if (d->n == 0) {
        struct strmap t = *d;
        *d = *s;
        *s = t;
        return;
    }
    for (size_t e = 0; e < s->n; e++) {
        const struct sm_ent *x = &s->ent[e];
        sm_add(d, s->bytes + x->off, x->len, x->hash, x->count);
    }
}

static void
distinct_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    const struct strmap *m = st;
    *out = (struct tally_value){.kind = TALLY_VAL_INT, .i = (int64_t)m->n};
}

static void
mode_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    const struct strmap *m = st;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (m->n == 0)
        return;
    size_t best = 0;
    for (size_t e = 1; e < m->n; e++)
        if (m->ent[e].count > m->ent[best].count)
            best = e;
    out->kind = TALLY_VAL_TEXT;
    out->s = (struct tally_slice){m->bytes + m->ent[best].off, m->ent[best].len};
}

static void
sm_fini(void *st)
{
    struct strmap *m = st;
    free(m->bytes);
    free(m->ent);
    free(m->idx);
    memset(m, 0, sizeof *m);
}

/* ---- the table */

#define STATE(t) ((sizeof(t) + 7) & ~(size_t)7)

static const struct tally_op ops[] = {
    {"count", TALLY_ARG_OPTIONAL, TALLY_IN_ROW, STATE(int64_t), count_init, count_update,
     count_merge, count_final, NULL},
    {"sum", TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct sum_st), sum_init, sum_update,
     sum_merge, sum_final, sum_fini},
    {"min", TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct ext_st), ext_init, min_update,
     min_merge, ext_final, NULL},
    {"max", TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct ext_st), ext_init, max_update,
     max_merge, ext_final, NULL},
    {"mean", TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct sum_st), sum_init, sum_update,
     sum_merge, mean_final, sum_fini},
    {"stddev", TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct var_st), var_init, var_update,
     var_merge, stddev_final, NULL},
    {"var", TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct var_st), var_init, var_update,
     var_merge, var_final, NULL},
    {"median", TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct pct_st), pct_init, pct_update,
     pct_merge, pct_final, pct_fini},
    {"p", TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct pct_st), pct_init, pct_update,
     pct_merge, pct_final, pct_fini},
    {"distinct", TALLY_ARG_REQUIRED, TALLY_IN_TEXT, STATE(struct strmap), sm_init, sm_update,
     sm_merge, distinct_final, sm_fini},
    {"first", TALLY_ARG_REQUIRED, TALLY_IN_TEXT, STATE(struct text_st), text_init, first_update,
     first_merge, text_final, text_fini},
    {"last", TALLY_ARG_REQUIRED, TALLY_IN_TEXT, STATE(struct text_st), text_init, last_update,
     last_merge, text_final, text_fini},
    {"mode", TALLY_ARG_REQUIRED, TALLY_IN_TEXT, STATE(struct strmap), sm_init, sm_update, sm_merge,
     mode_final, sm_fini},
};

static const struct tally_op count_col_op = {"count",        TALLY_ARG_REQUIRED, TALLY_IN_TEXT,
                                             STATE(int64_t), count_init,         count_update,
                                             count_merge,    count_final,        NULL};

/* "NN" or "NN.NN" between 0 and 100. */
static bool
parse_percent(const char *s, size_t len, double *out)
{
    size_t i = 0, ndot = 0;
    if (len == 0 || len > 30 || s[0] < '0' || s[0] > '9')
        return false;
    for (; i < len; i++) {
        if (s[i] == '.') {
            if (++ndot > 1 || i + 1 == len)
                return false;
        } else if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    char buf[32];
    memcpy(buf, s, len);
    buf[len] = '\0';
    double p = strtod(buf, NULL);
    if (!(p >= 0 && p <= 100))
        return false;
    *out = p;
    return true;
}

const struct tally_op *
tally_op_find(const char *name, size_t len, struct tally_op_param *param)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (strlen(ops[i].name) != len || memcmp(ops[i].name, name, len) != 0)
            continue;
        if (strcmp(ops[i].name, "p") == 0)
            return NULL;
        if (strcmp(ops[i].name, "median") == 0 && param)
            param->p = 50.0;
        return &ops[i];
    }
    double p;
    if (len >= 2 && name[0] == 'p' && parse_percent(name + 1, len - 1, &p)) {
        if (param)
            param->p = p;
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
            if (strcmp(ops[i].name, "p") == 0)
                return &ops[i];
    }
    return NULL;
}

const struct tally_op *
tally_op_count_col(void)
{
    return &count_col_op;
}

const char *
tally_op_names(void)
{
    return "count, sum, min, max, mean, stddev, var, median, pNN (p0 to p100, e.g. p50, p99.9), "
           "distinct, first, last, mode";
}
