/* Tests for the --where language: lexer tokens and offsets, every error
 * message with its caret, evaluation truth tables (empty and missing values,
 * numbers against strings, precedence, in, regexes), match limits, clones. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "expr_int.h"
#include "tally/expr.h"
#include "tally/row.h"
#include "tally/status.h"

/* ---- helpers ---------------------------------------------------------- */

static const char *const header_names[] = {"a", "b", "status", "path", "user agent", "n"};
#define NCOLS 6

static void
make_header(struct tally_header *h)
{
    struct tally_slice f[NCOLS];
    for (int i = 0; i < NCOLS; i++)
        f[i] = tally_slice_cstr(header_names[i]);
    struct tally_row row = {f, NCOLS, "hdr.csv", 1};
    tally_header_init(h, &row);
}

/* A row written as fields separated by '|': "1||x" has three fields, the
 * middle one empty; "1" has one field, so columns 2.. are missing. */
struct test_row {
    char buf[65536];
    struct tally_slice f[16];
    struct tally_row row;
};

static void
make_row(struct test_row *r, const char *spec)
{
    size_t len = strlen(spec);
    assert_true(len < sizeof r->buf);
    memcpy(r->buf, spec, len + 1);
    uint32_t n = 0;
    char *p = r->buf;
    for (;;) {
        char *bar = strchr(p, '|');
        size_t flen = bar ? (size_t)(bar - p) : strlen(p);
        assert_true(n < 16);
        r->f[n++] = (struct tally_slice){p, flen};
        if (!bar)
            break;
        p = bar + 1;
    }
    r->row = (struct tally_row){r->f, n, "data.csv", 17};
}

static struct tally_expr *
compile_bound(const char *text)
{
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_expr *e = NULL;
    int st = tally_expr_compile(&e, text, &d);
    if (st != TALLY_OK)
        fail_msg("compile \"%s\": %s", text, d.msg);
    struct tally_header h;
    make_header(&h);
    st = tally_expr_bind(e, &h, &d);
    tally_header_fini(&h);
    if (st != TALLY_OK)
        fail_msg("bind \"%s\": %s", text, d.msg);
    return e;
}

static int
eval_on(struct tally_expr *e, const char *rowspec)
{
    static struct test_row r;
    make_row(&r, rowspec);
    struct tally_diag d;
    tally_diag_init(&d);
    bool keep = true;
    int st = tally_expr_eval(e, &r.row, &keep, &d);
    if (st != TALLY_OK)
        fail_msg("eval on \"%s\": %s", rowspec, d.msg);
    return keep;
}

/* 1 when text keeps the row, 0 when not. Columns: a|b|status|path|user agent|n. */
static int
truth(const char *text, const char *rowspec)
{
    struct tally_expr *e = compile_bound(text);
    int v = eval_on(e, rowspec);
    tally_expr_free(e);
    return v;
}

#define KEEPS(text, row) assert_int_equal(truth((text), (row)), 1)
#define DROPS(text, row) assert_int_equal(truth((text), (row)), 0)

/* The whole message of a compile error (bind too when bind is set). */
static void
expect_error(const char *text, bool bind, const char *want)
{
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_expr *e = NULL;
    int st = tally_expr_compile(&e, text, &d);
    if (st == TALLY_OK && bind) {
        struct tally_header h;
        make_header(&h);
        st = tally_expr_bind(e, &h, &d);
        tally_header_fini(&h);
    }
    tally_expr_free(e);
    assert_int_equal(st, TALLY_EUSAGE);
    assert_int_equal(d.status, TALLY_EUSAGE);
    assert_string_equal(d.msg, want);
}

#define SYNTAX_ERROR(text, want) expect_error((text), false, (want))
#define BIND_ERROR(text, want) expect_error((text), true, (want))

/* ---- lexer ------------------------------------------------------------ */

struct want_tok {
    enum expr_tok kind;
    size_t off, len;
    const char *value;
};

static void
expect_tokens(const char *text, const struct want_tok *want, size_t n)
{
    struct expr_lexed lx;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(expr_lex(text, &lx, &d), TALLY_OK);
    assert_int_equal(lx.ntoks, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(lx.toks[i].kind, want[i].kind);
        assert_int_equal(lx.toks[i].off, want[i].off);
        assert_int_equal(lx.toks[i].len, want[i].len);
        if (want[i].value) {
            assert_int_equal(lx.toks[i].vlen, strlen(want[i].value));
            assert_memory_equal(lx.strbuf + lx.toks[i].voff, want[i].value, lx.toks[i].vlen);
        }
    }
    expr_lexed_fini(&lx);
}

