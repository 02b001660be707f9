/* The aggregate sink: each kept row's keys (column values, or numeric and
 * time buckets) find its group in a group table, whose op states take the
 * row's values. A byte range read on a thread fills a table of its own,
 * merged into the main one in file order; at the end the groups are
 * finished, ordered, sorted and limited, and written. Values that are not
 * numbers (or timestamps) are counted per column for the report. */
#include "tally/sink.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally/group.h"
#include "tally/partial.h"
#include "tally/rowsort.h"
#include "tally/status.h"
#include "tally/tstamp.h"
#include "tally/xalloc.h"

#define KEYBUF 64

/* Per input column: the report of values that are not numbers (or not
 * timestamps, for time buckets). */
struct colstate {
    uint64_t bad_stamp; /* the row last counted, so a row counts once */
    uint64_t bad;
    bool bad_time; /* what was expected: a timestamp rather than a number */
    char first_file[256];
    uint64_t first_line;
    char first_value[48];
};

struct agglocal;

struct aggsink {
    const struct tally_plan *p;
    struct tally_writer *w;
    struct tally_report *rep;
    int year;
    uint32_t nhdr; /* input columns, once bound */
    struct agglocal *main;
    struct tally_pquery *partial; /* --partial: write this instead of the result */
    uint64_t origin;              /* of the partial (exec.h) */
    char *scratch;                /* --merge: one group's states, decoded */
};

struct agglocal {
    struct aggsink *s;
    struct tally_group_table *groups;
    struct tally_slice *keys;
    char (*keybuf)[KEYBUF];
    uint32_t last_group; /* the previous row's group, when have_last */
    bool have_last;
    struct tally_numcache *nums; /* the reader's, shared with --where */
    struct colstate *colst;
};

static int
agg_open(void **sink, const struct tally_sink_conf *c, struct tally_diag *d)
{
    (void)d;
    struct aggsink *s = tally_xcalloc(1, sizeof *s);
    s->p = c->plan;
    s->w = c->w;
    s->rep = c->rep;
    s->year = c->year;
    s->partial = c->exec->partial;
    s->origin = c->exec->origin;
    *sink = s;
    return TALLY_OK;
}

static int
agg_bound(void *sink, uint32_t ncols, struct tally_diag *d)
{
    (void)d;
    struct aggsink *s = sink;
    s->nhdr = ncols;
    if (s->main && !s->main->colst)
        s->main->colst = tally_xcalloc(ncols ? ncols : 1, sizeof *s->main->colst);
    return TALLY_OK;
}

static int
agg_local_new(void *sink, bool range, struct tally_numcache *nums, void **local,
              struct tally_diag *d)
{
    (void)d;
    struct aggsink *s = sink;
    const struct tally_plan *p = s->p;
    struct agglocal *l = tally_xcalloc(1, sizeof *l);
    l->s = s;
    l->nums = nums;
    int rc = tally_group_table_new(&l->groups, p->nkeys, p->acc_size);
    l->keys = tally_xcalloc(p->nkeys + 1, sizeof *l->keys);
    l->keybuf = tally_xcalloc(p->nkeys + 1, sizeof *l->keybuf);
    if (s->nhdr)
        l->colst = tally_xcalloc(s->nhdr, sizeof *l->colst);
    if (!range)
        s->main = l;
    *local = l;
    return rc;
}

static struct tally_slice
field(const struct tally_row *row, int64_t idx)
{
    if (idx < 0 || (uint64_t)idx >= row->nfields)
        return (struct tally_slice){"", 0};
    return row->fields[idx];
}

/* The number in column idx of this row, converted once per row. */
static const struct tally_num *
column_number(struct agglocal *l, const struct tally_row *row, int64_t idx)
{
    return tally_numcache_get(l->nums, (uint32_t)idx, field(row, idx));
}

static void
note_bad(struct agglocal *l, const struct tally_row *row, int64_t idx, struct tally_slice v,
         bool time)
{
    struct colstate *c = &l->colst[idx];
    if (c->bad_stamp == l->nums->gen)
        return;
    c->bad_stamp = l->nums->gen;
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
num_bucket(struct agglocal *l, const struct tally_row *row, const struct tally_keyspec *k,
           uint32_t ki)
{
    struct tally_slice v = field(row, k->col.index);
    const struct tally_num *n = column_number(l, row, k->col.index);
    if (n->kind == TALLY_NUM_NONE) {
        if (v.len && !is_dash(v))
            note_bad(l, row, k->col.index, v, false);
        return (struct tally_slice){"", 0};
    }
    char *buf = l->keybuf[ki];
    size_t len = tally_num_bucket(n, &k->width_num, buf);
    return (struct tally_slice){buf, len};
}

/* Key text for a time bucket: its start, as the SPEC prints it. */
static struct tally_slice
time_bucket(struct agglocal *l, const struct tally_row *row, const struct tally_keyspec *k,
            uint32_t ki)
{
    struct tally_slice v = field(row, k->col.index);
    struct tally_time t;
    if (!tally_time_parse(v, l->s->year, &t)) {
        if (v.len && !is_dash(v))
            note_bad(l, row, k->col.index, v, true);
        return (struct tally_slice){"", 0};
    }
    int64_t w = (int64_t)k->width;
    size_t len = tally_time_bucket(&t, w > 0 ? w : 1, l->keybuf[ki]);
    return (struct tally_slice){l->keybuf[ki], len};
}

static bool
same_keys(const struct tally_slice *a, const struct tally_slice *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!tally_slice_eq(a[i], b[i]))
            return false;
    return true;
}

