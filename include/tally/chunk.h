/* Splitting a regular file into byte ranges for threads: each range starts
 * where the parser would start a record, so parsing the ranges one by one
 * gives exactly the rows of one pass over the whole file. */
#ifndef TALLY_CHUNK_H
#define TALLY_CHUNK_H

#include <stdint.h>

#include "tally/diag.h"

/* How records end, as a source tells the splitter. */
enum tally_record_end {
    TALLY_RECORDS_QUOTED, /* CSV: a line end outside double quotes (CR, LF or CRLF) */
    TALLY_RECORDS_LINES,  /* plain lines (logs, TSV): every LF (a CR is part of the line) */
};

/* Finds up to n ranges of equal size (at least min_size bytes each) of the
 * file at path, size bytes long, records ending as `records` says (delim:
 * the field delimiter, which tells where a quoted field may open; unused
 * for lines). Writes the bounds to starts[0..*count] (starts[0] = 0,
 * starts[*count] = size; starts has room for n+1). Returns TALLY_OK or
 * TALLY_EDATA (read error). */
int tally_chunk_split(const char *path, uint64_t size, enum tally_record_end records, char delim,
                      uint32_t n, uint64_t min_size, uint64_t *starts, uint32_t *count,
                      struct tally_diag *d);

/* A file to look for record starts in, as tally_chunk_split takes it. */
struct tally_chunk_file {
    const char *path;
    uint64_t size;
    enum tally_record_end records;
    char delim;
};

/* tally_chunk_split for bytes [from, to) of the file, from a record start
 * (0, or one found here): starts[0] = from, starts[*count] = to. */
int tally_chunk_split_range(const struct tally_chunk_file *f, uint64_t from, uint64_t to,
                            uint32_t n, uint64_t min_size, uint64_t *starts, uint32_t *count,
                            struct tally_diag *d);

/* For each of the n ascending offsets targets[j], the first record start at
 * or after it, scanning from `from` (a record start): from itself for a
 * target at or before it, the file's size when there is none. lines[j]:
 * the physical lines in [from, starts[j]), counted as the parsers count
 * them (LF; for CSV also CR, a CRLF once), when starts[j] < size.
 * Reads only up to the last start found. TALLY_OK or TALLY_EDATA. */
int tally_chunk_find(const struct tally_chunk_file *f, uint64_t from, uint32_t n,
                     const uint64_t *targets, uint64_t *starts, uint64_t *lines,
                     struct tally_diag *d);

/* The offset where physical line `line` (1-based, counted as above)
 * starts, or the size when the file has fewer lines. */
int tally_chunk_line_start(const struct tally_chunk_file *f, uint64_t line, uint64_t *off,
                           struct tally_diag *d);

#endif
