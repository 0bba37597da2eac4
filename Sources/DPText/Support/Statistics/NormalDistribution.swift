import Foundation

/// The standard normal distribution N(0, 1).
public enum NormalDistribution {
    /// Φ(x) = ½ erfc(−x/√2). Written with erfc rather than ½(1 + erf(x/√2)) so the lower tail keeps
    /// relative accuracy (Φ(−30) ≈ 5e-198 instead of 0).
    public static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// 1 − Φ(x) = ½ erfc(x/√2), accurate in the upper tail.
    public static func survival(_ x: Double) -> Double {
        0.5 * erfc(x / 2.0.squareRoot())
    }
}

/// Two-sided p-value of a z statistic: P(|Z| ≥ |z|) = erfc(|z|/√2) for Z ~ N(0, 1).
/// Returns 1 at z = 0 and keeps relative accuracy for large |z| (e.g. 1.2e-23 at z = 10).
public func zTestPValue(_ z: Double) -> Double {
    precondition(!z.isNaN, "zTestPValue: z is NaN")
    return erfc(abs(z) / 2.0.squareRoot())
}
