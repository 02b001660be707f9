/* Timestamps for -g COL/WIDTH time buckets: ISO 8601, CLF, syslog and epoch
 * seconds in, UTC seconds plus the written offset out, and the start of a
 * bucket printed back as the SPEC says. No libc time zone or locale calls:
 * civil dates are converted by hand, so results never depend on TZ. */
#ifndef TALLY_TSTAMP_H
#define TALLY_TSTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/slice.h"

enum tally_time_kind {
    TALLY_TIME_NONE,
    TALLY_TIME_EPOCH,
    TALLY_TIME_ISO,
    TALLY_TIME_CLF,
    TALLY_TIME_SYSLOG
};

struct tally_time {
    enum tally_time_kind kind;
    int64_t secs;    /* UTC epoch seconds, fraction dropped (floor) */
    int32_t offset;  /* seconds east of UTC, when has_offset */
    bool has_offset; /* the text gave a zone (Z counts as +00:00) */
};

/* Reads the whole slice as one of:
 * - ISO 8601: 2015-05-17T10:05:03Z, 2015-05-17 10:05:03.123+02:00, +0200,
 *   +02, no zone, minutes without seconds (10:05), or a date alone
 *   (2015-05-17, midnight);
 * - CLF: 10/Oct/2000:13:55:36 -0700, with or without [brackets] and zone;
 * - syslog: Oct 11 22:14:15, Oct  1 22:14:15 (the year is `year`);
 * - epoch seconds: digits with an optional leading '-' and fraction.
 * Dates and times are range-checked (Feb 29 only in leap years). Returns
 * false, with kind TALLY_TIME_NONE, for anything else. */
bool tally_time_parse(struct tally_slice s, int year, struct tally_time *t);

/* The widest time bucket: 2^53 seconds (about 285 million years), so a
 * width is exact as a double and no bucket arithmetic can overflow. */
#define TALLY_TIME_WIDTH_MAX ((int64_t)1 << 53)

enum tally_duration {
    TALLY_DUR_NONE,     /* not a positive number followed by s, m, h or d */
    TALLY_DUR_OK,       /* *secs set, 1..TALLY_TIME_WIDTH_MAX */
    TALLY_DUR_FRACTION, /* a duration, but not a whole number of seconds (0.5s) */
    TALLY_DUR_TOO_LONG, /* a duration longer than TALLY_TIME_WIDTH_MAX (1e300s) */
};

/* Reads a bucket width: a number by the SPEC's rule, without a sign
 * ("30", "1.5", "1e3"), then a unit s, m, h or d. Computed exactly: "0.1m"
 * is 6 seconds. */
enum tally_duration tally_duration_parse(struct tally_slice s, int64_t *secs);

/* Buffer size that fits any bucket label. */
#define TALLY_TIMEBUF 64

/* The start of the width_secs-wide bucket holding t, written to buf with a
 * NUL; returns the length. Epoch input prints epoch seconds (floored, also
 * below zero). Other input prints ISO 8601 "2015-05-17T10:00:00+02:00" in
 * the input's offset, buckets aligned in that offset (a 1d bucket starts at
 * its midnight; widths count from 1970-01-01T00:00:00 in that offset); input
 * without a zone (syslog, ISO without one) prints without an offset
 * ("2015-05-17T10:00:00"). A width below 1 counts as 1, one above
 * TALLY_TIME_WIDTH_MAX as that. */
size_t tally_time_bucket(const struct tally_time *t, int64_t width_secs, char *buf);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t tally_days_from_civil(int64_t y, unsigned m, unsigned d);
void tally_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
