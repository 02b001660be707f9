/* Unit tests for cli.c: every option and its long form fills struct
 * tally_opts, -w accumulates, bad values and unknown options give the usage
 * messages, -- ends options, and the remaining arguments are the files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/cli.h"
#include "tally/status.h"

#define MAXARGS 64

/* getopt permutes argv, so the arguments live in writable storage. */
struct args {
    char store[MAXARGS][256];
    char *argv[MAXARGS + 1];
    int argc;
};

static void
args_set(struct args *a, const char *const *list)
{
    a->argc = 0;
    snprintf(a->store[0], sizeof a->store[0], "tally");
    a->argv[a->argc++] = a->store[0];
    for (; *list; list++) {
        snprintf(a->store[a->argc], sizeof a->store[0], "%s", *list);
        a->argv[a->argc] = a->store[a->argc];
        a->argc++;
    }
    a->argv[a->argc] = NULL;
}

static struct args g_args;
static struct tally_diag g_diag;

/* Parses "tally" followed by the NULL-terminated arguments. */
static int
parse_list(struct tally_opts *o, const char *const *list)
{
    args_set(&g_args, list);
    tally_diag_init(&g_diag);
    return tally_cli_parse(o, g_args.argc, g_args.argv, &g_diag);
}

#define PARSE(o, ...) parse_list((o), (const char *const[]){__VA_ARGS__, NULL})

static void
expect_usage(const char *const *list, const char *msg)
{
    struct tally_opts o;
    int rc = parse_list(&o, list);
    tally_cli_fini(&o);
    assert_int_equal(rc, TALLY_EUSAGE);
    assert_int_equal(g_diag.status, TALLY_EUSAGE);
    assert_string_equal(g_diag.msg, msg);
}

#define EXPECT_USAGE(msg, ...) expect_usage((const char *const[]){__VA_ARGS__, NULL}, (msg))

static void
test_cli_defaults_without_options(void **state)
{
    (void)state;
    struct tally_opts o;
    assert_int_equal(parse_list(&o, (const char *const[]){NULL}), TALLY_OK);
    assert_int_equal(o.format, TALLY_IN_AUTO);
    assert_int_equal(o.delim, 0);
    assert_false(o.no_header);
    assert_null(o.log);
    assert_false(o.strict);
    assert_null(o.select);
    assert_null(o.group_by);
    assert_null(o.aggs);
    assert_int_equal(o.nwheres, 0);
    assert_null(o.sort);
    assert_int_equal(o.limit, -1);
    assert_false(o.output_set);
    assert_false(o.no_header_out);
    assert_int_equal(o.progress, -1);
    assert_int_equal(o.threads, 0);
    assert_int_equal(o.max_record, 0);
    assert_int_equal(o.max_fields, 0);
    assert_int_equal(o.precision, 0);
    assert_false(o.help);
    assert_false(o.version);
    assert_int_equal(o.nfiles, 0);
    tally_cli_fini(&o);
}

static void
test_cli_short_options_fill_the_options(void **state)
{
    (void)state;
    struct tally_opts o;
    assert_int_equal(
        PARSE(&o, "-F", "csv", "-d", ";", "-n", "-s", "a,b", "-o", "json", "-j", "3", "-h", "-V"),
        TALLY_OK);
    assert_int_equal(o.format, TALLY_IN_CSV);
    assert_int_equal(o.delim, ';');
    assert_true(o.no_header);
    assert_string_equal(o.select, "a,b");
    assert_int_equal(o.output, TALLY_FMT_JSON);
    assert_true(o.output_set);
    assert_int_equal(o.threads, 3);
    assert_true(o.help);
    assert_true(o.version);
    tally_cli_fini(&o);

    assert_int_equal(PARSE(&o, "-gstatus", "-acount,sum:bytes", "-w", "x > 1"), TALLY_OK);
    assert_string_equal(o.group_by, "status");
    assert_string_equal(o.aggs, "count,sum:bytes");
    assert_int_equal(o.nwheres, 1);
    assert_string_equal(o.wheres[0], "x > 1");
    tally_cli_fini(&o);
}

