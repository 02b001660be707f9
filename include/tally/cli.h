/* Command line -> raw options, checked for form only (column names are
 * checked against the header later, by the plan). */
#ifndef TALLY_CLI_H
#define TALLY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/diag.h"
#include "tally/output.h"

enum tally_input_format {
    TALLY_IN_AUTO = 0, /* csv, or tsv by file name */
    TALLY_IN_CSV,
    TALLY_IN_TSV,
    TALLY_IN_LOG,
};

#define TALLY_SHARD_MAX 1000000 /* most shards of --shard=K/N */

/* Strings point into argv (or static storage) and live as long as it. */
struct tally_opts {
    enum tally_input_format format;
    char delim; /* 0: by format */
    bool no_header;
    const char *log; /* --log preset or pattern, or NULL (format is then LOG) */
    bool strict;
    const char *select;
    const char *group_by;
    const char *aggs;
    const char **wheres; /* owned array (free), strings borrowed */
    size_t nwheres;
    const char *sort;
    int64_t limit; /* -1: no limit */
    enum tally_format output;
    bool output_set;
    bool no_header_out;
    int precision; /* --precision: significant digits, 0 for the default */
    int progress;  /* -1 auto, 0 off, 1 on */
    int threads;   /* 0: number of cores */
    uint64_t max_record;
    uint32_t max_fields;
    uint32_t shard_k, shard_n; /* --shard=K/N; 0/0 without */
    bool partial;              /* --partial */
    bool merge;                /* --merge */
    bool help;
    bool version;
    char **files; /* borrowed from argv */
    size_t nfiles;
};

/* Fills o from argv. Unknown options and malformed values are usage errors
 * (TALLY_EUSAGE, message in d). */
int tally_cli_parse(struct tally_opts *o, int argc, char **argv, struct tally_diag *d);
void tally_cli_fini(struct tally_opts *o);
/* The --help text. Static storage. */
const char *tally_cli_help(void);

#endif
