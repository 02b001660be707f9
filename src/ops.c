/* Aggregates (SPEC "Aggregates"): fixed-size states fed one qualifying cell
 * at a time, merged part by part, and finished into a tally_value. Every
 * merge gives the same bits as one pass over the joined input, whatever the
 * cut: sums are kept exactly (scaled integers for decimals, a windowed
 * binary superaccumulator for the rest, see exact.h), var and stddev keep exact
 * moments (moments.h), percentiles keep all values, sets and maps keep every
 * string (ops_text.c). Their state text for partials (codec.h) is in
 * ops_codec.c and ops_text.c. */
#include "tally/ops.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_int.h"
#include "tally/exact.h"
#include "tally/moments.h"
#include "tally/xalloc.h"

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
    /* Saturating: decoded counts (--merge) are not bounded by one run. */
    int64_t *d = dst, s = *(int64_t *)src;
    *d = *d > INT64_MAX - s ? INT64_MAX : *d + s;
}

static void
count_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    *out = (struct tally_value){.kind = TALLY_VAL_INT, .i = *(int64_t *)st};
}

/* ---- sum and mean (struct tally_sum_st) */

static void
sum_init(void *st)
{
    struct tally_sum_st *s = st;
    memset(s, 0, sizeof *s);
    s->all_int = 1;
}

static void
sum_add_binary(struct tally_sum_st *s, double x)
{
    if (isinf(x)) {
        if (x > 0)
            s->pos_inf = 1;
        else
            s->neg_inf = 1;
        return;
    }
    s->has_bin = 1;
    tally_wacc_add(&s->bin, x);
}

/* Adds v * 10^-scale to the decimal sum, at the larger of the two scales. */
static void
sum_add_decimal(struct tally_sum_st *s, struct tally_wide v, int scale)
{
    if (scale > s->scale) {
        tally_wide_mul_pow10(&s->dec, scale - s->scale);
        s->scale = scale;
    } else if (scale < s->scale) {
        tally_wide_mul_pow10(&v, s->scale - scale);
    }
    tally_wide_add(&s->dec, &v);
}

static void
sum_update(void *st, const struct tally_cell *cell)
{
    struct tally_sum_st *s = st;
    s->n++;
    if (cell->num.kind != TALLY_NUM_INT)
        s->all_int = 0;
    int64_t mant;
    int scale;
    if (tally_exact_decimal(&cell->num, cell->text, &mant, &scale))
        sum_add_decimal(s, tally_wide_from_i64(mant), scale);
    else
        sum_add_binary(s, cell->num.d);
}

static void
sum_merge(void *dst, void *src)
{
    struct tally_sum_st *d = dst, *s = src;
    d->n += s->n;
    d->all_int &= s->all_int;
    d->pos_inf |= s->pos_inf;
    d->neg_inf |= s->neg_inf;
    sum_add_decimal(d, s->dec, s->scale);
    d->has_bin |= s->has_bin;
    tally_wacc_merge(&d->bin, &s->bin);
}

static double
sum_double(const struct tally_sum_st *s)
{
    if (s->pos_inf || s->neg_inf)
        return s->pos_inf && s->neg_inf ? NAN : s->pos_inf ? INFINITY : -INFINITY;
    double d = tally_wide_to_double(&s->dec, s->scale);
    if (s->has_bin)
        d = tally_wacc_to_double(s->bin, d);
    return d;
}

static void
sum_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    const struct tally_sum_st *s = st;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (s->n == 0)
        return;
    if (s->all_int && !s->has_bin && s->scale == 0 && tally_wide_to_int64(&s->dec, &out->i)) {
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
    const struct tally_sum_st *s = st;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (s->n == 0)
        return;
    out->kind = TALLY_VAL_REAL;
    out->d = sum_double(s) / (double)s->n;
}

static void
sum_fini(void *st)
{
    struct tally_sum_st *s = st;
    free(s->bin);
    s->bin = NULL;
}

/* ---- min and max: the winning input, compared exactly across kinds. */

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
    memset(st, 0, sizeof(struct tally_ext_st));
}

