/* JSON writers: consumes rows of values, produces either one array with an
 * object per line (json) or one object per line (jsonl). Computed numbers
 * are bare, input text is a string; invalid UTF-8 bytes become U+FFFD so
 * the output is always valid JSON. */
#include "output_int.h"

#include <math.h>

static void
put_string(struct tally_writer *w, struct tally_slice s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t run = 0; /* bytes before i that pass through, not yet written */
    tally_out_putc(w, '"');
    for (size_t i = 0; i < s.len;) {
        unsigned char c = p[i];
        size_t len = 1;
        char esc[6];
        size_t elen = 2;
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            run++;
            i++;
            continue;
        }
        if (c >= 0x80) {
            uint32_t cp;
            len = tally_out_utf8(p + i, s.len - i, &cp);
            if (len) {
                run += len;
                i += len;
                continue;
            }
            len = 1;
        }
        tally_out_write(w, p + i - run, run);
        run = 0;
        esc[0] = '\\';
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            if (c >= 0x80) {
                tally_out_write(w, "\\ufffd", 6);
                i += len;
                continue;
            }
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
            break;
        }
        tally_out_write(w, esc, elen);
        i += len;
    }
    if (run)
        tally_out_write(w, p + s.len - run, run);
    tally_out_putc(w, '"');
}

static void
put_value(struct tally_writer *w, const struct tally_value *v, bool computed)
{
    char numbuf[TALLY_NUMBUF];
    if (!computed || v->kind == TALLY_VAL_TEXT) {
        put_string(w, tally_out_value_text(v, numbuf));
        return;
    }
    switch (v->kind) {
    case TALLY_VAL_INT:
        tally_out_write(w, numbuf, tally_format_int(v->i, numbuf));
        return;
    case TALLY_VAL_REAL:
        if (isfinite(v->d)) {
            tally_out_write(w, numbuf, tally_format_double(v->d, numbuf));
            return;
        }
        break;
    case TALLY_VAL_EMPTY:
    case TALLY_VAL_TEXT:
        break;
    }
    tally_out_write(w, "null", 4);
}

static void
put_object(struct tally_writer *w, const struct tally_value *vals)
{
    tally_out_putc(w, '{');
    for (uint32_t c = 0; c < w->ncols; c++) {
        if (c)
            tally_out_putc(w, ',');
        put_string(w, tally_slice_cstr(w->cols[c].name));
        tally_out_putc(w, ':');
        put_value(w, &vals[c], w->cols[c].computed);
    }
    tally_out_putc(w, '}');
}

static void
nothing(struct tally_writer *w)
{
    (void)w;
}

/* The opening bracket waits for the first row so that no rows print "[]". */
static void
json_row(struct tally_writer *w, const struct tally_value *vals)
{
    tally_out_write(w, w->nrows ? ",\n" : "[\n", 2);
    put_object(w, vals);
}

static void
json_end(struct tally_writer *w)
{
    if (w->nrows)
        tally_out_write(w, "\n]\n", 3);
    else
        tally_out_write(w, "[]\n", 3);
}

static void
jsonl_row(struct tally_writer *w, const struct tally_value *vals)
{
    put_object(w, vals);
    tally_out_putc(w, '\n');
}

const struct out_format tally_out_json = {nothing, json_row, json_end};
const struct out_format tally_out_jsonl = {nothing, jsonl_row, nothing};
