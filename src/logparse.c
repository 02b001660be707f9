/* Log stage: bytes -> lines -> rows. The pattern is compiled once into a
 * code object that every thread's parser shares; each parser splits blocks
 * into lines (LF or CRLF, a carry buffer only for a line that straddles
 * blocks), matches each line with the preset's scanner or the shared PCRE2
 * code and its own match data, and hands the fields on as slices of the
 * line. */
#include "tally/logparse.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "logparse_int.h"
#include "pcre_int.h"

#include "tally/status.h"
#include "tally/xalloc.h"

enum log_kind { LOG_COMBINED, LOG_COMMON, LOG_SYSLOG, LOG_CUSTOM };

/* Immutable once compiled, so threads read it without locks; the count of
 * holders (the compiler and each parser) is the only thing that changes. */
struct tally_logparse_code {
    atomic_uint refs;
    char *spec;
    enum log_kind kind;
    bool strict;
    const char *why;
    pcre2_code *re; /* JIT-compiled where PCRE2 has a JIT */
    struct tally_header header;
    uint32_t *col_first; /* ncols + 1 offsets into groups */
    uint32_t *groups;    /* group numbers of each column (several with (?J)) */
};

/* One thread's state: never shared. */
struct tally_logparse {
    struct tally_logparse_code *code;
    bool scanner; /* combined/common through the scanner instead of PCRE2 */
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
    struct tally_slice *fields;

    char *carry; /* a line that straddles blocks */
    size_t carry_len, carry_cap;
    const char *file;
    uint64_t line; /* lines completed in this file */
    struct tally_skipstat skipped;
    struct tally_skipstat unterminated;
};

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
build_columns(struct tally_logparse_code *c)
{
    uint32_t count = 0, esize = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(c->re, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(c->re, PCRE2_INFO_NAMEENTRYSIZE, &esize);
    pcre2_pattern_info(c->re, PCRE2_INFO_NAMETABLE, &table);
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
        for (uint32_t k = 0; k < ncols && !seen; k++)
            seen = strcmp(names[k], ents[i].name) == 0;
        if (!seen)
            names[ncols++] = ents[i].name;
    }
    c->col_first = tally_xcalloc(ncols + 1, sizeof *c->col_first);
    c->groups = tally_xcalloc(count ? count : 1, sizeof *c->groups);
    uint32_t ng = 0;
    for (uint32_t k = 0; k < ncols; k++) {
        c->col_first[k] = ng;
        for (uint32_t i = 0; i < count; i++)
            if (strcmp(names[k], ents[i].name) == 0)
                c->groups[ng++] = ents[i].num;
    }
    c->col_first[ncols] = ng;

    c->header.n = ncols;
    c->header.names = tally_xcalloc(ncols ? ncols : 1, sizeof *c->header.names);
    c->header.lens = tally_xcalloc(ncols ? ncols : 1, sizeof *c->header.lens);
    for (uint32_t k = 0; k < ncols; k++) {
        c->header.names[k] = tally_xstrdup(names[k]);
        c->header.lens[k] = strlen(names[k]);
    }
    free(names);
    free(ents);
}

static bool
plain_word(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

static int
compile(struct tally_logparse_code *c, const char *pattern, struct tally_diag *d)
{
    int err = 0;
    PCRE2_SIZE off = 0;
    /* No PCRE2_UTF: log lines may hold any bytes; a pattern that wants UTF
     * semantics asks with (*UTF). */
    c->re =
        pcre2_compile((PCRE2_SPTR)pattern, strlen(pattern), 0, &err, &off, tally_pcre_ccontext());
    if (!c->re) {
        tally_pcre_check_memory(err);
        char msg[256];
        pcre2_get_error_message(err, (PCRE2_UCHAR *)msg, sizeof msg);
        tally_diag_usage(d, "--log: %s", msg);
        tally_diag_caret(d, pattern, off, 0);
        return TALLY_EUSAGE;
    }
    uint32_t count = 0;
    pcre2_pattern_info(c->re, PCRE2_INFO_NAMECOUNT, &count);
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
    /* Once, before any thread matches: the JIT code is then read-only and
     * shared. Without JIT support this fails and pcre2_match interprets. */
    (void)pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE);
    build_columns(c);
    return TALLY_OK;
}

int
tally_logparse_compile(struct tally_logparse_code **out, const char *spec, bool strict,
                       struct tally_diag *d)
{
    *out = NULL;
    struct tally_logparse_code *c = tally_xcalloc(1, sizeof *c);
    atomic_init(&c->refs, 1);
    c->spec = tally_xstrdup(spec);
    c->strict = strict;
    const char *pattern = tally_logparse_preset_pattern(spec);
    if (strcmp(spec, "combined") == 0) {
        c->kind = LOG_COMBINED;
        c->why = "line does not match the combined format";
    } else if (strcmp(spec, "common") == 0) {
        c->kind = LOG_COMMON;
        c->why = "line does not match the common format";
    } else if (strcmp(spec, "syslog") == 0) {
        c->kind = LOG_SYSLOG;
        c->why = "line does not match the syslog format";
    } else {
        c->kind = LOG_CUSTOM;
        c->why = "line does not match the --log pattern";
        pattern = c->spec;
    }
    int rc = compile(c, pattern, d);
    if (rc != TALLY_OK) {
        tally_logparse_code_free(c);
        return rc;
    }
    *out = c;
    return TALLY_OK;
}

