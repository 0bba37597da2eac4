import Foundation
import Testing
@testable import DPText

/// Mechanisms.md §9 T5 (F4 sign vector) and T7 for the truncated-Gumbel
/// mechanism (§4), its samplers and its vocabulary extent. Fixed seeds,
/// α = 10⁻⁴ per test, m = 10⁵ draws unless stated.
enum TruncatedGumbelTesting {
    static let alpha = 1e-4
    static let draws = 100_000

    /// ∫ₐᵇ f by adaptive Simpson with Richardson correction, starting from 16
    /// panels so narrow features are not missed; absolute `tolerance`.
    static func integrate(_ f: (Double) -> Double, _ a: Double, _ b: Double, tolerance: Double = 1e-14) -> Double {
        func refine(_ a: Double, _ fa: Double, _ m: Double, _ fm: Double, _ b: Double, _ fb: Double,
                    _ whole: Double, _ tolerance: Double, _ depth: Int) -> Double {
            let lm = (a + m) / 2, rm = (m + b) / 2, flm = f(lm), frm = f(rm)
            let left = (m - a) / 6 * (fa + 4 * flm + fm), right = (b - m) / 6 * (fm + 4 * frm + fb)
            let delta = left + right - whole
            if depth <= 0 || abs(delta) <= 15 * tolerance { return left + right + delta / 15 }
            return refine(a, fa, lm, flm, m, fm, left, tolerance / 2, depth - 1)
                + refine(m, fm, rm, frm, b, fb, right, tolerance / 2, depth - 1)
        }
        let panels = 16, h = (b - a) / Double(panels)
        return (0..<panels).reduce(0.0) { sum, p in
            let x0 = a + Double(p) * h, x1 = p == panels - 1 ? b : x0 + h, xm = (x0 + x1) / 2
            let f0 = f(x0), fm = f(xm), f1 = f(x1)
            return sum + refine(x0, f0, xm, fm, x1, f1, (x1 - x0) / 6 * (f0 + 4 * fm + f1), tolerance / Double(panels), 40)
        }
    }

    /// Exact selection probabilities of `argmin_i (d_i + n_i)` with i.i.d. truncated Gumbel n_i:
    /// `P(i) = ∫ f_T(t) Π_{j≠i} (1 − F_T(d_i − d_j + t)) dt`, integrated piecewise between the
    /// kinks `t = d_j − d_i ± M` (and over [−4b, 40b] when M = ∞, where the mass outside is < 10⁻¹⁷).
    static func selectionProbabilities(distances d: [Double], noise: TruncatedGumbelNoise) -> [Double] {
        let low = noise.bound.isFinite ? -noise.bound : -4 * noise.scale
        let high = noise.bound.isFinite ? noise.bound : 40 * noise.scale
        return d.indices.map { i in
            func integrand(_ t: Double) -> Double {
                d.indices.reduce(noise.density(t)) { $1 == i ? $0 : $0 * (1 - noise.cdf(d[i] - d[$1] + t)) }
            }
            var cuts = [low, high]
            if noise.bound.isFinite {
                for j in d.indices where j != i {
                    cuts += [d[j] - d[i] - noise.bound, d[j] - d[i] + noise.bound].filter { $0 > low && $0 < high }
                }
            }
            cuts.sort()
            return zip(cuts, cuts.dropFirst()).reduce(0) { $0 + integrate(integrand, $1.0, $1.1) }
        }
    }

    /// Counts of `count` draws over `categories` outcomes.
    static func counts(_ categories: Int, _ count: Int, _ draw: () -> Int) -> [Int] {
        var counts = [Int](repeating: 0, count: categories)
        for _ in 0..<count { counts[draw()] += 1 }
        return counts
    }

    static func expectFit(_ observed: [Int], _ probabilities: [Double], _ label: String,
                          alpha: Double = alpha, sourceLocation: SourceLocation = #_sourceLocation) {
        let test = ChiSquareTest(observed: observed, expectedProbabilities: probabilities)
        #expect(test.pValue > alpha,
                "\(label): observed \(observed), expected \(probabilities.map { $0 * Double(observed.reduce(0, +)) }), χ² = \(test.statistic), df = \(test.degreesOfFreedom), p = \(test.pValue)",
                sourceLocation: sourceLocation)
    }
}

