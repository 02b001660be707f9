/* --merge: reads partial states (partial.h) from files or standard input,
 * folds every group into the aggregate sink, and prints the result (or,
 * with --partial, one combined partial) with the output options given, or
 * else those the partials recorded. Memory grows with the groups only. */
#ifndef TALLY_MERGE_H
#define TALLY_MERGE_H

#include "tally/cli.h"
#include "tally/diag.h"
#include "tally/report.h"

/* Partials of another query are a usage error naming both inputs; a line
 * that is cut short, corrupted or foreign is a data error at its line. */
int tally_merge_run(const struct tally_opts *o, int out_fd, struct tally_report *rep,
                    struct tally_diag *d);

#endif
