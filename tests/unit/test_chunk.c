/* Unit tests for chunk.c, the record-start finder used to cut a file for
 * threads: on random CSV texts (quotes, "" escapes, delimiters and line ends
 * inside quotes, broken quoting) every start is a record start, and parsing
 * the ranges one by one gives exactly the rows of one pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tally/chunk.h"
#include "tally/csvparse.h"
#include "tally/reader.h"
#include "tally/status.h"

#define CHUNK_READ_BYTES (4u << 20) /* chunk.c reads blocks of this size */

struct buf {
    char *p;
    size_t len;
    size_t cap;
};

/* realloc that fails the test instead of returning NULL. */
static void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q)
        fail_msg("out of memory");
    return q;
}

static void
buf_add(struct buf *b, const void *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static uint32_t
rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

static char *
write_temp(const char *data, size_t len)
{
    const char *dir = getenv("TMPDIR");
    char *path = malloc(4096);
    assert_non_null(path);
    snprintf(path, 4096, "%s/tally_chunk_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        assert_true(w > 0);
        done += (size_t)w;
    }
    close(fd);
    return path;
}

static void
remove_temp(char *path)
{
    unlink(path);
    free(path);
}

static const char *
line_end(uint32_t *seed)
{
    static const char *ends[] = {"\n", "\r\n", "\r"};
    return ends[rnd(seed) % 3];
}

/* Random CSV: fields unquoted, quoted with delimiters, "" and line ends
 * inside, and now and then broken quoting (a quote in an unquoted field,
 * text after a closing quote, rarely a quote never closed). */
static void
gen_csv(struct buf *b, uint32_t *seed, char delim, size_t target)
{
    const char d[2] = {delim, 0};
    if (rnd(seed) % 8 == 0)
        buf_str(b, "\xef\xbb\xbf");
    while (b->len < target) {
        if (rnd(seed) % 12 == 0) {
            buf_str(b, line_end(seed)); /* blank line */
            continue;
        }
        uint32_t nf = 1 + rnd(seed) % 4;
        for (uint32_t f = 0; f < nf; f++) {
            if (f)
                buf_str(b, d);
            uint32_t kind = rnd(seed) % 20;
            uint32_t n = rnd(seed) % 5;
            if (kind < 9) {
                for (uint32_t i = 0; i < n; i++)
                    buf_str(b, (const char *[]){"a", "b", " ", "x"}[rnd(seed) % 4]);
            } else if (kind < 16) {
                buf_str(b, "\"");
                for (uint32_t i = 0; i < n; i++) {
                    uint32_t c = rnd(seed) % 7;
                    if (c == 0)
                        buf_str(b, d);
                    else if (c == 1)
                        buf_str(b, "\"\"");
                    else if (c == 2)
                        buf_str(b, line_end(seed));
                    else
                        buf_str(b, (const char *[]){"q", " ", "r", "s"}[c - 3]);
                }
                buf_str(b, "\"");
            } else if (kind == 16) {
                buf_str(b, "a\"b"); /* quote inside an unquoted field */
            } else if (kind == 17) {
                buf_str(b, "\"a\"x"); /* text after a closing quote */
            } else if (kind == 18) {
                buf_str(b, " \"c\""); /* a quote after a space: not a field start */
            } else if (rnd(seed) % 8 == 0) {
                buf_str(b, "\"never closed"); /* the rest of the file is one field */
            } else {
                buf_str(b, "\"\""); /* empty quoted field */
            }
        }
        if (b->len < target || rnd(seed) % 2)
            buf_str(b, line_end(seed));
    }
}

/* Independent reference for where records may start: byte by byte, the
 * parser's rules. ok[i] is true when a record may start at offset i (the
 * start of a physical line where no record is open). */
static bool *
reference_starts(const char *s, size_t len, char delim)
{
    enum { FSTART, UNQ, QUO, AFTERQ, SKIP } st = FSTART;
    bool *ok = calloc(len + 1, 1);
    assert_non_null(ok);
    ok[0] = true;
    size_t i = len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    ok[i] = true;
    while (i < len) {
        char c = s[i];
        bool eol = c == '\n' || c == '\r';
        if (eol && st != QUO) {
            i += c == '\r' && i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
            ok[i] = true;
            st = FSTART;
            continue;
        }
        switch (st) {
        case FSTART:
            st = c == '"' ? QUO : c == delim ? FSTART : UNQ;
            break;
        case UNQ:
            st = c == delim ? FSTART : c == '"' ? SKIP : UNQ;
            break;
        case QUO:
            if (c == '"')
                st = AFTERQ;
            break;
        case AFTERQ:
            st = c == '"' ? QUO : c == delim ? FSTART : SKIP;
            break;
        case SKIP:
            break;
        }
        i++;
    }
    return ok;
}

/* Offset where each physical line starts (LF, CRLF or CR), 1-based lines:
 * starts[line - 1]. */
static size_t
line_starts(const char *s, size_t len, size_t **out)
{
    size_t n = 1, cap = 16;
    size_t *v = malloc(cap * sizeof *v);
    assert_non_null(v);
    v[0] = len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\n' && s[i] != '\r')
            continue;
        if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
            i++;
        if (n == cap) {
            cap *= 2;
            v = xrealloc(v, cap * sizeof *v);
        }
        v[n++] = i + 1;
    }
    *out = v;
    return n;
}

