import Foundation
import Testing
@testable import DPText

/// Mechanisms.md §10 and T14: the attacks' success against values worked
/// out by hand, the split-sample estimator against the exact value, and
/// the shadow attack's table on a mechanism whose answer is known.
@Suite("Reconstruction attacks (T14)")
struct AttackTests {
    /// Three words on a line, at 0, 1 and 3.
    static let line = try! EmbeddingStore(words: ["a", "b", "c"], vectors: [0, 1, 3], dimension: 1)
    static let lineResources = VocabularyResources(vocabulary: line)

    /// Σ_y max_x π(x)·P(y | x) for a table `p[x][y]` (the test's own arithmetic).
    static func asr(_ p: [[Double]], prior: [Double]) -> Double {
        (0..<p.count).map { y in (0..<p.count).map { x in prior[x] * p[x][y] }.max()! }.reduce(0, +)
    }

    /// Rows of exp(−weights) normalized.
    static func normalizedRows(_ exponents: [[Double]]) -> [[Double]] {
        exponents.map { row in
            let w = row.map { exp(-$0) }
            return w.map { $0 / w.reduce(0, +) }
        }
    }

    /// SanText at ε = 2 on {0, 1, 3}: P(y | x) ∝ e^{−|x − y|}.
    static let sanTextTable = normalizedRows([[0, 1, 3], [1, 0, 2], [3, 2, 0]])

    @Test("SanText's ASR on three words equals the sum of the hand table's column maxima")
    func sanTextByHand() throws {
        let santext = try SanTextMechanism(epsilon: 2, resources: Self.lineResources)
        // Column maxima of the table: y = a from x = a, y = b from x = b, y = c from x = c.
        let table = Self.sanTextTable
        let uniform = ReconstructionAttack.exact(law: santext, prior: .uniform(wordCount: 3, words: 3), outputs: 3)
        let byHand = (table[0][0] + table[1][1] + table[2][2]) / 3
        #expect(abs(uniform.asr - byHand) < 1e-12 && abs(uniform.asr - Self.asr(table, prior: [1, 1, 1].map { $0 / 3 })) < 1e-12)
        #expect(abs(uniform.unchanged - byHand) < 1e-12)  // here the Bayes guess is the output itself
        // A prior that favours a: now y = b is best explained by a, and y = c still by c.
        let prior = [0.8, 0.1, 0.1]
        #expect(prior[0] * table[0][1] > prior[1] * table[1][1] && prior[2] * table[2][2] > prior[0] * table[0][2])
        let skewed = ReconstructionAttack.exact(law: santext, prior: .counts([8, 1, 1], name: "counts", words: 3), outputs: 3)
        let skewedByHand = prior[0] * table[0][0] + prior[0] * table[0][1] + prior[2] * table[2][2]
        #expect(abs(skewed.asr - skewedByHand) < 1e-12, "\(skewed.asr) vs \(skewedByHand)")
        let unchanged = prior[0] * table[0][0] + prior[1] * table[1][1] + prior[2] * table[2][2]
        #expect(abs(skewed.unchanged - unchanged) < 1e-12 && skewed.asr > skewed.unchanged)
        #expect(skewed.method == "exact" && skewed.low == skewed.asr && skewed.high == skewed.asr)
        // Zipf over the store's order: π ∝ (1, 1/2, 1/3).
        let zipf = ReconstructionAttack.exact(law: santext, prior: .zipf(wordCount: 3, words: 3), outputs: 3)
        #expect(abs(zipf.asr - Self.asr(table, prior: [6.0, 3, 2].map { $0 / 11 })) < 1e-12)
    }

    @Test("TEM's ASR on three words equals the hand table's, with its truncation radius")
    func temByHand() throws {
        // γ = (2/ε)·ln((1 − β)(V − 1)/β) = 1.5 at ε = 2, V = 3: β = 2/(e^{1.5} + 2).
        let beta = 2 / (exp(1.5) + 2)
        let tem = try TruncatedExponentialMechanism(epsilon: 2, beta: beta, resources: Self.lineResources)
        #expect(abs(tem.gamma - 1.5) < 1e-12)
        // P(y | x) ∝ exp(−(ε/2)·min(d, γ)) = exp(−min(d, 1.5)).
        let table = Self.normalizedRows([[0, 1, 1.5], [1, 0, 1.5], [1.5, 1.5, 0]])
        let prior = [0.5, 0.3, 0.2]
        let counts = WordPrior.counts([5, 3, 2], name: "counts", words: 3)
        let exact = ReconstructionAttack.exact(law: tem, prior: counts, outputs: 3)
        #expect(abs(exact.asr - Self.asr(table, prior: prior)) < 1e-12, "\(exact.asr)")
        let unchanged = (0..<3).reduce(0.0) { $0 + prior[$1] * table[$1][$1] }
        #expect(abs(exact.unchanged - unchanged) < 1e-12)
    }

