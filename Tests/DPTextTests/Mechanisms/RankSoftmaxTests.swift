import Foundation
import Testing
@testable import DPText

/// Mechanisms.md §11 and T15: exact geometric draws against their laws, and
/// mechanisms followed by rank-softmax against the composed law
/// Σ_w P(w | x)·P(rank_w(y)). χ² with fixed seeds, α = 10⁻⁴ Bonferroni-corrected
/// over the inputs of a test.
@Suite("Rank-softmax post-processing (T15)")
struct RankSoftmaxTests {
    typealias T = ExponentialFamilyTesting
    static let alpha = 1e-4

    /// P(r) = q^r(1 − q)/(1 − q^n) on 0..<n, q = e^{−x}.
    static func truncatedGeometric(_ x: Double, count n: Int) -> [Double] {
        let q = exp(-x)
        return (0..<n).map { pow(q, Double($0)) * (1 - q) / (1 - pow(q, Double(n))) }
    }

    @Test("exact geometric ranks follow the truncated geometric law", arguments: [(0.3, 12), (2.5, 5), (0.01, 300)])
    func rankLaw(exponent: Double, count: Int) {
        var generator = SeededGenerator(seed: 41)
        var observed = [Int](repeating: 0, count: count)
        for _ in 0..<100_000 { observed[GeometricCount.draw(ratioExponent: exponent, below: count, using: &generator)] += 1 }
        let test = ChiSquareTest(observed: observed, expectedProbabilities: Self.truncatedGeometric(exponent, count: count))
        #expect(test.pValue > Self.alpha && test.impossibleCount == 0, "χ² = \(test.statistic), p = \(test.pValue)")
    }

    @Test("G₁ − G₂ follows the two-sided geometric law, tails included")
    func twoSidedLaw() {
        let x = 0.5, q = exp(-0.5), reach = 10
        var generator = SeededGenerator(seed: 42)
        // Cells: z ≤ −reach, each z in (−reach, reach), z ≥ reach.
        var observed = [Int](repeating: 0, count: 2 * reach + 1)
        for _ in 0..<100_000 {
            observed[min(max(GeometricCount.twoSided(ratioExponent: x, using: &generator), -reach), reach) + reach] += 1
        }
        let tail = pow(q, Double(reach)) / (1 + q)
        let expected = (-reach...reach).map { z in abs(z) == reach ? tail : (1 - q) / (1 + q) * pow(q, Double(abs(z))) }
        #expect(abs(expected.reduce(0, +) - 1) < 1e-12)
        let test = ChiSquareTest(observed: observed, expectedProbabilities: expected)
        #expect(test.pValue > Self.alpha && test.impossibleCount == 0, "χ² = \(test.statistic), p = \(test.pValue)")
    }

    /// Σ_w base[w]·P(rank_w(y)) with ranks by brute force: w first, then by (distance, id).
    static func composedLaw(base: [Double], store: EmbeddingStore, rankLaw: [Double]) -> [Double] {
        var law = [Double](repeating: 0, count: store.count)
        for (w, weight) in base.enumerated() where weight > 0 {
            let others = (0..<store.count).filter { $0 != w }.sorted {
                (store.distance(between: w, and: $0), $0) < (store.distance(between: w, and: $1), $1)
            }
            for (rank, y) in ([w] + others).enumerated() { law[y] += weight * rankLaw[rank] }
        }
        return law
    }

    static func counts(_ mechanism: some WordMechanism, decoder: some NeighborIndex, input: Int, seed: UInt64) throws -> [Int] {
        let privatizer = try Privatizer(mechanism: mechanism, decoder: decoder)
        var generator = SeededGenerator(seed: seed)
        var counts = [Int](repeating: 0, count: decoder.store.count)
        for output in privatizer.privatize([MechanismInput](repeating: .word(input), count: 100_000), using: &generator) {
            counts[output!] += 1
        }
        return counts
    }

