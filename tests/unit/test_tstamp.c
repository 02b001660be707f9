/* Unit tests for tstamp.c: every accepted timestamp form with offsets,
 * fractions, leap days and negative epochs; what is refused; and bucket
 * starts aligned in the input's own offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tally/tstamp.h"

static struct tally_time
parse_ok(const char *s, int year, enum tally_time_kind kind)
{
    struct tally_time t;
    if (!tally_time_parse(tally_slice_cstr(s), year, &t))
        fail_msg("\"%s\" did not parse", s);
    assert_int_equal(t.kind, kind);
    return t;
}

static void
expect_secs(const char *s, enum tally_time_kind kind, int64_t secs, bool has_offset, int32_t offset)
{
    struct tally_time t = parse_ok(s, 2023, kind);
    if (t.secs != secs)
        fail_msg("\"%s\": secs %lld, want %lld", s, (long long)t.secs, (long long)secs);
    assert_int_equal(t.has_offset, has_offset);
    assert_int_equal(t.offset, offset);
}

static void
expect_bad(const char *s)
{
    struct tally_time t;
    t.kind = TALLY_TIME_ISO;
    t.secs = 99;
    if (tally_time_parse(tally_slice_cstr(s), 2023, &t))
        fail_msg("\"%s\" parsed as kind %d secs %lld", s, (int)t.kind, (long long)t.secs);
    assert_int_equal(t.kind, TALLY_TIME_NONE);
    assert_int_equal(t.secs, 0);
}

static void
expect_bucket(const char *s, int64_t width, const char *want)
{
    struct tally_time t;
    if (!tally_time_parse(tally_slice_cstr(s), 2023, &t))
        fail_msg("\"%s\" did not parse", s);
    char buf[TALLY_TIMEBUF];
    size_t n = tally_time_bucket(&t, width, buf);
    if (strcmp(buf, want) != 0)
        fail_msg("\"%s\" / %lld: got %s, want %s", s, (long long)width, buf, want);
    assert_int_equal(n, strlen(want));
}

static void
test_tstamp_reads_iso_8601_with_and_without_zones(void **state)
{
    (void)state;
    const int64_t t0 = 1431857103; /* 2015-05-17T10:05:03Z */
    expect_secs("2015-05-17T10:05:03Z", TALLY_TIME_ISO, t0, true, 0);
    expect_secs("2015-05-17t10:05:03z", TALLY_TIME_ISO, t0, true, 0);
    expect_secs("2015-05-17T10:05:03+00:00", TALLY_TIME_ISO, t0, true, 0);
    expect_secs("2015-05-17T12:05:03+02:00", TALLY_TIME_ISO, t0, true, 7200);
    expect_secs("2015-05-17T12:05:03+0200", TALLY_TIME_ISO, t0, true, 7200);
    expect_secs("2015-05-17T12:05:03+02", TALLY_TIME_ISO, t0, true, 7200);
    expect_secs("2015-05-17T03:05:03-07:00", TALLY_TIME_ISO, t0, true, -25200);
    expect_secs("2015-05-17T15:35:03+05:30", TALLY_TIME_ISO, t0, true, 19800);
    expect_secs("2015-05-17 10:05:03", TALLY_TIME_ISO, t0, false, 0);
    expect_secs("2015-05-17T10:05:03.999Z", TALLY_TIME_ISO, t0, true, 0);
    expect_secs("2015-05-17T10:05:03,5", TALLY_TIME_ISO, t0, false, 0);
    expect_secs("2015-05-17T10:05:03.123456789-00:30", TALLY_TIME_ISO, t0 + 1800, true, -1800);
    expect_secs("2015-05-17T10:05", TALLY_TIME_ISO, t0 - 3, false, 0);
    expect_secs("2015-05-17T10:05Z", TALLY_TIME_ISO, t0 - 3, true, 0);
    expect_secs("2015-05-17", TALLY_TIME_ISO, t0 - 10 * 3600 - 5 * 60 - 3, false, 0);
    expect_secs("1970-01-01T00:00:00Z", TALLY_TIME_ISO, 0, true, 0);
    expect_secs("1969-12-31T23:59:59Z", TALLY_TIME_ISO, -1, true, 0);
    expect_secs("1900-01-01T00:00:00Z", TALLY_TIME_ISO, -2208988800, true, 0);
}

