#include "screening.h"

static void screen_portable(const dptext_quantized_words *w, size_t first, size_t end,
                            const dptext_query_group *q, uint32_t *survivors, size_t stride, size_t counts[16]) {
    const size_t width = w->width;
    for (size_t u = first; u < end; u++) {
        const int8_t *codes = w->codes + u * width;
        for (size_t lane = 0; lane < 16; lane++) {
            int32_t product = -w->offsets[u];
            for (size_t i = 0; i < width; i++)
                product += (int32_t)q->codes[(i / 4) * 64 + lane * 4 + i % 4] * (int32_t)codes[i];
            const float bound = w->squaredNorms[u] - q->scales[lane] * ((float)product * w->doubledScales[u]);
            if (bound <= q->thresholds[lane]) survivors[lane * stride + counts[lane]++] = (uint32_t)u;
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

typedef void (*screen_function)(const dptext_quantized_words *, size_t, size_t, const dptext_query_group *,
                                uint32_t *, size_t, size_t[16]);

/// `screen_KIND_G`: `screen_KIND` with `groups` = G as a constant, one
/// function per G so that each unrolls for its width.
#define SCREEN_FUNCTION(KIND, TARGET, G) \
    TARGET static void screen_##KIND##_##G(const dptext_quantized_words *w, size_t first, size_t end, \
                                           const dptext_query_group *queries, uint32_t *survivors, \
                                           size_t stride, size_t counts[16]) { \
        screen_##KIND(G, w, first, end, queries, survivors, stride, counts); \
    }

/// The 16 functions of a kernel, and `KIND_by_groups`, the table of them by G.
#define SCREEN_TABLE(KIND, TARGET) \
    SCREEN_FUNCTION(KIND, TARGET, 1) SCREEN_FUNCTION(KIND, TARGET, 2) SCREEN_FUNCTION(KIND, TARGET, 3) \
    SCREEN_FUNCTION(KIND, TARGET, 4) SCREEN_FUNCTION(KIND, TARGET, 5) SCREEN_FUNCTION(KIND, TARGET, 6) \
    SCREEN_FUNCTION(KIND, TARGET, 7) SCREEN_FUNCTION(KIND, TARGET, 8) SCREEN_FUNCTION(KIND, TARGET, 9) \
    SCREEN_FUNCTION(KIND, TARGET, 10) SCREEN_FUNCTION(KIND, TARGET, 11) SCREEN_FUNCTION(KIND, TARGET, 12) \
    SCREEN_FUNCTION(KIND, TARGET, 13) SCREEN_FUNCTION(KIND, TARGET, 14) SCREEN_FUNCTION(KIND, TARGET, 15) \
    SCREEN_FUNCTION(KIND, TARGET, 16) \
    static const screen_function KIND##_by_groups[17] = { \
        0, screen_##KIND##_1, screen_##KIND##_2, screen_##KIND##_3, screen_##KIND##_4, screen_##KIND##_5, \
        screen_##KIND##_6, screen_##KIND##_7, screen_##KIND##_8, screen_##KIND##_9, screen_##KIND##_10, \
        screen_##KIND##_11, screen_##KIND##_12, screen_##KIND##_13, screen_##KIND##_14, screen_##KIND##_15, \
        screen_##KIND##_16, \
    };


#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE inline __attribute__((always_inline))

/// Sets `acc[j]` to the integer products of word u + j's codes with the 16
/// query lanes' codes, for the `W` words u ..< u + W. The group loop is
/// outside so that the W accumulator chains interleave and hide the latency
/// of `vpdpbusd`.
VNNI_TARGET static INLINE void products_of(const dptext_quantized_words *w, size_t u, size_t W,
                                           const __m512i *codes, size_t groups, __m512i *acc) {
    const int8_t *c = w->codes + u * groups * 4;
#pragma clang loop unroll(full)
    for (size_t j = 0; j < W; j++) acc[j] = _mm512_set1_epi32(-w->offsets[u + j]);
#pragma clang loop unroll(full)
    for (size_t g = 0; g < groups; g++)
#pragma clang loop unroll(full)
        for (size_t j = 0; j < W; j++) {
            int32_t four;
            __builtin_memcpy(&four, c + j * groups * 4 + 4 * g, 4);
            acc[j] = _mm512_dpbusd_epi32(acc[j], codes[g], _mm512_set1_epi32(four));
        }
}

/// The lanes whose bound for word u (integer products `product`) passes.
VNNI_TARGET static INLINE __mmask16 passing(const dptext_quantized_words *w, size_t u, __m512i product,
                                            __m512 scales, __m512 thresholds) {
    const __m512 p = _mm512_mul_ps(_mm512_cvtepi32_ps(product), _mm512_set1_ps(w->doubledScales[u]));
    const __m512 bound = _mm512_fnmadd_ps(scales, p, _mm512_set1_ps(w->squaredNorms[u]));
    return _mm512_cmp_ps_mask(bound, thresholds, _CMP_LE_OQ);
}

VNNI_TARGET static INLINE void collect(__mmask16 mask, size_t u, uint32_t *survivors, size_t stride, size_t counts[16]) {
    while (mask) {
        const unsigned lane = (unsigned)__builtin_ctz(mask);
        survivors[lane * stride + counts[lane]++] = (uint32_t)u;
        mask &= mask - 1;
    }
}

/// `collect` for a plain lane mask (the AVX2 path has no mask registers).
static INLINE void collect_lanes(unsigned mask, size_t u, uint32_t *survivors, size_t stride, size_t counts[16]) {
    while (mask) {
        const unsigned lane = (unsigned)__builtin_ctz(mask);
        survivors[lane * stride + counts[lane]++] = (uint32_t)u;
        mask &= mask - 1;
    }
}

/// Queries in the 16 lanes, their codes held in registers for the whole
/// range; each word's codes are broadcast from memory, eight words at a
/// time. Each caller passes `groups` (width / 4) as a constant, so the
/// loops unroll and the codes stay in registers.
VNNI_TARGET static INLINE void screen_vnni(size_t groups, const dptext_quantized_words *w, size_t first, size_t end,
                                           const dptext_query_group *queries, uint32_t *survivors, size_t stride,
                                           size_t counts[16]) {
    enum { words = 8 };
    __m512i codes[DPTEXT_SCREEN_MAX_DEPTH / 4];
#pragma clang loop unroll(full)
    for (size_t g = 0; g < groups; g++) codes[g] = _mm512_loadu_si512(queries->codes + 64 * g);
    const __m512 scales = _mm512_loadu_ps(queries->scales), thresholds = _mm512_loadu_ps(queries->thresholds);
    size_t u = first;
    for (; u + words <= end; u += words) {
        __m512i acc[words];
        products_of(w, u, words, codes, groups, acc);
        __mmask16 masks[words], any = 0;
#pragma clang loop unroll(full)
        for (size_t j = 0; j < words; j++) any |= masks[j] = passing(w, u + j, acc[j], scales, thresholds);
        if (any)
            for (size_t j = 0; j < words; j++) collect(masks[j], u + j, survivors, stride, counts);
    }
    for (; u < end; u++) {
        __m512i acc[1];
        products_of(w, u, 1, codes, groups, acc);
        collect(passing(w, u, acc[0], scales, thresholds), u, survivors, stride, counts);
    }
}

SCREEN_TABLE(vnni, VNNI_TARGET)

// MARK: AVX2

#define AVX2_TARGET __attribute__((target("avx2,fma")))

/// The 16 query lanes' codes as 16-bit pairs for `vpmaddwd`: `pairs[2p]`
/// holds codes 2p and 2p + 1 of lanes 0–7 (lane l in 16-bit elements 2l, 2l + 1),
/// `pairs[2p + 1]` those of lanes 8–15. Codes are q + 128 ∈ 1…255, word codes
/// −127…127, so each `vpmaddwd` sum of two products is at most 2·255·127 in
/// magnitude and J is exact in 32-bit integers, the same J as the other paths.
/// (`vpmaddubsw` would saturate its 16-bit sums: 2·255·127 > 32,767.)
typedef struct { __m256i pairs[DPTEXT_SCREEN_MAX_DEPTH]; } avx2_query_pairs;

AVX2_TARGET static void avx2_pairs_of(const dptext_query_group *q, size_t width, avx2_query_pairs *out) {
    for (size_t p = 0; p < width / 2; p++) {
        int16_t lanes[2][16];
        for (size_t lane = 0; lane < 16; lane++)
            for (size_t j = 0; j < 2; j++) {
                const size_t i = 2 * p + j;
                lanes[lane / 8][2 * (lane % 8) + j] = q->codes[(i / 4) * 64 + lane * 4 + i % 4];
            }
        out->pairs[2 * p] = _mm256_loadu_si256((const __m256i *)lanes[0]);
        out->pairs[2 * p + 1] = _mm256_loadu_si256((const __m256i *)lanes[1]);
    }
}

/// Adds word u's products with the 16 lanes to acc[0] (lanes 0–7) and acc[1]
/// (lanes 8–15), four codes at a time: the codes sign-extended to 16 bits,
/// each pair broadcast to every lane.
AVX2_TARGET static INLINE void avx2_products_of(const int8_t *codes, size_t groups, const avx2_query_pairs *q,
                                                __m256i acc[2]) {
#pragma clang loop unroll(full)
    for (size_t g = 0; g < groups; g++) {
        int32_t four;
        __builtin_memcpy(&four, codes + 4 * g, 4);
        const __m128i wide = _mm_cvtepi8_epi16(_mm_cvtsi32_si128(four));
        const __m256i first = _mm256_broadcastd_epi32(wide), second = _mm256_broadcastd_epi32(_mm_srli_epi64(wide, 32));
        acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(q->pairs[4 * g], first));
        acc[1] = _mm256_add_epi32(acc[1], _mm256_madd_epi16(q->pairs[4 * g + 1], first));
        acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(q->pairs[4 * g + 2], second));
        acc[1] = _mm256_add_epi32(acc[1], _mm256_madd_epi16(q->pairs[4 * g + 3], second));
    }
}

