/* Unit tests for the state text of every op (ops.h encode and decode,
 * codec.h): the law of partials. Random values cut into pieces; each
 * piece's state encoded with its origin, decoded and merged in order and in
 * shuffled order must finish with the same bits as one pass, and encode
 * again to the same text. Damaged text (every truncation, byte flips) never
 * decodes into something else and leaves a state fini can free. (A file of
 * its own: test_ops.c is at the size limit.) */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/buf.h"
#include "tally/ops.h"

struct agg {
    const char *label;
    const struct tally_op *op;
    struct tally_op_param param;
};

static const char *const all_ops[] = {"count",    "count:", "sum",    "min", "max",   "mean",
                                      "stddev",   "var",    "median", "p0",  "p37.5", "p100",
                                      "distinct", "first",  "last",   "mode"};
#define NOPS (sizeof all_ops / sizeof all_ops[0])

static struct agg
find(const char *name)
{
    struct agg a = {name, NULL, {0}};
    if (strcmp(name, "count:") == 0)
        a.op = tally_op_count_col();
    else
        a.op = tally_op_find(name, strlen(name), &a.param, NULL);
    assert_non_null(a.op);
    assert_non_null(a.op->encode);
    assert_non_null(a.op->decode);
    return a;
}

static void *
new_state(const struct agg *a)
{
    void *st = malloc(a->op->state_size);
    assert_non_null(st);
    memset(st, 0x5a, a->op->state_size);
    a->op->init(st);
    return st;
}

static void
free_state(const struct agg *a, void *st)
{
    if (a->op->fini)
        a->op->fini(st);
    free(st);
}

/* A value: bytes (NUL and all) and their length. */
struct val {
    char b[48];
    size_t len;
};

static void
feed(const struct agg *a, void *st, const struct val *v)
{
    struct tally_cell c;
    c.text = (struct tally_slice){v->b, v->len};
    tally_parse_number(c.text, &c.num);
    if (a->op->input == TALLY_IN_ROW)
        a->op->update(st, NULL);
    else if (a->op->input == TALLY_IN_NUMBER ? c.num.kind != TALLY_NUM_NONE : c.text.len > 0)
        a->op->update(st, &c);
}

static uint64_t
rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static const char *const numbers[] = {"0",
                                      "-0",
                                      "0.0",
                                      "-0.0",
                                      "1",
                                      "-7",
                                      "42",
                                      "42",
                                      "9223372036854775807",
                                      "-9223372036854775808",
                                      "9007199254740993",
                                      "-9007199254740993",
                                      "123456789012345678901234567890",
                                      "0.1",
                                      "0.30000000000000004",
                                      "12.5",
                                      "-0.003",
                                      "3.14159265358979323846264338327950288",
                                      "1000000000.0000000001",
                                      "1e-300",
                                      "5e-324",
                                      "-2.5e-310",
                                      "1.7976931348623157e308",
                                      "-1.5e300",
                                      "1e22",
                                      "2.5E2",
                                      "1e999",
                                      "-1e999",
                                      "0.000000001",
                                      "123456789.123456789",
                                      "7",
                                      "7.0",
                                      "-12.0625"};
#define NNUM (sizeof numbers / sizeof numbers[0])

/* Numbers equal in value but not in output: min, max and the percentiles
 * must pick the same one whatever the merge order. */
static const char *const ties[] = {"0", "-0", "0.0", "-0.0", "0e3", "7", "7.0", "70e-1"};
static const char *const *pool = numbers;
static size_t npool = NNUM;

/* Text values: few distinct ones, so mode has ties and distinct repeats, and
 * random bytes (every byte value, the codec's own ',' ';' '%' included). */
static void
random_value(struct val *v, uint64_t *s, int textiness)
{
    uint64_t r = rnd(s) % 10;
    if ((int)r >= textiness) {
        const char *n = pool[rnd(s) % npool];
        v->len = strlen(n);
        memcpy(v->b, n, v->len);
        return;
    }
    static const char special[] = {0,   '\t', '\n',       ' ',        '%', ',',
                                   ';', '\\', (char)0xff, (char)0x80, 'a', 'b'};
    v->len = rnd(s) % 4; /* 0: an empty cell */
    for (size_t i = 0; i < v->len; i++) {
        uint64_t k = rnd(s);
        v->b[i] = k % 3 ? special[(k >> 8) % sizeof special] : (char)(k >> 16);
    }
}

