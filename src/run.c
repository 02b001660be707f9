/* The drive loop: for each input, reader -> parser (CSV or log lines) ->
 * filter -> either the projection (rows written as they come) or the
 * aggregator (group table + op states), then the final ordering, limit and
 * output. Aggregating a regular uncompressed file uses threads: the file is
 * cut at record starts, each part is parsed, filtered and aggregated into its
 * own group table, and the tables merge in file order, so the output is the
 * same for every thread count. */
#include "tally/run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tally/chunk.h"
#include "tally/csvparse.h"
#include "tally/group.h"
#include "tally/logparse.h"
#include "tally/progress.h"
#include "tally/reader.h"
#include "tally/status.h"
#include "tally/tstamp.h"
#include "tally/value.h"
#include "tally/xalloc.h"

#define KEYBUF 64
#define DEFAULT_MIN_CHUNK (256u << 10)

/* Per input column: the number read from the current row (converted at most
 * once per row, stamped with the row counter) and the report of values that
 * are not numbers (or not timestamps, for time buckets). */
struct colstate {
    uint64_t stamp;
    struct tally_num num;
    uint64_t bad_stamp;
    uint64_t bad;
    bool bad_time; /* what was expected: a timestamp rather than a number */
    char first_file[256];
    uint64_t first_line;
    char first_value[48];
};

/* A row held back for --sort in the row modes: values copied into one block. */
struct heldrow {
    struct tally_value *vals;
    uint64_t seq;
};

struct run;

/* One parser, filter and aggregator: the whole input when reading
 * sequentially, or one byte range of a file on a thread of its own. */
struct part {
    struct run *run;
    struct tally_csvparse *csv;
    struct tally_logparse *log;
    struct tally_expr **exprs; /* the plan's own, or clones for a thread */
    bool own_exprs;
    const char *file;
    bool at_header;
    uint64_t stamp;
    uint64_t rows_seen;
    struct colstate *colst;
    struct tally_group_table *groups;
    struct tally_slice *keys;
    char (*keybuf)[KEYBUF];
    struct tally_writer *w;   /* a thread's own writer (row modes), or NULL: the run's */
    struct tally_value *vals; /* with w: the row being written */
    uint32_t last_group;      /* the previous row's group, when have_last */
    bool have_last;
    struct tally_diag diag; /* threads only; the main part reports into the caller's */
    int status;
    uint64_t lines; /* lines in its range, once done */
    uint64_t off, len;
    const char *path;
};

struct run {
    struct tally_plan *plan;
    struct tally_report *rep;
    size_t nfiles;
    struct tally_writer *w;
    struct tally_column *cols;
    uint32_t ncols;
    bool begun;
    int year; /* for syslog timestamps, which carry none */
    struct tally_progress *progress;

    char *first_file; /* a copy: the reader that named it is gone */
    struct tally_header first_header;
    bool have_header;

    struct part main;
    struct tally_skipstat skip; /* malformed rows over all parts, in input order */
    uint64_t main_skip_seen;

    struct tally_value *vals;
    int64_t emitted;
    struct heldrow *held;
    size_t nheld, capheld;
};