/// The lanes (bit l for lane l) whose bound for word u passes: the same
/// float32 steps as `passing` above, eight lanes per register.
AVX2_TARGET static INLINE unsigned avx2_passing(const dptext_quantized_words *w, size_t u, const __m256i acc[2],
                                                const __m256 scales[2], const __m256 thresholds[2]) {
    unsigned mask = 0;
    for (size_t half = 0; half < 2; half++) {
        const __m256 p = _mm256_mul_ps(_mm256_cvtepi32_ps(acc[half]), _mm256_set1_ps(w->doubledScales[u]));
        const __m256 bound = _mm256_fnmadd_ps(scales[half], p, _mm256_set1_ps(w->squaredNorms[u]));
        mask |= (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(bound, thresholds[half], _CMP_LE_OQ)) << (8 * half);
    }
    return mask;
}

/// Four words at a time, so that their accumulator chains interleave.
AVX2_TARGET static INLINE void screen_avx2(size_t groups, const dptext_quantized_words *w, size_t first, size_t end,
                                           const dptext_query_group *queries, uint32_t *survivors, size_t stride,
                                           size_t counts[16]) {
    enum { words = 4 };
    avx2_query_pairs q;
    avx2_pairs_of(queries, groups * 4, &q);
    const __m256 scales[2] = {_mm256_loadu_ps(queries->scales), _mm256_loadu_ps(queries->scales + 8)};
    const __m256 thresholds[2] = {_mm256_loadu_ps(queries->thresholds), _mm256_loadu_ps(queries->thresholds + 8)};
    size_t u = first;
    for (; u + words <= end; u += words) {
        __m256i acc[words][2];
#pragma clang loop unroll(full)
        for (size_t j = 0; j < words; j++) acc[j][0] = acc[j][1] = _mm256_set1_epi32(-w->offsets[u + j]);
#pragma clang loop unroll(full)
        for (size_t j = 0; j < words; j++) avx2_products_of(w->codes + (u + j) * groups * 4, groups, &q, acc[j]);
        for (size_t j = 0; j < words; j++)
            collect_lanes(avx2_passing(w, u + j, acc[j], scales, thresholds), u + j, survivors, stride, counts);
    }
    for (; u < end; u++) {
        __m256i acc[2];
        acc[0] = acc[1] = _mm256_set1_epi32(-w->offsets[u]);
        avx2_products_of(w->codes + u * groups * 4, groups, &q, acc);
        collect_lanes(avx2_passing(w, u, acc, scales, thresholds), u, survivors, stride, counts);
    }
}

