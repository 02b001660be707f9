/* Group table: tuples of key slices -> dense group ids (first-seen order),
 * with one fixed-size accumulator block per group in a preallocated array
 * that grows by doubling only when a new group arrives. */
#ifndef TALLY_GROUP_H
#define TALLY_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally/slice.h"

struct tally_group_table; /* opaque */

/* acc_size: bytes of accumulator state per group (may be 0). */
int tally_group_table_new(struct tally_group_table **out, uint32_t nkeys, size_t acc_size);
void tally_group_table_free(struct tally_group_table *t); /* accepts NULL; does not fini states */

/* The id of the group with these nkeys keys. Copies the key bytes into the
 * table's arena the first time it sees them and sets *is_new (the caller then
 * initialises the accumulators). */
uint32_t tally_group_table_intern(struct tally_group_table *t, const struct tally_slice *keys,
                                  bool *is_new);
/* Accumulator block of a group: valid until the next intern. */
void *tally_group_table_acc(struct tally_group_table *t, uint32_t id);
/* Key slices of a group: valid until the table is freed. */
const struct tally_slice *tally_group_table_keys(const struct tally_group_table *t, uint32_t id);
uint32_t tally_group_table_size(const struct tally_group_table *t);

/* Folds src (built from input that comes after dst's) into dst: a group new
 * to dst gets src's accumulator bytes moved in (appended in src's order);
 * a shared group calls merge(ctx, dst_acc, src_acc). Afterwards src's
 * accumulators belong to dst: free src without finishing them, except that
 * src states passed to merge must still be finished by the caller's merge. */
void tally_group_table_merge(struct tally_group_table *dst, struct tally_group_table *src,
                             void (*merge)(void *ctx, void *dst_acc, void *src_acc), void *ctx);

/* Fills order[0..size) with the ids sorted by the SPEC's default order: key
 * by key, by the order of values (value.h). */
void tally_group_table_order(const struct tally_group_table *t, uint32_t *order);

#endif
