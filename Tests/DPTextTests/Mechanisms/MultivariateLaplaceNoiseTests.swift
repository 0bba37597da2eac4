import Foundation
import Testing
@testable import DPText

/// Mechanisms.md §9 T1 and T2 on the noise sampler: fixed seeds, m = 10⁵
/// draws per case, α = 10⁻⁴ per test, Bonferroni-corrected across the
/// checks of each case.
@Suite("Multivariate Laplace noise (T1, T2)")
struct MultivariateLaplaceNoiseTests {
    static let draws = 100_000
    static let alpha = 1e-4
    static let cases: [(dimension: Int, epsilon: Double)] = [1, 2, 3, 50, 300].flatMap { n in
        [0.5, 1, 10, 23].map { (n, $0) }
    }

    private static func noise(dimension: Int, epsilon: Double, seed: UInt64) -> [[Double]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<draws).map { _ in
            MultivariateLaplaceNoise.sample(dimension: dimension, epsilon: epsilon, using: &generator)
        }
    }

    private static func norm(_ vector: [Double]) -> Double { vector.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    @Test("T1: the radius is Gamma(n, scale 1/ε)", arguments: cases)
    func radiusIsGamma(dimension: Int, epsilon: Double) {
        let radii = Self.noise(dimension: dimension, epsilon: epsilon, seed: UInt64(dimension) << 8 + UInt64(epsilon * 10))
            .map(Self.norm)
        let n = Double(dimension), m = Double(radii.count)
        let checks = 3.0
        let ks = KolmogorovSmirnovTest(sample: radii) { GammaDistribution.cdf($0, shape: n, scale: 1 / epsilon) }
        #expect(ks.pValue > Self.alpha / checks, "KS D = \(ks.statistic), p = \(ks.pValue)")
        // Mean n/ε and variance n/ε²: z-tests (the variance's sd uses the Gamma fourth moment, 6n/ε⁴ + 2n²/ε⁴).
        let mean = radii.reduce(0, +) / m
        let zMean = (mean - n / epsilon) / ((n / (epsilon * epsilon)) / m).squareRoot()
        #expect(zTestPValue(zMean) > Self.alpha / checks, "mean \(mean) vs \(n / epsilon), z = \(zMean)")
        let variance = radii.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (m - 1)
        let varianceSD = ((6 * n + 2 * n * n) / pow(epsilon, 4) / m).squareRoot()
        let zVariance = (variance - n / (epsilon * epsilon)) / varianceSD
        #expect(zTestPValue(zVariance) > Self.alpha / checks, "variance \(variance), z = \(zVariance)")
    }

    @Test("T2: the direction is uniform on the sphere and independent of the radius",
          arguments: [1, 2, 3, 50, 300])
    func directionIsUniform(dimension: Int) throws {
        let samples = Self.noise(dimension: dimension, epsilon: 1, seed: 0xD1 + UInt64(dimension))
        let m = Double(samples.count), n = Double(dimension)
        let checks = 3.0
        // A fixed unit vector a, not aligned with an axis.
        var generator = SeededGenerator(seed: 99)
        let raw = generator.nextStandardNormals(dimension)
        let a = raw.map { $0 / Self.norm(raw) }
        let projections = samples.map { sample in zip(sample, a).reduce(0) { $0 + $1.0 * $1.1 } / Self.norm(sample) }

        if dimension == 1 {
            // u = ±1 with probability ½ each.
            let positive = projections.filter { $0 > 0 }.count
            let z = (Double(positive) - m / 2) / (m / 4).squareRoot()
            #expect(zTestPValue(z) > Self.alpha / checks, "\(positive) positive of \(samples.count)")
        } else {
            let shape = (n - 1) / 2
            let ks = KolmogorovSmirnovTest(sample: projections.map { ($0 + 1) / 2 }) {
                BetaDistribution.cdf($0, shape, shape)
            }
            #expect(ks.pValue > Self.alpha / checks, "KS D = \(ks.statistic), p = \(ks.pValue)")
        }

        // Mean direction: m·n·‖ū‖² ~ χ²_n.
        var meanDirection = [Double](repeating: 0, count: dimension)
        for sample in samples {
            let length = Self.norm(sample)
            for j in 0..<dimension { meanDirection[j] += sample[j] / length / m }
        }
        let statistic = m * n * meanDirection.reduce(0) { $0 + $1 * $1 }
        let pMean = IncompleteGamma.regularizedUpper(n / 2, statistic / 2)
        #expect(pMean > Self.alpha / checks, "χ² = \(statistic) with \(dimension) df, p = \(pMean)")

        // Independence: the correlation of ‖N‖ with ⟨a, u⟩² is ≈ 0 (√m·r ~ N(0, 1)).
        if dimension > 1 {
            let radii = samples.map(Self.norm)
            let squares = projections.map { $0 * $0 }
            let r = correlation(radii, squares)
            #expect(zTestPValue(r * m.squareRoot()) > Self.alpha / checks, "correlation \(r)")
        }
    }

    private func correlation(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        return sxy / (sxx * syy).squareRoot()
    }
}

/// A generator that returns fixed words, to probe edge cases of samplers.
struct FixedWordGenerator: RandomNumberGenerator {
    var words: [UInt64]
    mutating func next() -> UInt64 { words.removeFirst() }
}

@Test func openUniformNeverReachesZeroOrOne() {
    var extremes = FixedWordGenerator(words: [0, .max])
    let smallest = extremes.nextOpenUnit(), largest = extremes.nextOpenUnit()
    #expect(smallest > 0 && largest < 1)
    #expect(largest == 1 - 0x1p-53 && smallest == 0x1p-53)
    #expect(log(smallest).isFinite && log(1 - largest).isFinite)
}
