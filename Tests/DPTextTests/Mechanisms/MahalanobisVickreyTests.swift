import Foundation
import Testing
@testable import DPText

/// Mechanisms.md §9 T9 (Mahalanobis) and T8 (Vickrey). Fixed seeds,
/// m = 10⁵, α = 10⁻⁴ per test, Bonferroni within a test.
@Suite("Mahalanobis mechanism (T9)")
struct MahalanobisTests {
    static let alpha = 1e-4
    static let draws = 100_000
    /// Correlated 4-d vectors: the covariance has a clear shape.
    static let store: EmbeddingStore = {
        var generator = SeededGenerator(seed: 5)
        let vectors = (0..<300).flatMap { _ -> [Float] in
            let g = (0..<4).map { _ in TestData.gaussian(using: &generator) }
            return [3 * g[0], 3 * g[0] + g[1], 0.5 * g[2], g[3] - g[0]].map(Float.init)
        }
        return try! EmbeddingStore(words: (0..<300).map { "m\($0)" }, vectors: vectors, dimension: 4)
    }()

    static func noise(_ mechanism: MahalanobisMechanism, seed: UInt64) -> [[Double]] {
        var generator = SeededGenerator(seed: seed)
        let center = store.vector(at: 0)
        return (0..<draws).map { _ in
            guard case .point(let z) = mechanism.draw(.word(0), using: &generator).outcome else { fatalError() }
            return zip(z, center).map(-)
        }
    }

