/// The multivariate Laplace mechanism with nearest-neighbour decoding
/// (Feyisetan, Balle, Drake, Diethe, WSDM 2020; Mechanisms.md §2).
///
/// For a token with public vector `v`: draw `z = v + N`, N with density
/// `∝ exp(−ε‖N‖)` (`MultivariateLaplaceNoise`), and output the vocabulary
/// word nearest to z, searched exactly over the whole vocabulary, the input
/// word included.
///
/// Guarantee: pure ε·d_χ with d the Euclidean distance of embeddings (§2.3):
/// the noise density ratio between two centres is at most `e^{ε·d}` at every
/// point, hence over every Voronoi cell. Decoding is post-processing.
///
/// Parameter: ε > 0 and finite, in 1/(embedding distance) units.
public struct MultivariateLaplaceMechanism: WordMechanism {
    public let epsilon: Double
    let store: EmbeddingStore

    public init(epsilon: Double, store: EmbeddingStore) throws {
        try MechanismParameter.epsilon.check(epsilon)
        self.epsilon = epsilon
        self.store = store
    }

    public var name: String { Self.descriptor.name }
    public var parameters: [String: Double] { ["epsilon": epsilon] }
    public var guarantee: PrivacyGuarantee { .pureMetric(epsilon: epsilon) }

    public func draw<G: RandomNumberGenerator>(_ input: MechanismInput, using generator: inout G) -> Draw {
        let center = vector(of: input, in: store)
        let noise = MultivariateLaplaceNoise.sample(dimension: store.dimension, epsilon: epsilon, using: &generator)
        return .point(zip(center, noise).map(+))
    }
}

extension MultivariateLaplaceMechanism {
    public static let descriptor = MechanismDescriptor(
        name: "laplace", summary: "multivariate Laplace noise on the word's vector, then the nearest word",
        guaranteeKind: "pure-metric", decodesPoints: true, epsilonGrid: .values([4, 6, 7, 8, 10, 12]), cost: .decoding
    ) { settings in
        try MultivariateLaplaceMechanism(epsilon: settings.requiredEpsilon(), store: settings.store)
    }
}
