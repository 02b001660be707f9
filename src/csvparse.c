/* CSV stage (TSV is tsvparse.c): consumes blocks of bytes of any size and produces rows.
 * A physical line without a quote is split here with the structural masks
 * of csvscan, its fields borrowed from the block; any record with a quote is
 * fed to libcsv one physical line at a time (LF, CRLF or CR), its fields
 * copied, exactly as written, into one buffer owned by the parser. */
#include "tally/csvparse.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "tally/csvscan.h"
#include "tally/diag.h"
#include "tally/status.h"
#include "tally/xalloc.h"

/* Where the opening quote of the current quoted field is, found by a cheap
 * scan only of the bytes that end a block inside a record, or of a line that
 * ends inside quotes. libcsv has accepted those bytes already, so a quote
 * outside quotes always opens a field. Needed only to place the "unterminated
 * quoted field" error. */
struct quote_scan {
    bool inq;  /* inside a quoted field */
    bool pend; /* inside quotes, last byte was a quote: closing or the first of "" */
    uint64_t open_line;
    uint64_t open_col;
};

struct tally_csvparse {
    struct csv_parser csv;
    struct tally_csv_opts opts;
    const char *file;

    uint64_t line;   /* current physical line, 1-based */
    uint64_t col;    /* bytes of the current line fed so far */
    bool pending_cr; /* the last block ended in CR: a leading LF belongs to it */
    bool skipping;   /* rest of the physical line is dropped after a malformed row */

    bool in_record;     /* libcsv holds part of a record */
    uint64_t rec_line;  /* line where that record starts */
    uint64_t rec_bytes; /* raw bytes of that record so far */
    struct quote_scan qs;

    uint32_t expect; /* expected field count, 0: any */

    char *bytes; /* field bytes of the current row */
    size_t nbytes, bytes_cap;
    size_t *offs; /* per field: offset and length in bytes */
    size_t *lens;
    struct tally_slice *slices;
    size_t fields_cap;
    uint32_t nfields;

    /* Set for the duration of one feed/finish call, for the callbacks. */
    tally_row_fn fn;
    void *ctx;
    struct tally_diag *d;
    int cb_status;

    struct tally_skipstat skip;

    /* The fast path, for lines without a quote. */
    bool fast;
    enum tally_simd simd;
    struct tally_slice *fs; /* fields of the current quote-free line */
    size_t fs_cap;
    char *carry; /* a quote-free line begun at the end of the last block */
    size_t carry_len, carry_cap;
    /* Masks of 64-byte words win_w0.. of the block win_buf. Valid within
     * one feed call: the reader may refill the same buffer. */
    const char *win_buf;
    size_t win_w0, win_nw;
    struct tally_csvscan_masks win[64];
};

static int
keep_spaces(unsigned char c)
{
    (void)c;
    return 0;
}

/* Back to "no row begun", dropping whatever libcsv holds. csv_fini with
 * CSV_STRICT_FINI returns early on an open quote without resetting, so the
 * option is cleared for this call. */
static void
reset_libcsv(struct tally_csvparse *p)
{
    int opts = csv_get_opts(&p->csv);
    csv_set_opts(&p->csv, (unsigned char)(opts & ~CSV_STRICT_FINI));
    csv_fini(&p->csv, NULL, NULL, NULL);
    csv_set_opts(&p->csv, (unsigned char)opts);
}

static void
drop_record(struct tally_csvparse *p)
{
    p->in_record = false;
    p->rec_bytes = 0;
    p->nfields = 0;
    p->nbytes = 0;
}

/* A malformed row: an error in strict mode, else counted and skipped. */
static int
malformed(struct tally_csvparse *p, uint64_t line, uint64_t col, const char *why)
{
    if (p->opts.strict) {
        struct tally_loc loc = {p->file, line, col};
        return tally_diag_fail(p->d, &loc, "%s", why);
    }
    tally_skipstat_add(&p->skip, p->file, line, col, why);
    return TALLY_OK;
}