static bool
same_value(struct tally_value a, struct tally_value b)
{
    if (a.kind != b.kind || a.as_input != b.as_input)
        return false;
    switch (a.kind) {
    case TALLY_VAL_EMPTY:
        return true;
    case TALLY_VAL_INT:
        return a.i == b.i && memcmp(&a.d, &b.d, sizeof a.d) == 0;
    case TALLY_VAL_REAL:
        return memcmp(&a.d, &b.d, sizeof a.d) == 0;
    case TALLY_VAL_TEXT:
        return a.s.len == b.s.len && memcmp(a.s.ptr, b.s.ptr, a.s.len) == 0;
    }
    return false;
}

static void
expect_same(const struct agg *a, void *want_st, void *got_st, const char *how)
{
    struct tally_value want, got;
    a->op->final(want_st, &a->param, &want);
    a->op->final(got_st, &a->param, &got);
    if (!same_value(want, got))
        fail_msg("%s, %s: kinds %d/%d, ints %lld/%lld, reals %.17g/%.17g", a->label, how, want.kind,
                 got.kind, (long long)want.i, (long long)got.i, want.d, got.d);
}

static void
assert_state_text(const struct tally_buf *b)
{
    assert_true(b->len > 0);
    for (size_t i = 0; i < b->len; i++)
        assert_true((unsigned char)b->p[i] >= 0x21 && (unsigned char)b->p[i] <= 0x7e);
}

/* Decodes text into a fresh state, which must work; re-encoding it (its
 * positions now absolute: origin 0) must give the text back. */
static void *
decode_ok(const struct agg *a, const struct tally_buf *text)
{
    void *st = new_state(a);
    if (!a->op->decode(st, text->p, text->len))
        fail_msg("%s: does not decode: %s", a->label, text->p);
    struct tally_buf again = {0};
    a->op->encode(st, 0, &again);
    if (again.len != text->len || memcmp(again.p, text->p, text->len) != 0)
        fail_msg("%s: %s re-encodes as %s", a->label, text->p, again.p);
    tally_buf_free(&again);
    return st;
}

struct piece {
    size_t from, to;
    struct tally_buf text;
};

/* One round: n values in k pieces; see the file comment. */
static void
check_law(const struct agg *a, const struct val *vals, size_t n, struct piece *pc, size_t k,
          uint64_t *seed)
{
    void *whole = new_state(a);
    for (size_t i = 0; i < n; i++)
        feed(a, whole, &vals[i]);
    for (size_t j = 0; j < k; j++) {
        void *st = new_state(a);
        for (size_t i = pc[j].from; i < pc[j].to; i++)
            feed(a, st, &vals[i]);
        pc[j].text = (struct tally_buf){0};
        a->op->encode(st, 1000 + 10 * pc[j].from, &pc[j].text); /* origins rise with input */
        assert_state_text(&pc[j].text);
        free_state(a, st);
    }
    /* In order, and shuffled. */
    size_t order[16];
    for (size_t j = 0; j < k; j++)
        order[j] = j;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            for (size_t j = k; j > 1; j--) {
                size_t r = rnd(seed) % j, t = order[j - 1];
                order[j - 1] = order[r];
                order[r] = t;
            }
        void *dst = new_state(a);
        for (size_t j = 0; j < k; j++) {
            void *st = decode_ok(a, &pc[order[j]].text);
            a->op->merge(dst, st);
            free_state(a, st);
        }
        /* The merged state as a partial of its own (--merge --partial). */
        struct tally_buf text = {0};
        a->op->encode(dst, 0, &text);
        void *back = decode_ok(a, &text);
        expect_same(a, whole, dst, pass ? "shuffled merge" : "merge in order");
        expect_same(a, whole, back, "merged and re-encoded");
        tally_buf_free(&text);
        free_state(a, back);
        free_state(a, dst);
    }
    free_state(a, whole);
}

