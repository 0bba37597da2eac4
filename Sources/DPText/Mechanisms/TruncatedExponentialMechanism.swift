import Foundation

/// TEM, the truncated exponential mechanism (Carvalho, Vasiloudis,
/// Feyisetan, Wang, SDM 2023, arXiv 2107.07928; Mechanisms.md §6.3).
///
/// For an input word x, with V words and β ∈ (0, 1):
///
///     γ   = (2/ε)·ln((1 − β)(V − 1)/β)
///     L_x = {w : d(x, w) ≤ γ}                       (exact radius search)
///     s_w = −d(x, w) for w ∈ L_x,   s_⊥ = −γ + (2/ε)·ln|W ∖ L_x|
///
/// add i.i.d. Gumbel(0, 2/ε) to every score, take the argmax, and when ⊥
/// wins output a uniform word of W ∖ L_x. By Gumbel max-stability
/// (`max` of m copies of c + G is c + (2/ε)ln m + G) this is exactly the
/// exponential mechanism `P(y | x) ∝ exp(−(ε/2)·min(d(x, y), γ))` over all
/// words — the utility `−min(d, γ)` is 1-Lipschitz in x, so
///
/// **Guarantee: pure ε·d_χ** (F3). γ is chosen so that P(⊥) ≤ β: x ∈ L_x
/// gives P(⊥) ≤ (V − 1)e^{−εγ/2} / (1 + (V − 1)e^{−εγ/2}).
///
/// Sampling: that law, exactly, by `NeighborEnvelopeSampler` with the cost
/// `min(d, γ)`. The words nearer than the neighbour table's radius r are
/// weighed one by one; the rest are drawn uniformly and kept with
/// probability `exp(−(ε/2)(min(d, γ) − min(r, γ)))` — always when γ ≤ r,
/// where L_x lies inside the table (the table proves the radius search) and
/// the tail is exactly the ⊥ event. MLDP's deviations (ln(|V|/|L_x|) in the
/// ⊥ score, V for V − 1, γ rounded) are not reproduced.
///
/// Parameters: ε > 0; β ∈ (0, 1), default 0.001 (pypantera's and the paper's).
public struct TruncatedExponentialMechanism: WordMechanism {
    public let epsilon: Double
    public let beta: Double
    /// γ, the truncation radius.
    public let gamma: Double
    let sampler: NeighborEnvelopeSampler

    /// - Parameters:
    ///   - neighbors: the vocabulary's neighbour table with the distances of its frequent words.
    public init(epsilon: Double, beta: Double = Parameter.beta.defaultValue!, store: EmbeddingStore,
                neighbors: NeighborDistances) throws {
        try MechanismParameter.epsilon.check(epsilon)
        try Parameter.beta.check(beta)
        guard store.count >= 2 else { throw MechanismError.tooFewWords(mechanism: "tem", count: store.count, needed: 2) }
        self.epsilon = epsilon
        self.beta = beta
        gamma = Self.radius(epsilon: epsilon, beta: beta, wordCount: store.count)
        sampler = NeighborEnvelopeSampler(epsilon: epsilon, cost: .truncated(at: gamma), outputs: 0..<store.count,
                                          store: store, neighbors: neighbors)
    }

    /// Built from the shared resources (the standard neighbour table).
    public init(epsilon: Double, beta: Double = Parameter.beta.defaultValue!, resources: VocabularyResources) throws {
        let width = NeighborTable.standardWidth(wordCount: resources.vocabulary.count)
        try self.init(epsilon: epsilon, beta: beta, store: resources.vocabulary,
                      neighbors: try resources.neighborDistances(width: width))
    }

    /// TEM's own parameter.
    public enum Parameter {
        public static let beta = MechanismParameter(
            name: "beta", symbol: "β", meaning: "the probability bound of the truncated tail", range: .open(0, 1),
            defaultValue: 0.001)
    }

    /// γ = (2/ε)·ln((1 − β)(V − 1)/β).
    public static func radius(epsilon: Double, beta: Double, wordCount: Int) -> Double {
        2 / epsilon * log((1 - beta) * Double(wordCount - 1) / beta)
    }

    public var name: String { Self.descriptor.name }
    public var parameters: [String: Double] { ["epsilon": epsilon, "beta": beta, "gamma": gamma] }
    public var guarantee: PrivacyGuarantee { .pureMetric(epsilon: epsilon) }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        .word(sampler.sample(input, using: &generator))
    }

    /// The exact output distribution for `input` (closed form; O(V)).
    public func probabilities(_ input: MechanismInput) -> [Double] { sampler.probabilities(input) }
}

extension TruncatedExponentialMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "tem", summary: "the truncated exponential mechanism: exp(−(ε/2)·min(d, γ)) over the vocabulary",
        guaranteeKind: "pure-metric", parameters: [Parameter.beta], decodesPoints: false,
        epsilonGrid: .values([2, 2.5, 3, 3.5, 4, 4.5, 5]), cost: .tables
    ) { settings in
        try TruncatedExponentialMechanism(epsilon: settings.requiredEpsilon(), beta: settings.value(Parameter.beta)!,
                                          resources: settings.resources)
    }
}
