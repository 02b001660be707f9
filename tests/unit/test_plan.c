/* Unit tests for plan.c: select lists, group keys and buckets, aggregate
 * forms and labels, sort keys, binding to a header with suggestions, and the
 * choices made from options (mode, TSV by file name). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/plan.h"
#include "tally/status.h"

static struct tally_diag g_diag;

static struct tally_opts
opts(void)
{
    struct tally_opts o;
    memset(&o, 0, sizeof o);
    o.limit = -1;
    o.progress = -1;
    return o;
}

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

/* Builds from o and binds to the header names; returns the first failing
 * status. The plan is always left for the caller to fini. */
static int
build_bind(struct tally_plan *p, const struct tally_opts *o, const char *const *names)
{
    tally_diag_init(&g_diag);
    int rc = tally_plan_build(p, o, &g_diag);
    if (rc != TALLY_OK || !names)
        return rc;
    struct tally_header h;
    header_of(&h, names);
    rc = tally_plan_bind(p, &h, &g_diag);
    tally_header_fini(&h);
    return rc;
}

#define HDR(...) ((const char *const[]){__VA_ARGS__, NULL})

static void
expect_error(const struct tally_opts *o, const char *const *names, const char *msg)
{
    struct tally_plan p;
    int rc = build_bind(&p, o, names);
    tally_plan_fini(&p);
    assert_int_equal(rc, TALLY_EUSAGE);
    assert_string_equal(g_diag.msg, msg);
}

static void
test_plan_without_query_prints_every_column(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    struct tally_plan p;
    assert_int_equal(build_bind(&p, &o, HDR("a", "b")), TALLY_OK);
    assert_int_equal(p.mode, TALLY_MODE_ALL);
    assert_int_equal(p.format, TALLY_IN_CSV);
    assert_int_equal(p.delim, ',');
    assert_true(p.header_in);
    assert_true(p.bound);
    struct tally_column *cols;
    assert_int_equal(tally_plan_columns(&p, &cols), 2);
    assert_string_equal(cols[1].name, "b");
    assert_false(cols[1].computed);
    free(cols);
    tally_plan_fini(&p);
}

static void
test_plan_select_reads_names_backticks_numbers_and_dollars(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.select = "a, `b c` ,`x``y`,3,$1,`,`";
    struct tally_plan p;
    assert_int_equal(build_bind(&p, &o, HDR("a", "b c", "x`y", ",")), TALLY_OK);
    assert_int_equal(p.mode, TALLY_MODE_SELECT);
    assert_int_equal(p.nsel, 6);
    assert_string_equal(p.sel[0].name, "a");
    assert_string_equal(p.sel[1].name, "b c");
    assert_string_equal(p.sel[2].name, "x`y");
    assert_int_equal(p.sel[2].len, 3);
    const int64_t want[] = {0, 1, 2, 2, 0, 3};
    for (int i = 0; i < 6; i++)
        assert_int_equal(p.sel[i].index, want[i]);
    struct tally_column *cols;
    assert_int_equal(tally_plan_columns(&p, &cols), 6);
    assert_string_equal(cols[3].name, "x`y"); /* the header's name, not "3" */
    assert_string_equal(cols[4].name, "a");
    free(cols);
    tally_plan_fini(&p);
}

static void
test_plan_select_rejects_bad_columns(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.select = "a,`b";
    expect_error(&o, NULL, "-s: bad column \"`b\"");
    o.select = "a,,b";
    expect_error(&o, NULL, "-s: bad column \"\"");
    o.select = "`a`b";
    expect_error(&o, NULL, "-s: bad column \"`a`b\"");
}

static void
test_plan_unknown_columns_name_the_closest(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.select = "stauts";
    expect_error(&o, HDR("status", "bytes"),
                 "-s: unknown column \"stauts\" (did you mean \"status\"?)");
    o = opts();
    o.group_by = "Bytes,path";
    expect_error(&o, HDR("status", "bytes"),
                 "-g: unknown column \"Bytes\" (did you mean \"bytes\"?)");
    o = opts();
    o.aggs = "sum:byts";
    expect_error(&o, HDR("status", "bytes"),
                 "-a: unknown column \"byts\" (did you mean \"bytes\"?)");
    o = opts();
    o.select = "9";
    expect_error(&o, HDR("a"), "-s: unknown column \"9\" (did you mean \"a\"?)");
}

