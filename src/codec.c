/* The primitives of state text (codec.h): canonical writers, and strict
 * readers that accept exactly what the writers produce. */
#include "tally/codec.h"

#include <string.h>

static const char hexdig[] = "0123456789abcdef";
static const char hexup[] = "0123456789ABCDEF";

void
tally_enc_u64(struct tally_buf *b, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[sizeof tmp - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    tally_buf_put(b, tmp + sizeof tmp - n, n);
}

void
tally_enc_i64(struct tally_buf *b, int64_t v)
{
    if (v < 0) {
        tally_buf_putc(b, '-');
        tally_enc_u64(b, 0 - (uint64_t)v);
    } else {
        tally_enc_u64(b, (uint64_t)v);
    }
}

void
tally_enc_double(struct tally_buf *b, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    char tmp[16];
    for (int i = 15; i >= 0; i--, bits >>= 4)
        tmp[i] = hexdig[bits & 15];
    tally_buf_put(b, tmp, sizeof tmp);
}

static bool
needs_escape(unsigned char c)
{
    return c < 0x21 || c > 0x7e || c == '%' || c == TALLY_CODEC_SEP || c == TALLY_CODEC_END;
}

void
tally_enc_bytes(struct tally_buf *b, const char *p, size_t n)
{
    size_t run = 0; /* bytes passed through, not yet appended */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!needs_escape(c)) {
            run++;
            continue;
        }
        tally_buf_put(b, p + i - run, run);
        run = 0;
        char esc[3] = {'%', hexup[c >> 4], hexup[c & 15]};
        tally_buf_put(b, esc, 3);
    }
    tally_buf_put(b, p + n - run, run);
}

void
tally_enc_sep(struct tally_buf *b)
{
    tally_buf_putc(b, TALLY_CODEC_SEP);
}

void
tally_enc_end(struct tally_buf *b)
{
    tally_buf_putc(b, TALLY_CODEC_END);
}

uint64_t
tally_codec_add_pos(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* ---- reading */

void
tally_dec_init(struct tally_dec *d, const char *text, size_t len)
{
    d->p = text;
    d->end = text + len;
}

size_t
tally_dec_left(const struct tally_dec *d)
{
    return (size_t)(d->end - d->p);
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool
tally_dec_u64(struct tally_dec *d, uint64_t *v)
{
    const char *p = d->p;
    if (p == d->end || !is_digit(*p))
        return false;
    uint64_t x = 0;
    if (*p == '0') {
        p++;
    } else {
        for (; p < d->end && is_digit(*p); p++) {
            unsigned dig = (unsigned)(*p - '0');
            if (x > (UINT64_MAX - dig) / 10)
                return false;
            x = x * 10 + dig;
        }
    }
    if (p < d->end && is_digit(*p)) /* a leading zero */
        return false;
    d->p = p;
    *v = x;
    return true;
}

bool
tally_dec_u64_max(struct tally_dec *d, uint64_t max, uint64_t *v)
{
    return tally_dec_u64(d, v) && *v <= max;
}

bool
tally_dec_i64(struct tally_dec *d, int64_t *v)
{
    bool neg = d->p < d->end && *d->p == '-';
    if (neg)
        d->p++;
    uint64_t m;
    if (!tally_dec_u64(d, &m))
        return false;
    if (neg ? m == 0 || m > (uint64_t)INT64_MAX + 1 : m > (uint64_t)INT64_MAX)
        return false;
    *v = neg ? (int64_t)(0 - m) : (int64_t)m;
    return true;
}

static int
hex_value(char c, const char *digits)
{
    const char *q = c ? memchr(digits, c, 16) : NULL;
    return q ? (int)(q - digits) : -1;
}

bool
tally_dec_double(struct tally_dec *d, double *v)
{
    if (tally_dec_left(d) < 16)
        return false;
    uint64_t bits = 0;
    for (int i = 0; i < 16; i++) {
        int h = hex_value(d->p[i], hexdig);
        if (h < 0)
            return false;
        bits = bits << 4 | (uint64_t)h;
    }
    d->p += 16;
    memcpy(v, &bits, sizeof bits);
    return true;
}

bool
tally_dec_bytes(struct tally_dec *d, struct tally_buf *out)
{
    tally_buf_put(out, "", 0); /* NUL-terminated even when empty */
    const char *p = d->p;
    while (p < d->end && *p != TALLY_CODEC_SEP && *p != TALLY_CODEC_END) {
        unsigned char c = (unsigned char)*p;
        if (c == '%') {
            if (d->end - p < 3)
                return false;
            int hi = hex_value(p[1], hexup), lo = hex_value(p[2], hexup);
            if (hi < 0 || lo < 0 || !needs_escape((unsigned char)(hi << 4 | lo)))
                return false;
            tally_buf_putc(out, (char)(hi << 4 | lo));
            p += 3;
            continue;
        }
        if (needs_escape(c))
            return false;
        const char *q = p;
        while (q < d->end && !needs_escape((unsigned char)*q))
            q++;
        tally_buf_put(out, p, (size_t)(q - p));
        p = q;
    }
    d->p = p;
    return true;
}

bool
tally_dec_count(struct tally_dec *d, size_t min_each, size_t *n)
{
    uint64_t v;
    if (!tally_dec_u64(d, &v))
        return false;
    if (min_each == 0)
        min_each = 1;
    if (v > tally_dec_left(d) / min_each)
        return false;
    *n = (size_t)v;
    return true;
}

bool
tally_dec_sep(struct tally_dec *d)
{
    if (d->p == d->end || *d->p != TALLY_CODEC_SEP)
        return false;
    d->p++;
    return true;
}

bool
tally_dec_end(struct tally_dec *d)
{
    if (tally_dec_left(d) != 1 || *d->p != TALLY_CODEC_END)
        return false;
    d->p++;
    return true;
}
