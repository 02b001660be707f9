/* TSV writer: consumes rows of values, produces tab-separated lines. Inside
 * a value backslash, tab, LF and CR are escaped as \\ \t \n \r, reversibly,
 * like PostgreSQL's text format. */
#include "output_int.h"

static void
put_field(struct tally_writer *w, struct tally_slice s)
{
    size_t run = 0; /* bytes before i that need no escape, not yet written */
    for (size_t i = 0; i < s.len; i++) {
        const char *esc;
        switch (s.ptr[i]) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        default:
            run++;
            continue;
        }
        tally_out_write(w, s.ptr + i - run, run);
        tally_out_write(w, esc, 2);
        run = 0;
    }
    if (run)
        tally_out_write(w, s.ptr + s.len - run, run);
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
