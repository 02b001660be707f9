/* A growable byte buffer: what encoders append to (partial states, lines
 * being built). Never fails; out of memory ends in tally_oom(). */
#ifndef TALLY_BUF_H
#define TALLY_BUF_H

#include <stddef.h>
#include <stdint.h>

struct tally_buf {
    char *p; /* NUL-terminated when len > 0 or after any append */
    size_t len, cap;
};

void tally_buf_put(struct tally_buf *b, const void *s, size_t n);
void tally_buf_putc(struct tally_buf *b, char c);
void tally_buf_puts(struct tally_buf *b, const char *s);
/* printf-style append. */
void tally_buf_printf(struct tally_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tally_buf_reset(struct tally_buf *b); /* len = 0, memory kept */
void tally_buf_free(struct tally_buf *b);  /* back to zero */

#endif
