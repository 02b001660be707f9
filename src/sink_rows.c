/* The row sink: each kept row's selected columns (or all of them) go to
 * the writer as they come, or are held back for --sort; --limit stops the
 * reading once enough rows are out. A byte range read on a thread formats
 * its rows into a memory file of its own, copied to the output in file
 * order when the range is combined. */
#include "tally/sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tally/rowsort.h"
#include "tally/status.h"
#include "tally/xalloc.h"

#define ROW_RANGE_BYTES (8u << 20)

struct rowlocal;

struct rowsink {
    const struct tally_plan *p;
    const struct tally_exec *x;
    struct tally_writer *w;
    size_t nfiles;
    struct tally_column *cols;
    uint32_t ncols;
    bool begun;
    uint32_t nvals; /* values per row: the selected columns, or all */
    int64_t emitted;
    struct tally_heldrow *held;
    size_t nheld, capheld;
    uint64_t seq;
    struct rowlocal *main;
};

struct rowlocal {
    struct rowsink *s;
    struct tally_writer *w; /* a range's own writer into fd, or NULL: the output */
    int fd;
    struct tally_value *vals;
};

static int
rows_open(void **sink, const struct tally_sink_conf *c, struct tally_diag *d)
{
    (void)d;
    struct rowsink *s = tally_xcalloc(1, sizeof *s);
    s->p = c->plan;
    s->x = c->exec;
    s->w = c->w;
    s->nfiles = c->nfiles;
    *sink = s;
    return TALLY_OK;
}

static int
begin_output(struct rowsink *s, struct tally_diag *d)
{
    if (s->begun)
        return TALLY_OK;
    s->begun = true;
    s->ncols = tally_plan_columns(s->p, &s->cols);
    return tally_output_begin(s->w, s->cols, s->ncols, d);
}

static int
rows_bound(void *sink, uint32_t ncols, struct tally_diag *d)
{
    struct rowsink *s = sink;
    const struct tally_plan *p = s->p;
    s->nvals = p->mode == TALLY_MODE_ALL ? ncols : p->nsel;
    if (s->main) {
        free(s->main->vals);
        s->main->vals = tally_xcalloc(s->nvals ? s->nvals : 1, sizeof *s->main->vals);
    }
    if (p->nsort)
        return TALLY_OK;
    int rc = begin_output(s, d);
    if (rc == TALLY_OK && p->limit == 0)
        return TALLY_ESTOP; /* the header is all there is to print */
    return rc;
}

static int
rows_local_new(void *sink, bool range, struct tally_numcache *nums, void **local,
               struct tally_diag *d)
{
    (void)nums;
    struct rowsink *s = sink;
    struct rowlocal *l = tally_xcalloc(1, sizeof *l);
    l->s = s;
    l->fd = -1;
    l->vals = tally_xcalloc(s->nvals ? s->nvals : 1, sizeof *l->vals);
    *local = l;
    if (!range) {
        s->main = l;
        return TALLY_OK;
    }
    l->fd = memfd_create("tally-rows", MFD_CLOEXEC);
    if (l->fd < 0)
        return tally_diag_fail(d, NULL, "cannot make a buffer file: %s", strerror(errno));
    struct tally_output_opts oo = s->x->out_opts;
    oo.header = false;
    int rc = tally_output_open(&l->w, s->x->output, l->fd, &oo);
    if (rc == TALLY_OK)
        rc = tally_output_begin(l->w, s->cols, s->ncols, d);
    return rc;
}

static struct tally_slice
field(const struct tally_row *row, int64_t idx)
{
    if (idx < 0 || (uint64_t)idx >= row->nfields)
        return (struct tally_slice){"", 0};
    return row->fields[idx];
}

/* Holds a row for --sort; with a limit, at most about 2N rows stay. */
static void
hold_row(struct rowsink *s, const struct tally_value *vals)
{
    struct tally_value *copy = tally_values_copy(vals, s->nvals);
    tally_xgrow((void **)&s->held, &s->capheld, s->nheld + 1, sizeof *s->held);
    s->held[s->nheld++] = (struct tally_heldrow){copy, s->seq++};
    if (s->p->limit >= 0 && s->nheld >= 2 * (size_t)s->p->limit + 16) {
        tally_rows_sort(s->p, s->held, s->nheld);
        while (s->nheld > (size_t)s->p->limit)
            free(s->held[--s->nheld].vals);
    }
}

