/* Unit tests for exact.c: wide integers, the exact decimal form of numbers,
 * superaccumulators (exact in any order), magnitude arithmetic and the one
 * correctly rounded conversion to double, subnormals and overflow included. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/exact.h"

static void
expect_bits(double got, double want)
{
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("got %a (%.17g), want %a (%.17g)", got, got, want, want);
}

static uint64_t
next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void
test_exact_wide_sums_stay_exact_and_round_once(void **state)
{
    (void)state;
    struct tally_wide a = tally_wide_from_i64(INT64_MAX), b = tally_wide_from_i64(1);
    int64_t out;
    assert_true(tally_wide_to_int64(&a, &out) && out == INT64_MAX);
    tally_wide_add(&a, &b);
    assert_false(tally_wide_to_int64(&a, &out)); /* 2^63 */
    expect_bits(tally_wide_to_double(&a, 0), 9223372036854775808.0);
    struct tally_wide m = tally_wide_from_i64(INT64_MIN);
    assert_true(tally_wide_is_neg(&m));
    assert_true(tally_wide_to_int64(&m, &out) && out == INT64_MIN);
    struct tally_wide am = tally_wide_abs(&m);
    assert_false(tally_wide_is_neg(&am));
    assert_true(am.w[0] == (uint64_t)1 << 63 && am.w[1] == 0);
    /* (-2^63)^2 = 2^126 */
    struct tally_wide sq = tally_wide_square_i64(INT64_MIN);
    assert_true(sq.w[0] == 0 && sq.w[1] == (uint64_t)1 << 62 && sq.w[2] == 0 && sq.w[3] == 0);
    /* 1 * 10^19 * 10^19 * 10^19 = 10^57, read back through strtod. */
    struct tally_wide t = tally_wide_from_i64(1);
    for (int i = 0; i < 3; i++)
        tally_wide_mul_pow10(&t, 19);
    expect_bits(tally_wide_to_double(&t, 0), 1e57);
    expect_bits(tally_wide_to_double(&t, 38), 1e19);
    expect_bits(tally_wide_to_double(&t, 57), 1.0);
    struct tally_wide d = tally_wide_from_i64(-1);
    expect_bits(tally_wide_to_double(&d, 1), -0.1);
    /* 2^53 + 1 is a tie between 2^53 and 2^53 + 2: even wins. */
    struct tally_wide h = tally_wide_from_i64(((int64_t)1 << 53) + 1);
    expect_bits(tally_wide_to_double(&h, 0), 9007199254740992.0);
    expect_bits(tally_wide_to_double(&h, 1), 900719925474099.3);
}

static void
test_exact_decimal_form_takes_short_decimals_only(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int ok;
        int64_t mant;
        int scale;
    } cases[] = {
        {"12.50", 1, 125, 1},
        {"1e-3", 1, 1, 3},
        {"2.5E2", 1, 250, 0},
        {"-0.000", 1, 0, 0},
        {"5.", 1, 5, 0},
        {".5", 1, 5, 1},
        {"-9223372036854775808", 1, INT64_MIN, 0},
        {"9223372036854775808", 0, 0, 0},
        {"1e18", 1, 1000000000000000000, 0},
        {"1e19", 0, 0, 0},
        {"0.000000000000000001", 1, 1, 18},
        {"0.0000000000000000001", 0, 0, 0}, /* 19 decimals */
        {"12345678901234567890", 0, 0, 0},  /* 20 digits */
        {"1.000000000000000000", 1, 1, 0},  /* 19 digits, trailing zeros dropped */
        {"1e-100000000", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tally_slice s = tally_slice_cstr(cases[i].text);
        struct tally_num num;
        assert_int_not_equal(tally_parse_number(s, &num), TALLY_NUM_NONE);
        int64_t mant = -1;
        int scale = -1;
        bool ok = tally_exact_parse_decimal(s, &mant, &scale);
        if (ok != (cases[i].ok != 0))
            fail_msg("%s: parse says %d", cases[i].text, ok);
        /* The per-row form (integer, the reader's digits, or the text) agrees. */
        int64_t mant2 = -1;
        int scale2 = -1;
        assert_int_equal(tally_exact_decimal(&num, s, &mant2, &scale2), ok);
        if (!ok)
            continue;
        if (mant != cases[i].mant || scale != cases[i].scale || mant2 != mant || scale2 != scale)
            fail_msg("%s: got %lld e-%d and %lld e-%d", cases[i].text, (long long)mant, scale,
                     (long long)mant2, scale2);
    }
}

