import Foundation

/// Poisson(μ) conditioned on `K ≤ kMax`:
///
///     P(K = k) = (μᵏ/k!) / Σ_{i=0}^{kMax} μⁱ/i!,   k = 0 … kMax.
///
/// The pmf is built in log space (`k·ln μ − ln k!`, normalized by a
/// log-sum-exp), so large μ or k neither overflow nor underflow early.
/// Terms are tabulated from 0 up to kMax or until they fall below `e⁻⁶⁰` of
/// the mode past `2μ + 1`, where the rest of the tail is below `2e⁻⁶⁰`
/// relative (it shrinks at least geometrically with ratio ½) and cannot be
/// resolved by a 53-bit uniform anyway; `probability(of:)` still evaluates
/// any k exactly from the formula.
///
/// Sampling is by inverse CDF from ONE open uniform U (binary search of the
/// cumulative sums): `K = min{k : U ≤ C_k}`. Unlike MLDP's redraw loop for
/// `K > kMax`, the cost does not depend on how often a draw is rejected, so
/// it leaks nothing through timing (Mechanisms.md §8.11). Values of k whose
/// probability is below about 2⁻⁵³ are never drawn (§8.1).
public struct TruncatedPoisson: Sendable, Equatable {
    /// μ, the mean before truncation.
    public let mean: Double
    /// kMax, the largest possible value.
    public let maximum: Int
    /// ln Σ_{i≤kMax} μⁱ/i!, the log normalizer (with the e^{−μ} factor dropped).
    private let logNormalizer: Double
    /// Cumulative probabilities `C_k` for k = 0 … table end, `C_last = 1`.
    private let cumulative: [Double]
    /// `P(K > k)` for k = 0 … table end, summed from the top (accurate for small tails).
    private let tails: [Double]

    /// - Precondition: `mean` finite and > 0, `maximum ≥ 0`.
    public init(mean: Double, maximum: Int) {
        precondition(mean.isFinite && mean > 0, "TruncatedPoisson: mean must be finite and > 0 (got \(mean))")
        precondition(maximum >= 0, "TruncatedPoisson: maximum must be ≥ 0 (got \(maximum))")
        self.mean = mean
        self.maximum = maximum
        let logMean = log(mean)
        func logTerm(_ k: Int) -> Double { Double(k) * logMean - lgamma(Double(k) + 1) }
        // The mode of μᵏ/k! is ⌊μ⌋, capped by the truncation.
        let logMode = logTerm(min(maximum, Int(mean.rounded(.down))))
        var terms: [Double] = []
        var k = 0
        while k <= maximum {
            let relative = logTerm(k) - logMode
            if Double(k) > 2 * mean + 1 && relative < -60 { break }
            terms.append(exp(relative))
            k += 1
        }
        let sum = terms.reduce(0, +)
        logNormalizer = logMode + log(sum)
        let pmf = terms.map { $0 / sum }
        var running = 0.0
        var cumulative = pmf.map { p -> Double in running += p; return running }
        cumulative[cumulative.count - 1] = 1
        self.cumulative = cumulative
        var tails = [Double](repeating: 0, count: pmf.count)
        for k in stride(from: pmf.count - 2, through: 0, by: -1) { tails[k] = tails[k + 1] + pmf[k + 1] }
        self.tails = tails
    }

    /// The exact truncated probability `P(K = k)` (0 outside 0 … kMax).
    public func probability(of k: Int) -> Double {
        guard k >= 0, k <= maximum else { return 0 }
        return exp(Double(k) * log(mean) - lgamma(Double(k) + 1) - logNormalizer)
    }

    /// `P(K > k)`.
    public func upperTail(above k: Int) -> Double {
        if k < 0 { return 1 }
        if k < tails.count { return tails[k] }
        return 0  // below 2e⁻⁶⁰ relative to the mode (see the type's documentation)
    }

    /// The smallest k with `P(K > k) < tail`.
    public func bound(tailBelow tail: Double) -> Int {
        tails.firstIndex { $0 < tail } ?? tails.count - 1
    }

    /// `E[K]` under the truncation.
    public var expectedValue: Double { moments.mean }

    /// `Var[K]` under the truncation.
    public var variance: Double { moments.variance }

    private var moments: (mean: Double, variance: Double) {
        var mean = 0.0, square = 0.0
        for k in 0..<cumulative.count {
            let p = probability(of: k)
            mean += Double(k) * p
            square += Double(k) * Double(k) * p
        }
        return (mean, square - mean * mean)
    }

    /// One draw, by inverse CDF from a single open uniform.
    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Int {
        let u = generator.nextOpenUnit()
        // First k with u ≤ C_k; C_last = 1 ≥ u, so it exists.
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if u <= cumulative[middle] { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
