/* The growable byte buffer (buf.h). */
#include "tally/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally/xalloc.h"

static void
reserve(struct tally_buf *b, size_t n)
{
    if (b->len + n + 1 > b->cap)
        tally_xgrow((void **)&b->p, &b->cap, b->len + n + 1, 1);
}

void
tally_buf_put(struct tally_buf *b, const void *s, size_t n)
{
    reserve(b, n);
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void
tally_buf_putc(struct tally_buf *b, char c)
{
    tally_buf_put(b, &c, 1);
}

void
tally_buf_puts(struct tally_buf *b, const char *s)
{
    tally_buf_put(b, s, strlen(s));
}

void
tally_buf_printf(struct tally_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[128];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        tally_buf_put(b, small, (size_t)n);
        return;
    }
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
tally_buf_reset(struct tally_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void
tally_buf_free(struct tally_buf *b)
{
    free(b->p);
    *b = (struct tally_buf){0};
}