static void report_add(struct tally_report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
report_add(struct tally_report *rep, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    rep->lines = tally_xrealloc(rep->lines, (rep->n + 1) * sizeof *rep->lines);
    rep->lines[rep->n++] = tally_xstrdup(buf);
}

void
tally_report_fini(struct tally_report *rep)
{
    for (size_t i = 0; i < rep->n; i++)
        free(rep->lines[i]);
    free(rep->lines);
    rep->lines = NULL;
    rep->n = 0;
}

/* --- parts ------------------------------------------------------------- */

static int on_row(void *ctx, const struct tally_row *row, struct tally_diag *d);

static int
part_feed(struct part *pt, const char *buf, size_t len, struct tally_diag *d)
{
    if (pt->log)
        return tally_logparse_feed(pt->log, buf, len, on_row, pt, d);
    return tally_csvparse_feed(pt->csv, buf, len, on_row, pt, d);
}

static int
part_finish(struct part *pt, struct tally_diag *d)
{
    if (pt->log)
        return tally_logparse_finish(pt->log, on_row, pt, d);
    return tally_csvparse_finish(pt->csv, on_row, pt, d);
}

static void
part_reset(struct part *pt, const char *file)
{
    pt->file = file;
    if (pt->log)
        tally_logparse_reset(pt->log, file);
    else
        tally_csvparse_reset(pt->csv, file);
}

static uint64_t
part_lines(const struct part *pt)
{
    return pt->log ? tally_logparse_lines(pt->log) : tally_csvparse_lines(pt->csv);
}

static const struct tally_skipstat *
part_skipped(const struct part *pt)
{
    return pt->log ? tally_logparse_skipped(pt->log) : tally_csvparse_skipped(pt->csv);
}

/* Storage that depends on the header (one state per input column). */
static void
part_bind(struct part *pt)
{
    const struct run *r = pt->run;
    if (!pt->colst)
        pt->colst = tally_xcalloc(r->first_header.n ? r->first_header.n : 1, sizeof *pt->colst);
}

static int
part_init(struct part *pt, struct run *r, bool thread, struct tally_diag *d)
{
    const struct tally_plan *p = r->plan;
    memset(pt, 0, sizeof *pt);
    pt->run = r;
    tally_diag_init(&pt->diag);
    int rc = TALLY_OK;
    if (p->format == TALLY_IN_LOG) {
        if (thread)
            pt->log = tally_logparse_clone(r->main.log);
        else
            rc = tally_logparse_new(&pt->log, p->log, p->strict, d);
    } else {
        struct tally_csv_opts co = {p->delim, p->strict, p->max_fields, p->max_record};
        rc = tally_csvparse_new(&pt->csv, &co);
    }
    if (rc != TALLY_OK)
        return rc;
    if (thread && p->nexprs) {
        pt->exprs = tally_xcalloc(p->nexprs, sizeof *pt->exprs);
        for (uint32_t i = 0; i < p->nexprs; i++)
            pt->exprs[i] = tally_expr_clone(p->exprs[i]);
        pt->own_exprs = true;
    } else {
        pt->exprs = p->exprs;
    }
    if (p->mode == TALLY_MODE_AGG) {
        rc = tally_group_table_new(&pt->groups, p->nkeys, p->acc_size);
        pt->keys = tally_xcalloc(p->nkeys + 1, sizeof *pt->keys);
        pt->keybuf = tally_xcalloc(p->nkeys + 1, sizeof *pt->keybuf);
    }
    if (r->have_header)
        part_bind(pt);
    return rc;
}

static void
finish_states(const struct tally_plan *p, struct tally_group_table *t)
{
    if (!t)
        return;
    for (uint32_t g = 0; g < tally_group_table_size(t); g++) {
        char *acc = tally_group_table_acc(t, g);
        for (uint32_t i = 0; i < p->naggs; i++)
            if (p->aggs[i].op->fini)
                p->aggs[i].op->fini(acc + p->aggs[i].offset);
    }
}

static void
part_fini(struct part *pt, bool states_live)
{
    if (states_live)
        finish_states(pt->run->plan, pt->groups);
    if (pt->own_exprs) {
        for (uint32_t i = 0; i < pt->run->plan->nexprs; i++)
            tally_expr_free(pt->exprs[i]);
        free(pt->exprs);
    }
    tally_group_table_free(pt->groups);
    tally_csvparse_free(pt->csv);
    tally_logparse_free(pt->log);
    tally_output_free(pt->w);
    free(pt->vals);
    free(pt->colst);
    free(pt->keys);
    free(pt->keybuf);
}

/* --- rows -------------------------------------------------------------- */

static int
begin_output(struct run *r, struct tally_diag *d)
{
    if (r->begun)
        return TALLY_OK;
    r->begun = true;
    r->ncols = tally_plan_columns(r->plan, &r->cols);
    if (!r->vals)
        r->vals = tally_xcalloc(r->ncols ? r->ncols : 1, sizeof *r->vals);
    return tally_output_begin(r->w, r->cols, r->ncols, d);
}

static struct tally_slice
field(const struct tally_row *row, int64_t idx)
{
    if (idx < 0 || (uint64_t)idx >= row->nfields)
        return (struct tally_slice){"", 0};
    return row->fields[idx];
}

static int
bind_header(struct run *r, const struct tally_header *h, const char *file, struct tally_diag *d)
{
    r->first_header = *h;
    r->have_header = true;
    r->first_file = tally_xstrdup(file ? file : "<stdin>");
    int rc = tally_plan_bind(r->plan, h, d);
    if (rc != TALLY_OK)
        return rc;
    part_bind(&r->main);
    if (r->plan->mode != TALLY_MODE_AGG && r->plan->nsort == 0)
        return begin_output(r, d);
    return TALLY_OK;
}

static int
on_header(struct part *pt, const struct tally_row *row, struct tally_diag *d)
{
    struct run *r = pt->run;
    int rc = TALLY_OK;
    if (!r->plan->header_in) {
        /* -n: the first row is data and fixes the column count. */
        if (!r->have_header) {
            struct tally_header h;
            tally_header_init_numbered(&h, row->nfields);
            rc = bind_header(r, &h, pt->file, d);
        }
    } else {
        struct tally_header h;
        tally_header_init(&h, row);
        if (!r->have_header) {
            rc = bind_header(r, &h, pt->file, d);
        } else {
            if (!tally_header_equal(&r->first_header, &h))
                rc = tally_diag_usage(d, "%s: header differs from the header of %s", pt->file,
                                      r->first_file);
            tally_header_fini(&h);
        }
    }
    if (pt->csv)
        tally_csvparse_expect_fields(pt->csv, r->first_header.n);
    return rc;
}

/* The number in column idx of this row, converted once per row. */
static const struct tally_num *
column_number(struct part *pt, const struct tally_row *row, int64_t idx)
{
    struct colstate *c = &pt->colst[idx];
    if (c->stamp != pt->stamp) {
        c->stamp = pt->stamp;
        tally_parse_number(field(row, idx), &c->num);
    }
    return &c->num;
}

static void
note_bad(struct part *pt, const struct tally_row *row, int64_t idx, struct tally_slice v, bool time)
{
    struct colstate *c = &pt->colst[idx];
    if (c->bad_stamp == pt->stamp)
        return;
    c->bad_stamp = pt->stamp;
    if (c->bad++ == 0) {
        c->bad_time = time;
        snprintf(c->first_file, sizeof c->first_file, "%s", row->file);
        c->first_line = row->line;
        size_t n = v.len < sizeof c->first_value - 1 ? v.len : sizeof c->first_value - 1;
        memcpy(c->first_value, v.ptr, n);
        c->first_value[n] = '\0';
    }
}

static bool
is_dash(struct tally_slice v)
{
    return v.len == 1 && v.ptr[0] == '-';
}

/* Key text for a numeric bucket: the bucket's start. */
static struct tally_slice
num_bucket(struct part *pt, const struct tally_row *row, const struct tally_keyspec *k, uint32_t ki)
{
    struct tally_slice v = field(row, k->col.index);
    const struct tally_num *n = column_number(pt, row, k->col.index);
    if (n->kind == TALLY_NUM_NONE) {
        if (v.len && !is_dash(v))
            note_bad(pt, row, k->col.index, v, false);
        return (struct tally_slice){"", 0};
    }
    char *buf = pt->keybuf[ki];
    size_t len;
    double w = k->width;
    if (n->kind == TALLY_NUM_INT && w == floor(w) && w <= 9007199254740992.0) {
        int64_t wi = (int64_t)w, q = n->i / wi;
        if (n->i % wi != 0 && n->i < 0)
            q--;
        len = tally_format_int(q * wi, buf);
    } else {
        double start = floor(n->d / w) * w;
        if (start == 0)
            start = 0; /* no "-0" bucket */
        len = tally_format_double(start, buf);
    }
    return (struct tally_slice){buf, len};
}

/* Key text for a time bucket: its start, as the SPEC prints it. */
static struct tally_slice
time_bucket(struct part *pt, const struct tally_row *row, const struct tally_keyspec *k,
            uint32_t ki)
{
    struct tally_slice v = field(row, k->col.index);
    struct tally_time t;
    if (!tally_time_parse(v, pt->run->year, &t)) {
        if (v.len && !is_dash(v))
            note_bad(pt, row, k->col.index, v, true);
        return (struct tally_slice){"", 0};
    }
    int64_t w = (int64_t)k->width;
    size_t len = tally_time_bucket(&t, w > 0 ? w : 1, pt->keybuf[ki]);
    return (struct tally_slice){pt->keybuf[ki], len};
}

static bool
same_keys(const struct tally_slice *a, const struct tally_slice *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!tally_slice_eq(a[i], b[i]))
            return false;
    return true;
}

