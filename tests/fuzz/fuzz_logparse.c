/* libFuzzer harness for the log stage: random lines under a preset or a
 * fixed custom pattern, fed in random block sizes. Rows must be sane
 * (fields inside the input, rising line numbers), the same whatever the
 * block sizes, and for combined and common the hand-written scanner must
 * give exactly what the preset's PCRE2 definition gives, lines read with a
 * cut last field included. Every parser shares one compiled code. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tally/diag.h"
#include "tally/logparse.h"
#include "tally/row.h"
#include "tally/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const specs[] = {
    "combined",
    "common",
    "syslog",
    "^(?<ip>\\S+) \\S+ (?<user>\\S+) \\[(?<time>[^]]+)\\] \"(?<req>[^\"]*)\"",
    "(?<key>\\w+)=(?<value>\"[^\"]*\"|\\S*)",
};

struct seen {
    size_t input_len;
    uint64_t rows, hash, last_line;
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
    (void)d;
    struct seen *s = ctx;
    if (row->line == 0 || row->line < s->last_line)
        abort();
    for (uint32_t i = 0; i < row->nfields; i++) {
        struct tally_slice f = row->fields[i];
        if (f.len > s->input_len || (f.len && !f.ptr))
            abort();
        s->hash = mix(s->hash, f.ptr, f.len);
        s->hash = mix(s->hash, "|", 1);
    }
    s->hash = mix(s->hash, &row->line, sizeof row->line);
    s->last_line = row->line;
    s->rows++;
    return TALLY_OK;
}

struct outcome {
    int status;
    struct seen seen;
    uint64_t skipped;
    struct tally_skipstat open; /* lines read with a cut last field */
};

static void
run(struct tally_logparse_code *code, bool pcre_only, const char *in, size_t len,
    const uint8_t *sizes, size_t nsizes, struct outcome *out)
{
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_logparse *p = tally_logparse_open(code);
    if (tally_logparse_code_of(p) != code)
        abort();
    if (pcre_only)
        tally_logparse_set_engine(p, TALLY_LOG_ENGINE_PCRE2);
    tally_logparse_reset(p, "fuzz.log");
    memset(out, 0, sizeof *out);
    out->seen.input_len = len;
    int rc = TALLY_OK;
    size_t off = 0, k = 0;
    while (rc == TALLY_OK && off < len) {
        size_t n = nsizes ? (size_t)sizes[k++ % nsizes] % 64 + 1 : len;
        if (n > len - off)
            n = len - off;
        rc = tally_logparse_feed(p, in + off, n, on_row, &out->seen, &d);
        off += n;
    }
    if (rc == TALLY_OK)
        rc = tally_logparse_finish(p, on_row, &out->seen, &d);
    out->status = rc;
    out->skipped = tally_logparse_skipped(p)->count;
    out->open = *tally_logparse_unterminated(p);
    tally_logparse_free(p);
}

static bool
same(const struct outcome *a, const struct outcome *b)
{
    return a->status == b->status && a->seen.rows == b->seen.rows && a->seen.hash == b->seen.hash &&
           a->skipped == b->skipped && a->open.count == b->open.count &&
           a->open.first_line == b->open.first_line && a->open.first_col == b->open.first_col;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t which = data[0] % (sizeof specs / sizeof specs[0]);
    const char *spec = specs[which];
    bool strict = data[1] & 1;
    size_t nsizes = data[1] >> 4;
    if (size < 2 + nsizes)
        return 0;
    const uint8_t *sizes = data + 2;
    const char *in = (const char *)data + 2 + nsizes;
    size_t len = size - 2 - nsizes;

    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_logparse_code *code = NULL;
    if (tally_logparse_compile(&code, spec, strict, &d) != TALLY_OK)
        abort(); /* every spec above is valid */
    struct outcome whole, parts;
    run(code, false, in, len, NULL, 0, &whole);
    run(code, false, in, len, sizes, nsizes, &parts);
    if (!same(&whole, &parts))
        abort();
    if ((strict || which != 0) && whole.open.count)
        abort(); /* only combined reads a cut last field, and not under --strict */
    if (strcmp(spec, "combined") == 0 || strcmp(spec, "common") == 0) {
        struct outcome ref;
        run(code, true, in, len, NULL, 0, &ref);
        if (!same(&ref, &whole))
            abort();
    }
    tally_logparse_code_free(code);
    return 0;
}