/* The normalised words of a superaccumulator's sum, with its sign. */
static int
sa_words(const struct tally_superacc *a, uint64_t *w, bool *neg)
{
    memset(w, 0, TALLY_SA_LIMBS / 2 * sizeof *w);
    return tally_superacc_to_mag(a, w, neg);
}

static void
test_exact_superacc_sums_doubles_exactly_in_any_order(void **state)
{
    (void)state;
    struct tally_superacc a;
    tally_superacc_init(&a);
    tally_superacc_add(&a, 1.0);
    uint64_t w[TALLY_SA_LIMBS / 2];
    bool neg;
    /* 1 is 2^1074 units: bit 50 of word 16. */
    assert_int_equal(sa_words(&a, w, &neg), 17);
    assert_false(neg);
    assert_true(w[16] == (uint64_t)1 << 50);
    tally_superacc_add(&a, -3.0);
    assert_int_equal(sa_words(&a, w, &neg), 17);
    assert_true(neg && w[16] == (uint64_t)1 << 51);
    expect_bits(tally_superacc_to_double(&a), -2.0);

    static const double cases[][4] = {
        {DBL_MAX, DBL_MAX, 0, INFINITY},
        {-DBL_MAX, -DBL_MAX, 0, -INFINITY},
        {1e308, DBL_TRUE_MIN, -1e308, DBL_TRUE_MIN},
        {DBL_TRUE_MIN, DBL_TRUE_MIN, DBL_TRUE_MIN, 3 * DBL_TRUE_MIN},
        {1.0, 0x1p-53, 0x1p-106, 0x1.0000000000001p0}, /* past the tie: up */
        {1.0, 0x1p-53, 0, 1.0},                        /* a tie: even */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tally_superacc_init(&a);
        for (int k = 0; k < 3; k++)
            tally_superacc_add(&a, cases[i][k]);
        expect_bits(tally_superacc_to_double(&a), cases[i][3]);
    }

    /* Random doubles of every magnitude, added forwards, backwards and as
     * two merged halves: the same words. */
    uint64_t seed = 77;
    static double v[1000];
    for (size_t i = 0; i < 1000; i++) {
        uint64_t bits = next_rand(&seed);
        if (((bits >> 52) & 0x7ff) == 0x7ff)
            bits ^= (uint64_t)1 << 62; /* no inf or NaN */
        memcpy(&v[i], &bits, sizeof v[i]);
    }
    struct tally_superacc f, b, lo, hi;
    tally_superacc_init(&f);
    tally_superacc_init(&b);
    tally_superacc_init(&lo);
    tally_superacc_init(&hi);
    for (size_t i = 0; i < 1000; i++) {
        tally_superacc_add(&f, v[i]);
        tally_superacc_add(&b, v[999 - i]);
        tally_superacc_add(i < 400 ? &lo : &hi, v[i]);
    }
    tally_superacc_merge(&hi, &lo);
    uint64_t wf[TALLY_SA_LIMBS / 2], wb[TALLY_SA_LIMBS / 2], wm[TALLY_SA_LIMBS / 2];
    bool nf, nb, nm;
    int lf = sa_words(&f, wf, &nf);
    assert_int_equal(sa_words(&b, wb, &nb), lf);
    assert_int_equal(sa_words(&hi, wm, &nm), lf);
    assert_true(nf == nb && nf == nm);
    assert_memory_equal(wf, wb, sizeof wf);
    assert_memory_equal(wf, wm, sizeof wf);
}

static int
wacc_words(const struct tally_wacc *a, uint64_t *w, bool *neg)
{
    memset(w, 0, TALLY_SA2_LIMBS / 2 * sizeof *w);
    return tally_wacc_to_mag(a, w, neg);
}