    /// L⁻¹v for the mechanism's Cholesky factor L of Σ_λ.
    static func whiten(_ v: [Double], _ mechanism: MahalanobisMechanism) -> [Double] {
        let n = v.count
        var solved = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var value = v[i]
            for j in 0..<i { value -= mechanism.factor[i * n + j] * solved[j] }
            solved[i] = value / mechanism.factor[i * n + i]
        }
        return solved
    }

    @Test("Σ_λ = λΣ̂ + (1 − λ)I with tr(Σ̂) = n, and L·Lᵀ = Σ_λ", arguments: [0.0, 0.2, 0.9])
    func covarianceShape(lambda: Double) throws {
        let mechanism = try MahalanobisMechanism(epsilon: 2, lambda: lambda, store: Self.store)
        let n = 4
        let covariance = Self.store.covariance()
        let trace = (0..<n).reduce(0) { $0 + covariance[$1 * n + $1] }
        for i in 0..<n {
            for j in 0..<n {
                let expected = lambda * Double(n) / trace * covariance[i * n + j] + (i == j ? 1 - lambda : 0)
                let product = (0..<n).reduce(0) { $0 + mechanism.factor[i * n + $1] * mechanism.factor[j * n + $1] }
                #expect(abs(product - expected) < 1e-12, "Σ[\(i),\(j)]")
            }
        }
        // ε′ = ε/√λ_min(Σ_λ) ≤ ε/√(1 − λ); the claim in d_M dominates it for every pair.
        #expect(mechanism.euclideanEpsilon <= 2 / (1 - lambda).squareRoot() + 1e-12)
        for (a, b) in [(0, 1), (5, 200), (17, 18)] {
            let claim = try #require(mechanism.claimedLoss(between: a, and: b, in: Self.store))
            #expect(claim <= mechanism.euclideanEpsilon * Self.store.distance(between: a, and: b) * (1 + 1e-12))
        }
    }

    /// The sampler's L·u, sixteen rows at a time, equals the plain loop
    /// `((0 + L_i0·u_0) + …) + L_ii·u_i` bit for bit, at sizes below, at and
    /// past multiples of 16, with entries of very different magnitudes (so
    /// that another summation order or a fused step would show) and garbage
    /// above the diagonal (which LAPACK leaves there and the product must ignore).
    @Test("L·u sixteen rows at a time equals the plain triangular loop bit for bit", arguments: [1, 5, 16, 17, 50, 300])
    func triangularProductIsThePlainLoop(size n: Int) {
        var generator = SeededGenerator(seed: UInt64(n))
        let factor = (0..<n * n).map { index in
            index % n > index / n ? Double.nan : TestData.gaussian(using: &generator) * (index % 3 == 0 ? 1e8 : 1e-3)
        }
        let product = LowerTriangularProduct(rowMajor: factor, size: n)
        for _ in 0..<10 {
            let u = (0..<n).map { _ in TestData.gaussian(using: &generator) }
            let fast = product.apply(to: u)
            for i in 0..<n {
                var plain = 0.0
                for j in 0...i { plain += factor[i * n + j] * u[j] }
                #expect(fast[i].bitPattern == plain.bitPattern, "row \(i) of \(n)")
            }
        }
    }

    @Test("T9: the whitened noise L⁻¹N passes T1 and T2, and its scaled covariance is I")
    func whitenedNoise() throws {
        let (epsilon, n) = (3.0, 4)
        let mechanism = try MahalanobisMechanism(epsilon: epsilon, lambda: 0.6, store: Self.store)
        let whitened = Self.noise(mechanism, seed: 6).map { Self.whiten($0, mechanism) }
        let norms = whitened.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let checks = 3.0
        let radius = KolmogorovSmirnovTest(sample: norms) { GammaDistribution.cdf($0, shape: Double(n), scale: 1 / epsilon) }
        #expect(radius.pValue > Self.alpha / checks, "radius KS p = \(radius.pValue)")
        // T2: (⟨a, u⟩ + 1)/2 ~ Beta((n−1)/2, (n−1)/2) for a fixed unit a.
        let a = [0.5, -0.5, 0.5, 0.5]
        let projections = zip(whitened, norms).map { (zip($0, a).reduce(0) { $0 + $1.0 * $1.1 } / $1 + 1) / 2 }
        let direction = KolmogorovSmirnovTest(sample: projections) { BetaDistribution.cdf($0, 1.5, 1.5) }
        #expect(direction.pValue > Self.alpha / checks, "direction KS p = \(direction.pValue)")
        // W = (ε/√(n+1))·L⁻¹N: mean(WWᵀ) within 6√2/√m of I.
        let scale = epsilon / Double(n + 1).squareRoot()
        var worst = 0.0
        for i in 0..<n {
            for j in 0..<n {
                let mean = whitened.reduce(0) { $0 + scale * $1[i] * scale * $1[j] } / Double(Self.draws)
                worst = max(worst, abs(mean - (i == j ? 1 : 0)))
            }
        }
        #expect(worst <= 6 * 2.0.squareRoot() / Double(Self.draws).squareRoot(), "max |Ĉ − I| = \(worst)")
    }

    @Test("λ = 0 is the Laplace mechanism: the same seeded outputs")
    func lambdaZeroIsLaplace() throws {
        let index = ExactNeighborIndex(store: Self.store)
        let inputs = (0..<300).map { MechanismInput.word($0) }
        var a = SeededGenerator(seed: 8), b = SeededGenerator(seed: 8)
        let mahalanobis = try Privatizer(mechanism: try MahalanobisMechanism(epsilon: 2, lambda: 0, store: Self.store), decoder: index)
        let laplace = try Privatizer(mechanism: try MultivariateLaplaceMechanism(epsilon: 2, store: Self.store), decoder: index)
        #expect(mahalanobis.privatize(inputs, using: &a) == laplace.privatize(inputs, using: &b))
    }

    @Test func rejectsInvalidParameters() {
        for bad in [-0.1, 1.1] {
            #expect(throws: MechanismError.invalidParameter(name: "lambda", requirement: "a number in [0, 1]", value: bad)) {
                try MahalanobisMechanism(epsilon: 1, lambda: bad, store: Self.store)
            }
        }
        #expect(throws: MechanismError.self) { try MahalanobisMechanism(epsilon: 1, lambda: .nan, store: Self.store) }
        #expect(throws: MechanismError.self) { try MahalanobisMechanism(epsilon: .infinity, store: Self.store) }
        // A vocabulary on a line has a singular covariance: λ = 1 bounds nothing, λ < 1 is fine.
        let line = try! EmbeddingStore(words: ["a", "b", "c"], vectors: [0, 0, 1, 1, 2, 2], dimension: 2)
        #expect(throws: MechanismError.self) { try MahalanobisMechanism(epsilon: 1, lambda: 1, store: line) }
        #expect(throws: Never.self) { try MahalanobisMechanism(epsilon: 1, lambda: 0.5, store: line) }
    }
}

