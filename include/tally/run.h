/* The drive loop: for each input, a source (CSV, TSV, log lines) turns
 * bytes into rows, the filters keep some, and a sink (rows or aggregates)
 * takes them; a regular file may be cut into ranges read on threads, whose
 * sink states combine in file order. Returns a status; warnings for stderr
 * (skipped rows, ignored non-numeric values) go to the report for main.c. */
#ifndef TALLY_RUN_H
#define TALLY_RUN_H

#include <stddef.h>

#include "tally/diag.h"
#include "tally/exec.h"
#include "tally/plan.h"
#include "tally/report.h"

int tally_run(struct tally_plan *plan, const struct tally_exec *exec, char **files, size_t nfiles,
              int out_fd, struct tally_report *rep, struct tally_diag *d);

#endif
