/* The number reader's fast path for decimals: every value it reads is the
 * double strtod reads, bit for bit, over millions of random decimals of
 * every shape (signs, leading zeros, long mantissas, exponents). */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/slice.h"

static uint64_t rng_state = 0x853c49e6748fea9bu;

static uint64_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A random decimal literal by the SPEC's rule; returns its length. */
static size_t
random_decimal(char *buf)
{
    size_t n = 0;
    uint64_t r = rnd();
    if (r % 4 == 0)
        buf[n++] = '-';
    else if (r % 16 == 1)
        buf[n++] = '+';
    size_t nint = (size_t)(rnd() % 12), nfrac = (size_t)(rnd() % 14);
    if (rnd() % 8 == 0)
        nint += (size_t)(rnd() % 12); /* mantissas past 2^53 and 19 digits */
    bool dot = rnd() % 8 != 0;
    if (!dot)
        nfrac = 0;
    if (nint + nfrac == 0)
        nint = 1;
    size_t zeros = rnd() % 6 == 0 ? (size_t)(rnd() % 4) : 0;
    for (size_t i = 0; i < nint; i++)
        buf[n++] = i < zeros ? '0' : (char)('0' + rnd() % 10);
    if (dot)
        buf[n++] = '.';
    for (size_t i = 0; i < nfrac; i++)
        buf[n++] = (char)('0' + rnd() % 10);
    if (rnd() % 3 == 0) {
        buf[n++] = rnd() % 2 ? 'e' : 'E';
        if (rnd() % 2)
            buf[n++] = rnd() % 2 ? '-' : '+';
        n += (size_t)sprintf(buf + n, "%d", (int)(rnd() % (rnd() % 4 == 0 ? 400 : 30)));
    }
    buf[n] = '\0';
    return n;
}

static void
test_slice_number_decimals_read_exactly_as_strtod(void **state)
{
    (void)state;
    char buf[96];
    for (long i = 0; i < 3000000; i++) {
        size_t n = random_decimal(buf);
        struct tally_num got;
        enum tally_num_kind k = tally_parse_number((struct tally_slice){buf, n}, &got);
        if (k == TALLY_NUM_NONE)
            fail_msg("\"%s\" does not read as a number", buf);
        double want = strtod(buf, NULL);
        /* An integer is exact in i ("-0" is the integer 0); d is its value. */
        if (k == TALLY_NUM_INT ? (double)got.i != want : memcmp(&want, &got.d, sizeof want) != 0)
            fail_msg("\"%s\": %.17g, strtod %.17g", buf, got.d, want);
    }
}

static void
test_slice_number_fast_path_edges_match_strtod(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "0.1",
        "-0.0",
        "-0e5",
        "+0.000",
        "9007199254740992.5",
        "9007199254740993",
        "9007199254740993.0",
        "1e22",
        "1e23",
        "1.5e-22",
        "123456789012345678e-22",
        "1234567890123456789e5",
        "0.0000000000000000000000000000001",
        "00000000000000000000000000001.5",
        "4.9e-324",
        "1.7976931348623157e308",
        "1e-99999999999999999999",
        "2.2250738585072011e-308",
        "3.14159",
        "100.",
        ".5",
        "-.5e1",
        "12.5e+3",
        "99999999999999999999.0",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tally_num got;
        size_t n = strlen(cases[i]);
        assert_int_not_equal(tally_parse_number((struct tally_slice){cases[i], n}, &got),
                             TALLY_NUM_NONE);
        double want = strtod(cases[i], NULL);
        if (memcmp(&want, &got.d, sizeof want) != 0)
            fail_msg("\"%s\": %.17g, strtod %.17g", cases[i], got.d, want);
    }
}

static void
test_slice_number_keeps_integers_and_rejects_non_numbers(void **state)
{
    (void)state;
    struct tally_num n;
    assert_int_equal(tally_parse_number(TALLY_SLICE_LIT("42"), &n), TALLY_NUM_INT);
    assert_int_equal(n.i, 42);
    assert_int_equal(tally_parse_number(TALLY_SLICE_LIT("42.0"), &n), TALLY_NUM_REAL);
    assert_true(n.d == 42.0);
    assert_int_equal(tally_parse_number(TALLY_SLICE_LIT("1e"), &n), TALLY_NUM_NONE);
    assert_int_equal(tally_parse_number(TALLY_SLICE_LIT("."), &n), TALLY_NUM_NONE);
    assert_int_equal(tally_parse_number(TALLY_SLICE_LIT("1.2.3"), &n), TALLY_NUM_NONE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slice_number_decimals_read_exactly_as_strtod),
        cmocka_unit_test(test_slice_number_fast_path_edges_match_strtod),
        cmocka_unit_test(test_slice_number_keeps_integers_and_rejects_non_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
