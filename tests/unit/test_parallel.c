/* Unit tests for parallel.c: ranges run on threads are committed in order,
 * whatever order they finish in; after a failing commit, later results are
 * dropped, and nothing is lost or freed twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "tally/parallel.h"
#include "tally/status.h"

struct ctx {
    uint32_t committed[64];
    uint32_t ncommitted;
    uint32_t dropped;
    uint32_t fail_at; /* commit of this range fails; UINT32_MAX: none */
};

static int
run_range(void *ctx, uint32_t k, uint64_t off, uint64_t len, void **result, struct tally_diag *d)
{
    (void)ctx;
    (void)d;
    /* Early ranges finish last. */
    struct timespec ts = {0, (long)(64 - k) * 100000L};
    nanosleep(&ts, NULL);
    uint64_t *r = malloc(2 * sizeof *r);
    assert_non_null(r);
    r[0] = off;
    r[1] = len;
    *result = r;
    return TALLY_OK;
}

static int
commit_range(void *ctx, uint32_t k, void *result, int status, struct tally_diag *rd,
             struct tally_diag *d)
{
    (void)rd;
    struct ctx *c = ctx;
    const uint64_t *r = result;
    assert_int_equal(status, TALLY_OK);
    assert_int_equal(r[0], (uint64_t)k * 10);
    assert_int_equal(r[1], 10);
    c->committed[c->ncommitted++] = k;
    free(result);
    if (k == c->fail_at)
        return tally_diag_fail(d, NULL, "range %u failed", k);
    return TALLY_OK;
}

static void
drop_range(void *ctx, void *result)
{
    struct ctx *c = ctx;
    c->dropped++;
    free(result);
}

static const struct tally_par_hooks hooks = {run_range, commit_range, drop_range};

static void
starts_of(uint64_t *starts, uint32_t n)
{
    for (uint32_t k = 0; k <= n; k++)
        starts[k] = (uint64_t)k * 10;
}

static void
test_parallel_commits_in_range_order(void **state)
{
    (void)state;
    uint64_t starts[33];
    starts_of(starts, 32);
    uint32_t windows[] = {0, 1, 3};
    for (size_t w = 0; w < 3; w++) {
        struct ctx c = {.fail_at = UINT32_MAX};
        struct tally_diag d;
        tally_diag_init(&d);
        assert_int_equal(tally_parallel_run(starts, 32, 4, windows[w], &hooks, &c, &d), TALLY_OK);
        assert_int_equal(c.ncommitted, 32);
        for (uint32_t k = 0; k < 32; k++)
            assert_int_equal(c.committed[k], k);
        assert_int_equal(c.dropped, 0);
    }
}

static void
test_parallel_stops_at_a_failed_commit_and_drops_the_rest(void **state)
{
    (void)state;
    uint64_t starts[33];
    starts_of(starts, 32);
    struct ctx c = {.fail_at = 5};
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_parallel_run(starts, 32, 3, 2, &hooks, &c, &d), TALLY_EDATA);
    assert_string_equal(d.msg, "range 5 failed");
    assert_int_equal(c.ncommitted, 6);
    /* A window of 2: no range more than 2 past the last committed one ran,
     * so at most the 2 after the failure are dropped; none ran later. */
    assert_true(c.dropped <= 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_commits_in_range_order),
        cmocka_unit_test(test_parallel_stops_at_a_failed_commit_and_drops_the_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