/* The accumulators of this row's group (initialised when it is new). */
static char *
row_group(struct agglocal *l, const struct tally_row *row)
{
    const struct tally_plan *p = l->s->p;
    for (uint32_t i = 0; i < p->nkeys; i++) {
        const struct tally_keyspec *k = &p->keys[i];
        if (k->bucket == TALLY_BUCKET_NUM)
            l->keys[i] = num_bucket(l, row, k, i);
        else if (k->bucket == TALLY_BUCKET_TIME)
            l->keys[i] = time_bucket(l, row, k, i);
        else
            l->keys[i] = field(row, k->col.index);
    }
    /* One-slot cache: sorted or clustered input (logs by time) often repeats
     * the previous row's group; comparing its keys is cheaper than hashing. */
    bool is_new = false;
    uint32_t id = l->last_group;
    if (!l->have_last || !same_keys(tally_group_table_keys(l->groups, id), l->keys, p->nkeys)) {
        id = tally_group_table_intern(l->groups, l->keys, &is_new);
        l->last_group = id;
        l->have_last = true;
    }
    char *acc = tally_group_table_acc(l->groups, id);
    if (is_new)
        for (uint32_t i = 0; i < p->naggs; i++)
            p->aggs[i].op->init(acc + p->aggs[i].offset);
    return acc;
}

static int
agg_row(void *local, const struct tally_row *row, struct tally_diag *d)
{
    (void)d;
    struct agglocal *l = local;
    const struct tally_plan *p = l->s->p;
    char *acc = row_group(l, row);
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
            cell.num = *column_number(l, row, a->col.index);
            if (cell.num.kind == TALLY_NUM_NONE)
                note_bad(l, row, a->col.index, cell.text, false);
            else
                a->op->update(st, &cell);
            break;
        }
    }
    return TALLY_OK;
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
local_free(struct agglocal *l, bool states_live)
{
    if (!l)
        return;
    if (states_live)
        finish_states(l->s->p, l->groups);
    tally_group_table_free(l->groups);
    free(l->keys);
    free(l->keybuf);
    free(l->colst);
    free(l);
}

