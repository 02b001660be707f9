/* Byte input: a file or standard input ("-"), read in large blocks; a UTF-8
 * byte-order mark at the start is dropped. Compressed input (gzip, zstd) is
 * recognised by its magic bytes and decompressed here, before any parser. */
#ifndef TALLY_READER_H
#define TALLY_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/diag.h"

struct tally_reader; /* opaque */

#define TALLY_READ_BLOCK (1u << 20)

/* Opens path ("-" = standard input). On failure returns TALLY_EDATA with a
 * message naming the file ("cannot open x.csv: No such file or directory"). */
int tally_reader_open(struct tally_reader **out, const char *path, struct tally_diag *d);
/* Opens bytes [off, off+len) of a regular, uncompressed file: a chunk for
 * one thread. A byte-order mark is dropped only when off is 0. */
int tally_reader_open_range(struct tally_reader **out, const char *path, uint64_t off, uint64_t len,
                            struct tally_diag *d);
/* Next block of bytes: *buf stays valid until the next call or free; *len is
 * 0 at end of input. Returns TALLY_OK or TALLY_EDATA (read error). */
int tally_reader_read(struct tally_reader *r, const char **buf, size_t *len, struct tally_diag *d);
/* Display name: the path, or "<stdin>". */
const char *tally_reader_name(const struct tally_reader *r);
/* Total size in bytes when known (regular uncompressed file), else 0. */
uint64_t tally_reader_size(const struct tally_reader *r);
/* True when the input is gzip or zstd data (decompressed as it is read). */
bool tally_reader_compressed(const struct tally_reader *r);
/* True when the input is a pipe, socket or terminal: a read may wait for
 * the writer, so output meant to be seen promptly should be flushed first. */
bool tally_reader_is_stream(const struct tally_reader *r);
/* From now on, a read that would wait for input also watches fd (-1: stop
 * watching): once fd is readable, the read returns TALLY_ESTOP without
 * waiting, so another thread can call off a read blocked on a slow writer.
 * fd stays the caller's. */
void tally_reader_set_wake(struct tally_reader *r, int fd);
void tally_reader_free(struct tally_reader *r); /* accepts NULL; closes the file */

#endif
