/* The log presets: their PCRE2 definitions, which are the reference, and
 * the hand-written scanner that reads combined and common lines exactly as
 * those definitions do, only faster (unit tests and the fuzz harness hold
 * the two identical). */
#include "tally/logparse.h"

#include <string.h>

#include "logparse_int.h"

/* The PCRE2 definitions are the reference for the presets. The client may be
 * several space-separated words (forwarded-for lists, a vhost before the
 * address): the shortest prefix, up to 16 words, after which ident, user,
 * time and the quoted request line up. Time is [in brackets] or a bare word
 * that starts with a digit, optionally followed by a zone like -0700. The
 * request splits into method, path and protocol only when it is exactly
 * METHOD PATH PROTO. */
#define CLF_HEAD                                                                                   \
    "^(?<ip>[^ ]+(?: [^ ]+){0,15}?) (?<ident>[^ ]+) (?<user>[^ ]+) "                               \
    "(?|\\[(?<time>[^\\]]*)\\]|(?<time>[0-9][^ \"\\[]*(?: [+-][0-9]{4})?)) "                       \
    "\"(?<request>(?<method>[A-Za-z][A-Za-z_-]*) (?<path>(?:[^\\s\"\\\\]|\\\\\\S)+) "              \
    "(?<protocol>[A-Za-z]+/[0-9.]+)(?=\")|(?:[^\"\\\\]|\\\\.)*)\" "                                \
    "(?<status>[0-9]{3}) (?<bytes>[0-9]+|-)"

/* The inside of the referer or the agent: escapes come in pairs, and a
 * lone backslash may end a line that is cut inside the field. */
#define QUOTED_FIELD "(?:[^\"\\\\]|\\\\.)*+(?:\\\\\\z)?"

/* combined: referer and agent may be missing (a common-format line), and
 * anything after the agent (nginx's "$http_x_forwarded_for") is ignored.
 * A line that ends inside the referer or the agent (the server cut it) is
 * read too: that field runs to the end of the line, as GoAccess reads it.
 * common: anything after the bytes is ignored, so combined logs read too. */
static const char COMBINED_RE[] =
    CLF_HEAD "(?: \"(?<referer>" QUOTED_FIELD ")"
             "(?:\" \"(?<agent>" QUOTED_FIELD ")(?:\"(?: .*)?)?)?)?\\z";
static const char COMMON_RE[] = CLF_HEAD "(?: .*)?\\z";
/* RFC 3164 (also an ISO 8601 time, as rsyslog writes); the tag
 * "program[pid]: " is optional, then the rest of the line is the message. */
static const char SYSLOG_RE[] =
    "^(?<time>[A-Z][a-z]{2} [ 0-9]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}|"
    "[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+) (?<host>[^ ]+) "
    "(?:(?<program>[^ \\[\\]:]+)(?:\\[(?<pid>[0-9]+)\\])?:(?: |\\z))?(?<message>.*)\\z";

const char *
tally_logparse_preset_pattern(const char *name)
{
    if (strcmp(name, "combined") == 0)
        return COMBINED_RE;
    if (strcmp(name, "common") == 0)
        return COMMON_RE;
    if (strcmp(name, "syslog") == 0)
        return SYSLOG_RE;
    return NULL;
}

