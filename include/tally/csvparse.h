/* CSV bytes (any one-byte delimiter) -> rows, through libcsv, bytes kept exactly.
 * Fed blocks of any size; tracks physical lines (LF, CRLF or CR). Rows with
 * broken quoting, or a field count unlike the expected one, are malformed:
 * skipped and counted in lenient mode, an error (TALLY_EDATA) in strict mode. */
#ifndef TALLY_CSVPARSE_H
#define TALLY_CSVPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/diag.h"
#include "tally/row.h"

struct tally_csvparse; /* opaque: holds a struct csv_parser */

struct tally_csv_opts {
    char delim;          /* ',' or '\t' or any single byte */
    bool strict;         /* malformed row -> TALLY_EDATA */
    uint32_t max_fields; /* 0: default TALLY_MAX_FIELDS_DEFAULT */
    uint64_t max_record; /* bytes; 0: default TALLY_MAX_RECORD_DEFAULT */
};

#define TALLY_MAX_FIELDS_DEFAULT (1u << 20)
#define TALLY_MAX_RECORD_DEFAULT (1ull << 30)

int tally_csvparse_new(struct tally_csvparse **out, const struct tally_csv_opts *o);
void tally_csvparse_free(struct tally_csvparse *p); /* accepts NULL */

/* Starts a new file: line numbers restart at 1, the field-count check is
 * off until tally_csvparse_expect_fields. `file` is borrowed until the next
 * reset. */
void tally_csvparse_reset(struct tally_csvparse *p, const char *file);
/* The same, the first line numbered first_line (a range of a file). */
void tally_csvparse_reset_at(struct tally_csvparse *p, const char *file, uint64_t first_line);
/* on: quote-free lines are split without libcsv (the default, unless the
 * environment variable TALLY_FASTPATH is "0"); off: libcsv parses every
 * record, the reference the differential tests compare with. Call between
 * files. */
void tally_csvparse_set_fastpath(struct tally_csvparse *p, bool on);
/* From now on a row with another number of fields than n is malformed. */
void tally_csvparse_expect_fields(struct tally_csvparse *p, uint32_t n);

/* Parses len bytes, calling fn for each complete row. A record without a
 * quote character is split here, its fields pointing into buf (or into the
 * parser's copy of a record that straddled two calls); any other goes
 * through libcsv. The rows are the same either way. Returns TALLY_OK, the
 * callback's status, or TALLY_EDATA (strict mode, limits). */
int tally_csvparse_feed(struct tally_csvparse *p, const char *buf, size_t len, tally_row_fn fn,
                        void *ctx, struct tally_diag *d);
/* End of the file: submits a last row without a final newline; an
 * unterminated quote is a malformed row. */
int tally_csvparse_finish(struct tally_csvparse *p, tally_row_fn fn, void *ctx,
                          struct tally_diag *d);

/* The number of the last physical line completed: the lines since the last
 * reset when it began at line 1 (after finish: all of them). */
uint64_t tally_csvparse_lines(const struct tally_csvparse *p);

/* Malformed rows skipped so far (all files). */
const struct tally_skipstat *tally_csvparse_skipped(const struct tally_csvparse *p);

#endif
