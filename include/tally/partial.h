/* Partial states (--partial, --merge): the text format that carries an
 * aggregation's groups and encoded op states between processes and
 * machines (SPEC "Partial states"). Lines end with LF, fields are separated
 * by TAB, and every line says which query it belongs to:
 *
 *   #tally-partial TAB 1 TAB <qid> TAB name=value ...     (the header)
 *   <qid> TAB key... TAB state... TAB <check>             (one per group)
 *   #tally-end TAB <qid> TAB <origin> TAB <groups>        (the trailer)
 *
 * qid: 16 hex digits of the FNV-1a hash of the query fields; check: 8 hex
 * digits of the FNV-1a hash of the line before its last TAB; origin: 16 hex
 * digits. Keys and header values are TSV-escaped (\t \n \r \\). Being
 * line-based and self-checking, partials survive pipes, concatenation and
 * `LC_ALL=C sort` ('#' lines sort first, equal keys side by side). */
#ifndef TALLY_PARTIAL_H
#define TALLY_PARTIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/buf.h"
#include "tally/cli.h"
#include "tally/diag.h"
#include "tally/group.h"
#include "tally/output.h"
#include "tally/plan.h"

#define TALLY_PARTIAL_MAGIC "#tally-partial"
#define TALLY_PARTIAL_END "#tally-end"
#define TALLY_PARTIAL_VERSION "1"

/* One name=value field of a header; value unescaped, owned. */
struct tally_pfield {
    char *name;
    char *value;
    size_t vlen;
};

/* What a header says: the query (what must be equal for partials to
 * merge) and the output options recorded by the run that wrote it. */
struct tally_pquery {
    struct tally_pfield *query;
    uint32_t nquery;
    struct tally_pfield *rec;
    uint32_t nrec;
    uint64_t qid;
};

/* The output options the user gave (-o, --sort, --limit, --no-header-out,
 * --precision), recorded so that a bare --merge applies them. */
void tally_pquery_record(struct tally_pquery *q, const struct tally_opts *o);
/* The query fields of a bound plan (replacing any), and the qid. */
void tally_pquery_set_plan(struct tally_pquery *q, const struct tally_plan *p);
/* Parses a header line (without its LF); a data error at loc when it is
 * not one this version reads. */
int tally_pquery_parse(struct tally_pquery *q, const char *line, size_t len,
                       const struct tally_loc *loc, struct tally_diag *d);
/* Writes into buf what differs first between the queries of a and b
 * ("aggregate 2: sum vs mean"), or returns false when they are the same. */
bool tally_pquery_diff(const struct tally_pquery *a, const struct tally_pquery *b, char *buf,
                       size_t size);
/* A recorded output option's value, or NULL. */
const char *tally_pquery_rec(const struct tally_pquery *q, const char *name);
void tally_pquery_fini(struct tally_pquery *q);

/* Writes the whole partial of the groups in t: header, a line per group
 * (states encoded with origin), trailer. */
int tally_partial_write(struct tally_writer *w, const struct tally_pquery *q,
                        const struct tally_plan *p, struct tally_group_table *t, uint64_t origin,
                        struct tally_diag *d);

/* Builds the plan that --merge finishes with from a header: keys and
 * aggregates as the partial's run had them, bound (output names final),
 * with o's --sort and --limit. */
int tally_partial_plan(struct tally_plan *p, const struct tally_pquery *q,
                       const struct tally_opts *o, struct tally_diag *d);

/* TSV escaping of keys and header values, and its inverse in place
 * (false on a bad escape). */
void tally_partial_escape(struct tally_buf *b, const char *s, size_t n);
bool tally_partial_unescape(char *s, size_t *n);
/* Exactly `digits` lowercase hex digits in s[0, n) (a qid, an origin, a
 * check) into *out. */
bool tally_partial_hex(const char *s, size_t n, size_t digits, uint64_t *out);
/* The check of a data line: FNV-1a 32 of its bytes before the last TAB. */
uint32_t tally_partial_check(const char *s, size_t n);

#endif
