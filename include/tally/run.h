/* The drive loop: inputs -> parser -> filter -> aggregator or projection ->
 * output. Returns a status; warnings for stderr (skipped rows, ignored
 * non-numeric values) are collected in the report for main.c to print. */
#ifndef TALLY_RUN_H
#define TALLY_RUN_H

#include <stddef.h>

#include "tally/diag.h"
#include "tally/plan.h"

struct tally_report {
    char **lines; /* owned, without the "tally: " prefix */
    size_t n;
};

int tally_run(struct tally_plan *plan, char **files, size_t nfiles, int out_fd,
              struct tally_report *rep, struct tally_diag *d);
void tally_report_fini(struct tally_report *rep);

#endif