static void
test_expr_lexer_keeps_offsets_and_lengths(void **state)
{
    (void)state;
    static const struct want_tok want[] = {
        {TOK_IDENT, 0, 6, "status"},    {TOK_GE, 7, 2, NULL},       {TOK_NUMBER, 10, 3, "500"},
        {TOK_AND, 14, 3, NULL},         {TOK_IDENT, 18, 4, "path"}, {TOK_MATCH, 23, 1, NULL},
        {TOK_STRING, 25, 8, "\\.png$"}, {TOK_EOF, 33, 0, NULL},
    };
    expect_tokens("status >= 500 and path ~ \"\\.png$\"", want, sizeof want / sizeof want[0]);
}

static void
test_expr_lexer_reads_every_operator(void **state)
{
    (void)state;
    static const struct want_tok want[] = {
        {TOK_EQ, 0, 2, NULL},     {TOK_EQ, 3, 1, NULL},      {TOK_NE, 5, 2, NULL},
        {TOK_LT, 8, 1, NULL},     {TOK_LE, 10, 2, NULL},     {TOK_GT, 13, 1, NULL},
        {TOK_GE, 15, 2, NULL},    {TOK_MATCH, 18, 1, NULL},  {TOK_NMATCH, 20, 2, NULL},
        {TOK_IN, 23, 2, NULL},    {TOK_AND, 26, 3, NULL},    {TOK_AND, 30, 2, NULL},
        {TOK_OR, 33, 2, NULL},    {TOK_OR, 36, 2, NULL},     {TOK_NOT, 39, 3, NULL},
        {TOK_NOT, 43, 1, NULL},   {TOK_LPAREN, 45, 1, NULL}, {TOK_RPAREN, 46, 1, NULL},
        {TOK_COMMA, 48, 1, NULL}, {TOK_EOF, 49, 0, NULL},
    };
    expect_tokens("== = != < <= > >= ~ !~ in and && or || not ! () ,", want,
                  sizeof want / sizeof want[0]);
}

static void
test_expr_lexer_keywords_ignore_case(void **state)
{
    (void)state;
    static const struct want_tok want[] = {
        {TOK_AND, 0, 3, NULL}, {TOK_OR, 4, 2, NULL},       {TOK_NOT, 7, 3, NULL},
        {TOK_IN, 11, 2, NULL}, {TOK_IDENT, 14, 4, "andy"}, {TOK_EOF, 18, 0, NULL},
    };
    expect_tokens("AND Or NoT IN andy", want, sizeof want / sizeof want[0]);
}

static void
test_expr_lexer_resolves_only_quote_and_backslash_escapes(void **state)
{
    (void)state;
    static const struct want_tok want[] = {
        {TOK_STRING, 0, 7, "it's"}, {TOK_STRING, 8, 6, "a\"b"}, {TOK_STRING, 15, 6, "a\\b"},
        {TOK_STRING, 22, 4, "\\n"}, {TOK_STRING, 27, 5, "a'b"}, {TOK_STRING, 33, 2, ""},
        {TOK_STRING, 36, 2, ""},    {TOK_EOF, 38, 0, NULL},
    };
    expect_tokens("'it\\'s' \"a\\\"b\" \"a\\\\b\" \"\\n\" \"a'b\" '' \"\"", want,
                  sizeof want / sizeof want[0]);
}

static void
test_expr_lexer_reads_names_columns_and_numbers(void **state)
{
    (void)state;
    static const struct want_tok want[] = {
        {TOK_QNAME, 0, 12, "user agent"}, {TOK_QNAME, 13, 6, "a`b"},
        {TOK_COLREF, 20, 3, "$12"},       {TOK_NUMBER, 24, 2, "-5"},
        {TOK_NUMBER, 27, 3, "1e6"},       {TOK_NUMBER, 31, 2, ".5"},
        {TOK_NUMBER, 34, 2, "+3"},        {TOK_NUMBER, 37, 2, "5."},
        {TOK_NUMBER, 40, 7, "-1.5E-3"},   {TOK_IDENT, 48, 11, "Major_code."},
        {TOK_IDENT, 60, 7, "x-y.z_1"},    {TOK_IDENT, 68, 7, "pr\xc3\xa9nom"},
        {TOK_EOF, 75, 0, NULL},
    };
    expect_tokens("`user agent` `a``b` $12 -5 1e6 .5 +3 5. -1.5E-3 Major_code. x-y.z_1 "
                  "pr\xc3\xa9nom",
                  want, sizeof want / sizeof want[0]);
}

static void
test_expr_lexer_splits_operators_without_spaces(void **state)
{
    (void)state;
    static const struct want_tok want[] = {
        {TOK_IDENT, 0, 1, "a"},    {TOK_GE, 1, 2, NULL},      {TOK_NUMBER, 3, 2, "-5"},
        {TOK_AND, 5, 2, NULL},     {TOK_NOT, 7, 1, NULL},     {TOK_LPAREN, 8, 1, NULL},
        {TOK_COLREF, 9, 2, "$2"},  {TOK_NMATCH, 11, 2, NULL}, {TOK_STRING, 13, 3, "x"},
        {TOK_RPAREN, 16, 1, NULL}, {TOK_EOF, 17, 0, NULL},
    };
    expect_tokens("a>=-5&&!($2!~'x')", want, sizeof want / sizeof want[0]);
}

