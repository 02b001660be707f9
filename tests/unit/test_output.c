/* Output writers: golden strings for every format, the table's hold-back
 * at every split point, chart scaling, and the write error paths. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "output_int.h"
#include "tally/output.h"
#include "tally/status.h"
#include "tally/value.h"

#define I(x)                                                                                       \
    {                                                                                              \
        .kind = TALLY_VAL_INT, .i = (x)                                                            \
    }
#define R(x)                                                                                       \
    {                                                                                              \
        .kind = TALLY_VAL_REAL, .d = (x)                                                           \
    }
#define RIN(x)                                                                                     \
    {                                                                                              \
        .kind = TALLY_VAL_REAL, .d = (x), .as_input = true                                         \
    }
#define T(lit)                                                                                     \
    {                                                                                              \
        .kind = TALLY_VAL_TEXT, .s = {(lit), sizeof(lit) - 1 }                                     \
    }
#define E                                                                                          \
    {                                                                                              \
        .kind = TALLY_VAL_EMPTY                                                                    \
    }

struct run {
    enum tally_format f;
    struct tally_output_opts o;
    const struct tally_column *cols;
    uint32_t ncols;
    const struct tally_value *rows; /* nrows * ncols */
    size_t nrows;
    size_t hold_limit; /* 0: the default */
};

static const struct tally_output_opts plain = {.header = true};
static const struct tally_output_opts noheader = {.header = false};

/* Reads everything written to fd (a temp file) back as a NUL-terminated string. */
static char *
slurp(int fd, size_t *lenp)
{
    off_t end = lseek(fd, 0, SEEK_END);
    assert_true(end >= 0);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    char *buf = malloc((size_t)end + 1);
    assert_non_null(buf);
    size_t got = 0;
    while (got < (size_t)end) {
        ssize_t k = read(fd, buf + got, (size_t)end - got);
        assert_true(k > 0);
        got += (size_t)k;
    }
    buf[got] = '\0';
    if (lenp)
        *lenp = got;
    return buf;
}

static int
temp_fd(void)
{
    char path[] = "/tmp/tally-test-output-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    return fd;
}

static char *
render(const struct run *r)
{
    int fd = temp_fd();
    struct tally_writer *w;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_output_open(&w, r->f, fd, &r->o), TALLY_OK);
    if (r->hold_limit)
        tally_output_set_hold_limit(w, r->hold_limit);
    assert_int_equal(tally_output_begin(w, r->cols, r->ncols, &d), TALLY_OK);
    for (size_t i = 0; i < r->nrows; i++)
        assert_int_equal(tally_output_row(w, r->rows + i * r->ncols, &d), TALLY_OK);
    assert_int_equal(tally_output_end(w, &d), TALLY_OK);
    tally_output_free(w);
    assert_int_equal(d.status, TALLY_OK);
    char *out = slurp(fd, NULL);
    close(fd);
    return out;
}

static void
expect(const struct run *r, const char *want)
{
    char *got = render(r);
    assert_string_equal(got, want);
    free(got);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define RUN(fmt, opts, cols, rows)                                                                 \
    ((struct run){(fmt), (opts), (cols), COUNT(cols), (rows), COUNT(rows) / COUNT(cols), 0})
#define RUN0(fmt, opts, cols) ((struct run){(fmt), (opts), (cols), COUNT(cols), NULL, 0, 0})

static const struct tally_column status_count[] = {{"status", false}, {"count", true}};
static const struct tally_value status_rows[] = {T("200"), I(3), T("404"), I(1)};

/* ---- format names ---- */

static void
test_format_parse_knows_every_format_name(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum tally_format f;
    } names[] = {{"table", TALLY_FMT_TABLE}, {"csv", TALLY_FMT_CSV},
                 {"tsv", TALLY_FMT_TSV},     {"json", TALLY_FMT_JSON},
                 {"jsonl", TALLY_FMT_JSONL}, {"markdown", TALLY_FMT_MARKDOWN},
                 {"chart", TALLY_FMT_CHART}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        enum tally_format f = TALLY_FMT_CSV;
        assert_true(tally_format_parse(names[i].name, &f));
        assert_int_equal(f, names[i].f);
    }
    enum tally_format f;
    assert_false(tally_format_parse("xml", &f));
    assert_false(tally_format_parse("CSV", &f));
    assert_false(tally_format_parse("", &f));
    assert_false(tally_format_parse("js", &f));
}

/* ---- csv ---- */

static void
test_csv_prints_header_then_rows(void **state)
{
    (void)state;
    expect(&RUN(TALLY_FMT_CSV, plain, status_count, status_rows), "status,count\n200,3\n404,1\n");
}

static void
test_csv_omits_header_when_asked(void **state)
{
    (void)state;
    expect(&RUN(TALLY_FMT_CSV, noheader, status_count, status_rows), "200,3\n404,1\n");
}

static void
test_csv_with_no_rows_prints_only_the_header(void **state)
{
    (void)state;
    expect(&RUN0(TALLY_FMT_CSV, plain, status_count), "status,count\n");
    expect(&RUN0(TALLY_FMT_CSV, noheader, status_count), "");
}