static void
test_cli_long_options_fill_the_options(void **state)
{
    (void)state;
    struct tally_opts o;
    assert_int_equal(PARSE(&o, "--format=csv", "--delimiter", "|", "--no-header", "--strict",
                           "--select=x", "--sort=n:desc", "--limit=10", "--output", "markdown",
                           "--no-header-out", "--progress", "--threads=256", "--max-record=64M",
                           "--max-fields=2K", "--precision=9", "--help", "--version"),
                     TALLY_OK);
    assert_int_equal(o.format, TALLY_IN_CSV);
    assert_int_equal(o.delim, '|');
    assert_true(o.no_header);
    assert_true(o.strict);
    assert_string_equal(o.select, "x");
    assert_string_equal(o.sort, "n:desc");
    assert_int_equal(o.limit, 10);
    assert_int_equal(o.output, TALLY_FMT_MARKDOWN);
    assert_true(o.no_header_out);
    assert_int_equal(o.progress, 1);
    assert_int_equal(o.threads, 256);
    assert_int_equal(o.max_record, 64ull << 20);
    assert_int_equal(o.max_fields, 2048);
    assert_int_equal(o.precision, 9);
    assert_true(o.help);
    assert_true(o.version);
    tally_cli_fini(&o);

    assert_int_equal(PARSE(&o, "--group-by=a/5m", "--agg", "p99:b", "--where=a == 1",
                           "--no-progress", "--format=log"),
                     TALLY_OK);
    assert_string_equal(o.group_by, "a/5m");
    assert_string_equal(o.aggs, "p99:b");
    assert_int_equal(o.nwheres, 1);
    assert_int_equal(o.progress, 0);
    assert_int_equal(o.format, TALLY_IN_LOG);
    tally_cli_fini(&o);
}

static void
test_cli_log_implies_the_log_format(void **state)
{
    (void)state;
    struct tally_opts o;
    assert_int_equal(PARSE(&o, "--log=combined"), TALLY_OK);
    assert_string_equal(o.log, "combined");
    assert_int_equal(o.format, TALLY_IN_LOG);
    tally_cli_fini(&o);
    assert_int_equal(PARSE(&o, "--log", "(?<a>\\w+)"), TALLY_OK);
    assert_string_equal(o.log, "(?<a>\\w+)");
    tally_cli_fini(&o);
    /* -F log says the same thing, before or after. */
    assert_int_equal(PARSE(&o, "-F", "log", "--log=common", "-F", "log"), TALLY_OK);
    assert_int_equal(o.format, TALLY_IN_LOG);
    assert_string_equal(o.log, "common");
    tally_cli_fini(&o);
}

static void
test_cli_contradictory_input_options_are_usage_errors(void **state)
{
    (void)state;
    const char *fmt = "--log reads log lines; it cannot be combined with --format=";
    char want[256];
    snprintf(want, sizeof want, "%scsv", fmt);
    EXPECT_USAGE(want, "--log=combined", "-F", "csv");
    EXPECT_USAGE(want, "-F", "csv", "--log=combined");
    snprintf(want, sizeof want, "%stsv", fmt);
    EXPECT_USAGE(want, "--format=tsv", "--log=syslog", "x.log");
    EXPECT_USAGE("--log reads log lines; it cannot be combined with --delimiter", "-d", ";",
                 "--log=common");
    EXPECT_USAGE("--log reads log lines; it cannot be combined with --delimiter", "--log=common",
                 "-d", "\\t");
    EXPECT_USAGE("--log reads log lines, which have no header row; it cannot be combined with "
                 "--no-header",
                 "-n", "--log=common");
    EXPECT_USAGE("--format=tsv is tab-separated; it cannot be combined with --delimiter=';' (use "
                 "--format=csv)",
                 "-F", "tsv", "-d", ";");
}

