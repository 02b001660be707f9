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
    while (f->next < f->ntargets && f->targets[f->next] <= at)
        f->next++;
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

/* Reads the file block by block until every target has its record start. */
static int
scan_file(struct finder *f, int fd, const char *path, uint64_t size, bool lines, char delim,
          struct tally_diag *d)
{
    unsigned char *b = tally_xmalloc(CHUNK_READ);
    uint64_t base = 0;
    struct quotes q = {OUT, true, (unsigned char)delim};
    int rc = TALLY_OK;
    while (f->next < f->ntargets && base < size) {
        ssize_t got = pread(fd, b, CHUNK_READ, (off_t)base);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = tally_diag_fail(d, NULL, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        size_t len = (size_t)got, i = 0;
        if (base == 0 && len >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0)
            i = 3;
        if (lines && i < len)
            scan_out(f, b, len, base, i, len);
        while (!lines && i < len && f->next < f->ntargets)
            i = quote_step(f, &q, b, len, base, i);
        base += len;
    }
    free(b);
    return rc;
}

int
tally_chunk_split(const char *path, uint64_t size, enum tally_record_end records, char delim,
                  uint32_t n, uint64_t min_size, uint64_t *starts, uint32_t *count,
                  struct tally_diag *d)
{
    starts[0] = 0;
    *count = 1;
    if (min_size == 0)
        min_size = 1;
    if (n > size / min_size)
        n = (uint32_t)(size / min_size);
    if (n <= 1) {
        starts[1] = size;
        return TALLY_OK;
    }
    bool lines = records == TALLY_RECORDS_LINES;
    uint64_t *targets = tally_xmalloc(n * sizeof *targets);
    for (uint32_t i = 1; i < n; i++)
        targets[i - 1] = size / n * i;
    struct finder f = {targets, n - 1, 0, starts, 1, false, lines};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        free(targets);
        return tally_diag_fail(d, NULL, "cannot open %s: %s", path, strerror(errno));
    }
    int rc = scan_file(&f, fd, path, size, lines, delim, d);
    close(fd);
    free(targets);
    if (rc != TALLY_OK)
        return rc;
    if (f.starts[f.nstarts - 1] >= size)
        f.nstarts--;
    f.starts[f.nstarts] = size;
    *count = f.nstarts;
    return TALLY_OK;
}