@Suite("TruncatedGumbel noise (T7a)")
struct TruncatedGumbelNoiseTests {
    @Test("KS against the truncated CDF; no draw outside ±M",
          arguments: [(1.0, 0.05), (1, 1), (2, 3), (0.5, 20), (1, .infinity)] as [(Double, Double)])
    func matchesTruncatedCDF(scale: Double, bound: Double) {
        let noise = TruncatedGumbelNoise(scale: scale, bound: bound)
        var generator = SeededGenerator(seed: 7_000 + UInt64(scale * 10) + UInt64(min(bound, 1e6) * 100))
        let sample = (0..<TruncatedGumbelTesting.draws).map { _ in noise.sample(using: &generator) }
        #expect(sample.allSatisfy { $0 >= -bound && $0 <= bound }, "min \(sample.min()!), max \(sample.max()!)")
        let test = KolmogorovSmirnovTest(sample: sample, cdf: noise.cdf)
        #expect(test.pValue > TruncatedGumbelTesting.alpha, "b = \(scale), M = \(bound): D = \(test.statistic), p = \(test.pValue)")
    }

    @Test("the density integrates to 1 and the CDF runs from 0 to 1")
    func densityAndCDFAgree() {
        for (scale, bound) in [(1.0, 0.05), (1, 1), (2, 3), (0.5, 20), (3, 1e-6)] {
            let noise = TruncatedGumbelNoise(scale: scale, bound: bound)
            let mass = TruncatedGumbelTesting.integrate(noise.density, -bound, bound)
            #expect(abs(mass - 1) < 1e-10, "b = \(scale), M = \(bound): ∫f_T = \(mass)")
            let half = TruncatedGumbelTesting.integrate(noise.density, -bound, bound / 3)
            #expect(abs(half - noise.cdf(bound / 3)) < 1e-10)
            #expect(noise.cdf(-bound) == 0 && noise.cdf(bound) == 1 && noise.cdf(-2 * bound) == 0)
        }
    }
}

@Suite("TruncatedGumbel Poisson candidate count (T7b)")
struct TruncatedGumbelPoissonTests {
    @Test("χ² against the truncated pmf, and the mean by a z-test",
          arguments: [(2.3, 5), (2.3, 10_000), (10.45, 5), (10.45, 34_572)] as [(Double, Int)])
    func matchesTruncatedPMF(mean: Double, maximum: Int) {
        let poisson = TruncatedPoisson(mean: mean, maximum: maximum)
        var generator = SeededGenerator(seed: 8_000 + UInt64(mean * 100) + UInt64(maximum))
        let m = TruncatedGumbelTesting.draws
        let sample = (0..<m).map { _ in poisson.sample(using: &generator) }
        #expect(sample.allSatisfy { $0 >= 0 && $0 <= maximum })
        // Cells 0 … last−1 and a last cell "≥ last".
        let last = min(maximum, 60)
        var observed = [Int](repeating: 0, count: last + 1)
        for k in sample { observed[min(k, last)] += 1 }
        let probabilities = (0..<last).map(poisson.probability(of:)) + [poisson.upperTail(above: last - 1)]
        TruncatedGumbelTesting.expectFit(observed, probabilities, "μ = \(mean), kMax = \(maximum)")

        let sampleMean = Double(sample.reduce(0, +)) / Double(m)
        let z = (sampleMean - poisson.expectedValue) / (poisson.variance / Double(m)).squareRoot()
        #expect(zTestPValue(z) > TruncatedGumbelTesting.alpha, "mean \(sampleMean) vs \(poisson.expectedValue), z = \(z)")
        if maximum > 1000 {
            #expect(abs(poisson.expectedValue - mean) < 1e-12 && abs(poisson.variance - mean) < 1e-10)
        } else {
            #expect(poisson.expectedValue < mean)
        }
    }

    @Test("the pmf is μᵏ/k! normalized over 0…kMax, and the tail bound is the smallest")
    func pmfIsExact() {
        let mean = 2.3
        let terms = (0...5).map { k in pow(mean, Double(k)) / tgamma(Double(k) + 1) }
        let poisson = TruncatedPoisson(mean: mean, maximum: 5)
        for k in 0...5 { #expect(abs(poisson.probability(of: k) - terms[k] / terms.reduce(0, +)) < 1e-15) }
        #expect(poisson.probability(of: 6) == 0 && poisson.probability(of: -1) == 0)
        #expect(abs(poisson.upperTail(above: 3) - (poisson.probability(of: 4) + poisson.probability(of: 5))) < 1e-15)
        var generator = SeededGenerator(seed: 1)
        #expect(TruncatedPoisson(mean: 7, maximum: 0).sample(using: &generator) == 0)

        let big = TruncatedPoisson(mean: log(49_999.0), maximum: 49_999)
        let sum = (0...200).reduce(0) { $0 + big.probability(of: $1) }
        #expect(abs(sum - 1) < 1e-13)
        let cap = big.bound(tailBelow: 1e-12)
        #expect(big.upperTail(above: cap) < 1e-12 && big.upperTail(above: cap - 1) >= 1e-12, "kCap = \(cap)")
    }
}

@Suite("TruncatedGumbel selection probabilities (T7c, F4)")
struct TruncatedGumbelSelectionTests {
    /// A 2-D vocabulary of five words.
    static let toy = try! EmbeddingStore(
        words: ["a", "b", "c", "d", "e"], vectors: [0, 0, 1, 0, 0, 1.5, 2, 2, 3.5, 0.5], dimension: 2)