static void
test_exact_wacc_sums_squares_exactly(void **state)
{
    (void)state;
    struct tally_wacc *a = NULL;
    uint64_t w[TALLY_SA2_LIMBS / 2], want[TALLY_SA2_LIMBS / 2 + 2];
    bool neg;
    assert_int_equal(wacc_words(a, w, &neg), 0);
    expect_bits(tally_wacc_to_double(a, -2.5), -2.5);
    tally_wacc_add_square(&a, -1.0); /* 2^2148 units: bit 36 of word 33 */
    assert_int_equal(wacc_words(a, w, &neg), 34);
    assert_false(neg);
    assert_true(w[33] == (uint64_t)1 << 36);
    assert_true(a->len <= 5); /* three limbs and the carry room */
    free(a);
    a = NULL;
    tally_wacc_add_square(&a, DBL_TRUE_MIN); /* one unit */
    tally_wacc_add_square(&a, -DBL_TRUE_MIN);
    assert_int_equal(wacc_words(a, w, &neg), 1);
    assert_true(w[0] == 2);
    /* DBL_MAX^2 = (2^53 - 1)^2 * 2^(2*971), in units of 2^-2148: the window
     * widens from the bottom to the top limb. */
    tally_wacc_add_square(&a, DBL_MAX);
    tally_wacc_add_square(&a, DBL_MAX);
    assert_int_equal(a->base, 0);
    assert_int_equal(a->base + a->len, TALLY_SA2_LIMBS);
    uint64_t m = ((uint64_t)1 << 53) - 1, sq[3];
    assert_int_equal(tally_mag_mul(&m, 1, &m, 1, sq), 2);
    int nsq = tally_mag_mul_u64(sq, 2, 2);
    int nw = tally_mag_shl(sq, nsq, 2 * 971 + 2148, want);
    want[0] |= 2;
    assert_int_equal(wacc_words(a, w, &neg), nw);
    assert_memory_equal(w, want, (size_t)nw * sizeof *w);
    free(a);
    /* 0.1^2 is not 0.01: the square of the double, exactly. */
    a = NULL;
    tally_wacc_add_square(&a, 0.1);
    uint64_t f = 0x1999999999999a; /* 0.1 = f * 2^-56 */
    assert_int_equal(tally_mag_mul(&f, 1, &f, 1, sq), 2);
    nw = tally_mag_shl(sq, 2, 2148 - 112, want);
    assert_int_equal(wacc_words(a, w, &neg), nw);
    assert_memory_equal(w, want, (size_t)nw * sizeof *w);
    free(a);
}

static void
test_exact_wacc_equals_the_full_superacc_in_any_order(void **state)
{
    (void)state;
    uint64_t seed = 1234;
    for (int round = 0; round < 50; round++) {
        /* Doubles in a narrow or a wide range of magnitudes, both signs. */
        static double v[500];
        int spread = round % 2 ? 2046 : 1 + round;
        for (size_t i = 0; i < 500; i++) {
            uint64_t r = next_rand(&seed);
            uint64_t e = 1000 + (r >> 52) % (uint64_t)spread;
            if (e > 2046)
                e = 2046;
            uint64_t bits = (r & (((uint64_t)1 << 52) - 1)) | e << 52 | (r >> 63) << 63;
            memcpy(&v[i], &bits, sizeof v[i]);
        }
        struct tally_superacc full;
        tally_superacc_init(&full);
        struct tally_wacc *fwd = NULL, *lo = NULL, *hi = NULL;
        size_t cut = next_rand(&seed) % 501;
        for (size_t i = 0; i < 500; i++) {
            tally_superacc_add(&full, v[i]);
            tally_wacc_add(&fwd, v[i]);
            tally_wacc_add(i < cut ? &lo : &hi, v[499 - i]);
        }
        tally_wacc_merge(&lo, &hi);
        assert_null(hi);
        uint64_t wf[TALLY_SA_LIMBS / 2], w1[TALLY_SA2_LIMBS / 2], w2[TALLY_SA2_LIMBS / 2];
        bool nf, n1, n2;
        int lf = sa_words(&full, wf, &nf);
        assert_int_equal(wacc_words(fwd, w1, &n1), lf);
        assert_int_equal(wacc_words(lo, w2, &n2), lf);
        assert_true(nf == n1 && nf == n2);
        assert_memory_equal(wf, w1, (size_t)lf * sizeof *wf);
        assert_memory_equal(wf, w2, (size_t)lf * sizeof *wf);
        /* Its rounding, with a double added last as sum does. */
        expect_bits(tally_wacc_to_double(lo, 0.0), tally_superacc_to_double(&full));
        double d = v[round];
        tally_superacc_add(&full, d);
        expect_bits(tally_wacc_to_double(fwd, d), tally_superacc_to_double(&full));
        free(fwd);
        free(lo);
    }
}