static void
on_field(void *s, size_t len, void *data)
{
    struct tally_csvparse *p = data;
    if (p->cb_status != TALLY_OK)
        return;
    if (p->nfields >= p->opts.max_fields) {
        struct tally_loc loc = {p->file, p->rec_line, 0};
        p->cb_status = tally_diag_fail(p->d, &loc, "record has more than %" PRIu32 " fields",
                                       p->opts.max_fields);
        return;
    }
    if (p->nfields == p->fields_cap) {
        size_t cap = p->fields_cap;
        tally_xgrow((void **)&p->offs, &cap, p->nfields + 1u, sizeof *p->offs);
        cap = p->fields_cap;
        tally_xgrow((void **)&p->lens, &cap, p->nfields + 1u, sizeof *p->lens);
        cap = p->fields_cap;
        tally_xgrow((void **)&p->slices, &cap, p->nfields + 1u, sizeof *p->slices);
        p->fields_cap = cap;
    }
    tally_xgrow((void **)&p->bytes, &p->bytes_cap, p->nbytes + len, 1);
    if (len)
        memcpy(p->bytes + p->nbytes, s, len);
    p->offs[p->nfields] = p->nbytes;
    p->lens[p->nfields] = len;
    p->nbytes += len;
    p->nfields++;
}

static void
on_row(int c, void *data)
{
    (void)c;
    struct tally_csvparse *p = data;
    uint32_t n = p->nfields;
    uint64_t line = p->rec_line;
    p->in_record = false;
    p->rec_bytes = 0;
    if (p->cb_status == TALLY_OK) {
        if (p->expect && n != p->expect) {
            char why[64];
            snprintf(why, sizeof why, "expected %" PRIu32 " fields, got %" PRIu32, p->expect, n);
            p->cb_status = malformed(p, line, 0, why);
        } else {
            for (uint32_t i = 0; i < n; i++) {
                p->slices[i].ptr = p->bytes + p->offs[i];
                p->slices[i].len = p->lens[i];
            }
            struct tally_row row = {p->slices, n, p->file, line};
            p->cb_status = p->fn(p->ctx, &row, p->d);
        }
    }
    p->nfields = 0;
    p->nbytes = 0;
}

static void
scan_quotes(struct quote_scan *q, const char *s, size_t n, uint64_t line, uint64_t col0)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (q->pend) {
            q->pend = false;
            if (c == '"')
                continue; /* "" inside quotes */
            q->inq = false;
        }
        if (q->inq) {
            if (c == '"')
                q->pend = true;
        } else if (c == '"') {
            q->inq = true;
            q->open_line = line;
            q->open_col = col0 + i + 1;
        }
    }
}

static int
record_too_long(struct tally_csvparse *p)
{
    struct tally_loc loc = {p->file, p->rec_line, 0};
    return tally_diag_fail(p->d, &loc, "record longer than %" PRIu64 " bytes", p->opts.max_record);
}

/* Runs libcsv over bytes of one physical line: s[0, clen) is content and
 * s[clen, clen + tlen) its line end (tlen 0: the line goes on in the next
 * block). */
