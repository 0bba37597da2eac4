/// Noise with density `p(z) ∝ exp(−ε‖z‖₂)` on ℝⁿ (Mechanisms.md §2.2).
///
/// In polar coordinates the density splits into a radius with density
/// `∝ r^{n−1} e^{−εr}`, i.e. Gamma(shape n, rate ε), and an independent
/// direction uniform on the sphere. The sampler draws exactly that:
///
/// 1. `g ~ N(0, Iₙ)`, redrawn in the (probability-zero) case `‖g‖ = 0`;
///    `u = g/‖g‖` is uniform on the sphere.
/// 2. `r = (1/ε)·Σ_{j=1..n} −ln U_j` with `U_j` open-uniform: the sum of n
///    standard exponentials is Gamma(n, 1), exactly, in a fixed number of
///    steps (no rejection loop, so no timing side channel, §8.11).
/// 3. `N = r·u`.
///
/// Moments: `E‖N‖ = n/ε`, `sd‖N‖ = √n/ε`.
///
/// Internal on purpose: noise vectors must never be released (§8.1).
enum MultivariateLaplaceNoise {
    static func sample<G: RandomNumberGenerator>(
        dimension: Int, epsilon: Double, using generator: inout G
    ) -> [Double] {
        let direction = uniformDirection(dimension: dimension, using: &generator)
        let radius = gammaRadius(dimension: dimension, epsilon: epsilon, using: &generator)
        return direction.map { $0 * radius }
    }

    /// A unit vector uniform on the sphere S^{n−1}.
    static func uniformDirection<G: RandomNumberGenerator>(dimension: Int, using generator: inout G) -> [Double] {
        var direction: [Double]
        var length: Double
        repeat {
            direction = generator.nextStandardNormals(dimension)
            length = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
        } while length == 0
        return direction.map { $0 / length }
    }

    /// A Gamma(n, scale 1/ε) radius: the sum of n standard exponentials, over ε.
    static func gammaRadius<G: RandomNumberGenerator>(dimension: Int, epsilon: Double, using generator: inout G) -> Double {
        var radius = 0.0
        for _ in 0..<dimension { radius += generator.nextExponential() }
        return radius / epsilon
    }
}