static void
test_cli_delimiter_other_than_tab_means_csv(void **state)
{
    (void)state;
    struct tally_opts o;
    /* A .tsv name would pick TSV; a comma delimiter says CSV. */
    assert_int_equal(PARSE(&o, "-d", ",", "x.tsv"), TALLY_OK);
    assert_int_equal(o.format, TALLY_IN_CSV);
    tally_cli_fini(&o);
    /* A tab leaves the choice to the name, and agrees with -F tsv. */
    assert_int_equal(PARSE(&o, "-d", "\\t", "x.tsv"), TALLY_OK);
    assert_int_equal(o.format, TALLY_IN_AUTO);
    tally_cli_fini(&o);
    assert_int_equal(PARSE(&o, "-F", "tsv", "-d", "tab"), TALLY_OK);
    assert_int_equal(o.format, TALLY_IN_TSV);
    assert_int_equal(o.delim, '\t');
    tally_cli_fini(&o);
}

static void
test_cli_every_output_format_parses(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum tally_format f;
    } fmts[] = {{"table", TALLY_FMT_TABLE}, {"csv", TALLY_FMT_CSV},
                {"tsv", TALLY_FMT_TSV},     {"json", TALLY_FMT_JSON},
                {"jsonl", TALLY_FMT_JSONL}, {"markdown", TALLY_FMT_MARKDOWN},
                {"chart", TALLY_FMT_CHART}};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        struct tally_opts o;
        assert_int_equal(PARSE(&o, "-o", fmts[i].name), TALLY_OK);
        assert_int_equal(o.output, fmts[i].f);
        assert_true(o.output_set);
        tally_cli_fini(&o);
    }
}

static void
test_cli_tab_delimiter_is_accepted_as_backslash_t_and_tab(void **state)
{
    (void)state;
    struct tally_opts o;
    assert_int_equal(PARSE(&o, "-d", "\\t"), TALLY_OK);
    assert_int_equal(o.delim, '\t');
    tally_cli_fini(&o);
    assert_int_equal(PARSE(&o, "--delimiter=tab"), TALLY_OK);
    assert_int_equal(o.delim, '\t');
    tally_cli_fini(&o);
    assert_int_equal(PARSE(&o, "-d", "\t"), TALLY_OK);
    assert_int_equal(o.delim, '\t');
    tally_cli_fini(&o);
}

static void
test_cli_repeated_where_accumulates_in_order(void **state)
{
    (void)state;
    struct tally_opts o;
    assert_int_equal(PARSE(&o, "-w", "a > 1", "--where=b < 2", "-wc == 3", "--where", "d"),
                     TALLY_OK);
    assert_int_equal(o.nwheres, 4);
    assert_string_equal(o.wheres[0], "a > 1");
    assert_string_equal(o.wheres[1], "b < 2");
    assert_string_equal(o.wheres[2], "c == 3");
    assert_string_equal(o.wheres[3], "d");
    tally_cli_fini(&o);
    assert_null(o.wheres);
    assert_int_equal(o.nwheres, 0);
    /* Many: the array grows. */
    const char *many[42];
    for (int i = 0; i < 40; i += 2) {
        many[i] = "-w";
        many[i + 1] = i % 4 ? "x" : "y";
    }
    many[40] = NULL;
    assert_int_equal(parse_list(&o, many), TALLY_OK);
    assert_int_equal(o.nwheres, 20);
    assert_string_equal(o.wheres[19], "x");
    assert_string_equal(o.wheres[18], "y");
    tally_cli_fini(&o);
}

static void
test_cli_later_option_wins(void **state)
{
    (void)state;
    struct tally_opts o;
    assert_int_equal(
        PARSE(&o, "-g", "a", "-g", "b", "--limit=1", "--limit=2", "--progress", "--no-progress"),
        TALLY_OK);
    assert_string_equal(o.group_by, "b");
    assert_int_equal(o.limit, 2);
    assert_int_equal(o.progress, 0);
    tally_cli_fini(&o);
}

static void
test_cli_collects_files_around_options(void **state)
{
    (void)state;
    struct tally_opts o;
    assert_int_equal(PARSE(&o, "a.csv", "-g", "x", "b.csv", "-", "-n"), TALLY_OK);
    assert_int_equal(o.nfiles, 3);
    assert_string_equal(o.files[0], "a.csv");
    assert_string_equal(o.files[1], "b.csv");
    assert_string_equal(o.files[2], "-");
    assert_true(o.no_header);
    assert_string_equal(o.group_by, "x");
    tally_cli_fini(&o);
}