static void
test_csv_quotes_only_fields_holding_comma_quote_cr_or_lf(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"a,b", false}, {"q\"", false}, {"cr", false},
                                               {"lf", false},  {"sp", false},  {"tab", false},
                                               {"bs", false}};
    static const struct tally_value rows[] = {T("x,y"),   T("say \"hi\""), T("a\rb"),  T("l1\nl2"),
                                              T(" pad "), T("t\tu"),       T("back\\")};
    expect(&RUN(TALLY_FMT_CSV, plain, cols, rows), "\"a,b\",\"q\"\"\",cr,lf,sp,tab,bs\n"
                                                   "\"x,y\",\"say \"\"hi\"\"\",\"a\rb\",\"l1\nl2\","
                                                   " pad ,t\tu,back\\\n");
}

static void
test_csv_quotes_a_field_that_is_only_quotes(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"v", false}};
    static const struct tally_value rows[] = {T("\""), T("\"\""), T(",")};
    expect(&RUN(TALLY_FMT_CSV, noheader, cols, rows), "\"\"\"\"\n\"\"\"\"\"\"\n\",\"\n");
}

static void
test_csv_prints_empty_values_as_empty_cells(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"key", false}, {"sum", true}, {"first", true}};
    static const struct tally_value rows[] = {E, E, T(""), T("k"), E, E};
    expect(&RUN(TALLY_FMT_CSV, plain, cols, rows), "key,sum,first\n,,\nk,,\n");
}

/* A record of one empty field is "", not a blank line (which reads back as
 * no record); with two columns an empty cell stays empty. */
static void
test_csv_quotes_the_only_field_when_it_is_empty(void **state)
{
    (void)state;
    static const struct tally_column one[] = {{"", false}};
    static const struct tally_value rows[] = {T(""), T("x"), E};
    expect(&RUN(TALLY_FMT_CSV, plain, one, rows), "\"\"\n\"\"\nx\n\"\"\n");
    expect(&RUN(TALLY_FMT_CSV, noheader, one, rows), "\"\"\nx\n\"\"\n");
    static const struct tally_column two[] = {{"", false}, {"", false}};
    static const struct tally_value rows2[] = {T(""), E, T(""), T("x")};
    expect(&RUN(TALLY_FMT_CSV, plain, two, rows2), ",\n,\n,x\n");
}

/* In TSV every line is a record: one empty field is an empty line. */
static void
test_tsv_prints_the_only_field_empty_as_an_empty_line(void **state)
{
    (void)state;
    static const struct tally_column one[] = {{"", false}};
    static const struct tally_value rows[] = {T(""), T("x"), E};
    expect(&RUN(TALLY_FMT_TSV, plain, one, rows), "\n\nx\n\n");
}

static void
test_csv_prints_numbers_in_shortest_form(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"n", true}};
    static const struct tally_value rows[] = {I(0),         I(-42), I(INT64_MIN), R(0.1),
                                              R(1e21),      R(2.5), R(1.0 / 3),   R(INFINITY),
                                              R(-INFINITY), R(NAN), R(1e-7),      R(100.0)};
    expect(&RUN(TALLY_FMT_CSV, noheader, cols, rows), "0\n-42\n-9223372036854775808\n0.1\n1e+21\n"
                                                      "2.5\n0.3333333333333333\ninf\n-inf\nnan\n"
                                                      "1e-07\n100\n");
}

/* A field longer than the buffer is written through, in order. */
static void
test_csv_writes_output_larger_than_the_buffer_in_order(void **state)
{
    (void)state;
    size_t big = OUT_BUFSIZE + 12345;
    char *text = malloc(big);
    assert_non_null(text);
    for (size_t i = 0; i < big; i++)
        text[i] = (char)('a' + i % 26);
    static const struct tally_column cols[] = {{"n", true}, {"text", false}};
    size_t nrows = 20000;
    struct tally_value *rows = calloc(nrows * 2, sizeof *rows);
    assert_non_null(rows);
    for (size_t i = 0; i < nrows; i++) {
        rows[2 * i].kind = TALLY_VAL_INT;
        rows[2 * i].i = (int64_t)i;
        rows[2 * i + 1].kind = TALLY_VAL_TEXT;
        rows[2 * i + 1].s.ptr = text;
        rows[2 * i + 1].s.len = i == 7000 ? big : 3 + i % 5;
    }
    char *got = render(&(struct run){TALLY_FMT_CSV, noheader, cols, 2, rows, nrows, 0});
    const char *p = got;
    for (size_t i = 0; i < nrows; i++) {
        char num[32];
        int n = snprintf(num, sizeof num, "%zu,", i);
        assert_memory_equal(p, num, (size_t)n);
        p += n;
        size_t len = rows[2 * i + 1].s.len;
        assert_memory_equal(p, text, len);
        p += len;
        assert_int_equal(*p, '\n');
        p++;
    }
    assert_int_equal(*p, '\0');
    free(got);
    free(rows);
    free(text);
}

/* ---- tsv ---- */

static void
test_tsv_prints_header_then_tab_separated_rows(void **state)
{
    (void)state;
    expect(&RUN(TALLY_FMT_TSV, plain, status_count, status_rows),
           "status\tcount\n200\t3\n404\t1\n");
    expect(&RUN(TALLY_FMT_TSV, noheader, status_count, status_rows), "200\t3\n404\t1\n");
    expect(&RUN0(TALLY_FMT_TSV, plain, status_count), "status\tcount\n");
}

