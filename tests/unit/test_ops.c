/* Unit tests for ops.c: every aggregate against hand-computed values and
 * edge cases, and merging at random split points giving the same bits as
 * one pass. Cells reach update the way run.c filters them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/ops.h"

struct agg {
    const struct tally_op *op;
    struct tally_op_param param;
};

static struct agg
find(const char *name)
{
    struct agg a = {NULL, {-1}};
    if (strcmp(name, "count:") == 0)
        a.op = tally_op_count_col();
    else
        a.op = tally_op_find(name, strlen(name), &a.param, NULL);
    assert_non_null(a.op);
    assert_int_equal(a.op->state_size % 8, 0);
    return a;
}

static void *
new_state(const struct agg *a)
{
    void *st = malloc(a->op->state_size);
    assert_non_null(st);
    memset(st, 0xa5, a->op->state_size); /* init must not rely on zeroed memory */
    a->op->init(st);
    return st;
}

static void
free_state(const struct agg *a, void *st)
{
    if (a->op->fini)
        a->op->fini(st);
    free(st);
}

/* Feeds one value as run.c would: the filter by input kind happens here. */
static void
feed(const struct agg *a, void *st, const char *text)
{
    struct tally_cell c;
    c.text = tally_slice_cstr(text);
    tally_parse_number(c.text, &c.num);
    switch (a->op->input) {
    case TALLY_IN_ROW:
        a->op->update(st, NULL);
        break;
    case TALLY_IN_NUMBER:
        if (c.num.kind != TALLY_NUM_NONE)
            a->op->update(st, &c);
        break;
    case TALLY_IN_TEXT:
        if (c.text.len)
            a->op->update(st, &c);
        break;
    }
}

/* The result of one pass over vals; text results are copied into textbuf. */
static struct tally_value
run(const char *name, const char *const *vals, size_t n, char *textbuf)
{
    struct agg a = find(name);
    void *st = new_state(&a);
    for (size_t i = 0; i < n; i++)
        feed(&a, st, vals[i]);
    struct tally_value v;
    a.op->final(st, &a.param, &v);
    if (v.kind == TALLY_VAL_TEXT) {
        assert_true(v.s.len < 256);
        memcpy(textbuf, v.s.ptr, v.s.len);
        textbuf[v.s.len] = '\0';
        v.s.ptr = textbuf;
    }
    free_state(&a, st);
    return v;
}

#define RUN(name, tb, ...)                                                                         \
    run(name, (const char *const[]){__VA_ARGS__},                                                  \
        sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *), tb)

static void
expect_int(struct tally_value v, int64_t want)
{
    assert_int_equal(v.kind, TALLY_VAL_INT);
    assert_true(v.i == want);
}

static void
expect_real(struct tally_value v, double want)
{
    assert_int_equal(v.kind, TALLY_VAL_REAL);
    if (memcmp(&v.d, &want, sizeof want) != 0)
        fail_msg("got %.17g, want %.17g", v.d, want);
}

static void
expect_text(struct tally_value v, const char *want)
{
    assert_int_equal(v.kind, TALLY_VAL_TEXT);
    assert_int_equal(v.s.len, strlen(want));
    assert_memory_equal(v.s.ptr, want, v.s.len);
}

static void
test_ops_find_knows_every_aggregate_and_rejects_bad_percentiles(void **state)
{
    (void)state;
    static const char *const names[] = {"count", "sum",    "min",      "max",   "mean", "stddev",
                                        "var",   "median", "distinct", "first", "last", "mode"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const struct tally_op *op = tally_op_find(names[i], strlen(names[i]), NULL, NULL);
        assert_non_null(op);
        assert_string_equal(op->name, names[i]);
    }
    struct tally_op_param p = {-1};
    assert_non_null(tally_op_find("median", 6, &p, NULL));
    assert_true(p.p == 50.0);
    static const struct {
        const char *name;
        double p;
    } good[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}, {"p0", 0}, {"p100", 100}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        p.p = -1;
        const struct tally_op *op = tally_op_find(good[i].name, strlen(good[i].name), &p, NULL);
        assert_non_null(op);
        assert_string_equal(op->name, "p");
        assert_true(p.p == good[i].p);
    }
    static const char *const bad[] = {"p",       "pabc",    "p101", "p100.5", "p-1",    "p1e1",
                                      "p50.",    "p.5",     "sums", "Sum",    "count:", "",
                                      "median5", "medianx", "p 50", "p50x",   "var2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* Unknown names: no op explains itself, so -a says "unknown aggregate". */
        const char *why = "unset";
        assert_null(tally_op_find(bad[i], strlen(bad[i]), &p, &why));
        assert_null(why);
    }
    /* The length decides, not a NUL: "sum" inside "summary". */
    assert_non_null(tally_op_find("summary", 3, NULL, NULL));
    assert_int_equal(tally_op_count_col()->input, TALLY_IN_TEXT);
    assert_int_equal(tally_op_find("count", 5, NULL, NULL)->input, TALLY_IN_ROW);
    assert_non_null(strstr(tally_op_names(), "median"));
}

