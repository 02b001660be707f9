/* Unit tests for numcache: a column's number is converted once per row,
 * whoever asks, and is stale at the next row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tally/numcache.h"

static void
test_numcache_converts_a_column_once_per_row(void **state)
{
    (void)state;
    struct tally_numcache c = {0};
    tally_numcache_size(&c, 3);
    tally_numcache_next_row(&c);
    const struct tally_num *a = tally_numcache_get(&c, 1, tally_slice_cstr("42"));
    assert_int_equal(a->kind, TALLY_NUM_INT);
    assert_int_equal(a->i, 42);
    /* The same row: the text is not read again (a filter and an aggregate
     * asking for the same column get the one conversion). */
    const struct tally_num *b = tally_numcache_get(&c, 1, tally_slice_cstr("7"));
    assert_ptr_equal(a, b);
    assert_int_equal(b->i, 42);
    tally_numcache_next_row(&c);
    b = tally_numcache_get(&c, 1, tally_slice_cstr("7"));
    assert_int_equal(b->i, 7);
    tally_numcache_fini(&c);
}

static void
test_numcache_fresh_slots_are_stale(void **state)
{
    (void)state;
    struct tally_numcache c = {0};
    tally_numcache_size(&c, 2);
    const struct tally_num *n = tally_numcache_get(&c, 0, tally_slice_cstr("x"));
    assert_int_equal(n->kind, TALLY_NUM_NONE);
    tally_numcache_size(&c, 2);
    n = tally_numcache_get(&c, 0, tally_slice_cstr("2.5"));
    assert_int_equal(n->kind, TALLY_NUM_REAL);
    tally_numcache_fini(&c);
}

static void
test_numcache_column_past_its_size_is_converted_uncached(void **state)
{
    (void)state;
    struct tally_numcache c = {0};
    tally_numcache_next_row(&c);
    assert_int_equal(tally_numcache_get(&c, 5, tally_slice_cstr("3"))->i, 3);
    assert_int_equal(tally_numcache_get(&c, 5, tally_slice_cstr("4"))->i, 4);
    tally_numcache_fini(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numcache_converts_a_column_once_per_row),
        cmocka_unit_test(test_numcache_fresh_slots_are_stale),
        cmocka_unit_test(test_numcache_column_past_its_size_is_converted_uncached),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