static void
test_plan_group_keys_with_numeric_and_time_buckets(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.group_by = "status, latency_ms/100,time/5m,`user agent`/1h,$1/0.5,t/2d";
    struct tally_plan p;
    assert_int_equal(build_bind(&p, &o, HDR("status", "latency_ms", "time", "user agent", "t")),
                     TALLY_OK);
    assert_int_equal(p.mode, TALLY_MODE_AGG);
    assert_int_equal(p.nkeys, 6);
    assert_int_equal(p.keys[0].bucket, TALLY_BUCKET_NONE);
    assert_null(p.keys[0].width_text);
    assert_int_equal(p.keys[1].bucket, TALLY_BUCKET_NUM);
    assert_true(p.keys[1].width == 100.0);
    assert_string_equal(p.keys[1].width_text, "100");
    assert_string_equal(p.keys[1].label, "latency_ms/100");
    assert_int_equal(p.keys[1].col.index, 1);
    assert_int_equal(p.keys[2].bucket, TALLY_BUCKET_TIME);
    assert_true(p.keys[2].width == 300.0);
    assert_string_equal(p.keys[2].label, "time/5m");
    assert_true(p.keys[3].ticked);
    assert_int_equal(p.keys[3].bucket, TALLY_BUCKET_TIME);
    assert_true(p.keys[3].width == 3600.0);
    assert_string_equal(p.keys[3].label, "user agent/1h");
    assert_int_equal(p.keys[3].col.index, 3);
    assert_int_equal(p.keys[4].bucket, TALLY_BUCKET_NUM);
    assert_true(p.keys[4].width == 0.5);
    assert_int_equal(p.keys[4].col.index, 0);
    assert_true(p.keys[5].width == 2 * 86400.0);
    /* -g alone counts. */
    assert_int_equal(p.naggs, 1);
    assert_string_equal(p.aggs[0].label, "count");
    struct tally_column *cols;
    assert_int_equal(tally_plan_columns(&p, &cols), 7);
    assert_string_equal(cols[1].name, "latency_ms/100");
    assert_false(cols[1].computed);
    assert_true(cols[6].computed);
    free(cols);
    tally_plan_fini(&p);
}

static void
test_plan_header_column_with_a_slash_wins_over_a_bucket(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.group_by = "a/b,c/5m,c/10";
    struct tally_plan p;
    assert_int_equal(build_bind(&p, &o, HDR("a/b", "c/5m", "c")), TALLY_OK);
    assert_int_equal(p.keys[0].bucket, TALLY_BUCKET_NONE);
    assert_int_equal(p.keys[0].col.index, 0);
    assert_int_equal(p.keys[1].bucket, TALLY_BUCKET_NONE);
    assert_int_equal(p.keys[1].col.index, 1);
    assert_int_equal(p.keys[2].bucket, TALLY_BUCKET_NUM);
    assert_int_equal(p.keys[2].col.index, 2);
    tally_plan_fini(&p);
    /* Backticked, the name is taken as written and the width applies. */
    o.group_by = "`c`/5m";
    assert_int_equal(build_bind(&p, &o, HDR("c/5m", "c")), TALLY_OK);
    assert_int_equal(p.keys[0].bucket, TALLY_BUCKET_TIME);
    assert_int_equal(p.keys[0].col.index, 1);
    tally_plan_fini(&p);
}

static void
test_plan_bad_bucket_widths_are_usage_errors(void **state)
{
    (void)state;
    const char *tail = "\": expected a positive number or a duration like 30s, 5m, 1h, 1d";
    static const char *const keys[] = {"c/xyz", "c/0", "c/-5m", "c/5w", "c/", "c/0s", "`c`/1y"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        struct tally_opts o = opts();
        o.group_by = keys[i];
        char want[256];
        const char *label = keys[i][0] == '`' ? "c/1y" : keys[i];
        snprintf(want, sizeof want, "-g: bad bucket width \"%s\" in \"%s%s",
                 strchr(keys[i], '/') + 1, label, tail);
        expect_error(&o, HDR("c", "d"), want);
    }
    struct tally_opts o = opts();
    o.group_by = "c/1e300s";
    expect_error(&o, HDR("c"),
                 "-g: bad bucket width \"1e300s\" in \"c/1e300s\": a time bucket is at most 2^53 "
                 "seconds (about 285 million years)");
    o.group_by = "c/1.5s";
    expect_error(&o, HDR("c"),
                 "-g: bad bucket width \"1.5s\" in \"c/1.5s\": a time bucket is a whole number of "
                 "seconds");
    o.group_by = "`c";
    expect_error(&o, NULL, "-g: bad key \"`c\"");
    o.group_by = "`c`x";
    expect_error(&o, NULL, "-g: bad key \"`c`x\"");
}