static void
test_ops_parse_hooks_own_parameters_and_the_rest_match_exactly(void **state)
{
    (void)state;
    const struct tally_op *median = tally_op_find("median", 6, NULL, NULL);
    const struct tally_op *pct = tally_op_find("p1", 2, NULL, NULL);
    assert_non_null(median->parse);
    assert_non_null(pct->parse);
    /* The hook sees only the text after the name and fills the parameter. */
    struct tally_op_param p = {0};
    const char *why = NULL;
    assert_true(pct->parse("12.5", 4, &p, &why));
    assert_true(p.p == 12.5);
    assert_false(pct->parse("", 0, &p, &why));
    assert_false(pct->parse("200", 3, &p, &why));
    assert_true(median->parse("", 0, &p, &why));
    assert_true(p.p == 50.0);
    assert_false(median->parse("1", 1, &p, &why));
    assert_null(why);
    static const char *const plain[] = {"count", "sum",      "min",   "max",  "mean", "stddev",
                                        "var",   "distinct", "first", "last", "mode"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        assert_null(tally_op_find(plain[i], strlen(plain[i]), NULL, NULL)->parse);
    assert_null(tally_op_count_col()->parse);
    /* Ops without a parameter get a zeroed one, whatever the caller held. */
    p.p = 42;
    assert_non_null(tally_op_find("sum", 3, &p, NULL));
    assert_true(p.p == 0);
}

static void
test_ops_count_counts_rows_and_count_col_counts_non_empty_values(void **state)
{
    (void)state;
    char tb[256];
    expect_int(RUN("count", tb, "a", "", "-", "3"), 4);
    expect_int(RUN("count:", tb, "a", "", "-", "3"), 3);
    expect_int(run("count", NULL, 0, tb), 0);
    expect_int(RUN("count:", tb, "", ""), 0);
}

static void
test_ops_sum_of_integers_is_an_exact_int(void **state)
{
    (void)state;
    char tb[256];
    expect_int(RUN("sum", tb, "1", "2", "3", "n/a", "-", ""), 6);
    expect_int(RUN("sum", tb, "-5", "+3"), -2);
    /* Partial sums leave int64 but the total fits: still exact. */
    expect_int(RUN("sum", tb, "9223372036854775807", "9223372036854775807", "-9223372036854775807"),
               INT64_MAX);
    expect_int(RUN("sum", tb, "-9223372036854775808", "0"), INT64_MIN);
}

static void
test_ops_sum_beyond_int64_falls_back_to_real(void **state)
{
    (void)state;
    char tb[256];
    expect_real(RUN("sum", tb, "9223372036854775807", "1"), 9223372036854775808.0);
    expect_real(RUN("sum", tb, "-9223372036854775808", "-1"), -9223372036854775809.0);
    /* Exact first, rounded once: 2^64 + 1 rounds to 2^64. */
    expect_real(RUN("sum", tb, "9223372036854775807", "9223372036854775807", "3"),
                18446744073709551616.0);
}

static void
test_ops_sum_of_decimals_is_exact_before_rounding(void **state)
{
    (void)state;
    char tb[256];
    expect_real(RUN("sum", tb, "0.1", "0.2"), 0.3);
    expect_real(RUN("sum", tb, "1", "2.5"), 3.5);
    expect_real(RUN("sum", tb, "1", "2.0"), 3.0); /* a decimal input makes it REAL */
    expect_real(RUN("sum", tb, "0.1", "0.1", "0.1", "-0.3"), 0.0);
    expect_real(RUN("sum", tb, "1e-3", "2E-3", "1.5e2"), 150.003);
    expect_real(RUN("sum", tb, "-0.000000000000000000000000000001", "1"),
                0.999999999999999999999999999999);
    expect_real(RUN("sum", tb, "3.5"), 3.5);
}

static void
test_ops_sum_of_extreme_doubles_is_exact(void **state)
{
    (void)state;
    char tb[256];
    expect_real(RUN("sum", tb, "1.7976931348623157e308", "5e-324", "-1.7976931348623157e308"),
                5e-324);
    expect_real(RUN("sum", tb, "5e-324", "5e-324"), 1e-323);
    expect_real(RUN("sum", tb, "1e308", "1e308"), INFINITY);
    expect_real(RUN("sum", tb, "-1e308", "-1e308"), -INFINITY);
    expect_real(RUN("sum", tb, "1e300", "0.1", "-1e300"), 0.1);
    expect_real(RUN("sum", tb, "1e400"), INFINITY);
    struct tally_value v = RUN("sum", tb, "1e400", "-1e400");
    assert_int_equal(v.kind, TALLY_VAL_REAL);
    assert_true(isnan(v.d));
}

static void
test_ops_numeric_aggregates_of_nothing_are_empty(void **state)
{
    (void)state;
    char tb[256];
    static const char *const numeric[] = {"sum",    "min",   "max",   "mean", "stddev", "var",
                                          "median", "p99.9", "first", "last", "mode"};
    for (size_t i = 0; i < sizeof numeric / sizeof numeric[0]; i++) {
        assert_int_equal(RUN(numeric[i], tb, "", "-", "n/a").kind,
                         i < 8 ? TALLY_VAL_EMPTY : TALLY_VAL_TEXT);
        assert_int_equal(run(numeric[i], NULL, 0, tb).kind, TALLY_VAL_EMPTY);
        assert_int_equal(RUN(numeric[i], tb, "", "").kind, TALLY_VAL_EMPTY);
    }
    expect_int(RUN("distinct", tb, "", ""), 0);
}

static void
test_ops_min_and_max_keep_the_winning_input_kind(void **state)
{
    (void)state;
    char tb[256];
    expect_int(RUN("min", tb, "3", "-2", "2.5"), -2);
    expect_int(RUN("max", tb, "3", "-2", "2.5"), 3);
    expect_real(RUN("max", tb, "3", "-2", "3.5"), 3.5);
    /* Equal values: the first one seen wins. */
    expect_real(RUN("min", tb, "2.0", "2"), 2.0);
    expect_int(RUN("min", tb, "2", "2.0"), 2);
    /* Integers above 2^53 compare exactly against doubles. */
    expect_int(RUN("max", tb, "9007199254740992.0", "9007199254740993"), 9007199254740993);
    expect_real(RUN("min", tb, "9007199254740993", "9007199254740992.0"), 9007199254740992.0);
    expect_int(RUN("max", tb, "-9223372036854775808", "-9223372036854775809"), INT64_MIN);
    expect_real(RUN("min", tb, "1e-300", "5e-324"), 5e-324);
    expect_real(RUN("max", tb, "-1e308", "1.7976931348623157e308"), 1.7976931348623157e308);
    expect_int(RUN("min", tb, "7"), 7);
}

static void
test_ops_mean_is_real(void **state)
{
    (void)state;
    char tb[256];
    expect_real(RUN("mean", tb, "1", "2"), 1.5);
    expect_real(RUN("mean", tb, "7"), 7.0);
    expect_real(RUN("mean", tb, "0.1", "0.2"), 0.15);
    expect_real(RUN("mean", tb, "-1", "-2", "-4"), -7.0 / 3.0);
    expect_real(RUN("mean", tb, "9223372036854775807", "9223372036854775807"),
                9223372036854775807.0);
    expect_real(RUN("mean", tb, "1.7976931348623157e308", "1.7976931348623157e308"), INFINITY);
}

static void
test_ops_var_and_stddev_are_sample_statistics(void **state)
{
    (void)state;
    char tb[256];
    expect_real(RUN("var", tb, "1", "2", "3", "4"), 5.0 / 3.0);
    expect_real(RUN("stddev", tb, "1", "2", "3", "4"), sqrt(5.0 / 3.0));
    expect_real(RUN("var", tb, "2", "4"), 2.0);
    assert_int_equal(RUN("var", tb, "5").kind, TALLY_VAL_EMPTY);
    assert_int_equal(RUN("stddev", tb, "5", "x").kind, TALLY_VAL_EMPTY);
    expect_real(RUN("var", tb, "3", "3", "3"), 0.0);
    /* Exact sums: no cancellation around a large mean. */
    expect_real(RUN("var", tb, "1000000000.1", "1000000000.2", "1000000000.3"), 0.01);
    expect_real(RUN("var", tb, "-1.5", "1.5"), 4.5);
    expect_real(RUN("var", tb, "1e-3", "3e-3"), 2e-6);
    /* Beyond short decimals the values count as their doubles, and the
     * results are still the exact answer rounded once (checked against
     * Python's statistics on Fractions). */
    expect_real(RUN("var", tb, "1e100", "3e100"), 0x1.4e718d7d76259p+665);
    expect_real(RUN("stddev", tb, "1e100", "3e100"), 0x1.9dce3e3d94c83p+332);
    expect_real(RUN("var", tb, "0.0000000001", "0.0000000003"), 0x1.79ca10c924223p-66);
    expect_real(RUN("stddev", tb, "0.0000000001", "0.0000000003"), 0x1.36fd255a2213bp-33);
    /* An infinite input makes both NaN (undefined), as in R and numpy. */
    struct tally_value v = RUN("var", tb, "1", "1e400");
    assert_int_equal(v.kind, TALLY_VAL_REAL);
    assert_true(isnan(v.d));
    v = RUN("stddev", tb, "-1e400", "2");
    assert_int_equal(v.kind, TALLY_VAL_REAL);
    assert_true(isnan(v.d));
}

static void
test_ops_percentiles_interpolate_between_closest_ranks(void **state)
{
    (void)state;
    char tb[256];
    expect_real(RUN("median", tb, "4", "1", "3", "2"), 2.5);
    expect_real(RUN("median", tb, "5", "1", "3"), 3.0);
    expect_real(RUN("median", tb, "42"), 42.0);
    expect_real(RUN("p0", tb, "4", "1", "3", "2"), 1.0);
    expect_real(RUN("p100", tb, "4", "1", "3", "2"), 4.0);
    /* numpy.percentile([15, 20, 35, 40, 50], 90) == 46.0 */
    expect_real(RUN("p90", tb, "50", "15", "40", "20", "35"), 46.0);
    /* p99.9 of 1..10: rank 0.999 * 9 = 8.991, between 9 and 10. */
    double rank = 99.9 / 100.0 * 9.0;
    expect_real(RUN("p99.9", tb, "10", "9", "8", "7", "6", "5", "4", "3", "2", "1"),
                9.0 + (10.0 - 9.0) * (rank - 8.0));
    expect_real(RUN("p25", tb, "-1", "-3", "-2"), -2.5);
    expect_real(RUN("p50", tb, "2", "2", "2", "1", "3"), 2.0);
    expect_real(RUN("median", tb, "1e308", "1.7976931348623157e308"),
                1e308 + (1.7976931348623157e308 - 1e308) * 0.5);
    expect_real(RUN("median", tb, "5e-324", "0"), 0.0);
    expect_real(RUN("p100", tb, "5e-324", "0"), 5e-324);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void
test_ops_percentiles_match_a_sorted_reference(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    static const double ps[] = {0, 1, 10, 25, 33.3, 50, 75, 90, 99, 99.9, 100};
    char texts[300][24];
    const char *vals[300];
    double sorted[300];
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)(round * 7 % 300);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            /* Few distinct values on some rounds, to exercise duplicates. */
            long v = (long)(seed >> 33) % (round % 3 ? 1000 : 5) - (round % 3 ? 500 : 2);
            snprintf(texts[i], sizeof texts[i], "%ld", v);
            vals[i] = texts[i];
            sorted[i] = (double)v;
        }
        qsort(sorted, n, sizeof *sorted, cmp_double);
        for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) {
            char name[16], tb[8];
            snprintf(name, sizeof name, "p%g", ps[j]);
            double rank = ps[j] / 100.0 * (double)(n - 1);
            size_t k = (size_t)floor(rank);
            double want = sorted[k];
            if (rank > (double)k && sorted[k + 1] != sorted[k])
                want = sorted[k] + (sorted[k + 1] - sorted[k]) * (rank - (double)k);
            expect_real(run(name, vals, n, tb), want);
        }
    }
}

