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

#define SCREEN_FUNCTION(G) \
    VNNI_TARGET static void screen_vnni_##G(const dptext_quantized_words *w, size_t first, size_t end, \
                                            const dptext_query_group *queries, uint32_t *survivors, \
                                            size_t stride, size_t counts[16]) { \
        screen_vnni(G, w, first, end, queries, survivors, stride, counts); \
    }

SCREEN_FUNCTION(1) SCREEN_FUNCTION(2) SCREEN_FUNCTION(3) SCREEN_FUNCTION(4)
SCREEN_FUNCTION(5) SCREEN_FUNCTION(6) SCREEN_FUNCTION(7) SCREEN_FUNCTION(8)
SCREEN_FUNCTION(9) SCREEN_FUNCTION(10) SCREEN_FUNCTION(11) SCREEN_FUNCTION(12)
SCREEN_FUNCTION(13) SCREEN_FUNCTION(14) SCREEN_FUNCTION(15) SCREEN_FUNCTION(16)

typedef void (*screen_function)(const dptext_quantized_words *, size_t, size_t, const dptext_query_group *,
                                uint32_t *, size_t, size_t[16]);
static const screen_function vnni_by_groups[17] = {
    0, screen_vnni_1, screen_vnni_2, screen_vnni_3, screen_vnni_4, screen_vnni_5, screen_vnni_6, screen_vnni_7,
    screen_vnni_8, screen_vnni_9, screen_vnni_10, screen_vnni_11, screen_vnni_12, screen_vnni_13, screen_vnni_14,
    screen_vnni_15, screen_vnni_16,
};

int dptext_screen_is_vectorized(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}
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
    vnni_by_groups[groups](words, first, end, queries, survivors, stride, counts);
#endif
}
