import Foundation
import Testing
@testable import DPText

/// Mechanisms.md §3 and §9 (T1, T2 on the truncated variants; δ against the
/// incomplete gamma). Fixed seeds, m = 10⁵, α = 10⁻⁴ per test.
@Suite("Truncated Laplace mechanism")
struct TruncatedLaplaceTests {
    static let alpha = 1e-4
    static let draws = 100_000
    static let store = TestData.randomStore(count: 50, dimension: 3, seed: 12)

    /// The noise vectors `z − φ(word)` of `draws` draws.
    static func noise(_ mechanism: TruncatedLaplaceMechanism, seed: UInt64) -> [[Double]] {
        var generator = SeededGenerator(seed: seed)
        let center = store.vector(at: 0)
        return (0..<draws).map { _ in
            guard case .point(let z) = mechanism.draw(.word(0), using: &generator).outcome else { fatalError() }
            return zip(z, center).map(-)
        }
    }

    static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// The exact index keeps the balls a distance cap asks for often
    /// (`FrequentBalls`): a frequent word's ball, once its `findAt`-th token
    /// is decoded, is kept and equals the naive ball (every word within the
    /// radius, by the one distance); a ball wider than a sixteenth of the
    /// vocabulary is never kept; and the outputs are the same words whether
    /// tokens rank a kept ball or search (one seeded stream against fresh
    /// indexes', token by token).
    @Test("frequent words' balls: kept by the index, exact, only when small; the same outputs")
    func frequentWordBalls() throws {
        let store = TestData.randomStore(count: 2000, dimension: 8, seed: 21)
        let center = store.vector(at: 5)
        let distances = (0..<store.count).map { id in center.withUnsafeBufferPointer { store.squaredDistance(from: $0, to: id) } }
        let radius = distances.sorted()[60].squareRoot()
        let wide = (0..<store.count).map { store.distance(between: 7, and: $0) }.sorted()[store.count / 16 + 1]
        let index = ExactNeighborIndex(store: store)
        let ball = NeighborBall(center: center, radius: radius, member: 5)
        let mechanism = try TruncatedLaplaceMechanism(epsilon: 2, cap: .outputDistance(radius), store: store)
        let warm = try Privatizer(mechanism: mechanism, decoder: index)
        var generator = SeededGenerator(seed: 3)
        for token in 1...FrequentBalls.findAt(dimension: store.dimension) {
            #expect(index.keptWords(of: ball) == nil, "before token \(token)")
            _ = warm.privatize([.word(5)], using: &generator)
        }
        #expect(index.keptWords(of: ball) == (0..<store.count).filter { distances[$0] <= radius * radius })
        #expect((index.keptWords(of: ball)?.count ?? 0) >= 61)
        let wideMechanism = try TruncatedLaplaceMechanism(epsilon: 2, cap: .outputDistance(wide), store: store)
        let wideWarm = try Privatizer(mechanism: wideMechanism, decoder: index)
        _ = wideWarm.privatize([MechanismInput](repeating: .word(7), count: FrequentBalls.findAt(dimension: store.dimension) + 2), using: &generator)
        #expect(index.keptWords(of: NeighborBall(center: store.vector(at: 7), radius: wide, member: 7)) == nil)

        let inputs = [MechanismInput]((0..<400).map { .word([5, 5, 9, 5, 11][$0 % 5]) })
        var first = SeededGenerator(seed: 3), second = SeededGenerator(seed: 3)
        let outputs = warm.privatize(inputs, using: &first)
        var fresh: [Int?] = []
        for input in inputs {
            // A fresh index per token never reaches findAt: every token searches.
            let once = try Privatizer(mechanism: mechanism, decoder: ExactNeighborIndex(store: store))
            fresh += once.privatize([input], using: &second)
        }
        #expect(outputs == fresh)
    }

