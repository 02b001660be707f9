/* TSV parser: rows, line numbers, escapes, line ends, empty lines and
 * malformed-row handling, each input fed at every chunk size from one byte
 * to the whole input; and a round trip through the TSV writer of random
 * values made of the bytes that need escaping. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tally/output.h"
#include "tally/status.h"
#include "tally/tsvparse.h"

/* Everything one parse produced, rows rendered as "LINE[f1][f2]\n". */
struct result {
    int rc;
    char *rows; /* malloc'd, NUL-terminated */
    size_t len, cap;
    char msg[TALLY_DIAG_MAX];
    uint64_t skipped;
    char first[512]; /* "LINE:COL why" of the first skipped row */
    uint64_t lines;
};

struct collect {
    struct result *res;
    struct tally_tsvparse *p;
    bool header_sets_count; /* the first row fixes the expected field count */
    bool seen_header;
    int stop_at_row; /* >0: the callback fails on this row */
    int nrows;
};

static void
append(struct result *r, const char *s, size_t n)
{
    if (r->len + n + 1 > r->cap) {
        r->cap = (r->len + n + 1) * 2;
        r->rows = realloc(r->rows, r->cap);
        assert_non_null(r->rows);
    }
    if (n)
        memcpy(r->rows + r->len, s, n);
    r->len += n;
    r->rows[r->len] = '\0';
}

static int
collect_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    struct collect *c = ctx;
    struct result *r = c->res;
    c->nrows++;
    if (c->stop_at_row && c->nrows == c->stop_at_row)
        return tally_diag_fail(d, NULL, "stopped at row %d", c->nrows);
    if (c->header_sets_count && !c->seen_header) {
        c->seen_header = true;
        tally_tsvparse_expect_fields(c->p, row->nfields);
    }
    assert_string_equal(row->file, "t.tsv");
    char num[32];
    append(r, num, (size_t)snprintf(num, sizeof num, "%" PRIu64, row->line));
    for (uint32_t i = 0; i < row->nfields; i++) {
        append(r, "[", 1);
        append(r, row->fields[i].ptr, row->fields[i].len);
        append(r, "]", 1);
    }
    append(r, "\n", 1);
    return TALLY_OK;
}

struct parse_cfg {
    struct tally_tsv_opts opts;
    bool header_sets_count;
    int stop_at_row;
};

static void
parse_in_chunks(const struct parse_cfg *cfg, const char *in, size_t len, size_t chunk,
                struct result *r)
{
    char *rows = r->rows;
    size_t cap = r->cap;
    memset(r, 0, sizeof *r);
    r->rows = rows;
    r->cap = cap;
    append(r, "", 0);
    struct tally_tsvparse *p;
    assert_int_equal(tally_tsvparse_new(&p, &cfg->opts), TALLY_OK);
    tally_tsvparse_reset(p, "t.tsv");
    struct collect c = {r, p, cfg->header_sets_count, false, cfg->stop_at_row, 0};
    struct tally_diag d;
    tally_diag_init(&d);
    r->rc = TALLY_OK;
    /* Each chunk is a copy of its own, so no field may outlive its block. */
    char *block = malloc(chunk);
    assert_non_null(block);
    for (size_t off = 0; off < len && r->rc == TALLY_OK; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        memcpy(block, in + off, n);
        r->rc = tally_tsvparse_feed(p, block, n, collect_row, &c, &d);
        memset(block, '#', n);
    }
    free(block);
    if (r->rc == TALLY_OK)
        r->rc = tally_tsvparse_finish(p, collect_row, &c, &d);
    snprintf(r->msg, sizeof r->msg, "%s", d.msg);
    const struct tally_skipstat *s = tally_tsvparse_skipped(p);
    r->skipped = s->count;
    if (s->count)
        snprintf(r->first, sizeof r->first, "%s:%" PRIu64 ":%" PRIu64 " %s", s->first_file,
                 s->first_line, s->first_col, s->first_why);
    r->lines = tally_tsvparse_lines(p);
    tally_tsvparse_free(p);
}

