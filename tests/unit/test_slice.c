/* Unit tests for slice.c: the SPEC's "reads as a number" rule, exact int64
 * limits, shortest round-trip printing, and the default value order. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/slice.h"

static enum tally_num_kind
kind_of(const char *s, struct tally_num *n)
{
    return tally_parse_number(tally_slice_cstr(s), n);
}

static void
test_slice_reads_decimal_literals_as_numbers(void **state)
{
    (void)state;
    struct tally_num n;
    assert_int_equal(kind_of("-12", &n), TALLY_NUM_INT);
    assert_true(n.i == -12 && n.d == -12.0);
    assert_int_equal(kind_of("+3", &n), TALLY_NUM_INT);
    assert_true(n.i == 3);
    assert_int_equal(kind_of("007", &n), TALLY_NUM_INT);
    assert_true(n.i == 7);
    assert_int_equal(kind_of("3.5", &n), TALLY_NUM_REAL);
    assert_true(n.d == 3.5);
    assert_int_equal(kind_of(".5", &n), TALLY_NUM_REAL);
    assert_true(n.d == 0.5);
    assert_int_equal(kind_of("5.", &n), TALLY_NUM_REAL);
    assert_true(n.d == 5.0);
    assert_int_equal(kind_of("1e-3", &n), TALLY_NUM_REAL);
    assert_true(n.d == 1e-3);
    assert_int_equal(kind_of("-2.5E+2", &n), TALLY_NUM_REAL);
    assert_true(n.d == -250.0);
    assert_int_equal(kind_of("5e-324", &n), TALLY_NUM_REAL);
    assert_true(n.d == 5e-324);
}

static void
test_slice_rejects_text_that_only_looks_numeric(void **state)
{
    (void)state;
    static const char *const bad[] = {"",    "0x10", "1,234", " 7",  "7 ", "inf",
                                      "nan", "NaN",  ".",     "-",   "+",  "e5",
                                      "1e",  "1e+",  "1.2.3", "--1", "1-", "\xd9\xa1"};
    struct tally_num n;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n.kind = TALLY_NUM_INT;
        assert_int_equal(kind_of(bad[i], &n), TALLY_NUM_NONE);
        assert_int_equal(n.kind, TALLY_NUM_NONE);
    }
    double d;
    assert_false(tally_parse_double(TALLY_SLICE_LIT("12abc"), &d));
    assert_true(tally_parse_double(TALLY_SLICE_LIT("12"), &d));
    assert_true(d == 12.0);
}

static void
test_slice_keeps_int64_limits_exact_and_goes_real_one_past(void **state)
{
    (void)state;
    struct tally_num n;
    assert_int_equal(kind_of("9223372036854775807", &n), TALLY_NUM_INT);
    assert_true(n.i == INT64_MAX);
    assert_int_equal(kind_of("-9223372036854775808", &n), TALLY_NUM_INT);
    assert_true(n.i == INT64_MIN);
    assert_int_equal(kind_of("9223372036854775808", &n), TALLY_NUM_REAL);
    assert_true(n.d == 9223372036854775808.0);
    assert_int_equal(kind_of("-9223372036854775809", &n), TALLY_NUM_REAL);
    assert_true(n.d == -9223372036854775808.0);
    assert_int_equal(kind_of("123456789012345678901234567890", &n), TALLY_NUM_REAL);
    assert_true(n.d == 1.2345678901234568e29);
}

static void
test_slice_reads_long_literals_beyond_the_stack_buffer(void **state)
{
    (void)state;
    char buf[200];
    memset(buf, '0', sizeof buf - 1);
    buf[0] = '1';
    buf[1] = '.';
    buf[sizeof buf - 2] = '5';
    buf[sizeof buf - 1] = '\0';
    struct tally_num n;
    assert_int_equal(kind_of(buf, &n), TALLY_NUM_REAL);
    assert_true(n.d == 1.0);
}

static void
expect_format(double v, const char *want)
{
    char buf[TALLY_NUMBUF];
    size_t len = tally_format_double(v, buf);
    assert_string_equal(buf, want);
    assert_int_equal(len, strlen(want));
}

static void
test_slice_prints_doubles_in_shortest_round_trip_form(void **state)
{
    (void)state;
    expect_format(0.1, "0.1");
    expect_format(0.1 + 0.2, "0.30000000000000004");
    expect_format(1.0 / 3.0, "0.3333333333333333");
    expect_format(2.0, "2");
    expect_format(-0.0, "-0");
    expect_format(0.0, "0");
    expect_format(1e21, "1e+21");
    expect_format(5e-324, "5e-324");
    expect_format(2.2250738585072014e-308, "2.2250738585072014e-308");
    expect_format(1.5e-320, "1.5e-320");
    expect_format(1.7976931348623157e308, "1.7976931348623157e+308");
    expect_format(123456789012345680.0, "1.2345678901234568e+17");
    expect_format(9007199254740993.0, "9007199254740992");
    expect_format(-2.5, "-2.5");
    expect_format(100.0, "100");
    expect_format(1e15, "1e+15");
    expect_format(123456.789, "123456.789");
    expect_format(1.0 / 0.0, "inf");
    expect_format(-1.0 / 0.0, "-inf");
}

static void
test_slice_printed_doubles_read_back_to_the_same_bits(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15u;
    char buf[TALLY_NUMBUF];
    for (int i = 0; i < 5000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        if (i % 2) {
            memcpy(&v, &x, sizeof v); /* any bit pattern */
            if (v != v || v - v != 0)
                continue; /* nan, inf */
        } else {
            v = (double)(x >> 11) / 9007199254740992.0 * 1000.0; /* ordinary magnitudes */
        }
        size_t len = tally_format_double(v, buf);
        assert_true(len < TALLY_NUMBUF);
        double back = strtod(buf, NULL);
        assert_memory_equal(&back, &v, sizeof v);
        struct tally_num n;
        assert_int_not_equal(tally_parse_number((struct tally_slice){buf, len}, &n),
                             TALLY_NUM_NONE);
    }
}