static void
test_plan_aggregate_forms_and_labels(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.aggs = "count,sum:bytes,mean(latency_ms),n=max:bytes,count:`user agent`,p99.9:latency_ms,"
             "median(bytes),p90:3, total=sum:$2";
    struct tally_plan p;
    int rc = build_bind(&p, &o, HDR("status", "bytes", "latency_ms", "user agent"));
    if (rc != TALLY_OK)
        fail_msg("%s", g_diag.msg);
    assert_int_equal(p.nkeys, 0);
    assert_int_equal(p.naggs, 9);
    static const char *const labels[] = {"count",
                                         "sum_bytes",
                                         "mean_latency_ms",
                                         "n",
                                         "count_user agent",
                                         "p99.9_latency_ms",
                                         "median_bytes",
                                         "p90_latency_ms",
                                         "total"};
    for (int i = 0; i < 9; i++)
        assert_string_equal(p.aggs[i].label, labels[i]);
    assert_false(p.aggs[0].has_col);
    assert_true(p.aggs[1].has_col);
    assert_int_equal(p.aggs[1].col.index, 1);
    assert_string_equal(p.aggs[3].name, "n");
    assert_string_equal(p.aggs[3].func, "max");
    assert_ptr_equal(p.aggs[4].op, tally_op_count_col());
    assert_int_equal(p.aggs[4].col.index, 3);
    assert_string_equal(p.aggs[5].func, "p99.9");
    assert_true(p.aggs[5].param.p == 99.9);
    assert_true(p.aggs[6].param.p == 50.0);
    assert_int_equal(p.aggs[7].col.index, 2);
    tally_plan_fini(&p);
}

static void
test_plan_labels_before_binding_use_the_names_as_written(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.group_by = "`a b`/10";
    o.aggs = "sum:3";
    struct tally_plan p;
    assert_int_equal(build_bind(&p, &o, NULL), TALLY_OK);
    struct tally_column *cols;
    assert_int_equal(tally_plan_columns(&p, &cols), 2);
    assert_string_equal(cols[0].name, "a b/10");
    assert_string_equal(cols[1].name, "sum_3");
    free(cols);
    struct tally_header h;
    header_of(&h, HDR("a b", "x", "y"));
    assert_int_equal(tally_plan_bind(&p, &h, &g_diag), TALLY_OK);
    tally_header_fini(&h);
    assert_int_equal(tally_plan_columns(&p, &cols), 2);
    assert_string_equal(cols[1].name, "sum_y");
    free(cols);
    tally_plan_fini(&p);
}

static void
test_plan_accumulator_offsets_are_8_aligned_and_packed(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.aggs = "count,sum:a,mean:a,p50:a,distinct:a,first:a,mode:a,stddev:a,count:a";
    struct tally_plan p;
    assert_int_equal(build_bind(&p, &o, HDR("a")), TALLY_OK);
    size_t off = 0;
    for (uint32_t i = 0; i < p.naggs; i++) {
        assert_int_equal(p.aggs[i].offset % 8, 0);
        assert_int_equal(p.aggs[i].offset, off);
        off += (p.aggs[i].op->state_size + 7) & ~(size_t)7;
    }
    assert_int_equal(p.acc_size, off);
    assert_int_equal(p.acc_size % 8, 0);
    assert_true(p.acc_size > 0);
    tally_plan_fini(&p);
}

