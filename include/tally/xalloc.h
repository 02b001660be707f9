/* Allocation wrappers that never return NULL: on failure they print
 * "tally: out of memory" and exit 1, so callers never check. The same one
 * path serves the libraries' allocation failures (PCRE2, zlib, zstd). */
#ifndef TALLY_XALLOC_H
#define TALLY_XALLOC_H

#include <stddef.h>
#include <stdint.h>

void *tally_xmalloc(size_t n);
void *tally_xcalloc(size_t n, size_t size);
void *tally_xrealloc(void *p, size_t n);
/* Grows *p (an array of *cap elements of `size` bytes) by doubling until it
 * holds at least `need` elements; new elements are not zeroed. */
void tally_xgrow(void **p, size_t *cap, size_t need, size_t size);
char *tally_xstrdup(const char *s);
char *tally_xstrndup(const char *s, size_t n);

/* The out-of-memory exit: writes "tally: out of memory" to stderr and ends
 * the process with status 1 (_exit: no buffered output is flushed, so
 * nothing on stdout looks complete). Safe from any thread. */
_Noreturn void tally_oom(void);
/* Returns p, or ends in tally_oom() when it is NULL: for the constructors
 * of libraries that return NULL when out of memory. */
void *tally_xcheck(void *p);
/* malloc for the libraries' own allocators (PCRE2 contexts, zlib): returns
 * NULL on failure, for the library to report as its out-of-memory error. */
void *tally_try_malloc(size_t n);

/* Test hook (fault injection): the n-th allocation from now through any
 * function above (1: the next one) fails as if memory had run out, and so
 * does tally_xcheck's check then. 0 turns it off (the default). Not
 * thread-safe: set it before any thread starts. */
void tally_xalloc_fail_at(uint64_t n);

#endif
