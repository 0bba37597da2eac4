import Foundation
import Testing
@testable import DPText

/// Mechanisms.md §9 T5 and T6: the exponential-mechanism family (TEM,
/// SanText, SanText+, CusText, CusText+) against its closed-form output
/// tables on small stores — χ² with fixed seeds, m = 10⁵ draws per input,
/// α = 10⁻⁴ Bonferroni-corrected over the inputs — and the privacy bound
/// checked on those tables.
enum ExponentialFamilyTesting {
    static let alpha = 1e-4
    static let draws = 100_000

    /// 80 Gaussian words in 3 dimensions, with a scale that spreads them over a few units.
    static let store: EmbeddingStore = {
        let base = TestData.randomStore(count: 80, dimension: 3, seed: 77)
        return try! EmbeddingStore(words: base.words, vectors: base.vectors.map { $0 * 1.5 }, dimension: 3)
    }()
    static let resources = VocabularyResources(vocabulary: store)

    /// The neighbour table of `width` with every word's distances: narrow tables exercise the tail.
    static func neighbors(width: Int, targets: Range<Int>? = nil) -> NeighborDistances {
        NeighborDistances(table: NeighborTable(index: resources.index, width: width, targets: targets), store: store)
    }

    /// Output counts of `draws` draws of `mechanism` for `input`.
    static func counts(_ mechanism: some WordMechanism, _ input: MechanismInput, seed: UInt64,
                       draws: Int = draws) throws -> [Int] {
        let privatizer = try Privatizer(mechanism: mechanism, decoder: resources.index)
        var generator = SeededGenerator(seed: seed)
        var counts = [Int](repeating: 0, count: store.count)
        for output in privatizer.privatize([MechanismInput](repeating: input, count: draws), using: &generator) {
            counts[output!] += 1
        }
        return counts
    }

    /// χ² of the counts of each input against its exact table, Bonferroni over the inputs.
    static func expectFits(_ mechanism: some WordMechanism, inputs: [MechanismInput], exact: (MechanismInput) -> [Double],
                           seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (offset, input) in inputs.enumerated() {
            let observed = try counts(mechanism, input, seed: seed + UInt64(offset))
            let test = ChiSquareTest(observed: observed, expectedProbabilities: exact(input))
            #expect(test.pValue > alpha / Double(inputs.count) && test.impossibleCount == 0,
                    "\(mechanism.name) input \(input): χ² = \(test.statistic), df = \(test.degreesOfFreedom), p = \(test.pValue)",
                    sourceLocation: sourceLocation)
        }
    }

    /// max over ordered pairs (x, x′) with a claim and over outputs y of ln(P[y|x]/P[y|x′]) / claim(x, x′).
    static func worstLossRatio(_ mechanism: some WordMechanism, exact: (MechanismInput) -> [Double],
                               claim: (Int, Int) -> Double?) -> Double {
        let tables = (0..<store.count).map { exact(.word($0)) }
        var worst = 0.0
        for x in 0..<store.count {
            for x2 in 0..<store.count where x != x2 {
                guard let allowed = claim(x, x2) else { continue }
                for y in 0..<store.count where tables[x][y] > 0 {
                    worst = max(worst, tables[x2][y] == 0 ? .infinity : log(tables[x][y] / tables[x2][y]) / allowed)
                }
            }
        }
        return worst
    }
}

@Suite("TEM (T5, T6)")
struct TruncatedExponentialMechanismTests {
    typealias T = ExponentialFamilyTesting

    /// TEM literally, as the paper states it (the test's own reference):
    /// exact radius search by brute force, Gumbel-max over L_x and ⊥, a
    /// uniform word of the complement when ⊥ wins.
    static func literalTEM(_ x: Int, epsilon: Double, gamma: Double, using generator: inout SeededGenerator) -> Int {
        let store = T.store
        let distances = (0..<store.count).map { store.distance(between: x, and: $0) }
        let inside = distances.indices.filter { distances[$0] <= gamma }
        let outside = distances.indices.filter { distances[$0] > gamma }
        func gumbel() -> Double { -log(-log(Double.random(in: Double.ulpOfOne..<1, using: &generator))) * 2 / epsilon }
        var best = -1, bestScore = -Double.infinity
        for w in inside {
            let score = -distances[w] + gumbel()
            if score > bestScore { (best, bestScore) = (w, score) }
        }
        if !outside.isEmpty, -gamma + 2 / epsilon * log(Double(outside.count)) + gumbel() > bestScore {
            return outside.randomElement(using: &generator)!
        }
        return best
    }