void
tally_logparse_code_free(struct tally_logparse_code *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    pcre2_code_free(c->re);
    if (c->header.names)
        tally_header_fini(&c->header);
    free(c->col_first);
    free(c->groups);
    free(c->spec);
    free(c);
}

const struct tally_header *
tally_logparse_code_header(const struct tally_logparse_code *c)
{
    return &c->header;
}

struct tally_logparse *
tally_logparse_open(struct tally_logparse_code *c)
{
    struct tally_logparse *p = tally_xcalloc(1, sizeof *p);
    atomic_fetch_add(&c->refs, 1);
    p->code = c;
    p->scanner = c->kind == LOG_COMBINED || c->kind == LOG_COMMON;
    p->md = tally_xcheck(pcre2_match_data_create_from_pattern(c->re, tally_pcre_gcontext()));
    tally_pcre_limits(&p->mctx, &p->jstack);
    p->fields = tally_xcalloc(c->header.n ? c->header.n : 1, sizeof *p->fields);
    return p;
}

int
tally_logparse_new(struct tally_logparse **out, const char *spec, bool strict, struct tally_diag *d)
{
    *out = NULL;
    struct tally_logparse_code *c;
    int rc = tally_logparse_compile(&c, spec, strict, d);
    if (rc != TALLY_OK)
        return rc;
    *out = tally_logparse_open(c);
    tally_logparse_code_free(c); /* the parser holds it now */
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
    tally_logparse_code_free(p->code);
    free(p->fields);
    free(p->carry);
    free(p);
}

struct tally_logparse *
tally_logparse_clone(const struct tally_logparse *p)
{
    struct tally_logparse *c = tally_logparse_open(p->code);
    c->scanner = p->scanner;
    c->file = p->file;
    return c;
}

struct tally_logparse_code *
tally_logparse_code_of(const struct tally_logparse *p)
{
    return p->code;
}

void
tally_logparse_set_engine(struct tally_logparse *p, enum tally_log_engine e)
{
    enum log_kind k = p->code->kind;
    p->scanner = e == TALLY_LOG_ENGINE_AUTO && (k == LOG_COMBINED || k == LOG_COMMON);
}

const struct tally_header *
tally_logparse_header(const struct tally_logparse *p)
{
    return &p->code->header;
}

const struct tally_skipstat *
tally_logparse_skipped(const struct tally_logparse *p)
{
    return &p->skipped;
}

const struct tally_skipstat *
tally_logparse_unterminated(const struct tally_logparse *p)
{
    return &p->unterminated;
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
    const struct tally_logparse_code *c = p->code;
    if (p->scanner)
        return logparse_scan_clf(s, n, c->kind == LOG_COMBINED, p->fields);
    int rc = pcre2_match(c->re, (PCRE2_SPTR)s, n, 0, 0, p->md, p->mctx);
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
    for (uint32_t col = 0; col < c->header.n; col++) {
        p->fields[col] = (struct tally_slice){s, 0};
        for (uint32_t g = c->col_first[col]; g < c->col_first[col + 1]; g++) {
            uint32_t k = c->groups[g];
            if ((int)k < rc && ov[2 * k] != PCRE2_UNSET) {
                p->fields[col] = (struct tally_slice){s + ov[2 * k], ov[2 * k + 1] - ov[2 * k]};
                break;
            }
        }
    }
    return 1;
}

/* The column of a preset's last quoted field that the line ends inside
 * (the referer or the agent of combined), or -1. A closed field ends before
 * its closing quote, so only an open one reaches the end of the line. */
static int
open_field(const struct tally_logparse *p, const char *s, size_t n)
{
    if (p->code->kind != LOG_COMBINED)
        return -1;
    if (p->fields[LOG_F_AGENT].ptr + p->fields[LOG_F_AGENT].len == s + n)
        return LOG_F_AGENT;
    if (p->fields[LOG_F_REFERER].ptr + p->fields[LOG_F_REFERER].len == s + n)
        return LOG_F_REFERER;
    return -1;
}

/* A matching line whose last field has no closing quote: read to its end
 * and counted, or an error under --strict naming the opening quote. */
static int
note_open_field(struct tally_logparse *p, const char *s, size_t n, struct tally_diag *d)
{
    int f = open_field(p, s, n);
    if (f < 0)
        return TALLY_OK;
    const char *why = f == LOG_F_AGENT ? "the quote opening \"agent\" never closes"
                                       : "the quote opening \"referer\" never closes";
    /* The field starts right after its quote: that quote's 1-based column. */
    uint64_t col = (uint64_t)(p->fields[f].ptr - s);
    const char *file = p->file ? p->file : "<stdin>";
    if (p->code->strict) {
        struct tally_loc loc = {file, p->line, col};
        return tally_diag_fail(d, &loc, "%s", why);
    }
    tally_skipstat_add(&p->unterminated, file, p->line, col, why);
    return TALLY_OK;
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
        if (p->code->strict)
            return tally_diag_fail(d, &loc, "%s", p->code->why);
        tally_skipstat_add(&p->skipped, file, p->line, 0, p->code->why);
        return TALLY_OK;
    }
    if (note_open_field(p, s, n, d) != TALLY_OK)
        return TALLY_EDATA;
    struct tally_row row = {p->fields, p->code->header.n, file, p->line};
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