static void
aggregate_row(struct part *pt, const struct tally_row *row)
{
    const struct tally_plan *p = pt->run->plan;
    for (uint32_t i = 0; i < p->nkeys; i++) {
        const struct tally_keyspec *k = &p->keys[i];
        if (k->bucket == TALLY_BUCKET_NUM)
            pt->keys[i] = num_bucket(pt, row, k, i);
        else if (k->bucket == TALLY_BUCKET_TIME)
            pt->keys[i] = time_bucket(pt, row, k, i);
        else
            pt->keys[i] = field(row, k->col.index);
    }
    /* One-slot cache: sorted or clustered input (logs by time) often repeats
     * the previous row's group; comparing its keys is cheaper than hashing. */
    bool is_new = false;
    uint32_t id = pt->last_group;
    if (!pt->have_last || !same_keys(tally_group_table_keys(pt->groups, id), pt->keys, p->nkeys)) {
        id = tally_group_table_intern(pt->groups, pt->keys, &is_new);
        pt->last_group = id;
        pt->have_last = true;
    }
    char *acc = tally_group_table_acc(pt->groups, id);
    if (is_new)
        for (uint32_t i = 0; i < p->naggs; i++)
            p->aggs[i].op->init(acc + p->aggs[i].offset);
    for (uint32_t i = 0; i < p->naggs; i++) {
        const struct tally_aggspec *a = &p->aggs[i];
        void *st = acc + a->offset;
        struct tally_cell cell;
        switch (a->op->input) {
        case TALLY_IN_ROW:
            a->op->update(st, NULL);
            break;
        case TALLY_IN_TEXT:
            cell.text = field(row, a->col.index);
            if (cell.text.len) {
                cell.num.kind = TALLY_NUM_NONE;
                a->op->update(st, &cell);
            }
            break;
        case TALLY_IN_NUMBER:
            cell.text = field(row, a->col.index);
            if (cell.text.len == 0 || is_dash(cell.text))
                break;
            cell.num = *column_number(pt, row, a->col.index);
            if (cell.num.kind == TALLY_NUM_NONE)
                note_bad(pt, row, a->col.index, cell.text, false);
            else
                a->op->update(st, &cell);
            break;
        }
    }
}

/* A computed value (INT or REAL) as the number reader would give it. */
static struct tally_num
value_number(const struct tally_value *v)
{
    if (v->kind == TALLY_VAL_INT)
        return (struct tally_num){.kind = TALLY_NUM_INT, .i = v->i, .d = (double)v->i};
    return (struct tally_num){.kind = TALLY_NUM_REAL, .d = v->d};
}

static int
compare_values(const struct tally_value *a, const struct tally_value *b)
{
    bool ae = a->kind == TALLY_VAL_EMPTY || (a->kind == TALLY_VAL_TEXT && a->s.len == 0);
    bool be = b->kind == TALLY_VAL_EMPTY || (b->kind == TALLY_VAL_TEXT && b->s.len == 0);
    if (ae || be)
        return be - ae;
    struct tally_num na = {0}, nb = {0};
    if (a->kind == TALLY_VAL_TEXT)
        tally_parse_number(a->s, &na);
    else
        na = value_number(a);
    if (b->kind == TALLY_VAL_TEXT)
        tally_parse_number(b->s, &nb);
    else
        nb = value_number(b);
    bool an = na.kind != TALLY_NUM_NONE, bn = nb.kind != TALLY_NUM_NONE;
    if (an != bn)
        return an ? -1 : 1;
    if (an) {
        if (na.kind == TALLY_NUM_INT && nb.kind == TALLY_NUM_INT)
            return (na.i > nb.i) - (na.i < nb.i);
        if (na.d != nb.d)
            return na.d < nb.d ? -1 : 1;
        return 0;
    }
    return tally_slice_cmp(a->s, b->s);
}

/* qsort has no context argument; the sort keys of the one running query. */
static const struct tally_plan *sort_plan;

static int
compare_held(const void *pa, const void *pb)
{
    const struct heldrow *a = pa, *b = pb;
    for (uint32_t i = 0; i < sort_plan->nsort; i++) {
        const struct tally_sortkey *k = &sort_plan->sort[i];
        int c = compare_values(&a->vals[k->col], &b->vals[k->col]);
        if (c)
            return k->desc ? -c : c;
    }
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static void
sort_rows(const struct tally_plan *p, struct heldrow *rows, size_t n)
{
    sort_plan = p;
    if (n > 1)
        qsort(rows, n, sizeof *rows, compare_held);
}

/* Copies the row's values into one block so they outlive the parser buffer. */
static void
hold_row(struct run *r, const struct tally_value *vals, uint64_t seq)
{
    size_t bytes = r->ncols * sizeof *vals;
    for (uint32_t i = 0; i < r->ncols; i++)
        if (vals[i].kind == TALLY_VAL_TEXT)
            bytes += vals[i].s.len;
    /* One allocation: the values, then their text. malloc's result is
     * aligned for any type, so the values come first. */
    struct tally_value *copy = tally_xmalloc(bytes ? bytes : 1);
    char *text = (char *)(copy + r->ncols);
    for (uint32_t i = 0; i < r->ncols; i++) {
        copy[i] = vals[i];
        if (vals[i].kind == TALLY_VAL_TEXT) {
            if (vals[i].s.len)
                memcpy(text, vals[i].s.ptr, vals[i].s.len);
            copy[i].s.ptr = text;
            text += vals[i].s.len;
        }
    }
    tally_xgrow((void **)&r->held, &r->capheld, r->nheld + 1, sizeof *r->held);
    r->held[r->nheld++] = (struct heldrow){copy, seq};
    /* With a limit, keep at most about 2N rows: sort and drop the tail. */
    if (r->plan->limit >= 0 && r->nheld >= 2 * (size_t)r->plan->limit + 16) {
        sort_rows(r->plan, r->held, r->nheld);
        while (r->nheld > (size_t)r->plan->limit)
            free(r->held[--r->nheld].vals);
    }
}

static int
emit_row(struct part *pt, const struct tally_row *row, struct tally_diag *d)
{
    struct run *r = pt->run;
    const struct tally_plan *p = r->plan;
    uint32_t n = p->mode == TALLY_MODE_ALL ? p->header.n : p->nsel;
    struct tally_value **valsp = pt->w ? &pt->vals : &r->vals;
    if (!*valsp)
        *valsp = tally_xcalloc(n ? n : 1, sizeof **valsp);
    struct tally_value *vals = *valsp;
    for (uint32_t i = 0; i < n; i++) {
        int64_t idx = p->mode == TALLY_MODE_ALL ? (int64_t)i : p->sel[i].index;
        vals[i] = (struct tally_value){.kind = TALLY_VAL_TEXT, .s = field(row, idx)};
    }
    if (p->nsort) {
        r->ncols = n;
        hold_row(r, vals, pt->stamp);
        return TALLY_OK;
    }
    int rc = tally_output_row(pt->w ? pt->w : r->w, vals, d);
    if (rc != TALLY_OK)
        return rc;
    if (p->limit >= 0 && ++r->emitted >= p->limit)
        return TALLY_ESTOP;
    return TALLY_OK;
}

static int
on_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    struct part *pt = ctx;
    const struct tally_plan *p = pt->run->plan;
    if (pt->at_header) {
        pt->at_header = false;
        int rc = on_header(pt, row, d);
        if (rc != TALLY_OK || p->header_in)
            return rc;
    }
    if (p->limit == 0 && p->mode != TALLY_MODE_AGG && !p->nsort)
        return TALLY_ESTOP;
    pt->stamp++;
    pt->rows_seen++;
    for (uint32_t i = 0; i < p->nexprs; i++) {
        bool keep;
        int rc = tally_expr_eval(pt->exprs[i], row, &keep, d);
        if (rc != TALLY_OK)
            return rc;
        if (!keep)
            return TALLY_OK;
    }
    if (p->mode == TALLY_MODE_AGG) {
        aggregate_row(pt, row);
        return TALLY_OK;
    }
    return emit_row(pt, row, d);
}

