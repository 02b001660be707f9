/* --shard=K/N: the input files, in command-line order, are one byte
 * sequence of T bytes; shard K reads [floor((K-1)T/N), floor(KT/N)) of it,
 * each bound moved forward to the first record start at or after it (the
 * thread splitter's rules: chunk.h), never into a file's header row. So
 * the N shards read every record once. Here: the inputs' sizes, the
 * shard's bounds, and the part of each file the shard reads. */
#ifndef TALLY_SHARD_H
#define TALLY_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/chunk.h"
#include "tally/diag.h"

struct tally_shard {
    uint32_t k, n;
    uint64_t total;  /* T: the bytes of all inputs */
    uint64_t lo, hi; /* the shard's bytes in the concatenation, before moving */
    size_t nfiles;
    uint64_t *sizes; /* of each input */
    uint64_t *bases; /* where each input starts in the concatenation */
};

/* Checks that every input is a regular, uncompressed file (else a usage
 * error: standard input, a pipe, a gzip or zstd file) and takes their
 * sizes. An input that cannot be opened is a data error. */
int tally_shard_open(struct tally_shard *s, uint32_t k, uint32_t n, char **files, size_t nfiles,
                     struct tally_diag *d);
/* The same from known sizes, without touching any file. */
void tally_shard_init(struct tally_shard *s, uint32_t k, uint32_t n, const uint64_t *sizes,
                      size_t nfiles);
void tally_shard_fini(struct tally_shard *s);

/* Whether the shard's bytes (before moving) hold any byte of input i: the
 * shard then reads that file's header, to check it. */
bool tally_shard_touches(const struct tally_shard *s, size_t i);

/* What the shard reads of one input. */
struct tally_shard_part {
    bool read;         /* false: nothing (beyond the header check) */
    bool header;       /* from is 0: the file is read from its start, header row and all */
    uint64_t from, to; /* the bytes to read */
    uint64_t lines;    /* physical lines before from */
};

/* The part of input i (f: its path, size and record ends) the shard reads.
 * h: where the file's records start, the record start after its header
 * row (0 when it has none; its size when no row was found), with h_lines
 * physical lines before it. The part that starts at h (the file's first
 * records) is read from the file's start, so that one shard reads what
 * comes before the first record (the header row, blank or malformed lines)
 * as a whole run would; for a file without records that is the shard
 * whose bytes hold the file's first byte. */
int tally_shard_part(const struct tally_shard *s, size_t i, const struct tally_chunk_file *f,
                     uint64_t h, uint64_t h_lines, struct tally_shard_part *out,
                     struct tally_diag *d);

#endif