static void
test_tsv_escapes_backslash_tab_lf_and_cr(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"a\tb", false}, {"v", false}};
    static const struct tally_value rows[] = {T("t\tu"),  T("x\\y\nz\r"), T("\\"),
                                              T("\\\\t"), T("a,\"b\""),   T("")};
    expect(&RUN(TALLY_FMT_TSV, plain, cols, rows),
           "a\\tb\tv\nt\\tu\tx\\\\y\\nz\\r\n\\\\\t\\\\\\\\t\na,\"b\"\t\n");
}

static void
test_tsv_prints_numbers_and_empty_values(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"k", false}, {"mean", true}};
    static const struct tally_value rows[] = {E, R(0.1), I(7), E, T("x"), R(NAN)};
    expect(&RUN(TALLY_FMT_TSV, noheader, cols, rows), "\t0.1\n7\t\nx\tnan\n");
}

/* ---- json, jsonl ---- */

static void
test_json_prints_one_array_with_an_object_per_line(void **state)
{
    (void)state;
    expect(&RUN(TALLY_FMT_JSON, plain, status_count, status_rows),
           "[\n{\"status\":\"200\",\"count\":3},\n{\"status\":\"404\",\"count\":1}\n]\n");
}

static void
test_json_with_no_rows_prints_an_empty_array(void **state)
{
    (void)state;
    expect(&RUN0(TALLY_FMT_JSON, plain, status_count), "[]\n");
}

static void
test_json_ignores_no_header(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"n", true}};
    static const struct tally_value rows[] = {I(1)};
    expect(&RUN(TALLY_FMT_JSON, noheader, cols, rows), "[\n{\"n\":1}\n]\n");
    expect(&RUN(TALLY_FMT_JSONL, noheader, cols, rows), "{\"n\":1}\n");
}

static void
test_jsonl_prints_one_object_per_line_and_nothing_else(void **state)
{
    (void)state;
    expect(&RUN(TALLY_FMT_JSONL, plain, status_count, status_rows),
           "{\"status\":\"200\",\"count\":3}\n{\"status\":\"404\",\"count\":1}\n");
    expect(&RUN0(TALLY_FMT_JSONL, plain, status_count), "");
}

static void
test_json_prints_computed_numbers_bare_and_input_values_as_strings(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"key", false}, {"n", true},    {"mean", true},
                                               {"big", true},  {"sum", true},  {"mode", true},
                                               {"inf", true},  {"ninf", true}, {"nan", true},
                                               {"k2", false},  {"k3", false},  {"k4", false}};
    static const struct tally_value rows[] = {T("GET"), I(-3),     R(0.1),      R(1e21),
                                              E,        T("a\"b"), R(INFINITY), R(-INFINITY),
                                              R(NAN),   I(200),    R(2.5),      E};
    expect(&RUN(TALLY_FMT_JSONL, plain, cols, rows),
           "{\"key\":\"GET\",\"n\":-3,\"mean\":0.1,\"big\":1e+21,\"sum\":null,"
           "\"mode\":\"a\\\"b\",\"inf\":null,\"ninf\":null,\"nan\":null,\"k2\":\"200\","
           "\"k3\":\"2.5\",\"k4\":\"\"}\n");
}

static void
test_json_escapes_quotes_backslashes_and_control_bytes(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"k\"\\\n", false}};
    static const struct tally_value rows[] = {T("\"\\\n\r\t\b\f\x01\x1f\x7f /<>'")};
    expect(&RUN(TALLY_FMT_JSONL, plain, cols, rows),
           "{\"k\\\"\\\\\\n\":\"\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f /<>'\"}\n");
}

static void
test_json_escapes_a_nul_byte(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"v", false}};
    static const struct tally_value rows[] = {{.kind = TALLY_VAL_TEXT, .s = {"a\0b", 3}}};
    expect(&RUN(TALLY_FMT_JSONL, plain, cols, rows), "{\"v\":\"a\\u0000b\"}\n");
}

static void
test_json_passes_valid_utf8_through(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"caf\xc3\xa9", false}};
    static const struct tally_value rows[] = {
        T("\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf")};
    expect(&RUN(TALLY_FMT_JSONL, plain, cols, rows),
           "{\"caf\xc3\xa9\":\"\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 \xef\xbf\xbf "
           "\xf4\x8f\xbf\xbf\"}\n");
}

static void
test_json_replaces_each_invalid_utf8_byte_with_fffd(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"v", false}};
    static const struct tally_value rows[] = {
        T("a\xff"),            /* never valid */
        T("\xc0\xaf"),         /* overlong '/' */
        T("\xed\xa0\x80"),     /* surrogate D800 */
        T("\xf4\x90\x80\x80"), /* above U+10FFFF */
        T("\xe6\x97"),         /* truncated at the end */
        T("\xe6\x97x"),        /* truncated before ASCII */
        T("\x80\xc3\xa9"),     /* stray continuation, then a valid one */
    };
    expect(&RUN(TALLY_FMT_JSONL, plain, cols, rows), "{\"v\":\"a\\ufffd\"}\n"
                                                     "{\"v\":\"\\ufffd\\ufffd\"}\n"
                                                     "{\"v\":\"\\ufffd\\ufffd\\ufffd\"}\n"
                                                     "{\"v\":\"\\ufffd\\ufffd\\ufffd\\ufffd\"}\n"
                                                     "{\"v\":\"\\ufffd\\ufffd\"}\n"
                                                     "{\"v\":\"\\ufffd\\ufffdx\"}\n"
                                                     "{\"v\":\"\\ufffd\xc3\xa9\"}\n");
}