    /// The mechanism on `toy` with a = e³/Δ_min, so that ln(a·Δ_min) = 3 and b is of the order of Δ_max.
    static func toyMechanism() throws -> TruncatedGumbelMechanism {
        let extent = try VocabularyExtent(store: toy)
        let a = exp(3) / extent.minimumDistance
        let epsilon = 2 * (1 + log(5.0)) / extent.minimumDistance + 3 * a
        return try TruncatedGumbelMechanism(epsilon: epsilon, store: toy, extent: extent, neighbors: ExactNeighborIndex(store: toy))
    }

    @Test("F4: argmin of d + Gumbel is (0.70189, 0.24473, 0.05339), not the softmax")
    func signVector() {
        let noise = TruncatedGumbelNoise(scale: 1, bound: .infinity)
        let exact = TruncatedGumbelTesting.selectionProbabilities(distances: [0, 1, 2], noise: noise)
        for (p, q) in zip(exact, [0.70189, 0.24473, 0.05339]) { #expect(abs(p - q) < 1e-5, "\(exact)") }
        #expect(abs(exact.reduce(0, +) - 1) < 1e-10)

        var generator = SeededGenerator(seed: 4_400)
        let proper = TruncatedGumbelTesting.counts(3, TruncatedGumbelTesting.draws) {
            let scores = (0..<3).map { Double($0) + noise.sample(using: &generator) }
            return scores.indices.min { scores[$0] < scores[$1] }!
        }
        TruncatedGumbelTesting.expectFit(proper, exact, "argmin")
        let softmax = ChiSquareTest(observed: proper, expectedProbabilities: [0.66524, 0.24473, 0.09003])
        #expect(softmax.pValue < 1e-12, "the softmax must be rejected: χ² = \(softmax.statistic)")
    }

    @Test("argmin with truncated noise matches numerical integration", arguments: [(1.0, 1.5), (2, 0.8), (0.3, 2.5)] as [(Double, Double)])
    func truncatedSelection(scale: Double, bound: Double) {
        let d = [0, 0.3, 0.7, 1.1, 1.45]
        let noise = TruncatedGumbelNoise(scale: scale, bound: bound)
        let exact = TruncatedGumbelTesting.selectionProbabilities(distances: d, noise: noise)
        #expect(abs(exact.reduce(0, +) - 1) < 1e-10, "\(exact)")
        var generator = SeededGenerator(seed: 4_500 + UInt64(scale * 10))
        let counts = TruncatedGumbelTesting.counts(d.count, TruncatedGumbelTesting.draws) {
            let scores = d.map { $0 + noise.sample(using: &generator) }
            return scores.indices.min { scores[$0] < scores[$1] }!
        }
        TruncatedGumbelTesting.expectFit(counts, exact, "b = \(scale), M = \(bound)")
    }

    @Test("the mechanism with K fixed to 3 matches numerical integration", arguments: 0..<5)
    func fixedCandidateCount(word: Int) throws {
        let mechanism = try Self.toyMechanism()
        let index = ExactNeighborIndex(store: Self.toy)
        let candidates = index.neighbors(ofWord: word, k: 3)
        let exact = TruncatedGumbelTesting.selectionProbabilities(distances: candidates.map(\.distance), noise: mechanism.noise)
        var generator = SeededGenerator(seed: 4_600 + UInt64(word))
        let counts = TruncatedGumbelTesting.counts(5, TruncatedGumbelTesting.draws) {
            mechanism.select(.word(word), candidates: 3, using: &generator)
        }
        var expected = [Double](repeating: 0, count: 5)
        for (candidate, p) in zip(candidates, exact) { expected[candidate.id] = p }
        TruncatedGumbelTesting.expectFit(counts, expected, "word \(word), b = \(mechanism.b), M = \(mechanism.noise.bound)")
    }

    /// P(y | input) = Σ_k P(K = k)·P_{max(k,1)}(y): the whole mechanism, K included.
    static func exactLaw(_ mechanism: TruncatedGumbelMechanism, _ candidates: [Neighbor]) -> [Double] {
        var law = [Double](repeating: 0, count: Self.toy.count)
        for k in 0...4 {
            let set = Array(candidates.prefix(max(k, 1)))
            let p = TruncatedGumbelTesting.selectionProbabilities(distances: set.map(\.distance), noise: mechanism.noise)
            for (c, q) in zip(set, p) { law[c.id] += mechanism.candidateCount.probability(of: k) * q }
        }
        return law
    }

    static func outputCounts(_ mechanism: TruncatedGumbelMechanism, _ input: MechanismInput, seed: UInt64) -> [Int] {
        var generator = SeededGenerator(seed: seed)
        return TruncatedGumbelTesting.counts(Self.toy.count, TruncatedGumbelTesting.draws) {
            guard case .word(let id) = mechanism.draw(input, using: &generator).outcome else { return -1 }
            return id
        }
    }

    @Test("whole mechanism (random K) matches the exact mixture, for words and a public vector")
    func wholeMechanism() throws {
        let mechanism = try Self.toyMechanism()
        #expect(mechanism.parameters["poisson_mean"] == log(4.0))
        let index = ExactNeighborIndex(store: Self.toy)
        for word in [0, 3] {
            let law = Self.exactLaw(mechanism, index.neighbors(ofWord: word, k: 4))
            TruncatedGumbelTesting.expectFit(Self.outputCounts(mechanism, .word(word), seed: 4_700 + UInt64(word)), law,
                                             "word \(word)", alpha: TruncatedGumbelTesting.alpha / 3)
        }
        let vector = [0.4, 0.7]
        let law = Self.exactLaw(mechanism, index.nearest(to: vector, k: 4))
        TruncatedGumbelTesting.expectFit(Self.outputCounts(mechanism, .publicVector(vector), seed: 4_800), law,
                                         "public vector", alpha: TruncatedGumbelTesting.alpha / 3)
    }
}

@Suite("TruncatedGumbel setup: ε bound, parameter errors, Lambert W (T7e–g)")
struct TruncatedGumbelSetupTests {
    static let store = TestData.randomStore(count: 40, dimension: 3, seed: 9_001)
    static let extent = try! VocabularyExtent(store: store)
    static let index = ExactNeighborIndex(store: store)

