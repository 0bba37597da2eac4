import Foundation
import Testing
@testable import DPText

/// Mechanisms.md §9 T3, T4 and T10 on the whole mechanism (noise + exact
/// nearest-neighbour decoding). Fixed seeds, α = 10⁻⁴ per test.
@Suite("Multivariate Laplace mechanism (T3, T4, T10)")
struct MultivariateLaplaceMechanismTests {
    static let alpha = 1e-4

    /// The 1-D vocabulary {0, 1, 3, 7} of T3.
    static let toy = try! EmbeddingStore(words: ["0", "1", "3", "7"], vectors: [0, 1, 3, 7], dimension: 1)

    /// T3's exact P(output column | input row) at ε = 1.
    static let t3Table: [[Double]] = [
        [0.696735, 0.235598, 0.064299, 0.003369],
        [0.303265, 0.512795, 0.174782, 0.009158],
        [0.041042, 0.142897, 0.748393, 0.067668],
        [0.000752, 0.002617, 0.064299, 0.932332],
    ]

    /// Exact output probabilities of the 1-D mechanism: the Laplace(x, 1/ε)
    /// mass of each Voronoi cell (cells split at the midpoints).
    static func exactProbabilities(points: [Double], input: Double, epsilon: Double) -> [Double] {
        func cdf(_ t: Double) -> Double {
            t < input ? 0.5 * exp(epsilon * (t - input)) : 1 - 0.5 * exp(-epsilon * (t - input))
        }
        let cuts = [-Double.infinity] + zip(points, points.dropFirst()).map { ($0 + $1) / 2 } + [Double.infinity]
        return zip(cuts, cuts.dropFirst()).map { cdf($1) - cdf($0) }
    }

    static func outputCounts(
        store: EmbeddingStore, epsilon: Double, word: Int, draws: Int, seed: UInt64
    ) throws -> [Int] {
        let privatizer = try Privatizer(mechanism: try MultivariateLaplaceMechanism(epsilon: epsilon, store: store),
                                    decoder: ExactNeighborIndex(store: store))
        var generator = SeededGenerator(seed: seed)
        let estimate = DeniabilityEstimate(word: word, draws: draws, privatizer: privatizer, using: &generator)
        return (0..<store.count).map { estimate.outputCounts[$0] ?? 0 }
    }