@Suite("Vickrey mechanism (T8)")
struct VickreyTests {
    static let alpha = 1e-4
    /// Three words on a line; z = 0.3 has u₁ = "a" (d₁ = 0.3) and u₂ = "b" (d₂ = 0.7).
    static let store = try! EmbeddingStore(words: ["a", "b", "c"], vectors: [0, 1, 5], dimension: 1)

    /// The Vickrey step with a fixed noisy point: the test hook.
    struct FixedPoint: WordMechanism {
        let point: [Double]
        let t: Double
        var name: String { "fixed-point-vickrey" }
        var parameters: [String: Double] { [:] }
        var guarantee: PrivacyGuarantee { .pureMetric(epsilon: 1) }
        func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
            let (t, uniform) = (t, generator.nextOpenUnit())
            return .afterNeighbors(of: point, k: 2) { .word(VickreyMechanism.choice($0.neighbors, t: t, uniform: uniform)) }
        }
    }

    @Test("T8: u₁ comes out with probability p(t) = (1−t)d₂/(t·d₁ + (1−t)d₂) (binomial), t ∈ {0, ½, 0.8, 1}")
    func choiceFrequency() throws {
        let index = ExactNeighborIndex(store: Self.store)
        let draws = 100_000
        for t in [0, 0.5, 0.8, 1] {
            let privatizer = try Privatizer(mechanism: FixedPoint(point: [0.3], t: t), decoder: index)
            var generator = SeededGenerator(seed: 3)
            let outputs = privatizer.privatize([MechanismInput](repeating: .word(2), count: draws), using: &generator)
            let first = outputs.filter { $0 == 0 }.count
            #expect(outputs.allSatisfy { $0 == 0 || $0 == 1 })
            let p = (1 - t) * 0.7 / (t * 0.3 + (1 - t) * 0.7)
            if t == 0 || t == 1 {
                #expect(first == (t == 0 ? draws : 0), "t = \(t): \(first)")
            } else {
                let interval = ClopperPearsonInterval(successes: first, trials: draws, confidence: 1 - Self.alpha)
                #expect(interval.lower <= p && p <= interval.upper, "t = \(t): \(first) of \(draws), p = \(p)")
            }
        }
        // Edge cases of the rule itself.
        let tied = [Neighbor(id: 4, distance: 0), Neighbor(id: 9, distance: 0)]
        #expect(VickreyMechanism.choice(tied, t: 0.25, uniform: 0.74) == 4 && VickreyMechanism.choice(tied, t: 0.25, uniform: 0.76) == 9)
        #expect(VickreyMechanism.choice([Neighbor(id: 7, distance: 1)], t: 1, uniform: 0.5) == 7)
    }

    @Test("the mechanism is Laplace noise then the rule: t = 0 gives the Laplace mechanism's outputs")
    func tZeroIsLaplace() throws {
        let store = TestData.randomStore(count: 200, dimension: 5, seed: 9)
        let index = ExactNeighborIndex(store: store)
        let inputs = (0..<200).map { MechanismInput.word($0) }
        let vickrey = try Privatizer(mechanism: try VickreyMechanism(epsilon: 2, t: 0, store: store), decoder: index)
        let laplace = try Privatizer(mechanism: try MultivariateLaplaceMechanism(epsilon: 2, store: store), decoder: index)
        // Vickrey draws one more uniform per token, so compare token by token with fresh streams.
        for (offset, input) in inputs.enumerated() {
            var a = SeededGenerator(seed: 10, stream: UInt64(offset)), b = SeededGenerator(seed: 10, stream: UInt64(offset))
            #expect(vickrey.privatize([input], using: &a) == laplace.privatize([input], using: &b))
        }
        #expect(try VickreyMechanism(epsilon: 2, store: store).guarantee == .pureMetric(epsilon: 2))
        for bad in [-0.1, 1.1, Double.nan] {
            #expect(throws: MechanismError.self) { try VickreyMechanism(epsilon: 1, t: bad, store: store) }
        }
    }
}
