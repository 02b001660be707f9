/* How a query runs, as opposed to what it means (the plan): the output
 * format and its looks (chosen by probing the terminal: table and colour on
 * a terminal, NO_COLOR, TERM=dumb, its width, a UTF-8 locale), the thread
 * count and the progress bar. Decided once, before the run. */
#ifndef TALLY_EXEC_H
#define TALLY_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "tally/cli.h"
#include "tally/output.h"

struct tally_pquery;

struct tally_exec {
    enum tally_format output;
    struct tally_output_opts out_opts;
    int threads;               /* at least 1: -j, or the number of cores (at most 256) */
    int progress;              /* -1 auto, 0 off, 1 on */
    uint32_t shard_k, shard_n; /* --shard=K/N; 0/0 without */
    /* Where this run's input starts in the concatenation of all input
     * files (the partial's ORIGIN): 0, or the environment's
     * mapreduce_map_input_start (Hadoop Streaming's split offset) when it
     * is a decimal number. With --shard, tally_run sets it to the shard's
     * first byte, floor((K-1)T/N), in the copy its sinks are given. */
    uint64_t origin;
    /* --partial: the header to write the partial state under instead of
     * the result (its query fields are filled from the plan at the end
     * when empty); NULL: write the result. */
    struct tally_pquery *partial;
};

/* Fills e from the options and from what out_fd is (a terminal or not). */
void tally_exec_init(struct tally_exec *e, const struct tally_opts *o, int out_fd);

#endif
