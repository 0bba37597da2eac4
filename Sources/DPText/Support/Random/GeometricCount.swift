/// Exact geometric variables with ratio `e^{−x}`, from exact coins.
///
/// `count` is the number of heads before the first tail of coins that land
/// heads with probability exactly `q = e^{−x}`:
///
///     P(G = g) = (1 − q)·q^g,   g = 0, 1, 2, …
///
/// Each coin is `ExponentialCoin.flip` with weight 2⁶² at scale 62, which
/// lands heads with probability `2⁶²·e^{−x}/2⁶² = e^{−x}` exactly; that
/// weight bounds `2⁶²·e^{−x}` as the coin requires whenever
/// `e^{−x}·(1 + 2⁻⁴⁸) ≤ 1 − 2⁻⁶¹`, i.e. for every x ≥ 2⁻⁴⁰ (`smallestRatioExponent`).
/// No floating-point logarithm or inversion is involved, so every value
/// keeps its exact probability, however far in the tail. The cost is
/// `1/(1 − q)` coins on average (about 1/x for small x).
enum GeometricCount {
    /// The smallest exponent x the coins are exact for.
    static let smallestRatioExponent = 0x1p-40

    /// One coin that lands heads with probability exactly `e^{−x}`.
    @inline(__always)
    static func flip<G: RandomNumberGenerator>(_ x: Double, using generator: inout G) -> Bool {
        precondition(x >= smallestRatioExponent, "the ratio exponent must be at least 2^-40")
        return ExponentialCoin.flip(x, weight: 1 << 62, scale: 62, using: &generator)
    }

    /// G with `P(G = g) ∝ e^{−x·g}` on {0, 1, …, limit − 1} (every g ≥ 0 when
    /// `limit` is nil): an untruncated draw, redrawn while it reaches `limit`
    /// — rejection, so the truncated law is exact.
    static func draw<G: RandomNumberGenerator>(ratioExponent x: Double, below limit: Int? = nil, using generator: inout G) -> Int {
        precondition(limit.map { $0 >= 1 } ?? true)
        while true {
            var count = 0
            while flip(x, using: &generator) {
                count += 1
                if let limit, count >= limit { break }
            }
            if limit.map({ count < $0 }) ?? true { return count }
        }
    }

    /// `G₁ − G₂` for independent untruncated G₁, G₂: the two-sided geometric
    /// law `P(Z = z) = (1 − q)/(1 + q)·q^{|z|}`, q = e^{−x}.
    static func twoSided<G: RandomNumberGenerator>(ratioExponent x: Double, using generator: inout G) -> Int {
        draw(ratioExponent: x, using: &generator) - draw(ratioExponent: x, using: &generator)
    }
}
