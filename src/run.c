/* The drive loop: for each input, reader -> csvparse -> filter -> either the
 * projection (rows written as they come) or the aggregator (group table +
 * op states), then the final ordering, limit and output. */
#include "tally/run.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally/csvparse.h"
#include "tally/group.h"
#include "tally/reader.h"
#include "tally/status.h"
#include "tally/value.h"
#include "tally/xalloc.h"

/* Per input column: the number read from the current row (converted at most
 * once per row, stamped with the row counter) and the non-numeric report. */
struct colstate {
    uint64_t stamp;
    struct tally_num num;
    uint64_t nonnum;
    uint64_t nonnum_stamp;
    char first_file[256];
    uint64_t first_line;
    char first_value[48];
};

/* A row held back for --sort in the row modes: values copied into one block. */
struct heldrow {
    struct tally_value *vals;
    uint64_t seq;
};

struct run {
    struct tally_plan *plan;
    struct tally_report *rep;
    int out_fd;
    struct tally_writer *w;
    struct tally_column *cols;
    uint32_t ncols;
    bool begun;

    struct tally_csvparse *csv;
    const char *file;
    char *first_file; /* a copy: the reader that named it is gone */
    bool at_header;
    struct tally_header first_header;
    bool have_header;

    uint64_t stamp;
    struct colstate *colst;
    struct tally_value *vals;
    int64_t emitted;

