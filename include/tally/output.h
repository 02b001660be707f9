/* Output writers: table, csv, tsv, json, jsonl, markdown (chart later),
 * behind one interface. Each writes into one large buffer flushed with
 * write(2) to a file descriptor; a closed pipe is TALLY_EPIPE, any other
 * write error TALLY_EDATA with a message. */
#ifndef TALLY_OUTPUT_H
#define TALLY_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/diag.h"
#include "tally/value.h"

enum tally_format {
    TALLY_FMT_TABLE,
    TALLY_FMT_CSV,
    TALLY_FMT_TSV,
    TALLY_FMT_JSON,
    TALLY_FMT_JSONL,
    TALLY_FMT_MARKDOWN,
    TALLY_FMT_CHART,
};

/* Returns true and sets *f when name is a format name. */
bool tally_format_parse(const char *name, enum tally_format *f);
const char *tally_format_name(enum tally_format f); /* "csv" */

struct tally_column {
    const char *name; /* borrowed until tally_output_end */
    bool computed;    /* an aggregate: EMPTY is null in JSON; else input text, EMPTY is "" */
};

/* Significant digits of computed non-integer values in table, markdown and
 * chart: the default, and the most --precision accepts (a double's 17). */
#define TALLY_PRECISION_DEFAULT 6
#define TALLY_PRECISION_MAX 17

struct tally_output_opts {
    bool header;   /* print the header line (csv, tsv, table, markdown); --no-header-out clears */
    bool color;    /* ANSI colour (table, chart) */
    int width;     /* terminal width for chart; 0: 80 */
    bool ascii;    /* chart: ASCII bars instead of Unicode eighth-blocks */
    int precision; /* table, markdown, chart: significant digits of computed REAL values
                      (1..17); 0: TALLY_PRECISION_DEFAULT */
};

struct tally_writer; /* opaque */

int tally_output_open(struct tally_writer **out, enum tally_format f, int fd,
                      const struct tally_output_opts *o);
/* Column names come first, rows next; every row has ncols values, borrowed
 * for the call (the writer copies what it keeps, e.g. the table's rows). */
int tally_output_begin(struct tally_writer *w, const struct tally_column *cols, uint32_t ncols,
                       struct tally_diag *d);
int tally_output_row(struct tally_writer *w, const struct tally_value *vals, struct tally_diag *d);
/* Prints what was held back (table widths, JSON's closing bracket) and
 * flushes. Not called after an error, so no output looks complete. */
int tally_output_end(struct tally_writer *w, struct tally_diag *d);
/* Writes out what is buffered now (rows written so far reach the fd). */
int tally_output_flush(struct tally_writer *w, struct tally_diag *d);
/* Flushes, then copies the first len bytes of fd (rows another writer of
 * the same format formatted into a file) to the output. */
/* Bytes written as they are (a partial state: no columns, no format). */
int tally_output_bytes(struct tally_writer *w, const char *p, size_t n, struct tally_diag *d);
int tally_output_splice(struct tally_writer *w, int fd, uint64_t len, struct tally_diag *d);
void tally_output_free(struct tally_writer *w); /* accepts NULL; drops unflushed output */

#endif