    @Test("the sampler and the literal ⊥ construction both follow exp(−(ε/2)·min(d, γ)) (χ²)",
          arguments: [(1.0, 3), (4.0, 3), (4.0, 79), (12.0, 5)])
    func followsTheClosedForm(epsilon: Double, width: Int) throws {
        let tem = try TruncatedExponentialMechanism(epsilon: epsilon, beta: 0.05, store: T.store,
                                                    neighbors: T.neighbors(width: width))
        let inputs: [MechanismInput] = [.word(0), .word(17), .word(79), .publicVector(T.store.outOfVocabularyStandIn)]
        try T.expectFits(tem, inputs: inputs, exact: tem.probabilities, seed: 1)
        // The closed form is the exponential mechanism with utility −min(d, γ), computed here independently.
        let gamma = TruncatedExponentialMechanism.radius(epsilon: epsilon, beta: 0.05, wordCount: T.store.count)
        #expect(gamma == tem.gamma)
        let weights = (0..<T.store.count).map { exp(-epsilon / 2 * min(T.store.distance(between: 17, and: $0), gamma)) }
        let total = weights.reduce(0, +)
        for (p, q) in zip(tem.probabilities(.word(17)), weights.map { $0 / total }) { #expect(abs(p - q) < 1e-12) }
        // T6: the literal construction matches the same table.
        var generator = SeededGenerator(seed: 2)
        var literal = [Int](repeating: 0, count: T.store.count)
        for _ in 0..<T.draws / 4 { literal[Self.literalTEM(17, epsilon: epsilon, gamma: gamma, using: &generator)] += 1 }
        let test = ChiSquareTest(observed: literal, expectedProbabilities: tem.probabilities(.word(17)))
        #expect(test.pValue > T.alpha && test.impossibleCount == 0, "literal TEM: p = \(test.pValue)")
    }

    @Test("ε·d: the exact tables' worst loss ratio is at most 1; P(⊥) ≤ β; outside L_x is uniform")
    func privacyAndTail() throws {
        for epsilon in [0.5, 3.0, 10.0] {
            let tem = try TruncatedExponentialMechanism(epsilon: epsilon, beta: 0.01, store: T.store, neighbors: T.neighbors(width: 4))
            let worst = T.worstLossRatio(tem, exact: tem.probabilities) { epsilon * T.store.distance(between: $0, and: $1) }
            #expect(worst <= 1 + 1e-9 && worst > 0.3, "ε = \(epsilon): worst ratio \(worst)")
            for x in [0, 40, 79] {
                let p = tem.probabilities(.word(x))
                let outside = (0..<T.store.count).filter { T.store.distance(between: x, and: $0) > tem.gamma }
                let tail = outside.reduce(0) { $0 + p[$1] }
                #expect(tail <= 0.01 + 1e-12, "P(⊥) = \(tail)")
                if let first = outside.first { #expect(outside.allSatisfy { abs(p[$0] - p[first]) <= 1e-15 }) }
            }
        }
    }

    @Test func rejectsInvalidParameters() {
        let neighbors = T.neighbors(width: 3)
        for bad in [0, -1, Double.nan, .infinity] {
            #expect(throws: MechanismError.self) {
                try TruncatedExponentialMechanism(epsilon: bad, store: T.store, neighbors: neighbors)
            }
        }
        for bad in [0, 1, -0.5, 1.5] {
            #expect(throws: MechanismError.invalidParameter(name: "beta", requirement: "a number in (0, 1)", value: bad)) {
                try TruncatedExponentialMechanism(epsilon: 1, beta: bad, store: T.store, neighbors: neighbors)
            }
        }
        #expect(throws: MechanismError.self) {
            try TruncatedExponentialMechanism(epsilon: 1, beta: .nan, store: T.store, neighbors: neighbors)
        }
    }
}

@Suite("SanText and SanText+ (T5)")
struct SanTextTests {
    typealias T = ExponentialFamilyTesting