static void
law_rounds(int textiness, uint64_t seed, int rounds)
{
    struct val vals[120];
    struct piece pc[16];
    for (int round = 0; round < rounds; round++) {
        size_t n = rnd(&seed) % 120;
        for (size_t i = 0; i < n; i++)
            random_value(&vals[i], &seed, textiness);
        size_t k = 1 + rnd(&seed) % 12, cuts[16];
        for (size_t j = 0; j + 1 < k; j++)
            cuts[j] = rnd(&seed) % (n + 1);
        for (size_t j = 1; j + 1 < k; j++) /* sorted; repeats make empty pieces */
            for (size_t m = j; m > 0 && cuts[m - 1] > cuts[m]; m--) {
                size_t t = cuts[m];
                cuts[m] = cuts[m - 1];
                cuts[m - 1] = t;
            }
        for (size_t j = 0; j < k; j++) {
            pc[j].from = j ? cuts[j - 1] : 0;
            pc[j].to = j + 1 < k ? cuts[j] : n;
        }
        for (size_t o = 0; o < NOPS; o++) {
            struct agg a = find(all_ops[o]);
            check_law(&a, vals, n, pc, k, &seed);
            for (size_t j = 0; j < k; j++)
                tally_buf_free(&pc[j].text);
        }
    }
}

static void
test_opcodec_partials_merge_like_one_pass_numbers(void **state)
{
    (void)state;
    law_rounds(0, 0x9e3779b97f4a7c15u, 60);
}

static void
test_opcodec_partials_merge_like_one_pass_mixed(void **state)
{
    (void)state;
    law_rounds(5, 0x1234567u, 60);
}

static void
test_opcodec_partials_merge_like_one_pass_text(void **state)
{
    (void)state;
    law_rounds(9, 0xabcdefu, 60);
}

static void
test_opcodec_partials_merge_like_one_pass_ties(void **state)
{
    (void)state;
    pool = ties;
    npool = sizeof ties / sizeof ties[0];
    law_rounds(0, 0x5151u, 60);
    pool = numbers;
    npool = NNUM;
}

/* Text that is not an encoding must not decode; text that decodes must be
 * the encoding of what it decoded to, and that state must merge and finish
 * (under ASan: without a fault or a leak). */
static void
check_damaged(const struct agg *a, const char *text, size_t len, const struct tally_buf *valid)
{
    void *st = new_state(a);
    if (a->op->decode(st, text, len)) {
        struct tally_buf again = {0};
        a->op->encode(st, 0, &again);
        if (again.len != len || memcmp(again.p, text, len) != 0)
            fail_msg("%s: %.*s decodes, but as %s", a->label, (int)len, text, again.p);
        tally_buf_free(&again);
        void *other = decode_ok(a, valid);
        a->op->merge(other, st);
        struct tally_value v;
        a->op->final(other, &a->param, &v);
        a->op->final(st, &a->param, &v);
        free_state(a, other);
    }
    free_state(a, st);
}

static void
test_opcodec_damaged_text_never_decodes_into_something_else(void **state)
{
    (void)state;
    uint64_t seed = 0x77u;
    static const char repl[] = {'0', '1', '9', ',', ';', '-',  '%',
                                'a', 'f', 'F', ' ', 0,   0x7f, 'x'};
    struct val vals[40];
    for (int round = 0; round < 6; round++) {
        size_t n = rnd(&seed) % 40;
        for (size_t i = 0; i < n; i++)
            random_value(&vals[i], &seed, (int)(rnd(&seed) % 10));
        for (size_t o = 0; o < NOPS; o++) {
            struct agg a = find(all_ops[o]);
            void *st = new_state(&a);
            for (size_t i = 0; i < n; i++)
                feed(&a, st, &vals[i]);
            struct tally_buf text = {0};
            a.op->encode(st, rnd(&seed) % 100000, &text);
            free_state(&a, st);
            /* Every truncation: no proper prefix is an encoding. */
            for (size_t len = 0; len < text.len; len++) {
                char *cut = malloc(len + 1); /* its own block: ASan sees reads past len */
                assert_non_null(cut);
                memcpy(cut, text.p, len);
                void *t = new_state(&a);
                if (a.op->decode(t, cut, len))
                    fail_msg("%s: prefix %zu of %s decodes", a.label, len, text.p);
                free_state(&a, t);
                free(cut);
            }
            /* Byte flips, and a byte too many. */
            char *buf = malloc(text.len + 1);
            assert_non_null(buf);
            for (size_t i = 0; i < text.len; i++)
                for (size_t r = 0; r <= sizeof repl; r++) {
                    memcpy(buf, text.p, text.len);
                    buf[i] = r < sizeof repl ? repl[r] : (char)rnd(&seed);
                    check_damaged(&a, buf, text.len, &text);
                }
            memcpy(buf, text.p, text.len);
            buf[text.len] = ';';
            void *t = new_state(&a);
            assert_false(a.op->decode(t, buf, text.len + 1));
            free_state(&a, t);
            free(buf);
            tally_buf_free(&text);
        }
    }
}

