import Foundation

/// The regularized incomplete gamma functions
///
///     P(a, x) = γ(a, x) / Γ(a) = (1/Γ(a)) ∫₀ˣ tᵃ⁻¹ e⁻ᵗ dt,     Q(a, x) = 1 − P(a, x),
///
/// for a > 0 and x ≥ 0 (Numerical Recipes §6.2). Below x = a + 1 the power series
///
///     P(a, x) = xᵃ e⁻ˣ / Γ(a) · Σₙ xⁿ / (a (a+1) ⋯ (a+n))
///
/// converges fast; above it Legendre's continued fraction for Q does, evaluated with the modified
/// Lentz method. Each function is taken from whichever expansion is valid, and the other as its
/// complement, so P keeps full *relative* accuracy in the far lower tail (x ≪ a) and Q in the far
/// upper tail (x ≫ a, e.g. Q(300, 600) ≈ 2.4e-42) until the result underflows. Both need O(√a) terms
/// near x ≈ a, which is fine for the shapes used here (a ≲ 1e8).
///
/// Known limit: for a ≪ 1 and x < 1, Q ≈ a·E₁(x) is small and is computed as 1 − P, so it carries
/// an absolute (not relative) error of about 1e-16.
public enum IncompleteGamma {
    /// P(a, x), the lower tail. P(a, 0) = 0 and P(a, +∞) = 1. Requires a > 0 finite and x ≥ 0.
    public static func regularizedLower(_ a: Double, _ x: Double) -> Double {
        evaluate(a, x).lower
    }

    /// Q(a, x) = 1 − P(a, x), the upper tail, computed directly rather than as 1 − P.
    public static func regularizedUpper(_ a: Double, _ x: Double) -> Double {
        evaluate(a, x).upper
    }

    /// P, Q and the common prefactor xᵃ e⁻ˣ / Γ(a) (= x times the Gamma(a, 1) density, which is
    /// what a Newton step in log x needs).
    static func evaluate(_ a: Double, _ x: Double) -> (lower: Double, upper: Double, prefactor: Double) {
        precondition(a > 0 && a.isFinite, "IncompleteGamma: shape a must be positive and finite, got \(a)")
        precondition(x >= 0, "IncompleteGamma: x must be ≥ 0, got \(x)")
        if x == 0 { return (0, 1, 0) }
        if x == .infinity { return (1, 0, 0) }
        let prefactor = Self.prefactor(a, x)
        if x < a + 1 {
            let lower = min(1, prefactor * lowerSeries(a, x))
            return (lower, 1 - lower, prefactor)
        }
        let upper = min(1, prefactor * upperFraction(a, x))
        return (1 - upper, upper, prefactor)
    }

    /// xᵃ e⁻ˣ / Γ(a). For a ≥ 10 the naive exponent a·ln x − x − ln Γ(a) is a small difference of
    /// large terms (≈ a ln a each), so Stirling's formula Γ(a) = √(2π/a) (a/e)ᵃ e^{r(a)} is used to
    /// rewrite it as a·ln(x/a) − (x − a) − r(a), which is small near the mode and exact to rounding.
    private static func prefactor(_ a: Double, _ x: Double) -> Double {
        if a < 10 { return exp(a * log(x) - x - lgamma(a)) }
        let d = x - a  // exact when x ∈ [a/2, 2a] (Sterbenz), where log1p(d/a) is the accurate form
        let logRatio = abs(d) <= a / 2 ? log1p(d / a) : log(x / a)
        return exp(a * logRatio - d - stirlingRemainder(a)) * (a / (2 * Double.pi)).squareRoot()
    }

    /// Σₙ xⁿ / (a (a+1) ⋯ (a+n)), so that P = prefactor · series.
    private static func lowerSeries(_ a: Double, _ x: Double) -> Double {
        var denominator = a
        var term = 1 / a
        var sum = term
        for _ in 0..<maximumIterations {
            denominator += 1
            term *= x / denominator
            sum += term
            if abs(term) < abs(sum) * Double.ulpOfOne { break }
        }
        return sum
    }

    /// 1 / (x + 1 − a − 1·(1 − a) / (x + 3 − a − 2·(2 − a) / (x + 5 − a − ⋯))), so that
    /// Q = prefactor · fraction (modified Lentz).
    private static func upperFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = Double.leastNormalMagnitude / Double.ulpOfOne
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<maximumIterations {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) <= Double.ulpOfOne { break }
        }
        return h
    }

    /// Both expansions need O(√a) terms at worst (x ≈ a); the cap only guards against shapes far
    /// beyond what Double can resolve anyway.
    static let maximumIterations = 1_000_000
}

/// The Gamma distribution with density xᵏ⁻¹ e^{−x/θ} / (Γ(k) θᵏ) on x > 0 (shape k, scale θ).
public enum GammaDistribution {
    /// P(X ≤ x) = P(k, x/θ); 0 for x ≤ 0, 1 at +∞.
    public static func cdf(_ x: Double, shape: Double, scale: Double) -> Double {
        precondition(scale > 0 && scale.isFinite, "GammaDistribution: scale must be positive, got \(scale)")
        precondition(!x.isNaN, "GammaDistribution: x is NaN")
        return x <= 0 ? 0 : IncompleteGamma.regularizedLower(shape, x / scale)
    }