/* sign -1 keeps the smallest, +1 the largest; ties keep the earlier value. */
static void
ext_offer(struct tally_ext_st *s, uint32_t kind, int64_t i, double d, int sign)
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

/* src wins when better, or as good and from earlier input by position
 * (equal positions: dst, the earlier call); its position goes with it. */
static void
ext_merge(struct tally_ext_st *d, const struct tally_ext_st *s, int sign)
{
    if (!s->has)
        return;
    if (d->has) {
        int c = ext_cmp(s->kind, s->i, s->d, d->kind, d->i, d->d) * sign;
        if (c < 0 || (c == 0 && s->pos >= d->pos))
            return;
    }
    *d = *s;
}

static void
min_merge(void *dst, void *src)
{
    ext_merge(dst, src, -1);
}

static void
max_merge(void *dst, void *src)
{
    ext_merge(dst, src, 1);
}

static void
ext_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    const struct tally_ext_st *s = st;
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

/* ---- median and pNN: every value (struct tally_pct_st), selected at the
 * end. */

static void
pct_init(void *st)
{
    memset(st, 0, sizeof(struct tally_pct_st));
}

static void
pct_update(void *st, const struct tally_cell *c)
{
    struct tally_pct_st *s = st;
    if (s->n == s->cap)
        tally_xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = c->num.d;
}