static void
test_tstamp_reads_clf_with_or_without_brackets_and_zone(void **state)
{
    (void)state;
    const int64_t t0 = 971211336; /* 10/Oct/2000:13:55:36 -0700 */
    expect_secs("10/Oct/2000:13:55:36 -0700", TALLY_TIME_CLF, t0, true, -25200);
    expect_secs("[10/Oct/2000:13:55:36 -0700]", TALLY_TIME_CLF, t0, true, -25200);
    expect_secs("10/oct/2000:20:55:36 +0000", TALLY_TIME_CLF, t0, true, 0);
    expect_secs("10/Oct/2000:20:55:36", TALLY_TIME_CLF, t0, false, 0);
    expect_secs("[10/Oct/2000:20:55:36]", TALLY_TIME_CLF, t0, false, 0);
    expect_secs("22/Jan/2019:03:56:14 +0330", TALLY_TIME_CLF, 1548116774, true, 12600);
}

static void
test_tstamp_reads_syslog_in_the_given_year(void **state)
{
    (void)state;
    struct tally_time t = parse_ok("Oct  1 22:14:15", 2023, TALLY_TIME_SYSLOG);
    assert_int_equal(t.secs, 1696198455);
    assert_false(t.has_offset);
    t = parse_ok("Oct 1 22:14:15", 2023, TALLY_TIME_SYSLOG);
    assert_int_equal(t.secs, 1696198455);
    t = parse_ok("Oct 01 22:14:15", 2023, TALLY_TIME_SYSLOG);
    assert_int_equal(t.secs, 1696198455);
    t = parse_ok("Feb 29 12:00:00", 2024, TALLY_TIME_SYSLOG);
    assert_int_equal(t.secs, 1709208000);
    struct tally_time u;
    assert_false(tally_time_parse(TALLY_SLICE_LIT("Feb 29 12:00:00"), 2023, &u));
    assert_false(tally_time_parse(TALLY_SLICE_LIT("Oct   1 22:14:15"), 2023, &u));
    assert_false(tally_time_parse(TALLY_SLICE_LIT("Oct 11 22:14"), 2023, &u));
    assert_false(tally_time_parse(TALLY_SLICE_LIT("Oct 11 22:14:15 host"), 2023, &u));
    assert_false(tally_time_parse(TALLY_SLICE_LIT("Foo 11 22:14:15"), 2023, &u));
}

static void
test_tstamp_reads_epoch_seconds_flooring_fractions(void **state)
{
    (void)state;
    expect_secs("1431857103", TALLY_TIME_EPOCH, 1431857103, false, 0);
    expect_secs("1431857103.75", TALLY_TIME_EPOCH, 1431857103, false, 0);
    expect_secs("1431857103.", TALLY_TIME_EPOCH, 1431857103, false, 0);
    expect_secs("0", TALLY_TIME_EPOCH, 0, false, 0);
    expect_secs("-1", TALLY_TIME_EPOCH, -1, false, 0);
    expect_secs("-1.5", TALLY_TIME_EPOCH, -2, false, 0);
    expect_secs("-1.000", TALLY_TIME_EPOCH, -1, false, 0);
    expect_secs("-0.25", TALLY_TIME_EPOCH, -1, false, 0);
    expect_secs("999999999999999999", TALLY_TIME_EPOCH, 999999999999999999, false, 0);
}

static void
test_tstamp_checks_leap_days_and_field_ranges(void **state)
{
    (void)state;
    parse_ok("2000-02-29", 2023, TALLY_TIME_ISO);
    parse_ok("2024-02-29T23:59:60Z", 2023, TALLY_TIME_ISO);
    parse_ok("29/Feb/2016:00:00:00 +0000", 2023, TALLY_TIME_CLF);
    expect_bad("1900-02-29");
    expect_bad("2023-02-29");
    expect_bad("29/Feb/2015:00:00:00 +0000");
    expect_bad("2015-13-01");
    expect_bad("2015-00-01");
    expect_bad("2015-04-31");
    expect_bad("2015-05-00");
    expect_bad("2015-05-17T24:00:00");
    expect_bad("2015-05-17T10:60:00");
    expect_bad("2015-05-17T10:05:61");
    expect_bad("2015-05-17T10:05:03+24:00");
    expect_bad("2015-05-17T10:05:03+2");
    expect_bad("2015-05-17T10:05:03+02:0");
    expect_bad("2015-05-17T10:05:03.");
    expect_bad("2015-05-17T10:05:03 Z");
    expect_bad("2015-05-17X10:05:03");
    expect_bad("2015-5-17");
    expect_bad("10/Oct/2000:13:55:36 0700");
    expect_bad("10/Oct/2000:13:55:36 -07");
    expect_bad("[10/Oct/2000:13:55:36 -0700");
    expect_bad("10/Oct/2000:13:55");
    expect_bad("");
    expect_bad("-");
    expect_bad("abc");
    expect_bad("12abc");
    expect_bad("1.2.3");
    expect_bad("1e9");
    expect_bad("+5");
    expect_bad(" 5");
    expect_bad("1234567890123456789");
}

