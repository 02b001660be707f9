/* Progress bar on stderr: bytes done of total, percentage, rate and ETA for
 * inputs of known size; a spinner with bytes and rows otherwise. Fed from
 * any thread; redrawn at most ~10 times a second; erased when done. */
#ifndef TALLY_PROGRESS_H
#define TALLY_PROGRESS_H

#include <stdint.h>

struct tally_progress; /* opaque, body in progress.c */

/* mode: -1 auto (shown only when fd is a terminal and either total exceeds
 * 64 MiB or the run lasts more than one second), 0 off, 1 forced on (even
 * into a file or pipe). total: input bytes when known (regular files), else
 * 0 (stdin, compressed input): a spinner with bytes and rows.
 * Returns NULL when nothing can ever be drawn (off, auto on a non-terminal,
 * or fd is standard output); every function below accepts NULL. The caller
 * frees with tally_progress_free. fd stays the caller's. */
struct tally_progress *tally_progress_new(int mode, uint64_t total, int fd);

/* Thread-safe (relaxed atomics): adds bytes consumed and rows seen. Meant
 * to be called once per block or batch of rows, not per byte; it looks at
 * the clock only every 32 calls or each time the byte count crosses a MiB,
 * and the thread that finds the redraw deadline passed draws the bar. */
void tally_progress_add(struct tally_progress *p, uint64_t bytes, uint64_t rows);

/* Erases the bar ("\r" then ESC[K on a terminal, "\r", spaces, "\r"
 * elsewhere) so nothing is left on the line; prints nothing when the bar
 * never drew. Call after every adding thread has stopped. Idempotent. */
void tally_progress_finish(struct tally_progress *p);

void tally_progress_free(struct tally_progress *p); /* accepts NULL */

/* For tests: replaces the monotonic clock (nanoseconds) and the terminal
 * width. Call right after tally_progress_new, before any add; the start
 * time is read again from the new clock. width <= 0 keeps the detected one. */
typedef uint64_t (*tally_progress_clock_fn)(void *ctx);
void tally_progress_set_clock(struct tally_progress *p, tally_progress_clock_fn clock, void *ctx,
                              int width);

#endif
