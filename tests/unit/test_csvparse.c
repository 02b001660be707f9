/* CSV parser: rows, line numbers and malformed-row handling, each input fed
 * at every chunk size from one byte to the whole input, through libcsv alone
 * and through the fast path with every scanning kernel; and a differential
 * test of the two paths on random and real inputs. */
#include <dirent.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/csvparse.h"
#include "tally/csvscan.h"
#include "tally/status.h"

#include "realdata.h"

/* Everything one parse produced, rows rendered as "LINE[f1][f2]\n". */
struct result {
    int rc;
    char *rows; /* malloc'd, NUL-terminated */
    size_t len, cap;
    char msg[TALLY_DIAG_MAX];
    uint64_t skipped;
    char first[512]; /* "LINE:COL why" of the first skipped row */
};

struct collect {
    struct result *res;
    struct tally_csvparse *p;
    bool header_sets_count; /* the first row fixes the expected field count */
    bool seen_header;
    int stop_at_row; /* >0: the callback fails on this row */
    int nrows;
};

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
        tally_csvparse_expect_fields(c->p, row->nfields);
    }
    assert_string_equal(row->file, "t.csv");
    size_t need = r->len + 32;
    for (uint32_t i = 0; i < row->nfields; i++)
        need += row->fields[i].len + 2;
    if (need > r->cap) {
        r->cap = need * 2;
        r->rows = realloc(r->rows, r->cap);
        assert_non_null(r->rows);
    }
    r->len += (size_t)snprintf(r->rows + r->len, r->cap - r->len, "%" PRIu64, row->line);
    for (uint32_t i = 0; i < row->nfields; i++) {
        r->rows[r->len++] = '[';
        if (row->fields[i].len)
            memcpy(r->rows + r->len, row->fields[i].ptr, row->fields[i].len);
        r->len += row->fields[i].len;
        r->rows[r->len++] = ']';
    }
    r->rows[r->len++] = '\n';
    r->rows[r->len] = '\0';
    return TALLY_OK;
}

struct parse_cfg {
    struct tally_csv_opts opts;
    bool header_sets_count;
    int stop_at_row;
};

/* A way to parse: libcsv alone, or the fast path with one kernel. */
struct mode {
    bool fast;
    enum tally_simd simd;
};

/* The modes this CPU runs; returns how many. */
static size_t
all_modes(struct mode *out)
{
    size_t n = 0;
    out[n++] = (struct mode){false, TALLY_SIMD_SCALAR};
    for (int k = 0; k < TALLY_SIMD_COUNT; k++)
        if (tally_csvscan_supported((enum tally_simd)k))
            out[n++] = (struct mode){true, (enum tally_simd)k};
    return n;
}

static struct tally_csvparse *
new_parser(const struct tally_csv_opts *o, struct mode m)
{
    struct tally_csvparse *p;
    assert_int_equal(setenv("TALLY_SIMD", tally_csvscan_name(m.simd), 1), 0);
    assert_int_equal(tally_csvparse_new(&p, o), TALLY_OK);
    assert_int_equal(unsetenv("TALLY_SIMD"), 0);
    tally_csvparse_set_fastpath(p, m.fast);
    return p;
}

static void
result_clear(struct result *r)
{
    char *rows = r->rows;
    size_t cap = r->cap;
    memset(r, 0, sizeof *r);
    r->rows = rows;
    r->cap = cap;
    if (!r->rows) {
        r->cap = 256;
        r->rows = malloc(r->cap);
        assert_non_null(r->rows);
    }
    r->rows[0] = '\0';
}

static void
parse_mode_in_chunks(const struct parse_cfg *cfg, struct mode m, const char *in, size_t len,
                     size_t chunk, struct result *r)
{
    result_clear(r);
    struct tally_csvparse *p = new_parser(&cfg->opts, m);
    tally_csvparse_reset(p, "t.csv");
    struct collect c = {r, p, cfg->header_sets_count, false, cfg->stop_at_row, 0};
    struct tally_diag d;
    tally_diag_init(&d);
    r->rc = TALLY_OK;
    for (size_t off = 0; off < len && r->rc == TALLY_OK; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        r->rc = tally_csvparse_feed(p, in + off, n, collect_row, &c, &d);
    }
    if (r->rc == TALLY_OK)
        r->rc = tally_csvparse_finish(p, collect_row, &c, &d);
    snprintf(r->msg, sizeof r->msg, "%s", d.msg);
    const struct tally_skipstat *s = tally_csvparse_skipped(p);
    r->skipped = s->count;
    if (s->count)
        snprintf(r->first, sizeof r->first, "%s:%" PRIu64 ":%" PRIu64 " %s", s->first_file,
                 s->first_line, s->first_col, s->first_why);
    tally_csvparse_free(p);
}

