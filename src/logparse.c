/* Log stage: bytes -> lines -> rows. Splits blocks into lines (LF or CRLF,
 * a carry buffer only for a line that straddles blocks), matches each line
 * with the preset's scanner or a PCRE2 pattern, and hands the fields on as
 * slices of the line. */
#include "tally/logparse.h"

#include <stdlib.h>
#include <string.h>

#include "pcre_int.h"

#include "tally/status.h"
#include "tally/xalloc.h"

/* The same limits as the --where filter: generous for real patterns, but a
 * catastrophic pattern stops with an error instead of running for hours. */

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

/* combined: referer and agent may be missing (a common-format line), and
 * anything after the agent (nginx's "$http_x_forwarded_for") is ignored.
 * common: anything after the bytes is ignored, so combined logs read too. */
static const char COMBINED_RE[] = CLF_HEAD
    "(?: \"(?<referer>(?:[^\"\\\\]|\\\\.)*)\" \"(?<agent>(?:[^\"\\\\]|\\\\.)*)\"(?: .*)?)?\\z";
static const char COMMON_RE[] = CLF_HEAD "(?: .*)?\\z";
/* RFC 3164 (also an ISO 8601 time, as rsyslog writes); the tag
 * "program[pid]: " is optional, then the rest of the line is the message. */
static const char SYSLOG_RE[] =
    "^(?<time>[A-Z][a-z]{2} [ 0-9]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}|"
    "[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+) (?<host>[^ ]+) "
    "(?:(?<program>[^ \\[\\]:]+)(?:\\[(?<pid>[0-9]+)\\])?:(?: |\\z))?(?<message>.*)\\z";

enum log_kind { LOG_COMBINED, LOG_COMMON, LOG_SYSLOG, LOG_CUSTOM };

/* Field order of the combined preset (common is its first ten). */
enum {
    F_IP,
    F_IDENT,
    F_USER,
    F_TIME,
    F_REQUEST,
    F_METHOD,
    F_PATH,
    F_PROTO,
    F_STATUS,
    F_BYTES,
    F_REFERER,
    F_AGENT,
    F_NCOMBINED
};

struct tally_logparse {
    char *spec;
    enum log_kind kind;
    bool strict;
    bool scanner; /* combined/common through scan_clf instead of PCRE2 */
    const char *why;

    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;

    struct tally_header header;
    uint32_t *col_first; /* ncols + 1 offsets into groups */
    uint32_t *groups;    /* group numbers of each column (several with (?J)) */
    struct tally_slice *fields;

    char *carry; /* a line that straddles blocks */
    size_t carry_len, carry_cap;
    const char *file;
    uint64_t line; /* lines completed in this file */
    struct tally_skipstat skipped;
};

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
    f[F_METHOD] = (struct tally_slice){s, mend};
    f[F_PATH] = (struct tally_slice){s + pstart, pend - pstart};
    f[F_PROTO] = (struct tally_slice){s + rstart, n - rstart};
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
        f[F_REFERER] = f[F_AGENT] = (struct tally_slice){s, 0};
        if (q < n) {
            if (n - q < 2 || s[q] != ' ' || s[q + 1] != '"')
                return false;
            size_t rs = q + 2, re = quoted_end(s, rs, n);
            if (re >= n || n - re < 3 || s[re + 1] != ' ' || s[re + 2] != '"')
                return false;
            size_t as = re + 3, ae = quoted_end(s, as, n);
            if (ae >= n || (ae + 1 < n && s[ae + 1] != ' '))
                return false;
            f[F_REFERER] = (struct tally_slice){s + rs, re - rs};
            f[F_AGENT] = (struct tally_slice){s + as, ae - as};
        }
    } else if (q < n && s[q] != ' ') {
        return false;
    }
    f[F_REQUEST] = (struct tally_slice){s + r, e - r};
    f[F_METHOD] = f[F_PATH] = f[F_PROTO] = (struct tally_slice){s, 0};
    split_request(s + r, e - r, f);
    f[F_STATUS] = (struct tally_slice){s + st, 3};
    f[F_BYTES] = (struct tally_slice){s + b, q - b};
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
        f[F_TIME] = (struct tally_slice){s + t + 1, j - t - 1};
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
    f[F_TIME] = (struct tally_slice){s + t, e - t};
    return scan_tail(s, e + 2, n, combined, f);
}