static void
test_slice_prints_int64_exactly(void **state)
{
    (void)state;
    char buf[TALLY_NUMBUF];
    assert_int_equal(tally_format_int(INT64_MIN, buf), 20);
    assert_string_equal(buf, "-9223372036854775808");
    tally_format_int(0, buf);
    assert_string_equal(buf, "0");
}

static void
test_slice_orders_empty_then_numbers_then_text(void **state)
{
    (void)state;
    static const char *const sorted[] = {"",    "-5", "-0.5", "0",  "9.5", "10",
                                         "1e2", "A",  "a",    "ab", "b"};
    size_t n = sizeof sorted / sizeof sorted[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int r = tally_value_order(tally_slice_cstr(sorted[i]), tally_slice_cstr(sorted[j]));
            int want = i < j ? -1 : i > j;
            assert_int_equal(r < 0 ? -1 : r > 0, want);
        }
    /* Numerically equal values fall back to bytes, so the order is total. */
    assert_true(tally_value_order(TALLY_SLICE_LIT("1.0"), TALLY_SLICE_LIT("1")) > 0);
}

static void
test_slice_compares_bytes_then_length(void **state)
{
    (void)state;
    assert_true(tally_slice_cmp(TALLY_SLICE_LIT("ab"), TALLY_SLICE_LIT("abc")) < 0);
    assert_true(tally_slice_cmp(TALLY_SLICE_LIT("b"), TALLY_SLICE_LIT("abc")) > 0);
    assert_true(tally_slice_cmp((struct tally_slice){NULL, 0}, TALLY_SLICE_LIT("")) == 0);
    assert_true(tally_slice_eq((struct tally_slice){NULL, 0}, TALLY_SLICE_LIT("")));
    assert_false(tally_slice_eq(TALLY_SLICE_LIT("a"), TALLY_SLICE_LIT("b")));
}