static void
test_plan_bad_aggregates_are_usage_errors(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.aggs = "summ:x";
    struct tally_plan p;
    assert_int_equal(build_bind(&p, &o, NULL), TALLY_EUSAGE);
    tally_plan_fini(&p);
    assert_int_equal(strncmp(g_diag.msg, "-a: unknown aggregate \"summ\" (known: ", 37), 0);
    assert_non_null(strstr(g_diag.msg, "median"));
    o.aggs = "sum";
    expect_error(&o, NULL, "-a: sum needs a column (sum:COL)");
    o.aggs = "p95";
    expect_error(&o, NULL, "-a: p95 needs a column (p95:COL)");
    o.aggs = "mean(x";
    expect_error(&o, NULL, "-a: missing ')' in \"mean(x\"");
    o.aggs = "=sum:x";
    expect_error(&o, NULL, "-a: empty name in \"=sum:x\"");
    o.aggs = "sum;x";
    expect_error(&o, NULL, "-a: bad aggregate \"sum;x\": expected FUNC:COL");
    o.aggs = "sum:";
    expect_error(&o, NULL, "-a: bad column in \"sum:\"");
    o.aggs = "count,,sum:x";
    expect_error(&o, NULL, "-a: empty aggregate in \"count,,sum:x\"");
}

static void
test_plan_sort_keys_by_output_name_and_number(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.group_by = "status";
    o.aggs = "count,sum:bytes";
    o.sort = "count:desc, status:asc,3";
    o.limit = 5;
    struct tally_plan p;
    assert_int_equal(build_bind(&p, &o, HDR("status", "bytes")), TALLY_OK);
    assert_int_equal(p.nsort, 3);
    assert_int_equal(p.sort[0].col, 1);
    assert_true(p.sort[0].desc);
    assert_int_equal(p.sort[1].col, 0);
    assert_false(p.sort[1].desc);
    assert_int_equal(p.sort[2].col, 2);
    assert_false(p.sort[2].desc);
    assert_int_equal(p.limit, 5);
    tally_plan_fini(&p);

    o.sort = "sum_bytes:desc,`status`";
    assert_int_equal(build_bind(&p, &o, HDR("status", "bytes")), TALLY_OK);
    assert_int_equal(p.sort[0].col, 2);
    assert_true(p.sort[0].desc);
    assert_int_equal(p.sort[1].col, 0);
    tally_plan_fini(&p);

    o = opts();
    o.select = "b,a";
    o.sort = "a:desc";
    assert_int_equal(build_bind(&p, &o, HDR("a", "b")), TALLY_OK);
    assert_int_equal(p.sort[0].col, 1);
    tally_plan_fini(&p);
}

static void
test_plan_bad_sort_keys_are_usage_errors(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.group_by = "status";
    o.sort = "cont:desc";
    expect_error(&o, HDR("status"),
                 "--sort: unknown output column \"cont\" (did you mean \"count\"?)");
    o.sort = "4";
    expect_error(&o, HDR("status"),
                 "--sort: unknown output column \"4\" (did you mean \"count\"?)");
    o.sort = "count:down";
    expect_error(&o, HDR("status"), "--sort: bad order \"down\": expected asc or desc");
    o.sort = "`count`x";
    expect_error(&o, HDR("status"), "--sort: bad key \"`count`x\"");
    o.sort = "`count";
    expect_error(&o, HDR("status"), "--sort: bad key \"`count\"");
    o.sort = ":desc";
    expect_error(&o, HDR("status"), "--sort: bad key \":desc\"");
}

static void
test_plan_select_with_group_or_aggregate_is_rejected(void **state)
{
    (void)state;
    const char *msg = "-s prints rows; it cannot be combined with -g or -a";
    struct tally_opts o = opts();
    o.select = "a";
    o.group_by = "b";
    expect_error(&o, NULL, msg);
    o.group_by = NULL;
    o.aggs = "count";
    expect_error(&o, NULL, msg);
}

static void
test_plan_log_format_needs_a_pattern(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.format = TALLY_IN_LOG;
    expect_error(&o, NULL, "--format=log needs --log=PRESET|REGEX");
}