static void
pct_merge(void *dst, void *src)
{
    struct tally_pct_st *d = dst, *s = src;
    if (s->n == 0)
        return;
    if (d->n == 0) {
        struct tally_pct_st t = *d;
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

/* The k-th value is a zero: which one, taking -0 below 0, so that the
 * order of the values (of merges) never shows in the result. */
static double
zero_of_rank(const double *v, size_t n, size_t k)
{
    size_t below = 0; /* values below 0, and -0s */
    for (size_t i = 0; i < n; i++)
        below += v[i] < 0 || (v[i] == 0 && signbit(v[i]));
    return below > k ? -0.0 : 0.0;
}

static void
pct_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    struct tally_pct_st *s = st;
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
    double a = s->v[k];
    if (a == 0)
        a = zero_of_rank(s->v, s->n, k);
    double r = a;
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
    struct tally_pct_st *s = st;
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

/* ---- var and stddev: exact moments, the same bits for any cut. */

static void
var_init(void *st)
{
    tally_moments_init(st);
}

static void
var_update(void *st, const struct tally_cell *c)
{
    int64_t mant;
    int scale;
    if (tally_exact_decimal(&c->num, c->text, &mant, &scale) && scale <= TALLY_MOMENTS_MAX_SCALE)
        tally_moments_add_decimal(st, mant, scale);
    else
        tally_moments_add_double(st, c->num.d);
}

static void
var_merge(void *dst, void *src)
{
    tally_moments_merge(dst, src);
}

static void
var_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (tally_moments_var(st, &out->d))
        out->kind = TALLY_VAL_REAL;
}

static void
stddev_final(void *st, const struct tally_op_param *param, struct tally_value *out)
{
    (void)param;
    *out = (struct tally_value){.kind = TALLY_VAL_EMPTY};
    if (tally_moments_stddev(st, &out->d))
        out->kind = TALLY_VAL_REAL;
}

static void
var_fini(void *st)
{
    tally_moments_fini(st);
}

/* ---- parameters written in the name */

/* median: nothing after the name; the 50th percentile. */
static bool
median_parse(const char *arg, size_t len, struct tally_op_param *param, const char **why)
{
    (void)arg;
    (void)why;
    param->p = 50.0;
    return len == 0;
}

/* pNN: "NN" or "NN.NN" between 0 and 100. Anything else is not a pNN, so
 * the lookup reports an unknown aggregate. */
static bool
pct_parse(const char *arg, size_t len, struct tally_op_param *param, const char **why)
{
    (void)why;
    if (len == 0 || len > 30 || arg[0] < '0' || arg[0] > '9')
        return false;
    for (size_t i = 0, ndot = 0; i < len; i++) {
        if (arg[i] == '.') {
            if (++ndot > 1 || i + 1 == len)
                return false;
        } else if (arg[i] < '0' || arg[i] > '9') {
            return false;
        }
    }
    char buf[32];
    memcpy(buf, arg, len);
    buf[len] = '\0';
    double p = strtod(buf, NULL);
    if (!(p >= 0 && p <= 100))
        return false;
    param->p = p;
    return true;
}

/* ---- the table */

#define STATE(t) ((sizeof(t) + 7) & ~(size_t)7)

static const struct tally_op ops[] = {
    {"count", NULL, TALLY_ARG_OPTIONAL, TALLY_IN_ROW, STATE(int64_t), count_init, count_update,
     count_merge, count_final, NULL, tally_count_encode, tally_count_decode},
    {"sum", NULL, TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct tally_sum_st), sum_init,
     sum_update, sum_merge, sum_final, sum_fini, tally_sum_encode, tally_sum_decode},
    {"min", NULL, TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct tally_ext_st), ext_init,
     min_update, min_merge, ext_final, NULL, tally_ext_encode, tally_ext_decode},
    {"max", NULL, TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct tally_ext_st), ext_init,
     max_update, max_merge, ext_final, NULL, tally_ext_encode, tally_ext_decode},
    {"mean", NULL, TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct tally_sum_st), sum_init,
     sum_update, sum_merge, mean_final, sum_fini, tally_sum_encode, tally_sum_decode},
    {"stddev", NULL, TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct tally_moments), var_init,
     var_update, var_merge, stddev_final, var_fini, tally_var_encode, tally_var_decode},
    {"var", NULL, TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct tally_moments), var_init,
     var_update, var_merge, var_final, var_fini, tally_var_encode, tally_var_decode},
    {"median", median_parse, TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct tally_pct_st),
     pct_init, pct_update, pct_merge, pct_final, pct_fini, tally_pct_encode, tally_pct_decode},
    {"p", pct_parse, TALLY_ARG_REQUIRED, TALLY_IN_NUMBER, STATE(struct tally_pct_st), pct_init,
     pct_update, pct_merge, pct_final, pct_fini, tally_pct_encode, tally_pct_decode},
    {"distinct", NULL, TALLY_ARG_REQUIRED, TALLY_IN_TEXT, STATE(struct tally_strmap), tally_sm_init,
     tally_sm_update, tally_sm_merge, tally_distinct_final, tally_sm_fini, tally_sm_encode,
     tally_sm_decode},
    {"first", NULL, TALLY_ARG_REQUIRED, TALLY_IN_TEXT, STATE(struct tally_text_st), tally_text_init,
     tally_first_update, tally_first_merge, tally_text_final, tally_text_fini, tally_text_encode,
     tally_text_decode},
    {"last", NULL, TALLY_ARG_REQUIRED, TALLY_IN_TEXT, STATE(struct tally_text_st), tally_text_init,
     tally_last_update, tally_last_merge, tally_text_final, tally_text_fini, tally_text_encode,
     tally_text_decode},
    {"mode", NULL, TALLY_ARG_REQUIRED, TALLY_IN_TEXT, STATE(struct tally_strmap), tally_sm_init,
     tally_sm_update, tally_sm_merge, tally_mode_final, tally_sm_fini, tally_sm_encode,
     tally_sm_decode},
};

static const struct tally_op count_col_op = {
    "count",        NULL,       TALLY_ARG_REQUIRED, TALLY_IN_TEXT,
    STATE(int64_t), count_init, count_update,       count_merge,
    count_final,    NULL,       tally_count_encode, tally_count_decode};

const struct tally_op *
tally_op_find(const char *name, size_t len, struct tally_op_param *param, const char **why)
{
    struct tally_op_param scratch;
    if (!param)
        param = &scratch;
    const char *reason = NULL;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !reason; i++) {
        size_t nlen = strlen(ops[i].name);
        if (len < nlen || memcmp(ops[i].name, name, nlen) != 0)
            continue;
        *param = (struct tally_op_param){0};
        if (ops[i].parse ? ops[i].parse(name + nlen, len - nlen, param, &reason) : len == nlen)
            return &ops[i];
    }
    if (why)
        *why = reason;
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
