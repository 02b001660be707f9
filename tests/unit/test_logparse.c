/* Unit tests for logparse.c: every preset on tricky hand-written lines and
 * lines cut inside their last field, the hand-written scanner against the
 * PCRE2 definitions (real samples, tricky lines, random mutations), custom
 * patterns, errors with their carets, the line splitter at every block split
 * point, and one compiled code shared by parsers on several threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/logparse.h"
#include "tally/status.h"

#include "realdata.h"

/* Rows rendered as "LINE:f1|f2|...\n", appended to one growing string. */
struct sink {
    char *buf;
    size_t len, cap;
    const char *lo, *hi; /* when set, every field must point inside [lo, hi) */
    int stop_after;      /* > 0: return TALLY_EDATA at that row */
    int rows;
};

static void
sink_put(struct sink *k, const char *s, size_t n)
{
    if (k->len + n + 1 > k->cap) {
        k->cap = (k->len + n + 1) * 2;
        char *nb = realloc(k->buf, k->cap);
        assert_non_null(nb);
        k->buf = nb;
    }
    memcpy(k->buf + k->len, s, n);
    k->len += n;
    k->buf[k->len] = '\0';
}

static int
on_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    struct sink *k = ctx;
    char num[32];
    int n = snprintf(num, sizeof num, "%llu:", (unsigned long long)row->line);
    sink_put(k, num, (size_t)n);
    for (uint32_t i = 0; i < row->nfields; i++) {
        if (i)
            sink_put(k, "|", 1);
        assert_true(row->fields[i].len == 0 || row->fields[i].ptr != NULL);
        if (k->lo && row->fields[i].len) {
            assert_true(row->fields[i].ptr >= k->lo);
            assert_true(row->fields[i].ptr + row->fields[i].len <= k->hi);
        }
        sink_put(k, row->fields[i].ptr, row->fields[i].len);
    }
    sink_put(k, "\n", 1);
    k->rows++;
    if (k->stop_after > 0 && k->rows == k->stop_after)
        return tally_diag_fail(d, NULL, "stopped");
    return TALLY_OK;
}

static struct tally_logparse *
make(const char *spec, bool strict)
{
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_logparse *p = NULL;
    assert_int_equal(tally_logparse_new(&p, spec, strict, &d), TALLY_OK);
    assert_non_null(p);
    return p;
}

/* Feeds input in blocks of `chunk` bytes (0: one block); returns the rows. */
static char *
parse_chunks(struct tally_logparse *p, const char *in, size_t len, size_t chunk, int *status,
             struct tally_diag *d)
{
    struct sink k = {0};
    sink_put(&k, "", 0);
    tally_diag_init(d);
    tally_logparse_reset(p, "t.log");
    int rc = TALLY_OK;
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len && rc == TALLY_OK; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        rc = tally_logparse_feed(p, in + off, n, on_row, &k, d);
    }
    if (rc == TALLY_OK)
        rc = tally_logparse_finish(p, on_row, &k, d);
    *status = rc;
    return k.buf;
}

static char *
parse_all(const char *spec, const char *in, bool strict, int *status, struct tally_diag *d)
{
    struct tally_logparse *p = make(spec, strict);
    char *out = parse_chunks(p, in, strlen(in), 0, status, d);
    tally_logparse_free(p);
    return out;
}

/* One line through a preset; the fields joined by '|' (no line number), or
 * "NOMATCH". Engine as given. */
/* Parsers reused across one_line calls: compiling with JIT per line would
 * dominate the run time. */
static struct {
    const char *spec;
    enum tally_log_engine eng;
    struct tally_logparse *p;
} cache[8];

static struct tally_logparse *
cached(const char *spec, enum tally_log_engine eng)
{
    size_t i = 0;
    for (; i < sizeof cache / sizeof cache[0] && cache[i].p; i++)
        if (cache[i].eng == eng && strcmp(cache[i].spec, spec) == 0)
            return cache[i].p;
    assert_true(i < sizeof cache / sizeof cache[0]);
    cache[i].spec = spec;
    cache[i].eng = eng;
    cache[i].p = make(spec, false);
    tally_logparse_set_engine(cache[i].p, eng);
    return cache[i].p;
}

static int
free_cache(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cache / sizeof cache[0]; i++) {
        tally_logparse_free(cache[i].p);
        cache[i].p = NULL;
    }
    return 0;
}

static char *
one_line(const char *spec, enum tally_log_engine eng, const char *line, size_t len)
{
    struct tally_logparse *p = cached(spec, eng);
    struct sink k = {0};
    sink_put(&k, "", 0);
    struct tally_diag d;
    tally_diag_init(&d);
    tally_logparse_reset(p, "t.log");
    uint64_t open_before = tally_logparse_unterminated(p)->count;
    /* A copy ending right after its newline, so the line is parsed in place
     * and a sanitizer catches reads past it. */
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, line, len);
    copy[len] = '\n';
    assert_int_equal(tally_logparse_feed(p, copy, len + 1, on_row, &k, &d), TALLY_OK);
    assert_int_equal(tally_logparse_finish(p, on_row, &k, &d), TALLY_OK);
    free(copy);
    if (k.rows == 0) {
        free(k.buf);
        char *s = malloc(8);
        assert_non_null(s);
        memcpy(s, "NOMATCH", 8);
        return s;
    }
    assert_int_equal(k.rows, 1);
    if (k.len && k.buf[k.len - 1] == '\n')
        k.buf[--k.len] = '\0';
    /* A line read with an open last field says so. */
    if (tally_logparse_unterminated(p)->count != open_before)
        sink_put(&k, " (open)", 7);
    char *colon = strchr(k.buf, ':');
    assert_non_null(colon);
    char *s = strdup(colon + 1);
    free(k.buf);
    return s;
}

