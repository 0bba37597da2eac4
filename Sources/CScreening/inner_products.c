#include "screening.h"

// Float32 inner products of one query with listed rows. Any summation order is allowed: each term
// q_j·x_j meets at most D roundings whatever the order, so every result is within γ_D·Σ|q_j·x_j| of
// the exact sum (Higham, Accuracy and Stability of Numerical Algorithms, §3.1), with or without FMA.

static void inner_products_portable(const float *matrix, size_t dimension, const int32_t *ids, size_t count,
                                    const float *query, float *out) {
    for (size_t i = 0; i < count; i++) {
        const float *row = matrix + (size_t)ids[i] * dimension;
        float sum = 0;
        for (size_t j = 0; j < dimension; j++) sum += query[j] * row[j];
        out[i] = sum;
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2_PRODUCT_TARGET __attribute__((target("avx2,fma")))

AVX2_PRODUCT_TARGET static inline float horizontal_sum(__m256 v) {
    const __m128 pairs = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 halves = _mm_add_ps(pairs, _mm_movehl_ps(pairs, pairs));
    return _mm_cvtss_f32(_mm_add_ss(halves, _mm_movehdup_ps(halves)));
}

/// Four rows at a time, two accumulators each: eight independent FMA chains,
/// enough to keep both FMA pipes busy through their latency.
AVX2_PRODUCT_TARGET static void inner_products_avx2(const float *matrix, size_t dimension, const int32_t *ids,
                                                    size_t count, const float *query, float *out) {
    enum { rows = 4 };
    size_t i = 0;
    for (; i + rows <= count; i += rows) {
        const float *row[rows];
        __m256 low[rows], high[rows];
        for (int r = 0; r < rows; r++) {
            row[r] = matrix + (size_t)ids[i + r] * dimension;
            low[r] = high[r] = _mm256_setzero_ps();
        }
        if (i + 2 * rows <= count)
            for (int r = 0; r < rows; r++) _mm_prefetch((const char *)(matrix + (size_t)ids[i + rows + r] * dimension),
                                                        _MM_HINT_T0);
        size_t j = 0;
        for (; j + 16 <= dimension; j += 16) {
            const __m256 q0 = _mm256_loadu_ps(query + j), q1 = _mm256_loadu_ps(query + j + 8);
            for (int r = 0; r < rows; r++) {
                low[r] = _mm256_fmadd_ps(_mm256_loadu_ps(row[r] + j), q0, low[r]);
                high[r] = _mm256_fmadd_ps(_mm256_loadu_ps(row[r] + j + 8), q1, high[r]);
            }
        }
        for (; j + 8 <= dimension; j += 8) {
            const __m256 q0 = _mm256_loadu_ps(query + j);
            for (int r = 0; r < rows; r++) low[r] = _mm256_fmadd_ps(_mm256_loadu_ps(row[r] + j), q0, low[r]);
        }
        for (int r = 0; r < rows; r++) {
            float sum = horizontal_sum(_mm256_add_ps(low[r], high[r]));
            for (size_t t = j; t < dimension; t++) sum += query[t] * row[r][t];
            out[i + r] = sum;
        }
    }
    inner_products_portable(matrix, dimension, ids + i, count - i, query, out + i);
}

static int products_have_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

void dptext_inner_products(const float *matrix, size_t dimension, const int32_t *ids, size_t count,
                           const float *query, float *out) {
#if defined(__x86_64__)
    if (products_have_avx2()) {
        inner_products_avx2(matrix, dimension, ids, count, query, out);
        return;
    }
#endif
    inner_products_portable(matrix, dimension, ids, count, query, out);
}

void dptext_inner_products_portable(const float *matrix, size_t dimension, const int32_t *ids, size_t count,
                                    const float *query, float *out) {
    inner_products_portable(matrix, dimension, ids, count, query, out);
}