/* Hand-written equivalent of COMBINED_RE / COMMON_RE, trying the client
 * widths in the order PCRE2's lazy quantifier does. */
static bool
scan_clf(const char *s, size_t n, bool combined, struct tally_slice *f)
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
            f[F_IP] = (struct tally_slice){s, ends[k]};
            f[F_IDENT] = (struct tally_slice){s + ends[k] + 1, ends[k + 1] - ends[k] - 1};
            f[F_USER] = (struct tally_slice){s + ends[k + 1] + 1, ue - ends[k + 1] - 1};
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------- set-up */

struct name_entry {
    uint32_t num;
    const char *name;
};

static int
by_num(const void *a, const void *b)
{
    const struct name_entry *x = a, *y = b;
    return (x->num > y->num) - (x->num < y->num);
}

/* Columns: the distinct group names in order of their first group number. */
static void
build_columns(struct tally_logparse *p)
{
    uint32_t count = 0, esize = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(p->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(p->code, PCRE2_INFO_NAMEENTRYSIZE, &esize);
    pcre2_pattern_info(p->code, PCRE2_INFO_NAMETABLE, &table);
    struct name_entry *ents = tally_xcalloc(count ? count : 1, sizeof *ents);
    for (uint32_t i = 0; i < count; i++) {
        PCRE2_SPTR e = table + (size_t)i * esize;
        ents[i].num = ((uint32_t)e[0] << 8) | e[1];
        ents[i].name = (const char *)e + 2;
    }
    qsort(ents, count, sizeof *ents, by_num);

    uint32_t ncols = 0;
    const char **names = tally_xcalloc(count ? count : 1, sizeof *names);
    for (uint32_t i = 0; i < count; i++) {
        bool seen = false;
        for (uint32_t c = 0; c < ncols && !seen; c++)
            seen = strcmp(names[c], ents[i].name) == 0;
        if (!seen)
            names[ncols++] = ents[i].name;
    }
    p->col_first = tally_xcalloc(ncols + 1, sizeof *p->col_first);
    p->groups = tally_xcalloc(count ? count : 1, sizeof *p->groups);
    uint32_t ng = 0;
    for (uint32_t c = 0; c < ncols; c++) {
        p->col_first[c] = ng;
        for (uint32_t i = 0; i < count; i++)
            if (strcmp(names[c], ents[i].name) == 0)
                p->groups[ng++] = ents[i].num;
    }
    p->col_first[ncols] = ng;

    p->header.n = ncols;
    p->header.names = tally_xcalloc(ncols ? ncols : 1, sizeof *p->header.names);
    p->header.lens = tally_xcalloc(ncols ? ncols : 1, sizeof *p->header.lens);
    for (uint32_t c = 0; c < ncols; c++) {
        p->header.names[c] = tally_xstrdup(names[c]);
        p->header.lens[c] = strlen(names[c]);
    }
    p->fields = tally_xcalloc(ncols ? ncols : 1, sizeof *p->fields);
    free(names);
    free(ents);
}

static bool
plain_word(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!is_alpha(*s) && !is_digit(*s) && *s != '_' && *s != '-')
            return false;
    return true;
}