/* Both engines must agree; returns the scanner's answer. */
static char *
both(const char *spec, const char *line, size_t len)
{
    char *a = one_line(spec, TALLY_LOG_ENGINE_AUTO, line, len);
    char *b = one_line(spec, TALLY_LOG_ENGINE_PCRE2, line, len);
    if (strcmp(a, b) != 0)
        fail_msg("%s: scanner and PCRE2 disagree on [%.*s]:\n  scanner: %s\n  pcre2:   %s", spec,
                 (int)len, line, a, b);
    free(b);
    return a;
}

static void
expect_line(const char *spec, const char *line, const char *want)
{
    char *got = both(spec, line, strlen(line));
    if (strcmp(got, want) != 0)
        fail_msg("%s on [%s]:\n  got:  %s\n  want: %s", spec, line, got, want);
    free(got);
}

static void
expect_header(const char *spec, const char *const *names, uint32_t n)
{
    struct tally_logparse *p = make(spec, false);
    const struct tally_header *h = tally_logparse_header(p);
    assert_int_equal(h->n, n);
    for (uint32_t i = 0; i < n; i++) {
        assert_string_equal(h->names[i], names[i]);
        assert_int_equal(h->lens[i], strlen(names[i]));
    }
    tally_logparse_free(p);
}

static void
test_logparse_presets_have_the_spec_columns(void **state)
{
    (void)state;
    static const char *const combined[] = {"ip",      "ident",  "user",    "time",
                                           "request", "method", "path",    "protocol",
                                           "status",  "bytes",  "referer", "agent"};
    static const char *const syslog[] = {"time", "host", "program", "pid", "message"};
    expect_header("combined", combined, 12);
    expect_header("common", combined, 10);
    expect_header("syslog", syslog, 5);
}

static void
test_logparse_combined_reads_tricky_lines(void **state)
{
    (void)state;
    expect_line("combined",
                "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" "
                "200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98)\"",
                "127.0.0.1|-|frank|10/Oct/2000:13:55:36 -0700|GET /apache_pb.gif HTTP/1.0|GET|"
                "/apache_pb.gif|HTTP/1.0|200|2326|http://www.example.com/start.html|"
                "Mozilla/4.08 [en] (Win98)");
    /* `-` for bytes stays `-`; request "-" keeps its text, no method. */
    expect_line("combined", "::1 - - [26/Dec/2016:16:16:48 +0200] \"-\" 408 - \"-\" \"-\"",
                "::1|-|-|26/Dec/2016:16:16:48 +0200|-||||408|-|-|-");
    expect_line("combined", "127.0.0.1 - - [12/Apr/2018:09:48:40 +0200] \"\" 400 0 \"-\" \"-\"",
                "127.0.0.1|-|-|12/Apr/2018:09:48:40 +0200|||||400|0|-|-");
    /* Escaped quotes stay as written, inside request, referer and agent. */
    expect_line("combined",
                "10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] \"GET /a\\\"b HTTP/1.1\" 200 5 "
                "\"x\\\"y\" \"say \\\"hi\\\" \\\\\"",
                "10.0.0.1|-|-|01/Jan/2024:00:00:00 +0000|GET /a\\\"b HTTP/1.1|GET|/a\\\"b|"
                "HTTP/1.1|200|5|x\\\"y|say \\\"hi\\\" \\\\");
    /* TLS garbage as the request. */
    expect_line("combined",
                "1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] \"\\x16\\x03\\x01\\x00\" 400 157 \"-\" "
                "\"-\"",
                "1.2.3.4|-|-|01/Jan/2024:00:00:00 +0000|\\x16\\x03\\x01\\x00||||400|157|-|-");
    /* Not METHOD PATH PROTO: too few or too many words. */
    expect_line("combined", "h - - [t] \"GET /\" 200 1 \"-\" \"-\"", "h|-|-|t|GET /||||200|1|-|-");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1 x\" 200 1 \"-\" \"-\"",
                "h|-|-|t|GET / HTTP/1.1 x||||200|1|-|-");
    /* IPv6, a host name, a forwarded-for list, a vhost before the client. */
    expect_line("combined", "2001:db8::1 - - [t] \"GET / HTTP/2.0\" 200 1 \"-\" \"-\"",
                "2001:db8::1|-|-|t|GET / HTTP/2.0|GET|/|HTTP/2.0|200|1|-|-");
    expect_line("combined",
                "10.0.0.2, 10.0.0.1, 127.0.0.1 - bob [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
                "10.0.0.2, 10.0.0.1, 127.0.0.1|-|bob|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-|-");
    expect_line("combined", "vhost.example 1.2.3.4 - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
                "vhost.example 1.2.3.4|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-|-");
    /* nginx's extra trailing fields are accepted and ignored. */
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1 \"r\" \"a\" \"1.1.1.1\" 0.003",
                "h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|r|a");
    /* A common-format line: referer and agent empty. */
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 404 209",
                "h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|404|209||");
    /* Time without brackets: CLF with a zone, ISO 8601, epoch. */
    expect_line("combined", "h - - 10/Oct/2000:13:55:36 -0700 \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
                "h|-|-|10/Oct/2000:13:55:36 -0700|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-|-");
    expect_line("combined", "h - - 2024-03-01T10:00:00+01:00 \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
                "h|-|-|2024-03-01T10:00:00+01:00|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-|-");
    /* A line cut inside its last quoted field: that field runs to the end
     * of the line (a lone backslash included), whether it is the agent or
     * the referer (then no agent). */
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"Mozilla",
                "h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-|Mozilla (open)");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"say \\\"hi\\\" \\",
                "h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-|say \\\"hi\\\" \\ (open)");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"",
                "h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-| (open)");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1 \"http://x/?a=\\\"b",
                "h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|http://x/?a=\\\"b| (open)");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1 \"",
                "h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|| (open)");
    /* Malformed: missing ident/user, a request cut short (no status), bad
     * status, junk after a referer alone, trailing text glued to the agent,
     * a referer closed but no agent opened. */
    expect_line("combined", "1.2.3.4 [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"", "NOMATCH");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1", "NOMATCH");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" x", "NOMATCH");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" ", "NOMATCH");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1 ", "NOMATCH");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 20x 1 \"-\" \"-\"", "NOMATCH");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1 \"-\"", "NOMATCH");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"x", "NOMATCH");
    expect_line("combined", "h - - [t] \"GET / HTTP/1.1\" 200 1x \"-\" \"-\"", "NOMATCH");
    expect_line("combined", " h - - [t] \"GET / HTTP/1.1\" 200 1", "NOMATCH");
    expect_line("combined", "hello world", "NOMATCH");
}