/* Parses at every chunk size and checks each result against the expected. */
static void
check_cfg(const struct parse_cfg *cfg, const char *in, size_t len, int rc, const char *rows,
          const char *msg, uint64_t skipped, const char *first)
{
    struct result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    for (size_t chunk = 1; chunk <= (len ? len : 1); chunk++) {
        parse_in_chunks(cfg, in, len, chunk, r);
        if (r->rc != rc || strcmp(r->rows, rows) != 0 || strcmp(r->msg, msg) != 0 ||
            r->skipped != skipped || strcmp(r->first, first) != 0) {
            print_error("chunk size %zu: rc %d, rows:\n%s\nmsg: %s\nskipped %" PRIu64 " %s\n",
                        chunk, r->rc, r->rows, r->msg, r->skipped, r->first);
            free(r->rows);
            free(r);
            fail_msg("mismatch at chunk size %zu", chunk);
        }
    }
    free(r->rows);
    free(r);
}

#define LENIENT ((struct parse_cfg){{'\t', false, 0, 0}, false, 0})
#define STRICT ((struct parse_cfg){{'\t', true, 0, 0}, false, 0})
#define HEADED_LENIENT ((struct parse_cfg){{'\t', false, 0, 0}, true, 0})
#define HEADED_STRICT ((struct parse_cfg){{'\t', true, 0, 0}, true, 0})

/* Input given as a string literal (embedded NULs and all). */
#define CHECK(cfg, lit, rc, rows, msg, skipped, first)                                             \
    do {                                                                                           \
        struct parse_cfg cfg_ = (cfg);                                                             \
        check_cfg(&cfg_, (lit), sizeof(lit) - 1, (rc), (rows), (msg), (skipped), (first));         \
    } while (0)

#define CHECK_OK(cfg, lit, rows) CHECK(cfg, lit, TALLY_OK, rows, "", 0, "")

static void
test_tsvparse_splits_fields_at_tabs_and_numbers_lines(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "a\tb\tc\n1\t2\t3\n", "1[a][b][c]\n2[1][2][3]\n");
    CHECK_OK(LENIENT, "\t\t\n x \t,;\n", "1[][][]\n2[ x ][,;]\n");
}

static void
test_tsvparse_reads_quotes_as_ordinary_bytes(void **state)
{
    (void)state;
    /* A field that starts with a quote does not swallow the next lines. */
    CHECK_OK(LENIENT, "\"x\ty\n\"q\"\t\"\"\n\"a\tb\"\n",
             "1[\"x][y]\n2[\"q\"][\"\"]\n3[\"a][b\"]\n");
}

static void
test_tsvparse_decodes_tab_lf_cr_and_backslash_escapes(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "a\\tb\tc\\nd\\re\n\\\\\t\\\\t\t\\\\\\t\n",
             "1[a\tb][c\nd\re]\n2[\\][\\t][\\\t]\n");
}

static void
test_tsvparse_keeps_other_backslashes_as_written(void **state)
{
    (void)state;
    /* PostgreSQL's \N and \b, a backslash before a tab delimiter and at the
     * end of a line stay as they are. */
    CHECK_OK(LENIENT, "\\N\t\\b\\x\\\t\\\n\\", "1[\\N][\\b\\x\\][\\]\n2[\\]\n");
}

static void
test_tsvparse_drops_cr_before_lf_and_keeps_a_lone_cr(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "a\tb\r\nc\r\td\r\r\n\r\n", "1[a][b]\n2[c\r][d\r]\n3[]\n");
    CHECK_OK(LENIENT, "a\rb\rc", "1[a\rb\rc]\n");
    CHECK_OK(LENIENT, "x\r", "1[x\r]\n");
}

static void
test_tsvparse_reads_an_empty_line_as_one_empty_field(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "h\n\nx\n\n", "1[h]\n2[]\n3[x]\n4[]\n");
    CHECK_OK(LENIENT, "\n", "1[]\n");
    CHECK_OK(LENIENT, "\n\n", "1[]\n2[]\n");
}

