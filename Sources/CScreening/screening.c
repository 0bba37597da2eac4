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
            const float scaled = w->squaredNorms[u] - q->scales[lane] * ((float)product * w->doubledScales[u]);
            const float slackened = scaled - q->quantizedNorms[lane] * w->doubledResiduals[u];
            const float bound = slackened - q->residualNorms[lane] * w->doubledNorms[u];
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
/// The four per-lane constants of a query group, in vector registers.
typedef struct { __m512 scales, quantizedNorms, residualNorms, thresholds; } vnni_lanes;

VNNI_TARGET static INLINE __mmask16 passing(const dptext_quantized_words *w, size_t u, __m512i product,
                                            const vnni_lanes *lanes) {
    const __m512 p = _mm512_mul_ps(_mm512_cvtepi32_ps(product), _mm512_set1_ps(w->doubledScales[u]));
    __m512 bound = _mm512_fnmadd_ps(lanes->scales, p, _mm512_set1_ps(w->squaredNorms[u]));
    bound = _mm512_fnmadd_ps(lanes->quantizedNorms, _mm512_set1_ps(w->doubledResiduals[u]), bound);
    bound = _mm512_fnmadd_ps(lanes->residualNorms, _mm512_set1_ps(w->doubledNorms[u]), bound);
    return _mm512_cmp_ps_mask(bound, lanes->thresholds, _CMP_LE_OQ);
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
    __m512i codes[DPTEXT_SCREEN_UNROLLED_GROUPS];
#pragma clang loop unroll(full)
    for (size_t g = 0; g < groups; g++) codes[g] = _mm512_loadu_si512(queries->codes + 64 * g);
    const vnni_lanes lanes = {_mm512_loadu_ps(queries->scales), _mm512_loadu_ps(queries->quantizedNorms),
                              _mm512_loadu_ps(queries->residualNorms), _mm512_loadu_ps(queries->thresholds)};
    size_t u = first;
    for (; u + words <= end; u += words) {
        __m512i acc[words];
        products_of(w, u, words, codes, groups, acc);
        __mmask16 masks[words], any = 0;
#pragma clang loop unroll(full)
        for (size_t j = 0; j < words; j++) any |= masks[j] = passing(w, u + j, acc[j], &lanes);
        if (any)
            for (size_t j = 0; j < words; j++) collect(masks[j], u + j, survivors, stride, counts);
    }
    for (; u < end; u++) {
        __m512i acc[1];
        products_of(w, u, 1, codes, groups, acc);
        collect(passing(w, u, acc[0], &lanes), u, survivors, stride, counts);
    }
}

SCREEN_TABLE(vnni, VNNI_TARGET)

// MARK: AVX2

#define AVX2_TARGET __attribute__((target("avx2,fma")))

/// The four per-lane constants of a query group, eight lanes per register.
typedef struct { __m256 scales[2], quantizedNorms[2], residualNorms[2], thresholds[2]; } avx2_lanes;

/// The lanes (bit l for lane l) whose bound for word u passes: the same
/// float32 steps as `passing` above, eight lanes per register.
AVX2_TARGET static INLINE unsigned avx2_passing(const dptext_quantized_words *w, size_t u, const __m256i acc[2],
                                                const avx2_lanes *lanes) {
    unsigned mask = 0;
    for (size_t half = 0; half < 2; half++) {
        const __m256 p = _mm256_mul_ps(_mm256_cvtepi32_ps(acc[half]), _mm256_set1_ps(w->doubledScales[u]));
        __m256 bound = _mm256_fnmadd_ps(lanes->scales[half], p, _mm256_set1_ps(w->squaredNorms[u]));
        bound = _mm256_fnmadd_ps(lanes->quantizedNorms[half], _mm256_set1_ps(w->doubledResiduals[u]), bound);
        bound = _mm256_fnmadd_ps(lanes->residualNorms[half], _mm256_set1_ps(w->doubledNorms[u]), bound);
        mask |= (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(bound, lanes->thresholds[half], _CMP_LE_OQ)) << (8 * half);
    }
    return mask;
}