static void
test_cli_double_dash_ends_options(void **state)
{
    (void)state;
    struct tally_opts o;
    assert_int_equal(PARSE(&o, "-n", "--", "-g", "--strict", "x.csv"), TALLY_OK);
    assert_true(o.no_header);
    assert_null(o.group_by);
    assert_false(o.strict);
    assert_int_equal(o.nfiles, 3);
    assert_string_equal(o.files[0], "-g");
    assert_string_equal(o.files[1], "--strict");
    assert_string_equal(o.files[2], "x.csv");
    tally_cli_fini(&o);
}

static void
test_cli_bad_values_give_usage_messages(void **state)
{
    (void)state;
    const char *more = "\nTry 'tally --help' for more information.";
    char want[512];
#define WANT(s) (snprintf(want, sizeof want, "%s%s", (s), more), want)
    EXPECT_USAGE(WANT("--format: expected csv, tsv or log, got \"xml\""), "-F", "xml");
    EXPECT_USAGE(WANT("--format: expected csv, tsv or log, got \"CSV\""), "--format=CSV");
    EXPECT_USAGE(WANT("--delimiter: expected one character or '\\t', got \"ab\""), "-d", "ab");
    EXPECT_USAGE(WANT("--delimiter: expected one character or '\\t', got \"\"\""), "-d", "\"");
    EXPECT_USAGE(WANT("--delimiter: expected one character or '\\t', got \"\""), "-d", "");
    EXPECT_USAGE(WANT("--delimiter: expected one character or '\\t', got \"\n\""), "-d", "\n");
    EXPECT_USAGE(WANT("--limit: expected a whole number, got \"-1\""), "--limit=-1");
    EXPECT_USAGE(WANT("--limit: expected a whole number, got \"10x\""), "--limit=10x");
    EXPECT_USAGE(WANT("--limit: expected a whole number, got \"\""), "--limit=");
    EXPECT_USAGE(WANT("--limit: expected a whole number, got \"99999999999999999999\""),
                 "--limit=99999999999999999999");
    EXPECT_USAGE(WANT("--output: expected table, csv, tsv, json, jsonl, markdown or chart, "
                      "got \"yaml\""),
                 "-o", "yaml");
    EXPECT_USAGE(WANT("--threads: expected a number from 1 to 256, got \"0\""), "-j", "0");
    EXPECT_USAGE(WANT("--threads: expected a number from 1 to 256, got \"257\""), "-j", "257");
    EXPECT_USAGE(WANT("--threads: expected a number from 1 to 256, got \"two\""), "--threads=two");
    EXPECT_USAGE(WANT("--threads: expected a number from 1 to 256, got \"-2\""), "-j-2");
    EXPECT_USAGE(WANT("--max-record: expected a size like 64M, got \"0\""), "--max-record=0");
    EXPECT_USAGE(WANT("--max-record: expected a size like 64M, got \"12X\""), "--max-record=12X");
    EXPECT_USAGE(WANT("--max-record: expected a size like 64M, got \"M\""), "--max-record=M");
    EXPECT_USAGE(WANT("--max-fields: expected a number, got \"8G\""), "--max-fields=8G");
    EXPECT_USAGE(WANT("--max-fields: expected a number, got \"-3\""), "--max-fields=-3");
    EXPECT_USAGE(WANT("--precision: expected a number from 1 to 17, got \"0\""), "--precision=0");
    EXPECT_USAGE(WANT("--precision: expected a number from 1 to 17, got \"18\""), "--precision=18");
    EXPECT_USAGE(WANT("--precision: expected a number from 1 to 17, got \"-1\""), "--precision=-1");
    EXPECT_USAGE(WANT("--precision: expected a number from 1 to 17, got \"6x\""), "--precision",
                 "6x");
    EXPECT_USAGE(WANT("--precision: expected a number from 1 to 17, got \"\""), "--precision=");
#undef WANT
}

