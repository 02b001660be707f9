/* Rows as the parsers hand them to the pipeline, the header that names their
 * columns, and the count of rows skipped as malformed. */
#ifndef TALLY_ROW_H
#define TALLY_ROW_H

#include <stdbool.h>
#include <stdint.h>

#include "tally/diag.h"
#include "tally/slice.h"

/* Borrowed: fields point into the parser's buffer until the callback returns. */
struct tally_row {
    const struct tally_slice *fields;
    uint32_t nfields;
    const char *file; /* display name */
    uint64_t line;    /* physical line where the record starts, 1-based */
};

/* Returns TALLY_OK to go on, or a status (with d filled) to stop the parse. */
typedef int (*tally_row_fn)(void *ctx, const struct tally_row *row, struct tally_diag *d);

/* Column names of the input, owned (copied) by the header. */
struct tally_header {
    uint32_t n;
    char **names; /* NUL-terminated copies; a name may itself contain NUL bytes (lens) */
    size_t *lens;
};

void tally_header_init(struct tally_header *h, const struct tally_row *row);
/* Columns named 1..n, for --no-header. */
void tally_header_init_numbered(struct tally_header *h, uint32_t n);
void tally_header_fini(struct tally_header *h);
bool tally_header_equal(const struct tally_header *a, const struct tally_header *b);

/* Resolves a column reference as the user wrote it: an exact header name
 * first, then a 1-based number ("3"), or "$3". Backticks must already be
 * removed. Returns the 0-based index, or -1. */
int64_t tally_header_find(const struct tally_header *h, const char *name, size_t len);
/* The existing column name closest to `name` (edit distance), or NULL. */
const char *tally_header_suggest(const struct tally_header *h, const char *name, size_t len);

/* Rows skipped as malformed (lenient mode): how many, and the first. */
struct tally_skipstat {
    uint64_t count;
    char first_file[256];
    uint64_t first_line;
    uint64_t first_col;
    char first_why[160];
};

void tally_skipstat_add(struct tally_skipstat *s, const char *file, uint64_t line, uint64_t col,
                        const char *why);

#endif
