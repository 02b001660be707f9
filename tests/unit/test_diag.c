/* Unit tests for diag.c: the location prefix with and without its parts,
 * first error wins, usage messages, caret drawings, and moving the line of
 * a data error found by a thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tally/diag.h"
#include "tally/status.h"

static void
test_diag_starts_clean(void **state)
{
    (void)state;
    struct tally_diag d;
    memset(&d, 0x55, sizeof d);
    tally_diag_init(&d);
    assert_int_equal(d.status, TALLY_OK);
    assert_string_equal(d.msg, "");
    assert_int_equal(d.line, 0);
}

static void
test_diag_fail_prefixes_the_known_location_parts(void **state)
{
    (void)state;
    struct tally_diag d;
    struct tally_loc full = {"a.csv", 812, 31};
    tally_diag_init(&d);
    assert_int_equal(
        tally_diag_fail(&d, &full, "column \"%s\": expected a number, got \"%s\"", "bytes", "12,5"),
        TALLY_EDATA);
    assert_int_equal(d.status, TALLY_EDATA);
    assert_string_equal(d.msg, "a.csv:812:31: column \"bytes\": expected a number, got \"12,5\"");
    assert_string_equal(d.msg + d.body, "column \"bytes\": expected a number, got \"12,5\"");
    assert_string_equal(d.file, "a.csv");
    assert_int_equal(d.line, 812);
    assert_int_equal(d.col, 31);

    struct tally_loc line_only = {"<stdin>", 40, 0};
    tally_diag_init(&d);
    tally_diag_fail(&d, &line_only, "bad");
    assert_string_equal(d.msg, "<stdin>:40: bad");

    struct tally_loc file_only = {"x.csv", 0, 0};
    tally_diag_init(&d);
    tally_diag_fail(&d, &file_only, "cannot read");
    assert_string_equal(d.msg, "x.csv: cannot read");

    struct tally_loc no_file = {NULL, 3, 4};
    tally_diag_init(&d);
    tally_diag_fail(&d, &no_file, "plain");
    assert_string_equal(d.msg, "plain");
    assert_int_equal(d.body, 0);

    tally_diag_init(&d);
    tally_diag_fail(&d, NULL, "out of %d", 7);
    assert_string_equal(d.msg, "out of 7");
}

static void
test_diag_first_error_wins(void **state)
{
    (void)state;
    struct tally_diag d;
    struct tally_loc loc = {"a.csv", 2, 0};
    tally_diag_init(&d);
    tally_diag_fail(&d, &loc, "first");
    struct tally_loc loc2 = {"b.csv", 9, 9};
    assert_int_equal(tally_diag_fail(&d, &loc2, "second"), TALLY_EDATA);
    assert_int_equal(tally_diag_usage(&d, "third"), TALLY_EUSAGE);
    assert_string_equal(d.msg, "a.csv:2: first");
    assert_int_equal(d.status, TALLY_EDATA);
    assert_int_equal(d.line, 2);

    tally_diag_init(&d);
    tally_diag_usage(&d, "--sort: unknown output column \"%s\"", "n");
    tally_diag_fail(&d, &loc, "later");
    assert_int_equal(d.status, TALLY_EUSAGE);
    assert_string_equal(d.msg, "--sort: unknown output column \"n\"");
}

static void
test_diag_truncates_long_messages(void **state)
{
    (void)state;
    static char big[2 * TALLY_DIAG_MAX];
    memset(big, 'z', sizeof big - 1);
    struct tally_diag d;
    struct tally_loc loc = {"a.csv", 1, 1};
    tally_diag_init(&d);
    tally_diag_fail(&d, &loc, "%s", big);
    assert_int_equal(strlen(d.msg), TALLY_DIAG_MAX - 1);
    assert_int_equal(strncmp(d.msg, "a.csv:1:1: zzz", 14), 0);
}

static void
test_diag_caret_marks_the_bytes(void **state)
{
    (void)state;
    struct tally_diag d;
    tally_diag_init(&d);
    tally_diag_usage(&d, "--where: unknown column \"stauts\"");
    tally_diag_caret(&d, "stauts >= 500 && path ~ \"^/api\"", 0, 6);
    assert_string_equal(d.msg, "--where: unknown column \"stauts\"\n"
                               "  stauts >= 500 && path ~ \"^/api\"\n"
                               "  ^^^^^^");
    tally_diag_init(&d);
    tally_diag_usage(&d, "--where: expected a value");
    tally_diag_caret(&d, "a >= ", 5, 0);
    assert_string_equal(d.msg, "--where: expected a value\n  a >= \n       ^");
    tally_diag_init(&d);
    tally_diag_usage(&d, "m");
    tally_diag_caret(&d, "ab", 10, 2); /* past the end: at the end */
    assert_string_equal(d.msg, "m\n  ab\n    ^^");
}

