/* Unit tests for exec.c: the execution choices taken from the options and
 * from what the output is, apart from the plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/exec.h"

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
test_exec_copies_the_options_that_say_how_to_run(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.threads = 3;
    o.progress = 1;
    o.output = TALLY_FMT_JSON;
    o.output_set = true;
    o.no_header_out = true;
    FILE *f = tmpfile();
    assert_non_null(f);
    struct tally_exec x;
    tally_exec_init(&x, &o, fileno(f));
    assert_int_equal(x.threads, 3);
    assert_int_equal(x.progress, 1);
    assert_int_equal(x.output, TALLY_FMT_JSON);
    assert_false(x.out_opts.header);
    fclose(f);
}

static void
test_exec_off_a_terminal_is_csv_without_colour_on_every_core(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    FILE *f = tmpfile();
    assert_non_null(f);
    struct tally_exec x;
    tally_exec_init(&x, &o, fileno(f));
    assert_int_equal(x.output, TALLY_FMT_CSV);
    assert_false(x.out_opts.color);
    assert_true(x.out_opts.header);
    assert_true(x.threads >= 1 && x.threads <= 256);
    assert_int_equal(x.progress, -1);
    fclose(f);
}

static void
test_exec_dumb_terminal_draws_ascii(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    FILE *f = tmpfile();
    assert_non_null(f);
    setenv("TERM", "dumb", 1);
    setenv("LC_ALL", "en_US.UTF-8", 1);
    struct tally_exec x;
    tally_exec_init(&x, &o, fileno(f));
    assert_true(x.out_opts.ascii);
    setenv("TERM", "xterm", 1);
    tally_exec_init(&x, &o, fileno(f));
    assert_false(x.out_opts.ascii);
    fclose(f);
}

/* The origin: 0, or Hadoop Streaming's split offset when it is a decimal
 * number; the shard comes from the options. */
static void
test_exec_origin_from_the_environment(void **state)
{
    (void)state;
    struct tally_opts o = opts();
    o.shard_k = 2;
    o.shard_n = 5;
    FILE *f = tmpfile();
    assert_non_null(f);
    struct tally_exec x;
    unsetenv("mapreduce_map_input_start");
    tally_exec_init(&x, &o, fileno(f));
    assert_int_equal(x.origin, 0);
    assert_int_equal(x.shard_k, 2);
    assert_int_equal(x.shard_n, 5);
    static const struct {
        const char *v;
        uint64_t origin;
    } cases[] = {{"134217728", 134217728},
                 {"0", 0},
                 {"", 0},
                 {"12x", 0},
                 {"-5", 0},
                 {"18446744073709551615", UINT64_MAX},
                 {"18446744073709551616", 0},
                 {" 7", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setenv("mapreduce_map_input_start", cases[i].v, 1);
        tally_exec_init(&x, &o, fileno(f));
        assert_int_equal(x.origin, cases[i].origin);
    }
    unsetenv("mapreduce_map_input_start");
    fclose(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_copies_the_options_that_say_how_to_run),
        cmocka_unit_test(test_exec_off_a_terminal_is_csv_without_colour_on_every_core),
        cmocka_unit_test(test_exec_dumb_terminal_draws_ascii),
        cmocka_unit_test(test_exec_origin_from_the_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
