/* Table and markdown writers, for people: consumes rows of values, holds up
 * to a limit of them back to size the columns by display width, then
 * produces aligned lines (streaming any further rows with those widths). */
#include "output_int.h"

#include <stdlib.h>

#include "tally/xalloc.h"

static const char dashes[] = "--------------------------------";

static void
put_dashes(struct tally_writer *w, size_t n)
{
    while (n) {
        size_t k = n < sizeof dashes - 1 ? n : sizeof dashes - 1;
        tally_out_visible(w, dashes, k);
        n -= k;
    }
}

static enum out_cell_mode
cell_mode(const struct tally_writer *w)
{
    return w->kind == TALLY_FMT_MARKDOWN ? OUT_CELL_MARKDOWN : OUT_CELL_TABLE;
}

/* One cell padded to its column; a longer cell just pushes the line wider. */
static void
put_cell(struct tally_writer *w, uint32_t c, struct tally_slice s)
{
    enum out_cell_mode mode = cell_mode(w);
    size_t width = w->hold.width[c];
    size_t have = tally_out_cell(NULL, s, mode);
    size_t pad = have < width ? width - have : 0;
    if (w->hold.right[c])
        tally_out_space(w, pad);
    tally_out_cell(w, s, mode);
    if (!w->hold.right[c])
        tally_out_space(w, pad);
}

/* The cells of one line with their separators, without the line end. */
static void
put_cells(struct tally_writer *w, const struct tally_slice *cells)
{
    bool md = w->kind == TALLY_FMT_MARKDOWN;
    for (uint32_t c = 0; c < w->ncols; c++) {
        if (md) {
            tally_out_visible(w, "|", 1);
            tally_out_space(w, 1);
        } else if (c) {
            tally_out_space(w, 2);
        }
        put_cell(w, c, cells[c]);
        if (md)
            tally_out_space(w, 1);
    }
    if (md)
        tally_out_visible(w, "|", 1);
}

static void
put_line(struct tally_writer *w, const struct tally_slice *cells)
{
    put_cells(w, cells);
    tally_out_eol(w);
}

static void
put_header(struct tally_writer *w)
{
    bool md = w->kind == TALLY_FMT_MARKDOWN;
    if (w->opts.color && !md)
        tally_out_write(w, "\033[1m", 4);
    struct tally_slice *names = tally_xcalloc(w->ncols ? w->ncols : 1, sizeof *names);
    for (uint32_t c = 0; c < w->ncols; c++)
        names[c] = tally_slice_cstr(w->cols[c].name);
    put_cells(w, names);
    free(names);
    if (w->opts.color && !md) {
        w->pending = 0;
        tally_out_write(w, "\033[0m", 4);
    }
    tally_out_eol(w);

    for (uint32_t c = 0; c < w->ncols; c++) {
        size_t width = w->hold.width[c];
        if (md) {
            tally_out_visible(w, "| ", 2);
            if (w->hold.right[c]) {
                put_dashes(w, width - 1);
                tally_out_visible(w, ":", 1);
            } else {
                put_dashes(w, width);
            }
            tally_out_space(w, 1);
        } else {
            if (c)
                tally_out_space(w, 2);
            put_dashes(w, width);
        }
    }
    if (md)
        tally_out_visible(w, "|", 1);
    tally_out_eol(w);
}

/* Fixes the widths from the rows held so far, prints them, and from now on
 * prints each row as it comes. */
static void
release(struct tally_writer *w)
{
    struct out_hold *h = &w->hold;
    tally_out_hold_align(w);
    if (w->kind == TALLY_FMT_MARKDOWN) {
        /* A delimiter cell needs room for "---" or "--:". */
        for (uint32_t c = 0; c < w->ncols; c++)
            if (h->width[c] < 3)
                h->width[c] = 3;
    }
    if (w->opts.header || w->kind == TALLY_FMT_MARKDOWN)
        put_header(w);
    for (size_t r = 0; r < h->n; r++)
        put_line(w, h->cells + r * w->ncols);
    tally_out_hold_clear(w);
    w->streaming = true;
}

static void
table_begin(struct tally_writer *w)
{
    bool header = w->opts.header || w->kind == TALLY_FMT_MARKDOWN;
    tally_out_hold_init(w, header, cell_mode(w));
}

static void
table_row(struct tally_writer *w, const struct tally_value *vals)
{
    if (w->ncols == 0)
        return;
    if (!w->streaming) {
        tally_out_hold_add(w, vals, cell_mode(w));
        if (w->hold.n >= w->hold_limit)
            release(w);
        return;
    }
    struct out_hold *h = &w->hold;
    for (uint32_t c = 0; c < w->ncols; c++)
        h->scratch[c] = tally_out_human_text(w, &vals[c], h->numbufs + (size_t)c * TALLY_NUMBUF);
    put_line(w, h->scratch);
}

static void
table_end(struct tally_writer *w)
{
    if (!w->streaming && w->ncols)
        release(w);
}

const struct out_format tally_out_table = {table_begin, table_row, table_end};
const struct out_format tally_out_markdown = {table_begin, table_row, table_end};