    @Test("conditioned radius follows the Gamma law truncated to [0, R]; direction stays uniform")
    func conditionedRadius() throws {
        let (epsilon, radius) = (2.0, 1.2)  // n/ε = 1.5: the cap bites often
        let mechanism = try TruncatedLaplaceMechanism(
            epsilon: epsilon, cap: .noiseNorm(radius: radius, variant: .condition), store: Self.store)
        let samples = Self.noise(mechanism, seed: 1)
        let radii = samples.map(Self.norm)
        #expect(radii.allSatisfy { $0 <= radius + 1e-12 })
        let kept = IncompleteGamma.regularizedLower(3, epsilon * radius)
        let ks = KolmogorovSmirnovTest(sample: radii) { min(IncompleteGamma.regularizedLower(3, epsilon * $0) / kept, 1) }
        #expect(ks.pValue > Self.alpha / 2, "KS D = \(ks.statistic), p = \(ks.pValue)")
        // n = 3: the projection of the direction on a fixed axis is uniform on [−1, 1].
        let projections = samples.map { ($0[0] / Self.norm($0) + 1) / 2 }
        let direction = KolmogorovSmirnovTest(sample: projections) { min(max($0, 0), 1) }
        #expect(direction.pValue > Self.alpha / 2, "direction KS p = \(direction.pValue)")
    }

    @Test("clipped radius is the Gamma radius where below R, and R with probability δ")
    func clippedRadius() throws {
        let (epsilon, radius) = (2.0, 2.0)
        let mechanism = try TruncatedLaplaceMechanism(
            epsilon: epsilon, cap: .noiseNorm(radius: radius, variant: .clip), store: Self.store)
        let radii = Self.noise(mechanism, seed: 2).map(Self.norm)
        let atCap = radii.filter { abs($0 - radius) < 1e-9 }.count
        let delta = mechanism.delta
        let interval = ClopperPearsonInterval(successes: atCap, trials: radii.count, confidence: 1 - Self.alpha / 2)
        #expect(interval.lower <= delta && delta <= interval.upper, "\(atCap) at the cap; δ = \(delta), \(interval)")
        // Below the cap: the untruncated Gamma law, conditioned on r < R.
        let below = radii.filter { $0 < radius - 1e-9 }
        let ks = KolmogorovSmirnovTest(sample: below) {
            min(IncompleteGamma.regularizedLower(3, epsilon * $0) / (1 - delta), 1)
        }
        #expect(ks.pValue > Self.alpha / 2, "KS p = \(ks.pValue)")
    }

    @Test("δ of the norm cap is the regularized upper incomplete gamma Q(n, εR)")
    func normCapDelta() throws {
        // Closed forms: Q(1, x) = e^{−x}, Q(2, x) = (1 + x)e^{−x}, Q(3, x) = (1 + x + x²/2)e^{−x}.
        let closedForms: [(Int, (Double) -> Double)] = [
            (1, { x in exp(-x) }),
            (2, { x in (1 + x) * exp(-x) }),
            (3, { x in (1 + x + x * x / 2) * exp(-x) }),
        ]
        for (dimension, closedForm) in closedForms {
            let store = TestData.randomStore(count: 5, dimension: dimension, seed: 3)
            for (epsilon, radius) in [(1.0, 0.5), (10, 1), (23, 2)] {
                let mechanism = try TruncatedLaplaceMechanism(
                    epsilon: epsilon, cap: .noiseNorm(radius: radius, variant: .clip), store: store)
                let expected = closedForm(epsilon * radius)
                #expect(abs(mechanism.delta - expected) <= 1e-12 * max(expected, 1e-300) + 1e-300)
            }
        }
        // Mechanisms.md §3.1: for n = 300, ε = 23, R = 16.94 gives δ ≈ 10⁻⁶.
        let big = TestData.randomStore(count: 2, dimension: 300, seed: 4)
        let mechanism = try TruncatedLaplaceMechanism(
            epsilon: 23, cap: .noiseNorm(radius: 16.94, variant: .condition), store: big)
        #expect(mechanism.delta > 0.5e-6 && mechanism.delta < 2e-6, "δ = \(mechanism.delta)")
        #expect(mechanism.guarantee == .approximateMetric(epsilon: 23, delta: mechanism.delta))
    }

