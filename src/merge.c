/* --merge (merge.h): partial lines in, one aggregation out. The first header
 * fixes the query and opens the plan, the output and the aggregate sink;
 * every later header must name the same query; each group line is checked
 * and folded into its group; each input's trailers must count the group
 * lines it held, so that a partial cut short at a line end is found too. */
#include "tally/merge.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally/buf.h"
#include "tally/exec.h"
#include "tally/partial.h"
#include "tally/reader.h"
#include "tally/sink.h"
#include "tally/status.h"
#include "tally/xalloc.h"

struct merge {
    const struct tally_opts *o;
    int out_fd;
    struct tally_report *rep;
    bool open;
    bool given;                /* the query came from the command line (-g, -a, ...) */
    struct tally_pquery first; /* the query, from the first header */
    char first_input[256];     /* where it was read */
    struct tally_pquery out;   /* the header of a --merge --partial */
    struct tally_plan plan;
    struct tally_exec exec;
    struct tally_writer *w;
    struct tally_sink sink;
    struct tally_slice *fields; /* of the current group line */
    size_t fcap;
    struct tally_buf line; /* the current line, copied (keys are unescaped in place) */
    /* The current input. */
    const char *input;
    uint64_t lineno, groups, counted, trailers;
    /* Trailers read before the first header (sorted input puts them first). */
    uint64_t early_qid;
    bool early;
};

/* The options of this run, each output option it was not given taken
 * from the partial's record. */
static void
effective_options(struct tally_opts *e, const struct tally_opts *o, const struct tally_pquery *q)
{
    *e = *o;
    const char *v = tally_pquery_rec(q, "output");
    if (!o->output_set && v && tally_format_parse(v, &e->output))
        e->output_set = true;
    if (!o->sort)
        e->sort = tally_pquery_rec(q, "sort");
    v = tally_pquery_rec(q, "limit");
    if (o->limit < 0 && v)
        e->limit = strtoll(v, NULL, 10);
    if (!o->no_header_out && tally_pquery_rec(q, "no-header-out"))
        e->no_header_out = true;
    v = tally_pquery_rec(q, "precision");
    if (o->precision == 0 && v)
        e->precision = atoi(v);
}

static void
copy_fields(struct tally_pfield **to, uint32_t *nto, const struct tally_pfield *f, uint32_t n)
{
    *to = tally_xcalloc(n + 1, sizeof **to);
    for (uint32_t i = 0; i < n; i++)
        (*to)[i] = (struct tally_pfield){tally_xstrdup(f[i].name),
                                         tally_xstrndup(f[i].value, f[i].vlen), f[i].vlen};
    *nto = n;
}

/* The first header: the plan, the output and the sink. */
static int
open_run(struct merge *m, struct tally_diag *d)
{
    struct tally_opts eff;
    effective_options(&eff, m->o, &m->first);
    int rc = tally_partial_plan(&m->plan, &m->first, &eff, d);
    if (rc != TALLY_OK)
        return rc;
    tally_exec_init(&m->exec, &eff, m->out_fd);
    /* Decoded states hold whole-input positions already: a combiner run
     * inside a Hadoop map task must not move them by the split's offset. */
    m->exec.origin = 0;
    if (m->o->partial) {
        /* --merge --partial: the same query, and the output options in effect. */
        copy_fields(&m->out.query, &m->out.nquery, m->first.query, m->first.nquery);
        m->out.qid = m->first.qid;
        tally_pquery_record(&m->out, &eff);
        m->exec.partial = &m->out;
    }
    rc = tally_output_open(&m->w, m->exec.output, m->out_fd, &m->exec.out_opts);
    /* No year: partial groups carry their keys, no timestamp is read. */
    struct tally_sink_conf kc = {&m->plan, &m->exec, m->w, m->rep, 0, 1};
    if (rc == TALLY_OK)
        rc = tally_sink_open(&m->sink, &kc, d);
    void *local;
    if (rc == TALLY_OK)
        rc = m->sink.ops->local_new(m->sink.state, false, NULL, &local, d);
    m->open = rc == TALLY_OK;
    return rc;
}