    @Test("the split-sample estimate finds the exact ASR within its interval; the plug-in lies above")
    func splitSampleAgainstExact() throws {
        let santext = try SanTextMechanism(epsilon: 2, resources: Self.lineResources)
        let privatizer = try Privatizer(mechanism: santext, decoder: Self.lineResources.index)
        let prior = WordPrior.counts([8, 1, 1], name: "counts", words: 3)
        let exact = ReconstructionAttack.exact(law: santext, prior: prior, outputs: 3).asr
        // 20,000 draws per word: the interval's half-width is about 0.004; the test allows none beyond it.
        let estimate = ReconstructionAttack.estimated(privatizer: privatizer, prior: prior, draws: 40_000, seed: 5)
        #expect(estimate.low <= exact && exact <= estimate.high, "\(estimate) vs \(exact)")
        #expect(estimate.high - estimate.low < 0.01 && estimate.method == "split-sample")
    }

    @Test("with few draws the plug-in overestimates the ASR and the split-sample estimate does not")
    func pluginBias() throws {
        let store = ExponentialFamilyTesting.store, resources = ExponentialFamilyTesting.resources
        let santext = try SanTextMechanism(epsilon: 1, resources: resources)
        let prior = WordPrior.uniform(wordCount: store.count, words: store.count)
        let exact = ReconstructionAttack.exact(law: santext, prior: prior, outputs: store.count)
        let privatizer = try Privatizer(mechanism: santext, decoder: resources.index)
        let estimate = ReconstructionAttack.estimated(privatizer: privatizer, prior: prior, draws: 20, seed: 9)
        // 20 draws per word over 80 outputs: the maximum of noisy counts is far above the truth
        // (2.2 times it with this seed; the split-sample interval is about ±0.02 wide).
        #expect(estimate.plugin > 1.5 * exact.asr, "plug-in \(estimate.plugin), exact \(exact.asr)")
        // The cross-fitted score is a real attack's: at most the ASR, up to its own noise.
        #expect(estimate.asr <= exact.asr + (estimate.high - estimate.asr), "\(estimate) vs \(exact.asr)")
        // And the exact unchanged fraction is estimated without bias.
        #expect(abs(estimate.unchanged - exact.unchanged) < 4 * (exact.unchanged / Double(20 * store.count)).squareRoot())
    }

    /// A mechanism that always outputs the next word (a known answer for the shadow attack).
    struct NextWord: WordMechanism {
        let count: Int
        var name: String { "next-word" }
        var parameters: [String: Double] { [:] }
        var guarantee: PrivacyGuarantee { .pureMetric(epsilon: 1) }
        func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
            guard case .word(let id) = input else { return .input }
            return .word((id + 1) % count)
        }
    }

    @Test("the shadow attack learns output → input from the even lines and recovers the odd lines")
    func shadowAttack() throws {
        let store = ExponentialFamilyTesting.store
        let words = store.words.prefix(6)
        // Even and odd lines hold the same words, so the table covers every output the release has.
        let lines = (0..<10).map { line in
            var generator = SeededGenerator(seed: UInt64(line))
            return Array(words.shuffled(using: &generator).joined(separator: " ").utf8)
        }
        let shifted = try Privatizer(mechanism: NextWord(count: store.count), decoder: ExponentialFamilyTesting.resources.index)
        let result = ShadowAttack.measure(lines: lines, vocabulary: store, privatizer: shifted, seed: 1)
        #expect(result.recovery == 1 && result.unchanged == 0 && result.tokens == 30 && result.trainingTokens == 30)
        #expect(result.low > 0.88 && result.high == 1)  // Clopper–Pearson for 30/30: [0.884, 1]
        // One line to learn from and one released: the same words, so still every word.
        let alone = ShadowAttack.measure(lines: Array(lines.prefix(2)), vocabulary: store, privatizer: shifted, seed: 1)
        #expect(alone.recovery == 1 && alone.tokens == 6)
        // Released words the attacker's text never had: their outputs are guessed as themselves, wrongly.
        let unseen = ShadowAttack.measure(lines: [lines[0], Array(store.words[40...45].joined(separator: " ").utf8)],
                                          vocabulary: store, privatizer: shifted, seed: 1)
        #expect(unseen.recovery == 0 && unseen.unchanged == 0 && unseen.tokens == 6)
    }

    @Test("priors: support, weights and mass")
    func priors() {
        let zipf = WordPrior.zipf(wordCount: 10, words: 3)
        let harmonic = (1...10).reduce(0.0) { $0 + 1 / Double($1) }
        #expect(zipf.ids == [0, 1, 2] && abs(zipf.mass - (1 + 0.5 + 1.0 / 3) / harmonic) < 1e-15)
        #expect(abs(zipf.weights[0] - 6.0 / 11) < 1e-15 && abs(zipf.weights.reduce(0, +) - 1) < 1e-15)
        let counts = WordPrior.counts([0, 4, 4, 1], name: "text", words: 3)
        #expect(counts.ids == [1, 2, 3] && counts.weights == [4.0 / 9, 4.0 / 9, 1.0 / 9] && counts.mass == 1)
        #expect(WordPrior.uniform(wordCount: 4, words: 2).mass == 0.5)
    }
}
