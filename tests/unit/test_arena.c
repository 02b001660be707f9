/* Unit tests for arena.c and xalloc.c: alignment, allocations larger than a
 * block, reset keeping one block, strndup, and xgrow's doubling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/arena.h"
#include "tally/xalloc.h"

static void
test_arena_allocations_are_8_byte_aligned_and_disjoint(void **state)
{
    (void)state;
    struct tally_arena a;
    tally_arena_init(&a, 64);
    unsigned char *prev = NULL;
    size_t prev_n = 0;
    for (size_t n = 0; n < 200; n++) {
        unsigned char *p = tally_arena_alloc(&a, n % 13);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 8, 0);
        memset(p, (int)n, n % 13); /* ASan checks the bytes are ours */
        if (prev && prev_n)
            assert_true(p + (n % 13) <= prev || p >= prev + prev_n);
        prev = p;
        prev_n = n % 13;
    }
    tally_arena_fini(&a);
    assert_null(a.head);
}

static void
test_arena_counts_rounded_bytes(void **state)
{
    (void)state;
    struct tally_arena a;
    tally_arena_init(&a, 0); /* default block size */
    assert_true(a.block_size > 0);
    tally_arena_alloc(&a, 1);
    tally_arena_alloc(&a, 9);
    assert_int_equal(a.used, 8 + 16);
    tally_arena_fini(&a);
    assert_int_equal(a.used, 0);
}

static void
test_arena_large_allocation_gets_its_own_block_and_keeps_others(void **state)
{
    (void)state;
    struct tally_arena a;
    tally_arena_init(&a, 32);
    char *small = tally_arena_strndup(&a, "kept", 4);
    size_t big_n = 100000;
    unsigned char *big = tally_arena_alloc(&a, big_n);
    memset(big, 0xab, big_n);
    assert_int_equal((uintptr_t)big % 8, 0);
    char *after = tally_arena_strndup(&a, "after", 5);
    assert_string_equal(small, "kept"); /* blocks never move */
    assert_string_equal(after, "after");
    assert_int_equal(big[0], 0xab);
    assert_int_equal(big[big_n - 1], 0xab);
    tally_arena_fini(&a);
}

static void
test_arena_reset_keeps_one_block_for_reuse(void **state)
{
    (void)state;
    struct tally_arena a;
    tally_arena_init(&a, 64);
    void *first = tally_arena_alloc(&a, 40);
    for (int i = 0; i < 100; i++)
        tally_arena_alloc(&a, 40);
    tally_arena_reset(&a);
    assert_non_null(a.head);
    assert_int_equal(a.used, 0);
    /* The first block is kept and serves the next allocation from its start. */
    assert_ptr_equal(tally_arena_alloc(&a, 8), first);
    struct tally_arena_block *kept = a.head;
    tally_arena_reset(&a);
    assert_ptr_equal(a.head, kept);
    assert_ptr_equal(tally_arena_alloc(&a, 40), first);
    tally_arena_fini(&a);

    struct tally_arena empty;
    tally_arena_init(&empty, 16);
    tally_arena_reset(&empty); /* nothing allocated yet */
    assert_null(empty.head);
    tally_arena_fini(&empty);
}

static void
test_arena_strndup_copies_and_terminates(void **state)
{
    (void)state;
    struct tally_arena a;
    tally_arena_init(&a, 16);
    const char src[] = "hello, world";
    char *s = tally_arena_strndup(&a, src, 5);
    assert_string_equal(s, "hello");
    char *e = tally_arena_strndup(&a, NULL, 0);
    assert_string_equal(e, "");
    char *nul = tally_arena_strndup(&a, "a\0b", 3);
    assert_memory_equal(nul, "a\0b\0", 4);
    assert_ptr_not_equal(s, src);
    tally_arena_fini(&a);
}

static void
test_xgrow_doubles_from_eight(void **state)
{
    (void)state;
    int *v = NULL;
    size_t cap = 0;
    tally_xgrow((void **)&v, &cap, 1, sizeof *v);
    assert_int_equal(cap, 8);
    assert_non_null(v);
    for (int i = 0; i < 8; i++)
        v[i] = i;
    void *before = v;
    tally_xgrow((void **)&v, &cap, 8, sizeof *v); /* already fits: untouched */
    assert_int_equal(cap, 8);
    assert_ptr_equal(v, before);
    tally_xgrow((void **)&v, &cap, 9, sizeof *v);
    assert_int_equal(cap, 16);
    tally_xgrow((void **)&v, &cap, 100, sizeof *v);
    assert_int_equal(cap, 128);
    for (int i = 0; i < 8; i++)
        assert_int_equal(v[i], i); /* contents survive */
    v[127] = 1;
    free(v);

    size_t c3 = 3;
    char *p = tally_xmalloc(3);
    tally_xgrow((void **)&p, &c3, 4, 1);
    assert_int_equal(c3, 6);
    free(p);
}

static void
test_xalloc_wrappers_return_usable_memory(void **state)
{
    (void)state;
    char *z = tally_xcalloc(10, 4);
    for (int i = 0; i < 40; i++)
        assert_int_equal(z[i], 0);
    z = tally_xrealloc(z, 100);
    z[99] = 1;
    free(z);
    void *zero = tally_xmalloc(0); /* never NULL, even for 0 bytes */
    assert_non_null(zero);
    free(zero);
    void *zc = tally_xcalloc(0, 0);
    assert_non_null(zc);
    free(zc);
    char *s = tally_xstrdup("abc");
    assert_string_equal(s, "abc");
    free(s);
    s = tally_xstrndup("abcdef", 2);
    assert_string_equal(s, "ab");
    free(s);
    s = tally_xstrndup("a\0c", 3);
    assert_memory_equal(s, "a\0c\0", 4);
    free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_allocations_are_8_byte_aligned_and_disjoint),
        cmocka_unit_test(test_arena_counts_rounded_bytes),
        cmocka_unit_test(test_arena_large_allocation_gets_its_own_block_and_keeps_others),
        cmocka_unit_test(test_arena_reset_keeps_one_block_for_reuse),
        cmocka_unit_test(test_arena_strndup_copies_and_terminates),
        cmocka_unit_test(test_xgrow_doubles_from_eight),
        cmocka_unit_test(test_xalloc_wrappers_return_usable_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