static void
expect_bucket(const char *value, const char *width, const char *want)
{
    struct tally_num n, w;
    if (tally_parse_number(tally_slice_cstr(value), &n) == TALLY_NUM_NONE ||
        tally_parse_number(tally_slice_cstr(width), &w) == TALLY_NUM_NONE)
        fail_msg("\"%s\" or \"%s\" is not a number", value, width);
    char buf[TALLY_NUMBUF];
    size_t len = tally_num_bucket(&n, &w, buf);
    if (strcmp(buf, want) != 0)
        fail_msg("%s / %s: got %s, want %s", value, width, buf, want);
    assert_int_equal(len, strlen(want));
}

static void
test_slice_numeric_buckets_floor_exactly_at_the_int64_limits(void **state)
{
    (void)state;
    expect_bucket("7", "3", "6");
    expect_bucket("-7", "3", "-9");
    expect_bucket("-6", "3", "-6");
    expect_bucket("0", "100", "0");
    expect_bucket("-1", "100", "-100");
    /* floor(v / 3) * 3 below INT64_MIN needs more than 64 bits. */
    expect_bucket("-9223372036854775808", "3", "-9223372036854775809");
    expect_bucket("-9223372036854775807", "3", "-9223372036854775809");
    expect_bucket("-9223372036854775806", "3", "-9223372036854775806");
    expect_bucket("-9223372036854775808", "2", "-9223372036854775808");
    expect_bucket("-9223372036854775808", "9007199254740992", "-9223372036854775808");
    expect_bucket("-9223372036854775807", "9007199254740992", "-9223372036854775808");
    expect_bucket("-9223372036854775808", "9007199254740991", "-9232379236109515775");
    expect_bucket("9223372036854775807", "3", "9223372036854775806");
    expect_bucket("9223372036854775807", "1", "9223372036854775807");
}

static void
test_slice_numeric_buckets_of_decimals_are_exact(void **state)
{
    (void)state;
    /* In doubles 0.7 / 0.1 is 6.999999999999999: bucket 0.6000000000000001. */
    expect_bucket("0.7", "0.1", "0.7");
    expect_bucket("0.3", "0.1", "0.3");
    expect_bucket("0.69", "0.1", "0.6");
    expect_bucket("2.675", "0.1", "2.6");
    expect_bucket("-0.1", "0.1", "-0.1");
    expect_bucket("-0.05", "0.1", "-0.1");
    expect_bucket("0.05", "0.1", "0");
    expect_bucket("12.5", "2.5", "12.5");
    expect_bucket("12.49", "2.5", "10");
    expect_bucket("7", "0.25", "7");
    expect_bucket("-7", "2.5", "-7.5");
    expect_bucket("1.000", "0.50", "1");
    expect_bucket("0.000000000000000003", "0.000000000000000002", "0.000000000000000002");
    expect_bucket("-9223372036854775808", "0.000000000000000003",
                  "-9223372036854775808.000000000000000001");
    /* With an exponent, or more digits than fit: doubles. */
    expect_bucket("7e-1", "0.1", "0.6000000000000001");
    expect_bucket("0.7", "1e-1", "0.6000000000000001");
}

static void
test_slice_numeric_buckets_of_reals_never_print_minus_zero(void **state)
{
    (void)state;
    expect_bucket("12.5", "5", "10");
    expect_bucket("-0.5", "3", "-3");
    expect_bucket("0.05", "0.1", "0");
    expect_bucket("-0", "3", "0");
    expect_bucket("-0.0", "0.5", "0");
    expect_bucket("1e300", "1e299", "1e+300");
    /* The quotient underflows to -0: still the bucket below zero. */
    expect_bucket("-1e-300", "1e299", "-1e+299");
    /* The quotient overflows: the value is its own start. */
    expect_bucket("1e300", "1e-300", "1e+300");
    expect_bucket("1e300", "0.000000000000000001", "1e+300");
    expect_bucket("-1e300", "1e-300", "-1e+300");
}

static void
expect_digits(double v, int digits, const char *want)
{
    char buf[TALLY_NUMBUF];
    size_t len = tally_format_double_digits(v, digits, buf);
    if (strcmp(buf, want) != 0)
        fail_msg("%.17g at %d digits: got %s, want %s", v, digits, buf, want);
    assert_int_equal(len, strlen(want));
}