/* ---- table ---- */

static const struct tally_column table_cols[] = {
    {"status", false}, {"path", false}, {"count", true}};
static const struct tally_value table_rows[] = {T("200"), T("/"),        I(12345),
                                                T("404"), T("/missing"), I(1)};

static void
test_table_aligns_text_left_and_numbers_right(void **state)
{
    (void)state;
    expect(&RUN(TALLY_FMT_TABLE, plain, table_cols, table_rows), "status  path      count\n"
                                                                 "------  --------  -----\n"
                                                                 "   200  /         12345\n"
                                                                 "   404  /missing      1\n");
}

static void
test_table_without_header_sizes_columns_from_the_data(void **state)
{
    (void)state;
    expect(&RUN(TALLY_FMT_TABLE, noheader, table_cols, table_rows), "200  /         12345\n"
                                                                    "404  /missing      1\n");
}

static void
test_table_with_no_rows_prints_header_and_rule(void **state)
{
    (void)state;
    expect(&RUN0(TALLY_FMT_TABLE, plain, table_cols), "status  path  count\n"
                                                      "------  ----  -----\n");
    expect(&RUN0(TALLY_FMT_TABLE, noheader, table_cols), "");
}

static void
test_table_leaves_no_trailing_spaces(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"a", false}, {"b", false}};
    static const struct tally_value rows[] = {T("x"), T("long"), T("yy"), E,
                                              E,      T("z "),   T("w"),  T("")};
    expect(&RUN(TALLY_FMT_TABLE, plain, cols, rows), "a   b\n"
                                                     "--  ----\n"
                                                     "x   long\n"
                                                     "yy\n"
                                                     "    z\n"
                                                     "w\n");
}

static void
test_table_right_aligns_only_columns_whose_values_all_read_as_numbers(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {
        {"num", false}, {"mixed", false}, {"blank", false}, {"agg", true}};
    static const struct tally_value rows[] = {T("1.5"), T("10"), E,        T("alpha"), E, T("x"),
                                              E,        T("b"),  T("-20"), T("7"),     E, E};
    expect(&RUN(TALLY_FMT_TABLE, plain, cols, rows), "num  mixed  blank    agg\n"
                                                     "---  -----  -----  -----\n"
                                                     "1.5  10            alpha\n"
                                                     "     x                 b\n"
                                                     "-20  7\n");
}

static void
test_table_shows_control_characters_escaped(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"v", false}, {"n", true}};
    static const struct tally_value rows[] = {T("a\nb\tc\rd\x1b[31m\x7f"), I(1), T("\xc2\x85"),
                                              I(2)};
    expect(&RUN(TALLY_FMT_TABLE, plain, cols, rows), "v                       n\n"
                                                     "----------------------  -\n"
                                                     "a\\nb\\tc\\rd\\x1b[31m\\x7f  1\n"
                                                     "\\u0085                  2\n");
}

static void
test_table_measures_wide_characters_by_display_width(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"name", false}, {"n", true}};
    static const struct tally_value rows[] = {
        T("\xe6\x97\xa5\xe6\x9c\xac"),
        I(1), /* two CJK ideographs: 4 columns */
        T("caf\xc3\xa9"),
        I(2), /* precomposed e-acute: 4 */
        T("cafe\xcc\x81"),
        I(3), /* e + combining acute: 4 */
        T("\xf0\x9f\x98\x80!"),
        I(4), /* emoji + '!': 3 */
        T("\xef\xbc\xa1"),
        I(5), /* fullwidth A: 2 */
        T("\xff\xfe"),
        I(6), /* two invalid bytes: 2 */
    };
    expect(&RUN(TALLY_FMT_TABLE, plain, cols, rows), "name  n\n"
                                                     "----  -\n"
                                                     "\xe6\x97\xa5\xe6\x9c\xac  1\n"
                                                     "caf\xc3\xa9  2\n"
                                                     "cafe\xcc\x81  3\n"
                                                     "\xf0\x9f\x98\x80!   4\n"
                                                     "\xef\xbc\xa1    5\n"
                                                     "\xff\xfe    6\n");
}

static void
test_table_colours_only_the_header_in_bold(void **state)
{
    (void)state;
    struct tally_output_opts o = {.header = true, .color = true};
    expect(&RUN(TALLY_FMT_TABLE, o, status_count, status_rows), "\033[1mstatus  count\033[0m\n"
                                                                "------  -----\n"
                                                                "   200      3\n"
                                                                "   404      1\n");
}

static void
test_table_does_not_truncate_long_values(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"v", false}};
    char longv[301];
    memset(longv, 'x', 300);
    longv[300] = '\0';
    struct tally_value rows[] = {{.kind = TALLY_VAL_TEXT, .s = {longv, 300}}};
    char want[700];
    snprintf(want, sizeof want, "%s\n", longv);
    expect(&RUN(TALLY_FMT_TABLE, noheader, cols, rows), want);
}

/* Whatever the hold-back limit, rows whose widest row comes first print the
 * same: every split point between holding and streaming is exercised. */