static int
rows_row(void *local, const struct tally_row *row, struct tally_diag *d)
{
    struct rowlocal *l = local;
    struct rowsink *s = l->s;
    const struct tally_plan *p = s->p;
    uint32_t n = s->nvals;
    for (uint32_t i = 0; i < n; i++) {
        int64_t idx = p->mode == TALLY_MODE_ALL ? (int64_t)i : p->sel[i].index;
        l->vals[i] = (struct tally_value){.kind = TALLY_VAL_TEXT, .s = field(row, idx)};
    }
    if (p->nsort) {
        hold_row(s, l->vals);
        return TALLY_OK;
    }
    int rc = tally_output_row(l->w ? l->w : s->w, l->vals, d);
    if (rc != TALLY_OK)
        return rc;
    if (p->limit >= 0 && ++s->emitted >= p->limit)
        return TALLY_ESTOP;
    return TALLY_OK;
}

static void
rows_local_free(void *local)
{
    struct rowlocal *l = local;
    if (!l)
        return;
    tally_output_free(l->w);
    if (l->fd >= 0)
        close(l->fd);
    free(l->vals);
    free(l);
}

static int
rows_combine(void *sink, void *local, uint64_t line_base, struct tally_diag *d)
{
    (void)line_base;
    struct rowsink *s = sink;
    struct rowlocal *l = local;
    int rc = tally_output_end(l->w, d);
    off_t end = rc == TALLY_OK ? lseek(l->fd, 0, SEEK_CUR) : 0;
    if (rc == TALLY_OK)
        rc = tally_output_splice(s->w, l->fd, end > 0 ? (uint64_t)end : 0, d);
    rows_local_free(l);
    return rc;
}

/* One row per line: readable as it grows. */
static bool
line_format(enum tally_format f)
{
    return f == TALLY_FMT_CSV || f == TALLY_FMT_TSV || f == TALLY_FMT_JSONL;
}

/* Rows in a line format reach the output once the input pauses, like grep
 * --line-buffered; a JSON array or a table is only readable whole, and
 * sorted rows are known only at the end. What is known so far is then the
 * rows written: the same for a snapshot. */
static int
rows_pause(void *sink, struct tally_diag *d)
{
    struct rowsink *s = sink;
    const struct tally_plan *p = s->p;
    if (p->nsort || !s->begun)
        return TALLY_OK;
    if (!line_format(s->x->output))
        return TALLY_OK;
    return tally_output_flush(s->w, d);
}

static int
rows_end(void *sink, struct tally_diag *d)
{
    struct rowsink *s = sink;
    const struct tally_plan *p = s->p;
    int rc = begin_output(s, d);
    if (p->nsort) {
        tally_rows_sort(p, s->held, s->nheld);
        size_t n = s->nheld;
        if (p->limit >= 0 && (uint64_t)p->limit < n)
            n = (size_t)p->limit;
        for (size_t i = 0; i < n && rc == TALLY_OK; i++)
            rc = tally_output_row(s->w, s->held[i].vals, d);
    }
    if (rc == TALLY_OK)
        rc = tally_output_end(s->w, d);
    return rc;
}

static void
rows_free(void *sink)
{
    struct rowsink *s = sink;
    if (!s)
        return;
    for (size_t i = 0; i < s->nheld; i++)
        free(s->held[i].vals);
    free(s->held);
    free(s->cols);
    rows_local_free(s->main);
    free(s);
}

/* Rows can be formatted on threads when nothing needs them all (no
 * --sort), none may be cut short (no --limit), the format is line by line,
 * and the one input file is the whole output. */
static bool
rows_parallel(const void *sink, struct tally_sink_ranges *how)
{
    const struct rowsink *s = sink;
    const struct tally_plan *p = s->p;
    how->range_bytes = ROW_RANGE_BYTES;
    how->window = 1;
    return p->nsort == 0 && p->limit < 0 && s->nfiles == 1 && line_format(s->x->output);
}

const struct tally_sink_ops tally_sink_rows = {
    .name = "rows",
    .open = rows_open,
    .bound = rows_bound,
    .local_new = rows_local_new,
    .row = rows_row,
    .combine = rows_combine,
    .pause = rows_pause,
    .snapshot = rows_pause,
    .end = rows_end,
    .local_free = rows_local_free,
    .free = rows_free,
    .parallel = rows_parallel,
};