static void
test_logparse_common_ignores_what_follows_the_bytes(void **state)
{
    (void)state;
    expect_line("common", "h - u [t] \"GET /x HTTP/1.0\" 200 12",
                "h|-|u|t|GET /x HTTP/1.0|GET|/x|HTTP/1.0|200|12");
    expect_line("common", "h - u [t] \"GET /x HTTP/1.0\" 200 - \"ref\" \"agent\"",
                "h|-|u|t|GET /x HTTP/1.0|GET|/x|HTTP/1.0|200|-");
    expect_line("common", "h - u [t] \"GET /x HTTP/1.0\" 200 12x", "NOMATCH");
    /* A cut agent is part of what common ignores; a cut request is not read. */
    expect_line("common", "h - u [t] \"GET /x HTTP/1.0\" 200 - \"ref\" \"Mozil",
                "h|-|u|t|GET /x HTTP/1.0|GET|/x|HTTP/1.0|200|-");
    expect_line("common", "h - u [t] \"GET /x HTTP/1.0", "NOMATCH");
}

static void
test_logparse_syslog_reads_tag_pid_and_message(void **state)
{
    (void)state;
    expect_line("syslog", "Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick",
                "Oct 11 22:14:15|mymachine|su|230|'su root' failed for lonvick");
    expect_line("syslog", "Nov  3 09:47:02 veridian sudo: timstack : TTY=pts/6",
                "Nov  3 09:47:02|veridian|sudo||timstack : TTY=pts/6");
    expect_line("syslog", "Mar 24 14:26:01 host --- last message repeated 2 times ---",
                "Mar 24 14:26:01|host|||--- last message repeated 2 times ---");
    expect_line("syslog", "Mar 24 14:26:01 host prog[12]:", "Mar 24 14:26:01|host|prog|12|");
    expect_line("syslog", "2024-03-01T10:00:00.123+01:00 host kernel: boot",
                "2024-03-01T10:00:00.123+01:00|host|kernel||boot");
    expect_line("syslog", "Header1: abc", "NOMATCH");
    expect_line("syslog", "\tASL Module", "NOMATCH");
}

static void
test_logparse_custom_pattern_columns_follow_group_numbers(void **state)
{
    (void)state;
    static const char *const names[] = {"zeta", "alpha", "mid"};
    const char *re = "(?<zeta>\\d+) (?:(?<alpha>[a-z]+)|(\\W+)) ?(?<mid>x)?";
    expect_header(re, names, 3);
    struct tally_diag d;
    int rc;
    /* Unanchored search; an unmatched optional group is an empty field. */
    char *out = parse_all(re, "junk 12 abc x\n34 ##\n", false, &rc, &d);
    assert_int_equal(rc, TALLY_OK);
    assert_string_equal(out, "1:12|abc|x\n2:34||\n");
    free(out);
}

static void
test_logparse_custom_pattern_with_duplicate_names_takes_the_set_group(void **state)
{
    (void)state;
    static const char *const names[] = {"v", "w"};
    const char *re = "(?J)(?:a=(?<v>\\d+)|b=(?<v>\\w+))(?<w>!)?";
    expect_header(re, names, 2);
    struct tally_diag d;
    int rc;
    char *out = parse_all(re, "a=1\nb=xy!\n", false, &rc, &d);
    assert_int_equal(rc, TALLY_OK);
    assert_string_equal(out, "1:1|\n2:xy|!\n");
    free(out);
}

static void
expect_usage(const char *spec, const char *msg)
{
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_logparse *p = (struct tally_logparse *)&d;
    assert_int_equal(tally_logparse_new(&p, spec, false, &d), TALLY_EUSAGE);
    assert_null(p);
    assert_int_equal(d.status, TALLY_EUSAGE);
    assert_string_equal(d.msg, msg);
}

static void
test_logparse_reports_bad_patterns_with_a_caret(void **state)
{
    (void)state;
    expect_usage("(?<ip>\\S+) (?<x", "--log: syntax error in subpattern name (missing terminator?)"
                                     "\n  (?<ip>\\S+) (?<x\n                 ^");
    expect_usage("(?<a>x))", "--log: unmatched closing parenthesis\n  (?<a>x))\n         ^");
    expect_usage("(\\d+) (\\w+)", "--log: the pattern has no named group; name each column with "
                                  "(?<name>...)\n  (\\d+) (\\w+)\n  ^^^^^^^^^^^");
    expect_usage("Combined", "--log: unknown preset \"Combined\" (presets: combined, common, "
                             "syslog; anything else is a PCRE2 pattern with named groups)"
                             "\n  Combined\n  ^^^^^^^^");
}

static void
test_logparse_lenient_skips_and_counts_lines_that_do_not_match(void **state)
{
    (void)state;
    struct tally_logparse *p = make("combined", false);
    const char *in = "h - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n"
                     "\n"
                     "garbage\r\n"
                     "\r\n"
                     "h - - [t] \"GET /b HTTP/1.1\" 500 - \"-\" \"-\"\r\n"
                     "more garbage";
    struct tally_diag d;
    int rc;
    char *out = parse_chunks(p, in, strlen(in), 0, &rc, &d);
    assert_int_equal(rc, TALLY_OK);
    assert_string_equal(out, "1:h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-|-\n"
                             "5:h|-|-|t|GET /b HTTP/1.1|GET|/b|HTTP/1.1|500|-|-|-\n");
    free(out);
    const struct tally_skipstat *s = tally_logparse_skipped(p);
    assert_int_equal(s->count, 2);
    assert_string_equal(s->first_file, "t.log");
    assert_int_equal(s->first_line, 3);
    assert_string_equal(s->first_why, "line does not match the combined format");
    tally_logparse_free(p);

    p = make("(?<a>^x)", false);
    out = parse_chunks(p, "x\ny\n", 4, 0, &rc, &d);
    assert_string_equal(out, "1:x\n");
    free(out);
    assert_string_equal(tally_logparse_skipped(p)->first_why,
                        "line does not match the --log pattern");
    tally_logparse_free(p);
}

