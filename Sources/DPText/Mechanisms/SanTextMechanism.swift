/// SanText (Yue, Du, Wang, Li, Sun, Chow, Findings of ACL 2021, arXiv
/// 2106.01221; Mechanisms.md §6.4): the exponential mechanism over the
/// whole output vocabulary with the negated distance as utility,
///
///     P(y | x) = exp(−(ε/2)·d(x, y)) / Σ_{y′} exp(−(ε/2)·d(x, y′)).
///
/// **Guarantee: pure ε·d_χ** (F3: the numerator ratio for x, x′ is at most
/// e^{ε·d(x,x′)/2} by the triangle inequality, and so is the normalizers').
///
/// Sampling: exactly that law, by `NeighborEnvelopeSampler` (cost d).
/// SanText's own code defaults to ε = 15; here ε has no default.
public struct SanTextMechanism: WordMechanism {
    public let epsilon: Double
    let sampler: NeighborEnvelopeSampler

    public init(epsilon: Double, store: EmbeddingStore, neighbors: NeighborDistances) throws {
        try MechanismParameter.epsilon.check(epsilon)
        self.epsilon = epsilon
        sampler = NeighborEnvelopeSampler(epsilon: epsilon, cost: .distance, outputs: 0..<store.count, store: store,
                                          neighbors: neighbors)
    }

    /// Built from the shared resources (the standard neighbour table).
    public init(epsilon: Double, resources: VocabularyResources) throws {
        let width = NeighborTable.standardWidth(wordCount: resources.vocabulary.count)
        try self.init(epsilon: epsilon, store: resources.vocabulary, neighbors: try resources.neighborDistances(width: width))
    }

    public var name: String { Self.descriptor.name }
    public var parameters: [String: Double] { ["epsilon": epsilon] }
    public var guarantee: PrivacyGuarantee { .pureMetric(epsilon: epsilon) }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        .word(sampler.sample(input, using: &generator))
    }

    /// The exact output distribution for `input` (closed form; O(V)).
    public func probabilities(_ input: MechanismInput) -> [Double] { sampler.probabilities(input) }
}

extension SanTextMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "santext", summary: "the exponential mechanism exp(−(ε/2)·d) over the whole vocabulary",
        guaranteeKind: "pure-metric", decodesPoints: false, epsilonGrid: .values([2, 2.5, 3, 3.5, 4, 4.5, 5]), cost: .tables
    ) { settings in
        try SanTextMechanism(epsilon: settings.requiredEpsilon(), resources: settings.resources)
    }
}
