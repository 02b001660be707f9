/* Unit tests for shard.c: the shard bounds over the concatenated inputs,
 * and each file's part, on CSV files built record by record (so where each
 * record starts, and the lines before it, is known by construction): for
 * every N the shards' parts cover each file's records exactly once, in
 * shard order, every cut is a record start with the right line count, and
 * exactly one shard reads each file from its start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tally/shard.h"
#include "tally/status.h"

static uint32_t
rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

__extension__ typedef unsigned __int128 u128;

/* floor(k * t / n), the long way. */
static uint64_t
ref_bound(uint64_t t, uint32_t k, uint32_t n)
{
    return (uint64_t)((u128)t * k / n);
}

static void
test_shard_bounds_cut_the_concatenation_evenly(void **state)
{
    (void)state;
    const uint64_t sizes[] = {10, 0, 7, 13};
    for (uint32_t n = 1; n <= 45; n++) {
        uint64_t prev_hi = 0;
        for (uint32_t k = 1; k <= n; k++) {
            struct tally_shard s;
            tally_shard_init(&s, k, n, sizes, 4);
            assert_int_equal(s.total, 30);
            assert_int_equal(s.lo, prev_hi);
            assert_int_equal(s.lo, ref_bound(30, k - 1, n));
            assert_int_equal(s.hi, ref_bound(30, k, n));
            assert_int_equal(s.bases[2], 10);
            assert_int_equal(s.bases[3], 17);
            for (size_t i = 0; i < 4; i++) {
                bool meets = s.lo < s.bases[i] + sizes[i] && s.bases[i] < s.hi;
                assert_int_equal(tally_shard_touches(&s, i), meets);
            }
            prev_hi = s.hi;
            tally_shard_fini(&s);
        }
        assert_int_equal(prev_hi, 30);
    }
    /* No overflow near 2^64 bytes with a million shards. */
    const uint64_t big[] = {UINT64_MAX / 2, UINT64_MAX / 3};
    uint64_t t = big[0] + big[1];
    for (uint32_t k = 1; k <= 1000000; k += 99991) {
        struct tally_shard s;
        tally_shard_init(&s, k, 1000000, big, 2);
        assert_int_equal(s.lo, ref_bound(t, k - 1, 1000000));
        assert_int_equal(s.hi, ref_bound(t, k, 1000000));
        tally_shard_fini(&s);
    }
}

/* A CSV file made record by record. */
struct made {
    char *text;
    size_t len, cap;
    uint64_t *starts; /* record starts, then the size */
    uint64_t *lines;  /* line ends before each start */
    size_t n;
    uint64_t h; /* where the records after the header start */
    char path[4096];
};

static void
add(struct made *m, const char *s)
{
    size_t n = strlen(s);
    if (m->len + n + 1 > m->cap) {
        m->cap = (m->len + n + 1) * 2;
        m->text = realloc(m->text, m->cap);
        assert_non_null(m->text);
    }
    memcpy(m->text + m->len, s, n + 1);
    m->len += n;
}

static uint64_t
count_ends(const char *s, size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'));
    return c;
}

static void
mark(struct made *m)
{
    m->starts = realloc(m->starts, (m->n + 1) * sizeof *m->starts);
    m->lines = realloc(m->lines, (m->n + 1) * sizeof *m->lines);
    assert_true(m->starts && m->lines);
    m->starts[m->n] = m->len;
    m->lines[m->n] = count_ends(m->text, m->len);
    m->n++;
}

/* nrec records after a header (when header), with quoted line ends and
 * delimiters, CR, LF or CRLF line ends; the last one maybe without. */
static void
make(struct made *m, uint32_t *seed, bool header, size_t nrec)
{
    static const char *ends[] = {"\n", "\r\n", "\r"};
    static const char *fields[] = {"a", "bb", "\"q\nq\"", "\"x,\r\ny\"", "\"\"\"\"", "\"\r\"", "7"};
    memset(m, 0, sizeof *m);
    add(m, "");
    if (header) {
        add(m, "k,v,w");
        add(m, ends[rnd(seed) % 3]);
    }
    m->h = m->len;
    for (size_t r = 0; r < nrec; r++) {
        mark(m);
        add(m, fields[rnd(seed) % 2]); /* a record never starts with a line end */
        for (uint32_t f = 0; f < 2; f++) {
            add(m, ",");
            add(m, fields[rnd(seed) % 7]);
        }
        if (r + 1 < nrec || rnd(seed) % 2)
            add(m, ends[rnd(seed) % 3]);
    }
    const char *dir = getenv("TMPDIR");
    snprintf(m->path, sizeof m->path, "%s/tally_shard_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(m->path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, m->text, m->len), (ssize_t)m->len);
    close(fd);
}

static void
unmake(struct made *m)
{
    unlink(m->path);
    free(m->text);
    free(m->starts);
    free(m->lines);
}

/* The index of record start at in m, or fails. */
static size_t
start_index(const struct made *m, uint64_t at)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->starts[i] == at)
            return i;
    fail_msg("%llu is not a record start", (unsigned long long)at);
    return 0;
}

