/* Unit tests for value.c: the one order of values, over text and computed
 * values alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tally/value.h"

static struct tally_value
text(const char *s)
{
    return (struct tally_value){.kind = TALLY_VAL_TEXT, .s = tally_slice_cstr(s)};
}

/* Every pair of v[0..n) compares as their places do: v is in order and
 * holds no two equal values. */
static void
assert_in_order(const struct tally_value *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = tally_value_cmp(&v[i], &v[j]);
            assert_true(i < j ? c < 0 : i > j ? c > 0 : c == 0);
        }
}

static void
test_value_order_is_empty_numbers_then_text(void **state)
{
    (void)state;
    struct tally_value in_order[] = {
        {.kind = TALLY_VAL_EMPTY},
        text("-2"),
        {.kind = TALLY_VAL_REAL, .d = -1.5},
        text("01"),
        text("1"),
        text("1.0"),
        {.kind = TALLY_VAL_INT, .i = 2},
        text("1e3"),
        text("B"),
        text("a"),
    };
    assert_in_order(in_order, sizeof in_order / sizeof *in_order);
}

static void
test_value_order_empty_text_is_the_empty_value(void **state)
{
    (void)state;
    struct tally_value e = {.kind = TALLY_VAL_EMPTY}, t = text("");
    assert_int_equal(tally_value_cmp(&e, &t), 0);
}

static void
test_value_order_computed_equal_numbers_are_equal(void **state)
{
    (void)state;
    struct tally_value i = {.kind = TALLY_VAL_INT, .i = 3}, r = {.kind = TALLY_VAL_REAL, .d = 3.0};
    assert_int_equal(tally_value_cmp(&i, &r), 0);
}

static void
test_value_order_of_slices_is_the_same_order(void **state)
{
    (void)state;
    assert_true(tally_value_order(tally_slice_cstr("10"), tally_slice_cstr("9")) > 0);
    assert_true(tally_value_order(tally_slice_cstr("x"), tally_slice_cstr("9")) > 0);
    assert_true(tally_value_order(tally_slice_cstr(""), tally_slice_cstr("-9")) < 0);
}

static void
test_value_order_is_exact_where_doubles_tie(void **state)
{
    (void)state;
    /* Each pair rounds to one double (or is an integer past 2^53 against
     * one): the order is that of the numbers as written. */
    struct tally_value in_order[] = {
        text("-9223372036854775809"),
        text("-9223372036854775806"),
        text("-1e-400"),
        text("-0"),
        text("0.0"),
        text("1e-400"),
        text("9007199254740992"),
        text("9007199254740992.5"),
        text("9007199254740993"),
        text("9007199254740993.0"),
        text("90071992547409931e-1"),
        text("9007199254740994"),
        text("1e400"),
        text("10e400"),
    };
    assert_in_order(in_order, sizeof in_order / sizeof *in_order);
}

static void
test_value_order_of_computed_numbers_is_exact_and_nan_last(void **state)
{
    (void)state;
    struct tally_value in_order[] = {
        {.kind = TALLY_VAL_REAL, .d = -9223372036854775808.0 * 2},
        {.kind = TALLY_VAL_INT, .i = INT64_MIN},
        {.kind = TALLY_VAL_REAL, .d = 9007199254740992.0},
        {.kind = TALLY_VAL_INT, .i = 9007199254740993},
        {.kind = TALLY_VAL_REAL, .d = 9007199254740994.0},
        {.kind = TALLY_VAL_INT, .i = INT64_MAX},
        {.kind = TALLY_VAL_REAL, .d = 9223372036854775808.0},
        {.kind = TALLY_VAL_REAL, .d = __builtin_nan("")},
    };
    assert_in_order(in_order, sizeof in_order / sizeof *in_order);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_order_is_empty_numbers_then_text),
        cmocka_unit_test(test_value_order_is_exact_where_doubles_tie),
        cmocka_unit_test(test_value_order_of_computed_numbers_is_exact_and_nan_last),
        cmocka_unit_test(test_value_order_empty_text_is_the_empty_value),
        cmocka_unit_test(test_value_order_computed_equal_numbers_are_equal),
        cmocka_unit_test(test_value_order_of_slices_is_the_same_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