    static func make(epsilon: Double, poissonMean: Double? = nil) throws -> TruncatedGumbelMechanism {
        try TruncatedGumbelMechanism(epsilon: epsilon, store: store, extent: extent, poissonMean: poissonMean, neighbors: index)
    }

    @Test("below the bound: an error naming the smallest ε; just above: a valid b")
    func epsilonBound() throws {
        let minimum = TruncatedGumbelMechanism.minimumEpsilon(wordCount: 40, minimumDistance: Self.extent.minimumDistance)
        #expect(abs(minimum - (2 * (1 + log(40.0)) + 3) / Self.extent.minimumDistance) < 1e-12)
        for epsilon in [minimum * (1 - 1e-9), minimum / 2, 0.001] {
            do {
                _ = try Self.make(epsilon: epsilon)
                Issue.record("ε = \(epsilon) < \(minimum) was accepted")
            } catch let error as MechanismError {
                guard case .epsilonBelowMinimum("truncated-gumbel", _, let reported, let vocabulary) = error else {
                    Issue.record("\(error)"); continue
                }
                #expect(reported == minimum && vocabulary.hasPrefix("V = 40,"))
                let shown = MechanismError.roundedUp(minimum)
                #expect(error.description.contains("ε > \(shown)") && error.description.contains("V = 40"), "\(error)")
                #expect(Double(shown)! >= minimum && Double(shown)! < minimum * (1 + 1e-5))
            }
        }
        let mechanism = try Self.make(epsilon: minimum * (1 + 1e-9))
        #expect(mechanism.a * Self.extent.minimumDistance > 1 && mechanism.b > 0 && mechanism.b.isFinite, "b = \(mechanism.b)")
        #expect(mechanism.name == "truncated-gumbel")
        #expect(Set(mechanism.parameters.keys) == ["epsilon", "poisson_mean", "a", "b", "delta_min", "delta_max"])
        #expect(mechanism.guarantee.kind == "unverified")
        #expect(MechanismError.epsilonBelowMinimum(mechanism: "truncated-gumbel", epsilon: 5, minimum: 14.73118,
                                                   vocabulary: "V = 50000, Δ_min = 0.42253")
            .description == "truncated-gumbel needs ε > 14.7312 for this vocabulary (V = 50000, Δ_min = 0.42253); got 5.0.")
    }

