/* malloc wrappers that end the program with "tally: out of memory" (exit 1)
 * instead of returning NULL, so no caller carries an OOM path. */
#include "tally/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Noreturn void
oom(void)
{
    static const char msg[] = "tally: out of memory\n";
    ssize_t rc = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)rc;
    _exit(1);
}

void *
tally_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *
tally_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *
tally_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom();
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
            oom();
        c *= 2;
    }
    if (size && c > SIZE_MAX / size)
        oom();
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
