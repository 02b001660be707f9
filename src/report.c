/* Warnings collected during a run, and merging skip counts across the
 * parts of an input so the first one named is the first in the input. */
#include "tally/report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tally/diag.h"
#include "tally/xalloc.h"

void
tally_report_add(struct tally_report *rep, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    rep->lines = tally_xrealloc(rep->lines, (rep->n + 1) * sizeof *rep->lines);
    rep->lines[rep->n++] = tally_xstrdup(buf);
}

void
tally_report_fini(struct tally_report *rep)
{
    for (size_t i = 0; i < rep->n; i++)
        free(rep->lines[i]);
    free(rep->lines);
    rep->lines = NULL;
    rep->n = 0;
}

void
tally_skips_add(struct tally_skipstat *into, const struct tally_skipstat *s, uint64_t base)
{
    if (!s->count)
        return;
    if (!into->count) {
        *into = *s;
        into->first_line += base;
    } else {
        into->count += s->count;
    }
}

void
tally_report_mended(struct tally_report *rep, const struct tally_skipstat *s, const char *one,
                    const char *many)
{
    if (!s->count)
        return;
    char loc[300];
    struct tally_loc l = {s->first_file, s->first_line, s->first_col};
    tally_loc_format(&l, loc, sizeof loc);
    tally_report_add(rep, "%" PRIu64 " %s; first at %s: %s", s->count, s->count == 1 ? one : many,
                     loc, s->first_why);
}

void
tally_report_skips(struct tally_report *rep, const struct tally_skipstat *s, const char *noun)
{
    if (!s->count)
        return;
    char loc[300];
    struct tally_loc l = {s->first_file, s->first_line, s->first_col};
    tally_loc_format(&l, loc, sizeof loc);
    tally_report_add(rep, "skipped %" PRIu64 " %s%s; first at %s: %s", s->count, noun,
                     s->count == 1 ? "" : "s", loc, s->first_why);
}