static void
test_tsvparse_submits_last_line_without_final_lf(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "a\tb\nc\td", "1[a][b]\n2[c][d]\n");
    CHECK_OK(LENIENT, "a\t", "1[a][]\n");
    CHECK_OK(LENIENT, "", "");
}

static void
test_tsvparse_skips_rows_with_wrong_field_count_when_lenient(void **state)
{
    (void)state;
    CHECK(HEADED_LENIENT, "a\tb\tc\n1\t2\t3\n4\t5\n6\t7\t8\t9\n\n10\t11\t12\n", TALLY_OK,
          "1[a][b][c]\n2[1][2][3]\n6[10][11][12]\n", "", 3, "t.tsv:3:0 expected 3 fields, got 2");
    /* In a file of several columns an empty line is a ragged row too. */
    CHECK(HEADED_LENIENT, "a\tb\n1\t2\n\n", TALLY_OK, "1[a][b]\n2[1][2]\n", "", 1,
          "t.tsv:3:0 expected 2 fields, got 1");
}

static void
test_tsvparse_reports_wrong_field_count_when_strict(void **state)
{
    (void)state;
    CHECK(HEADED_STRICT, "a\tb\tc\n1\t2\t3\n\"x\n", TALLY_EDATA, "1[a][b][c]\n2[1][2][3]\n",
          "t.tsv:3: expected 3 fields, got 1", 0, "");
    CHECK(HEADED_STRICT, "a\tb\n1\t2\n\n3\t4\n", TALLY_EDATA, "1[a][b]\n2[1][2]\n",
          "t.tsv:3: expected 2 fields, got 1", 0, "");
    CHECK(HEADED_STRICT, "a\tb\tc\n1\t2\t3\t4", TALLY_EDATA, "1[a][b][c]\n",
          "t.tsv:2: expected 3 fields, got 4", 0, "");
}

static void
test_tsvparse_rejects_too_many_fields_even_when_lenient(void **state)
{
    (void)state;
    struct parse_cfg cfg = {{'\t', false, 3, 0}, false, 0};
    CHECK(cfg, "a\tb\tc\n\nd\te\tf\tg\nh\n", TALLY_EDATA, "1[a][b][c]\n2[]\n",
          "t.tsv:3: record has more than 3 fields", 0, "");
}

static void
test_tsvparse_rejects_too_long_line_even_when_lenient(void **state)
{
    (void)state;
    struct parse_cfg cfg = {{'\t', false, 0, 5}, false, 0};
    /* The line end is not part of the record, a CR before LF neither;
     * escapes count as written. */
    CHECK(cfg, "abcde\nab\\td\r\nabcdef\n", TALLY_EDATA, "1[abcde]\n2[ab\td]\n",
          "t.tsv:3: record longer than 5 bytes", 0, "");
    CHECK(cfg, "abcde\r", TALLY_EDATA, "", "t.tsv:1: record longer than 5 bytes", 0, "");
    CHECK(cfg, "x\nabcdefghij", TALLY_EDATA, "1[x]\n", "t.tsv:2: record longer than 5 bytes", 0,
          "");
}

/* As in csvparse: the field that crosses max_fields wins when it ends
 * within max_record bytes, whatever the split. */
static void
test_tsvparse_names_the_same_limit_at_every_split(void **state)
{
    (void)state;
    struct parse_cfg cfg = {{'\t', false, 2, 5}, false, 0};
    CHECK(cfg, "a\tb\t\tdefgh\n", TALLY_EDATA, "", "t.tsv:1: record has more than 2 fields", 0, "");
    CHECK(cfg, "a\tb\tcdefgh\n", TALLY_EDATA, "", "t.tsv:1: record longer than 5 bytes", 0, "");
    CHECK(cfg, "a\tbcdef\tgh\n", TALLY_EDATA, "", "t.tsv:1: record longer than 5 bytes", 0, "");
    CHECK(cfg, "a\tbcdefgh", TALLY_EDATA, "", "t.tsv:1: record longer than 5 bytes", 0, "");
}