    @Test("SanText follows exp(−(ε/2)·d) over the vocabulary (χ²), and its worst loss ratio is at most 1",
          arguments: [(0.8, 3), (5.0, 2), (5.0, 79)])
    func sanText(epsilon: Double, width: Int) throws {
        let santext = try SanTextMechanism(epsilon: epsilon, store: T.store, neighbors: T.neighbors(width: width))
        try T.expectFits(santext, inputs: [.word(3), .word(55), .publicVector(T.store.outOfVocabularyStandIn)],
                         exact: santext.probabilities, seed: 10)
        let weights = (0..<T.store.count).map { exp(-epsilon / 2 * T.store.distance(between: 55, and: $0)) }
        let total = weights.reduce(0, +)
        for (p, q) in zip(santext.probabilities(.word(55)), weights) { #expect(abs(p - q / total) < 1e-12) }
        let worst = T.worstLossRatio(santext, exact: santext.probabilities) { epsilon * T.store.distance(between: $0, and: $1) }
        #expect(worst <= 1 + 1e-9 && worst > 0.3, "worst ratio \(worst)")
    }

    @Test("SanText+: sensitive words always sampled from V_S, others kept with probability 1 − p (χ², counted)")
    func sanTextPlus() throws {
        let (epsilon, fraction, p) = (3.0, 0.4, 0.3)
        let start = T.store.count - 32
        let plus = try SanTextPlusMechanism(epsilon: epsilon, sensitiveFraction: fraction, sampleProbability: p,
                                            store: T.store, neighbors: T.neighbors(width: 4, targets: start..<T.store.count))
        #expect(plus.sensitiveStart == start)
        try T.expectFits(plus, inputs: [.word(2), .word(60), .publicVector(T.store.outOfVocabularyStandIn)],
                         exact: plus.probabilities, seed: 20)
        // The table: outputs in V_S by SanText's kernel (times p for a non-sensitive input), plus 1 − p on itself.
        let table = plus.probabilities(.word(2))
        #expect(abs(table[2] - (1 - p)) < 1e-12 && (0..<start).allSatisfy { $0 == 2 || table[$0] == 0 })
        let kernel = (start..<T.store.count).map { exp(-epsilon / 2 * T.store.distance(between: 2, and: $0)) }
        let total = kernel.reduce(0, +)
        for (y, weight) in zip(start..<T.store.count, kernel) { #expect(abs(table[y] - p * weight / total) < 1e-12) }
        // ε·d among sensitive words; nothing claimed for the others.
        let worst = T.worstLossRatio(plus, exact: plus.probabilities) { plus.claimedLoss(between: $0, and: $1, in: T.store) }
        #expect(worst <= 1 + 1e-9 && worst > 0.3)
        #expect(plus.claimedLoss(between: 2, and: 60, in: T.store) == nil)
        guard case .partial(.pureMetric(epsilon), _, _) = plus.guarantee else { Issue.record("\(plus.guarantee)"); return }
        // Kept tokens are counted as unprotected.
        let privatizer = try Privatizer(mechanism: plus, decoder: T.resources.index)
        var generators = [SeededGenerator(seed: 21)], unprotected = [0]
        let outputs = privatizer.privatize(records: [[MechanismInput](repeating: .word(2), count: 10_000)],
                                           generators: &generators, unprotected: &unprotected)[0]
        #expect(unprotected[0] == outputs.filter { $0 == 2 }.count)
        let kept = ClopperPearsonInterval(successes: unprotected[0], trials: 10_000, confidence: 1 - T.alpha)
        #expect(kept.lower <= 1 - p && 1 - p <= kept.upper)
    }

    @Test("a word at exactly the envelope's radius but not listed is in the tail, a listed one is not (χ²)")
    func tieAtTheRadius() throws {
        // Word 80 repeats word 41's vector: from word 3 they are at one distance, and a table
        // row that ends at 41 (ties by lower id) leaves 80 out — the sampler must tell them apart.
        let base = T.store
        let store = try EmbeddingStore(words: base.words + ["twin"], vectors: base.vectors + base.vector(at: 41).map(Float.init),
                                       dimension: base.dimension)
        let order = (0..<store.count).filter { $0 != 3 }
            .sorted { (store.squaredDistance(between: 3, and: $0), $0) < (store.squaredDistance(between: 3, and: $1), $1) }
        let width = order.firstIndex(of: 41)! + 1
        #expect(order[width] == 80 && store.squaredDistance(between: 3, and: 80) == store.squaredDistance(between: 3, and: 41))
        let table = NeighborTable(index: ExactNeighborIndex(store: store), width: width)
        #expect(table.neighbors(of: 3).last == 41)
        let santext = try SanTextMechanism(epsilon: 2, store: store, neighbors: NeighborDistances(table: table, store: store))
        let privatizer = try Privatizer(mechanism: santext, decoder: ExactNeighborIndex(store: store))
        var generator = SeededGenerator(seed: 12)
        var counts = [Int](repeating: 0, count: store.count)
        for output in privatizer.privatize([MechanismInput](repeating: .word(3), count: T.draws), using: &generator) {
            counts[output!] += 1
        }
        let test = ChiSquareTest(observed: counts, expectedProbabilities: santext.probabilities(.word(3)))
        #expect(test.pValue > T.alpha && test.impossibleCount == 0, "χ² = \(test.statistic), p = \(test.pValue)")
    }

    @Test("a word whose weight underflows (e^{−1000} relative) is still drawn when the noise says so")
    func underflowedWordCanBeDrawn() throws {
        // Words at 0, 1 and 2000 on a line; from the first, the last has weight e^{−1000} at ε = 1 —
        // 0 in floating point, so a sampler that weighs in floating point can never output it.
        let store = try EmbeddingStore(words: ["a", "b", "far"], vectors: [0, 1, 2000], dimension: 1)
        let table = NeighborTable(index: ExactNeighborIndex(store: store), width: 1)
        let santext = try SanTextMechanism(epsilon: 1, store: store, neighbors: NeighborDistances(table: table, store: store))
        let sampler = santext.sampler
        var candidates = [Int32](repeating: 0, count: 2)[...], cumulative = [UInt64](repeating: 0, count: 2)[...]
        var exponents = [Double](repeating: 0, count: 2)[...]
        let shape = NeighborEnvelopeSampler.envelope(
            ids: [0, 1], distances: [0, 1], epsilon: 1, cost: .distance, outputs: 0..<3, scale: sampler.scale,
            candidates: &candidates, cumulative: &cumulative, exponents: &exponents)
        // The uniform integer that proposes "far" (the tail's third word), as Lemire's method reads it.
        let target = shape.inside + 2 * shape.tailWeight
        let word = shape.total.dividingFullWidth((high: target, low: .max)).quotient
        // Eight tries proposing "far", then a uniform U below 2^s·e^{−1000}/Q_b: 1,500 leading zero bits.
        var scripted = ExactExponentialTests.ScriptedGenerator(words: Array(repeating: word, count: 8)
                                                                  + Array(repeating: 0, count: 40))
        #expect(sampler.sample(.word(0), using: &scripted) == 2)
        // Its exact probability is e^{−1000}/Z: positive, though not a double.
        #expect(exp(-1000.0) == 0 && santext.probabilities(.word(0))[2] == 0)
    }

    @Test func rejectsInvalidParameters() {
        let neighbors = T.neighbors(width: 3)
        #expect(throws: MechanismError.self) { try SanTextMechanism(epsilon: 0, store: T.store, neighbors: neighbors) }
        for bad in [0, -0.1, 1.5, Double.nan] {
            #expect(throws: MechanismError.self) {
                try SanTextPlusMechanism(epsilon: 1, sensitiveFraction: bad, store: T.store, neighbors: neighbors)
            }
        }
        for bad in [-0.1, 1.5, Double.nan] {
            #expect(throws: MechanismError.self) {
                try SanTextPlusMechanism(epsilon: 1, sampleProbability: bad, store: T.store, neighbors: neighbors)
            }
        }
    }
}