static void
parse_in_chunks(const struct parse_cfg *cfg, const char *in, size_t len, size_t chunk,
                struct result *r)
{
    parse_mode_in_chunks(cfg, (struct mode){false, TALLY_SIMD_SCALAR}, in, len, chunk, r);
}

/* Parses at every chunk size in every mode and checks each result against
 * the expected. */
static void
check_cfg(const struct parse_cfg *cfg, const char *in, size_t len, int rc, const char *rows,
          const char *msg, uint64_t skipped, const char *first)
{
    struct result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    struct mode modes[TALLY_SIMD_COUNT + 1];
    size_t nmodes = all_modes(modes);
    for (size_t mi = 0; mi < nmodes; mi++)
        for (size_t chunk = 1; chunk <= (len ? len : 1); chunk++) {
            parse_mode_in_chunks(cfg, modes[mi], in, len, chunk, r);
            if (r->rc != rc || strcmp(r->rows, rows) != 0 || strcmp(r->msg, msg) != 0 ||
                r->skipped != skipped || strcmp(r->first, first) != 0) {
                print_error("%s %s, chunk size %zu: rc %d, rows:\n%s\nmsg: %s\nskipped %" PRIu64
                            " %s\n",
                            modes[mi].fast ? "fast" : "libcsv", tally_csvscan_name(modes[mi].simd),
                            chunk, r->rc, r->rows, r->msg, r->skipped, r->first);
                free(r->rows);
                free(r);
                fail_msg("mismatch at chunk size %zu", chunk);
            }
        }
    free(r->rows);
    free(r);
}

#define LENIENT ((struct parse_cfg){{',', false, 0, 0}, false, 0})
#define STRICT ((struct parse_cfg){{',', true, 0, 0}, false, 0})

/* Input given as a string literal (embedded NULs and all). */
#define CHECK(cfg, lit, rc, rows, msg, skipped, first)                                             \
    do {                                                                                           \
        struct parse_cfg cfg_ = (cfg);                                                             \
        check_cfg(&cfg_, (lit), sizeof(lit) - 1, (rc), (rows), (msg), (skipped), (first));         \
    } while (0)

#define CHECK_OK(cfg, lit, rows) CHECK(cfg, lit, TALLY_OK, rows, "", 0, "")

static void
test_csvparse_splits_plain_fields_and_numbers_lines(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "a,b,c\n1,2,3\n", "1[a][b][c]\n2[1][2][3]\n");
}

static void
test_csvparse_keeps_delimiters_inside_quotes(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "a,\"b,c\",d\n\"x,\",\",y\"\n", "1[a][b,c][d]\n2[x,][,y]\n");
}

static void
test_csvparse_turns_doubled_quotes_into_one(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "\"x\"\"y\",\"\"\"\"\n\"\"\"a\"\"\"\n", "1[x\"y][\"]\n2[\"a\"]\n");
}

static void
test_csvparse_keeps_lf_and_crlf_inside_quotes_exactly(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "\"a\nb\",1\r\n\"c\r\nd\",2\r\n\"\r\",3\n",
             "1[a\nb][1]\n3[c\r\nd][2]\n5[\r][3]\n");
}

static void
test_csvparse_accepts_cr_only_line_ends(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "a,b\rc,d\r\re,f\r", "1[a][b]\n2[c][d]\n4[e][f]\n");
}

static void
test_csvparse_accepts_mixed_line_ends(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "a\nb\r\nc\rd\n\r\ne\n\rf", "1[a]\n2[b]\n3[c]\n4[d]\n6[e]\n8[f]\n");
}

static void
test_csvparse_submits_last_row_without_final_newline(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "a,b\nc,d", "1[a][b]\n2[c][d]\n");
    CHECK_OK(LENIENT, "a,b\n\"c\",\"d\"", "1[a][b]\n2[c][d]\n");
    CHECK_OK(LENIENT, "a,", "1[a][]\n");
}

