/* Unit tests for row.c: headers from rows and numbered, lookup by exact
 * name then number then $N, the closest-name suggestion, equality, and the
 * skipped-row count that keeps the first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/row.h"

/* A header from NULL-terminated names. */
static void
header_of(struct tally_header *h, const char *const *names)
{
    struct tally_slice f[16];
    uint32_t n = 0;
    for (; names[n]; n++)
        f[n] = tally_slice_cstr(names[n]);
    struct tally_row row = {f, n, "t.csv", 1};
    tally_header_init(h, &row);
}

#define HEADER(h, ...) header_of((h), (const char *const[]){__VA_ARGS__, NULL})

static int64_t
find(const struct tally_header *h, const char *name)
{
    return tally_header_find(h, name, strlen(name));
}

static void
test_row_header_copies_the_names(void **state)
{
    (void)state;
    char buf[8] = "abc";
    struct tally_slice f[2] = {{buf, 3}, {"", 0}};
    struct tally_row row = {f, 2, "t.csv", 1};
    struct tally_header h;
    tally_header_init(&h, &row);
    memcpy(buf, "xyz", 3); /* the row's bytes are reused */
    assert_int_equal(h.n, 2);
    assert_string_equal(h.names[0], "abc");
    assert_int_equal(h.lens[0], 3);
    assert_string_equal(h.names[1], "");
    assert_int_equal(h.lens[1], 0);
    tally_header_fini(&h);
    assert_int_equal(h.n, 0);
    assert_null(h.names);
}

static void
test_row_header_keeps_names_with_nul_bytes(void **state)
{
    (void)state;
    struct tally_slice f[1] = {{"a\0b", 3}};
    struct tally_row row = {f, 1, "t.csv", 1};
    struct tally_header h;
    tally_header_init(&h, &row);
    assert_int_equal(h.lens[0], 3);
    assert_memory_equal(h.names[0], "a\0b", 4);
    assert_int_equal(tally_header_find(&h, "a\0b", 3), 0);
    assert_int_equal(tally_header_find(&h, "a", 1), -1);
    tally_header_fini(&h);
}

static void
test_row_numbered_header_names_columns_from_one(void **state)
{
    (void)state;
    struct tally_header h;
    tally_header_init_numbered(&h, 12);
    assert_int_equal(h.n, 12);
    assert_string_equal(h.names[0], "1");
    assert_string_equal(h.names[11], "12");
    assert_int_equal(h.lens[11], 2);
    assert_int_equal(find(&h, "12"), 11);
    assert_int_equal(find(&h, "$3"), 2);
    assert_int_equal(find(&h, "13"), -1);
    tally_header_fini(&h);
    tally_header_init_numbered(&h, 0);
    assert_int_equal(h.n, 0);
    assert_int_equal(find(&h, "1"), -1);
    tally_header_fini(&h);
}

static void
test_row_find_prefers_an_exact_name_over_a_number(void **state)
{
    (void)state;
    struct tally_header h;
    HEADER(&h, "a", "2", "c", "$1", "status");
    assert_int_equal(find(&h, "status"), 4);
    assert_int_equal(find(&h, "a"), 0);
    /* "2" is the name of column 2 (index 1): the name wins anyway, and
     * "3" is a number. */
    assert_int_equal(find(&h, "2"), 1);
    assert_int_equal(find(&h, "3"), 2);
    /* "$1" is a column name here: the name wins over $N. */
    assert_int_equal(find(&h, "$1"), 3);
    assert_int_equal(find(&h, "$5"), 4);
    assert_int_equal(find(&h, "5"), 4);
    tally_header_fini(&h);
}

static void
test_row_find_rejects_numbers_out_of_range_and_non_numbers(void **state)
{
    (void)state;
    struct tally_header h;
    HEADER(&h, "a", "b", "c");
    assert_int_equal(find(&h, "0"), -1);
    assert_int_equal(find(&h, "$0"), -1);
    assert_int_equal(find(&h, "4"), -1);
    assert_int_equal(find(&h, "$4"), -1);
    assert_int_equal(find(&h, "-1"), -1);
    assert_int_equal(find(&h, "1x"), -1);
    assert_int_equal(find(&h, "$"), -1);
    assert_int_equal(find(&h, ""), -1);
    assert_int_equal(find(&h, "A"), -1); /* names are case-sensitive */
    assert_int_equal(find(&h, "99999999999999999999"), -1);
    assert_int_equal(find(&h, "01"), 0);
    assert_int_equal(find(&h, "$3"), 2);
    /* The length counts, not a NUL. */
    assert_int_equal(tally_header_find(&h, "abc", 1), 0);
    tally_header_fini(&h);
}

