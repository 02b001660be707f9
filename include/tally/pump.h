/* Moving a reader's blocks to a consumer: in this thread, or with the
 * reading (or inflating) done ahead on a thread of its own, so a writer at
 * the other end of a pipe never waits for the parser. Either way the
 * consumer hears when the input pauses, and a stop (--limit, an error)
 * never waits for a slow writer. */
#ifndef TALLY_PUMP_H
#define TALLY_PUMP_H

#include <stdbool.h>
#include <stddef.h>

#include "tally/diag.h"
#include "tally/reader.h"

/* One block of input, borrowed for the call. A status other than TALLY_OK
 * stops the pump and is returned. */
typedef int (*tally_block_fn)(void *ctx, const char *buf, size_t len, struct tally_diag *d);
/* The input may pause now (a pipe is drained): show what should be seen. */
typedef int (*tally_pause_fn)(void *ctx, struct tally_diag *d);

/* Feeds every block of rd to fn, in order, until the end of input (returns
 * TALLY_OK), a read error or fn's status. ahead: read on another thread.
 * pause is called on input that may wait (tally_reader_is_stream), after a
 * block when reading here, and whenever no block is ready when reading ahead. */
int tally_pump(struct tally_reader *rd, bool ahead, tally_block_fn fn, tally_pause_fn pause,
               void *ctx, struct tally_diag *d);

#endif