static void
test_csvparse_keeps_empty_and_empty_quoted_fields(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, ",,\n\"\",\"\"\n\"\"\nx,\n", "1[][][]\n2[][]\n3[]\n4[x][]\n");
}

static void
test_csvparse_keeps_spaces_around_fields(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, " a , b \t,\t\n\" x \",  \n", "1[ a ][ b \t][\t]\n2[ x ][  ]\n");
}

static void
test_csvparse_reads_tsv_with_quotes(void **state)
{
    (void)state;
    struct parse_cfg tsv = {{'\t', false, 0, 0}, false, 0};
    CHECK_OK(tsv, "a\tb,c\t\"d\te\"\n\t\"x\"\"\"\n", "1[a][b,c][d\te]\n2[][x\"]\n");
}

static void
test_csvparse_skips_blank_lines_but_counts_them(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "\n\na\n\n\nb\r\n\r\nc\n\n", "3[a]\n6[b]\n8[c]\n");
    CHECK_OK(LENIENT, "\n\r\n\r", "");
    CHECK_OK(LENIENT, "", "");
}

static void
test_csvparse_numbers_rows_after_multiline_record(void **state)
{
    (void)state;
    CHECK_OK(LENIENT, "h\n\"a\nb\n\nc\",1\nx,2\n", "1[h]\n2[a\nb\n\nc][1]\n6[x][2]\n");
}

static void
test_csvparse_skips_stray_quote_in_unquoted_field_when_lenient(void **state)
{
    (void)state;
    CHECK(LENIENT, "a,b\nc,d\"e,f\ng,h\n", TALLY_OK, "1[a][b]\n3[g][h]\n", "", 1,
          "t.csv:2:4 unexpected quote inside an unquoted field");
}

static void
test_csvparse_reports_column_of_stray_quote(void **state)
{
    (void)state;
    CHECK(STRICT, "a,b\nc,d\"e,f\ng,h\n", TALLY_EDATA, "1[a][b]\n",
          "t.csv:2:4: unexpected quote inside an unquoted field", 0, "");
    /* No trimming: a space before a quote makes the field unquoted. */
    CHECK(STRICT, "a, \"b\"\n", TALLY_EDATA, "",
          "t.csv:1:4: unexpected quote inside an unquoted field", 0, "");
}

static void
test_csvparse_skips_text_after_closing_quote_when_lenient(void **state)
{
    (void)state;
    CHECK(LENIENT, "\"ab\"c,d\ne,f\n", TALLY_OK, "2[e][f]\n", "", 1,
          "t.csv:1:5 unexpected text after a closing quote");
    CHECK(LENIENT, "1,\"x\" ,2\r\n3,4\r\n", TALLY_OK, "2[3][4]\n", "", 1,
          "t.csv:1:6 unexpected text after a closing quote");
}

static void
test_csvparse_reports_column_of_text_after_closing_quote(void **state)
{
    (void)state;
    CHECK(STRICT, "x\n\"ab\"c,d\ne,f\n", TALLY_EDATA, "1[x]\n",
          "t.csv:2:5: unexpected text after a closing quote", 0, "");
}

static void
test_csvparse_resyncs_at_next_line_without_leaking_half_row(void **state)
{
    (void)state;
    /* The bad row has complete fields before the fault and an open quote
     * after it; nothing of it may reach the callback. */
    CHECK(LENIENT, "x,\"a\"b,\"c\nnext,row\n\"m\nn\"o\nlast\n", TALLY_OK, "2[next][row]\n5[last]\n",
          "", 2, "t.csv:1:6 unexpected text after a closing quote");
}

static void
test_csvparse_skips_unterminated_quote_at_end_when_lenient(void **state)
{
    (void)state;
    CHECK(LENIENT, "a,b\nc,\"d\ne\n", TALLY_OK, "1[a][b]\n", "", 1,
          "t.csv:2:3 unterminated quoted field at end of file");
    CHECK(LENIENT, "a,b\n\"", TALLY_OK, "1[a][b]\n", "", 1,
          "t.csv:2:1 unterminated quoted field at end of file");
}