    @Test("the distance cap keeps every output within D, and its δ bound holds")
    func distanceCap() throws {
        let store = TestData.randomStore(count: 300, dimension: 4, seed: 5)
        let index = ExactNeighborIndex(store: store)
        let distance = 2.5, epsilon = 2.0
        let capped = try Privatizer(
            mechanism: try TruncatedLaplaceMechanism(epsilon: epsilon, cap: .outputDistance(distance), store: store),
            decoder: index)
        let plain = try Privatizer(mechanism: try MultivariateLaplaceMechanism(epsilon: epsilon, store: store), decoder: index)
        var generator = SeededGenerator(seed: 6)
        for word in [0, 17, 299] {
            let outputs = capped.privatize([MechanismInput](repeating: .word(word), count: 5000), using: &generator)
            #expect(outputs.allSatisfy { store.distance(between: word, and: $0!) <= distance })
            // With the same seed the capped and plain mechanisms agree wherever the plain output is in reach.
            var a = SeededGenerator(seed: UInt64(word)), b = SeededGenerator(seed: UInt64(word))
            let x = capped.privatize([MechanismInput](repeating: .word(word), count: 2000), using: &a)
            let y = plain.privatize([MechanismInput](repeating: .word(word), count: 2000), using: &b)
            #expect(zip(x, y).allSatisfy { store.distance(between: word, and: $1!) > distance || $0 == $1 })
        }
    }

    @Test("the distance cap's δ against the exact law in one dimension: measured on both sides, below the bound")
    func distanceCapDeltaExactly() throws {
        // Words at 0, 1, 2, 3 and 10 on a line; from 0 with D = 2.5 the words in reach are 0, 1 and 2.
        // The plain output is out of reach exactly when z > 2.5 (past the midpoint of 2 and 3), and
        // 1-D Laplace noise has P[N > a] = e^{−εa}/2: δ_0 = e^{−2.5ε}/2, against the bound Q(1, εD/2) = e^{−εD/2}.
        let store = try EmbeddingStore(words: ["a", "b", "c", "d", "far"], vectors: [0, 1, 2, 3, 10], dimension: 1)
        let index = ExactNeighborIndex(store: store)
        for epsilon in [1.5, 2.0] {
            let exact = exp(-2.5 * epsilon) / 2
            let capped = try TruncatedLaplaceMechanism(epsilon: epsilon, cap: .outputDistance(2.5), store: store)
            #expect(exact <= capped.delta && abs(capped.delta - exp(-epsilon * 2.5 / 2)) < 1e-15)
            let plain = try Privatizer(mechanism: try MultivariateLaplaceMechanism(epsilon: epsilon, store: store), decoder: index)
            var generator = SeededGenerator(seed: 61)
            let outputs = plain.privatize([MechanismInput](repeating: .word(0), count: Self.draws), using: &generator)
            let outside = outputs.filter { $0! >= 3 }.count
            let interval = ClopperPearsonInterval(successes: outside, trials: Self.draws, confidence: 1 - Self.alpha)
            #expect(interval.lower <= exact && exact <= interval.upper, "\(outside) out of reach; exact δ \(exact)")
            // The capped mechanism never leaves the ball, and keeps the plain output wherever it is in reach.
            generator = SeededGenerator(seed: 61)
            let kept = try Privatizer(mechanism: capped, decoder: index)
                .privatize([MechanismInput](repeating: .word(0), count: Self.draws), using: &generator)
            #expect(kept.allSatisfy { $0! <= 2 })
            #expect(zip(kept, outputs).allSatisfy { $1! >= 3 || $0 == $1 })
        }
    }

