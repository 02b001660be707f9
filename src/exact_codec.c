/* State text (codec.h) of the exact types of exact.h: wide integers as
 * signed decimals, windowed superaccumulators as their normalised limbs. */
#include <stdlib.h>
#include <string.h>

#include "tally/codec.h"
#include "tally/exact.h"
#include "tally/xalloc.h"

#define P19 10000000000000000000u

__extension__ typedef unsigned __int128 u128;

void
tally_wide_encode(const struct tally_wide *a, struct tally_buf *b)
{
    struct tally_wide m = tally_wide_abs(a);
    if (tally_wide_is_neg(a))
        tally_buf_putc(b, '-');
    /* Groups of 19 digits, lowest first. */
    uint64_t group[5];
    int ng = 0, n = tally_mag_trim(m.w, 4);
    do
        group[ng++] = tally_mag_div_u64(m.w, &n, P19);
    while (n > 0);
    tally_enc_u64(b, group[ng - 1]);
    for (int g = ng - 2; g >= 0; g--)
        tally_buf_printf(b, "%019llu", (unsigned long long)group[g]);
}

bool
tally_wide_is_zero(const struct tally_wide *a)
{
    return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}

/* m = m * 10 + dig; false when it passes 2^256. */
static bool
mag_push_digit(uint64_t *m, unsigned dig)
{
    u128 carry = dig;
    for (int i = 0; i < 4; i++) {
        carry += (u128)m[i] * 10;
        m[i] = (uint64_t)carry;
        carry >>= 64;
    }
    return carry == 0;
}

bool
tally_wide_decode(struct tally_dec *d, struct tally_wide *a)
{
    bool neg = d->p < d->end && *d->p == '-';
    if (neg)
        d->p++;
    if (d->p == d->end || *d->p < '0' || *d->p > '9')
        return false;
    struct tally_wide m = {{0, 0, 0, 0}};
    if (*d->p == '0') {
        d->p++;
        if (neg || (d->p < d->end && *d->p >= '0' && *d->p <= '9'))
            return false; /* "-0" or a leading zero */
        *a = m;
        return true;
    }
    for (; d->p < d->end && *d->p >= '0' && *d->p <= '9'; d->p++)
        if (!mag_push_digit(m.w, (unsigned)(*d->p - '0')))
            return false;
    uint64_t top = m.w[3] >> 63;
    bool low_zero = !(m.w[0] | m.w[1] | m.w[2]) && m.w[3] == (uint64_t)1 << 63;
    if (top && !(neg && low_zero)) /* beyond [-2^255, 2^255) */
        return false;
    if (neg) { /* -m in two's complement: ~m + 1 */
        for (int i = 0; i < 4; i++)
            m.w[i] = ~m.w[i];
        struct tally_wide one = {{1, 0, 0, 0}};
        tally_wide_add(&m, &one);
    }
    *a = m;
    return true;
}

/* ---- windows */

/* The normalised limbs of a window (as in exact.c: carries moved up with
 * floor division, the top limb keeps the rest). */
static void
normalize(int64_t *limb, int n)
{
    for (int i = 0; i < n - 1; i++) {
        int64_t c = limb[i] >> 32;
        limb[i] -= c * ((int64_t)1 << 32);
        limb[i + 1] += c;
    }
}

void
tally_wacc_encode(const struct tally_wacc *a, struct tally_buf *b)
{
    if (!a) {
        tally_enc_u64(b, 0);
        return;
    }
    int64_t limb[TALLY_SA2_LIMBS];
    memcpy(limb, a->limb, (size_t)a->len * sizeof *limb);
    normalize(limb, a->len);
    tally_enc_u64(b, (uint64_t)a->len);
    tally_enc_sep(b);
    tally_enc_u64(b, (uint64_t)a->base);
    for (int i = 0; i < a->len; i++) {
        tally_enc_sep(b);
        tally_enc_i64(b, limb[i]);
    }
}

bool
tally_wacc_decode(struct tally_dec *d, int max_limbs, struct tally_wacc **out)
{
    size_t len;
    uint64_t base;
    *out = NULL;
    if (!tally_dec_count(d, 2, &len))
        return false;
    if (len == 0)
        return true;
    if (len > (size_t)max_limbs || !tally_dec_sep(d) ||
        !tally_dec_u64_max(d, (uint64_t)(max_limbs - (int)len), &base))
        return false;
    struct tally_wacc *w = tally_xmalloc(sizeof *w + len * sizeof *w->limb);
    w->base = (int32_t)base;
    w->len = (int32_t)len;
    w->pending = 0;
    *out = w;
    const int64_t lim = (int64_t)1 << 32;
    for (size_t i = 0; i < len; i++) {
        int64_t v;
        if (!tally_dec_sep(d) || !tally_dec_i64(d, &v))
            return false;
        bool top = i + 1 == len;
        if (top ? v <= -lim || v >= lim : v < 0 || v >= lim)
            return false;
        w->limb[i] = v;
    }
    return true;
}

bool
tally_wacc_is_neg(const struct tally_wacc *a)
{
    if (!a)
        return false;
    int64_t limb[TALLY_SA2_LIMBS];
    memcpy(limb, a->limb, (size_t)a->len * sizeof *limb);
    normalize(limb, a->len);
    return limb[a->len - 1] < 0;
}
