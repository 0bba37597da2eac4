import Foundation

/// The principal branch W₀ of the Lambert W function: the solution w ≥ −1
/// of `w·eʷ = x`, for x ≥ −1/e.
enum LambertW {
    /// W₀(x) by Halley's iteration on `f(w) = w·eʷ − x`, to full double
    /// precision. NaN below −1/e; W₀(−1/e) = −1, W₀(0) = 0, W₀(∞) = ∞.
    static func principal(_ x: Double) -> Double {
        let branchPoint = -exp(-1.0)
        if x.isNaN || x < branchPoint { return .nan }
        if x == branchPoint { return -1 }
        if x == .infinity { return .infinity }
        if abs(x) < 1e-9 { return x - x * x }
        var w: Double
        if x < -0.25 {
            // Series about the branch point in p = √(2(e·x + 1)).
            let p = (2 * (M_E * x + 1)).squareRoot()
            w = -1 + p - p * p / 3 + 11 / 72 * p * p * p
        } else if x < M_E {
            w = log1p(x)
        } else {
            let l1 = log(x), l2 = log(l1)
            w = l1 - l2 + l2 / l1
        }
        for _ in 0..<64 {
            let ew = exp(w), f = w * ew - x, w1 = w + 1
            guard f != 0, w1 != 0 else { break }
            let step = f / (ew * w1 - (w + 2) * f / (2 * w1))
            w -= step
            if abs(step) <= 1e-15 * abs(w) { break }
        }
        return w
    }
}
