/* libFuzzer harness for the CSV stage: random bytes under a random
 * delimiter, strict flag, field-count expectation and limits, fed in random
 * block sizes. Every row must be sane (fields inside the input's size, line
 * numbers rising) and the rows, skip count and status must be the same as
 * when the whole input is fed in one block, and the same with the SIMD fast
 * path off (libcsv alone). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tally/csvparse.h"
#include "tally/diag.h"
#include "tally/row.h"
#include "tally/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A digest of every row seen: enough to tell two parses apart. */
struct seen {
    size_t input_len;
    uint64_t rows;
    uint64_t hash;
    uint64_t last_line;
    uint32_t stop_after; /* callback returns an error at this row (0: never) */
};

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static int
on_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    struct seen *s = ctx;
    if (row->nfields == 0 || !row->fields || row->line == 0 || row->line < s->last_line)
        abort();
    size_t total = 0;
    for (uint32_t i = 0; i < row->nfields; i++) {
        struct tally_slice f = row->fields[i];
        if (f.len > s->input_len || (f.len && !f.ptr))
            abort();
        total += f.len;
        if (total > s->input_len)
            abort();
        /* Touch every byte so ASan checks the slice. */
        s->hash = mix(s->hash, f.ptr, f.len);
        s->hash = mix(s->hash, "|", 1);
    }
    s->hash = mix(s->hash, &row->line, sizeof row->line);
    s->last_line = row->line;
    s->rows++;
    if (s->stop_after && s->rows == s->stop_after)
        return tally_diag_fail(d, NULL, "stop");
    return TALLY_OK;
}

struct outcome {
    int status;
    struct seen seen;
    uint64_t skipped;
    char msg[TALLY_DIAG_MAX];
};

/* Feeds input in blocks whose sizes come from the bytes of `sizes` (one
 * block for the whole input when nsizes is 0). */
static void
run(const struct tally_csv_opts *o, bool fast, uint32_t expect, uint32_t stop_after, const char *in,
    size_t len, const uint8_t *sizes, size_t nsizes, struct outcome *out)
{
    struct tally_csvparse *p = NULL;
    if (tally_csvparse_new(&p, o) != TALLY_OK)
        abort();
    tally_csvparse_set_fastpath(p, fast);
    tally_csvparse_reset(p, "fuzz.csv");
    if (expect)
        tally_csvparse_expect_fields(p, expect);
    struct tally_diag d;
    tally_diag_init(&d);
    memset(out, 0, sizeof *out);
    out->seen.input_len = len;
    out->seen.stop_after = stop_after;
    out->seen.hash = 14695981039346656037ull;
    size_t at = 0, k = 0;
    int rc = TALLY_OK;
    while (at < len && rc == TALLY_OK) {
        size_t n = len - at;
        if (nsizes) {
            size_t want = (size_t)sizes[k++ % nsizes] + 1;
            if (want < n)
                n = want;
        }
        rc = tally_csvparse_feed(p, in + at, n, on_row, &out->seen, &d);
        at += n;
    }
    if (rc == TALLY_OK)
        rc = tally_csvparse_finish(p, on_row, &out->seen, &d);
    out->status = rc;
    out->skipped = tally_csvparse_skipped(p)->count;
    if (rc != TALLY_OK)
        memcpy(out->msg, d.msg, sizeof out->msg - 1);
    tally_csvparse_free(p);
}

static bool
same_outcome(const struct outcome *a, const struct outcome *b)
{
    return a->status == b->status && a->seen.rows == b->seen.rows && a->seen.hash == b->seen.hash &&
           a->skipped == b->skipped && strcmp(a->msg, b->msg) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Layout: 4 control bytes, 8 block-size bytes, then the CSV text. */
    if (size < 12)
        return 0;
    static const char delims[] = {',', '\t', ';', '|', ' ', '\0', 'a', '\''};
    struct tally_csv_opts o = {0};
    o.delim = delims[data[0] & 7];
    o.strict = data[0] & 8;
    o.max_fields = (data[0] & 16) ? (uint32_t)(data[1] & 15) + 1 : 0;
    o.max_record = (data[0] & 32) ? (uint64_t)data[2] + 1 : 0;
    uint32_t expect = (data[0] & 64) ? (uint32_t)(data[3] & 7) + 1 : 0;
    uint32_t stop_after = (data[0] & 128) ? (uint32_t)(data[3] >> 3) + 1 : 0;
    const uint8_t *sizes = data + 4;
    const char *in = (const char *)data + 12;
    size_t len = size - 12;

    struct tally_csvparse *probe = NULL;
    if (tally_csvparse_new(&probe, &o) != TALLY_OK)
        abort(); /* none of the delimiters above is refused */
    tally_csvparse_free(probe);

    /* The SIMD fast path and libcsv alone must agree exactly, whole and
     * split alike. */
    static struct outcome whole, split, plain;
    run(&o, true, expect, stop_after, in, len, NULL, 0, &whole);
    run(&o, true, expect, stop_after, in, len, sizes, 8, &split);
    run(&o, false, expect, stop_after, in, len, sizes, 8, &plain);
    if (!same_outcome(&whole, &split) || !same_outcome(&whole, &plain))
        abort();
    return 0;
}