static int
take_header(struct merge *m, const char *s, size_t n, const struct tally_loc *loc,
            struct tally_diag *d)
{
    struct tally_pquery q;
    int rc = tally_pquery_parse(&q, s, n, loc, d);
    if (rc != TALLY_OK) {
        tally_pquery_fini(&q);
        return rc;
    }
    if (!m->open) {
        m->first = q;
        snprintf(m->first_input, sizeof m->first_input, "%s:%" PRIu64, m->input, m->lineno);
        if (m->early && m->early_qid != q.qid)
            return tally_diag_fail(d, loc, "the end line of another query came before this header");
        return open_run(m, d);
    }
    char what[600];
    if (tally_pquery_diff(&m->first, &q, what, sizeof what) && m->given)
        rc = tally_diag_usage(d,
                              "%s:%" PRIu64 " is a partial of another query than the one "
                              "given (%s)",
                              m->input, m->lineno, what);
    else if (tally_pquery_diff(&m->first, &q, what, sizeof what))
        rc = tally_diag_usage(d, "%s and %s:%" PRIu64 " are partials of different queries (%s)",
                              m->first_input, m->input, m->lineno, what);
    tally_pquery_fini(&q);
    return rc;
}

/* Splits s at tabs into m->fields; returns their count. */
static size_t
split_tabs(struct merge *m, char *s, size_t n)
{
    size_t nf = 0, i = 0;
    for (;;) {
        const char *tab = memchr(s + i, '\t', n - i);
        size_t e = tab ? (size_t)(tab - s) : n;
        if (nf == m->fcap)
            tally_xgrow((void **)&m->fields, &m->fcap, nf + 1, sizeof *m->fields);
        m->fields[nf++] = (struct tally_slice){s + i, e - i};
        if (!tab)
            return nf;
        i = e + 1;
    }
}

static bool
hex_field(struct tally_slice f, size_t digits, uint64_t *out)
{
    return tally_partial_hex(f.ptr, f.len, digits, out);
}

static int
take_trailer(struct merge *m, char *s, size_t n, const struct tally_loc *loc, struct tally_diag *d)
{
    uint64_t qid, origin, count = 0;
    size_t nf = split_tabs(m, s, n);
    bool ok = nf == 4 && hex_field(m->fields[1], 16, &qid) && hex_field(m->fields[2], 16, &origin);
    for (size_t i = 0; ok && i < m->fields[3].len; i++) {
        char c = m->fields[3].ptr[i];
        ok = c >= '0' && c <= '9' && count <= (UINT64_MAX - 9) / 10;
        count = count * 10 + (uint64_t)(c - '0');
    }
    if (!ok || m->fields[3].len == 0)
        return tally_diag_fail(d, loc, "corrupted partial end line");
    if (m->open && qid != m->first.qid)
        return tally_diag_fail(d, loc, "the end line of another query");
    if (!m->open) {
        if (m->early && m->early_qid != qid)
            return tally_diag_fail(d, loc, "end lines of two queries");
        m->early = true;
        m->early_qid = qid;
    }
    m->counted += count;
    m->trailers++;
    return TALLY_OK;
}

static int
take_group(struct merge *m, char *s, size_t n, const struct tally_loc *loc, struct tally_diag *d)
{
    if (!m->open)
        return tally_diag_fail(d, loc,
                               "not a tally partial (no %s header line before this one; a "
                               "reducer that gets no header can be given the query: tally "
                               "--merge -g ... -a ...)",
                               TALLY_PARTIAL_MAGIC);
    const struct tally_plan *p = &m->plan;
    size_t nf = split_tabs(m, s, n), want = 2 + (size_t)p->nkeys + p->naggs;
    uint64_t qid, check;
    if (nf != want)
        return tally_diag_fail(d, loc, "corrupted partial line (%zu fields, %zu expected)", nf,
                               want);
    if (!hex_field(m->fields[nf - 1], 8, &check))
        return tally_diag_fail(d, loc, "corrupted partial line (its check is not 8 hex digits)");
    size_t body = (size_t)(m->fields[nf - 1].ptr - s) - 1;
    if (tally_partial_check(s, body) != (uint32_t)check)
        return tally_diag_fail(d, loc, "corrupted partial line (its check does not match)");
    if (!hex_field(m->fields[0], 16, &qid) || qid != m->first.qid)
        return tally_diag_fail(d, loc, "a group line of another query");
    struct tally_slice *keys = m->fields + 1;
    for (uint32_t k = 0; k < p->nkeys; k++) {
        size_t len = keys[k].len;
        if (!tally_partial_unescape((char *)keys[k].ptr, &len))
            return tally_diag_fail(d, loc, "corrupted partial line (bad escape in a key)");
        keys[k].len = len;
    }
    m->groups++;
    return m->sink.ops->absorb(m->sink.state, keys, keys + p->nkeys, loc, d);
}

static bool
starts(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    return n > w && memcmp(s, word, w) == 0 && s[w] == '\t';
}