static void
test_table_prints_the_same_at_every_hold_back_split_point(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"k", false}, {"n", true}};
    static const struct tally_value rows[] = {T("widest"), I(1000), T("a"), I(1),  T("bb"),
                                              I(22),       T("c"),  I(3),   T(""), E};
    const char *want = "k          n\n"
                       "------  ----\n"
                       "widest  1000\n"
                       "a          1\n"
                       "bb        22\n"
                       "c          3\n"
                       "\n";
    for (size_t limit = 1; limit <= 6; limit++) {
        struct run r = RUN(TALLY_FMT_TABLE, plain, cols, rows);
        r.hold_limit = limit;
        expect(&r, want);
        r.f = TALLY_FMT_MARKDOWN;
        expect(&r, "| k      |    n |\n"
                   "| ------ | ---: |\n"
                   "| widest | 1000 |\n"
                   "| a      |    1 |\n"
                   "| bb     |   22 |\n"
                   "| c      |    3 |\n"
                   "|        |      |\n");
    }
}

static void
test_table_streams_rows_past_the_hold_back_limit_with_fixed_widths(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"k", false}, {"v", false}};
    static const struct tally_value rows[] = {T("a"),    T("1"),   T("bb"), T("2"),
                                              T("cccc"), T("333"), T("d"),  T("text")};
    struct run r = RUN(TALLY_FMT_TABLE, noheader, cols, rows);
    r.hold_limit = 2;
    /* Widths and alignment come from the first two rows: a longer cell
     * pushes its line wider, and "text" stays right-aligned. */
    expect(&r, "a   1\n"
               "bb  2\n"
               "cccc  333\n"
               "d   text\n");
}

static void
test_table_holds_back_ten_thousand_rows_by_default(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"k", false}};
    size_t nrows = OUT_HOLD_DEFAULT + 2;
    struct tally_value *rows = calloc(nrows, sizeof *rows);
    assert_non_null(rows);
    for (size_t i = 0; i < nrows; i++) {
        rows[i].kind = TALLY_VAL_TEXT;
        rows[i].s = (struct tally_slice){"ab", 2};
    }
    /* The widest value in the held rows sets the width; the rows after them
     * cannot widen the column any more. */
    rows[OUT_HOLD_DEFAULT - 1].s = (struct tally_slice){"abcdef", 6};
    rows[OUT_HOLD_DEFAULT].s = (struct tally_slice){"abcdefghij", 10};
    char *got = render(&(struct run){TALLY_FMT_TABLE, plain, cols, 1, rows, nrows, 0});
    assert_true(strncmp(got, "k\n------\nab\n", 12) == 0);
    const char *tail = got + strlen(got) - strlen("abcdef\nabcdefghij\nab\n");
    assert_string_equal(tail, "abcdef\nabcdefghij\nab\n");
    free(got);
    free(rows);
}

/* ---- markdown ---- */

static void
test_markdown_prints_a_github_table_with_alignment(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"method", false}, {"count", true}};
    static const struct tally_value rows[] = {T("GET"), I(3), T("DELETE"), I(12)};
    expect(&RUN(TALLY_FMT_MARKDOWN, plain, cols, rows), "| method | count |\n"
                                                        "| ------ | ----: |\n"
                                                        "| GET    |     3 |\n"
                                                        "| DELETE |    12 |\n");
}

static void
test_markdown_always_prints_the_header(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"k", false}, {"n", true}};
    static const struct tally_value rows[] = {T("a"), I(1)};
    expect(&RUN(TALLY_FMT_MARKDOWN, noheader, cols, rows), "| k   |   n |\n"
                                                           "| --- | --: |\n"
                                                           "| a   |   1 |\n");
    expect(&RUN0(TALLY_FMT_MARKDOWN, noheader, cols), "| k   |   n |\n"
                                                      "| --- | --: |\n");
}

static void
test_markdown_escapes_pipes_and_turns_newlines_into_br(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"a|b", false}};
    static const struct tally_value rows[] = {T("x|y"), T("l1\nl2\r\nl3\rl4"), T("t\tu\x01")};
    expect(&RUN(TALLY_FMT_MARKDOWN, plain, cols, rows), "| a\\|b                 |\n"
                                                        "| -------------------- |\n"
                                                        "| x\\|y                 |\n"
                                                        "| l1<br>l2<br>l3<br>l4 |\n"
                                                        "| t u\\x01              |\n");
}

/* ---- chart ---- */

static void
test_chart_scales_the_largest_value_to_fill_the_width(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"status", false}, {"count", true}};
    static const struct tally_value rows[] = {T("200"), I(800),   T("404"), I(100),   T("500"),
                                              I(0),     T("503"), E,        T("301"), R(5.0)};
    /* label 3 + 2 + value 3 + 1 = 9 columns; 20 left for the bars. */
    struct tally_output_opts o = {.header = true, .width = 29};
    expect(&RUN(TALLY_FMT_CHART, o, cols, rows),
           "200  800 \u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588"
           "\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\n"
           "404  100 \u2588\u2588\u258c\n"
           "500    0\n"
           "503\n"
           "301    5 \u258f\n");
}