static void
test_logparse_strict_fails_on_the_first_line_that_does_not_match(void **state)
{
    (void)state;
    struct tally_diag d;
    int rc;
    char *out =
        parse_all("syslog", "Oct 11 22:14:15 h p: m\n\nnot syslog\nalso not\n", true, &rc, &d);
    assert_int_equal(rc, TALLY_EDATA);
    assert_int_equal(d.status, TALLY_EDATA);
    assert_string_equal(d.msg, "t.log:3: line does not match the syslog format");
    assert_string_equal(out, "1:Oct 11 22:14:15|h|p||m\n");
    free(out);
    out = parse_all("(?<a>^x)", "x\nx\ny", true, &rc, &d);
    assert_int_equal(rc, TALLY_EDATA);
    assert_string_equal(d.msg, "t.log:3: line does not match the --log pattern");
    free(out);
}

/* Two cut lines among whole ones: the agent of line 2, the referer of 4. */
static const char cut_input[] =
    "h - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n"
    "h - - [t] \"GET /a HTTP/1.1\" 200 2 \"-\" \"Mozilla/5.0 (compatible; Goo\r\n"
    "garbage\n"
    "h - - [t] \"GET /b HTTP/1.1\" 404 3 \"http://x/\n"
    "h - - [t] \"GET /c HTTP/1.1\" 200 4";

static void
test_logparse_reads_a_cut_last_field_to_the_end_and_counts_it(void **state)
{
    (void)state;
    size_t len = sizeof cut_input - 1;
    for (int eng = 0; eng < 2; eng++) {
        struct tally_logparse *p = make("combined", false);
        tally_logparse_set_engine(p, eng ? TALLY_LOG_ENGINE_PCRE2 : TALLY_LOG_ENGINE_AUTO);
        for (size_t chunk = 0; chunk <= len; chunk++) {
            struct tally_diag d;
            int rc;
            char *got = parse_chunks(p, cut_input, len, chunk, &rc, &d);
            assert_int_equal(rc, TALLY_OK);
            assert_string_equal(got, "1:h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-|-\n"
                                     "2:h|-|-|t|GET /a HTTP/1.1|GET|/a|HTTP/1.1|200|2|-|"
                                     "Mozilla/5.0 (compatible; Goo\n"
                                     "4:h|-|-|t|GET /b HTTP/1.1|GET|/b|HTTP/1.1|404|3|http://x/|\n"
                                     "5:h|-|-|t|GET /c HTTP/1.1|GET|/c|HTTP/1.1|200|4||\n");
            free(got);
        }
        /* Counted apart from the skipped line, the first with its quote. */
        const struct tally_skipstat *u = tally_logparse_unterminated(p);
        assert_int_equal(u->count, 2 * (len + 1));
        assert_string_equal(u->first_file, "t.log");
        assert_int_equal(u->first_line, 2);
        assert_int_equal(u->first_col, 39);
        assert_string_equal(u->first_why, "the quote opening \"agent\" never closes");
        assert_int_equal(tally_logparse_skipped(p)->count, len + 1);
        tally_logparse_free(p);
    }
}

static void
test_logparse_strict_fails_on_a_cut_last_field_naming_its_quote(void **state)
{
    (void)state;
    struct tally_diag d;
    int rc;
    char *out = parse_all("combined", cut_input, true, &rc, &d);
    assert_int_equal(rc, TALLY_EDATA);
    assert_string_equal(d.msg, "t.log:2:39: the quote opening \"agent\" never closes");
    assert_string_equal(out, "1:h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-|-\n");
    free(out);
    out = parse_all("combined", strstr(cut_input, "garbage"), true, &rc, &d);
    assert_int_equal(rc, TALLY_EDATA);
    assert_string_equal(d.msg, "t.log:1: line does not match the combined format");
    free(out);
    out = parse_all("combined", strstr(cut_input, "garbage") + 8, true, &rc, &d);
    assert_int_equal(rc, TALLY_EDATA);
    assert_string_equal(d.msg, "t.log:1:35: the quote opening \"referer\" never closes");
    assert_string_equal(out, "");
    free(out);
}

static void
test_logparse_custom_pattern_keeps_its_own_rule_for_quotes(void **state)
{
    (void)state;
    /* A pattern that wants a closing quote skips a cut line; one that
     * allows it (here the combined preset's own text) reads it. Neither
     * counts the line as read with an open field: only presets do. */
    static const char want_close[] = "^(?<ip>\\S+) .* \"(?<agent>(?:[^\"\\\\]|\\\\.)*)\"$";
    struct tally_logparse *p = make(want_close, false);
    struct tally_diag d;
    int rc;
    char *out = parse_chunks(p, cut_input, sizeof cut_input - 1, 0, &rc, &d);
    assert_int_equal(rc, TALLY_OK);
    assert_string_equal(out, "1:h|-\n");
    free(out);
    assert_int_equal(tally_logparse_skipped(p)->count, 4);
    assert_int_equal(tally_logparse_unterminated(p)->count, 0);
    tally_logparse_free(p);

    p = make(tally_logparse_preset_pattern("combined"), true);
    out = parse_chunks(p, cut_input, 110, 0, &rc, &d);
    assert_int_equal(rc, TALLY_OK);
    assert_int_equal(tally_logparse_unterminated(p)->count, 0);
    assert_string_equal(out, "1:h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-|-\n"
                             "2:h|-|-|t|GET /a HTTP/1.1|GET|/a|HTTP/1.1|200|2|-|Mozilla/5.0 ("
                             "compatible; Goo\n");
    free(out);
    tally_logparse_free(p);
}