static void
test_tstamp_civil_date_conversions_round_trip(void **state)
{
    (void)state;
    assert_int_equal(tally_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tally_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(tally_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(tally_days_from_civil(0, 3, 1), -719468);
    for (int64_t z = -1000000; z <= 1000000; z += 7) {
        int64_t y;
        unsigned m, d;
        tally_civil_from_days(z, &y, &m, &d);
        assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        assert_int_equal(tally_days_from_civil(y, m, d), z);
    }
}

static void
test_tstamp_epoch_buckets_stay_epoch_seconds(void **state)
{
    (void)state;
    expect_bucket("1431857103", 300, "1431857100");
    expect_bucket("1431857103", 3600, "1431856800");
    expect_bucket("1431857103.9", 1, "1431857103");
    expect_bucket("1431857103", 86400, "1431820800");
    expect_bucket("-1", 60, "-60");
    expect_bucket("-60", 60, "-60");
    expect_bucket("-61.5", 60, "-120");
    expect_bucket("59", 60, "0");
    expect_bucket("7", 0, "7");
}

static void
test_tstamp_buckets_align_in_the_input_offset(void **state)
{
    (void)state;
    /* s, m, h, d in UTC (Z prints as +00:00). */
    expect_bucket("2015-05-17T10:05:03Z", 30, "2015-05-17T10:05:00+00:00");
    expect_bucket("2015-05-17T10:05:33.9Z", 30, "2015-05-17T10:05:30+00:00");
    expect_bucket("2015-05-17T10:05:03Z", 300, "2015-05-17T10:05:00+00:00");
    expect_bucket("2015-05-17T10:09:59Z", 300, "2015-05-17T10:05:00+00:00");
    expect_bucket("2015-05-17T10:05:03Z", 3600, "2015-05-17T10:00:00+00:00");
    expect_bucket("2015-05-17T10:05:03Z", 86400, "2015-05-17T00:00:00+00:00");
    /* A half-hour offset: an hour bucket starts on its local hour. */
    expect_bucket("2015-05-17T10:35:00+05:30", 3600, "2015-05-17T10:00:00+05:30");
    expect_bucket("2015-05-17T10:35:00+05:30", 60, "2015-05-17T10:35:00+05:30");
    expect_bucket("2015-05-17T10:35:00+05:30", 900, "2015-05-17T10:30:00+05:30");
    expect_bucket("2015-05-17T10:35:00+05:30", 86400, "2015-05-17T00:00:00+05:30");
    /* A day bucket starts at the offset's midnight, not UTC's. */
    expect_bucket("10/Oct/2000:01:55:36 -0700", 86400, "2000-10-10T00:00:00-07:00");
    expect_bucket("[10/Oct/2000:23:59:59 -0700]", 86400, "2000-10-10T00:00:00-07:00");
    expect_bucket("10/Oct/2000:13:55:36 -0700", 3600, "2000-10-10T13:00:00-07:00");
    expect_bucket("22/Jan/2019:03:56:14 +0330", 300, "2019-01-22T03:55:00+03:30");
    expect_bucket("2015-05-17T00:30:00-00:45", 3600, "2015-05-17T00:00:00-00:45");
    /* Across a leap day and a year end, and before 1970. */
    expect_bucket("2024-02-29T23:59:59+01:00", 86400, "2024-02-29T00:00:00+01:00");
    expect_bucket("2024-03-01T00:00:00+01:00", 86400, "2024-03-01T00:00:00+01:00");
    expect_bucket("1969-12-31T23:59:59Z", 3600, "1969-12-31T23:00:00+00:00");
    expect_bucket("1969-12-31T23:59:59-02:00", 86400, "1969-12-31T00:00:00-02:00");
    /* No zone (ISO without one, syslog): local wall time, printed without. */
    expect_bucket("2015-05-17 10:05:03", 3600, "2015-05-17T10:00:00");
    expect_bucket("2015-05-17", 86400, "2015-05-17T00:00:00");
    expect_bucket("Oct  1 22:14:15", 300, "2023-10-01T22:10:00");
    expect_bucket("10/Oct/2000:13:55:36", 60, "2000-10-10T13:55:00");
}

static void
expect_duration(const char *s, enum tally_duration want, int64_t secs)
{
    int64_t got = -7;
    enum tally_duration rc = tally_duration_parse(tally_slice_cstr(s), &got);
    if (rc != want)
        fail_msg("\"%s\": status %d, want %d", s, (int)rc, (int)want);
    assert_int_equal(got, rc == TALLY_DUR_OK ? secs : -7);
}

static void
test_tstamp_durations_are_exact_whole_seconds(void **state)
{
    (void)state;
    expect_duration("30s", TALLY_DUR_OK, 30);
    expect_duration("5m", TALLY_DUR_OK, 300);
    expect_duration("1h", TALLY_DUR_OK, 3600);
    expect_duration("2d", TALLY_DUR_OK, 172800);
    /* Decimals count exactly: 0.1 * 60 is 6, not 6.000000000000001. */
    expect_duration("0.1m", TALLY_DUR_OK, 6);
    expect_duration("1.5h", TALLY_DUR_OK, 5400);
    expect_duration(".5m", TALLY_DUR_OK, 30);
    expect_duration("1e3s", TALLY_DUR_OK, 1000);
    expect_duration("9007199254740992s", TALLY_DUR_OK, INT64_C(9007199254740992));
    /* Timestamps have whole seconds: a bucket of less, or between, is refused. */
    expect_duration("0.5s", TALLY_DUR_FRACTION, 0);
    expect_duration("1.5s", TALLY_DUR_FRACTION, 0);
    expect_duration("1e-300s", TALLY_DUR_FRACTION, 0);
    expect_duration("0.0000000000000000000000000000000001d", TALLY_DUR_FRACTION, 0);
    /* Too long for exact arithmetic: refused instead of overflowing. */
    expect_duration("1e300s", TALLY_DUR_TOO_LONG, 0);
    expect_duration("9007199254740993s", TALLY_DUR_TOO_LONG, 0);
    expect_duration("9223372036854775807d", TALLY_DUR_TOO_LONG, 0);
    expect_duration("99999999999999999999999s", TALLY_DUR_TOO_LONG, 0);
    expect_duration("1e999d", TALLY_DUR_TOO_LONG, 0);
    /* Not durations at all. */
    static const char *const none[] = {"",    "s",   "5",   "5w", "0s",    "0.0m", "-5m",
                                       "+5m", "5 m", "5ms", "m5", "0x10s", "nans", "infs"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        expect_duration(none[i], TALLY_DUR_NONE, 0);
}

static void
test_tstamp_widest_buckets_do_not_overflow(void **state)
{
    (void)state;
    int64_t max = TALLY_TIME_WIDTH_MAX;
    /* The extremes of epoch input with the widest bucket. */
    expect_bucket("999999999999999999", max, "999799117276250112");
    expect_bucket("-999999999999999999", max, "-1008806316530991104");
    expect_bucket("-1", max, "-9007199254740992");
    /* A wider width counts as the widest. */
    expect_bucket("-1", INT64_MAX, "-9007199254740992");
    expect_bucket("0001-01-01T00:00:00Z", max, "-285424812-02-20T16:23:28+00:00");
    expect_bucket("2015-05-17T10:05:03+05:30", max, "1970-01-01T00:00:00+05:30");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tstamp_reads_iso_8601_with_and_without_zones),
        cmocka_unit_test(test_tstamp_reads_clf_with_or_without_brackets_and_zone),
        cmocka_unit_test(test_tstamp_reads_syslog_in_the_given_year),
        cmocka_unit_test(test_tstamp_reads_epoch_seconds_flooring_fractions),
        cmocka_unit_test(test_tstamp_checks_leap_days_and_field_ranges),
        cmocka_unit_test(test_tstamp_civil_date_conversions_round_trip),
        cmocka_unit_test(test_tstamp_epoch_buckets_stay_epoch_seconds),
        cmocka_unit_test(test_tstamp_buckets_align_in_the_input_offset),
        cmocka_unit_test(test_tstamp_durations_are_exact_whole_seconds),
        cmocka_unit_test(test_tstamp_widest_buckets_do_not_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