static int
feed_line(struct tally_csvparse *p, const char *s, size_t clen, size_t tlen)
{
    if (p->skipping) {
        if (tlen)
            p->skipping = false;
        return TALLY_OK;
    }
    if (clen) {
        if (!p->in_record) {
            p->in_record = true;
            p->rec_line = p->line;
            p->rec_bytes = 0;
            p->qs = (struct quote_scan){0};
        }
        if (clen > p->opts.max_record - p->rec_bytes) {
            /* Parse the bytes within the limit first, so that a fault among
             * them is the error reported, as when the line comes in pieces. */
            size_t room = (size_t)(p->opts.max_record - p->rec_bytes);
            int rc = room ? feed_line(p, s, room, 0) : TALLY_OK;
            if (rc != TALLY_OK)
                return rc;
            if (p->skipping) {
                p->skipping = tlen == 0;
                return TALLY_OK;
            }
            return record_too_long(p);
        }
        p->rec_bytes += clen;
    } else if (!p->in_record) {
        return TALLY_OK; /* blank line */
    }

    size_t len = clen + tlen;
    /* libcsv grows its field buffer by a fixed block: make that block large
     * enough for this call and at least the current size (doubling). */
    size_t blk = csv_get_buffer_size(&p->csv);
    if (blk < len)
        blk = len;
    if (blk < 128)
        blk = 128;
    csv_set_blk_size(&p->csv, blk);

    size_t done = csv_parse(&p->csv, s, len, on_field, on_row, p);
    if (p->cb_status != TALLY_OK)
        return p->cb_status;
    if (done < len) {
        int err = csv_error(&p->csv);
        if (err != CSV_EPARSE) {
            struct tally_loc loc = {p->file, p->line, 0};
            return tally_diag_fail(p->d, &loc, "%s", csv_strerror(err));
        }
        /* In strict mode libcsv stops at the offending byte: a quote inside
         * an unquoted field, or anything but a delimiter or line end after a
         * closing quote (no byte counts as a space here). */
        const char *why = s[done] == '"' ? "unexpected quote inside an unquoted field"
                                         : "unexpected text after a closing quote";
        int rc = malformed(p, p->line, p->col + done + 1, why);
        reset_libcsv(p);
        drop_record(p);
        p->skipping = tlen == 0;
        return rc;
    }
    if (!p->in_record)
        return TALLY_OK;
    if (tlen) {
        /* The line ended inside quotes: the record goes on. */
        scan_quotes(&p->qs, s, clen, p->line, p->col);
        p->qs.pend = false;
        if (tlen > p->opts.max_record - p->rec_bytes)
            return record_too_long(p);
        p->rec_bytes += tlen;
    } else {
        scan_quotes(&p->qs, s, clen, p->line, p->col);
    }
    return TALLY_OK;
}

/* The fast path. At a line start with nothing held by libcsv, a physical
 * line without a quote is a record whose fields are the bytes between
 * delimiters: exactly what libcsv would make of it, without the copy. */

static inline uint64_t
bits_below(size_t n)
{
    return n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1);
}

/* Field nf of the current quote-free line. Past max_fields only counted:
 * the error waits for the line end, where the length check comes first as
 * it does on the libcsv path. */
static inline void
push_field(struct tally_csvparse *p, uint32_t nf, const char *ptr, size_t len)
{
    if (nf >= p->opts.max_fields)
        return;
    if (nf == p->fs_cap)
        tally_xgrow((void **)&p->fs, &p->fs_cap, (size_t)nf + 1u, sizeof *p->fs);
    p->fs[nf].ptr = ptr;
    p->fs[nf].len = len;
}

/* Hands on the quote-free line of clen bytes (not blank) at p->line whose
 * fields are p->fs[0, nf). */
static int
emit_plain(struct tally_csvparse *p, size_t clen, uint64_t nf)
{
    if (clen > p->opts.max_record) {
        p->rec_line = p->line;
        /* As on the libcsv path, a field past max_fields that ends within
         * the first max_record bytes is the error reported: it completes at
         * delimiter number max_fields + 1. */
        uint64_t ndelim = 0;
        const char *q = p->fs[0].ptr, *qend = q + p->opts.max_record;
        while (ndelim <= p->opts.max_fields &&
               (q = memchr(q, (unsigned char)p->opts.delim, (size_t)(qend - q))) != NULL) {
            ndelim++;
            q++;
        }
        if (ndelim <= p->opts.max_fields)
            return record_too_long(p);
        nf = (uint64_t)p->opts.max_fields + 1;
    }
    if (nf > p->opts.max_fields) {
        struct tally_loc loc = {p->file, p->line, 0};
        return tally_diag_fail(p->d, &loc, "record has more than %" PRIu32 " fields",
                               p->opts.max_fields);
    }
    if (p->expect && nf != p->expect) {
        char why[64];
        snprintf(why, sizeof why, "expected %" PRIu32 " fields, got %" PRIu64, p->expect, nf);
        return malformed(p, p->line, 0, why);
    }
    struct tally_row row = {p->fs, (uint32_t)nf, p->file, p->line};
    return p->fn(p->ctx, &row, p->d);
}

