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
    size_t n = sizeof in_order / sizeof *in_order;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = tally_value_cmp(&in_order[i], &in_order[j]);
            assert_true(i < j ? c < 0 : i > j ? c > 0 : c == 0);
        }
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_order_is_empty_numbers_then_text),
        cmocka_unit_test(test_value_order_empty_text_is_the_empty_value),
        cmocka_unit_test(test_value_order_computed_equal_numbers_are_equal),
        cmocka_unit_test(test_value_order_of_slices_is_the_same_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