static void
test_exact_mag_arithmetic_is_exact(void **state)
{
    (void)state;
    uint64_t seed = 99;
    for (int round = 0; round < 200; round++) {
        uint64_t a[8] = {0}, b[8], r[16], s[16];
        int na = 1 + (int)(next_rand(&seed) % 4);
        for (int i = 0; i < na; i++)
            a[i] = next_rand(&seed);
        na = tally_mag_trim(a, na);
        uint64_t d = next_rand(&seed) >> (next_rand(&seed) % 64);
        if (d == 0)
            d = 3;
        memcpy(b, a, sizeof b);
        int nb = tally_mag_mul_u64(b, na, d);
        assert_true(tally_mag_div_u64(b, &nb, d) == 0);
        assert_int_equal(tally_mag_cmp(b, nb, a, na), 0);
        unsigned sh = (unsigned)(next_rand(&seed) % 200);
        int nr = tally_mag_shl(a, na, sh, r);
        /* a << sh = a * 2^sh: shift 1 << sh, multiply. */
        uint64_t one = 1, p[8];
        int np = tally_mag_shl(&one, 1, sh, p);
        int ns = tally_mag_mul(a, na, p, np, s);
        assert_int_equal(tally_mag_cmp(r, nr, s, ns), 0);
        /* (r + a) - a = r, and r + a > r when a > 0. */
        memcpy(s, r, sizeof s);
        ns = tally_mag_add(s, nr, a, na);
        assert_int_equal(tally_mag_cmp(s, ns, r, nr), na ? 1 : 0);
        ns = tally_mag_sub(s, ns, a, na);
        assert_int_equal(tally_mag_cmp(s, ns, r, nr), 0);
    }
    /* The remainder of a division is what is left. */
    uint64_t x[2] = {7, 1}; /* 2^64 + 7 */
    int nx = 2;
    assert_true(tally_mag_div_u64(x, &nx, 10) == 3);
    assert_int_equal(nx, 1);
    assert_true(x[0] == 1844674407370955162u);
}

static void
test_exact_mag_to_double_rounds_to_nearest_even(void **state)
{
    (void)state;
    uint64_t a[2];
    const double tmin = DBL_TRUE_MIN;
#define R(lo, hi, sticky, e) (a[0] = (lo), a[1] = (hi), tally_mag_to_double(a, 2, sticky, e))
    expect_bits(R(0, 0, false, 0), 0.0);
    expect_bits(R(0, 1, false, -64), 1.0);
    expect_bits(R(((uint64_t)1 << 53) + 1, 0, false, 0), 0x1p53);               /* tie: even */
    expect_bits(R(((uint64_t)1 << 53) + 3, 0, false, 0), 0x1.0000000000002p53); /* tie: even */
    expect_bits(R(((uint64_t)1 << 54) + 2, 0, false, 0), 0x1p54);
    expect_bits(R(((uint64_t)1 << 54) + 2, 0, true, 0), 0x1.0000000000001p54); /* past the tie */
    expect_bits(R(((uint64_t)1 << 54) + 1, 0, true, 0), 0x1p54);               /* below it */
    /* Subnormals: rounded once, at 2^-1074. */
    expect_bits(R(3, 0, false, -1076), tmin);     /* 0.75 units */
    expect_bits(R(1, 0, false, -1075), 0.0);      /* 0.5: even */
    expect_bits(R(3, 0, false, -1075), 2 * tmin); /* 1.5: even */
    expect_bits(R(1, 0, false, -1077), 0.0);
    expect_bits(R((uint64_t)1 << 60, 0, false, -1135), 0.0);             /* 2^-1075: a tie */
    expect_bits(R((uint64_t)1 << 60, 0, true, -1135), tmin);             /* a hair above it */
    expect_bits(R(((uint64_t)1 << 53) - 1, 0, false, -1075), 0x1p-1022); /* carries to normal */
    expect_bits(R(5, 0, false, -1074), 5 * tmin);
    /* Overflow: DBL_MAX, a tie above it (odd: up to inf), a hair below it. */
    expect_bits(R(((uint64_t)1 << 54) - 2, 0, false, 970), DBL_MAX);
    expect_bits(R(((uint64_t)1 << 54) - 1, 0, false, 970), INFINITY);
    expect_bits(R(((uint64_t)1 << 55) - 3, 0, false, 969), DBL_MAX);
    expect_bits(R(0, 1, false, 960), INFINITY);
    expect_bits(R(1, 0, false, 1024), INFINITY);
    expect_bits(R(1, 0, false, 1023), 0x1p1023);
#undef R
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_wide_sums_stay_exact_and_round_once),
        cmocka_unit_test(test_exact_decimal_form_takes_short_decimals_only),
        cmocka_unit_test(test_exact_superacc_sums_doubles_exactly_in_any_order),
        cmocka_unit_test(test_exact_wacc_sums_squares_exactly),
        cmocka_unit_test(test_exact_wacc_equals_the_full_superacc_in_any_order),
        cmocka_unit_test(test_exact_mag_arithmetic_is_exact),
        cmocka_unit_test(test_exact_mag_to_double_rounds_to_nearest_even),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