static void
test_cli_size_suffixes_are_powers_of_1024(void **state)
{
    (void)state;
    struct tally_opts o;
    assert_int_equal(PARSE(&o, "--max-record=3k", "--max-fields=100"), TALLY_OK);
    assert_int_equal(o.max_record, 3072);
    assert_int_equal(o.max_fields, 100);
    tally_cli_fini(&o);
    assert_int_equal(PARSE(&o, "--max-record=2G", "--max-fields=1m"), TALLY_OK);
    assert_int_equal(o.max_record, 2ull << 30);
    assert_int_equal(o.max_fields, 1u << 20);
    tally_cli_fini(&o);
}

static void
test_cli_unknown_options_are_usage_errors(void **state)
{
    (void)state;
    EXPECT_USAGE("unknown option '-x'\nTry 'tally --help' for more information.", "-x");
    EXPECT_USAGE("unknown option '-z'\nTry 'tally --help' for more information.", "-nz");
    EXPECT_USAGE("unknown option '--bogus'\nTry 'tally --help' for more information.", "--bogus");
    EXPECT_USAGE("unknown option '--no-headers'\nTry 'tally --help' for more information.", "a.csv",
                 "--no-headers");
}

static void
test_cli_missing_values_are_usage_errors(void **state)
{
    (void)state;
    EXPECT_USAGE("option '-g' needs a value\nTry 'tally --help' for more information.", "-g");
    EXPECT_USAGE("option '--agg' needs a value\nTry 'tally --help' for more information.", "--agg");
    EXPECT_USAGE("option '--limit' needs a value\nTry 'tally --help' for more information.", "-n",
                 "--limit");
}

static void
test_cli_parses_again_after_an_error_inside_a_cluster(void **state)
{
    (void)state;
    /* An error in the middle of "-zn" must not leave getopt pointing into
     * the old argv: the next parse starts clean. */
    EXPECT_USAGE("unknown option '-z'\nTry 'tally --help' for more information.", "-nz");
    EXPECT_USAGE("unknown option '--bogus'\nTry 'tally --help' for more information.", "--bogus");
    EXPECT_USAGE("unknown option '-z'\nTry 'tally --help' for more information.", "-zn");
    struct tally_opts o;
    assert_int_equal(PARSE(&o, "-s", "a"), TALLY_OK);
    assert_false(o.no_header);
    assert_string_equal(o.select, "a");
    assert_int_equal(o.nfiles, 0);
    tally_cli_fini(&o);
}

static void
test_cli_help_text_names_every_long_option(void **state)
{
    (void)state;
    const char *help = tally_cli_help();
    static const char *const names[] = {
        "--format",   "--delimiter",  "--no-header",     "--log",      "--strict",
        "--select",   "--group-by",   "--agg",           "--where",    "--sort",
        "--limit",    "--output",     "--no-header-out", "--progress", "--no-progress",
        "--threads",  "--max-record", "--max-fields",    "--help",     "--version",
        "--precision"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strstr(help, names[i]))
            fail_msg("--help does not mention %s", names[i]);
    assert_int_equal(strncmp(help, "Usage: tally ", 13), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_defaults_without_options),
        cmocka_unit_test(test_cli_short_options_fill_the_options),
        cmocka_unit_test(test_cli_long_options_fill_the_options),
        cmocka_unit_test(test_cli_log_implies_the_log_format),
        cmocka_unit_test(test_cli_contradictory_input_options_are_usage_errors),
        cmocka_unit_test(test_cli_delimiter_other_than_tab_means_csv),
        cmocka_unit_test(test_cli_every_output_format_parses),
        cmocka_unit_test(test_cli_tab_delimiter_is_accepted_as_backslash_t_and_tab),
        cmocka_unit_test(test_cli_repeated_where_accumulates_in_order),
        cmocka_unit_test(test_cli_later_option_wins),
        cmocka_unit_test(test_cli_collects_files_around_options),
        cmocka_unit_test(test_cli_double_dash_ends_options),
        cmocka_unit_test(test_cli_bad_values_give_usage_messages),
        cmocka_unit_test(test_cli_size_suffixes_are_powers_of_1024),
        cmocka_unit_test(test_cli_unknown_options_are_usage_errors),
        cmocka_unit_test(test_cli_missing_values_are_usage_errors),
        cmocka_unit_test(test_cli_parses_again_after_an_error_inside_a_cluster),
        cmocka_unit_test(test_cli_help_text_names_every_long_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