// The unroll pragmas below meet a loop bound that is a variable in the wide
// functions' copies (where unrolling is not wanted): no warning for those.
#pragma clang diagnostic ignored "-Wpass-failed"

/// Words `W` at a time, up to four groups `g ..< g + n` of four codes at a
/// time: each group's two query registers (lanes 0–7 and 8–15) are loaded
/// once for the W words, whose accumulator chains interleave. A word's
/// four codes are broadcast to every lane; `vpmaddubsw` multiplies them with
/// the lanes' unsigned codes q + 32 ∈ 1…63 and adds pairs in 16 bits, at
/// most 2·63·63 = 7,938 in magnitude (word codes are −63…63); the n ≤ 4
/// groups' pair sums add in 16 bits, at most 31,752 < 2¹⁵, so nothing
/// saturates or wraps; one `vpmaddwd` by ones widens and adds the pairs: J
/// is exact in 32-bit integers, the same J as the other paths.
AVX2_TARGET static INLINE void avx2_group_products(const int8_t *codes, size_t groups, size_t g, size_t n, size_t W,
                                                   const uint8_t *queries, __m256i acc[][2]) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i sums[W][2];
#pragma clang loop unroll(full)
    for (size_t i = 0; i < n; i++) {
        const __m256i low = _mm256_loadu_si256((const __m256i *)(queries + 64 * (g + i)));
        const __m256i high = _mm256_loadu_si256((const __m256i *)(queries + 64 * (g + i) + 32));
#pragma clang loop unroll(full)
        for (size_t j = 0; j < W; j++) {
            int32_t four;
            __builtin_memcpy(&four, codes + j * groups * 4 + 4 * (g + i), 4);
            const __m256i word = _mm256_set1_epi32(four);
            const __m256i first = _mm256_maddubs_epi16(low, word), second = _mm256_maddubs_epi16(high, word);
            sums[j][0] = i == 0 ? first : _mm256_add_epi16(sums[j][0], first);
            sums[j][1] = i == 0 ? second : _mm256_add_epi16(sums[j][1], second);
        }
    }
#pragma clang loop unroll(full)
    for (size_t j = 0; j < W; j++) {
        acc[j][0] = _mm256_add_epi32(acc[j][0], _mm256_madd_epi16(sums[j][0], ones));
        acc[j][1] = _mm256_add_epi32(acc[j][1], _mm256_madd_epi16(sums[j][1], ones));
    }
}

/// `avx2_group_products` over all groups, `n` at a time (`groupsPerSum`):
/// unrolled when `groups` is a constant (the table's functions), a plain
/// loop for wide rows.
AVX2_TARGET static INLINE void avx2_products_of(const int8_t *codes, size_t groups, size_t n, size_t W,
                                                const uint8_t *queries, __m256i acc[][2]) {
    if (groups <= DPTEXT_SCREEN_UNROLLED_GROUPS) {
#pragma clang loop unroll(full)
        for (size_t g = 0; g < groups; g += n)
            avx2_group_products(codes, groups, g, groups - g < n ? groups - g : n, W, queries, acc);
    } else {
        size_t g = 0;
        for (; g + n <= groups; g += n) avx2_group_products(codes, groups, g, n, W, queries, acc);
        if (g < groups) avx2_group_products(codes, groups, g, groups - g, W, queries, acc);
    }
}