static void
test_diag_caret_keeps_tabs_so_it_lines_up(void **state)
{
    (void)state;
    struct tally_diag d;
    tally_diag_init(&d);
    tally_diag_usage(&d, "m");
    tally_diag_caret(&d, "\ta\tbb", 3, 2);
    assert_string_equal(d.msg, "m\n  \ta\tbb\n  \t \t^^");
}

static void
test_diag_shift_line_reformats_the_location(void **state)
{
    (void)state;
    struct tally_diag d;
    struct tally_loc loc = {"big.csv", 5, 7};
    tally_diag_init(&d);
    tally_diag_fail(&d, &loc, "unexpected quote inside an unquoted field");
    tally_diag_shift_line(&d, 99995);
    assert_string_equal(d.msg, "big.csv:100000:7: unexpected quote inside an unquoted field");
    assert_int_equal(d.line, 100000);
    assert_string_equal(d.msg + d.body, "unexpected quote inside an unquoted field");
    tally_diag_shift_line(&d, 1);
    assert_string_equal(d.msg, "big.csv:100001:7: unexpected quote inside an unquoted field");

    struct tally_loc nocol = {"big.csv", 2, 0};
    tally_diag_init(&d);
    tally_diag_fail(&d, &nocol, "record has more than %d fields", 4);
    tally_diag_shift_line(&d, 8);
    assert_string_equal(d.msg, "big.csv:10: record has more than 4 fields");
}

static void
test_diag_shift_line_leaves_errors_without_a_line_alone(void **state)
{
    (void)state;
    struct tally_diag d;
    tally_diag_init(&d);
    tally_diag_shift_line(&d, 5); /* no error */
    assert_int_equal(d.status, TALLY_OK);
    assert_string_equal(d.msg, "");

    struct tally_loc file_only = {"x.csv", 0, 0};
    tally_diag_fail(&d, &file_only, "cannot read x.csv: Is a directory");
    tally_diag_shift_line(&d, 5);
    assert_string_equal(d.msg, "x.csv: cannot read x.csv: Is a directory");

    tally_diag_init(&d);
    tally_diag_usage(&d, "-a: unknown aggregate \"x\"");
    tally_diag_shift_line(&d, 5);
    assert_string_equal(d.msg, "-a: unknown aggregate \"x\"");

    tally_diag_init(&d);
    struct tally_loc loc = {"a.csv", 3, 0};
    tally_diag_fail(&d, &loc, "m");
    tally_diag_shift_line(&d, 0);
    assert_string_equal(d.msg, "a.csv:3: m");
}

static void
test_diag_loc_format_prints_the_known_parts(void **state)
{
    (void)state;
    char buf[64];
    struct tally_loc a = {"f", 1, 2};
    tally_loc_format(&a, buf, sizeof buf);
    assert_string_equal(buf, "f:1:2");
    struct tally_loc b = {"f", 0, 2}; /* a column without a line is dropped */
    tally_loc_format(&b, buf, sizeof buf);
    assert_string_equal(buf, "f");
    tally_loc_format(NULL, buf, sizeof buf);
    assert_string_equal(buf, "");
    char small[4];
    tally_loc_format(&a, small, sizeof small);
    assert_string_equal(small, "f:1");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diag_starts_clean),
        cmocka_unit_test(test_diag_fail_prefixes_the_known_location_parts),
        cmocka_unit_test(test_diag_first_error_wins),
        cmocka_unit_test(test_diag_truncates_long_messages),
        cmocka_unit_test(test_diag_caret_marks_the_bytes),
        cmocka_unit_test(test_diag_caret_keeps_tabs_so_it_lines_up),
        cmocka_unit_test(test_diag_shift_line_reformats_the_location),
        cmocka_unit_test(test_diag_shift_line_leaves_errors_without_a_line_alone),
        cmocka_unit_test(test_diag_loc_format_prints_the_known_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