    struct tally_group_table *groups;
    struct tally_slice *keys;
    char (*keybuf)[TALLY_NUMBUF];

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
bind_header(struct run *r, const struct tally_header *h, struct tally_diag *d)
{
    int rc = tally_plan_bind(r->plan, h, d);
    if (rc != TALLY_OK)
        return rc;
    r->colst = tally_xcalloc(h->n ? h->n : 1, sizeof *r->colst);
    if (r->plan->mode != TALLY_MODE_AGG && r->plan->nsort == 0)
        return begin_output(r, d);
    return TALLY_OK;
}

static int
on_header(struct run *r, const struct tally_row *row, struct tally_diag *d)
{
    struct tally_header h;
    tally_header_init(&h, row);
    int rc = TALLY_OK;
    if (!r->have_header) {
        r->first_header = h;
        r->have_header = true;
        r->first_file = tally_xstrdup(r->file);
        rc = bind_header(r, &h, d);
    } else {
        if (!tally_header_equal(&r->first_header, &h))
            rc = tally_diag_usage(d, "%s: header differs from the header of %s", r->file,
                                  r->first_file);
        tally_header_fini(&h);
    }
    tally_csvparse_expect_fields(r->csv, row->nfields);
    return rc;
}

/* The number in column idx of this row, converted once per row. */
static const struct tally_num *
column_number(struct run *r, const struct tally_row *row, int64_t idx)
{
    struct colstate *c = &r->colst[idx];
    if (c->stamp != r->stamp) {
        c->stamp = r->stamp;
        tally_parse_number(field(row, idx), &c->num);
    }
    return &c->num;
}

static void
note_nonnumeric(struct run *r, const struct tally_row *row, int64_t idx, struct tally_slice v)
{
    struct colstate *c = &r->colst[idx];
    if (c->nonnum_stamp == r->stamp)
        return;
    c->nonnum_stamp = r->stamp;
    if (c->nonnum++ == 0) {
        snprintf(c->first_file, sizeof c->first_file, "%s", row->file);
        c->first_line = row->line;
        size_t n = v.len < sizeof c->first_value - 1 ? v.len : sizeof c->first_value - 1;
        memcpy(c->first_value, v.ptr, n);
        c->first_value[n] = '\0';
    }
}

/* Key text for a numeric bucket: the bucket's start. */
static struct tally_slice
num_bucket(struct run *r, const struct tally_row *row, const struct tally_keyspec *k, uint32_t ki)
{
    struct tally_slice v = field(row, k->col.index);
    const struct tally_num *n = column_number(r, row, k->col.index);
    if (n->kind == TALLY_NUM_NONE) {
        if (v.len && !(v.len == 1 && v.ptr[0] == '-'))
            note_nonnumeric(r, row, k->col.index, v);
        return (struct tally_slice){"", 0};
    }
    char *buf = r->keybuf[ki];
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

static int
aggregate_row(struct run *r, const struct tally_row *row, struct tally_diag *d)
{
    const struct tally_plan *p = r->plan;
    for (uint32_t i = 0; i < p->nkeys; i++) {
        const struct tally_keyspec *k = &p->keys[i];
        if (k->bucket == TALLY_BUCKET_NUM)
            r->keys[i] = num_bucket(r, row, k, i);
        else if (k->bucket == TALLY_BUCKET_TIME)
            return tally_diag_usage(d, "-g: time buckets (%s) are not supported yet", k->label);
        else
            r->keys[i] = field(row, k->col.index);
    }
    bool is_new;
    uint32_t id = tally_group_table_intern(r->groups, r->keys, &is_new);
    char *acc = tally_group_table_acc(r->groups, id);
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
            if (cell.text.len == 0 || (cell.text.len == 1 && cell.text.ptr[0] == '-'))
                break;
            cell.num = *column_number(r, row, a->col.index);
            if (cell.num.kind == TALLY_NUM_NONE)
                note_nonnumeric(r, row, a->col.index, cell.text);
            else
                a->op->update(st, &cell);
            break;
        }
    }
    return TALLY_OK;
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
        na = (struct tally_num){a->kind == TALLY_VAL_INT ? TALLY_NUM_INT : TALLY_NUM_REAL, a->i,
                                a->kind == TALLY_VAL_INT ? (double)a->i : a->d};
    if (b->kind == TALLY_VAL_TEXT)
        tally_parse_number(b->s, &nb);
    else
        nb = (struct tally_num){b->kind == TALLY_VAL_INT ? TALLY_NUM_INT : TALLY_NUM_REAL, b->i,
                                b->kind == TALLY_VAL_INT ? (double)b->i : b->d};
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
sort_held(struct run *r)
{
    sort_plan = r->plan;
    if (r->nheld > 1)
        qsort(r->held, r->nheld, sizeof *r->held, compare_held);
}

/* Copies the row's values into one block so they outlive the parser buffer. */
static void
hold_row(struct run *r, const struct tally_value *vals, uint64_t seq)
{
    size_t bytes = r->ncols * sizeof *vals;
    for (uint32_t i = 0; i < r->ncols; i++)
        if (vals[i].kind == TALLY_VAL_TEXT)
            bytes += vals[i].s.len;
    char *block = tally_xmalloc(bytes ? bytes : 1);
    struct tally_value *copy = (struct tally_value *)block;
    char *text = block + r->ncols * sizeof *vals;
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
    /* With a limit, keep at most 2N rows: sort and drop the tail when full. */
    if (r->plan->limit >= 0 && r->nheld >= 2 * (size_t)r->plan->limit + 16) {
        sort_held(r);
        while (r->nheld > (size_t)r->plan->limit)
            free(r->held[--r->nheld].vals);
    }
}

static int
emit_row(struct run *r, const struct tally_row *row, struct tally_diag *d)
{
    const struct tally_plan *p = r->plan;
    uint32_t n = r->ncols;
    if (!r->cols)
        n = p->mode == TALLY_MODE_ALL ? p->header.n : p->nsel;
    if (!r->vals)
        r->vals = tally_xcalloc(n ? n : 1, sizeof *r->vals);
    for (uint32_t i = 0; i < n; i++) {
        int64_t idx = p->mode == TALLY_MODE_ALL ? (int64_t)i : p->sel[i].index;
        r->vals[i] = (struct tally_value){.kind = TALLY_VAL_TEXT, .s = field(row, idx)};
    }
    if (p->nsort) {
        r->ncols = n;
        hold_row(r, r->vals, r->stamp);
        return TALLY_OK;
    }
    int rc = tally_output_row(r->w, r->vals, d);
    if (rc != TALLY_OK)
        return rc;
    if (p->limit >= 0 && ++r->emitted >= p->limit)
        return TALLY_ESTOP;
    return TALLY_OK;
}

static int
on_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    struct run *r = ctx;
    const struct tally_plan *p = r->plan;
    if (r->at_header) {
        r->at_header = false;
        if (p->header_in)
            return on_header(r, row, d);
        if (!r->have_header) {
            struct tally_header h;
            tally_header_init_numbered(&h, row->nfields);
            r->first_header = h;
            r->have_header = true;
            r->first_file = tally_xstrdup(r->file);
            int rc = bind_header(r, &h, d);
            if (rc != TALLY_OK)
                return rc;
        }
        tally_csvparse_expect_fields(r->csv, r->first_header.n);
    }
    if (p->limit == 0 && p->mode != TALLY_MODE_AGG && !p->nsort)
        return TALLY_ESTOP;
    r->stamp++;
    for (uint32_t i = 0; i < p->nexprs; i++) {
        bool keep;
        int rc = tally_expr_eval(p->exprs[i], row, &keep, d);
        if (rc != TALLY_OK)
            return rc;
        if (!keep)
            return TALLY_OK;
    }
    if (p->mode == TALLY_MODE_AGG)
        return aggregate_row(r, row, d);
    return emit_row(r, row, d);
}