static void
test_csvparse_reports_unterminated_quote_at_its_opening(void **state)
{
    (void)state;
    CHECK(STRICT, "a\nb\nc\nd\ne\nf\n\"g\n\nh", TALLY_EDATA, "1[a]\n2[b]\n3[c]\n4[d]\n5[e]\n6[f]\n",
          "t.csv:7:1: unterminated quoted field at end of file", 0, "");
    /* The open quote is the last one, after closed ones and doubled ones. */
    CHECK(STRICT, "\"a\nb\",\"c\"\"\nd\"\"\",\"e\r\nf", TALLY_EDATA, "",
          "t.csv:3:6: unterminated quoted field at end of file", 0, "");
}

#define HEADED_LENIENT ((struct parse_cfg){{',', false, 0, 0}, true, 0})
#define HEADED_STRICT ((struct parse_cfg){{',', true, 0, 0}, true, 0})

static void
test_csvparse_skips_rows_with_wrong_field_count_when_lenient(void **state)
{
    (void)state;
    CHECK(HEADED_LENIENT, "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n", TALLY_OK,
          "1[a][b][c]\n2[1][2][3]\n5[10][11][12]\n", "", 2, "t.csv:3:0 expected 3 fields, got 2");
}

static void
test_csvparse_reports_wrong_field_count_when_strict(void **state)
{
    (void)state;
    CHECK(HEADED_STRICT, "a,b,c\n1,2,3\n\"x\ny\",5\n", TALLY_EDATA, "1[a][b][c]\n2[1][2][3]\n",
          "t.csv:3: expected 3 fields, got 2", 0, "");
    CHECK(HEADED_STRICT, "a,b,c\n1,2,3,4", TALLY_EDATA, "1[a][b][c]\n",
          "t.csv:2: expected 3 fields, got 4", 0, "");
}

static void
test_csvparse_rejects_too_many_fields_even_when_lenient(void **state)
{
    (void)state;
    struct parse_cfg cfg = {{',', false, 3, 0}, false, 0};
    CHECK(cfg, "a,b,c\n\nd,e,f,g\nh\n", TALLY_EDATA, "1[a][b][c]\n",
          "t.csv:3: record has more than 3 fields", 0, "");
}

static void
test_csvparse_rejects_too_long_record_even_when_lenient(void **state)
{
    (void)state;
    struct parse_cfg cfg = {{',', false, 0, 5}, false, 0};
    CHECK(cfg, "abcde\n\"a\"\"\"\nabcdef\n", TALLY_EDATA, "1[abcde]\n2[a\"]\n",
          "t.csv:3: record longer than 5 bytes", 0, "");
    /* Line ends inside quotes count as bytes of the record. */
    CHECK(cfg, "\"ab\ncd\"\n", TALLY_EDATA, "", "t.csv:1: record longer than 5 bytes", 0, "");
    CHECK(cfg, "\"\n\n\n\n\n\n\"\n", TALLY_EDATA, "", "t.csv:1: record longer than 5 bytes", 0, "");
}

/* Found by fuzz_csvparse: a line longer than the limit with a fault within
 * the limit reported the fault only when the line came in pieces. */
static void
test_csvparse_reports_fault_before_record_limit_at_every_split(void **state)
{
    (void)state;
    struct parse_cfg strict = {{',', true, 0, 5}, false, 0};
    CHECK(strict, "ab\"cdefgh\n", TALLY_EDATA, "",
          "t.csv:1:3: unexpected quote inside an unquoted field", 0, "");
    struct parse_cfg lenient = {{',', false, 0, 5}, false, 0};
    CHECK(lenient, "ab\"cdefgh\nxy\n", TALLY_OK, "2[xy]\n", "", 1,
          "t.csv:1:3 unexpected quote inside an unquoted field");
    CHECK(lenient, "ab\"cdefgh\nxyzuvw\n", TALLY_EDATA, "", "t.csv:2: record longer than 5 bytes",
          1, "t.csv:1:3 unexpected quote inside an unquoted field");
}

/* Found by fuzz_csvparse: a line over both limits named the field limit or
 * the length limit depending on where blocks split it and on which path
 * (fast or libcsv) read it. The field that crosses max_fields wins when it
 * ends within max_record bytes, whatever the split. */
