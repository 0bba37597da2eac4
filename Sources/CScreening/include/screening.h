#ifndef DPTEXT_SCREENING_H
#define DPTEXT_SCREENING_H

#include <stddef.h>
#include <stdint.h>

/// The most codes per word the screen reads.
#define DPTEXT_SCREEN_MAX_DEPTH 64

/// The vocabulary as the screen reads it (`AxisScreening`): one row of
/// signed 8-bit codes per word, and per-word constants.
typedef struct {
    /// `count × width` codes, row-major, each in −127…127.
    const int8_t *codes;
    /// 128 · Σ (the word's codes): undoes the +128 of the query codes.
    const int32_t *offsets;
    /// c_u = ‖y_u‖².
    const float *squaredNorms;
    /// 2·s_u, twice the word's quantization step.
    const float *doubledScales;
    size_t count;
    /// A multiple of 4, at most `DPTEXT_SCREEN_MAX_DEPTH`.
    size_t width;
} dptext_quantized_words;

/// Sixteen queries, one per vector lane.
typedef struct {
    /// Query codes q + 128 (q ∈ −127…127) by groups of four: byte
    /// `64·g + 4·lane + j` is code `4g + j` of query `lane`.
    uint8_t codes[16 * DPTEXT_SCREEN_MAX_DEPTH];
    /// s_z, each query's quantization step.
    float scales[16];
    /// T′: words whose bound exceeds it are skipped (−∞ for an unused lane).
    float thresholds[16];
} dptext_query_group;

/// For each query lane q and each word u of `first ..< end`, computes the
/// integer dot product J of their code rows (exactly, in 32-bit integers)
/// and, in float32,
///
///     b(q, u) = c_u − s_z · (J · 2s_u),
///
/// and appends u to `survivors[q·stride …]` when b(q, u) ≤ T′_q, counting
/// them in `counts[q]` (set by the call), words in increasing order;
/// `stride` ≥ `end − first`. Uses AVX-512 VNNI when the processor has it,
/// else AVX2 (16-bit multiply-adds), else portable C: all compute the same J
/// and differ only in whether the last step is fused, which the caller's
/// margin covers.
void dptext_screen(const dptext_quantized_words *words, size_t first, size_t end,
                   const dptext_query_group *queries, uint32_t *survivors, size_t stride, size_t counts[16]);

/// `dptext_screen` in portable C whatever the processor (for tests).
void dptext_screen_portable(const dptext_quantized_words *words, size_t first, size_t end,
                            const dptext_query_group *queries, uint32_t *survivors, size_t stride, size_t counts[16]);

/// Whether `dptext_screen` runs on vector instructions (AVX-512 VNNI or AVX2) on this processor.
int dptext_screen_is_vectorized(void);

#endif