/* Splits and hands on a whole quote-free line held in one piece. */
static int
split_plain(struct tally_csvparse *p, const char *s, size_t clen)
{
    uint64_t nf = 0;
    const char *f = s, *end = s + clen;
    for (;;) {
        const char *d = memchr(f, (unsigned char)p->opts.delim, (size_t)(end - f));
        if (!d)
            break;
        if (nf < UINT32_MAX)
            push_field(p, (uint32_t)nf, f, (size_t)(d - f));
        nf++;
        f = d + 1;
    }
    if (nf < UINT32_MAX)
        push_field(p, (uint32_t)nf, f, (size_t)(end - f));
    nf++;
    return emit_plain(p, clen, nf);
}

static const struct tally_csvscan_masks *
window_word(struct tally_csvparse *p, const char *s, size_t n, size_t w)
{
    if (p->win_buf != s || w < p->win_w0 || w >= p->win_w0 + p->win_nw) {
        size_t cap = 64 * (sizeof p->win / sizeof p->win[0]);
        size_t len = n - 64 * w;
        if (len > cap)
            len = cap;
        tally_csvscan_index(p->simd, s + 64 * w, len, p->opts.delim, p->win);
        p->win_buf = s;
        p->win_w0 = w;
        p->win_nw = (len + 63) / 64;
    }
    return &p->win[w - p->win_w0];
}

/* Position of the first CR or LF in s[from, n), or n. */
static size_t
line_end(struct tally_csvparse *p, const char *s, size_t n, size_t from)
{
    for (size_t w = from / 64; 64 * w < n; w++) {
        const struct tally_csvscan_masks *m = window_word(p, s, n, w);
        uint64_t ends = m->cr | m->lf;
        if (from > 64 * w)
            ends &= ~bits_below(from - 64 * w);
        if (ends)
            return 64 * w + (size_t)__builtin_ctzll(ends);
    }
    return n;
}

enum fast_stop {
    FAST_PARTIAL, /* at the end of the block, inside a quote-free line (or at its end) */
    FAST_QUOTE,   /* at the start of a line that holds a quote */
};

/* Hands on every quote-free line of s[*pos, n) from the line start *pos,
 * and leaves *pos at the start of the line it stopped in. */
static int
fast_lines(struct tally_csvparse *p, const char *s, size_t n, size_t *pos, enum fast_stop *stop)
{
    size_t ls = *pos, fstart = ls, from = ls;
    uint32_t nf = 0;
    uint64_t nfields = 0;
    const char delim = p->opts.delim;
    *stop = FAST_PARTIAL;
    for (size_t w = ls / 64; 64 * w < n; w++) {
        const struct tally_csvscan_masks *m = window_word(p, s, n, w);
        size_t base = 64 * w;
        uint64_t live = from > base ? ~bits_below(from - base) : ~(uint64_t)0;
        uint64_t seps = (m->delim | m->cr | m->lf) & live;
        uint64_t quote = m->quote & live;
        if (quote)
            seps &= bits_below((size_t)__builtin_ctzll(quote));
        while (seps) {
            size_t j = base + (size_t)__builtin_ctzll(seps);
            seps &= seps - 1;
            if (j < from)
                continue; /* the LF of a CRLF */
            char c = s[j];
            if (c == delim) {
                if (nf < UINT32_MAX) {
                    push_field(p, nf, s + fstart, j - fstart);
                    nf++;
                }
                nfields++;
                fstart = j + 1;
                continue;
            }
            size_t t = 1;
            if (c == '\r') {
                if (j + 1 < n) {
                    if (s[j + 1] == '\n')
                        t = 2;
                } else {
                    p->pending_cr = true;
                }
            }
            int rc = TALLY_OK;
            if (j > ls) {
                if (nf < UINT32_MAX)
                    push_field(p, nf, s + fstart, j - fstart);
                rc = emit_plain(p, j - ls, nfields + 1);
            }
            p->line++;
            if (rc != TALLY_OK)
                return rc;
            ls = fstart = from = j + t;
            nf = 0;
            nfields = 0;
        }
        if (quote) {
            *stop = FAST_QUOTE;
            break;
        }
    }
    *pos = ls;
    return TALLY_OK;
}