static void
test_csvparse_names_the_same_limit_at_every_split(void **state)
{
    (void)state;
    struct parse_cfg both = {{',', false, 3, 20}, false, 0};
    CHECK(both, "ab,cd,ef,gh,ij,kl,mn,op\n", TALLY_EDATA, "",
          "t.csv:1: record has more than 3 fields", 0, "");
    CHECK(both, "ab,cd,ef,gh,ij,\"k\",mn\n", TALLY_EDATA, "",
          "t.csv:1: record has more than 3 fields", 0, "");
    CHECK(both, "abcdefghijklmnopqrstuvwxyz,b,c,d,e\n", TALLY_EDATA, "",
          "t.csv:1: record longer than 20 bytes", 0, "");
    CHECK(both, "abcdefghijklmnopqrstuvwxyz,b,\"c\",d,e\n", TALLY_EDATA, "",
          "t.csv:1: record longer than 20 bytes", 0, "");
}

static void
test_csvparse_stops_when_callback_fails(void **state)
{
    (void)state;
    struct parse_cfg cfg = {{',', false, 0, 0}, false, 2};
    CHECK(cfg, "a\nb\nc\n", TALLY_EDATA, "1[a]\n", "stopped at row 2", 0, "");
    CHECK(cfg, "a\nb", TALLY_EDATA, "1[a]\n", "stopped at row 2", 0, "");
}

static int
count_row(void *ctx, const struct tally_row *row, struct tally_diag *d)
{
    (void)d;
    char *out = ctx;
    size_t n = strlen(out);
    snprintf(out + n, 256 - n, "%s:%" PRIu64 ":%" PRIu32 " ", row->file, row->line, row->nfields);
    return TALLY_OK;
}

static void
test_csvparse_reset_restarts_lines_and_keeps_skip_count(void **state)
{
    (void)state;
    struct tally_csv_opts o = {',', false, 0, 0};
    struct tally_csvparse *p;
    assert_int_equal(tally_csvparse_new(&p, &o), TALLY_OK);
    struct tally_diag d;
    tally_diag_init(&d);
    char out[256] = "";

    tally_csvparse_reset(p, "a.csv");
    tally_csvparse_expect_fields(p, 2);
    const char a[] = "x,y\n1\n\"open";
    assert_int_equal(tally_csvparse_feed(p, a, sizeof a - 1, count_row, out, &d), TALLY_OK);
    /* A new file before finish: the open quote must not carry over. */
    tally_csvparse_reset(p, "b.csv");
    const char b[] = "1,2,3\n4\n";
    assert_int_equal(tally_csvparse_feed(p, b, sizeof b - 1, count_row, out, &d), TALLY_OK);
    assert_int_equal(tally_csvparse_finish(p, count_row, out, &d), TALLY_OK);
    tally_csvparse_reset(p, "c.csv");
    const char c[] = "\"q";
    assert_int_equal(tally_csvparse_feed(p, c, sizeof c - 1, count_row, out, &d), TALLY_OK);
    assert_int_equal(tally_csvparse_finish(p, count_row, out, &d), TALLY_OK);

    assert_string_equal(out, "a.csv:1:2 b.csv:1:3 b.csv:2:1 ");
    const struct tally_skipstat *s = tally_csvparse_skipped(p);
    assert_int_equal(s->count, 2);
    assert_string_equal(s->first_file, "a.csv");
    assert_int_equal(s->first_line, 2);
    assert_string_equal(s->first_why, "expected 2 fields, got 1");
    assert_int_equal(d.status, TALLY_OK);
    tally_csvparse_free(p);
}

static void
test_csvparse_rejects_quote_or_newline_as_delimiter(void **state)
{
    (void)state;
    struct tally_csvparse *p = NULL;
    struct tally_csv_opts o = {'"', false, 0, 0};
    assert_int_equal(tally_csvparse_new(&p, &o), TALLY_EUSAGE);
    assert_null(p);
    o.delim = '\n';
    assert_int_equal(tally_csvparse_new(&p, &o), TALLY_EUSAGE);
    tally_csvparse_free(NULL);
}

