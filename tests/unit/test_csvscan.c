/* Structural indexing kernels: each supported kernel gives exactly the bits
 * of a byte-by-byte reference, on random inputs of every length to 300 at
 * every alignment, and the inside-quotes mask carries across blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally/csvscan.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void
fill_random(char *p, size_t n)
{
    static const char alphabet[] = "a,\"\r\n\t;x \0\xff";
    for (size_t i = 0; i < n; i++)
        p[i] = alphabet[rnd() % (sizeof alphabet - 1)];
}

/* Byte by byte: the masks, the inside-quotes bits and the structural bits
 * of block b of p[0, len). */
static void
reference(const char *p, size_t len, size_t b, char delim, struct tally_csvscan_masks *m,
          uint64_t *inside, uint64_t *structural)
{
    memset(m, 0, sizeof *m);
    *inside = 0;
    *structural = 0;
    int in = 0;
    for (size_t i = 0; i < len && i < 64 * (b + 1); i++) {
        if (p[i] == '"')
            in = !in;
        if (i < 64 * b)
            continue;
        uint64_t bit = (uint64_t)1 << (i - 64 * b);
        if (p[i] == '"')
            m->quote |= bit;
        if (p[i] == delim)
            m->delim |= bit;
        if (p[i] == '\r')
            m->cr |= bit;
        if (p[i] == '\n')
            m->lf |= bit;
        if (in)
            *inside |= bit;
        if (!in && (p[i] == delim || p[i] == '\r' || p[i] == '\n'))
            *structural |= bit;
    }
}

static void
check_kernel_on(enum tally_simd k, const char *p, size_t len, char delim)
{
    size_t nblocks = (len + 63) / 64;
    struct tally_csvscan_masks idx[8];
    assert_true(nblocks <= 8);
    tally_csvscan_index(k, p, len, delim, idx);
    uint64_t carry = 0;
    for (size_t b = 0; b < nblocks; b++) {
        struct tally_csvscan_masks want, got;
        uint64_t want_in, want_st;
        reference(p, len, b, delim, &want, &want_in, &want_st);
        size_t n = len - 64 * b;
        tally_csvscan_classify(k, p + 64 * b, n, delim, &got);
        if (memcmp(&want, &got, sizeof want) != 0 || memcmp(&want, &idx[b], sizeof want) != 0)
            fail_msg("kernel %s: masks of block %zu of %zu bytes differ", tally_csvscan_name(k), b,
                     len);
        uint64_t in = tally_csvscan_inside_quotes(k, got.quote, &carry);
        /* Past the end of the input the state just carries on. */
        uint64_t valid = n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
        assert_int_equal(in & valid, want_in);
        assert_int_equal(tally_csvscan_structural(&got, in), want_st);
    }
}

static void
test_csvscan_kernels_agree_with_reference_on_random_inputs(void **state)
{
    (void)state;
    static const char delims[] = {',', '\t', ';', ' '};
    char buf[300 + 64 + 64];
    size_t kernels = 0;
    for (int k = 0; k < TALLY_SIMD_COUNT; k++) {
        if (!tally_csvscan_supported((enum tally_simd)k))
            continue;
        kernels++;
        for (size_t len = 0; len <= 300; len++)
            for (size_t align = 0; align < 64; align++) {
                char delim = delims[(len + align) % sizeof delims];
                /* Bytes around the input are delimiters and quotes, which a
                 * kernel reading out of bounds would report. */
                memset(buf, delim, sizeof buf);
                buf[align ? align - 1 : 0] = '"';
                fill_random(buf + align, len);
                check_kernel_on((enum tally_simd)k, buf + align, len, delim);
            }
    }
    assert_true(kernels >= 1);
}

