/* Chart writer: consumes rows whose last column is an aggregate, holds them
 * all, and produces one horizontal bar per row scaled so the largest
 * absolute value fills the room left in the terminal width. */
#include "output_int.h"

#include <math.h>
#include <stdio.h>

#define CHART_MIN_BAR 10

/* Eighths of a cell, U+258F (one eighth) down to U+2588 (a full block). */
static const char *const eighths[9] = {
    "", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589", "\u2588",
};

/* The label is the other columns joined by a space, or the row number when
 * the value is the only column. Returns its display width; writes it when w
 * is not NULL. */
static size_t
put_label(struct tally_writer *w, const struct tally_slice *cells, size_t r, uint32_t ncols)
{
    if (ncols == 1) {
        char num[TALLY_NUMBUF];
        size_t n = (size_t)snprintf(num, sizeof num, "%zu", r + 1);
        if (w)
            tally_out_visible(w, num, n);
        return n;
    }
    size_t width = 0;
    for (uint32_t c = 0; c + 1 < ncols; c++) {
        if (c) {
            if (w)
                tally_out_space(w, 1);
            width++;
        }
        width += tally_out_cell(w, cells[c], OUT_CELL_TABLE);
    }
    return width;
}

/* A value draws a bar only when it reads as a finite number. */
static bool
bar_value(struct tally_slice s, double *v)
{
    return tally_parse_double(s, v) && isfinite(*v);
}

static void
put_bar(struct tally_writer *w, double frac, size_t room)
{
    if (w->opts.ascii) {
        size_t n = (size_t)floor(frac * (double)room + 0.5);
        if (n == 0)
            return;
        tally_out_space(w, 1);
        if (w->opts.color)
            tally_out_visible(w, "\033[36m", 5);
        for (size_t i = 0; i < n; i++)
            tally_out_visible(w, "#", 1);
    } else {
        size_t n = (size_t)floor(frac * (double)room * 8 + 0.5);
        if (n == 0)
            return;
        tally_out_space(w, 1);
        if (w->opts.color)
            tally_out_visible(w, "\033[36m", 5);
        for (size_t i = 0; i < n / 8; i++)
            tally_out_visible(w, eighths[8], 3);
        if (n % 8)
            tally_out_visible(w, eighths[n % 8], 3);
    }
    if (w->opts.color)
        tally_out_visible(w, "\033[0m", 4);
}

static void
chart_begin(struct tally_writer *w)
{
    tally_out_hold_init(w, false, OUT_CELL_TABLE);
}

static void
chart_row(struct tally_writer *w, const struct tally_value *vals)
{
    tally_out_hold_add(w, vals, OUT_CELL_TABLE);
}

static void
chart_end(struct tally_writer *w)
{
    struct out_hold *h = &w->hold;
    uint32_t nc = w->ncols;
    if (nc == 0 || h->n == 0)
        return;
    size_t labelw = 0, valw = h->width[nc - 1];
    double maxabs = 0;
    for (size_t r = 0; r < h->n; r++) {
        const struct tally_slice *cells = h->cells + r * nc;
        size_t lw = put_label(NULL, cells, r, nc);
        if (lw > labelw)
            labelw = lw;
        double v;
        if (bar_value(cells[nc - 1], &v) && fabs(v) > maxabs)
            maxabs = fabs(v);
    }
    size_t width = w->opts.width > 0 ? (size_t)w->opts.width : 80;
    size_t used = labelw + 2 + valw + 1;
    size_t room = width > used + CHART_MIN_BAR ? width - used : CHART_MIN_BAR;
    for (size_t r = 0; r < h->n; r++) {
        const struct tally_slice *cells = h->cells + r * nc;
        size_t lw = put_label(w, cells, r, nc);
        size_t vw = tally_out_cell(NULL, cells[nc - 1], OUT_CELL_TABLE);
        tally_out_space(w, labelw - lw + 2 + valw - vw);
        tally_out_cell(w, cells[nc - 1], OUT_CELL_TABLE);
        double v;
        if (maxabs > 0 && bar_value(cells[nc - 1], &v) && v > 0)
            put_bar(w, v / maxabs, room);
        tally_out_eol(w);
    }
    tally_out_hold_clear(w);
}

const struct out_format tally_out_chart = {chart_begin, chart_row, chart_end};
