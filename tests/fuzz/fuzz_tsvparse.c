/* libFuzzer harness for the TSV stage: random bytes under a random
 * delimiter, strict flag, field-count expectation and limits, fed in random
 * block sizes (the same input layout as fuzz_csvparse, so the seeds serve
 * both). Every row must be sane, the outcome the same whole and split, and,
 * without limits, the same as a naive reading of the TSV rules written
 * here byte by byte. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tally/diag.h"
#include "tally/row.h"
#include "tally/status.h"
#include "tally/tsvparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

static void
seen_field(struct seen *s, const char *p, size_t n)
{
    s->hash = mix(s->hash, p, n);
    s->hash = mix(s->hash, "|", 1);
}

static void
seen_end(struct seen *s, uint64_t line)
{
    s->hash = mix(s->hash, &line, sizeof line);
    s->last_line = line;
    s->rows++;
}

static int
on_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    struct seen *s = ctx;
    if (row->nfields == 0 || !row->fields || row->line == 0 || row->line <= s->last_line)
        abort();
    size_t total = 0;
    for (uint32_t i = 0; i < row->nfields; i++) {
        struct tally_slice f = row->fields[i];
        if (f.len > s->input_len || (f.len && !f.ptr))
            abort();
        total += f.len;
        if (total > s->input_len)
            abort();
        seen_field(s, f.ptr, f.len); /* touches every byte for ASan */
    }
    seen_end(s, row->line);
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

static void
outcome_init(struct outcome *out, size_t len, uint32_t stop_after)
{
    memset(out, 0, sizeof *out);
    out->seen.input_len = len;
    out->seen.stop_after = stop_after;
    out->seen.hash = 14695981039346656037ull;
}

static void
run(const struct tally_tsv_opts *o, uint32_t expect, uint32_t stop_after, const char *in,
    size_t len, const uint8_t *sizes, size_t nsizes, struct outcome *out)
{
    struct tally_tsvparse *p = NULL;
    if (tally_tsvparse_new(&p, o) != TALLY_OK)
        abort();
    tally_tsvparse_reset(p, "fuzz.tsv");
    if (expect)
        tally_tsvparse_expect_fields(p, expect);
    struct tally_diag d;
    tally_diag_init(&d);
    outcome_init(out, len, stop_after);
    size_t at = 0, k = 0;
    int rc = TALLY_OK;
    while (at < len && rc == TALLY_OK) {
        size_t n = len - at;
        if (nsizes) {
            size_t want = (size_t)sizes[k++ % nsizes] + 1;
            if (want < n)
                n = want;
        }
        rc = tally_tsvparse_feed(p, in + at, n, on_row, &out->seen, &d);
        at += n;
    }
    if (rc == TALLY_OK)
        rc = tally_tsvparse_finish(p, on_row, &out->seen, &d);
    out->status = rc;
    out->skipped = tally_tsvparse_skipped(p)->count;
    if (rc != TALLY_OK)
        memcpy(out->msg, d.msg, sizeof out->msg - 1);
    tally_tsvparse_free(p);
}

/* The reference, one byte at a time, for a run without limits or stops. */
static void
reference(char delim, bool strict, uint32_t expect, const char *in, size_t len, char *buf,
          struct outcome *out)
{
    outcome_init(out, len, 0);
    uint64_t line = 1;
    for (size_t s = 0; s < len;) {
        size_t e = s;
        while (e < len && in[e] != '\n')
            e++;
        size_t n = e - s;
        if (e < len && n && in[e - 1] == '\r')
            n--;
        uint32_t nf = 1;
        for (size_t i = 0; i < n; i++)
            nf += in[s + i] == delim;
        if (expect && nf != expect) {
            if (strict) {
                out->status = TALLY_EDATA;
                return;
            }
            out->skipped++;
        } else {
            size_t o = 0;
            for (size_t i = 0; i <= n; i++) {
                char c = i < n ? in[s + i] : delim;
                if (c == delim) {
                    seen_field(&out->seen, buf, o);
                    o = 0;
                    continue;
                }
                char x = i + 1 < n ? in[s + i + 1] : '\0';
                char v = c != '\\' || x == delim ? '\0'
                         : x == 't'              ? '\t'
                         : x == 'n'              ? '\n'
                         : x == 'r'              ? '\r'
                         : x == '\\'             ? '\\'
                                                 : '\0';
                buf[o++] = v ? v : c;
                i += v != '\0';
            }
            seen_end(&out->seen, line);
        }
        line++;
        s = e + 1;
    }
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
    /* Layout: 4 control bytes, 8 block-size bytes, then the TSV text. */
    if (size < 12)
        return 0;
    static const char delims[] = {'\t', ',', 't', '\\', ' ', '\0', 'n', '\r'};
    struct tally_tsv_opts o = {0};
    o.delim = delims[data[0] & 7];
    o.strict = data[0] & 8;
    o.max_fields = (data[0] & 16) ? (uint32_t)(data[1] & 15) + 1 : 0;
    o.max_record = (data[0] & 32) ? (uint64_t)data[2] + 1 : 0;
    uint32_t expect = (data[0] & 64) ? (uint32_t)(data[3] & 7) + 1 : 0;
    uint32_t stop_after = (data[0] & 128) ? (uint32_t)(data[3] >> 3) + 1 : 0;
    const uint8_t *sizes = data + 4;
    const char *in = (const char *)data + 12;
    size_t len = size - 12;

    static struct outcome whole, split, ref;
    run(&o, expect, stop_after, in, len, NULL, 0, &whole);
    run(&o, expect, stop_after, in, len, sizes, 8, &split);
    if (!same_outcome(&whole, &split))
        abort();
    if (!o.max_fields && !o.max_record && !stop_after) {
        char *buf = malloc(len + 1);
        if (!buf)
            abort();
        reference(o.delim, o.strict, expect, in, len, buf, &ref);
        free(buf);
        /* The reference keeps no message: compare the rest. */
        if (ref.status == whole.status)
            memcpy(ref.msg, whole.msg, sizeof ref.msg);
        if (!same_outcome(&whole, &ref))
            abort();
    }
    return 0;
}
