/* TSV writer: consumes rows of values, produces tab-separated lines. Inside
 * a value backslash, tab, LF and CR are escaped as \\ \t \n \r, reversibly,
 * like PostgreSQL's text format. */
#include "output_int.h"
#include "tally/tsvparse.h"

static void
put_bytes(void *w, const char *p, size_t n)
{
    tally_out_write(w, p, n);
}

static void
put_field(struct tally_writer *w, struct tally_slice s)
{
    tally_tsv_escape(s.ptr, s.len, put_bytes, w);
}

static void
tsv_begin(struct tally_writer *w)
{
    if (!w->opts.header)
        return;
    for (uint32_t c = 0; c < w->ncols; c++) {
        if (c)
            tally_out_putc(w, '\t');
        put_field(w, tally_slice_cstr(w->cols[c].name));
    }
    tally_out_putc(w, '\n');
}

static void
tsv_row(struct tally_writer *w, const struct tally_value *vals)
{
    for (uint32_t c = 0; c < w->ncols; c++) {
        char numbuf[TALLY_NUMBUF];
        if (c)
            tally_out_putc(w, '\t');
        put_field(w, tally_out_value_text(&vals[c], numbuf));
    }
    tally_out_putc(w, '\n');
}

static void
tsv_end(struct tally_writer *w)
{
    (void)w;
}

const struct out_format tally_out_tsv = {tsv_begin, tsv_row, tsv_end};