    @Test("a and b follow §4.1")
    func parameters() throws {
        let epsilon = 3 * TruncatedGumbelMechanism.minimumEpsilon(wordCount: 40, minimumDistance: Self.extent.minimumDistance)
        let mechanism = try Self.make(epsilon: epsilon)
        let (dMin, dMax) = (Self.extent.minimumDistance, Self.extent.maximumDistance)
        let a = (epsilon - 2 * (1 + log(40.0)) / dMin) / 3
        #expect(abs(mechanism.a - a) <= 1e-12 * a)
        let w = LambertW.principal(2 * a * dMax)
        #expect(abs(w * exp(w) - 2 * a * dMax) < 1e-12 * 2 * a * dMax)
        #expect(abs(mechanism.b - 2 * dMax / min(w, log(a * dMin))) <= 1e-12 * mechanism.b)
        #expect(mechanism.noise.bound == dMax && mechanism.poissonMean == log(39.0))
        #expect(mechanism.candidateCount.maximum == 39)
    }

    @Test("ε ≤ 0, NaN or ∞ and a Poisson mean ≤ 0 are refused")
    func parameterErrors() throws {
        for epsilon in [0, -1, Double.nan, .infinity, -.infinity] {
            #expect(throws: MechanismError.self) { try Self.make(epsilon: epsilon) }
        }
        let valid = 2 * TruncatedGumbelMechanism.minimumEpsilon(wordCount: 40, minimumDistance: Self.extent.minimumDistance)
        for mean in [0, -2, Double.nan, .infinity] {
            #expect {
                try Self.make(epsilon: valid, poissonMean: mean)
            } throws: { error in
                guard case .invalidParameter("poisson_mean", "a number in (0, 1e+06]", _) = error as? MechanismError
                else { return false }
                return true
            }
        }
        #expect(try Self.make(epsilon: valid, poissonMean: 3).poissonMean == 3)
        // Duplicate vectors: Δ_min = 0 and a clear refusal.
        let twins = try EmbeddingStore(words: ["x", "y", "z"], vectors: [0, 0, 1, 1, 1, 1], dimension: 2)
        let twinExtent = try VocabularyExtent(store: twins)
        #expect(twinExtent.minimumDistance == 0 && twinExtent.closestPair == .init(1, 2))
        #expect(throws: TruncatedGumbelError.duplicateVectors(first: "y", second: "z")) {
            try TruncatedGumbelMechanism(epsilon: 100, store: twins, extent: twinExtent, neighbors: ExactNeighborIndex(store: twins))
        }
        // An extent of another vocabulary.
        #expect(throws: TruncatedGumbelError.extentMismatch(storeWords: 40, extentWords: 3)) {
            try TruncatedGumbelMechanism(epsilon: 100, store: Self.store, extent: twinExtent, neighbors: Self.index)
        }
        #expect(throws: VocabularyResourceError.tooFewWords(count: 1, needed: 2, resource: "the vocabulary extent")) {
            try VocabularyExtent(store: try EmbeddingStore(words: ["x"], vectors: [1], dimension: 1))
        }
    }

    @Test("Lambert W₀ matches known values and solves w·eʷ = x")
    func lambertW() {
        let known: [(Double, Double)] = [
            (1, 0.5671432904097838), (M_E, 1), (10, 1.7455280027406994), (0, 0), (-exp(-1.0), -1),
            (-0.3, -0.4894022271802149), (1e10, 20.02868541330495), (100, 3.385630140290050),
            (0.1, 0.09127652716086226), (1e-12, 9.99999999999e-13),
        ]
        for (x, w) in known {
            #expect(abs(LambertW.principal(x) - w) <= 4e-16 * max(1, abs(w)), "W₀(\(x)) = \(LambertW.principal(x)), expected \(w)")
        }
        var generator = SeededGenerator(seed: 12)
        for _ in 0..<1000 {
            let x = exp(Double.random(in: -20...300, using: &generator))
            let w = LambertW.principal(x)
            // w + ln w = ln x; an error of one ulp in w moves the left side by (1 + 1/w)·ulp(w).
            #expect(abs(w + log(w) - log(x)) <= 4 * (1 + 1 / w) * w.ulp + 2 * abs(log(x)).ulp, "x = \(x)")
        }
        #expect(LambertW.principal(-0.5).isNaN && LambertW.principal(.nan).isNaN && LambertW.principal(.infinity) == .infinity)
    }
}