static void
test_ops_distinct_counts_exact_non_empty_values(void **state)
{
    (void)state;
    char tb[256];
    expect_int(RUN("distinct", tb, "a", "b", "a", "", "A", "b "), 4);
    expect_int(RUN("distinct", tb, "1", "1.0", "01"), 3); /* bytes, not numbers */
    char texts[5000][8];
    const char *vals[5000];
    for (int i = 0; i < 5000; i++) {
        snprintf(texts[i], sizeof texts[i], "v%d", i % 1234);
        vals[i] = texts[i];
    }
    expect_int(run("distinct", vals, 5000, tb), 1234);
}

static void
test_ops_first_and_last_copy_the_non_empty_ends(void **state)
{
    (void)state;
    char tb[256];
    expect_text(RUN("first", tb, "", "x", "yy", "", "z"), "x");
    expect_text(RUN("last", tb, "", "x", "a much longer value", "zz", ""), "zz");
    expect_text(RUN("last", tb, "short", "a much longer value than any before it"),
                "a much longer value than any before it");
    expect_text(RUN("first", tb, "-", "1"), "-");
}

static void
test_ops_mode_breaks_ties_by_first_seen(void **state)
{
    (void)state;
    char tb[256];
    expect_text(RUN("mode", tb, "b", "a", "a", "b", "c"), "b");
    expect_text(RUN("mode", tb, "b", "a", "a", "", "", ""), "a");
    expect_text(RUN("mode", tb, "only"), "only");
    expect_text(RUN("mode", tb, "x", "y", "z", "z"), "z");
}