static void
test_chart_draws_ascii_bars_when_asked(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"status", false}, {"count", true}};
    static const struct tally_value rows[] = {T("200"), I(800), T("404"), I(100), T("500"), I(10)};
    struct tally_output_opts o = {.width = 29, .ascii = true};
    expect(&RUN(TALLY_FMT_CHART, o, cols, rows), "200  800 ####################\n"
                                                 "404  100 ###\n"
                                                 "500   10\n");
}

static void
test_chart_scales_by_the_largest_absolute_value_and_skips_negatives(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"k", false}, {"delta", true}};
    static const struct tally_value rows[] = {T("a"), R(-2.5), T("b"), R(1.25), T("c"), R(NAN)};
    struct tally_output_opts o = {.width = 18, .ascii = true};
    /* label 1 + 2 + value 4 + 1 = 8; 10 bar cells; 1.25 is half of 2.5. */
    expect(&RUN(TALLY_FMT_CHART, o, cols, rows), "a  -2.5\n"
                                                 "b  1.25 #####\n"
                                                 "c   nan\n");
}

static void
test_chart_joins_label_columns_and_numbers_rows_without_labels(void **state)
{
    (void)state;
    static const struct tally_column cols2[] = {{"method", false}, {"status", false}, {"n", true}};
    static const struct tally_value rows2[] = {T("GET"), T("200"), I(4), T("POST"), T("500"), I(2)};
    struct tally_output_opts o = {.width = 20, .ascii = true};
    /* label 8 + 2 + 1 + 1 = 12; 8 left, less than 10, so 10 bar cells. */
    expect(&RUN(TALLY_FMT_CHART, o, cols2, rows2), "GET 200   4 ##########\n"
                                                   "POST 500  2 #####\n");
    static const struct tally_column cols1[] = {{"n", true}};
    static const struct tally_value rows1[] = {I(5), I(10)};
    o.width = 16;
    expect(&RUN(TALLY_FMT_CHART, o, cols1, rows1), "1   5 #####\n"
                                                   "2  10 ##########\n");
}

static void
test_chart_defaults_to_eighty_columns(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"k", false}, {"n", true}};
    static const struct tally_value rows[] = {T("a"), I(2)};
    struct tally_output_opts o = {.ascii = true};
    char want[128];
    /* 80 - (1 + 2 + 1 + 1) = 75 bar cells. */
    int n = snprintf(want, sizeof want, "a  2 ");
    memset(want + n, '#', 75);
    memcpy(want + n + 75, "\n", 2);
    expect(&RUN(TALLY_FMT_CHART, o, cols, rows), want);
}

static void
test_chart_colours_only_the_bars(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"k", false}, {"n", true}};
    static const struct tally_value rows[] = {T("a"), I(2), T("b"), I(0)};
    struct tally_output_opts o = {.width = 15, .ascii = true, .color = true};
    expect(&RUN(TALLY_FMT_CHART, o, cols, rows), "a  2 \033[36m##########\033[0m\n"
                                                 "b  0\n");
}

static void
test_chart_with_no_rows_prints_nothing(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"k", false}, {"n", true}};
    expect(&RUN0(TALLY_FMT_CHART, plain, cols), "");
}

/* ---- write errors ---- */

static void
test_output_to_a_closed_pipe_is_epipe_without_a_message(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    struct tally_writer *w;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_output_open(&w, TALLY_FMT_CSV, p[1], &plain), TALLY_OK);
    assert_int_equal(tally_output_begin(w, status_count, 2, &d), TALLY_OK);
    assert_int_equal(tally_output_row(w, status_rows, &d), TALLY_OK);
    assert_int_equal(tally_output_end(w, &d), TALLY_EPIPE);
    assert_int_equal(d.status, TALLY_OK);
    assert_string_equal(d.msg, "");
    assert_int_equal(tally_output_row(w, status_rows, &d), TALLY_EPIPE);
    assert_int_equal(tally_output_end(w, &d), TALLY_EPIPE);
    tally_output_free(w);
    close(p[1]);
}

static void
test_output_to_a_full_device_is_a_write_error(void **state)
{
    (void)state;
    int fd = open("/dev/full", O_WRONLY);
    if (fd < 0)
        fail_msg("/dev/full: %s", strerror(errno));
    struct tally_writer *w;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_output_open(&w, TALLY_FMT_JSON, fd, &plain), TALLY_OK);
    assert_int_equal(tally_output_begin(w, status_count, 2, &d), TALLY_OK);
    assert_int_equal(tally_output_row(w, status_rows, &d), TALLY_OK);
    assert_int_equal(tally_output_end(w, &d), TALLY_EDATA);
    assert_int_equal(d.status, TALLY_EDATA);
    assert_string_equal(d.msg, "write error: No space left on device");
    assert_int_equal(tally_output_row(w, status_rows, &d), TALLY_EDATA);
    assert_int_equal(tally_output_end(w, &d), TALLY_EDATA);
    tally_output_free(w);
    close(fd);
}

/* A write error met while a row overflows the buffer stops that very call,
 * and nothing more is written afterwards. */
