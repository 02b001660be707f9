/* Structural indexing stage: consumes raw CSV bytes, 64 at a time, and
 * produces bitmasks of quotes, delimiters and line-end bytes, plus the
 * inside-quotes mask. One kernel per instruction set, picked at run time;
 * the SIMD ones are compiled with target attributes, not global flags. */
#include "tally/csvscan.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define TALLY_X86 1
#include <immintrin.h>
#else
#define TALLY_X86 0
#endif

static const char *const kernel_names[TALLY_SIMD_COUNT] = {"scalar", "sse2", "avx2", "avx512"};

static inline uint64_t
low_bits(size_t n)
{
    return n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1);
}

static void
classify64_scalar(const char *p, char delim, struct tally_csvscan_masks *m)
{
    uint64_t q = 0, d = 0, cr = 0, lf = 0;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t bit = (uint64_t)1 << i;
        char c = p[i];
        /* Not else-if: delim may be any byte but the quote, CR or LF, and
         * the kernels must agree even if a caller breaks that rule. */
        if (c == '"')
            q |= bit;
        if (c == delim)
            d |= bit;
        if (c == '\r')
            cr |= bit;
        if (c == '\n')
            lf |= bit;
    }
    m->quote = q;
    m->delim = d;
    m->cr = cr;
    m->lf = lf;
}

static uint64_t
prefix_xor_portable(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

#if TALLY_X86
static void
classify64_sse2(const char *p, char delim, struct tally_csvscan_masks *m)
{
    const __m128i vq = _mm_set1_epi8('"'), vd = _mm_set1_epi8(delim);
    const __m128i vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
    uint64_t q = 0, d = 0, cr = 0, lf = 0;
    for (unsigned i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        unsigned sh = 16 * i;
        q |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq)) << sh;
        d |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vd)) << sh;
        cr |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vcr)) << sh;
        lf |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vlf)) << sh;
    }
    m->quote = q;
    m->delim = d;
    m->cr = cr;
    m->lf = lf;
}

__attribute__((target("avx2"))) static inline uint64_t
eq_mask_avx2(__m256i lo, __m256i hi, __m256i c)
{
    uint32_t a = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, c));
    uint32_t b = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, c));
    return (uint64_t)a | (uint64_t)b << 32;
}

__attribute__((target("avx2"))) static inline void
classify64_avx2(const char *p, char delim, struct tally_csvscan_masks *m)
{
    __m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    m->quote = eq_mask_avx2(lo, hi, _mm256_set1_epi8('"'));
    m->delim = eq_mask_avx2(lo, hi, _mm256_set1_epi8(delim));
    m->cr = eq_mask_avx2(lo, hi, _mm256_set1_epi8('\r'));
    m->lf = eq_mask_avx2(lo, hi, _mm256_set1_epi8('\n'));
}

__attribute__((target("avx2"))) static void
index_avx2(const char *p, size_t nfull, char delim, struct tally_csvscan_masks *out)
{
    for (size_t b = 0; b < nfull; b++)
        classify64_avx2(p + 64 * b, delim, &out[b]);
}

__attribute__((target("avx512f,avx512bw"))) static inline void
classify_avx512(const char *p, size_t n, char delim, struct tally_csvscan_masks *m)
{
    /* A masked load reads no byte at or past n, so a short block needs no
     * copy; the zeroed lanes are cleared from the masks below. */
    __mmask64 keep = (__mmask64)low_bits(n);
    __m512i v = _mm512_maskz_loadu_epi8(keep, p);
    m->quote = _mm512_mask_cmpeq_epi8_mask(keep, v, _mm512_set1_epi8('"'));
    m->delim = _mm512_mask_cmpeq_epi8_mask(keep, v, _mm512_set1_epi8(delim));
    m->cr = _mm512_mask_cmpeq_epi8_mask(keep, v, _mm512_set1_epi8('\r'));
    m->lf = _mm512_mask_cmpeq_epi8_mask(keep, v, _mm512_set1_epi8('\n'));
}

__attribute__((target("avx512f,avx512bw"))) static void
index_avx512(const char *p, size_t len, char delim, struct tally_csvscan_masks *out)
{
    for (size_t b = 0; 64 * b < len; b++) {
        size_t n = len - 64 * b;
        classify_avx512(p + 64 * b, n < 64 ? n : 64, delim, &out[b]);
    }
}