/* ---- merging at random split points */

static bool
same_value(struct tally_value a, struct tally_value b)
{
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case TALLY_VAL_EMPTY:
        return true;
    case TALLY_VAL_INT:
        return a.i == b.i;
    case TALLY_VAL_REAL:
        return memcmp(&a.d, &b.d, sizeof a.d) == 0;
    case TALLY_VAL_TEXT:
        return tally_slice_eq(a.s, b.s);
    }
    return false;
}

static void
describe(struct tally_value v, char *buf, size_t size)
{
    switch (v.kind) {
    case TALLY_VAL_EMPTY:
        snprintf(buf, size, "(empty)");
        break;
    case TALLY_VAL_INT:
        snprintf(buf, size, "int %lld", (long long)v.i);
        break;
    case TALLY_VAL_REAL:
        snprintf(buf, size, "real %.17g", v.d);
        break;
    case TALLY_VAL_TEXT:
        snprintf(buf, size, "text %.*s", TALLY_SLICE_FMT(v.s));
        break;
    }
}

/* One pass over vals against parts cut at `cuts` and merged in order. */
static void
check_split(const char *name, const char *const *vals, size_t n, const size_t *cuts, size_t ncuts)
{
    struct agg a = find(name);
    void *whole = new_state(&a);
    for (size_t i = 0; i < n; i++)
        feed(&a, whole, vals[i]);
    void *dst = new_state(&a);
    size_t from = 0;
    for (size_t c = 0; c <= ncuts; c++) {
        size_t to = c < ncuts ? cuts[c] : n;
        void *part = new_state(&a);
        for (size_t i = from; i < to; i++)
            feed(&a, part, vals[i]);
        a.op->merge(dst, part);
        free_state(&a, part);
        from = to;
    }
    struct tally_value want, got;
    a.op->final(whole, &a.param, &want);
    a.op->final(dst, &a.param, &got);
    if (!same_value(want, got)) {
        char w[300], g[300];
        describe(want, w, sizeof w);
        describe(got, g, sizeof g);
        fail_msg("%s over %zu values, %zu cuts: one pass %s, merged %s", name, n, ncuts, w, g);
    }
    free_state(&a, whole);
    free_state(&a, dst);
}