static void
test_csvparse_handles_long_fields_and_many_fields(void **state)
{
    (void)state;
    /* Longer than libcsv's and our first buffers, quoted and not. */
    size_t n = 300000;
    char *in = malloc(2 * n + 16);
    assert_non_null(in);
    size_t len = 0;
    in[len++] = '"';
    for (size_t i = 0; i < n; i++)
        in[len++] = i % 1000 == 999 ? '\n' : (char)('a' + i % 26);
    in[len++] = '"';
    in[len++] = '\n';
    for (size_t i = 0; i < 5000; i++) {
        in[len++] = 'x';
        in[len++] = ',';
    }
    in[len++] = 'y';
    struct tally_csv_opts o = {',', true, 0, 0};
    struct mode modes[TALLY_SIMD_COUNT + 1];
    size_t nmodes = all_modes(modes);
    for (size_t mi = 0; mi < nmodes; mi++) {
        struct tally_csvparse *p = new_parser(&o, modes[mi]);
        tally_csvparse_reset(p, "t.csv");
        char out[256] = "";
        struct tally_diag d;
        tally_diag_init(&d);
        for (size_t off = 0; off < len; off += 65536) {
            size_t k = len - off < 65536 ? len - off : 65536;
            assert_int_equal(tally_csvparse_feed(p, in + off, k, count_row, out, &d), TALLY_OK);
        }
        assert_int_equal(tally_csvparse_finish(p, count_row, out, &d), TALLY_OK);
        assert_string_equal(out, "t.csv:1:1 t.csv:302:5001 ");
        tally_csvparse_free(p);
    }
    free(in);
}

/* csv-spectrum: the public test suite, compared with its json/ answers
 * (written out here as rows, the header row first). */
struct spectrum_case {
    const char *name;
    const char *rows;
};

static const struct spectrum_case spectrum[] = {
    {"simple.csv", "1[a][b][c]\n2[1][2][3]\n"},
    {"simple_crlf.csv", "1[a][b][c]\n2[1][2][3]\n"},
    {"comma_in_quotes.csv",
     "1[first][last][address][city][zip]\n2[John][Doe][120 any st.][Anytown, WW][08123]\n"},
    {"escaped_quotes.csv", "1[a][b]\n2[1][ha \"ha\" ha]\n3[3][4]\n"},
    {"newlines.csv", "1[a][b][c]\n2[1][2][3]\n3[Once upon \na time][5][6]\n5[7][8][9]\n"},
    {"newlines_crlf.csv", "1[a][b][c]\n2[1][2][3]\n3[Once upon \r\na time][5][6]\n5[7][8][9]\n"},
    {"quotes_and_newlines.csv", "1[a][b]\n2[1][ha \n\"ha\" \nha]\n5[3][4]\n"},
    {"empty.csv", "1[a][b][c]\n2[1][][]\n3[2][3][4]\n"},
    {"empty_crlf.csv", "1[a][b][c]\n2[1][][]\n3[2][3][4]\n"},
    {"utf8.csv", "1[a][b][c]\n2[1][2][3]\n3[4][5][\xca\xa4]\n"},
    {"json.csv", "1[key][val]\n2[1][{\"type\": \"Point\", \"coordinates\": [102.0, 0.5]}]\n"},
};

static void
test_csvparse_matches_csv_spectrum_answers(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/csv-suite/csv-spectrum/csvs", realdata_dir());
    size_t checked = 0;
    for (size_t i = 0; i < sizeof spectrum / sizeof spectrum[0]; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, spectrum[i].name);
        FILE *f = fopen(path, "rb");
        if (!f)
            fail_msg("cannot open %s", path);
        char buf[4096];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        struct parse_cfg cfg = {{',', true, 0, 0}, true, 0};
        check_cfg(&cfg, buf, len, TALLY_OK, spectrum[i].rows, "", 0, "");
        checked++;
    }
    /* Every other file of the suite parses cleanly in strict mode too, but
     * for one whose unquoted field holds a bare quote (37.8"N): broken
     * quoting by our rules, found at its exact column. */
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    struct dirent *e;
    size_t all = 0;
    while ((e = readdir(dp))) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 4, ".csv") != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        char buf[4096];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        struct result *r = calloc(1, sizeof *r);
        assert_non_null(r);
        struct parse_cfg cfg = {{',', true, 0, 0}, true, 0};
        parse_in_chunks(&cfg, buf, len, len ? len : 1, r);
        if (strcmp(e->d_name, "location_coordinates.csv") == 0)
            assert_string_equal(r->msg, "t.csv:2:24: unexpected quote inside an unquoted field");
        else if (r->rc != TALLY_OK)
            fail_msg("%s: %s", e->d_name, r->msg);
        free(r->rows);
        free(r);
        all++;
    }
    closedir(dp);
    assert_true(all >= checked);
}

