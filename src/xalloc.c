/* malloc wrappers that end the program with "tally: out of memory" (exit 1)
 * instead of returning NULL, so no caller carries an OOM path; the same exit
 * for the libraries' failures, and a fault-injection hook for tests. */
#include "tally/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Allocations left before the injected failure; 0: none injected. Written
 * only by tests before threads start, so plain reads are race-free. */
static uint64_t fail_countdown;

void
tally_xalloc_fail_at(uint64_t n)
{
    fail_countdown = n;
}

/* True when this allocation is the one a test asked to fail. */
static bool
injected(void)
{
    if (__builtin_expect(fail_countdown == 0, 1))
        return false;
    return --fail_countdown == 0;
}

_Noreturn void
tally_oom(void)
{
    static const char msg[] = "tally: out of memory\n";
    ssize_t rc = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)rc;
    _exit(1);
}

void *
tally_xcheck(void *p)
{
    if (!p || injected())
        tally_oom();
    return p;
}

void *
tally_try_malloc(size_t n)
{
    return injected() ? NULL : malloc(n ? n : 1);
}

void *
tally_xmalloc(size_t n)
{
    void *p = injected() ? NULL : malloc(n ? n : 1);
    if (!p)
        tally_oom();
    return p;
}

void *
tally_xcalloc(size_t n, size_t size)
{
    void *p = injected() ? NULL : calloc(n ? n : 1, size ? size : 1);
    if (!p)
        tally_oom();
    return p;
}

void *
tally_xrealloc(void *p, size_t n)
{
    void *q = injected() ? NULL : realloc(p, n ? n : 1);
    if (!q)
        tally_oom();
    return q;
}

void
tally_xgrow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            tally_oom();
        c *= 2;
    }
    if (size && c > SIZE_MAX / size)
        tally_oom();
    *p = tally_xrealloc(*p, c * size);
    *cap = c;
}

char *
tally_xstrdup(const char *s)
{
    return tally_xstrndup(s, strlen(s));
}

char *
tally_xstrndup(const char *s, size_t n)
{
    char *p = tally_xmalloc(n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