static uint64_t
next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Values that every aggregate handles exactly (including var and stddev). */
static const char *const tame[] = {
    "1",     "-7",  "12.5",     "0.1",    "0.2",    "3",   "-0.003", "1e-3", "2.5E2", "",
    "-",     "n/a", "100",      "42",     "42",     "abc", "abc",    "0",    "-0",    "99.99",
    "7.125", "1e5", "-12.0625", "0.0001", "123456", "-8",  "5.",     ".5",   "x",     "x"};

/* Values at the edges: huge, tiny, many digits, int64 limits. */
static const char *const wild[] = {"1.7976931348623157e308",
                                   "-1.7976931348623157e308",
                                   "5e-324",
                                   "1e-300",
                                   "9223372036854775807",
                                   "-9223372036854775808",
                                   "0.1",
                                   "3.14159265358979323846264338327950288",
                                   "1e400",
                                   "123456789012345678901234567890",
                                   "2.2250738585072014e-308",
                                   "1e22",
                                   "-1e-10",
                                   "7",
                                   "",
                                   "t"};

static void
check_random_splits(const char *const *ops_list, size_t nops, const char *const *pool, size_t npool,
                    uint64_t seed)
{
    const char *vals[200];
    for (int round = 0; round < 60; round++) {
        size_t n = 1 + next_rand(&seed) % 200;
        for (size_t i = 0; i < n; i++)
            vals[i] = pool[next_rand(&seed) % npool];
        size_t cuts[8], ncuts = 1 + next_rand(&seed) % 8;
        for (size_t c = 0; c < ncuts; c++)
            cuts[c] = next_rand(&seed) % (n + 1);
        for (size_t c = 1; c < ncuts; c++) /* sorted, repeats allowed (empty parts) */
            for (size_t d = c; d > 0 && cuts[d - 1] > cuts[d]; d--) {
                size_t t = cuts[d];
                cuts[d] = cuts[d - 1];
                cuts[d - 1] = t;
            }
        for (size_t k = 0; k < nops; k++)
            check_split(ops_list[k], vals, n, cuts, ncuts);
    }
}