struct rows {
    struct buf text; /* every row: "len:bytes;" per field, then "\n" */
    uint64_t *lines;
    size_t n, cap;
};

static int
collect_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    (void)d;
    struct rows *r = ctx;
    for (uint32_t i = 0; i < row->nfields; i++) {
        char num[32];
        snprintf(num, sizeof num, "%zu:", row->fields[i].len);
        buf_str(&r->text, num);
        buf_add(&r->text, row->fields[i].ptr, row->fields[i].len);
        buf_str(&r->text, ";");
    }
    buf_str(&r->text, "\n");
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->lines = xrealloc(r->lines, r->cap * sizeof *r->lines);
    }
    r->lines[r->n++] = row->line;
    return TALLY_OK;
}

static void
rows_free(struct rows *r)
{
    free(r->text.p);
    free(r->lines);
    memset(r, 0, sizeof *r);
}

/* Parses bytes [off, off + len) of path (the whole file when whole) with a
 * fresh parser, adding the rows to out with their lines moved by line_base.
 * Returns the rows skipped as malformed. */
static uint64_t
parse_part(const char *path, bool whole, uint64_t off, uint64_t len, char delim, uint64_t line_base,
           struct rows *out)
{
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_reader *rd = NULL;
    if (whole)
        assert_int_equal(tally_reader_open(&rd, path, &d), TALLY_OK);
    else
        assert_int_equal(tally_reader_open_range(&rd, path, off, len, &d), TALLY_OK);
    struct tally_csv_opts o = {delim, false, 0, 0};
    struct tally_csvparse *p = NULL;
    assert_int_equal(tally_csvparse_new(&p, &o), TALLY_OK);
    tally_csvparse_reset(p, path);
    size_t first = out->n;
    for (;;) {
        const char *b;
        size_t n;
        assert_int_equal(tally_reader_read(rd, &b, &n, &d), TALLY_OK);
        if (n == 0)
            break;
        assert_int_equal(tally_csvparse_feed(p, b, n, collect_row, out, &d), TALLY_OK);
    }
    assert_int_equal(tally_csvparse_finish(p, collect_row, out, &d), TALLY_OK);
    for (size_t i = first; i < out->n; i++)
        out->lines[i] += line_base;
    uint64_t skipped = tally_csvparse_skipped(p)->count;
    tally_csvparse_free(p);
    tally_reader_free(rd);
    return skipped;
}

/* Splits the file at path (holding text) and checks every property the
 * threads rely on against the one-pass rows in whole. */
static void
check_split(const char *path, const char *text, size_t size, char delim, const bool *ok,
            const size_t *lstart, size_t nlines, const struct rows *whole, uint64_t whole_skipped,
            uint32_t n, uint64_t min_size)
{
    uint64_t *starts = calloc((size_t)n + 1, sizeof *starts);
    assert_non_null(starts);
    uint32_t count = 0;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_chunk_split(path, size,
                                       delim ? TALLY_RECORDS_QUOTED : TALLY_RECORDS_LINES, delim, n,
                                       min_size, starts, &count, &d),
                     TALLY_OK);
    assert_true(count >= 1 && count <= n);
    assert_int_equal(starts[0], 0);
    assert_int_equal(starts[count], size);
    for (uint32_t i = 1; i < count; i++) {
        assert_true(starts[i - 1] < starts[i]);
        if (!ok[starts[i]])
            fail_msg("n=%u min=%llu: start %llu is not a record start", n,
                     (unsigned long long)min_size, (unsigned long long)starts[i]);
    }

    struct rows got = {0};
    uint64_t skipped = 0;
    size_t li = 0;
    for (uint32_t i = 0; i < count; i++) {
        /* Lines before the range: its local line 1 is global line li + 1. */
        while (li < nlines && lstart[li] < starts[i])
            li++;
        uint64_t base = i == 0 ? 0 : li;
        if (i > 0)
            assert_true(li < nlines && lstart[li] == starts[i]);
        skipped += parse_part(path, false, starts[i], starts[i + 1] - starts[i], delim, base, &got);
    }
    (void)text;
    assert_int_equal(got.n, whole->n);
    assert_int_equal(got.text.len, whole->text.len);
    if (got.text.len)
        assert_memory_equal(got.text.p, whole->text.p, got.text.len);
    for (size_t i = 0; i < got.n; i++)
        assert_int_equal(got.lines[i], whole->lines[i]);
    assert_int_equal(skipped, whole_skipped);
    rows_free(&got);
    free(starts);
}

