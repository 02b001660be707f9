/* Time buckets: timestamp text (ISO 8601, CLF, syslog, epoch) -> UTC seconds
 * and zone -> the bucket's start as text. Civil-date arithmetic follows
 * Howard Hinnant's days_from_civil / civil_from_days, valid for any year. */
#include "tally/tstamp.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int64_t
tally_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void
tally_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool
leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned
month_days(int64_t y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* A cursor over the slice; every reader advances only on success. */
struct cur {
    const char *p, *end;
};

static bool
at(const struct cur *c, char ch)
{
    return c->p < c->end && *c->p == ch;
}

static bool
eat(struct cur *c, char ch)
{
    if (!at(c, ch))
        return false;
    c->p++;
    return true;
}

/* Exactly n digits. */
static bool
digits(struct cur *c, int n, unsigned *v)
{
    if (c->end - c->p < n)
        return false;
    unsigned x = 0;
    for (int i = 0; i < n; i++) {
        char ch = c->p[i];
        if (ch < '0' || ch > '9')
            return false;
        x = x * 10 + (unsigned)(ch - '0');
    }
    c->p += n;
    *v = x;
    return true;
}

static bool
is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool
month_name(struct cur *c, unsigned *m)
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    if (c->end - c->p < 3)
        return false;
    char lo[3];
    for (int i = 0; i < 3; i++) {
        char ch = c->p[i];
        lo[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    }
    for (unsigned i = 0; i < 12; i++) {
        if (memcmp(names + 3 * i, lo, 3) == 0) {
            *m = i + 1;
            c->p += 3;
            return true;
        }
    }
    return false;
}

static bool
valid(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return mo >= 1 && mo <= 12 && d >= 1 && d <= month_days(y, mo) && h <= 23 && mi <= 59 &&
           s <= 60;
}

static int64_t
civil_secs(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return tally_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + s;
}

/* +HH:MM, +HHMM or +HH (ISO), or Z. */
static bool
iso_zone(struct cur *c, struct tally_time *t)
{
    if (eat(c, 'Z') || eat(c, 'z')) {
        t->has_offset = true;
        t->offset = 0;
        return true;
    }
    if (!at(c, '+') && !at(c, '-'))
        return false;
    int sign = *c->p == '-' ? -1 : 1;
    struct cur k = {c->p + 1, c->end};
    unsigned hh, mm = 0;
    if (!digits(&k, 2, &hh))
        return false;
    if (eat(&k, ':')) {
        if (!digits(&k, 2, &mm))
            return false;
    } else if (k.p < k.end && !digits(&k, 2, &mm)) {
        return false;
    }
    if (hh > 23 || mm > 59)
        return false;
    *c = k;
    t->has_offset = true;
    t->offset = sign * (int32_t)(hh * 3600 + mm * 60);
    return true;
}

static bool
parse_iso(struct cur c, struct tally_time *t)
{
    unsigned y, mo, d, h = 0, mi = 0, s = 0;
    if (!digits(&c, 4, &y) || !eat(&c, '-') || !digits(&c, 2, &mo) || !eat(&c, '-') ||
        !digits(&c, 2, &d))
        return false;
    if (c.p < c.end) {
        if (!eat(&c, 'T') && !eat(&c, 't') && !eat(&c, ' '))
            return false;
        if (!digits(&c, 2, &h) || !eat(&c, ':') || !digits(&c, 2, &mi))
            return false;
        if (eat(&c, ':')) {
            if (!digits(&c, 2, &s))
                return false;
            if (eat(&c, '.') || eat(&c, ',')) {
                if (c.p >= c.end || !is_digit(*c.p))
                    return false;
                while (c.p < c.end && is_digit(*c.p))
                    c.p++;
            }
        }
        if (c.p < c.end && !iso_zone(&c, t))
            return false;
    }
    if (c.p != c.end || !valid(y, mo, d, h, mi, s))
        return false;
    t->kind = TALLY_TIME_ISO;
    t->secs = civil_secs(y, mo, d, h, mi, s) - (t->has_offset ? t->offset : 0);
    return true;
}

/* 10/Oct/2000:13:55:36 -0700, the zone and the brackets optional. */
static bool
parse_clf(struct cur c, struct tally_time *t)
{
    bool bracket = eat(&c, '[');
    if (bracket && (c.p >= c.end || c.end[-1] != ']'))
        return false;
    if (bracket)
        c.end--;
    unsigned y, mo, d, h, mi, s;
    if (!digits(&c, 2, &d) || !eat(&c, '/') || !month_name(&c, &mo) || !eat(&c, '/') ||
        !digits(&c, 4, &y) || !eat(&c, ':') || !digits(&c, 2, &h) || !eat(&c, ':') ||
        !digits(&c, 2, &mi) || !eat(&c, ':') || !digits(&c, 2, &s))
        return false;
    if (eat(&c, ' ')) {
        if (!at(&c, '+') && !at(&c, '-'))
            return false;
        int sign = *c.p++ == '-' ? -1 : 1;
        unsigned hh, mm;
        if (!digits(&c, 2, &hh) || !digits(&c, 2, &mm) || hh > 23 || mm > 59)
            return false;
        t->has_offset = true;
        t->offset = sign * (int32_t)(hh * 3600 + mm * 60);
    }
    if (c.p != c.end || !valid(y, mo, d, h, mi, s))
        return false;
    t->kind = TALLY_TIME_CLF;
    t->secs = civil_secs(y, mo, d, h, mi, s) - (t->has_offset ? t->offset : 0);
    return true;
}

/* Oct 11 22:14:15; the day may be padded with a space ("Oct  1"). */
static bool
parse_syslog(struct cur c, int year, struct tally_time *t)
{
    unsigned mo, d, h, mi, s;
    if (!month_name(&c, &mo) || !eat(&c, ' '))
        return false;
    (void)eat(&c, ' ');
    if (c.p >= c.end || !is_digit(*c.p))
        return false;
    d = (unsigned)(*c.p++ - '0');
    if (c.p < c.end && is_digit(*c.p))
        d = d * 10 + (unsigned)(*c.p++ - '0');
    if (!eat(&c, ' ') || !digits(&c, 2, &h) || !eat(&c, ':') || !digits(&c, 2, &mi) ||
        !eat(&c, ':') || !digits(&c, 2, &s))
        return false;
    if (c.p != c.end || !valid(year, mo, d, h, mi, s))
        return false;
    t->kind = TALLY_TIME_SYSLOG;
    t->secs = civil_secs(year, mo, d, h, mi, s);
    return true;
}

/* Digits with an optional '-' and fraction; at most 18 integer digits. */
static bool
parse_epoch(struct cur c, struct tally_time *t)
{
    bool neg = eat(&c, '-');
    const char *start = c.p;
    int64_t v = 0;
    while (c.p < c.end && is_digit(*c.p)) {
        if (c.p - start >= 18)
            return false;
        v = v * 10 + (*c.p++ - '0');
    }
    if (c.p == start)
        return false;
    bool frac = false;
    if (eat(&c, '.')) {
        while (c.p < c.end && is_digit(*c.p))
            frac |= *c.p++ != '0';
    }
    if (c.p != c.end)
        return false;
    t->kind = TALLY_TIME_EPOCH;
    t->secs = neg ? -v - (frac ? 1 : 0) : v;
    return true;
}

bool
tally_time_parse(struct tally_slice s, int year, struct tally_time *t)
{
    memset(t, 0, sizeof *t);
    if (s.len == 0 || !s.ptr)
        return false;
    struct cur c = {s.ptr, s.ptr + s.len};
    bool ok;
    char first = s.ptr[0];
    if (first == '[')
        ok = parse_clf(c, t);
    else if ((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z'))
        ok = parse_syslog(c, year, t);
    else if (s.len >= 5 && s.ptr[4] == '-')
        ok = parse_iso(c, t);
    else if (s.len >= 3 && s.ptr[2] == '/')
        ok = parse_clf(c, t);
    else
        ok = parse_epoch(c, t);
    if (!ok)
        memset(t, 0, sizeof *t);
    return ok;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

enum tally_duration
tally_duration_parse(struct tally_slice s, int64_t *secs)
{
    if (s.len < 2 || s.ptr[0] == '+' || s.ptr[0] == '-')
        return TALLY_DUR_NONE;
    int64_t unit;
    switch (s.ptr[s.len - 1]) {
    case 's':
        unit = 1;
        break;
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    default:
        return TALLY_DUR_NONE;
    }
    struct tally_num n;
    if (tally_parse_number((struct tally_slice){s.ptr, s.len - 1}, &n) == TALLY_NUM_NONE ||
        !(n.d > 0))
        return TALLY_DUR_NONE;
    __extension__ typedef __int128 i128;
    i128 v;
    if (n.kind == TALLY_NUM_INT) {
        v = (i128)n.i * unit;
    } else if (n.dec) {
        /* dec_mant * 10^-dec_scale exactly; beyond 10^30 it is below a second. */
        if (n.dec_scale > 30)
            return TALLY_DUR_FRACTION;
        i128 p = 1, m = (i128)n.dec_mant * unit;
        for (int32_t i = 0; i < n.dec_scale; i++)
            p *= 10;
        if (m % p != 0)
            return TALLY_DUR_FRACTION;
        v = m / p;
    } else {
        /* An exponent or more digits than fit 64 bits: a double will do. */
        double d = n.d * (double)unit;
        if (d > (double)TALLY_TIME_WIDTH_MAX)
            return TALLY_DUR_TOO_LONG;
        if (d != floor(d))
            return TALLY_DUR_FRACTION;
        v = (i128)d;
    }
    if (v > TALLY_TIME_WIDTH_MAX)
        return TALLY_DUR_TOO_LONG;
    *secs = (int64_t)v;
    return TALLY_DUR_OK;
}

size_t
tally_time_bucket(const struct tally_time *t, int64_t width_secs, char *buf)
{
    int64_t w = width_secs < 1                      ? 1
                : width_secs > TALLY_TIME_WIDTH_MAX ? TALLY_TIME_WIDTH_MAX
                                                    : width_secs;
    if (t->kind == TALLY_TIME_EPOCH) {
        int n = snprintf(buf, TALLY_TIMEBUF, "%" PRId64, floor_div(t->secs, w) * w);
        return (size_t)n;
    }
    int64_t local = t->secs + (t->has_offset ? t->offset : 0);
    int64_t start = floor_div(local, w) * w;
    int64_t days = floor_div(start, 86400);
    int64_t rem = start - days * 86400;
    int64_t y;
    unsigned m, d;
    tally_civil_from_days(days, &y, &m, &d);
    int n = snprintf(buf, TALLY_TIMEBUF, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u", y, m, d,
                     (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
    if (t->has_offset) {
        int32_t off = t->offset;
        char sign = off < 0 ? '-' : '+';
        if (off < 0)
            off = -off;
        n += snprintf(buf + n, (size_t)(TALLY_TIMEBUF - n), "%c%02d:%02d", sign, off / 3600,
                      off / 60 % 60);
    }
    return (size_t)n;
}