static void
test_row_suggest_finds_the_closest_name_ignoring_case(void **state)
{
    (void)state;
    struct tally_header h;
    HEADER(&h, "status", "bytes", "latency_ms", "path");
    assert_string_equal(tally_header_suggest(&h, "stauts", 6), "status");
    assert_string_equal(tally_header_suggest(&h, "STATUS", 6), "status");
    assert_string_equal(tally_header_suggest(&h, "byte", 4), "bytes");
    assert_string_equal(tally_header_suggest(&h, "latency", 7), "latency_ms");
    assert_string_equal(tally_header_suggest(&h, "Path", 4), "path");
    tally_header_fini(&h);
    /* Ties go to the first column. */
    HEADER(&h, "ab", "ac");
    assert_string_equal(tally_header_suggest(&h, "aa", 2), "ab");
    tally_header_fini(&h);
    tally_header_init_numbered(&h, 0);
    assert_null(tally_header_suggest(&h, "x", 1));
    tally_header_fini(&h);
}

static void
test_row_suggest_copes_with_long_names(void **state)
{
    (void)state;
    char longname[300];
    memset(longname, 'q', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    struct tally_header h;
    HEADER(&h, "short", longname);
    assert_string_equal(tally_header_suggest(&h, longname, strlen(longname)), longname);
    assert_string_equal(tally_header_suggest(&h, "shrt", 4), "short");
    tally_header_fini(&h);
}

static void
test_row_header_equal_compares_names_and_count(void **state)
{
    (void)state;
    struct tally_header a, b, c, e;
    HEADER(&a, "x", "y");
    HEADER(&b, "x", "y");
    HEADER(&c, "x", "y", "z");
    HEADER(&e, "x", "Y");
    assert_true(tally_header_equal(&a, &b));
    assert_false(tally_header_equal(&a, &c));
    assert_false(tally_header_equal(&c, &a));
    assert_false(tally_header_equal(&a, &e));
    struct tally_slice f[2] = {{"x", 1}, {"y\0", 2}};
    struct tally_row row = {f, 2, "t.csv", 1};
    struct tally_header n;
    tally_header_init(&n, &row);
    assert_false(tally_header_equal(&a, &n));
    tally_header_fini(&a);
    tally_header_fini(&b);
    tally_header_fini(&c);
    tally_header_fini(&e);
    tally_header_fini(&n);
}

static void
test_row_skipstat_counts_all_and_keeps_the_first(void **state)
{
    (void)state;
    struct tally_skipstat s = {0};
    tally_skipstat_add(&s, "a.csv", 10, 4, "expected 3 fields, got 2");
    tally_skipstat_add(&s, "b.csv", 20, 0, "unexpected quote inside an unquoted field");
    tally_skipstat_add(&s, NULL, 30, 1, "x");
    assert_int_equal(s.count, 3);
    assert_string_equal(s.first_file, "a.csv");
    assert_int_equal(s.first_line, 10);
    assert_int_equal(s.first_col, 4);
    assert_string_equal(s.first_why, "expected 3 fields, got 2");
    struct tally_skipstat t = {0};
    tally_skipstat_add(&t, NULL, 2, 0, "why");
    assert_string_equal(t.first_file, "<stdin>");
}

static void
test_row_skipstat_truncates_long_texts_safely(void **state)
{
    (void)state;
    char longtext[1000];
    memset(longtext, 'w', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    struct tally_skipstat s = {0};
    tally_skipstat_add(&s, longtext, 1, 1, longtext);
    assert_int_equal(strlen(s.first_file), sizeof s.first_file - 1);
    assert_int_equal(strlen(s.first_why), sizeof s.first_why - 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_header_copies_the_names),
        cmocka_unit_test(test_row_header_keeps_names_with_nul_bytes),
        cmocka_unit_test(test_row_numbered_header_names_columns_from_one),
        cmocka_unit_test(test_row_find_prefers_an_exact_name_over_a_number),
        cmocka_unit_test(test_row_find_rejects_numbers_out_of_range_and_non_numbers),
        cmocka_unit_test(test_row_suggest_finds_the_closest_name_ignoring_case),
        cmocka_unit_test(test_row_suggest_copes_with_long_names),
        cmocka_unit_test(test_row_header_equal_compares_names_and_count),
        cmocka_unit_test(test_row_skipstat_counts_all_and_keeps_the_first),
        cmocka_unit_test(test_row_skipstat_truncates_long_texts_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