static void
test_logparse_match_limit_is_a_data_error_naming_the_line(void **state)
{
    (void)state;
    struct tally_diag d;
    int rc;
    char *out = parse_all("^(?<a>(a+)+)$", "aa\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\n", false,
                          &rc, &d);
    assert_int_equal(rc, TALLY_EDATA);
    assert_string_equal(d.msg, "t.log:2: --log: the line hit PCRE2's match limit");
    assert_string_equal(out, "1:aa\n");
    free(out);
}

static void
test_logparse_callback_status_stops_the_parse(void **state)
{
    (void)state;
    struct tally_logparse *p = make("(?<a>.+)", false);
    struct sink k = {0};
    sink_put(&k, "", 0);
    k.stop_after = 2;
    struct tally_diag d;
    tally_diag_init(&d);
    tally_logparse_reset(p, "t.log");
    assert_int_equal(tally_logparse_feed(p, "a\nb\nc\n", 6, on_row, &k, &d), TALLY_EDATA);
    assert_string_equal(k.buf, "1:a\n2:b\n");
    assert_string_equal(d.msg, "stopped");
    free(k.buf);
    tally_logparse_free(p);
}

static const char split_input[] =
    "h - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\r\n"
    "\n"
    "bad line\n"
    "2001:db8::1 - bob [01/Jan/2024:00:00:00 +0000] \"POST /api?q=\\\"x\\\" HTTP/2.0\" 201 - "
    "\"https://r.example/\" \"curl/8.0\" \"9.9.9.9\"\r\n"
    "\r\n"
    "h - - [t] \"-\" 408 - \"-\" \"-\"";

static void
test_logparse_gives_the_same_rows_at_every_split_point(void **state)
{
    (void)state;
    size_t len = sizeof split_input - 1;
    for (int eng = 0; eng < 2; eng++) {
        struct tally_logparse *p = make("combined", false);
        tally_logparse_set_engine(p, eng ? TALLY_LOG_ENGINE_PCRE2 : TALLY_LOG_ENGINE_AUTO);
        struct tally_diag d;
        int rc;
        char *want = parse_chunks(p, split_input, len, 0, &rc, &d);
        assert_int_equal(rc, TALLY_OK);
        assert_string_equal(
            want, "1:h|-|-|t|GET / HTTP/1.1|GET|/|HTTP/1.1|200|1|-|-\n"
                  "4:2001:db8::1|-|bob|01/Jan/2024:00:00:00 +0000|POST /api?q=\\\"x\\\" HTTP/2.0|"
                  "POST|/api?q=\\\"x\\\"|HTTP/2.0|201|-|https://r.example/|curl/8.0\n"
                  "6:h|-|-|t|-||||408|-|-|-\n");
        for (size_t chunk = 1; chunk <= len; chunk++) {
            char *got = parse_chunks(p, split_input, len, chunk, &rc, &d);
            assert_int_equal(rc, TALLY_OK);
            assert_string_equal(got, want);
            free(got);
        }
        /* Two blocks split at every byte. */
        for (size_t cut = 0; cut <= len; cut++) {
            struct sink k = {0};
            sink_put(&k, "", 0);
            tally_diag_init(&d);
            tally_logparse_reset(p, "t.log");
            assert_int_equal(tally_logparse_feed(p, split_input, cut, on_row, &k, &d), TALLY_OK);
            assert_int_equal(tally_logparse_feed(p, split_input + cut, len - cut, on_row, &k, &d),
                             TALLY_OK);
            assert_int_equal(tally_logparse_finish(p, on_row, &k, &d), TALLY_OK);
            assert_string_equal(k.buf, want);
            free(k.buf);
        }
        assert_int_equal(tally_logparse_skipped(p)->count, 1 + len + (len + 1));
        free(want);
        tally_logparse_free(p);
    }
}

static void
test_logparse_fields_point_into_the_block_when_the_line_fits(void **state)
{
    (void)state;
    struct tally_logparse *p = make("combined", false);
    size_t len = sizeof split_input - 1;
    struct sink k = {0};
    sink_put(&k, "", 0);
    k.lo = split_input;
    k.hi = split_input + len;
    struct tally_diag d;
    tally_diag_init(&d);
    tally_logparse_reset(p, "t.log");
    assert_int_equal(tally_logparse_feed(p, split_input, len, on_row, &k, &d), TALLY_OK);
    /* The last line has no newline: it waits in the carry until finish. */
    assert_int_equal(k.rows, 2);
    k.lo = NULL;
    assert_int_equal(tally_logparse_finish(p, on_row, &k, &d), TALLY_OK);
    assert_int_equal(k.rows, 3);
    free(k.buf);
    tally_logparse_free(p);
}

static void
test_logparse_reads_a_long_line_across_many_blocks(void **state)
{
    (void)state;
    size_t n = 300000;
    char *in = malloc(n + 16);
    assert_non_null(in);
    memcpy(in, "x", 1);
    memset(in + 1, 'y', n - 1);
    memcpy(in + n, "\nshort\n", 8);
    struct tally_logparse *p = make("^(?<first>.)(?<rest>.*)$", false);
    struct tally_diag d;
    int rc;
    char *out = parse_chunks(p, in, n + 7, 4096, &rc, &d);
    assert_int_equal(rc, TALLY_OK);
    assert_int_equal(strlen(out), 2 + 1 + 1 + (n - 1) + 1 + strlen("2:s|hort\n"));
    assert_memory_equal(out, "1:x|yyy", 7);
    assert_string_equal(out + strlen(out) - 9, "2:s|hort\n");
    free(out);
    free(in);
    tally_logparse_free(p);
}

