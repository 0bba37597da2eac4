#include "screening.h"

size_t dptext_first_at_most(const float *values, size_t from, size_t count, float threshold) {
    size_t i = from;
    for (; i + 16 <= count; i += 16) {
        int any = 0;
        for (int j = 0; j < 16; j++) any |= values[i + j] <= threshold;
        if (any) break;
    }
    for (; i < count; i++) if (values[i] <= threshold) return i;
    return count;
}

float dptext_dot(const float *a, const float *b, size_t length) {
    // Eight partial sums, so the compiler may use vector lanes without
    // reassociating (no fast-math needed).
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t j = 0;
    for (; j + 8 <= length; j += 8)
        for (int l = 0; l < 8; l++) lanes[l] += a[j + l] * b[j + l];
    float sum = 0;
    for (; j < length; j++) sum += a[j] * b[j];
    for (int l = 0; l < 8; l++) sum += lanes[l];
    return sum;
}
