/* Unit tests for group.c: interning key tuples, growth, accumulator blocks,
 * merging tables in input order, and the SPEC's default group order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/group.h"
#include "tally/slice.h"

static struct tally_group_table *
new_table(uint32_t nkeys, size_t acc_size)
{
    struct tally_group_table *t = NULL;
    assert_int_equal(tally_group_table_new(&t, nkeys, acc_size), 0);
    assert_non_null(t);
    return t;
}

static uint32_t
intern1(struct tally_group_table *t, const char *key, bool *is_new)
{
    struct tally_slice k = tally_slice_cstr(key);
    return tally_group_table_intern(t, &k, is_new);
}

static uint32_t
intern2(struct tally_group_table *t, const char *a, const char *b, bool *is_new)
{
    struct tally_slice k[2] = {tally_slice_cstr(a), tally_slice_cstr(b)};
    return tally_group_table_intern(t, k, is_new);
}

static void
test_group_interns_keys_to_dense_first_seen_ids(void **state)
{
    (void)state;
    struct tally_group_table *t = new_table(1, 8);
    bool is_new;
    assert_int_equal(intern1(t, "b", &is_new), 0);
    assert_true(is_new);
    assert_int_equal(intern1(t, "a", &is_new), 1);
    assert_true(is_new);
    assert_int_equal(intern1(t, "b", &is_new), 0);
    assert_false(is_new);
    assert_int_equal(intern1(t, "", &is_new), 2);
    assert_true(is_new);
    assert_int_equal(intern1(t, "", &is_new), 2);
    assert_false(is_new);
    assert_int_equal(tally_group_table_size(t), 3);
    assert_true(tally_slice_eq(tally_group_table_keys(t, 1)[0], TALLY_SLICE_LIT("a")));
    assert_int_equal(tally_group_table_keys(t, 2)[0].len, 0);
    tally_group_table_free(t);
    tally_group_table_free(NULL);
}

static void
test_group_copies_key_bytes_on_first_sight(void **state)
{
    (void)state;
    struct tally_group_table *t = new_table(1, 0);
    char buf[16];
    strcpy(buf, "hello");
    bool is_new;
    uint32_t id = intern1(t, buf, &is_new);
    memset(buf, 'x', 5); /* the caller's buffer is reused for the next row */
    const struct tally_slice *k = tally_group_table_keys(t, id);
    assert_true(tally_slice_eq(k[0], TALLY_SLICE_LIT("hello")));
    assert_int_equal(intern1(t, "hello", &is_new), id);
    assert_false(is_new);
    tally_group_table_free(t);
}

static void
test_group_tells_apart_tuples_that_differ_only_in_the_split(void **state)
{
    (void)state;
    struct tally_group_table *t = new_table(2, 0);
    bool is_new;
    uint32_t a = intern2(t, "a", "bc", &is_new);
    uint32_t b = intern2(t, "ab", "c", &is_new);
    assert_true(is_new);
    uint32_t c = intern2(t, "abc", "", &is_new);
    assert_true(is_new);
    uint32_t d = intern2(t, "", "abc", &is_new);
    assert_true(is_new);
    assert_int_equal(tally_group_table_size(t), 4);
    assert_true(a != b && b != c && c != d);
    assert_int_equal(intern2(t, "ab", "c", &is_new), b);
    assert_false(is_new);
    const struct tally_slice *k = tally_group_table_keys(t, b);
    assert_true(tally_slice_eq(k[0], TALLY_SLICE_LIT("ab")));
    assert_true(tally_slice_eq(k[1], TALLY_SLICE_LIT("c")));
    tally_group_table_free(t);
}

static void
test_group_without_keys_has_one_group(void **state)
{
    (void)state;
    struct tally_group_table *t = new_table(0, 16);
    bool is_new;
    assert_int_equal(tally_group_table_intern(t, NULL, &is_new), 0);
    assert_true(is_new);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(tally_group_table_intern(t, NULL, &is_new), 0);
        assert_false(is_new);
    }
    assert_int_equal(tally_group_table_size(t), 1);
    assert_non_null(tally_group_table_acc(t, 0));
    uint32_t order[1];
    tally_group_table_order(t, order);
    assert_int_equal(order[0], 0);
    tally_group_table_free(t);
}

