/* TSV stage: consumes blocks of bytes of any size and produces rows. A
 * plain line splitter: memchr finds each LF, then each delimiter; fields are
 * borrowed from the block, from a carry buffer for a line that straddles two
 * blocks, or, when they hold a backslash, from a buffer of decoded bytes. */
#include "tally/tsvparse.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally/csvparse.h"
#include "tally/status.h"
#include "tally/xalloc.h"

struct tally_tsvparse {
    struct tally_tsv_opts opts;
    const char *file;
    uint64_t line;   /* current physical line, 1-based */
    uint32_t expect; /* expected field count, 0: any */

    char *carry; /* the start of a line begun at the end of the last block */
    size_t carry_len, carry_cap;
    char *dec; /* decoded bytes of the current line's escaped fields */
    size_t dec_cap;
    struct tally_slice *fs; /* fields of the current line */
    size_t fs_cap;

    struct tally_skipstat skip;
};

int
tally_tsvparse_new(struct tally_tsvparse **out, const struct tally_tsv_opts *o)
{
    *out = NULL;
    if (o->delim == '\n')
        return TALLY_EUSAGE;
    struct tally_tsvparse *p = tally_xcalloc(1, sizeof *p);
    p->opts = *o;
    if (!p->opts.max_fields)
        p->opts.max_fields = TALLY_MAX_FIELDS_DEFAULT;
    if (!p->opts.max_record)
        p->opts.max_record = TALLY_MAX_RECORD_DEFAULT;
    p->fs_cap = 64;
    p->fs = tally_xmalloc(p->fs_cap * sizeof *p->fs);
    tally_tsvparse_reset(p, "<stdin>");
    *out = p;
    return TALLY_OK;
}

void
tally_tsvparse_free(struct tally_tsvparse *p)
{
    if (!p)
        return;
    free(p->carry);
    free(p->dec);
    free(p->fs);
    free(p);
}

void
tally_tsvparse_reset(struct tally_tsvparse *p, const char *file)
{
    tally_tsvparse_reset_at(p, file, 1);
}

void
tally_tsvparse_reset_at(struct tally_tsvparse *p, const char *file, uint64_t first_line)
{
    p->file = file;
    p->line = first_line ? first_line : 1;
    p->expect = 0;
    p->carry_len = 0;
}

void
tally_tsvparse_expect_fields(struct tally_tsvparse *p, uint32_t n)
{
    p->expect = n;
}

uint64_t
tally_tsvparse_lines(const struct tally_tsvparse *p)
{
    return p->line - 1;
}

const struct tally_skipstat *
tally_tsvparse_skipped(const struct tally_tsvparse *p)
{
    return &p->skip;
}

static int
too_many_fields(const struct tally_tsvparse *p, struct tally_diag *d)
{
    struct tally_loc loc = {p->file, p->line, 0};
    return tally_diag_fail(d, &loc, "record has more than %" PRIu32 " fields", p->opts.max_fields);
}

/* Delimiters in s[0, n), counting no further than max_fields + 1. */
static uint64_t
count_delims(const struct tally_tsvparse *p, const char *s, size_t n, uint64_t have)
{
    if (!n)
        return have; /* s may be NULL (no carry yet) */
    const char *q = s, *end = s + n;
    while (have <= p->opts.max_fields &&
           (q = memchr(q, (unsigned char)p->opts.delim, (size_t)(end - q))) != NULL) {
        have++;
        q++;
    }
    return have;
}

/* A line longer than max_record whose first max_record bytes are a[0, alen)
 * then b: as in csvparse, a field past max_fields that ends within those
 * bytes is the error reported, else the length. */
static int
too_long(const struct tally_tsvparse *p, const char *a, size_t alen, const char *b,
         struct tally_diag *d)
{
    uint64_t room = p->opts.max_record;
    size_t na = alen < room ? alen : (size_t)room;
    uint64_t nd = count_delims(p, a, na, 0);
    if (room > na)
        nd = count_delims(p, b, (size_t)(room - na), nd);
    if (nd > p->opts.max_fields)
        return too_many_fields(p, d);
    struct tally_loc loc = {p->file, p->line, 0};
    return tally_diag_fail(d, &loc, "record longer than %" PRIu64 " bytes", p->opts.max_record);
}

static int
malformed(struct tally_tsvparse *p, const char *why, struct tally_diag *d)
{
    if (p->opts.strict) {
        struct tally_loc loc = {p->file, p->line, 0};
        return tally_diag_fail(d, &loc, "%s", why);
    }
    tally_skipstat_add(&p->skip, p->file, p->line, 0, why);
    return TALLY_OK;
}

void
tally_tsv_escape(const char *s, size_t n, void (*put)(void *ctx, const char *p, size_t n),
                 void *ctx)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = s[i] == '\\'   ? "\\\\"
                        : s[i] == '\t' ? "\\t"
                        : s[i] == '\n' ? "\\n"
                        : s[i] == '\r' ? "\\r"
                                       : NULL;
        if (!e)
            continue;
        if (i > from)
            put(ctx, s + from, i - from);
        put(ctx, e, 2);
        from = i + 1;
    }
    if (n > from)
        put(ctx, s + from, n - from);
}