/// The naive O(V²) reference: every pair i < j in order, squared distances
/// by the same double-precision formula; the first pair wins ties.
private func naiveExtent(_ store: EmbeddingStore) -> (min: Double, closest: VocabularyExtent.Pair, max: Double, farthest: VocabularyExtent.Pair) {
    let count = store.count, dimension = store.dimension
    var closest = (Double.infinity, 0, 0), farthest = (-Double.infinity, 0, 0)
    store.vectors.withUnsafeBufferPointer { v in
        for i in 0..<count {
            for j in (i + 1)..<count {
                var sum = 0.0
                for k in 0..<dimension {
                    let difference = Double(v[i * dimension + k]) - Double(v[j * dimension + k])
                    sum += difference * difference
                }
                if sum < closest.0 { closest = (sum, i, j) }
                if sum > farthest.0 { farthest = (sum, i, j) }
            }
        }
    }
    return (closest.0.squareRoot(), .init(closest.1, closest.2), farthest.0.squareRoot(), .init(farthest.1, farthest.2))
}

@Suite("TruncatedGumbel vocabulary extent (T7h)")
struct TruncatedGumbelExtentTests {
    enum Plant: Sendable {
        case none, duplicates, nearTies, exactMaximumTie
    }

    /// A random store with planted features: exact duplicate rows; near ties (copies moved by one
    /// float ulp) at both the minimum and the maximum; or two exactly tied farthest pairs.
    static func plantedStore(count: Int, dimension: Int, plant: Plant, seed: UInt64) -> EmbeddingStore {
        let random = TestData.randomStore(count: count, dimension: dimension, seed: seed)
        var vectors = random.vectors
        func row(_ id: Int) -> Range<Int> { id * dimension..<(id + 1) * dimension }
        func copy(_ from: Int, to: Int) { vectors.replaceSubrange(row(to), with: vectors[row(from)]) }
        switch plant {
        case .none: break
        case .duplicates:
            copy(count / 3, to: count - 2)
            copy(1, to: count / 2)
        case .nearTies:
            copy(count / 4, to: count - 1); vectors[row(count - 1).lowerBound] = vectors[row(count - 1).lowerBound].nextUp
            copy(count / 5, to: count - 3); vectors[row(count - 3).upperBound - 1] = vectors[row(count - 3).upperBound - 1].nextDown
            // Far points: x, −x and −x moved by one ulp.
            for k in row(2) { vectors[k] = 40 + Float(k % 3) }
            for (k, source) in zip(row(count / 2), row(2)) { vectors[k] = -vectors[source] }
            for (k, source) in zip(row(count - 5), row(2)) { vectors[k] = -vectors[source] }
            vectors[row(count - 5).lowerBound] = vectors[row(count - 5).lowerBound].nextDown
        case .exactMaximumTie:
            for k in row(3) { vectors[k] = 30 }
            for k in row(count - 4) { vectors[k] = -30 }
            for k in row(count - 2) { vectors[k] = -30 }
        }
        return try! EmbeddingStore(words: random.words, vectors: vectors, dimension: dimension)
    }

