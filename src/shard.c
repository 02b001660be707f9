/* The shard's bounds in the concatenated inputs, and in each file: the
 * bounds are found with the thread splitter's record-start finder, from
 * the start of the file's records, which also counts the lines before
 * them for true line numbers. */
#include "tally/shard.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tally/reader.h"
#include "tally/status.h"
#include "tally/xalloc.h"

/* floor(k * total / n) without overflow: k * (q + r / n) with r < n. */
static uint64_t
bound(uint64_t total, uint32_t k, uint32_t n)
{
    uint64_t q = total / n, r = total % n;
    return (uint64_t)k * q + (uint64_t)k * r / n;
}

void
tally_shard_init(struct tally_shard *s, uint32_t k, uint32_t n, const uint64_t *sizes,
                 size_t nfiles)
{
    memset(s, 0, sizeof *s);
    s->k = k;
    s->n = n;
    s->nfiles = nfiles;
    s->sizes = tally_xcalloc(nfiles ? nfiles : 1, sizeof *s->sizes);
    s->bases = tally_xcalloc(nfiles ? nfiles : 1, sizeof *s->bases);
    for (size_t i = 0; i < nfiles; i++) {
        s->sizes[i] = sizes[i];
        s->bases[i] = s->total;
        s->total += sizes[i];
    }
    s->lo = bound(s->total, k - 1, n);
    s->hi = bound(s->total, k, n);
}

/* The size of the input at path, or a usage error saying why it cannot be
 * read in byte ranges. A pipe is refused before it is opened (opening one
 * waits for its writer). */
static int
check_input(const char *path, uint64_t *size, struct tally_diag *d)
{
    if (strcmp(path, "-") == 0)
        return tally_diag_usage(d, "--shard reads byte ranges; <stdin> is not a regular file");
    struct stat st;
    bool known = stat(path, &st) == 0;
    if (known && !S_ISREG(st.st_mode))
        return tally_diag_usage(d, "--shard reads byte ranges; %s is not a regular file", path);
    struct tally_reader *rd;
    int rc = tally_reader_open(&rd, path, d);
    if (rc != TALLY_OK)
        return rc;
    bool packed = tally_reader_compressed(rd);
    tally_reader_free(rd);
    if (packed)
        return tally_diag_usage(d, "--shard reads byte ranges; %s is compressed", path);
    if (!known)
        return tally_diag_fail(d, NULL, "cannot read %s: %s", path, strerror(ENOENT));
    *size = (uint64_t)st.st_size;
    return TALLY_OK;
}

int
tally_shard_open(struct tally_shard *s, uint32_t k, uint32_t n, char **files, size_t nfiles,
                 struct tally_diag *d)
{
    memset(s, 0, sizeof *s);
    if (nfiles == 0)
        return tally_diag_usage(d, "--shard reads byte ranges; <stdin> is not a regular file");
    uint64_t *sizes = tally_xcalloc(nfiles, sizeof *sizes);
    int rc = TALLY_OK;
    for (size_t i = 0; i < nfiles && rc == TALLY_OK; i++)
        rc = check_input(files[i], &sizes[i], d);
    if (rc == TALLY_OK)
        tally_shard_init(s, k, n, sizes, nfiles);
    free(sizes);
    return rc;
}

void
tally_shard_fini(struct tally_shard *s)
{
    free(s->sizes);
    free(s->bases);
    memset(s, 0, sizeof *s);
}

bool
tally_shard_touches(const struct tally_shard *s, size_t i)
{
    uint64_t base = s->bases[i], end = base + s->sizes[i];
    return s->lo < end && base < s->hi;
}

/* A bound of the concatenation as an offset in input i: 0 before it, its
 * size after it. */
static uint64_t
local(const struct tally_shard *s, size_t i, uint64_t at)
{
    uint64_t base = s->bases[i];
    if (at <= base)
        return 0;
    return at - base < s->sizes[i] ? at - base : s->sizes[i];
}

int
tally_shard_part(const struct tally_shard *s, size_t i, const struct tally_chunk_file *f,
                 uint64_t h, uint64_t h_lines, struct tally_shard_part *out, struct tally_diag *d)
{
    memset(out, 0, sizeof *out);
    uint64_t size = s->sizes[i];
    if (size == 0)
        return TALLY_OK;
    if (h >= size) {
        /* No records: the shard that holds the first byte reads it all. */
        bool first = s->lo <= s->bases[i] && s->bases[i] < s->hi;
        *out = (struct tally_shard_part){first, true, 0, size, 0};
        return TALLY_OK;
    }
    uint64_t targets[2] = {local(s, i, s->lo), local(s, i, s->hi)}, starts[2], lines[2];
    for (int j = 0; j < 2; j++)
        if (targets[j] < h)
            targets[j] = h;
    int rc = tally_chunk_find(f, h, 2, targets, starts, lines, d);
    if (rc != TALLY_OK || starts[0] >= starts[1])
        return rc;
    if (starts[0] == h)
        *out = (struct tally_shard_part){true, true, 0, starts[1], 0};
    else
        *out = (struct tally_shard_part){true, false, starts[0], starts[1], h_lines + lines[0]};
    return TALLY_OK;
}