static void
test_expr_string_positions_map_back_through_escapes(void **state)
{
    (void)state;
    const char *text = "x ~ \"a\\\"b\\\\c\"";
    struct expr_lexed lx;
    struct tally_diag d;
    tally_diag_init(&d);
    assert_int_equal(expr_lex(text, &lx, &d), TALLY_OK);
    const struct expr_token *t = &lx.toks[2];
    assert_int_equal(t->kind, TOK_STRING);
    /* value a"b\c: positions 0..5 in the value sit at 5,6,8,9,11,12 in the text */
    assert_int_equal(expr_string_srcpos(text, t, 0), 5);
    assert_int_equal(expr_string_srcpos(text, t, 1), 6);
    assert_int_equal(expr_string_srcpos(text, t, 2), 8);
    assert_int_equal(expr_string_srcpos(text, t, 3), 9);
    assert_int_equal(expr_string_srcpos(text, t, 4), 11);
    assert_int_equal(expr_string_srcpos(text, t, 5), 12);
    expr_lexed_fini(&lx);
}

/* ---- errors ----------------------------------------------------------- */

static void
test_expr_rejects_empty_expression(void **state)
{
    (void)state;
    SYNTAX_ERROR("", "--where: empty expression\n  \n  ^");
    SYNTAX_ERROR("   ", "--where: empty expression\n     \n     ^");
}

static void
test_expr_names_unknown_column_with_suggestion(void **state)
{
    (void)state;
    BIND_ERROR("stauts >= 500 && path ~ \"^/api\"",
               "--where: unknown column \"stauts\" (did you mean \"status\"?)\n"
               "  stauts >= 500 && path ~ \"^/api\"\n"
               "  ^^^^^^");
    BIND_ERROR("a == 1 or `user agnet` ~ \"bot\"",
               "--where: unknown column \"user agnet\" (did you mean \"user agent\"?)\n"
               "  a == 1 or `user agnet` ~ \"bot\"\n"
               "            ^^^^^^^^^^^^");
    BIND_ERROR("$9 == 1", "--where: no column $9 (the input has 6 columns)\n"
                          "  $9 == 1\n"
                          "  ^^");
}

static void
test_expr_reports_unbalanced_parentheses(void **state)
{
    (void)state;
    SYNTAX_ERROR("a == 1)", "--where: unbalanced \")\"\n  a == 1)\n        ^");
    SYNTAX_ERROR("()", "--where: unexpected \")\"\n  ()\n   ^");
    SYNTAX_ERROR("a == 1 and )", "--where: unexpected \")\"\n  a == 1 and )\n             ^");
    SYNTAX_ERROR("(a == 1", "--where: missing \")\"\n  (a == 1\n  ^");
    SYNTAX_ERROR("((a == 1) or b == 2", "--where: missing \")\"\n  ((a == 1) or b == 2\n  ^");
    SYNTAX_ERROR("(", "--where: missing \")\"\n  (\n  ^");
    SYNTAX_ERROR("(a == 1 b == 2)", "--where: expected \"and\", \"or\" or \")\" before \"b\"\n"
                                    "  (a == 1 b == 2)\n"
                                    "          ^");
}

static void
test_expr_reports_missing_values_after_operators(void **state)
{
    (void)state;
    SYNTAX_ERROR("status >=", "--where: expected a value after \">=\"\n  status >=\n           ^");
    SYNTAX_ERROR("status == and",
                 "--where: expected a value after \"==\"\n  status == and\n            ^^^");
    SYNTAX_ERROR("a == 1 and", "--where: expected an expression after \"and\"\n"
                               "  a == 1 and\n"
                               "            ^");
    SYNTAX_ERROR("a == 1 ||", "--where: expected an expression after \"||\"\n"
                              "  a == 1 ||\n"
                              "           ^");
    SYNTAX_ERROR("not", "--where: expected an expression after \"not\"\n  not\n     ^");
    SYNTAX_ERROR("a == 1 and and b == 2", "--where: unexpected \"and\"\n"
                                          "  a == 1 and and b == 2\n"
                                          "             ^^^");
    SYNTAX_ERROR("== 1", "--where: unexpected \"==\"\n  == 1\n  ^^");
}

static void
test_expr_rejects_bare_operand(void **state)
{
    (void)state;
    SYNTAX_ERROR("status", "--where: expected a comparison after \"status\"\n  status\n  ^^^^^^");
    SYNTAX_ERROR("a == 1 and `user agent`",
                 "--where: expected a comparison after \"`user agent`\"\n"
                 "  a == 1 and `user agent`\n"
                 "             ^^^^^^^^^^^^");
    SYNTAX_ERROR("status 500", "--where: expected a comparison after \"status\"\n"
                               "  status 500\n"
                               "  ^^^^^^");
    SYNTAX_ERROR("a == 1 b == 2", "--where: expected \"and\" or \"or\" before \"b\"\n"
                                  "  a == 1 b == 2\n"
                                  "         ^");
}

