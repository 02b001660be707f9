/* First-error-wins diagnostics with locations and caret drawings; printing
 * is main.c's job. */
#include "tally/diag.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tally/status.h"

void
tally_diag_init(struct tally_diag *d)
{
    d->status = TALLY_OK;
    d->msg[0] = '\0';
    d->file[0] = '\0';
    d->line = d->col = 0;
    d->body = 0;
}

void
tally_loc_format(const struct tally_loc *loc, char *buf, size_t size)
{
    if (!size)
        return;
    buf[0] = '\0';
    if (!loc || !loc->file)
        return;
    if (loc->line && loc->col)
        snprintf(buf, size, "%s:%" PRIu64 ":%" PRIu64, loc->file, loc->line, loc->col);
    else if (loc->line)
        snprintf(buf, size, "%s:%" PRIu64, loc->file, loc->line);
    else
        snprintf(buf, size, "%s", loc->file);
}

int
tally_diag_fail(struct tally_diag *d, const struct tally_loc *loc, const char *fmt, ...)
{
    if (d->status != TALLY_OK)
        return TALLY_EDATA;
    d->status = TALLY_EDATA;
    size_t off = 0;
    if (loc && loc->file) {
        snprintf(d->file, sizeof d->file, "%s", loc->file);
        d->line = loc->line;
        d->col = loc->col;
        tally_loc_format(loc, d->msg, sizeof d->msg - 2);
        off = strlen(d->msg);
        d->msg[off++] = ':';
        d->msg[off++] = ' ';
        d->msg[off] = '\0';
    }
    d->body = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg + off, sizeof d->msg - off, fmt, ap);
    va_end(ap);
    return TALLY_EDATA;
}

void
tally_diag_shift_line(struct tally_diag *d, uint64_t delta)
{
    if (d->status == TALLY_OK || d->line == 0 || delta == 0)
        return;
    char body[TALLY_DIAG_MAX];
    snprintf(body, sizeof body, "%s", d->msg + d->body);
    d->line += delta;
    struct tally_loc loc = {d->file, d->line, d->col};
    tally_loc_format(&loc, d->msg, sizeof d->msg);
    size_t off = strlen(d->msg);
    snprintf(d->msg + off, sizeof d->msg - off, ": %s", body);
    d->body = off + 2;
}

int
tally_diag_usage(struct tally_diag *d, const char *fmt, ...)
{
    if (d->status != TALLY_OK)
        return TALLY_EUSAGE;
    d->status = TALLY_EUSAGE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return TALLY_EUSAGE;
}

void
tally_diag_caret(struct tally_diag *d, const char *text, size_t off, size_t len)
{
    size_t n = strlen(d->msg);
    size_t tlen = strlen(text);
    if (off > tlen)
        off = tlen;
    if (len == 0)
        len = 1;
    int w = snprintf(d->msg + n, sizeof d->msg - n, "\n  %s\n  ", text);
    if (w < 0 || (size_t)w >= sizeof d->msg - n)
        return;
    n += (size_t)w;
    /* Tabs stay tabs so the caret lines up under them in a terminal. */
    for (size_t i = 0; i < off && n + 1 < sizeof d->msg; i++)
        d->msg[n++] = text[i] == '\t' ? '\t' : ' ';
    for (size_t i = 0; i < len && n + 1 < sizeof d->msg; i++)
        d->msg[n++] = '^';
    d->msg[n] = '\0';
}
