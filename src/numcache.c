/* The per-row number cache's storage (the lookups are inline in numcache.h). */
#include "tally/numcache.h"

#include <stdlib.h>

#include "tally/xalloc.h"

void
tally_numcache_size(struct tally_numcache *c, uint32_t ncols)
{
    free(c->slots);
    c->slots = tally_xcalloc(ncols ? ncols : 1, sizeof *c->slots);
    c->n = ncols;
    c->gen++; /* a zeroed slot (gen 0) is never current */
}

void
tally_numcache_fini(struct tally_numcache *c)
{
    free(c->slots);
    c->slots = NULL;
    c->n = 0;
}