static void
test_expr_reports_unterminated_strings_and_names(void **state)
{
    (void)state;
    SYNTAX_ERROR("path ~ \"abc", "--where: unterminated string\n  path ~ \"abc\n         ^^^^");
    SYNTAX_ERROR("path == 'it\\'", "--where: unterminated string\n"
                                   "  path == 'it\\'\n"
                                   "          ^^^^^");
    SYNTAX_ERROR("`user agent == 1", "--where: unterminated `name`\n"
                                     "  `user agent == 1\n"
                                     "  ^^^^^^^^^^^^^^^^");
    SYNTAX_ERROR("`` == 1", "--where: empty column name\n  `` == 1\n  ^^");
}

static void
test_expr_rejects_bad_column_references(void **state)
{
    (void)state;
    SYNTAX_ERROR("$0 == 1", "--where: invalid column reference \"$0\" (columns count from $1)\n"
                            "  $0 == 1\n"
                            "  ^^");
    SYNTAX_ERROR("a == 1 or $abc == 1",
                 "--where: invalid column reference \"$abc\" (columns count from $1)\n"
                 "  a == 1 or $abc == 1\n"
                 "            ^^^^");
    SYNTAX_ERROR("$ == 1", "--where: invalid column reference \"$\" (columns count from $1)\n"
                           "  $ == 1\n"
                           "  ^");
}

static void
test_expr_rejects_bad_numbers_and_characters(void **state)
{
    (void)state;
    SYNTAX_ERROR("a == 0x10", "--where: bad number \"0x10\"\n  a == 0x10\n       ^^^^");
    SYNTAX_ERROR("a == 1e", "--where: bad number \"1e\"\n  a == 1e\n       ^^");
    SYNTAX_ERROR("a == 1.2.3", "--where: bad number \"1.2.3\"\n  a == 1.2.3\n       ^^^^^");
    SYNTAX_ERROR("a @ 1", "--where: unexpected character \"@\"\n  a @ 1\n    ^");
    SYNTAX_ERROR("a == 1 & b == 2", "--where: unexpected character \"&\"\n"
                                    "  a == 1 & b == 2\n"
                                    "         ^");
}

static void
test_expr_reports_regex_errors_under_the_fault(void **state)
{
    (void)state;
    SYNTAX_ERROR("path ~ \"a)b\"", "--where: bad regex: unmatched closing parenthesis\n"
                                   "  path ~ \"a)b\"\n"
                                   "           ^");
    /* The escaped quote is two bytes in the text but one in the pattern. */
    SYNTAX_ERROR("path ~ \"\\\"x)\"", "--where: bad regex: unmatched closing parenthesis\n"
                                      "  path ~ \"\\\"x)\"\n"
                                      "             ^");
    SYNTAX_ERROR("path ~ b", "--where: the right side of ~ must be a string literal\n"
                             "  path ~ b\n"
                             "         ^");
    SYNTAX_ERROR("path !~ 5", "--where: the right side of !~ must be a string literal\n"
                              "  path !~ 5\n"
                              "          ^");
    SYNTAX_ERROR("path ~", "--where: the right side of ~ must be a string literal\n"
                           "  path ~\n"
                           "        ^");
}

static void
test_expr_reports_bad_in_lists(void **state)
{
    (void)state;
    SYNTAX_ERROR("a in ()", "--where: empty list after \"in\"\n  a in ()\n        ^");
    SYNTAX_ERROR("a in (1, b)", "--where: the list after \"in\" may hold only literals\n"
                                "  a in (1, b)\n"
                                "           ^");
    SYNTAX_ERROR("a in 1", "--where: expected \"(\" after \"in\"\n  a in 1\n       ^");
    SYNTAX_ERROR("a in (1, 2", "--where: missing \")\"\n  a in (1, 2\n       ^");
    SYNTAX_ERROR("a in (1 2)", "--where: expected \",\" or \")\" in the list, got \"2\"\n"
                               "  a in (1 2)\n"
                               "          ^");
    SYNTAX_ERROR("a in (1,)", "--where: expected a value in the list, got \")\"\n"
                              "  a in (1,)\n"
                              "          ^");
}

static void
test_expr_limits_nesting_depth(void **state)
{
    (void)state;
    char text[2000] = "";
    for (int i = 0; i < 250; i++)
        strcat(text, "(");
    strcat(text, "a == 1");
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_expr *e = NULL;
    assert_int_equal(tally_expr_compile(&e, text, &d), TALLY_EUSAGE);
    assert_null(e);
    assert_non_null(strstr(d.msg, "--where: expression nested too deeply\n"));
    /* 150 levels are fine. */
    text[0] = '\0';
    for (int i = 0; i < 150; i++)
        strcat(text, "(");
    strcat(text, "a == 1");
    for (int i = 0; i < 150; i++)
        strcat(text, ")");
    KEEPS(text, "1");
}

