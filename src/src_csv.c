/* The CSV source: delimited text with RFC 4180 quoting, through csvparse. */
#include <stdlib.h>

#include "tally/csvparse.h"
#include "tally/xalloc.h"
#include "tally/source.h"
#include "tally/status.h"

/* The parser and the options it was made with, to make clones. */
struct csvsrc {
    struct tally_csvparse *p;
    struct tally_csv_opts o;
};

static int
csv_open(void **state, const struct tally_source_conf *c, struct tally_diag *d)
{
    (void)d;
    struct csvsrc *s = tally_xcalloc(1, sizeof *s);
    s->o = (struct tally_csv_opts){c->delim, c->strict, c->max_fields, c->max_record};
    int rc = tally_csvparse_new(&s->p, &s->o);
    if (rc != TALLY_OK) {
        free(s);
        return rc;
    }
    *state = s;
    return TALLY_OK;
}

static void *
csv_clone(const void *state)
{
    const struct csvsrc *s = state;
    struct csvsrc *c = tally_xcalloc(1, sizeof *c);
    c->o = s->o;
    /* The options were accepted once already: only memory can fail now. */
    if (tally_csvparse_new(&c->p, &c->o) != TALLY_OK)
        tally_oom();
    return c;
}

static void
csv_reset(void *state, const char *file, uint64_t first_line)
{
    tally_csvparse_reset_at(((struct csvsrc *)state)->p, file, first_line);
}

static void
csv_expect_fields(void *state, uint32_t n)
{
    tally_csvparse_expect_fields(((struct csvsrc *)state)->p, n);
}

static int
csv_feed(void *state, const char *buf, size_t len, tally_row_fn fn, void *ctx, struct tally_diag *d)
{
    return tally_csvparse_feed(((struct csvsrc *)state)->p, buf, len, fn, ctx, d);
}

static int
csv_finish(void *state, tally_row_fn fn, void *ctx, struct tally_diag *d)
{
    return tally_csvparse_finish(((struct csvsrc *)state)->p, fn, ctx, d);
}

static uint64_t
csv_lines(const void *state)
{
    return tally_csvparse_lines(((const struct csvsrc *)state)->p);
}

static const struct tally_skipstat *
csv_skipped(const void *state)
{
    return tally_csvparse_skipped(((const struct csvsrc *)state)->p);
}

static void
csv_free(void *state)
{
    struct csvsrc *s = state;
    tally_csvparse_free(s->p);
    free(s);
}

const struct tally_source_ops tally_source_csv = {
    .name = "csv",
    .format = TALLY_IN_CSV,
    .records = TALLY_RECORDS_QUOTED,
    .skip_noun = "malformed row",
    .open = csv_open,
    .clone = csv_clone,
    .reset = csv_reset,
    .expect_fields = csv_expect_fields,
    .feed = csv_feed,
    .finish = csv_finish,
    .lines = csv_lines,
    .skipped = csv_skipped,
    .free = csv_free,
};
