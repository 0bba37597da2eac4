/// SanText+ (Yue et al., Findings of ACL 2021; Mechanisms.md §6.4): SanText
/// restricted to sensitive words.
///
/// The vocabulary in store order is frequency order (GloVe); its least
/// frequent fraction w is the sensitive set V_S — ids `sensitiveStart…` —
/// and every output comes from V_S with SanText's kernel:
///
///     P(y | x) ∝ exp(−(ε/2)·d(x, y)),   y ∈ V_S.
///
/// A sensitive input is always sampled; a non-sensitive one is sampled with
/// probability p and otherwise kept. The `--oov unk` stand-in is treated as
/// sensitive (always sampled; the official code draws a uniform word instead).
///
/// **Guarantee: pure ε·d_χ among sensitive inputs only** (F3 on the output
/// set V_S). Non-sensitive words have none, by design: a kept word can only
/// come from itself. Those kept tokens are counted as unprotected (and so
/// fall under `--max-unprotected-fraction`); the guarantee names both sets.
///
/// Parameters: ε > 0; w ∈ (0, 1], default 0.5; p ∈ [0, 1], default 0.2
/// (the official defaults).
public struct SanTextPlusMechanism: WordMechanism {
    public let epsilon: Double
    public let sensitiveFraction: Double
    public let sampleProbability: Double
    /// The first sensitive word id: V_S = `sensitiveStart..<V`.
    public let sensitiveStart: Int
    let wordCount: Int
    let sampler: NeighborEnvelopeSampler

    public init(epsilon: Double, sensitiveFraction: Double = Parameter.sensitiveFraction.defaultValue!,
                sampleProbability: Double = Parameter.sampleProbability.defaultValue!,
                store: EmbeddingStore, neighbors: NeighborDistances) throws {
        try Self.check(epsilon: epsilon, sensitiveFraction: sensitiveFraction, sampleProbability: sampleProbability)
        let sensitive = Self.sensitiveCount(fraction: sensitiveFraction, wordCount: store.count)
        self.epsilon = epsilon
        self.sensitiveFraction = sensitiveFraction
        self.sampleProbability = sampleProbability
        wordCount = store.count
        sensitiveStart = store.count - sensitive
        sampler = NeighborEnvelopeSampler(epsilon: epsilon, cost: .distance, outputs: sensitiveStart..<store.count,
                                          store: store, neighbors: neighbors)
    }

    /// Built from the shared resources: every word's nearest sensitive words
    /// (a neighbour table restricted to V_S, the sampler's envelope).
    public init(epsilon: Double, sensitiveFraction: Double = Parameter.sensitiveFraction.defaultValue!,
                sampleProbability: Double = Parameter.sampleProbability.defaultValue!,
                resources: VocabularyResources) throws {
        try Self.check(epsilon: epsilon, sensitiveFraction: sensitiveFraction, sampleProbability: sampleProbability)
        let count = resources.vocabulary.count
        let start = count - Self.sensitiveCount(fraction: sensitiveFraction, wordCount: count)
        try self.init(epsilon: epsilon, sensitiveFraction: sensitiveFraction, sampleProbability: sampleProbability,
                      store: resources.vocabulary,
                      neighbors: try resources.neighborDistances(width: NeighborTable.standardWidth(wordCount: count),
                                                                 targets: start..<count))
    }

    private static func check(epsilon: Double, sensitiveFraction: Double, sampleProbability: Double) throws {
        try MechanismParameter.epsilon.check(epsilon)
        try Parameter.sensitiveFraction.check(sensitiveFraction)
        try Parameter.sampleProbability.check(sampleProbability)
    }

    /// SanText+'s own parameters.
    public enum Parameter {
        public static let sensitiveFraction = MechanismParameter(
            name: "sensitive_fraction", symbol: "w", meaning: "the least frequent fraction of the vocabulary that is sensitive",
            range: .above(0, through: 1), defaultValue: 0.5)
        public static let sampleProbability = MechanismParameter(
            name: "sample_probability", symbol: "p", meaning: "the probability a non-sensitive word is sampled, not kept",
            range: .closed(0, 1), defaultValue: 0.2)
    }

    /// |V_S| = max(1, round(w·V)) (for w in (0, 1]).
    static func sensitiveCount(fraction: Double, wordCount: Int) -> Int {
        max(1, Int((min(max(fraction, 0), 1) * Double(wordCount)).rounded()))
    }

    public var name: String { Self.descriptor.name }
    public var parameters: [String: Double] {
        ["epsilon": epsilon, "sensitive_fraction": sensitiveFraction, "sample_probability": sampleProbability,
         "sensitive_words": Double(wordCount - sensitiveStart)]
    }

    public var guarantee: PrivacyGuarantee {
        .partial(.pureMetric(epsilon: epsilon),
                 covered: "the \(wordCount - sensitiveStart) least frequent vocabulary words (ids \(sensitiveStart) and up, "
                    + "sensitive fraction w = \(sensitiveFraction)) and out-of-vocabulary words",
                 exposed: "the \(sensitiveStart) other vocabulary words: each is kept with probability "
                    + "\(1 - sampleProbability), which shows it was the input")
    }

    /// ε·d between two sensitive words; nothing otherwise.
    public func claimedLoss(between a: Int, and b: Int, in store: EmbeddingStore) -> Double? {
        a >= sensitiveStart && b >= sensitiveStart ? epsilon * store.distance(between: a, and: b) : nil
    }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        if case .word(let id) = input, id < sensitiveStart, generator.nextOpenUnit() >= sampleProbability {
            return .unprotected(id)
        }
        return .word(sampler.sample(input, using: &generator))
    }

    /// The exact output distribution for `input` (closed form; O(V)).
    public func probabilities(_ input: MechanismInput) -> [Double] {
        var p = sampler.probabilities(input)
        if case .word(let id) = input, id < sensitiveStart {
            p = p.map { $0 * sampleProbability }
            p[id] += 1 - sampleProbability
        }
        return p
    }
}

extension SanTextPlusMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "santext-plus", summary: "SanText over the rare (sensitive) words; other words kept with probability 1 − p",
        guaranteeKind: "partial pure-metric", parameters: [Parameter.sensitiveFraction, Parameter.sampleProbability],
        decodesPoints: false, epsilonGrid: .values([1, 2, 3, 4, 6, 10]), cost: .tables
    ) { settings in
        try SanTextPlusMechanism(
            epsilon: settings.requiredEpsilon(), sensitiveFraction: settings.value(Parameter.sensitiveFraction)!,
            sampleProbability: settings.value(Parameter.sampleProbability)!, resources: settings.resources)
    }
}
