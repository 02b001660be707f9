/* The --where filter language (SPEC "Filter expressions"): text -> program,
 * compiled once before the first row (regexes included), bound to column
 * indices once the header is known, evaluated per row without allocation. */
#ifndef TALLY_EXPR_H
#define TALLY_EXPR_H

#include <stdbool.h>

#include "tally/diag.h"
#include "tally/numcache.h"
#include "tally/row.h"

struct tally_expr; /* opaque: tokens, program, compiled PCRE2 patterns */

/* Parses and compiles text (copied). Syntax and regex errors are usage
 * errors (TALLY_EUSAGE) whose message starts "--where: " and ends with the
 * expression and a caret under the fault (tally_diag_caret). */
int tally_expr_compile(struct tally_expr **out, const char *text, struct tally_diag *d);
/* Resolves column names against the header: an unknown column is a usage
 * error naming the closest existing column, with a caret. */
int tally_expr_bind(struct tally_expr *e, const struct tally_header *h, struct tally_diag *d);
/* Evaluates a bound program on one row. A field past the row's end is a
 * missing value. A regex that hits PCRE2's match or depth limit is a data
 * error (TALLY_EDATA) naming file:line and the pattern. */
int tally_expr_eval(struct tally_expr *e, const struct tally_row *row, bool *keep,
                    struct tally_diag *d);
/* A copy for another thread, bound alike: its own match data, JIT stack and
 * number cache; the compiled patterns are shared with e, not compiled again
 * (either may be freed first). Several threads may copy one e at once; it
 * only reads e, so not while e is being evaluated. */
/* From now on column numbers come from (and go to) c, which the caller
 * advances once per row and keeps alive; NULL: the expression's own cache. */
void tally_expr_share_numbers(struct tally_expr *e, struct tally_numcache *c);
/* An independent copy for another thread (its own match data), bound alike. */
struct tally_expr *tally_expr_clone(const struct tally_expr *e);
void tally_expr_free(struct tally_expr *e); /* accepts NULL */

#endif