/* Every shard of n over the files: the parts of each file cover its
 * records [h, size) once, in shard order. */
static void
check_shards(struct made *files, size_t nfiles, uint32_t n)
{
    uint64_t sizes[8];
    for (size_t i = 0; i < nfiles; i++)
        sizes[i] = files[i].len;
    uint64_t next[8];  /* where the next shard's records of file i must start */
    int from_start[8]; /* shards that read file i from its start */
    for (size_t i = 0; i < nfiles; i++) {
        next[i] = files[i].h;
        from_start[i] = 0;
    }
    for (uint32_t k = 1; k <= n; k++) {
        struct tally_shard s;
        tally_shard_init(&s, k, n, sizes, nfiles);
        for (size_t i = 0; i < nfiles; i++) {
            struct made *m = &files[i];
            struct tally_chunk_file f = {m->path, m->len, TALLY_RECORDS_QUOTED, ','};
            struct tally_shard_part p;
            struct tally_diag d;
            tally_diag_init(&d);
            uint64_t hl = count_ends(m->text, m->h);
            assert_int_equal(tally_shard_part(&s, i, &f, m->h, hl, &p, &d), TALLY_OK);
            if (!p.read)
                continue;
            assert_true(tally_shard_touches(&s, i));
            uint64_t rec_from = p.header ? m->h : p.from;
            if (p.header) {
                assert_int_equal(p.from, 0);
                from_start[i]++;
            } else {
                assert_int_equal(p.lines, m->lines[start_index(m, p.from)]);
            }
            assert_int_equal(rec_from, next[i]);
            assert_true(p.to >= rec_from && p.to <= m->len);
            if (p.to < m->len)
                (void)start_index(m, p.to);
            next[i] = p.to;
        }
        tally_shard_fini(&s);
    }
    for (size_t i = 0; i < nfiles; i++) {
        if (files[i].len)
            assert_int_equal(next[i], files[i].len);
        assert_int_equal(from_start[i], files[i].len ? 1 : 0);
    }
}

static void
test_shard_parts_cover_every_record_once(void **state)
{
    (void)state;
    static const uint32_t ns[] = {1, 2, 3, 4, 7, 13, 50, 333};
    for (uint32_t seed0 = 1; seed0 <= 40; seed0++) {
        uint32_t seed = seed0;
        struct made files[4];
        make(&files[0], &seed, true, 1 + rnd(&seed) % 40);
        make(&files[1], &seed, true, 0); /* the header only */
        make(&files[2], &seed, true, 1 + rnd(&seed) % 25);
        make(&files[3], &seed, false, 0); /* empty */
        for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
            check_shards(files, 4, ns[a]);
        for (size_t i = 0; i < 4; i++)
            unmake(&files[i]);
    }
}

static void
test_shard_parts_without_a_header_row(void **state)
{
    (void)state;
    for (uint32_t seed0 = 100; seed0 < 130; seed0++) {
        uint32_t seed = seed0;
        struct made files[2];
        make(&files[0], &seed, false, 1 + rnd(&seed) % 30);
        make(&files[1], &seed, false, 1 + rnd(&seed) % 30);
        for (uint32_t n = 1; n <= 64; n += 1 + n / 4)
            check_shards(files, 2, n);
        unmake(&files[0]);
        unmake(&files[1]);
    }
}

static void
test_shard_refuses_what_it_cannot_cut(void **state)
{
    (void)state;
    struct tally_shard s;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_shard_open(&s, 1, 2, NULL, 0, &d), TALLY_EUSAGE);
    assert_string_equal(d.msg, "--shard reads byte ranges; <stdin> is not a regular file");
    char dash[] = "-", *files[] = {dash};
    tally_diag_init(&d);
    assert_int_equal(tally_shard_open(&s, 1, 2, files, 1, &d), TALLY_EUSAGE);
    char null[] = "/dev/null", *dev[] = {null};
    tally_diag_init(&d);
    assert_int_equal(tally_shard_open(&s, 1, 2, dev, 1, &d), TALLY_EUSAGE);
    assert_string_equal(d.msg, "--shard reads byte ranges; /dev/null is not a regular file");
    char missing[] = "/nonexistent/x.csv", *gone[] = {missing};
    tally_diag_init(&d);
    assert_int_equal(tally_shard_open(&s, 1, 2, gone, 1, &d), TALLY_EDATA);
    /* gzip's magic bytes make a compressed file. */
    char path[4096];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/tally_shard_XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\x1f\x8b\x08\x00", 4), 4);
    close(fd);
    char *packed[] = {path};
    tally_diag_init(&d);
    assert_int_equal(tally_shard_open(&s, 1, 2, packed, 1, &d), TALLY_EUSAGE);
    assert_non_null(strstr(d.msg, " is compressed"));
    unlink(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shard_bounds_cut_the_concatenation_evenly),
        cmocka_unit_test(test_shard_parts_cover_every_record_once),
        cmocka_unit_test(test_shard_parts_without_a_header_row),
        cmocka_unit_test(test_shard_refuses_what_it_cannot_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