static void
agg_local_free(void *local)
{
    local_free(local, true);
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

/* Folds a later range's ignored-value counts into the main ones, its lines
 * moved by base. */
static void
merge_colstates(struct aggsink *s, const struct agglocal *l, uint64_t base)
{
    for (uint32_t i = 0; i < s->nhdr; i++) {
        struct colstate *dst = &s->main->colst[i];
        const struct colstate *src = &l->colst[i];
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
}

static int
agg_combine(void *sink, void *local, uint64_t line_base, struct tally_diag *d)
{
    (void)d;
    struct aggsink *s = sink;
    struct agglocal *l = local;
    tally_group_table_merge(s->main->groups, l->groups, merge_states, (void *)s->p);
    if (l->colst && s->main->colst)
        merge_colstates(s, l, line_base);
    local_free(l, false);
    return TALLY_OK;
}

static void
report_columns(struct aggsink *s, const struct tally_header *h)
{
    if (!s->main->colst)
        return;
    for (uint32_t i = 0; i < s->nhdr; i++) {
        const struct colstate *c = &s->main->colst[i];
        if (c->bad)
            tally_report_add(s->rep,
                             "%s: %" PRIu64 " %s value%s ignored (first: %s:%" PRIu64 " \"%s\")",
                             h->names[i], c->bad, c->bad_time ? "non-timestamp" : "non-numeric",
                             c->bad == 1 ? "" : "s", c->first_file, c->first_line, c->first_value);
    }
}

/* The finished groups in the default order, one row of values each. */
static struct tally_value *
group_rows(const struct tally_plan *p, struct tally_group_table *t, uint32_t nc,
           struct tally_heldrow *rows)
{
    uint32_t ngroups = tally_group_table_size(t);
    uint32_t *order = tally_xmalloc((ngroups ? ngroups : 1) * sizeof *order);
    tally_group_table_order(t, order);
    struct tally_value *all = tally_xcalloc((size_t)ngroups * nc + 1, sizeof *all);
    for (uint32_t g = 0; g < ngroups; g++) {
        uint32_t id = order[g];
        const struct tally_slice *keys = tally_group_table_keys(t, id);
        char *acc = tally_group_table_acc(t, id);
        struct tally_value *row = all + (size_t)g * nc;
        for (uint32_t k = 0; k < p->nkeys; k++)
            row[k] = (struct tally_value){.kind = TALLY_VAL_TEXT, .s = keys[k]};
        for (uint32_t i = 0; i < p->naggs; i++)
            p->aggs[i].op->final(acc + p->aggs[i].offset, &p->aggs[i].param, &row[p->nkeys + i]);
        rows[g] = (struct tally_heldrow){row, g};
    }
    free(order);
    return all;
}

/* The result over the groups so far, as one block of output (header, rows
 * in order, end); the states stay as they are. */
static int
write_result(struct aggsink *s, struct tally_diag *d)
{
    const struct tally_plan *p = s->p;
    struct tally_group_table *t = s->main->groups;
    if (s->partial) {
        if (s->partial->nquery == 0)
            tally_pquery_set_plan(s->partial, p);
        return tally_partial_write(s->w, s->partial, p, t, s->origin, d);
    }
    if (p->nkeys == 0 && tally_group_table_size(t) == 0) {
        bool is_new;
        char *acc = tally_group_table_acc(t, tally_group_table_intern(t, NULL, &is_new));
        for (uint32_t i = 0; i < p->naggs; i++)
            p->aggs[i].op->init(acc + p->aggs[i].offset);
    }
    struct tally_column *cols;
    uint32_t nc = tally_plan_columns(p, &cols);
    int rc = tally_output_begin(s->w, cols, nc, d);
    uint32_t ngroups = tally_group_table_size(t);
    /* All results first: --sort may order by any output column. */
    struct tally_heldrow *rows = tally_xmalloc((ngroups ? ngroups : 1) * sizeof *rows);
    struct tally_value *all = group_rows(p, t, nc, rows);
    if (p->nsort)
        tally_rows_sort(p, rows, ngroups);
    size_t nout = ngroups;
    if (p->limit >= 0 && (uint64_t)p->limit < nout)
        nout = (size_t)p->limit;
    for (size_t g = 0; g < nout && rc == TALLY_OK; g++)
        rc = tally_output_row(s->w, rows[g].vals, d);
    if (rc == TALLY_OK)
        rc = tally_output_end(s->w, d);
    free(rows);
    free(all);
    free(cols);
    return rc;
}

/* What is known so far, as the end would print it. A pause in the input
 * is no reason to print a table: only --every and signals ask for this. */
static int
agg_snapshot(void *sink, struct tally_diag *d)
{
    return write_result(sink, d);
}

static int
agg_end(void *sink, struct tally_diag *d)
{
    struct aggsink *s = sink;
    if (s->p->bound)
        report_columns(s, &s->p->header);
    return write_result(s, d);
}

/* Decodes the states of one group into acc (initialised); false names the
 * aggregate that does not decode in *bad. */
static bool
decode_states(const struct tally_plan *p, char *acc, const struct tally_slice *states,
              uint32_t *bad)
{
    for (uint32_t i = 0; i < p->naggs; i++)
        p->aggs[i].op->init(acc + p->aggs[i].offset);
    for (uint32_t i = 0; i < p->naggs; i++) {
        if (!p->aggs[i].op->decode(acc + p->aggs[i].offset, states[i].ptr, states[i].len)) {
            *bad = i;
            return false;
        }
    }
    return true;
}

static int
agg_absorb(void *sink, const struct tally_slice *keys, const struct tally_slice *states,
           const struct tally_loc *loc, struct tally_diag *d)
{
    struct aggsink *s = sink;
    const struct tally_plan *p = s->p;
    bool is_new;
    uint32_t id = tally_group_table_intern(s->main->groups, keys, &is_new);
    char *acc = tally_group_table_acc(s->main->groups, id);
    if (!is_new && !s->scratch)
        s->scratch = tally_xmalloc(p->acc_size ? p->acc_size : 1);
    /* A new group takes the states as they are; a known one merges them. */
    char *into = is_new ? acc : s->scratch;
    uint32_t bad = 0;
    bool ok = decode_states(p, into, states, &bad);
    if (ok && !is_new)
        merge_states((void *)p, acc, into);
    else if (!ok && !is_new)
        for (uint32_t i = 0; i < p->naggs; i++)
            if (p->aggs[i].op->fini)
                p->aggs[i].op->fini(into + p->aggs[i].offset);
    if (!ok)
        return tally_diag_fail(d, loc, "the state of %s does not decode (corrupted partial)",
                               p->aggs[bad].label);
    return TALLY_OK;
}

static void
agg_free(void *sink)
{
    struct aggsink *s = sink;
    if (!s)
        return;
    local_free(s->main, true);
    free(s->scratch);
    free(s);
}

/* Any regular file: one range per thread, all at once. */
static bool
agg_parallel(const void *sink, struct tally_sink_ranges *how)
{
    (void)sink;
    how->range_bytes = 0;
    how->window = 0;
    return true;
}

const struct tally_sink_ops tally_sink_agg = {
    .name = "aggregate",
    .open = agg_open,
    .bound = agg_bound,
    .local_new = agg_local_new,
    .row = agg_row,
    .combine = agg_combine,
    .snapshot = agg_snapshot,
    .end = agg_end,
    .absorb = agg_absorb,
    .local_free = agg_local_free,
    .free = agg_free,
    .parallel = agg_parallel,
};
