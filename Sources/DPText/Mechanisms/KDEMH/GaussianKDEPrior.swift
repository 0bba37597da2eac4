#if canImport(Glibc)
import Glibc
#endif

/// A Gaussian kernel density estimate over the public vocabulary vectors
/// (Mechanisms.md §5.1):
///
///     p̂(y) = (1/V) Σ_u K_h(y − φ(u)),   K_h(t) = (2πh²)^{−n/2} exp(−‖t‖²/(2h²))
///
/// evaluated in log space with a log-sum-exp. It is built from the
/// embedding table only — never from the text being privatized.
///
/// Evaluating all V kernels at every MCMC step would cost a pass over the
/// vocabulary per step, so `logDensity(at:over:scratch:)` sums over given kernel
/// centres — the words nearest the noisy point. A word at distance `d` from
/// `y` contributes `exp(−d²/(2h²))` relative to a kernel at `y`; with the
/// default bandwidth (h ≈ 0.5 on GloVe 50d) the omitted words, farther than
/// the centres, change the log density by far less than floating-point
/// noise in practice. This only affects utility: the mechanism's guarantee
/// does not depend on the prior at all (post-processing, §5.2).
public struct GaussianKDEPrior: Sendable {
    public let bandwidth: Double
    let store: EmbeddingStore
    /// `−ln V − (n/2)·ln(2πh²)`, the normalizing constant of p̂.
    let logNormalizer: Double

    /// - Parameter bandwidth: `h > 0`; nil chooses Scott's rule
    ///   `h = σ̄·V^{−1/(n+4)}` with `σ̄² = tr(Σ̂)/n`, the mean per-coordinate
    ///   variance of the vocabulary vectors.
    public init(store: EmbeddingStore, bandwidth: Double? = nil) throws {
        let h = bandwidth ?? Self.scottBandwidth(store)
        guard h.isFinite, h > 0 else {
            throw MechanismError.invalidParameter(name: "bandwidth", requirement: "a finite number > 0", value: h)
        }
        self.bandwidth = h
        self.store = store
        let n = Double(store.dimension)
        logNormalizer = -log(Double(store.count)) - n / 2 * log(2 * Double.pi * h * h)
    }

    /// Scott's rule, `σ̄·V^{−1/(n+4)}`.
    public static func scottBandwidth(_ store: EmbeddingStore) -> Double {
        let n = store.dimension, v = Double(store.count)
        var mean = [Double](repeating: 0, count: n), meanSquare = [Double](repeating: 0, count: n)
        for id in 0..<store.count {
            for (j, x) in store.vector(at: id).enumerated() {
                mean[j] += x / v
                meanSquare[j] += x * x / v
            }
        }
        let averageVariance = zip(mean, meanSquare).reduce(0) { $0 + ($1.1 - $1.0 * $1.0) } / Double(n)
        return averageVariance.squareRoot() * pow(v, -1 / Double(n + 4))
    }

    /// `log p̂(y)` with the sum restricted to the kernel centres `centers`
    /// (laid out in lanes), with room for one exponent per centre given by
    /// the caller (the MCMC loop reuses one buffer and one layout for every step).
    func logDensity(
        at y: UnsafeBufferPointer<Double>, over centers: KernelLanes,
        scratch exponents: UnsafeMutableBufferPointer<Double>
    ) -> Double {
        let scale = -1 / (2 * bandwidth * bandwidth)
        centers.squaredDistances(from: y, into: exponents)
        var largest = -Double.infinity
        for index in 0..<centers.count {
            let exponent = scale * exponents[index]
            exponents[index] = exponent
            largest = max(largest, exponent)
        }
        guard largest > -.infinity else { return -.infinity }
        var sum = 0.0
        for index in 0..<centers.count { sum += exp(exponents[index] - largest) }
        return logNormalizer + largest + log(sum)
    }
}