static int
take_line(struct merge *m, struct tally_diag *d)
{
    m->lineno++;
    struct tally_loc loc = {m->input, m->lineno, 0};
    char *s = m->line.p;
    size_t n = m->line.len;
    if (starts(s, n, TALLY_PARTIAL_MAGIC))
        return take_header(m, s, n, &loc, d);
    if (starts(s, n, TALLY_PARTIAL_END))
        return take_trailer(m, s, n, &loc, d);
    return take_group(m, s, n, &loc, d);
}

/* Every line of one input; its trailers must count its group lines. */
static int
read_input(struct merge *m, struct tally_reader *r, struct tally_diag *d)
{
    int rc = TALLY_OK;
    tally_buf_reset(&m->line);
    for (;;) {
        const char *buf;
        size_t len;
        rc = tally_reader_read(r, &buf, &len, d);
        if (rc != TALLY_OK || len == 0)
            break;
        while (len > 0 && rc == TALLY_OK) {
            const char *lf = memchr(buf, '\n', len);
            size_t take = lf ? (size_t)(lf - buf) : len;
            tally_buf_put(&m->line, buf, take);
            if (!lf)
                break;
            rc = take_line(m, d);
            tally_buf_reset(&m->line);
            buf += take + 1;
            len -= take + 1;
        }
        if (rc != TALLY_OK)
            break;
    }
    struct tally_loc loc = {m->input, m->lineno + 1, 0};
    if (rc == TALLY_OK && m->line.len > 0 && !m->open &&
        !starts(m->line.p, m->line.len, TALLY_PARTIAL_MAGIC))
        rc = tally_diag_fail(d, &loc, "not a tally partial (no %s header line)",
                             TALLY_PARTIAL_MAGIC);
    else if (rc == TALLY_OK && m->line.len > 0)
        rc = tally_diag_fail(d, &loc, "truncated partial (the last line has no end)");
    if (rc != TALLY_OK || m->given)
        return rc; /* one of several reducers: the trailers went elsewhere */
    if (m->lineno == 0) {
        loc.line = 0;
        rc = tally_diag_fail(d, &loc, "empty input: no partial state");
    } else if (m->trailers == 0)
        rc = tally_diag_fail(d, &loc, "truncated partial (no %s line)", TALLY_PARTIAL_END);
    else if (m->groups != m->counted)
        rc = tally_diag_fail(d, &loc,
                             "truncated partial: %" PRIu64 " group lines, its end lines count "
                             "%" PRIu64,
                             m->groups, m->counted);
    return rc;
}

/* -g, -a (and the input options) given: the query partials must have, so
 * that reducers that see no header line (Hadoop with several) can merge. */
static int
given_query(struct merge *m, struct tally_diag *d)
{
    struct tally_plan p;
    int rc = tally_plan_build(&p, m->o, d);
    if (rc == TALLY_OK) {
        tally_pquery_set_plan(&m->first, &p);
        m->given = true;
        rc = open_run(m, d);
    }
    tally_plan_fini(&p);
    return rc;
}

static int
merge_all(struct merge *m, char **files, size_t nfiles, struct tally_diag *d)
{
    int rc = m->o->group_by || m->o->aggs ? given_query(m, d) : TALLY_OK;
    for (size_t i = 0; i < nfiles && rc == TALLY_OK; i++) {
        struct tally_reader *r;
        rc = tally_reader_open(&r, files[i], d);
        if (rc != TALLY_OK)
            break;
        m->input = tally_reader_name(r);
        m->lineno = m->groups = m->counted = m->trailers = 0;
        rc = read_input(m, r, d);
        tally_reader_free(r);
    }
    return rc;
}

int
tally_merge_run(const struct tally_opts *o, int out_fd, struct tally_report *rep,
                struct tally_diag *d)
{
    static char stdin_name[] = "-";
    char *stdin_only[] = {stdin_name};
    char **files = o->nfiles ? o->files : stdin_only;
    size_t nfiles = o->nfiles ? o->nfiles : 1;
    struct merge m = {.o = o, .out_fd = out_fd, .rep = rep};
    int rc = merge_all(&m, files, nfiles, d);
    if (rc == TALLY_OK)
        rc = m.sink.ops->end(m.sink.state, d);
    tally_sink_close(&m.sink);
    tally_output_free(m.w);
    tally_plan_fini(&m.plan);
    tally_pquery_fini(&m.first);
    tally_pquery_fini(&m.out);
    tally_buf_free(&m.line);
    free(m.fields);
    return rc;
}