    static func expectExact(_ extent: VocabularyExtent, _ store: EmbeddingStore, _ label: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        let naive = naiveExtent(store)
        #expect(extent.minimumDistance == naive.min && extent.closestPair == naive.closest
                && extent.maximumDistance == naive.max && extent.farthestPair == naive.farthest,
                "\(label): got \(extent), naive \(naive)", sourceLocation: sourceLocation)
        #expect(extent.wordCount == store.count, sourceLocation: sourceLocation)
    }

    @Test("equals the naive O(V²) computation on random stores", arguments: [
        (2, 3, .none), (3, 1, .none), (500, 3, .nearTies), (1500, 8, .duplicates),
        (3000, 50, .nearTies), (2999, 17, .exactMaximumTie), (2000, 2, .none), (1024, 300, .nearTies),
    ] as [(Int, Int, Plant)])
    func matchesNaive(count: Int, dimension: Int, plant: Plant) throws {
        let store = Self.plantedStore(count: count, dimension: dimension, plant: plant, seed: UInt64(count * 7 + dimension))
        var fractions: [Double] = []
        let extent = try VocabularyExtent(store: store) { fractions.append($0) }
        Self.expectExact(extent, store, "V = \(count), D = \(dimension), \(plant)")
        #expect(fractions.last == 1 && zip(fractions, fractions.dropFirst()).allSatisfy { $0 <= $1 }, "\(fractions)")
        if plant == .duplicates { #expect(extent.minimumDistance == 0) }
        // Tiny tiles: many diagonal and off-diagonal tiles, ragged edges.
        if count <= 1500 {
            let tiled = try VocabularyExtent(store: store, rowBlock: 7, columnBlock: 13) { _ in }
            #expect(tiled == extent)
        }
    }

    @Test("equals the naive computation on a grid with many exact ties")
    func gridTies() throws {
        var vectors: [Float] = []
        for i in 0..<400 { vectors += [Float(i % 20), Float(i / 20)] }
        let store = try EmbeddingStore(words: (0..<400).map { "g\($0)" }, vectors: vectors, dimension: 2)
        for (rows, columns) in [(256, 1024), (5, 3), (64, 64)] {
            Self.expectExact(try VocabularyExtent(store: store, rowBlock: rows, columnBlock: columns) { _ in }, store, "grid \(rows)×\(columns)")
        }
    }

    @Test("equals the naive computation on the bundled store's first 3000 words")
    func bundledPrefix() throws {
        let store = try EmbeddingStore.load(from: TestData.bundledStore, vocabLimit: 3000)
        Self.expectExact(try VocabularyExtent(store: store), store, "bundled prefix")
    }

    @Test("the JSON cache round-trips exactly and is keyed by file, count and words")
    func cache() throws {
        let folder = try TestData.temporaryFolder()
        defer { TestData.cleanUp(folder) }
        let storeFile = folder.appendingPathComponent("store.bin")
        try Data("pretend store".utf8).write(to: storeFile)
        let cacheFolder = folder.appendingPathComponent("cache").path
        let cache = try TestData.cacheFolder(URL(fileURLWithPath: cacheFolder))
        let store = Self.plantedStore(count: 300, dimension: 5, plant: .nearTies, seed: 31)

        var calls: [Double] = []
        let first = try VocabularyExtent.cached(for: store, storePath: storeFile.path, cache: cache) { calls.append($0) }
        #expect(first.storeSHA256 == (try sha256Hex(ofFileAt: storeFile.path)) && calls.count > 1)
        Self.expectExact(first, store, "cached")
        calls = []
        let second = try VocabularyExtent.cached(for: store, storePath: storeFile.path, cache: cache) { calls.append($0) }
        #expect(second == first && calls == [1], "loaded from the cache: \(calls)")
        let files = try FileManager.default.contentsOfDirectory(atPath: cacheFolder)
        #expect(files.count == 1 && files[0].hasPrefix("vocabulary-extent-\(first.storeSHA256!)-300-"), "\(files)")

        // A prefix and a reordered subset of the same file get their own entries.
        let prefix = try store.prefix(200)
        let fromPrefix = try VocabularyExtent.cached(for: prefix, storePath: storeFile.path, cache: cache)
        Self.expectExact(fromPrefix, prefix, "prefix")
        let subset = try store.subset { $0 != "w5" }
        let swapped = try EmbeddingStore(words: subset.words.map { $0 == "w6" ? "w5" : $0 }, vectors: subset.vectors, dimension: 5)
        _ = try VocabularyExtent.cached(for: subset, storePath: storeFile.path, cache: cache)
        _ = try VocabularyExtent.cached(for: swapped, storePath: storeFile.path, cache: cache)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cacheFolder).count == 4)

        // A damaged file is recomputed and replaced.
        let path = URL(fileURLWithPath: cacheFolder).appendingPathComponent(files[0])
        try Data("{ not json".utf8).write(to: path)
        calls = []
        #expect(try VocabularyExtent.cached(for: store, storePath: storeFile.path, cache: cache) { calls.append($0) } == first)
        #expect(calls.count > 1)
        let decoded = try JSONDecoder().decode(VocabularyExtent.self, from: JSONEncoder().encode(first))
        #expect(decoded == first)
    }
}

extension TruncatedGumbelBundledStoreTests {
    @Test("precomputed and recomputed candidate distances give the same outputs")
    func precomputedDistancesChangeNothing() throws {
        let store = TestData.randomStore(count: 400, dimension: 6, seed: 77)
        let extent = try VocabularyExtent(store: store)
        let index = ExactNeighborIndex(store: store)
        let epsilon = 1.2 * TruncatedGumbelMechanism.minimumEpsilon(
            wordCount: store.count, minimumDistance: extent.minimumDistance)
        let all = try TruncatedGumbelMechanism(epsilon: epsilon, store: store, extent: extent, neighbors: index)
        let none = try TruncatedGumbelMechanism(epsilon: epsilon, store: store, extent: extent, neighbors: index,
                                                table: all.table, frequentWords: 0)
        #expect(all.frequentWords == 400 && none.frequentWords == 0)
        var first = SeededGenerator(seed: 12), second = SeededGenerator(seed: 12)
        var changed = 0
        for word in (0..<4_000).map({ $0 % store.count }) {
            let a = all.draw(.word(word), using: &first), b = none.draw(.word(word), using: &second)
            guard case .word(let x) = a.outcome, case .word(let y) = b.outcome else {
                Issue.record("not a word"); return
            }
            #expect(x == y)
            if x != word { changed += 1 }
        }
        #expect(changed > 400, "the draws exercise the candidates, not only the input word")
    }
}

