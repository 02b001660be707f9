/* Result sinks: where kept rows go. The row writer (-s, or every column,
 * with --sort/--limit) and the aggregator (group table and op states) are
 * the first; a partial-state sink and a windowed sink come next. A sink has
 * one shared state and a local state per reader (the main one, and one per
 * byte range read on a thread); locals fold into the main one in input
 * order, so every output is the same whatever the thread count. */
#ifndef TALLY_SINK_H
#define TALLY_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "tally/diag.h"
#include "tally/exec.h"
#include "tally/numcache.h"
#include "tally/output.h"
#include "tally/plan.h"
#include "tally/report.h"
#include "tally/row.h"

/* What a sink is given at open; all borrowed for the sink's life. */
struct tally_sink_conf {
    const struct tally_plan *plan;
    const struct tally_exec *exec;
    struct tally_writer *w;   /* the output */
    struct tally_report *rep; /* warnings for stderr */
    int year;                 /* for timestamps without one (syslog) */
    size_t nfiles;            /* inputs in the run */
};

/* How a file is cut for threads, when it may be (see parallel below). */
struct tally_sink_ranges {
    uint64_t range_bytes; /* 0: one range per thread; else ranges of about this size */
    uint32_t window;      /* 0: every range at once; else at most threads + window waiting */
};

struct tally_sink_ops {
    const char *name;
    int (*open)(void **sink, const struct tally_sink_conf *c, struct tally_diag *d);
    /* The plan was just bound to the input's header, of ncols columns
     * (once per run). TALLY_ESTOP: nothing more is wanted (--limit 0). */
    int (*bound)(void *sink, uint32_t ncols, struct tally_diag *d);
    /* A local state: the main one (range false; made first, once), or one
     * for a byte range of a file read on another thread. nums is that
     * reader's number cache for the current row (borrowed). */
    int (*local_new)(void *sink, bool range, struct tally_numcache *nums, void **local,
                     struct tally_diag *d);
    /* Hot: one call per kept row. Returns TALLY_ESTOP when no more rows are wanted. */
    int (*row)(void *local, const struct tally_row *row, struct tally_diag *d);
    /* Folds a range's local into the main one, ranges in input order; the
     * range's lines come after `line_base` lines of its file. Frees local. */
    int (*combine)(void *sink, void *local, uint64_t line_base, struct tally_diag *d);
    /* The input paused (a pipe waits for its writer): push out what is
     * ready, as grep --line-buffered does. NULL: nothing to do. */
    int (*pause)(void *sink, struct tally_diag *d);
    /* Writes what is known so far as one block, the states left as they
     * are, so rows and snapshots may follow (--every, SIGTERM). */
    int (*snapshot)(void *sink, struct tally_diag *d);
    /* The end of all input: the final output, and its warnings in the report. */
    int (*end)(void *sink, struct tally_diag *d);
    /* --merge: one group read from a partial, its keys and the encoded
     * states of the plan's aggregates, folded into the main state (a state
     * that does not decode is a data error at loc). NULL: rows only. */
    int (*absorb)(void *sink, const struct tally_slice *keys, const struct tally_slice *states,
                  const struct tally_loc *loc, struct tally_diag *d);
    /* Frees a range's local that was never combined (after an error). */
    void (*local_free)(void *local);
    void (*free)(void *sink); /* with the main local */
    /* Whether a regular file may be read on threads, and how to cut it. */
    bool (*parallel)(const void *sink, struct tally_sink_ranges *how);
};

/* An open sink. */
struct tally_sink {
    const struct tally_sink_ops *ops;
    void *state;
};

/* The sink for the plan's mode, opened. */
int tally_sink_open(struct tally_sink *s, const struct tally_sink_conf *c, struct tally_diag *d);
void tally_sink_close(struct tally_sink *s); /* accepts a zeroed one */

extern const struct tally_sink_ops tally_sink_rows;
extern const struct tally_sink_ops tally_sink_agg;

#endif
