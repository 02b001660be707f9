/* Running byte ranges of a file on threads and taking their results in
 * file order: workers take the ranges in order, at most `window` ranges
 * ahead of the one being committed, so memory stays bounded whatever the
 * file size; this thread commits each finished range in turn. */
#ifndef TALLY_PARALLEL_H
#define TALLY_PARALLEL_H

#include <stdint.h>

#include "tally/diag.h"

struct tally_par_hooks {
    /* On a worker: reads range k (bytes [off, off+len)); *result is what
     * commit or drop gets, whatever the status. d is the range's own. */
    int (*run)(void *ctx, uint32_t k, uint64_t off, uint64_t len, void **result,
               struct tally_diag *d);
    /* On this thread, k = 0, 1, ... in order, after run(k) returned status. */
    int (*commit)(void *ctx, uint32_t k, void *result, int status, struct tally_diag *rd,
                  struct tally_diag *d);
    /* A result never committed (after an earlier range failed). */
    void (*drop)(void *ctx, void *result);
};

/* Runs the n ranges starts[k]..starts[k+1] on up to nthreads workers;
 * window 0 means no limit. Returns the first failing commit's status. */
int tally_parallel_run(const uint64_t *starts, uint32_t n, int nthreads, uint32_t window,
                       const struct tally_par_hooks *h, void *ctx, struct tally_diag *d);

#endif
