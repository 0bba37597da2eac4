#ifndef DPTEXT_SCREENING_H
#define DPTEXT_SCREENING_H

#include <stddef.h>

/// The index of the first of `values[from..<count]` that is at most
/// `threshold`, or `count` if none is. Groups of 16 are compared branch-free
/// (vector compares), so long runs above the threshold cost one branch per 16.
size_t dptext_first_at_most(const float *values, size_t from, size_t count, float threshold);

/// Σ a[j]·b[j] over `length` floats (float32, any summation order: callers
/// bound its rounding for every order).
float dptext_dot(const float *a, const float *b, size_t length);

#endif