/* tally_chunk_find from `from` (a record start) agrees with the reference:
 * each target's start is the first record start at or after it (the BOM's
 * end does not count as one), and its lines are the line ends before it. */
static void
check_find_from(const char *path, size_t size, char delim, const bool *ok, const size_t *lstart,
                size_t nlines, uint64_t from)
{
    struct tally_chunk_file f = {path, size, delim ? TALLY_RECORDS_QUOTED : TALLY_RECORDS_LINES,
                                 delim};
    uint64_t targets[48], starts[48], lines[48];
    uint32_t n = 0;
    uint64_t step = size / 40 ? size / 40 : 1;
    for (uint64_t t = from; t <= size && n < 47; t += step)
        targets[n++] = t;
    targets[n++] = size;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_chunk_find(&f, from, n, targets, starts, lines, &d), TALLY_OK);
    bool bom = lstart[0] == 3;
    size_t before_from = 0;
    while (before_from + 1 < nlines && lstart[before_from + 1] <= from)
        before_from++;
    for (uint32_t j = 0; j < n; j++) {
        uint64_t want = targets[j];
        while (want < size && (!ok[want] || (bom && want == 3 && want > from)))
            want++;
        if (starts[j] != want)
            fail_msg("from %llu target %llu: start %llu, expected %llu", (unsigned long long)from,
                     (unsigned long long)targets[j], (unsigned long long)starts[j],
                     (unsigned long long)want);
        if (want == size)
            continue;
        size_t k = 0;
        while (k + 1 < nlines && lstart[k + 1] <= want)
            k++;
        assert_int_equal(lines[j], k - before_from);
    }
}

/* tally_chunk_line_start gives every line's start. */
static void
check_line_starts(const char *path, size_t size, char delim, const size_t *lstart, size_t nlines)
{
    struct tally_chunk_file f = {path, size, delim ? TALLY_RECORDS_QUOTED : TALLY_RECORDS_LINES,
                                 delim};
    struct tally_diag d;
    tally_diag_init(&d);
    for (size_t line = 1; line <= nlines + 1; line++) {
        uint64_t off;
        assert_int_equal(tally_chunk_line_start(&f, line, &off, &d), TALLY_OK);
        uint64_t want = line == 1 ? 0 : line <= nlines ? lstart[line - 1] : size;
        assert_int_equal(off, want);
    }
}

static void
check_find(const char *path, size_t size, char delim, const bool *ok, const size_t *lstart,
           size_t nlines)
{
    check_find_from(path, size, delim, ok, lstart, nlines, 0);
    uint64_t mid = size / 2;
    while (mid < size && !ok[mid])
        mid++;
    if (mid > 3)
        check_find_from(path, size, delim, ok, lstart, nlines, mid);
}

static void
check_text(const char *text, size_t size, char delim)
{
    char *path = write_temp(text, size);
    bool *ok = reference_starts(text, size, delim);
    size_t *lstart;
    size_t nlines = line_starts(text, size, &lstart);
    struct rows whole = {0};
    uint64_t skipped = parse_part(path, true, 0, 0, delim, 0, &whole);
    /* The reference agrees with the parser: every row starts at a line
     * where the reference allows a record to start. */
    for (size_t i = 0; i < whole.n; i++) {
        assert_true(whole.lines[i] >= 1 && whole.lines[i] <= nlines);
        assert_true(ok[lstart[whole.lines[i] - 1]]);
    }
    static const uint32_t ns[] = {1, 2, 3, 4, 5, 7, 8, 13, 32, 100};
    static const uint64_t mins[] = {1, 7, 64};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
        for (size_t m = 0; m < sizeof mins / sizeof mins[0]; m++)
            check_split(path, text, size, delim, ok, lstart, nlines, &whole, skipped, ns[a],
                        mins[m]);
    check_find(path, size, delim, ok, lstart, nlines);
    check_line_starts(path, size, delim, lstart, nlines);
    rows_free(&whole);
    free(lstart);
    free(ok);
    remove_temp(path);
}