    /// The `--oov unk` stand-in is no word: its ball adds its nearest word u₀
    /// at r₀, and the bound becomes Q(n, ε(D − r₀)/2).
    @Test("the distance cap's δ covers the OOV stand-in, and a cap it does not fit in is refused")
    func distanceCapStandIn() throws {
        let store = TestData.randomStore(count: 300, dimension: 4, seed: 5)
        let index = ExactNeighborIndex(store: store)
        let standIn = store.outOfVocabularyStandIn
        let reach = standIn.withUnsafeBufferPointer { query in
            (0..<store.count).map { store.squaredDistance(from: query, to: $0) }.min()!.squareRoot()
        }
        let (distance, epsilon) = (2.5, 2.0)
        let wordsOnly = try TruncatedLaplaceMechanism(epsilon: epsilon, cap: .outputDistance(distance), store: store)
        let mechanism = try TruncatedLaplaceMechanism(
            epsilon: epsilon, cap: .outputDistance(distance), store: store, standIns: [standIn])
        #expect(reach > 0.05 && mechanism.standInReach == reach)
        #expect(mechanism.delta == IncompleteGamma.regularizedUpper(4, epsilon * (distance - reach) / 2))
        #expect(mechanism.delta > wordsOnly.delta && wordsOnly.standInReach == 0)
        #expect(mechanism.parameters["stand_in_reach"] == reach && wordsOnly.parameters["stand_in_reach"] == nil)
        // δ_c: the plain output falls outside B_D(c) no more often than the bound allows, and the
        // capped output is always in the ball or c's nearest word.
        let nearest = index.nearest(to: standIn, k: 1)[0].id
        let capped = try Privatizer(mechanism: mechanism, decoder: index)
        let plain = try Privatizer(mechanism: try MultivariateLaplaceMechanism(epsilon: epsilon, store: store), decoder: index)
        let inputs = [MechanismInput](repeating: .publicVector(standIn), count: 20_000)
        var a = SeededGenerator(seed: 31), b = SeededGenerator(seed: 31)
        let x = capped.privatize(inputs, using: &a), y = plain.privatize(inputs, using: &b)
        func fromStandIn(_ id: Int) -> Double {
            standIn.withUnsafeBufferPointer { store.squaredDistance(from: $0, to: id).squareRoot() }
        }
        #expect(x.allSatisfy { fromStandIn($0!) <= distance || $0 == nearest })
        let outside = y.filter { fromStandIn($0!) > distance }.count
        #expect(zip(x, y).allSatisfy { fromStandIn($1!) > distance || $0 == $1 })
        let interval = ClopperPearsonInterval(successes: outside, trials: y.count, confidence: 1 - Self.alpha)
        #expect(outside > 0 && interval.lower <= mechanism.delta, "\(outside) of \(y.count) outside; δ \(mechanism.delta)")
        // A cap the stand-in's nearest word does not fit in bounds nothing: refused, with what to do.
        #expect {
            try TruncatedLaplaceMechanism(epsilon: epsilon, cap: .outputDistance(reach * 0.99), store: store, standIns: [standIn])
        } throws: { error in
            guard case MechanismError.noGuarantee("max_distance", let message) = error else { return false }
            return message.contains("Raise D above") && message.contains("out-of-vocabulary policy")
        }
        #expect(throws: Never.self) {
            try TruncatedLaplaceMechanism(epsilon: epsilon, cap: .outputDistance(reach * 0.99), store: store)
        }
    }

    @Test("the distance cap refuses an approximate decoder in the library, not only in the CLI")
    func distanceCapNeedsExactDecoding() throws {
        let store = TestData.randomStore(count: 200, dimension: 4, seed: 9)
        let hnsw = try HNSWNeighborIndex(store: store)
        let capped = try TruncatedLaplaceMechanism(epsilon: 2, cap: .outputDistance(2), store: store)
        #expect(throws: MechanismError.needsExactDecoding(mechanism: "truncated-laplace",
                                                          reason: capped.exactDecodingRequirement!)) {
            try Privatizer(mechanism: capped, decoder: hnsw)
        }
        let normCap = try TruncatedLaplaceMechanism(epsilon: 2, cap: .noiseNorm(radius: 5, variant: .clip), store: store)
        #expect(normCap.exactDecodingRequirement == nil)
        #expect(throws: Never.self) { try Privatizer(mechanism: normCap, decoder: hnsw) }
    }

    @Test func rejectsInvalidParameters() {
        for bad in [0, -1, Double.nan, .infinity] {
            #expect(throws: MechanismError.self) {
                try TruncatedLaplaceMechanism(epsilon: bad, cap: .outputDistance(1), store: Self.store)
            }
            #expect(throws: MechanismError.self) {
                try TruncatedLaplaceMechanism(epsilon: 1, cap: .outputDistance(bad), store: Self.store)
            }
            #expect(throws: MechanismError.self) {
                try TruncatedLaplaceMechanism(epsilon: 1, cap: .noiseNorm(radius: bad, variant: .clip), store: Self.store)
            }
        }
    }
}