/* Hand-made texts each op must refuse: not canonical, out of range, or
 * inconsistent. */
static void
test_opcodec_refuses_states_no_run_makes(void **state)
{
    (void)state;
    static const struct {
        const char *op, *text;
    } bad[] = {
        {"count", "-1;"},
        {"count", "9223372036854775808;"},
        {"count", "1"},
        {"sum", "0,0,1,5,0;"},     /* a sum of no values */
        {"sum", "1,19,1,5,0;"},    /* scale beyond 18 */
        {"sum", "1,0,16,5,0;"},    /* unknown flag */
        {"sum", "1,0,1,5,1,0,1;"}, /* a binary sum without its flag */
        {"min", "3,5,0;"},
        {"min", "2,7ff8000000000000,0;"}, /* NaN */
        {"min", "1,5;"},
        {"median", "2,3ff0000000000000;"},
        {"median", "1,7ff8000000000001;"},
        {"var", "2,10,0,1,1,0,0;"}, /* scale beyond 9 */
        {"var", "2,0,0,1,-1,0,0;"}, /* a negative sum of squares */
        {"var", "0,0,1,0,0,0,0;"},  /* an infinity among no values */
        {"var", "2,0,4,1,1,0,0;"},
        {"first", "1,0,;"}, /* no bytes */
        {"first", "2,0,a;"},
        {"last", "1,0,a,b;"},
        {"distinct", "1,0,2,a,1,a,1;"}, /* the same value twice */
        {"distinct", "1,0,1,a,0;"},     /* a count of 0 */
        {"mode", "2,5,1,a,1,5,1,b,1;"}, /* positions not rising */
        {"mode", "1,0,0;"},             /* an empty segment */
        {"mode", "1,0,1,,1;"},          /* an empty value */
        {"mode", "1,0,1,a%2,1;"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        struct agg a = find(bad[k].op);
        void *st = new_state(&a);
        if (a.op->decode(st, bad[k].text, strlen(bad[k].text)))
            fail_msg("%s decodes %s", bad[k].op, bad[k].text);
        free_state(&a, st);
    }
}

/* The encodings codec.h documents, for states made by feeding values. */
static void
expect_encoding(const char *name, uint64_t origin, const char *want, size_t n, ...)
{
    struct agg a = find(name);
    void *st = new_state(&a);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        struct val v;
        const char *t = va_arg(ap, const char *);
        v.len = strlen(t);
        memcpy(v.b, t, v.len);
        feed(&a, st, &v);
    }
    va_end(ap);
    struct tally_buf b = {0};
    a.op->encode(st, origin, &b);
    if (strcmp(b.p, want) != 0)
        fail_msg("%s: encodes as %s, want %s", name, b.p, want);
    tally_buf_free(&b);
    free_state(&a, st);
}

static void
test_opcodec_encodings_are_as_documented(void **state)
{
    (void)state;
    expect_encoding("count", 0, "3;", 3, "a", "", "b");
    expect_encoding("count:", 0, "0;", 0);
    expect_encoding("sum", 0, "2,0,1,3,0;", 2, "1", "2");
    expect_encoding("sum", 0, "2,1,0,35,0;", 2, "1", "2.5");
    expect_encoding("mean", 0, "1,0,2,0,0;", 1, "1e-400"); /* a binary 0: no limbs */
    expect_encoding("sum", 0, "2,0,12,0,0;", 2, "1e999", "-1e999");
    expect_encoding("sum", 0, "0,0,1,0,0;", 1, "x");
    expect_encoding("min", 100, "1,-7,100;", 2, "3", "-7");
    expect_encoding("max", 0, "2,3fe0000000000000,0;", 2, "0.5", "-1");
    expect_encoding("max", 0, "0;", 0);
    expect_encoding("median", 0, "2,3ff0000000000000,8000000000000000;", 2, "1", "-0.0");
    expect_encoding("var", 0, "2,0,0,3,5,0,0;", 2, "1", "2");
    expect_encoding("stddev", 0, "1,0,1,0,0,0,0;", 1, "1e999");
    expect_encoding("first", 5, "1,5,a%20b;", 2, "a b", "c");
    expect_encoding("last", 5, "1,5,c%2C%3B%25;", 2, "a b", "c,;%");
    expect_encoding("mode", 9, "1,9,2,x,2,y,1;", 3, "x", "y", "x");
    expect_encoding("distinct", 0, "0;", 1, "");
}