static void
test_logparse_reset_restarts_line_numbers_and_drops_a_partial_line(void **state)
{
    (void)state;
    struct tally_logparse *p = make("(?<a>.+)", false);
    struct sink k = {0};
    sink_put(&k, "", 0);
    struct tally_diag d;
    tally_diag_init(&d);
    tally_logparse_reset(p, "a.log");
    assert_int_equal(tally_logparse_feed(p, "a\nb\npart", 8, on_row, &k, &d), TALLY_OK);
    tally_logparse_reset(p, "b.log");
    assert_int_equal(tally_logparse_feed(p, "c\n", 2, on_row, &k, &d), TALLY_OK);
    assert_int_equal(tally_logparse_finish(p, on_row, &k, &d), TALLY_OK);
    tally_logparse_reset_at(p, "c.log", 41);
    assert_int_equal(tally_logparse_feed(p, "d\n", 2, on_row, &k, &d), TALLY_OK);
    assert_string_equal(k.buf, "1:a\n2:b\n1:c\n41:d\n");
    free(k.buf);
    tally_logparse_free(p);
}

static void
test_logparse_clone_parses_alike_with_its_own_state(void **state)
{
    (void)state;
    struct tally_logparse *p = make("combined", true);
    struct tally_logparse *c = tally_logparse_clone(p);
    assert_int_equal(tally_logparse_header(c)->n, 12);
    /* The compiled code and its columns are shared, not compiled again. */
    assert_ptr_equal(tally_logparse_code_of(c), tally_logparse_code_of(p));
    assert_ptr_equal(tally_logparse_header(c), tally_logparse_header(p));
    struct tally_diag d;
    int rc;
    size_t len = sizeof split_input - 1;
    char *a = parse_chunks(p, split_input, len, 7, &rc, &d);
    assert_int_equal(rc, TALLY_EDATA); /* strict carries over */
    char *b = parse_chunks(c, split_input, len, 5, &rc, &d);
    assert_int_equal(rc, TALLY_EDATA);
    assert_string_equal(a, b);
    assert_string_equal(d.msg, "t.log:3: line does not match the combined format");
    free(a);
    free(b);
    /* Either may go first: each holds the shared code. */
    tally_logparse_free(p);
    a = parse_chunks(c, split_input, len, 3, &rc, &d);
    assert_string_equal(d.msg, "t.log:3: line does not match the combined format");
    free(a);
    tally_logparse_free(c);
}

/* ------------------------------------------------ one code, many threads */

struct worker {
    struct tally_logparse_code *code;
    enum tally_log_engine eng;
    const char *in;
    size_t len;
    char *out; /* rows as parse_chunks renders them */
    uint64_t skipped, open;
    const void *shared; /* the code the worker's parser matched with */
};

static void *
work(void *arg)
{
    struct worker *w = arg;
    struct tally_logparse *p = tally_logparse_open(w->code);
    tally_logparse_set_engine(p, w->eng);
    struct tally_diag d;
    int rc;
    w->out = parse_chunks(p, w->in, w->len, 4096, &rc, &d);
    w->skipped = rc == TALLY_OK ? tally_logparse_skipped(p)->count : UINT64_MAX;
    w->open = tally_logparse_unterminated(p)->count;
    w->shared = tally_logparse_code_of(p);
    tally_logparse_free(p);
    return NULL;
}

static void
test_logparse_threads_share_one_compiled_code(void **state)
{
    (void)state;
    size_t one = sizeof cut_input - 1, reps = 3000;
    char *in = malloc((one + 1) * reps);
    assert_non_null(in);
    for (size_t i = 0; i < reps; i++) {
        memcpy(in + i * (one + 1), cut_input, one);
        in[i * (one + 1) + one] = '\n';
    }
    size_t len = (one + 1) * reps;
    static const char *const specs[] = {"combined", "^(?<ip>\\S+) (?:\\S+ ){2}\\[(?<t>[^]]*)\\]"};
    for (int k = 0; k < 3; k++) {
        struct tally_diag d;
        tally_diag_init(&d);
        struct tally_logparse_code *code;
        assert_int_equal(tally_logparse_compile(&code, specs[k / 2], false, &d), TALLY_OK);
        struct tally_logparse *ref = tally_logparse_open(code);
        enum tally_log_engine eng = k == 1 ? TALLY_LOG_ENGINE_PCRE2 : TALLY_LOG_ENGINE_AUTO;
        tally_logparse_set_engine(ref, eng);
        int rc;
        char *want = parse_chunks(ref, in, len, 0, &rc, &d);
        assert_int_equal(rc, TALLY_OK);
        struct worker w[2];
        pthread_t tid[2];
        for (int t = 0; t < 2; t++) {
            w[t] = (struct worker){.code = code, .eng = eng, .in = in, .len = len};
            assert_int_equal(pthread_create(&tid[t], NULL, work, &w[t]), 0);
        }
        /* The compiler's hold may go while the threads still parse. */
        tally_logparse_code_free(code);
        for (int t = 0; t < 2; t++) {
            assert_int_equal(pthread_join(tid[t], NULL), 0);
            assert_ptr_equal(w[t].shared, tally_logparse_code_of(ref));
            assert_string_equal(w[t].out, want);
            assert_int_equal(w[t].skipped, tally_logparse_skipped(ref)->count);
            assert_int_equal(w[t].open, tally_logparse_unterminated(ref)->count);
            free(w[t].out);
        }
        assert_int_equal(tally_logparse_skipped(ref)->count, reps); /* the garbage lines */
        assert_int_equal(tally_logparse_unterminated(ref)->count, k < 2 ? 2 * reps : 0);
        free(want);
        tally_logparse_free(ref);
    }
    free(in);
}

/* ------------------------------------------- scanner == PCRE2 definition */

