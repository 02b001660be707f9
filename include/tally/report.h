/* Warnings for stderr that do not stop a run (skipped rows, ignored
 * values), collected while reading for main.c to print at the end, and the
 * bookkeeping that keeps their "first at" locations in input order when
 * parts of a file are read on threads. */
#ifndef TALLY_REPORT_H
#define TALLY_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "tally/row.h"

struct tally_report {
    char **lines; /* owned, without the "tally: " prefix */
    size_t n;
};

void tally_report_add(struct tally_report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tally_report_fini(struct tally_report *rep);

/* Adds the skips s of a later part of the input to *into; s's lines are
 * moved by `base` (the lines of its file before it). */
void tally_skips_add(struct tally_skipstat *into, const struct tally_skipstat *s, uint64_t base);
/* "skipped N <noun>s; first at file:line:col: why", when any were. */
void tally_report_skips(struct tally_report *rep, const struct tally_skipstat *s, const char *noun);

/* "N <one|many>; first at file:line:col: why", when any were. */
void tally_report_mended(struct tally_report *rep, const struct tally_skipstat *s, const char *one,
                         const char *many);

#endif