static void
test_tsvparse_stops_at_the_callbacks_error(void **state)
{
    (void)state;
    struct parse_cfg cfg = {{'\t', false, 0, 0}, false, 2};
    CHECK(cfg, "a\nb\nc\n", TALLY_EDATA, "1[a]\n", "stopped at row 2", 0, "");
}

static void
test_tsvparse_splits_at_any_single_byte_delimiter(void **state)
{
    (void)state;
    struct parse_cfg cfg = {{',', false, 0, 0}, false, 0};
    CHECK_OK(cfg, "a,\"b\tc\"\n\\t,\\,\n", "1[a][\"b\tc\"]\n2[\t][\\][]\n");
    struct tally_tsvparse *p;
    struct tally_tsv_opts lf = {'\n', false, 0, 0};
    assert_int_equal(tally_tsvparse_new(&p, &lf), TALLY_EUSAGE);
    assert_null(p);
}

static void
test_tsvparse_counts_lf_lines_and_restarts_at_reset(void **state)
{
    (void)state;
    struct result r = {0};
    struct parse_cfg cfg = LENIENT;
    parse_in_chunks(&cfg, "a\n\nb\r\nc", 7, 3, &r);
    assert_int_equal(r.lines, 3);
    assert_string_equal(r.rows, "1[a]\n2[]\n3[b]\n4[c]\n");
    free(r.rows);

    struct tally_tsvparse *p;
    assert_int_equal(tally_tsvparse_new(&p, &cfg.opts), TALLY_OK);
    struct collect c = {&r, p, false, false, 0, 0};
    struct tally_diag d;
    tally_diag_init(&d);
    r = (struct result){0};
    tally_tsvparse_reset(p, "t.tsv");
    assert_int_equal(tally_tsvparse_feed(p, "x\ny\nhalf", 8, collect_row, &c, &d), TALLY_OK);
    tally_tsvparse_reset(p, "t.tsv");
    assert_int_equal(tally_tsvparse_feed(p, "z\n", 2, collect_row, &c, &d), TALLY_OK);
    assert_int_equal(tally_tsvparse_finish(p, collect_row, &c, &d), TALLY_OK);
    assert_string_equal(r.rows, "1[x]\n2[y]\n1[z]\n");
    assert_int_equal(tally_tsvparse_lines(p), 1);
    tally_tsvparse_free(p);
    free(r.rows);
}

/* ---- round trip through the TSV writer ---- */

static char *
write_tsv(const struct tally_column *cols, uint32_t ncols, const struct tally_value *vals,
          size_t nrows, size_t *len)
{
    char path[] = "/tmp/tally-test-tsvparse-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    struct tally_writer *w;
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_output_opts o = {.header = true};
    assert_int_equal(tally_output_open(&w, TALLY_FMT_TSV, fd, &o), TALLY_OK);
    assert_int_equal(tally_output_begin(w, cols, ncols, &d), TALLY_OK);
    for (size_t i = 0; i < nrows; i++)
        assert_int_equal(tally_output_row(w, vals + i * ncols, &d), TALLY_OK);
    assert_int_equal(tally_output_end(w, &d), TALLY_OK);
    tally_output_free(w);
    off_t end = lseek(fd, 0, SEEK_END);
    assert_true(end >= 0);
    char *buf = malloc((size_t)end + 1);
    assert_non_null(buf);
    assert_int_equal(pread(fd, buf, (size_t)end, 0), end);
    close(fd);
    *len = (size_t)end;
    return buf;
}