static void
test_output_reports_a_write_error_from_the_row_that_meets_it(void **state)
{
    (void)state;
    int fd = open("/dev/full", O_WRONLY);
    if (fd < 0)
        fail_msg("/dev/full: %s", strerror(errno));
    static const struct tally_column cols[] = {{"v", false}};
    char *big = malloc(OUT_BUFSIZE);
    assert_non_null(big);
    memset(big, 'x', OUT_BUFSIZE);
    struct tally_value row = {.kind = TALLY_VAL_TEXT, .s = {big, OUT_BUFSIZE / 2}};
    struct tally_writer *w;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_output_open(&w, TALLY_FMT_CSV, fd, &noheader), TALLY_OK);
    assert_int_equal(tally_output_begin(w, cols, 1, &d), TALLY_OK);
    assert_int_equal(tally_output_row(w, &row, &d), TALLY_OK);
    assert_int_equal(tally_output_row(w, &row, &d), TALLY_EDATA);
    assert_string_equal(d.msg, "write error: No space left on device");
    assert_int_equal(tally_output_row(w, &row, &d), TALLY_EDATA);
    tally_output_free(w);
    free(big);
    close(fd);
}

/* Free drops what was buffered: nothing reaches the fd without end. */
static void
test_output_free_drops_unflushed_output(void **state)
{
    (void)state;
    int fd = temp_fd();
    struct tally_writer *w;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(tally_output_open(&w, TALLY_FMT_CSV, fd, &plain), TALLY_OK);
    assert_int_equal(tally_output_begin(w, status_count, 2, &d), TALLY_OK);
    assert_int_equal(tally_output_row(w, status_rows, &d), TALLY_OK);
    tally_output_free(w);
    tally_output_free(NULL);
    size_t len;
    char *got = slurp(fd, &len);
    assert_int_equal(len, 0);
    free(got);
    close(fd);
}

/* ---- --precision ---- */

static const struct tally_column prec_cols[] = {
    {"k", false}, {"mean", true}, {"max", true}, {"text", true}};
static const struct tally_value prec_rows[] = {
    T("a"),
    R(2.1074200000000003),
    RIN(2.1074200000000003),
    T("2.1074200000000003"),
    T("b"),
    R(448.6585999999972),
    RIN(448.6585999999972),
    T("448.6585999999972"),
    T("c"),
    R(123456789.25),
    I(123456789),
    E,
};

static void
test_human_formats_round_computed_reals_to_six_digits_by_default(void **state)
{
    (void)state;
    expect(&RUN(TALLY_FMT_TABLE, plain, prec_cols, prec_rows),
           "k       mean                 max                text\n"
           "-  ---------  ------------------  ------------------\n"
           "a    2.10742  2.1074200000000003  2.1074200000000003\n"
           "b    448.659   448.6585999999972   448.6585999999972\n"
           "c  123456789           123456789\n");
    expect(&RUN(TALLY_FMT_MARKDOWN, plain, prec_cols, prec_rows),
           "| k   |      mean |                max |               text |\n"
           "| --- | --------: | -----------------: | -----------------: |\n"
           "| a   |   2.10742 | 2.1074200000000003 | 2.1074200000000003 |\n"
           "| b   |   448.659 |  448.6585999999972 |  448.6585999999972 |\n"
           "| c   | 123456789 |          123456789 |                    |\n");
}

static void
test_table_rounds_rows_printed_after_the_hold_back_too(void **state)
{
    (void)state;
    struct run r = RUN(TALLY_FMT_TABLE, plain, prec_cols, prec_rows);
    r.hold_limit = 1; /* widths from the first row; the others stream */
    expect(&r, "k     mean                 max                text\n"
               "-  -------  ------------------  ------------------\n"
               "a  2.10742  2.1074200000000003  2.1074200000000003\n"
               "b  448.659   448.6585999999972   448.6585999999972\n"
               "c  123456789           123456789\n");
}

static void
test_human_formats_round_to_the_precision_asked(void **state)
{
    (void)state;
    struct tally_output_opts o = {.header = true, .precision = 3};
    expect(&RUN(TALLY_FMT_TABLE, o, prec_cols, prec_rows),
           "k       mean                 max                text\n"
           "-  ---------  ------------------  ------------------\n"
           "a       2.11  2.1074200000000003  2.1074200000000003\n"
           "b        449   448.6585999999972   448.6585999999972\n"
           "c  123456789           123456789\n");
    /* 17 is every digit the value needs to read back, and no more. */
    o.precision = 17;
    expect(&RUN(TALLY_FMT_TABLE, o, prec_cols, prec_rows),
           "k                mean                 max                text\n"
           "-  ------------------  ------------------  ------------------\n"
           "a  2.1074200000000003  2.1074200000000003  2.1074200000000003\n"
           "b   448.6585999999972   448.6585999999972   448.6585999999972\n"
           "c        123456789.25           123456789\n");
}

static void
test_chart_rounds_its_values_like_the_table(void **state)
{
    (void)state;
    static const struct tally_column cols[] = {{"k", false}, {"mean", true}};
    static const struct tally_value rows[] = {T("a"), R(2.1074200000000003), T("b"),
                                              R(4.2148400000000006)};
    struct tally_output_opts o = {.width = 20, .ascii = true};
    expect(&RUN(TALLY_FMT_CHART, o, cols, rows), "a  2.10742 #####\n"
                                                 "b  4.21484 ##########\n");
}