/* --- inputs ------------------------------------------------------------ */

/* Row modes in a line format write rows as they come: on input that may
 * pause (a pipe), the rows kept so far reach the output before the reader
 * waits, like grep --line-buffered but once per block rather than per row.
 * A JSON array or a table is only readable whole, so it is not flushed. */
static int
flush_rows(struct part *pt, struct tally_diag *d)
{
    const struct tally_plan *p = pt->run->plan;
    if (p->mode == TALLY_MODE_AGG || p->nsort || pt->w || !pt->run->begun)
        return TALLY_OK;
    if (p->output != TALLY_FMT_CSV && p->output != TALLY_FMT_TSV && p->output != TALLY_FMT_JSONL)
        return TALLY_OK;
    return tally_output_flush(pt->run->w, d);
}

/* Feeds a reader's blocks to the part until the end of its input. */
static int
pump(struct part *pt, struct tally_reader *rd, struct tally_diag *d)
{
    int rc = TALLY_OK;
    bool stream = tally_reader_is_stream(rd);
    for (;;) {
        const char *buf;
        size_t len;
        rc = tally_reader_read(rd, &buf, &len, d);
        if (rc != TALLY_OK || len == 0)
            break;
        uint64_t rows_before = pt->rows_seen;
        rc = part_feed(pt, buf, len, d);
        tally_progress_add(pt->run->progress, len, pt->rows_seen - rows_before);
        if (rc == TALLY_OK && stream)
            rc = flush_rows(pt, d);
        if (rc != TALLY_OK)
            break;
    }
    if (rc == TALLY_OK)
        rc = part_finish(pt, d);
    return rc;
}

/* Reading ahead on a thread of its own, for input that is not a regular
 * file (a pipe, or decompression): the next blocks are read, or inflated,
 * while this thread parses, and a writer at the other end of a pipe never
 * waits for us. Blocks are copied into PREFETCH_SLOTS buffers of our own
 * because the reader reuses its buffer on every call. */
#define PREFETCH_SLOTS 4

struct prefetch {
    struct tally_reader *rd;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *buf[PREFETCH_SLOTS];
    size_t len[PREFETCH_SLOTS];
    unsigned head, tail; /* filled slots are [tail, head) */
    int status;          /* of the reader, once it stopped */
    bool done, stop;
    struct tally_diag diag;
};

static void *
prefetch_thread(void *arg)
{
    struct prefetch *f = arg;
    for (;;) {
        pthread_mutex_lock(&f->mu);
        while (f->head - f->tail == PREFETCH_SLOTS && !f->stop)
            pthread_cond_wait(&f->cv, &f->mu);
        bool stop = f->stop;
        pthread_mutex_unlock(&f->mu);
        if (stop)
            break;
        const char *b;
        size_t n;
        int rc = tally_reader_read(f->rd, &b, &n, &f->diag);
        unsigned slot = f->head % PREFETCH_SLOTS;
        if (rc == TALLY_OK && n) {
            if (!f->buf[slot])
                f->buf[slot] = tally_xmalloc(TALLY_READ_BLOCK);
            /* Blocks never exceed TALLY_READ_BLOCK (reader.h). */
            memcpy(f->buf[slot], b, n);
        }
        pthread_mutex_lock(&f->mu);
        if (rc != TALLY_OK || n == 0) {
            f->status = rc;
            f->done = true;
        } else {
            f->len[slot] = n;
            f->head++;
        }
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
        if (rc != TALLY_OK || n == 0)
            break;
    }
    return NULL;
}