static void
test_group_grows_to_many_groups_keeping_ids_and_accumulators(void **state)
{
    (void)state;
    const uint32_t n = 200000;
    struct tally_group_table *t = new_table(2, 12); /* rounded up to 16 internally */
    char a[32], b[32];
    bool is_new;
    for (uint32_t i = 0; i < n; i++) {
        snprintf(a, sizeof a, "k%u", i % 1000);
        snprintf(b, sizeof b, "%u", i / 1000);
        assert_int_equal(intern2(t, a, b, &is_new), i);
        assert_true(is_new);
        int64_t *acc = tally_group_table_acc(t, i);
        assert_int_equal((uintptr_t)acc % 8, 0);
        acc[0] = (int64_t)i * 3;
    }
    assert_int_equal(tally_group_table_size(t), n);
    for (uint32_t i = 0; i < n; i += 7) {
        snprintf(a, sizeof a, "k%u", i % 1000);
        snprintf(b, sizeof b, "%u", i / 1000);
        assert_int_equal(intern2(t, a, b, &is_new), i);
        assert_false(is_new);
        assert_true(((int64_t *)tally_group_table_acc(t, i))[0] == (int64_t)i * 3);
    }
    tally_group_table_free(t);
}

static void
add_counts(void *ctx, void *dst_acc, void *src_acc)
{
    (*(int *)ctx)++;
    *(int64_t *)dst_acc += *(int64_t *)src_acc;
}

/* Counts rows per key over keys[from..to) into a fresh table. */
static struct tally_group_table *
count_rows(const char *const *keys, size_t from, size_t to)
{
    struct tally_group_table *t = new_table(1, 8);
    for (size_t i = from; i < to; i++) {
        bool is_new;
        uint32_t id = intern1(t, keys[i], &is_new);
        int64_t *acc = tally_group_table_acc(t, id);
        if (is_new)
            *acc = 0;
        (*acc)++;
    }
    return t;
}

static void
test_group_merge_in_input_order_equals_one_pass(void **state)
{
    (void)state;
    static const char *const keys[] = {"x", "y", "x", "z", "", "y", "w", "x", "v", "z", "u"};
    size_t n = sizeof keys / sizeof keys[0];
    struct tally_group_table *whole = count_rows(keys, 0, n);
    for (size_t cut1 = 0; cut1 <= n; cut1++)
        for (size_t cut2 = cut1; cut2 <= n; cut2++) {
            struct tally_group_table *dst = count_rows(keys, 0, cut1);
            struct tally_group_table *mid = count_rows(keys, cut1, cut2);
            struct tally_group_table *end = count_rows(keys, cut2, n);
            int calls = 0;
            tally_group_table_merge(dst, mid, add_counts, &calls);
            tally_group_table_merge(dst, end, add_counts, &calls);
            tally_group_table_free(mid);
            tally_group_table_free(end);
            assert_int_equal(tally_group_table_size(dst), tally_group_table_size(whole));
            for (uint32_t id = 0; id < tally_group_table_size(whole); id++) {
                /* Same ids in the same first-seen order, same counts. */
                assert_true(tally_slice_eq(tally_group_table_keys(dst, id)[0],
                                           tally_group_table_keys(whole, id)[0]));
                assert_true(*(int64_t *)tally_group_table_acc(dst, id) ==
                            *(int64_t *)tally_group_table_acc(whole, id));
            }
            tally_group_table_free(dst);
        }
    tally_group_table_free(whole);
}

static void
test_group_merge_calls_back_only_for_shared_groups(void **state)
{
    (void)state;
    static const char *const a[] = {"p", "q"}, *const b[] = {"q", "r", "s", "r"};
    struct tally_group_table *dst = count_rows(a, 0, 2);
    struct tally_group_table *src = count_rows(b, 0, 4);
    int calls = 0;
    tally_group_table_merge(dst, src, add_counts, &calls);
    tally_group_table_free(src);
    assert_int_equal(calls, 1);
    assert_int_equal(tally_group_table_size(dst), 4);
    static const char *const want[] = {"p", "q", "r", "s"};
    static const int64_t counts[] = {1, 2, 2, 1};
    for (uint32_t id = 0; id < 4; id++) {
        assert_true(tally_slice_eq(tally_group_table_keys(dst, id)[0], tally_slice_cstr(want[id])));
        assert_true(*(int64_t *)tally_group_table_acc(dst, id) == counts[id]);
    }
    /* Merged-in keys outlive the source table. */
    bool is_new;
    assert_int_equal(intern1(dst, "s", &is_new), 3);
    assert_false(is_new);
    tally_group_table_free(dst);
}

static void
test_group_merge_of_many_groups_grows_the_destination(void **state)
{
    (void)state;
    struct tally_group_table *dst = new_table(1, 8), *src = new_table(1, 8);
    char k[16];
    bool is_new;
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "%d", i);
        struct tally_group_table *t = i % 2 ? src : dst;
        *(int64_t *)tally_group_table_acc(t, intern1(t, k, &is_new)) = i;
        if (i % 3 == 0) /* some keys in both */
            *(int64_t *)tally_group_table_acc(src, intern1(src, k, &is_new)) = 1;
    }
    int calls = 0;
    tally_group_table_merge(dst, src, add_counts, &calls);
    tally_group_table_free(src);
    assert_int_equal(tally_group_table_size(dst), 5000);
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "%d", i);
        /* odd multiples of 3 were overwritten with 1 in src itself */
        int64_t want = i % 3 ? i : i % 2 ? 1 : i + 1;
        uint32_t id = intern1(dst, k, &is_new);
        assert_false(is_new);
        assert_true(*(int64_t *)tally_group_table_acc(dst, id) == want);
    }
    assert_int_equal(calls, 834); /* even multiples of 3 below 5000 */
    tally_group_table_free(dst);
}