/* What collect_row renders for the same values. */
static void
render_expected(struct result *want, const struct tally_column *cols, uint32_t ncols,
                const struct tally_value *vals, size_t nrows)
{
    char num[32];
    append(want, "1", 1);
    for (uint32_t c = 0; c < ncols; c++) {
        append(want, "[", 1);
        append(want, cols[c].name, strlen(cols[c].name));
        append(want, "]", 1);
    }
    append(want, "\n", 1);
    for (size_t i = 0; i < nrows; i++) {
        append(want, num, (size_t)snprintf(num, sizeof num, "%zu", i + 2));
        for (uint32_t c = 0; c < ncols; c++) {
            append(want, "[", 1);
            append(want, vals[i * ncols + c].s.ptr, vals[i * ncols + c].s.len);
            append(want, "]", 1);
        }
        append(want, "\n", 1);
    }
}

static void
roundtrip(uint32_t ncols, unsigned seed)
{
    static const char alphabet[] = "\\\t\n\r\"tnrN ,x";
    enum { NROWS = 200 };
    static char text[NROWS * 4][8];
    static struct tally_value vals[NROWS * 4];
    static const struct tally_column cols4[] = {
        {"a\\tb", false}, {"\"q\"", false}, {"c\r", false}, {"\\", false}};
    static const struct tally_column cols1[] = {{"", false}};
    const struct tally_column *cols = ncols == 1 ? cols1 : cols4;
    srand(seed);
    for (size_t i = 0; i < NROWS * ncols; i++) {
        size_t n = (size_t)rand() % 7; /* empty values too */
        for (size_t k = 0; k < n; k++)
            text[i][k] = alphabet[(size_t)rand() % (sizeof alphabet - 1)];
        vals[i] = (struct tally_value){.kind = TALLY_VAL_TEXT, .s = {text[i], n}};
    }
    size_t len;
    char *tsv = write_tsv(cols, ncols, vals, NROWS, &len);
    struct result want = {0}, got = {0};
    render_expected(&want, cols, ncols, vals, NROWS);
    struct parse_cfg cfg = HEADED_STRICT;
    static const size_t chunks[] = {1, 2, 3, 7, 64, 4093, 1u << 20};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        parse_in_chunks(&cfg, tsv, len, chunks[c], &got);
        assert_int_equal(got.rc, TALLY_OK);
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.rows, want.rows, want.len);
    }
    free(want.rows);
    free(got.rows);
    free(tsv);
}

static void
test_tsvparse_reads_back_exactly_what_the_tsv_writer_wrote(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 20; seed++) {
        roundtrip(4, seed);
        roundtrip(1, seed);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tsvparse_splits_fields_at_tabs_and_numbers_lines),
        cmocka_unit_test(test_tsvparse_reads_quotes_as_ordinary_bytes),
        cmocka_unit_test(test_tsvparse_decodes_tab_lf_cr_and_backslash_escapes),
        cmocka_unit_test(test_tsvparse_keeps_other_backslashes_as_written),
        cmocka_unit_test(test_tsvparse_drops_cr_before_lf_and_keeps_a_lone_cr),
        cmocka_unit_test(test_tsvparse_reads_an_empty_line_as_one_empty_field),
        cmocka_unit_test(test_tsvparse_submits_last_line_without_final_lf),
        cmocka_unit_test(test_tsvparse_skips_rows_with_wrong_field_count_when_lenient),
        cmocka_unit_test(test_tsvparse_reports_wrong_field_count_when_strict),
        cmocka_unit_test(test_tsvparse_rejects_too_many_fields_even_when_lenient),
        cmocka_unit_test(test_tsvparse_rejects_too_long_line_even_when_lenient),
        cmocka_unit_test(test_tsvparse_names_the_same_limit_at_every_split),
        cmocka_unit_test(test_tsvparse_stops_at_the_callbacks_error),
        cmocka_unit_test(test_tsvparse_splits_at_any_single_byte_delimiter),
        cmocka_unit_test(test_tsvparse_counts_lf_lines_and_restarts_at_reset),
        cmocka_unit_test(test_tsvparse_reads_back_exactly_what_the_tsv_writer_wrote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