static int
read_input(struct run *r, const char *path, struct tally_diag *d)
{
    struct tally_reader *rd;
    int rc = tally_reader_open(&rd, path, d);
    if (rc != TALLY_OK)
        return rc;
    r->file = tally_reader_name(rd);
    tally_csvparse_reset(r->csv, r->file);
    r->at_header = true;
    for (;;) {
        const char *buf;
        size_t len;
        rc = tally_reader_read(rd, &buf, &len, d);
        if (rc != TALLY_OK || len == 0)
            break;
        rc = tally_csvparse_feed(r->csv, buf, len, on_row, r, d);
        if (rc != TALLY_OK)
            break;
    }
    if (rc == TALLY_OK)
        rc = tally_csvparse_finish(r->csv, on_row, r, d);
    r->file = NULL;
    tally_reader_free(rd);
    return rc;
}

static void
value_of_key(struct tally_value *v, struct tally_slice s)
{
    *v = (struct tally_value){.kind = TALLY_VAL_TEXT, .s = s};
}

static int
finish_aggregate(struct run *r, struct tally_diag *d)
{
    const struct tally_plan *p = r->plan;
    if (p->nkeys == 0 && tally_group_table_size(r->groups) == 0) {
        bool is_new;
        uint32_t id = tally_group_table_intern(r->groups, NULL, &is_new);
        char *acc = tally_group_table_acc(r->groups, id);
        for (uint32_t i = 0; i < p->naggs; i++)
            p->aggs[i].op->init(acc + p->aggs[i].offset);
    }
    int rc = begin_output(r, d);
    uint32_t ngroups = tally_group_table_size(r->groups);
    uint32_t *order = tally_xmalloc((ngroups ? ngroups : 1) * sizeof *order);
    tally_group_table_order(r->groups, order);

    /* All results first: --sort may order by any output column. */
    uint32_t nc = r->ncols;
    struct tally_value *all = tally_xcalloc((size_t)ngroups * nc + 1, sizeof *all);
    for (uint32_t g = 0; g < ngroups; g++) {
        uint32_t id = order[g];
        const struct tally_slice *keys = tally_group_table_keys(r->groups, id);
        char *acc = tally_group_table_acc(r->groups, id);
        struct tally_value *row = all + (size_t)g * nc;
        for (uint32_t k = 0; k < p->nkeys; k++)
            value_of_key(&row[k], keys[k]);
        for (uint32_t i = 0; i < p->naggs; i++)
            p->aggs[i].op->final(acc + p->aggs[i].offset, &p->aggs[i].param, &row[p->nkeys + i]);
    }
    size_t nout = ngroups;
    struct heldrow *rows = tally_xmalloc((ngroups ? ngroups : 1) * sizeof *rows);
    for (uint32_t g = 0; g < ngroups; g++)
        rows[g] = (struct heldrow){all + (size_t)g * nc, g};
    if (p->nsort) {
        sort_plan = p;
        qsort(rows, ngroups, sizeof *rows, compare_held);
    }
    if (p->limit >= 0 && (uint64_t)p->limit < nout)
        nout = (size_t)p->limit;
    for (size_t g = 0; g < nout && rc == TALLY_OK; g++)
        rc = tally_output_row(r->w, rows[g].vals, d);
    if (rc == TALLY_OK)
        rc = tally_output_end(r->w, d);

    for (uint32_t g = 0; g < ngroups; g++) {
        char *acc = tally_group_table_acc(r->groups, g);
        for (uint32_t i = 0; i < p->naggs; i++)
            if (p->aggs[i].op->fini)
                p->aggs[i].op->fini(acc + p->aggs[i].offset);
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
        sort_held(r);
        size_t n = r->nheld;
        if (r->plan->limit >= 0 && (uint64_t)r->plan->limit < n)
            n = (size_t)r->plan->limit;
        for (size_t i = 0; i < n && rc == TALLY_OK; i++)
            rc = tally_output_row(r->w, r->held[i].vals, d);
    }
    if (rc == TALLY_OK)
        rc = tally_output_end(r->w, d);
    return rc;
}