static int
pump_prefetched(struct part *pt, struct tally_reader *rd, struct tally_diag *d)
{
    struct prefetch f = {.rd = rd};
    tally_diag_init(&f.diag);
    pthread_mutex_init(&f.mu, NULL);
    pthread_cond_init(&f.cv, NULL);
    /* A byte in this pipe calls off a read blocked on a slow writer, so
     * --limit and errors need not wait for it. */
    int wake[2];
    pthread_t tid;
    if (pipe(wake) != 0)
        return pump(pt, rd, d);
    tally_reader_set_wake(rd, wake[0]);
    if (pthread_create(&tid, NULL, prefetch_thread, &f) != 0) {
        tally_reader_set_wake(rd, -1);
        close(wake[0]);
        close(wake[1]);
        pthread_mutex_destroy(&f.mu);
        pthread_cond_destroy(&f.cv);
        return pump(pt, rd, d);
    }
    int rc = TALLY_OK;
    for (;;) {
        pthread_mutex_lock(&f.mu);
        if (f.head == f.tail && !f.done) {
            /* The reader is waiting for input: show the rows kept so far. */
            pthread_mutex_unlock(&f.mu);
            rc = flush_rows(pt, d);
            pthread_mutex_lock(&f.mu);
            if (rc != TALLY_OK)
                f.stop = true;
        }
        while (rc == TALLY_OK && f.head == f.tail && !f.done)
            pthread_cond_wait(&f.cv, &f.mu);
        if (rc != TALLY_OK) {
            pthread_mutex_unlock(&f.mu);
            break;
        }
        bool have = f.head != f.tail;
        unsigned slot = f.tail % PREFETCH_SLOTS;
        pthread_mutex_unlock(&f.mu);
        if (!have) {
            rc = f.status;
            if (rc != TALLY_OK)
                *d = f.diag;
            break;
        }
        uint64_t rows_before = pt->rows_seen;
        rc = part_feed(pt, f.buf[slot], f.len[slot], d);
        tally_progress_add(pt->run->progress, f.len[slot], pt->rows_seen - rows_before);
        pthread_mutex_lock(&f.mu);
        f.tail++;
        if (rc != TALLY_OK)
            f.stop = true;
        pthread_cond_broadcast(&f.cv);
        pthread_mutex_unlock(&f.mu);
        if (rc != TALLY_OK)
            break;
    }
    if (rc != TALLY_OK) {
        pthread_mutex_lock(&f.mu);
        f.stop = true;
        pthread_cond_broadcast(&f.cv);
        pthread_mutex_unlock(&f.mu);
        ssize_t w;
        do
            w = write(wake[1], "x", 1);
        while (w < 0 && errno == EINTR);
    }
    pthread_join(tid, NULL);
    tally_reader_set_wake(rd, -1);
    close(wake[0]);
    close(wake[1]);
    for (unsigned i = 0; i < PREFETCH_SLOTS; i++)
        free(f.buf[i]);
    pthread_mutex_destroy(&f.mu);
    pthread_cond_destroy(&f.cv);
    if (rc == TALLY_OK)
        rc = part_finish(pt, d);
    return rc;
}

static int
read_sequential(struct run *r, struct tally_reader *rd, bool prefetch, struct tally_diag *d)
{
    struct part *pt = &r->main;
    part_reset(pt, tally_reader_name(rd));
    pt->at_header = !pt->log;
    return prefetch ? pump_prefetched(pt, rd, d) : pump(pt, rd, d);
}

static void *
part_thread(void *arg)
{
    struct part *pt = arg;
    struct tally_reader *rd;
    pt->status = tally_reader_open_range(&rd, pt->path, pt->off, pt->len, &pt->diag);
    if (pt->status != TALLY_OK)
        return NULL;
    part_reset(pt, tally_reader_name(rd));
    pt->at_header = false;
    if (pt->csv)
        tally_csvparse_expect_fields(pt->csv, pt->run->first_header.n);
    pt->status = pump(pt, rd, &pt->diag);
    pt->lines = part_lines(pt);
    tally_reader_free(rd);
    return NULL;
}

/* Captures the first row of a CSV file (its header, or the first data row
 * with -n) without going on. */
static int
first_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    (void)d;
    struct tally_header *h = ctx;
    tally_header_init(h, row);
    return TALLY_ESTOP;
}

static int
bind_from_file(struct run *r, const char *path, uint64_t len, struct tally_diag *d)
{
    const struct tally_plan *p = r->plan;
    struct tally_csv_opts co = {p->delim, p->strict, p->max_fields, p->max_record};
    struct tally_csvparse *cp;
    struct tally_reader *rd;
    int rc = tally_csvparse_new(&cp, &co);
    if (rc != TALLY_OK)
        return rc;
    rc = tally_reader_open_range(&rd, path, 0, len, d);
    if (rc != TALLY_OK) {
        tally_csvparse_free(cp);
        return rc;
    }
    tally_csvparse_reset(cp, path);
    struct tally_header h = {0};
    const char *buf;
    size_t n;
    while (rc == TALLY_OK && !h.names) {
        rc = tally_reader_read(rd, &buf, &n, d);
        if (rc != TALLY_OK || n == 0)
            break;
        rc = tally_csvparse_feed(cp, buf, n, first_row, &h, d);
    }
    if (rc == TALLY_OK && !h.names)
        rc = tally_csvparse_finish(cp, first_row, &h, d);
    if (rc == TALLY_ESTOP)
        rc = TALLY_OK;
    tally_reader_free(rd);
    tally_csvparse_free(cp);
    /* A malformed first row is left for the ordinary pass to report. */
    if (rc != TALLY_OK || !h.names) {
        tally_header_fini(&h);
        return TALLY_OK;
    }
    if (!p->header_in) {
        uint32_t nf = h.n;
        tally_header_fini(&h);
        tally_header_init_numbered(&h, nf);
    }
    return bind_header(r, &h, path, d);
}

static void
merge_states(void *ctx, void *dst, void *src)
{
    const struct tally_plan *p = ctx;
    for (uint32_t i = 0; i < p->naggs; i++) {
        const struct tally_op *op = p->aggs[i].op;
        op->merge((char *)dst + p->aggs[i].offset, (char *)src + p->aggs[i].offset);
        if (op->fini)
            op->fini((char *)src + p->aggs[i].offset);
    }
}

/* Adds a later range's malformed rows, its lines moved by base. */
static void
add_skips(struct run *r, const struct tally_skipstat *s, uint64_t base)
{
    if (!s->count)
        return;
    if (!r->skip.count) {
        r->skip = *s;
        r->skip.first_line += base;
    } else {
        r->skip.count += s->count;
    }
}

/* Folds a finished thread's reports into the main part's, its lines moved
 * by `base` (the lines of the file before its range). */
static void
merge_reports(struct run *r, struct part *pt, uint64_t base)
{
    for (uint32_t i = 0; i < r->first_header.n; i++) {
        struct colstate *dst = &r->main.colst[i];
        const struct colstate *src = &pt->colst[i];
        if (!src->bad)
            continue;
        if (!dst->bad) {
            dst->bad_time = src->bad_time;
            memcpy(dst->first_file, src->first_file, sizeof dst->first_file);
            dst->first_line = src->first_line + base;
            memcpy(dst->first_value, src->first_value, sizeof dst->first_value);
        }
        dst->bad += src->bad;
    }
    add_skips(r, part_skipped(pt), base);
}

