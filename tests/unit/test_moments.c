/* Unit tests for moments.c: var and stddev correctly rounded against exact
 * answers (Python's statistics module on Fractions, listed below), and the
 * same bits for every cut and merge tree of the input. */
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

#include "tally/moments.h"

/* Adds one value the way the var op does: a short decimal exactly, else
 * its double. */
static void
add_text(struct tally_moments *m, const char *text)
{
    struct tally_slice s = tally_slice_cstr(text);
    struct tally_num num;
    assert_int_not_equal(tally_parse_number(s, &num), TALLY_NUM_NONE);
    int64_t mant;
    int scale;
    if (tally_exact_decimal(&num, s, &mant, &scale) && scale <= TALLY_MOMENTS_MAX_SCALE)
        tally_moments_add_decimal(m, mant, scale);
    else
        tally_moments_add_double(m, num.d);
}

static void
expect_bits(double got, double want, const char *what, const char *first)
{
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("%s of {%s, ...}: got %a (%.17g), want %a (%.17g)", what, first, got, got, want,
                 want);
}

struct exact_case {
    size_t n;
    const char *v[5];
    double var, stddev;
};

/* Each value's exact worth (a short decimal as
 * written, anything else as its double), statistics.variance on Fractions
 * rounded by float(), statistics._float_sqrt_of_frac for the deviation;
 * inf where the exact answer overflows. */
static const struct exact_case exact_cases[] = {
    {4,
     {"1", "2", "3", "4"},
     0x1.aaaaaaaaaaaabp+0,
     0x1.4a7e9cb8a3491p+0}, /* 1.6666666666666667 1.2909944487358056 */
    {3,
     {"0.1234567890123", "0.1234567890124", "0.1234567890125"},
     0x1.8c1cbf2aaaaabp-87,
     0x1.c25800061042ap-44}, /* 9.999280038850476e-27 9.999640012945704e-14 */
    {2,
     {"1e100", "3e100"},
     0x1.4e718d7d76259p+665,
     0x1.9dce3e3d94c83p+332}, /* 1.9999999999999996e+200 1.414213562373095e+100 */
    {3,
     {"1e-300", "-2e-300", "3e-300"},
     0x0.0p+0,
     0x1.af738adc9abd0p-996}, /* 0.0 2.5166114784235833e-300 */
    {2, {"1.7976931348623157e308", "-1.7976931348623157e308"}, INFINITY, INFINITY}, /* inf inf */
    {3, {"1e200", "1e200", "1e200"}, 0x0.0p+0, 0x0.0p+0},                           /* 0.0 0.0 */
    {3,
     {"1000000000.1", "1000000000.2", "1000000000.3"},
     0x1.47ae147ae147bp-7,
     0x1.999999999999ap-4}, /* 0.01 0.1 */
    {5,
     {"0.1", "1e-10", "12345.6789012345678", "-3", "2.5e-7"},
     0x1.d130d395c5dbdp+24,
     0x1.5917ad690deb5p+12}, /* 30486739.585050333 5521.479836515781 */
    {2, {"5e-324", "0"}, 0x0.0p+0, 0x0.0000000000001p-1022},     /* 0.0 5e-324 */
    {2, {"1e-200", "3e-200"}, 0x0.0p+0, 0x1.151f68876f410p-664}, /* 0.0 1.414213562373095e-200 */
    {2, {"1e154", "3e154"}, INFINITY, 0x1.0e0551a9edea2p+512},   /* inf 1.4142135623730953e+154 */
    {3,
     {"9223372036854775807", "-9223372036854775808", "0.000000001"},
     0x1.0000000000000p+126,
     0x1.0000000000000p+63}, /* 8.507059173023462e+37 9.223372036854776e+18 */
    {2,
     {"0.0000000001", "0.0000000003"},
     0x1.79ca10c924223p-66,
     0x1.36fd255a2213bp-33}, /* 2e-20 1.414213562373095e-10 */
    {4,
     {"3.14159265358979323846", "2.71828182845904523536", "1.41421356237309504880",
      "-0.57721566490153286060"},
     0x1.6589e8dfcf011p+1,
     0x1.abdadb05f4275p+0}, /* 2.793271168977306 1.6713082208190404 */
    {4,
     {"1e22", "1e-22", "-1e22", "7"},
     0x1.7ea5dcd14a70fp+145,
     0x1.ba9fa9b7b1dcfp+72}, /* 6.666666666666666e+43 8.16496580927726e+21 */
    {3,
     {"123456789012.123456789", "123456789012.123456788", "123456789012.123456787"},
     0x0.0p+0,
     0x0.0p+0}, /* 0.0 0.0 */
    {3,
     {"2.2250738585072014e-308", "-2.2250738585072014e-308", "4.9e-324"},
     0x0.0p+0,
     0x1.0000000000000p-1022}, /* 0.0 2.2250738585072014e-308 */
};

static void
test_moments_are_correctly_rounded_exact_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof exact_cases / sizeof exact_cases[0]; i++) {
        const struct exact_case *c = &exact_cases[i];
        struct tally_moments m;
        tally_moments_init(&m);
        for (size_t k = 0; k < c->n; k++)
            add_text(&m, c->v[k]);
        double var, sd;
        assert_true(tally_moments_var(&m, &var));
        assert_true(tally_moments_stddev(&m, &sd));
        expect_bits(var, c->var, "var", c->v[0]);
        expect_bits(sd, c->stddev, "stddev", c->v[0]);
        tally_moments_fini(&m);
    }
}

