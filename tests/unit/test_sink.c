/* Unit tests for the sinks' verbs: an aggregate's snapshot writes the
 * groups so far and leaves its states as they were, so rows and the end
 * follow; locals combine in input order; the row sink's pause pushes the
 * rows kept so far to the output before the end. */
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
#include "tally/numcache.h"
#include "tally/output.h"
#include "tally/plan.h"
#include "tally/sink.h"
#include "tally/status.h"

/* A plan, its sink writing CSV into a temp file, and the main local. */
struct fixture {
    struct tally_plan p;
    struct tally_exec x;
    struct tally_writer *w;
    struct tally_report rep;
    struct tally_sink sink;
    struct tally_numcache nums;
    void *local;
    FILE *out;
    uint64_t line;
};

static void
fixture_open(struct fixture *f, const char *group_by, const char *aggs, const char *select)
{
    memset(f, 0, sizeof *f);
    struct tally_opts o;
    memset(&o, 0, sizeof o);
    o.limit = -1;
    o.output = TALLY_FMT_CSV;
    o.output_set = true;
    o.threads = 1;
    o.group_by = group_by;
    o.aggs = aggs;
    o.select = select;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_plan_build(&f->p, &o, &d), TALLY_OK);
    f->out = tmpfile();
    assert_non_null(f->out);
    tally_exec_init(&f->x, &o, fileno(f->out));
    assert_int_equal(tally_output_open(&f->w, f->x.output, fileno(f->out), &f->x.out_opts),
                     TALLY_OK);
    struct tally_sink_conf c = {&f->p, &f->x, f->w, &f->rep, 2026, 1};
    assert_int_equal(tally_sink_open(&f->sink, &c, &d), TALLY_OK);
    assert_int_equal(f->sink.ops->local_new(f->sink.state, false, &f->nums, &f->local, &d),
                     TALLY_OK);
    /* The header k,v, as the drive loop binds it. */
    struct tally_slice names[2] = {tally_slice_cstr("k"), tally_slice_cstr("v")};
    struct tally_row hdr = {names, 2, "t.csv", 1};
    struct tally_header h;
    tally_header_init(&h, &hdr);
    assert_int_equal(tally_plan_bind(&f->p, &h, &d), TALLY_OK);
    tally_header_fini(&h);
    tally_numcache_size(&f->nums, 2);
    assert_int_equal(f->sink.ops->bound(f->sink.state, 2, &d), TALLY_OK);
    f->line = 1;
}

/* One row k,v into local (the main one, or a range's). */
static void
push(struct fixture *f, void *local, const char *k, const char *v)
{
    struct tally_slice fields[2] = {tally_slice_cstr(k), tally_slice_cstr(v)};
    struct tally_row row = {fields, 2, "t.csv", ++f->line};
    struct tally_diag d;
    tally_diag_init(&d);
    tally_numcache_next_row(&f->nums);
    assert_int_equal(f->sink.ops->row(local, &row, &d), TALLY_OK);
}

/* Everything written to the output so far, NUL-terminated (to free). */
static char *
written(struct fixture *f)
{
    long n = lseek(fileno(f->out), 0, SEEK_END);
    assert_true(n >= 0);
    char *s = calloc((size_t)n + 1, 1);
    assert_non_null(s);
    assert_int_equal(pread(fileno(f->out), s, (size_t)n, 0), n);
    return s;
}

static void
fixture_close(struct fixture *f)
{
    tally_sink_close(&f->sink);
    tally_numcache_fini(&f->nums);
    tally_output_free(f->w);
    tally_report_fini(&f->rep);
    tally_plan_fini(&f->p);
    fclose(f->out);
}

static void
test_sink_agg_snapshot_writes_the_groups_so_far_and_keeps_them(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f, "k", "count,sum:v,median:v,first:v", NULL);
    struct tally_diag d;
    tally_diag_init(&d);
    push(&f, f.local, "b", "2");
    push(&f, f.local, "a", "1.5");
    push(&f, f.local, "b", "4");
    assert_int_equal(f.sink.ops->snapshot(f.sink.state, &d), TALLY_OK);
    char *first = written(&f);
    assert_string_equal(first, "k,count,sum_v,median_v,first_v\n"
                               "a,1,1.5,1.5,1.5\n"
                               "b,2,6,3,2\n");
    free(first);
    /* The states go on from where they were: a second snapshot and the end
     * see the rows before it too. */
    push(&f, f.local, "a", "0.5");
    push(&f, f.local, "c", "7");
    assert_int_equal(f.sink.ops->snapshot(f.sink.state, &d), TALLY_OK);
    push(&f, f.local, "b", "9");
    assert_int_equal(f.sink.ops->end(f.sink.state, &d), TALLY_OK);
    char *all = written(&f);
    assert_string_equal(all, "k,count,sum_v,median_v,first_v\n"
                             "a,1,1.5,1.5,1.5\n"
                             "b,2,6,3,2\n"
                             "k,count,sum_v,median_v,first_v\n"
                             "a,2,2,1,1.5\n"
                             "b,2,6,3,2\n"
                             "c,1,7,7,7\n"
                             "k,count,sum_v,median_v,first_v\n"
                             "a,2,2,1,1.5\n"
                             "b,3,15,4,2\n"
                             "c,1,7,7,7\n");
    free(all);
    fixture_close(&f);
}

static void
test_sink_agg_combines_ranges_in_input_order(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f, "k", "first:v,last:v,count", NULL);
    struct tally_diag d;
    tally_diag_init(&d);
    void *r1, *r2;
    assert_int_equal(f.sink.ops->local_new(f.sink.state, true, &f.nums, &r1, &d), TALLY_OK);
    assert_int_equal(f.sink.ops->local_new(f.sink.state, true, &f.nums, &r2, &d), TALLY_OK);
    /* Rows of the second range arrive first; combining in range order still
     * makes first/last those of the input. */
    push(&f, r2, "a", "3");
    push(&f, r2, "a", "4");
    push(&f, r1, "a", "1");
    push(&f, r1, "a", "2");
    assert_int_equal(f.sink.ops->combine(f.sink.state, r1, 0, &d), TALLY_OK);
    assert_int_equal(f.sink.ops->combine(f.sink.state, r2, 2, &d), TALLY_OK);
    assert_int_equal(f.sink.ops->end(f.sink.state, &d), TALLY_OK);
    char *out = written(&f);
    assert_string_equal(out, "k,first_v,last_v,count\na,1,4,4\n");
    free(out);
    fixture_close(&f);
}

static void
test_sink_rows_pause_pushes_kept_rows_before_the_end(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f, NULL, NULL, "v");
    struct tally_diag d;
    tally_diag_init(&d);
    push(&f, f.local, "a", "1");
    push(&f, f.local, "b", "2");
    assert_non_null(f.sink.ops->pause);
    assert_int_equal(f.sink.ops->pause(f.sink.state, &d), TALLY_OK);
    char *out = written(&f);
    assert_string_equal(out, "v\n1\n2\n");
    free(out);
    push(&f, f.local, "c", "3");
    assert_int_equal(f.sink.ops->end(f.sink.state, &d), TALLY_OK);
    out = written(&f);
    assert_string_equal(out, "v\n1\n2\n3\n");
    free(out);
    fixture_close(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sink_agg_snapshot_writes_the_groups_so_far_and_keeps_them),
        cmocka_unit_test(test_sink_agg_combines_ranges_in_input_order),
        cmocka_unit_test(test_sink_rows_pause_pushes_kept_rows_before_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