static void
test_plan_tsv_is_chosen_by_file_name(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        enum tally_input_format f;
    } cases[] = {
        {"x.tsv", TALLY_IN_TSV},      {"dir/x.tab", TALLY_IN_TSV},   {"x.tsv.gz", TALLY_IN_TSV},
        {"x.tab.zst", TALLY_IN_TSV},  {"x.csv", TALLY_IN_CSV},       {"x.csv.gz", TALLY_IN_CSV},
        {"tsv", TALLY_IN_CSV},        {"x.tsv.bak", TALLY_IN_CSV},   {"-", TALLY_IN_CSV},
        {"X.TAB", TALLY_IN_TSV},      {"x.Tsv", TALLY_IN_TSV},       {"x.TSV.GZ", TALLY_IN_TSV},
        {"x.tab.ZSTD", TALLY_IN_TSV}, {"x.tab.Zst", TALLY_IN_TSV},   {"x.CSV.gz", TALLY_IN_CSV},
        {"x.gz.tsv", TALLY_IN_TSV},   {"x.tsv.gz.gz", TALLY_IN_CSV}, {".TAB", TALLY_IN_TSV}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tally_opts o = opts();
        char *files[] = {(char *)cases[i].file};
        o.files = files;
        o.nfiles = 1;
        struct tally_plan p;
        assert_int_equal(build_bind(&p, &o, NULL), TALLY_OK);
        if (p.format != cases[i].f)
            fail_msg("%s: format %d", cases[i].file, (int)p.format);
        assert_int_equal(p.delim, cases[i].f == TALLY_IN_TSV ? '\t' : ',');
        tally_plan_fini(&p);
    }
    /* An explicit format or delimiter wins. */
    struct tally_opts o = opts();
    char *files[] = {(char *)"x.tsv"};
    o.files = files;
    o.nfiles = 1;
    o.format = TALLY_IN_CSV;
    struct tally_plan p;
    assert_int_equal(build_bind(&p, &o, NULL), TALLY_OK);
    assert_int_equal(p.delim, ',');
    tally_plan_fini(&p);
    o.format = TALLY_IN_AUTO;
    o.delim = ';';
    assert_int_equal(build_bind(&p, &o, NULL), TALLY_OK);
    assert_int_equal(p.format, TALLY_IN_TSV);
    assert_int_equal(p.delim, ';');
    tally_plan_fini(&p);
}

static void
test_plan_copies_options_it_needs(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.no_header = true;
    o.strict = true;
    o.threads = 3;
    o.max_fields = 9;
    o.max_record = 1000;
    o.output = TALLY_FMT_JSON;
    o.output_set = true;
    o.no_header_out = true;
    o.aggs = "count";
    struct tally_plan p;
    assert_int_equal(build_bind(&p, &o, NULL), TALLY_OK);
    assert_false(p.header_in);
    assert_true(p.strict);
    assert_int_equal(p.max_fields, 9);
    assert_int_equal(p.max_record, 1000);
    assert_int_equal(p.mode, TALLY_MODE_AGG);
    assert_int_equal(p.nkeys, 0);
    tally_plan_fini(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_without_query_prints_every_column),
        cmocka_unit_test(test_plan_select_reads_names_backticks_numbers_and_dollars),
        cmocka_unit_test(test_plan_select_rejects_bad_columns),
        cmocka_unit_test(test_plan_unknown_columns_name_the_closest),
        cmocka_unit_test(test_plan_group_keys_with_numeric_and_time_buckets),
        cmocka_unit_test(test_plan_header_column_with_a_slash_wins_over_a_bucket),
        cmocka_unit_test(test_plan_bad_bucket_widths_are_usage_errors),
        cmocka_unit_test(test_plan_aggregate_forms_and_labels),
        cmocka_unit_test(test_plan_labels_before_binding_use_the_names_as_written),
        cmocka_unit_test(test_plan_accumulator_offsets_are_8_aligned_and_packed),
        cmocka_unit_test(test_plan_bad_aggregates_are_usage_errors),
        cmocka_unit_test(test_plan_sort_keys_by_output_name_and_number),
        cmocka_unit_test(test_plan_bad_sort_keys_are_usage_errors),
        cmocka_unit_test(test_plan_select_with_group_or_aggregate_is_rejected),
        cmocka_unit_test(test_plan_log_format_needs_a_pattern),
        cmocka_unit_test(test_plan_tsv_is_chosen_by_file_name),
        cmocka_unit_test(test_plan_copies_options_it_needs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
