/* Unit tests for source.c and the source table: a format picks its source,
 * the header kind follows -n and the source, clones read independently,
 * and how records end is the source's to say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tally/source.h"
#include "tally/status.h"

static struct tally_source_conf
conf(enum tally_input_format f)
{
    return (struct tally_source_conf){f, f == TALLY_IN_TSV ? '\t' : ',', true, false, "combined", 0,
                                      0};
}

struct rows {
    uint32_t n;
    uint32_t nfields[8];
    char first[8][16];
};

static int
keep_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    (void)d;
    struct rows *r = ctx;
    if (r->n < 8) {
        r->nfields[r->n] = row->nfields;
        size_t len = row->fields[0].len < 15 ? row->fields[0].len : 15;
        memcpy(r->first[r->n], row->fields[0].ptr, len);
        r->first[r->n][len] = '\0';
    }
    r->n++;
    return TALLY_OK;
}

static void
test_source_format_picks_the_source_and_its_records(void **state)
{
    (void)state;
    struct {
        enum tally_input_format f;
        const char *name;
        enum tally_record_end records;
        enum tally_header_kind header;
    } want[] = {
        {TALLY_IN_CSV, "csv", TALLY_RECORDS_QUOTED, TALLY_HEADER_FIRST_ROW},
        {TALLY_IN_TSV, "tsv", TALLY_RECORDS_LINES, TALLY_HEADER_FIRST_ROW},
        {TALLY_IN_LOG, "log", TALLY_RECORDS_LINES, TALLY_HEADER_FIXED},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        struct tally_source_conf c = conf(want[i].f);
        struct tally_source s;
        struct tally_diag d;
        tally_diag_init(&d);
        assert_int_equal(tally_source_open(&s, &c, &d), TALLY_OK);
        assert_string_equal(s.ops->name, want[i].name);
        assert_int_equal(s.ops->records, want[i].records);
        assert_int_equal(s.header, want[i].header);
        tally_source_close(&s);
    }
}

static void
test_source_no_header_numbers_the_columns_of_the_first_row(void **state)
{
    (void)state;
    struct tally_source_conf c = conf(TALLY_IN_CSV);
    c.header_in = false;
    struct tally_source s;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_source_open(&s, &c, &d), TALLY_OK);
    assert_int_equal(s.header, TALLY_HEADER_NONE);
    struct tally_slice f[3] = {{"x", 1}, {"y", 1}, {"z", 1}};
    struct tally_row row = {f, 3, "t.csv", 1};
    struct tally_header h;
    tally_source_header(&s, &row, &h);
    assert_int_equal(h.n, 3);
    assert_string_equal(h.names[0], "1");
    assert_string_equal(h.names[2], "3");
    tally_header_fini(&h);
    tally_source_close(&s);
}

static void
test_source_log_header_is_fixed_before_any_row(void **state)
{
    (void)state;
    struct tally_source_conf c = conf(TALLY_IN_LOG);
    struct tally_source s;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_source_open(&s, &c, &d), TALLY_OK);
    struct tally_header h;
    tally_source_header(&s, NULL, &h);
    assert_true(h.n > 5);
    assert_int_not_equal(tally_header_find(&h, "status", 6), -1);
    tally_header_fini(&h);
    tally_source_close(&s);
}

static void
test_source_clone_reads_on_its_own(void **state)
{
    (void)state;
    struct tally_source_conf c = conf(TALLY_IN_CSV);
    struct tally_source s, t;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_source_open(&s, &c, &d), TALLY_OK);
    tally_source_clone(&t, &s);
    struct rows rs = {0}, rt = {0};
    s.ops->reset(s.state, "s.csv", 1);
    t.ops->reset(t.state, "t.csv", 1);
    const char *a = "a,b\n1,2\n", *b = "x\ny\nz\n";
    assert_int_equal(s.ops->feed(s.state, a, strlen(a), keep_row, &rs, &d), TALLY_OK);
    assert_int_equal(t.ops->feed(t.state, b, strlen(b), keep_row, &rt, &d), TALLY_OK);
    assert_int_equal(s.ops->finish(s.state, keep_row, &rs, &d), TALLY_OK);
    assert_int_equal(t.ops->finish(t.state, keep_row, &rt, &d), TALLY_OK);
    assert_int_equal(rs.n, 2);
    assert_int_equal(rt.n, 3);
    assert_string_equal(rs.first[1], "1");
    assert_string_equal(rt.first[2], "z");
    assert_int_equal(s.ops->lines(s.state), 2);
    assert_int_equal(t.ops->lines(t.state), 3);
    tally_source_close(&t);
    tally_source_close(&s);
}

static void
test_source_bad_log_pattern_is_a_usage_error(void **state)
{
    (void)state;
    struct tally_source_conf c = conf(TALLY_IN_LOG);
    c.log = "(unclosed";
    struct tally_source s;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_source_open(&s, &c, &d), TALLY_EUSAGE);
    assert_non_null(strstr(d.msg, "--log: "));
    tally_source_close(&s);
}

static void
test_source_counts_mended_records_apart_from_skips(void **state)
{
    (void)state;
    /* A combined line cut inside its agent is read and counted as mended;
     * a CSV source mends nothing and says so with a zero count. */
    static const char cut[] = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5 "
                              "\"-\" \"Mozilla/5.0 (cut\n";
    struct tally_source_conf c = conf(TALLY_IN_LOG);
    struct tally_source s;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_source_open(&s, &c, &d), TALLY_OK);
    s.ops->reset(s.state, "cut.log", 1);
    struct rows r = {0};
    assert_int_equal(s.ops->feed(s.state, cut, sizeof cut - 1, keep_row, &r, &d), TALLY_OK);
    assert_int_equal(s.ops->finish(s.state, keep_row, &r, &d), TALLY_OK);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.first[0], "1.2.3.4");
    assert_int_equal(s.ops->skipped(s.state)->count, 0);
    assert_int_equal(tally_source_mended(&s)->count, 1);
    assert_int_equal(tally_source_mended(&s)->first_line, 1);
    assert_non_null(strstr(s.ops->mended_one, "unterminated"));
    tally_source_close(&s);

    c = conf(TALLY_IN_CSV);
    assert_int_equal(tally_source_open(&s, &c, &d), TALLY_OK);
    assert_int_equal(tally_source_mended(&s)->count, 0);
    tally_source_close(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_format_picks_the_source_and_its_records),
        cmocka_unit_test(test_source_no_header_numbers_the_columns_of_the_first_row),
        cmocka_unit_test(test_source_log_header_is_fixed_before_any_row),
        cmocka_unit_test(test_source_clone_reads_on_its_own),
        cmocka_unit_test(test_source_bad_log_pattern_is_a_usage_error),
        cmocka_unit_test(test_source_counts_mended_records_apart_from_skips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
