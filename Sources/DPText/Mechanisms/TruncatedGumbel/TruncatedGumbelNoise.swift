import Foundation

/// Gumbel noise (location 0, scale b, the max-Gumbel with CDF
/// `F(t) = exp(−e^{−t/b})`) truncated to `[−M, M]` (Mechanisms.md §4.2 step 4):
///
///     F_T(t) = (F(t) − F(−M)) / (F(M) − F(−M)),   −M ≤ t ≤ M.
///
/// Sampling is by inverse CDF from one open uniform V, with no redraw loop
/// (so no timing leak, §8.11): `U = F(−M) + V·(F(M) − F(−M))` and
/// `n = −b·ln(−ln U)`. Done naively that loses everything near U ≈ 1
/// (large t, where `F(M)` rounds to 1) and near U ≈ 0 (`F(−M)` underflows),
/// so the endpoints are kept in complementary form:
/// `F(−M) = exp(−e^{M/b})`, `1 − F(M) = −expm1(−e^{−M/b})`, and
/// `E = −ln U` is computed as `−ln U` when U ≤ ½ and as
/// `−log1p(−(1 − U))`, with `1 − U = (1 − F(M)) + (1 − V)·(F(M) − F(−M))`,
/// otherwise. The result is clamped to `[−M, M]` against the last rounding.
///
/// `M = +∞` gives the untruncated Gumbel. A 53-bit uniform cannot reach
/// `U < 2⁻⁵⁴` or `1 − U < 2⁻⁵⁴`, so values below about `−3.6b` or above
/// about `37.4b` are never drawn; both events have probability < 2·10⁻¹⁶
/// (Mechanisms.md §8.1).
public struct TruncatedGumbelNoise: Sendable, Equatable {
    /// b > 0, the scale.
    public let scale: Double
    /// M > 0, the truncation bound (may be +∞).
    public let bound: Double
    /// F(−M).
    private let lower: Double
    /// 1 − F(M).
    private let upperComplement: Double
    /// F(M) − F(−M).
    private let width: Double

    /// - Precondition: `scale` finite and > 0; `bound` > 0 (+∞ allowed).
    public init(scale: Double, bound: Double) {
        precondition(scale.isFinite && scale > 0, "TruncatedGumbelNoise: scale must be finite and > 0")
        precondition(bound > 0, "TruncatedGumbelNoise: bound must be > 0")
        self.scale = scale
        self.bound = bound
        lower = exp(-exp(bound / scale))
        upperComplement = -expm1(-exp(-bound / scale))
        // F(M) − F(−M) = F(M)·(1 − exp(e^{−c} − e^{c})) with c = M/b, accurate even when M ≪ b.
        let c = bound / scale
        width = exp(-exp(-c)) * -expm1(-2 * sinh(c))
    }

    /// The untruncated CDF `F(t) = exp(−e^{−t/b})`.
    public func untruncatedCDF(_ t: Double) -> Double { exp(-exp(-t / scale)) }

    /// The exact truncated CDF `F_T(t)`, with the numerator computed without
    /// cancellation: `F(t) − F(−M) = F(t)·(1 − exp(−e^{−t/b}·expm1((M + t)/b)))`.
    public func cdf(_ t: Double) -> Double {
        if t <= -bound { return 0 }
        if t >= bound { return 1 }
        let above = exp(-t / scale) * expm1((bound + t) / scale)
        return min(1, max(0, untruncatedCDF(t) * -expm1(-above) / width))
    }

    /// The truncated density `f_T(t) = f(t)/(F(M) − F(−M))` with
    /// `f(t) = (1/b)·e^{−t/b}·exp(−e^{−t/b})`, 0 outside `[−M, M]`.
    public func density(_ t: Double) -> Double {
        guard t >= -bound, t <= bound else { return 0 }
        let z = exp(-t / scale)
        return z * exp(-z) / scale / width
    }

    /// One draw, by inverse CDF from a single open uniform.
    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        let v = generator.nextOpenUnit()
        let u = lower + v * width
        let e = u <= 0.5 ? -log(u) : -log1p(-(upperComplement + (1 - v) * width))
        return min(bound, max(-bound, -scale * log(e)))
    }
}