@Suite("CusText and CusText+ (T5)")
struct CusTextTests {
    typealias T = ExponentialFamilyTesting

    /// The conservative mapping, naively: for each free word in order, sort every free word by distance.
    static func naivePartition(groupSize: Int, eligible: [Bool]) -> [Set<Int>] {
        var free = eligible
        var groups: [Set<Int>] = []
        for word in 0..<T.store.count where free[word] {
            free[word] = false
            let others = (0..<T.store.count).filter { free[$0] }
                .sorted { (T.store.distance(between: word, and: $0), $0) < (T.store.distance(between: word, and: $1), $1) }
                .prefix(groupSize - 1)
            for other in others { free[other] = false }
            groups.append(Set([word] + others))
        }
        return groups
    }

    static func groups(_ partition: VocabularyPartition) -> [Set<Int>] {
        (0..<partition.groupCount).map { g in Set(partition.members[partition.starts[g]..<partition.starts[g + 1]].map(Int.init)) }
    }

    @Test("the partition equals the naive conservative mapping (with a table of any width, or none)",
          arguments: [nil, 1, 3, 79] as [Int?])
    func partitionIsExact(width: Int?) {
        let table = width.map { NeighborTable(index: T.resources.index, width: $0) }
        for (size, eligible) in [(20, nil), (7, (0..<80).map { $0 % 5 != 0 }), (1, nil)] as [(Int, [Bool]?)] {
            let partition = VocabularyPartition(index: T.resources.index, table: table, groupSize: size, eligible: eligible)
            let expected = Self.naivePartition(groupSize: size, eligible: eligible ?? [Bool](repeating: true, count: 80))
            #expect(Self.groups(partition) == expected, "K = \(size), width \(String(describing: width))")
            #expect(expected.dropLast().allSatisfy { $0.count == size })
        }
    }

