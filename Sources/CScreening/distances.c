#include "screening.h"

// Every lane's sum is EmbeddingStore.squaredDistance's, to the last bit: d = q_j − (double)x_j,
// then d·d and the running sum, each rounded on its own (never fused into an FMA), over j in
// coordinate order. Lanes are whole words, so vectors only run eight such sums side by side.
#pragma STDC FP_CONTRACT OFF

static void distances8_portable(const float *matrix, size_t dimension, const int32_t ids[8], const double *query,
                                double out[8]) {
    for (int lane = 0; lane < 8; lane++) {
        const float *row = matrix + (size_t)ids[lane] * dimension;
        double sum = 0;
        for (size_t j = 0; j < dimension; j++) {
            const double difference = query[j] - (double)row[j];
            const double square = difference * difference;
            sum = sum + square;
        }
        out[lane] = sum;
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2_DISTANCE_TARGET __attribute__((target("avx2")))

/// Coordinates j ..< j + 4 of four rows as doubles, transposed: `c[k]` holds
/// coordinate j + k of rows 0, 1, 2, 3 (conversion from float is exact).
AVX2_DISTANCE_TARGET static inline void transposed4(const float *const rows[4], size_t j, __m256d c[4]) {
    const __m256d a0 = _mm256_cvtps_pd(_mm_loadu_ps(rows[0] + j)), a1 = _mm256_cvtps_pd(_mm_loadu_ps(rows[1] + j));
    const __m256d a2 = _mm256_cvtps_pd(_mm_loadu_ps(rows[2] + j)), a3 = _mm256_cvtps_pd(_mm_loadu_ps(rows[3] + j));
    const __m256d t0 = _mm256_unpacklo_pd(a0, a1), t1 = _mm256_unpackhi_pd(a0, a1);
    const __m256d t2 = _mm256_unpacklo_pd(a2, a3), t3 = _mm256_unpackhi_pd(a2, a3);
    c[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    c[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    c[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    c[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

AVX2_DISTANCE_TARGET static void distances8_avx2(const float *matrix, size_t dimension, const int32_t ids[8],
                                                 const double *query, double out[8]) {
    const float *rows[8];
    for (int lane = 0; lane < 8; lane++) rows[lane] = matrix + (size_t)ids[lane] * dimension;
    __m256d low = _mm256_setzero_pd(), high = _mm256_setzero_pd();
    size_t j = 0;
    for (; j + 4 <= dimension; j += 4) {
        __m256d a[4], b[4];
        transposed4(rows, j, a);
        transposed4(rows + 4, j, b);
        for (int k = 0; k < 4; k++) {
            const __m256d q = _mm256_broadcast_sd(query + j + k);
            const __m256d da = _mm256_sub_pd(q, a[k]), db = _mm256_sub_pd(q, b[k]);
            low = _mm256_add_pd(low, _mm256_mul_pd(da, da));
            high = _mm256_add_pd(high, _mm256_mul_pd(db, db));
        }
    }
    _mm256_storeu_pd(out, low);
    _mm256_storeu_pd(out + 4, high);
    for (; j < dimension; j++) {
        for (int lane = 0; lane < 8; lane++) {
            const double difference = query[j] - (double)rows[lane][j];
            const double square = difference * difference;
            out[lane] = out[lane] + square;
        }
    }
}

static int distances_have_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}
#endif

void dptext_squared_distances8(const float *matrix, size_t dimension, const int32_t ids[8], const double *query,
                               double out[8]) {
#if defined(__x86_64__)
    if (distances_have_avx2()) {
        distances8_avx2(matrix, dimension, ids, query, out);
        return;
    }
#endif
    distances8_portable(matrix, dimension, ids, query, out);
}

void dptext_squared_distances8_portable(const float *matrix, size_t dimension, const int32_t ids[8],
                                        const double *query, double out[8]) {
    distances8_portable(matrix, dimension, ids, query, out);
}