static void
test_moments_need_two_values_and_infinities_give_nan(void **state)
{
    (void)state;
    struct tally_moments m;
    double d = 7;
    tally_moments_init(&m);
    assert_false(tally_moments_var(&m, &d));
    add_text(&m, "1.5");
    assert_false(tally_moments_var(&m, &d));
    assert_false(tally_moments_stddev(&m, &d));
    assert_true(d == 7);
    add_text(&m, "1e400");
    assert_true(tally_moments_var(&m, &d));
    assert_true(isnan(d));
    assert_true(tally_moments_stddev(&m, &d));
    assert_true(isnan(d));
    tally_moments_fini(&m);
    /* Short decimals never allocate. */
    tally_moments_init(&m);
    add_text(&m, "0.123456789");
    add_text(&m, "-4");
    assert_null(m.bx);
    assert_null(m.bxx);
    add_text(&m, "0.1234567891");
    assert_non_null(m.bx);
    assert_non_null(m.bxx);
    /* Values of like magnitude keep the binary sums a few limbs wide. */
    for (int i = 0; i < 1000; i++)
        add_text(&m, i % 2 ? "0.12345678912345" : "-987.6543210987654");
    assert_true(m.bx->len <= 8);
    assert_true(m.bxx->len <= 10);
    tally_moments_fini(&m);
    assert_null(m.bx);
    assert_null(m.bxx);
}

static uint64_t
next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A value of one of many shapes: integers, short and long decimals, huge,
 * tiny and subnormal magnitudes, both signs. */
static void
random_value(uint64_t *seed, char *buf, size_t size)
{
    uint64_t r = next_rand(seed);
    const char *sign = r & 1 ? "-" : "";
    uint64_t d = next_rand(seed);
    switch ((r >> 1) % 8) {
    case 0:
        snprintf(buf, size, "%s%llu", sign, (unsigned long long)(d % 1000000));
        break;
    case 1:
        snprintf(buf, size, "%s%llu.%02llu", sign, (unsigned long long)(d % 10000),
                 (unsigned long long)(d >> 40) % 100);
        break;
    case 2: /* 15 to 19 digits, many of them decimals */
        snprintf(buf, size, "%s%llu.%016llu", sign, (unsigned long long)(d % 1000),
                 (unsigned long long)(next_rand(seed) % 10000000000000000u));
        break;
    case 3:
        snprintf(buf, size, "%s%llu.%016llue%d", sign, (unsigned long long)(d % 10),
                 (unsigned long long)(d >> 8) % 10000000000000000u, (int)((r >> 20) % 300));
        break;
    case 4:
        snprintf(buf, size, "%s%llu.%016llue-%d", sign, (unsigned long long)(d % 10),
                 (unsigned long long)(d >> 8) % 10000000000000000u, (int)((r >> 20) % 320));
        break;
    case 5:
        snprintf(buf, size, "%s%llue-330", sign, (unsigned long long)(d % 100000));
        break;
    case 6:
        snprintf(buf, size, "%s1000000.%09llu", sign, (unsigned long long)(d % 1000000000));
        break;
    default:
        snprintf(buf, size, "%s%lld", sign, (long long)(d >> 1)); /* beyond 2^53 */
        break;
    }
}

/* The state of vals[from, to) built from a random merge tree: each part is
 * one pass or the merge of its two halves, cut at random. */
static void
tree_state(struct tally_moments *m, char (*vals)[48], size_t from, size_t to, uint64_t *seed)
{
    tally_moments_init(m);
    if (to - from < 2 || next_rand(seed) % 4 == 0) {
        for (size_t i = from; i < to; i++)
            add_text(m, vals[i]);
        return;
    }
    size_t cut = from + next_rand(seed) % (to - from + 1);
    struct tally_moments right;
    tree_state(m, vals, from, cut, seed);
    tree_state(&right, vals, cut, to, seed);
    tally_moments_merge(m, &right);
    tally_moments_fini(&right);
}

static void
test_moments_are_the_same_bits_for_every_merge_tree(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    static char vals[300][48];
    for (int round = 0; round < 200; round++) {
        size_t n = 2 + next_rand(&seed) % 299;
        /* Some rounds use one or two shapes only, so the sums may cancel. */
        uint64_t shapes = round % 3 ? 0 : next_rand(&seed);
        for (size_t i = 0; i < n; i++) {
            uint64_t s = shapes ? shapes + (i & 1) : next_rand(&seed);
            random_value(&s, vals[i], sizeof vals[i]);
        }
        struct tally_moments one;
        tally_moments_init(&one);
        for (size_t i = 0; i < n; i++)
            add_text(&one, vals[i]);
        double var1, sd1;
        assert_true(tally_moments_var(&one, &var1));
        assert_true(tally_moments_stddev(&one, &sd1));
        for (int tree = 0; tree < 4; tree++) {
            struct tally_moments m;
            tree_state(&m, vals, 0, n, &seed);
            double var, sd;
            assert_true(tally_moments_var(&m, &var));
            assert_true(tally_moments_stddev(&m, &sd));
            expect_bits(var, var1, "merged var", vals[0]);
            expect_bits(sd, sd1, "merged stddev", vals[0]);
            tally_moments_fini(&m);
        }
        /* The deviation is the square root of the variance up to its two
         * roundings, and never negative. */
        assert_true(sd1 >= 0 && var1 >= 0);
        if (isfinite(var1) && var1 > DBL_MIN)
            assert_true(fabs(sd1 * sd1 - var1) <= 4 * DBL_EPSILON * var1);
        tally_moments_fini(&one);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments_are_correctly_rounded_exact_answers),
        cmocka_unit_test(test_moments_need_two_values_and_infinities_give_nan),
        cmocka_unit_test(test_moments_are_the_same_bits_for_every_merge_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
