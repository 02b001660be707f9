/* Unit tests for codec.c and the state text of exact_codec.c: every writer's
 * output reads back to the same value and is the one text of it, the text
 * stays in 0x21..0x7e, and readers refuse what the writers never make. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/codec.h"
#include "tally/exact.h"

static void
assert_printable(const struct tally_buf *b)
{
    for (size_t i = 0; i < b->len; i++)
        assert_true((unsigned char)b->p[i] >= 0x21 && (unsigned char)b->p[i] <= 0x7e);
}

static void
test_codec_unsigned_and_signed_round_trip_at_the_limits(void **state)
{
    (void)state;
    static const uint64_t us[] = {0, 1, 9, 10, 12345, UINT32_MAX, (uint64_t)INT64_MAX, UINT64_MAX};
    static const int64_t is[] = {0, 1, -1, 42, -42, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    struct tally_buf b = {0};
    for (size_t k = 0; k < sizeof us / sizeof us[0]; k++) {
        tally_buf_reset(&b);
        tally_enc_u64(&b, us[k]);
        char want[32];
        snprintf(want, sizeof want, "%llu", (unsigned long long)us[k]);
        assert_string_equal(b.p, want);
        struct tally_dec d;
        uint64_t v;
        tally_dec_init(&d, b.p, b.len);
        assert_true(tally_dec_u64(&d, &v));
        assert_true(v == us[k]);
        assert_int_equal(tally_dec_left(&d), 0);
    }
    for (size_t k = 0; k < sizeof is / sizeof is[0]; k++) {
        tally_buf_reset(&b);
        tally_enc_i64(&b, is[k]);
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)is[k]);
        assert_string_equal(b.p, want);
        struct tally_dec d;
        int64_t v;
        tally_dec_init(&d, b.p, b.len);
        assert_true(tally_dec_i64(&d, &v));
        assert_true(v == is[k]);
        assert_int_equal(tally_dec_left(&d), 0);
    }
    tally_buf_free(&b);
}

static bool
reads_u64(const char *s, uint64_t *v)
{
    struct tally_dec d;
    tally_dec_init(&d, s, strlen(s));
    return tally_dec_u64(&d, v) && tally_dec_left(&d) == 0;
}

static bool
reads_i64(const char *s, int64_t *v)
{
    struct tally_dec d;
    tally_dec_init(&d, s, strlen(s));
    return tally_dec_i64(&d, v) && tally_dec_left(&d) == 0;
}

static void
test_codec_integers_refuse_other_spellings_and_overflow(void **state)
{
    (void)state;
    uint64_t u;
    int64_t i;
    static const char *const bad_u[] = {"",   "-1",
                                        "+1", "01",
                                        "00", "18446744073709551616",
                                        "a1", " 1",
                                        "-",  "99999999999999999999"};
    for (size_t k = 0; k < sizeof bad_u / sizeof bad_u[0]; k++)
        assert_false(reads_u64(bad_u[k], &u));
    static const char *const bad_i[] = {
        "", "-0", "+1", "-01", "9223372036854775808", "--1", "-", "-9223372036854775809"};
    for (size_t k = 0; k < sizeof bad_i / sizeof bad_i[0]; k++)
        assert_false(reads_i64(bad_i[k], &i));
    assert_true(reads_u64("18446744073709551615", &u) && u == UINT64_MAX);
    assert_true(reads_i64("-9223372036854775808", &i) && i == INT64_MIN);
    /* u64_max bounds the value */
    struct tally_dec d;
    tally_dec_init(&d, "19", 2);
    assert_false(tally_dec_u64_max(&d, 18, &u));
    tally_dec_init(&d, "18", 2);
    assert_true(tally_dec_u64_max(&d, 18, &u) && u == 18);
}

static void
test_codec_doubles_keep_every_bit(void **state)
{
    (void)state;
    double vals[] = {0.0,
                     -0.0,
                     1.0,
                     -1.5,
                     0.1,
                     5e-324,
                     -2.2250738585072014e-308,
                     1.7976931348623157e308,
                     INFINITY,
                     -INFINITY,
                     NAN,
                     9007199254740993.0};
    struct tally_buf b = {0};
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        tally_buf_reset(&b);
        tally_enc_double(&b, vals[k]);
        assert_int_equal(b.len, 16);
        assert_printable(&b);
        struct tally_dec d;
        double v;
        tally_dec_init(&d, b.p, b.len);
        assert_true(tally_dec_double(&d, &v));
        assert_memory_equal(&v, &vals[k], sizeof v);
    }
    tally_buf_reset(&b);
    tally_enc_double(&b, 1.0);
    assert_string_equal(b.p, "3ff0000000000000");
    tally_buf_reset(&b);
    tally_enc_double(&b, -0.0);
    assert_string_equal(b.p, "8000000000000000");
    tally_buf_free(&b);
    static const char *const bad[] = {"3ff000000000000", "3FF0000000000000", "3ff000000000000g", "",
                                      "0x3ff00000000000"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        struct tally_dec d;
        double v;
        tally_dec_init(&d, bad[k], strlen(bad[k]));
        assert_false(tally_dec_double(&d, &v));
    }
}