/* Differential: the fast path gives what libcsv alone gives (rows, line
 * numbers, status, message, skipped rows) for the same input cut the same
 * way. */
static void
compare_paths(const struct parse_cfg *cfg, const char *in, size_t len, size_t chunk,
              const char *what, struct result *want, struct result *got)
{
    struct mode modes[TALLY_SIMD_COUNT + 1];
    size_t nmodes = all_modes(modes);
    parse_mode_in_chunks(cfg, modes[0], in, len, chunk, want);
    for (size_t mi = 1; mi < nmodes; mi++) {
        parse_mode_in_chunks(cfg, modes[mi], in, len, chunk, got);
        if (got->rc != want->rc || got->len != want->len ||
            memcmp(got->rows, want->rows, want->len) != 0 || strcmp(got->msg, want->msg) != 0 ||
            got->skipped != want->skipped || strcmp(got->first, want->first) != 0)
            fail_msg(
                "%s, kernel %s, chunk %zu: fast path gives rc %d \"%s\" skipped %" PRIu64
                " %s (%zu bytes of rows), libcsv rc %d \"%s\" skipped %" PRIu64 " %s (%zu bytes)",
                what, tally_csvscan_name(modes[mi].simd), chunk, got->rc, got->msg, got->skipped,
                got->first, got->len, want->rc, want->msg, want->skipped, want->first, want->len);
    }
}

static void
test_csvparse_fast_path_matches_libcsv_on_random_inputs(void **state)
{
    (void)state;
    /* Quotes and line ends often, so that every path is taken. */
    static const char alphabet[] = "aab,,,\"\r\n\n ;";
    const struct parse_cfg cfgs[] = {
        {{',', false, 0, 0}, false, 0}, {{',', true, 0, 0}, false, 0},
        {{',', false, 0, 0}, true, 0},  {{',', true, 0, 0}, true, 0},
        {{';', false, 0, 0}, true, 0},  {{',', false, 3, 0}, false, 0},
        {{',', false, 0, 9}, true, 0},  {{',', false, 0, 0}, false, 3},
    };
    struct result *want = calloc(1, sizeof *want), *got = calloc(1, sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    uint64_t x = 0x2545f4914f6cdd1du;
    char in[160];
    for (int iter = 0; iter < 1200; iter++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t len = (size_t)(x % sizeof in);
        /* Some inputs hold no quote at all: the fast path end to end. */
        bool quotes = iter % 3 != 0;
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char c = alphabet[(x >> 11) % (sizeof alphabet - 1)];
            in[i] = c == '"' && !quotes ? 'q' : c;
        }
        const struct parse_cfg *cfg = &cfgs[iter % (sizeof cfgs / sizeof cfgs[0])];
        for (size_t chunk = 1; chunk <= (len ? len : 1); chunk++)
            compare_paths(cfg, in, len, chunk, "random input", want, got);
    }
    free(want->rows);
    free(got->rows);
    free(want);
    free(got);
}

/* Every file under dir, recursively, through both paths, strict and
 * lenient, whole and in a few chunk sizes (every one for small files). */
static size_t
compare_tree(const char *dir, struct result *want, struct result *got)
{
    DIR *dp = opendir(dir);
    if (!dp)
        fail_msg("cannot open %s", dir);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        DIR *sub = opendir(path);
        if (sub) {
            closedir(sub);
            files += compare_tree(path, want, got);
            continue;
        }
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        long size = ftell(f);
        assert_true(size >= 0);
        rewind(f);
        char *buf = malloc((size_t)size + 1);
        assert_non_null(buf);
        size_t len = fread(buf, 1, (size_t)size, f);
        fclose(f);
        size_t n = strlen(e->d_name);
        bool tabs = n > 4 && (strcmp(e->d_name + n - 4, ".tsv") == 0 ||
                              strcmp(e->d_name + n - 4, ".tab") == 0);
        for (int strict = 0; strict < 2; strict++) {
            struct parse_cfg cfg = {{tabs ? '\t' : ',', strict != 0, 0, 0}, true, 0};
            static const size_t chunks[] = {1u << 20, 4093, 61};
            compare_paths(&cfg, buf, len, len ? len : 1, path, want, got);
            for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++)
                if (chunks[c] < len)
                    compare_paths(&cfg, buf, len, chunks[c], path, want, got);
            if (len <= 400)
                for (size_t chunk = 1; chunk < len; chunk++)
                    compare_paths(&cfg, buf, len, chunk, path, want, got);
        }
        free(buf);
        files++;
    }
    closedir(dp);
    return files;
}