static void
test_chunk_starts_are_record_starts_in_random_csv(void **state)
{
    (void)state;
    for (uint32_t seed0 = 1; seed0 <= 300; seed0++) {
        uint32_t seed = seed0;
        struct buf b = {0};
        gen_csv(&b, &seed, ',', 50 + rnd(&seed) % 1500);
        check_text(b.p, b.len, ',');
        free(b.p);
    }
}

static void
test_chunk_starts_are_record_starts_with_tab_and_semicolon(void **state)
{
    (void)state;
    for (uint32_t seed0 = 1000; seed0 < 1100; seed0++) {
        uint32_t seed = seed0;
        char delim = seed0 % 2 ? '\t' : ';';
        struct buf b = {0};
        gen_csv(&b, &seed, delim, 50 + rnd(&seed) % 800);
        check_text(b.p, b.len, delim);
        free(b.p);
    }
}

static void
test_chunk_never_starts_inside_a_quoted_line_end(void **state)
{
    (void)state;
    /* Every line end but the last sits inside quotes: one record. */
    const char *text = "a,b\n\"1\n2\r\n3\r4\",\"x\"\"\ny\"\n";
    check_text(text, strlen(text), ',');
    uint64_t starts[9];
    uint32_t count;
    struct tally_diag d;
    tally_diag_init(&d);
    char *path = write_temp(text, strlen(text));
    assert_int_equal(
        tally_chunk_split(path, strlen(text), TALLY_RECORDS_QUOTED, ',', 8, 1, starts, &count, &d),
        TALLY_OK);
    for (uint32_t i = 1; i < count; i++)
        assert_int_equal(starts[i], 4); /* only after the header */
    remove_temp(path);
}

static void
test_chunk_resumes_at_the_next_line_after_broken_quoting(void **state)
{
    (void)state;
    /* Line 2 breaks quoting after a closing quote; its rest (with a quote
     * that would otherwise open a field over the next line) is dropped. */
    const char *text = "h1,h2\n\"a\"x,\"\n3,4\n5,6\n";
    check_text(text, strlen(text), ',');
    text = "h\nab\"c,\"\nz\n\"q\"\n";
    check_text(text, strlen(text), ',');
}

static void
test_chunk_small_file_is_one_range(void **state)
{
    (void)state;
    const char *text = "a,b\n1,2\n";
    char *path = write_temp(text, strlen(text));
    uint64_t starts[5];
    uint32_t count = 0;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(
        tally_chunk_split(path, strlen(text), TALLY_RECORDS_QUOTED, ',', 4, 64, starts, &count, &d),
        TALLY_OK);
    assert_int_equal(count, 1);
    assert_int_equal(starts[0], 0);
    assert_int_equal(starts[1], strlen(text));
    remove_temp(path);
}

static void
test_chunk_reports_a_file_it_cannot_open(void **state)
{
    (void)state;
    uint64_t starts[3];
    uint32_t count = 0;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_chunk_split("/nonexistent/tally/x.csv", 1000, TALLY_RECORDS_QUOTED, ',',
                                       2, 1, starts, &count, &d),
                     TALLY_EDATA);
    assert_non_null(strstr(d.msg, "cannot open /nonexistent/tally/x.csv"));
}

static void
test_chunk_handles_line_ends_and_quotes_across_read_blocks(void **state)
{
    (void)state;
    /* Bigger than two of chunk.c's read blocks, so a CRLF, a quoted field
     * and a closing quote each straddle a block boundary somewhere. */
    uint32_t seed = 77;
    struct buf b = {0};
    gen_csv(&b, &seed, ',', 0);
    while (b.len < 2 * CHUNK_READ_BYTES + 5000) {
        size_t at = b.len % CHUNK_READ_BYTES;
        if (at > CHUNK_READ_BYTES - 40 && at < CHUNK_READ_BYTES - 2) {
            /* Put a CR as the last byte of a block, its LF first of the next. */
            while (b.len % CHUNK_READ_BYTES != CHUNK_READ_BYTES - 1)
                buf_str(&b, "x");
            buf_str(&b, "\r\n");
            continue;
        }
        char line[64];
        uint32_t r = rnd(&seed);
        if (r % 3 == 0)
            snprintf(line, sizeof line, "%u,\"q\n\"\"%u\",z\n", r, r % 7);
        else
            snprintf(line, sizeof line, "%u,%u,plain\r\n", r, r % 11);
        buf_str(&b, line);
    }
    size_t size = b.len;
    char *path = write_temp(b.p, size);
    bool *ok = reference_starts(b.p, size, ',');
    size_t *lstart;
    size_t nlines = line_starts(b.p, size, &lstart);
    struct rows whole = {0};
    uint64_t skipped = parse_part(path, true, 0, 0, ',', 0, &whole);
    static const uint32_t ns[] = {2, 3, 5, 16};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        check_split(path, b.p, size, ',', ok, lstart, nlines, &whole, skipped, ns[i], 1);
    /* Targets placed just before the CR at the end of the first block. */
    uint64_t t = CHUNK_READ_BYTES - 10;
    uint64_t starts[3];
    uint32_t count;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(
        tally_chunk_split(path, 2 * t, TALLY_RECORDS_QUOTED, ',', 2, 1, starts, &count, &d),
        TALLY_OK);
    assert_int_equal(count, 2);
    assert_true(ok[starts[1]]);
    assert_true(starts[1] > t);
    /* Line counts across blocks: a CRLF split between two is one end. */
    check_find(path, size, ',', ok, lstart, nlines);
    rows_free(&whole);
    free(lstart);
    free(ok);
    free(b.p);
    remove_temp(path);
}