static const char *const all_ops[] = {"count",  "count:",   "sum",    "min",  "max", "mean",
                                      "stddev", "var",      "median", "p0",   "p90", "p99.9",
                                      "p100",   "distinct", "first",  "last", "mode"};

static void
test_ops_merge_at_random_splits_equals_one_pass(void **state)
{
    (void)state;
    check_random_splits(all_ops, sizeof all_ops / sizeof all_ops[0], tame,
                        sizeof tame / sizeof tame[0], 0x1234567u);
}

/* Values with many decimals, huge and tiny magnitudes and both signs, all
 * finite: var and stddev sum them exactly too, with no infinity to hide a
 * difference behind NaN. */
static const char *const digits[] = {"0.1234567890123456789",
                                     "-98765.43210987654321",
                                     "1e-300",
                                     "-2.5e-310",
                                     "1.5e300",
                                     "-7e299",
                                     "3.000000000001",
                                     "1000000000.0000000001",
                                     "0.3",
                                     "-0.7",
                                     "12",
                                     "4.9e-324",
                                     "1e154",
                                     "-1.3e154",
                                     "123456789.123456789",
                                     "0.0000000001",
                                     ""};

static void
test_ops_merge_of_extreme_values_equals_one_pass(void **state)
{
    (void)state;
    check_random_splits(all_ops, sizeof all_ops / sizeof all_ops[0], wild,
                        sizeof wild / sizeof wild[0], 0xfeedbeefu);
    check_random_splits(all_ops, sizeof all_ops / sizeof all_ops[0], digits,
                        sizeof digits / sizeof digits[0], 0xabcdef12u);
}

/* The state of vals[from, to) from a random merge tree: one pass, or the
 * merge of the two halves cut at a random point (the left one first). */
static void *
tree_state(const struct agg *a, const char *const *vals, size_t from, size_t to, uint64_t *seed)
{
    void *st = new_state(a);
    if (to - from < 2 || next_rand(seed) % 4 == 0) {
        for (size_t i = from; i < to; i++)
            feed(a, st, vals[i]);
        return st;
    }
    size_t cut = from + next_rand(seed) % (to - from + 1);
    void *left = tree_state(a, vals, from, cut, seed);
    void *right = tree_state(a, vals, cut, to, seed);
    a->op->merge(st, left);
    a->op->merge(st, right);
    free_state(a, left);
    free_state(a, right);
    return st;
}

