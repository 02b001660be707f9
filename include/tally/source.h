/* Input sources: one table entry per input kind (CSV, TSV, log presets and
 * patterns; JSON Lines or logfmt later). A source turns the bytes of one
 * file, or of one byte range of it, into borrowed rows through the row
 * callback, and says how its header is had and how its records end, so the
 * drive loop and the thread splitter never ask which kind it is. */
#ifndef TALLY_SOURCE_H
#define TALLY_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/chunk.h"
#include "tally/cli.h"
#include "tally/diag.h"
#include "tally/row.h"

enum tally_header_kind {
    TALLY_HEADER_FIRST_ROW, /* the first row of each file names the columns */
    TALLY_HEADER_FIXED,     /* known before any input (a log preset or pattern) */
    TALLY_HEADER_NONE,      /* -n: the first row is data; columns are 1..n */
};

/* What a source needs to know, from the plan. Strings are borrowed. */
struct tally_source_conf {
    enum tally_input_format format;
    char delim;
    bool header_in; /* false: -n */
    bool strict;
    const char *log; /* --log preset or pattern */
    uint32_t max_fields;
    uint64_t max_record;
};

/* One input kind. Every function gets the state that open or clone made. */
struct tally_source_ops {
    const char *name;               /* "csv", "tsv", "log" */
    enum tally_input_format format; /* what -F (or a file name) selects it by */
    enum tally_record_end records;  /* how the splitter finds record starts */
    bool fixed_header;              /* the header is known at open (header()) */
    const char *skip_noun;          /* what the skip report counts: "malformed row" */
    int (*open)(void **state, const struct tally_source_conf *c, struct tally_diag *d);
    /* An independent state for another thread: same settings, own buffers,
     * zero counts. Expensive set-up (compiled patterns) may be shared. */
    void *(*clone)(const void *state);
    /* A new file or range: lines restart at first_line (1, or where a
     * range starts in its file), partial input is dropped. */
    void (*reset)(void *state, const char *file, uint64_t first_line);
    /* The header's column count, once known (NULL: the source has no use for it). */
    void (*expect_fields)(void *state, uint32_t n);
    /* The fixed header (fixed_header only), owned by the state. */
    const struct tally_header *(*header)(const void *state);
    int (*feed)(void *state, const char *buf, size_t len, tally_row_fn fn, void *ctx,
                struct tally_diag *d);
    int (*finish)(void *state, tally_row_fn fn, void *ctx, struct tally_diag *d);
    /* The number of the last line read: the lines since the last reset
     * when it began at line 1. */
    uint64_t (*lines)(const void *state);
    const struct tally_skipstat *(*skipped)(const void *state); /* since open */
    /* Records read after mending (a log line cut inside its last field),
     * counted and reported like skips; NULL: the source mends nothing. */
    const struct tally_skipstat *(*mended)(const void *state);
    const char *mended_one, *mended_many; /* "line with ... read to its end" */
    void (*free)(void *state);
};

/* An open source: its kind, its state and how its header is had. */
struct tally_source {
    const struct tally_source_ops *ops;
    void *state;
    enum tally_header_kind header;
};

/* The source for c->format, opened; usage errors (a bad --log) in d. */
int tally_source_open(struct tally_source *s, const struct tally_source_conf *c,
                      struct tally_diag *d);
/* A clone of s for another thread (see clone above). */
void tally_source_clone(struct tally_source *to, const struct tally_source *s);
void tally_source_close(struct tally_source *s); /* accepts a zeroed one */

/* The header to bind for this source: from the first row (FIRST_ROW: its
 * values; NONE: its field count), or the fixed one (row unused). The
 * header's strings are copies the caller finishes with tally_header_fini. */
void tally_source_header(const struct tally_source *s, const struct tally_row *first,
                         struct tally_header *h);

/* The source kinds, defined in their own files (src/src_*.c). */
extern const struct tally_source_ops tally_source_csv;
extern const struct tally_source_ops tally_source_tsv;
extern const struct tally_source_ops tally_source_log;

/* The records s read after mending since open; a zero count for a source
 * that mends nothing. */
const struct tally_skipstat *tally_source_mended(const struct tally_source *s);

#endif