static int
compile(struct tally_logparse *p, const char *pattern, struct tally_diag *d)
{
    int err = 0;
    PCRE2_SIZE off = 0;
    /* No PCRE2_UTF: log lines may hold any bytes; a pattern that wants UTF
     * semantics asks with (*UTF). */
    p->code =
        pcre2_compile((PCRE2_SPTR)pattern, strlen(pattern), 0, &err, &off, tally_pcre_ccontext());
    if (!p->code) {
        tally_pcre_check_memory(err);
        char msg[256];
        pcre2_get_error_message(err, (PCRE2_UCHAR *)msg, sizeof msg);
        tally_diag_usage(d, "--log: %s", msg);
        tally_diag_caret(d, pattern, off, 0);
        return TALLY_EUSAGE;
    }
    uint32_t count = 0;
    pcre2_pattern_info(p->code, PCRE2_INFO_NAMECOUNT, &count);
    if (count == 0) {
        if (plain_word(pattern))
            tally_diag_usage(d,
                             "--log: unknown preset \"%s\" (presets: combined, common, syslog; "
                             "anything else is a PCRE2 pattern with named groups)",
                             pattern);
        else
            tally_diag_usage(d, "--log: the pattern has no named group; name each column "
                                "with (?<name>...)");
        tally_diag_caret(d, pattern, 0, strlen(pattern));
        return TALLY_EUSAGE;
    }
    /* Without JIT support this fails and pcre2_match interprets instead. */
    (void)pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
    p->md = tally_xcheck(pcre2_match_data_create_from_pattern(p->code, NULL));
    tally_pcre_limits(&p->mctx, &p->jstack);
    build_columns(p);
    return TALLY_OK;
}

int
tally_logparse_new(struct tally_logparse **out, const char *spec, bool strict, struct tally_diag *d)
{
    *out = NULL;
    struct tally_logparse *p = tally_xcalloc(1, sizeof *p);
    p->spec = tally_xstrdup(spec);
    p->strict = strict;
    const char *pattern = tally_logparse_preset_pattern(spec);
    if (strcmp(spec, "combined") == 0) {
        p->kind = LOG_COMBINED;
        p->why = "line does not match the combined format";
    } else if (strcmp(spec, "common") == 0) {
        p->kind = LOG_COMMON;
        p->why = "line does not match the common format";
    } else if (strcmp(spec, "syslog") == 0) {
        p->kind = LOG_SYSLOG;
        p->why = "line does not match the syslog format";
    } else {
        p->kind = LOG_CUSTOM;
        p->why = "line does not match the --log pattern";
        pattern = p->spec;
    }
    p->scanner = p->kind == LOG_COMBINED || p->kind == LOG_COMMON;
    int rc = compile(p, pattern, d);
    if (rc != TALLY_OK) {
        tally_logparse_free(p);
        return rc;
    }
    *out = p;
    return TALLY_OK;
}

void
tally_logparse_free(struct tally_logparse *p)
{
    if (!p)
        return;
    pcre2_match_data_free(p->md);
    pcre2_match_context_free(p->mctx);
    pcre2_jit_stack_free(p->jstack);
    pcre2_code_free(p->code);
    if (p->header.names)
        tally_header_fini(&p->header);
    free(p->col_first);
    free(p->groups);
    free(p->fields);
    free(p->carry);
    free(p->spec);
    free(p);
}

struct tally_logparse *
tally_logparse_clone(const struct tally_logparse *p)
{
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_logparse *c = NULL;
    /* The spec compiled once already, so it compiles again. */
    if (tally_logparse_new(&c, p->spec, p->strict, &d) != TALLY_OK)
        tally_oom(); /* it compiled before: only memory can fail it now */
    c->scanner = p->scanner;
    c->file = p->file;
    return c;
}

void
tally_logparse_set_engine(struct tally_logparse *p, enum tally_log_engine e)
{
    p->scanner = e == TALLY_LOG_ENGINE_AUTO && (p->kind == LOG_COMBINED || p->kind == LOG_COMMON);
}

const struct tally_header *
tally_logparse_header(const struct tally_logparse *p)
{
    return &p->header;
}

const struct tally_skipstat *
tally_logparse_skipped(const struct tally_logparse *p)
{
    return &p->skipped;
}

void
tally_logparse_reset(struct tally_logparse *p, const char *file)
{
    tally_logparse_reset_at(p, file, 1);
}

void
tally_logparse_reset_at(struct tally_logparse *p, const char *file, uint64_t first_line)
{
    p->file = file;
    p->line = first_line ? first_line - 1 : 0;
    p->carry_len = 0;
}

/* ------------------------------------------------------------- lines */

