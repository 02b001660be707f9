/* Record-start finder for threads. CSV records end at line ends outside
 * quotes; it mirrors the parser's reading of quotes (a quote opens a field
 * only at its start; "" inside quotes is a quote; anything but a delimiter or
 * a line end after a closing quote, or a quote inside an unquoted field, is
 * broken quoting, after which the parser starts again at the next physical
 * line). Between quotes it jumps with memchr, so the pass costs little more
 * than reading the file. */
#include "tally/chunk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tally/status.h"
#include "tally/xalloc.h"

#define CHUNK_READ (4u << 20)

enum state { OUT, QUOTED, AFTER_QUOTE, SKIPLINE };

struct finder {
    const uint64_t *targets;
    uint32_t ntargets, next;
    uint64_t *starts;
    uint32_t nstarts;
    bool pending_cr; /* the last byte seen outside quotes was a CR at a target search */
    bool lf_only;    /* log lines: only LF ends a line (a CR is part of it) */
    uint32_t *hit;   /* per target: the index in starts of its start (NULL: not wanted) */
    uint64_t *lines; /* per start: physical lines from the scan's start (NULL: not counted) */
};

/* Physical lines counted up to pos, as the parsers count them: LF ends a
 * line; for CSV a CR does too, with a LF right after it (CRLF) one end. */
struct lcount {
    uint64_t pos, lines;
    bool prev_cr; /* the byte before pos is a CR */
};

static bool
is_eol(unsigned char c)
{
    return c == '\n' || c == '\r';
}

/* The first line end in b[from, to), or to. */
static size_t
find_eol(const unsigned char *b, size_t from, size_t to)
{
    const unsigned char *lf = memchr(b + from, '\n', to - from);
    size_t end = lf ? (size_t)(lf - b) : to;
    const unsigned char *cr = memchr(b + from, '\r', end - from);
    return cr ? (size_t)(cr - b) : end;
}

/* The first LF in b[from, to), or to. */
static size_t
find_lf(const unsigned char *b, size_t from, size_t to)
{
    const unsigned char *lf = memchr(b + from, '\n', to - from);
    return lf ? (size_t)(lf - b) : to;
}

static void
add_start(struct finder *f, uint64_t at)
{
    if (f->nstarts == 0 || f->starts[f->nstarts - 1] < at)
        f->starts[f->nstarts++] = at;
    /* A target t asks for the first record start after t. */
    while (f->next < f->ntargets && f->targets[f->next] < at) {
        if (f->hit)
            f->hit[f->next] = f->nstarts - 1;
        f->next++;
    }
}

/* Counts the line ends of b[c->pos - base, to - base) into c. */
static void
count_lines(struct lcount *c, const unsigned char *b, uint64_t base, uint64_t to, bool lf_only)
{
    size_t i = (size_t)(c->pos - base), n = (size_t)(to - base);
    if (i >= n)
        return;
    for (size_t j = i; j < n;) {
        const unsigned char *lf = memchr(b + j, '\n', n - j);
        if (!lf)
            break;
        size_t at = (size_t)(lf - b);
        bool after_cr = at > i ? b[at - 1] == '\r' : c->prev_cr;
        c->lines += lf_only || !after_cr;
        j = at + 1;
    }
    for (size_t j = i; !lf_only && j < n;) {
        const unsigned char *cr = memchr(b + j, '\r', n - j);
        if (!cr)
            break;
        c->lines++;
        j = (size_t)(cr - b) + 1;
    }
    c->prev_cr = b[n - 1] == '\r';
    c->pos = to;
}

/* b[from, to) lies outside quotes: every line end there ends a record. */
static void
scan_out(struct finder *f, const unsigned char *b, size_t len, uint64_t base, size_t from,
         size_t to)
{
    if (f->pending_cr) {
        f->pending_cr = false;
        if (from < to) {
            add_start(f, base + from + (b[from] == '\n' ? 1 : 0));
        }
    }
    while (f->next < f->ntargets) {
        uint64_t t = f->targets[f->next];
        if (t >= base + to)
            return;
        size_t at = t > base + from ? (size_t)(t - base) : from;
        size_t e = f->lf_only ? find_lf(b, at, to) : find_eol(b, at, to);
        if (e == to)
            return;
        if (b[e] == '\r') {
            if (e + 1 < len) {
                add_start(f, base + e + 1 + (b[e + 1] == '\n' ? 1 : 0));
            } else {
                f->pending_cr = true; /* the next block tells whether LF follows */
                return;
            }
        } else {
            add_start(f, base + e + 1);
        }
    }
}