static void
test_slice_rounds_for_people_to_significant_digits(void **state)
{
    (void)state;
    expect_digits(2.1074200000000003, 6, "2.10742");
    expect_digits(448.6585999999972, 6, "448.659");
    expect_digits(0.1 + 0.2, 6, "0.3");
    expect_digits(2.5, 6, "2.5");
    expect_digits(-1.0 / 3, 6, "-0.333333");
    expect_digits(1.0 / 3, 1, "0.3");
    expect_digits(2.0 / 3, 1, "0.7");
    /* Rounding up to the next power of ten drops the digit it made. */
    expect_digits(9.9999996, 6, "10");
    expect_digits(999999.6, 6, "1000000");
    expect_digits(0.000999999999, 6, "0.001");
}

static void
test_slice_rounding_for_people_keeps_integer_digits_and_avoids_exponents(void **state)
{
    (void)state;
    expect_digits(123456789.25, 6, "123456789");
    expect_digits(123456789.75, 6, "123456790");
    expect_digits(-98765432.1, 3, "-98765432");
    expect_digits(1e16, 6, "10000000000000000");
    expect_digits(12345678901234567.0, 6, "12345678901234568");
    expect_digits(0.0001234567, 6, "0.000123457");
    /* Exponents only where %g would use them at the small end, and from 1e17. */
    expect_digits(0.00001234567, 6, "1.23457e-05");
    expect_digits(1e17, 6, "1e+17");
    expect_digits(1.8446744073709552e19, 6, "1.84467e+19");
    expect_digits(-5e-324, 6, "-4.94066e-324");
    /* Zero and non-finite values print as the round-trip form does. */
    expect_digits(0.0, 6, "0");
    expect_digits(-0.0, 6, "-0");
    expect_digits(INFINITY, 6, "inf");
    expect_digits(-INFINITY, 6, "-inf");
    expect_digits(NAN, 6, "nan");
}

static void
test_slice_rounding_for_people_stops_at_the_round_trip_digits(void **state)
{
    (void)state;
    /* 17 digits of 0.1 would be 0.10000000000000001: noise, not precision. */
    expect_digits(0.1, 17, "0.1");
    expect_digits(0.1, 16, "0.1");
    expect_digits(2.1074200000000003, 17, "2.1074200000000003");
    expect_digits(2.1074200000000003, 16, "2.10742");
    expect_digits(61728618.9543, 17, "61728618.9543");
    expect_digits(1.0 / 3, 17, "0.3333333333333333");
    /* Out-of-range digit counts are clamped, never read past the buffer. */
    expect_digits(1.0 / 3, 0, "0.3");
    expect_digits(1.0 / 3, 99, "0.3333333333333333");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slice_reads_decimal_literals_as_numbers),
        cmocka_unit_test(test_slice_rejects_text_that_only_looks_numeric),
        cmocka_unit_test(test_slice_keeps_int64_limits_exact_and_goes_real_one_past),
        cmocka_unit_test(test_slice_reads_long_literals_beyond_the_stack_buffer),
        cmocka_unit_test(test_slice_prints_doubles_in_shortest_round_trip_form),
        cmocka_unit_test(test_slice_printed_doubles_read_back_to_the_same_bits),
        cmocka_unit_test(test_slice_prints_int64_exactly),
        cmocka_unit_test(test_slice_orders_empty_then_numbers_then_text),
        cmocka_unit_test(test_slice_compares_bytes_then_length),
        cmocka_unit_test(test_slice_numeric_buckets_floor_exactly_at_the_int64_limits),
        cmocka_unit_test(test_slice_numeric_buckets_of_decimals_are_exact),
        cmocka_unit_test(test_slice_numeric_buckets_of_reals_never_print_minus_zero),
        cmocka_unit_test(test_slice_rounds_for_people_to_significant_digits),
        cmocka_unit_test(test_slice_rounding_for_people_keeps_integer_digits_and_avoids_exponents),
        cmocka_unit_test(test_slice_rounding_for_people_stops_at_the_round_trip_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
