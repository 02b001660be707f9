/* Unit tests for run.c, end to end from C: temp input files, a plan built
 * from options, tally_run writing into a temp file; select, aggregate, sort
 * and limit, one thread against three, and the report lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tally/exec.h"
#include "tally/plan.h"
#include "tally/run.h"
#include "tally/status.h"

static char *
write_temp(const char *data, size_t len)
{
    const char *dir = getenv("TMPDIR");
    char *path = malloc(4096);
    assert_non_null(path);
    snprintf(path, 4096, "%s/tally_run_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

static struct tally_opts
csv_opts(void)
{
    struct tally_opts o;
    memset(&o, 0, sizeof o);
    o.limit = -1;
    o.progress = 0;
    o.output = TALLY_FMT_CSV;
    o.output_set = true;
    o.threads = 1;
    return o;
}

struct result {
    int rc;
    char *out; /* malloc'ed, NUL-terminated */
    struct tally_report rep;
    struct tally_diag d;
};

/* Runs the plan built from o over the file at path; stdout goes to a temp
 * file that is read back. */
static struct result
run(const struct tally_opts *o, const char *path)
{
    struct result r = {0};
    tally_diag_init(&r.d);
    struct tally_plan p;
    assert_int_equal(tally_plan_build(&p, o, &r.d), TALLY_OK);
    char *outpath = write_temp("", 0);
    FILE *f = fopen(outpath, "w+");
    assert_non_null(f);
    char *files[] = {(char *)path};
    struct tally_exec x;
    tally_exec_init(&x, o, fileno(f));
    r.rc = tally_run(&p, &x, files, 1, fileno(f), &r.rep, &r.d);
    tally_plan_fini(&p);
    fflush(f);
    long n = lseek(fileno(f), 0, SEEK_END);
    assert_true(n >= 0);
    r.out = calloc((size_t)n + 1, 1);
    assert_non_null(r.out);
    assert_int_equal(pread(fileno(f), r.out, (size_t)n, 0), n);
    fclose(f);
    unlink(outpath);
    free(outpath);
    return r;
}

static void
result_fini(struct result *r)
{
    free(r->out);
    tally_report_fini(&r->rep);
}

static void
test_run_select_prints_chosen_columns_in_input_order(void **state)
{
    (void)state;
    const char *in = "a,b,c\n1,2,3\n4,\"x,y\",6\n";
    char *path = write_temp(in, strlen(in));
    struct tally_opts o = csv_opts();
    o.select = "c,a,`b`";
    struct result r = run(&o, path);
    assert_int_equal(r.rc, TALLY_OK);
    assert_string_equal(r.out, "c,a,b\n3,1,2\n6,4,\"x,y\"\n");
    assert_int_equal(r.rep.n, 0);
    result_fini(&r);
    unlink(path);
    free(path);
}

static void
test_run_where_filters_before_aggregating(void **state)
{
    (void)state;
    const char *in = "k,v\nx,1\ny,5\nx,2\nz,9\n";
    char *path = write_temp(in, strlen(in));
    struct tally_opts o = csv_opts();
    o.group_by = "k";
    o.aggs = "count,sum:v,max:v";
    const char *wheres[] = {"v < 9"};
    o.wheres = wheres;
    o.nwheres = 1;
    struct result r = run(&o, path);
    assert_int_equal(r.rc, TALLY_OK);
    assert_string_equal(r.out, "k,count,sum_v,max_v\nx,2,3,2\ny,1,5,5\n");
    result_fini(&r);
    unlink(path);
    free(path);
}

static void
test_run_sort_and_limit_order_the_groups(void **state)
{
    (void)state;
    const char *in = "k,v\na,1\nb,1\nb,1\nc,1\nc,1\nc,1\n";
    char *path = write_temp(in, strlen(in));
    struct tally_opts o = csv_opts();
    o.group_by = "k";
    o.aggs = "n=count";
    o.sort = "n:desc";
    o.limit = 2;
    struct result r = run(&o, path);
    assert_int_equal(r.rc, TALLY_OK);
    assert_string_equal(r.out, "k,n\nc,3\nb,2\n");
    result_fini(&r);
    o.sort = "k:desc";
    o.limit = 0;
    r = run(&o, path);
    assert_int_equal(r.rc, TALLY_OK);
    assert_string_equal(r.out, "k,n\n");
    result_fini(&r);
    unlink(path);
    free(path);
}

static void
test_run_aggregate_without_groups_gives_one_row(void **state)
{
    (void)state;
    const char *in = "v\n1\n2\n3\n4\n";
    char *path = write_temp(in, strlen(in));
    struct tally_opts o = csv_opts();
    o.aggs = "count,sum:v,mean:v,median:v";
    struct result r = run(&o, path);
    assert_int_equal(r.rc, TALLY_OK);
    assert_string_equal(r.out, "count,sum_v,mean_v,median_v\n4,10,2.5,2.5\n");
    result_fini(&r);
    unlink(path);
    free(path);
}