/* The quote state carried from one block to the next. */
struct quotes {
    enum state st;
    bool field_start;
    unsigned char delim;
};

/* One step of the quote machine over b[i, len): returns where it stopped. */
static size_t
quote_step(struct finder *f, struct quotes *q, const unsigned char *b, size_t len, uint64_t base,
           size_t i)
{
    switch (q->st) {
    case OUT: {
        const unsigned char *qp = memchr(b + i, '"', len - i);
        size_t qi = qp ? (size_t)(qp - b) : len;
        scan_out(f, b, len, base, i, qi);
        if (qi > i)
            q->field_start = b[qi - 1] == q->delim || is_eol(b[qi - 1]);
        if (qi == len)
            return len;
        q->st = q->field_start ? QUOTED : SKIPLINE;
        return qi + 1;
    }
    case QUOTED: {
        const unsigned char *qp = memchr(b + i, '"', len - i);
        if (!qp)
            return len;
        q->st = AFTER_QUOTE;
        return (size_t)(qp - b) + 1;
    }
    case AFTER_QUOTE:
        if (b[i] == '"') {
            q->st = QUOTED;
            return i + 1;
        }
        if (b[i] == q->delim || is_eol(b[i])) {
            q->st = OUT;
            q->field_start = true;
            return b[i] == q->delim ? i + 1 : i;
        }
        q->st = SKIPLINE;
        return i;
    case SKIPLINE: {
        size_t e = find_eol(b, i, len);
        if (e < len) {
            q->st = OUT;
            q->field_start = true;
        }
        return e;
    }
    }
    return len;
}

/* Reads the file from `from` (a record start) to `to`, block by block,
 * until every target has its record start. */
static int
scan_file(struct finder *f, int fd, const char *path, uint64_t from, uint64_t to, bool lines,
          char delim, struct tally_diag *d)
{
    unsigned char *b = tally_xmalloc(CHUNK_READ);
    uint64_t base = from;
    struct quotes q = {OUT, true, (unsigned char)delim};
    struct lcount lc = {from, 0, false};
    int rc = TALLY_OK;
    while (f->next < f->ntargets && base < to) {
        uint64_t want = to - base < CHUNK_READ ? to - base : CHUNK_READ;
        ssize_t got = pread(fd, b, (size_t)want, (off_t)base);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = tally_diag_fail(d, NULL, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        size_t len = (size_t)got, i = 0;
        uint32_t had = f->nstarts;
        if (base == 0 && len >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0)
            i = 3;
        if (lines && i < len)
            scan_out(f, b, len, base, i, len);
        while (!lines && i < len && f->next < f->ntargets)
            i = quote_step(f, &q, b, len, base, i);
        for (uint32_t k = had; f->lines && k < f->nstarts; k++) {
            count_lines(&lc, b, base, f->starts[k], f->lf_only);
            f->lines[k] = lc.lines;
        }
        if (f->lines && f->next < f->ntargets)
            count_lines(&lc, b, base, base + len, f->lf_only);
        base += len;
    }
    free(b);
    return rc;
}

static int
open_for_scan(const char *path, int *fd, struct tally_diag *d)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return tally_diag_fail(d, NULL, "cannot open %s: %s", path, strerror(errno));
    return TALLY_OK;
}

int
tally_chunk_split(const char *path, uint64_t size, enum tally_record_end records, char delim,
                  uint32_t n, uint64_t min_size, uint64_t *starts, uint32_t *count,
                  struct tally_diag *d)
{
    struct tally_chunk_file f = {path, size, records, delim};
    return tally_chunk_split_range(&f, 0, size, n, min_size, starts, count, d);
}

int
tally_chunk_split_range(const struct tally_chunk_file *file, uint64_t from, uint64_t to, uint32_t n,
                        uint64_t min_size, uint64_t *starts, uint32_t *count, struct tally_diag *d)
{
    uint64_t size = to - from;
    starts[0] = from;
    *count = 1;
    if (min_size == 0)
        min_size = 1;
    if (n > size / min_size)
        n = (uint32_t)(size / min_size);
    if (n <= 1) {
        starts[1] = to;
        return TALLY_OK;
    }
    bool lines = file->records == TALLY_RECORDS_LINES;
    uint64_t *targets = tally_xmalloc(n * sizeof *targets);
    for (uint32_t i = 1; i < n; i++)
        targets[i - 1] = from + size / n * i;
    struct finder f = {targets, n - 1, 0, starts, 1, false, lines, NULL, NULL};
    int fd;
    int rc = open_for_scan(file->path, &fd, d);
    if (rc == TALLY_OK) {
        rc = scan_file(&f, fd, file->path, from, to, lines, file->delim, d);
        close(fd);
    }
    free(targets);
    if (rc != TALLY_OK)
        return rc;
    if (f.starts[f.nstarts - 1] >= to)
        f.nstarts--;
    f.starts[f.nstarts] = to;
    *count = f.nstarts;
    return TALLY_OK;
}

