/* CSV writer (RFC 4180): consumes rows of values, produces one line per row
 * ending in "\n", quoting a field only when it holds a comma, a quote, CR
 * or LF, or when it is the only field and empty: "" keeps that record from
 * reading back as a blank line, which is no record. */
#include "output_int.h"

#include <string.h>

static void
put_field(struct tally_writer *w, struct tally_slice s)
{
    bool quote = s.len == 0 && w->ncols == 1;
    for (size_t i = 0; i < s.len && !quote; i++) {
        char c = s.ptr[i];
        quote = c == ',' || c == '"' || c == '\r' || c == '\n';
    }
    if (!quote) {
        tally_out_write(w, s.ptr, s.len);
        return;
    }
    tally_out_putc(w, '"');
    const char *p = s.ptr, *end = s.ptr + s.len;
    while (p < end) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q) {
            tally_out_write(w, p, (size_t)(end - p));
            break;
        }
        /* Write through the quote, then write it again to double it. */
        tally_out_write(w, p, (size_t)(q - p) + 1);
        tally_out_putc(w, '"');
        p = q + 1;
    }
    tally_out_putc(w, '"');
}

static void
csv_begin(struct tally_writer *w)
{
    if (!w->opts.header)
        return;
    for (uint32_t c = 0; c < w->ncols; c++) {
        if (c)
            tally_out_putc(w, ',');
        put_field(w, tally_slice_cstr(w->cols[c].name));
    }
    tally_out_putc(w, '\n');
}

static void
csv_row(struct tally_writer *w, const struct tally_value *vals)
{
    for (uint32_t c = 0; c < w->ncols; c++) {
        char numbuf[TALLY_NUMBUF];
        if (c)
            tally_out_putc(w, ',');
        put_field(w, tally_out_value_text(&vals[c], numbuf));
    }
    tally_out_putc(w, '\n');
}

static void
csv_end(struct tally_writer *w)
{
    (void)w;
}

const struct out_format tally_out_csv = {csv_begin, csv_row, csv_end};
