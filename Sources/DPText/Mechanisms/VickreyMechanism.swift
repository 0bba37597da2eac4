/// The Vickrey mechanism on Laplace noise (Xu, Aggarwal, Feyisetan,
/// Teissier, PrivateNLP 2021, arXiv 2104.11838; Mechanisms.md §6.2).
///
/// Draw z = φ(x) + N as the multivariate Laplace mechanism does (§2.2), find
/// the two vocabulary words nearest z, u₁ at d₁ ≤ u₂ at d₂, and output u₁
/// with probability
///
///     p(t) = (1 − t)·d₂ / (t·d₁ + (1 − t)·d₂),   else u₂,
///
/// t ∈ [0, 1]: t = 0 is the plain mechanism, t = ½ gives d₂/(d₁ + d₂), t = 1
/// always the second nearest. (MLDP's different rule — a softmax over the two
/// nearest words after dropping x — is not reproduced.) The uniform that
/// decides is drawn with z, so the output does not depend on batching.
///
/// **Guarantee: pure ε·d_χ**, the Laplace noise's: the choice uses only z,
/// public vectors and fresh randomness (post-processing, F1).
///
/// Parameters: ε > 0; t ∈ [0, 1], default 0.5 (the paper picks t by utility).
public struct VickreyMechanism: WordMechanism {
    public let epsilon: Double
    public let t: Double
    let store: EmbeddingStore

    /// The mechanism's own parameter.
    public enum Parameter {
        public static let t = MechanismParameter(
            name: "t", symbol: "t", meaning: "how much the second nearest word is preferred (0: plain laplace)",
            range: .closed(0, 1), defaultValue: 0.5)
    }

    public init(epsilon: Double, t: Double = Parameter.t.defaultValue!, store: EmbeddingStore) throws {
        try MechanismParameter.epsilon.check(epsilon)
        try Parameter.t.check(t)
        self.epsilon = epsilon
        self.t = t
        self.store = store
    }

    public var name: String { Self.descriptor.name }
    public var parameters: [String: Double] { ["epsilon": epsilon, "t": t] }
    public var guarantee: PrivacyGuarantee { .pureMetric(epsilon: epsilon) }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        let center = vector(of: input, in: store)
        let noise = MultivariateLaplaceNoise.sample(dimension: store.dimension, epsilon: epsilon, using: &generator)
        let (t, uniform) = (t, generator.nextOpenUnit())
        return .afterNeighbors(of: zip(center, noise).map(+), k: 2) { .word(Self.choice($0.neighbors, t: t, uniform: uniform)) }
    }

    /// The Vickrey rule: the nearest word u₁ (at d₁) when `uniform` <
    /// p(t) = (1 − t)d₂/(t·d₁ + (1 − t)d₂), else the second nearest u₂ (at d₂).
    /// At t = 0, p = 1; at t = 1, p = 0; where both distances are 0 (duplicate
    /// vectors), p = 1 − t. A vocabulary of one word has no u₂: u₁.
    static func choice(_ nearest: [Neighbor], t: Double, uniform: Double) -> Int {
        guard nearest.count >= 2 else { return nearest[0].id }
        let (d1, d2) = (nearest[0].distance, nearest[1].distance)
        let denominator = t * d1 + (1 - t) * d2
        let p = t == 0 ? 1 : t == 1 ? 0 : denominator == 0 ? 1 - t : (1 - t) * d2 / denominator
        return uniform < p ? nearest[0].id : nearest[1].id
    }
}

extension VickreyMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "vickrey", summary: "Laplace noise, then the nearest or second nearest word by the Vickrey rule",
        guaranteeKind: "pure-metric", parameters: [Parameter.t], decodesPoints: true,
        epsilonGrid: .values([4, 8, 15, 30, 75, 200]), cost: .decoding
    ) { settings in
        try VickreyMechanism(epsilon: settings.requiredEpsilon(), t: settings.value(Parameter.t)!,
                             store: settings.store)
    }
}