/* Keeps the quote-free start of a line for the next block. */
static int
carry_append(struct tally_csvparse *p, const char *s, size_t n)
{
    p->rec_line = p->line;
    bool over = n > p->opts.max_record - p->carry_len;
    tally_xgrow((void **)&p->carry, &p->carry_cap, p->carry_len + n, 1);
    if (over) {
        /* Past the limit: let the libcsv path judge the bytes within it
         * first (too many fields there is the error), as when the line
         * comes whole. The carried bytes hold no quote, so it fails. */
        if (n)
            memcpy(p->carry + p->carry_len, s, n);
        size_t all = p->carry_len + n;
        p->carry_len = 0;
        return feed_line(p, p->carry, all, 0);
    }
    if (n)
        memcpy(p->carry + p->carry_len, s, n);
    p->carry_len += n;
    return TALLY_OK;
}

/* A block after a carried line start: completes the line when it ends
 * without a quote; else gives libcsv what was carried, as the libcsv path
 * would have had it. Sets *i past the bytes used. */
static int
continue_carry(struct tally_csvparse *p, const char *buf, size_t len, size_t *i)
{
    size_t e = *i;
    while (e < len && buf[e] != '\n' && buf[e] != '\r' && buf[e] != '"')
        e++;
    if (e < len && buf[e] == '"') {
        size_t n = p->carry_len;
        p->carry_len = 0;
        int rc = feed_line(p, p->carry, n, 0);
        p->col += n;
        return rc;
    }
    int rc = carry_append(p, buf + *i, e - *i);
    if (rc != TALLY_OK || e == len) {
        *i = len;
        return rc;
    }
    size_t t = 1;
    if (buf[e] == '\r') {
        if (e + 1 < len) {
            if (buf[e + 1] == '\n')
                t = 2;
        } else {
            p->pending_cr = true;
        }
    }
    *i = e + t;
    size_t n = p->carry_len;
    p->carry_len = 0;
    rc = split_plain(p, p->carry, n);
    p->line++;
    return rc;
}