static void
test_run_output_is_the_same_with_one_and_three_threads(void **state)
{
    (void)state;
    /* Quoted fields with delimiters and line ends, CRLF, and a malformed
     * row, so the cut points must respect quoting. */
    size_t cap = 1 << 20, len = 0;
    char *in = malloc(cap);
    assert_non_null(in);
    len += (size_t)snprintf(in + len, cap - len, "k,v,t\r\n");
    uint32_t x = 7;
    for (int i = 0; i < 3000; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t r = (x >> 16) & 0x7fff;
        if (r % 5 == 0)
            len += (size_t)snprintf(in + len, cap - len, "\"g%u\",%u,\"a\nb,\"\"%u\"\"\"\r\n",
                                    r % 13, r % 1000, r % 3);
        else if (r % 97 == 0)
            len += (size_t)snprintf(in + len, cap - len, "g%u,1\n", r % 13); /* malformed */
        else
            len += (size_t)snprintf(in + len, cap - len, "g%u,%u.5,t%u\n", r % 13, r % 1000, r % 7);
    }
    char *path = write_temp(in, len);
    free(in);
    struct tally_opts o = csv_opts();
    o.group_by = "k";
    o.aggs = "count,sum:v,mean:v,p90:v,first:t,last:t,mode:t,distinct:t";
    setenv("TALLY_MIN_CHUNK", "1", 1);
    struct result one = run(&o, path);
    o.threads = 3;
    struct result three = run(&o, path);
    unsetenv("TALLY_MIN_CHUNK");
    assert_int_equal(one.rc, TALLY_OK);
    assert_int_equal(three.rc, TALLY_OK);
    assert_true(strlen(one.out) > 100);
    assert_string_equal(one.out, three.out);
    assert_int_equal(one.rep.n, three.rep.n);
    for (size_t i = 0; i < one.rep.n; i++)
        assert_string_equal(one.rep.lines[i], three.rep.lines[i]);
    assert_true(one.rep.n >= 1);
    assert_non_null(strstr(one.rep.lines[0], "malformed row"));
    result_fini(&one);
    result_fini(&three);
    unlink(path);
    free(path);
}

static void
test_run_reports_skipped_rows_and_non_numeric_values(void **state)
{
    (void)state;
    const char *in = "k,v\na,1\nb,n/a\nc,2,extra\nd,x\ne,\nf,-\n";
    char *path = write_temp(in, strlen(in));
    struct tally_opts o = csv_opts();
    o.aggs = "sum:v,count";
    struct result r = run(&o, path);
    assert_int_equal(r.rc, TALLY_OK);
    assert_string_equal(r.out, "sum_v,count\n1,5\n");
    assert_int_equal(r.rep.n, 2);
    char want[512];
    snprintf(want, sizeof want, "skipped 1 malformed row; first at %s:4: expected 2 fields, got 3",
             path);
    assert_string_equal(r.rep.lines[0], want);
    snprintf(want, sizeof want, "v: 2 non-numeric values ignored (first: %s:3 \"n/a\")", path);
    assert_string_equal(r.rep.lines[1], want);
    result_fini(&r);
    unlink(path);
    free(path);
}

static void
test_run_strict_mode_fails_at_the_malformed_row(void **state)
{
    (void)state;
    const char *in = "k,v\na,1\nb\"x,2\n";
    char *path = write_temp(in, strlen(in));
    struct tally_opts o = csv_opts();
    o.group_by = "k";
    o.strict = true;
    struct result r = run(&o, path);
    assert_int_equal(r.rc, TALLY_EDATA);
    char want[512];
    snprintf(want, sizeof want, "%s:3:2: unexpected quote inside an unquoted field", path);
    assert_string_equal(r.d.msg, want);
    assert_string_equal(r.out, ""); /* nothing that looks complete */
    result_fini(&r);
    unlink(path);
    free(path);
}

static void
test_run_unknown_column_is_a_usage_error(void **state)
{
    (void)state;
    const char *in = "status,bytes\n200,1\n";
    char *path = write_temp(in, strlen(in));
    struct tally_opts o = csv_opts();
    o.group_by = "stauts";
    struct result r = run(&o, path);
    assert_int_equal(r.rc, TALLY_EUSAGE);
    assert_string_equal(r.d.msg, "-g: unknown column \"stauts\" (did you mean \"status\"?)");
    assert_string_equal(r.out, "");
    result_fini(&r);
    unlink(path);
    free(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_select_prints_chosen_columns_in_input_order),
        cmocka_unit_test(test_run_where_filters_before_aggregating),
        cmocka_unit_test(test_run_sort_and_limit_order_the_groups),
        cmocka_unit_test(test_run_aggregate_without_groups_gives_one_row),
        cmocka_unit_test(test_run_output_is_the_same_with_one_and_three_threads),
        cmocka_unit_test(test_run_reports_skipped_rows_and_non_numeric_values),
        cmocka_unit_test(test_run_strict_mode_fails_at_the_malformed_row),
        cmocka_unit_test(test_run_unknown_column_is_a_usage_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