/* ------------------------------------------------------------ scanner */

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* (?:[^"\\]|\\.)* then '"': the index of the closing quote, or n. Most
 * fields hold no backslash, so memchr finds the quote. */
static size_t
quoted_end(const char *s, size_t i, size_t n)
{
    while (i < n) {
        const char *q = memchr(s + i, '"', n - i);
        size_t qi = q ? (size_t)(q - s) : n;
        const char *bs = memchr(s + i, '\\', qi - i);
        if (!bs)
            return qi;
        /* A backslash escapes the next byte, whatever it is. */
        i = (size_t)(bs - s) + 2;
        if (i > n)
            return n;
    }
    return n;
}

/* Splits a request that is exactly METHOD PATH PROTO, as the first branch
 * of the request group does; otherwise leaves the three fields empty. */
static void
split_request(const char *s, size_t n, struct tally_slice *f)
{
    size_t i = 0;
    if (n == 0 || !is_alpha(s[0]))
        return;
    while (i < n && (is_alpha(s[i]) || s[i] == '_' || s[i] == '-'))
        i++;
    if (i >= n || s[i] != ' ')
        return;
    size_t mend = i++;
    size_t pstart = i;
    while (i < n) {
        if (s[i] == '\\') {
            if (i + 1 >= n || is_space(s[i + 1]))
                break;
            i += 2;
        } else if (is_space(s[i]) || s[i] == '"') {
            break;
        } else {
            i++;
        }
    }
    if (i == pstart || i >= n || s[i] != ' ')
        return;
    size_t pend = i++;
    size_t rstart = i;
    while (i < n && is_alpha(s[i]))
        i++;
    if (i == rstart || i >= n || s[i] != '/')
        return;
    i++;
    size_t vstart = i;
    while (i < n && (is_digit(s[i]) || s[i] == '.'))
        i++;
    if (i == vstart || i != n)
        return;
    f[LOG_F_METHOD] = (struct tally_slice){s, mend};
    f[LOG_F_PATH] = (struct tally_slice){s + pstart, pend - pstart};
    f[LOG_F_PROTO] = (struct tally_slice){s + rstart, n - rstart};
}

/* After the bytes of a combined line: ` "referer" "agent"`, then anything
 * after a space. The line may end inside the referer or the agent; that
 * field then runs to the end of the line (the caller tells it from a closed
 * field by where it ends). */
static bool
scan_referer_agent(const char *s, size_t q, size_t n, struct tally_slice *f)
{
    if (n - q < 2 || s[q] != ' ' || s[q + 1] != '"')
        return false;
    size_t rs = q + 2, re = quoted_end(s, rs, n);
    f[LOG_F_REFERER] = (struct tally_slice){s + rs, re - rs};
    if (re == n)
        return true;
    if (n - re < 3 || s[re + 1] != ' ' || s[re + 2] != '"')
        return false;
    size_t as = re + 3, ae = quoted_end(s, as, n);
    if (ae + 1 < n && s[ae + 1] != ' ')
        return false;
    f[LOG_F_AGENT] = (struct tally_slice){s + as, ae - as};
    return true;
}

/* From the opening quote of the request to the end of the line. */
static bool
scan_tail(const char *s, size_t i, size_t n, bool combined, struct tally_slice *f)
{
    size_t r = i;
    size_t e = quoted_end(s, r, n);
    if (e >= n)
        return false;
    if (n - e < 7 || s[e + 1] != ' ' || !is_digit(s[e + 2]) || !is_digit(s[e + 3]) ||
        !is_digit(s[e + 4]) || s[e + 5] != ' ')
        return false;
    size_t st = e + 2;
    size_t b = e + 6, q = b;
    if (s[q] == '-') {
        q++;
    } else {
        while (q < n && is_digit(s[q]))
            q++;
        if (q == b)
            return false;
    }
    if (combined) {
        f[LOG_F_REFERER] = f[LOG_F_AGENT] = (struct tally_slice){s, 0};
        if (q < n && !scan_referer_agent(s, q, n, f))
            return false;
    } else if (q < n && s[q] != ' ') {
        return false;
    }
    f[LOG_F_REQUEST] = (struct tally_slice){s + r, e - r};
    f[LOG_F_METHOD] = f[LOG_F_PATH] = f[LOG_F_PROTO] = (struct tally_slice){s, 0};
    split_request(s + r, e - r, f);
    f[LOG_F_STATUS] = (struct tally_slice){s + st, 3};
    f[LOG_F_BYTES] = (struct tally_slice){s + b, q - b};
    return true;
}

/* From the time field on: [bracketed] or a bare word starting with a digit
 * with an optional " +hhmm" zone. */
static bool
scan_time(const char *s, size_t t, size_t n, bool combined, struct tally_slice *f)
{
    if (t >= n)
        return false;
    if (s[t] == '[') {
        const char *close = memchr(s + t + 1, ']', n - t - 1);
        if (!close)
            return false;
        size_t j = (size_t)(close - s);
        if (n - j < 3 || s[j + 1] != ' ' || s[j + 2] != '"')
            return false;
        f[LOG_F_TIME] = (struct tally_slice){s + t + 1, j - t - 1};
        return scan_tail(s, j + 3, n, combined, f);
    }
    if (!is_digit(s[t]))
        return false;
    size_t e = t + 1;
    while (e < n && s[e] != ' ' && s[e] != '"' && s[e] != '[')
        e++;
    if (n - e >= 7 && s[e] == ' ' && (s[e + 1] == '+' || s[e + 1] == '-') && is_digit(s[e + 2]) &&
        is_digit(s[e + 3]) && is_digit(s[e + 4]) && is_digit(s[e + 5]))
        e += 6;
    if (n - e < 2 || s[e] != ' ' || s[e + 1] != '"')
        return false;
    f[LOG_F_TIME] = (struct tally_slice){s + t, e - t};
    return scan_tail(s, e + 2, n, combined, f);
}

/* Hand-written equivalent of COMBINED_RE / COMMON_RE, trying the client
 * widths in the order PCRE2's lazy quantifier does. */
bool
logparse_scan_clf(const char *s, size_t n, bool combined, struct tally_slice *f)
{
    /* Word ends, found as needed; a word is [^ ]+ and words are separated by
     * one space. Up to 16 words of client, then ident and user. */
    size_t ends[18] = {0};
    size_t nw = 0, i = 0;
    for (size_t k = 0; k < 16; k++) {
        while (nw < k + 3) {
            if (i >= n || s[i] == ' ')
                return false;
            const char *sp = memchr(s + i, ' ', n - i);
            if (!sp)
                return false;
            ends[nw++] = (size_t)(sp - s);
            i = ends[nw - 1] + 1;
        }
        size_t ue = ends[k + 2];
        if (scan_time(s, ue + 1, n, combined, f)) {
            f[LOG_F_IP] = (struct tally_slice){s, ends[k]};
            f[LOG_F_IDENT] = (struct tally_slice){s + ends[k] + 1, ends[k + 1] - ends[k] - 1};
            f[LOG_F_USER] = (struct tally_slice){s + ends[k + 1] + 1, ue - ends[k + 1] - 1};
            return true;
        }
    }
    return false;
}