/* The main part's malformed rows since the last call, in input order. */
static void
take_main_skips(struct run *r)
{
    const struct tally_skipstat *s = part_skipped(&r->main);
    uint64_t delta = s->count - r->main_skip_seen;
    if (!delta)
        return;
    if (!r->skip.count) {
        uint64_t count = r->skip.count;
        r->skip = *s;
        r->skip.count = count;
    }
    r->skip.count += delta;
    r->main_skip_seen = s->count;
}

/* Range size: `deflt`, or TALLY_MIN_CHUNK bytes (tests use it to cut even
 * small files into many ranges). */
static uint64_t
min_chunk_size(uint64_t deflt)
{
    const char *env = getenv("TALLY_MIN_CHUNK");
    uint64_t v = env && *env ? strtoull(env, NULL, 10) : deflt;
    return v ? v : 1;
}

/* One pass over the file, in order. */
static int
read_one_pass(struct run *r, const char *path, struct tally_diag *d)
{
    struct tally_reader *rd;
    int rc = tally_reader_open(&rd, path, d);
    if (rc != TALLY_OK)
        return rc;
    rc = read_sequential(r, rd, false, d);
    take_main_skips(r);
    tally_reader_free(rd);
    return rc;
}

/* Cuts the file into at most `want` ranges of at least min_size bytes at
 * record starts, and binds the header from its first row when no earlier
 * file did. *starts (malloc'ed) gets *count + 1 bounds. *count is 1 when
 * the file is to be read in one pass: too small to cut, or no header to be
 * had up front (the pass then reports what is wrong with its first row). */
static int
plan_ranges(struct run *r, const char *path, uint64_t size, uint64_t want, uint64_t min_size,
            uint64_t **starts, uint32_t *count, struct tally_diag *d)
{
    const struct tally_plan *p = r->plan;
    if (want > 65536)
        want = 65536;
    *starts = tally_xmalloc(((size_t)want + 1) * sizeof **starts);
    int rc = tally_chunk_split(path, size, p->format == TALLY_IN_LOG ? 0 : p->delim, (uint32_t)want,
                               min_size, *starts, count, d);
    if (rc == TALLY_OK && !r->have_header && p->format != TALLY_IN_LOG)
        rc = bind_from_file(r, path, (*starts)[1], d);
    if (rc == TALLY_OK && !r->have_header)
        *count = 1;
    return rc;
}

static int
read_threaded(struct run *r, const char *path, uint64_t size, int nthreads, struct tally_diag *d)
{
    const struct tally_plan *p = r->plan;
    uint64_t *starts;
    uint32_t n;
    int rc = plan_ranges(r, path, size, (uint64_t)nthreads, min_chunk_size(DEFAULT_MIN_CHUNK),
                         &starts, &n, d);
    if (rc != TALLY_OK || n == 1) {
        free(starts);
        return rc != TALLY_OK ? rc : read_one_pass(r, path, d);
    }
    struct part *parts = tally_xcalloc(n, sizeof *parts);
    pthread_t *tids = tally_xcalloc(n, sizeof *tids);
    bool *started = tally_xcalloc(n, sizeof *started);
    for (uint32_t i = 1; i < n && rc == TALLY_OK; i++) {
        rc = part_init(&parts[i], r, true, d);
        parts[i].path = path;
        parts[i].off = starts[i];
        parts[i].len = starts[i + 1] - starts[i];
        if (rc == TALLY_OK)
            started[i] = pthread_create(&tids[i], NULL, part_thread, &parts[i]) == 0;
        if (rc == TALLY_OK && !started[i])
            part_thread(&parts[i]); /* no thread to be had: do it here */
    }
    /* The first range on this thread, into the main part. */
    struct tally_reader *rd;
    int rc0 = rc == TALLY_OK ? tally_reader_open_range(&rd, path, 0, starts[1], d) : rc;
    uint64_t lines0 = 0;
    if (rc0 == TALLY_OK) {
        rc0 = read_sequential(r, rd, false, d);
        lines0 = part_lines(&r->main);
        tally_reader_free(rd);
    }
    for (uint32_t i = 1; i < n; i++)
        if (started[i])
            pthread_join(tids[i], NULL);
    take_main_skips(r);
    rc = rc0;
    uint64_t base = lines0;
    for (uint32_t i = 1; i < n; i++) {
        struct part *pt = &parts[i];
        bool ok = rc == TALLY_OK && pt->run;
        if (ok && pt->status != TALLY_OK) {
            tally_diag_shift_line(&pt->diag, base);
            *d = pt->diag;
            rc = pt->status;
        }
        if (ok && rc == TALLY_OK) {
            tally_group_table_merge(r->main.groups, pt->groups, merge_states, (void *)p);
            merge_reports(r, pt, base);
            part_fini(pt, false);
        } else if (pt->run) {
            part_fini(pt, true);
        }
        base += pt->lines;
    }
    free(started);
    free(tids);
    free(parts);
    free(starts);
    return rc;
}

/* Row modes on threads: the file is cut into ranges of about ROW_CHUNK
 * bytes; threads take them in order, each formatting its range's rows into
 * a memory file with its own writer, and this thread copies the finished
 * ranges to the output in file order. At most `window` ranges wait, so
 * memory stays bounded whatever the input size. */
#define ROW_CHUNK (8u << 20)

struct rowrange {
    int fd; /* memfd holding the formatted rows */
    uint64_t bytes;
    int status;
    struct tally_diag diag;
    uint64_t lines;
    struct tally_skipstat skip;
    bool done;
};

struct rowjob {
    struct run *r;
    const char *path;
    const uint64_t *starts;
    uint32_t n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint32_t next, committed, window;
    bool stop;
    struct rowrange *rr;
};

static void
row_range(struct rowjob *j, uint32_t k)
{
    struct rowrange *rr = &j->rr[k];
    struct run *r = j->r;
    struct part pt;
    rr->status = part_init(&pt, r, true, &rr->diag);
    rr->fd = memfd_create("tally-rows", MFD_CLOEXEC);
    if (rr->fd < 0) {
        rr->status =
            tally_diag_fail(&rr->diag, NULL, "cannot make a buffer file: %s", strerror(errno));
    }
    struct tally_output_opts oo = r->plan->out_opts;
    oo.header = false;
    if (rr->status == TALLY_OK)
        rr->status = tally_output_open(&pt.w, r->plan->output, rr->fd, &oo);
    if (rr->status == TALLY_OK)
        rr->status = tally_output_begin(pt.w, r->cols, r->ncols, &rr->diag);
    struct tally_reader *rd = NULL;
    if (rr->status == TALLY_OK)
        rr->status = tally_reader_open_range(&rd, j->path, j->starts[k],
                                             j->starts[k + 1] - j->starts[k], &rr->diag);
    if (rr->status == TALLY_OK) {
        part_reset(&pt, tally_reader_name(rd));
        pt.at_header = k == 0 && !pt.log;
        if (pt.csv && k > 0)
            tally_csvparse_expect_fields(pt.csv, r->first_header.n);
        rr->status = pump(&pt, rd, &rr->diag);
        rr->lines = part_lines(&pt);
        rr->skip = *part_skipped(&pt);
    }
    if (rr->status == TALLY_OK)
        rr->status = tally_output_end(pt.w, &rr->diag);
    if (rr->status == TALLY_OK) {
        off_t end = lseek(rr->fd, 0, SEEK_CUR);
        rr->bytes = end > 0 ? (uint64_t)end : 0;
    }
    tally_reader_free(rd);
    part_fini(&pt, false);
}

