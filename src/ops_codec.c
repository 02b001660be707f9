/* State text (codec.h) of count, sum, mean, min, max, median, pNN, var and
 * stddev: exact, and strict in what it reads (decode takes only what encode
 * writes). */
#include <math.h>
#include <string.h>

#include "ops_int.h"
#include "tally/codec.h"
#include "tally/moments.h"
#include "tally/xalloc.h"

/* ---- count: N */

void
tally_count_encode(const void *st, uint64_t origin, struct tally_buf *out)
{
    (void)origin;
    tally_enc_u64(out, (uint64_t) * (const int64_t *)st);
    tally_enc_end(out);
}

bool
tally_count_decode(void *st, const char *text, size_t len)
{
    struct tally_dec d;
    uint64_t n;
    tally_dec_init(&d, text, len);
    if (!tally_dec_u64_max(&d, INT64_MAX, &n) || !tally_dec_end(&d))
        return false;
    *(int64_t *)st = (int64_t)n;
    return true;
}

/* ---- sum and mean: N,SCALE,FLAGS,DEC,BIN */

enum { SUM_ALL_INT = 1, SUM_HAS_BIN = 2, SUM_POS_INF = 4, SUM_NEG_INF = 8 };

void
tally_sum_encode(const void *st, uint64_t origin, struct tally_buf *out)
{
    (void)origin;
    const struct tally_sum_st *s = st;
    unsigned flags = (s->all_int ? SUM_ALL_INT : 0) | (s->has_bin ? SUM_HAS_BIN : 0) |
                     (s->pos_inf ? SUM_POS_INF : 0) | (s->neg_inf ? SUM_NEG_INF : 0);
    tally_enc_u64(out, s->n);
    tally_enc_sep(out);
    tally_enc_u64(out, (uint64_t)s->scale);
    tally_enc_sep(out);
    tally_enc_u64(out, flags);
    tally_enc_sep(out);
    tally_wide_encode(&s->dec, out);
    tally_enc_sep(out);
    tally_wacc_encode(s->bin, out);
    tally_enc_end(out);
}

bool
tally_sum_decode(void *st, const char *text, size_t len)
{
    struct tally_sum_st *s = st;
    struct tally_dec d;
    uint64_t scale, flags;
    tally_dec_init(&d, text, len);
    if (!tally_dec_u64_max(&d, INT64_MAX, &s->n) || !tally_dec_sep(&d) ||
        !tally_dec_u64_max(&d, TALLY_EXACT_MAX_SCALE, &scale) || !tally_dec_sep(&d) ||
        !tally_dec_u64_max(&d, 15, &flags) || !tally_dec_sep(&d) ||
        !tally_wide_decode(&d, &s->dec) || !tally_dec_sep(&d) ||
        !tally_wacc_decode(&d, TALLY_SA_LIMBS, &s->bin) || !tally_dec_end(&d))
        return false;
    s->scale = (int32_t)scale;
    s->all_int = (flags & SUM_ALL_INT) != 0;
    s->has_bin = (flags & SUM_HAS_BIN) != 0;
    s->pos_inf = (flags & SUM_POS_INF) != 0;
    s->neg_inf = (flags & SUM_NEG_INF) != 0;
    if (s->bin && !s->has_bin)
        return false;
    /* No values: the state init makes. */
    return s->n > 0 ||
           (flags == SUM_ALL_INT && scale == 0 && tally_wide_is_zero(&s->dec) && !s->bin);
}

/* ---- min and max: 0 (nothing), 1,I,P (an integer) or 2,D,P */

void
tally_ext_encode(const void *st, uint64_t origin, struct tally_buf *out)
{
    const struct tally_ext_st *s = st;
    if (!s->has) {
        tally_enc_u64(out, 0);
    } else {
        bool is_int = s->kind == TALLY_NUM_INT;
        tally_enc_u64(out, is_int ? 1 : 2);
        tally_enc_sep(out);
        if (is_int)
            tally_enc_i64(out, s->i);
        else
            tally_enc_double(out, s->d);
        tally_enc_sep(out);
        tally_enc_u64(out, tally_codec_add_pos(s->pos, origin));
    }
    tally_enc_end(out);
}

bool
tally_ext_decode(void *st, const char *text, size_t len)
{
    struct tally_ext_st *s = st;
    struct tally_dec d;
    uint64_t tag;
    tally_dec_init(&d, text, len);
    if (!tally_dec_u64_max(&d, 2, &tag))
        return false;
    if (tag == 0)
        return tally_dec_end(&d);
    if (!tally_dec_sep(&d))
        return false;
    if (tag == 1) {
        if (!tally_dec_i64(&d, &s->i))
            return false;
        s->d = (double)s->i;
        s->kind = TALLY_NUM_INT;
    } else {
        if (!tally_dec_double(&d, &s->d) || isnan(s->d)) /* no number reads as NaN */
            return false;
        s->kind = TALLY_NUM_REAL;
        s->i = 0;
    }
    if (!tally_dec_sep(&d) || !tally_dec_u64(&d, &s->pos) || !tally_dec_end(&d))
        return false;
    s->has = 1;
    return true;
}

/* ---- median and pNN: N,D1,...,DN */

void
tally_pct_encode(const void *st, uint64_t origin, struct tally_buf *out)
{
    (void)origin;
    const struct tally_pct_st *s = st;
    tally_enc_u64(out, s->n);
    for (size_t i = 0; i < s->n; i++) {
        tally_enc_sep(out);
        tally_enc_double(out, s->v[i]);
    }
    tally_enc_end(out);
}

bool
tally_pct_decode(void *st, const char *text, size_t len)
{
    struct tally_pct_st *s = st;
    struct tally_dec d;
    size_t n;
    tally_dec_init(&d, text, len);
    if (!tally_dec_count(&d, 17, &n))
        return false;
    if (n > s->cap)
        tally_xgrow((void **)&s->v, &s->cap, n, sizeof *s->v);
    s->n = 0;
    for (size_t i = 0; i < n; i++) {
        double v;
        if (!tally_dec_sep(&d) || !tally_dec_double(&d, &v) || isnan(v))
            return false;
        s->v[s->n++] = v;
    }
    return tally_dec_end(&d);
}

/* ---- var and stddev: the moments (moments.h) */

void
tally_var_encode(const void *st, uint64_t origin, struct tally_buf *out)
{
    (void)origin;
    tally_moments_encode(st, out);
    tally_enc_end(out);
}

bool
tally_var_decode(void *st, const char *text, size_t len)
{
    struct tally_dec d;
    tally_dec_init(&d, text, len);
    return tally_moments_decode(&d, st) && tally_dec_end(&d);
}