/* Log mode: a target's start follows a LF (or is 0), the lines before it
 * are its LFs, a CR counting for nothing. */
static void
check_log_find(const char *path, const char *text, size_t size)
{
    struct tally_chunk_file f = {path, size, TALLY_RECORDS_LINES, 0};
    uint64_t targets[64], starts[64], lines[64];
    uint32_t n = 0;
    for (uint64_t t = 0; t <= size && n < 64; t += 1 + size / 50)
        targets[n++] = t;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_chunk_find(&f, 0, n, targets, starts, lines, &d), TALLY_OK);
    for (uint32_t j = 0; j < n; j++) {
        uint64_t want = targets[j], lfs = 0;
        while (want < size && want > 0 && text[want - 1] != '\n')
            want++;
        assert_int_equal(starts[j], want);
        for (uint64_t i = 0; i < want; i++)
            lfs += text[i] == '\n';
        if (want < size)
            assert_int_equal(lines[j], lfs);
    }
}

static void
test_chunk_log_mode_starts_after_line_feeds(void **state)
{
    (void)state;
    /* Log lines end at LF; a CR inside a line (or before the LF) does not
     * end it. */
    for (uint32_t seed0 = 1; seed0 <= 100; seed0++) {
        uint32_t seed = seed0;
        struct buf b = {0};
        size_t target = 100 + rnd(&seed) % 2000;
        while (b.len < target) {
            uint32_t n = rnd(&seed) % 30;
            for (uint32_t i = 0; i < n; i++)
                buf_str(&b, (const char *[]){"a", "\"", ",", " ", "\r", "b"}[rnd(&seed) % 6]);
            buf_str(&b, rnd(&seed) % 2 ? "\n" : "\r\n");
        }
        char *path = write_temp(b.p, b.len);
        static const uint32_t ns[] = {2, 3, 7, 50};
        static const uint64_t mins[] = {1, 7, 64};
        for (size_t a = 0; a < 4; a++) {
            for (size_t m = 0; m < 3; m++) {
                uint64_t starts[51];
                uint32_t count;
                struct tally_diag d;
                tally_diag_init(&d);
                assert_int_equal(tally_chunk_split(path, b.len, TALLY_RECORDS_LINES, 0, ns[a],
                                                   mins[m], starts, &count, &d),
                                 TALLY_OK);
                assert_int_equal(starts[0], 0);
                assert_int_equal(starts[count], b.len);
                for (uint32_t i = 1; i < count; i++) {
                    assert_true(starts[i - 1] < starts[i]);
                    if (b.p[starts[i] - 1] != '\n')
                        fail_msg("seed %u n=%u: log start %llu does not follow a LF", seed0, ns[a],
                                 (unsigned long long)starts[i]);
                }
            }
        }
        check_log_find(path, b.p, b.len);
        remove_temp(path);
        free(b.p);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunk_starts_are_record_starts_in_random_csv),
        cmocka_unit_test(test_chunk_starts_are_record_starts_with_tab_and_semicolon),
        cmocka_unit_test(test_chunk_never_starts_inside_a_quoted_line_end),
        cmocka_unit_test(test_chunk_resumes_at_the_next_line_after_broken_quoting),
        cmocka_unit_test(test_chunk_small_file_is_one_range),
        cmocka_unit_test(test_chunk_reports_a_file_it_cannot_open),
        cmocka_unit_test(test_chunk_handles_line_ends_and_quotes_across_read_blocks),
        cmocka_unit_test(test_chunk_log_mode_starts_after_line_feeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
