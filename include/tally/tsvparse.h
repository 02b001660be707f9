/* TSV bytes -> rows. Every line is a record (LF ends it; a CR right before
 * the LF is dropped), fields are split at each delimiter byte, quotes are
 * ordinary bytes, and \t \n \r \\ inside a field stand for tab, LF, CR and
 * backslash (any other backslash is kept as written), the exact inverse of
 * the TSV writer. An empty line is a record of one empty field. A row whose
 * field count is unlike the expected one is malformed: skipped and counted
 * in lenient mode, an error (TALLY_EDATA) in strict mode. */
#ifndef TALLY_TSVPARSE_H
#define TALLY_TSVPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/diag.h"
#include "tally/row.h"

struct tally_tsvparse; /* opaque */

struct tally_tsv_opts {
    char delim;          /* '\t', or any single byte but LF */
    bool strict;         /* malformed row -> TALLY_EDATA */
    uint32_t max_fields; /* 0: default TALLY_MAX_FIELDS_DEFAULT (csvparse.h) */
    uint64_t max_record; /* bytes of a line without its line end; 0: TALLY_MAX_RECORD_DEFAULT */
};

/* The writer's side of the escapes: passes s[0, n) to put in pieces, with
 * backslash, tab, LF and CR written as \\ \t \n \r (the TSV writer, and
 * the keys of a partial). */
void tally_tsv_escape(const char *s, size_t n, void (*put)(void *ctx, const char *p, size_t n),
                      void *ctx);

/* TALLY_EUSAGE for a delimiter of LF; else TALLY_OK and *out to free. */
int tally_tsvparse_new(struct tally_tsvparse **out, const struct tally_tsv_opts *o);
void tally_tsvparse_free(struct tally_tsvparse *p); /* accepts NULL */

/* Starts a new file: line numbers restart at 1, a partial line is dropped,
 * the field-count check is off until tally_tsvparse_expect_fields. `file`
 * is borrowed until the next reset. */
void tally_tsvparse_reset(struct tally_tsvparse *p, const char *file);
/* The same, the first line numbered first_line (a range of a file). */
void tally_tsvparse_reset_at(struct tally_tsvparse *p, const char *file, uint64_t first_line);
/* From now on a row with another number of fields than n is malformed. */
void tally_tsvparse_expect_fields(struct tally_tsvparse *p, uint32_t n);

/* Parses len bytes, calling fn for each complete line. Fields point into
 * buf, into the parser's copy of a line that straddled two calls, or (for a
 * field with an escape) into the parser's decoded copy. Returns TALLY_OK,
 * the callback's status, or TALLY_EDATA (strict mode, limits). */
int tally_tsvparse_feed(struct tally_tsvparse *p, const char *buf, size_t len, tally_row_fn fn,
                        void *ctx, struct tally_diag *d);
/* End of the file: a last line without a final LF is a record too (an
 * empty one, after a final LF, is not). */
int tally_tsvparse_finish(struct tally_tsvparse *p, tally_row_fn fn, void *ctx,
                          struct tally_diag *d);

/* The number of the last LF-terminated line: the lines since the last reset
 * when it began at line 1. */
uint64_t tally_tsvparse_lines(const struct tally_tsvparse *p);

/* Malformed rows skipped so far (all files). */
const struct tally_skipstat *tally_tsvparse_skipped(const struct tally_tsvparse *p);

#endif