static void *
row_worker(void *arg)
{
    struct rowjob *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        while (!j->stop && j->next < j->n && j->next >= j->committed + j->window)
            pthread_cond_wait(&j->cv, &j->mu);
        if (j->stop || j->next >= j->n) {
            pthread_mutex_unlock(&j->mu);
            return NULL;
        }
        uint32_t k = j->next++;
        pthread_mutex_unlock(&j->mu);
        row_range(j, k);
        pthread_mutex_lock(&j->mu);
        j->rr[k].done = true;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
    }
}

static int
read_rows_threaded(struct run *r, const char *path, uint64_t size, int nthreads,
                   struct tally_diag *d)
{
    uint64_t chunk = min_chunk_size(ROW_CHUNK);
    uint64_t want = size / chunk;
    if (want < (uint64_t)nthreads)
        want = (uint64_t)nthreads;
    uint64_t *starts;
    uint32_t n;
    int rc = plan_ranges(r, path, size, want, chunk, &starts, &n, d);
    if (rc == TALLY_OK && n > 1)
        rc = begin_output(r, d);
    if (rc != TALLY_OK || n == 1) {
        free(starts);
        return rc != TALLY_OK ? rc : read_one_pass(r, path, d);
    }
    struct rowjob j = {.r = r, .path = path, .starts = starts, .n = n};
    j.window = (uint32_t)nthreads + 1;
    j.rr = tally_xcalloc(n, sizeof *j.rr);
    for (uint32_t k = 0; k < n; k++)
        j.rr[k].fd = -1;
    pthread_mutex_init(&j.mu, NULL);
    pthread_cond_init(&j.cv, NULL);
    pthread_t *tids = tally_xcalloc((size_t)nthreads, sizeof *tids);
    int started = 0;
    for (int t = 0; t < nthreads; t++)
        if (pthread_create(&tids[started], NULL, row_worker, &j) == 0)
            started++;
    if (started == 0) {
        j.window = n; /* no thread to be had: every range here, in order */
        row_worker(&j);
    }
    uint64_t base = 0;
    for (uint32_t k = 0; k < n && rc == TALLY_OK; k++) {
        pthread_mutex_lock(&j.mu);
        while (!j.rr[k].done)
            pthread_cond_wait(&j.cv, &j.mu);
        pthread_mutex_unlock(&j.mu);
        struct rowrange *rr = &j.rr[k];
        if (rr->status != TALLY_OK) {
            tally_diag_shift_line(&rr->diag, base);
            *d = rr->diag;
            rc = rr->status;
        } else {
            rc = tally_output_splice(r->w, rr->fd, rr->bytes, d);
            add_skips(r, &rr->skip, base);
            base += rr->lines;
        }
        close(rr->fd);
        rr->fd = -1;
        pthread_mutex_lock(&j.mu);
        j.committed++;
        if (rc != TALLY_OK)
            j.stop = true;
        pthread_cond_broadcast(&j.cv);
        pthread_mutex_unlock(&j.mu);
    }
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    for (uint32_t k = 0; k < n; k++)
        if (j.rr[k].fd >= 0)
            close(j.rr[k].fd);
    pthread_mutex_destroy(&j.mu);
    pthread_cond_destroy(&j.cv);
    free(tids);
    free(j.rr);
    free(starts);
    return rc;
}

static int
threads_wanted(const struct tally_plan *p)
{
    if (p->threads > 0)
        return p->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 1 ? (int)(n > 256 ? 256 : n) : 1;
}

/* Rows can be formatted on threads when nothing needs them all (no --sort),
 * none may be cut short (no --limit), the format is line by line, and the
 * one input file is the whole output. */
static bool
rows_in_parallel(const struct run *r)
{
    const struct tally_plan *p = r->plan;
    return p->mode != TALLY_MODE_AGG && p->nsort == 0 && p->limit < 0 && r->nfiles == 1 &&
           (p->output == TALLY_FMT_CSV || p->output == TALLY_FMT_TSV ||
            p->output == TALLY_FMT_JSONL);
}

static int
read_input(struct run *r, const char *path, struct tally_diag *d)
{
    struct tally_reader *rd;
    int rc = tally_reader_open(&rd, path, d);
    if (rc != TALLY_OK)
        return rc;
    uint64_t size = tally_reader_size(rd);
    int nthreads = threads_wanted(r->plan);
    bool regular = strcmp(path, "-") != 0 && size > 0;
    if (r->plan->mode == TALLY_MODE_AGG && nthreads > 1 && regular) {
        tally_reader_free(rd);
        return read_threaded(r, path, size, nthreads, d);
    }
    if (rows_in_parallel(r) && nthreads > 1 && regular) {
        tally_reader_free(rd);
        return read_rows_threaded(r, path, size, nthreads, d);
    }
    rc = read_sequential(r, rd, nthreads > 1 && size == 0, d);
    take_main_skips(r);
    tally_reader_free(rd);
    return rc;
}

/* --- the end ----------------------------------------------------------- */