static void
test_csvparse_fast_path_matches_libcsv_on_real_files(void **state)
{
    (void)state;
    struct result *want = calloc(1, sizeof *want), *got = calloc(1, sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/csv", realdata_dir());
    size_t files = compare_tree(dir, want, got);
    snprintf(dir, sizeof dir, "%s/csv-suite", realdata_dir());
    files += compare_tree(dir, want, got);
    assert_true(files > 100);
    free(want->rows);
    free(got->rows);
    free(want);
    free(got);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csvparse_splits_plain_fields_and_numbers_lines),
        cmocka_unit_test(test_csvparse_keeps_delimiters_inside_quotes),
        cmocka_unit_test(test_csvparse_turns_doubled_quotes_into_one),
        cmocka_unit_test(test_csvparse_keeps_lf_and_crlf_inside_quotes_exactly),
        cmocka_unit_test(test_csvparse_accepts_cr_only_line_ends),
        cmocka_unit_test(test_csvparse_accepts_mixed_line_ends),
        cmocka_unit_test(test_csvparse_submits_last_row_without_final_newline),
        cmocka_unit_test(test_csvparse_keeps_empty_and_empty_quoted_fields),
        cmocka_unit_test(test_csvparse_keeps_spaces_around_fields),
        cmocka_unit_test(test_csvparse_reads_tsv_with_quotes),
        cmocka_unit_test(test_csvparse_skips_blank_lines_but_counts_them),
        cmocka_unit_test(test_csvparse_numbers_rows_after_multiline_record),
        cmocka_unit_test(test_csvparse_skips_stray_quote_in_unquoted_field_when_lenient),
        cmocka_unit_test(test_csvparse_reports_column_of_stray_quote),
        cmocka_unit_test(test_csvparse_skips_text_after_closing_quote_when_lenient),
        cmocka_unit_test(test_csvparse_reports_column_of_text_after_closing_quote),
        cmocka_unit_test(test_csvparse_resyncs_at_next_line_without_leaking_half_row),
        cmocka_unit_test(test_csvparse_skips_unterminated_quote_at_end_when_lenient),
        cmocka_unit_test(test_csvparse_reports_unterminated_quote_at_its_opening),
        cmocka_unit_test(test_csvparse_skips_rows_with_wrong_field_count_when_lenient),
        cmocka_unit_test(test_csvparse_reports_wrong_field_count_when_strict),
        cmocka_unit_test(test_csvparse_rejects_too_many_fields_even_when_lenient),
        cmocka_unit_test(test_csvparse_rejects_too_long_record_even_when_lenient),
        cmocka_unit_test(test_csvparse_reports_fault_before_record_limit_at_every_split),
        cmocka_unit_test(test_csvparse_names_the_same_limit_at_every_split),
        cmocka_unit_test(test_csvparse_stops_when_callback_fails),
        cmocka_unit_test(test_csvparse_reset_restarts_lines_and_keeps_skip_count),
        cmocka_unit_test(test_csvparse_rejects_quote_or_newline_as_delimiter),
        cmocka_unit_test(test_csvparse_handles_long_fields_and_many_fields),
        cmocka_unit_test(test_csvparse_fast_path_matches_libcsv_on_random_inputs),
    };
    const struct CMUnitTest realdata_tests[] = {
        cmocka_unit_test(test_csvparse_matches_csv_spectrum_answers),
        cmocka_unit_test(test_csvparse_fast_path_matches_libcsv_on_real_files),
    };
    if (realdata_group(argc, argv))
        return cmocka_run_group_tests(realdata_tests, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