SCREEN_TABLE(avx2, AVX2_TARGET)

static int has_vnni(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

static int has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int dptext_screen_is_vectorized(void) { return has_vnni() || has_avx2(); }
#else
int dptext_screen_is_vectorized(void) { return 0; }
#endif

void dptext_screen_portable(const dptext_quantized_words *words, size_t first, size_t end,
                            const dptext_query_group *queries, uint32_t *survivors, size_t stride, size_t counts[16]) {
    for (size_t lane = 0; lane < 16; lane++) counts[lane] = 0;
    screen_portable(words, first, end, queries, survivors, stride, counts);
}

void dptext_screen(const dptext_quantized_words *words, size_t first, size_t end,
                   const dptext_query_group *queries, uint32_t *survivors, size_t stride, size_t counts[16]) {
    const size_t groups = words->width / 4;
    if (!dptext_screen_is_vectorized() || groups < 1 || groups > 16 || words->width % 4) {
        dptext_screen_portable(words, first, end, queries, survivors, stride, counts);
        return;
    }
    for (size_t lane = 0; lane < 16; lane++) counts[lane] = 0;
#if defined(__x86_64__)
    (has_vnni() ? vnni_by_groups : avx2_by_groups)[groups](words, first, end, queries, survivors, stride, counts);
#endif
}