/* ---- evaluation ------------------------------------------------------- */

static void
test_expr_compares_numbers_when_both_sides_read_as_numbers(void **state)
{
    (void)state;
    KEEPS("\"10\" > \"9\"", "");
    DROPS("\"abc\" > \"abd\"", "");
    KEEPS("5 == 5.0", "");
    KEEPS("\"007\" == 7", "");
    KEEPS("a == 7", "007");
    KEEPS("a > 9", "10");
    KEEPS("a < \"9\"", "10x"); /* "10x" is text: byte-wise "1" < "9" */
    KEEPS("a == 1e3", "1000");
    KEEPS("a == .5", "0.5");
    KEEPS("a == +3", "3");
    KEEPS("a >= -5", "-5");
    DROPS("a > -5", "-5.0");
    KEEPS("a < b", "2|10");
    KEEPS("a > b", "b|a");
    KEEPS("a != b", "1|1.5");
    KEEPS("a == \" 7\"", " 7"); /* spaces make text: byte-wise equal */
    DROPS("a == 7", " 7");
    DROPS("a == 16", "0x10");
    /* int64 compares exactly where doubles could not tell them apart */
    KEEPS("a > 9007199254740992", "9007199254740993");
    KEEPS("a < 9223372036854775807", "9223372036854775806");
    KEEPS("a > 9223372036854775807", "1e19");
    KEEPS("a == -9223372036854775808", "-9223372036854775808");
}

static void
test_expr_compares_text_byte_wise(void **state)
{
    (void)state;
    KEEPS("a < \"abd\"", "abc");
    KEEPS("a < \"abc\"", "ab");
    KEEPS("a > \"B\"", "a");
    KEEPS("a >= \"abc\"", "abc");
    KEEPS("a <= \"abc\"", "abc");
    DROPS("a == \"ABC\"", "abc");
    KEEPS("a > \"\xc3\xa9\"", "\xc3\xa9t\xc3\xa9");
    KEEPS("a == 'x'", "x");
}

static void
test_expr_is_false_on_empty_and_missing_values(void **state)
{
    (void)state;
    static const char *const ops[] = {"a == 1",        "a != 1",     "a < 1",       "a <= 1",
                                      "a > 1",         "a >= 1",     "a == \"x\"",  "a != \"x\"",
                                      "a ~ \"^\"",     "a !~ \"x\"", "a in (1, 2)", "a not in (1)",
                                      "a < \"\\xff\"", "1 != a",     "a == b"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        assert_int_equal(truth(ops[i], "|1"), 0); /* a empty */
        assert_int_equal(truth(ops[i], ""), 0);   /* a empty, only field */
        /* b missing: a row with a single field */
    }
    static const char *const on_b[] = {"b == 1",     "b != 1",   "b > \"x\"",   "b ~ \"\"",
                                       "b !~ \"x\"", "b in (1)", "b not in (1)"};
    for (size_t i = 0; i < sizeof on_b / sizeof on_b[0]; i++)
        assert_int_equal(truth(on_b[i], "1"), 0);
    /* not negates the whole result, so it holds on an empty value */
    KEEPS("not (a == 1)", "|1");
    KEEPS("not a == 1", "");
    KEEPS("! (b ~ \"x\")", "1");
    KEEPS("not (a not in (1))", "");
}

static void
test_expr_tests_emptiness_with_empty_string_literal(void **state)
{
    (void)state;
    KEEPS("a == \"\"", "|1");
    KEEPS("a == ''", "");
    KEEPS("b == \"\"", "1");   /* missing */
    KEEPS("n == \"\"", "1|2"); /* missing */
    DROPS("a == \"\"", "x");
    DROPS("a == \"\"", "0");
    KEEPS("a != \"\"", "x");
    KEEPS("a != \"\"", "0");
    DROPS("a != \"\"", "|1");
    DROPS("b != \"\"", "1");
    KEEPS("\"\" == a", "");
    KEEPS("\"\" != a", " ");
    KEEPS("\"\" == \"\"", "");
    DROPS("\"\" != \"\"", "");
    /* only == and != treat "" specially: ordering against it is false */
    DROPS("a > \"\"", "x");
    DROPS("a < \"\"", "");
    DROPS("a >= \"\"", "");
    KEEPS("$3 != \"\" && a > 1", "2||x");
}

