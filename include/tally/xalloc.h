/* Allocation wrappers that never return NULL: on failure they print
 * "tally: out of memory" and exit 1, so callers never check. */
#ifndef TALLY_XALLOC_H
#define TALLY_XALLOC_H

#include <stddef.h>

void *tally_xmalloc(size_t n);
void *tally_xcalloc(size_t n, size_t size);
void *tally_xrealloc(void *p, size_t n);
/* Grows *p (an array of *cap elements of `size` bytes) by doubling until it
 * holds at least `need` elements; new elements are not zeroed. */
void tally_xgrow(void **p, size_t *cap, size_t need, size_t size);
char *tally_xstrdup(const char *s);
char *tally_xstrndup(const char *s, size_t n);

#endif