int
tally_csvparse_new(struct tally_csvparse **out, const struct tally_csv_opts *o)
{
    *out = NULL;
    if (o->delim == '"' || o->delim == '\r' || o->delim == '\n')
        return TALLY_EUSAGE;
    struct tally_csvparse *p = tally_xcalloc(1, sizeof *p);
    p->opts = *o;
    if (!p->opts.max_fields)
        p->opts.max_fields = TALLY_MAX_FIELDS_DEFAULT;
    if (!p->opts.max_record)
        p->opts.max_record = TALLY_MAX_RECORD_DEFAULT;
    if (csv_init(&p->csv, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        free(p);
        return TALLY_EDATA;
    }
    csv_set_delim(&p->csv, (unsigned char)o->delim);
    csv_set_quote(&p->csv, '"');
    csv_set_space_func(&p->csv, keep_spaces);
    csv_set_realloc_func(&p->csv, tally_xrealloc);
    csv_set_free_func(&p->csv, free);
    p->bytes_cap = 4096;
    p->bytes = tally_xmalloc(p->bytes_cap);
    p->fields_cap = 64;
    p->offs = tally_xmalloc(p->fields_cap * sizeof *p->offs);
    p->lens = tally_xmalloc(p->fields_cap * sizeof *p->lens);
    p->slices = tally_xmalloc(p->fields_cap * sizeof *p->slices);
    const char *env = getenv("TALLY_FASTPATH");
    p->fast = !(env && strcmp(env, "0") == 0);
    p->simd = tally_csvscan_choose();
    p->fs_cap = 64;
    p->fs = tally_xmalloc(p->fs_cap * sizeof *p->fs);
    tally_csvparse_reset(p, "<stdin>");
    *out = p;
    return TALLY_OK;
}

void
tally_csvparse_free(struct tally_csvparse *p)
{
    if (!p)
        return;
    csv_free(&p->csv);
    free(p->bytes);
    free(p->offs);
    free(p->lens);
    free(p->slices);
    free(p->fs);
    free(p->carry);
    free(p);
}

void
tally_csvparse_reset(struct tally_csvparse *p, const char *file)
{
    tally_csvparse_reset_at(p, file, 1);
}

void
tally_csvparse_reset_at(struct tally_csvparse *p, const char *file, uint64_t first_line)
{
    reset_libcsv(p);
    drop_record(p);
    p->file = file;
    p->line = first_line ? first_line : 1;
    p->col = 0;
    p->pending_cr = false;
    p->skipping = false;
    p->qs = (struct quote_scan){0};
    p->expect = 0;
    p->carry_len = 0;
    p->win_buf = NULL;
}

void
tally_csvparse_set_fastpath(struct tally_csvparse *p, bool on)
{
    p->fast = on;
}

void
tally_csvparse_expect_fields(struct tally_csvparse *p, uint32_t n)
{
    p->expect = n;
}

static void
begin_call(struct tally_csvparse *p, tally_row_fn fn, void *ctx, struct tally_diag *d)
{
    p->fn = fn;
    p->ctx = ctx;
    p->d = d;
    p->cb_status = TALLY_OK;
}

int
tally_csvparse_feed(struct tally_csvparse *p, const char *buf, size_t len, tally_row_fn fn,
                    void *ctx, struct tally_diag *d)
{
    begin_call(p, fn, ctx, d);
    size_t i = 0;
    if (len && p->pending_cr) {
        p->pending_cr = false;
        if (buf[0] == '\n') {
            i = 1;
            /* Inside quotes the LF is field content; otherwise libcsv would
             * ignore it anyway. */
            if (!p->skipping && p->in_record) {
                int rc = feed_line(p, buf, 0, 1);
                if (rc != TALLY_OK)
                    return rc;
            }
        }
    }
    p->win_buf = NULL;
    if (p->carry_len && i < len) {
        int rc = continue_carry(p, buf, len, &i);
        if (rc != TALLY_OK)
            return rc;
    }
    while (i < len) {
        if (p->fast && !p->in_record && !p->skipping) {
            enum fast_stop stop;
            int rc = fast_lines(p, buf, len, &i, &stop);
            if (rc != TALLY_OK)
                return rc;
            if (stop == FAST_PARTIAL)
                return i < len ? carry_append(p, buf + i, len - i) : TALLY_OK;
        }
        const char *s = buf + i;
        size_t n = len - i, c = 0;
        if (p->fast) {
            c = line_end(p, buf, len, i) - i;
        } else {
            while (c < n && s[c] != '\n' && s[c] != '\r')
                c++;
        }
        if (c == n) {
            int rc = feed_line(p, s, c, 0);
            p->col += c;
            return rc;
        }
        size_t t = 1;
        if (s[c] == '\r') {
            if (c + 1 < n) {
                if (s[c + 1] == '\n')
                    t = 2;
            } else {
                p->pending_cr = true;
            }
        }
        int rc = feed_line(p, s, c, t);
        p->line++;
        p->col = 0;
        if (rc != TALLY_OK)
            return rc;
        i += c + t;
    }
    return TALLY_OK;
}

int
tally_csvparse_finish(struct tally_csvparse *p, tally_row_fn fn, void *ctx, struct tally_diag *d)
{
    begin_call(p, fn, ctx, d);
    int rc = TALLY_OK;
    p->pending_cr = false;
    p->skipping = false;
    if (p->carry_len) {
        size_t n = p->carry_len;
        p->carry_len = 0;
        rc = split_plain(p, p->carry, n);
    }
    if (p->in_record) {
        if (csv_fini(&p->csv, on_field, on_row, p) != 0) {
            if (csv_error(&p->csv) == CSV_EPARSE)
                rc = malformed(p, p->qs.open_line ? p->qs.open_line : p->rec_line, p->qs.open_col,
                               "unterminated quoted field at end of file");
            else
                rc = tally_diag_fail(d, NULL, "%s", csv_strerror(csv_error(&p->csv)));
        } else {
            rc = p->cb_status;
        }
    }
    reset_libcsv(p);
    drop_record(p);
    return rc;
}

const struct tally_skipstat *
tally_csvparse_skipped(const struct tally_csvparse *p)
{
    return &p->skip;
}

uint64_t
tally_csvparse_lines(const struct tally_csvparse *p)
{
    return p->line - 1;
}
