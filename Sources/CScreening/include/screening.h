#ifndef DPTEXT_SCREENING_H
#define DPTEXT_SCREENING_H

#include <stddef.h>
#include <stdint.h>

/// The most codes per word the screen reads. Integer products of rows this
/// wide stay below 2²⁴ in magnitude (1,024·127·127), so they convert to
/// float32 exactly.
#define DPTEXT_SCREEN_MAX_WIDTH 1024

/// Code groups (of four) for which the kernels are unrolled with the width
/// as a constant; wider rows run a loop over the groups.
#define DPTEXT_SCREEN_UNROLLED_GROUPS 16

/// The vocabulary as the screen reads it (`AxisScreening`): one row of
/// signed 8-bit codes per word, and per-word constants.
typedef struct {
    /// `count × width` codes, row-major, each in −L_w…L_w (L_w ≤ 127).
    const int8_t *codes;
    /// o · Σ (the word's codes): undoes the +o of the query codes.
    const int32_t *offsets;
    /// c_u = ‖y_u‖².
    const float *squaredNorms;
    /// 2·s_u, twice the word's quantization step.
    const float *doubledScales;
    /// 2·‖E_u‖ and 2·‖W_u‖ (rounded up): the word's share of the quantization slack.
    const float *doubledResiduals;
    const float *doubledNorms;
    size_t count;
    /// A multiple of 4, at most `DPTEXT_SCREEN_MAX_WIDTH`.
    size_t width;
    /// How many groups of four codes the AVX2 kernel may add up in 16 bits
    /// before widening (1, 2 or 4): n·2·(largest query code)·(largest
    /// |word code|) must stay below 2¹⁵, which the codes' ranges decide.
    size_t groupsPerSum;
} dptext_quantized_words;

/// Sixteen queries, one per vector lane.
typedef struct {
    /// `width / 4 · 64` query codes q + o (q ∈ −L_q…L_q, o = L_q + 1 ≤ 128) by groups of
    /// four: byte `64·g + 4·lane + j` is code `4g + j` of query `lane`.
    const uint8_t *codes;
    /// s_z, each query's quantization step.
    float scales[16];
    /// ‖Ŵ_z‖ and ‖E_z‖ (rounded up): the query's share of the slack.
    float quantizedNorms[16];
    float residualNorms[16];
    /// T′: words whose bound exceeds it are skipped (−∞ for an unused lane).
    float thresholds[16];
} dptext_query_group;

/// For each query lane z and each word u of `first ..< end`, computes the
/// integer dot product J of their code rows (exactly, in 32-bit integers)
/// and, in float32,
///
///     b(z, u) = c_u − s_z·(J·2s_u) − ‖Ŵ_z‖·2‖E_u‖ − ‖E_z‖·2‖W_u‖,
///
/// and appends u to `survivors[z·stride …]` when b(z, u) ≤ T′_z, counting
/// them in `counts[z]` (set by the call), words in increasing order;
/// `stride` ≥ `end − first`. Uses AVX-512 VNNI when the processor has it
/// (rows of up to `DPTEXT_SCREEN_UNROLLED_GROUPS` groups), else AVX2
/// (`vpmaddubsw`), else portable C: all compute the same J and
/// differ only in which float steps are fused, which the caller's margin
/// covers.
void dptext_screen(const dptext_quantized_words *words, size_t first, size_t end,
                   const dptext_query_group *queries, uint32_t *survivors, size_t stride, size_t counts[16]);

/// `dptext_screen` in portable C whatever the processor (for tests).
void dptext_screen_portable(const dptext_quantized_words *words, size_t first, size_t end,
                            const dptext_query_group *queries, uint32_t *survivors, size_t stride, size_t counts[16]);

/// Starts loading rows `ids[0 ..< count]` of a row-major float32 matrix
/// (`dimension` values per row) into cache, so that the exact distances of
/// a chunk's survivors wait for memory once rather than row by row.
void dptext_prefetch_rows(const float *matrix, size_t dimension, const uint32_t *ids, size_t count);

/// `out[i]` = Σ_j (query_j − row_{ids[i]}_j)² for eight rows of a row-major
/// float32 matrix: each lane the same rounded steps, in coordinate order,
/// as one word's double-precision distance (`d = q_j − x_j`, `d·d`, then the
/// sum, never fused), so equal to it to the last bit. AVX2 when the
/// processor has it: eight rows side by side, read four coordinates at a time.
void dptext_squared_distances8(const float *matrix, size_t dimension, const int32_t ids[8], const double *query,
                               double out[8]);

/// `dptext_squared_distances8` in portable C whatever the processor (for tests).
void dptext_squared_distances8_portable(const float *matrix, size_t dimension, const int32_t ids[8],
                                        const double *query, double out[8]);

/// `out[i]` = Σ_j query_j · row_{ids[i]}_j in float32 for `count` rows of a
/// row-major float32 matrix, in any summation order (FMA with AVX2, four
/// rows side by side), so each within γ_D·Σ_j |query_j · row_j| of the exact
/// sum (u = 2⁻²⁴, γ_D = D·u / (1 − D·u)) — the bound `FloatScoring` uses.
void dptext_inner_products(const float *matrix, size_t dimension, const int32_t *ids, size_t count,
                           const float *query, float *out);

/// `dptext_inner_products` in portable C whatever the processor (for tests).
void dptext_inner_products_portable(const float *matrix, size_t dimension, const int32_t *ids, size_t count,
                                    const float *query, float *out);

/// Whether `dptext_screen` runs on vector instructions (AVX-512 VNNI or AVX2) on this processor.
int dptext_screen_is_vectorized(void);

#endif