    @Test("T3: the reference table is the exact law, and its privacy loss is tight")
    func referenceTableIsExact() {
        let points = [0.0, 1, 3, 7]
        for (row, input) in points.enumerated() {
            let exact = Self.exactProbabilities(points: points, input: input, epsilon: 1)
            for (p, q) in zip(exact, Self.t3Table[row]) { #expect(abs(p - q) < 1e-6) }
        }
        // max over pairs and outputs of ln(P[y|x]/P[y|x'])/(ε·d(x, x')) is exactly 1.
        var worst = 0.0
        for (i, x) in points.enumerated() {
            for (j, x2) in points.enumerated() where i != j {
                let p = Self.exactProbabilities(points: points, input: x, epsilon: 1)
                let q = Self.exactProbabilities(points: points, input: x2, epsilon: 1)
                for y in 0..<4 { worst = max(worst, log(p[y] / q[y]) / abs(x - x2)) }
            }
        }
        #expect(abs(worst - 1) < 1e-9)
    }

    @Test("T3: sampled outputs match the exact table", arguments: 0..<4)
    func sampledOutputsMatchTheTable(row: Int) throws {
        let counts = try Self.outputCounts(store: Self.toy, epsilon: 1, word: row, draws: 100_000, seed: 300 + UInt64(row))
        let test = ChiSquareTest(observed: counts, expectedProbabilities: Self.t3Table[row].map { $0 / Self.t3Table[row].reduce(0, +) })
        #expect(test.pValue > Self.alpha, "counts \(counts), χ² = \(test.statistic), p = \(test.pValue)")
    }

    /// A small random store with an ε at which outputs spread over many words.
    static let small = TestData.randomStore(count: 30, dimension: 5, seed: 404)
    static let smallEpsilon = 2.0

    static func transformed(_ store: EmbeddingStore, _ transform: ([Double]) -> [Double]) -> EmbeddingStore {
        let vectors = (0..<store.count).flatMap { transform(store.vector(at: $0)).map(Float.init) }
        return try! EmbeddingStore(words: store.words, vectors: vectors, dimension: store.dimension)
    }

    /// Two-sample χ² between the output counts of `word` in two settings.
    static func expectSameLaw(_ a: [Int], _ b: [Int], _ label: String) {
        let test = ChiSquareTest(a, b)
        #expect(test.pValue > alpha, "\(label): χ² = \(test.statistic), df = \(test.degreesOfFreedom), p = \(test.pValue)")
    }

    @Test("T4a: rotating every embedding leaves the output law unchanged")
    func rotationInvariance() throws {
        var generator = SeededGenerator(seed: 5)
        // A random orthogonal matrix by Gram–Schmidt on Gaussian columns.
        var basis: [[Double]] = []
        while basis.count < 5 {
            var v = generator.nextStandardNormals(5)
            for b in basis {
                let dot = zip(v, b).reduce(0) { $0 + $1.0 * $1.1 }
                v = zip(v, b).map { $0 - dot * $1 }
            }
            let length = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            basis.append(v.map { $0 / length })
        }
        let rotated = Self.transformed(Self.small) { v in basis.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } } }
        for word in [0, 7] {
            Self.expectSameLaw(
                try Self.outputCounts(store: Self.small, epsilon: Self.smallEpsilon, word: word, draws: 100_000, seed: 41),
                try Self.outputCounts(store: rotated, epsilon: Self.smallEpsilon, word: word, draws: 100_000, seed: 42),
                "word \(word)")
        }
    }

    @Test("T4b: scaling embeddings by c and ε by 1/c leaves the output law unchanged")
    func scalingInvariance() throws {
        let scaled = Self.transformed(Self.small) { $0.map { $0 * 4 } }
        Self.expectSameLaw(
            try Self.outputCounts(store: Self.small, epsilon: Self.smallEpsilon, word: 3, draws: 100_000, seed: 43),
            try Self.outputCounts(store: scaled, epsilon: Self.smallEpsilon / 4, word: 3, draws: 100_000, seed: 44),
            "scaled by 4")
    }

    @Test("T4c: translating every embedding leaves the output law unchanged")
    func translationInvariance() throws {
        let shifted = Self.transformed(Self.small) { zip($0, [3.0, -1.5, 0.25, 7, -2]).map(+) }
        Self.expectSameLaw(
            try Self.outputCounts(store: Self.small, epsilon: Self.smallEpsilon, word: 11, draws: 100_000, seed: 45),
            try Self.outputCounts(store: shifted, epsilon: Self.smallEpsilon, word: 11, draws: 100_000, seed: 46),
            "translated")
    }

    @Test("T10: N̂_w's Clopper–Pearson interval covers the exact N_w on the T3 toy", arguments: 0..<4)
    func survivalEstimateCoversTheTruth(word: Int) throws {
        let privatizer = try Privatizer(mechanism: try MultivariateLaplaceMechanism(epsilon: 1, store: Self.toy),
                                    decoder: ExactNeighborIndex(store: Self.toy))
        var generator = SeededGenerator(seed: 1000 + UInt64(word))
        let estimate = DeniabilityEstimate(word: word, draws: 20_000, privatizer: privatizer, using: &generator)
        let interval = estimate.survivalInterval(confidence: 1 - Self.alpha)
        let exact = Self.t3Table[word][word]
        #expect(interval.lower <= exact && exact <= interval.upper, "N̂ = \(estimate.survival), \(interval), exact \(exact)")
    }

    @Test("T10: on average Ŝ_w does not grow with ε and does not shrink with m")
    func supportTrends() throws {
        let store = TestData.randomStore(count: 200, dimension: 8, seed: 77)
        let words = Array(0..<20)
        func meanSupport(epsilon: Double, draws: Int) throws -> Double {
            let privatizer = try Privatizer(mechanism: try MultivariateLaplaceMechanism(epsilon: epsilon, store: store),
                                        decoder: ExactNeighborIndex(store: store))
            var generator = SeededGenerator(seed: UInt64(epsilon * 100) + UInt64(draws))
            return Double(words.map {
                DeniabilityEstimate(word: $0, draws: draws, privatizer: privatizer, using: &generator).support
            }.reduce(0, +)) / Double(words.count)
        }
        let byEpsilon = try [1.0, 2, 4, 8].map { try meanSupport(epsilon: $0, draws: 500) }
        #expect(zip(byEpsilon, byEpsilon.dropFirst()).allSatisfy { $0 >= $1 }, "\(byEpsilon)")
        let byDraws = try [100, 400, 1600].map { try meanSupport(epsilon: 2, draws: $0) }
        #expect(zip(byDraws, byDraws.dropFirst()).allSatisfy { $0 <= $1 }, "\(byDraws)")
    }

    @Test func rejectsInvalidEpsilon() {
        for bad in [0, -1, .nan, .infinity] as [Double] {
            #expect(throws: MechanismError.self) {
                try MultivariateLaplaceMechanism(epsilon: bad, store: Self.toy)
            }
        }
    }
}