/// Two words at a time (their sums and accumulators fill most of the
/// sixteen vector registers). `groups` is a constant in the unrolled
/// table's functions and a loop bound in the wide ones; `n` is a constant.
AVX2_TARGET static INLINE void screen_avx2(size_t groups, size_t n, const dptext_quantized_words *w, size_t first,
                                           size_t end, const dptext_query_group *queries, uint32_t *survivors,
                                           size_t stride, size_t counts[16]) {
    enum { words = 2 };
    avx2_lanes lanes;
    for (size_t half = 0; half < 2; half++) {
        lanes.scales[half] = _mm256_loadu_ps(queries->scales + 8 * half);
        lanes.quantizedNorms[half] = _mm256_loadu_ps(queries->quantizedNorms + 8 * half);
        lanes.residualNorms[half] = _mm256_loadu_ps(queries->residualNorms + 8 * half);
        lanes.thresholds[half] = _mm256_loadu_ps(queries->thresholds + 8 * half);
    }
    size_t u = first;
    for (; u + words <= end; u += words) {
        __m256i acc[words][2];
#pragma clang loop unroll(full)
        for (size_t j = 0; j < words; j++) acc[j][0] = acc[j][1] = _mm256_set1_epi32(-w->offsets[u + j]);
        avx2_products_of(w->codes + u * groups * 4, groups, n, words, queries->codes, acc);
        for (size_t j = 0; j < words; j++)
            collect_lanes(avx2_passing(w, u + j, acc[j], &lanes), u + j, survivors, stride, counts);
    }
    for (; u < end; u++) {
        __m256i acc[1][2];
        acc[0][0] = acc[0][1] = _mm256_set1_epi32(-w->offsets[u]);
        avx2_products_of(w->codes + u * groups * 4, groups, n, 1, queries->codes, acc);
        collect_lanes(avx2_passing(w, u, acc[0], &lanes), u, survivors, stride, counts);
    }
}

/// The unrolled table's kernel: four groups per 16-bit sum (the codes of
/// stores up to 64 dimensions allow it, see `AxisScreening`).
AVX2_TARGET static INLINE void screen_avx2q(size_t groups, const dptext_quantized_words *w, size_t first, size_t end,
                                            const dptext_query_group *queries, uint32_t *survivors, size_t stride,
                                            size_t counts[16]) {
    screen_avx2(groups, 4, w, first, end, queries, survivors, stride, counts);
}

/// Rows wider than the unrolled table, or codes that allow fewer groups per
/// sum: the same kernel with a loop over the groups, one function per n.
#define SCREEN_WIDE(N) \
    AVX2_TARGET static void screen_avx2_wide_##N(const dptext_quantized_words *w, size_t first, size_t end, \
                                                 const dptext_query_group *queries, uint32_t *survivors, \
                                                 size_t stride, size_t counts[16]) { \
        screen_avx2(w->width / 4, N, w, first, end, queries, survivors, stride, counts); \
    }
SCREEN_WIDE(1) SCREEN_WIDE(2) SCREEN_WIDE(4)

SCREEN_TABLE(avx2q, AVX2_TARGET)

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
    const size_t groups = words->width / 4, n = words->groupsPerSum;
    if (!dptext_screen_is_vectorized() || groups < 1 || words->width > DPTEXT_SCREEN_MAX_WIDTH || words->width % 4
        || (n != 1 && n != 2 && n != 4)) {
        dptext_screen_portable(words, first, end, queries, survivors, stride, counts);
        return;
    }
    for (size_t lane = 0; lane < 16; lane++) counts[lane] = 0;
#if defined(__x86_64__)
    const int unrolled = groups <= DPTEXT_SCREEN_UNROLLED_GROUPS;
    const screen_function wide = n == 1 ? screen_avx2_wide_1 : n == 2 ? screen_avx2_wide_2 : screen_avx2_wide_4;
    const screen_function kernel = !unrolled ? wide
        : has_vnni() ? vnni_by_groups[groups] : n == 4 ? avx2q_by_groups[groups] : wide;
    kernel(words, first, end, queries, survivors, stride, counts);
#endif
}

void dptext_prefetch_rows(const float *matrix, size_t dimension, const uint32_t *ids, size_t count) {
    const size_t bytes = dimension * sizeof(float);
    for (size_t i = 0; i < count; i++) {
        const char *row = (const char *)(matrix + (size_t)ids[i] * dimension);
        for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(row + offset);
        __builtin_prefetch(row + bytes - 1);
    }
}