static void
agree_on_lines(const char *spec, const char *buf, size_t len, size_t *nlines)
{
    const char *s = buf, *end = buf + len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        free(both(spec, s, n));
        (*nlines)++;
        s = nl ? nl + 1 : end;
    }
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    size_t r;
    while ((r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(b, cap);
            assert_non_null(nb);
            b = nb;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

static void
test_logparse_scanner_agrees_with_pcre2_on_the_real_samples(void **state)
{
    (void)state;
    static const char *const files[] = {"elastic-examples/apache_logs",
                                        "elastic-beats/nginx-access-test.log",
                                        "elastic-beats/apache-access-test.log",
                                        "lnav/logfile_access_log.0",
                                        "lnav/logfile_shop_access_log.0",
                                        "lnav/logfile_bad_access_log.0",
                                        "lnav/logfile_regexp_access_log.0",
                                        "lnav/logfile_syslog_with_access_log.0",
                                        "lnav/logfile_syslog.0",
                                        "lnav/logfile_crlf.0",
                                        "lnav/logfile_invalid_utf8.0",
                                        "lnav/logfile_haproxy.0"};
    size_t nlines = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/logs/%s", realdata_dir(), files[i]);
        size_t len;
        char *buf = slurp(path, &len);
        if (!buf)
            fail_msg("cannot read %s", path);
        agree_on_lines("combined", buf, len, &nlines);
        agree_on_lines("common", buf, len, &nlines);
        free(buf);
    }
    assert_true(nlines > 20000);
}

/* Status and method counts of a parse, for the real-sample totals. */
struct tally_counts {
    uint64_t rows, status[600], get, head, post, options, other, bytes_sum;
};

static int
count_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    (void)d;
    struct tally_counts *c = ctx;
    c->rows++;
    const struct tally_slice *f = row->fields;
    unsigned st = 0;
    for (size_t i = 0; i < f[8].len; i++)
        st = st * 10 + (unsigned)(f[8].ptr[i] - '0');
    assert_true(st < 600);
    c->status[st]++;
    if (tally_slice_eq(f[5], TALLY_SLICE_LIT("GET")))
        c->get++;
    else if (tally_slice_eq(f[5], TALLY_SLICE_LIT("HEAD")))
        c->head++;
    else if (tally_slice_eq(f[5], TALLY_SLICE_LIT("POST")))
        c->post++;
    else if (tally_slice_eq(f[5], TALLY_SLICE_LIT("OPTIONS")))
        c->options++;
    else
        c->other++;
    double b;
    if (tally_parse_double(f[9], &b))
        c->bytes_sum += (uint64_t)b;
    else
        assert_true(tally_slice_eq(f[9], TALLY_SLICE_LIT("-")));
    return TALLY_OK;
}

static void
test_logparse_reads_the_elastic_apache_sample_like_an_independent_parse(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/logs/elastic-examples/apache_logs", realdata_dir());
    size_t len;
    char *buf = slurp(path, &len);
    assert_non_null(buf);
    /* Totals from a plain Python regex over the same file. */
    for (int eng = 0; eng < 2; eng++) {
        struct tally_logparse *p = make("combined", false);
        tally_logparse_set_engine(p, eng ? TALLY_LOG_ENGINE_PCRE2 : TALLY_LOG_ENGINE_AUTO);
        tally_logparse_reset(p, "apache_logs");
        struct tally_counts c;
        memset(&c, 0, sizeof c);
        struct tally_diag d;
        tally_diag_init(&d);
        for (size_t off = 0; off < len; off += 65536) {
            size_t n = len - off < 65536 ? len - off : 65536;
            assert_int_equal(tally_logparse_feed(p, buf + off, n, count_row, &c, &d), TALLY_OK);
        }
        assert_int_equal(tally_logparse_finish(p, count_row, &c, &d), TALLY_OK);
        /* As GoAccess counts: every line, line 8899 with its cut agent too. */
        assert_int_equal(c.rows, 10000);
        assert_int_equal(c.status[200], 9126);
        assert_int_equal(c.status[206], 45);
        assert_int_equal(c.status[301], 164);
        assert_int_equal(c.status[304], 445);
        assert_int_equal(c.status[403], 2);
        assert_int_equal(c.status[404], 213);
        assert_int_equal(c.status[416], 2);
        assert_int_equal(c.status[500], 3);
        assert_int_equal(c.get, 9952);
        assert_int_equal(c.head, 42);
        assert_int_equal(c.post, 5);
        assert_int_equal(c.options, 1);
        assert_int_equal(c.other, 0);
        assert_int_equal(c.bytes_sum, 2747282505u + 235u);
        assert_int_equal(tally_logparse_skipped(p)->count, 0);
        const struct tally_skipstat *s = tally_logparse_unterminated(p);
        assert_int_equal(s->count, 1);
        assert_int_equal(s->first_line, 8899); /* its user agent is cut short */
        assert_int_equal(s->first_col, 111);
        assert_string_equal(s->first_why, "the quote opening \"agent\" never closes");
        tally_logparse_free(p);
    }
    free(buf);
}