static void
test_expr_in_lists_use_equality(void **state)
{
    (void)state;
    KEEPS("a in (\"GET\", \"HEAD\")", "HEAD");
    DROPS("a in (\"GET\", \"HEAD\")", "head");
    KEEPS("a in (1, 2, 3)", "2.0");
    KEEPS("a in ('x', 007)", "7");
    KEEPS("a not in (\"GET\", \"HEAD\")", "POST");
    DROPS("a not in (\"GET\", \"HEAD\")", "GET");
    KEEPS("not (a in (\"GET\", \"HEAD\"))", "POST");
    KEEPS("not (a in (\"GET\"))", "");
    KEEPS("a NOT IN (1)", "2");
    /* a listed "" matches an empty or missing value, like == "" */
    KEEPS("a in (\"\", \"x\")", "");
    KEEPS("b in (\"\", \"x\")", "1");
    KEEPS("a in (\"\", \"x\")", "x");
    DROPS("a in (\"\", \"x\")", "y");
    DROPS("a not in (\"\", \"x\")", "");
    KEEPS("a not in (\"\", \"x\")", "y");
    KEEPS("5 in (4, 5)", "");
}

static void
test_expr_matches_regexes(void **state)
{
    (void)state;
    KEEPS("path ~ \"^/api/\"", "|||/api/v1");
    DROPS("path ~ \"^/api/\"", "|||/web/api/");
    KEEPS("path !~ \"^/api/\"", "|||/web/api/");
    DROPS("path !~ \"^/api/\"", "|||/api/v1");
    KEEPS("`user agent` ~ \"(?i)bot\"", "||||Googlebot/2.1");
    KEEPS("`user agent` ~ \"(?i)bot\"", "||||BOT");
    DROPS("`user agent` ~ \"bot\"", "||||BOT");
    KEEPS("path ~ \"\\.png$\"", "|||/img/a.png");
    DROPS("path ~ \"\\.png$\"", "|||/img/apng");
    KEEPS("path ~ '\\d+'", "|||a7");
    KEEPS("a ~ \"it's\"", "it's");
    KEEPS("a ~ 'it\\'s'", "it's");
    KEEPS("a ~ \"\\\\\\\\\"", "a\\b"); /* text "\\\\" is the pattern \\ */
    SYNTAX_ERROR("a ~ \"\\\\\"", "--where: bad regex: \\ at end of pattern\n"
                                 "  a ~ \"\\\\\"\n"
                                 "         ^");
    KEEPS("a ~ \"^\\xff$\"", "\xff"); /* bytes, not UTF-8 */
    KEEPS("a ~ \"(*UTF)^.$\"", "\xc3\xa9");
    DROPS("a ~ \"^.$\"", "\xc3\xa9");
    KEEPS("a ~ \"x\" and b ~ \"y\"", "x|y");
    /* a value with a NUL byte is matched by its length, not as a C string */
    struct tally_expr *e = compile_bound("a ~ \"b$\"");
    struct tally_slice f[1] = {{"a\0b", 3}};
    struct tally_row row = {f, 1, "data.csv", 2};
    struct tally_diag d;
    tally_diag_init(&d);
    bool keep = false;
    assert_int_equal(tally_expr_eval(e, &row, &keep, &d), TALLY_OK);
    assert_true(keep);
    tally_expr_free(e);
}

static void
test_expr_respects_precedence(void **state)
{
    (void)state;
    /* a or (b and c) */
    KEEPS("a == 1 or b == 1 and n == 1", "1|0");
    DROPS("(a == 1 or b == 1) and n == 1", "1|0");
    KEEPS("a == 0 or b == 1 and status == 1", "0|0|0");
    DROPS("a == 0 or b == 1 and status == 1", "1|1|0");
    /* (not a) and b */
    KEEPS("not a == 1 and b == 1", "0|1");
    DROPS("not a == 1 and b == 1", "0|0");
    DROPS("not (a == 1 and b == 1)", "1|1");
    KEEPS("not (a == 1 and b == 1)", "1|0");
    KEEPS("! a == 1 || b == 1", "1|1");
    KEEPS("!!(a == 1)", "1");
    KEEPS("not not a == 1", "1");
    KEEPS("a == 1 && b == 2 || a == 3 && b == 4", "3|4");
    DROPS("a == 1 && b == 2 || a == 3 && b == 4", "1|4");
    KEEPS("a == 1 AND (b == 2 OR b == 3)", "1|3");
    KEEPS("a = 1", "1");
}

static void
test_expr_reads_columns_by_number_and_backticks(void **state)
{
    (void)state;
    KEEPS("$1 == 5", "5");
    KEEPS("$3 >= 500", "||503");
    KEEPS("$5 ~ \"bot\"", "||||bot");
    KEEPS("`a` == $1", "x");
    KEEPS("`status` == 200 and status == $3", "||200");
    KEEPS("$6 == \"\"", "1|2|3|4|5");
    KEEPS("500 < status", "||503");
    DROPS("500 < status", "||500");
}

