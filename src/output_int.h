/* Private to the output writers (output.c, out_*.c): the writer struct, the
 * shared byte buffer with its sticky write error, value text, UTF-8 display
 * width, and the rows that table, markdown and chart hold back. */
#ifndef TALLY_OUTPUT_INT_H
#define TALLY_OUTPUT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/arena.h"
#include "tally/output.h"
#include "tally/slice.h"
#include "tally/value.h"

#define OUT_BUFSIZE ((size_t)256 * 1024)
#define OUT_HOLD_DEFAULT 10000u

/* One format's callbacks. They never fail on their own: a write error is
 * recorded in the writer (w->status) and output.c reports it. */
struct out_format {
    void (*begin)(struct tally_writer *w);
    void (*row)(struct tally_writer *w, const struct tally_value *vals);
    void (*end)(struct tally_writer *w);
};

/* Rows held back to size columns: each cell's text copied into the arena. */
struct out_hold {
    struct tally_arena arena;
    struct tally_slice *cells;   /* n rows of ncols cells */
    size_t n, cap;               /* rows held; room, in cells */
    size_t *width;               /* per column: widest display width seen */
    bool *right;                 /* per column: right-aligned */
    bool *anynum;                /* per column: some non-empty value seen (all numbers so far) */
    bool *allnum;                /* per column: every non-empty value reads as a number */
    struct tally_slice *scratch; /* one row's text, for rows printed without holding */
    char *numbufs;               /* ncols * TALLY_NUMBUF bytes behind scratch's numbers */
};

struct tally_writer {
    const struct out_format *fmt;
    enum tally_format kind;
    int fd;
    int status; /* sticky: TALLY_OK until a write fails */
    int err;    /* errno of the failed write */
    struct tally_output_opts opts;
    char *buf;
    size_t len;
    size_t pending; /* spaces owed before the next visible byte on this line */
    const struct tally_column *cols;
    uint32_t ncols;
    uint64_t nrows;       /* rows passed to tally_output_row */
    size_t hold_limit;    /* table/markdown: rows held before widths are fixed */
    bool streaming;       /* table/markdown: widths fixed, rows print at once */
    struct out_hold hold; /* table, markdown, chart */
};

extern const struct out_format tally_out_csv;
extern const struct out_format tally_out_tsv;
extern const struct out_format tally_out_json;
extern const struct out_format tally_out_jsonl;
extern const struct out_format tally_out_table;
extern const struct out_format tally_out_markdown;
extern const struct out_format tally_out_chart;

/* Test hook: hold at most n rows (at least 1) before fixing table widths. */
void tally_output_set_hold_limit(struct tally_writer *w, size_t n);

/* Buffered output. After a write error these drop their bytes. */
void tally_out_write(struct tally_writer *w, const void *p, size_t n);
void tally_out_putc(struct tally_writer *w, char c);
void tally_out_puts(struct tally_writer *w, const char *s);
void tally_out_flush(struct tally_writer *w);
/* Lazy padding for human formats: spaces owed are written only before the
 * next visible byte, and tally_out_eol drops them, so no line ends in a space. */
void tally_out_space(struct tally_writer *w, size_t n);
void tally_out_visible(struct tally_writer *w, const void *p, size_t n);
void tally_out_eol(struct tally_writer *w);

/* The text of a value: numbers formatted into numbuf (TALLY_NUMBUF bytes),
 * TEXT as its bytes, EMPTY as "". Borrowed from v or numbuf. */
struct tally_slice tally_out_value_text(const struct tally_value *v, char *numbuf);
/* The same for people (table, markdown, chart): a computed REAL value
 * (not as_input) rounded to the writer's --precision. */
struct tally_slice tally_out_human_text(const struct tally_writer *w, const struct tally_value *v,
                                        char *numbuf);

/* Decodes one well-formed UTF-8 sequence at p (n bytes available): returns
 * its length and sets *cp, or 0 when the bytes are not valid UTF-8
 * (overlong, surrogate, above U+10FFFF, truncated). */
size_t tally_out_utf8(const unsigned char *p, size_t n, uint32_t *cp);
/* Terminal columns of a code point: 2 for East Asian wide/fullwidth and
 * emoji, 0 for combining marks and invisible format characters, else 1. */
int tally_out_cp_width(uint32_t cp);

/* How human formats show a cell. */
enum out_cell_mode {
    OUT_CELL_TABLE,    /* control characters as \n \t \r \xNN */
    OUT_CELL_MARKDOWN, /* | as \|, line breaks as <br>, tab as a space, other controls \xNN */
};
/* Returns the display width of s shown in this mode, and writes it when w
 * is not NULL (as visible bytes: spaces owed come first). */
size_t tally_out_cell(struct tally_writer *w, struct tally_slice s, enum out_cell_mode mode);

/* Held rows. hold_add copies the row's text and widens the columns. */
void tally_out_hold_init(struct tally_writer *w, bool header_counts, enum out_cell_mode mode);
void tally_out_hold_add(struct tally_writer *w, const struct tally_value *vals,
                        enum out_cell_mode mode);
/* Fixes each column's alignment from what was seen (computed, or every
 * non-empty value a number with at least one). */
void tally_out_hold_align(struct tally_writer *w);
void tally_out_hold_clear(struct tally_writer *w); /* drops the held rows, keeps widths */
void tally_out_hold_fini(struct tally_writer *w);

#endif