/* 1 matched (p->fields set), 0 did not, -1 error (d filled). */
static int
match_line(struct tally_logparse *p, const char *s, size_t n, const struct tally_loc *loc,
           struct tally_diag *d)
{
    if (p->scanner)
        return scan_clf(s, n, p->kind == LOG_COMBINED, p->fields);
    int rc = pcre2_match(p->code, (PCRE2_SPTR)s, n, 0, 0, p->md, p->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    tally_pcre_check_memory(rc);
    if (rc < 0) {
        const char *limit = tally_pcre_limit_name(rc);
        if (limit) {
            tally_diag_fail(d, loc, "--log: the line hit PCRE2's %s", limit);
        } else {
            char msg[256];
            pcre2_get_error_message(rc, (PCRE2_UCHAR *)msg, sizeof msg);
            tally_diag_fail(d, loc, "--log: matching failed: %s", msg);
        }
        return -1;
    }
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
    for (uint32_t c = 0; c < p->header.n; c++) {
        p->fields[c] = (struct tally_slice){s, 0};
        for (uint32_t g = p->col_first[c]; g < p->col_first[c + 1]; g++) {
            uint32_t k = p->groups[g];
            if ((int)k < rc && ov[2 * k] != PCRE2_UNSET) {
                p->fields[c] = (struct tally_slice){s + ov[2 * k], ov[2 * k + 1] - ov[2 * k]};
                break;
            }
        }
    }
    return 1;
}

static int
do_line(struct tally_logparse *p, const char *s, size_t n, tally_row_fn fn, void *ctx,
        struct tally_diag *d)
{
    p->line++;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    /* A blank line is not a log record: no row, not counted as skipped. */
    if (n == 0)
        return TALLY_OK;
    const char *file = p->file ? p->file : "<stdin>";
    struct tally_loc loc = {file, p->line, 0};
    int m = match_line(p, s, n, &loc, d);
    if (m < 0)
        return TALLY_EDATA;
    if (m == 0) {
        if (p->strict)
            return tally_diag_fail(d, &loc, "%s", p->why);
        tally_skipstat_add(&p->skipped, file, p->line, 0, p->why);
        return TALLY_OK;
    }
    struct tally_row row = {p->fields, p->header.n, file, p->line};
    return fn(ctx, &row, d);
}

static int
too_long(struct tally_logparse *p, struct tally_diag *d)
{
    struct tally_loc loc = {p->file ? p->file : "<stdin>", p->line + 1, 0};
    return tally_diag_fail(d, &loc, "line longer than %llu bytes",
                           (unsigned long long)TALLY_LOG_MAX_LINE);
}

int
tally_logparse_feed(struct tally_logparse *p, const char *buf, size_t len, tally_row_fn fn,
                    void *ctx, struct tally_diag *d)
{
    const char *s = buf, *end = buf + len;
    if (len == 0)
        return TALLY_OK;
    if (p->carry_len > 0) {
        const char *nl = memchr(s, '\n', len);
        size_t take = nl ? (size_t)(nl - s) : len;
        if (take > TALLY_LOG_MAX_LINE - p->carry_len)
            return too_long(p, d);
        tally_xgrow((void **)&p->carry, &p->carry_cap, p->carry_len + take, 1);
        memcpy(p->carry + p->carry_len, s, take);
        p->carry_len += take;
        if (!nl)
            return TALLY_OK;
        size_t n = p->carry_len;
        p->carry_len = 0;
        int rc = do_line(p, p->carry, n, fn, ctx, d);
        if (rc != TALLY_OK)
            return rc;
        s = nl + 1;
    }
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        if (n > TALLY_LOG_MAX_LINE)
            return too_long(p, d);
        if (!nl) {
            tally_xgrow((void **)&p->carry, &p->carry_cap, n, 1);
            memcpy(p->carry, s, n);
            p->carry_len = n;
            break;
        }
        int rc = do_line(p, s, n, fn, ctx, d);
        if (rc != TALLY_OK)
            return rc;
        s = nl + 1;
    }
    return TALLY_OK;
}

int
tally_logparse_finish(struct tally_logparse *p, tally_row_fn fn, void *ctx, struct tally_diag *d)
{
    if (p->carry_len == 0)
        return TALLY_OK;
    size_t n = p->carry_len;
    p->carry_len = 0;
    return do_line(p, p->carry, n, fn, ctx, d);
}

uint64_t
tally_logparse_lines(const struct tally_logparse *p)
{
    return p->line;
}