static int
finish_aggregate(struct run *r, struct tally_diag *d)
{
    const struct tally_plan *p = r->plan;
    struct tally_group_table *t = r->main.groups;
    if (p->nkeys == 0 && tally_group_table_size(t) == 0) {
        bool is_new;
        uint32_t id = tally_group_table_intern(t, NULL, &is_new);
        char *acc = tally_group_table_acc(t, id);
        for (uint32_t i = 0; i < p->naggs; i++)
            p->aggs[i].op->init(acc + p->aggs[i].offset);
    }
    int rc = begin_output(r, d);
    uint32_t ngroups = tally_group_table_size(t);
    uint32_t *order = tally_xmalloc((ngroups ? ngroups : 1) * sizeof *order);
    tally_group_table_order(t, order);

    /* All results first: --sort may order by any output column. */
    uint32_t nc = r->ncols;
    struct tally_value *all = tally_xcalloc((size_t)ngroups * nc + 1, sizeof *all);
    struct heldrow *rows = tally_xmalloc((ngroups ? ngroups : 1) * sizeof *rows);
    for (uint32_t g = 0; g < ngroups; g++) {
        uint32_t id = order[g];
        const struct tally_slice *keys = tally_group_table_keys(t, id);
        char *acc = tally_group_table_acc(t, id);
        struct tally_value *row = all + (size_t)g * nc;
        for (uint32_t k = 0; k < p->nkeys; k++)
            row[k] = (struct tally_value){.kind = TALLY_VAL_TEXT, .s = keys[k]};
        for (uint32_t i = 0; i < p->naggs; i++)
            p->aggs[i].op->final(acc + p->aggs[i].offset, &p->aggs[i].param, &row[p->nkeys + i]);
        rows[g] = (struct heldrow){row, g};
    }
    if (p->nsort)
        sort_rows(p, rows, ngroups);
    size_t nout = ngroups;
    if (p->limit >= 0 && (uint64_t)p->limit < nout)
        nout = (size_t)p->limit;
    for (size_t g = 0; g < nout && rc == TALLY_OK; g++)
        rc = tally_output_row(r->w, rows[g].vals, d);
    if (rc == TALLY_OK) {
        tally_progress_finish(r->progress);
        rc = tally_output_end(r->w, d);
    }
    free(rows);
    free(all);
    free(order);
    return rc;
}

static int
finish_rows(struct run *r, struct tally_diag *d)
{
    int rc = begin_output(r, d);
    if (r->plan->nsort) {
        sort_rows(r->plan, r->held, r->nheld);
        size_t n = r->nheld;
        if (r->plan->limit >= 0 && (uint64_t)r->plan->limit < n)
            n = (size_t)r->plan->limit;
        for (size_t i = 0; i < n && rc == TALLY_OK; i++)
            rc = tally_output_row(r->w, r->held[i].vals, d);
    }
    if (rc == TALLY_OK) {
        tally_progress_finish(r->progress);
        rc = tally_output_end(r->w, d);
    }
    return rc;
}

static void
collect_reports(struct run *r)
{
    const struct tally_skipstat *s = &r->skip;
    if (s->count) {
        char loc[300];
        struct tally_loc l = {s->first_file, s->first_line, s->first_col};
        tally_loc_format(&l, loc, sizeof loc);
        const char *what = r->plan->format == TALLY_IN_LOG ? "line" : "malformed row";
        report_add(r->rep, "skipped %" PRIu64 " %s%s; first at %s: %s", s->count, what,
                   s->count == 1 ? "" : "s", loc, s->first_why);
    }
    if (!r->main.colst)
        return;
    for (uint32_t i = 0; i < r->first_header.n; i++) {
        const struct colstate *c = &r->main.colst[i];
        if (c->bad)
            report_add(r->rep, "%s: %" PRIu64 " %s value%s ignored (first: %s:%" PRIu64 " \"%s\")",
                       r->first_header.names[i], c->bad,
                       c->bad_time ? "non-timestamp" : "non-numeric", c->bad == 1 ? "" : "s",
                       c->first_file, c->first_line, c->first_value);
    }
}

/* Bytes to read in all, for the progress bar: 0 (unknown) unless every input
 * is a regular file. Compressed sizes are close enough for a bar. */
static uint64_t
total_size(char **files, size_t nfiles)
{
    uint64_t total = 0;
    for (size_t i = 0; i < nfiles; i++) {
        struct stat st;
        if (strcmp(files[i], "-") == 0 || stat(files[i], &st) != 0 || !S_ISREG(st.st_mode))
            return 0;
        total += (uint64_t)st.st_size;
    }
    return total;
}

int
tally_run(struct tally_plan *plan, char **files, size_t nfiles, int out_fd,
          struct tally_report *rep, struct tally_diag *d)
{
    struct run r = {0};
    r.plan = plan;
    r.rep = rep;
    time_t now = time(NULL);
    struct tm tm;
    r.year = gmtime_r(&now, &tm) ? tm.tm_year + 1900 : 1970;
    static char stdin_name[] = "-";
    char *stdin_only[] = {stdin_name};
    if (nfiles == 0) {
        files = stdin_only;
        nfiles = 1;
    }
    r.nfiles = nfiles;
    int rc = part_init(&r.main, &r, false, d);
    if (rc == TALLY_OK)
        rc = tally_output_open(&r.w, plan->output, out_fd, &plan->out_opts);
    if (rc == TALLY_OK && r.main.log) {
        const struct tally_header *lh = tally_logparse_header(r.main.log);
        struct tally_header h;
        h.n = lh->n;
        h.names = tally_xcalloc(h.n ? h.n : 1, sizeof *h.names);
        h.lens = tally_xcalloc(h.n ? h.n : 1, sizeof *h.lens);
        for (uint32_t i = 0; i < h.n; i++) {
            h.names[i] = tally_xstrndup(lh->names[i], lh->lens[i]);
            h.lens[i] = lh->lens[i];
        }
        rc = bind_header(&r, &h, "--log", d);
    }
    if (rc == TALLY_OK)
        r.progress = tally_progress_new(plan->progress, total_size(files, nfiles), STDERR_FILENO);
    for (size_t i = 0; i < nfiles && rc == TALLY_OK; i++)
        rc = read_input(&r, files[i], d);
    if (rc == TALLY_ESTOP)
        rc = TALLY_OK;
    if (rc == TALLY_OK)
        collect_reports(&r);
    if (rc == TALLY_OK)
        rc = plan->mode == TALLY_MODE_AGG ? finish_aggregate(&r, d) : finish_rows(&r, d);
    tally_progress_finish(r.progress);
    tally_progress_free(r.progress);
    for (size_t i = 0; i < r.nheld; i++)
        free(r.held[i].vals);
    free(r.held);
    free(r.first_file);
    if (r.have_header)
        tally_header_fini(&r.first_header);
    free(r.vals);
    free(r.cols);
    part_fini(&r.main, true);
    tally_output_free(r.w);
    return rc;
}