static void
test_group_orders_empty_then_numbers_then_text(void **state)
{
    (void)state;
    static const char *const keys[] = {"b", "10",   "",     "9.5", "-5", "a",   "1e1",
                                       "B", "-0.5", "10.0", "ab",  "9",  "1,5", " 7"};
    static const char *const sorted[] = {"",    "-5", "-0.5", "9", "9.5", "10", "10.0",
                                         "1e1", " 7", "1,5",  "B", "a",   "ab", "b"};
    size_t n = sizeof keys / sizeof keys[0];
    struct tally_group_table *t = new_table(1, 0);
    bool is_new;
    for (size_t i = 0; i < n; i++)
        intern1(t, keys[i], &is_new);
    uint32_t order[sizeof keys / sizeof keys[0]];
    tally_group_table_order(t, order);
    for (size_t i = 0; i < n; i++)
        assert_true(
            tally_slice_eq(tally_group_table_keys(t, order[i])[0], tally_slice_cstr(sorted[i])));
    tally_group_table_free(t);
}

static void
test_group_orders_key_by_key(void **state)
{
    (void)state;
    struct tally_group_table *t = new_table(2, 0);
    bool is_new;
    intern2(t, "b", "2", &is_new);
    intern2(t, "a", "10", &is_new);
    intern2(t, "b", "", &is_new);
    intern2(t, "a", "9", &is_new);
    intern2(t, "a", "x", &is_new);
    uint32_t order[5];
    tally_group_table_order(t, order);
    static const uint32_t want[] = {3, 1, 4, 2, 0}; /* a/9 a/10 a/x b/ b/2 */
    assert_memory_equal(order, want, sizeof want);
    tally_group_table_free(t);
}

static int
cmp_by_value_order(const void *a, const void *b)
{
    return tally_value_order(*(const struct tally_slice *)a, *(const struct tally_slice *)b);
}

static void
test_group_order_of_many_groups_agrees_with_tally_value_order(void **state)
{
    (void)state;
    const uint32_t n = 100000;
    struct tally_group_table *t = new_table(1, 0);
    struct tally_slice *ref = malloc(n * sizeof *ref);
    assert_non_null(ref);
    uint64_t x = 88172645463325252u;
    char k[32];
    uint32_t made = 0;
    for (uint32_t i = 0; made < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        switch (x % 4) {
        case 0:
            snprintf(k, sizeof k, "%lld", (long long)(x >> 20) % 2000000 - 1000000);
            break;
        case 1:
            snprintf(k, sizeof k, "%.3f", (double)(x >> 24) / 1e6 - 5e3);
            break;
        case 2:
            snprintf(k, sizeof k, "u%llx", (unsigned long long)(x >> 30));
            break;
        default:
            snprintf(k, sizeof k, "%llu", (unsigned long long)x); /* beyond int64 too */
        }
        bool is_new;
        uint32_t id = intern1(t, k, &is_new);
        if (is_new)
            ref[made++] = tally_group_table_keys(t, id)[0];
    }
    uint32_t *order = malloc(n * sizeof *order);
    assert_non_null(order);
    tally_group_table_order(t, order);
    qsort(ref, n, sizeof *ref, cmp_by_value_order);
    for (uint32_t i = 0; i < n; i++)
        assert_true(tally_slice_eq(tally_group_table_keys(t, order[i])[0], ref[i]));
    free(order);
    free(ref);
    tally_group_table_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_interns_keys_to_dense_first_seen_ids),
        cmocka_unit_test(test_group_copies_key_bytes_on_first_sight),
        cmocka_unit_test(test_group_tells_apart_tuples_that_differ_only_in_the_split),
        cmocka_unit_test(test_group_without_keys_has_one_group),
        cmocka_unit_test(test_group_grows_to_many_groups_keeping_ids_and_accumulators),
        cmocka_unit_test(test_group_merge_in_input_order_equals_one_pass),
        cmocka_unit_test(test_group_merge_calls_back_only_for_shared_groups),
        cmocka_unit_test(test_group_merge_of_many_groups_grows_the_destination),
        cmocka_unit_test(test_group_orders_empty_then_numbers_then_text),
        cmocka_unit_test(test_group_orders_key_by_key),
        cmocka_unit_test(test_group_order_of_many_groups_agrees_with_tally_value_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
