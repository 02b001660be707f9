/* The plan: everything the row loop needs, resolved before the first row
 * (aggregates looked up, expressions and regexes compiled) and bound to
 * column indices once the header is known: what the query means, not how
 * it runs (exec.h). Immutable while rows flow. */
#ifndef TALLY_PLAN_H
#define TALLY_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/cli.h"
#include "tally/diag.h"
#include "tally/expr.h"
#include "tally/ops.h"
#include "tally/output.h"
#include "tally/row.h"

enum tally_mode {
    TALLY_MODE_ALL,    /* print every column of each kept row */
    TALLY_MODE_SELECT, /* -s */
    TALLY_MODE_AGG,    /* -g and/or -a */
};

/* A column as the user wrote it (backticks removed), and its index. */
struct tally_colref {
    char *name;
    size_t len;
    int64_t index; /* -1 until bound */
};

enum tally_bucket {
    TALLY_BUCKET_NONE,
    TALLY_BUCKET_NUM,
    TALLY_BUCKET_TIME,
    TALLY_BUCKET_BAD, /* a width that parses as neither: an error unless the whole key is a column
                       */
};

struct tally_keyspec {
    struct tally_colref col;
    char *label; /* as written, without backticks: "time/5m" */
    bool ticked; /* the name was backticked */
    enum tally_bucket bucket;
    char *width_text;           /* "5m", "100"; NULL without a bucket */
    double width;               /* numeric width, or seconds for a time bucket */
    struct tally_num width_num; /* a numeric width as read, for exact decimal buckets */
};

struct tally_aggspec {
    const struct tally_op *op;
    struct tally_op_param param;
    bool has_col;
    struct tally_colref col;
    char *func;    /* as written: "p99.9" */
    char *name;    /* NAME= given, or NULL */
    char *label;   /* output column name, final after bind */
    size_t offset; /* of the state in the group's accumulator block */
};

struct tally_sortkey {
    char *name;
    bool desc;
    uint32_t col; /* output column, bound */
};

struct tally_plan {
    enum tally_mode mode;
    enum tally_input_format format;
    char delim;
    bool header_in;
    bool strict;
    const char *log;
    uint64_t max_record;
    uint32_t max_fields;

    struct tally_colref *sel;
    uint32_t nsel;
    struct tally_keyspec *keys;
    uint32_t nkeys;
    struct tally_aggspec *aggs;
    uint32_t naggs;
    size_t acc_size;

    struct tally_expr **exprs;
    uint32_t nexprs;
    const char *const *where_text; /* the filters as written (borrowed from the options) */

    struct tally_sortkey *sort;
    uint32_t nsort;
    int64_t limit;

    bool bound;
    struct tally_header header; /* a copy, once bound */
};

/* Builds the plan from options: parses the column, key and aggregate lists,
 * looks up aggregates, compiles the filters. Usage errors -> TALLY_EUSAGE. */
int tally_plan_build(struct tally_plan *p, const struct tally_opts *o, struct tally_diag *d);
/* Resolves every column against the header (copied into the plan). An
 * unknown column is a usage error naming the closest one. */
int tally_plan_bind(struct tally_plan *p, const struct tally_header *h, struct tally_diag *d);
/* Output column names and kinds for the current mode; valid until fini.
 * Bound plans use header names; unbound ones (empty input) the names as
 * written. */
/* Adds --sort keys (text as the option takes it), bound at once when the
 * plan is. */
int tally_plan_sort(struct tally_plan *p, const char *text, struct tally_diag *d);
uint32_t tally_plan_columns(const struct tally_plan *p, struct tally_column **cols);
void tally_plan_fini(struct tally_plan *p);

#endif