    @Test("CusText follows exp(ε·u/2) inside the group (χ²); ε-DP within groups, no claim across")
    func cusText() throws {
        for epsilon in [1.0, 6.0] {
            let custext = try CusTextMechanism(epsilon: epsilon, groupSize: 8, resources: T.resources)
            try T.expectFits(custext, inputs: [.word(0), .word(33), .word(79)], exact: custext.probabilities, seed: 30)
            for x in [0, 33] {
                let group = custext.partition.group(of: x)!.map(Int.init)
                let distances = group.map { T.store.distance(between: x, and: $0) }
                let (low, high) = (distances.min()!, distances.max()!)
                let weights = distances.map { exp(-epsilon / 2 * ($0 - low) / (high - low)) }
                let total = weights.reduce(0, +)
                let table = custext.probabilities(.word(x))
                for (y, weight) in zip(group, weights) { #expect(abs(table[y] - weight / total) < 1e-12) }
                #expect(table.enumerated().allSatisfy { group.contains($0.offset) || $0.element == 0 })
            }
            let worst = T.worstLossRatio(custext, exact: custext.probabilities) { custext.claimedLoss(between: $0, and: $1, in: T.store) }
            #expect(worst <= 1 + 1e-9 && worst > 0.5, "worst ratio \(worst)")
            #expect(custext.claimedLoss(between: 0, and: custext.partition.group(of: 0)!.map(Int.init).max()!, in: T.store) == epsilon)
            #expect(custext.guarantee == .pureWithinGroups(epsilon: epsilon, groupSize: 8))
        }
    }

    @Test("CusText+ passes stopwords through, unprotected, and never outputs one")
    func cusTextPlus() throws {
        let stopwords: Set = ["w1", "w5", "w9"]
        let plus = try CusTextPlusMechanism(epsilon: 2, groupSize: 6, resources: T.resources, stopwords: stopwords)
        #expect(plus.stopwordCount == 3)
        let privatizer = try Privatizer(mechanism: plus, decoder: T.resources.index)
        var generators = [SeededGenerator(seed: 40)], unprotected = [0]
        let inputs = (0..<80).flatMap { [MechanismInput](repeating: .word($0), count: 50) }
        let outputs = privatizer.privatize(records: [inputs], generators: &generators, unprotected: &unprotected)[0]
        let stopwordIDs = stopwords.map { T.store.id(of: $0)! }
        #expect(unprotected[0] == 150)
        for (input, output) in zip(inputs, outputs) {
            guard case .word(let id) = input else { continue }
            if stopwordIDs.contains(id) { #expect(output == id) } else { #expect(!stopwordIDs.contains(output!)) }
        }
        guard case .partial(.pureWithinGroups(2, 6), _, _) = plus.guarantee else { Issue.record("\(plus.guarantee)"); return }
    }

    @Test func rejectsInvalidParameters() {
        #expect(throws: MechanismError.self) { try CusTextMechanism(epsilon: -1, groupSize: 5, resources: T.resources) }
        #expect(throws: MechanismError.invalidParameter(name: "top_k", requirement: "a whole number in [2, 1000]", value: 0)) {
            try CusTextMechanism(epsilon: 1, groupSize: 0, resources: T.resources)
        }
    }
}