static void
test_codec_bytes_round_trip_every_byte(void **state)
{
    (void)state;
    char all[256 + 4];
    for (int c = 0; c < 256; c++)
        all[c] = (char)c;
    memcpy(all + 256, "%,;%", 4);
    struct tally_buf b = {0}, out = {0};
    tally_enc_bytes(&b, all, sizeof all);
    assert_printable(&b);
    assert_null(memchr(b.p, ',', b.len));
    assert_null(memchr(b.p, ';', b.len));
    tally_enc_sep(&b);
    struct tally_dec d;
    tally_dec_init(&d, b.p, b.len);
    assert_true(tally_dec_bytes(&d, &out));
    assert_int_equal(out.len, sizeof all);
    assert_memory_equal(out.p, all, sizeof all);
    assert_true(tally_dec_sep(&d));
    assert_int_equal(tally_dec_left(&d), 0);
    /* a field ends at ';' too; the empty field reads as no bytes */
    tally_buf_reset(&out);
    tally_dec_init(&d, ";", 1);
    assert_true(tally_dec_bytes(&d, &out));
    assert_int_equal(out.len, 0);
    assert_true(tally_dec_end(&d));
    tally_buf_reset(&b);
    tally_enc_bytes(&b, "a b\t%", 5);
    assert_string_equal(b.p, "a%20b%09%25");
    tally_buf_free(&b);
    tally_buf_free(&out);
}

static bool
reads_bytes(const char *s)
{
    struct tally_dec d;
    struct tally_buf out = {0};
    tally_dec_init(&d, s, strlen(s));
    bool ok = tally_dec_bytes(&d, &out) && tally_dec_left(&d) == 0;
    tally_buf_free(&out);
    return ok;
}