static void
test_logparse_reads_the_lnav_samples_with_the_expected_skips(void **state)
{
    (void)state;
    static const struct {
        const char *file, *spec;
        uint64_t rows, skipped, first;
    } cases[] = {
        {"lnav/logfile_access_log.0", "combined", 3, 0, 0},
        {"lnav/logfile_shop_access_log.0", "combined", 1000, 0, 0},
        {"lnav/logfile_bad_access_log.0", "combined", 2, 1, 2},
        {"lnav/logfile_syslog.0", "syslog", 4, 0, 0},
        {"lnav/logfile_syslog_with_header.0", "syslog", 4, 2, 1},
        {"elastic-beats/nginx-access-test.log", "combined", 7, 0, 0},
        {"elastic-beats/apache-access-test.log", "combined", 7, 0, 0},
        {"elastic-beats/system-auth-test.log", "syslog", 10, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/logs/%s", realdata_dir(), cases[i].file);
        size_t len;
        char *buf = slurp(path, &len);
        assert_non_null(buf);
        struct tally_logparse *p = make(cases[i].spec, false);
        struct tally_diag d;
        int rc;
        char *out = parse_chunks(p, buf, len, 1000, &rc, &d);
        assert_int_equal(rc, TALLY_OK);
        uint64_t rows = 0;
        for (const char *q = out; *q; q++)
            rows += *q == '\n';
        if (rows != cases[i].rows)
            fail_msg("%s: %llu rows, want %llu", cases[i].file, (unsigned long long)rows,
                     (unsigned long long)cases[i].rows);
        const struct tally_skipstat *s = tally_logparse_skipped(p);
        assert_int_equal(s->count, cases[i].skipped);
        assert_int_equal(s->first_line, cases[i].first);
        free(out);
        free(buf);
        tally_logparse_free(p);
    }
}

/* Deterministic xorshift, so a failure reproduces. */
static uint64_t
next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void
test_logparse_scanner_agrees_with_pcre2_on_mutated_lines(void **state)
{
    (void)state;
    static const char *const seeds[] = {
        "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a\\\"b HTTP/1.1\" 200 5 \"r\" \"a\"",
        "a b c d e - - 10/Oct/2000:13:55:36 -0700 \"-\" 408 - \"-\" \"-\" \"x\"",
        "h - - 2024-01-01T00:00:00Z \"GET / HTTP/1.1\" 200 1",
        "h - - [t] \"POST /x\\\\ HTTP/1.0\" 200 1 \"\\\\\" \"\\\"\" junk",
        "\"1, 2\" 3 - u [x] \"\" 200 0 \"[\" \"]\"",
        /* Cut inside the agent, then inside the referer. */
        "h - - [t] \"GET / HTTP/1.1\" 200 1 \"r\" \"Mozilla (x; \\\"y\\",
        "h - - [t] \"GET / HTTP/1.1\" 304 - \"http://r/?q=\\\"x",
    };
    static const char alphabet[] = " \"\\[]-+0123456789/:HTTPGET\tx,.";
    uint64_t rs = 0x9e3779b97f4a7c15ull;
    char line[512];
    size_t agreed = 0, matched = 0, opened = 0;
    for (int iter = 0; iter < 60000; iter++) {
        const char *seed = seeds[iter % (sizeof seeds / sizeof seeds[0])];
        size_t n = strlen(seed);
        memcpy(line, seed, n);
        int edits = 1 + (int)(next_rand(&rs) % 4);
        for (int e = 0; e < edits; e++) {
            size_t pos = n ? next_rand(&rs) % (n + 1) : 0;
            char ch = alphabet[next_rand(&rs) % (sizeof alphabet - 1)];
            switch (next_rand(&rs) % 3) {
            case 0: /* replace */
                if (pos < n)
                    line[pos] = ch;
                break;
            case 1: /* insert */
                if (n + 1 < sizeof line) {
                    memmove(line + pos + 1, line + pos, n - pos);
                    line[pos] = ch;
                    n++;
                }
                break;
            default: /* delete */
                if (pos < n) {
                    memmove(line + pos, line + pos + 1, n - pos - 1);
                    n--;
                }
                break;
            }
        }
        for (int k = 0; k < 2; k++) {
            char *got = both(k ? "common" : "combined", line, n);
            matched += strcmp(got, "NOMATCH") != 0;
            opened += strstr(got, " (open)") != NULL;
            free(got);
            agreed++;
        }
    }
    assert_int_equal(agreed, 120000);
    /* The mutations exercise every outcome, a cut last field too. */
    assert_true(matched > 10000 && matched < 110000);
    if (opened < 2000)
        fail_msg("only %zu lines read with an open last field", opened);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logparse_presets_have_the_spec_columns),
        cmocka_unit_test(test_logparse_combined_reads_tricky_lines),
        cmocka_unit_test(test_logparse_common_ignores_what_follows_the_bytes),
        cmocka_unit_test(test_logparse_syslog_reads_tag_pid_and_message),
        cmocka_unit_test(test_logparse_custom_pattern_columns_follow_group_numbers),
        cmocka_unit_test(test_logparse_custom_pattern_with_duplicate_names_takes_the_set_group),
        cmocka_unit_test(test_logparse_reports_bad_patterns_with_a_caret),
        cmocka_unit_test(test_logparse_lenient_skips_and_counts_lines_that_do_not_match),
        cmocka_unit_test(test_logparse_strict_fails_on_the_first_line_that_does_not_match),
        cmocka_unit_test(test_logparse_reads_a_cut_last_field_to_the_end_and_counts_it),
        cmocka_unit_test(test_logparse_strict_fails_on_a_cut_last_field_naming_its_quote),
        cmocka_unit_test(test_logparse_custom_pattern_keeps_its_own_rule_for_quotes),
        cmocka_unit_test(test_logparse_match_limit_is_a_data_error_naming_the_line),
        cmocka_unit_test(test_logparse_callback_status_stops_the_parse),
        cmocka_unit_test(test_logparse_gives_the_same_rows_at_every_split_point),
        cmocka_unit_test(test_logparse_fields_point_into_the_block_when_the_line_fits),
        cmocka_unit_test(test_logparse_reads_a_long_line_across_many_blocks),
        cmocka_unit_test(test_logparse_reset_restarts_line_numbers_and_drops_a_partial_line),
        cmocka_unit_test(test_logparse_clone_parses_alike_with_its_own_state),
        cmocka_unit_test(test_logparse_threads_share_one_compiled_code),
        cmocka_unit_test(test_logparse_scanner_agrees_with_pcre2_on_mutated_lines),
    };
    const struct CMUnitTest realdata_tests[] = {
        cmocka_unit_test(test_logparse_scanner_agrees_with_pcre2_on_the_real_samples),
        cmocka_unit_test(test_logparse_reads_the_elastic_apache_sample_like_an_independent_parse),
        cmocka_unit_test(test_logparse_reads_the_lnav_samples_with_the_expected_skips),
    };
    if (realdata_group(argc, argv))
        return cmocka_run_group_tests(realdata_tests, NULL, free_cache);
    return cmocka_run_group_tests(tests, NULL, free_cache);
}