static void
test_machine_formats_keep_the_round_trip_form_whatever_the_precision(void **state)
{
    (void)state;
    struct tally_output_opts o = {.header = true, .precision = 2};
    expect(&RUN(TALLY_FMT_CSV, o, prec_cols, prec_rows),
           "k,mean,max,text\n"
           "a,2.1074200000000003,2.1074200000000003,2.1074200000000003\n"
           "b,448.6585999999972,448.6585999999972,448.6585999999972\n"
           "c,123456789.25,123456789,\n");
    expect(&RUN(TALLY_FMT_JSONL, o, prec_cols, prec_rows),
           "{\"k\":\"a\",\"mean\":2.1074200000000003,\"max\":2.1074200000000003,"
           "\"text\":\"2.1074200000000003\"}\n"
           "{\"k\":\"b\",\"mean\":448.6585999999972,\"max\":448.6585999999972,"
           "\"text\":\"448.6585999999972\"}\n"
           "{\"k\":\"c\",\"mean\":123456789.25,\"max\":123456789,\"text\":null}\n");
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_parse_knows_every_format_name),
        cmocka_unit_test(test_csv_prints_header_then_rows),
        cmocka_unit_test(test_csv_omits_header_when_asked),
        cmocka_unit_test(test_csv_with_no_rows_prints_only_the_header),
        cmocka_unit_test(test_csv_quotes_only_fields_holding_comma_quote_cr_or_lf),
        cmocka_unit_test(test_csv_quotes_a_field_that_is_only_quotes),
        cmocka_unit_test(test_csv_prints_empty_values_as_empty_cells),
        cmocka_unit_test(test_csv_prints_numbers_in_shortest_form),
        cmocka_unit_test(test_csv_writes_output_larger_than_the_buffer_in_order),
        cmocka_unit_test(test_tsv_prints_header_then_tab_separated_rows),
        cmocka_unit_test(test_tsv_escapes_backslash_tab_lf_and_cr),
        cmocka_unit_test(test_tsv_prints_numbers_and_empty_values),
        cmocka_unit_test(test_tsv_prints_the_only_field_empty_as_an_empty_line),
        cmocka_unit_test(test_csv_quotes_the_only_field_when_it_is_empty),
        cmocka_unit_test(test_json_prints_one_array_with_an_object_per_line),
        cmocka_unit_test(test_json_with_no_rows_prints_an_empty_array),
        cmocka_unit_test(test_json_ignores_no_header),
        cmocka_unit_test(test_jsonl_prints_one_object_per_line_and_nothing_else),
        cmocka_unit_test(test_json_prints_computed_numbers_bare_and_input_values_as_strings),
        cmocka_unit_test(test_json_escapes_quotes_backslashes_and_control_bytes),
        cmocka_unit_test(test_json_escapes_a_nul_byte),
        cmocka_unit_test(test_json_passes_valid_utf8_through),
        cmocka_unit_test(test_json_replaces_each_invalid_utf8_byte_with_fffd),
        cmocka_unit_test(test_table_aligns_text_left_and_numbers_right),
        cmocka_unit_test(test_table_without_header_sizes_columns_from_the_data),
        cmocka_unit_test(test_table_with_no_rows_prints_header_and_rule),
        cmocka_unit_test(test_table_leaves_no_trailing_spaces),
        cmocka_unit_test(test_table_right_aligns_only_columns_whose_values_all_read_as_numbers),
        cmocka_unit_test(test_table_shows_control_characters_escaped),
        cmocka_unit_test(test_table_measures_wide_characters_by_display_width),
        cmocka_unit_test(test_table_colours_only_the_header_in_bold),
        cmocka_unit_test(test_table_does_not_truncate_long_values),
        cmocka_unit_test(test_table_prints_the_same_at_every_hold_back_split_point),
        cmocka_unit_test(test_table_streams_rows_past_the_hold_back_limit_with_fixed_widths),
        cmocka_unit_test(test_table_holds_back_ten_thousand_rows_by_default),
        cmocka_unit_test(test_markdown_prints_a_github_table_with_alignment),
        cmocka_unit_test(test_markdown_always_prints_the_header),
        cmocka_unit_test(test_markdown_escapes_pipes_and_turns_newlines_into_br),
        cmocka_unit_test(test_chart_scales_the_largest_value_to_fill_the_width),
        cmocka_unit_test(test_chart_draws_ascii_bars_when_asked),
        cmocka_unit_test(test_chart_scales_by_the_largest_absolute_value_and_skips_negatives),
        cmocka_unit_test(test_chart_joins_label_columns_and_numbers_rows_without_labels),
        cmocka_unit_test(test_chart_defaults_to_eighty_columns),
        cmocka_unit_test(test_chart_colours_only_the_bars),
        cmocka_unit_test(test_chart_with_no_rows_prints_nothing),
        cmocka_unit_test(test_human_formats_round_computed_reals_to_six_digits_by_default),
        cmocka_unit_test(test_human_formats_round_to_the_precision_asked),
        cmocka_unit_test(test_table_rounds_rows_printed_after_the_hold_back_too),
        cmocka_unit_test(test_chart_rounds_its_values_like_the_table),
        cmocka_unit_test(test_machine_formats_keep_the_round_trip_form_whatever_the_precision),
        cmocka_unit_test(test_output_to_a_closed_pipe_is_epipe_without_a_message),
        cmocka_unit_test(test_output_to_a_full_device_is_a_write_error),
        cmocka_unit_test(test_output_reports_a_write_error_from_the_row_that_meets_it),
        cmocka_unit_test(test_output_free_drops_unflushed_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