static void
test_codec_bytes_refuse_bad_and_needless_escapes(void **state)
{
    (void)state;
    assert_true(reads_bytes("abc%25%2C%3B%00%FF"));
    static const char *const bad[] = {"%",   "%2",   "%2g", "%2c",  "%41" /* 'A' needs none */,
                                      "a b", "a\tb", "%7E", "\x80", "%%25"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_false(reads_bytes(bad[k]));
}

static void
test_codec_counts_are_bounded_by_the_text_left(void **state)
{
    (void)state;
    struct tally_dec d;
    size_t n;
    tally_dec_init(&d, "3,a,b,c", 7); /* 6 bytes left: 3 of 2 fit */
    assert_true(tally_dec_count(&d, 2, &n) && n == 3);
    tally_dec_init(&d, "4,a,b,c", 7);
    assert_false(tally_dec_count(&d, 2, &n));
    tally_dec_init(&d, "18446744073709551615", 20);
    assert_false(tally_dec_count(&d, 1, &n));
    tally_dec_init(&d, "0", 1);
    assert_true(tally_dec_count(&d, 17, &n) && n == 0);
}

static void
test_codec_end_needs_the_terminator_and_nothing_after(void **state)
{
    (void)state;
    struct tally_dec d;
    tally_dec_init(&d, ";", 1);
    assert_true(tally_dec_end(&d));
    tally_dec_init(&d, ";x", 2);
    assert_false(tally_dec_end(&d));
    tally_dec_init(&d, ";;", 2);
    assert_false(tally_dec_end(&d));
    tally_dec_init(&d, "", 0);
    assert_false(tally_dec_end(&d));
    assert_false(tally_dec_sep(&d));
    assert_true(tally_codec_add_pos(5, 7) == 12);
    assert_true(tally_codec_add_pos(UINT64_MAX - 1, 7) == UINT64_MAX);
}

/* ---- exact_codec.c */

static struct tally_wide
wide_pow2(int k, bool neg)
{
    struct tally_wide w = {{0, 0, 0, 0}};
    w.w[k / 64] = (uint64_t)1 << (k % 64);
    if (neg) {
        for (int i = 0; i < 4; i++)
            w.w[i] = ~w.w[i];
        struct tally_wide one = {{1, 0, 0, 0}};
        tally_wide_add(&w, &one);
    }
    return w;
}

static void
test_codec_wide_integers_are_exact_signed_decimals(void **state)
{
    (void)state;
    struct tally_wide vals[8] = {tally_wide_from_i64(0),         tally_wide_from_i64(-1),
                                 tally_wide_from_i64(INT64_MIN), wide_pow2(64, false),
                                 wide_pow2(200, true),           wide_pow2(255, true),
                                 wide_pow2(254, false)};
    vals[7] = wide_pow2(255, true); /* 2^255 - 1: the largest */
    for (int i = 0; i < 4; i++)
        vals[7].w[i] = ~vals[7].w[i];
    struct tally_buf b = {0};
    for (size_t k = 0; k < 8; k++) {
        tally_buf_reset(&b);
        tally_wide_encode(&vals[k], &b);
        assert_printable(&b);
        struct tally_dec d;
        struct tally_wide w;
        tally_dec_init(&d, b.p, b.len);
        assert_true(tally_wide_decode(&d, &w));
        assert_int_equal(tally_dec_left(&d), 0);
        assert_memory_equal(&w, &vals[k], sizeof w);
    }
    tally_buf_reset(&b);
    tally_wide_encode(&vals[3], &b);
    assert_string_equal(b.p, "18446744073709551616");
    tally_buf_reset(&b);
    tally_wide_encode(&vals[5], &b);
    assert_string_equal(
        b.p, "-57896044618658097711785492504343953926634992332820282019728792003956564819968");
    /* one past either end, "-0", leading zeros */
    static const char *const bad[] = {
        "57896044618658097711785492504343953926634992332820282019728792003956564819968",
        "-57896044618658097711785492504343953926634992332820282019728792003956564819969",
        "-0",
        "007",
        "",
        "-",
        "9999999999999999999999999999999999999999999999999999999999999999999999999999999999"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        struct tally_dec d;
        struct tally_wide w;
        tally_dec_init(&d, bad[k], strlen(bad[k]));
        assert_false(tally_wide_decode(&d, &w) && tally_dec_left(&d) == 0);
    }
    tally_buf_free(&b);
}

static void
test_codec_windows_round_trip_and_refuse_what_no_sum_holds(void **state)
{
    (void)state;
    struct tally_wacc *a = NULL, *back = NULL;
    double xs[] = {1e300, -3.5, 0.1, 5e-324, -1e300, 7.25e10};
    for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++)
        tally_wacc_add(&a, xs[k]);
    struct tally_buf b = {0}, again = {0};
    tally_wacc_encode(a, &b);
    assert_printable(&b);
    struct tally_dec d;
    tally_dec_init(&d, b.p, b.len);
    assert_true(tally_wacc_decode(&d, TALLY_SA_LIMBS, &back));
    assert_int_equal(tally_dec_left(&d), 0);
    double want = tally_wacc_to_double(a, 0.0), got = tally_wacc_to_double(back, 0.0);
    assert_memory_equal(&want, &got, sizeof want);
    tally_wacc_encode(back, &again);
    assert_string_equal(again.p, b.p);
    free(back);
    back = NULL;
    /* The same text refused where squares' limbs are not allowed: too high. */
    tally_buf_reset(&b);
    tally_wacc_add_square(&a, 1e300);
    free(a);
    a = NULL;
    tally_wacc_add_square(&a, 1e300);
    tally_wacc_encode(a, &b);
    tally_dec_init(&d, b.p, b.len);
    assert_false(tally_wacc_decode(&d, TALLY_SA_LIMBS, &back));
    free(back);
    back = NULL;
    tally_dec_init(&d, b.p, b.len);
    assert_true(tally_wacc_decode(&d, TALLY_SA2_LIMBS, &back));
    free(back);
    back = NULL;
    static const char *const bad[] = {
        "1,70,0",          "2,0,4294967296,1", "2,0,-1,1", "1,0,4294967296",
        "1,0,-4294967296", "3,0,1,2",          "71,0",     "1,69"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        tally_dec_init(&d, bad[k], strlen(bad[k]));
        assert_false(tally_wacc_decode(&d, TALLY_SA_LIMBS, &back) && tally_dec_left(&d) == 0);
        free(back);
        back = NULL;
    }
    tally_dec_init(&d, "0", 1);
    assert_true(tally_wacc_decode(&d, TALLY_SA_LIMBS, &back));
    assert_null(back);
    free(a);
    tally_buf_free(&b);
    tally_buf_free(&again);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec_unsigned_and_signed_round_trip_at_the_limits),
        cmocka_unit_test(test_codec_integers_refuse_other_spellings_and_overflow),
        cmocka_unit_test(test_codec_doubles_keep_every_bit),
        cmocka_unit_test(test_codec_bytes_round_trip_every_byte),
        cmocka_unit_test(test_codec_bytes_refuse_bad_and_needless_escapes),
        cmocka_unit_test(test_codec_counts_are_bounded_by_the_text_left),
        cmocka_unit_test(test_codec_end_needs_the_terminator_and_nothing_after),
        cmocka_unit_test(test_codec_wide_integers_are_exact_signed_decimals),
        cmocka_unit_test(test_codec_windows_round_trip_and_refuse_what_no_sum_holds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
