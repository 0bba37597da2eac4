import Foundation

/// Kolmogorov–Smirnov tests of a continuous distribution (one-sample) or of two samples sharing one.
///
/// The statistic is D = supₓ |F_n(x) − F(x)| (or |F_n(x) − G_m(x)|), computed exactly. The p-value is
/// the asymptotic Kolmogorov tail Q_KS(λ) at Stephens' (1970) small-sample correction
///
///     λ = (√n + 0.12 + 0.11/√n) · D,
///
/// with n the sample size, or the effective size n·m/(n + m) for two samples. Against the exact
/// one-sample distribution (checked with scipy's `kstwo` for n = 10 … 10⁴) this is within a few
/// percent *relative* where p < 0.05 — what matters when rejecting at α = 1e-3 … 0.05 — but
/// overstates mid-range p-values by up to 0.02 absolute for n ≤ 100 (0.004 at n = 1000), so
/// p-values near 1 should not be compared across sample sizes.
public struct KolmogorovSmirnovTest: Sendable, Equatable {
    public let statistic: Double
    public let pValue: Double

    /// One-sample test of `sample` against the continuous CDF `cdf`.
    ///
    /// The empirical CDF jumps at each sorted xᵢ from (i−1)/n to i/n, so the supremum is attained at
    /// one side of a step: D = maxᵢ max(i/n − F(xᵢ), F(xᵢ) − (i−1)/n). Ties are handled implicitly,
    /// since the widest step of a run of equal values is among these terms.
    public init(sample: [Double], cdf: (Double) -> Double) {
        precondition(!sample.isEmpty, "KolmogorovSmirnovTest: empty sample")
        precondition(!sample.contains(where: \.isNaN), "KolmogorovSmirnovTest: sample contains NaN")
        let n = Double(sample.count)
        var d = 0.0
        for (i, x) in sample.sorted().enumerated() {
            let f = cdf(x)
            d = max(d, Double(i + 1) / n - f, f - Double(i) / n)
        }
        statistic = d
        pValue = Self.pValue(statistic: d, effectiveSize: n)
    }

    /// Two-sample test that `a` and `b` come from the same continuous distribution.
    ///
    /// Walks both sorted samples in step, consuming every copy of the next smallest value from
    /// either sample before comparing the two empirical CDFs, so ties across samples are exact.
    public init(_ a: [Double], _ b: [Double]) {
        precondition(!a.isEmpty && !b.isEmpty, "KolmogorovSmirnovTest: empty sample")
        precondition(!a.contains(where: \.isNaN) && !b.contains(where: \.isNaN), "KolmogorovSmirnovTest: sample contains NaN")
        let a = a.sorted(), b = b.sorted()
        let n = Double(a.count), m = Double(b.count)
        var i = 0, j = 0, d = 0.0
        while i < a.count && j < b.count {
            let v = min(a[i], b[j])
            while i < a.count && a[i] == v { i += 1 }
            while j < b.count && b[j] == v { j += 1 }
            d = max(d, abs(Double(i) / n - Double(j) / m))
        }
        // Once one sample is exhausted its CDF is 1 and the gap only shrinks.
        statistic = d
        pValue = Self.pValue(statistic: d, effectiveSize: n * m / (n + m))
    }

    static func pValue(statistic d: Double, effectiveSize n: Double) -> Double {
        let root = n.squareRoot()
        return kolmogorovSurvival((root + 0.12 + 0.11 / root) * d)
    }

    /// Q_KS(λ) = P(K > λ) for the Kolmogorov distribution:
    ///
    ///     Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}                           (λ ≥ 1.18)
    ///             = 1 − (√(2π)/λ) Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}                  (λ < 1.18)
    ///
    /// The second (Jacobi-transformed) form is used for small λ, where the alternating series
    /// would need many terms and cancel; each converges to full precision in ≤ 5 terms here.
    /// Clamped to [0, 1].
    static func kolmogorovSurvival(_ lambda: Double) -> Double {
        if lambda <= 0 { return 1 }
        var q: Double
        if lambda < 1.18 {
            var sum = 0.0
            for k in 1...6 {
                let odd = Double(2 * k - 1)
                sum += exp(-odd * odd * Double.pi * Double.pi / (8 * lambda * lambda))
            }
            q = 1 - (2 * Double.pi).squareRoot() / lambda * sum
        } else {
            q = 0
            for k in 1...6 {
                let k = Double(k)
                let term = 2 * exp(-2 * k * k * lambda * lambda)
                q += Int(k) % 2 == 1 ? term : -term
            }
        }
        return min(max(q, 0), 1)
    }
}