/* The result of merging a state fed `second` into one fed `first`, both
 * given positions by decoding their text with origins oa and ob. */
static struct tally_value
merged(const struct agg *a, const char *first, uint64_t oa, const char *second, uint64_t ob,
       char *textbuf)
{
    void *x = new_state(a), *y = new_state(a);
    struct val v = {{0}, strlen(first)};
    memcpy(v.b, first, v.len);
    feed(a, x, &v);
    v.len = strlen(second);
    memcpy(v.b, second, v.len);
    feed(a, y, &v);
    if (oa || ob) { /* through text, with positions */
        struct tally_buf tx = {0}, ty = {0};
        a->op->encode(x, oa, &tx);
        a->op->encode(y, ob, &ty);
        free_state(a, x);
        free_state(a, y);
        x = decode_ok(a, &tx);
        y = decode_ok(a, &ty);
        tally_buf_free(&tx);
        tally_buf_free(&ty);
    }
    a->op->merge(x, y);
    struct tally_value out;
    a->op->final(x, &a->param, &out);
    if (out.kind == TALLY_VAL_TEXT) {
        memcpy(textbuf, out.s.ptr, out.s.len);
        out.s.ptr = textbuf;
    }
    free_state(a, x);
    free_state(a, y);
    return out;
}

/* Without positions (threads) the call order decides, as before partials;
 * with them, the input order, whatever the call order. */
static void
test_opcodec_positions_decide_only_where_they_differ(void **state)
{
    (void)state;
    char tb[16];
    struct agg first = find("first"), last = find("last"), mode = find("mode"), min = find("min");
    struct tally_value v = merged(&first, "b", 0, "a", 0, tb);
    assert_true(v.s.len == 1 && tb[0] == 'b');
    v = merged(&last, "b", 0, "a", 0, tb);
    assert_true(v.s.len == 1 && tb[0] == 'a');
    v = merged(&mode, "b", 0, "a", 0, tb);
    assert_true(v.s.len == 1 && tb[0] == 'b');
    v = merged(&min, "0.0", 0, "0", 0, tb);
    assert_int_equal(v.kind, TALLY_VAL_REAL);
    /* dst from later input than src */
    v = merged(&first, "b", 20, "a", 10, tb);
    assert_true(v.s.len == 1 && tb[0] == 'a');
    v = merged(&last, "b", 20, "a", 10, tb);
    assert_true(v.s.len == 1 && tb[0] == 'b');
    v = merged(&mode, "b", 20, "a", 10, tb);
    assert_true(v.s.len == 1 && tb[0] == 'a');
    v = merged(&min, "0.0", 20, "0", 10, tb);
    assert_int_equal(v.kind, TALLY_VAL_INT);
    /* equal positions: the call order again */
    v = merged(&last, "b", 10, "a", 10, tb);
    assert_true(v.s.len == 1 && tb[0] == 'a');
    v = merged(&first, "b", 10, "a", 10, tb);
    assert_true(v.s.len == 1 && tb[0] == 'b');
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opcodec_partials_merge_like_one_pass_numbers),
        cmocka_unit_test(test_opcodec_partials_merge_like_one_pass_mixed),
        cmocka_unit_test(test_opcodec_partials_merge_like_one_pass_text),
        cmocka_unit_test(test_opcodec_partials_merge_like_one_pass_ties),
        cmocka_unit_test(test_opcodec_damaged_text_never_decodes_into_something_else),
        cmocka_unit_test(test_opcodec_refuses_states_no_run_makes),
        cmocka_unit_test(test_opcodec_encodings_are_as_documented),
        cmocka_unit_test(test_opcodec_positions_decide_only_where_they_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