__attribute__((target("pclmul,sse2"))) static uint64_t
prefix_xor_clmul(uint64_t x)
{
    __m128i a = _mm_set_epi64x(0, (long long)x);
    __m128i r = _mm_clmulepi64_si128(a, _mm_set1_epi8((char)0xFF), 0);
    return (uint64_t)_mm_cvtsi128_si64(r);
}
#endif

bool
tally_csvscan_supported(enum tally_simd k)
{
    switch (k) {
    case TALLY_SIMD_SCALAR:
        return true;
#if TALLY_X86
    case TALLY_SIMD_SSE2:
        return true;
    case TALLY_SIMD_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul");
    case TALLY_SIMD_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("pclmul");
#endif
    default:
        return false;
    }
}

const char *
tally_csvscan_name(enum tally_simd k)
{
    return (unsigned)k < TALLY_SIMD_COUNT ? kernel_names[k] : "?";
}

enum tally_simd
tally_csvscan_choose(void)
{
    const char *want = getenv("TALLY_SIMD");
    if (want && *want) {
        for (int k = 0; k < TALLY_SIMD_COUNT; k++)
            if (strcmp(want, kernel_names[k]) == 0 && tally_csvscan_supported((enum tally_simd)k))
                return (enum tally_simd)k;
    }
    /* AVX2 first: on this generation of cores 512-bit compares lower the
     * clock for the other core's work too, and 64 bytes are two AVX2 loads. */
    if (tally_csvscan_supported(TALLY_SIMD_AVX2))
        return TALLY_SIMD_AVX2;
    if (tally_csvscan_supported(TALLY_SIMD_SSE2))
        return TALLY_SIMD_SSE2;
    return TALLY_SIMD_SCALAR;
}

static void
classify64(enum tally_simd k, const char *p, char delim, struct tally_csvscan_masks *m)
{
    switch (k) {
#if TALLY_X86
    case TALLY_SIMD_SSE2:
        classify64_sse2(p, delim, m);
        return;
    case TALLY_SIMD_AVX2:
        classify64_avx2(p, delim, m);
        return;
    case TALLY_SIMD_AVX512:
        classify_avx512(p, 64, delim, m);
        return;
#endif
    default:
        classify64_scalar(p, delim, m);
        return;
    }
}

void
tally_csvscan_classify(enum tally_simd k, const char *p, size_t n, char delim,
                       struct tally_csvscan_masks *m)
{
    if (n > 64)
        n = 64;
#if TALLY_X86
    if (k == TALLY_SIMD_AVX512) {
        classify_avx512(p, n, delim, m);
        return;
    }
#endif
    if (n == 64) {
        classify64(k, p, delim, m);
        return;
    }
    /* A short block goes through a zeroed copy so no kernel reads past n. */
    char tmp[64] = {0};
    if (n)
        memcpy(tmp, p, n);
    classify64(k, tmp, delim, m);
    uint64_t keep = low_bits(n);
    m->quote &= keep;
    m->delim &= keep;
    m->cr &= keep;
    m->lf &= keep;
}

void
tally_csvscan_index(enum tally_simd k, const char *p, size_t len, char delim,
                    struct tally_csvscan_masks *out)
{
#if TALLY_X86
    if (k == TALLY_SIMD_AVX512) {
        index_avx512(p, len, delim, out);
        return;
    }
#endif
    size_t nfull = len / 64, b = 0;
#if TALLY_X86
    if (k == TALLY_SIMD_AVX2) {
        index_avx2(p, nfull, delim, out);
        b = nfull;
    }
#endif
    for (; b < nfull; b++)
        classify64(k, p + 64 * b, delim, &out[b]);
    if (len % 64)
        tally_csvscan_classify(k, p + 64 * nfull, len % 64, delim, &out[nfull]);
}

uint64_t
tally_csvscan_inside_quotes(enum tally_simd k, uint64_t quote, uint64_t *carry)
{
    uint64_t x;
#if TALLY_X86
    if (k == TALLY_SIMD_AVX2 || k == TALLY_SIMD_AVX512)
        x = prefix_xor_clmul(quote);
    else
#endif
        x = prefix_xor_portable(quote);
    (void)k;
    x ^= *carry;
    *carry = (uint64_t)0 - (x >> 63);
    return x;
}

uint64_t
tally_csvscan_structural(const struct tally_csvscan_masks *m, uint64_t inside)
{
    return (m->delim | m->cr | m->lf) & ~inside;
}