static void
collect_reports(struct run *r)
{
    const struct tally_skipstat *s = tally_csvparse_skipped(r->csv);
    if (s->count) {
        char loc[300];
        struct tally_loc l = {s->first_file, s->first_line, s->first_col};
        tally_loc_format(&l, loc, sizeof loc);
        report_add(r->rep, "skipped %" PRIu64 " malformed row%s; first at %s: %s", s->count,
                   s->count == 1 ? "" : "s", loc, s->first_why);
    }
    if (!r->colst)
        return;
    for (uint32_t i = 0; i < r->first_header.n; i++) {
        const struct colstate *c = &r->colst[i];
        if (c->nonnum)
            report_add(r->rep,
                       "%s: %" PRIu64 " non-numeric value%s ignored (first: %s:%" PRIu64 " \"%s\")",
                       r->first_header.names[i], c->nonnum, c->nonnum == 1 ? "" : "s",
                       c->first_file, c->first_line, c->first_value);
    }
}

int
tally_run(struct tally_plan *plan, char **files, size_t nfiles, int out_fd,
          struct tally_report *rep, struct tally_diag *d)
{
    if (plan->format == TALLY_IN_LOG)
        return tally_diag_usage(d, "--log: log input is not supported yet");
    struct run r = {0};
    r.plan = plan;
    r.rep = rep;
    r.out_fd = out_fd;
    struct tally_csv_opts co = {plan->delim, plan->strict, plan->max_fields, plan->max_record};
    int rc = tally_csvparse_new(&r.csv, &co);
    if (rc == TALLY_OK)
        rc = tally_output_open(&r.w, plan->output, out_fd, &plan->out_opts);
    if (rc == TALLY_OK && plan->mode == TALLY_MODE_AGG) {
        rc = tally_group_table_new(&r.groups, plan->nkeys, plan->acc_size);
        r.keys = tally_xcalloc(plan->nkeys + 1, sizeof *r.keys);
        r.keybuf = tally_xcalloc(plan->nkeys + 1, sizeof *r.keybuf);
    }
    static char stdin_name[] = "-";
    char *stdin_only[] = {stdin_name};
    if (nfiles == 0) {
        files = stdin_only;
        nfiles = 1;
    }
    for (size_t i = 0; i < nfiles && rc == TALLY_OK; i++)
        rc = read_input(&r, files[i], d);
    if (rc == TALLY_ESTOP)
        rc = TALLY_OK;
    if (rc == TALLY_OK)
        collect_reports(&r);
    if (rc == TALLY_OK)
        rc = plan->mode == TALLY_MODE_AGG ? finish_aggregate(&r, d) : finish_rows(&r, d);
    else if (plan->mode == TALLY_MODE_AGG && r.groups) {
        for (uint32_t g = 0; g < tally_group_table_size(r.groups); g++) {
            char *acc = tally_group_table_acc(r.groups, g);
            for (uint32_t i = 0; i < plan->naggs; i++)
                if (plan->aggs[i].op->fini)
                    plan->aggs[i].op->fini(acc + plan->aggs[i].offset);
        }
    }
    for (size_t i = 0; i < r.nheld; i++)
        free(r.held[i].vals);
    free(r.held);
    free(r.first_file);
    if (r.have_header)
        tally_header_fini(&r.first_header);
    free(r.colst);
    free(r.vals);
    free(r.cols);
    free(r.keys);
    free(r.keybuf);
    tally_group_table_free(r.groups);
    tally_output_free(r.w);
    tally_csvparse_free(r.csv);
    return rc;
}