static void
test_csvscan_marks_quotes_delimiters_and_line_ends(void **state)
{
    (void)state;
    const char in[] = "a,\"b\r\n\",c\r\n";
    for (int k = 0; k < TALLY_SIMD_COUNT; k++) {
        if (!tally_csvscan_supported((enum tally_simd)k))
            continue;
        struct tally_csvscan_masks m;
        tally_csvscan_classify((enum tally_simd)k, in, sizeof in - 1, ',', &m);
        assert_int_equal(m.quote, (1u << 2) | (1u << 6));
        assert_int_equal(m.delim, (1u << 1) | (1u << 7));
        assert_int_equal(m.cr, (1u << 4) | (1u << 9));
        assert_int_equal(m.lf, (1u << 5) | (1u << 10));
        uint64_t carry = 0;
        uint64_t inside = tally_csvscan_inside_quotes((enum tally_simd)k, m.quote, &carry);
        assert_int_equal(inside, 0x3cu); /* the opening quote through the byte before closing */
        assert_int_equal(carry, 0);
        /* The CR LF inside quotes is no boundary. */
        assert_int_equal(tally_csvscan_structural(&m, inside),
                         (1u << 1) | (1u << 7) | (1u << 9) | (1u << 10));
    }
}

static void
test_csvscan_inside_quotes_carries_across_blocks(void **state)
{
    (void)state;
    for (int k = 0; k < TALLY_SIMD_COUNT; k++) {
        if (!tally_csvscan_supported((enum tally_simd)k))
            continue;
        uint64_t carry = 0;
        /* A quote opens at bit 63 and closes at bit 1 of the next block. */
        uint64_t a = tally_csvscan_inside_quotes((enum tally_simd)k, (uint64_t)1 << 63, &carry);
        assert_int_equal(a, (uint64_t)1 << 63);
        assert_int_equal(carry, ~(uint64_t)0);
        uint64_t b = tally_csvscan_inside_quotes((enum tally_simd)k, 2, &carry);
        assert_int_equal(b, 1);
        assert_int_equal(carry, 0);
        /* A block without quotes keeps the state: all inside, then none. */
        carry = ~(uint64_t)0;
        assert_int_equal(tally_csvscan_inside_quotes((enum tally_simd)k, 0, &carry), ~(uint64_t)0);
        carry = 0;
        assert_int_equal(tally_csvscan_inside_quotes((enum tally_simd)k, 0, &carry), 0);
    }
}

static void
test_csvscan_doubled_quote_leaves_state_unchanged(void **state)
{
    (void)state;
    const char in[] = "\"x\"\"y\",z\n";
    struct tally_csvscan_masks m;
    tally_csvscan_classify(TALLY_SIMD_SCALAR, in, sizeof in - 1, ',', &m);
    uint64_t carry = 0;
    uint64_t inside = tally_csvscan_inside_quotes(TALLY_SIMD_SCALAR, m.quote, &carry);
    /* Inside over "x and "y; the delimiter at 6 and LF at 8 are boundaries. */
    assert_int_equal(inside, 0x1bu);
    assert_int_equal(tally_csvscan_structural(&m, inside), (1u << 6) | (1u << 8));
}

static void
test_csvscan_environment_forces_a_kernel(void **state)
{
    (void)state;
    assert_int_equal(setenv("TALLY_SIMD", "scalar", 1), 0);
    assert_int_equal(tally_csvscan_choose(), TALLY_SIMD_SCALAR);
    assert_int_equal(setenv("TALLY_SIMD", "sse2", 1), 0);
    enum tally_simd k = tally_csvscan_choose();
    assert_true(k == TALLY_SIMD_SSE2 || !tally_csvscan_supported(TALLY_SIMD_SSE2));
    assert_int_equal(setenv("TALLY_SIMD", "avx2", 1), 0);
    k = tally_csvscan_choose();
    assert_true(k == TALLY_SIMD_AVX2 || !tally_csvscan_supported(TALLY_SIMD_AVX2));
    assert_int_equal(unsetenv("TALLY_SIMD"), 0);
    assert_true(tally_csvscan_supported(tally_csvscan_choose()));
    assert_string_equal(tally_csvscan_name(TALLY_SIMD_AVX512), "avx512");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csvscan_kernels_agree_with_reference_on_random_inputs),
        cmocka_unit_test(test_csvscan_marks_quotes_delimiters_and_line_ends),
        cmocka_unit_test(test_csvscan_inside_quotes_carries_across_blocks),
        cmocka_unit_test(test_csvscan_doubled_quote_leaves_state_unchanged),
        cmocka_unit_test(test_csvscan_environment_forces_a_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