/* Writes the field s[0, n) with its escapes decoded to dst; returns the
 * decoded length (at most n). */
static size_t
decode(const char *s, size_t n, char *dst)
{
    size_t o = 0;
    const char *end = s + n;
    while (s < end) {
        const char *b = memchr(s, '\\', (size_t)(end - s));
        size_t run = b ? (size_t)(b - s) : (size_t)(end - s);
        memcpy(dst + o, s, run);
        o += run;
        if (!b)
            break;
        char c = b + 1 < end ? b[1] : '\0';
        char v = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == '\\' ? '\\' : '\0';
        if (v) {
            dst[o++] = v;
            s = b + 2;
        } else {
            dst[o++] = '\\'; /* not an escape: kept as written */
            s = b + 1;
        }
    }
    return o;
}

/* Points the fields that hold a backslash at their decoded bytes. */
static void
decode_fields(struct tally_tsvparse *p, uint32_t nf, size_t linelen)
{
    if (linelen > p->dec_cap)
        tally_xgrow((void **)&p->dec, &p->dec_cap, linelen, 1);
    size_t off = 0;
    for (uint32_t i = 0; i < nf; i++) {
        struct tally_slice *f = &p->fs[i];
        if (!f->len || !memchr(f->ptr, '\\', f->len))
            continue;
        size_t n = decode(f->ptr, f->len, p->dec + off);
        f->ptr = p->dec + off;
        f->len = n;
        off += n;
    }
}

/* Hands on the line s[0, n) at p->line, its line end not included; lf: it
 * ended in LF, so a CR before that is dropped. */
static int
do_line(struct tally_tsvparse *p, const char *s, size_t n, bool lf, tally_row_fn fn, void *ctx,
        struct tally_diag *d)
{
    if (lf && n && s[n - 1] == '\r')
        n--;
    if (n > p->opts.max_record)
        return too_long(p, s, n, NULL, d);
    const char delim = p->opts.delim;
    const char *f = s, *end = s + n;
    uint64_t nf = 0;
    for (;;) {
        const char *dl = n ? memchr(f, (unsigned char)delim, (size_t)(end - f)) : NULL;
        const char *fe = dl ? dl : end;
        if (nf < p->opts.max_fields) {
            if (nf == p->fs_cap)
                tally_xgrow((void **)&p->fs, &p->fs_cap, (size_t)nf + 1u, sizeof *p->fs);
            p->fs[nf].ptr = f;
            p->fs[nf].len = (size_t)(fe - f);
        }
        nf++;
        if (!dl)
            break;
        f = dl + 1;
    }
    if (nf > p->opts.max_fields)
        return too_many_fields(p, d);
    if (p->expect && nf != p->expect) {
        char why[64];
        snprintf(why, sizeof why, "expected %" PRIu32 " fields, got %" PRIu64, p->expect, nf);
        return malformed(p, why, d);
    }
    if (n && memchr(s, '\\', n))
        decode_fields(p, (uint32_t)nf, n);
    struct tally_row row = {p->fs, (uint32_t)nf, p->file, p->line};
    return fn(ctx, &row, d);
}

/* Keeps the start of a line, s[0, n), for the next block. A line may be
 * max_record bytes and a CR; past that it is too long already. */
static int
carry_append(struct tally_tsvparse *p, const char *s, size_t n, struct tally_diag *d)
{
    uint64_t total = (uint64_t)p->carry_len + n;
    if (total - 1 > p->opts.max_record)
        return too_long(p, p->carry, p->carry_len, s, d);
    tally_xgrow((void **)&p->carry, &p->carry_cap, (size_t)total, 1);
    memcpy(p->carry + p->carry_len, s, n);
    p->carry_len = (size_t)total;
    return TALLY_OK;
}

int
tally_tsvparse_feed(struct tally_tsvparse *p, const char *buf, size_t len, tally_row_fn fn,
                    void *ctx, struct tally_diag *d)
{
    size_t i = 0;
    if (p->carry_len && len) {
        const char *lf = memchr(buf, '\n', len);
        size_t take = lf ? (size_t)(lf - buf) : len;
        int rc = take ? carry_append(p, buf, take, d) : TALLY_OK;
        if (rc != TALLY_OK || !lf)
            return rc;
        size_t n = p->carry_len;
        p->carry_len = 0;
        rc = do_line(p, p->carry, n, true, fn, ctx, d);
        p->line++;
        if (rc != TALLY_OK)
            return rc;
        i = take + 1;
    }
    while (i < len) {
        const char *s = buf + i;
        const char *lf = memchr(s, '\n', len - i);
        if (!lf)
            return carry_append(p, s, len - i, d);
        size_t n = (size_t)(lf - s);
        int rc = do_line(p, s, n, true, fn, ctx, d);
        p->line++;
        if (rc != TALLY_OK)
            return rc;
        i += n + 1;
    }
    return TALLY_OK;
}

int
tally_tsvparse_finish(struct tally_tsvparse *p, tally_row_fn fn, void *ctx, struct tally_diag *d)
{
    if (!p->carry_len)
        return TALLY_OK;
    size_t n = p->carry_len;
    p->carry_len = 0;
    return do_line(p, p->carry, n, false, fn, ctx, d);
}