    /// The x with P(X ≤ x) = p, to ~1e-13 relative; 0 for p = 0 and +∞ for p = 1.
    ///
    /// Solves ln P(k, y) = ln p (for p ≤ ½) or ln Q(k, y) = ln(1 − p) (above) in s = ln y by Newton's
    /// method guarded by a bisection bracket. In these coordinates both tails are nearly linear
    /// (P ∝ yᵏ near 0, ln Q ≈ −y far out), so tiny p — as when inverting the CDF of a Gamma truncated
    /// to [0, R] with p = u·P(k, R/θ) — converge as fast as the bulk.
    public static func quantile(_ p: Double, shape: Double, scale: Double) -> Double {
        precondition(p >= 0 && p <= 1, "GammaDistribution: p must be in [0, 1], got \(p)")
        precondition(scale > 0 && scale.isFinite, "GammaDistribution: scale must be positive, got \(scale)")
        return scale * standardQuantile(lower: p, upper: 1 - p, shape: shape)
    }

    /// Quantile of Gamma(k, 1) given both tail probabilities (p + q = 1), each known exactly.
    static func standardQuantile(lower p: Double, upper q: Double, shape a: Double) -> Double {
        precondition(a > 0 && a.isFinite, "GammaDistribution: shape must be positive and finite, got \(a)")
        if p == 0 { return 0 }
        if q == 0 { return .infinity }
        let useLower = p <= q
        let target = log(useLower ? p : q)
        let s = solveIncreasing(from: initialLogGuess(p, q, a), scale: { _ in 1 }) { s in
            let y = IncompleteGamma.evaluate(a, exp(s))
            return useLower
                ? (log(y.lower) - target, y.prefactor / y.lower)
                : (target - log(y.upper), y.prefactor / y.upper)
        }
        return exp(s)
    }

    /// Numerical Recipes' starting point (`invgammp`): Wilson–Hilferty for k > 1, otherwise the
    /// leading term of each tail. Returned as ln y.
    private static func initialLogGuess(_ p: Double, _ q: Double, _ a: Double) -> Double {
        if a > 1 {
            let t = (-2 * log(min(p, q))).squareRoot()
            var z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t
            if p < 0.5 { z = -z }
            let cube = 1 - 1 / (9 * a) - z / (3 * a.squareRoot())
            return log(max(1e-3, a * cube * cube * cube))
        }
        let t = 1 - a * (0.253 + a * 0.12)
        return p < t ? log(p / t) / a : log(1 - log(q / (1 - t)))
    }
}

// MARK: - Shared helpers (also used by IncompleteBeta)

/// Stirling's remainder r(z) = ln Γ(z) − [(z − ½) ln z − z + ½ ln 2π], for z > 0.
///
/// For z ≥ 10 the asymptotic series (truncation error < 3e-17) is used, so that differences such as
/// ln B(a, b) can be formed without cancelling huge ln Γ values; below 10 it is computed from lgamma,
/// whose terms are then small enough to subtract safely.
func stirlingRemainder(_ z: Double) -> Double {
    if z < 10 { return lgamma(z) - ((z - 0.5) * log(z) - z + 0.5 * log(2 * Double.pi)) }
    let w = 1 / (z * z)
    let series = 1.0 / 12 - w * (1.0 / 360 - w * (1.0 / 1260 - w * (1.0 / 1680
        - w * (1.0 / 1188 - w * (691.0 / 360_360 - w / 156)))))
    return series / z
}

/// Root of a nondecreasing function g on (−∞, upperLimit), by Newton's method with a bisection
/// fallback: every evaluation tightens a bracket, and a Newton step that leaves it (or is NaN, e.g.
/// where g is ±∞ because a probability underflowed) is replaced by the bracket midpoint, or by a
/// doubling step while one side is still unbounded. Stops once a Newton step is below
/// 1e-13·scale(s) (quadratic convergence makes the error then far smaller still).
/// If the bracket shrinks to adjacent doubles first — the root lies between representable answers,
/// as for a quantile within an ulp of 1 or below the smallest subnormal — the end nearer to where
/// the secant through both ends crosses zero is returned (the finite side if g is infinite there).
func solveIncreasing(
    from start: Double,
    below upperLimit: Double = .infinity,
    scale: (Double) -> Double,
    _ g: (Double) -> (value: Double, slope: Double)
) -> Double {
    var lower = -Double.infinity, upper = upperLimit
    var valueAtLower = -Double.infinity, valueAtUpper = Double.infinity
    var s = start
    for _ in 0..<200 {
        let (value, slope) = g(s)
        if value == 0 { return s }
        if value < 0 {
            (lower, valueAtLower) = (s, value)
        } else if value > 0 {
            (upper, valueAtUpper) = (s, value)
        }
        var next = s - value / slope
        let newton = next > lower && next < upper
        if !newton {
            if lower.isFinite && upper.isFinite {
                next = lower + (upper - lower) / 2
                if !(next > lower && next < upper) {
                    if valueAtLower == -.infinity { return lower }
                    if valueAtUpper == .infinity { return upper }
                    return -valueAtLower <= valueAtUpper ? lower : upper
                }
            } else if lower.isFinite {
                next = s + max(1, abs(s))
            } else {
                next = s - max(1, abs(s))
            }
        }
        if newton && abs(next - s) <= 1e-13 * scale(next) { return next }
        s = next
    }
    return s
}
