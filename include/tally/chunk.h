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

#endif