    /// χ² of `ranked`'s outputs for `input` (100,000 draws from `seed`)
    /// against the composed law of `base` and `rankLaw`, at α / `tests`.
    static func expectComposedLaw(
        _ ranked: RankSoftmaxPostProcessing, base: [Double], rankLaw: [Double], resources: VocabularyResources,
        input: Int, seed: UInt64, tests: Int, _ label: String
    ) throws {
        let expected = composedLaw(base: base, store: resources.vocabulary, rankLaw: rankLaw)
        let test = ChiSquareTest(observed: try counts(ranked, decoder: resources.index, input: input, seed: seed),
                                 expectedProbabilities: expected)
        #expect(test.pValue > alpha / Double(tests) && test.impossibleCount == 0,
                "\(label): χ² = \(test.statistic), df = \(test.degreesOfFreedom), p = \(test.pValue)")
    }

    @Test("SanText then rank-softmax: the composed law, ranks deep past the neighbour table included")
    func afterSanText() throws {
        let santext = try SanTextMechanism(epsilon: 2, resources: T.resources)
        // c·ε = 0.04: ranks spread over the whole vocabulary, far past the table's width.
        let ranked = try RankSoftmaxPostProcessing(base: santext, c: 0.02, resources: T.resources)
        #expect(ranked.table.width < 40 && Self.truncatedGeometric(0.04, count: 80)[ranked.table.width...].reduce(0, +) > 0.2)
        let inputs = [3, 57]
        for (offset, x) in inputs.enumerated() {
            try Self.expectComposedLaw(ranked, base: santext.probabilities(.word(x)),
                                       rankLaw: Self.truncatedGeometric(0.04, count: T.store.count), resources: T.resources,
                                       input: x, seed: 60 + UInt64(offset), tests: inputs.count, "input \(x)")
        }
    }

    /// T3's vocabulary {0, 1, 3, 7}.
    static let toy = MultivariateLaplaceMechanismTests.toy
    static let toyResources = VocabularyResources(vocabulary: toy)

    @Test("Laplace (a point to decode) and Vickrey at t = 0 (a continuation) then rank-softmax: T3's law re-ranked")
    func afterDecoding() throws {
        let laplace = try MultivariateLaplaceMechanism(epsilon: 1, store: Self.toy)
        let vickrey = try VickreyMechanism(epsilon: 1, t: 0, store: Self.toy)
        let rankLaw = Self.truncatedGeometric(0.5, count: 4)
        let cases: [(any WordMechanism, Int)] = [(laplace, 0), (laplace, 2), (vickrey, 1), (vickrey, 3)]
        for (offset, (base, x)) in cases.enumerated() {
            let ranked = try RankSoftmaxPostProcessing(base: base, c: 0.5, resources: Self.toyResources)
            let t3 = MultivariateLaplaceMechanismTests.exactProbabilities(points: [0, 1, 3, 7], input: [0.0, 1, 3, 7][x], epsilon: 1)
            try Self.expectComposedLaw(ranked, base: t3, rankLaw: rankLaw, resources: Self.toyResources,
                                       input: x, seed: 70 + UInt64(offset), tests: cases.count, "\(base.name) input \(x)")
        }
    }

    /// The distance cap's output is the nearest word of the input's ball
    /// to z = x + N: in one dimension, T3's law over the ball's points. Its
    /// search is a continuation among the ball's words, and rank-softmax must
    /// re-rank every output it leads to.
    @Test("truncated Laplace with a distance cap (a search among a ball's words) then rank-softmax: the composed law")
    func afterBallSearch() throws {
        let capped = try TruncatedLaplaceMechanism(epsilon: 1, cap: .outputDistance(2.5), store: Self.toy)
        let ranked = try RankSoftmaxPostProcessing(base: capped, c: 0.5, resources: Self.toyResources)
        let rankLaw = Self.truncatedGeometric(0.5, count: 4)
        // Balls of radius 2.5 around 1 and 3: {0, 1, 3} and {1, 3}.
        let cases: [(input: Int, ball: [Int])] = [(1, [0, 1, 2]), (2, [1, 2])]
        let points = [0.0, 1, 3, 7]
        for (offset, (x, ball)) in cases.enumerated() {
            let inBall = MultivariateLaplaceMechanismTests.exactProbabilities(points: ball.map { points[$0] }, input: points[x], epsilon: 1)
            var base = [Double](repeating: 0, count: 4)
            for (word, probability) in zip(ball, inBall) { base[word] = probability }
            try Self.expectComposedLaw(ranked, base: base, rankLaw: rankLaw, resources: Self.toyResources,
                                       input: x, seed: 80 + UInt64(offset), tests: cases.count, "input \(x)")
        }
    }

    @Test("the guarantee is the base mechanism's; the report names the step; no guarantee, no post-processing")
    func guaranteeAndReport() throws {
        let laplace = try MultivariateLaplaceMechanism(epsilon: 3, store: T.store)
        let ranked = try RankSoftmaxPostProcessing(base: laplace, c: 0.7, resources: T.resources)
        #expect(ranked.guarantee == laplace.guarantee && ranked.name == "laplace+rank-softmax")
        #expect(ranked.parameters == ["epsilon": 3, "rank_c": 0.7])
        #expect(ranked.claimedLoss(between: 1, and: 2, in: T.store) == laplace.claimedLoss(between: 1, and: 2, in: T.store))
        let reported = RunReport.Mechanism(ranked)
        #expect(reported.postProcessing?.count == 1 && reported.postProcessing![0].contains("c = 0.7"))
        #expect(RunReport.Mechanism(laplace).postProcessing == nil)
        #expect(throws: MechanismError.self) { try RankSoftmaxPostProcessing(base: IdentityMechanism(), c: 1, resources: T.resources) }
        #expect(throws: MechanismError.self) { try RankSoftmaxPostProcessing(base: laplace, c: 0, resources: T.resources) }
    }
}