/* Targets for the finder: the record start after t - 1 is the first one at
 * or after t. Those at or before `from`, or at or past the end, need no scan. */
static bool
needs_scan(const struct tally_chunk_file *file, uint64_t from, uint64_t t)
{
    return t > from && t < file->size;
}

int
tally_chunk_find(const struct tally_chunk_file *file, uint64_t from, uint32_t n,
                 const uint64_t *targets, uint64_t *starts, uint64_t *lines, struct tally_diag *d)
{
    uint64_t *scan = tally_xmalloc(((size_t)n + 1) * sizeof *scan);
    uint64_t *found = tally_xmalloc(((size_t)n + 2) * sizeof *found);
    uint64_t *flines = tally_xmalloc(((size_t)n + 2) * sizeof *flines);
    uint32_t *hit = tally_xmalloc(((size_t)n + 1) * sizeof *hit);
    uint32_t m = 0;
    for (uint32_t j = 0; j < n; j++)
        if (needs_scan(file, from, targets[j]))
            scan[m++] = targets[j] - 1;
    bool lf = file->records == TALLY_RECORDS_LINES;
    found[0] = from;
    flines[0] = 0;
    struct finder f = {scan, m, 0, found, 1, false, lf, hit, flines};
    int rc = TALLY_OK;
    if (m) {
        int fd;
        rc = open_for_scan(file->path, &fd, d);
        if (rc == TALLY_OK) {
            rc = scan_file(&f, fd, file->path, from, file->size, lf, file->delim, d);
            close(fd);
        }
    }
    for (uint32_t j = 0, k = 0; j < n; j++) {
        bool scanned = needs_scan(file, from, targets[j]);
        uint32_t at = scanned ? k++ : 0;
        if (!scanned || at >= f.next) {
            starts[j] = targets[j] > from ? file->size : from;
            lines[j] = 0;
        } else {
            starts[j] = found[hit[at]];
            lines[j] = flines[hit[at]];
        }
    }
    free(scan);
    free(found);
    free(flines);
    free(hit);
    return rc;
}

/* Looks in b[0, len) for the start of the line after `want` line ends;
 * *ended counts them so far, *cr says the last byte seen was a CR (counted,
 * its LF may follow). Returns the start's index (up to len), or SIZE_MAX. */
static size_t
line_scan(const unsigned char *b, size_t len, bool lf_only, uint64_t want, uint64_t *ended,
          bool *cr)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = b[i];
        if (*cr) {
            *cr = false;
            if (c == '\n') {
                if (*ended == want)
                    return i + 1;
                continue;
            }
            if (*ended == want)
                return i;
        }
        if (c == '\n') {
            if (++*ended == want)
                return i + 1;
        } else if (c == '\r' && !lf_only) {
            ++*ended;
            *cr = true;
        }
    }
    return SIZE_MAX;
}

int
tally_chunk_line_start(const struct tally_chunk_file *file, uint64_t line, uint64_t *off,
                       struct tally_diag *d)
{
    *off = 0;
    if (line <= 1)
        return TALLY_OK;
    int fd;
    int rc = open_for_scan(file->path, &fd, d);
    if (rc != TALLY_OK)
        return rc;
    bool lf_only = file->records == TALLY_RECORDS_LINES, cr = false;
    unsigned char *b = tally_xmalloc(CHUNK_READ);
    uint64_t ended = 0, want = line - 1, base = 0;
    *off = file->size;
    while (base < file->size) {
        ssize_t got = pread(fd, b, CHUNK_READ, (off_t)base);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got < 0)
                rc = tally_diag_fail(d, NULL, "cannot read %s: %s", file->path, strerror(errno));
            break;
        }
        size_t i = line_scan(b, (size_t)got, lf_only, want, &ended, &cr);
        if (i != SIZE_MAX) {
            *off = base + i;
            break;
        }
        base += (uint64_t)got;
    }
    free(b);
    close(fd);
    return rc;
}
