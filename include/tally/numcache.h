/* The numbers of the current row, each column converted at most once per
 * row whoever asks (--where, the aggregates, numeric buckets). One cache
 * per reader (thread); a generation counter makes every slot stale at the
 * next row, so nothing is cleared or allocated per row. */
#ifndef TALLY_NUMCACHE_H
#define TALLY_NUMCACHE_H

#include <stdint.h>

#include "tally/slice.h"

struct tally_numslot {
    uint64_t gen;
    struct tally_num num;
};

struct tally_numcache {
    uint64_t gen; /* the current row's; slots of another generation are stale */
    uint32_t n;
    struct tally_numslot *slots;
    struct tally_num scratch; /* a column past n: converted, not kept */
};

/* Room for ncols columns; earlier contents are dropped. */
void tally_numcache_size(struct tally_numcache *c, uint32_t ncols);
void tally_numcache_fini(struct tally_numcache *c); /* accepts a zeroed one */

/* The next row starts: every slot is stale. */
static inline void
tally_numcache_next_row(struct tally_numcache *c)
{
    c->gen++;
}

/* The number in column col of the current row, whose text is v. */
static inline const struct tally_num *
tally_numcache_get(struct tally_numcache *c, uint32_t col, struct tally_slice v)
{
    if (col >= c->n) {
        tally_parse_number(v, &c->scratch);
        return &c->scratch;
    }
    struct tally_numslot *s = &c->slots[col];
    if (s->gen != c->gen) {
        s->gen = c->gen;
        tally_parse_number(v, &s->num);
    }
    return &s->num;
}

#endif