static void
check_random_trees(const char *const *pool, size_t npool, uint64_t seed)
{
    const char *vals[300];
    for (int round = 0; round < 40; round++) {
        size_t n = 1 + next_rand(&seed) % 300;
        for (size_t i = 0; i < n; i++)
            vals[i] = pool[next_rand(&seed) % npool];
        for (size_t k = 0; k < sizeof all_ops / sizeof all_ops[0]; k++) {
            struct agg a = find(all_ops[k]);
            void *one = new_state(&a);
            for (size_t i = 0; i < n; i++)
                feed(&a, one, vals[i]);
            void *tree = tree_state(&a, vals, 0, n, &seed);
            struct tally_value want, got;
            a.op->final(one, &a.param, &want);
            a.op->final(tree, &a.param, &got);
            if (!same_value(want, got)) {
                char w[300], g[300];
                describe(want, w, sizeof w);
                describe(got, g, sizeof g);
                fail_msg("%s over %zu values: one pass %s, merge tree %s", all_ops[k], n, w, g);
            }
            free_state(&a, one);
            free_state(&a, tree);
        }
    }
}

static void
test_ops_merge_trees_equal_one_pass(void **state)
{
    (void)state;
    check_random_trees(tame, sizeof tame / sizeof tame[0], 0x51u);
    check_random_trees(wild, sizeof wild / sizeof wild[0], 0x52u);
    check_random_trees(digits, sizeof digits / sizeof digits[0], 0x53u);
}

static void
test_ops_merge_at_every_split_point_equals_one_pass(void **state)
{
    (void)state;
    size_t n = sizeof tame / sizeof tame[0];
    for (size_t k = 0; k < sizeof all_ops / sizeof all_ops[0]; k++)
        for (size_t cut = 0; cut <= n; cut++)
            check_split(all_ops[k], tame, n, &cut, 1);
}

static void
test_ops_merge_of_many_integer_parts_stays_int(void **state)
{
    (void)state;
    const char *vals[] = {"9223372036854775807", "9223372036854775807", "-9223372036854775807",
                          "-9223372036854775807", "5"};
    size_t cuts[] = {1, 2, 3, 4};
    check_split("sum", vals, 5, cuts, 4);
    char tb[8];
    expect_int(run("sum", vals, 5, tb), 5);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops_find_knows_every_aggregate_and_rejects_bad_percentiles),
        cmocka_unit_test(test_ops_parse_hooks_own_parameters_and_the_rest_match_exactly),
        cmocka_unit_test(test_ops_count_counts_rows_and_count_col_counts_non_empty_values),
        cmocka_unit_test(test_ops_sum_of_integers_is_an_exact_int),
        cmocka_unit_test(test_ops_sum_beyond_int64_falls_back_to_real),
        cmocka_unit_test(test_ops_sum_of_decimals_is_exact_before_rounding),
        cmocka_unit_test(test_ops_sum_of_extreme_doubles_is_exact),
        cmocka_unit_test(test_ops_numeric_aggregates_of_nothing_are_empty),
        cmocka_unit_test(test_ops_min_and_max_keep_the_winning_input_kind),
        cmocka_unit_test(test_ops_mean_is_real),
        cmocka_unit_test(test_ops_var_and_stddev_are_sample_statistics),
        cmocka_unit_test(test_ops_percentiles_interpolate_between_closest_ranks),
        cmocka_unit_test(test_ops_percentiles_match_a_sorted_reference),
        cmocka_unit_test(test_ops_distinct_counts_exact_non_empty_values),
        cmocka_unit_test(test_ops_first_and_last_copy_the_non_empty_ends),
        cmocka_unit_test(test_ops_mode_breaks_ties_by_first_seen),
        cmocka_unit_test(test_ops_merge_at_random_splits_equals_one_pass),
        cmocka_unit_test(test_ops_merge_of_extreme_values_equals_one_pass),
        cmocka_unit_test(test_ops_merge_trees_equal_one_pass),
        cmocka_unit_test(test_ops_merge_at_every_split_point_equals_one_pass),
        cmocka_unit_test(test_ops_merge_of_many_integer_parts_stays_int),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