static void
test_expr_converts_each_row_afresh(void **state)
{
    (void)state;
    struct tally_expr *e = compile_bound("a > 10 and a < 20 and $1 != 15");
    assert_int_equal(eval_on(e, "12"), 1);
    assert_int_equal(eval_on(e, "25"), 0);
    assert_int_equal(eval_on(e, "15"), 0);
    assert_int_equal(eval_on(e, "abc"), 0);
    assert_int_equal(eval_on(e, "19.5"), 1);
    assert_int_equal(eval_on(e, ""), 0);
    assert_int_equal(eval_on(e, "11"), 1);
    tally_expr_free(e);
}

static void
test_expr_without_columns_needs_no_binding(void **state)
{
    (void)state;
    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_expr *e = NULL;
    assert_int_equal(tally_expr_compile(&e, "1 < 2 and \"x\" ~ \"x\"", &d), TALLY_OK);
    struct tally_row row = {NULL, 0, "data.csv", 1};
    bool keep = false;
    assert_int_equal(tally_expr_eval(e, &row, &keep, &d), TALLY_OK);
    assert_true(keep);
    tally_expr_free(e);
}

static double
now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_expr_stops_catastrophic_backtracking_with_data_error(void **state)
{
    (void)state;
    static char value[30002];
    memset(value, 'a', 30000);
    value[30000] = 'b';
    value[30001] = '\0';
    struct tally_expr *e = compile_bound("a ~ \"(a+)+$\"");
    static struct test_row r;
    make_row(&r, value);
    struct tally_diag d;
    tally_diag_init(&d);
    bool keep = true;
    double t0 = now_seconds();
    assert_int_equal(tally_expr_eval(e, &r.row, &keep, &d), TALLY_EDATA);
    double took = now_seconds() - t0;
    assert_false(keep);
    assert_int_equal(d.status, TALLY_EDATA);
    /* With JIT and in the interpreter alike, the match limit stops it first. */
    assert_string_equal(d.msg, "data.csv:17: --where: pattern \"(a+)+$\" hit PCRE2's match limit");
    assert_true(took < 1.0);
    tally_expr_free(e);
}

static void
test_expr_limits_allow_long_ordinary_matches(void **state)
{
    (void)state;
    static char value[30001];
    for (int i = 0; i < 30000; i++)
        value[i] = "ab"[i % 2];
    value[30000] = '\0';
    KEEPS("a ~ \"^(?:a|b)*$\"", value);
    KEEPS("a ~ \"^(a|b)+$\"", value);
    DROPS("a ~ \"^(?:a|b)*c\"", value);
}

static void
test_expr_clone_evaluates_the_same(void **state)
{
    (void)state;
    struct tally_expr *e =
        compile_bound("(status >= 500 or path ~ \"(?i)^/API\") and a not in (\"x\", 2)");
    struct tally_expr *c = tally_expr_clone(e);
    static const char *const rows[] = {"1||503|/",    "x||503|/", "2||200|/api", "1||200|/Api/v",
                                       "1||200|/web", "|||/api",  "2.0||500",    "1"};
    static const int want[] = {1, 0, 0, 1, 0, 0, 0, 0};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_int_equal(eval_on(e, rows[i]), want[i]);
        assert_int_equal(eval_on(c, rows[i]), want[i]);
    }
    /* The compiled patterns are shared, the match data is not. */
    assert_ptr_equal(c->res[0].code, e->res[0].code);
    assert_ptr_not_equal(c->res[0].md, e->res[0].md);
    /* The original may go first: the copy holds the patterns too. */
    tally_expr_free(e);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(eval_on(c, rows[i]), want[i]);
    tally_expr_free(c);
}

/* Rows for the thread test: a path and a user agent that vary with i. */
#define SHARED_ROWS 20000

struct expr_worker {
    struct tally_expr *e; /* this thread's own copy (or the original) */
    size_t kept;
    int status;
};

static void *
expr_work(void *arg)
{
    struct expr_worker *w = arg;
    for (int i = 0; i < SHARED_ROWS && w->status == TALLY_OK; i++) {
        char path[48], n[16];
        snprintf(path, sizeof path, "/api/v%d/x%d", i % 7, i);
        snprintf(n, sizeof n, "%d", i);
        struct tally_slice f[6] = {tally_slice_cstr(""),
                                   tally_slice_cstr(""),
                                   tally_slice_cstr("200"),
                                   tally_slice_cstr(path),
                                   tally_slice_cstr(i % 3 ? "curl/8.0" : "Mozilla/5.0"),
                                   tally_slice_cstr(n)};
        struct tally_row row = {f, 6, "t.csv", (uint64_t)i + 2};
        struct tally_diag d;
        tally_diag_init(&d);
        bool keep = false;
        w->status = tally_expr_eval(w->e, &row, &keep, &d);
        w->kept += keep;
    }
    return NULL;
}