@Suite("TruncatedGumbel on the bundled store (T7i)")
struct TruncatedGumbelBundledStoreTests {
    @Test("every output is a vocabulary word inside the input's candidate set")
    func outputsStayInCandidateSets() throws {
        // The first 10,000 words: the mechanism builds its neighbour table
        // (one exact query per word), which must stay quick in a debug build.
        let store = try EmbeddingStore.load(from: TestData.bundledStore, vocabLimit: 10_000)
        let started = Date()
        let extent = try VocabularyExtent(store: store)
        let seconds = Date().timeIntervalSince(started)
        print("bundled store: V = \(store.count), Δ_min = \(extent.minimumDistance) \(extent.closestPair), "
              + "Δ_max = \(extent.maximumDistance) \(extent.farthestPair), \(seconds) s (debug build)")
        let index = ExactNeighborIndex(store: store)
        let minimum = TruncatedGumbelMechanism.minimumEpsilon(wordCount: store.count, minimumDistance: extent.minimumDistance)
        #expect {
            try TruncatedGumbelMechanism(epsilon: minimum * 0.999, store: store, extent: extent, neighbors: index)
        } throws: { error in
            guard case .epsilonBelowMinimum(_, _, let reported, _) = error as? MechanismError else { return false }
            return reported == minimum
        }
        let mechanism = try TruncatedGumbelMechanism(epsilon: 1.5 * minimum, store: store, extent: extent,
                                                     neighbors: index)
        print("minimum ε = \(minimum); at ε = \(1.5 * minimum): a = \(mechanism.a), b = \(mechanism.b), kCap = \(mechanism.listLength)")
        #expect(mechanism.poissonMean == log(9_999.0) && mechanism.listLength > 20 && mechanism.listLength < 60)

        var generator = SeededGenerator(seed: 9_100)
        let words = (0..<120).map { _ in Int.random(in: 0..<store.count, using: &generator) } + [0, 1, 2]
        for word in words {
            let candidates = Set(index.neighbors(ofWord: word, k: mechanism.listLength).map(\.id))
            for _ in 0..<40 {
                guard case .word(let id) = mechanism.draw(.word(word), using: &generator).outcome else {
                    Issue.record("not a word"); continue
                }
                #expect(candidates.contains(id), "\(store.words[word]) → \(store.words[id])")
            }
            // The table's rows are the exact neighbour lists, the word itself left out.
            #expect([word] + mechanism.table.neighbors(of: word).map(Int.init)
                    == index.neighbors(ofWord: word, k: mechanism.table.width + 1).map(\.id))
        }
        // Draws beyond kCap search on the spot.
        let long = mechanism.listLength + 9
        let longSet = Set(index.neighbors(ofWord: 5, k: long).map(\.id))
        for _ in 0..<50 { #expect(longSet.contains(mechanism.select(.word(5), candidates: long, using: &generator))) }
        // A public vector (the mean embedding, as an UNK stand-in).
        let mean = (0..<store.dimension).map { j in (0..<store.count).reduce(0.0) { $0 + Double(store.vectors[$1 * store.dimension + j]) } / Double(store.count) }
        let near = Set(index.nearest(to: mean, k: mechanism.listLength).map(\.id))
        for _ in 0..<200 {
            guard case .word(let id) = mechanism.draw(.publicVector(mean), using: &generator).outcome else {
                Issue.record("not a word"); continue
            }
            #expect(near.contains(id))
        }
    }
}

extension TruncatedGumbelExtentTests {
    @Test("the SIMD (release) and BLAS (debug) tile reductions agree")
    func tileReductions() {
        var generator = SeededGenerator(seed: 77)
        for count in [1, 2, 15, 16, 17, 33, 512, 1000] {
            let values = (0..<count).map { _ in Float.random(in: -5...100, using: &generator) }
            let expected = (values.min()!, values.max()!)
            values.withUnsafeBufferPointer { buffer in
                let simd = ExtentScan.simdExtremes(buffer.baseAddress!, count)
                let blas = ExtentScan.blasExtremes(buffer.baseAddress!, count)
                #expect(simd == expected && blas == expected, "n = \(count): SIMD \(simd), BLAS \(blas), expected \(expected)")
            }
        }
    }
}
