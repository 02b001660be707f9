/* The TSV source: a record per line, fields split at tabs, backslash
 * escapes and literal quotes, through tsvparse. */
#include <stdlib.h>

#include "tally/source.h"
#include "tally/status.h"
#include "tally/tsvparse.h"
#include "tally/xalloc.h"

/* The parser and the options it was made with, to make clones. */
struct tsvsrc {
    struct tally_tsvparse *p;
    struct tally_tsv_opts o;
};

static int
tsv_open(void **state, const struct tally_source_conf *c, struct tally_diag *d)
{
    struct tsvsrc *s = tally_xcalloc(1, sizeof *s);
    s->o = (struct tally_tsv_opts){c->delim ? c->delim : '\t', c->strict, c->max_fields,
                                   c->max_record};
    if (tally_tsvparse_new(&s->p, &s->o) != TALLY_OK) {
        free(s);
        return tally_diag_usage(d, "-d: a line feed cannot separate TSV fields");
    }
    *state = s;
    return TALLY_OK;
}

static void *
tsv_clone(const void *state)
{
    const struct tsvsrc *s = state;
    struct tsvsrc *c = tally_xcalloc(1, sizeof *c);
    c->o = s->o;
    /* The options were accepted once already: only memory can fail now. */
    if (tally_tsvparse_new(&c->p, &c->o) != TALLY_OK)
        tally_oom();
    return c;
}

static void
tsv_reset(void *state, const char *file, uint64_t first_line)
{
    tally_tsvparse_reset_at(((struct tsvsrc *)state)->p, file, first_line);
}

static void
tsv_expect_fields(void *state, uint32_t n)
{
    tally_tsvparse_expect_fields(((struct tsvsrc *)state)->p, n);
}

static int
tsv_feed(void *state, const char *buf, size_t len, tally_row_fn fn, void *ctx, struct tally_diag *d)
{
    return tally_tsvparse_feed(((struct tsvsrc *)state)->p, buf, len, fn, ctx, d);
}

static int
tsv_finish(void *state, tally_row_fn fn, void *ctx, struct tally_diag *d)
{
    return tally_tsvparse_finish(((struct tsvsrc *)state)->p, fn, ctx, d);
}

static uint64_t
tsv_lines(const void *state)
{
    return tally_tsvparse_lines(((const struct tsvsrc *)state)->p);
}

static const struct tally_skipstat *
tsv_skipped(const void *state)
{
    return tally_tsvparse_skipped(((const struct tsvsrc *)state)->p);
}

static void
tsv_free(void *state)
{
    struct tsvsrc *s = state;
    tally_tsvparse_free(s->p);
    free(s);
}

const struct tally_source_ops tally_source_tsv = {
    .name = "tsv",
    .format = TALLY_IN_TSV,
    .records = TALLY_RECORDS_LINES,
    .skip_noun = "malformed row",
    .open = tsv_open,
    .clone = tsv_clone,
    .reset = tsv_reset,
    .expect_fields = tsv_expect_fields,
    .feed = tsv_feed,
    .finish = tsv_finish,
    .lines = tsv_lines,
    .skipped = tsv_skipped,
    .free = tsv_free,
};