static void
test_expr_threads_match_one_compiled_pattern_at_once(void **state)
{
    (void)state;
    struct tally_expr *e = compile_bound("path ~ \"^/api/v[135]/x[0-9]*7$\" and "
                                         "`user agent` !~ \"(?i)mozilla\" and n < 15000");
    /* The count, alone on this thread first. */
    struct expr_worker alone = {.e = e};
    expr_work(&alone);
    assert_int_equal(alone.status, TALLY_OK);
    assert_true(alone.kept > 100);
    /* Then two copies on threads while the original runs here, as the
     * threads of a run do: every thread matches with the same code. */
    struct expr_worker w[3] = {{.e = e}, {.e = tally_expr_clone(e)}, {.e = tally_expr_clone(e)}};
    pthread_t tid[2];
    for (int t = 0; t < 2; t++) {
        for (uint32_t i = 0; i < e->nres; i++)
            assert_ptr_equal(w[t + 1].e->res[i].code, e->res[i].code);
        assert_int_equal(pthread_create(&tid[t], NULL, expr_work, &w[t + 1]), 0);
    }
    expr_work(&w[0]);
    for (int t = 0; t < 2; t++)
        assert_int_equal(pthread_join(tid[t], NULL), 0);
    for (int t = 0; t < 3; t++) {
        assert_int_equal(w[t].status, TALLY_OK);
        assert_int_equal(w[t].kept, alone.kept);
    }
    tally_expr_free(e);
    tally_expr_free(w[1].e);
    tally_expr_free(w[2].e);
}

/* Callers free unconditionally on every path: a failed compile (syntax,
 * regex, or after a regex already compiled) must hand back NULL, owning
 * nothing (the sanitizer build checks that nothing leaks), and free must
 * take that NULL without touching other expressions. */
static void
test_expr_failed_compile_hands_back_null_for_free(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "a >", "(a == 1", "a ~ \"(\"", "a ~ \"x\" and b ~ \"[\"", "a ~ \"x\" and", "a in (1,"};
    struct tally_expr *other = compile_bound("a ~ \"^x\"");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tally_diag d;
        tally_diag_init(&d);
        struct tally_expr *e = other; /* not NULL: compile must reset it */
        assert_int_equal(tally_expr_compile(&e, bad[i], &d), TALLY_EUSAGE);
        if (e != NULL)
            fail_msg("compile \"%s\" failed but handed back an expression", bad[i]);
        tally_expr_free(e);
    }
    tally_expr_free(NULL);
    /* The expression compiled before still works. */
    assert_int_equal(eval_on(other, "xy"), 1);
    assert_int_equal(eval_on(other, "yx"), 0);
    tally_expr_free(other);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expr_lexer_keeps_offsets_and_lengths),
        cmocka_unit_test(test_expr_lexer_reads_every_operator),
        cmocka_unit_test(test_expr_lexer_keywords_ignore_case),
        cmocka_unit_test(test_expr_lexer_resolves_only_quote_and_backslash_escapes),
        cmocka_unit_test(test_expr_lexer_reads_names_columns_and_numbers),
        cmocka_unit_test(test_expr_lexer_splits_operators_without_spaces),
        cmocka_unit_test(test_expr_string_positions_map_back_through_escapes),
        cmocka_unit_test(test_expr_rejects_empty_expression),
        cmocka_unit_test(test_expr_names_unknown_column_with_suggestion),
        cmocka_unit_test(test_expr_reports_unbalanced_parentheses),
        cmocka_unit_test(test_expr_reports_missing_values_after_operators),
        cmocka_unit_test(test_expr_rejects_bare_operand),
        cmocka_unit_test(test_expr_reports_unterminated_strings_and_names),
        cmocka_unit_test(test_expr_rejects_bad_column_references),
        cmocka_unit_test(test_expr_rejects_bad_numbers_and_characters),
        cmocka_unit_test(test_expr_reports_regex_errors_under_the_fault),
        cmocka_unit_test(test_expr_reports_bad_in_lists),
        cmocka_unit_test(test_expr_limits_nesting_depth),
        cmocka_unit_test(test_expr_compares_numbers_when_both_sides_read_as_numbers),
        cmocka_unit_test(test_expr_compares_text_byte_wise),
        cmocka_unit_test(test_expr_is_false_on_empty_and_missing_values),
        cmocka_unit_test(test_expr_tests_emptiness_with_empty_string_literal),
        cmocka_unit_test(test_expr_in_lists_use_equality),
        cmocka_unit_test(test_expr_matches_regexes),
        cmocka_unit_test(test_expr_respects_precedence),
        cmocka_unit_test(test_expr_reads_columns_by_number_and_backticks),
        cmocka_unit_test(test_expr_converts_each_row_afresh),
        cmocka_unit_test(test_expr_without_columns_needs_no_binding),
        cmocka_unit_test(test_expr_stops_catastrophic_backtracking_with_data_error),
        cmocka_unit_test(test_expr_limits_allow_long_ordinary_matches),
        cmocka_unit_test(test_expr_clone_evaluates_the_same),
        cmocka_unit_test(test_expr_threads_match_one_compiled_pattern_at_once),
        cmocka_unit_test(test_expr_failed_compile_hands_back_null_for_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
