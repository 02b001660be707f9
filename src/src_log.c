/* The log source: lines matched by a preset or a PCRE2 pattern, through
 * logparse. Its header is fixed by the pattern's named groups. */
#include "tally/logparse.h"
#include "tally/source.h"
#include "tally/status.h"

static int
log_open(void **state, const struct tally_source_conf *c, struct tally_diag *d)
{
    struct tally_logparse *p;
    int rc = tally_logparse_new(&p, c->log, c->strict, d);
    if (rc == TALLY_OK)
        *state = p;
    return rc;
}

static void *
log_clone(const void *state)
{
    return tally_logparse_clone(state);
}

static void
log_reset(void *state, const char *file, uint64_t first_line)
{
    tally_logparse_reset_at(state, file, first_line);
}

static const struct tally_header *
log_header(const void *state)
{
    return tally_logparse_header(state);
}

static int
log_feed(void *state, const char *buf, size_t len, tally_row_fn fn, void *ctx, struct tally_diag *d)
{
    return tally_logparse_feed(state, buf, len, fn, ctx, d);
}

static int
log_finish(void *state, tally_row_fn fn, void *ctx, struct tally_diag *d)
{
    return tally_logparse_finish(state, fn, ctx, d);
}

static uint64_t
log_lines(const void *state)
{
    return tally_logparse_lines(state);
}

static const struct tally_skipstat *
log_skipped(const void *state)
{
    return tally_logparse_skipped(state);
}

static const struct tally_skipstat *
log_mended(const void *state)
{
    return tally_logparse_unterminated(state);
}

static void
log_free(void *state)
{
    tally_logparse_free(state);
}

const struct tally_source_ops tally_source_log = {
    .name = "log",
    .format = TALLY_IN_LOG,
    .records = TALLY_RECORDS_LINES,
    .fixed_header = true,
    .skip_noun = "line",
    .open = log_open,
    .clone = log_clone,
    .reset = log_reset,
    .header = log_header,
    .feed = log_feed,
    .finish = log_finish,
    .lines = log_lines,
    .skipped = log_skipped,
    .mended = log_mended,
    .mended_one = "line with an unterminated last field read to its end",
    .mended_many = "lines with an unterminated last field read to their end",
    .free = log_free,
};
